//! newsflow-core: the pure enrichment core of newsflow.
//!
//! ```text
//! bytes ──decode──▶ RawArticle ──Enricher::enrich──▶ EnrichedArticle ──encode──▶ records
//! ```
//!
//! Everything here is synchronous and free of I/O on the enrichment path: no
//! Kafka client, no async runtime, no configuration loader. The compiler
//! enforces it: this crate does not depend on any of them. The service
//! (`newsflow`) wraps it at the edges; `run`, `process`, `demo` and `eval`
//! all call the same [`Enricher::enrich`].
//!
//! - [`article`]: the article and event types (input, enriched, analytics rows).
//! - [`decode`]: message bytes → [`RawArticle`] or a classified [`DecodeError`].
//! - [`enrich`]: captions, tokens, entities, values, storylines, categories.
//! - [`encode`]: enriched article → output records.
//! - [`dead_letter`]: why a message goes to the dead-letter topic.
//! - [`schema`]: JSON Schemas generated from the types.
//! - [`training`]: training and evaluation of the tagger, the word clusters
//!   and the classifier; [`rng`]: their one seeded generator.
//! - [`fixtures`]: the sample articles.

pub mod article;
pub mod dead_letter;
pub mod decode;
pub mod encode;
pub mod enrich;
pub mod fixtures;
pub mod model_file;
pub mod rng;
pub mod schema;
pub mod span;
pub mod training;

pub use article::{EnrichedArticle, RawArticle};
pub use dead_letter::DeadLetterReason;
pub use decode::{article_id, decode, DecodeError};
pub use enrich::{Enricher, Lexicon, ResourceError, Taxonomy};
