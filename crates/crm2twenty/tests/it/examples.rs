//! `migrate` on every bundled example: the ledger balances against an independent count of the
//! input rows, the audit finds the mess that was planted (see each example's EXPECTED.md), and the
//! Twenty-ready files hold the cleaned, merged, linked values.

use crate::util::*;
use std::path::PathBuf;
use std::sync::OnceLock;

/// Runs `migrate` once per example for the whole test binary; returns the output folder.
fn migrated(name: &str) -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let root = DIR
        .get_or_init(|| tempfile::tempdir().unwrap())
        .path()
        .to_path_buf();
    let out = root.join(name);
    let _guard = LOCK.lock().unwrap();
    if !out.join("ledger.csv").exists() {
        let ex = example(name);
        let o = run(
            &[
                "migrate",
                ex.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--as-of",
                "2026-11-24",
            ],
            &root,
        );
        assert!(o.status.success(), "migrate {name} failed: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("ledger: balanced"), "{err}");
    }
    out
}

/// The ledger has exactly one outcome per input row of every file, and the totals add up.
fn assert_ledger_balances(name: &str, files: &[(&str, u8)]) {
    let out = migrated(name);
    let l = ledger(&out);
    for (file, delim) in files {
        let expected = count_records(&example(name).join(file), *delim);
        let got = l.keys().filter(|(f, _)| f == file).count() as u64;
        assert_eq!(
            got, expected,
            "{name}/{file}: {got} ledger lines for {expected} rows"
        );
    }
    let a = audit(&out);
    let t = &a["totals"];
    let sum = t["imported"].as_u64().unwrap()
        + t["merged"].as_u64().unwrap()
        + t["skipped"].as_u64().unwrap()
        + t["rejected"].as_u64().unwrap();
    assert_eq!(t["read"].as_u64().unwrap(), sum);
    assert_eq!(t["read"].as_u64().unwrap(), l.len() as u64);
    assert_eq!(t["balanced"], true);
}

fn places(a: &serde_json::Value, key: &str) -> Vec<String> {
    a[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["at"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn salesforce_ledger_balances() {
    assert_ledger_balances(
        "salesforce",
        &[
            ("Account.csv", b','),
            ("Contact.csv", b','),
            ("Opportunity.csv", b','),
            ("Task.csv", b','),
            ("Note.csv", b','),
            ("User.csv", b','),
        ],
    );
}

#[test]
fn salesforce_companies_are_cleaned_merged_and_labelled_for_twenty() {
    let out = migrated("salesforce");
    let path = out.join("01-companies.csv");
    let h = headers(&path);
    assert_eq!(&h[..3], ["Id", "Name", "Domain Name / Link URL"]);
    for want in [
        "Address / Address 1",
        "Address / Address 2",
        "Address / City",
        "Account Owner / User Email",
        "ARR / Amount",
        "ARR / Currency",
    ] {
        assert!(h.iter().any(|x| x == want), "missing header {want}: {h:?}");
    }
    // The empty custom column does not become a field.
    assert!(!h.iter().any(|x| x.contains("Legacy")), "{h:?}");
    let rows = read_csv(&path);
    let acme = find(&rows, "Name", "Acme Corp");
    assert_eq!(acme["Domain Name / Link URL"], "https://acme.com");
    assert_eq!(acme["Address / Address 1"], "1200 Harbor Blvd");
    assert_eq!(acme["Address / Address 2"], "Suite 400");
    assert_eq!(acme["Phone / Primary Phone Calling Code"], "+1");
    assert_eq!(acme["Phone / Primary Phone Country Code"], "US");
    assert_eq!(acme["Phone / Primary Phone Number"], "5105550142");
    assert_eq!(
        rows.iter()
            .filter(|r| r["Domain Name / Link URL"] == "https://acme.com")
            .count(),
        1,
        "acme.com variants are one company"
    );
    // A UK national number read with the row's country.
    let quill = find(&rows, "Name", "Quillfeather Publishing Ltd");
    assert_eq!(
        (
            quill["Phone / Primary Phone Calling Code"].as_str(),
            quill["Phone / Primary Phone Country Code"].as_str()
        ),
        ("+44", "GB")
    );
    // Non-ASCII survives.
    assert!(rows.iter().any(|r| r["Address / City"] == "München"));
    // Owners become member emails through User.csv.
    assert!(
        acme["Account Owner / User Email"].ends_with("@lumenbridge.io"),
        "{acme:?}"
    );
}

#[test]
fn salesforce_every_planted_problem_has_its_outcome() {
    let out = migrated("salesforce");
    let l = ledger(&out);
    assert_eq!(
        outcome(&l, "Account.csv", 4),
        "merged into Account.csv:2 (same domain)"
    );
    assert_eq!(
        outcome(&l, "Account.csv", 5),
        "merged into Account.csv:2 (same domain)"
    );
    assert_eq!(
        outcome(&l, "Contact.csv", 3),
        "merged into Contact.csv:2 (same email)"
    );
    assert_eq!(outcome(&l, "Account.csv", 19), "skipped test_data");
    assert_eq!(outcome(&l, "Account.csv", 20), "skipped test_data");
    assert_eq!(outcome(&l, "Contact.csv", 21), "skipped test_data");
    assert_eq!(outcome(&l, "Account.csv", 21), "skipped deleted_in_source");
    assert_eq!(outcome(&l, "Contact.csv", 14), "skipped stale");
    assert_eq!(outcome(&l, "Contact.csv", 16), "skipped stale");
    // Stale, but the point of contact of an open deal.
    assert_eq!(outcome(&l, "Contact.csv", 13), "imported");
    assert_eq!(outcome(&l, "Contact.csv", 19), "imported");
    for u in 2..=6 {
        assert_eq!(outcome(&l, "User.csv", u), "skipped lookup_only");
    }
    let a = audit(&out);
    let dangling = places(&a, "dangling_references");
    for at in [
        "Contact.csv:20",
        "Opportunity.csv:15",
        "Task.csv:13",
        "Task.csv:14",
        "Note.csv:20",
    ] {
        assert!(
            dangling.iter().any(|d| d == at),
            "{at} not reported dangling: {dangling:?}"
        );
    }
    let contact = a["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "Contact.csv")
        .unwrap();
    let email = contact["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "Email")
        .unwrap();
    assert!(
        email["invalid"]["EMAIL_INVALID"].as_u64().unwrap() >= 3,
        "{email}"
    );
    assert!(
        a["unused_columns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "Account.csv: Legacy_Region__c")
    );
    let opts = &a["options_to_create"]["opportunity.stage"];
    assert_eq!(opts, &serde_json::json!(["LOST", "ON_HOLD"]));
}

#[test]
fn salesforce_links_follow_merges_and_email_domains() {
    let out = migrated("salesforce");
    let people = read_csv(&out.join("02-people.csv"));
    // The duplicate contact pointed to the duplicate account: both follow their merges.
    let ada = find(&people, "Emails / Primary Email", "ada@acme.com");
    assert_eq!(ada["Company / Domain Name / Link URL"], "https://acme.com");
    // No company given: linked by the corporate email domain, never by a free-mail one.
    let by_domain: Vec<_> = people
        .iter()
        .filter(|p| p["Emails / Primary Email"].ends_with("@brightforge.io"))
        .collect();
    assert!(
        by_domain
            .iter()
            .all(|p| p["Company / Domain Name / Link URL"] == "https://brightforge.io"),
        "{by_domain:?}"
    );
    let gmail = find(&people, "Emails / Primary Email", "kevin.tran84@gmail.com");
    assert_eq!(gmail["Company / Domain Name / Link URL"], "");
    assert_eq!(gmail["Company / Id"], "");
    // Opportunities: the lost stage is LOST, amounts keep their currency.
    let opps = read_csv(&out.join("03-opportunities.csv"));
    assert!(opps.iter().any(|o| o["Stage"] == "LOST"));
    assert!(opps.iter().any(|o| o["Amount / Currency"] == "GBP"));
    let acme_opp = opps.iter().find(|o| o["Name"].starts_with("Acme")).unwrap();
    assert_eq!(
        acme_opp["Company / Domain Name / Link URL"],
        "https://acme.com"
    );
    // Note targets: the note on the duplicate contact targets the surviving person.
    let notes = read_csv(&out.join("04-notes.csv"));
    let targets = read_csv(&out.join("04-note-targets.csv"));
    assert!(!notes.is_empty() && !targets.is_empty());
    let ada_id = &ada["Id"];
    assert!(
        targets
            .iter()
            .any(|t| &t["Target Id"] == ada_id && t["Target Key"] == "ada@acme.com")
    );
    // Multi-line bodies survive whole.
    assert!(notes.iter().any(|n| n["Body / Markdown"].contains('\n')));
}

#[test]
fn hubspot_owners_by_name_and_stage_ids() {
    assert_ledger_balances(
        "hubspot",
        &[
            ("hubspot-crm-exports-all-companies-2026-11-01.csv", b','),
            ("hubspot-crm-exports-all-contacts-2026-11-01.csv", b','),
            ("hubspot-crm-exports-all-deals-2026-11-01.csv", b','),
        ],
    );
    let out = migrated("hubspot");
    let members: Vec<String> = read_csv(&example("hubspot").join("members.csv"))
        .iter()
        .map(|m| m["Email"].to_lowercase())
        .collect();
    let companies = read_csv(&out.join("01-companies.csv"));
    let owned: Vec<&String> = companies
        .iter()
        .map(|c| &c["Account Owner / User Email"])
        .filter(|e| !e.is_empty())
        .collect();
    assert!(!owned.is_empty());
    assert!(
        owned.iter().all(|e| members.contains(e)),
        "{owned:?} vs {members:?}"
    );
    let opps = read_csv(&out.join("03-opportunities.csv"));
    assert!(
        opps.iter().any(|o| o["Stage"] == "LOST"),
        "closedlost → LOST"
    );
    assert!(
        opps.iter()
            .all(|o| !o["Stage"].chars().any(|c| c.is_lowercase()))
    );
    let a = audit(&out);
    assert!(
        !a["unknown_owners"].as_array().unwrap().is_empty(),
        "the owner who is not a member is reported"
    );
    assert!(a["duplicates"].as_array().unwrap().len() >= 2);
}

#[test]
fn pipedrive_names_resolve_without_guessing() {
    assert_ledger_balances(
        "pipedrive",
        &[
            ("organizations.csv", b','),
            ("persons.csv", b','),
            ("deals.csv", b','),
            ("notes.csv", b','),
        ],
    );
    let out = migrated("pipedrive");
    let companies = read_csv(&out.join("01-companies.csv"));
    // Two organisations share a name but not a domain: never merged.
    assert_eq!(
        companies
            .iter()
            .filter(|c| c["Name"] == "Summit Dental")
            .count(),
        2
    );
    // The email domain picks the right one of the two.
    let people = read_csv(&out.join("02-people.csv"));
    let helen = find(
        &people,
        "Emails / Primary Email",
        "helen@summitdental-denver.com",
    );
    assert_eq!(
        helen["Company / Domain Name / Link URL"],
        "https://summitdental-denver.com"
    );
    let a = audit(&out);
    let ambiguous = places(&a, "ambiguous_references");
    assert!(
        ambiguous.iter().any(|p| p == "deals.csv:4"),
        "{ambiguous:?}"
    );
    let l = ledger(&out);
    assert_eq!(outcome(&l, "deals.csv", 17), "skipped deleted_in_source");
    // `Deal - Status` = Lost overrides the stage the deal stopped at.
    let deals = read_csv(&out.join("03-opportunities.csv"));
    let lost_ids: Vec<String> = read_csv(&example("pipedrive").join("deals.csv"))
        .iter()
        .filter(|d| d["Deal - Status"] == "Lost")
        .map(|d| d["Deal - Title"].clone())
        .collect();
    for d in deals.iter().filter(|d| lost_ids.contains(&d["Name"])) {
        assert_eq!(d["Stage"], "LOST", "{d:?}");
    }
}

#[test]
fn french_excel_export_is_decoded_and_read_day_first() {
    assert_ledger_balances(
        "french-excel",
        &[("societes.csv", b';'), ("contacts.csv", b';')],
    );
    let out = migrated("french-excel");
    let companies = read_csv(&out.join("01-companies.csv"));
    let acme = find(&companies, "Name", "Acme Corp");
    // `12 500,50` in a Windows-1252 file with semicolons, currency from the export itself.
    assert_eq!(acme["ARR / Amount"], "12500.5");
    assert_eq!(acme["ARR / Currency"], "EUR");
    assert_eq!(acme["Address / Address 2"], "Bâtiment B");
    assert!(
        companies
            .iter()
            .any(|c| c["Name"] == "Château Lafleur-Bégué")
    );
    let people = read_csv(&out.join("02-people.csv"));
    let ada = find(&people, "Emails / Primary Email", "ada@acme.com");
    assert_eq!(
        (
            ada["Phones / Primary Phone Calling Code"].as_str(),
            ada["Phones / Primary Phone Country Code"].as_str()
        ),
        ("+33", "FR")
    );
    // dd/mm/yyyy read day first (the column has days above 12).
    assert_eq!(ada["Last Activity"], "2026-09-10");
    // The spreadsheet: real date cells, owners by name through members.csv.
    let opps = read_csv(&out.join("03-opportunities.csv"));
    let first = find(&opps, "Name", "Ligne 3 — rénovation");
    assert_eq!(first["Close date"], "2026-12-15T00:00:00Z");
    assert_eq!(
        first["Owner / User Email"],
        "julie.marchand@atelier-conseil.fr"
    );
    let a = audit(&out);
    let soc = a["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "societes.csv")
        .unwrap();
    assert_eq!(soc["encoding"], "windows-1252");
    assert_eq!(
        soc["ambiguous_date_columns"],
        serde_json::json!(["Date de création"])
    );
}

#[test]
fn the_proposed_mapping_round_trips_and_gives_the_same_files() {
    let out = migrated("salesforce");
    let mapping = out.join("mapping.toml");
    let tmp = tempfile::tempdir().unwrap();
    let again = tmp.path().join("again");
    let ex = example("salesforce");
    let o = run(
        &[
            "migrate",
            ex.to_str().unwrap(),
            "--mapping",
            mapping.to_str().unwrap(),
            "--out",
            again.to_str().unwrap(),
            "--as-of",
            "2026-11-24",
            "-q",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "01-companies.csv",
        "02-people.csv",
        "03-opportunities.csv",
        "04-notes.csv",
        "05-tasks.csv",
        "ledger.csv",
    ] {
        assert_eq!(
            std::fs::read_to_string(out.join(f)).unwrap(),
            std::fs::read_to_string(again.join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn ids_are_stable_across_runs() {
    let a = read_csv(&migrated("hubspot").join("02-people.csv"));
    let tmp = tempfile::tempdir().unwrap();
    let ex = example("hubspot");
    let o = run(
        &[
            "export",
            ex.to_str().unwrap(),
            "--out",
            "x",
            "--as-of",
            "2026-11-24",
            "-q",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let b = read_csv(&tmp.path().join("x/02-people.csv"));
    assert_eq!(a, b);
}
