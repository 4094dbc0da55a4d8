//! Exact line numbers for CSV records. The `csv` crate skips blank lines without reporting
//! them, so its positions can be off; instead, the bytes handed to the parser are kept until
//! the parser has passed them, and line breaks (LF, CRLF or a lone CR) are counted there.
//! The same bookkeeping bounds a record's length: bytes delivered past the end of the last
//! record belong to the record being parsed (plus the parser's read-ahead).

use std::io::Read;
use std::sync::{Arc, Mutex};

/// Bytes read but not yet numbered; `base` is the file offset of `bytes[0]`.
#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    base: u64,
    /// File offset where the last record parsed ended.
    parsed: u64,
}

/// The parser reads ahead by at most its buffer (the `csv` crate's is 8 KiB).
const READ_AHEAD: u64 = 64 << 10;

/// A reader that keeps a copy of what it delivers for the [`LineCounter`], and fails once the
/// record being parsed is longer than `max_record` bytes.
pub struct Tap {
    inner: Box<dyn Read + Send>,
    pending: Arc<Mutex<Pending>>,
    max_record: u64,
}

/// The error a [`Tap`] returns for a record over its limit.
#[derive(Debug)]
struct TooLong;

impl std::fmt::Display for TooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("line too long")
    }
}

impl std::error::Error for TooLong {}

/// Whether `e` is a [`Tap`]'s refusal of a record over its limit.
pub fn is_too_long(e: &std::io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<TooLong>())
}

impl Tap {
    pub fn new(inner: Box<dyn Read + Send>, max_record: usize) -> (Tap, LineCounter) {
        let pending = Arc::new(Mutex::new(Pending::default()));
        let tap = Tap { inner, pending: pending.clone(), max_record: max_record as u64 };
        (tap, LineCounter { pending, consumed: 0, line: 1, prev: 0 })
    }
}

impl Read for Tap {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut p = lock(&self.pending);
        let unparsed = (p.base + p.bytes.len() as u64).saturating_sub(p.parsed);
        if unparsed > self.max_record.saturating_add(READ_AHEAD) {
            return Err(std::io::Error::other(TooLong));
        }
        drop(p);
        let n = self.inner.read(buf)?;
        p = lock(&self.pending);
        p.bytes.try_reserve(n).map_err(|_| std::io::Error::other(TooLong))?;
        p.bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

fn lock(p: &Mutex<Pending>) -> std::sync::MutexGuard<'_, Pending> {
    p.lock().unwrap_or_else(|e| e.into_inner())
}

/// Numbers the lines of the bytes the parser has consumed.
pub struct LineCounter {
    pending: Arc<Mutex<Pending>>,
    /// Bytes of `pending` already counted.
    consumed: usize,
    /// Line of the next uncounted byte (1-based).
    line: u64,
    /// The last counted byte (a CR followed by an LF is one line break).
    prev: u8,
}

impl LineCounter {
    /// Counts the bytes up to offset `end` (where the parser stands after a record) and returns
    /// the line on which that record started: the first byte that is not a line break.
    pub fn record_start(&mut self, end: u64) -> u64 {
        let mut p = lock(&self.pending);
        p.parsed = p.parsed.max(end);
        let stop = ((end.saturating_sub(p.base)) as usize).min(p.bytes.len());
        let mut start = None;
        for &b in &p.bytes[self.consumed.min(stop)..stop] {
            let is_break = b == b'\r' || b == b'\n';
            if start.is_none() && !is_break {
                start = Some(self.line);
            }
            if b == b'\r' || (b == b'\n' && self.prev != b'\r') {
                self.line += 1;
            }
            self.prev = b;
        }
        self.consumed = self.consumed.max(stop);
        // Forget counted bytes once they are half the buffer (amortized O(1) per byte).
        if self.consumed > 4096 && self.consumed * 2 > p.bytes.len() {
            let n = self.consumed;
            p.bytes.drain(..n);
            p.base += n as u64;
            self.consumed = 0;
        }
        start.unwrap_or(self.line)
    }

    /// The line of the next byte not yet counted (where the record being parsed starts, unless
    /// blank lines come first).
    pub fn next_line(&self) -> u64 {
        self.line
    }
}
