//! Test support: real Kafka brokers for the integration tests.
//!
//! Two kinds, behind one [`Broker`] interface:
//! - [`Broker::mock`]: librdkafka's in-process mock cluster (milliseconds to
//!   start, groups and commits supported; its brokers listen on real
//!   loopback sockets, so a `newsflow` child process can use them too);
//! - [`Broker::kafka`]: Apache Kafka 4.4 in its own JVM, a single KRaft node
//!   (combined controller and broker) on free 127.0.0.1 ports, with its data
//!   in a temporary directory, one per test, stopped when dropped. The jars
//!   come from `$KAFKA_HOME`, else `~/.cache/newsflow/kafka-4.4.0`, where
//!   `scripts/install-kafka.sh` puts them. A missing install fails the test.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use newsflow::config::Settings;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};

pub enum Broker {
    Mock(MockCluster<'static, rdkafka::producer::DefaultProducerContext>),
    Kafka(KafkaNode),
}

/// One Apache Kafka process.
pub struct KafkaNode {
    child: Child,
    addr: String,
    dir: tempfile::TempDir,
}

/// Where Apache Kafka's jars are installed.
pub fn kafka_home() -> PathBuf {
    if let Ok(p) = std::env::var("KAFKA_HOME") {
        return PathBuf::from(p);
    }
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    PathBuf::from(home).join(".cache/newsflow/kafka-4.4.0")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `GET path` on `127.0.0.1:port`: the status code and body, or `None`
/// when nothing listens.
pub fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).ok()?;
    let code = raw.split(' ').nth(1)?.parse().ok()?;
    let body = raw.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_owned();
    Some((code, body))
}

/// Waits until `GET path` on `port` answers `code`; panics with
/// `context()` (for example the service's log) after 30 s.
pub async fn wait_status(port: u16, path: &str, code: u16, context: impl Fn() -> String) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while http_get(port, path).map(|r| r.0) != Some(code) {
        assert!(
            Instant::now() < deadline,
            "{path} never answered {code}; log:\n{}",
            context()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A fixed cluster id: every test broker is its own one-node cluster.
const CLUSTER_ID: &str = "bmV3c2Zsb3ctdGVzdHMxAA";

/// JVM options for a test broker: small heap, serial GC and the client
/// compiler, which start faster and use less CPU on a 2-core machine.
const JVM_OPTS: &[&str] = &[
    "-Xms128m",
    "-Xmx512m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Djava.awt.headless=true",
];

fn java(home: &Path) -> Command {
    let mut c = Command::new("java");
    c.args(JVM_OPTS)
        .arg(format!(
            "-Dlog4j2.configurationFile={}",
            home.join("log4j2.yaml").display()
        ))
        .arg("-cp")
        .arg(format!("{}/libs/*", home.display()));
    c
}

fn server_properties(dir: &Path, port: u16, controller: u16, extra: &str) -> String {
    node_properties(
        dir,
        1,
        port,
        controller,
        &format!("1@127.0.0.1:{controller}"),
        1,
        extra,
    )
}

/// One KRaft node's server.properties: combined broker and controller,
/// internal topics replicated `rf` times.
fn node_properties(
    dir: &Path,
    node_id: u32,
    port: u16,
    controller: u16,
    voters: &str,
    rf: u32,
    extra: &str,
) -> String {
    let min_isr = if rf > 1 { 2 } else { 1 };
    format!(
        "process.roles=broker,controller
node.id={node_id}
controller.quorum.voters={voters}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
log.dirs={data}
num.partitions=1
default.replication.factor={rf}
min.insync.replicas={min_isr}
auto.create.topics.enable=false
offsets.topic.replication.factor={rf}
offsets.topic.num.partitions=4
transaction.state.log.replication.factor={rf}
transaction.state.log.min.isr={min_isr}
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=500
share.coordinator.state.topic.replication.factor={rf}
share.coordinator.state.topic.min.isr={min_isr}
log.flush.interval.messages=9223372036854775807
{extra}
",
        data = dir.join("data").display()
    )
}

/// A formatted, empty storage directory, made once per test binary and
/// copied for each broker (formatting starts a JVM of its own).
fn formatted_template() -> &'static Path {
    static TEMPLATE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = TEMPLATE.get_or_init(|| {
        let home = kafka_home();
        assert!(
            home.join("libs").is_dir(),
            "Apache Kafka not found at {}: run scripts/install-kafka.sh (or set KAFKA_HOME)",
            home.display()
        );
        let dir = tempfile::tempdir().unwrap();
        let props = dir.path().join("format.properties");
        std::fs::write(&props, server_properties(dir.path(), 9, 10, "")).unwrap();
        let out = java(&home)
            .args(["kafka.tools.StorageTool", "format", "-t", CLUSTER_ID, "-c"])
            .arg(&props)
            .output()
            .expect("run the Kafka storage tool");
        assert!(
            out.status.success(),
            "formatting Kafka storage failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let data = dir.path().join("data");
        (dir, data)
    });
    path
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

impl KafkaNode {
    /// Starts a single-node KRaft cluster; `extra` is appended to its
    /// server.properties (listeners for security tests, for example).
    pub fn start(extra: &str) -> KafkaNode {
        KafkaNode::start_with(free_port(), extra)
    }

    /// As [`KafkaNode::start`], with the PLAINTEXT port given.
    pub fn start_with(port: u16, extra: &str) -> KafkaNode {
        let home = kafka_home();
        let template = formatted_template();
        let dir = tempfile::tempdir().unwrap();
        copy_dir(template, &dir.path().join("data"));
        let controller = free_port();
        let props = dir.path().join("server.properties");
        // `extra` may name the controller port (for a listeners= override).
        let extra = extra.replace("{CONTROLLER}", &controller.to_string());
        std::fs::write(
            &props,
            server_properties(dir.path(), port, controller, &extra),
        )
        .unwrap();
        let log = std::fs::File::create(dir.path().join("broker.log")).unwrap();
        let child = java(&home)
            .arg("kafka.Kafka")
            .arg(&props)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start Apache Kafka (java)");
        let mut node = KafkaNode {
            child,
            addr: format!("127.0.0.1:{port}"),
            dir,
        };
        node.wait_ready(Duration::from_secs(60));
        node
    }

    /// Waits until the broker answers a metadata request.
    fn wait_ready(&mut self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "Apache Kafka on {} exited ({status}); its log:\n{}",
                    self.addr,
                    self.log()
                );
            }
            if std::net::TcpStream::connect(&self.addr).is_ok() {
                let c: BaseConsumer = ClientConfig::new()
                    .set("bootstrap.servers", &self.addr)
                    .create()
                    .unwrap();
                if c.fetch_metadata(None, Duration::from_secs(2)).is_ok() {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "Apache Kafka did not start on {}; its log:\n{}",
                self.addr,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn bootstrap(&self) -> String {
        self.addr.clone()
    }

    /// The broker's own log (WARN and above).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("broker.log")).unwrap_or_default()
    }
}

impl Drop for KafkaNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A cluster of Apache Kafka nodes (each a combined KRaft controller and
/// broker), internal topics replicated on every node, for tests that need
/// replication: broker loss, leader changes.
pub struct KafkaCluster {
    nodes: Vec<Option<KafkaNode>>,
}

impl KafkaCluster {
    pub fn start(n: usize) -> KafkaCluster {
        let home = kafka_home();
        let ports: Vec<u16> = (0..n).map(|_| free_port()).collect();
        let controllers: Vec<u16> = (0..n).map(|_| free_port()).collect();
        let voters: Vec<String> = controllers
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{}@127.0.0.1:{c}", i + 1))
            .collect();
        let voters = voters.join(",");
        let dirs: Vec<tempfile::TempDir> = (0..n).map(|_| tempfile::tempdir().unwrap()).collect();
        let mut formats = Vec::new();
        for i in 0..n {
            let props = dirs[i].path().join("server.properties");
            let text = node_properties(
                dirs[i].path(),
                i as u32 + 1,
                ports[i],
                controllers[i],
                &voters,
                n as u32,
                "",
            );
            std::fs::write(&props, text).unwrap();
            formats.push(
                java(&home)
                    .args(["kafka.tools.StorageTool", "format", "-t", CLUSTER_ID, "-c"])
                    .arg(&props)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("format Kafka storage"),
            );
        }
        for mut f in formats {
            assert!(
                f.wait().unwrap().success(),
                "formatting a cluster node failed"
            );
        }
        let mut nodes = Vec::new();
        for (i, dir) in dirs.into_iter().enumerate() {
            let log = std::fs::File::create(dir.path().join("broker.log")).unwrap();
            let child = java(&home)
                .arg("kafka.Kafka")
                .arg(dir.path().join("server.properties"))
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("start Apache Kafka (java)");
            nodes.push(Some(KafkaNode {
                child,
                addr: format!("127.0.0.1:{}", ports[i]),
                dir,
            }));
        }
        for n in nodes.iter_mut().flatten() {
            n.wait_ready(Duration::from_secs(90));
        }
        KafkaCluster { nodes }
    }

    /// Bootstrap servers of the nodes still running.
    pub fn bootstrap(&self) -> String {
        let live: Vec<String> = self.nodes.iter().flatten().map(|n| n.bootstrap()).collect();
        live.join(",")
    }

    /// The node with `node.id` `id` (1-based), killed with SIGKILL.
    pub fn kill(&mut self, id: i32) {
        self.nodes[id as usize - 1] = None;
    }

    /// The leader's node id of `topic`'s partition `p`.
    pub fn leader(&self, topic: &str, p: i32) -> i32 {
        let c: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", self.bootstrap())
            .create()
            .unwrap();
        let md = c
            .fetch_metadata(Some(topic), Duration::from_secs(10))
            .unwrap();
        md.topics()[0].partitions()[p as usize].leader()
    }
}

/// Creates topics through the admin API of the cluster at `bootstrap`.
pub fn create_topics_at(bootstrap: &str, topics: &[(&str, i32, i32)]) {
    create_configured_topics_at(bootstrap, topics, &[]);
}

/// [`create_topics_at`], with topic configs (`name`, key, value), e.g. a
/// small `max.message.bytes` for one topic.
pub fn create_configured_topics_at(
    bootstrap: &str,
    topics: &[(&str, i32, i32)],
    configs: &[(&str, &str, &str)],
) {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap();
    let new: Vec<NewTopic> = topics
        .iter()
        .map(|&(name, partitions, rf)| {
            configs.iter().filter(|(t, _, _)| *t == name).fold(
                NewTopic::new(name, partitions, TopicReplication::Fixed(rf)),
                |n, (_, k, v)| n.set(k, v),
            )
        })
        .collect();
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    let results =
        futures::executor::block_on(admin.create_topics(&new, &opts)).expect("create topics");
    for r in results {
        r.map_err(|(t, e)| format!("create topic {t}: {e}"))
            .unwrap();
    }
    // Wait until every partition has a leader.
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    for &(name, partitions, _) in topics {
        loop {
            let md = c
                .fetch_metadata(Some(name), Duration::from_secs(5))
                .unwrap();
            let t = &md.topics()[0];
            if t.error().is_none()
                && t.partitions().len() == partitions as usize
                && t.partitions().iter().all(|p| p.leader() >= 0)
            {
                break;
            }
            assert!(Instant::now() < deadline, "topic {name} has no leaders");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Broker {
    pub fn mock() -> Broker {
        Broker::Mock(MockCluster::new(1).expect("mock cluster"))
    }

    pub fn kafka() -> Broker {
        Broker::Kafka(KafkaNode::start(""))
    }

    pub fn bootstrap(&self) -> String {
        match self {
            Broker::Mock(c) => c.bootstrap_servers(),
            Broker::Kafka(k) => k.bootstrap(),
        }
    }

    pub fn create_topic(&self, name: &str, partitions: i32) {
        match self {
            Broker::Mock(c) => c.create_topic(name, partitions, 1).expect("create topic"),
            Broker::Kafka(k) => create_topics_at(&k.bootstrap(), &[(name, partitions, 1)]),
        }
    }

    /// Settings for a service instance on this broker with the given topics prefix.
    pub fn settings(&self, prefix: &str, group: &str) -> Settings {
        settings(&self.bootstrap(), prefix, group)
    }

    /// Creates the five topics of `settings` (`partitions` for input and outputs).
    pub fn create_topics(&self, s: &Settings, partitions: i32) {
        let t = &s.topics;
        match self {
            Broker::Mock(_) => {
                for name in [&t.input, &t.enriched, &t.entities, &t.topics] {
                    self.create_topic(name, partitions);
                }
                self.create_topic(&t.dlq, 1);
            }
            Broker::Kafka(k) => create_topics_at(
                &k.bootstrap(),
                &[
                    (&t.input, partitions, 1),
                    (&t.enriched, partitions, 1),
                    (&t.entities, partitions, 1),
                    (&t.topics, partitions, 1),
                    (&t.dlq, 1, 1),
                ],
            ),
        }
    }
}

/// Produces `(key, value)` records and waits for every acknowledgement.
pub async fn produce(bootstrap: &str, topic: &str, records: &[(Option<String>, Vec<u8>)]) {
    let p: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("linger.ms", "2")
        .set("enable.idempotence", "true")
        .create()
        .unwrap();
    let sends: Vec<_> = records
        .iter()
        .map(|(k, v)| {
            let mut r = FutureRecord::to(topic).payload(v);
            if let Some(k) = k {
                r = r.key(k);
            }
            p.send(r, Duration::from_secs(20))
        })
        .collect();
    for s in futures::future::join_all(sends).await {
        s.map_err(|(e, _)| e).expect("produce test input");
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

/// Settings for a service instance on the cluster at `bootstrap`, with the
/// topics `{prefix}.raw`, `.enriched`, `.entities`, `.topics`, `.dlq`.
pub fn settings(bootstrap: &str, prefix: &str, group: &str) -> Settings {
    let mut s = Settings::load_with_env(None, std::iter::empty()).unwrap();
    s.kafka.brokers = bootstrap.to_owned();
    s.kafka.group_id = group.into();
    s.topics.input = format!("{prefix}.raw");
    s.topics.enriched = format!("{prefix}.enriched");
    s.topics.entities = format!("{prefix}.entities");
    s.topics.topics = format!("{prefix}.topics");
    s.topics.dlq = format!("{prefix}.dlq");
    s.pipeline.commit_interval_ms = 100;
    s.telemetry.stats_interval_secs = 0;
    s.shutdown.drain_timeout_ms = 15_000;
    // Tests run side by side: each listener on a port of its own.
    s.http.listen = "127.0.0.1:0".into();
    s.kafka.consumer.insert(
        "fetch.wait.max.ms".into(),
        newsflow::config::PropValue::Str("10".into()),
    );
    s
}

/// The input offsets `group` has committed on `topic`, summed over partitions.
pub fn committed_total(bootstrap: &str, group: &str, topic: &str) -> i64 {
    committed(bootstrap, group, topic)
        .iter()
        .filter(|&&o| o > 0)
        .sum()
}

/// A kill -9 loop: `kills` instances from `start`, one after another, each
/// killed once it has committed something of its own (a join waits for the
/// killed predecessor's session to expire, so fixed delays could land
/// before any commit under load), then after 0–200 ms drawn from `seed`:
/// mid-batch, mid-transaction, mid-commit. Asserts that the runs made
/// progress and were killed mid-stream (before all `input` offsets were
/// committed).
pub async fn kill_after_commits(
    s: &Settings,
    kills: usize,
    seed: u64,
    input: i64,
    wait: Duration,
    start: impl Fn() -> Service,
) {
    let (brokers, group, topic) = (&s.kafka.brokers, &s.kafka.group_id, &s.topics.input);
    let mut rng = newsflow_core::rng::SplitMix(seed);
    for _ in 0..kills {
        let svc = start();
        let before = committed_total(brokers, group, topic);
        wait_committed(brokers, group, topic, before + 1, wait, || svc.log()).await;
        tokio::time::sleep(Duration::from_millis(rng.below(200) as u64)).await;
        svc.kill();
    }
    let progress = committed_total(brokers, group, topic);
    assert!(progress > 0, "the killed runs made progress");
    assert!(
        progress < input,
        "the kills happened mid-stream (committed {progress})"
    );
}

/// Waits until `group` has committed at least `total` offsets of `topic`;
/// panics with `context()` after `timeout`.
pub async fn wait_committed(
    bootstrap: &str,
    group: &str,
    topic: &str,
    total: i64,
    timeout: Duration,
    context: impl Fn() -> String,
) {
    let deadline = Instant::now() + timeout;
    loop {
        let c = committed_total(bootstrap, group, topic);
        if c >= total {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "committed {c} of {total}; {}",
            context()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Committed offsets of `group` on `topic`, per partition (-1001 = none).
/// Asked without `require_stable` (read_uncommitted): a transaction left
/// open by a killed exactly-once instance would otherwise make the broker
/// answer UNSTABLE_OFFSET_COMMIT until it is aborted. Offsets pending in an
/// open transaction are not returned either way.
pub fn committed(bootstrap: &str, group: &str, topic: &str) -> Vec<i64> {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .set("isolation.level", "read_uncommitted")
        .create()
        .unwrap();
    let md = c
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    for p in md.topics()[0].partitions() {
        tpl.add_partition(topic, p.id());
    }
    // The group coordinator may still be loading (NotCoordinator,
    // CoordinatorLoadInProgress): ask again until it answers.
    let deadline = Instant::now() + Duration::from_secs(30);
    let got = loop {
        match c.committed_offsets(tpl.clone(), Duration::from_secs(10)) {
            Ok(got) => break got,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("committed offsets of {group}: {e}"),
        }
    };
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

/// Runs the service (the same assembly as `newsflow run`) in the
/// background; returns its shutdown and join handle.
pub fn start(
    settings: Settings,
    enricher: Arc<newsflow_core::Enricher>,
) -> (
    newsflow::shutdown::Shutdown,
    tokio::task::JoinHandle<anyhow::Result<newsflow::pipeline::Summary>>,
) {
    let shutdown = newsflow::shutdown::Shutdown::new();
    let h = tokio::spawn(newsflow::service::run(
        settings,
        enricher,
        newsflow::pipeline::Mode::Enrich,
        shutdown.clone(),
    ));
    (shutdown, h)
}

/// A running `newsflow run` whose stderr is collected as it comes. Killed
/// when dropped, so that a failing test leaves no process behind.
pub struct Service {
    child: Child,
    log: Arc<Mutex<String>>,
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Service {
    pub fn start(s: &newsflow::config::Settings, extra_env: &[(&str, &str)]) -> Service {
        let mut child = Command::new(env!("CARGO_BIN_EXE_newsflow"))
            .args(["run", "--log-format", "json"])
            .env("NEWSFLOW_KAFKA__BROKERS", &s.kafka.brokers)
            .env("NEWSFLOW_KAFKA__GROUP_ID", &s.kafka.group_id)
            .env("NEWSFLOW_TOPICS__INPUT", &s.topics.input)
            .env("NEWSFLOW_TOPICS__ENRICHED", &s.topics.enriched)
            .env("NEWSFLOW_TOPICS__ENTITIES", &s.topics.entities)
            .env("NEWSFLOW_TOPICS__TOPICS", &s.topics.topics)
            .env("NEWSFLOW_TOPICS__DLQ", &s.topics.dlq)
            .env("NEWSFLOW_KAFKA__CONSUMER__FETCH_WAIT_MAX_MS", "10")
            .env("NEWSFLOW_PIPELINE__COMMIT_INTERVAL_MS", "200")
            .env("NEWSFLOW_HTTP__LISTEN", "127.0.0.1:0")
            .envs(extra_env.iter().copied())
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (stderr, sink) = (child.stderr.take().unwrap(), log.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut l = sink.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        Service { child, log }
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits until the log has `n` lines containing `needle`.
    pub fn wait_for(&self, needle: &str, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.log().matches(needle).count() < n {
            assert!(
                Instant::now() < deadline,
                "no {needle:?} (x{n}) in the log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn signal(&self, name: &str) {
        let st = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(st.success());
    }

    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// SIGKILL, and reap the process.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the process to exit by itself; its exit code and log.
    pub fn wait_exit(mut self, timeout: Duration) -> (Option<i32>, String) {
        let started = Instant::now();
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            assert!(
                started.elapsed() < timeout,
                "did not exit; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        std::thread::sleep(Duration::from_millis(100));
        (status.code(), self.log())
    }

    /// SIGTERM, then the exit code (within the drain deadline) and the log.
    pub fn stop(mut self) -> (Option<i32>, String) {
        self.signal("TERM");
        let started = Instant::now();
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "did not exit after SIGTERM; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        std::thread::sleep(Duration::from_millis(100)); // let the log reader finish
        (status.code(), self.log())
    }
}
