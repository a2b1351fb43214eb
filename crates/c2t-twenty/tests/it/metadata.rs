//! Metadata: objects, relation join columns, target styles, custom fields/objects/options.

use c2t_twenty::{ApiError, NewField, TargetStyle, targets_from_metadata};
use serde_json::json;
use twenty_sandbox::ProfileKind;

use crate::common::*;

#[test]
fn standard_objects_and_relations_both_profiles() {
    for profile in BOTH {
        let sb = sandbox(profile);
        let c = client(&sb);
        let objects = c.objects().unwrap();
        for name in [
            "company",
            "person",
            "opportunity",
            "note",
            "noteTarget",
            "task",
            "taskTarget",
            "workspaceMember",
        ] {
            let o = objects
                .iter()
                .find(|o| o.name_singular == name)
                .unwrap_or_else(|| panic!("{profile:?}: no {name}"));
            assert!(!o.is_custom, "{profile:?} {name}");
            assert!(!o.id.is_empty() && !o.fields.is_empty());
        }
        let person = objects
            .iter()
            .find(|o| o.name_singular == "person")
            .unwrap();
        assert_eq!(person.name_plural, "people");
        assert_eq!(person.label_singular, "Person");
        let company = person.field("company").unwrap();
        assert_eq!(company.kind, "RELATION");
        assert_eq!(
            company.relation_target.as_deref(),
            Some("company"),
            "{profile:?}"
        );
        assert_eq!(company.join_column.as_deref(), Some("companyId"));
        assert_eq!(
            person.field_by_join_column("companyId").unwrap().name,
            "company"
        );
        let opp = objects
            .iter()
            .find(|o| o.name_singular == "opportunity")
            .unwrap();
        let poc = opp.field("pointOfContact").unwrap();
        assert_eq!(
            poc.relation_target.as_deref(),
            Some("person"),
            "{profile:?}"
        );
        assert_eq!(poc.join_column.as_deref(), Some("pointOfContactId"));
        let stage = opp.field("stage").unwrap();
        assert_eq!(stage.kind, "SELECT");
        assert!(stage.options.iter().any(|o| o.value == "PROPOSAL"));

        let (style, notes, tasks) = targets_from_metadata(&objects);
        match profile {
            ProfileKind::Twenty2 => {
                assert_eq!(style, TargetStyle::Morph);
                assert_eq!(notes["person"], "targetPersonId");
                assert_eq!(notes["company"], "targetCompanyId");
                assert_eq!(tasks["opportunity"], "targetOpportunityId");
            }
            ProfileKind::Twenty15 => {
                assert_eq!(style, TargetStyle::Legacy);
                assert_eq!(notes["person"], "personId");
                assert_eq!(tasks["company"], "companyId");
            }
        }
        assert!(!notes.contains_key("note"));
    }
}

#[test]
fn custom_fields_options_then_write_both_profiles() {
    for profile in BOTH {
        let sb = sandbox(profile);
        let c = client(&sb);
        let objects = c.objects().unwrap();
        let company = objects
            .iter()
            .find(|o| o.name_singular == "company")
            .unwrap();

        let source = c
            .create_field(
                &company.id,
                &NewField {
                    name: "sourceRecordId".into(),
                    label: "Source record id".into(),
                    kind: "TEXT".into(),
                    is_unique: true,
                    ..NewField::default()
                },
            )
            .unwrap();
        assert_eq!(source.name, "sourceRecordId");
        assert!(source.is_custom && source.is_unique);

        let tier = c
            .create_field(
                &company.id,
                &NewField {
                    name: "tier".into(),
                    label: "Tier".into(),
                    kind: "SELECT".into(),
                    options: vec![
                        ("GOLD".into(), "Gold".into()),
                        ("SILVER".into(), "Silver".into()),
                    ],
                    ..NewField::default()
                },
            )
            .unwrap();
        assert_eq!(tier.options.len(), 2, "{profile:?}");
        assert!(
            tier.options
                .iter()
                .all(|o| o.id.is_some() && o.color.is_some())
        );

        c.add_options(
            &tier,
            &[
                ("GOLD".into(), "Gold".into()),
                ("BRONZE".into(), "Bronze".into()),
            ],
        )
        .unwrap();
        let objects = c.objects().unwrap();
        let company = objects
            .iter()
            .find(|o| o.name_singular == "company")
            .unwrap();
        let tier2 = company.field("tier").unwrap();
        let values: Vec<_> = tier2.options.iter().map(|o| o.value.as_str()).collect();
        assert_eq!(values, vec!["GOLD", "SILVER", "BRONZE"], "{profile:?}");
        assert_eq!(
            tier2.options[0].id, tier.options[0].id,
            "existing options keep their ids"
        );
        assert!(company.field("sourceRecordId").unwrap().is_custom);

        let rec =
            json!({"id": id(1, 1), "name": "Tiered", "tier": "BRONZE", "sourceRecordId": "crm-1"});
        let out = c.batch_create("companies", &[rec], false).unwrap();
        assert_eq!(ids(&out), vec![id(1, 1)]);
        let got = c.get("companies", &id(1, 1)).unwrap().unwrap();
        assert_eq!(got["tier"], "BRONZE");
        assert_eq!(got["sourceRecordId"], "crm-1");

        // A label instead of a value is refused, with the server's message.
        let bad = json!({"id": id(1, 2), "name": "Bad", "tier": "Gold"});
        match c.batch_create("companies", &[bad], false) {
            Err(ApiError::Rejected {
                status: 400,
                messages,
                ..
            }) => assert!(!messages.is_empty()),
            other => panic!("{profile:?}: {other:?}"),
        }
    }
}

#[test]
fn custom_object_with_relation_both_profiles() {
    for profile in BOTH {
        let sb = sandbox(profile);
        let c = client(&sb);
        let objects = c.objects().unwrap();
        let company = objects
            .iter()
            .find(|o| o.name_singular == "company")
            .unwrap()
            .clone();
        let invoice = c
            .create_object("invoice", "invoices", "Invoice", "Invoices")
            .unwrap();
        assert_eq!(invoice.name_plural, "invoices");
        assert!(invoice.is_custom, "{profile:?}");
        let rel = c
            .create_field(
                &invoice.id,
                &NewField {
                    name: "company".into(),
                    label: "Company".into(),
                    kind: "RELATION".into(),
                    relation: Some((company.id.clone(), "invoices".into(), "Invoices".into())),
                    ..NewField::default()
                },
            )
            .unwrap();
        assert_eq!(rel.join_column.as_deref(), Some("companyId"), "{profile:?}");
        assert_eq!(
            rel.relation_target.as_deref(),
            Some("company"),
            "{profile:?}"
        );

        c.batch_create("companies", &[company_rec()], false)
            .unwrap();
        let inv = json!({"id": id(2, 1), "name": "INV-1", "companyId": id(2, 0)});
        let out = c.batch_create("invoices", &[inv], false).unwrap();
        assert_eq!(out[0]["companyId"], id(2, 0));

        // Re-read: the relation is visible in the metadata with its join column.
        let objects = c.objects().unwrap();
        let invoice = objects
            .iter()
            .find(|o| o.name_singular == "invoice")
            .unwrap();
        let f = invoice.field("company").unwrap();
        assert_eq!(f.join_column.as_deref(), Some("companyId"));
        assert_eq!(f.relation_target.as_deref(), Some("company"), "{profile:?}");
    }
}

fn company_rec() -> serde_json::Value {
    json!({"id": id(2, 0), "name": "Acme"})
}

#[test]
fn metadata_validation_errors_both_shapes() {
    for profile in BOTH {
        let sb = sandbox(profile);
        let c = client(&sb);
        let objects = c.objects().unwrap();
        let company = objects
            .iter()
            .find(|o| o.name_singular == "company")
            .unwrap();
        let bad_option = NewField {
            name: "level".into(),
            label: "Level".into(),
            kind: "SELECT".into(),
            options: vec![("Gold tier".into(), "Gold tier".into())],
            ..NewField::default()
        };
        match c.create_field(&company.id, &bad_option) {
            Err(ApiError::Rejected {
                status: 400,
                messages,
                ..
            }) => {
                assert!(
                    messages
                        .iter()
                        .any(|m| m.contains("UPPER_CASE") || m.contains("snake")),
                    "{profile:?}: {messages:?}"
                );
            }
            other => panic!("{profile:?}: {other:?}"),
        }
        let bad_name = NewField {
            name: "BadName".into(),
            label: "Bad".into(),
            kind: "TEXT".into(),
            ..NewField::default()
        };
        match c.create_field(&company.id, &bad_name) {
            Err(ApiError::Rejected { messages, .. }) => assert!(!messages.is_empty()),
            other => panic!("{profile:?}: {other:?}"),
        }
    }
}
