//! Enrich: the pure core. `&RawArticle → EnrichedArticle`, no I/O, no async,
//! no Kafka types.
//!
//! Every mode (`run`, `process`, `demo`, `eval`) calls the same
//! [`Enricher::enrich`]. An [`Enricher`] holds the loaded resources (lexicon
//! and taxonomy); it is immutable and `Sync`, so one instance serves every
//! worker thread.
//!
//! Steps, each in its own module:
//! 1. [`language`]: detect the language; [`fingerprint`]: the body's MinHash
//!    signature. Both run on every article.
//! 2. [`captions`]: find photo captions and credits; they are reported and masked.
//! 3. [`text`]: tokens, sentences, offset maps.
//!
//! The rest runs only for the languages the enricher is told to analyse
//! (the models are English; `enrich.languages`):
//! 4. [`entities`]: recognise, link and rank entities (using [`lexicon`],
//!    the trained [`tagger`] and its word [`clusters`]); places carry their
//!    coordinates from the gazetteer.
//! 5. [`quotes`]: quotations and their speakers; [`tone`]: the body's and
//!    each entity's tone.
//! 6. [`values`]: money, quantities, percentages, dates (resolved against
//!    the publication date) and tickers.
//! 7. [`taxonomy`]: evaluate storyline and category rules ([`rules`]) over
//!    phrases and the linked entities; the IPTC [`subjects`] and the trained
//!    [`categories`].

pub mod captions;
pub mod categories;
pub mod clusters;
pub mod entities;
pub mod fingerprint;
pub mod language;
pub mod lexicon;
pub mod quotes;
pub mod rules;
pub mod scan;
pub mod subjects;
pub mod tagger;
pub mod taxonomy;
pub mod text;
pub mod tone;
pub mod values;
pub mod words;

use std::sync::{Arc, RwLock};

use crate::article::{
    Caption, EnrichedArticle, Entity, RawArticle, Topic, TopicKind, Value, ValueType,
};

pub use lexicon::Lexicon;
pub use taxonomy::Taxonomy;

use taxonomy::{Document, EntitySpan, Field};
use text::Text;

use crate::span::{Masks, Span};

/// Asks the memory system for the cache line at `p` ahead of use. The
/// tagger and the category model read scattered rows of tables larger than
/// the caches near the core; requesting them all before summing lets the
/// loads overlap. A hint: any address is allowed, nothing is read.
#[inline]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults, whatever the address.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(p as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// The enrichment core with its resources loaded.
#[derive(Debug)]
pub struct Enricher {
    lexicon: Lexicon,
    /// Swappable at run time (hot reload); each article reads it once.
    taxonomy: RwLock<Arc<Taxonomy>>,
    /// The trained entity tagger.
    tagger: tagger::Model,
    /// The trained category classifier; `None` turns trained categories off.
    categories: Option<categories::CategoryModel>,
    /// The IPTC subject table; `None` turns subjects off.
    subjects: Option<subjects::SubjectModel>,
    /// Languages (ISO 639-1) that get the English analysis.
    languages: Vec<String>,
    /// The sentiment lexicon.
    tone: tone::ToneLexicon,
}

/// The caption spans as masks for the other steps.
fn caption_masks(captions: &[captions::CaptionSpan]) -> Masks {
    Masks::new(captions.iter().map(|c| Span::new(c.start, c.end)))
}

/// Resource loading failed; the message names the file and the place.
#[derive(Debug, thiserror::Error)]
pub enum ResourceError {
    #[error(transparent)]
    Lexicon(#[from] lexicon::LexiconError),
    #[error(transparent)]
    Taxonomy(#[from] taxonomy::TaxonomyError),
    #[error("{path}: {reason}")]
    Model { path: String, reason: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl Enricher {
    /// A caption with its own entities, offsets shifted into the body.
    fn caption(&self, body_str: &str, body: &Text<'_>, c: &captions::CaptionSpan) -> Caption {
        let text = &body_str[c.start..c.end];
        let sub = Text::new(text);
        let credit_mask = Masks::new(c.credit.map(|(s, e)| Span::new(s - c.start, e - c.start)));
        let shift = body.char_offset(c.start);
        let mut entities = entities::recognize(&self.lexicon, &self.tagger, &sub, &credit_mask);
        for e in &mut entities {
            for m in &mut e.mentions {
                m.start += shift;
                m.end += shift;
            }
        }
        Caption {
            start: shift,
            end: body.char_offset(c.end),
            text: text.to_owned(),
            credit: c.credit.map(|(s, e)| body_str[s..e].to_owned()),
            entities,
        }
    }

    /// The enricher with the resources compiled into the binary.
    pub fn embedded() -> Result<Enricher, ResourceError> {
        let lexicon = Lexicon::embedded()?;
        let taxonomy = Taxonomy::parse("config/topics.toml", taxonomy::DEFAULT_TAXONOMY, &lexicon)?;
        let tagger =
            tagger::Model::load(tagger::DEFAULT_MODEL).map_err(|reason| ResourceError::Model {
                path: "models/ner.bin".into(),
                reason: reason.to_string(),
            })?;
        let cats =
            categories::CategoryModel::load(categories::DEFAULT_MODEL).map_err(|reason| {
                ResourceError::Model {
                    path: "models/categories.bin".into(),
                    reason: reason.to_string(),
                }
            })?;
        let subjects = subjects::SubjectModel::load(subjects::DEFAULT_MODEL).map_err(|reason| {
            ResourceError::Model {
                path: "models/subjects.bin".into(),
                reason: reason.to_string(),
            }
        })?;
        Ok(Enricher::new(lexicon, taxonomy, tagger)
            .with_categories(Some(cats))
            .with_subjects(Some(subjects)))
    }

    pub fn new(lexicon: Lexicon, taxonomy: Taxonomy, tagger: tagger::Model) -> Enricher {
        Enricher {
            lexicon,
            taxonomy: RwLock::new(Arc::new(taxonomy)),
            tagger,
            categories: None,
            subjects: None,
            languages: vec!["en".to_owned()],
            tone: tone::ToneLexicon::embedded(),
        }
    }

    /// Sets the languages (ISO 639-1) whose articles get entities, values,
    /// quotes, tone, storylines and categories; others get their language,
    /// captions and fingerprint only. The default is `["en"]`: the models
    /// are English.
    pub fn with_languages(mut self, languages: Vec<String>) -> Enricher {
        self.languages = languages;
        self
    }

    /// Adds (or removes) the IPTC subject table.
    pub fn with_subjects(mut self, model: Option<subjects::SubjectModel>) -> Enricher {
        self.subjects = model;
        self
    }

    /// The languages that get the full analysis.
    pub fn languages(&self) -> &[String] {
        &self.languages
    }

    /// The trained entity tagger.
    pub fn tagger(&self) -> &tagger::Model {
        &self.tagger
    }

    /// The names, places and aliases in force.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Adds (or removes) the trained category classifier.
    pub fn with_categories(mut self, model: Option<categories::CategoryModel>) -> Enricher {
        self.categories = model;
        self
    }

    /// The taxonomy in force.
    pub fn taxonomy(&self) -> Arc<Taxonomy> {
        self.taxonomy.read().expect("taxonomy lock").clone()
    }

    /// Replaces the taxonomy; articles already being enriched finish with the
    /// one they started with.
    pub fn replace_taxonomy(&self, taxonomy: Taxonomy) {
        *self.taxonomy.write().expect("taxonomy lock") = Arc::new(taxonomy);
    }

    /// Entity mentions (body) and lexicon matches (title) as the taxonomy sees them.
    fn entity_spans<'a>(
        &'a self,
        entities: &'a [Entity],
        body: &Text<'_>,
        title: Option<&Text<'_>>,
    ) -> Vec<EntitySpan<'a>> {
        let mut spans = Vec::new();
        for e in entities {
            for m in &e.mentions {
                spans.push(EntitySpan {
                    id: &e.id,
                    entity_type: e.entity_type,
                    field: Field::Body,
                    start: body.byte_offset(m.start),
                    end: body.byte_offset(m.end),
                });
            }
        }
        if let Some(t) = title {
            for m in self.lexicon.find(t.src) {
                if m.surface == lexicon::Surface::Ticker {
                    continue;
                }
                let entry = &self.lexicon.entries[m.entry];
                spans.push(EntitySpan {
                    id: &entry.id,
                    entity_type: entry.entity_type,
                    field: Field::Title,
                    start: m.start,
                    end: m.end,
                });
            }
        }
        spans
    }

    /// Explains how one topic's rule matched an article: each term with its
    /// occurrences, the score against the threshold, the evidence. `None`
    /// when the taxonomy has no such topic.
    pub fn explain(&self, article: &RawArticle, topic_id: &str) -> Option<String> {
        use std::fmt::Write;
        let taxonomy = self.taxonomy();
        let ti = taxonomy.topics.iter().position(|t| t.id == topic_id)?;
        let topic = &taxonomy.topics[ti];
        let body = Text::new(&article.body);
        let masked = caption_masks(&captions::find_captions(&article.body));
        let entities = entities::recognize(&self.lexicon, &self.tagger, &body, &masked);
        let title = article.title.as_deref().map(Text::new);
        let doc = Document {
            title: title.as_ref(),
            body: &body,
            masked: &masked,
            entities: self.entity_spans(&entities, &body, title.as_ref()),
        };
        let m = taxonomy.evaluate(&doc).swap_remove(ti);
        let show = |o: &taxonomy::Occurrence| {
            let (t, field) = match o.field {
                Field::Title => (title.as_ref().expect("title occurrence"), "title"),
                Field::Body => (&body, "body"),
            };
            format!(
                "{field}[{}..{}] {:?} (sentence {})",
                t.char_offset(o.start),
                t.char_offset(o.end),
                &t.src[o.start..o.end],
                o.sentence + 1
            )
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "topic {} {:?} ({})",
            topic.id,
            topic.label,
            topic.kind.as_str()
        );
        let _ = writeln!(
            out,
            "rule: {}",
            topic
                .rule_text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        );
        let _ = writeln!(
            out,
            "result: {} (rule {}; evidence weight {:.2}, min_score {:.2})",
            if m.fired { "FIRES" } else { "does not fire" },
            if m.rule_true { "true" } else { "false" },
            m.raw_score,
            topic.min_score
        );
        let _ = writeln!(out, "terms:");
        for ((key, occ), weight) in m.terms.iter().zip(topic.term_weights()) {
            let _ = writeln!(out, "  {key:?} weight {weight}: {} match(es)", occ.len());
            for o in occ.iter().take(10) {
                let _ = writeln!(out, "    {}", show(o));
            }
            if occ.len() > 10 {
                let _ = writeln!(out, "    … {} more", occ.len() - 10);
            }
        }
        let _ = writeln!(out, "evidence counted:");
        for o in &m.evidence {
            let _ = writeln!(out, "  {}", show(o));
        }
        Some(out)
    }

    /// Enriches one article. Deterministic: the same article and resources
    /// give the same result.
    pub fn enrich(&self, article: &RawArticle) -> EnrichedArticle {
        let detected = language::detect(article.title.as_deref(), &article.body);
        let fallback = self.languages.first().map_or("en", String::as_str);
        let language = language::resolve(detected, article.language.as_deref(), fallback);
        let fingerprint = fingerprint::to_hex(fingerprint::signature(&article.body).as_ref());
        let body = Text::new(&article.body);
        let caption_spans = captions::find_captions(&article.body);
        let mut out = EnrichedArticle {
            id: article.id.clone(),
            title: article.title.clone(),
            body: String::new(),
            published_at: article.published_at,
            publisher: article.publisher.clone(),
            url: article.url.clone(),
            language,
            declared_language: article.language.clone(),
            entities: Vec::new(),
            topics: Vec::new(),
            values: Vec::new(),
            captions: Vec::new(),
            quotes: Vec::new(),
            tone: Default::default(),
            fingerprint,
            duplicate_of: None,
        };
        if !self.languages.contains(&out.language) {
            // No English-model guesses on other languages: the captions are
            // still found (their credit lines are language-neutral), without
            // entities.
            out.captions = caption_spans
                .iter()
                .map(|c| Caption {
                    start: body.char_offset(c.start),
                    end: body.char_offset(c.end),
                    text: article.body[c.start..c.end].to_owned(),
                    credit: c.credit.map(|(s, e)| article.body[s..e].to_owned()),
                    entities: Vec::new(),
                })
                .collect();
            out.body = article.body.clone();
            return out;
        }
        let masked = caption_masks(&caption_spans);
        let mut entities = entities::recognize(&self.lexicon, &self.tagger, &body, &masked);
        let quotes = quotes::find_quotes(&body, &masked, &entities);
        // Names are not sentiment: "United" in United States, "Supreme" in
        // Supreme Leader. Mentions are masked like captions.
        let names = Masks::new(entities.iter().flat_map(|e| {
            e.mentions
                .iter()
                .map(|m| Span::new(body.byte_offset(m.start), body.byte_offset(m.end)))
        }));
        let sentence_tones = self.tone.sentences(&body, &masked, &names);
        out.tone = tone::overall(&sentence_tones);
        for e in &mut entities {
            let sentences = e
                .mentions
                .iter()
                .map(|m| body.sentence_of(body.byte_offset(m.start)));
            e.tone = tone::polarity_of(&sentence_tones, sentences);
        }

        let title_text = article.title.as_deref().map(Text::new);
        let spans = self.entity_spans(&entities, &body, title_text.as_ref());
        let doc = Document {
            title: title_text.as_ref(),
            body: &body,
            masked: &masked,
            entities: spans,
        };
        let mut topics = self.taxonomy().topics(&doc);
        let mut text = String::new();
        if self.categories.is_some() || self.subjects.is_some() {
            // Captions are masked out of the classifiers' text like everywhere else.
            text.reserve(article.body.len());
            let mut at = 0;
            for m in masked.iter() {
                text.push_str(&article.body[at..m.start]);
                at = m.end;
            }
            text.push_str(&article.body[at..]);
        }
        if let Some(model) = &self.subjects {
            for (i, p) in model.predict(article.title.as_deref(), &text) {
                let (id, label) = &model.subjects[i];
                topics.push(Topic {
                    id: id.clone(),
                    label: label.clone(),
                    kind: TopicKind::Category,
                    score: ((p as f64 * 1000.0).round() / 1000.0).max(0.001),
                    evidence: Vec::new(),
                });
            }
        }
        if let Some(model) = &self.categories {
            for (i, p) in model.predict(article.title.as_deref(), &text) {
                topics.push(Topic {
                    id: model.labels[i].clone(),
                    label: model.labels[i].clone(),
                    kind: TopicKind::Category,
                    score: (p as f64 * 1000.0).round() / 1000.0,
                    evidence: Vec::new(),
                });
            }
        }

        let published = article.published_at.map(|t| t.date_naive());
        let values = values::find_values(&article.body, published)
            .into_iter()
            .filter(|v| !masked.hits(Span::new(v.start, v.end)))
            .map(|v| Value {
                value_type: match v.kind {
                    values::ValueKind::Money => ValueType::Money,
                    values::ValueKind::Quantity => ValueType::Quantity,
                    values::ValueKind::Percent => ValueType::Percent,
                    values::ValueKind::Date => ValueType::Date,
                    values::ValueKind::Ticker => ValueType::Ticker,
                },
                text: article.body[v.start..v.end].to_owned(),
                start: body.char_offset(v.start),
                end: body.char_offset(v.end),
                normalized: v.normalized,
                amount: v.amount,
                unit: v.unit,
            })
            .collect();
        out.captions = caption_spans
            .iter()
            .map(|c| self.caption(&article.body, &body, c))
            .collect();
        out.entities = entities;
        out.topics = topics;
        out.values = values;
        out.quotes = quotes;
        out.body = article.body.clone();
        out
    }
}
