//! Black-box HTTP tests of the REST, metadata and GraphQL routes and their errors.

use serde_json::{Value, json};
use twenty_sandbox::{Config, ProfileKind};

use crate::common::{KEY, company, message, person, start, start_with};

#[test]
fn auth_errors_match_twenty() {
    let sb = start(ProfileKind::Twenty2);
    let none = sb.try_call("GET", "/rest/companies", None, None).unwrap();
    assert_eq!(none.status, 403);
    assert_eq!(none.body["error"], "FORBIDDEN_EXCEPTION");
    assert_eq!(message(&none.body), "Missing authentication token");
    let wrong = sb
        .try_call("GET", "/rest/companies", None, Some("nope"))
        .unwrap();
    assert_eq!(wrong.status, 401);
    assert_eq!(message(&wrong.body), "Token invalid.");
    assert_eq!(
        sb.try_call("GET", "/rest/companies", None, Some(KEY))
            .unwrap()
            .status,
        200
    );
}

#[test]
fn create_get_patch_soft_delete_restore_hard_delete() {
    let sb = start(ProfileKind::Twenty2);
    let created = sb.post(
        "/rest/companies",
        json!({"name": "Acme", "domainName": {"primaryLinkUrl": "HTTPS://Acme.COM/"}}),
    );
    assert_eq!(created.status, 201);
    let rec = &created.body["data"]["createCompany"];
    let id = rec["id"].as_str().unwrap().to_string();
    assert_eq!(
        rec["domainName"]["primaryLinkUrl"], "https://acme.com",
        "origin lower-cased, slash stripped"
    );
    assert_eq!(rec["createdBy"]["source"], "API");
    assert_eq!(
        rec["address"]["addressCity"], "",
        "composite defaults filled"
    );
    assert_eq!(rec["deletedAt"], Value::Null);

    let got = sb.get(&format!("/rest/companies/{id}"));
    assert_eq!(got.body["data"]["company"]["name"], "Acme");

    // A partial composite only touches the sub-fields sent.
    let patched = sb.patch(
        &format!("/rest/companies/{id}"),
        json!({"address": {"addressCity": "Lyon"}, "employees": 5}),
    );
    assert_eq!(patched.status, 200);
    let p = &patched.body["data"]["updateCompany"];
    assert_eq!(p["address"]["addressCity"], "Lyon");
    assert_eq!(p["employees"], 5);
    assert_eq!(p["domainName"]["primaryLinkUrl"], "https://acme.com");
    let p2 = sb.patch(
        &format!("/rest/companies/{id}"),
        json!({"address": {"addressCountry": "France"}}),
    );
    assert_eq!(
        p2.body["data"]["updateCompany"]["address"]["addressCity"],
        "Lyon"
    );

    let del = sb.call(
        "DELETE",
        &format!("/rest/companies/{id}?soft_delete=true"),
        None,
    );
    assert_eq!(del.status, 200);
    assert!(del.body["data"]["deleteCompany"]["deletedAt"].is_string());
    assert_eq!(sb.get(&format!("/rest/companies/{id}")).status, 404);
    assert_eq!(sb.get("/rest/companies").body["totalCount"], 0);
    let deleted = sb.get("/rest/companies?filter=deletedAt[is]:NOT_NULL");
    assert_eq!(
        deleted.body["totalCount"], 1,
        "a deletedAt filter shows soft-deleted rows"
    );

    let restored = sb.call(
        "PATCH",
        &format!("/rest/restore/companies?filter=id[eq]:\"{id}\""),
        None,
    );
    assert_eq!(restored.status, 200, "{}", restored.body);
    assert_eq!(
        restored.body["data"]["restoreCompanies"][0]["deletedAt"],
        Value::Null
    );
    assert_eq!(sb.get(&format!("/rest/companies/{id}")).status, 200);

    let hard = sb.call("DELETE", &format!("/rest/companies/{id}"), None);
    assert_eq!(hard.status, 200);
    assert_eq!(
        sb.get("/rest/companies?filter=deletedAt[is]:NOT_NULL").body["totalCount"],
        0
    );
    // The domain is free again after a hard delete.
    sb.create(
        "companies",
        json!([company("Acme again", "https://acme.com")]),
    );
}

#[test]
fn list_pages_with_cursors_order_and_limits() {
    let sb = start(ProfileKind::Twenty2);
    let names = ["delta", "alpha", "echo", "bravo", "charlie"];
    sb.create(
        "companies",
        Value::Array(names.iter().map(|n| json!({"name": n})).collect()),
    );
    let p1 = sb.get("/rest/companies?limit=2&order_by=name[AscNullsLast]");
    let got: Vec<&str> = p1.body["data"]["companies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(got, ["alpha", "bravo"]);
    assert_eq!(p1.body["totalCount"], 5);
    assert_eq!(p1.body["pageInfo"]["hasNextPage"], true);
    assert_eq!(p1.body["pageInfo"]["hasPreviousPage"], false);
    let end = p1.body["pageInfo"]["endCursor"].as_str().unwrap();
    let p2 = sb.get(&format!(
        "/rest/companies?limit=2&order_by=name[AscNullsLast]&starting_after={end}"
    ));
    let got: Vec<&str> = p2.body["data"]["companies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(got, ["charlie", "delta"]);
    // Twenty's `getPaginationInfo`: `hasPreviousPage` only when paging backward (the recorded
    // 2.19 answers false to every `starting_after` page, `2026-12/proxy-all.jsonl.gz`).
    assert_eq!(p2.body["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(p2.body["pageInfo"]["hasNextPage"], true);
    let start_cursor = p2.body["pageInfo"]["startCursor"].as_str().unwrap();
    let back = sb.get(&format!(
        "/rest/companies?limit=5&order_by=name[AscNullsLast]&ending_before={start_cursor}"
    ));
    let got: Vec<&str> = back.body["data"]["companies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(got, ["alpha", "bravo"]);
    assert_eq!(back.body["pageInfo"]["hasNextPage"], false, "backward");
    assert_eq!(
        back.body["pageInfo"]["hasPreviousPage"], false,
        "nothing before alpha"
    );
    let back1 = sb.get(&format!(
        "/rest/companies?limit=1&order_by=name[AscNullsLast]&ending_before={start_cursor}"
    ));
    assert_eq!(back1.body["data"]["companies"][0]["name"], "bravo");
    assert_eq!(back1.body["pageInfo"]["hasPreviousPage"], true);
    let desc = sb.get("/rest/companies?limit=1&order_by=name[DescNullsLast]");
    assert_eq!(desc.body["data"]["companies"][0]["name"], "echo");
    assert_eq!(sb.get("/rest/companies?limit=abc").status, 400);
    assert_eq!(sb.get("/rest/companies?starting_after=garbage").status, 400);
    assert_eq!(sb.get("/rest/companies?order_by=nope").status, 400);
}

#[test]
fn list_limit_is_clamped_to_200_in_twenty_2_only() {
    for (profile, expected) in [(ProfileKind::Twenty2, 200), (ProfileKind::Twenty15, 205)] {
        let sb = start(profile);
        let rows: Vec<Value> = (0..205).map(|i| json!({"name": format!("c{i}")})).collect();
        sb.create("companies", Value::Array(rows[..150].to_vec()));
        sb.create("companies", Value::Array(rows[150..].to_vec()));
        let all = sb.get("/rest/companies?limit=5000");
        assert_eq!(
            all.body["data"]["companies"].as_array().unwrap().len(),
            expected,
            "{profile}"
        );
        let default = sb.get("/rest/companies");
        assert_eq!(
            default.body["data"]["companies"].as_array().unwrap().len(),
            60,
            "{profile}"
        );
    }
}

#[test]
fn filters_on_fields_and_composite_sub_fields() {
    let sb = start(ProfileKind::Twenty2);
    sb.create(
        "companies",
        json!([
            {"name": "Acme", "domainName": {"primaryLinkUrl": "https://acme.com"}, "employees": 10},
            {"name": "Globex", "domainName": {"primaryLinkUrl": "https://globex.com"}, "employees": 50},
            {"name": "Initech", "employees": null}
        ]),
    );
    let count = |f: &str| -> Vec<String> {
        let a = sb.get(&format!("/rest/companies?filter={f}&order_by=name"));
        assert_eq!(a.status, 200, "{f}: {}", a.body);
        a.body["data"]["companies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        count("domainName.primaryLinkUrl[eq]:\"https://acme.com\""),
        ["Acme"]
    );
    assert_eq!(count("employees[gte]:10,employees[lt]:50"), ["Acme"]);
    assert_eq!(
        count("or(name[eq]:\"Globex\",employees[is]:NULL)"),
        ["Globex", "Initech"]
    );
    assert_eq!(count("not(name[in]:[Acme,Globex])"), ["Initech"]);
    assert_eq!(count("name[ilike]:\"%CM%\""), ["Acme"]);
    assert_eq!(count("and(employees[gt]:5,name[neq]:\"Acme\")"), ["Globex"]);
    assert_eq!(sb.get("/rest/companies?filter=nope[eq]:1").status, 400);
}

#[test]
fn unique_keys_refuse_duplicates_whole_batch() {
    let sb = start(ProfileKind::Twenty2);
    sb.create("people", json!([person("Ada", "Ada@Example.org")]));
    let dup = sb.post(
        "/rest/batch/people",
        json!([
            person("New", "new@example.org"),
            person("Ada2", "ada@example.org")
        ]),
    );
    assert_eq!(dup.status, 400);
    assert_eq!(message(&dup.body), "A duplicate entry was detected");
    assert_eq!(
        sb.get("/rest/people").body["totalCount"],
        1,
        "the whole batch was refused"
    );
    let within = sb.post(
        "/rest/batch/companies",
        json!([
            company("A", "https://x.com"),
            company("B", "https://X.com/")
        ]),
    );
    assert_eq!(
        within.status, 400,
        "duplicates inside one batch after normalisation"
    );
    // Empty values are not unique keys.
    sb.create(
        "people",
        json!([{"name": {"firstName": "No"}}, {"name": {"firstName": "Mail"}}]),
    );
}

#[test]
fn soft_deleted_rows_hold_unique_values_in_2x_not_in_1_5() {
    for (profile, status) in [(ProfileKind::Twenty2, 400), (ProfileKind::Twenty15, 201)] {
        let sb = start(profile);
        let id = sb.create("companies", json!([company("Old", "https://old.example")]))[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            sb.call(
                "DELETE",
                &format!("/rest/companies/{id}?soft_delete=true"),
                None
            )
            .status,
            200
        );
        let again = sb.post(
            "/rest/batch/companies",
            json!([company("New", "https://old.example")]),
        );
        assert_eq!(again.status, status, "{profile}: {}", again.body);
        if profile == ProfileKind::Twenty15 {
            assert_eq!(
                message(
                    &sb.post(
                        "/rest/batch/companies",
                        json!([company("Third", "https://old.example")])
                    )
                    .body
                ),
                "Duplicate Domain Name with value https://old.example. Please set a unique one."
            );
        }
    }
}

#[test]
fn upsert_updates_revives_and_detects_conflicts() {
    let sb = start(ProfileKind::Twenty2);
    let first = sb.create(
        "companies",
        json!([
            company("One", "https://one.example"),
            company("Two", "https://two.example")
        ]),
    );
    let one_id = first[0]["id"].as_str().unwrap().to_string();
    let created_at = first[0]["createdAt"].clone();
    assert_eq!(
        sb.call(
            "DELETE",
            &format!("/rest/companies/{one_id}?soft_delete=true"),
            None
        )
        .status,
        200
    );
    let up = sb.post(
        "/rest/batch/companies?upsert=true",
        json!([
            company("One revived", "https://ONE.example/"),
            company("Three", "https://three.example")
        ]),
    );
    assert_eq!(up.status, 201, "{}", up.body);
    let recs = up.body["data"]["createCompanies"].as_array().unwrap();
    assert_eq!(recs[0]["id"], one_id.as_str(), "matched on the domain");
    assert_eq!(recs[0]["name"], "One revived");
    assert_eq!(
        recs[0]["deletedAt"],
        Value::Null,
        "soft-deleted match revived"
    );
    assert_eq!(recs[0]["createdAt"], created_at);
    assert_eq!(recs[0]["createdBy"]["source"], "API");
    assert_eq!(sb.get("/rest/companies").body["totalCount"], 3);
    // One input row matching two records (id of Two, domain of One) → conflict.
    let two_id = first[1]["id"].as_str().unwrap();
    let conflict = sb.post(
        "/rest/batch/companies?upsert=true",
        json!([{"id": two_id, "domainName": {"primaryLinkUrl": "https://one.example"}}]),
    );
    assert_eq!(conflict.status, 400);
    assert_eq!(
        conflict.body["code"],
        "UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT"
    );
    // Upsert by id alone updates.
    let by_id = sb.post(
        "/rest/batch/companies?upsert=true",
        json!([{"id": two_id, "employees": 7}]),
    );
    assert_eq!(by_id.body["data"]["createCompanies"][0]["employees"], 7);
    assert_eq!(by_id.body["data"]["createCompanies"][0]["name"], "Two");
}

#[test]
fn rest_upsert_is_ignored_by_twenty_1_5_but_graphql_upserts() {
    let sb = start(ProfileKind::Twenty15);
    let id =
        sb.create("companies", json!([company("One", "https://one.example")]))[0]["id"].clone();
    let rest = sb.post(
        "/rest/batch/companies?upsert=true",
        json!([company("One bis", "https://one.example")]),
    );
    assert_eq!(rest.status, 400);
    assert_eq!(rest.body["error"], "UserInputError");
    let gql = sb.post("/graphql", json!({
        "query": "mutation($d:[CompanyCreateInput!]!){createCompanies(data:$d, upsert:true){id name domainName{primaryLinkUrl}}}",
        "variables": {"d": [company("One via GraphQL", "https://one.example"), company("Two", "https://two.example")]}
    }));
    assert_eq!(gql.status, 200);
    let recs = gql.body["data"]["createCompanies"].as_array().unwrap();
    assert_eq!(recs[0]["id"], id);
    assert_eq!(recs[0]["name"], "One via GraphQL");
    assert_eq!(
        recs[0].as_object().unwrap().len(),
        3,
        "projected on the selection"
    );
    assert_eq!(
        recs[1]["domainName"],
        json!({"primaryLinkUrl": "https://two.example"})
    );
}

#[test]
fn validation_errors() {
    let sb = start(ProfileKind::Twenty2);
    let cases = [
        (
            "companies",
            json!([{"name": "X", "notAField": 1}]),
            "Object company doesn't have any \"notAField\" field.",
        ),
        (
            "people",
            json!([{"city": "Lyon"}]),
            "Object person doesn't have any \"city\" field.",
        ),
        (
            "opportunities",
            json!([{"stage": "Won"}]),
            "Invalid value \"Won\" for field \"stage\". Valid values are: NEW, SCREENING, MEETING, PROPOSAL, CUSTOMER",
        ),
        (
            "opportunities",
            json!([{"closeDate": "31/12/2024"}]),
            "Invalid value '31/12/2024' for date-time field \"closeDate\". Expected format: 'YYYY-MM-DDTHH:mm:ssZ'",
        ),
        (
            "noteTargets",
            json!([{"personId": "a8127460-4046-4fc2-9f7a-2bc9011cdb7e"}]),
            "Object noteTarget doesn't have any \"personId\" field.",
        ),
    ];
    for (plural, body, msg) in cases {
        let a = sb.post(&format!("/rest/batch/{plural}"), body);
        assert_eq!((a.status, message(&a.body).as_str()), (400, msg));
    }
    for (plural, body) in [
        ("companies", json!([{"employees": "many"}])),
        ("companies", json!([{"name": 12}])),
        ("companies", json!([{"domainName": "https://x.com"}])),
        (
            "companies",
            json!([{"domainName": {"url": "https://x.com"}}]),
        ),
        ("people", json!([{"emails": {"additionalEmails": "a@b.c"}}])),
        ("people", json!([{"name": {"firstName": 3}}])),
        (
            "opportunities",
            json!([{"amount": {"amountMicros": "lots"}}]),
        ),
        ("notes", json!([{"bodyV2": {"markdown": 1}}])),
        ("companies", json!([{"idealCustomerProfile": "yes"}])),
        ("companies", json!([{"accountOwnerId": "not-a-uuid"}])),
        ("companies", json!({"name": "not an array"})),
        ("companies", json!([])),
    ] {
        let a = sb.post(&format!("/rest/batch/{plural}"), body.clone());
        assert_eq!(a.status, 400, "{plural} {body}: {}", a.body);
    }
    let sb15 = start(ProfileKind::Twenty15);
    let date = sb15.post(
        "/rest/batch/opportunities",
        json!([{"closeDate": "31/12/2024"}]),
    );
    assert_eq!(date.status, 500, "1.5 lets Postgres fail");
    let unknown = sb15.post("/rest/batch/companies", json!([{"notAField": 1}]));
    assert_eq!(
        message(&unknown.body),
        "Field metadata for field \"notAField\" is missing in object metadata company"
    );
}

#[test]
fn foreign_keys_and_connect() {
    let sb = start(ProfileKind::Twenty2);
    let missing = "0b9c0f5e-0000-4000-8000-000000000000";
    for (plural, body) in [
        ("people", json!([{"companyId": missing}])),
        ("opportunities", json!([{"pointOfContactId": missing}])),
        ("companies", json!([{"accountOwnerId": missing}])),
        ("tasks", json!([{"assigneeId": missing}])),
        ("opportunities", json!([{"ownerId": missing}])),
        ("noteTargets", json!([{"noteId": missing}])),
        ("taskTargets", json!([{"targetCompanyId": missing}])),
    ] {
        let a = sb.post(&format!("/rest/batch/{plural}"), body);
        assert_eq!(a.status, 400, "{plural}: {}", a.body);
    }
    let acme = sb.create("companies", json!([company("Acme", "https://acme.com")]));
    let ppl = sb.create("people", json!([{
        "name": {"firstName": "Bob"},
        "company": {"connect": {"where": {"domainName": {"primaryLinkUrl": "https://ACME.com"}}}}
    }]));
    assert_eq!(ppl[0]["companyId"], acme[0]["id"]);
    let none = sb.post("/rest/batch/people", json!([{"company": {"connect": {"where": {"domainName": {"primaryLinkUrl": "https://nope.com"}}}}}]));
    assert_eq!(none.status, 400);
    let note = sb.create(
        "notes",
        json!([{"title": "N", "bodyV2": {"markdown": "Hello\n\nWorld"}}]),
    );
    assert!(
        note[0]["bodyV2"]["blocknote"]
            .as_str()
            .unwrap()
            .contains("World")
    );
    let nid = note[0]["id"].as_str().unwrap();
    sb.create("noteTargets", json!([{"noteId": nid, "targetPersonId": ppl[0]["id"]}, {"noteId": nid, "targetCompanyId": acme[0]["id"]}]));
    let deep = sb.get(&format!("/rest/notes/{nid}?depth=1"));
    assert_eq!(
        deep.body["data"]["note"]["noteTargets"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let shallow = sb.get(&format!("/rest/notes/{nid}"));
    assert!(shallow.body["data"]["note"].get("noteTargets").is_none());
    // Hard-deleting the note deletes its targets.
    assert_eq!(
        sb.call("DELETE", &format!("/rest/notes/{nid}"), None)
            .status,
        200
    );
    assert_eq!(sb.get("/rest/noteTargets").body["totalCount"], 0);
}

#[test]
fn batch_cap_per_profile_and_flag() {
    let sb = start(ProfileKind::Twenty2);
    let rows = |n: usize| {
        Value::Array(
            (0..n)
                .map(|i| json!({"name": {"firstName": format!("p{i}")}}))
                .collect(),
        )
    };
    let over = sb.post("/rest/batch/people", rows(201));
    assert_eq!(
        (over.status, message(&over.body).as_str()),
        (400, "Maximum number of records to upsert is 200.")
    );
    assert_eq!(sb.post("/rest/batch/people", rows(200)).status, 201);
    let mut config = Config::for_tests(KEY);
    config.batch_max = Some(3);
    let small = start_with(config);
    assert_eq!(
        message(&small.post("/rest/batch/people", rows(4)).body),
        "Maximum number of records to upsert is 3."
    );
    assert_eq!(small.post("/rest/batch/people", rows(3)).status, 201);
    let sb15 = start(ProfileKind::Twenty15);
    assert_eq!(
        sb15.post("/rest/batch/people", rows(250)).status,
        201,
        "1.5 has no cap"
    );
}

#[test]
fn workspace_members_from_flag_and_write_permission() {
    let mut config = Config::for_tests(KEY);
    config.members = vec![
        json!({"name": {"firstName": "Ada", "lastName": "Lovelace"}, "userEmail": "ada@example.com"}),
    ];
    let sb = start_with(config);
    let list = sb.get("/rest/workspaceMembers");
    assert_eq!(
        list.body["data"]["workspaceMembers"][0]["userEmail"],
        "ada@example.com"
    );
    let owner = list.body["data"]["workspaceMembers"][0]["id"].clone();
    let c = sb.create(
        "companies",
        json!([{"name": "Owned", "accountOwnerId": owner}]),
    );
    assert_eq!(c[0]["accountOwnerId"], owner);
    let denied = sb.post(
        "/rest/batch/workspaceMembers",
        json!([{"name": {"firstName": "X"}, "userEmail": "x@example.com"}]),
    );
    assert_eq!(
        (denied.status, denied.body["code"].as_str()),
        (400, Some("PERMISSION_DENIED"))
    );
}

#[test]
fn custom_fields_objects_and_options() {
    let sb = start(ProfileKind::Twenty2);
    let objects = sb.get("/rest/metadata/objects");
    let company_meta = objects.body["data"]["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["nameSingular"] == "company")
        .unwrap()
        .clone();
    let company_id = company_meta["id"].as_str().unwrap();
    let text = sb.post("/rest/metadata/fields", json!({"objectMetadataId": company_id, "type": "TEXT", "name": "sourceRecordId", "label": "Source record id", "isUnique": true}));
    assert_eq!(text.status, 201, "{}", text.body);
    let select = sb.post(
        "/rest/metadata/fields",
        json!({"objectMetadataId": company_id, "type": "SELECT", "name": "tier", "label": "Tier",
        "options": [{"value": "GOLD", "label": "Gold", "color": "yellow", "position": 0}]}),
    );
    assert_eq!(select.status, 201);
    let field = &select.body["data"]["createOneField"];
    assert!(field["options"][0]["id"].is_string());
    // Bad names and options.
    let bad = sb.post("/rest/metadata/fields", json!({"objectMetadataId": company_id, "type": "TEXT", "name": "Bad Name!", "label": "Bad"}));
    assert_eq!(
        (bad.status, bad.body["error"].as_str()),
        (400, Some("METADATA_VALIDATION_ERROR"))
    );
    let taken = sb.post(
        "/rest/metadata/fields",
        json!({"objectMetadataId": company_id, "type": "TEXT", "name": "name", "label": "Name"}),
    );
    assert_eq!(taken.status, 400);
    let badopt = sb.post("/rest/metadata/fields", json!({"objectMetadataId": company_id, "type": "SELECT", "name": "level", "label": "L", "options": [{"value": "Gold tier", "label": "G"}]}));
    assert_eq!(badopt.status, 400);
    // Written and filtered at once; unique enforced; upsert matches on it.
    sb.create(
        "companies",
        json!([{"name": "C1", "sourceRecordId": "SF-1", "tier": "GOLD"}]),
    );
    let f = sb.get("/rest/companies?filter=sourceRecordId[eq]:\"SF-1\"");
    assert_eq!(f.body["totalCount"], 1);
    assert_eq!(
        sb.post(
            "/rest/batch/companies",
            json!([{"name": "C2", "sourceRecordId": "SF-1"}])
        )
        .status,
        400
    );
    let up = sb.post(
        "/rest/batch/companies?upsert=true",
        json!([{"name": "C1 renamed", "sourceRecordId": "SF-1"}]),
    );
    assert_eq!(up.body["data"]["createCompanies"][0]["name"], "C1 renamed");
    assert_eq!(
        sb.post("/rest/batch/companies", json!([{"tier": "SILVER"}]))
            .status,
        400
    );
    // Add an option by PATCH with the full list.
    let mut options = field["options"].as_array().unwrap().clone();
    options.push(json!({"value": "SILVER", "label": "Silver", "color": "gray", "position": 1}));
    let patched = sb.patch(
        &format!("/rest/metadata/fields/{}", field["id"].as_str().unwrap()),
        json!({"options": options}),
    );
    assert_eq!(patched.status, 200);
    assert_eq!(
        patched.body["data"]["updateOneField"]["options"][0]["id"],
        field["options"][0]["id"]
    );
    assert_eq!(
        sb.post("/rest/batch/companies", json!([{"tier": "SILVER"}]))
            .status,
        201
    );
    // Custom object with a relation to company.
    let obj = sb.post("/rest/metadata/objects", json!({"nameSingular": "invoice", "namePlural": "invoices", "labelSingular": "Invoice", "labelPlural": "Invoices"}));
    assert_eq!(obj.status, 201, "{}", obj.body);
    let invoice_id = obj.body["data"]["createOneObject"]["id"].as_str().unwrap();
    let rel = sb.post("/rest/metadata/fields", json!({"objectMetadataId": invoice_id, "type": "RELATION", "name": "company", "label": "Company",
        "relationCreationPayload": {"targetObjectMetadataId": company_id, "type": "MANY_TO_ONE", "targetFieldLabel": "Invoices"}}));
    assert_eq!(rel.status, 201, "{}", rel.body);
    let c = sb.create("companies", json!([{"name": "Billed"}]));
    let inv = sb.create(
        "invoices",
        json!([{"name": "INV-1", "companyId": c[0]["id"]}]),
    );
    assert_eq!(inv[0]["companyId"], c[0]["id"]);
    assert_eq!(
        sb.post(
            "/rest/batch/invoices",
            json!([{"companyId": "0b9c0f5e-0000-4000-8000-000000000000"}])
        )
        .status,
        400
    );
    let deep = sb.get(&format!(
        "/rest/companies/{}?depth=1",
        c[0]["id"].as_str().unwrap()
    ));
    assert_eq!(deep.body["data"]["company"]["invoices"][0]["name"], "INV-1");
    // Other field types.
    for (t, name, value) in [
        ("NUMBER", "score", json!(1.5)),
        ("BOOLEAN", "vip", json!(true)),
        ("DATE", "signedOn", json!("2026-01-31")),
        ("EMAILS", "billingEmails", json!({"primaryEmail": "a@b.c"})),
        (
            "LINKS",
            "website",
            json!({"primaryLinkUrl": "https://w.com"}),
        ),
        (
            "CURRENCY",
            "budget",
            json!({"amountMicros": 1000000, "currencyCode": "EUR"}),
        ),
        ("MULTI_SELECT", "tags", json!(["A"])),
    ] {
        let mut body =
            json!({"objectMetadataId": invoice_id, "type": t, "name": name, "label": name});
        if t == "MULTI_SELECT" {
            body["options"] = json!([{"value": "A", "label": "A"}]);
        }
        assert_eq!(sb.post("/rest/metadata/fields", body).status, 201, "{t}");
        let rec = sb.create("invoices", json!([{ name: value.clone() }]));
        match &value {
            Value::Object(sent) => {
                for (k, v) in sent {
                    assert_eq!(&rec[0][name][k], v, "{t}.{k}");
                }
            }
            _ => assert_eq!(rec[0][name], value, "{t}"),
        }
    }
}

/// Workflows are records (`/rest/workflows`, `/rest/workflowVersions`), webhooks live in the
/// metadata API (`/rest/metadata/webhooks`, bare answers of Twenty's `WebhookController`: a bare
/// array recorded on 2.19, the same controller in 1.5's source), on both lines; both can be
/// seeded through the config.
#[test]
fn workflows_and_webhooks_are_listed_and_seeded() {
    for profile in [ProfileKind::Twenty2, ProfileKind::Twenty15] {
        let mut c = Config::for_tests(KEY);
        c.profile = profile;
        let (w, v) = (
            "6f4b8a8e-5d0e-4c57-9d59-2f4a1c3b7e01",
            "6f4b8a8e-5d0e-4c57-9d59-2f4a1c3b7e02",
        );
        c.records = vec![
            (
                "workflows".into(),
                json!({"id": w, "name": "Welcome", "statuses": ["ACTIVE"], "lastPublishedVersionId": v}),
            ),
            (
                "workflowVersions".into(),
                json!({"id": v, "workflowId": w, "name": "v1", "status": "ACTIVE",
                       "trigger": {"type": "DATABASE_EVENT", "settings": {"eventName": "person.created"}}}),
            ),
        ];
        c.webhooks = vec![json!({"targetUrl": "https://hooks.example.com/in", "secret": "s3"})];
        let sb = start_with(c);
        let list = sb.get("/rest/workflows");
        assert_eq!(list.status, 200, "{}", list.body);
        let wf = &list.body["data"]["workflows"][0];
        assert_eq!(wf["name"], "Welcome");
        assert_eq!(wf["statuses"], json!(["ACTIVE"]));
        let versions = sb.get("/rest/workflowVersions");
        let ver = &versions.body["data"]["workflowVersions"][0];
        assert_eq!(ver["workflowId"], w);
        assert_eq!(ver["trigger"]["settings"]["eventName"], "person.created");
        let objects = sb.get("/rest/metadata/objects");
        let names: Vec<&str> = objects.body["data"]["objects"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|o| o["nameSingular"].as_str())
            .collect();
        for n in ["workflow", "workflowVersion", "workflowAutomatedTrigger"] {
            assert!(names.contains(&n), "{profile:?}: {names:?}");
        }

        let hooks = sb.get("/rest/metadata/webhooks");
        assert_eq!(hooks.status, 200);
        let list = hooks.body.as_array().expect("a bare array");
        assert_eq!(list.len(), 1, "{}", hooks.body);
        let h = &list[0];
        assert_eq!(h["targetUrl"], "https://hooks.example.com/in");
        assert_eq!(h["operations"], json!(["*.*"]));
        assert_eq!(h["secret"], "s3");
        let v2 = profile == ProfileKind::Twenty2;
        assert_eq!(h.get("applicationId").is_some(), v2, "{h}");
        let made = sb.post(
            "/rest/metadata/webhooks",
            json!({"targetUrl": "https://b.example.com", "operations": ["person.created"]}),
        );
        assert_eq!(made.status, 201, "{}", made.body);
        let id = made.body["id"].as_str().unwrap().to_string();
        assert_eq!(made.body["operations"], json!(["person.created"]));
        assert_eq!(
            sb.get(&format!("/rest/metadata/webhooks/{id}")).body["targetUrl"],
            "https://b.example.com"
        );
        let deleted = sb.call("DELETE", &format!("/rest/metadata/webhooks/{id}"), None);
        assert_eq!((deleted.status, &deleted.body), (200, &json!(true)));
        // A webhook that is not there: the controller returns null, an empty 200.
        let gone = sb.get(&format!("/rest/metadata/webhooks/{id}"));
        assert_eq!((gone.status, &gone.body), (200, &Value::Null));
        let again = sb.call("DELETE", &format!("/rest/metadata/webhooks/{id}"), None);
        if v2 {
            assert_eq!(again.status, 404);
        } else {
            assert_eq!((again.status, &again.body), (200, &json!(false)));
        }
        assert_eq!(
            sb.get("/rest/metadata/webhooks")
                .body
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}

/// The id checks of a create, per line (1.5: `rest-api-create-many.handler.ts` and
/// `rest-api-create-one.handler.ts`; 2.x: `assertIsValidUuid` in the create query runners).
#[test]
fn record_ids_are_checked_like_each_line() {
    let bad = |m: &str| json!({"statusCode": 400, "error": "BadRequestException", "messages": [m]});
    let sb = start(ProfileKind::Twenty15);
    let id = "5b0f7c1e-2f6a-5d8e-9c41-7a2d3e6f1b90";
    sb.create("notes", json!([{"id": id, "title": "First"}]));
    // A live record with the id: refused before anything else, upsert flag or not (1.5 REST
    // ignores it), batch or single.
    for path in ["/rest/batch/notes", "/rest/batch/notes?upsert=true"] {
        let again = sb.post(path, json!([{"id": id, "title": "Again"}]));
        assert_eq!(
            (again.status, &again.body),
            (400, &bad("Record already exists")),
            "{path}"
        );
    }
    let one = sb.post("/rest/notes", json!({"id": id, "title": "Again"}));
    assert_eq!(
        (one.status, &one.body),
        (400, &bad("Record already exists"))
    );
    // The check runs record by record before validation: an unknown field comes later.
    let first = sb.post(
        "/rest/batch/notes",
        json!([{"id": id, "notAField": 1}, {"id": "nope"}]),
    );
    assert_eq!(first.body, bad("Record already exists"));
    // An id that is not a UUID fails in Postgres's id query, before the unknown field.
    let probe = sb.post(
        "/rest/batch/notes",
        json!([{"id": "c2t-probe", "c2tCapabilityProbe": true}]),
    );
    assert_eq!(
        (probe.status, &probe.body),
        (
            400,
            &bad("invalid input syntax for type uuid: \"c2t-probe\"")
        )
    );
    let single = sb.post("/rest/notes", json!({"id": "c2t-probe"}));
    assert_eq!(
        single.body,
        bad("invalid input syntax for type uuid: \"c2t-probe\"")
    );
    // A soft-deleted record is not "existing" for that check (TypeORM's exists leaves it out);
    // the insert then meets the primary key: Twenty's generic duplicate message.
    let del = sb.call(
        "DELETE",
        &format!("/rest/notes/{id}?soft_delete=true"),
        None,
    );
    assert_eq!(del.status, 200);
    let dup = sb.post("/rest/batch/notes", json!([{"id": id, "title": "Again"}]));
    assert_eq!(
        (dup.status, &dup.body),
        (400, &bad("A duplicate entry was detected"))
    );
    // The same new id twice in one batch meets the primary key too.
    let twice = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    let dup2 = sb.post(
        "/rest/batch/notes",
        json!([{"id": twice, "title": "a"}, {"id": twice, "title": "b"}]),
    );
    assert_eq!(dup2.body, bad("A duplicate entry was detected"));
    // Other unique keys keep the recorded 1.5 message.
    sb.create("companies", json!([company("One", "https://one.example")]));
    let domain = sb.post(
        "/rest/batch/companies",
        json!([company("One bis", "https://one.example")]),
    );
    assert_eq!(
        domain.body,
        json!({"statusCode": 400, "error": "UserInputError",
               "messages": ["Duplicate Domain Name with value https://one.example. Please set a unique one."]})
    );
    // 1.5's GraphQL create has no such check: it upserts.
    let gql = sb.post("/graphql", json!({
        "query": "mutation($d:[NoteCreateInput!]!){createNotes(data:$d, upsert:true){id title}}",
        "variables": {"d": [{"id": twice, "title": "via GraphQL"}]}
    }));
    assert_eq!(gql.body["data"]["createNotes"][0]["title"], "via GraphQL");

    let sb = start(ProfileKind::Twenty2);
    let invalid = |v: &str| {
        json!({"statusCode": 400, "error": "Error",
               "messages": [format!("Value \"{v}\" is not a valid UUID")], "code": "INVALID_QUERY_INPUT"})
    };
    // Checked before the values and before the batch cap.
    let probe: Vec<Value> = (0..201)
        .map(|_| json!({"id": "c2t-probe", "c2tCapabilityProbe": true}))
        .collect();
    let a = sb.post("/rest/batch/notes", json!(probe));
    assert_eq!((a.status, &a.body), (400, &invalid("c2t-probe")));
    let one = sb.post("/rest/notes", json!({"id": "c2t-probe"}));
    assert_eq!(one.body, invalid("c2t-probe"));
    // 2.x wants the hyphenated form.
    let simple = "5b0f7c1e2f6a5d8e9c417a2d3e6f1b90";
    assert_eq!(
        sb.post("/rest/batch/notes", json!([{"id": simple}])).body,
        invalid(simple)
    );
    let gql = sb.post(
        "/graphql",
        json!({
            "query": "mutation($d:[NoteCreateInput!]!){createNotes(data:$d){id}}",
            "variables": {"d": [{"id": "c2t-probe"}]}
        }),
    );
    assert_eq!(
        gql.body["errors"][0]["message"],
        "Value \"c2t-probe\" is not a valid UUID"
    );
    // The values are validated before the cap (the cap is checked in the query runner's run).
    let mut rows: Vec<Value> = (0..201)
        .map(|i| json!({"title": format!("n{i}")}))
        .collect();
    rows[200] = json!({"notAField": 1});
    let unknown = sb.post("/rest/batch/notes", json!(rows));
    assert_eq!(
        message(&unknown.body),
        "Object note doesn't have any \"notAField\" field."
    );
    // A live id without upsert: the primary key.
    sb.create("notes", json!([{"id": id, "title": "First"}]));
    let dup = sb.post("/rest/batch/notes", json!([{"id": id}]));
    assert_eq!(dup.body, bad("A duplicate entry was detected"));
}

/// 2.x answers an upsert with the records it updated first, then the ones it inserted
/// (`performUpsertOperation`; recorded in `proxy-all.jsonl.gz`).
#[test]
fn twenty_2_upsert_answers_updates_first() {
    let sb = start(ProfileKind::Twenty2);
    let old = "4a2c4a5e-14d2-5e4e-8f3d-ffb008b078a7";
    sb.create("companies", json!([{"id": old, "name": "Old"}]));
    let (a, b) = (
        "a7b43490-910e-50e8-b6ec-3fda6c94be76",
        "8f7538d0-89a7-5a97-a1b0-96d1a2529be9",
    );
    let up = sb.post(
        "/rest/batch/companies?upsert=true",
        json!([{"id": a, "name": "A"}, {"id": old, "name": "Old bis"}, {"id": b, "name": "B"}]),
    );
    assert_eq!(up.status, 201, "{}", up.body);
    let ids: Vec<&Value> = up.body["data"]["createCompanies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["id"])
        .collect();
    assert_eq!(ids, [old, a, b]);
    // Without upsert (or on 1.5's GraphQL) the input order stays.
    let plain = sb.post(
        "/rest/batch/companies",
        json!([{"name": "C"}, {"name": "D"}]),
    );
    let names: Vec<&Value> = plain.body["data"]["createCompanies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["name"])
        .collect();
    assert_eq!(names, ["C", "D"]);
}

/// Shapes read in `proxy-all.jsonl.gz` (real 2.19): an empty rich text answers markdown "",
/// a hard delete answers `{id}` (a soft delete the whole record), and the metadata listing
/// leaves out null keys (the create answer keeps them).
#[test]
fn twenty_2_shapes_of_the_proxy_recording() {
    let sb = start(ProfileKind::Twenty2);
    let note = &sb.create("notes", json!([{"title": "No body"}]))[0];
    assert_eq!(note["bodyV2"], json!({"blocknote": null, "markdown": ""}));
    let id = note["id"].as_str().unwrap();
    let hard = sb.call(
        "DELETE",
        &format!("/rest/notes/{id}?soft_delete=false"),
        None,
    );
    assert_eq!(hard.body, json!({"data": {"deleteNote": {"id": id}}}));
    let sb15 = start(ProfileKind::Twenty15);
    let note15 = &sb15.create("notes", json!([{"title": "No body"}]))[0];
    assert_eq!(
        note15["bodyV2"],
        json!({"blocknote": null, "markdown": null})
    );

    let objects = sb.get("/rest/metadata/objects");
    let person = objects.body["data"]["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["nameSingular"] == "person")
        .unwrap()
        .clone();
    let made = sb.post(
        "/rest/metadata/fields",
        json!({"objectMetadataId": person["id"], "type": "TEXT", "name": "city", "label": "City"}),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let blob = &made.body["data"]["createOneField"];
    assert!(blob["options"].is_null() && blob.get("options").is_some());
    let listed = sb.get("/rest/metadata/objects").body["data"]["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["nameSingular"] == "person")
        .unwrap()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "city")
        .unwrap()
        .clone();
    assert!(listed.get("options").is_none(), "{listed}");
    assert!(listed.as_object().unwrap().values().all(|v| !v.is_null()));
}

/// Reserved names (the lists of each line's source, see `metadata.rs`), fields and objects.
#[test]
fn reserved_names_follow_each_line() {
    let field = |sb: &crate::common::Sandbox, object: &str, name: &str| {
        let objects = sb.get("/rest/metadata/objects");
        let o = objects.body["data"]["objects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["nameSingular"] == object)
            .unwrap()
            .clone();
        sb.post(
            "/rest/metadata/fields",
            json!({"objectMetadataId": o["id"], "type": "ADDRESS", "name": name, "label": name, "isNullable": true}),
        )
    };
    let v2 = start(ProfileKind::Twenty2);
    let a = field(&v2, "person", "address");
    assert_eq!(a.status, 400);
    assert_eq!(a.body["error"], "METADATA_VALIDATION_ERROR");
    let e = &a.body["errors"]["fieldMetadata"][0]["errors"][0];
    assert_eq!(e["code"], "INVALID_FIELD_INPUT");
    assert_eq!(
        e["message"],
        "This name is reserved. Use a different name or the system will add \"Custom\" suffix."
    );
    assert_eq!(e["value"], "address");
    let views: Vec<&Value> = a.body["errors"]["viewField"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["flatEntityMinimalInformation"]["viewUniversalIdentifier"])
        .collect();
    assert_eq!(
        views,
        [
            "20202020-a002-4a02-8a02-ae0a1ea12001",
            "20202020-a002-4a02-8a02-ae0a1ea11a00"
        ]
    );
    assert_eq!(field(&v2, "person", "search").status, 400, "2.x only");
    assert_eq!(field(&v2, "person", "addressCustom").status, 201);
    assert_eq!(field(&v2, "person", "postgresCredential").status, 201);
    let obj = v2.post(
        "/rest/metadata/objects",
        json!({"nameSingular": "plan", "namePlural": "plans", "labelSingular": "Plan", "labelPlural": "Plans"}),
    );
    assert_eq!(obj.status, 400);

    let v15 = start(ProfileKind::Twenty15);
    let a = field(&v15, "person", "address");
    assert_eq!(
        (a.status, &a.body),
        (
            400,
            &json!({"statusCode": 400, "messages": ["The name 'address' is not available"], "error": "Bad Request"})
        )
    );
    assert_eq!(
        field(&v15, "company", "postgresCredential").status,
        400,
        "1.5 only"
    );
    assert_eq!(field(&v15, "company", "search").status, 201);
    assert_eq!(field(&v15, "company", "fullName").status, 201);
    let obj = v15.post(
        "/rest/metadata/objects",
        json!({"nameSingular": "invoice", "namePlural": "relations", "labelSingular": "Invoice", "labelPlural": "Relations"}),
    );
    assert_eq!(
        obj.body["messages"],
        json!(["The name 'relations' is not available"])
    );
}

const DELETE_PEOPLE: &str =
    "mutation($f: PersonFilterInput!){ deletePeople(filter: $f){ id deletedAt } }";
const RESTORE_PEOPLE: &str =
    "mutation($f: PersonFilterInput!){ restorePeople(filter: $f){ id deletedAt } }";
const DESTROY_PEOPLE: &str = "mutation($f: PersonFilterInput!){ destroyPeople(filter: $f){ id } }";

/// Sends a filter-based mass mutation with its filter as the variable `$f`.
fn mass(sb: &crate::common::Sandbox, query: &str, filter: Value) -> Value {
    let a = sb.post(
        "/graphql",
        json!({"query": query, "variables": {"f": filter}}),
    );
    assert_eq!(a.status, 200, "GraphQL always answers 200: {}", a.body);
    a.body
}

/// The ids of an answered list, sorted.
fn ids_of(records: &Value) -> Vec<String> {
    let mut ids: Vec<String> = records
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {records}"))
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn sorted(ids: &[&String]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// GraphQL `deletePeople` / `restorePeople` / `destroyPeople(filter: …)` (contract doc §2.1; no
/// recording): the REST soft delete, restore and hard delete (with its cascade) behind a filter
/// on ids, answered as the projected records; REST lists see the result.
#[test]
fn graphql_mass_soft_delete_restore_and_destroy_people() {
    for profile in [ProfileKind::Twenty2, ProfileKind::Twenty15] {
        let sb = start(profile);
        let rows: Vec<Value> = (0..5)
            .map(|i| person(&format!("P{i}"), &format!("p{i}@example.com")))
            .collect();
        let ids: Vec<String> = sb
            .create("people", json!(rows))
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        let note = sb.create("notes", json!([{"title": "About P2"}]));
        let target_field = match profile {
            ProfileKind::Twenty2 => "targetPersonId",
            ProfileKind::Twenty15 => "personId",
        };
        sb.create(
            "noteTargets",
            json!([{"noteId": note[0]["id"], target_field: ids[2]}]),
        );
        let nobody = "0b9c0f5e-0000-4000-8000-000000000000";

        // Soft delete 3 (an id of no record is just left out).
        let deleted = mass(
            &sb,
            DELETE_PEOPLE,
            json!({"id": {"in": [ids[0], ids[1], ids[2].to_uppercase(), nobody]}}),
        );
        let recs = &deleted["data"]["deletePeople"];
        assert_eq!(
            ids_of(recs),
            sorted(&[&ids[0], &ids[1], &ids[2]]),
            "{profile}: {deleted}"
        );
        for r in recs.as_array().unwrap() {
            assert_eq!(
                r.as_object().unwrap().len(),
                2,
                "projected on {{ id deletedAt }}"
            );
            assert!(r["deletedAt"].is_string(), "{r}");
        }
        let live = sb.get("/rest/people");
        assert_eq!(live.body["totalCount"], 2);
        assert_eq!(
            ids_of(&live.body["data"]["people"]),
            sorted(&[&ids[3], &ids[4]])
        );
        let trash = sb.get("/rest/people?filter=deletedAt[is]:NOT_NULL");
        assert_eq!(
            ids_of(&trash.body["data"]["people"]),
            sorted(&[&ids[0], &ids[1], &ids[2]])
        );
        // Already soft-deleted: not taken again (the REST soft delete answers "not found").
        let again = mass(&sb, DELETE_PEOPLE, json!({"id": {"eq": ids[0]}}));
        assert_eq!(again, json!({"data": {"deletePeople": []}}));

        // Restore 2 (a live record is not in the answer).
        let restored = mass(
            &sb,
            RESTORE_PEOPLE,
            json!({"id": {"in": [ids[0], ids[1], ids[4]]}}),
        );
        let recs = &restored["data"]["restorePeople"];
        assert_eq!(ids_of(recs), sorted(&[&ids[0], &ids[1]]), "{restored}");
        assert!(
            recs.as_array()
                .unwrap()
                .iter()
                .all(|r| r["deletedAt"].is_null())
        );
        assert_eq!(sb.get("/rest/people").body["totalCount"], 4);
        assert_eq!(
            sb.get(&format!("/rest/people/{}", ids[0])).body["data"]["person"]["name"]["firstName"],
            "P0"
        );

        // Destroy the one left in the trash: soft-deleted records are taken (1.5's REST hard
        // delete refuses those; its GraphQL destroy does not look at deletedAt either).
        let destroyed = mass(&sb, DESTROY_PEOPLE, json!({"id": {"eq": ids[2]}}));
        assert_eq!(
            destroyed,
            json!({"data": {"destroyPeople": [{"id": ids[2]}]}})
        );
        let trash = sb.get("/rest/people?filter=deletedAt[is]:NOT_NULL");
        assert_eq!(trash.body["totalCount"], 0, "gone from the trash too");
        assert_eq!(sb.get("/rest/people").body["totalCount"], 4);
        assert_eq!(
            sb.get("/rest/noteTargets").body["totalCount"],
            0,
            "the hard delete's cascade"
        );
        let gone = mass(&sb, RESTORE_PEOPLE, json!({"id": {"in": [ids[2]]}}));
        assert_eq!(gone, json!({"data": {"restorePeople": []}}));
        // The e-mail of the destroyed person is free again.
        sb.create("people", json!([person("P2 again", "p2@example.com")]));
        // A live record is destroyed too; the answer selection is projected.
        let live_destroy = sb.post(
            "/graphql",
            json!({"query": "mutation($f: PersonFilterInput!){ destroyPeople(filter: $f){ id name { firstName } } }",
                   "variables": {"f": {"id": {"in": [ids[3]]}}}}),
        );
        assert_eq!(
            live_destroy.body,
            json!({"data": {"destroyPeople": [{"id": ids[3], "name": {"firstName": "P3"}}]}})
        );
    }
}

/// Mass mutations are not capped on either line (a live 2.19 deleted and restored 101 in one
/// request, its live 1.5 destroyed 200 ids in one `destroyPeople`); `--mutation-max` sets a cap
/// (the refusal's text is ours). Filters other than `id.in` / `id.eq` are refused.
#[test]
fn graphql_mass_mutation_cap_and_filter_errors() {
    // No cap by default on either line (a live 2.19 deleted and restored 101 in one request:
    // `docs/evidence/live-2x/ceiling-q4-*`); `--mutation-max` sets one.
    for (profile, capped) in [
        (ProfileKind::Twenty2, false),
        (ProfileKind::Twenty15, false),
        (ProfileKind::Twenty2, true),
    ] {
        let mut config = twenty_sandbox::Config::for_tests(crate::common::KEY);
        config.profile = profile;
        config.mutation_max = capped.then_some(100);
        let sb = crate::common::start_with(config);
        let rows: Vec<Value> = (0..101)
            .map(|i| json!({"name": {"firstName": format!("C{i}"), "lastName": "Cap"}}))
            .collect();
        let ids: Vec<String> = sb
            .create("people", json!(rows))
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        let all = mass(&sb, DELETE_PEOPLE, json!({"id": {"in": ids}}));
        if capped {
            assert_eq!(
                all,
                json!({"errors": [{"message": "101 records match the filter: at most 100 records can be affected by one mutation (MUTATION_MAXIMUM_AFFECTED_RECORDS)",
                                   "extensions": {"code": "BAD_USER_INPUT"}}], "data": null})
            );
            assert_eq!(
                sb.get("/rest/people").body["totalCount"],
                101,
                "nothing applied"
            );
            let hundred = mass(&sb, DELETE_PEOPLE, json!({"id": {"in": ids[..100]}}));
            assert_eq!(
                hundred["data"]["deletePeople"].as_array().unwrap().len(),
                100
            );
            // The cap counts the records affected: 100 in the trash, 1 live → 100 restored.
            let back = mass(&sb, RESTORE_PEOPLE, json!({"id": {"in": ids}}));
            assert_eq!(back["data"]["restorePeople"].as_array().unwrap().len(), 100);
        } else {
            assert_eq!(
                all["data"]["deletePeople"].as_array().unwrap().len(),
                101,
                "{profile}: no cap"
            );
            let back = mass(&sb, RESTORE_PEOPLE, json!({"id": {"in": ids}}));
            assert_eq!(back["data"]["restorePeople"].as_array().unwrap().len(), 101);
        }

        let refused = |body: &Value| -> String {
            assert_eq!(body["data"], Value::Null, "{body}");
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
                "{body}"
            );
            body["errors"][0]["message"].as_str().unwrap().to_string()
        };
        for filter in [
            json!({"name": {"firstName": {"eq": "C1"}}}),
            json!({"id": {"neq": ids[0]}}),
            json!({}),
        ] {
            let m = refused(&mass(&sb, DESTROY_PEOPLE, filter.clone()));
            assert!(m.starts_with("Unsupported filter"), "{filter}: {m}");
        }
        // Inline filters are not read (variables only).
        let inline = sb.post(
            "/graphql",
            json!({"query": format!("mutation {{ deletePeople(filter: {{id: {{eq: \"{}\"}}}}) {{ id }} }}", ids[0])}),
        );
        assert!(refused(&inline.body).starts_with("Unsupported filter"));
        let none = sb.post(
            "/graphql",
            json!({"query": "mutation { deletePeople { id } }"}),
        );
        assert_eq!(refused(&none.body), "Filter is required");
        assert_eq!(
            refused(&mass(
                &sb,
                RESTORE_PEOPLE,
                json!({"id": {"in": ["c2t-probe"]}})
            )),
            "Value \"c2t-probe\" is not a valid UUID"
        );
        assert_eq!(
            sb.get("/rest/people").body["totalCount"],
            101,
            "nothing applied"
        );
        // Singular forms and unknown objects.
        let one = sb.post(
            "/graphql",
            json!({"query": "mutation { deletePerson(id: \"x\") { id } }"}),
        );
        assert_eq!(
            one.body["errors"][0]["extensions"]["code"],
            "GRAPHQL_VALIDATION_FAILED"
        );
        let unknown = mass(
            &sb,
            "mutation($f: X){ deleteWidgets(filter: $f){ id } }",
            json!({"id": {"eq": ids[0]}}),
        );
        assert_eq!(
            unknown["errors"][0]["message"],
            "Cannot query field \"deleteWidgets\" on type \"Mutation\"."
        );
    }
    let mut config = Config::for_tests(KEY);
    config.profile = ProfileKind::Twenty15;
    config.mutation_max = Some(2);
    let small = start_with(config);
    let ids: Vec<Value> = small
        .create(
            "people",
            json!([
                person("A", "a@x.com"),
                person("B", "b@x.com"),
                person("C", "c@x.com")
            ]),
        )
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    let over = mass(&small, DESTROY_PEOPLE, json!({"id": {"in": ids}}));
    assert_eq!(over["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert!(
        over["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at most 2 records")
    );
    let two = mass(&small, DESTROY_PEOPLE, json!({"id": {"in": ids[..2]}}));
    assert_eq!(two["data"]["destroyPeople"].as_array().unwrap().len(), 2);
    let mut config = Config::for_tests(KEY);
    config.mutation_max = Some(0);
    let uncapped = start_with(config);
    let rows: Vec<Value> = (0..101)
        .map(|i| json!({"name": {"firstName": format!("U{i}")}}))
        .collect();
    let ids: Vec<Value> = uncapped
        .create("people", json!(rows))
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    let all = mass(&uncapped, DELETE_PEOPLE, json!({"id": {"in": ids}}));
    assert_eq!(
        all["data"]["deletePeople"].as_array().unwrap().len(),
        101,
        "0 = no cap on 2.x"
    );
}

/// The lookup crm2twenty sends to find records by their keys (`c2t-twenty` `Client::find_page`),
/// byte for byte: a GraphQL list with the filter and the cursor as variables.
const LOOKUP_PEOPLE: &str = "query($f:PersonFilterInput,$a:String){people(filter:$f,first:2,after:$a){edges{node{id sourceRecordId}}pageInfo{hasNextPage endCursor}}}";

/// Creates a unique TEXT field `sourceRecordId` on `singular` (as `crm2twenty check --apply`).
fn add_source_record_id(sb: &crate::common::Sandbox, singular: &str) {
    let objects = sb.get("/rest/metadata/objects");
    let object_id = objects.body["data"]["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["nameSingular"] == singular)
        .unwrap()["id"]
        .clone();
    let created = sb.post(
        "/rest/metadata/fields",
        json!({"objectMetadataId": object_id, "type": "TEXT", "name": "sourceRecordId",
               "label": "Source record id", "isUnique": true}),
    );
    assert_eq!(created.status, 201, "{}", created.body);
}

/// Pages through a list query (`first: 2`), following `endCursor` while `hasNextPage`; answers
/// every node. The first page sends `"a": null`, or leaves `a` out when `omit_after`.
fn page_through(
    sb: &crate::common::Sandbox,
    query: &str,
    root: &str,
    filter: &Value,
    omit_after: bool,
) -> Vec<Value> {
    let mut nodes = Vec::new();
    let mut after = Value::Null;
    for _ in 0..50 {
        let vars = if after.is_null() && omit_after {
            json!({"f": filter})
        } else {
            json!({"f": filter, "a": after})
        };
        let a = sb.post("/graphql", json!({"query": query, "variables": vars}));
        assert_eq!(a.status, 200);
        let conn = &a.body["data"][root];
        assert!(conn.is_object(), "{}", a.body);
        let edges = conn["edges"].as_array().unwrap();
        assert!(edges.len() <= 2, "first: 2");
        nodes.extend(edges.iter().map(|e| e["node"].clone()));
        if conn["pageInfo"]["hasNextPage"] != true {
            return nodes;
        }
        after = conn["pageInfo"]["endCursor"].clone();
    }
    panic!("more than 50 pages");
}

/// GraphQL list queries (contract doc §2.1; the find-many code of both recorded servers' source):
/// the importer's key lookup pages through an `or` of `in` lists with `first: 2`, every match
/// once; soft-deleted records only through the trash variant (`deletedAt` in the filter); and
/// the errors.
#[test]
fn graphql_list_queries_look_records_up_by_their_keys() {
    for profile in [ProfileKind::Twenty2, ProfileKind::Twenty15] {
        let sb = start(profile);
        add_source_record_id(&sb, "person");
        let rows: Vec<Value> = (0..9)
            .map(|i| {
                let mut p = person(&format!("P{i}"), &format!("p{i}@acme.com"));
                p["sourceRecordId"] = json!(format!("003{i}"));
                p
            })
            .collect();
        let people = sb.create("people", json!(rows));
        let id = |i: usize| people[i]["id"].as_str().unwrap().to_string();
        // 003A matches nobody, P1 is matched by both keys, P6 by e-mail only.
        let keys = json!({"or": [
            {"sourceRecordId": {"in": ["0030", "0031", "0033", "0035", "0037", "003A"]}},
            {"emails": {"primaryEmail": {"in": ["p1@acme.com", "p6@acme.com", "ada@acme.com"]}}}
        ]});
        let expected: Vec<usize> = vec![0, 1, 3, 5, 6, 7];
        for omit_after in [false, true] {
            let nodes = page_through(&sb, LOOKUP_PEOPLE, "people", &keys, omit_after);
            let mut got: Vec<String> = nodes
                .iter()
                .map(|n| n["id"].as_str().unwrap().to_string())
                .collect();
            got.sort();
            let mut want: Vec<String> = expected.iter().map(|&i| id(i)).collect();
            want.sort();
            assert_eq!(got, want, "{profile}: every match once");
            for n in &nodes {
                assert_eq!(n.as_object().unwrap().len(), 2, "projected: {n}");
                let i = people.iter().position(|p| p["id"] == n["id"]).unwrap();
                assert_eq!(n["sourceRecordId"], format!("003{i}"));
            }
        }

        // Soft-delete P1 and P5: the live lookup leaves them out, the trash variant has only them.
        for i in [1, 5] {
            let del = sb.call(
                "DELETE",
                &format!("/rest/people/{}?soft_delete=true", id(i)),
                None,
            );
            assert_eq!(del.status, 200);
        }
        let live = page_through(&sb, LOOKUP_PEOPLE, "people", &keys, false);
        assert_eq!(
            ids_of(&json!(live)),
            sorted(&[&id(0), &id(3), &id(6), &id(7)]),
            "{profile}"
        );
        let trash = json!({"and": [{"deletedAt": {"is": "NOT_NULL"}}, keys.clone()]});
        let deleted = page_through(&sb, LOOKUP_PEOPLE, "people", &trash, false);
        assert_eq!(
            ids_of(&json!(deleted)),
            sorted(&[&id(1), &id(5)]),
            "{profile}"
        );

        // By id (upper case too: Postgres compares UUIDs), with totalCount and the cursors.
        let by_id = sb.post(
            "/graphql",
            json!({"query": "query($f: PersonFilterInput) { people(filter: $f, first: 2) { totalCount edges { cursor node { id name { firstName } } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }",
                   "variables": {"f": {"id": {"in": [id(0), id(3).to_uppercase(), id(5), id(8)]}}}}),
        );
        let conn = &by_id.body["data"]["people"];
        assert_eq!(
            conn["totalCount"], 3,
            "{profile}: P5 is in the trash: {}",
            by_id.body
        );
        assert_eq!(conn["pageInfo"]["hasNextPage"], true);
        assert_eq!(conn["pageInfo"]["hasPreviousPage"], false);
        let edges = conn["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 2);
        assert_eq!(conn["pageInfo"]["endCursor"], edges[1]["cursor"]);
        assert!(
            edges[0]["node"]["name"]["firstName"]
                .as_str()
                .unwrap()
                .starts_with('P')
        );

        // Companies by domain; a selected relation of a person (many-to-one).
        let companies = sb.create(
            "companies",
            json!([
                company("Acme", "https://acme.com"),
                company("Globex", "https://globex.com"),
                company("Initech", "https://initech.com")
            ]),
        );
        sb.patch(
            &format!("/rest/people/{}", id(0)),
            json!({"companyId": companies[0]["id"]}),
        );
        let found = page_through(
            &sb,
            "query($f:CompanyFilterInput,$a:String){companies(filter:$f,first:2,after:$a){edges{node{id domainName{primaryLinkUrl}}}pageInfo{hasNextPage endCursor}}}",
            "companies",
            &json!({"domainName": {"primaryLinkUrl": {"in": ["https://initech.com", "https://acme.com", "https://nope.com"]}}}),
            false,
        );
        let mut urls: Vec<&str> = found
            .iter()
            .map(|n| n["domainName"]["primaryLinkUrl"].as_str().unwrap())
            .collect();
        urls.sort();
        assert_eq!(
            urls,
            ["https://acme.com", "https://initech.com"],
            "{profile}"
        );
        let with_company = sb.post(
            "/graphql",
            json!({"query": "query($f: PersonFilterInput) { people(filter: $f) { edges { node { id companyId company { name } } } } }",
                   "variables": {"f": {"id": {"eq": id(0)}}}}),
        );
        assert_eq!(
            with_company.body["data"]["people"]["edges"][0]["node"],
            json!({"id": id(0), "companyId": companies[0]["id"], "company": {"name": "Acme"}}),
            "{profile}"
        );

        // Errors: GraphQL's convention, status 200.
        let refused = |query: &str, vars: Value| -> (String, String) {
            let a = sb.post("/graphql", json!({"query": query, "variables": vars}));
            assert_eq!(a.status, 200);
            assert_eq!(a.body["data"], Value::Null, "{}", a.body);
            (
                a.body["errors"][0]["message"].as_str().unwrap().to_string(),
                a.body["errors"][0]["extensions"]["code"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        };
        assert_eq!(
            refused("query { invoices { totalCount } }", json!({})),
            (
                "Cannot query field \"invoices\" on type \"Query\".".into(),
                "GRAPHQL_VALIDATION_FAILED".into()
            )
        );
        assert_eq!(
            refused(
                LOOKUP_PEOPLE.replace("sourceRecordId", "nope").as_str(),
                json!({"f": null})
            ),
            (
                "Cannot query field \"nope\" on type \"Person\".".into(),
                "GRAPHQL_VALIDATION_FAILED".into()
            )
        );
        assert_eq!(
            refused(
                LOOKUP_PEOPLE,
                json!({"f": {"or": [{"nope": {"in": ["x"]}}]}})
            ),
            (
                "field 'nope' does not exist in 'person' object".into(),
                "BAD_USER_INPUT".into()
            )
        );
        assert_eq!(
            refused(
                LOOKUP_PEOPLE,
                json!({"f": {"emails": {"primaryEmail": {"in": []}}}})
            ),
            (
                "Invalid filter value for field primaryEmail. Expected non-empty array".into(),
                "BAD_USER_INPUT".into()
            )
        );
        assert_eq!(
            refused(
                LOOKUP_PEOPLE,
                json!({"f": {"deletedAt": {"is": "DELETED"}}})
            )
            .1,
            "BAD_USER_INPUT"
        );
        assert_eq!(
            refused(LOOKUP_PEOPLE, json!({"f": null, "a": "not-a-cursor"})).1,
            "BAD_USER_INPUT"
        );
        assert_eq!(
            refused("{ people(first: 1, last: 1) { totalCount } }", json!({})).0,
            "Cannot provide both first and last"
        );
        // The singular find-one is not supported.
        assert_eq!(
            refused("{ person(filter: {}) { id } }", json!({})).1,
            "GRAPHQL_VALIDATION_FAILED"
        );
    }
}

/// `first` defaults to `QUERY_MAX_RECORDS` (2.19: 200, 1.5: 60) and is not clamped, unlike
/// REST's `limit` (source: both servers' find-many runner, `args.first ?? args.last ??
/// QUERY_MAX_RECORDS`; `twenty-shared/src/constants/QueryMaxRecords.ts`).
#[test]
fn graphql_first_defaults_to_query_max_records_and_is_not_clamped() {
    for (profile, default) in [(ProfileKind::Twenty2, 200), (ProfileKind::Twenty15, 60)] {
        let sb = start(profile);
        let rows: Vec<Value> = (0..205)
            .map(|i| json!({"name": format!("c{i:03}")}))
            .collect();
        sb.create("companies", Value::Array(rows[..150].to_vec()));
        sb.create("companies", Value::Array(rows[150..].to_vec()));
        let count = |first: &str| -> (usize, Value, Value) {
            let a = sb.post(
                "/graphql",
                json!({"query": format!("{{ companies{first} {{ totalCount pageInfo {{ hasNextPage }} edges {{ node {{ id }} }} }} }}")}),
            );
            let conn = &a.body["data"]["companies"];
            (
                conn["edges"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{}", a.body))
                    .len(),
                conn["totalCount"].clone(),
                conn["pageInfo"]["hasNextPage"].clone(),
            )
        };
        assert_eq!(count(""), (default, json!(205), json!(true)), "{profile}");
        assert_eq!(
            count("(first: 205)"),
            (205, json!(205), json!(false)),
            "{profile}"
        );
        assert_eq!(
            count("(first: 3)"),
            (3, json!(205), json!(true)),
            "{profile}"
        );
        assert_eq!(
            count("(last: 4)"),
            (4, json!(205), json!(true)),
            "{profile}: a limit forward"
        );
        assert_eq!(
            count("(first: 0)"),
            (0, json!(205), json!(true)),
            "{profile}"
        );
        // REST clamps its `limit` (2.x) where GraphQL does not.
        let rest = sb.get("/rest/companies?limit=205");
        let expected_rest = if profile == ProfileKind::Twenty2 {
            200
        } else {
            205
        };
        assert_eq!(
            rest.body["data"]["companies"].as_array().unwrap().len(),
            expected_rest
        );
    }
}
