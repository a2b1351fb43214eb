//! De-duplication and linking on records built by hand: the rules, and the properties that must
//! hold whatever the input (two records with different keys are never merged; every merge points
//! to a survivor that is not itself merged).

use c2t_core::{RefKey, Settings};
use c2t_pipeline::dedupe::{self, identity_key};
use c2t_pipeline::link::{self, Target};
use c2t_pipeline::members::Directory;
use c2t_pipeline::record::{Lookup, Obj, Record, Ref};
use c2t_pipeline::store::Store;
use proptest::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use serde_json::{Value, json};

/// A record whose values are `values`, put in `STORE` (each test thread has its own).
fn rec(object: &str, line: u64, values: Value, modified: Option<&str>) -> Record {
    let values: Obj = values.as_object().cloned().unwrap_or_default().into();
    Record {
        object: object.into(),
        file: 0,
        line,
        source_id: Some(format!("{object}-{line}").into()),
        lookup: Lookup::of(&values),
        stored: STORE.with_borrow_mut(|s| s.put(&values).unwrap()),
        filled: 0,
        refs: vec![],
        modified: modified.map(Into::into),
        activity: None,
        test_reason: None,
    }
}

thread_local! {
    static STORE: std::cell::RefCell<Store> = std::cell::RefCell::new(Store::with_limit(0));
}

/// Changes a record's values as `f` says.
fn edit(r: &mut Record, f: impl FnOnce(&mut Obj)) {
    STORE.with_borrow_mut(|s| {
        let mut values = s.get(r.stored);
        f(&mut values);
        r.lookup = Lookup::of(&values);
        r.stored = s.put(&values).unwrap();
    });
}

fn values(r: &Record) -> Obj {
    STORE.with_borrow(|s| s.get(r.stored))
}

fn person(line: u64, email: &str, first: &str, modified: &str) -> Record {
    rec(
        "person",
        line,
        json!({"name": {"firstName": first, "lastName": ""}, "emails": {"primaryEmail": email, "additionalEmails": []}}),
        Some(modified),
    )
}

fn company(line: u64, name: &str, url: &str) -> Record {
    let mut v = json!({"name": name});
    if !url.is_empty() {
        v["domainName"] =
            json!({"primaryLinkUrl": url, "primaryLinkLabel": "", "secondaryLinks": []});
    }
    rec("company", line, v, None)
}

#[test]
fn same_email_merges_into_the_most_recent_and_fills_gaps() {
    let mut records = vec![
        person(2, "ada@acme.com", "", "2024-01-01"),
        person(3, "ada@acme.com", "Ada", "2025-01-01"),
    ];
    edit(&mut records[0], |v| v.insert("jobTitle", json!("CTO")));
    let merges = dedupe::find_merges(&records, &[0, 1], &Settings::default());
    assert_eq!(merges.len(), 1);
    let m = &merges[&0];
    assert_eq!(m.survivor, 1, "the most recently modified wins");
    assert_eq!(m.rule, "same email");
    STORE.with_borrow_mut(|s| dedupe::apply(&mut records, s, &merges).unwrap());
    assert_eq!(
        values(&records[1])["jobTitle"],
        "CTO",
        "an empty field is filled from the other"
    );
    assert_eq!(
        values(&records[1])["name"]["firstName"],
        "Ada",
        "the survivor's own value stays"
    );
}

#[test]
fn same_name_different_domains_never_merge() {
    let records = vec![
        company(2, "Summit Dental", "https://summit-denver.com"),
        company(3, "Summit Dental", "https://summit-madison.com"),
        company(4, "SUMMIT DENTAL Inc.", ""),
    ];
    let merges = dedupe::find_merges(&records, &[0, 1, 2], &Settings::default());
    // The third (no domain) may join one of them, but the two domains stay apart.
    let root = |i: usize| merges.get(&i).map(|m| m.survivor).unwrap_or(i);
    assert_ne!(root(0), root(1));
    assert_eq!(merges.len(), 1, "{merges:?}");
}

#[test]
fn near_identical_names_merge_only_above_the_threshold() {
    let records = vec![
        company(2, "Acme Corporation", ""),
        company(3, "ACME Corp.", ""),
        company(4, "Acme Dental", ""),
    ];
    let merges = dedupe::find_merges(&records, &[0, 1, 2], &Settings::default());
    assert_eq!(merges.len(), 1, "{merges:?}");
    let off = Settings {
        fuzzy_merge: false,
        ..Settings::default()
    };
    assert!(dedupe::find_merges(&records, &[0, 1, 2], &off).is_empty());
}

fn company_ref(value: &str, by: RefKey) -> Ref {
    Ref::new("company", "company", by, vec![value.into()], "Company")
}

#[test]
fn links_never_guess_and_never_use_free_mail() {
    let mut records = vec![
        company(2, "Summit Dental", "https://summit-denver.com"),
        company(3, "Summit Dental", "https://summit-madison.com"),
        person(4, "helen@summit-denver.com", "Helen", "2025-01-01"),
        person(5, "kim@gmail.com", "Kim", "2025-01-01"),
        person(6, "sam@other.org", "Sam", "2025-01-01"),
        person(7, "joe@summit-madison.com", "Joe", "2025-01-01"),
    ];
    records[2]
        .refs
        .push(company_ref("Summit Dental", RefKey::Name));
    records[4]
        .refs
        .push(company_ref("Summit Dental", RefKey::Name));
    let alive = vec![true; records.len()];
    let mut findings = vec![];
    let links = link::link(
        &records,
        &alive,
        &HashMap::default(),
        &HashMap::default(),
        &Directory::default(),
        &Settings::default(),
        &mut findings,
    );
    assert_eq!(
        links[2][0].target,
        Target::Record(0),
        "the email domain picks the right Summit Dental"
    );
    assert!(links[3].is_empty(), "free mail links nothing");
    assert!(
        links[4].is_empty(),
        "an ambiguous name with no deciding domain is not guessed"
    );
    assert_eq!(links[5][0].target, Target::Record(1));
    assert_eq!(links[5][0].via, "email_domain");
    assert!(
        findings
            .iter()
            .any(|f| f.line == 6 && f.code == c2t_core::IssueCode::ReferenceAmbiguous)
    );
    assert!(
        findings
            .iter()
            .any(|f| f.line == 5 && f.code == c2t_core::IssueCode::FreeMailDomain)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Whatever the names and keys, a cluster never holds two different keys, and survivors are
    /// never themselves merged away.
    #[test]
    fn dedup_never_merges_different_keys(
        companies in prop::collection::vec((0usize..6, 0usize..5), 1..40),
        people in prop::collection::vec((0usize..8, 0usize..4), 0..40),
    ) {
        let names = ["Acme Corp", "ACME Corp.", "Acme", "Summit Dental", "Summit Dental Inc", "Kestrel"];
        let domains = ["", "https://acme.com", "https://www.acme.com", "https://summit.io", "https://kestrel.de"];
        let emails = ["a@acme.com", "A@ACME.COM", "b@acme.com", "c@summit.io", "", "d@x.org", "a@acme.com", "e@y.org"];
        let mut records = Vec::new();
        for (i, (n, d)) in companies.iter().enumerate() {
            records.push(company(i as u64 + 2, names[*n], domains[*d]));
        }
        for (i, (e, m)) in people.iter().enumerate() {
            let mut p = person(1000 + i as u64, &emails[*e].to_lowercase(), "X", ["2020-01-01", "2021-01-01", "2022-01-01", "2023-01-01"][*m]);
            if emails[*e].is_empty() {
                edit(&mut p, |v| {
                    v.remove("emails");
                });
            }
            records.push(p);
        }
        let alive: Vec<usize> = (0..records.len()).collect();
        let merges = dedupe::find_merges(&records, &alive, &Settings::default());
        for (m, merge) in &merges {
            prop_assert!(!merges.contains_key(&merge.survivor), "survivor {} is itself merged", merge.survivor);
            prop_assert_eq!(&records[*m].object, &records[merge.survivor].object);
            if let (Some(a), Some(b)) = (identity_key(&records[*m]), identity_key(&records[merge.survivor])) {
                prop_assert_eq!(a, b);
            }
        }
        // Every pair in one cluster shares its key when both have one.
        let mut clusters: HashMap<usize, Vec<usize>> = HashMap::default();
        for i in 0..records.len() {
            clusters.entry(merges.get(&i).map(|m| m.survivor).unwrap_or(i)).or_default().push(i);
        }
        for members in clusters.values() {
            let keys: std::collections::BTreeSet<String> = members.iter().filter_map(|&i| identity_key(&records[i]).map(|k| k.into_owned())).collect();
            prop_assert!(keys.len() <= 1, "cluster {:?} mixes keys {:?}", members, keys);
        }
    }
}

/// Company names whose words are `Zzname` + a number share the fingerprint prefix `zzn`.
fn crowded_block(n: usize) -> Vec<Record> {
    (0..n)
        .map(|i| company(i as u64 + 2, &format!("Zzname{i:05}"), ""))
        .collect()
}

#[test]
fn name_blocks_over_the_cap_are_reported_and_not_compared() {
    let mut records = crowded_block(dedupe::BLOCK_CAP + 1);
    // In a small block, a duplicate name still merges.
    records.push(company(9_000, "Brightforge Analytics", ""));
    records.push(company(9_001, "brightforge analytics.", ""));
    let alive: Vec<usize> = (0..records.len()).collect();
    let (merges, skipped) = dedupe::find_merges_reporting(&records, &alive, &Settings::default());
    assert_eq!(
        skipped,
        vec![dedupe::SkippedBlock {
            prefix: "zzn".into(),
            records: dedupe::BLOCK_CAP + 1,
        }]
    );
    assert_eq!(
        merges.len(),
        1,
        "only the small block was compared: {merges:?}"
    );
    assert_eq!(merges.values().next().unwrap().rule, "same name");
    // At the cap, the block is compared and nothing is reported.
    let records = crowded_block(dedupe::BLOCK_CAP);
    let alive: Vec<usize> = (0..records.len()).collect();
    let (_, skipped) = dedupe::find_merges_reporting(&records, &alive, &Settings::default());
    assert!(skipped.is_empty());
}

#[test]
fn the_audit_names_a_block_too_large_to_compare() {
    use std::fmt::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("Id,Name,Website\n");
    for i in 0..=dedupe::BLOCK_CAP {
        let _ = writeln!(csv, "001000000000{i:05}AAA,Zzname{i:05},");
    }
    std::fs::write(dir.path().join("Account.csv"), csv).unwrap();
    let proposal = c2t_pipeline::propose::propose(
        dir.path(),
        &c2t_pipeline::presets::all(),
        Some("salesforce"),
        &[],
    )
    .unwrap();
    let p = c2t_pipeline::job::prepare(
        dir.path(),
        proposal.mapping,
        &c2t_pipeline::job::Options {
            as_of: Some("2026-11-24".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let a = c2t_pipeline::audit::build(&p);
    assert_eq!(a.uncompared_name_blocks.len(), 1);
    let b = &a.uncompared_name_blocks[0];
    assert_eq!((b.prefix.as_str(), b.records), ("zzn", 2_001));
    assert!(b.detail.contains("2001 companies"), "{}", b.detail);
    assert!(
        c2t_pipeline::audit::terminal(&a).contains("not compared for similar names: 2001"),
        "{}",
        c2t_pipeline::audit::terminal(&a)
    );
    assert!(c2t_pipeline::html::render(&a).contains("Names not compared for similar duplicates"));
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["uncompared_name_blocks"][0]["records"], 2_001);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Linking every record once, then again only the records whose links depended on a record
    /// taken out afterwards (as the stale rule does), gives what linking from scratch without
    /// the records taken out gives: the same links and the same findings in the same order.
    #[test]
    fn relinking_what_depended_on_a_dropped_record_equals_linking_again(
        companies in prop::collection::vec((0usize..4, 0usize..4), 1..12),
        people in prop::collection::vec((0usize..5, 0usize..4, 0usize..4), 0..16),
        dropped in prop::collection::vec(any::<bool>(), 28),
    ) {
        let names = ["Summit Dental", "Summit Dental Inc", "Acme", "Kestrel"];
        let domains = ["", "https://summit.io", "https://acme.com", "https://kestrel.de"];
        let emails = ["a@summit.io", "b@acme.com", "c@kestrel.de", "d@gmail.com", "e@acme.com"];
        let hosts = ["summit.io", "acme.com", "kestrel.de", "nope.org"];
        let mut records = Vec::new();
        for (i, (n, d)) in companies.iter().enumerate() {
            records.push(company(i as u64 + 2, names[*n], domains[*d]));
        }
        for (i, (e, c, how)) in people.iter().enumerate() {
            let mut p = person(100 + i as u64, emails[*e], "X", "2024-01-01");
            match how {
                0 => {}
                1 => p.refs.push(company_ref(names[*c], RefKey::Name)),
                2 => p.refs.push(company_ref(&format!("company-{}", c + 2), RefKey::SourceId)),
                _ => p.refs.push(company_ref(hosts[*c], RefKey::Domain)),
            }
            records.push(p);
        }
        let n = records.len();
        let everyone = vec![true; n];
        let still: Vec<bool> = (0..n).map(|i| !dropped[i]).collect();
        let gone: link::Gone = (0..n)
            .filter(|&i| !still[i])
            .map(|i| (i, "skipped as stale".to_string()))
            .collect();
        let (merges, members, settings) = (HashMap::default(), Directory::default(), Settings::default());
        let mut want_findings = vec![];
        let want = link::link(&records, &still, &merges, &gone, &members, &settings, &mut want_findings);
        let linker = link::Linker::new(&records, &everyone, &merges, &members, &settings);
        let mut got_findings = vec![];
        for i in 0..n {
            let mut touched = vec![];
            let mut first = vec![];
            let links = linker.resolve(i, &everyone, &HashMap::default(), &mut first, &mut |t| touched.push(t));
            if !still[i] {
                continue;
            }
            let got = if touched.iter().any(|&t| !still[t]) {
                linker.resolve(i, &still, &gone, &mut got_findings, &mut |_| {})
            } else {
                got_findings.extend(first);
                links
            };
            prop_assert_eq!(&got, &want[i], "record {}", i);
        }
        let show = |f: &[c2t_pipeline::record::Finding]| {
            f.iter()
                .map(|f| format!("{}:{}:{}:{}", f.line, f.column, f.code, f.message))
                .collect::<Vec<_>>()
        };
        prop_assert_eq!(show(&got_findings), show(&want_findings));
    }
}
