//! Test support: real Kafka-protocol brokers for the integration tests.
//!
//! Two kinds, behind one [`Broker`] interface:
//! - [`Broker::mock`]: librdkafka's in-process mock cluster (milliseconds to
//!   start, groups and commits supported);
//! - [`Broker::tansu`]: a Tansu 0.6.0 broker in its own process on a free
//!   127.0.0.1 port with `memory://` storage, one per test. The binary comes
//!   from `$TANSU_BIN`, else `~/.cache/newsflow/tansu-0.6.0/bin/tansu`, where
//!   `scripts/install-tansu.sh` puts it. A missing binary fails the test.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use newsflow::config::Settings;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};

pub enum Broker {
    Mock(MockCluster<'static, rdkafka::producer::DefaultProducerContext>),
    Tansu {
        child: Child,
        addr: String,
        _dir: tempfile::TempDir,
    },
}

pub fn tansu_bin() -> PathBuf {
    if let Ok(p) = std::env::var("TANSU_BIN") {
        return PathBuf::from(p);
    }
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    PathBuf::from(home).join(".cache/newsflow/tansu-0.6.0/bin/tansu")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Broker {
    pub fn mock() -> Broker {
        Broker::Mock(MockCluster::new(1).expect("mock cluster"))
    }

    pub fn tansu() -> Broker {
        let bin = tansu_bin();
        assert!(
            bin.is_file(),
            "Tansu binary not found at {}: run scripts/install-tansu.sh (or set TANSU_BIN)",
            bin.display()
        );
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let url = format!("tcp://127.0.0.1:{port}");
        let child = Command::new(&bin)
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
                "--storage-engine",
                "memory://tansu/",
            ])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tansu");
        let addr = format!("127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(&addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "tansu did not start listening on {addr}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Broker::Tansu {
            child,
            addr,
            _dir: dir,
        }
    }

    pub fn is_tansu(&self) -> bool {
        matches!(self, Broker::Tansu { .. })
    }

    pub fn bootstrap(&self) -> String {
        match self {
            Broker::Mock(c) => c.bootstrap_servers(),
            Broker::Tansu { addr, .. } => addr.clone(),
        }
    }

    pub fn create_topic(&self, name: &str, partitions: i32) {
        match self {
            Broker::Mock(c) => c.create_topic(name, partitions, 1).expect("create topic"),
            Broker::Tansu { addr, .. } => {
                let st = Command::new(tansu_bin())
                    .args([
                        "topic",
                        "create",
                        "--broker",
                        &format!("tcp://{addr}"),
                        "--partitions",
                        &partitions.to_string(),
                        name,
                    ])
                    .stdout(Stdio::null())
                    .status()
                    .expect("tansu topic create");
                assert!(st.success(), "tansu topic create {name} failed");
            }
        }
    }

    /// Settings for a service instance on this broker with the given topics prefix.
    pub fn settings(&self, prefix: &str, group: &str) -> Settings {
        let mut s = Settings::load_with_env(None, std::iter::empty()).unwrap();
        s.kafka.brokers = self.bootstrap();
        s.kafka.group_id = group.into();
        s.topics.input = format!("{prefix}.raw");
        s.topics.enriched = format!("{prefix}.enriched");
        s.topics.entities = format!("{prefix}.entities");
        s.topics.topics = format!("{prefix}.topics");
        s.topics.dlq = format!("{prefix}.dlq");
        s.pipeline.commit_interval_ms = 100;
        s.telemetry.stats_interval_secs = 0;
        s.shutdown.drain_timeout_ms = 15_000;
        s.kafka.consumer.insert(
            "fetch.wait.max.ms".into(),
            newsflow::config::PropValue::Str("10".into()),
        );
        s
    }

    /// Creates the five topics of `settings` (`partitions` for input and outputs).
    pub fn create_topics(&self, s: &Settings, partitions: i32) {
        for t in [
            &s.topics.input,
            &s.topics.enriched,
            &s.topics.entities,
            &s.topics.topics,
        ] {
            self.create_topic(t, partitions);
        }
        self.create_topic(&s.topics.dlq, 1);
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Broker::Tansu { child, .. } = self {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Produces `(key, value, headers)` records one per request, so every record
/// is its own batch (Tansu's memory engine cannot resume inside a batch).
pub async fn produce(bootstrap: &str, topic: &str, records: &[(Option<String>, Vec<u8>)]) {
    let p: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("linger.ms", "0")
        .set("batch.num.messages", "1")
        .set("enable.idempotence", "true")
        .create()
        .unwrap();
    for (k, v) in records {
        let mut r = FutureRecord::to(topic).payload(v);
        if let Some(k) = k {
            r = r.key(k);
        }
        p.send(r, Duration::from_secs(20))
            .await
            .map_err(|(e, _)| e)
            .expect("produce test input");
    }
}

/// One consumed record.
#[derive(Debug, Clone)]
pub struct Record {
    pub topic: String,
    pub partition: i32,
    pub key: Option<String>,
    pub value: Vec<u8>,
    pub headers: HashMap<String, String>,
}

impl Record {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.value).expect("JSON record")
    }
}

/// Reads every record of `topics` from the beginning (no group) until `want`
/// records arrived or `timeout` passed.
pub fn read_all(bootstrap: &str, topics: &[&str], want: usize, timeout: Duration) -> Vec<Record> {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", "test-reader-unused")
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", "10")
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    for t in topics {
        let md = c.fetch_metadata(Some(t), Duration::from_secs(10)).unwrap();
        for p in md.topics()[0].partitions() {
            tpl.add_partition_offset(t, p.id(), Offset::Beginning)
                .unwrap();
        }
    }
    c.assign(&tpl).unwrap();
    let mut out = Vec::new();
    let deadline = Instant::now() + timeout;
    while out.len() < want && Instant::now() < deadline {
        if let Some(m) = c.poll(Duration::from_millis(50)) {
            let m = m.expect("consume");
            let headers = m
                .headers()
                .map(|h| {
                    h.iter()
                        .map(|x| {
                            (
                                x.key.to_owned(),
                                x.value
                                    .map(|v| String::from_utf8_lossy(v).into_owned())
                                    .unwrap_or_default(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.push(Record {
                topic: m.topic().to_owned(),
                partition: m.partition(),
                key: m.key().map(|k| String::from_utf8_lossy(k).into_owned()),
                value: m.payload().unwrap_or_default().to_vec(),
                headers,
            });
        }
    }
    out
}

/// Committed offsets of `group` on `topic`, per partition (-1001 = none).
pub fn committed(bootstrap: &str, group: &str, topic: &str) -> Vec<i64> {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .create()
        .unwrap();
    let md = c
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    for p in md.topics()[0].partitions() {
        tpl.add_partition(topic, p.id());
    }
    let got = c.committed_offsets(tpl, Duration::from_secs(10)).unwrap();
    got.elements()
        .iter()
        .map(|e| match e.offset() {
            Offset::Offset(o) => o,
            _ => -1001,
        })
        .collect()
}

/// Valid test articles: `n` JSON articles with distinct ids and a few names.
pub fn articles(n: usize, tag: &str) -> Vec<(Option<String>, Vec<u8>)> {
    (0..n)
        .map(|i| {
            let body = format!(
                "Russian President Vladimir Putin met Turkish President Tayyip Erdogan in Tehran on day {i}. \
                 They discussed the Black Sea grain deal and Ukraine's grain exports, officials said."
            );
            let v = serde_json::json!({"id": format!("{tag}-{i}"), "title": format!("Talks {i}"), "body": body, "published_at": "2022-07-19"});
            (Some(format!("{tag}-{i}")), serde_json::to_vec(&v).unwrap())
        })
        .collect()
}

/// Runs a pipeline in the background; returns its shutdown and join handle.
pub fn start(
    settings: Settings,
    enricher: Arc<newsflow::enrich::Enricher>,
) -> (
    newsflow::shutdown::Shutdown,
    tokio::task::JoinHandle<anyhow::Result<newsflow::pipeline::Summary>>,
) {
    let shutdown = newsflow::shutdown::Shutdown::new();
    let h = tokio::spawn(newsflow::pipeline::run(
        Arc::new(settings),
        enricher,
        newsflow::pipeline::Mode::Enrich,
        shutdown.clone(),
    ));
    (shutdown, h)
}
