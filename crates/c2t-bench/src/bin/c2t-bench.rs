//! `c2t-bench [--people N]… [--companies M]… [--bin PATH] [--data DIR] [--python]`: generates
//! synthetic Salesforce exports and runs the release `crm2twenty` binary on each, measuring wall
//! time and the child's peak resident memory (VmHWM, polled every 20 ms; Linux only). Prints a
//! table and the ledger totals of each run's audit.json. Never asserts on timings.

use anyhow::{Context, bail};
use c2t_bench::{Config, generate};
use clap::Parser;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

const NAIVE_SCRIPT: &str = include_str!("../../python/naive_clean.py");

#[derive(Debug, Parser)]
#[command(
    name = "c2t-bench",
    about = "Time crm2twenty end to end on synthetic Salesforce exports (and, with --python, a pandas baseline)."
)]
struct Args {
    /// Contacts per run; repeat for several runs. Default: two runs, 10000 and 100000.
    #[arg(long)]
    people: Vec<u64>,
    /// Accounts per run, in the order of --people. Default: people / 10.
    #[arg(long)]
    companies: Vec<u64>,
    /// Seed of the generator.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Give every generated note body and task description N times its lines (`c2t-gen
    /// --long-notes`): bigger files, as many rows.
    #[arg(long, default_value_t = 1)]
    long_notes: u64,
    /// The crm2twenty binary. Default: `crm2twenty` next to this binary (target/release).
    #[arg(long)]
    bin: Option<PathBuf>,
    /// Benchmark this existing export folder instead of generating exports.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Also run python/naive_clean.py (pandas + phonenumbers) in a venv under target/.
    #[arg(long)]
    python: bool,
    /// Where to put generated exports and outputs. Default: a temporary folder, removed at the end.
    #[arg(long)]
    workdir: Option<PathBuf>,
    /// Keep the temporary folder (its path is printed).
    #[arg(long)]
    keep: bool,
}

/// One measured run of one tool.
struct Row {
    tool: String,
    size: String,
    input_rows: u64,
    input_bytes: u64,
    secs: f64,
    cpu_secs: Option<f64>,
    peak_rss_kb: Option<u64>,
    output_rows: Option<u64>,
    exit: String,
}

struct Measured {
    status: ExitStatus,
    secs: f64,
    cpu_secs: Option<f64>,
    peak_rss_kb: Option<u64>,
}

/// User + system CPU seconds of this process's waited-for children so far (Linux: cutime and
/// cstime of /proc/self/stat, in USER_HZ ticks, which is 100 on Linux).
fn children_cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state); cutime and cstime are fields 16 and 17.
    let cutime: u64 = f.get(13)?.parse().ok()?;
    let cstime: u64 = f.get(14)?.parse().ok()?;
    Some((cutime + cstime) as f64 / 100.0)
}

/// The 1/5/15-minute load averages, to judge whether other work shared the machine.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "n/a".into())
}

/// The `[timing] phase  1.234 s  cpu 2.10 s, rss 250 MB, peak 287 MB` lines of a run's stderr, as
/// `phase 1.234 s (cpu 2.10 s, rss 250 MB, peak 287 MB), …` (the memory part only when there is one).
fn phase_timings(stderr: &str) -> String {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("[timing] "))
        .filter_map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            let at = (1..words.len().saturating_sub(1))
                .find(|&i| words[i].parse::<f64>().is_ok() && words[i + 1] == "s")?;
            let (name, secs, memory) =
                (words[..at].join(" "), words[at], words[at + 2..].join(" "));
            Some(if memory.is_empty() {
                format!("{name} {secs} s")
            } else {
                format!("{name} {secs} s ({memory})")
            })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Peak resident set size so far of a live process, from /proc (kB).
fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `cmd` to completion, polling its peak RSS every 20 ms. Its stdout and stderr go to
/// `log` (stdout also returned).
fn measure(mut cmd: Command, log: &Path) -> anyhow::Result<(Measured, String)> {
    let out_path = log.with_extension("stdout");
    let stdout = std::fs::File::create(&out_path)?;
    let stderr = std::fs::File::create(log)?;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(stdout))
        .stderr(Stdio::from(stderr));
    let cpu_before = children_cpu_secs();
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start {:?}", cmd.get_program()))?;
    let pid = child.id();
    let linux = cfg!(target_os = "linux");
    let mut peak: Option<u64> = None;
    let status = loop {
        if linux && let Some(kb) = vm_hwm_kb(pid) {
            peak = Some(peak.map_or(kb, |p| p.max(kb)));
        }
        if let Some(st) = child.try_wait()? {
            break st;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let secs = start.elapsed().as_secs_f64();
    let cpu_secs = match (cpu_before, children_cpu_secs()) {
        (Some(a), Some(b)) => Some(b - a),
        _ => None,
    };
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    Ok((
        Measured {
            status,
            secs,
            cpu_secs,
            peak_rss_kb: if linux { peak } else { None },
        },
        stdout,
    ))
}

/// Data records (not counting the header) in a CSV file; quoted line breaks are not rows.
fn count_records(path: &Path) -> anyhow::Result<u64> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut rec = csv::ByteRecord::new();
    let mut n = 0;
    while rdr.read_byte_record(&mut rec)? {
        n += 1;
    }
    Ok(n)
}

fn csv_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")))
        .collect();
    v.sort();
    Ok(v)
}

/// (rows, bytes) of the given files.
fn input_size(files: &[PathBuf]) -> anyhow::Result<(u64, u64)> {
    let (mut rows, mut bytes) = (0, 0);
    for f in files {
        rows += count_records(f)?;
        bytes += std::fs::metadata(f)?.len();
    }
    Ok((rows, bytes))
}

/// Rows of the Twenty-ready files crm2twenty wrote (`NN-object[-k].csv`, not the link files,
/// rejects.csv or ledger.csv).
fn output_rows(out: &Path) -> anyhow::Result<u64> {
    let mut n = 0;
    for f in csv_files(out)? {
        let name = f
            .file_name()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let b = name.as_bytes();
        let ours = b.len() > 3 && b[0].is_ascii_digit() && b[1].is_ascii_digit() && b[2] == b'-';
        if ours && !name.ends_with("-targets.csv") {
            n += count_records(&f)?;
        }
    }
    Ok(n)
}

fn exit_text(st: &ExitStatus) -> String {
    match st.code() {
        Some(c) => c.to_string(),
        None => "signal".into(),
    }
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<12} {:>16} {:>11} {:>9} {:>9} {:>8} {:>11} {:>8} {:>12} {:>12} {:>5}",
        "tool",
        "people/companies",
        "input rows",
        "input MB",
        "seconds",
        "CPU s",
        "rows/s",
        "MB/s",
        "peak RSS MB",
        "output rows",
        "exit"
    );
    for r in rows {
        let mb = r.input_bytes as f64 / 1e6;
        let rss = r
            .peak_rss_kb
            .map_or("n/a".to_string(), |kb| format!("{:.1}", kb as f64 / 1024.0));
        let out = r.output_rows.map_or("-".to_string(), |n| n.to_string());
        let cpu = r.cpu_secs.map_or("n/a".to_string(), |c| format!("{c:.2}"));
        println!(
            "{:<12} {:>16} {:>11} {:>9.1} {:>9.2} {:>8} {:>11.0} {:>8.2} {:>12} {:>12} {:>5}",
            r.tool,
            r.size,
            r.input_rows,
            mb,
            r.secs,
            cpu,
            r.input_rows as f64 / r.secs.max(1e-9),
            mb / r.secs.max(1e-9),
            rss,
            out,
            r.exit
        );
    }
}

/// `read=… imported=… …` from audit.json's `totals`, plus the size of its finding lists.
fn audit_summary(out: &Path) -> anyhow::Result<(String, String)> {
    let text = std::fs::read_to_string(out.join("audit.json"))
        .with_context(|| format!("no audit.json in {}", out.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text)?;
    let totals = match v.get("totals").and_then(|t| t.as_object()) {
        Some(t) => t
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" "),
        None => "(no totals in audit.json)".into(),
    };
    let len = |k: &str| {
        v.get(k)
            .and_then(|x| x.as_array())
            .map_or("?".to_string(), |a| a.len().to_string())
    };
    let findings = format!(
        "duplicate clusters={} test_data={} stale={} dangling_references={} unknown_owners={} rejected={}",
        len("duplicates"),
        len("test_data"),
        len("stale"),
        len("dangling_references"),
        len("unknown_owners"),
        len("rejected"),
    );
    Ok((totals, findings))
}

/// The venv's python with pandas and phonenumbers importable, installing them if needed.
fn python_env(target: &Path) -> anyhow::Result<PathBuf> {
    let venv = target.join("bench-venv");
    let py = venv.join("bin").join("python");
    if !py.exists() {
        eprintln!("creating {} …", venv.display());
        let st = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .context("cannot run python3 -m venv")?;
        if !st.success() {
            bail!("python3 -m venv {} failed ({st})", venv.display());
        }
    }
    let ok = Command::new(&py)
        .args(["-c", "import pandas, phonenumbers"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!(
            "installing pandas and phonenumbers into {} …",
            venv.display()
        );
        let st = Command::new(venv.join("bin").join("pip"))
            .args(["install", "--quiet", "pandas", "phonenumbers"])
            .status()
            .context("cannot run pip")?;
        if !st.success() {
            bail!("pip install pandas phonenumbers failed ({st})");
        }
    }
    let versions = Command::new(&py)
        .args([
            "-c",
            "import sys, pandas, phonenumbers; print(sys.version.split()[0], pandas.__version__, phonenumbers.__version__)",
        ])
        .output()?;
    eprintln!(
        "python, pandas, phonenumbers: {}",
        String::from_utf8_lossy(&versions.stdout).trim()
    );
    Ok(py)
}

fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let exe = std::env::current_exe().context("cannot find this binary's path")?;
    let exe_dir = exe
        .parent()
        .context("this binary has no parent folder")?
        .to_path_buf();
    let bin = a
        .bin
        .clone()
        .unwrap_or_else(|| exe_dir.join(format!("crm2twenty{}", std::env::consts::EXE_SUFFIX)));
    if !bin.is_file() {
        bail!(
            "{} not found: build it with `cargo build --release -p crm2twenty` or pass --bin",
            bin.display()
        );
    }
    // target/release/c2t-bench → target/
    let target = exe_dir.parent().unwrap_or(&exe_dir).to_path_buf();

    let python = if a.python {
        match python_env(&target) {
            Ok(p) => Some(p),
            Err(e) => {
                eprintln!("warning: no Python comparison: {e:#}");
                None
            }
        }
    } else {
        None
    };

    let mut builder = tempfile::Builder::new();
    builder.prefix("c2t-bench-").disable_cleanup(a.keep);
    let tmp = match &a.workdir {
        Some(w) => {
            std::fs::create_dir_all(w)?;
            builder.tempdir_in(w)?
        }
        None => builder.tempdir()?,
    };
    let work = tmp.path().to_path_buf();
    if a.keep {
        eprintln!("work folder (kept): {}", work.display());
    }
    let script = work.join("naive_clean.py");
    if python.is_some() {
        std::fs::write(&script, NAIVE_SCRIPT)?;
    }

    // The runs: (label, export folder, Some(config) when it must be generated).
    let mut runs: Vec<(String, PathBuf, Option<Config>)> = Vec::new();
    if let Some(d) = &a.data {
        runs.push((
            d.file_name()
                .map_or("data".into(), |n| n.to_string_lossy().to_string()),
            d.clone(),
            None,
        ));
    } else {
        let people = if a.people.is_empty() {
            vec![10_000, 100_000]
        } else {
            a.people.clone()
        };
        for (k, &p) in people.iter().enumerate() {
            let c = a.companies.get(k).copied().unwrap_or(p / 10);
            runs.push((
                format!("{p}/{c}"),
                work.join(format!("export-{p}-{c}")),
                Some(Config {
                    people: p,
                    companies: c,
                    seed: a.seed,
                    long_notes: a.long_notes,
                }),
            ));
        }
    }

    eprintln!("crm2twenty: {}", bin.display());
    let load_before = load_average();
    let mut table: Vec<Row> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for (n, (label, dir, cfg)) in runs.iter().enumerate() {
        if let Some(cfg) = cfg {
            let t = Instant::now();
            let st = generate(cfg, dir, |_, _| {})
                .with_context(|| format!("cannot generate into {}", dir.display()))?;
            let secs = t.elapsed().as_secs_f64();
            eprintln!(
                "[{label}] generated {} rows, {:.1} MB in {secs:.2}s",
                st.rows(),
                st.bytes as f64 / 1e6
            );
            notes.push(format!(
                "planted ({label}): dup accounts={} dup contacts={} test rows={} deleted={} \
                 stale accounts={} stale contacts={} invalid emails={} dangling refs={} multi-line cells={}",
                st.dup_accounts,
                st.dup_contacts,
                st.test_rows,
                st.deleted_rows,
                st.stale_accounts,
                st.stale_contacts,
                st.invalid_emails,
                st.dangling_refs,
                st.multi_line_cells
            ));
        }
        let files = csv_files(dir)?;
        let (rows, bytes) = input_size(&files)?;

        // crm2twenty
        let out = work.join(format!("out-{n}"));
        let mut cmd = Command::new(&bin);
        cmd.arg("migrate")
            .arg(dir)
            .arg("--out")
            .arg(&out)
            .args(["--as-of", "2026-11-24", "-q"])
            // Phase timings on stderr (c2t-pipeline's `timing` module), reported below.
            .env("C2T_TIMINGS", "1");
        eprintln!("[{label}] running crm2twenty on {rows} rows …");
        let log = work.join(format!("crm2twenty-{n}.log"));
        let (m, _) = measure(cmd, &log)?;
        if !m.status.success() {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(10).collect();
            eprintln!(
                "[{label}] crm2twenty exited with {}; last lines of its stderr:",
                m.status
            );
            for l in tail.iter().rev() {
                eprintln!("    {l}");
            }
        }
        let phases = phase_timings(&std::fs::read_to_string(&log).unwrap_or_default());
        if !phases.is_empty() {
            notes.push(format!("phases ({label}): {phases}"));
        }
        let outputs = output_rows(&out).ok();
        match audit_summary(&out) {
            Ok((totals, findings)) => {
                notes.push(format!("ledger totals ({label}): {totals}"));
                notes.push(format!("audit findings ({label}): {findings}"));
            }
            Err(e) => notes.push(format!("ledger totals ({label}): n/a ({e:#})")),
        }
        table.push(Row {
            tool: "crm2twenty".into(),
            size: label.clone(),
            input_rows: rows,
            input_bytes: bytes,
            secs: m.secs,
            cpu_secs: m.cpu_secs,
            peak_rss_kb: m.peak_rss_kb,
            output_rows: outputs,
            exit: exit_text(&m.status),
        });

        // pandas baseline (Account and Contact only)
        if let Some(py) = &python {
            let files: Vec<PathBuf> = ["Account.csv", "Contact.csv"]
                .iter()
                .map(|f| dir.join(f))
                .collect();
            let (rows, bytes) = input_size(&files)?;
            let pout = work.join(format!("py-out-{n}"));
            let mut cmd = Command::new(py);
            cmd.arg(&script).arg(dir).arg(&pout);
            eprintln!("[{label}] running naive_clean.py on {rows} rows …");
            let log = work.join(format!("python-{n}.log"));
            let (m, stdout) = measure(cmd, &log)?;
            let written = stdout
                .lines()
                .rev()
                .find_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .and_then(|v| v.get("rows_out").and_then(|x| x.as_u64()));
            if !m.status.success() {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                eprintln!("[{label}] python exited with {}:\n{text}", m.status);
            }
            table.push(Row {
                tool: "pandas+pn".into(),
                size: label.clone(),
                input_rows: rows,
                input_bytes: bytes,
                secs: m.secs,
                cpu_secs: m.cpu_secs,
                peak_rss_kb: m.peak_rss_kb,
                output_rows: written,
                exit: exit_text(&m.status),
            });
        }
        // Free the disk before the next size unless asked to keep everything.
        if !a.keep && cfg.is_some() {
            let _ = std::fs::remove_dir_all(dir);
            let _ = std::fs::remove_dir_all(&out);
        }
    }

    println!();
    print_table(&table);
    println!(
        "(seconds = wall time; CPU s = the child's user+system time; load average before: {load_before}, after: {})",
        load_average()
    );
    println!();
    for n in &notes {
        println!("{n}");
    }
    if python.is_some() {
        println!(
            "pandas+pn reads only Account.csv and Contact.csv (emails, websites, phones, dates, exact duplicates); \
             crm2twenty reads every file and also links, merges fuzzily, skips stale/test rows and writes the ledger."
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn phase_timings_are_read_from_stderr() {
        let stderr = "[timing] detect and propose          0.246 s\n\
                      something else\n\
                      [timing] read and clean              0.870 s\n\
                      [timing] link and stale              1.500 s  cpu 2.10 s, rss 250 MB, peak 287 MB\n";
        assert_eq!(
            super::phase_timings(stderr),
            "detect and propose 0.246 s, read and clean 0.870 s, \
             link and stale 1.500 s (cpu 2.10 s, rss 250 MB, peak 287 MB)"
        );
        assert_eq!(super::phase_timings("no timings"), "");
    }
}
