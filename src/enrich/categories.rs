//! Trained categories: a linear multi-label classifier over hashed word
//! n-grams, one-vs-rest logistic regression with a tuned threshold per label.
//!
//! Why: storyline rules capture what editors define; stable subject
//! categories (Reuters' `grain`, `crude`, `money-fx`, …) are better learned
//! from labelled data. A hashed linear model is small, trains in seconds and
//! costs a few microseconds per article.
//!
//! Features: lower-cased words (digits folded to `0`) and word bigrams of the
//! body, title words separately; binary, L2-normalised. Weights are 16-bit
//! quantised, `2^bits` buckets × labels, stored gzip-compressed.

use std::io::{Read, Write};

const MAGIC: &[u8; 8] = b"NFCAT\x00\x00\x01";

/// The default model, trained on Reuters-21578 ModApte train (see NOTICE).
pub const DEFAULT_MODEL: &[u8] = include_bytes!("../../models/categories.bin");

/// A trained category model.
#[derive(Clone)]
pub struct CategoryModel {
    bits: u32,
    pub labels: Vec<String>,
    /// `2^bits × labels` weights (quantised with `scale`).
    weights: Vec<i16>,
    scale: f32,
    bias: Vec<f32>,
    pub thresholds: Vec<f32>,
}

impl std::fmt::Debug for CategoryModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CategoryModel")
            .field("labels", &self.labels.len())
            .finish()
    }
}

fn mix(a: u64, b: u64) -> u64 {
    let x = (a ^ b.rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^ (x >> 32)
}

/// Hashed, L2-normalised binary features `(bucket, value)`.
pub fn features(title: Option<&str>, body: &str, bits: u32) -> Vec<(u32, f32)> {
    let mut hashes: Vec<u64> = Vec::with_capacity(body.len() / 3);
    let mut word = String::new();
    let mut prev: u64 = 0;
    let mut push_words = |text: &str, prefix: u64, hashes: &mut Vec<u64>| {
        prev = 0;
        for c in text.chars().chain(std::iter::once(' ')) {
            if c.is_alphanumeric() {
                word.extend(
                    c.to_lowercase()
                        .map(|c| if c.is_ascii_digit() { '0' } else { c }),
                );
                continue;
            }
            if word.chars().count() >= 2 {
                let h = mix(prefix, xxhash_rust::xxh3::xxh3_64(word.as_bytes()));
                hashes.push(h);
                if prev != 0 {
                    hashes.push(mix(prev, h ^ 0x5bd1_e995));
                }
                prev = h;
            }
            word.clear();
        }
    };
    if let Some(t) = title {
        push_words(t, 17, &mut hashes);
    }
    push_words(body, 0, &mut hashes);
    let mut buckets: Vec<u32> = hashes.iter().map(|h| (h >> (64 - bits)) as u32).collect();
    buckets.sort_unstable();
    buckets.dedup();
    let v = 1.0 / (buckets.len().max(1) as f32).sqrt();
    buckets.into_iter().map(|b| (b, v)).collect()
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl CategoryModel {
    /// Probability of every label.
    pub fn probabilities(&self, title: Option<&str>, body: &str) -> Vec<f32> {
        let l = self.labels.len();
        let mut acc = vec![0f32; l];
        for (b, v) in features(title, body, self.bits) {
            let row = &self.weights[b as usize * l..(b as usize + 1) * l];
            for (a, &w) in acc.iter_mut().zip(row) {
                *a += v * w as f32;
            }
        }
        acc.iter()
            .zip(&self.bias)
            .map(|(a, b)| sigmoid(a * self.scale + b))
            .collect()
    }

    /// Labels whose probability reaches their threshold, best first.
    pub fn predict(&self, title: Option<&str>, body: &str) -> Vec<(usize, f32)> {
        let mut out: Vec<(usize, f32)> = self
            .probabilities(title, body)
            .into_iter()
            .enumerate()
            .filter(|&(i, p)| p >= self.thresholds[i])
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }

    pub fn save(&self) -> Vec<u8> {
        let mut raw = Vec::new();
        raw.extend_from_slice(MAGIC);
        raw.extend_from_slice(&self.bits.to_le_bytes());
        raw.extend_from_slice(&(self.labels.len() as u32).to_le_bytes());
        raw.extend_from_slice(&self.scale.to_le_bytes());
        for (i, label) in self.labels.iter().enumerate() {
            raw.extend_from_slice(&(label.len() as u32).to_le_bytes());
            raw.extend_from_slice(label.as_bytes());
            raw.extend_from_slice(&self.bias[i].to_le_bytes());
            raw.extend_from_slice(&self.thresholds[i].to_le_bytes());
        }
        for w in &self.weights {
            raw.extend_from_slice(&w.to_le_bytes());
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&raw).expect("in-memory write");
        gz.finish().expect("in-memory write")
    }

    pub fn load(bytes: &[u8]) -> Result<CategoryModel, String> {
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut raw)
            .map_err(|e| format!("not a gzip model file: {e}"))?;
        let mut pos = 0usize;
        let mut take = |n: usize| -> Result<&[u8], String> {
            let s = raw.get(pos..pos + n).ok_or("truncated category model")?;
            pos += n;
            Ok(s)
        };
        if take(8)? != MAGIC {
            return Err("not a newsflow category model (bad magic)".into());
        }
        let u32_at = |b: &[u8]| u32::from_le_bytes(b.try_into().unwrap());
        let f32_at = |b: &[u8]| f32::from_le_bytes(b.try_into().unwrap());
        let bits = u32_at(take(4)?);
        let n = u32_at(take(4)?) as usize;
        let scale = f32_at(take(4)?);
        if !(8..=24).contains(&bits) || n == 0 || n > 10_000 {
            return Err("bad category model header".into());
        }
        let (mut labels, mut bias, mut thresholds) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..n {
            let len = u32_at(take(4)?) as usize;
            labels.push(String::from_utf8(take(len)?.to_vec()).map_err(|e| e.to_string())?);
            bias.push(f32_at(take(4)?));
            thresholds.push(f32_at(take(4)?));
        }
        let body = take((1usize << bits) * n * 2)?;
        let weights = body
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect();
        Ok(CategoryModel {
            bits,
            labels,
            weights,
            scale,
            bias,
            thresholds,
        })
    }
}

/// One labelled training document.
pub struct Example {
    pub title: Option<String>,
    pub body: String,
    pub labels: Vec<String>,
}

/// Trains one-vs-rest logistic regression by SGD; thresholds are tuned per
/// label on `tune` (F1-optimal); with `refit` the model is then retrained on
/// everything, keeping those thresholds.
pub fn train(
    train: &[Example],
    tune: &[Example],
    bits: u32,
    epochs: usize,
    seed: u64,
    refit: bool,
) -> CategoryModel {
    let mut labels: Vec<String> = train
        .iter()
        .chain(tune)
        .flat_map(|e| e.labels.iter().cloned())
        .collect();
    labels.sort();
    labels.dedup();
    let fit = |docs: &[&Example]| -> (Vec<f32>, Vec<f32>) {
        let l = labels.len();
        let feats: Vec<Vec<(u32, f32)>> = docs
            .iter()
            .map(|e| features(e.title.as_deref(), &e.body, bits))
            .collect();
        let ys: Vec<Vec<bool>> = docs
            .iter()
            .map(|e| labels.iter().map(|x| e.labels.contains(x)).collect())
            .collect();
        let mut w = vec![0f32; (1usize << bits) * l];
        let mut b = vec![0f32; l];
        let mut order: Vec<usize> = (0..docs.len()).collect();
        let mut state = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut scores = vec![0f32; l];
        for epoch in 0..epochs {
            for i in (1..order.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                order.swap(i, (state % (i as u64 + 1)) as usize);
            }
            let lr = 2.0 / (1.0 + epoch as f32);
            for &d in &order {
                scores.copy_from_slice(&b);
                for &(k, v) in &feats[d] {
                    for (s, wi) in scores
                        .iter_mut()
                        .zip(&w[k as usize * l..(k as usize + 1) * l])
                    {
                        *s += v * wi;
                    }
                }
                let grads: Vec<f32> = scores
                    .iter()
                    .zip(&ys[d])
                    .map(|(&s, &y)| sigmoid(s) - if y { 1.0 } else { 0.0 })
                    .collect();
                for (bi, g) in b.iter_mut().zip(&grads) {
                    *bi -= lr * 0.1 * g;
                }
                for &(k, v) in &feats[d] {
                    for (wi, g) in w[k as usize * l..(k as usize + 1) * l]
                        .iter_mut()
                        .zip(&grads)
                    {
                        *wi -= lr * g * v;
                    }
                }
            }
        }
        (w, b)
    };
    let quantise = |w: &[f32]| -> (Vec<i16>, f32) {
        let max = w.iter().fold(0f32, |m, x| m.max(x.abs())).max(1e-9);
        let scale = max / 32767.0;
        (
            w.iter().map(|x| (x / scale).round() as i16).collect(),
            scale,
        )
    };
    // 1. Fit on `train`, tune thresholds on `tune`.
    let train_refs: Vec<&Example> = train.iter().collect();
    let (w, b) = fit(&train_refs);
    let (weights, scale) = quantise(&w);
    let mut model = CategoryModel {
        bits,
        labels: labels.clone(),
        weights,
        scale,
        bias: b,
        thresholds: vec![0.5; labels.len()],
    };
    let probs: Vec<Vec<f32>> = tune
        .iter()
        .map(|e| model.probabilities(e.title.as_deref(), &e.body))
        .collect();
    for (li, label) in labels.iter().enumerate() {
        let gold: Vec<bool> = tune.iter().map(|e| e.labels.contains(label)).collect();
        if !gold.iter().any(|&g| g) {
            continue;
        }
        let mut best = (0f32, 0.5f32);
        for step in 1..20 {
            let t = step as f32 * 0.05;
            let (mut tp, mut fp, mut fn_) = (0, 0, 0);
            for (p, &g) in probs.iter().zip(&gold) {
                match (p[li] >= t, g) {
                    (true, true) => tp += 1,
                    (true, false) => fp += 1,
                    (false, true) => fn_ += 1,
                    _ => {}
                }
            }
            let f1 = if tp == 0 {
                0.0
            } else {
                2.0 * tp as f32 / (2 * tp + fp + fn_) as f32
            };
            // Ties go to the threshold nearest 0.5: a perfectly separated
            // tuning slice should not push the threshold to an extreme.
            if f1 > best.0 + 1e-6
                || ((f1 - best.0).abs() <= 1e-6 && (t - 0.5).abs() < (best.1 - 0.5).abs())
            {
                best = (f1, t);
            }
        }
        model.thresholds[li] = best.1;
    }
    if !refit {
        return model;
    }
    // 2. Refit on everything with the tuned thresholds.
    let all: Vec<&Example> = train.iter().chain(tune).collect();
    let (w, b) = fit(&all);
    let (weights, scale) = quantise(&w);
    model.weights = weights;
    model.scale = scale;
    model.bias = b;
    model
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_separable_labels_and_round_trips() {
        let mk = |body: &str, l: &[&str]| Example {
            title: None,
            body: body.into(),
            labels: l.iter().map(|s| s.to_string()).collect(),
        };
        let mut docs = Vec::new();
        for i in 0..40 {
            docs.push(mk(
                &format!("wheat harvest grain exports tonnes {i}"),
                &["grain"],
            ));
            docs.push(mk(
                &format!("crude oil barrels opec output {i}"),
                &["crude"],
            ));
            docs.push(mk(&format!("quarterly profit net income shares {i}"), &[]));
        }
        let (train_set, tune_set) = docs.split_at(90);
        let m = train(train_set, tune_set, 12, 5, 1, true);
        let labels = |body: &str| -> Vec<String> {
            m.predict(None, body)
                .into_iter()
                .map(|(i, _)| m.labels[i].clone())
                .collect()
        };
        assert_eq!(labels("grain exports rose"), vec!["grain"]);
        assert_eq!(labels("opec crude output"), vec!["crude"]);
        assert!(labels("net income rose").is_empty());
        let back = CategoryModel::load(&m.save()).unwrap();
        assert_eq!(back.labels, m.labels);
        assert_eq!(
            back.predict(None, "wheat grain"),
            m.predict(None, "wheat grain")
        );
    }
}
