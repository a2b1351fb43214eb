//! `c2t-import-bench`: records/s imported into the sandbox through the API, against the ceiling
//! the rate limit allows (requests a minute × batch size), and without limits (the client's own
//! overhead). Prints figures; asserts nothing.
//!
//! It generates a Salesforce export, starts the release `twenty-sandbox` (Twenty's default limits
//! unless `--no-limits`), optionally fills its workspace with other people first (`--prefill`,
//! not timed), creates what the workspace lacks (`crm2twenty check --apply`, not timed), then
//! times `crm2twenty import`, `verify` and `rollback`.

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
    #[arg(long, default_value_t = 200)]
    batch: usize,
    /// People already in the workspace before the import (unrelated to the export).
    #[arg(long, default_value_t = 0)]
    prefill: u64,
    /// Time the import only (no verify, no rollback).
    #[arg(long)]
    import_only: bool,
    /// Start the sandbox without rate limits (measures the client's own overhead).
    #[arg(long)]
    no_limits: bool,
    /// `--burst N` for every timed command (default: crm2twenty's, half the budget back to
    /// back after an idle minute); `--burst 1` measures the sustained pace alone.
    #[arg(long)]
    burst: Option<u32>,
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

    let db = tmp.path().join("workspace.sqlite");
    let start = |limits: bool, members: bool| -> anyhow::Result<(std::process::Child, String)> {
        let mut sb = Command::new(&sandbox_bin);
        sb.args(["--listen", "127.0.0.1:0", "--db"])
            .arg(&db)
            .args(["--api-key", KEY]);
        if members {
            sb.arg("--members").arg(&members_path);
        }
        if !limits {
            sb.args(["--rate-short", "off", "--rate-long", "off"]);
        }
        let mut child = sb.stdout(Stdio::piped()).stderr(Stdio::null()).spawn()?;
        let mut first = String::new();
        BufReader::new(child.stdout.take().context("no stdout")?).read_line(&mut first)?;
        let url = first
            .trim()
            .rsplit(' ')
            .next()
            .context("no address")?
            .to_string();
        Ok((child, url))
    };
    let (mut sandbox, url) = if args.prefill > 0 {
        // Filled without limits, then served with them, from the same database.
        let (mut filler, url) = start(false, true)?;
        let mut cfg = c2t_twenty::ClientConfig::new(&url, c2t_twenty::ApiKey::new(KEY)?);
        cfg.requests_per_minute = 1_000_000;
        cfg.max_batch = 200;
        let client = c2t_twenty::Client::new(cfg)?;
        let started = Instant::now();
        let mut done = 0;
        while done < args.prefill {
            let n = (args.prefill - done).min(10_000);
            let people: Vec<serde_json::Value> = (done..done + n)
                .map(|i| {
                    serde_json::json!({
                        "name": {"firstName": format!("Other{i}"), "lastName": "Prefill"},
                        "emails": {"primaryEmail": format!("other{i}@prefill-co.io"), "additionalEmails": []},
                    })
                })
                .collect();
            client.batch_create("people", &people, false)?;
            done += n;
        }
        eprintln!(
            "workspace filled with {} people in {:.0} s",
            args.prefill,
            started.elapsed().as_secs_f64()
        );
        let _ = filler.kill();
        let _ = filler.wait();
        start(!args.no_limits, false)?
    } else {
        start(!args.no_limits, true)?
    };
    let burst = args.burst;
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
            .args(
                burst
                    .iter()
                    .flat_map(|b| ["--burst".to_string(), b.to_string()]),
            )
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
    let rpm = if args.no_limits { 1_000_000 } else { args.rpm };
    let before = stats(&url).unwrap_or(0);
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
    if !o.status.success() {
        let _ = sandbox.kill();
        bail!("import failed: {}", String::from_utf8_lossy(&o.stderr));
    }
    let records: u64 = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["event"] == "object")
        .map(|e| e["to_send"].as_u64().unwrap_or(0))
        .sum();
    let rate = records as f64 / secs;
    let limits = if args.no_limits {
        "none".to_string()
    } else {
        format!("{}/min", args.rpm)
    };
    println!(
        "{:<10} {:>9} {:>8} {:>9} {:>9} {:>12} {:>14} {:>8}",
        "step", "limits", "records", "requests", "seconds", "records/s", "ceiling rec/s", "ratio"
    );
    let ceiling = f64::from(args.rpm) * args.batch as f64 / 60.0;
    let ratio = |rate: f64| {
        if args.no_limits {
            "-".to_string()
        } else {
            format!("{:.0}%", 100.0 * rate / ceiling)
        }
    };
    println!(
        "{:<10} {limits:>9} {records:>8} {:>9} {secs:>9.1} {rate:>12.1} {:>14} {:>8}",
        "import",
        after.saturating_sub(before),
        if args.no_limits {
            "-".to_string()
        } else {
            format!("{ceiling:.1}")
        },
        ratio(rate)
    );
    if !args.import_only {
        for (step, extra) in [
            (
                "verify",
                vec![
                    "verify",
                    "--state",
                    "state.sqlite",
                    "--out",
                    "verify-out",
                    "-q",
                ],
            ),
            (
                "rollback",
                vec!["rollback", "--state", "state.sqlite", "--yes", "-q"],
            ),
        ] {
            let before = stats(&url).unwrap_or(0);
            let started = Instant::now();
            let mut cmd = Command::new(&tool);
            cmd.current_dir(tmp.path())
                .env("TWENTY_API_URL", &url)
                .env("TWENTY_API_KEY", KEY)
                .args(&extra);
            if step == "verify" {
                cmd.arg(&export).args(["--as-of", "2026-11-24"]);
            }
            let o = cmd
                .args(["--requests-per-minute", &rpm.to_string()])
                .args(
                    burst
                        .iter()
                        .flat_map(|b| ["--burst".to_string(), b.to_string()]),
                )
                .output()?;
            let secs = started.elapsed().as_secs_f64();
            let used = stats(&url).unwrap_or(0).saturating_sub(before);
            println!(
                "{step:<10} {limits:>9} {records:>8} {used:>9} {secs:>9.1} {:>12.1} {:>14} {:>8}   {:.2}x the import's time{}",
                records as f64 / secs,
                "-",
                "-",
                secs / (records as f64 / rate),
                if o.status.success() {
                    String::new()
                } else {
                    format!(" (exit {:?})", o.status.code())
                }
            );
        }
    }
    let _ = sandbox.kill();
    println!(
        "(requests include each step's own reads of the workspace: metadata (which Twenty does not charge), members, existing records{})",
        if args.prefill > 0 {
            format!("; the workspace held {} other people", args.prefill)
        } else {
            String::new()
        }
    );
    Ok(())
}
