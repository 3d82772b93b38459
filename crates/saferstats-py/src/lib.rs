//! Thin pyo3 bindings for saferstats: type conversion and error mapping only.
//!
//! Frames cross as eager polars DataFrames through pyo3-polars (never lazy plans, whose
//! serialised form is tied to one Python polars release). Reports cross as JSON text and are
//! turned into Python objects in `python/saferstats`. Rust panics are caught here and raised as
//! `saferstats.InternalError`, so they never reach the interpreter as an abort.

use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3_polars::PyDataFrame;

use saferstats::counts::{CategoryMap, CountSpec};
use saferstats::geography::{Geography, Level, Lookup, LookupKind};
use saferstats::period::{PeriodKind, YearMonth};
use saferstats::police_uk::{Handling, ReadOptions};
use saferstats::{Error, datasets, geography, police_uk, population};

create_exception!(
    _saferstats,
    SaferstatsError,
    PyValueError,
    "Base class of every saferstats error (a ValueError)."
);
create_exception!(
    _saferstats,
    ColumnError,
    SaferstatsError,
    "A required column is missing, or a header or table shape is not recognised."
);
create_exception!(
    _saferstats,
    DataError,
    SaferstatsError,
    "A value in the data is malformed, out of range, duplicated, or not decodable."
);
create_exception!(
    _saferstats,
    ParameterError,
    SaferstatsError,
    "An argument is invalid."
);
create_exception!(
    _saferstats,
    InsufficientDataError,
    SaferstatsError,
    "Too few periods or observations for the method asked for."
);
create_exception!(
    _saferstats,
    InputFileError,
    SaferstatsError,
    "An input file or folder is missing or unreadable."
);
create_exception!(
    _saferstats,
    InternalError,
    SaferstatsError,
    "An unexpected failure inside saferstats (please report it)."
);

fn to_py_err(e: Error) -> PyErr {
    let msg = e.to_string();
    match e {
        Error::MissingColumn { .. }
        | Error::UnexpectedHeader { .. }
        | Error::UnknownShape { .. } => ColumnError::new_err(msg),
        Error::BadValue { .. }
        | Error::Duplicate { .. }
        | Error::Encoding { .. }
        | Error::Decompression { .. }
        | Error::EmptyFile { .. } => DataError::new_err(msg),
        Error::InvalidParameter { .. } => ParameterError::new_err(msg),
        Error::InsufficientPeriods { .. } => InsufficientDataError::new_err(msg),
        Error::Io { .. } | Error::NoInputFiles(_) => InputFileError::new_err(msg),
        _ => InternalError::new_err(msg),
    }
}

/// Run core code without the GIL, turning errors and panics into Python exceptions.
fn run<T: Send>(py: Python<'_>, f: impl FnOnce() -> saferstats::Result<T> + Send) -> PyResult<T> {
    py.detach(|| match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_py_err(e)),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(InternalError::new_err(format!("internal error: {what}")))
        }
    })
}

fn json<T: serde::Serialize>(value: &T) -> saferstats::Result<String> {
    serde_json::to_string(value).map_err(|e| Error::InvalidParameter {
        name: "report",
        reason: e.to_string(),
    })
}

type PoliceUkTuple = (PyDataFrame, PyDataFrame, String);

fn police_uk_tuple(d: police_uk::PoliceUkData) -> saferstats::Result<PoliceUkTuple> {
    let report = json(&d.report)?;
    Ok((PyDataFrame(d.crimes), PyDataFrame(d.set_aside), report))
}

fn read_options(
    no_location: &str,
    duplicate_crime_id: &str,
    unknown_crime_type: &str,
) -> saferstats::Result<ReadOptions> {
    Ok(ReadOptions {
        no_location: no_location.parse::<Handling>()?,
        duplicate_crime_id: duplicate_crime_id.parse()?,
        unknown_crime_type: unknown_crime_type.parse()?,
    })
}

/// Read data.police.uk street-level CSVs; returns (crimes, set_aside, report_json).
#[pyfunction]
fn read_police_uk(
    py: Python<'_>,
    paths: Vec<String>,
    no_location: &str,
    duplicate_crime_id: &str,
    unknown_crime_type: &str,
) -> PyResult<PoliceUkTuple> {
    run(py, || {
        let options = read_options(no_location, duplicate_crime_id, unknown_crime_type)?;
        police_uk_tuple(police_uk::read_police_uk(&paths, &options)?)
    })
}

fn kind_name(kind: LookupKind) -> &'static str {
    match kind {
        LookupKind::LsoaWardLad => "lsoa_ward_lad",
        LookupKind::LadCspForce => "lad_csp_force",
        LookupKind::LsoaToLsoa => "lsoa_to_lsoa",
    }
}

fn kind_from_name(name: &str) -> saferstats::Result<LookupKind> {
    Ok(match name {
        "lsoa_ward_lad" => LookupKind::LsoaWardLad,
        "lad_csp_force" => LookupKind::LadCspForce,
        "lsoa_to_lsoa" => LookupKind::LsoaToLsoa,
        other => {
            return Err(Error::InvalidParameter {
                name: "kind",
                reason: format!("unknown lookup kind '{other}'"),
            });
        }
    })
}

type LookupTuple = (PyDataFrame, &'static str, String, String);

fn lookup_tuple(l: Lookup) -> LookupTuple {
    (PyDataFrame(l.table), kind_name(l.kind), l.vintage, l.source)
}

/// Read an ONS lookup; returns (table, kind, vintage, source).
#[pyfunction]
fn read_lookup(py: Python<'_>, path: String) -> PyResult<LookupTuple> {
    run(py, || Ok(lookup_tuple(geography::read_lookup(&path)?)))
}

fn lookup_from_parts(
    table: DataFrame,
    kind: &str,
    vintage: String,
    source: String,
) -> saferstats::Result<Lookup> {
    Ok(Lookup {
        kind: kind_from_name(kind)?,
        vintage,
        table,
        source,
    })
}

use saferstats::polars::prelude::DataFrame;

type GeographyTuple = (PyDataFrame, String, Vec<String>, Vec<String>);

fn geography_tuple(g: Geography) -> GeographyTuple {
    (
        PyDataFrame(g.table),
        g.vintage,
        g.unmatched_lads,
        g.ambiguous_lads,
    )
}

/// Combine lookups into one geography table; returns (table, vintage, unmatched_lads,
/// ambiguous_lads).
#[pyfunction]
#[pyo3(signature = (lsoa_table, lsoa_kind, lsoa_vintage, lsoa_source, lad_table=None, lad_kind=None, lad_vintage=None, lad_source=None))]
#[allow(clippy::too_many_arguments)]
fn build_geography(
    py: Python<'_>,
    lsoa_table: PyDataFrame,
    lsoa_kind: String,
    lsoa_vintage: String,
    lsoa_source: String,
    lad_table: Option<PyDataFrame>,
    lad_kind: Option<String>,
    lad_vintage: Option<String>,
    lad_source: Option<String>,
) -> PyResult<GeographyTuple> {
    run(py, || {
        let lsoa = lookup_from_parts(lsoa_table.0, &lsoa_kind, lsoa_vintage, lsoa_source)?;
        let lad = match lad_table {
            Some(t) => Some(lookup_from_parts(
                t.0,
                lad_kind.as_deref().unwrap_or("lad_csp_force"),
                lad_vintage.unwrap_or_default(),
                lad_source.unwrap_or_default(),
            )?),
            None => None,
        };
        Ok(geography_tuple(Geography::new(&lsoa, lad.as_ref())?))
    })
}

type PopulationTuple = (PyDataFrame, String, String);

fn population_tuple(p: population::Population) -> saferstats::Result<PopulationTuple> {
    let shape = json(&p.shape)?.trim_matches('"').to_string();
    Ok((PyDataFrame(p.table), shape, p.source))
}

/// Read an ONS population table; returns (table, shape, source).
#[pyfunction]
#[pyo3(signature = (path, mid_year=None))]
fn read_population(
    py: Python<'_>,
    path: String,
    mid_year: Option<i32>,
) -> PyResult<PopulationTuple> {
    run(py, || {
        population_tuple(population::read_population(&path, mid_year)?)
    })
}

/// Counts per area, group and period on the complete grid; returns (table, report_json).
#[pyfunction]
#[pyo3(signature = (crimes, geography_table, level, by, period, coverage=None))]
fn counts(
    py: Python<'_>,
    crimes: PyDataFrame,
    geography_table: PyDataFrame,
    level: String,
    by: Vec<String>,
    period: String,
    coverage: Option<Vec<String>>,
) -> PyResult<(PyDataFrame, String)> {
    run(py, || {
        let level: Level = level.parse()?;
        let mut spec = CountSpec::new(level, period.parse::<PeriodKind>()?).by(by);
        if let Some(months) = coverage {
            let parsed = months
                .iter()
                .map(|m| {
                    m.parse::<YearMonth>()
                        .map_err(|reason| Error::InvalidParameter {
                            name: "coverage",
                            reason: format!("{m:?}: {reason}"),
                        })
                })
                .collect::<saferstats::Result<Vec<_>>>()?;
            spec = spec.coverage(parsed);
        }
        let geo = Geography {
            table: geography_table.0,
            vintage: String::new(),
            unmatched_lads: Vec::new(),
            ambiguous_lads: Vec::new(),
        };
        let (table, report) = saferstats::counts::counts(&crimes.0, &geo, &spec)?;
        Ok((PyDataFrame(table), json(&report)?))
    })
}

/// Add a group column from a crime-type mapping.
#[pyfunction]
#[pyo3(signature = (crimes, mapping, column, out, default_group=None))]
fn map_categories(
    py: Python<'_>,
    crimes: PyDataFrame,
    mapping: std::collections::BTreeMap<String, String>,
    column: String,
    out: String,
    default_group: Option<String>,
) -> PyResult<PyDataFrame> {
    run(py, || {
        let map = CategoryMap {
            groups: mapping,
            default_group,
        };
        Ok(PyDataFrame(map.apply(&crimes.0, &column, &out)?))
    })
}

/// The built-in "All crime excluding ASB" mapping, as a dict.
#[pyfunction]
fn all_crime_excluding_asb() -> std::collections::BTreeMap<String, String> {
    CategoryMap::all_crime_excluding_asb().groups
}

/// Bundled Medway 2014 example: (crimes tuple, geography tuple, lsoa lookup tuple, lad pop, ward pop).
#[pyfunction]
fn medway_2014(
    py: Python<'_>,
    no_location: &str,
    duplicate_crime_id: &str,
    unknown_crime_type: &str,
) -> PyResult<(
    PoliceUkTuple,
    GeographyTuple,
    LookupTuple,
    PopulationTuple,
    PopulationTuple,
)> {
    run(py, || {
        let options = read_options(no_location, duplicate_crime_id, unknown_crime_type)?;
        let d = datasets::medway_2014_with(&options)?;
        Ok((
            police_uk_tuple(d.crimes)?,
            geography_tuple(d.geography),
            lookup_tuple(d.lsoa_lookup),
            population_tuple(d.lad_population)?,
            population_tuple(d.ward_population)?,
        ))
    })
}

/// Write the bundled Medway 2014 files into a folder; returns the paths written.
#[pyfunction]
fn write_medway_2014(py: Python<'_>, directory: String) -> PyResult<Vec<String>> {
    run(py, || {
        let paths = datasets::write_medway_2014(std::path::Path::new(&directory))?;
        Ok(paths.iter().map(|p| p.display().to_string()).collect())
    })
}

/// Raise a Rust panic on purpose, to test that it becomes `InternalError`.
#[pyfunction]
fn _panic_for_tests(py: Python<'_>) -> PyResult<()> {
    run(py, || -> saferstats::Result<()> {
        panic!("deliberate panic for tests")
    })
}

#[pymodule]
fn _saferstats(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("SaferstatsError", py.get_type::<SaferstatsError>())?;
    m.add("ColumnError", py.get_type::<ColumnError>())?;
    m.add("DataError", py.get_type::<DataError>())?;
    m.add("ParameterError", py.get_type::<ParameterError>())?;
    m.add(
        "InsufficientDataError",
        py.get_type::<InsufficientDataError>(),
    )?;
    m.add("InputFileError", py.get_type::<InputFileError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add_function(wrap_pyfunction!(read_police_uk, m)?)?;
    m.add_function(wrap_pyfunction!(read_lookup, m)?)?;
    m.add_function(wrap_pyfunction!(build_geography, m)?)?;
    m.add_function(wrap_pyfunction!(read_population, m)?)?;
    m.add_function(wrap_pyfunction!(counts, m)?)?;
    m.add_function(wrap_pyfunction!(map_categories, m)?)?;
    m.add_function(wrap_pyfunction!(all_crime_excluding_asb, m)?)?;
    m.add_function(wrap_pyfunction!(medway_2014, m)?)?;
    m.add_function(wrap_pyfunction!(write_medway_2014, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    Ok(())
}
