//! Money, quantities and percentages: a number or range with an optional
//! scale word and a unit, currency word or percent after it, or money with
//! a currency sign or code before it.
//!
//! A range shares its scale, currency and unit (`$40-50 billion` gives
//! `USD 40000000000` and `USD 50000000000`); only a percentage takes a
//! leading minus. A bare number is never a value: the grammar only matches
//! numbers with a currency, unit or percent.

use super::numbers::{
    is_space, normalize_space, number_end, range_end, scale_at, skip_separator, write_decimal,
};
use super::tables::{PREFIXES, TAIL_MAP};
use super::ValueKind::{Money as M, Percent as P, Quantity as Q};
use super::{FoundValue, ValueKind};

/// A number or range, an optional scale word and a unit, currency word or
/// percent (`40 million barrels`, `2-3%`). `n1_end` is where the first
/// number ends.
pub(super) fn number_with_unit(
    text: &str,
    start: usize,
    end: usize,
    n1_end: usize,
    out: &mut Vec<FoundValue>,
) {
    let s = &text[start..end];
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
pub(super) fn prefixed_money(
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

/// The currency of a sign or code before a number ("US $" = "US$").
pub(super) fn prefix_currency(p: &str) -> Option<&'static str> {
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

#[cfg(test)]
mod tests {
    use crate::enrich::values::tests::{check_spans, has, norms, one, run};
    use crate::enrich::values::{find_values, ValueKind};

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
}
