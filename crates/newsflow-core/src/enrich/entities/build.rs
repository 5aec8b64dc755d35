//! From linked candidates to [`Entity`] records: candidates with one key
//! become one entity (id and name from the lexicon, or a local id and the
//! longest surface for unknown names, typed by majority vote), with every
//! mention in character offsets and a salience that rewards frequency and
//! early first mention, scaled so the most salient entity scores 1.

use rustc_hash::FxHashMap as HashMap;

use crate::article::{Entity, EntityType, Mention};

use super::{Candidate, Key};
use crate::enrich::lexicon::{local_id, Lexicon};
use crate::enrich::text::Text;

/// One entity per key, in order of salience (ties: first mention first).
/// Unknown names whose local id equals another entity's id are merged into it.
pub(super) fn build_entities(lex: &Lexicon, text: &Text<'_>, cands: Vec<Candidate>) -> Vec<Entity> {
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
            let mut geo = None;
            let (id, name, entity_type) = match &acc.key {
                Key::Known(e) => {
                    let entry = &lex.entries[*e];
                    geo = entry.geo.clone();
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
                geo,
                tone: 0.0,
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

#[cfg(test)]
mod tests {
    use super::super::{test_candidate as cand, test_lexicon};
    use super::*;

    fn unknown(s: &str) -> Key {
        Key::Unknown(s.to_owned())
    }

    #[test]
    fn one_key_is_one_entity_named_by_its_longest_surface() {
        let src = "Kowalczyk met Marta Kowalczyk; Kowalczyk left.";
        let key = unknown("Kowalczyk");
        let p = Some(EntityType::Person);
        let cands = vec![
            cand(src, "Kowalczyk", 0, key.clone(), p),
            cand(src, "Marta Kowalczyk", 0, key.clone(), p),
            cand(src, "Kowalczyk", 2, key, p),
        ];
        let es = build_entities(test_lexicon(), &Text::new(src), cands);
        assert_eq!(es.len(), 1);
        assert_eq!(es[0].name, "Marta Kowalczyk");
        assert_eq!(es[0].id, "newsflow:person:marta-kowalczyk");
        assert_eq!(es[0].mentions.len(), 3);
        assert_eq!(es[0].salience, 1.0);
    }

    #[test]
    fn known_entries_give_id_name_and_type_whatever_the_votes() {
        let lex = test_lexicon();
        let putin = lex.lookup("Q7747").unwrap();
        let src = "Putin spoke.";
        let cands = vec![cand(
            src,
            "Putin",
            0,
            Key::Known(putin),
            Some(EntityType::Location),
        )];
        let es = build_entities(lex, &Text::new(src), cands);
        assert_eq!(es[0].id, "Q7747");
        assert_eq!(es[0].name, "Vladimir Putin");
        assert_eq!(es[0].entity_type, EntityType::Person);
        assert_eq!(es[0].mentions[0].text, "Putin");
    }

    #[test]
    fn unknown_type_is_the_majority_vote_misc_on_ties_or_none() {
        let src = "Zorva Zorva Zorva. Quell Quell. Brask.";
        let cands = vec![
            cand(src, "Zorva", 0, unknown("Zorva"), Some(EntityType::Person)),
            cand(
                src,
                "Zorva",
                1,
                unknown("Zorva"),
                Some(EntityType::Organization),
            ),
            cand(
                src,
                "Zorva",
                2,
                unknown("Zorva"),
                Some(EntityType::Organization),
            ),
            cand(
                src,
                "Quell",
                0,
                unknown("Quell"),
                Some(EntityType::Location),
            ),
            cand(src, "Quell", 1, unknown("Quell"), Some(EntityType::Misc)),
            cand(src, "Brask", 0, unknown("Brask"), None),
        ];
        let es = build_entities(test_lexicon(), &Text::new(src), cands);
        let types: Vec<(&str, EntityType)> =
            es.iter().map(|e| (e.id.as_str(), e.entity_type)).collect();
        assert_eq!(
            types,
            [
                ("newsflow:organization:zorva", EntityType::Organization),
                ("newsflow:misc:quell", EntityType::Misc),
                ("newsflow:misc:brask", EntityType::Misc),
            ]
        );
    }

    #[test]
    fn mentions_are_in_characters() {
        let src = "Señora Díaz met Núñez. Díaz left.";
        let p = Some(EntityType::Person);
        let cands = vec![
            cand(src, "Díaz", 0, unknown("Díaz"), p),
            cand(src, "Núñez", 0, unknown("Núñez"), p),
            cand(src, "Díaz", 1, unknown("Díaz"), p),
        ];
        let es = build_entities(test_lexicon(), &Text::new(src), cands);
        let diaz = &es[0];
        assert_eq!(diaz.id, "newsflow:person:diaz");
        let spans: Vec<(usize, usize)> = diaz.mentions.iter().map(|m| (m.start, m.end)).collect();
        assert_eq!(spans, [(7, 11), (23, 27)]);
        assert_eq!(es[1].mentions[0].start, 16);
    }

    #[test]
    fn salience_rewards_frequency_and_early_first_mention() {
        // 100 characters; A twice from 0, B once at 50, C once at 90.
        let src = format!("{:<50}{:<40}{:<10}", "Aaa Aaa", "Bbb", "Ccc");
        assert_eq!(src.len(), 100);
        let o = Some(EntityType::Organization);
        let cands = vec![
            cand(&src, "Aaa", 0, unknown("Aaa"), o),
            cand(&src, "Aaa", 1, unknown("Aaa"), o),
            cand(&src, "Bbb", 0, unknown("Bbb"), o),
            cand(&src, "Ccc", 0, unknown("Ccc"), o),
        ];
        let es = build_entities(test_lexicon(), &Text::new(&src), cands);
        let got: Vec<(&str, f64)> = es.iter().map(|e| (e.name.as_str(), e.salience)).collect();
        // raw = ln(1 + mentions) + 0.75 * (1 - first / length), scaled by the
        // largest and rounded to three places.
        let top = 3f64.ln() + 0.75;
        let b = ((2f64.ln() + 0.75 * 0.5) / top * 1000.0).round() / 1000.0;
        let c = ((2f64.ln() + 0.75 * 0.1) / top * 1000.0).round() / 1000.0;
        assert_eq!(got, [("Aaa", 1.0), ("Bbb", b), ("Ccc", c)]);
        assert!(1.0 > b && b > c && c > 0.0);
    }

    #[test]
    fn salience_order_follows_score_not_text_order() {
        let src = "Bbb then Aaa, Aaa and Aaa.";
        let o = Some(EntityType::Organization);
        let cands = vec![
            cand(src, "Bbb", 0, unknown("Bbb"), o),
            cand(src, "Aaa", 0, unknown("Aaa"), o),
            cand(src, "Aaa", 1, unknown("Aaa"), o),
            cand(src, "Aaa", 2, unknown("Aaa"), o),
        ];
        let es = build_entities(test_lexicon(), &Text::new(src), cands);
        let names: Vec<&str> = es.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Aaa", "Bbb"]);
        assert_eq!(es[0].salience, 1.0);
        assert!(es[1].salience > 0.0 && es[1].salience < 1.0);
    }

    #[test]
    fn unknown_name_with_a_known_local_id_merges_into_it() {
        let lex = test_lexicon();
        let peskov = lex.lookup("Dmitry Peskov").unwrap();
        assert_eq!(lex.entries[peskov].id, "newsflow:person:dmitry-peskov");
        let src = "Dmitry Peskov spoke; DMITRY PESKOV shouted; Dmitry Peskov left.";
        let cands = vec![
            cand(src, "Dmitry Peskov", 0, Key::Known(peskov), None),
            cand(
                src,
                "DMITRY PESKOV",
                0,
                unknown("DMITRY PESKOV"),
                Some(EntityType::Person),
            ),
            cand(src, "Dmitry Peskov", 1, Key::Known(peskov), None),
        ];
        let es = build_entities(lex, &Text::new(src), cands);
        assert_eq!(es.len(), 1, "{es:?}");
        assert_eq!(es[0].name, "Dmitry Peskov");
        let texts: Vec<&str> = es[0].mentions.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(texts, ["Dmitry Peskov", "DMITRY PESKOV", "Dmitry Peskov"]);
    }

    #[test]
    fn no_candidates_no_entities() {
        assert!(build_entities(test_lexicon(), &Text::new("Nothing here."), Vec::new()).is_empty());
    }
}
