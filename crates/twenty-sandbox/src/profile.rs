//! Server profiles: the behaviour differences between the Twenty versions the sandbox imitates.
//!
//! Every difference observed between the recorded 1.5 server (`shared/twenty-live/`) and the
//! recorded 2.19 server (`shared/twenty-live-2x/`) that is not a matter of schema lives here as a
//! typed flag, so the request handlers stay free of version checks scattered through the code.
//! The schema itself (objects, fields, defaults) is data: see `schema/*.json` and [`crate::schema`].

use std::fmt;
use std::str::FromStr;

use serde_json::{Value, json};

/// Which Twenty version the sandbox behaves like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProfileKind {
    /// The 1.5 line (recorded in `shared/twenty-live/`).
    Twenty15,
    /// The 2.x line (recorded in `shared/twenty-live-2x/`, Twenty 2.19).
    Twenty2,
}

impl ProfileKind {
    /// The name used on the command line and stored in the database.
    pub fn name(self) -> &'static str {
        match self {
            ProfileKind::Twenty15 => "twenty-1.5",
            ProfileKind::Twenty2 => "twenty-2",
        }
    }

    /// The embedded seed schema of this profile.
    pub fn seed_schema(self) -> &'static str {
        match self {
            ProfileKind::Twenty15 => include_str!("../schema/twenty-1.5.json"),
            ProfileKind::Twenty2 => include_str!("../schema/twenty-2.json"),
        }
    }

    /// The behaviour flags of this profile.
    pub fn profile(self) -> Profile {
        match self {
            ProfileKind::Twenty15 => Profile {
                kind: self,
                rest_upsert: false,
                soft_deleted_count_for_uniqueness: false,
                default_batch_max: None,
                mutation_max_affected: None,
                list_limit_max: None,
                list_limit_default: 60,
                query_max_records: 60,
                total_count_after_cursor: true,
                has_previous_page: false,
                position_decrements: false,
                partial_links_missing_null: true,
                workspace_members_writable: true,
                delete_answers_id_only: true,
                hard_delete_soft_deleted_fails: true,
                metadata_list_total_count: false,
                metadata_list_rejects_query: true,
                amount_micros_as_string: true,
                workspace_schema: "workspace_3ixj3i1a5avy16ptijtb3lae3",
            },
            ProfileKind::Twenty2 => Profile {
                kind: self,
                rest_upsert: true,
                soft_deleted_count_for_uniqueness: true,
                default_batch_max: Some(200),
                mutation_max_affected: None,
                list_limit_max: Some(200),
                list_limit_default: 60,
                query_max_records: 200,
                total_count_after_cursor: false,
                has_previous_page: true,
                position_decrements: true,
                partial_links_missing_null: false,
                workspace_members_writable: false,
                delete_answers_id_only: false,
                hard_delete_soft_deleted_fails: false,
                metadata_list_total_count: true,
                metadata_list_rejects_query: false,
                amount_micros_as_string: false,
                workspace_schema: "workspace_sandbox",
            },
        }
    }
}

impl fmt::Display for ProfileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ProfileKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "twenty-1.5" | "1.5" | "twenty-1" => Ok(ProfileKind::Twenty15),
            "twenty-2" | "2" | "twenty-2.x" | "twenty-2x" => Ok(ProfileKind::Twenty2),
            other => Err(format!(
                "unknown profile {other:?} (expected twenty-1.5 or twenty-2)"
            )),
        }
    }
}

/// Behaviour flags of one profile (see the READMEs of the recording folders for the evidence).
#[derive(Debug, Clone)]
pub struct Profile {
    /// The profile these flags belong to.
    pub kind: ProfileKind,
    /// `POST /rest/batch/x?upsert=true` upserts (2.x) or the flag is ignored (1.5).
    pub rest_upsert: bool,
    /// Soft-deleted rows still hold their unique values (2.x) or not (1.5).
    pub soft_deleted_count_for_uniqueness: bool,
    /// Maximum records per batch when `--batch-max` is not given (2.x: 200, 1.5: none).
    pub default_batch_max: Option<usize>,
    /// Records a GraphQL `deleteXs` / `destroyXs` / `restoreXs(filter: …)` may affect when
    /// `--mutation-max` is not given. None on both: the contract doc's
    /// `MUTATION_MAXIMUM_AFFECTED_RECORDS` (100, §1.6) is handed to the front end only, which
    /// splits its own mass mutations by it. A live 2.19 deleted and restored 101 people in one
    /// request each (`docs/evidence/live-2x/ceiling-q4-*.json`, its source has no check on those
    /// paths); the live 1.5 server accepted a `destroyPeople` of 200 ids
    /// (`shared/twenty-live/README.md`).
    pub mutation_max_affected: Option<usize>,
    /// `limit` above this is clamped (2.x: 200, 1.5: no cap).
    pub list_limit_max: Option<usize>,
    /// Page size when `limit` is absent.
    pub list_limit_default: usize,
    /// `QUERY_MAX_RECORDS` (`packages/twenty-shared/src/constants/QueryMaxRecords.ts`): 200 in
    /// the recorded 2.19's source, 60 in the recorded 1.5's. A GraphQL list without `first` (or
    /// `last`) answers this many records (`args.first ?? args.last ?? QUERY_MAX_RECORDS` in both
    /// sources' find-many runner); a larger `first` is taken as given, not clamped (only REST's
    /// `limit` is clamped, by `parse-limit-rest-request.util.ts`).
    pub query_max_records: usize,
    /// 1.5 counts only the records left after the cursor in `totalCount`.
    pub total_count_after_cursor: bool,
    /// 2.x adds `hasPreviousPage` to `pageInfo`.
    pub has_previous_page: bool,
    /// 2.x gives each new record a position one below the lowest; 1.5 always 0.
    pub position_decrements: bool,
    /// 1.5 stores null for the sub-fields a partial LINKS value leaves out.
    pub partial_links_missing_null: bool,
    /// 1.5 lets an API key create workspace members; 2.x answers PERMISSION_DENIED.
    pub workspace_members_writable: bool,
    /// 1.5 answers every delete with `{id}` only; 2.x a soft delete with the whole record and a
    /// hard delete with `{id}` (recorded in `shared/twenty-live-2x/2026-12/proxy-all.jsonl.gz`).
    pub delete_answers_id_only: bool,
    /// 1.5: hard-deleting an already soft-deleted record is a 400.
    pub hard_delete_soft_deleted_fails: bool,
    /// 2.x adds `totalCount` to `GET /rest/metadata/objects`.
    pub metadata_list_total_count: bool,
    /// 1.5: `GET /rest/metadata/objects?limit=…` answers 400.
    pub metadata_list_rejects_query: bool,
    /// 1.5 answers `amountMicros` as a string (Postgres numeric); 2.x as a number.
    pub amount_micros_as_string: bool,
    /// Postgres schema name quoted by 1.5's enum error messages.
    pub workspace_schema: &'static str,
}

impl Profile {
    /// Default value of a field of `field_type` that has no default in its metadata.
    pub fn type_default(&self, field_type: &str) -> Value {
        let v2 = self.kind == ProfileKind::Twenty2;
        let list_or_null = || if v2 { json!([]) } else { Value::Null };
        match field_type {
            "TEXT" => {
                if v2 {
                    json!("")
                } else {
                    Value::Null
                }
            }
            "MULTI_SELECT" => list_or_null(),
            "POSITION" => json!(0),
            "LINKS" => json!({
                "primaryLinkLabel": "", "primaryLinkUrl": "", "secondaryLinks": list_or_null()
            }),
            "EMAILS" => json!({"primaryEmail": "", "additionalEmails": list_or_null()}),
            "PHONES" => json!({
                "primaryPhoneNumber": "", "primaryPhoneCountryCode": "",
                "primaryPhoneCallingCode": "", "additionalPhones": list_or_null()
            }),
            "FULL_NAME" => json!({"firstName": "", "lastName": ""}),
            "CURRENCY" => json!({
                "amountMicros": null, "currencyCode": if v2 { Value::Null } else { json!("") }
            }),
            "ADDRESS" => json!({
                "addressStreet1": "", "addressStreet2": "", "addressCity": "",
                "addressPostcode": "", "addressState": "", "addressCountry": "",
                "addressLat": null, "addressLng": null
            }),
            // 2.x answers an empty body with markdown "" (recorded 1 700+ times in
            // `shared/twenty-live-2x/2026-12/proxy-all.jsonl.gz`), 1.5 with null.
            "RICH_TEXT" | "RICH_TEXT_V2" => json!({
                "blocknote": null, "markdown": if v2 { json!("") } else { Value::Null }
            }),
            "ACTOR" => json!({
                "source": "MANUAL", "workspaceMemberId": null, "name": "System", "context": {}
            }),
            _ => Value::Null,
        }
    }
}
