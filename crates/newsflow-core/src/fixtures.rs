//! Sample articles shipped with newsflow, for the demo, the benchmarks and
//! the tests: the reference Reuters report (Putin in Tehran, 2022-07-19) and
//! original sample articles written for this project (`samples/`).

pub mod stress;

/// The reference article, plain text with a leading `date YYYY-MM-DD` line.
pub const SEED_ARTICLE: &str = include_str!("../../../samples/seed-putin-tehran.txt");

/// Original sample articles, JSON Lines.
pub const SAMPLE_ARTICLES: &str = include_str!("../../../samples/articles.jsonl");

/// The demo's input messages as `(key, value)`: the seed, every sample, then
/// two malformed messages (truncated JSON, invalid UTF-8) that must reach the
/// dead-letter topic.
pub fn demo_messages() -> Vec<(String, Vec<u8>)> {
    let mut v = vec![(
        "seed-putin-tehran".to_owned(),
        SEED_ARTICLE.as_bytes().to_vec(),
    )];
    for (i, line) in SAMPLE_ARTICLES
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
    {
        v.push((format!("sample-{:03}", i + 1), line.as_bytes().to_vec()));
    }
    v.extend(malformed_messages());
    v
}

/// The malformed messages of the demo, with the dead-letter class each gets.
pub fn malformed_messages() -> Vec<(String, Vec<u8>)> {
    vec![
        (
            "bad-json".to_owned(),
            br#"{"title": "truncated", "body": "#.to_vec(),
        ),
        ("bad-utf8".to_owned(), b"caf\xe9 au lait".to_vec()),
    ]
}
