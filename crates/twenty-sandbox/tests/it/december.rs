//! Replay of the December 2026 recordings against the sandbox, like `contract.rs` does for the
//! first ones: `shared/twenty-live/2026-12/` (a real 1.5, profile twenty-1.5) and
//! `shared/twenty-live-2x/2026-12/` (a real 2.19, profile twenty-2).
//!
//! - The single-exchange files are replayed in a session order, after an explicit setup for the
//!   state the recorded workspace already had (fields, records; [`setup_15`], and the setup of
//!   [`upsert_revives_soft_deleted_like_2_19`]). Each answer must have the recorded status and
//!   shape; an error must have the recorded body, exactly (the 2.x metadata validation error
//!   after blanking its random universal ids).
//! - `rate-limit-429.json` and the `first429` of the `bare-*.json` throughput files: the throttled
//!   answer (status, body, no `Retry-After`, content type); their throughput figures are not
//!   replayable.
//! - `proxy-salesforce-check.jsonl.gz` and `proxy-all.jsonl.gz` (every exchange of whole
//!   crm2twenty runs against the real 2.19): see [`replay_proxy`]. The exchanges the real
//!   throttle refused are the only ones not sent ([`exclusion`], counted and asserted); what the
//!   comparison leaves out, and why, is written in [`ProxyReplay`].
//!
//! Every file of both folders is either replayed or listed with the reason it is not. The tests
//! skip when `shared/` is absent.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde_json::{Map, Value, json};
use twenty_sandbox::{Config, ProfileKind, parse_rate};

use crate::common::{Answer, KEY, Sandbox, start_with};
use crate::contract::{compare_shape, folder, learn_ids, substitute};

const ORDER_15: &[&str] = &[
    "probe-batch-201-invalid-id",
    "probe-upsert-first-create",
    "probe-upsert-second-same-id-400-record-already-exists",
    "probe-delete-hard",
    "metadata-create-field-sourceRecordId-unique-201",
    "metadata-create-field-phones-company-phone-201",
    "metadata-create-field-address-reserved-400",
    "metadata-patch-stage-add-LOST-200",
    "graphql-createPeople-upsert-200",
    "rollback-delete-soft-company-200",
];

const ORDER_2X: &[&str] = &[
    "webhooks-list-bare-array",
    "capability-probe-batch-400",
    "create-field-reserved-name-address",
];

/// Files of the 2.x folder with a replay of their own (test named in the reason).
const SPECIAL_2X: &[(&str, &str)] = &[
    (
        "upsert-revives-soft-deleted.json",
        "replayed by upsert_revives_soft_deleted_like_2_19 (needs the revived records first)",
    ),
    (
        "rate-limit-429.json",
        "replayed by the_throttle_answers_like_2_19",
    ),
    (
        "bare-60x1.json",
        "first429 replayed by the_throttle_answers_like_2_19; throughput figures not replayable",
    ),
    (
        "bare-60x2.json",
        "first429 replayed by the_throttle_answers_like_2_19; throughput figures not replayable",
    ),
    (
        "bare-200x1.json",
        "first429 replayed by the_throttle_answers_like_2_19; throughput figures not replayable",
    ),
    (
        "bare-200x2.json",
        "first429 replayed by the_throttle_answers_like_2_19; throughput figures not replayable",
    ),
    ("proxy-all.jsonl.gz", "replayed by replays_proxy_all_runs"),
    (
        "proxy-salesforce-check.jsonl.gz",
        "replayed by replays_proxy_salesforce_check",
    ),
    ("README.md", "the folder's description"),
];

/// Recorded metadata ids of the 1.5 workspace → what they are (the folder holds no metadata
/// listing; the README and the answers name them).
const IDS_15: &[(&str, &str, Option<&str>)] = &[
    // "custom ADDRESS field named address on person"
    ("1832498d-2798-441e-986a-969d4c2a93b4", "person", None),
    // sourceRecordId and phone "on company"
    ("ed30acc6-d4f4-40b8-9dc1-3e325575d60f", "company", None),
    // the answer: updateOneField.name = "stage", the options of opportunity.stage
    (
        "3dc83b0d-072d-41a0-b947-985ce031f73c",
        "opportunity",
        Some("stage"),
    ),
];

/// Recorded metadata ids of the 2.19 workspace (its listing is the first exchange of
/// `proxy-salesforce-check.jsonl.gz`: 1ee33a2f… is person).
const IDS_2X: &[(&str, &str, Option<&str>)] =
    &[("1ee33a2f-9fa5-4e87-a452-9fafea5553c4", "person", None)];

fn read_json(dir: &Path, file: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Every file of a folder is replayed (`order`) or named with its reason (`special`).
fn assert_every_file_handled(dir: &Path, order: &[&str], special: &[(&str, &str)]) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let replayed = name
            .strip_suffix(".json")
            .is_some_and(|stem| order.contains(&stem));
        let handled = special.iter().any(|(f, _)| *f == name) || name == "README.md";
        assert!(
            replayed || handled,
            "{}/{name} is neither replayed nor excluded with a reason",
            dir.display()
        );
    }
}

fn objects(sb: &Sandbox) -> Vec<Value> {
    sb.get("/rest/metadata/objects").body["data"]["objects"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn object_of<'a>(objects: &'a [Value], singular: &str) -> &'a Value {
    objects
        .iter()
        .find(|o| o["nameSingular"] == singular)
        .unwrap_or_else(|| panic!("no object {singular} in the sandbox"))
}

fn field_of<'a>(object: &'a Value, name: &str) -> &'a Value {
    object["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no field {name} on {}", object["nameSingular"]))
}

/// Recorded metadata ids → the sandbox's.
fn metadata_ids(sb: &Sandbox, known: &[(&str, &str, Option<&str>)]) -> HashMap<String, String> {
    let objects = objects(sb);
    known
        .iter()
        .map(|(recorded, object, field)| {
            let o = object_of(&objects, object);
            let id = match field {
                Some(f) => field_of(o, f)["id"].clone(),
                None => o["id"].clone(),
            };
            (recorded.to_string(), id.as_str().unwrap().to_string())
        })
        .collect()
}

/// Creates a custom field through the API (setup of state the recorded workspace had).
fn create_field(sb: &Sandbox, object: &str, spec: Value) -> String {
    let objects = objects(sb);
    let mut body = spec;
    body["objectMetadataId"] = object_of(&objects, object)["id"].clone();
    let a = sb.post("/rest/metadata/fields", body.clone());
    assert_eq!(a.status, 201, "setup field {body}: {}", a.body);
    a.body["data"]["createOneField"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn select(name: &str, values: &[&str]) -> Value {
    let options: Vec<Value> = values
        .iter()
        .enumerate()
        .map(|(i, v)| json!({"value": v, "label": v, "color": "green", "position": i}))
        .collect();
    json!({"type": "SELECT", "name": name, "label": name, "isNullable": true, "options": options})
}

fn plain(kind: &str, name: &str) -> Value {
    json!({"type": kind, "name": name, "label": name, "isNullable": true})
}

/// The recorded request body, with the recording's own abbreviations undone: a trailing string
/// like `"... (201 items, all the same)"` stands for copies of the first item.
fn request_body(recorded: &Value, ids: &HashMap<String, String>) -> Option<Value> {
    let body = match &recorded["request"]["body"] {
        Value::Null => return None,
        Value::Array(items) => {
            let mut out: Vec<Value> = items.iter().filter(|v| !v.is_string()).cloned().collect();
            if let Some(note) = items.iter().find_map(Value::as_str) {
                let n: usize = note
                    .split(|c: char| !c.is_ascii_digit())
                    .find(|w| !w.is_empty())
                    .and_then(|w| w.parse().ok())
                    .unwrap_or_else(|| panic!("unreadable abbreviation {note:?}"));
                while out.len() < n {
                    out.push(out[0].clone());
                }
            }
            Value::Array(out)
        }
        other => other.clone(),
    };
    Some(serde_json::from_str(&substitute(&body.to_string(), ids)).unwrap())
}

/// The recorded answer without the recording's notes (`_note`: "first 2 of 60 shown").
fn recorded_response(recorded: &Value) -> Value {
    let mut r = recorded["response"].clone();
    if let Some(m) = r.as_object_mut() {
        m.retain(|k, _| !k.starts_with('_'));
    }
    r
}

/// The random universal ids of a 2.x metadata validation error, blanked.
fn blank_random_uids(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let random = matches!(
                        k.as_str(),
                        "universalIdentifier" | "fieldMetadataUniversalIdentifier"
                    );
                    if random && v.is_string() {
                        (k.clone(), json!("<random>"))
                    } else {
                        (k.clone(), blank_random_uids(v))
                    }
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(blank_random_uids).collect()),
        other => other.clone(),
    }
}

/// Differences between a recorded exchange and the sandbox's answer: status; for answers below
/// 300 the shape (keys and JSON types); for errors the whole body.
fn answer_diffs(want_status: u16, recorded: &Value, answer: &Answer) -> Vec<String> {
    let mut diffs = Vec::new();
    if answer.status != want_status {
        diffs.push(format!(
            "status {} instead of {want_status}: {}",
            answer.status, answer.body
        ));
        return diffs;
    }
    if want_status < 300 {
        compare_shape("", recorded, &answer.body, &mut diffs);
    } else {
        let (r, a) = (blank_random_uids(recorded), blank_random_uids(&answer.body));
        if r != a {
            diffs.push(format!("error body {a} instead of {r}"));
        }
    }
    diffs
}

/// Replays one single-exchange file; returns its differences.
fn replay_file(
    sb: &Sandbox,
    dir: &Path,
    name: &str,
    ids: &mut HashMap<String, String>,
) -> Vec<String> {
    let rec = read_json(dir, &format!("{name}.json"));
    let method = rec["request"]["method"].as_str().unwrap();
    let path = substitute(rec["request"]["path"].as_str().unwrap(), ids);
    let body = request_body(&rec, ids);
    let answer = sb
        .try_call(method, &path, body.as_ref(), Some(KEY))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let want = rec["status"].as_u64().unwrap() as u16;
    let recorded = recorded_response(&rec);
    let diffs = answer_diffs(want, &recorded, &answer);
    if diffs.is_empty() && want < 300 {
        learn_ids(&recorded, &answer.body, ids);
    }
    diffs
}

/// State the 1.5 workspace had before a recording (not recorded itself).
fn setup_15(sb: &Sandbox, name: &str) {
    match name {
        "graphql-createPeople-upsert-200" => {
            // The migration that sent this had created these person fields and companies.
            create_field(
                sb,
                "person",
                select(
                    "lifecycleStage",
                    &["SUBSCRIBER", "SALES_QUALIFIED_LEAD", "OPPORTUNITY"],
                ),
            );
            create_field(sb, "person", select("leadStatus", &["NEW", "OPEN"]));
            create_field(sb, "person", plain("DATE_TIME", "sourceCreatedAt"));
            create_field(sb, "person", plain("DATE_TIME", "lastActivityDate"));
            create_field(sb, "person", plain("TEXT", "preferredChannels"));
            let mut unique = plain("TEXT", "sourceRecordId");
            unique["isUnique"] = json!(true);
            create_field(sb, "person", unique);
            sb.create(
                "companies",
                json!([
                    {"id": "d2606bf9-4635-509f-8f3d-088b5f579a35", "name": "Company A"},
                    {"id": "36f6f88e-ea89-5d69-aeae-6412cedd3089", "name": "Company B"}
                ]),
            );
        }
        "rollback-delete-soft-company-200" => {
            // The task target a migration had created, that the rollback deletes.
            sb.create(
                "tasks",
                json!([{"id": "0d6f5e4c-3b2a-4190-8a7b-6c5d4e3f2a10", "title": "Call back"}]),
            );
            sb.create(
                "taskTargets",
                json!([{"id": "449fdd63-730c-5d24-84fe-3e52f4f2a5bb",
                        "taskId": "0d6f5e4c-3b2a-4190-8a7b-6c5d4e3f2a10"}]),
            );
        }
        _ => {}
    }
}

#[test]
fn replays_twenty_1_5_december_recordings() {
    let Some(dir) = folder("twenty-live/2026-12") else {
        eprintln!("skipping: shared/twenty-live/2026-12 not found");
        return;
    };
    assert_every_file_handled(&dir, ORDER_15, &[]);
    let mut config = Config::for_tests(KEY);
    config.profile = ProfileKind::Twenty15;
    let sb = start_with(config);
    let mut ids = metadata_ids(&sb, IDS_15);
    let mut failures = Vec::new();
    for name in ORDER_15 {
        setup_15(&sb, name);
        let diffs = replay_file(&sb, &dir, name, &mut ids);
        if !diffs.is_empty() {
            failures.push(format!("{name}:\n    {}", diffs.join("\n    ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn replays_twenty_2_december_recordings() {
    let Some(dir) = folder("twenty-live-2x/2026-12") else {
        eprintln!("skipping: shared/twenty-live-2x/2026-12 not found");
        return;
    };
    assert_every_file_handled(&dir, ORDER_2X, SPECIAL_2X);
    let mut config = Config::for_tests(KEY);
    config.profile = ProfileKind::Twenty2;
    let sb = start_with(config);
    let mut ids = metadata_ids(&sb, IDS_2X);
    let mut failures = Vec::new();
    for name in ORDER_2X {
        let diffs = replay_file(&sb, &dir, name, &mut ids);
        if !diffs.is_empty() {
            failures.push(format!("{name}:\n    {}", diffs.join("\n    ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `upsert-revives-soft-deleted.json`: two companies an earlier run created and a rollback
/// soft-deleted come back with `deletedAt: null`, their old values, and the values sent.
#[test]
fn upsert_revives_soft_deleted_like_2_19() {
    let Some(dir) = folder("twenty-live-2x/2026-12") else {
        eprintln!("skipping: shared/twenty-live-2x/2026-12 not found");
        return;
    };
    let rec = read_json(&dir, "upsert-revives-soft-deleted.json");
    let recorded = recorded_response(&rec)["data"]["createCompanies"].clone();
    let sent = rec["request"]["body"].as_array().unwrap().clone();
    let mut config = Config::for_tests(KEY);
    config.profile = ProfileKind::Twenty2;
    // The account owners of the earlier import.
    config.members = recorded
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            json!({"id": c["accountOwnerId"], "name": {"firstName": "Owner", "lastName": i.to_string()},
                   "userEmail": format!("owner{i}@example.com")})
        })
        .collect();
    let sb = start_with(config);
    // The company fields of the recorded workspace (types and options as its metadata listing
    // gives them: `proxy-salesforce-check.jsonl.gz`, first exchange; hsLastActivityDate and
    // partnerTier as `proxy-all.jsonl.gz` creates them in the hubspot run).
    let mut fields = vec![
        json!({"type": "TEXT", "name": "tagline", "label": "Tagline", "isNullable": true, "defaultValue": "''"}),
        plain("LINKS", "introVideo"),
        {
            let mut f = select("workPolicy", &["ON_SITE", "HYBRID", "REMOTE_WORK"]);
            f["type"] = json!("MULTI_SELECT");
            f
        },
        json!({"type": "BOOLEAN", "name": "visaSponsorship", "label": "Visa", "isNullable": true, "defaultValue": false}),
        select("accountSource", &["PARTNER", "TRADE_SHOW", "WEB"]),
        select("rating", &["COLD", "HOT", "WARM"]),
        select(
            "accountType",
            &["CUSTOMER_CHANNEL", "CUSTOMER_DIRECT", "PROSPECT"],
        ),
        plain("DATE_TIME", "sourceCreatedAt"),
        plain("CURRENCY", "annualRecurringRevenue"),
        plain("PHONES", "phone"),
        select("customerTierC", &["BRONZE", "GOLD", "SILVER"]),
        select("industry", &["CONSULTING", "TECHNOLOGY"]),
        plain("DATE", "lastActivityDate"),
        plain("DATE_TIME", "hsLastActivityDate"),
        select("partnerTier", &["BRONZE", "GOLD", "SILVER"]),
    ];
    let mut unique = plain("TEXT", "sourceRecordId");
    unique["isUnique"] = json!(true);
    fields.push(unique);
    for f in fields {
        create_field(&sb, "company", f);
    }
    // The earlier import: the old values (everything the recorded answer shows but what the
    // upsert sends and what the server computes), then the rollback's soft delete.
    let computed = [
        "createdAt",
        "updatedAt",
        "deletedAt",
        "position",
        "createdBy",
        "updatedBy",
        "searchVector",
    ];
    for (old, new) in recorded.as_array().unwrap().iter().zip(&sent) {
        let mut row = old.as_object().unwrap().clone();
        row.retain(|k, _| !computed.contains(&k.as_str()) && new.get(k).is_none() || k == "id");
        sb.create("companies", json!([row]));
        let id = old["id"].as_str().unwrap();
        let del = sb.call(
            "DELETE",
            &format!("/rest/companies/{id}?soft_delete=true"),
            None,
        );
        assert_eq!(del.status, 200, "{}", del.body);
    }
    let answer = sb.post(rec["request"]["path"].as_str().unwrap(), json!(sent));
    let mut diffs = answer_diffs(
        rec["status"].as_u64().unwrap() as u16,
        &json!({"data": {"createCompanies": recorded}}),
        &answer,
    );
    let got = answer.body["data"]["createCompanies"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (r, a) in recorded.as_array().unwrap().iter().zip(&got) {
        for (k, rv) in r.as_object().unwrap() {
            // Timestamps, position and searchVector depend on the moment and the workspace.
            if computed.contains(&k.as_str()) && k != "deletedAt" {
                continue;
            }
            if a.get(k) != Some(rv) {
                diffs.push(format!("{}.{k}: {} instead of {rv}", r["id"], a[k]));
            }
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

/// The real throttle (2.19): `rate-limit-429.json` and the `first429` of `bare-*.json`.
#[test]
fn the_throttle_answers_like_2_19() {
    let Some(dir) = folder("twenty-live-2x/2026-12") else {
        eprintln!("skipping: shared/twenty-live-2x/2026-12 not found");
        return;
    };
    let rec = read_json(&dir, "rate-limit-429.json");
    let mut config = Config::for_tests(KEY);
    config.profile = ProfileKind::Twenty2;
    // Twenty's long bucket, the one the recording names. The short one stays off so that the
    // long one refuses whatever the speed of this machine (100 requests may take < 1 s).
    config.rate_long = parse_rate("100/60000").unwrap();
    let sb = start_with(config);
    let path = rec["request"]["path"].as_str().unwrap();
    for i in 0..100 {
        let a = sb.get(path);
        assert_eq!(a.status, 200, "request {i}: {}", a.body);
    }
    let limited = sb.get(path);
    let want = recorded_response(&rec);
    assert_eq!(limited.status, rec["status"].as_u64().unwrap() as u16);
    assert_eq!(limited.body, want);
    assert_eq!(limited.retry_after, None);
    assert!(rec["retry_after"].is_null());
    for file in ["bare-60x1", "bare-60x2", "bare-200x1", "bare-200x2"] {
        let bare = read_json(&dir, &format!("{file}.json"));
        let first = &bare["first429"];
        assert_eq!(first["status"], 429, "{file}");
        let body: Value = serde_json::from_str(first["response"].as_str().unwrap()).unwrap();
        assert_eq!(body, limited.body, "{file}");
        let headers = first["headers"].as_object().unwrap();
        assert!(
            !headers
                .keys()
                .any(|k| k.eq_ignore_ascii_case("retry-after")),
            "{file}"
        );
        assert_eq!(
            headers.get("Content-Type").and_then(Value::as_str),
            limited.content_type.as_deref(),
            "{file}"
        );
    }
}

// ----- the proxy recordings ------------------------------------------------------------------

/// One exchange of a proxy recording.
struct Exchange {
    /// Position in the file (markers not counted), as cited in reasons.
    n: usize,
    /// The run it belongs to (the last marker).
    run: String,
    method: String,
    path: String,
    body: Value,
    status: u16,
    response: Value,
    retry_after: Value,
}

/// Streams a `.jsonl.gz` proxy recording (about 250 MB of JSON for `proxy-all`, one exchange
/// in memory at a time).
fn exchanges(path: &Path) -> impl Iterator<Item = Exchange> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader = BufReader::with_capacity(1 << 20, flate2::read::GzDecoder::new(file));
    let mut run = String::from("(before the first marker)");
    let mut n = 0;
    reader.lines().filter_map(move |line| {
        let line = line.expect("readable gzip");
        let mut v: Value = serde_json::from_str(&line).expect("one JSON object per line");
        if let Some(m) = v.get("marker").and_then(Value::as_str) {
            run = m.to_string();
            return None;
        }
        let take = |v: &mut Value, k: &str| v.get_mut(k).map(Value::take).unwrap_or_default();
        let mut request = take(&mut v, "request");
        let x = Exchange {
            n,
            run: run.clone(),
            method: request["method"].as_str().unwrap_or_default().to_string(),
            path: request["path"].as_str().unwrap_or_default().to_string(),
            body: take(&mut request, "body"),
            status: v["status"].as_u64().unwrap_or_default() as u16,
            response: take(&mut v, "response"),
            retry_after: take(&mut v, "retry_after"),
        };
        n += 1;
        Some(x)
    })
}

/// What kind of exchange a recorded request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Health,
    Objects,
    Webhooks,
    CreateField,
    PatchField,
    List,
    Batch,
    Delete,
}

fn kind_of(x: &Exchange) -> Option<Kind> {
    let path = x.path.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    Some(match (x.method.as_str(), segments.as_slice()) {
        ("GET", ["healthz"]) => Kind::Health,
        ("GET", ["rest", "metadata", "objects"]) => Kind::Objects,
        ("GET", ["rest", "metadata", "webhooks"]) => Kind::Webhooks,
        ("POST", ["rest", "metadata", "fields"]) => Kind::CreateField,
        ("PATCH", ["rest", "metadata", "fields", _]) => Kind::PatchField,
        ("GET", ["rest", _]) => Kind::List,
        ("POST", ["rest", "batch", _]) => Kind::Batch,
        ("DELETE", ["rest", _, _]) => Kind::Delete,
        _ => return None,
    })
}

/// Why an exchange is not replayed, or `None` when it is.
fn exclusion(x: &Exchange) -> Option<&'static str> {
    if x.status == 429 {
        // Checked instead: its body must be the sandbox's throttle answer (see replay_proxy).
        return Some(
            "refused by the real throttle: nothing was applied and the client sent it again; \
             the sandbox runs without buckets here, its 429 is compared with this body instead",
        );
    }
    None
}

/// The state of the recorded workspace that the proxy recording reads before its first write:
/// the metadata listing and the workspace members.
#[derive(Default)]
struct Prelude {
    listing: Option<Value>,
    members: Vec<Value>,
}

/// A running replay of a proxy recording.
struct ProxyReplay {
    sb: Sandbox,
    ids: HashMap<String, String>,
    /// Record keys the recording has and the sandbox cannot: relations to the recorded
    /// workspace's demo objects (surveyResult, pet, rocket…), which the sandbox does not have.
    absent_keys: HashSet<String>,
    /// The recorded workspace members the sandbox was seeded with. Their `createdBy` and
    /// `updatedBy` are not compared: the sandbox's seed writes them as its system actor, the
    /// recorded ones were last edited by a user of the demo workspace.
    seeded_members: HashSet<Value>,
    /// The sandbox's answer to an over-limit request.
    throttled: Value,
    /// The first differences found (for the report) and the number of exchanges that differ.
    failures: Vec<String>,
    failed: usize,
    replayed: usize,
    excluded: HashMap<&'static str, usize>,
    records_compared: usize,
}

/// Field types the metadata API creates (relations to demo objects cannot be).
fn creatable(kind: &str) -> bool {
    !matches!(kind, "RELATION" | "MORPH_RELATION")
}

impl ProxyReplay {
    fn start(prelude: Prelude, throttled: Value) -> ProxyReplay {
        let mut config = Config::for_tests(KEY);
        config.profile = ProfileKind::Twenty2;
        config.members = prelude
            .members
            .iter()
            .map(|m| {
                let mut seed = Map::new();
                for k in ["id", "name", "userEmail", "userId"] {
                    if let Some(v) = m.get(k) {
                        seed.insert(k.into(), v.clone());
                    }
                }
                Value::Object(seed)
            })
            .collect();
        let seeded_members = config.members.iter().map(|m| m["id"].clone()).collect();
        let sb = start_with(config);
        let listing = prelude
            .listing
            .expect("a metadata listing before the first write");
        let mut replay = ProxyReplay {
            sb,
            ids: HashMap::new(),
            absent_keys: HashSet::new(),
            seeded_members,
            throttled,
            failures: Vec::new(),
            failed: 0,
            replayed: 0,
            excluded: HashMap::new(),
            records_compared: 0,
        };
        replay.seed_fields(&listing);
        replay.map_metadata(&listing);
        replay
    }

    /// Creates, through the API, the custom fields the recorded workspace had on the sandbox's
    /// objects (demo fields such as tagline, earlier runs' fields such as sourceRecordId).
    fn seed_fields(&mut self, listing: &Value) {
        let ours = objects(&self.sb);
        for o in &ours {
            let Some(theirs) = listing["data"]["objects"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["nameSingular"] == o["nameSingular"])
            else {
                continue;
            };
            let have: HashSet<&str> = o["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f["name"].as_str())
                .collect();
            for f in theirs["fields"].as_array().into_iter().flatten() {
                let name = f["name"].as_str().unwrap_or_default();
                if have.contains(name) {
                    continue;
                }
                let kind = f["type"].as_str().unwrap_or_default();
                if !creatable(kind) {
                    self.absent_keys.insert(name.to_string());
                    self.absent_keys.insert(format!("{name}Id"));
                    continue;
                }
                let mut body = json!({
                    "objectMetadataId": o["id"], "type": kind, "name": name, "label": f["label"],
                    "isNullable": f["isNullable"], "isUnique": f["isUnique"],
                });
                for k in ["defaultValue", "description", "icon"] {
                    if !f[k].is_null() {
                        body[k] = f[k].clone();
                    }
                }
                if let Some(options) = f["options"].as_array() {
                    // As recorded, without the ids (the sandbox gives its own).
                    let mut options = options.clone();
                    for o in &mut options {
                        if let Some(m) = o.as_object_mut() {
                            m.remove("id");
                        }
                    }
                    body["options"] = Value::Array(options);
                }
                let a = self.sb.post("/rest/metadata/fields", body);
                assert_eq!(
                    a.status, 201,
                    "seeding {}.{name}: {}",
                    o["nameSingular"], a.body
                );
            }
        }
    }

    /// Recorded object and field ids → the sandbox's, by names.
    fn map_metadata(&mut self, listing: &Value) {
        let ours = objects(&self.sb);
        for r in listing["data"]["objects"].as_array().into_iter().flatten() {
            let Some(o) = ours.iter().find(|o| o["nameSingular"] == r["nameSingular"]) else {
                continue;
            };
            self.map_id(&r["id"], &o["id"]);
            for rf in r["fields"].as_array().into_iter().flatten() {
                if let Some(of) = o["fields"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|f| f["name"] == rf["name"])
                {
                    self.map_id(&rf["id"], &of["id"]);
                }
            }
        }
    }

    fn map_id(&mut self, recorded: &Value, ours: &Value) {
        if let (Some(r), Some(o)) = (recorded.as_str(), ours.as_str()) {
            self.ids.insert(r.to_string(), o.to_string());
        }
    }

    fn exclude(&mut self, why: &'static str) {
        *self.excluded.entry(why).or_default() += 1;
    }

    fn fail(&mut self, x: &Exchange, diffs: Vec<String>) {
        if diffs.is_empty() {
            return;
        }
        self.failed += 1;
        if self.failures.len() < 40 {
            self.failures.push(format!(
                "#{} ({}) {} {}:\n    {}",
                x.n,
                x.run,
                x.method,
                x.path,
                diffs.join("\n    ")
            ));
        }
    }

    /// Whether a key of a record is left out of the comparison: the keys the sandbox cannot
    /// have ([`ProxyReplay::absent_keys`]) and the actors of seeded members.
    fn skipped(&self, record: &Value, key: &str) -> bool {
        self.absent_keys.contains(key)
            || (matches!(key, "createdBy" | "updatedBy")
                && self.seeded_members.contains(&record["id"]))
    }

    /// Same keys (but the skipped ones) and JSON types, recursively.
    fn compare_record(&self, recorded: &Value, ours: &Value, diffs: &mut Vec<String>) {
        let path = format!("[{}]", recorded["id"]);
        let (Some(r), Some(o)) = (recorded.as_object(), ours.as_object()) else {
            compare_shape(&path, recorded, ours, diffs);
            return;
        };
        for (k, rv) in r {
            if self.skipped(recorded, k) {
                continue;
            }
            match o.get(k) {
                Some(ov) => compare_shape(&format!("{path}.{k}"), rv, ov, diffs),
                None => diffs.push(format!("{path}.{k}: missing in sandbox answer")),
            }
        }
        for k in o.keys() {
            if !r.contains_key(k) && !self.skipped(ours, k) {
                diffs.push(format!("{path}.{k}: not in the recorded answer"));
            }
        }
    }

    /// The keys of a record but the skipped ones.
    fn record_keys<'v>(&self, record: &'v Value) -> Vec<&'v str> {
        let mut k: Vec<&str> = record
            .as_object()
            .map(|m| {
                m.keys()
                    .map(String::as_str)
                    .filter(|k| !self.skipped(record, k))
                    .collect()
            })
            .unwrap_or_default();
        k.sort_unstable();
        k
    }

    fn key_set(v: &Value) -> Vec<&str> {
        let mut k: Vec<&str> = v
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        k.sort_unstable();
        k
    }

    /// Compares record lists: same ids in the same order, and the shape of each record.
    fn compare_records(&mut self, recorded: &[Value], ours: &[Value], diffs: &mut Vec<String>) {
        let rids: Vec<&Value> = recorded.iter().map(|r| &r["id"]).collect();
        let oids: Vec<&Value> = ours.iter().map(|r| &r["id"]).collect();
        if rids != oids {
            diffs.push(format!("record ids {oids:?} instead of {rids:?}"));
            return;
        }
        for (r, o) in recorded.iter().zip(ours) {
            self.compare_record(r, o, diffs);
            self.records_compared += 1;
        }
    }

    fn replay(&mut self, x: &Exchange) {
        if let Some(why) = exclusion(x) {
            if x.status == 429 {
                let mut diffs = Vec::new();
                if x.response != self.throttled {
                    diffs.push(format!(
                        "recorded 429 {} but the sandbox's is {}",
                        x.response, self.throttled
                    ));
                }
                if !x.retry_after.is_null() {
                    diffs.push(format!("recorded Retry-After {}", x.retry_after));
                }
                self.fail(x, diffs);
            }
            self.exclude(why);
            return;
        }
        let Some(kind) = kind_of(x) else {
            // A route this replay does not know yet: a difference, never a silent skip.
            self.fail(x, vec!["a request this replay does not classify".into()]);
            return;
        };
        // Only metadata requests carry the recorded workspace's own ids; record requests carry
        // the client's ids (and the seeded members'), the same on both sides.
        let metadata = matches!(kind, Kind::CreateField | Kind::PatchField);
        let path = if metadata {
            substitute(&x.path, &self.ids)
        } else {
            x.path.clone()
        };
        let body = match &x.body {
            Value::Null => None,
            b if metadata => {
                Some(serde_json::from_str(&substitute(&b.to_string(), &self.ids)).unwrap())
            }
            b => Some(b.clone()),
        };
        let key = (kind != Kind::Health).then_some(KEY);
        let answer = match self.sb.try_call(&x.method, &path, body.as_ref(), key) {
            Ok(a) => a,
            Err(e) => {
                self.fail(x, vec![format!("no answer: {e}")]);
                return;
            }
        };
        self.replayed += 1;
        let mut diffs = Vec::new();
        if answer.status != x.status {
            diffs.push(format!(
                "status {} instead of {}: {}",
                answer.status,
                x.status,
                short(&answer.body)
            ));
            self.fail(x, diffs);
            return;
        }
        if x.status >= 400 {
            let (r, a) = (
                blank_random_uids(&x.response),
                blank_random_uids(&answer.body),
            );
            if r != a {
                diffs.push(format!("error body {} instead of {}", short(&a), short(&r)));
            }
            self.fail(x, diffs);
            return;
        }
        match kind {
            Kind::Health | Kind::Webhooks => {
                if answer.body != x.response {
                    diffs.push(format!("{} instead of {}", answer.body, x.response));
                }
            }
            Kind::Objects => self.compare_objects(&x.response, &answer.body, &mut diffs),
            Kind::CreateField | Kind::PatchField => {
                compare_shape("", &x.response, &answer.body, &mut diffs);
                if diffs.is_empty() {
                    learn_ids(&x.response, &answer.body, &mut self.ids);
                }
            }
            Kind::Batch => {
                let key = x.response["data"]
                    .as_object()
                    .and_then(|m| m.keys().next().cloned())
                    .unwrap_or_default();
                let empty = Vec::new();
                let recorded = x.response["data"][&key].as_array().unwrap_or(&empty);
                let ours = answer.body["data"][&key].as_array().unwrap_or(&empty);
                self.compare_records(recorded, ours, &mut diffs);
            }
            Kind::Delete => {
                let recorded = x.response["data"].as_object();
                let ours = answer.body["data"].as_object();
                match (recorded, ours) {
                    (Some(r), Some(o)) if r.keys().eq(o.keys()) => {
                        let k = r.keys().next().cloned().unwrap_or_default();
                        let one = |v: &Value| vec![v.clone()];
                        self.compare_records(&one(&r[&k]), &one(&o[&k]), &mut diffs);
                    }
                    _ => diffs.push(format!(
                        "{} instead of {}",
                        short(&answer.body),
                        short(&x.response)
                    )),
                }
            }
            Kind::List => self.compare_list(&x.response, &answer.body, &mut diffs),
        }
        self.fail(x, diffs);
    }

    /// A list page: the envelope, `pageInfo` keys, the records both sides hold (by id), and the
    /// keys of the sandbox's other records against the recording's (demo records are only on
    /// the recorded side; what a page holds differs with them).
    fn compare_list(&mut self, recorded: &Value, ours: &Value, diffs: &mut Vec<String>) {
        if Self::key_set(recorded) != Self::key_set(ours) {
            diffs.push(format!(
                "envelope {:?} instead of {:?}",
                Self::key_set(ours),
                Self::key_set(recorded)
            ));
            return;
        }
        if Self::key_set(&recorded["pageInfo"]) != Self::key_set(&ours["pageInfo"])
            || Self::key_set(&recorded["data"]) != Self::key_set(&ours["data"])
            || !ours["totalCount"].is_number()
        {
            diffs.push(format!(
                "pageInfo/data/totalCount differ: {} vs {}",
                short(ours),
                short(recorded)
            ));
            return;
        }
        let key = Self::key_set(&recorded["data"])
            .first()
            .map(|k| k.to_string())
            .unwrap_or_default();
        let empty = Vec::new();
        let recs = recorded["data"][&key].as_array().unwrap_or(&empty);
        let mine = ours["data"][&key].as_array().unwrap_or(&empty);
        let by_id: HashMap<&Value, &Value> = recs.iter().map(|r| (&r["id"], r)).collect();
        let sample = recs.first().map(|r| self.record_keys(r));
        for o in mine {
            match by_id.get(&o["id"]) {
                Some(r) => {
                    self.compare_record(r, o, diffs);
                    self.records_compared += 1;
                }
                None => {
                    let keys = self.record_keys(o);
                    if let Some(s) = &sample
                        && *s != keys
                    {
                        diffs.push(format!("[{}] keys {keys:?} instead of {s:?}", o["id"]));
                    }
                }
            }
        }
    }

    /// `GET /rest/metadata/objects`: the envelope, then every object the sandbox has against
    /// the recorded one (keys; fields matched by name, blob keys and types). The recorded
    /// workspace's other objects (demo and system ones) are not the sandbox's.
    fn compare_objects(&mut self, recorded: &Value, ours: &Value, diffs: &mut Vec<String>) {
        if Self::key_set(recorded) != Self::key_set(ours) {
            diffs.push("envelope keys differ".into());
            return;
        }
        let empty = Vec::new();
        let theirs = recorded["data"]["objects"].as_array().unwrap_or(&empty);
        for o in ours["data"]["objects"].as_array().unwrap_or(&empty) {
            match theirs
                .iter()
                .find(|r| r["nameSingular"] == o["nameSingular"])
            {
                Some(r) => compare_shape(&format!("{}", o["nameSingular"]), r, o, diffs),
                None => diffs.push(format!("object {} not in the recording", o["nameSingular"])),
            }
        }
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 300 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(300).map_or(s.len(), |(i, _)| i)]
        )
    } else {
        s
    }
}

/// The sandbox's answer to an over-limit request with Twenty's long bucket.
fn sandbox_429() -> Value {
    let mut config = Config::for_tests(KEY);
    config.rate_long = parse_rate("100/60000").unwrap();
    let sb = start_with(config);
    for _ in 0..100 {
        sb.get("/rest/companies?limit=1");
    }
    let a = sb.get("/rest/companies?limit=1");
    assert_eq!(a.status, 429);
    a.body
}

/// Replays a proxy recording in one sandbox (twenty-2, no buckets):
/// - before the first write the recording only reads; from those reads the sandbox is seeded with
///   the recorded workspace members (ids kept: records point at them) and the custom fields the
///   recorded workspace had on the sandbox's objects; recorded metadata ids are mapped to the
///   sandbox's by names;
/// - every exchange is then sent in order, ids substituted, and compared: status; error bodies
///   exactly; batch creates and deletes record by record (same ids, same order, same shape);
///   list pages by envelope and the records both sides hold; metadata answers by shape; the
///   health check and the webhook list exactly.
///
/// The recorded workspace also held demo records (about 8 000) and demo objects the sandbox does
/// not seed: list pages therefore hold other records, and keys of relations to demo objects are
/// left out of the comparison (`absent_keys`). 429 answers are not replayed (see [`exclusion`]).
fn replay_proxy(file: &str) -> Option<ProxyReplay> {
    let dir = folder("twenty-live-2x/2026-12")?;
    let throttled = sandbox_429();
    let mut prelude = Prelude::default();
    let mut pending: Vec<Exchange> = Vec::new();
    let mut replay: Option<ProxyReplay> = None;
    for x in exchanges(&dir.join(file)) {
        if let Some(r) = replay.as_mut() {
            r.replay(&x);
            continue;
        }
        let kind = kind_of(&x);
        let reads_only = matches!(kind, Some(Kind::Health | Kind::Objects))
            || x.path.starts_with("/rest/workspaceMembers");
        if reads_only {
            if kind == Some(Kind::Objects) && prelude.listing.is_none() {
                prelude.listing = Some(x.response.clone());
            }
            if x.path.starts_with("/rest/workspaceMembers") {
                prelude.members.extend(
                    x.response["data"]["workspaceMembers"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default(),
                );
            }
            pending.push(x);
            continue;
        }
        let mut r = ProxyReplay::start(std::mem::take(&mut prelude), throttled.clone());
        for p in pending.drain(..) {
            r.replay(&p);
        }
        r.replay(&x);
        replay = Some(r);
    }
    replay
}

fn report(file: &str, r: &ProxyReplay) {
    eprintln!(
        "{file}: {} exchanges replayed ({} records compared), excluded: {:?}",
        r.replayed, r.records_compared, r.excluded
    );
    assert!(
        r.failed == 0,
        "{file}: {} exchanges differ (the first ones):\n{}",
        r.failed,
        r.failures.join("\n")
    );
}

#[test]
fn replays_proxy_salesforce_check() {
    let file = "proxy-salesforce-check.jsonl.gz";
    let Some(r) = replay_proxy(file) else {
        eprintln!("skipping: shared/twenty-live-2x/2026-12 not found");
        return;
    };
    report(file, &r);
    assert_eq!((r.replayed, r.excluded.len()), (68, 0), "{:?}", r.excluded);
}

#[test]
fn replays_proxy_all_runs() {
    let file = "proxy-all.jsonl.gz";
    let Some(r) = replay_proxy(file) else {
        eprintln!("skipping: shared/twenty-live-2x/2026-12 not found");
        return;
    };
    report(file, &r);
    assert!(r.replayed > 2600, "{}", r.replayed);
    // The only exclusions: the 195 exchanges the real throttle refused.
    assert_eq!(r.excluded.values().sum::<usize>(), 195, "{:?}", r.excluded);
}

#[test]
fn replay_comparisons_catch_differences() {
    // The comparisons themselves must be able to fail.
    let answer = |status: u16, body: Value| Answer {
        status,
        body,
        retry_after: None,
        content_type: None,
    };
    let err = json!({"statusCode": 400, "error": "BadRequestException", "messages": ["Record already exists"]});
    assert!(answer_diffs(400, &err, &answer(400, err.clone())).is_empty());
    let other = json!({"statusCode": 400, "error": "UserInputError", "messages": ["Duplicate Id"]});
    assert_eq!(answer_diffs(400, &err, &answer(400, other)).len(), 1);
    assert_eq!(answer_diffs(400, &err, &answer(201, json!({}))).len(), 1);
    let ok = json!({"data": {"createNotes": [{"id": "a", "title": "t"}]}});
    let missing = json!({"data": {"createNotes": [{"id": "a"}]}});
    assert_eq!(answer_diffs(201, &ok, &answer(201, missing)).len(), 1);
    assert_eq!(
        blank_random_uids(&json!({"flatEntityMinimalInformation": {"universalIdentifier": "x"}})),
        json!({"flatEntityMinimalInformation": {"universalIdentifier": "<random>"}})
    );
    let body = request_body(
        &json!({"request": {"body": [{"id": "x"}, "... (3 items, all the same)"]}}),
        &HashMap::new(),
    );
    assert_eq!(body, Some(json!([{"id": "x"}, {"id": "x"}, {"id": "x"}])));
}

/// GraphQL's throttle on a live 2.19 (`docs/evidence/live-2x/ceiling-q2-query-20-root-fields-first-limited.json`):
/// HTTP 200, the root field null, a `BAD_USER_INPUT` with `subCode: LIMIT_REACHED` naming the
/// bucket — where REST answers 429.
#[test]
fn the_graphql_throttle_answers_like_2_19() {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/evidence/live-2x/ceiling-q2-query-20-root-fields-first-limited.json");
    let rec: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let mut config = Config::for_tests(KEY);
    config.profile = ProfileKind::Twenty2;
    config.rate_long = parse_rate("100/60000").unwrap();
    let sb = start_with(config);
    let query =
        serde_json::json!({"query": "query { a0: people(first: 1) { edges { node { id } } } }"});
    for i in 0..100 {
        let a = sb.post("/graphql", query.clone());
        assert_eq!(a.status, 200, "request {i}: {}", a.body);
        assert!(a.body.get("errors").is_none(), "request {i}: {}", a.body);
    }
    let limited = sb.post("/graphql", query);
    assert_eq!(limited.status, rec["status"].as_u64().unwrap() as u16);
    assert_eq!(limited.retry_after, None);
    // The recorded request had twenty root fields: one null and one error each; this one has one.
    let want = serde_json::json!({
        "data": {"a0": rec["response"]["data"]["a0"].clone()},
        "errors": [rec["response"]["errors"][0].clone()],
    });
    assert_eq!(limited.body, want);
    // REST keeps its 429.
    assert_eq!(sb.get("/rest/people?limit=1").status, 429);
}

/// What a comparison of the ceiling recordings keeps of an answer: timestamps, positions and
/// authorship dropped, `deletedAt` as set or not, lists of records ordered by id (the live
/// server orders a mass mutation's answer its own way).
fn comparable(v: &Value) -> Value {
    const DROPPED: [&str; 6] = [
        "createdAt",
        "updatedAt",
        "position",
        "searchVector",
        "createdBy",
        "updatedBy",
    ];
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !DROPPED.contains(&k.as_str()))
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("deletedAt", Value::String(_)) => json!("<set>"),
                        _ => comparable(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => {
            let mut items: Vec<Value> = items.iter().map(comparable).collect();
            let id = |v: &Value| {
                v.pointer("/id")
                    .or_else(|| v.pointer("/node/id"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            items.sort_by_key(id);
            Value::Array(items)
        }
        v => v.clone(),
    }
}

/// Deletes and restores as a live 2.19 does them, replayed request by request from
/// `docs/evidence/live-2x/ceiling-q1-*` and `ceiling-q4-*` (`ceiling.md`): soft-deleting notes
/// and tasks soft-deletes their targets (one trashed on its own before has its `deletedAt` set
/// again) and restoring them restores every target; destroying a note destroys its targets;
/// soft-deleting a person or a company leaves its targets and attachments live; a mass delete
/// and a mass restore take 101 records (no cap of 100). The creations are compared by the ids
/// they answer (the live records carry fields of the fork), every GraphQL answer whole.
#[test]
fn deletes_and_restores_replay_the_live_2_19_ceiling_recordings() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/evidence/live-2x");
    let mut config = Config::for_tests(KEY);
    config.profile = ProfileKind::Twenty2;
    let sb = start_with(config);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("ceiling-q1-") || n.starts_with("ceiling-q4-"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 28, "{files:?}");
    let mut diffs = Vec::new();
    for file in &files {
        let rec = read_json(&dir, file);
        let method = rec["request"]["method"].as_str().unwrap();
        let path = rec["request"]["path"].as_str().unwrap();
        let body = rec["request"]["body"].clone();
        let a = sb.call(method, path, (!body.is_null()).then_some(&body));
        let status = rec["status"].as_u64().unwrap() as u16;
        if a.status != status {
            diffs.push(format!(
                "{file}: status {} where 2.19 answered {status}: {}",
                a.status, a.body
            ));
            continue;
        }
        let (got, want) = if path.starts_with("/rest/") {
            let ids = |v: &Value| -> Vec<String> {
                let mut ids: Vec<String> = v["data"]
                    .as_object()
                    .and_then(|m| m.values().next())
                    .and_then(Value::as_array)
                    .map(|l| {
                        l.iter()
                            .filter_map(|r| r["id"].as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                ids.sort();
                ids
            };
            (json!(ids(&a.body)), json!(ids(&rec["response"])))
        } else {
            (comparable(&a.body), comparable(&rec["response"]))
        };
        if got != want {
            diffs.push(format!("{file}:\n  sandbox {got}\n  2.19    {want}"));
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}
