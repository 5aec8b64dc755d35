//! newsflow: streaming news enrichment.
//!
//! Data flows one way, and the modules follow it:
//!
//! ```text
//! source ──▶ decode ──▶ enrich ──▶ encode ──▶ sink
//! (Kafka)   (bytes →    (pure      (events →  (Kafka, idempotent;
//!            article)    core)      records)   dead letters)
//! ```
//!
//! - [`source`]: the consumer, its poll thread and rebalance handling.
//! - [`decode`]: message bytes → [`model::RawArticle`] or a classified error.
//! - [`enrich`]: the pure, synchronous core: `&RawArticle → EnrichedArticle`.
//! - [`encode`]: enriched article → output records (enriched, entities, topics).
//! - [`sink`]: the producer and dead-letter records.
//! - [`pipeline`]: wires them, at least once, in order, bounded, with drain.
//! - [`offsets`]: which offsets may be committed.
//! - edges: [`config`], [`shutdown`], [`telemetry`], [`reload`] (taxonomy hot
//!   reload), and the [`commands`] of the binary.

pub mod commands;
pub mod config;
pub mod conll;
pub mod decode;
pub mod encode;
pub mod enrich;
pub mod eval;
pub mod model;
pub mod offsets;
pub mod pipeline;
pub mod reload;
pub mod schema;
pub mod shutdown;
pub mod sink;
pub mod source;
pub mod telemetry;
pub mod textfile;
