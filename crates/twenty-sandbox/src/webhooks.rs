//! Webhooks of the metadata API: `GET|POST /rest/metadata/webhooks`,
//! `GET|DELETE /rest/metadata/webhooks/{id}`.
//!
//! Shapes from the live 2.19 server and from the source of both recorded servers, not from their
//! OpenAPI documents (which describe a `data.webhooks` page that neither server answers):
//! - `GET /rest/metadata/webhooks` answers a bare JSON array of webhooks (recorded on 2.19,
//!   `shared/twenty-live-2x/2026-12/webhooks-list-bare-array.json`). The 1.5 server's
//!   `WebhookController` (`core-modules/webhook/controllers/webhook.controller.ts`, mounted on
//!   `rest/metadata/webhooks` ahead of the generic metadata controller, which knows only `fields`
//!   and `objects`) returns the same bare `Webhook[]`: not recorded, read from the source.
//! - `GET …/{id}` answers the bare webhook, or an empty 200 when there is none (the controller
//!   returns `null`); `POST` answers the bare webhook with 201 (Nest's default); `DELETE` answers
//!   `true` (1.5: `false` when there was none; 2.x refuses an unknown id, here a 404).
//! - a webhook is `{id, targetUrl, operations (default ["*.*"]), description, secret,
//!   workspaceId, createdAt, updatedAt, deletedAt}`, plus `applicationId` on 2.x (its
//!   `WebhookDTO`); there is no active/paused flag.
//!
//! Webhooks are kept in the `meta` table (`webhooks`), and tests seed them through
//! `Config::webhooks`. Nothing is ever sent to a webhook's URL.

use serde_json::{Map, Value, json};

use crate::errors::{ApiError, ApiResult};
use crate::metadata::CUSTOM_APPLICATION_ID;
use crate::profile::ProfileKind;
use crate::store::{Change, Store};
use crate::workspace::{Workspace, now};

const META_KEY: &str = "webhooks";

/// The webhooks stored in a database.
pub(crate) fn load(store: &Store) -> anyhow::Result<Vec<Value>> {
    Ok(match store.meta(META_KEY)? {
        Some(text) => serde_json::from_str(&text)?,
        None => Vec::new(),
    })
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(404, "NotFoundException", format!("Webhook {id} not found"))
}

impl Workspace {
    fn save_webhooks(&mut self) -> ApiResult<()> {
        let value = serde_json::to_string(&self.webhooks).unwrap_or_else(|_| "[]".into());
        self.persist(&[Change::Meta {
            key: META_KEY.into(),
            value,
        }])
    }

    /// A webhook as the server stores it, from a creation body.
    fn new_webhook(&self, input: &Value) -> ApiResult<Value> {
        let Some(target) = input.get("targetUrl").and_then(Value::as_str) else {
            return Err(ApiError::bad_request("targetUrl must be a URL"));
        };
        let str_or = |k: &str, d: &str| {
            input
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or(d)
                .to_string()
        };
        let now = now();
        let mut m = Map::new();
        m.insert(
            "id".into(),
            json!(
                input
                    .get("id")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
            ),
        );
        m.insert("targetUrl".into(), json!(target));
        m.insert(
            "operations".into(),
            input
                .get("operations")
                .filter(|o| o.is_array())
                .cloned()
                .unwrap_or_else(|| json!(["*.*"])),
        );
        m.insert("description".into(), json!(str_or("description", "")));
        m.insert(
            "secret".into(),
            json!(str_or("secret", &uuid::Uuid::new_v4().simple().to_string())),
        );
        m.insert("workspaceId".into(), self.workspace_id());
        m.insert("createdAt".into(), json!(now));
        m.insert("updatedAt".into(), json!(now));
        m.insert("deletedAt".into(), Value::Null);
        Ok(Value::Object(m))
    }

    /// Adds webhooks at start-up (`Config::webhooks`); one with the `id` or `targetUrl` of a
    /// stored webhook replaces it.
    pub fn seed_webhooks(&mut self, hooks: &[Value]) -> anyhow::Result<()> {
        for h in hooks {
            let hook = self
                .new_webhook(h)
                .map_err(|e| anyhow::anyhow!("seeding webhooks: {}", e.message()))?;
            self.webhooks
                .retain(|w| w["id"] != hook["id"] && w["targetUrl"] != hook["targetUrl"]);
            self.webhooks.push(hook);
        }
        if !hooks.is_empty() {
            self.save_webhooks()
                .map_err(|e| anyhow::anyhow!("seeding webhooks: {}", e.message()))?;
        }
        Ok(())
    }

    /// A stored webhook as the profile's controller answers it.
    fn webhook_json(&self, hook: &Value) -> Value {
        let Some(map) = hook.as_object() else {
            return hook.clone();
        };
        let mut out = Map::new();
        for (k, v) in map {
            if k == "applicationId" {
                continue;
            }
            out.insert(k.clone(), v.clone());
            if k == "workspaceId" && self.profile.kind == ProfileKind::Twenty2 {
                out.insert("applicationId".into(), json!(CUSTOM_APPLICATION_ID));
            }
        }
        Value::Object(out)
    }

    /// `GET /rest/metadata/webhooks`: every live webhook, oldest first, as a bare array.
    pub fn list_webhooks(&self) -> Value {
        Value::Array(
            self.webhooks
                .iter()
                .filter(|w| w["deletedAt"].is_null())
                .map(|w| self.webhook_json(w))
                .collect(),
        )
    }

    /// `GET /rest/metadata/webhooks/{id}`: the webhook, or `Null` (an empty 200) when none.
    pub fn get_webhook(&self, id: &str) -> Value {
        self.webhooks
            .iter()
            .find(|w| w["id"] == id && w["deletedAt"].is_null())
            .map(|w| self.webhook_json(w))
            .unwrap_or(Value::Null)
    }

    /// `POST /rest/metadata/webhooks`: the created webhook (answered with 201).
    pub fn create_webhook(&mut self, input: &Value) -> ApiResult<Value> {
        let hook = self.new_webhook(input)?;
        self.webhooks.push(hook.clone());
        self.save_webhooks()?;
        Ok(self.webhook_json(&hook))
    }

    /// `DELETE /rest/metadata/webhooks/{id}`: `true` (1.5: `false` when there was none).
    pub fn delete_webhook(&mut self, id: &str) -> ApiResult<Value> {
        let Some(pos) = self
            .webhooks
            .iter()
            .position(|w| w["id"] == id && w["deletedAt"].is_null())
        else {
            return match self.profile.kind {
                ProfileKind::Twenty15 => Ok(json!(false)),
                ProfileKind::Twenty2 => Err(not_found(id)),
            };
        };
        self.webhooks.remove(pos);
        self.save_webhooks()?;
        Ok(json!(true))
    }
}
