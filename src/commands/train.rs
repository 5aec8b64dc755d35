//! `newsflow train ner|categories`: trains a model from labelled corpora.
//! The training code is in the core ([`newsflow_core::training`]); this
//! file only maps options.

use std::path::PathBuf;

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
                };
                training::categories::train(&c.input, &c.output, &params, &mut std::io::stderr())?;
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
                };
                training::ner::train(&lex, &opts, &mut std::io::stderr())?;
            }
        }
        Ok(0)
    }
}
