//! A long at-least-once kill loop through one broker: CYCLES SIGKILLs of
//! `newsflow run` instances in one consumer group of two, half of them in
//! steady state (after the group committed something new), half while a
//! rebalance is under way (shortly after an instance joins). Then one clean
//! instance finishes the input, and every input offset is checked for an
//! enriched event: prints lost (must be 0) and repeated deliveries per kill
//! as one JSON line; exits 1 if anything was lost.
//!
//! Used by `scripts/kill-loop.sh`, which starts an Apache Kafka broker.
//! Usage: `kill_loop BROKERS NEWSFLOW_BIN [CYCLES]`.

mod support;

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};

const PARTITIONS: i32 = 4;
const INPUT: &str = "kill.raw";
const GROUP: &str = "kill";
/// Input written ahead of the group; topped up when it runs low.
const BATCH: usize = 100_000;

/// A running instance, killed when dropped (also when the loop panics).
struct Instance(Child);

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts an instance; its log goes to `$KILL_LOOP_LOGS/N.log` when that
/// is set (for a run that fails), else nowhere.
fn spawn(bin: &str, brokers: &str) -> Instance {
    static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let log = match std::env::var_os("KILL_LOOP_LOGS") {
        Some(dir) => Stdio::from(
            std::fs::File::create(std::path::Path::new(&dir).join(format!("{n}.log"))).unwrap(),
        ),
        None => Stdio::null(),
    };
    support::newsflow_run(bin, brokers, GROUP, INPUT, "kill", "127.0.0.1:0")
        // Short sessions: a killed member leaves the group quickly.
        .env("NEWSFLOW_KAFKA__CONSUMER__SESSION_TIMEOUT_MS", "2000")
        .env("NEWSFLOW_KAFKA__CONSUMER__HEARTBEAT_INTERVAL_MS", "300")
        .env("NEWSFLOW_KAFKA__CONSUMER__FETCH_WAIT_MAX_MS", "10")
        .env("NEWSFLOW_PIPELINE__COMMIT_INTERVAL_MS", "200")
        .stderr(log)
        .spawn()
        .map(Instance)
        .unwrap()
}

async fn produce(p: &FutureProducer, articles: &[serde_json::Value], from: usize, n: usize) {
    let mut pending = Vec::with_capacity(n);
    for i in from..from + n {
        let mut v = articles[i % articles.len()].clone();
        let id = format!("kill-{i}");
        v["id"] = serde_json::Value::String(id.clone());
        let payload = serde_json::to_vec(&v).unwrap();
        loop {
            match p.send_result(FutureRecord::to(INPUT).key(&id).payload(&payload)) {
                Ok(f) => {
                    pending.push(f);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(2)).await,
            }
        }
    }
    for f in pending {
        f.await.unwrap().map_err(|(e, _)| e).unwrap();
    }
}

/// Waits until the group's committed total passes `after`.
fn wait_progress(brokers: &str, after: i64) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while support::committed_total(brokers, GROUP, INPUT, PARTITIONS) <= after {
        assert!(Instant::now() < deadline, "no commit progress past {after}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// How many enriched events each article id has.
fn enriched_per_id(brokers: &str, expected: usize) -> HashMap<String, usize> {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", "kill-reader")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    let mut ends = 0;
    for p in 0..PARTITIONS {
        tpl.add_partition_offset("kill.enriched", p, Offset::Beginning)
            .unwrap();
        ends += c
            .fetch_watermarks("kill.enriched", p, Duration::from_secs(5))
            .unwrap()
            .1;
    }
    c.assign(&tpl).unwrap();
    let mut per: HashMap<String, usize> = HashMap::with_capacity(expected);
    let mut read = 0;
    while read < ends {
        if let Some(m) = c.poll(Duration::from_secs(5)) {
            let m = m.unwrap();
            let key = String::from_utf8_lossy(m.key().unwrap()).into_owned();
            *per.entry(key).or_default() += 1;
            read += 1;
        }
    }
    per
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let brokers = args.get(1).expect("BROKERS").clone();
    let bin = args.get(2).expect("NEWSFLOW_BIN").clone();
    let cycles: usize = args.get(3).map_or(100, |s| s.parse().unwrap());
    let mut topics: Vec<(&str, i32)> = [INPUT, "kill.enriched", "kill.entities", "kill.topics"]
        .iter()
        .map(|t| (*t, PARTITIONS))
        .collect();
    topics.push(("kill.dlq", 1));
    support::create_topics(&brokers, &topics);
    let (source, articles) = support::input_articles();
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &brokers)
        .set("linger.ms", "5")
        .set("enable.idempotence", "true")
        .create()
        .unwrap();
    let mut produced = 0;
    produce(&producer, &articles, produced, BATCH).await;
    produced += BATCH;

    let started = Instant::now();
    let mut rng = newsflow_core::rng::SplitMix(0x5EED_4B11);
    let mut slots: [Option<Instance>; 2] = [None, None];
    let (mut steady, mut rebalancing) = (0, 0);
    for cycle in 0..cycles {
        let committed = support::committed_total(&brokers, GROUP, INPUT, PARTITIONS);
        if produced as i64 - committed < (BATCH / 2) as i64 {
            produce(&producer, &articles, produced, BATCH).await;
            produced += BATCH;
        }
        let victim = if cycle % 2 == 0 {
            // Steady: both members up, the group committing; kill one at a
            // varied moment after its latest commit.
            for slot in slots.iter_mut().filter(|s| s.is_none()) {
                *slot = Some(spawn(&bin, &brokers));
            }
            wait_progress(&brokers, committed);
            tokio::time::sleep(Duration::from_millis(rng.below(300) as u64)).await;
            steady += 1;
            (cycle / 2) % 2
        } else {
            // During a rebalance: the member killed last cycle comes back,
            // and while the group reassigns, one of the two is killed.
            let empty = slots.iter().position(Option::is_none).unwrap_or(0);
            drop(slots[empty].take());
            slots[empty] = Some(spawn(&bin, &brokers));
            tokio::time::sleep(Duration::from_millis(200 + rng.below(1500) as u64)).await;
            rebalancing += 1;
            rng.below(2)
        };
        // SIGKILL.
        drop(slots[victim].take());
    }
    drop(slots);
    let killed_for = started.elapsed().as_secs_f64();

    // One clean instance finishes the input and stops on SIGTERM.
    let mut last = spawn(&bin, &brokers);
    let deadline = Instant::now() + Duration::from_secs(900);
    while support::committed_total(&brokers, GROUP, INPUT, PARTITIONS) < produced as i64 {
        assert!(Instant::now() < deadline, "the clean run did not finish");
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = Command::new("kill")
        .args(["-TERM", &last.0.id().to_string()])
        .status();
    let exit = last.0.wait().unwrap().code();

    let per = enriched_per_id(&brokers, produced);
    let lost = (0..produced)
        .filter(|i| !per.contains_key(&format!("kill-{i}")))
        .count();
    let repeated: usize = per.values().map(|c| c - 1).sum();
    println!(
        "{}",
        serde_json::json!({
            "input": source,
            "articles": produced,
            "kills": cycles,
            "kills_steady": steady,
            "kills_during_rebalance": rebalancing,
            "seconds_killing": killed_for.round(),
            "lost": lost,
            "repeated": repeated,
            "repeated_per_kill": (repeated as f64 / cycles as f64).round(),
            "clean_run_exit": exit,
            "settings": {"session.timeout.ms": 2000, "commit_interval_ms": 200, "max_in_flight": 256, "partitions": PARTITIONS, "members": 2},
        })
    );
    if lost > 0 {
        std::process::exit(1);
    }
}
