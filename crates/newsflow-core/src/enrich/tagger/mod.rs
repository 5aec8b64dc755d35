//! The trained named-entity tagger: an averaged perceptron over hashed
//! features, decoding greedily left to right with BILOU tags.
//!
//! Why this design: a greedy averaged perceptron is small, needs no linear
//! algebra library, trains in a minute on CoNLL-2003 and tags hundreds of
//! thousands of tokens per second on one core, while good features carry most
//! of the accuracy (Ratinov & Roth 2009). BILOU tags (Begin, Inside, Last,
//! Unit, Outside) make greedy decoding markedly better than BIO.
//!
//! Features, hashed into `2^bits` buckets of 17 class weights:
//! - the word, lower-cased, its shape ("Xxxxx", "XX", "d.d"), prefixes and
//!   suffixes, a window of three words each side and the shapes of the
//!   words two places each side, bigrams;
//! - the previous two predicted tags, alone and with the word;
//! - lexicon membership (GeoNames places, curated people and organisations,
//!   country adjectives) with the position in the match, given names, titles
//!   ("President") and organisation suffixes ("Forum");
//! - headline capitalisation: in an all-capitals sentence, word identity is
//!   kept but shape features are replaced by a "caps sentence" marker and the
//!   lexicon is matched on title-cased words;
//! - document consistency: whether the word appears capitalised in the middle
//!   of another sentence of the same document, or lower-case anywhere in it;
//! - the token's place in a quotation, and in a dateline.
//!
//! Training ([`trainer`]) drops features at random and averages four
//! trainers into one model: +0.4 dev F1; the model then has more non-zero
//! rows (8.4 MB in memory against 3.7 MB), which costs tagging a few per cent.
//!
//! The model file is gzip-compressed 16-bit quantised weights.
//!
//! Submodules:
//! - [`tags`]: the BILOU tags, spans to and from tags, allowed transitions;
//! - [`hash`]: feature hashing (mixer, template ids, pre-hashed sets);
//! - [`features`]: the static features, in named steps;
//! - [`context`]: the document context (consistency and history features);
//! - [`cache`]: the per-thread cache of what a word type alone contributes;
//! - [`weights`]: the weight rows, the live-bucket bitmap, scoring;
//! - [`format`]: loading and saving the model file;
//! - [`trainer`]: the averaged-perceptron trainer.

mod cache;
mod context;
mod document;
mod features;
mod format;
mod hash;
mod tags;
mod trainer;
mod weights;

pub use context::DocContext;
pub use document::FirstPass;
pub use features::{gaz_code, is_caps_sentence, sentence_features, GazHit};
pub use tags::{bilou_from_spans, spans_from_bilou, Tag};
pub use trainer::Trainer;
pub use weights::Model;

use super::lexicon::Lexicon;
use crate::article::EntityType;
use features::{history_features, static_features, Prepared};
use tags::{best, close};
use weights::add_row;

/// Entity types in tag order.
pub const TYPES: [EntityType; 4] = [
    EntityType::Person,
    EntityType::Organization,
    EntityType::Location,
    EntityType::Misc,
];
/// Number of classes: O plus B/I/L/U for each type.
pub const N_CLASSES: usize = 17;

/// The default model, trained on CoNLL-2003 English (see NOTICE).
pub const DEFAULT_MODEL: &[u8] = include_bytes!("../../../../../models/ner.bin");

impl Model {
    /// Tags the sentences of one article (each with the lexicon matches on
    /// its tokens, when the caller has them): the first pass sentence by
    /// sentence, then, when the model has one, the document stage over the
    /// first pass's labels ([`document`]).
    pub fn tag_document(
        &self,
        sentences: &[&[&str]],
        lex: &Lexicon,
        pre: Option<&[Vec<GazHit>]>,
    ) -> Vec<Vec<Tag>> {
        let pre_of = |k: usize| pre.map(|p| p[k].as_slice());
        let mut doc = DocContext::new(sentences.iter().copied());
        let first: Vec<Vec<Tag>> = sentences
            .iter()
            .enumerate()
            .map(|(k, s)| self.tag(s, lex, &mut doc, pre_of(k)))
            .collect();
        let Some(second) = &self.second else {
            return first;
        };
        let agg = FirstPass::new(sentences, &first);
        let mut doc = DocContext::new(sentences.iter().copied());
        sentences
            .iter()
            .zip(&first)
            .enumerate()
            .map(|(k, (s, tags))| {
                let extra = agg.features(s, tags);
                second.tag_with(s, lex, &mut doc, pre_of(k), Some(&extra))
            })
            .collect()
    }

    /// Tags one sentence with the first pass only; sentences of a document
    /// must come in order, so the document history can inform later ones.
    pub fn tag(
        &self,
        tokens: &[&str],
        lex: &Lexicon,
        doc: &mut DocContext,
        pre: Option<&[GazHit]>,
    ) -> Vec<Tag> {
        self.tag_with(tokens, lex, doc, pre, None)
    }

    /// The document stage, if the model has one.
    pub fn second_stage(&self) -> Option<&Model> {
        self.second.as_deref()
    }

    /// This model with `second` as its document stage.
    pub fn with_second_stage(mut self, second: Model) -> Model {
        self.second = Some(std::sync::Arc::new(second));
        self
    }

    /// Tags one sentence, with `extra` features per token (the document
    /// stage's) when given.
    ///
    /// The static features of all tokens are scored first, in one pass whose
    /// weight-table loads do not wait on each other; the left-to-right pass
    /// then adds only the five features of the previous tags.
    fn tag_with(
        &self,
        tokens: &[&str],
        lex: &Lexicon,
        doc: &mut DocContext,
        pre: Option<&[GazHit]>,
        extra: Option<&[Vec<u64>]>,
    ) -> Vec<Tag> {
        let (p, mut stat) = Prepared::for_model(tokens, self);
        self.add_context_rows(&p, lex, doc, pre, &mut stat);
        if let Some(extra) = extra {
            for (acc, feats) in stat.iter_mut().zip(extra) {
                feats.iter().for_each(|&f| self.add(acc, f));
            }
        }
        for (i, (w, acc)) in tokens.iter().zip(stat.iter_mut()).enumerate() {
            doc.history_of(w, p.words[i].hl, |f| self.add(acc, f));
        }
        let tags = self.decode(&p, &stat);
        doc.remember(tokens, &tags);
        tags
    }

    /// Adds the rows of every token's context features (those the word
    /// cache cannot sum: they depend on the neighbours, the lexicon and the
    /// document) to its sums, with the rows of a token a few places ahead
    /// already on their way.
    fn add_context_rows(
        &self,
        p: &Prepared<'_>,
        lex: &Lexicon,
        doc: &DocContext,
        pre: Option<&[GazHit]>,
        stat: &mut [[i32; N_CLASSES]],
    ) {
        let n = p.tokens.len();
        let mut live: Vec<u32> = Vec::with_capacity(n * 12);
        let mut ends: Vec<usize> = Vec::with_capacity(n + 1);
        ends.push(0);
        static_features(p, lex, doc, pre, false, |_, feats| {
            live.extend(feats.iter().filter_map(|&f| self.live_index(f)));
            ends.push(live.len());
        });
        const AHEAD: usize = 2;
        let rows_of = |i: usize| &live[ends[i]..ends[i + 1]];
        for i in 0..AHEAD.min(n) {
            rows_of(i).iter().for_each(|&k| self.prefetch_index(k));
        }
        for (i, acc) in stat.iter_mut().enumerate() {
            if i + AHEAD < n {
                rows_of(i + AHEAD)
                    .iter()
                    .for_each(|&k| self.prefetch_index(k));
            }
            for &k in rows_of(i) {
                add_row(acc, &self.rows[k as usize]);
            }
        }
    }

    /// The greedy left-to-right pass: each token's static sums plus the
    /// features of the previous two tags, the best tag that may follow the
    /// previous one, and the end repaired.
    fn decode(&self, p: &Prepared<'_>, stat: &[[i32; N_CLASSES]]) -> Vec<Tag> {
        let mut tags = Vec::with_capacity(stat.len());
        let mut hist = [0u64; 5];
        let mut next = [0u64; 5];
        for (i, acc) in stat.iter().enumerate() {
            let p1 = i.checked_sub(1).map(|j| tags[j]);
            let p2 = i.checked_sub(2).map(|j| tags[j]);
            // Most tokens are O: the next token's rows for that case are
            // fetched while this one is decided.
            if let Some(w) = p.words.get(i + 1) {
                history_features(Some(Tag::O), p1, w.hl, w.short, &mut next);
                for &f in &next[2..4] {
                    self.prefetch(f);
                }
            }
            history_features(p1, p2, p.words[i].hl, p.words[i].short, &mut hist);
            let mut scores = *acc;
            for &f in &hist {
                self.add(&mut scores, f);
            }
            tags.push(best(&scores, p1));
        }
        close(&mut tags);
        tags
    }
}
