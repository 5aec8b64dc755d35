//! The running service, assembled in one place.
//!
//! [`run`] is what `newsflow run` executes, what `newsflow demo` executes
//! against its embedded cluster, and what every Kafka integration test
//! starts: the pipeline (source → decode → enrich → encode → sink), the
//! taxonomy reload (file watch and SIGHUP), and the periodic throughput
//! report, all tied to one [`Shutdown`]. In exactly-once mode an aborted
//! transaction restarts the pipeline here, from the committed offsets. Nothing else wires these parts
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
use crate::transaction::TxnError;
use crate::{http, reload, telemetry};

/// Pause before the pipeline starts again after an aborted transaction: long
/// enough not to spin against a broker that keeps refusing, short against
/// the group's session timeout.
const RESTART_BACKOFF: std::time::Duration = std::time::Duration::from_secs(1);

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
    // Exactly-once: inputs refused for good in an aborted transaction,
    // remembered across the restarts below.
    let rejections = Arc::new(pipeline::Rejections::default());

    let http = match settings.http.address()? {
        Some(addr) => Some(http::spawn(addr, tracker.clone(), shutdown.clone()).await?),
        None => None,
    };
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
    let result = loop {
        let r = pipeline::run(
            settings.clone(),
            enricher.clone(),
            mode,
            shutdown.clone(),
            stats.clone(),
            tracker.clone(),
            rejections.clone(),
        )
        .await;
        let aborted = r
            .as_ref()
            .err()
            .and_then(|e| e.downcast_ref::<TxnError>())
            .is_some_and(TxnError::is_aborted);
        match &r {
            Err(e) if aborted && !shutdown.is_triggered() => {
                // Exactly-once: the aborted transaction's records are never
                // visible; a new consumer resumes from the committed offsets
                // and the in-flight work of the old one is dropped.
                tracing::warn!(error = %e, "restarting the pipeline from the committed offsets");
                tokio::time::sleep(RESTART_BACKOFF).await;
            }
            Err(e) if aborted => {
                // Stopping anyway: an aborted last transaction only means its
                // messages are redone by the next owner, as after a drain
                // deadline; not a reason to exit with an error.
                tracing::warn!(error = %e, "last transaction aborted while stopping; its messages will be redone");
                break Ok(stats.summary(false));
            }
            _ => break r,
        }
    };
    // The pipeline ends only on shutdown or a fatal error: make sure the
    // tasks beside it end too.
    shutdown.trigger();
    reporter.abort();
    if let Some(h) = http {
        h.abort();
    }
    let _ = reloader.await;
    result
}
