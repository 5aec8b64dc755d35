//! Byte spans of a text, and sets of spans to keep out (captions).
//!
//! Several steps ask "does this token, phrase or value touch a caption?". A
//! [`Span`] answers it for one pair; [`Masks`] answers it for a sorted set in
//! O(log m) by binary search instead of a walk over every mask, so that an
//! article with many captions does not make every token cost m comparisons.

/// A half-open byte range `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// True when the two ranges share at least one position.
    pub const fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub const fn len(&self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

/// Sorted, disjoint spans (overlapping and touching ones merged on
/// construction, empty ones dropped).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Masks {
    spans: Vec<Span>,
}

impl Masks {
    pub fn new(spans: impl IntoIterator<Item = Span>) -> Masks {
        let mut v: Vec<Span> = spans.into_iter().filter(|s| !s.is_empty()).collect();
        v.sort_unstable();
        let mut out: Vec<Span> = Vec::with_capacity(v.len());
        for s in v {
            match out.last_mut() {
                Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
                _ => out.push(s),
            }
        }
        Masks { spans: out }
    }

    /// No masks at all.
    pub fn none() -> Masks {
        Masks::default()
    }

    /// True when `span` overlaps any mask.
    pub fn hits(&self, span: Span) -> bool {
        // The first mask that ends after span.start is the only candidate.
        let i = self.spans.partition_point(|m| m.end <= span.start);
        self.spans.get(i).is_some_and(|m| m.overlaps(&span))
    }

    pub fn iter(&self) -> impl Iterator<Item = Span> + '_ {
        self.spans.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn overlap_is_half_open() {
        let a = Span::new(2, 5);
        assert!(a.overlaps(&Span::new(4, 9)));
        assert!(!a.overlaps(&Span::new(5, 9)));
        assert!(!a.overlaps(&Span::new(0, 2)));
        assert!(a.overlaps(&Span::new(0, 3)));
        assert!(a.overlaps(&Span::new(3, 4)));
    }

    proptest! {
        /// `Masks::hits` answers as a walk over every (non-empty) mask would.
        #[test]
        fn hits_equals_the_linear_walk(
            masks in proptest::collection::vec((0usize..200, 0usize..30), 0..12),
            probe in (0usize..230, 1usize..30),
        ) {
            let spans: Vec<Span> = masks.iter().map(|&(s, l)| Span::new(s, s + l)).collect();
            let set = Masks::new(spans.iter().copied());
            let p = Span::new(probe.0, probe.0 + probe.1);
            let walk = spans.iter().any(|m| !m.is_empty() && m.overlaps(&p));
            prop_assert_eq!(set.hits(p), walk);
        }
    }
}
