//! File uploads and attachments, both lines, with multipart requests built by hand.
//!
//! Each test replays a section of `docs/evidence/twenty-attachments.md` (read from the sources of
//! the recorded servers: 2.19 `T3-Venture-Labs-Limited/myah-v4` 88cf2a02, 1.5 upstream `ee7aec7`).

use std::io::{Read, Write};

use serde_json::{Value, json};
use twenty_sandbox::{Config, ProfileKind, parse_rate};

use crate::common::{KEY, Sandbox, company, message, start, start_with};

/// `attachment.file`'s universal identifier (`standard-object.constant.ts:24`, evidence §1.1).
const FILE_UID: &str = "20202020-15db-460e-8166-c7b5d87ad4be";
const BOUNDARY: &str = "----TwentyBoundary7MA4YWxkTrZu0gW";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\0\x01\0\0\x05\0\x01\r\n-\xb4\0\0\0\0IEND\xaeB`\x82";
const JPEG: &[u8] = b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xff\xd9";

/// The 2.19 upload mutation, as the evidence's example and Twenty's front send it.
const UPLOAD_2X: &str = "mutation UploadFilesFieldFile($file: Upload!, $fieldMetadataId: String!) { uploadFilesFieldFile(file: $file, fieldMetadataId: $fieldMetadataId) { id path size createdAt url } }";
/// The 1.5 upload mutation (the 1.5 front's `uploadFile.ts`).
const UPLOAD_1_5: &str = "mutation uploadFile($file: Upload!, $fileFolder: FileFolder) { uploadFile(file: $file, fileFolder: $fileFolder) { path token } }";

/// A raw HTTP answer.
struct Raw {
    status: u16,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

impl Raw {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// One part of a hand-built multipart body: `(name, filename, content type, bytes)`.
type Part<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [u8]);

/// A `multipart/form-data` body, CRLF everywhere, parts in the order given.
fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, filename, content_type, data) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{name}\"");
        if let Some(f) = filename {
            disposition.push_str(&format!("; filename=\"{f}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(ct) = content_type {
            body.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// The three parts of a one-file GraphQL upload: `operations`, `map`, `0`.
fn upload_body(operations: &Value, filename: &str, content_type: &str, data: &[u8]) -> Vec<u8> {
    let ops = operations.to_string();
    multipart(&[
        ("operations", None, None, ops.as_bytes()),
        ("map", None, None, br#"{"0":["variables.file"]}"#),
        ("0", Some(filename), Some(content_type), data),
    ])
}

fn post_raw(sb: &Sandbox, path: &str, content_type: &str, body: Vec<u8>) -> Raw {
    let resp = sb
        .agent
        .post(format!("{}{path}", sb.handle.base_url()))
        .header("Authorization", format!("Bearer {KEY}"))
        .header("Content-Type", content_type)
        .send(&body[..])
        .expect("request");
    read(resp)
}

fn read(mut resp: ureq::http::Response<ureq::Body>) -> Raw {
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|h| h.to_str().ok())
        .map(String::from);
    let bytes = resp
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .unwrap_or_default();
    Raw {
        status,
        content_type,
        bytes,
    }
}

fn post_multipart(sb: &Sandbox, path: &str, body: Vec<u8>) -> Raw {
    post_raw(
        sb,
        path,
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        body,
    )
}

/// `GET` without the API key (downloads take a token, not the key).
fn get_url(sb: &Sandbox, url: &str) -> Raw {
    read(sb.agent.get(url).call().expect("download"))
}

/// `attachment.file`'s id as the metadata API reports it (what Twenty's front looks up,
/// `useUploadAttachmentFile.tsx:24-26`).
fn file_field_id(sb: &Sandbox) -> String {
    field_id(sb, "attachment", "file")
}

fn field_id(sb: &Sandbox, object: &str, field: &str) -> String {
    let objects = sb.get("/rest/metadata/objects").body;
    objects["data"]["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["nameSingular"] == object)
        .and_then(|o| {
            o["fields"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["name"] == field)
        })
        .and_then(|f| f["id"].as_str())
        .unwrap()
        .to_string()
}

/// Uploads `data` for `attachment.file` (2.19) and answers the whole GraphQL answer.
fn upload_2x_raw(sb: &Sandbox, filename: &str, content_type: &str, data: &[u8]) -> Raw {
    let ops = json!({"query": UPLOAD_2X, "variables": {"file": null, "fieldMetadataId": file_field_id(sb)}});
    post_multipart(
        sb,
        "/metadata",
        upload_body(&ops, filename, content_type, data),
    )
}

/// Uploads and answers `data.uploadFilesFieldFile`, asserting success.
fn upload_2x(sb: &Sandbox, filename: &str, content_type: &str, data: &[u8]) -> Value {
    let a = upload_2x_raw(sb, filename, content_type, data);
    assert_eq!(a.status, 200, "{}", a.text());
    let body = a.json();
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["uploadFilesFieldFile"].clone()
}

/// Uploads through 1.5's `uploadFile` and answers the whole GraphQL answer.
fn upload_1_5(sb: &Sandbox, folder: Value, filename: &str, data: &[u8]) -> Value {
    let ops = json!({"query": UPLOAD_1_5, "variables": {"file": null, "fileFolder": folder}});
    let a = post_multipart(
        sb,
        "/graphql",
        upload_body(&ops, filename, "text/plain", data),
    );
    assert_eq!(a.status, 200, "{}", a.text());
    a.json()
}

fn first_error(body: &Value) -> &Value {
    &body["errors"][0]
}

/// §1.1, §1.2, §1.4: the evidence's byte-exact request (655 bytes, `Content-Length`) answers
/// `{id, path, size, createdAt, url}`; the path is `files-field/<field uid>/<id>.txt`, the url
/// `<server>/file/files-field/<id>?token=…`, and the url serves the bytes (§3). The file is
/// temporary until attached, and counted as one upload request.
#[test]
fn upload_answers_a_file_with_a_signed_url_2x() {
    let sb = start(ProfileKind::Twenty2);
    let field = file_field_id(&sb);
    assert_eq!(field, "6b398733-8c5d-41bd-98bd-7b17bf8705e3");
    let body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{{\"query\":\"mutation UploadFilesFieldFile($file: Upload!, $fieldMetadataId: String!) {{ uploadFilesFieldFile(file: $file, fieldMetadataId: $fieldMetadataId) {{ id path size createdAt url }} }}\",\"variables\":{{\"file\":null,\"fieldMetadataId\":\"{field}\"}}}}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{{\"0\":[\"variables.file\"]}}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"hello.txt\"\r\nContent-Type: text/plain\r\n\r\nHello Twenty\n\r\n--{BOUNDARY}--\r\n"
    );
    assert_eq!(body.len(), 655);
    let a = post_multipart(&sb, "/metadata", body.into_bytes());
    assert_eq!(a.status, 200);
    let file = a.json()["data"]["uploadFilesFieldFile"].clone();
    let id = file["id"].as_str().unwrap().to_string();
    let keys: Vec<&String> = file.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "path", "size", "createdAt", "url"]);
    assert_eq!(file["path"], format!("files-field/{FILE_UID}/{id}.txt"));
    assert_eq!(file["size"], 13);
    assert!(file["createdAt"].as_str().unwrap().ends_with('Z'));
    let url = file["url"].as_str().unwrap();
    let prefix = format!("{}/file/files-field/{id}?token=", sb.handle.base_url());
    assert!(url.starts_with(&prefix), "{url}");
    let got = get_url(&sb, url);
    assert_eq!(got.status, 200);
    assert_eq!(got.bytes, b"Hello Twenty\n");
    assert_eq!(got.content_type.as_deref(), Some("text/plain"));
    let stored = sb.handle.uploads();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id, id);
    assert_eq!(stored[0].key, id);
    assert_eq!(stored[0].bytes, b"Hello Twenty\n");
    assert_eq!(stored[0].filename.as_deref(), Some("hello.txt"));
    assert_eq!(stored[0].size, 13);
    assert_eq!(stored[0].attached_to, None);
    assert_eq!(
        stored[0].sha256,
        "5f839edb5da7b2686c985f94322fa5349c5b5443f9b7c809800bae781214906a"
    );
    assert_eq!(sb.handle.file_bytes(&id).unwrap(), b"Hello Twenty\n");
    assert_eq!(sb.handle.upload_requests(), 1);
    assert_eq!(sb.stats()["upload_requests"], 1);
    assert_eq!(sb.stats()["files"], 1);
    let listed = get_url(&sb, &format!("{}/sandbox/files", sb.handle.base_url())).json();
    assert_eq!(listed[0]["id"], id);
    assert_eq!(listed[0]["attachedTo"], Value::Null);
}

/// §1.1: `uploadFilesFieldFileByUniversalIdentifier` takes the field's fixed universal identifier
/// instead of the workspace's field id; a body sent chunked (no `Content-Length`) is read too.
#[test]
fn upload_by_universal_identifier_and_chunked_2x() {
    let sb = start(ProfileKind::Twenty2);
    let ops = json!({
        "query": "mutation($file: Upload!) { up: uploadFilesFieldFileByUniversalIdentifier(file: $file, fieldMetadataUniversalIdentifier: \"20202020-15db-460e-8166-c7b5d87ad4be\") { id path } }",
        "variables": {"file": null},
    });
    let body = upload_body(&ops, "a.pdf", "application/pdf", PDF);
    // Chunked transfer encoding, by hand.
    let addr = sb.handle.addr();
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let mut request = format!(
        "POST /metadata HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {KEY}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.chunks(100) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    stream.write_all(&request).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let json_start = answer.find("{\"data\"").expect("a JSON answer");
    let json_end = answer.rfind('}').unwrap();
    let v: Value = serde_json::from_str(&answer[json_start..=json_end]).unwrap();
    let id = v["data"]["up"]["id"].as_str().unwrap();
    assert_eq!(
        v["data"]["up"],
        json!({"id": id, "path": format!("files-field/{FILE_UID}/{id}.pdf")})
    );
}

/// §2.2, §2.3, §2.4, §3: an attachment record names the upload in `file: [{fileId, label}]`
/// (REST single, REST batch, GraphQL); answers and reads give `{fileId, label, extension, url}`
/// with a fresh url that serves the bytes; `fileCategory` defaults to `OTHER`; the upload is
/// attached to its record.
#[test]
fn attach_and_read_back_2x() {
    let sb = start(ProfileKind::Twenty2);
    let acme = sb.create("companies", json!([company("Acme", "acme.com")]));
    let acme_id = acme[0]["id"].as_str().unwrap();
    let pdf = upload_2x(&sb, "Contract.pdf", "application/pdf", PDF);
    let pdf_id = pdf["id"].as_str().unwrap();

    // REST batch.
    let created = sb.create(
        "attachments",
        json!([{"name": "Contract.pdf", "file": [{"fileId": pdf_id, "label": "Contract.pdf"}],
                "fileCategory": "TEXT_DOCUMENT", "targetCompanyId": acme_id}]),
    );
    let rec = &created[0];
    let item = &rec["file"][0];
    assert_eq!(item["fileId"], pdf_id);
    assert_eq!(item["label"], "Contract.pdf");
    assert_eq!(item["extension"], ".pdf");
    let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["fileId", "label", "extension", "url"]);
    assert_eq!(rec["fileCategory"], "TEXT_DOCUMENT");
    assert_eq!(rec["targetCompanyId"], acme_id);
    let rec_id = rec["id"].as_str().unwrap();

    // REST read: a url of its own, serving the bytes with the recognised type.
    let read = sb.get(&format!("/rest/attachments/{rec_id}"));
    let url = read.body["data"]["attachment"]["file"][0]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let got = get_url(&sb, &url);
    assert_eq!(got.status, 200);
    assert_eq!(got.bytes, PDF);
    assert_eq!(got.content_type.as_deref(), Some("application/pdf"));

    // REST single, no category: OTHER.
    let png = upload_2x(&sb, "logo.png", "image/png", PNG);
    let single = sb.post(
        "/rest/attachments",
        json!({"name": "logo.png", "file": [{"fileId": png["id"], "label": "logo.png"}],
               "targetCompanyId": acme_id}),
    );
    assert_eq!(single.status, 201, "{}", single.body);
    assert_eq!(
        single.body["data"]["createAttachment"]["fileCategory"],
        "OTHER"
    );
    assert_eq!(
        single.body["data"]["createAttachment"]["file"][0]["extension"],
        ".png"
    );

    // GraphQL create and list (the evidence's GraphQL equivalent).
    let jpg = upload_2x(&sb, "photo.jpeg", "image/jpeg", JPEG);
    let gql = sb.post(
        "/graphql",
        json!({"query": "mutation($data:[AttachmentCreateInput!]!){createAttachments(data:$data){id name fileCategory file{fileId label extension url} targetCompanyId}}",
               "variables": {"data": [{"name": "photo.jpeg", "file": [{"fileId": jpg["id"], "label": "photo.jpeg"}],
                                        "fileCategory": "IMAGE", "targetCompanyId": acme_id}]}}),
    );
    let made = &gql.body["data"]["createAttachments"][0];
    assert_eq!(made["fileCategory"], "IMAGE", "{}", gql.body);
    // JPEG bytes are stored as `.jpg` whatever the name says (§1.6: the sniffed type wins).
    assert_eq!(made["file"][0]["extension"], ".jpg");
    assert!(
        made["file"][0]["url"]
            .as_str()
            .unwrap()
            .contains("/file/files-field/")
    );
    let listed = sb.post(
        "/graphql",
        json!({"query": "{ attachments { edges { node { id file { fileId extension url } } } } }"}),
    );
    assert_eq!(
        listed.body["data"]["attachments"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        3,
        "{}",
        listed.body
    );
    let bare = sb.post(
        "/graphql",
        json!({"query": "{ attachments { edges { node { file } } } }"}),
    );
    assert_eq!(
        first_error(&bare.body)["message"],
        "Field \"file\" of type \"[FileObject]\" must have a selection of subfields. Did you mean \"file { ... }\"?"
    );

    // Every upload is attached to its record.
    let uploads = sb.handle.uploads();
    assert_eq!(uploads.len(), 3);
    assert!(uploads.iter().all(|f| f.attached_to.is_some()));
    let by_pdf = uploads.iter().find(|f| f.id == pdf_id).unwrap();
    assert_eq!(by_pdf.attached_to.as_deref(), Some(rec_id));
    assert_eq!(by_pdf.mime_type, "application/pdf");
}

/// §2.2 (`files-field-sync.ts`): a file added must exist (`File not found: <id>`), have been
/// uploaded for that field (`File <id> was not uploaded for this field`), and still be temporary:
/// each upload is attached once (`File <id> is already associated with a permanent files field`).
/// REST answers 400 `BadRequestException`, GraphQL `BAD_USER_INPUT`.
#[test]
fn an_upload_is_attached_once_2x() {
    let sb = start(ProfileKind::Twenty2);
    let file = upload_2x(&sb, "a.txt", "text/plain", b"one");
    let id = file["id"].as_str().unwrap();
    sb.create(
        "attachments",
        json!([{"name": "a.txt", "file": [{"fileId": id, "label": "a.txt"}]}]),
    );
    let again = sb.post(
        "/rest/batch/attachments",
        json!([{"name": "again", "file": [{"fileId": id, "label": "a.txt"}]}]),
    );
    assert_eq!(again.status, 400);
    assert_eq!(
        again.body,
        json!({"statusCode": 400, "error": "BadRequestException",
               "messages": [format!("File {id} is already associated with a permanent files field")]})
    );
    let gql = sb.post(
        "/graphql",
        json!({"query": "mutation($d:[AttachmentCreateInput!]!){createAttachments(data:$d){id}}",
               "variables": {"d": [{"name": "again", "file": [{"fileId": id, "label": "x"}]}]}}),
    );
    assert_eq!(
        first_error(&gql.body)["extensions"]["code"],
        "BAD_USER_INPUT"
    );

    let unknown = "0b6b3c2e-1f0a-4c1b-9a55-3e1f2d3c4b5a";
    let missing = sb.post(
        "/rest/attachments",
        json!({"name": "x", "file": [{"fileId": unknown, "label": "x"}]}),
    );
    assert_eq!(missing.status, 400);
    assert_eq!(message(&missing.body), format!("File not found: {unknown}"));

    // Uploaded for another field (the upload itself does not check the field's type).
    let name_field = field_id(&sb, "attachment", "name");
    let ops =
        json!({"query": UPLOAD_2X, "variables": {"file": null, "fieldMetadataId": name_field}});
    let other = post_multipart(
        &sb,
        "/metadata",
        upload_body(&ops, "b.txt", "text/plain", b"two"),
    )
    .json();
    let other_id = other["data"]["uploadFilesFieldFile"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        other["data"]["uploadFilesFieldFile"]["path"]
            .as_str()
            .unwrap()
            .starts_with("files-field/20202020-87a5-48f8-bbf7-ade388825a57/")
    );
    let wrong = sb.post(
        "/rest/attachments",
        json!({"name": "x", "file": [{"fileId": other_id, "label": "x"}]}),
    );
    assert_eq!(
        message(&wrong.body),
        format!("File {other_id} was not uploaded for this field")
    );
    // Nothing was written by the refused requests.
    assert_eq!(
        sb.get("/rest/attachments").body["data"]["attachments"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// §2.2 (`validate-files-field-or-throw.util.ts`): `null` is allowed; otherwise an array of
/// strict `{fileId: uuid v4, label: string}` (zod's messages, the value shown by Node's
/// `inspect`), at most `maxNumberOfValues` (1) items.
#[test]
fn bad_file_values_are_refused_2x() {
    let sb = start(ProfileKind::Twenty2);
    let file = upload_2x(&sb, "a.txt", "text/plain", b"one");
    let id = file["id"].as_str().unwrap();
    let refused = |value: Value| {
        let a = sb.post("/rest/attachments", json!({"name": "x", "file": value}));
        assert_eq!(a.status, 400, "{}", a.body);
        message(&a.body)
    };
    assert_eq!(
        refused(json!([{"fileId": id, "label": "a.txt", "extension": ".txt"}])),
        // Node's `inspect` breaks lines past 80 columns.
        format!(
            "Invalid value \"[\n  {{\n    fileId: '{id}',\n    label: 'a.txt',\n    extension: '.txt'\n  }}\n]\" for FILES field \"file\" - 0: Unrecognized key: \"extension\""
        )
    );
    assert_eq!(
        refused(json!({"fileId": id, "label": "a.txt"})),
        format!(
            "Invalid value \"{{ fileId: '{id}', label: 'a.txt' }}\" for FILES field \"file\" - : Invalid input: expected array, received object"
        )
    );
    assert_eq!(
        refused(json!([{"fileId": "not-a-uuid"}])),
        "Invalid value \"[ { fileId: 'not-a-uuid' } ]\" for FILES field \"file\" - 0.fileId: Invalid UUID, 0.label: Invalid input: expected string, received undefined"
    );
    assert_eq!(
        refused(json!([{"fileId": id, "label": "a"}, {"fileId": id, "label": "b"}])),
        "Max number of files is 1 for field \"file\""
    );
    let null = sb.post(
        "/rest/attachments",
        json!({"name": "no file", "file": null}),
    );
    assert_eq!(null.status, 201);
    assert_eq!(null.body["data"]["createAttachment"]["file"], Value::Null);
    // The file is still temporary: the refusals attached nothing.
    let ok = sb.post(
        "/rest/attachments",
        json!({"name": "x", "file": [{"fileId": id, "label": "a.txt"}]}),
    );
    assert_eq!(ok.status, 201, "{}", ok.body);
}

/// §1.6 (`validate-file-path.util.ts`): a name without an extension whose bytes are not
/// recognised is refused with "Filename must have an extension" — as a live 2.19 answers it:
/// `INTERNAL_SERVER_ERROR`, "Access denied.", no `subCode`, no `path`
/// (`docs/evidence/live-2x/upload-no-extension-unknown-bytes.json`); recognised bytes give the
/// extension (a PDF named `scan` is stored as `.pdf`).
#[test]
fn a_name_without_extension_is_refused_2x() {
    let sb = start(ProfileKind::Twenty2);
    let a = upload_2x_raw(&sb, "README", "text/plain", b"plain words");
    assert_eq!(a.status, 200);
    let body = a.json();
    assert_eq!(body["data"], Value::Null);
    assert_eq!(
        first_error(&body),
        &json!({"message": "Filename must have an extension",
                "extensions": {"code": "INTERNAL_SERVER_ERROR", "userFriendlyMessage": "Access denied."}})
    );
    let scan = upload_2x(&sb, "scan", "application/octet-stream", PDF);
    assert!(scan["path"].as_str().unwrap().ends_with(".pdf"));
    assert_eq!(sb.handle.uploads().len(), 1);
}

/// §1.6 (`extract-file-info-or-throw.utils.ts`): an extension whose type `file-type` can
/// recognise, on bytes it does not recognise, is refused — `INTERNAL_SERVER_ERROR` with the
/// user-friendly message, as a live 2.19 answers it
/// (`docs/evidence/live-2x/upload-pdf-name-text-bytes.json`);
/// mrmime has no `docx`, so such a name is never refused; recognised bytes win over the name.
#[test]
fn a_mismatching_extension_is_refused_2x() {
    let sb = start(ProfileKind::Twenty2);
    for (name, mime) in [
        ("fake.pdf", "application/pdf"),
        ("fake.png", "image/png"),
        ("fake.jpg", "image/jpeg"),
        ("fake.gif", "image/gif"),
        ("fake.zip", "application/zip"),
    ] {
        let ext = name.rsplit('.').next().unwrap();
        let body = upload_2x_raw(&sb, name, mime, b"this is plain text").json();
        assert_eq!(body["data"], Value::Null);
        assert_eq!(
            first_error(&body),
            &json!({
                "message": format!("File content does not match its extension. The file has extension '{ext}' (expected mime type: {mime}), but the file content could not be detected as this type. The file may be corrupted, have the wrong extension, or be a security risk."),
                "extensions": {"code": "INTERNAL_SERVER_ERROR",
                               "userFriendlyMessage": "The file extension doesn't match the file content. Please check that your file is not corrupted and has the correct extension."}
            })
        );
    }
    assert!(sb.handle.uploads().is_empty());
    let docx = upload_2x(&sb, "notes.docx", "application/octet-stream", b"not a zip");
    assert!(docx["path"].as_str().unwrap().ends_with(".docx"));
    let jpeg_named_png = upload_2x(&sb, "photo.png", "image/png", JPEG);
    assert!(jpeg_named_png["path"].as_str().unwrap().ends_with(".jpg"));
    let stored = sb.handle.uploads();
    assert_eq!(stored[0].mime_type, "application/octet-stream");
    assert_eq!(stored[1].mime_type, "image/jpeg");
    assert_eq!(stored[1].content_type, "image/png");
}

/// §1.5 and §1.2 (`graphql-upload` 16 `processRequest`): an `operations` field over 10 485 760
/// bytes → 413, more than 10 map entries → 413, `map` before `operations` → 400, all before the
/// API key is looked at; a mapped file that never comes fails in the resolver.
#[test]
fn the_upload_middleware_refuses_like_graphql_upload() {
    let sb = start(ProfileKind::Twenty2);
    let huge = format!(
        "{{\"query\":\"{UPLOAD_2X}\",\"variables\":{{\"file\":null,\"pad\":\"{}\"}}}}",
        "x".repeat(10_485_760)
    );
    let a = post_multipart(
        &sb,
        "/metadata",
        multipart(&[("operations", None, None, huge.as_bytes())]),
    );
    assert_eq!(a.status, 413);
    assert!(
        a.text().contains(
            "The ‘operations’ multipart field value exceeds the 10485760 byte size limit."
        ),
        "{}",
        a.text()
    );
    let map: Value = (0..11)
        .map(|i| (i.to_string(), json!([format!("variables.f{i}")])))
        .collect::<serde_json::Map<_, _>>()
        .into();
    let map = map.to_string();
    let a = post_multipart(
        &sb,
        "/metadata",
        multipart(&[
            ("operations", None, None, br#"{"query":"x","variables":{}}"#),
            ("map", None, None, map.as_bytes()),
        ]),
    );
    assert_eq!(a.status, 413);
    assert!(a.text().contains("10 max file uploads exceeded."));
    // Misordered, and without any API key.
    let resp = sb
        .agent
        .post(format!("{}/metadata", sb.handle.base_url()))
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .send(&multipart(&[("map", None, None, b"{}")])[..])
        .unwrap();
    let a = read(resp);
    assert_eq!(a.status, 400);
    assert!(
        a.text()
            .contains("Misordered multipart fields; ‘map’ should follow ‘operations’")
    );
    // The map names a file that is not sent.
    let ops = json!({"query": UPLOAD_2X, "variables": {"file": null, "fieldMetadataId": file_field_id(&sb)}});
    let a = post_multipart(
        &sb,
        "/metadata",
        multipart(&[
            ("operations", None, None, ops.to_string().as_bytes()),
            ("map", None, None, br#"{"0":["variables.file"]}"#),
        ]),
    );
    assert_eq!(
        first_error(&a.json())["message"],
        "File missing in the request."
    );
    assert_eq!(sb.handle.upload_requests(), 4);
    assert!(sb.handle.uploads().is_empty());
}

/// The sandbox's own device (not Twenty, which has no limit here, §1.5): with
/// `max_upload_bytes` an upload over the limit gets nginx's 413 page, before Twenty sees it;
/// smaller uploads and other requests pass.
#[test]
fn max_upload_bytes_answers_413_like_a_proxy() {
    for profile in [ProfileKind::Twenty2, ProfileKind::Twenty15] {
        let mut c = Config::for_tests(KEY);
        c.profile = profile;
        c.max_upload_bytes = Some(2_000);
        let sb = start_with(c);
        let (path, ops) = match profile {
            ProfileKind::Twenty2 => (
                "/metadata",
                json!({"query": UPLOAD_2X, "variables": {"file": null, "fieldMetadataId": file_field_id(&sb)}}),
            ),
            ProfileKind::Twenty15 => (
                "/graphql",
                json!({"query": UPLOAD_1_5, "variables": {"file": null, "fileFolder": "Attachment"}}),
            ),
        };
        let big = post_multipart(
            &sb,
            path,
            upload_body(&ops, "big.txt", "text/plain", &[b'a'; 3_000]),
        );
        assert_eq!(big.status, 413);
        assert_eq!(big.content_type.as_deref(), Some("text/html"));
        assert!(
            big.text()
                .contains("<title>413 Request Entity Too Large</title>")
        );
        assert!(big.text().contains("<hr><center>nginx</center>"));
        assert!(sb.handle.uploads().is_empty());
        let small = post_multipart(
            &sb,
            path,
            upload_body(&ops, "small.txt", "text/plain", b"tiny"),
        );
        assert_eq!(small.status, 200);
        assert!(small.json().get("errors").is_none(), "{}", small.text());
        assert_eq!(sb.handle.uploads().len(), 1);
        assert_eq!(sb.handle.upload_requests(), 2);
        // JSON requests are not uploads.
        assert_eq!(
            sb.post(
                "/rest/batch/companies",
                json!([company(&"n".repeat(3_000), "big.com")])
            )
            .status,
            201
        );
    }
}

/// §2.5: a destroy of an attachment (REST `DELETE` without `soft_delete`, GraphQL
/// `destroyAttachments`) deletes its file; a soft delete keeps it.
#[test]
fn hard_delete_removes_the_file_soft_delete_keeps_it_2x() {
    let sb = start(ProfileKind::Twenty2);
    let attach = |name: &str| {
        let f = upload_2x(&sb, name, "text/plain", name.as_bytes());
        let rec = sb.create(
            "attachments",
            json!([{"name": name, "file": [{"fileId": f["id"], "label": name}]}]),
        );
        (
            f["id"].as_str().unwrap().to_string(),
            rec[0]["id"].as_str().unwrap().to_string(),
            f["url"].as_str().unwrap().to_string(),
        )
    };
    let (soft_file, soft_rec, soft_url) = attach("soft.txt");
    let a = sb.call(
        "DELETE",
        &format!("/rest/attachments/{soft_rec}?soft_delete=true"),
        None,
    );
    assert_eq!(a.status, 200);
    assert_eq!(get_url(&sb, &soft_url).status, 200);
    assert!(sb.handle.uploads().iter().any(|f| f.id == soft_file));

    let (hard_file, hard_rec, hard_url) = attach("hard.txt");
    let a = sb.call("DELETE", &format!("/rest/attachments/{hard_rec}"), None);
    assert_eq!(a.status, 200);
    assert!(!sb.handle.uploads().iter().any(|f| f.id == hard_file));
    let gone = get_url(&sb, &hard_url);
    assert_eq!(gone.status, 404);
    assert_eq!(
        gone.json(),
        json!({"statusCode": 404, "error": "Error", "messages": ["File not found"], "code": "FILE_NOT_FOUND"})
    );

    // GraphQL destroy, of the soft-deleted one.
    let d = sb.post(
        "/graphql",
        json!({"query": "mutation($f: AttachmentFilterInput){destroyAttachments(filter:$f){id}}",
               "variables": {"f": {"id": {"in": [soft_rec]}}}}),
    );
    assert_eq!(
        d.body["data"]["destroyAttachments"][0]["id"],
        soft_rec.as_str()
    );
    assert!(sb.handle.uploads().is_empty());
    assert_eq!(get_url(&sb, &soft_url).status, 404);
}

/// §2.2 (`files-field-sync.ts`, update): a PATCH that names another upload attaches it and drops
/// the file it replaces; keeping the same file only changes its label.
#[test]
fn an_update_replaces_the_file_2x() {
    let sb = start(ProfileKind::Twenty2);
    let first = upload_2x(&sb, "v1.txt", "text/plain", b"v1");
    let rec = sb.create(
        "attachments",
        json!([{"name": "doc", "file": [{"fileId": first["id"], "label": "v1.txt"}]}]),
    );
    let rec_id = rec[0]["id"].as_str().unwrap();
    let relabel = sb.patch(
        &format!("/rest/attachments/{rec_id}"),
        json!({"file": [{"fileId": first["id"], "label": "renamed.txt"}]}),
    );
    assert_eq!(relabel.status, 200, "{}", relabel.body);
    assert_eq!(
        relabel.body["data"]["updateAttachment"]["file"][0]["label"],
        "renamed.txt"
    );
    assert_eq!(
        relabel.body["data"]["updateAttachment"]["file"][0]["extension"],
        ".txt"
    );
    let second = upload_2x(&sb, "v2.txt", "text/plain", b"v2");
    let replaced = sb.patch(
        &format!("/rest/attachments/{rec_id}"),
        json!({"file": [{"fileId": second["id"], "label": "v2.txt"}]}),
    );
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    let uploads = sb.handle.uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].id, second["id"].as_str().unwrap());
    assert_eq!(uploads[0].attached_to.as_deref(), Some(rec_id));
}

/// §3 (`FileByIdGuard`): the download needs the token signed for that file id; no token, another
/// file's token, a forged token or the API key alone → 403 (Nest's "Forbidden resource").
#[test]
fn a_download_needs_its_token_2x() {
    let sb = start(ProfileKind::Twenty2);
    let a = upload_2x(&sb, "a.txt", "text/plain", b"A");
    let b = upload_2x(&sb, "b.txt", "text/plain", b"B");
    let base = sb.handle.base_url();
    let a_id = a["id"].as_str().unwrap();
    let b_token = b["url"].as_str().unwrap().split("token=").nth(1).unwrap();
    let forbidden =
        json!({"message": "Forbidden resource", "error": "Forbidden", "statusCode": 403});
    for url in [
        format!("{base}/file/files-field/{a_id}"),
        format!("{base}/file/files-field/{a_id}?token={b_token}"),
        format!("{base}/file/files-field/{a_id}?token={b_token}x"),
        format!("{base}/file/attachment/{a_id}?token={b_token}"),
    ] {
        let got = get_url(&sb, &url);
        assert_eq!(got.status, 403, "{url}");
        assert_eq!(got.json(), forbidden);
    }
    let with_key = read(
        sb.agent
            .get(format!("{base}/file/files-field/{a_id}"))
            .header("Authorization", format!("Bearer {KEY}"))
            .call()
            .unwrap(),
    );
    assert_eq!(with_key.status, 403);
    assert_eq!(get_url(&sb, a["url"].as_str().unwrap()).bytes, b"A");
}

/// §5: the metadata upload resolver goes through no query runner, so uploads spend no token of
/// the workspace's buckets; record requests still do.
#[test]
fn uploads_are_not_charged_on_2x() {
    let mut c = Config::for_tests(KEY);
    c.rate_short = parse_rate("2/60000").unwrap();
    let sb = start_with(c);
    for i in 0..5 {
        upload_2x(&sb, &format!("f{i}.txt"), "text/plain", b"x");
    }
    assert_eq!(sb.stats()["rate_limited"], 0);
    assert_eq!(sb.get("/rest/attachments").status, 200);
    assert_eq!(sb.get("/rest/attachments").status, 200);
    assert_eq!(sb.get("/rest/attachments").status, 429);
    // Downloads spend none either.
    let f = upload_2x(&sb, "last.txt", "text/plain", b"x");
    assert_eq!(get_url(&sb, f["url"].as_str().unwrap()).status, 200);
}

/// §1.1 and §4.1: each line's upload mutation lives on its own endpoint and schema. 2.19's
/// `/graphql` does not know `uploadFilesFieldFile`; 1.5's `uploadFile` answers an object type, so
/// a query without `{ path token }` fails GraphQL validation.
#[test]
fn upload_mutations_live_on_their_endpoint() {
    let sb = start(ProfileKind::Twenty2);
    let ops = json!({"query": UPLOAD_2X, "variables": {"file": null, "fieldMetadataId": file_field_id(&sb)}});
    let body = post_multipart(
        &sb,
        "/graphql",
        upload_body(&ops, "a.txt", "text/plain", b"a"),
    )
    .json();
    assert_eq!(
        first_error(&body)["message"],
        "Cannot query field \"uploadFilesFieldFile\" on type \"Mutation\"."
    );
    let no_file = sb.post("/metadata", ops.clone());
    assert_eq!(
        first_error(&no_file.body)["message"],
        "Variable \"$file\" of non-null type \"Upload!\" must not be null."
    );
    let bad_field = json!({"query": UPLOAD_2X, "variables": {"file": null, "fieldMetadataId": "0b6b3c2e-1f0a-4c1b-9a55-3e1f2d3c4b5a"}});
    let body = post_multipart(
        &sb,
        "/metadata",
        upload_body(&bad_field, "a.txt", "text/plain", b"a"),
    )
    .json();
    assert_eq!(
        first_error(&body)["extensions"]["code"],
        "INTERNAL_SERVER_ERROR"
    );
    assert!(
        first_error(&body)["message"]
            .as_str()
            .unwrap()
            .starts_with("Could not find any entity of type \"FieldMetadataEntity\" matching:")
    );

    let legacy = start(ProfileKind::Twenty15);
    let ops = json!({"query": "mutation UploadFile($file: Upload!, $fileFolder: FileFolder) { uploadFile(file: $file, fileFolder: $fileFolder) }",
                     "variables": {"file": null, "fileFolder": "Attachment"}});
    let body = post_multipart(
        &legacy,
        "/graphql",
        upload_body(&ops, "a.txt", "text/plain", b"a"),
    )
    .json();
    assert_eq!(
        first_error(&body)["message"],
        "Field \"uploadFile\" of type \"SignedFileDTO!\" must have a selection of subfields. Did you mean \"uploadFile { ... }\"?"
    );
    assert!(legacy.handle.uploads().is_empty());
}

/// §4.1-4.3: 1.5's `uploadFile(file, fileFolder: Attachment)` answers `{path:
/// "attachment/<uuid>.<ext>", token}` with no size or type check (a `.pdf` of text, a name
/// without extension); without a folder the path starts with `undefined/`. It is a `/graphql`
/// request: it spends a token of the configured buckets like any other.
#[test]
fn legacy_upload_answers_path_and_token_1_5() {
    let mut c = Config::for_tests(KEY);
    c.profile = ProfileKind::Twenty15;
    c.rate_short = parse_rate("3/60000").unwrap();
    let sb = start_with(c);
    let a = upload_1_5(&sb, json!("Attachment"), "hello.txt", b"Hello Twenty\n");
    let file = &a["data"]["uploadFile"];
    let path = file["path"].as_str().unwrap();
    assert!(
        path.starts_with("attachment/") && path.ends_with(".txt"),
        "{path}"
    );
    assert_eq!(file.as_object().unwrap().len(), 2);
    assert_eq!(file["token"].as_str().unwrap().split('.').count(), 3);
    let fake = upload_1_5(&sb, json!("Attachment"), "fake.pdf", b"plain");
    assert!(
        fake["data"]["uploadFile"]["path"]
            .as_str()
            .unwrap()
            .ends_with(".pdf")
    );
    let no_folder = upload_1_5(&sb, Value::Null, "README", b"plain");
    let p = no_folder["data"]["uploadFile"]["path"].as_str().unwrap();
    assert!(p.starts_with("undefined/") && !p.contains('.'), "{p}");
    assert_eq!(sb.handle.uploads().len(), 3);
    assert_eq!(sb.handle.uploads()[0].mime_type, "text/plain");
    // The fourth `/graphql` request is over the 3-token bucket.
    let ops = json!({"query": UPLOAD_1_5, "variables": {"file": null, "fileFolder": "Attachment"}});
    let limited = post_multipart(
        &sb,
        "/graphql",
        upload_body(&ops, "x.txt", "text/plain", b"x"),
    );
    assert_eq!(limited.status, 200, "GraphQL's throttle answers in a 200");
    let body: Value = serde_json::from_slice(&limited.bytes).unwrap();
    assert_eq!(body["errors"][0]["extensions"]["subCode"], "LIMIT_REACHED");
    assert_eq!(sb.handle.uploads().len(), 3);
}

/// §4.4, §4.5: the attachment names the upload in `fullPath` (and `type`, free text); REST
/// answers the stored path, GraphQL signs it (`<server>/files/attachment/<token>/<name>`); both
/// that URL and the upload's own token serve the bytes; a name without a dot is 400, a wrong
/// token 403.
#[test]
fn legacy_attachment_with_full_path_and_download_1_5() {
    let sb = start(ProfileKind::Twenty15);
    let acme = sb.create("companies", json!([company("Acme", "acme.com")]));
    let acme_id = acme[0]["id"].as_str().unwrap();
    let up = upload_1_5(&sb, json!("Attachment"), "hello.txt", b"Hello Twenty\n");
    let path = up["data"]["uploadFile"]["path"]
        .as_str()
        .unwrap()
        .to_string();
    let token = up["data"]["uploadFile"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let rec = sb.create(
        "attachments",
        json!([{"name": "hello.txt", "fullPath": path, "type": "TextDocument", "companyId": acme_id}]),
    );
    let rec_id = rec[0]["id"].as_str().unwrap();
    assert_eq!(rec[0]["fullPath"], path.as_str());
    assert_eq!(rec[0]["type"], "TextDocument");
    let rest = sb.get(&format!("/rest/attachments/{rec_id}"));
    assert_eq!(rest.body["data"]["attachment"]["fullPath"], path.as_str());

    let gql = sb.post(
        "/graphql",
        json!({"query": "{ attachments { edges { node { id fullPath } } } }"}),
    );
    let signed = gql.body["data"]["attachments"]["edges"][0]["node"]["fullPath"]
        .as_str()
        .unwrap()
        .to_string();
    let (folder, name) = path.split_once('/').unwrap();
    let base = sb.handle.base_url();
    assert!(
        signed.starts_with(&format!("{base}/files/{folder}/")),
        "{signed}"
    );
    assert!(signed.ends_with(&format!("/{name}")));
    let got = get_url(&sb, &signed);
    assert_eq!(got.status, 200);
    assert_eq!(got.bytes, b"Hello Twenty\n");
    let direct = get_url(&sb, &format!("{base}/files/{folder}/{token}/{name}"));
    assert_eq!(direct.bytes, b"Hello Twenty\n");

    let bad = get_url(&sb, &format!("{base}/files/{folder}/{token}x/{name}"));
    assert_eq!(bad.status, 403);
    let other = upload_1_5(&sb, Value::Null, "NOEXT", b"x");
    let other_path = other["data"]["uploadFile"]["path"].as_str().unwrap();
    let other_name = other_path.rsplit('/').next().unwrap();
    let no_dot = get_url(&sb, &format!("{base}/files/attachment/t/{other_name}"));
    assert_eq!(no_dot.status, 400);
    assert_eq!(
        no_dot.json(),
        json!({"message": format!("Filename '{other_name}' is not allowed"), "error": "Bad Request", "statusCode": 400})
    );
    let folder_refused = get_url(&sb, &format!("{base}/files/undefined/t/{name}"));
    assert_eq!(
        folder_refused.json()["message"],
        "Folder undefined is not allowed"
    );
    let uploads = sb.handle.stored_files();
    assert_eq!(uploads[0].key, path);
    assert_eq!(uploads[0].bytes, b"Hello Twenty\n");
    assert_eq!(uploads[0].attached_to.as_deref(), Some(rec_id));
    assert_eq!(uploads[1].attached_to, None);
}

/// §4.6: 1.5's REST `DELETE /rest/attachments/{id}` destroys whatever `soft_delete` says, and
/// the destroyed attachment's file is deleted.
#[test]
fn legacy_delete_removes_the_file_1_5() {
    let sb = start(ProfileKind::Twenty15);
    let up = upload_1_5(&sb, json!("Attachment"), "a.txt", b"A");
    let path = up["data"]["uploadFile"]["path"].as_str().unwrap();
    let rec = sb.create(
        "attachments",
        json!([{"name": "a.txt", "fullPath": path, "type": "TextDocument"}]),
    );
    let rec_id = rec[0]["id"].as_str().unwrap();
    let del = sb.call(
        "DELETE",
        &format!("/rest/attachments/{rec_id}?soft_delete=true"),
        None,
    );
    assert_eq!(del.status, 200);
    assert_eq!(del.body["data"]["deleteAttachment"], json!({"id": rec_id}));
    assert!(sb.handle.uploads().is_empty());
    // Gone for good, not soft-deleted.
    let trash = sb.get("/rest/attachments?filter=deletedAt[is]:NOT_NULL");
    assert_eq!(trash.body["data"]["attachments"], json!([]));
}

/// The sandbox keeps the bytes in its database: a restarted sandbox still serves them, and its
/// earlier signed URLs stay valid (the token secret is stored too).
#[test]
fn uploads_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.sqlite").to_string_lossy().into_owned();
    let mut c = Config::for_tests(KEY);
    c.db = db.clone();
    let (id, url) = {
        let sb = start_with(c.clone());
        let f = upload_2x(&sb, "keep.pdf", "application/pdf", PDF);
        (
            f["id"].as_str().unwrap().to_string(),
            f["url"].as_str().unwrap().to_string(),
        )
    };
    let sb = start_with(c);
    assert_eq!(sb.handle.file_bytes(&id).unwrap(), PDF);
    let old_token = url.split("token=").nth(1).unwrap();
    let again = get_url(
        &sb,
        &format!(
            "{}/file/files-field/{id}?token={old_token}",
            sb.handle.base_url()
        ),
    );
    assert_eq!(again.status, 200);
    assert_eq!(again.bytes, PDF);
}

/// The live 2.19 recordings of refused uploads, replayed: the same request (file name and bytes
/// as recorded) gets the same HTTP status and the same answer body.
#[test]
fn refused_uploads_answer_as_the_live_server_recorded() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/evidence/live-2x");
    for name in [
        "upload-pdf-name-text-bytes.json",
        "upload-no-extension-unknown-bytes.json",
    ] {
        let rec: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap();
        let part = rec["request"]["body"]["multipart"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "0")
            .unwrap();
        let sb = start(ProfileKind::Twenty2);
        let got = upload_2x_raw(
            &sb,
            part["filename"].as_str().unwrap(),
            part["content_type"].as_str().unwrap(),
            part["bytes"].as_str().unwrap().as_bytes(),
        );
        assert_eq!(
            u64::from(got.status),
            rec["status"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(got.json(), rec["response"], "{name}");
    }
}

/// A live 2.19 stores `createdAt` as sent on create (`docs/evidence/live-2x/README.md`,
/// "createdAt on create"): the recorded person create, replayed, reads back with its date; an
/// attachment created with a date keeps it too.
#[test]
fn created_at_is_stored_as_sent_2x() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/evidence/live-2x");
    let rec: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("person-create-with-createdAt.json")).unwrap(),
    )
    .unwrap();
    let sb = start(ProfileKind::Twenty2);
    let created = sb.post(
        rec["request"]["path"].as_str().unwrap(),
        rec["request"]["body"].clone(),
    );
    assert_eq!(u64::from(created.status), rec["status"].as_u64().unwrap());
    let id = rec["request"]["body"][0]["id"].as_str().unwrap();
    let read = sb.get(&format!("/rest/people/{id}"));
    assert_eq!(
        read.body.pointer("/data/person/createdAt"),
        Some(&json!("2021-03-04T10:11:12.000Z")),
        "{}",
        read.body
    );
    let file = upload_2x(&sb, "dated.pdf", "application/pdf", PDF);
    let att = sb.post(
        "/rest/batch/attachments?upsert=true",
        json!([{"name": "dated.pdf", "file": [{"fileId": file["id"], "label": "dated.pdf"}],
                "createdAt": "2021-03-04T10:11:12.000Z"}]),
    );
    assert_eq!(att.status, 201, "{}", att.body);
    let id = att
        .body
        .pointer("/data/createAttachments/0/id")
        .and_then(Value::as_str)
        .unwrap();
    let read = sb.get(&format!("/rest/attachments/{id}"));
    assert_eq!(
        read.body.pointer("/data/attachment/createdAt"),
        Some(&json!("2021-03-04T10:11:12.000Z")),
        "{}",
        read.body
    );
}
