//! Offset tracking for at-least-once delivery.
//!
//! A message's offset may be committed only when it and every earlier message
//! of its partition have been fully handled (every output or dead-letter
//! record acknowledged by the broker). The [`Tracker`] records, per owned
//! partition, which offsets are in flight; the commit position is the lowest
//! offset still in flight, or one past the highest finished offset when none
//! is. Completions may arrive in any order.
//!
//! Ownership is explicit: a partition is tracked from its assignment to its
//! revocation. Each assignment gets a new epoch; a completion from an older
//! epoch (work that outlived a revocation) is ignored, so offsets are never
//! committed for partitions this instance no longer owns.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// A topic-partition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: i32,
}

impl TopicPartition {
    pub fn new(topic: impl Into<String>, partition: i32) -> TopicPartition {
        TopicPartition {
            topic: topic.into(),
            partition,
        }
    }
}

#[derive(Debug)]
struct PartState {
    epoch: u64,
    /// In-flight offsets, with when each was polled.
    in_flight: BTreeMap<i64, Instant>,
    /// One past the highest finished offset.
    done_until: Option<i64>,
    /// Last position handed out for commit.
    committed: Option<i64>,
}

impl PartState {
    fn position(&self) -> Option<i64> {
        match (self.in_flight.keys().next(), self.done_until) {
            (Some(&lowest), Some(_)) => Some(lowest),
            (Some(_), None) => None,
            (None, done) => done,
        }
    }
}

/// Thread-safe per-partition offset tracker.
#[derive(Debug, Default)]
pub struct Tracker {
    parts: Mutex<HashMap<TopicPartition, PartState>>,
    next_epoch: Mutex<u64>,
    /// Set by the first assignment (even an empty one): the consumer has
    /// joined its group.
    joined: std::sync::atomic::AtomicBool,
    idle: Condvar,
}

impl Tracker {
    pub fn new() -> Tracker {
        Tracker::default()
    }

    /// Records that the consumer has joined its group (an assignment came,
    /// perhaps an empty one).
    pub fn mark_joined(&self) {
        self.joined.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether the consumer has joined its group.
    pub fn joined(&self) -> bool {
        self.joined.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Starts tracking a newly assigned partition.
    pub fn assign(&self, tp: TopicPartition) {
        let epoch = {
            let mut e = self.next_epoch.lock().unwrap();
            *e += 1;
            *e
        };
        self.parts.lock().unwrap().insert(
            tp,
            PartState {
                epoch,
                in_flight: BTreeMap::new(),
                done_until: None,
                committed: None,
            },
        );
    }

    /// The current assignment epoch of `tp`, if owned.
    pub fn epoch(&self, tp: &TopicPartition) -> Option<u64> {
        self.parts.lock().unwrap().get(tp).map(|p| p.epoch)
    }

    /// As [`Tracker::begin`], but only while `tp` is still in assignment
    /// `epoch` (a message held back while the pipeline was full is dropped
    /// when its partition was revoked, and perhaps reassigned, meanwhile: the
    /// owner fetches it again from the committed offset).
    pub fn begin_in(&self, tp: &TopicPartition, epoch: u64, offset: i64) -> bool {
        let mut parts = self.parts.lock().unwrap();
        match parts.get_mut(tp).filter(|p| p.epoch == epoch) {
            Some(p) => {
                p.in_flight.insert(offset, Instant::now());
                true
            }
            None => false,
        }
    }

    /// Registers a consumed message; returns the epoch to complete it with, or
    /// `None` when the partition is not owned.
    pub fn begin(&self, tp: &TopicPartition, offset: i64) -> Option<u64> {
        let mut parts = self.parts.lock().unwrap();
        let p = parts.get_mut(tp)?;
        p.in_flight.insert(offset, Instant::now());
        Some(p.epoch)
    }

    /// Marks a message as fully handled. Ignored for stale epochs.
    pub fn complete(&self, tp: &TopicPartition, epoch: u64, offset: i64) {
        let mut parts = self.parts.lock().unwrap();
        if let Some(p) = parts.get_mut(tp).filter(|p| p.epoch == epoch) {
            if p.in_flight.remove(&offset).is_some() {
                p.done_until = Some(p.done_until.map_or(offset + 1, |d| d.max(offset + 1)));
            }
            if p.in_flight.is_empty() {
                self.idle.notify_all();
            }
        }
    }

    /// Commit positions that moved since last taken (all when `force`).
    /// Marks them as taken.
    pub fn take_commits(&self, force: bool) -> Vec<(TopicPartition, i64)> {
        let mut parts = self.parts.lock().unwrap();
        let mut out = Vec::new();
        for (tp, p) in parts.iter_mut() {
            if let Some(pos) = p.position() {
                if force || p.committed != Some(pos) {
                    p.committed = Some(pos);
                    out.push((tp.clone(), pos));
                }
            }
        }
        out.sort();
        out
    }

    /// Forgets that positions of `tps` were handed out, so the next
    /// [`Tracker::take_commits`] sends them again (after a failed commit).
    pub fn retry_commits(&self, tps: &[TopicPartition]) {
        let mut parts = self.parts.lock().unwrap();
        for tp in tps {
            if let Some(p) = parts.get_mut(tp) {
                p.committed = None;
            }
        }
    }

    /// Commit positions of the given partitions (whether moved or not).
    pub fn positions(&self, tps: &[TopicPartition]) -> Vec<(TopicPartition, i64)> {
        let parts = self.parts.lock().unwrap();
        tps.iter()
            .filter_map(|tp| {
                parts
                    .get(tp)
                    .and_then(|p| p.position())
                    .map(|pos| (tp.clone(), pos))
            })
            .collect()
    }

    /// Waits until none of `tps` (all partitions when `None`) has a message
    /// in flight, or until `timeout`. Returns the number still in flight.
    pub fn wait_idle(&self, tps: Option<&[TopicPartition]>, timeout: Duration) -> usize {
        let deadline = Instant::now() + timeout;
        let mut parts = self.parts.lock().unwrap();
        loop {
            let busy: usize = parts
                .iter()
                .filter(|(tp, _)| tps.is_none_or(|set| set.contains(tp)))
                .map(|(_, p)| p.in_flight.len())
                .sum();
            let now = Instant::now();
            if busy == 0 || now >= deadline {
                return busy;
            }
            parts = self.idle.wait_timeout(parts, deadline - now).unwrap().0;
        }
    }

    /// Stops tracking revoked partitions; late completions are ignored.
    pub fn revoke(&self, tps: &[TopicPartition]) {
        let mut parts = self.parts.lock().unwrap();
        for tp in tps {
            parts.remove(tp);
        }
        self.idle.notify_all();
    }

    /// How long the oldest in-flight message has been in flight: within a
    /// partition that is the lowest offset (messages are polled in order).
    pub fn oldest_in_flight(&self) -> Option<Duration> {
        let parts = self.parts.lock().unwrap();
        parts
            .values()
            .filter_map(|p| p.in_flight.values().next())
            .min()
            .map(Instant::elapsed)
    }

    /// Messages in flight across all partitions.
    pub fn in_flight(&self) -> usize {
        self.parts
            .lock()
            .unwrap()
            .values()
            .map(|p| p.in_flight.len())
            .sum()
    }

    /// Owned partitions.
    pub fn owned(&self) -> Vec<TopicPartition> {
        let mut v: Vec<TopicPartition> = self.parts.lock().unwrap().keys().cloned().collect();
        v.sort();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn position_is_lowest_in_flight() {
        let t = Tracker::new();
        let tp = TopicPartition::new("t", 0);
        t.assign(tp.clone());
        let e = t.begin(&tp, 10).unwrap();
        t.begin(&tp, 11);
        t.begin(&tp, 12);
        t.complete(&tp, e, 12);
        assert_eq!(t.take_commits(false), vec![(tp.clone(), 10)]);
        t.complete(&tp, e, 10);
        assert_eq!(t.take_commits(false), vec![(tp.clone(), 11)]);
        assert_eq!(t.take_commits(false), vec![]);
        t.complete(&tp, e, 11);
        assert_eq!(t.take_commits(false), vec![(tp.clone(), 13)]);
        assert_eq!(t.take_commits(true), vec![(tp.clone(), 13)]);
        assert_eq!(t.take_commits(false), vec![]);
        t.retry_commits(std::slice::from_ref(&tp));
        assert_eq!(
            t.take_commits(false),
            vec![(tp, 13)],
            "a failed commit is sent again"
        );
    }

    #[test]
    fn nothing_committed_before_first_completion() {
        let t = Tracker::new();
        let tp = TopicPartition::new("t", 1);
        t.assign(tp.clone());
        t.begin(&tp, 5);
        assert!(t.take_commits(true).is_empty());
    }

    #[test]
    fn revoked_partitions_are_never_committed() {
        let t = Tracker::new();
        let tp = TopicPartition::new("t", 0);
        t.assign(tp.clone());
        let old = t.begin(&tp, 0).unwrap();
        t.revoke(std::slice::from_ref(&tp));
        assert_eq!(t.begin(&tp, 1), None);
        t.complete(&tp, old, 0);
        assert!(t.take_commits(true).is_empty());
        t.assign(tp.clone());
        t.complete(&tp, old, 0); // stale epoch after re-assignment
        assert!(t.take_commits(true).is_empty());
    }

    #[test]
    fn wait_idle_returns_when_work_finishes() {
        let t = std::sync::Arc::new(Tracker::new());
        let tp = TopicPartition::new("t", 0);
        t.assign(tp.clone());
        let e = t.begin(&tp, 0).unwrap();
        assert_eq!(t.wait_idle(None, Duration::from_millis(20)), 1);
        let t2 = t.clone();
        let tp2 = tp.clone();
        let h = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            t2.complete(&tp2, e, 0);
        });
        assert_eq!(t.wait_idle(Some(&[tp]), Duration::from_secs(5)), 0);
        h.join().unwrap();
    }

    proptest! {
        /// Whatever the completion order, the position never passes an
        /// unfinished offset and ends one past the last.
        #[test]
        fn never_commits_past_unfinished(order in Just((0..40i64).collect::<Vec<_>>()).prop_shuffle()) {
            let t = Tracker::new();
            let tp = TopicPartition::new("t", 0);
            t.assign(tp.clone());
            let e = (0..40).map(|o| t.begin(&tp, o).unwrap()).last().unwrap();
            let mut done = std::collections::BTreeSet::new();
            for o in order {
                t.complete(&tp, e, o);
                done.insert(o);
                if let Some((_, pos)) = t.take_commits(true).into_iter().next() {
                    prop_assert!((0..pos).all(|x| done.contains(&x)));
                }
            }
            prop_assert_eq!(t.take_commits(true), vec![(tp, 40)]);
        }
    }
}
