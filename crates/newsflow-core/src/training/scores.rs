//! Entity-level evaluation, as CoNLL's `conlleval`: a predicted entity counts
//! only when its span and type both match a gold entity exactly.

use std::collections::BTreeMap;

use serde::Serialize;

/// Precision, recall and F1 with their counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub gold: usize,
    pub predicted: usize,
    pub correct: usize,
}

impl Prf {
    pub fn from_counts(gold: usize, predicted: usize, correct: usize) -> Prf {
        let p = if predicted == 0 {
            0.0
        } else {
            correct as f64 / predicted as f64
        };
        let r = if gold == 0 {
            0.0
        } else {
            correct as f64 / gold as f64
        };
        let f1 = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        Prf {
            precision: p,
            recall: r,
            f1,
            gold,
            predicted,
            correct,
        }
    }
}

/// Accumulates span matches per type.
#[derive(Debug, Default)]
pub struct SpanScorer {
    counts: BTreeMap<String, (usize, usize, usize)>,
}

impl SpanScorer {
    /// Adds one sentence's gold and predicted spans `(start, end, type)`.
    pub fn add(&mut self, gold: &[(usize, usize, String)], predicted: &[(usize, usize, String)]) {
        for g in gold {
            self.counts.entry(g.2.clone()).or_default().0 += 1;
        }
        for p in predicted {
            let c = self.counts.entry(p.2.clone()).or_default();
            c.1 += 1;
            if gold.contains(p) {
                c.2 += 1;
            }
        }
    }

    pub fn overall(&self) -> Prf {
        let (g, p, c) = self
            .counts
            .values()
            .fold((0, 0, 0), |a, x| (a.0 + x.0, a.1 + x.1, a.2 + x.2));
        Prf::from_counts(g, p, c)
    }

    pub fn per_type(&self) -> BTreeMap<String, Prf> {
        self.counts
            .iter()
            .map(|(k, &(g, p, c))| (k.clone(), Prf::from_counts(g, p, c)))
            .collect()
    }

    /// conlleval-style report.
    pub fn report(&self, tokens: usize) -> String {
        let o = self.overall();
        let mut s = format!(
            "processed {tokens} tokens with {} phrases; found: {} phrases; correct: {}.\n\
             {:>9}  precision: {:6.2}%; recall: {:6.2}%; FB1: {:6.2}\n",
            o.gold,
            o.predicted,
            o.correct,
            "overall",
            100.0 * o.precision,
            100.0 * o.recall,
            100.0 * o.f1
        );
        for (k, m) in self.per_type() {
            s += &format!(
                "{:>9}  precision: {:6.2}%; recall: {:6.2}%; FB1: {:6.2}  {}\n",
                k,
                100.0 * m.precision,
                100.0 * m.recall,
                100.0 * m.f1,
                m.predicted
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_span_and_type_matching() {
        let mut s = SpanScorer::default();
        let g = vec![(0, 2, "PER".to_string()), (3, 4, "LOC".to_string())];
        let p = vec![
            (0, 2, "PER".to_string()),
            (3, 4, "ORG".to_string()),
            (5, 6, "LOC".to_string()),
        ];
        s.add(&g, &p);
        let o = s.overall();
        assert_eq!((o.gold, o.predicted, o.correct), (2, 3, 1));
        assert!((o.f1 - 0.4).abs() < 1e-9);
        assert_eq!(s.per_type()["PER"].f1, 1.0);
        assert_eq!(s.per_type()["LOC"].correct, 0);
    }
}
