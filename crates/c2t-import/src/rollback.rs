//! Undoing import runs from the state store: what a run created is deleted (targets first, then
//! notes and tasks, opportunities, people, companies — the reverse of the order they were
//! written), and what it updated gets back the values it had before (saved before each update).
//!
//! In bulk: deletes go 200 records a request (GraphQL `deleteXs`/`destroyXs` on their ids; Twenty's
//! server caps neither), restores one read and one upsert a batch. On Twenty 2.x the targets of
//! the notes and tasks a rollback deletes are not sent: the server's note and task hooks take
//! them along (recorded on a live 2.19, `docs/evidence/live-2x/ceiling.md`), and they are logged
//! once their note or task is gone.
//!
//! Only records the run's batches carried are touched, and a record whose batch the server
//! refused is left alone (nothing was written). Every undone record is logged in the state store
//! in the same step, so a rollback that is killed and run again goes on where it stopped; a
//! record already gone from the workspace is counted as such and not an error.
//!
//! Which runs: the one named and every later one (newest first: later runs built on it), or by
//! default the last run together with the interrupted runs it resumed.

use crate::workspace::Workspace;
use c2t_state::{BatchStatus, Run, RunStatus, RunWrite, StateError, Store, UndoAction};
use c2t_twenty::{ApiError, Client};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum RollbackError {
    #[error("{0}")]
    Api(#[from] ApiError),
    #[error("{0}")]
    State(#[from] StateError),
    #[error("{0}")]
    Nothing(String),
    /// Stopped by the `stop` flag (Ctrl-C) between two requests; what was undone is logged.
    #[error("interrupted")]
    Interrupted,
}

/// One step of a rollback.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub run: i64,
    pub write: RunWrite,
    /// `delete` or `restore`.
    pub action: &'static str,
    /// Already done by an earlier, interrupted rollback.
    pub done: bool,
    /// What the record is called, when the import said (state files of older versions do not).
    pub name: Option<String>,
}

/// What a rollback will do, or did.
#[derive(Debug, Clone, Serialize, Default)]
pub struct RollbackPlan {
    /// The runs undone, newest first.
    pub runs: Vec<i64>,
    pub steps: Vec<Step>,
    /// Records the runs sent but the server refused (nothing to undo).
    pub refused: usize,
}

impl Step {
    /// (run, object, source key): the record a step undoes.
    fn record(&self) -> (i64, &str, &str) {
        (self.run, &self.write.object, &self.write.source_key)
    }

    /// For a note's or task's target, the [`Step::record`] of its note or task: a target's
    /// source key is `<owner key>-><target key>` (`payload::targets`).
    fn owner(&self) -> Option<(i64, &str, &str)> {
        let owner = self.write.object.strip_suffix("Target")?;
        let key = self.write.source_key.split("->").next()?;
        Some((self.run, owner, key))
    }
}

impl RollbackPlan {
    /// The requests the steps not done yet take, grouped as [`rollback`] sends them: deletes a
    /// mass mutation's worth a request; restores of one object one read and one upsert a
    /// batch (`batch`: the server's largest), a lone one a single update; records the import
    /// revived from the trash one more mass delete. With `targets_follow` (Twenty 2.x), the
    /// targets of notes and tasks deleted too cost nothing. Reads of the schema not counted.
    pub fn requests(&self, batch: usize, targets_follow: bool) -> usize {
        // Notes and tasks this rollback deletes: created by the runs, or revived by them.
        let deleted: std::collections::HashSet<(i64, &str, &str)> = self
            .steps
            .iter()
            .filter(|s| targets_follow && !s.done)
            .filter(|s| s.action == "delete" || previous_values(&s.write).1)
            .map(Step::record)
            .collect();
        let follows =
            |s: &Step| s.action == "delete" && s.owner().is_some_and(|o| deleted.contains(&o));
        let mut groups: BTreeMap<(i64, &str, &str), (usize, usize)> = BTreeMap::new();
        for s in self.steps.iter().filter(|s| !s.done && !follows(s)) {
            let g = groups
                .entry((s.run, s.write.object.as_str(), s.action))
                .or_default();
            g.0 += 1;
            if s.action == "restore" && previous_values(&s.write).1 {
                g.1 += 1;
            }
        }
        groups
            .iter()
            .map(|((_, _, action), &(n, revived))| {
                let again = revived.div_ceil(c2t_twenty::MASS_MUTATION_MAX);
                match *action {
                    "delete" => n.div_ceil(c2t_twenty::MASS_MUTATION_MAX),
                    _ if n == 1 => 1 + revived,
                    _ => 2 * n.div_ceil(batch.max(1)) + again,
                }
            })
            .sum()
    }
}

/// Per object: what was done.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UndoCounts {
    pub deleted: usize,
    pub restored: usize,
    pub gone: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RollbackSummary {
    pub runs: Vec<i64>,
    pub objects: BTreeMap<String, UndoCounts>,
    /// Steps done by an earlier, interrupted rollback.
    pub resumed: usize,
    /// Why deletes went one request a record: the server refused the mass mutation (GraphQL
    /// `deleteXs`/`destroyXs`, not yet seen on a real server), in its words.
    pub one_by_one: Option<String>,
}

/// Progress, for the command line.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RollbackEvent {
    Undone {
        object: String,
        id: String,
        action: &'static str,
        done: usize,
        total: usize,
    },
}

/// The runs to undo: `from` and every later run not rolled back yet (newest first); by default
/// the last run not rolled back, with the failed or interrupted runs right before it (the runs
/// it resumed).
pub fn runs_to_undo(store: &Store, from: Option<i64>) -> Result<Vec<Run>, RollbackError> {
    let runs = store.runs()?;
    let live: Vec<&Run> = runs
        .iter()
        .filter(|r| r.status != RunStatus::RolledBack)
        .collect();
    let mut out: Vec<Run> = match from {
        Some(id) => {
            let Some(run) = runs.iter().find(|r| r.id == id) else {
                return Err(RollbackError::Nothing(format!(
                    "there is no run {id} in the state file (runs: {})",
                    runs.iter()
                        .map(|r| r.id.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            };
            if run.status == RunStatus::RolledBack {
                return Err(RollbackError::Nothing(format!(
                    "run {id} was already rolled back{}",
                    run.finished_at
                        .as_deref()
                        .map(|t| format!(" ({t})"))
                        .unwrap_or_default()
                )));
            }
            live.into_iter().filter(|r| r.id >= id).cloned().collect()
        }
        None => {
            // Runs that wrote nothing (an import with nothing new to send) do not count.
            let mut wrote = Vec::new();
            for r in &runs {
                if store.run_wrote(r.id)? {
                    wrote.push(r);
                }
            }
            let live: Vec<&Run> = wrote
                .iter()
                .copied()
                .filter(|r| r.status != RunStatus::RolledBack)
                .collect();
            // The newest run rolled back already: do not reach further back by default.
            if let Some(newest) = wrote.last().filter(|r| r.status == RunStatus::RolledBack) {
                // Say which earlier run is still there to undo, by name: rolling back the
                // last run twice must not silently reach further back.
                let earlier = live
                    .last()
                    .map(|r| {
                        format!(
                            "; run {} is the latest not rolled back: `crm2twenty rollback {}` undoes it and every later run",
                            r.id, r.id
                        )
                    })
                    .unwrap_or_default();
                return Err(RollbackError::Nothing(format!(
                    "the last run ({}) was already rolled back{earlier}",
                    newest.id
                )));
            }
            let Some(last) = live.last() else {
                return Err(RollbackError::Nothing(
                    "no import run to roll back in the state file".into(),
                ));
            };
            let mut chain = vec![(*last).clone()];
            for r in live.iter().rev().skip(1) {
                if matches!(
                    r.status,
                    RunStatus::Failed | RunStatus::Running | RunStatus::Interrupted
                ) {
                    chain.push((*r).clone());
                } else {
                    break;
                }
            }
            chain.reverse();
            chain
        }
    };
    out.sort_by_key(|r| std::cmp::Reverse(r.id));
    Ok(out)
}

/// The steps of undoing `runs` (newest first): per run, the restores, then the deletes in the
/// reverse of the order the objects were written.
pub fn plan(store: &Store, runs: &[Run]) -> Result<RollbackPlan, RollbackError> {
    let mut out = RollbackPlan::default();
    for run in runs {
        out.runs.push(run.id);
        let writes = store.run_writes(run.id)?;
        let log = store.undo_log(run.id)?;
        let mut order: Vec<String> = Vec::new();
        for w in &writes {
            if !order.contains(&w.object) {
                order.push(w.object.to_string());
            }
        }
        let mut restores = Vec::new();
        let mut deletes: BTreeMap<usize, Vec<Step>> = BTreeMap::new();
        for w in writes {
            if w.outcome == BatchStatus::Failed {
                out.refused += 1;
                continue;
            }
            let done = log.contains_key(&(w.object.to_string(), w.source_key.clone()));
            let name = store.name_of(&w.object, &w.source_key)?;
            if w.created {
                let rank = order.len() - order.iter().position(|o| *o == w.object).unwrap_or(0);
                deletes.entry(rank).or_default().push(Step {
                    run: run.id,
                    write: w,
                    action: "delete",
                    done,
                    name,
                });
            } else {
                restores.push(Step {
                    run: run.id,
                    write: w,
                    action: "restore",
                    done,
                    name,
                });
            }
        }
        out.steps.extend(restores);
        out.steps.extend(deletes.into_values().flatten());
    }
    Ok(out)
}

/// Carries out `plan`. Soft delete unless `destroy`. The runs are marked rolled back once every
/// step is done. `stop` (set by a Ctrl-C) ends it between two requests with
/// [`RollbackError::Interrupted`]; running it again goes on from the undo log.
pub fn rollback(
    client: &Client,
    ws: &Workspace,
    store: &mut Store,
    plan: &RollbackPlan,
    destroy: bool,
    stop: Option<&std::sync::atomic::AtomicBool>,
    on_event: &mut dyn FnMut(RollbackEvent),
) -> Result<RollbackSummary, RollbackError> {
    let mut summary = RollbackSummary {
        runs: plan.runs.clone(),
        ..RollbackSummary::default()
    };
    let total = plan.steps.len();
    // On Twenty 2.x deleting a note or a task deletes its targets with it (a soft delete by the
    // server's note and task hooks, a destroy by the foreign key; recorded on a live 2.19,
    // `docs/evidence/live-2x/ceiling.md` Q1): the targets of notes and tasks this rollback
    // deletes are not sent, but logged once their note or task is gone. 1.5's behaviour is
    // not known: there every target is deleted by itself.
    let follow = ws.caps.target_fields == c2t_twenty::TargetStyle::Morph;
    let deleted_owners: std::collections::HashSet<(i64, &str, &str)> = plan
        .steps
        .iter()
        .filter(|s| follow && s.action == "delete" && !s.done)
        .filter(|s| matches!(s.write.object.as_str(), "note" | "task"))
        .map(Step::record)
        .collect();
    // Targets waiting for their note or task: (run, owner object, owner key) → steps.
    let mut waiting: BTreeMap<(i64, &str, &str), Vec<&Step>> = BTreeMap::new();
    // Notes and tasks the import had revived from the trash, deleted again by their restore
    // (restores come first): their targets went with them too.
    let mut redeleted: BTreeMap<(i64, &str, &str), UndoAction> = BTreeMap::new();
    let mut count = 0;
    let mut i = 0;
    while i < plan.steps.len() {
        let step = &plan.steps[i];
        let w = &step.write;
        if step.done {
            summary.resumed += 1;
            count += 1;
            i += 1;
            continue;
        }
        if stop.is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed)) {
            return Err(RollbackError::Interrupted);
        }
        let Some(meta) = ws.object(&w.object) else {
            return Err(RollbackError::Nothing(format!(
                "the workspace has no object `{}` any more; cannot undo its records",
                w.object
            )));
        };
        let plural = meta.name_plural.as_str();
        if step.action == "delete" {
            // Deletes of one object follow each other in the plan: up to a mass mutation's worth
            // of them go in one request, and each is logged as soon as the answer is in (a
            // rollback killed in between sends the chunk again: idempotent).
            let mut j = i;
            while j < plan.steps.len()
                && j - i < c2t_twenty::MASS_MUTATION_MAX
                && plan.steps[j].action == "delete"
                && !plan.steps[j].done
                && plan.steps[j].write.object == w.object
                && plan.steps[j].run == step.run
            {
                j += 1;
            }
            let mut sent = Vec::new();
            for s in &plan.steps[i..j] {
                match s.owner() {
                    Some(owner) if deleted_owners.contains(&owner) => {
                        waiting.entry(owner).or_default().push(s)
                    }
                    Some(owner) if redeleted.contains_key(&owner) => {
                        let action = match redeleted[&owner] {
                            UndoAction::Gone => UndoAction::Gone,
                            _ => UndoAction::Deleted,
                        };
                        count += 1;
                        undone(store, &mut summary, s, action, count, total, on_event)?;
                    }
                    _ => sent.push(s),
                }
            }
            let ids: Vec<String> = sent.iter().map(|s| s.write.twenty_id.clone()).collect();
            let hit = if ids.is_empty() {
                Default::default()
            } else {
                delete_many(client, plural, &ids, destroy, &mut summary.one_by_one)?
            };
            for s in sent {
                let action = if hit.contains(&s.write.twenty_id) {
                    UndoAction::Deleted
                } else {
                    UndoAction::Gone
                };
                count += 1;
                undone(store, &mut summary, s, action, count, total, on_event)?;
                // Its targets went with it (or were gone with it before).
                for t in waiting.remove(&s.record()).unwrap_or_default() {
                    count += 1;
                    undone(store, &mut summary, t, action, count, total, on_event)?;
                }
            }
            i = j;
            continue;
        }
        // Restores of one object follow each other too: a batch of them is put back with one
        // upsert on their ids (the import's own write), after one read saying which are still
        // there (an upsert would create a record deleted since).
        let mut j = i;
        while j < plan.steps.len()
            && j - i < c2t_twenty::BATCH_MAX.min(client.max_batch())
            && plan.steps[j].action == "restore"
            && !plan.steps[j].done
            && plan.steps[j].write.object == w.object
            && plan.steps[j].run == step.run
        {
            j += 1;
        }
        let chunk = &plan.steps[i..j];
        let actions = restore_chunk(
            client,
            plural,
            chunk,
            // As the import wrote (the schema read leaves the capability unknown).
            ws.caps.target_fields == c2t_twenty::TargetStyle::Morph,
            destroy,
            &mut summary.one_by_one,
        )?;
        for (s, action) in chunk.iter().zip(actions) {
            if follow
                && matches!(s.write.object.as_str(), "note" | "task")
                && previous_values(&s.write).1
            {
                redeleted.insert(s.record(), action);
            }
            count += 1;
            undone(store, &mut summary, s, action, count, total, on_event)?;
        }
        i = j;
    }
    // Every waiting target's note or task is in the plan, after it: none is left waiting.
    debug_assert!(waiting.is_empty());
    for &run in &plan.runs {
        store.finish_run(run, RunStatus::RolledBack)?;
    }
    Ok(summary)
}

/// Logs one undone step and counts it.
fn undone(
    store: &mut Store,
    summary: &mut RollbackSummary,
    step: &Step,
    action: UndoAction,
    done: usize,
    total: usize,
    on_event: &mut dyn FnMut(RollbackEvent),
) -> Result<(), RollbackError> {
    let w = &step.write;
    store.undone(step.run, w, action)?;
    let c = summary.objects.entry(w.object.to_string()).or_default();
    match action {
        UndoAction::Deleted => c.deleted += 1,
        UndoAction::Restored => c.restored += 1,
        UndoAction::Gone => c.gone += 1,
    }
    on_event(RollbackEvent::Undone {
        object: w.object.to_string(),
        id: w.twenty_id.clone(),
        action: action.as_str(),
        done,
        total,
    });
    Ok(())
}

/// Puts back the values the updates of `chunk` (one object) replaced, and deletes again the
/// records the import revived from the trash: one read (which records are still there), one
/// upsert on their ids with the previous values, and a mass delete of the revived ones, where
/// one request a record was needed before. A record no longer there (deleted since the import)
/// is left alone and counted as gone, as a single update would find it. A server that refuses
/// the read or the batch (a previous value it no longer takes, say) gets the records one at a
/// time, each with its own answer.
fn restore_chunk(
    client: &Client,
    plural: &str,
    chunk: &[Step],
    rest_upsert: bool,
    destroy: bool,
    one_by_one: &mut Option<String>,
) -> Result<Vec<UndoAction>, ApiError> {
    let singly = |client: &Client| -> Result<Vec<UndoAction>, ApiError> {
        chunk
            .iter()
            .map(|s| restore(client, plural, &s.write, destroy))
            .collect()
    };
    if chunk.len() == 1 {
        return singly(client);
    }
    let ids: Vec<&str> = chunk.iter().map(|s| s.write.twenty_id.as_str()).collect();
    let filter = serde_json::json!({ "id": { "in": ids } });
    let live: std::collections::HashSet<String> =
        match client.find_page(plural, &filter, &["id"], None) {
            Ok(first) => client
                .find_rest(plural, &filter, &["id"], first)?
                .iter()
                .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_string))
                .collect(),
            Err(ApiError::Rejected { .. }) => return singly(client),
            Err(e) => return Err(e),
        };
    let mut patches = Vec::new();
    let mut revived = Vec::new();
    for s in chunk.iter().filter(|s| live.contains(&s.write.twenty_id)) {
        let (mut patch, was_deleted) = previous_values(&s.write);
        if was_deleted {
            revived.push(s.write.twenty_id.clone());
        }
        if !patch.is_empty() {
            patch.insert("id".into(), Value::String(s.write.twenty_id.clone()));
            patches.push(Value::Object(patch));
        }
    }
    if !patches.is_empty() {
        let sent = if rest_upsert {
            client.batch_create(plural, &patches, true)
        } else {
            client.graphql_create_many(plural, &patches, true)
        };
        match sent {
            Ok(_) => {}
            // A refused batch wrote nothing: each record on its own says which one and why (a
            // server whose batches are smaller too).
            Err(
                ApiError::Rejected { .. } | ApiError::Duplicate { .. } | ApiError::TooLarge { .. },
            ) => return singly(client),
            Err(e) => return Err(e),
        }
    }
    if !revived.is_empty() {
        delete_many(client, plural, &revived, destroy, one_by_one)?;
    }
    Ok(chunk
        .iter()
        .map(|s| {
            if live.contains(&s.write.twenty_id) {
                UndoAction::Restored
            } else {
                UndoAction::Gone
            }
        })
        .collect())
}

/// Deletes `ids` (soft unless `destroy`) a mass mutation at a time, or one request a record
/// once the server has refused a mass mutation (`one_by_one` says why). Returns the ids the
/// server deleted (all of them, one by one: a record already gone is no error there).
fn delete_many(
    client: &Client,
    plural: &str,
    ids: &[String],
    destroy: bool,
    one_by_one: &mut Option<String>,
) -> Result<std::collections::HashSet<String>, ApiError> {
    let op = if destroy {
        c2t_twenty::MassOp::Destroy
    } else {
        c2t_twenty::MassOp::Delete
    };
    if one_by_one.is_none() {
        match client.mass_mutation(plural, op, ids) {
            Ok(hit) => return Ok(hit.into_iter().collect()),
            Err(ApiError::Rejected { messages, .. }) => *one_by_one = Some(messages.join("; ")),
            Err(e) => return Err(e),
        }
    }
    // REST, a record a request (idempotent: a record already gone is no error).
    for id in ids {
        client.delete(plural, id, !destroy)?;
    }
    Ok(ids.iter().cloned().collect())
}

/// The values an update replaced (without `deletedAt`), and whether the import brought the
/// record back from the trash.
fn previous_values(w: &RunWrite) -> (serde_json::Map<String, Value>, bool) {
    let mut patch = match &w.previous {
        Some(Value::Object(m)) => m.clone(),
        _ => serde_json::Map::new(),
    };
    let was_deleted = patch.remove("deletedAt").is_some_and(|v| !v.is_null());
    (patch, was_deleted)
}

/// Puts back the values an update replaced; a record that was deleted before the import revived
/// it is deleted again.
fn restore(
    client: &Client,
    plural: &str,
    w: &RunWrite,
    destroy: bool,
) -> Result<UndoAction, ApiError> {
    let (patch, was_deleted) = previous_values(w);
    if !patch.is_empty() {
        match client.update(plural, &w.twenty_id, &Value::Object(patch)) {
            Ok(_) => {}
            Err(e) if e.is_not_found() => return Ok(UndoAction::Gone),
            Err(e) => return Err(e),
        }
    }
    if was_deleted {
        client.delete(plural, &w.twenty_id, !destroy)?;
    }
    Ok(UndoAction::Restored)
}

/// The plan for a person to read before saying yes.
pub fn render(plan: &RollbackPlan, destroy: bool) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let runs: Vec<String> = plan.runs.iter().map(|r| r.to_string()).collect();
    let _ = writeln!(o, "Rollback of run {} (newest first):", runs.join(", "));
    let mut per: BTreeMap<(&str, &str), (usize, usize)> = BTreeMap::new();
    for s in &plan.steps {
        let e = per.entry((s.write.object.as_str(), s.action)).or_default();
        if s.done {
            e.1 += 1;
        } else {
            e.0 += 1;
        }
    }
    for ((object, action), (todo, done)) in &per {
        let verb = match (*action, destroy) {
            ("delete", true) => "delete permanently",
            ("delete", false) => "delete (soft: restorable in Twenty)",
            _ => "restore previous values of",
        };
        let _ = write!(o, "  {verb} {todo} {object}");
        if *done > 0 {
            let _ = write!(o, " ({done} already done by an interrupted rollback)");
        }
        let _ = writeln!(o);
        // Which ones, by name (the first few).
        const SHOWN: usize = 8;
        let names: Vec<&str> = plan
            .steps
            .iter()
            .filter(|s| !s.done && s.write.object == *object && s.action == *action)
            .filter_map(|s| s.name.as_deref())
            .collect();
        if !names.is_empty() {
            let more = if names.len() > SHOWN {
                format!(", and {} more", todo - SHOWN.min(*todo))
            } else {
                String::new()
            };
            let _ = writeln!(
                o,
                "      {}{more}",
                names
                    .iter()
                    .take(SHOWN)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    if plan.refused > 0 {
        let _ = writeln!(
            o,
            "  {} records the server refused: nothing to undo",
            plan.refused
        );
    }
    if plan.steps.is_empty() {
        let _ = writeln!(o, "  nothing was written by these runs");
    }
    o
}
