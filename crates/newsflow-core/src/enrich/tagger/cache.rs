//! The per-thread word cache: what the tagger computes for a word type alone,
//! remembered across sentences and articles.
//!
//! Most word types recur across articles, so a word's [`Facts`], the summed
//! class weights of its word-only features and what it gives each slot of
//! its neighbours' window are computed once per worker thread and model, not
//! once per token. Bounded (cleared when full; two models share a thread,
//! a third takes over the older one's cache) and a memo only: results are the same with or without it.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use super::features::{
    caps_feature, cluster_features, is_caps_sentence, list_form, lowercase, neighbour_features,
    word_features, word_list_features, Facts, Prepared, NB_OFFSETS,
};
use super::hash::{h, mix, HashedMap};
use super::weights::Model;
use super::N_CLASSES;

/// A word type as the tagger caches it: its [`Facts`] and the summed class
/// weights of its word-only features.
#[derive(Clone, Copy)]
struct WordInfo {
    facts: Facts,
    own: [i32; N_CLASSES],
    /// What the word gives a token at offset -1, +1, -2, +2, -3, +3 from it
    /// (the neighbour templates: word, shape, suffix of the next word).
    nb: [[i32; N_CLASSES]; 6],
}

/// The word types one thread has seen, for one model.
struct WordCache {
    model: u64,
    map: HashedMap<WordInfo>,
}

/// Entries kept per thread and model (about 520 bytes each).
const WORD_CACHE_MAX: usize = 1 << 14;

/// Models cached at once per thread: the two stages of one tagger tag the
/// same words in turn, so each keeps its own cache.
const MODELS_CACHED: usize = 2;

thread_local! {
    static WORD_CACHE: RefCell<[WordCache; MODELS_CACHED]> = RefCell::new(std::array::from_fn(|_| WordCache {
        model: u64::MAX,
        map: HashedMap::default(),
    }));
}

static NEXT_MODEL_ID: AtomicU64 = AtomicU64::new(0);

/// A new id distinguishing a model in the word cache.
pub(super) fn next_model_id() -> u64 {
    NEXT_MODEL_ID.fetch_add(1, Ordering::Relaxed)
}

impl WordInfo {
    /// Computes what the cache keeps of word `w` (in an all-capitals sentence
    /// or not) for `model`.
    fn new(w: &str, caps: bool, model: &Model) -> WordInfo {
        let lower = lowercase(w);
        let facts = Facts::new(w, &lower, &model.clusters);
        let mut feats = [0u64; 32];
        let mut k = 0;
        let mut push = |f| {
            feats[k] = f;
            k += 1;
        };
        word_features(w, &lower, facts.hl, facts.short, caps, &mut push);
        cluster_features(&facts, &mut push);
        word_list_features(&list_form(w, caps))
            .into_iter()
            .flatten()
            .for_each(&mut push);
        if caps {
            push(caps_feature(facts.hl));
        }
        let own = model.score(&feats[..k]);
        let mut nb = [[0; N_CLASSES]; 6];
        for (slot, sum) in nb.iter_mut().enumerate() {
            k = 0;
            neighbour_features(slot, Some(&facts), &mut |f| {
                feats[k] = f;
                k += 1;
            });
            *sum = model.score(&feats[..k]);
        }
        WordInfo { facts, own, nb }
    }
}

/// Each token's own sum plus what its neighbours (or, past the sentence's
/// ends, the model's boundary markers) give its window.
fn window_sums(infos: &[&WordInfo], model: &Model) -> Vec<[i32; N_CLASSES]> {
    let n = infos.len();
    let mut stat = Vec::with_capacity(n);
    for i in 0..n {
        let mut acc = infos[i].own;
        for (slot, &off) in NB_OFFSETS.iter().enumerate() {
            let j = i as isize + off;
            let add = if j >= 0 && (j as usize) < n {
                &infos[j as usize].nb[slot]
            } else {
                &model.edge[slot]
            };
            for (a, b) in acc.iter_mut().zip(add) {
                *a += b;
            }
        }
        stat.push(acc);
    }
    stat
}

impl<'a> Prepared<'a> {
    /// For tagging with `model`: also each token's summed word-only and
    /// neighbour features, from the per-thread cache.
    pub(super) fn for_model(
        tokens: &'a [&'a str],
        model: &Model,
    ) -> (Prepared<'a>, Vec<[i32; N_CLASSES]>) {
        let caps = is_caps_sentence(tokens);
        WORD_CACHE.with(|caches| {
            let mut caches = caches.borrow_mut();
            // This model's cache, else the other one's slot moves to the front
            // and is taken over.
            if caches[0].model != model.id {
                caches.swap(0, 1);
            }
            let c = &mut caches[0];
            if c.model != model.id || c.map.len() + tokens.len() > WORD_CACHE_MAX {
                c.map.clear();
                c.model = model.id;
            }
            let keys: Vec<u64> = tokens.iter().map(|w| mix(h(w), caps as u64)).collect();
            for (w, &key) in tokens.iter().zip(&keys) {
                c.map
                    .entry(key)
                    .or_insert_with(|| WordInfo::new(w, caps, model));
            }
            let infos: Vec<&WordInfo> = keys.iter().map(|k| &c.map[k]).collect();
            let stat = window_sums(&infos, model);
            let words = infos.iter().map(|i| i.facts).collect();
            (
                Prepared {
                    tokens,
                    caps,
                    words,
                },
                stat,
            )
        })
    }
}
