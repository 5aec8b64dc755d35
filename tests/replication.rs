//! A three-node Apache Kafka cluster with replication factor 3: the leader
//! of the input and output partitions is killed mid-stream, leadership moves,
//! and the exactly-once service goes on; a `read_committed` reader then sees
//! every article once, nothing lost, nothing repeated.

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use support::{articles, committed, create_topics_at, produce, read_all, KafkaCluster, Service};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_loss_and_leader_change_lose_and_repeat_nothing() {
    let mut cluster = KafkaCluster::start(3);
    let mut s = support::Broker::mock().settings("repl", "grepl");
    s.kafka.brokers = cluster.bootstrap();
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
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let c: i64 = committed(&s.kafka.brokers, "grepl", &t.input)
            .iter()
            .filter(|&&o| o > 0)
            .sum();
        if c >= 200 {
            break;
        }
        assert!(Instant::now() < deadline, "no progress: {}", svc.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let leader = cluster.leader(&t.input, 0);
    cluster.kill(leader);
    let survivors = cluster.bootstrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let c: i64 = committed(&survivors, "grepl", &t.input)
            .iter()
            .filter(|&&o| o > 0)
            .sum();
        if c >= input.len() as i64 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "committed {c} of {} after losing node {leader}; log:\n{}",
            input.len(),
            svc.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
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
