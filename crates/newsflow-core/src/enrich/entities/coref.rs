//! Within-article coreference over the recognised candidates: an acronym
//! defined in parentheses after a name ("National Iranian Oil Company
//! (NIOC)") and a bare surname after a full person name ("Yuri Ushakov" …
//! "Ushakov") take the key of the entity they refer to, so
//! [`super::build`] counts them as mentions of it.

use rustc_hash::FxHashMap as HashMap;

use crate::article::EntityType;

use super::{Candidate, Key};
use crate::enrich::lexicon::Lexicon;

/// "National Iranian Oil Company (NIOC)": the acronym joins the entity before it.
pub(super) fn link_acronyms(src: &str, cands: &mut [Candidate]) {
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

/// The acronym in ` (ABC)` (one space allowed before the parenthesis) at
/// the start of `rest`, if any.
pub(super) fn acronym_after(rest: &str) -> Option<&str> {
    let rest = rest.strip_prefix(' ').unwrap_or(rest).strip_prefix('(')?;
    // An acronym has at most 10 bytes, so only the next 11 can hold the
    // ')': a search to the end of the text for every "Name (" made an
    // article with many unclosed parentheses quadratic.
    let close = rest.bytes().take(11).position(|b| b == b')')?;
    let acr = &rest[..close];
    let ok = (2..=10).contains(&acr.len())
        && acr.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && acr.chars().all(|c| {
            c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '&' | '-' | '.' | '+')
        });
    ok.then_some(acr)
}

/// A bare surname joins the earlier multi-word person it ends.
pub(super) fn link_surnames(lex: &Lexicon, src: &str, cands: &mut [Candidate]) {
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

#[cfg(test)]
mod tests {
    use super::super::{test_candidate as cand, test_lexicon};
    use super::*;

    fn unknown(s: &str) -> Key {
        Key::Unknown(s.to_owned())
    }

    #[test]
    fn acronym_after_reads_a_parenthesised_acronym() {
        assert_eq!(acronym_after(" (NIOC) said"), Some("NIOC"));
        assert_eq!(acronym_after("(NIOC)"), Some("NIOC"));
        assert_eq!(acronym_after(" (OPEC+) met"), Some("OPEC+"));
        assert_eq!(acronym_after(" (U.S.)"), Some("U.S."));
        assert_eq!(acronym_after(" (S&P)"), Some("S&P"));
        assert_eq!(acronym_after(" (G20)"), Some("G20"));
        assert_eq!(acronym_after(" (ABCDEFGHIJ)"), Some("ABCDEFGHIJ")); // ten, the most
    }

    #[test]
    fn acronym_after_rejects_anything_else() {
        assert_eq!(acronym_after(" (Reuters) said"), None); // lower case
        assert_eq!(acronym_after(" (A)"), None); // too short
        assert_eq!(acronym_after(" (ABCDEFGHIJK)"), None); // eleven characters
        assert_eq!(acronym_after(" (2022)"), None); // starts with a digit
        assert_eq!(acronym_after(" (NIOC"), None); // not closed
        assert_eq!(acronym_after("  (NIOC)"), None); // two spaces
        assert_eq!(acronym_after(", NIOC"), None); // no parenthesis
        assert_eq!(acronym_after(" (NI OC)"), None); // a space inside
        assert_eq!(acronym_after(""), None);
    }

    #[test]
    fn link_acronyms_gives_later_mentions_the_defining_key() {
        let src = "BGX rose. The Baltic Grain Exchange (BGX) said BGX would grow (BGX).";
        let org = unknown("Baltic Grain Exchange");
        let mut cands = vec![
            cand(src, "BGX", 0, unknown("BGX"), Some(EntityType::Misc)),
            cand(
                src,
                "Baltic Grain Exchange",
                0,
                org.clone(),
                Some(EntityType::Organization),
            ),
            cand(src, "BGX", 1, unknown("BGX"), None),
            cand(src, "BGX", 2, unknown("BGX"), Some(EntityType::Misc)),
        ];
        link_acronyms(src, &mut cands);
        // Before the definition: untouched.
        assert_eq!(cands[0].key, unknown("BGX"));
        assert_eq!(cands[0].etype, Some(EntityType::Misc));
        // The defining acronym and every later one: the organisation, typed as it.
        for c in &cands[2..] {
            assert_eq!(c.key, org);
            assert_eq!(c.etype, Some(EntityType::Organization));
        }
    }

    #[test]
    fn link_acronyms_keeps_the_acronyms_own_type_when_the_definer_has_none() {
        let lex = test_lexicon();
        let known = Key::Known(lex.lookup("Q7747").unwrap());
        let src = "Vladimir Putin (VVP) spoke; VVP smiled.";
        let mut cands = vec![
            cand(src, "Vladimir Putin", 0, known.clone(), None),
            cand(
                src,
                "VVP",
                0,
                unknown("VVP"),
                Some(EntityType::Organization),
            ),
            cand(src, "VVP", 1, unknown("VVP"), Some(EntityType::Misc)),
        ];
        link_acronyms(src, &mut cands);
        assert_eq!(cands[1].key, known);
        assert_eq!(cands[1].etype, Some(EntityType::Organization));
        assert_eq!(cands[2].key, known);
        assert_eq!(cands[2].etype, Some(EntityType::Misc));
    }

    #[test]
    fn link_surnames_joins_a_bare_surname_to_the_full_person() {
        let lex = test_lexicon();
        let src = "Marta Kowalczyk spoke. Kowalczyk left.";
        let person = unknown("Marta Kowalczyk");
        let mut cands = vec![
            cand(
                src,
                "Marta Kowalczyk",
                0,
                person.clone(),
                Some(EntityType::Person),
            ),
            cand(
                src,
                "Kowalczyk",
                1,
                unknown("Kowalczyk"),
                Some(EntityType::Organization),
            ),
        ];
        link_surnames(lex, src, &mut cands);
        assert_eq!(cands[1].key, person);
        assert_eq!(cands[1].etype, Some(EntityType::Person));
    }

    #[test]
    fn link_surnames_uses_the_last_part_of_a_hyphenated_name() {
        let lex = test_lexicon();
        let src = "Ana Ruiz-Molina spoke. Molina left.";
        let person = unknown("Ana Ruiz-Molina");
        let mut cands = vec![
            cand(
                src,
                "Ana Ruiz-Molina",
                0,
                person.clone(),
                Some(EntityType::Person),
            ),
            cand(src, "Molina", 1, unknown("Molina"), None),
        ];
        link_surnames(lex, src, &mut cands);
        assert_eq!(cands[1].key, person);
    }

    #[test]
    fn link_surnames_registers_known_people_by_their_type() {
        let lex = test_lexicon();
        let peskov = lex.lookup("Dmitry Peskov").unwrap();
        let src = "Dmitry Peskov spoke. Peskov left.";
        let mut cands = vec![
            cand(src, "Dmitry Peskov", 0, Key::Known(peskov), None),
            cand(src, "Peskov", 1, unknown("Peskov"), Some(EntityType::Misc)),
        ];
        link_surnames(lex, src, &mut cands);
        assert_eq!(cands[1].key, Key::Known(peskov));
        assert_eq!(cands[1].etype, Some(EntityType::Person));
    }

    #[test]
    fn link_surnames_leaves_non_people_and_known_names_alone() {
        let lex = test_lexicon();
        let putin = lex.lookup("Q7747").unwrap();
        let src = "Baltic Grain Exchange opened. Exchange rose. Anna Putin smiled at Putin.";
        let mut cands = vec![
            cand(
                src,
                "Baltic Grain Exchange",
                0,
                unknown("Baltic Grain Exchange"),
                Some(EntityType::Organization),
            ),
            cand(
                src,
                "Exchange",
                1,
                unknown("Exchange"),
                Some(EntityType::Misc),
            ),
            cand(
                src,
                "Anna Putin",
                0,
                unknown("Anna Putin"),
                Some(EntityType::Person),
            ),
            cand(src, "Putin", 1, Key::Known(putin), None),
        ];
        link_surnames(lex, src, &mut cands);
        // Not a person: its last word is no surname.
        assert_eq!(cands[1].key, unknown("Exchange"));
        assert_eq!(cands[1].etype, Some(EntityType::Misc));
        // A name the lexicon knows keeps its own entry.
        assert_eq!(cands[3].key, Key::Known(putin));
    }

    #[test]
    fn link_surnames_ignores_a_surname_seen_before_the_full_name() {
        let lex = test_lexicon();
        let src = "Kowalczyk spoke. Marta Kowalczyk left.";
        let mut cands = vec![
            cand(
                src,
                "Kowalczyk",
                0,
                unknown("Kowalczyk"),
                Some(EntityType::Person),
            ),
            cand(
                src,
                "Marta Kowalczyk",
                0,
                unknown("Marta Kowalczyk"),
                Some(EntityType::Person),
            ),
        ];
        link_surnames(lex, src, &mut cands);
        assert_eq!(cands[0].key, unknown("Kowalczyk"));
    }
}
