//! The default taxonomy: every topic's positive example sentences fire it and
//! its negative ones do not, through the full core (entities included).

use newsflow_core::article::RawArticle;
use newsflow_core::enrich::Enricher;

fn article(body: &str) -> RawArticle {
    RawArticle {
        id: "example".into(),
        title: None,
        body: body.into(),
        published_at: None,
        publisher: None,
        url: None,
        language: None,
    }
}

#[test]
fn examples_fire_as_written() {
    let e = Enricher::embedded().unwrap();
    assert!(
        e.taxonomy().topics.len() >= 40,
        "at least 40 topics, got {}",
        e.taxonomy().topics.len()
    );
    let mut failures = Vec::new();
    let taxonomy = e.taxonomy();
    for t in &taxonomy.topics {
        assert!(
            !t.examples.positive.is_empty(),
            "{} has no positive example",
            t.id
        );
        assert!(
            !t.examples.negative.is_empty(),
            "{} has no negative example",
            t.id
        );
        for s in &t.examples.positive {
            if !e.enrich(&article(s)).topics.iter().any(|x| x.id == t.id) {
                failures.push(format!("{}: positive did not fire: {s}", t.id));
            }
        }
        for s in &t.examples.negative {
            if e.enrich(&article(s)).topics.iter().any(|x| x.id == t.id) {
                failures.push(format!("{}: negative fired: {s}", t.id));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} example failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn title_evidence_counts_double_and_points_into_the_title() {
    let e = Enricher::embedded().unwrap();
    let mut a = article("Ships left Odesa on Monday.");
    a.title = Some("Black Sea grain deal extended".into());
    let out = e.enrich(&a);
    let grain = out
        .topics
        .iter()
        .find(|t| t.id == "black-sea-grain-deal")
        .expect("fires from the title");
    let ev = grain
        .evidence
        .iter()
        .find(|ev| ev.field == newsflow_core::article::TextField::Title)
        .unwrap();
    let title: Vec<char> = a.title.unwrap().chars().collect();
    assert_eq!(title[ev.start..ev.end].iter().collect::<String>(), ev.text);
}
