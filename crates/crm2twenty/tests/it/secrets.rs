//! The API key appears nowhere: not on stdout or stderr (the only log this tool has), not in the
//! state file (its SQLite bytes, the `-wal` of a run killed half-way included), not in the
//! reports, ledgers, rejects or any other file a run writes, and in no panic message; in
//! success and in failure: a wrong key, a key pasted with `Bearer ` and a trailing newline, a
//! key read from `--api-key-file`, and a server that echoes the request's `Authorization`
//! header in a 500 page or in a 400 message (the sandbox's `echo500` / `echo400` faults).
//!
//! A key cut short still leaks, so every check looks for any 10-character piece of the key.

use crate::api::members_of;
use crate::util::*;
use std::path::{Path, PathBuf};
use std::process::Output;
use twenty_sandbox::{Config, ProfileKind, SandboxHandle};

/// A key shaped like Twenty's (a JWT), long enough that a 300-character cut lands inside it.
const KEY: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjMnQtc2VjcmV0cy10ZXN0In0.\
                   c2VjcmV0LXNpZ25hdHVyZS1mb3ItbGVhay10ZXN0cw";
const WRONG: &str = "eyJhbGciOiJIUzI1NiJ9.d3Jvbmcta2V5LWZvci1sZWFrLXRlc3Rz.d3Jvbmctc2lnbmF0dXJl";

/// Every 10-character piece of `key` found in `text`.
fn pieces_in(text: &str, key: &str) -> Vec<String> {
    let k: Vec<char> = key.chars().collect();
    k.windows(10)
        .map(|w| w.iter().collect::<String>())
        .filter(|p| text.contains(p.as_str()))
        .collect()
}

fn assert_clean(what: &str, bytes: &[u8], key: &str) {
    let text = String::from_utf8_lossy(bytes);
    let found = pieces_in(&text, key);
    assert!(
        found.is_empty(),
        "{what}: the key leaked ({found:?}) in:\n{}",
        text.chars().take(3000).collect::<String>()
    );
}

/// stdout, stderr (no panic either), and every file under `dir` except `skip`.
fn assert_nowhere(o: &Output, dir: &Path, skip: Option<&Path>, key: &str) {
    assert_clean("stdout", &o.stdout, key);
    assert_clean("stderr", &o.stderr, key);
    assert!(
        !stderr(o).contains("panicked"),
        "the run panicked: {}",
        stderr(o)
    );
    for file in files_under(dir) {
        if Some(file.as_path()) == skip {
            continue;
        }
        let bytes = std::fs::read(&file).unwrap();
        assert_clean(&file.display().to_string(), &bytes, key);
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn sandbox(profile: ProfileKind, db: &str, tweak: impl FnOnce(&mut Config)) -> SandboxHandle {
    let mut c = Config::for_tests(KEY);
    c.profile = profile;
    c.db = db.into();
    c.members = members_of(&example("salesforce"));
    tweak(&mut c);
    twenty_sandbox::spawn(c).unwrap()
}

enum KeyFrom<'a> {
    /// `TWENTY_API_KEY` holds this text.
    Env(&'a str),
    /// `--api-key-file` names this file.
    File(&'a Path),
}

fn run_key(args: &[&str], cwd: &Path, url: &str, key: &KeyFrom) -> Output {
    let mut cmd = assert_cmd::Command::cargo_bin("crm2twenty").unwrap();
    cmd.current_dir(cwd)
        .env_clear()
        .env("HOME", cwd)
        .env("TWENTY_API_URL", url)
        .env("CRM2TWENTY_RETRY_BASE_MS", "2")
        .env("RUST_BACKTRACE", "1")
        .args(args)
        .args(["--requests-per-minute", "60000"]);
    match key {
        KeyFrom::Env(k) => {
            cmd.env("TWENTY_API_KEY", k);
        }
        KeyFrom::File(f) => {
            cmd.arg("--api-key-file").arg(f);
        }
    }
    cmd.output().unwrap()
}

/// A pasted key: `Bearer ` before it, a newline after it.
fn pasted(key: &str) -> String {
    format!("Bearer {key}\n")
}

#[test]
fn a_whole_migration_leaves_the_key_nowhere_with_either_key_source() {
    let ex = example("salesforce");
    let exs = ex.to_str().unwrap();
    for (profile, from_file) in [(ProfileKind::Twenty2, false), (ProfileKind::Twenty15, true)] {
        let sb = sandbox(profile, ":memory:", |_| {});
        let url = sb.base_url();
        let tmp = tempfile::tempdir().unwrap();
        let keys = tempfile::tempdir().unwrap();
        let key_file = keys.path().join("twenty.key");
        std::fs::write(&key_file, pasted(KEY)).unwrap();
        let env_key = pasted(KEY);
        let key = if from_file {
            KeyFrom::File(&key_file)
        } else {
            KeyFrom::Env(&env_key)
        };
        let o = run_key(
            &[
                "migrate",
                exs,
                "--out",
                "o",
                "--as-of",
                "2026-11-24",
                "--yes",
                "--state",
                "st.sqlite",
            ],
            tmp.path(),
            &url,
            &key,
        );
        assert!(o.status.success(), "{profile:?}: {}", stderr(&o));
        assert_nowhere(&o, tmp.path(), None, KEY);
        // A second run, JSON events on stdout, and a plan.
        for args in [
            &[
                "import",
                exs,
                "--as-of",
                "2026-11-24",
                "--state",
                "st.sqlite",
                "--json",
            ][..],
            &["plan", exs, "--as-of", "2026-11-24", "--state", "st.sqlite"][..],
        ] {
            let o = run_key(args, tmp.path(), &url, &key);
            assert!(o.status.success(), "{args:?}: {}", stderr(&o));
            assert_nowhere(&o, tmp.path(), None, KEY);
        }
    }
}

#[test]
fn a_run_killed_half_way_leaves_no_key_in_the_write_ahead_log() {
    let ex = example("salesforce");
    let exs = ex.to_str().unwrap();
    let sb = sandbox(ProfileKind::Twenty2, ":memory:", |c| {
        c.latency = std::time::Duration::from_millis(40);
    });
    let url = sb.base_url();
    let tmp = tempfile::tempdir().unwrap();
    let o = run_key(
        &[
            "check",
            exs,
            "--apply",
            "--yes",
            "--as-of",
            "2026-11-24",
            "-q",
        ],
        tmp.path(),
        &url,
        &KeyFrom::Env(KEY),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("crm2twenty"))
        .current_dir(tmp.path())
        .env_clear()
        .env("TWENTY_API_URL", &url)
        .env("TWENTY_API_KEY", pasted(KEY))
        .args([
            "import",
            exs,
            "--as-of",
            "2026-11-24",
            "--state",
            "st.sqlite",
            "-q",
            "--batch-size",
            "5",
            "--requests-per-minute",
            "60000",
        ])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Until the state file has its write-ahead log, then a SIGKILL: no clean close, so the
    // `-wal` stays as the crash left it.
    let wal = tmp.path().join("st.sqlite-wal");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !(wal.exists() && std::fs::metadata(&wal).unwrap().len() > 0)
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(wal.exists(), "the killed run left no -wal");
    for file in files_under(tmp.path()) {
        assert_clean(
            &file.display().to_string(),
            &std::fs::read(&file).unwrap(),
            KEY,
        );
    }
}

#[test]
fn a_wrong_key_is_refused_in_one_sentence_and_repeated_nowhere() {
    let ex = example("salesforce");
    let exs = ex.to_str().unwrap();
    let sb = sandbox(ProfileKind::Twenty2, ":memory:", |_| {});
    let url = sb.base_url();
    let tmp = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let key_file = keys.path().join("wrong.key");
    std::fs::write(&key_file, pasted(WRONG)).unwrap();
    let env_key = pasted(WRONG);
    for key in [KeyFrom::Env(&env_key), KeyFrom::File(&key_file)] {
        for args in [
            &["check", exs, "--as-of", "2026-11-24"][..],
            &[
                "import",
                exs,
                "--as-of",
                "2026-11-24",
                "--state",
                "st.sqlite",
            ][..],
            &[
                "migrate",
                exs,
                "--out",
                "o",
                "--as-of",
                "2026-11-24",
                "--yes",
            ][..],
        ] {
            let o = run_key(args, tmp.path(), &url, &key);
            assert!(!o.status.success(), "{args:?}");
            let err = stderr(&o);
            assert_eq!(
                err.lines().filter(|l| l.starts_with("error:")).count(),
                1,
                "{err}"
            );
            assert!(err.contains("the API key was refused"), "{err}");
            assert_nowhere(&o, tmp.path(), None, WRONG);
        }
    }
}

/// Prepares a workspace (a clean sandbox on a database file: `check --apply`), then serves the
/// same database through a sandbox with `faults` limited to `scope`.
fn echoing(profile: ProfileKind, faults: &str, scope: &str, db: &Path) -> SandboxHandle {
    let ex = example("salesforce");
    let clean = sandbox(profile, db.to_str().unwrap(), |_| {});
    let tmp = tempfile::tempdir().unwrap();
    let o = run_key(
        &[
            "check",
            ex.to_str().unwrap(),
            "--apply",
            "--yes",
            "--as-of",
            "2026-11-24",
            "-q",
        ],
        tmp.path(),
        &clean.base_url(),
        &KeyFrom::Env(KEY),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    drop(clean);
    sandbox(profile, db.to_str().unwrap(), |c| {
        c.faults = faults.parse().unwrap();
        c.fault_scope = Some(scope.into());
        c.seed = 3;
    })
}

#[test]
fn a_server_echoing_the_key_in_a_500_page_does_not_make_it_leak() {
    let ex = example("salesforce");
    let exs = ex.to_str().unwrap();
    // Every request: `check` gives up after its retries and says why (exit 3: the server kept
    // failing, nothing is lost).
    let sb = sandbox(ProfileKind::Twenty2, ":memory:", |c| {
        c.faults = "echo500=1".parse().unwrap();
    });
    let tmp = tempfile::tempdir().unwrap();
    let o = run_key(
        &["check", exs, "--as-of", "2026-11-24"],
        tmp.path(),
        &sb.base_url(),
        &KeyFrom::Env(&pasted(KEY)),
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("hint: nothing is lost"),
        "{}",
        stderr(&o)
    );
    let err = stderr(&o);
    assert!(err.contains("Internal Server Error"), "{err}");
    assert!(err.contains("***"), "{err}");
    assert_nowhere(&o, tmp.path(), None, KEY);
    drop(sb);
    // Only the company writes: the import fails there, and the state file records the batch's
    // failure (the server's text) without the key.
    let db = tmp.path().join("sandbox.sqlite");
    let sb = echoing(
        ProfileKind::Twenty2,
        "echo500=1",
        "/rest/batch/companies",
        &db,
    );
    let work = tempfile::tempdir().unwrap();
    let o = run_key(
        &[
            "import",
            exs,
            "--as-of",
            "2026-11-24",
            "--state",
            "st.sqlite",
        ],
        work.path(),
        &sb.base_url(),
        &KeyFrom::Env(&pasted(KEY)),
    );
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("Internal Server Error"), "{err}");
    assert!(err.contains("the same command again"), "{err}");
    assert!(work.path().join("st.sqlite").exists());
    assert_nowhere(&o, work.path(), None, KEY);
}

#[test]
fn a_server_echoing_the_key_in_a_400_message_does_not_make_it_leak() {
    let ex = example("salesforce");
    let exs = ex.to_str().unwrap();
    // The record writes of people: REST batches on 2.x, GraphQL on 1.5. Refused records are
    // isolated, written to import-rejects.csv and the state file, and reported as JSON events.
    for (profile, scope) in [
        (ProfileKind::Twenty2, "/rest/batch/people"),
        (ProfileKind::Twenty15, "/graphql"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let sb = echoing(profile, "echo400=0.3", scope, &tmp.path().join("sb.sqlite"));
        let work = tempfile::tempdir().unwrap();
        let o = run_key(
            &[
                "import",
                exs,
                "--as-of",
                "2026-11-24",
                "--state",
                "st.sqlite",
                "--json",
                "--batch-size",
                "4",
            ],
            work.path(),
            &sb.base_url(),
            &KeyFrom::Env(&pasted(KEY)),
        );
        assert_eq!(o.status.code(), Some(1), "{profile:?}: {}", stderr(&o));
        let rejects = std::fs::read_to_string(work.path().join("import-rejects.csv")).unwrap();
        assert!(rejects.contains("authorization: Bearer ***"), "{rejects}");
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("\"rejected\""), "{out}");
        assert_nowhere(&o, work.path(), None, KEY);
        // The human-readable run says the same without the key.
        let o = run_key(
            &[
                "import",
                exs,
                "--as-of",
                "2026-11-24",
                "--state",
                "st.sqlite",
            ],
            work.path(),
            &sb.base_url(),
            &KeyFrom::Env(&pasted(KEY)),
        );
        assert!(o.status.code().is_some(), "{}", stderr(&o));
        assert_nowhere(&o, work.path(), None, KEY);
    }
}

/// `-v` prints every request (method, path, outcome, time), the refused ones with the server's
/// words, and still never the key, even from a server that echoes it.
#[test]
fn verbose_prints_every_request_and_never_the_key() {
    let ex = example("salesforce");
    let exs = ex.to_str().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let sb = echoing(
        ProfileKind::Twenty2,
        "echo400=0.3",
        "/rest/batch/people",
        &tmp.path().join("sb.sqlite"),
    );
    let work = tempfile::tempdir().unwrap();
    let o = run_key(
        &[
            "import",
            exs,
            "--as-of",
            "2026-11-24",
            "--state",
            "st.sqlite",
            "--batch-size",
            "4",
            "-v",
        ],
        work.path(),
        &sb.base_url(),
        &KeyFrom::Env(&pasted(KEY)),
    );
    let err = stderr(&o);
    assert!(
        err.contains("  GET /rest/metadata/objects -> ok ("),
        "{err}"
    );
    assert!(
        err.contains("  POST /rest/batch/companies?upsert=true -> ok ("),
        "{err}"
    );
    assert!(err.contains("-> refused: "), "{err}");
    assert_nowhere(&o, work.path(), None, KEY);
    // Without -v, no request lines.
    let o = run_key(
        &["plan", exs, "--as-of", "2026-11-24", "--state", "st.sqlite"],
        work.path(),
        &sb.base_url(),
        &KeyFrom::Env(KEY),
    );
    assert!(!stderr(&o).contains(" -> ok ("), "{}", stderr(&o));
}
