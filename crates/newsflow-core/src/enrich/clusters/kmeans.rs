//! Spherical k-means over word vectors: the trainer of a cluster table.
//!
//! Why spherical (cosine) k-means: word vectors are compared by angle, and
//! their lengths mostly encode frequency, which the tagger has elsewhere.
//! Vectors are normalised to unit length, each is assigned to the centroid
//! with the largest dot product, and centroids are the normalised means.
//!
//! Centroids are fitted on the most frequent words (their vectors are the
//! best estimated), then every word of the table is assigned once. Each
//! granularity is fitted on its own (flat, not nested), which measured better
//! for the tagger than splitting coarse clusters. Deterministic for a seed:
//! assignment runs in parallel but each point's answer does not depend on
//! the others, and the means are summed in point order.

use rayon::prelude::*;

/// Vectors of one dimension, row-major, padded to a multiple of 8 floats so
/// the dot products vectorise.
pub struct Vectors {
    dim: usize,
    data: Vec<f32>,
}

impl Vectors {
    /// Normalised copies of `rows` (each of `dim` floats); zero rows stay zero.
    pub fn normalised(rows: impl IntoIterator<Item = Vec<f32>>, dim: usize) -> Vectors {
        let padded = dim.div_ceil(8) * 8;
        let mut data = Vec::new();
        for mut r in rows {
            r.resize(padded, 0.0);
            let norm = r.iter().map(|x| x * x).sum::<f32>().sqrt();
            if norm > 0.0 {
                r.iter_mut().for_each(|x| *x /= norm);
            }
            data.extend_from_slice(&r);
        }
        Vectors { dim: padded, data }
    }

    pub fn len(&self) -> usize {
        self.data.len() / self.dim
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }
}

/// Dot product in eight lanes (the compiler keeps them in vector registers).
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for k in 0..8 {
            lanes[k] += x[k] * y[k];
        }
    }
    lanes.iter().sum()
}

/// The index of the centroid nearest (largest dot product) to `v`.
fn nearest(v: &[f32], centroids: &Vectors) -> u32 {
    let mut best = (f32::MIN, 0u32);
    for c in 0..centroids.len() {
        let s = dot(v, centroids.row(c));
        if s > best.0 {
            best = (s, c as u32);
        }
    }
    best.1
}

/// Each of the first `n` vectors' nearest centroid.
pub fn assign(vectors: &Vectors, n: usize, centroids: &Vectors) -> Vec<u32> {
    (0..n.min(vectors.len()))
        .into_par_iter()
        .map(|i| nearest(vectors.row(i), centroids))
        .collect()
}

/// Fits `k` centroids on the first `fit` vectors in `iterations` rounds;
/// `progress` hears each round's share of moved points.
pub fn fit(
    vectors: &Vectors,
    fit: usize,
    k: usize,
    iterations: usize,
    seed: u64,
    progress: &mut dyn FnMut(usize, f64),
) -> Vectors {
    let n = fit.min(vectors.len());
    assert!(
        k >= 1 && k <= n,
        "k = {k} needs at least k points (have {n})"
    );
    // k distinct points, by a partial Fisher-Yates shuffle.
    let mut idx: Vec<usize> = (0..n).collect();
    let mut rng = crate::rng::SplitMix(seed);
    for i in 0..k {
        let j = i + rng.below(n - i);
        idx.swap(i, j);
    }
    let dim = vectors.dim;
    let mut centroids = Vectors {
        dim,
        data: idx[..k]
            .iter()
            .flat_map(|&i| vectors.row(i).to_vec())
            .collect(),
    };
    let mut previous: Vec<u32> = Vec::new();
    for round in 1..=iterations {
        let labels = assign(vectors, n, &centroids);
        let moved = if previous.is_empty() {
            n
        } else {
            labels.iter().zip(&previous).filter(|(a, b)| a != b).count()
        };
        progress(round, moved as f64 / n as f64);
        let mut sums = vec![0f32; k * dim];
        for (i, &c) in labels.iter().enumerate() {
            let s = &mut sums[c as usize * dim..(c as usize + 1) * dim];
            for (a, b) in s.iter_mut().zip(vectors.row(i)) {
                *a += b;
            }
        }
        for c in 0..k {
            let s = &sums[c * dim..(c + 1) * dim];
            let norm = s.iter().map(|x| x * x).sum::<f32>().sqrt();
            // An empty cluster keeps its centroid.
            if norm > 0.0 {
                for (d, x) in centroids.data[c * dim..(c + 1) * dim].iter_mut().zip(s) {
                    *d = x / norm;
                }
            }
        }
        if moved == 0 {
            break;
        }
        previous = labels;
    }
    centroids
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Points around three directions fall into three clusters, the same
    /// for the same seed.
    #[test]
    fn separates_directions_deterministically() {
        let dirs = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
        let rows: Vec<Vec<f32>> = (0..60)
            .map(|i| {
                let d = dirs[i % 3];
                let e = (i as f32) * 0.001;
                vec![d[0] + e, d[1] + 2.0 * e, d[2] + 0.5 * e]
            })
            .collect();
        let v = Vectors::normalised(rows, 3);
        let run = |seed| {
            let c = fit(&v, 60, 3, 10, seed, &mut |_, _| {});
            assign(&v, 60, &c)
        };
        let labels = run(7);
        for i in 0..60 {
            assert_eq!(labels[i], labels[i % 3], "point {i}");
        }
        assert_ne!(labels[0], labels[1]);
        assert_ne!(labels[1], labels[2]);
        assert_ne!(labels[0], labels[2]);
        assert_eq!(labels, run(7));
    }

    #[test]
    fn dot_matches_the_plain_sum() {
        let a: Vec<f32> = (0..16).map(|i| i as f32 * 0.5).collect();
        let b: Vec<f32> = (0..16).map(|i| 1.0 - i as f32 * 0.1).collect();
        let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - plain).abs() < 1e-4);
    }
}
