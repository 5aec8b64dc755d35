//! Fault injection on librdkafka's mock cluster (`MockCluster`), through the
//! real binary:
//! - with the output broker down the pipeline fills up, and the service must
//!   still serve the group (a second instance joining gets partitions within
//!   the drain deadline + 5 s) and still stop within its deadline on SIGTERM
//!   (non-zero, nothing committed past what was acknowledged);
//! - records the broker refuses for good (`request_errors` on Produce:
//!   not authorised, too large) dead-letter their inputs and the partition
//!   moves on, nothing lost;
//! - a fatal producer error (an idempotence sequence the broker refuses)
//!   ends the process with exit code 2 and a clear message;
//! - retriable errors on produce, fetch and commit, and every partition's
//!   leader moving to another broker, lose and dead-letter nothing.

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

/// A one-broker mock cluster with the test's topics (`prefix`), each of
/// `partitions` partitions.
fn mock_with_topics(
    prefix: &str,
    group: &str,
    brokers: i32,
    partitions: i32,
) -> (
    MockCluster<'static, rdkafka::producer::DefaultProducerContext>,
    newsflow::config::Settings,
) {
    let cluster = MockCluster::new(brokers).unwrap();
    let s = support::settings(&cluster.bootstrap_servers(), prefix, group);
    let t = &s.topics;
    for name in [&t.input, &t.enriched, &t.entities, &t.topics, &t.dlq] {
        cluster.create_topic(name, partitions, 1).unwrap();
    }
    (cluster, s)
}

/// The ids of the articles in `records` (enriched events or dead letters).
fn ids(records: &[support::Record]) -> std::collections::BTreeSet<String> {
    records.iter().filter_map(|r| r.key.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_the_broker_refuses_for_good_are_dead_lettered_and_the_partition_moves_on() {
    use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
    let (cluster, s) = mock_with_topics("reject", "greject", 1, 1);
    let t = s.topics.clone();
    // The inputs are written first: the mock cluster's injected errors
    // answer whichever client produces next.
    produce(&s.kafka.brokers, &t.input, &articles(5, "ok")).await;
    produce(&s.kafka.brokers, &t.input, &articles(30, "hit")).await;
    // The service's first produce requests are refused for good: not
    // authorised, then larger than the topic allows. Each request carries
    // a batch of records, so these fail whole messages' outputs.
    cluster.request_errors(
        RDKafkaApiKey::Produce,
        &[
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE,
        ],
    );
    let svc = Service::start(&s, &[("NEWSFLOW_PIPELINE__MAX_IN_FLIGHT", "4")]);
    // Every input is committed: none is redone forever.
    support::wait_committed(
        &s.kafka.brokers,
        "greject",
        &t.input,
        35,
        Duration::from_secs(60),
        || svc.log(),
    )
    .await;
    let dead = read_all(&s.kafka.brokers, &[&t.dlq], 35, Duration::from_secs(5));
    assert!(!dead.is_empty(), "no dead letter:\n{}", svc.log());
    for d in &dead {
        assert_eq!(d.headers["error.class"], "rejected", "{:?}", d.headers);
        let why = &d.headers["error.message"];
        assert!(
            why.contains("authorization") || why.contains("too large"),
            "{why}"
        );
        assert!(
            why.contains(&t.enriched) || why.contains(&t.entities) || why.contains(&t.topics),
            "{why}"
        );
        assert!(d.headers["newsflow.source"].starts_with(&format!("{}/0/", t.input)));
        let v = d.json();
        assert_eq!(
            v["id"].as_str(),
            d.key.as_deref(),
            "the original input: {v}"
        );
    }
    // Nothing lost: every article is enriched or dead-lettered (an article
    // whose outputs were refused in part may be both).
    let enriched = read_all(
        &s.kafka.brokers,
        &[&t.enriched],
        35,
        Duration::from_secs(10),
    );
    let seen: std::collections::BTreeSet<String> =
        ids(&enriched).union(&ids(&dead)).cloned().collect();
    assert_eq!(seen.len(), 35, "{seen:?}");
    let (code, log) = svc.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("rejected by the broker"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fatal_producer_error_ends_the_process_with_a_clear_message() {
    use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
    let (cluster, s) = mock_with_topics("fatal", "gfatal", 1, 1);
    let t = s.topics.clone();
    produce(&s.kafka.brokers, &t.input, &articles(10, "hit")).await;
    // The broker says the idempotent producer's epoch is stale: librdkafka
    // raises a fatal error, since going on could duplicate or reorder.
    cluster.request_errors(
        RDKafkaApiKey::Produce,
        &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER; 4],
    );
    let svc = Service::start(&s, &[]);
    let (code, log) = svc.wait_exit(Duration::from_secs(30));
    assert_eq!(code, Some(2), "{log}");
    assert!(log.contains("fatal producer error"), "{log}");
    // Nothing was committed past what was acknowledged.
    let enriched = read_all(&s.kafka.brokers, &[&t.enriched], 10, Duration::from_secs(5));
    let committed = support::committed_total(&s.kafka.brokers, "gfatal", &t.input);
    assert!(
        committed as usize <= enriched.len(),
        "committed {committed}, enriched {}",
        enriched.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_request_errors_and_a_leader_move_lose_nothing() {
    use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
    let (cluster, s) = mock_with_topics("flaky", "gflaky", 2, 2);
    let t = s.topics.clone();
    for name in [&t.input, &t.enriched, &t.entities, &t.topics, &t.dlq] {
        for p in 0..2 {
            cluster.partition_leader(name, p, Some(1)).unwrap();
        }
    }
    let svc = Service::start(&s, &[]);
    produce(&s.kafka.brokers, &t.input, &articles(40, "a")).await;
    // Retriable errors on every path: produce, fetch and commit.
    cluster.request_errors(
        RDKafkaApiKey::Produce,
        &[
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        ],
    );
    cluster.request_errors(
        RDKafkaApiKey::Fetch,
        &[
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
        ],
    );
    cluster.request_errors(
        RDKafkaApiKey::OffsetCommit,
        &[
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
        ],
    );
    produce(&s.kafka.brokers, &t.input, &articles(40, "b")).await;
    // Every partition's leader moves to the other broker mid-stream.
    for name in [&t.input, &t.enriched, &t.entities, &t.topics, &t.dlq] {
        for p in 0..2 {
            cluster.partition_leader(name, p, Some(2)).unwrap();
        }
    }
    produce(&s.kafka.brokers, &t.input, &articles(40, "c")).await;
    support::wait_committed(
        &s.kafka.brokers,
        "gflaky",
        &t.input,
        120,
        Duration::from_secs(60),
        || svc.log(),
    )
    .await;
    let enriched = read_all(
        &s.kafka.brokers,
        &[&t.enriched],
        120,
        Duration::from_secs(30),
    );
    assert_eq!(ids(&enriched).len(), 120, "{}", svc.log());
    assert!(read_all(&s.kafka.brokers, &[&t.dlq], 1, Duration::from_secs(1)).is_empty());
    let (code, log) = svc.stop();
    assert_eq!(code, Some(0), "{log}");
}
