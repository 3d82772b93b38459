//! Counts on the complete grid and crime-type groupings.

use std::collections::BTreeMap;

use pyo3::prelude::*;
use pyo3_polars::PyDataFrame;

use saferstats::counts::{CategoryMap, CountSpec, PreparedCrimes};
use saferstats::geo::geography::Geography;

use crate::convert::{report, required};
use crate::errors::run;

/// Counts per area, group and period on the complete grid; returns `(table, report)`.
/// `spec` has `level`, `period`, `by` and `coverage` (months as `YYYY-MM`).
#[pyfunction]
pub fn counts<'py>(
    py: Python<'py>,
    crimes: PyDataFrame,
    geography: PyDataFrame,
    geography_vintage: String,
    spec: &Bound<'py, PyAny>,
) -> PyResult<(PyDataFrame, Bound<'py, PyAny>)> {
    let spec: CountSpec = required(spec, "counts spec")?;
    let out = run(py, || {
        let geo = Geography::from_table(geography.0, geography_vintage)?;
        saferstats::counts::counts(&crimes.0, &geo, &spec)
    })?;
    Ok((PyDataFrame(out.table), report(py, &out.report)?))
}

/// Several count tables from one crimes frame: the rows are placed in the geography once
/// (`PreparedCrimes`) and each spec counted from them; returns `[(table, report)]` in order.
#[pyfunction]
pub fn counts_many<'py>(
    py: Python<'py>,
    crimes: PyDataFrame,
    geography: PyDataFrame,
    geography_vintage: String,
    specs: Vec<Bound<'py, PyAny>>,
) -> PyResult<Vec<(PyDataFrame, Bound<'py, PyAny>)>> {
    let specs: Vec<CountSpec> = specs
        .iter()
        .map(|s| required(s, "counts spec"))
        .collect::<PyResult<_>>()?;
    let outs = run(py, || {
        let geo = Geography::from_table(geography.0, geography_vintage)?;
        PreparedCrimes::new(&crimes.0, &geo)?.counts_many(&specs)
    })?;
    outs.into_iter()
        .map(|o| Ok((PyDataFrame(o.table), report(py, &o.report)?)))
        .collect()
}

/// Add a group column from a crime-type mapping.
#[pyfunction]
#[pyo3(signature = (crimes, mapping, column, out, default_group=None))]
pub fn map_categories(
    py: Python<'_>,
    crimes: PyDataFrame,
    mapping: BTreeMap<String, String>,
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

/// The built-in "All crime excluding ASB" mapping.
#[pyfunction]
pub fn all_crime_excluding_asb() -> BTreeMap<String, String> {
    CategoryMap::all_crime_excluding_asb().groups
}
