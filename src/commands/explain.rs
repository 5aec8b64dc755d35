//! `newsflow explain`: which terms of one topic's rule matched where in an
//! article, its score against `min_score`, and the evidence.

use std::path::PathBuf;

use crate::config::Settings;

/// `newsflow explain`.
#[derive(clap::Args)]
pub struct Args {
    /// Topic id, as in the taxonomy.
    #[arg(long)]
    topic: String,
    /// The article: a JSON object or plain text (`-` for stdin).
    file: String,
    /// Configuration file, for `[enrich]` resource paths.
    #[arg(long)]
    config: Option<PathBuf>,
}

impl Args {
    pub fn execute(self) -> anyhow::Result<u8> {
        let settings = Settings::load(self.config.as_deref())?;
        let enricher = crate::resources::load_enricher(&settings.enrich)?;
        let bytes = super::read_input(&self.file)?;
        let key = std::path::Path::new(&self.file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|_| self.file != "-");
        let article = newsflow_core::decode(
            &bytes,
            key.as_deref().map(str::as_bytes),
            settings.limits.max_message_bytes,
        )
        .map_err(|e| anyhow::anyhow!("{}: {e}", self.file))?;
        match enricher.explain(&article, &self.topic) {
            Some(text) => {
                print!("{text}");
                Ok(0)
            }
            None => anyhow::bail!("no topic {:?} in the taxonomy", self.topic),
        }
    }
}
