//! JSON Schemas of the input and the three outputs, generated from the Rust
//! types so they cannot drift from the code. `newsflow schema --out
//! docs/schemas` writes them; a test compares the committed files.

use schemars::schema_for;

use crate::article::{EnrichedEvent, EntityEvent, InputArticle, TopicEvent};

/// `(file name, pretty JSON)` for every schema.
pub fn all() -> Vec<(&'static str, String)> {
    let pretty =
        |v: schemars::Schema| serde_json::to_string_pretty(&v).expect("schema serialises") + "\n";
    vec![
        ("input.schema.json", pretty(schema_for!(InputArticle))),
        ("enriched.schema.json", pretty(schema_for!(EnrichedEvent))),
        ("entity.schema.json", pretty(schema_for!(EntityEvent))),
        ("topic.schema.json", pretty(schema_for!(TopicEvent))),
    ]
}
