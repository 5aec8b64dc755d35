//! Exactly-once mode on Apache Kafka, through the real binary: a kill -9
//! loop, two instances with a rebalance, and a zombie fenced by its
//! successor. After each, a `read_committed` reader sees every article's
//! enriched event exactly once and exactly one set of analytics rows per
//! article.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use support::{articles, produce, read_all, Broker, Record, Service};

const WAIT: Duration = Duration::from_secs(120);
/// How long the final reads wait for one record more than expected (a
/// duplicate would arrive within it; everything expected arrives first).
const EXTRA_WAIT: Duration = Duration::from_secs(6);

fn eos_env(txid: &str) -> Vec<(&'static str, String)> {
    vec![
        ("NEWSFLOW_DELIVERY__MODE", "exactly-once".into()),
        ("NEWSFLOW_DELIVERY__TRANSACTIONAL_ID", txid.into()),
        // Short sessions: a killed member leaves the group quickly (the test
        // broker allows 500 ms).
        (
            "NEWSFLOW_KAFKA__CONSUMER__SESSION_TIMEOUT_MS",
            "2000".into(),
        ),
        (
            "NEWSFLOW_KAFKA__CONSUMER__HEARTBEAT_INTERVAL_MS",
            "300".into(),
        ),
        ("NEWSFLOW_PIPELINE__COMMIT_INTERVAL_MS", "200".into()),
        ("NEWSFLOW_SHUTDOWN__DRAIN_TIMEOUT_MS", "10000".into()),
    ]
}

fn start(s: &newsflow::config::Settings, txid: &str) -> Service {
    let env = eos_env(txid);
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Service::start(s, &pairs)
}

/// Waits until the group has committed `total` input offsets.
async fn wait_committed(s: &newsflow::config::Settings, total: i64) {
    let (b, g, t) = (&s.kafka.brokers, &s.kafka.group_id, &s.topics.input);
    support::wait_committed(b, g, t, total, WAIT, String::new).await;
}

/// Asserts that every article has exactly one enriched event and exactly one
/// set of entity and topic rows (the counts its event implies).
fn assert_exactly_once(s: &newsflow::config::Settings, ids: &[String]) {
    let n = ids.len();
    let enriched = read_all(&s.kafka.brokers, &[&s.topics.enriched], n + 1, EXTRA_WAIT);
    let mut per: HashMap<String, usize> = HashMap::new();
    for r in &enriched {
        *per.entry(r.key.clone().unwrap()).or_default() += 1;
    }
    let missing: Vec<&String> = ids.iter().filter(|i| !per.contains_key(*i)).collect();
    let repeated: Vec<(&String, &usize)> = per.iter().filter(|(_, c)| **c > 1).collect();
    assert!(
        missing.is_empty(),
        "{} lost, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    assert!(
        repeated.is_empty(),
        "{} repeated, e.g. {:?}",
        repeated.len(),
        &repeated[..repeated.len().min(5)]
    );
    assert_eq!(enriched.len(), n);

    let want_entities: usize = enriched
        .iter()
        .map(|r| r.json()["entities"].as_array().unwrap().len())
        .sum();
    let want_topics: usize = enriched
        .iter()
        .map(|r| r.json()["topics"].as_array().unwrap().len())
        .sum();
    let rows = |topic: &str, want: usize| -> Vec<Record> {
        read_all(&s.kafka.brokers, &[topic], want + 1, EXTRA_WAIT)
    };
    let entity_rows = rows(&s.topics.entities, want_entities);
    let topic_rows = rows(&s.topics.topics, want_topics);
    assert_eq!(
        entity_rows.len(),
        want_entities,
        "one set of entity rows per article"
    );
    assert_eq!(
        topic_rows.len(),
        want_topics,
        "one set of topic rows per article"
    );
    // And each (article, entity) pair once.
    let mut pairs: HashMap<(String, String), usize> = HashMap::new();
    for r in &entity_rows {
        let v = r.json();
        *pairs
            .entry((
                v["article_id"].as_str().unwrap().to_owned(),
                v["entity_id"].as_str().unwrap().to_owned(),
            ))
            .or_default() += 1;
    }
    assert!(pairs.values().all(|&c| c == 1), "an entity row repeated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loop_loses_and_repeats_nothing() {
    let broker = Broker::kafka();
    let s = broker.settings("eos", "geos");
    broker.create_topics(&s, 3);
    let input = articles(20_000, "k");
    let ids: Vec<String> = input.iter().map(|(k, _)| k.clone().unwrap()).collect();
    produce(&s.kafka.brokers, &s.topics.input, &input).await;

    // Ten runs, each killed after a transaction of its own committed.
    support::kill_after_commits(&s, 10, 0x9E37_79B9, input.len() as i64, WAIT, || {
        start(&s, "eos-1")
    })
    .await;

    let svc = start(&s, "eos-1");
    wait_committed(&s, input.len() as i64).await;
    let (code, log) = svc.stop();
    assert_eq!(code, Some(0), "{log}");
    assert_exactly_once(&s, &ids);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_and_a_rebalance_stay_exactly_once() {
    let broker = Broker::kafka();
    let s = broker.settings("eos2", "geos2");
    broker.create_topics(&s, 4);
    let first = articles(400, "a");
    let second = articles(400, "b");
    let ids: Vec<String> = first
        .iter()
        .chain(&second)
        .map(|(k, _)| k.clone().unwrap())
        .collect();
    produce(&s.kafka.brokers, &s.topics.input, &first).await;
    let a = start(&s, "eos2-a");
    wait_committed(&s, 50).await;
    // B joins mid-stream: A's revoked partitions commit their transaction
    // before they move.
    let b = start(&s, "eos2-b");
    produce(&s.kafka.brokers, &s.topics.input, &second).await;
    wait_committed(&s, ids.len() as i64).await;
    let (ca, la) = a.stop();
    let (cb, lb) = b.stop();
    assert_eq!(ca, Some(0), "{la}");
    assert_eq!(cb, Some(0), "{lb}");
    assert!(
        la.contains("partition revoked"),
        "A gave partitions to B:\n{la}"
    );
    assert!(lb.contains("partition assigned"), "{lb}");
    assert_exactly_once(&s, &ids);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zombie_is_fenced_and_its_writes_never_appear() {
    let broker = Broker::kafka();
    let s = broker.settings("eosz", "geosz");
    broker.create_topics(&s, 2);
    let input = articles(600, "z");
    let ids: Vec<String> = input.iter().map(|(k, _)| k.clone().unwrap()).collect();
    produce(&s.kafka.brokers, &s.topics.input, &input).await;

    let zombie = start(&s, "eosz-1");
    wait_committed(&s, 50).await;
    // Freeze it (a paused VM, a GC stall): it keeps its open transaction.
    zombie.signal("STOP");
    let successor = start(&s, "eosz-1");
    successor.wait_for("transactions initialised", 1);
    wait_committed(&s, input.len() as i64).await;
    // The zombie wakes up and goes on: with its open transaction (if it had
    // one when frozen) or with the new input it is given after rejoining the
    // group, it writes with its old producer epoch, is fenced and must stop.
    zombie.signal("CONT");
    let late = articles(200, "late");
    produce(&s.kafka.brokers, &s.topics.input, &late).await;
    let (code, zlog) = zombie.wait_exit(Duration::from_secs(60));
    assert_ne!(code, Some(0), "the fenced zombie must not exit 0:\n{zlog}");
    assert!(
        zlog.to_lowercase().contains("fenced") || zlog.contains("fatal transaction error"),
        "{zlog}"
    );
    wait_committed(&s, (input.len() + late.len()) as i64).await;
    let (code, log) = successor.stop();
    assert_eq!(code, Some(0), "{log}");
    let mut ids = ids;
    ids.extend(late.iter().map(|(k, _)| k.clone().unwrap()));
    assert_exactly_once(&s, &ids);
}
