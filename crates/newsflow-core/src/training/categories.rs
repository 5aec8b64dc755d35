//! `newsflow train categories` and `newsflow eval categories` on multi-label
//! JSON Lines (`title`, `body`, `topics`), gzip accepted.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::Path;
use std::time::Instant;

use crate::enrich::categories::{self, CategoryModel, Example, TrainParams};
use crate::training::scores::Prf;

/// Reads labelled examples.
pub fn read_examples(path: &Path) -> anyhow::Result<Vec<Example>> {
    let text = super::textfile::read(path)?;
    let mut out = Vec::new();
    for (n, line) in text.as_bytes().lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| anyhow::anyhow!("{}:{}: {e}", path.display(), n + 1))?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
        let labels = v
            .get("topics")
            .and_then(|t| t.as_array())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{}:{}: `topics` must be a list of labels",
                    path.display(),
                    n + 1
                )
            })?
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect();
        out.push(Example {
            title: s("title"),
            body: s("body").unwrap_or_default(),
            labels,
        });
    }
    Ok(out)
}

/// Micro and macro scores of a model on examples (macro over the labels
/// present in the gold data).
pub fn evaluate(model: &CategoryModel, docs: &[Example]) -> (Prf, Prf, BTreeMap<String, Prf>) {
    use rayon::prelude::*;
    let preds: Vec<Vec<String>> = docs
        .par_iter()
        .map(|e| {
            model
                .predict(e.title.as_deref(), &e.body)
                .into_iter()
                .map(|(i, _)| model.labels[i].clone())
                .collect()
        })
        .collect();
    let mut counts: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for (e, p) in docs.iter().zip(&preds) {
        for g in &e.labels {
            counts.entry(g.clone()).or_default().0 += 1;
        }
        for l in p {
            let c = counts.entry(l.clone()).or_default();
            c.1 += 1;
            if e.labels.contains(l) {
                c.2 += 1;
            }
        }
    }
    let (micro, macro_) = micro_macro(counts.values());
    let per: BTreeMap<String, Prf> = counts
        .iter()
        .filter(|(_, x)| x.0 > 0)
        .map(|(k, &(g, p, c))| (k.clone(), Prf::from_counts(g, p, c)))
        .collect();
    (micro, macro_, per)
}

/// Micro scores over all `(gold, predicted, correct)` label counts, and
/// macro scores over the labels with a gold example.
fn micro_macro<'a>(counts: impl Iterator<Item = &'a (usize, usize, usize)> + Clone) -> (Prf, Prf) {
    let (g, p, c) = counts
        .clone()
        .fold((0, 0, 0), |a, x| (a.0 + x.0, a.1 + x.1, a.2 + x.2));
    let per: Vec<Prf> = counts
        .filter(|x| x.0 > 0)
        .map(|&(g, p, c)| Prf::from_counts(g, p, c))
        .collect();
    let n = per.len().max(1) as f64;
    let macro_ = Prf {
        precision: per.iter().map(|m| m.precision).sum::<f64>() / n,
        recall: per.iter().map(|m| m.recall).sum::<f64>() / n,
        f1: per.iter().map(|m| m.f1).sum::<f64>() / n,
        gold: g,
        predicted: p,
        correct: c,
    };
    (Prf::from_counts(g, p, c), macro_)
}

/// Trains with thresholds from `folds`-fold cross-validation; prints the
/// cross-validated micro and macro F1 (macro over labels with an example)
/// to `progress` and returns both.
pub fn train_cv(
    input: &Path,
    output: &Path,
    params: &TrainParams,
    folds: usize,
    progress: &mut dyn Write,
) -> anyhow::Result<(Prf, Prf)> {
    let started = Instant::now();
    let docs = read_examples(input)?;
    anyhow::ensure!(folds >= 2, "--folds must be at least 2");
    let (model, report) = categories::train_cv(&docs, params, folds);
    let (micro, macro_) = micro_macro(report.counts.iter());
    writeln!(
        progress,
        "{folds}-fold cross-validation over {} documents, {} labels: micro P {:.4} R {:.4} F1 {:.4}; macro F1 {:.4} ({:.0}s)",
        docs.len(),
        model.labels.len(),
        micro.precision,
        micro.recall,
        micro.f1,
        macro_.f1,
        started.elapsed().as_secs_f64()
    )?;
    std::fs::write(output, model.save())?;
    writeln!(
        progress,
        "saved {} ({} labels, {} weights, {} bytes)",
        output.display(),
        model.labels.len(),
        model.weight_count(),
        std::fs::metadata(output)?.len(),
    )?;
    Ok((micro, macro_))
}

/// Trains; every 7th document (by position) tunes the thresholds and gives
/// the held-out estimate printed to `progress`.
pub fn train(
    input: &Path,
    output: &Path,
    params: &TrainParams,
    progress: &mut dyn Write,
) -> anyhow::Result<f64> {
    let started = Instant::now();
    let docs = read_examples(input)?;
    let (mut train_set, mut tune_set) = (Vec::new(), Vec::new());
    for (i, d) in docs.into_iter().enumerate() {
        if i % 7 == 3 {
            tune_set.push(d);
        } else {
            train_set.push(d);
        }
    }
    writeln!(
        progress,
        "train categories: {} training, {} tuning documents",
        train_set.len(),
        tune_set.len()
    )?;
    // Held-out estimate: the model fitted without the tuning slice.
    let held_out = categories::train(&train_set, &tune_set, params, false);
    let (micro, macro_, _) = evaluate(&held_out, &tune_set);
    writeln!(
        progress,
        "held-out (tuning slice, thresholds tuned on it): micro-F1 {:.4}, macro-F1 {:.4} ({:.0}s)",
        micro.f1,
        macro_.f1,
        started.elapsed().as_secs_f64()
    )?;
    let first = categories::train(&train_set, &tune_set, params, true);
    std::fs::write(output, first.save())?;
    writeln!(
        progress,
        "saved {} ({} labels, {} weights, {} bytes) in {:.0}s",
        output.display(),
        first.labels.len(),
        first.weight_count(),
        std::fs::metadata(output)?.len(),
        started.elapsed().as_secs_f64()
    )?;
    Ok(micro.f1)
}
