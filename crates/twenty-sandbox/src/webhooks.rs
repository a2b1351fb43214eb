//! Webhooks of the metadata API: `GET|POST /rest/metadata/webhooks`,
//! `GET|DELETE /rest/metadata/webhooks/{id}`.
//!
//! Not recorded live: the shapes follow the OpenAPI documents both recorded servers serve
//! (`shared/twenty-live*/openapi-metadata.json`, path `/webhooks` under `/rest/metadata`): a
//! webhook is `{id, targetUrl, operations, description, secret, workspaceId, createdAt,
//! updatedAt, deletedAt}` (`operations` defaults to `["*.*"]`); the list answers
//! `data.webhooks` with `pageInfo` (and `totalCount` on 2.x); creation answers
//! `data.createOneWebhook` (201 on 2.x, 200 on 1.5 per its document). Neither document gives a
//! webhook an active/paused flag. Webhooks are kept in the `meta` table (`webhooks`), and tests
//! seed them through `Config::webhooks`. Nothing is ever sent to a webhook's URL.

use serde_json::{Map, Value, json};

use crate::errors::{ApiError, ApiResult};
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

    /// `GET /rest/metadata/webhooks`: every live webhook (one page).
    pub fn list_webhooks(&self) -> Value {
        let hooks: Vec<&Value> = self
            .webhooks
            .iter()
            .filter(|w| w["deletedAt"].is_null())
            .collect();
        let page_info = json!({
            "hasNextPage": false,
            "startCursor": hooks.first().map(|w| w["id"].clone()),
            "endCursor": hooks.last().map(|w| w["id"].clone()),
        });
        match self.profile.kind {
            ProfileKind::Twenty2 => json!({
                "data": {"webhooks": hooks},
                "pageInfo": page_info,
                "totalCount": hooks.len(),
            }),
            ProfileKind::Twenty15 => json!({"data": {"webhooks": hooks}, "pageInfo": page_info}),
        }
    }

    /// `GET /rest/metadata/webhooks/{id}`.
    pub fn get_webhook(&self, id: &str) -> ApiResult<Value> {
        self.webhooks
            .iter()
            .find(|w| w["id"] == id && w["deletedAt"].is_null())
            .cloned()
            .ok_or_else(|| not_found(id))
    }

    /// `POST /rest/metadata/webhooks`: `(status, created webhook)`.
    pub fn create_webhook(&mut self, input: &Value) -> ApiResult<(u16, Value)> {
        let hook = self.new_webhook(input)?;
        self.webhooks.push(hook.clone());
        self.save_webhooks()?;
        let status = match self.profile.kind {
            ProfileKind::Twenty2 => 201,
            ProfileKind::Twenty15 => 200,
        };
        Ok((status, hook))
    }

    /// `DELETE /rest/metadata/webhooks/{id}`.
    pub fn delete_webhook(&mut self, id: &str) -> ApiResult<Value> {
        let pos = self
            .webhooks
            .iter()
            .position(|w| w["id"] == id && w["deletedAt"].is_null())
            .ok_or_else(|| not_found(id))?;
        let hook = self.webhooks.remove(pos);
        self.save_webhooks()?;
        Ok(hook)
    }
}
