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

    /// An element of a numeric slice that a kernel cannot take (a negative, NaN or infinite
    /// count...), located by its 0-based position in the slice.
    #[error("{what}: value {value} at index {index} (0-based): {reason}")]
    InvalidValue {
        /// The slice (`"counts"`, `"seasonal"`...), with the series it belongs to when known.
        what: String,
        /// 0-based position in the slice.
        index: usize,
        /// The offending value.
        value: f64,
        /// What the value should have been.
        reason: String,
    },

    /// The data are valid but the statistic is undefined for them, e.g. every value equal
    /// (Kruskal–Wallis, QS) or a zero moving average (classical seasonal indices).
    #[error("{method} is undefined for these data: {reason}")]
    Degenerate {
        /// The function that refused, with the series it was run on when known.
        method: String,
        /// Why the statistic is undefined.
        reason: String,
    },

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

    /// The same error, raised while working on one series (e.g. `"area_code=E05000001,
    /// crime_type=Burglary"`) of a frame: the series is added to what the error names, and the
    /// variant (hence the Python exception class) is kept. `InsufficientPeriods`, `InvalidValue`
    /// and `Degenerate` gain " for/of {series}" in `what`/`method`, `InvalidParameter` a
    /// "{series}: " prefix on `reason`; other variants are returned unchanged.
    pub(crate) fn in_series(self, series: &str) -> Self {
        match self {
            Error::InsufficientPeriods { what, reason } => Error::InsufficientPeriods {
                what: format!("{what} for {series}"),
                reason,
            },
            Error::InvalidValue {
                what,
                index,
                value,
                reason,
            } => Error::InvalidValue {
                what: format!("{what} of {series}"),
                index,
                value,
                reason,
            },
            Error::Degenerate { method, reason } => Error::Degenerate {
                method: format!("{method} for {series}"),
                reason,
            },
            Error::InvalidParameter { name, reason } => Error::InvalidParameter {
                name,
                reason: format!("{series}: {reason}"),
            },
            other => other,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_errors_read_well_and_keep_their_variant_in_a_series() {
        let series = "area_code=E05000001, crime_type=Burglary";
        let e = Error::InvalidValue {
            what: "counts".into(),
            index: 3,
            value: -1.0,
            reason: "counts must be finite and non-negative".into(),
        };
        assert_eq!(
            e.to_string(),
            "counts: value -1 at index 3 (0-based): counts must be finite and non-negative"
        );
        let e = e.in_series(series);
        assert!(matches!(&e, Error::InvalidValue { index: 3, .. }));
        assert!(
            e.to_string()
                .starts_with(&format!("counts of {series}: value -1"))
        );

        let e = Error::Degenerate {
            method: "qs_test".into(),
            reason: "the first differences are all equal (no variation)".into(),
        };
        assert_eq!(
            e.to_string(),
            "qs_test is undefined for these data: the first differences are all equal (no variation)"
        );
        assert!(
            e.in_series(series)
                .to_string()
                .starts_with(&format!("qs_test for {series} is undefined"))
        );

        let e = Error::InsufficientPeriods {
            what: "stl".into(),
            reason: "needs at least 24 months, got 20".into(),
        }
        .in_series(series);
        assert_eq!(
            e.to_string(),
            format!("insufficient periods for stl for {series}: needs at least 24 months, got 20")
        );

        let e = Error::param("threshold", "must be positive and finite, got NaN").in_series(series);
        assert!(matches!(
            e,
            Error::InvalidParameter {
                name: "threshold",
                ..
            }
        ));
        assert!(
            e.to_string()
                .contains(&format!("{series}: must be positive"))
        );

        let e = Error::NoInputFiles("x".into()).in_series(series);
        assert_eq!(e.to_string(), "no input files found for x");
    }
}
