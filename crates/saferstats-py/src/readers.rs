//! Readers and the bundled datasets: police.uk street files, ONS lookups and populations, wide
//! monthly tables, and the geography built from lookups.

use pyo3::prelude::*;
use pyo3_polars::PyDataFrame;

use saferstats::geo::geography::Geography;
use saferstats::io::ons_lookup::{self, Lookup};
use saferstats::io::ons_population::{self, Population};
use saferstats::io::police_uk::{self, PoliceUkData, ReadOptions};
use saferstats::io::wide_monthly;

use crate::convert::{report, spec};
use crate::errors::run;

/// `(crimes, set_aside, report)`.
pub type PoliceUkParts<'py> = (PyDataFrame, PyDataFrame, Bound<'py, PyAny>);
/// `(table, kind, vintage, source)`.
pub type LookupParts = (PyDataFrame, String, String, String);
/// `(table, vintage, unmatched_lads, ambiguous_lads)`.
pub type GeographyParts = (PyDataFrame, String, Vec<String>, Vec<String>);
/// `(table, shape, source)`.
pub type PopulationParts = (PyDataFrame, String, String);

pub fn police_uk_parts(py: Python<'_>, d: PoliceUkData) -> PyResult<PoliceUkParts<'_>> {
    let r = report(py, &d.report)?;
    Ok((PyDataFrame(d.crimes), PyDataFrame(d.set_aside), r))
}

pub fn lookup_parts(l: Lookup) -> LookupParts {
    (
        PyDataFrame(l.table),
        l.kind.to_string(),
        l.vintage,
        l.source,
    )
}

pub fn geography_parts(g: Geography) -> GeographyParts {
    (
        PyDataFrame(g.table),
        g.vintage,
        g.unmatched_lads,
        g.ambiguous_lads,
    )
}

pub fn population_parts(p: Population) -> PopulationParts {
    let shape = match p.shape {
        ons_population::PopulationShape::AgesWide => "ages_wide",
        ons_population::PopulationShape::YearsWide => "years_wide",
        ons_population::PopulationShape::Long => "long",
    };
    (PyDataFrame(p.table), shape.to_string(), p.source)
}

/// Read data.police.uk street-level CSVs; returns `(crimes, set_aside, report)`.
#[pyfunction]
#[pyo3(signature = (paths, options=None))]
pub fn read_police_uk<'py>(
    py: Python<'py>,
    paths: Vec<String>,
    options: Option<&Bound<'py, PyAny>>,
) -> PyResult<PoliceUkParts<'py>> {
    let options: ReadOptions = spec(options, "options")?;
    let data = run(py, || police_uk::read_police_uk(&paths, &options))?;
    police_uk_parts(py, data)
}

/// Read an ONS lookup; returns `(table, kind, vintage, source)`.
#[pyfunction]
pub fn read_lookup(py: Python<'_>, path: String) -> PyResult<LookupParts> {
    run(py, || Ok(lookup_parts(ons_lookup::read_lookup(&path)?)))
}

fn lookup_from_parts(parts: LookupParts) -> saferstats::Result<Lookup> {
    let (table, kind, vintage, source) = parts;
    Ok(Lookup {
        kind: kind.parse()?,
        vintage,
        table: table.0,
        source,
    })
}

/// Combine an LSOA lookup with an optional LAD lookup, each given as
/// `(table, kind, vintage, source)`; returns `(table, vintage, unmatched_lads, ambiguous_lads)`.
#[pyfunction]
#[pyo3(signature = (lsoa_lookup, lad_lookup=None))]
pub fn build_geography(
    py: Python<'_>,
    lsoa_lookup: LookupParts,
    lad_lookup: Option<LookupParts>,
) -> PyResult<GeographyParts> {
    run(py, || {
        let lsoa = lookup_from_parts(lsoa_lookup)?;
        let lad = lad_lookup.map(lookup_from_parts).transpose()?;
        Ok(geography_parts(Geography::new(&lsoa, lad.as_ref())?))
    })
}

/// Read an ONS population table; returns `(table, shape, source)`.
#[pyfunction]
#[pyo3(signature = (path, mid_year=None))]
pub fn read_population(
    py: Python<'_>,
    path: String,
    mid_year: Option<i32>,
) -> PyResult<PopulationParts> {
    run(py, || {
        Ok(population_parts(ons_population::read_population(
            &path, mid_year,
        )?))
    })
}

/// Read a wide monthly table (YYYYMM columns) into a long one.
#[pyfunction]
pub fn read_wide_monthly(py: Python<'_>, path: String) -> PyResult<PyDataFrame> {
    run(py, || {
        Ok(PyDataFrame(wide_monthly::read_wide_monthly(&path)?))
    })
}

/// The bundled Medway 2014 example: `(crimes, geography, lsoa_lookup, lad_population,
/// ward_population)`, each in the parts the readers return.
#[pyfunction]
#[pyo3(signature = (options=None))]
#[allow(clippy::type_complexity)]
pub fn medway_2014<'py>(
    py: Python<'py>,
    options: Option<&Bound<'py, PyAny>>,
) -> PyResult<(
    PoliceUkParts<'py>,
    GeographyParts,
    LookupParts,
    PopulationParts,
    PopulationParts,
)> {
    let options: ReadOptions = spec(options, "options")?;
    let d = run(py, || saferstats::datasets::medway_2014_with(&options))?;
    Ok((
        police_uk_parts(py, d.crimes)?,
        geography_parts(d.geography),
        lookup_parts(d.lsoa_lookup),
        population_parts(d.lad_population),
        population_parts(d.ward_population),
    ))
}

/// Write the bundled Medway 2014 files into a folder; returns the paths written.
#[pyfunction]
pub fn write_medway_2014(py: Python<'_>, directory: String) -> PyResult<Vec<String>> {
    run(py, || {
        let paths = saferstats::datasets::write_medway_2014(std::path::Path::new(&directory))?;
        Ok(paths.iter().map(|p| p.display().to_string()).collect())
    })
}

/// The bundled London example: `(counts, lad_lookup, lad_population, ward_counts)`, the MPS
/// borough and ward counts as [`read_wide_monthly`] returns them and the lookup and
/// population in the readers' parts.
#[pyfunction]
pub fn london_mps(
    py: Python<'_>,
) -> PyResult<(PyDataFrame, LookupParts, PopulationParts, PyDataFrame)> {
    let d = run(py, saferstats::datasets::london_mps)?;
    Ok((
        PyDataFrame(d.counts),
        lookup_parts(d.lad_lookup),
        population_parts(d.lad_population),
        PyDataFrame(d.ward_counts),
    ))
}
