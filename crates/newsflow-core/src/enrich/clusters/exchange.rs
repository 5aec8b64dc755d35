//! The exchange algorithm over word contexts: clusters of cased words learnt
//! from running text, the trainer of the cased cluster table.
//!
//! Why: the GloVe clusters ([`super::kmeans`]) are of lower-cased words, so
//! "Bush" the president and "bush" the shrub share one; they also come from
//! Wikipedia rather than the wire. Clusters learnt by newsflow itself on
//! Reuters stories keep the case and the newswire sense of a word. This is
//! the distributional view of Brown clustering (Brown et al. 1992; Martin,
//! Liermann & Ney 1998; the predictive form of Uszkoreit & Brants 2008):
//! each word is put in the class that maximises the likelihood of its
//! neighbours given its class,
//!
//! `L = Σ_{c,x} N(c,x) log N(c,x) − Σ_c N(c) log N(c)`,
//!
//! where `x` runs over context events (the word to the left and the word to
//! the right, told apart) and `N(c,x)` counts the events of the words of
//! class `c`. Words are visited in frequency order and each is moved to the
//! class with the largest gain; a pass costs about the number of distinct
//! (word, context) pairs times the classes they meet, seconds for a few
//! million tokens. Deterministic: no randomness, a fixed visiting order, ties
//! broken towards the lower class.

use rustc_hash::FxHashMap;

/// `x log x`, with `0 log 0 = 0`.
#[inline]
fn xlogx(x: u32) -> f64 {
    if x == 0 {
        0.0
    } else {
        let x = x as f64;
        x * x.ln()
    }
}

/// The contexts of each clustered word: `(context event, count)`, where the
/// event of word `w` on the left is `2w` and on the right `2w + 1`.
pub struct Contexts {
    per_word: Vec<Vec<(u32, u32)>>,
    events: usize,
}

impl Contexts {
    /// Counts the contexts of words `0..clustered` in `sentences` (word ids;
    /// ids at or above `clustered` are context only, `boundary` stands for
    /// the sentence's ends).
    pub fn count(sentences: &[Vec<u32>], clustered: usize, boundary: u32) -> Contexts {
        let mut maps: Vec<FxHashMap<u32, u32>> = vec![FxHashMap::default(); clustered];
        let mut max_id = boundary;
        for s in sentences {
            for (i, &w) in s.iter().enumerate() {
                max_id = max_id.max(w);
                if (w as usize) >= clustered {
                    continue;
                }
                let left = if i == 0 { boundary } else { s[i - 1] };
                let right = s.get(i + 1).copied().unwrap_or(boundary);
                *maps[w as usize].entry(2 * left).or_default() += 1;
                *maps[w as usize].entry(2 * right + 1).or_default() += 1;
            }
        }
        let per_word = maps
            .into_iter()
            .map(|m| {
                let mut v: Vec<(u32, u32)> = m.into_iter().collect();
                v.sort_unstable();
                v
            })
            .collect();
        Contexts {
            per_word,
            events: 2 * (max_id as usize + 1),
        }
    }
}

/// Clusters the words of `ctx` into `k` classes in `passes` passes (words are
/// numbered in frequency order, most frequent first); `progress` hears each
/// pass's number of moved words. Returns each word's class.
pub fn cluster(
    ctx: &Contexts,
    k: usize,
    passes: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Vec<u32> {
    let n = ctx.per_word.len();
    assert!(k >= 2, "at least two classes");
    let mut class: Vec<u32> = (0..n).map(|w| (w % k) as u32).collect();
    // N(c, x) per event x, as (class, count) lists; N(c).
    let mut by_event: Vec<FxHashMap<u32, u32>> = vec![FxHashMap::default(); ctx.events];
    let mut total = vec![0u32; k];
    for (w, evs) in ctx.per_word.iter().enumerate() {
        for &(x, c) in evs {
            *by_event[x as usize].entry(class[w]).or_default() += c;
            total[class[w] as usize] += c;
        }
    }
    let mut gain = vec![0f64; k];
    for pass in 1..=passes {
        let mut moved = 0;
        for (w, evs) in ctx.per_word.iter().enumerate() {
            let nw: u32 = evs.iter().map(|e| e.1).sum();
            if nw == 0 {
                continue;
            }
            let from = class[w];
            // Take the word out of its class.
            for &(x, c) in evs {
                let m = by_event[x as usize].get_mut(&from).expect("counted");
                *m -= c;
                if *m == 0 {
                    by_event[x as usize].remove(&from);
                }
            }
            total[from as usize] -= nw;
            // Gain of putting it in each class: the terms of events the class
            // already has, on top of what every class gets.
            gain.iter_mut().for_each(|g| *g = 0.0);
            for &(x, c) in evs {
                let fc = xlogx(c);
                for (&b, &m) in &by_event[x as usize] {
                    gain[b as usize] += xlogx(m + c) - xlogx(m) - fc;
                }
            }
            let mut best = (f64::MIN, 0u32);
            for (b, g) in gain.iter().enumerate() {
                let t = total[b];
                let score = g - (xlogx(t + nw) - xlogx(t));
                if score > best.0 + 1e-9 {
                    best = (score, b as u32);
                }
            }
            let to = best.1;
            for &(x, c) in evs {
                *by_event[x as usize].entry(to).or_default() += c;
            }
            total[to as usize] += nw;
            if to != from {
                class[w] = to;
                moved += 1;
            }
        }
        progress(pass, moved);
        if moved == 0 {
            break;
        }
    }
    class
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words used in the same contexts end up together.
    #[test]
    fn words_of_the_same_contexts_share_a_class() {
        // 0 the, 1 of, 2..4 names after "Mr", 5..7 places after "in",
        // 8 Mr, 9 in, 10 said, 11 ".", 12 the boundary.
        let mut sentences = Vec::new();
        for round in 0..30u32 {
            sentences.push(vec![8, 2 + round % 3, 10]);
            sentences.push(vec![0, 1, 9, 5 + (round + 1) % 3, 11]);
        }
        let ctx = Contexts::count(&sentences, 12, 12);
        let run = || cluster(&ctx, 6, 10, &mut |_, _| {});
        let class = run();
        assert_eq!(class[2], class[3]);
        assert_eq!(class[3], class[4]);
        assert_eq!(class[5], class[6]);
        assert_eq!(class[6], class[7]);
        assert_ne!(class[2], class[5]);
        assert_eq!(class, run(), "deterministic");
    }
}
