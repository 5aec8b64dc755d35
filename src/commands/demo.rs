//! `newsflow demo`: the whole service on an embedded Kafka.
//!
//! Starts librdkafka's in-process mock cluster, creates the topics, produces
//! the sample articles (the reference Reuters report plus original samples,
//! and two malformed messages to show the dead-letter path), runs the real
//! consumer → enrich → producer pipeline against it, reads the enriched topic
//! back and prints the events as JSON Lines on standard output (logs go to
//! standard error). Exits 0 when every valid sample came back enriched and
//! every malformed one reached the dead-letter topic.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;

use newsflow_core::enrich::Enricher;
use newsflow_core::fixtures::{demo_messages, malformed_messages};

use crate::config::Settings;
use crate::pipeline::Mode;
use crate::service;
use crate::shutdown::Shutdown;

/// `newsflow demo`.
#[derive(clap::Args)]
pub struct Args {}

impl Args {
    /// Exit code 0 when every valid sample came back enriched and every
    /// malformed one was dead-lettered.
    pub fn execute(self) -> anyhow::Result<u8> {
        let enricher = crate::resources::load_enricher(&Default::default())?;
        let mut stdout = std::io::stdout();
        super::runtime()?.block_on(execute(enricher, &mut stdout))?;
        Ok(0)
    }
}

/// Runs the demo, printing enriched events to `out`.
pub async fn execute(
    enricher: Enricher,
    out: &mut (dyn std::io::Write + Send),
) -> anyhow::Result<()> {
    let cluster = MockCluster::new(1)?;
    let mut settings = Settings::load_with_env(None, std::iter::empty())?;
    settings.kafka.brokers = cluster.bootstrap_servers();
    settings.kafka.group_id = "newsflow-demo".into();
    settings.telemetry.stats_interval_secs = 0;
    settings.pipeline.commit_interval_ms = 100;
    // The demo must run on any machine: its listener takes a free local port
    // (logged) unless NEWSFLOW_HTTP__LISTEN names one.
    settings.http.listen =
        std::env::var("NEWSFLOW_HTTP__LISTEN").unwrap_or_else(|_| "127.0.0.1:0".into());
    let t = settings.topics.clone();
    cluster.create_topic(&t.input, 3, 1)?;
    for name in [&t.enriched, &t.entities, &t.topics] {
        cluster.create_topic(name, 3, 1)?;
    }
    cluster.create_topic(&t.dlq, 1, 1)?;

    let messages = demo_messages();
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &settings.kafka.brokers)
        .create()?;
    for (key, value) in &messages {
        producer
            .send(
                FutureRecord::to(&t.input).key(key).payload(value),
                Duration::from_secs(10),
            )
            .await
            .map_err(|(e, _)| anyhow::anyhow!("producing demo input: {e}"))?;
    }
    let bad = malformed_messages().len();
    let valid = messages.len() - bad;
    tracing::info!(messages = messages.len(), brokers = %settings.kafka.brokers, "demo input produced to the mock cluster");

    let shutdown = Shutdown::new();
    let brokers = settings.kafka.brokers.clone();
    let service = tokio::spawn(service::run(
        settings,
        Arc::new(enricher),
        Mode::Enrich,
        shutdown.clone(),
    ));

    // Read back what the service produced.
    let reader: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &brokers)
        .set("group.id", "newsflow-demo-reader")
        .set("auto.offset.reset", "earliest")
        .create()?;
    reader.subscribe(&[&t.enriched, &t.dlq])?;
    let (events, dead) = tokio::task::spawn_blocking(move || {
        let mut events: HashMap<String, Vec<u8>> = HashMap::new();
        let mut dead: Vec<(String, String)> = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while (events.len() < valid || dead.len() < bad) && Instant::now() < deadline {
            if let Some(Ok(m)) = reader.poll(Duration::from_millis(100)) {
                let key = m
                    .key()
                    .map(|k| String::from_utf8_lossy(k).into_owned())
                    .unwrap_or_default();
                if m.topic() == t.dlq {
                    let class = m
                        .headers()
                        .and_then(|h| {
                            h.iter()
                                .find(|x| x.key == "error.class")
                                .and_then(|x| x.value)
                        })
                        .map(|v| String::from_utf8_lossy(v).into_owned())
                        .unwrap_or_default();
                    dead.push((key, class));
                } else {
                    events.insert(key, m.payload().unwrap_or_default().to_vec());
                }
            }
        }
        (events, dead)
    })
    .await?;
    shutdown.trigger();
    let summary = service.await??;

    for (key, _) in &messages {
        if let Some(e) = events.get(key) {
            out.write_all(e)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    for (key, class) in &dead {
        tracing::info!(key = %key, error.class = %class, "dead-lettered as expected");
    }
    tracing::info!(
        enriched = events.len(),
        dead_lettered = dead.len(),
        consumed = summary.consumed,
        "demo finished"
    );
    anyhow::ensure!(
        events.len() == valid,
        "expected {valid} enriched events, got {}",
        events.len()
    );
    anyhow::ensure!(
        dead.len() == bad,
        "expected {bad} dead letters, got {}",
        dead.len()
    );
    Ok(())
}
