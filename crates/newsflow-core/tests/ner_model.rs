//! The committed entity tagger: its dev-set F1 has not fallen more than half
//! a point below the figure recorded in `models/ner.json`, and training is
//! deterministic for a seed. Needs the CoNLL-2003 files under
//! `$NEWSFLOW_DATA` (default `../shared/data`); skipped without them, except
//! under CI.

use std::path::PathBuf;

use newsflow_core::enrich::tagger::{Model, DEFAULT_MODEL};
use newsflow_core::enrich::Lexicon;
use newsflow_core::training::ner;

fn data(test: &str, name: &str) -> Option<PathBuf> {
    newsflow_core::training::corpora::for_test(test, &format!("conll2003/{name}"))
}

#[test]
fn committed_model_keeps_its_dev_f1() {
    let Some(valid) = data("committed_model_keeps_its_dev_f1", "valid.txt.gz") else {
        return;
    };
    let meta: serde_json::Value =
        serde_json::from_str(include_str!("../../../models/ner.json")).expect("models/ner.json");
    let recorded = meta["dev_f1"].as_f64().unwrap();
    let lex = Lexicon::embedded().unwrap();
    let model = Model::load(DEFAULT_MODEL).unwrap();
    let docs = newsflow_core::training::conll::read(&valid).unwrap();
    let (scorer, tokens) = ner::evaluate(&model, &lex, &docs);
    let f1 = scorer.overall().f1;
    eprintln!("{}", scorer.report(tokens));
    assert!(
        f1 >= recorded - 0.005,
        "dev F1 {f1:.4} fell more than 0.5 points below the recorded {recorded:.4}"
    );
}

#[test]
fn training_is_deterministic_for_a_seed() {
    let Some(valid) = data("training_is_deterministic_for_a_seed", "valid.txt.gz") else {
        return;
    };
    let lex = Lexicon::embedded().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.bin"), dir.path().join("b.bin"));
    for out in [&a, &b] {
        let opts = ner::TrainOptions {
            train: &valid,
            dev: &valid,
            output: out,
            epochs: 2,
            seed: 3,
            bits: 16,
        };
        ner::train(&lex, &opts, &mut std::io::sink()).unwrap();
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}
