//! `import` when its state file cannot be written: a read-only file, a read-only directory, a
//! full disk. Each time: one sentence naming the file, a hint, a non-zero exit code; then, the
//! cause removed, the same command resumes and the workspace ends with every record once.
//!
//! Read-only: tests run as root here, and root writes through `chmod 0444`; so when the test
//! runs as root the importer is started as `nobody` (uid 65534, `Command::uid`), for whom the
//! permissions hold. Disk full: a real full file system, a small tmpfs mounted for the test and
//! filled up, so SQLite meets a real `ENOSPC` wherever it happens to write (the database, its
//! `-wal` or `-shm`). Mounting needs root (CAP_SYS_ADMIN): elsewhere the test says it is skipped.
//! SQLite's own `SQLITE_FULL` path is also covered without root by c2t-state's unit test
//! (`max_page_count`).

use crate::api::{KEY, members_of, run_api, verify_workspace};
use crate::util::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Output;
use twenty_sandbox::{Config, SandboxHandle};

const AS_OF: &str = "2026-11-24";

fn sandbox() -> SandboxHandle {
    let mut c = Config::for_tests(KEY);
    c.members = members_of(&example("salesforce"));
    twenty_sandbox::spawn(c).unwrap()
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// `import` as an unprivileged user (`nobody` when the test is root), so file permissions hold.
fn import_unprivileged(cwd: &Path, url: &str, state: &Path) -> Output {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("crm2twenty"));
    cmd.current_dir(cwd)
        .env_clear()
        .env("HOME", cwd)
        .env("TWENTY_API_URL", url)
        .env("TWENTY_API_KEY", KEY)
        .args(import_args(state))
        .args(["--requests-per-minute", "60000"]);
    if is_root() {
        cmd.uid(65534).gid(65534);
    }
    cmd.output().unwrap()
}

fn import_args(state: &Path) -> Vec<String> {
    let ex = example("salesforce");
    [
        "import",
        ex.to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--state",
        state.to_str().unwrap(),
        "--batch-size",
        "5",
    ]
    .map(String::from)
    .to_vec()
}

fn import(cwd: &Path, url: &str, state: &Path) -> Output {
    let args = import_args(state);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_api(&args, cwd, url)
}

/// A workspace ready for the import, and the files it must end up holding (in `cwd/o`).
fn prepare(cwd: &Path, url: &str) {
    let exs = example("salesforce");
    let exs = exs.to_str().unwrap();
    let o = run(&["export", exs, "--out", "o", "--as-of", AS_OF, "-q"], cwd);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run_api(
        &["check", exs, "--apply", "--yes", "--as-of", AS_OF, "-q"],
        cwd,
        url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

/// The error sentence and its hint: exactly one `error:` line naming the file, then `hint:`.
fn assert_one_clear_error(o: &Output, state: &Path, says: &str) {
    let err = stderr(o);
    assert!(!o.status.success(), "{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(
        errors[0].contains(&state.display().to_string()),
        "the error names the file: {err}"
    );
    assert!(errors[0].contains(says), "{err}");
    assert!(
        err.lines()
            .any(|l| l.starts_with("hint:") && l.contains("run the same command again")),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_read_only_state_file_is_named_and_the_import_resumes_once_writable() {
    let sb = sandbox();
    let url = sb.base_url();
    let tmp = tempfile::tempdir().unwrap();
    chmod(tmp.path(), 0o777);
    prepare(tmp.path(), &url);
    let state = tmp.path().join("st.sqlite");
    // A state file from an earlier run (a plan creates it), now read-only.
    let o = run_api(
        &[
            "plan",
            example("salesforce").to_str().unwrap(),
            "--as-of",
            AS_OF,
            "--state",
            "st.sqlite",
        ],
        tmp.path(),
        &url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    chmod(&state, 0o444);
    let o = import_unprivileged(tmp.path(), &url, &state);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_one_clear_error(&o, &state, "read-only");
    assert!(
        crate::api::all(&crate::api::client(&url), "people").is_empty(),
        "nothing was sent"
    );
    chmod(&state, 0o644);
    let o = import(tmp.path(), &url, &state);
    assert!(o.status.success(), "{}", stderr(&o));
    verify_workspace("salesforce", &tmp.path().join("o"), &url);
}

#[test]
fn a_read_only_directory_is_named_and_the_import_resumes_once_writable() {
    let sb = sandbox();
    let url = sb.base_url();
    let tmp = tempfile::tempdir().unwrap();
    chmod(tmp.path(), 0o777);
    prepare(tmp.path(), &url);
    let dir = tmp.path().join("state");
    std::fs::create_dir(&dir).unwrap();
    // No state file yet, in a directory nobody may write to.
    let state = dir.join("st.sqlite");
    chmod(&dir, 0o555);
    let o = import_unprivileged(tmp.path(), &url, &state);
    assert_one_clear_error(&o, &state, "read-only");
    // A state file already there, writable, in a read-only directory (SQLite needs to create
    // the -wal and -shm files next to it).
    chmod(&dir, 0o777);
    let o = run_api(
        &[
            "plan",
            example("salesforce").to_str().unwrap(),
            "--as-of",
            AS_OF,
            "--state",
            state.to_str().unwrap(),
        ],
        tmp.path(),
        &url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    chmod(&state, 0o666);
    chmod(&dir, 0o555);
    let o = import_unprivileged(tmp.path(), &url, &state);
    assert_one_clear_error(&o, &state, "read-only");
    assert!(crate::api::all(&crate::api::client(&url), "people").is_empty());
    chmod(&dir, 0o755);
    let o = import(tmp.path(), &url, &state);
    assert!(o.status.success(), "{}", stderr(&o));
    verify_workspace("salesforce", &tmp.path().join("o"), &url);
}

/// A tmpfs mounted for the test, unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(at).unwrap();
        let ok = std::process::Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0777"),
                "tmpfs",
            ])
            .arg(at)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(at.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
    }
}

/// Fills the file system of `dir` with `filler`, then gives back `slack` bytes.
fn fill(filler: &Path, slack: u64) {
    use std::io::Write;
    let mut f = std::fs::File::create(filler).unwrap();
    let chunk = vec![0xA5u8; 64 * 1024];
    loop {
        match f.write(&chunk) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
    let _ = f.flush();
    let len = std::fs::metadata(filler).unwrap().len();
    f.set_len(len.saturating_sub(slack)).unwrap();
    f.sync_all().unwrap();
}

#[test]
fn a_full_disk_stops_the_import_cleanly_and_it_resumes_once_space_is_freed() {
    let sb = sandbox();
    let url = sb.base_url();
    let tmp = tempfile::tempdir().unwrap();
    let Some(disk) = Tmpfs::mount(&tmp.path().join("disk"), "4m") else {
        eprintln!(
            "skipped: cannot mount a tmpfs here (needs root); SQLITE_FULL is covered by c2t-state"
        );
        return;
    };
    prepare(tmp.path(), &url);
    let state = disk.0.join("st.sqlite");
    let filler = disk.0.join("filler");
    let people = read_csv(&tmp.path().join("o/02-people.csv")).len();
    // Room for the state file to be created and a few batches, not for the whole import
    // (about 480 KiB of state for this export, in batches of 5: with 200 KiB the disk fills up
    // half-way, among the companies or the first people).
    fill(&filler, 200 * 1024);
    let o = import(tmp.path(), &url, &state);
    assert_one_clear_error(&o, &state, "disk full");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let c = crate::api::client(&url);
    let sent = crate::api::all(&c, "people").len();
    assert!(
        sent < people,
        "the disk filled up before the end ({sent}/{people})"
    );
    assert!(
        !crate::api::all(&c, "companies").is_empty(),
        "the disk filled up half-way, not before the first batch"
    );
    // Space freed: the same command resumes and finishes; every record once, every link kept.
    std::fs::remove_file(&filler).unwrap();
    let o = import(tmp.path(), &url, &state);
    assert!(o.status.success(), "{}", stderr(&o));
    verify_workspace("salesforce", &tmp.path().join("o"), &url);
    // The state file is sound: a run with nothing new sends nothing.
    let o = run_api(
        &[
            "import",
            example("salesforce").to_str().unwrap(),
            "--as-of",
            AS_OF,
            "--state",
            state.to_str().unwrap(),
            "--json",
        ],
        tmp.path(),
        &url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    for line in out.lines() {
        let e: serde_json::Value = serde_json::from_str(line).unwrap();
        if e["event"] == "object" {
            assert_eq!(e["to_send"], 0, "{line}");
        }
    }
    drop(disk);
}
