//! Prometheus metrics: the names, their descriptions, and the one recorder
//! of the process.
//!
//! Why the `metrics` facade with its Prometheus exporter: instrumented code
//! says `counter!(NAME, label => value).increment(1)` where the event happens
//! (the per-message counters as handles registered once, [`Counters`]) and
//! never sees the exposition format; the exporter keeps the values and
//! renders the text format for `/metrics` ([`crate::http`]). The recorder is
//! process-wide and installed once, so services started one after another
//! in one process (the in-process tests, an exactly-once restart) add to the
//! same counters, as a Prometheus scrape expects of a process.
//!
//! Names are stable and documented in the README; histograms have fixed
//! buckets (seconds), chosen for per-message processing (tens of
//! microseconds to a second).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use metrics::Counter;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::config::Topics;

/// Input messages polled, by topic.
pub const CONSUMED: &str = "newsflow_messages_consumed_total";
/// Articles enriched and sent.
pub const ENRICHED: &str = "newsflow_articles_enriched_total";
/// Messages sent to the dead-letter topic, by class.
pub const DEAD_LETTERS: &str = "newsflow_dead_letters_total";
/// Output records enqueued to the producer, by topic.
pub const PRODUCED: &str = "newsflow_records_produced_total";
/// Messages polled and not yet complete (committed or in a committed transaction).
pub const IN_FLIGHT: &str = "newsflow_in_flight_messages";
/// Input bytes polled and not yet complete.
pub const IN_FLIGHT_BYTES: &str = "newsflow_in_flight_bytes";
/// Age of the oldest message polled and not yet complete (freshness).
pub const OLDEST_IN_FLIGHT: &str = "newsflow_oldest_in_flight_age_seconds";
/// High watermark minus the consumer's position, by topic and partition
/// (librdkafka's statistics, every `statistics.interval.ms`).
pub const CONSUMER_LAG: &str = "newsflow_consumer_lag";
/// Decode to encode of one message.
pub const PROCESSING: &str = "newsflow_processing_seconds";
/// Input record timestamp to the acknowledgement of its last output (at
/// least once) or to the commit of its transaction (exactly once).
pub const END_TO_END: &str = "newsflow_end_to_end_seconds";
/// Taxonomy reloads, by result (`applied` or `rejected`).
pub const RELOADS: &str = "newsflow_taxonomy_reloads_total";
/// 1, with the version as a label.
pub const BUILD_INFO: &str = "newsflow_build_info";

/// The process's recorder, installed on first use.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let handle = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Suffix("_seconds".into()),
                &[
                    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05,
                    0.1, 0.25, 0.5, 1.0,
                ],
            )
            .expect("static bucket list")
            // End to end includes the time a record waited in the input
            // topic: milliseconds when fresh, minutes in a backlog.
            .set_buckets_for_metric(
                Matcher::Full(END_TO_END.into()),
                &[
                    0.001, 0.002_5, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                    30.0, 60.0, 300.0,
                ],
            )
            .expect("static bucket list")
            .install_recorder()
            .expect("the process's only metrics recorder");
        describe();
        handle
    })
}

/// Handles of the per-message counters, registered once per pipeline: a
/// `counter!` call builds its key (a `String` label for a topic) and looks it
/// up in the registry each time, which per output record is on the hot path.
pub struct Counters {
    /// Input messages polled (the one input topic).
    pub consumed: Counter,
    pub enriched: Counter,
    /// Records produced, per output topic.
    produced: Vec<(String, Counter)>,
}

impl Counters {
    pub fn new(topics: &Topics) -> Counters {
        handle();
        let produced = [
            &topics.enriched,
            &topics.entities,
            &topics.topics,
            &topics.dlq,
        ]
        .into_iter()
        .map(|t| (t.clone(), metrics::counter!(PRODUCED, "topic" => t.clone())))
        .collect();
        Counters {
            consumed: metrics::counter!(CONSUMED, "topic" => topics.input.clone()),
            enriched: metrics::counter!(ENRICHED),
            produced,
        }
    }

    /// Counts one record produced to `topic`.
    pub fn count_produced(&self, topic: &str) {
        match self.produced.iter().find(|(t, _)| t == topic) {
            Some((_, c)) => c.increment(1),
            None => metrics::counter!(PRODUCED, "topic" => topic.to_owned()).increment(1),
        }
    }
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(CONSUMED, "Input messages polled, by topic.");
    describe_counter!(ENRICHED, "Articles enriched and sent.");
    describe_counter!(
        DEAD_LETTERS,
        "Messages sent to the dead-letter topic, by class."
    );
    describe_counter!(
        PRODUCED,
        "Output records enqueued to the producer, by topic."
    );
    describe_gauge!(IN_FLIGHT, "Messages polled and not yet complete.");
    describe_gauge!(
        IN_FLIGHT_BYTES,
        Unit::Bytes,
        "Input bytes polled and not yet complete."
    );
    describe_gauge!(
        OLDEST_IN_FLIGHT,
        Unit::Seconds,
        "Age of the oldest message polled and not yet complete."
    );
    describe_gauge!(
        CONSUMER_LAG,
        "High watermark minus the consumer's position, by topic and partition."
    );
    describe_histogram!(
        END_TO_END,
        Unit::Seconds,
        "Input record timestamp to the acknowledgement of its last output."
    );
    describe_histogram!(
        PROCESSING,
        Unit::Seconds,
        "Decode to encode of one message."
    );
    describe_counter!(RELOADS, "Taxonomy reloads, by result.");
    describe_gauge!(BUILD_INFO, "Build information; the value is 1.");
    metrics::gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
}

/// Input bytes held by in-flight messages, kept by [`crate::source::InFlight`]
/// (a gauge set on each scrape, as `newsflow_in_flight_messages` is).
static IN_FLIGHT_BYTES_NOW: AtomicU64 = AtomicU64::new(0);

/// A message of `n` bytes entered (`true`) or left the pipeline.
pub fn in_flight_bytes(n: u64, entered: bool) {
    if entered {
        IN_FLIGHT_BYTES_NOW.fetch_add(n, Ordering::Relaxed);
    } else {
        IN_FLIGHT_BYTES_NOW.fetch_sub(n, Ordering::Relaxed);
    }
}

/// Input bytes in flight now.
pub fn in_flight_bytes_now() -> u64 {
    IN_FLIGHT_BYTES_NOW.load(Ordering::Relaxed)
}

/// Records one message's end-to-end time from its input record timestamp
/// (milliseconds since the epoch; none or a clock skew records nothing).
pub fn end_to_end(timestamp_ms: Option<i64>) {
    let Some(ts) = timestamp_ms else { return };
    let now = chrono::Utc::now().timestamp_millis();
    if now >= ts {
        metrics::histogram!(END_TO_END).record((now - ts) as f64 / 1000.0);
    }
}
