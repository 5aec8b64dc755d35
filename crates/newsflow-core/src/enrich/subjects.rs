//! Subjects: the 17 top-level IPTC Media Topics (`medtop:01000000` arts,
//! culture, entertainment and media … `medtop:17000000` weather), the news
//! industry's subject scheme, for every article, short or long.
//!
//! **Model.** Each subject is described by 60–80 seed words written for it
//! (`config/iptc.toml`). The table `models/subjects.bin` gives each of the
//! 100,000 most frequent words of the GloVe 6B vectors (Wikipedia and
//! Gigaword newswire) a score per subject: the cosine of the word's vector
//! with the subject's centroid (the mean of its seed vectors). An article's subject scores are the weighted means of its words'
//! scores (title words count twice; very frequent words, which carry little
//! subject, weigh less), and a softmax turns them into probabilities. The
//! table is derived by `newsflow train subjects` from the vectors; no
//! labelled data is needed, so nothing in it comes from a corpus that may
//! not be redistributed.
//!
//! **Why this and not rules or a trained classifier.** Keyword rules need a
//! keyword to appear, and a headline with two sentences often has none of a
//! list (most short items got no category from the rules). Words that are
//! merely *near* the subject ("midfielder", "quarterfinal", "rebounds") are
//! what embeddings know, so every word counts. A supervised classifier would
//! need openly licensed news labelled with these subjects, which no
//! registry package offers; the seed lists are the whole supervision, and
//! they can be read and changed.
//!
//! **Output.** The best subject is given whenever the article has at least
//! [`MIN_WORDS`] known words; any other subject follows when its probability
//! is at least [`SECOND_SHARE`] of the best one's and at least
//! [`MIN_SECOND`]. Scores are the probabilities, in (0, 1].

use rustc_hash::FxHashMap;

use crate::model_file::{self, ModelFileError, ModelKind, Reader};

/// The table compiled into the binary.
pub const DEFAULT_MODEL: &[u8] = include_bytes!("../../../../models/subjects.bin");

const VERSION: u8 = 1;

/// Fewer known words than this: no subject at all.
pub const MIN_WORDS: u32 = 3;
/// A second subject needs this share of the best one's probability …
pub const SECOND_SHARE: f32 = 0.6;
/// … and this probability.
pub const MIN_SECOND: f32 = 0.2;
/// Body words read: the lead says what a story is about.
pub const BODY_WORDS: usize = 120;

/// The subject table.
#[derive(Clone)]
pub struct SubjectModel {
    /// `(id, label)` per subject, in code order.
    pub subjects: Vec<(String, String)>,
    /// Word → row.
    rows: FxHashMap<Box<str>, u32>,
    /// Per row: the word's weight (0..=255 → 0..=1).
    weights: Vec<u8>,
    /// Per row, `subjects.len()` quantised scores; real score = q × `scale`.
    scores: Vec<i8>,
    scale: f32,
    /// Softmax temperature: probabilities = softmax(mean score / t).
    temperature: f32,
}

impl std::fmt::Debug for SubjectModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubjectModel")
            .field("subjects", &self.subjects.len())
            .field("words", &self.rows.len())
            .finish()
    }
}

fn body_error(reason: impl Into<String>) -> ModelFileError {
    ModelFileError::body(ModelKind::Subjects, reason)
}

impl SubjectModel {
    /// Builds a model from its parts (the trainer's output).
    pub fn new(
        subjects: Vec<(String, String)>,
        words: Vec<(String, f32, Vec<f32>)>,
        temperature: f32,
    ) -> Result<SubjectModel, String> {
        let k = subjects.len();
        if k == 0 || k > 255 {
            return Err(format!("{k} subjects"));
        }
        let max = words
            .iter()
            .flat_map(|(_, _, s)| s.iter())
            .fold(0f32, |m, &x| m.max(x.abs()))
            .max(f32::MIN_POSITIVE);
        let scale = max / 127.0;
        let (mut rows, mut weights, mut scores) = (FxHashMap::default(), Vec::new(), Vec::new());
        for (w, weight, s) in words {
            if s.len() != k {
                return Err(format!("{w:?} has {} scores, expected {k}", s.len()));
            }
            if w.is_empty() || w.len() > 255 {
                return Err(format!("word {w:?} is empty or too long"));
            }
            let row = weights.len() as u32;
            if rows.insert(w.clone().into_boxed_str(), row).is_some() {
                return Err(format!("{w:?} twice"));
            }
            weights.push((weight.clamp(0.0, 1.0) * 255.0).round() as u8);
            scores.extend(
                s.iter()
                    .map(|&x| (x / scale).round().clamp(-127.0, 127.0) as i8),
            );
        }
        Ok(SubjectModel {
            subjects,
            rows,
            weights,
            scores,
            scale,
            temperature,
        })
    }

    /// Loads `models/subjects.bin`.
    pub fn load(bytes: &[u8]) -> Result<SubjectModel, ModelFileError> {
        let file = model_file::open(bytes, ModelKind::Subjects, &[VERSION])?;
        let mut r = Reader::new(ModelKind::Subjects, &file.body);
        let k = r.take(1, "the subject count")?[0] as usize;
        let mut subjects = Vec::with_capacity(k);
        for _ in 0..k {
            let id = r.short_str("a subject id")?.to_owned();
            subjects.push((id, r.short_str("a subject label")?.to_owned()));
        }
        let scale = r.f32("the scale")?;
        let temperature = r.f32("the temperature")?;
        if !(scale > 0.0 && temperature > 0.0) {
            return Err(body_error("scale and temperature must be positive"));
        }
        let n = r.u32("the word count")? as usize;
        let mut rows = FxHashMap::default();
        rows.reserve(n);
        for i in 0..n {
            rows.insert(r.short_str("a word")?.into(), i as u32);
        }
        if rows.len() != n {
            return Err(body_error("a word appears twice"));
        }
        let weights = r.take(n, "the weights")?.to_vec();
        let scores: Vec<i8> = r
            .take(n * k, "the scores")?
            .iter()
            .map(|&b| b as i8)
            .collect();
        if !r.rest.is_empty() {
            return Err(body_error(format!(
                "{} bytes after the scores",
                r.rest.len()
            )));
        }
        Ok(SubjectModel {
            subjects,
            rows,
            weights,
            scores,
            scale,
            temperature,
        })
    }

    /// Serialises the model.
    pub fn save(&self) -> Vec<u8> {
        let mut body = vec![self.subjects.len() as u8];
        for (id, label) in &self.subjects {
            for s in [id, label] {
                body.push(s.len() as u8);
                body.extend_from_slice(s.as_bytes());
            }
        }
        body.extend_from_slice(&self.scale.to_le_bytes());
        body.extend_from_slice(&self.temperature.to_le_bytes());
        let mut words: Vec<(&str, u32)> = self.rows.iter().map(|(w, &r)| (&**w, r)).collect();
        words.sort_by_key(|&(_, r)| r);
        body.extend_from_slice(&(words.len() as u32).to_le_bytes());
        for (w, _) in &words {
            body.push(w.len() as u8);
            body.extend_from_slice(w.as_bytes());
        }
        body.extend_from_slice(&self.weights);
        body.extend(self.scores.iter().map(|&s| s as u8));
        model_file::write(ModelKind::Subjects, VERSION, &body)
    }

    /// The probability of every subject, or `None` when the text has fewer
    /// than [`MIN_WORDS`] known words.
    pub fn probabilities(&self, title: Option<&str>, body: &str) -> Option<Vec<f32>> {
        let k = self.subjects.len();
        let mut acc = vec![0f32; k];
        let (mut total, mut known) = (0f32, 0u32);
        let mut lower = String::new();
        let mut add = |text: &str, mult: f32, limit: usize, acc: &mut Vec<f32>| {
            for w in text
                .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
                .filter(|w| w.starts_with(char::is_alphabetic))
                .take(limit)
            {
                // Most words are lower-case ASCII already: no copy for them.
                let key = if w.bytes().all(|b| !b.is_ascii_uppercase() && b.is_ascii()) {
                    w
                } else {
                    lower.clear();
                    lower.extend(w.chars().flat_map(char::to_lowercase));
                    lower.as_str()
                };
                let Some(&row) = self.rows.get(key) else {
                    continue;
                };
                let weight = self.weights[row as usize] as f32 / 255.0 * mult;
                let s = &self.scores[row as usize * k..(row as usize + 1) * k];
                for (a, &q) in acc.iter_mut().zip(s) {
                    *a += q as f32 * weight;
                }
                total += weight;
                known += 1;
            }
        };
        if let Some(t) = title {
            add(t, 2.0, usize::MAX, &mut acc);
        }
        add(body, 1.0, BODY_WORDS, &mut acc);
        if known < MIN_WORDS || total <= 0.0 {
            return None;
        }
        let z: Vec<f32> = acc
            .iter()
            .map(|a| a * self.scale / total / self.temperature)
            .collect();
        let max = z.iter().copied().fold(f32::MIN, f32::max);
        let e: Vec<f32> = z.iter().map(|x| (x - max).exp()).collect();
        let sum: f32 = e.iter().sum();
        Some(e.into_iter().map(|x| x / sum).collect())
    }

    /// The subjects to report: `(index, probability)`, best first.
    pub fn predict(&self, title: Option<&str>, body: &str) -> Vec<(usize, f32)> {
        let Some(p) = self.probabilities(title, body) else {
            return Vec::new();
        };
        let mut ranked: Vec<(usize, f32)> = p.into_iter().enumerate().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let best = ranked[0].1;
        ranked
            .into_iter()
            .enumerate()
            .take_while(|&(i, (_, p))| i == 0 || (p >= SECOND_SHARE * best && p >= MIN_SECOND))
            .map(|(_, x)| x)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> SubjectModel {
        let subjects = vec![
            ("medtop:15000000".to_owned(), "sport".to_owned()),
            (
                "medtop:04000000".to_owned(),
                "economy, business and finance".to_owned(),
            ),
        ];
        let words = vec![
            ("goal".to_owned(), 1.0, vec![0.4, -0.4]),
            ("striker".to_owned(), 1.0, vec![0.5, -0.5]),
            ("shares".to_owned(), 1.0, vec![-0.4, 0.4]),
            ("profit".to_owned(), 1.0, vec![-0.3, 0.3]),
            ("the".to_owned(), 0.1, vec![0.0, 0.0]),
        ];
        SubjectModel::new(subjects, words, 0.1).unwrap()
    }

    #[test]
    fn the_best_subject_comes_first_and_a_close_second_follows() {
        let m = toy();
        let p = m.predict(
            Some("Striker scores late goal"),
            "The striker's goal won it.",
        );
        assert_eq!(p[0].0, 0);
        assert_eq!(p.len(), 1, "{p:?}");
        let mixed = m.predict(None, "goal shares the");
        assert_eq!(mixed.len(), 2, "{mixed:?}");
        assert!(mixed.iter().all(|&(_, p)| p > 0.0 && p <= 1.0));
        assert!(m.predict(None, "nothing known here at all").is_empty());
    }

    #[test]
    fn save_and_load_give_the_same_model() {
        let m = toy();
        let back = SubjectModel::load(&m.save()).unwrap();
        assert_eq!(back.subjects, m.subjects);
        assert_eq!(
            back.probabilities(None, "goal shares striker"),
            m.probabilities(None, "goal shares striker")
        );
        let bytes = m.save();
        assert!(SubjectModel::load(&bytes[..bytes.len() - 9]).is_err());
    }

    #[test]
    fn the_embedded_table_has_the_17_iptc_subjects() {
        let m = SubjectModel::load(DEFAULT_MODEL).unwrap();
        assert_eq!(m.subjects.len(), 17);
        assert_eq!(m.subjects[14].0, "medtop:15000000");
        assert_eq!(m.subjects[14].1, "sport");
        let p = m.predict(
            Some("Late penalty sends champions into the cup semifinal"),
            "The striker converted in stoppage time after the goalkeeper fouled him.",
        );
        assert_eq!(m.subjects[p[0].0].0, "medtop:15000000", "{p:?}");
    }
}
