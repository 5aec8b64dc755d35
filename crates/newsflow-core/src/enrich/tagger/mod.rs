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
//!   suffixes, a window of two words each side and their shapes, bigrams;
//! - the previous two predicted tags, alone and with the word;
//! - lexicon membership (GeoNames places, curated people and organisations,
//!   country adjectives) with the position in the match, given names, titles
//!   ("President") and organisation suffixes ("Forum");
//! - headline capitalisation: in an all-capitals sentence, word identity is
//!   kept but shape features are replaced by a "caps sentence" marker and the
//!   lexicon is matched on title-cased words;
//! - document consistency: whether the word appears capitalised in the middle
//!   of another sentence of the same document, or lower-case anywhere in it.
//!
//! The model file is gzip-compressed 16-bit quantised weights.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::io::{Read, Write};

use super::lexicon::{Lexicon, Surface};
use super::words;
use crate::article::EntityType;

/// Entity types in tag order.
pub const TYPES: [EntityType; 4] = [
    EntityType::Person,
    EntityType::Organization,
    EntityType::Location,
    EntityType::Misc,
];
/// Number of classes: O plus B/I/L/U for each type.
pub const N_CLASSES: usize = 17;
/// Model files: version 1 holds every row; version 2 (written now) a bitmap
/// of the rows with a non-zero weight and then only those rows.
const MAGIC_V1: &[u8; 8] = b"NFNER\x00\x00\x01";
const MAGIC_V2: &[u8; 8] = b"NFNER\x00\x00\x02";

/// The default model, trained on CoNLL-2003 English (see NOTICE).
pub const DEFAULT_MODEL: &[u8] = include_bytes!("../../../../models/ner.bin");

/// A BILOU class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    O,
    B(usize),
    I(usize),
    L(usize),
    U(usize),
}

impl Tag {
    pub fn index(self) -> usize {
        match self {
            Tag::O => 0,
            Tag::B(t) => 1 + t * 4,
            Tag::I(t) => 2 + t * 4,
            Tag::L(t) => 3 + t * 4,
            Tag::U(t) => 4 + t * 4,
        }
    }

    pub fn from_index(i: usize) -> Tag {
        if i == 0 {
            return Tag::O;
        }
        let (t, k) = ((i - 1) / 4, (i - 1) % 4);
        [Tag::B(t), Tag::I(t), Tag::L(t), Tag::U(t)][k]
    }

    /// Whether `self` may follow `prev` (None = sentence start).
    pub fn may_follow(self, prev: Option<Tag>) -> bool {
        let open = match prev {
            Some(Tag::B(t)) | Some(Tag::I(t)) => Some(t),
            _ => None,
        };
        match (open, self) {
            (Some(t), Tag::I(u)) | (Some(t), Tag::L(u)) => t == u,
            (Some(_), _) => false,
            (None, Tag::I(_)) | (None, Tag::L(_)) => false,
            (None, _) => true,
        }
    }
}

/// BILOU tags of entity spans `(start, end, type index)` over `n` tokens.
pub fn bilou_from_spans(n: usize, spans: &[(usize, usize, usize)]) -> Vec<Tag> {
    let mut tags = vec![Tag::O; n];
    for &(s, e, t) in spans {
        if e - s == 1 {
            tags[s] = Tag::U(t);
        } else {
            tags[s] = Tag::B(t);
            for tag in &mut tags[s + 1..e - 1] {
                *tag = Tag::I(t);
            }
            tags[e - 1] = Tag::L(t);
        }
    }
    tags
}

/// Entity spans `(start, end, type index)` of a BILOU sequence (lenient:
/// an unfinished entity ends where the next one starts).
pub fn spans_from_bilou(tags: &[Tag]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    for (i, &t) in tags.iter().enumerate() {
        match t {
            Tag::U(ty) => {
                if let Some((s, oty)) = open.take() {
                    out.push((s, i, oty));
                }
                out.push((i, i + 1, ty));
            }
            Tag::B(ty) => {
                if let Some((s, oty)) = open.take() {
                    out.push((s, i, oty));
                }
                open = Some((i, ty));
            }
            Tag::I(ty) | Tag::L(ty) => {
                match open {
                    Some((_, oty)) if oty == ty => {}
                    _ => {
                        if let Some((s, oty)) = open.take() {
                            out.push((s, i, oty));
                        }
                        open = Some((i, ty));
                    }
                }
                if matches!(t, Tag::L(_)) {
                    let (s, oty) = open.take().unwrap();
                    out.push((s, i + 1, oty));
                }
            }
            Tag::O => {
                if let Some((s, oty)) = open.take() {
                    out.push((s, i, oty));
                }
            }
        }
    }
    if let Some((s, oty)) = open {
        out.push((s, tags.len(), oty));
    }
    out
}

#[inline]
fn mix(a: u64, b: u64) -> u64 {
    let x = a ^ b.rotate_left(23) ^ 0x9E37_79B9_7F4A_7C15;
    let x = (x ^ (x >> 31)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    (x ^ (x >> 29)).wrapping_mul(0x94D0_49BB_1331_11EB)
}

#[inline]
fn h(s: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(s.as_bytes())
}

/// Word shape: runs of the same class collapsed ("Putin" → "Xx", "GAZP.MM" → "X.X").
#[cfg(test)]
fn shape(w: &str, collapse: bool) -> String {
    let mut out = String::new();
    let mut last = '\0';
    for c in w.chars() {
        let k = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        if !(collapse && k == last) {
            out.push(k);
        }
        last = k;
    }
    out
}

/// Lower-cases without allocating when there is nothing to change.
fn lowercase(w: &str) -> std::borrow::Cow<'_, str> {
    if w.chars().any(char::is_uppercase) {
        std::borrow::Cow::Owned(w.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(w)
    }
}

/// Hash of [`shape`] without building the string (shapes over 32 bytes are cut).
fn shape_hash(w: &str, collapse: bool) -> u64 {
    let mut buf = [0u8; 32];
    let mut n = 0;
    let mut last = 0u8;
    for c in w.chars() {
        let k = if c.is_uppercase() {
            b'X'
        } else if c.is_lowercase() {
            b'x'
        } else if c.is_numeric() {
            b'd'
        } else if c.is_ascii() {
            c as u8
        } else {
            b'?'
        };
        if !(collapse && k == last) && n < buf.len() {
            buf[n] = k;
            n += 1;
        }
        last = k;
    }
    xxhash_rust::xxh3::xxh3_64(&buf[..n])
}

/// Template ids, mixed into every feature hash.
mod t {
    pub const BIAS: u64 = 1;
    pub const LOWER: u64 = 2;
    pub const SHAPE: u64 = 3;
    pub const SHORT: u64 = 4;
    pub const PRE: u64 = 5;
    pub const SUF: u64 = 6;
    pub const W_M1: u64 = 7;
    pub const W_P1: u64 = 8;
    pub const W_M2: u64 = 9;
    pub const W_P2: u64 = 10;
    pub const S_M1: u64 = 11;
    pub const S_P1: u64 = 12;
    pub const BI_L: u64 = 13;
    pub const BI_R: u64 = 14;
    pub const S3: u64 = 15;
    pub const GAZ: u64 = 16;
    pub const GAZ_M1: u64 = 17;
    pub const GAZ_P1: u64 = 18;
    pub const LIST: u64 = 19;
    pub const DOC: u64 = 20;
    pub const CAPS: u64 = 21;
    pub const FIRST: u64 = 22;
    pub const P1: u64 = 23;
    pub const P2: u64 = 24;
    pub const P1W: u64 = 25;
    pub const P1S: u64 = 26;
    pub const P12: u64 = 27;
    pub const WORD: u64 = 28;
    pub const SUF_P1: u64 = 29;
    pub const HIST: u64 = 30;
    pub const RUN: u64 = 31;
    pub const W_M3: u64 = 32;
    pub const W_P3: u64 = 33;
    pub const RUN_ID: u64 = 34;
    pub const HIST_ALL: u64 = 35;
}

/// A hasher for keys that already are xxh3 hashes: sets of word hashes need
/// no second hashing.
#[derive(Default)]
struct PreHashed(u64);

impl std::hash::Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = mix(self.0, b as u64);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type HashedSet = HashSet<u64, BuildHasherDefault<PreHashed>>;
type HashedMap<V> = HashMap<u64, V, BuildHasherDefault<PreHashed>>;

/// Hash of the lower-cased word ([`lowercase`]), without allocating for
/// ASCII words.
fn lower_hash(w: &str) -> u64 {
    if w.len() <= 64 && w.is_ascii() {
        let mut buf = [0u8; 64];
        let b = &mut buf[..w.len()];
        b.copy_from_slice(w.as_bytes());
        b.make_ascii_lowercase();
        xxhash_rust::xxh3::xxh3_64(b)
    } else {
        h(&lowercase(w))
    }
}

fn starts_upper(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

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
            let ty = match *t {
                Tag::B(t) | Tag::I(t) | Tag::L(t) | Tag::U(t) => t,
                Tag::O => continue,
            };
            if starts_upper(w) {
                let c = self.history.entry(lower_hash(w)).or_default();
                c[ty] = c[ty].saturating_add(1);
            }
        }
    }

    /// History features of one token (`lower` is its [`lower_hash`]): the
    /// majority type earlier sentences gave the word, and the set of types.
    fn history_of(&self, w: &str, lower: u64, mut emit: impl FnMut(u64)) {
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
    fn history_features(&self, tokens: &[&str]) -> Vec<Vec<u64>> {
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

/// True when most letters of the sentence are upper case (a headline):
/// at least six upper-case letters and under one lower-case letter per five.
pub fn is_caps_sentence(tokens: &[&str]) -> bool {
    // Letters never outnumber bytes, so `low * 5 < up <= bytes - low` needs
    // `low * 6 < bytes`: once the lower-case letters reach a sixth of the
    // bytes the answer is no, which in running text is a few words in.
    let bytes: usize = tokens.iter().map(|w| w.len()).sum();
    let (mut up, mut low) = (0, 0);
    for w in tokens {
        if low * 6 >= bytes {
            return false;
        }
        if w.is_ascii() {
            for b in w.bytes() {
                up += b.is_ascii_uppercase() as usize;
                low += b.is_ascii_lowercase() as usize;
            }
            continue;
        }
        for c in w.chars() {
            if c.is_uppercase() {
                up += 1;
            } else if c.is_lowercase() {
                low += 1;
            }
        }
    }
    up >= 6 && low * 5 < up
}

fn title_case(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    for (i, c) in w.chars().enumerate() {
        if i == 0 {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// A lexicon match over a token range `[start, end)` with its type code.
pub type GazHit = (usize, usize, u64);

/// The feature code of a lexicon match: entity type, adjective or ticker.
pub fn gaz_code(lex: &Lexicon, m: &super::lexicon::LexMatch) -> u64 {
    match m.surface {
        Surface::Adjective => 5,
        Surface::Ticker => 6,
        Surface::Name => 1 + lex.entries[m.entry].entity_type as u64,
    }
}

/// What the context templates read of one word: its lower-case hash, short
/// shape and the hash of its last two lower-case characters, and whether it
/// is a title or an organisation suffix (read by its neighbours' list
/// features; kept here so the word cache answers them).
#[derive(Clone, Copy)]
struct Facts {
    hl: u64,
    short: u64,
    suf2: u64,
    title: bool,
    org_suffix: bool,
}

impl Facts {
    fn new(w: &str, lower: &str) -> Facts {
        let cut = lower.char_indices().rev().nth(1).map_or(0, |(b, _)| b);
        Facts {
            hl: h(lower),
            short: shape_hash(w, true),
            suf2: h(&lower[cut..]),
            title: words::is_title(w.trim_end_matches('.')),
            org_suffix: words::is_org_suffix(w),
        }
    }
}

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

/// Offsets of the neighbour templates, in [`WordInfo::nb`] order.
const NB_OFFSETS: [isize; 6] = [-1, 1, -2, 2, -3, 3];

/// The neighbour features a word at `NB_OFFSETS[k]` gives (`None` past the
/// sentence's ends, where the boundary markers stand in).
fn neighbour_features(k: usize, w: Option<&Facts>, f: &mut impl FnMut(u64)) {
    let (hl, short) = match w {
        Some(w) => (w.hl, w.short),
        None if NB_OFFSETS[k] < 0 => (h("<s>"), h("<s>")),
        None => (h("</s>"), h("</s>")),
    };
    match k {
        0 => {
            f(mix(t::W_M1, hl));
            f(mix(t::S_M1, short));
        }
        1 => {
            f(mix(t::W_P1, hl));
            f(mix(t::S_P1, short));
            if let Some(w) = w {
                f(mix(t::SUF_P1, w.suf2));
            }
        }
        2 => f(mix(t::W_M2, hl)),
        3 => f(mix(t::W_P2, hl)),
        4 => f(mix(t::W_M3, hl)),
        _ => f(mix(t::W_P3, hl)),
    }
}

/// The features of a word alone (identity, shape, prefixes, suffixes); in an
/// all-capitals sentence the shape is the "caps sentence" marker.
fn word_features(w: &str, lw: &str, hl: u64, short: u64, caps: bool, f: &mut impl FnMut(u64)) {
    f(mix(t::BIAS, 0));
    f(mix(t::LOWER, hl));
    f(mix(t::WORD, h(w)));
    f(mix(
        t::SHAPE,
        if caps {
            h("CAPS")
        } else {
            shape_hash(w, false)
        },
    ));
    f(mix(t::SHORT, short));
    if lw.is_ascii() {
        let nc = lw.len();
        for k in 1..=4.min(nc) {
            f(mix(t::PRE + 100 * k as u64, h(&lw[..k])));
        }
        for k in 1..=5.min(nc) {
            f(mix(t::SUF + 100 * k as u64, h(&lw[nc - k..])));
        }
    } else {
        let nc = lw.chars().count();
        let mut pre_end = lw.char_indices().map(|(b, _)| b).skip(1);
        for k in 1..=4.min(nc) {
            let end = pre_end.next().unwrap_or(lw.len());
            f(mix(t::PRE + 100 * k as u64, h(&lw[..end])));
        }
        for (k, (b, _)) in lw.char_indices().rev().take(5).enumerate() {
            f(mix(t::SUF + 100 * (k + 1) as u64, h(&lw[b..])));
        }
    }
}

/// How a word is looked up in the word lists: as is, or title-cased in an
/// all-capitals sentence (`PUTIN` as `Putin`).
fn list_form(w: &str, caps: bool) -> std::borrow::Cow<'_, str> {
    if caps {
        std::borrow::Cow::Owned(title_case(w))
    } else {
        std::borrow::Cow::Borrowed(w)
    }
}

/// The list features of a word alone (in its [`list_form`]): a title, an
/// organisation suffix, a common word, a calendar word.
fn word_list_features(tc: &str) -> [Option<u64>; 4] {
    let bare = tc.trim_end_matches('.');
    [
        words::is_title(bare).then(|| mix(t::LIST, 2)),
        words::is_org_suffix(tc).then(|| mix(t::LIST, 4)),
        words::is_common_word(tc).then(|| mix(t::LIST, 6)),
        words::is_calendar_word(bare).then(|| mix(t::LIST, 7)),
    ]
}

/// The all-capitals sentence's word identity feature.
fn caps_feature(lower_hash: u64) -> u64 {
    mix(t::CAPS, lower_hash)
}

/// Most word types recur across articles, so what the tagger computes for a
/// word alone is remembered per worker thread (bounded; cleared when full or
/// when another model tags). A memo only: results are the same with or
/// without it.
struct WordCache {
    model: u64,
    map: HashedMap<WordInfo>,
}

/// Entries kept per thread (about 520 bytes each).
const WORD_CACHE_MAX: usize = 1 << 14;

thread_local! {
    static WORD_CACHE: std::cell::RefCell<WordCache> = std::cell::RefCell::new(WordCache {
        model: u64::MAX,
        map: HashedMap::default(),
    });
}

static NEXT_MODEL_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn next_model_id() -> u64 {
    NEXT_MODEL_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// A sentence's tokens with their [`Facts`].
struct Prepared<'a> {
    tokens: &'a [&'a str],
    caps: bool,
    words: Vec<Facts>,
}

impl<'a> Prepared<'a> {
    /// For training: every feature is listed, nothing summed.
    fn new(tokens: &'a [&'a str]) -> Prepared<'a> {
        Prepared {
            tokens,
            caps: is_caps_sentence(tokens),
            words: tokens
                .iter()
                .map(|w| Facts::new(w, &lowercase(w)))
                .collect(),
        }
    }

    /// For tagging with `model`: also each token's summed word-only and
    /// neighbour features, from the per-thread cache.
    fn for_model(tokens: &'a [&'a str], model: &Model) -> (Prepared<'a>, Vec<[i32; N_CLASSES]>) {
        let caps = is_caps_sentence(tokens);
        let n = tokens.len();
        WORD_CACHE.with(|c| {
            let mut c = c.borrow_mut();
            if c.model != model.id || c.map.len() + n > WORD_CACHE_MAX {
                c.map.clear();
                c.model = model.id;
            }
            let keys: Vec<u64> = tokens.iter().map(|w| mix(h(w), caps as u64)).collect();
            for (w, &key) in tokens.iter().zip(&keys) {
                if c.map.contains_key(&key) {
                    continue;
                }
                let lower = lowercase(w);
                let facts = Facts::new(w, &lower);
                let mut feats = [0u64; 24];
                let mut k = 0;
                let mut push = |f| {
                    feats[k] = f;
                    k += 1;
                };
                word_features(w, &lower, facts.hl, facts.short, caps, &mut push);
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
                c.map.insert(key, WordInfo { facts, own, nb });
            }
            let infos: Vec<&WordInfo> = keys.iter().map(|k| &c.map[k]).collect();
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

/// Static (tag-independent) features of every token of a sentence. `pre`
/// may carry lexicon matches already found on the original text (the
/// service has them); without it, or in an all-capitals sentence, the
/// lexicon is matched on the tokens joined by spaces.
pub fn sentence_features(
    tokens: &[&str],
    lex: &Lexicon,
    doc: &DocContext,
    pre: Option<&[GazHit]>,
) -> Vec<Vec<u64>> {
    let p = Prepared::new(tokens);
    let mut out = vec![Vec::with_capacity(48); tokens.len()];
    static_features(&p, lex, doc, pre, true, |i, f| out[i].extend_from_slice(f));
    out
}

/// Lexicon matches of a sentence as token ranges.
fn gaz_hits(p: &Prepared<'_>, lex: &Lexicon, pre: Option<&[GazHit]>) -> Vec<GazHit> {
    let (tokens, caps) = (p.tokens, p.caps);
    if let (Some(pre), false) = (pre, caps) {
        return pre.to_vec();
    }
    // Lexicon matches over the sentence joined by spaces.
    let mut hits = Vec::new();
    let mut joined = String::new();
    let mut starts = Vec::with_capacity(tokens.len());
    for w in tokens {
        if !joined.is_empty() {
            joined.push(' ');
        }
        starts.push(joined.len());
        if caps && w.chars().count() > 1 && w.chars().all(|c| !c.is_lowercase()) {
            joined.push_str(&title_case(w));
        } else {
            joined.push_str(w);
        }
    }
    for m in lex.find(&joined) {
        let (Ok(a), b) = (
            starts.binary_search(&m.start),
            starts.partition_point(|&s| s < m.end),
        ) else {
            continue;
        };
        let last_end = starts[b - 1] + tokens[b - 1].len();
        if last_end != m.end && !(caps && last_end >= m.end) {
            continue;
        }
        hits.push((a, b, gaz_code(lex, &m)));
    }
    hits
}

/// Calls `emit(token, features)` with the static features of each token,
/// in token order; the word-only ([`word_features`]) and neighbour ones
/// ([`neighbour_features`]) only `with_word` (tagging has them summed).
fn static_features(
    p: &Prepared<'_>,
    lex: &Lexicon,
    doc: &DocContext,
    pre: Option<&[GazHit]>,
    with_word: bool,
    mut emit: impl FnMut(usize, &[u64]),
) {
    let tokens = p.tokens;
    let n = tokens.len();
    let caps = p.caps;
    let hl: Vec<u64> = p.words.iter().map(|w| w.hl).collect();
    let short: Vec<u64> = p.words.iter().map(|w| w.short).collect();
    let (hl, short) = (&hl, &short);

    // Lexicon codes per token (a token may sit in several matches), as
    // `gaz[gaz_at[k]..gaz_at[k + 1]]`.
    let mut per_token: Vec<(usize, u64)> = Vec::new();
    for (a, b, ty) in gaz_hits(p, lex, pre) {
        for k in a..b {
            let pos = if b - a == 1 {
                0
            } else if k == a {
                1
            } else if k == b - 1 {
                3
            } else {
                2
            };
            per_token.push((k, mix(ty, pos)));
        }
    }
    per_token.sort_by_key(|&(k, _)| k);
    let mut gaz_at = vec![0usize; n + 1];
    for &(k, _) in &per_token {
        gaz_at[k + 1] += 1;
    }
    for k in 0..n {
        gaz_at[k + 1] += gaz_at[k];
    }
    let gaz = |k: usize| per_token[gaz_at[k]..gaz_at[k + 1]].iter().map(|&(_, g)| g);

    // Position in a run of capitalised words, and the run's length.
    let mut run_feat = vec![None; n];
    if !caps {
        let mut i = 0;
        while i < n {
            if !starts_upper(tokens[i]) {
                i += 1;
                continue;
            }
            let mut j = i;
            while j + 1 < n && starts_upper(tokens[j + 1]) {
                j += 1;
            }
            let len = (j - i + 1).min(4) as u64;
            let run_id = hl[i..=j].iter().fold(0u64, |a, &x| mix(a, x));
            for (k, slot) in run_feat.iter_mut().enumerate().take(j + 1).skip(i) {
                let pos = if i == j {
                    0
                } else if k == i {
                    1
                } else if k == j {
                    3
                } else {
                    2
                };
                *slot = Some((mix(t::RUN, len * 8 + pos), mix(t::RUN_ID, mix(run_id, pos))));
            }
            i = j + 1;
        }
    }
    let bos = h("<s>");
    let eos = h("</s>");
    let at = |v: &[u64], i: isize| -> u64 {
        if i < 0 {
            bos
        } else if i as usize >= n {
            eos
        } else {
            v[i as usize]
        }
    };
    let mut buf: Vec<u64> = Vec::with_capacity(64);
    for i in 0..n {
        let w = tokens[i];
        let ii = i as isize;
        buf.clear();
        let mut f = |x: u64| buf.push(x);
        if with_word {
            let facts = &p.words[i];
            word_features(w, &lowercase(w), facts.hl, facts.short, caps, &mut f);
        }
        if with_word {
            f(mix(t::W_M1, at(hl, ii - 1)));
            f(mix(t::W_P1, at(hl, ii + 1)));
            f(mix(t::W_M2, at(hl, ii - 2)));
            f(mix(t::W_P2, at(hl, ii + 2)));
            f(mix(t::W_M3, at(hl, ii - 3)));
            f(mix(t::W_P3, at(hl, ii + 3)));
            f(mix(t::S_M1, at(short, ii - 1)));
            f(mix(t::S_P1, at(short, ii + 1)));
        }
        f(mix(t::BI_L, mix(at(hl, ii - 1), hl[i])));
        f(mix(t::BI_R, mix(hl[i], at(hl, ii + 1))));
        f(mix(
            t::S3,
            mix(mix(at(short, ii - 1), short[i]), at(short, ii + 1)),
        ));
        if with_word && i + 1 < n {
            f(mix(t::SUF_P1, p.words[i + 1].suf2));
        }
        for g in gaz(i) {
            f(mix(t::GAZ, g));
            f(mix(t::GAZ, mix(g, short[i])));
        }
        if i > 0 {
            for g in gaz(i - 1) {
                f(mix(t::GAZ_M1, g));
            }
        }
        if i + 1 < n {
            for g in gaz(i + 1) {
                f(mix(t::GAZ_P1, g));
            }
        }
        let tc = list_form(w, caps);
        // The lists that look at this word alone are in the word cache.
        let [title, org, common, calendar] = if with_word {
            word_list_features(&tc)
        } else {
            [None; 4]
        };
        if lex.is_given_name(&tc) {
            f(mix(t::LIST, 1));
        }
        title.map(&mut f);
        if i > 0 && p.words[i - 1].title {
            f(mix(t::LIST, 3));
        }
        org.map(&mut f);
        if i + 1 < n && p.words[i + 1].org_suffix {
            f(mix(t::LIST, 5));
        }
        common.map(&mut f);
        calendar.map(&mut f);
        if starts_upper(w) {
            let dl = doc.lower_seen.contains(&hl[i]);
            let dc = doc.cap_mid_seen.contains(&hl[i]);
            f(mix(
                t::DOC,
                (dl as u64) | ((dc as u64) << 1) | (((i == 0) as u64) << 2) | ((caps as u64) << 3),
            ));
        }
        if with_word && caps {
            f(caps_feature(hl[i]));
        }
        if let Some((r, id)) = run_feat[i] {
            f(r);
            f(mix(r, short[i]));
            f(id);
        }
        if i == 0 {
            f(mix(t::FIRST, short[i]));
        }
        emit(i, &buf);
    }
}

/// Tag-dependent features of token `i` given the two previous tags.
#[inline]
fn history_features(
    p1: Option<Tag>,
    p2: Option<Tag>,
    lower_hash: u64,
    short_shape: u64,
    out: &mut [u64; 5],
) {
    let a = p1.map_or(99, |t| t.index() as u64);
    let b = p2.map_or(99, |t| t.index() as u64);
    out[0] = mix(t::P1, a);
    out[1] = mix(t::P2, b);
    out[2] = mix(t::P1W, mix(a, lower_hash));
    out[3] = mix(t::P1S, mix(a, short_shape));
    out[4] = mix(t::P12, mix(a, b));
}

/// One bucket's class weights (34 bytes: the table stays small enough for
/// the caches; padding rows to a cache line measured slower).
#[derive(Clone, Copy)]
struct Row([i16; N_CLASSES]);

/// 64 buckets of the hash table: which of them have a row, and where the
/// first of those rows is in [`Model::rows`].
#[derive(Clone, Copy, Default)]
struct Block {
    live: u64,
    base: u32,
}

/// A trained model.
///
/// Features hash to `2^bits` buckets, but about two thirds of the buckets
/// have only zero weights. Only the others have a row, stored in bucket
/// order; a bitmap with running counts (64 KiB, stays in the caches) says
/// whether a bucket has a row and which. Empty buckets are then neither
/// fetched nor added, and the rows take a third of the memory (2.8 MB for
/// the default model), which leaves the caches to the rest of the pipeline.
#[derive(Clone)]
pub struct Model {
    bits: u32,
    /// `2^bits / 64` blocks.
    blocks: Vec<Block>,
    /// The rows of the live buckets, in bucket order.
    rows: Vec<Row>,
    /// Distinguishes models in the per-thread word cache.
    id: u64,
    /// The neighbour features past a sentence's ends, summed per slot.
    edge: [[i32; N_CLASSES]; 6],
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model").field("bits", &self.bits).finish()
    }
}

#[inline]
fn bucket(feature: u64, bits: u32) -> usize {
    (feature >> (64 - bits)) as usize
}

/// Adds one bucket's class weights to a score vector.
#[inline]
fn add_row(acc: &mut [i32; N_CLASSES], row: &Row) {
    for (o, &w) in acc.iter_mut().zip(&row.0) {
        *o += w as i32;
    }
}

/// The best valid class for a score vector.
fn best<T: PartialOrd + Copy>(scores: &[T; N_CLASSES], prev: Option<Tag>) -> Tag {
    let mut best: Option<(usize, T)> = None;
    for (c, &s) in scores.iter().enumerate() {
        if !Tag::from_index(c).may_follow(prev) {
            continue;
        }
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((c, s));
        }
    }
    Tag::from_index(best.map_or(0, |(c, _)| c))
}

/// Repairs a sequence ending inside an entity.
fn close(tags: &mut [Tag]) {
    if let Some(last) = tags.last_mut() {
        *last = match *last {
            Tag::B(t) => Tag::U(t),
            Tag::I(t) => Tag::L(t),
            other => other,
        };
    }
}

impl Model {
    /// A model from one row per bucket (`2^bits` rows).
    fn with_rows(bits: u32, dense: Vec<Row>) -> Model {
        debug_assert_eq!(dense.len(), 1 << bits);
        let mut live = vec![0u64; dense.len().div_ceil(64)];
        let mut rows = Vec::new();
        for (b, row) in dense.iter().enumerate() {
            if row.0.iter().any(|&w| w != 0) {
                live[b / 64] |= 1 << (b % 64);
                rows.push(*row);
            }
        }
        Model::compact(bits, &live, rows)
    }

    /// A model from the live-bucket bitmap and the rows of those buckets.
    fn compact(bits: u32, live: &[u64], rows: Vec<Row>) -> Model {
        let mut base = 0u32;
        let blocks = live
            .iter()
            .map(|&live| {
                let b = Block { live, base };
                base += live.count_ones();
                b
            })
            .collect();
        let mut model = Model {
            bits,
            blocks,
            rows,
            id: next_model_id(),
            edge: [[0; N_CLASSES]; 6],
        };
        for slot in 0..model.edge.len() {
            let mut feats = Vec::new();
            neighbour_features(slot, None, &mut |f| feats.push(f));
            model.edge[slot] = model.score(&feats);
        }
        model
    }

    /// The index in [`Model::rows`] of a feature's row, or `None` when all
    /// its weights are zero (most features of a sentence: unseen word pairs
    /// hash to empty buckets).
    #[inline]
    fn live_index(&self, feature: u64) -> Option<u32> {
        let b = bucket(feature, self.bits);
        let block = self.blocks[b / 64];
        let bit = 1u64 << (b % 64);
        (block.live & bit != 0).then(|| block.base + (block.live & (bit - 1)).count_ones())
    }

    /// The row of a feature, or `None` when all its weights are zero.
    #[inline]
    fn live_row(&self, feature: u64) -> Option<&Row> {
        self.live_index(feature).map(|k| &self.rows[k as usize])
    }

    /// Asks the memory system for row `k` (both ends: a row may straddle two
    /// cache lines) ahead of use.
    #[inline]
    fn prefetch_index(&self, k: u32) {
        let row = self.rows.as_ptr().wrapping_add(k as usize) as *const u8;
        super::prefetch(row);
        super::prefetch(row.wrapping_add(std::mem::size_of::<Row>() - 1));
    }

    /// Sums the class weights of a token's features.
    #[inline]
    fn score(&self, feats: &[u64]) -> [i32; N_CLASSES] {
        // Ask for every row first: the loads then overlap instead of queueing
        // behind the additions (the table is larger than the caches close to
        // the core).
        for &f in feats {
            self.prefetch(f);
        }
        let mut acc = [0i32; N_CLASSES];
        for &f in feats {
            self.add(&mut acc, f);
        }
        acc
    }

    /// Adds a feature's class weights to a score vector.
    #[inline]
    fn add(&self, acc: &mut [i32; N_CLASSES], feature: u64) {
        if let Some(row) = self.live_row(feature) {
            add_row(acc, row);
        }
    }

    /// Asks the memory system for a feature's row, if it has one.
    #[inline]
    fn prefetch(&self, feature: u64) {
        if let Some(k) = self.live_index(feature) {
            self.prefetch_index(k);
        }
    }

    /// Tags one sentence; sentences of a document must come in order, so the
    /// document history can inform later ones.
    ///
    /// The static features of all tokens are scored first, in one pass whose
    /// weight-table loads do not wait on each other; the left-to-right pass
    /// then adds only the five features of the previous tags.
    pub fn tag(
        &self,
        tokens: &[&str],
        lex: &Lexicon,
        doc: &mut DocContext,
        pre: Option<&[GazHit]>,
    ) -> Vec<Tag> {
        let (p, mut stat) = Prepared::for_model(tokens, self);
        // The rows of every token's context features, then their sums with
        // the rows of a token a few places ahead already on their way.
        let mut live: Vec<u32> = Vec::with_capacity(tokens.len() * 12);
        let mut ends: Vec<usize> = Vec::with_capacity(tokens.len() + 1);
        ends.push(0);
        static_features(&p, lex, doc, pre, false, |_, feats| {
            live.extend(feats.iter().filter_map(|&f| self.live_index(f)));
            ends.push(live.len());
        });
        const AHEAD: usize = 2;
        let rows_of = |i: usize| &live[ends[i]..ends[i + 1]];
        for i in 0..AHEAD.min(tokens.len()) {
            rows_of(i).iter().for_each(|&k| self.prefetch_index(k));
        }
        for (i, acc) in stat.iter_mut().enumerate() {
            if i + AHEAD < tokens.len() {
                rows_of(i + AHEAD)
                    .iter()
                    .for_each(|&k| self.prefetch_index(k));
            }
            for &k in rows_of(i) {
                add_row(acc, &self.rows[k as usize]);
            }
        }
        for (i, (w, acc)) in tokens.iter().zip(stat.iter_mut()).enumerate() {
            doc.history_of(w, p.words[i].hl, |f| self.add(acc, f));
        }
        let mut tags = Vec::with_capacity(tokens.len());
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
        doc.remember(tokens, &tags);
        tags
    }

    /// Loads a model file: gzip of magic, `bits` (u32), and for version 2
    /// the live-bucket bitmap (`2^bits / 64` u64) followed by the live rows,
    /// for version 1 every row; all little-endian, weights i16.
    pub fn load(bytes: &[u8]) -> Result<Model, String> {
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut raw)
            .map_err(|e| format!("not a gzip model file: {e}"))?;
        if raw.len() < 12 || (&raw[..8] != MAGIC_V1 && &raw[..8] != MAGIC_V2) {
            return Err("not a newsflow NER model (bad magic)".into());
        }
        let bits = u32::from_le_bytes(raw[8..12].try_into().unwrap());
        if !(10..=26).contains(&bits) {
            return Err(format!("bad hash size {bits}"));
        }
        let buckets = 1usize << bits;
        let mut body = &raw[12..];
        let (live, n_rows) = if &raw[..8] == MAGIC_V2 {
            let words = buckets / 64;
            if body.len() < words * 8 {
                return Err(format!("expected a {}-byte bucket bitmap", words * 8));
            }
            let live: Vec<u64> = body[..words * 8]
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
                .collect();
            body = &body[words * 8..];
            let n = live.iter().map(|w| w.count_ones() as usize).sum();
            (Some(live), n)
        } else {
            (None, buckets)
        };
        if body.len() != n_rows * N_CLASSES * 2 {
            return Err(format!(
                "expected {} weight bytes, found {}",
                n_rows * N_CLASSES * 2,
                body.len()
            ));
        }
        let rows: Vec<Row> = body
            .chunks_exact(2 * N_CLASSES)
            .map(|chunk| {
                let mut row = Row([0; N_CLASSES]);
                for (w, c) in row.0.iter_mut().zip(chunk.chunks_exact(2)) {
                    *w = i16::from_le_bytes([c[0], c[1]]);
                }
                row
            })
            .collect();
        Ok(match live {
            Some(live) => Model::compact(bits, &live, rows),
            None => Model::with_rows(bits, rows),
        })
    }

    /// Serialises the model (version 2).
    pub fn save(&self) -> Vec<u8> {
        let mut raw =
            Vec::with_capacity(12 + self.blocks.len() * 8 + self.rows.len() * N_CLASSES * 2);
        raw.extend_from_slice(MAGIC_V2);
        raw.extend_from_slice(&self.bits.to_le_bytes());
        for block in &self.blocks {
            raw.extend_from_slice(&block.live.to_le_bytes());
        }
        for row in &self.rows {
            for w in &row.0 {
                raw.extend_from_slice(&w.to_le_bytes());
            }
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&raw).expect("in-memory write");
        gz.finish().expect("in-memory write")
    }
}

/// Averaged-perceptron training state.
pub struct Trainer {
    bits: u32,
    weights: Vec<f32>,
    totals: Vec<f64>,
    stamps: Vec<u32>,
    clock: u32,
}

impl Trainer {
    pub fn new(bits: u32) -> Trainer {
        let n = (1usize << bits) * N_CLASSES;
        Trainer {
            bits,
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
            let mut scores = [0f32; N_CLASSES];
            for &f in feats[i].iter().chain(&hist).chain(extra[i].iter()) {
                let b = bucket(f, self.bits) * N_CLASSES;
                for (s, w) in scores.iter_mut().zip(&self.weights[b..b + N_CLASSES]) {
                    *s += w;
                }
            }
            let guess = best(&scores, p1);
            let truth = gold[i];
            if guess == truth {
                correct += 1;
            } else {
                for &f in feats[i].iter().chain(&hist).chain(extra[i].iter()) {
                    let b = bucket(f, self.bits) * N_CLASSES;
                    self.update(b + truth.index(), 1.0);
                    self.update(b + guess.index(), -1.0);
                }
            }
            tags.push(guess);
        }
        doc.remember(tokens, &tags);
        correct
    }

    /// The averaged, quantised model.
    pub fn finish(&self) -> Model {
        let avg: Vec<f64> = (0..self.weights.len())
            .map(|i| {
                let total =
                    self.totals[i] + (self.clock - self.stamps[i]) as f64 * self.weights[i] as f64;
                total / self.clock.max(1) as f64
            })
            .collect();
        let max = avg.iter().fold(0f64, |m, w| m.max(w.abs())).max(1e-9);
        let scale = 32767.0 / max;
        let mut rows = vec![Row([0; N_CLASSES]); 1 << self.bits];
        for (row, chunk) in rows.iter_mut().zip(avg.chunks_exact(N_CLASSES)) {
            for (w, a) in row.0.iter_mut().zip(chunk) {
                *w = (a * scale).round() as i16;
            }
        }
        Model::with_rows(self.bits, rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain count that [`is_caps_sentence`]'s early exit must agree with.
    fn caps_by_count(tokens: &[&str]) -> bool {
        let text: String = tokens.concat();
        let up = text.chars().filter(|c| c.is_uppercase()).count();
        let low = text.chars().filter(|c| c.is_lowercase()).count();
        up >= 6 && low * 5 < up
    }

    #[test]
    fn caps_sentences() {
        assert!(is_caps_sentence(&[
            "PUTIN", "MEETS", "RAISI", "IN", "TEHRAN"
        ]));
        assert!(is_caps_sentence(&["ÉTATS", "UNIS", "x"]));
        assert!(!is_caps_sentence(&[
            "Putin", "meets", "Raisi", "in", "Tehran"
        ]));
        assert!(!is_caps_sentence(&["UN", "EU"]));
        assert!(is_caps_sentence(&["NATO", "US"]));
        assert!(!is_caps_sentence(&[]));
    }

    proptest::proptest! {
        #[test]
        fn caps_sentence_early_exit_agrees_with_the_count(
            // Capitals with some lower case: both answers are common.
            tokens in proptest::collection::vec("[A-ZÀÉÖ0-9.,-]{0,8}|[a-zàéö]{0,3}|[A-Za-z]{1,6}", 0..24)
        ) {
            let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
            proptest::prop_assert_eq!(is_caps_sentence(&refs), caps_by_count(&refs));
        }
    }

    #[test]
    fn bilou_round_trip_and_constraints() {
        let spans = vec![(0, 2, 0), (3, 4, 2), (5, 8, 1)];
        let tags = bilou_from_spans(9, &spans);
        assert_eq!(tags[0], Tag::B(0));
        assert_eq!(tags[1], Tag::L(0));
        assert_eq!(tags[3], Tag::U(2));
        assert_eq!(tags[6], Tag::I(1));
        assert_eq!(spans_from_bilou(&tags), spans);
        for i in 0..N_CLASSES {
            assert_eq!(Tag::from_index(i).index(), i);
        }
        assert!(!Tag::I(0).may_follow(None));
        assert!(!Tag::L(1).may_follow(Some(Tag::B(0))));
        assert!(Tag::L(0).may_follow(Some(Tag::I(0))));
        assert!(!Tag::O.may_follow(Some(Tag::B(0))));
    }

    #[test]
    fn shapes() {
        assert_eq!(shape("Putin", true), "Xx");
        assert_eq!(shape("GAZP.MM", true), "X.X");
        assert_eq!(shape("1996-08-22", true), "d-d-d");
        assert_eq!(shape("Ab1", false), "Xxd");
        for w in ["Putin", "GAZP.MM", "1996-08-22", "al-Assad"] {
            assert_eq!(shape_hash(w, true), h(&shape(w, true)), "{w}");
            assert_eq!(shape_hash(w, false), h(&shape(w, false)), "{w}");
        }
    }

    /// A small dense table with a few non-zero rows, as training makes it.
    fn sparse_rows(bits: u32) -> Vec<Row> {
        let mut rows = vec![Row([0; N_CLASSES]); 1 << bits];
        for (k, b) in [0usize, 1, 63, 64, 65, 500, (1 << bits) - 1]
            .into_iter()
            .enumerate()
        {
            rows[b].0[k % N_CLASSES] = 100 * (k as i16 + 1) - 350;
            rows[b].0[16] = -7;
        }
        rows
    }

    #[test]
    fn empty_buckets_read_as_absent_and_live_ones_as_their_row() {
        let bits = 10;
        let dense = sparse_rows(bits);
        let m = Model::with_rows(bits, dense.clone());
        assert_eq!(m.rows.len(), 7);
        for (b, row) in dense.iter().enumerate() {
            let f = (b as u64) << (64 - bits);
            match m.live_row(f) {
                Some(r) => assert_eq!(r.0, row.0, "bucket {b}"),
                None => assert!(row.0.iter().all(|&w| w == 0), "bucket {b}"),
            }
        }
    }

    #[test]
    fn version_1_and_2_files_load_to_the_same_model() {
        let bits = 10;
        let dense = sparse_rows(bits);
        let mut raw = MAGIC_V1.to_vec();
        raw.extend_from_slice(&bits.to_le_bytes());
        for row in &dense {
            for w in row.0 {
                raw.extend_from_slice(&w.to_le_bytes());
            }
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&raw).unwrap();
        let v1 = Model::load(&gz.finish().unwrap()).unwrap();
        let v2_bytes = Model::with_rows(bits, dense).save();
        let v2 = Model::load(&v2_bytes).unwrap();
        assert_eq!(v1.save(), v2_bytes);
        assert_eq!(v2.save(), v2_bytes);
        assert_eq!(v1.edge, v2.edge);
        // A truncated row section is refused with the sizes named.
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(&v2_bytes[..])
            .read_to_end(&mut raw)
            .unwrap();
        raw.truncate(raw.len() - 2);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&raw).unwrap();
        let err = Model::load(&gz.finish().unwrap()).unwrap_err();
        assert!(err.contains("weight bytes"), "{err}");
    }
}
