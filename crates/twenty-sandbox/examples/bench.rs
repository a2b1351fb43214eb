//! Throughput of the sandbox for batch creates of 60 people, no rate limits, no faults.
//!
//! `cargo run --release -p twenty-sandbox --example bench -- [BATCHES] [THREADS] [DB]`
//! (defaults: 200 batches, 2 sender threads, a temporary SQLite file). Prints figures only.

use std::time::Instant;

use serde_json::{Value, json};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let batches: usize = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(200);
    let threads: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(2);
    let dir = tempfile::tempdir()?;
    let db = args.get(3).cloned().unwrap_or_else(|| {
        dir.path()
            .join("bench.sqlite")
            .to_string_lossy()
            .into_owned()
    });
    let mut config = twenty_sandbox::Config::for_tests("bench-key");
    config.db = db.clone();
    let sandbox = twenty_sandbox::spawn(config)?;
    let url = format!("{}/rest/batch/people", sandbox.base_url());
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let url = url.clone();
            s.spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .build()
                    .into();
                for b in (t..batches).step_by(threads) {
                    let rows: Vec<Value> = (0..60)
                        .map(|i| {
                            json!({
                                "name": {"firstName": format!("P{b}"), "lastName": format!("N{i}")},
                                "emails": {"primaryEmail": format!("p{b}.{i}@bench.example")},
                                "phones": {"primaryPhoneNumber": "612345678", "primaryPhoneCountryCode": "FR", "primaryPhoneCallingCode": "+33"},
                                "jobTitle": "Engineer"
                            })
                        })
                        .collect();
                    let resp = agent
                        .post(&url)
                        .header("Authorization", "Bearer bench-key")
                        .header("Content-Type", "application/json")
                        .send(Value::Array(rows).to_string())
                        .expect("request");
                    assert_eq!(resp.status().as_u16(), 201, "batch {b} refused");
                }
            });
        }
    });
    let secs = start.elapsed().as_secs_f64();
    println!("db: {db}");
    println!("{batches} batches of 60 people with {threads} sender(s) in {secs:.2} s");
    println!(
        "{:.1} requests/s, {:.0} records/s",
        batches as f64 / secs,
        (batches * 60) as f64 / secs
    );
    Ok(())
}
