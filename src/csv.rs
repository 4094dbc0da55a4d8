//! `NativeCsvReader`: tf.data.csv's parser over a file (streamed) or a downloaded text, run on a
//! thread of its own so that a slow disk or a FIFO never blocks the JavaScript thread. The thread
//! sends the header, then chunks of rows, through a small bounded channel (memory stays bounded:
//! it waits while JavaScript has not taken them). JavaScript polls without blocking
//! (`header`, `takeChunk` return null while nothing has arrived) and awaits `wait()` for more.

use crate::error::{to_js, IntoJs};
use crate::options::csv_config;
use dense_mtl_core::csv::{Chunk, CsvConfig, CsvReader};
use dense_mtl_core::Error;
use napi::bindgen_prelude::{AsyncTask, Env, Float64Array, Task, Uint8Array};
use napi_derive::napi;
use std::fs::File;
use std::io::{Cursor, Read};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, TryRecvError};
use std::sync::{Arc, Mutex};
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

/// What `takeChunk` read: the row count (0 at the end) and the string cells in order.
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
    /// The thread is done (the channel closed).
    End,
}

/// Chunks waiting at most (with one being parsed and one being taken, three in memory).
const CHANNEL_CHUNKS: usize = 1;

/// Cells per chunk at most, whatever the number of columns (values and kinds: 9 bytes a cell).
const CHUNK_CELLS: usize = 1 << 17;

struct Shared {
    /// Locked for a blocking `recv` by `wait()` (on a libuv thread); the JavaScript thread only
    /// ever `try_lock`s it.
    receiver: Mutex<Receiver<Message>>,
    /// A message `wait()` received, for the JavaScript thread to take.
    arrived: Mutex<Option<Message>>,
}

impl Shared {
    /// The next message if one has arrived, without blocking.
    fn poll(&self) -> Option<Message> {
        if let Some(m) = lock(&self.arrived).take() {
            return Some(m);
        }
        let receiver = self.receiver.try_lock().ok()?; // a wait() in progress: nothing yet
        match receiver.try_recv() {
            Ok(m) => Some(m),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Message::End),
        }
    }

    /// Blocks until a message has arrived (kept in `arrived`) or `WAIT_AT_MOST` has passed: a
    /// libuv thread is never held for long (Node joins them on exit and on `worker.terminate()`,
    /// which a reader waiting on a FIFO with no writer would otherwise hold up forever).
    fn wait(&self) {
        let receiver = lock(&self.receiver);
        if lock(&self.arrived).is_some() {
            return;
        }
        let m = match receiver.recv_timeout(WAIT_AT_MOST) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => return,
            Err(RecvTimeoutError::Disconnected) => Message::End,
        };
        *lock(&self.arrived) = Some(m);
    }
}

/// How long one `wait()` blocks at most before JavaScript polls again.
const WAIT_AT_MOST: Duration = Duration::from_millis(50);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[napi]
pub struct NativeCsvReader {
    shared: Arc<Shared>,
    header: Option<CsvHeader>,
    /// Set once the data ended or failed: later calls say "end" again.
    finished: bool,
}

#[napi]
impl NativeCsvReader {
    /// Starts reading a file on a thread of its own (nothing is read on the calling thread).
    #[napi(factory, catch_unwind)]
    pub fn open_file(path: String, config: serde_json::Value, chunk_rows: u32) -> napi::Result<Self> {
        let config = csv_config(config)?;
        let source = path.clone();
        Self::start(source, config, chunk_rows, move || {
            let file = File::open(&path).map_err(|e| {
                let why = if e.kind() == std::io::ErrorKind::NotFound { "no such file".to_string() } else { e.to_string() };
                Error::Io(format!("tf.data.csv: cannot open {path}: {why}"))
            })?;
            Ok(Box::new(file) as Box<dyn Read + Send>)
        })
    }

    /// Parses text that JavaScript already has (an HTTP response); `source` names it in messages.
    #[napi(factory, catch_unwind)]
    pub fn from_text(text: String, source: String, config: serde_json::Value, chunk_rows: u32) -> napi::Result<Self> {
        let config = csv_config(config)?;
        Self::start(source, config, chunk_rows, move || Ok(Box::new(Cursor::new(text.into_bytes())) as Box<dyn Read + Send>))
    }

    fn start(
        source: String,
        config: CsvConfig,
        chunk_rows: u32,
        open: impl FnOnce() -> dense_mtl_core::Result<Box<dyn Read + Send>> + Send + 'static,
    ) -> napi::Result<Self> {
        let (sender, receiver) = sync_channel(CHANNEL_CHUNKS);
        let read = move |sender: &std::sync::mpsc::SyncSender<Message>| -> dense_mtl_core::Result<()> {
            let mut reader = CsvReader::new(open()?, &source, &config)?;
            let columns = reader.columns().iter().map(|c| CsvColumn { name: c.name.clone(), is_label: c.is_label }).collect();
            let width = reader.columns().len().max(1);
            let rows = (chunk_rows.max(1) as usize).min((CHUNK_CELLS / width).max(1));
            let header = CsvHeader { names: reader.column_names().to_vec(), columns, chunk_rows: rows as u32 };
            if sender.send(Message::Header(header)).is_err() {
                return Ok(()); // the reader was dropped
            }
            loop {
                let chunk = reader.next_chunk(rows)?;
                if chunk.rows == 0 || sender.send(Message::Rows(chunk)).is_err() {
                    return Ok(());
                }
            }
        };
        std::thread::Builder::new()
            .name("dense-mtl-csv".into())
            .spawn(move || {
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read(&sender)))
                    .unwrap_or_else(|_| Err(Error::Io("tf.data.csv: internal error while reading".into())));
                if let Err(e) = outcome {
                    let _ = sender.send(Message::Failed(e));
                }
            })
            .map_err(|e| to_js(Error::Io(format!("tf.data.csv: cannot start a reading thread: {e}"))))?;
        let shared = Shared { receiver: Mutex::new(receiver), arrived: Mutex::new(None) };
        Ok(NativeCsvReader { shared: Arc::new(shared), header: None, finished: false })
    }

    /// The header once it has been read, else null (await `wait()` and ask again). Throws the
    /// error that stopped the reader (no such file, a bad header, ...).
    #[napi(catch_unwind)]
    pub fn header(&mut self) -> napi::Result<Option<CsvHeader>> {
        if self.header.is_none() && !self.finished {
            match self.shared.poll() {
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
    /// `values[i]` is cell i's number when `kinds[i]` is 0; kind 1 is the next of `strings`,
    /// kind 2 an empty cell. `rows` is 0 at the end of the data; null when no chunk has arrived
    /// yet (await `wait()`). The buffers hold the header's `chunkRows` × columns cells.
    #[napi(catch_unwind)]
    pub fn take_chunk(&mut self, mut values: Float64Array, mut kinds: Uint8Array) -> napi::Result<Option<CsvChunk>> {
        if self.finished {
            return Ok(Some(CsvChunk { rows: 0, strings: Vec::new() }));
        }
        let chunk = match self.shared.poll() {
            None => return Ok(None),
            Some(Message::Rows(chunk)) => chunk,
            Some(Message::Failed(e)) => {
                self.finished = true;
                return Err(e).js();
            }
            Some(Message::Header(_) | Message::End) => {
                self.finished = true;
                return Ok(Some(CsvChunk { rows: 0, strings: Vec::new() }));
            }
        };
        // SAFETY: the arrays are only touched here, synchronously on the JavaScript thread.
        let (values, kinds) = unsafe { (values.as_mut(), kinds.as_mut()) };
        let cells = chunk.values.len();
        if values.len() < cells || kinds.len() < cells {
            return Err(Error::invalid(format!("tf.data.csv: chunk buffers hold {} cells but a chunk has {cells}", values.len().min(kinds.len())))).js();
        }
        values[..cells].copy_from_slice(&chunk.values);
        kinds[..cells].copy_from_slice(&chunk.kinds);
        Ok(Some(CsvChunk { rows: chunk.rows as u32, strings: chunk.strings }))
    }

    /// Resolves once the header, a chunk, the end or an error has arrived, or after 50 ms
    /// (waiting on a libuv thread, never on the JavaScript thread); then poll again.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn wait(&self) -> AsyncTask<WaitTask> {
        AsyncTask::new(WaitTask { shared: self.shared.clone() })
    }
}

pub struct WaitTask {
    shared: Arc<Shared>,
}

impl Task for WaitTask {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<()> {
        self.shared.wait();
        Ok(())
    }

    fn resolve(&mut self, _env: Env, _output: ()) -> napi::Result<()> {
        Ok(())
    }
}
