//! After the import: `verify`, `rollback`, `runs` and `report`. The work is in c2t-import
//! (verify, rollback) and c2t-report (the page); this module finds the state file, asks before
//! it changes the workspace, and prints.

use crate::api;
use crate::commands::{UserError, user};
use c2t_core::mapping::VerifySettings;
use c2t_import::rollback::{self, RollbackError, RollbackEvent};
use c2t_import::verify::{self, Verification};
use c2t_import::workspace::Workspace;
use c2t_pipeline::audit;
use c2t_pipeline::job::Prepared;
use c2t_state::Store;
use c2t_twenty::Client;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The state file: the one given, else next to the mapping, else in the current folder.
pub fn state_file(given: Option<&Path>, mapping: Option<&Path>) -> PathBuf {
    if let Some(s) = given {
        return s.to_path_buf();
    }
    let dir = mapping
        .and_then(Path::parent)
        .filter(|d| !d.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    dir.join("crm2twenty-state.sqlite")
}

fn open_existing(path: &Path) -> anyhow::Result<Store> {
    if !path.exists() {
        return Err(anyhow::Error::new(UserError {
            message: format!("no state file at {}", path.display()),
            hint: Some(
                "give the state file of the import with --state (it is written next to the mapping by default)"
                    .into(),
            ),
        }));
    }
    Store::open(path).map_err(|e| user(e.to_string(), None))
}

/// Reads the workspace back and verifies it. Without a state file, records are matched by
/// their source id and deterministic id only.
pub fn run_verify(
    client: &Client,
    p: &Prepared,
    state: &Path,
    settings: &VerifySettings,
    quiet: bool,
) -> anyhow::Result<Verification> {
    let store = if state.exists() {
        Store::open(state).map_err(|e| user(e.to_string(), None))?
    } else {
        if !quiet {
            eprintln!(
                "note: no state file at {}; records are matched by their source id only",
                state.display()
            );
        }
        Store::open_in_memory().map_err(|e| user(e.to_string(), None))?
    };
    let ws = Workspace::read_schema(client).map_err(api::api_err)?;
    // Long reads are announced as the import's are.
    let records = verify::records_of(api::existing_for(client, &ws, p, quiet, true)?);
    let mut v = verify::verify(p, &ws, &records, &store, settings)
        .map_err(|e| user(e.to_string(), None))?;
    verify::compare_contents(client, p, &mut v, settings);
    Ok(v)
}

/// The `crm2twenty verify …` command that adds the verification to a report written into
/// `out`: the export as the user named it and the options that change what is expected.
pub fn verify_command(
    export: &Path,
    common: &crate::cli::Common,
    state: Option<&Path>,
    out: &Path,
) -> String {
    let mut words = vec![
        "crm2twenty".to_string(),
        "verify".into(),
        shell_word(export),
    ];
    let options = [
        ("--mapping", common.mapping.as_deref()),
        ("--preset", common.preset.as_deref().map(Path::new)),
        ("--members", common.members.as_deref()),
        ("--as-of", common.as_of.as_deref().map(Path::new)),
        ("--state", state),
        ("--out", Some(out)),
    ];
    for (flag, value) in options {
        if let Some(v) = value {
            words.push(flag.into());
            words.push(shell_word(v));
        }
    }
    words.join(" ")
}

/// A path as one word of a POSIX shell command line (quoted when it needs to be).
fn shell_word(p: &Path) -> String {
    let s = p.to_string_lossy();
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@+,".contains(c))
    {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Writes report.html into `out`, with audit.html and audit.json beside it (each links to the
/// other); returns the report's path. `verify_command` is what the page says to run when it has
/// no verification.
pub fn write_report(
    out: &Path,
    p: &Prepared,
    state: &Path,
    workspace: Option<String>,
    verification: Option<&Verification>,
    verify_command: Option<String>,
) -> anyhow::Result<PathBuf> {
    let a = audit::build(p);
    let facts = if state.exists() {
        let store = Store::open(state).map_err(|e| user(e.to_string(), None))?;
        Some(c2t_report::import_facts(&store).map_err(|e| user(e.to_string(), None))?)
    } else {
        None
    };
    let html = c2t_report::render(&c2t_report::Report {
        generated_at: jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .map(|t| t.to_string())
            .unwrap_or_default(),
        audit: &a,
        workspace,
        import: facts.as_ref(),
        verification,
        audit_beside: true,
        verify_command,
    });
    std::fs::create_dir_all(out)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
    let path = out.join("report.html");
    std::fs::write(&path, html)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    // The audit beside it, written after the report so that it links back to it, with the
    // decisions to review.
    crate::commands::write_audit(&a, out)?;
    crate::commands::write_review(p, out)?;
    Ok(path)
}

/// `verify`.
#[allow(clippy::too_many_arguments)]
pub fn verify_cmd(
    client: &Client,
    p: &Prepared,
    out: &Path,
    state: &Path,
    sample: Option<usize>,
    seed: Option<u64>,
    json: bool,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    let mut settings = p.mapping.verify.clone();
    if let Some(n) = sample {
        settings.sample_size = n;
    }
    if let Some(s) = seed {
        settings.seed = s;
    }
    let v = run_verify(client, p, state, &settings, quiet)?;
    std::fs::create_dir_all(out)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
    let text = serde_json::to_string_pretty(&v)?;
    std::fs::write(out.join("verify.json"), &text)
        .map_err(|e| anyhow::anyhow!("cannot write verify.json: {e}"))?;
    let report = write_report(
        out,
        p,
        state,
        Some(client.base_url().to_string()),
        Some(&v),
        None,
    )?;
    if json {
        println!("{text}");
    } else if !quiet || !v.passed {
        eprint!("{}", verify::render(&v));
    }
    if !quiet && !json {
        eprintln!(
            "report: {}; details: {}",
            report.display(),
            out.join("verify.json").display()
        );
    }
    Ok(if v.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `rollback`.
pub fn rollback_cmd(
    run: Option<i64>,
    state: &Path,
    a: &crate::cli::Api,
    dry_run: bool,
    yes: bool,
    destroy: bool,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    let mut store = open_existing(state)?;
    let rb_err = |e: RollbackError| match e {
        RollbackError::Nothing(m) => user(m, Some("`crm2twenty runs` lists the runs")),
        RollbackError::Api(e) => api::api_err(e),
        RollbackError::State(e) => user(e.to_string(), None),
        RollbackError::Interrupted => anyhow::Error::new(crate::interrupt::Interrupted),
    };
    let runs = rollback::runs_to_undo(&store, run).map_err(rb_err)?;
    let plan = rollback::plan(&store, &runs).map_err(rb_err)?;
    eprint!("{}", rollback::render(&plan, destroy));
    // Counted for Twenty 2.x, where a note's or task's targets go with it (on 1.5 they are
    // deleted by themselves: a few requests more).
    let requests = plan.requests(c2t_twenty::BATCH_MAX, true);
    if !plan.steps.is_empty() {
        eprintln!("  undoing: {}", api::duration_text(requests, a));
    }
    if dry_run {
        if !plan.steps.is_empty() {
            eprintln!(
                "(dry run: nothing changed; the records are listed on stdout: run, action, object, Twenty id, source key)\nto do it: crm2twenty rollback{} --state {}{} --yes",
                run.map(|r| format!(" {r}")).unwrap_or_default(),
                state.display(),
                if destroy { " --destroy" } else { "" }
            );
        }
        for s in &plan.steps {
            println!(
                "{}\t{}\t{}\t{}\t{}\t{}{}",
                s.run,
                s.action,
                s.write.object,
                s.write.twenty_id,
                s.write.source_key,
                s.name.as_deref().unwrap_or_default(),
                if s.done { "\t(done)" } else { "" }
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if !yes && !api::confirm("Undo these writes in the workspace?") {
        return Err(user(
            "nothing was undone",
            Some("answer y, or pass --yes in scripts"),
        ));
    }
    let client = api::connect(a)?;
    let ws = Workspace::read_objects(&client).map_err(api::api_err)?;
    // On a terminal a bar (count, rate, ETA); elsewhere a line every hundred records with the
    // time left at the client's pace (the plan's requests, shared out over its steps).
    let bars = !quiet && std::io::stderr().is_terminal();
    let mut bar: Option<indicatif::ProgressBar> = None;
    let rpm = client.requests_per_minute().max(1.0);
    let mut on_event = |e: RollbackEvent| {
        if quiet {
            return;
        }
        let RollbackEvent::Undone { done, total, .. } = e;
        if bars {
            bar.get_or_insert_with(|| api::progress_bar("undo", total))
                .set_position(done as u64);
            return;
        }
        if done == total || done % 100 == 0 {
            let left = (total - done) as f64 * requests as f64 / total.max(1) as f64 * 60.0 / rpm;
            eprintln!("  {done}/{total}   ~{left:.0}s left");
        }
    };
    let stop = crate::interrupt::flag();
    let result = rollback::rollback(
        &client,
        &ws,
        &mut store,
        &plan,
        destroy,
        Some(&stop),
        &mut on_event,
    );
    if let Some(b) = bar.take() {
        b.finish();
    }
    if let Err(RollbackError::Interrupted) = result {
        eprintln!(
            "interrupted: what was undone is recorded in {}\nhint: run the same command again to finish the rollback",
            state.display()
        );
        return Err(anyhow::Error::new(crate::interrupt::Interrupted));
    }
    let summary = result.map_err(|e| match e {
        RollbackError::Api(
            e @ (c2t_twenty::ApiError::RetriesExhausted { .. }
            | c2t_twenty::ApiError::Unreachable { .. }),
        ) => anyhow::Error::new(crate::commands::ServerError {
            message: e.to_string(),
            hint: format!(
                "nothing is lost: what was undone is recorded in {}; run the same command again when the server answers, it finishes the rollback",
                state.display()
            ),
        }),
        e => anyhow::anyhow!(
            "{}\nhint: what was undone is recorded in {}; run the same command again to finish",
            rb_err(e),
            state.display()
        ),
    })?;
    if let Some(why) = &summary.one_by_one
        && !quiet
    {
        eprintln!(
            "  note: the server refused deleting many records a request ({why}); they were deleted one a request"
        );
    }
    if !quiet {
        for (obj, c) in &summary.objects {
            eprintln!(
                "  {obj:<14} deleted {:>6}  restored {:>6}",
                c.deleted, c.restored
            );
        }
        let runs: Vec<String> = summary.runs.iter().map(|r| r.to_string()).collect();
        eprintln!("rolled back run {}", runs.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

/// `runs`.
/// `runs`: a line a run on stdout (for scripts), a header, totals and the next commands to type
/// on stderr (for people).
pub fn runs_cmd(state: &Path, quiet: bool, json: bool) -> anyhow::Result<ExitCode> {
    let store = open_existing(state)?;
    let runs = store.runs().map_err(|e| user(e.to_string(), None))?;
    if json {
        let mut list = Vec::new();
        for r in &runs {
            let writes = store
                .run_writes(r.id)
                .map_err(|e| user(e.to_string(), None))?;
            let created = writes.iter().filter(|w| w.created).count();
            let mut v = serde_json::to_value(r)?;
            if let serde_json::Value::Object(m) = &mut v {
                m.insert("created".into(), created.into());
                m.insert("updated".into(), (writes.len() - created).into());
            }
            list.push(v);
        }
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(ExitCode::SUCCESS);
    }
    if runs.is_empty() {
        eprintln!("no runs in {}", state.display());
        return Ok(ExitCode::SUCCESS);
    }
    if !quiet {
        eprintln!("Import runs in {}:", state.display());
        eprintln!(
            "{:>4}  {:<20}  {:<12} {:>14}  {:>14}  workspace",
            "run", "started (UTC)", "status", "created", "updated"
        );
    }
    let (mut all_created, mut all_updated) = (0, 0);
    let mut resumable = None;
    let mut undoable = None;
    for r in &runs {
        let writes = store
            .run_writes(r.id)
            .map_err(|e| user(e.to_string(), None))?;
        let created = writes.iter().filter(|w| w.created).count();
        let updated = writes.len() - created;
        if r.status != c2t_state::RunStatus::RolledBack {
            all_created += created;
            all_updated += updated;
            undoable = Some(r.id);
        }
        resumable = match r.status {
            c2t_state::RunStatus::Interrupted
            | c2t_state::RunStatus::Failed
            | c2t_state::RunStatus::Running => Some(r.id),
            _ => None,
        };
        println!(
            "{:>4}  {}  {:<12} created {:>6}  updated {:>6}  {}",
            r.id,
            r.started_at,
            r.status.as_str(),
            created,
            updated,
            r.workspace_url
        );
        // Which records, by name (the first few the run created or updated).
        if !quiet {
            const SHOWN: usize = 5;
            let mut names = Vec::new();
            for w in &writes {
                if names.len() == SHOWN {
                    break;
                }
                if let Ok(Some(n)) = store.name_of(&w.object, &w.source_key) {
                    names.push(format!("{} {n}", w.object));
                }
            }
            if !names.is_empty() {
                let more = writes.len().saturating_sub(names.len());
                eprintln!(
                    "      {}{}",
                    names.join(", "),
                    if more > 0 {
                        format!(", and {more} more")
                    } else {
                        String::new()
                    }
                );
            }
        }
    }
    if !quiet {
        eprintln!(
            "{} runs; in the workspace now: {all_created} records created and {all_updated} updated by runs not rolled back",
            runs.len()
        );
        if let Some(id) = resumable {
            eprintln!("run {id} did not finish: run the same import command again to resume it");
        }
        if let Some(id) = undoable {
            eprintln!(
                "to see what undoing run {id} would do: crm2twenty rollback --state {} --dry-run",
                state.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
