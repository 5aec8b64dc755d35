//! The running service, assembled in one place.
//!
//! [`run`] is what `newsflow run` executes, what `newsflow demo` executes
//! against its embedded cluster, and what every Kafka integration test
//! starts: the pipeline (source → decode → enrich → encode → sink), the
//! taxonomy reload (file watch and SIGHUP), and the periodic throughput
//! report, all tied to one [`Shutdown`]. Nothing else wires these parts
//! together, so what the tests exercise is what ships.
//!
//! Signals: SIGTERM/SIGINT are the caller's to install
//! ([`Shutdown::listen_for_signals`], done by `run`), because a test process
//! must not be stopped by them; SIGHUP is installed here, since reloading is
//! part of the service.

use std::sync::Arc;

use newsflow_core::enrich::Enricher;

use crate::config::Settings;
use crate::offsets::Tracker;
use crate::pipeline::{self, Mode, Stats, Summary};
use crate::shutdown::Shutdown;
use crate::{reload, telemetry};

/// Runs the service until `shutdown` is triggered (or a fatal error), then
/// drains, flushes and commits. Returns the run's numbers.
pub async fn run(
    settings: Settings,
    enricher: Arc<Enricher>,
    mode: Mode,
    shutdown: Shutdown,
) -> anyhow::Result<Summary> {
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        config = %settings.redacted(),
        entities = enricher.lexicon().entries.len(),
        topics = enricher.taxonomy().topics.len(),
        mode = ?mode,
        "newsflow starting"
    );
    let settings = Arc::new(settings);
    let stats = Arc::new(Stats::default());
    let tracker = Arc::new(Tracker::new());

    let reloader = reload::spawn(
        enricher.clone(),
        settings.enrich.topics_file.clone(),
        shutdown.clone(),
    )?;
    let reporter = telemetry::spawn_throughput_report(
        stats.clone(),
        tracker.clone(),
        settings.telemetry.stats_interval_secs,
        shutdown.clone(),
    );
    let result = pipeline::run(settings, enricher, mode, shutdown.clone(), stats, tracker).await;
    // The pipeline ends only on shutdown or a fatal error: make sure the
    // tasks beside it end too.
    shutdown.trigger();
    reporter.abort();
    let _ = reloader.await;
    result
}
