//! What the benchmark examples share: topic creation through the admin API
//! and the input articles.

// Each example uses only part of this module.
#![allow(dead_code)]

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};

/// Creates `(name, partitions)` topics, replication 1.
pub fn create_topics(brokers: &str, topics: &[(&str, i32)]) {
    let admin: AdminClient<rdkafka::client::DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()
        .unwrap();
    let new: Vec<NewTopic> = topics
        .iter()
        .map(|(n, p)| NewTopic::new(n, *p, TopicReplication::Fixed(1)))
        .collect();
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    for r in futures::executor::block_on(admin.create_topics(&new, &opts)).unwrap() {
        r.map_err(|(t, e)| format!("create topic {t}: {e}"))
            .unwrap();
    }
}

/// Reuters-21578 training articles (`title`, `body`) where the corpus is
/// available (`$NEWSFLOW_DATA`), else the sample articles; with a name for
/// the report.
pub fn input_articles() -> (&'static str, Vec<serde_json::Value>) {
    if let Some(path) = newsflow_core::training::corpora::find("reuters21578/train.jsonl.gz") {
        let text = newsflow_core::training::textfile::read(&path).unwrap();
        let v: Vec<serde_json::Value> = text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|d| d["body"].as_str().is_some_and(|b| !b.trim().is_empty()))
            .map(|d| serde_json::json!({"title": d["title"], "body": d["body"]}))
            .collect();
        if !v.is_empty() {
            return ("Reuters-21578 training bodies", v);
        }
    }
    let v = newsflow_core::fixtures::SAMPLE_ARTICLES
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    ("the sample articles", v)
}

/// Input offsets `group` has committed on `topic` (`partitions` of them),
/// summed; 0 while the group has none or the coordinator does not answer.
pub fn committed_total(brokers: &str, group: &str, topic: &str, partitions: i32) -> i64 {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", group)
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition(topic, p);
    }
    match c.committed_offsets(tpl, Duration::from_secs(5)) {
        Ok(t) => t
            .elements()
            .iter()
            .map(|e| {
                if let Offset::Offset(o) = e.offset() {
                    o
                } else {
                    0
                }
            })
            .sum(),
        Err(_) => 0,
    }
}
