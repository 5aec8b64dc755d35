//! The data model: what comes in, what the enrichment core produces, and the
//! flat analytics rows derived from it.
//!
//! Everything here is plain data with serde and JSON Schema derives. The JSON
//! Schemas in `docs/schemas/` are generated from these types
//! (`newsflow schema --out docs/schemas`) and a test fails when they drift.
//!
//! All character offsets (`start`, `end`) are **Unicode scalar value** offsets
//! into [`EnrichedArticle::body`], end-exclusive, so that
//! `body.chars().skip(start).take(end - start)` equals the mention's `text`.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Schema id carried by every enriched event.
pub const ENRICHED_SCHEMA: &str = "newsflow.enriched.v1";
/// Schema id carried by every flat entity event.
pub const ENTITY_EVENT_SCHEMA: &str = "newsflow.entity.v1";
/// Schema id carried by every flat topic event.
pub const TOPIC_EVENT_SCHEMA: &str = "newsflow.topic.v1";

/// An article as accepted on the input topic, in its JSON form.
///
/// Plain UTF-8 text is accepted too (see [`crate::decode`]); it is turned into
/// the same [`RawArticle`].
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[schemars(title = "newsflow input article")]
pub struct InputArticle {
    /// Article id. When absent, the Kafka message key is used, else a hash of
    /// the message bytes.
    #[serde(default)]
    pub id: Option<String>,
    /// The article text. Aliases: `text`, `content`.
    #[serde(alias = "text", alias = "content")]
    pub body: String,
    /// Headline.
    #[serde(default)]
    pub title: Option<String>,
    /// Publication time: RFC 3339 (`2022-07-19T08:30:00Z`) or a date (`2022-07-19`).
    #[serde(default)]
    pub published_at: Option<String>,
    /// Publisher or feed name, for example `reuters`.
    #[serde(default)]
    pub source: Option<String>,
    /// Canonical URL of the article.
    #[serde(default)]
    pub url: Option<String>,
    /// ISO 639-1 language code, for example `en`.
    #[serde(default)]
    pub language: Option<String>,
}

/// A decoded, validated article: the input of the enrichment core.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawArticle {
    pub id: String,
    pub title: Option<String>,
    pub body: String,
    pub published_at: Option<DateTime<Utc>>,
    pub publisher: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
}

/// Coarse entity type, as in CoNLL-2003 (PER, ORG, LOC, MISC).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum EntityType {
    Person,
    Organization,
    Location,
    Misc,
}

impl EntityType {
    /// The lowercase name used in JSON and in ids.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Person => "person",
            EntityType::Organization => "organization",
            EntityType::Location => "location",
            EntityType::Misc => "misc",
        }
    }

    /// Parses the lowercase name (`person`, `organization`, `location`, `misc`).
    pub fn parse(s: &str) -> Option<EntityType> {
        match s {
            "person" => Some(EntityType::Person),
            "organization" | "organisation" => Some(EntityType::Organization),
            "location" => Some(EntityType::Location),
            "misc" => Some(EntityType::Misc),
            _ => None,
        }
    }
}

/// One occurrence of an entity in the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Mention {
    /// Start, in Unicode characters from the start of `body`.
    pub start: usize,
    /// End (exclusive), in Unicode characters.
    pub end: usize,
    /// The mentioned text, equal to `body[start..end]`.
    pub text: String,
}

/// A person, organisation, place or other named thing found in an article,
/// with every mention of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Entity {
    /// Canonical id, the same in every article: `geonames:<id>` for places in
    /// the gazetteer, a Wikidata QID (`Q7747`) for curated people and
    /// organisations, else `newsflow:<type>:<normalised-name>`.
    pub id: String,
    /// Canonical name.
    pub name: String,
    #[serde(rename = "type")]
    pub entity_type: EntityType,
    /// Every mention, in text order.
    pub mentions: Vec<Mention>,
    /// How central the entity is to the article, in (0, 1]; the most salient
    /// entity scores 1.
    pub salience: f64,
    /// Where a place is: present on every location linked to the gazetteer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geo: Option<Geo>,
    /// Tone of the sentences that mention the entity: their `polarity`
    /// (see [`Tone`]); 0 when none of their words is in the lexicon.
    #[serde(default)]
    pub tone: f64,
}

/// What kind of place a [`Geo`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum GeoFeature {
    Country,
    Continent,
    Region,
    Sea,
    /// A first-level division (a US state).
    Admin1,
    City,
}

/// Coordinates and facts of a place, from GeoNames (or, for regions and
/// seas, newsflow's curated table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Geo {
    /// Latitude in degrees, WGS 84. For a country, its capital's; for a
    /// continent, region or sea, a representative point inside it.
    pub lat: f64,
    /// Longitude in degrees, WGS 84.
    pub lon: f64,
    /// ISO 3166-1 alpha-2 code of the country the place is in (or is);
    /// absent for continents, seas and regions that span countries.
    pub country_code: Option<String>,
    /// First-level administrative division code (GeoNames admin1), when known.
    pub admin1: Option<String>,
    pub feature: GeoFeature,
    /// Population, when known.
    pub population: Option<u64>,
}

/// A quotation in the body and who said it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Quote {
    /// The quoted words, without the quotation marks.
    pub text: String,
    /// Start of `text`, in Unicode characters of `body`.
    pub start: usize,
    /// End (exclusive) of `text`, in Unicode characters of `body`.
    pub end: usize,
    /// Who said it, when the article says so.
    pub speaker: Option<Speaker>,
    /// The reporting verb as written (`said`, `told`, `according to`).
    pub verb: Option<String>,
}

/// The speaker of a [`Quote`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Speaker {
    /// The entity's canonical name, or the phrase that names the speaker
    /// (`a senior Iranian official`).
    pub name: String,
    /// The entity id when the speaker is a recognised entity.
    pub entity_id: Option<String>,
}

/// Tone of a text from a sentiment lexicon, as GDELT reports it.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Tone {
    /// Percent of the words that carry positive sentiment.
    pub positive: f64,
    /// Percent of the words that carry negative sentiment.
    pub negative: f64,
    /// `positive - negative`.
    pub polarity: f64,
}

/// A near-copy of an article seen earlier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DuplicateOf {
    /// Id of the earlier article.
    pub id: String,
    /// Estimated Jaccard similarity of the two bodies' word 3-shingles,
    /// in (0, 1], from their fingerprints.
    pub similarity: f64,
}

/// Whether a topic is an editor-defined storyline or a broad category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TopicKind {
    Storyline,
    Category,
}

impl TopicKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TopicKind::Storyline => "storyline",
            TopicKind::Category => "category",
        }
    }
}

/// A text span that made a topic fire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    pub text: String,
    /// Start in Unicode characters of `field`.
    pub start: usize,
    /// End (exclusive) in Unicode characters of `field`.
    pub end: usize,
    /// Which text the offsets refer to: `body` or `title`.
    pub field: TextField,
}

/// The article field a span points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TextField {
    Title,
    Body,
}

/// A storyline or category assigned to an article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Topic {
    pub id: String,
    pub label: String,
    pub kind: TopicKind,
    /// Confidence-like score in (0, 1), monotone in the weighted evidence.
    pub score: f64,
    pub evidence: Vec<Evidence>,
}

/// What kind of value a [`Value`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ValueType {
    Money,
    Quantity,
    Percent,
    Date,
    Ticker,
}

/// A money amount, quantity, percentage, date or ticker in the body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Value {
    #[serde(rename = "type")]
    pub value_type: ValueType,
    pub text: String,
    /// Start in Unicode characters of `body`.
    pub start: usize,
    /// End (exclusive) in Unicode characters of `body`.
    pub end: usize,
    /// Normal form: `USD 40000000000`, `40000000 barrel`, `3.5`, ISO 8601
    /// dates (`2022-02-24`, `2022-05`, `--02-24` without a year), ticker codes.
    pub normalized: String,
    /// The number, for money, quantities and percentages.
    pub amount: Option<f64>,
    /// Currency code, unit (`barrel`, `km`, `%`, `bp`) or exchange.
    pub unit: Option<String>,
}

/// A photo caption or credit line found inside the body; kept out of entity
/// and storyline analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Caption {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The credit, for example `ALEXEI DRUZHININ/SPUTNIK/KREMLIN/FILE PHOTO VIA REUTERS`.
    pub credit: Option<String>,
    /// Entities named in the caption (outside the credit), with offsets into
    /// `body` like every other mention. Kept apart from the article's
    /// `entities`: a photo can show people and places from another day.
    pub entities: Vec<Entity>,
}

/// What the enrichment core produces for one article. Pure function of the
/// [`RawArticle`] and the loaded resources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrichedArticle {
    pub id: String,
    pub title: Option<String>,
    pub body: String,
    pub published_at: Option<DateTime<Utc>>,
    pub publisher: Option<String>,
    pub url: Option<String>,
    /// Detected language (ISO 639-1).
    pub language: String,
    /// The language the input declared, if any.
    pub declared_language: Option<String>,
    pub entities: Vec<Entity>,
    pub topics: Vec<Topic>,
    pub values: Vec<Value>,
    pub captions: Vec<Caption>,
    pub quotes: Vec<Quote>,
    pub tone: Tone,
    /// MinHash signature of the body's word shingles, 128 hex digits.
    pub fingerprint: String,
    /// Set by the near-duplicate stage outside the core; the core leaves it
    /// `None`.
    pub duplicate_of: Option<DuplicateOf>,
}

/// Where in Kafka an article came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SourcePosition {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
}

/// The event on `topics.enriched`: the enriched article plus where and when it
/// was processed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "newsflow.enriched.v1")]
pub struct EnrichedEvent {
    /// Always `newsflow.enriched.v1`.
    pub schema: String,
    pub id: String,
    /// RFC 3339, UTC; a date-only input becomes midnight UTC.
    pub published_at: Option<String>,
    pub title: Option<String>,
    /// The text all offsets refer to.
    pub body: String,
    /// Detected language, ISO 639-1 (`en`, `de`, `ar`, …); `und` when the
    /// text has too few letters to tell. Entities, values, quotes and
    /// storylines are only produced for the languages in `enrich.languages`.
    pub language: String,
    /// The `language` the input article declared, as given.
    pub declared_language: Option<String>,
    pub publisher: Option<String>,
    pub url: Option<String>,
    pub entities: Vec<Entity>,
    pub topics: Vec<Topic>,
    /// Money, quantities, percentages, dates and tickers, in text order.
    pub values: Vec<Value>,
    pub captions: Vec<Caption>,
    /// Quotations with their speakers, in text order.
    pub quotes: Vec<Quote>,
    /// Tone of the body (captions excluded).
    pub tone: Tone,
    /// MinHash signature of the body's word 3-shingles: 64 one-byte values
    /// as 128 lowercase hex digits (empty for a body without words). The
    /// share of equal bytes of two fingerprints estimates the share of
    /// shingles the bodies have in common; bands of bytes serve as
    /// grouping keys downstream.
    pub fingerprint: String,
    /// Set when a near-copy of this article was seen earlier by the same
    /// instance (within `dedup.window`).
    pub duplicate_of: Option<DuplicateOf>,
    /// Kafka position of the input message; absent in offline `process` mode.
    pub source: Option<SourcePosition>,
    /// RFC 3339, UTC.
    pub processed_at: String,
    pub pipeline_version: String,
}

/// One flat row per (article, entity) on `topics.entities`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "newsflow.entity.v1")]
pub struct EntityEvent {
    pub schema: String,
    pub article_id: String,
    pub entity_id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub entity_type: EntityType,
    /// Number of mentions in the article.
    pub mentions: u32,
    pub salience: f64,
    /// Coordinates of a place (see `Geo`).
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub country_code: Option<String>,
    pub published_at: Option<String>,
    /// Ids of the article's topics, so rows can be grouped by storyline.
    pub topic_ids: Vec<String>,
    pub processed_at: String,
}

/// One flat row per (article, topic) on `topics.topics`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "newsflow.topic.v1")]
pub struct TopicEvent {
    pub schema: String,
    pub article_id: String,
    pub topic_id: String,
    pub label: String,
    pub kind: TopicKind,
    pub score: f64,
    pub published_at: Option<String>,
    pub processed_at: String,
}
