//! Pipeline: source → decode → enrich → encode → sink, at least once.
//!
//! ```text
//!  poll thread ──Work──▶ ordered stage ──▶ worker pool (decode, enrich, encode)
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
use crate::decode;
use crate::encode::{self, Destination};
use crate::enrich::Enricher;
use crate::model::SourcePosition;
use crate::offsets::{Tp, Tracker};
use crate::shutdown::Shutdown;
use crate::sink::{self, Outgoing, Sink};
use crate::source::{self, PollLoop, Work};

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
struct Processed {
    tp: Tp,
    offset: i64,
    epoch: u64,
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
    article_id: String,
    records: Vec<Outgoing>,
    dead_letter: Option<(&'static str, String)>,
    /// The input, kept to dead-letter it if an output turns out too large.
    original: (Option<Vec<u8>>, Vec<u8>, Option<OwnedHeaders>),
}

/// Per-message work on a worker thread: decode, enrich, encode.
fn process(work: Work, mode: Mode, enricher: &Enricher, settings: &Settings) -> Processed {
    let Work {
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
            let id = key
                .as_deref()
                .map(|k| String::from_utf8_lossy(k).into_owned())
                .unwrap_or_default();
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
                    let id = key
                        .as_deref()
                        .and_then(|k| std::str::from_utf8(k).ok())
                        .map(str::to_owned)
                        .unwrap_or_else(|| decode::content_id(&payload));
                    let msg = e.to_string();
                    let r = sink::dead_letter(
                        &topics.dlq,
                        (&tp.topic, tp.partition, offset),
                        key.clone(),
                        payload.clone(),
                        headers.as_ref(),
                        e.class(),
                        &msg,
                    );
                    dead_letter = Some((e.class(), msg));
                    (id, vec![r])
                }
            }
        }
    };
    Processed {
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
pub async fn run(
    settings: Arc<Settings>,
    enricher: Arc<Enricher>,
    mode: Mode,
    shutdown: Shutdown,
) -> anyhow::Result<Summary> {
    let tracker = Arc::new(Tracker::new());
    let stats = Arc::new(Stats::default());
    let sink = Sink::new(&settings)?;
    let consumer = source::create_consumer(&settings, tracker.clone())?;
    let permits = Arc::new(Semaphore::new(settings.pipeline.max_in_flight));
    let (tx, rx) = mpsc::channel::<Work>(settings.pipeline.max_in_flight);
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
    let reporter = spawn_reporter(
        stats.clone(),
        tracker.clone(),
        settings.telemetry.stats_interval_secs,
        shutdown.clone(),
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
        .max(Duration::from_millis(100));
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
    reporter.abort();
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
    rx: mpsc::Receiver<Work>,
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
        .map(|work: Work| {
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
    p: &mut Processed,
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
                let msg = format!("enriched event is too large for the output topic: {e}");
                records = vec![sink::dead_letter(
                    &settings.topics.dlq,
                    (&p.tp.topic, p.tp.partition, p.offset),
                    key,
                    payload,
                    headers.as_ref(),
                    "output_too_large",
                    &msg,
                )];
                p.dead_letter = Some(("output_too_large", msg));
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
        Some((class, msg)) => {
            stats.dead_lettered.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                topic = %p.tp.topic, partition = p.tp.partition, offset = p.offset, article_id = %p.article_id,
                error.class = class, error.message = %msg, dlq = %settings.topics.dlq,
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

/// Logs a throughput summary every `secs` seconds (0 = never).
fn spawn_reporter(
    stats: Arc<Stats>,
    tracker: Arc<Tracker>,
    secs: u64,
    shutdown: Shutdown,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if secs == 0 {
            return;
        }
        let mut tick = tokio::time::interval(Duration::from_secs(secs));
        tick.tick().await;
        let mut last = (0u64, 0u64, Instant::now());
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = shutdown.wait() => return,
            }
            let consumed = stats.consumed.load(Ordering::Relaxed);
            let bytes = stats.bytes_in.load(Ordering::Relaxed);
            let dt = last.2.elapsed().as_secs_f64().max(1e-9);
            tracing::info!(
                consumed,
                enriched = stats.enriched.load(Ordering::Relaxed),
                dead_lettered = stats.dead_lettered.load(Ordering::Relaxed),
                records_out = stats.records_out.load(Ordering::Relaxed),
                msgs_per_sec = ((consumed - last.0) as f64 / dt).round(),
                mb_per_sec = (((bytes - last.1) as f64 / dt) / 1e6 * 100.0).round() / 100.0,
                in_flight = tracker.in_flight(),
                partitions = tracker.owned().len(),
                "throughput"
            );
            last = (consumed, bytes, Instant::now());
        }
    })
}
