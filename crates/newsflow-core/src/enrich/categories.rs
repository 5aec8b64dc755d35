//! Trained categories: a linear multi-label classifier over hashed words,
//! one-vs-rest logistic regression with a tuned threshold per label.
//!
//! Why: storyline rules capture what editors define; stable subject
//! categories (Reuters' `grain`, `crude`, `money-fx`, …) are better learned
//! from labelled data. A hashed linear model is small, trains in seconds and
//! costs a few microseconds per article.
//!
//! Features: lower-cased words (digits folded to `0`) of the first
//! `max_words` words of the body (the lead, where wire stories say what they
//! are about; 150 by default), title words separately; binary,
//! L2-normalised. On the held-out slice the lead alone scored as well as the
//! whole body (micro-F1 0.877 against 0.874) at half the cost on a typical
//! article. Word bigrams were tried and dropped: they lowered micro-F1 (0.859
//! against 0.874) and doubled the weights an article reads.
//!
//! Weights are 16-bit quantised and sparse: training drops the weights whose
//! magnitude is below `min_weight` (most of the 2^bits × labels weights of an
//! SGD fit are near zero and only cost memory traffic), and each bucket keeps
//! a short list of `(label, weight)`. An article touches ~400 buckets; with
//! dense rows of 115 labels that was ~90 KB of weights read per article.

use crate::model_file::{self, ModelFileError, ModelKind};

/// The model file version this build writes: sparse weights and an idf per
/// bucket. Version 2 (binary features, no idf) is still read; version 1
/// (dense rows) is refused: retrain it.
const VERSION: u8 = 3;

/// The default model, trained on Reuters-21578 ModApte train (see NOTICE).
pub const DEFAULT_MODEL: &[u8] = include_bytes!("../../../../models/categories.bin");

/// A trained category model.
#[derive(Clone)]
pub struct CategoryModel {
    bits: u32,
    /// Body words read (0: all).
    max_words: u32,
    pub labels: Vec<String>,
    /// Bucket `b`'s weights are `weights[offsets[b]..offsets[b + 1]]`.
    offsets: Vec<u32>,
    /// `(label, quantised weight)`; the real weight is `weight × scale`.
    weights: Vec<(u16, i16)>,
    scale: f32,
    bias: Vec<f32>,
    pub thresholds: Vec<f32>,
    /// Inverse document frequency per bucket (version 3); empty: binary
    /// features (version 2 files).
    idf: Vec<f32>,
}

impl std::fmt::Debug for CategoryModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CategoryModel")
            .field("labels", &self.labels.len())
            .field("weights", &self.weights.len())
            .finish()
    }
}

fn mix(a: u64, b: u64) -> u64 {
    let x = (a ^ b.rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^ (x >> 32)
}

/// Calls `word` with each lower-cased word of `text` (digits folded to `0`,
/// at least two characters) until `word` returns false. ASCII is handled
/// byte by byte; other characters go through Unicode's alphanumeric test and
/// lower-casing.
fn for_each_word(text: &str, buf: &mut Vec<u8>, mut word: impl FnMut(&[u8]) -> bool) {
    let bytes = text.as_bytes();
    let mut chars = 0usize;
    let mut i = 0;
    // False once `word` has asked to stop.
    let mut flush = |buf: &mut Vec<u8>, chars: &mut usize| {
        let go_on = *chars < 2 || word(buf);
        buf.clear();
        *chars = 0;
        go_on
    };
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            if b.is_ascii_alphanumeric() {
                buf.push(if b.is_ascii_digit() {
                    b'0'
                } else {
                    b.to_ascii_lowercase()
                });
                chars += 1;
            } else if !flush(buf, &mut chars) {
                return;
            }
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().expect("a char starts here");
        if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                let l = if l.is_ascii_digit() { '0' } else { l };
                let mut tmp = [0u8; 4];
                buf.extend_from_slice(l.encode_utf8(&mut tmp).as_bytes());
                chars += 1;
            }
        } else if !flush(buf, &mut chars) {
            return;
        }
        i += c.len_utf8();
    }
    flush(buf, &mut chars);
}

/// The hashed buckets of every word of the title and of the first
/// `max_words` body words (0: all), sorted, with repeats.
fn buckets(title: Option<&str>, body: &str, bits: u32, max_words: u32) -> Vec<u32> {
    let mut buckets: Vec<u32> = Vec::with_capacity(256);
    let mut buf = Vec::with_capacity(32);
    let mut words = |text: &str, prefix: u64, limit: u32, buckets: &mut Vec<u32>| {
        let mut n = 0u32;
        for_each_word(text, &mut buf, |w| {
            n += 1;
            let h = mix(prefix, xxhash_rust::xxh3::xxh3_64(w));
            buckets.push((h >> (64 - bits)) as u32);
            // The rest of a long text is not read at all.
            limit == 0 || n < limit
        });
    };
    if let Some(t) = title {
        words(t, 17, 0, &mut buckets);
    }
    words(body, 0, max_words, &mut buckets);
    buckets.sort_unstable();
    buckets
}

/// Hashed, L2-normalised features `(bucket, value)`, sorted by bucket: with
/// an `idf` table, `(1 + ln tf) × idf` (sublinear tf-idf, the weighting
/// under which linear models do best on Reuters-21578); without one,
/// binary. `max_words` limits the body words read (0: all).
pub fn features(
    title: Option<&str>,
    body: &str,
    bits: u32,
    max_words: u32,
    idf: &[f32],
) -> Vec<(u32, f32)> {
    let all = buckets(title, body, bits, max_words);
    let mut out: Vec<(u32, f32)> = Vec::with_capacity(all.len());
    for b in all {
        match out.last_mut() {
            Some((last, tf)) if *last == b => *tf += 1.0,
            _ => out.push((b, 1.0)),
        }
    }
    for (b, v) in &mut out {
        *v = if idf.is_empty() {
            1.0
        } else {
            (1.0 + v.ln()) * idf[*b as usize]
        };
    }
    let norm = out
        .iter()
        .map(|(_, v)| v * v)
        .sum::<f32>()
        .sqrt()
        .max(1e-12);
    for (_, v) in &mut out {
        *v /= norm;
    }
    out
}

/// Smoothed idf per bucket over `docs`' bucket lists: `ln((1 + n) / (1 +
/// df)) + 1`.
fn idf_of(docs: &[Vec<u32>], bits: u32) -> Vec<f32> {
    let mut df = vec![0u32; 1 << bits];
    for d in docs {
        let mut last = u32::MAX;
        for &b in d {
            if b != last {
                df[b as usize] += 1;
                last = b;
            }
        }
    }
    let n = docs.len() as f32;
    df.iter()
        .map(|&d| ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0)
        .collect()
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl CategoryModel {
    /// Probability of every label.
    pub fn probabilities(&self, title: Option<&str>, body: &str) -> Vec<f32> {
        let feats = features(title, body, self.bits, self.max_words, &self.idf);
        // First the ranges, asking for each bucket's weights ahead of use:
        // the loads then overlap instead of queueing behind the additions.
        for &(b, _) in &feats {
            super::prefetch(self.offsets.as_ptr().wrapping_add(b as usize));
        }
        let ranges: Vec<(u32, u32, f32)> = feats
            .iter()
            .map(|&(b, v)| {
                let (s, e) = (self.offsets[b as usize], self.offsets[b as usize + 1]);
                super::prefetch(self.weights.as_ptr().wrapping_add(s as usize));
                (s, e, v)
            })
            .collect();
        let mut acc = vec![0f32; self.labels.len()];
        for (s, e, v) in ranges {
            for &(label, w) in &self.weights[s as usize..e as usize] {
                acc[label as usize] += w as f32 * v;
            }
        }
        acc.iter()
            .zip(&self.bias)
            .map(|(&a, b)| sigmoid(a * self.scale + b))
            .collect()
    }

    /// Number of stored (non-zero) weights.
    pub fn weight_count(&self) -> usize {
        self.weights.len()
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
        raw.extend_from_slice(&self.bits.to_le_bytes());
        raw.extend_from_slice(&self.max_words.to_le_bytes());
        raw.extend_from_slice(&(self.labels.len() as u32).to_le_bytes());
        raw.extend_from_slice(&self.scale.to_le_bytes());
        for (i, label) in self.labels.iter().enumerate() {
            raw.extend_from_slice(&(label.len() as u32).to_le_bytes());
            raw.extend_from_slice(label.as_bytes());
            raw.extend_from_slice(&self.bias[i].to_le_bytes());
            raw.extend_from_slice(&self.thresholds[i].to_le_bytes());
        }
        raw.extend_from_slice(&(self.weights.len() as u32).to_le_bytes());
        for pair in self.offsets.windows(2) {
            raw.extend_from_slice(&((pair[1] - pair[0]) as u16).to_le_bytes());
        }
        for (label, w) in &self.weights {
            raw.extend_from_slice(&label.to_le_bytes());
            raw.extend_from_slice(&w.to_le_bytes());
        }
        // The idf per bucket, in thousandths (it lies in 1..=ln(n)+1).
        for &x in &self.idf {
            raw.extend_from_slice(&((x * 1000.0).round() as u16).to_le_bytes());
        }
        model_file::write(ModelKind::Categories, VERSION, &raw)
    }

    pub fn load(bytes: &[u8]) -> Result<CategoryModel, ModelFileError> {
        let file = model_file::open(bytes, ModelKind::Categories, &[2, VERSION])?;
        let (version, raw) = (file.version, file.body);
        let bad = |reason: String| ModelFileError::body(ModelKind::Categories, reason);
        let mut pos = 0usize;
        let mut take = |n: usize| -> Result<&[u8], ModelFileError> {
            let s = raw
                .get(pos..pos + n)
                .ok_or_else(|| bad("truncated".into()))?;
            pos += n;
            Ok(s)
        };
        let u32_at = |b: &[u8]| u32::from_le_bytes(b.try_into().unwrap());
        let f32_at = |b: &[u8]| f32::from_le_bytes(b.try_into().unwrap());
        let bits = u32_at(take(4)?);
        let max_words = u32_at(take(4)?);
        let n = u32_at(take(4)?) as usize;
        let scale = f32_at(take(4)?);
        if !(8..=24).contains(&bits) || n == 0 || n > 10_000 {
            return Err(bad("bad header".into()));
        }
        let (mut labels, mut bias, mut thresholds) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..n {
            let len = u32_at(take(4)?) as usize;
            let label = String::from_utf8(take(len)?.to_vec());
            labels.push(label.map_err(|e| bad(format!("label: {e}")))?);
            bias.push(f32_at(take(4)?));
            thresholds.push(f32_at(take(4)?));
        }
        let total = u32_at(take(4)?) as usize;
        let mut offsets = Vec::with_capacity((1 << bits) + 1);
        offsets.push(0u32);
        for c in take((1usize << bits) * 2)?.chunks_exact(2) {
            let count = u16::from_le_bytes([c[0], c[1]]) as u32;
            offsets.push(offsets.last().unwrap() + count);
        }
        if *offsets.last().unwrap() as usize != total {
            return Err(bad("bucket counts do not add up".into()));
        }
        let mut weights = Vec::with_capacity(total);
        for c in take(total * 4)?.chunks_exact(4) {
            let label = u16::from_le_bytes([c[0], c[1]]);
            if label as usize >= n {
                return Err(bad(format!("weight for label {label} of {n}")));
            }
            weights.push((label, i16::from_le_bytes([c[2], c[3]])));
        }
        let idf = if version >= 3 {
            take((1usize << bits) * 2)?
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]) as f32 / 1000.0)
                .collect()
        } else {
            Vec::new()
        };
        if pos != raw.len() {
            return Err(bad(format!("{} bytes after the model", raw.len() - pos)));
        }
        Ok(CategoryModel {
            bits,
            max_words,
            labels,
            offsets,
            weights,
            scale,
            bias,
            thresholds,
            idf,
        })
    }
}

/// One labelled training document.
pub struct Example {
    pub title: Option<String>,
    pub body: String,
    pub labels: Vec<String>,
}

/// Training settings.
#[derive(Debug, Clone, Copy)]
pub struct TrainParams {
    /// log2 of the number of feature buckets.
    pub bits: u32,
    pub epochs: usize,
    pub seed: u64,
    /// Weights smaller than this in magnitude are dropped (0 keeps all).
    pub min_weight: f32,
    /// Body words read per document (0: all).
    pub max_words: u32,
    /// Sublinear tf-idf features (else binary).
    pub tfidf: bool,
}

/// Trains one-vs-rest logistic regression by SGD; thresholds are tuned per
/// label on `tune` (F1-optimal); with `refit` the model is then retrained on
/// everything, keeping those thresholds. Weights below `min_weight` in
/// magnitude are dropped (before thresholds are tuned, so they are tuned for
/// the model as it runs).
pub fn train(
    train: &[Example],
    tune: &[Example],
    params: &TrainParams,
    refit: bool,
) -> CategoryModel {
    let labels = label_set(train, tune);
    // 1. Fit on `train`, tune thresholds on `tune`.
    let train_refs: Vec<&Example> = train.iter().collect();
    let mut model = fitted(&train_refs, &labels, params);
    tune_thresholds(&mut model, &labels, tune);
    if !refit {
        return model;
    }
    // 2. Refit on everything with the tuned thresholds.
    let all: Vec<&Example> = train.iter().chain(tune).collect();
    let thresholds = std::mem::take(&mut model.thresholds);
    CategoryModel {
        thresholds,
        ..fitted(&all, &labels, params)
    }
}

/// What [`train_cv`] measured: the cross-validated scores of the thresholds
/// as chosen, and the counts behind them.
#[derive(Debug, Clone)]
pub struct CvReport {
    pub folds: usize,
    /// Per label: (gold, predicted, correct) over all held-out folds.
    pub counts: Vec<(usize, usize, usize)>,
}

/// Trains with thresholds chosen by `folds`-fold cross-validation (SCut):
/// each document is scored by the model fitted on the other folds, each
/// label's threshold is the F1-optimal one over those out-of-fold scores,
/// and the final model is fitted on everything with them. Labels with fewer
/// than [`MIN_CV_POSITIVES`] examples keep 0.5. The report scores each fold
/// with the thresholds tuned on the other folds' out-of-fold scores only, so
/// it estimates unseen data (the thresholds of the final model see every
/// fold).
pub fn train_cv(docs: &[Example], params: &TrainParams, folds: usize) -> (CategoryModel, CvReport) {
    use rayon::prelude::*;
    let labels = label_set(docs, &[]);
    let fold_of = |i: usize| i % folds;
    // Out-of-fold probabilities, fitted fold by fold (in parallel).
    let per_fold: Vec<Vec<(usize, Vec<f32>)>> = (0..folds)
        .into_par_iter()
        .map(|f| {
            let train: Vec<&Example> = docs
                .iter()
                .enumerate()
                .filter(|(i, _)| fold_of(*i) != f)
                .map(|(_, d)| d)
                .collect();
            let model = fitted(&train, &labels, params);
            docs.iter()
                .enumerate()
                .filter(|(i, _)| fold_of(*i) == f)
                .map(|(i, d)| (i, model.probabilities(d.title.as_deref(), &d.body)))
                .collect()
        })
        .collect();
    let mut oof = vec![Vec::new(); docs.len()];
    for (i, p) in per_fold.into_iter().flatten() {
        oof[i] = p;
    }
    let gold: Vec<Vec<bool>> = labels
        .iter()
        .map(|l| docs.iter().map(|d| d.labels.contains(l)).collect())
        .collect();
    let thresholds_from = |keep: &dyn Fn(usize) -> bool| -> Vec<f32> {
        (0..labels.len())
            .map(|li| {
                let idx: Vec<usize> = (0..docs.len()).filter(|&i| keep(i)).collect();
                let g: Vec<bool> = idx.iter().map(|&i| gold[li][i]).collect();
                if g.iter().filter(|&&x| x).count() < MIN_CV_POSITIVES {
                    return 0.5;
                }
                let p: Vec<Vec<f32>> = idx.iter().map(|&i| vec![oof[i][li]]).collect();
                let t = best_threshold(&p, 0, &g);
                // SCut's fallback (Yang 2001): a threshold whose best F1 is
                // poor would only open the label to noise (a rare label's
                // two positives reached at 0.05 by predicting it for half
                // the corpus); such labels keep 0.5.
                if f1_at(&p, &g, t) < MIN_CV_F1 {
                    0.5
                } else {
                    t
                }
            })
            .collect()
    };
    let mut counts = vec![(0, 0, 0); labels.len()];
    for f in 0..folds {
        let t = thresholds_from(&|i| fold_of(i) != f);
        for i in (0..docs.len()).filter(|&i| fold_of(i) == f) {
            for li in 0..labels.len() {
                let (g, p) = (gold[li][i], oof[i][li] >= t[li]);
                counts[li].0 += g as usize;
                counts[li].1 += p as usize;
                counts[li].2 += (g && p) as usize;
            }
        }
    }
    let all: Vec<&Example> = docs.iter().collect();
    let mut model = fitted(&all, &labels, params);
    model.thresholds = thresholds_from(&|_| true);
    (model, CvReport { folds, counts })
}

/// Labels with fewer examples than this keep the threshold 0.5 in
/// [`train_cv`]: a handful of scores cannot place a threshold.
pub const MIN_CV_POSITIVES: usize = 2;

/// Below this out-of-fold F1 a label keeps the threshold 0.5 in [`train_cv`].
pub const MIN_CV_F1: f32 = 0.2;

/// F1 of predicting `p[i][0] >= t` against `gold`.
fn f1_at(p: &[Vec<f32>], gold: &[bool], t: f32) -> f32 {
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for (p, &g) in p.iter().zip(gold) {
        match (p[0] >= t, g) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fn_ += 1,
            _ => {}
        }
    }
    if tp == 0 {
        0.0
    } else {
        2.0 * tp as f32 / (2 * tp + fp + fn_) as f32
    }
}

/// A model fitted on `docs` (weights sparsified), thresholds 0.5.
fn fitted(docs: &[&Example], labels: &[String], params: &TrainParams) -> CategoryModel {
    let (w, b, idf) = fit(docs, labels, params);
    let (offsets, weights, scale) = sparsify(&w, labels.len(), params.min_weight);
    CategoryModel {
        bits: params.bits,
        max_words: params.max_words,
        labels: labels.to_vec(),
        offsets,
        weights,
        scale,
        bias: b,
        thresholds: vec![0.5; labels.len()],
        idf,
    }
}

/// Every label of `train` and `tune`, sorted, once each.
fn label_set(train: &[Example], tune: &[Example]) -> Vec<String> {
    let mut labels: Vec<String> = train
        .iter()
        .chain(tune)
        .flat_map(|e| e.labels.iter().cloned())
        .collect();
    labels.sort();
    labels.dedup();
    labels
}

/// Fits dense weights (`2^bits` rows of one weight per label) and biases to
/// `docs` by SGD: `epochs` passes, each in a fresh order drawn from `seed`,
/// with a learning rate of `2 / (1 + epoch)`; with `tfidf` also the idf
/// table of `docs` (else it is empty).
fn fit(
    docs: &[&Example],
    labels: &[String],
    params: &TrainParams,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let TrainParams {
        bits,
        epochs,
        seed,
        max_words,
        ..
    } = *params;
    let l = labels.len();
    let idf = if params.tfidf {
        let lists: Vec<Vec<u32>> = docs
            .iter()
            .map(|e| buckets(e.title.as_deref(), &e.body, bits, max_words))
            .collect();
        idf_of(&lists, bits)
    } else {
        Vec::new()
    };
    let feats = doc_features(docs, bits, max_words, &idf);
    let ys = label_vectors(docs, labels);
    let mut w = vec![0f32; (1usize << bits) * l];
    let mut b = vec![0f32; l];
    let mut order: Vec<usize> = (0..docs.len()).collect();
    let mut state = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut scores = vec![0f32; l];
    for epoch in 0..epochs {
        shuffle(&mut order, &mut state);
        let lr = 2.0 / (1.0 + epoch as f32);
        for &d in &order {
            sgd_step(&mut w, &mut b, &mut scores, &feats[d], &ys[d], lr);
        }
    }
    (w, b, idf)
}

/// Each document's features, as the model reads them.
fn doc_features(docs: &[&Example], bits: u32, max_words: u32, idf: &[f32]) -> Vec<Vec<(u32, f32)>> {
    docs.iter()
        .map(|e| features(e.title.as_deref(), &e.body, bits, max_words, idf))
        .collect()
}

/// Each document's labels, as one flag per label of `labels`.
fn label_vectors(docs: &[&Example], labels: &[String]) -> Vec<Vec<bool>> {
    docs.iter()
        .map(|e| labels.iter().map(|x| e.labels.contains(x)).collect())
        .collect()
}

/// Shuffles `order` in place (Fisher-Yates), drawing from the xorshift
/// generator `state`, which carries over from epoch to epoch.
fn shuffle(order: &mut [usize], state: &mut u64) {
    for i in (1..order.len()).rev() {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        order.swap(i, (*state % (i as u64 + 1)) as usize);
    }
}

/// One SGD step on one document (`feats`, gold labels `ys`): scores every
/// label into `scores`, then moves the biases and the weights of the
/// document's buckets against the logistic-loss gradient.
fn sgd_step(
    w: &mut [f32],
    b: &mut [f32],
    scores: &mut [f32],
    feats: &[(u32, f32)],
    ys: &[bool],
    lr: f32,
) {
    let l = b.len();
    scores.copy_from_slice(b);
    for &(k, v) in feats {
        for (s, wi) in scores
            .iter_mut()
            .zip(&w[k as usize * l..(k as usize + 1) * l])
        {
            *s += v * wi;
        }
    }
    let grads: Vec<f32> = scores
        .iter()
        .zip(ys)
        .map(|(&s, &y)| sigmoid(s) - if y { 1.0 } else { 0.0 })
        .collect();
    for (bi, g) in b.iter_mut().zip(&grads) {
        *bi -= lr * 0.1 * g;
    }
    for &(k, v) in feats {
        for (wi, g) in w[k as usize * l..(k as usize + 1) * l]
            .iter_mut()
            .zip(&grads)
        {
            *wi -= lr * g * v;
        }
    }
}

/// Quantises the dense weights `w` (rows of `l` labels) to 16 bits and
/// keeps, per bucket, the weights at least `min_weight` in magnitude that do
/// not round to zero: the bucket offsets, the `(label, weight)` list and the
/// scale.
fn sparsify(w: &[f32], l: usize, min_weight: f32) -> (Vec<u32>, Vec<(u16, i16)>, f32) {
    let max = w.iter().fold(0f32, |m, x| m.max(x.abs())).max(1e-9);
    let scale = max / 32767.0;
    let mut offsets = vec![0u32];
    let mut weights = Vec::new();
    for row in w.chunks_exact(l) {
        for (label, &x) in row.iter().enumerate() {
            let q = (x / scale).round() as i16;
            if x.abs() >= min_weight && q != 0 {
                weights.push((label as u16, q));
            }
        }
        offsets.push(weights.len() as u32);
    }
    (offsets, weights, scale)
}

/// Sets each label's threshold to the F1-optimal one on `tune`, for the
/// model as it is; labels with no positive example in `tune` keep theirs.
fn tune_thresholds(model: &mut CategoryModel, labels: &[String], tune: &[Example]) {
    let probs: Vec<Vec<f32>> = tune
        .iter()
        .map(|e| model.probabilities(e.title.as_deref(), &e.body))
        .collect();
    for (li, label) in labels.iter().enumerate() {
        let gold: Vec<bool> = tune.iter().map(|e| e.labels.contains(label)).collect();
        if !gold.iter().any(|&g| g) {
            continue;
        }
        model.thresholds[li] = best_threshold(&probs, li, &gold);
    }
}

/// The threshold among 0.05, 0.10, …, 0.95 with the best F1 for label `li`,
/// given each tuning document's probabilities and gold flag.
fn best_threshold(probs: &[Vec<f32>], li: usize, gold: &[bool]) -> f32 {
    let mut best = (0f32, 0.5f32);
    for step in 1..20 {
        let t = step as f32 * 0.05;
        let (mut tp, mut fp, mut fn_) = (0, 0, 0);
        for (p, &g) in probs.iter().zip(gold) {
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
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_read_up_to_the_word_limit_only() {
        let body = "Oil prices rose 3% on Monday, a (b) Ölpreis x 42 stieg weiter und weiter.";
        // Words of two or more characters: Oil prices rose on Monday Ölpreis 42 ...
        let first_five = "Oil prices rose 3% on Monday";
        assert_eq!(
            features(None, body, 16, 5, &[]),
            features(None, first_five, 16, 0, &[])
        );
        assert_ne!(
            features(None, body, 16, 6, &[]),
            features(None, first_five, 16, 0, &[])
        );
        // The title is always read whole and hashed apart from the body.
        let with_title = features(Some("Oil"), body, 16, 5, &[]);
        assert_eq!(
            with_title.len(),
            features(None, first_five, 16, 0, &[]).len() + 1
        );
        let mut words = Vec::new();
        for_each_word(body, &mut Vec::new(), |w| {
            words.push(String::from_utf8(w.to_vec()).unwrap());
            words.len() < 8
        });
        assert_eq!(
            words,
            ["oil", "prices", "rose", "on", "monday", "ölpreis", "00", "stieg"]
        );
    }

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
        let params = TrainParams {
            bits: 12,
            epochs: 5,
            seed: 1,
            min_weight: 0.0,
            max_words: 0,
            tfidf: true,
        };
        let m = train(train_set, tune_set, &params, true);
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
