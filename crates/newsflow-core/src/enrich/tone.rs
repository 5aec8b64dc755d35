//! Tone: how positive or negative the wording of an article is, as GDELT
//! reports it, from the VADER sentiment lexicon (`data/tone/lexicon.tsv`,
//! MIT; see its README and NOTICE).
//!
//! `positive` and `negative` are the percentages of the body's words that
//! carry positive or negative sentiment in the lexicon, `polarity` their
//! difference. Counting words, rather than summing valences, is GDELT's
//! choice too: the figure reads as "3 % of the words were negative" and does
//! not depend on the lexicon's scale. A sentiment word within three words
//! after a negation ("not", "never", "without", "didn't", …) counts for the
//! other side, as in VADER ("did not help" is negative). VADER's intensity
//! rules (capitals, exclamation marks, boosters) are left out: they are
//! tuned for social media, and newswire rarely uses them.
//!
//! Each entity's tone is the polarity of the sentences that mention it, a
//! cheap and transparent stand-in for aspect-level sentiment. Captions are
//! left out like everywhere else, and so are the words of entity mentions
//! ("United" in United States, "Supreme" in Supreme Leader, "Peace" in a
//! prize's name): the enricher masks them.
//!
//! Cost: one hash lookup per word, on a lower-cased copy only when the word
//! has capitals.

use rustc_hash::FxHashMap;

use crate::article::Tone;
use crate::span::{Masks, Span};

use super::text::Text;

/// The lexicon compiled into the binary.
pub const DEFAULT_LEXICON: &str = include_str!("../../../../data/tone/lexicon.tsv");

/// Words after a negation that it reaches.
pub const NEGATION_REACH: usize = 3;

/// Negations, lower case (VADER's list without the contraction spellings
/// lacking an apostrophe, which newswire does not use, and without
/// "despite", which concedes rather than negates).
const NEGATIONS: &[&str] = &[
    "not",
    "no",
    "never",
    "none",
    "nothing",
    "nowhere",
    "neither",
    "nor",
    "without",
    "cannot",
    "rarely",
    "seldom",
    "ain't",
    "aren't",
    "can't",
    "couldn't",
    "daren't",
    "didn't",
    "doesn't",
    "don't",
    "hadn't",
    "hasn't",
    "haven't",
    "isn't",
    "mightn't",
    "mustn't",
    "needn't",
    "oughtn't",
    "shan't",
    "shouldn't",
    "wasn't",
    "weren't",
    "won't",
    "wouldn't",
];

/// Word → valence (−4 … +4).
#[derive(Debug, Clone)]
pub struct ToneLexicon {
    words: FxHashMap<Box<str>, f32>,
}

/// The sentiment words of one sentence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SentenceTone {
    pub positive: u32,
    pub negative: u32,
    pub words: u32,
}

impl SentenceTone {
    fn add(&mut self, other: SentenceTone) {
        self.positive += other.positive;
        self.negative += other.negative;
        self.words += other.words;
    }

    /// As percentages, rounded to 3 decimals.
    pub fn tone(self) -> Tone {
        let pct = |n: u32| {
            if self.words == 0 {
                0.0
            } else {
                (n as f64 * 100_000.0 / self.words as f64).round() / 1000.0
            }
        };
        let (positive, negative) = (pct(self.positive), pct(self.negative));
        Tone {
            positive,
            negative,
            polarity: ((positive - negative) * 1000.0).round() / 1000.0,
        }
    }
}

impl ToneLexicon {
    /// Parses the `word<TAB>valence` table (first line the header).
    pub fn parse(text: &str) -> Result<ToneLexicon, String> {
        let mut lines = text.lines();
        if lines.next().map(str::trim_end) != Some("word\tvalence") {
            return Err("line 1: header must be \"word\\tvalence\"".into());
        }
        let mut words = FxHashMap::default();
        for (n, line) in lines.enumerate() {
            let (w, v) = line
                .split_once('\t')
                .ok_or_else(|| format!("line {}: expected word<TAB>valence", n + 2))?;
            let v: f32 = v
                .trim()
                .parse()
                .ok()
                .filter(|v: &f32| v.abs() <= 4.0)
                .ok_or_else(|| format!("line {}: valence {v:?} is not in -4..4", n + 2))?;
            words.insert(w.into(), v);
        }
        Ok(ToneLexicon { words })
    }

    /// The lexicon compiled into the binary.
    pub fn embedded() -> ToneLexicon {
        ToneLexicon::parse(DEFAULT_LEXICON).expect("embedded tone lexicon")
    }

    /// Valence of a lower-case word.
    pub fn valence(&self, word: &str) -> Option<f32> {
        self.words.get(word).copied()
    }

    /// The sentiment words of every sentence of `body`. Words in `excluded`
    /// (captions) do not count at all; words in `names` (entity mentions)
    /// count as words but carry no sentiment.
    pub fn sentences(&self, body: &Text<'_>, excluded: &Masks, names: &Masks) -> Vec<SentenceTone> {
        let mut out = vec![SentenceTone::default(); body.sentences.len()];
        let mut lower = String::new();
        // Words since the last negation in the sentence (None: none yet).
        let mut since_negation: Option<usize> = None;
        let mut sentence = u32::MAX;
        for t in &body.tokens {
            if t.sentence != sentence {
                sentence = t.sentence;
                since_negation = None;
            }
            let w = &body.src[t.start..t.end];
            let span = Span::new(t.start, t.end);
            if !w.starts_with(char::is_alphabetic) || excluded.hits(span) {
                continue;
            }
            if names.hits(span) {
                out[t.sentence as usize].words += 1;
                continue;
            }
            let w = if w.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
                lower.clear();
                lower.extend(w.chars().flat_map(char::to_lowercase).map(|c| match c {
                    '\u{2019}' => '\'',
                    c => c,
                }));
                lower.as_str()
            } else {
                w
            };
            let s = &mut out[t.sentence as usize];
            s.words += 1;
            if NEGATIONS.contains(&w) {
                since_negation = Some(0);
                continue;
            }
            let negated = since_negation.is_some_and(|n| n < NEGATION_REACH);
            since_negation = since_negation.map(|n| n + 1);
            match self.valence(w) {
                Some(v) if (v > 0.0) != negated => s.positive += 1,
                Some(v) if v != 0.0 => s.negative += 1,
                _ => {}
            }
        }
        out
    }
}

/// The tone of a whole body from its sentences.
pub fn overall(sentences: &[SentenceTone]) -> Tone {
    let mut all = SentenceTone::default();
    for &s in sentences {
        all.add(s);
    }
    all.tone()
}

/// The polarity over the given sentences (each counted once).
pub fn polarity_of(sentences: &[SentenceTone], ids: impl IntoIterator<Item = usize>) -> f64 {
    let mut ids: Vec<usize> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut sum = SentenceTone::default();
    for i in ids {
        if let Some(&s) = sentences.get(i) {
            sum.add(s);
        }
    }
    sum.tone().polarity
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tones(src: &str) -> Vec<SentenceTone> {
        ToneLexicon::embedded().sentences(&Text::new(src), &Masks::none(), &Masks::none())
    }

    #[test]
    fn words_count_for_their_side_and_negation_flips_them() {
        let s = tones("The talks were a success. The talks were not a success.");
        assert_eq!(
            s[0],
            SentenceTone {
                positive: 1,
                negative: 0,
                words: 5
            }
        );
        assert_eq!(s[1].negative, 1, "{s:?}");
        assert_eq!(s[1].positive, 0);
        // Negation reaches three words, not the whole sentence: "not stop"
        // is positive, and so are "great" and "relief" further on.
        let far = tones("It did not stop the rain, which was a great relief.");
        assert_eq!((far[0].positive, far[0].negative), (3, 0), "{far:?}");
        let near = tones("It did not bring great relief.");
        assert_eq!((near[0].positive, near[0].negative), (0, 2), "{near:?}");
        assert_eq!(tones("He didn\u{2019}t help.")[0].negative, 1);
    }

    #[test]
    fn tone_is_in_percent_of_words_and_polarity_their_difference() {
        let s = tones("War and death. Peace at last, a good day.");
        let t = overall(&s);
        // 9 words: war, death negative; peace, good positive.
        assert_eq!(t.negative, 22.222);
        assert_eq!(t.positive, 22.222);
        assert_eq!(t.polarity, 0.0);
        assert_eq!(polarity_of(&s, [0, 0]), -66.667);
        assert_eq!(polarity_of(&s, []), 0.0);
    }

    #[test]
    fn masked_words_and_bad_tables_do_not_count() {
        let src = "A terrible photo caption. Fine.";
        let masked = Masks::new([Span::new(0, 25)]);
        let s = ToneLexicon::embedded().sentences(&Text::new(src), &masked, &Masks::none());
        assert_eq!(s.iter().map(|s| s.negative).sum::<u32>(), 0);
        assert_eq!(s.iter().map(|s| s.words).sum::<u32>(), 1, "{s:?}");
        // A name is a word without sentiment.
        let src = "The United Nations met.";
        let names = Masks::new([Span::new(4, 18)]);
        let s = ToneLexicon::embedded().sentences(&Text::new(src), &Masks::none(), &names);
        assert_eq!(
            s[0],
            SentenceTone {
                positive: 0,
                negative: 0,
                words: 4
            }
        );
        assert!(ToneLexicon::parse("w\tv\n").is_err());
        let e = ToneLexicon::parse("word\tvalence\ngood\t9\n").unwrap_err();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn the_embedded_lexicon_has_vader_values() {
        let l = ToneLexicon::embedded();
        assert_eq!(l.valence("good"), Some(1.9));
        assert_eq!(l.valence("war"), Some(-2.9));
        assert!(l.words.len() > 7000);
    }
}
