//! Language identification on two sentences of news in 15 languages, and
//! what the enricher does with an article that is not in `enrich.languages`.

use newsflow_core::article::RawArticle;
use newsflow_core::enrich::{language, Enricher};

const LANGUAGES: &str = include_str!("data/languages.tsv");
const FOREIGN: &str = include_str!("data/foreign_articles.jsonl");

#[test]
fn two_sentences_are_enough_in_at_least_14_of_15_languages() {
    let mut right = 0;
    let mut wrong = Vec::new();
    let rows: Vec<(&str, &str)> = LANGUAGES
        .lines()
        .skip(1)
        .map(|l| l.split_once('\t').expect("lang<TAB>text"))
        .collect();
    assert_eq!(rows.len(), 15);
    for (lang, text) in &rows {
        let got = language::detect(None, text);
        // As the enricher reports it, with English as the fallback.
        let reported = language::resolve(got, None, "en");
        if got.code == *lang && reported == *lang {
            right += 1;
        } else {
            wrong.push(format!("{lang} detected as {}", got.code));
        }
    }
    println!("{right}/15 right; wrong: {wrong:?}");
    assert!(right >= 14, "{right}/15 right; wrong: {wrong:?}");
}

fn article(line: &str) -> RawArticle {
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    RawArticle {
        id: v["id"].as_str().unwrap().into(),
        title: v["title"].as_str().map(Into::into),
        body: v["body"].as_str().unwrap().into(),
        published_at: None,
        publisher: None,
        url: None,
        language: Some("en".into()),
    }
}

#[test]
fn other_languages_get_their_language_and_fingerprint_and_no_english_guesses() {
    let e = Enricher::embedded().unwrap();
    for (line, lang) in FOREIGN.lines().zip(["de", "ar"]) {
        let a = article(line);
        let out = e.enrich(&a);
        assert_eq!(out.language, lang, "{}", a.id);
        // The input claimed English; the text says otherwise, and is kept.
        assert_eq!(out.declared_language.as_deref(), Some("en"));
        assert!(out.entities.is_empty(), "{:?}", out.entities);
        assert!(out.topics.is_empty() && out.values.is_empty() && out.quotes.is_empty());
        assert_eq!(out.fingerprint.len(), 128);
    }
    // Told to analyse German, the enricher runs the (English) models on it.
    let de = Enricher::embedded()
        .unwrap()
        .with_languages(vec!["en".into(), "de".into()]);
    let out = de.enrich(&article(FOREIGN.lines().next().unwrap()));
    assert_eq!(out.language, "de");
    assert!(!out.entities.is_empty());
}
