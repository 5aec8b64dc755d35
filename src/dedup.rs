//! Near-duplicates: the stateful stage after the pure core. It keeps the
//! fingerprints of the articles it saw last and marks an article whose body
//! is a near-copy of one of them (`duplicate_of`).
//!
//! The core computes each body's MinHash signature (`fingerprint`: 64
//! one-byte values whose agreement estimates the share of word 3-shingles
//! two bodies have in common). The window holds the last `dedup.window`
//! signatures with their ids and publication times. Candidates are found by
//! locality-sensitive hashing: the signature is cut into [`BANDS`] bands of
//! [`ROWS`] values, and an earlier article is a candidate when it agrees with
//! this one on a whole band. A pair sharing half its shingles agrees on some
//! band with probability 1 − (1 − 0.5³)²¹ ≈ 0.94, at 0.7 with ≈ 0.9995,
//! while two unrelated stories (a few per cent shared) almost never do; so
//! each article is compared with a handful of entries, not with the whole
//! window. Each candidate's similarity is then estimated from the full
//! signatures, and the most similar one at or above `dedup.min_similarity`
//! is the original (the earliest on a tie). Only the [`PER_BAND`] newest
//! entries of a band are candidates, so a template that a whole feed shares
//! costs each article as much as a unique story (measured: without the cap,
//! a stream of one template slowed the service from thousands to 350
//! articles a second as the window filled). Entries published more than
//! `dedup.max_age_hours` apart (when both have a time) do not match.
//!
//! **Scope.** The window belongs to one instance and lives in memory: after a
//! restart (of the process, or of the pipeline after an aborted transaction)
//! it starts empty, and each instance of a consumer group sees only its own
//! partitions. Producers that key copies of a story alike (by a story id or
//! slug) keep them on one partition and so on one instance; downstream can
//! group on `fingerprint` across instances. An article never matches an
//! entry with its own id, so a redelivered message is not a copy of itself.
//! Workers enrich in parallel, so of two copies that arrive within the same
//! few milliseconds either may be marked.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use newsflow_core::article::{DuplicateOf, EnrichedArticle};
use newsflow_core::enrich::fingerprint::{self, Signature, BINS};

use crate::config::DedupSettings;

/// Values per LSH band.
pub const ROWS: usize = 3;
/// LSH bands (`BANDS * ROWS <= BINS`).
pub const BANDS: usize = 21;
/// Candidates taken from one band: its most recent entries. A template
/// that every article of a feed shares (a markets table, a test fixture)
/// fills a band with the whole window; the newest entries are the likeliest
/// originals, and the cap keeps each article's work constant.
pub const PER_BAND: usize = 16;
const _: () = assert!(BANDS * ROWS <= BINS);

#[derive(Debug)]
struct Seen {
    signature: Signature,
    id: String,
    at: Option<DateTime<Utc>>,
}

/// The window of recent fingerprints.
#[derive(Debug)]
pub struct Window {
    capacity: usize,
    max_age: Option<Duration>,
    min_similarity: f64,
    seen: VecDeque<Seen>,
    /// Sequence number of `seen[0]`.
    first: u64,
    /// Band key → sequence numbers of the entries with that band, oldest
    /// first (so eviction pops the front).
    bands: HashMap<u32, VecDeque<u64>>,
}

/// The key of band `b` of a signature: the band's index and its values.
fn band_key(sig: &Signature, b: usize) -> u32 {
    let v = &sig[b * ROWS..(b + 1) * ROWS];
    (b as u32) << 24 | (v[0] as u32) << 16 | (v[1] as u32) << 8 | v[2] as u32
}

impl Window {
    pub fn new(settings: &DedupSettings) -> Window {
        Window {
            capacity: settings.window,
            max_age: (settings.max_age_hours > 0)
                .then(|| Duration::hours(settings.max_age_hours as i64)),
            min_similarity: settings.min_similarity,
            seen: VecDeque::with_capacity(settings.window.min(1 << 16)),
            first: 0,
            bands: HashMap::new(),
        }
    }

    /// Compares an article with the window, then adds it. Returns the most
    /// similar earlier article at or above the threshold.
    pub fn observe(
        &mut self,
        id: &str,
        sig: Option<&Signature>,
        at: Option<DateTime<Utc>>,
    ) -> Option<DuplicateOf> {
        let sig = sig?;
        if self.capacity == 0 {
            return None;
        }
        let mut candidates: Vec<u64> = (0..BANDS)
            .filter_map(|b| self.bands.get(&band_key(sig, b)))
            .flat_map(|v| v.iter().rev().take(PER_BAND))
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut best: Option<(f64, &Seen)> = None;
        for seq in candidates {
            let s = &self.seen[(seq - self.first) as usize];
            if s.id == id {
                continue;
            }
            if let (Some(max), Some(a), Some(b)) = (self.max_age, at, s.at) {
                if (a - b).abs() > max {
                    continue;
                }
            }
            let sim = fingerprint::similarity(&s.signature, sig);
            if sim >= self.min_similarity && best.is_none_or(|(b, _)| sim > b) {
                best = Some((sim, s));
            }
        }
        let found = best.map(|(sim, s)| DuplicateOf {
            id: s.id.clone(),
            similarity: (sim * 1000.0).round() / 1000.0,
        });
        self.insert(id, sig, at);
        found
    }

    fn insert(&mut self, id: &str, sig: &Signature, at: Option<DateTime<Utc>>) {
        if self.seen.len() == self.capacity {
            let old = self.seen.pop_front().expect("a full window has entries");
            for b in 0..BANDS {
                let key = band_key(&old.signature, b);
                if let Some(v) = self.bands.get_mut(&key) {
                    // The oldest entry of the window is the oldest of
                    // every band list it is in.
                    if v.front() == Some(&self.first) {
                        v.pop_front();
                    }
                    if v.is_empty() {
                        self.bands.remove(&key);
                    }
                }
            }
            self.first += 1;
        }
        let seq = self.first + self.seen.len() as u64;
        for b in 0..BANDS {
            let v = self.bands.entry(band_key(sig, b)).or_default();
            // One entry per list even when two bands of a signature share a key.
            if v.back() != Some(&seq) {
                v.push_back(seq);
            }
        }
        self.seen.push_back(Seen {
            signature: *sig,
            id: id.to_owned(),
            at,
        });
    }

    /// Sets `duplicate_of` of an enriched article and adds it to the window.
    pub fn mark(&mut self, a: &mut EnrichedArticle) {
        let sig = fingerprint::from_hex(&a.fingerprint);
        a.duplicate_of = self.observe(&a.id, sig.as_ref(), a.published_at);
    }
}

/// The window shared by the worker threads of one pipeline.
#[derive(Debug)]
pub struct Dedup(Mutex<Window>);

impl Dedup {
    pub fn new(settings: &DedupSettings) -> Dedup {
        Dedup(Mutex::new(Window::new(settings)))
    }

    pub fn mark(&self, a: &mut EnrichedArticle) {
        self.0.lock().expect("dedup window lock").mark(a);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(window: usize) -> DedupSettings {
        DedupSettings {
            window,
            max_age_hours: 48,
            min_similarity: 0.5,
        }
    }

    fn at(h: i64) -> Option<DateTime<Utc>> {
        Some(DateTime::<Utc>::UNIX_EPOCH + Duration::hours(h))
    }

    /// A signature with `same` leading values of `base` and the rest `other`.
    fn sig(base: u8, same: usize, other: u8) -> Signature {
        let mut s = [other; BINS];
        for (i, v) in s.iter_mut().enumerate().take(same) {
            *v = base.wrapping_add(i as u8);
        }
        s
    }

    #[test]
    fn the_most_similar_earlier_article_above_the_threshold_is_the_original() {
        let mut w = Window::new(&settings(10));
        assert_eq!(w.observe("a", Some(&sig(0, 64, 0)), None), None);
        assert_eq!(w.observe("b", Some(&sig(0, 40, 9)), None).unwrap().id, "a");
        // Shares 48 values with a, 40 with b: a is closer.
        let d = w.observe("c", Some(&sig(0, 48, 7)), None).unwrap();
        assert_eq!(d.id, "a");
        assert!((d.similarity - 0.749).abs() < 0.002, "{}", d.similarity);
        // Below the threshold: no match even though bands agree.
        assert_eq!(w.observe("d", Some(&sig(0, 12, 200)), None), None);
        assert_eq!(w.observe("e", Some(&sig(100, 64, 0)), None), None);
    }

    #[test]
    fn the_window_forgets_the_oldest_and_old_articles_do_not_match() {
        let mut w = Window::new(&settings(2));
        w.observe("a", Some(&sig(0, 64, 0)), None);
        w.observe("b", Some(&sig(50, 64, 0)), None);
        w.observe("c", Some(&sig(100, 64, 0)), None);
        assert_eq!(
            w.observe("x", Some(&sig(0, 64, 0)), None),
            None,
            "a was evicted"
        );
        assert!(w.bands.values().all(|v| v.len() == 1), "band lists shrink");

        let mut w = Window::new(&settings(10));
        w.observe("old", Some(&sig(0, 64, 0)), at(0));
        assert_eq!(w.observe("new", Some(&sig(0, 64, 0)), at(49)), None);
        assert_eq!(
            w.observe("near", Some(&sig(0, 64, 0)), at(30)).unwrap().id,
            "old"
        );
    }

    #[test]
    fn a_flood_of_one_template_keeps_the_work_per_article_bounded() {
        let mut w = Window::new(&settings(1000));
        for i in 0..3000 {
            let d = w.observe(&i.to_string(), Some(&sig(0, 64, 0)), None);
            assert_eq!(d.is_some(), i > 0);
        }
        assert_eq!(w.seen.len(), 1000);
        assert!(w.bands.values().all(|v| v.len() <= 1000));
        assert_eq!(
            w.bands.values().map(VecDeque::len).sum::<usize>(),
            1000 * BANDS
        );
    }

    #[test]
    fn a_redelivery_is_not_a_copy_of_itself_and_off_means_off() {
        let mut w = Window::new(&settings(10));
        w.observe("a", Some(&sig(0, 64, 0)), None);
        assert_eq!(w.observe("a", Some(&sig(0, 64, 0)), None), None);
        let mut off = Window::new(&settings(0));
        off.observe("a", Some(&sig(0, 64, 0)), None);
        assert_eq!(off.observe("b", Some(&sig(0, 64, 0)), None), None);
        // A body without words has no fingerprint to compare.
        assert_eq!(w.observe("b", None, None), None);
    }

    #[test]
    fn real_bodies_through_the_core_fingerprint() {
        let story = "The central bank raised its main interest rate by half a point on \
            Thursday, its third increase this year, saying inflation was still far above \
            its target. The governor told reporters the bank would act again if prices \
            kept rising. Markets had expected the move.";
        let copy = story.replace("half a point", "50 basis points");
        let mut w = Window::new(&settings(10));
        let s = |b: &str| fingerprint::signature(b);
        assert_eq!(w.observe("a", s(story).as_ref(), None), None);
        assert_eq!(w.observe("b", s(&copy).as_ref(), None).unwrap().id, "a");
    }
}
