//! Records the broker refuses for good, on Apache Kafka, through the real
//! binary: the enriched topic allows only 1,000-byte record batches
//! (`max.message.bytes`), so every enriched event is refused at the broker
//! (not by the producer's own limit). The limit is on the compressed batch:
//! one test event of about 2,800 bytes is about 1,600 after lz4, so a limit
//! of 2,000 let an event through whenever it happened to travel alone.
//!
//! In both delivery modes each input goes to the dead-letter topic with
//! class `rejected` and the partition moves on; exactly-once aborts the transaction once, restarts from the
//! committed offsets and dead-letters the redo, so a `read_committed`
//! reader sees each article's dead letter exactly once.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use support::{articles, produce, read_all, Broker, Service};

async fn refused_enriched_events_are_dead_lettered(mode: &str) {
    let broker = Broker::kafka();
    let group = format!("grej-{mode}");
    let s = broker.settings(&format!("rej{mode}"), &group);
    let t = s.topics.clone();
    support::create_configured_topics_at(
        &broker.bootstrap(),
        &[
            (&t.input, 2, 1),
            (&t.enriched, 2, 1),
            (&t.entities, 2, 1),
            (&t.topics, 2, 1),
            (&t.dlq, 1, 1),
        ],
        &[(&t.enriched, "max.message.bytes", "1000")],
    );
    let input = articles(30, "r");
    produce(&s.kafka.brokers, &t.input, &input).await;
    let mut env = vec![("NEWSFLOW_DELIVERY__MODE", mode)];
    if mode == "exactly-once" {
        env.push(("NEWSFLOW_DELIVERY__TRANSACTIONAL_ID", "rej-eos"));
    }
    let svc = Service::start(&s, &env);
    support::wait_committed(
        &s.kafka.brokers,
        &group,
        &t.input,
        input.len() as i64,
        Duration::from_secs(90),
        || svc.log(),
    )
    .await;
    let dead = read_all(&s.kafka.brokers, &[&t.dlq], 100, Duration::from_secs(5));
    let mut per: HashMap<String, usize> = HashMap::new();
    for d in &dead {
        assert_eq!(d.headers["error.class"], "rejected", "{:?}", d.headers);
        assert!(
            d.headers["error.message"].contains(&t.enriched),
            "{:?}",
            d.headers
        );
        *per.entry(d.key.clone().unwrap()).or_default() += 1;
    }
    for (k, _) in &input {
        let n = per.get(k.as_ref().unwrap()).copied().unwrap_or(0);
        if mode == "exactly-once" {
            assert_eq!(n, 1, "{k:?}: {n} dead letters\n{}", svc.log());
        } else {
            assert!(n >= 1, "{k:?} not dead-lettered\n{}", svc.log());
        }
    }
    assert!(
        read_all(&s.kafka.brokers, &[&t.enriched], 1, Duration::from_secs(1)).is_empty(),
        "no enriched event fits the topic"
    );
    let (code, log) = svc.stop();
    assert_eq!(code, Some(0), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_least_once_dead_letters_what_the_broker_refuses() {
    refused_enriched_events_are_dead_lettered("at-least-once").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_once_dead_letters_what_the_broker_refuses_once() {
    refused_enriched_events_are_dead_lettered("exactly-once").await;
}
