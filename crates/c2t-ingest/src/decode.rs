//! The byte stream the CSV parser reads: raw file bytes transcoded to UTF-8, with the
//! bookkeeping that the `csv` crate does not do for us.
//!
//! What it does:
//! - Transcodes any non-UTF-8 encoding to UTF-8 with `encoding_rs`, *without* silent
//!   replacement: each malformed sequence becomes U+FFFD in the stream **and** its output
//!   offset is recorded, so the record that contains it can be rejected.
//!   UTF-8 input is passed through untouched; the reader validates it per record.
//! - Records the offset of every line break (`\n`, `\r\n`, lone `\r`: what a text editor
//!   counts), so record start lines are exact. `csv`'s own `Position::line()` only counts
//!   `\n`, and points at the blank line / the `\n` of a CRLF *before* a record.
//! - Stops the stream (early EOF) when a single record grows past [`MAX_RECORD_BYTES`] or
//!   [`MAX_RECORD_LINES`]: an unterminated quote otherwise swallows a multi-GB file into one
//!   record held in memory. The reader then rejects that record and restarts after its line.
//!
//! What it deliberately does not do: parse CSV (that is `csv`'s job), guess encodings
//! (see `sniff`), or hold more than one chunk plus the current record's break offsets.

use std::collections::VecDeque;
use std::io::{self, Read};

use encoding_rs::{Decoder, DecoderResult, Encoding, UTF_8};

/// A single CSV record larger than this is treated as a runaway quoted field.
pub(crate) const MAX_RECORD_BYTES: u64 = 64 * 1024 * 1024;
/// A single CSV record spanning more physical lines than this is treated the same way.
pub(crate) const MAX_RECORD_LINES: usize = 1_000_000;

const CHUNK: usize = 64 * 1024;

/// One line break in the UTF-8 output stream.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Break {
    pub off: u64,
    pub len: u8,
}

pub(crate) struct Tracked<R> {
    inner: R,
    decoder: Option<Decoder>,
    raw: Vec<u8>,
    raw_pos: usize,
    raw_len: usize,
    raw_eof: bool,
    decoder_done: bool,
    out: Vec<u8>,
    /// Earlier chunks still needed: from the current record's start on (see [`Tracked::slices`]).
    history: VecDeque<(u64, Vec<u8>)>,
    spare: Vec<Vec<u8>>,
    out_pos: usize,
    /// Absolute output offset of `out[0]`.
    out_base: u64,
    /// Absolute output offset of the end of everything produced so far.
    produced: u64,
    /// Output bytes before this offset are produced but thrown away (restart after a runaway quote).
    skip_until: u64,
    done: bool,
    pending_cr: Option<u64>,
    pub(crate) breaks: VecDeque<Break>,
    pub(crate) malformed: VecDeque<u64>,
    /// Line number of the first byte not yet accounted for by [`Tracked::locate`].
    line: u64,
    /// Output offset where the record being parsed started; used by the size guard.
    pub(crate) record_start: u64,
    pub(crate) limit_hit: bool,
}

impl<R: Read> Tracked<R> {
    /// `inner` must be positioned after any BOM. `start` is the output offset the stream
    /// begins at (`0`, or a restart point), `line` the line number there.
    /// For UTF-8 the caller must already have seeked `inner` to `start`; other encodings
    /// are re-decoded from the beginning and the first `start` output bytes discarded.
    pub(crate) fn new(inner: R, encoding: &'static Encoding, start: u64, line: u64) -> Self {
        let decoder = (encoding != UTF_8).then(|| encoding.new_decoder_without_bom_handling());
        let passthrough = decoder.is_none();
        Tracked {
            inner,
            decoder,
            raw: if passthrough {
                Vec::new()
            } else {
                vec![0; CHUNK]
            },
            raw_pos: 0,
            raw_len: 0,
            raw_eof: false,
            decoder_done: false,
            out: Vec::with_capacity(CHUNK + 16),
            history: VecDeque::new(),
            spare: Vec::new(),
            out_pos: 0,
            out_base: if passthrough { start } else { 0 },
            produced: if passthrough { start } else { 0 },
            skip_until: start,
            done: false,
            pending_cr: None,
            breaks: VecDeque::new(),
            malformed: VecDeque::new(),
            line,
            record_start: start,
            limit_hit: false,
        }
    }

    /// True once every byte of the source has been produced and handed out.
    pub(crate) fn exhausted(&self) -> bool {
        self.done && self.out_pos >= self.out.len()
    }

    /// Account for the leading blank lines of a record whose parse began at `before` and
    /// return `(line, start offset)` of its first content byte.
    pub(crate) fn locate(&mut self, before: u64) -> (u64, u64) {
        let mut cursor = before;
        while let Some(b) = self.breaks.front().copied() {
            if b.off > cursor {
                break;
            }
            self.breaks.pop_front();
            self.line += 1;
            cursor = cursor.max(b.off + u64::from(b.len));
        }
        while let Some((base, data)) = self.history.front() {
            if base + data.len() as u64 > cursor {
                break;
            }
            let (_, data) = self.history.pop_front().expect("front");
            if self.spare.len() < 4 {
                self.spare.push(data);
            }
        }
        (self.line, cursor)
    }

    /// Call `f` on the output bytes in `[start, end)` still held (from the current record's
    /// start on), in order, until it returns false.
    pub(crate) fn slices(&self, start: u64, end: u64, mut f: impl FnMut(&[u8]) -> bool) {
        let current = std::iter::once((self.out_base, &self.out));
        for (base, data) in self.history.iter().map(|(b, d)| (*b, d)).chain(current) {
            let chunk_end = base + data.len() as u64;
            if chunk_end <= start {
                continue;
            }
            if base >= end {
                break;
            }
            let s = (start.max(base) - base) as usize;
            let e = (end.min(chunk_end) - base) as usize;
            if !f(&data[s..e]) {
                return;
            }
        }
    }

    /// Keep the chunk just handed out: a record may still need its bytes.
    fn retire_current(&mut self) {
        if !self.out.is_empty() && self.out_base + self.out.len() as u64 > self.skip_until {
            let fresh = self
                .spare
                .pop()
                .unwrap_or_else(|| Vec::with_capacity(CHUNK + 16));
            let old = std::mem::replace(&mut self.out, fresh);
            self.history.push_back((self.out_base, old));
        }
        self.out.clear();
        self.out_pos = 0;
    }

    /// Physical line breaks strictly inside the record `[start, after)` (not its terminator).
    pub(crate) fn inner_breaks(&self, start: u64, after: u64) -> u64 {
        let end = after.saturating_sub(1);
        self.breaks
            .iter()
            .take_while(|b| b.off < end)
            .filter(|b| b.off >= start)
            .count() as u64
    }

    /// First break at or after `start`: where the line after `start`'s line begins.
    pub(crate) fn next_line_start(&self, start: u64) -> Option<u64> {
        self.breaks
            .iter()
            .find(|b| b.off >= start)
            .map(|b| b.off + u64::from(b.len))
    }

    /// True if a malformed input sequence was replaced inside `[start, after)`. Forgets
    /// everything before `after`.
    pub(crate) fn take_malformed(&mut self, start: u64, after: u64) -> bool {
        let mut hit = false;
        while let Some(&m) = self.malformed.front() {
            if m >= after {
                break;
            }
            hit |= m >= start;
            self.malformed.pop_front();
        }
        hit
    }

    fn push_break(&mut self, off: u64, len: u8) {
        if off >= self.skip_until {
            self.breaks.push_back(Break { off, len });
        }
    }

    /// Scan `self.out[from..]` (absolute base `self.out_base`) for line breaks.
    fn scan(&mut self, from: usize) {
        let base = self.out_base;
        let n = self.out.len();
        let mut i = from;
        if let Some(cr) = self.pending_cr.take() {
            if i < n && self.out[i] == b'\n' {
                self.push_break(cr, 2);
                i += 1;
            } else {
                self.push_break(cr, 1);
            }
        }
        while let Some(k) = memchr::memchr2(b'\n', b'\r', &self.out[i..n]) {
            let p = i + k;
            if self.out[p] == b'\n' {
                self.push_break(base + p as u64, 1);
                i = p + 1;
            } else if p + 1 < n {
                let len = if self.out[p + 1] == b'\n' { 2 } else { 1 };
                self.push_break(base + p as u64, len);
                i = p + usize::from(len);
            } else {
                self.pending_cr = Some(base + p as u64);
                i = p + 1;
            }
        }
    }

    /// Produce the next chunk into `self.out`. Returns false at end of stream.
    fn fill(&mut self) -> io::Result<bool> {
        loop {
            if self.done {
                return Ok(false);
            }
            // Size guard for runaway records (see module docs).
            if self.produced > self.skip_until
                && (self.produced - self.record_start > MAX_RECORD_BYTES
                    || self.breaks.len() > MAX_RECORD_LINES)
            {
                self.limit_hit = true;
                self.finish();
                return Ok(false);
            }
            self.retire_current();
            self.out_base = self.produced;
            match self.decoder.as_mut() {
                None => {
                    self.out.resize(CHUNK, 0);
                    let n = read_full(&mut self.inner, &mut self.out)?;
                    self.out.truncate(n);
                    if n == 0 {
                        self.finish();
                        return Ok(false);
                    }
                }
                Some(_) => {
                    if !self.decode_chunk()? {
                        self.finish();
                        return Ok(false);
                    }
                }
            }
            self.produced = self.out_base + self.out.len() as u64;
            if self.produced <= self.skip_until {
                continue; // still skipping towards the restart point
            }
            let from = self.skip_until.saturating_sub(self.out_base) as usize;
            self.out_pos = from;
            self.scan(from);
            return Ok(true);
        }
    }

    fn finish(&mut self) {
        self.done = true;
        self.retire_current();
        self.out_base = self.produced;
        if let Some(cr) = self.pending_cr.take() {
            self.push_break(cr, 1);
        }
    }

    /// Decode raw bytes into `self.out` until it holds about a chunk. False at the very end.
    fn decode_chunk(&mut self) -> io::Result<bool> {
        if self.decoder_done {
            return Ok(false);
        }
        let decoder = self.decoder.as_mut().expect("decoder");
        self.out.resize(CHUNK + 16, 0);
        let mut written = 0;
        loop {
            if self.raw_pos == self.raw_len && !self.raw_eof {
                self.raw_pos = 0;
                self.raw_len = read_full(&mut self.inner, &mut self.raw)?;
                self.raw_eof = self.raw_len == 0;
            }
            let last = self.raw_eof;
            let (res, read, wrote) = decoder.decode_to_utf8_without_replacement(
                &self.raw[self.raw_pos..self.raw_len],
                &mut self.out[written..CHUNK],
                last,
            );
            self.raw_pos += read;
            written += wrote;
            match res {
                DecoderResult::InputEmpty => {
                    if last {
                        self.decoder_done = true;
                        break;
                    }
                }
                DecoderResult::OutputFull => break,
                DecoderResult::Malformed(_, _) => {
                    let at = self.out_base + written as u64;
                    if at >= self.skip_until {
                        self.malformed.push_back(at);
                    }
                    // The 16 spare bytes past CHUNK always leave room for U+FFFD.
                    self.out[written..written + 3].copy_from_slice("\u{FFFD}".as_bytes());
                    written += 3;
                    if written >= CHUNK {
                        break;
                    }
                }
            }
        }
        self.out.truncate(written);
        Ok(written > 0)
    }
}

fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
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

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_pos >= self.out.len() && !self.fill()? {
            return Ok(0);
        }
        let avail = &self.out[self.out_pos..];
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.out_pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(t: &mut Tracked<&[u8]>) -> Vec<u8> {
        let mut v = Vec::new();
        t.read_to_end(&mut v).unwrap();
        v
    }

    #[test]
    fn breaks_of_all_three_kinds_across_chunk_edges() {
        let mut data = vec![b'a'; CHUNK - 1];
        data.extend_from_slice(b"\r\nb\rc\n");
        let mut t = Tracked::new(&data[..], UTF_8, 0, 1);
        assert_eq!(drain(&mut t), data);
        let got: Vec<(u64, u8)> = t.breaks.iter().map(|b| (b.off, b.len)).collect();
        let c = CHUNK as u64;
        assert_eq!(got, vec![(c - 1, 2), (c + 2, 1), (c + 4, 1)]);
    }

    #[test]
    fn malformed_windows_1252_never_happens_but_utf16_lone_surrogate_is_recorded() {
        // "a" then a lone high surrogate then "b" in UTF-16LE.
        let raw = [b'a', 0, 0x00, 0xD8, b'b', 0];
        let mut t = Tracked::new(&raw[..], encoding_rs::UTF_16LE, 0, 1);
        assert_eq!(String::from_utf8(drain(&mut t)).unwrap(), "a\u{FFFD}b");
        assert_eq!(t.malformed.iter().copied().collect::<Vec<_>>(), vec![1]);
    }

    #[test]
    fn restart_skips_output_bytes_when_decoding() {
        let raw = b"h\xe9\nx\xe9y\nz\n"; // windows-1252: é is one byte in, two out
        let mut t = Tracked::new(&raw[..], encoding_rs::WINDOWS_1252, 4, 2);
        assert_eq!(String::from_utf8(drain(&mut t)).unwrap(), "xéy\nz\n");
        let offs: Vec<u64> = t.breaks.iter().map(|b| b.off).collect();
        assert_eq!(offs, vec![8, 10]);
        assert_eq!(t.locate(4), (2, 4));
    }
}
