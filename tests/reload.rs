//! Taxonomy hot reload in the shipped binary: `newsflow run` with
//! `enrich.topics_file` reloads the file on SIGHUP (and when it changes), an
//! invalid file is rejected with file, line and reason while the previous
//! taxonomy keeps running, and without a topics file SIGHUP is logged and
//! ignored. Every case drives the real binary and ends with SIGTERM.

mod support;

use std::collections::HashSet;
use std::time::Duration;

use support::{produce, read_all, Broker, Service};

const WAIT: Duration = Duration::from_secs(60);

fn storyline(id: &str, phrase: &str) -> String {
    format!(
        "[[topic]]\nid = \"{id}\"\nlabel = \"{id}\"\nrule = '\"{phrase}\"'\n\
         [topic.examples]\npositive = [\"{phrase}\"]\nnegative = [\"nothing\"]\n"
    )
}

fn batch(tag: &str, n: usize) -> Vec<(Option<String>, Vec<u8>)> {
    (0..n)
        .map(|i| {
            let v = serde_json::json!({"id": format!("{tag}-{i}"), "body": "Grain and oil prices rose in Chicago."});
            (Some(format!("{tag}-{i}")), serde_json::to_vec(&v).unwrap())
        })
        .collect()
}

fn topic_ids(r: &support::Record) -> Vec<String> {
    r.json()["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_topics_file_in_the_running_binary() {
    let broker = Broker::kafka();
    let s = broker.settings("hup", "ghup");
    broker.create_topics(&s, 2);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("topics.toml");
    std::fs::write(&path, storyline("alpha", "grain")).unwrap();
    let mut svc = Service::start(
        &s,
        &[("NEWSFLOW_ENRICH__TOPICS_FILE", path.to_str().unwrap())],
    );

    produce(&s.kafka.brokers, &s.topics.input, &batch("before", 10)).await;
    let first = read_all(&s.kafka.brokers, &[&s.topics.enriched], 10, WAIT);
    assert_eq!(first.len(), 10, "log:\n{}", svc.log());

    // Append a storyline and send SIGHUP.
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&storyline("beta", "oil"));
    std::fs::write(&path, text).unwrap();
    svc.signal("HUP");
    svc.wait_for("\"taxonomy reloaded\"", 1);
    assert!(svc.alive(), "SIGHUP must not end the service");
    assert!(svc.log().contains("\"topics\":2"), "{}", svc.log());
    produce(&s.kafka.brokers, &s.topics.input, &batch("after", 10)).await;

    // An invalid file is rejected with file, line and reason; beta stays.
    let good = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        format!("{good}[[topic]]\nid = \"gamma\"\nlabel = \"G\"\nrule = '\"oil\" &'\n"),
    )
    .unwrap();
    svc.signal("HUP");
    svc.wait_for("\"taxonomy rejected; the previous one stays in force\"", 1);
    let log = svc.log();
    let warn = log
        .lines()
        .find(|l| l.contains("taxonomy rejected"))
        .unwrap();
    assert!(warn.contains("\"level\":\"WARN\""), "{warn}");
    assert!(
        warn.contains("topics.toml:") && warn.contains("end of rule"),
        "file, line and reason: {warn}"
    );
    produce(&s.kafka.brokers, &s.topics.input, &batch("late", 5)).await;

    let all = read_all(&s.kafka.brokers, &[&s.topics.enriched], 25, WAIT);
    // Give a wrongly repeating service time to produce duplicates.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let (code, log) = svc.stop();
    assert_eq!(code, Some(0), "exit code; log:\n{log}");
    let all_after = read_all(
        &s.kafka.brokers,
        &[&s.topics.enriched],
        26,
        Duration::from_secs(3),
    );
    assert_eq!(all.len(), 25, "nothing lost");
    assert_eq!(all_after.len(), 25, "nothing repeated");
    let ids: HashSet<String> = all.iter().map(|r| r.key.clone().unwrap()).collect();
    assert_eq!(ids.len(), 25);
    for r in &all {
        let key = r.key.as_deref().unwrap();
        let topics = topic_ids(r);
        assert!(topics.contains(&"alpha".to_owned()), "{key}: {topics:?}");
        let has_beta = topics.contains(&"beta".to_owned());
        assert_eq!(has_beta, !key.starts_with("before"), "{key}: {topics:?}");
        assert!(!topics.contains(&"gamma".to_owned()), "{key}: {topics:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_without_a_topics_file_is_logged_and_ignored() {
    let broker = Broker::mock();
    let s = broker.settings("nohup", "gnohup");
    broker.create_topics(&s, 1);
    let mut svc = Service::start(&s, &[]);
    svc.wait_for("\"pipeline started\"", 1);
    svc.signal("HUP");
    svc.wait_for("nothing to reload", 1);
    produce(&s.kafka.brokers, &s.topics.input, &batch("n", 3)).await;
    assert_eq!(
        read_all(&s.kafka.brokers, &[&s.topics.enriched], 3, WAIT).len(),
        3
    );
    assert!(svc.alive(), "SIGHUP must not end the service");
    let (code, log) = svc.stop();
    assert_eq!(code, Some(0), "{log}");
}
