//! At-least-once on Apache Kafka, through the real binary: five SIGKILLs at
//! varied moments (mid-batch, mid-commit, mid-join), then a clean run. Every
//! article has at least one enriched event afterwards: nothing is lost. A
//! kill may repeat what was delivered after the last commit; the repeats are
//! counted and reported, and bounded by what a commit interval can hold.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use support::{articles, produce, read_all, Broker, Service};

const WAIT: Duration = Duration::from_secs(120);

fn start(s: &newsflow::config::Settings) -> Service {
    Service::start(
        s,
        &[
            // Short sessions: a killed member leaves the group quickly.
            ("NEWSFLOW_KAFKA__CONSUMER__SESSION_TIMEOUT_MS", "2000"),
            ("NEWSFLOW_KAFKA__CONSUMER__HEARTBEAT_INTERVAL_MS", "300"),
            ("NEWSFLOW_PIPELINE__COMMIT_INTERVAL_MS", "200"),
        ],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loop_loses_nothing() {
    let broker = Broker::kafka();
    let s = broker.settings("alok", "galok");
    broker.create_topics(&s, 3);
    let input = articles(100_000, "a");
    let ids: Vec<String> = input.iter().map(|(k, _)| k.clone().unwrap()).collect();
    produce(&s.kafka.brokers, &s.topics.input, &input).await;

    support::kill_after_commits(&s, 5, 0x2545_F491, input.len() as i64, WAIT, || start(&s)).await;

    let svc = start(&s);
    support::wait_committed(
        &s.kafka.brokers,
        "galok",
        &s.topics.input,
        input.len() as i64,
        WAIT,
        || svc.log(),
    )
    .await;
    let (code, log) = svc.stop();
    assert_eq!(code, Some(0), "{log}");

    // Everything delivered; at least once per article.
    let enriched = read_all(
        &s.kafka.brokers,
        &[&s.topics.enriched],
        input.len() * 2,
        Duration::from_secs(10),
    );
    let mut per: HashMap<String, usize> = HashMap::new();
    for r in &enriched {
        *per.entry(r.key.clone().unwrap()).or_default() += 1;
    }
    let lost: Vec<&String> = ids.iter().filter(|i| !per.contains_key(*i)).collect();
    assert!(
        lost.is_empty(),
        "{} lost, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    let repeated: usize = per.values().map(|c| c - 1).sum();
    eprintln!(
        "5 SIGKILLs: {} articles, 0 lost, {repeated} repeated deliveries",
        ids.len()
    );
    // Each kill can repeat at most what was in flight or delivered since the
    // last commit (a few hundred per kill): less than the whole input.
    assert!(
        repeated < input.len(),
        "{repeated} repeats: commits are not advancing"
    );
}
