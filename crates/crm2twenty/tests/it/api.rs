//! The API route end to end: `migrate` with TWENTY_API_URL/TWENTY_API_KEY against the sandbox
//! (both Twenty profiles), then the workspace read back and compared with the Twenty-ready files
//! the same run wrote: every record there, every link kept, nothing duplicated; a second run
//! writes nothing; a record already in the workspace is updated, not duplicated; faults change
//! nothing in the result.

use crate::util::*;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;
use twenty_sandbox::{Config, ProfileKind, SandboxHandle};

pub(crate) const KEY: &str = "test-key-7f3a9c";

pub(crate) fn members_of(example_dir: &Path) -> Vec<Value> {
    let users = example_dir.join("User.csv");
    let members = example_dir.join("members.csv");
    if users.exists() {
        return read_csv(&users).iter().map(|u| json!({"name": {"firstName": u["FirstName"], "lastName": u["LastName"]}, "userEmail": u["Email"]})).collect();
    }
    if !members.exists() {
        return vec![];
    }
    // members.csv as people write it: any delimiter, a BOM, English or French headers.
    let text = std::fs::read_to_string(&members).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let delim = if text.lines().next().unwrap_or("").contains(';') {
        b';'
    } else {
        b','
    };
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delim)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = r
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    let col = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.contains(&h.as_str()))
            .unwrap()
    };
    let (f, l, e) = (
        col(&["first name", "prénom"]),
        col(&["last name", "nom"]),
        col(&["email", "e-mail"]),
    );
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            json!({"name": {"firstName": &rec[f], "lastName": &rec[l]}, "userEmail": &rec[e]})
        })
        .collect()
}

pub(crate) fn sandbox(profile: ProfileKind, members: Vec<Value>, faults: &str) -> SandboxHandle {
    sandbox_seeded(profile, members, faults, 7)
}

pub(crate) fn sandbox_seeded(
    profile: ProfileKind,
    members: Vec<Value>,
    faults: &str,
    seed: u64,
) -> SandboxHandle {
    let mut c = Config::for_tests(KEY);
    c.profile = profile;
    c.members = members;
    c.faults = faults.parse().unwrap();
    c.seed = seed;
    c.slow_delay = std::time::Duration::from_millis(50);
    twenty_sandbox::spawn(c).unwrap()
}

pub(crate) fn run_api(args: &[&str], cwd: &Path, url: &str) -> std::process::Output {
    let mut cmd = assert_cmd::Command::cargo_bin("crm2twenty").unwrap();
    cmd.current_dir(cwd)
        .env_clear()
        .env("HOME", cwd)
        .env("TWENTY_API_URL", url)
        .env("TWENTY_API_KEY", KEY)
        .env("CRM2TWENTY_RETRY_BASE_MS", "5")
        .args(args)
        .args(["--requests-per-minute", "60000"]);
    cmd.output().unwrap()
}

/// Starts the command against `url` as [`run_api`] runs it (its stderr kept), without waiting.
pub(crate) fn spawn_api(args: &[&str], cwd: &Path, url: &str) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("crm2twenty"))
        .current_dir(cwd)
        .env_clear()
        .env("TWENTY_API_URL", url)
        .env("TWENTY_API_KEY", KEY)
        .args(args)
        .args(["--requests-per-minute", "60000"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Presses Ctrl-C (SIGINT) on a running command; its output once it has stopped.
#[cfg(unix)]
pub(crate) fn interrupt(child: std::process::Child) -> std::process::Output {
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    child.wait_with_output().unwrap()
}

/// Runs a command; under heavy faults a run may give up after its retries, and the documented
/// remedy is to run the same command again, which resumes from the state file.
pub(crate) fn run_until_done(args: &[&str], cwd: &Path, url: &str) -> std::process::Output {
    let mut o = run_api(args, cwd, url);
    for _ in 0..8 {
        if o.status.success() || !stderr(&o).contains("the same command again") {
            break;
        }
        o = run_api(args, cwd, url);
    }
    o
}

/// Runs the command against `url` once per delay, killing it with SIGKILL after that many
/// milliseconds when it is still running; returns how many runs were killed mid-way.
pub(crate) fn kill_repeatedly(args: &[&str], cwd: &Path, url: &str, delays: &[u64]) -> usize {
    let bin = assert_cmd::cargo::cargo_bin("crm2twenty");
    let mut killed = 0;
    for &delay_ms in delays {
        let mut child = std::process::Command::new(&bin)
            .current_dir(cwd)
            .env_clear()
            .env("TWENTY_API_URL", url)
            .env("TWENTY_API_KEY", KEY)
            .env("CRM2TWENTY_RETRY_BASE_MS", "5")
            .args(args)
            .args(["--requests-per-minute", "60000"])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed += 1;
        }
        child.wait().unwrap();
    }
    killed
}

/// `check EXPORT --apply --yes` against `url` (the example's date), which must succeed: the
/// workspace prepared for an import.
pub(crate) fn check_apply(export: &str, dir: &Path, url: &str) {
    let o = run_api(
        &[
            "check",
            export,
            "--apply",
            "--yes",
            "--as-of",
            "2026-11-24",
            "-q",
        ],
        dir,
        url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

/// The summary of an `import --json` (its last line's `summary`), the run having succeeded.
pub(crate) fn import_summary(o: &std::process::Output) -> Value {
    assert!(o.status.success(), "{}", stderr(o));
    let out = String::from_utf8_lossy(&o.stdout);
    let last: Value = serde_json::from_str(out.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}: {out}"));
    last["summary"].clone()
}

pub(crate) fn client(url: &str) -> c2t_twenty::Client {
    let mut cfg = c2t_twenty::ClientConfig::new(url, c2t_twenty::ApiKey::new(KEY).unwrap());
    cfg.requests_per_minute = 100_000;
    // The reads that check the workspace go through the same faults: retry them quickly.
    cfg.backoff_base = std::time::Duration::from_millis(5);
    cfg.backoff_max = std::time::Duration::from_millis(100);
    cfg.max_retries = 20;
    c2t_twenty::Client::new(cfg).unwrap()
}

pub(crate) fn all(c: &c2t_twenty::Client, plural: &str) -> Vec<Value> {
    c.list_all(plural, None).unwrap()
}

pub(crate) fn s<'a>(v: &'a Value, path: &str) -> &'a str {
    v.pointer(path).and_then(Value::as_str).unwrap_or("")
}

/// Runs `migrate` through the API and checks the workspace against the files of the same run.
fn import_and_verify(example: &str, profile: ProfileKind, faults: &str) {
    import_and_verify_seeded(example, profile, faults, 7)
}

fn import_and_verify_seeded(example: &str, profile: ProfileKind, faults: &str, seed: u64) {
    let ex = crate::util::example(example);
    let sb = sandbox_seeded(profile, members_of(&ex), faults, seed);
    let url = sb.base_url();
    let tmp = tempfile::tempdir().unwrap();
    let args = [
        "migrate",
        ex.to_str().unwrap(),
        "--out",
        "o",
        "--as-of",
        "2026-11-24",
        "--yes",
        "--state",
        "state.sqlite",
    ];
    let o = run_until_done(&args, tmp.path(), &url);
    let err = stderr(&o);
    assert!(o.status.success(), "{example} {profile:?}: {err}");
    assert!(
        !err.contains(KEY) && !String::from_utf8_lossy(&o.stdout).contains(KEY),
        "the key is never printed"
    );
    let out = tmp.path().join("o");
    verify_workspace(example, &out, &url);
    // A second run writes nothing.
    let o = run_until_done(
        &[
            "import",
            ex.to_str().unwrap(),
            "--as-of",
            "2026-11-24",
            "--state",
            "state.sqlite",
            "--json",
        ],
        tmp.path(),
        &url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let events: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        events
            .iter()
            .filter(|e| e["event"] == "object")
            .all(|e| e["to_send"] == 0),
        "{events:?}"
    );
    verify_workspace(example, &out, &url);
}

/// The workspace holds exactly the records of the Twenty-ready files in `out`, with their links.
pub(crate) fn verify_workspace(example: &str, out: &Path, url: &str) {
    let c = client(url);
    let companies = all(&c, "companies");
    let people = all(&c, "people");
    let opps = all(&c, "opportunities");
    let members: HashMap<String, String> = all(&c, "workspaceMembers")
        .iter()
        .map(|m| (s(m, "/id").to_string(), s(m, "/userEmail").to_lowercase()))
        .collect();
    let file_companies = read_csv(&out.join("01-companies.csv"));
    let file_people = read_csv(&out.join("02-people.csv"));
    let file_opps = read_csv(&out.join("03-opportunities.csv"));
    assert_eq!(
        companies.len(),
        file_companies.len(),
        "{example}: companies"
    );
    assert_eq!(people.len(), file_people.len(), "{example}: people");
    assert_eq!(opps.len(), file_opps.len(), "{example}: opportunities");
    let by_id = |list: &[Value]| -> HashMap<String, Value> {
        list.iter()
            .map(|v| (s(v, "/id").to_string(), v.clone()))
            .collect()
    };
    let companies_by_id = by_id(&companies);
    let people_by_id = by_id(&people);
    // Every record is there with its id and fields; every link points where the files say.
    for row in &file_companies {
        let rec = companies_by_id
            .get(&row["Id"])
            .unwrap_or_else(|| panic!("company {} missing", row["Name"]));
        assert_eq!(s(rec, "/name"), row["Name"]);
        assert_eq!(
            s(rec, "/domainName/primaryLinkUrl"),
            row["Domain Name / Link URL"]
        );
        if let Some(owner) = row
            .get("Account Owner / User Email")
            .filter(|e| !e.is_empty())
        {
            assert_eq!(
                members.get(s(rec, "/accountOwnerId")),
                Some(owner),
                "owner of {}",
                row["Name"]
            );
        }
    }
    let company_domain: HashMap<&str, &str> = companies
        .iter()
        .map(|c| (s(c, "/id"), s(c, "/domainName/primaryLinkUrl")))
        .collect();
    for row in &file_people {
        let rec = people_by_id
            .get(&row["Id"])
            .unwrap_or_else(|| panic!("person {} missing", row["Emails / Primary Email"]));
        assert_eq!(
            s(rec, "/emails/primaryEmail"),
            row["Emails / Primary Email"]
        );
        let want = row
            .get("Company / Domain Name / Link URL")
            .map(String::as_str)
            .unwrap_or("");
        let want_id = row.get("Company / Id").map(String::as_str).unwrap_or("");
        match (want, want_id) {
            ("", "") => assert!(rec["companyId"].is_null(), "{} has no company", row["Id"]),
            ("", id) => assert_eq!(s(rec, "/companyId"), id),
            (domain, _) => assert_eq!(
                company_domain.get(s(rec, "/companyId")).copied(),
                Some(domain),
                "company of {}",
                row["Emails / Primary Email"]
            ),
        }
    }
    let person_email: HashMap<&str, &str> = people
        .iter()
        .map(|p| (s(p, "/id"), s(p, "/emails/primaryEmail")))
        .collect();
    for row in &file_opps {
        let rec = opps
            .iter()
            .find(|o| s(o, "/id") == row["Id"])
            .unwrap_or_else(|| panic!("opportunity {} missing", row["Name"]));
        assert_eq!(s(rec, "/stage"), row["Stage"]);
        if let Some(poc) = row
            .get("Point of Contact / Emails / Primary Email")
            .filter(|e| !e.is_empty())
        {
            assert_eq!(
                person_email.get(s(rec, "/pointOfContactId")).copied(),
                Some(poc.as_str())
            );
        }
    }
    // Notes, tasks and all their targets.
    for (object, plural, targets_plural, file) in [
        ("note", "notes", "noteTargets", "04-note-targets.csv"),
        ("task", "tasks", "taskTargets", "05-task-targets.csv"),
    ] {
        let path = out.join(file);
        if !path.exists() {
            continue;
        }
        let want = read_csv(&path);
        let got = all(&c, targets_plural);
        assert_eq!(got.len(), want.len(), "{example}: {targets_plural}");
        let owner_col = format!("{object}Id");
        for w in &want {
            let owner = &w[&format!("{} Id", if object == "note" { "Note" } else { "Task" })];
            let target = &w["Target Id"];
            assert!(
                got.iter().any(|g| s(g, &format!("/{owner_col}")) == owner
                    && g.as_object().unwrap().iter().any(|(k, v)| k != &owner_col
                        && k.ends_with("Id")
                        && v.as_str() == Some(target))),
                "{object} {owner} → {target} missing"
            );
        }
        assert_eq!(
            all(&c, plural).len(),
            read_csv(&out.join(format!(
                "0{}-{plural}.csv",
                if object == "note" { 4 } else { 5 }
            )))
            .len()
        );
    }
    assert_eq!(all(&c, "people").len(), people.len());
}

#[test]
fn salesforce_into_twenty_2() {
    import_and_verify("salesforce", ProfileKind::Twenty2, "");
}

#[test]
fn salesforce_into_twenty_1_5() {
    import_and_verify("salesforce", ProfileKind::Twenty15, "");
}

#[test]
fn hubspot_pipedrive_and_french_into_twenty_2() {
    for ex in ["hubspot", "pipedrive", "french-excel"] {
        import_and_verify(ex, ProfileKind::Twenty2, "");
    }
}

#[test]
fn pipedrive_into_twenty_1_5() {
    import_and_verify("pipedrive", ProfileKind::Twenty15, "");
}

#[test]
fn hubspot_and_french_into_twenty_1_5() {
    for ex in ["hubspot", "french-excel"] {
        import_and_verify(ex, ProfileKind::Twenty15, "");
    }
}

#[test]
fn faults_do_not_change_the_result() {
    // Each fault kind at 10% and all together, over several seeds, on both Twenty lines.
    let all = "500=0.1,502=0.1,503=0.1,504=0.1,drop=0.1,lost=0.1";
    for seed in 1..=4 {
        import_and_verify_seeded("salesforce", ProfileKind::Twenty2, all, seed);
        import_and_verify_seeded("salesforce", ProfileKind::Twenty15, all, seed);
    }
    for kind in ["500", "502", "503", "504", "drop", "lost"] {
        import_and_verify_seeded(
            "pipedrive",
            ProfileKind::Twenty2,
            &format!("{kind}=0.1"),
            11,
        );
    }
}

#[test]
fn a_record_already_in_the_workspace_is_updated_not_duplicated() {
    let ex = example("salesforce");
    let sb = sandbox(ProfileKind::Twenty2, members_of(&ex), "");
    let url = sb.base_url();
    let c = client(&url);
    c.batch_create("companies", &[json!({"name": "Acme (typed in Twenty)", "domainName": {"primaryLinkUrl": "https://acme.com"}})], false).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let o = run_api(
        &[
            "migrate",
            ex.to_str().unwrap(),
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
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let acme: Vec<Value> = all(&c, "companies")
        .into_iter()
        .filter(|v| s(v, "/domainName/primaryLinkUrl") == "https://acme.com")
        .collect();
    assert_eq!(acme.len(), 1, "{acme:?}");
    assert_eq!(
        s(&acme[0], "/name"),
        "Acme (typed in Twenty)",
        "fill-empty: what a person typed stays"
    );
    assert_eq!(acme[0]["employees"], json!(320), "empty fields are filled");
    let ada = all(&c, "people")
        .into_iter()
        .find(|p| s(p, "/emails/primaryEmail") == "ada@acme.com")
        .unwrap();
    assert_eq!(
        s(&ada, "/companyId"),
        s(&acme[0], "/id"),
        "links point at the existing record"
    );
}

#[test]
fn check_lists_what_is_missing_and_blocks_until_applied() {
    let ex = example("salesforce");
    let sb = sandbox(ProfileKind::Twenty2, vec![], "");
    let url = sb.base_url();
    let tmp = tempfile::tempdir().unwrap();
    let o = run_api(
        &["check", ex.to_str().unwrap(), "--as-of", "2026-11-24"],
        tmp.path(),
        &url,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("field company.sourceRecordId (TEXT, unique)"),
        "{err}"
    );
    assert!(
        err.contains("options of opportunity.stage: LOST, ON_HOLD"),
        "{err}"
    );
    assert!(
        err.contains("Owners who are not workspace members"),
        "{err}"
    );
    let o = run_api(
        &["import", ex.to_str().unwrap(), "--as-of", "2026-11-24"],
        tmp.path(),
        &url,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("run `crm2twenty check --apply` first"),
        "{}",
        stderr(&o)
    );
    assert!(
        all(&client(&url), "companies")
            .iter()
            .all(|c| s(c, "/sourceRecordId").is_empty())
    );
}

#[test]
fn a_wrong_key_gets_one_clear_sentence() {
    let sb = sandbox(ProfileKind::Twenty2, vec![], "");
    let tmp = tempfile::tempdir().unwrap();
    let ex = example("salesforce");
    let mut cmd = assert_cmd::Command::cargo_bin("crm2twenty").unwrap();
    cmd.current_dir(tmp.path())
        .env_clear()
        .env("TWENTY_API_URL", sb.base_url())
        .env("TWENTY_API_KEY", "Bearer wrong-key-123\n")
        .args(["check", ex.to_str().unwrap()]);
    let o = cmd.output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.lines().filter(|l| l.starts_with("error:")).count() == 1,
        "{err}"
    );
    assert!(!err.contains("wrong-key-123"), "{err}");
}

#[test]
fn an_import_killed_at_random_points_resumes_to_the_same_workspace() {
    let ex = example("salesforce");
    let mut cfg = Config::for_tests(KEY);
    cfg.members = members_of(&ex);
    cfg.latency = std::time::Duration::from_millis(40);
    // Some answers are lost after the server wrote the batch: a kill then lands while the
    // importer waits to re-send a batch the workspace already holds.
    cfg.faults = "lost=0.15".parse().unwrap();
    cfg.seed = 5;
    let sb = twenty_sandbox::spawn(cfg).unwrap();
    let url = sb.base_url();
    let tmp = tempfile::tempdir().unwrap();
    let exs = ex.to_str().unwrap();
    // The expected files, and a workspace ready for the import.
    let o = run(
        &["export", exs, "--out", "o", "--as-of", "2026-11-24", "-q"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    check_apply(exs, tmp.path(), &url);
    // Kill -9 the importer at a dozen random points (seeded), each time resuming from the state
    // it left.
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let delays: Vec<u64> = (0..12)
        .map(|_| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            120 + rng % 500
        })
        .collect();
    let killed = kill_repeatedly(
        &[
            "import",
            exs,
            "--as-of",
            "2026-11-24",
            "--state",
            "st.sqlite",
            "-q",
            "--batch-size",
            "5",
        ],
        tmp.path(),
        &url,
        &delays,
    );
    assert!(
        killed >= 8,
        "the importer was killed mid-run {killed} times only"
    );
    let o = run_api(
        &[
            "import",
            exs,
            "--as-of",
            "2026-11-24",
            "--state",
            "st.sqlite",
            "--batch-size",
            "5",
        ],
        tmp.path(),
        &url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    verify_workspace("salesforce", &tmp.path().join("o"), &url);
}

/// Ctrl-C stops an import between two batches: it says how to resume, exits 130 and marks the
/// run interrupted; the same command resumes it (saying so), and every record is written and
/// counted once (a rollback lists as many records as the workspace holds).
#[cfg(unix)]
#[test]
fn ctrl_c_stops_between_batches_and_the_same_command_resumes() {
    let ex = example("salesforce");
    let mut cfg = Config::for_tests(KEY);
    cfg.members = members_of(&ex);
    cfg.latency = std::time::Duration::from_millis(40);
    let sb = twenty_sandbox::spawn(cfg).unwrap();
    let url = sb.base_url();
    let tmp = tempfile::tempdir().unwrap();
    let exs = ex.to_str().unwrap();
    let o = run(
        &["export", exs, "--out", "o", "--as-of", "2026-11-24", "-q"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    check_apply(exs, tmp.path(), &url);
    let args = [
        "import",
        exs,
        "--as-of",
        "2026-11-24",
        "--state",
        "st.sqlite",
        "--batch-size",
        "3",
    ];
    let child = spawn_api(&args, tmp.path(), &url);
    // Once some batches are confirmed (people come after companies).
    let c = client(&url);
    let start = std::time::Instant::now();
    while all(&c, "companies").len() < 6 {
        assert!(start.elapsed().as_secs() < 60, "the import wrote nothing");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let o = interrupt(child);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(130), "{err}");
    // ("interrupting: …" is said at once when the batch in flight takes longer than this one.)
    assert!(
        err.contains("interrupted: run 1 stopped between two batches"),
        "{err}"
    );
    assert!(
        err.contains("run the same command again to resume"),
        "{err}"
    );
    let store = c2t_state::Store::open_read_only(&tmp.path().join("st.sqlite")).unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, c2t_state::RunStatus::Interrupted);
    // Nothing in doubt: every record sent was answered.
    assert!(
        store.counts(None).unwrap().values().all(|c| c.sent == 0),
        "{:?}",
        store.counts(None).unwrap()
    );
    drop(store);
    let written_before = all(&c, "companies").len() + all(&c, "people").len();
    assert!(written_before > 0);
    // `runs` says so, and what to type.
    let o = run(&["runs", "--state", "st.sqlite"], tmp.path());
    let (out, err) = (String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(out.contains(" interrupted "), "{out}");
    assert!(err.contains("Import runs in st.sqlite:"), "{err}");
    // The records it wrote, by name.
    assert!(err.contains("      company "), "{err}");
    assert!(
        err.contains("run 1 did not finish: run the same import command again to resume it"),
        "{err}"
    );
    assert!(
        err.contains("crm2twenty rollback --state st.sqlite --dry-run"),
        "{err}"
    );

    let o = run_api(&args, tmp.path(), &url);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("resuming: run 1 was interrupted"), "{err}");
    verify_workspace("salesforce", &tmp.path().join("o"), &url);
    // Every record once: the undo of both runs lists as many as the workspace holds.
    let o = run(
        &["rollback", "--state", "st.sqlite", "--dry-run"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("to do it: crm2twenty rollback --state st.sqlite --yes"),
        "{}",
        stderr(&o)
    );
    let listed = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| l.split('\t').nth(2) == Some("person"))
        .count();
    assert_eq!(listed, all(&c, "people").len());
}

#[test]
fn a_state_file_from_another_workspace_does_not_hide_missing_records() {
    let ex = example("pipedrive");
    let tmp = tempfile::tempdir().unwrap();
    let exs = ex.to_str().unwrap();
    for _ in 0..2 {
        // A new, empty workspace each time, the same state file.
        let sb = sandbox(ProfileKind::Twenty2, members_of(&ex), "");
        let url = sb.base_url();
        let o = run_api(
            &[
                "migrate",
                exs,
                "--out",
                "o",
                "--as-of",
                "2026-11-24",
                "--yes",
                "--state",
                "shared.sqlite",
                "-q",
            ],
            tmp.path(),
            &url,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        verify_workspace("pipedrive", &tmp.path().join("o"), &url);
    }
}

#[test]
fn a_soft_deleted_record_is_revived_not_duplicated_on_twenty_2() {
    let ex = example("salesforce");
    let sb = sandbox(ProfileKind::Twenty2, members_of(&ex), "");
    let url = sb.base_url();
    let c = client(&url);
    let made = c
        .batch_create("people", &[json!({"name": {"firstName": "Ada", "lastName": "Old"}, "emails": {"primaryEmail": "ada@acme.com"}})], false)
        .unwrap();
    let old_id = s(&made[0], "/id").to_string();
    c.delete("people", &old_id, true).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    // plan says so before anything is written.
    check_apply(ex.to_str().unwrap(), tmp.path(), &url);
    let o = run_api(
        &[
            "plan",
            ex.to_str().unwrap(),
            "--as-of",
            "2026-11-24",
            "--state",
            "st.sqlite",
        ],
        tmp.path(),
        &url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    let person = err
        .lines()
        .find(|l| l.trim_start().starts_with("person") && l.contains("created"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(person.contains("(revived 1)"), "{person}");
    // check says it before: one person in the trash, restored with the export's values
    let o = run_api(
        &["check", ex.to_str().unwrap(), "--as-of", "2026-11-24"],
        tmp.path(),
        &url,
    );
    assert!(
        stderr(&o).contains("1 in its trash: restored with the export's values"),
        "{}",
        stderr(&o)
    );
    assert!(person.contains("left out"), "{person}");
    // One closing line, as terraform's; the restored person counted there too.
    let plan = err
        .lines()
        .find(|l| l.starts_with("Plan: "))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(plan.contains(" 1 to restore from the trash"), "{plan}");
    assert!(
        plan.contains(" requests, ") && plan.contains("requests a minute"),
        "{plan}"
    );
    let o = run_api(
        &[
            "migrate",
            ex.to_str().unwrap(),
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
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let ada = c
        .get("people", &old_id)
        .unwrap()
        .expect("the soft-deleted person is revived under its own id");
    assert!(ada["deletedAt"].is_null(), "{ada}");
    // Restored with the export's values, not the ones it held when it was deleted (a live
    // 2.19 kept the old ones when only empty fields were sent:
    // shared/twenty-live-2x/2026-12/upsert-revives-soft-deleted.json).
    assert_eq!(s(&ada, "/name/lastName"), "Lindqvist", "{ada}");
    assert_eq!(s(&ada, "/jobTitle"), "VP Operations", "{ada}");
    let adas = all(&c, "people")
        .into_iter()
        .filter(|p| s(p, "/emails/primaryEmail") == "ada@acme.com")
        .count();
    assert_eq!(adas, 1);
    // Links to her point at the revived record.
    let notes_targets = all(&c, "noteTargets");
    assert!(notes_targets.iter().any(|t| {
        t.as_object()
            .unwrap()
            .values()
            .any(|v| v.as_str() == Some(old_id.as_str()))
    }));
}

/// `--json` means one thing everywhere: the command's result as JSON on stdout, the human
/// summary on stderr; a long command streams its events, one a line, the last its summary.
#[test]
fn json_is_the_result_on_stdout_for_every_command() {
    let ex = example("salesforce");
    let exs = ex.to_str().unwrap();
    let sb = sandbox(ProfileKind::Twenty2, members_of(&ex), "");
    let url = sb.base_url();
    let tmp = tempfile::tempdir().unwrap();
    let doc = |o: &std::process::Output| -> Value {
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
            panic!("{e}: {}\n{}", String::from_utf8_lossy(&o.stdout), stderr(o))
        })
    };
    let o = run(&["presets", "--json"], tmp.path());
    assert!(
        doc(&o)
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "salesforce")
    );
    let o = run(&["init", exs], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["validate", exs, "--json"], tmp.path());
    assert_eq!(doc(&o)["valid"], true);
    // Before --apply: not ready, with what is missing.
    let o = run_api(
        &["check", exs, "--as-of", "2026-11-24", "--json"],
        tmp.path(),
        &url,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let d = doc(&o);
    assert_eq!(d["ready"], false);
    assert!(!d["plan"]["fields"].as_array().unwrap().is_empty(), "{d}");
    let o = run_api(
        &[
            "check",
            exs,
            "--as-of",
            "2026-11-24",
            "--apply",
            "--yes",
            "--json",
        ],
        tmp.path(),
        &url,
    );
    assert_eq!(doc(&o)["ready"], true, "{}", stderr(&o));
    let o = run_api(
        &["import", exs, "--as-of", "2026-11-24", "--json"],
        tmp.path(),
        &url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let last = lines.last().unwrap();
    assert_eq!(last["event"], "summary");
    assert_eq!(last["summary"]["objects"]["company"]["created"], 12);
    assert_eq!(last["summary"]["uploaded_files"], 5);
    let o = run(&["runs", "--json"], tmp.path());
    let runs = doc(&o);
    assert_eq!(runs.as_array().unwrap().len(), 1, "{runs}");
    assert_eq!(runs[0]["status"], "done");
    assert!(runs[0]["created"].as_u64().unwrap() > 0);
}

/// `plan --save FILE` then `import --plan FILE` writes exactly what the plan showed; when the
/// workspace changed in between (a person typed in with an email the export holds: an update,
/// no longer a create), the import writes nothing and names the difference.
#[test]
fn a_saved_plan_is_applied_exactly_or_not_at_all() {
    let ex = example("hubspot");
    let exs = ex.to_str().unwrap();
    let sb = sandbox(ProfileKind::Twenty2, members_of(&ex), "");
    let url = sb.base_url();
    let c = client(&url);
    let tmp = tempfile::tempdir().unwrap();
    let o = run_api(&["check", exs, "--apply", "--yes"], tmp.path(), &url);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run_api(&["plan", exs, "--save", "plan.json"], tmp.path(), &url);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("plan saved to plan.json"),
        "{}",
        stderr(&o)
    );
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("plan.json")).unwrap())
            .unwrap();
    let writes = saved["writes"].as_array().unwrap();
    assert!(!writes.is_empty());
    assert!(
        !saved.to_string().contains(KEY),
        "the key is not in the plan"
    );
    let person = all(&c, "people").len();
    assert_eq!(person, 0);
    // Someone types in a person the export holds.
    let email = read_csv(&ex.join("hubspot-crm-exports-all-contacts-2026-11-01.csv"))[0]["Email"]
        .to_lowercase();
    c.batch_create(
        "people",
        &[json!({"name": {"firstName": "Typed", "lastName": "In"}, "emails": {"primaryEmail": email}})],
        false,
    )
    .unwrap();
    let o = run_api(&["import", exs, "--plan", "plan.json"], tmp.path(), &url);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("nothing was written"), "{err}");
    assert!(err.contains("changed: person"), "{err}");
    assert!(err.contains("create → update"), "{err}");
    assert_eq!(all(&c, "people").len(), 1, "nothing was written");
    // A new plan, applied as it is.
    let o = run_api(&["plan", exs, "--save", "plan.json"], tmp.path(), &url);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run_api(&["import", exs, "--plan", "plan.json"], tmp.path(), &url);
    assert!(o.status.success(), "{}", stderr(&o));
    let planned: usize = serde_json::from_str::<Value>(
        &std::fs::read_to_string(tmp.path().join("plan.json")).unwrap(),
    )
    .unwrap()["writes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["object"] == "person")
        .count();
    assert_eq!(all(&c, "people").len(), planned);
}
