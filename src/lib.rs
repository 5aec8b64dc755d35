//! newsflow: the streaming service around the pure core ([`newsflow_core`]).
//!
//! Data flows one way, and the modules follow it:
//!
//! ```text
//! source ──▶ decode ──▶ enrich ──▶ encode ──▶ sink
//! (Kafka)   (core:     (core:     (core:     (Kafka, idempotent;
//!            bytes →    pure       events →   dead letters)
//!            article)   function)  records)
//! ```
//!
//! - [`source`]: the consumer, its poll thread and rebalance handling.
//! - [`pipeline`]: decode → enrich → encode on a worker pool, in order,
//!   bounded, at least once, with drain.
//! - [`sink`]: the producer and dead-letter records.
//! - [`offsets`]: which offsets may be committed.
//! - [`transaction`]: exactly-once delivery through Kafka transactions.
//! - [`service`]: the one assembly of the running service (pipeline, taxonomy
//!   reload, throughput report) that `run`, `demo` and the tests share.
//! - edges: [`cluster`] (start-up checks), [`config`], [`resources`] (loading the enrichment resources),
//!   [`reload`] (taxonomy hot reload), [`shutdown`], [`telemetry`], and the
//!   [`commands`] of the binary.

pub mod cluster;
pub mod commands;
pub mod config;
pub mod dedup;
pub mod http;
pub mod metrics;
pub mod offsets;
pub mod pipeline;
pub mod reload;
pub mod resources;
pub mod service;
pub mod shutdown;
pub mod sink;
pub mod source;
pub mod telemetry;
pub mod transaction;

pub use newsflow_core as core;
