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

criterion_group!(benches, bench);
criterion_main!(benches);
