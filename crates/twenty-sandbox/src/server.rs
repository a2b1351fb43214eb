//! HTTP transport: configuration, accept loop, auth, rate limits, faults, stats, in-process spawn.
//!
//! Connections are served with hyper directly (HTTP/1.1, keep-alive) so a fault can close a
//! connection without any answer: each connection task races the hyper connection against a
//! per-connection "kill" notification that the `drop` and `lost` faults fire.
//!
//! File uploads and downloads (evidence `docs/evidence/twenty-attachments.md`, see
//! [`crate::files`]): a `multipart/form-data` POST to `/graphql` or `/metadata` is read by the
//! upload middleware before anything else (its 400/413 refusals come before authentication,
//! [`crate::multipart`]); `/metadata` spends no rate-limit token (§5: the metadata resolver runs
//! no query runner), `/graphql` spends one as always. Downloads (`GET /file/<folder>/<id>?token=`
//! on 2.x, `GET /files/<folder>/<token>/<name>` on 1.5) need no API key, spend no token, and
//! draw faults like any API request. [`Config::max_upload_bytes`] stands for a reverse proxy's
//! body limit in front of Twenty (Twenty itself has none on this path, §1.5).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};

use crate::errors::ApiError;
use crate::faults::{Fault, FaultInjector, FaultSpec};
use crate::files::StoredFile;
use crate::graphql::Endpoint;
use crate::limits::{Rate, RateLimiter};
use crate::profile::ProfileKind;
use crate::routes::{Query, RouteOptions};
use crate::workspace::Workspace;

/// Everything the sandbox can be started with (the CLI flags map one to one).
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// SQLite file, or `:memory:`.
    pub db: String,
    /// The only accepted API key (`Authorization: Bearer KEY`).
    pub api_key: String,
    /// Name written in `createdBy.name` of API writes.
    pub api_key_name: String,
    /// Workspace members to seed (JSON objects with `name`, `userEmail`…).
    pub members: Vec<Value>,
    /// Records to seed as written in the app (upserts by id), e.g. workflows:
    /// `("workflows", {"id", "name", "statuses": ["ACTIVE"], "lastPublishedVersionId"})` and
    /// `("workflowVersions", {"id", "workflowId", "status": "ACTIVE", "trigger": {"type":
    /// "DATABASE_EVENT", "settings": {"eventName": "person.created"}}})`.
    pub records: Vec<(String, Value)>,
    /// Webhooks to seed (`{targetUrl, operations?, description?, secret?, id?}`).
    pub webhooks: Vec<Value>,
    /// Batch cap; `None` = the profile's default (2.x: 200, 1.5: none).
    pub batch_max: Option<usize>,
    /// Records a GraphQL `deleteXs` / `destroyXs` / `restoreXs(filter: …)` may affect
    /// (`MUTATION_MAXIMUM_AFFECTED_RECORDS`); `None` = the profile's default (2.x: 100,
    /// 1.5: none), `Some(0)` = no cap.
    pub mutation_max: Option<usize>,
    /// Short token bucket of the workspace (Twenty 2.x's throttle, see [`crate::limits`]);
    /// `None` = disabled. The 1.5 line has none on REST (the CLI leaves both off for it).
    pub rate_short: Option<Rate>,
    /// Long token bucket of the workspace; `None` = disabled.
    pub rate_long: Option<Rate>,
    /// Fault injection spec.
    pub faults: FaultSpec,
    /// Seed of the fault generator.
    pub seed: u64,
    /// Path prefix the faults apply to (e.g. `/rest/batch/people`); `None` = every API request.
    /// Requests outside the scope draw no fault.
    pub fault_scope: Option<String>,
    /// Extra latency added to every API request.
    pub latency: Duration,
    /// Delay of the `slow` fault.
    pub slow_delay: Duration,
    /// Twenty version to imitate.
    pub profile: ProfileKind,
    /// A reverse proxy's body limit in front of Twenty (nginx's `client_max_body_size`): a
    /// `multipart/form-data` upload whose body is larger answers nginx's 413 page before it
    /// reaches the sandbox's Twenty (nothing stored, no token spent). `None` (default): no limit,
    /// as Twenty 2.19 itself has none on the upload path (evidence §1.5); 1.5 likewise.
    pub max_upload_bytes: Option<u64>,
    /// For tests of clients: REST batches ignore `?upsert=true` whatever the profile (as 1.5's
    /// do), to stand for a server whose metadata looks like 2.x but whose REST does not upsert.
    /// Not a behaviour of any recorded server.
    pub rest_upsert_ignored: bool,
}

impl Config {
    /// Defaults of the command line: free port, Twenty 2.x's rate limits, profile twenty-2.
    pub fn new(db: impl Into<String>, api_key: impl Into<String>) -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            db: db.into(),
            api_key: api_key.into(),
            api_key_name: "twenty-sandbox".into(),
            members: Vec::new(),
            records: Vec::new(),
            webhooks: Vec::new(),
            batch_max: None,
            mutation_max: None,
            rate_short: Some(Rate {
                tokens: 100,
                period: Duration::from_millis(1000),
            }),
            rate_long: Some(Rate {
                tokens: 100,
                period: Duration::from_millis(60_000),
            }),
            faults: FaultSpec::default(),
            seed: 0,
            fault_scope: None,
            latency: Duration::ZERO,
            slow_delay: Duration::from_secs(5),
            profile: ProfileKind::Twenty2,
            max_upload_bytes: None,
            rest_upsert_ignored: false,
        }
    }

    /// Same as [`Config::new`] with an in-memory database and no rate limits: for tests.
    pub fn for_tests(api_key: impl Into<String>) -> Config {
        Config {
            rate_short: None,
            rate_long: None,
            ..Config::new(":memory:", api_key)
        }
    }
}

/// Counters answered by `GET /sandbox/stats`.
#[derive(Debug, Default)]
struct Stats {
    requests: u64,
    rate_limited: u64,
    faults: BTreeMap<String, u64>,
    /// `multipart/form-data` POSTs to `/graphql` or `/metadata`, refused ones included.
    upload_requests: u64,
}

/// Shared server state.
struct State {
    ws: Mutex<Workspace>,
    limiter: Mutex<RateLimiter>,
    faults: Mutex<FaultInjector>,
    stats: Mutex<Stats>,
    api_key: String,
    latency: Duration,
    slow_delay: Duration,
    fault_scope: Option<String>,
    routes: RouteOptions,
    max_upload_bytes: Option<u64>,
}

/// The sandbox serves one workspace: its rate buckets.
const WORKSPACE_BUCKET: &str = "workspace";

/// Whether a request is a record query, the only kind Twenty 2.x throttles
/// (`common-base-query-runner.service.ts`): REST record routes and GraphQL, not the metadata API.
fn spends_token(path: &str) -> bool {
    path == "/graphql"
        || (path.starts_with("/rest/")
            && !path.starts_with("/rest/metadata")
            && !path.starts_with("/rest/open-api"))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

type Resp = Response<Full<Bytes>>;

fn json_response(status: u16, body: &Value, headers: &[(&'static str, String)]) -> Resp {
    let mut b = Response::builder()
        .status(status)
        .header("content-type", "application/json; charset=utf-8");
    for (k, v) in headers {
        b = b.header(*k, v);
    }
    // A `null` answer is an empty body (what Nest sends when a controller returns null).
    let bytes = if body.is_null() {
        Bytes::new()
    } else {
        Bytes::from(body.to_string())
    };
    b.body(Full::new(bytes))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn error_response(e: &ApiError) -> Resp {
    json_response(e.status, &e.body, &e.headers)
}

/// Opens the workspace and binds the listener (synchronously, so errors surface at once).
fn prepare(config: &Config) -> anyhow::Result<(Arc<State>, std::net::TcpListener)> {
    let mut ws = Workspace::open(&config.db, config.profile, &config.api_key_name)?;
    if config.rest_upsert_ignored {
        ws.profile.rest_upsert = false;
    }
    ws.seed_members(&config.members)?;
    ws.seed_records(&config.records)?;
    ws.seed_webhooks(&config.webhooks)?;
    let batch_max = match config.batch_max {
        Some(0) => None,
        Some(n) => Some(n),
        None => ws.profile.default_batch_max,
    };
    let mutation_max = match config.mutation_max {
        Some(0) => None,
        Some(n) => Some(n),
        None => ws.profile.mutation_max_affected,
    };
    let listener = std::net::TcpListener::bind(config.listen)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    listener.set_nonblocking(true)?;
    let mut public = listener.local_addr()?;
    if public.ip().is_unspecified() {
        public.set_ip(match public {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    // `SERVER_URL`: what the signed file URLs start with.
    ws.server_url = format!("http://{public}");
    let state = Arc::new(State {
        ws: Mutex::new(ws),
        limiter: Mutex::new(RateLimiter::new(config.rate_short, config.rate_long)),
        faults: Mutex::new(FaultInjector::new(config.faults.clone(), config.seed)),
        stats: Mutex::new(Stats::default()),
        api_key: config.api_key.clone(),
        latency: config.latency,
        slow_delay: config.slow_delay,
        fault_scope: config.fault_scope.clone(),
        routes: RouteOptions {
            batch_max,
            mutation_max,
        },
        max_upload_bytes: config.max_upload_bytes,
    });
    Ok((state, listener))
}

/// The body of a request, or the sign that it passed a proxy's limit.
enum ReadBody {
    Whole(Bytes),
    TooLarge,
}

/// Reads the whole body (hyper undoes chunked transfer encoding). Past `limit` bytes the rest is
/// read and dropped, so the client can still read the 413 (nginx's lingering close).
async fn read_body(mut body: Incoming, limit: Option<u64>) -> Result<ReadBody, hyper::Error> {
    let mut buf = bytes::BytesMut::new();
    let mut total: u64 = 0;
    let mut over = false;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue;
        };
        total += data.len() as u64;
        if limit.is_some_and(|l| total > l) {
            over = true;
            buf = bytes::BytesMut::new();
        }
        if !over {
            buf.extend_from_slice(&data);
        }
    }
    Ok(if over {
        ReadBody::TooLarge
    } else {
        ReadBody::Whole(buf.freeze())
    })
}

/// nginx's answer to a body over `client_max_body_size` ([`Config::max_upload_bytes`]).
fn proxy_too_large() -> Resp {
    let page = "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    Response::builder()
        .status(413)
        .header("content-type", "text/html")
        .header("connection", "close")
        .body(Full::new(Bytes::from_static(page.as_bytes())))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// What a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Rest,
    Graphql,
    Metadata,
    /// 2.x `GET /file/<folder>/<id>` or 1.5 `GET /files/…`.
    Download,
    NotFound,
}

fn route_of(method: &str, path: &str, profile: ProfileKind) -> Route {
    if path.starts_with("/rest") {
        Route::Rest
    } else if path == "/graphql" {
        Route::Graphql
    } else if path == "/metadata" && method == "POST" {
        Route::Metadata
    } else if method == "GET"
        && ((profile == ProfileKind::Twenty2 && path.starts_with("/file/"))
            || (profile == ProfileKind::Twenty15 && path.starts_with("/files/")))
    {
        Route::Download
    } else {
        Route::NotFound
    }
}

async fn handle(
    state: Arc<State>,
    kill: Arc<Notify>,
    req: Request<Incoming>,
) -> Result<Resp, Infallible> {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query = Query::parse(req.uri().query().unwrap_or(""));
    if path == "/sandbox/stats" {
        let files = lock(&state.ws).files.len();
        let s = lock(&state.stats);
        let body = json!({"requests": s.requests, "rate_limited": s.rate_limited,
            "faults": s.faults, "upload_requests": s.upload_requests, "files": files});
        return Ok(json_response(200, &body, &[]));
    }
    if path == "/sandbox/files" {
        let files = lock(&state.ws).stored_files(false);
        let body = serde_json::to_value(files).unwrap_or(Value::Null);
        return Ok(json_response(200, &body, &[]));
    }
    if path == "/healthz" {
        // As the recorded 2.19 answers it (Terminus health check, `proxy-all.jsonl.gz`).
        let body = json!({"status": "ok", "info": {}, "error": {}, "details": {}});
        return Ok(json_response(200, &body, &[]));
    }
    lock(&state.stats).requests += 1;
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .map(String::from);
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|h| h.to_str().ok())
        .map(String::from);
    let profile = lock(&state.ws).profile.kind;
    let route = route_of(&method, &path, profile);
    let multipart = method == "POST"
        && matches!(route, Route::Graphql | Route::Metadata)
        && crate::multipart::is_multipart(content_type.as_deref());
    if multipart {
        lock(&state.stats).upload_requests += 1;
    }
    // The request head as a debug page would print it (for the `echo*` faults only).
    let mut head = format!("{method} {} HTTP/1.1\n", req.uri());
    for (name, value) in req.headers() {
        head.push_str(&format!(
            "{name}: {}\n",
            String::from_utf8_lossy(value.as_bytes())
        ));
    }
    let limit = if multipart {
        state.max_upload_bytes
    } else {
        None
    };
    let body = match read_body(req.into_body(), limit).await {
        Ok(ReadBody::Whole(b)) => b,
        Ok(ReadBody::TooLarge) => return Ok(proxy_too_large()),
        Err(_) => return Ok(error_response(&ApiError::bad_request("Cannot read body"))),
    };
    if !state.latency.is_zero() {
        tokio::time::sleep(state.latency).await;
    }
    if route == Route::NotFound {
        let e = ApiError::new(404, "NotFoundException", format!("Cannot {method} {path}"));
        return Ok(error_response(&e));
    }
    // The upload middleware reads a multipart body before authentication.
    let mut graphql_body: Option<(Value, crate::multipart::Uploads)> = None;
    if multipart {
        match crate::multipart::process(content_type.as_deref().unwrap_or_default(), &body) {
            Ok(parsed) => graphql_body = Some(parsed),
            Err(e) => {
                let resp = Response::builder()
                    .status(e.status)
                    .header("content-type", "text/html; charset=utf-8")
                    .header("content-security-policy", "default-src 'none'")
                    .header("x-content-type-options", "nosniff")
                    .body(Full::new(Bytes::from(e.html())))
                    .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())));
                return Ok(resp);
            }
        }
    }
    if route != Route::Download {
        let token = match auth.as_deref() {
            None => return Ok(error_response(&ApiError::missing_token())),
            Some(h) => h.strip_prefix("Bearer ").unwrap_or("").trim().to_string(),
        };
        if token != state.api_key {
            return Ok(error_response(&ApiError::invalid_token()));
        }
    }
    // One token per record query, from the buckets of the workspace (shared by every API key).
    if spends_token(&path)
        && let Err(rate) = lock(&state.limiter).take(WORKSPACE_BUCKET, Instant::now())
    {
        lock(&state.stats).rate_limited += 1;
        let e = ApiError::rate_limited(rate.tokens, rate.period.as_millis());
        if route == Route::Graphql {
            let query = serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null);
            let message = format!(
                "Limit reached ({} tokens per {} ms)",
                rate.tokens,
                rate.period.as_millis()
            );
            let answer = crate::graphql::rate_limited(&query, &message);
            return Ok(json_response(200, &answer, &[]));
        }
        return Ok(error_response(&e));
    }
    let in_scope = state
        .fault_scope
        .as_deref()
        .is_none_or(|prefix| path.starts_with(prefix));
    let fault = if in_scope {
        lock(&state.faults).pick()
    } else {
        None
    };
    if let Some(f) = fault {
        *lock(&state.stats).faults.entry(f.to_string()).or_insert(0) += 1;
    }
    match fault {
        Some(Fault::Status(s)) => return Ok(error_response(&ApiError::fault(s))),
        Some(Fault::Drop) => {
            kill.notify_one();
            std::future::pending::<()>().await;
        }
        Some(Fault::Slow) => tokio::time::sleep(state.slow_delay).await,
        Some(Fault::Echo(status)) => {
            return Ok(echo_response(status, &path, &head, auth.as_deref()));
        }
        _ => {}
    }
    let response = {
        let mut ws = lock(&state.ws);
        match route {
            Route::Graphql | Route::Metadata => {
                let endpoint = if route == Route::Metadata {
                    Endpoint::Metadata
                } else {
                    Endpoint::Graphql
                };
                let (operations, uploads) = graphql_body.unwrap_or_else(|| {
                    (
                        serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null),
                        crate::multipart::Uploads::default(),
                    )
                });
                let answer = crate::graphql::handle_request(
                    &mut ws,
                    state.routes,
                    &operations,
                    &uploads,
                    endpoint,
                );
                json_response(200, &answer, &[])
            }
            Route::Download => {
                let download = if let Some(rest) = path.strip_prefix("/files/") {
                    ws.download_legacy(rest)
                } else {
                    let mut parts = path.trim_start_matches("/file/").splitn(2, '/');
                    match (parts.next(), parts.next()) {
                        (Some(folder), Some(id)) if !folder.is_empty() && !id.is_empty() => {
                            Some(ws.download_by_id(folder, id, query.get("token")))
                        }
                        _ => None,
                    }
                };
                match download {
                    Some(d) => {
                        let mut b = Response::builder().status(d.status);
                        for (k, v) in &d.headers {
                            b = b.header(*k, v);
                        }
                        b.body(Full::new(d.body))
                            .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
                    }
                    None => error_response(&ApiError::new(
                        404,
                        "NotFoundException",
                        format!("Cannot {method} {path}"),
                    )),
                }
            }
            _ => {
                match crate::routes::dispatch(&mut ws, state.routes, &method, &path, &query, &body)
                {
                    Ok(a) => json_response(a.status, &a.body, &[]),
                    Err(e) => error_response(&e),
                }
            }
        }
    };
    if fault == Some(Fault::Lost) {
        kill.notify_one();
        std::future::pending::<()>().await;
    }
    Ok(response)
}

/// The `echo500` / `echo400` faults: a misconfigured layer that repeats the request's headers.
fn echo_response(status: u16, path: &str, head: &str, auth: Option<&str>) -> Resp {
    if status == 500 {
        // A proxy's or framework's debug page: plain text, a long preamble, then the request
        // head with every header (a client that cuts this text short must not cut into the key).
        let body = format!(
            "<html><head><title>500 Internal Server Error</title></head><body>\n\
             <h1>Internal Server Error</h1>\n<p>The server encountered an internal error and \
             was unable to complete your request.</p>\n<pre>\nauthorization: {}\n{head}</pre>\n\
             </body></html>\n",
            auth.unwrap_or("")
        );
        return Response::builder()
            .status(500)
            .header("content-type", "text/html; charset=utf-8")
            .body(Full::new(Bytes::from(body)))
            .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())));
    }
    let message = format!(
        "Invalid request: the request was refused by a validation layer (authorization: {})",
        auth.unwrap_or("")
    );
    if path == "/graphql" {
        let body = json!({"errors": [{"message": message,
            "extensions": {"code": "BAD_USER_INPUT"}}], "data": null});
        return json_response(200, &body, &[]);
    }
    error_response(&ApiError::bad_request(message))
}

async fn serve(listener: TcpListener, state: Arc<State>, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let state = state.clone();
                let mut shutdown = shutdown.clone();
                tokio::spawn(async move {
                    let kill = Arc::new(Notify::new());
                    let k = kill.clone();
                    let svc = service_fn(move |req| handle(state.clone(), k.clone(), req));
                    let conn = http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), svc);
                    tokio::select! {
                        _ = conn => {}
                        _ = kill.notified() => {}
                        _ = shutdown.changed() => {}
                    }
                });
            }
            _ = shutdown.changed() => break,
        }
    }
}

/// A running sandbox; stops on [`SandboxHandle::stop`] or drop.
pub struct SandboxHandle {
    addr: SocketAddr,
    state: Arc<State>,
    shutdown: Option<watch::Sender<bool>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SandboxHandle {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every uploaded file the sandbox holds, in upload order, with its bytes and the record
    /// that names it (`attached_to`); `GET /sandbox/files` answers the same without the bytes.
    /// Files deleted with their record (or dropped from a FILES value) are gone from the list.
    pub fn stored_files(&self) -> Vec<StoredFile> {
        lock(&self.state.ws).stored_files(true)
    }

    /// [`SandboxHandle::stored_files`], under the name the upload tests use.
    pub fn uploads(&self) -> Vec<StoredFile> {
        self.stored_files()
    }

    /// The bytes of an uploaded file, by id.
    pub fn file_bytes(&self, id: &str) -> Option<Vec<u8>> {
        lock(&self.state.ws).file_bytes(id)
    }

    /// Upload requests received so far: every `multipart/form-data` POST to `/graphql` or
    /// `/metadata`, refused ones included (`upload_requests` of `GET /sandbox/stats`).
    pub fn upload_requests(&self) -> u64 {
        lock(&self.state.stats).upload_requests
    }

    /// Requests answered so far (`requests` of `GET /sandbox/stats`).
    pub fn requests(&self) -> u64 {
        lock(&self.state.stats).requests
    }

    /// Stops the server and waits for its thread.
    pub fn stop(mut self) {
        self.shutdown_now();
    }

    fn shutdown_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(true);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        self.shutdown_now();
    }
}

/// Starts the sandbox on its own thread (own tokio runtime); usable from sync tests.
pub fn spawn(config: Config) -> anyhow::Result<SandboxHandle> {
    let (state, std_listener) = prepare(&config)?;
    let addr = std_listener.local_addr()?;
    let handle_state = state.clone();
    let (tx, rx) = watch::channel(false);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("twenty-sandbox")
        .build()?;
    let thread = std::thread::Builder::new()
        .name("twenty-sandbox".into())
        .spawn(move || {
            runtime.block_on(async move {
                match TcpListener::from_std(std_listener) {
                    Ok(listener) => serve(listener, state, rx).await,
                    Err(e) => eprintln!("twenty-sandbox: {e}"),
                }
            });
            runtime.shutdown_timeout(Duration::from_millis(200));
        })?;
    Ok(SandboxHandle {
        addr,
        state: handle_state,
        shutdown: Some(tx),
        thread: Some(thread),
    })
}

/// Runs the sandbox in the calling thread until Ctrl-C; `on_ready` gets the bound address.
pub fn run(config: Config, on_ready: impl FnOnce(SocketAddr)) -> anyhow::Result<()> {
    let (state, std_listener) = prepare(&config)?;
    let addr = std_listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = TcpListener::from_std(std_listener)?;
        on_ready(addr);
        let (tx, rx) = watch::channel(false);
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            let _ = tx.send(true);
        });
        serve(listener, state, rx).await;
        Ok::<(), anyhow::Error>(())
    })?;
    runtime.shutdown_timeout(Duration::from_millis(200));
    Ok(())
}

/// Every record of a database as JSON (`twenty-sandbox dump`).
pub fn dump(db: &str) -> anyhow::Result<Value> {
    let store = crate::store::Store::open(db)?;
    let profile = store
        .meta("profile")?
        .ok_or_else(|| anyhow::anyhow!("{db} is not a twenty-sandbox database"))?;
    drop(store);
    let kind: ProfileKind = profile.parse().map_err(|e: String| anyhow::anyhow!(e))?;
    let ws = Workspace::open(db, kind, "dump")?;
    Ok(json!({"profile": profile, "records": ws.dump()}))
}
