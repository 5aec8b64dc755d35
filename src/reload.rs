//! Hot reload of the storyline taxonomy while the service runs.
//!
//! When `enrich.topics_file` is set, the file is checked every two seconds
//! (modification time and size) and re-read on SIGHUP. A valid file replaces
//! the taxonomy atomically: every article is enriched with exactly one
//! taxonomy, the pipeline never stops, so no message is lost or repeated. An
//! invalid file is rejected with file, line and reason, and the previous
//! taxonomy keeps running.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::enrich::{Enricher, ResourceError, Taxonomy};
use crate::shutdown::Shutdown;

/// Re-reads `path` and swaps the taxonomy in; returns the number of topics.
pub fn reload_taxonomy(enricher: &Enricher, path: &Path) -> Result<usize, ResourceError> {
    let text = std::fs::read_to_string(path).map_err(|source| ResourceError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let taxonomy = Taxonomy::parse(&path.display().to_string(), &text, &enricher.lexicon)?;
    let n = taxonomy.topics.len();
    enricher.replace_taxonomy(taxonomy);
    Ok(n)
}

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// Watches `path` (and SIGHUP) until shutdown, reloading on change.
pub fn spawn(
    enricher: Arc<Enricher>,
    path: PathBuf,
    shutdown: Shutdown,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut hup = signal(SignalKind::hangup())?;
    Ok(tokio::spawn(async move {
        let mut last = stamp(&path);
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            let cause = tokio::select! {
                _ = shutdown.wait() => return,
                _ = hup.recv() => "SIGHUP",
                _ = tick.tick() => {
                    let now = stamp(&path);
                    if now == last { continue; }
                    last = now;
                    "file changed"
                }
            };
            match reload_taxonomy(&enricher, &path) {
                Ok(n) => {
                    tracing::info!(file = %path.display(), topics = n, cause, "taxonomy reloaded")
                }
                Err(e) => {
                    tracing::error!(error = %e, cause, "taxonomy rejected; the previous one stays in force")
                }
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_file_keeps_the_previous_taxonomy() {
        let enricher = Enricher::embedded().unwrap();
        let before = enricher.taxonomy().topics.len();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("topics.toml");
        std::fs::write(
            &path,
            "[[topic]]\nid = \"x\"\nlabel = \"X\"\nrule = '\"a\" &'\n",
        )
        .unwrap();
        let err = reload_taxonomy(&enricher, &path).unwrap_err().to_string();
        assert!(
            err.contains("topics.toml:4") && err.contains("end of rule"),
            "{err}"
        );
        assert_eq!(enricher.taxonomy().topics.len(), before);
        std::fs::write(
            &path,
            "[[topic]]\nid = \"x\"\nlabel = \"X\"\nrule = '\"grain\"'\n",
        )
        .unwrap();
        assert_eq!(reload_taxonomy(&enricher, &path).unwrap(), 1);
        assert_eq!(enricher.taxonomy().topics[0].id, "x");
    }
}
