//! The reference article (Reuters, Putin in Tehran, 2022-07-19) through the
//! core: the entities, links and storylines a reader would expect.

use newsflow_core::article::{EnrichedArticle, EntityType, GeoFeature, TopicKind};
use newsflow_core::decode::decode;
use newsflow_core::enrich::Enricher;

const SEED: &str = include_str!("../../../samples/seed-putin-tehran.txt");

fn enriched() -> EnrichedArticle {
    let article = decode(SEED.as_bytes(), Some(b"seed"), 1 << 20).unwrap();
    Enricher::embedded().unwrap().enrich(&article)
}

fn entity<'a>(a: &'a EnrichedArticle, name: &str) -> &'a newsflow_core::article::Entity {
    find(&a.entities, name)
}

fn find<'a>(
    entities: &'a [newsflow_core::article::Entity],
    name: &str,
) -> &'a newsflow_core::article::Entity {
    entities
        .iter()
        .find(|e| {
            e.name == name
                || e.name.ends_with(&format!(" {name}"))
                || e.name.ends_with(&format!("-{name}"))
        })
        .unwrap_or_else(|| {
            panic!(
                "no entity {name:?}; found {:?}",
                entities
                    .iter()
                    .map(|e| (&e.name, e.entity_type))
                    .collect::<Vec<_>>()
            )
        })
}

#[test]
fn published_at_comes_from_the_date_line() {
    let a = enriched();
    assert_eq!(
        a.published_at.unwrap().format("%Y-%m-%d").to_string(),
        "2022-07-19"
    );
    assert!(a.body.starts_with("Russian President Vladimir Putin"));
}

#[test]
fn people_organisations_and_places() {
    let a = enriched();
    for p in [
        "Putin", "Khamenei", "Erdogan", "Biden", "Assad", "Trump", "Ushakov",
    ] {
        assert_eq!(entity(&a, p).entity_type, EntityType::Person, "{p}");
    }
    // Raisi is named only in a photo caption: reported with the caption, not the article.
    assert!(!a.entities.iter().any(|e| e.name.contains("Raisi")));
    let raisi = find(&a.captions[1].entities, "Raisi");
    assert_eq!(raisi.entity_type, EntityType::Person);
    let chars: Vec<char> = a.body.chars().collect();
    for m in &raisi.mentions {
        assert_eq!(
            chars[m.start..m.end].iter().collect::<String>(),
            m.text,
            "caption offsets point into the body"
        );
    }
    for o in [
        "NATO",
        "Gazprom",
        "Islamic State",
        "United Nations",
        "Reuters",
        "National Iranian Oil Company",
    ] {
        assert_eq!(entity(&a, o).entity_type, EntityType::Organization, "{o}");
    }
    for l in [
        "Tehran",
        "Iran",
        "Russia",
        "Moscow",
        "Ukraine",
        "Turkey",
        "Syria",
        "Black Sea",
        "Ankara",
        "Beijing",
        "China",
        "India",
        "Israel",
        "Saudi Arabia",
        "Washington",
    ] {
        let e = entity(&a, l);
        assert_eq!(e.entity_type, EntityType::Location, "{l}");
        assert!(
            e.id.starts_with("geonames:") || e.id.starts_with("newsflow:"),
            "{l}: {}",
            e.id
        );
    }
}

#[test]
fn putin_is_one_entity_with_every_mention() {
    let a = enriched();
    let putins: Vec<_> = a
        .entities
        .iter()
        .filter(|e| e.name.contains("Putin"))
        .collect();
    assert_eq!(putins.len(), 1, "{putins:?}");
    let putin = putins[0];
    let body_mentions = a.body.matches("Putin").count();
    let caption_mentions: usize = a
        .captions
        .iter()
        .map(|c| c.text.matches("Putin").count())
        .sum();
    assert_eq!(
        putin.mentions.len(),
        body_mentions - caption_mentions,
        "every mention outside captions"
    );
    let top_person = a
        .entities
        .iter()
        .filter(|e| e.entity_type == EntityType::Person)
        .max_by(|x, y| x.salience.total_cmp(&y.salience))
        .unwrap();
    assert_eq!(top_person.id, putin.id, "Putin is the most salient person");
    assert!(a
        .entities
        .iter()
        .all(|e| e.salience > 0.0 && e.salience <= 1.0));
    let chars: Vec<char> = a.body.chars().collect();
    for m in &putin.mentions {
        assert_eq!(
            chars[m.start..m.end].iter().collect::<String>(),
            m.text,
            "offsets are character offsets"
        );
    }
    // NIOC is linked to its expansion.
    let nioc = entity(&a, "National Iranian Oil Company");
    assert!(
        nioc.mentions.iter().any(|m| m.text == "NIOC"),
        "{:?}",
        nioc.mentions
    );
}

#[test]
fn captions_are_reported_and_kept_out() {
    let a = enriched();
    assert_eq!(a.captions.len(), 2, "{:?}", a.captions);
    assert_eq!(
        a.captions[0].credit.as_deref(),
        Some("ALEXEI DRUZHININ/SPUTNIK/KREMLIN/FILE PHOTO VIA REUTERS")
    );
    for c in &a.captions {
        for e in &a.entities {
            for m in &e.mentions {
                assert!(
                    m.end <= c.start || m.start >= c.end,
                    "{} mention inside a caption",
                    e.name
                );
            }
        }
        for t in &a.topics {
            for ev in &t.evidence {
                assert!(
                    ev.end <= c.start || ev.start >= c.end,
                    "{} evidence inside a caption",
                    t.id
                );
            }
        }
    }
    // The caption's own names ("Gas Exporting Countries Forum") are not entities.
    assert!(!a.entities.iter().any(|e| e.name.contains("Gas Exporting")));
}

#[test]
fn storylines_with_evidence() {
    let a = enriched();
    for id in [
        "black-sea-grain-deal",
        "syria-conflict",
        "russia-ukraine-war",
        "iran-nuclear-programme",
        "oil-and-gas",
    ] {
        let t = a.topics.iter().find(|t| t.id == id).unwrap_or_else(|| {
            panic!(
                "storyline {id} missing: {:?}",
                a.topics.iter().map(|t| &t.id).collect::<Vec<_>>()
            )
        });
        assert_eq!(t.kind, TopicKind::Storyline);
        assert!(!t.evidence.is_empty() && t.score > 0.0 && t.score < 1.0);
        let chars: Vec<char> = a.body.chars().collect();
        for ev in &t.evidence {
            assert_eq!(chars[ev.start..ev.end].iter().collect::<String>(), ev.text);
        }
    }
    let grain = a
        .topics
        .iter()
        .find(|t| t.id == "black-sea-grain-deal")
        .unwrap();
    assert!(
        grain
            .evidence
            .iter()
            .any(|e| e.text.to_lowercase().contains("grain")),
        "{:?}",
        grain.evidence
    );
    assert!(a.topics.iter().any(|t| t.id.contains("sanction")));
}

#[test]
fn ids_are_stable_across_articles() {
    let e = Enricher::embedded().unwrap();
    let mk = |body: &str| decode(body.as_bytes(), None, 1 << 20).unwrap();
    let a = e.enrich(&mk("Vladimir Putin met officials in Tehran."));
    let b = e.enrich(&mk("Officials said Putin would return to Tehran."));
    let id = |x: &EnrichedArticle, n: &str| {
        x.entities
            .iter()
            .find(|e| e.name.contains(n))
            .unwrap()
            .id
            .clone()
    };
    assert_eq!(id(&a, "Putin"), id(&b, "Putin"));
    assert_eq!(id(&a, "Tehran"), id(&b, "Tehran"));
}

#[test]
fn values_with_dates_resolved_against_publication() {
    let a = enriched();
    let find = |text: &str| {
        a.values
            .iter()
            .find(|v| v.text == text)
            .unwrap_or_else(|| panic!("no value {text:?} in {:?}", a.values))
    };
    assert_eq!(find("Tuesday").normalized, "2022-07-19");
    assert_eq!(find("Feb. 24").normalized, "2022-02-24");
    assert_eq!(find("$40 billion").normalized, "USD 40000000000");
    assert_eq!(find("40 million barrels").normalized, "40000000 barrel");
    assert_eq!(
        find("GAZP.MM").value_type,
        newsflow_core::article::ValueType::Ticker
    );
    assert_eq!(find("30-km").normalized, "30 km");
    // The caption's date is a caption's, not the article's.
    assert!(!a.values.iter().any(|v| v.normalized == "2015-11-23"));
    let chars: Vec<char> = a.body.chars().collect();
    for v in &a.values {
        assert_eq!(chars[v.start..v.end].iter().collect::<String>(), v.text);
    }
}

#[test]
fn places_carry_coordinates_and_country_codes() {
    let a = enriched();
    let geo = |name: &str| {
        a.entities
            .iter()
            .find(|e| e.name == name)
            .and_then(|e| e.geo.clone())
            .unwrap_or_else(|| panic!("{name} has no geo"))
    };
    let tehran = geo("Tehran");
    assert!((tehran.lat - 35.69).abs() < 0.01 && (tehran.lon - 51.42).abs() < 0.01);
    assert_eq!(tehran.feature, GeoFeature::City);
    assert!(tehran.population.unwrap() > 7_000_000);
    for (name, cc) in [
        ("Tehran", "IR"),
        ("Moscow", "RU"),
        ("Ankara", "TR"),
        ("Beijing", "CN"),
        ("Iran", "IR"),
        ("Turkey", "TR"),
        ("Syria", "SY"),
    ] {
        assert_eq!(geo(name).country_code.as_deref(), Some(cc), "{name}");
    }
    // A country's point is its capital's.
    assert_eq!(geo("Iran").lat, tehran.lat);
    assert_eq!(geo("Iran").feature, GeoFeature::Country);
    assert_eq!(geo("Black Sea").feature, GeoFeature::Sea);
    // Only places have coordinates.
    assert!(a
        .entities
        .iter()
        .filter(|e| e.geo.is_some())
        .all(|e| e.entity_type == EntityType::Location));
}

#[test]
fn language_fingerprint_and_tone_of_the_seed() {
    let a = enriched();
    assert_eq!(a.language, "en");
    assert_eq!(a.declared_language, None);
    assert_eq!(a.fingerprint.len(), 128);
    assert_eq!(a.duplicate_of, None, "the core never sets it");
    // A report of talks, sanctions and terrorism: both kinds of words, a
    // few per cent each.
    assert!(
        a.tone.positive > 1.0 && a.tone.negative > 1.0,
        "{:?}",
        a.tone
    );
    assert!((a.tone.polarity - (a.tone.positive - a.tone.negative)).abs() < 1e-9);
    // The sentences about Kurdish fighters ("terrorists", "threat") are
    // darker than the article.
    let kurd = a
        .entities
        .iter()
        .find(|e| e.name == "Kurdistan")
        .expect("Kurdish → Kurdistan");
    assert!(
        kurd.tone < a.tone.polarity,
        "{} vs {}",
        kurd.tone,
        a.tone.polarity
    );
}

#[test]
fn quotes_are_attributed_to_their_speakers() {
    let a = enriched();
    let speaker = |start: &str| {
        let q = a
            .quotes
            .iter()
            .find(|q| q.text.starts_with(start))
            .unwrap_or_else(|| panic!("no quote {start:?} in {:#?}", a.quotes));
        q.speaker.as_ref().map(|s| s.name.clone())
    };
    assert_eq!(
        speaker("The contact with Khamenei").as_deref(),
        Some("Yuri Ushakov")
    );
    assert_eq!(
        speaker("On most issues, our positions").as_deref(),
        Some("Yuri Ushakov")
    );
    assert_eq!(
        speaker("Maintaining the territorial integrity").as_deref(),
        Some("Ali Khamenei")
    );
    assert_eq!(
        speaker("Considering the evolving").as_deref(),
        Some("a senior Iranian official")
    );
    assert!(a.quotes.iter().all(|q| q.text != "safe zones"));
    // Offsets are character offsets into the body.
    for q in &a.quotes {
        let s: String = a.body.chars().skip(q.start).take(q.end - q.start).collect();
        assert_eq!(s, q.text);
    }
}
