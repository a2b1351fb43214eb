//! Where the records' field values wait between cleaning and output, so that memory holds only
//! what de-duplication and linking look up ([`crate::record::Record`]) and not every value of
//! every row.
//!
//! Each record's values ([`Obj`]) are encoded into a few bytes ([`encode`]) on the cleaning
//! threads and appended to the store, which keeps the first [`Store::limit`] bytes in memory and
//! spills the rest to an unnamed temporary file (in `TMPDIR`, removed by the system when the run
//! ends, even when it is killed). Reading a record back ([`Store::get`]) decodes it again; the
//! export and the API import do it once per record, a merge once per member of a cluster.
//!
//! The encoding is private to one run: field names are numbered in a table of this process.

use crate::record::{Key, Obj, Val};
use compact_str::CompactString;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::fs::File;
use std::io::Write;
use std::sync::{LazyLock, Mutex};

/// Bytes kept in memory before the store spills to disk (about 250 000 records), unless
/// `C2T_SPOOL_MEMORY_MB` says otherwise (0 puts every record on disk: the tests use it to run
/// both paths).
pub const DEFAULT_LIMIT: usize = 64 << 20;

/// Unflushed bytes on the disk side are written out in pieces of this size.
const PENDING: usize = 1 << 20;

/// Where one record's encoded values are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Slot {
    at: u64,
    len: u32,
}

impl Slot {
    /// The size of the record's encoded values, in bytes.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Encoded values, in memory up to a limit and in a temporary file beyond it.
#[derive(Debug)]
pub struct Store {
    limit: usize,
    /// Bytes `0..mem.len()`.
    mem: Vec<u8>,
    /// Bytes from `mem.len()` on: `file` holds the first `written` of them, `pending` the rest.
    file: Option<File>,
    written: u64,
    pending: Vec<u8>,
}

impl Default for Store {
    fn default() -> Store {
        Store::with_limit(DEFAULT_LIMIT)
    }
}

impl Store {
    /// A store that keeps `limit` bytes in memory.
    pub fn with_limit(limit: usize) -> Store {
        Store {
            limit,
            mem: Vec::new(),
            file: None,
            written: 0,
            pending: Vec::new(),
        }
    }

    /// The limit from `C2T_SPOOL_MEMORY_MB`, or [`DEFAULT_LIMIT`].
    pub fn from_env() -> Store {
        let limit = std::env::var("C2T_SPOOL_MEMORY_MB")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .map_or(DEFAULT_LIMIT, |mb| mb << 20);
        Store::with_limit(limit)
    }

    /// Bytes held in memory now (the disk side's write buffer included).
    pub fn in_memory(&self) -> usize {
        self.mem.len() + self.pending.len()
    }

    /// Bytes on disk.
    pub fn on_disk(&self) -> u64 {
        self.written
    }

    /// Appends the encoded values of several records, `bytes` holding them one after the other
    /// and `ends` where each one ends; gives their slots in the same order.
    pub fn put_many(&mut self, bytes: &[u8], ends: &[usize]) -> std::io::Result<Vec<Slot>> {
        let base = if self.file.is_none() && self.mem.len() + bytes.len() <= self.limit {
            let base = self.mem.len() as u64;
            self.mem.extend_from_slice(bytes);
            base
        } else {
            let base = self.mem.len() as u64 + self.written + self.pending.len() as u64;
            self.pending.extend_from_slice(bytes);
            if self.pending.len() >= PENDING {
                self.flush()?;
            }
            base
        };
        let mut start = 0;
        Ok(ends
            .iter()
            .map(|&end| {
                let slot = Slot {
                    at: base + start as u64,
                    len: (end - start) as u32,
                };
                start = end;
                slot
            })
            .collect())
    }

    /// Encodes and appends one record's values.
    pub fn put(&mut self, values: &Obj) -> std::io::Result<Slot> {
        let mut bytes = Vec::new();
        encode(values, &mut bytes);
        let end = bytes.len();
        Ok(self.put_many(&bytes, &[end])?[0])
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let file = match &mut self.file {
            Some(f) => f,
            None => self.file.insert(tempfile::tempfile().map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!(
                        "cannot create a temporary file in {} to hold the records: {e} \
                         (set TMPDIR to a folder with room)",
                        std::env::temp_dir().display()
                    ),
                )
            })?),
        };
        file.write_all(&self.pending).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!(
                    "cannot write the records' temporary file in {}: {e} \
                     (set TMPDIR to a folder with room)",
                    std::env::temp_dir().display()
                ),
            )
        })?;
        self.written += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    /// The encoded bytes of a slot, given to `f`.
    fn with_bytes<T>(&self, slot: Slot, f: impl FnOnce(&[u8]) -> T) -> T {
        let (at, len) = (slot.at, slot.len as usize);
        let mem = self.mem.len() as u64;
        if at < mem {
            return f(&self.mem[at as usize..at as usize + len]);
        }
        let disk = at - mem;
        if disk >= self.written {
            let p = (disk - self.written) as usize;
            return f(&self.pending[p..p + len]);
        }
        thread_local! {
            static BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
        }
        BUF.with_borrow_mut(|buf| {
            buf.resize(len, 0);
            let file = self.file.as_ref().expect("a slot on disk has a file");
            read_at(file, buf, disk)
                .unwrap_or_else(|e| panic!("cannot read back the records' temporary file: {e}"));
            f(buf)
        })
    }

    /// A record's values.
    ///
    /// # Panics
    /// When the temporary file cannot be read back (the disk failed under the run).
    pub fn get(&self, slot: Slot) -> Obj {
        self.with_bytes(slot, decode)
    }

    /// The values of several records, in the order given. Records next to each other in the
    /// temporary file are read together, in one read.
    ///
    /// # Panics
    /// As [`Store::get`].
    pub fn get_many(&self, slots: impl IntoIterator<Item = Slot>) -> Vec<Obj> {
        let slots: Vec<Slot> = slots.into_iter().collect();
        let mut out: Vec<Obj> = vec![Obj::new(); slots.len()];
        self.each_bytes(&slots, |k, b| out[k] = decode(b));
        out
    }

    /// The encoded bytes of several records, one after the other in the order given, and where
    /// each one ends: what [`parts`] reads without building the values. Read as
    /// [`Store::get_many`] reads.
    pub fn bytes_many(&self, slots: &[Slot]) -> (Vec<u8>, Vec<usize>) {
        let mut ends = Vec::with_capacity(slots.len());
        let mut total = 0;
        for s in slots {
            total += s.len as usize;
            ends.push(total);
        }
        let mut bytes = vec![0u8; total];
        self.each_bytes(slots, |k, b| {
            let start = ends[k] - b.len();
            bytes[start..ends[k]].copy_from_slice(b);
        });
        (bytes, ends)
    }

    /// Calls `f` with the index of each slot and its encoded bytes, in no particular order,
    /// reading runs of neighbouring slots on disk in one piece.
    fn each_bytes(&self, slots: &[Slot], mut f: impl FnMut(usize, &[u8])) {
        let mem = self.mem.len() as u64;
        let mut order: Vec<usize> = Vec::new();
        for (k, &s) in slots.iter().enumerate() {
            if s.at >= mem && s.at - mem < self.written {
                order.push(k);
            } else {
                self.with_bytes(s, |b| f(k, b));
            }
        }
        order.sort_unstable_by_key(|&k| slots[k].at);
        // Runs of slots whose gaps are small, read in one piece of at most RUN bytes.
        const GAP: u64 = 64 << 10;
        const RUN: u64 = 4 << 20;
        let mut buf = Vec::new();
        let mut i = 0;
        while i < order.len() {
            let start = slots[order[i]].at;
            let mut end = start + u64::from(slots[order[i]].len);
            let mut j = i + 1;
            while j < order.len() {
                let s = slots[order[j]];
                let s_end = s.at + u64::from(s.len);
                if s.at > end + GAP || s_end - start > RUN {
                    break;
                }
                end = end.max(s_end);
                j += 1;
            }
            buf.resize((end - start) as usize, 0);
            let file = self.file.as_ref().expect("a slot on disk has a file");
            read_at(file, &mut buf, start - mem)
                .unwrap_or_else(|e| panic!("cannot read back the records' temporary file: {e}"));
            for &k in &order[i..j] {
                let from = (slots[k].at - start) as usize;
                f(k, &buf[from..from + slots[k].len as usize]);
            }
            i = j;
        }
    }

    /// Calls `f` with every field and composite part of these records that holds a value (as
    /// [`Val::is_empty`] says), without building the values: `(field, "")` for the field,
    /// `(field, part)` for each part of a composite one. Read as [`Store::get_many`] reads.
    pub fn filled_many(&self, slots: &[Slot], f: &mut impl FnMut(Key, Key)) {
        self.each_bytes(slots, |_, b| filled_in(b, f));
    }
}

/// [`Store::filled_many`] on one record's encoded values.
fn filled_in(b: &[u8], f: &mut impl FnMut(Key, Key)) {
    let mut r = Reader { b, at: 0 };
    if r.byte() != OBJ {
        return;
    }
    let mut parts: Vec<Key> = Vec::new();
    for _ in 0..r.len() {
        let k = key_name(r.len() as u32);
        parts.clear();
        let empty = if r.b[r.at] == OBJ {
            r.at += 1;
            let mut all_empty = true;
            for _ in 0..r.len() {
                let sub = key_name(r.len() as u32);
                if !skip_val(&mut r) {
                    all_empty = false;
                    parts.push(sub);
                }
            }
            all_empty
        } else {
            skip_val(&mut r)
        };
        if !empty {
            f(k, "");
            for &sub in &parts {
                f(k, sub);
            }
        }
    }
}

/// A value of encoded values, borrowed from them: text and plain scalars as they are, anything
/// else still encoded ([`Part::to_val`] decodes it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Part<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Str(&'a str),
    Encoded(&'a [u8]),
}

impl Part<'_> {
    pub fn to_val(&self) -> Val {
        match *self {
            Part::Null => Val::Null,
            Part::Bool(b) => Val::Bool(b),
            Part::Int(i) => Val::Int(i),
            Part::Str(s) => Val::Str(s.into()),
            Part::Encoded(b) => decode_val(&mut Reader { b, at: 0 }),
        }
    }
}

/// The number this run gives the field or part name `name`, if a record has used it.
pub fn name_id(name: &str) -> Option<u32> {
    let t = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    t.ids.get(name).copied()
}

/// Calls `f` with every field of one record's encoded values, as `(field, None, value)`, and,
/// for a field holding an object, with each of its parts as `(field, Some(part), value)` right
/// after it; names are their [`name_id`]s. Nothing is built: text is borrowed from `bytes`.
pub fn parts<'a>(bytes: &'a [u8], mut f: impl FnMut(u32, Option<u32>, Part<'a>)) {
    let mut r = Reader { b: bytes, at: 0 };
    if r.byte() != OBJ {
        return;
    }
    for _ in 0..r.len() {
        let k = r.len() as u32;
        let start = r.at;
        if r.b[r.at] == OBJ {
            skip_val(&mut r);
            f(k, None, Part::Encoded(&bytes[start..r.at]));
            let mut s = Reader {
                b: bytes,
                at: start + 1,
            };
            for _ in 0..s.len() {
                let sub = s.len() as u32;
                f(k, Some(sub), part(&mut s));
            }
        } else {
            f(k, None, part(&mut r));
        }
    }
}

/// The value at `r`, read past.
fn part<'a>(r: &mut Reader<'a>) -> Part<'a> {
    let start = r.at;
    match r.b[r.at] {
        NULL => {
            r.at += 1;
            Part::Null
        }
        FALSE | TRUE => Part::Bool(r.byte() == TRUE),
        INT => {
            r.at += 1;
            Part::Int(i64::from_le_bytes(r.eight()))
        }
        STR => {
            r.at += 1;
            let n = r.len();
            Part::Str(std::str::from_utf8(r.take(n)).expect("the store holds UTF-8 text"))
        }
        _ => {
            skip_val(r);
            Part::Encoded(&r.b[start..r.at])
        }
    }
}

/// Reads past one value; true when it is empty as [`Val::is_empty`] says.
fn skip_val(r: &mut Reader<'_>) -> bool {
    match r.byte() {
        NULL => true,
        FALSE | TRUE => false,
        INT | FLOAT => {
            r.at += 8;
            false
        }
        STR => {
            let n = r.len();
            r.at += n;
            n == 0
        }
        LIST => {
            let n = r.len();
            for _ in 0..n {
                skip_val(r);
            }
            n == 0
        }
        OBJ => {
            let mut empty = true;
            for _ in 0..r.len() {
                r.len();
                empty &= skip_val(r);
            }
            empty
        }
        t => panic!("the records' store is damaged (tag {t})"),
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(windows)]
fn read_at(file: &File, mut buf: &mut [u8], mut at: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, at)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
fn read_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = file;
    f.seek(SeekFrom::Start(at))?;
    f.read_exact(buf)
}

// The field-name table: names are numbered the first time a record holding them is encoded.
// Each thread keeps its own copy of what it has used, so the shared table is locked only for
// names it has not seen yet (a few dozen per run).

#[derive(Default)]
struct Names {
    ids: FxHashMap<&'static str, u32>,
    names: Vec<&'static str>,
}

static NAMES: LazyLock<Mutex<Names>> = LazyLock::new(Default::default);

thread_local! {
    /// Name (by address and length) → id, as this thread has looked them up.
    static IDS: RefCell<FxHashMap<(usize, usize), u32>> = RefCell::new(FxHashMap::default());
    /// Id → name, a prefix of the shared table.
    static KNOWN: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
}

fn key_id(k: Key) -> u32 {
    IDS.with_borrow_mut(|ids| {
        *ids.entry((k.as_ptr() as usize, k.len()))
            .or_insert_with(|| {
                let mut t = NAMES.lock().unwrap_or_else(|e| e.into_inner());
                let next = t.names.len() as u32;
                let id = *t.ids.entry(k).or_insert(next);
                if id == next {
                    t.names.push(k);
                }
                id
            })
    })
}

fn key_name(id: u32) -> Key {
    KNOWN.with_borrow_mut(|known| known_name(known, id as usize))
}

/// The name of `id` from `known`, this thread's copy of the table, brought up to date first
/// when the id is newer than the copy.
fn known_name(known: &mut Vec<Key>, id: usize) -> Key {
    if id >= known.len() {
        let t = NAMES.lock().unwrap_or_else(|e| e.into_inner());
        known.clone_from(&t.names);
    }
    known[id]
}

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const INT: u8 = 3;
const FLOAT: u8 = 4;
const STR: u8 = 5;
const LIST: u8 = 6;
const OBJ: u8 = 7;

fn put_len(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Encodes, as [`encode`] would encode the object they make, `entries`: `(field, None, value)`
/// for a whole field, `(field, Some(part), value)` for a composite field with that one part.
/// What [`crate::record::Lookup::of`] keeps, without building that object. Gives where each
/// entry's value starts in `out`.
pub fn encode_entries(entries: &[(Key, Option<Key>, &Val)], out: &mut Vec<u8>) -> Vec<usize> {
    out.push(OBJ);
    put_len(out, entries.len());
    let mut starts = Vec::with_capacity(entries.len());
    for &(k, part, v) in entries {
        put_len(out, key_id(k) as usize);
        if let Some(part) = part {
            out.push(OBJ);
            put_len(out, 1);
            put_len(out, key_id(part) as usize);
        }
        starts.push(out.len());
        encode_val(v, out);
    }
    starts
}

/// Where the text of the encoded value at `at` is (start and length), when it is text.
pub(crate) fn text_span(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let mut r = Reader { b: bytes, at };
    if r.byte() != STR {
        return None;
    }
    let n = r.len();
    Some((r.at, n))
}

/// Appends `n` in the store's variable-length form (what [`read_varint`] reads back).
pub(crate) fn put_varint(out: &mut Vec<u8>, n: usize) {
    put_len(out, n);
}

/// Reads a number written by [`put_varint`] at `*at`, moving `*at` past it.
pub(crate) fn read_varint(bytes: &[u8], at: &mut usize) -> usize {
    let mut r = Reader { b: bytes, at: *at };
    let n = r.len();
    *at = r.at;
    n
}

/// Appends the encoding of a record's values to `out`.
pub fn encode(values: &Obj, out: &mut Vec<u8>) {
    out.push(OBJ);
    put_len(out, values.len());
    for (k, v) in values.iter() {
        put_len(out, key_id(k) as usize);
        encode_val(v, out);
    }
}

fn encode_val(v: &Val, out: &mut Vec<u8>) {
    match v {
        Val::Null => out.push(NULL),
        Val::Bool(false) => out.push(FALSE),
        Val::Bool(true) => out.push(TRUE),
        Val::Int(i) => {
            out.push(INT);
            out.extend_from_slice(&i.to_le_bytes());
        }
        Val::Float(f) => {
            out.push(FLOAT);
            out.extend_from_slice(&f.to_bits().to_le_bytes());
        }
        Val::Str(s) => {
            out.push(STR);
            put_len(out, s.len());
            out.extend_from_slice(s.as_bytes());
        }
        Val::List(l) => {
            out.push(LIST);
            put_len(out, l.len());
            for x in l {
                encode_val(x, out);
            }
        }
        Val::Obj(o) => encode(o, out),
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> u8 {
        let b = self.b[self.at];
        self.at += 1;
        b
    }

    fn len(&mut self) -> usize {
        let (mut n, mut shift) = (0usize, 0);
        loop {
            let b = self.byte();
            n |= usize::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return n;
            }
            shift += 7;
        }
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let s = &self.b[self.at..self.at + n];
        self.at += n;
        s
    }

    fn eight(&mut self) -> [u8; 8] {
        self.take(8).try_into().expect("eight bytes")
    }
}

fn decode_val(r: &mut Reader<'_>) -> Val {
    match r.byte() {
        NULL => Val::Null,
        FALSE => Val::Bool(false),
        TRUE => Val::Bool(true),
        INT => Val::Int(i64::from_le_bytes(r.eight())),
        FLOAT => Val::Float(f64::from_bits(u64::from_le_bytes(r.eight()))),
        STR => {
            let n = r.len();
            let s = std::str::from_utf8(r.take(n)).expect("the store holds UTF-8 text");
            Val::Str(CompactString::from(s))
        }
        LIST => {
            let n = r.len();
            Val::List((0..n).map(|_| decode_val(r)).collect())
        }
        OBJ => {
            let n = r.len();
            let mut o = Obj::with_capacity(n);
            for _ in 0..n {
                let k = key_name(r.len() as u32);
                let v = decode_val(r);
                o.push_unchecked(k, v);
            }
            Val::Obj(o)
        }
        t => panic!("the records' store is damaged (tag {t})"),
    }
}

/// The encoded value at a dotted path of encoded values, as a slice of them.
fn find<'a>(bytes: &'a [u8], path: &str) -> Option<&'a [u8]> {
    let mut r = Reader { b: bytes, at: 0 };
    // The names are looked up in this thread's copy of the table, borrowed once for the walk.
    KNOWN.with_borrow_mut(|known| {
        for part in path.split('.') {
            if r.byte() != OBJ {
                return None;
            }
            let n = r.len();
            let mut found = false;
            for _ in 0..n {
                if known_name(known, r.len()) == part {
                    found = true;
                    break;
                }
                skip_val(&mut r);
            }
            if !found {
                return None;
            }
        }
        let start = r.at;
        skip_val(&mut r);
        Some(&bytes[start..r.at])
    })
}

/// The text at a dotted path of encoded values, when it is text.
pub(crate) fn find_str<'a>(bytes: &'a [u8], path: &str) -> Option<&'a str> {
    let v = find(bytes, path)?;
    let mut r = Reader { b: v, at: 0 };
    if r.byte() != STR {
        return None;
    }
    let n = r.len();
    Some(std::str::from_utf8(r.take(n)).expect("the store holds UTF-8 text"))
}

/// The value at a top-level field of encoded values.
pub(crate) fn find_val(bytes: &[u8], field: &str) -> Option<Val> {
    let v = find(bytes, field)?;
    Some(decode_val(&mut Reader { b: v, at: 0 }))
}

/// Decodes what [`encode`] wrote.
pub fn decode(bytes: &[u8]) -> Obj {
    match decode_val(&mut Reader { b: bytes, at: 0 }) {
        Val::Obj(o) => o,
        _ => Obj::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn sample() -> Obj {
        Obj::from_json(
            json!({
                "name": {"firstName": "Zoë", "lastName": "Müller-Lüdenscheidt von Hohenzollern"},
                "emails": {"primaryEmail": "zoe@example.org", "additionalEmails": ["a@b.co", "c@d.io"]},
                "amount": {"amountMicros": 12_500_500_000i64, "currencyCode": "EUR"},
                "score": 0.125,
                "active": true,
                "closed": false,
                "gone": null,
                "tags": [],
                "negative": -3
            })
            .as_object()
            .unwrap(),
        )
    }

    #[test]
    fn values_come_back_as_they_went_in() {
        let v = sample();
        let mut b = Vec::new();
        encode(&v, &mut b);
        assert_eq!(decode(&b), v);
        assert_eq!(decode(&b).to_json(), v.to_json(), "same order, same JSON");
    }

    #[test]
    fn parts_are_the_values_read_in_place() {
        let v = sample();
        let mut b = Vec::new();
        encode(&v, &mut b);
        let name = key_name;
        let mut got: Vec<(String, Val)> = Vec::new();
        parts(&b, |k, sub, part| {
            let path = match sub {
                Some(s) => format!("{}.{}", name(k), name(s)),
                None => name(k).to_string(),
            };
            got.push((path, part.to_val()));
        });
        let mut want: Vec<(String, Val)> = Vec::new();
        for (k, val) in v.iter() {
            want.push((k.to_string(), val.clone()));
            if let Val::Obj(o) = val {
                for (sub, x) in o.iter() {
                    want.push((format!("{k}.{sub}"), x.clone()));
                }
            }
        }
        assert_eq!(got, want);
        assert_eq!(name_id("emails").map(name), Some("emails"));
        assert_eq!(name_id("no such field anywhere"), None);
        // Text is borrowed, not copied.
        parts(&b, |_, _, part| {
            if let Part::Str(s) = part {
                assert!(b.as_ptr_range().contains(&s.as_ptr()));
            }
        });
    }

    #[test]
    fn a_store_gives_back_each_record_from_memory_or_disk() {
        for limit in [0, 200, 1 << 20] {
            let mut s = Store::with_limit(limit);
            let records: Vec<Obj> = (0..300)
                .map(|i| {
                    let mut o = sample();
                    o.insert("n", Val::Int(i));
                    // 1.5 MB in all: some on disk, some waiting in the write buffer.
                    o.insert("body", Val::str("é".repeat(2500)));
                    o
                })
                .collect();
            let slots: Vec<Slot> = records.iter().map(|o| s.put(o).unwrap()).collect();
            for (o, &slot) in records.iter().zip(&slots) {
                assert_eq!(&s.get(slot), o, "limit {limit}");
            }
            // Read together, in any order, with repeats.
            let mut picked: Vec<usize> = (0..300).rev().step_by(3).chain([5, 5, 299, 0]).collect();
            picked.extend(0..300);
            let got = s.get_many(picked.iter().map(|&i| slots[i]));
            for (&i, o) in picked.iter().zip(&got) {
                assert_eq!(o, &records[i], "limit {limit}, record {i}");
            }
            let picked_slots: Vec<Slot> = picked.iter().map(|&i| slots[i]).collect();
            let (bytes, ends) = s.bytes_many(&picked_slots);
            let mut start = 0;
            for (&i, &end) in picked.iter().zip(&ends) {
                assert_eq!(
                    decode(&bytes[start..end]),
                    records[i],
                    "limit {limit}, record {i}"
                );
                start = end;
            }
            if limit == 0 {
                assert!(s.on_disk() > 0 && !s.pending.is_empty() && s.mem.is_empty());
            }
            if limit == 1 << 20 {
                assert_eq!(s.on_disk(), 0);
            }
        }
    }

    #[test]
    fn several_records_at_once() {
        let mut s = Store::with_limit(0);
        let (a, b) = (sample(), Obj::from_pairs([("name", Val::str("x"))]));
        let mut bytes = Vec::new();
        encode(&a, &mut bytes);
        let first = bytes.len();
        encode(&b, &mut bytes);
        let slots = s.put_many(&bytes, &[first, bytes.len()]).unwrap();
        assert_eq!(s.get(slots[0]), a);
        assert_eq!(s.get(slots[1]), b);
    }

    #[test]
    fn filled_names_the_fields_and_parts_with_a_value() {
        let mut s = Store::default();
        let slot = s.put(&sample()).unwrap();
        let mut seen = Vec::new();
        s.filled_many(&[slot], &mut |k, sub| seen.push(format!("{k}.{sub}")));
        assert!(seen.contains(&"emails.".to_string()));
        assert!(seen.contains(&"emails.additionalEmails".to_string()));
        assert!(seen.contains(&"amount.currencyCode".to_string()));
        assert!(
            !seen
                .iter()
                .any(|s| s.starts_with("gone") || s.starts_with("tags"))
        );
    }

    #[test]
    fn a_lookup_keeps_the_looked_up_values_only() {
        use crate::record::Lookup;
        let l = Lookup::of(&sample());
        assert_eq!(l.str("emails.primaryEmail"), Some("zoe@example.org"));
        assert_eq!(l.str("emails.additionalEmails"), None, "not kept");
        assert_eq!(l.str("amount.currencyCode"), None, "not kept");
        assert_eq!(l.str("name"), None, "an object, not text");
        assert_eq!(l.get("name").unwrap()["firstName"], "Zoë");
        assert_eq!(l.to_obj().keys().collect::<Vec<_>>(), ["name", "emails"]);
        let company = Obj::from_json(
            json!({"name": "", "domainName": {"primaryLinkUrl": "https://acme.com", "secondaryLinks": []}, "stage": "LOST"})
                .as_object()
                .unwrap(),
        );
        let l = Lookup::of(&company);
        assert_eq!(l.str("name"), Some(""), "empty text is still text");
        assert_eq!(l.str("domainName.primaryLinkUrl"), Some("https://acme.com"));
        assert_eq!(l.str("stage"), Some("LOST"));
        assert_eq!(l.str("title"), None);
        assert_eq!(l.str("stage.x"), None);
    }

    fn val() -> impl Strategy<Value = Val> {
        let leaf = prop_oneof![
            Just(Val::Null),
            any::<bool>().prop_map(Val::Bool),
            any::<i64>().prop_map(Val::Int),
            any::<f64>()
                .prop_filter("NaN is not equal to itself", |f| !f.is_nan())
                .prop_map(Val::Float),
            ".{0,40}".prop_map(Val::str),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Val::List),
                prop::collection::vec(("[a-z]{1,6}", inner), 0..5).prop_map(|kv| {
                    let mut o = Obj::new();
                    for (k, v) in kv {
                        o.insert(&k, v);
                    }
                    Val::Obj(o)
                }),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_value_round_trips(fields in prop::collection::vec(("[a-zA-Z]{1,8}", val()), 0..8)) {
            let mut o = Obj::new();
            for (k, v) in fields {
                o.insert(&k, v);
            }
            let mut b = Vec::new();
            encode(&o, &mut b);
            prop_assert_eq!(decode(&b), o.clone());
            // What `filled_many` names is what the decoded values hold.
            let mut want = Vec::new();
            for (k, v) in o.iter() {
                if v.is_empty() {
                    continue;
                }
                want.push((k, ""));
                if let Val::Obj(parts) = v {
                    want.extend(parts.iter().filter(|(_, sv)| !sv.is_empty()).map(|(sub, _)| (k, sub)));
                }
            }
            let mut s = Store::with_limit(0);
            let slot = s.put(&o).unwrap();
            let mut got = Vec::new();
            s.filled_many(&[slot], &mut |k, sub| got.push((k, sub)));
            prop_assert_eq!(&got, &want);
            // And what the record's mask names (an object of its own per case, so that bits
            // do not run out across cases).
            static CASE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = CASE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let object = crate::record::intern(&format!("object-{n}"));
            let mask = crate::filled::mask(object, &o);
            if mask & crate::filled::OVERFLOW == 0 {
                let mut named = crate::filled::pairs(object, mask);
                named.sort();
                want.sort();
                prop_assert_eq!(named, want);
            }
        }
    }
}
