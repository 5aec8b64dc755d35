//! The HTTP listener of the real binary (`newsflow run` on the mock
//! cluster): `/livez`, `/readyz` before and after the group join and during
//! the SIGTERM drain, and `/metrics` counters equal to what went through
//! (consumed, enriched, dead letters per class, records per topic).

mod support;

use std::time::{Duration, Instant};

use support::{articles, free_port, http_get as get, produce, Broker, Service};

/// The value of the sample `name{labels}` (labels as rendered, or empty).
fn sample(metrics: &str, name: &str, labels: &str) -> Option<f64> {
    let head = if labels.is_empty() {
        name.to_owned()
    } else {
        format!("{name}{{{labels}}}")
    };
    metrics.lines().find_map(|l| {
        l.strip_prefix(&head)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_metrics_of_the_running_service() {
    let broker = Broker::mock();
    let s = broker.settings("http", "ghttp");
    broker.create_topics(&s, 2);
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let svc = Service::start(
        &s,
        &[
            ("NEWSFLOW_HTTP__LISTEN", listen.as_str()),
            // Statistics (the lag gauge) often enough for the test.
            ("NEWSFLOW_KAFKA__CONSUMER__STATISTICS_INTERVAL_MS", "200"),
        ],
    );

    support::wait_status(port, "/livez", 200, || svc.log()).await;
    support::wait_status(port, "/readyz", 200, || svc.log()).await;
    let mut input = articles(40, "h");
    input.push((Some("bad-json".into()), b"{\"body\": ".to_vec()));
    input.push((Some("bad-utf8".into()), vec![0xff, 0xfe, b'x']));
    produce(&s.kafka.brokers, &s.topics.input, &input).await;
    svc.wait_for("\"message\":\"message sent to dead-letter topic\"", 2);

    // Counters reach what went through (the last acknowledgements may lag
    // the dead letters' log lines by a moment).
    let deadline = Instant::now() + Duration::from_secs(30);
    let metrics = loop {
        let (code, body) = get(port, "/metrics").expect("metrics");
        assert_eq!(code, 200);
        // The lag gauge of each input partition, once statistics have come
        // after the last fetch.
        let lags: Vec<f64> = body
            .lines()
            .filter(|l| l.starts_with("newsflow_consumer_lag{") && l.contains(&s.topics.input))
            .filter_map(|l| l.rsplit(' ').next()?.parse().ok())
            .collect();
        if sample(&body, "newsflow_articles_enriched_total", "") == Some(40.0)
            && sample(&body, "newsflow_end_to_end_seconds_count", "") == Some(42.0)
            && lags.len() == 2
            && lags.iter().all(|&l| l == 0.0)
        {
            break body;
        }
        assert!(
            Instant::now() < deadline,
            "enriched never reached 40 (with 42 end-to-end times and a zero lag per partition):\n{body}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let topic = |t: &str| format!("topic=\"{t}\"");
    assert_eq!(
        sample(
            &metrics,
            "newsflow_messages_consumed_total",
            &topic(&s.topics.input)
        ),
        Some(42.0),
        "{metrics}"
    );
    assert_eq!(
        sample(
            &metrics,
            "newsflow_dead_letters_total",
            "class=\"malformed_json\""
        ),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(
        sample(
            &metrics,
            "newsflow_dead_letters_total",
            "class=\"invalid_utf8\""
        ),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(
        sample(
            &metrics,
            "newsflow_records_produced_total",
            &topic(&s.topics.dlq)
        ),
        Some(2.0),
        "{metrics}"
    );
    assert_eq!(
        sample(
            &metrics,
            "newsflow_records_produced_total",
            &topic(&s.topics.enriched)
        ),
        Some(40.0),
        "{metrics}"
    );
    assert_eq!(
        sample(&metrics, "newsflow_processing_seconds_count", ""),
        Some(42.0),
        "{metrics}"
    );
    assert!(
        metrics.contains("newsflow_build_info{version=\""),
        "{metrics}"
    );
    // Idle now: nothing in flight, so no age and no bytes.
    assert_eq!(
        sample(&metrics, "newsflow_in_flight_bytes", ""),
        Some(0.0),
        "{metrics}"
    );
    assert_eq!(
        sample(&metrics, "newsflow_oldest_in_flight_age_seconds", ""),
        Some(0.0),
        "{metrics}"
    );
    // Every message's end-to-end time is under the test's own duration.
    let e2e_sum = sample(&metrics, "newsflow_end_to_end_seconds_sum", "").unwrap();
    assert!(e2e_sum > 0.0 && e2e_sum < 42.0 * 60.0, "{metrics}");

    // SIGTERM: /readyz says 503 while the process drains and exits; it never
    // says 200 again.
    svc.signal("TERM");
    let mut answers = Vec::new();
    while let Some((code, _)) = get(port, "/readyz") {
        answers.push(code);
    }
    assert!(answers.iter().all(|&c| c == 503), "{answers:?}");
    assert!(!answers.is_empty(), "the listener was gone at once");
    let (code, log) = svc.stop();
    assert_eq!(code, Some(0), "{log}");
}
