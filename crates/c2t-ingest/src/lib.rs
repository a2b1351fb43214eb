//! crm2twenty's reader: CRM export files as they really come, row by row.
//!
//! [`Source::open`] looks at the bytes (not the extension) and returns a streaming iterator
//! of [`Row`]s and [`RowReject`]s:
//! - **CSV / TSV / "Unicode Text"**: encoding from a BOM, a UTF-8 check, a UTF-16 NUL
//!   pattern or chardetng (see `sniff`); delimiter sniffed among `,` `;` `\t` `|`; RFC 4180
//!   quoting with multi-line cells; CRLF, LF and CR line ends. Read in 64 KiB chunks: memory
//!   does not grow with the file.
//! - **Workbooks** (xlsx/xlsm/xlsb, xls, ods) through calamine, one sheet, cells rendered as
//!   text (see `sheet`).
//!
//! The promise is **no silent loss**: every record is either a `Row` or a `RowReject` with the
//! physical line (as a text editor shows it, header = line 1) and a reason: ragged field
//! count, undecodable bytes, unterminated quote, NUL bytes. Only blank lines/rows are
//! skipped, and they are counted ([`Source::blank_rows_skipped`]).
//!
//! What this crate deliberately does not do: trim or normalise cell values (normalisers do),
//! detect which CRM a file comes from, drop report footers, unzip archives, or read more
//! than one sheet per `Source`.

mod csv_source;
mod decode;
mod error;
mod headers;
mod sheet;
mod sniff;

use std::fs::File;
use std::io::Read;
use std::path::Path;

use encoding_rs::{Encoding, UTF_8};

pub use error::IngestError;

/// How to read a file. Everything is guessed when left `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Encoding label (WHATWG names: `utf-8`, `windows-1252`, `latin1`, `utf-16le`,
    /// `shift_jis`…). Ignored for workbooks.
    pub encoding: Option<String>,
    /// CSV delimiter byte. Ignored for workbooks.
    pub delimiter: Option<u8>,
    /// Sheet name (exact, else ASCII case-insensitive). Default: first visible worksheet.
    /// Ignored for CSV.
    pub sheet: Option<String>,
}

/// Container format, from the file's content (not its extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    /// Office Open XML workbook (.xlsx, .xlsm; .xlsb is reported as this too).
    Xlsx,
    /// Legacy Excel 97–2003 workbook.
    Xls,
    /// OpenDocument spreadsheet.
    Ods,
}

/// One data record. `cells.len()` always equals the number of headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 1-based physical line where the record starts (CSV), or the sheet row number.
    pub line: u64,
    /// The cells, all in one buffer (`cells.get(i)`, `cells.iter()`, `&cells[i]`): two
    /// allocations a row instead of one per cell.
    pub cells: csv::StringRecord,
}

/// A record that could not be read as a row; reading goes on after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowReject {
    pub line: u64,
    pub reason: String,
}

impl std::fmt::Display for RowReject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

enum Inner {
    Csv(Box<csv_source::CsvState>),
    Sheet(Box<sheet::SheetState>),
}

/// An opened export file: headers known, rows streamed by iterating.
pub struct Source {
    /// Cleaned header names: trimmed, unique, never empty (see [`Source::header_warnings`]).
    pub headers: Vec<String>,
    pub format: Format,
    /// Encoding name (`"UTF-8"`, `"windows-1252"`, `"UTF-16LE"`…), or `"xlsx"`, `"xls"`,
    /// `"ods"` for workbooks.
    pub encoding: &'static str,
    /// The CSV delimiter used; `None` for workbooks.
    pub delimiter: Option<u8>,
    /// The file started with a byte-order mark (stripped).
    pub had_bom: bool,
    /// Line (CSV) or sheet row of the header.
    pub header_line: u64,
    header_warnings: Vec<String>,
    sheet_names: Vec<String>,
    inner: Inner,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("headers", &self.headers)
            .field("format", &self.format)
            .field("encoding", &self.encoding)
            .field("delimiter", &self.delimiter.map(char::from))
            .field("had_bom", &self.had_bom)
            .field("header_line", &self.header_line)
            .finish_non_exhaustive()
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> IngestError + '_ {
    move |source| IngestError::Io {
        path: path.to_owned(),
        source,
    }
}

impl Source {
    /// Open `path`, guess what needs guessing, and read the header row.
    pub fn open(path: &Path, opts: &ReadOptions) -> Result<Source, IngestError> {
        let mut file = File::open(path).map_err(io_err(path))?;
        let mut head = vec![0u8; sniff::SNIFF_BYTES];
        let n = read_up_to(&mut file, &mut head).map_err(io_err(path))?;
        head.truncate(n);
        let complete = n < sniff::SNIFF_BYTES;
        if head.iter().all(u8::is_ascii_whitespace) && complete {
            return Err(IngestError::Empty {
                path: path.to_owned(),
            });
        }
        match sniff::container(&head) {
            Err(detail) => Err(IngestError::NotTabular {
                path: path.to_owned(),
                detail,
            }),
            Ok(sniff::Container::Zip) => Self::open_sheet(path, Some(&head), opts),
            Ok(sniff::Container::Ole) => Self::open_sheet(path, None, opts),
            Ok(sniff::Container::Text) => Self::open_csv(path, opts, &head, complete, &mut file),
        }
    }

    fn open_sheet(
        path: &Path,
        zip_head: Option<&[u8]>,
        opts: &ReadOptions,
    ) -> Result<Source, IngestError> {
        let opened = sheet::open(path, zip_head, opts.sheet.as_deref())?;
        let mut state = opened.state;
        let (headers, header_warnings) = headers::clean(opened.raw_headers);
        state.set_headers(&headers);
        let header_line = state.header_line();
        Ok(Source {
            headers,
            format: opened.format,
            encoding: match opened.format {
                Format::Xls => "xls",
                Format::Ods => "ods",
                _ => "xlsx",
            },
            delimiter: None,
            had_bom: false,
            header_line,
            header_warnings,
            sheet_names: opened.sheet_names,
            inner: Inner::Sheet(Box::new(state)),
        })
    }

    fn open_csv(
        path: &Path,
        opts: &ReadOptions,
        head: &[u8],
        complete: bool,
        rest: &mut File,
    ) -> Result<Source, IngestError> {
        let forced = match opts.encoding.as_deref() {
            None => None,
            Some(label) => Some(Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
                IngestError::Encoding {
                    path: path.to_owned(),
                    detail: format!(
                        "unknown encoding {label:?} (examples: utf-8, windows-1252, latin1, \
                         iso-8859-15, utf-16le, utf-16be, shift_jis, macintosh)"
                    ),
                }
            })?),
        };
        let guess =
            sniff::encoding(forced, head, rest).map_err(|detail| IngestError::NotTabular {
                path: path.to_owned(),
                detail,
            })?;
        let enc = guess.encoding;
        let delimiter = match opts.delimiter {
            Some(d) => d,
            None => {
                let body = &head[guess.bom_len..];
                if enc == UTF_8 {
                    sniff::delimiter(body, complete)
                } else {
                    let mut dec = enc.new_decoder_without_bom_handling();
                    let mut text = String::with_capacity(body.len() * 2 + 16);
                    let _ = dec.decode_to_string(body, &mut text, complete);
                    sniff::delimiter(text.as_bytes(), complete)
                }
            }
        };
        let mut state = csv_source::CsvState::open(path, enc, guess.bom_len, delimiter)?;
        let Some((raw, mut warnings, header_line)) = state.read_header()? else {
            return Err(IngestError::Empty {
                path: path.to_owned(),
            });
        };
        let (headers, mut hw) = headers::clean(raw);
        warnings.append(&mut hw);
        state.set_headers(&headers);
        Ok(Source {
            headers,
            format: Format::Csv,
            encoding: enc.name(),
            delimiter: Some(delimiter),
            had_bom: guess.bom_len > 0,
            header_line,
            header_warnings: warnings,
            sheet_names: Vec::new(),
            inner: Inner::Csv(Box::new(state)),
        })
    }

    /// Sheet names of a workbook, in workbook order; empty for CSV.
    pub fn sheet_names(&self) -> &[String] {
        &self.sheet_names
    }

    /// What was changed in the header row (duplicates renamed, empty names filled, bad bytes).
    pub fn header_warnings(&self) -> &[String] {
        &self.header_warnings
    }

    /// Workbook cells that were read as empty (Excel errors such as `#REF!`), so far.
    /// At most 100 messages are kept; [`Source::cell_warning_count`] has the full count.
    pub fn cell_warnings(&self) -> &[String] {
        match &self.inner {
            Inner::Sheet(s) => &s.warnings,
            Inner::Csv(_) => &[],
        }
    }

    /// Number of cell warnings so far (may exceed `cell_warnings().len()`).
    pub fn cell_warning_count(&self) -> u64 {
        match &self.inner {
            Inner::Sheet(s) => s.warning_count,
            Inner::Csv(_) => 0,
        }
    }

    /// Blank lines / rows skipped so far (all cells empty or whitespace): not rows, not rejects.
    pub fn blank_rows_skipped(&self) -> u64 {
        match &self.inner {
            Inner::Sheet(s) => s.blank_skipped,
            Inner::Csv(c) => c.blank_skipped,
        }
    }
}

impl Iterator for Source {
    type Item = Result<Row, RowReject>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            Inner::Csv(c) => c.next_item(),
            Inner::Sheet(s) => s.next_row().map(Ok),
        }
    }
}

/// The text encoding [`Source::open`] would read a CSV file starting with `bytes` in, and
/// whether it starts with a byte-order mark; or why the bytes are not text (binary data, a
/// known non-text format). Only the first MiB decides, as for a file (and the bytes after it,
/// while that window is pure ASCII). Workbooks are not recognised here: see [`Source::open`].
pub fn guess_encoding(bytes: &[u8]) -> Result<(&'static str, bool), String> {
    let (head, mut rest) = bytes.split_at(bytes.len().min(sniff::SNIFF_BYTES));
    sniff::container(head)?;
    let guess = sniff::encoding(None, head, &mut rest)?;
    Ok((guess.encoding.name(), guess.bom_len > 0))
}

/// Headers only, for detection: opens the file and reads up to the header row.
pub fn headers_of(path: &Path, opts: &ReadOptions) -> Result<Vec<String>, IngestError> {
    Source::open(path, opts).map(|s| s.headers)
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
