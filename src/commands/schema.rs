//! `newsflow schema`: writes the JSON Schemas of the input and output events,
//! generated from the core's types.

use std::path::PathBuf;

/// `newsflow schema`.
#[derive(clap::Args)]
pub struct Args {
    /// Output directory.
    #[arg(long, default_value = "docs/schemas")]
    out: PathBuf,
}

impl Args {
    pub fn execute(self) -> anyhow::Result<u8> {
        std::fs::create_dir_all(&self.out)?;
        for (name, text) in newsflow_core::schema::all() {
            std::fs::write(self.out.join(name), text)?;
        }
        eprintln!("wrote schemas to {}", self.out.display());
        Ok(0)
    }
}
