//! A minimal streaming CSV writer in the shape of a Salesforce Data Export: comma-separated,
//! CRLF between records, a field quoted only when it holds a comma, a quote or a line break
//! (quotes doubled), line breaks inside quoted cells written as LF.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

pub struct CsvOut {
    w: BufWriter<File>,
    line: Vec<u8>,
    first: bool,
    pub rows: u64,
}

impl CsvOut {
    /// Creates `path` and writes the header line exactly as given.
    pub fn create(path: &Path, header: &str) -> io::Result<Self> {
        let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
        w.write_all(header.as_bytes())?;
        w.write_all(b"\r\n")?;
        Ok(CsvOut {
            w,
            line: Vec::with_capacity(1024),
            first: true,
            rows: 0,
        })
    }

    fn sep(&mut self) {
        if !self.first {
            self.line.push(b',');
        }
        self.first = false;
    }

    /// Appends one field, quoting it when needed.
    pub fn field(&mut self, s: &str) {
        self.sep();
        let b = s.as_bytes();
        if b.iter().any(|&c| matches!(c, b',' | b'"' | b'\n' | b'\r')) {
            self.line.push(b'"');
            for &c in b {
                if c == b'"' {
                    self.line.push(b'"');
                }
                self.line.push(c);
            }
            self.line.push(b'"');
        } else {
            self.line.extend_from_slice(b);
        }
    }

    /// Appends one field written with `format_args!` (never quoted: for numbers and dates).
    pub fn fmt(&mut self, args: std::fmt::Arguments<'_>) {
        self.sep();
        let _ = self.line.write_fmt(args);
    }

    pub fn empty(&mut self) {
        self.sep();
    }

    pub fn empties(&mut self, n: usize) {
        for _ in 0..n {
            self.sep();
        }
    }

    /// Ends the record (CRLF) and hands it to the buffered file.
    pub fn end(&mut self) -> io::Result<()> {
        self.line.extend_from_slice(b"\r\n");
        self.w.write_all(&self.line)?;
        self.line.clear();
        self.first = true;
        self.rows += 1;
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<u64> {
        self.w.flush()?;
        Ok(self.rows)
    }
}
