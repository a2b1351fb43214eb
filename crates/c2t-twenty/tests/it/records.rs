//! Records: batch create/upsert, GraphQL upsert, lists, members, get/update/delete, detect.

use c2t_twenty::{ApiError, TargetStyle, detect};
use serde_json::json;
use twenty_sandbox::ProfileKind;

use crate::common::*;

#[test]
fn rest_upsert_twice_same_ids_no_duplicate() {
    let sb = sandbox(ProfileKind::Twenty2);
    let c = client(&sb);
    let before = c.list_all("companies", None).unwrap().len();
    let batch: Vec<_> = (0..3).map(|n| company(3, n, &format!("Co {n}"))).collect();
    let first = c.batch_create("companies", &batch, true).unwrap();
    assert_eq!(ids(&first), ids(&batch));
    let renamed: Vec<_> = (0..3)
        .map(|n| company(3, n, &format!("Renamed {n}")))
        .collect();
    let second = c.batch_create("companies", &renamed, true).unwrap();
    assert_eq!(ids(&second), ids(&batch));
    assert_eq!(second[1]["name"], "Renamed 1");
    let all = c.list_all("companies", None).unwrap();
    assert_eq!(all.len(), before + 3);
    // Without upsert the same ids are a duplicate.
    match c.batch_create("companies", &batch[..1], false) {
        Err(ApiError::Duplicate { message }) => assert!(message.contains("duplicate")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn v15_ignores_rest_upsert_graphql_upsert_works() {
    let sb = sandbox(ProfileKind::Twenty15);
    let c = client(&sb);
    let batch: Vec<_> = (0..3).map(|n| company(4, n, &format!("Co {n}"))).collect();
    c.batch_create("companies", &batch, true).unwrap();
    match c.batch_create("companies", &batch, true) {
        // As a live 1.5 answers (shared/twenty-live/2026-12/probe-upsert-second-…).
        Err(ApiError::Duplicate { message }) => {
            assert_eq!(message, "Record already exists")
        }
        other => panic!("1.5 must ignore ?upsert=true: {other:?}"),
    }
    let renamed: Vec<_> = (0..4).map(|n| company(4, n, &format!("GQL {n}"))).collect();
    let out = c.graphql_create_many("companies", &renamed, true).unwrap();
    assert_eq!(ids(&out), ids(&renamed));
    assert_eq!(c.list_all("companies", None).unwrap().len(), 4);
    assert_eq!(
        c.get("companies", &id(4, 2)).unwrap().unwrap()["name"],
        "GQL 2"
    );
    // GraphQL without upsert: duplicate error parsed from the GraphQL error shape.
    match c.graphql_create_many("companies", &renamed[..1], false) {
        Err(ApiError::Duplicate { .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn graphql_upsert_on_2x_too() {
    let sb = sandbox(ProfileKind::Twenty2);
    let c = client(&sb);
    let batch: Vec<_> = (0..5).map(|n| company(5, n, &format!("Co {n}"))).collect();
    assert_eq!(
        ids(&c.graphql_create_many("companies", &batch, true).unwrap()),
        ids(&batch)
    );
    assert_eq!(
        ids(&c.graphql_create_many("companies", &batch, true).unwrap()),
        ids(&batch)
    );
    assert_eq!(c.list_all("companies", None).unwrap().len(), 5);
}

#[test]
fn batch_over_cap_is_too_large_with_max() {
    let sb = sandbox(ProfileKind::Twenty2);
    let mut cfg = config(&sb.base_url());
    cfg.max_batch = 500;
    let c = c2t_twenty::Client::new(cfg).unwrap();
    let people: Vec<_> = (0..201)
        .map(|n| json!({"id": id(6, n), "name": {"firstName": "P", "lastName": format!("{n}")}}))
        .collect();
    match c.batch_create("people", &people, true) {
        Err(ApiError::TooLarge { max, message }) => {
            assert_eq!(max, Some(200));
            assert!(message.contains("200"));
        }
        other => panic!("{other:?}"),
    }
    // The default split (max_batch 60) goes through.
    let c = client(&sb);
    assert_eq!(c.batch_create("people", &people, true).unwrap().len(), 201);
    assert!(c.batch_create("people", &[], true).unwrap().is_empty());
}

#[test]
fn lists_page_and_filter_both_profiles() {
    for profile in BOTH {
        let sb = sandbox(profile);
        let c = client(&sb);
        let batch: Vec<_> = (0..250)
            .map(|n| company(7, n, &format!("Co {n:03}")))
            .collect();
        c.batch_create("companies", &batch, false).unwrap();
        let page = c.list("companies", None, 100, None).unwrap();
        assert_eq!(page.records.len(), 100);
        assert!(page.next.is_some());
        assert!(page.total.is_some());
        let page2 = c
            .list("companies", None, 100, page.next.as_deref())
            .unwrap();
        assert_eq!(page2.records.len(), 100);
        assert_ne!(ids(&page.records)[0], ids(&page2.records)[0]);
        let all = c.list_all("companies", None).unwrap();
        let mut got = ids(&all);
        got.sort();
        got.dedup();
        assert_eq!(got.len(), 250, "{profile:?}");
        let filtered = c
            .list_all(
                "companies",
                Some(r#"domainName.primaryLinkUrl[eq]:"https://c7-42.example.org""#),
            )
            .unwrap();
        assert_eq!(ids(&filtered), vec![id(7, 42)], "{profile:?}");
    }
}

#[test]
fn members_both_profiles() {
    for profile in BOTH {
        let sb = sandbox(profile);
        let c = client(&sb);
        let mut members = c.members().unwrap();
        members.sort_by(|a, b| a.email.cmp(&b.email));
        let emails: Vec<_> = members.iter().map(|m| m.email.as_str()).collect();
        assert!(
            emails.contains(&"ada@example.com"),
            "{profile:?} {emails:?}"
        );
        let ada = members
            .iter()
            .find(|m| m.email == "ada@example.com")
            .unwrap();
        assert_eq!(
            (ada.first_name.as_str(), ada.last_name.as_str()),
            ("Ada", "Lovelace")
        );
        assert!(!ada.id.is_empty());
    }
}

#[test]
fn get_update_delete_both_profiles() {
    for profile in BOTH {
        let sb = sandbox(profile);
        let c = client(&sb);
        assert_eq!(c.get("companies", &id(8, 99)).unwrap(), None, "{profile:?}");
        c.batch_create("companies", &[company(8, 1, "Before")], false)
            .unwrap();
        let updated = c
            .update("companies", &id(8, 1), &json!({"name": "After"}))
            .unwrap();
        assert_eq!(updated["name"], "After");
        assert_eq!(
            c.get("companies", &id(8, 1)).unwrap().unwrap()["name"],
            "After"
        );
        c.delete("companies", &id(8, 1), true).unwrap();
        c.delete("companies", &id(8, 1), false).unwrap();
        assert_eq!(c.get("companies", &id(8, 1)).unwrap(), None);
        // Deleting again is not an error (idempotent).
        c.delete("companies", &id(8, 1), false).unwrap();
        match c.update("companies", &id(8, 1), &json!({"name": "Ghost"})) {
            Err(e) => assert!(e.is_not_found(), "{profile:?}: {e:?}"),
            Ok(v) => panic!("{v}"),
        }
    }
}

#[test]
fn detect_both_profiles_leaves_workspace_unchanged() {
    for profile in BOTH {
        let sb = sandbox(profile);
        let c = client(&sb);
        let notes_before = c
            .list_all("notes", Some("deletedAt[is]:NOT_NULL"))
            .unwrap()
            .len()
            + c.list_all("notes", None).unwrap().len();
        let caps = detect(&c).unwrap();
        match profile {
            ProfileKind::Twenty2 => {
                assert!(caps.rest_upsert);
                // A live 2.19 refuses the probe's non-UUID ids before counting them
                // (shared/twenty-live-2x/2026-12/capability-probe-batch-400.json): the cap is
                // learnt from a batch the server refuses as too large, not from the probe.
                assert_eq!(caps.batch_max, None);
                assert_eq!(caps.target_fields, TargetStyle::Morph);
                assert_eq!(caps.note_targets["person"], "targetPersonId");
            }
            ProfileKind::Twenty15 => {
                assert!(!caps.rest_upsert);
                assert_eq!(caps.batch_max, None);
                assert_eq!(caps.target_fields, TargetStyle::Legacy);
                assert_eq!(caps.task_targets["person"], "personId");
            }
        }
        let notes_after = c
            .list_all("notes", Some("deletedAt[is]:NOT_NULL"))
            .unwrap()
            .len()
            + c.list_all("notes", None).unwrap().len();
        assert_eq!(notes_before, notes_after, "{profile:?}");
    }
}
