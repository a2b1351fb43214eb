//! Words for people in place of the codes the ledger, the audit and the verification use
//! (`deleted_in_source`, `lookup_only`, `PHONE_INVALID`, `records.person`…). The codes stay what
//! the files (ledger.csv, audit.json, verify.json) hold and what scripts match; the pages show
//! these words, with the code kept in a title for searching the files.

use std::borrow::Cow;

/// The words for a code: skip rules, issue codes, Twenty's field types, transforms. A code
/// this function does not know is shown as itself with its underscores as spaces.
pub fn words(code: &str) -> Cow<'static, str> {
    let w = match code {
        // Skip rules (ledger.csv `skipped <rule>`).
        "deleted_in_source" => "deleted in the source CRM",
        "lookup_only" => "users: read only to match owners, not imported",
        "test_data" => "test data",
        "stale" => "no recent activity (stale)",
        "not_named" => "no record kept refers to it any more",
        "targets_skipped" => "every record it was attached to was left out",
        "converted_lead" => "lead already converted into a contact",
        "not_the_primary_contact_role" => "not the primary contact of the deal",
        "file_not_imported" => "file left out by the mapping",
        "file_not_mapped" => "file not recognised as any Twenty object",
        "older_version" => "an older version of a file (the latest is attached)",
        "enhanced_note_not_a_file" => "an enhanced note's body, not a file",
        // Merge rules.
        "same_file_same_record" => "the same file attached to the same record",
        // Issue codes (audit: invalid values, findings).
        "EMAIL_INVALID" => "email address could not be read",
        "DOMAIN_INVALID" => "website could not be read",
        "URL_INVALID" => "link could not be read",
        "PHONE_INVALID" => "phone number could not be read",
        "PHONE_NO_REGION" => "phone number without a country",
        "DATE_INVALID" => "date could not be read",
        "DATE_AMBIGUOUS" => "date could be day/month or month/day",
        "NUMBER_INVALID" => "number could not be read",
        "MONEY_INVALID" => "amount could not be read",
        "CURRENCY_UNKNOWN" => "currency not recognised",
        "BOOLEAN_INVALID" => "yes/no value could not be read",
        "SELECT_UNMAPPED" => "value not among the field's options",
        "COUNTRY_UNKNOWN" => "country not recognised",
        "REFERENCE_DANGLING" => "refers to a record that is not in the export",
        "REFERENCE_AMBIGUOUS" => "refers to several records (not guessed)",
        "OWNER_UNKNOWN" => "owner is not a workspace member",
        "FREE_MAIL_DOMAIN" => "free email provider, not a company's domain",
        "TEXT_TRUNCATED" => "text shortened to fit",
        "ENCODING_REPLACED" => "characters that could not be decoded were replaced",
        "VALUE_REPAIRED" => "value repaired",
        // Twenty's field types (custom fields to create).
        "TEXT" => "text",
        "RICH_TEXT" => "formatted text",
        "NUMBER" | "NUMERIC" => "number",
        "BOOLEAN" => "yes/no",
        "DATE" => "date",
        "DATE_TIME" => "date and time",
        "CURRENCY" => "amount with currency",
        "SELECT" => "one of a list of options",
        "MULTI_SELECT" => "several of a list of options",
        "LINKS" => "links",
        "EMAILS" => "email addresses",
        "PHONES" => "phone numbers",
        "FULL_NAME" => "first and last name",
        "ADDRESS" => "address",
        "RATING" => "rating",
        "RELATION" => "link to another record",
        "RAW_JSON" => "structured data (JSON)",
        "ARRAY" => "list of values",
        // Transforms (the audit's "becomes" column).
        "skip" => "not imported",
        "rich_text" => "formatted text",
        "multi_select" => "several options",
        "full_name" => "first and last name",
        "member" => "workspace member",
        "source_id" => "source id",
        "email_domain" => "email domain",
        _ => return Cow::Owned(code.replace('_', " ")),
    };
    Cow::Borrowed(w)
}

/// An object's name as a person says it, in the plural (`person` → `people`). Custom objects
/// keep their name.
pub fn object_plural(object: &str) -> Cow<'_, str> {
    Cow::Borrowed(match object {
        "company" => "companies",
        "person" => "people",
        "opportunity" => "opportunities",
        "note" => "notes",
        "task" => "tasks",
        "noteTarget" => "note links",
        "taskTarget" => "task links",
        "workspaceMember" => "users (workspace members)",
        "attachment" => "attachments (files)",
        other => return Cow::Borrowed(other),
    })
}

/// A verification check (`records.person`, `links.person.company`,
/// `assignments.company.accountOwner`, `custom_fields.company.tier`, `duplicates`, `sample`) as a
/// sentence a person reads.
pub fn check(check: &str) -> String {
    let mut parts = check.splitn(3, '.');
    let (kind, object, field) = (parts.next().unwrap_or(""), parts.next(), parts.next());
    match (kind, object, field) {
        ("records", Some(o), None) => format!("{} found in Twenty", object_plural(o)),
        ("attachments", Some("content"), None) => {
            "attachments read back with the export's bytes".to_string()
        }
        ("links", Some(o), Some("targets")) => {
            format!("{} attached to their records", object_plural(o))
        }
        ("links", Some(o), Some(f)) => format!("{} linked to their {f}", object_plural(o)),
        ("assignments", Some(o), Some(f)) => {
            format!("{} with the right {f} (owner)", object_plural(o))
        }
        ("custom_fields", Some(o), Some(f)) => {
            format!(
                "values of the custom field {f} of {} kept",
                object_plural(o)
            )
        }
        ("duplicates", None, None) => "duplicates the import made in the workspace".into(),
        ("sample", None, None) => "sampled records equal to the source, field by field".into(),
        _ => words(check).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_words() {
        for (code, want) in [
            ("deleted_in_source", "deleted in the source CRM"),
            (
                "lookup_only",
                "users: read only to match owners, not imported",
            ),
            ("test_data", "test data"),
            ("stale", "no recent activity (stale)"),
            ("PHONE_INVALID", "phone number could not be read"),
            ("EMAIL_INVALID", "email address could not be read"),
            ("DATE_AMBIGUOUS", "date could be day/month or month/day"),
            ("OWNER_UNKNOWN", "owner is not a workspace member"),
            ("DATE_TIME", "date and time"),
            ("MULTI_SELECT", "several of a list of options"),
            ("skip", "not imported"),
            // Unknown codes: the code, underscores as spaces.
            ("some_rule_of_the_mapping", "some rule of the mapping"),
            ("NEW_CODE", "NEW CODE"),
            ("same email", "same email"),
            ("", ""),
        ] {
            assert_eq!(words(code), want, "{code}");
        }
    }

    #[test]
    fn every_issue_code_has_words() {
        use c2t_core::IssueCode::*;
        for c in [
            EmailInvalid,
            DomainInvalid,
            UrlInvalid,
            PhoneInvalid,
            PhoneNoRegion,
            DateInvalid,
            DateAmbiguous,
            NumberInvalid,
            MoneyInvalid,
            CurrencyUnknown,
            BooleanInvalid,
            SelectUnmapped,
            CountryUnknown,
            ReferenceDangling,
            ReferenceAmbiguous,
            OwnerUnknown,
            FreeMailDomain,
            TextTruncated,
            EncodingReplaced,
            ValueRepaired,
        ] {
            let w = words(c.as_str());
            assert!(
                w.chars().any(|ch| ch.is_lowercase()) && !w.contains('_'),
                "{c}: {w}"
            );
        }
    }

    #[test]
    fn checks_read_as_sentences() {
        for (code, want) in [
            ("records.person", "people found in Twenty"),
            ("records.project", "project found in Twenty"),
            (
                "links.opportunity.company",
                "opportunities linked to their company",
            ),
            ("links.note.targets", "notes attached to their records"),
            (
                "assignments.company.accountOwner",
                "companies with the right accountOwner (owner)",
            ),
            (
                "custom_fields.company.tier",
                "values of the custom field tier of companies kept",
            ),
            ("duplicates", "duplicates the import made in the workspace"),
            (
                "sample",
                "sampled records equal to the source, field by field",
            ),
            ("something_new", "something new"),
        ] {
            assert_eq!(check(code), want, "{code}");
        }
    }

    #[test]
    fn objects_read_in_the_plural() {
        assert_eq!(object_plural("person"), "people");
        assert_eq!(
            object_plural("workspaceMember"),
            "users (workspace members)"
        );
        assert_eq!(object_plural("project"), "project");
    }
}
