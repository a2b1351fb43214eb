//! `import`'s progress: a bar per object (counts, rate, ETA) when stderr is a terminal (here a
//! pseudo-terminal made by util-linux `script`), the plain lines otherwise, nothing with
//! `--quiet`, JSON events with `--json`.

use crate::api::{KEY, check_apply, members_of, run_api};
use crate::util::*;
use std::path::Path;
use twenty_sandbox::Config;

/// Runs `crm2twenty ARGS` on a pseudo-terminal; `None` when `script` is not installed.
fn on_a_terminal(args: &[&str], cwd: &Path, url: &str) -> Option<String> {
    let bin = assert_cmd::cargo::cargo_bin("crm2twenty");
    let mut line = bin.display().to_string();
    for a in args {
        line.push_str(&format!(" '{a}'"));
    }
    line.push_str(" --requests-per-minute 60000");
    let o = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", cwd)
        .env("TERM", "xterm")
        .env("TWENTY_API_URL", url)
        .env("TWENTY_API_KEY", KEY)
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    Some(String::from_utf8_lossy(&o.stdout).to_string())
}

#[test]
fn import_draws_bars_on_a_terminal_and_lines_elsewhere() {
    let ex = example("salesforce");
    let exs = ex.to_str().unwrap();
    let mut c = Config::for_tests(KEY);
    c.members = members_of(&ex);
    let sb = twenty_sandbox::spawn(c).unwrap();
    let url = sb.base_url();
    let tmp = tempfile::tempdir().unwrap();
    check_apply(exs, tmp.path(), &url);
    let import = |state: &'static str| {
        vec![
            "import",
            exs,
            "--as-of",
            "2026-11-24",
            "--state",
            state,
            "--batch-size",
            "3",
        ]
    };
    let Some(tty) = on_a_terminal(&import("a.sqlite"), tmp.path(), &url) else {
        eprintln!("skipped: `script` (util-linux) is not installed");
        return;
    };
    assert!(tty.contains("ETA"), "{tty}");
    // Rates are printed rounded ("1,939/s", not "1,939.8819689611/s").
    let rates: Vec<&str> = tty
        .split(|c: char| c.is_whitespace() || c == '\r')
        .filter(|w| w.ends_with("/s"))
        .collect();
    assert!(!rates.is_empty(), "{tty}");
    assert!(
        rates.iter().all(|r| !r.contains('.')),
        "rates rounded: {rates:?}"
    );
    assert!(
        tty.contains("12/12"),
        "a finished bar shows its count: {tty}"
    );
    assert!(
        !tty.contains("left for this object"),
        "no progress lines: {tty}"
    );
    assert!(tty.contains("written:"), "the summary follows: {tty}");
    // Not a terminal: the lines, as before.
    let o = run_api(&import("b.sqlite"), tmp.path(), &url);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("left for this object"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("ETA"), "{}", stderr(&o));
    // Quiet on a terminal: nothing drawn; --json on a terminal: events, no bars.
    let mut quiet = import("c.sqlite");
    quiet.push("-q");
    let out = on_a_terminal(&quiet, tmp.path(), &url).unwrap();
    assert!(!out.contains("ETA") && !out.contains("records:"), "{out}");
    let mut json = import("d.sqlite");
    json.push("--json");
    let out = on_a_terminal(&json, tmp.path(), &url).unwrap();
    assert!(out.contains("\"event\":\"object\""), "{out}");
    assert!(!out.contains("ETA"), "{out}");
}

/// A read of the workspace that takes more than two seconds at the client's pace is said before
/// it starts (what, how many requests, how long) and shown while it runs: on a plain stderr a
/// line every two seconds with the requests done and the time left. Here `verify` of 450 people
/// reads them back by their source keys, a request a second.
#[test]
fn a_long_read_of_the_workspace_shows_its_progress() {
    let sb = twenty_sandbox::spawn(Config::for_tests(KEY)).unwrap();
    let url = sb.base_url();
    let tmp = tempfile::tempdir().unwrap();
    let ex = tmp.path().join("export");
    std::fs::create_dir(&ex).unwrap();
    let first = ["Ingrid", "Lars", "Sofie", "Magnus", "Nora"];
    let mut csv = String::from("First Name,Last Name,Email\n");
    for i in 0..450 {
        let f = first[i % 5];
        csv += &format!("{f},Dahl{i},{}.{i}@fjordlinje.no\n", f.to_lowercase());
    }
    std::fs::write(ex.join("people.csv"), csv).unwrap();
    let exs = ex.to_str().unwrap();
    for args in [
        vec!["check", exs, "--apply", "--yes", "-q"],
        vec!["import", exs, "--state", "st.sqlite", "-q"],
    ] {
        let o = run_api(&args, tmp.path(), &url);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = assert_cmd::Command::cargo_bin("crm2twenty")
        .unwrap()
        .current_dir(tmp.path())
        .env_clear()
        .env("HOME", tmp.path())
        .env("TWENTY_API_URL", &url)
        .env("TWENTY_API_KEY", KEY)
        .args(["verify", exs, "--state", "st.sqlite"])
        .args(["--requests-per-minute", "60", "--burst", "1"])
        .output()
        .unwrap();
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("reading the person records already in the workspace: "),
        "said before: {err}"
    );
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("reading person: ") && l.contains(" requests, ~"))
        .collect();
    assert!(!lines.is_empty(), "shown while it runs: {err}");
}
