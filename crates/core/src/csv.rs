//! A streaming CSV reader with the semantics of TF.js's `tf.data.csv`: rows are read a chunk at
//! a time (memory stays bounded whatever the file size), cells are typed as TF.js types them
//! (`Number()` decides what is numeric; `dtype` may floor or turn the cell into 0/1), and every
//! malformed input is reported with its line. Parsing itself is the `csv` crate's (RFC 4180:
//! quoted fields may hold delimiters, quotes and newlines; CRLF, CR and LF all end a row; a
//! UTF-8 byte order mark is dropped; blank lines are skipped).
//!
//! Differences from TF.js, which splits on newlines before parsing: quoted newlines work, `""`
//! inside quotes is one quote, blank lines are skipped instead of failing, and with
//! `delimWhitespace` trailing spaces are ignored instead of adding an empty field.

pub mod cache;
mod lines;
mod number;

pub use number::{is_js_whitespace, js_number};

use crate::error::{Error, Result};
use lines::{LineCounter, Tap};
use serde::Deserialize;
use std::collections::HashMap;
use std::io::Read;

/// The `dtype` of a column config.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dtype {
    /// Numbers as float32.
    Float32,
    /// Numbers floored to integers.
    Int32,
    /// Cells turned into 0 or 1.
    Bool,
    /// Accepted as TF.js does: numeric cells still become numbers.
    String,
}

/// One entry of `columnConfigs` (the default value itself stays in JavaScript).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ColumnConfig {
    /// The column's name.
    pub name: String,
    /// How its cells are typed (numbers stay numbers when absent).
    pub dtype: Option<Dtype>,
    /// Whether an empty cell is an error.
    pub required: bool,
    /// Whether it goes to the labels (`ys`) instead of the features (`xs`).
    pub is_label: bool,
    /// Whether an empty cell takes a default value.
    pub has_default: bool,
}

/// `tf.data.csv`'s config, validated by [`CsvReader::new`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CsvConfig {
    /// Whether the first row holds the column names.
    pub has_header: bool,
    /// Column names, when the file has no header or to replace it.
    pub column_names: Option<Vec<String>>,
    /// Per-column settings (`columnConfigs`).
    pub column_configs: Vec<ColumnConfig>,
    /// Whether only the configured columns appear in elements.
    pub configured_columns_only: bool,
    /// The field delimiter (`,` when absent).
    pub delimiter: Option<String>,
    /// Whether runs of whitespace separate fields.
    pub delim_whitespace: bool,
    /// The longest record (a line, or several when a quoted field holds line breaks) read, in
    /// bytes; a longer one is an error instead of memory growing without bound.
    pub max_line_length: usize,
}

/// [`CsvConfig::max_line_length`] unless configured: far above any real CSV line, far below
/// the memory of a machine.
pub const DEFAULT_MAX_LINE_LENGTH: usize = 64 << 20;

impl Default for CsvConfig {
    fn default() -> Self {
        CsvConfig {
            has_header: true,
            column_names: None,
            column_configs: Vec::new(),
            configured_columns_only: false,
            delimiter: None,
            delim_whitespace: false,
            max_line_length: DEFAULT_MAX_LINE_LENGTH,
        }
    }
}

/// A column that appears in the elements, in file order.
#[derive(Clone, Debug)]
pub struct Column {
    /// Position of the field in a row.
    pub index: usize,
    /// The column's name.
    pub name: String,
    /// How its cells are typed.
    pub dtype: Option<Dtype>,
    /// Whether an empty cell is an error.
    pub required: bool,
    /// Whether it goes to the labels.
    pub is_label: bool,
    /// Whether an empty cell takes a default value.
    pub has_default: bool,
}

/// What a cell of a [`Chunk`] holds.
pub mod cell {
    /// `values[i]` is the cell's number.
    pub const NUMBER: u8 = 0;
    /// The cell is text: `strings[values[i]]`.
    pub const STRING: u8 = 1;
    /// The cell is empty: the column's default, or `undefined`.
    pub const EMPTY: u8 = 2;
}

/// Up to `max_rows` parsed rows, row-major over the selected columns.
#[derive(Debug, Default, PartialEq)]
pub struct Chunk {
    /// Rows read (0 at the end of the data).
    pub rows: usize,
    /// One per cell: a number cell's number, a string cell's index in `strings`, else 0.
    pub values: Vec<f64>,
    /// One [`cell`] kind per cell.
    pub kinds: Vec<u8>,
    /// The distinct texts of the string cells, in order of first appearance (a column of
    /// categories holds each category once a chunk, however many rows have it).
    pub strings: Vec<String>,
}

/// Reads rows of one CSV source.
pub struct CsvReader {
    reader: ::csv::Reader<Tap>,
    lines: LineCounter,
    /// Line on which the current record starts (1-based).
    line: u64,
    source: String,
    names: Vec<String>,
    columns: Vec<Column>,
    whitespace: bool,
    record: ::csv::ByteRecord,
    fields: Vec<usize>,
    /// Index in the chunk's `strings` of each text seen in the chunk being read.
    string_index: HashMap<String, usize>,
    rows_read: u64,
    has_header: bool,
    max_line_length: usize,
}

impl CsvReader {
    /// Opens a reader over `input` and reads the header line if there is one. `source` names the
    /// input in messages (a path or URL).
    pub fn new(input: Box<dyn Read + Send>, source: &str, config: &CsvConfig) -> Result<CsvReader> {
        let delimiter = delimiter_byte(config)?;
        if config.max_line_length == 0 {
            return Err(Error::invalid("tf.data.csv: maxLineLength must be a positive number of bytes but got 0"));
        }
        let (tap, lines) = Tap::new(input, config.max_line_length);
        let reader = ::csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(tap);
        let mut r = CsvReader {
            reader,
            lines,
            line: 0,
            source: source.to_string(),
            names: Vec::new(),
            columns: Vec::new(),
            whitespace: config.delim_whitespace,
            record: ::csv::ByteRecord::new(),
            fields: Vec::new(),
            string_index: HashMap::new(),
            rows_read: 0,
            has_header: config.has_header,
            max_line_length: config.max_line_length,
        };
        let header = if config.has_header {
            if !r.read_record()? {
                return Err(Error::Format(format!("tf.data.csv: No data was found for CSV parsing: {} is empty", r.source)));
            }
            Some(r.current_fields().map(|f| String::from_utf8_lossy(f).into_owned()).collect::<Vec<_>>())
        } else {
            None
        };
        r.names = column_names(config, header)?;
        r.columns = select_columns(config, &r.names)?;
        Ok(r)
    }

    /// Every column name, in file order.
    pub fn column_names(&self) -> &[String] {
        &self.names
    }

    /// The columns that appear in elements, in file order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Reads up to `max_rows` rows; an empty chunk means the end of the data.
    pub fn next_chunk(&mut self, max_rows: usize) -> Result<Chunk> {
        let mut chunk = Chunk::default();
        self.read_chunk(max_rows, &mut chunk)?;
        Ok(chunk)
    }

    /// Like [`CsvReader::next_chunk`], into a chunk whose buffers are reused (streaming a file
    /// allocates nothing per chunk for numbers once they have grown).
    pub fn read_chunk(&mut self, max_rows: usize, chunk: &mut Chunk) -> Result<()> {
        let max_rows = max_rows.min(1 << 16);
        let width = self.columns.len();
        chunk.values.resize(max_rows * width, 0.0);
        chunk.kinds.resize(max_rows * width, 0);
        chunk.strings.clear();
        let mut index = std::mem::take(&mut self.string_index);
        index.clear();
        let mut rows = 0;
        while rows < max_rows && self.read_record()? {
            let at = rows * width;
            self.push_row(&mut chunk.values[at..at + width], &mut chunk.kinds[at..at + width], &mut chunk.strings, &mut index)?;
            rows += 1;
            self.rows_read += 1;
        }
        self.string_index = index;
        if rows == 0 && self.rows_read == 0 {
            let what = if self.has_header { "has a header line but no data rows" } else { "is empty" };
            return Err(Error::Format(format!("tf.data.csv: {} {what}", self.source)));
        }
        chunk.rows = rows;
        chunk.values.truncate(rows * width);
        chunk.kinds.truncate(rows * width);
        Ok(())
    }

    /// Reads the next non-blank record into `self.record`; false at the end of the input.
    fn read_record(&mut self) -> Result<bool> {
        loop {
            let more = self.reader.read_byte_record(&mut self.record).map_err(|e| self.read_error(e))?;
            if !more {
                return Ok(false);
            }
            self.line = self.lines.record_start(self.reader.position().byte());
            // The reader refuses records far past the limit before they fill memory; this
            // catches those just past it.
            let length = self.record.as_slice().len() + self.record.len().saturating_sub(1);
            if length > self.max_line_length {
                return Err(self.too_long(self.line));
            }
            self.fields.clear();
            for (i, f) in self.record.iter().enumerate() {
                // Whitespace-delimited: runs of spaces count as one delimiter.
                if !(self.whitespace && f.is_empty()) {
                    self.fields.push(i);
                }
            }
            if !self.fields.is_empty() || !self.whitespace {
                return Ok(true);
            }
        }
    }

    fn current_fields(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.fields.iter().map(|&i| &self.record[i])
    }

    /// Types the current record's cells into `values`/`kinds` (one per column), adding texts not
    /// seen yet in the chunk to `strings` (and `index`).
    fn push_row(&self, values: &mut [f64], kinds: &mut [u8], strings: &mut Vec<String>, index: &mut HashMap<String, usize>) -> Result<()> {
        if self.fields.len() != self.names.len() {
            return Err(Error::Format(format!(
                "tf.data.csv: invalid row on line {} of {}: expected {} fields (one per column) but found {}",
                self.line,
                self.source,
                self.names.len(),
                self.fields.len()
            )));
        }
        for (j, col) in self.columns.iter().enumerate() {
            let raw = &self.record[self.fields[col.index]];
            values[j] = 0.0;
            if raw.is_empty() {
                if (col.required || col.is_label) && !col.has_default {
                    return Err(Error::Format(format!("tf.data.csv: required column '{}' is empty on line {} of {}", col.name, self.line, self.source)));
                }
                kinds[j] = cell::EMPTY;
                continue;
            }
            let text = String::from_utf8_lossy(raw);
            match self.typed(col, &text)? {
                Some(v) => {
                    values[j] = v;
                    kinds[j] = cell::NUMBER;
                }
                None => {
                    kinds[j] = cell::STRING;
                    let at = match index.get(text.as_ref()) {
                        Some(&at) => at,
                        None => {
                            strings.push(text.to_string());
                            index.insert(text.into_owned(), strings.len() - 1);
                            strings.len() - 1
                        }
                    };
                    values[j] = at as f64;
                }
            }
        }
        Ok(())
    }

    /// The number a non-empty cell stands for, or None to keep it as a string (TF.js's rules,
    /// except that a float32/int32 column refuses text).
    fn typed(&self, col: &Column, text: &str) -> Result<Option<f64>> {
        if col.dtype == Some(Dtype::Bool) {
            return Ok(Some(if text == "1" || text.to_lowercase() == "true" { 1.0 } else { 0.0 }));
        }
        let n = js_number(text);
        match col.dtype {
            _ if !n.is_nan() => Ok(Some(if col.dtype == Some(Dtype::Int32) { n.floor() } else { n })),
            Some(d @ (Dtype::Float32 | Dtype::Int32)) => Err(Error::Format(format!(
                "tf.data.csv: line {}, column '{}' of {}: {:?} is not a number (dtype {})",
                self.line,
                col.name,
                self.source,
                text,
                if d == Dtype::Float32 { "float32" } else { "int32" }
            ))),
            _ => Ok(None),
        }
    }
}

impl CsvReader {
    fn read_error(&self, e: ::csv::Error) -> Error {
        let source = &self.source;
        match e.into_kind() {
            ::csv::ErrorKind::Io(io) if lines::is_too_long(&io) => self.too_long(self.lines.next_line()),
            ::csv::ErrorKind::Io(io) => Error::Io(format!("tf.data.csv: cannot read {source}: {io}")),
            other => Error::Format(format!("tf.data.csv: cannot parse {source}: {other:?}")),
        }
    }

    fn too_long(&self, line: u64) -> Error {
        Error::Format(format!(
            "tf.data.csv: line {line} of {} is longer than maxLineLength ({} bytes); pass a larger maxLineLength in the csv config to read it",
            self.source, self.max_line_length
        ))
    }
}

fn delimiter_byte(config: &CsvConfig) -> Result<u8> {
    if config.delim_whitespace {
        if config.delimiter.is_some() {
            return Err(Error::invalid("Delimiter should not be provided when delimWhitespace is true."));
        }
        return Ok(b' ');
    }
    match config.delimiter.as_deref() {
        None | Some("") => Ok(b','),
        Some(d) if d.len() == 1 && !matches!(d.as_bytes()[0], b'"' | b'\n' | b'\r') => Ok(d.as_bytes()[0]),
        Some(d) => Err(Error::invalid(format!("tf.data.csv: delimiter must be one ASCII character other than a quote or a line break but got {d:?}"))),
    }
}

/// The full column names: `columnNames`, else the header; checked as TF.js checks them.
fn column_names(config: &CsvConfig, header: Option<Vec<String>>) -> Result<Vec<String>> {
    let names = match (&config.column_names, header) {
        (None, None) => return Err(Error::invalid("Column names must be provided if there is no header line.")),
        (Some(given), Some(header)) if given.len() != header.len() => {
            return Err(Error::invalid(format!(
                "The length of provided columnNames ({}) does not match the length of the header line read from file ({}).",
                given.len(),
                header.len()
            )))
        }
        (Some(given), _) => given.clone(),
        (None, Some(header)) => header,
    };
    // Hash sets keep a header of many columns linear.
    let mut seen = std::collections::HashSet::with_capacity(names.len());
    let mut reported = std::collections::HashSet::new();
    let mut duplicates: Vec<&str> = Vec::new();
    for n in &names {
        if !seen.insert(n.as_str()) && reported.insert(n.as_str()) {
            duplicates.push(n);
        }
    }
    if !duplicates.is_empty() {
        return Err(Error::invalid(format!("Duplicate column names found: {}", duplicates.join(","))));
    }
    Ok(names)
}

fn select_columns(config: &CsvConfig, names: &[String]) -> Result<Vec<Column>> {
    let known: std::collections::HashSet<&str> = names.iter().map(String::as_str).collect();
    let configs: std::collections::HashMap<&str, &ColumnConfig> = config.column_configs.iter().map(|c| (c.name.as_str(), c)).collect();
    for c in &config.column_configs {
        if !known.contains(c.name.as_str()) {
            return Err(Error::invalid(format!(
                "The key \"{}\" provided in columnConfigs does not match any of the column names ({}).",
                c.name,
                names.join(",")
            )));
        }
    }
    let mut columns = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let cfg = configs.get(name.as_str()).copied();
        if config.configured_columns_only && cfg.is_none() {
            continue;
        }
        let cfg = cfg.cloned().unwrap_or_default();
        columns.push(Column { index, name: name.clone(), dtype: cfg.dtype, required: cfg.required, is_label: cfg.is_label, has_default: cfg.has_default });
    }
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(text: &str, config: CsvConfig) -> Result<CsvReader> {
        CsvReader::new(Box::new(std::io::Cursor::new(text.as_bytes().to_vec())), "test.csv", &config)
    }

    fn all(text: &str, config: CsvConfig) -> Result<Chunk> {
        reader(text, config)?.next_chunk(usize::MAX)
    }

    #[test]
    fn types_cells_like_tfjs() {
        let c = all("\u{FEFF}a,b,c\r\n1, 2 ,x\r\n\"3,5\",,\"multi\nline\"\r\n", CsvConfig::default()).unwrap();
        assert_eq!(c.rows, 2);
        assert_eq!(c.kinds, vec![0, 0, 1, 1, 2, 1]);
        assert_eq!(c.values[..2], [1.0, 2.0]);
        assert_eq!(c.strings, vec!["x", "3,5", "multi\nline"]);
        assert_eq!((c.values[2], c.values[3], c.values[5]), (0.0, 1.0, 2.0));
        // Each text once a chunk; cells index it.
        let c = all("s,n\nb,1\na,2\nb,3\nb,x\n", CsvConfig::default()).unwrap();
        assert_eq!(c.strings, vec!["b", "a", "x"]);
        assert_eq!(c.kinds, vec![1, 0, 1, 0, 1, 0, 1, 1]);
        assert_eq!(c.values, vec![0.0, 1.0, 1.0, 2.0, 0.0, 3.0, 0.0, 2.0]);
        let mut r = reader("s\nb\na\nb\n", CsvConfig::default()).unwrap();
        assert_eq!((r.next_chunk(2).unwrap().strings, r.next_chunk(2).unwrap().strings), (vec!["b".to_string(), "a".to_string()], vec!["b".to_string()]));
        let r = reader("\u{FEFF}a,b\n1,2\n", CsvConfig::default()).unwrap();
        assert_eq!(r.column_names(), ["a", "b"]);
    }

    #[test]
    fn dtypes() {
        let config = CsvConfig {
            column_configs: vec![
                ColumnConfig { name: "i".into(), dtype: Some(Dtype::Int32), ..Default::default() },
                ColumnConfig { name: "b".into(), dtype: Some(Dtype::Bool), ..Default::default() },
            ],
            ..Default::default()
        };
        let c = all("i,b\n-1.5,TRUE\n2.9,yes\n", config.clone()).unwrap();
        assert_eq!(c.values, vec![-2.0, 1.0, 2.0, 0.0]);
        let e = all("i,b\n1,1\nx,1\n", config).unwrap_err().to_string();
        assert_eq!(e, "tf.data.csv: line 3, column 'i' of test.csv: \"x\" is not a number (dtype int32)");
    }

    #[test]
    fn bad_rows_name_their_line() {
        let e = all("a,b\n1,2\n\n3,4,5\n", CsvConfig::default()).unwrap_err().to_string();
        assert_eq!(e, "tf.data.csv: invalid row on line 4 of test.csv: expected 2 fields (one per column) but found 3");
        let req = CsvConfig { column_configs: vec![ColumnConfig { name: "b".into(), is_label: true, ..Default::default() }], ..Default::default() };
        let e = all("a,b\n1,2\n3,\n", req).unwrap_err().to_string();
        assert_eq!(e, "tf.data.csv: required column 'b' is empty on line 3 of test.csv");
        let e = all("a,b\r\n\"x\r\ny\",2\r\n\r\n1,2,3\r\n", CsvConfig::default()).unwrap_err().to_string();
        assert!(e.contains("on line 5 of"), "{e}");
        let e = all("a,b\r1,2\r3\r", CsvConfig::default()).unwrap_err().to_string();
        assert!(e.contains("on line 3 of"), "{e}");
        assert!(all("", CsvConfig::default()).unwrap_err().to_string().contains("test.csv is empty"));
        assert!(all("a,b\r\n", CsvConfig::default()).unwrap_err().to_string().contains("has a header line but no data rows"));
    }

    #[test]
    fn whitespace_and_selection() {
        let config = CsvConfig {
            delim_whitespace: true,
            configured_columns_only: true,
            column_configs: vec![ColumnConfig { name: "c".into(), ..Default::default() }],
            ..Default::default()
        };
        let r = reader("  a   b c \n1  2 3\n", config).unwrap();
        assert_eq!(r.column_names(), ["a", "b", "c"]);
        let mut r = r;
        let c = r.next_chunk(10).unwrap();
        assert_eq!((c.rows, c.values), (1, vec![3.0]));
        assert_eq!(r.next_chunk(10).unwrap().rows, 0);
    }

    #[test]
    fn lines_over_the_limit_are_refused_with_their_line() {
        let limited = |n| CsvConfig { max_line_length: n, ..Default::default() };
        // Exactly at the limit reads; one byte more does not (the header is a record too).
        let c = all("a,b\n12,34\n", limited(5)).unwrap();
        assert_eq!(c.values, vec![12.0, 34.0]);
        let e = all("a,b\n12,34\n1,2345\n", limited(5)).unwrap_err().to_string();
        assert_eq!(e, "tf.data.csv: line 3 of test.csv is longer than maxLineLength (5 bytes); pass a larger maxLineLength in the csv config to read it");
        // Far past the limit, the reader stops reading (a 1 MB field against a 1 kB limit).
        let long = format!("a,b\n1,2\n3,{}\n", "9".repeat(1 << 20));
        let e = all(&long, limited(1000)).unwrap_err().to_string();
        assert!(e.starts_with("tf.data.csv: line 3 of test.csv is longer than maxLineLength (1000 bytes)"), "{e}");
        let header = format!("{}\n1\n", "x".repeat(1 << 20));
        let e = reader(&header, limited(1000)).err().unwrap().to_string();
        assert!(e.starts_with("tf.data.csv: line 1 of test.csv is longer"), "{e}");
        let e = reader("a\n1\n", limited(0)).err().unwrap().to_string();
        assert_eq!(e, "tf.data.csv: maxLineLength must be a positive number of bytes but got 0");
    }

    #[test]
    fn many_columns_and_prototype_names() {
        // 200,000 columns (the quadratic duplicate check took minutes on this).
        let names: Vec<String> = (0..200_000).map(|i| format!("c{i}")).collect();
        let text = format!("{}\n{}\n", names.join(","), vec!["1"; names.len()].join(","));
        let mut r = reader(&text, CsvConfig::default()).unwrap();
        assert_eq!(r.column_names().len(), 200_000);
        assert_eq!(r.next_chunk(10).unwrap().rows, 1);
        let e = reader("a,b,a,c,b,a\n1,2,3,4,5,6\n", CsvConfig::default()).err().unwrap().to_string();
        assert_eq!(e, "Duplicate column names found: a,b");
        let r = reader("__proto__,constructor\n1,2\n", CsvConfig::default()).unwrap();
        assert_eq!(r.column_names(), ["__proto__", "constructor"]);
    }
}
