//! Stock tickers: Reuters instrument codes (`GAZP.MM`, `7203.T`) and
//! exchange listings (`(NYSE: XOM)`).
//!
//! Capitals, a dot and capitals is also how initialisms and domains are
//! written, so a RIC is refused inside a dotted chain (`U.S.A.`) or with a
//! top-level domain (`CNN.COM`), and an exchange listing counts only inside
//! brackets or a list, where it is unambiguous.

use super::numbers::{is_space, normalize_space};
use super::{FoundValue, ValueKind};

/// Whether a match starting with a digit is a numeric RIC (`7203.T`):
/// digits, a dot, capitals.
pub(super) fn is_numeric_ric(s: &str) -> bool {
    s.split_once('.').is_some_and(|(code, exch)| {
        !code.is_empty()
            && code.bytes().all(|c| c.is_ascii_digit())
            && !exch.is_empty()
            && exch.bytes().all(|c| c.is_ascii_uppercase())
    })
}

/// An exchange listing `EXCHANGE: SYMBOL`, split at the colon into `exch`
/// and `sym`.
pub(super) fn exchange_listing(
    text: &str,
    start: usize,
    end: usize,
    exch: &str,
    sym: &str,
    out: &mut Vec<FoundValue>,
) {
    // Only inside a listing: "(NYSE: XOM)", "(NYSE: IMO, TSX: IMO)".
    let before = text[..start].trim_end_matches(is_space);
    if before.ends_with(['(', '[', ',', ';', '/']) {
        out.push(FoundValue {
            kind: ValueKind::Ticker,
            start,
            end,
            normalized: sym.trim_matches(is_space).to_string(),
            amount: None,
            unit: Some(normalize_space(exch).to_uppercase()),
        });
    }
}

/// A capitalised code with a dot (`GAZP.MM`, `BRKa.N`).
pub(super) fn word_ric(text: &str, start: usize, end: usize, out: &mut Vec<FoundValue>) {
    let s = &text[start..end];
    // A RIC, unless part of a dotted chain or a domain ("U.S.A.",
    // "WWW.CNN.COM", "CNN.COM").
    let after = &text[end..];
    let dotted_after =
        after.starts_with('.') && after[1..].starts_with(|c: char| c.is_alphanumeric());
    let domain = s.ends_with(".COM")
        || s.ends_with(".ORG")
        || s.ends_with(".NET")
        || s.ends_with(".GOV")
        || s.ends_with(".EDU")
        || s.ends_with(".INT");
    if s.contains('.') && !text[..start].ends_with('.') && !dotted_after && !domain {
        out.push(ric_value(start, s));
    }
}

pub(super) fn ric_value(start: usize, code: &str) -> FoundValue {
    let suffix = code.rsplit('.').next().unwrap_or("");
    FoundValue {
        kind: ValueKind::Ticker,
        start,
        end: start + code.len(),
        normalized: code.to_string(),
        amount: None,
        unit: Some(suffix.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use crate::enrich::values::tests::{one, run};
    use crate::enrich::values::{find_values, ValueKind};

    #[test]
    fn tickers() {
        for (text, norm, unit) in [
            ("Gazprom GAZP.MM said", "GAZP.MM", "MM"),
            ("Exxon (XOM.N) rose", "XOM.N", "N"),
            ("Vodafone VOD.L fell", "VOD.L", "L"),
            ("Toyota 7203.T gained", "7203.T", "T"),
            ("Tencent 0700.HK dipped", "0700.HK", "HK"),
            ("Exxon Mobil (NYSE: XOM) said", "XOM", "NYSE"),
            ("Apple (NASDAQ:AAPL) said", "AAPL", "NASDAQ"),
            ("BP (LSE: BP) said", "BP", "LSE"),
        ] {
            let v = one(text, None);
            assert_eq!(v.kind, ValueKind::Ticker, "{text}");
            assert_eq!(v.normalized, norm, "{text}");
            assert_eq!(v.unit.as_deref(), Some(unit), "{text}");
        }
        let text = "Exxon Mobil (NYSE: XOM) said";
        let v = one(text, None);
        assert_eq!(&text[v.start..v.end], "NYSE: XOM");
        let found = run("Imperial (NYSE: IMO, TSX: IMO) said", None);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].0, "TSX: IMO");
        // Initialisms are not tickers; an exchange name outside parentheses is not a listing.
        assert!(find_values("The U.S. and U.K. and E.U. met.", None).is_empty());
        assert!(find_values("shares on the NYSE: XOM fell", None).is_empty());
    }
}
