//! Document context: what the other sentences of the same document say about
//! a word, for the consistency and history features.
//!
//! A word capitalised at the start of a sentence or in a headline is
//! ambiguous on its own; the rest of the document often is not. Two kinds of
//! evidence are kept: which words occur lower-case, or capitalised in the
//! middle of a sentence, anywhere in the document (known before tagging), and
//! which entity types earlier sentences gave a word (filled while tagging,
//! sentence by sentence, so sentences must come in document order).

use super::features::{is_caps_sentence, lower_hash, starts_upper};
use super::hash::{h, mix, t, HashedMap, HashedSet};
use super::tags::Tag;

/// Per-document statistics for the consistency features: which words occur
/// lower-case or capitalised mid-sentence, and (filled while tagging, sentence
/// by sentence) which entity types earlier sentences gave each word.
#[derive(Debug, Default)]
pub struct DocContext {
    lower_seen: HashedSet,
    cap_mid_seen: HashedSet,
    history: HashedMap<[u16; 4]>,
}

impl DocContext {
    /// Builds the statistics from all sentences (as token strings) of a document.
    pub fn new<'a>(sentences: impl IntoIterator<Item = &'a [&'a str]>) -> DocContext {
        let mut d = DocContext::default();
        for s in sentences {
            let caps = is_caps_sentence(s);
            for (i, w) in s.iter().enumerate() {
                let first = w.chars().next();
                if first.is_some_and(char::is_lowercase) {
                    d.lower_seen.insert(h(w));
                } else if first.is_some_and(char::is_uppercase) && i > 0 && !caps {
                    d.cap_mid_seen.insert(lower_hash(w));
                }
            }
        }
        d
    }

    /// Records the entity types predicted for a sentence's tokens.
    pub fn remember(&mut self, tokens: &[&str], tags: &[Tag]) {
        for (w, t) in tokens.iter().zip(tags) {
            let Some(ty) = t.entity_type() else {
                continue;
            };
            if starts_upper(w) {
                let c = self.history.entry(lower_hash(w)).or_default();
                c[ty] = c[ty].saturating_add(1);
            }
        }
    }

    /// Whether a word (by its [`lower_hash`]) occurs lower-case somewhere in
    /// the document, and capitalised in the middle of a sentence.
    #[inline]
    pub(super) fn seen(&self, lower: u64) -> (bool, bool) {
        (
            self.lower_seen.contains(&lower),
            self.cap_mid_seen.contains(&lower),
        )
    }

    /// History features of one token (`lower` is its [`lower_hash`]): the
    /// majority type earlier sentences gave the word, and the set of types.
    pub(super) fn history_of(&self, w: &str, lower: u64, mut emit: impl FnMut(u64)) {
        if !starts_upper(w) {
            return;
        }
        let Some(c) = self.history.get(&lower) else {
            return;
        };
        if let Some((best, n)) = c.iter().enumerate().max_by_key(|(_, n)| **n) {
            if *n > 0 {
                emit(mix(t::HIST, best as u64));
            }
        }
        let seen = c
            .iter()
            .enumerate()
            .fold(0u64, |a, (k, n)| a | (((*n > 0) as u64) << k));
        emit(mix(t::HIST_ALL, seen));
    }

    /// History features of a sentence, per token.
    pub(super) fn history_features(&self, tokens: &[&str]) -> Vec<Vec<u64>> {
        tokens
            .iter()
            .map(|w| {
                let mut out = Vec::new();
                self.history_of(w, lower_hash(w), |f| out.push(f));
                out
            })
            .collect()
    }
}
