//! Entity recognition, linking and within-article coreference.
//!
//! The recogniser works in three passes over the masked body (captions
//! removed):
//!
//! 1. **Lexicon matches**: every known name, alias or country adjective
//!    (Aho-Corasick over the whole text, word boundaries enforced).
//! 2. **Capitalised runs**: maximal sequences of capitalised words, joined by
//!    name particles (`of`, `al-`, `von`), cut at possessives. A run that ends
//!    in an organisation suffix ("… Forum", "… Forces") is one organisation
//!    even when it contains known words ("Turkish Presidential Press Office").
//!    Otherwise known names inside the run stay as they are, titles
//!    ("President", "Ayatollah") are removed and what is left is an unknown
//!    name, typed by evidence: a preceding title or a known given name
//!    (person), an organisation suffix or an all-capitals acronym
//!    (organisation), otherwise `misc`.
//! 3. **Coreference**: mentions of one lexicon entry are one entity; an
//!    acronym defined in parentheses ("National Iranian Oil Company (NIOC)")
//!    joins the entity it follows; a bare surname joins the earlier full name
//!    it ends ("Yuri Ushakov" … "Ushakov").
//!
//! Salience rewards frequency and early first mention.

use rustc_hash::FxHashMap as HashMap;

use crate::model::{Entity, EntityType, Mention};

use super::lexicon::{local_id, LexMatch, Lexicon, Surface};
use super::tagger::{gaz_code, spans_from_bilou, DocContext, GazHit, Model, TYPES};
use super::text::Text;
use super::words;

/// Who an entity is, before ids are assigned.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Known(usize),
    Unknown(String),
}

#[derive(Debug, Clone)]
struct Candidate {
    start: usize,
    end: usize,
    key: Key,
    /// Type evidence for unknown names.
    etype: Option<EntityType>,
}

/// Finds, links and ranks the entities of `text`, ignoring byte ranges in
/// `masked` (captions).
pub fn recognize(
    lex: &Lexicon,
    tagger: Option<&Model>,
    text: &Text<'_>,
    masked: &[(usize, usize)],
) -> Vec<Entity> {
    let src = text.src;
    let is_masked = |s: usize, e: usize| masked.iter().any(|&(ms, me)| s < me && e > ms);
    let lex_matches: Vec<LexMatch> = lex
        .find(src)
        .into_iter()
        .filter(|m| !is_masked(m.start, m.end))
        .collect();
    let mut cands = match tagger {
        Some(model) => tagged_candidates(lex, model, text, masked, &lex_matches),
        None => rule_candidates(lex, text, &is_masked, &lex_matches),
    };
    cands.sort_by_key(|c| (c.start, std::cmp::Reverse(c.end)));
    cands.dedup_by(|b, a| b.start < a.end); // keep the first of overlapping candidates
    link_acronyms(src, &mut cands);
    link_surnames(lex, src, &mut cands);
    build_entities(lex, text, cands)
}

/// Tokens as the tagger was trained on them (CoNLL style): a possessive
/// `'s` is its own token, an initialism keeps its final period ("U.S.").
fn tagger_tokens(text: &Text<'_>, sentence: usize, out: &mut Vec<(usize, usize)>) {
    let src = text.src;
    let (s, e) = text.sentences[sentence];
    let first = text.token_at_or_after(s);
    let mut i = first;
    while i < text.tokens.len() && text.tokens[i].start < e {
        let t = text.tokens[i];
        let w = &src[t.start..t.end];
        let next_is_dot = text
            .tokens
            .get(i + 1)
            .is_some_and(|n| n.start == t.end && &src[n.start..n.end] == ".");
        let (base, poss) = strip_possessive(w);
        if poss {
            out.push((t.start, t.start + base.len()));
            out.push((t.start + base.len(), t.end));
        } else if next_is_dot && (w.contains('.') || super::text::is_abbreviation_word(w)) {
            out.push((t.start, t.end + 1));
            i += 1;
        } else {
            out.push((t.start, t.end));
        }
        i += 1;
    }
}

/// Candidates from the trained tagger, linked to the lexicon where a known
/// name covers the span; plus curated names and countries the tagger missed.
fn tagged_candidates(
    lex: &Lexicon,
    model: &Model,
    text: &Text<'_>,
    masked: &[(usize, usize)],
    lex_matches: &[LexMatch],
) -> Vec<Candidate> {
    let src = text.src;
    let sentences: Vec<Vec<(usize, usize)>> = (0..text.sentences.len())
        .map(|k| {
            let mut v = Vec::new();
            tagger_tokens(text, k, &mut v);
            v.retain(|&(s, e)| !masked.iter().any(|&(ms, me)| s < me && e > ms));
            v
        })
        .filter(|v| !v.is_empty())
        .collect();
    let words: Vec<Vec<&str>> = sentences
        .iter()
        .map(|s| s.iter().map(|&(a, b)| &src[a..b]).collect())
        .collect();
    let mut doc = DocContext::new(words.iter().map(|w| w.as_slice()));
    let mut out = Vec::new();
    let mut covered: Vec<(usize, usize)> = Vec::new();
    for (toks, ws) in sentences.iter().zip(&words) {
        // Lexicon matches that fall on this sentence's token boundaries.
        let (first, last) = (toks[0].0, toks[toks.len() - 1].1);
        let lo = lex_matches.partition_point(|m| m.start < first);
        let hits: Vec<GazHit> = lex_matches[lo..]
            .iter()
            .take_while(|m| m.start < last)
            .filter_map(|m| {
                let a = toks.binary_search_by_key(&m.start, |t| t.0).ok()?;
                let b = toks.binary_search_by_key(&m.end, |t| t.1).ok()? + 1;
                Some((a, b, gaz_code(lex, m)))
            })
            .collect();
        let tags = model.tag(ws, lex, &mut doc, Some(&hits));
        for (a, b, ty) in spans_from_bilou(&tags) {
            let (start, end) = (toks[a].0, toks[b - 1].1);
            covered.push((start, end));
            let etype = TYPES[ty];
            // A known name with exactly this span, or covering it after leading titles.
            let known = lex_matches
                .iter()
                .find(|m| m.start == start && m.end == end)
                .or_else(|| {
                    lex_matches.iter().find(|m| {
                        m.end == end
                            && m.start > start
                            && src[start..m.start].split_whitespace().all(words::is_title)
                    })
                });
            let cand = match known {
                Some(m) if m.surface != Surface::Ticker => Candidate {
                    start: m.start,
                    end: m.end,
                    key: Key::Known(m.entry),
                    etype: None,
                },
                _ => Candidate {
                    start,
                    end,
                    key: Key::Unknown(src[start..end].to_owned()),
                    etype: Some(etype),
                },
            };
            out.push(cand);
        }
    }
    for m in lex_matches {
        let entry = &lex.entries[m.entry];
        let trusted = entry.place_kind.as_deref().is_none_or(|k| k != "city")
            || m.surface == Surface::Adjective;
        let overlaps = covered.iter().any(|&(s, e)| m.start < e && m.end > s);
        if trusted && !overlaps && m.surface != Surface::Ticker {
            out.push(Candidate {
                start: m.start,
                end: m.end,
                key: Key::Known(m.entry),
                etype: None,
            });
        }
    }
    out
}

/// Candidates from the rules alone (used when no tagger model is loaded).
fn rule_candidates(
    lex: &Lexicon,
    text: &Text<'_>,
    is_masked: &dyn Fn(usize, usize) -> bool,
    lex_matches: &[LexMatch],
) -> Vec<Candidate> {
    let mut cands: Vec<Candidate> = Vec::new();
    let mut swallowed = vec![false; lex_matches.len()];
    for run in capitalised_runs(text) {
        if is_masked(run.start, run.end) {
            continue;
        }
        classify_run(lex, text, &run, lex_matches, &mut swallowed, &mut cands);
    }
    for (m, gone) in lex_matches.iter().zip(&swallowed) {
        if !gone && m.surface != Surface::Ticker {
            cands.push(Candidate {
                start: m.start,
                end: m.end,
                key: Key::Known(m.entry),
                etype: None,
            });
        }
    }
    cands
}

/// A run of capitalised tokens, by token index range `[first, last]`.
#[derive(Debug)]
struct Run {
    first: usize,
    last: usize,
    start: usize,
    end: usize,
}

fn is_capitalised(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

/// Strips a possessive `'s`/`’s` (or a bare trailing apostrophe) from a token.
fn strip_possessive(w: &str) -> (&str, bool) {
    for suffix in ["'s", "’s", "'S", "’S"] {
        if let Some(base) = w.strip_suffix(suffix) {
            if !base.is_empty() {
                return (base, true);
            }
        }
    }
    (w, false)
}

fn capitalised_runs(text: &Text<'_>) -> Vec<Run> {
    let toks = &text.tokens;
    let src = text.src;
    let mut runs = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let w = text.token_str(i);
        if !is_capitalised(w) || words::is_calendar_word(strip_possessive(w).0) {
            i += 1;
            continue;
        }
        let sentence = toks[i].sentence;
        let mut last = i;
        let mut end = toks[i].start + strip_possessive(w).0.len();
        let mut closed = strip_possessive(w).1;
        let mut j = i + 1;
        while !closed && j < toks.len() && toks[j].sentence == sentence {
            let w = text.token_str(j);
            let adjacent = toks[j].start == toks[j - 1].end;
            let next_cap = |k: usize| {
                k < toks.len() && toks[k].sentence == sentence && is_capitalised(text.token_str(k))
            };
            if is_capitalised(w) && !words::is_calendar_word(strip_possessive(w).0) {
                let (base, poss) = strip_possessive(w);
                last = j;
                end = toks[j].start + base.len();
                closed = poss;
                j += 1;
            } else if words::is_name_particle(w) && next_cap(j + 1) {
                j += 1; // "Bank of England": the particle joins when a capitalised word follows
            } else if words::is_name_particle(w)
                && j + 2 < toks.len()
                && text.token_str(j + 1) == "-"
                && next_cap(j + 2)
            {
                j += 2; // "al-Assad"
            } else if w == "-" && adjacent && next_cap(j + 1) && toks[j + 1].start == toks[j].end {
                j += 1; // "Arab-Israeli"
            } else if w == "."
                && adjacent
                && text.token_str(j - 1).chars().count() == 1
                && next_cap(j + 1)
            {
                j += 1; // initials: "George W. Bush"
            } else {
                break;
            }
        }
        // Pull a preceding particle of a compound name in: "al-Assad" at run start.
        let mut first = i;
        let mut start = toks[i].start;
        if i >= 2 && text.token_str(i - 1) == "-" && words::is_name_particle(text.token_str(i - 2))
        {
            let p = i - 2;
            if toks[p].end == toks[i - 1].start
                && toks[i - 1].end == toks[i].start
                && toks[p].sentence == sentence
            {
                first = p;
                start = toks[p].start;
            }
        }
        runs.push(Run {
            first,
            last,
            start,
            end: end.max(start),
        });
        debug_assert!(src.is_char_boundary(end));
        i = j.max(i + 1);
    }
    runs
}

/// True when token `i` is the first word of its sentence (after quotes).
fn starts_sentence(text: &Text<'_>, i: usize) -> bool {
    let s = text.tokens[i].sentence;
    let mut k = i;
    while k > 0 && text.tokens[k - 1].sentence == s {
        k -= 1;
        let w = text.token_str(k);
        if w.chars().any(char::is_alphanumeric) {
            return false;
        }
    }
    true
}

fn classify_run(
    lex: &Lexicon,
    text: &Text<'_>,
    run: &Run,
    lex_matches: &[LexMatch],
    swallowed: &mut [bool],
    out: &mut Vec<Candidate>,
) {
    let src = text.src;
    // Token indices of the run that are words (not particles/punctuation).
    let mut first = run.first;
    let first_word = strip_possessive(text.token_str(first)).0;
    if starts_sentence(text, first) {
        let single = run.first == run.last;
        let inflected = ["ing", "ed", "ly"]
            .iter()
            .any(|s| first_word.len() > 4 && first_word.ends_with(s));
        let known_at = lex_matches
            .iter()
            .any(|m| m.start == text.tokens[first].start);
        if words::is_common_word(first_word)
            || (!known_at && !lex.is_given_name(first_word) && (single || inflected))
        {
            if single {
                return;
            }
            first += 1;
            while first <= run.last && !is_capitalised(text.token_str(first)) {
                first += 1;
            }
            if first > run.last {
                return;
            }
        }
    }
    let start = text.tokens[first].start;
    let end = run.end;
    let inside: Vec<usize> = (0..lex_matches.len())
        .filter(|&k| lex_matches[k].start >= start && lex_matches[k].end <= end)
        .collect();
    let exact = inside
        .iter()
        .any(|&k| lex_matches[k].start == start && lex_matches[k].end == end);
    let last_word = &src[text.tokens[run.last].start..end];
    if !exact && words::is_org_suffix(last_word) && first < run.last {
        // "Gas Exporting Countries Forum": one organisation. Leading titles
        // cannot start an organisation name ("President Putin's Office" aside).
        let mut s = first;
        while s < run.last
            && words::is_title(text.token_str(s))
            && !words::is_org_suffix(text.token_str(s))
        {
            s += 1;
        }
        let s_byte = text.tokens[s].start;
        for &k in &inside {
            if lex_matches[k].start >= s_byte {
                swallowed[k] = true;
            }
        }
        let name = &src[s_byte..end];
        out.push(Candidate {
            start: s_byte,
            end,
            key: Key::Unknown(name.to_owned()),
            etype: Some(EntityType::Organization),
        });
        return;
    }
    // Split the run at known names and titles; the rest are unknown names.
    let mut pending: Option<(usize, usize)> = None; // token range of an unknown piece
    let mut after_title = first > run.first && words::is_title(text.token_str(run.first));
    let mut k = first;
    let flush =
        |pending: &mut Option<(usize, usize)>, after_title: bool, out: &mut Vec<Candidate>| {
            if let Some((a, b)) = pending.take() {
                push_unknown(lex, text, a, b, after_title, out);
            }
        };
    while k <= run.last {
        let tok = text.tokens[k];
        let w = text.token_str(k);
        if let Some(m) = lex_matches
            .iter()
            .find(|m| m.start == tok.start && m.end <= end)
        {
            flush(&mut pending, after_title, out);
            after_title = false;
            while k <= run.last && text.tokens[k].start < m.end {
                k += 1;
            }
            continue;
        }
        if !w.chars().next().is_some_and(char::is_alphanumeric)
            || (words::is_name_particle(w) && pending.is_none())
        {
            k += 1;
            continue;
        }
        if words::is_title(strip_possessive(w).0) && pending.is_none() {
            after_title = true;
            k += 1;
            continue;
        }
        pending = Some(match pending {
            Some((a, _)) => (a, k),
            None => (k, k),
        });
        k += 1;
    }
    flush(&mut pending, after_title, out);
}

fn push_unknown(
    lex: &Lexicon,
    text: &Text<'_>,
    a: usize,
    b: usize,
    after_title: bool,
    out: &mut Vec<Candidate>,
) {
    let src = text.src;
    // Trim trailing particles/punctuation.
    let mut b = b;
    while b > a && !is_capitalised(text.token_str(b)) {
        b -= 1;
    }
    let start = text.tokens[a].start;
    let end = {
        let t = text.tokens[b];
        t.start + strip_possessive(&src[t.start..t.end]).0.len()
    };
    let name = &src[start..end];
    let n_words = (a..=b)
        .filter(|&k| is_capitalised(text.token_str(k)))
        .count();
    let first = text.token_str(a);
    let last = strip_possessive(text.token_str(b)).0;
    let letters = name.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 2 || (n_words == 1 && (words::is_common_word(last) || words::is_title(last))) {
        return;
    }
    let all_caps = name
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_uppercase);
    let next_word = text.tokens.get(b + 1).map(|t| &src[t.start..t.end]);
    let etype = if words::is_org_suffix(last) && n_words > 1 {
        Some(EntityType::Organization)
    } else if after_title || (n_words >= 2 && lex.is_given_name(first)) {
        Some(EntityType::Person)
    } else if n_words == 1 && all_caps && (2..=6).contains(&letters) {
        Some(EntityType::Organization)
    } else if (2..=3).contains(&n_words)
        && matches!(
            next_word,
            Some("said" | "told" | "says" | "added" | "wrote")
        )
    {
        Some(EntityType::Person)
    } else {
        None
    };
    out.push(Candidate {
        start,
        end,
        key: Key::Unknown(name.to_owned()),
        etype,
    });
}

/// "National Iranian Oil Company (NIOC)": the acronym joins the entity before it.
fn link_acronyms(src: &str, cands: &mut [Candidate]) {
    let mut acronyms: HashMap<String, (Key, Option<EntityType>)> = HashMap::default();
    for c in cands.iter_mut() {
        let surface = &src[c.start..c.end];
        if let Some((key, etype)) = acronyms.get(surface) {
            c.key = key.clone();
            c.etype = etype.or(c.etype);
            continue;
        }
        if let Some(acr) = acronym_after(&src[c.end..]) {
            if acr != surface {
                acronyms.insert(acr.to_owned(), (c.key.clone(), c.etype));
            }
        }
    }
}

/// The acronym in `  (ABC)` at the start of `rest`, if any.
fn acronym_after(rest: &str) -> Option<&str> {
    let rest = rest.strip_prefix(' ').unwrap_or(rest).strip_prefix('(')?;
    let close = rest.find(')')?;
    let acr = &rest[..close];
    let ok = (2..=10).contains(&acr.len())
        && acr.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && acr.chars().all(|c| {
            c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '&' | '-' | '.' | '+')
        });
    ok.then_some(acr)
}

/// A bare surname joins the earlier multi-word person it ends.
fn link_surnames(lex: &Lexicon, src: &str, cands: &mut [Candidate]) {
    let mut surnames: HashMap<String, (Key, Option<EntityType>)> = HashMap::default();
    for c in cands.iter_mut() {
        let surface = &src[c.start..c.end];
        let is_person = match &c.key {
            Key::Known(e) => lex.entries[*e].entity_type == EntityType::Person,
            Key::Unknown(_) => c.etype == Some(EntityType::Person),
        };
        if surface.contains(' ') {
            if is_person {
                if let Some(last) = surface.rsplit([' ', '-']).next() {
                    surnames
                        .entry(last.to_owned())
                        .or_insert((c.key.clone(), Some(EntityType::Person)));
                }
            }
        } else if matches!(c.key, Key::Unknown(_)) {
            if let Some((key, etype)) = surnames.get(surface) {
                c.key = key.clone();
                c.etype = *etype;
            }
        }
    }
}

fn build_entities(lex: &Lexicon, text: &Text<'_>, cands: Vec<Candidate>) -> Vec<Entity> {
    struct Acc {
        key: Key,
        mentions: Vec<Mention>,
        votes: [u32; 4],
        longest: String,
    }
    let src = text.src;
    let mut order: Vec<Acc> = Vec::new();
    let mut index: HashMap<Key, usize> = HashMap::default();
    for c in cands {
        let i = *index.entry(c.key.clone()).or_insert_with(|| {
            order.push(Acc {
                key: c.key.clone(),
                mentions: Vec::new(),
                votes: [0; 4],
                longest: String::new(),
            });
            order.len() - 1
        });
        let acc = &mut order[i];
        let surface = &src[c.start..c.end];
        if let Some(t) = c.etype {
            acc.votes[t as usize] += 1;
        }
        if surface.chars().count() > acc.longest.chars().count() {
            acc.longest = surface.to_owned();
        }
        acc.mentions.push(Mention {
            start: text.char_offset(c.start),
            end: text.char_offset(c.end),
            text: surface.to_owned(),
        });
    }
    let total_chars = text.char_offset(src.len()).max(1) as f64;
    let mut entities: Vec<Entity> = order
        .into_iter()
        .filter_map(|acc| {
            let (id, name, entity_type) = match &acc.key {
                Key::Known(e) => {
                    let entry = &lex.entries[*e];
                    (entry.id.clone(), entry.name.clone(), entry.entity_type)
                }
                Key::Unknown(_) => {
                    let best = (0..4).max_by_key(|&t| (acc.votes[t], t == 3)).unwrap();
                    let t = if acc.votes[best] == 0 {
                        EntityType::Misc
                    } else {
                        [
                            EntityType::Person,
                            EntityType::Organization,
                            EntityType::Location,
                            EntityType::Misc,
                        ][best]
                    };
                    (local_id(t, &acc.longest), acc.longest.clone(), t)
                }
            };
            let first = acc.mentions.first()?.start as f64;
            let n = acc.mentions.len() as f64;
            let raw = (1.0 + n).ln() + 0.75 * (1.0 - first / total_chars);
            Some(Entity {
                id,
                name,
                entity_type,
                mentions: acc.mentions,
                salience: raw,
            })
        })
        .collect();
    // Unknown names can collide with a known id (same slug); merge them.
    let mut by_id: HashMap<String, usize> = HashMap::default();
    let mut merged: Vec<Entity> = Vec::with_capacity(entities.len());
    for e in entities.drain(..) {
        match by_id.get(&e.id) {
            Some(&i) => {
                merged[i].mentions.extend(e.mentions);
                merged[i].mentions.sort_by_key(|m| m.start);
                merged[i].salience = merged[i].salience.max(e.salience);
            }
            None => {
                by_id.insert(e.id.clone(), merged.len());
                merged.push(e);
            }
        }
    }
    let max = merged
        .iter()
        .map(|e| e.salience)
        .fold(f64::MIN_POSITIVE, f64::max);
    for e in &mut merged {
        e.salience = ((e.salience / max) * 1000.0).round() / 1000.0;
    }
    merged.sort_by(|a, b| {
        b.salience
            .partial_cmp(&a.salience)
            .unwrap()
            .then(a.mentions[0].start.cmp(&b.mentions[0].start))
    });
    merged
}
