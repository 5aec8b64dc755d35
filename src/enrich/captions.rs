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

/// Credits that close a caption paragraph.
static CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)
        (?:
            \(\s*(?:credit|photo|photograph|picture|image|file\ photo)s?\s*:\s*(?P<a>[^()]{2,200})\)   # (credit: X)
          | \(\s*(?P<b>(?:photo|picture|image)\ by\ [^()]{2,200})\)                                 # (Photo by X)
          | (?P<c>(?-i:REUTERS|AFP|AP|EPA|GETTY\ IMAGES)/[\p{L}\p{M}.'’\ -]{2,80}(?:/[\p{L}\p{M}.'’\ -]{2,80})*) # REUTERS/Name
        )
        [\s.]*$",
    )
    .expect("valid regex")
});

/// Finds caption paragraphs: lines whose text ends with a photo credit.
pub fn find_captions(body: &str) -> Vec<CaptionSpan> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in body.split_inclusive('\n') {
        let content = line.trim_end();
        let lead = content.len() - content.trim_start().len();
        if let Some(caps) = CREDIT.captures(content) {
            let credit = ["a", "b", "c"].iter().find_map(|g| caps.name(g)).map(|m| {
                let text = m.as_str();
                let trimmed = text.trim_end();
                (
                    line_start + m.start(),
                    line_start + m.start() + trimmed.len(),
                )
            });
            out.push(CaptionSpan {
                start: line_start + lead,
                end: line_start + content.len(),
                credit,
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
    fn prose_mentioning_reuters_is_not_a_caption() {
        assert!(
            find_captions("In May, Reuters reported that exports fell (see chart).").is_empty()
        );
        assert!(find_captions("He said: (credit is due) to the team and more.").is_empty());
    }
}
