//! The storyline rule language: parsing and the expression tree.
//!
//! ```text
//! expr     := and ( "|" and )*
//! and      := unary ( "&" unary )*
//! unary    := "!" unary | primary
//! primary  := "(" expr ")"
//!           | "\"phrase\""                 case-insensitive, word boundaries,
//!                                          last word inflected (-s, -es, -ed, -ing)
//!           | "@\"Canonical Name\"" | "@id"  an entity of the lexicon
//!           | "type:" (person|organization|location|misc)
//!           | "near(" expr "," expr "," N ")"   within N words
//!           | "sentence(" expr "," expr ")"     in one sentence
//! ```
//! Precedence: `!` binds tighter than `&`, which binds tighter than `|`.

use crate::article::EntityType;

/// A leaf of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Term {
    Phrase(String),
    /// Entity reference as written (name or id); resolved against the lexicon later.
    Entity(String),
    Type(EntityType),
}

impl Term {
    /// The text a weight key uses for this term: the phrase, the entity
    /// reference, or `type:NAME`.
    pub fn key(&self) -> String {
        match self {
            Term::Phrase(p) => p.clone(),
            Term::Entity(e) => e.clone(),
            Term::Type(t) => format!("type:{}", t.as_str()),
        }
    }
}

/// A parsed rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Term(usize),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Near(Box<Expr>, Box<Expr>, usize),
    Sentence(Box<Expr>, Box<Expr>),
}

/// A rule parse error with the character position in the rule text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at character {pos}: {reason}")]
pub struct ParseError {
    pub pos: usize,
    pub reason: String,
}

/// Parses `rule`, appending its distinct terms to `terms` (indices into it
/// are the `Expr::Term` ids).
pub fn parse(rule: &str, terms: &mut Vec<Term>) -> Result<Expr, ParseError> {
    let mut p = Parser {
        chars: rule.chars().collect(),
        pos: 0,
        terms,
    };
    let e = p.expr()?;
    p.ws();
    if p.pos < p.chars.len() {
        return Err(p.err(format!("unexpected {:?}", p.chars[p.pos])));
    }
    Ok(e)
}

struct Parser<'t> {
    chars: Vec<char>,
    pos: usize,
    terms: &'t mut Vec<Term>,
}

impl Parser<'_> {
    fn err(&self, reason: impl Into<String>) -> ParseError {
        ParseError {
            pos: self.pos + 1,
            reason: reason.into(),
        }
    }

    fn ws(&mut self) {
        while self.pos < self.chars.len() && self.chars[self.pos].is_whitespace() {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.ws();
        if self.chars.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), ParseError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.err(format!("expected {c:?}")))
        }
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        let mut items = vec![self.and()?];
        while self.eat('|') {
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap()
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut items = vec![self.unary()?];
        while self.eat('&') {
            items.push(self.unary()?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap()
        } else {
            Expr::And(items)
        })
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.eat('!') {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn term(&mut self, t: Term) -> Expr {
        let id = match self.terms.iter().position(|x| *x == t) {
            Some(i) => i,
            None => {
                self.terms.push(t);
                self.terms.len() - 1
            }
        };
        Expr::Term(id)
    }

    fn quoted(&mut self) -> Result<String, ParseError> {
        self.expect('"')?;
        let start = self.pos;
        while self.pos < self.chars.len() && self.chars[self.pos] != '"' {
            self.pos += 1;
        }
        if self.pos >= self.chars.len() {
            self.pos = start;
            return Err(self.err("unterminated string"));
        }
        let s: String = self.chars[start..self.pos].iter().collect();
        self.pos += 1;
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.is_empty() {
            return Err(self.err("empty phrase"));
        }
        Ok(s)
    }

    fn ident(&mut self) -> String {
        self.ws();
        let start = self.pos;
        while self.pos < self.chars.len()
            && (self.chars[self.pos].is_alphanumeric()
                || matches!(self.chars[self.pos], '_' | '-' | ':' | '.'))
        {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        self.ws();
        match self.chars.get(self.pos) {
            None => Err(self.err("unexpected end of rule")),
            Some('(') => {
                self.pos += 1;
                let e = self.expr()?;
                self.expect(')')?;
                Ok(e)
            }
            Some('"') => {
                let s = self.quoted()?.to_lowercase();
                Ok(self.term(Term::Phrase(s)))
            }
            Some('@') => {
                self.pos += 1;
                let name = if self.chars.get(self.pos) == Some(&'"') {
                    self.quoted()?
                } else {
                    self.ident()
                };
                if name.is_empty() {
                    return Err(self.err("expected an entity name or id after @"));
                }
                Ok(self.term(Term::Entity(name)))
            }
            Some(_) => {
                let at = self.pos;
                let word = self.ident();
                if let Some(t) = word.strip_prefix("type:") {
                    let ty = EntityType::parse(t).ok_or_else(|| ParseError {
                        pos: at + 1,
                        reason: format!(
                            "unknown entity type {t:?} (person|organization|location|misc)"
                        ),
                    })?;
                    return Ok(self.term(Term::Type(ty)));
                }
                match word.as_str() {
                    "near" => {
                        self.expect('(')?;
                        let a = self.expr()?;
                        self.expect(',')?;
                        let b = self.expr()?;
                        self.expect(',')?;
                        let n = self.ident();
                        let n: usize = n.parse().map_err(|_| {
                            self.err(format!("near() distance {n:?} is not a number"))
                        })?;
                        self.expect(')')?;
                        Ok(Expr::Near(Box::new(a), Box::new(b), n))
                    }
                    "sentence" => {
                        self.expect('(')?;
                        let a = self.expr()?;
                        self.expect(',')?;
                        let b = self.expr()?;
                        self.expect(')')?;
                        Ok(Expr::Sentence(Box::new(a), Box::new(b)))
                    }
                    "" => Err(ParseError {
                        pos: at + 1,
                        reason: format!("unexpected {:?}", self.chars[at]),
                    }),
                    w => Err(ParseError {
                        pos: at + 1,
                        reason: format!(
                            "unknown word {w:?}: phrases need double quotes, entities a leading @"
                        ),
                    }),
                }
            }
        }
    }
}

/// Every term of `e` that is not under a `!`: the terms that can be evidence.
pub fn positive_terms(e: &Expr, out: &mut Vec<usize>) {
    match e {
        Expr::Term(t) => out.push(*t),
        Expr::And(v) | Expr::Or(v) => v.iter().for_each(|x| positive_terms(x, out)),
        Expr::Not(_) => {}
        Expr::Near(a, b, _) | Expr::Sentence(a, b) => {
            positive_terms(a, out);
            positive_terms(b, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_precedence_and_functions() {
        let mut terms = Vec::new();
        let e = parse(
            r#""grain deal" | !"wheat" & @"Ukraine" | near("a b", type:person, 5)"#,
            &mut terms,
        )
        .unwrap();
        assert_eq!(
            terms,
            vec![
                Term::Phrase("grain deal".into()),
                Term::Phrase("wheat".into()),
                Term::Entity("Ukraine".into()),
                Term::Phrase("a b".into()),
                Term::Type(EntityType::Person)
            ]
        );
        assert_eq!(
            e,
            Expr::Or(vec![
                Expr::Term(0),
                Expr::And(vec![Expr::Not(Box::new(Expr::Term(1))), Expr::Term(2)]),
                Expr::Near(Box::new(Expr::Term(3)), Box::new(Expr::Term(4)), 5),
            ])
        );
        let mut pos = Vec::new();
        positive_terms(&e, &mut pos);
        assert_eq!(pos, vec![0, 2, 3, 4]);
    }

    #[test]
    fn errors_say_where() {
        let mut t = Vec::new();
        assert_eq!(parse(r#""a" & (grain"#, &mut t).unwrap_err().pos, 8);
        assert!(parse(r#""a" &"#, &mut t)
            .unwrap_err()
            .reason
            .contains("end of rule"));
        assert!(parse(r#""unterminated"#, &mut t)
            .unwrap_err()
            .reason
            .contains("unterminated"));
        assert!(parse("type:planet", &mut t)
            .unwrap_err()
            .reason
            .contains("planet"));
        assert!(parse(r#"near("a", "b", x)"#, &mut t)
            .unwrap_err()
            .reason
            .contains("not a number"));
    }
}
