//! `newsflow check-config`: validates the configuration, the resource files
//! and the librdkafka properties without connecting to anything.

use std::path::PathBuf;

use rdkafka::consumer::BaseConsumer;
use rdkafka::producer::BaseProducer;

use crate::config::{ConfigError, Settings};

/// `newsflow check-config`.
#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    config: Option<PathBuf>,
}

impl Args {
    pub fn execute(self) -> anyhow::Result<u8> {
        println!("{}", summary(self.config)?);
        Ok(0)
    }
}

/// Returns a human summary on success; the error names the key, file or rule.
pub fn summary(config: Option<PathBuf>) -> anyhow::Result<String> {
    let settings = Settings::load(config.as_deref())?;
    let enricher = crate::resources::load_enricher(&settings.enrich)?;
    // librdkafka checks property names and values when a client is created.
    crate::source::consumer_config(&settings)
        .create::<BaseConsumer>()
        .map_err(|e| ConfigError(format!("[kafka.consumer]: {e}")))?;
    crate::sink::producer_config(&settings)
        .create::<BaseProducer>()
        .map_err(|e| ConfigError(format!("[kafka.producer]: {e}")))?;
    Ok(format!(
        "configuration OK: {} lexicon entries, {} topics ({} phrases), input {:?}, group {:?}\n{}",
        enricher.lexicon().entries.len(),
        enricher.taxonomy().topics.len(),
        enricher.taxonomy().phrase_count(),
        settings.topics.input,
        settings.kafka.group_id,
        serde_json::to_string_pretty(&settings.redacted())?
    ))
}
