//! `multipart/form-data` GraphQL requests (the graphql-multipart-request-spec), read as Twenty
//! reads them: `graphqlUploadExpress({ maxFieldSize: bytes('10MB'), maxFiles: 10 })` in front of
//! `/graphql` and `/metadata` (2.19 `main.ts:94-108`, 1.5 `main.ts:58-73`), i.e. `graphql-upload`
//! 16.0.2 (2.19) / 13.0.0 (1.5) over `busboy`. Evidence: `docs/evidence/twenty-attachments.md`
//! §1.2 and §1.5.
//!
//! Parts come in order: `operations` (the GraphQL request, JSON, `variables.file` null), `map`
//! (`{"0": ["variables.file"]}`), then the files. Each map entry puts an upload in the operations
//! at its path; the sandbox writes `{"$sandboxUpload": "<key>"}` there ([`UPLOAD_MARKER`]) and
//! keeps the file (or the reason it is missing) under the key, for the resolver to take.
//!
//! What `processRequest` refuses, with its texts, happens before authentication (the middleware
//! runs first): a field over 10 485 760 bytes → 413 "The ‘operations’ multipart field value
//! exceeds the 10485760 byte size limit."; more than 10 map entries → 413 "10 max file uploads
//! exceeded."; invalid JSON / type / misordered / missing `operations` or `map` → 400. No limit on
//! a file's size (`maxFileSize` is not passed: Infinity). Busboy's rules kept: a part is a file
//! when it has a non-empty `filename` (or `filename*`) or the type `application/octet-stream`;
//! the file name loses any directory (`preservePath: false`); a file part without
//! `Content-Type` is `text/plain`; only the first 2 fields are read (`fields: 2`).
//!
//! **Guessed (NOT CONFIRMED, evidence §1.5 and "Not confirmed" 3):** the body of those errors.
//! `graphqlUploadExpress` passes the `http-errors` error to Express (`next(error)`), whose final
//! handler answers an HTML page; the sandbox sends that page with `<name>: <message>` in its
//! `<pre>` (the first line of the stack Express shows outside production). A body that is not
//! well-formed multipart (no boundary, unterminated) is a plain `Error` for Express: 500.

use std::collections::HashMap;

use bytes::Bytes;
use serde_json::{Map, Value};

/// `maxFieldSize`: `bytes('10MB')` (both lines).
pub const MAX_FIELD_SIZE: usize = 10_485_760;
/// `maxFiles`.
pub const MAX_FILES: usize = 10;
/// Key of the object that stands for an upload in the operations.
pub const UPLOAD_MARKER: &str = "$sandboxUpload";

const SPEC_URL: &str = "https://github.com/jaydenseric/graphql-multipart-request-spec";

/// One uploaded file, as `graphql-upload` hands it to a resolver.
#[derive(Debug, Clone)]
pub struct UploadPart {
    /// The part's file name, directories removed; `None` for a file part without one (an
    /// `application/octet-stream` part).
    pub filename: Option<String>,
    /// The part's `Content-Type` (type/subtype, lower case), `text/plain` when absent.
    pub mimetype: String,
    /// The bytes.
    pub data: Bytes,
}

/// A processed multipart request: the operations with upload markers, and each map key's file or
/// the error the resolver meets when it reads it.
#[derive(Debug, Default)]
pub struct Uploads {
    /// Map key → the file, or the message of the error that took its place.
    pub files: HashMap<String, Result<UploadPart, String>>,
}

impl Uploads {
    /// The upload an argument value stands for: `None` when the value is not an upload marker.
    pub fn get(&self, value: &Value) -> Option<Result<&UploadPart, String>> {
        let key = value.get(UPLOAD_MARKER)?.as_str()?;
        Some(match self.files.get(key) {
            Some(Ok(part)) => Ok(part),
            Some(Err(e)) => Err(e.clone()),
            None => Err("File missing in the request.".into()),
        })
    }
}

/// A refusal of the upload middleware: the status and the `http-errors` name and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultipartError {
    /// HTTP status.
    pub status: u16,
    /// Error class name (`PayloadTooLargeError`, `BadRequestError`, `Error`).
    pub name: &'static str,
    /// Message.
    pub message: String,
}

impl MultipartError {
    fn bad(message: String) -> Self {
        MultipartError {
            status: 400,
            name: "BadRequestError",
            message,
        }
    }

    fn too_large(message: String) -> Self {
        MultipartError {
            status: 413,
            name: "PayloadTooLargeError",
            message,
        }
    }

    fn busboy(message: &str) -> Self {
        MultipartError {
            status: 500,
            name: "Error",
            message: message.into(),
        }
    }

    /// The page Express's final handler sends (guessed, see the module doc).
    pub fn html(&self) -> String {
        let text = format!("{}: {}", self.name, self.message)
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;");
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>{text}</pre>\n</body>\n</html>\n"
        )
    }
}

/// Whether a `Content-Type` is `multipart/form-data` (what `request.is("multipart/form-data")`
/// checks before `graphql-upload` takes the request).
pub fn is_multipart(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("multipart/form-data"))
    })
}

/// Splits `; key=value` parameters (values as tokens or quoted strings with `\` escapes).
fn params(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && (chars[i] == ';' || chars[i].is_whitespace()) {
            i += 1;
        }
        let start = i;
        while i < chars.len() && chars[i] != '=' && chars[i] != ';' {
            i += 1;
        }
        let key: String = chars[start..i]
            .iter()
            .collect::<String>()
            .trim()
            .to_lowercase();
        if i >= chars.len() || chars[i] == ';' {
            continue;
        }
        i += 1; // '='
        let mut value = String::new();
        if i < chars.len() && chars[i] == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                }
                value.push(chars[i]);
                i += 1;
            }
            i += 1;
        } else {
            while i < chars.len() && chars[i] != ';' {
                value.push(chars[i]);
                i += 1;
            }
            value = value.trim().to_string();
        }
        if !key.is_empty() {
            out.push((key, value));
        }
    }
    out
}

/// The `boundary` parameter of a multipart `Content-Type`.
pub fn boundary(content_type: &str) -> Option<String> {
    let (_, rest) = content_type.split_once(';')?;
    params(rest)
        .into_iter()
        .find(|(k, _)| k == "boundary")
        .map(|(_, v)| v)
        .filter(|b| !b.is_empty())
}

/// RFC 5987 `charset'lang'%xx` (busboy decodes `filename*` this way).
fn ext_value(v: &str) -> String {
    let mut parts = v.splitn(3, '\'');
    let (charset, _lang, encoded) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(v),
    );
    let mut bytes = Vec::new();
    let raw = encoded.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%'
            && i + 3 <= raw.len()
            && let Some(b) = std::str::from_utf8(&raw[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            bytes.push(b);
            i += 3;
            continue;
        }
        bytes.push(raw[i]);
        i += 1;
    }
    if charset.eq_ignore_ascii_case("iso-8859-1") || charset.eq_ignore_ascii_case("latin1") {
        bytes.iter().map(|&b| char::from(b)).collect()
    } else {
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// busboy's `basename`: what follows the last `/` or `\`; `.` and `..` become empty.
fn basename(path: &str) -> String {
    let base = path.rsplit(['/', '\\']).next().unwrap_or("");
    if base == "." || base == ".." {
        String::new()
    } else {
        base.to_string()
    }
}

/// One part of the body.
struct Part<'a> {
    name: Option<String>,
    /// `Some` for a file part (the name may be `None`).
    file: Option<Option<String>>,
    mimetype: String,
    data: &'a [u8],
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > hay.len() || needle.is_empty() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Splits the body into parts (busboy's reading of `multipart/form-data`).
fn parts<'a>(boundary: &str, body: &'a [u8]) -> Result<Vec<Part<'a>>, MultipartError> {
    let delim = format!("--{boundary}").into_bytes();
    let mut sep = b"\r\n".to_vec();
    sep.extend_from_slice(&delim);
    let mut pos = if body.starts_with(&delim) {
        delim.len()
    } else {
        find(body, &sep, 0).ok_or_else(|| MultipartError::busboy("Unexpected end of form"))?
            + sep.len()
    };
    let mut out = Vec::new();
    loop {
        if body[pos..].starts_with(b"--") {
            return Ok(out);
        }
        while body.get(pos).is_some_and(|b| *b == b' ' || *b == b'\t') {
            pos += 1;
        }
        if !body[pos..].starts_with(b"\r\n") {
            return Err(MultipartError::busboy("Unexpected end of form"));
        }
        pos += 2;
        let (head, data_start) = if body[pos..].starts_with(b"\r\n") {
            ("", pos + 2)
        } else {
            let end = find(body, b"\r\n\r\n", pos)
                .ok_or_else(|| MultipartError::busboy("Unexpected end of form"))?;
            (
                std::str::from_utf8(&body[pos..end])
                    .map_err(|_| MultipartError::busboy("Malformed part header"))?,
                end + 4,
            )
        };
        let data_end = find(body, &sep, data_start)
            .ok_or_else(|| MultipartError::busboy("Unexpected end of form"))?;
        let mut part = Part {
            name: None,
            file: None,
            mimetype: "text/plain".into(),
            data: &body[data_start..data_end],
        };
        let mut form_data = true;
        for line in head.split("\r\n") {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            match key.trim().to_lowercase().as_str() {
                "content-disposition" => {
                    let (kind, rest) = value.split_once(';').unwrap_or((value, ""));
                    if !kind.trim().eq_ignore_ascii_case("form-data") {
                        form_data = false;
                    }
                    let ps = params(rest);
                    let get = |k: &str| ps.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
                    part.name = get("name").filter(|n| !n.is_empty());
                    let filename = match get("filename*") {
                        Some(v) => Some(ext_value(&v)),
                        None => get("filename").filter(|f| !f.is_empty()),
                    };
                    if let Some(f) = filename {
                        part.file = Some(Some(basename(&f)));
                    }
                }
                "content-type" => {
                    let t = value.split(';').next().unwrap_or("").trim().to_lowercase();
                    if t.split_once('/')
                        .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
                    {
                        part.mimetype = t;
                    }
                }
                _ => {}
            }
        }
        if part.file.is_none() && part.mimetype == "application/octet-stream" {
            part.file = Some(None);
        }
        if form_data {
            out.push(part);
        }
        pos = data_end + sep.len();
    }
}

/// `object-path`'s `set(operations, path, marker)`.
fn set_path(root: &mut Value, path: &str, marker: Value) -> Result<(), ()> {
    let keys: Vec<&str> = path.split('.').collect();
    let mut cur = root;
    for (i, key) in keys.iter().enumerate() {
        let last = i + 1 == keys.len();
        let next_is_index = keys
            .get(i + 1)
            .is_some_and(|k| k.parse::<usize>().map(|n| n.to_string()) == Ok((*k).to_string()));
        let fresh = || {
            if next_is_index {
                Value::Array(Vec::new())
            } else {
                Value::Object(Map::new())
            }
        };
        cur = match cur {
            Value::Object(m) => {
                if last {
                    m.insert((*key).to_string(), marker);
                    return Ok(());
                }
                let entry = m.entry((*key).to_string()).or_insert_with(fresh);
                if entry.is_null() {
                    *entry = fresh();
                }
                entry
            }
            Value::Array(a) => {
                let index: usize = key.parse().map_err(|_| ())?;
                if a.len() <= index {
                    a.resize(index + 1, Value::Null);
                }
                if last {
                    a[index] = marker;
                    return Ok(());
                }
                if a[index].is_null() {
                    a[index] = fresh();
                }
                &mut a[index]
            }
            _ => return Err(()),
        };
    }
    Err(())
}

/// `processRequest`: the operations (with upload markers) and the uploads, or the middleware's
/// refusal.
pub fn process(content_type: &str, body: &[u8]) -> Result<(Value, Uploads), MultipartError> {
    let boundary = boundary(content_type)
        .ok_or_else(|| MultipartError::busboy("Multipart: Boundary not found"))?;
    let parts = parts(&boundary, body)?;
    let mut operations: Option<Value> = None;
    let mut keys: Option<Vec<String>> = None;
    let mut uploads = Uploads::default();
    let mut fields = 0usize;
    let mut files = 0usize;
    // An error once the map is read no longer refuses the request (GraphQL already runs): the
    // uploads still awaited fail with it.
    let mut late_error: Option<String> = None;
    for part in parts {
        if late_error.is_some() {
            break;
        }
        if let Some(filename) = part.file {
            let Some(expected) = &keys else {
                return Err(MultipartError::bad(format!(
                    "Misordered multipart fields; files should follow ‘map’ ({SPEC_URL})."
                )));
            };
            files += 1;
            if files > MAX_FILES {
                late_error = Some(format!("{MAX_FILES} max file uploads exceeded."));
                continue;
            }
            let Some(name) = part.name.filter(|n| expected.contains(n)) else {
                continue; // extraneous file: ignored
            };
            uploads.files.entry(name).or_insert(Ok(UploadPart {
                filename,
                mimetype: part.mimetype,
                data: Bytes::copy_from_slice(part.data),
            }));
            continue;
        }
        fields += 1;
        if fields > 2 {
            continue; // busboy's `fields: 2` limit: later fields are dropped
        }
        let name = part.name.unwrap_or_default();
        if part.data.len() > MAX_FIELD_SIZE {
            let e = format!(
                "The ‘{name}’ multipart field value exceeds the {MAX_FIELD_SIZE} byte size limit."
            );
            if keys.is_some() {
                late_error = Some(e);
                continue;
            }
            return Err(MultipartError::too_large(e));
        }
        match name.as_str() {
            "operations" => {
                let parsed: Value = serde_json::from_slice(part.data).map_err(|_| {
                    MultipartError::bad(format!(
                        "Invalid JSON in the ‘operations’ multipart field ({SPEC_URL})."
                    ))
                })?;
                if !(parsed.is_object() || parsed.is_array()) {
                    return Err(MultipartError::bad(format!(
                        "Invalid type for the ‘operations’ multipart field ({SPEC_URL})."
                    )));
                }
                operations = Some(parsed);
            }
            "map" => {
                let Some(ops) = operations.as_mut() else {
                    return Err(MultipartError::bad(format!(
                        "Misordered multipart fields; ‘map’ should follow ‘operations’ ({SPEC_URL})."
                    )));
                };
                let parsed: Value = serde_json::from_slice(part.data).map_err(|_| {
                    MultipartError::bad(format!(
                        "Invalid JSON in the ‘map’ multipart field ({SPEC_URL})."
                    ))
                })?;
                let Value::Object(entries) = parsed else {
                    return Err(MultipartError::bad(format!(
                        "Invalid type for the ‘map’ multipart field ({SPEC_URL})."
                    )));
                };
                if entries.len() > MAX_FILES {
                    return Err(MultipartError::too_large(format!(
                        "{MAX_FILES} max file uploads exceeded."
                    )));
                }
                let mut names = Vec::new();
                for (key, paths) in entries {
                    let Value::Array(paths) = paths else {
                        return Err(MultipartError::bad(format!(
                            "Invalid type for the ‘map’ multipart field entry key ‘{key}’ array ({SPEC_URL})."
                        )));
                    };
                    for (index, path) in paths.iter().enumerate() {
                        let Some(path) = path.as_str() else {
                            return Err(MultipartError::bad(format!(
                                "Invalid type for the ‘map’ multipart field entry key ‘{key}’ array index ‘{index}’ value ({SPEC_URL})."
                            )));
                        };
                        let mut marker = Map::new();
                        marker.insert(UPLOAD_MARKER.into(), Value::String(key.clone()));
                        set_path(ops, path, Value::Object(marker)).map_err(|()| {
                            MultipartError::bad(format!(
                                "Invalid object path for the ‘map’ multipart field entry key ‘{key}’ array index ‘{index}’ value ‘{path}’ ({SPEC_URL})."
                            ))
                        })?;
                    }
                    names.push(key);
                }
                keys = Some(names);
            }
            _ => {}
        }
    }
    let Some(operations) = operations else {
        return Err(MultipartError::bad(format!(
            "Missing multipart field ‘operations’ ({SPEC_URL})."
        )));
    };
    let Some(keys) = keys else {
        return Err(MultipartError::bad(format!(
            "Missing multipart field ‘map’ ({SPEC_URL})."
        )));
    };
    for key in keys {
        let missing = late_error
            .clone()
            .unwrap_or_else(|| "File missing in the request.".into());
        uploads.files.entry(key).or_insert(Err(missing));
    }
    Ok((operations, uploads))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The byte-exact 2.19 example of the evidence ("Example requests").
    const EXAMPLE: &str = "------TwentyBoundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{\"query\":\"mutation UploadFilesFieldFile($file: Upload!, $fieldMetadataId: String!) { uploadFilesFieldFile(file: $file, fieldMetadataId: $fieldMetadataId) { id path size createdAt url } }\",\"variables\":{\"file\":null,\"fieldMetadataId\":\"6b398733-8c5d-41bd-98bd-7b17bf8705e3\"}}\r\n------TwentyBoundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{\"0\":[\"variables.file\"]}\r\n------TwentyBoundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name=\"0\"; filename=\"hello.txt\"\r\nContent-Type: text/plain\r\n\r\nHello Twenty\n\r\n------TwentyBoundary7MA4YWxkTrZu0gW--\r\n";
    const CT: &str = "multipart/form-data; boundary=----TwentyBoundary7MA4YWxkTrZu0gW";

    #[test]
    fn reads_the_evidence_example() {
        assert_eq!(EXAMPLE.len(), 655);
        let (ops, uploads) = process(CT, EXAMPLE.as_bytes()).unwrap();
        assert_eq!(ops["variables"]["file"], json!({UPLOAD_MARKER: "0"}));
        let part = uploads.get(&ops["variables"]["file"]).unwrap().unwrap();
        assert_eq!(part.filename.as_deref(), Some("hello.txt"));
        assert_eq!(part.mimetype, "text/plain");
        assert_eq!(&part.data[..], b"Hello Twenty\n");
    }

    #[test]
    fn refuses_like_graphql_upload() {
        let b = "--b\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{}\r\n--b--\r\n";
        let e = process("multipart/form-data; boundary=b", b.as_bytes()).unwrap_err();
        assert_eq!(e.status, 400);
        assert!(
            e.message
                .starts_with("Misordered multipart fields; ‘map’ should follow ‘operations’")
        );
        let b = "--b\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{}\r\n--b--\r\n";
        let e = process("multipart/form-data; boundary=b", b.as_bytes()).unwrap_err();
        assert!(e.message.starts_with("Missing multipart field ‘map’"));
        let e = process("multipart/form-data", b.as_bytes()).unwrap_err();
        assert_eq!(e.status, 500);
    }

    #[test]
    fn file_names_and_types_as_busboy_gives_them() {
        let b = "--b\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{\"variables\":{}}\r\n--b\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{\"0\":[\"variables.file\"],\"1\":[\"variables.other\"]}\r\n--b\r\nContent-Disposition: form-data; name=\"0\"; filename=\"C:\\\\docs\\\\a.pdf\"\r\n\r\n%PDF\r\n--b--";
        let (ops, uploads) = process("multipart/form-data; boundary=\"b\"", b.as_bytes()).unwrap();
        let part = uploads.get(&ops["variables"]["file"]).unwrap().unwrap();
        assert_eq!(part.filename.as_deref(), Some("a.pdf"));
        assert_eq!(part.mimetype, "text/plain");
        assert_eq!(
            uploads
                .get(&ops["variables"]["other"])
                .unwrap()
                .unwrap_err(),
            "File missing in the request."
        );
        assert_eq!(ext_value("utf-8''%E2%82%AC.pdf"), "€.pdf");
    }
}
