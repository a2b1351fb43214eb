//! The client: one pacing gate, one retry loop, typed calls on top.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::error::{
    ApiError, ErrorBody, error_for_status, is_deterministic_server_error, parse_error_body,
    rate_budget,
};
use crate::key::ApiKey;
use crate::meta::{
    FieldMeta, NewField, OPTION_COLORS, ObjectMeta, objects_array, parse_field, parse_objects,
};
use crate::pacing::{Backoff, Clock, SystemClock, TokenBucket};

/// Largest answer body read (the metadata of a big workspace is a few MB).
const MAX_BODY: u64 = 512 * 1024 * 1024;
/// Page size of [`Client::list_all`] (Twenty 2.x caps lists at 200).
pub const LIST_ALL_PAGE: usize = 200;

/// Settings of a [`Client`]. Build with [`ClientConfig::new`] and adjust fields.
#[derive(Clone)]
pub struct ClientConfig {
    /// `https://api.twenty.com`, `http://localhost:3000`… (plain http only for loopback hosts).
    pub base_url: String,
    /// The API key.
    pub key: ApiKey,
    /// Pacing: requests per minute for the whole client (all threads). Default 100, Twenty's
    /// per-workspace budget; Twenty Cloud may need ~50.
    pub requests_per_minute: u32,
    /// Requests that may go back to back after an idle period. Default 1; clamped to
    /// `1..=requests_per_minute` so a burst never exceeds the server's long window.
    pub burst: u32,
    /// Retries after a 429, 5xx, timeout or dropped connection. Default 8.
    pub max_retries: u32,
    /// Whole-request timeout (connect + send + answer). Default 60 s.
    pub timeout: Duration,
    /// Records per batch request; longer inputs are split. Default 60 (Twenty's documented
    /// batch size; 2.x accepts up to 200).
    pub max_batch: usize,
    /// First back-off delay (doubles per retry, jittered to `[d/2, d]`). Default 1 s.
    pub backoff_base: Duration,
    /// Back-off cap. Default 60 s.
    pub backoff_max: Duration,
    /// Largest `Retry-After` honoured (longer values are clamped). Default 120 s.
    pub max_retry_after: Duration,
    /// Seed of the jitter generator; `None` = from the system time.
    pub jitter_seed: Option<u64>,
    /// Told of every attempt once its answer is in (`crm2twenty -v`). Never given the key.
    pub on_request: Option<OnRequest>,
    /// Accept plain `http://` to a host that is not this machine (a server on a private network
    /// the user trusts): the key then travels unencrypted.
    pub allow_http: bool,
}

/// See [`ClientConfig::on_request`].
pub type OnRequest = Arc<dyn Fn(&RequestLog) + Send + Sync>;

/// One request as [`ClientConfig::on_request`] is told of it.
#[derive(Debug, Clone)]
pub struct RequestLog {
    /// `GET`, `POST`…
    pub method: &'static str,
    /// Path and query (`/rest/people?limit=200…`), cut to 200 characters.
    pub path: String,
    /// `ok`, `429`, `refused: …`, or what made it retry.
    pub outcome: String,
    /// Time from sending to the answer.
    pub elapsed: Duration,
}

impl ClientConfig {
    /// Defaults for `base_url` and `key`.
    pub fn new(base_url: impl Into<String>, key: ApiKey) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into(),
            key,
            requests_per_minute: 100,
            burst: 1,
            max_retries: 8,
            timeout: Duration::from_secs(60),
            max_batch: 60,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(120),
            jitter_seed: None,
            on_request: None,
            allow_http: false,
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("key", &self.key)
            .field("requests_per_minute", &self.requests_per_minute)
            .field("burst", &self.burst)
            .field("max_retries", &self.max_retries)
            .field("timeout", &self.timeout)
            .field("max_batch", &self.max_batch)
            .field("backoff_base", &self.backoff_base)
            .field("backoff_max", &self.backoff_max)
            .finish_non_exhaustive()
    }
}

/// Counters of a client (all threads).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// HTTP requests sent (attempts, retries included).
    pub requests: u64,
    /// Attempts that were retries.
    pub retries: u64,
    /// 429 answers.
    pub rate_limited: u64,
    /// 5xx answers.
    pub server_errors: u64,
    /// Timeouts, resets and connections closed without an answer.
    pub transport_errors: u64,
}

#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
    rate_limited: AtomicU64,
    server_errors: AtomicU64,
    transport_errors: AtomicU64,
}

/// Records one GraphQL mass mutation (delete, destroy, restore) is sent with. Twenty's server
/// does not cap them: `MUTATION_MAXIMUM_AFFECTED_RECORDS` (100, contract doc §1.6) is handed to
/// its front end only, which splits its own mutations by it; a live 2.19 deleted and restored
/// 101 records in one request each (`docs/evidence/live-2x/ceiling.md` Q4) and a live 1.5
/// destroyed 200. 200 is the most recorded, and the create cap, so an undo takes no more
/// requests than the writes it undoes.
pub const MASS_MUTATION_MAX: usize = 200;

/// Records one create (batch) may carry: Twenty's `QUERY_MAX_RECORDS` on 2.19 (REST batch and
/// GraphQL), and what 1.5's GraphQL createMany was recorded taking. The loader learns a lower
/// cap from a server's refusal; this is for the writes that do not (rollback's restores).
pub const BATCH_MAX: usize = 200;

/// A GraphQL mutation over many records ([`Client::mass_mutation`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MassOp {
    /// Soft delete (to the trash).
    Delete,
    /// Permanent delete.
    Destroy,
    /// Out of the trash.
    Restore,
}

impl MassOp {
    fn verb(self) -> &'static str {
        match self {
            MassOp::Delete => "delete",
            MassOp::Destroy => "destroy",
            MassOp::Restore => "restore",
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Records of the page.
    pub records: Vec<Value>,
    /// Cursor of the next page (`starting_after`), `None` on the last page.
    pub next: Option<String>,
    /// `totalCount` (2.x: all matches; 1.5: records after the cursor).
    pub total: Option<u64>,
}

/// A webhook of the workspace (`GET /rest/metadata/webhooks`). Its signing secret is not kept.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Webhook {
    /// Webhook id.
    pub id: String,
    /// The URL Twenty calls.
    pub target_url: String,
    /// `object.action` patterns it fires on (`*.*`, `person.created`…).
    pub operations: Vec<String>,
    /// Its description, possibly empty.
    pub description: String,
}

/// A workspace member (record owner / assignee candidate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Record id (`workspaceMembers.id`, what `accountOwnerId` etc. take).
    pub id: String,
    /// `userEmail`.
    pub email: String,
    /// `name.firstName`.
    pub first_name: String,
    /// `name.lastName`.
    pub last_name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// A file to upload, on disk.
#[derive(Debug, Clone)]
pub struct UploadSource {
    pub path: std::path::PathBuf,
    /// The file's name as the user knows it (`Contract.pdf`), not as it is stored on disk.
    pub name: String,
    pub mime: String,
    pub size: u64,
}

/// A file the server stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedFile {
    /// 2.x: the file's id, which a FILES field names.
    pub id: Option<String>,
    /// Where the server keeps it (1.5: what `fullPath` names).
    pub path: String,
}

/// What a request carries.
#[derive(Clone, Copy)]
enum Body<'a> {
    Json(&'a [u8]),
    Multipart(&'a Multipart),
}

/// A GraphQL multipart request (the graphql-multipart-request-spec that `graphql-upload`
/// reads): the operation, the map of the file to its variable, and the file, streamed from disk
/// between a head and a tail that are built once.
struct Multipart {
    boundary: String,
    operation: String,
    head: Vec<u8>,
    file: std::path::PathBuf,
    tail: Vec<u8>,
    /// Head, file and tail: the request's Content-Length.
    len: u64,
}

impl Multipart {
    /// `operations` is the GraphQL request whose `variables.file` is null; the file is sent as
    /// part `0`, mapped to that variable.
    fn new(
        operation: &str,
        operations: &Value,
        file: &std::path::Path,
        filename: &str,
        mime: &str,
        size: u64,
    ) -> Multipart {
        let boundary = format!("crm2twenty-{}", uuid::Uuid::new_v4().simple());
        // A file name is a header value here: quotes, line breaks and backslashes would break
        // the part's header, so they are replaced.
        let safe: String = filename
            .chars()
            .map(|c| match c {
                '"' | '\\' | '\r' | '\n' => '_',
                c => c,
            })
            .collect();
        let head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{{\"0\":[\"variables.file\"]}}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"{safe}\"\r\nContent-Type: {mime}\r\n\r\n",
            operations
        )
        .into_bytes();
        let tail = format!("\r\n--{boundary}--\r\n").into_bytes();
        let len = head.len() as u64 + size + tail.len() as u64;
        Multipart {
            boundary,
            operation: operation.to_string(),
            head,
            file: file.to_path_buf(),
            tail,
            len,
        }
    }
}

/// The result of one attempt.
enum Attempt {
    Done(Value),
    Fail(ApiError),
    RateLimited {
        retry_after: Option<Duration>,
        /// The budget the answer names ("Limit reached (100 tokens per 60000 ms)").
        budget: Option<(u32, Duration)>,
        what: String,
    },
    Retry {
        what: String,
        /// Connection refused: the server is (currently) not listening.
        refused: bool,
    },
}

/// Twenty API client. `Send + Sync`: share it (`&Client` or `Arc<Client>`) between worker
/// threads; they all go through the same pacing gate.
///
/// **Retries replay requests.** 429, 5xx, timeouts, resets and connections dropped before or
/// after the server applied the request are retried with back-off. Every write sent through
/// [`Client::batch_create`] / [`Client::graphql_create_many`] must therefore be idempotent:
/// records carry client-chosen `id`s and are sent with `upsert = true` (on Twenty 1.5 only the
/// GraphQL path honours upsert, see [`crate::detect`]). A batch without ids could be inserted
/// twice when an answer is lost.
pub struct Client {
    base: String,
    host: String,
    key: ApiKey,
    agent: ureq::Agent,
    max_retries: u32,
    max_batch: usize,
    max_retry_after: Duration,
    bucket: TokenBucket,
    backoff: Backoff,
    clock: Arc<dyn Clock>,
    counters: Counters,
    connected: AtomicBool,
    /// Object catalogue: (id, nameSingular, namePlural), filled by `objects()`.
    catalogue: Mutex<Vec<(String, String, String)>>,
    /// The workspace's members, read once (`members()`): a paced request that the steps of
    /// one command (owners, check, import) would otherwise each spend.
    members: Mutex<Option<Vec<Member>>>,
    on_request: Option<OnRequest>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base)
            .field("key", &self.key)
            .field("max_retries", &self.max_retries)
            .field("max_batch", &self.max_batch)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// Checks and normalises a base URL; returns `(base without trailing slash, host:port)`.
#[cfg(test)]
pub(crate) fn check_base_url(raw: &str) -> Result<(String, String), ApiError> {
    check_base_url_with(raw, false)
}

/// [`check_base_url`], accepting plain http to any host when `allow_http`.
pub(crate) fn check_base_url_with(
    raw: &str,
    allow_http: bool,
) -> Result<(String, String), ApiError> {
    let url = raw.trim();
    let (scheme, rest) = url.split_once("://").ok_or_else(|| {
        ApiError::BadUrl(format!(
            "{url:?} is not a URL; expected something like https://crm.example.com"
        ))
    })?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(ApiError::BadUrl(format!(
            "{url:?}: only http(s) URLs are supported"
        )));
    }
    if rest.contains(['?', '#']) {
        return Err(ApiError::BadUrl(format!(
            "{url:?}: give the server's base URL without a query or fragment"
        )));
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err(ApiError::BadUrl(
            "the URL must not contain credentials; pass the API key separately".into(),
        ));
    }
    let host = if let Some(r) = authority.strip_prefix('[') {
        r.split(']').next().unwrap_or_default().to_string()
    } else {
        authority
            .rsplit_once(':')
            .map_or(authority, |(h, _)| h)
            .to_string()
    };
    if host.is_empty() {
        return Err(ApiError::BadUrl(format!("{url:?} has no host")));
    }
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host.to_ascii_lowercase().ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        || host
            .parse::<Ipv4Addr>()
            .is_ok_and(|ip| ip.octets()[0] == 127);
    if scheme == "http" && !loopback && !allow_http {
        return Err(ApiError::BadUrl(format!(
            "{url:?} uses plain http: the API key would travel unencrypted; use https (plain \
             http is only accepted for localhost / 127.0.0.1 / ::1, or with --allow-http for a \
             server on a private network you trust)"
        )));
    }
    let mut path = path.trim_end_matches('/');
    for suffix in ["/rest", "/graphql"] {
        if let Some(p) = path.strip_suffix(suffix) {
            path = p.trim_end_matches('/');
        }
    }
    Ok((
        format!("{scheme}://{authority}{path}"),
        authority.to_string(),
    ))
}

/// RFC 3986 unreserved: kept as is by [`encode`].
fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// The length of `s` once percent-encoded by [`encode`] (every byte but the unreserved ones
/// takes three), for sizing request lines without building them.
pub fn encoded_len(s: &str) -> usize {
    s.bytes().map(|b| if unreserved(b) { 1 } else { 3 }).sum()
}

/// Percent-encodes a query component or path segment (RFC 3986 unreserved kept).
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if unreserved(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn check_name(name: &str) -> Result<(), ApiError> {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(ApiError::BadUrl(format!(
            "{name:?} is not an object API name (letters and digits only)"
        )))
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A GraphQL selection set from field paths: `["id", "emails.primaryEmail",
/// "emails.additionalEmails"]` → `id emails{primaryEmail additionalEmails}`.
pub(crate) fn selection(paths: &[&str]) -> String {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for p in paths {
        let (head, sub) = match p.split_once('.') {
            Some((h, s)) => (h, Some(s)),
            None => (*p, None),
        };
        let i = match groups.iter().position(|(h, _)| *h == head) {
            Some(i) => i,
            None => {
                groups.push((head, Vec::new()));
                groups.len() - 1
            }
        };
        groups[i].1.extend(sub);
    }
    groups
        .iter()
        .map(|(h, subs)| {
            if subs.is_empty() {
                h.to_string()
            } else {
                format!("{h}{{{}}}", subs.join(" "))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `{"data": {"<anyKey>": X}}` → X (contract rule: whatever the key is).
pub(crate) fn data_value(body: &Value, prefer: &[&str]) -> Option<Value> {
    let data = body.get("data")?;
    let map = data.as_object()?;
    for k in prefer {
        if let Some(v) = map.get(*k) {
            return Some(v.clone());
        }
    }
    map.values().next().cloned()
}

/// The cursor of the next page, from a REST answer or a GraphQL connection (both carry
/// `pageInfo { hasNextPage endCursor }`); `None` on the last page or an empty one.
fn next_cursor(holder: &Value, records: &[Value]) -> Option<String> {
    let has_next = holder
        .pointer("/pageInfo/hasNextPage")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if has_next && !records.is_empty() {
        holder
            .pointer("/pageInfo/endCursor")
            .and_then(Value::as_str)
            .map(str::to_string)
    } else {
        None
    }
}

/// Every record of `page` and of the pages after it, each fetched by `fetch(cursor)`, until a
/// page has no next cursor (or repeats the one it was fetched with).
fn follow(
    mut page: Page,
    mut fetch: impl FnMut(&str) -> Result<Page, ApiError>,
) -> Result<Vec<Value>, ApiError> {
    let mut out = Vec::new();
    loop {
        out.extend(std::mem::take(&mut page.records));
        let Some(after) = page.next.take() else {
            return Ok(out);
        };
        page = fetch(&after)?;
        if page.next.as_deref() == Some(after.as_str()) {
            page.next = None;
        }
    }
}

fn data_array(body: &Value, prefer: &[&str]) -> Result<Vec<Value>, ApiError> {
    match data_value(body, prefer) {
        Some(Value::Array(a)) => Ok(a),
        _ => Err(ApiError::Protocol(format!(
            "expected a list under data.{}, got {}",
            prefer.first().unwrap_or(&"?"),
            short(body)
        ))),
    }
}

/// `text` with every occurrence of the API key replaced by `***`.
fn redact(text: String, secret: &str) -> String {
    if !secret.is_empty() && text.contains(secret) {
        text.replace(secret, "***")
    } else {
        text
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 300 {
        let mut end = 300;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &s[..end])
    } else {
        s
    }
}

impl Client {
    /// Builds a client (no request is sent). Validates the URL.
    pub fn new(cfg: ClientConfig) -> Result<Client, ApiError> {
        Client::with_clock(cfg, Arc::new(SystemClock::default()))
    }

    /// Same as [`Client::new`] with an injected clock/sleeper (tests).
    pub fn with_clock(cfg: ClientConfig, clock: Arc<dyn Clock>) -> Result<Client, ApiError> {
        let (base, host) = check_base_url_with(&cfg.base_url, cfg.allow_http)
            .map_err(|e| e.redacted(cfg.key.secret()))?;
        if cfg.max_batch == 0 {
            return Err(ApiError::BadUrl("max_batch must be at least 1".into()));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(cfg.timeout))
            .max_redirects(0)
            .user_agent(concat!("crm2twenty/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let rpm = cfg.requests_per_minute.max(1);
        let seed = cfg.jitter_seed.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64)
        });
        Ok(Client {
            base,
            host,
            agent,
            max_retries: cfg.max_retries,
            max_batch: cfg.max_batch,
            max_retry_after: cfg.max_retry_after,
            bucket: TokenBucket::new(rpm, cfg.burst.clamp(1, rpm), clock.now()),
            backoff: Backoff::new(cfg.backoff_base, cfg.backoff_max, seed),
            clock,
            counters: Counters::default(),
            connected: AtomicBool::new(false),
            catalogue: Mutex::new(Vec::new()),
            members: Mutex::new(None),
            on_request: cfg.on_request.clone(),
            key: cfg.key,
        })
    }

    /// The normalised base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The pace in requests a minute: the configured one, or lower once the server's 429
    /// named a smaller budget.
    pub fn requests_per_minute(&self) -> f64 {
        self.bucket.per_minute()
    }

    /// Records per batch request.
    pub fn max_batch(&self) -> usize {
        self.max_batch
    }

    /// Counters so far.
    pub fn stats(&self) -> ClientStats {
        let c = &self.counters;
        ClientStats {
            requests: c.requests.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            rate_limited: c.rate_limited.load(Ordering::Relaxed),
            server_errors: c.server_errors.load(Ordering::Relaxed),
            transport_errors: c.transport_errors.load(Ordering::Relaxed),
        }
    }

    // ---------------------------------------------------------------- transport

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// One attempt, no retry.
    fn attempt(&self, method: Method, url: &str, body: Option<Body>, graphql: bool) -> Attempt {
        let auth = self.key.bearer_header();
        let result = match method {
            Method::Get | Method::Delete => {
                let rb = if method == Method::Get {
                    self.agent.get(url)
                } else {
                    self.agent.delete(url)
                };
                rb.header("Authorization", &auth)
                    .header("Accept", "application/json")
                    .call()
            }
            Method::Post | Method::Patch => {
                let rb = if method == Method::Post {
                    self.agent.post(url)
                } else {
                    self.agent.patch(url)
                };
                let rb = rb
                    .header("Authorization", &auth)
                    .header("Accept", "application/json");
                match body {
                    Some(Body::Json(b)) => rb.header("Content-Type", "application/json").send(b),
                    Some(Body::Multipart(m)) => {
                        // The file is read from disk as it is sent (never whole in memory),
                        // again from its start on every attempt.
                        let file = match std::fs::File::open(&m.file) {
                            Ok(f) => f,
                            Err(e) => {
                                return Attempt::Fail(ApiError::File {
                                    path: m.file.display().to_string(),
                                    detail: e.to_string(),
                                });
                            }
                        };
                        let reader = std::io::Read::chain(
                            std::io::Read::chain(std::io::Cursor::new(m.head.clone()), file),
                            std::io::Cursor::new(m.tail.clone()),
                        );
                        rb.header(
                            "Content-Type",
                            &format!("multipart/form-data; boundary={}", m.boundary),
                        )
                        .header("Content-Length", &m.len.to_string())
                        // graphql-yoga's CSRF prevention lets a multipart request through only
                        // with a header a browser form cannot set.
                        .header("apollo-require-preflight", "true")
                        .header("x-apollo-operation-name", &m.operation)
                        .send(ureq::SendBody::from_owned_reader(reader))
                    }
                    None => rb.send_empty(),
                }
            }
        };
        let mut res = match result {
            Ok(r) => r,
            Err(e) => return self.transport_failure(e),
        };
        self.connected.store(true, Ordering::Relaxed);
        let status = res.status().as_u16();
        let retry_after = res
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(Duration::from_secs_f64);
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let text = match res
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_string()
        {
            // An error body is redacted before anything else reads it: the messages and
            // excerpts built from it are cut short, and a cut through a key echoed by the server
            // (a debug page, a proxy) would leave a piece of it that no later redaction
            // recognises. A successful answer is data, and is left as it is.
            Ok(t) if (200..300).contains(&status) => t,
            Ok(t) => redact(t, self.key.secret()),
            Err(e) => return self.transport_failure(e),
        };
        let json: Option<Value> = if text.trim().is_empty() {
            Some(Value::Null)
        } else {
            serde_json::from_str(&text).ok()
        };
        let parsed = || -> ErrorBody {
            match &json {
                Some(v) if !v.is_null() => parse_error_body(v),
                _ => ErrorBody {
                    messages: vec![if text.trim().is_empty() {
                        format!("HTTP {status} with an empty body")
                    } else {
                        format!("HTTP {status}: {}", short(&Value::String(text.clone())))
                    }],
                    code: None,
                },
            }
        };
        match status {
            200..=299 => match json {
                Some(v) => {
                    if graphql
                        && let Some(errs) = v.get("errors").and_then(Value::as_array)
                        && !errs.is_empty()
                    {
                        let redacted = redact(text.clone(), self.key.secret());
                        let v = serde_json::from_str(&redacted).unwrap_or(Value::Null);
                        return self.graphql_failure(&v);
                    }
                    Attempt::Done(v)
                }
                None => Attempt::Fail(ApiError::Protocol(format!(
                    "HTTP {status} with a body that is not JSON: {}",
                    short(&Value::String(text))
                ))),
            },
            300..=399 => Attempt::Fail(ApiError::Protocol(format!(
                "HTTP {status} redirect to {}; configure the final URL (e.g. https://…)",
                location.as_deref().unwrap_or("?")
            ))),
            429 => {
                self.counters.rate_limited.fetch_add(1, Ordering::Relaxed);
                let b = parsed();
                Attempt::RateLimited {
                    retry_after,
                    budget: b.messages.iter().find_map(|m| rate_budget(m)),
                    what: format!("HTTP 429: {}", b.messages.join("; ")),
                }
            }
            408 => Attempt::Retry {
                what: "HTTP 408 request timeout".into(),
                refused: false,
            },
            500..=599 => {
                self.counters.server_errors.fetch_add(1, Ordering::Relaxed);
                let b = parsed();
                if status == 501 || is_deterministic_server_error(&b.messages) {
                    return Attempt::Fail(ApiError::Rejected {
                        status,
                        messages: b.messages,
                        code: b.code,
                    });
                }
                Attempt::Retry {
                    what: format!("HTTP {status}: {}", b.messages.join("; ")),
                    refused: false,
                }
            }
            _ => Attempt::Fail(error_for_status(status, &parsed())),
        }
    }

    fn graphql_failure(&self, v: &Value) -> Attempt {
        let b = parse_error_body(v);
        // The workspace's rate limit, as GraphQL says it: HTTP 200 and a `BAD_USER_INPUT` with
        // `subCode: LIMIT_REACHED` (a live 2.19, `docs/evidence/live-2x/ceiling-q2-…-limited.json`),
        // where REST answers 429. Waited out like a 429, never taken for a refused record.
        let limited = v
            .get("errors")
            .and_then(Value::as_array)
            .is_some_and(|errs| {
                errs.iter().any(|e| {
                    e.pointer("/extensions/subCode").and_then(Value::as_str)
                        == Some("LIMIT_REACHED")
                })
            });
        if limited {
            self.counters.rate_limited.fetch_add(1, Ordering::Relaxed);
            return Attempt::RateLimited {
                retry_after: None,
                budget: b.messages.iter().find_map(|m| rate_budget(m)),
                what: format!("GraphQL LIMIT_REACHED: {}", b.messages.join("; ")),
            };
        }
        match b.code.as_deref() {
            Some("UNAUTHENTICATED") => Attempt::Fail(error_for_status(401, &b)),
            Some("FORBIDDEN") => Attempt::Fail(error_for_status(403, &b)),
            Some("INTERNAL_SERVER_ERROR") if !is_deterministic_server_error(&b.messages) => {
                self.counters.server_errors.fetch_add(1, Ordering::Relaxed);
                Attempt::Retry {
                    what: format!("GraphQL INTERNAL_SERVER_ERROR: {}", b.messages.join("; ")),
                    refused: false,
                }
            }
            Some("NOT_FOUND") => Attempt::Fail(error_for_status(404, &b)),
            _ => Attempt::Fail(error_for_status(400, &b)),
        }
    }

    fn transport_failure(&self, e: ureq::Error) -> Attempt {
        use std::io::ErrorKind;
        let unreachable = |detail: String| {
            Attempt::Fail(ApiError::Unreachable {
                url_host: self.host.clone(),
                detail,
            })
        };
        let retry = |what: String, refused: bool| {
            self.counters
                .transport_errors
                .fetch_add(1, Ordering::Relaxed);
            Attempt::Retry { what, refused }
        };
        let connected = self.connected.load(Ordering::Relaxed);
        match e {
            ureq::Error::HostNotFound => {
                unreachable("the host name could not be resolved (DNS); check the URL".into())
            }
            ureq::Error::ConnectionFailed => {
                if connected {
                    retry("the connection failed".into(), true)
                } else {
                    unreachable(
                        "the connection failed; check the URL and that the server is running"
                            .into(),
                    )
                }
            }
            ureq::Error::Io(io) if io.kind() == ErrorKind::ConnectionRefused => {
                if connected {
                    retry("the connection was refused".into(), true)
                } else {
                    unreachable(
                        "the connection was refused; check the URL/port and that the server is running"
                            .into(),
                    )
                }
            }
            ureq::Error::Timeout(t) => retry(format!("timed out ({t})"), false),
            ureq::Error::Io(io) => retry(format!("connection error: {io}"), false),
            ureq::Error::Protocol(p) => retry(format!("connection closed or garbled: {p}"), false),
            ureq::Error::BadUri(u) => Attempt::Fail(ApiError::BadUrl(u)),
            ureq::Error::BodyExceedsLimit(n) => {
                Attempt::Fail(ApiError::Protocol(format!("answer larger than {n} bytes")))
            }
            ureq::Error::TlsRequired => Attempt::Fail(ApiError::BadUrl("https is required".into())),
            other => {
                let text = other.to_string();
                let l = text.to_ascii_lowercase();
                if l.contains("tls") || l.contains("certificate") || l.contains("rustls") {
                    unreachable(format!("the TLS handshake failed: {text}"))
                } else {
                    Attempt::Fail(ApiError::Protocol(text))
                }
            }
        }
    }

    /// Sends a request through the pacing gate with the retry policy. Returns the parsed JSON
    /// answer and whether at least one retry happened.
    fn send_ext(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        graphql: bool,
    ) -> (Result<Value, ApiError>, bool) {
        let bytes = match body.map(serde_json::to_vec).transpose() {
            Ok(b) => b,
            Err(e) => {
                return (
                    Err(ApiError::Protocol(format!("cannot encode body: {e}"))),
                    false,
                );
            }
        };
        self.send_body(method, path, bytes.as_deref().map(Body::Json), graphql)
    }

    /// [`Client::send_ext`] for any body.
    fn send_body(
        &self,
        method: Method,
        path: &str,
        body: Option<Body>,
        graphql: bool,
    ) -> (Result<Value, ApiError>, bool) {
        let url = self.url(path);
        // Twenty charges record queries (REST record routes and GraphQL), not its metadata API
        // (`throttleQueryExecution` sits in the common query runner; contract doc §1.8): reading
        // the schema does not wait for the budget. Metadata writes are paced all the same, but
        // for 2.x's file uploads on `/metadata`, which no throttle counts
        // (docs/evidence/twenty-attachments.md §5).
        let upload_2x = path == "/metadata" && matches!(body, Some(Body::Multipart(_)));
        let metadata_read = method == Method::Get && path.starts_with("/rest/metadata/");
        let paced = !(metadata_read || upload_2x);
        let mut attempt_no: u32 = 0;
        loop {
            let bursting = (paced || attempt_no > 0) && self.bucket.acquire(self.clock.as_ref());
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            if attempt_no > 0 {
                self.counters.retries.fetch_add(1, Ordering::Relaxed);
            }
            let sent_at = std::time::Instant::now();
            let outcome = self.attempt(method, &url, body, graphql);
            if let Some(tell) = &self.on_request {
                let outcome = match &outcome {
                    Attempt::Done(_) => "ok".to_string(),
                    Attempt::Fail(e) => {
                        format!("refused: {}", redact(e.to_string(), self.key.secret()))
                    }
                    // "HTTP 429: Limit reached (…)", or GraphQL's "LIMIT_REACHED" in a 200.
                    Attempt::RateLimited { what, .. } => {
                        format!("{}, waiting", redact(what.clone(), self.key.secret()))
                    }
                    Attempt::Retry { what, .. } => {
                        format!("{}, retrying", redact(what.clone(), self.key.secret()))
                    }
                };
                let mut shown: String = path.chars().take(200).collect();
                if shown.len() < path.len() {
                    shown.push('…');
                }
                tell(&RequestLog {
                    method: method.as_str(),
                    path: shown,
                    outcome,
                    elapsed: sent_at.elapsed(),
                });
            }
            let (what, wait, hold) = match outcome {
                Attempt::Done(v) => return (Ok(v), attempt_no > 0),
                Attempt::Fail(e) => {
                    return (Err(e.redacted(self.key.secret())), attempt_no > 0);
                }
                Attempt::RateLimited {
                    retry_after,
                    budget,
                    what,
                } => (
                    what,
                    self.rate_limited_wait(retry_after, budget, attempt_no, bursting),
                    true,
                ),
                Attempt::Retry { what, refused, .. } => {
                    if attempt_no >= self.max_retries && refused {
                        let e = ApiError::Unreachable {
                            url_host: self.host.clone(),
                            detail: format!("{what} (after {attempt_no} retries)"),
                        };
                        return (Err(e.redacted(self.key.secret())), true);
                    }
                    (what, self.backoff.delay(attempt_no), false)
                }
            };
            if attempt_no >= self.max_retries {
                let e = ApiError::RetriesExhausted {
                    last: format!("{} {path}: {what}", method.as_str()),
                };
                return (Err(e.redacted(self.key.secret())), attempt_no > 0);
            }
            if hold {
                // Everybody waits: the budget of the workspace is spent.
                self.bucket.hold_off(self.clock.now(), wait);
            } else {
                self.clock.sleep(wait);
            }
            attempt_no += 1;
        }
    }

    /// How long everybody waits after a 429. A `Retry-After` is honoured (clamped). A live
    /// Twenty sends none but names its budget, a token bucket per workspace refilled
    /// continuously: the client then paces to that budget, a little below it on every further
    /// refusal (another key of the workspace spends the same tokens), and waits one token's
    /// refill, doubled for each refusal in a row up to the bucket's window, instead of a blind
    /// back-off that idles or storms.
    ///
    /// A refusal of a request sent on saved-up tokens (a burst after an idle period) says only
    /// that the workspace's bucket held fewer tokens than ours: the savings are dropped and the
    /// rate kept.
    fn rate_limited_wait(
        &self,
        retry_after: Option<Duration>,
        budget: Option<(u32, Duration)>,
        attempt_no: u32,
        bursting: bool,
    ) -> Duration {
        if bursting {
            self.bucket.drain(self.clock.now());
            if let Some((tokens, window)) = budget {
                self.bucket
                    .slow_to(f64::from(tokens) * 60.0 / window.as_secs_f64());
            }
        } else if let Some((tokens, window)) = budget {
            let budget_per_minute = f64::from(tokens) * 60.0 / window.as_secs_f64();
            let now = self.bucket.per_minute();
            self.bucket.slow_to(if now <= budget_per_minute * 1.0001 {
                (now * 0.9).max(budget_per_minute / 2.0)
            } else {
                budget_per_minute
            });
        }
        match (retry_after, budget) {
            (Some(ra), _) => self
                .backoff
                .delay(attempt_no)
                .max(ra.min(self.max_retry_after)),
            (None, Some((tokens, window))) => {
                self.backoff.delay_from(window / tokens, window, attempt_no)
            }
            (None, None) => self.backoff.delay(attempt_no),
        }
    }

    fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Value, ApiError> {
        self.send_ext(method, path, body, false).0
    }

    // ---------------------------------------------------------------- metadata

    fn remember(&self, objects: &[ObjectMeta]) {
        let mut cat = self
            .catalogue
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *cat = objects
            .iter()
            .map(|o| (o.id.clone(), o.name_singular.clone(), o.name_plural.clone()))
            .collect();
    }

    fn catalogue(&self) -> Result<Vec<(String, String, String)>, ApiError> {
        {
            let cat = self
                .catalogue
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if !cat.is_empty() {
                return Ok(cat.clone());
            }
        }
        self.objects()?;
        Ok(self
            .catalogue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone())
    }

    fn singular_of(&self, plural: &str) -> Result<String, ApiError> {
        let find = |cat: &[(String, String, String)]| {
            cat.iter()
                .find(|(_, _, p)| p == plural)
                .map(|(_, s, _)| s.clone())
        };
        if let Some(s) = find(&self.catalogue()?) {
            return Ok(s);
        }
        // Maybe created since the last read.
        self.objects()?;
        find(&self.catalogue()?).ok_or_else(|| ApiError::Rejected {
            status: 404,
            messages: vec![format!(
                "no object with plural name {plural:?} in this workspace"
            )],
            code: Some("OBJECT_NOT_FOUND".into()),
        })
    }

    /// `GET /rest/metadata/objects`: every object with its fields (1.5 and 2.x shapes).
    pub fn objects(&self) -> Result<Vec<ObjectMeta>, ApiError> {
        let body = self.send(Method::Get, "/rest/metadata/objects", None)?;
        let raw = objects_array(&body).ok_or_else(|| {
            ApiError::Protocol(format!(
                "metadata answer without data.objects: {}",
                short(&body)
            ))
        })?;
        let objects = parse_objects(raw);
        self.remember(&objects);
        Ok(objects)
    }

    /// `POST /rest/metadata/objects`: creates a custom object. If a lost answer made the call
    /// retry and the object now exists, the existing object is returned.
    pub fn create_object(
        &self,
        name_singular: &str,
        name_plural: &str,
        label_singular: &str,
        label_plural: &str,
    ) -> Result<ObjectMeta, ApiError> {
        check_name(name_singular)?;
        check_name(name_plural)?;
        let body = json!({
            "nameSingular": name_singular,
            "namePlural": name_plural,
            "labelSingular": label_singular,
            "labelPlural": label_plural,
            "icon": "IconBox",
        });
        let (res, retried) =
            self.send_ext(Method::Post, "/rest/metadata/objects", Some(&body), false);
        match res {
            Ok(v) => {
                let raw = data_value(&v, &["createOneObject"]).ok_or_else(|| {
                    ApiError::Protocol(format!("object creation answer: {}", short(&v)))
                })?;
                // Refresh the catalogue (and get the fields the answer may not carry).
                let all = self.objects()?;
                if let Some(o) = all.into_iter().find(|o| o.name_singular == name_singular) {
                    return Ok(o);
                }
                Ok(crate::meta::parse_object(&raw, None, &[]))
            }
            Err(e @ ApiError::Rejected { .. }) if retried => self
                .objects()?
                .into_iter()
                .find(|o| o.name_singular == name_singular)
                .ok_or(e),
            Err(e) => Err(e),
        }
    }

    /// `POST /rest/metadata/fields`: creates a custom field (SELECT options get colours and
    /// positions; a relation is MANY_TO_ONE from `object_id` to the target, writable at once
    /// through `<name>Id`). If a lost answer made the call retry and the field now exists, the
    /// existing field is returned.
    pub fn create_field(&self, object_id: &str, field: &NewField) -> Result<FieldMeta, ApiError> {
        check_name(&field.name)?;
        let mut body = Map::new();
        body.insert("objectMetadataId".into(), json!(object_id));
        body.insert("type".into(), json!(field.kind));
        body.insert("name".into(), json!(field.name));
        body.insert("label".into(), json!(field.label));
        body.insert("isNullable".into(), json!(true));
        if field.is_unique {
            body.insert("isUnique".into(), json!(true));
        }
        if !field.options.is_empty() {
            let opts: Vec<Value> = field
                .options
                .iter()
                .enumerate()
                .map(|(i, (value, label))| {
                    json!({"value": value, "label": label,
                           "color": OPTION_COLORS[i % OPTION_COLORS.len()], "position": i})
                })
                .collect();
            body.insert("options".into(), Value::Array(opts));
        }
        if let Some((target, _inverse_name, inverse_label)) = &field.relation {
            body.insert(
                "relationCreationPayload".into(),
                json!({"targetObjectMetadataId": target, "type": "MANY_TO_ONE",
                       "targetFieldLabel": inverse_label, "targetFieldIcon": "IconLink"}),
            );
        }
        let body = Value::Object(body);
        let (res, retried) =
            self.send_ext(Method::Post, "/rest/metadata/fields", Some(&body), false);
        let find_existing = || -> Result<Option<FieldMeta>, ApiError> {
            Ok(self
                .objects()?
                .into_iter()
                .find(|o| o.id == object_id)
                .and_then(|o| o.fields.into_iter().find(|f| f.name == field.name)))
        };
        let v = match res {
            Ok(v) => v,
            Err(e @ ApiError::Rejected { .. }) if retried => {
                return find_existing()?.ok_or(e);
            }
            Err(e) => return Err(e),
        };
        let raw = data_value(&v, &["createOneField"])
            .ok_or_else(|| ApiError::Protocol(format!("field creation answer: {}", short(&v))))?;
        let cat = self.catalogue().unwrap_or_default();
        let singulars: Vec<String> = cat.iter().map(|(_, s, _)| s.clone()).collect();
        let mut meta = parse_field(&raw, None, &singulars);
        meta.is_custom = true;
        if let Some((target, _, _)) = &field.relation {
            meta.relation_type
                .get_or_insert_with(|| "MANY_TO_ONE".into());
            if meta.relation_target.is_none() {
                meta.relation_target = cat
                    .iter()
                    .find(|(id, _, _)| id == target)
                    .map(|(_, s, _)| s.clone());
            }
            if meta.join_column.is_none() {
                meta.join_column = Some(format!("{}Id", field.name));
            }
        }
        if field.is_unique {
            meta.is_unique = true;
        }
        Ok(meta)
    }

    /// Adds options to a SELECT / MULTI_SELECT field: `PATCH /rest/metadata/fields/{id}` with
    /// the full list (existing options keep their ids, colours and positions; new ones get the
    /// next positions and cycled colours). Values already present are skipped; nothing to add →
    /// no request.
    pub fn add_options(&self, field: &FieldMeta, new: &[(String, String)]) -> Result<(), ApiError> {
        let mut options: Vec<Value> = field
            .options
            .iter()
            .map(|o| {
                let mut m = Map::new();
                if let Some(id) = &o.id {
                    m.insert("id".into(), json!(id));
                }
                m.insert("value".into(), json!(o.value));
                m.insert("label".into(), json!(o.label));
                if let Some(c) = &o.color {
                    m.insert("color".into(), json!(c));
                }
                if let Some(p) = o.position {
                    m.insert("position".into(), json!(p));
                }
                Value::Object(m)
            })
            .collect();
        let mut next_pos = field
            .options
            .iter()
            .filter_map(|o| o.position)
            .fold(-1.0f64, f64::max)
            .max(field.options.len() as f64 - 1.0)
            + 1.0;
        let mut seen: Vec<&str> = field.options.iter().map(|o| o.value.as_str()).collect();
        let mut added = 0;
        for (value, label) in new {
            if seen.contains(&value.as_str()) {
                continue;
            }
            seen.push(value);
            let color = OPTION_COLORS[(field.options.len() + added) % OPTION_COLORS.len()];
            let pos = if next_pos.fract() == 0.0 {
                json!(next_pos as i64)
            } else {
                json!(next_pos)
            };
            options.push(json!({"value": value, "label": label, "color": color, "position": pos}));
            next_pos += 1.0;
            added += 1;
        }
        if added == 0 {
            return Ok(());
        }
        let path = format!("/rest/metadata/fields/{}", encode(&field.id));
        self.send(Method::Patch, &path, Some(&json!({ "options": options })))?;
        Ok(())
    }

    /// The workspace's webhooks: `GET /rest/metadata/webhooks` (same path on 1.5 and 2.x, per
    /// the OpenAPI documents both serve). A live 2.19 answers a bare array; a `data.webhooks`
    /// page is followed through its `pageInfo` cursors. Secrets are dropped.
    pub fn webhooks(&self) -> Result<Vec<Webhook>, ApiError> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let path = match &after {
                // No query on the first page: 1.5 refuses queries on some metadata lists.
                None => "/rest/metadata/webhooks".to_string(),
                Some(a) => format!("/rest/metadata/webhooks?starting_after={}", encode(a)),
            };
            let body = self.send(Method::Get, &path, None)?;
            // 2.19 answers a bare array (recorded); older servers a `data.webhooks` page.
            let page = match &body {
                Value::Array(a) => a.clone(),
                _ => data_array(&body, &["webhooks"])?,
            };
            for w in &page {
                let s = |k: &str| {
                    w.get(k)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                out.push(Webhook {
                    id: s("id"),
                    target_url: s("targetUrl"),
                    operations: w
                        .get("operations")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default(),
                    description: s("description"),
                });
            }
            let next = body
                .pointer("/pageInfo/hasNextPage")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                .then(|| {
                    body.pointer("/pageInfo/endCursor")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .flatten();
            match next {
                Some(n) if !page.is_empty() && after.as_deref() != Some(n.as_str()) => {
                    after = Some(n)
                }
                _ => return Ok(out),
            }
        }
    }

    // ---------------------------------------------------------------- records

    /// Workspace members (`GET /rest/workspaceMembers`, all pages), read once by a client:
    /// later calls answer the same list (nothing crm2twenty does adds members).
    pub fn members(&self) -> Result<Vec<Member>, ApiError> {
        if let Some(known) = self
            .members
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            return Ok(known.clone());
        }
        let records = self.list_all("workspaceMembers", None)?;
        let members: Vec<Member> = records
            .iter()
            .map(|r| {
                let s = |p: &str| {
                    r.pointer(p)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                Member {
                    id: s("/id"),
                    email: s("/userEmail"),
                    first_name: s("/name/firstName"),
                    last_name: s("/name/lastName"),
                }
            })
            .collect();
        *self.members.lock().unwrap_or_else(PoisonError::into_inner) = Some(members.clone());
        Ok(members)
    }

    /// One page: `GET /rest/{plural}?limit=…[&filter=…][&starting_after=…]`. `filter` uses
    /// Twenty's syntax (`emails.primaryEmail[eq]:"a@b.com"`) and is URL-encoded here.
    pub fn list(
        &self,
        plural: &str,
        filter: Option<&str>,
        limit: usize,
        after: Option<&str>,
    ) -> Result<Page, ApiError> {
        check_name(plural)?;
        let mut path = format!("/rest/{plural}?limit={}", limit.max(1));
        if let Some(f) = filter.filter(|f| !f.is_empty()) {
            path.push_str("&filter=");
            path.push_str(&encode(f));
        }
        if let Some(a) = after {
            path.push_str("&starting_after=");
            path.push_str(&encode(a));
        }
        let body = self.send(Method::Get, &path, None)?;
        let records = data_array(&body, &[plural])?;
        Ok(Page {
            next: next_cursor(&body, &records),
            records,
            total: body.get("totalCount").and_then(Value::as_u64),
        })
    }

    /// Every record matching `filter` after the cursor `after` (the rest of a list whose first
    /// page was read with [`Client::list`]).
    pub fn list_all_after(
        &self,
        plural: &str,
        filter: Option<&str>,
        after: &str,
    ) -> Result<Vec<Value>, ApiError> {
        self.list_from(plural, filter, Some(after.to_string()))
    }

    /// Every record matching `filter` (pages of 200, following cursors).
    pub fn list_all(&self, plural: &str, filter: Option<&str>) -> Result<Vec<Value>, ApiError> {
        self.list_from(plural, filter, None)
    }

    fn list_from(
        &self,
        plural: &str,
        filter: Option<&str>,
        after: Option<String>,
    ) -> Result<Vec<Value>, ApiError> {
        let first = match after {
            // The rest of a list: a page holding nothing but the cursor to go on from.
            Some(a) => Page {
                records: Vec::new(),
                next: Some(a),
                total: None,
            },
            None => self.list(plural, filter, LIST_ALL_PAGE, None)?,
        };
        follow(first, |a| self.list(plural, filter, LIST_ALL_PAGE, Some(a)))
    }

    /// `POST /rest/batch/{plural}[?upsert=true]`, split into requests of at most `max_batch`
    /// records; returns the created/updated records in input order.
    ///
    /// **Only send idempotent writes**: every record must carry its `id` (client-chosen UUID)
    /// and `upsert` should be true, because a batch whose answer was lost is sent again. On
    /// Twenty 1.5 REST ignores `upsert` (see [`crate::Capabilities::rest_upsert`]): use
    /// [`Client::graphql_create_many`] there.
    pub fn batch_create(
        &self,
        plural: &str,
        records: &[Value],
        upsert: bool,
    ) -> Result<Vec<Value>, ApiError> {
        check_name(plural)?;
        let path = format!(
            "/rest/batch/{plural}{}",
            if upsert { "?upsert=true" } else { "" }
        );
        let key = format!("create{}", capitalize(plural));
        let mut out = Vec::with_capacity(records.len());
        for chunk in records.chunks(self.max_batch) {
            let body = Value::Array(chunk.to_vec());
            let answer = self.send(Method::Post, &path, Some(&body))?;
            out.extend(data_array(&answer, &[&key, plural])?);
        }
        Ok(out)
    }

    /// `POST /graphql` `create{Plural}(data: $d, upsert: …) { id }`, split into requests of
    /// at most `max_batch` records; returns `[{"id": …}]` in input order. The only upsert that
    /// works on Twenty 1.5. Same idempotency rule as [`Client::batch_create`].
    pub fn graphql_create_many(
        &self,
        plural: &str,
        records: &[Value],
        upsert: bool,
    ) -> Result<Vec<Value>, ApiError> {
        check_name(plural)?;
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let singular = self.singular_of(plural)?;
        let op = format!("create{}", capitalize(plural));
        let query = format!(
            "mutation($d:[{}CreateInput!]!){{{op}(data:$d, upsert:{upsert}){{id}}}}",
            capitalize(&singular)
        );
        let mut out = Vec::with_capacity(records.len());
        for chunk in records.chunks(self.max_batch) {
            let body = json!({"query": query, "variables": {"d": chunk}});
            let answer = self
                .send_ext(Method::Post, "/graphql", Some(&body), true)
                .0?;
            out.extend(data_array(&answer, &[&op])?);
        }
        Ok(out)
    }

    /// GraphQL `deleteXs` / `destroyXs` / `restoreXs(filter: {id: {in: […]}}) { id }`: many
    /// records a request, in chunks of [`MASS_MUTATION_MAX`] ids. Returns the ids the server
    /// answered with (the records it deleted, destroyed or restored; an id it leaves out matched
    /// nothing: already gone, or for a soft delete already in the trash). Idempotent, like
    /// [`Client::delete`].
    pub fn mass_mutation(
        &self,
        plural: &str,
        op: MassOp,
        ids: &[String],
    ) -> Result<Vec<String>, ApiError> {
        check_name(plural)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let singular = self.singular_of(plural)?;
        let root = format!("{}{}", op.verb(), capitalize(plural));
        let query = format!(
            "mutation($f:{}FilterInput!){{{root}(filter:$f){{id}}}}",
            capitalize(&singular)
        );
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(MASS_MUTATION_MAX) {
            let body = json!({"query": query, "variables": {"f": {"id": {"in": chunk}}}});
            let answer = self
                .send_ext(Method::Post, "/graphql", Some(&body), true)
                .0?;
            out.extend(
                data_array(&answer, &[&root])?
                    .iter()
                    .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_string)),
            );
        }
        Ok(out)
    }

    /// One page of a GraphQL list query: `{plural}(filter: $f, first: 200, after: $a) { edges {
    /// node { <select> } } pageInfo { hasNextPage endCursor } }`. `filter` is a GraphQL filter
    /// value (`{"or": [{"emails": {"primaryEmail": {"in": […]}}}, …]}`), sent as a variable in
    /// the request body, so it may hold thousands of keys where a REST filter (in the request
    /// line) holds a few hundred. `select` names fields, sub-fields of composites by a dot
    /// (`["id", "sourceRecordId", "emails.primaryEmail"]`). Costs one request like any other.
    pub fn find_page(
        &self,
        plural: &str,
        filter: &Value,
        select: &[&str],
        after: Option<&str>,
    ) -> Result<Page, ApiError> {
        check_name(plural)?;
        let singular = self.singular_of(plural)?;
        let query = format!(
            "query($f:{}FilterInput,$a:String){{{plural}(filter:$f,first:{LIST_ALL_PAGE},after:$a){{edges{{node{{{}}}}}pageInfo{{hasNextPage endCursor}}}}}}",
            capitalize(&singular),
            selection(select)
        );
        let body = json!({"query": query, "variables": {"f": filter, "a": after}});
        let answer = self
            .send_ext(Method::Post, "/graphql", Some(&body), true)
            .0?;
        let conn = answer
            .pointer(&format!("/data/{plural}"))
            .filter(|c| c.is_object())
            .ok_or_else(|| {
                ApiError::Protocol(format!(
                    "expected a connection under data.{plural}, got {}",
                    short(&answer)
                ))
            })?;
        let records: Vec<Value> = conn
            .get("edges")
            .and_then(Value::as_array)
            .map(|edges| {
                edges
                    .iter()
                    .filter_map(|e| e.get("node").cloned())
                    .collect()
            })
            .unwrap_or_default();
        Ok(Page {
            next: next_cursor(conn, &records),
            records,
            total: None,
        })
    }

    /// The records of `first` (a page [`Client::find_page`] answered) and of every page after
    /// it, following cursors.
    pub fn find_rest(
        &self,
        plural: &str,
        filter: &Value,
        select: &[&str],
        first: Page,
    ) -> Result<Vec<Value>, ApiError> {
        follow(first, |a| self.find_page(plural, filter, select, Some(a)))
    }

    /// Posts a GraphQL multipart upload (`operations` naming `$file`, then the file streamed
    /// from disk) to `path`: the one way both lines' upload mutations are sent.
    fn send_upload(
        &self,
        path: &str,
        operation: &str,
        operations: &Value,
        file: &UploadSource,
    ) -> Result<Value, ApiError> {
        let m = Multipart::new(
            operation, operations, &file.path, &file.name, &file.mime, file.size,
        );
        self.send_body(Method::Post, path, Some(Body::Multipart(&m)), true)
            .0
    }

    /// Uploads a file, streamed from disk, for the FILES field `field_metadata_id` (2.x:
    /// `attachment.file`): `uploadFilesFieldFile` on the metadata GraphQL endpoint, as
    /// Twenty's own front end does before it creates the attachment
    /// (`useUploadAttachmentFile.tsx`). The answer's `id` is what the record's
    /// `file: [{fileId, label}]` names.
    pub fn upload_files_field_file(
        &self,
        field_metadata_id: &str,
        file: &UploadSource,
    ) -> Result<UploadedFile, ApiError> {
        let operations = json!({
            "operationName": "UploadFilesFieldFile",
            "query": "mutation UploadFilesFieldFile($file: Upload!, $fieldMetadataId: String!) { uploadFilesFieldFile(file: $file, fieldMetadataId: $fieldMetadataId) { id path size createdAt url } }",
            "variables": {"file": null, "fieldMetadataId": field_metadata_id},
        });
        let answer = self.send_upload("/metadata", "UploadFilesFieldFile", &operations, file)?;
        let got = answer
            .pointer("/data/uploadFilesFieldFile")
            .filter(|v| v.is_object())
            .ok_or_else(|| {
                ApiError::Protocol(format!(
                    "expected data.uploadFilesFieldFile, got {}",
                    short(&answer)
                ))
            })?;
        Ok(UploadedFile {
            id: got.get("id").and_then(Value::as_str).map(str::to_string),
            path: got
                .get("path")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        })
    }

    /// Uploads a file, streamed from disk, into the workspace's attachment folder (1.5):
    /// `uploadFile(file, fileFolder: Attachment)` on `/graphql`, which answers a
    /// `SignedFileDTO` (`{path, token}`); the attachment record names the path in `fullPath`.
    pub fn upload_file_legacy(&self, file: &UploadSource) -> Result<UploadedFile, ApiError> {
        let operations = json!({
            "operationName": "UploadFile",
            "query": "mutation UploadFile($file: Upload!, $fileFolder: FileFolder) { uploadFile(file: $file, fileFolder: $fileFolder) { path token } }",
            "variables": {"file": null, "fileFolder": "Attachment"},
        });
        let answer = self.send_upload("/graphql", "UploadFile", &operations, file)?;
        let got = answer.pointer("/data/uploadFile").ok_or_else(|| {
            ApiError::Protocol(format!("expected data.uploadFile, got {}", short(&answer)))
        })?;
        // A path, or an object holding one (later 1.x releases).
        let path = got
            .as_str()
            .or_else(|| got.get("path").and_then(Value::as_str))
            .ok_or_else(|| {
                ApiError::Protocol(format!(
                    "expected the uploaded file's path, got {}",
                    short(got)
                ))
            })?;
        Ok(UploadedFile {
            id: None,
            path: path.to_string(),
        })
    }

    /// Downloads a file the server signed a link to (2.x: the `url` of a FILES field's item):
    /// `read` gets the body as it arrives (the file is never held whole here) and returns what it
    /// makes of it. A failure the retry policy retries (5xx, 429, a dropped connection, a body
    /// cut short) starts the download again, `read` included. The link carries its own token:
    /// no key is sent, and a link to another host than the server's is refused.
    pub fn download<T>(
        &self,
        url: &str,
        mut read: impl FnMut(&mut dyn std::io::Read) -> std::io::Result<T>,
    ) -> Result<T, ApiError> {
        let same_host = url
            .strip_prefix(self.base.as_str())
            .is_some_and(|rest| rest.starts_with('/'));
        if !same_host {
            return Err(ApiError::Protocol(format!(
                "the file link {} is not on the server {}",
                url.split('?').next().unwrap_or_default(),
                self.base
            )));
        }
        let mut attempt_no: u32 = 0;
        loop {
            self.bucket.acquire(self.clock.as_ref());
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            let retried = |code: u16| code == 408 || code == 429 || (500..600).contains(&code);
            // The agent answers every status as a response (its statuses are read here).
            let failure = match self.agent.get(url).call() {
                Ok(mut res) if (200..300).contains(&res.status().as_u16()) => {
                    let mut reader = res.body_mut().with_config().limit(u64::MAX).reader();
                    match read(&mut reader) {
                        Ok(v) => return Ok(v),
                        Err(e) => format!("the file's bytes were cut short: {e}"),
                    }
                }
                Ok(res) if retried(res.status().as_u16()) => {
                    format!("HTTP {}", res.status().as_u16())
                }
                Ok(res) => {
                    let code = res.status().as_u16();
                    return Err(ApiError::Rejected {
                        status: code,
                        messages: vec![format!("HTTP {code} for the file link")],
                        code: None,
                    });
                }
                Err(ureq::Error::StatusCode(code)) if !retried(code) => {
                    return Err(ApiError::Rejected {
                        status: code,
                        messages: vec![format!("HTTP {code} for the file link")],
                        code: None,
                    });
                }
                Err(e) => format!("{e}"),
            };
            if attempt_no >= self.max_retries {
                return Err(ApiError::RetriesExhausted {
                    last: format!("GET file link: {failure}"),
                });
            }
            self.counters.retries.fetch_add(1, Ordering::Relaxed);
            self.clock.sleep(self.backoff.delay(attempt_no));
            attempt_no += 1;
        }
    }

    /// `PATCH /rest/{plural}/{id}` with a partial record; returns the updated record.
    pub fn update(&self, plural: &str, id: &str, patch: &Value) -> Result<Value, ApiError> {
        check_name(plural)?;
        let path = format!("/rest/{plural}/{}", encode(id));
        let body = self.send(Method::Patch, &path, Some(patch))?;
        data_value(&body, &[])
            .ok_or_else(|| ApiError::Protocol(format!("update answer: {}", short(&body))))
    }

    /// `GET /rest/{plural}/{id}`; `None` when the record does not exist (2.x 404, 1.5 400
    /// `EntityNotFoundError`).
    pub fn get(&self, plural: &str, id: &str) -> Result<Option<Value>, ApiError> {
        check_name(plural)?;
        let path = format!("/rest/{plural}/{}", encode(id));
        match self.send(Method::Get, &path, None) {
            Ok(body) => Ok(data_value(&body, &[]).filter(|v| !v.is_null())),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `DELETE /rest/{plural}/{id}?soft_delete=true|false` (always explicit). Deleting a record
    /// that does not exist (or, hard, one already soft-deleted on 1.5) is not an error: the call
    /// is idempotent.
    pub fn delete(&self, plural: &str, id: &str, soft: bool) -> Result<(), ApiError> {
        check_name(plural)?;
        let path = format!("/rest/{plural}/{}?soft_delete={soft}", encode(id));
        match self.send(Method::Delete, &path, None) {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `POST /rest/batch/{plural}` with a body that must be refused (used by `detect`); returns
    /// the raw error or the answer.
    pub(crate) fn raw_post(&self, path: &str, body: &Value) -> Result<Value, ApiError> {
        self.send(Method::Post, path, Some(body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selections_group_sub_fields_under_their_field() {
        assert_eq!(selection(&["id"]), "id");
        assert_eq!(
            selection(&[
                "id",
                "emails.primaryEmail",
                "sourceRecordId",
                "emails.additionalEmails"
            ]),
            "id emails{primaryEmail additionalEmails} sourceRecordId"
        );
        assert_eq!(selection(&[]), "");
    }

    #[test]
    fn url_rules() {
        assert_eq!(
            check_base_url("https://api.twenty.com/").unwrap(),
            (
                "https://api.twenty.com".to_string(),
                "api.twenty.com".to_string()
            )
        );
        assert_eq!(
            check_base_url("http://127.0.0.1:3000//").unwrap().0,
            "http://127.0.0.1:3000"
        );
        assert!(check_base_url("http://localhost:3000").is_ok());
        assert!(check_base_url("http://127.8.9.1").is_ok());
        assert!(check_base_url("http://[::1]:3000/").is_ok());
        // A server on the LAN: refused unless asked for.
        assert!(check_base_url("http://192.168.1.20:3000").is_err());
        assert_eq!(
            check_base_url_with("http://192.168.1.20:3000/", true)
                .unwrap()
                .0,
            "http://192.168.1.20:3000"
        );
        assert_eq!(
            check_base_url("https://crm.example.com/rest/").unwrap().0,
            "https://crm.example.com"
        );
        for bad in [
            "http://crm.example.com",
            "http://10.0.0.1:3000",
            "http://[::2]:3000",
            "ftp://x",
            "crm.example.com",
            "https://user:pw@crm.example.com",
            "https://crm.example.com/?a=b",
            "https://",
        ] {
            assert!(
                matches!(check_base_url(bad), Err(ApiError::BadUrl(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn encoding_and_data() {
        assert_eq!(
            encode(r#"domainName.primaryLinkUrl[eq]:"https://a.com""#),
            "domainName.primaryLinkUrl%5Beq%5D%3A%22https%3A%2F%2Fa.com%22"
        );
        let v = json!({"data": {"createCompanies": [1, 2]}});
        assert_eq!(
            data_array(&v, &["createCompanies"]).unwrap(),
            vec![json!(1), json!(2)]
        );
        assert_eq!(
            data_value(&json!({"data": {"updateCompany": {"id": 1}}}), &[]).unwrap(),
            json!({"id": 1})
        );
        assert!(check_name("companies").is_ok());
        assert!(check_name("../x").is_err());
    }

    #[test]
    fn client_is_send_sync_and_debug_hides_key() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Client>();
        let c = Client::new(ClientConfig::new(
            "http://localhost:1",
            ApiKey::new("topsecret").unwrap(),
        ))
        .unwrap();
        let d = format!("{c:?}");
        assert!(!d.contains("topsecret") && d.contains("ApiKey(***)"), "{d}");
        let cfg = ClientConfig::new("http://localhost:1", ApiKey::new("topsecret").unwrap());
        assert!(!format!("{cfg:?}").contains("topsecret"));
    }
}
