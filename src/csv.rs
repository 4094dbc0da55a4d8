//! `NativeCsvReader`: tf.data.csv's parser over a file (streamed) or a downloaded text.

use crate::convert::from_json;
use crate::error::IntoJs;
use dense_mtl_core::csv::{CsvConfig, CsvReader};
use dense_mtl_core::Error;
use napi::bindgen_prelude::{Float64Array, Uint8Array};
use napi_derive::napi;
use std::fs::File;
use std::io::Cursor;

/// A column that appears in elements, in file order.
#[napi(object)]
pub struct CsvColumn {
    pub name: String,
    pub is_label: bool,
}

/// What `nextChunk` read: the row count (0 at the end) and the string cells in order.
#[napi(object)]
pub struct CsvChunk {
    pub rows: u32,
    pub strings: Vec<String>,
}

#[napi]
pub struct NativeCsvReader {
    reader: CsvReader,
}

#[napi]
impl NativeCsvReader {
    /// Opens a file and reads its header line; rows are read as `nextChunk` asks for them.
    #[napi(factory, catch_unwind)]
    pub fn open_file(path: String, config: serde_json::Value) -> napi::Result<Self> {
        let config: CsvConfig = from_json("tf.data.csv", config)?;
        let file = File::open(&path).map_err(|e| {
            let why = if e.kind() == std::io::ErrorKind::NotFound { "no such file".to_string() } else { e.to_string() };
            Error::Io(format!("tf.data.csv: cannot open {path}: {why}"))
        });
        let reader = CsvReader::new(Box::new(file.js()?), &path, &config).js()?;
        Ok(NativeCsvReader { reader })
    }

    /// Parses text that JavaScript already has (an HTTP response); `source` names it in messages.
    #[napi(factory, catch_unwind)]
    pub fn from_text(text: String, source: String, config: serde_json::Value) -> napi::Result<Self> {
        let config: CsvConfig = from_json("tf.data.csv", config)?;
        let reader = CsvReader::new(Box::new(Cursor::new(text.into_bytes())), &source, &config).js()?;
        Ok(NativeCsvReader { reader })
    }

    /// Every column name, in file order.
    #[napi(catch_unwind)]
    pub fn column_names(&self) -> Vec<String> {
        self.reader.column_names().to_vec()
    }

    /// The columns that appear in elements.
    #[napi(catch_unwind)]
    pub fn columns(&self) -> Vec<CsvColumn> {
        self.reader.columns().iter().map(|c| CsvColumn { name: c.name.clone(), is_label: c.is_label }).collect()
    }

    /// Reads up to `maxRows` rows into the caller's buffers, row-major over the columns, which it
    /// reuses from chunk to chunk (new buffers per chunk would be external memory that V8's GC
    /// does not see): `values[i]` is cell i's number when `kinds[i]` is 0; kind 1 is the next of
    /// `strings`, kind 2 an empty cell. `rows` is 0 at the end of the data.
    #[napi(catch_unwind)]
    pub fn next_chunk(&mut self, max_rows: u32, mut values: Float64Array, mut kinds: Uint8Array) -> napi::Result<CsvChunk> {
        let mut strings = Vec::new();
        // SAFETY: the arrays are only touched here, synchronously on the JavaScript thread.
        let (values, kinds) = unsafe { (values.as_mut(), kinds.as_mut()) };
        let rows = self.reader.next_chunk_into(max_rows.max(1) as usize, values, kinds, &mut strings).js()?;
        Ok(CsvChunk { rows: rows as u32, strings })
    }
}
