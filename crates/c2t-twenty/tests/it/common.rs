//! Shared helpers: a sandbox per test, a fast client.

use std::time::Duration;

use c2t_twenty::{ApiKey, Client, ClientConfig};
use serde_json::{Value, json};
use twenty_sandbox::{Config, ProfileKind, SandboxHandle};

pub const KEY: &str = "it-secret-key-7f3a9c";
pub const BOTH: [ProfileKind; 2] = [ProfileKind::Twenty2, ProfileKind::Twenty15];

/// A sandbox with no latency, no rate limits, a short `slow` fault, and the given tweaks.
pub fn sandbox_with(profile: ProfileKind, tweak: impl FnOnce(&mut Config)) -> SandboxHandle {
    let mut config = Config::for_tests(KEY);
    config.profile = profile;
    config.latency = Duration::ZERO;
    config.slow_delay = Duration::from_millis(20);
    config.members = vec![
        json!({"name": {"firstName": "Ada", "lastName": "Lovelace"}, "userEmail": "ada@example.com"}),
        json!({"name": {"firstName": "Alan", "lastName": "Turing"}, "userEmail": "alan@example.com"}),
    ];
    tweak(&mut config);
    twenty_sandbox::spawn(config).expect("sandbox starts")
}

pub fn sandbox(profile: ProfileKind) -> SandboxHandle {
    sandbox_with(profile, |_| {})
}

/// A client tuned for tests: no real pacing, tiny back-off, fixed jitter seed.
pub fn config(base: &str) -> ClientConfig {
    let mut cfg = ClientConfig::new(base, ApiKey::new(KEY).unwrap());
    cfg.requests_per_minute = 600_000;
    cfg.burst = 1_000;
    cfg.backoff_base = Duration::from_millis(2);
    cfg.backoff_max = Duration::from_millis(20);
    cfg.timeout = Duration::from_secs(10);
    cfg.jitter_seed = Some(42);
    cfg
}

pub fn client(sb: &SandboxHandle) -> Client {
    Client::new(config(&sb.base_url())).unwrap()
}

/// Deterministic record id `n` of a test family.
pub fn id(family: u8, n: usize) -> String {
    format!("00000000-0000-4000-8{family:03x}-{n:012x}")
}

pub fn company(family: u8, n: usize, name: &str) -> Value {
    json!({
        "id": id(family, n),
        "name": name,
        "domainName": {"primaryLinkUrl": format!("https://c{family}-{n}.example.org")},
    })
}

/// Ids of the given list of records.
pub fn ids(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_string())
        .collect()
}
