//! c2t-state's integration tests: one test binary (faster links), one module per concern.

mod crash;
mod delta;
mod errors;
mod property;
mod roundtrip;
mod support;

/// Forgotten-file guard: every `.rs` file in this directory must be a module above.
#[test]
fn every_test_file_is_a_module() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it");
    let main = std::fs::read_to_string(dir.join("main.rs")).unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if let Some(stem) = name.strip_suffix(".rs")
            && stem != "main"
        {
            assert!(
                main.contains(&format!("mod {stem};")),
                "tests/it/{name} is not declared in main.rs"
            );
        }
    }
}
