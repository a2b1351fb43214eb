//! Run-level errors of the reader: the file as a whole cannot be read.
//!
//! Problems with one row are *not* errors: they are [`crate::RowReject`]s yielded by the
//! iterator, and reading goes on. Every variant names the path, and most carry a hint the
//! CLI can print as is.

use std::path::PathBuf;

/// Why a file could not be opened as a table.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The file could not be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// No header row: the file is empty, holds only whitespace/blank lines, or the sheet is empty.
    #[error("{} is empty: no header row found", path.display())]
    Empty { path: PathBuf },
    /// The encoding given is unknown, or the text cannot be decoded at all.
    #[error("{}: {detail}", path.display())]
    Encoding { path: PathBuf, detail: String },
    /// calamine failed to read the workbook.
    #[error("{}: cannot read the workbook: {detail}", path.display())]
    Spreadsheet { path: PathBuf, detail: String },
    /// `--sheet` names a sheet the workbook does not have.
    #[error("{}: no sheet named {sheet:?}; the workbook has: {}", path.display(), list(available))]
    SheetNotFound {
        path: PathBuf,
        sheet: String,
        available: Vec<String>,
    },
    /// The file is not a table (PDF, zip that is not a workbook, binary data…).
    #[error("{} is not a CSV or spreadsheet file: {detail}", path.display())]
    NotTabular { path: PathBuf, detail: String },
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        return "(no sheets)".to_owned();
    }
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}
