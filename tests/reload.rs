//! Taxonomy hot reload in the shipped binary: `newsflow run` with
//! `enrich.topics_file` reloads the file on SIGHUP (and when it changes), an
//! invalid file is rejected with file, line and reason while the previous
//! taxonomy keeps running, and without a topics file SIGHUP is logged and
//! ignored. Every case drives the real binary and ends with SIGTERM.

mod support;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::{produce, read_all, Broker};

const BIN: &str = env!("CARGO_BIN_EXE_newsflow");
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

/// A running `newsflow run` whose stderr is collected as it comes.
struct Service {
    child: Child,
    log: Arc<Mutex<String>>,
}

impl Service {
    fn start(s: &newsflow::config::Settings, extra_env: &[(&str, &str)]) -> Service {
        let mut child = Command::new(BIN)
            .args(["run", "--log-format", "json"])
            .env("NEWSFLOW_KAFKA__BROKERS", &s.kafka.brokers)
            .env("NEWSFLOW_KAFKA__GROUP_ID", &s.kafka.group_id)
            .env("NEWSFLOW_TOPICS__INPUT", &s.topics.input)
            .env("NEWSFLOW_TOPICS__ENRICHED", &s.topics.enriched)
            .env("NEWSFLOW_TOPICS__ENTITIES", &s.topics.entities)
            .env("NEWSFLOW_TOPICS__TOPICS", &s.topics.topics)
            .env("NEWSFLOW_TOPICS__DLQ", &s.topics.dlq)
            .env("NEWSFLOW_KAFKA__CONSUMER__FETCH_WAIT_MAX_MS", "10")
            .env("NEWSFLOW_PIPELINE__COMMIT_INTERVAL_MS", "200")
            .envs(extra_env.iter().copied())
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (stderr, sink) = (child.stderr.take().unwrap(), log.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut l = sink.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        Service { child, log }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits until the log has `n` lines containing `needle`.
    fn wait_for(&self, needle: &str, n: usize) {
        let deadline = Instant::now() + WAIT;
        while self.log().matches(needle).count() < n {
            assert!(
                Instant::now() < deadline,
                "no {needle:?} (x{n}) in the log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn signal(&self, name: &str) {
        let st = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(st.success());
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// SIGTERM, then the exit code (within the drain deadline).
    fn stop(mut self) -> (Option<i32>, String) {
        self.signal("TERM");
        let started = Instant::now();
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "did not exit after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        std::thread::sleep(Duration::from_millis(100)); // let the log reader finish
        (status.code(), self.log())
    }
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
