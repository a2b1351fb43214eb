//! What the server can do, learnt from the server itself (not from a version number).
//!
//! [`detect`] sends, in this order:
//! 1. `GET /rest/metadata/objects`: note/task target style and their join columns.
//! 2. **Batch-cap probe**: `POST /rest/batch/notes` with `PROBE_BATCH` (201) records that are all
//!    invalid (id `"c2t-capability-probe-not-a-uuid"` and an unknown field). A capped server
//!    answers "Maximum number of records to upsert is N." before looking at the records (2.x:
//!    N = 200); an uncapped one refuses the invalid records. Either way nothing is written.
//! 3. **Upsert probe**: `POST /rest/batch/notes?upsert=true` with one note (random UUID, title
//!    "crm2twenty capability probe (safe to delete)"), the same again with another title, then
//!    `DELETE /rest/notes/{id}?soft_delete=false`. 2.x answers the second call with the same
//!    id (REST upsert works); 1.5 ignores `upsert` and answers a duplicate error. The hard delete
//!    leaves the workspace as it was (a note has no unique key besides its id and no targets).
//!
//! Six requests in all, paced like every other.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::client::Client;
use crate::error::ApiError;
use crate::meta::ObjectMeta;

/// Records sent by the batch-cap probe (one more than 2.x's cap).
pub const PROBE_BATCH: usize = 201;

/// How note/task targets point to their records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetStyle {
    /// 1.5: `personId`, `companyId`, `opportunityId`.
    Legacy,
    /// 2.x polymorphic relation: `targetPersonId`, `targetCompanyId`, `targetOpportunityId`.
    Morph,
}

impl TargetStyle {
    /// Join column of a target pointing to `object` (nameSingular), by convention. Prefer the
    /// maps of [`Capabilities`], read from the metadata.
    pub fn join_column(self, object: &str) -> String {
        match self {
            TargetStyle::Legacy => format!("{object}Id"),
            TargetStyle::Morph => {
                let mut c = object.chars();
                let cap = c
                    .next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default();
                format!("target{cap}Id")
            }
        }
    }
}

/// Server capabilities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// `POST /rest/batch/…?upsert=true` really upserts (2.x); false on 1.5 (use GraphQL).
    pub rest_upsert: bool,
    /// Records per batch accepted by the server, when it has a cap it tells (2.x: 200).
    pub batch_max: Option<usize>,
    /// Note/task target style.
    pub target_fields: TargetStyle,
    /// noteTarget: target object (nameSingular) → join column, for every target (custom
    /// objects included), from the metadata.
    pub note_targets: BTreeMap<String, String>,
    /// taskTarget: same as `note_targets`.
    pub task_targets: BTreeMap<String, String>,
}

/// Target maps and style from the metadata alone (no request).
pub fn targets_from_metadata(
    objects: &[ObjectMeta],
) -> (
    TargetStyle,
    BTreeMap<String, String>,
    BTreeMap<String, String>,
) {
    let map = |name: &str| -> BTreeMap<String, String> {
        objects
            .iter()
            .find(|o| o.name_singular == name)
            .map(|o| {
                o.fields
                    .iter()
                    .filter(|f| {
                        f.is_relation() && f.relation_type.as_deref() == Some("MANY_TO_ONE")
                    })
                    .filter_map(|f| Some((f.relation_target.clone()?, f.join_column.clone()?)))
                    // the parent note/task is not a target
                    .filter(|(t, _)| t != "note" && t != "task")
                    .collect()
            })
            .unwrap_or_default()
    };
    let notes = map("noteTarget");
    let tasks = map("taskTarget");
    let morph = objects
        .iter()
        .filter(|o| o.name_singular == "noteTarget" || o.name_singular == "taskTarget")
        .flat_map(|o| o.fields.iter())
        .any(|f| {
            f.kind == "MORPH_RELATION"
                || f.join_column
                    .as_deref()
                    .is_some_and(|j| j.starts_with("target"))
        });
    let style = if morph {
        TargetStyle::Morph
    } else {
        TargetStyle::Legacy
    };
    (style, notes, tasks)
}

/// The id of the probe note: fixed, so a probe a killed run left behind is reused and removed.
pub const PROBE_ID: &str = "5b0f7c1e-2f6a-5d8e-9c41-7a2d3e6f1b90";

/// Learns the server's capabilities (see the module doc for the exact probe; it leaves the
/// workspace unchanged).
pub fn detect(client: &Client) -> Result<Capabilities, ApiError> {
    let objects = client.objects()?;
    detect_with(client, &objects)
}

/// [`detect`] with the objects already read (one request fewer).
pub fn detect_with(client: &Client, objects: &[ObjectMeta]) -> Result<Capabilities, ApiError> {
    let (target_fields, note_targets, task_targets) = targets_from_metadata(objects);

    // Batch cap: a batch of invalid records, refused either way.
    let probe: Vec<Value> = (0..PROBE_BATCH)
        .map(|_| json!({"id": "c2t-capability-probe-not-a-uuid", "c2tCapabilityProbe": true}))
        .collect();
    let batch_max = match client.raw_post("/rest/batch/notes", &Value::Array(probe)) {
        Err(ApiError::TooLarge { max, .. }) => max,
        Err(ApiError::Rejected { .. } | ApiError::Duplicate { .. }) => None,
        Err(e) => return Err(e),
        Ok(_) => {
            return Err(ApiError::Protocol(
                "the server accepted a batch of invalid probe records".into(),
            ));
        }
    };

    // REST upsert: the same note twice, then a hard delete.
    // A fixed id: a probe left behind by a run killed between create and delete is found,
    // reused and deleted by the next run, so probes never pile up in the workspace.
    let id = PROBE_ID.to_string();
    let rec = |title: &str| json!([{"id": id, "title": title}]);
    let path = "/rest/batch/notes?upsert=true";
    // A duplicate here means an earlier attempt of this very request was applied and its answer
    // lost (the client retried): the probe record exists, which is all this step needs.
    match client.raw_post(path, &rec("crm2twenty capability probe (safe to delete)")) {
        Ok(_) | Err(ApiError::Duplicate { .. }) => {}
        Err(e) => return Err(e),
    }
    let second = client.raw_post(
        path,
        &rec("crm2twenty capability probe, again (safe to delete)"),
    );
    let cleanup = client.delete("notes", &id, false);
    let rest_upsert = match second {
        Ok(answer) => {
            let same = crate::client::data_value(&answer, &[])
                .and_then(|v| v.get(0).and_then(|r| r.get("id")).cloned())
                .and_then(|v| v.as_str().map(str::to_string));
            same.as_deref() == Some(id.as_str())
        }
        Err(ApiError::Duplicate { .. }) => false,
        Err(e) => {
            cleanup?;
            return Err(e);
        }
    };
    cleanup?;
    Ok(Capabilities {
        rest_upsert,
        batch_max,
        target_fields,
        note_targets,
        task_targets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::parse_objects;

    fn recorded(dir: &str) -> Option<Vec<ObjectMeta>> {
        let path = format!(
            "{}/../../../shared/{dir}/metadata-objects.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).ok()?;
        let v: Value = serde_json::from_str(&text).ok()?;
        let raw = crate::meta::objects_array(&v["response"])?.clone();
        Some(parse_objects(&raw))
    }

    #[test]
    fn join_columns() {
        assert_eq!(TargetStyle::Legacy.join_column("person"), "personId");
        assert_eq!(TargetStyle::Morph.join_column("person"), "targetPersonId");
    }

    #[test]
    fn recorded_metadata_both_versions() {
        let (Some(v15), Some(v2)) = (recorded("twenty-live"), recorded("twenty-live-2x")) else {
            eprintln!("shared/ recordings absent: skipped");
            return;
        };
        let (style, notes, tasks) = targets_from_metadata(&v15);
        assert_eq!(style, TargetStyle::Legacy);
        assert_eq!(notes.get("person").map(String::as_str), Some("personId"));
        assert_eq!(
            notes.get("surveyResult").map(String::as_str),
            Some("surveyResultId")
        );
        assert_eq!(tasks.get("company").map(String::as_str), Some("companyId"));
        let (style, notes, _) = targets_from_metadata(&v2);
        assert_eq!(style, TargetStyle::Morph);
        assert_eq!(
            notes.get("person").map(String::as_str),
            Some("targetPersonId")
        );
        assert_eq!(
            notes.get("opportunity").map(String::as_str),
            Some("targetOpportunityId")
        );
        assert_eq!(
            notes.get("rocket").map(String::as_str),
            Some("targetRocketId")
        );

        // Standard objects and relation targets in both shapes.
        for objects in [&v15, &v2] {
            let person = objects
                .iter()
                .find(|o| o.name_singular == "person")
                .unwrap();
            assert_eq!(person.name_plural, "people");
            assert!(!person.is_custom);
            let company = person.field("company").unwrap();
            assert_eq!(company.relation_target.as_deref(), Some("company"));
            assert_eq!(company.join_column.as_deref(), Some("companyId"));
            let opp = objects
                .iter()
                .find(|o| o.name_singular == "opportunity")
                .unwrap();
            let poc = opp.field("pointOfContact").unwrap();
            assert_eq!(poc.relation_target.as_deref(), Some("person"));
            assert_eq!(poc.join_column.as_deref(), Some("pointOfContactId"));
            let stage = opp.field("stage").unwrap();
            assert!(stage.options.iter().any(|o| o.value == "PROPOSAL"));
        }
        // 2.x: custom-ness from the application id; unique from isUnique.
        let rocket = v2.iter().find(|o| o.name_singular == "rocket").unwrap();
        assert!(rocket.is_custom);
        let person = v2.iter().find(|o| o.name_singular == "person").unwrap();
        assert!(person.field("emails").unwrap().is_unique);
        let survey = v15
            .iter()
            .find(|o| o.name_singular == "surveyResult")
            .unwrap();
        assert!(survey.is_custom);
    }
}
