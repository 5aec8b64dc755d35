//! The container both model files share: gzip around an 8-byte magic
//! (`NF` + a 3-letter kind + two zero bytes + a version byte) and the
//! model's own little-endian body.
//!
//! One loader for both models, so that "not gzip", "not this kind of model"
//! and "a version this build cannot read" are told apart in the same words
//! for each, and the body parsers see only their own bytes. Gzip because the
//! weights are mostly small integers and zero runs: the tagger's 2.8 MB of
//! rows ship as 0.6 MB.

use std::io::{Read, Write};

/// Which model a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    /// The entity tagger (`models/ner.bin`).
    Ner,
    /// The category classifier (`models/categories.bin`).
    Categories,
    /// The word-cluster table the tagger reads (`models/clusters.bin`).
    Clusters,
    /// The IPTC subject table (`models/subjects.bin`).
    Subjects,
}

impl ModelKind {
    fn tag(self) -> &'static [u8; 5] {
        match self {
            ModelKind::Ner => b"NFNER",
            ModelKind::Categories => b"NFCAT",
            ModelKind::Clusters => b"NFCLU",
            ModelKind::Subjects => b"NFSUB",
        }
    }

    fn name(self) -> &'static str {
        match self {
            ModelKind::Ner => "NER model",
            ModelKind::Categories => "category model",
            ModelKind::Clusters => "word-cluster table",
            ModelKind::Subjects => "subject table",
        }
    }
}

/// A model file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ModelFileError {
    #[error("not a gzip model file: {0}")]
    NotGzip(#[source] std::io::Error),
    #[error("not a newsflow {} (bad magic)", .0.name())]
    BadMagic(ModelKind),
    #[error("{} of format version {found}, this build reads {supported:?}: retrain it", .kind.name())]
    UnsupportedVersion {
        kind: ModelKind,
        found: u8,
        supported: &'static [u8],
    },
    #[error("{}: {reason}", .kind.name())]
    Body { kind: ModelKind, reason: String },
}

/// An opened model file: its format version and body.
#[derive(Debug)]
pub struct ModelFile {
    pub version: u8,
    pub body: Vec<u8>,
}

/// Opens `bytes` as a `kind` model in one of the `supported` versions.
pub fn open(
    bytes: &[u8],
    kind: ModelKind,
    supported: &'static [u8],
) -> Result<ModelFile, ModelFileError> {
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut raw)
        .map_err(ModelFileError::NotGzip)?;
    if raw.len() < 8 || &raw[..5] != kind.tag() || raw[5..7] != [0, 0] {
        return Err(ModelFileError::BadMagic(kind));
    }
    let version = raw[7];
    if !supported.contains(&version) {
        return Err(ModelFileError::UnsupportedVersion {
            kind,
            found: version,
            supported,
        });
    }
    raw.drain(..8);
    Ok(ModelFile { version, body: raw })
}

/// Writes a `kind` model file of `version` around `body`.
pub fn write(kind: ModelKind, version: u8, body: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(kind.tag()).expect("in-memory write");
    gz.write_all(&[0, 0, version]).expect("in-memory write");
    gz.write_all(body).expect("in-memory write");
    gz.finish().expect("in-memory write")
}

/// A little-endian reader over a model body that names, in its errors, the
/// model kind and what was cut short.
pub struct Reader<'a> {
    pub rest: &'a [u8],
    kind: ModelKind,
}

impl<'a> Reader<'a> {
    pub fn new(kind: ModelKind, body: &'a [u8]) -> Reader<'a> {
        Reader { rest: body, kind }
    }
    pub fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], ModelFileError> {
        if self.rest.len() < n {
            return Err(ModelFileError::body(
                self.kind,
                format!("truncated in {what}"),
            ));
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(head)
    }
    pub fn u32(&mut self, what: &str) -> Result<u32, ModelFileError> {
        Ok(u32::from_le_bytes(self.take(4, what)?.try_into().unwrap()))
    }
    pub fn f32(&mut self, what: &str) -> Result<f32, ModelFileError> {
        Ok(f32::from_le_bytes(self.take(4, what)?.try_into().unwrap()))
    }
    /// A length byte and that many bytes of UTF-8.
    pub fn short_str(&mut self, what: &str) -> Result<&'a str, ModelFileError> {
        let len = self.take(1, what)?[0] as usize;
        std::str::from_utf8(self.take(len, what)?)
            .map_err(|_| ModelFileError::body(self.kind, format!("{what} is not UTF-8")))
    }
}

impl ModelFileError {
    /// A body error of `kind`.
    pub fn body(kind: ModelKind, reason: impl Into<String>) -> ModelFileError {
        ModelFileError::Body {
            kind,
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_each_failure_is_told_apart() {
        let f = write(ModelKind::Ner, 2, b"body");
        let m = open(&f, ModelKind::Ner, &[1, 2]).unwrap();
        assert_eq!((m.version, m.body.as_slice()), (2, &b"body"[..]));

        let e = open(b"plain", ModelKind::Ner, &[2]).unwrap_err();
        assert!(matches!(e, ModelFileError::NotGzip(_)), "{e}");
        let e = open(&f, ModelKind::Categories, &[2]).unwrap_err();
        assert_eq!(e.to_string(), "not a newsflow category model (bad magic)");
        let e = open(&f, ModelKind::Ner, &[3]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "NER model of format version 2, this build reads [3]: retrain it"
        );
        let short = write(ModelKind::Ner, 2, b"");
        assert_eq!(open(&short, ModelKind::Ner, &[2]).unwrap().body.len(), 0);
    }

    /// The committed category model re-saves to the same content, and its
    /// old dense format (version 1) is refused as a version to retrain.
    #[test]
    fn the_committed_category_model_saves_to_the_same_body() {
        use crate::enrich::categories::{CategoryModel, DEFAULT_MODEL};
        let saved = CategoryModel::load(DEFAULT_MODEL).unwrap().save();
        let body = |b: &[u8]| open(b, ModelKind::Categories, &[2, 3]).unwrap().body;
        assert!(
            body(&saved) == body(DEFAULT_MODEL),
            "the re-saved body differs"
        );
        let dense = write(ModelKind::Categories, 1, &body(DEFAULT_MODEL));
        let e = CategoryModel::load(&dense).unwrap_err();
        assert!(
            matches!(e, ModelFileError::UnsupportedVersion { found: 1, .. }),
            "{e}"
        );
        let e = CategoryModel::load(&write(ModelKind::Categories, 2, b"\x0c\0")).unwrap_err();
        assert_eq!(e.to_string(), "category model: truncated");
    }
}
