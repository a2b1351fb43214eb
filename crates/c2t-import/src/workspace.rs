//! What the import knows of the live workspace: its objects and fields (from the metadata API),
//! its members, the server's capabilities, and the records that already hold a key the import
//! will use (source id, email, domain).

use c2t_twenty::{ApiError, Capabilities, Client, FieldMeta, Member, ObjectMeta};
use serde_json::Value;
use std::collections::HashMap;

/// The name of the unique text field holding the source CRM's record id on every imported object.
pub const SOURCE_ID_FIELD: &str = "sourceRecordId";

/// The live workspace, as read at the start of a command.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub objects: Vec<ObjectMeta>,
    pub members: Vec<Member>,
    pub caps: Capabilities,
    /// Active workflows and webhooks (a warning of `check`, never a blocker).
    pub automations: crate::automations::Automations,
}

impl Workspace {
    /// Reads the schema, the members, the server's capabilities and, with `automations`, the
    /// active workflows and webhooks (`check` warns about them; `import` need not read them
    /// again).
    pub fn read(client: &Client, automations: bool) -> Result<Workspace, ApiError> {
        let objects = client.objects()?;
        let members = client.members()?;
        let caps = c2t_twenty::detect_with(client, &objects)?;
        let automations = if automations {
            crate::automations::Automations::read(client, &objects)
        } else {
            Default::default()
        };
        Ok(Workspace {
            objects,
            members,
            caps,
            automations,
        })
    }

    /// Reads the schema and the members only, without probing the server (verify and rollback
    /// need no write capability): the target maps come from the metadata, and the upsert and
    /// batch-cap capabilities are left unknown (`false`, `None`).
    pub fn read_schema(client: &Client) -> Result<Workspace, ApiError> {
        let objects = client.objects()?;
        let members = client.members()?;
        let (target_fields, note_targets, task_targets) =
            c2t_twenty::targets_from_metadata(&objects);
        Ok(Workspace {
            objects,
            members,
            caps: Capabilities {
                rest_upsert: false,
                batch_max: None,
                target_fields,
                note_targets,
                task_targets,
            },
            // Not read: verify and rollback do not warn about automations.
            automations: Default::default(),
        })
    }

    pub fn object(&self, name: &str) -> Option<&ObjectMeta> {
        self.objects.iter().find(|o| o.name_singular == name)
    }

    pub fn field(&self, object: &str, field: &str) -> Option<&FieldMeta> {
        self.object(object)?.fields.iter().find(|f| f.name == field)
    }

    /// The member id of a workspace member, by email (case-insensitive).
    pub fn member_id(&self, email: &str) -> Option<&str> {
        self.members
            .iter()
            .find(|m| m.email.eq_ignore_ascii_case(email))
            .map(|m| m.id.as_str())
    }
}

/// Records already in the workspace, indexed by the keys the import matches on.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    /// (object, sourceRecordId) → record.
    pub by_source_id: HashMap<(String, String), Value>,
    /// person email (lower case) → record.
    pub by_email: HashMap<String, Value>,
    /// company domain URL → record.
    pub by_domain: HashMap<String, Value>,
    /// (object, id) → record.
    pub by_id: HashMap<(String, String), Value>,
}

impl Existing {
    /// Reads every record of the given objects (the import's objects are few; their records are
    /// read once, 200 a page).
    pub fn read(client: &Client, ws: &Workspace, objects: &[String]) -> Result<Existing, ApiError> {
        let mut e = Existing::default();
        let mut names: Vec<String> = objects.to_vec();
        for (owner, join) in [("note", "noteTarget"), ("task", "taskTarget")] {
            if objects.iter().any(|o| o == owner) {
                names.push(join.to_string());
            }
        }
        for name in &names {
            let Some(o) = ws.object(name) else { continue };
            // Soft-deleted records count too: on Twenty 2.x they still hold their keys, and an
            // upsert revives them, so the import must use their ids.
            let mut records = client.list_all(&o.name_plural, None)?;
            if ws.caps.rest_upsert {
                records.extend(client.list_all(&o.name_plural, Some("deletedAt[is]:NOT_NULL"))?);
            }
            for r in records {
                let Some(id) = r.get("id").and_then(Value::as_str).map(str::to_string) else {
                    continue;
                };
                if let Some(s) = r
                    .get(SOURCE_ID_FIELD)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                {
                    e.by_source_id
                        .insert((name.clone(), s.to_string()), r.clone());
                }
                if name == "person"
                    && let Some(m) = r
                        .pointer("/emails/primaryEmail")
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                {
                    e.by_email.insert(m.to_lowercase(), r.clone());
                }
                if name == "company"
                    && let Some(u) = r
                        .pointer("/domainName/primaryLinkUrl")
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                {
                    e.by_domain.insert(u.to_lowercase(), r.clone());
                }
                e.by_id.insert((name.clone(), id), r);
            }
        }
        Ok(e)
    }
}
