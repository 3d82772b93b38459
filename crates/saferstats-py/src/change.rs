//! Change between periods, trends and dispersion.

use pyo3::prelude::*;
use pyo3_polars::PyDataFrame;

use saferstats::frame::change::ChangeSpec;
use saferstats::frame::trends::TrendSpec;
use saferstats::schema::Keys;

use crate::convert::spec;
use crate::errors::run;
use crate::rates::output;

/// Change between periods with a test; with `monthly`, each series' dispersion is estimated
/// from its monthly counts. Returns `(table, report)`.
#[pyfunction]
#[pyo3(signature = (counts, spec=None, monthly=None))]
pub fn change<'py>(
    py: Python<'py>,
    counts: PyDataFrame,
    spec: Option<&Bound<'py, PyAny>>,
    monthly: Option<PyDataFrame>,
) -> PyResult<(PyDataFrame, Bound<'py, PyAny>)> {
    let spec: ChangeSpec = self::spec(spec, "change spec")?;
    output(
        py,
        run(py, || match &monthly {
            Some(m) => saferstats::frame::change::change_with_monthly(&counts.0, &m.0, &spec),
            None => saferstats::frame::change::change(&counts.0, &spec),
        })?,
    )
}

/// Robust quasi-Poisson dispersion of every monthly series; returns `(table, report)`.
#[pyfunction]
#[pyo3(signature = (monthly, keys=None))]
pub fn series_dispersion<'py>(
    py: Python<'py>,
    monthly: PyDataFrame,
    keys: Option<&Bound<'py, PyAny>>,
) -> PyResult<(PyDataFrame, Bound<'py, PyAny>)> {
    let keys: Keys = self::spec(keys, "keys")?;
    output(
        py,
        run(py, || {
            saferstats::frame::dispersion::series_dispersion(&monthly.0, &keys)
        })?,
    )
}

/// PHE trend markers and log-linear trends for every series; returns `(table, report)`.
#[pyfunction]
#[pyo3(signature = (annual, spec=None))]
pub fn trends<'py>(
    py: Python<'py>,
    annual: PyDataFrame,
    spec: Option<&Bound<'py, PyAny>>,
) -> PyResult<(PyDataFrame, Bound<'py, PyAny>)> {
    let spec: TrendSpec = self::spec(spec, "trends spec")?;
    output(
        py,
        run(py, || saferstats::frame::trends::trends(&annual.0, &spec))?,
    )
}

/// Quasi-Poisson dispersion of a monthly series after year and month effects.
#[pyfunction]
pub fn dispersion_from_monthly(
    py: Python<'_>,
    counts: Vec<f64>,
    first_month: u32,
) -> PyResult<f64> {
    run(py, || {
        saferstats::stats::rate_ratio::dispersion_from_monthly(&counts, first_month)
    })
}
