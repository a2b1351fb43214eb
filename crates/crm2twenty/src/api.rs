//! The API route of the command line: connecting (URL and key from the environment or a file),
//! `check [--apply]`, `import`, `plan`. The work is in c2t-import; this module reads settings,
//! asks before it changes the workspace, and prints.

use crate::cli::{Api, Load};
use crate::commands::{UserError, user};
use c2t_import::load::{Event, ImportOptions};
use c2t_import::payload::Conflict;
use c2t_import::workspace::{Existing, Workspace};
use c2t_pipeline::job::Prepared;
use c2t_twenty::{ApiKey, Client, ClientConfig};
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The environment variable holding the API key.
pub const KEY_VAR: &str = "TWENTY_API_KEY";
/// First retry delay in milliseconds (default 1000); tests shorten it.
pub const RETRY_BASE_VAR: &str = "CRM2TWENTY_RETRY_BASE_MS";

/// True when the environment names a workspace (then `migrate` takes the API route).
pub fn configured(api: &Api) -> bool {
    api.api_url.is_some() && (api.api_key_file.is_some() || std::env::var_os(KEY_VAR).is_some())
}

/// `-v`: every request is printed (set once by `commands::run`).
pub static VERBOSE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A client for the workspace the settings name.
pub fn connect(api: &Api) -> anyhow::Result<Client> {
    let Some(url) = api.api_url.clone() else {
        return Err(user(
            "no workspace URL",
            Some(
                "set TWENTY_API_URL (or --api-url) to your Twenty server's URL, e.g. https://api.twenty.com",
            ),
        ));
    };
    let key = match &api.api_key_file {
        Some(f) => ApiKey::from_file(f),
        None => ApiKey::from_env(KEY_VAR),
    }
    .map_err(|e| user(e.to_string(), Some("create an API key in Twenty (Settings → APIs & Webhooks) and put it in TWENTY_API_KEY or a file given with --api-key-file")))?;
    let mut cfg = ClientConfig::new(url, key);
    cfg.requests_per_minute = api.requests_per_minute.max(1);
    // Twenty's bucket starts full and refills to full after an idle minute
    // (`tokenBucketThrottleOrThrow`): up to half of it goes back to back, the other half is
    // left to the workspace's other keys. A refusal during such a burst drops the savings
    // without lowering the rate.
    cfg.burst = burst_of(api);
    cfg.allow_http = api.allow_http;
    if VERBOSE.load(std::sync::atomic::Ordering::Relaxed) {
        cfg.on_request = Some(std::sync::Arc::new(|r: &c2t_twenty::RequestLog| {
            eprintln!(
                "  {} {} -> {} ({} ms)",
                r.method,
                r.path,
                r.outcome,
                r.elapsed.as_millis()
            );
        }));
    }
    // The importer sizes its own batches (and lowers them when the server says so).
    cfg.max_batch = 10_000;
    // For tests: a short first back-off, so fault runs take seconds, not minutes.
    if let Some(ms) = std::env::var(RETRY_BASE_VAR)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        cfg.backoff_base = std::time::Duration::from_millis(ms);
        cfg.backoff_max = std::time::Duration::from_millis(ms.saturating_mul(20));
    }
    Client::new(cfg).map_err(api_err)
}

pub fn api_err(e: c2t_twenty::ApiError) -> anyhow::Error {
    match e {
        c2t_twenty::ApiError::RetriesExhausted { .. }
        | c2t_twenty::ApiError::Unreachable { .. } => {
            anyhow::Error::new(crate::commands::ServerError {
                message: e.to_string(),
                hint: "nothing is lost: run the same command again when the server answers".into(),
            })
        }
        c2t_twenty::ApiError::BadUrl(ref m) if m.contains("plain http") => user(
            e.to_string(),
            Some(
                "use the server's https:// URL; for a server on a private network you trust, add --allow-http",
            ),
        ),
        e => user(e.to_string(), None),
    }
}

/// Reads the workspace and what it already holds for this import. `known` is what an earlier
/// step of the same command read of its records (`migrate`: the announcement, then the
/// check): kept when it was read the same way (trash or not), so a run reads them once.
pub fn read_workspace(
    client: &Client,
    p: &Prepared,
    automations: bool,
    quiet: bool,
    known: Option<Existing>,
) -> anyhow::Result<(Workspace, Existing)> {
    let ws = Workspace::read(client, automations).map_err(api_err)?;
    let existing = match known {
        Some(e) if e.with_trash == ws.caps.rest_upsert => e,
        _ => existing_for(client, &ws, p, quiet, false)?,
    };
    Ok((ws, existing))
}

/// The workspace's records the export may match ([`Existing::for_export`]), a line on stderr
/// before each object whose reading takes more than two seconds at the client's pace.
pub fn existing_for(
    client: &Client,
    ws: &Workspace,
    p: &Prepared,
    quiet: bool,
    verify: bool,
) -> anyhow::Result<Existing> {
    let read = if verify {
        Existing::for_verify
    } else {
        Existing::for_export_noting
    };
    let e = with_read_progress(client, quiet, |note| read(client, ws, p, note)).map_err(api_err)?;
    if let Some(why) = &e.lookups_refused
        && !quiet
    {
        eprintln!(
            "  note: the server refused key lookups in a request body ({why}); keys were read a few hundred a request instead"
        );
    }
    Ok(e)
}

/// Runs `read`, a read of the workspace's records that tells (object, requests) before each
/// long part, and shows it while it runs when it takes more than two seconds at the client's
/// pace: a line saying what and how long, then a bar on a terminal (requests done, time left),
/// elsewhere a line every two seconds. The count comes from the client's own request counter,
/// polled beside the read: the reader knows nothing of the display.
fn with_read_progress<T>(
    client: &Client,
    quiet: bool,
    read: impl FnOnce(&mut dyn FnMut(&str, u64)) -> T,
) -> T {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};
    let rpm = client.requests_per_minute().max(1.0);
    // (object, the client's request count when it began, requests it takes)
    let current: Mutex<Option<(String, u64, u64)>> = Mutex::new(None);
    let done = AtomicBool::new(false);
    let bars = std::io::stderr().is_terminal();
    std::thread::scope(|scope| {
        if !quiet {
            scope.spawn(|| {
                let mut bar: Option<(String, u64, indicatif::ProgressBar)> = None;
                let mut said = Instant::now();
                while !done.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                    let Some((object, base, total)) = current.lock().ok().and_then(|c| c.clone())
                    else {
                        continue;
                    };
                    let n = client.stats().requests.saturating_sub(base).min(total);
                    if bars {
                        if bar
                            .as_ref()
                            .is_none_or(|(o, b, _)| *o != object || *b != base)
                        {
                            if let Some((_, _, old)) = bar.take() {
                                old.finish();
                            }
                            let b = progress_bar(&format!("reading {object}"), total as usize);
                            bar = Some((object.clone(), base, b));
                        }
                        if let Some((_, _, b)) = &bar {
                            b.set_position(n);
                        }
                    } else if said.elapsed() >= Duration::from_secs(2) && n < total {
                        said = Instant::now();
                        eprintln!(
                            "  reading {object}: {n}/{total} requests, ~{:.0} s left",
                            (total - n) as f64 * 60.0 / rpm
                        );
                    }
                }
                if let Some((_, _, b)) = bar {
                    b.finish();
                }
            });
        }
        let out = read(&mut |object, requests| {
            let secs = requests as f64 * 60.0 / rpm;
            let long = !quiet && secs > 2.0;
            if long {
                eprintln!(
                    "  reading the {object} records already in the workspace: {requests} requests, ~{} s at {} a minute",
                    secs.round(),
                    rpm.round()
                );
            }
            if let Ok(mut c) = current.lock() {
                *c = long.then(|| (object.to_string(), client.stats().requests, requests));
            }
        });
        done.store(true, Ordering::Relaxed);
        out
    })
}

pub fn confirm(question: &str) -> bool {
    if !std::io::stdin().is_terminal() {
        return false;
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    matches!(line.trim(), "y" | "Y" | "yes")
}

/// `check`: prints the plan; with `apply`, creates what is missing (after asking, or `yes`).
/// Returns whether the workspace is ready, and the records it holds that the export may match
/// (for the import that follows in `migrate`; `known` when an earlier step read them).
#[allow(clippy::too_many_arguments)]
pub fn check(
    client: &Client,
    p: &Prepared,
    apply: bool,
    yes: bool,
    quiet: bool,
    state: &Path,
    known: Option<Existing>,
    json: bool,
) -> anyhow::Result<(bool, Existing)> {
    let (mut ws, existing) = read_workspace(client, p, true, quiet, known)?;
    let plan = c2t_import::check(p, &ws, &existing);
    if json && !apply {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "ready": !plan.blocks(),
                "plan": serde_json::to_value(&plan)?,
            }))?
        );
    }
    if !quiet || plan.blocks() {
        eprint!("{}", plan.render());
    }
    if !plan.blocks() {
        return Ok((true, existing));
    }
    if !apply {
        return Ok((false, existing));
    }
    if !plan.mismatches.is_empty() {
        return Err(user(
            "the workspace needs changes --apply cannot make (listed above)",
            Some("change the mapping (or the workspace's fields), then run check again"),
        ));
    }
    if !plan.creates() {
        // Only members missing, and strict_owners: nothing --apply can create.
        return Err(user(
            "owners named by the export are not workspace members (listed above)",
            Some(
                "invite them in Twenty, or set strict_owners = false in the mapping to import with those owners left empty",
            ),
        ));
    }
    if !yes && !confirm("Create these in the workspace?") {
        return Err(user(
            "nothing was created",
            Some("answer y, or pass --yes in scripts"),
        ));
    }
    let done = c2t_import::check::apply(client, &plan, &mut ws).map_err(api_err)?;
    // Kept in the state file, for the migration report.
    let mut store = c2t_state::Store::open(state)
        .map_err(|e| user(e.to_string(), Some(state_hint(&e).as_str())))?;
    store
        .workspace_changed(client.base_url(), &done)
        .map_err(|e| user(e.to_string(), Some(state_hint(&e).as_str())))?;
    if !quiet {
        for d in &done {
            eprintln!("  {d}");
        }
    }
    let plan = c2t_import::check(p, &ws, &existing);
    if plan.members_block() && !quiet {
        eprint!("{}", plan.render_missing_members());
    }
    let ready = !plan.blocks();
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "ready": ready,
                "created": serde_json::to_value(&done)?,
                "plan": serde_json::to_value(&plan)?,
            }))?
        );
    }
    Ok((ready, existing))
}

/// Before `migrate` writes to a live workspace: says which, what it will write (per object:
/// create, update, restore from the trash; fields to create; requests and time) and asks.
/// `yes` skips the question; with no terminal to ask on and no `yes`, it stops with a hint.
/// Nothing has been written when it returns an error.
pub fn announce(
    client: &Client,
    p: &Prepared,
    api: &Api,
    load: &Load,
    yes: bool,
) -> anyhow::Result<Existing> {
    // Reads only. Twenty 2.x keeps matches in its trash; 1.5 does not count them.
    let ws = Workspace::read(client, false).map_err(api_err)?;
    let existing = existing_for(client, &ws, p, false, false)?;
    let plan = c2t_import::check(p, &ws, &existing);
    let batch = load
        .batch_size
        .max(1)
        .min(ws.caps.batch_max.unwrap_or(usize::MAX));
    let mut requests = plan.write_requests(batch);
    let mut lines = Vec::new();
    for (obj, n) in &plan.to_write {
        let ex = plan.existing.get(obj).copied().unwrap_or(0);
        let tr = plan.trashed.get(obj).copied().unwrap_or(0);
        lines.push(format!(
            "  {obj:<14} {:>7} to create, {:>6} to update, {:>5} to restore from the trash{}",
            n - ex,
            ex - tr,
            tr,
            if obj == c2t_core::mapping::ATTACHMENT {
                format!(
                    "; {} files ({}) to upload",
                    plan.files.0,
                    bytes_text(plan.files.1)
                )
            } else {
                String::new()
            }
        ));
    }
    for (obj, n) in &plan.targets {
        lines.push(format!(
            "  {obj:<14} {n:>7} links of notes and tasks to their records"
        ));
    }
    // One upload a file (the first run; a second uploads only what changed).
    requests += plan.files.0;
    let creates = plan.objects.len() + plan.fields.len() + plan.options.len();
    requests += creates;
    eprintln!(
        "\nTWENTY_API_URL is set: migrate will write to the Twenty workspace at {}",
        client.base_url()
    );
    for l in &lines {
        eprintln!("{l}");
    }
    if creates > 0 {
        eprintln!("  and create {creates} objects, fields or options first");
    }
    eprintln!("  writing: {}", duration_text(requests, api));
    if yes {
        return Ok(existing);
    }
    if !std::io::stdin().is_terminal() {
        return Err(user(
            "nothing was written: migrate asks before writing to a workspace, and there is no terminal to ask on",
            Some(
                "pass --yes to write without asking (scripts), or unset TWENTY_API_URL to only write the files",
            ),
        ));
    }
    if !confirm("Write to this workspace?") {
        return Err(user(
            "nothing was written to the workspace",
            Some("the Twenty-ready files and the audit are written; answer y, or pass --yes"),
        ));
    }
    Ok(existing)
}

/// The workspace's members, for finding owners by name and email.
pub fn workspace_members(client: &Client) -> anyhow::Result<Vec<c2t_pipeline::members::Member>> {
    Ok(client
        .members()
        .map_err(api_err)?
        .into_iter()
        .filter(|m| !m.email.is_empty())
        .map(|m| c2t_pipeline::members::Member {
            first_name: m.first_name,
            last_name: m.last_name,
            email: m.email.as_str().into(),
        })
        .collect())
}

/// The state file: the one given, else next to the mapping, else in the current folder.
pub fn state_path(load: &Load, mapping: Option<&Path>) -> PathBuf {
    crate::after::state_file(load.state.as_deref(), mapping)
}

/// What [`import`] does: write (with a saved plan to hold to, or none), or only plan (and save
/// the plan).
#[derive(Debug, Clone, Copy)]
pub enum Mode<'a> {
    Import { plan: Option<&'a Path> },
    Plan { save: Option<&'a Path> },
}

/// A saved plan (`plan --save FILE`): what `import --plan FILE` holds to.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct PlanFile {
    /// Format version.
    version: u32,
    tool_version: String,
    created_at: String,
    /// The workspace the plan is for (never the key).
    workspace_url: String,
    /// Hash of the mapping file the plan was made with.
    mapping_hash: String,
    /// Every write, sorted.
    writes: Vec<c2t_import::load::Planned>,
}

/// `import` (or `plan`).
#[allow(clippy::too_many_arguments)]
pub fn import(
    client: &Client,
    p: &Prepared,
    api: &Api,
    load: &Load,
    mapping: Option<&Path>,
    mode: Mode<'_>,
    quiet: bool,
    known: Option<Existing>,
) -> anyhow::Result<ExitCode> {
    let dry_run = matches!(mode, Mode::Plan { .. });
    let (ws, existing) = read_workspace(client, p, false, quiet, known)?;
    let plan = c2t_import::check(p, &ws, &existing);
    if plan.blocks() {
        eprint!("{}", plan.render());
        return Err(anyhow::Error::new(UserError {
            message: "the workspace is not ready for this import".into(),
            hint: Some("run `crm2twenty check --apply` first".into()),
        }));
    }
    if !quiet && !load.json {
        eprint!("{}", plan.render_missing_members());
    }
    let state = state_path(load, mapping);
    let mut store = c2t_state::Store::open(&state)
        .map_err(|e| user(e.to_string(), Some(state_hint(&e).as_str())))?;
    // A run that did not finish is resumed: said, so the counts that follow make sense.
    if let Ok(Some(last)) = store.last_run()
        && !dry_run
        && !quiet
        && matches!(
            last.status,
            c2t_state::RunStatus::Interrupted
                | c2t_state::RunStatus::Failed
                | c2t_state::RunStatus::Running
        )
    {
        eprintln!(
            "resuming: run {} {} before it finished; what it wrote is in the workspace and is not counted again",
            last.id,
            match last.status {
                c2t_state::RunStatus::Interrupted => "was interrupted",
                c2t_state::RunStatus::Failed => "stopped on an error",
                _ => "was killed",
            }
        );
    }
    let batch = load.batch_size.max(1);
    // One upload a file, as the announcement counts them.
    let requests =
        plan.write_requests(batch.min(ws.caps.batch_max.unwrap_or(usize::MAX))) + plan.files.0;
    if !quiet && !load.json && !dry_run {
        // Records unchanged since the last run are found by the loader, per object, and not
        // sent: this is the most the import sends.
        eprintln!("writing, at most: {}", duration_text(requests, api));
    }
    let opts = ImportOptions {
        batch_size: batch,
        conflict: if load.overwrite {
            Conflict::Overwrite
        } else {
            Conflict::FillEmpty
        },
        dry_run,
        // Ctrl-C stops the run between two batches (see `interrupt`).
        stop: (!dry_run).then(crate::interrupt::flag),
        workspace_url: client.base_url().to_string(),
        mapping_hash: mapping
            .and_then(|m| std::fs::read(m).ok())
            .map(|b| {
                c2t_state::payload_hash(&serde_json::Value::String(
                    String::from_utf8_lossy(&b).to_string(),
                ))
            })
            .unwrap_or_default(),
    };
    // A saved plan is applied only as it was shown: the same writes, each saying the same.
    if let Mode::Import { plan: Some(file) } = mode {
        hold_to_plan(file, client, &mut store, p, &ws, &existing, &opts)?;
    }
    let json = load.json;
    let started = std::time::Instant::now();
    let rpm = f64::from(api.requests_per_minute.max(1));
    // On a terminal, a bar per object (counts, rate, ETA); elsewhere, the same lines as before.
    let bars = !json && !quiet && !dry_run && std::io::stderr().is_terminal();
    let mut bar: Option<indicatif::ProgressBar> = None;
    // Attachments show their progress in bytes (files differ in size by orders of magnitude).
    let mut in_bytes = false;
    let mut upload_started: Option<std::time::Instant> = None;
    let mut last_line = std::time::Instant::now();
    let mut on_event = |e: Event| {
        if json {
            println!("{}", serde_json::to_string(&e).unwrap_or_default());
            return;
        }
        if quiet {
            return;
        }
        match &e {
            Event::Object {
                object,
                records,
                to_send,
                unchanged,
            } => {
                let line = format!(
                    "  {object:<14} {records:>7} records: {to_send} to send, {unchanged} unchanged"
                );
                if bars {
                    if let Some(b) = bar.take() {
                        b.finish();
                    }
                    eprintln!("{line}");
                    if *to_send > 0 {
                        bar = Some(progress_bar(object, *to_send));
                    }
                } else {
                    eprintln!("{line}");
                }
            }
            Event::Batch {
                object,
                sent,
                to_send,
            } => {
                if in_bytes {
                    return;
                }
                if let Some(b) = bar.as_ref().filter(|_| bars) {
                    b.set_position(*sent as u64);
                    return;
                }
                let left = (to_send - sent).div_ceil(batch) as f64 / rpm * 60.0;
                eprintln!(
                    "  {object:<14} {sent:>7}/{to_send}   {:.0}s elapsed, ~{left:.0}s left for this object",
                    started.elapsed().as_secs_f64()
                );
            }
            Event::Rejected {
                object,
                file,
                line,
                message,
            } => {
                let line = format!("  rejected {object} {file}:{line}: {message}");
                match bar.as_ref() {
                    Some(b) => b.println(line),
                    None => eprintln!("{line}"),
                }
            }
            Event::Upload {
                object,
                files,
                files_total,
                bytes,
                bytes_total,
            } => {
                let started = *upload_started.get_or_insert_with(std::time::Instant::now);
                if bars {
                    if !in_bytes {
                        if let Some(b) = bar.take() {
                            b.finish_and_clear();
                        }
                        bar = Some(bytes_bar(object, *bytes_total));
                        in_bytes = true;
                    }
                    if let Some(b) = &bar {
                        b.set_position(*bytes);
                        b.set_message(format!("{files}/{files_total} files"));
                    }
                    return;
                }
                in_bytes = true;
                if last_line.elapsed().as_secs_f64() < 1.0 && files != files_total {
                    return;
                }
                last_line = std::time::Instant::now();
                let secs = started.elapsed().as_secs_f64().max(0.001);
                let left = (bytes_total - bytes) as f64 / (*bytes as f64 / secs).max(1.0);
                eprintln!(
                    "  {object:<14} {files:>7}/{files_total} files, {} of {}   {secs:.0}s elapsed, ~{left:.0}s left to upload",
                    bytes_text(*bytes),
                    bytes_text(*bytes_total)
                );
            }
            Event::Links { object, records } => {
                let line = format!(
                    "  {object:<14} {records:>7} records: links to records written after them"
                );
                if let Some(b) = bar.take() {
                    b.finish();
                }
                eprintln!("{line}");
                if bars && *records > 0 {
                    bar = Some(progress_bar(object, *records));
                }
            }
        }
    };
    let result = c2t_import::import(client, &mut store, p, &ws, &existing, &opts, &mut on_event);
    if let Some(b) = bar.take() {
        b.finish();
    }
    let summary = match result {
        Ok(s) => s,
        Err(c2t_import::load::ImportError::State(e)) => {
            return Err(anyhow::anyhow!("{e}\nhint: {}", state_hint(&e)));
        }
        Err(c2t_import::load::ImportError::Interrupted) => {
            let run = store
                .last_run()
                .ok()
                .flatten()
                .map(|r| format!("run {} ", r.id))
                .unwrap_or_default();
            eprintln!(
                "interrupted: {run}stopped between two batches, every record it sent is recorded in {}\nhint: run the same command again to resume: nothing already written is sent again",
                state.display()
            );
            return Err(anyhow::Error::new(crate::interrupt::Interrupted));
        }
        Err(c2t_import::load::ImportError::Api(
            e @ (c2t_twenty::ApiError::RetriesExhausted { .. }
            | c2t_twenty::ApiError::Unreachable { .. }),
        )) => {
            return Err(anyhow::Error::new(crate::commands::ServerError {
                message: e.to_string(),
                hint: format!(
                    "nothing is lost: what was written is recorded in {}; run the same command again when the server answers, it resumes there",
                    state.display()
                ),
            }));
        }
        Err(e) => {
            return Err(anyhow::anyhow!(
                "{e}\nhint: the state is saved in {}; run the same command again to resume",
                state.display()
            ));
        }
    };
    if let Mode::Plan { save: Some(file) } = mode {
        let mut writes = summary.planned.clone();
        writes.sort();
        let saved = PlanFile {
            version: 1,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            created_at: jiff::Timestamp::now().to_string(),
            workspace_url: client.base_url().to_string(),
            mapping_hash: opts.mapping_hash.clone(),
            writes,
        };
        std::fs::write(file, serde_json::to_string_pretty(&saved)?)
            .map_err(|e| anyhow::anyhow!("cannot write the plan to {}: {e}", file.display()))?;
        if !quiet && !json {
            eprintln!(
                "plan saved to {}: `crm2twenty import … --plan {}` writes exactly this, or nothing if the export, the mapping or the workspace changed since",
                file.display(),
                file.display()
            );
        }
    }
    if json {
        println!(
            "{}",
            serde_json::to_string(&serde_json::json!({
                "event": "summary",
                "dry_run": dry_run,
                "summary": &summary,
            }))?
        );
    }
    if !quiet && !json {
        eprintln!("{}:", if dry_run { "would write" } else { "written" });
        for (obj, s) in &summary.objects {
            eprintln!(
                "  {obj:<14} created {:>6}  updated {:>6} (revived {})  unchanged {:>6}  rejected {:>4}  links {:>6}  left out {:>5}",
                s.created, s.updated, s.revived, s.unchanged, s.rejected, s.linked, s.skipped
            );
        }
        if dry_run {
            // One closing line, as the import would go (terraform's "Plan: …").
            let requests: usize = summary
                .objects
                .values()
                .map(|s| (s.created + s.updated).div_ceil(batch))
                .sum();
            let sum = |f: fn(&c2t_import::load::ObjectSummary) -> usize| -> usize {
                summary.objects.values().map(f).sum()
            };
            let (created, updated, revived) =
                (sum(|s| s.created), sum(|s| s.updated), sum(|s| s.revived));
            let files = if summary.files_to_upload > 0 {
                format!(
                    ", {} files to upload ({})",
                    summary.files_to_upload,
                    bytes_text(summary.bytes_to_upload)
                )
            } else {
                String::new()
            };
            eprintln!(
                "Plan: {created} to create, {} to update, {revived} to restore from the trash, {} unchanged, {} would be refused{files}; {}",
                updated - revived,
                sum(|s| s.unchanged),
                sum(|s| s.rejected),
                duration_text(requests + summary.files_to_upload, api)
            );
        } else {
            if summary.files_to_upload > 0 {
                eprintln!(
                    "  attachments: {} files uploaded ({}){}",
                    summary.uploaded_files,
                    bytes_text(summary.uploaded_bytes),
                    match summary.files_to_upload - summary.uploaded_files {
                        0 => String::new(),
                        n => format!(", {n} reused from an earlier run or refused"),
                    }
                );
            }
            eprintln!(
                "  {} requests, {:.1}s; state: {}",
                summary.requests,
                started.elapsed().as_secs_f64(),
                state.display()
            );
        }
    }
    if !summary.rejects.is_empty() {
        let path = state.with_file_name("import-rejects.csv");
        let mut w = csv_writer(&path)?;
        writeln!(w, "file,line,object,message")?;
        for (f, l, o, m) in &summary.rejects {
            writeln!(w, "{},{l},{},{}", quote(f), quote(o), quote(m))?;
        }
        if !quiet {
            eprintln!(
                "  {} records {} by the server: {}",
                summary.rejects.len(),
                if dry_run {
                    "would be refused"
                } else {
                    "refused"
                },
                path.display()
            );
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// A size for people: `512 B`, `1.4 KB`, `12.0 MB`, `1.1 GB` (powers of 1 000).
pub fn bytes_text(n: u64) -> String {
    let f = n as f64;
    if n < 1_000 {
        format!("{n} B")
    } else if n < 1_000_000 {
        format!("{:.1} KB", f / 1e3)
    } else if n < 1_000_000_000 {
        format!("{:.1} MB", f / 1e6)
    } else {
        format!("{:.1} GB", f / 1e9)
    }
}

/// The progress bar of the attachments' uploads, in bytes.
fn bytes_bar(object: &str, total: u64) -> indicatif::ProgressBar {
    let b = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "  {prefix:<14} [{bar:30}] {bytes:>9}/{total_bytes} {bytes_per_sec:>11}  {msg}  ETA {eta}",
    ) {
        b.set_style(style.progress_chars("=> "));
    }
    b.set_prefix(object.to_string());
    b
}

/// The progress bar of one object on a terminal: count, rate and time left.
pub fn progress_bar(object: &str, to_send: usize) -> indicatif::ProgressBar {
    let b = indicatif::ProgressBar::with_draw_target(
        Some(to_send as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "  {prefix:<14} [{bar:30}] {pos:>7}/{len} {per_sec:0}  ETA {eta}",
    ) {
        b.set_style(style.progress_chars("=> "));
    }
    b.set_prefix(object.to_string());
    b
}

/// The requests the client sends back to back before pacing (`--burst`, default half the
/// budget).
fn burst_of(api: &Api) -> u32 {
    let rpm = api.requests_per_minute.max(1);
    api.burst.unwrap_or(rpm / 2).clamp(1, rpm)
}

/// How long `requests` take at the client's pace, said the same way by every estimate
/// (announce, import, plan): the burst goes at once, the rest one every 60/budget seconds.
pub fn duration_text(requests: usize, api: &Api) -> String {
    let rpm = f64::from(api.requests_per_minute.max(1));
    let paced = requests.saturating_sub(burst_of(api) as usize);
    let secs = paced as f64 * 60.0 / rpm;
    let time = if secs < 1.0 {
        "a few seconds".to_string()
    } else if secs < 90.0 {
        format!("~{} s", secs.ceil())
    } else {
        format!("~{:.1} min", secs / 60.0)
    };
    format!(
        "~{requests} requests, {time} at {} requests a minute",
        api.requests_per_minute
    )
}

/// What to do about a state file that cannot be opened or written.
fn state_hint(e: &c2t_state::StateError) -> String {
    use c2t_state::StateError as E;
    let again =
        "then run the same command again: it resumes where it stopped and sends nothing twice";
    match e {
        E::DiskFull { path, .. } => format!(
            "free some space on the disk that holds {} (or pass --state with a file on another \
             disk), {again}",
            path.display()
        ),
        E::ReadOnly { path, .. } => format!(
            "make {} and its directory writable (or pass --state with another file), {again}",
            path.display()
        ),
        E::CannotOpen { .. } => {
            format!("pass --state with a file in a writable directory, {again}")
        }
        E::Busy { .. } => format!("wait for the other crm2twenty run to end, {again}"),
        _ => format!("nothing is lost: once this is fixed, {again}"),
    }
}

fn csv_writer(path: &Path) -> anyhow::Result<std::io::BufWriter<std::fs::File>> {
    Ok(std::io::BufWriter::new(
        std::fs::File::create(path)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
    ))
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Checks a saved plan against what the import would write now (a dry run): the same workspace,
/// mapping and writes, each saying the same; otherwise nothing is written and the differences
/// are named.
#[allow(clippy::too_many_arguments)]
fn hold_to_plan(
    file: &Path,
    client: &Client,
    store: &mut c2t_state::Store,
    p: &Prepared,
    ws: &c2t_import::Workspace,
    existing: &Existing,
    opts: &ImportOptions,
) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        user(
            format!("cannot read the plan {}: {e}", file.display()),
            Some("save one with `crm2twenty plan … --save FILE`"),
        )
    })?;
    let saved: PlanFile = serde_json::from_str(&text).map_err(|e| {
        user(
            format!("{} is not a saved plan: {e}", file.display()),
            Some("save one with `crm2twenty plan … --save FILE`"),
        )
    })?;
    let again =
        "make the plan again (`crm2twenty plan … --save FILE`), read it, and import with it";
    if saved.workspace_url != client.base_url() {
        return Err(user(
            format!(
                "the plan {} is for the workspace at {}, not {}",
                file.display(),
                saved.workspace_url,
                client.base_url()
            ),
            Some(again),
        ));
    }
    if saved.mapping_hash != opts.mapping_hash {
        return Err(user(
            format!(
                "the mapping changed since the plan {} was made",
                file.display()
            ),
            Some(again),
        ));
    }
    let mut dry = opts.clone();
    dry.dry_run = true;
    dry.stop = None;
    let now = c2t_import::import(client, store, p, ws, existing, &dry, &mut |_| {})
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut writes = now.planned;
    writes.sort();
    if writes == saved.writes {
        return Ok(());
    }
    let key = |w: &c2t_import::load::Planned| (w.object.clone(), w.key.clone());
    let before: std::collections::BTreeMap<_, _> =
        saved.writes.iter().map(|w| (key(w), w)).collect();
    let after: std::collections::BTreeMap<_, _> = writes.iter().map(|w| (key(w), w)).collect();
    let mut lines = Vec::new();
    for (k, w) in &after {
        match before.get(k) {
            None => lines.push(format!("  new: {} {} {}", w.action, w.object, w.key)),
            Some(b) if b != w => lines.push(format!(
                "  changed: {} {} ({} → {})",
                w.object,
                w.key,
                b.action,
                if b.action == w.action {
                    "other values"
                } else {
                    w.action.as_str()
                }
            )),
            _ => {}
        }
    }
    for (k, b) in &before {
        if !after.contains_key(k) {
            lines.push(format!(
                "  no longer to write: {} {} {}",
                b.action, b.object, b.key
            ));
        }
    }
    let shown: Vec<&String> = lines.iter().take(20).collect();
    Err(user(
        format!(
            "the import would no longer do what the plan {} says ({} differences; the export or the workspace changed since); nothing was written:\n{}{}",
            file.display(),
            lines.len(),
            shown
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            if lines.len() > shown.len() {
                "\n  …"
            } else {
                ""
            }
        ),
        Some(again),
    ))
}
