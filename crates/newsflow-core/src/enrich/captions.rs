//! Photo captions and credit lines embedded in article bodies.
//!
//! Wire copy scraped from web pages often carries the caption of a photo as a
//! paragraph of its own, ending in a credit such as
//! `(credit: ALEXEI DRUZHININ/SPUTNIK/KREMLIN/FILE PHOTO VIA REUTERS)` or
//! `REUTERS/Evgenia Novozhenina`. A caption describes a picture, often from
//! another day ("Tehran, Iran, November 23, 2015"), so its names and phrases
//! must not count as what the article is about. This module finds those
//! paragraphs; the core reports them in `captions[]` and masks them out of
//! entity and storyline analysis.

use std::sync::LazyLock;

use regex::Regex;

/// A caption paragraph by byte range, with the credit text if one was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptionSpan {
    pub start: usize,
    pub end: usize,
    pub credit: Option<(usize, usize)>,
}

/// Credits that close a caption paragraph. Lengths are checked in
/// [`credit_in`], not with `{2,200}`-style bounds: bounded repetitions of
/// Unicode classes compile to automata hundreds of times larger (50 ms of
/// start-up, slower searches).
static CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)
        (?:
            \(\s*(?:credit|photo|photograph|picture|image|file\ photo)s?\s*:\s*(?P<a>[^()]{2,})\)   # (credit: X)
          | \(\s*(?P<b>(?:photo|picture|image)\ by\ (?P<by>[^()]{2,}))\)                          # (Photo by X)
          | (?P<c>(?-i:REUTERS|AFP|AP|EPA|GETTY\ IMAGES)/[\p{L}\p{M}.'’\ -]{2,}(?:/[\p{L}\p{M}.'’\ -]{2,})*) # REUTERS/Name
        )
        [\s.]*$",
    )
    .expect("valid regex")
});

/// Longest credit name, and longest part of an agency credit, in characters.
const MAX_CREDIT: usize = 200;
const MAX_CREDIT_PART: usize = 80;

/// The credit that ends `line`, as the byte range of the credit text; the
/// leftmost one within the length limits.
fn credit_in(line: &str) -> Option<(usize, usize)> {
    let chars = |s: &str| s.chars().count();
    let mut from = 0;
    while from < line.len() {
        let caps = CREDIT.captures_at(line, from)?;
        let fits = if let Some(a) = caps.name("a") {
            chars(a.as_str()) <= MAX_CREDIT
        } else if let Some(by) = caps.name("by") {
            chars(by.as_str()) <= MAX_CREDIT
        } else {
            let c = caps.name("c").expect("one alternative matched").as_str();
            c.split('/')
                .skip(1)
                .all(|part| chars(part) <= MAX_CREDIT_PART)
        };
        let whole = caps.get(0).expect("group 0");
        if fits {
            let m = ["a", "b", "c"]
                .iter()
                .find_map(|g| caps.name(g))
                .expect("one alternative matched");
            return Some((m.start(), m.start() + m.as_str().trim_end().len()));
        }
        from = whole.start()
            + line[whole.start()..]
                .chars()
                .next()
                .map_or(1, char::len_utf8);
    }
    None
}

/// Finds caption paragraphs: lines whose text ends with a photo credit.
pub fn find_captions(body: &str) -> Vec<CaptionSpan> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in body.split_inclusive('\n') {
        let content = line.trim_end();
        let lead = content.len() - content.trim_start().len();
        if let Some((s, e)) = credit_in(content) {
            out.push(CaptionSpan {
                start: line_start + lead,
                end: line_start + content.len(),
                credit: Some((line_start + s, line_start + e)),
            });
        }
        line_start += line.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_paragraphs_are_captions() {
        let body = "Putin met Khamenei.\n\nPutin (L) meets Khamenei in Tehran, November 23, 2015. \
                    (credit: ALEXEI DRUZHININ/SPUTNIK/KREMLIN/FILE PHOTO VIA REUTERS)\n\nTalks went on.";
        let caps = find_captions(body);
        assert_eq!(caps.len(), 1);
        let c = &caps[0];
        assert!(body[c.start..c.end].starts_with("Putin (L) meets"));
        assert!(body[c.start..c.end].ends_with("VIA REUTERS)"));
        let (cs, ce) = c.credit.unwrap();
        assert_eq!(
            &body[cs..ce],
            "ALEXEI DRUZHININ/SPUTNIK/KREMLIN/FILE PHOTO VIA REUTERS"
        );
    }

    #[test]
    fn agency_slash_credit_and_photo_by() {
        let body = "A tanker at sea. REUTERS/Stringer\nA rally. (Photo by Jane Doe/AFP via Getty Images)\nNo credit here.";
        let caps = find_captions(body);
        assert_eq!(caps.len(), 2);
        let (s, e) = caps[0].credit.unwrap();
        assert_eq!(&body[s..e], "REUTERS/Stringer");
        let (s, e) = caps[1].credit.unwrap();
        assert_eq!(&body[s..e], "Photo by Jane Doe/AFP via Getty Images");
    }

    #[test]
    fn over_long_credits_are_not_credits() {
        let long = "x".repeat(MAX_CREDIT + 1);
        assert!(find_captions(&format!("A picture. (credit: {long})")).is_empty());
        let ok = "x".repeat(MAX_CREDIT);
        assert_eq!(
            find_captions(&format!("A picture. (credit: {ok})")).len(),
            1
        );
        let part = "Y".repeat(MAX_CREDIT_PART + 1);
        assert!(find_captions(&format!("A tanker. REUTERS/{part}")).is_empty());
        // A later credit within the limits still counts.
        let body = format!("A tanker. REUTERS/{part}AP/Jane Doe");
        let caps = find_captions(&body);
        let (s, e) = caps[0].credit.unwrap();
        assert_eq!(&body[s..e], "AP/Jane Doe");
    }

    #[test]
    fn prose_mentioning_reuters_is_not_a_caption() {
        assert!(
            find_captions("In May, Reuters reported that exports fell (see chart).").is_empty()
        );
        assert!(find_captions("He said: (credit is due) to the team and more.").is_empty());
    }
}
