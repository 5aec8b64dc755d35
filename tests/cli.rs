//! The binary as an operator uses it: `run` under SIGTERM, `process`,
//! `check-config`, taxonomy reload on SIGHUP. The broker for `run` is Apache
//! Kafka in its own process or the mock cluster (its brokers listen on real
//! loopback sockets, so another process can use them).

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{articles, committed, produce, read_all, Broker};

const BIN: &str = env!("CARGO_BIN_EXE_newsflow");

fn run_env(s: &newsflow::config::Settings) -> Vec<(String, String)> {
    vec![
        ("NEWSFLOW_KAFKA__BROKERS".into(), s.kafka.brokers.clone()),
        ("NEWSFLOW_KAFKA__GROUP_ID".into(), s.kafka.group_id.clone()),
        ("NEWSFLOW_TOPICS__INPUT".into(), s.topics.input.clone()),
        (
            "NEWSFLOW_TOPICS__ENRICHED".into(),
            s.topics.enriched.clone(),
        ),
        (
            "NEWSFLOW_TOPICS__ENTITIES".into(),
            s.topics.entities.clone(),
        ),
        ("NEWSFLOW_TOPICS__TOPICS".into(), s.topics.topics.clone()),
        ("NEWSFLOW_TOPICS__DLQ".into(), s.topics.dlq.clone()),
        (
            "NEWSFLOW_KAFKA__CONSUMER__FETCH_WAIT_MAX_MS".into(),
            "10".into(),
        ),
        ("NEWSFLOW_PIPELINE__COMMIT_INTERVAL_MS".into(), "200".into()),
        ("NEWSFLOW_SHUTDOWN__DRAIN_TIMEOUT_MS".into(), "10000".into()),
        ("NEWSFLOW_HTTP__LISTEN".into(), "127.0.0.1:0".into()),
        (
            "NEWSFLOW_KAFKA__PRODUCER__SASL_PASSWORD".into(),
            "hunter2-secret".into(),
        ),
    ]
}

fn sigterm(pid: u32) {
    let st = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(st.success());
}

/// SIGTERM in the middle of a stream: the process drains, commits and exits 0
/// in time, and everything below the committed offsets has its output.
async fn sigterm_drains_and_commits(broker: Broker) {
    let s = broker.settings("cli", "gcli");
    broker.create_topics(&s, 2);
    let input = articles(300, "s");
    produce(&s.kafka.brokers, &s.topics.input, &input).await;
    let mut child = Command::new(BIN)
        .args(["run", "--log-format", "json"])
        .envs(run_env(&s))
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Stop it once some output exists.
    let early = read_all(
        &s.kafka.brokers,
        &[&s.topics.enriched],
        20,
        Duration::from_secs(60),
    );
    assert!(early.len() >= 20, "the service produced output");
    sigterm(child.id());
    let started = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "did not exit within the drain deadline"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = std::io::read_to_string(child.stderr.take().unwrap()).unwrap();
    assert_eq!(status.code(), Some(0), "exit code; logs:\n{stderr}");
    assert!(
        stderr.contains("\"pipeline stopped\"") && stderr.contains("\"drained\":true"),
        "{stderr}"
    );
    assert!(stderr.contains("\"newsflow starting\""));
    assert!(stderr.contains("partition assigned"));
    assert!(!stderr.contains("hunter2-secret"), "secrets never logged");

    let commits = committed(&s.kafka.brokers, "gcli", &s.topics.input);
    let total: i64 = commits.iter().filter(|&&o| o > 0).sum();
    assert!(total >= 20, "committed {commits:?}");
    let out = read_all(
        &s.kafka.brokers,
        &[&s.topics.enriched],
        input.len(),
        Duration::from_secs(10),
    );
    for (p, &upto) in commits.iter().enumerate() {
        for o in 0..upto.max(0) {
            assert!(
                out.iter()
                    .any(|r| r.json()["source"]["partition"] == p as i64
                        && r.json()["source"]["offset"] == o),
                "partition {p} offset {o} committed but has no output"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_on_mock_cluster() {
    sigterm_drains_and_commits(Broker::mock()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_on_apache_kafka() {
    sigterm_drains_and_commits(Broker::kafka()).await
}

#[test]
fn check_config_names_the_bad_key() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        "[kafka]\nbrokers = \"127.0.0.1:1\"\ngroup_id = \"g\"\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["check-config", "--config"])
        .arg(&good)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("configuration OK"));

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[pipeline]\nmax_in_flight = -3\n").unwrap();
    let out = Command::new(BIN)
        .args(["check-config", "--config"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("pipeline.max_in_flight"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = Command::new(BIN)
        .args(["check-config"])
        .env(
            "NEWSFLOW_KAFKA__CONSUMER__SESSION_TIMEOUT_MS",
            "not-a-number",
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("session.timeout.ms"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // KIP-848: the compiled-in session.timeout.ms does not block it.
    let out = Command::new(BIN)
        .args(["check-config"])
        .env("NEWSFLOW_KAFKA__CONSUMER__GROUP_PROTOCOL", "consumer")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let topics = dir.path().join("topics.toml");
    std::fs::write(
        &topics,
        "[[topic]]\nid = \"x\"\nlabel = \"X\"\nrule = '\"grain\" & ('\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["check-config"])
        .env("NEWSFLOW_ENRICH__TOPICS_FILE", &topics)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("topics.toml:4") && err.contains("topic \"x\""),
        "{err}"
    );
}

#[test]
fn run_refuses_to_start_on_invalid_config() {
    let out = Command::new(BIN)
        .args(["run"])
        .env("NEWSFLOW_LIMITS__MAX_MESSAGE_BYTES", "huge")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("limits.max_message_bytes"));
}

#[test]
fn process_keeps_input_order_and_reports_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("in.jsonl");
    let lines = [
        r#"{"id":"one","body":"Turkish President Tayyip Erdogan visited Ankara."}"#,
        r#"{"id":"two","body":"#,
        r#"{"id":"three","body":"Iran's crude exports to China fell."}"#,
    ];
    std::fs::write(&f, lines.join("\n")).unwrap();
    let out = Command::new(BIN)
        .arg("process")
        .arg(&f)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/samples/seed-putin-tehran.txt"
        ))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "a bad line makes the exit code 1"
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let ids: Vec<String> = stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids, ["one", "three", "seed-putin-tehran"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("in.jsonl:2") && stderr.contains("malformed_json"),
        "{stderr}"
    );
}

#[test]
fn explain_shows_terms_and_evidence() {
    let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-putin-tehran.txt");
    let out = Command::new(BIN)
        .args(["explain", "--topic", "black-sea-grain-deal", seed])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("result: FIRES"), "{text}");
    assert!(
        text.contains("\"grain export\" weight 2: 2 match(es)"),
        "{text}"
    );
    assert!(text.contains("body[431..444] \"grain exports\""), "{text}");
    let out = Command::new(BIN)
        .args(["explain", "--topic", "no-such-topic", seed])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-topic"));
}

/// `process` marks near-copies in input order and leaves other languages
/// unanalysed; bad `[enrich]`/`[dedup]` values stop it with the key named.
#[test]
fn process_marks_near_copies_and_detects_languages() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let story = "The central bank raised its main interest rate by half a point on Thursday, \
        its third increase this year, saying inflation was still far above its target. The \
        governor told reporters the bank would act again if prices kept rising.";
    let lines = [
        serde_json::json!({"id": "a", "body": story}),
        serde_json::json!({"id": "b", "title": "UPDATE 1", "body": story.replace("half a point", "50 basis points")}),
        serde_json::json!({"id": "c", "language": "en", "body": "Die Regierung hat am Montag neue Maßnahmen gegen die steigenden Energiepreise beschlossen. Die Opposition kritisierte das Paket."}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&input, text).unwrap();
    let out = Command::new(BIN)
        .arg("process")
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(events[0]["duplicate_of"].is_null());
    assert_eq!(events[1]["duplicate_of"]["id"], "a");
    assert_eq!(events[2]["language"], "de");
    assert_eq!(events[2]["declared_language"], "en");
    assert_eq!(events[2]["entities"], serde_json::json!([]));

    // Off: no marks.
    let out = Command::new(BIN)
        .arg("process")
        .arg(&input)
        .env("NEWSFLOW_DEDUP__WINDOW", "0")
        .output()
        .unwrap();
    let second: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().nth(1).unwrap()).unwrap();
    assert!(second["duplicate_of"].is_null());

    for (var, value, key) in [
        (
            "NEWSFLOW_ENRICH__LANGUAGES",
            r#"["english"]"#,
            "enrich.languages",
        ),
        (
            "NEWSFLOW_DEDUP__MIN_SIMILARITY",
            "0.1",
            "dedup.min_similarity",
        ),
    ] {
        let out = Command::new(BIN)
            .arg("process")
            .arg(&input)
            .env(var, value)
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(key), "{err}");
    }
}

/// Near-duplicate precision and recall on Reuters-21578 stories and
/// generated wire copies, with the shipped settings.
#[test]
fn near_duplicates_are_found_with_precision_and_recall_of_095() {
    let Some(reuters) = newsflow_core::training::corpora::for_test(
        "near_duplicates_are_found_with_precision_and_recall_of_095",
        "reuters21578/train.jsonl.gz",
    ) else {
        return;
    };
    let out = Command::new(BIN)
        .args(["eval", "duplicates", "--json", "--input"])
        .arg(&reuters)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    println!("{r:#}");
    assert_eq!(r["copies"], 1000);
    assert!(r["precision"].as_f64().unwrap() >= 0.95, "{r:#}");
    assert!(r["recall"].as_f64().unwrap() >= 0.95, "{r:#}");
}
