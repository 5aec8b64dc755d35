//! Dates: ISO dates, years after a preposition, day-month and month-first
//! dates, weekdays and `today`/`yesterday`/`tomorrow`, and their resolution
//! against the publication date (see "Date resolution" in the parent
//! module's documentation).
//!
//! Much of the code here is about *not* firing: month and weekday names are
//! also names, modals and holidays ("Theresa May", "June Carter", "Super
//! Tuesday", "USA Today"), so a lone month or weekday needs context that is
//! checked in code ([`MONTH_PREPS`], [`named_day`], [`sentence_start`], …).

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::numbers::{digit_runs, is_space, num, skip_space};
use super::{FoundValue, ValueKind};

/// An ISO date (`2022-07-19`), if its year is plausible and the day exists.
pub(super) fn iso_date_match(text: &str, start: usize, end: usize, out: &mut Vec<FoundValue>) {
    let s = &text[start..end];
    let (y, mo, d) = (num(&s[..4]), num(&s[5..7]), num(&s[8..10]));
    if (1900..=2099).contains(&y) {
        if let Some(date) = NaiveDate::from_ymd_opt(y as i32, mo, d) {
            out.push(date_value(start, end, iso_date(date)));
        }
    }
}

/// A four-digit year, if a year preposition licenses it ("in 2018").
pub(super) fn bare_year(text: &str, start: usize, end: usize, out: &mut Vec<FoundValue>) {
    if year_preposition(text, start) {
        out.push(date_value(start, end, text[start..end].to_string()));
    }
}

/// A day-month(-year) date (`23 November 2015`, `24th of February`): the
/// first word after the day number, which ends at `day_end`, is a month.
/// Returns whether it is one; the date is pushed if it also resolves.
pub(super) fn day_month(
    text: &str,
    start: usize,
    end: usize,
    day_end: usize,
    published: Option<NaiveDate>,
    out: &mut Vec<FoundValue>,
) -> bool {
    let s = &text[start..end];
    let mut i = day_end;
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
    let Some((month, mon_len)) = month_at(&s[j..]) else {
        return false;
    };
    let day = num(&s[..day_end]);
    let year = digit_runs(&s[j..]).next().map(|(a, z)| &s[j + a..j + z]);
    if let Some(y) = year.filter(|y| plausible_year(y)) {
        if let Some(date) = NaiveDate::from_ymd_opt(num(y) as i32, month, day) {
            out.push(date_value(start, end, iso_date(date)));
            return true;
        }
    }
    if let Some(norm) = resolve_month_day(month, day, published) {
        out.push(date_value(start, start + j + mon_len, norm));
    }
    true
}

/// A date starting with a month name: month-day(-year), month-year or the
/// month alone.
pub(super) fn month_date(
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

/// A weekday, resolved to the day with that name within ±3 days of
/// `published` (its lowercase name without one). Named days ("Super
/// Tuesday", "Black Friday") are skipped.
pub(super) fn weekday_date(
    text: &str,
    start: usize,
    end: usize,
    weekday: Weekday,
    published: Option<NaiveDate>,
    out: &mut Vec<FoundValue>,
) {
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
        None => text[start..end].to_ascii_lowercase(),
    };
    out.push(date_value(start, end, norm));
}

/// `today`, `yesterday` or `tomorrow`: `offset` days from `published`;
/// skipped without a publication date.
pub(super) fn relative_day(
    text: &str,
    start: usize,
    end: usize,
    offset: i64,
    published: Option<NaiveDate>,
    out: &mut Vec<FoundValue>,
) {
    let Some(p) = published else { return };
    // Capitalised mid-sentence it is a name ("USA Today", BBC's "Today").
    if text[start..end].starts_with(|c: char| c.is_ascii_uppercase())
        && !sentence_start(text, start)
    {
        return;
    }
    if let Some(d) = shift(p, offset) {
        out.push(date_value(start, end, iso_date(d)));
    }
}

/// The month name (full or abbreviated) at the start of `s`: its number and
/// byte length.
pub(super) fn month_at(s: &str) -> Option<(u32, usize)> {
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

pub(super) fn weekday(name: &str) -> Option<Weekday> {
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

#[cfg(test)]
mod tests {
    use crate::enrich::values::find_values;
    use crate::enrich::values::tests::{norms, run, ymd};

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
}
