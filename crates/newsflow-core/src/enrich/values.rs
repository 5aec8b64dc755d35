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

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use regex::Regex;

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
// Tables
// ---------------------------------------------------------------------------

use ValueKind::{Money as M, Percent as P, Quantity as Q};

/// Words after a number: (surface, kind, canonical unit or currency, power
/// of ten the unit itself carries). Surfaces are case-sensitive; a space
/// matches any single space-like character.
static TAILS: &[(&str, ValueKind, &str, i32)] = &[
    // Percentages.
    ("%", P, "%", 0),
    ("percent", P, "%", 0),
    ("per cent", P, "%", 0),
    ("pct", P, "%", 0),
    ("percentage points", P, "pp", 0),
    ("percentage point", P, "pp", 0),
    ("basis points", P, "bp", 0),
    ("basis point", P, "bp", 0),
    ("bps", P, "bp", 0),
    ("bp", P, "bp", 0),
    // Currencies written as words.
    ("dollars", M, "USD", 0),
    ("cents", M, "USD", -2),
    ("pence", M, "GBP", -2),
    ("dollar", M, "USD", 0),
    ("US dollars", M, "USD", 0),
    ("U.S. dollars", M, "USD", 0),
    ("Canadian dollars", M, "CAD", 0),
    ("Australian dollars", M, "AUD", 0),
    ("Hong Kong dollars", M, "HKD", 0),
    ("Singapore dollars", M, "SGD", 0),
    ("Taiwan dollars", M, "TWD", 0),
    ("New Zealand dollars", M, "NZD", 0),
    ("euros", M, "EUR", 0),
    ("euro", M, "EUR", 0),
    ("pounds sterling", M, "GBP", 0),
    ("pound sterling", M, "GBP", 0),
    ("sterling", M, "GBP", 0),
    ("British pounds", M, "GBP", 0),
    ("Egyptian pounds", M, "EGP", 0),
    ("Lebanese pounds", M, "LBP", 0),
    ("Lebanese lira", M, "LBP", 0),
    ("Syrian pounds", M, "SYP", 0),
    ("Sudanese pounds", M, "SDG", 0),
    ("yen", M, "JPY", 0),
    ("yuan", M, "CNY", 0),
    ("renminbi", M, "CNY", 0),
    ("rubles", M, "RUB", 0),
    ("roubles", M, "RUB", 0),
    ("ruble", M, "RUB", 0),
    ("rouble", M, "RUB", 0),
    ("rupees", M, "INR", 0),
    ("rupee", M, "INR", 0),
    ("Indian rupees", M, "INR", 0),
    ("Pakistani rupees", M, "PKR", 0),
    ("Sri Lankan rupees", M, "LKR", 0),
    ("rials", M, "IRR", 0),
    ("rial", M, "IRR", 0),
    ("riyals", M, "SAR", 0),
    ("riyal", M, "SAR", 0),
    ("Saudi riyals", M, "SAR", 0),
    ("Qatari riyals", M, "QAR", 0),
    ("dirhams", M, "AED", 0),
    ("dirham", M, "AED", 0),
    ("lira", M, "TRY", 0),
    ("liras", M, "TRY", 0),
    ("Turkish lira", M, "TRY", 0),
    ("francs", M, "CHF", 0),
    ("Swiss francs", M, "CHF", 0),
    ("shekels", M, "ILS", 0),
    ("hryvnias", M, "UAH", 0),
    ("hryvnia", M, "UAH", 0),
    ("won", M, "KRW", 0),
    ("South Korean won", M, "KRW", 0),
    ("rand", M, "ZAR", 0),
    ("naira", M, "NGN", 0),
    ("reais", M, "BRL", 0),
    ("Mexican pesos", M, "MXN", 0),
    ("Argentine pesos", M, "ARS", 0),
    ("Philippine pesos", M, "PHP", 0),
    ("Colombian pesos", M, "COP", 0),
    ("Chilean pesos", M, "CLP", 0),
    ("zlotys", M, "PLN", 0),
    ("zloty", M, "PLN", 0),
    ("forints", M, "HUF", 0),
    ("ringgit", M, "MYR", 0),
    ("rupiah", M, "IDR", 0),
    ("baht", M, "THB", 0),
    ("tenge", M, "KZT", 0),
    ("Iraqi dinars", M, "IQD", 0),
    ("Kuwaiti dinars", M, "KWD", 0),
    ("kronor", M, "SEK", 0),
    ("Swedish crowns", M, "SEK", 0),
    ("Norwegian crowns", M, "NOK", 0),
    ("Danish crowns", M, "DKK", 0),
    ("Czech crowns", M, "CZK", 0),
    ("USD", M, "USD", 0),
    ("EUR", M, "EUR", 0),
    ("GBP", M, "GBP", 0),
    ("JPY", M, "JPY", 0),
    ("CNY", M, "CNY", 0),
    ("CHF", M, "CHF", 0),
    ("RUB", M, "RUB", 0),
    ("INR", M, "INR", 0),
    // Oil and gas.
    ("barrels per day", Q, "barrel/day", 0),
    ("barrels a day", Q, "barrel/day", 0),
    ("barrels of oil per day", Q, "barrel/day", 0),
    ("barrels of oil a day", Q, "barrel/day", 0),
    ("bpd", Q, "barrel/day", 0),
    ("b/d", Q, "barrel/day", 0),
    ("barrels", Q, "barrel", 0),
    ("barrel", Q, "barrel", 0),
    ("cubic metres per day", Q, "m3/day", 0),
    ("cubic meters per day", Q, "m3/day", 0),
    ("cubic metres a day", Q, "m3/day", 0),
    ("cubic meters a day", Q, "m3/day", 0),
    ("bcm per year", Q, "m3/year", 9),
    ("bcm a year", Q, "m3/year", 9),
    ("cubic metres", Q, "m3", 0),
    ("cubic meters", Q, "m3", 0),
    ("cu m", Q, "m3", 0),
    ("bcm", Q, "m3", 9),
    ("tcm", Q, "m3", 12),
    ("mcm", Q, "m3", 6),
    ("cubic feet", Q, "ft3", 0),
    ("bcf", Q, "ft3", 9),
    ("tcf", Q, "ft3", 12),
    // Mass.
    ("metric tonnes", Q, "tonne", 0),
    ("metric tons", Q, "tonne", 0),
    ("metric ton", Q, "tonne", 0),
    ("tonnes per year", Q, "tonne/year", 0),
    ("tonnes a year", Q, "tonne/year", 0),
    ("mtpa", Q, "tonne/year", 6),
    ("tonnes", Q, "tonne", 0),
    ("tonne", Q, "tonne", 0),
    ("tons", Q, "ton", 0),
    ("ton", Q, "ton", 0),
    ("kilograms", Q, "kg", 0),
    ("kilogram", Q, "kg", 0),
    ("kilos", Q, "kg", 0),
    ("kg", Q, "kg", 0),
    ("grams", Q, "g", 0),
    ("pounds", Q, "lb", 0),
    ("pound", Q, "lb", 0),
    ("lbs", Q, "lb", 0),
    ("lb", Q, "lb", 0),
    ("troy ounces", Q, "oz", 0),
    ("ounces", Q, "oz", 0),
    ("ounce", Q, "oz", 0),
    ("oz", Q, "oz", 0),
    // Length, area, speed.
    ("square kilometres", Q, "km2", 0),
    ("square kilometers", Q, "km2", 0),
    ("square km", Q, "km2", 0),
    ("sq km", Q, "km2", 0),
    ("km2", Q, "km2", 0),
    ("km²", Q, "km2", 0),
    ("km/h", Q, "km/h", 0),
    ("kph", Q, "km/h", 0),
    ("kilometres per hour", Q, "km/h", 0),
    ("kilometers per hour", Q, "km/h", 0),
    ("miles per hour", Q, "mph", 0),
    ("mph", Q, "mph", 0),
    ("kilometres", Q, "km", 0),
    ("kilometers", Q, "km", 0),
    ("kilometre", Q, "km", 0),
    ("kilometer", Q, "km", 0),
    ("km", Q, "km", 0),
    ("square miles", Q, "mile2", 0),
    ("nautical miles", Q, "nmi", 0),
    ("miles", Q, "mile", 0),
    ("mile", Q, "mile", 0),
    ("square metres", Q, "m2", 0),
    ("square meters", Q, "m2", 0),
    ("sq m", Q, "m2", 0),
    ("metres", Q, "m", 0),
    ("meters", Q, "m", 0),
    ("metre", Q, "m", 0),
    ("meter", Q, "m", 0),
    ("centimetres", Q, "cm", 0),
    ("centimeters", Q, "cm", 0),
    ("cm", Q, "cm", 0),
    ("millimetres", Q, "mm", 0),
    ("millimeters", Q, "mm", 0),
    ("mm", Q, "mm", 0),
    ("feet", Q, "ft", 0),
    ("foot", Q, "ft", 0),
    ("ft", Q, "ft", 0),
    ("hectares", Q, "ha", 0),
    ("hectare", Q, "ha", 0),
    ("acres", Q, "acre", 0),
    ("acre", Q, "acre", 0),
    // Volume.
    ("litres", Q, "l", 0),
    ("liters", Q, "l", 0),
    ("litre", Q, "l", 0),
    ("liter", Q, "l", 0),
    ("gallons", Q, "gallon", 0),
    ("gallon", Q, "gallon", 0),
    // Power and energy.
    ("megawatts", Q, "MW", 0),
    ("megawatt", Q, "MW", 0),
    ("MW", Q, "MW", 0),
    ("gigawatts", Q, "GW", 0),
    ("gigawatt", Q, "GW", 0),
    ("GW", Q, "GW", 0),
    ("kilowatts", Q, "kW", 0),
    ("kW", Q, "kW", 0),
    ("kWh", Q, "kWh", 0),
    ("MWh", Q, "MWh", 0),
    ("GWh", Q, "GWh", 0),
    ("TWh", Q, "TWh", 0),
    // Temperature.
    ("degrees Celsius", Q, "°C", 0),
    ("°C", Q, "°C", 0),
    ("degrees Fahrenheit", Q, "°F", 0),
    ("°F", Q, "°F", 0),
];

/// Currency signs and codes before a number, longest first within a
/// shared prefix (the regex alternation is built sorted by length).
static PREFIXES: &[(&str, &str)] = &[
    ("US$", "USD"),
    ("US $", "USD"),
    ("U.S.$", "USD"),
    ("C$", "CAD"),
    ("CA$", "CAD"),
    ("A$", "AUD"),
    ("AU$", "AUD"),
    ("HK$", "HKD"),
    ("NZ$", "NZD"),
    ("S$", "SGD"),
    ("NT$", "TWD"),
    ("R$", "BRL"),
    ("MX$", "MXN"),
    ("$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("¥", "JPY"),
    ("₹", "INR"),
    ("Rs.", "INR"),
    ("Rs", "INR"),
    ("₽", "RUB"),
    ("₩", "KRW"),
    ("₺", "TRY"),
    ("₪", "ILS"),
    ("₴", "UAH"),
    ("₦", "NGN"),
    ("USD", "USD"),
    ("EUR", "EUR"),
    ("GBP", "GBP"),
    ("JPY", "JPY"),
    ("CNY", "CNY"),
    ("RMB", "CNY"),
    ("CHF", "CHF"),
    ("INR", "INR"),
    ("RUB", "RUB"),
    ("CAD", "CAD"),
    ("AUD", "AUD"),
    ("HKD", "HKD"),
    ("SGD", "SGD"),
    ("KRW", "KRW"),
    ("TRY", "TRY"),
    ("BRL", "BRL"),
    ("ZAR", "ZAR"),
    ("SEK", "SEK"),
    ("NOK", "NOK"),
    ("DKK", "DKK"),
    ("PLN", "PLN"),
    ("SAR", "SAR"),
    ("AED", "AED"),
    ("IRR", "IRR"),
    ("UAH", "UAH"),
];

/// Scale words: (surface, power of ten). Single-letter `k`/`m`/`b` are
/// handled separately (only glued to a currency-sign amount).
static SCALES: &[(&str, i32)] = &[
    ("thousand", 3),
    ("million", 6),
    ("billion", 9),
    ("trillion", 12),
    ("mln", 6),
    ("mn", 6),
    ("bln", 9),
    ("bn", 9),
    ("trln", 12),
    ("tn", 12),
    ("lakh", 5),
    ("lakhs", 5),
    ("crore", 7),
    ("crores", 7),
];

/// Stock exchanges accepted in `(EXCHANGE: SYMBOL)`.
static EXCHANGES: &[&str] = &[
    "NYSE American",
    "NYSE Arca",
    "NYSE",
    "NASDAQ",
    "Nasdaq",
    "AMEX",
    "LSE",
    "LON",
    "AIM",
    "TSX-V",
    "TSXV",
    "TSX",
    "CSE",
    "ASX",
    "NZX",
    "HKEX",
    "HKSE",
    "SEHK",
    "HKG",
    "TSE",
    "TYO",
    "SGX",
    "KRX",
    "BSE",
    "NSE",
    "JSE",
    "TASE",
    "MOEX",
    "SIX",
    "Euronext",
    "EPA",
    "ETR",
    "XETRA",
    "FRA",
    "FWB",
    "BME",
    "OTCQX",
    "OTCQB",
    "OTC",
    "CBOE",
    "Cboe",
    "TWSE",
    "SSE",
    "SZSE",
];

const MONTHS: &str = "January|February|March|April|May|June|July|August|September|October|\
November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec";

/// A space inside a value: ordinary, tab, newline, no-break and narrow
/// no-break space.
const SP: &str = r"[\x20\t\n\x{a0}\x{202f}]";

/// A decimal number with optional thousands separators.
const NUM: &str = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?";

// ---------------------------------------------------------------------------
// Regexes
// ---------------------------------------------------------------------------

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

static TAIL_MAP: LazyLock<HashMap<&'static str, (ValueKind, &'static str, i32)>> =
    LazyLock::new(|| TAILS.iter().map(|&(s, k, u, e)| (s, (k, u, e))).collect());

/// The grammar of every kind of value, anchored: it is only run at the
/// trigger positions [`scan`] finds (token starts that could begin a value),
/// on `&text[pos..]`. An anchored lazy-DFA search stops within a few bytes,
/// so this costs ~20 ns per trigger, independent of the regex engine's
/// prefilter heuristics (an unanchored search with these alternations ran
/// at ~0.4 GB/s). Groups are non-capturing: the matched text, already
/// validated, is read by the small parsers below.
static VALUE_RE: LazyLock<Regex> = LazyLock::new(|| {
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
        prefixed_money(text, start, end, start + p, out);
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
        let (y, mo, d) = (num(&s[..4]), num(&s[5..7]), num(&s[8..10]));
        if (1900..=2099).contains(&y) {
            if let Some(date) = NaiveDate::from_ymd_opt(y as i32, mo, d) {
                out.push(date_value(start, end, iso_date(date)));
            }
        }
        return;
    }
    if b.len() == 4 && b.iter().all(u8::is_ascii_digit) {
        if year_preposition(text, start) {
            out.push(date_value(start, end, s.to_string()));
        }
        return;
    }
    if let Some((code, exch)) = s.split_once('.') {
        if !code.is_empty()
            && code.bytes().all(|c| c.is_ascii_digit())
            && !exch.is_empty()
            && exch.bytes().all(|c| c.is_ascii_uppercase())
        {
            out.push(ric_value(start, s));
            return;
        }
    }
    let n1_end = number_end(s, 0);
    // Day-month(-year): the first word after the day is a month.
    let mut i = n1_end;
    if let Some(o) = ["st", "nd", "rd", "th"]
        .iter()
        .find(|o| s[i..].starts_with(**o))
    {
        i += o.len();
    }
    let mut j = skip_space(s, i);
    if s[j..].starts_with("of") {
        j = skip_space(s, j + 2);
    }
    if let Some((month, mon_len)) = month_at(&s[j..]) {
        let day = num(&s[..n1_end]);
        let year = digit_runs(&s[j..]).next().map(|(a, z)| &s[j + a..j + z]);
        if let Some(y) = year.filter(|y| plausible_year(y)) {
            if let Some(date) = NaiveDate::from_ymd_opt(num(y) as i32, month, day) {
                out.push(date_value(start, end, iso_date(date)));
                return;
            }
        }
        if let Some(norm) = resolve_month_day(month, day, published) {
            out.push(date_value(start, start + j + mon_len, norm));
        }
        return;
    }
    // Number (range) (scale) tail.
    let (first, n2) = match range_end(s, n1_end) {
        Some(k) if s[k..].starts_with(|c: char| c.is_ascii_digit()) => (Some(n1_end), k),
        _ => (None, 0),
    };
    let n2_end = if first.is_some() {
        number_end(s, n2)
    } else {
        n1_end
    };
    let (scale, i) = scale_at(s, n2_end).unwrap_or((0, n2_end));
    let tail = &s[skip_separator(s, i)..];
    let key = normalize_space(tail);
    let Some(&(kind, unit, unit_exp)) = TAIL_MAP.get(&*key) else {
        return;
    };
    // Bare "won" is too often the verb ("Arsenal 3 won ...").
    if key == "won" && scale == 0 {
        return;
    }
    let exp = scale + unit_exp;
    let signed = |from: usize| {
        if kind == P {
            with_sign(text, from)
        } else {
            from
        }
    };
    if let Some(n1_end) = first {
        let a = signed(start);
        push_number(
            out,
            kind,
            a,
            start + n1_end,
            &text[a..start + n1_end],
            exp,
            unit,
        );
        let a = signed(start + n2);
        push_number(out, kind, a, end, &text[a..start + n2_end], exp, unit);
    } else {
        let a = signed(start);
        push_number(out, kind, a, end, &text[a..start + n1_end], exp, unit);
    }
}

/// Money with a currency sign or code before the number (`number_at` is the
/// byte offset of the first digit).
fn prefixed_money(
    text: &str,
    start: usize,
    end: usize,
    number_at: usize,
    out: &mut Vec<FoundValue>,
) {
    let s = &text[start..end];
    let p = number_at - start;
    let Some(currency) = prefix_currency(&s[..p]) else {
        return;
    };
    let n1_end = number_end(s, p);
    let mut last_end = n1_end;
    let mut second = None;
    if let Some(k) = range_end(s, n1_end) {
        // The second number may repeat the sign: "$40-$50 billion".
        if let Some(d) = s[k..].find(|c: char| c.is_ascii_digit()) {
            last_end = number_end(s, k + d);
            second = Some((k, k + d));
        }
    }
    let exp = match scale_at(s, last_end) {
        Some((e, _)) => e,
        None => match &s[last_end..] {
            "k" | "K" => 3,
            "m" | "M" => 6,
            "b" | "B" => 9,
            _ => 0,
        },
    };
    match second {
        Some((k, d)) => {
            push_number(out, M, start, start + n1_end, &s[p..n1_end], exp, currency);
            push_number(out, M, start + k, end, &s[d..last_end], exp, currency);
        }
        None => push_number(out, M, start, end, &s[p..n1_end], exp, currency),
    }
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
        return;
    }
    if let Some((month, mon_len)) = month_at(s) {
        if let Some(v) = month_date(text, start, end, month, mon_len, published) {
            out.push(v);
        }
        return;
    }
    if let Some(weekday) = weekday(s) {
        if named_day(text, start) {
            return;
        }
        let norm = match published {
            Some(p) => {
                let diff = (i64::from(weekday.num_days_from_monday())
                    - i64::from(p.weekday().num_days_from_monday()))
                .rem_euclid(7);
                let offset = if diff <= 3 { diff } else { diff - 7 };
                match shift(p, offset) {
                    Some(d) => iso_date(d),
                    None => return,
                }
            }
            None => s.to_ascii_lowercase(),
        };
        out.push(date_value(start, end, norm));
        return;
    }
    let offset = match s {
        "today" | "Today" => 0,
        "yesterday" | "Yesterday" => -1,
        "tomorrow" | "Tomorrow" => 1,
        _ => {
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
            return;
        }
    };
    let Some(p) = published else { return };
    // Capitalised mid-sentence it is a name ("USA Today", BBC's "Today").
    if s.starts_with(|c: char| c.is_ascii_uppercase()) && !sentence_start(text, start) {
        return;
    }
    if let Some(d) = shift(p, offset) {
        out.push(date_value(start, end, iso_date(d)));
    }
}

/// A date starting with a month name: month-day(-year), month-year or the
/// month alone.
fn month_date(
    text: &str,
    start: usize,
    end: usize,
    month: u32,
    mon_len: usize,
    published: Option<NaiveDate>,
) -> Option<FoundValue> {
    let s = &text[start..end];
    let mut runs = digit_runs(s);
    match (runs.next(), runs.next()) {
        (Some((a, z)), year) if z - a <= 2 => {
            let day = num(&s[a..z]);
            if let Some((ya, yz)) = year.filter(|&(ya, yz)| plausible_year(&s[ya..yz])) {
                if let Some(date) = NaiveDate::from_ymd_opt(num(&s[ya..yz]) as i32, month, day) {
                    return Some(date_value(start, start + yz, iso_date(date)));
                }
            }
            // Day with its ordinal suffix, if any.
            let day_end = z + s[z..].bytes().take_while(u8::is_ascii_lowercase).count();
            if let Some(norm) = resolve_month_day(month, day, published) {
                return Some(date_value(start, start + day_end, norm));
            }
        }
        (Some((a, z)), _) if plausible_year(&s[a..z]) => {
            return Some(date_value(
                start,
                start + z,
                format!("{}-{month:02}", &s[a..z]),
            ));
        }
        _ => {}
    }
    // The month on its own.
    let name = &s[..mon_len];
    if !is_full_month(name) {
        return None;
    }
    let prep = preceding_word(text, start)
        .map(str::to_ascii_lowercase)
        .filter(|w| MONTH_PREPS.contains(&w.as_str()));
    if prep.is_none() && (month == 5 || next_word_capitalised(text, start + mon_len)) {
        return None;
    }
    let norm = resolve_month(month, prep.as_deref(), published);
    Some(date_value(start, start + mon_len, norm))
}

/// Words that license a month on its own ("in May", "mid-May", "last May").
const MONTH_PREPS: &[&str] = &[
    "in", "by", "since", "until", "till", "from", "last", "next", "early", "late", "mid", "end",
    "during", "through", "before", "after", "this",
];

/// Words that license a year on its own ("in 2018").
const YEAR_PREPS: &[&str] = &[
    "in", "since", "by", "until", "till", "from", "before", "after", "of", "during", "through",
];

/// Whether the year at `start` follows a year preposition, optionally with
/// `early`/`late`/`mid` in between ("in 2018", "by mid-2023").
fn year_preposition(text: &str, start: usize) -> bool {
    let Some(mut w) = preceding_word(text, start) else {
        return false;
    };
    if matches!(w, "early" | "late" | "mid") {
        let at = w.as_ptr() as usize - text.as_ptr() as usize;
        match preceding_word(text, at) {
            Some(p) => w = p,
            None => return false,
        }
    }
    YEAR_PREPS.iter().any(|p| p.eq_ignore_ascii_case(w))
}

/// The alphabetic word ending one space or hyphen before `pos`.
fn preceding_word(text: &str, pos: usize) -> Option<&str> {
    let before = &text[..pos];
    let sep = before.chars().next_back()?;
    if !(is_space(sep) || sep == '-') {
        return None;
    }
    let before = &before[..before.len() - sep.len_utf8()];
    let from = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphabetic())
        .last()
        .map(|(i, _)| i)?;
    Some(&before[from..])
}

// ---------------------------------------------------------------------------
// Parsing helpers (on text already validated by the regex)
// ---------------------------------------------------------------------------

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{a0}' | '\u{202f}')
}

/// Skips one space-like character at `i`.
fn skip_space(s: &str, i: usize) -> usize {
    match s[i..].chars().next() {
        Some(c) if is_space(c) => i + c.len_utf8(),
        _ => i,
    }
}

/// Skips one space-like character or hyphen at `i`.
fn skip_separator(s: &str, i: usize) -> usize {
    match s[i..].chars().next() {
        Some(c) if is_space(c) || c == '-' => i + c.len_utf8(),
        _ => i,
    }
}

/// End of the number starting at `i` (digits, `,ddd` groups, decimals).
fn number_end(s: &str, i: usize) -> usize {
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
fn range_end(s: &str, i: usize) -> Option<usize> {
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
fn scale_at(s: &str, i: usize) -> Option<(i32, usize)> {
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
fn digit_runs(s: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
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

/// The month name (full or abbreviated) at the start of `s`: its number and
/// byte length.
fn month_at(s: &str) -> Option<(u32, usize)> {
    if !matches!(
        s.as_bytes().first(),
        Some(b'J' | b'F' | b'M' | b'A' | b'S' | b'O' | b'N' | b'D')
    ) {
        return None;
    }
    let len = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    let month = match &s[..len] {
        "January" | "Jan" => 1,
        "February" | "Feb" => 2,
        "March" | "Mar" => 3,
        "April" | "Apr" => 4,
        "May" => 5,
        "June" | "Jun" => 6,
        "July" | "Jul" => 7,
        "August" | "Aug" => 8,
        "September" | "Sept" | "Sep" => 9,
        "October" | "Oct" => 10,
        "November" | "Nov" => 11,
        "December" | "Dec" => 12,
        _ => return None,
    };
    Some((month, len))
}

// ---------------------------------------------------------------------------
// Date helpers
// ---------------------------------------------------------------------------

/// Days after `published` beyond which a yearless date is taken to be in the
/// previous year.
const FUTURE_DAYS: u64 = 62;

fn resolve_month_day(month: u32, day: u32, published: Option<NaiveDate>) -> Option<String> {
    match published {
        None => {
            // Any year in which the day exists (2000 is a leap year).
            NaiveDate::from_ymd_opt(2000, month, day)?;
            Some(format!("--{month:02}-{day:02}"))
        }
        Some(p) => {
            let limit = p.checked_add_days(Days::new(FUTURE_DAYS))?;
            let this_year = NaiveDate::from_ymd_opt(p.year(), month, day);
            let date = match this_year {
                Some(d) if d <= limit => d,
                _ => NaiveDate::from_ymd_opt(p.year() - 1, month, day)?,
            };
            Some(iso_date(date))
        }
    }
}

fn resolve_month(month: u32, prep: Option<&str>, published: Option<NaiveDate>) -> String {
    let Some(p) = published else {
        return format!("--{month:02}");
    };
    let year = match prep {
        Some("last") => p.year() - i32::from(month >= p.month()),
        Some("next") => p.year() + i32::from(month <= p.month()),
        _ => {
            let first = NaiveDate::from_ymd_opt(p.year(), month, 1);
            let limit = p.checked_add_days(Days::new(FUTURE_DAYS));
            match (first, limit) {
                (Some(f), Some(l)) if f > l => p.year() - 1,
                _ => p.year(),
            }
        }
    };
    format!("{year:04}-{month:02}")
}

fn shift(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    if days >= 0 {
        date.checked_add_days(Days::new(days as u64))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    }
}

fn iso_date(d: NaiveDate) -> String {
    let mut s = String::with_capacity(10);
    if d.year() < 0 {
        s.push('-');
    }
    push_padded(&mut s, d.year().unsigned_abs(), 4);
    s.push('-');
    push_padded(&mut s, d.month(), 2);
    s.push('-');
    push_padded(&mut s, d.day(), 2);
    s
}

/// Appends `n` zero-padded to `width` digits (years here are 1..=9999 in
/// practice; wider numbers are written in full).
fn push_padded(s: &mut String, n: u32, width: u32) {
    let mut div = 10u32.pow(width - 1);
    while div > 1 && n / div >= 10 {
        div *= 10;
    }
    while div > 0 {
        s.push(char::from(b'0' + (n / div % 10) as u8));
        div /= 10;
    }
}
fn plausible_year(s: &str) -> bool {
    (1900..=2099).contains(&num(s))
}

fn weekday(name: &str) -> Option<Weekday> {
    Some(match name {
        "Monday" => Weekday::Mon,
        "Tuesday" => Weekday::Tue,
        "Wednesday" => Weekday::Wed,
        "Thursday" => Weekday::Thu,
        "Friday" => Weekday::Fri,
        "Saturday" => Weekday::Sat,
        "Sunday" => Weekday::Sun,
        _ => return None,
    })
}

fn is_full_month(name: &str) -> bool {
    name.len() >= 5 || name == "May" || name == "June" || name == "July"
}

/// Named days that are not the weekday of this week: "Super Tuesday",
/// "Black Friday", "Good Friday", …
fn named_day(text: &str, start: usize) -> bool {
    const NAMED: &[&str] = &[
        "Super", "Black", "Good", "Ash", "Holy", "Cyber", "Bloody", "Easter", "Palm", "Maundy",
        "Shrove", "Giving", "Blue", "Manic", "Mad",
    ];
    let before = text[..start].trim_end_matches([' ', '\u{a0}']);
    let word_start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphabetic())
        .last()
        .map_or(before.len(), |(i, _)| i);
    NAMED.contains(&&before[word_start..])
}

/// Whether the word after `end` (one space away) starts with a capital.
fn next_word_capitalised(text: &str, end: usize) -> bool {
    let rest = &text[end..];
    let rest = rest.strip_prefix([' ', '\u{a0}']).unwrap_or("");
    rest.starts_with(|c: char| c.is_uppercase())
}

/// Whether `start` begins a sentence or line (ignoring spaces and opening
/// quotes or brackets).
fn sentence_start(text: &str, start: usize) -> bool {
    let before =
        text[..start].trim_end_matches([' ', '\t', '\u{a0}', '"', '“', '‘', '\'', '(', '[']);
    match before.chars().last() {
        None => true,
        Some(c) => matches!(c, '.' | '!' | '?' | '\n' | '\r' | ':' | ';' | '—' | '–'),
    }
}

fn date_value(start: usize, end: usize, normalized: String) -> FoundValue {
    FoundValue {
        kind: ValueKind::Date,
        start,
        end,
        normalized,
        amount: None,
        unit: None,
    }
}

fn ric_value(start: usize, code: &str) -> FoundValue {
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

// ---------------------------------------------------------------------------
// Number helpers
// ---------------------------------------------------------------------------

/// Small unsigned integer from ASCII digits (dates only).
fn num(s: &str) -> u32 {
    s.bytes().take_while(u8::is_ascii_digit).fold(0u32, |n, b| {
        n.saturating_mul(10).saturating_add(u32::from(b - b'0'))
    })
}

/// The currency of a sign or code before a number ("US $" = "US$").
fn prefix_currency(p: &str) -> Option<&'static str> {
    let p = p.trim_end_matches(is_space);
    let find = |key: &str| PREFIXES.iter().find(|(s, _)| *s == key).map(|&(_, c)| c);
    if !p.contains(is_space) {
        return find(p);
    }
    // "US $" is "US$"; no other prefix has an inner space.
    let key: String = p.chars().filter(|&c| !is_space(c)).collect();
    if key == "US$" {
        find(&key)
    } else {
        None
    }
}
/// `s` with every run of whitespace as one space (borrowed when it already is).
fn normalize_space(s: &str) -> std::borrow::Cow<'_, str> {
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
/// Extends `start` over a minus sign directly before it, unless the sign is
/// a hyphen inside a word or between numbers.
fn with_sign(text: &str, start: usize) -> usize {
    let before = &text[..start];
    for sign in ['-', '−'] {
        if let Some(rest) = before.strip_suffix(sign) {
            if !rest.ends_with(|c: char| c.is_alphanumeric()) {
                return rest.len();
            }
        }
    }
    start
}

/// Emits a money, quantity or percent value for the decimal `number`
/// Emits a money, quantity or percent value for the decimal `number`
/// (may carry a leading minus) times `10^exp`.
fn push_number(
    out: &mut Vec<FoundValue>,
    kind: ValueKind,
    start: usize,
    end: usize,
    number: &str,
    exp: i32,
    unit: &str,
) {
    let (negative, digits) = match number
        .strip_prefix('-')
        .or_else(|| number.strip_prefix('−'))
    {
        Some(rest) => (true, rest),
        None => (false, number),
    };
    let mut normalized = String::with_capacity(unit.len() + 24);
    if kind == M {
        normalized.push_str(unit);
        normalized.push(' ');
    }
    let at = normalized.len();
    if negative {
        normalized.push('-');
    }
    if !write_decimal(digits, exp, &mut normalized) {
        return;
    }
    if &normalized[at..] == "-0" {
        normalized.remove(at);
    }
    let amount = normalized[at..].parse::<f64>().ok();
    if kind == Q {
        normalized.push(' ');
        normalized.push_str(unit);
    }
    out.push(FoundValue {
        kind,
        start,
        end,
        normalized,
        amount,
        unit: Some(unit.to_string()),
    });
}

/// Appends `digits` (ASCII digits, `,` separators, one `.`) times `10^exp`
/// to `out`: no exponent, integers without decimals, otherwise rounded
/// half-up to at most two decimals. Exact decimal arithmetic; false (and
/// nothing written) for more than 30 digits.
fn write_decimal(digits: &str, exp: i32, out: &mut String) -> bool {
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

// ---------------------------------------------------------------------------
// Boundaries and overlaps
// ---------------------------------------------------------------------------

/// A match may not start inside a word or a number, nor right after a
/// hyphen ending a capitalised word ("Su-30", "COVID-19", "MiG-29"; but
/// "mid-2023", "mid-May" are fine).
fn left_ok(text: &str, start: usize) -> bool {
    let mut before = text[..start].chars().rev();
    match before.next() {
        None => true,
        Some(c) if c.is_alphanumeric() || c == '_' => false,
        Some('.' | ',') => !before.next().is_some_and(|c| c.is_ascii_digit()),
        Some('-') => !before
            .take_while(|c| c.is_alphabetic())
            .any(char::is_uppercase),
        Some(_) => true,
    }
}

/// A match may not end inside a word.
fn right_ok(text: &str, end: usize) -> bool {
    let last = text[..end].chars().next_back();
    let next = text[end..].chars().next();
    match (last, next) {
        (Some(l), Some(n)) => !(l.is_alphanumeric() && (n.is_alphanumeric() || n == '_')),
        _ => true,
    }
}

fn kind_rank(kind: ValueKind) -> u8 {
    match kind {
        ValueKind::Money => 0,
        ValueKind::Percent => 1,
        ValueKind::Quantity => 2,
        ValueKind::Date => 3,
        ValueKind::Ticker => 4,
    }
}

/// Keeps the longest of overlapping candidates (ties: earlier start, then
/// money > percent > quantity > date > ticker) and sorts by start.
fn resolve_overlaps(mut found: Vec<FoundValue>) -> Vec<FoundValue> {
    if found.windows(2).all(|w| w[0].end <= w[1].start) {
        return found;
    }
    found.sort_by(|a, b| {
        (b.end - b.start)
            .cmp(&(a.end - a.start))
            .then(a.start.cmp(&b.start))
            .then(kind_rank(a.kind).cmp(&kind_rank(b.kind)))
    });
    // Accepted spans are disjoint, so the one with the greatest start below
    // a candidate's end is the only one that can reach past its start.
    let mut taken: BTreeMap<usize, usize> = BTreeMap::new();
    let mut kept = Vec::with_capacity(found.len());
    for v in found {
        if v.start >= v.end {
            continue;
        }
        let clash = taken
            .range(..v.end)
            .next_back()
            .is_some_and(|(_, &e)| e > v.start);
        if !clash {
            taken.insert(v.start, v.end);
            kept.push(v);
        }
    }
    kept.sort_by_key(|v| v.start);
    kept
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

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Checks the span invariants and returns (surface, kind, normalized).
    fn run(text: &str, published: Option<NaiveDate>) -> Vec<(String, ValueKind, String)> {
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

    fn check_spans(text: &str, found: &[FoundValue]) {
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

    fn one(text: &str, published: Option<NaiveDate>) -> FoundValue {
        let found = find_values(text, published);
        check_spans(text, &found);
        assert_eq!(found.len(), 1, "{text:?} → {found:?}");
        found.into_iter().next().unwrap()
    }

    fn has(found: &[(String, ValueKind, String)], surface: &str, kind: ValueKind, norm: &str) {
        assert!(
            found
                .iter()
                .any(|(s, k, n)| s == surface && *k == kind && n == norm),
            "missing {surface:?} {kind:?} {norm:?} in {found:#?}"
        );
    }

    fn norms(text: &str, published: Option<NaiveDate>) -> Vec<String> {
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
    fn money_symbols_and_words() {
        let cases = [
            ("$40 billion", "USD 40000000000", 40e9),
            ("$1.5bn", "USD 1500000000", 1.5e9),
            ("US$ 3 million", "USD 3000000", 3e6),
            ("€2.5 billion", "EUR 2500000000", 2.5e9),
            ("£300m", "GBP 300000000", 3e8),
            ("¥10 trillion", "JPY 10000000000000", 1e13),
            ("40 billion euros", "EUR 40000000000", 40e9),
            ("1.2 million rubles", "RUB 1200000", 1.2e6),
            ("5 billion yuan", "CNY 5000000000", 5e9),
            ("$12", "USD 12", 12.0),
            ("$3.50", "USD 3.5", 3.5),
            ("$3.505", "USD 3.51", 3.51),
            ("200 million dollars", "USD 200000000", 2e8),
            ("Rs 500 crore", "INR 5000000000", 5e9),
            ("$1,200", "USD 1200", 1200.0),
            ("$10k", "USD 10000", 1e4),
            ("€5 mln", "EUR 5000000", 5e6),
            ("£4.35 billion", "GBP 4350000000", 4.35e9),
            ("USD 7 million", "USD 7000000", 7e6),
            ("C$2 billion", "CAD 2000000000", 2e9),
            ("3 million pounds sterling", "GBP 3000000", 3e6),
            ("5 trillion won", "KRW 5000000000000", 5e12),
            ("10 billion Egyptian pounds", "EGP 10000000000", 1e10),
            ("$40\u{a0}billion", "USD 40000000000", 40e9),
            ("a 5-billion-euro deal", "EUR 5000000000", 5e9),
            ("90 cents", "USD 0.9", 0.9),
        ];
        for (text, norm, amount) in cases {
            let found = find_values(text, None);
            check_spans(text, &found);
            assert_eq!(found.len(), 1, "{text:?} → {found:?}");
            let v = &found[0];
            assert_eq!(v.kind, ValueKind::Money, "{text}");
            assert_eq!(v.normalized, norm, "{text}");
            assert_eq!(v.amount, Some(amount), "{text}");
            assert_eq!(v.unit.as_deref(), Some(&norm[..3]), "{text}");
            if !text.starts_with("a ") {
                assert_eq!((v.start, v.end), (0, text.len()), "{text}");
            }
        }
        // Trailing punctuation stays outside.
        let v = one("It cost $3.50.", None);
        assert_eq!(v.end, "It cost $3.50".len());
    }

    #[test]
    fn money_ranges_share_scale() {
        let text = "a deal worth $40-50 billion and 2-3 million tonnes";
        let found = run(text, None);
        has(&found, "$40", ValueKind::Money, "USD 40000000000");
        has(&found, "50 billion", ValueKind::Money, "USD 50000000000");
        has(&found, "2", ValueKind::Quantity, "2000000 tonne");
        has(
            &found,
            "3 million tonnes",
            ValueKind::Quantity,
            "3000000 tonne",
        );
    }

    #[test]
    fn pounds_are_weight_unless_sterling() {
        let v = one("a 10 pounds bag", None);
        assert_eq!(
            (v.kind, v.normalized.as_str()),
            (ValueKind::Quantity, "10 lb")
        );
        let v = one("paid 10 pounds sterling", None);
        assert_eq!(
            (v.kind, v.normalized.as_str()),
            (ValueKind::Money, "GBP 10")
        );
        let v = one("paid £10", None);
        assert_eq!(
            (v.kind, v.normalized.as_str()),
            (ValueKind::Money, "GBP 10")
        );
        // Bare "won" after a number is the verb.
        assert!(find_values("Arsenal 3 won", None).is_empty());
    }

    #[test]
    fn quantities() {
        let cases = [
            ("40 million barrels", "40000000 barrel", "barrel"),
            ("30-km", "30 km", "km"),
            ("30 km", "30 km", "km"),
            ("30km", "30 km", "km"),
            ("20-mile", "20 mile", "mile"),
            ("1.2 million tonnes", "1200000 tonne", "tonne"),
            ("500,000 barrels per day", "500000 barrel/day", "barrel/day"),
            ("500,000 bpd", "500000 barrel/day", "barrel/day"),
            ("1.5 mln bpd", "1500000 barrel/day", "barrel/day"),
            ("3 metric tons", "3 tonne", "tonne"),
            ("12 kilometres", "12 km", "km"),
            ("40 bcm", "40000000000 m3", "m3"),
            ("55 billion cubic metres", "55000000000 m3", "m3"),
            (
                "20 million cubic metres per day",
                "20000000 m3/day",
                "m3/day",
            ),
            ("55 bcm a year", "55000000000 m3/year", "m3/year"),
            ("600 MW", "600 MW", "MW"),
            ("2 gigawatts", "2 GW", "GW"),
            ("1,000 hectares", "1000 ha", "ha"),
            ("250 kg", "250 kg", "kg"),
            ("100 metres", "100 m", "m"),
            ("5 mtpa", "5000000 tonne/year", "tonne/year"),
        ];
        for (text, norm, unit) in cases {
            let v = one(text, None);
            assert_eq!(v.kind, ValueKind::Quantity, "{text}");
            assert_eq!(v.normalized, norm, "{text}");
            assert_eq!(v.unit.as_deref(), Some(unit), "{text}");
            assert_eq!((v.start, v.end), (0, text.len()), "{text}");
        }
        assert!(find_values("40 million people and 5,000 troops", None).is_empty());
    }

    #[test]
    fn percentages() {
        let cases = [
            ("3.5%", "3.5", "%"),
            ("3.5 percent", "3.5", "%"),
            ("3.5 per cent", "3.5", "%"),
            ("50 basis points", "50", "bp"),
            ("25 bps", "25", "bp"),
            ("2 percentage points", "2", "pp"),
            ("-0.5%", "-0.5", "%"),
        ];
        for (text, norm, unit) in cases {
            let v = one(text, None);
            assert_eq!(v.kind, ValueKind::Percent, "{text}");
            assert_eq!(v.normalized, norm, "{text}");
            assert_eq!(v.unit.as_deref(), Some(unit), "{text}");
            assert_eq!((v.start, v.end), (0, text.len()), "{text}");
        }
        let v = one("rates rose 50 basis points.", None);
        assert_eq!(v.amount, Some(50.0));
        // A range: the first number takes the unit of the second.
        assert_eq!(norms("growth of 2-3%", None), vec!["2", "3"]);
    }

    #[test]
    fn dates_absolute() {
        let p = Some(ymd(2022, 7, 19));
        let cases = [
            ("November 23, 2015", "2015-11-23"),
            ("July 19, 2022", "2022-07-19"),
            ("23 November 2015", "2015-11-23"),
            ("the 24th of February 2022", "2022-02-24"),
            ("May 2022", "2022-05"),
            ("in December 2021", "2021-12"),
            ("2022-07-19", "2022-07-19"),
            ("Sept. 11, 2001", "2001-09-11"),
            ("since 2015", "2015"),
            ("by mid-2023", "2023"),
            ("in early 2018", "2018"),
        ];
        for (text, norm) in cases {
            assert_eq!(norms(text, p), vec![norm], "{text}");
            assert_eq!(norms(text, None), vec![norm], "{text} (no published)");
        }
        let found = run("since 2015", p);
        assert_eq!(found[0].0, "2015");
        let found = run("Sept. 11, 2001.", p);
        assert_eq!(found[0].0, "Sept. 11, 2001");
        // Invalid calendar dates are not dates.
        assert!(find_values("on 2022-02-30", p).is_empty());
    }

    #[test]
    fn dates_partial_and_relative() {
        let p = Some(ymd(2022, 7, 19));
        for (text, norm) in [
            ("Feb. 24", "2022-02-24"),
            ("Feb 24", "2022-02-24"),
            ("February 24", "2022-02-24"),
            ("24 February", "2022-02-24"),
            ("In May", "2022-05"),
            ("in February", "2022-02"),
            ("since mid-May", "2022-05"),
            ("last May", "2022-05"),
            ("next May", "2023-05"),
            ("next September", "2022-09"),
            ("February's data", "2022-02"),
            ("in September", "2022-09"),
            ("in November", "2021-11"),
            ("Tuesday", "2022-07-19"),
            ("Tuesday's talks", "2022-07-19"),
            ("today", "2022-07-19"),
            ("yesterday", "2022-07-18"),
            ("Tomorrow, talks resume.", "2022-07-20"),
        ] {
            assert_eq!(norms(text, p), vec![norm], "{text}");
        }
        let found = run("Tuesday's talks", p);
        assert_eq!(found[0].0, "Tuesday");
        let found = run("since mid-May", p);
        assert_eq!(found[0].0, "May");
        let found = run("on 24 Feb.", p);
        assert_eq!(found[0].0, "24 Feb");
    }

    #[test]
    fn no_published_date() {
        assert_eq!(norms("Feb. 24", None), vec!["--02-24"]);
        assert_eq!(norms("In May", None), vec!["--05"]);
        assert_eq!(norms("on Tuesday", None), vec!["tuesday"]);
        assert!(find_values("yesterday and today and tomorrow", None).is_empty());
        assert!(find_values("Feb. 30", None).is_empty());
        assert_eq!(norms("Feb. 29", None), vec!["--02-29"]);
    }

    #[test]
    fn weekday_across_week_boundary() {
        let monday = Some(ymd(2024, 3, 4));
        assert_eq!(norms("on Friday", monday), vec!["2024-03-01"]);
        assert_eq!(norms("on Wednesday", monday), vec!["2024-03-06"]);
        assert_eq!(norms("on Monday", monday), vec!["2024-03-04"]);
        assert_eq!(norms("on Thursday", monday), vec!["2024-03-07"]);
        assert_eq!(norms("on Sunday", monday), vec!["2024-03-03"]);
    }

    #[test]
    fn year_rollover() {
        let p = Some(ymd(2023, 1, 10));
        assert_eq!(norms("on Dec. 28", p), vec!["2022-12-28"]);
        assert_eq!(norms("in December", p), vec!["2022-12"]);
        assert_eq!(norms("on March 1", p), vec!["2023-03-01"]);
        // Feb. 29 in a non-leap publication year falls back a year only if valid.
        assert_eq!(
            norms("on Feb. 29", Some(ymd(2025, 3, 1))),
            vec!["2024-02-29"]
        );
    }

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

    #[test]
    fn longest_wins() {
        let found = run("on 5 May 2022", None);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "5 May 2022");
        assert_eq!(found[0].2, "2022-05-05");
        // "May 5" loses to the longer "5 million barrels".
        let found = run("in the week to May 5 million barrels were shipped", None);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "5 million barrels");
        // An impossible day leaves the month and the quantity.
        let p = Some(ymd(2022, 7, 19));
        let found = run("In May 40 million barrels were stored", p);
        has(&found, "May", ValueKind::Date, "2022-05");
        has(
            &found,
            "40 million barrels",
            ValueKind::Quantity,
            "40000000 barrel",
        );
        // A range shares one number with a plain value; no duplicates.
        assert_eq!(norms("2-3% and 3%", None), vec!["2", "3", "3"]);
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
