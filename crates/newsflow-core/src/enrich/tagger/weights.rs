//! Weight storage: the trained model's class weights, one row of 17 per
//! hash bucket that has any, found through a bitmap with running counts.
//!
//! Most buckets have only zero weights (three quarters of the 2^20 of the
//! default model). Storing only the others, in bucket order, with a bitmap
//! that stays in the caches to say whether a bucket has a row and which,
//! means empty buckets are neither fetched nor added, and the rows take a
//! quarter of the memory (8.4 MB for the default model instead of 35.6 MB),
//! which leaves the caches to the rest of the pipeline.
//! Rows are read ahead of use (prefetched) so that the scattered loads of a
//! sentence overlap.

use std::sync::Arc;

use super::cache::next_model_id;
use super::features::neighbour_features;
use super::N_CLASSES;
use crate::enrich::clusters::WordTables;

/// One bucket's class weights (34 bytes: the table stays small enough for
/// the caches; padding rows to a cache line measured slower).
#[derive(Clone, Copy)]
pub(super) struct Row(pub(super) [i16; N_CLASSES]);

/// 64 buckets of the hash table: which of them have a row, and where the
/// first of those rows is in [`Model::rows`].
#[derive(Clone, Copy, Default)]
pub(super) struct Block {
    pub(super) live: u64,
    base: u32,
}

/// A trained model.
///
/// Features hash to `2^bits` buckets, but most buckets have only zero
/// weights. Only the others have a row, stored in bucket order; a bitmap
/// with running counts says whether a bucket has a row and which (see the
/// module documentation).
#[derive(Clone)]
pub struct Model {
    pub(super) bits: u32,
    /// `2^bits / 64` blocks.
    pub(super) blocks: Vec<Block>,
    /// The rows of the live buckets, in bucket order.
    pub(super) rows: Vec<Row>,
    /// Distinguishes models in the per-thread word cache.
    pub(super) id: u64,
    /// The neighbour features past a sentence's ends, summed per slot.
    pub(super) edge: [[i32; N_CLASSES]; 6],
    /// The word clusters the model was trained with.
    pub(super) clusters: Arc<WordTables>,
    /// The document stage ([`super::document`]), if trained.
    pub(super) second: Option<Arc<Model>>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model").field("bits", &self.bits).finish()
    }
}

#[inline]
pub(super) fn bucket(feature: u64, bits: u32) -> usize {
    (feature >> (64 - bits)) as usize
}

/// Adds one bucket's class weights to a score vector.
#[inline]
pub(super) fn add_row(acc: &mut [i32; N_CLASSES], row: &Row) {
    for (o, &w) in acc.iter_mut().zip(&row.0) {
        *o += w as i32;
    }
}

impl Model {
    /// A model from one row per bucket (`2^bits` rows).
    pub(super) fn with_rows(bits: u32, dense: Vec<Row>, clusters: Arc<WordTables>) -> Model {
        debug_assert_eq!(dense.len(), 1 << bits);
        let mut live = vec![0u64; dense.len().div_ceil(64)];
        let mut rows = Vec::new();
        for (b, row) in dense.iter().enumerate() {
            if row.0.iter().any(|&w| w != 0) {
                live[b / 64] |= 1 << (b % 64);
                rows.push(*row);
            }
        }
        Model::compact(bits, &live, rows, clusters)
    }

    /// A model from the live-bucket bitmap and the rows of those buckets.
    pub(super) fn compact(
        bits: u32,
        live: &[u64],
        rows: Vec<Row>,
        clusters: Arc<WordTables>,
    ) -> Model {
        let mut base = 0u32;
        let blocks = live
            .iter()
            .map(|&live| {
                let b = Block { live, base };
                base += live.count_ones();
                b
            })
            .collect();
        let mut model = Model {
            bits,
            blocks,
            rows,
            id: next_model_id(),
            edge: [[0; N_CLASSES]; 6],
            clusters,
            second: None,
        };
        for slot in 0..model.edge.len() {
            let mut feats = Vec::new();
            neighbour_features(slot, None, &mut |f| feats.push(f));
            model.edge[slot] = model.score(&feats);
        }
        model
    }

    /// The index in [`Model::rows`] of a feature's row, or `None` when all
    /// its weights are zero (most features of a sentence: unseen word pairs
    /// hash to empty buckets).
    #[inline]
    pub(super) fn live_index(&self, feature: u64) -> Option<u32> {
        let b = bucket(feature, self.bits);
        let block = self.blocks[b / 64];
        let bit = 1u64 << (b % 64);
        (block.live & bit != 0).then(|| block.base + (block.live & (bit - 1)).count_ones())
    }

    /// The row of a feature, or `None` when all its weights are zero.
    #[inline]
    fn live_row(&self, feature: u64) -> Option<&Row> {
        self.live_index(feature).map(|k| &self.rows[k as usize])
    }

    /// Asks the memory system for row `k` (both ends: a row may straddle two
    /// cache lines) ahead of use.
    #[inline]
    pub(super) fn prefetch_index(&self, k: u32) {
        let row = self.rows.as_ptr().wrapping_add(k as usize) as *const u8;
        crate::enrich::prefetch(row);
        crate::enrich::prefetch(row.wrapping_add(std::mem::size_of::<Row>() - 1));
    }

    /// Sums the class weights of a token's features.
    #[inline]
    pub(super) fn score(&self, feats: &[u64]) -> [i32; N_CLASSES] {
        // Ask for every row first: the loads then overlap instead of queueing
        // behind the additions (the table is larger than the caches close to
        // the core).
        for &f in feats {
            self.prefetch(f);
        }
        let mut acc = [0i32; N_CLASSES];
        for &f in feats {
            self.add(&mut acc, f);
        }
        acc
    }

    /// Adds a feature's class weights to a score vector.
    #[inline]
    pub(super) fn add(&self, acc: &mut [i32; N_CLASSES], feature: u64) {
        if let Some(row) = self.live_row(feature) {
            add_row(acc, row);
        }
    }

    /// Asks the memory system for a feature's row, if it has one.
    #[inline]
    pub(super) fn prefetch(&self, feature: u64) {
        if let Some(k) = self.live_index(feature) {
            self.prefetch_index(k);
        }
    }
}

/// A small dense table with a few non-zero rows, as training makes it.
#[cfg(test)]
pub(super) fn sparse_rows(bits: u32) -> Vec<Row> {
    let mut rows = vec![Row([0; N_CLASSES]); 1 << bits];
    for (k, b) in [0usize, 1, 63, 64, 65, 500, (1 << bits) - 1]
        .into_iter()
        .enumerate()
    {
        rows[b].0[k % N_CLASSES] = 100 * (k as i16 + 1) - 350;
        rows[b].0[16] = -7;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_buckets_read_as_absent_and_live_ones_as_their_row() {
        let bits = 10;
        let dense = sparse_rows(bits);
        let m = Model::with_rows(bits, dense.clone(), Arc::new(WordTables::empty()));
        assert_eq!(m.rows.len(), 7);
        for (b, row) in dense.iter().enumerate() {
            let f = (b as u64) << (64 - bits);
            match m.live_row(f) {
                Some(r) => assert_eq!(r.0, row.0, "bucket {b}"),
                None => assert!(row.0.iter().all(|&w| w == 0), "bucket {b}"),
            }
        }
    }
}
