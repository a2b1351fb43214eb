//! After the import, against the sandbox: `verify` passes on a clean import and names what was
//! changed behind the tool's back; `rollback` returns the workspace to exactly its state before
//! the run (previous values of updated records included), also when killed half-way and run
//! again; the migration report displays in a headless browser without script errors.

use crate::api::{
    KEY, all, check_apply, client, kill_repeatedly, members_of, run_api, s, sandbox, spawn_api,
};
use crate::browser;
use crate::util::*;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use twenty_sandbox::{Config, ProfileKind};

const PLURALS: [&str; 7] = [
    "companies",
    "people",
    "opportunities",
    "notes",
    "tasks",
    "noteTargets",
    "taskTargets",
];

/// Every record of the import's objects, without the timestamp a write changes, sorted by id.
fn snapshot(c: &c2t_twenty::Client, filter: Option<&str>) -> Vec<(String, Vec<Value>)> {
    PLURALS
        .iter()
        .map(|p| {
            let mut list: Vec<Value> = c
                .list_all(p, filter)
                .unwrap()
                .into_iter()
                .map(|mut v| {
                    if let Value::Object(m) = &mut v {
                        m.remove("updatedAt");
                    }
                    v
                })
                .collect();
            list.sort_by(|a, b| s(a, "/id").cmp(s(b, "/id")));
            (p.to_string(), list)
        })
        .collect()
}

fn counts(snap: &[(String, Vec<Value>)]) -> Vec<(String, usize)> {
    snap.iter().map(|(p, l)| (p.clone(), l.len())).collect()
}

/// The sandbox with two records a person typed in Twenty before the import: the import updates
/// them (fill-empty) rather than creating them.
fn seeded(profile: ProfileKind) -> (twenty_sandbox::SandboxHandle, c2t_twenty::Client) {
    let ex = example("salesforce");
    let sb = sandbox(profile, members_of(&ex), "");
    let c = client(&sb.base_url());
    c.batch_create(
        "companies",
        &[json!({"name": "Acme (typed in Twenty)", "domainName": {"primaryLinkUrl": "https://acme.com"}})],
        false,
    )
    .unwrap();
    c.batch_create(
        "people",
        &[json!({"name": {"firstName": "Ada", "lastName": "L."}, "emails": {"primaryEmail": "ada@acme.com"}, "jobTitle": ""})],
        false,
    )
    .unwrap();
    (sb, c)
}

fn import(ex: &str, dir: &Path, url: &str, extra: &[&str]) {
    let mut args = vec![
        "import",
        ex,
        "--as-of",
        "2026-11-24",
        "--state",
        "st.sqlite",
    ];
    args.extend_from_slice(extra);
    let o = run_api(&args, dir, url);
    assert!(o.status.success(), "{}", stderr(&o));
    // The report goes to the output folder (--out, crm2twenty-out by default), beside the audit.
    let out = dir.join("crm2twenty-out");
    let report =
        std::fs::read_to_string(out.join("report.html")).expect("import writes the report");
    assert!(report.contains("What was written to Twenty"));
    assert!(
        report.contains("Not verified yet") && report.contains("crm2twenty verify "),
        "the report says how to add the verification"
    );
    assert!(report.contains("href=\"audit.html\""));
    let audit = std::fs::read_to_string(out.join("audit.html")).expect("and the audit beside it");
    assert!(audit.contains("href=\"report.html\""));
}

/// Requests the sandbox has answered so far (`GET /sandbox/stats`, not counted itself).
fn sandbox_requests(url: &str) -> u64 {
    use std::io::{Read, Write};
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET /sandbox/stats HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let body = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
    let v: Value = serde_json::from_str(body.trim()).unwrap();
    v["requests"].as_u64().unwrap()
}

fn rollback_round_trip(profile: ProfileKind, destroy: bool) {
    let (sb, c) = seeded(profile);
    let url = sb.base_url();
    let ex = example("salesforce");
    let exs = ex.to_str().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    check_apply(exs, tmp.path(), &url);
    let before = snapshot(&c, None);
    import(exs, tmp.path(), &url, &[]);
    let during = snapshot(&c, None);
    assert_ne!(counts(&before), counts(&during), "the import wrote records");
    let acme = |snap: &[(String, Vec<Value>)]| {
        snap[0]
            .1
            .iter()
            .find(|v| s(v, "/domainName/primaryLinkUrl") == "https://acme.com")
            .cloned()
            .unwrap()
    };
    assert_eq!(
        acme(&during)["employees"],
        json!(320),
        "the import filled it"
    );
    // A record written behind the tool's back after the import: rollback leaves it alone.
    c.batch_create(
        "companies",
        &[json!({"name": "Typed after the import"})],
        false,
    )
    .unwrap();

    // --dry-run lists and changes nothing.
    let o = run_api(
        &["rollback", "--state", "st.sqlite", "--dry-run"],
        tmp.path(),
        &url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let listed = String::from_utf8_lossy(&o.stdout).lines().count();
    assert!(listed > 50, "{listed} steps listed");
    assert!(
        stderr(&o).contains("restore previous values of 1 company"),
        "{}",
        stderr(&o)
    );
    // Records are named: the company it restores, the people it deletes.
    assert!(stderr(&o).contains("      Acme Corp"), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let deleted: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("\tdelete\tperson\t"))
        .collect();
    assert!(!deleted.is_empty(), "{out}");
    assert!(
        deleted
            .iter()
            .all(|l| !l.rsplit('\t').next().unwrap().trim().is_empty()),
        "every person deleted is named: {out}"
    );
    assert!(out.contains("\tAda Lindqvist"), "{out}");
    let mut args = vec!["rollback", "--state", "st.sqlite", "--yes"];
    if destroy {
        args.push("--destroy");
    }
    // Without --yes and no terminal to ask: nothing is done.
    let o = run_api(&args[..3], tmp.path(), &url);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing was undone"));
    let requests = sandbox_requests(&url);
    let o = run_api(&args, tmp.path(), &url);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("rolled back run 1"), "{}", stderr(&o));
    // Deletes go a hundred records a request: the whole undo of the run, its reads of the
    // workspace included, takes a fraction of a request per record.
    let used = sandbox_requests(&url) - requests;
    // A request an object (200 records a mass delete), one for the company it restores, and
    // the schema's read (not the members: rollback needs none); on 2.x the targets go with
    // their notes and tasks (the server's hooks), so their two objects cost nothing — and are
    // undone all the same.
    let most = if profile == ProfileKind::Twenty2 {
        9
    } else {
        11
    };
    assert!(used <= most, "{used} requests for {listed} steps");
    assert!(
        stderr(&o).contains("noteTarget     deleted     13")
            && stderr(&o).contains("taskTarget     deleted     22"),
        "{}",
        stderr(&o)
    );

    let mut after = snapshot(&c, None);
    let typed: Vec<Value> = after[0]
        .1
        .iter()
        .filter(|v| s(v, "/name") == "Typed after the import")
        .cloned()
        .collect();
    assert_eq!(
        typed.len(),
        1,
        "a record the run did not write is not touched"
    );
    after[0]
        .1
        .retain(|v| s(v, "/name") != "Typed after the import");
    assert_eq!(acme(&after)["employees"], acme(&before)["employees"]);
    assert_eq!(after, before, "the workspace is as it was before the run");
    if profile == ProfileKind::Twenty2 {
        let deleted = snapshot(&c, Some("deletedAt[is]:NOT_NULL"));
        let n: usize = deleted.iter().map(|(_, l)| l.len()).sum();
        if destroy {
            assert_eq!(n, 0, "--destroy leaves nothing in the trash");
        } else {
            assert!(
                n > 50,
                "a soft rollback leaves the records in the trash ({n})"
            );
        }
    }
    // Rolled back once: a second rollback has nothing to do, and says so.
    let o = run_api(
        &["rollback", "--state", "st.sqlite", "--yes"],
        tmp.path(),
        &url,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already rolled back"), "{}", stderr(&o));
    // And the same import can run again, into the same workspace.
    import(exs, tmp.path(), &url, &[]);
    assert_eq!(counts(&snapshot(&c, None))[1..], counts(&during)[1..]);
}

#[test]
fn rollback_restores_the_workspace_on_twenty_2() {
    rollback_round_trip(ProfileKind::Twenty2, false);
}

#[test]
fn rollback_destroy_restores_the_workspace_on_twenty_2() {
    rollback_round_trip(ProfileKind::Twenty2, true);
}

#[test]
fn rollback_restores_the_workspace_on_twenty_1_5() {
    rollback_round_trip(ProfileKind::Twenty15, false);
}

#[test]
fn a_rollback_killed_half_way_finishes_when_run_again() {
    let ex = example("salesforce");
    let exs = ex.to_str().unwrap();
    let mut cfg = Config::for_tests(KEY);
    cfg.members = members_of(&ex);
    // Slow enough that three kills land before the rollback is done: it is about eight
    // requests (200 records a mass delete, targets going with their notes on 2.x).
    cfg.latency = std::time::Duration::from_millis(150);
    let sb = twenty_sandbox::spawn(cfg).unwrap();
    let url = sb.base_url();
    let c = client(&url);
    c.batch_create(
        "companies",
        &[json!({"name": "Acme (typed in Twenty)", "domainName": {"primaryLinkUrl": "https://acme.com"}})],
        false,
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    check_apply(exs, tmp.path(), &url);
    let before = snapshot(&c, None);
    // Two runs: the second, on a changed export, updates records the first created.
    import(exs, tmp.path(), &url, &["--batch-size", "7"]);
    let changed = tmp.path().join("changed");
    std::fs::create_dir(&changed).unwrap();
    for e in std::fs::read_dir(&ex).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            // The attachment folders, file by file.
            std::fs::create_dir(changed.join(e.file_name())).unwrap();
            for f in std::fs::read_dir(e.path()).unwrap() {
                let f = f.unwrap();
                std::fs::copy(f.path(), changed.join(e.file_name()).join(f.file_name())).unwrap();
            }
            continue;
        }
        let text = std::fs::read(e.path()).unwrap();
        let text = if e.file_name() == "Account.csv" {
            String::from_utf8(text)
                .unwrap()
                .replace("Acme Corporation", "Acme Corporation (renamed)")
                .into_bytes()
        } else {
            text
        };
        std::fs::write(changed.join(e.file_name()), text).unwrap();
    }
    import(
        changed.to_str().unwrap(),
        tmp.path(),
        &url,
        &["--overwrite"],
    );
    let o = run(&["runs", "--state", "st.sqlite"], tmp.path());
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 2);

    // Kill -9 the rollback of both runs (from run 1) at several points, then finish it.
    let killed = kill_repeatedly(
        &["rollback", "1", "--state", "st.sqlite", "--yes", "-q"],
        tmp.path(),
        &url,
        &[350, 400, 400],
    );
    assert!(
        killed >= 2,
        "the rollback was killed mid-way {killed} times only"
    );
    let o = run_api(
        &["rollback", "1", "--state", "st.sqlite", "--dry-run"],
        tmp.path(),
        &url,
    );
    assert!(
        stderr(&o).contains("already done by an interrupted rollback"),
        "{}",
        stderr(&o)
    );
    let o = run_api(
        &["rollback", "1", "--state", "st.sqlite", "--yes"],
        tmp.path(),
        &url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("rolled back run 2, 1"),
        "{}",
        stderr(&o)
    );
    assert_eq!(snapshot(&c, None), before);
}

/// Verify after a clean import passes; then a link removed, a record deleted and a duplicate
/// added behind the tool's back each fail it, named.
#[test]
fn verify_names_what_changed_behind_its_back() {
    let ex = example("salesforce");
    let exs = ex.to_str().unwrap();
    let sb = sandbox(ProfileKind::Twenty2, members_of(&ex), "");
    let url = sb.base_url();
    let c = client(&url);
    let tmp = tempfile::tempdir().unwrap();
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
            "st.sqlite",
        ],
        tmp.path(),
        &url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("Verification passed"), "{}", stderr(&o));
    let report = std::fs::read_to_string(tmp.path().join("o/report.html")).unwrap();
    assert!(report.contains("verification ("));
    assert!(
        report.contains("created field company.sourceRecordId"),
        "what check --apply created is in the report"
    );
    let verify = |extra: &[&str]| {
        let mut args = vec![
            "verify",
            exs,
            "--as-of",
            "2026-11-24",
            "--state",
            "st.sqlite",
            "--out",
            "v",
        ];
        args.extend_from_slice(extra);
        run_api(&args, tmp.path(), &url)
    };
    let o = verify(&[]);
    assert!(o.status.success(), "{}", stderr(&o));

    // Behind its back.
    let people = all(&c, "people");
    let linked = people
        .iter()
        .find(|p| s(p, "/emails/primaryEmail") == "ada@acme.com")
        .unwrap();
    c.update("people", s(linked, "/id"), &json!({"companyId": null}))
        .unwrap();
    let opp = all(&c, "opportunities")
        .into_iter()
        .find(|o| !s(o, "/sourceRecordId").is_empty())
        .unwrap();
    c.delete("opportunities", s(&opp, "/id"), true).unwrap();
    let acme = all(&c, "companies")
        .into_iter()
        .find(|v| s(v, "/domainName/primaryLinkUrl") == "https://acme.com")
        .unwrap();
    let acme_name = s(&acme, "/name").to_string();
    c.batch_create(
        "companies",
        &[json!({"name": format!("{acme_name}, Inc.")})],
        false,
    )
    .unwrap();

    let o = verify(&["--json", "--sample", "500"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    // The deleted opportunity, by its source file and line.
    let missing = &v["objects"]["opportunity"]["missing"];
    assert_eq!(missing.as_array().unwrap().len(), 1, "{missing}");
    assert!(
        s(&missing[0], "/at").starts_with("Opportunity.csv:"),
        "{missing}"
    );
    assert_eq!(s(&missing[0], "/name"), s(&opp, "/name"));
    // The removed link, by the person.
    let link = v["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["object"] == "person" && l["field"] == "company")
        .unwrap();
    assert_eq!(
        link["ok"].as_u64().unwrap() + 1,
        link["expected"].as_u64().unwrap()
    );
    assert!(
        s(&link["wrong"][0], "/at").starts_with("Contact.csv:"),
        "{link}"
    );
    assert!(s(&link["wrong"][0], "/name").contains("Ada"), "{link}");
    // The duplicate, with both records.
    let dup = v["duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["counted"] == json!(true))
        .expect("a counted duplicate");
    assert_eq!(dup["by"], "name");
    assert!(
        dup["records"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["at"] == acme["id"])
    );
    // The sample sees the removed link as a difference of the person.
    assert!(
        v["sample"]["differences"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["field"] == "companyId" && d["at"] == link["wrong"][0]["at"])
    );
    let failed: Vec<&str> = v["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["pass"] == json!(false))
        .map(|x| x["check"].as_str().unwrap())
        .collect();
    assert_eq!(
        failed,
        [
            "records.opportunity",
            // The deleted opportunity's note and task lost their link to it too.
            "links.note.targets",
            "links.person.company",
            "links.task.targets",
            "duplicates",
            "sample"
        ],
        "{v}"
    );
    // The terminal summary names them too.
    let o = verify(&[]);
    let err = stderr(&o);
    assert!(err.contains("Verification FAILED"), "{err}");
    assert!(
        err.contains(&format!("missing {}", s(&missing[0], "/at"))),
        "{err}"
    );
    // Thresholds come from the mapping: a looser mapping lets the same workspace pass.
    let o = run(&["init", exs, "--mapping", "m.toml"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let mut m = std::fs::read_to_string(tmp.path().join("m.toml")).unwrap();
    for (from, to) in [
        ("records = 100.0", "records = 90.0"),
        ("links = 100.0", "links = 90.0"),
        ("sample = 100.0", "sample = 90.0"),
        ("max_duplicates = 0", "max_duplicates = 1"),
    ] {
        assert!(
            m.contains(from),
            "the proposed mapping has its [verify] section: {m}"
        );
        m = m.replace(from, to);
    }
    std::fs::write(tmp.path().join("m.toml"), m).unwrap();
    let o = verify(&["--mapping", "m.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// The report of an import whose export holds HTML and script in its values renders in headless
/// Chromium: the page's own script runs (it marks the page ready), nothing else runs, no error.
#[test]
fn the_report_displays_in_a_browser_without_script_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = tmp.path().join("export");
    std::fs::create_dir(&ex).unwrap();
    std::fs::write(
        ex.join("companies.csv"),
        "Name,Website,Industry,Tier\n\
         \"<script>document.title='pwned'</script>\",evil-corp.io,Software,\"<img src=x onerror=alert(1)>\"\n\
         \"<SCRIPT>document.title='pwned'</SCRIPT>\",www.evil-corp.io/about,Software,\"<img src=x onerror=alert(1)>\"\n\
         Acme & Sons,acme-sons.com,Retail,Gold\n",
    )
    .unwrap();
    std::fs::write(
        ex.join("contacts.csv"),
        "First name,Last name,Email,Company\n\
         \"</td><b>x\",Doe,jane@acme-sons.com,Acme & Sons\n",
    )
    .unwrap();
    let sb = sandbox(ProfileKind::Twenty2, vec![], "");
    let url = sb.base_url();
    let o = run_api(
        &[
            "migrate",
            "export",
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
    let report = tmp.path().join("o/report.html");
    let html = std::fs::read_to_string(&report).unwrap();
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(
        html.contains("&lt;script&gt;document.title"),
        "escaped in the merged duplicates"
    );
    assert!(html.contains("Verification"));
    let Some(browser) = browser::chromium_or_skip() else {
        return;
    };
    let (dom, log) = browser::dump_dom(&browser, &tmp.path().join("chromium-profile"), &report);
    assert!(
        dom.contains("data-ready=\"1\""),
        "the page's script ran: {log}"
    );
    assert!(!log.contains("Uncaught"), "{log}");
    assert!(!dom.contains("<title>pwned"), "CRM values never run");
    assert!(dom.contains("Migration of the"), "{dom}");
}

/// The visible text of a page: its tags (and their attributes: titles keep the codes) taken
/// out, its script and style left out.
fn visible_text(html: &str) -> String {
    let mut html = html.to_string();
    for (open, close) in [("<script", "</script>"), ("<style", "</style>")] {
        while let Some(a) = html.find(open) {
            let b = html[a..]
                .find(close)
                .map_or(html.len(), |b| a + b + close.len());
            html.replace_range(a..b, " ");
        }
    }
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// The report of a migration whose verification failed (a company and an opportunity deleted
/// behind the tool's back), and the audit beside it, as a person reads them: one folder, each
/// page linking to the other, a table of contents, failures first and open, passes folded,
/// words instead of codes, owners not drawn as records dropped; and in headless Chromium at
/// 1400 px and 420 px wide, nothing cut (tables scroll in their wrapper, bars and long values
/// fit), with a screenshot of each (set CRM2TWENTY_SCREENSHOTS=DIR to keep copies of the
/// screenshots and the pages).
#[test]
fn the_report_and_the_audit_read_at_1400_and_420_px_failures_first() {
    let ex = example("salesforce");
    let tmp = tempfile::tempdir().unwrap();
    // The example, with a company whose name and website are one long word each.
    let export = tmp.path().join("salesforce");
    copy_dir(&ex, &export);
    let long_name = format!("Hyper{}Industries", "Longname".repeat(14));
    let long_site = format!(
        "www.{}.hyper-industries.com",
        "subsidiary-".repeat(5) + "division"
    );
    let mut accounts = std::fs::read_to_string(export.join("Account.csv")).unwrap();
    accounts.push_str(&format!(
        "0018d0000000LNGAAA,false,,{long_name},Customer - Direct,,,Oakland,CA,94607,United States,,{long_site},Software,,,0058d0000000TIuAAM,2025-01-02T09:00:00.000Z,,2026-10-01T09:00:00.000Z,,2026-10-01T09:00:00.000Z,2026-10-01,\n"
    ));
    std::fs::write(export.join("Account.csv"), accounts).unwrap();
    let sb = sandbox(ProfileKind::Twenty2, members_of(&ex), "");
    let url = sb.base_url();
    let c = client(&url);
    let args = [
        "--as-of",
        "2026-11-24",
        "--state",
        "st.sqlite",
        "--out",
        "o",
    ];
    let mut migrate = vec!["migrate", "salesforce", "--yes"];
    migrate.extend_from_slice(&args);
    let o = run_api(&migrate, tmp.path(), &url);
    assert!(o.status.success(), "{}", stderr(&o));
    // Behind its back: the long-named company and an opportunity deleted.
    let long = all(&c, "companies")
        .into_iter()
        .find(|v| s(v, "/name") == long_name)
        .expect("the long-named company was imported");
    c.delete("companies", s(&long, "/id"), true).unwrap();
    let opp = all(&c, "opportunities")
        .into_iter()
        .find(|o| !s(o, "/sourceRecordId").is_empty())
        .unwrap();
    c.delete("opportunities", s(&opp, "/id"), true).unwrap();
    let mut verify = vec!["verify", "salesforce"];
    verify.extend_from_slice(&args);
    let o = run_api(&verify, tmp.path(), &url);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));

    // One folder: the report and the audit, each linking to the other.
    let out = tmp.path().join("o");
    let report_path = out.join("report.html");
    let audit_path = out.join("audit.html");
    let report = std::fs::read_to_string(&report_path).unwrap();
    let audit = std::fs::read_to_string(&audit_path).unwrap();
    assert!(
        report.contains("<a href=\"audit.html\">"),
        "the report links to the audit"
    );
    assert!(
        audit.contains("<a href=\"report.html\">"),
        "the audit links to the report"
    );
    for page in [&report, &audit] {
        assert!(page.contains("<nav class=toc"), "a table of contents");
        // Every link of the contents leads to a section of the page.
        let toc = &page[page.find("<nav class=toc").unwrap()..page.find("</nav>").unwrap()];
        for link in toc.split("href=\"#").skip(1) {
            let id = &link[..link.find('"').unwrap()];
            assert!(
                page.contains(&format!("id=\"{id}\"")) || page.contains(&format!("id={id}>")),
                "#{id}"
            );
        }
        let text = visible_text(page);
        for code in [
            "deleted_in_source",
            "lookup_only",
            "test_data",
            "PHONE_INVALID",
            "EMAIL_INVALID",
            "records.company",
            "workspaceMember",
        ] {
            assert!(!text.contains(code), "`{code}` is shown as words: {text}");
        }
        assert!(
            !text.contains("0 / 5") && !text.contains("0 of 5 kept"),
            "users are not drawn as dropped rows"
        );
    }
    // Failures first and open; passes folded with a line that says them.
    let section = |page: &str, id: &str| {
        page.find(&format!("<section id=\"{id}\""))
            .unwrap_or_else(|| panic!("section {id}"))
    };
    assert!(report.contains("<section id=\"verification\" class=\"sec fail\"><details open>"));
    assert!(section(&report, "verification") < section(&report, "exports"));
    assert!(
        report.contains("<section id=\"import\" class=\"sec pass\"><details><summary>"),
        "a pass is folded"
    );
    assert!(
        report.contains("checks failed: companies found in Twenty"),
        "the failure said in words"
    );
    assert!(
        report.contains("checks passed</b></summary>"),
        "the passing checks folded"
    );
    assert!(report.contains(&long_name), "the missing company is named");
    assert!(report.contains("4 owners referenced by the records, 4 matched a workspace member; 5 users read from the export"));
    let text = visible_text(&audit);
    for words in [
        "deleted in the source CRM",
        "phone number could not be read",
        "email address could not be read",
        "test data",
    ] {
        assert!(text.contains(words), "`{words}` in the audit");
    }
    assert!(
        section(&audit, "files") < section(&audit, "duplicates"),
        "the files to review come before what is for information"
    );
    assert!(audit.contains("<section id=\"files\" class=\"sec warn\"><details open>"));
    // The attachment whose file is missing is a rejected row to review; nothing is ambiguous.
    assert!(audit.contains("<section id=\"rejected\" class=\"sec warn\"><details open>"));
    assert!(audit.contains("<section id=\"ambiguous\" class=\"sec pass\"><details><summary>"));
    assert!(audit.contains("<section id=\"attachments\" class=\"sec warn\"><details open>"));
    assert_eq!(
        audit.matches("<script").count(),
        0,
        "the audit has no script"
    );

    let Some(browser) = browser::chromium_or_skip() else {
        return;
    };
    let profile = tmp.path().join("chromium-profile");
    // The measure can fail: a wide table outside a wrapper is cut at 420 px.
    let wide = out.join("wide.html");
    std::fs::write(
        &wide,
        format!("<!doctype html><html><head><meta name=viewport content=\"width=device-width\"></head><body><table><tr>{}</tr></table></body></html>", "<td>a&nbsp;wide&nbsp;cell</td>".repeat(12)),
    )
    .unwrap();
    let f = browser::fit(&browser, &profile, &wide, 420);
    assert_eq!(f.width, 420);
    assert!(f.cut.contains("the page is"), "{f:?}");
    let keep = std::env::var_os("CRM2TWENTY_SCREENSHOTS").map(PathBuf::from);
    for (page, name) in [(&report_path, "report"), (&audit_path, "audit")] {
        for width in [1400, 420] {
            let f = browser::fit(&browser, &profile, page, width);
            assert_eq!(f.width, width, "{name} laid out at {width} px");
            assert_eq!(f.cut, "", "{name} at {width} px: nothing cut");
            assert!(
                f.tables > 3 && f.wrapped == f.tables,
                "{name}: every table in its wrapper: {f:?}"
            );
            let png = tmp.path().join(format!("{name}-{width}.png"));
            browser::screenshot(&browser, &profile, page, width, &png);
            let bytes = std::fs::read(&png).unwrap();
            assert_eq!(browser::png_size(&bytes), (width, 900), "{}", png.display());
            assert!(
                bytes.len() > 15_000,
                "{} is not blank ({} bytes)",
                png.display(),
                bytes.len()
            );
            println!("screenshot: {}", png.display());
            if let Some(dir) = &keep {
                std::fs::create_dir_all(dir).unwrap();
                std::fs::copy(&png, dir.join(format!("{name}-{width}.png"))).unwrap();
                std::fs::copy(page, dir.join(format!("{name}.html"))).unwrap();
            }
        }
    }
}

/// Records the server refused are not in Twenty: verify counts them against the records
/// threshold (and names them in the import's rejects), it does not pass over them.
#[test]
fn records_the_server_refused_fail_verify() {
    let ex = example("salesforce");
    let exs = ex.to_str().unwrap();
    let mut cfg = Config::for_tests(KEY);
    cfg.members = members_of(&ex);
    // Every write of people is refused (a 400 naming the request's header, as some proxies do).
    cfg.faults = "echo400=1.0".parse().unwrap();
    cfg.fault_scope = Some("/rest/batch/people".into());
    let sb = twenty_sandbox::spawn(cfg).unwrap();
    let url = sb.base_url();
    let tmp = tempfile::tempdir().unwrap();
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
            "st.sqlite",
        ],
        tmp.path(),
        &url,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("o/verify.json")).unwrap())
            .unwrap();
    let person = &v["objects"]["person"];
    assert_eq!(person["found"], 0, "{person}");
    assert!(person["refused"].as_u64().unwrap() > 10, "{person}");
    let verdict = v["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["check"] == "records.person")
        .unwrap();
    assert_eq!(verdict["pass"], json!(false));
    assert_eq!(verdict["value"], json!(0.0));
    assert!(stderr(&o).contains("Verification FAILED"));
}

/// Without a workspace, `report` writes the page from the audit alone and says what is missing.
#[test]
fn report_without_a_workspace_shows_the_audit_and_says_what_is_not_done() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = example("salesforce");
    let o = run(
        &[
            "report",
            ex.to_str().unwrap(),
            "--out",
            "r",
            "--as-of",
            "2026-11-24",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(tmp.path().join("r/report.html")).unwrap();
    assert!(html.contains("No import through the API yet"));
    assert!(html.contains("Not verified yet"));
    assert!(
        html.contains("Duplicates merged (4)"),
        "the audit's merges are listed (three clusters of records, one of attachments)"
    );
}

/// Ctrl-C stops a rollback between two requests: it says how to finish and exits 130; the same
/// command finishes it, and the workspace is as before the import.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_rollback_and_the_same_command_finishes_it() {
    let ex = example("salesforce");
    let exs = ex.to_str().unwrap();
    let mut cfg = Config::for_tests(KEY);
    cfg.members = members_of(&ex);
    cfg.latency = std::time::Duration::from_millis(150);
    let sb = twenty_sandbox::spawn(cfg).unwrap();
    let url = sb.base_url();
    let c = client(&url);
    let tmp = tempfile::tempdir().unwrap();
    check_apply(exs, tmp.path(), &url);
    let before = snapshot(&c, None);
    import(exs, tmp.path(), &url, &["--batch-size", "7"]);
    let child = spawn_api(
        &["rollback", "--state", "st.sqlite", "--yes", "-q"],
        tmp.path(),
        &url,
    );
    std::thread::sleep(std::time::Duration::from_millis(700));
    let o = crate::api::interrupt(child);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(
        err.contains("interrupted: what was undone is recorded"),
        "{err}"
    );
    assert!(
        err.contains("run the same command again to finish"),
        "{err}"
    );
    let o = run_api(
        &["rollback", "--state", "st.sqlite", "--yes"],
        tmp.path(),
        &url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(snapshot(&c, None), before);
}

/// A server that refuses GraphQL (a proxy in front of `/graphql`, or mass mutations shaped
/// otherwise than ours) still gets its import looked up and undone: lookups through REST
/// filters, deletes one a request; both said.
#[test]
fn a_server_refusing_graphql_is_imported_and_rolled_back_through_rest() {
    let ex = example("salesforce");
    let exs = ex.to_str().unwrap();
    let mut cfg = Config::for_tests(KEY);
    cfg.members = members_of(&ex);
    cfg.faults = "echo400=1".parse().unwrap();
    cfg.fault_scope = Some("/graphql".into());
    let sb = twenty_sandbox::spawn(cfg).unwrap();
    let url = sb.base_url();
    let c = client(&url);
    let tmp = tempfile::tempdir().unwrap();
    check_apply(exs, tmp.path(), &url);
    let before = snapshot(&c, None);
    let o = run_api(
        &[
            "import",
            exs,
            "--as-of",
            "2026-11-24",
            "--state",
            "st.sqlite",
        ],
        tmp.path(),
        &url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the server refused key lookups in a request body"),
        "{}",
        stderr(&o)
    );
    assert_ne!(snapshot(&c, None), before);
    let o = run_api(
        &["rollback", "--state", "st.sqlite", "--yes"],
        tmp.path(),
        &url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("they were deleted one a request"),
        "{}",
        stderr(&o)
    );
    // The refusal quotes the request's headers: the key is never repeated.
    assert!(!stderr(&o).contains(KEY), "{}", stderr(&o));
    assert_eq!(snapshot(&c, None), before);
}

/// An import that updates 250 people already in the workspace (on 2.x 30 of them from its
/// trash) is undone in a handful of requests — the previous values put back with one read and
/// one upsert a batch, the revived sent back to the trash with mass deletes — where it took a
/// request a record. A person deleted since the import is left alone, and everything else is
/// as it was before the import.
fn rollback_restores_updates_in_bulk(profile: ProfileKind) {
    let sb = sandbox(profile, vec![], "");
    let url = sb.base_url();
    let c = client(&url);
    let first = ["Ingrid", "Lars", "Sofie", "Magnus", "Nora"];
    let people: Vec<Value> = (0..250)
        .map(|i| {
            json!({
                "name": {"firstName": first[i % 5], "lastName": format!("Berg{i}")},
                "emails": {"primaryEmail": format!("{}.{i}@fjordlinje.no", first[i % 5].to_lowercase())},
                "jobTitle": "",
            })
        })
        .collect();
    let made: Vec<String> = people
        .chunks(50)
        .flat_map(|ch| c.batch_create("people", ch, false).unwrap())
        .map(|v| s(&v, "/id").to_string())
        .collect();
    assert_eq!(made.len(), 250);
    let trash = profile == ProfileKind::Twenty2;
    if trash {
        for id in &made[..30] {
            c.delete("people", id, true).unwrap();
        }
    }
    // What matters of a person here (check --apply adds a field to every record after this).
    let people_in = |filter: Option<&str>, out: &[&String]| -> Vec<String> {
        let mut v: Vec<String> = c
            .list_all("people", filter)
            .unwrap()
            .iter()
            .filter(|p| !out.iter().any(|id| s(p, "/id") == id.as_str()))
            .map(|p| {
                format!(
                    "{} {} {} job={:?}",
                    s(p, "/id"),
                    s(p, "/name/lastName"),
                    s(p, "/emails/primaryEmail"),
                    s(p, "/jobTitle"),
                )
            })
            .collect();
        v.sort();
        v
    };
    let live_before = people_in(None, &[]);
    let trash_before = people_in(Some("deletedAt[is]:NOT_NULL"), &[]);
    assert_eq!(live_before.len(), if trash { 220 } else { 250 });

    let tmp = tempfile::tempdir().unwrap();
    let ex = tmp.path().join("export");
    std::fs::create_dir(&ex).unwrap();
    let mut csv = String::from("First Name,Last Name,Email,Job Title\n");
    for i in 0..250 {
        let f = first[i % 5];
        csv += &format!(
            "{f},Berg{i},{}.{i}@fjordlinje.no,Engineer\n",
            f.to_lowercase()
        );
    }
    std::fs::write(ex.join("people.csv"), csv).unwrap();
    let exs = ex.to_str().unwrap();
    check_apply(exs, tmp.path(), &url);
    import(exs, tmp.path(), &url, &[]);
    let live = all(&c, "people");
    assert_eq!(live.len(), 250, "every person is live after the import");
    assert!(
        live.iter().all(|p| s(p, "/jobTitle") == "Engineer"),
        "the import filled the empty job titles"
    );
    // Behind the tool's back, after the import: one person deleted for good, one to the trash.
    let (gone, binned) = (&made[100], &made[101]);
    c.delete("people", gone, false).unwrap();
    if trash {
        c.delete("people", binned, true).unwrap();
    }

    let requests = sandbox_requests(&url);
    let o = run_api(
        &["rollback", "--state", "st.sqlite", "--yes"],
        tmp.path(),
        &url,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("restore previous values of 250 person"),
        "{err}"
    );
    assert!(
        err.contains("undoing: ~"),
        "the rollback says how long: {err}"
    );
    let left_alone = if trash { 2 } else { 1 };
    assert!(
        err.contains(&format!("restored {:>6}", 250 - left_alone)),
        "{err}"
    );
    let used = sandbox_requests(&url) - requests;
    // Two batches: a read and an upsert each, and one mass delete of the 30 revived; plus the
    // schema read. One request a record would be 250 and more.
    assert!(used <= 12, "{used} requests to undo 250 updates: {err}");

    let drop = |v: Vec<String>, out: &[&String]| -> Vec<String> {
        v.into_iter()
            .filter(|l| !out.iter().any(|id| l.starts_with(id.as_str())))
            .collect()
    };
    assert_eq!(
        people_in(None, &[gone, binned]),
        drop(live_before, &[gone, binned]),
        "every other person has its values of before the import"
    );
    assert_eq!(
        people_in(Some("deletedAt[is]:NOT_NULL"), &[binned]),
        trash_before,
        "the people the import revived are back in the trash, with their values of before"
    );
}

#[test]
fn rollback_restores_updates_in_bulk_on_twenty_2() {
    rollback_restores_updates_in_bulk(ProfileKind::Twenty2);
}

#[test]
fn rollback_restores_updates_in_bulk_on_twenty_1_5() {
    rollback_restores_updates_in_bulk(ProfileKind::Twenty15);
}
