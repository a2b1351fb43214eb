//! Guessing what a file is before reading it: container format, text encoding, delimiter.
//!
//! Order of decisions (first that applies wins):
//! 1. Magic bytes: zip (`PK\x03\x04`) → xlsx/ods workbook, OLE2 (`D0 CF 11 E0`) → xls;
//!    PDF, gzip and other known binaries → not tabular.
//! 2. Encoding: the one forced by the caller; else a BOM (UTF-8, UTF-16LE/BE); else UTF-8
//!    if the sniff window (1 MiB, extended past a pure-ASCII prefix up to the first non-ASCII
//!    byte) is valid UTF-8; else UTF-16 without BOM if every other byte is NUL; else
//!    binary if NUL/control bytes abound; else chardetng's guess (windows-1252 for most
//!    Western European Excel files; another single-byte guess that decodes the window to the
//!    same text as windows-1252 is replaced by windows-1252).
//! 3. Delimiter among `,` `;` `\t` `|`: parse the first 50 records of the decoded window with
//!    each; a candidate whose records all have the header's field count (> 1) beats one that
//!    is ragged; then more matching records; then more fields; ties go to the earlier of
//!    `,` `;` `\t` `|`.
//!
//! What it deliberately does not do: look at the file extension (Salesforce "xls" report
//! exports are HTML or CSV; users rename files), or read more than needed to decide.

use std::io::{self, Read};

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// Bytes read up front for all guessing.
pub(crate) const SNIFF_BYTES: usize = 1024 * 1024;

pub(crate) enum Container {
    Text,
    Zip,
    Ole,
}

pub(crate) fn container(head: &[u8]) -> Result<Container, String> {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Ok(Container::Zip);
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Ok(Container::Ole);
    }
    let known: &[(&[u8], &str)] = &[
        (b"%PDF", "a PDF document"),
        (
            b"\x1f\x8b",
            "gzip-compressed data (decompress it first, e.g. `gunzip`)",
        ),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (
            b"7z\xbc\xaf",
            "a 7-Zip archive (extract the CSV files first)",
        ),
        (b"Rar!", "a RAR archive (extract the CSV files first)"),
        (b"SQLite format 3\0", "an SQLite database"),
        (b"\x7fELF", "an executable"),
    ];
    for (magic, what) in known {
        if head.starts_with(magic) {
            return Err(format!("it is {what}"));
        }
    }
    Ok(Container::Text)
}

/// How the text is encoded, and how many BOM bytes to skip.
pub(crate) struct EncodingGuess {
    pub encoding: &'static Encoding,
    pub bom_len: usize,
}

/// Decide the encoding from the first bytes. `more` lets the function read further while
/// the window is pure ASCII (it stops at the first non-ASCII byte).
pub(crate) fn encoding(
    forced: Option<&'static Encoding>,
    head: &[u8],
    more: &mut dyn Read,
) -> Result<EncodingGuess, String> {
    let bom = Encoding::for_bom(head);
    if let Some(enc) = forced {
        let bom_len = match bom {
            Some((b, len)) if b == enc => len,
            _ => 0,
        };
        return Ok(EncodingGuess {
            encoding: enc,
            bom_len,
        });
    }
    if let Some((enc, bom_len)) = bom {
        return Ok(EncodingGuess {
            encoding: enc,
            bom_len,
        });
    }
    if let Some(enc) = utf16_without_bom(head) {
        return Ok(EncodingGuess {
            encoding: enc,
            bom_len: 0,
        });
    }
    if let Some(detail) = binary(head) {
        return Err(detail);
    }
    // Past a pure-ASCII window, look at the first non-ASCII region instead: a Latin-1 file
    // whose first accented letter is at row 20,000 must not be called UTF-8.
    let mut owned;
    let mut window: &[u8] = head;
    let mut is_eof = head.len() < SNIFF_BYTES;
    if window.is_ascii() && !is_eof {
        owned = vec![0u8; SNIFF_BYTES];
        loop {
            let n = read_up_to(more, &mut owned).map_err(|e| e.to_string())?;
            is_eof = n < owned.len();
            if let Some(p) = owned[..n].iter().position(|b| !b.is_ascii()) {
                // Keep up to 64 KiB of context from the first non-ASCII byte on.
                let end = n.min(p + 64 * 1024);
                owned.truncate(end);
                owned.drain(..p.saturating_sub(16));
                window = &owned;
                is_eof = is_eof && end == n;
                break;
            }
            if is_eof {
                window = b"";
                break;
            }
        }
    }
    match std::str::from_utf8(window) {
        Ok(_) => {
            return Ok(EncodingGuess {
                encoding: UTF_8,
                bom_len: 0,
            });
        }
        // Cut in the middle of a character at the window's end: still UTF-8.
        Err(e) if e.error_len().is_none() && !is_eof => {
            return Ok(EncodingGuess {
                encoding: UTF_8,
                bom_len: 0,
            });
        }
        Err(_) => {}
    }
    // Mostly UTF-8 with a few bad sequences (lines pasted from a Windows-1252 file into a UTF-8
    // export): read as UTF-8, so the bad lines are rejected with their line numbers, rather than
    // as Windows-1252, which would silently turn every `é` of the good lines into `Ã©`.
    if mostly_utf8(window) {
        return Ok(EncodingGuess {
            encoding: UTF_8,
            bom_len: 0,
        });
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(window, is_eof);
    let mut enc = det.guess(None, chardetng::Utf8Detection::Deny);
    // chardetng often says windows-1250 for French text with only `é`-type letters, which
    // both code pages share. When windows-1252 reads the window identically, take it: it is
    // by far the most common code page of CRM/Excel exports, and the two differ later on
    // letters such as `è` (1252) vs `č` (1250).
    if enc != WINDOWS_1252 && enc.is_single_byte() {
        let (a, _) = enc.decode_without_bom_handling(window);
        let (b, _) = WINDOWS_1252.decode_without_bom_handling(window);
        if a == b {
            enc = WINDOWS_1252;
        }
    }
    Ok(EncodingGuess {
        encoding: enc,
        bom_len: 0,
    })
}

/// More valid multi-byte UTF-8 characters than invalid sequences. Text in a legacy single-byte
/// encoding almost never forms valid UTF-8 sequences (`Ã©` would have to stand in the text).
fn mostly_utf8(window: &[u8]) -> bool {
    let (mut multi, mut invalid) = (0usize, 0usize);
    for chunk in window.utf8_chunks() {
        multi += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    multi > invalid
}

fn read_up_to(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// UTF-16 without BOM: in ASCII-heavy text every other byte is NUL.
fn utf16_without_bom(head: &[u8]) -> Option<&'static Encoding> {
    let sample = &head[..head.len().min(4096) & !1];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let even_nul = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_nul = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    // At least 70 % of one side is NUL and at most 5 % of the other.
    let strong = |n: usize| n * 10 >= pairs * 7;
    let weak = |n: usize| n * 20 <= pairs;
    if strong(odd_nul) && weak(even_nul) {
        Some(UTF_16LE)
    } else if strong(even_nul) && weak(odd_nul) {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Binary data: NUL bytes or many control bytes in the first 64 KiB.
fn binary(head: &[u8]) -> Option<String> {
    let sample = &head[..head.len().min(64 * 1024)];
    if sample.is_empty() {
        return None;
    }
    let nul = sample.iter().filter(|&&b| b == 0).count();
    let ctrl = sample
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f)
        .count();
    // A handful of stray NULs in a text file is tolerated (those rows are rejected later);
    // above 1 % of the bytes it is binary data.
    if nul * 100 > sample.len() || ctrl * 100 > sample.len() * 5 {
        return Some(format!(
            "the first {} bytes hold {nul} NUL and {ctrl} control bytes: this looks like binary data, not text",
            sample.len()
        ));
    }
    None
}

/// Delimiter sniffing on decoded text (see module docs).
pub(crate) fn delimiter(text: &[u8], complete: bool) -> u8 {
    const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
    let mut best: Option<((bool, usize, usize), u8)> = None;
    for &d in &CANDIDATES {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(d)
            .from_reader(text);
        let mut counts = Vec::new();
        let mut rec = csv::ByteRecord::new();
        while counts.len() < 51 {
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {
                    if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                        continue;
                    }
                    counts.push(rec.len());
                }
                _ => break,
            }
        }
        // The window may end mid-record: ignore the last one unless we saw the real end.
        if !complete && counts.len() > 1 {
            counts.pop();
        }
        let Some(&header) = counts.first() else {
            continue;
        };
        if header < 2 {
            continue;
        }
        let matching = counts.iter().filter(|&&c| c == header).count();
        let key = (matching == counts.len(), matching, header);
        if best.as_ref().is_none_or(|(k, _)| key > *k) {
            best = Some((key, d));
        }
    }
    best.map_or(b',', |(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_prefers_consistent_then_comma() {
        assert_eq!(delimiter(b"a;b;c\n1;2;3\n4;5;6\n", true), b';');
        assert_eq!(delimiter(b"a\tb\n1\t2\n", true), b'\t');
        assert_eq!(delimiter(b"a|b|c\n1|2|3\n", true), b'|');
        // Both consistent with 2 fields: comma wins the tie.
        assert_eq!(delimiter(b"a,b;c\n1,2;3\n", true), b',');
        // Semicolon file with decimal commas in some rows.
        assert_eq!(delimiter(b"name;amount\nA;1,5\nB;2\n", true), b';');
        // One column only.
        assert_eq!(delimiter(b"email\na@x.com\n", true), b',');
    }

    #[test]
    fn utf16_nul_pattern() {
        let le: Vec<u8> = "a\tb\r\n1\t2\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(utf16_without_bom(&le), Some(UTF_16LE));
        let be: Vec<u8> = "a\tb\r\n1\t2\r\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(utf16_without_bom(&be), Some(UTF_16BE));
        assert_eq!(utf16_without_bom(b"a,b\n1,2\n"), None);
    }

    /// Regression: a UTF-8 export with one line in Windows-1252 was read as Windows-1252, so
    /// every accented letter of the other lines silently became mojibake.
    #[test]
    fn mostly_utf8_with_a_stray_latin1_line_is_utf8() {
        let data = "n,c\nZoë,1\nChloé,2\n"
            .bytes()
            .chain(*b"Ren\xe9,3\n")
            .collect::<Vec<u8>>();
        let g = encoding(None, &data, &mut &b""[..]).unwrap();
        assert_eq!(g.encoding.name(), "UTF-8");
        // Mostly Windows-1252: still Windows-1252.
        let g = encoding(
            None,
            b"n,c\nRen\xe9,1\nS\xe8te,2\nZo\xc3\xab,3\n",
            &mut &b""[..],
        )
        .unwrap();
        assert_eq!(g.encoding.name(), "windows-1252");
    }

    #[test]
    fn ascii_prefix_then_latin1_is_not_utf8() {
        let mut data = b"name,city\n".to_vec();
        while data.len() < SNIFF_BYTES + 10 {
            data.extend_from_slice(b"Dupont,Paris\n");
        }
        data.extend_from_slice(b"Andr\xe9,S\xe8te\n");
        let (head, rest) = data.split_at(SNIFF_BYTES);
        let mut rest = rest;
        let g = encoding(None, head, &mut rest).unwrap();
        assert_eq!(g.encoding.name(), "windows-1252");
    }
}

#[cfg(test)]
mod tie_break_tests {
    use super::*;

    #[test]
    fn latin_text_that_1250_and_1252_read_alike_is_1252() {
        let mut data = b"id;nom\n".to_vec();
        for i in 0..200 {
            data.extend_from_slice(format!("{i};Ren").as_bytes());
            data.extend_from_slice(b"\xe9\n");
        }
        let g = encoding(None, &data, &mut &b""[..]).unwrap();
        assert_eq!(g.encoding.name(), "windows-1252");
        // Polish text that windows-1252 would read differently keeps chardetng's guess.
        let pl = b"imie;miasto\n\xa3ukasz;\xa3\xf3d\xbc\nJo\xb9nna;Krak\xf3w\nW\xb3odzimierz;Gda\xf1sk\n\xa6wi\xeatos\xb3aw;\xa6l\xb9sk\n";
        let g = encoding(None, pl, &mut &b""[..]).unwrap();
        assert_ne!(g.encoding.name(), "windows-1252");
        assert_eq!(
            g.encoding.decode_without_bom_handling(b"\xa3ukasz").0,
            "Łukasz"
        );
    }
}
