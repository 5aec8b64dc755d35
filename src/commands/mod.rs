//! The binary's subcommands, one file each, each with its own clap `Args`
//! and an `execute` that returns the process exit code. They are thin edges:
//! `run` and `demo` hand over to [`crate::service`], the others call the core
//! ([`newsflow_core`]) directly.

pub mod check_config;
pub mod demo;
pub mod eval;
pub mod explain;
pub mod process;
pub mod run;
pub mod schema;
pub mod train;

use clap::Subcommand;

/// Every subcommand.
#[derive(Subcommand)]
pub enum Command {
    /// Run the service: consume, enrich, produce, until SIGTERM/SIGINT.
    Run(run::Args),
    /// Enrich files offline (JSON Lines or plain text; `-` for stdin) to JSON Lines on stdout.
    Process(process::Args),
    /// Run the whole service on an embedded Kafka (librdkafka mock cluster) with sample articles.
    Demo(demo::Args),
    /// Validate configuration, lexicon and taxonomy; errors name the key, file or rule.
    CheckConfig(check_config::Args),
    /// Show, for one article, which parts of a topic's rule matched and where.
    Explain(explain::Args),
    /// Train a model.
    #[command(subcommand)]
    Train(train::Command),
    /// Evaluate a model.
    #[command(subcommand)]
    Eval(eval::Command),
    /// Write the JSON Schemas of the input and output events.
    Schema(schema::Args),
}

impl Command {
    /// Runs the subcommand; returns the process exit code.
    pub fn execute(self) -> anyhow::Result<u8> {
        match self {
            Command::Run(a) => a.execute(),
            Command::Process(a) => a.execute(),
            Command::Demo(a) => a.execute(),
            Command::CheckConfig(a) => a.execute(),
            Command::Explain(a) => a.execute(),
            Command::Train(c) => c.execute(),
            Command::Eval(c) => c.execute(),
            Command::Schema(a) => a.execute(),
        }
    }
}

/// The multi-threaded tokio runtime of the Kafka commands (`run`, `demo`).
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("newsflow-io")
        .build()?)
}

/// Reads a file, or standard input for `-`; errors name the file.
pub(crate) fn read_input(path: &str) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let mut buf = Vec::new();
    if path == "-" {
        std::io::stdin().read_to_end(&mut buf)?;
    } else {
        std::fs::File::open(path)
            .map_err(|e| anyhow::anyhow!("{path}: {e}"))?
            .read_to_end(&mut buf)?;
    }
    Ok(buf)
}
