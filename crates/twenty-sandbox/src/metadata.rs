//! The metadata API: custom objects and fields, with Twenty's name and option rules.
//!
//! `POST /rest/metadata/objects` creates a custom object with its system fields (and the target
//! join columns on note/task targets and attachments); `POST /rest/metadata/fields` creates a
//! field of any type of contract doc §3.4, including relations through `relationCreationPayload`
//! (the inverse side and the `<name>Id` join column are created too); `PATCH` changes labels and
//! options (adding an option = sending the full list). New fields are writable and filterable at
//! once because records are rendered from the live schema. Answers use each profile's recorded
//! metadata shape.

use serde_json::{Map, Value, json};

use crate::errors::{ApiError, ApiResult};
use crate::profile::ProfileKind;
use crate::schema::{CREATABLE_TYPES, Field, Object, Relation, capitalize};
use crate::workspace::{Workspace, now};

/// Application id of custom metadata in the recorded 2.x workspace.
pub(crate) const CUSTOM_APPLICATION_ID: &str = "8b404858-3bd3-48e3-9f43-f461573e0c74";
/// Longest metadata name (Postgres identifier limit).
const MAX_NAME_LEN: usize = 63;
/// Names the 1.5 line refuses for a custom field or object (`nameSingular` and `namePlural`):
/// `RESERVED_METADATA_NAME_KEYWORDS` of `packages/twenty-server/src/engine/metadata-modules/utils/
/// validate-metadata-name-is-not-reserved-keyword.ts` at kw1234/fuse_test f18343f (the recorded
/// 1.5 server), its core object names then its keywords, in source order. Checked by
/// `validateMetadataNameOrThrow` after the length and camelCase checks; the answer is
/// "The name 'x' is not available" (recorded: `shared/twenty-live/2026-12/
/// metadata-create-field-address-reserved-400.json`).
const RESERVED_NAMES_1_5: &[&str] = &[
    "approvedAccessDomain",
    "approvedAccessDomains",
    "appToken",
    "appTokens",
    "billingCustomer",
    "billingCustomers",
    "billingEntitlement",
    "billingEntitlements",
    "billingMeter",
    "billingMeters",
    "billingProduct",
    "billingProducts",
    "billingSubscription",
    "billingSubscriptions",
    "billingSubscriptionItem",
    "billingSubscriptionItems",
    "featureFlag",
    "featureFlags",
    "keyValuePair",
    "keyValuePairs",
    "postgresCredential",
    "postgresCredentials",
    "twoFactorMethod",
    "twoFactorMethods",
    "user",
    "users",
    "userWorkspace",
    "userWorkspaces",
    "workspace",
    "workspaces",
    "role",
    "roles",
    "userWorkspaceRole",
    "userWorkspaceRoles",
    "plan",
    "plans",
    "event",
    "events",
    "field",
    "fields",
    "link",
    "links",
    "currency",
    "currencies",
    "fullNames",
    "address",
    "addresses",
    "type",
    "types",
    "object",
    "objects",
    "index",
    "relation",
    "relations",
];

/// Names the 2.x line refuses for a custom field or object: `RESERVED_METADATA_NAME_KEYWORDS` of
/// `packages/twenty-shared/src/metadata/constants/reserved-metadata-name-keywords.constant.ts` at
/// T3-Venture-Labs-Limited/myah-v4 88cf2a02 (the recorded 2.19 server), in source order. Checked
/// by `validateFlatFieldMetadataName` and `validateFlatObjectMetadataNames`; the answer is
/// INVALID_FIELD_INPUT "This name is reserved. …" (recorded: `shared/twenty-live-2x/2026-12/
/// create-field-reserved-name-address.json`).
const RESERVED_NAMES_2: &[&str] = &[
    "approvedAccessDomain",
    "approvedAccessDomains",
    "appToken",
    "appTokens",
    "billingCustomer",
    "billingCustomers",
    "billingEntitlement",
    "billingEntitlements",
    "billingMeter",
    "billingMeters",
    "billingProduct",
    "billingProducts",
    "billingSubscription",
    "billingSubscriptions",
    "billingSubscriptionItem",
    "billingSubscriptionItems",
    "featureFlag",
    "featureFlags",
    "job",
    "jobs",
    "keyValuePair",
    "keyValuePairs",
    "pageLayout",
    "pageLayouts",
    "pageLayoutTab",
    "pageLayoutTabs",
    "pageLayoutWidget",
    "pageLayoutWidgets",
    "twoFactorMethod",
    "twoFactorMethods",
    "user",
    "users",
    "userWorkspace",
    "userWorkspaces",
    "workspace",
    "workspaces",
    "role",
    "roles",
    "userWorkspaceRole",
    "userWorkspaceRoles",
    "plan",
    "plans",
    "event",
    "events",
    "field",
    "fields",
    "link",
    "links",
    "currency",
    "currencies",
    "fullNames",
    "address",
    "addresses",
    "type",
    "types",
    "object",
    "objects",
    "index",
    "relation",
    "relations",
    "aggregate",
    "search",
    "searches",
];

/// The message of the 2.x reserved-name error (recorded).
const RESERVED_MESSAGE_2: &str =
    "This name is reserved. Use a different name or the system will add \"Custom\" suffix.";

/// The standard views whose view fields a refused 2.x field creation also fails (recorded for
/// company and person; other objects get company's, not recorded).
fn view_universal_ids(object: Option<&Object>) -> [&'static str; 2] {
    match object.map(|o| o.name_singular.as_str()) {
        Some("person") => [
            "20202020-a002-4a02-8a02-ae0a1ea12001",
            "20202020-a002-4a02-8a02-ae0a1ea11a00",
        ],
        _ => [
            "20202020-a001-4a01-8a01-c0aba11c1001",
            "20202020-a001-4a01-8a01-c0aba11c0001",
        ],
    }
}

fn is_camel_case(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

fn is_upper_snake(value: &str) -> bool {
    !value.is_empty()
        && !value.starts_with('_')
        && !value.ends_with('_')
        && !value.contains("__")
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// `"Partnered deals"` → `partneredDeals`.
fn camel_from_label(label: &str) -> String {
    let mut out = String::new();
    for (i, word) in label
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .enumerate()
    {
        if i == 0 {
            out.push_str(&word.to_ascii_lowercase());
        } else {
            out.push_str(&capitalize(&word.to_ascii_lowercase()));
        }
    }
    out
}

/// 1.5's `generateDefaultValue(type)` for custom fields created without a default.
fn generated_default_1_5(field_type: &str) -> Option<Value> {
    Some(match field_type {
        "TEXT" => json!("''"),
        "EMAILS" => json!({"primaryEmail": "''", "additionalEmails": null}),
        "FULL_NAME" => json!({"firstName": "''", "lastName": "''"}),
        "ADDRESS" => json!({
            "addressStreet1": "''", "addressStreet2": "''", "addressCity": "''",
            "addressState": "''", "addressCountry": "''", "addressPostcode": "''",
            "addressLat": null, "addressLng": null
        }),
        "CURRENCY" => json!({"amountMicros": null, "currencyCode": "''"}),
        "LINKS" => {
            json!({"primaryLinkLabel": "''", "primaryLinkUrl": "''", "secondaryLinks": null})
        }
        "PHONES" => json!({
            "primaryPhoneNumber": "''", "primaryPhoneCountryCode": "''",
            "primaryPhoneCallingCode": "''", "additionalPhones": null
        }),
        "ACTOR" => json!({"source": "'MANUAL'", "name": "'System'", "workspaceMemberId": null}),
        _ => return None,
    })
}

fn parse_sql_default(v: &Value) -> Value {
    match v {
        Value::String(s) if s.len() >= 2 && s.starts_with('\'') && s.ends_with('\'') => {
            json!(s[1..s.len() - 1])
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), parse_sql_default(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

impl Workspace {
    pub(crate) fn workspace_id(&self) -> Value {
        self.schema
            .objects
            .first()
            .and_then(|o| o.meta.get("workspaceId"))
            .cloned()
            .unwrap_or(json!("20202020-1c25-4d02-bf25-6aeccf7ea419"))
    }

    /// A metadata validation error in the profile's recorded shape.
    fn metadata_error(
        &self,
        object: Option<&Object>,
        name: &str,
        message: String,
        value: &str,
    ) -> ApiError {
        match self.profile.kind {
            ProfileKind::Twenty15 => ApiError {
                status: 400,
                body: json!({"statusCode": 400, "messages": [message], "error": "Bad Request"}),
                headers: Vec::new(),
            },
            ProfileKind::Twenty2 => {
                let field_uid = uuid::Uuid::new_v4().to_string();
                let views = view_universal_ids(object);
                let object_uid = object
                    .and_then(|o| o.meta.get("universalIdentifier"))
                    .cloned()
                    .unwrap_or(Value::Null);
                let view_error = |view: &str| {
                    json!({
                        "status": "fail",
                        "errors": [{"code": "INVALID_VIEW_DATA", "message": "Field metadata not found",
                                    "userFriendlyMessage": "Field metadata not found"}],
                        "flatEntityMinimalInformation": {
                            "universalIdentifier": uuid::Uuid::new_v4().to_string(),
                            "viewUniversalIdentifier": view,
                            "fieldMetadataUniversalIdentifier": field_uid,
                        },
                        "metadataName": "viewField",
                        "type": "create"
                    })
                };
                ApiError {
                    status: 400,
                    body: json!({
                        "statusCode": 400,
                        "error": "METADATA_VALIDATION_ERROR",
                        "message": "Multiple validation errors occurred while creating fields",
                        "errors": {
                            "fieldMetadata": [{
                                "status": "fail",
                                "errors": [{"code": "INVALID_FIELD_INPUT", "message": message,
                                            "userFriendlyMessage": message, "value": value}],
                                "flatEntityMinimalInformation": {
                                    "universalIdentifier": field_uid,
                                    "name": name,
                                    "objectMetadataUniversalIdentifier": object_uid,
                                },
                                "metadataName": "fieldMetadata",
                                "type": "create"
                            }],
                            "viewField": [view_error(views[0]), view_error(views[1])]
                        },
                        "summary": {"totalErrors": 3, "fieldMetadata": 1, "viewField": 2},
                        "userFriendlyMessage": "Many validation errors"
                    }),
                    headers: Vec::new(),
                }
            }
        }
    }

    fn check_name(&self, object: Option<&Object>, name: &str) -> ApiResult<()> {
        let v2 = self.profile.kind == ProfileKind::Twenty2;
        let message = if name.len() > MAX_NAME_LEN {
            Some(if v2 {
                format!("Name is too long: it exceeds the {MAX_NAME_LEN} characters limit")
            } else {
                format!("{name} exceeds {MAX_NAME_LEN} characters")
            })
        } else if !is_camel_case(name) {
            Some(if v2 {
                "Name is not valid: it must start with lowercase letter and contain only alphanumeric letters".to_string()
            } else {
                format!("{name} should be in camelCase")
            })
        } else if v2 && RESERVED_NAMES_2.contains(&name) {
            Some(RESERVED_MESSAGE_2.to_string())
        } else if !v2 && RESERVED_NAMES_1_5.contains(&name) {
            // 1.5's REST metadata layer turns the double quotes of the message into single ones.
            Some(format!("The name '{name}' is not available"))
        } else {
            None
        };
        match message {
            Some(m) => Err(self.metadata_error(object, name, m, name)),
            None => Ok(()),
        }
    }

    fn check_options(
        &self,
        object: &Object,
        name: &str,
        options: &[Value],
    ) -> ApiResult<Vec<Value>> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, opt) in options.iter().enumerate() {
            let value = opt.get("value").and_then(Value::as_str).unwrap_or_default();
            if !is_upper_snake(value) {
                let m = match self.profile.kind {
                    ProfileKind::Twenty2 => {
                        format!("Value must be in UPPER_CASE and follow snake_case \"{value}\"")
                    }
                    ProfileKind::Twenty15 => {
                        format!("Value must be in UPPER_CASE and follow snake_case '{value}'")
                    }
                };
                return Err(self.metadata_error(Some(object), name, m, value));
            }
            if !seen.insert(value.to_string()) {
                return Err(self.metadata_error(
                    Some(object),
                    name,
                    format!("Duplicate option value \"{value}\""),
                    value,
                ));
            }
            let mut o = Map::new();
            o.insert(
                "id".into(),
                opt.get("id")
                    .cloned()
                    .unwrap_or_else(|| json!(uuid::Uuid::new_v4().to_string())),
            );
            // 2.x keeps an option without colour as it is (the recorded 2.19 listing has RATING
            // options with no `color`); 1.5 gets gray.
            match (opt.get("color"), self.profile.kind) {
                (Some(c), _) if !c.is_null() => {
                    o.insert("color".into(), c.clone());
                }
                (_, ProfileKind::Twenty15) => {
                    o.insert("color".into(), json!("gray"));
                }
                _ => {}
            }
            o.insert(
                "label".into(),
                opt.get("label").cloned().unwrap_or(json!(value)),
            );
            o.insert("value".into(), json!(value));
            o.insert(
                "position".into(),
                opt.get("position").cloned().unwrap_or(json!(i)),
            );
            out.push(Value::Object(o));
        }
        Ok(out)
    }

    /// The metadata blob of a new field in the profile's shape.
    fn new_field_meta(
        &self,
        object: &Object,
        f: &Field,
        raw_default: &Value,
        extra: &Map<String, Value>,
    ) -> Value {
        let ts = now();
        let mut m = Map::new();
        match self.profile.kind {
            ProfileKind::Twenty2 => {
                m.insert("id".into(), json!(f.id));
                m.insert(
                    "universalIdentifier".into(),
                    json!(uuid::Uuid::new_v4().to_string()),
                );
                m.insert("label".into(), json!(f.label));
                m.insert("name".into(), json!(f.name));
                m.insert("objectMetadataId".into(), json!(object.id));
                m.insert("type".into(), json!(f.field_type));
                m.insert("workspaceId".into(), self.workspace_id());
                m.insert("defaultValue".into(), raw_default.clone());
                m.insert("isActive".into(), json!(true));
                m.insert("isLabelSyncedWithName".into(), json!(false));
                m.insert("isSystem".into(), json!(f.is_system));
                m.insert("isUIEditable".into(), json!(true));
                m.insert("isUIReadOnly".into(), json!(false));
                m.insert(
                    "options".into(),
                    f.options.clone().map_or(Value::Null, Value::Array),
                );
                m.insert("createdAt".into(), json!(ts));
                m.insert("updatedAt".into(), json!(ts));
                m.insert("isNullable".into(), json!(f.is_nullable));
                m.insert("isUnique".into(), json!(f.is_unique));
                m.insert("applicationId".into(), json!(CUSTOM_APPLICATION_ID));
                for (k, v) in extra {
                    m.insert(k.clone(), v.clone());
                }
            }
            ProfileKind::Twenty15 => {
                m.insert("id".into(), json!(f.id));
                m.insert("type".into(), json!(f.field_type));
                m.insert("name".into(), json!(f.name));
                m.insert("label".into(), json!(f.label));
                m.insert(
                    "description".into(),
                    extra.get("description").cloned().unwrap_or(Value::Null),
                );
                m.insert(
                    "icon".into(),
                    extra.get("icon").cloned().unwrap_or(Value::Null),
                );
                m.insert("isCustom".into(), json!(f.is_custom));
                m.insert("isActive".into(), json!(true));
                m.insert("isSystem".into(), json!(f.is_system));
                m.insert("isNullable".into(), json!(f.is_nullable));
                m.insert("createdAt".into(), json!(ts));
                m.insert("updatedAt".into(), json!(ts));
                m.insert("defaultValue".into(), raw_default.clone());
                m.insert(
                    "options".into(),
                    f.options.clone().map_or(Value::Null, Value::Array),
                );
                m.insert(
                    "relation".into(),
                    extra.get("relation").cloned().unwrap_or(Value::Null),
                );
            }
        }
        Value::Object(m)
    }

    fn relation_meta(
        &self,
        source: &Object,
        source_field: &Field,
        target: &Object,
        target_field: &Field,
    ) -> (Map<String, Value>, Map<String, Value>) {
        let rel = source_field.relation.as_ref();
        let mut src = Map::new();
        let mut tgt = Map::new();
        match self.profile.kind {
            ProfileKind::Twenty15 => {
                let blob = |a: &Object, af: &Field, b: &Object, bf: &Field, kind: &str| {
                    json!({
                        "type": kind,
                        "targetObjectMetadata": {"id": b.id, "nameSingular": b.name_singular, "namePlural": b.name_plural},
                        "targetFieldMetadata": {"id": bf.id, "name": bf.name},
                        "sourceObjectMetadata": {"id": a.id, "nameSingular": a.name_singular, "namePlural": a.name_plural},
                        "sourceFieldMetadata": {"id": af.id, "name": af.name}
                    })
                };
                let kind = rel.map(|r| r.kind.as_str()).unwrap_or("MANY_TO_ONE");
                let inverse_kind = if kind == "MANY_TO_ONE" {
                    "ONE_TO_MANY"
                } else {
                    "MANY_TO_ONE"
                };
                src.insert(
                    "relation".into(),
                    blob(source, source_field, target, target_field, kind),
                );
                tgt.insert(
                    "relation".into(),
                    blob(target, target_field, source, source_field, inverse_kind),
                );
            }
            ProfileKind::Twenty2 => {
                let settings = |f: &Field| {
                    let r = f.relation.as_ref();
                    let mut s = Map::new();
                    s.insert("relationType".into(), json!(r.map(|r| r.kind.clone())));
                    if let Some(j) = r.and_then(|r| r.join_column.clone()) {
                        s.insert("onDelete".into(), json!("SET_NULL"));
                        s.insert("joinColumnName".into(), json!(j));
                    }
                    Value::Object(s)
                };
                src.insert("settings".into(), settings(source_field));
                tgt.insert("settings".into(), settings(target_field));
            }
        }
        (src, tgt)
    }

    /// `POST /rest/metadata/fields`.
    pub fn create_field(&mut self, body: &Value) -> ApiResult<Value> {
        let object_id = body
            .get("objectMetadataId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let object = self.schema.by_id(object_id).cloned().ok_or_else(|| {
            ApiError::bad_request(format!("Object metadata {object_id} not found"))
                .with_code("OBJECT_METADATA_NOT_FOUND")
        })?;
        let name = body
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        self.check_name(Some(&object), &name)?;
        if object.field(&name).is_some() || object.field_by_join_column(&name).is_some() {
            return Err(self.metadata_error(
                Some(&object),
                &name,
                format!("Name \"{name}\" is not available"),
                &name,
            ));
        }
        let field_type = body
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if !CREATABLE_TYPES.contains(&field_type.as_str()) {
            return Err(self.metadata_error(
                Some(&object),
                &name,
                format!("Invalid field type \"{field_type}\""),
                &field_type,
            ));
        }
        let label = body
            .get("label")
            .and_then(Value::as_str)
            .unwrap_or(&name)
            .to_string();
        let mut options = match body.get("options").and_then(Value::as_array) {
            Some(opts) => Some(self.check_options(&object, &name, opts)?),
            None => None,
        };
        if matches!(field_type.as_str(), "SELECT" | "MULTI_SELECT")
            && options.as_ref().is_none_or(Vec::is_empty)
        {
            return Err(self.metadata_error(
                Some(&object),
                &name,
                "Options are required for select fields".into(),
                &name,
            ));
        }
        if field_type == "RATING" && options.is_none() {
            options = Some(
                (1..=5)
                    .map(|i| json!({"id": uuid::Uuid::new_v4().to_string(), "label": i.to_string(), "value": format!("RATING_{i}"), "position": i - 1, "color": "gray"}))
                    .collect(),
            );
        }
        let raw_default = body.get("defaultValue").cloned().unwrap_or(Value::Null);
        let mut is_nullable = body
            .get("isNullable")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let mut meta_default = raw_default.clone();
        let mut default_value = parse_sql_default(&raw_default);
        if self.profile.kind == ProfileKind::Twenty15 && raw_default.is_null() {
            // 1.5 gives a custom field without a default the one of `generateDefaultValue`
            // (`field-metadata/utils/generate-default-value.ts`; recorded for TEXT and PHONES in
            // `shared/twenty-live*/`), and makes TEXT fields NOT NULL (`generateNullable`).
            if let Some(generated) = generated_default_1_5(&field_type) {
                meta_default = generated;
                default_value = parse_sql_default(&meta_default);
            }
            if field_type == "TEXT" {
                is_nullable = false;
            }
        }
        let mut extra = Map::new();
        for k in ["description", "icon", "settings"] {
            if let Some(v) = body.get(k) {
                extra.insert(k.into(), v.clone());
            }
        }
        let mut field = Field {
            id: uuid::Uuid::new_v4().to_string(),
            name: name.clone(),
            label,
            field_type: field_type.clone(),
            is_nullable,
            is_unique: body
                .get("isUnique")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            is_system: false,
            is_custom: true,
            default_value,
            options,
            relation: None,
            meta: Value::Null,
        };
        if field_type == "RELATION" {
            return self.create_relation(object, field, body, &extra);
        }
        field.meta = self.new_field_meta(&object, &field, &meta_default, &extra);
        let answer = field.meta.clone();
        if let Some(o) = self.schema.by_singular_mut(&object.name_singular) {
            o.fields.push(field);
        }
        self.persist_schema()?;
        Ok(answer)
    }

    fn create_relation(
        &mut self,
        source: Object,
        mut field: Field,
        body: &Value,
        extra: &Map<String, Value>,
    ) -> ApiResult<Value> {
        let payload = body
            .get("relationCreationPayload")
            .cloned()
            .unwrap_or(Value::Null);
        let target_id = payload
            .get("targetObjectMetadataId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let target = self.schema.by_id(target_id).cloned().ok_or_else(|| {
            ApiError::bad_request(format!("Target object metadata {target_id} not found"))
                .with_code("OBJECT_METADATA_NOT_FOUND")
        })?;
        let kind = payload
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("MANY_TO_ONE");
        if kind != "MANY_TO_ONE" && kind != "ONE_TO_MANY" {
            return Err(self.metadata_error(
                Some(&source),
                &field.name,
                format!("Invalid relation type \"{kind}\""),
                kind,
            ));
        }
        let target_label = payload
            .get("targetFieldLabel")
            .and_then(Value::as_str)
            .unwrap_or(&source.label_plural)
            .to_string();
        let target_name = payload
            .get("targetFieldName")
            .and_then(Value::as_str)
            .map(String::from)
            .unwrap_or_else(|| camel_from_label(&target_label));
        self.check_name(Some(&target), &target_name)?;
        if target.field(&target_name).is_some() {
            return Err(self.metadata_error(
                Some(&target),
                &target_name,
                format!("Name \"{target_name}\" is not available"),
                &target_name,
            ));
        }
        let many_to_one_here = kind == "MANY_TO_ONE";
        field.relation = Some(Relation {
            kind: kind.into(),
            target: Some(target.name_singular.clone()),
            join_column: many_to_one_here.then(|| format!("{}Id", field.name)),
            inverse: Some(target_name.clone()),
        });
        let mut inverse = Field {
            id: uuid::Uuid::new_v4().to_string(),
            name: target_name.clone(),
            label: target_label,
            field_type: "RELATION".into(),
            is_nullable: true,
            is_unique: false,
            is_system: false,
            is_custom: true,
            default_value: Value::Null,
            options: None,
            relation: Some(Relation {
                kind: if many_to_one_here {
                    "ONE_TO_MANY"
                } else {
                    "MANY_TO_ONE"
                }
                .into(),
                target: Some(source.name_singular.clone()),
                join_column: (!many_to_one_here).then(|| format!("{target_name}Id")),
                inverse: Some(field.name.clone()),
            }),
            meta: Value::Null,
        };
        let (src_extra, tgt_extra) = self.relation_meta(&source, &field, &target, &inverse);
        let mut src_all = extra.clone();
        src_all
            .entry("icon")
            .or_insert_with(|| json!("IconRelationOneToMany"));
        src_all.extend(src_extra);
        field.meta = self.new_field_meta(&source, &field, &Value::Null, &src_all);
        let mut tgt_all = Map::new();
        if let Some(icon) = payload.get("targetFieldIcon") {
            tgt_all.insert("icon".into(), icon.clone());
        }
        tgt_all.extend(tgt_extra);
        inverse.meta = self.new_field_meta(&target, &inverse, &Value::Null, &tgt_all);
        let answer = field.meta.clone();
        if let Some(o) = self.schema.by_singular_mut(&source.name_singular) {
            o.fields.push(field);
        }
        if let Some(o) = self.schema.by_singular_mut(&target.name_singular) {
            o.fields.push(inverse);
        }
        self.persist_schema()?;
        Ok(answer)
    }

    /// `PATCH /rest/metadata/fields/{id}`: label, description, icon, options, isActive.
    pub fn update_field(&mut self, id: &str, body: &Value) -> ApiResult<Value> {
        let (object_name, field_name) = self.schema.field_by_id(id).ok_or_else(|| {
            ApiError::new(404, "NotFoundException", "Field metadata not found")
                .with_code("FIELD_METADATA_NOT_FOUND")
        })?;
        let object = self
            .schema
            .by_singular(&object_name)
            .cloned()
            .unwrap_or_else(|| unreachable!());
        let options = match body.get("options").and_then(Value::as_array) {
            Some(opts) => Some(self.check_options(&object, &field_name, opts)?),
            None => None,
        };
        if let Some(name) = body.get("name").and_then(Value::as_str)
            && name != field_name
        {
            return Err(ApiError::bad_request(
                "Renaming a field is not supported by the sandbox",
            ));
        }
        let ts = now();
        let Some(field) = self
            .schema
            .by_singular_mut(&object_name)
            .and_then(|o| o.field_mut(&field_name))
        else {
            return Err(ApiError::new(
                404,
                "NotFoundException",
                "Field metadata not found",
            ));
        };
        if let Some(opts) = options {
            field.options = Some(opts.clone());
            field.meta["options"] = Value::Array(opts);
        }
        if let Some(label) = body.get("label").and_then(Value::as_str) {
            field.label = label.to_string();
            field.meta["label"] = json!(label);
        }
        for k in ["description", "icon", "isActive"] {
            if let Some(v) = body.get(k) {
                field.meta[k] = v.clone();
            }
        }
        if let Some(v) = body.get("defaultValue") {
            field.default_value = parse_sql_default(v);
            field.meta["defaultValue"] = v.clone();
        }
        field.meta["updatedAt"] = json!(ts);
        let answer = field.meta.clone();
        self.persist_schema()?;
        Ok(answer)
    }

    /// `DELETE /rest/metadata/fields/{id}` (custom fields only; a relation takes its inverse along).
    pub fn delete_field(&mut self, id: &str) -> ApiResult<Value> {
        let (object_name, field_name) = self
            .schema
            .field_by_id(id)
            .ok_or_else(|| ApiError::new(404, "NotFoundException", "Field metadata not found"))?;
        let field = self
            .schema
            .by_singular(&object_name)
            .and_then(|o| o.field(&field_name))
            .cloned()
            .unwrap_or_else(|| unreachable!());
        if !field.is_custom {
            return Err(ApiError::bad_request("Standard fields cannot be deleted")
                .with_code("FIELD_MUTATION_NOT_ALLOWED"));
        }
        if let Some(o) = self.schema.by_singular_mut(&object_name) {
            o.fields.retain(|f| f.id != id);
        }
        if let Some(rel) = &field.relation
            && let (Some(t), Some(inv)) = (&rel.target, &rel.inverse)
            && let Some(o) = self.schema.by_singular_mut(t)
        {
            o.fields.retain(|f| &f.name != inv);
        }
        self.persist_schema()?;
        Ok(json!({"id": id}))
    }

    /// `POST /rest/metadata/objects`.
    pub fn create_object(&mut self, body: &Value) -> ApiResult<Value> {
        let get = |k: &str| {
            body.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let (singular, plural) = (get("nameSingular"), get("namePlural"));
        for n in [&singular, &plural] {
            self.check_name(None, n)?;
        }
        if singular == plural {
            return Err(self.metadata_error(
                None,
                &singular,
                "The singular and plural names cannot be the same for an object".into(),
                &singular,
            ));
        }
        let taken = self.schema.objects.iter().any(|o| {
            [&o.name_singular, &o.name_plural]
                .iter()
                .any(|n| **n == singular || **n == plural)
        });
        if taken || plural == "batch" || plural == "restore" || plural == "metadata" {
            return Err(self.metadata_error(
                None,
                &singular,
                format!("Object name \"{singular}\" is not available"),
                &singular,
            ));
        }
        let label_singular = body
            .get("labelSingular")
            .and_then(Value::as_str)
            .map(String::from)
            .unwrap_or_else(|| capitalize(&singular));
        let label_plural = body
            .get("labelPlural")
            .and_then(Value::as_str)
            .map(String::from)
            .unwrap_or_else(|| capitalize(&plural));
        let id = uuid::Uuid::new_v4().to_string();
        let ts = now();
        let mut object = Object {
            id: id.clone(),
            name_singular: singular.clone(),
            name_plural: plural.clone(),
            label_singular: label_singular.clone(),
            label_plural: label_plural.clone(),
            is_custom: true,
            meta: Value::Null,
            fields: Vec::new(),
        };
        let v2 = self.profile.kind == ProfileKind::Twenty2;
        // (name, label, type, system, description, icon, default as Twenty answers it)
        let mut system: Vec<(&str, &str, &str, bool, &str, &str, Value)> = vec![
            ("id", "Id", "UUID", true, "Id", "Icon123", json!("uuid")),
            (
                "name",
                "Name",
                "TEXT",
                false,
                "Name",
                "IconAbc",
                json!("'Untitled'"),
            ),
            (
                "createdAt",
                "Creation date",
                "DATE_TIME",
                false,
                "Creation date",
                "IconCalendar",
                json!("now"),
            ),
            (
                "updatedAt",
                "Last update",
                "DATE_TIME",
                false,
                "Last time the record was changed",
                "IconCalendarClock",
                json!("now"),
            ),
            (
                "deletedAt",
                "Deleted at",
                "DATE_TIME",
                false,
                "Deletion date",
                "IconCalendarClock",
                Value::Null,
            ),
            (
                "createdBy",
                "Created by",
                "ACTOR",
                false,
                "The creator of the record",
                "IconCreativeCommonsSa",
                json!({"name": "''", "source": "'MANUAL'"}),
            ),
            (
                "position",
                "Position",
                "POSITION",
                true,
                "Position",
                "IconHierarchy2",
                json!(0),
            ),
            (
                "searchVector",
                "Search vector",
                "TS_VECTOR",
                true,
                "Field used for full-text search",
                "",
                Value::Null,
            ),
        ];
        if v2 {
            system.insert(
                6,
                (
                    "updatedBy",
                    "Updated by",
                    "ACTOR",
                    false,
                    "The last updater of the record",
                    "IconUserCircle",
                    json!({"name": "''", "source": "'MANUAL'"}),
                ),
            );
        }
        for (name, label, t, is_system, description, icon, default) in system {
            let mut f = Field {
                id: uuid::Uuid::new_v4().to_string(),
                name: name.into(),
                label: label.into(),
                field_type: t.into(),
                is_nullable: matches!(name, "deletedAt" | "searchVector"),
                is_unique: name == "id",
                is_system,
                is_custom: false,
                default_value: if name == "name" {
                    Value::Null
                } else {
                    parse_sql_default(&default)
                },
                options: None,
                relation: None,
                meta: Value::Null,
            };
            let mut extra = Map::new();
            extra.insert("description".into(), json!(description));
            extra.insert(
                "icon".into(),
                if icon.is_empty() {
                    Value::Null
                } else {
                    json!(icon)
                },
            );
            f.meta = self.new_field_meta(&object, &f, &default, &extra);
            object.fields.push(f);
        }
        let label_field_id = object.fields[1].id.clone();
        let mut meta = Map::new();
        if v2 {
            meta.insert("id".into(), json!(id));
            meta.insert(
                "universalIdentifier".into(),
                json!(uuid::Uuid::new_v4().to_string()),
            );
            meta.insert("applicationId".into(), json!(CUSTOM_APPLICATION_ID));
            meta.insert("nameSingular".into(), json!(singular));
            meta.insert("namePlural".into(), json!(plural));
            meta.insert("labelSingular".into(), json!(label_singular));
            meta.insert("labelPlural".into(), json!(label_plural));
            meta.insert(
                "description".into(),
                body.get("description").cloned().unwrap_or(Value::Null),
            );
            meta.insert(
                "icon".into(),
                body.get("icon").cloned().unwrap_or(Value::Null),
            );
            meta.insert("shortcut".into(), Value::Null);
            for (k, v) in [
                ("isRemote", false),
                ("isActive", true),
                ("isSystem", false),
                ("isUIEditable", true),
                ("isUICreatable", true),
                ("isUIReadOnly", false),
                ("isSearchable", true),
                ("isLabelSyncedWithName", false),
            ] {
                meta.insert(k.into(), json!(v));
            }
            meta.insert("workspaceId".into(), self.workspace_id());
            meta.insert(
                "labelIdentifierFieldMetadataId".into(),
                json!(label_field_id),
            );
            meta.insert("imageIdentifierFieldMetadataId".into(), Value::Null);
            meta.insert("duplicateCriteria".into(), Value::Null);
            meta.insert("createdAt".into(), json!(ts));
            meta.insert("updatedAt".into(), json!(ts));
        } else {
            meta.insert("id".into(), json!(id));
            meta.insert("nameSingular".into(), json!(singular));
            meta.insert("namePlural".into(), json!(plural));
            meta.insert("isCustom".into(), json!(true));
            meta.insert("isActive".into(), json!(true));
            meta.insert("isSystem".into(), json!(false));
            meta.insert("createdAt".into(), json!(ts));
            meta.insert("updatedAt".into(), json!(ts));
            meta.insert(
                "labelIdentifierFieldMetadataId".into(),
                json!(label_field_id),
            );
            meta.insert("imageIdentifierFieldMetadataId".into(), Value::Null);
            meta.insert("labelSingular".into(), json!(label_singular));
            meta.insert("labelPlural".into(), json!(label_plural));
            meta.insert(
                "description".into(),
                body.get("description").cloned().unwrap_or(json!("")),
            );
            meta.insert(
                "icon".into(),
                body.get("icon").cloned().unwrap_or(Value::Null),
            );
        }
        object.meta = Value::Object(meta);
        self.schema.objects.push(object.clone());
        // Note/task targets and attachments can point at the new object.
        for holder in ["noteTarget", "taskTarget", "attachment"] {
            let Some(h) = self.schema.by_singular(holder).cloned() else {
                continue;
            };
            let (name, t) = if v2 {
                (format!("target{}", capitalize(&singular)), "MORPH_RELATION")
            } else {
                (singular.clone(), "RELATION")
            };
            let mut fwd = Field {
                id: uuid::Uuid::new_v4().to_string(),
                name: name.clone(),
                label: label_singular.clone(),
                field_type: t.into(),
                is_nullable: true,
                is_unique: false,
                is_system: !v2,
                is_custom: false,
                default_value: Value::Null,
                options: None,
                relation: Some(Relation {
                    kind: "MANY_TO_ONE".into(),
                    target: Some(singular.clone()),
                    join_column: Some(format!("{name}Id")),
                    inverse: Some(h.name_plural.clone()),
                }),
                meta: Value::Null,
            };
            let mut back = Field {
                id: uuid::Uuid::new_v4().to_string(),
                name: h.name_plural.clone(),
                label: h.label_plural.clone(),
                field_type: "RELATION".into(),
                is_nullable: true,
                is_unique: false,
                is_system: true,
                is_custom: false,
                default_value: Value::Null,
                options: None,
                relation: Some(Relation {
                    kind: "ONE_TO_MANY".into(),
                    target: Some(holder.into()),
                    join_column: None,
                    inverse: Some(name.clone()),
                }),
                meta: Value::Null,
            };
            let (fx, mut bx) = self.relation_meta(&h, &fwd, &object, &back);
            bx.insert(
                "description".into(),
                json!(format!(
                    "{} tied to the {label_singular}",
                    capitalize(&h.name_plural)
                )),
            );
            bx.insert(
                "icon".into(),
                json!(if holder == "attachment" {
                    "IconFileImport"
                } else {
                    "IconCheckbox"
                }),
            );
            fwd.meta = self.new_field_meta(&h, &fwd, &Value::Null, &fx);
            back.meta = self.new_field_meta(&object, &back, &Value::Null, &bx);
            if let Some(o) = self.schema.by_singular_mut(holder) {
                o.fields.push(fwd);
            }
            if let Some(o) = self.schema.by_singular_mut(&singular) {
                o.fields.push(back);
            }
        }
        self.persist_schema()?;
        let created = self
            .schema
            .by_singular(&singular)
            .cloned()
            .unwrap_or(object);
        Ok(self.object_json(&created))
    }

    /// `PATCH /rest/metadata/objects/{id}`: labels, description, icon, isActive.
    pub fn update_object(&mut self, id: &str, body: &Value) -> ApiResult<Value> {
        let ts = now();
        let object = self
            .schema
            .objects
            .iter_mut()
            .find(|o| o.id == id)
            .ok_or_else(|| ApiError::new(404, "NotFoundException", "Object metadata not found"))?;
        for k in [
            "labelSingular",
            "labelPlural",
            "description",
            "icon",
            "isActive",
        ] {
            if let Some(v) = body.get(k) {
                object.meta[k] = v.clone();
                match k {
                    "labelSingular" => {
                        object.label_singular = v.as_str().unwrap_or_default().into()
                    }
                    "labelPlural" => object.label_plural = v.as_str().unwrap_or_default().into(),
                    _ => {}
                }
            }
        }
        object.meta["updatedAt"] = json!(ts);
        let answer = object.clone();
        self.persist_schema()?;
        Ok(self.object_json(&answer))
    }

    /// `DELETE /rest/metadata/objects/{id}` (custom objects only): records and relations go too.
    pub fn delete_object(&mut self, id: &str) -> ApiResult<Value> {
        let object =
            self.schema.by_id(id).cloned().ok_or_else(|| {
                ApiError::new(404, "NotFoundException", "Object metadata not found")
            })?;
        if !object.is_custom {
            return Err(ApiError::bad_request("Standard objects cannot be deleted"));
        }
        self.schema.objects.retain(|o| o.id != id);
        for o in &mut self.schema.objects {
            o.fields.retain(|f| {
                f.relation.as_ref().and_then(|r| r.target.as_deref())
                    != Some(object.name_singular.as_str())
            });
        }
        let ids: Vec<String> = self
            .tables
            .get(&object.name_singular)
            .map(|t| t.records.keys().cloned().collect())
            .unwrap_or_default();
        self.tables.remove(&object.name_singular);
        let changes: Vec<crate::store::Change> = ids
            .into_iter()
            .map(|rid| crate::store::Change::Delete {
                object: object.name_singular.clone(),
                id: rid,
            })
            .collect();
        self.persist(&changes)?;
        self.persist_schema()?;
        Ok(json!({"id": id}))
    }

    /// The metadata blob of an object with its fields.
    pub fn object_json(&self, object: &Object) -> Value {
        let mut m = match self.listed(&object.meta) {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        m.insert(
            "fields".into(),
            Value::Array(object.fields.iter().map(|f| self.listed(&f.meta)).collect()),
        );
        Value::Object(m)
    }

    /// An object or field blob as the metadata lists show it: 2.x leaves out the keys whose
    /// value is null (`description`, `icon`, `defaultValue`, `options`… of the recorded 2.19
    /// listings, while its `createOneField` answers carry them), 1.5 keeps them.
    fn listed(&self, meta: &Value) -> Value {
        match (self.profile.kind, meta) {
            (ProfileKind::Twenty2, Value::Object(m)) => Value::Object(
                m.iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            _ => meta.clone(),
        }
    }

    /// `GET /rest/metadata/objects` answer.
    pub fn objects_json(&self) -> Value {
        let objects: Vec<Value> = self
            .schema
            .objects
            .iter()
            .map(|o| self.object_json(o))
            .collect();
        self.metadata_list("objects", objects)
    }

    /// `GET /rest/metadata/fields` answer.
    pub fn fields_json(&self) -> Value {
        let fields: Vec<Value> = self
            .schema
            .objects
            .iter()
            .flat_map(|o| o.fields.iter().map(|f| self.listed(&f.meta)))
            .collect();
        self.metadata_list("fields", fields)
    }

    fn metadata_list(&self, key: &str, items: Vec<Value>) -> Value {
        let n = items.len();
        let ids = |i: usize| {
            items
                .get(i)
                .and_then(|o| o.get("id"))
                .cloned()
                .unwrap_or(Value::Null)
        };
        let (start, end) = match self.profile.kind {
            ProfileKind::Twenty2 => (ids(0), ids(n.saturating_sub(1))),
            ProfileKind::Twenty15 => {
                use base64::Engine as _;
                let enc = |i: usize| {
                    json!(
                        base64::engine::general_purpose::STANDARD
                            .encode(format!("arrayconnection:{i}"))
                    )
                };
                (enc(0), enc(n.saturating_sub(1)))
            }
        };
        let mut out = json!({
            "data": {key: items},
            "pageInfo": {"hasNextPage": false, "startCursor": start, "endCursor": end}
        });
        if self.profile.metadata_list_total_count {
            out["totalCount"] = json!(n);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rules() {
        assert!(is_camel_case("sourceRecordId"));
        assert!(!is_camel_case("Bad Name!"));
        assert!(!is_camel_case("SourceRecord"));
        assert!(!is_camel_case("source_record"));
        assert!(is_upper_snake("FINANCIAL_SERVICES"));
        assert!(is_upper_snake("RATING_1"));
        assert!(!is_upper_snake("Gold tier"));
        assert!(!is_upper_snake("GOLD__TIER"));
        assert_eq!(camel_from_label("Partnered deals"), "partneredDeals");
        assert_eq!(camel_from_label("Invoices"), "invoices");
    }
}
