//! Spreadsheets (xlsx/xlsm/xlsb, xls, ods) through calamine: cells rendered as text.
//!
//! Rendering rules (what the pipeline receives for each `calamine::Data`):
//! - `String` as is (not trimmed); `Int` in decimal.
//! - `Float`: integral values without `.0` (`4155552671.0` → `4155552671`), others with
//!   Rust's shortest round-trip form (`0.1` → `0.1`, never `0.1000000000000000055`).
//! - `Bool` → `TRUE` / `FALSE` (Excel's own spelling).
//! - `DateTime` → `YYYY-MM-DD` when the time is midnight, `YYYY-MM-DDTHH:MM:SS` otherwise
//!   (`.mmm` added when there are milliseconds); time-only cells (serial < 1) → `HH:MM:SS`;
//!   durations → `H:MM:SS` with total hours. calamine applies the 1904 epoch itself.
//! - `DateTimeIso` / `DurationIso` (ods) as given.
//! - `Error` (`#REF!`, `#N/A`…) → empty string **and** a warning in
//!   [`crate::Source::cell_warnings`]; the row is kept, because one broken formula column
//!   should not drop a contact. The warning names the row and column so nothing is silent.
//! - Formulas: calamine returns the cached value saved by the spreadsheet application.
//!
//! The first non-empty row is the header; fully empty rows are skipped (counted in
//! [`crate::Source::blank_rows_skipped`]); columns right of the last non-empty cell are
//! dropped. `Row::line` is the sheet's 1-based row number, as shown in Excel.
//!
//! Memory: the sheet is held as its non-empty cells only, never as a rectangle. An xlsx sheet is
//! read cell by cell (calamine's cell reader), so a workbook whose used range spans A1:XFD1048576
//! with two cells in it costs two cells, not 17 billion (calamine's `worksheet_range` would
//! allocate the whole rectangle and abort the process). xls and ods come through
//! `worksheet_range` (calamine has no cell reader for them; xls is bounded by its 65,536 × 256
//! grid).
//!
//! Deliberately not done: streaming rows to the caller; the non-empty cells of one sheet are held
//! in memory.

use std::path::Path;

use calamine::{Data, Reader, Sheets, open_workbook};

use crate::{Format, IngestError, Row};

pub(crate) struct SheetState {
    /// The sheet's non-empty cells as (0-based absolute row, column, value), sorted by position.
    cells: Vec<(u32, u32, Data)>,
    /// Index in `cells` of the first cell of the next data row.
    next: usize,
    /// 0-based absolute row of the next row to read (rows with no cell at all are blank).
    next_row: u64,
    width: usize,
    /// 0-based absolute row of the header.
    header_row: u64,
    col0: u32,
    headers: Vec<String>,
    pub(crate) warnings: Vec<String>,
    pub(crate) warning_count: u64,
    pub(crate) blank_skipped: u64,
}

pub(crate) struct Opened {
    pub format: Format,
    pub sheet_names: Vec<String>,
    pub raw_headers: Vec<String>,
    pub state: SheetState,
}

/// Max cell warnings kept in memory; the count goes on.
const MAX_WARNINGS: usize = 100;

pub(crate) fn open(
    path: &Path,
    zip_hint: Option<&[u8]>,
    sheet: Option<&str>,
) -> Result<Opened, IngestError> {
    // calamine can panic on a damaged workbook (an index or an arithmetic overflow on a
    // corrupted cell reference, found by `fuzz/fuzz_targets/xlsx.rs`): that is a damaged file,
    // reported as one, not a crash of the whole run. Every calamine call of a sheet happens in
    // here (the cells are read up front), so nothing after it can panic that way.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        open_unguarded(path, zip_hint, sheet)
    })) {
        Ok(opened) => opened,
        Err(panic) => {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown failure".to_owned());
            Err(IngestError::Spreadsheet {
                path: path.to_owned(),
                detail: format!(
                    "damaged workbook: the spreadsheet reader failed on it ({why}); open it in \
                     Excel or LibreOffice and save it again, or export the sheet as CSV"
                ),
            })
        }
    }
}

fn open_unguarded(
    path: &Path,
    zip_hint: Option<&[u8]>,
    sheet: Option<&str>,
) -> Result<Opened, IngestError> {
    let err = |detail: String| IngestError::Spreadsheet {
        path: path.to_owned(),
        detail,
    };
    let (mut book, format): (Sheets<_>, Format) = match zip_hint {
        Some(head) => match open_workbook(path) {
            Ok(x) => (Sheets::Xlsx(x), Format::Xlsx),
            Err(xlsx_err) => match open_workbook(path) {
                Ok(o) => (Sheets::Ods(o), Format::Ods),
                Err(ods_err) => match open_workbook(path) {
                    Ok(b) => (Sheets::Xlsb(b), Format::Xlsx),
                    Err(_) => {
                        let xlsx_err: calamine::XlsxError = xlsx_err;
                        let ods_err: calamine::OdsError = ods_err;
                        let looks_like_workbook = contains(head, b"xl/")
                            || contains(head, b"[Content_Types].xml")
                            || contains(head, b"application/vnd.oasis.opendocument");
                        if looks_like_workbook {
                            return Err(err(format!(
                                "damaged or unsupported workbook (as xlsx: {xlsx_err}; as ods: {ods_err})"
                            )));
                        }
                        return Err(IngestError::NotTabular {
                            path: path.to_owned(),
                            detail: "it is a zip archive, not an .xlsx or .ods workbook; \
                                         extract the CSV files inside it (e.g. a Salesforce \
                                         WE_*.ZIP export) and import those"
                                .to_owned(),
                        });
                    }
                },
            },
        },
        None => match open_workbook(path) {
            Ok(x) => (Sheets::Xls(x), Format::Xls),
            Err(e) => {
                let e: calamine::XlsError = e;
                let head = std::fs::read(path).unwrap_or_default();
                let utf16 =
                    |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
                if contains(&head, &utf16("EncryptedPackage")) {
                    return Err(err(
                        "the workbook is password-protected (encrypted): open it in Excel, \
                         remove the password and save it again"
                            .to_owned(),
                    ));
                }
                return Err(IngestError::NotTabular {
                    path: path.to_owned(),
                    detail: format!(
                        "it is an old-Office (OLE2) file but not a readable Excel .xls workbook \
                         (a Word or Outlook file?): {e}"
                    ),
                });
            }
        },
    };
    let sheet_names = book.sheet_names();
    let name = match sheet {
        Some(wanted) => sheet_names
            .iter()
            .find(|n| *n == wanted)
            .or_else(|| sheet_names.iter().find(|n| n.eq_ignore_ascii_case(wanted)))
            .cloned()
            .ok_or_else(|| IngestError::SheetNotFound {
                path: path.to_owned(),
                sheet: wanted.to_owned(),
                available: sheet_names.clone(),
            })?,
        None => {
            // First visible worksheet (Dynamics 365 adds a `hiddenSheet`).
            let meta = book.sheets_metadata();
            meta.iter()
                .find(|s| {
                    s.visible == calamine::SheetVisible::Visible
                        && s.typ == calamine::SheetType::WorkSheet
                })
                .map(|s| s.name.clone())
                .or_else(|| sheet_names.first().cloned())
                .ok_or_else(|| IngestError::Empty {
                    path: path.to_owned(),
                })?
        }
    };
    let cells = sheet_cells(&mut book, &name).map_err(|e| err(format!("sheet {name:?}: {e}")))?;
    let empty = || IngestError::Empty {
        path: path.to_owned(),
    };
    // The header: the first row with a non-blank cell. Columns start at the leftmost cell of the
    // sheet (blank or not, as calamine's range does), and end at the last column holding anything
    // in the header or any data row.
    let first = cells
        .iter()
        .position(|(_, _, v)| !cell_is_blank(v))
        .ok_or_else(empty)?;
    let header_row = cells[first].0;
    let col0 = cells.iter().map(|c| c.1).min().unwrap_or(0);
    let width = cells
        .iter()
        .filter(|(r, _, v)| *r >= header_row && !cell_is_blank(v))
        .map(|(_, c, _)| (c - col0) as usize + 1)
        .max()
        .unwrap_or(0);
    let start = cells.partition_point(|c| c.0 < header_row);
    let end = cells.partition_point(|c| c.0 <= header_row);
    let mut state = SheetState {
        cells: Vec::new(),
        next: end,
        next_row: u64::from(header_row) + 1,
        width,
        header_row: u64::from(header_row),
        col0,
        headers: Vec::new(),
        warnings: Vec::new(),
        warning_count: 0,
        blank_skipped: 0,
    };
    let mut raw_headers = vec![String::new(); width];
    for (_, c, v) in &cells[start..end] {
        let i = (c - col0) as usize;
        if i < width {
            raw_headers[i] = state.render(v, u64::from(header_row), i);
        }
    }
    state.cells = cells;
    Ok(Opened {
        format,
        sheet_names,
        raw_headers,
        state,
    })
}

/// The non-empty cells of sheet `name`, sorted by (row, column); see the module docs.
fn sheet_cells<RS: std::io::Read + std::io::Seek>(
    book: &mut Sheets<RS>,
    name: &str,
) -> Result<Vec<(u32, u32, Data)>, String> {
    let mut cells: Vec<(u32, u32, Data)> = Vec::new();
    match book {
        Sheets::Xlsx(x) => {
            let mut reader = match x.worksheet_cells_reader(name) {
                Ok(r) => r,
                // A chart sheet or dialog sheet: nothing to read.
                Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(cells),
                Err(e) => return Err(e.to_string()),
            };
            while let Some(cell) = reader.next_cell().map_err(|e| e.to_string())? {
                let value = cell.get_value();
                if *value != calamine::DataRef::Empty {
                    let (r, c) = cell.get_position();
                    cells.push((r, c, Data::from(value.clone())));
                }
            }
        }
        other => {
            let range = other.worksheet_range(name).map_err(|e| e.to_string())?;
            let (r0, c0) = range.start().unwrap_or((0, 0));
            cells.extend(
                range
                    .used_cells()
                    .map(|(r, c, v)| (r0 + r as u32, c0 + c as u32, v.clone())),
            );
        }
    }
    // Cells usually come in order, but the file decides; the reader relies on it.
    cells.sort_by_key(|c| (c.0, c.1));
    cells.dedup_by_key(|c| (c.0, c.1));
    Ok(cells)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn cell_is_blank(c: &Data) -> bool {
    match c {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

impl SheetState {
    /// 1-based sheet row of the header, as Excel shows it.
    pub(crate) fn header_line(&self) -> u64 {
        self.header_row + 1
    }

    pub(crate) fn set_headers(&mut self, headers: &[String]) {
        self.headers = headers.to_vec();
    }

    fn col_name(&self, c: usize) -> String {
        self.headers
            .get(c)
            .cloned()
            .unwrap_or_else(|| column_letters(self.col0 + c as u32))
    }

    /// Text of a cell at 0-based absolute `row` and 0-based column `c` (from `col0`).
    fn render(&mut self, cell: &Data, row: u64, c: usize) -> String {
        match cell {
            Data::Error(e) => {
                self.warning_count += 1;
                if self.warnings.len() < MAX_WARNINGS {
                    let line = row + 1;
                    let cell_ref = format!("{}{line}", column_letters(self.col0 + c as u32));
                    let col = self.col_name(c);
                    self.warnings.push(format!(
                        "row {line}, column {col:?} (cell {cell_ref}): Excel error {e} read as an empty value"
                    ));
                }
                String::new()
            }
            other => render(other),
        }
    }

    pub(crate) fn next_row(&mut self) -> Option<Row> {
        let cells = std::mem::take(&mut self.cells);
        let mut out = None;
        while self.next < cells.len() {
            let row = cells[self.next].0;
            let end = self.next + cells[self.next..].partition_point(|c| c.0 == row);
            let here = &cells[self.next..end];
            self.next = end;
            // Rows with no cell at all between the last row read and this one are blank.
            self.blank_skipped += u64::from(row).saturating_sub(self.next_row);
            self.next_row = u64::from(row) + 1;
            if here.iter().all(|(_, _, v)| cell_is_blank(v)) {
                self.blank_skipped += 1;
                continue;
            }
            let mut values = vec![String::new(); self.width];
            for (_, c, v) in here {
                let i = (c - self.col0) as usize;
                if i < self.width {
                    values[i] = self.render(v, u64::from(row), i);
                }
            }
            out = Some(Row {
                line: u64::from(row) + 1,
                cells: values.into(),
            });
            break;
        }
        self.cells = cells;
        out
    }
}

/// Excel column letters for a 0-based column index (`0` → `A`, `27` → `AB`).
pub(crate) fn column_letters(mut c: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

/// Text form of one cell (see module docs). Errors render as empty here; the caller warns.
pub(crate) fn render(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => render_float(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::DateTime(dt) => {
            if dt.is_duration() {
                let total_ms = (dt.as_f64() * 86_400_000.0).round() as i64;
                let sign = if total_ms < 0 { "-" } else { "" };
                let ms = total_ms.unsigned_abs();
                let (h, m, s, milli) =
                    (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
                let frac = if milli > 0 {
                    format!(".{milli:03}")
                } else {
                    String::new()
                };
                return format!("{sign}{h}:{m:02}:{s:02}{frac}");
            }
            let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            let frac = if ms > 0 {
                format!(".{ms:03}")
            } else {
                String::new()
            };
            if dt.as_f64() < 1.0 && dt.as_f64() >= 0.0 {
                // Time-only cell: the date part is Excel's day 0, meaningless.
                format!("{h:02}:{mi:02}:{s:02}{frac}")
            } else if (h, mi, s, ms) == (0, 0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}")
            }
        }
    }
}

/// Integral floats without `.0` (up to 2^53, where every integer is exact); others in the
/// shortest form that reads back to the same `f64`.
pub(crate) fn render_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    fn dt(v: f64, is_1904: bool) -> String {
        render(&Data::DateTime(ExcelDateTime::new(
            v,
            ExcelDateTimeType::DateTime,
            is_1904,
        )))
    }

    #[test]
    fn numbers() {
        assert_eq!(render_float(4155552671.0), "4155552671");
        assert_eq!(render_float(-3.0), "-3");
        assert_eq!(render_float(0.1), "0.1");
        assert_eq!(render_float(1234.5), "1234.5");
        assert_eq!(render_float(1.5e300), format!("{}", 1.5e300));
        assert_eq!(render(&Data::Int(42)), "42");
        assert_eq!(render(&Data::Bool(true)), "TRUE");
    }

    #[test]
    fn dates_both_epochs() {
        assert_eq!(dt(45943.0, false), "2025-10-13");
        assert_eq!(dt(45943.5, false), "2025-10-13T12:00:00");
        // Same calendar date in the 1904 system is 1462 days less.
        assert_eq!(dt(45943.0 - 1462.0, true), "2025-10-13");
        assert_eq!(dt(0.75, false), "18:00:00");
        let dur = Data::DateTime(ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false));
        assert_eq!(render(&dur), "36:00:00");
    }

    #[test]
    fn letters() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }
}
