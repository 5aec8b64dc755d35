//! CoNLL-2003 files: documents (split at `-DOCSTART-`), sentences (split at
//! blank lines), tokens with their gold tag (last column, IOB1 or IOB2).
//! Gzip-compressed files (`.gz`) are read transparently.

use std::path::Path;

/// A sentence: tokens and their gold tags (IOB2 after reading).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sentence {
    pub tokens: Vec<String>,
    pub tags: Vec<String>,
}

/// A document: its sentences in order.
pub type Document = Vec<Sentence>;

/// Reads a CoNLL file (plain or gzip).
pub fn read(path: &Path) -> anyhow::Result<Vec<Document>> {
    let text = super::textfile::read(path)?;
    parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Parses CoNLL text.
pub fn parse(text: &str) -> Result<Vec<Document>, String> {
    let mut docs: Vec<Document> = Vec::new();
    let mut sent = Sentence::default();
    let flush = |docs: &mut Vec<Document>, sent: &mut Sentence| {
        if !sent.tokens.is_empty() {
            if docs.is_empty() {
                docs.push(Vec::new());
            }
            sent.tags = to_iob2(&sent.tags);
            docs.last_mut().unwrap().push(std::mem::take(sent));
        }
    };
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() {
            flush(&mut docs, &mut sent);
            continue;
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols[0] == "-DOCSTART-" {
            flush(&mut docs, &mut sent);
            docs.push(Vec::new());
            continue;
        }
        if cols.len() < 2 {
            return Err(format!("line {}: expected `token ... tag`", n + 1));
        }
        sent.tokens.push(cols[0].to_owned());
        sent.tags.push(cols[cols.len() - 1].to_owned());
    }
    flush(&mut docs, &mut sent);
    docs.retain(|d| !d.is_empty());
    Ok(docs)
}

/// Converts IOB1 (I- starts an entity unless it continues one) to IOB2.
pub fn to_iob2(tags: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(tags.len());
    let mut prev = "O".to_owned();
    for t in tags {
        let fixed = match t.split_once('-') {
            Some(("I", ty)) => {
                let continues = prev.split_once('-').is_some_and(|(_, p)| p == ty);
                if continues {
                    t.clone()
                } else {
                    format!("B-{ty}")
                }
            }
            _ => t.clone(),
        };
        prev = fixed.clone();
        out.push(fixed);
    }
    out
}

/// Entity spans `(start, end_exclusive, type)` of an IOB2 tag sequence.
pub fn spans(tags: &[String]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    for (i, t) in tags.iter().enumerate() {
        let (bio, ty) = t.split_once('-').unwrap_or((t.as_str(), ""));
        let continues = bio == "I" && cur.as_ref().is_some_and(|(_, c)| c == ty);
        if !continues {
            if let Some((s, c)) = cur.take() {
                out.push((s, i, c));
            }
            if bio == "B" || bio == "I" {
                cur = Some((i, ty.to_owned()));
            }
        }
    }
    if let Some((s, c)) = cur {
        out.push((s, tags.len(), c));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_documents_sentences_and_iob1() {
        let text = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP I-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n\n-DOCSTART- -X- O O\n\nBonn NNP I-NP I-LOC\n";
        let docs = parse(text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].len(), 2);
        assert_eq!(docs[0][0].tags, vec!["B-ORG", "O"]);
        assert_eq!(docs[1][0].tags, vec!["B-LOC"]);
        assert_eq!(spans(&docs[0][1].tags), vec![(0, 2, "PER".to_string())]);
    }
}
