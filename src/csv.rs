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

/// Up to `maxRows` rows, row-major over the columns: `kinds` says per cell whether it is
/// `values[i]` (0), the next of `strings` (1) or empty (2).
#[napi(object)]
pub struct CsvChunk {
    pub rows: u32,
    pub values: Float64Array,
    pub kinds: Uint8Array,
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

    /// Reads up to `maxRows` rows; `rows` is 0 at the end of the data.
    #[napi(catch_unwind)]
    pub fn next_chunk(&mut self, max_rows: u32) -> napi::Result<CsvChunk> {
        let chunk = self.reader.next_chunk(max_rows.max(1) as usize).js()?;
        Ok(CsvChunk {
            rows: chunk.rows as u32,
            values: Float64Array::new(chunk.values),
            kinds: Uint8Array::new(chunk.kinds),
            strings: chunk.strings,
        })
    }
}

