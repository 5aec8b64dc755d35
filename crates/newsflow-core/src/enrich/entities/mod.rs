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
//!
//! Modules: this one tags and collects the candidates; [`coref`] links
//! acronyms and surnames; [`build`] turns candidates into entities with
//! mentions and salience.

mod build;
mod coref;

use crate::article::{Entity, EntityType};

use super::lexicon::{LexMatch, Lexicon, Surface};
use super::tagger::{gaz_code, spans_from_bilou, GazHit, Model, TYPES};
use super::text::Text;
use super::words;
use crate::span::{Masks, Span};

use build::build_entities;
use coref::{link_acronyms, link_surnames};

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

/// A token as the tagger's training text spells it: CoNLL-2003 has ASCII
/// quotes and apostrophes only, so a typographic possessive or quote (which
/// it has never seen, and took for part of a name) reads as its ASCII form.
fn as_trained(w: &str) -> &str {
    match w {
        "’s" => "'s",
        "’S" => "'S",
        "’" | "‘" => "'",
        "“" | "”" => "\"",
        _ => w,
    }
}

/// Whether `left-right` is one name for the tagger: an Arabic name particle
/// before a capitalised name ("al-Assad", "bin-Salman"), which the tagger
/// otherwise cuts at the hyphen. Everything else stays three tokens, so that
/// "US-backed", "anti-Assad" and "Arab-Israeli" still give the place, person
/// or country in them.
fn joins_name(left: &str, right: &str) -> bool {
    const PARTICLES: [&str; 13] = [
        "al", "el", "ad", "ar", "as", "ash", "at", "az", "bin", "ibn", "abu", "bint", "ul",
    ];
    let capitalised = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
    let last_word = left.rsplit('-').next().unwrap_or(left);
    capitalised(right) && PARTICLES.contains(&last_word)
}

/// Tokens as the tagger was trained on them (CoNLL style): a hyphenated
/// name is one token ([`joins_name`]), a possessive `'s` is its own
/// token, an initialism keeps its final period ("U.S.").
fn tagger_tokens(text: &Text<'_>, sentence: usize, out: &mut Vec<(usize, usize)>) {
    let src = text.src;
    let (s, e) = text.sentences[sentence];
    let first = text.token_at_or_after(s);
    let mut i = first;
    while i < text.tokens.len() && text.tokens[i].start < e {
        let start = text.tokens[i].start;
        let mut end = text.tokens[i].end;
        while let (Some(h), Some(n)) = (text.tokens.get(i + 1), text.tokens.get(i + 2)) {
            let joined = h.start == end
                && &src[h.start..h.end] == "-"
                && n.start == h.end
                && n.start < e
                && joins_name(&src[start..end], &src[n.start..n.end]);
            if !joined {
                break;
            }
            end = n.end;
            i += 2;
        }
        let w = &src[start..end];
        let next_is_dot = text
            .tokens
            .get(i + 1)
            .is_some_and(|n| n.start == end && &src[n.start..n.end] == ".");
        let (base, poss) = strip_possessive(w);
        if poss {
            out.push((start, start + base.len()));
            out.push((start + base.len(), end));
        } else if next_is_dot && (w.contains('.') || super::text::is_abbreviation_word(w)) {
            out.push((start, end + 1));
            i += 1;
        } else {
            out.push((start, end));
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
        .map(|s| s.iter().map(|&(a, b)| as_trained(&src[a..b])).collect())
        .collect();
    // Lexicon matches that fall on each sentence's token boundaries.
    let hits: Vec<Vec<GazHit>> = sentences
        .iter()
        .map(|toks| {
            let (first, last) = (toks[0].0, toks[toks.len() - 1].1);
            let lo = lex_matches.partition_point(|m| m.start < first);
            lex_matches[lo..]
                .iter()
                .take_while(|m| m.start < last)
                .filter_map(|m| {
                    let a = toks.binary_search_by_key(&m.start, |t| t.0).ok()?;
                    let b = toks.binary_search_by_key(&m.end, |t| t.1).ok()? + 1;
                    Some((a, b, gaz_code(lex, m)))
                })
                .collect()
        })
        .collect();
    let refs: Vec<&[&str]> = words.iter().map(Vec::as_slice).collect();
    let tagged = model.tag_document(&refs, lex, Some(&hits));
    let mut out = Vec::new();
    let mut covered: Vec<(usize, usize)> = Vec::new();
    for (toks, tags) in sentences.iter().zip(&tagged) {
        for (a, b, ty) in spans_from_bilou(tags) {
            let (start, end) = (toks[a].0, toks[b - 1].1);
            covered.push((start, end));
            let etype = TYPES[ty];
            // A known name with exactly this span, or covering it after
            // leading titles. The matches are sorted and do not overlap, so
            // both are found by binary search among those inside the span.
            let inside = &lex_matches[lex_matches.partition_point(|m| m.start < start)..];
            let inside = &inside[..inside.partition_point(|m| m.start < end)];
            let known = inside
                .first()
                .filter(|m| m.start == start && m.end == end)
                .or_else(|| {
                    inside.iter().find(|m| {
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
        // Tagged spans are in text order and do not overlap: the first one
        // ending after the match's start is the only one it can overlap.
        let overlaps = covered
            .get(covered.partition_point(|&(_, e)| e <= m.start))
            .is_some_and(|&(s, _)| s < m.end);
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

/// The embedded lexicon, loaded once for all tests of this module tree.
#[cfg(test)]
fn test_lexicon() -> &'static Lexicon {
    static LEX: std::sync::LazyLock<Lexicon> =
        std::sync::LazyLock::new(|| Lexicon::embedded().unwrap());
    &LEX
}

/// A candidate over the `nth` (0-based) occurrence of `needle` in `src`.
#[cfg(test)]
fn test_candidate(
    src: &str,
    needle: &str,
    nth: usize,
    key: Key,
    etype: Option<EntityType>,
) -> Candidate {
    let (start, _) = src
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} #{nth} not in {src:?}"));
    Candidate {
        start,
        end: start + needle.len(),
        key,
        etype,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::tagger;

    fn model() -> &'static Model {
        static MODEL: std::sync::LazyLock<Model> =
            std::sync::LazyLock::new(|| Model::load(tagger::DEFAULT_MODEL).unwrap());
        &MODEL
    }

    fn entities(src: &str) -> Vec<Entity> {
        recognize(test_lexicon(), model(), &Text::new(src), &Masks::none())
    }

    /// The entity with this canonical name, or a panic listing what was found.
    fn named<'a>(es: &'a [Entity], name: &str) -> &'a Entity {
        es.iter().find(|e| e.name == name).unwrap_or_else(|| {
            panic!(
                "no entity {name:?} in {:?}",
                es.iter().map(|e| &e.name).collect::<Vec<_>>()
            )
        })
    }

    fn texts(e: &Entity) -> Vec<&str> {
        e.mentions.iter().map(|m| m.text.as_str()).collect()
    }

    /// Mentions speak character offsets into the text they came from.
    fn assert_mentions_match(src: &str, es: &[Entity]) {
        for e in es {
            for m in &e.mentions {
                let at: String = src.chars().skip(m.start).take(m.end - m.start).collect();
                assert_eq!(at, m.text, "{} at {}..{}", e.name, m.start, m.end);
            }
        }
    }

    #[test]
    fn tagger_tokens_split_possessives_and_keep_initialism_periods() {
        let src = "Putin's U.S. trip ended.";
        let text = Text::new(src);
        let mut toks = Vec::new();
        tagger_tokens(&text, 0, &mut toks);
        let words: Vec<&str> = toks.iter().map(|&(a, b)| &src[a..b]).collect();
        assert_eq!(words, ["Putin", "'s", "U.S.", "trip", "ended", "."]);

        let src = "Bashar al-Assad’s US-backed rivals - and anti-Assad ones.";
        let text = Text::new(src);
        let mut toks = Vec::new();
        tagger_tokens(&text, 0, &mut toks);
        let words: Vec<&str> = toks.iter().map(|&(a, b)| &src[a..b]).collect();
        assert_eq!(
            words,
            [
                "Bashar", "al-Assad", "’s", "US", "-", "backed", "rivals", "-", "and", "anti", "-",
                "Assad", "ones", "."
            ]
        );
    }

    #[test]
    fn typographic_possessives_and_quotes_read_as_ascii() {
        assert_eq!(as_trained("’s"), "'s");
        assert_eq!(as_trained("“"), "\"");
        assert_eq!(as_trained("Assad"), "Assad");
        let es =
            entities("Russia and Iran are Syrian President Bashar al-Assad’s strongest backers.");
        let assad = named(&es, "Bashar al-Assad");
        assert_eq!(texts(assad), ["Bashar al-Assad"]);
    }

    #[test]
    fn strip_possessive_removes_only_a_real_suffix() {
        assert_eq!(strip_possessive("Putin's"), ("Putin", true));
        assert_eq!(strip_possessive("Putin’s"), ("Putin", true));
        assert_eq!(strip_possessive("NATO'S"), ("NATO", true));
        assert_eq!(strip_possessive("Putin"), ("Putin", false));
        assert_eq!(strip_possessive("'s"), ("'s", false));
        assert_eq!(strip_possessive("Paris"), ("Paris", false));
    }

    #[test]
    fn known_names_link_to_lexicon_ids() {
        let es = entities("Vladimir Putin flew from Moscow to Iran on Tuesday.");
        let putin = named(&es, "Vladimir Putin");
        assert_eq!(
            (putin.id.as_str(), putin.entity_type),
            ("Q7747", EntityType::Person)
        );
        let moscow = named(&es, "Moscow");
        assert_eq!(
            (moscow.id.as_str(), moscow.entity_type),
            ("geonames:524901", EntityType::Location)
        );
        let iran = named(&es, "Iran");
        assert_eq!(
            (iran.id.as_str(), iran.entity_type),
            ("geonames:130758", EntityType::Location)
        );
    }

    #[test]
    fn unknown_names_get_a_local_id_from_type_and_name() {
        let es = entities("Talks were led by Marta Kowalczyk, the deputy minister.");
        let e = named(&es, "Marta Kowalczyk");
        assert_eq!(e.id, "newsflow:person:marta-kowalczyk");
        assert_eq!(e.entity_type, EntityType::Person);
    }

    #[test]
    fn aliases_and_adjectives_of_one_entry_form_one_entity() {
        let es = entities(
            "Putin arrived late. Vladimir Putin then spoke, and Putin left after an hour.",
        );
        let putin: Vec<&Entity> = es.iter().filter(|e| e.id == "Q7747").collect();
        assert_eq!(putin.len(), 1, "{es:?}");
        assert_eq!(texts(putin[0]), ["Putin", "Vladimir Putin", "Putin"]);
        assert_eq!(putin[0].name, "Vladimir Putin");

        let es = entities("Iranian officials said Iran would keep talking.");
        let iran = named(&es, "Iran");
        assert_eq!(texts(iran), ["Iranian", "Iran"]);
        assert_eq!(es.iter().filter(|e| e.id == "geonames:130758").count(), 1);
    }

    #[test]
    fn possessive_is_a_mention_without_the_s() {
        let src = "Putin's aides stayed behind while Putin’s car left.";
        let es = entities(src);
        let putin = named(&es, "Vladimir Putin");
        assert_eq!(texts(putin), ["Putin", "Putin"]);
        assert_eq!((putin.mentions[0].start, putin.mentions[0].end), (0, 5));
        assert_mentions_match(src, &es);

        // A name the lexicon does not know relies on the tagger's tokens alone.
        let src = "Marta Kowalczyk's plan was approved. Kowalczyk’s aides cheered.";
        let es = entities(src);
        assert_eq!(
            texts(named(&es, "Marta Kowalczyk")),
            ["Marta Kowalczyk", "Kowalczyk"]
        );
        assert_mentions_match(src, &es);
    }

    #[test]
    fn mention_offsets_are_characters_not_bytes() {
        let src = "Café owners in Türkiye met Putin’s envoy. Putin’s envoy left.";
        let es = entities(src);
        let putin = named(&es, "Vladimir Putin");
        // "Café" and "Türkiye" hold two-byte characters: byte offsets would be 29 and 46.
        assert_eq!(putin.mentions[0].start, 27);
        assert_eq!(texts(named(&es, "Turkey")), ["Türkiye"]);
        assert_mentions_match(src, &es);
    }

    #[test]
    fn leading_title_is_left_out_of_a_known_name() {
        let es = entities("President Vladimir Putin flew home.");
        let putin = named(&es, "Vladimir Putin");
        assert_eq!(texts(putin), ["Vladimir Putin"]);
        assert_eq!(putin.mentions[0].start, "President ".len());
    }

    #[test]
    fn acronym_in_parentheses_joins_an_unknown_organisation() {
        let src = "The Baltic Grain Exchange (BGX) opened a new office. Analysts at BGX expect more trade.";
        let es = entities(src);
        let e = named(&es, "Baltic Grain Exchange");
        assert_eq!(e.id, "newsflow:organization:baltic-grain-exchange");
        assert_eq!(e.entity_type, EntityType::Organization);
        assert_eq!(texts(e), ["Baltic Grain Exchange", "BGX", "BGX"]);
        assert_eq!(es.len(), 1, "{es:?}");
        assert_mentions_match(src, &es);
    }

    #[test]
    fn acronym_of_a_known_organisation_is_one_entity() {
        let es = entities(
            "The National Iranian Oil Company (NIOC) cut exports on Monday. NIOC said the cut would last a month.",
        );
        let e = named(&es, "National Iranian Oil Company");
        assert_eq!(e.entity_type, EntityType::Organization);
        assert_eq!(texts(e), ["National Iranian Oil Company", "NIOC", "NIOC"]);
        assert!(!es.iter().any(|e| e.name == "NIOC"), "{es:?}");
    }

    #[test]
    fn bare_surname_joins_the_earlier_full_name() {
        let es = entities(
            "Talks were led by Marta Kowalczyk, the deputy minister. Kowalczyk told reporters the talks went well.",
        );
        let e = named(&es, "Marta Kowalczyk");
        assert_eq!(texts(e), ["Marta Kowalczyk", "Kowalczyk"]);
        assert_eq!(e.entity_type, EntityType::Person);
        assert!(!es.iter().any(|e| e.name == "Kowalczyk"), "{es:?}");
    }

    #[test]
    fn surname_before_the_full_name_stays_apart() {
        let es = entities("Kowalczyk spoke first. Later Marta Kowalczyk spoke again.");
        assert_eq!(texts(named(&es, "Marta Kowalczyk")), ["Marta Kowalczyk"]);
        assert_eq!(texts(named(&es, "Kowalczyk")), ["Kowalczyk"]);
    }

    #[test]
    fn salience_is_scaled_to_one_and_favours_frequent_entities() {
        // Turkey: three mentions (one as an adjective); Iran: two, though first.
        let es = entities(
            "Iran and Turkey signed a deal. Turkey welcomed it; Turkish officials smiled. Iran said little.",
        );
        let names: Vec<&str> = es.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Turkey", "Iran"]);
        assert_eq!(es[0].salience, 1.0);
        assert!(
            es[1].salience > 0.0 && es[1].salience < 1.0,
            "{}",
            es[1].salience
        );
    }

    #[test]
    fn salience_favours_earlier_first_mention_at_equal_frequency() {
        let es = entities(
            "Ministers from Austria, Hungary and Slovakia met. They spoke for an hour about grain, gas and roads.",
        );
        let names: Vec<&str> = es.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Austria", "Hungary", "Slovakia"]);
        assert_eq!(es[0].salience, 1.0);
        assert!(
            es[0].salience > es[1].salience && es[1].salience > es[2].salience,
            "{es:?}"
        );
        assert!(es.iter().all(|e| e.salience > 0.0 && e.salience <= 1.0));
    }

    #[test]
    fn masked_spans_contribute_no_mentions() {
        let src =
            "Iran and Turkey signed a deal. Photo: Mehmet Aydin in Germany. Turkey welcomed it.";
        let caption = "Photo: Mehmet Aydin in Germany.";
        let start = src.find(caption).unwrap();
        let masks = Masks::new([Span::new(start, start + caption.len())]);
        let es = recognize(test_lexicon(), model(), &Text::new(src), &masks);
        let names: Vec<&str> = es.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Turkey", "Iran"]);
        let caption_chars =
            src[..start].chars().count()..src[..start + caption.len()].chars().count();
        for e in &es {
            for m in &e.mentions {
                assert!(
                    m.end <= caption_chars.start || m.start >= caption_chars.end,
                    "{m:?}"
                );
            }
        }
        assert_eq!(texts(named(&es, "Turkey")), ["Turkey", "Turkey"]);
        // Unmasked, the caption's names are found: the mask is what removes them.
        let unmasked = entities(src);
        assert!(unmasked.iter().any(|e| e.name == "Germany"), "{unmasked:?}");
    }
}
