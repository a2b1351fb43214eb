//! `twenty-sandbox` command line: run the server, or dump a database.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use twenty_sandbox::{Config, FaultSpec, ProfileKind, parse_rate};

/// A small, faithful Twenty-compatible HTTP server for tests and rehearsals.
#[derive(Parser, Debug)]
#[command(
    name = "twenty-sandbox",
    version,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print every record of a sandbox database as JSON.
    Dump {
        /// SQLite file written by a previous run.
        #[arg(long)]
        db: PathBuf,
    },
}

#[derive(clap::Args, Debug)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free one (printed on the first stdout line).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// SQLite file holding the workspace (created if missing), or :memory:.
    #[arg(long, default_value = ":memory:")]
    db: String,
    /// The API key clients must send as `Authorization: Bearer KEY`.
    #[arg(long, env = "TWENTY_SANDBOX_API_KEY", default_value = "sandbox-key")]
    api_key: String,
    /// Name of the API key, written in `createdBy.name`.
    #[arg(long, default_value = "twenty-sandbox")]
    api_key_name: String,
    /// JSON file with workspace members: [{"name":{"firstName":…,"lastName":…},"userEmail":…}].
    #[arg(long)]
    members: Option<PathBuf>,
    /// Maximum records per batch (0 = no cap); default: the profile's (twenty-2: 200, 1.5: none).
    #[arg(long)]
    batch_max: Option<usize>,
    /// Maximum records a GraphQL deleteXs/destroyXs/restoreXs(filter: …) may affect
    /// (0 = no cap); default: none, as on real servers (a live 2.19 took 101; Twenty's
    /// MUTATION_MAXIMUM_AFFECTED_RECORDS is its front end's).
    #[arg(long)]
    mutation_max: Option<usize>,
    /// Short rate window N/MS (0 or off disables); default: twenty-2 100/1000, twenty-1.5 off
    /// (the 1.5 line does not throttle its REST API).
    #[arg(long)]
    rate_short: Option<String>,
    /// Long rate window N/MS (0 or off disables); default: twenty-2 100/60000, twenty-1.5 off.
    #[arg(long)]
    rate_long: Option<String>,
    /// Fault injection, e.g. 500=0.05,502=0.02,503=0.02,504=0.02,slow=0.05,drop=0.05,lost=0.05.
    #[arg(long, default_value = "")]
    faults: FaultSpec,
    /// Seed of the fault generator (same seed, same faults for the same request sequence).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Apply the faults only to requests whose path starts with this prefix
    /// (e.g. /rest/batch/people); default: every API request.
    #[arg(long)]
    fault_scope: Option<String>,
    /// Latency added to every API request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency: u64,
    /// Delay of the `slow` fault, in milliseconds.
    #[arg(long, default_value_t = 5000)]
    slow_ms: u64,
    /// Twenty version to imitate: twenty-2 (2.19) or twenty-1.5.
    #[arg(long, default_value = "twenty-2")]
    profile: ProfileKind,
    /// Answer a multipart upload whose body is larger than this many bytes with nginx's 413, as
    /// a reverse proxy in front of Twenty would; default: no limit (Twenty has none).
    #[arg(long)]
    max_upload_bytes: Option<u64>,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Command::Dump { db }) = cli.command {
        let db = db.to_string_lossy().into_owned();
        anyhow::ensure!(std::path::Path::new(&db).exists(), "{db} does not exist");
        let value = twenty_sandbox::dump(&db)?;
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    let a = cli.serve;
    let members = match &a.members {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let v: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("parsing {}", path.display()))?;
            v.as_array()
                .cloned()
                .with_context(|| format!("{} must hold a JSON array", path.display()))?
        }
        None => Vec::new(),
    };
    // Twenty 2.x's defaults; the 1.5 line has no REST throttle (see the README).
    let (short_default, long_default) = match a.profile {
        ProfileKind::Twenty2 => ("100/1000", "100/60000"),
        ProfileKind::Twenty15 => ("off", "off"),
    };
    let rate_short = a.rate_short.as_deref().unwrap_or(short_default);
    let rate_long = a.rate_long.as_deref().unwrap_or(long_default);
    let config = Config {
        listen: a.listen,
        db: a.db,
        api_key: a.api_key,
        api_key_name: a.api_key_name,
        members,
        records: Vec::new(),
        webhooks: Vec::new(),
        batch_max: a.batch_max,
        mutation_max: a.mutation_max,
        rate_short: parse_rate(rate_short).map_err(|e| anyhow::anyhow!("--rate-short: {e}"))?,
        rate_long: parse_rate(rate_long).map_err(|e| anyhow::anyhow!("--rate-long: {e}"))?,
        faults: a.faults,
        seed: a.seed,
        fault_scope: a.fault_scope,
        latency: Duration::from_millis(a.latency),
        slow_delay: Duration::from_millis(a.slow_ms),
        profile: a.profile,
        max_upload_bytes: a.max_upload_bytes,
        rest_upsert_ignored: false,
    };
    twenty_sandbox::run(config, |addr| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{addr}");
        let _ = out.flush();
    })
}
