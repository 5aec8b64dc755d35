//! Compiling a taxonomy file: deserialize it, check each topic, parse and
//! compile its rule against the shared phrase and entity tables, then build
//! the one automaton over every phrase and the index from evidence to
//! candidate topics.
//!
//! Errors name the file and line (the topic's table, or its rule for rule
//! and entity errors), and the topic.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;

use crate::article::TopicKind;

use super::super::lexicon::{line_of, Lexicon};
use super::super::rules::{self, Expr, Term};
use super::super::scan::WordScanner;
use super::{Examples, Taxonomy, TaxonomyError, TermRef, TopicRule};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxonomyFile {
    #[serde(default)]
    topic: Vec<toml::Spanned<TopicSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicSpec {
    id: String,
    label: String,
    #[serde(default = "default_kind")]
    kind: String,
    #[serde(default)]
    description: String,
    rule: toml::Spanned<String>,
    #[serde(default = "default_min_score")]
    min_score: f64,
    #[serde(default)]
    weights: BTreeMap<String, f64>,
    #[serde(default)]
    examples: Examples,
}

fn default_kind() -> String {
    "storyline".into()
}
fn default_min_score() -> f64 {
    1.0
}

/// Inflected forms of a word: plural, past, gerund.
fn inflections(w: &str) -> Vec<String> {
    let mut v = vec![w.to_owned()];
    if w.len() < 3 || !w.chars().all(|c| c.is_alphabetic()) {
        return v;
    }
    let chars: Vec<char> = w.chars().collect();
    let last = chars[chars.len() - 1];
    let vowel = |c: char| "aeiou".contains(c);
    v.extend([
        format!("{w}s"),
        format!("{w}es"),
        format!("{w}ed"),
        format!("{w}ing"),
    ]);
    if last == 'e' {
        let stem: String = chars[..chars.len() - 1].iter().collect();
        v.extend([format!("{w}d"), format!("{stem}ing")]);
    }
    if last == 'y' && !vowel(chars[chars.len() - 2]) {
        let stem: String = chars[..chars.len() - 1].iter().collect();
        v.extend([format!("{stem}ies"), format!("{stem}ied")]);
    }
    let n = chars.len();
    if n >= 3
        && !vowel(last)
        && vowel(chars[n - 2])
        && !vowel(chars[n - 3])
        && !"wxy".contains(last)
    {
        v.extend([format!("{w}{last}ed"), format!("{w}{last}ing")]);
    }
    v
}

fn phrase_variants(p: &str) -> Vec<String> {
    match p.rsplit_once(' ') {
        Some((head, last)) => inflections(last)
            .into_iter()
            .map(|l| format!("{head} {l}"))
            .collect(),
        None => inflections(p),
    }
}

impl Taxonomy {
    /// Parses and compiles a taxonomy file; `file` is used in error messages.
    pub fn parse(file: &str, text: &str, lexicon: &Lexicon) -> Result<Taxonomy, TaxonomyError> {
        let parsed = read_file(file, text)?;
        let mut tables = TermTables::default();
        let mut topics = Vec::new();
        let mut ids = HashSet::new();
        for spanned in parsed.topic {
            topics.push(compile_topic(
                file,
                text,
                spanned,
                &mut ids,
                &mut tables,
                lexicon,
            )?);
        }
        let TermTables {
            phrases,
            entity_ids,
            ..
        } = tables;
        let (patterns, pattern_phrase) = scanner_patterns(&phrases);
        let CandidateIndex {
            phrase_topics,
            entity_topics,
            type_topics,
        } = candidate_index(&topics, phrases.len(), entity_ids.len());
        let scanner =
            WordScanner::new(&patterns, true).map_err(|e| error(file, 1, e.to_string()))?;
        Ok(Taxonomy {
            topics,
            phrases,
            scanner,
            pattern_phrase,
            entity_ids,
            phrase_topics,
            entity_topics,
            type_topics,
        })
    }
}

fn error(file: &str, line: usize, reason: String) -> TaxonomyError {
    TaxonomyError {
        file: file.to_owned(),
        line,
        reason,
    }
}

/// Deserializes the file; a TOML or schema error names its line (1 when
/// the parser gives none).
fn read_file(file: &str, text: &str) -> Result<TaxonomyFile, TaxonomyError> {
    toml::from_str(text).map_err(|e| {
        error(
            file,
            e.span().map(|s| line_of(text, s.start)).unwrap_or(1),
            e.message().to_owned(),
        )
    })
}

/// Where a topic is, for its error messages.
struct TopicSite<'a> {
    file: &'a str,
    id: &'a str,
    /// The line of the topic's table.
    line: usize,
    /// The line of its rule.
    rule_line: usize,
}

impl TopicSite<'_> {
    /// An error in the topic, at the topic's line.
    fn error(&self, reason: String) -> TaxonomyError {
        self.error_at(self.line, reason)
    }

    /// An error in the topic's rule, at the rule's line.
    fn rule_error(&self, reason: String) -> TaxonomyError {
        self.error_at(self.rule_line, reason)
    }

    fn error_at(&self, line: usize, reason: String) -> TaxonomyError {
        error(self.file, line, format!("topic {:?}: {reason}", self.id))
    }
}

/// The phrases and entities that all topics' compiled terms point into.
#[derive(Default)]
struct TermTables {
    phrases: Vec<String>,
    phrase_index: HashMap<String, usize>,
    entity_ids: rustc_hash::FxHashMap<String, usize>,
}

/// Checks and compiles one topic, adding its phrases and entities to
/// `tables`; `ids` holds the ids seen so far.
fn compile_topic(
    file: &str,
    text: &str,
    spanned: toml::Spanned<TopicSpec>,
    ids: &mut HashSet<String>,
    tables: &mut TermTables,
    lexicon: &Lexicon,
) -> Result<TopicRule, TaxonomyError> {
    let line = line_of(text, spanned.span().start);
    let spec = spanned.into_inner();
    let site = TopicSite {
        file,
        id: &spec.id,
        line,
        rule_line: line_of(text, spec.rule.span().start),
    };
    let kind = check_fields(&spec, ids, &site)?;
    let rule_text = spec.rule.get_ref().clone();
    let (expr, terms, pos) = parse_rule(&rule_text, &site)?;
    let keys: Vec<String> = terms.iter().map(Term::key).collect();
    check_weights(&spec.weights, &keys, &site)?;
    let compiled = tables.compile_terms(&terms, &keys, &spec.weights, lexicon, &site)?;
    let mut positive = vec![false; terms.len()];
    for p in pos {
        positive[p] = true;
    }
    Ok(TopicRule {
        id: spec.id,
        label: spec.label,
        kind,
        description: spec.description,
        rule_text,
        min_score: spec.min_score,
        examples: spec.examples,
        expr,
        terms: compiled,
        positive,
    })
}

/// Checks a topic's id (a slug not seen before), label, kind and
/// `min_score`; returns its kind.
fn check_fields(
    spec: &TopicSpec,
    ids: &mut HashSet<String>,
    site: &TopicSite<'_>,
) -> Result<TopicKind, TaxonomyError> {
    if spec.id.is_empty()
        || !spec
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(site.error("id must be a non-empty lowercase slug (a-z, 0-9, -)".into()));
    }
    if !ids.insert(spec.id.clone()) {
        return Err(site.error("duplicate id".into()));
    }
    if spec.label.trim().is_empty() {
        return Err(site.error("label is empty".into()));
    }
    let kind = match spec.kind.as_str() {
        "storyline" => TopicKind::Storyline,
        "category" => TopicKind::Category,
        k => return Err(site.error(format!("kind {k:?} is not storyline|category"))),
    };
    if !(spec.min_score.is_finite() && spec.min_score > 0.0) {
        return Err(site.error(format!(
            "min_score {} must be a positive number",
            spec.min_score
        )));
    }
    Ok(kind)
}

/// Parses a topic's rule: its expression, its terms and the indices of its
/// positive terms (there must be one).
fn parse_rule(
    rule_text: &str,
    site: &TopicSite<'_>,
) -> Result<(Expr, Vec<Term>, Vec<usize>), TaxonomyError> {
    let mut terms = Vec::new();
    let expr =
        rules::parse(rule_text, &mut terms).map_err(|e| site.rule_error(format!("rule {e}")))?;
    let mut pos = Vec::new();
    rules::positive_terms(&expr, &mut pos);
    if pos.is_empty() {
        return Err(site.error("rule has no positive term (one not under `!`)".into()));
    }
    Ok((expr, terms, pos))
}

/// Checks that every weight names a term of the rule (`keys`, compared
/// case-insensitively) and is a positive number.
fn check_weights(
    weights: &BTreeMap<String, f64>,
    keys: &[String],
    site: &TopicSite<'_>,
) -> Result<(), TaxonomyError> {
    for (k, w) in weights {
        if !keys.iter().any(|x| x.eq_ignore_ascii_case(k)) {
            return Err(site.error(format!("weight for {k:?}, which is not a term of the rule")));
        }
        if !(w.is_finite() && *w > 0.0) {
            return Err(site.error(format!("weight of {k:?} must be a positive number")));
        }
    }
    Ok(())
}

impl TermTables {
    /// Compiles a rule's terms to references into the tables (adding new
    /// phrases and entities), each with its weight (1 unless `weights` names
    /// it) and key.
    fn compile_terms(
        &mut self,
        terms: &[Term],
        keys: &[String],
        weights: &BTreeMap<String, f64>,
        lexicon: &Lexicon,
        site: &TopicSite<'_>,
    ) -> Result<Vec<(TermRef, f64, String)>, TaxonomyError> {
        let mut compiled = Vec::with_capacity(terms.len());
        for (t, key) in terms.iter().zip(keys) {
            let weight = weights
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, w)| *w)
                .unwrap_or(1.0);
            let r = match t {
                Term::Phrase(p) => {
                    let i = *self.phrase_index.entry(p.clone()).or_insert_with(|| {
                        self.phrases.push(p.clone());
                        self.phrases.len() - 1
                    });
                    TermRef::Phrase(i)
                }
                Term::Entity(name) => {
                    let e = lexicon
                        .lookup(name)
                        .ok_or_else(|| site.rule_error(format!("unknown entity @{name:?}")))?;
                    let id = &lexicon.entries[e].id;
                    let n = self.entity_ids.len();
                    TermRef::Entity(*self.entity_ids.entry(id.clone()).or_insert(n))
                }
                Term::Type(ty) => TermRef::Type(*ty),
            };
            compiled.push((r, weight, key.clone()));
        }
        Ok(compiled)
    }
}

/// The automaton's patterns, every inflected variant of every phrase, and
/// the phrase of each.
fn scanner_patterns(phrases: &[String]) -> (Vec<String>, Vec<usize>) {
    let mut patterns = Vec::new();
    let mut pattern_phrase = Vec::new();
    for (i, p) in phrases.iter().enumerate() {
        for v in phrase_variants(p) {
            patterns.push(v);
            pattern_phrase.push(i);
        }
    }
    (patterns, pattern_phrase)
}

/// The topics with a positive term on each phrase, entity and entity type
/// (the [`Taxonomy`] fields of the same names).
struct CandidateIndex {
    phrase_topics: Vec<Vec<usize>>,
    entity_topics: Vec<Vec<usize>>,
    type_topics: [Vec<usize>; 4],
}

/// Indexes `topics` by their positive terms, each topic once per list and
/// in topic order.
fn candidate_index(topics: &[TopicRule], phrases: usize, entities: usize) -> CandidateIndex {
    let mut phrase_topics = vec![Vec::new(); phrases];
    let mut entity_topics = vec![Vec::new(); entities];
    let mut type_topics: [Vec<usize>; 4] = Default::default();
    for (ti, topic) in topics.iter().enumerate() {
        for ((r, _, _), &pos) in topic.terms.iter().zip(&topic.positive) {
            let list = match r {
                TermRef::Phrase(p) => &mut phrase_topics[*p],
                TermRef::Entity(e) => &mut entity_topics[*e],
                TermRef::Type(t) => &mut type_topics[*t as usize],
            };
            if pos && list.last() != Some(&ti) {
                list.push(ti);
            }
        }
    }
    CandidateIndex {
        phrase_topics,
        entity_topics,
        type_topics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflections_cover_regular_forms() {
        let v = inflections("export");
        assert!(v.contains(&"exports".to_string()) && v.contains(&"exported".to_string()));
        assert!(inflections("trade").contains(&"trading".to_string()));
        assert!(inflections("ally").contains(&"allies".to_string()));
        assert!(inflections("ship").contains(&"shipping".to_string()));
        assert_eq!(phrase_variants("grain deal")[1], "grain deals");
    }
}
