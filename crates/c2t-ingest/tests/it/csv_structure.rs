use c2t_ingest::{ReadOptions, Source};

use crate::{fixture, open, reject, row, split, strings};

#[test]
fn delimiters_semicolon_tab_pipe() {
    for (d, text) in [
        (b';', "a;b;c\n1;2,5;3\n4;5;6\n"),
        (b'\t', "a\tb\tc\n1\t2,5\t3\n4\t5\t6\n"),
        (b'|', "a|b|c\n1|2,5|3\n4|5|6\n"),
    ] {
        let f = fixture("d.csv", text.as_bytes());
        let src = open(&f);
        assert_eq!(src.delimiter, Some(d), "{text:?}");
        assert_eq!(src.headers, strings(&["a", "b", "c"]));
        let (rows, rejects) = split(src);
        assert_eq!(
            rows,
            vec![row(2, &["1", "2,5", "3"]), row(3, &["4", "5", "6"])]
        );
        assert!(rejects.is_empty());
    }
}

#[test]
fn forced_delimiter_wins() {
    let f = fixture("d.csv", b"a;b,c\n1;2,3\n");
    let opts = ReadOptions {
        delimiter: Some(b';'),
        ..Default::default()
    };
    let src = Source::open(&f.path, &opts).unwrap();
    assert_eq!(src.headers, strings(&["a", "b,c"]));
    assert_eq!(split(src).0, vec![row(2, &["1", "2,3"])]);
}

#[test]
fn multiline_quoted_cell_crlf_and_escaped_quotes() {
    let f = fixture(
        "notes.csv",
        b"id,notes,city\r\n1,\"line one\r\nline \"\"two\"\"\",Paris\r\n2,plain,Lyon\r\n",
    );
    let (rows, rejects) = split(open(&f));
    assert_eq!(
        rows,
        vec![
            row(2, &["1", "line one\r\nline \"two\"", "Paris"]),
            row(4, &["2", "plain", "Lyon"]),
        ]
    );
    assert!(rejects.is_empty());
}

/// csv's own `Position::line()` is wrong here (blank lines, CRLF); ours must match an editor.
#[test]
fn line_numbers_with_blank_lines_crlf_lf_and_cr() {
    let f = fixture(
        "l.csv",
        b"h1,h2\r\na,b\r\n\r\n\r\nc,d\r\n\"x\r\ny\",z\r\ne,f\r\n",
    );
    let (rows, _) = split(open(&f));
    let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![2, 5, 6, 8]);

    let f = fixture("l.csv", b"\n\nh1,h2\na,b\n\n\nc,d\n");
    let src = open(&f);
    assert_eq!(src.header_line, 3);
    let (rows, _) = split(src);
    assert_eq!(rows, vec![row(4, &["a", "b"]), row(7, &["c", "d"])]);

    // Old Mac: CR only.
    let f = fixture("l.csv", b"h1,h2\ra,b\r\rc,d\r");
    let (rows, _) = split(open(&f));
    assert_eq!(rows, vec![row(2, &["a", "b"]), row(4, &["c", "d"])]);
}

#[test]
fn ragged_row_in_the_middle_is_rejected_and_reading_goes_on() {
    let f = fixture("r.csv", b"a,b,c\n1,2,3\n4,5,6,7\n8,9\n10,11,12\n");
    let (rows, rejects) = split(open(&f));
    assert_eq!(
        rows,
        vec![row(2, &["1", "2", "3"]), row(5, &["10", "11", "12"])]
    );
    assert_eq!(
        rejects,
        vec![
            reject(3, "4 fields, header has 3"),
            reject(4, "2 fields, header has 3")
        ]
    );
}

#[test]
fn ragged_multiline_record_names_its_span() {
    let f = fixture("r.csv", b"a,b,c\n1,\"x\n2,y\",z,extra\n3,4,5\n");
    let (rows, rejects) = split(open(&f));
    assert_eq!(rows, vec![row(4, &["3", "4", "5"])]);
    assert_eq!(
        rejects,
        vec![reject(
            2,
            "4 fields, header has 3 (the record spans lines 2\u{2013}3: a quoted cell holds \
             line breaks; check for a stray quote)"
        )]
    );
}

#[test]
fn unterminated_quote_rejects_one_line_and_resumes() {
    let f = fixture(
        "q.csv",
        b"id,name,notes\n1,Ann,ok\n2,Bob,\"never closed\n3,Cid,fine\n4,Dan,done\n",
    );
    let (rows, rejects) = split(open(&f));
    assert_eq!(
        rejects,
        vec![reject(
            3,
            "unterminated quoted field: the quote opening column 3 (\"notes\") on line 3 is \
             never closed; this line was rejected and reading resumed at line 4"
        )]
    );
    assert_eq!(
        rows,
        vec![
            row(2, &["1", "Ann", "ok"]),
            row(4, &["3", "Cid", "fine"]),
            row(5, &["4", "Dan", "done"]),
        ]
    );
}

/// A stray quote that a later quote "closes": csv alone would return ONE row with lines 3-5
/// swallowed into its notes cell, with the right field count. Caught by the RFC 4180 check.
#[test]
fn stray_quote_closed_later_does_not_swallow_rows() {
    let f = fixture(
        "q.csv",
        b"id,name,notes\n1,Ann,ok\n2,Bob,\"never closed\n3,Cid,fine\n4,Dan,\"multi\nline\"\n5,Eve,x\n",
    );
    let (rows, rejects) = split(open(&f));
    assert_eq!(
        rejects,
        vec![reject(
            3,
            "malformed quoting: text follows the closing quote of column 3 (\"notes\") on line \
             5, so the record ran over 3 lines (a stray quote?); this line was rejected and \
             reading resumed at line 4"
        )]
    );
    assert_eq!(
        rows,
        vec![
            row(2, &["1", "Ann", "ok"]),
            row(4, &["3", "Cid", "fine"]),
            row(5, &["4", "Dan", "multi\nline"]),
            row(7, &["5", "Eve", "x"]),
        ]
    );
}

#[test]
fn unterminated_quote_in_windows_1252_file_resumes_at_right_place() {
    let f = fixture(
        "q.csv",
        b"id;nom\r\n1;\"Andr\xe9\r\n2;S\xe8te\r\n3;B\xe9ziers\r\n",
    );
    let src = open(&f);
    assert_eq!(src.encoding, "windows-1252");
    let (rows, rejects) = split(src);
    assert_eq!(
        rows,
        vec![row(3, &["2", "Sète"]), row(4, &["3", "Béziers"])]
    );
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].line, 2);
    assert!(
        rejects[0].reason.starts_with("unterminated quoted field"),
        "{}",
        rejects[0].reason
    );
}

#[test]
fn unterminated_quote_on_last_line() {
    let f = fixture("q.csv", b"a,b\n1,2\n3,\"4\n");
    let (rows, rejects) = split(open(&f));
    assert_eq!(rows, vec![row(2, &["1", "2"])]);
    assert_eq!(
        rejects,
        vec![reject(
            3,
            "unterminated quoted field: the quote opening column 2 (\"b\") on line 3 is never \
             closed; this line was rejected and reading resumed at line 4"
        )]
    );
}

#[test]
fn legit_multiline_last_record_is_not_flagged() {
    let f = fixture("q.csv", b"a,b\n1,\"x\ny\"");
    let (rows, rejects) = split(open(&f));
    assert_eq!(rows, vec![row(2, &["1", "x\ny"])]);
    assert!(rejects.is_empty());
}

#[test]
fn duplicate_and_empty_headers() {
    let f = fixture("h.csv", b" Email ,Name,Email,,Phone\na,b,c,d,e\n");
    let src = open(&f);
    assert_eq!(
        src.headers,
        strings(&["Email", "Name", "Email (2)", "Column 4", "Phone"])
    );
    assert_eq!(
        src.header_warnings(),
        strings(&[
            "duplicate header \"Email\" in columns 1 and 3: column 3 renamed \"Email (2)\"",
            "column 4 has no header: named \"Column 4\"",
        ])
    );
    assert_eq!(split(src).0, vec![row(2, &["a", "b", "c", "d", "e"])]);
}

#[test]
fn header_only_and_blank_rows() {
    let f = fixture("h.csv", b"a,b\r\n");
    let src = open(&f);
    assert_eq!(src.headers, strings(&["a", "b"]));
    let (rows, rejects) = split(src);
    assert!(rows.is_empty() && rejects.is_empty());

    // `,` rows (Excel's trailing separators) and whitespace-only lines are skipped and counted.
    let f = fixture("h.csv", b"a,b\n1,2\n,\n   \n3,4\n");
    let mut src = open(&f);
    let mut rows = Vec::new();
    for item in src.by_ref() {
        rows.push(item.unwrap());
    }
    assert_eq!(rows, vec![row(2, &["1", "2"]), row(5, &["3", "4"])]);
    assert_eq!(src.blank_rows_skipped(), 2);
}

#[test]
fn nul_byte_in_a_text_file_rejects_that_row() {
    let mut bytes = b"a,b\n1,x\0y\n".to_vec();
    for i in 2..40 {
        bytes.extend_from_slice(format!("{i},some text\n").as_bytes());
    }
    let f = fixture("n.csv", &bytes);
    let (rows, rejects) = split(open(&f));
    assert_eq!(rows.len(), 38);
    assert_eq!(rows[0], row(3, &["2", "some text"]));
    assert_eq!(
        rejects,
        vec![reject(
            2,
            "contains NUL (0x00) bytes, which text fields cannot store (binary data in a cell?)"
        )]
    );
}

#[test]
fn headers_of_is_the_header_row() {
    let f = fixture("h.csv", b"Record ID;Associated Company IDs\n1;2\n");
    let h = c2t_ingest::headers_of(&f.path, &ReadOptions::default()).unwrap();
    assert_eq!(h, strings(&["Record ID", "Associated Company IDs"]));
}

/// Stray quote in the middle of a file much larger than the 64 KiB chunks: the restart point
/// lies far into the stream (re-decoded for windows-1252, seeked for UTF-8), and every line
/// after it keeps its exact number.
#[test]
fn unterminated_quote_mid_big_file_both_encodings() {
    for latin1 in [false, true] {
        let e: &[u8] = if latin1 { b"\xe9" } else { "é".as_bytes() };
        let mut bytes = b"id;nom\n".to_vec();
        for i in 1..=20_000u32 {
            // Row 7000 opens a quote that never closes: the rest of the file is swallowed.
            let q = if i == 7_000 { "\"" } else { "" };
            bytes.extend_from_slice(format!("{i};{q}Ren").as_bytes());
            bytes.extend_from_slice(e);
            bytes.push(b'\n');
        }
        let f = fixture("big.csv", &bytes);
        let src = open(&f);
        assert_eq!(src.encoding, if latin1 { "windows-1252" } else { "UTF-8" });
        let (rows, rejects) = split(src);
        assert_eq!(rejects.len(), 1, "{rejects:?}");
        assert_eq!(rejects[0].line, 7_001);
        assert_eq!(rows.len(), 19_999);
        assert_eq!(rows[6_999], row(7_002, &["7001", "René"]));
        assert_eq!(rows.last().unwrap(), &row(20_001, &["20000", "René"]));
    }
}
