//! JavaScript's `Number(string)`, which tf.data.csv uses to decide whether a cell is numeric.

/// The characters JavaScript's `String.prototype.trim` (and so `Number()`) strips: WhiteSpace
/// and LineTerminator of ECMA-262. Unlike `char::is_whitespace`, this includes U+FEFF and
/// excludes U+0085.
pub fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}' | '\u{FEFF}'
    )
}

/// `Number(s)` as JavaScript computes it: surrounding whitespace is ignored, an empty string
/// is 0, `Infinity` may be signed, `0x`/`0o`/`0b` literals may not; anything else is NaN.
pub fn js_number(s: &str) -> f64 {
    let s = s.trim_matches(is_js_whitespace);
    if s.is_empty() {
        return 0.0;
    }
    let b = s.as_bytes();
    if b.len() > 2 && b[0] == b'0' {
        let radix = match b[1] {
            b'x' | b'X' => 16,
            b'o' | b'O' => 8,
            b'b' | b'B' => 2,
            _ => 0,
        };
        if radix != 0 {
            return parse_radix(&s[2..], radix);
        }
    }
    let (sign, unsigned) = match b[0] {
        b'+' => (1.0, &s[1..]),
        b'-' => (-1.0, &s[1..]),
        _ => (1.0, s),
    };
    if unsigned == "Infinity" {
        return sign * f64::INFINITY;
    }
    // Rust's grammar is JavaScript's StrDecimalLiteral plus "inf"/"nan" spellings, which start
    // with a letter: only digits or '.' may begin the unsigned part.
    match unsigned.as_bytes().first() {
        Some(c) if c.is_ascii_digit() || *c == b'.' => s.parse().unwrap_or(f64::NAN),
        _ => f64::NAN,
    }
}

/// An unsigned integer literal in base 2, 8 or 16, correctly rounded as JavaScript does.
fn parse_radix(digits: &str, radix: u32) -> f64 {
    let mut exact: u128 = 0;
    let mut approx = 0.0f64;
    let mut overflowed = false;
    for c in digits.chars() {
        let Some(d) = c.to_digit(radix) else { return f64::NAN };
        if !overflowed {
            match exact.checked_mul(radix as u128).and_then(|v| v.checked_add(d as u128)) {
                Some(v) => exact = v,
                None => {
                    overflowed = true;
                    approx = exact as f64;
                }
            }
        }
        if overflowed {
            approx = approx * radix as f64 + d as f64;
        }
    }
    if overflowed {
        approx
    } else {
        exact as f64
    }
}

#[cfg(test)]
mod tests {
    use super::js_number;

    #[test]
    fn matches_javascript() {
        let cases: &[(&str, f64)] = &[
            ("5.1", 5.1),
            (" 3 ", 3.0),
            ("\u{FEFF}7", 7.0),
            ("", 0.0),
            ("  ", 0.0),
            ("-0.5e-3", -0.0005),
            ("+.5", 0.5),
            ("5.", 5.0),
            ("1E3", 1000.0),
            ("0x1F", 31.0),
            ("0B101", 5.0),
            ("0o17", 15.0),
            ("007", 7.0),
            ("-Infinity", f64::NEG_INFINITY),
            ("Infinity", f64::INFINITY),
        ];
        for &(s, v) in cases {
            assert_eq!(js_number(s), v, "Number({s:?})");
        }
        for s in ["NA", "NaN", "nan", "inf", "infinity", "-inf", ".", "e5", "1e", "1_0", "0x", "-0x10", "0xG", "1,5", "١", "1 2", "\u{85}1"] {
            assert!(js_number(s).is_nan(), "Number({s:?}) should be NaN");
        }
        assert!(js_number("-0").is_sign_negative());
        assert_eq!(js_number("0x1fffffffffffff1"), 0x1fffffffffffff1u64 as f64);
    }
}
