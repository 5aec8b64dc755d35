//! Sink: the idempotent Kafka producer and the records it sends.
//!
//! The producer always runs with `enable.idempotence=true` and `acks=all`:
//! a record counts as delivered only when every in-sync replica has it, and
//! librdkafka's retries cannot duplicate or reorder records within a
//! partition. Sending is two-step: [`Sink::send`] enqueues (in pipeline order)
//! and returns a future that resolves on the broker's acknowledgement.

use std::time::Duration;

use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord, Producer};

use newsflow_core::DeadLetterReason;

use std::sync::Arc;

use crate::cluster::{ClientErrors, SinkContext};
use crate::config::{DeliveryMode, Settings};
use crate::shutdown::Shutdown;

/// How long to wait before retrying a record that librdkafka's queue
/// refused as full: about the time the producer thread needs to move a
/// batch onto the wire, so the retry usually succeeds without spinning.
const QUEUE_FULL_BACKOFF: Duration = Duration::from_millis(2);

/// A record ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub topic: String,
    pub key: Option<Vec<u8>>,
    pub payload: Vec<u8>,
    pub headers: Option<OwnedHeaders>,
}

/// The producer's librdkafka configuration; in exactly-once mode with the
/// instance's `transactional.id`.
pub fn producer_config(settings: &Settings) -> ClientConfig {
    let mut c = ClientConfig::new();
    for (k, v) in &settings.kafka.producer {
        c.set(k, v.to_string());
    }
    c.set("bootstrap.servers", &settings.kafka.brokers)
        .set("client.id", &settings.kafka.client_id)
        .set("enable.idempotence", "true")
        .set("acks", "all");
    if settings.delivery.mode == DeliveryMode::ExactlyOnce {
        c.set("transactional.id", settings.delivery.transactional_id());
    }
    c
}

/// The output side.
#[derive(Clone)]
pub struct Sink {
    producer: FutureProducer<SinkContext>,
    errors: Arc<ClientErrors>,
    fatal_stop: Arc<std::sync::Mutex<Option<Shutdown>>>,
}

impl Sink {
    pub fn new(settings: &Settings) -> Result<Sink, KafkaError> {
        let context = SinkContext::default();
        Ok(Sink {
            producer: producer_config(settings).create_with_context(context.clone())?,
            errors: context.errors,
            fatal_stop: context.fatal_stop,
        })
    }

    /// Triggers `stop` when librdkafka raises a fatal error for the
    /// producer (for example an idempotence sequence the broker refuses).
    pub fn stop_on_fatal(&self, stop: Shutdown) {
        *self.fatal_stop.lock().unwrap() = Some(stop);
    }

    /// The producer's fatal error, if librdkafka raised one: the producer
    /// instance cannot be used any more.
    pub fn fatal(&self) -> Option<String> {
        self.producer
            .client()
            .fatal_error()
            .map(|(code, reason)| format!("{code:?}: {reason}"))
    }

    /// Enqueues a record, waiting while librdkafka's queue is full. An error
    /// here is immediate (for example a record over `message.max.bytes`).
    pub async fn send(&self, r: &Outgoing) -> Result<DeliveryFuture, KafkaError> {
        loop {
            let mut rec = FutureRecord::to(&r.topic).payload(&r.payload);
            if let Some(k) = &r.key {
                rec = rec.key(k);
            }
            if let Some(h) = &r.headers {
                rec = rec.headers(h.clone());
            }
            match self.producer.send_result(rec) {
                Ok(f) => return Ok(f),
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                    tokio::time::sleep(QUEUE_FULL_BACKOFF).await;
                }
                Err((e, _)) => return Err(e),
            }
        }
    }

    /// Waits until every enqueued record is acknowledged or `timeout` passes.
    pub fn flush(&self, timeout: Duration) -> Result<(), KafkaError> {
        self.producer.flush(timeout)
    }

    /// Errors the producer's client reported.
    pub fn errors(&self) -> &ClientErrors {
        &self.errors
    }

    /// The transactional producer's handle for [`crate::transaction`].
    pub fn producer(&self) -> &FutureProducer<SinkContext> {
        &self.producer
    }
}

/// True for the error librdkafka gives a record over `message.max.bytes`.
pub fn is_too_large(e: &KafkaError) -> bool {
    matches!(
        e,
        KafkaError::MessageProduction(RDKafkaErrorCode::MessageSizeTooLarge)
            | KafkaError::MessageProduction(RDKafkaErrorCode::InvalidMessageSize)
    )
}

/// True for delivery errors that retrying cannot cure: the broker refused
/// the record itself (over the topic's `max.message.bytes`, an invalid
/// record, a policy), or its topic is gone or not ours to write. The input
/// is dead-lettered instead of redone forever ([`DeadLetterReason::Rejected`]).
/// Timeouts, unreachable brokers and leader changes are not here: those
/// stop the service without committing, and the message is redone.
pub fn is_permanent(e: &KafkaError) -> bool {
    use RDKafkaErrorCode as C;
    matches!(
        e.rdkafka_error_code(),
        Some(
            C::MessageSizeTooLarge
                | C::InvalidMessageSize
                | C::MessageBatchTooLarge
                | C::InvalidRecord
                | C::PolicyViolation
                | C::InvalidTopic
                | C::UnknownTopic
                | C::UnknownTopicOrPartition
                | C::TopicAuthorizationFailed
                | C::ClusterAuthorizationFailed
        )
    )
}

/// The most of the input a dead letter keeps when the dead-letter topic
/// refuses the whole input as too large.
pub const TRUNCATED_DEAD_LETTER: usize = 64 * 1024;

/// `record` cut to [`TRUNCATED_DEAD_LETTER`] bytes of payload, with the
/// original length in an `error.truncated_from` header.
pub fn truncated(record: &Outgoing) -> Outgoing {
    let mut r = record.clone();
    let from = r.payload.len().to_string();
    r.payload.truncate(TRUNCATED_DEAD_LETTER);
    r.headers = Some(r.headers.unwrap_or_default().insert(Header {
        key: "error.truncated_from",
        value: Some(&from),
    }));
    r
}

/// Input headers copied onto every record the input causes: the W3C trace
/// context, so that traces continue through newsflow.
pub const TRACE_HEADERS: &[&str] = &["traceparent", "tracestate"];

/// Adds lineage headers to one input's records: `newsflow.source`
/// (`topic/partition/offset` of the input), `newsflow.output` (`index/count`
/// among its records) and the input's trace context. A redo of the input
/// produces records with the same headers, so downstream can drop redo
/// duplicates by (`newsflow.source`, `newsflow.output`). Dead letters carry
/// every original header already and get only the `newsflow.*` ones.
pub fn add_lineage(records: &mut [Outgoing], source: &str, input: Option<&OwnedHeaders>) {
    use rdkafka::message::Headers;
    let count = records.len();
    for (i, r) in records.iter_mut().enumerate() {
        let mut h = r.headers.take().unwrap_or_default();
        let copies_all = h.count() > 0;
        let index = format!("{i}/{count}");
        h = h
            .insert(Header {
                key: "newsflow.source",
                value: Some(source),
            })
            .insert(Header {
                key: "newsflow.output",
                value: Some(&index),
            });
        if let (Some(input), false) = (input, copies_all) {
            for header in input.iter() {
                if TRACE_HEADERS.contains(&header.key) {
                    h = h.insert(Header {
                        key: header.key,
                        value: header.value,
                    });
                }
            }
        }
        r.headers = Some(h);
    }
}

/// The dead-letter record for a message: original key and bytes, original
/// headers, the reason, and its lineage ([`add_lineage`]: the input's
/// position as `newsflow.source`, `newsflow.output` `0/1`), so every way a
/// message ends in the dead-letter topic gives the same record.
pub fn dead_letter(
    dlq_topic: &str,
    source: (&str, i32, i64),
    key: Option<Vec<u8>>,
    payload: Vec<u8>,
    original_headers: Option<&OwnedHeaders>,
    reason: &DeadLetterReason,
) -> Outgoing {
    let class = reason.class();
    let message = reason.to_string();
    let mut h = OwnedHeaders::new();
    if let Some(orig) = original_headers {
        use rdkafka::message::Headers;
        for header in orig.iter() {
            h = h.insert(Header {
                key: header.key,
                value: header.value,
            });
        }
    }
    let partition = source.1.to_string();
    let offset = source.2.to_string();
    h = h
        .insert(Header {
            key: "error.class",
            value: Some(class),
        })
        .insert(Header {
            key: "error.message",
            value: Some(&message),
        })
        .insert(Header {
            key: "source.topic",
            value: Some(source.0),
        })
        .insert(Header {
            key: "source.partition",
            value: Some(&partition),
        })
        .insert(Header {
            key: "source.offset",
            value: Some(&offset),
        });
    let mut record = [Outgoing {
        topic: dlq_topic.to_owned(),
        key,
        payload,
        headers: Some(h),
    }];
    let position = format!("{}/{}/{}", source.0, source.1, source.2);
    add_lineage(&mut record, &position, None);
    let [record] = record;
    record
}
