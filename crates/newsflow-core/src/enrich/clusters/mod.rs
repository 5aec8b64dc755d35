//! Word clusters: for each of a few hundred thousand lower-cased words, its
//! cluster at several granularities (for example 64, 256, 1024 and 4096
//! clusters), learnt from unlabelled text.
//!
//! Why: a tagger trained on 200,000 labelled tokens has never seen most of
//! the words it meets in news. Clusters of word vectors trained on billions of
//! words of Wikipedia and newswire put an unseen surname beside the surnames
//! it has seen, and a club beside clubs, so the weights learnt for the cluster
//! carry over (Turian, Ratinov & Bengio 2010: +1 to +2 F1 on CoNLL-2003 for
//! this model family). Several granularities let the model use fine clusters
//! where they are well attested and coarse ones where they are not.
//!
//! The table maps the xxh3 hash of the lower-cased word (the hash the tagger
//! already computes) to its cluster ids, sorted by hash, so a lookup is a
//! binary search and loading is one sort; the tagger looks a word type up
//! once per thread (its word cache), not once per token.
//!
//! The tagger reads two tables ([`WordTables`]): clusters of lower-cased
//! words from GloVe vectors (`models/clusters.bin`), and optionally clusters
//! of cased words that newsflow learns itself from running text
//! ([`exchange`]), keyed by the word as written. The committed model has no
//! cased table: on top of the GloVe clusters, cased clusters learnt from the
//! 1.6 million tokens of Reuters-21578 and CoNLL-2003 text here did not
//! raise dev F1 (0.9215 and 0.9219 against 0.9220, see docs/PERFORMANCE.md),
//! so they are an option of `train ner` (`--cased-clusters`), not shipped.
//!
//! Submodules:
//! - [`format`]: the table file;
//! - [`kmeans`]: spherical k-means, which derives a table from word vectors;
//! - [`exchange`]: the exchange algorithm, which derives one from running text.

pub mod exchange;
pub mod format;
pub mod kmeans;

use std::sync::{Arc, LazyLock};

/// The committed table, derived from GloVe 6B vectors (see NOTICE).
pub const DEFAULT_CLUSTERS: &[u8] = include_bytes!("../../../../../models/clusters.bin");

/// The two tables the tagger reads.
#[derive(Debug, Clone)]
pub struct WordTables {
    /// Keyed by the lower-cased word.
    pub lower: WordClusters,
    /// Keyed by the word as written.
    pub cased: WordClusters,
}

impl WordTables {
    /// No clusters at all.
    pub fn empty() -> WordTables {
        WordTables {
            lower: WordClusters::empty(),
            cased: WordClusters::empty(),
        }
    }

    /// The committed tables (loaded once per process): the GloVe table,
    /// no cased one.
    pub fn embedded() -> Arc<WordTables> {
        static TABLES: LazyLock<Arc<WordTables>> = LazyLock::new(|| {
            Arc::new(WordTables {
                lower: WordClusters::load(DEFAULT_CLUSTERS)
                    .expect("the committed cluster table loads"),
                cased: WordClusters::empty(),
            })
        });
        TABLES.clone()
    }

    /// A checksum of both tables (the lower-case table's alone when the
    /// cased one is empty).
    pub fn fingerprint(&self) -> u64 {
        if self.cased.is_empty() {
            self.lower.fingerprint()
        } else {
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            h.update(&self.lower.fingerprint().to_le_bytes());
            h.update(&self.cased.fingerprint().to_le_bytes());
            h.digest()
        }
    }
}

/// Most granularities a table may have.
pub const MAX_LEVELS: usize = 4;

/// Longest word a table holds (its file stores a length byte).
pub const MAX_WORD_BYTES: usize = 255;

/// Cluster ids of one word, coarse to fine; unused levels are 0.
pub type Ids = [u16; MAX_LEVELS];

/// A word-cluster table.
#[derive(Clone)]
pub struct WordClusters {
    /// Number of clusters per level, coarse to fine.
    sizes: Vec<u32>,
    /// The words, in the file's order (kept to save the table again).
    words: Vec<String>,
    /// Per word (file order), its ids.
    ids: Vec<Ids>,
    /// `(hash of the word, index into words)`, sorted by hash.
    by_hash: Vec<(u64, u32)>,
    /// A checksum of the whole table: a tagger trained with one table
    /// refuses another.
    fingerprint: u64,
}

impl std::fmt::Debug for WordClusters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordClusters")
            .field("sizes", &self.sizes)
            .field("words", &self.words.len())
            .finish()
    }
}

/// The word hash a table is keyed by (the tagger's word hash: of the
/// lower-cased word for the lower-case table).
pub fn word_hash(word: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(word.as_bytes())
}

impl WordClusters {
    /// A table from words (lower-cased, distinct) with their ids; `sizes`
    /// gives the number of clusters per level.
    pub fn new(sizes: Vec<u32>, entries: Vec<(String, Ids)>) -> Result<WordClusters, String> {
        WordClusters::check_sizes(&sizes)?;
        let (words, ids): (Vec<String>, Vec<Ids>) = entries.into_iter().unzip();
        for (w, id) in words.iter().zip(&ids) {
            if w.len() > MAX_WORD_BYTES {
                return Err(format!("{w:?} is over {MAX_WORD_BYTES} bytes"));
            }
            for (level, (&i, &size)) in id.iter().zip(&sizes).enumerate() {
                if i as u32 >= size {
                    return Err(format!("{w:?}: id {i} at level {level} of {size}"));
                }
            }
        }
        let mut by_hash: Vec<(u64, u32)> = words
            .iter()
            .enumerate()
            .map(|(i, w)| (word_hash(w), i as u32))
            .collect();
        by_hash.sort_unstable();
        if let Some(pair) = by_hash.windows(2).find(|p| p[0].0 == p[1].0) {
            return Err(format!(
                "{:?} and {:?} share a hash (duplicate word?)",
                words[pair[0].1 as usize], words[pair[1].1 as usize]
            ));
        }
        let mut fp = xxhash_rust::xxh3::Xxh3::new();
        for s in &sizes {
            fp.update(&s.to_le_bytes());
        }
        for (w, id) in words.iter().zip(&ids) {
            fp.update(w.as_bytes());
            fp.update(&[0]);
            for i in id {
                fp.update(&i.to_le_bytes());
            }
        }
        Ok(WordClusters {
            sizes,
            words,
            ids,
            by_hash,
            fingerprint: fp.digest(),
        })
    }

    /// Whether `sizes` can be a table's levels: 1 to [`MAX_LEVELS`] levels
    /// of 1 to 65,536 clusters (checked before a table is derived, too).
    pub fn check_sizes(sizes: &[u32]) -> Result<(), String> {
        if sizes.is_empty() || sizes.len() > MAX_LEVELS {
            return Err(format!(
                "{} levels, expected 1 to {MAX_LEVELS}",
                sizes.len()
            ));
        }
        if let Some(s) = sizes.iter().find(|&&s| s == 0 || s > u16::MAX as u32 + 1) {
            return Err(format!("a level of {s} clusters"));
        }
        Ok(())
    }

    /// A table with no words (every lookup misses): a tagger without clusters.
    pub fn empty() -> WordClusters {
        WordClusters::new(vec![1], Vec::new()).expect("valid")
    }

    /// The ids of the word whose lower-case form hashes to `hash`.
    #[inline]
    pub fn get(&self, hash: u64) -> Option<&Ids> {
        let k = self.by_hash.binary_search_by_key(&hash, |e| e.0).ok()?;
        Some(&self.ids[self.by_hash[k].1 as usize])
    }

    /// The ids of a word (lower-cased for a lower-case table).
    pub fn of(&self, word: &str) -> Option<&Ids> {
        self.get(word_hash(word))
    }

    /// Number of clusters per level, coarse to fine.
    pub fn sizes(&self) -> &[u32] {
        &self.sizes
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True for a table without words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The table's checksum (sizes, words and ids).
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words sharing `word`'s cluster at `level`, in table order.
    fn neighbours<'t>(t: &'t WordClusters, word: &str, level: usize) -> Vec<&'t str> {
        let Some(id) = t.of(word).map(|ids| ids[level]) else {
            return Vec::new();
        };
        t.words
            .iter()
            .zip(&t.ids)
            .filter(|(_, ids)| ids[level] == id)
            .map(|(w, _)| w.as_str())
            .collect()
    }

    #[test]
    fn lookup_by_word_and_refusals() {
        let t = WordClusters::new(
            vec![2, 4],
            vec![
                ("putin".into(), [0, 1, 0, 0]),
                ("raisi".into(), [0, 1, 0, 0]),
                ("tehran".into(), [1, 3, 0, 0]),
            ],
        )
        .unwrap();
        assert_eq!(t.of("tehran"), Some(&[1, 3, 0, 0]));
        assert_eq!(t.of("Tehran"), None, "keys are lower-cased words");
        assert_eq!(t.of("moscow"), None);
        assert_eq!(neighbours(&t, "putin", 1), ["putin", "raisi"]);
        assert_eq!(t.len(), 3);

        let dup = WordClusters::new(
            vec![2],
            vec![("a".into(), [0; 4]), ("a".into(), [1, 0, 0, 0])],
        );
        assert!(dup.unwrap_err().contains("duplicate"));
        let big = WordClusters::new(vec![2], vec![("a".into(), [2, 0, 0, 0])]);
        assert!(big.unwrap_err().contains("id 2 at level 0 of 2"));
        assert!(WordClusters::new(vec![], vec![]).is_err());
        assert!(WordClusters::empty().is_empty());
    }

    #[test]
    fn the_fingerprint_changes_with_any_id() {
        let a = WordClusters::new(vec![4], vec![("x".into(), [1, 0, 0, 0])]).unwrap();
        let b = WordClusters::new(vec![4], vec![("x".into(), [2, 0, 0, 0])]).unwrap();
        assert_ne!(a.fingerprint(), b.fingerprint());
    }

    #[test]
    fn the_committed_table_has_news_words_in_sensible_clusters() {
        let tables = WordTables::embedded();
        let t = &tables.lower;
        assert!(t.len() > 100_000, "{} words", t.len());
        for w in ["putin", "tehran", "grain", "said", "ankara", "minister"] {
            assert!(t.of(w).is_some(), "{w}");
        }
        // Capitals share a coarse cluster more often than a capital and a verb.
        let coarse = |w: &str| t.of(w).unwrap()[0];
        assert_eq!(coarse("ankara"), coarse("tehran"));
        assert_ne!(coarse("ankara"), coarse("said"));
    }
}
