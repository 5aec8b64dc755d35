//! Telemetry: structured logs through `tracing`.
//!
//! JSON lines on stderr when stderr is not a terminal (containers, log
//! shippers), human-readable otherwise; `--log-format` overrides. The filter
//! comes from `RUST_LOG` (default `info`). librdkafka's own log lines arrive
//! through rdkafka's `tracing` integration under the `rdkafka` target.
//!
//! The periodic throughput line (`telemetry.stats_interval_secs`) is started
//! by [`crate::service::run`] beside the pipeline.

use std::io::IsTerminal;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tracing_subscriber::EnvFilter;

use crate::offsets::Tracker;
use crate::pipeline::Stats;
use crate::shutdown::Shutdown;

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Json,
    Pretty,
}

/// Installs the global subscriber. Call once, first thing.
pub fn init(format: Option<LogFormat>) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let format = format.unwrap_or(if std::io::stderr().is_terminal() {
        LogFormat::Pretty
    } else {
        LogFormat::Json
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
    // A second init (tests) keeps the first subscriber.
    let _ = result;
}

/// Logs a throughput summary every `secs` seconds (0 = never).
pub fn spawn_throughput_report(
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
