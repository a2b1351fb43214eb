//! `c2t-import-bench`: records/s imported into the sandbox through the API, against the ceiling
//! the rate limit allows (requests a minute × batch size), and without limits (the client's own
//! overhead). Prints figures; asserts nothing.
//!
//! It generates a Salesforce export, starts the release `twenty-sandbox` (Twenty's default limits
//! unless `--no-limits`), creates what the workspace lacks (`crm2twenty check --apply`, not
//! timed), then times `crm2twenty import`.

use anyhow::{Context, bail};
use clap::Parser;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

#[derive(Parser)]
struct Args {
    /// People in the generated export (companies = people / 10).
    #[arg(long, default_value_t = 2000)]
    people: u64,
    /// The importer's request budget (Twenty's default is 100 a minute).
    #[arg(long, default_value_t = 100)]
    rpm: u32,
    /// Records per request.
    #[arg(long, default_value_t = 60)]
    batch: usize,
    /// Start the sandbox without rate limits (measures the client's own overhead).
    #[arg(long)]
    no_limits: bool,
    /// Folder holding the release binaries (default: this binary's folder).
    #[arg(long)]
    bin: Option<PathBuf>,
}

const KEY: &str = "bench-key";

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let bin = match args.bin.clone() {
        Some(b) => b,
        None => std::env::current_exe()?
            .parent()
            .context("no folder")?
            .to_path_buf(),
    };
    let tool = bin.join("crm2twenty");
    let sandbox_bin = bin.join("twenty-sandbox");
    for b in [&tool, &sandbox_bin] {
        if !b.exists() {
            bail!(
                "{} not found: cargo build --release -p crm2twenty -p twenty-sandbox -p c2t-bench",
                b.display()
            );
        }
    }
    let tmp = tempfile::tempdir()?;
    let export = tmp.path().join("export");
    let cfg = c2t_bench::Config {
        people: args.people,
        companies: (args.people / 10).max(1),
        seed: 1,
        long_notes: 1,
    };
    c2t_bench::generate(&cfg, &export, |_, _| {})?;
    // Workspace members: the generated users.
    let mut r = csv::Reader::from_path(export.join("User.csv"))?;
    let h = r.headers()?.clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap_or(0);
    let (f, l, e) = (col("FirstName"), col("LastName"), col("Email"));
    let members: Vec<serde_json::Value> = r
        .records()
        .filter_map(Result::ok)
        .map(|u| serde_json::json!({"name": {"firstName": &u[f], "lastName": &u[l]}, "userEmail": &u[e]}))
        .collect();
    let members_path = tmp.path().join("members.json");
    std::fs::write(&members_path, serde_json::to_string(&members)?)?;

    let mut sb = Command::new(&sandbox_bin);
    sb.args([
        "--listen",
        "127.0.0.1:0",
        "--db",
        ":memory:",
        "--api-key",
        KEY,
        "--members",
    ])
    .arg(&members_path);
    if args.no_limits {
        sb.args(["--rate-short", "off", "--rate-long", "off"]);
    }
    let mut sandbox = sb.stdout(Stdio::piped()).stderr(Stdio::null()).spawn()?;
    let mut first = String::new();
    BufReader::new(sandbox.stdout.take().context("no stdout")?).read_line(&mut first)?;
    let url = first
        .trim()
        .rsplit(' ')
        .next()
        .context("no address")?
        .to_string();
    let run = |extra: &[&str], rpm: u32| -> anyhow::Result<(std::process::Output, f64)> {
        let started = Instant::now();
        let o = Command::new(&tool)
            .current_dir(tmp.path())
            .env("TWENTY_API_URL", &url)
            .env("TWENTY_API_KEY", KEY)
            .args(extra)
            .arg(&export)
            .args([
                "--as-of",
                "2026-11-24",
                "--requests-per-minute",
                &rpm.to_string(),
            ])
            .output()?;
        Ok((o, started.elapsed().as_secs_f64()))
    };
    // Preparing the workspace is not part of the figure; it runs unthrottled.
    let (o, _) = run(&["check", "--apply", "--yes", "-q"], 100_000)?;
    if !o.status.success() {
        bail!(
            "check --apply failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let stats = |url: &str| -> anyhow::Result<u64> {
        let out = Command::new("curl")
            .args(["-s", &format!("{url}/sandbox/stats")])
            .output()?;
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        Ok(v["requests"].as_u64().unwrap_or(0))
    };
    let before = stats(&url).unwrap_or(0);
    let rpm = if args.no_limits { 1_000_000 } else { args.rpm };
    let (o, secs) = run(
        &[
            "import",
            "--json",
            "--state",
            "state.sqlite",
            "--batch-size",
            &args.batch.to_string(),
        ],
        rpm,
    )?;
    let after = stats(&url).unwrap_or(0);
    let _ = sandbox.kill();
    if !o.status.success() {
        bail!("import failed: {}", String::from_utf8_lossy(&o.stderr));
    }
    let records: u64 = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["event"] == "object")
        .map(|e| e["to_send"].as_u64().unwrap_or(0))
        .sum();
    let rate = records as f64 / secs;
    println!(
        "{:<10} {:>8} {:>9} {:>9} {:>12} {:>14} {:>8}",
        "limits", "records", "requests", "seconds", "records/s", "ceiling rec/s", "ratio"
    );
    if args.no_limits {
        println!(
            "{:<10} {records:>8} {:>9} {secs:>9.2} {rate:>12.1} {:>14} {:>8}",
            "none",
            after.saturating_sub(before),
            "-",
            "-"
        );
    } else {
        let ceiling = f64::from(args.rpm) * args.batch as f64 / 60.0;
        println!(
            "{:<10} {records:>8} {:>9} {secs:>9.2} {rate:>12.1} {ceiling:>14.1} {:>7.0}%",
            format!("{}/min", args.rpm),
            after.saturating_sub(before),
            100.0 * rate / ceiling
        );
    }
    println!(
        "(requests include the import's own reads of the workspace: metadata, members, capability probe, existing records)"
    );
    Ok(())
}
