//! Criterion benchmarks of the pure core on the sample articles (the Reuters
//! reference report and the original samples): decode + enrich + encode per
//! article, and enrichment alone.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use newsflow::commands::demo::demo_messages;
use newsflow::decode::decode;
use newsflow::encode::encode;
use newsflow::enrich::Enricher;

fn articles() -> Vec<(String, Vec<u8>)> {
    demo_messages()
        .into_iter()
        .filter(|(_, v)| decode(v, None, 1 << 20).is_ok())
        .collect()
}

fn bench(c: &mut Criterion) {
    let enricher = Enricher::embedded().expect("resources");
    let msgs = articles();
    let raws: Vec<_> = msgs
        .iter()
        .map(|(k, v)| decode(v, Some(k.as_bytes()), 1 << 20).unwrap())
        .collect();
    let bytes: u64 = msgs.iter().map(|(_, v)| v.len() as u64).sum();
    let now = chrono::Utc::now();

    let mut g = c.benchmark_group("core");
    g.throughput(Throughput::Elements(msgs.len() as u64));
    g.bench_function("decode_enrich_encode/articles", |b| {
        b.iter(|| {
            for (k, v) in &msgs {
                let a = decode(v, Some(k.as_bytes()), 1 << 20).unwrap();
                let e = enricher.enrich(&a);
                std::hint::black_box(encode(&e, None, &now));
            }
        })
    });
    g.bench_function("enrich/articles", |b| {
        b.iter(|| {
            for a in &raws {
                std::hint::black_box(enricher.enrich(a));
            }
        })
    });
    // The trained category classifier's share of the cost.
    let without = Enricher::embedded()
        .expect("resources")
        .with_categories(None);
    g.bench_function("enrich_without_categories/articles", |b| {
        b.iter(|| {
            for a in &raws {
                std::hint::black_box(without.enrich(a));
            }
        })
    });
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("decode_enrich_encode/bytes", |b| {
        b.iter_batched(
            || msgs.clone(),
            |msgs| {
                for (k, v) in &msgs {
                    let a = decode(v, Some(k.as_bytes()), 1 << 20).unwrap();
                    std::hint::black_box(encode(&enricher.enrich(&a), None, &now));
                }
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

/// A synthetic taxonomy of `n` storylines, each with four phrases, one
/// entity and a proximity clause, in the shape of the real ones.
fn synthetic_taxonomy(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        s += &format!(
            "[[topic]]\nid = \"t{i}\"\nlabel = \"T{i}\"\nmin_score = 2.0\nrule = '(\"grain deal {i}\" | \"corridor {i}\" | \"export ban {i}\" | \"topic{i} talks\") & (@\"Ukraine\" | near(\"ship{i}\", \"sea\", 5))'\n"
        );
    }
    s
}

/// Per-article cost of 10 against 1,000 storylines, the tagger off so the
/// taxonomy's share shows.
fn taxonomy_scaling(c: &mut Criterion) {
    let raws: Vec<_> = articles()
        .iter()
        .map(|(k, v)| decode(v, Some(k.as_bytes()), 1 << 20).unwrap())
        .collect();
    let mut g = c.benchmark_group("taxonomy");
    g.throughput(Throughput::Elements(raws.len() as u64));
    for n in [10usize, 1000] {
        let lex = newsflow::enrich::Lexicon::embedded().unwrap();
        let tax =
            newsflow::enrich::Taxonomy::parse("synthetic", &synthetic_taxonomy(n), &lex).unwrap();
        let e = Enricher::new(lex, tax, None);
        g.bench_function(format!("storylines_{n}/articles"), |b| {
            b.iter(|| {
                for a in &raws {
                    std::hint::black_box(e.enrich(a));
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench, taxonomy_scaling);
criterion_main!(benches);
