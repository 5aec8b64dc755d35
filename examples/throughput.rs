//! Throughput of `newsflow run` (at-least-once and exactly-once) against
//! `newsflow run --passthrough` on one broker, same settings, same input:
//! prints the three rates and their ratios.
//!
//! Input: Reuters-21578 training bodies (`$NEWSFLOW_DATA`, default
//! `../shared/data`) cycled with unique ids, else the sample articles.
//!
//! Used by `scripts/bench-throughput.sh`, which starts an Apache Kafka broker. Usage:
//! `throughput BROKERS NEWSFLOW_BIN [COUNT] [PARTITIONS]`.
//!
//! The rate is measured from the first committed offset to the moment every
//! input offset is committed, so process start-up and the group join do not
//! count; committed means every output of the message was acknowledged.
//! Beside the rates: the CPU time each mode's service used over its whole
//! life (start-up included, about 0.1 s), and the broker's over the same
//! span when `BENCH_BROKER_PID` names its process, per 1,000
//! articles: where the machine's cores went, which the rates alone hide on
//! a machine the broker shares.

mod support;

use std::process::Command;

use std::time::{Duration, Instant};

use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;

fn create_topic(brokers: &str, name: &str, partitions: i32) {
    support::create_topics(brokers, &[(name, partitions)]);
}

/// One mode's run: its rate, and the CPU seconds the service and the broker
/// (when `BENCH_BROKER_PID` names it) used from the service's start
/// to its stop.
struct Measured {
    rate: f64,
    service_cpu: Option<f64>,
    broker_cpu: Option<f64>,
}

fn measure(
    brokers: &str,
    bin: &str,
    mode: &str,
    input: &str,
    total: i64,
    partitions: i32,
) -> Measured {
    let group = format!("bench-{mode}");
    let prefix = format!("bench.{mode}");
    for t in ["enriched", "entities", "topics", "dlq"] {
        create_topic(
            brokers,
            &format!("{prefix}.{t}"),
            if t == "dlq" { 1 } else { partitions },
        );
    }
    let mut cmd = support::newsflow_run(bin, brokers, &group, input, &prefix, "127.0.0.1:0");
    if mode == "passthrough" {
        cmd.arg("--passthrough");
    }
    if mode == "exactly-once" {
        cmd.env("NEWSFLOW_DELIVERY__MODE", "exactly-once")
            .env("NEWSFLOW_DELIVERY__TRANSACTIONAL_ID", "bench-eos");
    }
    let broker_pid: Option<u32> = std::env::var("BENCH_BROKER_PID")
        .ok()
        .and_then(|p| p.parse().ok());
    let broker_before = broker_pid.and_then(support::cpu_seconds);
    let mut child = cmd
        .env("NEWSFLOW_KAFKA__CONSUMER__FETCH_WAIT_MAX_MS", "10")
        .env("NEWSFLOW_PIPELINE__COMMIT_INTERVAL_MS", "100")
        .env("NEWSFLOW_PIPELINE__MAX_IN_FLIGHT", "1024")
        .env("NEWSFLOW_TELEMETRY__STATS_INTERVAL_SECS", "0")
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(900);
    let mut first: Option<(Instant, i64)> = None;
    let rate = loop {
        let c = support::committed_total(brokers, &group, input, partitions);
        let now = Instant::now();
        if c > 0 && first.is_none() {
            first = Some((now, c));
        }
        if c >= total {
            let (t0, c0) = first.unwrap();
            let dt = now.duration_since(t0).as_secs_f64().max(1e-3);
            break (c - c0) as f64 / dt;
        }
        assert!(now < deadline, "{mode}: timed out at {c}/{total}");
        if let Some(st) = child.try_wait().unwrap() {
            panic!("{mode}: newsflow exited ({st}) at {c}/{total} committed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let service_cpu = support::cpu_seconds(child.id());
    let broker_cpu = broker_pid
        .and_then(support::cpu_seconds)
        .zip(broker_before)
        .map(|(after, before)| after - before);
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let st = child.wait().unwrap();
    eprintln!("{mode}: {rate:.0} msg/s (exit {:?})", st.code());
    Measured {
        rate,
        service_cpu,
        broker_cpu,
    }
}

/// CPU milliseconds per 1,000 input articles, service and broker.
fn cpu_per_1000(m: &Measured, count: usize) -> serde_json::Value {
    let per = |s: Option<f64>| s.map(|s| (s * 1e6 / count as f64).round());
    serde_json::json!({"service": per(m.service_cpu), "broker": per(m.broker_cpu)})
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let brokers = args.get(1).expect("BROKERS").clone();
    let bin = args.get(2).expect("NEWSFLOW_BIN").clone();
    let count: usize = args.get(3).map(|s| s.parse().unwrap()).unwrap_or(20_000);
    let partitions: i32 = args.get(4).map(|s| s.parse().unwrap()).unwrap_or(4);
    let input = "bench.raw";
    create_topic(&brokers, input, partitions);

    // Input: Reuters bodies (or the samples), cycled, each with a unique id.
    let (source, samples) = support::input_articles();
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &brokers)
        .set("linger.ms", "5")
        .set("enable.idempotence", "true")
        .create()
        .unwrap();
    let t = Instant::now();
    let mut bytes = 0usize;
    let mut pending = Vec::with_capacity(count);
    for i in 0..count {
        let mut v = samples[i % samples.len()].clone();
        let id = format!("bench-{i}");
        v["id"] = serde_json::Value::String(id.clone());
        let payload = serde_json::to_vec(&v).unwrap();
        bytes += payload.len();
        loop {
            match producer.send_result(FutureRecord::to(input).key(&id).payload(&payload)) {
                Ok(f) => {
                    pending.push(f);
                    break;
                }
                Err((_, _)) => tokio::time::sleep(Duration::from_millis(2)).await,
            }
        }
    }
    for f in pending {
        f.await.unwrap().map_err(|(e, _)| e).unwrap();
    }
    eprintln!(
        "produced {count} messages of {source} ({:.1} MB, avg {} B) in {:.1}s",
        bytes as f64 / 1e6,
        bytes / count,
        t.elapsed().as_secs_f64()
    );

    let pass = measure(
        &brokers,
        &bin,
        "passthrough",
        input,
        count as i64,
        partitions,
    );
    let full = measure(&brokers, &bin, "enrich", input, count as i64, partitions);
    let eos = measure(
        &brokers,
        &bin,
        "exactly-once",
        input,
        count as i64,
        partitions,
    );
    let r = |x: f64| (x * 1000.0).round() / 1000.0;
    println!(
        "{}",
        serde_json::json!({
            "input": source,
            "messages": count,
            "partitions": partitions,
            "avg_message_bytes": bytes / count,
            "client_settings": {"fetch.wait.max.ms": 10, "linger.ms": 5, "compression.type": "lz4", "max_in_flight": 1024, "commit_interval_ms": 100},
            "passthrough_msgs_per_sec": pass.rate.round(),
            "pipeline_msgs_per_sec": full.rate.round(),
            "exactly_once_msgs_per_sec": eos.rate.round(),
            "ratio": r(full.rate / pass.rate),
            "exactly_once_over_at_least_once": r(eos.rate / full.rate),
            "cpu_ms_per_1000_articles": {
                "passthrough": cpu_per_1000(&pass, count),
                "at_least_once": cpu_per_1000(&full, count),
                "exactly_once": cpu_per_1000(&eos, count),
            },
        })
    );
}
