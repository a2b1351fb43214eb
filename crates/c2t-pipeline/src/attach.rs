//! Attachments: the files an export's attachment rows name, found on disk and described.
//!
//! An attachment row (`object = "attachment"`) names its file through its `file` column
//! ([`crate::transform::file_path`]): a path relative to the export folder. This module checks
//! each file is there (inside the export, a regular file), tells its size, its SHA-256 (read in
//! blocks: a 1 GB folder never sits in memory), and the category Twenty files it under
//! (`fileCategory` on 2.x, `type` on 1.5), and lists the files of the export's attachment
//! folders that no row names.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Folders whose files are attachments, never export files, whatever their extension
/// (compared without regard to case): Salesforce's Data Export puts the files of
/// `Attachment.csv` in `Attachments/`, those of `ContentVersion.csv` in `ContentVersion/` and
/// those of `Document.csv` in `Documents/`; the generic form keeps them in `files/`.
pub const ATTACHMENT_FOLDERS: &[&str] = &["attachments", "contentversion", "documents", "files"];

/// True for a folder name of [`ATTACHMENT_FOLDERS`] (compared without regard to case).
pub fn is_attachment_folder(name: &str) -> bool {
    ATTACHMENT_FOLDERS
        .iter()
        .any(|f| name.eq_ignore_ascii_case(f))
}

/// When `rel` (a path, `/` or `\` between parts) lies in one of the [`ATTACHMENT_FOLDERS`]: the
/// path from that folder on, `/` between parts (`export/Attachments/00P1` → `Attachments/00P1`).
pub fn from_attachment_folder(rel: &str) -> Option<String> {
    let parts: Vec<&str> = rel.split(['/', '\\']).collect();
    let (_, folders) = parts.split_last()?;
    let from = folders.iter().position(|p| is_attachment_folder(p))?;
    Some(parts[from..].join("/"))
}

/// True when `rel` lies in one of the [`ATTACHMENT_FOLDERS`] ([`from_attachment_folder`]).
pub fn in_attachment_folder(rel: &str) -> bool {
    from_attachment_folder(rel).is_some()
}

/// An attachment's file, found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundFile {
    /// Relative to the export folder, `/` between parts (as the row named it).
    pub rel: String,
    pub path: PathBuf,
    pub size: u64,
    /// SHA-256 of its bytes ([`content_hash`]); empty until computed.
    pub hash: String,
}

/// Finds the file `rel` names under `root`, or says why it cannot be used.
pub fn find(root: &Path, rel: &str) -> Result<FoundFile, String> {
    if rel.is_empty() {
        return Err("no file named".into());
    }
    if rel.starts_with('/') || rel.split('/').any(|p| p == "..") || rel.contains(':') {
        return Err(format!("`{rel}` is not a path inside the export folder"));
    }
    let path = root.join(rel);
    match std::fs::metadata(&path) {
        Ok(m) if m.is_file() => Ok(FoundFile {
            rel: rel.to_string(),
            path,
            size: m.len(),
            hash: String::new(),
        }),
        Ok(_) => Err(format!("`{rel}` is a folder, not a file")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(format!("file `{rel}` is not in the export"))
        }
        Err(e) => Err(format!("file `{rel}` cannot be read: {e}")),
    }
}

/// SHA-256 of what is written to it, as 64 lowercase hex digits ([`Sha256::finish`]): files
/// are hashed as they are read, and downloads as they arrive.
pub struct Sha256(ring::digest::Context);

impl Default for Sha256 {
    fn default() -> Sha256 {
        Sha256(ring::digest::Context::new(&ring::digest::SHA256))
    }
}

impl Sha256 {
    pub fn finish(self) -> String {
        hex(self.0.finish().as_ref())
    }
}

impl std::io::Write for Sha256 {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The SHA-256 of a file's bytes, as 64 lowercase hex digits, read 64 KB at a time.
pub fn content_hash(path: &Path) -> std::io::Result<String> {
    let f = std::fs::File::open(path)?;
    let mut h = Sha256::default();
    std::io::copy(&mut std::io::BufReader::with_capacity(64 * 1024, f), &mut h)?;
    Ok(h.finish())
}

/// The SHA-256 of bytes in memory (tests, and small files read whole).
pub fn bytes_hash(bytes: &[u8]) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

fn hex(b: &[u8]) -> String {
    use std::fmt::Write;
    b.iter()
        .fold(String::with_capacity(b.len() * 2), |mut s, x| {
            let _ = write!(s, "{x:02x}");
            s
        })
}

/// Twenty's category of a file, from its name's extension, as 2.x's `fileCategory` option
/// names it (`ARCHIVE`, `AUDIO`, `IMAGE`, `PRESENTATION`, `SPREADSHEET`, `TEXT_DOCUMENT`,
/// `VIDEO`, `OTHER`: the options of the recorded 2.19 server's `attachment.fileCategory`).
pub fn category(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "zip" | "tar" | "iso" | "gz" | "tgz" | "rar" | "7z" | "bz2" | "xz" => "ARCHIVE",
        "mp3" | "wav" | "ogg" | "flac" | "m4a" | "aac" | "wma" => "AUDIO",
        "apng" | "avif" | "gif" | "jpg" | "jpeg" | "jfif" | "pjpeg" | "pjp" | "png" | "svg"
        | "webp" | "bmp" | "ico" | "cur" | "tif" | "tiff" | "heic" => "IMAGE",
        "ppt" | "pptx" | "odp" | "key" => "PRESENTATION",
        "xls" | "xlsb" | "xlsm" | "xlsx" | "xltx" | "csv" | "tsv" | "numbers" | "ods" => {
            "SPREADSHEET"
        }
        "doc" | "docm" | "docx" | "dot" | "dotx" | "odt" | "pdf" | "txt" | "rtf" | "ps" | "tex"
        | "pages" | "md" | "msg" | "eml" => "TEXT_DOCUMENT",
        "mp4" | "avi" | "mov" | "wmv" | "mpg" | "mpeg" | "mkv" | "webm" | "m4v" => "VIDEO",
        _ => "OTHER",
    }
}

/// 1.5's `attachment.type` for a [`category`]: the same categories, spelled as 1.5's
/// `AttachmentType` (`TextDocument`, `Spreadsheet`…).
pub fn legacy_type(category: &str) -> &'static str {
    match category {
        "ARCHIVE" => "Archive",
        "AUDIO" => "Audio",
        "IMAGE" => "Image",
        "PRESENTATION" => "Presentation",
        "SPREADSHEET" => "Spreadsheet",
        "TEXT_DOCUMENT" => "TextDocument",
        "VIDEO" => "Video",
        _ => "Other",
    }
}

/// The MIME type a file is sent with, from its name's extension (the server stores it; a
/// browser opens the file by it).
pub fn mime_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "md" => "text/markdown",
        "json" => "application/json",
        "xml" => "application/xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "zip" => "application/zip",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "eml" => "message/rfc822",
        _ => "application/octet-stream",
    }
}

/// `path` relative to `root`, with `/` between its parts (as mappings and rows name files).
pub fn rel_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// The files under the export's attachment folders that `named` (relative paths) does not
/// hold, sorted.
pub fn unnamed_files(root: &Path, named: &BTreeSet<String>) -> Vec<FoundFile> {
    let mut out = Vec::new();
    walk(root, root, false, named, &mut out);
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    out
}

fn walk(root: &Path, dir: &Path, inside: bool, named: &BTreeSet<String>, out: &mut Vec<FoundFile>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with('.') {
            continue;
        }
        let path = e.path();
        let Ok(meta) = e.metadata() else { continue };
        if meta.is_dir() {
            let here = inside || is_attachment_folder(&name);
            walk(root, &path, here, named, out);
        } else if inside {
            let rel = rel_path(root, &path);
            if !named.contains(&rel) {
                out.push(FoundFile {
                    rel,
                    path,
                    size: meta.len(),
                    hash: String::new(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_by_extension() {
        for (name, cat) in [
            ("Contract.PDF", "TEXT_DOCUMENT"),
            ("q3.xlsx", "SPREADSHEET"),
            ("logo.png", "IMAGE"),
            ("deck.pptx", "PRESENTATION"),
            ("backup.zip", "ARCHIVE"),
            ("call.mp3", "AUDIO"),
            ("demo.mov", "VIDEO"),
            ("00P5e00000AbCdEAAV", "OTHER"),
            ("archive.tar.gz", "ARCHIVE"),
        ] {
            assert_eq!(category(name), cat, "{name}");
        }
        assert_eq!(legacy_type("TEXT_DOCUMENT"), "TextDocument");
        assert_eq!(legacy_type("OTHER"), "Other");
        assert_eq!(mime_type("a.PDF"), "application/pdf");
        assert_eq!(mime_type("00P5e00000AbCdEAAV"), "application/octet-stream");
    }

    #[test]
    fn attachment_folders() {
        assert!(in_attachment_folder("Attachments/00P5e00000AbCdE"));
        assert!(in_attachment_folder("export/ContentVersion/068x.csv"));
        assert!(in_attachment_folder("files/q3.xlsx"));
        assert!(!in_attachment_folder("Account.csv"));
        assert!(!in_attachment_folder("attachments.csv"));
        assert_eq!(
            from_attachment_folder("WE_1/Attachments/00P1").as_deref(),
            Some("Attachments/00P1")
        );
        assert_eq!(
            from_attachment_folder("x\\ContentVersion\\068a").as_deref(),
            Some("ContentVersion/068a")
        );
        assert_eq!(from_attachment_folder("Account.csv"), None);
    }

    #[test]
    fn finds_files_and_says_why_not() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("Attachments")).unwrap();
        std::fs::write(tmp.path().join("Attachments/00P1"), b"hello").unwrap();
        let f = find(tmp.path(), "Attachments/00P1").unwrap();
        assert_eq!(f.size, 5);
        assert!(
            find(tmp.path(), "Attachments/00P2")
                .unwrap_err()
                .contains("not in the export")
        );
        assert!(
            find(tmp.path(), "Attachments")
                .unwrap_err()
                .contains("folder")
        );
        assert!(
            find(tmp.path(), "../etc/passwd")
                .unwrap_err()
                .contains("inside")
        );
        assert!(
            find(tmp.path(), "/etc/passwd")
                .unwrap_err()
                .contains("inside")
        );
        assert_eq!(
            content_hash(&f.path).unwrap(),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(bytes_hash(b"hello"), content_hash(&f.path).unwrap());
        std::fs::write(tmp.path().join("Attachments/stray.pdf"), b"x").unwrap();
        std::fs::write(tmp.path().join("Account.csv"), b"Id\n").unwrap();
        let named: BTreeSet<String> = ["Attachments/00P1".to_string()].into();
        let left: Vec<String> = unnamed_files(tmp.path(), &named)
            .into_iter()
            .map(|f| f.rel)
            .collect();
        assert_eq!(left, ["Attachments/stray.pdf"]);
    }
}
