//! The trained category classifier's share of the per-article cost of the
//! core, measured paired: each round enriches the sample articles once with
//! and once without the classifier (alternating which goes first), on one
//! thread, and the per-round ratio is kept. The median of those ratios is
//! robust to the drift of a shared machine that separate criterion runs
//! pick up (±30 % here).
//!
//! Usage: `cargo run --release --example category_share [ROUNDS]`.

use std::time::Instant;

use newsflow_core::decode::decode;
use newsflow_core::enrich::taxonomy::DEFAULT_TAXONOMY;
use newsflow_core::enrich::{Enricher, Lexicon, Taxonomy};
use newsflow_core::fixtures::demo_messages;

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(400, |s| s.parse().expect("ROUNDS is a number"));
    let with = Enricher::embedded().expect("resources");
    // The same tagger model (a clone shares its per-thread word cache).
    let lexicon = Lexicon::embedded().expect("lexicon");
    let taxonomy =
        Taxonomy::parse("config/topics.toml", DEFAULT_TAXONOMY, &lexicon).expect("taxonomy");
    let without = Enricher::new(lexicon, taxonomy, with.tagger().clone());
    let raws: Vec<_> = demo_messages()
        .into_iter()
        .filter_map(|(k, v)| decode(&v, Some(k.as_bytes()), 1 << 20).ok())
        .collect();
    let time = |e: &Enricher| {
        let t = Instant::now();
        for a in &raws {
            std::hint::black_box(e.enrich(a));
        }
        t.elapsed().as_secs_f64()
    };
    for _ in 0..20 {
        time(&with);
        time(&without);
    }
    let (mut ratios, mut t_with, mut t_without) = (Vec::new(), Vec::new(), Vec::new());
    for r in 0..rounds {
        let (a, b) = if r % 2 == 0 {
            let a = time(&with);
            (a, time(&without))
        } else {
            let b = time(&without);
            (time(&with), b)
        };
        ratios.push(a / b);
        t_with.push(a);
        t_without.push(b);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[v.len() / 4], v[v.len() / 2], v[v.len() * 3 / 4])
    };
    let (q1, m, q3) = median(&mut ratios);
    let per = |v: &mut Vec<f64>| median(v).1 * 1e6 / raws.len() as f64;
    println!(
        "{} articles x {rounds} rounds: with categories {:.0} us/article, without {:.0} us/article (medians)",
        raws.len(),
        per(&mut t_with),
        per(&mut t_without)
    );
    println!(
        "cost with / without: median {m:.3} (quartiles {q1:.3}..{q3:.3}); categories add {:+.1} %",
        (m - 1.0) * 100.0
    );
}
