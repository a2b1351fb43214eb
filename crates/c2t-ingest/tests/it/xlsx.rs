use c2t_ingest::{Format, IngestError, ReadOptions, Source};
use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Formula, Workbook};

use crate::{Fixture, row, split, strings};

/// Sheet "Contacts": header on row 2 (row 1 empty), phone as float, dates, formula with a
/// cached value, a #N/A error, a blank row, and trailing blank rows.
/// Sheet "Deals": a second sheet, selected by name.
fn workbook() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.xlsx");
    let mut wb = Workbook::new();
    let date = XFormat::new().set_num_format("yyyy-mm-dd");
    let datetime = XFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");

    let ws = wb.add_worksheet();
    ws.set_name("Contacts").unwrap();
    for (c, h) in [
        "Name",
        "Phone",
        "Created",
        "Last Call",
        "Score",
        "Active",
        "Lookup",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    ws.write_string(2, 0, "Zoë Martin").unwrap();
    ws.write_number(2, 1, 4155552671.0).unwrap();
    ws.write_datetime_with_format(2, 2, ExcelDateTime::from_ymd(2024, 1, 31).unwrap(), &date)
        .unwrap();
    ws.write_datetime_with_format(
        2,
        3,
        ExcelDateTime::from_ymd(2024, 2, 29)
            .unwrap()
            .and_hms(13, 45, 30)
            .unwrap(),
        &datetime,
    )
    .unwrap();
    ws.write_formula(2, 4, Formula::new("=21*2").set_result("42"))
        .unwrap();
    ws.write_boolean(2, 5, true).unwrap();
    ws.write_formula(2, 6, Formula::new("=NA()").set_result("#N/A"))
        .unwrap();
    // Row 4 (index 3) left blank; row 5 has data.
    ws.write_string(4, 0, "  Bob  ").unwrap();
    ws.write_number(4, 1, 0.1).unwrap();
    ws.write_number(4, 4, 1234.5).unwrap();
    ws.write_boolean(4, 5, false).unwrap();
    // A cell holding only spaces below the data: a blank row, not a data row.
    ws.write_string(7, 0, "   ").unwrap();

    let deals = wb.add_worksheet();
    deals.set_name("Deals").unwrap();
    deals.write_string(0, 0, "Deal").unwrap();
    deals.write_string(0, 1, "Amount").unwrap();
    deals.write_string(1, 0, "Big one").unwrap();
    deals.write_number(1, 1, 250000.0).unwrap();
    wb.save(&path).unwrap();
    Fixture { _dir: dir, path }
}

#[test]
fn first_sheet_cells_rendered_as_text() {
    let f = workbook();
    let src = Source::open(&f.path, &ReadOptions::default()).unwrap();
    assert_eq!(src.format, Format::Xlsx);
    assert_eq!(src.encoding, "xlsx");
    assert_eq!(src.delimiter, None);
    assert!(!src.had_bom);
    assert_eq!(src.sheet_names(), strings(&["Contacts", "Deals"]));
    assert_eq!(
        src.headers,
        strings(&[
            "Name",
            "Phone",
            "Created",
            "Last Call",
            "Score",
            "Active",
            "Lookup"
        ])
    );
    assert_eq!(src.header_line, 2);
    let mut src = src;
    let rows: Vec<_> = src.by_ref().map(Result::unwrap).collect();
    assert_eq!(
        rows,
        vec![
            row(
                3,
                &[
                    "Zoë Martin",
                    "4155552671",
                    "2024-01-31",
                    "2024-02-29T13:45:30",
                    "42",
                    "TRUE",
                    ""
                ]
            ),
            row(5, &["  Bob  ", "0.1", "", "", "1234.5", "FALSE", ""]),
        ]
    );
    // Rows 4, 6, 7 (empty) and 8 (spaces only).
    assert_eq!(src.blank_rows_skipped(), 4);
    assert_eq!(
        src.cell_warnings(),
        strings(&["row 3, column \"Lookup\" (cell G3): Excel error #N/A read as an empty value"])
    );
    assert_eq!(src.cell_warning_count(), 1);
}

#[test]
fn second_sheet_by_name() {
    let f = workbook();
    let opts = ReadOptions {
        sheet: Some("Deals".into()),
        ..Default::default()
    };
    let src = Source::open(&f.path, &opts).unwrap();
    assert_eq!(src.headers, strings(&["Deal", "Amount"]));
    assert_eq!(src.header_line, 1);
    let (rows, rejects) = split(src);
    assert_eq!(rows, vec![row(2, &["Big one", "250000"])]);
    assert!(rejects.is_empty());
}

#[test]
fn missing_sheet_lists_available() {
    let f = workbook();
    let opts = ReadOptions {
        sheet: Some("Leads".into()),
        ..Default::default()
    };
    let err = Source::open(&f.path, &opts).unwrap_err();
    match &err {
        IngestError::SheetNotFound {
            sheet, available, ..
        } => {
            assert_eq!(sheet, "Leads");
            assert_eq!(available, &strings(&["Contacts", "Deals"]));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!(
            "{}: no sheet named \"Leads\"; the workbook has: \"Contacts\", \"Deals\"",
            f.path.display()
        )
    );
}

#[test]
fn extension_does_not_matter() {
    // An xlsx saved as .csv is still read as a workbook.
    let f = workbook();
    let renamed = f.path.with_file_name("export.csv");
    std::fs::copy(&f.path, &renamed).unwrap();
    let src = Source::open(&renamed, &ReadOptions::default()).unwrap();
    assert_eq!(src.format, Format::Xlsx);
    assert_eq!(src.headers[1], "Phone");
}

#[test]
fn empty_workbook_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.xlsx");
    let mut wb = Workbook::new();
    wb.add_worksheet();
    wb.save(&path).unwrap();
    let err = Source::open(&path, &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, IngestError::Empty { .. }), "{err:?}");
}

/// Regression (found while hardening): a sheet whose used range spans the whole grid
/// (A1:XFD1048576) with only a few cells in it made calamine's `worksheet_range` allocate
/// 16,384 × 1,048,576 cells, and the process aborted on the allocation. The reader now keeps
/// only the cells that exist.
#[test]
fn a_used_range_as_large_as_excel_allows_costs_only_its_cells() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge-range.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Name").unwrap();
    ws.write_string(0, 1, "Email").unwrap();
    ws.write_string(1, 0, "Ada").unwrap();
    ws.write_string(1, 1, "ada@example.com").unwrap();
    ws.write_string(1_048_575, 16_383, "far away").unwrap();
    wb.save(&path).unwrap();
    let mut src = Source::open(&path, &ReadOptions::default()).unwrap();
    assert_eq!(src.headers.len(), 16_384);
    assert_eq!(src.headers[..2], strings(&["Name", "Email"]));
    assert_eq!(src.headers[16_383], "Column 16384");
    let first = src.next().unwrap().unwrap();
    assert_eq!(
        (first.line, first.cells.iter().take(2).collect::<Vec<_>>()),
        (2, vec!["Ada", "ada@example.com"])
    );
    let last = src.next().unwrap().unwrap();
    assert_eq!(last.line, 1_048_576);
    assert_eq!(&last.cells[16_383], "far away");
    assert!(src.next().is_none());
    assert_eq!(src.blank_rows_skipped(), 1_048_576 - 3);
}

/// Merged cells keep their value in the top-left cell only; formulas give their cached result.
#[test]
fn merged_cells_and_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("merged.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Company").unwrap();
    ws.write_string(0, 1, "Employees").unwrap();
    ws.write_string(0, 2, "Double").unwrap();
    ws.merge_range(1, 0, 2, 0, "Acme", &XFormat::new()).unwrap();
    ws.write_number(1, 1, 10.0).unwrap();
    ws.write_formula(1, 2, Formula::new("=B2*2").set_result("20"))
        .unwrap();
    ws.write_number(2, 1, 5.0).unwrap();
    ws.write_formula(2, 2, "=B3*2").unwrap();
    wb.save(&path).unwrap();
    let src = Source::open(&path, &ReadOptions::default()).unwrap();
    let rows: Vec<_> = src.map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].cells, strings(&["Acme", "10", "20"]));
    // The merged area's other cell is empty; a formula saved without a result reads as 0.
    assert_eq!(rows[1].cells, strings(&["", "5", "0"]));
}
