//! The `newsflow` binary: parses the command line and hands over to
//! [`newsflow::commands`].

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use newsflow::commands;
use newsflow::config::Settings;
use newsflow::telemetry::{self, LogFormat};

/// mimalloc: the core allocates many small strings per article; glibc malloc
/// cost a quarter of enrichment time in profiles.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turns transparent huge pages off for this process.
///
/// With them on (the kernel default `always` on many hosts), every first
/// touch of fresh heap faults in and zeroes a whole 2 MiB page, and memory the
/// allocator hands back is faulted in again the same way. Profiles of
/// `process` showed up to 15-18 % of the time in the kernel's page clearing
/// and 40 MB more peak RSS (105 MB against 65 MB for 2,000 articles), for no
/// gain in user time: the hot tables (tagger, automata) are small enough for
/// ordinary pages. Only this process is affected.
fn disable_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(PR_SET_THP_DISABLE) takes plain integers, touches no memory
    // of ours, and failing (old kernels) leaves the process as it was.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[derive(Parser)]
#[command(
    name = "newsflow",
    version,
    about = "Streaming news enrichment: Kafka in, entities, links and storylines out."
)]
struct Cli {
    /// Log format on stderr; default json when stderr is not a terminal.
    #[arg(long, global = true, value_enum)]
    log_format: Option<LogFormat>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service: consume, enrich, produce, until SIGTERM/SIGINT.
    Run {
        /// Configuration file (TOML); environment NEWSFLOW_<SECTION>__<KEY> overrides it.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Forward raw messages to the enriched topic without enrichment (throughput baseline).
        #[arg(long)]
        passthrough: bool,
    },
    /// Enrich files offline (JSON Lines or plain text; `-` for stdin) to JSON Lines on stdout.
    Process {
        /// Input files; none or `-` reads standard input.
        files: Vec<String>,
        /// Configuration file, for `[enrich]` resource paths and `[limits]`.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Run the whole pipeline on an embedded Kafka (librdkafka mock cluster) with sample articles.
    Demo,
    /// Validate configuration, lexicon and taxonomy; errors name the key, file or rule.
    CheckConfig {
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Show, for one article, which parts of a topic's rule matched and where.
    Explain {
        /// Topic id, as in the taxonomy.
        #[arg(long)]
        topic: String,
        /// The article: a JSON object or plain text (`-` for stdin).
        file: String,
        /// Configuration file, for `[enrich]` resource paths.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Train a model.
    #[command(subcommand)]
    Train(TrainCommand),
    /// Evaluate a model.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Write the JSON Schemas of the input and output events.
    Schema {
        /// Output directory.
        #[arg(long, default_value = "docs/schemas")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum TrainCommand {
    /// Train the multi-label category classifier on JSON Lines (`title`, `body`, `topics`).
    Categories {
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
    },
    /// Train the entity tagger on CoNLL-format data (gzip accepted).
    Ner {
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
    },
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Micro and macro precision, recall and F1 of the category model on labelled JSON Lines.
    Categories {
        #[arg(long)]
        input: PathBuf,
        /// Model file; default: the model compiled into the binary.
        #[arg(long)]
        model: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Tag a CoNLL file's tokens and print conlleval-style entity scores.
    Ner {
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
    },
}

fn main() -> ExitCode {
    disable_transparent_huge_pages();
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
    match dispatch(cli.command) {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "newsflow failed");
            eprintln!("newsflow: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("newsflow-io")
        .build()?)
}

fn dispatch(command: Command) -> anyhow::Result<i32> {
    match command {
        Command::Run {
            config,
            passthrough,
        } => runtime()?.block_on(commands::run::execute(config, passthrough)),
        Command::Process { files, config } => {
            let settings = Settings::load(config.as_deref())?;
            let enricher = commands::load_enricher(&settings.enrich)?;
            let mut stdout = std::io::stdout().lock();
            let (ok, failed) = commands::process::execute(
                &enricher,
                &files,
                settings.limits.max_message_bytes,
                &mut stdout,
            )?;
            eprintln!("newsflow process: {ok} enriched, {failed} failed");
            Ok(if failed > 0 { 1 } else { 0 })
        }
        Command::Demo => {
            let enricher = commands::load_enricher(&Default::default())?;
            let mut stdout = std::io::stdout();
            runtime()?.block_on(commands::demo::execute(enricher, &mut stdout))?;
            Ok(0)
        }
        Command::CheckConfig { config } => {
            println!("{}", commands::check_config::execute(config)?);
            Ok(0)
        }
        Command::Explain {
            topic,
            file,
            config,
        } => {
            let settings = Settings::load(config.as_deref())?;
            let enricher = commands::load_enricher(&settings.enrich)?;
            let bytes = if file == "-" {
                let mut b = Vec::new();
                std::io::Read::read_to_end(&mut std::io::stdin(), &mut b)?;
                b
            } else {
                std::fs::read(&file).map_err(|e| anyhow::anyhow!("{file}: {e}"))?
            };
            let key = std::path::Path::new(&file)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned());
            let article = newsflow::decode::decode(
                &bytes,
                key.as_deref().map(str::as_bytes),
                settings.limits.max_message_bytes,
            )
            .map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
            match enricher.explain(&article, &topic) {
                Some(text) => {
                    print!("{text}");
                    Ok(0)
                }
                None => anyhow::bail!("no topic {topic:?} in the taxonomy"),
            }
        }
        Command::Train(TrainCommand::Categories {
            input,
            output,
            epochs,
            seed,
            bits,
            min_weight,
            max_words,
        }) => {
            let params = newsflow::enrich::categories::TrainParams {
                bits,
                epochs,
                seed,
                min_weight,
                max_words,
            };
            commands::categories::train(&input, &output, &params, &mut std::io::stderr())?;
            Ok(0)
        }
        Command::Eval(EvalCommand::Categories { input, model, json }) => {
            use newsflow::enrich::categories::{CategoryModel, DEFAULT_MODEL};
            let model = match model {
                Some(p) => CategoryModel::load(&std::fs::read(&p)?),
                None => CategoryModel::load(DEFAULT_MODEL),
            }
            .map_err(|e| anyhow::anyhow!("category model: {e}"))?;
            let docs = commands::categories::read_examples(&input)?;
            let (micro, macro_, per) = commands::categories::evaluate(&model, &docs);
            if json {
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
            Ok(0)
        }
        Command::Train(TrainCommand::Ner {
            train,
            dev,
            output,
            epochs,
            seed,
            bits,
        }) => {
            let lex = newsflow::enrich::Lexicon::embedded()?;
            let opts = commands::ner::TrainOptions {
                train: &train,
                dev: &dev,
                output: &output,
                epochs,
                seed,
                bits,
            };
            commands::ner::train(&lex, &opts, &mut std::io::stderr())?;
            Ok(0)
        }
        Command::Eval(EvalCommand::Ner {
            conll,
            predictions,
            model,
            json,
        }) => {
            let lex = newsflow::enrich::Lexicon::embedded()?;
            let model = match model {
                Some(p) => newsflow::enrich::tagger::Model::load(&std::fs::read(&p)?),
                None => {
                    newsflow::enrich::tagger::Model::load(newsflow::enrich::tagger::DEFAULT_MODEL)
                }
            }
            .map_err(|e| anyhow::anyhow!("NER model: {e}"))?;
            let (scorer, tokens) = commands::ner::eval(&model, &lex, &conll, &predictions)?;
            if json {
                let v = serde_json::json!({"tokens": tokens, "overall": scorer.overall(), "per_type": scorer.per_type()});
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                print!("{}", scorer.report(tokens));
            }
            Ok(0)
        }
        Command::Schema { out } => {
            std::fs::create_dir_all(&out)?;
            for (name, text) in newsflow::schema::all() {
                std::fs::write(out.join(name), text)?;
            }
            eprintln!("wrote schemas to {}", out.display());
            Ok(0)
        }
    }
}
