//! A near-duplicate test set built from real newswire: distinct stories and
//! wire copies of some of them, in one stream, for `newsflow eval
//! duplicates`.
//!
//! A copy is what a wire desk or an aggregator sends again: always a new
//! headline; at random, a sentence dropped or one from another story added
//! (or neither), one to three words changed, the lines re-wrapped, with at
//! least one change to the body. Each copy follows its original within a few hundred
//! articles. The corpus's own repeats (Reuters-21578 carries some stories
//! twice) would count as false alarms, so [`shingle_jaccard`] tells them
//! apart: a flagged pair of "distinct" stories whose word 3-shingles overlap
//! by half or more is reported as a corpus duplicate, not a false positive.
//!
//! The construction is deterministic in its seed; the corpus text never
//! leaves the machine (nothing of it is written to the repository).

use std::collections::HashSet;

use crate::enrich::text::split_sentences;
use crate::rng::SplitMix;

/// One article of the stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    pub id: String,
    pub title: String,
    pub body: String,
    /// For a copy, the id of its original.
    pub copy_of: Option<String>,
    /// What was changed, for the report (`headline+drop` …).
    pub edits: String,
}

/// Stories shorter than this many words are left out: a three-line
/// dividend notice is a template, and two of them agree word for word.
pub const MIN_WORDS: usize = 60;

/// How far (in articles) a copy may follow its original.
pub const MAX_LAG: usize = 500;

fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Word 3-shingle Jaccard similarity of two bodies (lower-cased words).
pub fn shingle_jaccard(a: &str, b: &str) -> f64 {
    let shingles = |s: &str| -> HashSet<String> {
        let w: Vec<String> = words(s).map(str::to_lowercase).collect();
        w.windows(3.min(w.len().max(1)))
            .map(|x| x.join(" "))
            .collect()
    };
    let (x, y) = (shingles(a), shingles(b));
    let union = x.union(&y).count();
    if union == 0 {
        return 0.0;
    }
    x.intersection(&y).count() as f64 / union as f64
}

/// A wire copy of `story`, using `other` as the source of an added sentence
/// and of replacement words.
fn copy(story: &Story, other: &Story, rng: &mut SplitMix) -> Story {
    let mut sentences: Vec<String> = split_sentences(&story.body)
        .into_iter()
        .map(|(s, e)| story.body[s..e].trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let foreign: Vec<String> = split_sentences(&other.body)
        .into_iter()
        .map(|(s, e)| other.body[s..e].trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    // The edits the wire makes: a new headline always; a sentence dropped or
    // added (or neither); a few words changed; the lines re-wrapped. At
    // least one edit touches the body.
    let mut edits = vec!["headline"];
    let (mut sentence_edit, mut words_changed, rewrap) =
        (rng.below(3), rng.below(2) == 1, rng.below(2) == 1);
    if sentence_edit == 0 && !words_changed && !rewrap {
        words_changed = true;
    }
    if sentence_edit == 1 && sentences.len() <= 2 {
        sentence_edit = 2;
    }
    match sentence_edit {
        1 => {
            sentences.remove(rng.below(sentences.len()));
            edits.push("drop");
        }
        2 if !foreign.is_empty() => {
            let at = rng.below(sentences.len() + 1);
            sentences.insert(at, foreign[rng.below(foreign.len())].clone());
            edits.push("add");
        }
        _ => {}
    }
    if words_changed {
        let pool: Vec<&str> = words(&other.body).collect();
        for _ in 0..1 + rng.below(3) {
            let si = rng.below(sentences.len());
            let mut ws: Vec<String> = sentences[si].split(' ').map(str::to_owned).collect();
            if pool.is_empty() || ws.is_empty() {
                continue;
            }
            let wi = rng.below(ws.len());
            ws[wi] = pool[rng.below(pool.len())].to_owned();
            sentences[si] = ws.join(" ");
        }
        edits.push("words");
    }
    if rewrap {
        edits.push("rewrap");
    }
    let mut body = sentences.join(" ");
    if rewrap {
        // Lines of about 60 characters, as on the wire.
        let mut out = String::with_capacity(body.len() + body.len() / 50);
        let mut line = 0;
        for w in body.split(' ') {
            if line > 60 {
                out.push('\n');
                line = 0;
            } else if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
            line += w.len() + 1;
        }
        body = out;
    }
    Story {
        id: format!("{}-copy", story.id),
        title: format!("UPDATE 1-{}", story.title),
        body,
        copy_of: Some(story.id.clone()),
        edits: edits.join("+"),
    }
}

/// The test stream: every story of at least [`MIN_WORDS`] words in `stories`
/// once, and a copy of `copies` of them, each after its original.
pub fn stream(stories: Vec<Story>, copies: usize, seed: u64) -> Vec<Story> {
    let mut rng = SplitMix(seed);
    let pool: Vec<Story> = stories
        .into_iter()
        .filter(|s| words(&s.body).count() >= MIN_WORDS)
        .collect();
    let mut out: Vec<Story> = pool.clone();
    if pool.len() < 2 {
        return out;
    }
    // Choose which stories get a copy, then place each copy after its original.
    let mut order: Vec<usize> = (0..pool.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let mut placed: Vec<(usize, Story)> = Vec::new();
    for &i in order.iter().take(copies.min(pool.len())) {
        let other = &pool[(i + 1 + rng.below(pool.len() - 1)) % pool.len()];
        let c = copy(&pool[i], other, &mut rng);
        let at = (i + 1 + rng.below(MAX_LAG)).min(pool.len());
        placed.push((at, c));
    }
    // Insert from the back so earlier positions stay valid.
    placed.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    for (at, c) in placed {
        out.insert(at, c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn story(id: &str, sentences: usize) -> Story {
        let body = (0..sentences)
            .map(|i| {
                format!(
                    "Sentence {i} of story {id} tells how the market moved on day {i} \
                     while traders waited for news."
                )
            })
            .collect::<Vec<_>>()
            .join(" ");
        Story {
            id: id.into(),
            title: format!("Story {id}"),
            body,
            copy_of: None,
            edits: String::new(),
        }
    }

    #[test]
    fn copies_follow_their_originals_and_differ_from_them() {
        let stories: Vec<Story> = (0..50).map(|i| story(&i.to_string(), 6)).collect();
        let s = stream(stories.clone(), 10, 7);
        assert_eq!(s.len(), 60);
        assert_eq!(s, stream(stories, 10, 7), "deterministic");
        for (i, c) in s.iter().enumerate().filter(|(_, c)| c.copy_of.is_some()) {
            let orig = c.copy_of.as_deref().unwrap();
            let j = s.iter().position(|x| x.id == orig).unwrap();
            assert!(j < i, "copy before original");
            assert_ne!(s[j].body, c.body, "{}", c.edits);
            assert!(shingle_jaccard(&s[j].body, &c.body) > 0.4, "{}", c.edits);
        }
    }

    #[test]
    fn jaccard_of_equal_and_unrelated_bodies() {
        assert_eq!(shingle_jaccard("a b c d", "A b, c d."), 1.0);
        assert_eq!(shingle_jaccard("a b c d", "e f g h"), 0.0);
        assert_eq!(shingle_jaccard("", ""), 0.0);
    }
}
