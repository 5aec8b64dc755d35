//! `newsflow process`: offline enrichment, no Kafka.
//!
//! Each input is a JSON Lines file (one article object per line; detected by a
//! first non-blank character `{`) or a plain-text file holding one article
//! (optionally starting with `date YYYY-MM-DD`). `-` reads standard input.
//! Enriched events go to standard output as JSON Lines, in input order; bad
//! lines are reported on standard error with file and line, and the exit code
//! is 1 when any line failed.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use newsflow_core::decode;
use newsflow_core::encode;
use newsflow_core::enrich::Enricher;

use crate::config::Settings;

/// `newsflow process`.
#[derive(clap::Args)]
pub struct Args {
    /// Input files; none or `-` reads standard input.
    files: Vec<String>,
    /// Configuration file, for `[enrich]` resource paths and `[limits]`.
    #[arg(long)]
    config: Option<PathBuf>,
}

impl Args {
    /// Exit code 1 when any input line failed.
    pub fn execute(self) -> anyhow::Result<u8> {
        let settings = Settings::load(self.config.as_deref())?;
        let enricher = crate::resources::load_enricher(&settings.enrich)?;
        let mut stdout = std::io::stdout().lock();
        let mut dedup = crate::dedup::Window::new(&settings.dedup);
        let (ok, failed) = execute(
            &enricher,
            &mut dedup,
            &self.files,
            settings.limits.max_message_bytes,
            &mut stdout,
        )?;
        eprintln!("newsflow process: {ok} enriched, {failed} failed");
        Ok(if failed > 0 { 1 } else { 0 })
    }
}

/// One unit of input: where it came from and its bytes.
struct Item {
    origin: String,
    key: Option<String>,
    bytes: Vec<u8>,
}

fn split_items(path: &str, bytes: Vec<u8>) -> Vec<Item> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first == Some(b'{') {
        bytes
            .split(|&b| b == b'\n')
            .enumerate()
            .filter(|(_, l)| l.iter().any(|b| !b.is_ascii_whitespace()))
            .map(|(i, l)| Item {
                origin: format!("{path}:{}", i + 1),
                key: None,
                bytes: l.to_vec(),
            })
            .collect()
    } else {
        let key = Path::new(path)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|_| path != "-");
        vec![Item {
            origin: path.to_owned(),
            key,
            bytes,
        }]
    }
}

/// Runs `process` over `paths`, writing to `out`. Returns (ok, failed) counts.
/// Near-duplicates are marked against `dedup`, in input order.
pub fn execute(
    enricher: &Enricher,
    dedup: &mut crate::dedup::Window,
    paths: &[String],
    max_bytes: usize,
    out: &mut dyn Write,
) -> anyhow::Result<(usize, usize)> {
    let paths: Vec<String> = if paths.is_empty() {
        vec!["-".into()]
    } else {
        paths.to_vec()
    };
    let mut items = Vec::new();
    for p in &paths {
        items.extend(split_items(p, super::read_input(p)?));
    }
    let now = chrono::Utc::now();
    let mut out = BufWriter::new(out);
    let (mut ok, mut failed) = (0, 0);
    // Small batches, a few per worker: every core works, and the memory of
    // one batch's results is reused by the next instead of growing (measured:
    // 1,024-article batches spent ~10 % of the time faulting in fresh pages).
    let batch = 32 * rayon::current_num_threads();
    for chunk in items.chunks(batch) {
        let mut enriched: Vec<Result<_, String>> = chunk
            .par_iter()
            .map(|item| {
                let article = decode::decode(
                    &item.bytes,
                    item.key.as_deref().map(str::as_bytes),
                    max_bytes,
                )
                .map_err(|e| format!("{}: {} ({})", item.origin, e, e.class()))?;
                Ok(enricher.enrich(&article))
            })
            .collect();
        // The stateful stage runs in input order, between the parallel ones.
        for a in enriched.iter_mut().flatten() {
            dedup.mark(a);
        }
        let results: Vec<Result<Vec<u8>, String>> = enriched
            .into_par_iter()
            .map(|r| {
                r.map(|a| {
                    let mut line = encode::enriched_json(a, None, &now);
                    line.push(b'\n');
                    line
                })
            })
            .collect();
        for r in results {
            match r {
                Ok(line) => {
                    out.write_all(&line)?;
                    ok += 1;
                }
                Err(e) => {
                    eprintln!("newsflow process: {e}");
                    failed += 1;
                }
            }
        }
    }
    out.flush()?;
    Ok((ok, failed))
}
