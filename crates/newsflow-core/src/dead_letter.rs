//! Why a message goes to the dead-letter topic.
//!
//! One enum for every reason, so the `error.class` header, the WARN line and
//! the metrics all come from the same place and a new reason cannot be
//! forgotten in one of them. The classes are part of the DLQ contract
//! (README, "Input contract"): stable, lower-case, machine-readable.

use crate::decode::DecodeError;

/// The reason a message was dead-lettered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadLetterReason {
    /// The message could not be decoded into an article.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The enriched event is over the producer's `message.max.bytes`; the
    /// text is the producer's error.
    #[error("enriched event is too large for the output topic: {0}")]
    OutputTooLarge(String),
    /// Decoding, enrichment or encoding panicked; the text is the panic's.
    /// The service catches it per message, so the partition moves on.
    #[error("processing panicked: {0}")]
    Panic(String),
    /// The broker refused an output record for good (larger than the
    /// topic's `max.message.bytes`, topic deleted, not authorised); the
    /// text names the topic and the broker's error. Retrying would fail the
    /// same way, so the input is dead-lettered instead of redone forever.
    #[error("the broker rejected an output record: {0}")]
    Rejected(String),
}

impl DeadLetterReason {
    /// Stable machine-readable class, for the `error.class` header, logs and
    /// metrics.
    pub fn class(&self) -> &'static str {
        match self {
            DeadLetterReason::Decode(e) => e.class(),
            DeadLetterReason::OutputTooLarge(_) => "output_too_large",
            DeadLetterReason::Panic(_) => "panic",
            DeadLetterReason::Rejected(_) => "rejected",
        }
    }

    /// Every class a dead letter can carry, in the order the README lists them.
    pub const CLASSES: &'static [&'static str] = &[
        "empty",
        "invalid_utf8",
        "malformed_json",
        "not_an_object",
        "invalid_field",
        "missing_body",
        "too_large",
        "output_too_large",
        "panic",
        "rejected",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_a_listed_class_and_a_message() {
        let reasons = [
            DecodeError::Empty.into(),
            DecodeError::InvalidUtf8("x".into()).into(),
            DecodeError::MalformedJson("x".into()).into(),
            DecodeError::NotAnObject("an array").into(),
            DecodeError::InvalidField {
                field: "title",
                reason: "x".into(),
            }
            .into(),
            DecodeError::MissingBody.into(),
            DecodeError::TooLarge { size: 2, limit: 1 }.into(),
            DeadLetterReason::OutputTooLarge("Broker: Message size too large".into()),
            DeadLetterReason::Panic("index out of bounds".into()),
            DeadLetterReason::Rejected("news.enriched: Broker: Topic authorization failed".into()),
        ];
        let classes: Vec<&str> = reasons.iter().map(DeadLetterReason::class).collect();
        assert_eq!(classes, DeadLetterReason::CLASSES);
        for r in &reasons {
            assert!(!r.to_string().is_empty(), "{r:?}");
        }
        assert!(reasons[7].to_string().contains("Message size too large"));
    }
}
