//! Security against a real broker: Apache Kafka with a SASL_SSL listener
//! (PLAIN, a CA and a server certificate generated here). newsflow connects
//! with the documented `kafka.consumer` / `kafka.producer` settings, its
//! password read from a file (`${file:...}`); a wrong password fails the
//! start with a clear error; neither the password nor key material appears in
//! any log line or in `check-config` output.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use support::{articles, create_topics_at, free_port, produce, read_all, KafkaNode, Service};

const PASSWORD: &str = "s3cret-alice-Pw";

fn sh(dir: &Path, script: &str) {
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and a server certificate for 127.0.0.1, made with openssl.
fn certificates(dir: &Path) {
    sh(
        dir,
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=newsflow-test-ca -keyout ca.key -out ca.crt 2>/dev/null && \
         openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out server.csr 2>/dev/null && \
         printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > san.ext && \
         openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.crt 2>/dev/null && \
         cat server.key server.crt > server.pem",
    );
}

fn broker(certs: &Path, sasl_port: u16) -> KafkaNode {
    let extra = format!(
        "listeners=PLAINTEXT://127.0.0.1:{{PLAIN}},CONTROLLER://127.0.0.1:{{CONTROLLER}},SASL_SSL://127.0.0.1:{sasl_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{{PLAIN}},SASL_SSL://127.0.0.1:{sasl_port}
listener.name.sasl_ssl.sasl.enabled.mechanisms=PLAIN
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"{PASSWORD}\";
listener.name.sasl_ssl.ssl.keystore.type=PEM
listener.name.sasl_ssl.ssl.keystore.location={}
",
        certs.join("server.pem").display()
    );
    let plain = free_port();
    KafkaNode::start_with(plain, &extra.replace("{PLAIN}", &plain.to_string()))
}

/// The documented client settings, for both clients, through the environment.
fn security_env(certs: &Path, password_file: &Path) -> Vec<(String, String)> {
    let mut v = Vec::new();
    for client in ["CONSUMER", "PRODUCER"] {
        for (k, val) in [
            ("SECURITY_PROTOCOL", "SASL_SSL".to_owned()),
            ("SASL_MECHANISMS", "PLAIN".to_owned()),
            ("SASL_USERNAME", "alice".to_owned()),
            (
                "SASL_PASSWORD",
                format!("${{file:{}}}", password_file.display()),
            ),
            (
                "SSL_CA_LOCATION",
                certs.join("ca.crt").display().to_string(),
            ),
        ] {
            v.push((format!("NEWSFLOW_KAFKA__{client}__{k}"), val));
        }
    }
    v
}

fn no_secrets(text: &str, what: &str, key_material: &str) {
    assert!(
        !text.contains(PASSWORD),
        "{what} shows the password:\n{text}"
    );
    assert!(!text.contains("PRIVATE KEY"), "{what} shows key material");
    let key_line = key_material.lines().nth(1).expect("a PEM body line");
    assert!(!text.contains(key_line), "{what} shows key material");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sasl_ssl_with_a_password_file_and_secrets_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    certificates(dir.path());
    let key_material = std::fs::read_to_string(dir.path().join("server.key")).unwrap();
    let pw = dir.path().join("password");
    std::fs::write(&pw, format!("{PASSWORD}\n")).unwrap();
    let sasl_port = free_port();
    let node = broker(dir.path(), sasl_port);

    let s = support::settings(&format!("127.0.0.1:{sasl_port}"), "sec", "gsec");
    let plain = node.bootstrap();
    let t = s.topics.clone();
    create_topics_at(
        &plain,
        &[
            (&t.input, 2, 1),
            (&t.enriched, 2, 1),
            (&t.entities, 2, 1),
            (&t.topics, 2, 1),
            (&t.dlq, 1, 1),
        ],
    );
    let env = security_env(dir.path(), &pw);
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();

    // check-config: validates, shows no secret.
    let out = Command::new(env!("CARGO_BIN_EXE_newsflow"))
        .arg("check-config")
        .envs(pairs.iter().copied())
        .output()
        .unwrap();
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("***"), "the password is redacted: {shown}");
    no_secrets(&shown, "check-config", &key_material);

    // The service enriches through SASL_SSL.
    let svc = Service::start(&s, &pairs);
    produce(&plain, &t.input, &articles(20, "sec")).await;
    let got = read_all(&plain, &[&t.enriched], 20, Duration::from_secs(60));
    assert_eq!(got.len(), 20, "log:\n{}", svc.log());
    let (code, log) = svc.stop();
    assert_eq!(code, Some(0), "{log}");
    no_secrets(&log, "the service log", &key_material);

    // A wrong password stops the start with a clear error.
    std::fs::write(&pw, "wrong-password-123\n").unwrap();
    let started = std::time::Instant::now();
    let svc = Service::start(&s, &pairs);
    let (code, log) = svc.wait_exit(Duration::from_secs(60));
    assert_ne!(code, Some(0), "{log}");
    assert!(
        started.elapsed() < Duration::from_secs(45),
        "the start failed in {:?}",
        started.elapsed()
    );
    assert!(
        log.contains("cannot connect to") || log.contains("got no metadata from"),
        "the error says the cluster could not be reached: {log}"
    );
    assert!(log.contains(&s.kafka.brokers), "{log}");
    assert!(!log.contains("wrong-password-123"), "{log}");
    no_secrets(&log, "the failed start's log", &key_material);
}
