use c2t_ingest::{Format, IngestError, ReadOptions, Source};

use crate::{fixture, open, reject, row, split, strings, utf16le};

#[test]
fn plain_utf8_comma() {
    let f = fixture(
        "a.csv",
        "Name,Email\nAnne,a@x.com\nZoë,z@x.com\n".as_bytes(),
    );
    let src = open(&f);
    assert_eq!(src.format, Format::Csv);
    assert_eq!(src.encoding, "UTF-8");
    assert_eq!(src.delimiter, Some(b','));
    assert!(!src.had_bom);
    assert_eq!(src.headers, strings(&["Name", "Email"]));
    assert_eq!(src.header_line, 1);
    assert!(src.sheet_names().is_empty());
    let (rows, rejects) = split(src);
    assert_eq!(
        rows,
        vec![row(2, &["Anne", "a@x.com"]), row(3, &["Zoë", "z@x.com"])]
    );
    assert!(rejects.is_empty());
}

#[test]
fn utf8_bom_is_stripped_from_first_header() {
    // SugarCRM style: BOM, every cell quoted, CRLF.
    let f = fixture(
        "Accounts.csv",
        b"\xef\xbb\xbf\"Name\";\"ID\"\r\n\"Acme\";\"1\"\r\n",
    );
    let src = open(&f);
    assert!(src.had_bom);
    assert_eq!(src.encoding, "UTF-8");
    assert_eq!(src.delimiter, Some(b';'));
    assert_eq!(src.headers, strings(&["Name", "ID"]));
    let (rows, rejects) = split(src);
    assert_eq!(rows, vec![row(2, &["Acme", "1"])]);
    assert!(rejects.is_empty());
}

#[test]
fn windows_1252_french_excel_export() {
    let mut bytes = b"Nom;Ville;Montant\r\n".to_vec();
    bytes.extend_from_slice(b"Andr\xe9 L\xe9v\xeaque;S\xe8te;10 \x80\r\n");
    bytes.extend_from_slice(b"Fran\xe7oise M\xfcller;B\xe9ziers;\xe0 d\xe9finir\r\n");
    let f = fixture("contacts.csv", &bytes);
    let src = open(&f);
    assert_eq!(src.encoding, "windows-1252");
    assert_eq!(src.delimiter, Some(b';'));
    assert!(!src.had_bom);
    let (rows, rejects) = split(src);
    assert_eq!(
        rows,
        vec![
            row(2, &["André Lévêque", "Sète", "10 €"]),
            row(3, &["Françoise Müller", "Béziers", "à définir"]),
        ]
    );
    assert!(rejects.is_empty());
}

#[test]
fn forced_encoding_label_and_unknown_label() {
    let f = fixture("x.csv", b"Nom,Ville\nRen\xe9,Paris\n");
    let opts = ReadOptions {
        encoding: Some("latin1".into()),
        ..Default::default()
    };
    let src = Source::open(&f.path, &opts).unwrap();
    assert_eq!(src.encoding, "windows-1252");
    assert_eq!(split(src).0, vec![row(2, &["René", "Paris"])]);

    let opts = ReadOptions {
        encoding: Some("klingon-8".into()),
        ..Default::default()
    };
    let err = Source::open(&f.path, &opts).unwrap_err();
    assert!(matches!(err, IngestError::Encoding { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.starts_with(&f.path.display().to_string()), "{msg}");
    assert!(msg.contains("unknown encoding \"klingon-8\""), "{msg}");
}

#[test]
fn forcing_utf8_on_latin1_rejects_rows_instead_of_replacing() {
    let f = fixture("x.csv", b"Nom,Ville\nRen\xe9,Paris\nAnne,Lyon\n");
    let opts = ReadOptions {
        encoding: Some("utf-8".into()),
        ..Default::default()
    };
    let (rows, rejects) = split(Source::open(&f.path, &opts).unwrap());
    assert_eq!(rows, vec![row(3, &["Anne", "Lyon"])]);
    assert_eq!(
        rejects,
        vec![reject(2, "undecodable bytes (not valid UTF-8) in this row")]
    );
}

#[test]
fn utf16le_with_bom_and_tabs_excel_unicode_text() {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(utf16le(
        "Name\tCity\tNotes\r\nZoë\tKöln\t\"two\r\nlines\"\r\n東京\tTokyo\t\r\n",
    ));
    let f = fixture("export.txt", &bytes);
    let src = open(&f);
    assert_eq!(src.encoding, "UTF-16LE");
    assert!(src.had_bom);
    assert_eq!(src.delimiter, Some(b'\t'));
    assert_eq!(src.headers, strings(&["Name", "City", "Notes"]));
    let (rows, rejects) = split(src);
    assert_eq!(
        rows,
        vec![
            row(2, &["Zoë", "Köln", "two\r\nlines"]),
            row(4, &["東京", "Tokyo", ""]),
        ]
    );
    assert!(rejects.is_empty());
}

#[test]
fn utf16le_without_bom() {
    let f = fixture("export.txt", &utf16le("Name,City\r\nZoë,Köln\r\n"));
    let src = open(&f);
    assert_eq!(src.encoding, "UTF-16LE");
    assert!(!src.had_bom);
    assert_eq!(src.delimiter, Some(b','));
    assert_eq!(split(src).0, vec![row(2, &["Zoë", "Köln"])]);
}

#[test]
fn utf16be_with_bom() {
    let mut bytes = vec![0xFE, 0xFF];
    bytes.extend("a;b\n1;ß\n".encode_utf16().flat_map(u16::to_be_bytes));
    let f = fixture("x.csv", &bytes);
    let src = open(&f);
    assert_eq!(src.encoding, "UTF-16BE");
    assert_eq!(split(src).0, vec![row(2, &["1", "ß"])]);
}

#[test]
fn utf16_lone_surrogate_rejects_only_that_row() {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(utf16le("a,b\r\n1,x"));
    bytes.extend([0x00, 0xD8]); // lone high surrogate
    bytes.extend(utf16le("\r\n2,y\r\n"));
    let f = fixture("x.csv", &bytes);
    let (rows, rejects) = split(open(&f));
    assert_eq!(rows, vec![row(3, &["2", "y"])]);
    assert_eq!(
        rejects,
        vec![reject(
            2,
            "undecodable bytes (not valid UTF-16LE) in this row"
        )]
    );
}

/// A big UTF-8 file with an invalid byte well past the 1 MiB sniff window: only that row is
/// rejected, every other row is kept.
#[test]
fn invalid_utf8_late_in_big_file() {
    let mut bytes = "id,name,city\n1,Zoë,Köln\n".as_bytes().to_vec();
    let mut n = 1;
    while bytes.len() < 1_500_000 {
        n += 1;
        bytes.extend_from_slice(format!("{n},Person {n},Paris\n").as_bytes());
    }
    let bad_id = n + 1;
    bytes.extend_from_slice(format!("{bad_id},Ren").as_bytes());
    bytes.push(0xE9); // Latin-1 é inside a UTF-8 file
    bytes.extend_from_slice(b",Lyon\n");
    let last_id = bad_id + 1;
    bytes.extend_from_slice(format!("{last_id},Last,Nice\n").as_bytes());
    let f = fixture("big.csv", &bytes);
    let src = open(&f);
    assert_eq!(src.encoding, "UTF-8");
    let (rows, rejects) = split(src);
    // Line of record with id k is k + 1.
    assert_eq!(
        rejects,
        vec![reject(
            bad_id + 1,
            "undecodable bytes (not valid UTF-8) in this row"
        )]
    );
    assert_eq!(rows.len() as u64, last_id - 1);
    assert_eq!(rows[0], row(2, &["1", "Zoë", "Köln"]));
    assert_eq!(
        rows.last().unwrap(),
        &row(last_id + 1, &[&last_id.to_string(), "Last", "Nice"])
    );
    let expected_lines: Vec<u64> = (2..=last_id + 1).filter(|&l| l != bad_id + 1).collect();
    assert_eq!(
        rows.iter().map(|r| r.line).collect::<Vec<_>>(),
        expected_lines
    );
}

/// ASCII for the first MiB, then Latin-1: must be read as windows-1252, not rejected.
#[test]
fn ascii_prefix_then_latin1() {
    let mut bytes = b"id,name\n".to_vec();
    let mut n = 0;
    while bytes.len() < 1_200_000 {
        n += 1;
        bytes.extend_from_slice(format!("{n},Dupont\n").as_bytes());
    }
    bytes.extend_from_slice(b"0,Ren\xe9e\n");
    let f = fixture("x.csv", &bytes);
    let src = open(&f);
    assert_eq!(src.encoding, "windows-1252");
    let (rows, rejects) = split(src);
    assert!(rejects.is_empty());
    assert_eq!(rows.last().unwrap(), &row(n + 2, &["0", "Renée"]));
}
