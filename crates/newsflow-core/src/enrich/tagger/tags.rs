//! BILOU tags and the transitions between them: converting entity spans to
//! and from tag sequences, which tag may follow which, and the best valid
//! tag for a score vector.
//!
//! BILOU (Begin, Inside, Last, Unit, Outside) rather than BIO because the
//! decoder is greedy: with a distinct tag for an entity's last token and for
//! a one-token entity, each decision sees where an entity must end, which
//! made greedy decoding markedly better than BIO. Decoding only ever picks
//! tags that may follow the previous one, so a sequence is well formed except
//! possibly at its end, which [`close`] repairs.

use super::N_CLASSES;

/// A BILOU class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    O,
    B(usize),
    I(usize),
    L(usize),
    U(usize),
}

impl Tag {
    /// The entity type index of a B, I, L or U tag; `None` for O.
    pub fn entity_type(self) -> Option<usize> {
        match self {
            Tag::B(t) | Tag::I(t) | Tag::L(t) | Tag::U(t) => Some(t),
            Tag::O => None,
        }
    }

    pub fn index(self) -> usize {
        match self {
            Tag::O => 0,
            Tag::B(t) => 1 + t * 4,
            Tag::I(t) => 2 + t * 4,
            Tag::L(t) => 3 + t * 4,
            Tag::U(t) => 4 + t * 4,
        }
    }

    pub fn from_index(i: usize) -> Tag {
        if i == 0 {
            return Tag::O;
        }
        let (t, k) = ((i - 1) / 4, (i - 1) % 4);
        [Tag::B(t), Tag::I(t), Tag::L(t), Tag::U(t)][k]
    }

    /// Whether `self` may follow `prev` (None = sentence start).
    pub fn may_follow(self, prev: Option<Tag>) -> bool {
        let open = match prev {
            Some(Tag::B(t)) | Some(Tag::I(t)) => Some(t),
            _ => None,
        };
        match (open, self) {
            (Some(t), Tag::I(u)) | (Some(t), Tag::L(u)) => t == u,
            (Some(_), _) => false,
            (None, Tag::I(_)) | (None, Tag::L(_)) => false,
            (None, _) => true,
        }
    }
}

/// BILOU tags of entity spans `(start, end, type index)` over `n` tokens.
pub fn bilou_from_spans(n: usize, spans: &[(usize, usize, usize)]) -> Vec<Tag> {
    let mut tags = vec![Tag::O; n];
    for &(s, e, t) in spans {
        if e - s == 1 {
            tags[s] = Tag::U(t);
        } else {
            tags[s] = Tag::B(t);
            for tag in &mut tags[s + 1..e - 1] {
                *tag = Tag::I(t);
            }
            tags[e - 1] = Tag::L(t);
        }
    }
    tags
}

/// Entity spans `(start, end, type index)` of a BILOU sequence (lenient:
/// an unfinished entity ends where the next one starts).
pub fn spans_from_bilou(tags: &[Tag]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    for (i, &t) in tags.iter().enumerate() {
        match t {
            Tag::U(ty) => {
                if let Some((s, oty)) = open.take() {
                    out.push((s, i, oty));
                }
                out.push((i, i + 1, ty));
            }
            Tag::B(ty) => {
                if let Some((s, oty)) = open.take() {
                    out.push((s, i, oty));
                }
                open = Some((i, ty));
            }
            Tag::I(ty) | Tag::L(ty) => {
                match open {
                    Some((_, oty)) if oty == ty => {}
                    _ => {
                        if let Some((s, oty)) = open.take() {
                            out.push((s, i, oty));
                        }
                        open = Some((i, ty));
                    }
                }
                if matches!(t, Tag::L(_)) {
                    let (s, oty) = open.take().unwrap();
                    out.push((s, i + 1, oty));
                }
            }
            Tag::O => {
                if let Some((s, oty)) = open.take() {
                    out.push((s, i, oty));
                }
            }
        }
    }
    if let Some((s, oty)) = open {
        out.push((s, tags.len(), oty));
    }
    out
}

/// The best valid class for a score vector.
pub(super) fn best<T: PartialOrd + Copy>(scores: &[T; N_CLASSES], prev: Option<Tag>) -> Tag {
    let mut best: Option<(usize, T)> = None;
    for (c, &s) in scores.iter().enumerate() {
        if !Tag::from_index(c).may_follow(prev) {
            continue;
        }
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((c, s));
        }
    }
    Tag::from_index(best.map_or(0, |(c, _)| c))
}

/// Repairs a sequence ending inside an entity.
pub(super) fn close(tags: &mut [Tag]) {
    if let Some(last) = tags.last_mut() {
        *last = match *last {
            Tag::B(t) => Tag::U(t),
            Tag::I(t) => Tag::L(t),
            other => other,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bilou_round_trip_and_constraints() {
        let spans = vec![(0, 2, 0), (3, 4, 2), (5, 8, 1)];
        let tags = bilou_from_spans(9, &spans);
        assert_eq!(tags[0], Tag::B(0));
        assert_eq!(tags[1], Tag::L(0));
        assert_eq!(tags[3], Tag::U(2));
        assert_eq!(tags[6], Tag::I(1));
        assert_eq!(spans_from_bilou(&tags), spans);
        for i in 0..N_CLASSES {
            assert_eq!(Tag::from_index(i).index(), i);
        }
        assert!(!Tag::I(0).may_follow(None));
        assert!(!Tag::L(1).may_follow(Some(Tag::B(0))));
        assert!(Tag::L(0).may_follow(Some(Tag::I(0))));
        assert!(!Tag::O.may_follow(Some(Tag::B(0))));
    }
}
