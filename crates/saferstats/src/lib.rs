//! # saferstats
//!
//! Crime statistics for Community Safety Partnership strategic assessments, on polars frames:
//! readers for data.police.uk street-level files and ONS lookups and population estimates,
//! reporting periods, and counts per area, group and period on the complete grid.
//!
//! Every function works on all areas, groups and periods at once (frames in, frames out) and
//! returns a report of what it read, kept and set aside.
//!
//! ```
//! use saferstats::datasets::medway_2014;
//! use saferstats::{counts::{counts, CountSpec}, geography::Level, period::PeriodKind};
//!
//! let data = medway_2014()?;
//! let spec = CountSpec::new(Level::Ward, PeriodKind::CalendarYear)
//!     .by(["crime_type"])
//!     .coverage(data.crimes.report.months_covered.iter().copied());
//! let (table, report) = counts(&data.crimes.crimes, &data.geography, &spec)?;
//! assert_eq!(report.areas, 22);
//! assert_eq!(table.height(), 22 * 14);
//! # Ok::<(), saferstats::Error>(())
//! ```

pub mod bng;
pub mod change;
pub mod concentration;
pub mod counts;
pub mod datasets;
pub mod error;
pub mod geography;
pub mod gistar;
pub mod hotspots;
pub mod intervals;
pub mod monthly;
pub mod peers;
pub mod period;
pub mod poisson_test;
pub mod police_uk;
pub mod population;
pub mod rates;
pub mod seasonal;
pub mod seasonality;
mod source;
pub mod special;
pub mod trend;

pub use error::{Error, Result};
/// The polars version saferstats is built on, re-exported so dependants use the same one.
pub use polars;

/// The README's Rust examples, compiled and run as doc tests.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
