//! What each command does, in terms of the pipeline's library calls.

use crate::cli::{Cli, Command, Common};
use crate::{after, api};
use c2t_core::{Mapping, Schema};
use c2t_pipeline::job::{self, Options, Prepared};
use c2t_pipeline::{audit, export, html, presets, propose, render};
use c2t_twenty::Client;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A mistake of the user's (bad argument, bad mapping): exit code 2, with a hint.
#[derive(Debug)]
pub struct UserError {
    pub message: String,
    pub hint: Option<String>,
}

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}

/// The server could not be reached, or kept failing until the retries ran out: exit code 3,
/// with a hint. Not the user's mistake, and nothing is lost: what was written is in the state
/// file, and the same command goes on from there.
#[derive(Debug)]
pub struct ServerError {
    pub message: String,
    pub hint: String,
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ServerError {}

pub fn user(message: impl Into<String>, hint: Option<&str>) -> anyhow::Error {
    anyhow::Error::new(UserError {
        message: message.into(),
        hint: hint.map(str::to_string),
    })
}

/// The export paths a command was given, in order, as given.
fn export_paths(c: &mut Command) -> Vec<&mut PathBuf> {
    match c {
        Command::Migrate { export_dirs, .. } => export_dirs.iter_mut().collect(),
        Command::Init { export_dir, .. }
        | Command::Audit { export_dir, .. }
        | Command::Export { export_dir, .. }
        | Command::Validate { export_dir, .. }
        | Command::Check { export_dir, .. }
        | Command::Import { export_dir, .. }
        | Command::Plan { export_dir, .. }
        | Command::Verify { export_dir, .. }
        | Command::Report { export_dir, .. } => vec![export_dir],
        Command::Rollback { .. } | Command::Runs { .. } | Command::Presets { .. } => Vec::new(),
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let quiet = cli.quiet;
    crate::api::VERBOSE.store(cli.verbose, std::sync::atomic::Ordering::Relaxed);
    let mut command = cli.command;
    // Zips are unpacked for the whole command (the temporary folders go when it returns); the
    // paths as given name the outputs of several exports.
    let mut given: Vec<PathBuf> = Vec::new();
    let mut _unpacked = Vec::new();
    for path in export_paths(&mut command) {
        given.push(path.clone());
        let input = crate::inputs::open(path, quiet)?;
        *path = input.dir.clone();
        _unpacked.push(input);
    }
    match command {
        Command::Presets { json } => {
            let all = presets::all();
            if json {
                let list: Vec<serde_json::Value> = all
                    .iter()
                    .map(|p| serde_json::json!({"name": p.name, "label": p.label}))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for p in all {
                    println!("{:<12} {}", p.name, p.label);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Init {
            export_dir,
            mapping: out,
            preset,
            force,
        } => {
            check_dir(&export_dir)?;
            if out.exists() && !force {
                return Err(user(
                    format!("{} already exists", out.display()),
                    Some("pass --force to overwrite it, or --mapping to write elsewhere"),
                ));
            }
            let members = default_members(&export_dir, None);
            let proposal = propose_for(&export_dir, preset.as_deref(), members.as_deref())?;
            std::fs::write(&out, render::render(&proposal))
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
            if !quiet {
                print_detection(&proposal);
                eprintln!(
                    "wrote {} — edit it, then run: crm2twenty migrate {} --mapping {}",
                    out.display(),
                    export_dir.display(),
                    out.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate {
            export_dir,
            mapping,
            json,
        } => {
            check_dir(&export_dir)?;
            let mut m = load_mapping(&mapping)?;
            complete_columns(&export_dir, &mut m);
            let text = std::fs::read_to_string(&mapping).unwrap_or_default();
            let at_key = |file: &str, column: Option<&str>, key: Option<&str>| {
                mapping_line(&text, file, column, key)
                    .map(|l| format!("line {l}: "))
                    .unwrap_or_default()
            };
            let at = |file: &str, column: Option<&str>| at_key(file, column, None);
            let mut problems: Vec<String> = m
                .validate(&Schema::standard())
                .iter()
                .map(|e| {
                    let (file, column) = place_parts(&e.place);
                    // A file's object is said on its own line.
                    let key = e.message.starts_with("object `").then_some("object");
                    let line = file.map(|f| at_key(f, column, key)).unwrap_or_default();
                    format!("{line}{e}")
                })
                .collect();
            let files_there: Vec<String> = std::fs::read_dir(&export_dir)
                .map(|d| {
                    d.filter_map(|e| e.ok())
                        .map(|e| e.file_name().to_string_lossy().to_string())
                        .collect()
                })
                .unwrap_or_default();
            for f in &m.files {
                // A path the mapping may not use is reported above and never opened.
                if c2t_core::mapping::path_problem(&f.path).is_some() {
                    continue;
                }
                let path = export_dir.join(&f.path);
                if !path.exists() {
                    problems.push(format!(
                        "{}file \"{}\": no such file in {}{}",
                        at(&f.path, None),
                        f.path,
                        export_dir.display(),
                        c2t_core::mapping::suggestion(
                            &f.path,
                            files_there.iter().map(String::as_str)
                        )
                    ));
                    continue;
                }
                match c2t_ingest_headers(&path) {
                    Ok(headers) => {
                        for c in &f.columns {
                            if !headers.iter().any(|h| h == &c.column) {
                                problems.push(format!(
                                    "{}file \"{}\", column \"{}\": not in the file's header row{}",
                                    at(&f.path, Some(&c.column)),
                                    f.path,
                                    c.column,
                                    c2t_core::mapping::suggestion(
                                        &c.column,
                                        headers.iter().map(String::as_str)
                                    )
                                ));
                            }
                        }
                    }
                    Err(e) => {
                        problems.push(format!("{}file \"{}\": {e}", at(&f.path, None), f.path))
                    }
                }
            }
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "mapping": mapping.display().to_string(),
                        "valid": problems.is_empty(),
                        "files": m.files.len(),
                        "problems": problems,
                    }))?
                );
            }
            if problems.is_empty() {
                eprintln!("{}: valid ({} files)", mapping.display(), m.files.len());
                Ok(ExitCode::SUCCESS)
            } else {
                let list: Vec<String> = problems.iter().map(|p| format!("  - {p}")).collect();
                Err(user(
                    format!(
                        "{} has {} problem(s):\n{}",
                        mapping.display(),
                        problems.len(),
                        list.join("\n")
                    ),
                    Some(
                        "fix them in the mapping file; `crm2twenty init` shows a proposal to compare with",
                    ),
                ))
            }
        }
        Command::Audit {
            export_dir,
            out,
            json,
            common,
        } => {
            let p = prepare(&export_dir, &common)?;
            let a = audit::build(&p);
            write_audit(&a, &out)?;
            let reviewed = write_review(&p, &out)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&a)?);
            } else if !quiet {
                eprint!("{}", audit::terminal(&a));
                eprintln!("\nreport: {}", out.join("audit.html").display());
                print_review_line(reviewed, &out);
            }
            Ok(exit_for(&p))
        }
        Command::Export {
            export_dir,
            out,
            common,
        } => {
            let p = prepare(&export_dir, &common)?;
            let written = export::write_all(&p, &out)
                .map_err(|e| anyhow::anyhow!("cannot write to {}: {e}", out.display()))?;
            if !quiet {
                print_written(&written, &out, &p);
            }
            Ok(exit_for(&p))
        }
        Command::Check {
            export_dir,
            apply,
            yes,
            json,
            common,
            api: a,
            state,
        } => {
            let client = api::connect(&a)?;
            let p = prepare_connected(&export_dir, &common, &client)?;
            let state = after::state_file(state.as_deref(), common.mapping.as_deref());
            let (ready, _) = api::check(&client, &p, apply, yes, quiet, &state, None, json)?;
            Ok(if ready {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Import {
            export_dir,
            dry_run,
            plan,
            out,
            common,
            api: a,
            load,
        } => {
            let mode = if dry_run {
                api::Mode::Plan { save: None }
            } else {
                api::Mode::Import {
                    plan: plan.as_deref(),
                }
            };
            let report = (!dry_run).then_some((out.as_path(), given[0].as_path()));
            import(&export_dir, &common, &a, &load, mode, report, quiet)
        }
        Command::Plan {
            export_dir,
            save,
            common,
            api: a,
            load,
        } => import(
            &export_dir,
            &common,
            &a,
            &load,
            api::Mode::Plan {
                save: save.as_deref(),
            },
            None,
            quiet,
        ),
        Command::Verify {
            export_dir,
            out,
            sample,
            seed,
            json,
            common,
            api: a,
            state,
        } => {
            let client = api::connect(&a)?;
            let p = prepare_connected(&export_dir, &common, &client)?;
            let state = after::state_file(state.as_deref(), common.mapping.as_deref());
            after::verify_cmd(&client, &p, &out, &state, sample, seed, json, quiet)
        }
        Command::Rollback {
            run,
            dry_run,
            yes,
            destroy,
            state,
            mapping,
            api: a,
        } => {
            let state = after::state_file(state.as_deref(), mapping.as_deref());
            after::rollback_cmd(run, &state, &a, dry_run, yes, destroy, quiet)
        }
        Command::Runs {
            state,
            mapping,
            json,
        } => after::runs_cmd(
            &after::state_file(state.as_deref(), mapping.as_deref()),
            quiet,
            json,
        ),
        Command::Report {
            export_dir,
            out,
            no_verify,
            common,
            api: a,
            state,
        } => {
            let connected = !no_verify && api::configured(&a);
            let client = connected.then(|| api::connect(&a)).transpose()?;
            let p = match &client {
                Some(client) => prepare_connected(&export_dir, &common, client)?,
                None => prepare(&export_dir, &common)?,
            };
            let verify_state = state.clone();
            let state = after::state_file(state.as_deref(), common.mapping.as_deref());
            let mut code = ExitCode::SUCCESS;
            let (workspace, v) = if let Some(client) = client {
                let v = after::run_verify(&client, &p, &state, &p.mapping.verify, quiet)?;
                if !v.passed {
                    code = ExitCode::from(1);
                }
                (Some(client.base_url().to_string()), Some(v))
            } else {
                (None, None)
            };
            let verify = v
                .is_none()
                .then(|| after::verify_command(&given[0], &common, verify_state.as_deref(), &out));
            let path = after::write_report(&out, &p, &state, workspace, v.as_ref(), verify)?;
            if !quiet {
                eprintln!("report: {}", path.display());
            }
            Ok(code)
        }
        Command::Migrate {
            export_dirs,
            out,
            common,
            api: a,
            load,
            yes,
        } => {
            if api::configured(&a) {
                if export_dirs.len() != 1 {
                    return Err(user(
                        "the API route takes one export folder at a time",
                        None,
                    ));
                }
                let dir = &export_dirs[0];
                let client = api::connect(&a)?;
                // Owners are found among the workspace's members.
                let members = api::workspace_members(&client)?;
                // The records the local job prepared are the ones imported (not prepared again).
                let (code, p) = migrate_local(dir, &out, &common, members, quiet)?;
                if code != ExitCode::SUCCESS {
                    return Ok(code);
                }
                // Never a write to a live workspace unannounced: what, where, how long; then ask.
                // The records the export may match are read once, here, and kept for the
                // check and the import.
                let known = api::announce(&client, &p, &a, &load, yes)?;
                let state = api::state_path(&load, common.mapping.as_deref());
                let (ready, known) =
                    api::check(&client, &p, true, true, quiet, &state, Some(known), false)?;
                if !ready {
                    return Err(user(
                        "the workspace is not ready for this import",
                        Some("see the plan above"),
                    ));
                }
                let code = api::import(
                    &client,
                    &p,
                    &a,
                    &load,
                    common.mapping.as_deref(),
                    api::Mode::Import { plan: None },
                    quiet,
                    Some(known),
                )?;
                // Verify what was written, and write the migration report.
                let state = api::state_path(&load, common.mapping.as_deref());
                let verified =
                    after::verify_cmd(&client, &p, &out, &state, None, None, false, quiet)?;
                return Ok(if code != ExitCode::SUCCESS {
                    code
                } else {
                    verified
                });
            }
            let many = export_dirs.len() > 1;
            let mut code = ExitCode::SUCCESS;
            for (dir, as_given) in export_dirs.iter().zip(&given) {
                let out = if many {
                    // A zip's outputs are named without `.zip`.
                    let name = if as_given.is_file() {
                        as_given.file_stem()
                    } else {
                        as_given.file_name()
                    };
                    out.join(
                        name.map(|n| n.to_string_lossy().to_string())
                            .unwrap_or_else(|| "export".into()),
                    )
                } else {
                    out.clone()
                };
                if many && !quiet {
                    eprintln!("== {}", as_given.display());
                }
                let c = migrate_one(dir, &out, &common, quiet)?;
                if c != ExitCode::SUCCESS {
                    code = c;
                }
            }
            Ok(code)
        }
    }
}

/// `import`, and `plan` (an import with nothing sent). `report` is the folder of the
/// migration report and the export as the user named it (for the verify command the report
/// says); `None` for a dry run.
fn import(
    dir: &Path,
    common: &Common,
    a: &crate::cli::Api,
    load: &crate::cli::Load,
    mode: api::Mode<'_>,
    report: Option<(&Path, &Path)>,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    let client = api::connect(a)?;
    let p = prepare_connected(dir, common, &client)?;
    let code = api::import(
        &client,
        &p,
        a,
        load,
        common.mapping.as_deref(),
        mode,
        quiet,
        None,
    )?;
    if let Some((out, given)) = report {
        // The migration report, in the output folder beside audit.html (without the
        // verification: `verify` reads the workspace back and adds it; the page says how).
        let state = api::state_path(load, common.mapping.as_deref());
        let verify = after::verify_command(given, common, load.state.as_deref(), out);
        let report = after::write_report(
            out,
            &p,
            &state,
            Some(client.base_url().to_string()),
            None,
            Some(verify.clone()),
        )?;
        if !quiet && !load.json {
            eprintln!(
                "report: {}\n  not verified yet: `{verify}` reads the workspace back and adds the verification to it",
                report.display()
            );
        }
    }
    // Files nothing was imported from (unmapped, unreadable, every row rejected) fail the run
    // even when every record it had was written.
    let local = exit_for(&p);
    Ok(if code == ExitCode::SUCCESS {
        local
    } else {
        code
    })
}

fn migrate_one(dir: &Path, out: &Path, common: &Common, quiet: bool) -> anyhow::Result<ExitCode> {
    let (code, p) = migrate_local(dir, out, common, Vec::new(), quiet)?;
    // Freeing millions of small values takes a while: a thread does it, and when this was the
    // last folder the process exits without waiting for it.
    std::thread::spawn(move || drop(p));
    Ok(code)
}

/// The local job on one folder (detect, propose, prepare, audit, export), and its records.
fn migrate_local(
    dir: &Path,
    out: &Path,
    common: &Common,
    workspace_members: Vec<c2t_pipeline::members::Member>,
    quiet: bool,
) -> anyhow::Result<(ExitCode, Prepared)> {
    check_dir(dir)?;
    let members = default_members(dir, common.members.as_deref());
    let mut phase = c2t_pipeline::timing::Phase::start("detect and propose");
    let p = prepare_with(dir, common, members, workspace_members, |proposal| {
        // Created once the run's inputs are read: a run that stops on them creates nothing.
        std::fs::create_dir_all(out)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
        if let Some(proposal) = proposal {
            let path = out.join("mapping.toml");
            std::fs::write(&path, render::render(proposal))
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            if !quiet {
                print_detection(proposal);
            }
        }
        phase.next("prepare");
        Ok(())
    })?;
    // The audit is built and written on its own thread while the export writes its files (they
    // only read what `prepare` made, and write different files).
    phase.next("audit and export");
    let (a, written) = std::thread::scope(|scope| {
        let audit = std::thread::Builder::new()
            .name("audit".into())
            .spawn_scoped(scope, || {
                let a = audit::build(&p);
                write_audit(&a, out)?;
                write_review(&p, out).map(|n| (a, n))
            })
            .map_err(|e| anyhow::anyhow!("cannot start the audit thread: {e}"));
        let written = export::write_all(&p, out)
            .map_err(|e| anyhow::anyhow!("cannot write to {}: {e}", out.display()));
        let a = audit.and_then(|h| h.join().expect("the audit thread does not panic"));
        (a, written)
    });
    let ((a, reviewed), written) = (a?, written?);
    drop(phase);
    if !quiet {
        eprint!("{}", audit::terminal(&a));
        eprintln!();
        print_written(&written, out, &p);
        eprintln!("  audit report: {}", out.join("audit.html").display());
        print_review_line(reviewed, out);
        if common.mapping.is_none() {
            eprintln!(
                "  proposed mapping: {} (edit it and pass --mapping to use it)",
                out.join("mapping.toml").display()
            );
        }
    }
    Ok((exit_for(&p), p))
}

fn exit_for(p: &Prepared) -> ExitCode {
    let unreadable = p.files.iter().any(|f| f.error.is_some());
    let unmapped = p.unmapped_files();
    for (path, rows) in &unmapped {
        eprintln!(
            "error: {path}: {rows} rows not imported: the file was not recognised as any Twenty object"
        );
    }
    if !unmapped.is_empty() {
        eprintln!(
            "hint: in the mapping (mapping.toml, or crm2twenty init), name each file's object (company, person, opportunity, note, task…), or give `reason = \"…\"` to leave it out on purpose"
        );
    }
    // A file of rows none of which became a record (all rejected) imports nothing from rows it
    // was given: the run must not look like a success.
    let mut nothing = false;
    for (file, c) in p.ledger.counts() {
        if c.read > 0 && c.imported + c.merged == 0 && c.rejected > 0 {
            nothing = true;
            let rows = if c.read == 1 { "row" } else { "rows" };
            eprintln!(
                "error: {file}: none of its {} {rows} is imported ({} rejected, see rejects.csv)",
                c.read, c.rejected
            );
        }
    }
    if nothing {
        eprintln!(
            "hint: the reasons are in rejects.csv; most often the mapping gives the file no column for the records' names"
        );
    }
    if unreadable || nothing || !unmapped.is_empty() || !p.ledger.totals().balances() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn check_dir(dir: &Path) -> anyhow::Result<()> {
    if !dir.exists() {
        return Err(user(
            format!("{} does not exist", dir.display()),
            Some("give the folder that holds the CRM's export files (.csv, .xlsx); check the path"),
        ));
    }
    if !dir.is_dir() {
        return Err(user(
            format!("{} is a file, not a folder", dir.display()),
            Some(
                "give the folder that holds the CRM's export files (.csv, .xlsx), not one of them",
            ),
        ));
    }
    Ok(())
}

/// `file "X", column "Y"` (how mapping problems name their place) → (`X`, `Y`).
fn place_parts(place: &str) -> (Option<&str>, Option<&str>) {
    let Some(rest) = place.strip_prefix("file \"") else {
        return (None, None);
    };
    let Some((file, rest)) = rest.split_once('"') else {
        return (None, None);
    };
    let column = rest
        .strip_prefix(", column \"")
        .and_then(|r| r.split_once('"'))
        .map(|(c, _)| c);
    (Some(file), column)
}

/// The line of the mapping text where a file's entry (`path = "X"`), one of its columns
/// (`column = "Y"`) or one of its keys (`object = …`) is written: the path's line, or the first
/// line after it and before the next `[[file]]` that holds the column or starts with the key.
fn mapping_line(text: &str, file: &str, column: Option<&str>, key: Option<&str>) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let path_key = format!("\"{file}\"");
    let start = lines.iter().position(|l| {
        let t = l.trim_start();
        t.starts_with("path") && t.contains(&path_key)
    })?;
    let col_key = column.map(|c| format!("\"{c}\""));
    if col_key.is_none() && key.is_none() {
        return Some(start + 1);
    }
    lines[start..]
        .iter()
        .enumerate()
        .skip(1)
        .take_while(|(_, l)| !l.trim_start().starts_with("[[file]]"))
        .find(|(_, l)| match (&col_key, key) {
            (Some(c), _) => l.contains("column") && l.contains(c.as_str()),
            (None, Some(k)) => l.trim_start().starts_with(k),
            (None, None) => false,
        })
        .map(|(i, _)| start + i + 1)
        .or(Some(start + 1))
}

fn c2t_ingest_headers(path: &Path) -> Result<Vec<String>, String> {
    c2t_pipeline::detect::headers_of(path).map_err(|e| e.to_string())
}

/// The members file: the one given, else members.csv / members.json in the export folder.
fn default_members(dir: &Path, given: Option<&Path>) -> Option<PathBuf> {
    if let Some(g) = given {
        return Some(g.to_path_buf());
    }
    ["members.csv", "members.json"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

fn propose_for(
    dir: &Path,
    preset: Option<&str>,
    members: Option<&Path>,
) -> anyhow::Result<propose::Proposal> {
    let all = presets::all();
    if let Some(name) = preset
        && !all.iter().any(|p| p.name == name)
    {
        return Err(user(
            format!("no preset named `{name}`"),
            Some(&format!("bundled presets: {}", presets::names().join(", "))),
        ));
    }
    let exclude: Vec<String> = members
        .and_then(|m| m.strip_prefix(dir).ok())
        .map(|rel| vec![rel.to_string_lossy().replace('\\', "/")])
        .unwrap_or_default();
    propose::propose(dir, &all, preset, &exclude).map_err(|e| {
        user(
            e.to_string(),
            Some("the folder should hold the CSV or Excel files exported from the CRM"),
        )
    })
}

/// Files of a hand-written mapping that name an object and no columns get the columns `init`
/// would propose, and the user is told.
fn complete_columns(dir: &Path, mapping: &mut Mapping) {
    for f in propose::complete_columns(dir, mapping, &presets::all()) {
        eprintln!(
            "note: {f}: the mapping names its object but no columns; the columns `init` proposes \
             for it are used (`crm2twenty init` writes them out to review)"
        );
    }
}

fn load_mapping(path: &Path) -> anyhow::Result<Mapping> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        user(
            format!("cannot read the mapping {}: {e}", path.display()),
            Some("create one with `crm2twenty init EXPORT_DIR`"),
        )
    })?;
    Mapping::from_toml(&text).map_err(|e| user(format!("{}: {e}", path.display()), None))
}

fn job_error(e: job::JobError) -> anyhow::Error {
    match e {
        job::JobError::Mapping(_) => user(
            e.to_string(),
            Some("fix the mapping file; `crm2twenty validate` checks it against the export"),
        ),
        other => user(other.to_string(), None),
    }
}

pub fn prepare(dir: &Path, common: &Common) -> anyhow::Result<Prepared> {
    check_dir(dir)?;
    let members = default_members(dir, common.members.as_deref());
    prepare_with(dir, common, members, Vec::new(), |_| Ok(()))
}

/// [`prepare`] for a run connected to a workspace: owners are also found among its members.
pub fn prepare_connected(dir: &Path, common: &Common, client: &Client) -> anyhow::Result<Prepared> {
    check_dir(dir)?;
    let members = default_members(dir, common.members.as_deref());
    prepare_with(
        dir,
        common,
        members,
        api::workspace_members(client)?,
        |_| Ok(()),
    )
}

/// Runs the local job with the mapping given, or with the one proposed for `dir`. `ready` is
/// called once the mapping is known, just before the job, with the proposal when there is one;
/// a proposal's row count sizes the job's record list.
fn prepare_with(
    dir: &Path,
    common: &Common,
    members: Option<PathBuf>,
    workspace_members: Vec<c2t_pipeline::members::Member>,
    ready: impl FnOnce(Option<&propose::Proposal>) -> anyhow::Result<()>,
) -> anyhow::Result<Prepared> {
    // Read first: a review that cannot be used stops the run before anything is written.
    let review = match &common.review {
        Some(path) => c2t_pipeline::review::Review::read(path).map_err(|e| {
            user(
                e.to_string(),
                Some("write `keep`, `merge` or `skip` in its decision column, as the file written by `audit` or `migrate` has them"),
            )
        })?,
        None => Default::default(),
    };
    let (mapping, expected_rows) = match &common.mapping {
        Some(path) => {
            let mut mapping = load_mapping(path)?;
            complete_columns(dir, &mut mapping);
            ready(None)?;
            (mapping, None)
        }
        None => {
            let proposal = propose_for(dir, common.preset.as_deref(), members.as_deref())?;
            ready(Some(&proposal))?;
            let rows = proposal.mapped_rows();
            (proposal.mapping, Some(rows))
        }
    };
    job::prepare(
        dir,
        mapping,
        &Options {
            as_of: common.as_of.clone(),
            members_file: members,
            workspace_members,
            expected_rows,
            review,
        },
    )
    .map_err(job_error)
}

/// Says where the review file is and how to use it.
fn print_review_line(rows: usize, out: &Path) {
    if rows > 0 {
        eprintln!(
            "  decisions to review: {} ({rows} merges and skips; change a row's decision to `keep`, then run again with --review {})",
            out.join("review.csv").display(),
            out.join("review.csv").display()
        );
    }
}

/// Writes review.csv into `out`: the merges, test data and stale rows decided, for a person
/// to change and give back with --review.
pub(crate) fn write_review(p: &Prepared, out: &Path) -> anyhow::Result<usize> {
    std::fs::create_dir_all(out)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
    c2t_pipeline::review::write(p, &p.review, &out.join("review.csv"))
        .map_err(|e| anyhow::anyhow!("cannot write review.csv: {e}"))
}

/// Writes audit.json and audit.html into `out`; audit.html links to report.html when one is
/// there.
pub(crate) fn write_audit(a: &audit::Audit, out: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(out)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
    // Both are written as they are rendered: at a million rows they are tens of megabytes each.
    let file = |name: &str| -> anyhow::Result<std::io::BufWriter<std::fs::File>> {
        std::fs::File::create(out.join(name))
            .map(std::io::BufWriter::new)
            .map_err(|e| anyhow::anyhow!("cannot write {name}: {e}"))
    };
    let mut json = file("audit.json")?;
    serde_json::to_writer_pretty(&mut json, a)
        .map_err(anyhow::Error::from)
        .and_then(|()| json.into_inner().map_err(|e| e.into_error().into()))
        .map_err(|e| anyhow::anyhow!("cannot write audit.json: {e}"))?;
    let mut page = FmtToIo {
        out: file("audit.html")?,
        error: None,
    };
    html::render_page(&mut page, a, out.join("report.html").is_file());
    page.error
        .map_or_else(|| page.out.into_inner().map_err(|e| e.into_error()), Err)
        .map_err(|e| anyhow::anyhow!("cannot write audit.html: {e}"))?;
    Ok(())
}

/// Text written with `write!` going to a file; the first I/O error is kept (`fmt::Write`
/// cannot carry it) and the rest is not written.
struct FmtToIo<W: std::io::Write> {
    out: W,
    error: Option<std::io::Error>,
}

impl<W: std::io::Write> std::fmt::Write for FmtToIo<W> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.error.is_some() {
            return Err(std::fmt::Error);
        }
        self.out.write_all(s.as_bytes()).map_err(|e| {
            self.error = Some(e);
            std::fmt::Error
        })
    }
}

fn print_detection(p: &propose::Proposal) {
    eprintln!("detected: {}", p.preset_label);
    for f in &p.mapping.files {
        if p.unreadable.iter().any(|(u, _)| *u == f.path) {
            continue; // listed below, with the reason
        }
        let rows = p.notes.get(&f.path).map(|n| n.rows).unwrap_or(0);
        let what = match f.object.as_str() {
            "skip" if f.reason.is_some() => {
                format!("not imported: {}", f.reason.as_deref().unwrap_or_default())
            }
            "skip" => "NOT RECOGNISED: nothing of it is imported".to_string(),
            "workspaceMember" => "users (owner lookup)".to_string(),
            o => o.to_string(),
        };
        eprintln!("  {:<48} {:>6} rows  → {what}", f.path, rows);
    }
    for (f, e) in &p.unreadable {
        eprintln!("  {f}: unreadable: {e}");
    }
}

fn print_written(written: &[export::Written], out: &Path, p: &Prepared) {
    eprintln!("  Twenty-ready files in {}:", out.display());
    for w in written {
        let note = if w.object.ends_with("Target") || w.object == "note" || w.object == "task" {
            "  (links need the API route)"
        } else {
            ""
        };
        eprintln!(
            "    {:<32} {:>6} rows{note}",
            w.path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default(),
            w.rows
        );
    }
    eprintln!("    rejects.csv, ledger.csv");
    if !p.attachments.is_empty() {
        eprintln!(
            "  attachments: {} files ({}) are not in these files: Twenty's importer takes no files; \
             the API route (`crm2twenty import`) uploads them and attaches each to its record",
            p.attachments.len(),
            crate::api::bytes_text(p.attachments.values().map(|f| f.size).sum())
        );
    }
}
