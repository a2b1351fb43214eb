//! Twenty's data model as the tool writes it: objects, their fields, field types, select options,
//! unique keys and the labels Twenty's CSV importer matches column headers against.
//!
//! The standard objects are data (`data/twenty-standard.toml`), read from a live workspace's
//! metadata. A workspace's own schema (custom objects and fields) extends it.

use serde::{Deserialize, Serialize};

/// A field type, as Twenty's metadata API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FieldType {
    Text,
    Number,
    Numeric,
    Boolean,
    Date,
    DateTime,
    Select,
    MultiSelect,
    Rating,
    Links,
    Emails,
    Phones,
    FullName,
    Currency,
    Address,
    RichText,
    Relation,
    Uuid,
    Array,
    RawJson,
}

impl FieldType {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "TEXT",
            FieldType::Number => "NUMBER",
            FieldType::Numeric => "NUMERIC",
            FieldType::Boolean => "BOOLEAN",
            FieldType::Date => "DATE",
            FieldType::DateTime => "DATE_TIME",
            FieldType::Select => "SELECT",
            FieldType::MultiSelect => "MULTI_SELECT",
            FieldType::Rating => "RATING",
            FieldType::Links => "LINKS",
            FieldType::Emails => "EMAILS",
            FieldType::Phones => "PHONES",
            FieldType::FullName => "FULL_NAME",
            FieldType::Currency => "CURRENCY",
            FieldType::Address => "ADDRESS",
            FieldType::RichText => "RICH_TEXT",
            FieldType::Relation => "RELATION",
            FieldType::Uuid => "UUID",
            FieldType::Array => "ARRAY",
            FieldType::RawJson => "RAW_JSON",
        }
    }

    /// The sub-fields of a composite type that Twenty's CSV importer offers, in its order, with
    /// the sub-field labels it joins to the field label (`Emails / Primary Email`).
    pub fn csv_sub_fields(self) -> &'static [(&'static str, &'static str)] {
        match self {
            FieldType::Currency => &[("amountMicros", "Amount"), ("currencyCode", "Currency")],
            FieldType::Emails => &[
                ("primaryEmail", "Primary Email"),
                ("additionalEmails", "Additional Emails"),
            ],
            FieldType::Links => &[
                ("primaryLinkUrl", "Link URL"),
                ("primaryLinkLabel", "Link Label"),
                ("secondaryLinks", "Secondary Links"),
            ],
            FieldType::Phones => &[
                ("primaryPhoneCallingCode", "Primary Phone Calling Code"),
                ("primaryPhoneCountryCode", "Primary Phone Country Code"),
                ("primaryPhoneNumber", "Primary Phone Number"),
                ("additionalPhones", "Additional Phones"),
            ],
            FieldType::FullName => &[("firstName", "First Name"), ("lastName", "Last Name")],
            FieldType::Address => &[
                ("addressStreet1", "Address 1"),
                ("addressStreet2", "Address 2"),
                ("addressCity", "City"),
                ("addressState", "State"),
                ("addressCountry", "Country"),
                ("addressPostcode", "Post Code"),
            ],
            FieldType::RichText => &[("markdown", "Markdown")],
            _ => &[],
        }
    }

    pub fn is_composite(self) -> bool {
        !self.csv_sub_fields().is_empty()
    }

    /// Whether values of this type are option names (`SELECT`, `MULTI_SELECT`).
    pub fn is_select(self) -> bool {
        matches!(self, FieldType::Select | FieldType::MultiSelect)
    }
}

/// One field of an object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDef {
    pub name: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// Option values of a SELECT / MULTI_SELECT field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Target object of a MANY_TO_ONE relation; the join column is `<name>Id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<String>,
    /// Twenty enforces uniqueness on this field (its primary sub-field for composites).
    #[serde(default)]
    pub unique: bool,
    /// A field the user's workspace must have created (not one of Twenty's standard fields).
    #[serde(default)]
    pub custom: bool,
}

/// One object (table) of the workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectDef {
    pub name: String,
    pub plural: String,
    pub label: String,
    pub label_plural: String,
    #[serde(default)]
    pub fields: Vec<FieldDef>,
    #[serde(default)]
    pub custom: bool,
}

impl ObjectDef {
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// The objects the tool can write to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    #[serde(rename = "object")]
    pub objects: Vec<ObjectDef>,
}

const STANDARD: &str = include_str!("../data/twenty-standard.toml");

impl Schema {
    /// Twenty's standard objects (company, person, opportunity, note, task, workspaceMember).
    pub fn standard() -> Schema {
        toml::from_str(STANDARD).expect("the bundled standard schema is valid TOML")
    }

    pub fn object(&self, name: &str) -> Option<&ObjectDef> {
        self.objects.iter().find(|o| o.name == name)
    }

    pub fn object_mut(&mut self, name: &str) -> Option<&mut ObjectDef> {
        self.objects.iter_mut().find(|o| o.name == name)
    }
}

/// Names Twenty refuses for a custom field or object, on 1.5 ("The name 'address' is not
/// available") and on 2.x ("This name is reserved…"), both recorded from live servers
/// (`shared/twenty-live*/2026-12/`). The union of the server's `RESERVED_METADATA_NAME_KEYWORDS`
/// on both lines: 1.5 in `validate-metadata-name-is-not-reserved-keyword.ts` (54 names), 2.x in
/// twenty-shared's `reserved-metadata-name-keywords.constant.ts` (63: without
/// `postgresCredential(s)`, with `job(s)`, `pageLayout*`, `aggregate`, `search(es)`). The server
/// compares exactly; this list is compared without regard to case, to be safe.
pub const RESERVED_FIELD_NAMES: &[&str] = &[
    // core objects
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
    "job",
    "jobs",
    "pageLayout",
    "pageLayouts",
    "pageLayoutTab",
    "pageLayoutTabs",
    "pageLayoutWidget",
    "pageLayoutWidgets",
    // keywords
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

/// True when Twenty refuses `name` for a custom field.
pub fn is_reserved_name(name: &str) -> bool {
    RESERVED_FIELD_NAMES
        .iter()
        .any(|r| r.eq_ignore_ascii_case(name))
}

/// The name proposed instead of a reserved one: `address` → `mailingAddress`, `addresses` →
/// `otherAddresses`, any other → `{name}Custom` (the suffix Twenty 2.x itself would add).
pub fn unreserved_name(name: &str) -> String {
    match name.to_ascii_lowercase().as_str() {
        "address" => "mailingAddress".into(),
        "addresses" => "otherAddresses".into(),
        _ => format!("{name}Custom"),
    }
}

/// Turns a label into Twenty's API-name style (`Annual Revenue` → `annualRevenue`): camelCase,
/// ASCII letters and digits only, starting with a letter.
pub fn camel_case(label: &str) -> String {
    let mut out = String::new();
    let mut upper_next = false;
    for ch in label.chars() {
        if ch.is_ascii_alphanumeric() {
            if out.is_empty() {
                if ch.is_ascii_digit() {
                    out.push('n');
                    out.push(ch);
                } else {
                    out.push(ch.to_ascii_lowercase());
                }
            } else if upper_next {
                out.push(ch.to_ascii_uppercase());
            } else {
                out.push(ch);
            }
            upper_next = false;
        } else {
            upper_next = true;
        }
    }
    // A header that was all upper case (`INDUSTRY_CODE`) reads better lowered first.
    if label.chars().any(|c| c.is_ascii_lowercase()) {
        out
    } else {
        camel_case(&label.to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_schema_loads_with_unique_keys() {
        let s = Schema::standard();
        let company = s.object("company").unwrap();
        assert_eq!(company.plural, "companies");
        assert!(company.field("domainName").unwrap().unique);
        let person = s.object("person").unwrap();
        assert_eq!(
            person.field("company").unwrap().relation.as_deref(),
            Some("company")
        );
        let opp = s.object("opportunity").unwrap();
        assert_eq!(opp.field("stage").unwrap().options.len(), 5);
    }

    #[test]
    fn reserved_names_and_their_replacements() {
        for name in [
            "address",
            "Address",
            "type",
            "currencies",
            "fullNames",
            "user",
            "search",
        ] {
            assert!(is_reserved_name(name), "{name}");
            assert!(!is_reserved_name(&unreserved_name(name)), "{name}");
        }
        for name in [
            "mailingAddress",
            "city",
            "addressLine",
            "typeOfAccount",
            "name",
        ] {
            assert!(!is_reserved_name(name), "{name}");
        }
        assert_eq!(unreserved_name("address"), "mailingAddress");
        assert_eq!(unreserved_name("type"), "typeCustom");
    }

    #[test]
    fn camel_case_table() {
        for (input, want) in [
            ("Annual Revenue", "annualRevenue"),
            ("Industry", "industry"),
            ("INDUSTRY_CODE", "industryCode"),
            ("Custom_Field__c", "customFieldC"),
            ("2nd Email", "n2ndEmail"),
            ("Lead source (HubSpot)", "leadSourceHubSpot"),
        ] {
            assert_eq!(camel_case(input), want, "{input}");
        }
    }
}
