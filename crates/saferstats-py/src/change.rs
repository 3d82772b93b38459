//! Change between periods, trends and dispersion.

use pyo3::prelude::*;
use pyo3_polars::PyDataFrame;

use saferstats::frame::change::ChangeSpec;
use saferstats::frame::trends::TrendSpec;

use crate::convert::spec;
use crate::errors::run;
use crate::rates::output;

/// Change between periods with a test; returns `(table, report)`.
#[pyfunction]
#[pyo3(signature = (counts, spec=None))]
pub fn change<'py>(
    py: Python<'py>,
    counts: PyDataFrame,
    spec: Option<&Bound<'py, PyAny>>,
) -> PyResult<(PyDataFrame, Bound<'py, PyAny>)> {
    let spec: ChangeSpec = self::spec(spec, "change spec")?;
    output(
        py,
        run(py, || saferstats::frame::change::change(&counts.0, &spec))?,
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
