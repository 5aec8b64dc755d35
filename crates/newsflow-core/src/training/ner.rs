//! `newsflow train ner` and `newsflow eval ner`: the trained entity tagger on
//! CoNLL-format data.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use crate::enrich::tagger::{self, DocContext, Model, Tag, Trainer};
use crate::enrich::Lexicon;
use crate::training::conll::{self, Document};
use crate::training::scores::SpanScorer;

/// CoNLL type label of a tag type index.
pub fn conll_type(t: usize) -> &'static str {
    ["PER", "ORG", "LOC", "MISC"][t]
}

fn type_index(label: &str) -> Option<usize> {
    ["PER", "ORG", "LOC", "MISC"]
        .iter()
        .position(|x| *x == label)
}

fn doc_context(doc: &Document) -> DocContext {
    let toks: Vec<Vec<&str>> = doc
        .iter()
        .map(|s| s.tokens.iter().map(String::as_str).collect())
        .collect();
    DocContext::new(toks.iter().map(|v| v.as_slice()))
}

/// Tags every sentence of `docs`; returns predicted spans per sentence.
pub fn tag_documents(
    model: &Model,
    lex: &Lexicon,
    docs: &[Document],
) -> Vec<Vec<Vec<(usize, usize, String)>>> {
    use rayon::prelude::*;
    docs.par_iter()
        .map(|doc| {
            let mut ctx = doc_context(doc);
            doc.iter()
                .map(|s| {
                    let toks: Vec<&str> = s.tokens.iter().map(String::as_str).collect();
                    let tags = model.tag(&toks, lex, &mut ctx, None);
                    tagger::spans_from_bilou(&tags)
                        .into_iter()
                        .map(|(a, b, t)| (a, b, conll_type(t).to_owned()))
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// Scores a model on documents.
pub fn evaluate(model: &Model, lex: &Lexicon, docs: &[Document]) -> (SpanScorer, usize) {
    let predicted = tag_documents(model, lex, docs);
    let mut scorer = SpanScorer::default();
    let mut tokens = 0;
    for (doc, pdoc) in docs.iter().zip(&predicted) {
        for (s, p) in doc.iter().zip(pdoc) {
            tokens += s.tokens.len();
            scorer.add(&conll::spans(&s.tags), p);
        }
    }
    (scorer, tokens)
}

/// Deterministic generator for shuffling (SplitMix64).
struct SplitMix(u64);
impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Options of `train ner`.
pub struct TrainOptions<'a> {
    pub train: &'a Path,
    pub dev: &'a Path,
    pub output: &'a Path,
    pub epochs: usize,
    pub seed: u64,
    pub bits: u32,
}

/// Trains, keeping the epoch with the best dev F1; returns that F1.
pub fn train(lex: &Lexicon, o: &TrainOptions<'_>, progress: &mut dyn Write) -> anyhow::Result<f64> {
    let started = Instant::now();
    let train_docs = conll::read(o.train)?;
    let dev_docs = conll::read(o.dev)?;
    // Features are tag-independent except the history: compute them once.
    struct Item {
        tokens: Vec<String>,
        feats: Vec<Vec<u64>>,
        gold: Vec<Tag>,
    }
    let docs: Vec<Vec<Item>> = {
        use rayon::prelude::*;
        train_docs
            .par_iter()
            .map(|doc| {
                let ctx = doc_context(doc);
                doc.iter()
                    .map(|s| {
                        let toks: Vec<&str> = s.tokens.iter().map(String::as_str).collect();
                        let spans: Vec<(usize, usize, usize)> = conll::spans(&s.tags)
                            .into_iter()
                            .filter_map(|(a, b, t)| type_index(&t).map(|t| (a, b, t)))
                            .collect();
                        Item {
                            feats: tagger::sentence_features(&toks, lex, &ctx, None),
                            gold: tagger::bilou_from_spans(toks.len(), &spans),
                            tokens: s.tokens.clone(),
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let n_sentences: usize = docs.iter().map(Vec::len).sum();
    let n_tokens: usize = docs.iter().flatten().map(|i| i.tokens.len()).sum();
    writeln!(
        progress,
        "train ner: {} documents, {} sentences, {} tokens; dev {} documents; features ready in {:.1}s",
        train_docs.len(),
        n_sentences,
        n_tokens,
        dev_docs.len(),
        started.elapsed().as_secs_f64()
    )?;
    let mut trainer = Trainer::new(o.bits);
    let mut order: Vec<usize> = (0..docs.len()).collect();
    let mut rng = SplitMix(o.seed);
    let mut best: Option<(f64, Model, usize)> = None;
    for epoch in 1..=o.epochs {
        for i in (1..order.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let mut correct = 0;
        for &k in &order {
            let mut ctx = doc_context(&train_docs[k]);
            for it in &docs[k] {
                let toks: Vec<&str> = it.tokens.iter().map(String::as_str).collect();
                correct += trainer.train_sentence(&it.feats, &toks, &it.gold, &mut ctx);
            }
        }
        let model = trainer.finish();
        let (scorer, _) = evaluate(&model, lex, &dev_docs);
        let f1 = scorer.overall().f1;
        writeln!(
            progress,
            "epoch {epoch:>2}/{}: train token accuracy {:.4}, dev F1 {:.4} ({:.0}s)",
            o.epochs,
            correct as f64 / n_tokens as f64,
            f1,
            started.elapsed().as_secs_f64()
        )?;
        if best.as_ref().is_none_or(|(b, _, _)| f1 > *b) {
            best = Some((f1, model, epoch));
        }
    }
    let (f1, model, epoch) = best.expect("at least one epoch");
    std::fs::write(o.output, model.save())?;
    writeln!(
        progress,
        "saved {} (epoch {epoch}, dev F1 {f1:.4}, {} bytes) in {:.0}s",
        o.output.display(),
        std::fs::metadata(o.output)?.len(),
        started.elapsed().as_secs_f64()
    )?;
    Ok(f1)
}

/// `eval ner`: writes `token gold predicted` lines and returns the scorer.
pub fn eval(
    model: &Model,
    lex: &Lexicon,
    conll_path: &Path,
    predictions: &Path,
) -> anyhow::Result<(SpanScorer, usize)> {
    let docs = conll::read(conll_path)?;
    let predicted = tag_documents(model, lex, &docs);
    let mut out = std::io::BufWriter::new(std::fs::File::create(predictions)?);
    let mut scorer = SpanScorer::default();
    let mut tokens = 0;
    for (doc, pdoc) in docs.iter().zip(&predicted) {
        for (s, p) in doc.iter().zip(pdoc) {
            let mut ptags = vec!["O".to_owned(); s.tokens.len()];
            for (a, b, t) in p {
                ptags[*a] = format!("B-{t}");
                for tag in &mut ptags[a + 1..*b] {
                    *tag = format!("I-{t}");
                }
            }
            for ((tok, g), pt) in s.tokens.iter().zip(&s.tags).zip(&ptags) {
                writeln!(out, "{tok} {g} {pt}")?;
            }
            writeln!(out)?;
            tokens += s.tokens.len();
            scorer.add(&conll::spans(&s.tags), p);
        }
    }
    out.flush()?;
    Ok((scorer, tokens))
}
