//! Reading the text the grammar matched: spaces, numbers with their
//! separators, ranges and scale words, and exact decimal output.
//!
//! The input is text already validated by [`super::grammar::VALUE_RE`], so
//! these helpers walk bytes without re-checking the grammar. Normalised
//! numbers are written by exact decimal arithmetic ([`write_decimal`]), not
//! floats, so the same amount is the same string in every article.

use super::tables::SCALES;

pub(super) fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{a0}' | '\u{202f}')
}

/// Skips one space-like character at `i`.
pub(super) fn skip_space(s: &str, i: usize) -> usize {
    match s[i..].chars().next() {
        Some(c) if is_space(c) => i + c.len_utf8(),
        _ => i,
    }
}

/// Skips one space-like character or hyphen at `i`.
pub(super) fn skip_separator(s: &str, i: usize) -> usize {
    match s[i..].chars().next() {
        Some(c) if is_space(c) || c == '-' => i + c.len_utf8(),
        _ => i,
    }
}

/// End of the number starting at `i` (digits, `,ddd` groups, decimals).
pub(super) fn number_end(s: &str, i: usize) -> usize {
    let b = s.as_bytes();
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut j = i + digits(i);
    if j - i <= 3 {
        while b.get(j) == Some(&b',') && digits(j + 1) == 3 {
            j += 4;
        }
    }
    if b.get(j) == Some(&b'.') && digits(j + 1) > 0 {
        j += 1 + digits(j + 1);
    }
    j
}

/// End of a range separator (`-`, `–`, ` to `) at `i`, if there is one.
pub(super) fn range_end(s: &str, i: usize) -> Option<usize> {
    let j = skip_space(s, i);
    let rest = &s[j..];
    if let Some(r) = rest.strip_prefix('-').or_else(|| rest.strip_prefix('–')) {
        return Some(skip_space(s, s.len() - r.len()));
    }
    if j > i {
        if let Some(r) = rest.strip_prefix("to") {
            let k = s.len() - r.len();
            let after = skip_space(s, k);
            if after > k {
                return Some(after);
            }
        }
    }
    None
}

/// A scale word at `i` (after an optional separator): its power of ten and
/// end.
pub(super) fn scale_at(s: &str, i: usize) -> Option<(i32, usize)> {
    for from in [skip_separator(s, i), i] {
        let rest = &s[from..];
        for &(w, e) in SCALES {
            if rest.starts_with(w)
                && !rest[w.len()..].starts_with(|c: char| c.is_ascii_alphanumeric())
            {
                return Some((e, from + w.len()));
            }
        }
    }
    None
}

/// Start and end of each run of ASCII digits in `s`.
pub(super) fn digit_runs(s: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let b = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && !b[i].is_ascii_digit() {
            i += 1;
        }
        if i == b.len() {
            return None;
        }
        let a = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        Some((a, i))
    })
}

/// Small unsigned integer from ASCII digits (dates only).
pub(super) fn num(s: &str) -> u32 {
    s.bytes().take_while(u8::is_ascii_digit).fold(0u32, |n, b| {
        n.saturating_mul(10).saturating_add(u32::from(b - b'0'))
    })
}

/// `s` with every run of whitespace as one space (borrowed when it already is).
pub(super) fn normalize_space(s: &str) -> std::borrow::Cow<'_, str> {
    let plain = !s.contains(|c: char| c.is_whitespace() && c != ' ') && !s.contains("  ");
    if plain {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for (i, w) in s.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
    std::borrow::Cow::Owned(out)
}

/// Appends `digits` (ASCII digits, `,` separators, one `.`) times `10^exp`
/// to `out`: no exponent, integers without decimals, otherwise rounded
/// half-up to at most two decimals. Exact decimal arithmetic; false (and
/// nothing written) for more than 30 digits.
pub(super) fn write_decimal(digits: &str, exp: i32, out: &mut String) -> bool {
    let mut mant: u128 = 0;
    let mut frac_digits: i32 = 0;
    let mut in_frac = false;
    let mut count = 0;
    for b in digits.bytes() {
        match b {
            b'0'..=b'9' => {
                count += 1;
                if count > 30 {
                    return false;
                }
                mant = mant * 10 + u128::from(b - b'0');
                if in_frac {
                    frac_digits += 1;
                }
            }
            b'.' => in_frac = true,
            b',' => {}
            _ => return false,
        }
    }
    let mut e = exp - frac_digits;
    if e < -2 {
        let p = 10u128.pow((-2 - e) as u32);
        mant = (mant + p / 2) / p;
        e = -2;
    }
    while e < 0 && mant % 10 == 0 && mant != 0 {
        mant /= 10;
        e += 1;
    }
    if mant == 0 {
        out.push('0');
        return true;
    }
    let text = mant.to_string();
    if e >= 0 {
        out.push_str(&text);
        out.extend(std::iter::repeat_n('0', e as usize));
    } else {
        let places = (-e) as usize;
        if text.len() <= places {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', places - text.len()));
            out.push_str(&text);
        } else {
            let (int, frac) = text.split_at(text.len() - places);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        }
    }
    true
}
