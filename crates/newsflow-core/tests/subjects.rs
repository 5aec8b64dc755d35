//! The IPTC subjects on short news: 325 items written for the purpose
//! (`tests/data/iptc_dev.jsonl`: 240 in the four desks of a news aggregator,
//! 5 more for each of the 17 subjects), each a headline and two or three
//! sentences.
//!
//! The seed words were written apart from these items, and nothing was
//! fitted on them; the figures are what `docs/PERFORMANCE.md` reports.

use std::collections::BTreeMap;

use newsflow_core::article::{RawArticle, TopicKind};
use newsflow_core::enrich::Enricher;

const DEV: &str = include_str!("data/iptc_dev.jsonl");

/// The aggregator desk a subject belongs to: sport, business (economy and
/// labour), science and technology, and world for the rest.
fn desk(medtop: &str) -> &'static str {
    match medtop {
        "medtop:15000000" => "sports",
        "medtop:04000000" | "medtop:09000000" => "business",
        "medtop:13000000" => "scitech",
        _ => "world",
    }
}

#[test]
fn every_item_gets_a_best_subject_and_most_get_the_right_one() {
    let e = Enricher::embedded().unwrap();
    let (mut right, mut desk_right, mut desk_items, mut n) = (0, 0, 0, 0);
    let mut wrong: BTreeMap<String, usize> = BTreeMap::new();
    for line in DEV.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let a = RawArticle {
            id: v["id"].as_str().unwrap().into(),
            title: v["title"].as_str().map(Into::into),
            body: v["body"].as_str().unwrap().into(),
            published_at: None,
            publisher: None,
            url: None,
            language: None,
        };
        let out = e.enrich(&a);
        let subjects: Vec<_> = out
            .topics
            .iter()
            .filter(|t| t.kind == TopicKind::Category && t.id.starts_with("medtop:"))
            .collect();
        let best = subjects
            .first()
            .unwrap_or_else(|| panic!("{}: no subject", a.id));
        assert!(best.score > 0.0 && best.score <= 1.0);
        assert!(subjects.windows(2).all(|w| w[0].score >= w[1].score));
        n += 1;
        if best.id == v["iptc"] {
            right += 1;
        } else {
            *wrong
                .entry(format!("{} → {}", v["iptc"], best.id))
                .or_default() += 1;
        }
        if !a.id.starts_with("c-") {
            desk_items += 1;
            if desk(&best.id) == v["desk"] {
                desk_right += 1;
            }
        }
    }
    let (acc, desk_acc) = (
        right as f64 / n as f64,
        desk_right as f64 / desk_items as f64,
    );
    println!("subject {right}/{n} = {acc:.3}; desk {desk_right}/{desk_items} = {desk_acc:.3}; wrong: {wrong:?}");
    assert!(acc >= 0.80, "subject accuracy {acc:.3}; wrong: {wrong:?}");
    assert!(desk_acc >= 0.80, "desk accuracy {desk_acc:.3}");
}

#[test]
fn the_seed_keeps_its_storylines_and_gets_politics_or_conflict() {
    let e = Enricher::embedded().unwrap();
    let seed = include_str!("../../../samples/seed-putin-tehran.txt");
    let a = newsflow_core::decode::decode(seed.as_bytes(), Some(b"seed"), 1 << 20).unwrap();
    let out = e.enrich(&a);
    let ids: Vec<&str> = out.topics.iter().map(|t| t.id.as_str()).collect();
    assert!(
        ids.contains(&"black-sea-grain-deal") && ids.contains(&"syria-conflict"),
        "{ids:?}"
    );
    let best = out
        .topics
        .iter()
        .find(|t| t.id.starts_with("medtop:"))
        .expect("a subject");
    assert!(
        ["medtop:11000000", "medtop:16000000"].contains(&best.id.as_str()),
        "{best:?}"
    );
    assert_eq!(best.kind, TopicKind::Category);
}
