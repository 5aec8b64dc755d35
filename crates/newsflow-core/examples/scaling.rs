//! How the core's cost grows with the size of one article: decode, enrich
//! and encode of single bodies from 60 KiB to 960 KiB, doubling, on one
//! thread, for shapes that stress the scans most likely to be quadratic.
//!
//! - `newswire`: real Reuters-21578 stories joined into one body (the
//!   paragraph structure of real copy);
//! - the synthetic shapes of [`newsflow_core::fixtures::stress`]: name-dense,
//!   caption-dense, parenthesis-heavy, quote-heavy, one paragraph.
//!
//! Each size is timed as the fastest of several runs; the report gives the
//! time per article and the ratio to the previous size (linear: 2.0).
//! `scripts/bench-scaling.sh` runs it pinned to one core.
//!
//! Usage: `cargo run --release -p newsflow-core --example scaling -- [REUTERS_FILE|-] [RUNS] [SHAPE] [SIZE_KIB]`

use std::io::Read;
use std::time::Instant;

use newsflow_core::decode::decode;
use newsflow_core::encode::enriched_json;
use newsflow_core::enrich::Enricher;
use newsflow_core::fixtures::stress;

const SIZES_KIB: [usize; 5] = [60, 120, 240, 480, 960];

fn body(shape: &str, bytes: usize, reuters: &[String]) -> String {
    if shape != "newswire" {
        return stress::body(shape, bytes).expect("a known shape");
    }
    let mut body = String::with_capacity(bytes + 4096);
    for story in reuters.iter().cycle() {
        if body.len() >= bytes {
            break;
        }
        body.push_str(story);
        body.push_str("\n\n");
    }
    body
}

fn reuters_bodies(path: Option<String>) -> Vec<String> {
    let Some(path) = path else {
        return vec![newsflow_core::fixtures::SEED_ARTICLE.to_string()];
    };
    let mut raw = Vec::new();
    std::fs::File::open(&path)
        .expect("open REUTERS_FILE")
        .read_to_end(&mut raw)
        .expect("read REUTERS_FILE");
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(&raw[..])
        .read_to_string(&mut text)
        .expect("gzip JSON Lines");
    text.lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            Some(v["body"].as_str()?.trim().to_string()).filter(|b| !b.is_empty())
        })
        .take(2000)
        .collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let reuters = reuters_bodies(args.next().filter(|a| a != "-"));
    let runs: usize = args.next().map_or(3, |s| s.parse().expect("RUNS"));
    let only = args.next();
    let only_size: Option<usize> = args.next().map(|s| s.parse().expect("SIZE_KIB"));
    let enricher = Enricher::embedded().expect("resources");
    let now = chrono::Utc::now();
    println!("shape          size      ms/article  ×prev  entities");
    for shape in std::iter::once("newswire")
        .chain(stress::SHAPES)
        .filter(|s| only.as_deref().is_none_or(|o| o == *s))
    {
        let mut prev: Option<f64> = None;
        for kib in SIZES_KIB
            .into_iter()
            .filter(|k| only_size.is_none_or(|o| o == *k))
        {
            let text = body(shape, kib * 1024, &reuters);
            let msg = serde_json::to_vec(&serde_json::json!({"title": "Scaling", "body": text}))
                .expect("json");
            let mut times = Vec::with_capacity(runs);
            let mut entities = 0;
            for _ in 0..runs {
                let t = Instant::now();
                let a = decode(&msg, Some(b"k"), 4 << 20).expect("decodes");
                let e = enricher.enrich(&a);
                entities = e.entities.len();
                std::hint::black_box(enriched_json(e, None, &now).len());
                times.push(t.elapsed().as_secs_f64());
            }
            // The fastest run: interference on a shared machine only ever
            // adds time.
            let ms = times.iter().copied().fold(f64::INFINITY, f64::min) * 1e3;
            let ratio = prev.map_or("    -".to_string(), |p| format!("{:5.2}", ms / p));
            println!("{shape:<14} {kib:>4} KiB  {ms:>10.1}  {ratio}  {entities}");
            prev = Some(ms);
        }
    }
}
