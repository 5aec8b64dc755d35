//! Training and evaluation of the two models, and the corpora they read.
//!
//! Offline only: these read files (the CoNLL-2003 and Reuters-21578 corpora,
//! gzip or plain) and use every core, unlike the enrichment path, which does
//! no I/O. The models themselves, their features and file formats live beside
//! the enrichment steps that use them ([`crate::enrich::tagger`],
//! [`crate::enrich::categories`]).
//!
//! - [`conll`]: CoNLL-format documents, sentences and gold spans.
//! - [`scores`]: conlleval-style span scoring and precision/recall/F1.
//! - [`clusters`]: `train clusters` from pretrained word vectors.
//! - [`ner`]: `train ner` and `eval ner` over CoNLL files.
//! - [`categories`]: `train categories` and `eval categories` over JSON Lines.
//! - [`duplicates`]: the near-duplicate test stream of `eval duplicates`.
//! - [`subjects`]: `train subjects`, the IPTC subject table from word vectors.
//! - [`corpora`]: where the research corpora are (`NEWSFLOW_DATA`).
//! - [`textfile`]: one gzip-aware text reader for all of them.

pub mod categories;
pub mod clusters;
pub mod conll;
pub mod corpora;
pub mod duplicates;
pub mod ner;
pub mod scores;
pub mod subjects;
pub mod textfile;
