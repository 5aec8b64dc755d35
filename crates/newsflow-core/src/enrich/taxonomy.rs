//! Storylines and categories: the taxonomy file, compiled, and its matcher.
//!
//! Every phrase of every topic (with the inflections of its last word)
//! compiles into one Aho-Corasick automaton, so one pass over an article finds
//! the evidence for the whole taxonomy; each topic's rule is then evaluated
//! over the occurrences of its own terms. Cost grows with the evidence found,
//! hardly with the number of topics.
//!
//! Scoring: every occurrence of a positive term (one not under `!`) adds its
//! weight, twice in the title. A topic fires when its rule is true and the sum
//! reaches `min_score`; the reported score is `1 - 0.5^(sum / min_score)`, so
//! 0.5 at the threshold and rising towards 1 with more evidence.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;

use crate::article::{EntityType, Evidence, TextField, Topic, TopicKind};
use crate::span::{Masks, Span};

use super::lexicon::{line_of, Lexicon};
use super::rules::{self, Expr, Term};
use super::scan::WordScanner;
use super::text::Text;

/// The taxonomy compiled into the binary.
pub const DEFAULT_TAXONOMY: &str = include_str!("../../../../config/topics.toml");

/// A taxonomy error, naming the file, line, topic and reason.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct TaxonomyError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

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

/// Example sentences of a topic, checked by the test suite.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub positive: Vec<String>,
    #[serde(default)]
    pub negative: Vec<String>,
}

fn default_kind() -> String {
    "storyline".into()
}
fn default_min_score() -> f64 {
    1.0
}

/// What a compiled term refers to.
#[derive(Debug, Clone)]
enum TermRef {
    /// Index into the global phrase table.
    Phrase(usize),
    /// Index into the taxonomy's entity ids.
    Entity(usize),
    Type(EntityType),
}

/// One compiled topic.
#[derive(Debug, Clone)]
pub struct TopicRule {
    pub id: String,
    pub label: String,
    pub kind: TopicKind,
    pub description: String,
    pub rule_text: String,
    pub min_score: f64,
    pub examples: Examples,
    expr: Expr,
    terms: Vec<(TermRef, f64, String)>,
    positive: Vec<bool>,
}

impl TopicRule {
    /// The weight of each term, in term order (as in [`TopicMatch::terms`]).
    pub fn term_weights(&self) -> impl Iterator<Item = f64> + '_ {
        self.terms.iter().map(|t| t.1)
    }
}

/// The compiled taxonomy.
#[derive(Debug)]
pub struct Taxonomy {
    pub topics: Vec<TopicRule>,
    phrases: Vec<String>,
    scanner: WordScanner,
    /// Automaton pattern → phrase index.
    pattern_phrase: Vec<usize>,
    /// Entity ids named by rules, and their index.
    entity_ids: rustc_hash::FxHashMap<String, usize>,
    /// Topics with a positive term on each phrase, entity and type: an
    /// article's candidate topics come from its evidence, not from a scan of
    /// the whole taxonomy.
    phrase_topics: Vec<Vec<usize>>,
    entity_topics: Vec<Vec<usize>>,
    type_topics: [Vec<usize>; 4],
}

/// The occurrences of every term in one article.
struct ArticleTerms {
    /// Phrase occurrences sorted by phrase (text order within a phrase).
    phrase_of: Vec<usize>,
    phrase_occ: Vec<Occurrence>,
    entity_occ: Vec<Vec<Occurrence>>,
    type_occ: [Vec<Occurrence>; 4],
}

impl ArticleTerms {
    fn of(&self, r: &TermRef) -> &[Occurrence] {
        match r {
            TermRef::Phrase(p) => {
                let a = self.phrase_of.partition_point(|x| x < p);
                let b = a + self.phrase_of[a..].partition_point(|x| x == p);
                &self.phrase_occ[a..b]
            }
            TermRef::Entity(e) => &self.entity_occ[*e],
            TermRef::Type(t) => &self.type_occ[*t as usize],
        }
    }
}

/// An occurrence of a term, by byte range in a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Occurrence {
    pub field: Field,
    pub start: usize,
    pub end: usize,
    /// Token index of the first word (for `near`).
    pub token: usize,
    /// Sentence index (for `sentence`).
    pub sentence: usize,
}

/// Title or body, as an ordered key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Title,
    Body,
}

/// An entity mention handed to the matcher, by byte range of the field.
#[derive(Debug, Clone)]
pub struct EntitySpan<'a> {
    pub id: &'a str,
    pub entity_type: EntityType,
    pub field: Field,
    pub start: usize,
    pub end: usize,
}

/// The article as the matcher sees it.
pub struct Document<'a> {
    pub title: Option<&'a Text<'a>>,
    pub body: &'a Text<'a>,
    /// Byte ranges of the body to ignore (captions).
    pub masked: &'a Masks,
    pub entities: Vec<EntitySpan<'a>>,
}

/// How one topic matched, for `explain` and for the output.
#[derive(Debug, Clone)]
pub struct TopicMatch {
    pub topic: usize,
    pub fired: bool,
    pub rule_true: bool,
    pub raw_score: f64,
    /// Per term: its key and its occurrences.
    pub terms: Vec<(String, Vec<Occurrence>)>,
    pub evidence: Vec<Occurrence>,
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
        let err = |line: usize, reason: String| TaxonomyError {
            file: file.to_owned(),
            line,
            reason,
        };
        let parsed: TaxonomyFile = toml::from_str(text).map_err(|e| {
            err(
                e.span().map(|s| line_of(text, s.start)).unwrap_or(1),
                e.message().to_owned(),
            )
        })?;
        let mut phrases: Vec<String> = Vec::new();
        let mut phrase_index: HashMap<String, usize> = HashMap::new();
        let mut entity_ids: rustc_hash::FxHashMap<String, usize> = Default::default();
        let mut topics = Vec::new();
        let mut ids = HashSet::new();
        for spanned in parsed.topic {
            let line = line_of(text, spanned.span().start);
            let spec = spanned.into_inner();
            let rule_line = line_of(text, spec.rule.span().start);
            let at = |reason: String| err(line, format!("topic {:?}: {reason}", spec.id));
            if spec.id.is_empty()
                || !spec
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return Err(at(
                    "id must be a non-empty lowercase slug (a-z, 0-9, -)".into()
                ));
            }
            if !ids.insert(spec.id.clone()) {
                return Err(at("duplicate id".into()));
            }
            if spec.label.trim().is_empty() {
                return Err(at("label is empty".into()));
            }
            let kind = match spec.kind.as_str() {
                "storyline" => TopicKind::Storyline,
                "category" => TopicKind::Category,
                k => return Err(at(format!("kind {k:?} is not storyline|category"))),
            };
            if !(spec.min_score.is_finite() && spec.min_score > 0.0) {
                return Err(at(format!(
                    "min_score {} must be a positive number",
                    spec.min_score
                )));
            }
            let rule_text = spec.rule.get_ref().clone();
            let mut terms = Vec::new();
            let expr = rules::parse(&rule_text, &mut terms)
                .map_err(|e| err(rule_line, format!("topic {:?}: rule {e}", spec.id)))?;
            let mut pos = Vec::new();
            rules::positive_terms(&expr, &mut pos);
            if pos.is_empty() {
                return Err(at("rule has no positive term (one not under `!`)".into()));
            }
            let keys: Vec<String> = terms.iter().map(Term::key).collect();
            for (k, w) in &spec.weights {
                if !keys.iter().any(|x| x.eq_ignore_ascii_case(k)) {
                    return Err(at(format!(
                        "weight for {k:?}, which is not a term of the rule"
                    )));
                }
                if !(w.is_finite() && *w > 0.0) {
                    return Err(at(format!("weight of {k:?} must be a positive number")));
                }
            }
            let mut compiled = Vec::with_capacity(terms.len());
            for (t, key) in terms.iter().zip(&keys) {
                let weight = spec
                    .weights
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .map(|(_, w)| *w)
                    .unwrap_or(1.0);
                let r = match t {
                    Term::Phrase(p) => {
                        let i = *phrase_index.entry(p.clone()).or_insert_with(|| {
                            phrases.push(p.clone());
                            phrases.len() - 1
                        });
                        TermRef::Phrase(i)
                    }
                    Term::Entity(name) => {
                        let e = lexicon.lookup(name).ok_or_else(|| {
                            err(
                                rule_line,
                                format!("topic {:?}: unknown entity @{name:?}", spec.id),
                            )
                        })?;
                        let id = &lexicon.entries[e].id;
                        let n = entity_ids.len();
                        TermRef::Entity(*entity_ids.entry(id.clone()).or_insert(n))
                    }
                    Term::Type(ty) => TermRef::Type(*ty),
                };
                compiled.push((r, weight, key.clone()));
            }
            let mut positive = vec![false; terms.len()];
            for p in pos {
                positive[p] = true;
            }
            topics.push(TopicRule {
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
            });
        }
        let mut patterns = Vec::new();
        let mut pattern_phrase = Vec::new();
        for (i, p) in phrases.iter().enumerate() {
            for v in phrase_variants(p) {
                patterns.push(v);
                pattern_phrase.push(i);
            }
        }
        let mut phrase_topics = vec![Vec::new(); phrases.len()];
        let mut entity_topics = vec![Vec::new(); entity_ids.len()];
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
        let scanner = WordScanner::new(&patterns, true).map_err(|e| err(1, e.to_string()))?;
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

    /// Number of distinct phrases across all topics.
    pub fn phrase_count(&self) -> usize {
        self.phrases.len()
    }

    /// Every term's occurrences in the article.
    fn article_terms(&self, doc: &Document<'_>) -> ArticleTerms {
        let mut found: Vec<(usize, Occurrence)> = Vec::new();
        let none = Masks::none();
        let mut scan = |text: &Text<'_>, field: Field, masked: &Masks| {
            self.scanner.for_each(text.src, |s, e, pattern| {
                if masked.hits(Span::new(s, e)) {
                    return;
                }
                found.push((
                    self.pattern_phrase[pattern],
                    Occurrence {
                        field,
                        start: s,
                        end: e,
                        token: text.token_at_or_after(s),
                        sentence: text.sentence_of(s),
                    },
                ));
            });
        };
        if let Some(t) = doc.title {
            scan(t, Field::Title, &none);
        }
        scan(doc.body, Field::Body, doc.masked);
        // By phrase, keeping text order; two inflections of one phrase at one
        // place count once.
        found.sort_by_key(|&(p, _)| p);
        let mut phrase_of = Vec::with_capacity(found.len());
        let mut phrase_occ: Vec<Occurrence> = Vec::with_capacity(found.len());
        let mut group = 0;
        for (p, o) in found {
            if phrase_of.last() != Some(&p) {
                group = phrase_of.len();
            }
            if phrase_occ[group..]
                .iter()
                .any(|x| x.field == o.field && x.start == o.start)
            {
                continue;
            }
            phrase_of.push(p);
            phrase_occ.push(o);
        }
        let mut entity_occ = vec![Vec::new(); self.entity_ids.len()];
        let mut type_occ: [Vec<Occurrence>; 4] = Default::default();
        for e in &doc.entities {
            let t = if e.field == Field::Title {
                doc.title.expect("title occurrence")
            } else {
                doc.body
            };
            let o = Occurrence {
                field: e.field,
                start: e.start,
                end: e.end,
                token: t.token_at_or_after(e.start),
                sentence: t.sentence_of(e.start),
            };
            if let Some(&i) = self.entity_ids.get(e.id) {
                entity_occ[i].push(o);
            }
            type_occ[e.entity_type as usize].push(o);
        }
        ArticleTerms {
            phrase_of,
            phrase_occ,
            entity_occ,
            type_occ,
        }
    }

    /// Evaluates every topic; returns one match per topic.
    pub fn evaluate(&self, doc: &Document<'_>) -> Vec<TopicMatch> {
        self.evaluate_where(doc, false)
    }

    /// Evaluates every topic, or (with `only_candidates`) only those with at
    /// least one occurrence of a positive term: a topic without any cannot
    /// reach its (positive) `min_score`, and skipping it keeps the cost
    /// proportional to the evidence in the article, not to the taxonomy.
    fn evaluate_where(&self, doc: &Document<'_>, only_candidates: bool) -> Vec<TopicMatch> {
        let terms = self.article_terms(doc);
        let mut candidate = vec![!only_candidates; self.topics.len()];
        if only_candidates {
            let mut mark = |topics: &[usize]| {
                for &t in topics {
                    candidate[t] = true;
                }
            };
            let mut last = None;
            for &p in &terms.phrase_of {
                if last != Some(p) {
                    mark(&self.phrase_topics[p]);
                    last = Some(p);
                }
            }
            for (e, occ) in terms.entity_occ.iter().enumerate() {
                if !occ.is_empty() {
                    mark(&self.entity_topics[e]);
                }
            }
            for (t, occ) in terms.type_occ.iter().enumerate() {
                if !occ.is_empty() {
                    mark(&self.type_topics[t]);
                }
            }
        }
        self.topics
            .iter()
            .enumerate()
            .filter(|(ti, _)| candidate[*ti])
            .map(|(ti, topic)| {
                // Most candidates fail their rule: decide that without
                // collecting evidence.
                if only_candidates
                    && !holds(&topic.expr, &|t| !terms.of(&topic.terms[t].0).is_empty())
                {
                    return TopicMatch {
                        topic: ti,
                        fired: false,
                        rule_true: false,
                        raw_score: 0.0,
                        terms: Vec::new(),
                        evidence: Vec::new(),
                    };
                }
                let term_occ: Vec<&[Occurrence]> =
                    topic.terms.iter().map(|(r, _, _)| terms.of(r)).collect();
                let (rule_true, used) = eval(&topic.expr, &term_occ);
                let mut evidence: Vec<(usize, Occurrence)> = Vec::new();
                for (term, o) in used {
                    if topic.positive[term]
                        && !evidence
                            .iter()
                            .any(|(_, x)| x.field == o.field && x.start == o.start)
                    {
                        evidence.push((term, o));
                    }
                }
                let raw_score: f64 = evidence
                    .iter()
                    .map(|(t, o)| {
                        topic.terms[*t].1 * if o.field == Field::Title { 2.0 } else { 1.0 }
                    })
                    .sum();
                // Strongest evidence first (by term weight), then in text order.
                evidence.sort_by(|a, b| {
                    topic.terms[b.0]
                        .1
                        .total_cmp(&topic.terms[a.0].1)
                        .then(a.1.cmp(&b.1))
                });
                let ev: Vec<Occurrence> = evidence.into_iter().map(|(_, o)| o).collect();
                TopicMatch {
                    topic: ti,
                    fired: rule_true && raw_score >= topic.min_score,
                    rule_true,
                    raw_score,
                    // The per-term listing is for `explain`; the output path skips it.
                    terms: if only_candidates {
                        Vec::new()
                    } else {
                        topic
                            .terms
                            .iter()
                            .map(|t| t.2.clone())
                            .zip(term_occ.iter().map(|o| o.to_vec()))
                            .collect()
                    },
                    evidence: ev,
                }
            })
            .collect()
    }

    /// The topics that fire, best first, as output records.
    pub fn topics(&self, doc: &Document<'_>) -> Vec<Topic> {
        let mut out: Vec<Topic> = self
            .evaluate_where(doc, true)
            .into_iter()
            .filter(|m| m.fired)
            .map(|m| {
                let topic = &self.topics[m.topic];
                let score = 1.0 - 0.5f64.powf(m.raw_score / topic.min_score);
                Topic {
                    id: topic.id.clone(),
                    label: topic.label.clone(),
                    kind: topic.kind,
                    score: (score * 1000.0).round() / 1000.0,
                    evidence: m
                        .evidence
                        .iter()
                        .take(MAX_EVIDENCE)
                        .map(|o| {
                            let t = if o.field == Field::Title {
                                doc.title.unwrap()
                            } else {
                                doc.body
                            };
                            Evidence {
                                text: t.src[o.start..o.end].to_owned(),
                                start: t.char_offset(o.start),
                                end: t.char_offset(o.end),
                                field: if o.field == Field::Title {
                                    TextField::Title
                                } else {
                                    TextField::Body
                                },
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        out.sort_by(|a, b| {
            b.score
                .partial_cmp(&a.score)
                .unwrap()
                .then_with(|| a.id.cmp(&b.id))
        });
        out
    }
}

/// At most this many evidence spans are reported per topic.
pub const MAX_EVIDENCE: usize = 12;

/// Evaluates an expression: whether it holds and the occurrences (with term
/// index) that made it hold.
fn eval(e: &Expr, occ: &[&[Occurrence]]) -> (bool, Vec<(usize, Occurrence)>) {
    match e {
        Expr::Term(t) => (
            !occ[*t].is_empty(),
            occ[*t].iter().map(|o| (*t, *o)).collect(),
        ),
        Expr::And(items) => {
            let mut all = Vec::new();
            for i in items {
                let (ok, used) = eval(i, occ);
                if !ok {
                    return (false, Vec::new());
                }
                all.extend(used);
            }
            (true, all)
        }
        Expr::Or(items) => {
            let mut any = false;
            let mut all = Vec::new();
            for i in items {
                let (ok, used) = eval(i, occ);
                if ok {
                    any = true;
                    all.extend(used);
                }
            }
            (any, all)
        }
        Expr::Not(inner) => (!eval(inner, occ).0, Vec::new()),
        Expr::Near(a, b, n) => pairwise(a, b, occ, |x, y| {
            x.field == y.field && {
                let (lo, hi) = if x.token <= y.token { (x, y) } else { (y, x) };
                hi.token.saturating_sub(lo.token) <= *n + 1
            }
        }),
        Expr::Sentence(a, b) => pairwise(a, b, occ, |x, y| {
            x.field == y.field && x.sentence == y.sentence
        }),
    }
}

/// Whether a rule may hold, given which terms occur: `false` means it
/// certainly does not (as [`eval`] would find), `true` that [`eval`] must
/// decide (proximity needs the occurrences themselves).
fn holds(e: &Expr, occurs: &dyn Fn(usize) -> bool) -> bool {
    match e {
        Expr::Term(t) => occurs(*t),
        Expr::And(items) => items.iter().all(|i| holds(i, occurs)),
        Expr::Or(items) => items.iter().any(|i| holds(i, occurs)),
        // Exact without proximity inside; otherwise "maybe".
        Expr::Not(inner) => contains_proximity(inner) || !holds(inner, occurs),
        Expr::Near(a, b, _) | Expr::Sentence(a, b) => holds(a, occurs) && holds(b, occurs),
    }
}

fn contains_proximity(e: &Expr) -> bool {
    match e {
        Expr::Term(_) => false,
        Expr::And(items) | Expr::Or(items) => items.iter().any(contains_proximity),
        Expr::Not(inner) => contains_proximity(inner),
        Expr::Near(..) | Expr::Sentence(..) => true,
    }
}

fn pairwise(
    a: &Expr,
    b: &Expr,
    occ: &[&[Occurrence]],
    close: impl Fn(&Occurrence, &Occurrence) -> bool,
) -> (bool, Vec<(usize, Occurrence)>) {
    let (ok_a, ua) = eval(a, occ);
    let (ok_b, ub) = eval(b, occ);
    if !ok_a || !ok_b {
        return (false, Vec::new());
    }
    let mut used = Vec::new();
    for x in &ua {
        for y in &ub {
            if close(&x.1, &y.1) {
                if !used.contains(x) {
                    used.push(*x);
                }
                if !used.contains(y) {
                    used.push(*y);
                }
            }
        }
    }
    (!used.is_empty(), used)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `holds` may only say "false" where `eval` does, for every subset of
    /// occurring terms and for near and far placements.
    #[test]
    fn holds_never_rejects_a_rule_eval_accepts() {
        let rules = [
            r#""a" & ("b" | "c")"#,
            r#""a" & !"b""#,
            r#"!("a" | "b") & "c""#,
            r#"near("a", "b", 2) | "c""#,
            r#""a" & !near("b", "c", 1)"#,
            r#"sentence("a", "b") & !"c""#,
            r#"!sentence("a", "b") & "a""#,
        ];
        for rule in rules {
            let mut terms = Vec::new();
            let expr = rules::parse(rule, &mut terms).unwrap();
            let n = terms.len();
            for mask in 0u32..(1 << n) {
                for spread in [1usize, 10] {
                    let occ: Vec<Vec<Occurrence>> = (0..n)
                        .map(|t| {
                            if mask & (1 << t) == 0 {
                                return Vec::new();
                            }
                            let token = t * spread;
                            vec![Occurrence {
                                field: Field::Body,
                                start: token * 5,
                                end: token * 5 + 3,
                                token,
                                sentence: token / 10,
                            }]
                        })
                        .collect();
                    let refs: Vec<&[Occurrence]> = occ.iter().map(Vec::as_slice).collect();
                    let exact = eval(&expr, &refs).0;
                    let maybe = holds(&expr, &|t| !occ[t].is_empty());
                    assert!(maybe || !exact, "{rule}: mask {mask:b}, spread {spread}");
                }
            }
        }
    }

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
