//! What Twenty 2.19 makes of an uploaded file's bytes and name (`extract-file-info-or-throw.utils.ts`).
//!
//! ```text
//! const { ext: detectedExt, mime: detectedMime } = (await fileTypeParser.fromBuffer(file)) ?? {};
//! if (detectedExt && detectedMime) return { mimeType: detectedMime, ext: detectedExt };  // the bytes win
//! const ext = declaredExt;                          // buildFileInfo: after the last '.', '' if none
//! if (ext) {
//!   if (TWENTY_MIME_POLICY[ext]) return { mimeType: policy, ext };   // ts, tsx
//!   const mimeTypeFromExtension = lookup(ext);                        // mrmime
//!   if (mimeTypeFromExtension && supportedMimeTypes.has(mimeTypeFromExtension)) throw INVALID_EXTENSION
//!   mimeType = mimeTypeFromExtension ?? 'application/octet-stream';
//! }
//! return { mimeType, ext };
//! ```
//!
//! So a file whose bytes are recognised is stored under the recognised extension whatever its name
//! (`report.jpeg` of JPEG bytes becomes `<id>.jpg`, a zip named `x.docx` becomes `<id>.zip`, an
//! old `.doc` becomes `<id>.cfb`), and a name whose extension maps (through mrmime) to a type
//! `file-type` can recognise is refused when the bytes are not recognised (`.pdf` that is not a
//! PDF). mrmime 2.0.1 has no entry for `docx`/`xlsx`/`pptx` (nor `doc`, `xls`, `msg`…), so those
//! names are never refused: unrecognised bytes are stored as `application/octet-stream`.
//!
//! [`detect`] ports a subset of `file-type` 21.3.2 (with `@file-type/pdf` 0.2.0 as the custom
//! detector Twenty adds), in its order: every fixed signature it checks in its first 32 bytes
//! (so text starting with `BM`, `MZ` or `%!` is taken for bmp, exe or ps as Twenty would), the
//! UTF-8 BOM, ID3, zip containers (Office Open XML by their `[Content_Types].xml` or, when that
//! entry is compressed, by their `word/`, `xl/`, `ppt/` folders; OpenDocument and EPUB by their
//! `mimetype` entry; jar, apk, xpi), Ogg, PNG/APNG, ISO-BMFF (`ftyp`: mp4, mov, m4a, heic,
//! avif, 3gp), RIFF (webp, avi, wav), EBML (webm, mkv), TIFF, XML (`<?xml `, UTF-8/16), CFB, vCard,
//! iCalendar, WebVTT, tar, MPEG-TS, MPEG-PS and the imprecise detectors (mpg, ttf, ico, cur, MPEG
//! audio frames). Not ported: raw camera formats beyond plain TIFF, asf, the `ai` flavour of PDF,
//! `tar.gz`, and about forty rarer formats; a file of those kinds is "not recognised" here.
//!
//! [`refused_if_unrecognised`] is therefore limited to the extensions whose every genuine file the
//! ported detectors recognise: Twenty refuses more (e.g. a `.jp2` or `.class` that is not one),
//! the sandbox accepts those.

/// A recognised type: the extension Twenty stores the file under and the mime it records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// Extension without the dot (`jpg`).
    pub ext: &'static str,
    /// Mime type (`image/jpeg`).
    pub mime: &'static str,
}

const fn k(ext: &'static str, mime: &'static str) -> Kind {
    Kind { ext, mime }
}

/// `TWENTY_MIME_POLICY` (2.19, `twenty-mime-policy.constant.ts`).
const MIME_POLICY: &[(&str, &str)] = &[
    ("ts", "application/typescript"),
    ("tsx", "application/typescript"),
];

/// mrmime 2.0.1's table, as Twenty's `lookup(ext)` reads it.
const MRMIME: &str = include_str!("../data/mrmime-2.0.1.tsv");

/// mrmime's `lookup`: the mime of an extension (case-insensitive), if it has one.
pub fn mrmime_lookup(ext: &str) -> Option<&'static str> {
    let ext = ext.trim().to_lowercase();
    let ext = ext.rsplit('.').next().unwrap_or("");
    MRMIME
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .find(|(e, _)| *e == ext)
        .map(|(_, m)| m)
}

/// Extensions whose mrmime type `file-type` 21.3.2 supports (so Twenty refuses the name when the
/// bytes are not recognised) and whose genuine files the ported detectors all recognise.
const REFUSED_IF_UNRECOGNISED: &[&str] = &[
    "pdf", "png", "apng", "jpg", "jpeg", "jpe", "jls", "gif", "webp", "bmp", "dib", "tif", "tiff",
    "avif", "heic", "heics", "heif", "heifs", "jxl", "ktx", "zip", "jar", "ear", "war", "epub",
    "3mf", "gz", "mp3", "mp2", "mpga", "m2a", "m3a", "aac", "adts", "amr", "m4a", "mp4a", "mp4",
    "mp4v", "mpg4", "mov", "qt", "3gp", "3gpp", "3g2", "wav", "webm", "ogg", "oga", "ogv", "ogx",
    "opus", "spx", "mid", "midi", "kar", "rmi", "mpg", "mpeg", "mpe", "m1v", "m2v", "m2t", "m2ts",
    "mts", "woff", "woff2", "otf", "ttf", "ttc", "ps", "eps", "ai", "wasm", "ics", "ifb", "vcard",
    "vtt", "pgp", "xsd", "xsl", "xslt", "rng", "stl", "glb", "mxf",
];

/// What Twenty does with a file: `Ok((ext, mime))` to store it as, or `Err(expected mime)` for the
/// `INVALID_EXTENSION` refusal ("File content does not match its extension").
pub fn file_info(bytes: &[u8], filename: &str) -> Result<(String, String), String> {
    if let Some(kind) = detect(bytes) {
        return Ok((kind.ext.to_string(), kind.mime.to_string()));
    }
    let ext = declared_extension(filename);
    if ext.is_empty() {
        return Ok((ext, "application/octet-stream".into()));
    }
    if let Some((_, mime)) = MIME_POLICY.iter().find(|(e, _)| *e == ext) {
        return Ok((ext, (*mime).to_string()));
    }
    let from_ext = mrmime_lookup(&ext);
    if let Some(mime) = from_ext
        && refused_if_unrecognised(&ext)
    {
        return Err(mime.to_string());
    }
    let mime = from_ext.unwrap_or("application/octet-stream").to_string();
    Ok((ext, mime))
}

/// `buildFileInfo(filename).ext`: what follows the last `.`, `''` when there is none (case kept).
pub fn declared_extension(filename: &str) -> String {
    match filename.rsplit_once('.') {
        Some((_, ext)) => ext.to_string(),
        None => String::new(),
    }
}

/// Whether Twenty refuses a name with this extension when the bytes are not recognised (limited
/// to what the sandbox recognises, see the module doc).
pub fn refused_if_unrecognised(ext: &str) -> bool {
    let lower = ext.to_lowercase();
    REFUSED_IF_UNRECOGNISED.contains(&lower.as_str())
}

/// `file-type`'s `_check`: `sig` at `offset`.
fn at(buf: &[u8], offset: usize, sig: &[u8]) -> bool {
    buf.len() >= offset + sig.len() && &buf[offset..offset + sig.len()] == sig
}

/// `fileTypeParser.fromBuffer(file)`: the custom PDF detector, the confident detectors, the
/// imprecise ones. Buffers of one byte or none are not examined.
pub fn detect(buf: &[u8]) -> Option<Kind> {
    detect_from(buf, 0)
}

fn detect_from(buf: &[u8], reentry: u8) -> Option<Kind> {
    if buf.len() <= 1 {
        return None;
    }
    // `@file-type/pdf`.
    if at(buf, 0, b"%PDF-") {
        return Some(k("pdf", "application/pdf"));
    }
    match confident(buf, reentry) {
        Confident::Found(kind) => Some(kind),
        // The detector read past the start (BOM, ID3, EBML): `fromTokenizer` stops there.
        Confident::Stop => None,
        Confident::NotFound => imprecise(buf),
    }
}

enum Confident {
    Found(Kind),
    NotFound,
    Stop,
}

/// Fixed signatures in `detectConfident`'s order (the ones the sandbox ports).
const PREFIXES: &[(&[u8], Kind)] = &[
    // 2 bytes
    (b"BM", k("bmp", "image/bmp")),
    (&[0x0B, 0x77], k("ac3", "audio/vnd.dolby.dd-raw")),
    (&[0x78, 0x01], k("dmg", "application/x-apple-diskimage")),
    (b"MZ", k("exe", "application/x-msdownload")),
];

fn confident(buf: &[u8], reentry: u8) -> Confident {
    use Confident::{Found, NotFound, Stop};
    if buf.is_empty() {
        return NotFound;
    }
    for (sig, kind) in PREFIXES {
        if at(buf, 0, sig) {
            return Found(*kind);
        }
    }
    if at(buf, 0, b"%!") {
        if at(buf, 2, b"PS-Adobe-") && at(buf, 14, b" EPSF-") {
            return Found(k("eps", "application/eps"));
        }
        return Found(k("ps", "application/postscript"));
    }
    let simple: &[(&[u8], Kind)] = &[
        (&[0x1F, 0xA0], k("Z", "application/x-compress")),
        (&[0x1F, 0x9D], k("Z", "application/x-compress")),
        (&[0xC7, 0x71], k("cpio", "application/x-cpio")),
        (&[0x60, 0xEA], k("arj", "application/x-arj")),
    ];
    for (sig, kind) in simple {
        if at(buf, 0, sig) {
            return Found(*kind);
        }
    }
    // UTF-8 BOM: skipped, and the confident detectors run again on the rest.
    if at(buf, 0, &[0xEF, 0xBB, 0xBF]) {
        if reentry >= 5 {
            return Stop;
        }
        return match confident(&buf[3..], reentry + 1) {
            Found(kind) => Found(kind),
            _ => Stop,
        };
    }
    let three: &[(&[u8], Kind)] = &[
        (b"GIF", k("gif", "image/gif")),
        (&[0x49, 0x49, 0xBC], k("jxr", "image/vnd.ms-photo")),
        (&[0x1F, 0x8B, 0x08], k("gz", "application/gzip")),
        (b"BZh", k("bz2", "application/x-bzip2")),
    ];
    for (sig, kind) in three {
        if at(buf, 0, sig) {
            return Found(*kind);
        }
    }
    if at(buf, 0, b"ID3") {
        // A sync-safe header length, then everything is detected again after the tag.
        if buf.len() < 10 {
            return Stop;
        }
        let len = buf[6..10]
            .iter()
            .fold(0usize, |acc, b| (acc << 7) | usize::from(b & 0x7F));
        let end = 10 + len;
        if end > buf.len() {
            return Found(k("mp3", "audio/mpeg"));
        }
        if reentry >= 5 {
            return Stop;
        }
        return match detect_from(&buf[end..], reentry + 1) {
            Some(kind) => Found(kind),
            None => Stop,
        };
    }
    if at(buf, 0, b"MP+") {
        return Found(k("mpc", "audio/x-musepack"));
    }
    if (buf[0] == 0x43 || buf[0] == 0x46) && at(buf, 1, b"WS") {
        return Found(k("swf", "application/x-shockwave-flash"));
    }
    if at(buf, 0, &[0xFF, 0xD8, 0xFF]) {
        if at(buf, 3, &[0xF7]) {
            return Found(k("jls", "image/jls"));
        }
        return Found(k("jpg", "image/jpeg"));
    }
    let four: &[(&[u8], Kind)] = &[
        (&[0x4F, 0x62, 0x6A, 0x01], k("avro", "application/avro")),
        (b"FLIF", k("flif", "image/flif")),
        (b"8BPS", k("psd", "image/vnd.adobe.photoshop")),
        (b"MPCK", k("mpc", "audio/x-musepack")),
        (b"FORM", k("aif", "audio/aiff")),
        (b"icns", k("icns", "image/icns")),
    ];
    for (sig, kind) in four {
        if at(buf, 0, sig) {
            return Found(*kind);
        }
    }
    if at(buf, 0, &[0x50, 0x4B, 0x03, 0x04]) {
        return Found(zip(buf));
    }
    if at(buf, 0, b"OggS") {
        return Found(ogg(buf));
    }
    if at(buf, 0, b"PK")
        && buf.len() >= 4
        && matches!(buf[2], 0x03 | 0x05 | 0x07)
        && matches!(buf[3], 0x04 | 0x06 | 0x08)
    {
        return Found(k("zip", "application/zip"));
    }
    if at(buf, 0, b"MThd") {
        return Found(k("mid", "audio/midi"));
    }
    let font_flavour = at(buf, 4, &[0x00, 0x01, 0x00, 0x00]) || at(buf, 4, b"OTTO");
    if at(buf, 0, b"wOFF") && font_flavour {
        return Found(k("woff", "font/woff"));
    }
    if at(buf, 0, b"wOF2") && font_flavour {
        return Found(k("woff2", "font/woff2"));
    }
    let more: &[(&[u8], Kind)] = &[
        (
            &[0xD4, 0xC3, 0xB2, 0xA1],
            k("pcap", "application/vnd.tcpdump.pcap"),
        ),
        (
            &[0xA1, 0xB2, 0xC3, 0xD4],
            k("pcap", "application/vnd.tcpdump.pcap"),
        ),
        (b"DSD ", k("dsf", "audio/x-dsf")),
        (b"LZIP", k("lz", "application/x-lzip")),
        (b"fLaC", k("flac", "audio/flac")),
        (&[0x42, 0x50, 0x47, 0xFB], k("bpg", "image/bpg")),
        (b"wvpk", k("wv", "audio/wavpack")),
        (b"%PDF", k("pdf", "application/pdf")),
        (&[0x00, 0x61, 0x73, 0x6D], k("wasm", "application/wasm")),
    ];
    for (sig, kind) in more {
        if at(buf, 0, sig) {
            return Found(*kind);
        }
    }
    // TIFF (little- then big-endian): version 42 or 43 (BigTIFF); raw camera flavours not ported.
    if at(buf, 0, b"II")
        && buf.len() >= 4
        && matches!(u16::from_le_bytes([buf[2], buf[3]]), 42 | 43)
    {
        return Found(k("tif", "image/tiff"));
    }
    if at(buf, 0, b"MM")
        && buf.len() >= 4
        && matches!(u16::from_be_bytes([buf[2], buf[3]]), 42 | 43)
    {
        return Found(k("tif", "image/tiff"));
    }
    if at(buf, 0, b"MAC ") {
        return Found(k("ape", "audio/ape"));
    }
    if at(buf, 0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        return match ebml_doc_type(buf) {
            Some("webm") => Found(k("webm", "video/webm")),
            Some("matroska") => Found(k("mkv", "video/matroska")),
            _ => Stop,
        };
    }
    let more: &[(&[u8], Kind)] = &[
        (b"SQLi", k("sqlite", "application/x-sqlite3")),
        (
            &[0x4E, 0x45, 0x53, 0x1A],
            k("nes", "application/x-nintendo-nes-rom"),
        ),
        (b"Cr24", k("crx", "application/x-google-chrome-extension")),
        (b"MSCF", k("cab", "application/vnd.ms-cab-compressed")),
        (b"ISc(", k("cab", "application/vnd.ms-cab-compressed")),
        (&[0xED, 0xAB, 0xEE, 0xDB], k("rpm", "application/x-rpm")),
        (&[0xC5, 0xD0, 0xD3, 0xC6], k("eps", "application/eps")),
        (&[0x28, 0xB5, 0x2F, 0xFD], k("zst", "application/zstd")),
        (&[0x7F, 0x45, 0x4C, 0x46], k("elf", "application/x-elf")),
        (
            &[0x21, 0x42, 0x44, 0x4E],
            k("pst", "application/vnd.ms-outlook"),
        ),
        (b"PAR1", k("parquet", "application/vnd.apache.parquet")),
        (b"PARE", k("parquet", "application/vnd.apache.parquet")),
        (b"ttcf", k("ttc", "font/collection")),
        (
            &[0xFE, 0xED, 0xFA, 0xCE],
            k("macho", "application/x-mach-binary"),
        ),
        (
            &[0xFE, 0xED, 0xFA, 0xCF],
            k("macho", "application/x-mach-binary"),
        ),
        (
            &[0xCE, 0xFA, 0xED, 0xFE],
            k("macho", "application/x-mach-binary"),
        ),
        (
            &[0xCF, 0xFA, 0xED, 0xFE],
            k("macho", "application/x-mach-binary"),
        ),
        (&[0x04, 0x22, 0x4D, 0x18], k("lz4", "application/x-lz4")),
        (b"regf", k("dat", "application/x-ft-windows-registry-hive")),
        (b"$FL2", k("sav", "application/x-spss-sav")),
        (b"$FL3", k("sav", "application/x-spss-sav")),
        // 5 bytes
        (&[0x4F, 0x54, 0x54, 0x4F, 0x00], k("otf", "font/otf")),
        (b"#!AMR", k("amr", "audio/amr")),
        (b"{\\rtf", k("rtf", "application/rtf")),
        (&[0x46, 0x4C, 0x56, 0x01], k("flv", "video/x-flv")),
        (b"IMPM", k("it", "audio/x-it")),
    ];
    for (sig, kind) in more {
        if at(buf, 0, sig) {
            return Found(*kind);
        }
    }
    const LZH: [&[u8]; 12] = [
        b"-lh0-", b"-lh1-", b"-lh2-", b"-lh3-", b"-lh4-", b"-lh5-", b"-lh6-", b"-lh7-", b"-lzs-",
        b"-lz4-", b"-lz5-", b"-lhd-",
    ];
    if LZH.iter().any(|s| at(buf, 2, s)) {
        return Found(k("lzh", "application/x-lzh-compressed"));
    }
    if at(buf, 0, &[0x00, 0x00, 0x01, 0xBA]) && buf.len() > 4 {
        if buf[4] & 0xF1 == 0x21 {
            return Found(k("mpg", "video/MP1S"));
        }
        if buf[4] & 0xC4 == 0x44 {
            return Found(k("mpg", "video/MP2P"));
        }
    }
    let more: &[(&[u8], Kind)] = &[
        (b"ITSF", k("chm", "application/vnd.ms-htmlhelp")),
        (b".RMF", k("rm", "application/vnd.rn-realmedia")),
        (b"DRACO", k("drc", "application/vnd.google.draco")),
        (
            &[0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00],
            k("xz", "application/x-xz"),
        ),
        (b"<?xml ", k("xml", "application/xml")),
        (
            &[0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C],
            k("7z", "application/x-7z-compressed"),
        ),
    ];
    for (sig, kind) in more {
        if at(buf, 0, sig) {
            return Found(*kind);
        }
    }
    if at(buf, 0, b"Rar!\x1A\x07") && buf.len() > 6 && matches!(buf[6], 0 | 1) {
        return Found(k("rar", "application/x-rar-compressed"));
    }
    if at(buf, 0, b"solid ") {
        return Found(k("stl", "model/stl"));
    }
    if at(buf, 0, b"AC")
        && let Some(v) = buf
            .get(2..6)
            .and_then(|v| std::str::from_utf8(v).ok())
            .and_then(|v| v.parse::<u32>().ok())
        && (1000..=1050).contains(&v)
    {
        return Found(k("dwg", "image/vnd.dwg"));
    }
    let more: &[(&[u8], Kind)] = &[
        (b"070707", k("cpio", "application/x-cpio")),
        (b"BLENDER", k("blend", "application/x-blender")),
    ];
    for (sig, kind) in more {
        if at(buf, 0, sig) {
            return Found(*kind);
        }
    }
    if at(buf, 0, b"!<arch>") {
        if at(buf, 8, b"debian-binary") {
            return Found(k("deb", "application/x-deb"));
        }
        return Found(k("ar", "application/x-unix-archive"));
    }
    if at(buf, 0, b"WEBVTT")
        && (buf.len() == 6 || matches!(buf.get(6), Some(b'\n' | b'\r' | b'\t' | b' ' | 0)))
    {
        return Found(k("vtt", "text/vtt"));
    }
    if at(buf, 0, &[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
        return png(buf);
    }
    if at(buf, 0, b"ARROW1\0\0") {
        return Found(k("arrow", "application/vnd.apache.arrow.file"));
    }
    if at(buf, 0, &[0x67, 0x6C, 0x54, 0x46, 0x02, 0x00, 0x00, 0x00]) {
        return Found(k("glb", "model/gltf-binary"));
    }
    if at(buf, 4, b"free") || at(buf, 4, b"mdat") || at(buf, 4, b"moov") || at(buf, 4, b"wide") {
        return Found(k("mov", "video/quicktime"));
    }
    if at(buf, 0, b"gimp xcf ") {
        return Found(k("xcf", "image/x-xcf"));
    }
    if at(buf, 4, b"ftyp") && buf.len() > 8 && buf[8] & 0x60 != 0 {
        return Found(iso_bmff(buf));
    }
    if at(buf, 0, b"REGEDIT4\r\n") {
        return Found(k("reg", "application/x-ms-regedit"));
    }
    if at(buf, 0, b"RIFF") {
        if at(buf, 8, b"WEBP") {
            return Found(k("webp", "image/webp"));
        }
        if at(buf, 8, b"AVI") {
            return Found(k("avi", "video/vnd.avi"));
        }
        if at(buf, 8, b"WAVE") {
            return Found(k("wav", "audio/wav"));
        }
        if at(buf, 8, b"QLCM") {
            return Found(k("qcp", "audio/qcelp"));
        }
    }
    if at(
        buf,
        0,
        &[
            0xAB, 0x4B, 0x54, 0x58, 0x20, 0x31, 0x31, 0xBB, 0x0D, 0x0A, 0x1A, 0x0A,
        ],
    ) {
        return Found(k("ktx", "image/ktx"));
    }
    if at(buf, 0, &[0xFF, 0x4F, 0xFF, 0x51]) {
        return Found(k("j2c", "image/j2c"));
    }
    if at(
        buf,
        0,
        &[
            0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A,
        ],
    ) {
        // The JPEG 2000 brand follows the `ftyp` box.
        return match buf.get(20..24) {
            Some(b"jp2 ") => Found(k("jp2", "image/jp2")),
            Some(b"jpx ") => Found(k("jpx", "image/jpx")),
            Some(b"jpm ") => Found(k("jpm", "image/jpm")),
            Some(b"mjp2") => Found(k("mj2", "image/mj2")),
            _ => Stop,
        };
    }
    if at(buf, 0, &[0xFF, 0x0A])
        || at(
            buf,
            0,
            &[
                0x00, 0x00, 0x00, 0x0C, 0x4A, 0x58, 0x4C, 0x20, 0x0D, 0x0A, 0x87, 0x0A,
            ],
        )
    {
        return Found(k("jxl", "image/jxl"));
    }
    if at(buf, 0, &[0xFE, 0xFF]) {
        if at(buf, 2, &utf16be("<?xml ")) {
            return Found(k("xml", "application/xml"));
        }
        return Stop;
    }
    if at(buf, 0, &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Found(k("cfb", "application/x-cfb"));
    }
    if at(buf, 36, b"acsp") {
        return Found(k("icc", "application/vnd.iccprofile"));
    }
    if at(buf, 0, b"BEGIN:") {
        if at(buf, 6, b"VCARD") {
            return Found(k("vcf", "text/vcard"));
        }
        if at(buf, 6, b"VCALENDAR") {
            return Found(k("ics", "text/calendar"));
        }
    }
    if at(
        buf,
        0,
        &[
            0x06, 0x0E, 0x2B, 0x34, 0x02, 0x05, 0x01, 0x01, 0x0D, 0x01, 0x02, 0x01, 0x01, 0x02,
        ],
    ) {
        return Found(k("mxf", "application/mxf"));
    }
    // MPEG transport stream: a sync byte every 188 bytes (or 192, with a time code).
    if (at(buf, 0, &[0x47]) && at(buf, 188, &[0x47]))
        || (at(buf, 4, &[0x47]) && at(buf, 196, &[0x47]))
    {
        return Found(k("mts", "video/mp2t"));
    }
    if at(buf, 60, b"BOOKMOBI") {
        return Found(k("mobi", "application/x-mobipocket-ebook"));
    }
    if at(buf, 128, b"DICM") {
        return Found(k("dcm", "application/dicom"));
    }
    if at(buf, 257, b"ustar") && matches!(buf.get(262), Some(0 | b' ')) {
        return Found(k("tar", "application/x-tar"));
    }
    if at(buf, 0, &[0xFF, 0xFE]) {
        if at(buf, 2, &utf16le("<?xml ")) {
            return Found(k("xml", "application/xml"));
        }
        return Stop;
    }
    if at(buf, 0, b"-----BEGIN PGP MESSAGE-----") {
        return Found(k("pgp", "application/pgp-encrypted"));
    }
    NotFound
}

fn utf16be(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// `detectImprecise`: MPEG-PS, TrueType, icons, then an MPEG audio frame at offset 0.
fn imprecise(buf: &[u8]) -> Option<Kind> {
    if at(buf, 0, &[0x00, 0x00, 0x01, 0xBA]) || at(buf, 0, &[0x00, 0x00, 0x01, 0xB3]) {
        return Some(k("mpg", "video/mpeg"));
    }
    if at(buf, 0, &[0x00, 0x01, 0x00, 0x00, 0x00]) {
        return Some(k("ttf", "font/ttf"));
    }
    if at(buf, 0, &[0x00, 0x00, 0x01, 0x00]) {
        return Some(k("ico", "image/x-icon"));
    }
    if at(buf, 0, &[0x00, 0x00, 0x02, 0x00]) {
        return Some(k("cur", "image/x-icon"));
    }
    if buf.len() >= 2 && buf[0] == 0xFF && buf[1] & 0xE0 == 0xE0 {
        let b = buf[1];
        if b & 0x16 == 0x10 {
            return Some(k("aac", "audio/aac"));
        }
        return match b & 0x06 {
            0x02 => Some(k("mp3", "audio/mpeg")),
            0x04 => Some(k("mp2", "audio/mpeg")),
            0x06 => Some(k("mp1", "audio/mpeg")),
            _ => None,
        };
    }
    None
}

/// PNG or APNG: an `acTL` chunk before the first `IDAT`.
fn png(buf: &[u8]) -> Confident {
    let mut pos = 8usize;
    while pos + 8 <= buf.len() {
        let len = i32::from_be_bytes([buf[pos], buf[pos + 1], buf[pos + 2], buf[pos + 3]]);
        if len < 0 {
            return Confident::Stop;
        }
        match &buf[pos + 4..pos + 8] {
            b"IDAT" => return Confident::Found(k("png", "image/png")),
            b"acTL" => return Confident::Found(k("apng", "image/apng")),
            _ => pos += 12 + len as usize,
        }
    }
    Confident::Found(k("png", "image/png"))
}

/// The `ftyp` box's major brand.
fn iso_bmff(buf: &[u8]) -> Kind {
    let brand: String = buf[8..buf.len().min(12)]
        .iter()
        .map(|&b| if b == 0 { ' ' } else { char::from(b) })
        .collect();
    match brand.trim() {
        "avif" | "avis" => k("avif", "image/avif"),
        "mif1" => k("heic", "image/heif"),
        "msf1" => k("heic", "image/heif-sequence"),
        "heic" | "heix" => k("heic", "image/heic"),
        "hevc" | "hevx" => k("heic", "image/heic-sequence"),
        "qt" => k("mov", "video/quicktime"),
        "M4V" | "M4VH" | "M4VP" => k("m4v", "video/x-m4v"),
        "M4P" => k("m4p", "video/mp4"),
        "M4B" => k("m4b", "audio/mp4"),
        "M4A" => k("m4a", "audio/x-m4a"),
        "F4V" => k("f4v", "video/mp4"),
        "F4P" => k("f4p", "video/mp4"),
        "F4A" => k("f4a", "audio/mp4"),
        "F4B" => k("f4b", "audio/mp4"),
        "crx" => k("cr3", "image/x-canon-cr3"),
        b if b.starts_with("3g2") => k("3g2", "video/3gpp2"),
        b if b.starts_with("3g") => k("3gp", "video/3gpp"),
        _ => k("mp4", "video/mp4"),
    }
}

/// An Ogg container by the codec of its first page.
fn ogg(buf: &[u8]) -> Kind {
    let t = buf.get(28..36).unwrap_or(&[]);
    let starts = |sig: &[u8]| t.len() >= sig.len() && &t[..sig.len()] == sig;
    if starts(b"OpusHead") {
        k("opus", "audio/ogg; codecs=opus")
    } else if starts(b"\x80theora") {
        k("ogv", "video/ogg")
    } else if starts(b"\x01video\0") {
        k("ogm", "video/ogg")
    } else if starts(b"\x7FFLAC") {
        k("oga", "audio/ogg")
    } else if starts(b"Speex  ") {
        k("spx", "audio/ogg")
    } else if starts(b"\x01vorbis") {
        k("ogg", "audio/ogg")
    } else {
        k("ogx", "application/ogg")
    }
}

/// The EBML `DocType` (element 0x4282) among the first elements of the header.
fn ebml_doc_type(buf: &[u8]) -> Option<&'static str> {
    let window = &buf[..buf.len().min(4100)];
    let pos = window.windows(2).position(|w| w == [0x42, 0x82])?;
    let len = usize::from(window.get(pos + 2)? & 0x7F);
    let value = window.get(pos + 3..pos + 3 + len)?;
    let value: Vec<u8> = value.iter().copied().take_while(|&b| b != 0).collect();
    match value.as_slice() {
        b"webm" => Some("webm"),
        b"matroska" => Some("matroska"),
        _ => None,
    }
}

/// One entry of a zip archive: name, compression method, and its data when stored uncompressed.
struct ZipEntry<'a> {
    name: &'a [u8],
    stored: Option<&'a [u8]>,
}

fn u16le(b: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_le_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
    ])))
}

fn u32le(b: &[u8], at: usize) -> Option<usize> {
    let v = u32::from_le_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
        *b.get(at + 2)?,
        *b.get(at + 3)?,
    ]);
    usize::try_from(v).ok()
}

/// The entries of a zip, from its central directory when the archive is whole, else by walking
/// its local headers.
fn zip_entries(buf: &[u8]) -> Vec<ZipEntry<'_>> {
    let data_at = |local: usize, size: usize, method: usize| -> Option<&[u8]> {
        if method != 0 || !at(buf, local, b"PK\x03\x04") {
            return None;
        }
        let start = local + 30 + u16le(buf, local + 26)? + u16le(buf, local + 28)?;
        buf.get(start..start + size)
    };
    let tail_start = buf.len().saturating_sub(22 + 65_535);
    let eocd = (tail_start..buf.len().saturating_sub(21))
        .rev()
        .find(|&i| at(buf, i, b"PK\x05\x06"));
    let mut out = Vec::new();
    if let Some(e) = eocd
        && let (Some(count), Some(mut pos)) = (u16le(buf, e + 10), u32le(buf, e + 16))
    {
        for _ in 0..count {
            if !at(buf, pos, b"PK\x01\x02") {
                break;
            }
            let (Some(method), Some(size), Some(n), Some(x), Some(c), Some(local)) = (
                u16le(buf, pos + 10),
                u32le(buf, pos + 20),
                u16le(buf, pos + 28),
                u16le(buf, pos + 30),
                u16le(buf, pos + 32),
                u32le(buf, pos + 42),
            ) else {
                break;
            };
            let Some(name) = buf.get(pos + 46..pos + 46 + n) else {
                break;
            };
            out.push(ZipEntry {
                name,
                stored: data_at(local, size, method),
            });
            pos += 46 + n + x + c;
        }
        return out;
    }
    let mut pos = 0;
    while at(buf, pos, b"PK\x03\x04") {
        let (Some(flags), Some(method), Some(size), Some(n), Some(x)) = (
            u16le(buf, pos + 6),
            u16le(buf, pos + 8),
            u32le(buf, pos + 18),
            u16le(buf, pos + 26),
            u16le(buf, pos + 28),
        ) else {
            break;
        };
        let Some(name) = buf.get(pos + 30..pos + 30 + n) else {
            break;
        };
        out.push(ZipEntry {
            name,
            stored: data_at(pos, size, method),
        });
        if flags & 0x08 != 0 && size == 0 {
            break; // sizes in a data descriptor: the walk cannot go on
        }
        pos += 30 + n + x + size;
    }
    out
}

/// `getFileTypeFromMimeType` for the containers a zip's `mimetype` or `[Content_Types].xml` names.
fn zip_kind_from_mime(mime: &str) -> Option<Kind> {
    let m = mime.to_lowercase();
    Some(match m.as_str() {
        "application/epub+zip" => k("epub", "application/epub+zip"),
        "application/vnd.oasis.opendocument.text" => {
            k("odt", "application/vnd.oasis.opendocument.text")
        }
        "application/vnd.oasis.opendocument.spreadsheet" => {
            k("ods", "application/vnd.oasis.opendocument.spreadsheet")
        }
        "application/vnd.oasis.opendocument.presentation" => {
            k("odp", "application/vnd.oasis.opendocument.presentation")
        }
        "application/vnd.oasis.opendocument.graphics" => {
            k("odg", "application/vnd.oasis.opendocument.graphics")
        }
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => k(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => k(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => k(
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        "application/vnd.openxmlformats-officedocument.presentationml.slideshow" => k(
            "ppsx",
            "application/vnd.openxmlformats-officedocument.presentationml.slideshow",
        ),
        "application/vnd.ms-excel.sheet.macroenabled" => {
            k("xlsm", "application/vnd.ms-excel.sheet.macroenabled.12")
        }
        "application/vnd.ms-word.document.macroenabled" => {
            k("docm", "application/vnd.ms-word.document.macroenabled.12")
        }
        "application/vnd.ms-powerpoint.presentation.macroenabled" => k(
            "pptm",
            "application/vnd.ms-powerpoint.presentation.macroenabled.12",
        ),
        "application/vnd.ms-package.3dmanufacturing-3dmodel+xml" => k("3mf", "model/3mf"),
        _ => return None,
    })
}

/// The zip family: `file-type` reads the entries in order and stops at the first that decides.
fn zip(buf: &[u8]) -> Kind {
    let zip = k("zip", "application/zip");
    let (mut word, mut ppt, mut xl, mut model, mut content_types) =
        (false, false, false, false, false);
    for entry in zip_entries(buf) {
        let name = String::from_utf8_lossy(entry.name);
        word |= name.starts_with("word/");
        ppt |= name.starts_with("ppt/");
        xl |= name.starts_with("xl/");
        model |= name.starts_with("3D/") && name.ends_with(".model");
        if content_types {
            // The compressed `[Content_Types].xml` was seen: `file-type` would have read it
            // (inflating it) and stopped; the sandbox guesses from the folders below instead.
            continue;
        }
        match name.as_ref() {
            "META-INF/mozilla.rsa" => return k("xpi", "application/x-xpinstall"),
            "META-INF/MANIFEST.MF" => return k("jar", "application/java-archive"),
            "mimetype" => {
                return entry
                    .stored
                    .and_then(|d| zip_kind_from_mime(String::from_utf8_lossy(d).trim()))
                    .unwrap_or(zip);
            }
            "[Content_Types].xml" => match entry.stored {
                Some(d) => {
                    let xml = String::from_utf8_lossy(d);
                    let mime = match xml.find(".main+xml\"") {
                        Some(end) => {
                            let head = &xml[..end];
                            Some(head[head.rfind('"').map_or(0, |q| q + 1)..].to_string())
                        }
                        None => xml
                            .contains(
                                "ContentType=\"application/vnd.ms-package.3dmanufacturing-3dmodel+xml\"",
                            )
                            .then(|| {
                                "application/vnd.ms-package.3dmanufacturing-3dmodel+xml".to_string()
                            }),
                    };
                    return mime.and_then(|m| zip_kind_from_mime(&m)).unwrap_or(zip);
                }
                None => content_types = true,
            },
            n if n.starts_with("classes") && n.ends_with(".dex") => {
                return k("apk", "application/vnd.android.package-archive");
            }
            _ => {}
        }
    }
    if content_types {
        if word {
            return k(
                "docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            );
        }
        if ppt {
            return k(
                "pptx",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            );
        }
        if xl {
            return k(
                "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            );
        }
        if model {
            return k("3mf", "model/3mf");
        }
    }
    zip
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zip of stored (uncompressed) entries, central directory included.
    pub(crate) fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, data) in entries {
            let offset = out.len() as u32;
            let mut local = Vec::new();
            local.extend_from_slice(b"PK\x03\x04");
            local.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            local.extend_from_slice(&0u32.to_le_bytes()); // crc (not checked)
            local.extend_from_slice(&(data.len() as u32).to_le_bytes());
            local.extend_from_slice(&(data.len() as u32).to_le_bytes());
            local.extend_from_slice(&(name.len() as u16).to_le_bytes());
            local.extend_from_slice(&0u16.to_le_bytes());
            local.extend_from_slice(name.as_bytes());
            local.extend_from_slice(data);
            out.extend_from_slice(&local);
            central.extend_from_slice(b"PK\x01\x02");
            central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            central.extend_from_slice(&0u32.to_le_bytes());
            central.extend_from_slice(&(data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let cd_offset = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06");
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    #[test]
    fn recognises_common_attachments() {
        assert_eq!(detect(b"%PDF-1.7\n").unwrap().ext, "pdf");
        assert_eq!(detect(b"\xFF\xD8\xFF\xE0\0\x10JFIF").unwrap().ext, "jpg");
        assert_eq!(detect(b"GIF89a....").unwrap().ext, "gif");
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend_from_slice(&[0, 0, 0, 13]);
        png.extend_from_slice(b"IHDR");
        png.extend_from_slice(&[0; 17]);
        png.extend_from_slice(&[0, 0, 0, 0]);
        png.extend_from_slice(b"IDAT");
        assert_eq!(detect(&png).unwrap().ext, "png");
        assert_eq!(
            detect(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest").unwrap().ext,
            "cfb"
        );
        assert_eq!(detect(b"<?xml version=\"1.0\"?><svg/>").unwrap().ext, "xml");
        assert_eq!(detect(b"BMW annual report").unwrap().ext, "bmp");
        assert_eq!(detect(b"Hello Twenty\n"), None);
        assert_eq!(detect(b"a,b\n1,2\n"), None);
        assert_eq!(detect(b"\xEF\xBB\xBFGIF89a").unwrap().ext, "gif");
        assert_eq!(detect(b"\xEF\xBB\xBFplain text"), None);
        assert_eq!(detect(b"\0\0\0\x18ftypmp42\0\0\0\0").unwrap().ext, "mp4");
        assert_eq!(detect(b"\0\0\0\x18ftypheic\0\0\0\0").unwrap().ext, "heic");
        assert_eq!(detect(b"RIFF\0\0\0\0WAVEfmt ").unwrap().ext, "wav");
        assert_eq!(detect(b"x"), None);
    }

    #[test]
    fn zip_containers() {
        let plain = stored_zip(&[("a.txt", b"hi")]);
        assert_eq!(detect(&plain).unwrap().ext, "zip");
        let docx = stored_zip(&[
            (
                "[Content_Types].xml",
                br#"<Types><Override ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
            ),
            ("word/document.xml", b"<w/>"),
        ]);
        assert_eq!(detect(&docx).unwrap().ext, "docx");
        let odt = stored_zip(&[("mimetype", b"application/vnd.oasis.opendocument.text")]);
        assert_eq!(detect(&odt).unwrap().ext, "odt");
    }

    #[test]
    fn names_and_refusals() {
        assert_eq!(
            file_info(b"not a pdf", "x.pdf"),
            Err("application/pdf".to_string())
        );
        assert_eq!(
            file_info(b"not a pdf", "x.PDF"),
            Err("application/pdf".to_string())
        );
        assert_eq!(
            file_info(b"garbage", "x.docx"),
            Ok(("docx".into(), "application/octet-stream".into()))
        );
        assert_eq!(
            file_info(b"Hello", "hello.txt"),
            Ok(("txt".into(), "text/plain".into()))
        );
        assert_eq!(
            file_info(b"Hello", "README"),
            Ok((String::new(), "application/octet-stream".into()))
        );
        assert_eq!(
            file_info(b"%PDF-1.4", "scan"),
            Ok(("pdf".into(), "application/pdf".into()))
        );
        assert_eq!(
            file_info(b"const x = 1;", "a.ts"),
            Ok(("ts".into(), "application/typescript".into()))
        );
        assert_eq!(mrmime_lookup("CSV"), Some("text/csv"));
        assert_eq!(declared_extension("archive.tar.gz"), "gz");
        assert_eq!(declared_extension("trailing."), "");
    }
}
