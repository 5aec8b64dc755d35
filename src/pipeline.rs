//! Pipeline: source → decode → enrich → encode → sink, at least once.
//!
//! ```text
//!  poll thread ──ConsumedMessage──▶ ordered stage ──▶ worker pool (decode, enrich, encode)
//!   (source.rs)          (this module)         │  results back in input order
//!        ▲                     │ send in order ◀┘
//!        │                     ▼
//!  commit offsets ◀── tracker ◀── delivery acks (sink.rs)
//! ```
//!
//! - **Order**: results are re-sequenced into consumption order before they
//!   are sent, so every partition's outputs leave in input order.
//! - **Parallelism**: decoding, enrichment and serialisation run on a rayon
//!   pool of `pipeline.workers` threads, off the async reactor.
//! - **At least once**: a message's offset is marked done only after every
//!   record it caused (outputs or dead letter) is acknowledged; the poll thread
//!   commits only done offsets. A delivery failure is fatal: the service stops
//!   without committing past it, and the message is redone after restart.
//! - **Bounded**: at most `pipeline.max_in_flight` messages are anywhere
//!   between poll and acknowledgement.
//! - **Shutdown**: on the signal the poll thread stops fetching; in-flight
//!   messages drain, the producer flushes, offsets are committed synchronously,
//!   all within `shutdown.drain_timeout_ms`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use rdkafka::consumer::{CommitMode, Consumer};
use rdkafka::message::OwnedHeaders;
use rdkafka::producer::{DeliveryFuture, Producer};
use tokio::sync::{mpsc, Notify, Semaphore};
use tokio::task::JoinSet;

use crate::cluster;
use crate::config::{DeliveryMode, Framing, Settings};
use crate::offsets::{TopicPartition, Tracker};
use crate::shutdown::Shutdown;
use crate::sink::{self, Outgoing, Sink};
use crate::source::{self, ConsumedMessage, InFlight, PollLoop};
use crate::transaction::{Transactions, TxnError};
use newsflow_core::article::SourcePosition;
use newsflow_core::decode::{self, article_id};
use newsflow_core::encode::{self, Destination};
use newsflow_core::enrich::Enricher;
use newsflow_core::{DeadLetterReason, EnrichedArticle, RawArticle};

/// The least time the final producer flush gets, even when the drain used
/// up its deadline: enough for records already on the wire to be
/// acknowledged on a local network, short enough not to delay the exit.
const FLUSH_MIN: Duration = Duration::from_millis(100);

/// Exactly-once: how often the ordered stage checks whether the open
/// transaction has reached its commit interval while no message arrives.
const TXN_TICK: Duration = Duration::from_millis(50);

/// How long closing the consumer (leaving the group) may take at shutdown.
const CONSUMER_CLOSE_TIMEOUT: Duration = Duration::from_secs(3);

/// What the service does with each message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Decode, enrich, emit enriched and analytics events.
    Enrich,
    /// Forward raw messages to the enriched topic unchanged: the throughput
    /// baseline of the consume/produce path.
    Passthrough,
}

/// Counters, shared by all stages.
#[derive(Debug, Default)]
pub struct Stats {
    pub consumed: AtomicU64,
    pub enriched: AtomicU64,
    pub dead_lettered: AtomicU64,
    pub records_out: AtomicU64,
    pub bytes_in: AtomicU64,
    pub bytes_out: AtomicU64,
}

/// Final numbers of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub consumed: u64,
    pub enriched: u64,
    pub dead_lettered: u64,
    pub records_out: u64,
    /// False when the drain deadline passed with work unfinished.
    pub drained: bool,
}

impl Stats {
    pub(crate) fn summary(&self, drained: bool) -> Summary {
        Summary {
            consumed: self.consumed.load(Ordering::Relaxed),
            enriched: self.enriched.load(Ordering::Relaxed),
            dead_lettered: self.dead_lettered.load(Ordering::Relaxed),
            records_out: self.records_out.load(Ordering::Relaxed),
            drained,
        }
    }
}

/// A message after the CPU stage.
struct ProcessedMessage {
    tp: TopicPartition,
    offset: i64,
    epoch: u64,
    permit: Option<InFlight>,
    article_id: String,
    records: Vec<Outgoing>,
    dead_letter: Option<DeadLetterReason>,
    /// The input, kept to dead-letter it if an output turns out too large
    /// or is rejected by the broker.
    original: (Option<Vec<u8>>, Vec<u8>, Option<OwnedHeaders>),
    /// The topic of each record sent, in order (filled by the ordered stage).
    sent_to: Vec<String>,
    /// The input record's timestamp, for the end-to-end histogram.
    timestamp_ms: Option<i64>,
}

/// Exactly-once: inputs whose outputs the broker refused for good inside a
/// transaction that then aborted, by position, with the reason. The
/// pipeline restarts from the committed offsets after an abort; without this
/// the same input would be refused and the transaction aborted again on
/// every restart. Kept across restarts by [`crate::service::run`]; when an
/// entry's input comes round again it goes to the dead-letter topic (class
/// `rejected`), and the entry is dropped once the transaction holding that
/// dead letter commits. An entry must outlive an aborted redo: the refusals
/// of one abort name only the partitions whose batches had failed by then,
/// so the redo can abort again on another partition, and a redo that
/// forgot the first ones would refuse them again, without end.
#[derive(Debug, Default)]
pub struct Rejections {
    /// Whether `map` holds anything: the common case (no rejection, and
    /// always in at-least-once mode) costs one atomic load per message
    /// rather than a lock.
    any: std::sync::atomic::AtomicBool,
    map: std::sync::Mutex<std::collections::HashMap<(TopicPartition, i64), String>>,
}

impl Rejections {
    fn insert(&self, tp: TopicPartition, offset: i64, why: String) {
        let mut m = self.map.lock().unwrap();
        m.insert((tp, offset), why);
        self.any.store(true, Ordering::Release);
    }

    fn get(&self, tp: &TopicPartition, offset: i64) -> Option<String> {
        if !self.any.load(Ordering::Acquire) {
            return None;
        }
        self.map.lock().unwrap().get(&(tp.clone(), offset)).cloned()
    }

    /// Drops the entries of a committed transaction's inputs.
    fn forget(&self, committed: &[Deliveries]) {
        if !self.any.load(Ordering::Acquire) {
            return;
        }
        let mut m = self.map.lock().unwrap();
        for (tp, offset, _, _) in committed {
            m.remove(&(tp.clone(), *offset));
        }
        if m.is_empty() {
            self.any.store(false, Ordering::Release);
        }
    }
}

/// Records the processing time of one message when dropped (on every path
/// out of [`process_or_reject`]).
struct Timer(std::time::Instant);

impl Drop for Timer {
    fn drop(&mut self) {
        metrics::histogram!(crate::metrics::PROCESSING).record(self.0.elapsed().as_secs_f64());
    }
}

/// [`process_or_reject`] for an input with no remembered rejection.
#[cfg(test)]
fn process(
    work: ConsumedMessage,
    mode: Mode,
    enrich: &(dyn Fn(&RawArticle) -> EnrichedArticle + Sync),
    settings: &Settings,
) -> ProcessedMessage {
    process_or_reject(work, mode, enrich, settings, None)
}

/// Per-message work on a worker thread: decode, enrich, encode. A panic
/// anywhere in them is caught here: the message is dead-lettered with class
/// `panic` and the panic's text, and the worker thread goes on with the next
/// message, so one poisonous input cannot stop the partition (or crash every
/// replica that takes it over).
///
/// Every output record carries the input's position (`newsflow.source`:
/// topic/partition/offset, `newsflow.output`: index/count) and the input's
/// W3C trace context (`traceparent`, `tracestate`), so downstream can tell a
/// redo from new data and traces continue through the service.
///
/// An input whose outputs the broker refused for good in an aborted
/// transaction ([`Rejections`]) gets its dead letter instead.
fn process_or_reject(
    work: ConsumedMessage,
    mode: Mode,
    enrich: &(dyn Fn(&RawArticle) -> EnrichedArticle + Sync),
    settings: &Settings,
    rejected: Option<String>,
) -> ProcessedMessage {
    let ConsumedMessage {
        tp,
        offset,
        epoch,
        key,
        payload,
        headers,
        timestamp_ms,
        permit,
    } = work;
    let _timer = Timer(std::time::Instant::now());
    let outcome = match rejected {
        Some(why) => Err(DeadLetterReason::Rejected(why)),
        None => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            outputs(
                &tp,
                offset,
                key.as_deref(),
                &payload,
                mode,
                enrich,
                settings,
            )
        }))
        .unwrap_or_else(|panic| Err(DeadLetterReason::Panic(panic_text(panic.as_ref())))),
    };
    let (article_id, records, dead_letter) = match outcome {
        Ok((id, mut records)) => {
            let source = format!("{}/{}/{}", tp.topic, tp.partition, offset);
            sink::add_lineage(&mut records, &source, headers.as_ref());
            (id, records, None)
        }
        Err(reason) => {
            let r = sink::dead_letter(
                &settings.topics.dlq,
                (&tp.topic, tp.partition, offset),
                key.clone(),
                payload.clone(),
                headers.as_ref(),
                &reason,
            );
            (
                article_id(None, key.as_deref(), &payload),
                vec![r],
                Some(reason),
            )
        }
    };
    ProcessedMessage {
        tp,
        offset,
        epoch,
        permit: Some(permit),
        article_id,
        records,
        dead_letter,
        original: (key, payload, headers),
        sent_to: Vec::new(),
        timestamp_ms,
    }
}

/// The records one input causes, or why it goes to the dead-letter topic.
fn outputs(
    tp: &TopicPartition,
    offset: i64,
    key: Option<&[u8]>,
    payload: &[u8],
    mode: Mode,
    enrich: &(dyn Fn(&RawArticle) -> EnrichedArticle + Sync),
    settings: &Settings,
) -> Result<(String, Vec<Outgoing>), DeadLetterReason> {
    let topics = &settings.topics;
    if mode == Mode::Passthrough {
        let r = Outgoing {
            topic: topics.enriched.clone(),
            key: key.map(<[u8]>::to_vec),
            payload: payload.to_vec(),
            headers: None,
        };
        return Ok((article_id(None, key, payload), vec![r]));
    }
    let article = decode::decode(payload, key, settings.limits.max_message_bytes)?;
    let enriched = enrich(&article);
    let source = SourcePosition {
        topic: tp.topic.clone(),
        partition: tp.partition,
        offset,
    };
    let mut records: Vec<Outgoing> = Vec::new();
    let ndjson = settings.output.analytics_framing == Framing::Ndjson;
    for r in encode::encode(enriched, Some(source), &chrono::Utc::now()) {
        let topic = match r.destination {
            Destination::Enriched => &topics.enriched,
            Destination::Entities => &topics.entities,
            Destination::Topics => &topics.topics,
        };
        if topic.is_empty() {
            continue; // that analytics output is off
        }
        let analytics = r.destination != Destination::Enriched;
        match records.last_mut() {
            // ndjson: the rows of one article for one topic in one record.
            Some(last) if ndjson && analytics && last.topic == *topic => {
                last.payload.push(b'\n');
                last.payload.extend_from_slice(&r.payload);
            }
            _ => records.push(Outgoing {
                topic: topic.clone(),
                key: Some(r.key.into_bytes()),
                payload: r.payload,
                headers: None,
            }),
        }
    }
    Ok((article.id, records))
}

/// The text of a caught panic (also used for the poll thread's).
pub(crate) fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// Runs the service until `shutdown` is triggered (or a fatal error), then
/// drains, flushes and commits. Returns the run's numbers.
///
/// Called by [`crate::service::run`], which owns `stats` and `tracker` so
/// that the throughput report beside the pipeline reads the same numbers.
pub async fn run(
    settings: Arc<Settings>,
    enricher: Arc<Enricher>,
    mode: Mode,
    shutdown: Shutdown,
    stats: Arc<Stats>,
    tracker: Arc<Tracker>,
    rejections: Arc<Rejections>,
) -> anyhow::Result<Summary> {
    // The pipeline's own stop: triggered by `shutdown`, or by the pipeline
    // itself on a fatal error or an aborted transaction (the caller then
    // decides whether to start again).
    let stop = shutdown.child();
    let exactly_once = settings.delivery.mode == DeliveryMode::ExactlyOnce;
    let sink = Sink::new(&settings)?;
    sink.stop_on_fatal(stop.clone());
    let commit_now = Arc::new(Notify::new());
    let consumer = source::create_consumer(&settings, tracker.clone(), commit_now.clone())?;
    {
        let (settings, consumer, sink) = (settings.clone(), consumer.clone(), sink.clone());
        tokio::task::spawn_blocking(move || {
            let topics = cluster::topics(&settings);
            cluster::check(
                consumer.client(),
                &consumer.context().errors,
                "consumer",
                &settings,
                &topics,
            )?;
            cluster::check(
                sink.producer().client(),
                sink.errors(),
                "producer",
                &settings,
                &topics,
            )
        })
        .await??;
    }
    let transactions = if exactly_once {
        let (producer, consumer, tracker) =
            (sink.producer().clone(), consumer.clone(), tracker.clone());
        let timeout = settings.transaction_timeout();
        let txns = tokio::task::spawn_blocking(move || {
            Transactions::init(producer, consumer, tracker, timeout)
        })
        .await?
        .map_err(|e| anyhow::anyhow!("exactly-once: init_transactions failed: {e}"))?;
        tracing::info!(transactional_id = %settings.delivery.transactional_id(), "exactly-once: transactions initialised; earlier incarnations with this id are fenced");
        Some(txns)
    } else {
        None
    };
    let permits = Arc::new(Semaphore::new(settings.pipeline.max_in_flight));
    let byte_permits = Arc::new(Semaphore::new(settings.pipeline.max_in_flight_bytes));
    let (tx, rx) = mpsc::channel::<ConsumedMessage>(settings.pipeline.max_in_flight);
    let counters = Arc::new(crate::metrics::Counters::new(&settings.topics));
    let poll = PollLoop {
        consumer: consumer.clone(),
        consumed: counters.consumed.clone(),
        tracker: tracker.clone(),
        permits,
        byte_permits,
        max_in_flight_bytes: settings.pipeline.max_in_flight_bytes,
        tx,
        shutdown: stop.clone(),
        commit_interval: Duration::from_millis(settings.pipeline.commit_interval_ms),
        exactly_once,
        runtime: tokio::runtime::Handle::current(),
    }
    .spawn();
    let pool = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(settings.workers())
            .thread_name(|i| format!("enrich-{i}"))
            .build()?,
    );
    tracing::info!(
        mode = ?mode,
        input = %settings.topics.input,
        group = %settings.kafka.group_id,
        workers = settings.workers(),
        max_in_flight = settings.pipeline.max_in_flight,
        delivery = ?settings.delivery.mode,
        "pipeline started"
    );
    let ordered = Ordered {
        settings: settings.clone(),
        counters: counters.clone(),
        sink: sink.clone(),
        tracker: tracker.clone(),
        stats: stats.clone(),
        stop: stop.clone(),
    };
    let dedup = Arc::new(crate::dedup::Dedup::new(&settings.dedup));
    let results = results(
        rx,
        mode,
        enricher,
        dedup,
        settings.clone(),
        stats.clone(),
        pool,
        rejections.clone(),
    );
    let stages = match transactions {
        None => tokio::spawn(ordered.at_least_once(results)),
        Some(txns) => tokio::spawn(ordered.exactly_once(results, txns, commit_now, rejections)),
    };
    let stages_abort = stages.abort_handle();

    // Wait for shutdown, then give the drain its deadline.
    let drain = Duration::from_millis(settings.shutdown.drain_timeout_ms);
    stop.wait().await;
    let started_waiting = Instant::now();
    let outcome = tokio::time::timeout(drain, stages).await;
    let (drained, fatal) = match outcome {
        Ok(Ok(Ok(()))) => (true, None),
        Ok(Ok(Err(e))) => (false, Some(e)),
        Ok(Err(join)) => (false, Some(anyhow::anyhow!("pipeline task failed: {join}"))),
        Err(_) => {
            stages_abort.abort();
            tracing::warn!(
                in_flight = tracker.in_flight(),
                "drain deadline passed; unfinished messages stay uncommitted and will be redone"
            );
            (false, None)
        }
    };
    let left = drain
        .saturating_sub(started_waiting.elapsed())
        .max(FLUSH_MIN);
    if let Err(e) = sink.flush(left) {
        tracing::warn!(error = %e, "producer flush incomplete");
    }
    let _ = poll.join();
    // The final revocation (unsubscribe) must not wait a second deadline.
    consumer.context().set_stopping();
    let fatal = match (fatal, consumer.context().fatal(), sink.fatal()) {
        // A fatal producer error explains every delivery failure after it.
        (_, _, Some(why)) => {
            tracing::error!(error = %why, "fatal producer error: the idempotent producer cannot go on without risking duplicates or reordering; stopping (a restart gets a new producer)");
            Some(anyhow::anyhow!("fatal producer error: {why}"))
        }
        (None, Some(why), None) => Some(anyhow::anyhow!(why)),
        (f, _, None) => f,
    };
    // Exactly-once: the ordered stage committed the last transaction with
    // its offsets; there is nothing for the consumer to commit.
    let positions = if exactly_once {
        Vec::new()
    } else {
        tracker.take_commits(true)
    };
    match source::commit(&consumer, &positions, CommitMode::Sync) {
        Ok(()) => {
            for (tp, pos) in &positions {
                tracing::info!(topic = %tp.topic, partition = tp.partition, offset = pos, "final commit");
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "final commit failed; uncommitted messages will be redone")
        }
    }
    close_consumer(consumer);
    let summary = stats.summary(drained);
    tracing::info!(
        consumed = summary.consumed,
        enriched = summary.enriched,
        dead_lettered = summary.dead_lettered,
        records_out = summary.records_out,
        drained = summary.drained,
        "pipeline stopped"
    );
    match fatal {
        Some(e) => Err(e),
        None => Ok(summary),
    }
}

/// Leaves the group and closes the consumer, waiting at most
/// [`CONSUMER_CLOSE_TIMEOUT`]: librdkafka's close waits for a rebalance in
/// progress, which a slow or faulty coordinator can drag out, and shutdown
/// must stay within its deadline. A close that takes longer goes on in the
/// background until the process exits (the group then drops the member when
/// its session times out).
fn close_consumer(consumer: Arc<rdkafka::consumer::BaseConsumer<source::SourceContext>>) {
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("kafka-close".into())
        .spawn(move || {
            consumer.unsubscribe();
            drop(consumer);
            let _ = done_tx.send(());
        });
    if spawned.is_ok() && done_rx.recv_timeout(CONSUMER_CLOSE_TIMEOUT).is_err() {
        tracing::warn!(
            timeout_ms = CONSUMER_CLOSE_TIMEOUT.as_millis() as u64,
            "the consumer did not close in time; leaving the group is left to its session timeout"
        );
    }
}

/// The CPU stage: each consumed message goes to the pool (decode, enrich,
/// encode); the results come back in consumption order.
#[allow(clippy::too_many_arguments)]
fn results(
    rx: mpsc::Receiver<ConsumedMessage>,
    mode: Mode,
    enricher: Arc<Enricher>,
    dedup: Arc<crate::dedup::Dedup>,
    settings: Arc<Settings>,
    stats: Arc<Stats>,
    pool: Arc<rayon::ThreadPool>,
    rejections: Arc<Rejections>,
) -> impl futures::Stream<Item = anyhow::Result<ProcessedMessage>> {
    let max = settings.pipeline.max_in_flight;
    tokio_stream_from(rx)
        .map(move |work: ConsumedMessage| {
            stats.consumed.fetch_add(1, Ordering::Relaxed);
            stats
                .bytes_in
                .fetch_add(work.payload.len() as u64, Ordering::Relaxed);
            let (otx, orx) = tokio::sync::oneshot::channel();
            let (enricher, settings, dedup) = (enricher.clone(), settings.clone(), dedup.clone());
            let rejected = rejections.get(&work.tp, work.offset);
            pool.spawn(move || {
                // The pure core, then the stateful near-duplicate stage.
                let enrich = |a: &RawArticle| {
                    let mut e = enricher.enrich(a);
                    dedup.mark(&mut e);
                    e
                };
                let _ = otx.send(process_or_reject(work, mode, &enrich, &settings, rejected));
            });
            orx
        })
        .buffered(max)
        .map(|r| r.map_err(|_| anyhow::anyhow!("worker dropped a message")))
}

/// The ordered stage: sends each message's records in input order and
/// decides when the message is complete.
struct Ordered {
    settings: Arc<Settings>,
    counters: Arc<crate::metrics::Counters>,
    sink: Sink,
    tracker: Arc<Tracker>,
    stats: Arc<Stats>,
    stop: Shutdown,
}

impl Ordered {
    /// At least once: a message is complete when every record it caused is
    /// acknowledged.
    async fn at_least_once(
        self,
        results: impl futures::Stream<Item = anyhow::Result<ProcessedMessage>>,
    ) -> anyhow::Result<()> {
        let mut results = std::pin::pin!(results);
        let mut acks: JoinSet<anyhow::Result<()>> = JoinSet::new();
        let mut outcome = Ok(());
        loop {
            // A failed delivery must stop the service even while no input
            // arrives, so acknowledgements are awaited beside the results.
            let done = tokio::select! {
                next = results.next() => match next {
                    Some(done) => done,
                    None => break,
                },
                Some(r) = acks.join_next(), if !acks.is_empty() => {
                    if let Err(e) = r.map_err(anyhow::Error::from).and_then(|x| x) {
                        outcome = Err(e);
                        break;
                    }
                    continue;
                }
            };
            let sent = match done {
                Ok(mut p) => self.send(&mut p).await.map(|f| (p, f)),
                Err(e) => Err(e),
            };
            match sent {
                Ok((mut p, futures)) => self.track_acks(&mut p, futures, &mut acks),
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            }
            while let Some(r) = acks.try_join_next() {
                if let Err(e) = r.map_err(anyhow::Error::from).and_then(|x| x) {
                    outcome = Err(e);
                    break;
                }
            }
            if outcome.is_err() {
                break;
            }
        }
        if outcome.is_err() {
            self.stop.trigger();
        }
        while let Some(r) = acks.join_next().await {
            if let Err(e) = r.map_err(anyhow::Error::from).and_then(|x| x) {
                self.stop.trigger();
                if outcome.is_ok() {
                    outcome = Err(e);
                }
            }
        }
        outcome
    }

    /// Exactly once: a message is complete when the transaction holding its
    /// records and its offset commits.
    async fn exactly_once(
        self,
        results: impl futures::Stream<Item = anyhow::Result<ProcessedMessage>>,
        mut txns: Transactions,
        commit_now: Arc<Notify>,
        rejections: Arc<Rejections>,
    ) -> anyhow::Result<()> {
        let interval = Duration::from_millis(self.settings.pipeline.commit_interval_ms);
        let max_pending = (self.settings.pipeline.max_in_flight / 2).max(1);
        let mut tick = tokio::time::interval(interval.min(TXN_TICK));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut results = std::pin::pin!(results);
        // The open transaction's delivery reports, per message: the commit
        // waits for every record and fails if any failed; after an abort
        // they tell which inputs the broker refused for good.
        let mut deliveries: Vec<Deliveries> = Vec::new();
        let outcome: anyhow::Result<()> = async {
            loop {
                tokio::select! {
                    next = results.next() => {
                        let Some(done) = next else { break };
                        let mut p = done?;
                        txns.ensure_open()?;
                        let futures = self.send(&mut p).await?;
                        deliveries.push((p.tp.clone(), p.offset, futures, std::mem::take(&mut p.sent_to)));
                        txns.add(p.tp.clone(), p.epoch, p.offset, p.timestamp_ms, p.permit.take());
                        if txns.len() >= max_pending {
                            commit(&mut txns, &mut deliveries, &rejections)?;
                        }
                    }
                    _ = tick.tick() => {
                        if txns.age().is_some_and(|a| a >= interval) {
                            commit(&mut txns, &mut deliveries, &rejections)?;
                        }
                    }
                    _ = commit_now.notified() => commit(&mut txns, &mut deliveries, &rejections)?,
                }
            }
            commit(&mut txns, &mut deliveries, &rejections)?;
            Ok(())
        }
        .await;
        if let Err(e) = &outcome {
            txns.abort();
            remember_rejections(deliveries, &rejections);
            // Nothing of the aborted transaction counts: its messages are
            // redone from the committed offsets.
            self.tracker.revoke(&self.tracker.owned());
            tracing::error!(error = %e, "exactly-once: transaction aborted");
            self.stop.trigger();
        }
        outcome
    }

    /// Enqueues one message's records in order; returns their delivery
    /// futures. An enriched event over `message.max.bytes` is replaced by a
    /// dead letter of the input.
    async fn send(&self, p: &mut ProcessedMessage) -> anyhow::Result<Vec<DeliveryFuture>> {
        let (sink, settings, stats) = (&self.sink, &self.settings, &self.stats);
        let mut futures = Vec::with_capacity(p.records.len());
        let mut records = std::mem::take(&mut p.records);
        let mut i = 0;
        while i < records.len() {
            match sink.send(&records[i]).await {
                Ok(f) => futures.push(f),
                // Refused before it left: an enriched event over
                // `message.max.bytes`, or a topic the producer already knows
                // it cannot write. The input is dead-lettered in place of
                // this record and the ones after it.
                Err(e) if p.dead_letter.is_none() && sink::is_permanent(&e) => {
                    let reason = if i == 0 && sink::is_too_large(&e) {
                        DeadLetterReason::OutputTooLarge(e.to_string())
                    } else {
                        DeadLetterReason::Rejected(format!("{}: {e}", records[i].topic))
                    };
                    let (key, payload, headers) = &p.original;
                    records.truncate(i);
                    records.push(sink::dead_letter(
                        &settings.topics.dlq,
                        (&p.tp.topic, p.tp.partition, p.offset),
                        key.clone(),
                        payload.clone(),
                        headers.as_ref(),
                        &reason,
                    ));
                    p.dead_letter = Some(reason);
                    continue;
                }
                Err(e) => {
                    anyhow::bail!(
                        "cannot enqueue output of {}[{}]@{} (article {}): {e}",
                        p.tp.topic,
                        p.tp.partition,
                        p.offset,
                        p.article_id
                    )
                }
            }
            i += 1;
        }
        for r in &records {
            self.counters.count_produced(&r.topic);
        }
        match &p.dead_letter {
            Some(reason) => {
                stats.dead_lettered.fetch_add(1, Ordering::Relaxed);
                metrics::counter!(crate::metrics::DEAD_LETTERS, "class" => reason.class())
                    .increment(1);
                tracing::warn!(
                    topic = %p.tp.topic, partition = p.tp.partition, offset = p.offset, article_id = %p.article_id,
                    error.class = reason.class(), error.message = %reason, dlq = %settings.topics.dlq,
                    "message sent to dead-letter topic"
                );
            }
            None => {
                stats.enriched.fetch_add(1, Ordering::Relaxed);
                self.counters.enriched.increment(1);
            }
        }
        stats
            .records_out
            .fetch_add(records.len() as u64, Ordering::Relaxed);
        stats.bytes_out.fetch_add(
            records.iter().map(|r| r.payload.len() as u64).sum(),
            Ordering::Relaxed,
        );
        // The records are copied into librdkafka's queue; only their topics
        // are kept, to name the one a failed delivery was for.
        p.sent_to = records.into_iter().map(|r| r.topic).collect();
        Ok(futures)
    }

    /// At least once: spawns the wait for a message's acknowledgements, after
    /// which its offset is done and its permit returned. A record the broker
    /// refused for good ([`sink::is_permanent`]) dead-letters the input
    /// instead (class `rejected`), so the partition moves on rather than
    /// redoing the same offset after every restart; any other delivery
    /// failure stops the service without committing the message.
    fn track_acks(
        &self,
        p: &mut ProcessedMessage,
        futures: Vec<DeliveryFuture>,
        acks: &mut JoinSet<anyhow::Result<()>>,
    ) {
        let (tp, offset, epoch, id) = (p.tp.clone(), p.offset, p.epoch, p.article_id.clone());
        let permit = p.permit.take();
        let tracker = self.tracker.clone();
        let sent_to = std::mem::take(&mut p.sent_to);
        let original = std::mem::take(&mut p.original);
        let dead_letter = p.dead_letter.clone();
        let timestamp_ms = p.timestamp_ms;
        let (sink, settings, stats) =
            (self.sink.clone(), self.settings.clone(), self.stats.clone());
        acks.spawn(async move {
            let mut rejected = None;
            for (f, topic) in futures.into_iter().zip(&sent_to) {
                match f.await {
                    Ok(Ok(_)) => {}
                    Ok(Err((e, _))) if sink::is_permanent(&e) && dead_letter.is_none() => {
                        rejected.get_or_insert(DeadLetterReason::Rejected(format!("{topic}: {e}")));
                    }
                    // A dead letter the dead-letter topic refuses as too
                    // large goes again, truncated.
                    Ok(Err((e, _))) if sink::is_too_large(&e) && dead_letter.is_some() => {
                        rejected = dead_letter.clone();
                    }
                    Ok(Err((e, _))) => {
                        tracing::error!(topic = %tp.topic, partition = tp.partition, offset, article_id = %id, output = %topic, error = %e, "delivery failed; stopping without committing this message");
                        anyhow::bail!("delivery of output for {}[{}]@{offset} to {topic} failed: {e}", tp.topic, tp.partition);
                    }
                    Err(_) => anyhow::bail!("producer dropped a delivery for {}[{}]@{offset}", tp.topic, tp.partition),
                }
            }
            if let Some(reason) = rejected {
                let (key, payload, headers) = original;
                let dl = sink::dead_letter(
                    &settings.topics.dlq,
                    (&tp.topic, tp.partition, offset),
                    key,
                    payload,
                    headers.as_ref(),
                    &reason,
                );
                tracing::warn!(
                    topic = %tp.topic, partition = tp.partition, offset, article_id = %id,
                    error.class = reason.class(), error.message = %reason, dlq = %settings.topics.dlq,
                    "an output was rejected by the broker; the input goes to the dead-letter topic"
                );
                deliver_dead_letter(&sink, &dl).await.map_err(|e| {
                    anyhow::anyhow!("dead letter of {}[{}]@{offset} (rejected output) failed: {e}", tp.topic, tp.partition)
                })?;
                if dead_letter.is_none() {
                    stats.dead_lettered.fetch_add(1, Ordering::Relaxed);
                    metrics::counter!(crate::metrics::DEAD_LETTERS, "class" => reason.class()).increment(1);
                }
                metrics::counter!(crate::metrics::PRODUCED, "topic" => settings.topics.dlq.clone()).increment(1);
            }
            tracker.complete(&tp, epoch, offset);
            crate::metrics::end_to_end(timestamp_ms);
            drop(permit);
            Ok(())
        });
    }
}

/// Sends a dead letter and waits for its acknowledgement; if the
/// dead-letter topic refuses it as too large, sends it again truncated
/// ([`sink::truncated`]).
async fn deliver_dead_letter(sink: &Sink, record: &Outgoing) -> anyhow::Result<()> {
    let once = |r: Outgoing| async move {
        let f = sink.send(&r).await?;
        match f.await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err((e, _))) => Err(e),
            Err(_) => Err(rdkafka::error::KafkaError::Canceled),
        }
    };
    match once(record.clone()).await {
        Err(e) if sink::is_too_large(&e) => {
            tracing::warn!(
                bytes = record.payload.len(),
                keep = sink::TRUNCATED_DEAD_LETTER,
                "the dead-letter topic refused the input as too large; sending it truncated"
            );
            Ok(once(sink::truncated(record)).await?)
        }
        r => Ok(r?),
    }
}

/// One message's records in the open transaction: its position, the
/// delivery futures and the topic of each record.
type Deliveries = (TopicPartition, i64, Vec<DeliveryFuture>, Vec<String>);

/// Commits the open transaction off the async reactor's own work (the call
/// blocks until the brokers answer); its delivery reports, and the
/// remembered rejections of its inputs, are no longer needed once it
/// committed.
fn commit(
    txns: &mut Transactions,
    deliveries: &mut Vec<Deliveries>,
    rejections: &Rejections,
) -> Result<(), TxnError> {
    tokio::task::block_in_place(|| txns.commit())?;
    rejections.forget(deliveries);
    deliveries.clear();
    Ok(())
}

/// After an abort: the inputs of the aborted transaction with a record the
/// broker refused for good ([`sink::is_permanent`]) are remembered, so that
/// their redo dead-letters them instead of aborting again.
fn remember_rejections(deliveries: Vec<Deliveries>, rejections: &Rejections) {
    use futures::FutureExt;
    for (tp, offset, futures, topics) in deliveries {
        let refused =
            futures
                .into_iter()
                .zip(topics)
                .find_map(|(f, topic)| match f.now_or_never() {
                    Some(Ok(Err((e, _)))) if sink::is_permanent(&e) => {
                        Some(format!("{topic}: {e}"))
                    }
                    _ => None,
                });
        if let Some(why) = refused {
            tracing::warn!(topic = %tp.topic, partition = tp.partition, offset, error = %why, "exactly-once: an output was rejected by the broker; the input goes to the dead-letter topic when it is redone");
            rejections.insert(tp, offset, why);
        }
    }
}

fn tokio_stream_from<T: Send + 'static>(
    mut rx: mpsc::Receiver<T>,
) -> impl futures::Stream<Item = T> {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::message::{Header, Headers};

    fn message(offset: i64, payload: &[u8], headers: Option<OwnedHeaders>) -> ConsumedMessage {
        let permits = Arc::new(Semaphore::new(1));
        let bytes = Arc::new(Semaphore::new(1));
        ConsumedMessage {
            tp: TopicPartition::new("news.raw", 3),
            offset,
            epoch: 1,
            key: Some(b"k1".to_vec()),
            payload: payload.to_vec(),
            headers,
            timestamp_ms: None,
            permit: InFlight::new(
                permits.try_acquire_owned().unwrap(),
                bytes.try_acquire_owned().unwrap(),
            ),
        }
    }

    /// A remembered rejection answers every redo until the transaction
    /// holding its input commits: an aborted redo must not forget it.
    #[test]
    fn rejections_outlive_an_aborted_redo_and_go_with_the_commit() {
        let r = Rejections::default();
        let (p0, p1) = (TopicPartition::new("in", 0), TopicPartition::new("in", 1));
        assert_eq!(r.get(&p0, 5), None);
        r.insert(p0.clone(), 5, "out: too large".into());
        assert_eq!(r.get(&p0, 5).as_deref(), Some("out: too large"));
        assert_eq!(r.get(&p0, 5).as_deref(), Some("out: too large"));
        assert_eq!(r.get(&p1, 5), None);
        r.insert(p1.clone(), 7, "out: policy".into());
        r.forget(&[(p1.clone(), 7, Vec::new(), Vec::new())]);
        assert_eq!(r.get(&p1, 7), None);
        assert!(
            r.get(&p0, 5).is_some(),
            "only the committed input is forgotten"
        );
        r.forget(&[(p0.clone(), 5, Vec::new(), Vec::new())]);
        assert_eq!(r.get(&p0, 5), None);
        assert!(!r.any.load(Ordering::Acquire));
    }

    fn header(r: &Outgoing, key: &str) -> Option<String> {
        r.headers.as_ref().and_then(|h| {
            h.iter()
                .find(|x| x.key == key)
                .and_then(|x| x.value)
                .map(|v| String::from_utf8_lossy(v).into_owned())
        })
    }

    fn settings() -> Settings {
        Settings::load_with_env(None, std::iter::empty()).unwrap()
    }

    const ARTICLE: &[u8] = br#"{"id":"a1","body":"Russian President Vladimir Putin met Turkish President Tayyip Erdogan in Tehran on Tuesday to discuss grain exports."}"#;

    #[test]
    fn a_panic_in_enrichment_is_a_dead_letter_and_the_worker_goes_on() {
        let s = settings();
        let boom = |_: &RawArticle| -> EnrichedArticle { panic!("boom at token 7") };
        let p = process(message(7, ARTICLE, None), Mode::Enrich, &boom, &s);
        let reason = p.dead_letter.as_ref().expect("dead-lettered");
        assert_eq!(reason.class(), "panic");
        assert_eq!(p.records.len(), 1);
        let r = &p.records[0];
        assert_eq!(r.topic, s.topics.dlq);
        assert_eq!(r.payload, ARTICLE, "the original bytes");
        assert_eq!(header(r, "error.class").as_deref(), Some("panic"));
        assert!(header(r, "error.message")
            .unwrap()
            .contains("boom at token 7"));
        assert_eq!(
            header(r, "newsflow.source").as_deref(),
            Some("news.raw/3/7")
        );
        // The same thread enriches the next message normally.
        let enricher = Enricher::embedded().unwrap();
        let fine = |a: &RawArticle| enricher.enrich(a);
        let p = process(message(8, ARTICLE, None), Mode::Enrich, &fine, &s);
        assert!(p.dead_letter.is_none());
        assert!(p.records.len() > 2);
    }

    #[test]
    fn every_record_carries_its_source_position_and_the_trace_context() {
        let s = settings();
        let enricher = Enricher::embedded().unwrap();
        let enrich = |a: &RawArticle| enricher.enrich(a);
        let trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let headers = OwnedHeaders::new()
            .insert(Header {
                key: "traceparent",
                value: Some(trace),
            })
            .insert(Header {
                key: "unrelated",
                value: Some("x"),
            });
        let p = process(
            message(42, ARTICLE, Some(headers)),
            Mode::Enrich,
            &enrich,
            &s,
        );
        let n = p.records.len();
        assert!(n > 2, "an event plus analytics rows");
        for (i, r) in p.records.iter().enumerate() {
            assert_eq!(
                header(r, "newsflow.source").as_deref(),
                Some("news.raw/3/42")
            );
            assert_eq!(header(r, "newsflow.output"), Some(format!("{i}/{n}")));
            assert_eq!(header(r, "traceparent").as_deref(), Some(trace));
            assert_eq!(
                header(r, "unrelated"),
                None,
                "only the trace context is copied"
            );
        }
        // A dead letter keeps every original header.
        let headers = OwnedHeaders::new().insert(Header {
            key: "traceparent",
            value: Some(trace),
        });
        let p = process(
            message(43, b"{\"body\": ", Some(headers)),
            Mode::Enrich,
            &enrich,
            &s,
        );
        assert_eq!(header(&p.records[0], "traceparent").as_deref(), Some(trace));
        assert_eq!(
            header(&p.records[0], "error.class").as_deref(),
            Some("malformed_json")
        );
    }

    #[test]
    fn a_redo_produces_the_same_records_apart_from_processed_at() {
        let s = settings();
        let enricher = Enricher::embedded().unwrap();
        let enrich = |a: &RawArticle| enricher.enrich(a);
        let strip = |r: &Outgoing| {
            let mut v: serde_json::Value = serde_json::from_slice(&r.payload).unwrap();
            v.as_object_mut().unwrap().remove("processed_at");
            (
                r.topic.clone(),
                r.key.clone(),
                v,
                header(r, "newsflow.source"),
                header(r, "newsflow.output"),
            )
        };
        let a = process(message(5, ARTICLE, None), Mode::Enrich, &enrich, &s);
        let b = process(message(5, ARTICLE, None), Mode::Enrich, &enrich, &s);
        let a: Vec<_> = a.records.iter().map(strip).collect();
        let b: Vec<_> = b.records.iter().map(strip).collect();
        assert_eq!(a, b);
    }
}
