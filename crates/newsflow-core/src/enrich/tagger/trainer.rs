//! The trainer: an averaged perceptron over the same features the tagger
//! reads, decoding greedily with its own predicted history, as tagging does.
//!
//! Why averaged: the plain perceptron's final weights lean towards the last
//! sentences seen; averaging the weights over every step is the usual remedy
//! (Collins 2002) and costs nothing at tagging time. The average is kept lazily
//! (each weight remembers when it last changed), so an update costs the same
//! however long training has run. Training keeps `f32` weights for every
//! bucket; [`Trainer::mixture`] averages them (and those of the other
//! trainers mixed in), quantises them to 16 bits and leaves out the empty
//! buckets ([`super::weights`]).
//!
//! Why dropout: without it the perceptron fits the training set almost
//! perfectly within twenty epochs (token accuracy 0.9995) and then stops
//! learning, leaning on the few features (mostly word identities) that
//! happened to separate the training sentences. Leaving out each feature of
//! each training step with probability `dropout` (feature bagging, Sutton,
//! Sindelar & McCallum 2006; dropout training of linear models, Wang &
//! Manning 2013) makes it spread the weight over the features that also fire
//! on unseen words: clusters, shapes, affixes, the lexicon. At 0.3 it raised
//! dev F1 by 0.4 points over the same mixture without it (docs/PERFORMANCE.md).
//! The history features are dropped like the others: keeping them while
//! dropping the rest made the model lean on its own previous tags (dev F1
//! 0.908). Which features a step drops is a hash of the feature and the
//! step's clock, so training stays deterministic for a seed.

use std::sync::Arc;

use super::context::DocContext;
use super::features::{history_features, lower_hash, shape_hash};
use super::hash::mix;
use super::tags::{best, Tag};
use super::weights::{bucket, Model, Row};
use super::N_CLASSES;
use crate::enrich::clusters::WordTables;

/// Averaged-perceptron training state.
pub struct Trainer {
    bits: u32,
    /// Features dropped per training step, in 1/1024ths.
    dropout: u32,
    clusters: Arc<WordTables>,
    weights: Vec<f32>,
    totals: Vec<f64>,
    stamps: Vec<u32>,
    clock: u32,
}

impl Trainer {
    /// A trainer for `2^bits` buckets, with the features of `clusters`
    /// (which [`sentence_features`](super::sentence_features) must be given
    /// too), leaving out each feature of each step with probability
    /// `dropout` (in `0..1`).
    pub fn new(bits: u32, clusters: Arc<WordTables>, dropout: f64) -> Trainer {
        let n = (1usize << bits) * N_CLASSES;
        Trainer {
            bits,
            dropout: (dropout.clamp(0.0, 1.0) * 1024.0) as u32,
            clusters,
            weights: vec![0.0; n],
            totals: vec![0.0; n],
            stamps: vec![0; n],
            clock: 0,
        }
    }

    fn update(&mut self, idx: usize, delta: f32) {
        let elapsed = (self.clock - self.stamps[idx]) as f64;
        self.totals[idx] += elapsed * self.weights[idx] as f64;
        self.stamps[idx] = self.clock;
        self.weights[idx] += delta;
    }

    /// The current class scores of a token's features.
    fn scores<'f>(&self, feats: impl Iterator<Item = &'f u64>) -> [f32; N_CLASSES] {
        let mut scores = [0f32; N_CLASSES];
        for &f in feats {
            let b = bucket(f, self.bits) * N_CLASSES;
            for (s, w) in scores.iter_mut().zip(&self.weights[b..b + N_CLASSES]) {
                *s += w;
            }
        }
        scores
    }

    /// The perceptron update for a wrong guess: towards the truth, away from
    /// the guess, for every feature of the token.
    fn correct<'f>(&mut self, feats: impl Iterator<Item = &'f u64>, truth: Tag, guess: Tag) {
        for &f in feats {
            let b = bucket(f, self.bits) * N_CLASSES;
            self.update(b + truth.index(), 1.0);
            self.update(b + guess.index(), -1.0);
        }
    }

    /// Trains on one sentence (greedy, predicted history); returns the number
    /// of correctly predicted tokens.
    pub fn train_sentence(
        &mut self,
        feats: &[Vec<u64>],
        tokens: &[&str],
        gold: &[Tag],
        doc: &mut DocContext,
    ) -> usize {
        let extra = doc.history_features(tokens);
        let hl: Vec<u64> = tokens.iter().map(|w| lower_hash(w)).collect();
        let sh: Vec<u64> = tokens.iter().map(|w| shape_hash(w, true)).collect();
        let mut tags: Vec<Tag> = Vec::with_capacity(tokens.len());
        let mut correct = 0;
        let mut hist = [0u64; 5];
        for i in 0..tokens.len() {
            self.clock += 1;
            let p1 = i.checked_sub(1).map(|j| tags[j]);
            let p2 = i.checked_sub(2).map(|j| tags[j]);
            history_features(p1, p2, hl[i], sh[i], &mut hist);
            let (clock, dropout) = (self.clock as u64, self.dropout);
            let kept = move |f: &&u64| dropout == 0 || (mix(**f, clock) >> 54) as u32 >= dropout;
            let all = || {
                feats[i]
                    .iter()
                    .chain(&hist)
                    .chain(extra[i].iter())
                    .filter(kept)
            };
            let guess = best(&self.scores(all()), p1);
            let truth = gold[i];
            if guess == truth {
                correct += 1;
            } else {
                self.correct(all(), truth, guess);
            }
            tags.push(guess);
        }
        doc.remember(tokens, &tags);
        correct
    }

    /// The averaged weights, one per bucket and class.
    pub fn averaged(&self) -> Vec<f32> {
        (0..self.weights.len())
            .map(|i| {
                let total =
                    self.totals[i] + (self.clock - self.stamps[i]) as f64 * self.weights[i] as f64;
                (total / self.clock.max(1) as f64) as f32
            })
            .collect()
    }

    /// The mean of several trainers' averaged weights (parameter mixing:
    /// trainers of the same shape that saw the data in different orders),
    /// quantised.
    pub fn mixture(trainers: &[&Trainer]) -> Model {
        let first = trainers.first().expect("at least one trainer");
        let mut mean = first.averaged();
        for t in &trainers[1..] {
            for (m, w) in mean.iter_mut().zip(t.averaged()) {
                *m += w;
            }
        }
        let n = trainers.len() as f32;
        mean.iter_mut().for_each(|m| *m /= n);
        first.quantised(&mean)
    }

    /// 16-bit weights scaled to the largest magnitude.
    fn quantised(&self, avg: &[f32]) -> Model {
        let max = avg
            .iter()
            .fold(0f64, |m, w| m.max(w.abs() as f64))
            .max(1e-9);
        let scale = 32767.0 / max;
        let mut rows = vec![Row([0; N_CLASSES]); 1 << self.bits];
        for (row, chunk) in rows.iter_mut().zip(avg.chunks_exact(N_CLASSES)) {
            for (w, a) in row.0.iter_mut().zip(chunk) {
                *w = (*a as f64 * scale).round() as i16;
            }
        }
        Model::with_rows(self.bits, rows, self.clusters.clone())
    }
}
