//! Rate limits, faults, latency, stats, persistence, the binary and `dump`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use twenty_sandbox::{Config, ProfileKind, parse_rate};

use crate::common::{KEY, Sandbox, company, message, person, start_with};

fn config() -> Config {
    Config::for_tests(KEY)
}

/// The real throttle's answer (2.19, `rate-limit-429.json`): it names the refusing bucket and
/// sends no `Retry-After`.
#[test]
fn short_window_answers_the_real_429() {
    for profile in [ProfileKind::Twenty2, ProfileKind::Twenty15] {
        let mut c = config();
        c.profile = profile;
        c.rate_short = parse_rate("3/60000").unwrap();
        let sb = start_with(c);
        for _ in 0..3 {
            assert_eq!(sb.get("/rest/companies").status, 200);
        }
        let limited = sb.get("/rest/companies");
        assert_eq!(limited.status, 429);
        assert_eq!(
            limited.body,
            json!({"statusCode": 429, "error": "HttpException",
                   "messages": ["Limit reached (3 tokens per 60000 ms)"]})
        );
        assert_eq!(limited.retry_after, None);
        assert_eq!(sb.stats()["rate_limited"], 1);
        // Unauthenticated requests and the metadata API spend no token; stats are outside.
        assert_eq!(
            sb.try_call("GET", "/rest/companies", None, None)
                .unwrap()
                .status,
            403
        );
        assert_eq!(sb.get("/rest/metadata/objects").status, 200);
        assert_eq!(sb.get("/rest/metadata/webhooks").status, 200);
        // GraphQL record queries do.
        let gql = sb.post(
            "/graphql",
            json!({"query": "mutation { createCompany(data: {name: \"X\"}) { id } }"}),
        );
        assert_eq!(gql.status, 200, "GraphQL's throttle answers in a 200");
        assert_eq!(
            gql.body["errors"][0]["extensions"]["subCode"],
            "LIMIT_REACHED"
        );
    }
}

/// The command line's buckets follow the profile: Twenty 2.x's by default, none for 1.5 (its
/// REST API has no throttle: `rest-api-create-many.handler.ts` and the other handlers use the
/// repository directly; only its GraphQL plugin limits, and 700 quick REST requests got no 429).
#[test]
fn binary_buckets_default_by_profile() {
    for (profile, limited) in [("twenty-2", true), ("twenty-1.5", false)] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_twenty-sandbox"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--api-key",
                "k",
                "--profile",
                profile,
            ])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap()
            .to_string();
        let agent = crate::common::agent();
        let statuses: Vec<u16> = (0..101)
            .map(|_| {
                agent
                    .get(format!("{url}/rest/companies?limit=1"))
                    .header("Authorization", "Bearer k")
                    .call()
                    .unwrap()
                    .status()
                    .as_u16()
            })
            .collect();
        child.kill().unwrap();
        child.wait().unwrap();
        // 101 requests in well under a minute: the long bucket (100 per 60 s) refuses one.
        assert_eq!(statuses.contains(&429), limited, "{profile}: {statuses:?}");
    }
}

#[test]
fn short_window_refills() {
    let mut c = config();
    c.rate_short = parse_rate("2/200").unwrap();
    c.rate_long = parse_rate("off").unwrap();
    let sb = start_with(c);
    assert_eq!(sb.get("/rest/companies").status, 200);
    assert_eq!(sb.get("/rest/companies").status, 200);
    assert_eq!(sb.get("/rest/companies").status, 429);
    std::thread::sleep(Duration::from_millis(250));
    assert_eq!(sb.get("/rest/companies").status, 200);
}

#[test]
fn long_window_binds_too() {
    let mut c = config();
    c.rate_short = parse_rate("100/1000").unwrap();
    c.rate_long = parse_rate("2/60000").unwrap();
    let sb = start_with(c);
    assert_eq!(sb.get("/rest/people").status, 200);
    assert_eq!(sb.get("/rest/people").status, 200);
    let limited = sb.get("/rest/people");
    assert_eq!(limited.status, 429);
    assert_eq!(
        limited.body["messages"],
        json!(["Limit reached (2 tokens per 60000 ms)"])
    );
    assert_eq!(limited.retry_after, None);
}

fn with_faults(spec: &str, db: &str) -> Sandbox {
    let mut c = Config::for_tests(KEY);
    c.db = db.into();
    c.faults = spec.parse().unwrap();
    c.seed = 42;
    c.slow_delay = Duration::from_millis(300);
    start_with(c)
}

#[test]
fn status_faults_answer_their_status() {
    for status in [500u16, 502, 503, 504] {
        let sb = with_faults(&format!("{status}=1"), ":memory:");
        let a = sb.post(
            "/rest/batch/companies",
            json!([company("X", "https://x.com")]),
        );
        assert_eq!(a.status, status);
        assert_eq!(sb.stats()["faults"][status.to_string()], 1);
    }
}

#[test]
fn slow_fault_delays_the_answer() {
    let sb = with_faults("slow=1", ":memory:");
    let t = Instant::now();
    assert_eq!(sb.get("/rest/companies").status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(sb.stats()["faults"]["slow"], 1);
}

#[test]
fn drop_writes_nothing_lost_writes_then_drops() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, expected) in [("drop", 0), ("lost", 1)] {
        let db = dir
            .path()
            .join(format!("{kind}.sqlite"))
            .to_string_lossy()
            .into_owned();
        {
            let sb = with_faults(&format!("{kind}=1"), &db);
            let body = json!([company("X", "https://x.com")]);
            let r = sb.try_call("POST", "/rest/batch/companies", Some(&body), Some(KEY));
            assert!(
                r.is_err(),
                "{kind}: the connection must close without an answer, got {r:?}"
            );
            assert_eq!(sb.stats()["faults"][kind], 1);
        }
        let clean = with_faults("", &db);
        assert_eq!(
            clean.get("/rest/companies").body["totalCount"],
            expected,
            "{kind}"
        );
    }
}

#[test]
fn faults_are_reproducible_with_a_seed() {
    let run = |seed: u64| {
        let mut c = Config::for_tests(KEY);
        c.faults = "500=0.3,503=0.3".parse().unwrap();
        c.seed = seed;
        let sb = start_with(c);
        (0..30)
            .map(|_| sb.get("/rest/companies").status)
            .collect::<Vec<_>>()
    };
    let a = run(7);
    assert_eq!(a, run(7));
    assert!(
        a.contains(&200) && a.contains(&500) && a.contains(&503),
        "{a:?}"
    );
    assert_ne!(a, run(8));
}

#[test]
fn latency_is_added() {
    let mut c = config();
    c.latency = Duration::from_millis(150);
    let sb = start_with(c);
    let t = Instant::now();
    sb.get("/rest/companies");
    assert!(t.elapsed() >= Duration::from_millis(150));
}

#[test]
fn stats_count_requests() {
    let sb = start_with(config());
    sb.get("/rest/companies");
    sb.get("/rest/people");
    let s = sb.stats();
    assert_eq!(s["requests"], 2);
    assert_eq!(s["rate_limited"], 0);
    assert_eq!(s["faults"], json!({}));
}

#[test]
fn state_survives_a_restart_and_profile_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.sqlite").to_string_lossy().into_owned();
    let mut c = config();
    c.db = db.clone();
    {
        let sb = start_with(c.clone());
        let company_id = sb.get("/rest/metadata/objects").body["data"]["objects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["nameSingular"] == "company")
            .unwrap()["id"]
            .clone();
        assert_eq!(sb.post("/rest/metadata/fields", json!({"objectMetadataId": company_id, "type": "TEXT", "name": "legacyId", "label": "Legacy id"})).status, 201);
        sb.create("companies", json!([{"name": "Kept", "legacyId": "L1"}]));
        sb.handle.addr();
    }
    let sb = start_with(c.clone());
    let list = sb.get("/rest/companies?filter=legacyId[eq]:L1");
    assert_eq!(list.body["data"]["companies"][0]["name"], "Kept");
    drop(sb);
    let mut other = c;
    other.profile = ProfileKind::Twenty15;
    assert!(
        twenty_sandbox::spawn(other).is_err(),
        "a database keeps its profile"
    );
}

#[test]
fn binary_prints_address_first_and_dumps() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let members = dir.path().join("members.json");
    std::fs::write(
        &members,
        r#"[{"name":{"firstName":"Ada","lastName":"Lovelace"},"userEmail":"ada@example.com"}]"#,
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_twenty-sandbox"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--db",
            db.to_str().unwrap(),
            "--api-key",
            "cli-key",
            "--members",
            members.to_str().unwrap(),
            "--rate-short",
            "off",
            "--rate-long",
            "0",
            "--profile",
            "twenty-1.5",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("first line")
        .to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
        "{url}"
    );
    let agent = crate::common::agent();
    let mut resp = agent
        .post(&format!("{url}/rest/batch/companies"))
        .header("Authorization", "Bearer cli-key")
        .header("Content-Type", "application/json")
        .send(json!([company("Dumped", "https://dumped.example")]).to_string())
        .unwrap();
    assert_eq!(
        resp.status().as_u16(),
        201,
        "{}",
        resp.body_mut().read_to_string().unwrap()
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_twenty-sandbox"))
        .args(["dump", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dump: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(dump["profile"], "twenty-1.5");
    assert_eq!(dump["records"]["companies"][0]["name"], "Dumped");
    assert_eq!(
        dump["records"]["workspaceMembers"][0]["userEmail"],
        "ada@example.com"
    );
}

#[test]
fn echo_faults_repeat_the_authorization_header() {
    let sb = with_faults("echo500=1", ":memory:");
    let a = sb.post(
        "/rest/batch/companies",
        json!([company("X", "https://x.com")]),
    );
    assert_eq!(a.status, 500);
    let page = a.body.as_str().expect("a plain-text page");
    assert!(
        page.contains(&format!("authorization: Bearer {KEY}")),
        "{page}"
    );
    assert_eq!(sb.stats()["faults"]["echo500"], 1);

    let sb = with_faults("echo400=1", ":memory:");
    let a = sb.post(
        "/rest/batch/companies",
        json!([company("X", "https://x.com")]),
    );
    assert_eq!(a.status, 400);
    assert_eq!(a.body["error"], "BadRequestException");
    assert!(message(&a.body).contains(&format!("authorization: Bearer {KEY}")));
    let q = json!({"query": "mutation($d:[CompanyCreateInput!]!){createCompanies(data:$d){id}}",
                   "variables": {"d": [company("Y", "https://y.com")]}});
    let a = sb.post("/graphql", q);
    assert_eq!(a.status, 200);
    assert_eq!(a.body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert!(
        a.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains(KEY)
    );
}

#[test]
fn fault_scope_limits_faults_to_a_path_prefix() {
    let mut c = Config::for_tests(KEY);
    c.faults = "500=1".parse().unwrap();
    c.fault_scope = Some("/rest/batch/people".into());
    let sb = start_with(c);
    assert_eq!(sb.get("/rest/people").status, 200);
    let a = sb.post(
        "/rest/batch/companies",
        json!([company("X", "https://x.com")]),
    );
    assert_eq!(a.status, 201);
    let a = sb.post("/rest/batch/people", json!([person("Ada", "ada@x.com")]));
    assert_eq!(a.status, 500);
    assert_eq!(sb.stats()["faults"]["500"], 1);
}

/// A GraphQL mass mutation is one record query: one token, whatever the number of records.
#[test]
fn graphql_mass_mutations_spend_one_token_each() {
    let mut c = config();
    c.rate_short = parse_rate("3/60000").unwrap();
    let sb = start_with(c);
    let ids: Vec<serde_json::Value> = (0..3)
        .map(|i| person(&format!("T{i}"), &format!("t{i}@example.com")))
        .collect();
    let ids: Vec<serde_json::Value> = sb
        .create("people", json!(ids))
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    let mass = |name: &str| {
        sb.post(
            "/graphql",
            json!({"query": format!("mutation($f: PersonFilterInput!){{ {name}(filter: $f){{ id }} }}"),
                   "variables": {"f": {"id": {"in": ids}}}}),
        )
    };
    let deleted = mass("deletePeople");
    assert_eq!(
        deleted.body["data"]["deletePeople"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let restored = mass("restorePeople");
    assert_eq!(
        restored.body["data"]["restorePeople"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let limited = mass("destroyPeople");
    assert_eq!(limited.status, 200, "GraphQL's throttle answers in a 200");
    assert_eq!(
        limited.body["errors"][0]["message"],
        "Limit reached (3 tokens per 60000 ms)"
    );
    assert_eq!(limited.body["data"], json!({"destroyPeople": null}));
    assert_eq!(sb.stats()["rate_limited"], 1);
}

/// A GraphQL list query is one record query: one token, whatever the number of keys it looks up
/// or records it reads.
#[test]
fn graphql_list_query_spends_one_token() {
    let mut c = config();
    c.rate_short = parse_rate("3/60000").unwrap();
    let sb = start_with(c);
    let rows: Vec<serde_json::Value> = (0..5)
        .map(|i| person(&format!("L{i}"), &format!("l{i}@example.com")))
        .collect();
    sb.create("people", json!(rows));
    let emails: Vec<String> = (0..3000).map(|i| format!("l{i}@example.com")).collect();
    let lookup = || {
        sb.post(
            "/graphql",
            json!({"query": "query($f:PersonFilterInput,$a:String){people(filter:$f,first:200,after:$a){edges{node{id}}pageInfo{hasNextPage endCursor}}}",
                   "variables": {"f": {"emails": {"primaryEmail": {"in": emails}}}, "a": null}}),
        )
    };
    for _ in 0..2 {
        let a = lookup();
        assert_eq!(a.status, 200);
        assert_eq!(
            a.body["data"]["people"]["edges"].as_array().unwrap().len(),
            5
        );
    }
    // GraphQL says it in a 200, as a live 2.19 does (`the_graphql_throttle_answers_like_2_19`).
    let limited = lookup();
    assert_eq!(limited.status, 200);
    assert_eq!(
        limited.body["errors"][0]["message"],
        "Limit reached (3 tokens per 60000 ms)"
    );
    assert_eq!(
        limited.body["errors"][0]["extensions"]["subCode"],
        "LIMIT_REACHED"
    );
    assert_eq!(limited.body["data"], json!({"people": null}));
    assert_eq!(sb.stats()["rate_limited"], 1);
}
