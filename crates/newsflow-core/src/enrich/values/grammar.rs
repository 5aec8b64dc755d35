//! The grammar of every kind of value as one anchored regex
//! ([`VALUE_RE`]), built from the tables in [`super::tables`] and the
//! fragments below.
//!
//! The regex only validates and delimits a candidate: it has no capture
//! groups, and what it matched is read by the hand parsers in the sibling
//! modules. Context that a regex cannot express cheaply (a preposition
//! before a year or a lone month, Unicode word boundaries, named days) is
//! checked in code after the match.

use std::sync::LazyLock;

use regex::Regex;

use super::tables::{EXCHANGES, PREFIXES, SCALES, TAILS};

const MONTHS: &str = "January|February|March|April|May|June|July|August|September|October|\
November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec";

/// A space inside a value: ordinary, tab, newline, no-break and narrow
/// no-break space.
const SP: &str = r"[\x20\t\n\x{a0}\x{202f}]";

/// A decimal number with optional thousands separators.
const NUM: &str = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?";

/// Regex alternation of `items`, longest first, spaces as [`SP`], a word
/// boundary after items ending in an ASCII letter or digit.
fn alternation<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut items: Vec<&str> = items.collect();
    items.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    items.dedup();
    let parts: Vec<String> = items
        .iter()
        .map(|s| {
            let mut p = regex::escape(s).replace(' ', SP);
            if s.chars().last().is_some_and(|c| c.is_ascii_alphanumeric()) {
                p.push_str(r"(?-u:\b)");
            }
            p
        })
        .collect();
    format!("(?:{})", parts.join("|"))
}

/// The grammar of every kind of value, anchored: it is only run at the
/// trigger positions [`super::scan`] finds (token starts that could begin a value),
/// on `&text[pos..]`. An anchored lazy-DFA search stops within a few bytes,
/// so this costs ~20 ns per trigger, independent of the regex engine's
/// prefilter heuristics (an unanchored search with these alternations ran
/// at ~0.4 GB/s). Groups are non-capturing: the matched text, already
/// validated, is read by the small parsers in the
/// sibling modules.
pub(super) static VALUE_RE: LazyLock<Regex> = LazyLock::new(|| {
    let prefixes = alternation(PREFIXES.iter().map(|p| p.0));
    let scales = alternation(SCALES.iter().map(|s| s.0));
    let tails = alternation(TAILS.iter().map(|t| t.0));
    let exchanges = alternation(EXCHANGES.iter().copied());
    let range = format!(r"(?:{SP}?[-\x{{2013}}]{SP}?|{SP}to{SP})");
    let b = r"(?-u:\b)";
    let pattern = format!(
        r"
        # ISO date, numeric RIC, day-month(-year)
         {b}[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}{b}
        |{b}[0-9]{{4,6}}\.[A-Z]{{1,3}}{b}
        |{b}[0-9]{{1,2}}(?:st|nd|rd|th)?(?:{SP}of)?{SP}(?:{MONTHS}){b}(?:\.?,?{SP}[0-9]{{4}}{b})?
        # money with a currency sign or code before the number
        |{prefixes}{SP}?{NUM}(?:{range}{prefixes}?{SP}?{NUM})?
            (?:(?:{SP}|-)?{scales}|[kKmMbB]{b})?
        # number (range) (scale) unit, currency word or percent
        |{b}(?:{NUM}{range})?{NUM}(?:(?:{SP}|-)?{scales})?(?:{SP}|-)?{tails}
        # a year (needs a preposition, checked in code)
        |{b}(?:19|20)[0-9]{{2}}{b}
        # month-first dates
        |{b}(?:{MONTHS}){b}(?:\.?{SP}[0-9]{{1,2}}(?:st|nd|rd|th)?{b}(?:,?{SP}[0-9]{{4}}{b})?
                           |\.?,?{SP}(?:of{SP})?[0-9]{{4}}{b})?
        |{b}(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday){b}
        |{b}(?:[Tt]oday|[Yy]esterday|[Tt]omorrow){b}
        # tickers
        |{b}[A-Z]{{2,6}}[a-z]?\.[A-Z]{{1,3}}{b}
        |{b}{exchanges}{SP}?:{SP}?(?:[A-Z]{{1,6}}(?:\.[A-Z]{{1,2}})?|[0-9]{{3,6}}){b}
        "
    );
    Regex::new(&format!("(?x)^(?:{pattern})")).expect("value regex")
});
