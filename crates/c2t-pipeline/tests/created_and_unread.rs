//! Companies created from the names rows give them (`settings.create_companies`), and cells that
//! could not be read kept as written (`settings.keep_unread_in`).

use c2t_core::Mapping;
use c2t_pipeline::job::{self, Options, Prepared, Status};
use c2t_pipeline::record::{Val, get_path};

const PEOPLE: &str = r#"
version = 1
source = "generic"
[settings]
as_of = "2026-11-24"
{settings}
[[file]]
path = "people.csv"
object = "person"
activity_column = "Last activity"
columns = [
  { column = "Name", field = "name", transform = "full_name" },
  { column = "Email", field = "emails", transform = "email" },
  { column = "Phone", field = "phones", transform = "phone" },
  { column = "Company", field = "company", transform = "relation", object = "company", by = "name" },
  { column = "Website", field = "company.domainName", transform = "domain" },
  { column = "Employees", field = "company.employees", transform = "integer" },
]
"#;

const ROWS: &str = "Name,Email,Phone,Company,Website,Employees,Last activity
Ada Lovelace,ada@acme.com,+44 20 7946 0958,Acme Inc,acme.com,,2026-10-01
Grace Hopper,grace@acme.com,555-12,\"ACME, Inc.\",,40,2026-10-02
Alan Turing,alan@kestrel.io,,Kestrel GmbH,https://www.kestrel.io/about,,2026-10-03
Old Timer,old@fjord.no,,Fjord Freight,fjord.no,,2001-01-01
Joan Clarke,joan@gmail.com,,Ada Lovelace,,,2026-10-04
";

fn run(settings: &str, rows: &str) -> Prepared {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("people.csv"), rows).unwrap();
    let mapping = Mapping::from_toml(&PEOPLE.replace("{settings}", settings)).unwrap();
    job::prepare(dir.path(), mapping, &Options::default()).unwrap()
}

fn companies(p: &Prepared) -> Vec<(String, Status)> {
    (0..p.records.len())
        .filter(|&r| p.records[r].object == "company")
        .map(|r| (p.records[r].display_name(), p.status[r].clone()))
        .collect()
}

fn company_of(p: &Prepared, person: &str) -> Option<String> {
    let r = (0..p.records.len()).find(|&r| p.records[r].display_name() == person)?;
    p.links[r].iter().find_map(|l| match l.target {
        c2t_pipeline::link::Target::Record(t) if l.field == "company" => {
            Some(p.records[t].display_name())
        }
        _ => None,
    })
}

#[test]
fn companies_named_by_rows_are_created_once_and_filled() {
    let p = run("", ROWS);
    let made = companies(&p);
    let names: Vec<&str> = made.iter().map(|(n, _)| n.as_str()).collect();
    // `Acme Inc` and `ACME, Inc.` are one company; `Ada Lovelace` is a person, not a company.
    assert_eq!(
        names,
        ["Acme Inc", "Kestrel GmbH", "Fjord Freight"],
        "{made:?}"
    );
    assert_eq!(made[0].1, Status::Kept);
    assert_eq!(made[1].1, Status::Kept);
    // Only the stale row named Fjord Freight: it goes with it.
    assert!(
        matches!(&made[2].1, Status::Skipped(s) if s.rule == "not_named"),
        "{made:?}"
    );
    assert_eq!(company_of(&p, "Ada Lovelace").as_deref(), Some("Acme Inc"));
    assert_eq!(company_of(&p, "Grace Hopper").as_deref(), Some("Acme Inc"));
    assert_eq!(company_of(&p, "Joan Clarke"), None);
    // The rows' company values fill it: the first row's website, the second row's size.
    let acme = (0..p.records.len())
        .find(|&r| p.records[r].display_name() == "Acme Inc")
        .unwrap();
    let v = p.values(acme);
    assert_eq!(
        get_path(&v, "domainName.primaryLinkUrl"),
        Some(&Val::from("https://acme.com"))
    );
    assert_eq!(get_path(&v, "employees"), Some(&Val::Int(40)));
    assert_eq!(
        p.records[acme].source_id.as_deref(),
        Some(c2t_normalize::name::fingerprint("Acme Inc").as_str())
            .map(|f| format!("name:{f}"))
            .as_deref()
    );
    let kestrel = (0..p.records.len())
        .find(|&r| p.records[r].display_name() == "Kestrel GmbH")
        .unwrap();
    assert_eq!(
        get_path(&p.values(kestrel), "domainName.primaryLinkUrl"),
        Some(&Val::from("https://kestrel.io"))
    );
    // The people keep no `company` values of their own.
    let ada = (0..p.records.len())
        .find(|&r| p.records[r].display_name() == "Ada Lovelace")
        .unwrap();
    assert!(p.values(ada).get("company").is_none());
    // Rows only in the ledger: five rows, none of them a company.
    assert_eq!(p.ledger.entries.len(), 5);
    assert!(p.ledger.entries.iter().all(|e| &*e.object == "person"));
    assert_eq!(p.created_kept().get("company"), Some(&2));
}

#[test]
fn no_company_is_created_when_the_setting_is_off() {
    let p = run("create_companies = false", ROWS);
    assert!(companies(&p).is_empty());
    assert_eq!(company_of(&p, "Ada Lovelace"), None);
    assert!(
        p.findings
            .iter()
            .any(|f| f.column == "Company" && f.message.contains("matches no company"))
    );
}

#[test]
fn a_row_of_the_export_is_the_company_when_there_is_one() {
    // A companies file with Acme: the people link to its row, nothing is created.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("people.csv"), ROWS).unwrap();
    std::fs::write(
        dir.path().join("companies.csv"),
        "Name,Website\nAcme Inc.,acme.com\nKestrel,kestrel.io\n",
    )
    .unwrap();
    let toml = PEOPLE.replace("{settings}", "")
        + r#"
[[file]]
path = "companies.csv"
object = "company"
columns = [
  { column = "Name", field = "name", transform = "text" },
  { column = "Website", field = "domainName", transform = "domain" },
]
"#;
    let p = job::prepare(
        dir.path(),
        Mapping::from_toml(&toml).unwrap(),
        &Options::default(),
    )
    .unwrap();
    assert_eq!(company_of(&p, "Ada Lovelace").as_deref(), Some("Acme Inc."));
    // `Kestrel GmbH` is created, then merged into the row `Kestrel` by their shared website:
    // the row survives, and Alan links to it.
    assert_eq!(company_of(&p, "Alan Turing").as_deref(), Some("Kestrel"));
    let kept: Vec<String> = p
        .kept()
        .filter(|&r| p.records[r].object == "company")
        .map(|r| p.records[r].display_name())
        .collect();
    assert_eq!(kept, ["Acme Inc.", "Kestrel"]);
}

#[test]
fn cells_that_cannot_be_read_are_kept_as_written() {
    let p = run("", ROWS);
    let grace = (0..p.records.len())
        .find(|&r| p.records[r].display_name() == "Grace Hopper")
        .unwrap();
    let v = p.values(grace);
    assert_eq!(v.get("valuesAsWritten"), Some(&Val::from("Phone: 555-12")));
    assert!(v.get("phones").is_none());
    // A cell read whole keeps nothing aside.
    let ada = (0..p.records.len())
        .find(|&r| p.records[r].display_name() == "Ada Lovelace")
        .unwrap();
    assert!(p.values(ada).get("valuesAsWritten").is_none());
    assert!(
        p.schema
            .object("person")
            .unwrap()
            .field("valuesAsWritten")
            .is_some()
    );
    // Off: dropped from the record, still reported.
    let p = run("keep_unread_in = \"\"", ROWS);
    let grace = (0..p.records.len())
        .find(|&r| p.records[r].display_name() == "Grace Hopper")
        .unwrap();
    assert!(p.values(grace).get("valuesAsWritten").is_none());
    assert!(
        p.findings
            .iter()
            .any(|f| f.column == "Phone" && f.line == 3)
    );
}
