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
//! use saferstats::{counts::{counts, CountSpec}, geo::geography::Level, period::PeriodKind};
//!
//! let data = medway_2014()?;
//! let spec = CountSpec::new(Level::Ward, PeriodKind::CalendarYear)
//!     .by(["crime_type"])
//!     .coverage(data.crimes.report.months_covered.iter().copied());
//! let saferstats::frame::Output { table, report } =
//!     counts(&data.crimes.crimes, &data.geography, &spec)?;
//! assert_eq!(report.areas, 22);
//! assert_eq!(table.height(), 22 * 14);
//! # Ok::<(), saferstats::Error>(())
//! ```

// Layers, bottom to top (a module imports only from its own layer or below): error, choice and
// schema (vocabulary); io (readers); geo; period and counts; stats (kernels on slices); frame
// (DataFrame analytics); datasets (bundled examples).
pub mod assessment;
pub mod choice;
pub mod counts;
#[cfg(feature = "datasets")]
pub mod datasets;
pub mod error;
pub mod frame;
pub mod geo;
pub mod io;
pub mod period;
pub mod schema;
pub mod stats;

pub use error::{Error, Result};

use choice::Choice;

/// Every word-valued option of the crate: `(parameter, accepted canonical names)`. The Python
/// package's `Literal` aliases are tested against this list.
///
/// The parameters are `level`, `period`, `handling`, `kind`, `fdr`, `method` and `test`, in
/// that order; each list is in declaration order ([`choice::Choice::NAMES`]). Aliases are not
/// included (see [`all_aliases`]).
///
/// # Examples
///
/// ```
/// let choices = saferstats::all_choices();
/// let (parameter, names) = &choices[0];
/// assert_eq!(*parameter, "level");
/// assert_eq!(names, &["lsoa", "ward", "lad", "csp", "force"]);
/// let period = choices.iter().find(|(p, _)| *p == "period").unwrap();
/// assert!(period.1.contains(&"financial_year") && !period.1.contains(&"fy"));
/// // Every canonical name parses to itself.
/// for (parameter, names) in &choices {
///     for name in names {
///         assert_eq!(saferstats::canonical(parameter, name)?, *name);
///     }
/// }
/// # Ok::<(), saferstats::Error>(())
/// ```
pub fn all_choices() -> Vec<(&'static str, Vec<&'static str>)> {
    fn entry<C: Choice>() -> (&'static str, Vec<&'static str>) {
        (C::PARAMETER, C::NAMES.to_vec())
    }
    vec![
        entry::<crate::geo::geography::Level>(),
        entry::<crate::period::PeriodKind>(),
        entry::<crate::io::police_uk::Handling>(),
        entry::<crate::io::ons_lookup::LookupKind>(),
        entry::<crate::frame::grid_hotspots::FdrAdjust>(),
        entry::<crate::stats::rate_ratio::PoissonTest>(),
        entry::<crate::stats::concentration::ShareTest>(),
    ]
}

/// The canonical name of an option value given by word, e.g. `("period", "fy")` →
/// `"financial_year"`.
///
/// # Errors
/// [`Error::InvalidParameter`] for an unknown parameter or value.
///
/// # Examples
/// ```
/// assert_eq!(saferstats::canonical("period", "FY")?, "financial_year");
/// assert_eq!(saferstats::canonical("level", "pfa")?, "force");
/// assert!(saferstats::canonical("level", "county").is_err());
/// # Ok::<(), saferstats::Error>(())
/// ```
pub fn canonical(parameter: &str, value: &str) -> Result<&'static str> {
    fn name<C: Choice>(value: &str) -> Result<&'static str> {
        Ok(C::parse_choice(value)?.name())
    }
    match parameter {
        "level" => name::<geo::geography::Level>(value),
        "period" => name::<period::PeriodKind>(value),
        "handling" => name::<io::police_uk::Handling>(value),
        "kind" => name::<io::ons_lookup::LookupKind>(value),
        "fdr" => name::<frame::grid_hotspots::FdrAdjust>(value),
        "method" => name::<stats::rate_ratio::PoissonTest>(value),
        "test" => name::<stats::concentration::ShareTest>(value),
        other => Err(Error::InvalidParameter {
            name: "parameter",
            reason: format!("'{other}' is not a word-valued option"),
        }),
    }
}

/// Every alias of every option: `(parameter, alias, canonical name)`, in the order of
/// [`all_choices`]. Canonical names themselves are not listed.
///
/// # Examples
///
/// ```
/// let aliases = saferstats::all_aliases();
/// assert!(aliases.contains(&("period", "fy", "financial_year")));
/// assert!(aliases.contains(&("level", "pfa", "force")));
/// // Every alias resolves to its canonical name.
/// for (parameter, alias, name) in &aliases {
///     assert_eq!(saferstats::canonical(parameter, alias)?, *name);
/// }
/// # Ok::<(), saferstats::Error>(())
/// ```
pub fn all_aliases() -> Vec<(&'static str, &'static str, &'static str)> {
    fn entry<C: Choice>(out: &mut Vec<(&'static str, &'static str, &'static str)>) {
        out.extend(C::ALIASES.iter().map(|(a, c)| (C::PARAMETER, *a, *c)));
    }
    let mut out = Vec::new();
    entry::<crate::geo::geography::Level>(&mut out);
    entry::<crate::period::PeriodKind>(&mut out);
    entry::<crate::io::police_uk::Handling>(&mut out);
    entry::<crate::io::ons_lookup::LookupKind>(&mut out);
    entry::<crate::frame::grid_hotspots::FdrAdjust>(&mut out);
    entry::<crate::stats::rate_ratio::PoissonTest>(&mut out);
    entry::<crate::stats::concentration::ShareTest>(&mut out);
    out
}

/// The polars version saferstats is built on, re-exported so dependants use the same one.
pub use polars;

/// The README's Rust examples, compiled and run as doc tests.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
