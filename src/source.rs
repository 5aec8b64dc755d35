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
//! Backpressure: the thread takes a permit per message from a semaphore of
//! `pipeline.max_in_flight` permits before polling; a permit is returned when
//! the message's outputs are acknowledged.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::KafkaResult;
use rdkafka::message::{Message, OwnedHeaders};
use rdkafka::{ClientContext, Offset, TopicPartitionList};
use tokio::sync::{mpsc, Notify, OwnedSemaphorePermit, Semaphore};

use crate::cluster::ClientErrors;
use crate::config::{DeliveryMode, Settings};

/// How long the poll thread waits for an in-flight permit before polling
/// anyway to serve callbacks: short enough that rebalances, commits and
/// shutdown are never held up by a full pipeline for long.
const PERMIT_WAIT: Duration = Duration::from_millis(100);

/// Exactly-once revocation: how long to wait for the revoked partitions to
/// go idle before asking for another transaction commit (messages that were
/// still being enriched at the first request join the next transaction).
const REVOKE_COMMIT_WAIT: Duration = Duration::from_millis(50);

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
    /// Returned when the message is fully handled: this is the in-flight bound.
    pub permit: OwnedSemaphorePermit,
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
}

impl ClientContext for SourceContext {
    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        self.errors.record(&error, reason);
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
    /// Exactly-once revocation: the revoked partitions' messages are complete
    /// once their transaction commits, which carries their offsets; ask for
    /// commits until none is in flight (or the drain deadline passes).
    fn revoke_transactional(&self, tps: &[TopicPartition]) {
        let deadline = Instant::now() + self.drain_timeout;
        let mut left = usize::MAX;
        while left > 0 && Instant::now() < deadline {
            self.commit_now.notify_one();
            left = self.tracker.wait_idle(Some(tps), REVOKE_COMMIT_WAIT);
        }
        if left > 0 {
            tracing::warn!(in_flight = left, "revocation drain deadline passed; the open transaction's messages will be redone by the next owner");
        }
        self.tracker.revoke(tps);
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
            let left = self.tracker.wait_idle(Some(&tps), self.drain_timeout);
            if left > 0 {
                tracing::warn!(in_flight = left, "revocation drain deadline passed; unfinished messages will be redelivered to the next owner");
            }
            let positions = self.tracker.positions(&tps);
            if let Err(e) = commit(consumer, &positions, CommitMode::Sync) {
                tracing::warn!(error = %e, "commit on revocation failed; the next owner may redo some messages");
            }
            self.tracker.revoke(&tps);
            for tp in &tps {
                let committed = positions.iter().find(|(p, _)| p == tp).map(|(_, o)| *o);
                tracing::info!(topic = %tp.topic, partition = tp.partition, committed_offset = committed, "partition revoked");
            }
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => {
                for tp in tps_of(tpl) {
                    tracing::info!(topic = %tp.topic, partition = tp.partition, "partition assigned");
                    self.tracker.assign(tp);
                }
            }
            Rebalance::Revoke(_) => {}
            Rebalance::Error(e) => tracing::error!(error = %e, "rebalance error"),
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
    };
    let consumer: BaseConsumer<SourceContext> =
        consumer_config(settings).create_with_context(ctx)?;
    consumer.subscribe(&[&settings.topics.input])?;
    Ok(Arc::new(consumer))
}

/// Everything the poll thread needs.
pub struct PollLoop {
    pub consumer: Arc<BaseConsumer<SourceContext>>,
    pub tracker: Arc<Tracker>,
    pub permits: Arc<Semaphore>,
    pub tx: mpsc::Sender<ConsumedMessage>,
    pub shutdown: Shutdown,
    pub commit_interval: Duration,
    /// Exactly-once: no consumer commits (offsets travel in transactions).
    pub exactly_once: bool,
    pub runtime: tokio::runtime::Handle,
}

impl PollLoop {
    /// Starts the poll thread. It ends when shutdown is triggered or the
    /// pipeline hangs up; dropping its sender tells the pipeline the input ended.
    pub fn spawn(self) -> JoinHandle<()> {
        std::thread::Builder::new()
            .name("kafka-poll".into())
            .spawn(move || self.run())
            .expect("spawn poll thread")
    }

    fn run(self) {
        let mut last_commit = Instant::now();
        while !self.shutdown.is_triggered() {
            if !self.exactly_once && last_commit.elapsed() >= self.commit_interval {
                let positions = self.tracker.take_commits(false);
                if let Err(e) = commit(&self.consumer, &positions, CommitMode::Async) {
                    tracing::warn!(error = %e, "periodic commit failed; will retry");
                }
                last_commit = Instant::now();
            }
            let permit = self.runtime.block_on(async {
                tokio::time::timeout(PERMIT_WAIT, self.permits.clone().acquire_owned()).await
            });
            let Ok(Ok(permit)) = permit else {
                // At capacity: serve callbacks without taking messages.
                continue;
            };
            let msg = match self.consumer.poll(POLL_TIMEOUT) {
                None => continue,
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "consumer error");
                    continue;
                }
                Some(Ok(m)) => m,
            };
            let tp = TopicPartition::new(msg.topic(), msg.partition());
            let Some(epoch) = self.tracker.begin(&tp, msg.offset()) else {
                tracing::warn!(topic = %tp.topic, partition = tp.partition, offset = msg.offset(), "message from a partition not owned; skipped");
                continue;
            };
            let headers = msg.headers().map(|h| h.detach());
            let work = ConsumedMessage {
                offset: msg.offset(),
                epoch,
                key: msg.key().map(<[u8]>::to_vec),
                payload: msg.payload().map(<[u8]>::to_vec).unwrap_or_default(),
                headers,
                permit,
                tp,
            };
            drop(msg);
            if self.tx.blocking_send(work).is_err() {
                break; // the pipeline stopped
            }
        }
    }
}
