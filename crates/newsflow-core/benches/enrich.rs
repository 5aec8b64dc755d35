//! Criterion benchmarks of the pure core on the sample articles (the Reuters
//! reference report and the original samples): decode + enrich + encode per
//! article, enrichment alone and without the category classifier, 10 against
//! 1,000 storylines, and the entity tagger alone in tokens per second.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use newsflow_core::decode::decode;
use newsflow_core::encode::encode;
use newsflow_core::enrich::Enricher;
use newsflow_core::fixtures::demo_messages;

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
                std::hint::black_box(encode(e, None, &now));
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
    // The trained category classifier's share of the cost (the same tagger
    // model, so both share its per-thread word cache;
    // `examples/category_share.rs` measures the share paired, which resists
    // the drift of a shared machine better).
    let lexicon = newsflow_core::enrich::Lexicon::embedded().unwrap();
    let taxonomy = newsflow_core::enrich::Taxonomy::parse(
        "config/topics.toml",
        newsflow_core::enrich::taxonomy::DEFAULT_TAXONOMY,
        &lexicon,
    )
    .unwrap();
    let without = Enricher::new(lexicon, taxonomy, enricher.tagger().clone());
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
                    std::hint::black_box(encode(enricher.enrich(&a), None, &now));
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
        let lex = newsflow_core::enrich::Lexicon::embedded().unwrap();
        let tax = newsflow_core::enrich::Taxonomy::parse("synthetic", &synthetic_taxonomy(n), &lex)
            .unwrap();
        let tagger = newsflow_core::enrich::tagger::Model::load(
            newsflow_core::enrich::tagger::DEFAULT_MODEL,
        )
        .unwrap();
        let e = Enricher::new(lex, tax, tagger);
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

/// The entity tagger alone (both stages: features, gazetteer matches per
/// sentence, greedy decoding, the document stage) over the sentences of the
/// sample articles, in tokens per second. The per-thread word caches are
/// warm, as in a running service. `NEWSFLOW_BENCH_NER_MODEL` names another
/// model file to measure (trained with the built-in clusters, or with none).
fn tagger_tokens(c: &mut Criterion) {
    use newsflow_core::enrich::clusters::WordTables;
    use newsflow_core::enrich::tagger::Model;
    use newsflow_core::enrich::text::Text;
    let enricher = Enricher::embedded().expect("resources");
    let other = std::env::var_os("NEWSFLOW_BENCH_NER_MODEL").map(|p| {
        let bytes = std::fs::read(&p).expect("NEWSFLOW_BENCH_NER_MODEL");
        Model::load(&bytes)
            .or_else(|_| Model::load_with(&bytes, std::sync::Arc::new(WordTables::empty())))
            .expect("a NER model")
    });
    let model = other.as_ref().unwrap_or(enricher.tagger());
    let bodies: Vec<String> = articles()
        .iter()
        .map(|(k, v)| decode(v, Some(k.as_bytes()), 1 << 20).unwrap().body)
        .collect();
    // Each article as sentences of token strings.
    let docs: Vec<Vec<Vec<&str>>> = bodies
        .iter()
        .map(|b| {
            let text = Text::new(b);
            text.sentences
                .iter()
                .map(|&(s, e)| {
                    text.tokens
                        .iter()
                        .filter(|t| t.start >= s && t.end <= e)
                        .map(|t| &b[t.start..t.end])
                        .collect::<Vec<_>>()
                })
                .filter(|s| !s.is_empty())
                .collect()
        })
        .collect();
    let tokens: usize = docs.iter().flatten().map(Vec::len).sum();
    let mut g = c.benchmark_group("tagger");
    g.throughput(Throughput::Elements(tokens as u64));
    g.bench_function("tokens", |b| {
        b.iter(|| {
            for d in &docs {
                let refs: Vec<&[&str]> = d.iter().map(Vec::as_slice).collect();
                std::hint::black_box(model.tag_document(&refs, enricher.lexicon(), None));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench, taxonomy_scaling, tagger_tokens);
criterion_main!(benches);
