//! Loading the enrichment resources named in `[enrich]`: files where a path
//! is set, else the defaults compiled into the binary. The only place the
//! service reads them; `run`, `demo`, `process`, `explain` and `check-config`
//! all come through here, so every mode enriches with the same resources and
//! reports a bad file in the same words (file, line, reason).

use std::path::{Path, PathBuf};

use newsflow_core::enrich::categories::{self as cat_model, CategoryModel};
use newsflow_core::enrich::subjects::{self, SubjectModel};
use newsflow_core::enrich::{
    lexicon, tagger, taxonomy, Enricher, Lexicon, ResourceError, Taxonomy,
};

use crate::config::EnrichFiles;

fn read(path: &Path) -> Result<String, ResourceError> {
    std::fs::read_to_string(path).map_err(|source| ResourceError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// `(name shown in errors, text)`: the file at `path`, else `default` under
/// its repository name.
fn text_or_default(
    path: &Option<PathBuf>,
    name: &str,
    default: &str,
) -> Result<(String, String), ResourceError> {
    match path {
        Some(p) => Ok((p.display().to_string(), read(p)?)),
        None => Ok((name.to_owned(), default.to_owned())),
    }
}

/// Loads the enrichment resources: files named in `[enrich]`, else the
/// compiled-in defaults.
pub fn load_enricher(files: &EnrichFiles) -> Result<Enricher, ResourceError> {
    let places = text_or_default(
        &files.gazetteer_file,
        "data/gazetteer/places.tsv",
        lexicon::DEFAULT_PLACES,
    )?;
    let entities = text_or_default(
        &files.entities_file,
        "config/entities.toml",
        lexicon::DEFAULT_ENTITIES,
    )?;
    let given = text_or_default(
        &files.given_names_file,
        "config/given_names.txt",
        lexicon::DEFAULT_GIVEN_NAMES,
    )?;
    let topics = text_or_default(
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
        CategoryModel::load,
    )?;
    let subjects = load_model(
        &files.subjects_model_file,
        "models/subjects.bin",
        subjects::DEFAULT_MODEL,
        SubjectModel::load,
    )?;
    Ok(Enricher::new(lex, tax, tagger)
        .with_categories(Some(cats))
        .with_subjects(Some(subjects))
        .with_languages(files.languages.clone()))
}

/// Loads a model from `path`, or the compiled-in `default` (named `name` in errors).
fn load_model<T, E: std::fmt::Display>(
    path: &Option<PathBuf>,
    name: &str,
    default: &[u8],
    load: fn(&[u8]) -> Result<T, E>,
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
    load(&bytes).map_err(|e| ResourceError::Model {
        path: shown,
        reason: e.to_string(),
    })
}

/// Re-reads the taxonomy at `path` and swaps it into `enricher`; returns the
/// number of topics. On error the previous taxonomy stays in force.
pub fn reload_taxonomy(enricher: &Enricher, path: &Path) -> Result<usize, ResourceError> {
    let text = read(path)?;
    let taxonomy = Taxonomy::parse(&path.display().to_string(), &text, enricher.lexicon())?;
    let n = taxonomy.topics.len();
    enricher.replace_taxonomy(taxonomy);
    Ok(n)
}
