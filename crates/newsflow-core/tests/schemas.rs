//! The committed JSON Schemas match the Rust types (regenerate with
//! `cargo run -- schema --out docs/schemas`).

#[test]
fn committed_schemas_match_the_types() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schemas");
    for (name, text) in newsflow_core::schema::all() {
        let committed = std::fs::read_to_string(dir.join(name))
            .unwrap_or_else(|e| panic!("docs/schemas/{name}: {e}"));
        assert_eq!(
            committed, text,
            "docs/schemas/{name} drifted from the types: run `cargo run -- schema`"
        );
    }
}

#[test]
fn enriched_schema_requires_the_contract_fields() {
    let (_, text) = newsflow_core::schema::all()
        .into_iter()
        .find(|(n, _)| *n == "enriched.schema.json")
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let required: Vec<&str> = v["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    for f in [
        "schema",
        "id",
        "body",
        "language",
        "entities",
        "topics",
        "processed_at",
        "pipeline_version",
    ] {
        assert!(required.contains(&f), "{f} not required");
    }
}
