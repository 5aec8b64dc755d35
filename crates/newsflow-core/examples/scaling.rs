//! How the core's cost grows with the size of one article: decode, enrich
//! and encode of single bodies from 60 KiB to 960 KiB, doubling, on one
//! thread, for shapes that stress the scans most likely to be quadratic.
//!
//! - `newswire`: real Reuters-21578 stories joined into one body (the
//!   paragraph structure of real copy);
//! - `names`: name-dense sentences (people, organisations, places, tickers);
//! - `captions`: every other paragraph a photo caption with a credit;
//! - `parens`: `Name (` openers whose `)` comes late or never, and tickers;
//! - `quotes`: quotation marks opened and closed across long paragraphs,
//!   some never closed;
//! - `one-paragraph`: the name-dense text with no paragraph break at all.
//!
//! Each size is timed as the median of several runs; the report gives the
//! time per article and the ratio to the previous size (linear: 2.0).
//! `scripts/bench-scaling.sh` runs it pinned to one core.
//!
//! Usage: `cargo run --release -p newsflow-core --example scaling -- [REUTERS_FILE|-] [RUNS] [SHAPE] [SIZE_KIB]`

use std::io::Read;
use std::time::Instant;

use newsflow_core::decode::decode;
use newsflow_core::encode::enriched_json;
use newsflow_core::enrich::Enricher;
use newsflow_core::rng::SplitMix;

const SIZES_KIB: [usize; 5] = [60, 120, 240, 480, 960];

const FIRST: &[&str] = &[
    "Vladimir", "Recep", "Ebrahim", "Ali", "Emmanuel", "Olaf", "Joe", "Xi", "Narendra", "Angela",
    "Mohammed", "Hassan", "Maria", "John", "Sergei", "Antony", "Yuri", "Kamala",
];
const LAST: &[&str] = &[
    "Putin",
    "Erdogan",
    "Raisi",
    "Khamenei",
    "Macron",
    "Scholz",
    "Biden",
    "Jinping",
    "Modi",
    "Merkel",
    "bin Salman",
    "Rouhani",
    "Zakharova",
    "Kerry",
    "Lavrov",
    "Blinken",
    "Ushakov",
    "Harris",
];
const ORGS: &[&str] = &[
    "Gazprom",
    "the United Nations",
    "NATO",
    "the European Union",
    "Exxon Mobil Corp",
    "Apple Inc",
    "the Kremlin",
    "OPEC",
    "the International Monetary Fund",
    "Goldman Sachs Group Inc",
    "the World Bank",
    "Reuters",
];
const PLACES: &[&str] = &[
    "Tehran",
    "Moscow",
    "Ankara",
    "Syria",
    "Ukraine",
    "Beijing",
    "Washington",
    "Istanbul",
    "the Black Sea",
    "Brussels",
    "Kyiv",
    "New York",
    "Paris",
    "Riyadh",
];
const TICKERS: &[&str] = &["GAZP.MM", "XOM.N", "AAPL.O", "GS.N", "BP.L", "TTEF.PA"];
const VERBS: &[&str] = &[
    "met",
    "called",
    "criticised",
    "praised",
    "visited",
    "warned",
];

struct Gen(SplitMix);

impl Gen {
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.0.below(xs.len())]
    }
    fn person(&mut self) -> String {
        format!("{} {}", self.pick(FIRST), self.pick(LAST))
    }
    fn name_sentence(&mut self) -> String {
        let day = ["Monday", "Tuesday", "on Friday", "last week"][self.0.below(4)];
        format!(
            "{} of {} {} {} in {} {}, and {} said shares of {} ({}) rose {}.{} percent.",
            self.person(),
            self.pick(ORGS),
            self.pick(VERBS),
            self.person(),
            self.pick(PLACES),
            day,
            self.person(),
            self.pick(ORGS),
            self.pick(TICKERS),
            self.0.below(9) + 1,
            self.0.below(10),
        )
    }
    fn caption(&mut self) -> String {
        format!(
            "{} attends a meeting with {} in {}, July {}, 2022. REUTERS/{} {}",
            self.person(),
            self.person(),
            self.pick(PLACES),
            self.0.below(28) + 1,
            self.pick(FIRST),
            self.pick(LAST),
        )
    }
    fn paren_sentence(&mut self) -> String {
        // Openers whose closing parenthesis is far away or missing.
        match self.0.below(3) {
            0 => format!(
                "{} ({} and {} said",
                self.person(),
                self.pick(ORGS),
                self.person()
            ),
            1 => format!(
                "{} ({} of {} (",
                self.pick(ORGS),
                self.person(),
                self.pick(PLACES)
            ),
            _ => format!(
                "{} ({}) met {} ({})",
                self.pick(ORGS),
                self.pick(TICKERS),
                self.person(),
                self.pick(PLACES)
            ),
        }
    }
    fn quote_sentence(&mut self) -> String {
        match self.0.below(3) {
            0 => format!(
                "\"{} will not accept this in {},\" {} said.",
                self.pick(ORGS),
                self.pick(PLACES),
                self.person()
            ),
            1 => format!(
                "{} told reporters: \"We met {} and {}",
                self.person(),
                self.person(),
                self.pick(ORGS)
            ),
            _ => format!(
                "According to {}, the \"talks\" with {} in {} were \"useful\".",
                self.person(),
                self.pick(ORGS),
                self.pick(PLACES)
            ),
        }
    }
}

/// Paragraphs of `sentence`, three sentences each, until `bytes`.
fn paragraphs(bytes: usize, sep: &str, mut sentence: impl FnMut(usize) -> String) -> String {
    let mut body = String::with_capacity(bytes + 512);
    let mut i = 0;
    while body.len() < bytes {
        if i > 0 {
            body.push_str(if i % 3 == 0 { sep } else { " " });
        }
        body.push_str(&sentence(i));
        i += 1;
    }
    body
}

fn body(shape: &str, bytes: usize, reuters: &[String]) -> String {
    let mut g = Gen(SplitMix(bytes as u64));
    match shape {
        "newswire" => {
            let mut body = String::with_capacity(bytes + 4096);
            for story in reuters.iter().cycle() {
                if body.len() >= bytes {
                    break;
                }
                body.push_str(story);
                body.push_str("\n\n");
            }
            body
        }
        "names" => paragraphs(bytes, "\n\n", |_| g.name_sentence()),
        "captions" => paragraphs(bytes, "\n\n", |i| {
            if (i / 3) % 2 == 1 && i % 3 == 0 {
                g.caption()
            } else {
                g.name_sentence()
            }
        }),
        "parens" => paragraphs(bytes, "\n\n", |_| g.paren_sentence()),
        "quotes" => paragraphs(bytes, "\n\n", |_| g.quote_sentence()),
        "one-paragraph" => paragraphs(bytes, " ", |_| g.name_sentence()),
        other => panic!("unknown shape {other}"),
    }
}

fn reuters_bodies(path: Option<String>) -> Vec<String> {
    let Some(path) = path else {
        return vec![newsflow_core::fixtures::SEED_ARTICLE.to_string()];
    };
    let mut raw = Vec::new();
    std::fs::File::open(&path)
        .expect("open REUTERS_FILE")
        .read_to_end(&mut raw)
        .expect("read REUTERS_FILE");
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(&raw[..])
        .read_to_string(&mut text)
        .expect("gzip JSON Lines");
    text.lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            Some(v["body"].as_str()?.trim().to_string()).filter(|b| !b.is_empty())
        })
        .take(2000)
        .collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let reuters = reuters_bodies(args.next().filter(|a| a != "-"));
    let runs: usize = args.next().map_or(3, |s| s.parse().expect("RUNS"));
    let only = args.next();
    let only_size: Option<usize> = args.next().map(|s| s.parse().expect("SIZE_KIB"));
    let enricher = Enricher::embedded().expect("resources");
    let now = chrono::Utc::now();
    println!("shape          size      ms/article  ×prev  entities");
    for shape in [
        "newswire",
        "names",
        "captions",
        "parens",
        "quotes",
        "one-paragraph",
    ]
    .into_iter()
    .filter(|s| only.as_deref().is_none_or(|o| o == *s))
    {
        let mut prev: Option<f64> = None;
        for kib in SIZES_KIB
            .into_iter()
            .filter(|k| only_size.is_none_or(|o| o == *k))
        {
            let text = body(shape, kib * 1024, &reuters);
            let msg = serde_json::to_vec(&serde_json::json!({"title": "Scaling", "body": text}))
                .expect("json");
            let mut times = Vec::with_capacity(runs);
            let mut entities = 0;
            for _ in 0..runs {
                let t = Instant::now();
                let a = decode(&msg, Some(b"k"), 4 << 20).expect("decodes");
                let e = enricher.enrich(&a);
                entities = e.entities.len();
                std::hint::black_box(enriched_json(e, None, &now).len());
                times.push(t.elapsed().as_secs_f64());
            }
            times.sort_by(f64::total_cmp);
            let ms = times[times.len() / 2] * 1e3;
            let ratio = prev.map_or("    -".to_string(), |p| format!("{:5.2}", ms / p));
            println!("{shape:<14} {kib:>4} KiB  {ms:>10.1}  {ratio}  {entities}");
            prev = Some(ms);
        }
    }
}
