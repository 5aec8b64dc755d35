//! Hot reload of the storyline taxonomy while the service runs.
//!
//! Started by [`crate::service::run`], so `newsflow run` and `demo` have it.
//! When `enrich.topics_file` is set, the file is checked every
//! [`RELOAD_INTERVAL`] (modification time and size) and re-read on SIGHUP. A
//! valid file replaces the taxonomy atomically: every article is enriched
//! with exactly one taxonomy and the pipeline never stops, so no message is
//! lost or repeated. An invalid file is rejected with file, line and reason
//! in a WARN line, and the previous taxonomy keeps running. Without a topics
//! file SIGHUP is logged and ignored: it never ends the process (without a
//! handler, SIGHUP's default action would kill it, and as PID 1 in a
//! container it would be dropped silently).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use newsflow_core::enrich::Enricher;
use tokio::signal::unix::{signal, SignalKind};

use crate::resources::reload_taxonomy;
use crate::shutdown::Shutdown;

/// How often the topics file's modification time and size are checked: an
/// edit takes effect within this, and a `stat` every two seconds costs
/// nothing measurable.
pub const RELOAD_INTERVAL: Duration = Duration::from_secs(2);

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// Installs the SIGHUP handler and, with a topics file, its watcher; runs
/// until shutdown. Must be called inside a tokio runtime.
pub fn spawn(
    enricher: Arc<Enricher>,
    path: Option<PathBuf>,
    shutdown: Shutdown,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    let mut hup = signal(SignalKind::hangup())?;
    Ok(tokio::spawn(async move {
        let Some(path) = path else {
            loop {
                tokio::select! {
                    _ = shutdown.wait() => return,
                    _ = hup.recv() => tracing::info!(
                        "SIGHUP received; no enrich.topics_file is set, so there is nothing to reload"
                    ),
                }
            }
        };
        let mut last = stamp(&path);
        let mut tick = tokio::time::interval(RELOAD_INTERVAL);
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
                    metrics::counter!(crate::metrics::RELOADS, "result" => "applied").increment(1);
                    tracing::info!(file = %path.display(), topics = n, cause, "taxonomy reloaded")
                }
                Err(e) => {
                    metrics::counter!(crate::metrics::RELOADS, "result" => "rejected").increment(1);
                    tracing::warn!(
                        error = %e, cause,
                        "taxonomy rejected; the previous one stays in force"
                    )
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
