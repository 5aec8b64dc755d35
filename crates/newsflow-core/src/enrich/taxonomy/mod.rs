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
//!
//! Reading and compiling the file ([`Taxonomy::parse`]) is in `compile`;
//! this file holds the compiled types and the matcher.

mod compile;

use rustc_hash::FxHashSet as HashSet;
use serde::Deserialize;

use crate::article::{EntityType, Evidence, TextField, Topic, TopicKind};
use crate::span::{Masks, Span};

use super::rules::Expr;
use super::scan::WordScanner;
use super::text::Text;

/// The taxonomy compiled into the binary.
pub const DEFAULT_TAXONOMY: &str = include_str!("../../../../../config/topics.toml");

/// A taxonomy error, naming the file, line, topic and reason.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct TaxonomyError {
    pub file: String,
    pub line: usize,
    pub reason: String,
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

impl Taxonomy {
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
                let mut at: HashSet<(Field, usize)> = HashSet::default();
                for (term, o) in used {
                    if topic.positive[term] && at.insert((o.field, o.start)) {
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
        // Within n + 1 tokens of each other, in the same field.
        Expr::Near(a, b, n) => pairwise(
            a,
            b,
            occ,
            |o| (o.field, o.token),
            |x| {
                let reach = *n + 1;
                (
                    (x.field, x.token.saturating_sub(reach)),
                    (x.field, x.token + reach),
                )
            },
        ),
        Expr::Sentence(a, b) => pairwise(
            a,
            b,
            occ,
            |o| (o.field, o.sentence),
            |x| ((x.field, x.sentence), (x.field, x.sentence)),
        ),
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
    key: impl Fn(&Occurrence) -> (Field, usize),
    reach: impl Fn(&Occurrence) -> ((Field, usize), (Field, usize)),
) -> (bool, Vec<(usize, Occurrence)>) {
    let (ok_a, ua) = eval(a, occ);
    let (ok_b, ub) = eval(b, occ);
    if !ok_a || !ok_b {
        return (false, Vec::new());
    }
    // `b`'s occurrences sorted by key, so the ones close to each of `a`'s
    // are one binary-searched range: a name repeated hundreds of times in
    // a long article made the all-pairs loop quadratic. The output keeps
    // the all-pairs order (each `a` occurrence, then its close `b` ones in
    // their own order), so evidence stays the same.
    let mut order: Vec<usize> = (0..ub.len()).collect();
    order.sort_by_key(|&j| key(&ub[j].1));
    let keys: Vec<(Field, usize)> = order.iter().map(|&j| key(&ub[j].1)).collect();
    let mut used = Vec::new();
    let mut seen: HashSet<(usize, Occurrence)> = HashSet::default();
    let mut close: Vec<usize> = Vec::new();
    for x in &ua {
        let (lo, hi) = reach(&x.1);
        let from = keys.partition_point(|k| *k < lo);
        let to = keys.partition_point(|k| *k <= hi);
        if from >= to {
            continue;
        }
        close.clear();
        close.extend_from_slice(&order[from..to]);
        close.sort_unstable();
        if seen.insert(*x) {
            used.push(*x);
        }
        for &j in &close {
            if seen.insert(ub[j]) {
                used.push(ub[j]);
            }
        }
    }
    (!used.is_empty(), used)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::rules;

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
}
