//! The one error type of the core. Every fallible call returns [`Result`]; the binding converts
//! it to a JavaScript `Error` in a single place.

use std::fmt;

/// Everything that can go wrong in the core. Messages name the argument, what was expected
/// and what came, so they can be shown to a user unchanged.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A caller passed a value that is not allowed (`units must be a positive integer but got 0`).
    InvalidArgument(String),
    /// A name that is not one of a known set (activation, loss, optimizer, ...).
    UnknownName {
        /// What was named (`loss`, `activation`, ...).
        kind: &'static str,
        /// The name given.
        name: String,
        /// The names that are accepted.
        valid: Vec<&'static str>,
    },
    /// Two shapes that had to agree do not.
    ShapeMismatch {
        /// The argument or value.
        what: String,
        /// The shape it must have.
        expected: String,
        /// The shape it has.
        got: String,
    },
    /// A NaN or an infinity where only finite numbers are accepted.
    NonFinite {
        /// The argument.
        what: String,
        /// The row of the first such value.
        row: usize,
        /// Its column.
        column: usize,
        /// The value.
        value: f32,
    },
    /// The model must be compiled first.
    NotCompiled(String),
    /// Reading or writing a file or a stream failed.
    Io(String),
    /// A file's content is not in the expected format.
    Format(String),
    /// The memory a call needs cannot be had (refused before allocating, or an allocation failed).
    OutOfMemory(String),
    /// Training reached a non-finite loss or gradient (the step was not applied).
    Diverged(String),
}

impl Error {
    /// Shorthand for [`Error::InvalidArgument`].
    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::InvalidArgument(msg.into())
    }

    /// Shorthand for [`Error::ShapeMismatch`].
    pub fn shape(what: impl Into<String>, expected: impl fmt::Display, got: impl fmt::Display) -> Self {
        Error::ShapeMismatch { what: what.into(), expected: expected.to_string(), got: got.to_string() }
    }

    /// Whether the caller is at fault (as opposed to the environment, such as a failed read).
    pub fn is_caller_error(&self) -> bool {
        !matches!(self, Error::Io(_) | Error::OutOfMemory(_) | Error::Diverged(_))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidArgument(msg) | Error::NotCompiled(msg) | Error::Io(msg) | Error::Format(msg) | Error::OutOfMemory(msg) | Error::Diverged(msg) => {
                f.write_str(msg)
            }
            Error::UnknownName { kind, name, valid } => {
                write!(f, "Unknown {kind} '{name}'. Expected one of: {}", valid.join(", "))
            }
            Error::ShapeMismatch { what, expected, got } => write!(f, "{what}: expected {expected} but got {got}"),
            Error::NonFinite { what, row, column, value } => {
                // Spelled as JavaScript prints it, since the message is read there.
                let value = if value.is_nan() {
                    "NaN"
                } else if *value > 0.0 {
                    "Infinity"
                } else {
                    "-Infinity"
                };
                write!(f, "{what} must hold finite numbers, but row {row}, column {column} is {value}")
            }
        }
    }
}

impl std::error::Error for Error {}

/// The core's result type.
pub type Result<T> = std::result::Result<T, Error>;

/// Looks `name` up in a table of `(name, value)` pairs, or returns [`Error::UnknownName`]
/// listing the names callers may use (`canonical` excludes aliases from the list).
pub(crate) fn lookup<T: Copy>(kind: &'static str, name: &str, table: &[(&'static str, T)], canonical: usize) -> Result<T> {
    table.iter().find(|(n, _)| *n == name).map(|(_, v)| *v).ok_or_else(|| Error::UnknownName {
        kind,
        name: name.to_string(),
        valid: table.iter().take(canonical).map(|(n, _)| *n).collect(),
    })
}
