//! Quotations and their speakers.
//!
//! News copy follows a small set of conventions for reported speech, and this
//! module encodes those conventions as rules over the shared tokens and
//! sentences of [`Text`]. It has no model and no regular expressions.
//!
//! 1. **Pairing marks.** Each paragraph (blocks separated by a blank line) is
//!    scanned for `"`, `“` and `”`. Curly marks say which way they face. A
//!    straight mark counts as opening when it follows a space or the start of
//!    the paragraph and precedes a word, and as closing in the opposite case;
//!    otherwise it toggles. A quotation can therefore span sentences, but
//!    never paragraphs. There is one exception: the *continued-quote*
//!    convention, where a paragraph opens a quote without closing it and the
//!    next paragraph starts with a quote mark. The unclosed part becomes a
//!    quotation running to the end of its paragraph, linked to the next one.
//!    Any other unclosed mark is ignored. Marks inside `masked` spans
//!    (captions) are skipped.
//! 2. **Attribution in the quote's own sentence.** The words after the
//!    closing mark, up to the end of the sentence or the next quotation, are
//!    tried first: `"…," X said`, `"…," X, who …, said`,
//!    `"…," X told reporters`, `"…," said X` and `"…," according to X`. Then
//!    the words before the opening mark: `X said: "…"`, `According to X, "…"`,
//!    and partial quotes such as `X called the deal a "historic step"` or
//!    `X said the talks were "very productive"`. The reporting verb is taken
//!    from a closed list of lowercase forms (`said`, `told`, `added`,
//!    `warned`, …, and `according to`), skipping verbs inside a
//!    `, who …,` clause. Participles (`adding`, `saying`) count only before a
//!    quote, and their speaker is the subject of the clause.
//! 3. **The speaker phrase.** The subject before the verb is split at commas,
//!    and relative clauses (`who …`, `which …`) are dropped. The segment
//!    nearest the verb is used, unless it names no one while the segment
//!    before it is a bare name: that is the appositive
//!    `Yuri Ushakov, Putin's foreign policy adviser, told`. The noun phrase
//!    is read backwards from the verb, after skipping adverbs and time words
//!    (`also`, `on Tuesday`). It stops at prepositions and conjunctions, and
//!    after a determiner unless `of`/`for` precedes it (`the head of the
//!    agency`). A speaker after the verb (`said a senior Iranian official,
//!    who …`) is read forwards, up to a comma, `who`, a preposition or
//!    punctuation. If the phrase overlaps a mention of a Person or
//!    Organization entity that is not a possessive (`Putin's`), the speaker
//!    is that entity. Otherwise it is the phrase as written.
//! 4. **Pronouns.** `he`, `she` and `they` resolve to the nearest Person
//!    mention before the pronoun. Mentions inside quotations are not used,
//!    because people named in a quote are rarely its speaker. This is
//!    deliberately naive: it ignores gender and number, and it assumes news
//!    style, where a pronoun attribution follows the person's last mention.
//! 5. **Carrying a speaker over.** A quotation with no attribution and no
//!    other words in its sentence takes the speaker and verb of the nearest
//!    attributed quotation in the same paragraph (the previous one, else the
//!    next). The segments of a continued quote share one speaker. A paragraph
//!    that is nothing but quotations takes the speaker of the last quotation
//!    of the paragraph before it. Caption paragraphs in between are skipped.
//! 6. **Filtering.** A quotation of at most [`SCARE_QUOTE_WORDS`] words with
//!    no speaker is a scare quote or a term (`deep "safe zones" along the
//!    border`) and is dropped. A longer one is kept with no speaker and no
//!    verb.
//!
//! Offsets: work is done in bytes, and the output gives the character
//! offsets of the quoted words without their marks. Surrounding whitespace
//! and a trailing comma (`"…important," he said`) are trimmed off, because
//! that comma belongs to the carrying sentence.
//!
//! Limits, by design:
//! - Single quotes (`‘…’`) are not read as quotations, because they cannot be
//!   told apart from apostrophes cheaply. Neither are guillemets (`«»`) or
//!   low-9 marks (`„`).
//! - Nested double quotes are not supported: an inner quote ends the outer
//!   one.
//! - An attribution in another sentence (`Erdogan spoke. "We will act."`) is
//!   not linked, unless the quotation-only-paragraph rule applies.
//! - Pronoun resolution has no gender, number or syntax. `it`, `we` and `I`
//!   are not resolved. Such quotations get no speaker.
//! - The reporting verbs and the stop words are closed English lists.

use crate::article::{Entity, EntityType, Quote, Speaker};
use crate::span::{Masks, Span};

use super::text::{is_abbreviation_word, Text};

/// A quotation of at most this many words needs a speaker to be reported;
/// shorter unattributed ones are scare quotes or terms.
pub const SCARE_QUOTE_WORDS: usize = 4;

/// Longest speaker phrase, in tokens.
const MAX_PHRASE_TOKENS: usize = 10;

/// Longest subject before a verb after a quote (`"…," <subject> said`), in tokens.
const MAX_SUBJECT_TOKENS: usize = 20;

/// The kind of reporting verb `w` is, as written. Only lowercase forms
/// count, so "States" in "United States" and a sentence-initial "Says" are
/// not verbs. Nouns that look like verbs ("notes", "claims", "calls") are
/// left out. Participles (`…, adding: "…"`) count only before a quote. This
/// runs on every token of a quote's sentence, so it is a `match`, which
/// compiles to a test on length and bytes, rather than a list scan.
fn verb_kind(w: &str) -> Option<VerbKind> {
    match w {
        "said" | "says" | "say" | "told" | "tells" | "added" | "adds" | "stated" | "warned"
        | "warns" | "noted" | "explained" | "explains" | "wrote" | "writes" | "asked" | "asks"
        | "insisted" | "insists" | "declared" | "declares" | "announced" | "announces"
        | "replied" | "continued" | "urged" | "urges" | "argued" | "argues" | "called"
        | "described" | "claimed" | "stressed" | "stresses" | "emphasised" | "emphasized"
        | "acknowledged" | "admitted" | "remarked" | "recalled" | "responded" | "suggested"
        | "predicted" | "tweeted" | "vowed" | "promised" | "cautioned" | "observed"
        | "commented" | "confirmed" | "concluded" | "conceded" | "complained" | "answered"
        | "reiterated" | "shouted" | "demanded" | "pledged" | "lamented" => Some(VerbKind::Finite),
        "adding" | "saying" | "noting" | "warning" | "telling" | "insisting" | "arguing"
        | "explaining" | "writing" | "stating" | "urging" | "declaring" | "announcing"
        | "stressing" | "calling" | "describing" | "claiming" | "asking" | "replying"
        | "emphasising" | "emphasizing" => Some(VerbKind::Participle),
        _ => None,
    }
}

/// Subject pronouns resolved to the nearest preceding Person.
const PRONOUNS: &[&str] = &["he", "she", "they"];

/// Pronouns that can start a subject but are not resolved.
const OTHER_PRONOUNS: &[&str] = &["it", "we", "i"];

/// Words that can open a noun phrase.
const DETERMINERS: &[&str] = &[
    "a", "an", "the", "his", "her", "their", "its", "our", "my", "one", "another", "two", "three",
    "four", "several", "some", "many", "other", "both", "each", "this",
];

/// Words skipped between a subject and its verb (`X also said`, `X on Tuesday told`).
const SKIP_BEFORE_VERB: &[&str] = &[
    "also",
    "later",
    "earlier",
    "then",
    "again",
    "further",
    "has",
    "have",
    "had",
    "was",
    "were",
    "is",
    "are",
    "would",
    "will",
    "previously",
    "repeatedly",
    "reportedly",
    "separately",
    "recently",
    "once",
    "yesterday",
    "today",
    "tonight",
    "on",
    "last",
    "this",
    "week",
    "month",
    "year",
    "night",
    "morning",
    "afternoon",
    "evening",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Words that end a speaker phrase (prepositions other than `of`/`for`,
/// conjunctions, relative pronouns, time words).
const STOP_WORDS: &[&str] = &[
    "and",
    "but",
    "or",
    "nor",
    "that",
    "who",
    "which",
    "whose",
    "whom",
    "when",
    "while",
    "as",
    "because",
    "since",
    "if",
    "in",
    "on",
    "at",
    "during",
    "after",
    "before",
    "to",
    "from",
    "with",
    "by",
    "about",
    "yesterday",
    "today",
    "earlier",
    "later",
    "also",
    "has",
    "had",
    "was",
    "is",
    "would",
    "will",
];

/// Words that open a relative clause after a comma.
const RELATIVE: &[&str] = &["who", "which", "whose", "whom"];

/// True when `w` equals one of `list`, ignoring ASCII case.
fn in_list(w: &str, list: &[&str]) -> bool {
    list.iter().any(|x| w.eq_ignore_ascii_case(x))
}

/// The quotations in `body` (outside `masked`), in text order, each with its
/// speaker and reporting verb when the article gives them.
pub fn find_quotes(body: &Text<'_>, masked: &Masks, entities: &[Entity]) -> Vec<Quote> {
    let marks = quote_marks(body.src);
    if marks.is_empty() {
        return Vec::new();
    }
    let paragraphs = paragraphs(body.src);
    let raws = pair_marks(body.src, &paragraphs, &marks, masked);
    if raws.is_empty() {
        return Vec::new();
    }
    let ctx = Ctx::new(body, entities, &raws);
    let mut found = Vec::with_capacity(raws.len());
    let mut standalone = Vec::with_capacity(raws.len());
    for i in 0..raws.len() {
        let (outcome, alone) = ctx.direct(&raws, &paragraphs, i);
        found.push(outcome);
        standalone.push(alone);
    }
    // Carry speakers over (module doc, step 5). Continued-quote chains are
    // re-shared after each pass, so a speaker reaching one segment reaches
    // all of them.
    let mut attrs = resolve_continue_previous(&raws, found);
    share_within_chains(&raws, &mut attrs);
    share_within_paragraphs(&raws, &standalone, &mut attrs);
    share_within_chains(&raws, &mut attrs);
    share_across_paragraphs(&ctx, &raws, &paragraphs, masked, &mut attrs);
    share_within_chains(&raws, &mut attrs);
    emit(body, &raws, attrs)
}

/// Byte offsets of every `"`, `“` and `”`, in order. These are three
/// memchr-backed scans, and the early exit for an article that quotes no one.
fn quote_marks(src: &str) -> Vec<usize> {
    let mut v: Vec<usize> = src.match_indices('"').map(|(i, _)| i).collect();
    let straight = v.len();
    v.extend(src.match_indices('“').map(|(i, _)| i));
    v.extend(src.match_indices('”').map(|(i, _)| i));
    if v.len() > straight {
        v.sort_unstable();
    }
    v
}

/// The paragraphs of `src` (split at blank lines, as sentences are), as
/// trimmed, non-empty byte ranges.
fn paragraphs(src: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut push = |s: usize, e: usize| {
        let seg = &src[s..e];
        let lead = seg.len() - seg.trim_start().len();
        let trail = seg.len() - seg.trim_end().len();
        if s + lead < e - trail {
            out.push((s + lead, e - trail));
        }
    };
    let mut start = 0;
    for (i, _) in src.match_indices('\n') {
        let blank_line_follows = src[i + 1..]
            .trim_start_matches([' ', '\t', '\r'])
            .starts_with('\n');
        if i >= start && blank_line_follows {
            push(start, i);
            start = i + 1;
        }
    }
    push(start, src.len());
    out
}

/// Which way a quote mark faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Facing {
    Open,
    Close,
    /// A straight mark with no telling context: toggles.
    Either,
}

/// The quote mark at byte `i`, with its length, if there is one.
fn mark_at(src: &str, i: usize) -> Option<(Facing, usize)> {
    let b = src.as_bytes();
    match b[i] {
        b'"' => Some((straight_facing(src, i), 1)),
        0xE2 if i + 2 < b.len() && b[i + 1] == 0x80 => match b[i + 2] {
            0x9C => Some((Facing::Open, 3)),
            0x9D => Some((Facing::Close, 3)),
            _ => None,
        },
        _ => None,
    }
}

/// A straight `"` opens after a space (or bracket, dash, start) and before a
/// word; it closes after a word and before a space or punctuation.
fn straight_facing(src: &str, i: usize) -> Facing {
    let prev = src[..i].chars().next_back();
    let next = src[i + 1..].chars().next();
    let open_side = prev.is_none_or(|c| c.is_whitespace() || "([{—–-/".contains(c));
    let close_side = next.is_none_or(|c| c.is_whitespace() || ".,;:!?)]}—–-".contains(c));
    match (open_side, close_side) {
        (true, false) => Facing::Open,
        (false, true) => Facing::Close,
        _ => Facing::Either,
    }
}

/// A paired quotation, in bytes.
#[derive(Debug, Clone)]
struct RawQuote {
    /// The quoted words, trimmed (no marks, no outer whitespace or trailing comma).
    start: usize,
    end: usize,
    /// Start of the opening mark.
    open: usize,
    /// End of the closing mark, or the paragraph end for an unclosed
    /// continued segment.
    close_end: usize,
    /// False for the unclosed first part of a continued quote.
    closed: bool,
    /// Index into the paragraph list.
    para: usize,
    /// Opens its paragraph and continues the previous paragraph's unclosed quote.
    continues_prev: bool,
}

/// Pairs the quote marks (byte offsets from [`quote_marks`]) of each
/// paragraph into quotations.
fn pair_marks(
    src: &str,
    paragraphs: &[(usize, usize)],
    marks: &[usize],
    masked: &Masks,
) -> Vec<RawQuote> {
    let mut out = Vec::new();
    let mut next = 0;
    // The first mark of this paragraph continues the previous paragraph's quote.
    let mut carry = false;
    for (p, &(ps, pe)) in paragraphs.iter().enumerate() {
        let mut open: Option<(usize, usize)> = None;
        let mut first_in_para = true;
        while next < marks.len() && marks[next] < ps {
            next += 1;
        }
        while next < marks.len() && marks[next] < pe {
            let i = marks[next];
            next += 1;
            let Some((facing, len)) = mark_at(src, i) else {
                continue;
            };
            let at = (i, i + len);
            if masked.hits(Span::new(at.0, at.1)) {
                continue;
            }
            match (open, facing) {
                (None, Facing::Close) => {}
                (None, _) | (Some(_), Facing::Open) => open = Some(at),
                (Some(o), _) => {
                    if let Some(mut q) = quoted(src, masked, o, at) {
                        q.para = p;
                        q.continues_prev = carry && first_in_para && o.0 == ps;
                        out.push(q);
                    }
                    first_in_para = false;
                    open = None;
                }
            }
        }
        let was_carry = carry && first_in_para;
        carry = false;
        if let Some(o) = open {
            if next_paragraph_opens_quote(src, paragraphs, p, masked) {
                if let Some(mut q) = quoted(src, masked, o, (pe, pe)) {
                    q.para = p;
                    q.closed = false;
                    q.continues_prev = was_carry && o.0 == ps;
                    out.push(q);
                    carry = true;
                }
            }
        }
    }
    out
}

/// True when paragraph `p + 1` starts with an (unmasked) quote mark.
fn next_paragraph_opens_quote(
    src: &str,
    paragraphs: &[(usize, usize)],
    p: usize,
    masked: &Masks,
) -> bool {
    paragraphs.get(p + 1).is_some_and(|&(s, _)| {
        mark_at(src, s)
            .is_some_and(|(f, len)| f != Facing::Close && !masked.hits(Span::new(s, s + len)))
    })
}

/// The quotation between the `open` and `close` marks (byte ranges), as a
/// closed quote of paragraph 0, unless it is empty or touches a mask.
fn quoted(
    src: &str,
    masked: &Masks,
    open: (usize, usize),
    close: (usize, usize),
) -> Option<RawQuote> {
    let (start, end) = trim_quoted(src, open.1, close.0);
    if start >= end || masked.hits(Span::new(start, end)) {
        return None;
    }
    Some(RawQuote {
        start,
        end,
        open: open.0,
        close_end: close.1,
        closed: true,
        para: 0,
        continues_prev: false,
    })
}

/// `src[s..e]` without outer whitespace and a trailing comma.
fn trim_quoted(src: &str, s: usize, e: usize) -> (usize, usize) {
    let seg = &src[s..e];
    let t = seg.trim();
    let t = t.strip_suffix(',').map_or(t, str::trim_end);
    let lead = seg.len() - seg.trim_start().len();
    (s + lead, s + lead + t.len())
}

/// A speaker with the verb that introduced them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Attribution {
    speaker: Speaker,
    verb: String,
}

/// What the quote's own sentence says about its speaker.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// A reporting clause with a speaker.
    Found(Attribution),
    /// A reporting clause whose speaker could not be named (an unresolved
    /// pronoun, an empty phrase).
    Unresolved,
    /// `…, adding: "…"` with no subject in sight: the previous quote's speaker.
    ContinuePrevious,
    /// No reporting clause.
    Nothing,
}

/// A Person or Organization mention, in characters (as the entities give
/// them: converting a phrase's bytes to characters is a lookup, the other way
/// a search).
#[derive(Debug, Clone, Copy)]
struct Named {
    start: usize,
    end: usize,
    entity: usize,
    person: bool,
    /// Inside a quotation (not used for pronouns).
    in_quote: bool,
}

/// The kind of reporting word found at a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VerbKind {
    Finite,
    Participle,
    /// `according to`: the speaker follows.
    According,
}

/// A reporting verb: first and last token index.
#[derive(Debug, Clone, Copy)]
struct Verb {
    first: usize,
    last: usize,
    kind: VerbKind,
}

/// The text, its Person/Organization mentions and the entities.
struct Ctx<'t, 'a> {
    body: &'t Text<'a>,
    entities: &'t [Entity],
    /// Sorted by start.
    named: Vec<Named>,
    /// The longest mention, in characters: a mention starting more than
    /// this before a position cannot reach it.
    longest: usize,
}

impl<'t, 'a> Ctx<'t, 'a> {
    fn new(body: &'t Text<'a>, entities: &'t [Entity], raws: &[RawQuote]) -> Ctx<'t, 'a> {
        let mut named = Vec::new();
        for (ei, e) in entities.iter().enumerate() {
            let person = e.entity_type == EntityType::Person;
            if !person && e.entity_type != EntityType::Organization {
                continue;
            }
            for m in e.mentions.iter().filter(|m| m.start < m.end) {
                let k = raws.partition_point(|q| body.char_offset(q.start) <= m.start);
                let in_quote = k > 0 && m.end <= body.char_offset(raws[k - 1].end);
                named.push(Named {
                    start: m.start,
                    end: m.end,
                    entity: ei,
                    person,
                    in_quote,
                });
            }
        }
        named.sort_by_key(|n| n.start);
        let longest = named.iter().map(|n| n.end - n.start).max().unwrap_or(0);
        Ctx {
            body,
            entities,
            named,
            longest,
        }
    }

    /// `Putin's …`: the mention is a possessor, not the head of its phrase.
    fn is_possessive(&self, n: &Named) -> bool {
        let src = self.body.src;
        let end = self.body.byte_offset(n.end).min(src.len());
        let start = self.body.byte_offset(n.start).min(end);
        let (text, after) = (&src[start..end], &src[end..]);
        ["'s", "’s"]
            .iter()
            .any(|s| text.ends_with(s) || after.starts_with(s))
    }

    fn tok(&self, i: usize) -> &'a str {
        self.body.token_str(i)
    }

    /// A word token (starts with a letter or digit), not punctuation.
    fn is_word(&self, i: usize) -> bool {
        self.tok(i)
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric)
    }

    /// Tokens starting in `a..b`, as an index range.
    fn token_range(&self, a: usize, b: usize) -> (usize, usize) {
        let i = self.body.token_at_or_after(a);
        (i, self.body.token_at_or_after(b).max(i))
    }

    /// True when token `i` touches token `i - 1` (no space between).
    fn attached_to_prev(&self, i: usize) -> bool {
        i > 0 && self.body.tokens[i - 1].end == self.body.tokens[i].start
    }

    /// A `.`, `!` or `?` that ends a sentence (not the period of `U.S.`,
    /// `Mr.` or an initial).
    fn is_sentence_end(&self, i: usize) -> bool {
        match self.tok(i) {
            "!" | "?" => true,
            "." => !(self.attached_to_prev(i) && is_abbreviation_like(self.tok(i - 1))),
            _ => false,
        }
    }

    /// Punctuation inside a name: the hyphen of `al-Assad`, the period of `U.S.`.
    fn joins_name(&self, i: usize, end: usize) -> bool {
        match self.tok(i) {
            "-" | "'" | "’" => {
                self.attached_to_prev(i) && i + 1 < end && self.attached_to_prev(i + 1)
            }
            "." => self.attached_to_prev(i) && is_abbreviation_like(self.tok(i - 1)),
            _ => false,
        }
    }

    /// The reporting verb starting at token `i` (tokens end at `end`).
    fn verb_at(&self, i: usize, end: usize) -> Option<Verb> {
        let w = self.tok(i);
        // "so-called" is not a reporting verb.
        if i > 0 && self.attached_to_prev(i) && self.tok(i - 1) == "-" {
            return None;
        }
        if let Some(kind) = verb_kind(w) {
            return Some(Verb {
                first: i,
                last: i,
                kind,
            });
        }
        if w.eq_ignore_ascii_case("according") && i + 1 < end && self.tok(i + 1) == "to" {
            return Some(Verb {
                first: i,
                last: i + 1,
                kind: VerbKind::According,
            });
        }
        None
    }

    /// Reporting verbs in tokens `i..end` that are not inside a `, who …,`
    /// clause, in order.
    fn verbs(&self, i: usize, end: usize) -> impl Iterator<Item = Verb> + '_ {
        let mut in_relative = false;
        (i..end).filter_map(move |j| {
            let w = self.tok(j);
            if w == "," {
                in_relative = false;
            } else if j > i && self.tok(j - 1) == "," && in_list(w, RELATIVE) {
                in_relative = true;
            }
            if in_relative {
                None
            } else {
                self.verb_at(j, end)
            }
        })
    }

    /// Attribution of quote `i` from its own sentence, and whether the quote
    /// stands alone there (no words outside quotations in its sentence).
    fn direct(
        &self,
        raws: &[RawQuote],
        paragraphs: &[(usize, usize)],
        i: usize,
    ) -> (Outcome, bool) {
        let q = &raws[i];
        let (ps, pe) = paragraphs[q.para];
        let prev = i
            .checked_sub(1)
            .map(|k| &raws[k])
            .filter(|r| r.para == q.para);
        let next = raws.get(i + 1).filter(|r| r.para == q.para);
        let sentence = |b: usize| self.body.sentences.get(self.body.sentence_of(b)).copied();

        let mut pre_start = ps.max(sentence(q.open).map_or(ps, |s| s.0));
        if let Some(p) = prev {
            pre_start = pre_start.max(p.close_end);
        }
        let pre_start = pre_start.min(q.open);
        let mut post_end = pe.min(sentence(q.close_end.saturating_sub(1)).map_or(pe, |s| s.1));
        if let Some(n) = next {
            post_end = post_end.min(n.open);
        }
        let post_end = post_end.max(q.close_end);

        let (pre_i, pre_j) = self.token_range(pre_start, q.open);
        let (post_i, post_j) = self.token_range(q.close_end, post_end);
        let alone =
            !(pre_i..pre_j).any(|k| self.is_word(k)) && !(post_i..post_j).any(|k| self.is_word(k));

        if q.closed {
            if let Some(o) = self.after_quote(post_i, post_j) {
                return (o, alone);
            }
        }
        (self.before_quote(pre_i, pre_j), alone)
    }

    /// `"…," X said` / `"…," said X` / `"…," according to X`, over tokens
    /// `i..end` after the closing mark.
    fn after_quote(&self, mut i: usize, end: usize) -> Option<Outcome> {
        let end = (i..end).find(|&k| self.is_sentence_end(k)).unwrap_or(end);
        while i < end && matches!(self.tok(i), "," | "—" | "–") {
            i += 1;
        }
        let limit = end.min(i + MAX_SUBJECT_TOKENS);
        let v = self
            .verbs(i, limit)
            .find(|v| v.kind != VerbKind::Participle)?;
        if v.first == i || v.kind == VerbKind::According {
            if v.first != i {
                return None;
            }
            return Some(self.speaker_after(v, end));
        }
        if !self.can_start_subject(i) {
            return None;
        }
        Some(self.subject_before(i, v))
    }

    /// `X said: "…"` / `According to X, "…"` / `X called it a "…"`, over
    /// tokens `i..end` before the opening mark.
    fn before_quote(&self, i: usize, end: usize) -> Outcome {
        let i = (i..end)
            .rev()
            .find(|&k| self.is_sentence_end(k))
            .map_or(i, |k| k + 1);
        let Some(v) = self.verbs(i, end).last() else {
            return Outcome::Nothing;
        };
        match v.kind {
            VerbKind::According => self.speaker_after(v, end),
            VerbKind::Finite => self.subject_before(i, v),
            VerbKind::Participle => match self.clause_subject(i, v.first) {
                Some(speaker) => Outcome::Found(Attribution {
                    speaker,
                    verb: self.verb_text(v),
                }),
                None => Outcome::ContinuePrevious,
            },
        }
    }

    /// The verb as written (`told`, `according to`).
    fn verb_text(&self, v: Verb) -> String {
        let t = &self.body.tokens;
        self.body.src[t[v.first].start..t[v.last].end].to_owned()
    }

    /// Can token `i` open the subject of a reporting clause after a quote?
    /// A capitalised word, a determiner or a pronoun; not `and`, `but`, ….
    fn can_start_subject(&self, i: usize) -> bool {
        let w = self.tok(i);
        w.chars().next().is_some_and(char::is_uppercase)
            || in_list(w, DETERMINERS)
            || in_list(w, PRONOUNS)
            || in_list(w, OTHER_PRONOUNS)
    }

    /// The speaker named before verb `v`, in tokens `i..v.first`: the comma
    /// segment nearest the verb, or the bare name before an appositive.
    fn subject_before(&self, i: usize, v: Verb) -> Outcome {
        let (mut last, mut before) = (None, None);
        let mut seg_start = i;
        for k in i..=v.first {
            let boundary =
                k == v.first || matches!(self.tok(k), "," | ";" | ":" | "(" | ")" | "—" | "–");
            if !boundary {
                continue;
            }
            if seg_start < k && !in_list(self.tok(seg_start), RELATIVE) {
                before = last;
                last = Some((seg_start, k));
            }
            seg_start = k + 1;
        }
        let Some(mut seg) = last else {
            return Outcome::Unresolved;
        };
        if let Some(b) = before {
            let is_pronoun =
                in_list(self.tok(seg.0), PRONOUNS) || in_list(self.tok(seg.0), OTHER_PRONOUNS);
            if !is_pronoun && self.head_named(seg).is_none() && self.is_bare_name(b) {
                seg = b;
            }
        }
        let phrase = self.phrase_before(seg.0, seg.1);
        self.outcome(phrase, Some(seg), v)
    }

    /// The speaker after `said` / `according to`, up to a comma, a relative
    /// pronoun, a preposition or punctuation.
    fn speaker_after(&self, v: Verb, end: usize) -> Outcome {
        let s = v.last + 1;
        let mut m = s;
        while m < end && m - s < MAX_PHRASE_TOKENS {
            let ok = if self.is_word(m) {
                !in_list(self.tok(m), STOP_WORDS) && self.verb_at(m, end).is_none()
            } else {
                self.joins_name(m, end)
            };
            if !ok {
                break;
            }
            m += 1;
        }
        self.outcome((s, m), None, v)
    }

    /// The noun phrase ending segment `s..e`, read backwards after skipping
    /// adverbs and time words; as a token range (empty when there is none).
    fn phrase_before(&self, s: usize, e: usize) -> (usize, usize) {
        let mut k = e;
        while k > s && in_list(self.tok(k - 1), SKIP_BEFORE_VERB) {
            k -= 1;
        }
        let mut m = k;
        while m > s && k - m < MAX_PHRASE_TOKENS {
            let t = m - 1;
            let w = self.tok(t);
            if !self.is_word(t) {
                if self.joins_name(t, e) {
                    m = t;
                    continue;
                }
                break;
            }
            if in_list(w, STOP_WORDS) {
                break;
            }
            m = t;
            if in_list(w, DETERMINERS) {
                if m > s && in_list(self.tok(m - 1), &["of", "for"]) {
                    m -= 1;
                    continue;
                }
                break;
            }
        }
        (m, k)
    }

    /// Is segment `seg` nothing but a name (an appositive's head)?
    fn is_bare_name(&self, seg: (usize, usize)) -> bool {
        let phrase = self.phrase_before(seg.0, seg.1);
        phrase.0 == seg.0 && phrase.0 < phrase.1 && self.head_named(seg).is_some()
    }

    /// Byte span of tokens `s..e` (non-empty).
    fn bytes(&self, (s, e): (usize, usize)) -> (usize, usize) {
        (self.body.tokens[s].start, self.body.tokens[e - 1].end)
    }

    /// The first non-possessive Person/Organization mention overlapping
    /// tokens `s..e`.
    fn head_named(&self, seg: (usize, usize)) -> Option<Named> {
        if seg.0 >= seg.1 {
            return None;
        }
        let (a, b) = self.bytes(seg);
        let (a, b) = (self.body.char_offset(a), self.body.char_offset(b));
        // Only mentions starting in `a - longest .. b` can overlap: a binary
        // search instead of a scan from the first mention of the article.
        let from = self.named.partition_point(|n| n.start + self.longest <= a);
        self.named[from..]
            .iter()
            .take_while(|n| n.start < b)
            .find(|n| a < n.end && !self.is_possessive(n))
            .copied()
    }

    /// Speaker of the phrase at tokens `phrase` (inside segment `seg`, when
    /// given), introduced by verb `v`.
    fn outcome(&self, phrase: (usize, usize), seg: Option<(usize, usize)>, v: Verb) -> Outcome {
        match self.speaker(phrase, seg) {
            Some(speaker) => Outcome::Found(Attribution {
                speaker,
                verb: self.verb_text(v),
            }),
            None => Outcome::Unresolved,
        }
    }

    /// The entity the phrase (or its segment) names, a resolved pronoun, or
    /// the phrase as written.
    fn speaker(&self, phrase: (usize, usize), seg: Option<(usize, usize)>) -> Option<Speaker> {
        if phrase.0 >= phrase.1 {
            return None;
        }
        if let Some(n) = self
            .head_named(phrase)
            .or_else(|| seg.and_then(|s| self.head_named(s)))
        {
            return Some(self.entity_speaker(n.entity));
        }
        if phrase.1 - phrase.0 == 1 {
            let w = self.tok(phrase.0);
            if in_list(w, PRONOUNS) {
                let at = self.body.tokens[phrase.0].start;
                return self.resolve_pronoun(at).map(|e| self.entity_speaker(e));
            }
            if in_list(w, OTHER_PRONOUNS) {
                return None;
            }
        }
        let (a, b) = self.bytes(phrase);
        let text = &self.body.src[a..b];
        text.chars().any(char::is_alphabetic).then(|| Speaker {
            name: text.to_owned(),
            entity_id: None,
        })
    }

    /// The subject of a participle clause (`He welcomed it, calling …`): a
    /// leading pronoun or the first named Person/Organization in `i..e`.
    fn clause_subject(&self, i: usize, e: usize) -> Option<Speaker> {
        if i >= e {
            return None;
        }
        if in_list(self.tok(i), PRONOUNS) {
            let at = self.body.tokens[i].start;
            return self.resolve_pronoun(at).map(|x| self.entity_speaker(x));
        }
        self.head_named((i, e))
            .map(|n| self.entity_speaker(n.entity))
    }

    /// The entity of the nearest Person mention before byte `at`, outside quotations.
    fn resolve_pronoun(&self, at: usize) -> Option<usize> {
        let at = self.body.char_offset(at);
        let k = self.named.partition_point(|n| n.start < at);
        self.named[..k]
            .iter()
            .rev()
            .find(|n| n.person && !n.in_quote && n.end <= at)
            .map(|n| n.entity)
    }

    fn entity_speaker(&self, e: usize) -> Speaker {
        let e = &self.entities[e];
        Speaker {
            name: e.name.clone(),
            entity_id: Some(e.id.clone()),
        }
    }
}

/// A token that a period belongs to: `U.S`, an initial, `Mr`.
fn is_abbreviation_like(w: &str) -> bool {
    w.contains('.')
        || (w.chars().count() == 1 && w.chars().all(char::is_uppercase))
        || is_abbreviation_word(w)
}

/// Turns outcomes into attributions; `…, adding: "…"` takes the previous
/// quotation's speaker in the same paragraph.
fn resolve_continue_previous(raws: &[RawQuote], found: Vec<Outcome>) -> Vec<Option<Attribution>> {
    let mut out: Vec<Option<Attribution>> = Vec::with_capacity(found.len());
    for (i, o) in found.into_iter().enumerate() {
        let a = match o {
            Outcome::Found(a) => Some(a),
            Outcome::ContinuePrevious if i > 0 && raws[i - 1].para == raws[i].para => {
                out[i - 1].clone()
            }
            _ => None,
        };
        out.push(a);
    }
    out
}

/// The segments of a continued quote (linked by `continues_prev`) share the
/// first attribution any of them has.
fn share_within_chains(raws: &[RawQuote], attrs: &mut [Option<Attribution>]) {
    let mut s = 0;
    while s < raws.len() {
        let mut e = s + 1;
        while e < raws.len() && raws[e].continues_prev {
            e += 1;
        }
        if let Some(a) = attrs[s..e].iter().flatten().next().cloned() {
            for slot in &mut attrs[s..e] {
                slot.get_or_insert_with(|| a.clone());
            }
        }
        s = e;
    }
}

/// A stand-alone quotation without attribution takes the speaker of the
/// previous attributed quotation in its paragraph, else of the next.
fn share_within_paragraphs(
    raws: &[RawQuote],
    standalone: &[bool],
    attrs: &mut [Option<Attribution>],
) {
    for i in 0..raws.len() {
        if attrs[i].is_some() || !standalone[i] {
            continue;
        }
        let same_para = |k: &usize| raws[*k].para == raws[i].para;
        let prev = (0..i)
            .rev()
            .take_while(same_para)
            .find_map(|k| attrs[k].clone());
        let found = prev.or_else(|| {
            (i + 1..raws.len())
                .take_while(same_para)
                .find_map(|k| attrs[k].clone())
        });
        attrs[i] = found;
    }
}

/// A paragraph of nothing but quotations takes the speaker of the last
/// quotation of the paragraph before it (caption paragraphs skipped).
fn share_across_paragraphs(
    ctx: &Ctx<'_, '_>,
    raws: &[RawQuote],
    paragraphs: &[(usize, usize)],
    masked: &Masks,
    attrs: &mut [Option<Attribution>],
) {
    // The last quotation of the latest non-caption paragraph (None when
    // that paragraph has no quotation).
    let mut last: Option<usize> = None;
    let mut i = 0;
    for (p, &(ps, pe)) in paragraphs.iter().enumerate() {
        let first = i;
        while i < raws.len() && raws[i].para == p {
            i += 1;
        }
        if first == i {
            if !masked.hits(Span::new(ps, pe)) {
                last = None;
            }
            continue;
        }
        if let Some(a) = last.and_then(|k| attrs[k].clone()) {
            if only_quotes(ctx, &raws[first..i], ps, pe) {
                for slot in &mut attrs[first..i] {
                    slot.get_or_insert_with(|| a.clone());
                }
            }
        }
        last = Some(i - 1);
    }
}

/// True when paragraph `ps..pe` has no words outside its quotations `qs`.
fn only_quotes(ctx: &Ctx<'_, '_>, qs: &[RawQuote], ps: usize, pe: usize) -> bool {
    let mut at = ps;
    for q in qs.iter().map(|q| (q.open, q.close_end)).chain([(pe, pe)]) {
        let (i, j) = ctx.token_range(at, q.0);
        if (i..j).any(|k| ctx.is_word(k)) {
            return false;
        }
        at = q.1;
    }
    true
}

/// The output quotes: unattributed short ones (scare quotes) dropped.
fn emit(body: &Text<'_>, raws: &[RawQuote], attrs: Vec<Option<Attribution>>) -> Vec<Quote> {
    raws.iter()
        .zip(attrs)
        .filter_map(|(q, a)| {
            let text = &body.src[q.start..q.end];
            let words = text
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphanumeric));
            if a.is_none() && words.take(SCARE_QUOTE_WORDS + 1).count() <= SCARE_QUOTE_WORDS {
                return None;
            }
            let (speaker, verb) = match a {
                Some(a) => (Some(a.speaker), Some(a.verb)),
                None => (None, None),
            };
            Some(Quote {
                text: text.to_owned(),
                start: body.char_offset(q.start),
                end: body.char_offset(q.end),
                speaker,
                verb,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::Mention;

    /// A test entity with a mention at every word-bounded occurrence of each
    /// surface form (longer forms first; overlaps skipped).
    fn entity(src: &str, id: &str, name: &str, t: EntityType, forms: &[&str]) -> Entity {
        let text = Text::new(src);
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for f in forms {
            for (b, _) in src.match_indices(f) {
                let e = b + f.len();
                if super::super::text::on_word_boundaries(src, b, e)
                    && !spans.iter().any(|&(s, x)| b < x && s < e)
                {
                    spans.push((b, e));
                }
            }
        }
        spans.sort_unstable();
        Entity {
            id: id.into(),
            name: name.into(),
            entity_type: t,
            mentions: spans
                .iter()
                .map(|&(s, e)| Mention {
                    start: text.char_offset(s),
                    end: text.char_offset(e),
                    text: src[s..e].into(),
                })
                .collect(),
            salience: 1.0,
            geo: None,
            tone: 0.0,
        }
    }

    /// The cast of the test sentences.
    fn cast(src: &str) -> Vec<Entity> {
        use EntityType::*;
        vec![
            entity(
                src,
                "Q1",
                "Yuri Ushakov",
                Person,
                &["Yuri Ushakov", "Ushakov"],
            ),
            entity(
                src,
                "Q2",
                "Vladimir Putin",
                Person,
                &["Vladimir Putin", "Putin"],
            ),
            entity(
                src,
                "Q3",
                "Tayyip Erdogan",
                Person,
                &["Tayyip Erdogan", "Erdogan"],
            ),
            entity(
                src,
                "Q4",
                "Ali Khamenei",
                Person,
                &["Ali Khamenei", "Khamenei"],
            ),
            entity(src, "Q5", "Kremlin", Organization, &["Kremlin"]),
            entity(src, "Q6", "Tehran", Location, &["Tehran"]),
            entity(
                src,
                "Q7",
                "Maria Zakharova",
                Person,
                &["Maria Zakharova", "Zakharova"],
            ),
        ]
    }

    fn quotes(src: &str) -> Vec<Quote> {
        quotes_masked(src, &Masks::none())
    }

    fn quotes_masked(src: &str, masks: &Masks) -> Vec<Quote> {
        let t = Text::new(src);
        let q = find_quotes(&t, masks, &cast(src));
        check_offsets(src, &q);
        q
    }

    fn check_offsets(src: &str, q: &[Quote]) {
        let n = src.chars().count();
        for x in q {
            assert!(x.start < x.end && x.end <= n, "{x:?} in {src:?}");
            let slice: String = src.chars().skip(x.start).take(x.end - x.start).collect();
            assert_eq!(slice, x.text, "{src:?}");
        }
    }

    /// (text, speaker name, entity id, verb) of a quote.
    type Summary = (String, Option<String>, Option<String>, Option<String>);

    /// The [`Summary`] of each quote.
    fn summary(q: &[Quote]) -> Vec<Summary> {
        q.iter()
            .map(|x| {
                (
                    x.text.clone(),
                    x.speaker.as_ref().map(|s| s.name.clone()),
                    x.speaker.as_ref().and_then(|s| s.entity_id.clone()),
                    x.verb.clone(),
                )
            })
            .collect()
    }

    /// The single quote of `src` must be `text` by `speaker` (`id`) with `verb`.
    #[track_caller]
    fn assert_one(
        src: &str,
        text: &str,
        speaker: Option<&str>,
        id: Option<&str>,
        verb: Option<&str>,
    ) {
        let q = quotes(src);
        let got = summary(&q);
        let want = vec![(
            text.to_owned(),
            speaker.map(str::to_owned),
            id.map(str::to_owned),
            verb.map(str::to_owned),
        )];
        assert_eq!(got, want, "{src:?}");
    }

    #[test]
    fn straight_and_curly_marks() {
        assert_one(
            "\"We will meet again soon,\" Putin said.",
            "We will meet again soon",
            Some("Vladimir Putin"),
            Some("Q2"),
            Some("said"),
        );
        assert_one(
            "“We will meet again soon,” Putin said.",
            "We will meet again soon",
            Some("Vladimir Putin"),
            Some("Q2"),
            Some("said"),
        );
        // Mixed marks still pair.
        assert_one(
            "“We will meet again soon,\" Putin said.",
            "We will meet again soon",
            Some("Vladimir Putin"),
            Some("Q2"),
            Some("said"),
        );
    }

    #[test]
    fn a_quote_can_span_sentences_but_not_paragraphs() {
        assert_one(
            "\"The talks went well. We agreed on grain. More will follow,\" Erdogan said.",
            "The talks went well. We agreed on grain. More will follow",
            Some("Tayyip Erdogan"),
            Some("Q3"),
            Some("said"),
        );
        // An unclosed mark does not swallow the next paragraph.
        let q = quotes(
            "He said \"we are ready for anything now\n\nThe talks ended late on Tuesday evening.",
        );
        assert!(q.is_empty(), "{q:?}");
    }

    #[test]
    fn speaker_before_the_verb() {
        let cases = [
            ("\"The grain deal is close now,\" Erdogan said.", "said"),
            (
                "\"The grain deal is close now,\" Erdogan told reporters.",
                "told",
            ),
            (
                "\"The grain deal is close now,\" Erdogan told Putin.",
                "told",
            ),
            (
                "\"The grain deal is close now,\" Erdogan said on Tuesday.",
                "said",
            ),
            (
                "\"The grain deal is close now,\" Erdogan on Tuesday said.",
                "said",
            ),
            (
                "\"The grain deal is close now,\" Erdogan also told reporters in Tehran.",
                "told",
            ),
            (
                "\"The grain deal is close now,\" Erdogan, who arrived on Monday, said.",
                "said",
            ),
            (
                "\"The grain deal is close now,\" Erdogan, who said little else, added.",
                "added",
            ),
        ];
        for (src, verb) in cases {
            assert_one(
                src,
                "The grain deal is close now",
                Some("Tayyip Erdogan"),
                Some("Q3"),
                Some(verb),
            );
        }
    }

    #[test]
    fn speaker_after_the_verb() {
        assert_one(
            "\"The grain deal is close now,\" said Erdogan.",
            "The grain deal is close now",
            Some("Tayyip Erdogan"),
            Some("Q3"),
            Some("said"),
        );
        assert_one(
            "\"The grain deal is close now,\" according to Erdogan.",
            "The grain deal is close now",
            Some("Tayyip Erdogan"),
            Some("Q3"),
            Some("according to"),
        );
        assert_one(
            "According to Erdogan, \"the grain deal is close now.\"",
            "the grain deal is close now.",
            Some("Tayyip Erdogan"),
            Some("Q3"),
            Some("According to"),
        );
        assert_one(
            "\"The grain deal is close now,\" said a senior Turkish official, who asked not to be named.",
            "The grain deal is close now",
            Some("a senior Turkish official"),
            None,
            Some("said"),
        );
    }

    #[test]
    fn colon_form() {
        assert_one(
            "Khamenei told Erdogan: \"Any attack will harm the region.\"",
            "Any attack will harm the region.",
            Some("Ali Khamenei"),
            Some("Q4"),
            Some("told"),
        );
        assert_one(
            "On Tuesday, Ushakov said: \"Our positions are close.\"",
            "Our positions are close.",
            Some("Yuri Ushakov"),
            Some("Q1"),
            Some("said"),
        );
    }

    #[test]
    fn other_reporting_verbs_are_kept_as_written() {
        for verb in [
            "added",
            "says",
            "stated",
            "warned",
            "noted",
            "explained",
            "wrote",
            "asked",
            "insisted",
            "declared",
            "announced",
            "replied",
            "continued",
            "urged",
            "argued",
        ] {
            let src = format!("\"The sanctions will not break us,\" Zakharova {verb}.");
            assert_one(
                &src,
                "The sanctions will not break us",
                Some("Maria Zakharova"),
                Some("Q7"),
                Some(verb),
            );
        }
    }

    #[test]
    fn organisation_and_unnamed_speakers() {
        assert_one(
            "\"The visit will take two days,\" the Kremlin said.",
            "The visit will take two days",
            Some("Kremlin"),
            Some("Q5"),
            Some("said"),
        );
        assert_one(
            "\"The visit will take two days,\" a senior Iranian official said.",
            "The visit will take two days",
            Some("a senior Iranian official"),
            None,
            Some("said"),
        );
        assert_one(
            "\"The visit will take two days,\" the head of the agency told reporters.",
            "The visit will take two days",
            Some("the head of the agency"),
            None,
            Some("told"),
        );
        // A place is not a speaker entity: the phrase is kept as written.
        assert_one(
            "\"The visit will take two days,\" Tehran said.",
            "The visit will take two days",
            Some("Tehran"),
            None,
            Some("said"),
        );
    }

    #[test]
    fn appositive_names_the_first_person() {
        assert_one(
            "\"The contact is very important,\" Yuri Ushakov, Putin's foreign policy adviser, told reporters.",
            "The contact is very important",
            Some("Yuri Ushakov"),
            Some("Q1"),
            Some("told"),
        );
        assert_one(
            "Yuri Ushakov, Putin's foreign policy adviser, told reporters: \"The contact is very important.\"",
            "The contact is very important.",
            Some("Yuri Ushakov"),
            Some("Q1"),
            Some("told"),
        );
        // The named person nearest the verb wins over an earlier one.
        assert_one(
            "\"The contact is very important,\" Putin's adviser, Yuri Ushakov, told reporters.",
            "The contact is very important",
            Some("Yuri Ushakov"),
            Some("Q1"),
            Some("told"),
        );
        // A possessor alone is not the speaker.
        assert_one(
            "\"The contact is very important,\" Putin's adviser said.",
            "The contact is very important",
            Some("Putin's adviser"),
            None,
            Some("said"),
        );
    }

    #[test]
    fn pronouns_take_the_nearest_earlier_person() {
        let src = "Putin met Erdogan in Tehran.\n\n\"We talked about grain and Syria,\" he said.";
        assert_eq!(
            summary(&quotes(src)),
            vec![(
                "We talked about grain and Syria".into(),
                Some("Tayyip Erdogan".into()),
                Some("Q3".into()),
                Some("said".into())
            )]
        );
        // A person named inside the quote is not the pronoun's antecedent.
        let src = "Ushakov spoke in Moscow. \"The contact with Khamenei is vital,\" he said.";
        assert_eq!(
            quotes(src)[0].speaker.as_ref().unwrap().name,
            "Yuri Ushakov"
        );
        // No one to resolve to: no speaker, no verb.
        assert_one(
            "\"The contact is very important for us,\" he said.",
            "The contact is very important for us",
            None,
            None,
            None,
        );
    }

    #[test]
    fn partial_quotes_with_a_reporting_verb() {
        assert_one(
            "Erdogan called the deal a \"historic step\" for the region.",
            "historic step",
            Some("Tayyip Erdogan"),
            Some("Q3"),
            Some("called"),
        );
        assert_one(
            "Ushakov said the talks were \"very productive\".",
            "very productive",
            Some("Yuri Ushakov"),
            Some("Q1"),
            Some("said"),
        );
        assert_one(
            "The deal was a \"historic step\", Erdogan said.",
            "historic step",
            Some("Tayyip Erdogan"),
            Some("Q3"),
            Some("said"),
        );
        assert_one(
            "Erdogan welcomed the deal, calling it \"a historic step\".",
            "a historic step",
            Some("Tayyip Erdogan"),
            Some("Q3"),
            Some("calling"),
        );
    }

    #[test]
    fn scare_quotes_are_not_quotes() {
        let src = "Erdogan has threatened to extend 30-km deep \"safe zones\" along the border.";
        assert!(quotes(src).is_empty());
        // "so-called" is not a reporting verb.
        assert!(quotes("They built so-called \"safe zones\" there.").is_empty());
    }

    #[test]
    fn unattributed_long_quotes_have_no_speaker() {
        assert_one(
            "The banner read \"no war in our region ever again\" in red.",
            "no war in our region ever again",
            None,
            None,
            None,
        );
    }

    #[test]
    fn speaker_carries_over_within_a_paragraph() {
        let src = "\"The contact is important,\" Ushakov told reporters. \"A dialog has developed between them.\"";
        let q = summary(&quotes(src));
        assert_eq!(q.len(), 2, "{q:?}");
        assert_eq!(q[1].0, "A dialog has developed between them.");
        assert_eq!(q[1].2.as_deref(), Some("Q1"));
        assert_eq!(q[1].3.as_deref(), Some("told"));
        // The next quote's speaker, when none comes before.
        let src = "\"We came here in peace.\" \"We leave in peace,\" Putin said.";
        let q = summary(&quotes(src));
        assert_eq!(q[0].2.as_deref(), Some("Q2"), "{q:?}");
        // "…, adding: …" continues the speaker.
        let src = "\"We came in peace,\" Putin said, adding: \"We also leave in peace.\"";
        let q = summary(&quotes(src));
        assert_eq!(q[1].2.as_deref(), Some("Q2"), "{q:?}");
        assert_eq!(q[1].3.as_deref(), Some("adding"), "{q:?}");
    }

    #[test]
    fn quote_only_paragraph_continues_the_previous_speaker() {
        let src = "\"The contact is important,\" Ushakov told reporters.\n\n\"On most issues, our positions are close.\"\n\nThe talks ended late. \"Nobody here wants a long war.\"";
        let q = summary(&quotes(src));
        assert_eq!(q.len(), 3, "{q:?}");
        assert_eq!(q[1].0, "On most issues, our positions are close.");
        assert_eq!(q[1].2.as_deref(), Some("Q1"));
        assert_eq!(q[1].3.as_deref(), Some("told"));
        // Not a quote-only paragraph: no carry-over.
        assert_eq!(q[2].1, None, "{q:?}");
        // A caption paragraph in between is skipped.
        let src = "\"The contact is important,\" Ushakov told reporters.\n\nPutin meets Khamenei in Tehran. (credit: REUTERS)\n\n\"Our positions are close on most issues.\"";
        let cap = src.find("Putin meets").unwrap();
        let cap_end = src.find(")\n").unwrap() + 1;
        let q = summary(&quotes_masked(src, &Masks::new([Span::new(cap, cap_end)])));
        assert_eq!(q[1].2.as_deref(), Some("Q1"), "{q:?}");
        // A previous paragraph without quotes breaks the chain.
        let src = "\"The contact is important,\" Ushakov told reporters.\n\nThe talks ended.\n\n\"Our positions are close on most issues.\"";
        let q = summary(&quotes(src));
        assert_eq!(q[1].1, None, "{q:?}");
    }

    #[test]
    fn continued_quote_across_paragraphs() {
        let src = "\"The grain deal is close,\" Erdogan said. \"We worked on it for months\n\n\"and it will be signed this week in Istanbul.\"";
        let q = summary(&quotes(src));
        assert_eq!(q.len(), 3, "{q:?}");
        assert_eq!(q[1].0, "We worked on it for months");
        assert_eq!(q[2].0, "and it will be signed this week in Istanbul.");
        assert!(q.iter().all(|x| x.2.as_deref() == Some("Q3")), "{q:?}");
        // The attribution can come in the last segment.
        let src = "\"We worked on the deal for many months\n\n\"and it will be signed this week,\" Erdogan said.";
        let q = summary(&quotes(src));
        assert_eq!(q.len(), 2, "{q:?}");
        assert!(q.iter().all(|x| x.2.as_deref() == Some("Q3")), "{q:?}");
    }

    #[test]
    fn masked_quotes_are_skipped() {
        let src = "Caption: \"We will meet again soon,\" Putin said.";
        let q = quotes_masked(src, &Masks::new([Span::new(0, src.len())]));
        assert!(q.is_empty());
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for src in [
            "",
            "\"",
            "“",
            "”",
            "\"\"",
            "“”",
            "said \"",
            "\" said",
            "\"a,\" said",
            "\"a long quote with enough words,\" said",
            "\"a long quote with enough words,\" according to",
            "\"a long quote with enough words,\" he",
            "abc \"def \"ghi\" jkl\" mno \"",
            "\n\n\"\n\n\"\n\n",
            "“unclosed quote that goes on and on\n\n“",
            "” backwards quotes here “",
            "\u{e2}\"é\"€“”\"",
        ] {
            quotes(src);
        }
    }

    /// Runs over every prefix and many slices of a text (at char
    /// boundaries): no panic, offsets valid, text equal to the body slice.
    #[test]
    fn fuzz_prefixes_and_slices() {
        let src = "Putin met Erdogan. \"The grain deal is close,\" he said. “We worked, and worked\n\n“and it’s done,” Erdogan told Putin.\n\nUshakov said the talks were \"very productive\" and \"a good step for all of us\". \"Don't \"nest\" quotes,\" said a U.S. official, who asked not to be named: \"never\"!\n\n\"";
        let bounds: Vec<usize> = src
            .char_indices()
            .map(|(i, _)| i)
            .chain([src.len()])
            .collect();
        for (k, &a) in bounds.iter().enumerate() {
            for &b in bounds[k..].iter().step_by(7).chain([&src.len()]) {
                let s = &src[a..b];
                let q = quotes(s);
                // Masks over a part of the slice.
                let m = Masks::new([Span::new(s.len() / 3, s.len() / 2)]);
                let t = Text::new(s);
                let qm = find_quotes(&t, &m, &cast(s));
                check_offsets(s, &qm);
                assert!(q.len() <= 8, "{s:?}");
            }
        }
    }

    #[test]
    fn seed_article_quotes() {
        let article = crate::decode::decode(
            crate::fixtures::SEED_ARTICLE.as_bytes(),
            Some(b"seed"),
            1 << 20,
        )
        .unwrap();
        let enriched = crate::enrich::Enricher::embedded()
            .unwrap()
            .enrich(&article);
        let q = &enriched.quotes;
        check_offsets(&enriched.body, q);
        let shown = format!("{:#?}", summary(q));
        let find = |prefix: &str| {
            q.iter()
                .find(|x| x.text.starts_with(prefix))
                .unwrap_or_else(|| panic!("no quote starting {prefix:?}; quotes: {shown}"))
        };
        let id_of = |surname: &str| {
            enriched
                .entities
                .iter()
                .find(|e| e.name.ends_with(surname) && e.entity_type == EntityType::Person)
                .map(|e| e.id.clone())
                .unwrap_or_else(|| panic!("no entity {surname}"))
        };
        let expect = |prefix: &str, name: &str, id: Option<String>, verb: &str| {
            let x = find(prefix);
            let s = x
                .speaker
                .as_ref()
                .unwrap_or_else(|| panic!("{prefix:?} has no speaker; quotes: {shown}"));
            assert!(
                s.name.ends_with(name),
                "{prefix:?}: speaker {s:?}; quotes: {shown}"
            );
            assert_eq!(s.entity_id, id, "{prefix:?}; quotes: {shown}");
            assert_eq!(x.verb.as_deref(), Some(verb), "{prefix:?}; quotes: {shown}");
        };
        let ushakov = Some(id_of("Ushakov"));
        expect(
            "The contact with Khamenei is very important",
            "Yuri Ushakov",
            ushakov.clone(),
            "told",
        );
        expect(
            "A trusting dialog has developed between them",
            "Yuri Ushakov",
            ushakov.clone(),
            "told",
        );
        expect(
            "On most issues, our positions are close or identical.",
            "Yuri Ushakov",
            ushakov,
            "told",
        );
        expect(
            "Maintaining the territorial integrity of Syria is very important,",
            "Khamenei",
            Some(id_of("Khamenei")),
            "told",
        );
        expect(
            "Considering the evolving geopolitical ties",
            "a senior Iranian official",
            None,
            "said",
        );
        assert_eq!(
            find("The contact with").text,
            "The contact with Khamenei is very important",
            "{shown}"
        );
        assert!(!q.iter().any(|x| x.text.contains("safe zones")), "{shown}");
        assert_eq!(q.len(), 5, "{shown}");
    }
}
