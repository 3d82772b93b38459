//! Rates, shares, proportions and peer comparison.

use pyo3::prelude::*;
use pyo3_polars::PyDataFrame;

use saferstats::frame::Output;
use saferstats::frame::peers::{self, PeerSpec};
use saferstats::frame::rates::RateSpec;
use saferstats::frame::shares::{self as share_core, ProportionSpec, ShareSpec};
use saferstats::stats::intervals;

use crate::convert::{report, required, spec};
use crate::errors::run;

/// A frame function's output as `(table, report)`.
pub fn output<'py, R: serde::Serialize>(
    py: Python<'py>,
    out: Output<R>,
) -> PyResult<(PyDataFrame, Bound<'py, PyAny>)> {
    let r = report(py, &out.report)?;
    Ok((PyDataFrame(out.table), r))
}

type Table<'py> = PyResult<(PyDataFrame, Bound<'py, PyAny>)>;

/// Rates with confidence intervals; returns `(table, report)`.
#[pyfunction]
#[pyo3(signature = (counts, population, spec=None))]
pub fn rates<'py>(
    py: Python<'py>,
    counts: PyDataFrame,
    population: PyDataFrame,
    spec: Option<&Bound<'py, PyAny>>,
) -> Table<'py> {
    let spec: RateSpec = self::spec(spec, "rates spec")?;
    output(
        py,
        run(py, || {
            saferstats::frame::rates::rates(&counts.0, &population.0, &spec)
        })?,
    )
}

/// Wilson shares of a total; returns `(table, report)`.
#[pyfunction]
pub fn shares<'py>(py: Python<'py>, counts: PyDataFrame, spec: &Bound<'py, PyAny>) -> Table<'py> {
    let spec: ShareSpec = required(spec, "shares spec")?;
    output(py, run(py, || share_core::shares(&counts.0, &spec))?)
}

/// Wilson intervals for numerator/denominator columns; returns `(table, report)`.
#[pyfunction]
pub fn proportions<'py>(
    py: Python<'py>,
    frame: PyDataFrame,
    spec: &Bound<'py, PyAny>,
) -> Table<'py> {
    let spec: ProportionSpec = required(spec, "proportions spec")?;
    output(py, run(py, || share_core::proportions(&frame.0, &spec))?)
}

/// Higher / Similar / Lower than a benchmark at 95% and 99.8%; returns `(table, report)`.
#[pyfunction]
#[pyo3(signature = (rates, spec=None))]
pub fn compare_with_benchmark<'py>(
    py: Python<'py>,
    rates: PyDataFrame,
    spec: Option<&Bound<'py, PyAny>>,
) -> Table<'py> {
    let spec: PeerSpec = self::spec(spec, "peer spec")?;
    output(
        py,
        run(py, || peers::compare_with_benchmark(&rates.0, &spec))?,
    )
}

/// Funnel limits, exact Poisson and over-dispersion adjusted; returns `(table, report)`.
#[pyfunction]
#[pyo3(signature = (rates, spec=None))]
pub fn funnel_limits<'py>(
    py: Python<'py>,
    rates: PyDataFrame,
    spec: Option<&Bound<'py, PyAny>>,
) -> Table<'py> {
    let spec: PeerSpec = self::spec(spec, "peer spec")?;
    output(py, run(py, || peers::funnel_limits(&rates.0, &spec))?)
}

/// Rank among peers with a simulated 95% rank interval; returns `(table, report)`.
#[pyfunction]
#[pyo3(signature = (rates, spec=None))]
pub fn rank_among_peers<'py>(
    py: Python<'py>,
    rates: PyDataFrame,
    spec: Option<&Bound<'py, PyAny>>,
) -> Table<'py> {
    let spec: PeerSpec = self::spec(spec, "peer spec")?;
    output(py, run(py, || peers::rank_among_peers(&rates.0, &spec))?)
}

/// Newcombe's hybrid score interval for p1 − p2.
#[pyfunction]
pub fn newcombe_difference(
    py: Python<'_>,
    x1: f64,
    n1: f64,
    x2: f64,
    n2: f64,
    confidence: f64,
) -> PyResult<(f64, f64)> {
    run(py, || {
        intervals::newcombe_difference(x1, n1, x2, n2, confidence)
    })
}

/// Kish's effective sample size of survey weights.
#[pyfunction]
pub fn kish_effective_n(py: Python<'_>, weights: Vec<f64>) -> PyResult<f64> {
    run(py, || intervals::checked_kish_effective_n(&weights))
}
