//! Seasonality of every monthly series.

use pyo3::prelude::*;
use pyo3_polars::PyDataFrame;

use saferstats::frame::seasonality::SeasonalitySpec;

use crate::convert::{report, spec};
use crate::errors::run;

/// Seasonality; returns `(summary, profile, anomalies, report)`.
#[pyfunction]
#[pyo3(signature = (monthly, spec=None))]
pub fn seasonality<'py>(
    py: Python<'py>,
    monthly: PyDataFrame,
    spec: Option<&Bound<'py, PyAny>>,
) -> PyResult<(PyDataFrame, PyDataFrame, PyDataFrame, Bound<'py, PyAny>)> {
    let spec: SeasonalitySpec = self::spec(spec, "seasonality spec")?;
    let out = run(py, || {
        saferstats::frame::seasonality::seasonality(&monthly.0, &spec)
    })?;
    let r = report(py, &out.report)?;
    Ok((
        PyDataFrame(out.summary),
        PyDataFrame(out.profile),
        PyDataFrame(out.anomalies),
        r,
    ))
}
