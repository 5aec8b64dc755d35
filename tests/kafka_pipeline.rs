//! The Kafka path end to end through the service assembly, on both brokers:
//! librdkafka's in-process mock cluster and Apache Kafka in its own process.

mod support;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use newsflow_core::Enricher;
use support::{articles, committed, produce, read_all, start, Broker};

fn enricher() -> Arc<Enricher> {
    static E: std::sync::OnceLock<Arc<Enricher>> = std::sync::OnceLock::new();
    E.get_or_init(|| Arc::new(Enricher::embedded().expect("embedded resources")))
        .clone()
}

const WAIT: Duration = Duration::from_secs(60);

/// Every kind of bad input, keyed by the class it must get.
fn bad_inputs(max_bytes: usize) -> Vec<(Option<String>, Vec<u8>)> {
    vec![
        (Some("empty".into()), Vec::new()),
        (Some("invalid_utf8".into()), b"caf\xe9 \xff".to_vec()),
        (
            Some("malformed_json".into()),
            br#"{"body": "unterminated"#.to_vec(),
        ),
        (Some("not_an_object".into()), br#"["a", "list"]"#.to_vec()),
        (Some("invalid_field".into()), br#"{"body": 42}"#.to_vec()),
        (
            Some("missing_body".into()),
            br#"{"title": "headline only"}"#.to_vec(),
        ),
        (
            Some("too_large".into()),
            format!("{{\"body\": \"{}\"}}", "x".repeat(max_bytes)).into_bytes(),
        ),
    ]
}

async fn enriches_and_dead_letters(broker: Broker) {
    let mut s = broker.settings("t1", "g1");
    s.limits.max_message_bytes = 4096;
    broker.create_topics(&s, 3);
    let good = articles(12, "a");
    let bad = bad_inputs(4096);
    let mut input = good.clone();
    input.extend(bad.clone());
    produce(&s.kafka.brokers, &s.topics.input, &input).await;

    let (shutdown, h) = start(s.clone(), enricher());
    let enriched = read_all(&s.kafka.brokers, &[&s.topics.enriched], good.len(), WAIT);
    let dlq = read_all(&s.kafka.brokers, &[&s.topics.dlq], bad.len(), WAIT);
    let entities = read_all(&s.kafka.brokers, &[&s.topics.entities], 1, WAIT);
    let topics = read_all(&s.kafka.brokers, &[&s.topics.topics], 1, WAIT);
    // Wait until every input offset is committed, then stop.
    let total = input.len() as i64;
    let (b, t) = (&s.kafka.brokers, &s.topics.input);
    support::wait_committed(b, "g1", t, total, WAIT, || {
        "offsets were not committed".into()
    })
    .await;
    shutdown.trigger();
    let summary = h.await.unwrap().unwrap();

    assert_eq!(enriched.len(), good.len());
    let ids: HashSet<String> = enriched
        .iter()
        .map(|r| r.json()["id"].as_str().unwrap().to_owned())
        .collect();
    let want: HashSet<String> = good.iter().map(|(k, _)| k.clone().unwrap()).collect();
    assert_eq!(ids, want);
    for r in &enriched {
        let ev = r.json();
        assert_eq!(ev["schema"], "newsflow.enriched.v1");
        assert_eq!(r.key.as_deref(), ev["id"].as_str(), "keyed by article id");
        assert_eq!(ev["source"]["topic"], s.topics.input.as_str());
        assert_eq!(ev["published_at"], "2022-07-19T00:00:00Z");
        let names: Vec<&str> = ev["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        assert!(
            names.contains(&"Vladimir Putin") && names.contains(&"Tehran"),
            "{names:?}"
        );
        assert!(
            ev["topics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["id"] == "black-sea-grain-deal"),
            "{}",
            ev["topics"]
        );
    }
    assert!(!entities.is_empty() && entities[0].json()["entity_id"].is_string());
    assert!(!topics.is_empty() && topics[0].json()["topic_id"].is_string());

    assert_eq!(dlq.len(), bad.len(), "every bad message is dead-lettered");
    let originals: HashMap<String, Vec<u8>> = bad
        .iter()
        .map(|(k, v)| (k.clone().unwrap(), v.clone()))
        .collect();
    for r in &dlq {
        let key = r.key.clone().expect("original key kept");
        assert_eq!(r.headers["error.class"], key, "class for {key}");
        assert!(!r.headers["error.message"].is_empty());
        assert_eq!(r.headers["source.topic"], s.topics.input);
        assert!(r.headers["source.partition"].parse::<i32>().unwrap() >= 0);
        assert!(r.headers["source.offset"].parse::<i64>().unwrap() >= 0);
        assert_eq!(r.value, originals[&key], "original bytes kept for {key}");
    }
    assert_eq!(summary.consumed, input.len() as u64);
    assert_eq!(summary.enriched, good.len() as u64);
    assert_eq!(summary.dead_lettered, bad.len() as u64);
    assert!(summary.drained);
}

async fn restart_reprocesses_nothing(broker: Broker) {
    let s = broker.settings("t2", "g2");
    broker.create_topics(&s, 2);
    produce(&s.kafka.brokers, &s.topics.input, &articles(20, "first")).await;
    let (shutdown, h) = start(s.clone(), enricher());
    assert_eq!(
        read_all(&s.kafka.brokers, &[&s.topics.enriched], 20, WAIT).len(),
        20
    );
    shutdown.trigger();
    let first = h.await.unwrap().unwrap();
    assert_eq!(first.consumed, 20);
    assert_eq!(
        committed(&s.kafka.brokers, "g2", &s.topics.input)
            .iter()
            .sum::<i64>(),
        20,
        "all committed at shutdown"
    );

    produce(&s.kafka.brokers, &s.topics.input, &articles(10, "second")).await;
    let (shutdown, h) = start(s.clone(), enricher());
    let all = read_all(&s.kafka.brokers, &[&s.topics.enriched], 30, WAIT);
    // Give a wrongly restarted consumer time to produce duplicates.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let all_after = read_all(
        &s.kafka.brokers,
        &[&s.topics.enriched],
        31,
        Duration::from_secs(2),
    );
    shutdown.trigger();
    let second = h.await.unwrap().unwrap();
    assert_eq!(all.len(), 30);
    assert_eq!(all_after.len(), 30, "nothing was enriched twice");
    assert_eq!(
        second.consumed, 10,
        "the restart consumed only new messages"
    );
}

async fn two_instances_split_the_work(broker: Broker) {
    let s = broker.settings("t3", "g3");
    broker.create_topics(&s, 4);
    let first = articles(20, "x");
    produce(&s.kafka.brokers, &s.topics.input, &first).await;
    let (stop_a, a) = start(s.clone(), enricher());
    assert_eq!(
        read_all(&s.kafka.brokers, &[&s.topics.enriched], 20, WAIT).len(),
        20
    );
    // A second instance joins: A's partitions are revoked, drained and committed, then split.
    // B listens on a port of its own: its `/readyz` says when the group
    // gave it partitions, which is after A revoked them.
    let port = support::free_port();
    let mut sb = s.clone();
    sb.http.listen = format!("127.0.0.1:{port}");
    let (stop_b, b) = start(sb, enricher());
    support::wait_status(port, "/readyz", 200, String::new).await;
    let second = articles(40, "y");
    produce(&s.kafka.brokers, &s.topics.input, &second).await;
    assert!(read_all(&s.kafka.brokers, &[&s.topics.enriched], 60, WAIT).len() >= 60);
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop_a.trigger();
    stop_b.trigger();
    let (sa, sb) = (a.await.unwrap().unwrap(), b.await.unwrap().unwrap());
    let all = read_all(
        &s.kafka.brokers,
        &[&s.topics.enriched],
        1000,
        Duration::from_secs(3),
    );

    // Nothing lost. At least once: a commit inside the revocation callback
    // can be refused while the group rebalances (RebalanceInProgress), and
    // then the next owner redoes that partition's uncommitted messages; the
    // redo is bounded by what was consumed before the rebalance (20).
    let seen: HashSet<String> = all.iter().map(|r| r.key.clone().unwrap()).collect();
    assert_eq!(seen.len(), 60, "every message enriched");
    let total = sa.consumed + sb.consumed;
    assert!(
        (60..=80).contains(&total),
        "consumed {total} across the group"
    );
    assert_eq!(all.len() as u64, total, "one output per consumption");
    assert!(sb.consumed > 0, "the second instance took over partitions");
    // Together they enrich exactly as one process would.
    let by_id: HashMap<String, serde_json::Value> = all
        .iter()
        .map(|r| (r.key.clone().unwrap(), r.json()))
        .collect();
    for (k, v) in first.iter().chain(&second) {
        let article = newsflow_core::decode(v, k.as_deref().map(str::as_bytes), 1 << 20).unwrap();
        let alone = enricher().enrich(&article);
        let got = &by_id[k.as_ref().unwrap()];
        assert_eq!(
            got["entities"],
            serde_json::to_value(&alone.entities).unwrap()
        );
        assert_eq!(got["topics"], serde_json::to_value(&alone.topics).unwrap());
    }
}

/// `output.analytics_framing = "ndjson"`: one entities record per article
/// holding all its entity rows, one per line; `topics.topics = ""`: no
/// topic rows at all.
async fn ndjson_framing_and_an_output_turned_off(broker: Broker) {
    let mut s = broker.settings("nd", "gnd");
    broker.create_topics(&s, 1);
    let topics_topic = std::mem::take(&mut s.topics.topics);
    s.output.analytics_framing = newsflow::config::Framing::Ndjson;
    s.validate().expect("\"\" turns an analytics output off");
    produce(&s.kafka.brokers, &s.topics.input, &articles(5, "nd")).await;
    let (shutdown, h) = start(s.clone(), enricher());
    let enriched = read_all(&s.kafka.brokers, &[&s.topics.enriched], 5, WAIT);
    let rows = read_all(&s.kafka.brokers, &[&s.topics.entities], 5, WAIT);
    shutdown.trigger();
    h.await.unwrap().unwrap();
    assert_eq!(enriched.len(), 5);
    assert_eq!(rows.len(), 5, "one entities record per article");
    for r in &rows {
        let id = r.key.clone().unwrap();
        let event = enriched
            .iter()
            .find(|e| e.key.as_deref() == Some(id.as_str()))
            .unwrap()
            .json();
        let lines: Vec<serde_json::Value> = r
            .value
            .split(|&b| b == b'\n')
            .map(|l| serde_json::from_slice(l).expect("each line is a JSON row"))
            .collect();
        assert_eq!(lines.len(), event["entities"].as_array().unwrap().len());
        assert!(
            lines.iter().all(|l| l["article_id"] == id.as_str()),
            "{lines:?}"
        );
    }
    assert!(
        read_all(
            &s.kafka.brokers,
            &[&topics_topic],
            1,
            Duration::from_secs(2)
        )
        .is_empty(),
        "the topic rows are off"
    );
}

macro_rules! on_both_brokers {
    ($($name:ident),*) => {
        mod mock {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(super::Broker::mock()).await } )*
        }
        mod kafka {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(super::Broker::kafka()).await } )*
        }
    };
}

on_both_brokers!(
    enriches_and_dead_letters,
    restart_reprocesses_nothing,
    two_instances_split_the_work,
    ndjson_framing_and_an_output_turned_off
);

/// The near-duplicate stage runs in the service: a wire copy of an earlier
/// article (new headline, a sentence added, a word changed) comes out with
/// `duplicate_of`, an unrelated story and a foreign-language one without.
async fn marks_near_copies(broker: Broker) {
    let s = broker.settings("dup", "gdup");
    broker.create_topics(&s, 1);
    let story = "The central bank raised its main interest rate by half a point on Thursday, \
        its third increase this year, saying inflation was still far above its target. The \
        governor told reporters the bank would act again if prices kept rising. Markets had \
        expected the move, and the currency barely changed after the announcement.";
    let copy = format!(
        "{} Economists said the decision showed the bank was worried.",
        story.replace("third", "3rd")
    );
    let other = "Flooding closed the main road into the city for a second day on Friday as \
        rivers rose after a week of heavy rain. Emergency services moved hundreds of \
        residents to shelters and warned that more rain was forecast for the weekend.";
    let german = "Die Zentralbank hat am Donnerstag die Leitzinsen erhöht, um die Inflation \
        zu bremsen. Die Entscheidung war von Ökonomen erwartet worden.";
    let input: Vec<(Option<String>, Vec<u8>)> = [
        ("orig", "Bank raises rates", story),
        ("other", "Floods close road", other),
        ("copy", "UPDATE 1-Bank raises rates again", copy.as_str()),
        ("de", "Zinsen steigen", german),
    ]
    .iter()
    .map(|(id, title, body)| {
        let v = serde_json::json!({"id": id, "title": title, "body": body});
        (Some(id.to_string()), serde_json::to_vec(&v).unwrap())
    })
    .collect();
    produce(&s.kafka.brokers, &s.topics.input, &input).await;
    let (shutdown, h) = start(s.clone(), enricher());
    let out = read_all(&s.kafka.brokers, &[&s.topics.enriched], input.len(), WAIT);
    shutdown.trigger();
    h.await.unwrap().unwrap();
    let by_id: HashMap<String, serde_json::Value> = out
        .iter()
        .map(|r| (r.key.clone().unwrap(), r.json()))
        .collect();
    assert_eq!(
        by_id["copy"]["duplicate_of"]["id"], "orig",
        "{:#}",
        by_id["copy"]
    );
    assert!(
        by_id["copy"]["duplicate_of"]["similarity"]
            .as_f64()
            .unwrap()
            >= 0.5
    );
    assert!(by_id["orig"]["duplicate_of"].is_null());
    assert!(by_id["other"]["duplicate_of"].is_null());
    assert_eq!(by_id["copy"]["fingerprint"].as_str().unwrap().len(), 128);
    let de = &by_id["de"];
    assert_eq!(de["language"], "de");
    assert_eq!(de["entities"], serde_json::json!([]));
    assert!(by_id["orig"]["quotes"].is_array() && by_id["orig"]["tone"]["polarity"].is_number());
}

mod near_copies {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn marks_near_copies_on_the_mock_cluster() {
        super::marks_near_copies(super::Broker::mock()).await
    }
}
