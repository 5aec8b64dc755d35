//! The model file: the tagger's weights inside the shared model-file
//! container ([`crate::model_file`], kind NER).
//!
//! The body is `bits` (u32), then for version 2 (written now) the
//! live-bucket bitmap (`2^bits / 64` u64) followed by the rows of the live
//! buckets only, for version 1 (still read) every row; all little-endian,
//! weights i16. Storing only live rows keeps the file as small as the
//! in-memory table (see [`super::weights`]), and loading needs no pass over
//! empty buckets.

use super::weights::{Model, Row};
use super::N_CLASSES;
use crate::model_file::{self, ModelFileError, ModelKind};

/// Version 1: every bucket's row.
const DENSE: u8 = 1;
/// Version 2: the live-bucket bitmap, then only the live rows.
const SPARSE: u8 = 2;
/// The versions this build reads.
const VERSIONS: &[u8] = &[DENSE, SPARSE];

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

impl Model {
    /// Loads a model file of version 1 or 2.
    pub fn load(bytes: &[u8]) -> Result<Model, ModelFileError> {
        let file = model_file::open(bytes, ModelKind::Ner, VERSIONS)?;
        let (bits, body) = read_bits(&file.body)?;
        Ok(if file.version == SPARSE {
            let (live, body) = read_bitmap(body, bits)?;
            let n_rows = live.iter().map(|w| w.count_ones() as usize).sum();
            Model::compact(bits, &live, read_rows(body, n_rows)?)
        } else {
            Model::with_rows(bits, read_rows(body, 1 << bits)?)
        })
    }

    /// Serialises the model (version 2).
    pub fn save(&self) -> Vec<u8> {
        let mut body =
            Vec::with_capacity(4 + self.blocks.len() * 8 + self.rows.len() * N_CLASSES * 2);
        body.extend_from_slice(&self.bits.to_le_bytes());
        for block in &self.blocks {
            body.extend_from_slice(&block.live.to_le_bytes());
        }
        for row in &self.rows {
            for w in &row.0 {
                body.extend_from_slice(&w.to_le_bytes());
            }
        }
        model_file::write(ModelKind::Ner, SPARSE, &body)
    }
}

#[cfg(test)]
mod tests {
    use super::super::weights::sparse_rows;
    use super::super::{DocContext, Tag, DEFAULT_MODEL};
    use super::*;
    use crate::enrich::Lexicon;

    #[test]
    fn version_1_and_2_files_load_to_the_same_model() {
        let bits = 10;
        let dense = sparse_rows(bits);
        let mut body = bits.to_le_bytes().to_vec();
        for row in &dense {
            for w in row.0 {
                body.extend_from_slice(&w.to_le_bytes());
            }
        }
        let v1 = Model::load(&model_file::write(ModelKind::Ner, DENSE, &body)).unwrap();
        let v2_bytes = Model::with_rows(bits, dense).save();
        let v2 = Model::load(&v2_bytes).unwrap();
        assert_eq!(v1.save(), v2_bytes);
        assert_eq!(v2.save(), v2_bytes);
        assert_eq!(v1.edge, v2.edge);
        // A truncated row section is refused with the sizes named.
        let mut body = model_file::open(&v2_bytes, ModelKind::Ner, VERSIONS)
            .unwrap()
            .body;
        body.truncate(body.len() - 2);
        let err = Model::load(&model_file::write(ModelKind::Ner, SPARSE, &body)).unwrap_err();
        assert!(err.to_string().contains("weight bytes"), "{err}");
        assert!(matches!(err, ModelFileError::Body { .. }), "{err:?}");
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
