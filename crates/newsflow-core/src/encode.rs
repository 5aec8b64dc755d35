//! Encode: an [`EnrichedArticle`] → the records for the output topics.
//!
//! One enriched event (nested, complete) and the flat analytics rows derived
//! from it: one per (article, entity) and one per (article, topic), shaped for
//! column stores such as ClickHouse, Druid or Pinot. All are keyed by article
//! id, so every record about one article lands in one partition per topic.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::article::{
    EnrichedArticle, EnrichedEvent, EntityEvent, SourcePosition, TopicEvent, ENRICHED_SCHEMA,
    ENTITY_EVENT_SCHEMA, TOPIC_EVENT_SCHEMA,
};

/// Version stamped into every event.
pub const PIPELINE_VERSION: &str = concat!("newsflow/", env!("CARGO_PKG_VERSION"));

/// Which configured output topic a record goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    Enriched,
    Entities,
    Topics,
}

/// A serialised output record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutRecord {
    pub destination: Destination,
    pub key: String,
    pub payload: Vec<u8>,
}

/// RFC 3339 in UTC with second precision (milliseconds when present).
pub fn rfc3339(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Builds the enriched event. It takes the article by value: its body and
/// results move into the event instead of being copied.
pub fn enriched_event(
    a: EnrichedArticle,
    source: Option<SourcePosition>,
    processed_at: &DateTime<Utc>,
) -> EnrichedEvent {
    EnrichedEvent {
        schema: ENRICHED_SCHEMA.to_owned(),
        id: a.id,
        published_at: a.published_at.as_ref().map(rfc3339),
        title: a.title,
        body: a.body,
        language: a.language,
        declared_language: a.declared_language,
        publisher: a.publisher,
        url: a.url,
        entities: a.entities,
        topics: a.topics,
        values: a.values,
        captions: a.captions,
        quotes: a.quotes,
        tone: a.tone,
        fingerprint: a.fingerprint,
        duplicate_of: a.duplicate_of,
        source,
        processed_at: rfc3339(processed_at),
        pipeline_version: PIPELINE_VERSION.to_owned(),
    }
}

/// The enriched event as JSON bytes, in a buffer sized for it up front (the
/// event repeats the body and adds roughly as much again of results).
pub fn enriched_json(
    a: EnrichedArticle,
    source: Option<SourcePosition>,
    processed_at: &DateTime<Utc>,
) -> Vec<u8> {
    let hint = 2 * a.body.len() + 1024;
    erased::Ser::to_vec(&enriched_event(a, source, processed_at), hint)
}

/// The flat rows of one article.
pub fn analytics_events(
    a: &EnrichedArticle,
    processed_at: &DateTime<Utc>,
) -> (Vec<EntityEvent>, Vec<TopicEvent>) {
    let published_at = a.published_at.as_ref().map(rfc3339);
    let processed_at = rfc3339(processed_at);
    let topic_ids: Vec<String> = a.topics.iter().map(|t| t.id.clone()).collect();
    let entities = a
        .entities
        .iter()
        .map(|e| EntityEvent {
            schema: ENTITY_EVENT_SCHEMA.to_owned(),
            article_id: a.id.clone(),
            entity_id: e.id.clone(),
            name: e.name.clone(),
            entity_type: e.entity_type,
            mentions: e.mentions.len() as u32,
            salience: e.salience,
            lat: e.geo.as_ref().map(|g| g.lat),
            lon: e.geo.as_ref().map(|g| g.lon),
            country_code: e.geo.as_ref().and_then(|g| g.country_code.clone()),
            published_at: published_at.clone(),
            topic_ids: topic_ids.clone(),
            processed_at: processed_at.clone(),
        })
        .collect();
    let topics = a
        .topics
        .iter()
        .map(|t| TopicEvent {
            schema: TOPIC_EVENT_SCHEMA.to_owned(),
            article_id: a.id.clone(),
            topic_id: t.id.clone(),
            label: t.label.clone(),
            kind: t.kind,
            score: t.score,
            published_at: published_at.clone(),
            processed_at: processed_at.clone(),
        })
        .collect();
    (entities, topics)
}

/// Every output record of one article: the enriched event first, then the
/// entity rows, then the topic rows.
pub fn encode(
    a: EnrichedArticle,
    source: Option<SourcePosition>,
    processed_at: &DateTime<Utc>,
) -> Vec<OutRecord> {
    let (entities, topics) = analytics_events(&a, processed_at);
    let mut out = Vec::with_capacity(1 + entities.len() + topics.len());
    let json = |v: &dyn erased::Ser, size_hint: usize| v.to_vec(size_hint);
    let key = a.id.clone();
    out.push(OutRecord {
        destination: Destination::Enriched,
        key: key.clone(),
        payload: enriched_json(a, source, processed_at),
    });
    out.extend(entities.iter().map(|e| OutRecord {
        destination: Destination::Entities,
        key: key.clone(),
        payload: json(e, 256),
    }));
    out.extend(topics.iter().map(|t| OutRecord {
        destination: Destination::Topics,
        key: key.clone(),
        payload: json(t, 256),
    }));
    out
}

mod erased {
    /// Object-safe "serialise to JSON bytes".
    pub trait Ser {
        /// `size_hint`: the buffer's first capacity, to spare regrowing.
        fn to_vec(&self, size_hint: usize) -> Vec<u8>;
    }
    impl<T: serde::Serialize> Ser for T {
        fn to_vec(&self, size_hint: usize) -> Vec<u8> {
            let mut out = Vec::with_capacity(size_hint);
            serde_json::to_writer(&mut out, self).expect("model types serialise");
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::{Entity, EntityType, Mention, Topic, TopicKind};

    #[test]
    fn records_are_keyed_and_flat_rows_carry_topic_ids() {
        let a = EnrichedArticle {
            id: "a1".into(),
            title: None,
            body: "Putin spoke.".into(),
            published_at: crate::decode::parse_published_at("2022-07-19"),
            publisher: None,
            url: None,
            language: "en".into(),
            entities: vec![Entity {
                id: "Q7747".into(),
                name: "Vladimir Putin".into(),
                entity_type: EntityType::Person,
                mentions: vec![Mention {
                    start: 0,
                    end: 5,
                    text: "Putin".into(),
                }],
                salience: 1.0,
                geo: None,
                tone: 0.0,
            }],
            topics: vec![Topic {
                id: "t".into(),
                label: "T".into(),
                kind: TopicKind::Storyline,
                score: 0.5,
                evidence: vec![],
            }],
            values: vec![],
            captions: vec![],
            declared_language: None,
            quotes: vec![],
            tone: Default::default(),
            fingerprint: "0000000000000000".into(),
            duplicate_of: None,
        };
        let now = crate::decode::parse_published_at("2024-01-01T00:00:00Z").unwrap();
        let recs = encode(a, None, &now);
        assert_eq!(recs.len(), 3);
        assert!(recs.iter().all(|r| r.key == "a1"));
        let ev: serde_json::Value = serde_json::from_slice(&recs[0].payload).unwrap();
        assert_eq!(ev["schema"], "newsflow.enriched.v1");
        assert_eq!(ev["published_at"], "2022-07-19T00:00:00Z");
        let row: serde_json::Value = serde_json::from_slice(&recs[1].payload).unwrap();
        assert_eq!(row["entity_id"], "Q7747");
        assert_eq!(row["mentions"], 1);
        assert_eq!(row["topic_ids"], serde_json::json!(["t"]));
        assert_eq!(row["type"], "person");
    }
}
