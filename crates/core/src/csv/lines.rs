//! Exact line numbers for CSV records. The `csv` crate skips blank lines without reporting
//! them, so its positions can be off; instead, the bytes handed to the parser are kept until
//! the parser has passed them, and line breaks (LF, CRLF or a lone CR) are counted there.

use std::io::Read;
use std::sync::{Arc, Mutex};

/// Bytes read but not yet numbered; `base` is the file offset of `bytes[0]`.
#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    base: u64,
}

/// A reader that keeps a copy of what it delivers for the [`LineCounter`].
pub struct Tap {
    inner: Box<dyn Read + Send>,
    pending: Arc<Mutex<Pending>>,
}

impl Tap {
    pub fn new(inner: Box<dyn Read + Send>) -> (Tap, LineCounter) {
        let pending = Arc::new(Mutex::new(Pending::default()));
        (Tap { inner, pending: pending.clone() }, LineCounter { pending, consumed: 0, line: 1, prev: 0 })
    }
}

impl Read for Tap {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        lock(&self.pending).bytes.extend_from_slice(&buf[..n]);
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
}
