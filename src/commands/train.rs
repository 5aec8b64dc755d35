//! `newsflow train ner|categories|clusters`: trains a model from labelled corpora.
//! The training code is in the core ([`newsflow_core::training`]); this
//! file only maps options.

use std::path::PathBuf;
use std::sync::Arc;

use newsflow_core::enrich::clusters::{WordClusters, WordTables};

use newsflow_core::enrich::categories::TrainParams;
use newsflow_core::enrich::Lexicon;
use newsflow_core::training;

/// `newsflow train`.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Train the multi-label category classifier on JSON Lines (`title`, `body`, `topics`).
    Categories(Categories),
    /// Train the entity tagger on CoNLL-format data (gzip accepted).
    Ner(Ner),
    /// Derive a word-cluster table of the tagger: from pretrained word
    /// vectors (--vectors: GloVe text format or wink-embeddings JSON), or
    /// cased clusters from running text (--corpus, repeatable: Reuters-style
    /// JSON Lines or CoNLL files); gzip accepted.
    Clusters(Clusters),
    /// Derive the IPTC subject table from pretrained word vectors (GloVe
    /// text format or wink-embeddings JSON) and the seed words of
    /// config/iptc.toml.
    Subjects(Subjects),
}

/// `newsflow train subjects`.
#[derive(clap::Args)]
pub struct Subjects {
    #[arg(long)]
    vectors: PathBuf,
    #[arg(long, default_value = "config/iptc.toml")]
    seeds: PathBuf,
    #[arg(long)]
    output: PathBuf,
    /// Words kept in the table (the most frequent of the vector file).
    #[arg(long, default_value_t = 100_000)]
    words: usize,
    /// Softmax temperature of the subject probabilities.
    #[arg(long, default_value_t = 0.025)]
    temperature: f32,
}

/// `newsflow train clusters`.
#[derive(clap::Args)]
pub struct Clusters {
    #[arg(long, conflicts_with = "corpus", required_unless_present = "corpus")]
    vectors: Option<PathBuf>,
    #[arg(long)]
    corpus: Vec<PathBuf>,
    #[arg(long)]
    output: PathBuf,
    /// With --corpus: words seen fewer times are not clustered.
    #[arg(long, default_value_t = 3)]
    min_count: u32,
    /// With --corpus: passes of the exchange algorithm.
    #[arg(long, default_value_t = 8)]
    passes: usize,
    /// Clusters per level, coarse to fine (at most 4 levels).
    #[arg(long, value_delimiter = ',', default_value = "64,256,1024,4096")]
    sizes: Vec<u32>,
    /// Words kept in the table (the most frequent of the vector file).
    #[arg(long, default_value_t = 200_000)]
    words: usize,
    /// Words the centroids are fitted on (the most frequent).
    #[arg(long, default_value_t = 100_000)]
    fit_words: usize,
    /// With --vectors: rounds of k-means.
    #[arg(long, default_value_t = 12)]
    iterations: usize,
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

/// `newsflow train categories`.
#[derive(clap::Args)]
pub struct Categories {
    #[arg(long)]
    input: PathBuf,
    #[arg(long)]
    output: PathBuf,
    #[arg(long, default_value_t = 10)]
    epochs: usize,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// log2 of the number of feature hash buckets.
    #[arg(long, default_value_t = 16)]
    bits: u32,
    /// Weights smaller than this in magnitude are dropped (0 keeps all).
    #[arg(long, default_value_t = 0.1)]
    min_weight: f32,
    /// Body words read per document, from the start (0: all).
    #[arg(long, default_value_t = 150)]
    max_words: u32,
    /// Binary word features instead of sublinear tf-idf (the earlier recipe).
    #[arg(long)]
    binary: bool,
    /// Thresholds by this many-fold cross-validation (0: tuned on every
    /// 7th document instead, the earlier recipe).
    #[arg(long, default_value_t = 5)]
    folds: usize,
}

/// `newsflow train ner`.
#[derive(clap::Args)]
pub struct Ner {
    #[arg(long)]
    train: PathBuf,
    #[arg(long)]
    dev: PathBuf,
    #[arg(long)]
    output: PathBuf,
    #[arg(long, default_value_t = 12)]
    epochs: usize,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// log2 of the number of feature hash buckets.
    #[arg(long, default_value_t = 18)]
    bits: u32,
    /// Word-cluster table file, or `none`; default: the table compiled in.
    #[arg(long)]
    clusters: Option<String>,
    /// Cased word-cluster table file, or `none`; default: the table compiled in.
    #[arg(long)]
    cased_clusters: Option<String>,
    /// Also train the document stage (a second pass over the first pass's
    /// labels: +0.05 dev F1 over the dropout recipe, at about 1.8 times the
    /// cost of `process`).
    #[arg(long)]
    second_stage: bool,
    /// Epochs of the document stage (default: --epochs).
    #[arg(long)]
    second_epochs: Option<usize>,
    /// Train on train and dev together, for exactly --epochs (and
    /// --second-epochs): the counts a train-only run chose on dev.
    #[arg(long)]
    include_dev: bool,
    /// Probability of leaving out each feature of each training step
    /// (0 for none; the committed model's recipe uses 0.3).
    #[arg(long, default_value_t = 0.3, value_parser = unit_interval)]
    dropout: f64,
    /// Trainers, each shuffling its own way, whose averaged weights are
    /// averaged into the model (steadier dev F1, same tagging cost; each
    /// takes about 290 MB at --bits 20, four times that with --second-stage).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=16))]
    mix: u64,
}

/// A probability in `[0, 1)`.
fn unit_interval(s: &str) -> Result<f64, String> {
    let p: f64 = s.parse().map_err(|e| format!("{e}"))?;
    if (0.0..1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("{p} is not in [0, 1)"))
    }
}

/// The cluster tables that `--clusters` and `--cased-clusters` name: each a
/// file, `none` (an empty table), or by default the compiled-in one.
pub fn cluster_tables(
    lower: &Option<String>,
    cased: &Option<String>,
) -> anyhow::Result<Arc<WordTables>> {
    let embedded = WordTables::embedded();
    let one = |option: &Option<String>, default: &WordClusters| -> anyhow::Result<WordClusters> {
        Ok(match option.as_deref() {
            None => default.clone(),
            Some("none") => WordClusters::empty(),
            Some(path) => {
                let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
                WordClusters::load(&bytes).map_err(|e| anyhow::anyhow!("{path}: {e}"))?
            }
        })
    };
    if lower.is_none() && cased.is_none() {
        return Ok(embedded);
    }
    Ok(Arc::new(WordTables {
        lower: one(lower, &embedded.lower)?,
        cased: one(cased, &embedded.cased)?,
    }))
}

impl Command {
    pub fn execute(self) -> anyhow::Result<u8> {
        match self {
            Command::Categories(c) => {
                let params = TrainParams {
                    bits: c.bits,
                    epochs: c.epochs,
                    seed: c.seed,
                    min_weight: c.min_weight,
                    max_words: c.max_words,
                    tfidf: !c.binary,
                };
                if c.folds == 0 {
                    training::categories::train(
                        &c.input,
                        &c.output,
                        &params,
                        &mut std::io::stderr(),
                    )?;
                } else {
                    training::categories::train_cv(
                        &c.input,
                        &c.output,
                        &params,
                        c.folds,
                        &mut std::io::stderr(),
                    )?;
                }
            }
            Command::Ner(n) => {
                let lex = Lexicon::embedded()?;
                let opts = training::ner::TrainOptions {
                    train: &n.train,
                    dev: &n.dev,
                    output: &n.output,
                    epochs: n.epochs,
                    seed: n.seed,
                    bits: n.bits,
                    clusters: cluster_tables(&n.clusters, &n.cased_clusters)?,
                    second_stage: n.second_stage,
                    second_epochs: n.second_epochs,
                    include_dev: n.include_dev,
                    dropout: n.dropout,
                    mix: n.mix as usize,
                };
                training::ner::train(&lex, &opts, &mut std::io::stderr())?;
            }
            Command::Clusters(c) if !c.corpus.is_empty() => {
                let opts = training::clusters::CorpusOptions {
                    corpora: &c.corpus,
                    output: &c.output,
                    sizes: c.sizes,
                    min_count: c.min_count,
                    passes: c.passes,
                };
                training::clusters::train_from_corpus(&opts, &mut std::io::stderr())?;
            }
            Command::Clusters(c) => {
                let opts = training::clusters::ClusterOptions {
                    vectors: c.vectors.as_deref().expect("clap requires --vectors"),
                    output: &c.output,
                    sizes: c.sizes,
                    words: c.words,
                    fit_words: c.fit_words,
                    iterations: c.iterations,
                    seed: c.seed,
                };
                training::clusters::train(&opts, &mut std::io::stderr())?;
            }
            Command::Subjects(c) => {
                let opts = training::subjects::SubjectOptions {
                    vectors: &c.vectors,
                    seeds: &c.seeds,
                    words: c.words,
                    temperature: c.temperature,
                };
                let model = training::subjects::train(&opts, &mut std::io::stderr())?;
                std::fs::write(&c.output, model.save())
                    .map_err(|e| anyhow::anyhow!("{}: {e}", c.output.display()))?;
                eprintln!("wrote {}", c.output.display());
            }
        }
        Ok(0)
    }
}
