//! The client against the answers real Twenty servers gave (`shared/twenty-live*/2026-12/`),
//! served as recorded by a scripted server: not the sandbox, so nothing we wrote stands between
//! the client and the real answers. Skipped when `shared/` is absent.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use c2t_twenty::pacing::Clock;
use c2t_twenty::{ApiError, Client, NewField, detect_with, parse_objects};
use serde_json::Value;

use crate::common::config;

/// One answer to serve: the request it expects (method and path, query included) and the
/// recorded status and body. Headers are only `Content-Type` and `Content-Length`, as the live
/// servers sent (no `Retry-After`).
pub struct Exchange {
    method: String,
    path: String,
    status: u16,
    body: Value,
}

pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(rel);
    p.exists().then_some(p)
}

/// The exchange of a recording file (`{"request": {method, path}, "status", "response"}`).
pub fn recorded(rel: &str) -> Option<Exchange> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(shared(rel)?).ok()?).ok()?;
    Some(Exchange {
        method: v["request"]["method"].as_str()?.to_string(),
        path: v["request"]["path"].as_str()?.to_string(),
        status: v["status"].as_u64()? as u16,
        body: v["response"].clone(),
    })
}

/// A server answering each request with the next exchange of its script, after checking that
/// the request is the one the script expects. Requests beyond the script, or not the expected
/// ones, get a 599 and are listed by [`Scripted::finish`].
pub struct Scripted {
    base: String,
    wrong: Arc<Mutex<Vec<String>>>,
    left: Arc<Mutex<usize>>,
}

impl Scripted {
    pub fn serve(script: Vec<Exchange>) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let wrong = Arc::new(Mutex::new(Vec::new()));
        let left = Arc::new(Mutex::new(script.len()));
        let (w, l) = (wrong.clone(), left.clone());
        std::thread::spawn(move || {
            let mut script = script.into_iter();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    continue;
                }
                let mut parts = line.split_whitespace();
                let (method, path) = (
                    parts.next().unwrap_or_default().to_string(),
                    parts.next().unwrap_or_default().to_string(),
                );
                let mut length = 0usize;
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':')
                        && k.eq_ignore_ascii_case("content-length")
                    {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let (status, answer) = match script.next() {
                    Some(x) if x.method == method && x.path == path => {
                        *l.lock().unwrap() -= 1;
                        (x.status, x.body.to_string())
                    }
                    Some(x) => {
                        w.lock().unwrap().push(format!(
                            "{method} {path} instead of {} {}",
                            x.method, x.path
                        ));
                        (599, "{}".to_string())
                    }
                    None => {
                        w.lock()
                            .unwrap()
                            .push(format!("{method} {path} after the script"));
                        (599, "{}".to_string())
                    }
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
            }
        });
        Scripted { base, wrong, left }
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Panics unless every request was the expected one and the script was used up.
    pub fn finish(&self) {
        let wrong = self.wrong.lock().unwrap();
        assert!(wrong.is_empty(), "unexpected requests: {wrong:?}");
        assert_eq!(*self.left.lock().unwrap(), 0, "exchanges left unused");
    }
}

fn objects(folder: &str) -> Option<Vec<c2t_twenty::ObjectMeta>> {
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(shared(&format!("{folder}/metadata-objects.json"))?).ok()?,
    )
    .ok()?;
    let raw = v["response"]["data"]["objects"].as_array()?.clone();
    Some(parse_objects(&raw))
}

/// The capability probe against real 1.5's answers: the Postgres refusal of the non-UUID batch,
/// then "Record already exists" for the second upsert of the same note. That second answer
/// stopped every run against 1.5 (exit 2, nothing written); it means "REST ignores upsert".
#[test]
fn detect_on_real_1_5_answers() {
    let d = "twenty-live/2026-12";
    let (Some(objects), Some(cap), Some(first), Some(second), Some(delete)) = (
        objects("twenty-live"),
        recorded(&format!("{d}/probe-batch-201-invalid-id.json")),
        recorded(&format!("{d}/probe-upsert-first-create.json")),
        recorded(&format!(
            "{d}/probe-upsert-second-same-id-400-record-already-exists.json"
        )),
        recorded(&format!("{d}/probe-delete-hard.json")),
    ) else {
        eprintln!("shared/ recordings absent: skipped");
        return;
    };
    let server = Scripted::serve(vec![cap, first, second, delete]);
    let client = Client::new(config(server.base_url())).unwrap();
    let caps = detect_with(&client, &objects).expect("the probe understands real 1.5");
    server.finish();
    assert!(!caps.rest_upsert, "1.5 REST ignores upsert");
    assert_eq!(caps.batch_max, None);
}

/// The same probe against real 2.19's answers, taken from the recorded `migrate` runs.
#[test]
fn detect_on_real_2_19_answers() {
    let (Some(objects), Some(exchanges)) = (objects("twenty-live-2x"), proxy_probe()) else {
        eprintln!("shared/ recordings absent: skipped");
        return;
    };
    let server = Scripted::serve(exchanges);
    let client = Client::new(config(server.base_url())).unwrap();
    let caps = detect_with(&client, &objects).expect("the probe understands real 2.19");
    server.finish();
    assert!(caps.rest_upsert, "2.19 REST upserts");
}

/// The four probe exchanges of the first recorded 2.19 run (`proxy-all.jsonl.gz`).
fn proxy_probe() -> Option<Vec<Exchange>> {
    let lines = proxy_lines("twenty-live-2x/2026-12/proxy-all.jsonl.gz")?;
    let start = lines.iter().position(|v| {
        v["request"]["path"] == "/rest/batch/notes"
            && v["request"]["method"] == "POST"
            && v["status"] == 400
    })?;
    let out: Vec<Exchange> = lines[start..start + 4]
        .iter()
        .map(|v| Exchange {
            method: v["request"]["method"].as_str().unwrap_or_default().into(),
            path: v["request"]["path"].as_str().unwrap_or_default().into(),
            status: v["status"].as_u64().unwrap_or_default() as u16,
            body: v["response"].clone(),
        })
        .collect();
    // probe: cap, create, upsert again, hard delete
    assert_eq!(out[3].method, "DELETE", "unexpected recording order");
    Some(out)
}

/// The JSON lines of a gzip recording (`{"marker": …}` lines left out).
pub fn proxy_lines(rel: &str) -> Option<Vec<Value>> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(shared(rel)?).ok()?)
        .read_to_string(&mut text)
        .ok()?;
    Some(
        text.lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v.get("marker").is_none())
            .collect(),
    )
}

/// 2.19 lists webhooks as a bare array; the client read it as an error and warned.
#[test]
fn webhooks_bare_array_of_real_2_19() {
    let Some(x) = recorded("twenty-live-2x/2026-12/webhooks-list-bare-array.json") else {
        eprintln!("shared/ recordings absent: skipped");
        return;
    };
    let mut one = recorded("twenty-live-2x/2026-12/webhooks-list-bare-array.json").unwrap();
    one.body = serde_json::json!([{"id": "w1", "targetUrl": "https://hooks.example.org/x",
        "operations": ["person.created"], "description": "", "secret": "s"}]);
    let server = Scripted::serve(vec![x, one]);
    let client = Client::new(config(server.base_url())).unwrap();
    assert_eq!(client.webhooks().unwrap(), vec![]);
    let hooks = client.webhooks().unwrap();
    server.finish();
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].target_url, "https://hooks.example.org/x");
    assert_eq!(hooks[0].operations, vec!["person.created".to_string()]);
}

/// A clock whose sleeps pass at once and are recorded.
#[derive(Default)]
struct Instant0 {
    now: Mutex<Duration>,
    slept: Mutex<Vec<Duration>>,
}

impl Clock for Instant0 {
    fn now(&self) -> Duration {
        *self.now.lock().unwrap()
    }
    fn sleep(&self, d: Duration) {
        self.slept.lock().unwrap().push(d);
        *self.now.lock().unwrap() += d;
    }
}

/// The real throttle: 429 "Limit reached (100 tokens per 60000 ms)" with no `Retry-After`.
/// The client waits about one token's refill (0.3–0.6 s the first time, doubling on refusals
/// in a row), not a blind second, and paces below the named budget afterwards.
#[test]
fn real_429_without_retry_after_paces_to_the_budget() {
    let (Some(a), Some(b), Some(ok)) = (
        recorded("twenty-live-2x/2026-12/rate-limit-429.json"),
        recorded("twenty-live-2x/2026-12/rate-limit-429.json"),
        recorded("twenty-live-2x/list-companies-page.json"),
    ) else {
        eprintln!("shared/ recordings absent: skipped");
        return;
    };
    let path = a.path.clone();
    let ok = Exchange { path, ..ok };
    let server = Scripted::serve(vec![a, b, ok]);
    let mut cfg = config(server.base_url());
    cfg.requests_per_minute = 600; // faster than the server's budget
    cfg.burst = 1;
    cfg.backoff_base = Duration::from_secs(1);
    cfg.backoff_max = Duration::from_secs(60);
    let clock = Arc::new(Instant0::default());
    let client = Client::with_clock(cfg, clock.clone()).unwrap();
    let page = client
        .list(
            "companies",
            None,
            200,
            Some("eyJpZCI6IjIwMjAyMDIwLWFhZTktNDVjZC1iOGZhLTkwZjVhODg1MTJlOSJ9"),
        )
        .expect("retried after the 429s");
    server.finish();
    assert!(!page.records.is_empty());
    assert_eq!(client.stats().rate_limited, 2);
    let slept = clock.slept.lock().unwrap().clone();
    let waits: Vec<f64> = slept
        .iter()
        .filter(|d| !d.is_zero())
        .map(Duration::as_secs_f64)
        .collect();
    // After each refusal: a hold of one server token (0.6 s, jittered to [0.3, 0.6], doubled on
    // the second refusal in a row), then the client's own token at its lowered pace (0.67 s at
    // 90 a minute, 0.74 s at 81): no retry before the server's bucket has a token again (no
    // storm), and no blind multi-second back-off either.
    assert_eq!(waits.len(), 2, "waits {waits:?}");
    assert!((0.9..=1.3).contains(&waits[0]), "waits {waits:?}");
    assert!((1.3..=2.2).contains(&waits[1]), "waits {waits:?}");
    // paced below the budget the server named (100 a minute), whatever the setting said
    let rate = client.requests_per_minute();
    assert!((50.0..100.0).contains(&rate), "rate {rate}");
}

/// A 429 that names no budget keeps the configured back-off.
#[test]
fn other_429_bodies_keep_the_back_off() {
    let server = Scripted::serve(vec![
        Exchange {
            method: "GET".into(),
            path: "/rest/companies?limit=1".into(),
            status: 429,
            body: serde_json::json!({"statusCode": 429, "messages": ["Too many requests."]}),
        },
        Exchange {
            method: "GET".into(),
            path: "/rest/companies?limit=1".into(),
            status: 200,
            body: serde_json::json!({"data": {"companies": []}, "pageInfo": {"hasNextPage": false}}),
        },
    ]);
    let mut cfg = config(server.base_url());
    cfg.backoff_base = Duration::from_secs(1);
    let clock = Arc::new(Instant0::default());
    let client = Client::with_clock(cfg, clock.clone()).unwrap();
    client.list("companies", None, 1, None).unwrap();
    server.finish();
    let slept = clock.slept.lock().unwrap().clone();
    assert!(
        slept.iter().any(|d| (0.5..=1.0).contains(&d.as_secs_f64())),
        "{slept:?}"
    );
    assert!(client.requests_per_minute() > 1000.0);
}

/// Real refusals of metadata writes are errors that name the server's words.
#[test]
fn reserved_name_refusals_are_rejections_with_the_servers_words() {
    for (rel, words) in [
        (
            "twenty-live/2026-12/metadata-create-field-address-reserved-400.json",
            "The name 'address' is not available",
        ),
        (
            "twenty-live-2x/2026-12/create-field-reserved-name-address.json",
            "This name is reserved",
        ),
    ] {
        let Some(x) = recorded(rel) else {
            eprintln!("shared/ recordings absent: skipped");
            return;
        };
        let server = Scripted::serve(vec![x]);
        let client = Client::new(config(server.base_url())).unwrap();
        let field = NewField {
            name: "address".into(),
            label: "Address".into(),
            kind: "ADDRESS".into(),
            ..NewField::default()
        };
        let e = client.create_field("1832498d", &field).unwrap_err();
        server.finish();
        assert!(matches!(e, ApiError::Rejected { status: 400, .. }), "{e:?}");
        assert!(e.to_string().contains(words), "{e}");
    }
}

/// An exchange recorded by this project against a live server (`docs/evidence/live-2x/`).
fn evidence(name: &str) -> Option<Exchange> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/evidence/live-2x")
        .join(name);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(p).ok()?).ok()?;
    Some(Exchange {
        method: v["request"]["method"].as_str()?.to_string(),
        path: v["request"]["path"].as_str()?.to_string(),
        status: v["status"].as_u64()? as u16,
        body: v["response"].clone(),
    })
}

/// GraphQL's rate limit on a live 2.19: HTTP 200, `BAD_USER_INPUT` with `subCode:
/// LIMIT_REACHED`, "Limit reached (100 tokens per 60000 ms)" — not a 429. The client waits it
/// out as it does a 429 and paces below the budget named, where it once took the answer for a
/// refusal (a lookup then fell back to REST, a batch was cut in halves down to records
/// "rejected" for the limit).
#[test]
fn real_graphql_rate_limit_is_waited_out_not_a_refusal() {
    let (Some(meta), Some(limited), Some(found)) = (
        recorded("twenty-live-2x/metadata-objects.json"),
        evidence("ceiling-q2-query-20-root-fields-first-limited.json"),
        evidence("graphql-people-filter-ids-only.json"),
    ) else {
        eprintln!("recordings absent: skipped");
        return;
    };
    let server = Scripted::serve(vec![meta, limited, found]);
    let mut cfg = config(server.base_url());
    cfg.requests_per_minute = 600;
    cfg.burst = 1;
    cfg.backoff_base = Duration::from_secs(1);
    let clock = Arc::new(Instant0::default());
    let client = Client::with_clock(cfg, clock.clone()).unwrap();
    let filter = serde_json::json!({"id": {"in": ["516f3d95-87b4-4cbf-b0ef-99e20c6eb82f"]}});
    let page = client
        .find_page("people", &filter, &["id"], None)
        .expect("retried after the limit, not refused");
    server.finish();
    assert_eq!(page.records.len(), 2);
    assert_eq!(client.stats().rate_limited, 1);
    let rate = client.requests_per_minute();
    assert!(
        (50.0..=100.0).contains(&rate),
        "paced to the budget named, not 600: {rate}"
    );
}
