//! The cluster-table file: the shared model-file container
//! ([`crate::model_file`], kind CLU), version 1.
//!
//! The body is the number of levels (u8), each level's cluster count (u32),
//! the number of words (u32), then each word as a length byte and its UTF-8
//! bytes, then for each word its ids (u16 per level); little-endian. Words
//! rather than their hashes are stored so that the table can be read,
//! inspected and re-keyed; the sorted hash index is built at load (a few
//! milliseconds).

use super::{Ids, WordClusters, MAX_LEVELS};
use crate::model_file::{self, ModelFileError, ModelKind, Reader};

const VERSION: u8 = 1;

fn body_error(reason: impl Into<String>) -> ModelFileError {
    ModelFileError::body(ModelKind::Clusters, reason)
}

impl WordClusters {
    /// Loads a cluster-table file.
    pub fn load(bytes: &[u8]) -> Result<WordClusters, ModelFileError> {
        let file = model_file::open(bytes, ModelKind::Clusters, &[VERSION])?;
        let mut r = Reader::new(ModelKind::Clusters, &file.body);
        let levels = r.take(1, "the level count")?[0] as usize;
        if levels == 0 || levels > MAX_LEVELS {
            return Err(body_error(format!("{levels} levels")));
        }
        let sizes = (0..levels)
            .map(|_| r.u32("the level sizes"))
            .collect::<Result<Vec<_>, _>>()?;
        let n = r.u32("the word count")? as usize;
        let mut words = Vec::with_capacity(n);
        for _ in 0..n {
            words.push(r.short_str("a word")?.to_owned());
        }
        let id_bytes = r.take(n * levels * 2, "the ids")?;
        if !r.rest.is_empty() {
            return Err(body_error(format!("{} bytes after the ids", r.rest.len())));
        }
        let entries = words
            .into_iter()
            .zip(id_bytes.chunks_exact(levels * 2))
            .map(|(w, c)| {
                let mut ids: Ids = [0; MAX_LEVELS];
                for (id, b) in ids.iter_mut().zip(c.chunks_exact(2)) {
                    *id = u16::from_le_bytes([b[0], b[1]]);
                }
                (w, ids)
            })
            .collect();
        WordClusters::new(sizes, entries).map_err(body_error)
    }

    /// Serialises the table (its words fit the length byte:
    /// [`WordClusters::new`] refuses longer ones).
    pub fn save(&self) -> Vec<u8> {
        let levels = self.sizes.len();
        let mut body = vec![levels as u8];
        for s in &self.sizes {
            body.extend_from_slice(&s.to_le_bytes());
        }
        body.extend_from_slice(&(self.words.len() as u32).to_le_bytes());
        for w in &self.words {
            body.push(w.len() as u8);
            body.extend_from_slice(w.as_bytes());
        }
        for ids in &self.ids {
            for id in &ids[..levels] {
                body.extend_from_slice(&id.to_le_bytes());
            }
        }
        model_file::write(ModelKind::Clusters, VERSION, &body)
    }
}

#[cfg(test)]
mod tests {
    use super::super::DEFAULT_CLUSTERS;
    use super::*;

    #[test]
    fn round_trip_and_truncation() {
        let t = WordClusters::new(
            vec![3, 7],
            vec![("köln".into(), [2, 6, 0, 0]), ("bonn".into(), [2, 5, 0, 0])],
        )
        .unwrap();
        let bytes = t.save();
        let back = WordClusters::load(&bytes).unwrap();
        assert_eq!(back.fingerprint(), t.fingerprint());
        assert_eq!(back.of("köln"), Some(&[2, 6, 0, 0]));

        let mut body = model_file::open(&bytes, ModelKind::Clusters, &[VERSION])
            .unwrap()
            .body;
        body.pop();
        let e = WordClusters::load(&model_file::write(ModelKind::Clusters, VERSION, &body));
        assert!(e.unwrap_err().to_string().contains("truncated in the ids"));
    }

    #[test]
    fn the_committed_table_saves_to_the_same_body() {
        let t = WordClusters::load(DEFAULT_CLUSTERS).unwrap();
        let body = |b: &[u8]| {
            model_file::open(b, ModelKind::Clusters, &[VERSION])
                .unwrap()
                .body
        };
        assert!(body(&t.save()) == body(DEFAULT_CLUSTERS));
    }
}
