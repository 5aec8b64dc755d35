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
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;

use crate::config::Settings;
use crate::offsets::{TopicPartition, Tracker};
use crate::shutdown::Shutdown;
use crate::sink::{self, Outgoing, Sink};
use crate::source::{self, ConsumedMessage, PollLoop};
use newsflow_core::article::SourcePosition;
use newsflow_core::decode::{self, article_id};
use newsflow_core::encode::{self, Destination};
use newsflow_core::enrich::Enricher;
use newsflow_core::DeadLetterReason;

/// The least time the final producer flush gets, even when the drain used
/// up its deadline: enough for records already on the wire to be
/// acknowledged on a local network, short enough not to delay the exit.
const FLUSH_MIN: Duration = Duration::from_millis(100);

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
    fn summary(&self, drained: bool) -> Summary {
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
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
    article_id: String,
    records: Vec<Outgoing>,
    dead_letter: Option<DeadLetterReason>,
    /// The input, kept to dead-letter it if an output turns out too large.
    original: (Option<Vec<u8>>, Vec<u8>, Option<OwnedHeaders>),
}

/// Per-message work on a worker thread: decode, enrich, encode.
fn process(
    work: ConsumedMessage,
    mode: Mode,
    enricher: &Enricher,
    settings: &Settings,
) -> ProcessedMessage {
    let ConsumedMessage {
        tp,
        offset,
        epoch,
        key,
        payload,
        headers,
        permit,
    } = work;
    let topics = &settings.topics;
    let mut dead_letter = None;
    let (article_id, records) = match mode {
        Mode::Passthrough => {
            let id = article_id(None, key.as_deref(), &payload);
            let r = Outgoing {
                topic: topics.enriched.clone(),
                key: key.clone(),
                payload: payload.clone(),
                headers: None,
            };
            (id, vec![r])
        }
        Mode::Enrich => {
            match decode::decode(&payload, key.as_deref(), settings.limits.max_message_bytes) {
                Ok(article) => {
                    let enriched = enricher.enrich(&article);
                    let source = SourcePosition {
                        topic: tp.topic.clone(),
                        partition: tp.partition,
                        offset,
                    };
                    let records = encode::encode(enriched, Some(source), &chrono::Utc::now())
                        .into_iter()
                        .map(|r| Outgoing {
                            topic: match r.destination {
                                Destination::Enriched => topics.enriched.clone(),
                                Destination::Entities => topics.entities.clone(),
                                Destination::Topics => topics.topics.clone(),
                            },
                            key: Some(r.key.into_bytes()),
                            payload: r.payload,
                            headers: None,
                        })
                        .collect();
                    (article.id, records)
                }
                Err(e) => {
                    let id = article_id(None, key.as_deref(), &payload);
                    let reason = DeadLetterReason::Decode(e);
                    let r = sink::dead_letter(
                        &topics.dlq,
                        (&tp.topic, tp.partition, offset),
                        key.clone(),
                        payload.clone(),
                        headers.as_ref(),
                        &reason,
                    );
                    dead_letter = Some(reason);
                    (id, vec![r])
                }
            }
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
    }
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
) -> anyhow::Result<Summary> {
    let sink = Sink::new(&settings)?;
    let consumer = source::create_consumer(&settings, tracker.clone())?;
    let permits = Arc::new(Semaphore::new(settings.pipeline.max_in_flight));
    let (tx, rx) = mpsc::channel::<ConsumedMessage>(settings.pipeline.max_in_flight);
    let poll = PollLoop {
        consumer: consumer.clone(),
        tracker: tracker.clone(),
        permits,
        tx,
        shutdown: shutdown.clone(),
        commit_interval: Duration::from_millis(settings.pipeline.commit_interval_ms),
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
        "pipeline started"
    );
    let stages = tokio::spawn(stages(
        rx,
        mode,
        enricher,
        settings.clone(),
        sink.clone(),
        tracker.clone(),
        stats.clone(),
        pool,
        shutdown.clone(),
    ));
    let stages_abort = stages.abort_handle();

    // Wait for shutdown, then give the drain its deadline.
    let drain = Duration::from_millis(settings.shutdown.drain_timeout_ms);
    shutdown.wait().await;
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
    let positions = tracker.take_commits(true);
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
    consumer.unsubscribe();
    drop(consumer);
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

/// The ordered stage: hands work to the pool, re-sequences results, sends
/// them in order and tracks their acknowledgements.
#[allow(clippy::too_many_arguments)]
async fn stages(
    rx: mpsc::Receiver<ConsumedMessage>,
    mode: Mode,
    enricher: Arc<Enricher>,
    settings: Arc<Settings>,
    sink: Sink,
    tracker: Arc<Tracker>,
    stats: Arc<Stats>,
    pool: Arc<rayon::ThreadPool>,
    shutdown: Shutdown,
) -> anyhow::Result<()> {
    let max = settings.pipeline.max_in_flight;
    let mut results = tokio_stream_from(rx)
        .map(|work: ConsumedMessage| {
            stats.consumed.fetch_add(1, Ordering::Relaxed);
            stats
                .bytes_in
                .fetch_add(work.payload.len() as u64, Ordering::Relaxed);
            let (otx, orx) = tokio::sync::oneshot::channel();
            let (enricher, settings) = (enricher.clone(), settings.clone());
            pool.spawn(move || {
                let _ = otx.send(process(work, mode, &enricher, &settings));
            });
            orx
        })
        .buffered(max);
    let mut acks: JoinSet<anyhow::Result<()>> = JoinSet::new();
    let mut outcome = Ok(());
    while let Some(done) = results.next().await {
        let mut p = done.map_err(|_| anyhow::anyhow!("worker dropped a message"))?;
        if let Err(e) = send_and_track(&mut p, &sink, &settings, &tracker, &stats, &mut acks).await
        {
            outcome = Err(e);
            break;
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
        shutdown.trigger();
    }
    while let Some(r) = acks.join_next().await {
        if let Err(e) = r.map_err(anyhow::Error::from).and_then(|x| x) {
            shutdown.trigger();
            if outcome.is_ok() {
                outcome = Err(e);
            }
        }
    }
    outcome
}

fn tokio_stream_from<T: Send + 'static>(
    mut rx: mpsc::Receiver<T>,
) -> impl futures::Stream<Item = T> {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

/// Sends one message's records in order and spawns the wait for their acks.
async fn send_and_track(
    p: &mut ProcessedMessage,
    sink: &Sink,
    settings: &Settings,
    tracker: &Arc<Tracker>,
    stats: &Arc<Stats>,
    acks: &mut JoinSet<anyhow::Result<()>>,
) -> anyhow::Result<()> {
    let mut futures = Vec::with_capacity(p.records.len());
    let mut records = std::mem::take(&mut p.records);
    let mut i = 0;
    while i < records.len() {
        match sink.send(&records[i]).await {
            Ok(f) => futures.push(f),
            Err(e) if i == 0 && p.dead_letter.is_none() && sink::is_too_large(&e) => {
                // The enriched event is over the producer's message.max.bytes:
                // dead-letter the input instead of losing it.
                let (key, payload, headers) = std::mem::take(&mut p.original);
                let reason = DeadLetterReason::OutputTooLarge(e.to_string());
                records = vec![sink::dead_letter(
                    &settings.topics.dlq,
                    (&p.tp.topic, p.tp.partition, p.offset),
                    key,
                    payload,
                    headers.as_ref(),
                    &reason,
                )];
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
    match &p.dead_letter {
        Some(reason) => {
            stats.dead_lettered.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                topic = %p.tp.topic, partition = p.tp.partition, offset = p.offset, article_id = %p.article_id,
                error.class = reason.class(), error.message = %reason, dlq = %settings.topics.dlq,
                "message sent to dead-letter topic"
            );
        }
        None => {
            stats.enriched.fetch_add(1, Ordering::Relaxed);
        }
    }
    stats
        .records_out
        .fetch_add(records.len() as u64, Ordering::Relaxed);
    stats.bytes_out.fetch_add(
        records.iter().map(|r| r.payload.len() as u64).sum(),
        Ordering::Relaxed,
    );
    let (tp, offset, epoch, id) = (p.tp.clone(), p.offset, p.epoch, p.article_id.clone());
    let permit = p.permit.take();
    let tracker = tracker.clone();
    acks.spawn(async move {
        for f in futures {
            match f.await {
                Ok(Ok(_)) => {}
                Ok(Err((e, _))) => {
                    tracing::error!(topic = %tp.topic, partition = tp.partition, offset, article_id = %id, error = %e, "delivery failed; stopping without committing this message");
                    anyhow::bail!("delivery of output for {}[{}]@{offset} failed: {e}", tp.topic, tp.partition);
                }
                Err(_) => anyhow::bail!("producer dropped a delivery for {}[{}]@{offset}", tp.topic, tp.partition),
            }
        }
        tracker.complete(&tp, epoch, offset);
        drop(permit);
        Ok(())
    });
    Ok(())
}
