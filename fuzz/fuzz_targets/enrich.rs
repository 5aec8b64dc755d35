//! The whole core on arbitrary bytes, twice: as a Kafka message (decode,
//! enrich, encode every output record) and, when the bytes are UTF-8, as
//! the body of a JSON article (so that enrichment sees the text itself).
//! Never panics; every mention, quote and caption points into the body at
//! the text it claims; the output is valid JSON.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use newsflow_core::decode::decode;
use newsflow_core::encode::encode;
use newsflow_core::{EnrichedArticle, Enricher};

static ENRICHER: LazyLock<Enricher> =
    LazyLock::new(|| Enricher::embedded().expect("embedded resources"));

/// The characters `start..end` of `text`, if in range.
fn chars(text: &str, start: usize, end: usize) -> Option<String> {
    (start <= end && end <= text.chars().count())
        .then(|| text.chars().skip(start).take(end - start).collect())
}

fn check(e: &EnrichedArticle) {
    for entity in &e.entities {
        for m in &entity.mentions {
            let at = chars(&e.body, m.start, m.end);
            assert_eq!(at.as_deref(), Some(m.text.as_str()), "mention of {}", entity.name);
        }
    }
    for q in &e.quotes {
        assert!(chars(&e.body, q.start, q.end).is_some(), "quote out of range");
    }
}

fn run(value: &[u8]) {
    let Ok(article) = decode(value, Some(b"fuzz"), 1 << 20) else {
        return;
    };
    let enriched = ENRICHER.enrich(&article);
    check(&enriched);
    let now = chrono::Utc::now();
    for record in encode(enriched, None, &now) {
        serde_json::from_slice::<serde_json::Value>(&record.payload).expect("output is JSON");
    }
}

fuzz_target!(|data: &[u8]| {
    run(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let msg = serde_json::json!({"title": text.lines().next().unwrap_or(""), "body": text});
        run(&serde_json::to_vec(&msg).unwrap());
    }
});
