//! Streaming CSV records out of a [`Tracked`] stream: exact line numbers, ragged rows,
//! undecodable bytes and broken quotes reported as [`RowReject`]s, never silently dropped.
//!
//! Recovery from a broken quote: a quoted field that is never closed makes the `csv` parser
//! swallow everything up to the end of the file (or up to [`MAX_RECORD_BYTES`], where the
//! stream is cut). When such a record reaches the end of the stream we re-scan its bytes with
//! the same quoting rules; if the quote is indeed open at EOF (or the size guard tripped) the
//! record's *first physical line* is rejected and parsing restarts on the next line with a
//! fresh parser. Every other line is then read normally, so one stray `"` costs one row.
//! The same recovery applies to a *multi-line* record whose quoting breaks RFC 4180 (text
//! right after a closing quote): that is how a stray quote looks when a later quote
//! "closes" it, and `csv` alone would return one row with the lines in between swallowed
//! into a cell, field count intact. Single-line records are not re-scanned (csv's lenient
//! reading of `"ab"c` as `abc` stands), so the check costs nothing on ordinary rows.
//!
//! Deliberately not done: guessing what the user meant inside a ragged row (no re-splitting,
//! no padding). A multi-line record with clean quoting but the wrong field count is rejected
//! whole, with the span of lines it covers in the reason.

use std::fs::File;
use std::io::{self, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use csv::ByteRecord;
use encoding_rs::{Encoding, UTF_8};

use crate::decode::{MAX_RECORD_BYTES, MAX_RECORD_LINES, Tracked};
use crate::{IngestError, Row, RowReject};

type Stream = Tracked<BufReader<File>>;

pub(crate) struct CsvState {
    path: PathBuf,
    encoding: &'static Encoding,
    bom_len: u64,
    delimiter: u8,
    rdr: csv::Reader<Stream>,
    /// Absolute output offset of byte 0 of the current `csv::Reader`.
    base: u64,
    rec: ByteRecord,
    ncols: usize,
    headers: Vec<String>,
    done: bool,
    pub(crate) blank_skipped: u64,
}

fn reader(stream: Stream, delimiter: u8) -> csv::Reader<Stream> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(64 * 1024)
        .from_reader(stream)
}

fn open_stream(
    path: &Path,
    encoding: &'static Encoding,
    bom_len: u64,
    start: u64,
    line: u64,
) -> io::Result<Stream> {
    let mut f = File::open(path)?;
    if encoding == UTF_8 {
        f.seek(SeekFrom::Start(bom_len + start))?;
    } else {
        f.seek(SeekFrom::Start(bom_len))?;
    }
    Ok(Tracked::new(
        BufReader::with_capacity(64 * 1024, f),
        encoding,
        start,
        line,
    ))
}

fn is_blank(rec: &ByteRecord) -> bool {
    rec.as_slice().iter().all(u8::is_ascii_whitespace)
}

impl CsvState {
    pub(crate) fn open(
        path: &Path,
        encoding: &'static Encoding,
        bom_len: usize,
        delimiter: u8,
    ) -> Result<Self, IngestError> {
        let stream = open_stream(path, encoding, bom_len as u64, 0, 1).map_err(|source| {
            IngestError::Io {
                path: path.to_owned(),
                source,
            }
        })?;
        Ok(CsvState {
            path: path.to_owned(),
            encoding,
            bom_len: bom_len as u64,
            delimiter,
            rdr: reader(stream, delimiter),
            base: 0,
            rec: ByteRecord::new(),
            ncols: 0,
            headers: Vec::new(),
            done: false,
            blank_skipped: 0,
        })
    }

    /// First non-blank record, decoded (lossily, with a warning, if it has bad bytes).
    #[allow(clippy::type_complexity)]
    pub(crate) fn read_header(
        &mut self,
    ) -> Result<Option<(Vec<String>, Vec<String>, u64)>, IngestError> {
        loop {
            let before = self.rdr.position().byte();
            let ok = self
                .rdr
                .read_byte_record(&mut self.rec)
                .map_err(|e| IngestError::Io {
                    path: self.path.clone(),
                    source: io::Error::other(e),
                })?;
            if !ok {
                return Ok(None);
            }
            let after = self.rdr.position().byte();
            let t = self.rdr.get_mut();
            let (line, start) = t.locate(before);
            let malformed = t.take_malformed(start, after);
            if is_blank(&self.rec) {
                continue;
            }
            let mut warnings = Vec::new();
            let mut lossy = malformed;
            let cells: Vec<String> = self
                .rec
                .iter()
                .map(|f| match std::str::from_utf8(f) {
                    Ok(s) => s.to_owned(),
                    Err(_) => {
                        lossy = true;
                        String::from_utf8_lossy(f).into_owned()
                    }
                })
                .collect();
            if lossy {
                warnings.push(format!(
                    "header row (line {line}) has bytes that are not valid {}: shown as \u{FFFD}; \
                     pass the right encoding if the names look wrong",
                    self.encoding.name()
                ));
            }
            self.ncols = cells.len();
            return Ok(Some((cells, warnings, line)));
        }
    }

    pub(crate) fn set_headers(&mut self, headers: &[String]) {
        self.headers = headers.to_vec();
    }

    fn restart(&mut self, start: u64, line: u64) -> io::Result<()> {
        let stream = open_stream(&self.path, self.encoding, self.bom_len, start, line)?;
        self.rdr = reader(stream, self.delimiter);
        self.base = start;
        Ok(())
    }

    fn column(&self, idx: usize) -> String {
        match self.headers.get(idx) {
            Some(h) => format!("column {} ({h:?})", idx + 1),
            None => format!("column {}", idx + 1),
        }
    }

    pub(crate) fn next_item(&mut self) -> Option<Result<Row, RowReject>> {
        loop {
            if self.done {
                return None;
            }
            let before = self.base + self.rdr.position().byte();
            self.rdr.get_mut().record_start = before;
            match self.rdr.read_byte_record(&mut self.rec) {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    let (line, _) = self.rdr.get_mut().locate(before);
                    return Some(Err(RowReject {
                        line,
                        reason: format!("read error: {e}; the rest of the file was not read"),
                    }));
                }
            }
            let after = self.base + self.rdr.position().byte();
            let t = self.rdr.get_mut();
            let (line, start) = t.locate(before);
            let malformed = t.take_malformed(start, after);
            let limit_hit = t.limit_hit;
            let at_end = t.exhausted();
            let inner = t.inner_breaks(start, after);

            // Broken quote: runaway record, a quote still open at the end of the file, or a
            // multi-line record whose quoting breaks RFC 4180 (text after a closing quote:
            // the sign of a stray quote that swallowed the following lines).
            let broken = if limit_hit {
                Some(format!(
                    "record starting on this line grows past {} MiB or {} lines \
                     (an unterminated quoted field?)",
                    MAX_RECORD_BYTES / (1024 * 1024),
                    MAX_RECORD_LINES
                ))
            } else if at_end || inner > 0 {
                let end = if at_end { u64::MAX } else { after };
                match quote_check(self.rdr.get_ref(), start, end, self.delimiter) {
                    QuoteCheck::Fine => None,
                    QuoteCheck::Unclosed { field, breaks } => Some(format!(
                        "unterminated quoted field: the quote opening {} on line {} \
                         is never closed",
                        self.column(field),
                        line + breaks
                    )),
                    QuoteCheck::TextAfterClosingQuote { field, breaks } => Some(format!(
                        "malformed quoting: text follows the closing quote of {} on line {}, \
                         so the record ran over {} lines (a stray quote?)",
                        self.column(field),
                        line + breaks,
                        inner + 1
                    )),
                }
            } else {
                None
            };
            if let Some(why) = broken {
                let next = self.rdr.get_ref().next_line_start(start);
                let reason = match next {
                    Some(next) => match self.restart(next, line + 1) {
                        Ok(()) => format!(
                            "{why}; this line was rejected and reading resumed at line {}",
                            line + 1
                        ),
                        Err(e) => {
                            self.done = true;
                            format!("{why}; could not resume reading: {e}")
                        }
                    },
                    None => {
                        self.done = true;
                        why
                    }
                };
                return Some(Err(RowReject { line, reason }));
            }

            if is_blank(&self.rec) {
                self.blank_skipped += 1;
                continue;
            }
            if malformed {
                return Some(Err(RowReject {
                    line,
                    reason: format!(
                        "undecodable bytes (not valid {}) in this row",
                        self.encoding.name()
                    ),
                }));
            }
            if self.rec.len() != self.ncols {
                let mut reason = format!("{} fields, header has {}", self.rec.len(), self.ncols);
                if inner > 0 {
                    reason.push_str(&format!(
                        " (the record spans lines {line}\u{2013}{}: a quoted cell holds line \
                         breaks; check for a stray quote)",
                        line + inner
                    ));
                }
                return Some(Err(RowReject { line, reason }));
            }
            if memchr::memchr(0, self.rec.as_slice()).is_some() {
                return Some(Err(RowReject {
                    line,
                    reason: "contains NUL (0x00) bytes, which text fields cannot store \
                             (binary data in a cell?)"
                        .to_owned(),
                }));
            }
            return Some(
                match csv::StringRecord::from_byte_record(self.rec.clone()) {
                    Ok(cells) => Ok(Row { line, cells }),
                    Err(_) => Err(RowReject {
                        line,
                        reason: "undecodable bytes (not valid UTF-8) in this row".to_owned(),
                    }),
                },
            );
        }
    }
}

enum QuoteCheck {
    Fine,
    /// A quote opened in `field` (0-based), `breaks` lines below the record start, is still
    /// open at the end of the stream.
    Unclosed {
        field: usize,
        breaks: u64,
    },
    /// Text right after the closing quote of `field`: invalid RFC 4180.
    TextAfterClosingQuote {
        field: usize,
        breaks: u64,
    },
}

/// Re-scan one record's bytes with csv-core's quoting rules (quote `"`, doubled to escape,
/// quotes only special at the start of a field).
fn quote_check(t: &Stream, start: u64, end: u64, delimiter: u8) -> QuoteCheck {
    #[derive(PartialEq)]
    enum St {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut st = St::FieldStart;
    let mut field = 0usize;
    let mut breaks = 0u64;
    let mut prev_cr = false;
    let (mut open_field, mut open_breaks) = (0usize, 0u64);
    let mut result = None;
    t.slices(start, end, |bytes| {
        for &b in bytes {
            let is_break = b == b'\r' || (b == b'\n' && !prev_cr);
            prev_cr = b == b'\r';
            match st {
                St::FieldStart if b == b'"' => {
                    st = St::Quoted;
                    open_field = field;
                    open_breaks = breaks;
                }
                St::Quoted => {
                    if b == b'"' {
                        st = St::QuoteInQuoted;
                    }
                }
                St::QuoteInQuoted if b == b'"' => st = St::Quoted,
                _ if b == delimiter => {
                    st = St::FieldStart;
                    field += 1;
                }
                _ if b == b'\r' || b == b'\n' => {
                    result = Some(QuoteCheck::Fine); // end of this record
                    return false;
                }
                St::QuoteInQuoted => {
                    result = Some(QuoteCheck::TextAfterClosingQuote { field, breaks });
                    return false;
                }
                _ => st = St::Unquoted,
            }
            if is_break {
                breaks += 1;
            }
        }
        true
    });
    match result {
        Some(r) => r,
        None if st == St::Quoted => QuoteCheck::Unclosed {
            field: open_field,
            breaks: open_breaks,
        },
        None => QuoteCheck::Fine,
    }
}
