//! `migrate` on exports other people wrote (`shared/real-exports/`, read in place), with no
//! mapping written by hand: each file gets the object it holds, or the run names it and exits 1.
//! Skipped when `shared/` is absent.

use crate::util::*;
use std::path::PathBuf;

fn real(name: &str) -> Option<PathBuf> {
    let dir = repo().join("../shared/real-exports").join(name);
    dir.is_dir().then_some(dir)
}

/// Maven "CRM sales": snake_case headers, no deal names, accounts referenced by name, a sales
/// team list, a product list. Imported nothing before (exit 0).
#[test]
fn maven_crm_sales_is_read_whole() {
    let Some(dir) = real("maven-crm-sales") else {
        eprintln!("shared/real-exports absent: skipped");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let o = migrate_into_o(&dir, tmp.path());
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("NOT RECOGNISED"), "{err}");
    let out = tmp.path().join("o");
    let a = audit(&out);
    assert_eq!(a["objects"]["company"]["kept"], 85, "{}", a["objects"]);
    assert_eq!(
        a["objects"]["opportunity"]["kept"], 8800,
        "{}",
        a["objects"]
    );
    // Deals without a name are named from their account and id.
    let deals = read_csv(&out.join("03-opportunities.csv"));
    let first = deals
        .iter()
        .find(|d| d["Name"].ends_with("1C1I7A6R"))
        .expect("deal 1C1I7A6R");
    assert_eq!(first["Name"], "Cancity – 1C1I7A6R");
    assert_eq!(first["Amount / Amount"], "1054");
    assert_eq!(first["Stage"], "CUSTOMER");
    // products.csv holds products, which Twenty has no object for: a custom object of that
    // name is proposed, flagged for review, and the deals' `product` column links to it by
    // name — `GTXPro` in the deals finds `GTX Pro` of the product list.
    assert_eq!(a["objects"]["product"]["kept"], 7, "{}", a["objects"]);
    let products = read_csv(&out.join("04-products.csv"));
    let gtx_pro = products
        .iter()
        .find(|p| p["Name"] == "GTX Pro")
        .expect("GTX Pro");
    assert_eq!(gtx_pro["sales_price"], "4821", "{gtx_pro:?}");
    let pro_deals = deals
        .iter()
        .filter(|d| d["product / Id"] == gtx_pro["Id"])
        .count();
    assert!(pro_deals > 1000, "{pro_deals} deals of GTX Pro");
    assert_eq!(a["dangling_references"].as_array().map(Vec::len), Some(0));
    let mapping = std::fs::read_to_string(out.join("mapping.toml")).unwrap();
    assert!(
        mapping.contains("confidence low: no object of the generic preset fits this file"),
        "{mapping}"
    );
    assert!(
        mapping.contains(
            r#"field = "product", transform = "relation", object = "product", by = "name", custom = "RELATION""#
        ),
        "{mapping}"
    );
    // The sales team list is read to find owners, not dropped.
    let l = ledger(&out);
    assert_eq!(outcome(&l, "sales_teams.csv", 2), "skipped lookup_only");
    assert_eq!(outcome(&l, "products.csv", 2), "imported");
}

/// A flat customer list (datablist): one row per person with its company's name and website,
/// no companies file. The companies are created from the names (merged by name or website),
/// get the website as their domain, and every person links to one.
#[test]
fn datablist_flat_list_creates_its_companies() {
    let Some(dir) = real("datablist-customers") else {
        eprintln!("shared/real-exports absent: skipped");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let o = migrate_into_o(&dir, tmp.path());
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    let out = tmp.path().join("o");
    let a = audit(&out);
    assert_eq!(a["objects"]["person"]["kept"], 1000, "{}", a["objects"]);
    // No company is a row of the export: they are counted apart, not in the ledger.
    assert_eq!(a["objects"]["company"]["read"], 0, "{}", a["objects"]);
    let created = a["objects"]["company"]["created"].as_u64().unwrap();
    let companies = read_csv(&out.join("01-companies.csv"));
    assert_eq!(companies.len() as u64, created);
    // 992 distinct names; names alike word for word and websites shared make fewer.
    assert!((800..=992).contains(&created), "{created}");
    assert!(err.contains("created from names"), "{err}");
    let stewart = companies
        .iter()
        .find(|c| c["Name"] == "Stewart-Flynn")
        .expect("Stewart-Flynn");
    assert_eq!(stewart["Domain Name / Link URL"], "https://shea.biz");
    let people = read_csv(&out.join("02-people.csv"));
    let andrew = people
        .iter()
        .find(|p| p["Emails / Primary Email"] == "marieyates@gomez-spencer.info")
        .expect("Andrew Goodman");
    // Twenty's importer finds a person's company by its domain (or by its id, for a company
    // with no website).
    let company_of = |p: &std::collections::BTreeMap<String, String>| {
        let by_domain = &p["Company / Domain Name / Link URL"];
        if by_domain.is_empty() {
            p["Company / Id"].clone()
        } else {
            by_domain.clone()
        }
    };
    assert_eq!(company_of(andrew), "https://shea.biz", "{andrew:?}");
    assert!(
        people.iter().all(|p| !company_of(p).is_empty()),
        "every person links to a company"
    );
    assert_eq!(a["dangling_references"].as_array().map(Vec::len), Some(0));
    // The website went to the company: no custom website field on people.
    let mapping = std::fs::read_to_string(out.join("mapping.toml")).unwrap();
    assert!(
        mapping.contains(
            r#"{ column = "Website", field = "company.domainName", transform = "domain" }"#
        ),
        "{mapping}"
    );
}

/// A Salesforce export from a Power BI project: the Salesforce preset keeps its files, and the
/// history files it also holds are left out by a named rule, not as unknown.
#[test]
fn salesforce_powerbi_history_files_are_skipped_by_a_named_rule() {
    let Some(dir) = real("salesforce-powerbi") else {
        eprintln!("shared/real-exports absent: skipped");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let o = migrate_into_o(&dir, tmp.path());
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("detected: Salesforce Data Export"), "{err}");
    assert!(
        err.contains("OpportunityHistory.csv") && err.contains("not imported: history of changes"),
        "{err}"
    );
    let out = tmp.path().join("o");
    let l = ledger(&out);
    assert_eq!(
        outcome(&l, "OpportunityHistory.csv", 2),
        "skipped file_not_imported"
    );
    let a = audit(&out);
    assert_eq!(a["objects"]["opportunity"]["kept"], 36, "{}", a["objects"]);
    assert_eq!(a["objects"]["company"]["kept"], 18, "{}", a["objects"]);
}

/// A mapping file that skips a file without a reason is a decision nobody made: the run names it
/// and exits 1; with `reason = "…"` it is a named rule and the run is clean.
#[test]
fn a_skipped_file_needs_a_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = tmp.path().join("ex");
    std::fs::create_dir_all(&ex).unwrap();
    std::fs::write(
        ex.join("companies.csv"),
        "Name,Website\nAcme Build,acmebuild.fr\nNordlicht,nordlicht-logistik.de\n",
    )
    .unwrap();
    std::fs::write(ex.join("invoices.csv"), "Number,Total\nF-1,120\nF-2,80\n").unwrap();
    let o = run(
        &["init", ex.to_str().unwrap(), "--mapping", "m.toml"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let m = tmp.path().join("m.toml");
    let migrate = || migrate_mapped_into_o(&ex, &m, tmp.path());
    let o = migrate();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("invoices.csv: 2 rows not imported"));
    let text = std::fs::read_to_string(&m).unwrap();
    let text = text.replacen(
        "object = \"skip\"",
        "object = \"skip\"\nreason = \"invoices stay in the accounting tool\"",
        1,
    );
    std::fs::write(&m, text).unwrap();
    let o = migrate();
    assert!(o.status.success(), "{}", stderr(&o));
    let l = ledger(&tmp.path().join("o"));
    assert_eq!(outcome(&l, "invoices.csv", 2), "skipped file_not_imported");
}

/// A file whose object the user names by hand, with no columns (they changed `object = "skip"`
/// to `object = "company"`), gets the columns `init` would propose for that object, and says
/// so; a file none of whose rows becomes a record makes the run exit 1, naming it.
#[test]
fn an_object_named_by_hand_gets_its_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = tmp.path().join("ex");
    std::fs::create_dir_all(&ex).unwrap();
    std::fs::write(
        ex.join("stuff.csv"),
        "Firm,Site,Staff\nAcme Build,acmebuild.fr,40\nNordlicht,nordlicht-logistik.de,12\n",
    )
    .unwrap();
    std::fs::write(ex.join("more.csv"), "Foo,Bar\n,x\n,y\n").unwrap();
    let m = tmp.path().join("m.toml");
    std::fs::write(
        &m,
        "version = 1\nsource = \"generic\"\n[[file]]\npath = \"stuff.csv\"\nobject = \"company\"\n",
    )
    .unwrap();
    let migrate = || migrate_mapped_into_o(&ex, &m, tmp.path());
    let o = migrate();
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("note: stuff.csv: the mapping names its object but no columns"),
        "{err}"
    );
    let companies = read_csv(&tmp.path().join("o/01-companies.csv"));
    assert_eq!(companies.len(), 2, "{companies:?}");
    let acme = companies
        .iter()
        .find(|c| c["Name"] == "Acme Build")
        .unwrap();
    assert_eq!(
        acme["Domain Name / Link URL"], "https://acmebuild.fr",
        "{acme:?}"
    );
    // Every row of more.csv is rejected (its name column is empty): exit 1, the file named.
    let mut text = std::fs::read_to_string(&m).unwrap();
    text.push_str(
        "[[file]]\npath = \"more.csv\"\nobject = \"company\"\ncolumns = [ { column = \"Foo\", field = \"name\", transform = \"text\" } ]\n",
    );
    std::fs::write(&m, text).unwrap();
    let o = migrate();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error: more.csv: none of its 2 rows is imported (2 rejected"),
        "{err}"
    );
}

/// Values as people and CRMs write them are read, not dropped: currency names, addresses
/// typed with a space, HTML bodies, misspelled countries (each repair reported), postal codes
/// with a leading zero.
#[test]
fn values_as_written_are_read_not_dropped() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = tmp.path().join("ex");
    std::fs::create_dir_all(&ex).unwrap();
    std::fs::write(
        ex.join("companies.csv"),
        "Company name,Website,Country,Zip\nNordlicht Logistik,nordlicht-logistik.de,Germnay,01067\nAcme Build,acmebuild.fr,France,75011\n",
    )
    .unwrap();
    std::fs::write(
        ex.join("contacts.csv"),
        "First name,Last name,Email,Company\nAnnie,Weber,annie @nordlicht-logistik.de,Nordlicht Logistik\nMarc,Roux,Marc Roux <marc.roux@acmebuild.fr>,Acme Build\n",
    )
    .unwrap();
    std::fs::write(
        ex.join("deals.csv"),
        "Deal name,Company,Amount,Currency,Stage\nFleet tracking,Nordlicht Logistik,\"12,500.00\",US Dollar,Proposal\nSite cameras,Acme Build,9800,Euro,Won\n",
    )
    .unwrap();
    std::fs::write(
        ex.join("notes.csv"),
        "Title,Note,Company\nKick-off,\"<p>Met <b>Annie</b> &amp; team.</p><ul><li>budget ok</li><li>start in May</li></ul>\",Nordlicht Logistik\n",
    )
    .unwrap();
    let o = migrate_into_o(&ex, tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("o");
    let people = read_csv(&out.join("02-people.csv"));
    let emails: Vec<&str> = people
        .iter()
        .map(|p| p["Emails / Primary Email"].as_str())
        .collect();
    assert!(
        emails.contains(&"annie@nordlicht-logistik.de"),
        "{emails:?}"
    );
    assert!(emails.contains(&"marc.roux@acmebuild.fr"), "{emails:?}");
    let deals = read_csv(&out.join("03-opportunities.csv"));
    let fleet = deals
        .iter()
        .find(|d| d["Name"] == "Fleet tracking")
        .unwrap();
    assert_eq!(fleet["Amount / Currency"], "USD", "{fleet:?}");
    let cams = deals.iter().find(|d| d["Name"] == "Site cameras").unwrap();
    assert_eq!(cams["Amount / Currency"], "EUR", "{cams:?}");
    let companies = read_csv(&out.join("01-companies.csv"));
    let nord = companies
        .iter()
        .find(|c| c["Name"] == "Nordlicht Logistik")
        .unwrap();
    assert_eq!(nord["Address / Country"], "Germany", "{nord:?}");
    assert_eq!(nord["Address / Post Code"], "01067", "{nord:?}");
    let notes = std::fs::read_to_string(out.join("04-notes.csv")).unwrap();
    assert!(
        notes.contains("Met **Annie** & team.") && notes.contains("- budget ok"),
        "{notes}"
    );
    assert!(!notes.contains("<p>"), "{notes}");
    // Each repair is reported with its place.
    let a = audit(&out);
    let repaired = a["repaired"].to_string();
    assert!(
        repaired.contains("contacts.csv:2") && repaired.contains("companies.csv:2"),
        "{repaired}"
    );
}

/// Alike names are not enough to merge two companies whose phones or cities differ: they are
/// reported as possible duplicates. Alike names with nothing that differs still merge.
#[test]
fn alike_names_with_different_phones_or_cities_are_not_merged() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = tmp.path().join("ex");
    std::fs::create_dir_all(&ex).unwrap();
    std::fs::write(
        ex.join("companies.csv"),
        "Company name,City,Phone,Country\n\
         Dupont Plomberie,Lyon,+33 4 78 12 34 56,France\n\
         Dupont Plomberie SARL,Paris,+33 1 42 68 53 00,France\n\
         Brasserie du Port,Nantes,,France\n\
         Brasserie du Port SAS,Nantes,,France\n",
    )
    .unwrap();
    let o = migrate_into_o(&ex, tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("o");
    let l = ledger(&out);
    assert_eq!(outcome(&l, "companies.csv", 2), "imported");
    assert_eq!(outcome(&l, "companies.csv", 3), "imported");
    assert!(
        outcome(&l, "companies.csv", 5).starts_with("merged"),
        "{}",
        outcome(&l, "companies.csv", 5)
    );
    let a = audit(&out);
    let possible = a["possible_duplicates"].to_string();
    assert!(
        possible.contains("companies.csv:2")
            && possible.contains("companies.csv:3")
            && possible.contains("lyon / paris"),
        "{possible}"
    );
    assert!(
        stderr(&o).contains("possible duplicate, not merged"),
        "{}",
        stderr(&o)
    );
}

/// Files whose names and headers say nothing (`Sheet1.csv`, columns `A`, `B`, `C`): their values
/// say what they hold — email addresses (people), deal stages beside amounts (deals), task
/// statuses beside dates (tasks), web sites (companies) — and the column of short texts beside
/// them names the records. Each is flagged low confidence in the mapping.
#[test]
fn objects_told_by_their_values_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = tmp.path().join("ex");
    std::fs::create_dir_all(&ex).unwrap();
    for (file, text) in [
        (
            "Sheet1.csv",
            "A,B,C\nAda Lovelace,ada@acme.com,London\nGrace Hopper,grace@kestrel.io,\n",
        ),
        (
            "Sheet2.csv",
            "X,Y,Z\nRenewal 2026,\"12,500.00\",Proposal\nNew fleet,9800,Closed Won\n",
        ),
        (
            "Sheet3.csv",
            "K,L,M\nCall back,2026-12-01,Not Started\nSend quote,2026-12-03,Completed\n",
        ),
        ("Sheet4.csv", "P,Q\nacme.com,Acme\nkestrel.io,Kestrel\n"),
        // Nothing in these values says an object: named, and the run exits 1.
        ("Sheet5.csv", "R,S\n12,4\n7,9\n"),
    ] {
        std::fs::write(ex.join(file), text).unwrap();
    }
    let o = migrate_into_o(&ex, tmp.path());
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("Sheet5.csv: 2 rows not imported"), "{err}");
    let out = tmp.path().join("o");
    let a = audit(&out);
    for object in ["person", "opportunity", "task", "company"] {
        assert_eq!(
            a["objects"][object]["kept"], 2,
            "{object}: {}",
            a["objects"]
        );
    }
    let deals = read_csv(&out.join("03-opportunities.csv"));
    let renewal = deals.iter().find(|d| d["Name"] == "Renewal 2026").unwrap();
    assert_eq!(renewal["Stage"], "PROPOSAL", "{renewal:?}");
    assert_eq!(renewal["Amount / Amount"], "12500", "{renewal:?}");
    let people = read_csv(&out.join("02-people.csv"));
    assert!(
        people
            .iter()
            .any(|p| p["Name / First Name"] == "Ada"
                && p["Emails / Primary Email"] == "ada@acme.com")
    );
    let mapping = std::fs::read_to_string(out.join("mapping.toml")).unwrap();
    assert!(
        mapping.contains(
            "confidence low: neither the file's name nor its headers say what it holds; its values: deal stages in `Z`, amounts in `Y`; names in `X`"
        ),
        "{mapping}"
    );
}
