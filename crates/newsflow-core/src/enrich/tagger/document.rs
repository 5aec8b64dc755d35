//! The document stage: a second pass over an article that sees how the first
//! pass labelled the same words and names elsewhere in it.
//!
//! Why: the first pass decides each sentence from left to right and knows of
//! the rest of the article only what earlier sentences gave a word. News
//! names a club, a company or a person several times, often unambiguously
//! once ("Ajax Amsterdam", "Mr Kamal") and ambiguously elsewhere ("Ajax" in a
//! results table, "KAMAL" in a headline). Aggregating the first pass's labels
//! over the whole article and feeding them to a second tagger as features
//! (Krishnan & Manning 2006; Ratinov & Roth 2009, "two-stage prediction
//! aggregation") lets the clear mentions decide the unclear ones, later ones
//! included. The second stage is trained on first-pass labels of training
//! documents that first pass did not see (jackknifed, in
//! [`crate::training::ner`]), so it learns how far to trust them.
//!
//! Features of a token, from the first pass:
//! - its own first-pass tag and its neighbours' tags;
//! - for a capitalised word, the majority type the first pass gave its other
//!   capitalised occurrences (O included) and the set of those types, alone
//!   and with its own first-pass type;
//! - for a token inside a first-pass name, the majority type of the same
//!   name elsewhere in the article, with the token's place in the name.

use super::features::{lower_hash, starts_upper};
use super::hash::{mix, t, HashedMap};
use super::tags::{spans_from_bilou, Tag};

/// Type index of a tag, with O as 4.
fn kind(tag: Tag) -> usize {
    tag.entity_type().unwrap_or(4)
}

/// The first pass's labels of one article, aggregated.
#[derive(Debug, Default)]
pub struct FirstPass {
    /// Per capitalised word (its lower-case hash): how often each type (and
    /// O) was given to it.
    words: HashedMap<[u16; 5]>,
    /// Per name (the hash of its lower-cased words): how often each type was
    /// given to it.
    names: HashedMap<[u16; 4]>,
}

/// The hash of the name `hl[a..b]`.
fn name_hash(hl: &[u64]) -> u64 {
    hl.iter().fold(hl.len() as u64, |a, &x| mix(a, x))
}

/// The majority index of `counts` and the set of indices seen, or `None`
/// when all counts are zero.
fn majority<const N: usize>(counts: &[u16; N]) -> Option<(u64, u64)> {
    let (best, n) = counts
        .iter()
        .enumerate()
        .max_by_key(|(k, n)| (**n, N - k))?;
    if *n == 0 {
        return None;
    }
    let set = counts
        .iter()
        .enumerate()
        .fold(0u64, |a, (k, n)| a | (((*n > 0) as u64) << k));
    Some((best as u64, set))
}

impl FirstPass {
    /// Aggregates the first-pass `tags` of an article's sentences.
    pub fn new(sentences: &[&[&str]], tags: &[Vec<Tag>]) -> FirstPass {
        let mut fp = FirstPass::default();
        for (s, tags) in sentences.iter().zip(tags) {
            let hl: Vec<u64> = s.iter().map(|w| lower_hash(w)).collect();
            for ((w, &h), &tag) in s.iter().zip(&hl).zip(tags) {
                if starts_upper(w) {
                    let c = fp.words.entry(h).or_default();
                    c[kind(tag)] = c[kind(tag)].saturating_add(1);
                }
            }
            for (a, b, ty) in spans_from_bilou(tags) {
                let c = fp.names.entry(name_hash(&hl[a..b])).or_default();
                c[ty] = c[ty].saturating_add(1);
            }
        }
        fp
    }

    /// The document-stage features of each token of a sentence whose first
    /// pass gave `tags`.
    pub fn features(&self, tokens: &[&str], tags: &[Tag]) -> Vec<Vec<u64>> {
        let hl: Vec<u64> = tokens.iter().map(|w| lower_hash(w)).collect();
        let mut out: Vec<Vec<u64>> = tags
            .iter()
            .enumerate()
            .map(|(i, &tag)| {
                let at = |j: Option<usize>| {
                    j.and_then(|j| tags.get(j))
                        .map_or(99, |t: &Tag| t.index() as u64)
                };
                let own = kind(tag) as u64;
                let mut f = vec![
                    mix(t::S1, tag.index() as u64),
                    mix(t::S1_M1, at(i.checked_sub(1))),
                    mix(t::S1_P1, at(Some(i + 1))),
                ];
                if starts_upper(tokens[i]) {
                    if let Some(mut c) = self.words.get(&hl[i]).copied() {
                        c[kind(tag)] -= 1;
                        if let Some((maj, set)) = majority(&c) {
                            f.push(mix(t::AGG, maj));
                            f.push(mix(t::AGG_SET, set));
                            f.push(mix(t::AGG_OWN, mix(maj, own)));
                        }
                    }
                }
                f
            })
            .collect();
        for (a, b, ty) in spans_from_bilou(tags) {
            let Some(mut c) = self.names.get(&name_hash(&hl[a..b])).copied() else {
                continue;
            };
            c[ty] -= 1;
            let Some((maj, _)) = majority(&c) else {
                continue;
            };
            for (k, f) in out.iter_mut().enumerate().take(b).skip(a) {
                let pos = if b - a == 1 {
                    0
                } else if k == a {
                    1
                } else {
                    2
                };
                f.push(mix(t::AGG_NAME, mix(maj, mix(ty as u64, pos))));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_mentions_decide_an_ambiguous_one() {
        let s1: &[&str] = &["Ajax", "Amsterdam", "beat", "PSV", "."];
        let s2: &[&str] = &["Ajax", "2", "PSV", "1"];
        let org = 1;
        let t1 = vec![Tag::B(org), Tag::L(org), Tag::O, Tag::U(org), Tag::O];
        let t2 = vec![Tag::U(2), Tag::O, Tag::U(org), Tag::O];
        let fp = FirstPass::new(&[s1, s2], &[t1, t2.clone()]);
        let f = fp.features(s2, &t2);
        // "Ajax" elsewhere is ORG (majority 1) though this pass said LOC.
        assert!(f[0].contains(&mix(t::AGG, org as u64)));
        assert!(f[0].contains(&mix(t::AGG_OWN, mix(org as u64, 2))));
        // "PSV" as a name elsewhere is ORG.
        assert!(f[2].contains(&mix(t::AGG_NAME, mix(org as u64, mix(org as u64, 0)))));
        // A word seen once has no aggregate.
        assert!(!f[1].iter().any(|&x| x == mix(t::AGG, 4)));
        assert_eq!(f[1][0], mix(t::S1, 0));
    }

    #[test]
    fn majority_prefers_the_lower_index_on_ties() {
        assert_eq!(majority(&[0u16, 2, 2, 0, 0]), Some((1, 0b110)));
        assert_eq!(majority(&[0u16; 4]), None);
    }
}
