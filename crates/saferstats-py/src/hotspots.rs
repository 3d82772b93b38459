//! Hotspots, concentration, persistence, share change and grid Gi*.

use pyo3::prelude::*;
use pyo3_polars::PyDataFrame;

use saferstats::frame::grid_hotspots::GridSpec;
use saferstats::frame::hotspots::{self as core, HotspotSpec, ShareChangeSpec};

use crate::convert::{report, spec};
use crate::errors::run;
use crate::rates::output;

type Table<'py> = PyResult<(PyDataFrame, Bound<'py, PyAny>)>;

/// Rankings and concentration; returns `(ranking, summary, report)`.
#[pyfunction]
#[pyo3(signature = (counts, previous=None, spec=None))]
pub fn hotspots<'py>(
    py: Python<'py>,
    counts: PyDataFrame,
    previous: Option<PyDataFrame>,
    spec: Option<&Bound<'py, PyAny>>,
) -> PyResult<(PyDataFrame, PyDataFrame, Bound<'py, PyAny>)> {
    let spec: HotspotSpec = self::spec(spec, "hotspots spec")?;
    let h = run(py, || {
        core::hotspots(&counts.0, previous.as_ref().map(|p| &p.0), &spec)
    })?;
    let r = report(py, &h.report)?;
    Ok((PyDataFrame(h.ranking), PyDataFrame(h.summary), r))
}

/// Periods each area spends in the top N; returns `(table, report)`.
#[pyfunction]
#[pyo3(signature = (counts, spec=None))]
pub fn persistence<'py>(
    py: Python<'py>,
    counts: PyDataFrame,
    spec: Option<&Bound<'py, PyAny>>,
) -> Table<'py> {
    let spec: HotspotSpec = self::spec(spec, "hotspots spec")?;
    output(py, run(py, || core::persistence(&counts.0, &spec))?)
}

/// Lorenz curve points per group; returns `(table, report)`.
#[pyfunction]
#[pyo3(signature = (counts, spec=None))]
pub fn lorenz<'py>(
    py: Python<'py>,
    counts: PyDataFrame,
    spec: Option<&Bound<'py, PyAny>>,
) -> Table<'py> {
    let spec: HotspotSpec = self::spec(spec, "hotspots spec")?;
    output(py, run(py, || core::lorenz(&counts.0, &spec))?)
}

/// Per-area change-in-share test between two tables; returns `(table, report)`.
#[pyfunction]
#[pyo3(signature = (before, after, spec=None))]
pub fn share_change<'py>(
    py: Python<'py>,
    before: PyDataFrame,
    after: PyDataFrame,
    spec: Option<&Bound<'py, PyAny>>,
) -> Table<'py> {
    let spec: ShareChangeSpec = self::spec(spec, "share change spec")?;
    output(
        py,
        run(py, || core::share_change(&before.0, &after.0, &spec))?,
    )
}

/// Gi* on a British National Grid; returns `(cells, report)`.
#[pyfunction]
#[pyo3(signature = (crimes, spec=None))]
pub fn grid_hotspots<'py>(
    py: Python<'py>,
    crimes: PyDataFrame,
    spec: Option<&Bound<'py, PyAny>>,
) -> Table<'py> {
    let spec: GridSpec = self::spec(spec, "grid spec")?;
    output(
        py,
        run(py, || {
            saferstats::frame::grid_hotspots::grid_hotspots(&crimes.0, &spec)
        })?,
    )
}
