//! A three-node Apache Kafka cluster with replication factor 3: the leader
//! of the input and output partitions is killed mid-stream, leadership moves,
//! and the exactly-once service goes on; a `read_committed` reader then sees
//! every article once, nothing lost, nothing repeated.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use support::{articles, create_topics_at, produce, read_all, KafkaCluster, Service};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_loss_and_leader_change_lose_and_repeat_nothing() {
    let mut cluster = KafkaCluster::start(3);
    let s = support::settings(&cluster.bootstrap(), "repl", "grepl");
    let t = s.topics.clone();
    create_topics_at(
        &s.kafka.brokers,
        &[
            (&t.input, 3, 3),
            (&t.enriched, 3, 3),
            (&t.entities, 3, 3),
            (&t.topics, 3, 3),
            (&t.dlq, 1, 3),
        ],
    );
    let input = articles(3000, "r");
    produce(&s.kafka.brokers, &t.input, &input).await;
    let env = [
        ("NEWSFLOW_DELIVERY__MODE", "exactly-once"),
        ("NEWSFLOW_DELIVERY__TRANSACTIONAL_ID", "repl-1"),
        ("NEWSFLOW_PIPELINE__COMMIT_INTERVAL_MS", "200"),
    ];
    let svc = Service::start(&s, &env);
    // Some progress, then the leader of input partition 0 goes.
    let long = Duration::from_secs(90);
    support::wait_committed(&s.kafka.brokers, "grepl", &t.input, 200, long, || svc.log()).await;
    let leader = cluster.leader(&t.input, 0);
    cluster.kill(leader);
    let survivors = cluster.bootstrap();
    let n = input.len() as i64;
    let why = || format!("after losing node {leader}; log:\n{}", svc.log());
    support::wait_committed(
        &survivors,
        "grepl",
        &t.input,
        n,
        Duration::from_secs(120),
        why,
    )
    .await;
    let (code, log) = svc.stop();
    assert_eq!(code, Some(0), "{log}");
    let out = read_all(
        &survivors,
        &[&t.enriched],
        input.len() + 1,
        Duration::from_secs(30),
    );
    let mut per: HashMap<String, usize> = HashMap::new();
    for r in &out {
        *per.entry(r.key.clone().unwrap()).or_default() += 1;
    }
    assert_eq!(per.len(), input.len(), "nothing lost");
    assert!(per.values().all(|&c| c == 1), "nothing repeated");
    assert_ne!(cluster.leader(&t.input, 0), leader, "leadership moved");
}
