//! Decode: Kafka message bytes (and key) → [`RawArticle`], or a classified
//! [`DecodeError`] that sends the message to the dead-letter topic.
//!
//! Two input forms are accepted:
//! - a JSON object ([`InputArticle`]): `body` (or `text`, `content`) plus
//!   optional metadata;
//! - plain UTF-8 text whose first non-blank character is neither `{` nor `[`:
//!   the article body, optionally starting with `date YYYY-MM-DD`, which gives
//!   the publication date.
//!
//! The article id is the JSON `id`, else the message key, else a hash of the
//! message bytes, so the same message always gets the same id.

use chrono::{DateTime, NaiveDate, Utc};

use crate::article::{InputArticle, RawArticle};

/// Why a message could not be decoded. The class is stable and goes into the
/// `error.class` header of the dead-letter record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("message value is empty")]
    Empty,
    #[error("message is {size} bytes, over the limit of {limit} (limits.max_message_bytes)")]
    TooLarge { size: usize, limit: usize },
    #[error("message is not valid UTF-8: {0}")]
    InvalidUtf8(String),
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("JSON value is {0}, expected an object")]
    NotAnObject(&'static str),
    #[error("field `{field}`: {reason}")]
    InvalidField { field: &'static str, reason: String },
    #[error("article has no body (expected a non-empty `body`, `text` or `content`)")]
    MissingBody,
}

impl DecodeError {
    /// Stable machine-readable class, for headers, logs and metrics.
    pub fn class(&self) -> &'static str {
        match self {
            DecodeError::Empty => "empty",
            DecodeError::TooLarge { .. } => "too_large",
            DecodeError::InvalidUtf8(_) => "invalid_utf8",
            DecodeError::MalformedJson(_) => "malformed_json",
            DecodeError::NotAnObject(_) => "not_an_object",
            DecodeError::InvalidField { .. } => "invalid_field",
            DecodeError::MissingBody => "missing_body",
        }
    }
}

/// Decodes one message. `key` is the Kafka message key, if any.
pub fn decode(
    value: &[u8],
    key: Option<&[u8]>,
    max_bytes: usize,
) -> Result<RawArticle, DecodeError> {
    if value.len() > max_bytes {
        return Err(DecodeError::TooLarge {
            size: value.len(),
            limit: max_bytes,
        });
    }
    let text = std::str::from_utf8(value).map_err(|e| DecodeError::InvalidUtf8(e.to_string()))?;
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(DecodeError::Empty);
    }
    let fallback_id = || article_id(None, key, value);
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        decode_json(trimmed, fallback_id)
    } else {
        let (published_at, body) = split_date_line(trimmed);
        if body.trim().is_empty() {
            return Err(DecodeError::MissingBody);
        }
        Ok(RawArticle {
            id: fallback_id(),
            title: None,
            body: body.to_owned(),
            published_at,
            publisher: None,
            url: None,
            language: None,
        })
    }
}

fn decode_json(
    text: &str,
    fallback_id: impl FnOnce() -> String,
) -> Result<RawArticle, DecodeError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| DecodeError::MalformedJson(e.to_string()))?;
    if !value.is_object() {
        return Err(DecodeError::NotAnObject(json_kind(&value)));
    }
    let obj = value.as_object().expect("checked above");
    let has_body = ["body", "text", "content"]
        .iter()
        .any(|k| obj.get(*k).is_some_and(|v| !v.is_null()));
    if !has_body {
        return Err(DecodeError::MissingBody);
    }
    for field in [
        "id",
        "body",
        "text",
        "content",
        "title",
        "published_at",
        "source",
        "url",
        "language",
    ] {
        match obj.get(field) {
            None | Some(serde_json::Value::Null) | Some(serde_json::Value::String(_)) => {}
            Some(other) => {
                return Err(DecodeError::InvalidField {
                    field: canonical_field(field),
                    reason: format!("expected a string, found {}", json_kind(other)),
                })
            }
        }
    }
    let input: InputArticle =
        serde_json::from_value(value).map_err(|e| DecodeError::InvalidField {
            field: "body",
            reason: e.to_string(),
        })?;
    if input.body.trim().is_empty() {
        return Err(DecodeError::MissingBody);
    }
    let published_at = match input
        .published_at
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => Some(
            parse_published_at(s).ok_or_else(|| DecodeError::InvalidField {
                field: "published_at",
                reason: format!("{s:?} is neither RFC 3339 nor YYYY-MM-DD"),
            })?,
        ),
    };
    let non_empty = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    Ok(RawArticle {
        id: match non_empty(input.id) {
            Some(id) => id,
            None => fallback_id(),
        },
        title: non_empty(input.title),
        body: input.body,
        published_at,
        publisher: non_empty(input.source),
        url: non_empty(input.url),
        language: non_empty(input.language),
    })
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Object(_) => "an object",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Null => "null",
    }
}

/// The documented name of a field or alias.
fn canonical_field(f: &str) -> &'static str {
    match f {
        "id" => "id",
        "title" => "title",
        "published_at" => "published_at",
        "source" => "source",
        "url" => "url",
        "language" => "language",
        _ => "body",
    }
}

/// Parses RFC 3339 or a bare `YYYY-MM-DD` (taken as midnight UTC).
pub fn parse_published_at(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// Splits an optional leading `date YYYY-MM-DD` off a plain-text article.
fn split_date_line(text: &str) -> (Option<DateTime<Utc>>, &str) {
    let Some(rest) = text.strip_prefix("date") else {
        return (None, text);
    };
    let rest_trimmed = rest.trim_start_matches([' ', '\t']);
    if rest_trimmed.len() == rest.len()
        || rest_trimmed.len() < 10
        || !rest_trimmed.is_char_boundary(10)
    {
        return (None, text);
    }
    let (date, body) = rest_trimmed.split_at(10);
    match parse_published_at(date) {
        Some(d) if body.is_empty() || body.starts_with(char::is_whitespace) => {
            (Some(d), body.trim_start())
        }
        _ => (None, text),
    }
}

/// The one article-id rule, for decoded articles, pass-through records and
/// dead letters alike: the JSON `id`, else the message key, else a hash of
/// the message bytes. Ids and keys are trimmed, and count only when something
/// is left; a key that is not UTF-8 is not used (a lossy copy would map
/// different keys to one id). The same message always gets the same id.
pub fn article_id(json_id: Option<&str>, key: Option<&[u8]>, bytes: &[u8]) -> String {
    let usable = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
    json_id
        .and_then(usable)
        .or_else(|| {
            key.and_then(|k| std::str::from_utf8(k).ok())
                .and_then(usable)
        })
        .unwrap_or_else(|| content_id(bytes))
}

/// A stable id derived from the message bytes.
pub fn content_id(bytes: &[u8]) -> String {
    format!("h{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = 1 << 20;

    #[test]
    fn plain_text_with_date_line() {
        let a = decode(
            b" date 2022-07-19 Russian President Vladimir Putin visited Tehran.",
            None,
            MAX,
        )
        .unwrap();
        assert_eq!(
            a.published_at.unwrap().to_rfc3339(),
            "2022-07-19T00:00:00+00:00"
        );
        assert_eq!(a.body, "Russian President Vladimir Putin visited Tehran.");
        assert!(a.id.starts_with('h'));
    }

    #[test]
    fn plain_text_without_date_keeps_everything() {
        let a = decode(b"dated documents were found.", Some(b"k1"), MAX).unwrap();
        assert_eq!(a.body, "dated documents were found.");
        assert_eq!(a.published_at, None);
        assert_eq!(a.id, "k1");
    }

    #[test]
    fn json_with_aliases_and_id_precedence() {
        let a = decode(
            br#"{"text":"Hello world","id":"a1","published_at":"2024-03-01T10:00:00+02:00"}"#,
            Some(b"key"),
            MAX,
        )
        .unwrap();
        assert_eq!(a.id, "a1");
        assert_eq!(a.body, "Hello world");
        assert_eq!(
            a.published_at.unwrap().to_rfc3339(),
            "2024-03-01T08:00:00+00:00"
        );
        let b = decode(br#"{"content":"Hello"}"#, Some(b"key"), MAX).unwrap();
        assert_eq!(b.id, "key");
        let c = decode(br#"{"body":"Hello"}"#, None, MAX).unwrap();
        assert_eq!(c.id, content_id(br#"{"body":"Hello"}"#));
    }

    #[test]
    fn every_bad_input_has_its_class() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "empty"),
            (b"   \n", "empty"),
            (b"\xff\xfe bad", "invalid_utf8"),
            (b"{\"body\": ", "malformed_json"),
            (b"[1,2]", "not_an_object"),
            (b"{\"body\": 42}", "invalid_field"),
            (
                b"{\"body\": \"x\", \"published_at\": \"yesterday\"}",
                "invalid_field",
            ),
            (b"{\"title\": \"no body\"}", "missing_body"),
            (b"{\"body\": \"   \"}", "missing_body"),
        ];
        for (input, class) in cases {
            let err = decode(input, None, MAX).unwrap_err();
            assert_eq!(
                err.class(),
                *class,
                "input {:?}: {err}",
                String::from_utf8_lossy(input)
            );
        }
        assert_eq!(
            decode(&[b'a'; 11], None, 10).unwrap_err().class(),
            "too_large"
        );
    }

    #[test]
    fn one_article_id_rule() {
        let bytes = b"payload";
        assert_eq!(article_id(Some(" a1 "), Some(b"k"), bytes), "a1");
        assert_eq!(article_id(Some("  "), Some(b" k1 "), bytes), "k1");
        assert_eq!(
            article_id(None, Some(b"\xff\xfe"), bytes),
            content_id(bytes)
        );
        assert_eq!(article_id(None, Some(b"   "), bytes), content_id(bytes));
        assert_eq!(article_id(None, None, bytes), content_id(bytes));
        // decode follows the same rule for both input forms
        assert_eq!(decode(b"plain body", Some(b" k2 "), MAX).unwrap().id, "k2");
        assert_eq!(
            decode(br#"{"id":" ","body":"b"}"#, Some(b"\xff"), MAX)
                .unwrap()
                .id,
            content_id(br#"{"id":" ","body":"b"}"#)
        );
    }

    #[test]
    fn wrong_type_names_the_field() {
        let err = decode(br#"{"body":"x","title":7}"#, None, MAX).unwrap_err();
        assert!(
            matches!(err, DecodeError::InvalidField { field: "title", .. }),
            "{err:?}"
        );
    }
}
