//! Text geometry: tokens, sentences and byte → character offset mapping.
//!
//! Internally the core works in byte offsets (cheap slicing); the output speaks
//! Unicode-character offsets. [`Text`] holds both views of one string and the
//! token and sentence boundaries every later stage shares.

/// A word or punctuation token, by byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    /// Index of the sentence holding the token.
    pub sentence: u32,
}

/// A string with its tokens, sentences and offset map.
#[derive(Debug)]
pub struct Text<'a> {
    pub src: &'a str,
    pub tokens: Vec<Token>,
    /// Byte ranges of the sentences, in order.
    pub sentences: Vec<(usize, usize)>,
    /// `char_at[b]` is the character offset of byte `b` (valid at char
    /// boundaries and at `src.len()`).
    char_at: Vec<u32>,
}

impl<'a> Text<'a> {
    pub fn new(src: &'a str) -> Text<'a> {
        // Character offset of every byte: count the bytes that start a char.
        let mut char_at = Vec::with_capacity(src.len() + 1);
        let mut n = 0u32;
        for &b in src.as_bytes() {
            if b & 0xC0 != 0x80 {
                n += 1;
            }
            char_at.push(n - 1);
        }
        char_at.push(n);
        let sentences = split_sentences(src);
        let mut tokens = Vec::with_capacity(src.len() / 5);
        for (si, &(s, e)) in sentences.iter().enumerate() {
            tokenize(&src[s..e], s, si as u32, &mut tokens);
        }
        Text {
            src,
            tokens,
            sentences,
            char_at,
        }
    }

    /// Character offset of a byte offset.
    #[inline]
    pub fn char_offset(&self, byte: usize) -> usize {
        self.char_at[byte] as usize
    }

    /// Byte offset of a character offset.
    pub fn byte_offset(&self, char_offset: usize) -> usize {
        // char_at is non-decreasing; the first byte with that char offset.
        self.char_at
            .partition_point(|&c| (c as usize) < char_offset)
    }

    /// Index of the first token starting at or after `byte`.
    pub fn token_at_or_after(&self, byte: usize) -> usize {
        self.tokens.partition_point(|t| t.start < byte)
    }

    /// Index of the sentence containing `byte`.
    pub fn sentence_of(&self, byte: usize) -> usize {
        self.sentences
            .partition_point(|&(_, e)| e <= byte)
            .min(self.sentences.len().saturating_sub(1))
    }

    pub fn token_str(&self, i: usize) -> &'a str {
        let t = self.tokens[i];
        &self.src[t.start..t.end]
    }
}

/// Splits `text` into tokens (byte offsets shifted by `base`): words are runs
/// of letters and digits that may hold one apostrophe or period between
/// letters ("Putin's", "U.S", "GAZP.MM") or a period or comma between digits
/// ("1,200.5"); every other visible character is a token of its own. This is
/// the part of Unicode word segmentation (UAX #29) that news text needs, at a
/// fraction of its cost.
pub fn tokenize(text: &str, base: usize, sentence: u32, out: &mut Vec<Token>) {
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let mut end = i + c.len_utf8();
        if is_word_char(c) {
            let mut prev = c;
            while let Some(&(j, d)) = chars.peek() {
                if is_word_char(d) {
                    end = j + d.len_utf8();
                    prev = d;
                    chars.next();
                    continue;
                }
                let joins = match d {
                    '\'' | '’' | '.' => prev.is_alphabetic(),
                    ',' => prev.is_ascii_digit(),
                    _ => false,
                } || (d == '.' && prev.is_ascii_digit());
                let next = text[j + d.len_utf8()..].chars().next();
                let next_ok = next.is_some_and(|n| {
                    if prev.is_ascii_digit() && matches!(d, '.' | ',') {
                        n.is_ascii_digit()
                    } else {
                        n.is_alphabetic()
                    }
                });
                if joins && next_ok {
                    chars.next();
                    continue;
                }
                break;
            }
        }
        out.push(Token {
            start: base + i,
            end: base + end,
            sentence,
        });
    }
}

/// True when `c` can be part of a word (for boundary checks).
#[inline]
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// True when `src[start..end]` is delimited by non-word characters.
pub fn on_word_boundaries(src: &str, start: usize, end: usize) -> bool {
    let before = src[..start]
        .chars()
        .next_back()
        .is_none_or(|c| !is_word_char(c));
    let after = src[end..].chars().next().is_none_or(|c| !is_word_char(c));
    before && after
}

/// Abbreviations after which a period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "maj", "adm", "gov", "sen",
    "rep", "st", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "no", "vs", "inc", "corp", "co", "ltd", "jr", "sr", "u.s", "u.k", "u.n", "e.g", "i.e",
    "approx", "est", "ft", "mt", "pres", "rev",
];

/// Splits text into sentences: at paragraph breaks, and after `.`, `!` or `?`
/// (optionally followed by closing quotes or brackets) when whitespace and an
/// upper-case letter, digit or opening quote follow, unless the period ends a
/// known abbreviation or a single initial.
pub fn split_sentences(src: &str) -> Vec<(usize, usize)> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let push = |out: &mut Vec<(usize, usize)>, s: usize, e: usize| {
        let seg = &src[s..e];
        let lead = seg.len() - seg.trim_start().len();
        let trail = seg.len() - seg.trim_end().len();
        if s + lead < e - trail {
            out.push((s + lead, e - trail));
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n'
            && i + 1 < bytes.len()
            && src[i + 1..]
                .trim_start_matches([' ', '\t', '\r'])
                .starts_with('\n')
        {
            push(&mut out, start, i);
            start = i + 1;
        } else if matches!(b, b'.' | b'!' | b'?') {
            let mut j = i + 1;
            while j < bytes.len() && matches!(bytes[j], b'"' | b'\'' | b')' | b']') {
                j += 1;
            }
            let rest = &src[j..];
            let after_ws = rest.trim_start();
            if j < bytes.len() && after_ws.len() < rest.len() {
                let next = after_ws.chars().next();
                let starts_sentence = next.is_some_and(|c| {
                    c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '“' | '‘' | '\'')
                });
                if starts_sentence && !(b == b'.' && is_abbreviation(&src[start..i])) {
                    push(&mut out, start, j);
                    start = j;
                }
            }
            i = j.max(i + 1);
            continue;
        }
        i += 1;
    }
    push(&mut out, start, src.len());
    out
}

/// True for a word that is a known abbreviation when followed by a period.
pub fn is_abbreviation_word(w: &str) -> bool {
    ABBREVIATIONS.contains(&w.to_ascii_lowercase().as_str())
}

fn is_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"')
        .next()
        .unwrap_or("");
    if word.chars().count() == 1 && word.chars().all(char::is_uppercase) {
        return true; // an initial: "George W. Bush"
    }
    let lower = word.to_ascii_lowercase();
    ABBREVIATIONS.contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_respect_abbreviations_and_quotes() {
        let s = "Moscow's Feb. 24 invasion began. \"It is close,\" he said. U.S. officials met Mr. Smith.\n\nNew para";
        let got: Vec<&str> = split_sentences(s).iter().map(|&(a, b)| &s[a..b]).collect();
        assert_eq!(
            got,
            vec![
                "Moscow's Feb. 24 invasion began.",
                "\"It is close,\" he said.",
                "U.S. officials met Mr. Smith.",
                "New para"
            ]
        );
    }

    #[test]
    fn char_offsets_follow_multibyte_text() {
        let t = Text::new("al-Assad’s backers in Türkiye");
        let b = "al-Assad’s backers in ".len();
        assert_eq!(t.char_offset(b), "al-Assad’s backers in ".chars().count());
        assert_eq!(t.char_offset(t.src.len()), t.src.chars().count());
        assert!(t
            .tokens
            .iter()
            .any(|tok| &t.src[tok.start..tok.end] == "Türkiye"));
    }

    #[test]
    fn tokens_keep_possessives_initialisms_and_numbers_whole() {
        let s = "Putin's U.S. trip: $40 billion, 1,200.5 tonnes; GAZP.MM al-Assad’s 30-km";
        let mut toks = Vec::new();
        tokenize(s, 0, 0, &mut toks);
        let got: Vec<&str> = toks.iter().map(|t| &s[t.start..t.end]).collect();
        assert_eq!(
            got,
            vec![
                "Putin's",
                "U.S",
                ".",
                "trip",
                ":",
                "$",
                "40",
                "billion",
                ",",
                "1,200.5",
                "tonnes",
                ";",
                "GAZP.MM",
                "al",
                "-",
                "Assad’s",
                "30",
                "-",
                "km"
            ]
        );
    }

    #[test]
    fn word_boundaries() {
        let s = "Iranian oil, Iran's crude";
        assert!(!on_word_boundaries(s, 0, 4));
        assert!(on_word_boundaries(s, 13, 17));
    }
}
