//! `newsflow run`: the service.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Settings;
use crate::pipeline::{self, Mode};
use crate::shutdown::Shutdown;

/// Loads config and resources, logs the start line, runs until a signal.
/// Returns the process exit code.
pub async fn execute(config: Option<PathBuf>, passthrough: bool) -> anyhow::Result<i32> {
    let settings = Settings::load(config.as_deref())?;
    let enricher = super::load_enricher(&settings.enrich)?;
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        config = %settings.redacted(),
        entities = enricher.lexicon.entries.len(),
        topics = enricher.taxonomy().topics.len(),
        passthrough,
        "newsflow starting"
    );
    let shutdown = Shutdown::new();
    shutdown.listen_for_signals()?;
    let mode = if passthrough {
        Mode::Passthrough
    } else {
        Mode::Enrich
    };
    let summary = pipeline::run(Arc::new(settings), Arc::new(enricher), mode, shutdown).await?;
    Ok(if summary.drained { 0 } else { 1 })
}
