//! The lexicon: every name the tagger knows, with its canonical id and type.
//!
//! Three sources are merged:
//! - the gazetteer `data/gazetteer/places.tsv`, derived from GeoNames
//!   (countries with their adjectives and demonyms, continents, regions, seas,
//!   US states and cities);
//! - curated people and organisations, `config/entities.toml`;
//! - a list of given names, `config/given_names.txt`, used as evidence that an
//!   unknown capitalised name is a person.
//!
//! All surface forms (names, aliases, adjectives, tickers) compile into one
//! Aho-Corasick automaton, so lookup cost does not grow with the lexicon. When
//! two entries share a surface form the more specific source wins: curated
//! entries, then countries, regions and seas, continents, states, cities (and
//! the more populous city).

use std::collections::{HashMap, HashSet};

use rustc_hash::{FxHashMap, FxHashSet};

use serde::Deserialize;

use crate::article::{EntityType, Geo, GeoFeature};

use super::scan::WordScanner;

/// The lexicon files compiled into the binary, so every mode works without
/// files on disk. Config can point at other files.
/// The header of `places.tsv`.
pub const PLACES_HEADER: &str =
    "id\tname\tkind\tcountry\tpopulation\taliases\tadjectives\tlat\tlon\tadmin1";
/// The header of the first `places.tsv` format, without coordinates.
const PLACES_HEADER_V1: &str = "id\tname\tkind\tcountry\tpopulation\taliases\tadjectives";

pub const DEFAULT_PLACES: &str = include_str!("../../../../data/gazetteer/places.tsv");
pub const DEFAULT_ENTITIES: &str = include_str!("../../../../config/entities.toml");
pub const DEFAULT_GIVEN_NAMES: &str = include_str!("../../../../config/given_names.txt");

/// An error in a lexicon file, naming the file and line or entry.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {location}: {reason}")]
pub struct LexiconError {
    pub file: String,
    pub location: String,
    pub reason: String,
}

/// One known entity.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub name: String,
    pub entity_type: EntityType,
    /// Place kind from the gazetteer (`country`, `city`, …); `None` for curated entries.
    pub place_kind: Option<String>,
    /// Coordinates and facts of a gazetteer place.
    pub geo: Option<Geo>,
    /// Lower number = wins a shared surface form.
    rank: (u8, std::cmp::Reverse<u64>),
}

/// How a surface form refers to its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// The canonical name or an alias.
    Name,
    /// A country adjective or demonym (`Iranian`, `Turks`).
    Adjective,
    /// A stock ticker (`GAZP.MM`); recognised so it is not mistaken for a name.
    Ticker,
}

/// A match of a lexicon surface form in a text, by byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LexMatch {
    pub start: usize,
    pub end: usize,
    pub entry: usize,
    pub surface: Surface,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntitiesFile {
    #[serde(default)]
    entity: Vec<CuratedEntity>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CuratedEntity {
    #[serde(default)]
    id: Option<String>,
    name: String,
    #[serde(rename = "type")]
    entity_type: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    tickers: Vec<String>,
}

/// The compiled lexicon.
pub struct Lexicon {
    pub entries: Vec<Entry>,
    scanner: WordScanner,
    targets: Vec<(usize, Surface)>,
    by_name: FxHashMap<String, usize>,
    by_id: FxHashMap<String, usize>,
    given_names: FxHashSet<String>,
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon")
            .field("entries", &self.entries.len())
            .field("surfaces", &self.targets.len())
            .finish()
    }
}

/// A stable id for an entity that has no external id: type plus normalised name.
pub fn local_id(entity_type: EntityType, name: &str) -> String {
    format!("newsflow:{}:{}", entity_type.as_str(), slug(name))
}

/// Lower-case ASCII-ish slug: letters and digits kept, everything else one `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = fold_char(c);
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Folds common Latin diacritics so `Erdoğan` and `Erdogan` share a slug.
fn fold_char(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ā' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'ē' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'ı' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'ō' => 'o',
        'ú' | 'ù' | 'û' | 'ü' | 'ū' => 'u',
        'ç' | 'č' | 'ć' => 'c',
        'ğ' => 'g',
        'ñ' | 'ń' => 'n',
        'ş' | 'š' | 'ś' => 's',
        'ž' | 'ź' | 'ż' => 'z',
        'ý' | 'ÿ' => 'y',
        'ł' => 'l',
        '’' => '\'',
        c => c,
    }
}

impl Lexicon {
    /// The lexicon built from the files compiled into the binary.
    pub fn embedded() -> Result<Lexicon, LexiconError> {
        Lexicon::from_sources(
            ("data/gazetteer/places.tsv", DEFAULT_PLACES),
            ("config/entities.toml", DEFAULT_ENTITIES),
            ("config/given_names.txt", DEFAULT_GIVEN_NAMES),
        )
    }

    /// Builds a lexicon from `(file name, contents)` pairs; names are used in errors.
    pub fn from_sources(
        places: (&str, &str),
        entities: (&str, &str),
        given_names: (&str, &str),
    ) -> Result<Lexicon, LexiconError> {
        let mut b = Builder::default();
        b.load_entities(entities.0, entities.1)?;
        b.load_places(places.0, places.1)?;
        let given = given_names
            .1
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
        b.finish(given)
    }

    /// Every lexicon match in `text` that sits on word boundaries, overlaps
    /// resolved leftmost-longest.
    pub fn find(&self, text: &str) -> Vec<LexMatch> {
        let mut all: Vec<LexMatch> = Vec::new();
        self.scanner.for_each(text, |start, end, pattern| {
            let (entry, surface) = self.targets[pattern];
            all.push(LexMatch {
                start,
                end,
                entry,
                surface,
            });
        });
        all.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
        let mut out: Vec<LexMatch> = Vec::with_capacity(all.len());
        for m in all {
            if out.last().is_none_or(|last| m.start >= last.end) {
                out.push(m);
            }
        }
        out
    }

    /// Looks an entry up by canonical name (case-insensitive) or id.
    pub fn lookup(&self, name_or_id: &str) -> Option<usize> {
        self.by_id
            .get(name_or_id)
            .or_else(|| self.by_name.get(&name_or_id.to_lowercase()))
            .copied()
    }

    /// True when `word` is a known given name (`Yuri`, `Ebrahim`).
    pub fn is_given_name(&self, word: &str) -> bool {
        self.given_names.contains(word)
    }
}

#[derive(Default)]
struct Builder {
    entries: Vec<Entry>,
    surfaces: HashMap<String, (usize, Surface)>,
}

impl Builder {
    fn add_surface(&mut self, surface: &str, entry: usize, kind: Surface) {
        let surface = surface.trim();
        if surface.chars().count() < 2 {
            return;
        }
        let rank = self.entries[entry].rank;
        match self.surfaces.get(surface) {
            Some(&(other, _)) if self.entries[other].rank <= rank => {}
            _ => {
                self.surfaces.insert(surface.to_owned(), (entry, kind));
            }
        }
    }

    fn load_entities(&mut self, file: &str, text: &str) -> Result<(), LexiconError> {
        let parsed: EntitiesFile = toml::from_str(text).map_err(|e| LexiconError {
            file: file.to_owned(),
            location: e
                .span()
                .map(|s| format!("line {}", line_of(text, s.start)))
                .unwrap_or_else(|| "-".into()),
            reason: e.message().to_owned(),
        })?;
        let mut seen_ids = HashSet::new();
        for (i, e) in parsed.entity.into_iter().enumerate() {
            let err = |reason: String| LexiconError {
                file: file.to_owned(),
                location: format!("entity #{} ({})", i + 1, e.name),
                reason,
            };
            let entity_type = EntityType::parse(&e.entity_type).ok_or_else(|| {
                err(format!(
                    "type {:?} is not person|organization|location|misc",
                    e.entity_type
                ))
            })?;
            if e.name.trim().is_empty() {
                return Err(err("empty name".into()));
            }
            let id =
                e.id.clone()
                    .unwrap_or_else(|| local_id(entity_type, &e.name));
            if !seen_ids.insert(id.clone()) {
                return Err(err(format!("duplicate id {id}")));
            }
            let idx = self.entries.len();
            self.entries.push(Entry {
                id,
                name: e.name.clone(),
                entity_type,
                place_kind: None,
                geo: None,
                rank: (0, std::cmp::Reverse(0)),
            });
            self.add_surface(&e.name, idx, Surface::Name);
            for a in &e.aliases {
                self.add_surface(a, idx, Surface::Name);
            }
            for t in &e.tickers {
                self.add_surface(t, idx, Surface::Ticker);
            }
        }
        Ok(())
    }

    fn load_places(&mut self, file: &str, text: &str) -> Result<(), LexiconError> {
        let mut lines = text.lines().enumerate();
        let header = lines.next().map(|(_, h)| h).unwrap_or("");
        // The seven-column form (without coordinates) of older files is
        // still read; its places have no `geo`.
        let columns = match header.trim_end() {
            PLACES_HEADER => 10,
            PLACES_HEADER_V1 => 7,
            _ => {
                return Err(LexiconError {
                    file: file.into(),
                    location: "line 1".into(),
                    reason: format!("header must be {PLACES_HEADER:?}"),
                })
            }
        };
        for (n, line) in lines {
            if line.trim().is_empty() {
                continue;
            }
            let err = |reason: String| LexiconError {
                file: file.into(),
                location: format!("line {}", n + 1),
                reason,
            };
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() != columns {
                return Err(err(format!(
                    "expected {columns} tab-separated columns, found {}",
                    cols.len()
                )));
            }
            let population: u64 = cols[4]
                .parse()
                .map_err(|_| err(format!("population {:?} is not a number", cols[4])))?;
            let (kind_rank, feature) = match cols[2] {
                "country" => (1, GeoFeature::Country),
                "region" => (2, GeoFeature::Region),
                "sea" => (2, GeoFeature::Sea),
                "continent" => (3, GeoFeature::Continent),
                "admin1" => (4, GeoFeature::Admin1),
                "city" => (5, GeoFeature::City),
                other => return Err(err(format!("unknown kind {other:?}"))),
            };
            let geo = if columns == 10 && !cols[7].is_empty() {
                let degrees = |i: usize, max: f64| {
                    cols[i]
                        .parse::<f64>()
                        .ok()
                        .filter(|d| d.abs() <= max)
                        .ok_or_else(|| {
                            err(format!(
                                "{} {:?} is not in degrees",
                                ["lat", "lon"][i - 7],
                                cols[i]
                            ))
                        })
                };
                let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
                Some(Geo {
                    lat: degrees(7, 90.0)?,
                    lon: degrees(8, 180.0)?,
                    country_code: text(cols[3]),
                    admin1: text(cols[9]),
                    feature,
                    population: (population > 0).then_some(population),
                })
            } else {
                None
            };
            let idx = self.entries.len();
            self.entries.push(Entry {
                id: cols[0].to_owned(),
                name: cols[1].to_owned(),
                entity_type: EntityType::Location,
                place_kind: Some(cols[2].to_owned()),
                geo,
                rank: (kind_rank, std::cmp::Reverse(population)),
            });
            self.add_surface(cols[1], idx, Surface::Name);
            for a in cols[5].split('|').filter(|a| !a.is_empty()) {
                self.add_surface(a, idx, Surface::Name);
            }
            for a in cols[6].split('|').filter(|a| !a.is_empty()) {
                self.add_surface(a, idx, Surface::Adjective);
            }
        }
        Ok(())
    }

    fn finish(self, given_names: FxHashSet<String>) -> Result<Lexicon, LexiconError> {
        let mut surfaces: Vec<(String, (usize, Surface))> = self.surfaces.into_iter().collect();
        surfaces.sort_by(|a, b| a.0.cmp(&b.0));
        let scanner =
            WordScanner::new(surfaces.iter().map(|(s, _)| s.as_str()), false).map_err(|e| {
                LexiconError {
                    file: "lexicon".into(),
                    location: "-".into(),
                    reason: e.to_string(),
                }
            })?;
        let targets = surfaces.into_iter().map(|(_, t)| t).collect();
        let mut by_name: FxHashMap<String, usize> = FxHashMap::default();
        let mut by_id: FxHashMap<String, usize> = FxHashMap::default();
        for (i, e) in self.entries.iter().enumerate() {
            by_id.entry(e.id.clone()).or_insert(i);
            let key = e.name.to_lowercase();
            match by_name.get(&key) {
                Some(&j) if self.entries[j].rank <= e.rank => {}
                _ => {
                    by_name.insert(key, i);
                }
            }
        }
        Ok(Lexicon {
            entries: self.entries,
            scanner,
            targets,
            by_name,
            by_id,
            given_names,
        })
    }
}

/// 1-based line number of a byte offset.
pub fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Lexicon {
        Lexicon::from_sources(
            (
                "places.tsv",
                "id\tname\tkind\tcountry\tpopulation\taliases\tadjectives\n\
                 geonames:130758\tIran\tcountry\tIR\t80000000\t\tIranian|Iranians\n\
                 geonames:1\tGeorgia\tcountry\tGE\t4000000\t\tGeorgian\n\
                 geonames:2\tGeorgia\tadmin1\tUS\t10000000\t\t\n",
            ),
            (
                "entities.toml",
                "[[entity]]\nid = \"Q7747\"\nname = \"Vladimir Putin\"\ntype = \"person\"\naliases = [\"Putin\"]\n\
                 [[entity]]\nname = \"Gazprom\"\ntype = \"organization\"\ntickers = [\"GAZP.MM\"]\n",
            ),
            ("given.txt", "# names\nYuri\n"),
        )
        .unwrap()
    }

    #[test]
    fn finds_names_aliases_and_adjectives_on_word_boundaries() {
        let lex = small();
        let text = "Putin's Iranian hosts; Vladimir Putin in Iran. Putinism. Gazprom GAZP.MM";
        let found: Vec<(&str, &str, Surface)> = lex
            .find(text)
            .iter()
            .map(|m| {
                (
                    &text[m.start..m.end],
                    lex.entries[m.entry].id.as_str(),
                    m.surface,
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![
                ("Putin", "Q7747", Surface::Name),
                ("Iranian", "geonames:130758", Surface::Adjective),
                ("Vladimir Putin", "Q7747", Surface::Name),
                ("Iran", "geonames:130758", Surface::Name),
                ("Gazprom", "newsflow:organization:gazprom", Surface::Name),
                ("GAZP.MM", "newsflow:organization:gazprom", Surface::Ticker),
            ]
        );
        assert!(lex.is_given_name("Yuri"));
    }

    #[test]
    fn shared_surface_goes_to_the_higher_rank() {
        let lex = small();
        let m = lex.find("in Georgia today");
        assert_eq!(lex.entries[m[0].entry].id, "geonames:1");
        assert_eq!(lex.entries[lex.lookup("georgia").unwrap()].id, "geonames:1");
        assert_eq!(lex.lookup("Q7747"), lex.lookup("Vladimir Putin"));
    }

    #[test]
    fn bad_rows_name_file_and_line() {
        let err = Lexicon::from_sources(
            (
                "p.tsv",
                "id\tname\tkind\tcountry\tpopulation\taliases\tadjectives\nx\ty\tplanet\t\t0\t\t\n",
            ),
            ("e.toml", ""),
            ("g.txt", ""),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "p.tsv: line 2: unknown kind \"planet\"");
        let err = Lexicon::from_sources(
            ("p.tsv", "bad"),
            ("e.toml", "[[entity]]\nname = \"X\"\ntype = \"alien\"\n"),
            ("g", ""),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("e.toml: entity #1 (X): type \"alien\""),
            "{err}"
        );
    }

    #[test]
    fn slugs_are_stable_and_folded() {
        assert_eq!(slug("Recep Tayyip Erdoğan"), "recep-tayyip-erdogan");
        assert_eq!(slug("  Islamic State (IS) "), "islamic-state-is");
        assert_eq!(
            local_id(EntityType::Person, "Yuri Ushakov"),
            "newsflow:person:yuri-ushakov"
        );
    }
}
