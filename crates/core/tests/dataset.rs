//! `Dataset` ranges: a range of rows views exactly those rows of every array, and a range past
//! the last row is an error (it used to fall back to the whole array).

use dense_mtl_core::Dataset;

/// 4 rows: x has 2 columns (row r holds r*10, r*10+1), y one column (row r holds r).
fn four_rows() -> Dataset {
    let x: Vec<f32> = (0..4).flat_map(|r| [r as f32 * 10.0, r as f32 * 10.0 + 1.0]).collect();
    let y: Vec<f32> = (0..4).map(|r| r as f32).collect();
    Dataset::new(vec![x], vec![y], 4)
}

#[test]
fn a_range_views_exactly_its_rows() {
    let data = four_rows();
    let middle = data.range(1, 2).unwrap();
    let view = middle.view().unwrap();
    assert_eq!(view.rows, 2);
    assert_eq!(view.xs[0], &[10.0, 11.0, 20.0, 21.0]);
    assert_eq!(view.ys[0], &[1.0, 2.0]);
    // A range of a range counts from the range's first row.
    let last = middle.range(1, 1).unwrap();
    assert_eq!(last.view().unwrap().xs[0], &[20.0, 21.0]);
}

#[test]
fn a_range_past_the_last_row_is_an_error_not_the_whole_array() {
    let data = four_rows();
    let err = data.range(3, 2).err().expect("rows 3..5 of 4 must be refused");
    assert_eq!(err.to_string(), "dataset: rows 3..5 are out of range for 4 rows");
    let middle = data.range(1, 2).unwrap();
    // Inside a range, the bound is the range's rows, not the underlying arrays'.
    assert!(middle.range(1, 2).is_err());
    assert!(data.range(usize::MAX, 2).is_err());
}
