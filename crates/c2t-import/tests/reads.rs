//! What the import reads of the workspace grows with the export, not with the workspace: a
//! workspace of thousands of people costs a three-person export a handful of requests, and
//! the records it must match are found all the same.

use c2t_core::Mapping;
use c2t_import::workspace::{Existing, Workspace};
use c2t_pipeline::job::{self, Options};
use serde_json::json;

const KEY: &str = "reads-test-key";

const MAPPING: &str = r#"
version = 1
source = "generic"
[settings]
as_of = "2026-11-24"
[[file]]
path = "people.csv"
object = "person"
columns = [
  { column = "Name", field = "name", transform = "full_name" },
  { column = "Email", field = "emails", transform = "email" },
]
"#;

fn client(url: &str) -> c2t_twenty::Client {
    let mut cfg = c2t_twenty::ClientConfig::new(url, c2t_twenty::ApiKey::new(KEY).unwrap());
    cfg.requests_per_minute = 100_000;
    cfg.max_batch = 200;
    c2t_twenty::Client::new(cfg).unwrap()
}

/// `n` people unrelated to the exports (`P{i} Seed`, `p{i}@seedco.io`), 200 a request.
fn seed_people(c: &c2t_twenty::Client, n: usize) {
    let people: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            json!({
                "name": {"firstName": format!("P{i}"), "lastName": "Seed"},
                "emails": {"primaryEmail": format!("p{i}@seedco.io"), "additionalEmails": []},
            })
        })
        .collect();
    c.batch_create("people", &people, false).unwrap();
}

/// The people's `sourceRecordId` field, as `check --apply` creates it.
fn add_source_field(c: &c2t_twenty::Client) {
    let person = c
        .objects()
        .unwrap()
        .into_iter()
        .find(|o| o.name_singular == "person")
        .unwrap();
    c.create_field(
        &person.id,
        &c2t_twenty::NewField {
            name: "sourceRecordId".into(),
            label: "Source Record Id".into(),
            kind: "TEXT".into(),
            options: vec![],
            is_unique: true,
            relation: None,
        },
    )
    .unwrap();
}

/// The local job on a `people.csv` holding `csv`.
fn prepared(csv: &str) -> c2t_pipeline::Prepared {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("people.csv"), csv).unwrap();
    job::prepare(
        dir.path(),
        Mapping::from_toml(MAPPING).unwrap(),
        &Options::default(),
    )
    .unwrap()
}

#[test]
fn a_large_workspace_costs_a_small_export_a_few_reads() {
    let sb = twenty_sandbox::spawn(twenty_sandbox::Config::for_tests(KEY)).unwrap();
    let c = client(&sb.base_url());
    // 3 000 people already there (15 pages of 200 to read them all).
    seed_people(&c, 3000);

    let p = prepared(
        "Name,Email\nAda Lovelace,ada@acme.com\nP1500 Seed,P1500@seedco.io\nGrace Hopper,grace@kestrel.io\n",
    );
    let mut ws = Workspace::read_schema(&c).unwrap();
    // As on Twenty 2.x: the trash is read too.
    ws.caps.rest_upsert = true;

    let before = c.stats().requests;
    let by_keys = Existing::for_export(&c, &ws, &p).unwrap();
    let used = c.stats().requests - before;
    // One lookup of the export's keys among the people and their trash (in the request body),
    // one read of the person found: where reading every person takes sixteen.
    assert_eq!(used, 2, "{used} requests");
    assert!(by_keys.lookups_refused.is_none());
    assert_eq!(
        by_keys
            .by_email
            .get("p1500@seedco.io")
            .and_then(|r| r.pointer("/name/firstName")),
        Some(&json!("P1500"))
    );
    assert!(!by_keys.by_email.contains_key("ada@acme.com"));

    let before = c.stats().requests;
    // Every person, live and in the trash (as on 2.x).
    let whole = c.list_all("people", None).unwrap();
    c.list_all("people", Some("deletedAt[is]:NOT_NULL"))
        .unwrap();
    let used_whole = c.stats().requests - before;
    assert!(used_whole >= 16, "{used_whole}");
    assert_eq!(
        whole
            .iter()
            .find(|r| r.pointer("/emails/primaryEmail") == Some(&json!("p1500@seedco.io"))),
        by_keys.by_email.get("p1500@seedco.io")
    );
}

#[test]
fn a_small_workspace_costs_a_lookup_and_a_read() {
    let sb = twenty_sandbox::spawn(twenty_sandbox::Config::for_tests(KEY)).unwrap();
    let c = client(&sb.base_url());
    c.batch_create(
        "people",
        &[json!({"name": {"firstName": "Ada", "lastName": "Lovelace"},
                 "emails": {"primaryEmail": "ada@acme.com", "additionalEmails": []}})],
        false,
    )
    .unwrap();
    let p = prepared("Name,Email\nAda Lovelace,ADA@acme.com\n");
    let ws = Workspace::read_schema(&c).unwrap();
    let before = c.stats().requests;
    let e = Existing::for_export(&c, &ws, &p).unwrap();
    assert_eq!(c.stats().requests - before, 2);
    assert!(e.by_email.contains_key("ada@acme.com"));
    // Read whole, as REST answers it.
    assert_eq!(
        e.by_email["ada@acme.com"].pointer("/name/lastName"),
        Some(&json!("Lovelace"))
    );
}

#[test]
fn key_lists_fit_a_request_line() {
    let keys: Vec<String> = (0..1000).map(|i| format!("00Q{i:015}")).collect();
    let filters = c2t_import::workspace::in_filters("sourceRecordId", &keys);
    assert!(filters.len() >= 5, "{}", filters.len());
    for f in &filters {
        // As sent: percent-encoded.
        let sent: usize = f
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    1
                } else {
                    3
                }
            })
            .sum();
        assert!(sent <= 6_100, "{sent}");
        assert!(f.starts_with("sourceRecordId[in]:[\"00Q"));
    }
    let n: usize = filters.iter().map(|f| f.matches("\"00Q").count()).sum();
    assert_eq!(n, 1000);
    // A key that cannot be quoted is left to the other keys.
    assert!(c2t_import::workspace::in_filters("id", &["a\"b".to_string()]).is_empty());
}

/// After a first import, records carry their source keys: a second run looks them up by those
/// (and by the ids the import gives), still in a few requests, and finds the record an earlier
/// run wrote even when its email changed since.
#[test]
fn records_an_earlier_run_wrote_are_found_by_their_source_key() {
    let sb = twenty_sandbox::spawn(twenty_sandbox::Config::for_tests(KEY)).unwrap();
    let c = client(&sb.base_url());
    add_source_field(&c);
    seed_people(&c, 3000);
    let p = prepared("Name,Email\nAda Lovelace,ada@acme.com\n");
    // An earlier run wrote Ada with her source key; her email changed in Twenty since.
    let key = c2t_import::payload::source_key(&p, 0);
    c.batch_create(
        "people",
        &[json!({"name": {"firstName": "Ada", "lastName": "Lovelace"},
                 "emails": {"primaryEmail": "ada@elsewhere.io", "additionalEmails": []},
                 "sourceRecordId": key})],
        false,
    )
    .unwrap();
    let ws = Workspace::read_schema(&c).unwrap();
    let before = c.stats().requests;
    let e = Existing::for_export(&c, &ws, &p).unwrap();
    let used = c.stats().requests - before;
    assert!(used <= 2, "{used} requests");
    assert!(
        e.by_source_id
            .contains_key(&("person".to_string(), key.clone())),
        "{:?}",
        e.by_source_id.keys().collect::<Vec<_>>()
    );
}

/// Lookups in request bodies hold thousands of keys each (a REST filter holds a hundred or
/// two), every key once, each body within what Twenty parses.
#[test]
fn key_lookups_fit_a_request_body() {
    let emails: Vec<String> = (0..50_000)
        .map(|i| format!("person{i}@example.com"))
        .collect();
    let ids: Vec<String> = (0..3_000).map(|i| format!("003{i:015}")).collect();
    let keys = vec![
        ("sourceRecordId", ids.iter().map(String::as_str).collect()),
        (
            "emails.primaryEmail",
            emails.iter().map(String::as_str).chain([""]).collect(),
        ),
    ];
    let lookups = c2t_import::workspace::key_lookups(&keys);
    assert!(
        (3..=4).contains(&lookups.len()),
        "{} lookups for 53 000 keys",
        lookups.len()
    );
    let (mut n_ids, mut n_emails) = (0, 0);
    for l in &lookups {
        assert!(l.to_string().len() < 550_000, "{}", l.to_string().len());
        for term in l["or"].as_array().unwrap() {
            if let Some(v) = term.pointer("/sourceRecordId/in") {
                n_ids += v.as_array().unwrap().len();
            } else {
                let v = term.pointer("/emails/primaryEmail/in").unwrap();
                let v = v.as_array().unwrap();
                assert!(v.iter().all(|e| e.as_str().is_some_and(|e| !e.is_empty())));
                n_emails += v.len();
            }
        }
    }
    assert_eq!((n_ids, n_emails), (3_000, 50_000));
    assert!(c2t_import::workspace::key_lookups(&[("id", vec![])]).is_empty());
}

/// The records of an export written before (a second run, a verification) are found by their
/// source keys in pages of 200 through REST, every one a hit, once a lookup finds more than a
/// page of them; the rest by lookups. Each found once, in few requests.
#[test]
fn many_records_of_ours_are_read_by_their_source_keys() {
    let sb = twenty_sandbox::spawn(twenty_sandbox::Config::for_tests(KEY)).unwrap();
    let c = client(&sb.base_url());
    add_source_field(&c);
    seed_people(&c, 1000);
    let mut csv = String::from("Name,Email\n");
    for i in 0..700 {
        csv.push_str(&format!("Person{i} Ours,ours{i}@acme.com\n"));
    }
    // Two more: one already there by email only (somebody typed it in), one new.
    csv.push_str("P7 Seed,p7@seedco.io\nNew Person,new@acme.com\n");
    let p = prepared(&csv);
    // An earlier run wrote the 700 with their source keys.
    let ours: Vec<serde_json::Value> = (0..700)
        .map(|i| {
            json!({"name": {"firstName": format!("Person{i}"), "lastName": "Ours"},
                   "emails": {"primaryEmail": format!("ours{i}@acme.com"), "additionalEmails": []},
                   "sourceRecordId": c2t_import::payload::source_key(&p, i)})
        })
        .collect();
    c.batch_create("people", &ours, false).unwrap();
    let mut ws = Workspace::read_schema(&c).unwrap();
    ws.caps.rest_upsert = true;
    let before = c.stats().requests;
    let e = Existing::for_export(&c, &ws, &p).unwrap();
    let used = c.stats().requests - before;
    assert_eq!(e.by_source_id.len(), 700);
    assert!(e.by_email.contains_key("p7@seedco.io"));
    assert!(!e.by_email.contains_key("new@acme.com"));
    assert_eq!(e.by_id.len(), 701);
    // A lookup finding a full page, reads of the source keys as many as a request line holds
    // (~160 of these), a lookup of the trash alone (empty), a lookup of the two left, one read
    // of the one found.
    let keys: Vec<String> = (0..702)
        .map(|i| c2t_import::payload::source_key(&p, i))
        .collect();
    let reads = c2t_import::workspace::in_filters("sourceRecordId", &keys).len() as u64;
    assert!((4..=5).contains(&reads), "{reads}");
    assert_eq!(used, 1 + reads + 1 + 1 + 1, "{used} requests");
}

/// A server that refuses lookups in request bodies (an older one, a proxy in front of
/// `/graphql`) gets the same records through REST filters, and the refusal is told.
#[test]
fn a_refused_lookup_falls_back_to_rest_filters() {
    let mut cfg = twenty_sandbox::Config::for_tests(KEY);
    cfg.faults = "echo400=1".parse().unwrap();
    cfg.fault_scope = Some("/graphql".into());
    let sb = twenty_sandbox::spawn(cfg).unwrap();
    let c = client(&sb.base_url());
    seed_people(&c, 300);
    let p = prepared("Name,Email\nP12 Seed,p12@seedco.io\nAda Lovelace,ada@acme.com\n");
    let ws = Workspace::read_schema(&c).unwrap();
    let e = Existing::for_export(&c, &ws, &p).unwrap();
    assert!(e.by_email.contains_key("p12@seedco.io"));
    assert!(!e.by_email.contains_key("ada@acme.com"));
    let why = e.lookups_refused.expect("the refusal is kept");
    assert!(!why.contains(KEY), "{why}");
}

/// On Twenty 2.x one lookup finds a key's record live or in the trash (an upsert revives a
/// trashed record, so the import must know it); the trashed one is read whole from the trash.
#[test]
fn one_lookup_finds_records_live_and_in_the_trash() {
    let sb = twenty_sandbox::spawn(twenty_sandbox::Config::for_tests(KEY)).unwrap();
    let c = client(&sb.base_url());
    seed_people(&c, 500);
    let gone = c
        .list_all("people", Some("emails.primaryEmail[eq]:\"p42@seedco.io\""))
        .unwrap();
    c.delete("people", gone[0]["id"].as_str().unwrap(), true)
        .unwrap();
    let p = prepared("Name,Email\nP42 Seed,p42@seedco.io\nP7 Seed,p7@seedco.io\n");
    let mut ws = Workspace::read_schema(&c).unwrap();
    ws.caps.rest_upsert = true;
    let before = c.stats().requests;
    let e = Existing::for_export(&c, &ws, &p).unwrap();
    // One lookup, one read of the live record, one of the trashed one.
    assert_eq!(c.stats().requests - before, 3);
    assert!(e.by_email["p42@seedco.io"]["deletedAt"].is_string());
    assert!(e.by_email["p7@seedco.io"]["deletedAt"].is_null());
    // Without the trash (Twenty 1.5), the trashed record is not looked for.
    ws.caps.rest_upsert = false;
    let e = Existing::for_export(&c, &ws, &p).unwrap();
    assert!(!e.by_email.contains_key("p42@seedco.io"));
}
