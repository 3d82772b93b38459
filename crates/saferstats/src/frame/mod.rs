//! Frame-level analytics: a DataFrame and a spec in, a table and a typed report out, for every
//! area, group and period at once. Each function validates its input frame, declares its key
//! columns (see [`crate::schema`]) and calls the kernels of [`crate::stats`].

pub mod change;
pub mod dispersion;
pub mod grid_hotspots;
pub mod hotspots;
pub mod peers;
pub mod rates;
pub mod seasonality;
pub mod shares;
pub(crate) mod table;
pub mod trends;

use polars::prelude::DataFrame;

/// What a frame function returns: its table and a typed, serialisable report of what it
/// used, matched and set aside. Functions with several tables (hotspots, seasonality) return a
/// struct with each table and a `report` instead.
///
/// # Examples
///
/// ```
/// use saferstats::frame::{Output, shares::{shares, ShareSpec}};
/// use saferstats::polars::prelude::*;
/// use saferstats::schema::Keys;
/// let t = df!("area_code" => ["A", "A"], "crime_type" => ["Burglary", "Drugs"], "count" => [3i64, 1])?;
/// let Output { table, report } = shares(&t, &ShareSpec::new("crime_type", Keys::by(["crime_type"])))?;
/// assert_eq!(table.height(), 2);
/// assert_eq!(report.within, ["area_code"]);
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Output<R> {
    /// The result, one row per input row (or per group, as the function documents), keeping
    /// the input's key columns.
    pub table: DataFrame,
    /// What was computed and how (keys, methods, rows used and set aside).
    pub report: R,
}
