//! The binary's subcommands. Each is a thin edge around the shared core.

pub mod categories;
pub mod check_config;
pub mod demo;
pub mod ner;
pub mod process;
pub mod run;

use crate::config::EnrichFiles;
use crate::enrich::categories as cat_model;
use crate::enrich::{lexicon, tagger, taxonomy, Enricher, Lexicon, ResourceError, Taxonomy};

fn read(path: &std::path::Path) -> Result<String, ResourceError> {
    std::fs::read_to_string(path).map_err(|source| ResourceError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Loads the enrichment resources: files named in `[enrich]`, else the
/// compiled-in defaults.
pub fn load_enricher(files: &EnrichFiles) -> Result<Enricher, ResourceError> {
    let pick = |p: &Option<std::path::PathBuf>,
                name: &str,
                default: &str|
     -> Result<(String, String), ResourceError> {
        match p {
            Some(p) => Ok((p.display().to_string(), read(p)?)),
            None => Ok((name.to_owned(), default.to_owned())),
        }
    };
    let places = pick(
        &files.gazetteer_file,
        "data/gazetteer/places.tsv",
        lexicon::DEFAULT_PLACES,
    )?;
    let entities = pick(
        &files.entities_file,
        "config/entities.toml",
        lexicon::DEFAULT_ENTITIES,
    )?;
    let given = pick(
        &files.given_names_file,
        "config/given_names.txt",
        lexicon::DEFAULT_GIVEN_NAMES,
    )?;
    let topics = pick(
        &files.topics_file,
        "config/topics.toml",
        taxonomy::DEFAULT_TAXONOMY,
    )?;
    let lex = Lexicon::from_sources(
        (&places.0, &places.1),
        (&entities.0, &entities.1),
        (&given.0, &given.1),
    )?;
    let tax = Taxonomy::parse(&topics.0, &topics.1, &lex)?;
    let tagger = load_model(
        &files.ner_model_file,
        "models/ner.bin",
        tagger::DEFAULT_MODEL,
        tagger::Model::load,
    )?;
    let cats = load_model(
        &files.categories_model_file,
        "models/categories.bin",
        cat_model::DEFAULT_MODEL,
        cat_model::CategoryModel::load,
    )?;
    Ok(Enricher::new(lex, tax, Some(tagger)).with_categories(Some(cats)))
}

/// Loads a model from `path`, or the compiled-in `default` (named `name` in errors).
fn load_model<T>(
    path: &Option<std::path::PathBuf>,
    name: &str,
    default: &[u8],
    load: fn(&[u8]) -> Result<T, String>,
) -> Result<T, ResourceError> {
    let (shown, bytes) = match path {
        Some(p) => (
            p.display().to_string(),
            std::fs::read(p).map_err(|source| ResourceError::Io {
                path: p.display().to_string(),
                source,
            })?,
        ),
        None => (name.to_owned(), default.to_vec()),
    };
    load(&bytes).map_err(|reason| ResourceError::Model {
        path: shown,
        reason,
    })
}
