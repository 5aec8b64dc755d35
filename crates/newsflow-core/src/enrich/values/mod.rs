//! Numeric and temporal values in English news text: money, quantities,
//! percentages, dates and stock tickers.
//!
//! Downstream consumers (search facets, story comparison, "how big / when"
//! summaries) need the *values* an article states, not just its entities:
//! "$40 billion", "40 million barrels", "3.5%", "Feb. 24", "GAZP.MM". This
//! module finds them with byte-exact spans and a normalised form that is
//! comparable across articles and spellings.
//!
//! # What is found
//!
//! | kind | examples | `normalized` | `amount` | `unit` |
//! |---|---|---|---|---|
//! | [`ValueKind::Money`] | `$40 billion`, `£300m`, `US$ 3 million`, `40 billion euros`, `Rs 500 crore` | `"USD 40000000000"` | `40e9` | ISO 4217 code |
//! | [`ValueKind::Quantity`] | `40 million barrels`, `30-km`, `500,000 bpd`, `40 bcm` | `"40000000 barrel"` | the number | canonical singular unit (`barrel`, `barrel/day`, `km`, `tonne`, `m3`, `MW`, …) |
//! | [`ValueKind::Percent`] | `3.5%`, `3.5 per cent`, `50 basis points`, `2 percentage points` | `"3.5"` | the number | `%`, `bp` or `pp` |
//! | [`ValueKind::Date`] | `November 23, 2015`, `23 November 2015`, `Feb. 24`, `In May`, `May 2022`, `in 2018`, `Tuesday`, `yesterday`, `2022-07-19` | ISO 8601, as specific as the text: `2015-11-23`, `2022-05`, `2018` | `None` | `None` |
//! | [`ValueKind::Ticker`] | `GAZP.MM`, `7203.T`, `(NYSE: XOM)` | the code: `GAZP.MM`, `XOM` | `None` | RIC suffix (`MM`) or exchange (`NYSE`) |
//!
//! Numbers are normalised exactly (decimal arithmetic, not floats): thousands
//! separators are removed, scale words and abbreviations (`thousand`,
//! `million`, `billion`, `trillion`, `mn`/`mln`, `bn`/`bln`, `tn`, `crore`,
//! `lakh`; single-letter `k`/`m`/`b` only when glued to a currency-symbol
//! amount such as `£300m`) are multiplied out, integers are written without
//! decimals and anything else is rounded to at most two decimals. Units with
//! a built-in scale are multiplied out too (`40 bcm` → `"40000000000 m3"`,
//! `5 mtpa` → `"5000000 tonne/year"`).
//!
//! A range shares its scale, currency and unit: `$40-50 billion` yields two
//! money values, `$40` → `USD 40000000000` and `50 billion` →
//! `USD 50000000000`; `2-3%` yields `2` and `3%`.
//!
//! # Precision rules
//!
//! * A bare number is never a value; it needs a currency, a unit, a percent
//!   sign/word or a date context. Years need a preposition
//!   (`in|since|by|until|till|from|before|after|of|during|through`, optionally
//!   followed by `early|late|mid`): `in 2018`, `by mid-2023`.
//! * Matches never start or end inside a word (Unicode-aware check), and
//!   nothing is read right after a hyphen that ends a capitalised word
//!   (`Su-30`, `COVID-19`, `MiG-29`; `mid-2023` and `mid-May` are fine).
//! * Month names must be capitalised. A month on its own (`February`) must be
//!   spelled out and not be followed by a capitalised word (`June Carter`);
//!   `May` on its own additionally needs a preceding
//!   `in|by|since|until|till|from|last|next|early|late|mid|end|during|through|before|after|this`
//!   (so neither the modal "may" nor "Theresa May" fires). Abbreviations
//!   (`Jan.`, `Feb`) need a day or year.
//! * Weekdays: plural (`Tuesdays`) and named days (`Super Tuesday`,
//!   `Black Friday`, `Good Friday`, …) are skipped. Capitalised
//!   `Today`/`Tomorrow`/`Yesterday` count only at a sentence or line start
//!   (mid-sentence they are usually names: "USA Today", BBC's "Today").
//! * **Pounds**: `£`, `pounds sterling`, `sterling`, `British pounds`, `pence` are
//!   GBP money; `Egyptian/Lebanese/Syrian/Sudanese pounds` are their
//!   currencies; a bare `N pounds`/`N lbs` is a *weight* (`Quantity`, unit
//!   `lb`). `¥` is read as JPY (use `yuan`/`renminbi`/`CNY` for CNY); bare
//!   `N won` counts as KRW only with a scale word (`5 trillion won`).
//!
//! # Spans
//!
//! Spans are the surface text of the value only: the preposition that
//! licensed a month or year is not included (`In May` → `May`, `in 2018` →
//! `2018`), nor is a possessive (`Tuesday's` → `Tuesday`) or sentence
//! punctuation. An abbreviation's dot is included only inside the value
//! (`Feb. 24`). Exchange tickers span `NYSE: XOM` without the parentheses,
//! so `(NYSE: XOM, TSX: IMO)` gives two tickers. A leading minus belongs to
//! a percentage (`-0.5%`). Results are sorted by start and never overlap;
//! where candidates overlap the longest wins (`5 May 2022` beats `May 2022`).
//!
//! # Date resolution
//!
//! `published` (the article's publication date) anchors partial dates:
//!
//! * month-day (`Feb. 24`) and month (`In May`) take the publication year,
//!   unless that lands more than 62 days after `published`, in which case
//!   the previous year is used (published 2023-01-10: `Dec. 28` →
//!   `2022-12-28`). `last May`/`next May` pick the previous/next such month.
//! * weekdays resolve to the day with that name within ±3 days of
//!   `published` (a Tuesday article's `Tuesday` is the same day; published
//!   Monday 2024-03-04, `Friday` → 2024-03-01, `Wednesday` → 2024-03-06).
//! * `today`/`yesterday`/`tomorrow` are offsets from `published`.
//!
//! Without `published`, month-day becomes the ISO partial `--MM-DD`, a bare
//! month `--MM`, a weekday its lowercase name (`tuesday`), and
//! `today`/`yesterday`/`tomorrow` are skipped.
//!
//! # Known limits
//!
//! * Month ranges give their first month only (`April-June quarter` →
//!   `April`); a month after a hyphen following a capitalised word is
//!   skipped, like model numbers.
//! * Year resolution is purely the 62-day rule: `due by April` in a July
//!   article is resolved to the past April, `Nov. 20` to the previous
//!   November.
//! * `cents` is read as USD and `pence` as GBP; bare `pesos`, `dinars`,
//!   `crowns` and `CFA francs` are not resolved (no unambiguous currency).
//! * Indian digit grouping (`1,00,000`) is not parsed.
//!
//! # Cost
//!
//! One pass over the bytes finds trigger positions (the start of a number,
//! a currency sign, a capitalised month or weekday name, an all-capitals
//! code, `today`/`yesterday`/`tomorrow`); a precompiled, anchored regex
//! holding the whole grammar is run at each (a few bytes of lazy DFA, no
//! capture groups) and the matched text is read by small hand parsers.
//! Release build, 4 KB: ~7 µs for a typical article (~10 values), ~17 µs
//! for the reference paragraph repeated (~55 values).
//!
//! # Layout
//!
//! This file holds the public API and the orchestration: the trigger scan,
//! running the grammar at each trigger and handing what it matched to the
//! parser for its kind. The rest is in submodules:
//!
//! * `tables`: units, currency words, signs and codes, scale words, exchanges.
//! * `grammar`: the one anchored regex, built from the tables.
//! * `numbers`: reading matched text (spaces, numbers, ranges, scale words)
//!   and exact decimal output.
//! * `dates`: dates, weekdays and relative days, and their resolution
//!   against the publication date.
//! * `amounts`: money, quantities and percentages.
//! * `tickers`: RICs and exchange listings.
//! * `boundaries`: word-boundary checks and overlap resolution.

mod amounts;
mod boundaries;
mod dates;
mod grammar;
mod numbers;
mod tables;
mod tickers;

use chrono::NaiveDate;

use amounts::prefix_currency;
use boundaries::{left_ok, resolve_overlaps, right_ok};
use dates::{month_at, weekday};
use grammar::VALUE_RE;
use numbers::number_end;

/// The kind of a [`FoundValue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Money,
    Quantity,
    Percent,
    Date,
    Ticker,
}

/// One value found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundValue {
    pub kind: ValueKind,
    /// Byte offset into the text, on a char boundary.
    pub start: usize,
    /// Exclusive byte offset.
    pub end: usize,
    /// Normalised form: `"USD 40000000000"`, `"40000000 barrel"`, `"3.5"`,
    /// `"2022-02-24"`, `"GAZP.MM"` (see the module documentation).
    pub normalized: String,
    /// The numeric value for money, quantities and percentages.
    pub amount: Option<f64>,
    /// ISO currency, canonical unit, `%`/`bp`/`pp`, or ticker exchange.
    pub unit: Option<String>,
}

/// Finds values in `text`. `published` is the article's publication date, used to resolve
/// relative and partial dates. Results sorted by start, non-overlapping (longest wins).
pub fn find_values(text: &str, published: Option<NaiveDate>) -> Vec<FoundValue> {
    let mut found = Vec::new();
    scan(text, published, &mut found);
    resolve_overlaps(found)
}

// ---------------------------------------------------------------------------
// Scanning
// ---------------------------------------------------------------------------

/// Byte classes for the trigger scan.
const OTHER: u8 = 0;
const LOWER: u8 = 1;
const UPPER: u8 = 2;
const DIGIT: u8 = 3;
const DOLLAR: u8 = 4;
const HIGH: u8 = 5;
const UNDERSCORE: u8 = 6;

static CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = match b {
            b'a'..=b'z' => LOWER,
            b'A'..=b'Z' => UPPER,
            b'0'..=b'9' => DIGIT,
            b'$' => DOLLAR,
            b'_' => UNDERSCORE,
            0x80..=0xff => HIGH,
            _ => OTHER,
        };
        i += 1;
    }
    t
};

/// Finds trigger positions (token starts that can begin a value: a digit,
/// a currency sign, or a word accepted by [`word_may_start_value`]) and
/// tries the grammar at each. One pass over the bytes.
fn scan(text: &str, published: Option<NaiveDate>, out: &mut Vec<FoundValue>) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut i = 0;
    let mut prev_alnum = false;
    while i < n {
        match CLASS[usize::from(bytes[i])] {
            class @ (LOWER | UPPER | DIGIT) => {
                let start = i;
                i += 1;
                while i < n && matches!(CLASS[usize::from(bytes[i])], LOWER | UPPER | DIGIT) {
                    i += 1;
                }
                if !prev_alnum && (class == DIGIT || word_may_start_value(&text[start..i])) {
                    try_at(text, start, published, out);
                }
                prev_alnum = true;
            }
            DOLLAR => {
                try_at(text, i, published, out);
                i += 1;
                prev_alnum = false;
            }
            HIGH => {
                let ch = text[i..].chars().next().unwrap_or(' ');
                if matches!(
                    ch,
                    '€' | '£' | '¥' | '₹' | '₽' | '₩' | '₺' | '₪' | '₴' | '₦'
                ) {
                    try_at(text, i, published, out);
                }
                i += ch.len_utf8();
                prev_alnum = ch.is_alphanumeric();
            }
            class => {
                i += 1;
                prev_alnum = class == UNDERSCORE;
            }
        }
    }
}

/// Whether a word (ASCII letters and digits) can begin a value: a month or
/// weekday name, a relative day, an all-capitals code (currency, exchange,
/// RIC, `US$`) or a mixed-case exchange or currency prefix.
fn word_may_start_value(w: &str) -> bool {
    let b = w.as_bytes();
    match b[0] {
        b't' => w == "today" || w == "tomorrow",
        b'y' => w == "yesterday",
        b'A'..=b'Z' => {
            let caps = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
            // "GAZP", "USD", "NYSE", "BRKa" (RIC share class), "C" in "C$".
            (b.len() <= 7
                && (caps == b.len()
                    || (caps >= 2 && caps + 1 == b.len() && b[caps].is_ascii_lowercase())))
                || month_at(w).is_some_and(|(_, len)| len == w.len())
                || weekday(w).is_some()
                || matches!(
                    w,
                    "Today" | "Yesterday" | "Tomorrow" | "Rs" | "Nasdaq" | "Euronext" | "Cboe"
                )
        }
        _ => false,
    }
}

/// Runs the anchored grammar at `pos` and parses what it matched.
fn try_at(text: &str, pos: usize, published: Option<NaiveDate>, out: &mut Vec<FoundValue>) {
    let Some(m) = VALUE_RE.find(&text[pos..]) else {
        return;
    };
    let (start, end) = (pos, pos + m.end());
    if !left_ok(text, start) || !right_ok(text, end) {
        return;
    }
    let s = &text[start..end];
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        numeric(text, start, end, published, out);
    } else if let Some(p) = s
        .find(|c: char| c.is_ascii_digit())
        .filter(|&p| month_at(s).is_none() && prefix_currency(&s[..p]).is_some())
    {
        amounts::prefixed_money(text, start, end, start + p, out);
    } else {
        word(text, start, end, published, out);
    }
}

/// A match starting with a digit: ISO date, numeric RIC, year, day-month
/// date or number with unit.
fn numeric(
    text: &str,
    start: usize,
    end: usize,
    published: Option<NaiveDate>,
    out: &mut Vec<FoundValue>,
) {
    let s = &text[start..end];
    let b = s.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        dates::iso_date_match(text, start, end, out);
        return;
    }
    if b.len() == 4 && b.iter().all(u8::is_ascii_digit) {
        dates::bare_year(text, start, end, out);
        return;
    }
    if tickers::is_numeric_ric(s) {
        out.push(tickers::ric_value(start, s));
        return;
    }
    let n1_end = number_end(s, 0);
    // Day-month(-year): the first word after the day is a month.
    if dates::day_month(text, start, end, n1_end, published, out) {
        return;
    }
    amounts::number_with_unit(text, start, end, n1_end, out);
}

/// A match starting with a word: month date, weekday, relative day or ticker.
fn word(
    text: &str,
    start: usize,
    end: usize,
    published: Option<NaiveDate>,
    out: &mut Vec<FoundValue>,
) {
    let s = &text[start..end];
    if let Some((exch, sym)) = s.split_once(':') {
        tickers::exchange_listing(text, start, end, exch, sym, out);
        return;
    }
    if let Some((month, mon_len)) = month_at(s) {
        if let Some(v) = dates::month_date(text, start, end, month, mon_len, published) {
            out.push(v);
        }
        return;
    }
    if let Some(weekday) = weekday(s) {
        dates::weekday_date(text, start, end, weekday, published, out);
        return;
    }
    let offset = match s {
        "today" | "Today" => 0,
        "yesterday" | "Yesterday" => -1,
        "tomorrow" | "Tomorrow" => 1,
        _ => {
            tickers::word_ric(text, start, end, out);
            return;
        }
    };
    dates::relative_day(text, start, end, offset, published, out);
}
#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = "Russian President Vladimir Putin visited Tehran on Tuesday for talks, \
the Kremlin leader's first trip outside the former Soviet Union since Moscow's Feb. 24 invasion \
of Ukraine. In May, Reuters reported that Iran's crude exports to China have fallen sharply, \
leaving almost 40 million barrels of Iranian oil stored on tankers. The National Iranian Oil \
Company (NIOC) and Russian gas producer Gazprom GAZP.MM signed a memorandum of understanding \
worth around $40 billion. Erdogan has threatened to launch more military operations to extend \
30-km (20-mile) deep \"safe zones\". Putin meets Khamenei in Tehran, Iran, November 23, 2015. \
US President Donald Trump reimposed sanctions in 2018. Putin, who turns 70 this year, made few trips.";

    pub(super) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Checks the span invariants and returns (surface, kind, normalized).
    pub(super) fn run(
        text: &str,
        published: Option<NaiveDate>,
    ) -> Vec<(String, ValueKind, String)> {
        let found = find_values(text, published);
        check_spans(text, &found);
        found
            .iter()
            .map(|v| {
                (
                    text[v.start..v.end].to_string(),
                    v.kind,
                    v.normalized.clone(),
                )
            })
            .collect()
    }

    pub(super) fn check_spans(text: &str, found: &[FoundValue]) {
        let mut last_end = 0;
        for v in found {
            assert!(v.start < v.end, "empty span {v:?}");
            assert!(
                text.is_char_boundary(v.start) && text.is_char_boundary(v.end),
                "{v:?}"
            );
            assert!(v.start >= last_end, "overlap or unsorted at {v:?}");
            last_end = v.end;
            let surface = &text[v.start..v.end];
            assert_eq!(surface.trim(), surface, "untrimmed span {v:?}");
        }
    }

    pub(super) fn one(text: &str, published: Option<NaiveDate>) -> FoundValue {
        let found = find_values(text, published);
        check_spans(text, &found);
        assert_eq!(found.len(), 1, "{text:?} → {found:?}");
        found.into_iter().next().unwrap()
    }

    pub(super) fn has(
        found: &[(String, ValueKind, String)],
        surface: &str,
        kind: ValueKind,
        norm: &str,
    ) {
        assert!(
            found
                .iter()
                .any(|(s, k, n)| s == surface && *k == kind && n == norm),
            "missing {surface:?} {kind:?} {norm:?} in {found:#?}"
        );
    }

    pub(super) fn norms(text: &str, published: Option<NaiveDate>) -> Vec<String> {
        run(text, published)
            .into_iter()
            .map(|(_, _, n)| n)
            .collect()
    }

    #[test]
    fn reference_article() {
        let found = run(ARTICLE, Some(ymd(2022, 7, 19)));
        use ValueKind::*;
        has(&found, "Tuesday", Date, "2022-07-19");
        has(&found, "Feb. 24", Date, "2022-02-24");
        has(&found, "May", Date, "2022-05");
        has(&found, "40 million barrels", Quantity, "40000000 barrel");
        has(&found, "GAZP.MM", Ticker, "GAZP.MM");
        has(&found, "$40 billion", Money, "USD 40000000000");
        has(&found, "30-km", Quantity, "30 km");
        has(&found, "20-mile", Quantity, "20 mile");
        has(&found, "November 23, 2015", Date, "2015-11-23");
        has(&found, "2018", Date, "2018");
        assert_eq!(found.len(), 10, "unexpected extras: {found:#?}");
        let all = find_values(ARTICLE, Some(ymd(2022, 7, 19)));
        let gazp = all.iter().find(|v| v.kind == Ticker).unwrap();
        assert_eq!(gazp.unit.as_deref(), Some("MM"));
        let money = all.iter().find(|v| v.kind == Money).unwrap();
        assert_eq!(money.amount, Some(40e9));
        assert_eq!(money.unit.as_deref(), Some("USD"));
        let barrels = all.iter().find(|v| v.kind == Quantity).unwrap();
        assert_eq!(barrels.amount, Some(40e6));
        assert_eq!(barrels.unit.as_deref(), Some("barrel"));
        // Not "70", "U.S", numbers without units.
        assert!(!found
            .iter()
            .any(|(s, _, _)| s.contains("70") || s == "24" || s.contains("U.S")));
    }

    #[test]
    fn reference_article_without_date() {
        let found = run(ARTICLE, None);
        use ValueKind::*;
        has(&found, "Tuesday", Date, "tuesday");
        has(&found, "Feb. 24", Date, "--02-24");
        has(&found, "May", Date, "--05");
        has(&found, "November 23, 2015", Date, "2015-11-23");
        has(&found, "2018", Date, "2018");
        has(&found, "$40 billion", Money, "USD 40000000000");
    }

    #[test]
    fn negatives() {
        let p = Some(ymd(2022, 7, 19));
        for text in [
            "Officials may meet next week.",
            "The protesters march to the square.",
            "The U.S. and the U.K. agreed.",
            "Putin, who turns 70 this year, said 15 people died in 3 attacks.",
            "Theresa May said May's government would act.",
            "The Boeing 737 MAX and the F-16 and COVID-19 vaccines.",
            "Exports rose to 2,000 from 1,500.",
            "There were 2019 reasons.",
            "USA Today reported that Super Tuesday and Black Friday matter.",
            "Jan Egeland, head of the council.",
            "He plays the 100m sprint and drives a Su-30 km away.",
            "Send mail to info@REUTERS.COM or visit WWW.EXAMPLE.ORG today",
            "See CNN.COM for more",
            "Employees work on Tuesdays.",
            "June Carter sang.",
        ] {
            let found = run(text, p);
            let found: Vec<_> = found.into_iter().filter(|(s, _, _)| s != "today").collect();
            assert!(found.is_empty(), "{text:?} → {found:?}");
        }
        // Lowercase "today" is a date, capitalised mid-sentence "Today" (a name) is not.
        assert_eq!(norms("visit WWW.EXAMPLE.ORG today", p), vec!["2022-07-19"]);
        assert!(norms("He told BBC Radio's Today programme", p).is_empty());
        assert_eq!(norms("Today, Iran said.", p), vec!["2022-07-19"]);
    }

    #[test]
    fn arbitrary_strings_do_not_panic() {
        let samples = [
            "",
            "€",
            "€€€ 5 € 5€ €5",
            "— 5 —— —5— 5—km",
            "Türkiye’s 5 km — Türkiye’s €3bn ’May’ Tuesday’s",
            "£ 3,000,000,000,000,000,000,000,000,000,000,000,000,000 billion",
            "99999999999999999999999999999999999999 km",
            "0.000000000000000000000000000000001%",
            "Feb. 99, 2022-13-45 May 0 Tuesday0 0Tuesday",
            "ü5 kmü 5 kmé é5% 5%é ÄGAZP.MMÖ",
            "in 2018ü, in ü2018",
            "Ğ₽5 ₽₽ ₹₹ ¥¥ 1,2,3 1.2.3 km -5-% −5%",
            "\u{a0}$\u{a0}40\u{a0}billion\u{202f}euros\n\n\t",
            "(NYSE: (NASDAQ: X) ) NYSE:",
        ];
        for text in samples {
            for p in [
                None,
                Some(ymd(2022, 7, 19)),
                Some(NaiveDate::MIN),
                Some(NaiveDate::MAX),
            ] {
                let found = find_values(text, p);
                check_spans(text, &found);
            }
            // Every prefix and suffix on char boundaries too.
            for (i, _) in text.char_indices() {
                check_spans(&text[i..], &find_values(&text[i..], None));
                check_spans(&text[..i], &find_values(&text[..i], None));
            }
        }
    }

    /// Rough timing; run with `cargo test --release timing -- --nocapture`.
    #[test]
    fn timing() {
        fn article(paragraph: &str) -> String {
            let mut text = String::new();
            while text.len() < 4096 {
                text.push_str(paragraph);
                text.push(' ');
            }
            let mut cut = 4096;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text
        }
        // The reference paragraph repeated: ~55 values per 4 KB (dense).
        let dense = article(ARTICLE);
        // One reference paragraph among value-free prose: ~10 values per 4 KB.
        let prose = "The talks, which officials described as constructive, covered             regional security, trade and energy cooperation, and the leaders agreed to             keep working together. Analysts said the meeting sent a signal to Western             capitals that Moscow still has partners, although the practical results remain             unclear and many questions about the implementation of the agreements are open. ";
        let mut mixed = String::from(ARTICLE);
        mixed.push(' ');
        mixed.push_str(&article(prose));
        let mixed = article(&mixed);
        let p = Some(ymd(2022, 7, 19));
        for (name, text) in [("dense", &dense), ("typical", &mixed)] {
            let n = find_values(text, p).len();
            // 1000 runs in release builds; fewer in debug to keep `cargo test` quick.
            let runs = if cfg!(debug_assertions) { 100 } else { 1000 };
            let t = std::time::Instant::now();
            for _ in 0..runs {
                std::hint::black_box(find_values(std::hint::black_box(text), p));
            }
            let per = t.elapsed() / runs;
            println!(
                "find_values ({name}): {per:?} per {} byte article, {n} values, {runs} runs",
                text.len()
            );
        }
    }
}
