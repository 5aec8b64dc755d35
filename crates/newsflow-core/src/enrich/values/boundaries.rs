//! Word boundaries and overlap resolution.
//!
//! The grammar's word boundaries are ASCII; [`left_ok`] and [`right_ok`]
//! check each candidate against the text around it, Unicode-aware, and
//! refuse model numbers (`Su-30`, `COVID-19`). Candidates found at
//! different triggers may overlap (`5 May 2022` and `May 2022`);
//! [`resolve_overlaps`] keeps the longest and returns them sorted and
//! disjoint.

use std::collections::BTreeMap;

use super::{FoundValue, ValueKind};

/// A match may not start inside a word or a number, nor right after a
/// hyphen ending a capitalised word ("Su-30", "COVID-19", "MiG-29"; but
/// "mid-2023", "mid-May" are fine).
pub(super) fn left_ok(text: &str, start: usize) -> bool {
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
pub(super) fn right_ok(text: &str, end: usize) -> bool {
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
pub(super) fn resolve_overlaps(mut found: Vec<FoundValue>) -> Vec<FoundValue> {
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
    use crate::enrich::values::tests::{has, norms, run, ymd};
    use crate::enrich::values::ValueKind;

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
}
