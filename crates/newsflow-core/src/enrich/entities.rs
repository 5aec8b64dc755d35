//! Entity recognition, linking and within-article coreference.
//!
//! Over the masked body (captions removed):
//!
//! 1. **Tagging**: the trained tagger ([`super::tagger`]) labels each
//!    sentence's tokens (CoNLL-style tokens, with the document context of the
//!    whole article); its spans are the candidates, typed by the tagger.
//!    A span that is a known lexicon name links to that entry.
//! 2. **Lexicon matches** the tagger missed: every known name, alias or
//!    country adjective on word boundaries (cities only when the tagger saw
//!    them, since many city names are also common words or surnames).
//! 3. **Coreference**: mentions of one lexicon entry are one entity; an
//!    acronym defined in parentheses ("National Iranian Oil Company (NIOC)")
//!    joins the entity it follows; a bare surname joins the earlier full name
//!    it ends ("Yuri Ushakov" … "Ushakov").
//!
//! Salience rewards frequency and early first mention.

use rustc_hash::FxHashMap as HashMap;

use crate::article::{Entity, EntityType, Mention};

use super::lexicon::{local_id, LexMatch, Lexicon, Surface};
use super::tagger::{gaz_code, spans_from_bilou, DocContext, GazHit, Model, TYPES};
use super::text::Text;
use super::words;
use crate::span::{Masks, Span};

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
pub fn recognize(lex: &Lexicon, model: &Model, text: &Text<'_>, masked: &Masks) -> Vec<Entity> {
    let src = text.src;
    let lex_matches: Vec<LexMatch> = lex
        .find(src)
        .into_iter()
        .filter(|m| !masked.hits(Span::new(m.start, m.end)))
        .collect();
    let mut cands = tagged_candidates(lex, model, text, masked, &lex_matches);
    cands.sort_by_key(|c| (c.start, std::cmp::Reverse(c.end)));
    cands.dedup_by(|b, a| b.start < a.end); // keep the first of overlapping candidates
    link_acronyms(src, &mut cands);
    link_surnames(lex, src, &mut cands);
    build_entities(lex, text, cands)
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
    masked: &Masks,
    lex_matches: &[LexMatch],
) -> Vec<Candidate> {
    let src = text.src;
    let sentences: Vec<Vec<(usize, usize)>> = (0..text.sentences.len())
        .map(|k| {
            let mut v = Vec::new();
            tagger_tokens(text, k, &mut v);
            v.retain(|&(s, e)| !masked.hits(Span::new(s, e)));
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
