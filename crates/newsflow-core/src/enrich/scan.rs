//! Whole-word phrase scans: every occurrence of a set of phrases that sits on
//! word boundaries, found with one Aho-Corasick automaton.
//!
//! The lexicon (names) and the taxonomy (storyline phrases) both need "all
//! phrases of a list that occur in this text as whole words". An unanchored
//! overlapping search does this by walking every byte of the text through the
//! automaton, following failure links, and then discards the many matches that
//! start or end inside a word (`Iran` in `Iranian`, `oil` in `toil`).
//!
//! [`WordScanner`] instead walks the automaton *anchored* from each position
//! where a whole-word match can begin: after a non-word character, and only
//! where some phrase starts with the two bytes found there. Few phrases
//! start with a lower-case letter, a space or a digit, and most walks end
//! within a few bytes, so the scan costs a small part of the unanchored one.
//! The matches are the same set: a match on word boundaries starts at one of
//! these positions, and every walk reports each phrase that ends on a word
//! boundary there.

use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{Anchored, BuildError, MatchKind};

use super::text::is_word_char;

/// A compiled phrase list that reports whole-word occurrences.
pub struct WordScanner {
    /// A contiguous NFA: as fast here as a DFA and many times smaller, so it
    /// does not crowd the tagger's weights out of the caches.
    nfa: NFA,
    /// `can_start[b]`: some phrase starts with byte `b`.
    can_start: [bool; 256],
    /// Bit `256 * b0 + b1`: some phrase starts with bytes `b0 b1`, or is the
    /// single byte `b0` (8 KiB). Most walks that pass `can_start` would die
    /// on their second byte (`Th` of `The` in the lexicon); this skips them.
    can_start2: Vec<u64>,
}

impl WordScanner {
    /// Compiles `patterns`; pattern `i` is reported as `i`.
    pub fn new<I, P>(patterns: I, ascii_case_insensitive: bool) -> Result<WordScanner, BuildError>
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        let nfa = NFA::builder()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(ascii_case_insensitive)
            .build(patterns)?;
        let mut can_start = [false; 256];
        let mut can_start2 = vec![0u64; 256 * 256 / 64];
        let start = nfa
            .start_state(Anchored::Yes)
            .expect("an NFA always supports anchored searches");
        for b0 in 0..=255u8 {
            let s1 = nfa.next_state(Anchored::Yes, start, b0);
            if nfa.is_dead(s1) {
                continue;
            }
            can_start[b0 as usize] = true;
            for b1 in 0..=255u8 {
                // From the anchored start, a match one byte in is a one-byte
                // pattern: every second byte must then walk.
                if nfa.is_match(s1) || !nfa.is_dead(nfa.next_state(Anchored::Yes, s1, b1)) {
                    let bit = 256 * b0 as usize + b1 as usize;
                    can_start2[bit / 64] |= 1 << (bit % 64);
                }
            }
        }
        Ok(WordScanner {
            nfa,
            can_start,
            can_start2,
        })
    }

    /// Heap bytes of the automaton.
    pub fn memory_usage(&self) -> usize {
        self.nfa.memory_usage()
    }

    /// False when no phrase can start at byte `p`, judged by its first two bytes.
    #[inline]
    fn may_start_at(&self, bytes: &[u8], p: usize) -> bool {
        match bytes.get(p + 1) {
            Some(&b1) => {
                let bit = 256 * bytes[p] as usize + b1 as usize;
                self.can_start2[bit / 64] >> (bit % 64) & 1 != 0
            }
            None => self.can_start[bytes[p] as usize],
        }
    }

    /// Calls `found(start, end, pattern)` for every occurrence of a pattern in
    /// `text` whose first character follows a non-word character (or the
    /// start) and whose last is followed by one (or the end), as judged by
    /// [`is_word_char`]. Occurrences come by start, then by end, ascending.
    pub fn for_each(&self, text: &str, mut found: impl FnMut(usize, usize, usize)) {
        let bytes = text.as_bytes();
        let start = self
            .nfa
            .start_state(Anchored::Yes)
            .expect("an NFA always supports anchored searches");
        let mut after_word = false;
        for (p, c) in text.char_indices() {
            if !after_word && self.may_start_at(bytes, p) {
                let mut sid = start;
                for (i, &b) in bytes.iter().enumerate().skip(p) {
                    sid = self.nfa.next_state(Anchored::Yes, sid, b);
                    if !self.nfa.is_special(sid) {
                        continue;
                    }
                    if self.nfa.is_dead(sid) {
                        break;
                    }
                    if self.nfa.is_match(sid) && ends_word(text, i + 1) {
                        let end = i + 1;
                        // A state also holds the patterns that are suffixes of
                        // the path to it; only those starting at `p` count.
                        for k in 0..self.nfa.match_len(sid) {
                            let pid = self.nfa.match_pattern(sid, k);
                            if self.nfa.pattern_len(pid) == end - p {
                                found(p, end, pid.as_usize());
                            }
                        }
                    }
                }
            }
            after_word = is_word_char(c);
        }
    }
}

impl std::fmt::Debug for WordScanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordScanner")
            .field("patterns", &self.nfa.patterns_len())
            .field("memory_usage", &self.memory_usage())
            .finish()
    }
}

/// True when no word character follows byte offset `end`.
#[inline]
fn ends_word(text: &str, end: usize) -> bool {
    // Matches of valid UTF-8 patterns end on character boundaries.
    text[end..].chars().next().is_none_or(|c| !is_word_char(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::AhoCorasick;
    use proptest::prelude::*;

    use crate::enrich::text::on_word_boundaries;

    fn scan(s: &WordScanner, text: &str) -> Vec<(usize, usize, usize)> {
        let mut v = Vec::new();
        s.for_each(text, |a, b, p| v.push((a, b, p)));
        v
    }

    /// The reference: an unanchored overlapping search, filtered.
    fn reference(patterns: &[&str], ci: bool, text: &str) -> Vec<(usize, usize, usize)> {
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(ci)
            .build(patterns)
            .unwrap();
        let mut v: Vec<_> = ac
            .find_overlapping_iter(text)
            .filter(|m| on_word_boundaries(text, m.start(), m.end()))
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn finds_whole_words_only() {
        let pats = [
            "Iran",
            "Iranian",
            "oil",
            "New York",
            "York",
            "New York City",
        ];
        let s = WordScanner::new(pats, false).unwrap();
        let text = "Iranian toil: New York Citywide oil, Iran's New York City.";
        let got = scan(&s, text);
        let words: Vec<&str> = got.iter().map(|&(a, b, _)| &text[a..b]).collect();
        assert_eq!(
            words,
            [
                "Iranian",
                "New York",
                "York",
                "oil",
                "Iran",
                "New York",
                "New York City",
                "York"
            ]
        );
        assert_eq!(got, {
            let mut r = reference(&pats, false, text);
            r.sort_by_key(|&(a, b, _)| (a, b));
            r
        });
    }

    #[test]
    fn case_insensitive_and_non_ascii() {
        let pats = ["grain deal", "Türkiye", "Erdoğan", "é"];
        let s = WordScanner::new(pats, true).unwrap();
        let text = "GRAIN DEAL: Erdoğan of Türkiye, café é Grain Deals";
        assert_eq!(scan(&s, text), reference(&pats, true, text));
        assert_eq!(scan(&s, text).len(), 4);
    }

    #[test]
    fn patterns_with_leading_punctuation() {
        let pats = ["(NIOC)", ".com", "U.S."];
        let s = WordScanner::new(pats, false).unwrap();
        let text = "company (NIOC) said; x.com and (U.S.) U.S.A";
        assert_eq!(scan(&s, text), reference(&pats, false, text));
    }

    proptest! {
        /// Same occurrences as the filtered overlapping search, on texts and
        /// patterns drawn from a small alphabet so that they overlap often.
        #[test]
        fn matches_the_overlapping_search(
            pats in prop::collection::vec("[aAb é.]{1,4}", 1..8),
            text in "[aAbc é.,]{0,40}",
            ci in any::<bool>(),
        ) {
            let refs: Vec<&str> = pats.iter().map(String::as_str).collect();
            let s = WordScanner::new(&refs, ci).unwrap();
            let mut got = scan(&s, &text);
            got.sort();
            prop_assert_eq!(got, reference(&refs, ci, &text));
        }
    }
}
