//! The static features: everything the tagger reads of a sentence that does
//! not depend on the tags it predicts.
//!
//! Built in named steps, in a fixed order (training sums a token's features
//! in `f32` in that order, so the order is part of the model):
//! - the word alone ([`word_features`]): identity, lower-case form, shapes,
//!   prefixes and suffixes; in an all-capitals sentence the shape is a
//!   "caps sentence" marker;
//! - the neighbour window ([`neighbour_features`]): words three places each
//!   side, shapes two places, the next word's suffix one place;
//! - bigrams with each neighbour and the shape trigram;
//! - lexicon (gazetteer) matches over the token and its neighbours, with the
//!   position in the match ([`gaz_hits`]);
//! - word lists: given names, titles, organisation suffixes, common and
//!   calendar words;
//! - document consistency ([`DocContext`]), capitalised runs and the first
//!   word's shape;
//! - the token's place in a quotation ([`quote_positions`]: titles of books,
//!   films and campaigns are MISC names in quotes) and in a dateline
//!   ([`is_dateline`]: "GRONINGEN , Netherlands 1996-08-30", where a club's
//!   town is a place).
//!
//! Tagging splits these in two: what depends on the word alone (its own
//! features, and what it gives its neighbours' window) is summed once per
//! word type in the word cache ([`super::cache`]); the rest (`with_word`
//! false) is hashed per token. Training lists all of them.

use std::borrow::Cow;
use std::ops::Range;

use super::context::DocContext;
use super::hash::{h, mix, t};
use super::tags::Tag;
use crate::enrich::clusters::{Ids, WordTables, MAX_LEVELS};
use crate::enrich::lexicon::{LexMatch, Lexicon, Surface};
use crate::enrich::words;

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
pub(super) fn lowercase(w: &str) -> Cow<'_, str> {
    if w.chars().any(char::is_uppercase) {
        Cow::Owned(w.to_lowercase())
    } else {
        Cow::Borrowed(w)
    }
}

/// Hash of [`shape`] without building the string (shapes over 32 bytes are cut).
pub(super) fn shape_hash(w: &str, collapse: bool) -> u64 {
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

/// Hash of the lower-cased word ([`lowercase`]), without allocating for
/// ASCII words.
pub(super) fn lower_hash(w: &str) -> u64 {
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

pub(super) fn starts_upper(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
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
pub fn gaz_code(lex: &Lexicon, m: &LexMatch) -> u64 {
    match m.surface {
        Surface::Adjective => 5,
        Surface::Ticker => 6,
        Surface::Name => 1 + lex.entries[m.entry].entity_type as u64,
    }
}

/// What the context templates read of one word: its lower-case hash, short
/// shape and the hash of its last two lower-case characters, its word
/// clusters, and whether it is a title or an organisation suffix (read by its
/// neighbours' list features; kept here so the word cache answers them).
#[derive(Clone, Copy)]
pub(super) struct Facts {
    pub(super) hl: u64,
    pub(super) short: u64,
    pub(super) suf2: u64,
    pub(super) clusters: Option<Ids>,
    pub(super) cased: Option<Ids>,
    /// Whether the model has a cased table at all (a word missing from it
    /// then says so).
    pub(super) cased_table: bool,
    pub(super) title: bool,
    pub(super) org_suffix: bool,
}

impl Facts {
    pub(super) fn new(w: &str, lower: &str, tables: &WordTables) -> Facts {
        let cut = lower.char_indices().rev().nth(1).map_or(0, |(b, _)| b);
        let hl = h(lower);
        Facts {
            hl,
            short: shape_hash(w, true),
            suf2: h(&lower[cut..]),
            clusters: tables.lower.get(hl).copied(),
            cased: (!tables.cased.is_empty())
                .then(|| tables.cased.get(h(w)).copied())
                .flatten(),
            cased_table: !tables.cased.is_empty(),
            title: words::is_title(w.trim_end_matches('.')),
            org_suffix: words::is_org_suffix(w),
        }
    }
}

/// One feature of `template` per cluster level in `levels`.
fn level_features(template: u64, ids: &Ids, levels: Range<usize>, f: &mut impl FnMut(u64)) {
    for level in levels {
        f(mix(template, ((level as u64) << 16) | ids[level] as u64));
    }
}

/// The word's clusters at every level (a table with fewer levels gives
/// constant ids for the rest), or one "no cluster" feature for a word the
/// table lacks; the same for the cased table, when the model has one.
pub(super) fn cluster_features(w: &Facts, f: &mut impl FnMut(u64)) {
    match &w.clusters {
        Some(ids) => level_features(t::CL, ids, 0..MAX_LEVELS, f),
        None => f(mix(t::CL, u64::MAX)),
    }
    match &w.cased {
        Some(ids) => level_features(t::BR, ids, 0..MAX_LEVELS, f),
        None if w.cased_table => f(mix(t::BR, u64::MAX)),
        None => {}
    }
}

/// A neighbour's clusters: every level one place away, the two middle
/// levels two places away; its cased clusters one place away.
fn neighbour_clusters(k: usize, w: &Facts, f: &mut impl FnMut(u64)) {
    let (template, levels, cased) = match k {
        0 => (t::CL_M1, 0..4, Some(t::BR_M1)),
        1 => (t::CL_P1, 0..4, Some(t::BR_P1)),
        2 => (t::CL_M2, 1..3, None),
        3 => (t::CL_P2, 1..3, None),
        _ => return,
    };
    if let Some(ids) = &w.clusters {
        level_features(template, ids, levels, f);
    }
    if let (Some(template), Some(ids)) = (cased, &w.cased) {
        level_features(template, ids, 0..MAX_LEVELS, f);
    }
}

/// Offsets of the neighbour templates, in [`super::cache::WordInfo::nb`] order.
pub(super) const NB_OFFSETS: [isize; 6] = [-1, 1, -2, 2, -3, 3];

/// The neighbour features a word at `NB_OFFSETS[k]` gives (`None` past the
/// sentence's ends, where the boundary markers stand in).
pub(super) fn neighbour_features(k: usize, w: Option<&Facts>, f: &mut impl FnMut(u64)) {
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
        2 | 3 => {
            let (word, shape) = if k == 2 {
                (t::W_M2, t::S_M2)
            } else {
                (t::W_P2, t::S_P2)
            };
            f(mix(word, hl));
            f(mix(shape, short));
        }
        4 => f(mix(t::W_M3, hl)),
        _ => f(mix(t::W_P3, hl)),
    }
    if let Some(w) = w {
        neighbour_clusters(k, w, f);
    }
}

/// The features of a word alone (identity, shape, prefixes, suffixes); in an
/// all-capitals sentence the shape is the "caps sentence" marker.
pub(super) fn word_features(
    w: &str,
    lw: &str,
    hl: u64,
    short: u64,
    caps: bool,
    f: &mut impl FnMut(u64),
) {
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
pub(super) fn list_form(w: &str, caps: bool) -> Cow<'_, str> {
    if caps {
        Cow::Owned(title_case(w))
    } else {
        Cow::Borrowed(w)
    }
}

/// The list features of a word alone (in its [`list_form`]): a title, an
/// organisation suffix, a common word, a calendar word.
pub(super) fn word_list_features(tc: &str) -> [Option<u64>; 4] {
    let bare = tc.trim_end_matches('.');
    [
        words::is_title(bare).then(|| mix(t::LIST, 2)),
        words::is_org_suffix(tc).then(|| mix(t::LIST, 4)),
        words::is_common_word(tc).then(|| mix(t::LIST, 6)),
        words::is_calendar_word(bare).then(|| mix(t::LIST, 7)),
    ]
}

/// The all-capitals sentence's word identity feature.
pub(super) fn caps_feature(lower_hash: u64) -> u64 {
    mix(t::CAPS, lower_hash)
}

/// A sentence's tokens with their [`Facts`].
pub(super) struct Prepared<'a> {
    pub(super) tokens: &'a [&'a str],
    pub(super) caps: bool,
    pub(super) words: Vec<Facts>,
}

impl<'a> Prepared<'a> {
    /// For training: every feature is listed, nothing summed.
    fn new(tokens: &'a [&'a str], clusters: &WordTables) -> Prepared<'a> {
        Prepared {
            tokens,
            caps: is_caps_sentence(tokens),
            words: tokens
                .iter()
                .map(|w| Facts::new(w, &lowercase(w), clusters))
                .collect(),
        }
    }
}

/// Static (tag-independent) features of every token of a sentence. `pre`
/// may carry lexicon matches already found on the original text (the
/// service has them); without it, or in an all-capitals sentence, the
/// lexicon is matched on the tokens joined by spaces.
pub fn sentence_features(
    tokens: &[&str],
    lex: &Lexicon,
    clusters: &WordTables,
    doc: &DocContext,
    pre: Option<&[GazHit]>,
) -> Vec<Vec<u64>> {
    let p = Prepared::new(tokens, clusters);
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
///
/// The order of a token's features is part of the model: training sums
/// them in `f32` in this order.
pub(super) fn static_features(
    p: &Prepared<'_>,
    lex: &Lexicon,
    doc: &DocContext,
    pre: Option<&[GazHit]>,
    with_word: bool,
    mut emit: impl FnMut(usize, &[u64]),
) {
    let s = StaticContext::new(p, lex, pre);
    let mut buf: Vec<u64> = Vec::with_capacity(64);
    for i in 0..p.tokens.len() {
        buf.clear();
        let mut f = |x: u64| buf.push(x);
        if with_word {
            let (w, facts) = (p.tokens[i], &p.words[i]);
            word_features(w, &lowercase(w), facts.hl, facts.short, p.caps, &mut f);
            cluster_features(facts, &mut f);
            s.window_features(i, &mut f);
        }
        s.pair_features(i, with_word, &mut f);
        s.gaz_features(i, &mut f);
        s.list_features(lex, i, with_word, &mut f);
        s.doc_feature(doc, i, &mut f);
        if with_word && p.caps {
            f(caps_feature(s.hl[i]));
        }
        s.run_features(i, &mut f);
        s.quote_features(i, &mut f);
        s.dateline_features(i, &mut f);
        if i == 0 {
            f(mix(t::FIRST, s.short[i]));
        }
        emit(i, &buf);
    }
}

/// What the static features of a sentence read besides the tokens: their
/// hashes and shapes, lexicon codes and capitalised runs.
struct StaticContext<'p> {
    p: &'p Prepared<'p>,
    hl: Vec<u64>,
    short: Vec<u64>,
    gaz: GazCodes,
    runs: Vec<Option<(u64, u64)>>,
    /// Per token, its [`quote_positions`] code.
    quote: Vec<u8>,
    /// Whether the sentence is a dateline ([`is_dateline`]).
    dateline: bool,
    /// Stand-ins for the words before and after the sentence.
    bos: u64,
    eos: u64,
}

/// Position of token `k` in a match or run `[start, end)`: 0 alone, then 1
/// first, 2 inside, 3 last.
fn position(k: usize, start: usize, end: usize) -> u64 {
    if end - start == 1 {
        0
    } else if k == start {
        1
    } else if k == end - 1 {
        3
    } else {
        2
    }
}

/// Lexicon codes per token (a token may sit in several matches), each with
/// the token's [`position`] in its match.
struct GazCodes {
    /// `(token, code)`, in token order.
    per_token: Vec<(usize, u64)>,
    /// Token `k`'s codes are `per_token[at[k]..at[k + 1]]`.
    at: Vec<usize>,
}

impl GazCodes {
    fn new(hits: Vec<GazHit>, n: usize) -> GazCodes {
        let mut per_token: Vec<(usize, u64)> = Vec::new();
        for (a, b, ty) in hits {
            for k in a..b {
                per_token.push((k, mix(ty, position(k, a, b))));
            }
        }
        per_token.sort_by_key(|&(k, _)| k);
        let mut at = vec![0usize; n + 1];
        for &(k, _) in &per_token {
            at[k + 1] += 1;
        }
        for k in 0..n {
            at[k + 1] += at[k];
        }
        GazCodes { per_token, at }
    }

    fn of(&self, k: usize) -> impl Iterator<Item = u64> + '_ {
        self.per_token[self.at[k]..self.at[k + 1]]
            .iter()
            .map(|&(_, g)| g)
    }
}

/// Per token, its position in a run of capitalised words and the run's
/// length, and the run's identity (none in an all-capitals sentence).
fn capitalised_runs(tokens: &[&str], hl: &[u64], caps: bool) -> Vec<Option<(u64, u64)>> {
    let n = tokens.len();
    let mut runs = vec![None; n];
    if caps {
        return runs;
    }
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
        for (k, slot) in runs.iter_mut().enumerate().take(j + 1).skip(i) {
            let pos = position(k, i, j + 1);
            *slot = Some((mix(t::RUN, len * 8 + pos), mix(t::RUN_ID, mix(run_id, pos))));
        }
        i = j + 1;
    }
    runs
}

impl<'p> StaticContext<'p> {
    fn new(p: &'p Prepared<'p>, lex: &Lexicon, pre: Option<&[GazHit]>) -> StaticContext<'p> {
        let n = p.tokens.len();
        let hl: Vec<u64> = p.words.iter().map(|w| w.hl).collect();
        let short: Vec<u64> = p.words.iter().map(|w| w.short).collect();
        let gaz = GazCodes::new(gaz_hits(p, lex, pre), n);
        let runs = capitalised_runs(p.tokens, &hl, p.caps);
        StaticContext {
            p,
            hl,
            short,
            gaz,
            runs,
            quote: quote_positions(p.tokens),
            dateline: is_dateline(p.tokens),
            bos: h("<s>"),
            eos: h("</s>"),
        }
    }

    /// `v[i]`, or the boundary marker past the sentence's ends.
    #[inline]
    fn at(&self, v: &[u64], i: isize) -> u64 {
        if i < 0 {
            self.bos
        } else if i as usize >= v.len() {
            self.eos
        } else {
            v[i as usize]
        }
    }

    /// The neighbour window: words three places each side, shapes one,
    /// the neighbours' clusters.
    fn window_features(&self, i: usize, f: &mut impl FnMut(u64)) {
        let (hl, short, ii) = (&self.hl, &self.short, i as isize);
        for (k, off) in super::features::NB_OFFSETS.iter().enumerate().take(4) {
            let j = ii + off;
            if j >= 0 && (j as usize) < hl.len() {
                neighbour_clusters(k, &self.p.words[j as usize], f);
            }
        }
        f(mix(t::W_M1, self.at(hl, ii - 1)));
        f(mix(t::W_P1, self.at(hl, ii + 1)));
        f(mix(t::W_M2, self.at(hl, ii - 2)));
        f(mix(t::W_P2, self.at(hl, ii + 2)));
        f(mix(t::W_M3, self.at(hl, ii - 3)));
        f(mix(t::W_P3, self.at(hl, ii + 3)));
        f(mix(t::S_M1, self.at(short, ii - 1)));
        f(mix(t::S_P1, self.at(short, ii + 1)));
        f(mix(t::S_M2, self.at(short, ii - 2)));
        f(mix(t::S_P2, self.at(short, ii + 2)));
    }

    /// Word bigrams with each neighbour, the shape trigram, and (`with_word`)
    /// the next word's suffix.
    fn pair_features(&self, i: usize, with_word: bool, f: &mut impl FnMut(u64)) {
        let (hl, short, ii) = (&self.hl, &self.short, i as isize);
        f(mix(t::BI_L, mix(self.at(hl, ii - 1), hl[i])));
        f(mix(t::BI_R, mix(hl[i], self.at(hl, ii + 1))));
        f(mix(
            t::S3,
            mix(
                mix(self.at(short, ii - 1), short[i]),
                self.at(short, ii + 1),
            ),
        ));
        if with_word && i + 1 < hl.len() {
            f(mix(t::SUF_P1, self.p.words[i + 1].suf2));
        }
    }

    /// Lexicon matches covering the token (alone and with its shape) and its
    /// neighbours.
    fn gaz_features(&self, i: usize, f: &mut impl FnMut(u64)) {
        for g in self.gaz.of(i) {
            f(mix(t::GAZ, g));
            f(mix(t::GAZ, mix(g, self.short[i])));
        }
        if i > 0 {
            for g in self.gaz.of(i - 1) {
                f(mix(t::GAZ_M1, g));
            }
        }
        if i + 1 < self.hl.len() {
            for g in self.gaz.of(i + 1) {
                f(mix(t::GAZ_P1, g));
            }
        }
    }

    /// Word lists: a given name, and (`with_word`: the lists that look at
    /// this word alone are in the word cache) a title, an organisation
    /// suffix, a common or a calendar word; a title before, an organisation
    /// suffix after.
    fn list_features(&self, lex: &Lexicon, i: usize, with_word: bool, f: &mut impl FnMut(u64)) {
        let p = self.p;
        let tc = list_form(p.tokens[i], p.caps);
        let [title, org, common, calendar] = if with_word {
            word_list_features(&tc)
        } else {
            [None; 4]
        };
        if lex.is_given_name(&tc) {
            f(mix(t::LIST, 1));
        }
        if let Some(x) = title {
            f(x);
        }
        if i > 0 && p.words[i - 1].title {
            f(mix(t::LIST, 3));
        }
        if let Some(x) = org {
            f(x);
        }
        if i + 1 < p.tokens.len() && p.words[i + 1].org_suffix {
            f(mix(t::LIST, 5));
        }
        if let Some(x) = common {
            f(x);
        }
        if let Some(x) = calendar {
            f(x);
        }
    }

    /// Document consistency of a capitalised word: seen lower-case, seen
    /// capitalised mid-sentence, with whether it opens the sentence and
    /// whether the sentence is all capitals.
    fn doc_feature(&self, doc: &DocContext, i: usize, f: &mut impl FnMut(u64)) {
        if !starts_upper(self.p.tokens[i]) {
            return;
        }
        let (dl, dc) = doc.seen(self.hl[i]);
        let caps = self.p.caps;
        f(mix(
            t::DOC,
            (dl as u64) | ((dc as u64) << 1) | (((i == 0) as u64) << 2) | ((caps as u64) << 3),
        ));
    }

    /// Inside a quotation: the token's [`quote_positions`] code, alone
    /// with its capitalisation and with its shape.
    fn quote_features(&self, i: usize, f: &mut impl FnMut(u64)) {
        let q = self.quote[i] as u64;
        if q != 0 {
            let cap = starts_upper(self.p.tokens[i]) as u64;
            f(mix(t::QUOTE, q * 2 + cap));
            f(mix(t::QUOTE, mix(q, self.short[i])));
        }
    }

    /// In a dateline: the token's place (first, second, third, later) and
    /// its lexicon matches.
    fn dateline_features(&self, i: usize, f: &mut impl FnMut(u64)) {
        if self.dateline {
            f(mix(t::DATELINE, i.min(3) as u64));
            for g in self.gaz.of(i) {
                f(mix(t::DATELINE, mix(g, 7)));
            }
        }
    }

    /// The token's place in a run of capitalised words (alone and with its
    /// shape) and the run's identity.
    fn run_features(&self, i: usize, f: &mut impl FnMut(u64)) {
        if let Some((r, id)) = self.runs[i] {
            f(r);
            f(mix(r, self.short[i]));
            f(id);
        }
    }
}

/// A quotation mark as the tokenisers write it.
fn is_quote_mark(w: &str) -> bool {
    matches!(w, "\"" | "``" | "''")
}

/// Per token, 0 outside quotation marks; inside, 1 plus 2 when it follows
/// the opening mark and 4 when the closing mark follows it. Marks pair up
/// left to right within the sentence.
fn quote_positions(tokens: &[&str]) -> Vec<u8> {
    let mut out = vec![0u8; tokens.len()];
    let mut open = false;
    for (i, w) in tokens.iter().enumerate() {
        if is_quote_mark(w) {
            open = !open;
        } else if open {
            let after_open = i > 0 && is_quote_mark(tokens[i - 1]);
            let before_close = tokens.get(i + 1).is_some_and(|n| is_quote_mark(n));
            out[i] = 1 | (after_open as u8) << 1 | (before_close as u8) << 2;
        }
    }
    out
}

/// A dateline: a short line (at most eight tokens) that ends in an ISO
/// date, as newswire opens a story ("GRONINGEN , Netherlands 1996-08-30").
fn is_dateline(tokens: &[&str]) -> bool {
    tokens.len() <= 8
        && tokens.last().is_some_and(|w| {
            w.len() == 10
                && w.bytes().enumerate().all(|(k, b)| {
                    if k == 4 || k == 7 {
                        b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }
                })
        })
}

/// Tag-dependent features of token `i` given the two previous tags.
#[inline]
pub(super) fn history_features(
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
    fn quotations() {
        let toks = [
            "he", "wrote", "\"", "The", "Knot", "\"", "in", "``", "1964", "''",
        ];
        assert_eq!(quote_positions(&toks), [0, 0, 0, 3, 5, 0, 0, 0, 7, 0]);
        // An unclosed mark quotes to the end of the sentence.
        assert_eq!(quote_positions(&["\"", "Yes", "."]), [0, 3, 1]);
        assert_eq!(quote_positions(&["no", "quotes"]), [0, 0]);
    }

    #[test]
    fn datelines() {
        assert!(is_dateline(&[
            "GRONINGEN",
            ",",
            "Netherlands",
            "1996-08-30"
        ]));
        assert!(!is_dateline(&["Groningen", "won", "on", "1996-08-30", "."]));
        assert!(!is_dateline(&["LONDON", "1996/08/30"]));
        assert!(!is_dateline(&[
            "a",
            "b",
            "c",
            "d",
            "e",
            "f",
            "g",
            "h",
            "1996-08-30"
        ]));
        assert!(!is_dateline(&[]));
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
}
