//! Peak memory of `newsflow run` on large articles, with the default
//! pipeline bounds: COUNT name-dense bodies of KIB KiB each
//! ([`newsflow_core::fixtures::stress`]) through one broker; samples the
//! process's resident set (`/proc/PID/status`) until every input offset is
//! committed, then stops it with SIGTERM and prints the peak (VmHWM) with
//! what came out (enriched, dead-lettered).
//!
//! Used by `scripts/bench-memory.sh`, which starts an Apache Kafka broker
//! that accepts records of up to 8 MiB. Usage:
//! `memory BROKERS NEWSFLOW_BIN [COUNT] [KIB]`.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;

const PARTITIONS: i32 = 4;

/// Records in `topic` (sum of high watermarks).
fn records(brokers: &str, topic: &str, partitions: i32) -> i64 {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()
        .unwrap();
    (0..partitions)
        .map(|p| {
            c.fetch_watermarks(topic, p, Duration::from_secs(5))
                .unwrap()
                .1
        })
        .sum()
}

/// `VmRSS` and `VmHWM` of a process, in KiB.
fn rss_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let brokers = args.get(1).expect("BROKERS").clone();
    let bin = args.get(2).expect("NEWSFLOW_BIN").clone();
    let count: usize = args.get(3).map_or(200, |s| s.parse().unwrap());
    let kib: usize = args.get(4).map_or(900, |s| s.parse().unwrap());
    let topics = ["mem.raw", "mem.enriched", "mem.entities", "mem.topics"];
    let mut create: Vec<(&str, i32)> = topics.iter().map(|t| (*t, PARTITIONS)).collect();
    create.push(("mem.dlq", 1));
    support::create_topics(&brokers, &create);

    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &brokers)
        .set("message.max.bytes", "8388608")
        .set("linger.ms", "5")
        .create()
        .unwrap();
    let mut bytes = 0;
    for i in 0..count {
        // Each article its own text: the seed varies with the size.
        let body = newsflow_core::fixtures::stress::body("names", kib * 1024 + i).unwrap();
        let id = format!("mem-{i}");
        let v = serde_json::json!({"id": id, "title": format!("Talks {i}"), "body": body});
        let payload = serde_json::to_vec(&v).unwrap();
        bytes += payload.len();
        producer
            .send(
                FutureRecord::to(topics[0]).key(&id).payload(&payload),
                Duration::from_secs(30),
            )
            .await
            .map_err(|(e, _)| e)
            .unwrap();
    }
    eprintln!(
        "produced {count} name-dense articles, {:.1} MB (avg {} KiB)",
        bytes as f64 / 1e6,
        bytes / count / 1024
    );

    let mut child = support::newsflow_run(&bin, &brokers, "mem", topics[0], "mem", "127.0.0.1:0")
        .spawn()
        .unwrap();
    let pid = child.id();
    let t = Instant::now();
    let deadline = t + Duration::from_secs(900);
    let mut peak_sampled = 0;
    let mut last_check = Instant::now() - Duration::from_secs(1);
    let hwm = loop {
        if let Some((rss, _)) = rss_kib(pid) {
            peak_sampled = peak_sampled.max(rss);
        }
        if last_check.elapsed() >= Duration::from_millis(250) {
            last_check = Instant::now();
            if support::committed_total(&brokers, "mem", topics[0], PARTITIONS) >= count as i64 {
                break rss_kib(pid).map_or(0, |(_, hwm)| hwm);
            }
        }
        assert!(Instant::now() < deadline, "timed out");
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = t.elapsed().as_secs_f64();
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let st = child.wait().unwrap();
    let enriched = records(&brokers, topics[1], PARTITIONS);
    let dead = records(&brokers, "mem.dlq", 1);
    println!(
        "{}",
        serde_json::json!({
            "articles": count,
            "article_kib": kib,
            "settings": "defaults (pipeline.max_in_flight 256, pipeline.max_in_flight_bytes 64 MiB, workers = cores)",
            "peak_rss_mib": (hwm as f64 / 1024.0 * 10.0).round() / 10.0,
            "peak_rss_sampled_mib": (peak_sampled as f64 / 1024.0 * 10.0).round() / 10.0,
            "seconds": (took * 10.0).round() / 10.0,
            "enriched": enriched,
            "dead_lettered": dead,
            "exit": st.code(),
        })
    );
}
