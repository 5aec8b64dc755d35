//! Freshness through a real broker: input record creation to the moment a
//! `read_committed` reader receives the enriched event, at a steady input
//! rate, for at-least-once and exactly-once on the same broker in one run.
//! Prints p50, p99 and max per mode, with the client settings used.
//!
//! Input: Reuters-21578 training bodies (`$NEWSFLOW_DATA`), else the
//! samples. Used by `scripts/bench-latency.sh`. Usage:
//! `latency BROKERS NEWSFLOW_BIN [RATE_PER_SEC] [SECONDS] [WARM_UP_SECONDS]`
//! (default 500, 20, 5: the first seconds at the rate are sent but not
//! counted; the worst latency of every second, warm-up included, is in
//! `max_ms_per_second`).

mod support;

use std::collections::HashMap;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};

const PARTITIONS: i32 = 4;
const COMMIT_INTERVAL_MS: &str = "100";

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn run_mode(
    brokers: &str,
    bin: &str,
    mode: &str,
    rate: u64,
    (warm_secs, secs): (u64, u64),
) -> serde_json::Value {
    let prefix = format!("lat.{mode}");
    let t = |s: &str| format!("{prefix}.{s}");
    support::create_topics(
        brokers,
        &[
            (&t("raw"), PARTITIONS),
            (&t("enriched"), PARTITIONS),
            (&t("entities"), PARTITIONS),
            (&t("topics"), PARTITIONS),
            (&t("dlq"), 1),
        ],
    );
    // The reader: read_committed, from the end of every partition.
    let reader: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("{prefix}-reader"))
        .set("isolation.level", "read_committed")
        .set("fetch.wait.max.ms", "5")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    for p in 0..PARTITIONS {
        tpl.add_partition_offset(&t("enriched"), p, Offset::Beginning)
            .unwrap();
    }
    reader.assign(&tpl).unwrap();
    let received: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader_thread = {
        let (received, stop) = (received.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if let Some(Ok(m)) = reader.poll(Duration::from_millis(20)) {
                    let now = Instant::now();
                    if let Some(k) = m.key() {
                        received
                            .lock()
                            .unwrap()
                            .insert(String::from_utf8_lossy(k).into_owned(), now);
                    }
                }
            }
        })
    };

    let http_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = support::newsflow_run(
        bin,
        brokers,
        &format!("{prefix}-svc"),
        &t("raw"),
        &prefix,
        &format!("127.0.0.1:{http_port}"),
    );
    cmd.env("NEWSFLOW_KAFKA__CONSUMER__FETCH_WAIT_MAX_MS", "10")
        .env("NEWSFLOW_PIPELINE__COMMIT_INTERVAL_MS", COMMIT_INTERVAL_MS)
        .env("NEWSFLOW_TELEMETRY__STATS_INTERVAL_SECS", "0");
    if mode == "exactly-once" {
        cmd.env("NEWSFLOW_DELIVERY__MODE", "exactly-once")
            .env("NEWSFLOW_DELIVERY__TRANSACTIONAL_ID", "latency-eos");
    }
    let mut child = cmd.spawn().unwrap();

    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("linger.ms", "0")
        .create()
        .unwrap();
    let (_, articles) = support::input_articles();
    let send = |id: &str, i: usize| {
        let mut v = articles[i % articles.len()].clone();
        v["id"] = serde_json::Value::String(id.to_owned());
        let payload = serde_json::to_vec(&v).unwrap();
        loop {
            match producer.send(BaseRecord::to(&t("raw")).key(id).payload(&payload)) {
                Ok(()) => break,
                Err(_) => producer.poll(Duration::from_millis(1)),
            }
        }
        producer.poll(Duration::ZERO);
    };
    // Warm-up: the service joins its group and its first events come out.
    let warm = 20;
    for i in 0..warm {
        send(&format!("warm-{i}"), i);
    }
    producer.flush(Duration::from_secs(10)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while (0..warm).any(|i| !received.lock().unwrap().contains_key(&format!("warm-{i}"))) {
        assert!(Instant::now() < deadline, "{mode}: warm-up never came out");
        std::thread::sleep(Duration::from_millis(20));
    }

    // Steady rate: `warm_secs` at the rate first (not counted: with a fresh
    // broker and service the first seconds of load are the slowest), then
    // `secs` measured.
    let skip = (rate * warm_secs) as usize;
    let n = (rate * (warm_secs + secs)) as usize;
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let start = Instant::now();
    let mut sent: Vec<Instant> = Vec::with_capacity(n);
    for i in 0..n {
        let due = start + interval * i as u32;
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        }
        sent.push(Instant::now());
        send(&format!("lat-{i}"), i + warm);
    }
    producer.flush(Duration::from_secs(10)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while received.lock().unwrap().len() < n + warm && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    reader_thread.join().unwrap();
    let histogram = end_to_end_histogram(http_port);
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();

    // Each message's latency in ms (None: never received), warm-up included.
    let got = received.lock().unwrap();
    let each: Vec<Option<f64>> = sent
        .iter()
        .enumerate()
        .map(|(i, at)| {
            got.get(&format!("lat-{i}"))
                .map(|r| r.duration_since(*at).as_secs_f64() * 1000.0)
        })
        .collect();
    // The worst latency of the messages sent in each second, warm-up
    // included: tells a stall (one bad second) from a slow steady state.
    let mut worst = vec![0.0f64; (warm_secs + secs) as usize];
    for (i, ms) in each.iter().enumerate() {
        if let Some(ms) = *ms {
            let s = (i / rate as usize).min(worst.len() - 1);
            worst[s] = worst[s].max(ms);
        }
    }
    let mut lat: Vec<f64> = each[skip..].iter().flatten().copied().collect();
    lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let r1 = |x: f64| (x * 10.0).round() / 10.0;
    let report = serde_json::json!({
        "mode": mode,
        "rate_per_sec": rate,
        "warm_up_seconds": warm_secs,
        "seconds": secs,
        "sent": n - skip,
        "received": lat.len(),
        "p50_ms": r1(percentile(&lat, 0.50)),
        "p99_ms": r1(percentile(&lat, 0.99)),
        "max_ms": r1(lat.last().copied().unwrap_or(f64::NAN)),
        "max_ms_per_second": worst.iter().map(|&x| x.round()).collect::<Vec<_>>(),
        // The service's own newsflow_end_to_end_seconds (warm-up included):
        // the bucket bound at or below which half and 99 % of the messages
        // fell, input timestamp to acknowledgement (or commit).
        "histogram_count": histogram.as_ref().map(|h| h.0),
        "histogram_p50_le_ms": histogram.as_ref().map(|h| quantile_le(&h.1, h.0, 0.50) * 1000.0),
        "histogram_p99_le_ms": histogram.as_ref().map(|h| quantile_le(&h.1, h.0, 0.99) * 1000.0),
    });
    eprintln!("{report}");
    report
}

/// `newsflow_end_to_end_seconds` from the service's `/metrics`: the count and
/// the cumulative buckets `(le, count)`.
fn end_to_end_histogram(port: u16) -> Option<(f64, Vec<(f64, f64)>)> {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    conn.write_all(b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .ok()?;
    let mut body = String::new();
    conn.read_to_string(&mut body).ok()?;
    let mut buckets = Vec::new();
    let mut count = None;
    for line in body.lines() {
        let value = |l: &str| l.rsplit(' ').next()?.parse::<f64>().ok();
        if let Some(rest) = line.strip_prefix("newsflow_end_to_end_seconds_bucket{le=\"") {
            let le = rest.split('"').next()?;
            let le = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().ok()?
            };
            buckets.push((le, value(line)?));
        } else if line.starts_with("newsflow_end_to_end_seconds_count") {
            count = value(line);
        }
    }
    Some((count?, buckets))
}

/// The smallest bucket bound holding at least `q` of `count` observations.
fn quantile_le(buckets: &[(f64, f64)], count: f64, q: f64) -> f64 {
    buckets
        .iter()
        .find(|(_, c)| *c >= q * count)
        .map_or(f64::NAN, |(le, _)| *le)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let brokers = args.get(1).expect("BROKERS").clone();
    let bin = args.get(2).expect("NEWSFLOW_BIN").clone();
    let rate: u64 = args.get(3).map(|s| s.parse().unwrap()).unwrap_or(500);
    let secs: u64 = args.get(4).map(|s| s.parse().unwrap()).unwrap_or(20);
    let warm: u64 = args.get(5).map(|s| s.parse().unwrap()).unwrap_or(5);
    let alo = run_mode(&brokers, &bin, "at-least-once", rate, (warm, secs));
    let eos = run_mode(&brokers, &bin, "exactly-once", rate, (warm, secs));
    println!(
        "{}",
        serde_json::json!({
            "client_settings": {
                "consumer fetch.wait.max.ms": 10,
                "producer linger.ms": 5,
                "pipeline.commit_interval_ms": COMMIT_INTERVAL_MS.parse::<u64>().unwrap(),
                "reader isolation.level": "read_committed",
            },
            "at_least_once": alo,
            "exactly_once": eos,
        })
    );
}
