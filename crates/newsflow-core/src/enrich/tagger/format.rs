//! The model file: the tagger's weights inside the shared model-file
//! container ([`crate::model_file`], kind NER).
//!
//! Version 3 (written now): the fingerprint of the word-cluster table the
//! model was trained with (u64), the number of stages (u8: 1, or 2 with the
//! document stage), then per stage `bits` (u32), the live-bucket bitmap
//! (`2^bits / 64` u64) and the rows of the live buckets only. Version 2 (still
//! read) is one stage's `bits`, bitmap and rows; version 1 is `bits` and every
//! row. All little-endian, weights i16. Storing only live rows keeps the file as small as the in-memory table
//! (see [`super::weights`]), and loading needs no pass over empty buckets.
//!
//! The cluster table is a separate file ([`crate::enrich::clusters`]); the
//! fingerprint makes a model refuse a table it was not trained with, whose
//! cluster ids would mean other words. Versions 1 and 2 had no clusters and
//! load with an empty table.

use std::sync::Arc;

use super::weights::{Model, Row};
use super::N_CLASSES;
use crate::enrich::clusters::WordTables;
use crate::model_file::{self, ModelFileError, ModelKind};

/// Version 1: every bucket's row.
const DENSE: u8 = 1;
/// Version 2: the live-bucket bitmap, then only the live rows.
const SPARSE: u8 = 2;
/// Version 3: the cluster table's fingerprint and one or two stages.
const CLUSTERED: u8 = 3;
/// The versions this build reads.
const VERSIONS: &[u8] = &[DENSE, SPARSE, CLUSTERED];

fn body_error(reason: impl Into<String>) -> ModelFileError {
    ModelFileError::body(ModelKind::Ner, reason)
}

/// The hash size `bits` at the start of the body, and the rest.
fn read_bits(body: &[u8]) -> Result<(u32, &[u8]), ModelFileError> {
    let Some((head, rest)) = body.split_first_chunk::<4>() else {
        return Err(body_error("truncated before the hash size"));
    };
    let bits = u32::from_le_bytes(*head);
    if !(10..=26).contains(&bits) {
        return Err(body_error(format!("bad hash size {bits}")));
    }
    Ok((bits, rest))
}

/// The live-bucket bitmap of a version 2 body, and the rest.
fn read_bitmap(body: &[u8], bits: u32) -> Result<(Vec<u64>, &[u8]), ModelFileError> {
    let words = (1usize << bits) / 64;
    if body.len() < words * 8 {
        return Err(body_error(format!(
            "expected a {}-byte bucket bitmap",
            words * 8
        )));
    }
    let live: Vec<u64> = body[..words * 8]
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    Ok((live, &body[words * 8..]))
}

/// Exactly `n_rows` rows of weights.
fn read_rows(body: &[u8], n_rows: usize) -> Result<Vec<Row>, ModelFileError> {
    if body.len() != n_rows * N_CLASSES * 2 {
        return Err(body_error(format!(
            "expected {} weight bytes, found {}",
            n_rows * N_CLASSES * 2,
            body.len()
        )));
    }
    Ok(body
        .chunks_exact(2 * N_CLASSES)
        .map(|chunk| {
            let mut row = Row([0; N_CLASSES]);
            for (w, c) in row.0.iter_mut().zip(chunk.chunks_exact(2)) {
                *w = i16::from_le_bytes([c[0], c[1]]);
            }
            row
        })
        .collect())
}

/// A sparse weight table's live-bucket bitmap and rows, and the rest of the body.
type Sparse<'b> = (Vec<u64>, Vec<Row>, &'b [u8]);

/// Reads a sparse weight table off the front of `body`.
fn read_sparse(body: &[u8], bits: u32) -> Result<Sparse<'_>, ModelFileError> {
    let (live, body) = read_bitmap(body, bits)?;
    let n_rows: usize = live.iter().map(|w| w.count_ones() as usize).sum();
    let len = n_rows * N_CLASSES * 2;
    if body.len() < len {
        return Err(body_error(format!(
            "expected {len} weight bytes, found {}",
            body.len()
        )));
    }
    let (rows, rest) = body.split_at(len);
    Ok((live, read_rows(rows, n_rows)?, rest))
}

impl Model {
    /// Loads a model file with the committed cluster table.
    pub fn load(bytes: &[u8]) -> Result<Model, ModelFileError> {
        Model::load_with(bytes, WordTables::embedded())
    }

    /// Loads a model file of version 1, 2 or 3; a version 3 model must have
    /// been trained with `clusters`.
    pub fn load_with(bytes: &[u8], clusters: Arc<WordTables>) -> Result<Model, ModelFileError> {
        let file = model_file::open(bytes, ModelKind::Ner, VERSIONS)?;
        let none = || Arc::new(WordTables::empty());
        match file.version {
            DENSE => {
                let (bits, body) = read_bits(&file.body)?;
                Ok(Model::with_rows(bits, read_rows(body, 1 << bits)?, none()))
            }
            SPARSE => {
                let (bits, body) = read_bits(&file.body)?;
                let (live, rows, rest) = read_sparse(body, bits)?;
                if !rest.is_empty() {
                    return Err(body_error(format!(
                        "{} bytes after the weights",
                        rest.len()
                    )));
                }
                Ok(Model::compact(bits, &live, rows, none()))
            }
            _ => {
                let Some((fp, body)) = file.body.split_first_chunk::<8>() else {
                    return Err(body_error("truncated before the cluster fingerprint"));
                };
                let fp = u64::from_le_bytes(*fp);
                if fp != clusters.fingerprint() {
                    return Err(body_error(format!(
                        "trained with word-cluster table {fp:016x}, given {:016x}",
                        clusters.fingerprint()
                    )));
                }
                let Some((&stages, mut body)) = body.split_first() else {
                    return Err(body_error("truncated before the stage count"));
                };
                if !(1..=2).contains(&stages) {
                    return Err(body_error(format!("{stages} stages")));
                }
                let mut models = Vec::new();
                for _ in 0..stages {
                    let (bits, rest) = read_bits(body)?;
                    let (live, rows, rest) = read_sparse(rest, bits)?;
                    models.push(Model::compact(bits, &live, rows, clusters.clone()));
                    body = rest;
                }
                if !body.is_empty() {
                    return Err(body_error(format!(
                        "{} bytes after the weights",
                        body.len()
                    )));
                }
                let first = models.remove(0);
                Ok(match models.pop() {
                    Some(second) => first.with_second_stage(second),
                    None => first,
                })
            }
        }
    }

    /// Appends the stage's hash size, bitmap and rows.
    fn write_weights(&self, body: &mut Vec<u8>) {
        body.extend_from_slice(&self.bits.to_le_bytes());
        for block in &self.blocks {
            body.extend_from_slice(&block.live.to_le_bytes());
        }
        for row in &self.rows {
            for w in &row.0 {
                body.extend_from_slice(&w.to_le_bytes());
            }
        }
    }

    /// Serialises the model (version 3): the cluster fingerprint, the
    /// number of stages, then each stage's weights.
    pub fn save(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(16 + self.blocks.len() * 8 + self.rows.len() * 34);
        body.extend_from_slice(&self.clusters.fingerprint().to_le_bytes());
        body.push(1 + self.second.is_some() as u8);
        self.write_weights(&mut body);
        if let Some(second) = &self.second {
            second.write_weights(&mut body);
        }
        model_file::write(ModelKind::Ner, CLUSTERED, &body)
    }
}

#[cfg(test)]
mod tests {
    use super::super::weights::sparse_rows;
    use super::super::{DocContext, Tag, DEFAULT_MODEL};
    use super::*;
    use crate::enrich::Lexicon;

    #[test]
    fn version_1_2_and_3_files_load_to_the_same_model() {
        let bits = 10;
        let dense = sparse_rows(bits);
        let none = || Arc::new(WordTables::empty());
        let mut body = bits.to_le_bytes().to_vec();
        for row in &dense {
            for w in row.0 {
                body.extend_from_slice(&w.to_le_bytes());
            }
        }
        let v1 = Model::load(&model_file::write(ModelKind::Ner, DENSE, &body)).unwrap();
        let v3_bytes = Model::with_rows(bits, dense, none()).save();
        let v3 = Model::load_with(&v3_bytes, none()).unwrap();
        assert_eq!(v1.save(), v3_bytes);
        assert_eq!(v3.save(), v3_bytes);
        assert_eq!(v1.edge, v3.edge);
        // A one-stage version 3 is version 2 after the fingerprint and count.
        let mut body = model_file::open(&v3_bytes, ModelKind::Ner, VERSIONS)
            .unwrap()
            .body;
        body.drain(..9);
        let v2 = Model::load(&model_file::write(ModelKind::Ner, SPARSE, &body)).unwrap();
        assert_eq!(v2.save(), v3_bytes);
        // A truncated row section is refused with the sizes named.
        body.truncate(body.len() - 2);
        let err = Model::load(&model_file::write(ModelKind::Ner, SPARSE, &body)).unwrap_err();
        assert!(err.to_string().contains("weight bytes"), "{err}");
        assert!(matches!(err, ModelFileError::Body { .. }), "{err:?}");
        // A model trained without clusters refuses the committed table.
        let err = Model::load(&v3_bytes).unwrap_err();
        assert!(err.to_string().contains("word-cluster table"), "{err}");
    }

    #[test]
    fn the_committed_model_saves_to_the_same_file_and_predictions() {
        let model = Model::load(DEFAULT_MODEL).unwrap();
        let saved = model.save();
        let body = |bytes: &[u8]| model_file::open(bytes, ModelKind::Ner, VERSIONS).unwrap();
        let (before, after) = (body(DEFAULT_MODEL), body(&saved));
        assert_eq!(before.version, after.version);
        assert!(before.body == after.body, "the re-saved body differs");
        let back = Model::load(&saved).unwrap();
        let lex = Lexicon::embedded().unwrap();
        let sentences: [&[&str]; 3] = [
            &[
                "Vladimir", "Putin", "met", "Ebrahim", "Raisi", "in", "Tehran", ".",
            ],
            &["PUTIN", "MEETS", "RAISI", "IN", "TEHRAN"],
            &[
                "The", "World", "Economic", "Forum", "opened", "in", "Davos", "on", "Monday", ".",
            ],
        ];
        let mut doc_a = DocContext::new(sentences);
        let mut doc_b = DocContext::new(sentences);
        for s in sentences {
            let tags = model.tag(s, &lex, &mut doc_a, None);
            assert!(tags.iter().any(|t| *t != Tag::O), "{s:?}");
            assert_eq!(tags, back.tag(s, &lex, &mut doc_b, None), "{s:?}");
        }
    }
}
