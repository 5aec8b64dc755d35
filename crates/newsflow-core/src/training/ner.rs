//! `newsflow train ner` and `newsflow eval ner`: the trained entity tagger on
//! CoNLL-format data.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use crate::enrich::tagger::{self, DocContext, Model, Tag, Trainer};
use crate::enrich::Lexicon;
use crate::rng::SplitMix;
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

/// A document's sentences as token slices.
fn sentence_refs(doc: &Document) -> Vec<Vec<&str>> {
    doc.iter()
        .map(|s| s.tokens.iter().map(String::as_str).collect())
        .collect()
}

fn doc_context(doc: &Document) -> DocContext {
    DocContext::new(sentence_refs(doc).iter().map(Vec::as_slice))
}

/// Tags the sentences of one document (both stages, when the model has two).
fn tag_document(model: &Model, lex: &Lexicon, doc: &Document) -> Vec<Vec<Tag>> {
    let toks = sentence_refs(doc);
    let refs: Vec<&[&str]> = toks.iter().map(Vec::as_slice).collect();
    model.tag_document(&refs, lex, None)
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
            tag_document(model, lex, doc)
                .iter()
                .map(|tags| {
                    tagger::spans_from_bilou(tags)
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

/// Options of `train ner`.
pub struct TrainOptions<'a> {
    pub train: &'a Path,
    pub dev: &'a Path,
    pub output: &'a Path,
    /// Epochs of each stage (the best on dev is kept, unless `include_dev`).
    pub epochs: usize,
    pub seed: u64,
    pub bits: u32,
    /// The word clusters the model reads (empty: none).
    pub clusters: std::sync::Arc<crate::enrich::clusters::WordTables>,
    /// Also train the document stage ([`crate::enrich::tagger::FirstPass`]).
    pub second_stage: bool,
    /// Epochs of the document stage (default: `epochs`).
    pub second_epochs: Option<usize>,
    /// Features left out per training step (dropout; 0 for none).
    pub dropout: f64,
    /// Trainers mixed (their averaged weights averaged), each shuffling
    /// the documents its own way.
    pub mix: usize,
    /// Train on train and dev together for exactly the given epochs (the
    /// counts a train-only run chose on dev); the dev score printed is then
    /// not held out.
    pub include_dev: bool,
}

/// One training sentence: tokens, static features (document-stage ones
/// appended for the second stage), gold tags.
struct Item {
    tokens: Vec<String>,
    feats: Vec<Vec<u64>>,
    gold: Vec<Tag>,
}

/// Static features and gold tags of every sentence of `docs`.
fn prepare(docs: &[Document], lex: &Lexicon, o: &TrainOptions<'_>) -> Vec<Vec<Item>> {
    use rayon::prelude::*;
    docs.par_iter()
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
                        feats: tagger::sentence_features(&toks, lex, &o.clusters, &ctx, None),
                        gold: tagger::bilou_from_spans(toks.len(), &spans),
                        tokens: s.tokens.clone(),
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// What an epoch's model is judged by: its dev F1, or nothing (keep the last).
type Judge<'j> = dyn Fn(&Model) -> Option<f64> + Sync + 'j;

/// Runs `epochs` epochs of the averaged perceptron over the documents
/// `which` of `items`, with `o.mix` trainers side by side (each its own
/// shuffle) whose averaged weights are averaged after every epoch; returns
/// the model of the best judged epoch (or the last), its score and epoch.
///
/// Why mix: one trainer's dev F1 moves by up to 0.5 points with the
/// shuffling seed and from one epoch to the next; the mean of four is
/// steadier and, being one linear model, tags at the cost of one.
fn train_stage(
    items: &[Vec<Item>],
    which: &[usize],
    o: &TrainOptions<'_>,
    epochs: usize,
    judge: &Judge<'_>,
    progress: &mut dyn FnMut(usize, f64, Option<f64>),
) -> (Model, Option<f64>, usize) {
    let n_tokens: usize = which
        .iter()
        .flat_map(|&k| &items[k])
        .map(|i| i.tokens.len())
        .sum();
    use rayon::prelude::*;
    // One trainer per mixed model, each with its own shuffle.
    let mut trainers: Vec<(Trainer, Vec<usize>, SplitMix)> = (0..o.mix.max(1) as u64)
        .map(|m| {
            (
                Trainer::new(o.bits, o.clusters.clone(), o.dropout),
                which.to_vec(),
                SplitMix(o.seed.wrapping_add(MIX_SEED_STEP * m)),
            )
        })
        .collect();
    // Every document's sentences as token slices, for every trainer and epoch.
    let toks: Vec<Vec<Vec<&str>>> = items
        .iter()
        .map(|doc| {
            doc.iter()
                .map(|it| it.tokens.iter().map(String::as_str).collect())
                .collect()
        })
        .collect();
    let mut best: Option<(Option<f64>, Model, usize)> = None;
    for epoch in 1..=epochs {
        let correct: usize = trainers
            .par_iter_mut()
            .map(|(trainer, order, rng)| {
                for i in (1..order.len()).rev() {
                    let j = rng.below(i + 1);
                    order.swap(i, j);
                }
                let mut correct = 0;
                for &k in order.iter() {
                    let mut ctx = DocContext::new(toks[k].iter().map(Vec::as_slice));
                    for (it, t) in items[k].iter().zip(&toks[k]) {
                        correct += trainer.train_sentence(&it.feats, t, &it.gold, &mut ctx);
                    }
                }
                correct
            })
            .sum();
        let all: Vec<&Trainer> = trainers.iter().map(|(t, _, _)| t).collect();
        let model = Trainer::mixture(&all);
        let score = judge(&model);
        let seen = n_tokens * trainers.len();
        progress(epoch, correct as f64 / seen.max(1) as f64, score);
        let better = match (&best, score) {
            (None, _) | (_, None) => true,
            (Some((b, _, _)), Some(s)) => b.is_none_or(|b| s > b),
        };
        if better {
            best = Some((score, model, epoch));
        }
    }
    let (score, model, epoch) = best.expect("at least one epoch");
    (model, score, epoch)
}

/// How far apart the shuffling seeds of the mixed trainers are.
const MIX_SEED_STEP: u64 = 1000;

/// Folds of the jackknife that gives the document stage first-pass labels
/// of documents the first pass was not trained on.
const FOLDS: usize = 4;

/// Trains, keeping the epoch with the best dev F1 (or, with `include_dev`,
/// the last); returns that F1.
pub fn train(lex: &Lexicon, o: &TrainOptions<'_>, progress: &mut dyn Write) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut train_docs = conll::read(o.train)?;
    let dev_docs = conll::read(o.dev)?;
    if o.include_dev {
        train_docs.extend(dev_docs.iter().cloned());
    }
    let mut items = prepare(&train_docs, lex, o);
    let n_sentences: usize = items.iter().map(Vec::len).sum();
    let n_tokens: usize = items.iter().flatten().map(|i| i.tokens.len()).sum();
    writeln!(
        progress,
        "train ner: {} documents, {} sentences, {} tokens{}; dev {} documents; features ready in {:.1}s",
        train_docs.len(),
        n_sentences,
        n_tokens,
        if o.include_dev { " (train + dev)" } else { "" },
        dev_docs.len(),
        started.elapsed().as_secs_f64()
    )?;
    let dev_f1 = |m: &Model| evaluate(m, lex, &dev_docs).0.overall().f1;
    let judge_dev = |m: &Model| (!o.include_dev).then(|| dev_f1(m));
    let all: Vec<usize> = (0..items.len()).collect();
    let mut say = |line: String| {
        let _ = writeln!(progress, "{line}");
    };
    let epoch_line = |stage: &str, e: usize, epochs: usize, acc: f64, f1: Option<f64>| {
        format!(
            "{stage} epoch {e:>2}/{epochs}: train token accuracy {acc:.4}{} ({:.0}s)",
            f1.map_or(String::new(), |f| format!(", dev F1 {f:.4}")),
            started.elapsed().as_secs_f64()
        )
    };
    let (first, f1, epoch) = train_stage(&items, &all, o, o.epochs, &judge_dev, &mut |e, a, f| {
        say(epoch_line("first pass", e, o.epochs, a, f))
    });
    let mut f1 = f1.unwrap_or_else(|| dev_f1(&first));
    let mut summary = format!("first pass: epoch {epoch}, dev F1 {f1:.4}");
    let model = if o.second_stage {
        // First-pass labels of each training document from a model trained
        // on the other folds, for as many epochs as the first pass took.
        let labels: Vec<(usize, Vec<Vec<Tag>>)> = {
            use rayon::prelude::*;
            let none = |_: &Model| None;
            (0..FOLDS)
                .into_par_iter()
                .flat_map(|fold| {
                    let rest: Vec<usize> =
                        all.iter().copied().filter(|k| k % FOLDS != fold).collect();
                    let (m, _, _) = train_stage(&items, &rest, o, epoch, &none, &mut |_, _, _| {});
                    all.iter()
                        .filter(|k| *k % FOLDS == fold)
                        .map(|&k| (k, tag_document(&m, lex, &train_docs[k])))
                        .collect::<Vec<_>>()
                })
                .collect()
        };
        say(format!(
            "jackknifed first-pass labels ready ({:.0}s)",
            started.elapsed().as_secs_f64()
        ));
        for (k, tags) in labels {
            let toks = sentence_refs(&train_docs[k]);
            let refs: Vec<&[&str]> = toks.iter().map(Vec::as_slice).collect();
            let agg = tagger::FirstPass::new(&refs, &tags);
            for ((it, s), t) in items[k].iter_mut().zip(&refs).zip(&tags) {
                for (f, extra) in it.feats.iter_mut().zip(agg.features(s, t)) {
                    f.extend(extra);
                }
            }
        }
        let epochs2 = o.second_epochs.unwrap_or(o.epochs);
        let judge2 = |m: &Model| judge_dev(&first.clone().with_second_stage(m.clone()));
        let (second, f2, epoch2) =
            train_stage(&items, &all, o, epochs2, &judge2, &mut |e, a, f| {
                say(epoch_line("document stage", e, epochs2, a, f))
            });
        let both = first.with_second_stage(second);
        f1 = f2.unwrap_or_else(|| dev_f1(&both));
        summary += &format!("; document stage: epoch {epoch2}, dev F1 {f1:.4}");
        both
    } else {
        first
    };
    std::fs::write(o.output, model.save())?;
    writeln!(
        progress,
        "saved {} ({summary}{}; {} bytes) in {:.0}s",
        o.output.display(),
        if o.include_dev {
            "; dev was trained on"
        } else {
            ""
        },
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
