//! The one error type of the crate.
//!
//! Every variant names what went wrong in terms an analyst can act on: the file and line, the
//! column, the offending value, the area and year. Bindings map the variants onto a small Python
//! exception hierarchy rooted at `saferstats.SaferstatsError`.

use std::path::PathBuf;

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong in saferstats.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or folder could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// No input file matched what the caller gave.
    #[error("no input files found for {0}")]
    NoInputFiles(String),

    /// A file has no header or no bytes at all.
    #[error("{source_name}: the file is empty")]
    EmptyFile { source_name: String },

    /// A compressed file is corrupt or cut short.
    #[error("{source_name}: corrupt or truncated gzip data near line {line}: {reason}")]
    Decompression {
        source_name: String,
        line: u64,
        reason: String,
    },

    /// Bytes that are not valid UTF-8.
    #[error("{source_name}, line {line}: bytes are not valid UTF-8 ({reason})")]
    Encoding {
        source_name: String,
        line: u64,
        reason: String,
    },

    /// A required column is absent from a file header or a data frame.
    #[error("{source_name}: missing column '{column}' (found: {found})")]
    MissingColumn {
        source_name: String,
        column: String,
        found: String,
    },

    /// A header that does not match the expected shape.
    #[error("{source_name}: unexpected header: {reason}")]
    UnexpectedHeader { source_name: String, reason: String },

    /// A lookup or population file whose column layout is not one of the published shapes.
    #[error("{source_name}: unknown {what} shape; header was [{header}]. {hint}")]
    UnknownShape {
        source_name: String,
        what: &'static str,
        header: String,
        hint: &'static str,
    },

    /// A value that cannot be parsed or is out of range, located by source, line and column.
    #[error("{source_name}, line {line}, column '{column}': {reason} (value: {value:?})")]
    BadValue {
        source_name: String,
        line: u64,
        column: String,
        value: String,
        reason: String,
    },

    /// A key that must be unique appears more than once (area-year, LSOA, month...).
    #[error("{source_name}: duplicated {what} {key}")]
    Duplicate {
        source_name: String,
        what: &'static str,
        key: String,
    },

    /// A caller-supplied parameter is invalid.
    #[error("invalid parameter '{name}': {reason}")]
    InvalidParameter { name: &'static str, reason: String },

    /// A series or table has fewer periods than the method needs.
    #[error("insufficient periods for {what}: {reason}")]
    InsufficientPeriods { what: String, reason: String },

    /// An error raised by polars while transforming frames.
    #[error(transparent)]
    Polars(#[from] polars::prelude::PolarsError),
}

impl Error {
    /// A [`Error::MissingColumn`] for a frame, listing the columns it does have.
    pub(crate) fn missing_column(
        source_name: &str,
        column: &str,
        frame: &polars::prelude::DataFrame,
    ) -> Self {
        Error::MissingColumn {
            source_name: source_name.to_string(),
            column: column.to_string(),
            found: frame
                .get_column_names()
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// Short helper for [`Error::InvalidParameter`].
    pub(crate) fn param(name: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidParameter {
            name,
            reason: reason.into(),
        }
    }
}
