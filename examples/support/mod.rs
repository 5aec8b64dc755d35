//! What the benchmark examples share: topic creation through the admin API,
//! the input articles, the `newsflow run` command line and the CPU time a
//! process has used.

// Each example uses only part of this module.
#![allow(dead_code)]

use std::process::{Command, Stdio};
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

/// `newsflow run` (the binary `bin`) on `brokers` in group `group`, reading
/// `input` and writing `{prefix}.enriched`, `.entities`, `.topics` and
/// `.dlq`, with its HTTP listener on `http` (`127.0.0.1:0` for any port),
/// WARN logs and no stdout. Each benchmark adds its own settings.
pub fn newsflow_run(
    bin: &str,
    brokers: &str,
    group: &str,
    input: &str,
    prefix: &str,
    http: &str,
) -> Command {
    let mut cmd = Command::new(bin);
    cmd.arg("run")
        .env("NEWSFLOW_KAFKA__BROKERS", brokers)
        .env("NEWSFLOW_KAFKA__GROUP_ID", group)
        .env("NEWSFLOW_TOPICS__INPUT", input)
        .env("NEWSFLOW_TOPICS__ENRICHED", format!("{prefix}.enriched"))
        .env("NEWSFLOW_TOPICS__ENTITIES", format!("{prefix}.entities"))
        .env("NEWSFLOW_TOPICS__TOPICS", format!("{prefix}.topics"))
        .env("NEWSFLOW_TOPICS__DLQ", format!("{prefix}.dlq"))
        .env("NEWSFLOW_HTTP__LISTEN", http)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null());
    cmd
}

/// CPU time (user + system, all threads) the process `pid` has used so far,
/// from `/proc/{pid}/stat`; `None` where that cannot be read.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name (which may hold spaces) start at
    // the state; utime and stime are the 12th and 13th of them.
    let rest = stat.rsplit_once(')')?.1;
    let mut f = rest.split_whitespace().skip(11);
    let (utime, stime): (f64, f64) = (f.next()?.parse().ok()?, f.next()?.parse().ok()?);
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    Some((utime + stime) / ticks)
}
