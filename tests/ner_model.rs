//! The committed entity tagger: its dev-set F1 has not fallen more than half
//! a point below the figure recorded in `models/ner.json`, and training is
//! deterministic for a seed. Needs the CoNLL-2003 files in `../shared/data`.

use std::path::PathBuf;

use newsflow::commands::ner;
use newsflow::enrich::tagger::{Model, DEFAULT_MODEL};
use newsflow::enrich::Lexicon;

fn data(name: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/conll2003")
        .join(name);
    assert!(
        p.is_file(),
        "{} is missing: the CoNLL-2003 data must sit in ../shared/data",
        p.display()
    );
    p
}

#[test]
fn committed_model_keeps_its_dev_f1() {
    let meta: serde_json::Value =
        serde_json::from_str(include_str!("../models/ner.json")).expect("models/ner.json");
    let recorded = meta["dev_f1"].as_f64().unwrap();
    let lex = Lexicon::embedded().unwrap();
    let model = Model::load(DEFAULT_MODEL).unwrap();
    let docs = newsflow::conll::read(&data("valid.txt.gz")).unwrap();
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
    let lex = Lexicon::embedded().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.bin"), dir.path().join("b.bin"));
    for out in [&a, &b] {
        let opts = ner::TrainOptions {
            train: &data("valid.txt.gz"),
            dev: &data("valid.txt.gz"),
            output: out,
            epochs: 2,
            seed: 3,
            bits: 16,
        };
        ner::train(&lex, &opts, &mut std::io::sink()).unwrap();
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}
