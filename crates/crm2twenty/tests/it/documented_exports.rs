//! `migrate` with no mapping written by hand on exports shaped from public documentation of each
//! CRM's export format (`tests/fixtures/documented/*`, each with an `EVIDENCE.md` giving the
//! sources of its headers and what a user expects in Twenty). Every file must be recognised as
//! the object it holds and the records counted there must be the ones kept.
//!
//! Every expectation of the EVIDENCE files about which records are kept is in the table below
//! (companies created from the names rows give them count with the rows kept).

use crate::util::*;

fn documented(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/documented")
        .join(name)
}

/// Records kept per object: (object, count).
type Kept = &'static [(&'static str, u64)];

/// (folder, preset detected, records kept)
const EXPECTED: &[(&str, &str, Kept)] = &[
    (
        "salesforce-full",
        "Salesforce Data Export",
        &[
            ("company", 16),
            ("person", 21),
            ("opportunity", 12),
            ("task", 10),
            ("note", 8),
        ],
    ),
    (
        "hubspot-activities",
        "HubSpot CRM export",
        &[
            ("company", 9),
            ("person", 13),
            ("opportunity", 9),
            ("note", 34),
        ],
    ),
    (
        "dynamics365-excel",
        "Microsoft Dynamics 365 Sales (Export to Excel)",
        &[("company", 9), ("person", 13), ("opportunity", 11)],
    ),
    (
        "pipedrive-today",
        "Pipedrive export",
        &[
            ("company", 10),
            ("person", 13),
            ("opportunity", 10),
            ("task", 10),
            ("note", 8),
        ],
    ),
    (
        "zoho-crm",
        "Zoho CRM export",
        &[
            ("company", 9),
            ("person", 12),
            ("opportunity", 10),
            ("task", 8),
        ],
    ),
    (
        "french-societes",
        "Generic CSV / Excel",
        &[
            ("company", 11),
            ("person", 15),
            ("opportunity", 10),
            ("note", 8),
            ("task", 9),
        ],
    ),
    (
        "german-firmen",
        "Generic CSV / Excel",
        &[
            ("company", 9),
            ("person", 13),
            ("opportunity", 9),
            ("task", 8),
        ],
    ),
    (
        "spanish-empresas",
        "Generic CSV / Excel",
        &[
            ("company", 9),
            ("person", 12),
            ("opportunity", 9),
            ("note", 8),
        ],
    ),
    (
        "flat-leads",
        "Generic CSV / Excel",
        &[("company", 15), ("person", 24)],
    ),
];

#[test]
fn documented_exports_go_through_whole() {
    let mut failures = Vec::new();
    for (folder, preset, objects) in EXPECTED {
        let dir = documented(folder);
        let tmp = tempfile::tempdir().unwrap();
        let o = migrate_into_o(&dir, tmp.path());
        let err = stderr(&o);
        if !o.status.success() {
            failures.push(format!("{folder}: exit {:?}\n{err}", o.status.code()));
            continue;
        }
        if !err.contains(&format!("detected: {preset}")) {
            failures.push(format!("{folder}: not detected as {preset}\n{err}"));
        }
        if err.contains("NOT RECOGNISED") {
            failures.push(format!("{folder}: a file is not recognised\n{err}"));
        }
        let a = audit(&tmp.path().join("o"));
        for (object, kept) in *objects {
            // Rows kept, and companies created from the names rows give them.
            let got = a["objects"][object]["kept"].as_u64().unwrap_or(0)
                + a["objects"][object]["created"].as_u64().unwrap_or(0);
            if got != *kept {
                failures.push(format!("{folder}: {object} kept {got}, expected {kept}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Files of every folder are read as the object their evidence says (not one is skipped or
/// taken for another object), checked through the ledger: no row of a data file is skipped as
/// an unmapped file.
#[test]
fn no_documented_file_is_left_unmapped() {
    for (folder, _, _) in EXPECTED {
        let dir = documented(folder);
        let tmp = tempfile::tempdir().unwrap();
        let o = migrate_into_o(&dir, tmp.path());
        assert!(o.status.success(), "{folder}: {}", stderr(&o));
        for ((file, line), (outcome, detail)) in ledger(&tmp.path().join("o")) {
            assert!(
                !(outcome == "skipped" && detail == "file_not_mapped"),
                "{folder}/{file}:{line} was not mapped"
            );
        }
    }
}

/// Salesforce's OpportunityContactRole gives each deal its point of contact: the primary role's
/// contact (10 of the 12 deals have one in the evidence); other roles are skipped by a named
/// rule, and no row becomes a deal of its own.
#[test]
fn salesforce_contact_roles_give_deals_their_point_of_contact() {
    let dir = documented("salesforce-full");
    let tmp = tempfile::tempdir().unwrap();
    let o = migrate_into_o(&dir, tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("o");
    let deals = read_csv(&out.join("03-opportunities.csv"));
    assert_eq!(deals.len(), 12);
    let with_contact = deals
        .iter()
        .filter(|d| !d["Point of Contact / Emails / Primary Email"].is_empty())
        .count();
    assert_eq!(with_contact, 10);
    let l = ledger(&out);
    assert!(
        outcome(&l, "OpportunityContactRole.csv", 2).starts_with("merged into Opportunity.csv:")
    );
    assert_eq!(
        outcome(&l, "OpportunityContactRole.csv", 3),
        "skipped not_the_primary_contact_role"
    );
}

/// HubSpot's contacts export alone (no companies export): each contact's `Associated Company`
/// names its company and `Associated Company IDs (Primary)` gives its id; the nine companies are
/// created from them, with those ids, and every contact that names one links to it.
#[test]
fn hubspot_contacts_alone_bring_their_companies() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = tmp.path().join("ex");
    std::fs::create_dir_all(&ex).unwrap();
    let name = "hubspot-crm-exports-all-contacts-2026-11-02.csv";
    std::fs::copy(documented("hubspot-activities").join(name), ex.join(name)).unwrap();
    let o = migrate_into_o(&ex, tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let a = audit(&tmp.path().join("o"));
    assert_eq!(a["objects"]["company"]["created"], 9, "{}", a["objects"]);
    assert_eq!(a["dangling_references"].as_array().map(Vec::len), Some(0));
    let companies = read_csv(&tmp.path().join("o/01-companies.csv"));
    assert!(
        companies
            .iter()
            .any(|c| c["Name"] == "Tidewater Cartography"),
        "{companies:?}"
    );
}
