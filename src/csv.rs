//! `NativeCsvReader`: tf.data.csv's parser over a file (streamed) or a downloaded text, run on a
//! thread of its own so that a slow disk or a FIFO never blocks the JavaScript thread. The thread
//! sends the header, then chunks of rows, through a small bounded queue (memory stays bounded:
//! it waits while JavaScript has not taken them). JavaScript polls without blocking
//! (`header`, `takeChunk` return null while nothing has arrived) and awaits `wait()` for more.
//! A small file read again unchanged (each epoch of a fit) is served from the rows parsed the
//! first time, without a thread.

use crate::convert::WriteBack;
use crate::error::{to_js, IntoJs};
use crate::options::csv_config;
use dense_mtl_core::csv::cache::{Collector, FileStamp, KeptFile, ParsedFile, ParsedFileCache};
use dense_mtl_core::csv::{Chunk, Column, CsvConfig, CsvReader};
use dense_mtl_core::Error;
use napi::bindgen_prelude::{AsyncTask, Env, Float64Array, Task, Uint8Array};
use napi_derive::napi;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// A column that appears in elements, in file order.
#[napi(object)]
#[derive(Clone)]
pub struct CsvColumn {
    pub name: String,
    pub is_label: bool,
}

/// Every column name, and the columns that appear in elements.
#[napi(object)]
#[derive(Clone)]
pub struct CsvHeader {
    pub names: Vec<String>,
    pub columns: Vec<CsvColumn>,
    /// Rows per chunk: what was asked for, fewer for wide files (chunk buffers stay small).
    pub chunk_rows: u32,
}

/// What `takeChunk` read: the row count (0 at the end) and the distinct texts of string cells.
#[napi(object)]
pub struct CsvChunk {
    pub rows: u32,
    pub strings: Vec<String>,
}

/// What the reading thread sends: the header first (or the error that stopped it), then chunks.
enum Message {
    Header(CsvHeader),
    Rows(Chunk),
    Failed(Error),
    /// The thread is done.
    End,
}

/// Chunks waiting at most (with one being parsed and one being taken, three in memory).
const QUEUE_CHUNKS: usize = 1;

/// Cells per chunk at most, whatever the number of columns (values and kinds: 9 bytes a cell).
const CHUNK_CELLS: usize = 1 << 17;

/// Bytes of parsed chunks kept for small files read again (each epoch of a fit reads its file).
const KEPT_BYTES: usize = 16 << 20;

static KEPT: ParsedFileCache = ParsedFileCache::new(KEPT_BYTES);

/// Messages between the reading thread and JavaScript. The lock is only ever held briefly (never
/// while reading or waiting), so the JavaScript thread never blocks on it for long.
struct Queue {
    messages: VecDeque<Message>,
    /// The reading thread has finished.
    ended: bool,
    /// JavaScript closed the reader: the thread stops at its next chunk.
    closed: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    /// Signalled when a message is queued or taken, and on end and close.
    changed: Condvar,
}

impl Shared {
    /// Reading thread: queues a message once there is room; false once the reader was closed.
    fn send(&self, message: Message) -> bool {
        let mut q = lock(&self.queue);
        while q.messages.len() >= QUEUE_CHUNKS && !q.closed {
            q = self.changed.wait(q).unwrap_or_else(|p| p.into_inner());
        }
        if q.closed {
            return false;
        }
        q.messages.push_back(message);
        self.changed.notify_all();
        true
    }

    /// Reading thread: no more messages.
    fn end(&self) {
        lock(&self.queue).ended = true;
        self.changed.notify_all();
    }

    /// The next message if one has arrived, without blocking.
    fn poll(&self) -> Option<Message> {
        let mut q = lock(&self.queue);
        let message = q.messages.pop_front();
        if message.is_some() {
            self.changed.notify_all();
            return message;
        }
        q.ended.then_some(Message::End)
    }

    /// Blocks until a message has arrived, the thread ended, or `WAIT_AT_MOST` has passed: a
    /// libuv thread is never held for long (Node joins them on exit and on `worker.terminate()`,
    /// which a reader waiting on a FIFO with no writer would otherwise hold up forever).
    fn wait(&self) {
        let q = lock(&self.queue);
        let _ = self.changed.wait_timeout_while(q, WAIT_AT_MOST, |q| q.messages.is_empty() && !q.ended && !q.closed);
    }

    /// Drops what was queued and lets the reading thread stop (it is not waited for).
    fn close(&self) {
        let mut q = lock(&self.queue);
        q.closed = true;
        q.messages.clear();
        self.changed.notify_all();
    }
}

/// How long one `wait()` blocks at most before JavaScript polls again.
const WAIT_AT_MOST: Duration = Duration::from_millis(50);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Where a reader's rows come from.
enum Feed {
    /// A thread reading the source; chunks JavaScript has copied go back to it for reuse.
    Thread {
        shared: Arc<Shared>,
        recycle: Sender<Chunk>,
    },
    /// A small file read before and unchanged since: its chunks, served on the calling thread.
    Kept {
        kept: KeptFile,
        next: usize,
    },
    Closed,
}

/// A file read on the thread, to be kept if it is small and unchanged after the read.
struct Keep {
    path: PathBuf,
    key: String,
    stamp: FileStamp,
    collector: Collector,
}

#[napi]
pub struct NativeCsvReader {
    feed: Feed,
    header: Option<CsvHeader>,
    /// Set once the data ended, failed or was closed: later calls say "end" again.
    finished: bool,
}

#[napi]
impl NativeCsvReader {
    /// Reads a file on a thread of its own (nothing is read on the calling thread, which only
    /// looks up the file's size and time): or, for a small file read before and unchanged since
    /// (same size and modification time), serves the rows parsed then.
    #[napi(factory, catch_unwind)]
    pub fn open_file(path: String, config: String, chunk_rows: u32) -> napi::Result<Self> {
        // Kept rows are found by the file, and the config text and chunk size that parsed them
        // (a config is parsed only when the rows are not kept: it parsed before).
        let key = std::path::absolute(&path).ok().map(|p| format!("{}\0{chunk_rows}\0{config}", p.display()));
        let stamp = FileStamp::of(Path::new(&path));
        if let (Some(key), Some(stamp)) = (&key, &stamp) {
            if let Some(kept) = KEPT.get(key, stamp) {
                return Ok(NativeCsvReader { feed: Feed::Kept { kept, next: 0 }, header: None, finished: false });
            }
        }
        let config = csv_config(&config)?;
        let keep = key.zip(stamp).map(|(key, stamp)| Keep { path: PathBuf::from(&path), collector: KEPT.collector(Some(&stamp)), key, stamp });
        let source = path.clone();
        Self::start(source, config, chunk_rows, keep, move || {
            let file = File::open(&path).map_err(|e| {
                let why = if e.kind() == std::io::ErrorKind::NotFound { "no such file".to_string() } else { e.to_string() };
                Error::Io(format!("tf.data.csv: cannot open {path}: {why}"))
            })?;
            Ok(Box::new(file) as Box<dyn Read + Send>)
        })
    }

    /// Parses text that JavaScript already has (an HTTP response); `source` names it in messages.
    #[napi(factory, catch_unwind)]
    pub fn from_text(text: String, source: String, config: String, chunk_rows: u32) -> napi::Result<Self> {
        let config = csv_config(&config)?;
        Self::start(source, config, chunk_rows, None, move || Ok(Box::new(Cursor::new(text.into_bytes())) as Box<dyn Read + Send>))
    }

    fn start(
        source: String,
        config: CsvConfig,
        chunk_rows: u32,
        keep: Option<Keep>,
        open: impl FnOnce() -> dense_mtl_core::Result<Box<dyn Read + Send>> + Send + 'static,
    ) -> napi::Result<Self> {
        let shared = Arc::new(Shared { queue: Mutex::new(Queue { messages: VecDeque::new(), ended: false, closed: false }), changed: Condvar::new() });
        let (recycle, recycled) = channel::<Chunk>();
        let read = move |shared: &Shared| -> dense_mtl_core::Result<()> {
            let mut reader = CsvReader::new(open()?, &source, &config)?;
            let width = reader.columns().len().max(1);
            let rows = (chunk_rows.max(1) as usize).min((CHUNK_CELLS / width).max(1));
            if !shared.send(Message::Header(header_of(reader.column_names(), reader.columns(), rows))) {
                return Ok(()); // closed
            }
            let mut keep = keep;
            loop {
                let mut chunk = recycled.try_recv().unwrap_or_default();
                reader.read_chunk(rows, &mut chunk)?;
                if chunk.rows == 0 {
                    break;
                }
                if let Some(k) = &mut keep {
                    k.collector.push(&chunk);
                }
                if !shared.send(Message::Rows(chunk)) {
                    return Ok(());
                }
            }
            if let Some(Keep { path, key, stamp, collector }) = keep {
                // Kept only if the file did not change while it was read.
                if let Some(chunks) = collector.finish().filter(|_| FileStamp::of(&path).as_ref() == Some(&stamp)) {
                    let file = ParsedFile { names: reader.column_names().to_vec(), columns: reader.columns().to_vec(), chunk_rows: rows, chunks };
                    KEPT.insert(key, stamp, file);
                }
            }
            Ok(())
        };
        let thread_shared = shared.clone();
        std::thread::Builder::new()
            .name("dense-mtl-csv".into())
            .spawn(move || {
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read(&thread_shared)))
                    .unwrap_or_else(|_| Err(Error::Io("tf.data.csv: internal error while reading".into())));
                if let Err(e) = outcome {
                    thread_shared.send(Message::Failed(e));
                }
                thread_shared.end();
            })
            .map_err(|e| to_js(Error::Io(format!("tf.data.csv: cannot start a reading thread: {e}"))))?;
        Ok(NativeCsvReader { feed: Feed::Thread { shared, recycle }, header: None, finished: false })
    }

    /// The next message from the reading thread, if one is at hand (a reader without one has
    /// its header already and only ends).
    fn poll(&self) -> Option<Message> {
        match &self.feed {
            Feed::Thread { shared, .. } => shared.poll(),
            Feed::Kept { .. } | Feed::Closed => Some(Message::End),
        }
    }

    /// For rows served from a kept parse, the parse's id: a caller that already has the header
    /// of this id need not ask for it again (building it is most of the cost of opening a
    /// kept file). Null for rows read from the source.
    #[napi(getter)]
    pub fn kept_id(&self) -> Option<f64> {
        match &self.feed {
            Feed::Kept { kept, .. } => Some(kept.id as f64),
            _ => None,
        }
    }

    /// The header once it has been read, else null (await `wait()` and ask again). Throws the
    /// error that stopped the reader (no such file, a bad header, ...).
    #[napi(catch_unwind)]
    pub fn header(&mut self) -> napi::Result<Option<CsvHeader>> {
        if let (None, Feed::Kept { kept, .. }) = (&self.header, &self.feed) {
            let file = &kept.file;
            self.header = Some(header_of(&file.names, &file.columns, file.chunk_rows));
        }
        if self.header.is_none() && !self.finished {
            match self.poll() {
                Some(Message::Header(h)) => self.header = Some(h),
                Some(Message::Failed(e)) => {
                    self.finished = true;
                    return Err(e).js();
                }
                Some(_) => self.finished = true,
                None => return Ok(None),
            }
        }
        match &self.header {
            Some(h) => Ok(Some(h.clone())),
            None => Err(Error::Io("tf.data.csv: the reader ended before the header".into())).js(),
        }
    }

    /// Copies the next chunk of rows into the caller's buffers, which it reuses from chunk to
    /// chunk (new buffers per chunk would be external memory that V8's GC does not see):
    /// `values[i]` is cell i's number when `kinds[i]` is 0; kind 1 is the text
    /// `strings[values[i]]` (each text once a chunk), kind 2 an empty cell. `rows` is 0 at the
    /// end of the data; null when no chunk has arrived yet (await `wait()`). The buffers hold
    /// the header's `chunkRows` × columns cells.
    #[napi(catch_unwind)]
    pub fn take_chunk(&mut self, env: &Env, mut values: Float64Array, mut kinds: Uint8Array) -> napi::Result<Option<CsvChunk>> {
        // SAFETY: the arrays are only touched here, synchronously on the JavaScript thread.
        let taken = self.take_chunk_into(unsafe { values.as_mut() }, unsafe { kinds.as_mut() });
        if matches!(taken, Ok(Some(CsvChunk { rows: 1.., .. }))) {
            values.write_back(env);
            kinds.write_back(env);
        }
        taken
    }

    /// Resolves once the header, a chunk, the end or an error has arrived, or after 50 ms
    /// (waiting on a libuv thread, never on the JavaScript thread); then poll again.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn wait(&self) -> AsyncTask<WaitTask> {
        let shared = match &self.feed {
            Feed::Thread { shared, .. } => Some(shared.clone()),
            _ => None,
        };
        AsyncTask::new(WaitTask { shared })
    }

    /// Stops reading: the reading thread ends at its next chunk (without this, it waits until
    /// the reader is garbage collected), and every later call says "end". Called by an iterator
    /// that finished or was dropped early.
    #[napi]
    pub fn close(&mut self) {
        self.finished = true;
        if let Feed::Thread { shared, .. } = std::mem::replace(&mut self.feed, Feed::Closed) {
            shared.close();
        }
    }
}

impl NativeCsvReader {
    /// `take_chunk` on the arrays' contents.
    fn take_chunk_into(&mut self, values: &mut [f64], kinds: &mut [u8]) -> napi::Result<Option<CsvChunk>> {
        const END: CsvChunk = CsvChunk { rows: 0, strings: Vec::new() };
        if self.finished {
            return Ok(Some(END));
        }
        if let Feed::Kept { kept, next } = &mut self.feed {
            let Some(chunk) = kept.file.chunks.get(*next) else {
                self.finished = true;
                return Ok(Some(END));
            };
            *next += 1;
            copy_cells(chunk, values, kinds)?;
            return Ok(Some(CsvChunk { rows: chunk.rows as u32, strings: chunk.strings.clone() }));
        }
        let mut chunk = match self.poll() {
            None => return Ok(None),
            Some(Message::Rows(chunk)) => chunk,
            Some(Message::Failed(e)) => {
                self.finished = true;
                return Err(e).js();
            }
            Some(Message::Header(_) | Message::End) => {
                self.finished = true;
                return Ok(Some(END));
            }
        };
        copy_cells(&chunk, values, kinds)?;
        let taken = CsvChunk { rows: chunk.rows as u32, strings: std::mem::take(&mut chunk.strings) };
        if let Feed::Thread { recycle, .. } = &self.feed {
            let _ = recycle.send(chunk); // its buffers take the next chunk (unless the thread ended)
        }
        Ok(Some(taken))
    }
}

impl Drop for NativeCsvReader {
    fn drop(&mut self) {
        self.close();
    }
}

/// Copies a chunk's numbers and cell kinds into JavaScript's buffers.
fn copy_cells(chunk: &Chunk, values: &mut [f64], kinds: &mut [u8]) -> napi::Result<()> {
    let cells = chunk.values.len();
    if values.len() < cells || kinds.len() < cells {
        return Err(Error::invalid(format!("tf.data.csv: chunk buffers hold {} cells but a chunk has {cells}", values.len().min(kinds.len())))).js();
    }
    values[..cells].copy_from_slice(&chunk.values);
    kinds[..cells].copy_from_slice(&chunk.kinds);
    Ok(())
}

/// The header JavaScript sees.
fn header_of(names: &[String], columns: &[Column], chunk_rows: usize) -> CsvHeader {
    let columns = columns.iter().map(|c| CsvColumn { name: c.name.clone(), is_label: c.is_label }).collect();
    CsvHeader { names: names.to_vec(), columns, chunk_rows: chunk_rows as u32 }
}

pub struct WaitTask {
    /// None for a reader that has nothing to wait for (kept rows, or closed).
    shared: Option<Arc<Shared>>,
}

impl Task for WaitTask {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<()> {
        if let Some(shared) = &self.shared {
            shared.wait();
        }
        Ok(())
    }

    fn resolve(&mut self, _env: Env, _output: ()) -> napi::Result<()> {
        Ok(())
    }
}
