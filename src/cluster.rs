//! Start-up checks against the cluster, before any message is consumed:
//! the brokers answer with the configured security settings, and every
//! configured topic exists. A wrong password, an untrusted certificate or a
//! missing topic stops the start with the reason, instead of a service that
//! runs and never consumes (librdkafka itself retries such errors forever).
//!
//! Both clients record the errors librdkafka reports ([`ClientErrors`]), so
//! the start-up failure can say *why* the brokers did not answer.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use rdkafka::client::Client;
use rdkafka::error::KafkaError;
use rdkafka::ClientContext;

use crate::config::Settings;

/// How long the start waits for the cluster's metadata: a few broker
/// reconnects, well inside a Kubernetes start-up probe.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// Each metadata attempt: short, so that a recorded authentication or TLS
/// error ends the wait early.
const ATTEMPT: Duration = Duration::from_secs(2);

/// The last client-level error librdkafka reported (authentication, TLS,
/// all brokers down), for start-up diagnostics.
#[derive(Debug, Default)]
pub struct ClientErrors {
    last: Mutex<Option<String>>,
    /// Set for errors that waiting cannot cure (authentication, TLS).
    fatal: Mutex<Option<String>>,
}

impl ClientErrors {
    /// Records an error from librdkafka's error callback, and logs it.
    pub fn record(&self, error: &KafkaError, reason: &str) {
        let text = format!("{error}: {reason}");
        tracing::error!(error = %text, "kafka client error");
        let lower = text.to_ascii_lowercase();
        let cannot_cure = lower.contains("authentication")
            || lower.contains("sasl")
            || lower.contains("ssl")
            || lower.contains("certificate");
        if cannot_cure {
            *self.fatal.lock().unwrap() = Some(text.clone());
        }
        *self.last.lock().unwrap() = Some(text);
    }

    fn fatal(&self) -> Option<String> {
        self.fatal.lock().unwrap().clone()
    }

    fn last(&self) -> Option<String> {
        self.last.lock().unwrap().clone()
    }
}

/// The producer's callbacks: error recording only (shared with the
/// [`crate::sink::Sink`], since rdkafka keeps the context inside the
/// producer).
#[derive(Debug, Default, Clone)]
pub struct SinkContext {
    pub errors: std::sync::Arc<ClientErrors>,
    /// Triggered on a fatal producer error ([`crate::sink::Sink::stop_on_fatal`]).
    pub fatal_stop: std::sync::Arc<Mutex<Option<crate::shutdown::Shutdown>>>,
}

impl ClientContext for SinkContext {
    fn error(&self, error: KafkaError, reason: &str) {
        self.errors.record(&error, reason);
        if error.rdkafka_error_code() == Some(rdkafka::types::RDKafkaErrorCode::Fatal) {
            // The idempotent producer cannot go on without risking
            // duplicates or reordering: stop at once rather than fail every
            // later delivery one by one.
            if let Some(stop) = self.fatal_stop.lock().unwrap().as_ref() {
                stop.trigger();
            }
        }
    }
}

/// Checks that `client` (named `which` in errors) reaches the cluster and
/// sees every topic in `topics` (`(config key, name)` pairs).
pub fn check<C: ClientContext>(
    client: &Client<C>,
    errors: &ClientErrors,
    which: &str,
    settings: &Settings,
    topics: &[(&str, &str)],
) -> anyhow::Result<()> {
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    let md = loop {
        match client.fetch_metadata(None, ATTEMPT) {
            Ok(md) => break md,
            Err(e) => {
                if let Some(fatal) = errors.fatal() {
                    anyhow::bail!(
                        "the {which} cannot connect to {}: {fatal} (check the security settings under [kafka.{which}])",
                        settings.kafka.brokers
                    );
                }
                if Instant::now() >= deadline {
                    anyhow::bail!(
                        "the {which} got no metadata from {} within {}s: {e}{}",
                        settings.kafka.brokers,
                        STARTUP_TIMEOUT.as_secs(),
                        errors
                            .last()
                            .map(|l| format!(" (last client error: {l})"))
                            .unwrap_or_default()
                    );
                }
            }
        }
    };
    for (key, name) in topics {
        let found = md.topics().iter().find(|t| t.name() == *name);
        match found {
            Some(t) if t.error().is_none() && !t.partitions().is_empty() => {}
            _ => anyhow::bail!(
                "topic {name:?} ({key}) does not exist on the cluster at {}: create it first",
                settings.kafka.brokers
            ),
        }
    }
    Ok(())
}

/// The topics the service reads and writes, with their config keys.
pub fn topics(settings: &Settings) -> Vec<(&'static str, &str)> {
    let t = &settings.topics;
    vec![
        ("topics.input", t.input.as_str()),
        ("topics.enriched", t.enriched.as_str()),
        ("topics.entities", t.entities.as_str()),
        ("topics.topics", t.topics.as_str()),
        ("topics.dlq", t.dlq.as_str()),
    ]
    .into_iter()
    // An analytics output turned off ("") is not checked.
    .filter(|(_, name)| !name.is_empty())
    .collect()
}
