//! Property tests of the streaming CSV reader: on any bytes and any config it returns rows or an
//! error, never panics and never loops; tables written by a CSV writer read back cell for cell.
//! `PROPTEST_CASES=1000000 cargo test --release -p dense-mtl-core --test csv_props` fuzzes longer.

use dense_mtl_core::csv::{cell, js_number, ColumnConfig, CsvConfig, CsvReader, Dtype};
use proptest::prelude::*;
use std::io::Cursor;

fn open(bytes: Vec<u8>, config: &CsvConfig) -> dense_mtl_core::Result<CsvReader> {
    CsvReader::new(Box::new(Cursor::new(bytes)), "fuzz.csv", config)
}

/// Reads everything in chunks of `chunk` rows; fails the test if reading does not end.
fn drain(bytes: Vec<u8>, config: &CsvConfig, chunk: usize) -> Result<(), TestCaseError> {
    let limit = bytes.len() + 2; // a row needs at least one byte
    let Ok(mut reader) = open(bytes, config) else { return Ok(()) };
    let width = reader.columns().len();
    for _ in 0..limit {
        match reader.next_chunk(chunk) {
            Ok(c) if c.rows == 0 => return Ok(()),
            Ok(c) => {
                prop_assert!(c.rows <= chunk);
                prop_assert_eq!(c.kinds.len(), c.rows * width);
                prop_assert_eq!(c.values.len(), c.kinds.len());
                // Every string cell indexes `strings`, and every entry is some cell's, once.
                let mut used = vec![false; c.strings.len()];
                for (k, v) in c.kinds.iter().zip(&c.values) {
                    if *k == cell::STRING {
                        prop_assert!((*v as usize) < c.strings.len());
                        used[*v as usize] = true;
                    }
                }
                prop_assert!(used.iter().all(|&u| u));
                let distinct: std::collections::HashSet<&String> = c.strings.iter().collect();
                prop_assert_eq!(distinct.len(), c.strings.len());
            }
            Err(_) => return Ok(()),
        }
    }
    Err(TestCaseError::fail("the reader did not reach the end of its input"))
}

/// Bytes that stress a CSV parser: structure characters, BOMs, digits, invalid UTF-8.
fn csv_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b",".to_vec()),
        Just(b";".to_vec()),
        Just(b" ".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(vec![0xEF, 0xBB, 0xBF]),
        Just(b"1.5e3".to_vec()),
        Just(b"0x1F".to_vec()),
        Just(b"-Infinity".to_vec()),
        Just(b"true".to_vec()),
        "[a-z0-9]{1,4}".prop_map(String::into_bytes),
        any::<u8>().prop_map(|b| vec![b]),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

fn config() -> impl Strategy<Value = CsvConfig> {
    let dtype = prop_oneof![Just(None), Just(Some(Dtype::Float32)), Just(Some(Dtype::Int32)), Just(Some(Dtype::Bool)), Just(Some(Dtype::String))];
    let column = ("[a-d]", dtype, any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(name, dtype, required, is_label, has_default)| ColumnConfig {
        name,
        dtype,
        required,
        is_label,
        has_default,
    });
    (
        any::<bool>(),
        prop::option::of(prop::collection::vec("[a-d]", 1..5)),
        prop::collection::vec(column, 0..3),
        any::<bool>(),
        prop_oneof![Just(None), Just(Some(",".to_string())), Just(Some(";".to_string())), Just(Some(" ".to_string())), Just(Some("::".to_string()))],
        any::<bool>(),
        prop_oneof![Just(dense_mtl_core::csv::DEFAULT_MAX_LINE_LENGTH), 1usize..40],
    )
        .prop_map(|(has_header, column_names, column_configs, configured_columns_only, delimiter, delim_whitespace, max_line_length)| CsvConfig {
            has_header,
            column_names,
            column_configs,
            configured_columns_only,
            delimiter,
            delim_whitespace,
            max_line_length,
        })
}

proptest! {
    #[test]
    fn never_panics_or_hangs(bytes in csv_bytes(), config in config(), chunk in 1usize..5) {
        drain(bytes, &config, chunk)?;
    }

    #[test]
    fn never_panics_on_raw_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        drain(bytes, &CsvConfig::default(), 3)?;
    }

    #[test]
    fn written_tables_read_back(
        table in (1usize..5).prop_flat_map(|cols| prop::collection::vec(prop::collection::vec("(\"|,|\n|\r\n| |-?[0-9]{1,3}(\\.[0-9])?|[a-zé]{1,3}){0,3}", cols), 1..8)),
    ) {
        let cols = table[0].len();
        let names: Vec<String> = (0..cols).map(|i| format!("c{i}")).collect();
        let mut w = ::csv::WriterBuilder::new().quote_style(::csv::QuoteStyle::Necessary).from_writer(Vec::new());
        w.write_record(&names).unwrap();
        for row in &table {
            w.write_record(row).unwrap(); // a lone empty field is written as `""`, not a blank line
        }
        let bytes = w.into_inner().unwrap();
        let mut reader = open(bytes, &CsvConfig::default()).unwrap();
        prop_assert_eq!(reader.column_names(), &names[..]);
        let chunk = reader.next_chunk(usize::MAX).unwrap();
        prop_assert_eq!(chunk.rows, table.len());
        for (i, field) in table.iter().flatten().enumerate() {
            let n = js_number(field);
            match chunk.kinds[i] {
                cell::EMPTY => prop_assert!(field.is_empty()),
                cell::NUMBER => prop_assert!(!field.is_empty() && (chunk.values[i] == n || (n.is_nan() && chunk.values[i].is_nan()))),
                _ => {
                    prop_assert!(n.is_nan());
                    prop_assert_eq!(&chunk.strings[chunk.values[i] as usize], field);
                }
            }
        }
    }

    #[test]
    fn numbers_round_trip(v in any::<f64>().prop_filter("finite", |v| v.is_finite())) {
        prop_assert_eq!(js_number(&v.to_string()), v);
        prop_assert_eq!(js_number(&format!(" {v:e}\t")), v);
    }

    #[test]
    fn number_never_panics(s in "\\PC{0,12}") {
        let _ = js_number(&s);
    }
}
