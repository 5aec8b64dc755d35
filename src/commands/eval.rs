//! `newsflow eval ner|categories`: scores a model on labelled data.
//! The scoring code is in the core ([`newsflow_core::training`]).

use std::path::PathBuf;

use newsflow_core::enrich::categories::{CategoryModel, DEFAULT_MODEL as CATEGORIES};
use newsflow_core::enrich::tagger::{Model, DEFAULT_MODEL as NER};
use newsflow_core::enrich::Lexicon;
use newsflow_core::training;

/// `newsflow eval`.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Micro and macro precision, recall and F1 of the category model on labelled JSON Lines.
    Categories(Categories),
    /// Tag a CoNLL file's tokens and print conlleval-style entity scores.
    Ner(Ner),
}

/// `newsflow eval categories`.
#[derive(clap::Args)]
pub struct Categories {
    #[arg(long)]
    input: PathBuf,
    /// Model file; default: the model compiled into the binary.
    #[arg(long)]
    model: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

/// `newsflow eval ner`.
#[derive(clap::Args)]
pub struct Ner {
    #[arg(long)]
    conll: PathBuf,
    /// Where to write `token gold predicted` lines.
    #[arg(long)]
    predictions: PathBuf,
    /// Model file; default: the model compiled into the binary.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Print the scores as JSON.
    #[arg(long)]
    json: bool,
    /// The word-cluster table the model was trained with (a file, or
    /// `none`); default: the table compiled in.
    #[arg(long)]
    clusters: Option<String>,
    /// The cased word-cluster table the model was trained with (a file, or
    /// `none`); default: the table compiled in.
    #[arg(long)]
    cased_clusters: Option<String>,
}

/// The model file at `path`, else the compiled-in `default`.
fn model_bytes(path: &Option<PathBuf>, default: &[u8]) -> anyhow::Result<Vec<u8>> {
    match path {
        Some(p) => std::fs::read(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display())),
        None => Ok(default.to_vec()),
    }
}

impl Command {
    pub fn execute(self) -> anyhow::Result<u8> {
        match self {
            Command::Categories(c) => {
                let model = CategoryModel::load(&model_bytes(&c.model, CATEGORIES)?)
                    .map_err(anyhow::Error::from)?;
                let docs = training::categories::read_examples(&c.input)?;
                let (micro, macro_, per) = training::categories::evaluate(&model, &docs);
                if c.json {
                    let v = serde_json::json!({"documents": docs.len(), "micro": micro, "macro": macro_, "per_label": per});
                    println!("{}", serde_json::to_string_pretty(&v)?);
                } else {
                    println!("documents {}; labels {}", docs.len(), per.len());
                    for (name, m) in [("micro", micro), ("macro", macro_)] {
                        println!(
                            "{name:>6}  precision {:.4}  recall {:.4}  F1 {:.4}",
                            m.precision, m.recall, m.f1
                        );
                    }
                }
            }
            Command::Ner(n) => {
                let lex = Lexicon::embedded()?;
                let clusters = super::train::cluster_tables(&n.clusters, &n.cased_clusters)?;
                let model = Model::load_with(&model_bytes(&n.model, NER)?, clusters)
                    .map_err(anyhow::Error::from)?;
                let (scorer, tokens) = training::ner::eval(&model, &lex, &n.conll, &n.predictions)?;
                if n.json {
                    let v = serde_json::json!({"tokens": tokens, "overall": scorer.overall(), "per_type": scorer.per_type()});
                    println!("{}", serde_json::to_string_pretty(&v)?);
                } else {
                    print!("{}", scorer.report(tokens));
                }
            }
        }
        Ok(0)
    }
}
