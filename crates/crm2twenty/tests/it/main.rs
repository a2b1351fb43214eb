//! Integration tests: the real `crm2twenty` binary run on the bundled examples and on small
//! exports the tests write, with every output checked field by field.

mod after;
mod api;
mod attachments;
mod automations;
mod browser;
mod cli;
mod cycles;
mod documented_exports;
mod examples;
mod help;
mod hostile;
mod live_edges;
mod progress;
mod real_exports;
mod secrets;
mod state_file;
mod threads;
mod util;
mod zips;

/// Every test module in this folder is declared above (a file not declared would never run).
#[test]
fn no_forgotten_test_files() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it");
    let text = std::fs::read_to_string(dir.join("main.rs")).unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if let Some(stem) = name.strip_suffix(".rs")
            && stem != "main"
        {
            assert!(
                text.contains(&format!("mod {stem};")),
                "tests/it/{name} is not declared in main.rs"
            );
        }
    }
}
