//! Workflows and webhooks: what a bulk import can set off in the workspace.
//!
//! Twenty runs a workflow whose trigger is a record event (`person.created`…) once per record
//! written, API writes included, and calls every webhook whose operations match (`*.*`,
//! `person.*`, `person.created`…). An import of thousands of records can therefore send
//! thousands of e-mails, tasks or HTTP calls. `check` lists them as a warning (they never block
//! the import) with how to pause them.
//!
//! Where Twenty keeps them (the same on 1.5 and 2.x, per the recorded metadata and OpenAPI
//! documents in `shared/twenty-live*/`):
//! - `GET /rest/workflows`: `name`, `statuses` (MULTI_SELECT of `DRAFT`, `ACTIVE`,
//!   `DEACTIVATED`), `lastPublishedVersionId`;
//! - `GET /rest/workflowVersions`: `workflowId`, `status` (`DRAFT`, `ACTIVE`, `DEACTIVATED`,
//!   `ARCHIVED`) and `trigger` (RAW_JSON `{type, settings: {eventName…}}`, type
//!   `DATABASE_EVENT`, `CRON`, `MANUAL` or `WEBHOOK`);
//! - `GET /rest/metadata/webhooks`: `targetUrl`, `operations`, `description`, `secret` (not
//!   kept); no active/paused flag on either line.
//!
//! Reading them never fails the command: what cannot be read is listed as unread.

use c2t_twenty::{ApiError, Client, ObjectMeta, Webhook};
use serde_json::Value;
use std::fmt::Write;

/// An active workflow.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ActiveWorkflow {
    pub name: String,
    /// The trigger type of its active version (`DATABASE_EVENT`, `CRON`, `MANUAL`, `WEBHOOK`),
    /// when known.
    pub trigger: Option<String>,
    /// For a record event: its `eventName` (`person.created`).
    pub event: Option<String>,
}

/// The workspace's active workflows and its webhooks.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Automations {
    pub workflows: Vec<ActiveWorkflow>,
    pub webhooks: Vec<Webhook>,
    /// What could not be read, and why (one line each).
    pub unread: Vec<String>,
}

fn why(e: &ApiError) -> String {
    match e {
        ApiError::Auth { status, message } => {
            format!("HTTP {status}: {message} (the API key may lack this permission)")
        }
        other => other.to_string(),
    }
}

impl Automations {
    /// Reads the active workflows (when the workspace has the workflow objects) and the
    /// webhooks. Never fails: a read that fails is noted in `unread`.
    pub fn read(client: &Client, objects: &[ObjectMeta]) -> Automations {
        let mut a = Automations::default();
        let has = |name: &str| objects.iter().any(|o| o.name_singular == name);
        if has("workflow") {
            match client.list_all("workflows", None) {
                Ok(workflows) => {
                    let active: Vec<&Value> = workflows
                        .iter()
                        .filter(|w| {
                            w.get("statuses")
                                .and_then(Value::as_array)
                                .is_some_and(|s| s.iter().any(|v| v == "ACTIVE"))
                        })
                        .collect();
                    let versions = if active.is_empty() || !has("workflowVersion") {
                        Vec::new()
                    } else {
                        client
                            .list_all("workflowVersions", None)
                            .unwrap_or_else(|e| {
                                a.unread.push(format!("workflow triggers: {}", why(&e)));
                                Vec::new()
                            })
                    };
                    for w in active {
                        a.workflows.push(active_workflow(w, &versions));
                    }
                }
                Err(e) => a.unread.push(format!("workflows: {}", why(&e))),
            }
        }
        match client.webhooks() {
            Ok(h) => a.webhooks = h,
            Err(e) => a.unread.push(format!("webhooks: {}", why(&e))),
        }
        a
    }

    /// True when there is nothing to say.
    pub fn is_empty(&self) -> bool {
        self.workflows.is_empty() && self.webhooks.is_empty() && self.unread.is_empty()
    }

    /// The warning, for a person; `written` are the objects (nameSingular) the import writes.
    pub fn render(&self, written: &[&str]) -> String {
        let mut o = String::new();
        if self.is_empty() {
            return o;
        }
        let _ = writeln!(
            o,
            "Warning: automations the import can set off (they do not stop it):"
        );
        for w in &self.workflows {
            let trigger = match (w.trigger.as_deref(), w.event.as_deref()) {
                (Some("DATABASE_EVENT"), Some(ev)) => {
                    let object = ev.split('.').next().unwrap_or_default();
                    let runs = if written.contains(&object) {
                        format!(", runs once per {object} the import writes")
                    } else {
                        String::new()
                    };
                    format!("record event {ev}{runs}")
                }
                (Some("DATABASE_EVENT"), None) => "record event".into(),
                (Some("CRON"), _) => "schedule (not set off by the import)".into(),
                (Some("MANUAL"), _) => "manual (not set off by the import)".into(),
                (Some("WEBHOOK"), _) => "incoming webhook (not set off by the import)".into(),
                (Some(other), _) => other.to_lowercase(),
                (None, _) => "trigger unknown".into(),
            };
            let _ = writeln!(o, "  workflow \"{}\": active, {trigger}", w.name);
        }
        for h in &self.webhooks {
            let url = h.target_url.split(['?', '#']).next().unwrap_or_default();
            let hidden = if url.len() < h.target_url.len() {
                " (query hidden)"
            } else {
                ""
            };
            let hits = h.operations.iter().any(|op| {
                let (obj, _) = op.split_once('.').unwrap_or((op, "*"));
                obj == "*" || written.contains(&obj)
            });
            let _ = writeln!(
                o,
                "  webhook {url}{hidden}: operations {}{}",
                if h.operations.is_empty() {
                    "none".to_string()
                } else {
                    h.operations.join(", ")
                },
                if hits {
                    ", called for the records the import writes"
                } else {
                    ""
                }
            );
        }
        for u in &self.unread {
            let _ = writeln!(o, "  could not read {u}; look in Twenty yourself");
        }
        if !self.workflows.is_empty() {
            let _ = writeln!(
                o,
                "  To pause a workflow: open it in Twenty (Workflows) and deactivate it; activate \
                 it again after the import."
            );
        }
        if !self.webhooks.is_empty() {
            let _ = writeln!(
                o,
                "  To pause a webhook: Twenty has no pause switch for webhooks; delete it in \
                 Settings → APIs & Webhooks (note its URL, operations and secret) and create it \
                 again after the import, or have its receiver ignore the import."
            );
        }
        o
    }
}

fn active_workflow(w: &Value, versions: &[Value]) -> ActiveWorkflow {
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let id = s(w, "id").unwrap_or_default();
    let published = s(w, "lastPublishedVersionId").filter(|p| !p.is_empty());
    let version = versions
        .iter()
        .find(|v| published.is_some() && s(v, "id") == published)
        .or_else(|| {
            versions.iter().find(|v| {
                s(v, "workflowId").as_deref() == Some(id.as_str())
                    && s(v, "status").as_deref() == Some("ACTIVE")
            })
        });
    let trigger = version
        .and_then(|v| v.get("trigger"))
        .filter(|t| t.is_object());
    ActiveWorkflow {
        name: s(w, "name")
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("(unnamed, id {id})")),
        trigger: trigger.and_then(|t| s(t, "type")),
        event: trigger.and_then(|t| {
            t.pointer("/settings/eventName")
                .and_then(Value::as_str)
                .map(str::to_string)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn active_version_by_published_id_then_by_status() {
        let w = json!({"id": "w1", "name": "Welcome", "statuses": ["ACTIVE"], "lastPublishedVersionId": "v2"});
        let versions = [
            json!({"id": "v1", "workflowId": "w1", "status": "ARCHIVED", "trigger": {"type": "MANUAL"}}),
            json!({"id": "v2", "workflowId": "w1", "status": "ACTIVE",
                   "trigger": {"type": "DATABASE_EVENT", "settings": {"eventName": "person.created"}}}),
        ];
        let a = active_workflow(&w, &versions);
        assert_eq!(a.trigger.as_deref(), Some("DATABASE_EVENT"));
        assert_eq!(a.event.as_deref(), Some("person.created"));
        let w = json!({"id": "w1", "name": "", "statuses": ["ACTIVE"]});
        let a = active_workflow(&w, &versions);
        assert_eq!(a.name, "(unnamed, id w1)");
        assert_eq!(a.event.as_deref(), Some("person.created"));
        assert_eq!(active_workflow(&w, &[]).trigger, None);
    }

    #[test]
    fn render_names_what_the_import_sets_off() {
        let a = Automations {
            workflows: vec![
                ActiveWorkflow {
                    name: "Welcome".into(),
                    trigger: Some("DATABASE_EVENT".into()),
                    event: Some("person.created".into()),
                },
                ActiveWorkflow {
                    name: "Digest".into(),
                    trigger: Some("CRON".into()),
                    event: None,
                },
            ],
            webhooks: vec![Webhook {
                id: "h".into(),
                target_url: "https://hooks.example.com/t?token=abc".into(),
                operations: vec!["company.*".into()],
                description: String::new(),
            }],
            unread: vec![],
        };
        let r = a.render(&["person", "company"]);
        assert!(
            r.contains("workflow \"Welcome\": active, record event person.created, runs once per person the import writes"),
            "{r}"
        );
        assert!(
            r.contains("\"Digest\": active, schedule (not set off"),
            "{r}"
        );
        assert!(
            r.contains("webhook https://hooks.example.com/t (query hidden): operations company.*, called for"),
            "{r}"
        );
        assert!(!r.contains("token=abc"), "{r}");
        assert!(r.contains("deactivate it"), "{r}");
        assert!(r.contains("Settings → APIs & Webhooks"), "{r}");
        assert_eq!(Automations::default().render(&["person"]), "");
    }
}
