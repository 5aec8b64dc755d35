//! Per-article cost of the core on real newswire: decode, enrich and encode
//! (the enriched event's JSON) of Reuters-21578 stories, on one thread.
//!
//! `scripts/bench-core-cost.sh` builds this example at two revisions and
//! runs them alternately, for a paired comparison on a shared machine.
//!
//! Usage: `cargo run --release -p newsflow-core --example core_throughput -- FILE [STORIES] [ROUNDS]`
//! (FILE: JSON Lines with `body` and optional `title`, gzip or plain).

use std::io::Read;
use std::time::Instant;

use newsflow_core::decode::decode;
use newsflow_core::encode::enriched_json;
use newsflow_core::enrich::Enricher;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("FILE");
    let stories: usize = args.next().map_or(2000, |s| s.parse().expect("STORIES"));
    let rounds: usize = args.next().map_or(5, |s| s.parse().expect("ROUNDS"));
    let mut raw = Vec::new();
    std::fs::File::open(&path)
        .expect("open FILE")
        .read_to_end(&mut raw)
        .expect("read FILE");
    let text = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut s = String::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_string(&mut s)
            .expect("gzip");
        s
    } else {
        String::from_utf8(raw).expect("UTF-8")
    };
    let inputs: Vec<Vec<u8>> = text
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            let body = v["body"].as_str()?.trim();
            (!body.is_empty()).then(|| {
                serde_json::to_vec(&serde_json::json!({"title": v["title"], "body": body})).unwrap()
            })
        })
        .take(stories)
        .collect();
    let enricher = Enricher::embedded().expect("resources");
    let now = chrono::Utc::now();
    let pass = || {
        let t = Instant::now();
        let mut bytes = 0usize;
        for (i, m) in inputs.iter().enumerate() {
            let a = decode(m, Some(i.to_string().as_bytes()), 1 << 20).expect("decodes");
            bytes += enriched_json(enricher.enrich(&a), None, &now).len();
        }
        std::hint::black_box(bytes);
        t.elapsed().as_secs_f64()
    };
    pass(); // warm-up: caches, page faults
    let mut times: Vec<f64> = (0..rounds).map(|_| pass()).collect();
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "{} stories, {rounds} rounds: median {:.1} µs/article, {:.0} articles/s",
        inputs.len(),
        median * 1e6 / inputs.len() as f64,
        inputs.len() as f64 / median
    );
}
