//! Source: the Kafka consumer, its poll thread, and rebalance handling.
//!
//! The consumer is a [`BaseConsumer`] driven by one dedicated OS thread. That
//! thread is the only one that polls, so librdkafka runs the rebalance
//! callbacks there and may block in them: on revocation it waits (up to
//! `shutdown.drain_timeout_ms`) for the revoked partitions' in-flight messages
//! to be acknowledged downstream, commits their offsets synchronously, and only
//! then lets the rebalance proceed. Periodic offset commits run on the same
//! thread, so a commit can never race a revocation.
//!
//! Backpressure: a message enters the pipeline with one permit of
//! `pipeline.max_in_flight` and as many byte permits of
//! `pipeline.max_in_flight_bytes` as it has bytes; both return when its
//! outputs are acknowledged (or its transaction commits), so memory follows
//! from the configuration. When either runs out the thread pauses the
//! assignment and keeps polling (rebalances, commits and errors are served,
//! messages fetched before the pause are held), and resumes when capacity
//! frees.
//!
//! Fatal errors end the loop and the service: a fatal consumer error (for
//! example a fenced static member) or a rebalance error. Lost partitions
//! (`assignment_lost`) are dropped without a drain or a commit.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::{KafkaError, KafkaResult};
use rdkafka::message::{Message, OwnedHeaders};
use rdkafka::{ClientContext, Offset, TopicPartitionList};
use tokio::sync::{mpsc, Notify, OwnedSemaphorePermit, Semaphore};

use crate::cluster::ClientErrors;
use crate::config::{DeliveryMode, Settings};

/// While the pipeline is full, how long the poll thread waits for capacity
/// between polls that serve callbacks: rebalances, commits and errors are
/// handled within this even when no message can be taken, and freed capacity
/// is noticed at once.
const FULL_WAIT: Duration = Duration::from_millis(20);

/// Exactly-once revocation: how long to wait for the revoked partitions to
/// go idle before asking for another transaction commit (messages that were
/// still being enriched at the first request join the next transaction).
const REVOKE_COMMIT_WAIT: Duration = Duration::from_millis(50);

/// How long the pipeline must stay full before the assignment is paused (and
/// polling goes on without taking messages): longer than the brief fills of
/// a pipeline at capacity, short against any rebalance or session timeout.
const STALL_BEFORE_PAUSE: Duration = Duration::from_millis(200);

/// How long one `poll` blocks when no message is ready: the shutdown flag
/// and the commit timer are checked at least this often.
const POLL_TIMEOUT: Duration = Duration::from_millis(100);
use crate::offsets::{TopicPartition, Tracker};
use crate::shutdown::Shutdown;

/// A consumed message on its way through the pipeline.
#[derive(Debug)]
pub struct ConsumedMessage {
    pub tp: TopicPartition,
    pub offset: i64,
    pub epoch: u64,
    pub key: Option<Vec<u8>>,
    pub payload: Vec<u8>,
    pub headers: Option<OwnedHeaders>,
    /// The input record's timestamp (ms since the epoch), for the
    /// end-to-end histogram.
    pub timestamp_ms: Option<i64>,
    /// Returned when the message is fully handled: this is the in-flight bound.
    pub permit: InFlight,
}

/// Consumer callbacks: partition ownership and revocation draining.
pub struct SourceContext {
    tracker: Arc<Tracker>,
    drain_timeout: Duration,
    /// Exactly-once: offsets are committed inside transactions, not here.
    exactly_once: bool,
    /// Exactly-once: asks the ordered stage to commit its open transaction.
    commit_now: Arc<Notify>,
    /// Errors librdkafka reported, for start-up diagnostics.
    pub errors: ClientErrors,
    /// Set once the service stops: revocations no longer wait.
    stopping: AtomicBool,
    /// A fatal error seen in a callback or by the poll loop.
    fatal: Mutex<Option<String>>,
}

impl ClientContext for SourceContext {
    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        self.errors.record(&error, reason);
    }

    /// librdkafka's statistics (every `statistics.interval.ms`): the lag of
    /// each assigned partition, high watermark minus the consumer's
    /// position, as `newsflow_consumer_lag`. librdkafka reports -1 until
    /// both are known; those are left out.
    fn stats(&self, statistics: rdkafka::Statistics) {
        for (topic, t) in &statistics.topics {
            for (partition, p) in &t.partitions {
                if *partition < 0 || p.consumer_lag < 0 {
                    continue;
                }
                metrics::gauge!(crate::metrics::CONSUMER_LAG, "topic" => topic.clone(), "partition" => partition.to_string())
                    .set(p.consumer_lag as f64);
            }
        }
    }
}

fn tps_of(tpl: &TopicPartitionList) -> Vec<TopicPartition> {
    tpl.elements()
        .iter()
        .map(|e| TopicPartition::new(e.topic(), e.partition()))
        .collect()
}

/// Commits `positions` (next offsets to read) in one request.
pub fn commit(
    consumer: &BaseConsumer<SourceContext>,
    positions: &[(TopicPartition, i64)],
    mode: CommitMode,
) -> KafkaResult<()> {
    if positions.is_empty() {
        return Ok(());
    }
    let mut tpl = TopicPartitionList::new();
    for (tp, pos) in positions {
        tpl.add_partition_offset(&tp.topic, tp.partition, Offset::Offset(*pos))?;
    }
    consumer.commit(&tpl, mode)
}

impl SourceContext {
    /// How long a revocation may wait for in-flight work: the drain
    /// deadline, or nothing once the service is stopping (the stop already
    /// gave the drain its deadline; a second full wait in the final
    /// revocation would double it).
    fn drain_timeout(&self) -> Duration {
        if self.stopping.load(Ordering::SeqCst) {
            Duration::ZERO
        } else {
            self.drain_timeout
        }
    }

    /// Records a fatal error: the poll loop ends and the service exits with it.
    fn fail(&self, why: String) {
        let mut f = self.fatal.lock().unwrap();
        if f.is_none() {
            *f = Some(why);
        }
    }

    /// The fatal error recorded, if any.
    pub fn fatal(&self) -> Option<String> {
        self.fatal.lock().unwrap().clone()
    }

    /// Tells revocations from now on not to wait (the service is stopping).
    pub fn set_stopping(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    /// Exactly-once revocation: the revoked partitions' messages are complete
    /// once their transaction commits, which carries their offsets; ask for
    /// commits until none is in flight (or the drain deadline passes).
    fn revoke_transactional(&self, tps: &[TopicPartition]) {
        let deadline = Instant::now() + self.drain_timeout();
        let mut left = self.tracker.wait_idle(Some(tps), Duration::ZERO);
        while left > 0 && Instant::now() < deadline {
            self.commit_now.notify_one();
            left = self.tracker.wait_idle(Some(tps), REVOKE_COMMIT_WAIT);
        }
        if left > 0 {
            tracing::warn!(in_flight = left, "revocation drain deadline passed; the open transaction is aborted and its messages redone by the next owner");
        }
        self.tracker.revoke(tps);
        if left > 0 {
            // The open transaction now holds messages of a revoked epoch: the
            // pipeline's next commit aborts it instead (TxnError::Revoked).
            self.commit_now.notify_one();
        }
        for tp in tps {
            tracing::info!(topic = %tp.topic, partition = tp.partition, committed_in_transaction = left == 0, "partition revoked");
        }
    }
}

impl ConsumerContext for SourceContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(tpl) = rebalance {
            let tps = tps_of(tpl);
            if self.exactly_once {
                self.revoke_transactional(&tps);
                return;
            }
            if consumer.assignment_lost() {
                // The group has already given them to another member (a
                // session timeout, a fenced static member): draining or
                // committing for them would be refused or, worse, race the
                // new owner.
                self.tracker.revoke(&tps);
                for tp in &tps {
                    tracing::warn!(topic = %tp.topic, partition = tp.partition, "partition lost; its in-flight work is dropped and redone by the new owner");
                }
                return;
            }
            let left = self.tracker.wait_idle(Some(&tps), self.drain_timeout());
            if left > 0 {
                tracing::warn!(in_flight = left, "revocation drain deadline passed; unfinished messages will be redelivered to the next owner");
            }
            let positions = self.tracker.positions(&tps);
            let committed = match commit(consumer, &positions, CommitMode::Sync) {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!(error = %e, "commit on revocation failed; the next owner may redo some messages");
                    false
                }
            };
            self.tracker.revoke(&tps);
            for tp in &tps {
                let position = positions.iter().find(|(p, _)| p == tp).map(|(_, o)| *o);
                if committed {
                    tracing::info!(topic = %tp.topic, partition = tp.partition, committed_offset = position, "partition revoked");
                } else {
                    tracing::warn!(topic = %tp.topic, partition = tp.partition, uncommitted_offset = position, "partition revoked without its commit");
                }
            }
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => {
                self.tracker.mark_joined();
                for tp in tps_of(tpl) {
                    tracing::info!(topic = %tp.topic, partition = tp.partition, "partition assigned");
                    self.tracker.assign(tp);
                }
            }
            Rebalance::Revoke(_) => {}
            Rebalance::Error(e) => {
                tracing::error!(error = %e, "rebalance error");
                self.fail(format!("rebalance error: {e}"));
            }
        }
    }

    fn commit_callback(&self, result: KafkaResult<()>, offsets: &TopicPartitionList) {
        match result {
            Ok(()) => tracing::debug!(partitions = offsets.count(), "offsets committed"),
            Err(e) => {
                tracing::warn!(error = %e, "offset commit failed; will retry with the next commit");
                self.tracker.retry_commits(&tps_of(offsets));
            }
        }
    }
}

/// The consumer's librdkafka configuration: user properties, then the ones
/// delivery guarantees depend on.
pub fn consumer_config(settings: &Settings) -> ClientConfig {
    let mut c = ClientConfig::new();
    for (k, v) in &settings.kafka.consumer {
        c.set(k, v.to_string());
    }
    c.set("bootstrap.servers", &settings.kafka.brokers)
        .set("group.id", &settings.kafka.group_id)
        .set("client.id", &settings.kafka.client_id)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("enable.partition.eof", "false");
    c
}

/// Creates the consumer and subscribes it to the input topic.
pub fn create_consumer(
    settings: &Settings,
    tracker: Arc<Tracker>,
    commit_now: Arc<Notify>,
) -> KafkaResult<Arc<BaseConsumer<SourceContext>>> {
    let ctx = SourceContext {
        tracker,
        drain_timeout: Duration::from_millis(settings.shutdown.drain_timeout_ms),
        exactly_once: settings.delivery.mode == DeliveryMode::ExactlyOnce,
        commit_now,
        errors: ClientErrors::default(),
        stopping: AtomicBool::new(false),
        fatal: Mutex::new(None),
    };
    let consumer: BaseConsumer<SourceContext> =
        consumer_config(settings).create_with_context(ctx)?;
    consumer.subscribe(&[&settings.topics.input])?;
    Ok(Arc::new(consumer))
}

/// Everything the poll thread needs.
pub struct PollLoop {
    pub consumer: Arc<BaseConsumer<SourceContext>>,
    /// `newsflow_messages_consumed_total` of the input topic.
    pub consumed: metrics::Counter,
    pub tracker: Arc<Tracker>,
    /// One permit per message in flight (`pipeline.max_in_flight`).
    pub permits: Arc<Semaphore>,
    /// One permit per input byte in flight (`pipeline.max_in_flight_bytes`).
    pub byte_permits: Arc<Semaphore>,
    pub max_in_flight_bytes: usize,
    pub tx: mpsc::Sender<ConsumedMessage>,
    /// The pipeline's stop: watched, and triggered on a fatal error.
    pub shutdown: Shutdown,
    pub commit_interval: Duration,
    /// Exactly-once: no consumer commits (offsets travel in transactions).
    pub exactly_once: bool,
    pub runtime: tokio::runtime::Handle,
}

/// A message polled but not yet in the pipeline (held back while it is full).
struct Held {
    tp: TopicPartition,
    epoch: u64,
    offset: i64,
    key: Option<Vec<u8>>,
    payload: Vec<u8>,
    headers: Option<rdkafka::message::OwnedHeaders>,
    timestamp_ms: Option<i64>,
}

/// The capacity one message takes: returned when its outputs are
/// acknowledged (or its transaction commits).
#[derive(Debug)]
pub struct InFlight {
    _message: OwnedSemaphorePermit,
    _bytes: OwnedSemaphorePermit,
}

impl InFlight {
    pub fn new(message: OwnedSemaphorePermit, bytes: OwnedSemaphorePermit) -> InFlight {
        crate::metrics::in_flight_bytes(bytes.num_permits() as u64, true);
        InFlight {
            _message: message,
            _bytes: bytes,
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        crate::metrics::in_flight_bytes(self._bytes.num_permits() as u64, false);
    }
}

/// Consumer errors that retrying cannot cure: the group refuses this
/// member's configuration or credentials, so every join would fail the same
/// way. They end the service with the setting to change, instead of a WARN
/// line every few seconds.
fn incurable(e: &KafkaError) -> Option<String> {
    use rdkafka::types::RDKafkaErrorCode as C;
    let hint = match e.rdkafka_error_code()? {
        C::InvalidSessionTimeout => {
            "the broker refuses kafka.consumer \"session.timeout.ms\": it must lie within the broker's group.min.session.timeout.ms and group.max.session.timeout.ms"
        }
        C::InconsistentGroupProtocol => {
            "the group's members use different assignors: set kafka.consumer \"partition.assignment.strategy\" the same on every member"
        }
        C::GroupAuthorizationFailed => {
            "not authorised for the consumer group kafka.group_id"
        }
        C::InvalidGroupId => "kafka.group_id is not a valid group id",
        C::TopicAuthorizationFailed => "not authorised to read the input topic (topics.input)",
        _ => return None,
    };
    Some(format!("{hint} ({e})"))
}

impl PollLoop {
    /// Starts the poll thread. It ends when shutdown is triggered, the
    /// pipeline hangs up or a fatal consumer error occurs; dropping its
    /// sender tells the pipeline the input ended.
    pub fn spawn(self) -> JoinHandle<()> {
        std::thread::Builder::new()
            .name("kafka-poll".into())
            .spawn(move || {
                // A panic here must not leave a live process that consumes
                // nothing: it stops the pipeline with an error.
                let (consumer, stop) = (self.consumer.clone(), self.shutdown.clone());
                if let Err(panic) =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run()))
                {
                    let text = crate::pipeline::panic_text(panic.as_ref());
                    consumer
                        .context()
                        .fail(format!("the poll thread panicked: {text}"));
                    stop.trigger();
                }
            })
            .expect("spawn poll thread")
    }

    /// Bytes of in-flight capacity a message of `len` bytes takes (a message
    /// larger than the whole budget takes all of it, and so runs alone).
    fn bytes_for(&self, len: usize) -> u32 {
        len.clamp(1, self.max_in_flight_bytes) as u32
    }

    fn try_capacity(&self, len: usize) -> Option<InFlight> {
        let message = self.permits.clone().try_acquire_owned().ok()?;
        let bytes = self
            .byte_permits
            .clone()
            .try_acquire_many_owned(self.bytes_for(len))
            .ok()?;
        Some(InFlight::new(message, bytes))
    }

    /// Waits (at most [`FULL_WAIT`]) until a message of `len` bytes would fit.
    /// Only this thread takes permits, so capacity seen here stays.
    fn wait_for_capacity(&self, len: usize) {
        let (permits, bytes, n) = (
            self.permits.clone(),
            self.byte_permits.clone(),
            self.bytes_for(len),
        );
        self.runtime.block_on(async move {
            let _ = tokio::time::timeout(FULL_WAIT, async move {
                drop(permits.acquire().await);
                drop(bytes.acquire_many(n).await);
            })
            .await;
        });
    }

    /// Pauses or resumes fetching for the whole assignment; false when
    /// there was nothing to apply it to (no assignment, or an error).
    fn set_paused(&self, pause: bool) -> bool {
        let Ok(assignment) = self.consumer.assignment() else {
            return false;
        };
        if assignment.count() == 0 {
            return false;
        }
        let r = if pause {
            self.consumer.pause(&assignment)
        } else {
            self.consumer.resume(&assignment)
        };
        if let Err(e) = r {
            tracing::warn!(error = %e, pause, "pausing or resuming the assignment failed");
            return false;
        }
        true
    }

    /// One poll: serves rebalances, commits and errors; returns a message.
    /// A fatal consumer error ends the loop (`Err`).
    fn poll_once(&self, timeout: Duration) -> Result<Option<Held>, String> {
        let msg = match self.consumer.poll(timeout) {
            None => return Ok(None),
            Some(Err(KafkaError::MessageConsumptionFatal(code))) => {
                return Err(format!("fatal consumer error: {code}"))
            }
            Some(Err(e)) => {
                if let Some(why) = incurable(&e) {
                    return Err(why);
                }
                tracing::warn!(error = %e, "consumer error");
                return Ok(None);
            }
            Some(Ok(m)) => m,
        };
        self.consumed.increment(1);
        let tp = TopicPartition::new(msg.topic(), msg.partition());
        let Some(epoch) = self.tracker.epoch(&tp) else {
            tracing::warn!(topic = %tp.topic, partition = tp.partition, offset = msg.offset(), "message from a partition not owned; skipped");
            return Ok(None);
        };
        Ok(Some(Held {
            offset: msg.offset(),
            epoch,
            key: msg.key().map(<[u8]>::to_vec),
            payload: msg.payload().map(<[u8]>::to_vec).unwrap_or_default(),
            headers: msg.headers().map(|h| h.detach()),
            timestamp_ms: msg.timestamp().to_millis(),
            tp,
        }))
    }

    fn run(self) {
        let mut last_commit = Instant::now();
        let mut held: VecDeque<Held> = VecDeque::new();
        let mut paused = false;
        let mut full_since: Option<Instant> = None;
        while !self.shutdown.is_triggered() {
            if let Some(why) = self.consumer.context().fatal() {
                return self.fail(why);
            }
            if !self.exactly_once && last_commit.elapsed() >= self.commit_interval {
                let positions = self.tracker.take_commits(false);
                if let Err(e) = commit(&self.consumer, &positions, CommitMode::Async) {
                    tracing::warn!(error = %e, "periodic commit failed; will retry");
                }
                last_commit = Instant::now();
            }
            // Hand held messages to the pipeline while there is room.
            let mut blocked: Option<usize> = None;
            while let Some(front) = held.front() {
                let Some(capacity) = self.try_capacity(front.payload.len()) else {
                    blocked = Some(front.payload.len());
                    break;
                };
                let h = held.pop_front().expect("front exists");
                if !self.tracker.begin_in(&h.tp, h.epoch, h.offset) {
                    continue; // revoked meanwhile: the owner fetches it again
                }
                let work = ConsumedMessage {
                    tp: h.tp,
                    offset: h.offset,
                    epoch: h.epoch,
                    key: h.key,
                    payload: h.payload,
                    headers: h.headers,
                    timestamp_ms: h.timestamp_ms,
                    permit: capacity,
                };
                if self.tx.blocking_send(work).is_err() {
                    return; // the pipeline stopped
                }
            }
            // Full: pause fetching but keep polling, so that rebalances,
            // commits and errors are served while the pipeline drains.
            let full = blocked.is_some() || self.permits.available_permits() == 0;
            if !full {
                full_since = None;
            } else if full_since.is_none() {
                full_since = Some(Instant::now());
            }
            // A brief fill (the pipeline working at capacity) only waits for
            // room: pausing would make librdkafka drop its prefetched
            // messages and fetch them again on resume, a round trip each
            // time. A stall (the output broker down) pauses the assignment.
            let stalled = full_since.is_some_and(|t| t.elapsed() >= STALL_BEFORE_PAUSE);
            if stalled || paused {
                // Re-pausing every round covers partitions assigned meanwhile.
                // A resume counts only once it reached an assignment: a stall
                // that ends between a revocation and the next assignment
                // would otherwise leave the pause on partitions librdkafka
                // hands back paused, and the instance would idle forever
                // (seen in the replication test after a coordinator loss).
                let applied = self.set_paused(stalled);
                paused = stalled || !applied;
            }
            if full && !stalled {
                self.wait_for_capacity(blocked.unwrap_or(0));
                continue;
            }
            let timeout = if stalled {
                Duration::ZERO
            } else {
                POLL_TIMEOUT
            };
            match self.poll_once(timeout) {
                Ok(Some(h)) => held.push_back(h),
                Ok(None) => {}
                Err(why) => return self.fail(why),
            }
            if stalled {
                self.wait_for_capacity(blocked.unwrap_or(0));
            }
        }
    }

    /// Ends the loop on a fatal error: recorded for the service's exit, and
    /// the pipeline is stopped.
    fn fail(&self, why: String) {
        tracing::error!(error = %why, "fatal consumer error; stopping");
        self.consumer.context().fail(why);
        self.shutdown.trigger();
    }
}
