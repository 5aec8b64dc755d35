//! `newsflow eval ner|categories|duplicates`: scores a model on labelled
//! data. The scoring code is in the core ([`newsflow_core::training`]); the
//! near-duplicate window is the service's own ([`crate::dedup`]).

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
    /// Precision and recall of near-duplicate detection on a stream of
    /// stories and generated wire copies of some of them.
    Duplicates(Duplicates),
}

/// `newsflow eval duplicates`.
#[derive(clap::Args)]
pub struct Duplicates {
    /// JSON Lines of stories (`id` or `newid`, `title`, `body`), gzip or plain.
    #[arg(long)]
    input: PathBuf,
    /// How many stories get a wire copy.
    #[arg(long, default_value_t = 1000)]
    copies: usize,
    #[arg(long, default_value_t = 17)]
    seed: u64,
    /// Configuration file, for `[dedup]`.
    #[arg(long)]
    config: Option<PathBuf>,
    #[arg(long)]
    json: bool,
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
            Command::Duplicates(d) => {
                let settings = crate::config::Settings::load(d.config.as_deref())?;
                let report = evaluate_duplicates(&d, &settings.dedup)?;
                if d.json {
                    println!("{}", serde_json::to_string_pretty(&report)?);
                } else {
                    let r = &report;
                    println!(
                        "stories {}; copies {}; window {}; min_similarity {}",
                        r["stories"], r["copies"], r["window"], r["min_similarity"]
                    );
                    println!(
                        "precision {:.4}  recall {:.4}  (true {} false {} missed {}; corpus repeats {})",
                        r["precision"].as_f64().unwrap_or(0.0),
                        r["recall"].as_f64().unwrap_or(0.0),
                        r["true_positives"],
                        r["false_positives"],
                        r["missed"],
                        r["corpus_repeats"]
                    );
                    println!("recall by edit: {}", r["recall_by_edit"]);
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

/// Runs the dedup window over the test stream of `d` and scores it.
///
/// A copy flagged with its original (or with another copy of the same
/// story) is a true positive, a copy not flagged is missed; any other flag is
/// a false positive, except between two stories of the corpus whose bodies
/// share at least half their word 3-shingles: the corpus's own repeats,
/// counted apart.
fn evaluate_duplicates(
    d: &Duplicates,
    settings: &crate::config::DedupSettings,
) -> anyhow::Result<serde_json::Value> {
    use newsflow_core::enrich::fingerprint;
    use newsflow_core::training::duplicates::{self, Story};
    use std::collections::{BTreeMap, HashMap};

    let text = training::textfile::read(&d.input)?;
    let mut stories = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| anyhow::anyhow!("{}:{}: {e}", d.input.display(), n + 1))?;
        let id = match (&v["id"], &v["newid"]) {
            (serde_json::Value::String(s), _) => s.clone(),
            (_, serde_json::Value::Number(x)) => x.to_string(),
            _ => format!("line-{}", n + 1),
        };
        stories.push(Story {
            id,
            title: v["title"].as_str().unwrap_or("").to_owned(),
            body: v["body"].as_str().unwrap_or("").to_owned(),
            copy_of: None,
            edits: String::new(),
        });
    }
    let stream = duplicates::stream(stories, d.copies, d.seed);
    let root = |s: &Story| s.copy_of.clone().unwrap_or_else(|| s.id.clone());
    let by_id: HashMap<&str, &Story> = stream.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut window = crate::dedup::Window::new(settings);
    let (mut tp, mut fp, mut missed, mut repeats) = (0usize, 0usize, 0usize, 0usize);
    let mut by_edit: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for s in &stream {
        let found = window.observe(&s.id, fingerprint::signature(&s.body).as_ref(), None);
        if s.copy_of.is_some() {
            let e = by_edit.entry(s.edits.clone()).or_default();
            e.1 += 1;
            // Flagged with its original, another copy of it, or a repeat of
            // the original elsewhere in the corpus.
            let original = by_id[root(s).as_str()];
            match &found {
                Some(f)
                    if root(by_id[f.id.as_str()]) == root(s)
                        || duplicates::shingle_jaccard(
                            &by_id[f.id.as_str()].body,
                            &original.body,
                        ) >= 0.5 =>
                {
                    tp += 1;
                    e.0 += 1;
                }
                Some(_) => {
                    fp += 1;
                    missed += 1;
                }
                None => missed += 1,
            }
        } else if let Some(f) = &found {
            let other = by_id[f.id.as_str()];
            let j = duplicates::shingle_jaccard(&other.body, &s.body);
            if j >= 0.5 {
                repeats += 1;
            } else {
                fp += 1;
            }
        }
    }
    let copies = tp + missed;
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let recall_by_edit: BTreeMap<String, String> = by_edit
        .into_iter()
        .map(|(k, (hit, n))| (k, format!("{hit}/{n}")))
        .collect();
    Ok(serde_json::json!({
        "stories": stream.len() - copies,
        "copies": copies,
        "window": settings.window,
        "min_similarity": settings.min_similarity,
        "true_positives": tp,
        "false_positives": fp,
        "missed": missed,
        "corpus_repeats": repeats,
        "precision": ratio(tp, tp + fp),
        "recall": ratio(tp, copies),
        "recall_by_edit": recall_by_edit,
    }))
}
