//! `newsflow run`: the service, until SIGTERM or SIGINT.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Settings;
use crate::pipeline::Mode;
use crate::service;
use crate::shutdown::Shutdown;

/// `newsflow run`.
#[derive(clap::Args)]
pub struct Args {
    /// Configuration file (TOML); environment NEWSFLOW_<SECTION>__<KEY> overrides it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Forward raw messages to the enriched topic without enrichment (throughput baseline).
    #[arg(long)]
    passthrough: bool,
}

impl Args {
    /// Loads config and resources, runs the service until a signal. Exit code
    /// 0 after a complete drain, 1 when the drain deadline passed.
    pub fn execute(self) -> anyhow::Result<u8> {
        let settings = Settings::load(self.config.as_deref())?;
        let enricher = crate::resources::load_enricher(&settings.enrich)?;
        let mode = if self.passthrough {
            Mode::Passthrough
        } else {
            Mode::Enrich
        };
        super::runtime()?.block_on(async move {
            let shutdown = Shutdown::new();
            shutdown.listen_for_signals()?;
            let summary = service::run(settings, Arc::new(enricher), mode, shutdown).await?;
            Ok(if summary.drained { 0 } else { 1 })
        })
    }
}
