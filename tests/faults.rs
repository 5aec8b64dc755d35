//! Fault injection on librdkafka's mock cluster (`MockCluster`), through the
//! real binary: with the output broker down the pipeline fills up, and the
//! service must still serve the group (a second instance joining gets
//! partitions within the drain deadline + 5 s) and still stop within its
//! deadline on SIGTERM (non-zero, nothing committed past what was
//! acknowledged).

mod support;

use std::time::{Duration, Instant};

use rdkafka::mocking::{MockCluster, MockCoordinator};
use support::{articles, committed_total, produce, read_all, Service};

const DRAIN_MS: u64 = 3000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_pipeline_keeps_serving_the_group_and_stops_in_time() {
    // Broker 1 leads the input and coordinates the group; broker 2 leads
    // every output partition.
    let cluster: MockCluster<'static, rdkafka::producer::DefaultProducerContext> =
        MockCluster::new(2).unwrap();
    let s = support::settings(&cluster.bootstrap_servers(), "fault", "gfault");
    let t = s.topics.clone();
    for (name, parts) in [
        (&t.input, 2),
        (&t.enriched, 2),
        (&t.entities, 2),
        (&t.topics, 2),
        (&t.dlq, 1),
    ] {
        cluster.create_topic(name, parts, 1).unwrap();
        let leader = if name == &t.input { 1 } else { 2 };
        for p in 0..parts {
            cluster.partition_leader(name, p, Some(leader)).unwrap();
        }
    }
    cluster
        .coordinator(MockCoordinator::Group("gfault".into()), 1)
        .unwrap();
    let env = [
        ("NEWSFLOW_PIPELINE__MAX_IN_FLIGHT", "8"),
        ("NEWSFLOW_SHUTDOWN__DRAIN_TIMEOUT_MS", "3000"),
        ("NEWSFLOW_KAFKA__PRODUCER__DELIVERY_TIMEOUT_MS", "120000"),
    ];
    let a = Service::start(&s, &env);
    produce(&s.kafka.brokers, &t.input, &articles(20, "before")).await;
    assert_eq!(
        read_all(
            &s.kafka.brokers,
            &[&t.enriched],
            20,
            Duration::from_secs(60)
        )
        .len(),
        20,
        "{}",
        a.log()
    );
    let total = || committed_total(&s.kafka.brokers, "gfault", &t.input);
    let waited = Duration::from_secs(30);
    support::wait_committed(&s.kafka.brokers, "gfault", &t.input, 20, waited, || a.log()).await;
    let before = total();

    // The output broker goes down; the pipeline fills with unacknowledged work.
    cluster.broker_down(2).unwrap();
    produce(&s.kafka.brokers, &t.input, &articles(100, "during")).await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    // A second instance joins: the first must serve the rebalance although
    // it is full, releasing its partitions after at most its drain deadline.
    let joined = Instant::now();
    let b = Service::start(&s, &env);
    a.wait_for("partition revoked", 1);
    let took = joined.elapsed();
    assert!(
        took < Duration::from_millis(DRAIN_MS) + Duration::from_secs(5),
        "the first instance released its partitions {took:?} after the second started:\n{}",
        a.log()
    );
    b.wait_for("partition assigned", 1);

    // SIGTERM with the output broker still down: each exits within the drain
    // deadline + 5 s, non-zero (the drain could not finish).
    for svc in [a, b] {
        let stopped = Instant::now();
        let (code, log) = svc.stop();
        assert!(
            stopped.elapsed() < Duration::from_millis(DRAIN_MS) + Duration::from_secs(5),
            "exit took {:?}:\n{log}",
            stopped.elapsed()
        );
        assert_ne!(
            code,
            Some(0),
            "a drain that could not finish is not a clean exit:\n{log}"
        );
        assert!(log.contains("\"drained\":false"), "{log}");
    }
    // Nothing past what was acknowledged is committed: the 100 messages
    // consumed while the output broker was down are not.
    let after = total();
    assert_eq!(
        after, before,
        "committed {before} before the fault, {after} after"
    );
}
