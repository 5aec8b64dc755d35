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
    let tagger = match &files.ner_model_file {
        Some(p) => {
            let bytes = std::fs::read(p).map_err(|source| ResourceError::Io {
                path: p.display().to_string(),
                source,
            })?;
            Some(
                tagger::Model::load(&bytes).map_err(|reason| ResourceError::Model {
                    path: p.display().to_string(),
                    reason,
                })?,
            )
        }
        None => Some(
            tagger::Model::load(tagger::DEFAULT_MODEL).map_err(|reason| ResourceError::Model {
                path: "models/ner.bin".into(),
                reason,
            })?,
        ),
    };
    let cats = match &files.categories_model_file {
        Some(p) => {
            let bytes = std::fs::read(p).map_err(|source| ResourceError::Io {
                path: p.display().to_string(),
                source,
            })?;
            cat_model::CategoryModel::load(&bytes).map_err(|reason| ResourceError::Model {
                path: p.display().to_string(),
                reason,
            })?
        }
        None => cat_model::CategoryModel::load(cat_model::DEFAULT_MODEL).map_err(|reason| {
            ResourceError::Model {
                path: "models/categories.bin".into(),
                reason,
            }
        })?,
    };
    Ok(Enricher::new(lex, tax, tagger).with_categories(Some(cats)))
}
