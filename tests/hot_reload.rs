//! Taxonomy hot reload while the service runs: a changed file takes effect
//! without a restart and without losing or repeating a message; an invalid
//! file is rejected and the previous taxonomy keeps running.

mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use newsflow::config::EnrichFiles;
use support::{produce, read_all, Broker};

fn topic_file(id: &str, phrase: &str) -> String {
    format!("[[topic]]\nid = \"{id}\"\nlabel = \"{id}\"\nrule = '\"{phrase}\"'\n[topic.examples]\npositive = [\"{phrase}\"]\nnegative = [\"nothing\"]\n")
}

fn batch(tag: &str, n: usize) -> Vec<(Option<String>, Vec<u8>)> {
    (0..n)
        .map(|i| {
            let v = serde_json::json!({"id": format!("{tag}-{i}"), "body": "Grain and oil prices rose in Chicago."});
            (Some(format!("{tag}-{i}")), serde_json::to_vec(&v).unwrap())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_taxonomy_applies_without_restart() {
    let broker = Broker::mock();
    let s = broker.settings("hr", "ghr");
    broker.create_topics(&s, 2);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("topics.toml");
    std::fs::write(&path, topic_file("alpha", "grain")).unwrap();
    let files = EnrichFiles {
        topics_file: Some(path.clone()),
        ..Default::default()
    };
    let enricher = Arc::new(newsflow::commands::load_enricher(&files).unwrap());

    let shutdown = newsflow::shutdown::Shutdown::new();
    newsflow::reload::spawn(enricher.clone(), path.clone(), shutdown.clone()).unwrap();
    let service = tokio::spawn(newsflow::pipeline::run(
        Arc::new(s.clone()),
        enricher.clone(),
        newsflow::pipeline::Mode::Enrich,
        shutdown.clone(),
    ));

    produce(&s.kafka.brokers, &s.topics.input, &batch("before", 10)).await;
    assert_eq!(
        read_all(
            &s.kafka.brokers,
            &[&s.topics.enriched],
            10,
            Duration::from_secs(60)
        )
        .len(),
        10
    );

    // Change the file; the watcher picks it up.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    std::fs::write(&path, topic_file("beta", "oil")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while enricher.taxonomy().topics[0].id != "beta" {
        assert!(Instant::now() < deadline, "the new taxonomy was not loaded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    produce(&s.kafka.brokers, &s.topics.input, &batch("after", 10)).await;

    // An invalid file is rejected; beta stays.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    std::fs::write(
        &path,
        "[[topic]]\nid = \"gamma\"\nlabel = \"G\"\nrule = '\"oil\" &'\n",
    )
    .unwrap();
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(enricher.taxonomy().topics[0].id, "beta");

    let all = read_all(
        &s.kafka.brokers,
        &[&s.topics.enriched],
        20,
        Duration::from_secs(60),
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    shutdown.trigger();
    let summary = service.await.unwrap().unwrap();
    assert_eq!(all.len(), 20, "nothing lost");
    assert_eq!(summary.consumed, 20, "nothing repeated");
    let ids: HashSet<String> = all.iter().map(|r| r.key.clone().unwrap()).collect();
    assert_eq!(ids.len(), 20);
    for r in &all {
        let ev = r.json();
        let topics: Vec<&str> = ev["topics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect();
        let key = r.key.as_deref().unwrap();
        let want = if key.starts_with("before") {
            "alpha"
        } else {
            "beta"
        };
        assert!(topics.contains(&want), "{key}: {topics:?}");
        let other = if want == "alpha" { "beta" } else { "alpha" };
        assert!(!topics.contains(&other), "{key}: {topics:?}");
    }
}
