//! Small CSV files kept parsed between reads. A training loop reads its file once per epoch;
//! parsing it again each time costs more than training on it when the file is small (the Iris
//! flow: 150 rows, 200 epochs). A file is kept only while it is a regular file of the same size
//! and modification time, and only while every kept file fits in a byte budget, so big files
//! still stream a chunk at a time with bounded memory.

use super::{Chunk, Column};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// What identifies a version of a file: its size and modification time (nanoseconds where the
/// file system has them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl FileStamp {
    /// The stamp of a regular file; None for anything else (a FIFO, a device, a missing file),
    /// which is never kept.
    pub fn of(path: &Path) -> Option<FileStamp> {
        let meta = std::fs::metadata(path).ok()?;
        meta.is_file().then(|| FileStamp { len: meta.len(), modified: meta.modified().ok() })
    }

    /// The file's size in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True for an empty file.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A whole file, parsed: what a reader would deliver, header and every chunk.
#[derive(Debug)]
pub struct ParsedFile {
    /// The column names, from the header or the config.
    pub names: Vec<String>,
    /// Each column's type and default, as the reader resolved them.
    pub columns: Vec<Column>,
    /// Rows per chunk the file was read with.
    pub chunk_rows: usize,
    /// Every chunk of rows, in file order.
    pub chunks: Vec<Chunk>,
}

/// Bytes a chunk holds (what the budget counts).
fn chunk_bytes(c: &Chunk) -> usize {
    c.values.len() * std::mem::size_of::<f64>() + c.kinds.len() + c.strings.iter().map(|s| s.len() + std::mem::size_of::<String>()).sum::<usize>()
}

/// Copies of the chunks of one read, while they fit in `limit` bytes; given up past it.
pub struct Collector {
    chunks: Option<Vec<Chunk>>,
    bytes: usize,
    limit: usize,
}

impl Collector {
    /// Keeps a copy of `chunk`, unless the read outgrew the limit (then keeps nothing more).
    pub fn push(&mut self, chunk: &Chunk) {
        if let Some(chunks) = &mut self.chunks {
            self.bytes += chunk_bytes(chunk);
            if self.bytes > self.limit {
                self.chunks = None;
            } else {
                chunks.push(Chunk { rows: chunk.rows, values: chunk.values.clone(), kinds: chunk.kinds.clone(), strings: chunk.strings.clone() });
            }
        }
    }

    /// The chunks copied, if the whole read fitted.
    pub fn finish(self) -> Option<Vec<Chunk>> {
        self.chunks
    }
}

struct Entry {
    key: String,
    stamp: FileStamp,
    bytes: usize,
    kept: KeptFile,
}

/// A kept parse of a file, and an id no other parse gets (a reader that saw this id before
/// already has its header).
#[derive(Clone, Debug)]
pub struct KeptFile {
    /// Unique to this parse within the process.
    pub id: u64,
    /// The parse.
    pub file: Arc<ParsedFile>,
}

/// Ids of kept parses: never reused.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Parsed files by key (the file and how it is read), least recently used first out.
pub struct ParsedFileCache {
    budget: usize,
    /// Most recently used last; a handful of entries, so a list is the simplest map.
    entries: Mutex<Vec<Entry>>,
}

impl ParsedFileCache {
    /// A cache holding at most `budget` bytes of parsed chunks.
    pub const fn new(budget: usize) -> ParsedFileCache {
        ParsedFileCache { budget, entries: Mutex::new(Vec::new()) }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The parsed file kept under `key` if the file still has `stamp`; a stale entry is dropped.
    pub fn get(&self, key: &str, stamp: &FileStamp) -> Option<KeptFile> {
        let mut entries = self.entries();
        let at = entries.iter().position(|e| e.key == key)?;
        let entry = entries.remove(at);
        if entry.stamp != *stamp {
            return None;
        }
        let kept = entry.kept.clone();
        entries.push(entry);
        Some(kept)
    }

    /// A collector for a read of a file of this stamp: one that keeps nothing when the file is
    /// too big to be worth keeping (a quarter of the budget on disk).
    pub fn collector(&self, stamp: Option<&FileStamp>) -> Collector {
        let worth = stamp.is_some_and(|s| s.len <= (self.budget / 4) as u64);
        Collector { chunks: worth.then(Vec::new), bytes: 0, limit: self.budget / 2 }
    }

    /// Keeps a parsed file under `key`, dropping the least recently used entries to stay within
    /// the budget.
    pub fn insert(&self, key: String, stamp: FileStamp, file: ParsedFile) {
        let bytes = file.chunks.iter().map(chunk_bytes).sum::<usize>();
        if bytes > self.budget {
            return;
        }
        let mut entries = self.entries();
        entries.retain(|e| e.key != key);
        let mut total = entries.iter().map(|e| e.bytes).sum::<usize>();
        while total + bytes > self.budget {
            total -= entries.remove(0).bytes;
        }
        let kept = KeptFile { id: NEXT_ID.fetch_add(1, Ordering::Relaxed), file: Arc::new(file) };
        entries.push(Entry { key, stamp, bytes, kept });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(rows: usize, s: &str) -> Chunk {
        Chunk { rows, values: vec![1.0; rows], kinds: vec![0; rows], strings: vec![s.to_string()] }
    }

    fn parsed(rows: usize) -> ParsedFile {
        ParsedFile { names: vec!["a".into()], columns: Vec::new(), chunk_rows: rows, chunks: vec![chunk(rows, "x")] }
    }

    fn stamp(len: u64) -> FileStamp {
        FileStamp { len, modified: Some(SystemTime::UNIX_EPOCH) }
    }

    #[test]
    fn a_kept_file_is_served_until_its_stamp_changes() {
        let cache = ParsedFileCache::new(1 << 20);
        cache.insert("k".into(), stamp(10), parsed(3));
        let kept = cache.get("k", &stamp(10)).unwrap();
        assert_eq!(kept.file.chunks, vec![chunk(3, "x")]);
        assert_eq!(cache.get("k", &stamp(10)).unwrap().id, kept.id, "the same parse keeps its id");
        assert!(cache.get("other", &stamp(10)).is_none());
        // A new size (or time) drops the entry: the file is parsed again.
        assert!(cache.get("k", &stamp(11)).is_none());
        assert!(cache.get("k", &stamp(10)).is_none());
        let later = FileStamp { len: 10, modified: Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_nanos(1)) };
        cache.insert("k".into(), stamp(10), parsed(3));
        assert_ne!(cache.get("k", &stamp(10)).unwrap().id, kept.id, "a new parse has a new id");
        assert!(cache.get("k", &later).is_none());
    }

    #[test]
    fn the_budget_drops_the_least_recently_used() {
        // One entry of 100 rows: 100 × 9 bytes + 1 string (1 + 24 bytes) = 925 bytes.
        let one = chunk_bytes(&chunk(100, "x"));
        assert_eq!(one, 100 * 9 + 1 + std::mem::size_of::<String>());
        let cache = ParsedFileCache::new(2 * one);
        cache.insert("a".into(), stamp(1), parsed(100));
        cache.insert("b".into(), stamp(1), parsed(100));
        assert!(cache.get("a", &stamp(1)).is_some()); // now b is the least recently used
        cache.insert("c".into(), stamp(1), parsed(100));
        assert!(cache.get("b", &stamp(1)).is_none());
        assert!(cache.get("a", &stamp(1)).is_some());
        assert!(cache.get("c", &stamp(1)).is_some());
        // A file bigger than the whole budget is not kept (and drops nothing).
        cache.insert("big".into(), stamp(1), parsed(300));
        assert!(cache.get("big", &stamp(1)).is_none());
        assert!(cache.get("a", &stamp(1)).is_some());
    }

    #[test]
    fn collectors_give_up_on_big_files_and_big_reads() {
        // A 100-row chunk is 925 bytes (see above): two are past half of 3000.
        let cache = ParsedFileCache::new(3000);
        // On disk over a quarter of the budget: nothing is copied.
        let mut c = cache.collector(Some(&stamp(751)));
        c.push(&chunk(1, "x"));
        assert!(c.finish().is_none());
        assert!(cache.collector(None).finish().is_none());
        // Parsed past half the budget: given up.
        let mut c = cache.collector(Some(&stamp(750)));
        c.push(&chunk(100, "x"));
        c.push(&chunk(100, "y"));
        assert!(c.finish().is_none());
        let mut c = cache.collector(Some(&stamp(750)));
        c.push(&chunk(100, "x"));
        assert_eq!(c.finish().unwrap(), vec![chunk(100, "x")]);
    }

    #[test]
    fn stamps_are_of_regular_files_only() {
        let dir = std::env::temp_dir().join(format!("dense-mtl-cache-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a.csv");
        std::fs::write(&file, "a\n1\n").unwrap();
        assert_eq!(FileStamp::of(&file).unwrap().len(), 4);
        assert!(FileStamp::of(&dir).is_none());
        assert!(FileStamp::of(&dir.join("missing.csv")).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
