//! Configuration: a TOML file overridden by `NEWSFLOW_<SECTION>__<KEY>`
//! environment variables, validated before anything starts.
//!
//! Every key is documented in `config/default.toml` and in the README's
//! configuration reference. An invalid value stops the start with an error
//! that names the key. Secrets (`sasl.password`, key material) are redacted in
//! everything this module prints.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use figment::providers::{Format, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

/// The default configuration, compiled in: `newsflow` runs without a file.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// A configuration error; the message names the key.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(pub String);

/// All settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub kafka: Kafka,
    pub topics: Topics,
    pub limits: Limits,
    pub pipeline: Pipeline,
    pub shutdown: Shutdown,
    pub telemetry: Telemetry,
    #[serde(default)]
    pub http: Http,
    #[serde(default)]
    pub delivery: Delivery,
    #[serde(default)]
    pub enrich: EnrichFiles,
    #[serde(default)]
    pub dedup: DedupSettings,
    #[serde(default)]
    pub output: Output,
}

/// `[output]`: how the analytics rows are framed in Kafka records.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Output {
    #[serde(default)]
    pub analytics_framing: Framing,
}

/// One row per record, or one article's rows as newline-delimited JSON in
/// one record (ClickHouse's Kafka engine with JSONEachRow and Druid's json
/// input format read several rows per message; Pinot does not).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Framing {
    #[default]
    Record,
    Ndjson,
}

/// `[dedup]`: the near-duplicate window (see `dedup`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DedupSettings {
    /// Fingerprints kept, per instance; 0 turns the stage off.
    #[serde(default = "DedupSettings::default_window")]
    pub window: usize,
    /// Articles published further apart than this do not match; 0 = no limit.
    #[serde(default = "DedupSettings::default_max_age_hours")]
    pub max_age_hours: u64,
    /// Share of word 3-shingles two bodies must have in common (estimated
    /// from their fingerprints), 0.5 to 1; the candidate search is tuned
    /// for 0.5 and above.
    #[serde(default = "DedupSettings::default_min_similarity")]
    pub min_similarity: f64,
}

impl DedupSettings {
    fn default_window() -> usize {
        10_000
    }
    fn default_max_age_hours() -> u64 {
        72
    }
    fn default_min_similarity() -> f64 {
        0.5
    }
}

impl Default for DedupSettings {
    fn default() -> DedupSettings {
        DedupSettings {
            window: DedupSettings::default_window(),
            max_age_hours: DedupSettings::default_max_age_hours(),
            min_similarity: DedupSettings::default_min_similarity(),
        }
    }
}

/// `[delivery]`: the delivery guarantee.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    #[serde(default)]
    pub mode: DeliveryMode,
    /// `transactional.id` of this instance in exactly-once mode; empty: the
    /// host name (a StatefulSet pod keeps its own across restarts).
    #[serde(default)]
    pub transactional_id: String,
}

/// At least once (the default) or exactly once through Kafka transactions.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryMode {
    /// Offsets committed after every output is acknowledged; a crash or a
    /// rebalance may repeat outputs (each carries `newsflow.source`).
    #[default]
    AtLeastOnce,
    /// Outputs, dead letters and consumed offsets in one Kafka transaction
    /// per commit interval; `read_committed` readers see each input's
    /// outputs exactly once.
    ExactlyOnce,
}

impl Delivery {
    /// The transactional id in force: the configured one, else the host name.
    pub fn transactional_id(&self) -> String {
        if !self.transactional_id.trim().is_empty() {
            return self.transactional_id.trim().to_owned();
        }
        std::env::var("HOSTNAME")
            .ok()
            .filter(|h| !h.trim().is_empty())
            .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
            .map(|h| format!("newsflow-{}", h.trim()))
            .unwrap_or_else(|| "newsflow".to_owned())
    }
}

/// `[kafka]`: where the cluster is and how to talk to it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Kafka {
    /// `bootstrap.servers`.
    pub brokers: String,
    /// Consumer group; instances with the same group split the partitions.
    pub group_id: String,
    #[serde(default = "default_client_id")]
    pub client_id: String,
    /// librdkafka consumer properties, passed through.
    #[serde(default)]
    pub consumer: BTreeMap<String, PropValue>,
    /// librdkafka producer properties, passed through.
    #[serde(default)]
    pub producer: BTreeMap<String, PropValue>,
}

fn default_max_in_flight_bytes() -> usize {
    64 << 20
}

fn default_client_id() -> String {
    "newsflow".into()
}

/// A librdkafka property value: TOML strings, numbers and booleans are all
/// accepted and passed on as strings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum PropValue {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl std::fmt::Display for PropValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PropValue::Str(s) => f.write_str(s),
            PropValue::Int(i) => write!(f, "{i}"),
            PropValue::Float(x) => write!(f, "{x}"),
            PropValue::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// `[topics]`: names of the input and output topics.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Topics {
    pub input: String,
    pub enriched: String,
    pub entities: String,
    pub topics: String,
    pub dlq: String,
}

/// `[limits]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Messages larger than this go to the dead-letter topic unread.
    pub max_message_bytes: usize,
}

/// `[pipeline]`: concurrency and commits.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Pipeline {
    /// Messages consumed but not yet committed-ready, at most.
    pub max_in_flight: usize,
    /// Input bytes consumed but not yet fully handled, at most.
    #[serde(default = "default_max_in_flight_bytes")]
    pub max_in_flight_bytes: usize,
    /// Enrichment worker threads; 0 means one per CPU core.
    pub workers: usize,
    /// How often completed offsets are committed.
    pub commit_interval_ms: u64,
}

/// `[shutdown]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Shutdown {
    /// How long a shutdown or a partition revocation may wait for in-flight
    /// messages to finish before committing what is done.
    pub drain_timeout_ms: u64,
}

/// `[telemetry]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Telemetry {
    /// Seconds between throughput summary log lines; 0 turns them off.
    pub stats_interval_secs: u64,
}

/// `[http]`: the health and metrics listener.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Http {
    /// `host:port` of `/livez`, `/readyz` and `/metrics`; empty turns the
    /// listener off.
    #[serde(default = "Http::default_listen")]
    pub listen: String,
}

impl Http {
    fn default_listen() -> String {
        "0.0.0.0:9000".into()
    }

    /// The address to listen on, or `None` when the listener is off.
    pub fn address(&self) -> Result<Option<std::net::SocketAddr>, ConfigError> {
        let l = self.listen.trim();
        if l.is_empty() {
            return Ok(None);
        }
        l.parse().map(Some).map_err(|e| {
            ConfigError(format!(
                "key `http.listen`: {l:?} is not host:port (an IP address and a port): {e}"
            ))
        })
    }
}

impl Default for Http {
    fn default() -> Http {
        Http {
            listen: Http::default_listen(),
        }
    }
}

/// `[enrich]`: the languages analysed and the resource files replacing the
/// compiled-in defaults.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EnrichFiles {
    /// ISO 639-1 codes of the languages that get entities, values, quotes,
    /// tone, storylines and categories.
    #[serde(default = "EnrichFiles::default_languages")]
    pub languages: Vec<String>,
    pub entities_file: Option<PathBuf>,
    pub topics_file: Option<PathBuf>,
    pub gazetteer_file: Option<PathBuf>,
    pub given_names_file: Option<PathBuf>,
    /// Trained entity tagger (`newsflow train ner`).
    pub ner_model_file: Option<PathBuf>,
    /// Trained category classifier (`newsflow train categories`).
    pub categories_model_file: Option<PathBuf>,
    /// IPTC subject table (`newsflow train subjects`).
    pub subjects_model_file: Option<PathBuf>,
}

impl EnrichFiles {
    fn default_languages() -> Vec<String> {
        vec!["en".into()]
    }
}

impl Default for EnrichFiles {
    fn default() -> EnrichFiles {
        EnrichFiles {
            languages: EnrichFiles::default_languages(),
            entities_file: None,
            topics_file: None,
            gazetteer_file: None,
            given_names_file: None,
            ner_model_file: None,
            categories_model_file: None,
            subjects_model_file: None,
        }
    }
}

/// Consumer properties of the classic group protocol only.
const CLASSIC_GROUP_ONLY: &[&str] = &["session.timeout.ms", "heartbeat.interval.ms"];

/// A librdkafka property value `${file:/path}` is read from that file.
const FILE_REF_PREFIX: &str = "${file:";

/// Properties newsflow sets itself because its delivery guarantees depend on
/// them; setting them in `[kafka.consumer]` / `[kafka.producer]` is an error.
const RESERVED_CONSUMER: &[&str] = &[
    "enable.auto.commit",
    "enable.auto.offset.store",
    "group.id",
    "bootstrap.servers",
    "enable.partition.eof",
];
const RESERVED_PRODUCER: &[&str] = &[
    "enable.idempotence",
    "acks",
    "bootstrap.servers",
    "transactional.id",
];

impl Settings {
    /// Loads the compiled-in defaults, then `file` (if any), then the
    /// environment, and validates the result.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        Self::load_with_env(file, std::env::vars())
    }

    /// As [`Settings::load`], with the environment given (for tests).
    pub fn load_with_env(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, ConfigError> {
        let mut fig = Figment::from(Toml::string(DEFAULT_TOML));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError(format!(
                    "--config {}: no such file",
                    path.display()
                )));
            }
            fig = fig.merge(Toml::file(path));
        }
        // Environment: NEWSFLOW_SECTION__KEY. librdkafka property names have
        // dots, which cannot appear in variable names: under kafka.consumer and
        // kafka.producer an `_` in the key stands for `.`.
        let mut env_toml = toml::Table::new();
        for (k, v) in env {
            let Some(rest) = k.strip_prefix("NEWSFLOW_") else {
                continue;
            };
            let parts: Vec<String> = rest.split("__").map(|p| p.to_ascii_lowercase()).collect();
            if parts.iter().any(String::is_empty) {
                return Err(ConfigError(format!(
                    "environment variable {k}: empty key segment"
                )));
            }
            let mut parts = parts;
            let passthrough = parts.len() == 3
                && parts[0] == "kafka"
                && (parts[1] == "consumer" || parts[1] == "producer");
            if passthrough {
                parts[2] = parts[2].replace('_', ".");
            }
            insert_path(&mut env_toml, &parts, env_value(&v, passthrough));
        }
        fig = fig.merge(Toml::string(
            &toml::to_string(&env_toml).expect("env table serialises"),
        ));
        let mut settings: Settings = fig.extract().map_err(|e| {
            let key = if e.path.is_empty() {
                String::new()
            } else {
                format!("key `{}`: ", e.path.join("."))
            };
            ConfigError(format!("{key}{}", e.kind))
        })?;
        settings.resolve_file_references()?;
        settings.drop_classic_group_defaults();
        settings.validate()?;
        Ok(settings)
    }

    /// Under the consumer group protocol of KIP-848
    /// (`group.protocol = "consumer"`) the broker owns the session timeout
    /// and librdkafka refuses `session.timeout.ms`: the compiled-in default
    /// is dropped there (a value the user set is kept, and librdkafka's
    /// error names it).
    fn drop_classic_group_defaults(&mut self) {
        let consumer_protocol = self
            .kafka
            .consumer
            .get("group.protocol")
            .is_some_and(|v| v.to_string().trim().eq_ignore_ascii_case("consumer"));
        if !consumer_protocol {
            return;
        }
        let defaults: Settings = Figment::from(Toml::string(DEFAULT_TOML))
            .extract()
            .expect("the compiled-in defaults parse");
        for key in CLASSIC_GROUP_ONLY {
            if let (Some(v), Some(d)) = (
                self.kafka.consumer.get(*key),
                defaults.kafka.consumer.get(*key),
            ) {
                if v == d {
                    self.kafka.consumer.remove(*key);
                }
            }
        }
    }

    /// Replaces `${file:PATH}` in librdkafka property values by the file's
    /// contents (without the final line break), so that passwords and keys
    /// can come from a mounted Secret instead of the ConfigMap or the
    /// environment. A missing or unreadable file names the key.
    fn resolve_file_references(&mut self) -> Result<(), ConfigError> {
        for (section, props) in [
            ("kafka.consumer", &mut self.kafka.consumer),
            ("kafka.producer", &mut self.kafka.producer),
        ] {
            for (k, v) in props.iter_mut() {
                let PropValue::Str(text) = v else { continue };
                let Some(path) = text
                    .trim()
                    .strip_prefix(FILE_REF_PREFIX)
                    .and_then(|r| r.strip_suffix('}'))
                else {
                    continue;
                };
                let contents = std::fs::read_to_string(path.trim()).map_err(|e| {
                    ConfigError(format!(
                        "key `{section}.\"{k}\"`: cannot read {}: {e}",
                        path.trim()
                    ))
                })?;
                let value = contents.strip_suffix('\n').unwrap_or(&contents);
                let value = value.strip_suffix('\r').unwrap_or(value);
                *v = PropValue::Str(value.to_owned());
            }
        }
        Ok(())
    }

    /// A record must never wait forever (`message.timeout.ms = 0`), and a
    /// delivery that hangs must fail before the consumer's
    /// `max.poll.interval.ms` runs out, or the group evicts the member while
    /// its work is still in flight.
    fn validate_timeouts(&self) -> Result<(), ConfigError> {
        // A value that is not a number is left to librdkafka, which names it.
        let ms = |section, props, key| millis(section, props, key).ok().flatten();
        let poll = ms(
            "kafka.consumer",
            &self.kafka.consumer,
            "max.poll.interval.ms",
        )
        .unwrap_or(LIBRDKAFKA_MAX_POLL_INTERVAL_MS);
        for key in ["message.timeout.ms", "delivery.timeout.ms"] {
            let Some(d) = ms("kafka.producer", &self.kafka.producer, key) else {
                continue;
            };
            if d == 0 {
                return Err(ConfigError(format!(
                    "key `kafka.producer.\"{key}\"`: 0 (wait forever) is not allowed: a record that can never be delivered would hold its partition forever"
                )));
            }
            if d >= poll {
                return Err(ConfigError(format!(
                    "key `kafka.producer.\"{key}\"`: {d} must be below kafka.consumer.\"max.poll.interval.ms\" ({poll}): a delivery still being retried would outlast the consumer's membership of the group"
                )));
            }
        }
        Ok(())
    }

    /// Exactly-once: the transaction must outlive a commit interval and every
    /// delivery attempt inside it.
    fn validate_exactly_once(&self) -> Result<(), ConfigError> {
        let ms = |key| millis("kafka.producer", &self.kafka.producer, key);
        let txn = ms("transaction.timeout.ms")?.unwrap_or(LIBRDKAFKA_TRANSACTION_TIMEOUT_MS);
        for key in ["delivery.timeout.ms", "message.timeout.ms"] {
            if let Some(d) = ms(key)? {
                if d == 0 || d > txn {
                    return Err(ConfigError(format!(
                        "key `kafka.producer.\"{key}\"`: {d} must be in 1..=transaction.timeout.ms ({txn}) in exactly-once mode: a record still being retried when its transaction times out would be lost with it"
                    )));
                }
            }
        }
        if self.pipeline.commit_interval_ms * 2 > txn {
            return Err(ConfigError(format!(
                "key `pipeline.commit_interval_ms`: {} must be at most half of kafka.producer.\"transaction.timeout.ms\" ({txn}) in exactly-once mode, or transactions time out before they are committed",
                self.pipeline.commit_interval_ms
            )));
        }
        Ok(())
    }

    /// `kafka.producer."transaction.timeout.ms"`, or librdkafka's default.
    pub fn transaction_timeout(&self) -> std::time::Duration {
        let ms = millis(
            "kafka.producer",
            &self.kafka.producer,
            "transaction.timeout.ms",
        )
        .ok()
        .flatten()
        .unwrap_or(LIBRDKAFKA_TRANSACTION_TIMEOUT_MS);
        std::time::Duration::from_millis(ms)
    }

    /// Checks values that types alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let err = |key: &str, why: String| Err(ConfigError(format!("key `{key}`: {why}")));
        if self.kafka.brokers.trim().is_empty() {
            return err("kafka.brokers", "must not be empty".into());
        }
        if self.kafka.group_id.trim().is_empty() {
            return err("kafka.group_id", "must not be empty".into());
        }
        self.http.address()?;
        for (key, name) in [
            ("topics.input", &self.topics.input),
            ("topics.enriched", &self.topics.enriched),
            ("topics.entities", &self.topics.entities),
            ("topics.topics", &self.topics.topics),
            ("topics.dlq", &self.topics.dlq),
        ] {
            // An analytics topic set to "" turns that output off.
            let optional = matches!(key, "topics.entities" | "topics.topics");
            if optional && name.is_empty() {
                continue;
            }
            if let Err(why) = check_topic_name(name) {
                return err(key, why);
            }
        }
        let outputs = [
            &self.topics.enriched,
            &self.topics.entities,
            &self.topics.topics,
            &self.topics.dlq,
        ];
        if outputs.contains(&&self.topics.input) {
            return err(
                "topics.input",
                "must differ from every output topic (it would consume its own output)".into(),
            );
        }
        if self.limits.max_message_bytes == 0 || self.limits.max_message_bytes > 256 << 20 {
            return err(
                "limits.max_message_bytes",
                format!("{} is outside 1..=268435456", self.limits.max_message_bytes),
            );
        }
        if !(1..=100_000).contains(&self.pipeline.max_in_flight) {
            return err(
                "pipeline.max_in_flight",
                format!("{} is outside 1..=100000", self.pipeline.max_in_flight),
            );
        }
        if !(1 << 10..=4 << 30).contains(&self.pipeline.max_in_flight_bytes) {
            return err(
                "pipeline.max_in_flight_bytes",
                format!(
                    "{} is outside 1024..=4294967296",
                    self.pipeline.max_in_flight_bytes
                ),
            );
        }
        if self.pipeline.workers > 1024 {
            return err(
                "pipeline.workers",
                format!("{} is over 1024", self.pipeline.workers),
            );
        }
        if !(10..=600_000).contains(&self.pipeline.commit_interval_ms) {
            return err(
                "pipeline.commit_interval_ms",
                format!(
                    "{} is outside 10..=600000",
                    self.pipeline.commit_interval_ms
                ),
            );
        }
        if self.shutdown.drain_timeout_ms > 3_600_000 {
            return err(
                "shutdown.drain_timeout_ms",
                format!("{} is over one hour", self.shutdown.drain_timeout_ms),
            );
        }
        for l in &self.enrich.languages {
            if l.len() != 2 || !l.bytes().all(|b| b.is_ascii_lowercase()) {
                return err(
                    "enrich.languages",
                    format!("{l:?} is not an ISO 639-1 code (two lowercase letters, e.g. \"en\")"),
                );
            }
        }
        if !(0.5..=1.0).contains(&self.dedup.min_similarity) {
            return err(
                "dedup.min_similarity",
                format!("{} is outside 0.5..=1.0", self.dedup.min_similarity),
            );
        }
        if self.dedup.window > 1_000_000 {
            return err(
                "dedup.window",
                format!("{} is over 1000000", self.dedup.window),
            );
        }
        self.validate_timeouts()?;
        if self.delivery.mode == DeliveryMode::ExactlyOnce {
            self.validate_exactly_once()?;
        }
        for (section, props, reserved) in [
            ("kafka.consumer", &self.kafka.consumer, RESERVED_CONSUMER),
            ("kafka.producer", &self.kafka.producer, RESERVED_PRODUCER),
        ] {
            for k in props.keys() {
                if reserved.contains(&k.as_str()) {
                    return err(
                        &format!("{section}.\"{k}\""),
                        "is set by newsflow itself (delivery guarantees depend on it); remove it"
                            .into(),
                    );
                }
            }
        }
        Ok(())
    }

    /// Number of enrichment worker threads.
    pub fn workers(&self) -> usize {
        if self.pipeline.workers == 0 {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        } else {
            self.pipeline.workers
        }
    }

    /// The settings as JSON with secrets replaced by `***`, for logs.
    pub fn redacted(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).expect("settings serialise");
        for section in ["consumer", "producer"] {
            if let Some(map) = v
                .pointer_mut(&format!("/kafka/{section}"))
                .and_then(|m| m.as_object_mut())
            {
                for (k, val) in map.iter_mut() {
                    if is_secret(k) {
                        *val = serde_json::Value::String("***".into());
                    }
                }
            }
        }
        v
    }
}

/// True for librdkafka properties that carry secrets.
pub fn is_secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "password",
        "secret",
        "token",
        "credential",
        "key.pem",
        "keystore",
        "private",
    ]
    .iter()
    .any(|s| k.contains(s))
        || k == "ssl.key"
        || k.ends_with(".key")
}

/// librdkafka's default `transaction.timeout.ms`.
const LIBRDKAFKA_TRANSACTION_TIMEOUT_MS: u64 = 60_000;
/// librdkafka's default `max.poll.interval.ms`.
const LIBRDKAFKA_MAX_POLL_INTERVAL_MS: u64 = 300_000;

/// A librdkafka property in milliseconds: `None` when unset, an error naming
/// the key when it is not a number.
fn millis(
    section: &str,
    props: &BTreeMap<String, PropValue>,
    key: &str,
) -> Result<Option<u64>, ConfigError> {
    match props.get(key) {
        None => Ok(None),
        Some(v) => v.to_string().trim().parse::<u64>().map(Some).map_err(|_| {
            ConfigError(format!(
                "key `{section}.\"{key}\"`: {v} is not a number of milliseconds"
            ))
        }),
    }
}

fn check_topic_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 249 {
        return Err(format!("topic name {name:?} must have 1 to 249 characters"));
    }
    if name == "." || name == ".." {
        return Err(format!("topic name {name:?} is not allowed"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(format!(
            "topic name {name:?} has {c:?}; only a-z A-Z 0-9 . _ - are allowed"
        ));
    }
    Ok(())
}

fn env_value(v: &str, passthrough: bool) -> toml::Value {
    if passthrough {
        return toml::Value::String(v.to_owned());
    }
    if let Ok(i) = v.parse::<i64>() {
        return toml::Value::Integer(i);
    }
    if let Ok(b) = v.parse::<bool>() {
        return toml::Value::Boolean(b);
    }
    if v.contains('.') {
        if let Ok(f) = v.parse::<f64>() {
            if f.is_finite() {
                return toml::Value::Float(f);
            }
        }
    }
    // A TOML array, for list keys: NEWSFLOW_ENRICH__LANGUAGES='["en", "de"]'.
    if v.trim_start().starts_with('[') {
        if let Ok(t) = format!("v = {v}").parse::<toml::Table>() {
            if let Some(a) = t.get("v") {
                return a.clone();
            }
        }
    }
    toml::Value::String(v.to_owned())
}

fn insert_path(table: &mut toml::Table, path: &[String], value: toml::Value) {
    if path.len() == 1 {
        table.insert(path[0].clone(), value);
        return;
    }
    let entry = table
        .entry(path[0].clone())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if !entry.is_table() {
        *entry = toml::Value::Table(toml::Table::new());
    }
    insert_path(entry.as_table_mut().expect("table"), &path[1..], value);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_load_and_validate() {
        let s = Settings::load_with_env(None, env(&[])).unwrap();
        assert_eq!(s.topics.input, "news.raw");
        assert_eq!(s.limits.max_message_bytes, 1_048_576);
        assert!(s.workers() >= 1);
    }

    #[test]
    fn analytics_outputs_can_be_turned_off_and_framed_as_ndjson() {
        let s = Settings::load_with_env(
            None,
            env(&[
                ("NEWSFLOW_TOPICS__ENTITIES", ""),
                ("NEWSFLOW_OUTPUT__ANALYTICS_FRAMING", "ndjson"),
            ]),
        )
        .unwrap();
        assert_eq!(s.topics.entities, "");
        assert_eq!(s.output.analytics_framing, Framing::Ndjson);
        assert!(!crate::cluster::topics(&s)
            .iter()
            .any(|(k, _)| *k == "topics.entities"));
        // The input, the enriched topic and the dead-letter topic cannot be off.
        for key in ["INPUT", "ENRICHED", "DLQ"] {
            let var = format!("NEWSFLOW_TOPICS__{key}");
            let e = Settings::load_with_env(None, env(&[(var.as_str(), "")])).unwrap_err();
            assert!(
                e.to_string()
                    .contains(&format!("topics.{}", key.to_lowercase())),
                "{e}"
            );
        }
        let e =
            Settings::load_with_env(None, env(&[("NEWSFLOW_OUTPUT__ANALYTICS_FRAMING", "csv")]))
                .unwrap_err();
        assert!(e.to_string().contains("analytics_framing"), "{e}");
    }

    #[test]
    fn environment_overrides_sections_and_passthrough_properties() {
        let s = Settings::load_with_env(
            None,
            env(&[
                ("NEWSFLOW_KAFKA__BROKERS", "b1:9092,b2:9092"),
                ("NEWSFLOW_LIMITS__MAX_MESSAGE_BYTES", "2048"),
                ("NEWSFLOW_KAFKA__CONSUMER__FETCH_WAIT_MAX_MS", "10"),
                ("NEWSFLOW_KAFKA__PRODUCER__SASL_PASSWORD", "hunter2"),
                ("OTHER", "x"),
            ]),
        )
        .unwrap();
        assert_eq!(s.kafka.brokers, "b1:9092,b2:9092");
        assert_eq!(s.limits.max_message_bytes, 2048);
        assert_eq!(s.kafka.consumer["fetch.wait.max.ms"].to_string(), "10");
        let shown = s.redacted().to_string();
        assert!(
            !shown.contains("hunter2") && shown.contains("***"),
            "{shown}"
        );
    }

    #[test]
    fn consumer_group_protocol_drops_the_compiled_in_session_timeout() {
        let s = Settings::load_with_env(
            None,
            env(&[("NEWSFLOW_KAFKA__CONSUMER__GROUP_PROTOCOL", "consumer")]),
        )
        .unwrap();
        assert!(!s.kafka.consumer.contains_key("session.timeout.ms"));
        // A value the user set stays (and librdkafka names it if invalid).
        let s = Settings::load_with_env(
            None,
            env(&[
                ("NEWSFLOW_KAFKA__CONSUMER__GROUP_PROTOCOL", "consumer"),
                ("NEWSFLOW_KAFKA__CONSUMER__SESSION_TIMEOUT_MS", "9000"),
            ]),
        )
        .unwrap();
        assert_eq!(s.kafka.consumer["session.timeout.ms"].to_string(), "9000");
        // The classic protocol keeps the default.
        let s = Settings::load_with_env(None, env(&[])).unwrap();
        assert_eq!(s.kafka.consumer["session.timeout.ms"].to_string(), "6000");
    }

    #[test]
    fn delivery_timeouts_are_checked() {
        for (vars, key) in [
            (
                vec![("NEWSFLOW_KAFKA__PRODUCER__MESSAGE_TIMEOUT_MS", "0")],
                "kafka.producer.\"message.timeout.ms\"",
            ),
            (
                vec![("NEWSFLOW_KAFKA__PRODUCER__DELIVERY_TIMEOUT_MS", "300000")],
                "kafka.producer.\"delivery.timeout.ms\"",
            ),
            (
                vec![
                    ("NEWSFLOW_KAFKA__PRODUCER__DELIVERY_TIMEOUT_MS", "60000"),
                    ("NEWSFLOW_KAFKA__CONSUMER__MAX_POLL_INTERVAL_MS", "30000"),
                ],
                "max.poll.interval.ms\" (30000)",
            ),
        ] {
            let err = Settings::load_with_env(None, env(&vars))
                .unwrap_err()
                .to_string();
            assert!(err.contains(key), "{vars:?}: {err}");
        }
        Settings::load_with_env(
            None,
            env(&[("NEWSFLOW_KAFKA__PRODUCER__DELIVERY_TIMEOUT_MS", "120000")]),
        )
        .unwrap();
    }

    #[test]
    fn secrets_can_come_from_files() {
        let dir = tempfile::tempdir().unwrap();
        let pw = dir.path().join("pw");
        std::fs::write(&pw, "from-a-file\n").unwrap();
        let reference = format!("${{file:{}}}", pw.display());
        let s = Settings::load_with_env(
            None,
            env(&[("NEWSFLOW_KAFKA__PRODUCER__SASL_PASSWORD", &reference)]),
        )
        .unwrap();
        assert_eq!(
            s.kafka.producer["sasl.password"].to_string(),
            "from-a-file",
            "read without the final line break"
        );
        assert!(!s.redacted().to_string().contains("from-a-file"));
        let missing = format!("${{file:{}}}", dir.path().join("nope").display());
        let err = Settings::load_with_env(
            None,
            env(&[("NEWSFLOW_KAFKA__CONSUMER__SASL_PASSWORD", &missing)]),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("kafka.consumer.\"sasl.password\""), "{err}");
        assert!(err.contains("nope"), "{err}");
    }

    #[test]
    fn exactly_once_settings_are_checked_against_each_other() {
        let eos = ("NEWSFLOW_DELIVERY__MODE", "exactly-once");
        let s = Settings::load_with_env(
            None,
            env(&[eos, ("NEWSFLOW_DELIVERY__TRANSACTIONAL_ID", "pod-0")]),
        )
        .unwrap();
        assert_eq!(s.delivery.mode, DeliveryMode::ExactlyOnce);
        assert_eq!(s.delivery.transactional_id(), "pod-0");
        let err = Settings::load_with_env(
            None,
            env(&[
                eos,
                ("NEWSFLOW_KAFKA__PRODUCER__DELIVERY_TIMEOUT_MS", "120000"),
            ]),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("kafka.producer.\"delivery.timeout.ms\""),
            "{err}"
        );
        assert!(err.contains("transaction.timeout.ms (60000)"), "{err}");
        let err = Settings::load_with_env(
            None,
            env(&[
                eos,
                ("NEWSFLOW_KAFKA__PRODUCER__TRANSACTION_TIMEOUT_MS", "10000"),
                ("NEWSFLOW_KAFKA__PRODUCER__DELIVERY_TIMEOUT_MS", "10000"),
                ("NEWSFLOW_PIPELINE__COMMIT_INTERVAL_MS", "6000"),
            ]),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("pipeline.commit_interval_ms"), "{err}");
        // The same values are fine at least once.
        Settings::load_with_env(
            None,
            env(&[("NEWSFLOW_KAFKA__PRODUCER__DELIVERY_TIMEOUT_MS", "120000")]),
        )
        .unwrap();
        let err = Settings::load_with_env(None, env(&[("NEWSFLOW_DELIVERY__MODE", "twice")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("delivery.mode"), "{err}");
    }

    #[test]
    fn invalid_values_name_the_key() {
        let cases = [
            (
                ("NEWSFLOW_LIMITS__MAX_MESSAGE_BYTES", "lots"),
                "limits.max_message_bytes",
            ),
            (
                ("NEWSFLOW_LIMITS__MAX_MESSAGE_BYTES", "0"),
                "limits.max_message_bytes",
            ),
            (("NEWSFLOW_TOPICS__DLQ", "bad topic!"), "topics.dlq"),
            (
                ("NEWSFLOW_PIPELINE__MAX_IN_FLIGHT", "0"),
                "pipeline.max_in_flight",
            ),
            (
                ("NEWSFLOW_KAFKA__CONSUMER__ENABLE_AUTO_COMMIT", "true"),
                "kafka.consumer.\"enable.auto.commit\"",
            ),
            (("NEWSFLOW_TOPICS__INPUT", "news.enriched"), "topics.input"),
            (("NEWSFLOW_PIPELINE__SPEED", "9"), "speed"),
            (("NEWSFLOW_HTTP__LISTEN", "localhost"), "http.listen"),
            (("NEWSFLOW_HTTP__LISTEN", "0.0.0.0:http"), "http.listen"),
        ];
        for ((k, v), key) in cases {
            let e = Settings::load_with_env(None, env(&[(k, v)]))
                .unwrap_err()
                .to_string();
            assert!(e.contains(key), "{k}={v}: {e}");
        }
    }

    #[test]
    fn a_config_file_overrides_defaults_and_errors_name_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "[kafka]\nbrokers = \"x:1\"\ngroup_id = \"g\"\n[shutdown]\ndrain_timeout_ms = 5\n",
        )
        .unwrap();
        let s = Settings::load_with_env(Some(&path), env(&[])).unwrap();
        assert_eq!(
            (s.kafka.brokers.as_str(), s.shutdown.drain_timeout_ms),
            ("x:1", 5)
        );
        std::fs::write(&path, "[shutdown]\ndrain_timeout_ms = \"soon\"\n").unwrap();
        let e = Settings::load_with_env(Some(&path), env(&[]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("shutdown.drain_timeout_ms"), "{e}");
        assert!(Settings::load_with_env(Some(&dir.path().join("none.toml")), env(&[])).is_err());
    }
}
