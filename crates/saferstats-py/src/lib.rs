//! Thin pyo3 bindings for saferstats: translation only, no statistics and no option parsing
//! (the command line is saferstats-cli's parser, run by [`cli`]).
//!
//! Frames cross as eager polars DataFrames through pyo3-polars (never lazy plans, whose
//! serialised form is tied to one Python polars release); specs cross as dicts deserialised
//! into the core's spec types, and reports come back as dicts (serde on both sides), so option
//! names, aliases, defaults and checks live in the core. Errors become the exception classes
//! of [`errors`]; Rust panics become `saferstats.InternalError`.

mod assessment;
mod change;
mod cli;
mod convert;
mod counts;
mod errors;
mod hotspots;
mod rates;
mod readers;
mod seasonality;

use pyo3::prelude::*;

/// Every word-valued option of the core: `{parameter: [canonical names]}`.
#[pyfunction]
fn choices() -> std::collections::BTreeMap<&'static str, Vec<&'static str>> {
    saferstats::all_choices().into_iter().collect()
}

/// Every alias of every option: `[(parameter, alias, canonical name)]`.
#[pyfunction]
fn aliases() -> Vec<(&'static str, &'static str, &'static str)> {
    saferstats::all_aliases()
}

/// The canonical name of an option value, e.g. `canonical("period", "fy") == "financial_year"`.
#[pyfunction]
fn canonical(py: Python<'_>, parameter: String, value: String) -> PyResult<&'static str> {
    errors::run(py, || saferstats::canonical(&parameter, &value))
}

/// Raise a Rust panic on purpose, to test that it becomes `InternalError`.
#[pyfunction]
fn _panic_for_tests(py: Python<'_>) -> PyResult<()> {
    errors::run(py, || -> saferstats::Result<()> {
        panic!("deliberate panic for tests")
    })
}

#[pymodule]
fn _saferstats(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(m)?;
    for f in [
        wrap_pyfunction!(readers::read_police_uk, m)?,
        wrap_pyfunction!(readers::read_lookup, m)?,
        wrap_pyfunction!(readers::build_geography, m)?,
        wrap_pyfunction!(readers::read_population, m)?,
        wrap_pyfunction!(readers::read_wide_monthly, m)?,
        wrap_pyfunction!(readers::medway_2014, m)?,
        wrap_pyfunction!(readers::write_medway_2014, m)?,
        wrap_pyfunction!(readers::london_mps, m)?,
        wrap_pyfunction!(counts::counts, m)?,
        wrap_pyfunction!(counts::counts_many, m)?,
        wrap_pyfunction!(counts::map_categories, m)?,
        wrap_pyfunction!(counts::all_crime_excluding_asb, m)?,
        wrap_pyfunction!(rates::rates, m)?,
        wrap_pyfunction!(rates::shares, m)?,
        wrap_pyfunction!(rates::proportions, m)?,
        wrap_pyfunction!(rates::compare_with_benchmark, m)?,
        wrap_pyfunction!(rates::funnel_limits, m)?,
        wrap_pyfunction!(rates::rank_among_peers, m)?,
        wrap_pyfunction!(rates::newcombe_difference, m)?,
        wrap_pyfunction!(rates::kish_effective_n, m)?,
        wrap_pyfunction!(change::change, m)?,
        wrap_pyfunction!(change::trends, m)?,
        wrap_pyfunction!(change::dispersion_from_monthly, m)?,
        wrap_pyfunction!(change::series_dispersion, m)?,
        wrap_pyfunction!(hotspots::hotspots, m)?,
        wrap_pyfunction!(hotspots::persistence, m)?,
        wrap_pyfunction!(hotspots::lorenz, m)?,
        wrap_pyfunction!(hotspots::share_change, m)?,
        wrap_pyfunction!(hotspots::grid_hotspots, m)?,
        wrap_pyfunction!(seasonality::seasonality, m)?,
        wrap_pyfunction!(assessment::assessment, m)?,
        wrap_pyfunction!(assessment::assessment_markdown, m)?,
        wrap_pyfunction!(assessment::assessment_write, m)?,
        wrap_pyfunction!(assessment::assessment_chart, m)?,
        wrap_pyfunction!(assessment::assessment_html, m)?,
        wrap_pyfunction!(assessment::assessment_reproduce, m)?,
        wrap_pyfunction!(cli::_cli_main, m)?,
        wrap_pyfunction!(choices, m)?,
        wrap_pyfunction!(aliases, m)?,
        wrap_pyfunction!(canonical, m)?,
        wrap_pyfunction!(_panic_for_tests, m)?,
    ] {
        m.add_function(f)?;
    }
    Ok(())
}
