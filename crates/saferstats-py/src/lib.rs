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

use saferstats::change::{ChangeSpec, Compare};
use saferstats::concentration::ShareTest;
use saferstats::counts::{CategoryMap, CountSpec};
use saferstats::geography::{Geography, Level, Lookup, LookupKind};
use saferstats::hotspots::{FdrAdjust, GridSpec, HotspotSpec, Neighbours};
use saferstats::peers::{self, Benchmark};
use saferstats::period::{PeriodKind, YearMonth};
use saferstats::poisson_test::PoissonTest;
use saferstats::police_uk::{Handling, ReadOptions};
use saferstats::rates::{Confidence, PopulationYear, RateSpec};
use saferstats::seasonality::SeasonalitySpec;
use saferstats::trend::RecordingBreak;
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

fn rate_spec(
    per: f64,
    confidence: Option<f64>,
    population_year: Option<i32>,
    year_offset: i32,
    phe_columns: bool,
) -> RateSpec {
    RateSpec {
        per,
        confidence: confidence.map_or(Confidence::PhePair, Confidence::Level),
        population_year: match population_year {
            Some(y) => PopulationYear::Fixed(y),
            None => PopulationYear::PeriodStart {
                offset: year_offset,
            },
        },
        phe_columns,
    }
}

/// Rates with confidence intervals; returns (table, report_json). `confidence=None` means
/// PHE's pair 95% + 99.8%.
#[pyfunction]
#[pyo3(signature = (counts, population, per, confidence, population_year, year_offset, phe_columns))]
#[allow(clippy::too_many_arguments)]
fn rates(
    py: Python<'_>,
    counts: PyDataFrame,
    population: PyDataFrame,
    per: f64,
    confidence: Option<f64>,
    population_year: Option<i32>,
    year_offset: i32,
    phe_columns: bool,
) -> PyResult<(PyDataFrame, String)> {
    run(py, || {
        let spec = rate_spec(per, confidence, population_year, year_offset, phe_columns);
        let (t, r) = saferstats::rates::rates(&counts.0, &population.0, &spec)?;
        Ok((PyDataFrame(t), json(&r)?))
    })
}

/// Wilson shares of a total.
#[pyfunction]
fn shares(
    py: Python<'_>,
    counts: PyDataFrame,
    of: String,
    confidence: f64,
    per: f64,
) -> PyResult<PyDataFrame> {
    run(py, || {
        Ok(PyDataFrame(saferstats::rates::shares(
            &counts.0, &of, confidence, per,
        )?))
    })
}

fn benchmark(value: Option<f64>) -> Benchmark {
    value.map_or(Benchmark::PeerRate, Benchmark::Value)
}

/// Higher / Similar / Lower than a benchmark at 95% and 99.8%.
#[pyfunction]
#[pyo3(signature = (rates, benchmark_value, per, peer_keys=None))]
fn compare_with_benchmark(
    py: Python<'_>,
    rates: PyDataFrame,
    benchmark_value: Option<f64>,
    per: f64,
    peer_keys: Option<Vec<String>>,
) -> PyResult<PyDataFrame> {
    run(py, || {
        Ok(PyDataFrame(peers::compare_with_benchmark(
            &rates.0,
            &benchmark(benchmark_value),
            per,
            peer_keys.as_deref(),
        )?))
    })
}

/// Funnel limits (exact Poisson and over-dispersion adjusted).
#[pyfunction]
#[pyo3(signature = (rates, benchmark_value, per, peer_keys=None))]
fn funnel_limits(
    py: Python<'_>,
    rates: PyDataFrame,
    benchmark_value: Option<f64>,
    per: f64,
    peer_keys: Option<Vec<String>>,
) -> PyResult<PyDataFrame> {
    run(py, || {
        Ok(PyDataFrame(peers::funnel_limits(
            &rates.0,
            &benchmark(benchmark_value),
            per,
            peer_keys.as_deref(),
        )?))
    })
}

/// Rank among peers with a simulated 95% rank interval.
#[pyfunction]
#[pyo3(signature = (rates, simulations, seed, peer_keys=None))]
fn rank_among_peers(
    py: Python<'_>,
    rates: PyDataFrame,
    simulations: usize,
    seed: u64,
    peer_keys: Option<Vec<String>>,
) -> PyResult<PyDataFrame> {
    run(py, || {
        Ok(PyDataFrame(peers::rank_among_peers(
            &rates.0,
            peer_keys.as_deref(),
            simulations,
            seed,
        )?))
    })
}

/// Change between periods with a test; returns (table, report_json).
#[pyfunction]
#[pyo3(signature = (counts, compare, months_earlier, method, confidence, dispersion, exposure_adjust, small_count, breaks))]
#[allow(clippy::too_many_arguments)]
fn change(
    py: Python<'_>,
    counts: PyDataFrame,
    compare: String,
    months_earlier: Option<u32>,
    method: String,
    confidence: f64,
    dispersion: f64,
    exposure_adjust: bool,
    small_count: f64,
    breaks: Vec<(String, String)>,
) -> PyResult<(PyDataFrame, String)> {
    run(py, || {
        let compare = match (compare.as_str(), months_earlier) {
            ("previous", _) => Compare::Previous,
            ("year_earlier", _) => Compare::YearEarlier,
            ("months_earlier", Some(k)) => Compare::MonthsEarlier(k),
            (other, _) => {
                return Err(Error::InvalidParameter {
                    name: "compare",
                    reason: format!(
                        "{other:?}: expected 'previous', 'year_earlier' or 'months_earlier' with months"
                    ),
                });
            }
        };
        let spec = ChangeSpec {
            compare,
            method: method
                .parse::<PoissonTest>()
                .map_err(|e| Error::InvalidParameter {
                    name: "method",
                    reason: e.0,
                })?,
            confidence,
            dispersion,
            exposure_adjust,
            small_count,
            breaks: parse_breaks(breaks)?,
        };
        let (t, r) = saferstats::change::change(&counts.0, &spec)?;
        Ok((PyDataFrame(t), json(&r)?))
    })
}

fn parse_breaks(breaks: Vec<(String, String)>) -> saferstats::Result<Vec<RecordingBreak>> {
    breaks
        .into_iter()
        .map(|(m, d)| {
            Ok(RecordingBreak {
                month: m
                    .parse::<YearMonth>()
                    .map_err(|reason| Error::InvalidParameter {
                        name: "breaks",
                        reason: format!("{m:?}: {reason}"),
                    })?,
                description: d,
            })
        })
        .collect()
}

/// Quasi-Poisson dispersion of a monthly series after year and month effects.
#[pyfunction]
fn dispersion_from_monthly(py: Python<'_>, counts: Vec<f64>, first_month: u32) -> PyResult<f64> {
    run(py, || {
        saferstats::change::dispersion_from_monthly(&counts, first_month)
    })
}

/// PHE trend markers and log-linear trends for every series of an annual table.
#[pyfunction]
fn trends(
    py: Python<'_>,
    annual: PyDataFrame,
    breaks: Vec<(String, String)>,
    confidence: f64,
) -> PyResult<PyDataFrame> {
    run(py, || {
        let breaks = parse_breaks(breaks)?;
        Ok(PyDataFrame(saferstats::trend::trends(
            &annual.0, &breaks, confidence,
        )?))
    })
}

/// Read a wide monthly table (YYYYMM columns) into a long one.
#[pyfunction]
fn read_wide_monthly(py: Python<'_>, path: String) -> PyResult<PyDataFrame> {
    run(py, || {
        Ok(PyDataFrame(saferstats::monthly::read_wide_monthly(&path)?))
    })
}

/// Seasonality of every monthly series; returns (summary, profile, anomalies).
#[pyfunction]
#[pyo3(signature = (monthly, keys, anomaly_threshold, seasonal_length, robust))]
fn seasonality(
    py: Python<'_>,
    monthly: PyDataFrame,
    keys: Option<Vec<String>>,
    anomaly_threshold: f64,
    seasonal_length: Option<usize>,
    robust: bool,
) -> PyResult<(PyDataFrame, PyDataFrame, PyDataFrame)> {
    run(py, || {
        let mut spec = SeasonalitySpec {
            anomaly_threshold,
            keys,
            ..SeasonalitySpec::default()
        };
        if let Some(len) = seasonal_length {
            spec.stl.seasonal_length = len;
        }
        spec.stl.robust = robust;
        let out = saferstats::seasonality::seasonality(&monthly.0, &spec)?;
        Ok((
            PyDataFrame(out.summary),
            PyDataFrame(out.profile),
            PyDataFrame(out.anomalies),
        ))
    })
}

/// Rankings and concentration; returns (ranking, summary).
#[pyfunction]
#[pyo3(signature = (counts, previous, top, keys))]
fn hotspots(
    py: Python<'_>,
    counts: PyDataFrame,
    previous: Option<PyDataFrame>,
    top: usize,
    keys: Option<Vec<String>>,
) -> PyResult<(PyDataFrame, PyDataFrame)> {
    run(py, || {
        let spec = HotspotSpec { top, keys };
        let h = saferstats::hotspots::hotspots(&counts.0, previous.as_ref().map(|p| &p.0), &spec)?;
        Ok((PyDataFrame(h.ranking), PyDataFrame(h.summary)))
    })
}

/// Periods each area spends in the top N.
#[pyfunction]
#[pyo3(signature = (counts, top, keys))]
fn persistence(
    py: Python<'_>,
    counts: PyDataFrame,
    top: usize,
    keys: Option<Vec<String>>,
) -> PyResult<PyDataFrame> {
    run(py, || {
        Ok(PyDataFrame(saferstats::hotspots::persistence(
            &counts.0,
            &HotspotSpec { top, keys },
        )?))
    })
}

/// Per-area change-in-share test between two tables.
#[pyfunction]
fn share_change(
    py: Python<'_>,
    before: PyDataFrame,
    after: PyDataFrame,
    test: String,
) -> PyResult<PyDataFrame> {
    run(py, || {
        let test = match test.as_str() {
            "chi2" => ShareTest::ChiSquaredNMinus1,
            "fisher" => ShareTest::Fisher,
            other => {
                return Err(Error::InvalidParameter {
                    name: "test",
                    reason: format!("{other:?}: expected 'chi2' or 'fisher'"),
                });
            }
        };
        Ok(PyDataFrame(saferstats::hotspots::share_change(
            &before.0, &after.0, test,
        )?))
    })
}

/// Gi* on a British National Grid; returns (cells, report_json).
#[pyfunction]
#[pyo3(signature = (crimes, cell_size, distance_band, fdr, max_cells))]
fn grid_hotspots(
    py: Python<'_>,
    crimes: PyDataFrame,
    cell_size: f64,
    distance_band: Option<f64>,
    fdr: String,
    max_cells: usize,
) -> PyResult<(PyDataFrame, String)> {
    run(py, || {
        let spec = GridSpec {
            cell_size,
            neighbours: distance_band.map_or(Neighbours::Queen, Neighbours::DistanceBand),
            fdr: match fdr.as_str() {
                "none" => FdrAdjust::None,
                "bh" => FdrAdjust::BenjaminiHochberg,
                "by" => FdrAdjust::BenjaminiYekutieli,
                other => {
                    return Err(Error::InvalidParameter {
                        name: "fdr",
                        reason: format!("{other:?}: expected 'none', 'bh' or 'by'"),
                    });
                }
            },
            max_cells,
        };
        let (t, r) = saferstats::hotspots::grid_hotspots(&crimes.0, &spec)?;
        Ok((PyDataFrame(t), json(&r)?))
    })
}

/// Lorenz curve points per group.
#[pyfunction]
#[pyo3(signature = (counts, keys=None))]
fn lorenz(py: Python<'_>, counts: PyDataFrame, keys: Option<Vec<String>>) -> PyResult<PyDataFrame> {
    run(py, || {
        Ok(PyDataFrame(saferstats::hotspots::lorenz(&counts.0, keys)?))
    })
}

/// Wilson intervals for numerator/denominator columns.
#[pyfunction]
fn proportions(
    py: Python<'_>,
    frame: PyDataFrame,
    numerator: String,
    denominator: String,
    confidence: f64,
    per: f64,
) -> PyResult<PyDataFrame> {
    run(py, || {
        Ok(PyDataFrame(saferstats::rates::proportions(
            &frame.0,
            &numerator,
            &denominator,
            confidence,
            per,
        )?))
    })
}

/// Newcombe's hybrid score interval for p1 - p2.
#[pyfunction]
fn newcombe_difference(
    x1: f64,
    n1: f64,
    x2: f64,
    n2: f64,
    confidence: f64,
) -> PyResult<(f64, f64)> {
    let c = saferstats::intervals::validate_confidence(confidence).map_err(|r| {
        to_py_err(Error::InvalidParameter {
            name: "confidence",
            reason: r,
        })
    })?;
    if !(n1 > 0.0 && n2 > 0.0 && (0.0..=n1).contains(&x1) && (0.0..=n2).contains(&x2)) {
        return Err(to_py_err(Error::InvalidParameter {
            name: "counts",
            reason: format!("need 0 ≤ x ≤ n and n > 0, got {x1}/{n1} and {x2}/{n2}"),
        }));
    }
    Ok(saferstats::intervals::newcombe_diff_limits(
        x1, n1, x2, n2, c,
    ))
}

/// Kish's effective sample size of survey weights.
#[pyfunction]
fn kish_effective_n(weights: Vec<f64>) -> PyResult<f64> {
    if weights.is_empty() || weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
        return Err(to_py_err(Error::InvalidParameter {
            name: "weights",
            reason: "weights must be finite, non-negative and not empty".into(),
        }));
    }
    Ok(saferstats::intervals::kish_effective_n(&weights))
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
    m.add_function(wrap_pyfunction!(rates, m)?)?;
    m.add_function(wrap_pyfunction!(shares, m)?)?;
    m.add_function(wrap_pyfunction!(compare_with_benchmark, m)?)?;
    m.add_function(wrap_pyfunction!(funnel_limits, m)?)?;
    m.add_function(wrap_pyfunction!(rank_among_peers, m)?)?;
    m.add_function(wrap_pyfunction!(change, m)?)?;
    m.add_function(wrap_pyfunction!(dispersion_from_monthly, m)?)?;
    m.add_function(wrap_pyfunction!(trends, m)?)?;
    m.add_function(wrap_pyfunction!(read_wide_monthly, m)?)?;
    m.add_function(wrap_pyfunction!(seasonality, m)?)?;
    m.add_function(wrap_pyfunction!(hotspots, m)?)?;
    m.add_function(wrap_pyfunction!(persistence, m)?)?;
    m.add_function(wrap_pyfunction!(share_change, m)?)?;
    m.add_function(wrap_pyfunction!(grid_hotspots, m)?)?;
    m.add_function(wrap_pyfunction!(lorenz, m)?)?;
    m.add_function(wrap_pyfunction!(proportions, m)?)?;
    m.add_function(wrap_pyfunction!(newcombe_difference, m)?)?;
    m.add_function(wrap_pyfunction!(kish_effective_n, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    Ok(())
}
