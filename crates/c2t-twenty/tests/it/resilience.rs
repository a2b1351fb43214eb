//! Pacing, 429, faults, timeouts, auth, unreachable, URL rules, secrecy of the key.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use c2t_twenty::{ApiError, ApiKey, Client, ClientConfig};
use twenty_sandbox::{FaultSpec, ProfileKind, Rate};

use crate::common::*;

#[test]
fn pacing_spaces_requests() {
    let sb = sandbox(ProfileKind::Twenty2);
    let mut cfg = config(&sb.base_url());
    cfg.requests_per_minute = 1200; // one per 50 ms
    cfg.burst = 1;
    let c = Client::new(cfg).unwrap();
    let t = Instant::now();
    for _ in 0..5 {
        c.list("companies", None, 1, None).unwrap();
    }
    assert!(
        t.elapsed() >= Duration::from_millis(195),
        "{:?}",
        t.elapsed()
    );
}

/// Reads of the metadata API are not charged by Twenty: they do not wait for the budget, while
/// record reads between them still do.
#[test]
fn metadata_reads_do_not_wait_for_the_budget() {
    let sb = sandbox(ProfileKind::Twenty2);
    let mut cfg = config(&sb.base_url());
    cfg.requests_per_minute = 60; // one a second
    cfg.burst = 1;
    let c = Client::new(cfg).unwrap();
    let t = Instant::now();
    for _ in 0..4 {
        c.objects().unwrap();
    }
    assert!(
        t.elapsed() < Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    c.list("companies", None, 1, None).unwrap();
    c.list("companies", None, 1, None).unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(950),
        "{:?}",
        t.elapsed()
    );
}

/// A burst on saved-up tokens that the workspace's bucket cannot cover (another key spent them)
/// is refused once, then goes on at the budget's pace: the rate is not lowered for the rest of
/// the run.
#[test]
fn a_refused_burst_keeps_the_rate() {
    let sb = sandbox_with(ProfileKind::Twenty2, |c| {
        c.rate_long = Some(Rate {
            tokens: 600,
            period: Duration::from_millis(60_000),
        });
    });
    // Another key of the workspace spent most of the bucket.
    let other = client(&sb);
    for _ in 0..596 {
        other.list("companies", None, 1, None).unwrap();
    }
    let mut cfg = config(&sb.base_url());
    cfg.requests_per_minute = 600;
    cfg.burst = 20;
    let c = Client::new(cfg).unwrap();
    // Four tokens left: the fifth request of the burst is refused, then sent again.
    for _ in 0..5 {
        c.list("companies", None, 1, None).unwrap();
    }
    let s = c.stats();
    assert_eq!(s.rate_limited, 1, "{s:?}");
    assert_eq!(c.requests_per_minute(), 600.0);
}

#[test]
fn rate_limited_429_is_retried() {
    let sb = sandbox_with(ProfileKind::Twenty2, |c| {
        c.rate_short = Some(Rate {
            tokens: 3,
            period: Duration::from_millis(1000),
        });
    });
    let c = client(&sb);
    for _ in 0..6 {
        c.list("companies", None, 5, None).unwrap();
    }
    let s = c.stats();
    assert!(s.rate_limited > 0, "{s:?}");
    assert!(s.retries >= s.rate_limited, "{s:?}");
}

fn fault_run(profile: ProfileKind, spec: &str, use_graphql: bool, must_see: &[&str]) {
    let sb = sandbox_with(profile, |c| {
        c.faults = spec.parse::<FaultSpec>().unwrap();
        c.seed = 7;
    });
    let c = client(&sb);
    let mut expected = BTreeSet::new();
    for b in 0..20 {
        let batch: Vec<_> = (0..10)
            .map(|n| company(9, b * 10 + n, &format!("Co {b}/{n}")))
            .collect();
        expected.extend(ids(&batch));
        let out = if use_graphql {
            c.graphql_create_many("companies", &batch, true)
        } else {
            c.batch_create("companies", &batch, true)
        }
        .unwrap_or_else(|e| panic!("{profile:?} batch {b}: {e}"));
        assert_eq!(ids(&out), ids(&batch));
    }
    let s = c.stats();
    assert!(s.retries > 0, "{profile:?}: no fault hit? {s:?}");
    let faults = sandbox_faults(&sb);
    for kind in must_see {
        assert!(
            faults.get(*kind).copied().unwrap_or(0) > 0,
            "{profile:?}: no {kind} fault: {faults:?}"
        );
    }
    assert_eq!(
        s.server_errors + s.transport_errors,
        faults.values().sum::<u64>(),
        "{profile:?}: every injected fault seen once: {faults:?} {s:?}"
    );
    // Read back without faults interfering with the assertion: list_all retries too.
    let all = c.list_all("companies", None).unwrap();
    let got: Vec<String> = ids(&all);
    let unique: BTreeSet<String> = got.iter().cloned().collect();
    assert_eq!(got.len(), unique.len(), "no duplicates");
    assert_eq!(unique, expected, "{profile:?}: exact record set");
}

/// `GET /sandbox/stats` → faults by kind.
fn sandbox_faults(sb: &twenty_sandbox::SandboxHandle) -> std::collections::BTreeMap<String, u64> {
    let mut res = ureq::get(format!("{}/sandbox/stats", sb.base_url()))
        .call()
        .unwrap();
    let v: serde_json::Value = res.body_mut().read_json().unwrap();
    serde_json::from_value(v["faults"].clone()).unwrap_or_default()
}

const FAULTS: &str = "500=0.04,502=0.04,503=0.03,504=0.03,drop=0.03,lost=0.03";

#[test]
fn faults_rest_upsert_2x_exact_count() {
    fault_run(ProfileKind::Twenty2, FAULTS, false, &[]);
}

#[test]
fn faults_graphql_upsert_15_exact_count() {
    fault_run(ProfileKind::Twenty15, FAULTS, true, &[]);
}

/// Connections closed before (`drop`) and after (`lost`) the write was applied, often.
#[test]
fn dropped_and_lost_answers_are_replayed_safely() {
    let spec = "drop=0.2,lost=0.2,500=0.05,502=0.05";
    fault_run(
        ProfileKind::Twenty2,
        spec,
        false,
        &["drop", "lost", "500", "502"],
    );
    fault_run(ProfileKind::Twenty15, spec, true, &["drop", "lost"]);
}

#[test]
fn slow_answers_beyond_timeout_are_retried() {
    let sb = sandbox_with(ProfileKind::Twenty2, |c| {
        c.faults = "slow=0.3".parse::<FaultSpec>().unwrap();
        c.slow_delay = Duration::from_millis(600);
        c.seed = 3;
    });
    let mut cfg = config(&sb.base_url());
    cfg.timeout = Duration::from_millis(300);
    let c = Client::new(cfg).unwrap();
    for b in 0..4 {
        let batch: Vec<_> = (0..5).map(|n| company(10, b * 5 + n, "Slow")).collect();
        c.batch_create("companies", &batch, true).unwrap();
    }
    assert_eq!(c.list_all("companies", None).unwrap().len(), 20);
    assert!(c.stats().transport_errors > 0, "{:?}", c.stats());
}

#[test]
fn retries_exhausted_names_the_last_failure() {
    let sb = sandbox_with(ProfileKind::Twenty2, |c| {
        c.faults = "503=1.0".parse::<FaultSpec>().unwrap();
    });
    let mut cfg = config(&sb.base_url());
    cfg.max_retries = 2;
    let c = Client::new(cfg).unwrap();
    match c.objects() {
        Err(e @ ApiError::RetriesExhausted { .. }) => {
            assert!(e.to_string().contains("503"), "{e}");
            assert_no_key(&e);
        }
        other => panic!("{other:?}"),
    }
    let s = c.stats();
    assert_eq!((s.requests, s.retries, s.server_errors), (3, 2, 3));
}

fn assert_no_key(e: &ApiError) {
    for text in [format!("{e}"), format!("{e:?}")] {
        assert!(!text.contains(KEY), "key leaked: {text}");
        assert!(!text.contains("wrong-key-secret"), "key leaked: {text}");
    }
}

/// True when `text` holds any 8-character piece of `key`: a key cut short still leaks.
fn holds_a_piece_of(text: &str, key: &str) -> bool {
    let k: Vec<char> = key.chars().collect();
    k.windows(8.min(k.len()))
        .any(|w| text.contains(&w.iter().collect::<String>()))
}

/// Regression: a server (a proxy, a debug page) that echoes the `Authorization` header in a
/// long error body. The client cut the body to 300 characters *before* redacting the key, so
/// the first characters of a key straddling the cut were printed.
#[test]
fn a_server_that_echoes_the_key_never_gets_it_repeated() {
    let key = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQtZm9yLWxlYWstdGVzdHM.Zm9vYmFyYmF6cXV4MTIz";
    for profile in BOTH {
        for (spec, graphql) in [
            ("echo500=1", false),
            ("echo400=1", false),
            ("echo400=1", true),
        ] {
            let sb = sandbox_with(profile, |c| {
                c.api_key = key.into();
                c.faults = spec.parse::<FaultSpec>().unwrap();
                if graphql {
                    c.fault_scope = Some("/graphql".into());
                }
            });
            let mut cfg = config(&sb.base_url());
            cfg.key = ApiKey::new(&format!("Bearer {key}\n")).unwrap();
            cfg.max_retries = 1;
            let c = Client::new(cfg).unwrap();
            let records = [company(14, 1, "echo")];
            let e = if graphql {
                // The object catalogue is read first, outside the faults' scope.
                c.graphql_create_many("companies", &records, true)
                    .unwrap_err()
            } else {
                c.batch_create("companies", &records, true).unwrap_err()
            };
            if spec == "echo500=1" {
                assert!(matches!(e, ApiError::RetriesExhausted { .. }), "{e:?}");
                assert!(e.to_string().contains("Internal Server Error"), "{e}");
            } else {
                assert!(matches!(e, ApiError::Rejected { status: 400, .. }), "{e:?}");
            }
            for text in [e.to_string(), format!("{e:?}")] {
                assert!(
                    !holds_a_piece_of(&text, key),
                    "{profile:?} {spec}: key leaked: {text}"
                );
                assert!(text.contains("***"), "{text}");
            }
        }
    }
    // A key pasted into the URL is not repeated by the URL's error either.
    let e = Client::new(ClientConfig::new(
        format!("https://crm.example.com/?token={key}"),
        ApiKey::new(key).unwrap(),
    ))
    .unwrap_err();
    assert!(matches!(e, ApiError::BadUrl(_)), "{e:?}");
    assert!(!holds_a_piece_of(&e.to_string(), key), "{e}");
}

/// Redaction is for error messages only: a successful answer is data and comes back whole, even
/// when the key (here a short one) appears in it — in object names, members' emails, a record's
/// own values.
#[test]
fn answers_that_contain_the_key_are_not_altered() {
    let key = "k";
    let sb = sandbox_with(ProfileKind::Twenty2, |c| c.api_key = key.into());
    let c = Client::new(config_with_key(&sb.base_url(), key)).unwrap();
    let objects = c.objects().unwrap();
    assert!(
        objects.iter().any(|o| o.name_singular == "task"),
        "{objects:?}"
    );
    let written = c
        .batch_create(
            "companies",
            &[serde_json::json!({"id": id(3, 1), "name": "Kiosk works"})],
            true,
        )
        .unwrap();
    assert_eq!(written[0]["name"], "Kiosk works");
    let read = c.get("companies", &id(3, 1)).unwrap().unwrap();
    assert_eq!(read["name"], "Kiosk works");
}

fn config_with_key(url: &str, key: &str) -> ClientConfig {
    let mut cfg = config(url);
    cfg.key = ApiKey::new(key).unwrap();
    cfg
}

#[test]
fn wrong_key_is_auth_error_and_never_printed() {
    let sb = sandbox(ProfileKind::Twenty2);
    let mut cfg = config(&sb.base_url());
    cfg.key = ApiKey::new("Bearer wrong-key-secret\n").unwrap();
    let c = Client::new(cfg.clone()).unwrap();
    let e = c.objects().unwrap_err();
    match &e {
        ApiError::Auth { status, message } => {
            assert_eq!(*status, 401);
            assert_eq!(message, "Token invalid.");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("API key was refused"));
    assert_no_key(&e);
    let e = c
        .batch_create("companies", &[company(11, 1, "x")], true)
        .unwrap_err();
    assert!(matches!(e, ApiError::Auth { .. }));
    assert_no_key(&e);
    for text in [
        format!("{c:?}"),
        format!("{cfg:?}"),
        format!("{:?}", cfg.key),
    ] {
        assert!(!text.contains("wrong-key-secret"), "{text}");
    }
}

#[test]
fn every_error_variant_hides_the_key() {
    let sb = sandbox(ProfileKind::Twenty2);
    let c = client(&sb);
    let mut errors = vec![
        c.batch_create(
            "companies",
            &[serde_json::json!({"id": "nope", "notAField": 1})],
            true,
        )
        .unwrap_err(),
        c.update("notAnObject", &id(12, 1), &serde_json::json!({"name": "x"}))
            .unwrap_err(),
    ];
    c.batch_create("companies", &[company(12, 1, "a")], false)
        .unwrap();
    errors.push(
        c.batch_create("companies", &[company(12, 1, "a")], false)
            .unwrap_err(),
    );
    let mut big = config(&sb.base_url());
    big.max_batch = 300;
    let big = Client::new(big).unwrap();
    let many: Vec<_> = (0..201).map(|n| company(13, n, "x")).collect();
    errors.push(big.batch_create("companies", &many, true).unwrap_err());
    errors.push(
        Client::new(ClientConfig::new(
            "http://example.com",
            ApiKey::new(KEY).unwrap(),
        ))
        .unwrap_err(),
    );
    errors.push(ApiKey::new(" ").unwrap_err());
    let kinds: BTreeSet<_> = errors
        .iter()
        .map(|e| {
            format!("{e:?}")
                .split([' ', '(', '{'])
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(kinds.len() >= 5, "{kinds:?}");
    for e in &errors {
        assert_no_key(e);
    }
    assert!(!format!("{c:?}").contains(KEY));
}

#[test]
fn unreachable_port_is_one_clear_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = Client::new(config(&format!("http://127.0.0.1:{port}"))).unwrap();
    let t = Instant::now();
    match c.objects() {
        Err(e @ ApiError::Unreachable { .. }) => {
            let text = e.to_string();
            assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
            assert!(
                text.contains("refused") || text.contains("failed"),
                "{text}"
            );
            assert_no_key(&e);
        }
        other => panic!("{other:?}"),
    }
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[test]
fn plain_http_to_remote_host_is_refused() {
    for url in ["http://crm.example.com", "http://192.168.1.10:3000/"] {
        match Client::new(ClientConfig::new(url, ApiKey::new(KEY).unwrap())) {
            Err(ApiError::BadUrl(m)) => assert!(m.contains("https"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
    assert!(
        Client::new(ClientConfig::new(
            "https://crm.example.com/",
            ApiKey::new(KEY).unwrap()
        ))
        .is_ok()
    );
    assert!(
        Client::new(ClientConfig::new(
            "http://localhost:3000/",
            ApiKey::new(KEY).unwrap()
        ))
        .is_ok()
    );
}

#[test]
fn concurrent_workers_share_the_client() {
    let sb = sandbox(ProfileKind::Twenty2);
    let c = client(&sb);
    std::thread::scope(|s| {
        for w in 0..3 {
            let c = &c;
            s.spawn(move || {
                for b in 0..3 {
                    let batch: Vec<_> = (0..10)
                        .map(|n| company(14, w * 100 + b * 10 + n, "W"))
                        .collect();
                    c.batch_create("companies", &batch, true).unwrap();
                }
            });
        }
    });
    assert_eq!(c.list_all("companies", None).unwrap().len(), 90);
}
