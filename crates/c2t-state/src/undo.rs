//! What a run wrote, as rollback needs it, and the undo log that makes a rollback resumable.
//!
//! A run's writes are read from its batches, not from `records` (which only knows each record's
//! latest write): for every record a batch of the run carried, the *first* time the run sent it,
//! whether it existed in the workspace then and the values it had. Rolling back run after run,
//! newest first, so puts every record back as it was before the oldest one.

use std::collections::HashSet;

use rusqlite::params;
use serde::Serialize;
use serde_json::Value;

use crate::error::{Ctx, StateError};
use crate::model::BatchStatus;
use crate::store::{Store, immediate, run_exists, unknown_run};

/// One record a run sent, the first time the run sent it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunWrite {
    /// Twenty object name (singular), e.g. `company`, `noteTarget`.
    pub object: String,
    /// The record's key in the source export.
    pub source_key: String,
    /// The record's id in Twenty.
    pub twenty_id: String,
    /// True when the run created it (it was not in the workspace before the run sent it).
    pub created: bool,
    /// For an update: the values the fields it wrote had before (JSON object).
    pub previous: Option<Value>,
    /// The outcome of the batch that carried it: `confirmed`, `failed` (nothing was written), or
    /// `sending` (a crash left it unknown).
    pub outcome: BatchStatus,
}

/// What a rollback did to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UndoAction {
    /// The record the run created was deleted.
    Deleted,
    /// The record the run updated got its previous values back.
    Restored,
    /// The record was no longer in the workspace: nothing to do.
    Gone,
}

impl UndoAction {
    pub fn as_str(self) -> &'static str {
        match self {
            UndoAction::Deleted => "deleted",
            UndoAction::Restored => "restored",
            UndoAction::Gone => "gone",
        }
    }
}

impl Store {
    /// Every record the batches of `run` carried, once each (its first send in the run), in the
    /// order they were sent.
    pub fn run_writes(&self, run: i64) -> Result<Vec<RunWrite>, StateError> {
        const OP: &str = "listing what a run wrote";
        let rows: Vec<(String, String, String, bool, Option<String>, String)> = self
            .conn
            .prepare_cached(
                "SELECT b.object, bi.source_key, bi.twenty_id, bi.existed_before, bi.previous,
                        b.status
                 FROM batch_items bi JOIN batches b ON b.id = bi.batch_id
                 WHERE b.run_id = ?1 ORDER BY b.id, bi.pos",
            )
            .and_then(|mut st| {
                st.query_map([run], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })?
                .collect()
            })
            .ctx(&self.path, OP)?;
        let mut seen = HashSet::new();
        let mut confirmed = HashSet::new();
        let mut out: Vec<RunWrite> = Vec::new();
        for (object, source_key, twenty_id, existed, previous, status) in rows {
            let outcome = status
                .parse::<BatchStatus>()
                .map_err(|e| StateError::Other {
                    path: self.path.clone(),
                    op: OP,
                    source: Box::new(e),
                })?;
            let key = (object.clone(), source_key.clone());
            if outcome == BatchStatus::Confirmed {
                confirmed.insert(key.clone());
            }
            if !seen.insert(key) {
                continue;
            }
            let previous = match previous {
                Some(text) => Some(serde_json::from_str(&text).map_err(|e| StateError::Other {
                    path: self.path.clone(),
                    op: OP,
                    source: Box::new(e),
                })?),
                None => None,
            };
            out.push(RunWrite {
                object,
                source_key,
                twenty_id,
                created: !existed,
                previous,
                outcome,
            });
        }
        // A record whose first batch failed (bisected) but a later one of the run was confirmed
        // was written: its outcome is the confirmation.
        for w in &mut out {
            if confirmed.contains(&(w.object.clone(), w.source_key.clone())) {
                w.outcome = BatchStatus::Confirmed;
            }
        }
        Ok(out)
    }

    /// Whether the batches of `run` carried any record (an import with nothing new to send
    /// writes nothing).
    pub fn run_wrote(&self, run: i64) -> Result<bool, StateError> {
        const OP: &str = "checking whether a run wrote";
        self.conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM batch_items bi JOIN batches b ON b.id = bi.batch_id
                                WHERE b.run_id = ?1)",
            )
            .and_then(|mut st| st.query_row([run], |r| r.get(0)))
            .ctx(&self.path, OP)
    }

    /// Records that a rollback of `run` dealt with one record, and forgets the record's import
    /// state (the next import treats it as new), in one transaction.
    pub fn undone(&mut self, run: i64, w: &RunWrite, action: UndoAction) -> Result<(), StateError> {
        const OP: &str = "recording an undo";
        let now = self.now(OP)?;
        let p = self.path.as_path();
        let tx = immediate(&mut self.conn, p, OP)?;
        if !run_exists(&tx, run).ctx(p, OP)? {
            return Err(unknown_run(p, OP, run));
        }
        tx.execute(
            "INSERT OR REPLACE INTO undo_log (run_id, object, source_key, twenty_id, action, done_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                run,
                w.object,
                w.source_key,
                w.twenty_id,
                action.as_str(),
                now
            ],
        )
        .ctx(p, OP)?;
        tx.execute(
            "DELETE FROM records WHERE object = ?1 AND source_key = ?2",
            params![w.object, w.source_key],
        )
        .ctx(p, OP)?;
        tx.commit().ctx(p, OP)
    }

    /// The records a rollback of `run` already dealt with: (object, source key) → action.
    pub fn undo_log(
        &self,
        run: i64,
    ) -> Result<std::collections::HashMap<(String, String), UndoAction>, StateError> {
        const OP: &str = "reading the undo log";
        let rows: Vec<(String, String, String)> = self
            .conn
            .prepare_cached("SELECT object, source_key, action FROM undo_log WHERE run_id = ?1")
            .and_then(|mut st| {
                st.query_map([run], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .ctx(&self.path, OP)?;
        Ok(rows
            .into_iter()
            .map(|(o, k, a)| {
                let a = match a.as_str() {
                    "deleted" => UndoAction::Deleted,
                    "restored" => UndoAction::Restored,
                    _ => UndoAction::Gone,
                };
                ((o, k), a)
            })
            .collect())
    }
}

/// One change `check --apply` made to the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkspaceChange {
    pub done_at: String,
    pub workspace_url: String,
    /// `created field company.tier`, `added options LOST to opportunity.stage`…
    pub what: String,
}

impl Store {
    /// Records what `check --apply` created in the workspace, in one transaction.
    pub fn workspace_changed(
        &mut self,
        workspace_url: &str,
        what: &[String],
    ) -> Result<(), StateError> {
        const OP: &str = "recording workspace changes";
        let now = self.now(OP)?;
        let p = self.path.as_path();
        let tx = immediate(&mut self.conn, p, OP)?;
        for w in what {
            tx.execute(
                "INSERT INTO workspace_changes (done_at, workspace_url, what) VALUES (?1, ?2, ?3)",
                params![now, crate::store::strip_userinfo(workspace_url), w],
            )
            .ctx(p, OP)?;
        }
        tx.commit().ctx(p, OP)
    }

    /// Every change `check --apply` made, oldest first.
    pub fn workspace_changes(&self) -> Result<Vec<WorkspaceChange>, StateError> {
        const OP: &str = "reading workspace changes";
        self.conn
            .prepare_cached(
                "SELECT done_at, workspace_url, what FROM workspace_changes ORDER BY id",
            )
            .and_then(|mut st| {
                st.query_map([], |r| {
                    Ok(WorkspaceChange {
                        done_at: r.get(0)?,
                        workspace_url: r.get(1)?,
                        what: r.get(2)?,
                    })
                })?
                .collect()
            })
            .ctx(&self.path, OP)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BatchItem;
    use serde_json::json;

    fn item(key: &str, id: &str, existed: bool, previous: Option<Value>) -> BatchItem {
        BatchItem {
            source_key: key.into(),
            twenty_id: id.into(),
            payload_hash: "h".into(),
            existed_before: existed,
            previous,
        }
    }

    #[test]
    fn a_runs_writes_are_its_first_sends_with_their_outcome() {
        let mut s = Store::open_in_memory().unwrap();
        let r1 = s.begin_run("http://x", "m").unwrap();
        let b = s
            .batch_sending(r1, "company", &[item("A", "a", false, None)])
            .unwrap();
        s.batch_confirmed(b, 201).unwrap();
        let r2 = s.begin_run("http://x", "m").unwrap();
        let prev = json!({"name": "A"});
        let b = s
            .batch_sending(
                r2,
                "company",
                &[
                    item("A", "a", true, Some(prev.clone())),
                    item("B", "b", false, None),
                ],
            )
            .unwrap();
        s.batch_failed(b, "refused").unwrap();
        // Bisected: A alone is confirmed, B stays failed.
        let b = s
            .batch_sending(r2, "company", &[item("A", "a", true, Some(json!({})))])
            .unwrap();
        s.batch_confirmed(b, 201).unwrap();
        assert!(s.run_wrote(r1).unwrap() && s.run_wrote(r2).unwrap());
        let r3 = s.begin_run("http://x", "m").unwrap();
        assert!(!s.run_wrote(r3).unwrap());
        let w1 = s.run_writes(r1).unwrap();
        assert_eq!(w1.len(), 1);
        assert!(w1[0].created);
        let w2 = s.run_writes(r2).unwrap();
        assert_eq!(w2.len(), 2);
        assert_eq!(w2[0].source_key, "A");
        assert!(!w2[0].created);
        assert_eq!(
            w2[0].previous,
            Some(prev),
            "the first send's previous values"
        );
        assert_eq!(w2[0].outcome, BatchStatus::Confirmed);
        assert_eq!(w2[1].source_key, "B");
        assert_eq!(w2[1].outcome, BatchStatus::Failed);
    }

    #[test]
    fn workspace_changes_round_trip_without_credentials() {
        let mut s = Store::open_in_memory().unwrap();
        s.workspace_changed(
            "https://user:secret@x.example/",
            &[
                "created object project".into(),
                "created field project.tier".into(),
            ],
        )
        .unwrap();
        let c = s.workspace_changes().unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].what, "created field project.tier");
        assert!(!c[0].workspace_url.contains("secret"));
    }

    #[test]
    fn undoing_logs_the_action_and_forgets_the_record() {
        let mut s = Store::open_in_memory().unwrap();
        let r = s.begin_run("http://x", "m").unwrap();
        let b = s
            .batch_sending(r, "person", &[item("P", "p", false, None)])
            .unwrap();
        s.batch_confirmed(b, 201).unwrap();
        let w = s.run_writes(r).unwrap().remove(0);
        assert!(s.record("person", "P").unwrap().is_some());
        s.undone(r, &w, UndoAction::Deleted).unwrap();
        assert!(s.record("person", "P").unwrap().is_none());
        let log = s.undo_log(r).unwrap();
        assert_eq!(
            log.get(&("person".to_string(), "P".to_string())),
            Some(&UndoAction::Deleted)
        );
        assert!(s.undo_log(r + 1).unwrap().is_empty());
        assert!(s.undone(r + 7, &w, UndoAction::Gone).is_err());
    }
}
