//! `newsflow train subjects`: derives the IPTC subject table
//! (`models/subjects.bin`, see [`crate::enrich::subjects`]) from pretrained
//! word vectors and the seed words of `config/iptc.toml`.
//!
//! For each subject, the centroid is the normalised mean of its seed words'
//! unit vectors. Every one of the `words` most frequent words gets, per
//! subject, the cosine of its unit vector with the centroid less its mean
//! cosine over all subjects (which changes no ranking and no probability,
//! and centres the quantised range), and a weight that grows with its frequency rank
//! (the commonest words say least about a subject): `ln(1 + rank / 50) /
//! ln(1 + 2000)`, clamped to [0, 1]. Deterministic: same vectors and
//! seeds, same bytes.

use std::path::Path;

use crate::enrich::subjects::SubjectModel;

use super::clusters::read_vectors;
use super::textfile;

/// What `train subjects` needs.
pub struct SubjectOptions<'a> {
    pub vectors: &'a Path,
    pub seeds: &'a Path,
    /// Words of the table, most frequent first.
    pub words: usize,
    pub temperature: f32,
}

#[derive(serde::Deserialize)]
struct SeedFile {
    topic: Vec<SeedTopic>,
}

#[derive(serde::Deserialize)]
struct SeedTopic {
    id: String,
    label: String,
    seeds: Vec<String>,
}

fn unit(v: &[f32]) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter().map(|x| x / n).collect()
}

/// The word weight of frequency rank `rank` (0 = most frequent).
pub fn rank_weight(rank: usize) -> f32 {
    ((1.0 + rank as f32 / 50.0).ln() / (1.0 + 2000.0f32).ln()).clamp(0.0, 1.0)
}

/// Builds the table; `progress` gets one line per step.
pub fn train(
    o: &SubjectOptions<'_>,
    progress: &mut dyn std::io::Write,
) -> anyhow::Result<SubjectModel> {
    let seeds: SeedFile = toml::from_str(&textfile::read(o.seeds)?)
        .map_err(|e| anyhow::anyhow!("{}: {e}", o.seeds.display()))?;
    anyhow::ensure!(
        !seeds.topic.is_empty(),
        "{}: no [[topic]]",
        o.seeds.display()
    );
    let emb = read_vectors(o.vectors, o.words)?;
    writeln!(
        progress,
        "{} words × {} dimensions from {}",
        emb.words.len(),
        emb.dim,
        o.vectors.display()
    )?;
    let rows: Vec<Vec<f32>> = emb.rows.iter().map(|r| unit(r)).collect();
    let index: std::collections::HashMap<&str, usize> = emb
        .words
        .iter()
        .enumerate()
        .map(|(i, w)| (w.as_str(), i))
        .collect();
    let mut centroids = Vec::new();
    for t in &seeds.topic {
        let found: Vec<usize> = t
            .seeds
            .iter()
            .filter_map(|w| index.get(w.as_str()).copied())
            .collect();
        anyhow::ensure!(
            found.len() * 2 >= t.seeds.len(),
            "{}: only {} of the {} seeds of {} are in the vectors",
            o.seeds.display(),
            found.len(),
            t.seeds.len(),
            t.id
        );
        let mut c = vec![0f32; emb.dim];
        for &i in &found {
            for (a, x) in c.iter_mut().zip(&rows[i]) {
                *a += x;
            }
        }
        writeln!(progress, "{} {:?}: {} seeds", t.id, t.label, found.len())?;
        centroids.push(unit(&c));
    }
    let words = emb
        .words
        .iter()
        .zip(&rows)
        .enumerate()
        .map(|(rank, (w, v))| {
            let cos: Vec<f32> = centroids
                .iter()
                .map(|c| c.iter().zip(v).map(|(a, b)| a * b).sum())
                .collect();
            let mean = cos.iter().sum::<f32>() / cos.len() as f32;
            (
                w.clone(),
                rank_weight(rank),
                cos.iter().map(|c| c - mean).collect(),
            )
        })
        .collect();
    let subjects = seeds.topic.into_iter().map(|t| (t.id, t.label)).collect();
    SubjectModel::new(subjects, words, o.temperature).map_err(anyhow::Error::msg)
}
