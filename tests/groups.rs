//! Consumer groups on Apache Kafka, through the real binary.
//!
//! - Cooperative-sticky assignment at volume: one member, then two, then
//!   three, while the input keeps arriving. An incremental rebalance moves
//!   only the partitions that change owner, so the first member keeps the
//!   rest without a revocation; every article is enriched, and repeats come
//!   only from work in flight on a partition that moved.
//! - A group setting the broker refuses (a session timeout below its
//!   minimum) ends the start with the key named, not a WARN line per join.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use support::{articles, produce, read_all, Broker, Service};

const ARTICLES: usize = 6_000;
const PARTITIONS: i32 = 6;
const MAX_IN_FLIGHT: usize = 64;

fn start(s: &newsflow::config::Settings) -> Service {
    Service::start(
        s,
        &[
            (
                "NEWSFLOW_KAFKA__CONSUMER__PARTITION_ASSIGNMENT_STRATEGY",
                "cooperative-sticky",
            ),
            ("NEWSFLOW_KAFKA__CONSUMER__SESSION_TIMEOUT_MS", "6000"),
            ("NEWSFLOW_KAFKA__CONSUMER__HEARTBEAT_INTERVAL_MS", "500"),
            ("NEWSFLOW_PIPELINE__MAX_IN_FLIGHT", "64"),
        ],
    )
}

/// How many log lines of `svc` contain `needle`.
fn count(svc: &Service, needle: &str) -> usize {
    svc.log().matches(needle).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cooperative_sticky_with_two_and_three_members_enriches_everything() {
    let broker = Broker::kafka();
    let s = broker.settings("coop", "gcoop");
    broker.create_topics(&s, PARTITIONS);
    let input = articles(ARTICLES, "c");
    let batches: Vec<_> = input.chunks(ARTICLES / 6).collect();

    let a = start(&s);
    produce(&s.kafka.brokers, &s.topics.input, batches[0]).await;
    a.wait_for("partition assigned", PARTITIONS as usize);
    produce(&s.kafka.brokers, &s.topics.input, batches[1]).await;

    // A second member joins while the input flows.
    let b = start(&s);
    produce(&s.kafka.brokers, &s.topics.input, batches[2]).await;
    b.wait_for("partition assigned", 1);
    produce(&s.kafka.brokers, &s.topics.input, batches[3]).await;

    // A third.
    let c = start(&s);
    produce(&s.kafka.brokers, &s.topics.input, batches[4]).await;
    c.wait_for("partition assigned", 1);
    produce(&s.kafka.brokers, &s.topics.input, batches[5]).await;

    support::wait_committed(
        &s.kafka.brokers,
        "gcoop",
        &s.topics.input,
        ARTICLES as i64,
        Duration::from_secs(120),
        || format!("A:\n{}\nB:\n{}\nC:\n{}", a.log(), b.log(), c.log()),
    )
    .await;
    let all = read_all(
        &s.kafka.brokers,
        &[&s.topics.enriched],
        2 * ARTICLES,
        Duration::from_secs(5),
    );

    // Incremental: A was assigned its six partitions once and gave up only
    // the ones that moved to B and C, never all of them at once.
    let (assigned_a, revoked_a) = (
        count(&a, "partition assigned"),
        count(&a, "partition revoked"),
    );
    assert_eq!(assigned_a, PARTITIONS as usize, "{}", a.log());
    assert!(
        (1..PARTITIONS as usize).contains(&revoked_a),
        "A gave up {revoked_a} partitions:\n{}",
        a.log()
    );
    let mut logs = String::new();
    for (name, svc) in [("A", a), ("B", b), ("C", c)] {
        let (code, log) = svc.stop();
        assert_eq!(code, Some(0), "{name}:\n{log}");
        logs.push_str(&log);
    }

    // Nothing lost; repeats bounded by the work in flight on the
    // partitions that moved (two rebalances).
    let mut times: HashMap<String, usize> = HashMap::new();
    for r in &all {
        *times.entry(r.key.clone().unwrap()).or_default() += 1;
    }
    for (k, _) in &input {
        assert!(
            times.contains_key(k.as_ref().unwrap()),
            "{k:?} never enriched"
        );
    }
    let repeats = all.len() - ARTICLES;
    println!(
        "cooperative-sticky: {ARTICLES} articles, {} enriched events, {repeats} repeats",
        all.len()
    );
    assert!(
        repeats <= 2 * MAX_IN_FLIGHT,
        "{repeats} repeats for two rebalances:\n{logs}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_timeout_the_broker_refuses_ends_the_service_naming_the_key() {
    let broker = Broker::kafka();
    let s = broker.settings("badsess", "gbadsess");
    broker.create_topics(&s, 1);
    // The test broker's group.min.session.timeout.ms is 500.
    let svc = Service::start(
        &s,
        &[
            ("NEWSFLOW_KAFKA__CONSUMER__SESSION_TIMEOUT_MS", "300"),
            ("NEWSFLOW_KAFKA__CONSUMER__HEARTBEAT_INTERVAL_MS", "100"),
        ],
    );
    let (code, log) = svc.wait_exit(Duration::from_secs(30));
    assert_eq!(code, Some(2), "{log}");
    assert!(log.contains("session.timeout.ms"), "{log}");
    assert!(log.contains("InvalidSessionTimeout"), "{log}");
    assert!(
        log.matches("consumer error").count() <= 1,
        "a WARN loop instead of a stop:\n{log}"
    );
}
