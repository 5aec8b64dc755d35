//! Where the research corpora are: one setting, `NEWSFLOW_DATA`.
//!
//! The CoNLL-2003 and Reuters-21578 corpora are research-use data that this
//! repository never holds. Training, evaluation and the model tests find them
//! under `$NEWSFLOW_DATA` (default `../shared/data` beside the checkout):
//! `conll2003/{train,valid}.txt.gz`, `reuters21578/train.jsonl.gz`.
//!
//! A test that needs a corpus calls [`for_test`]: on a newcomer's clone
//! without the data it prints that it is skipped and where it looked; under
//! CI (`CI=true`) a missing corpus is a failure, so CI cannot pass by not
//! finding its data.

use std::path::PathBuf;

/// The environment variable naming the corpora's directory.
pub const DATA_ENV: &str = "NEWSFLOW_DATA";

/// The corpora's directory: `$NEWSFLOW_DATA`, else `../shared/data` beside
/// the workspace root.
pub fn data_dir() -> PathBuf {
    match std::env::var_os(DATA_ENV) {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

/// `relative` under [`data_dir`], if it exists.
pub fn find(relative: &str) -> Option<PathBuf> {
    let p = data_dir().join(relative);
    p.is_file().then_some(p)
}

/// For tests: the corpus file, or `None` after printing why the test is
/// skipped. Panics instead when `CI` is `true`.
pub fn for_test(test: &str, relative: &str) -> Option<PathBuf> {
    if let Some(p) = find(relative) {
        return Some(p);
    }
    let looked = data_dir().join(relative);
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !ci,
        "{test}: corpus {} is missing under CI (set {DATA_ENV})",
        looked.display()
    );
    eprintln!(
        "SKIPPED {test}: corpus not found at {} (set {DATA_ENV} to its directory)",
        looked.display()
    );
    None
}
