//! HTTP transport: configuration, accept loop, auth, rate limits, faults, stats, in-process spawn.
//!
//! Connections are served with hyper directly (HTTP/1.1, keep-alive) so a fault can close a
//! connection without any answer: each connection task races the hyper connection against a
//! per-connection "kill" notification that the `drop` and `lost` faults fire.

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
    });
    Ok((state, listener))
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
        let s = lock(&state.stats);
        let body =
            json!({"requests": s.requests, "rate_limited": s.rate_limited, "faults": s.faults});
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
    // The request head as a debug page would print it (for the `echo*` faults only).
    let mut head = format!("{method} {} HTTP/1.1\n", req.uri());
    for (name, value) in req.headers() {
        head.push_str(&format!(
            "{name}: {}\n",
            String::from_utf8_lossy(value.as_bytes())
        ));
    }
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return Ok(error_response(&ApiError::bad_request("Cannot read body"))),
    };
    if !state.latency.is_zero() {
        tokio::time::sleep(state.latency).await;
    }
    let is_api = path.starts_with("/rest") || path == "/graphql";
    if !is_api {
        let e = ApiError::new(404, "NotFoundException", format!("Cannot {method} {path}"));
        return Ok(error_response(&e));
    }
    let token = match auth.as_deref() {
        None => return Ok(error_response(&ApiError::missing_token())),
        Some(h) => h.strip_prefix("Bearer ").unwrap_or("").trim().to_string(),
    };
    if token != state.api_key {
        return Ok(error_response(&ApiError::invalid_token()));
    }
    // One token per record query, from the buckets of the workspace (shared by every API key).
    if spends_token(&path)
        && let Err(rate) = lock(&state.limiter).take(WORKSPACE_BUCKET, Instant::now())
    {
        lock(&state.stats).rate_limited += 1;
        let e = ApiError::rate_limited(rate.tokens, rate.period.as_millis());
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
        if path == "/graphql" {
            let parsed = serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null);
            let answer = crate::graphql::handle(&mut ws, state.routes, &parsed);
            json_response(200, &answer, &[])
        } else {
            match crate::routes::dispatch(&mut ws, state.routes, &method, &path, &query, &body) {
                Ok(a) => json_response(a.status, &a.body, &[]),
                Err(e) => error_response(&e),
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
