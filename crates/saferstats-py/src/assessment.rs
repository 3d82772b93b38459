//! The strategic assessment: every table of every area, as the core's serde record and polars
//! frames; Markdown and files written by the core's renderers.

use pyo3::prelude::*;
use pyo3_polars::PyDataFrame;

use saferstats::assessment::{
    self as core, Assessment, AssessmentSpec, ChartKind, Format, InputPaths, InputSource, Inputs,
    chart_svg,
};

use crate::convert::{report, required, spec};
use crate::errors::{ParameterError, run};

/// `(assessment dict, [(table name, frame)])`.
pub type AssessmentParts<'py> = (Bound<'py, PyAny>, Vec<(String, PyDataFrame)>);

/// Compute the assessment; returns `(assessment dict, [(table name, frame)])`.
#[pyfunction]
#[pyo3(signature = (inputs=None, spec=None, example=None))]
pub fn assessment<'py>(
    py: Python<'py>,
    inputs: Option<&Bound<'py, PyAny>>,
    spec: Option<&Bound<'py, PyAny>>,
    example: Option<String>,
) -> PyResult<AssessmentParts<'py>> {
    let paths: InputPaths = self::spec(inputs, "inputs")?;
    let spec: AssessmentSpec = self::spec(spec, "assessment spec")?;
    let a = run(py, || {
        let inputs = match example.as_deref() {
            None => paths.load()?,
            Some("medway-2014" | "medway_2014") => Inputs::medway_2014()?,
            Some("london-mps" | "london_mps") => Inputs::london_mps()?,
            Some(other) => {
                return Err(saferstats::Error::InvalidParameter {
                    name: "example",
                    reason: format!(
                        "unknown example '{other}'; expected medway-2014 or london-mps"
                    ),
                });
            }
        };
        core::assessment(&inputs, &spec)
    })?;
    let tables = run(py, || a.tables())?
        .into_iter()
        .map(|(n, t)| (n.to_string(), PyDataFrame(t)))
        .collect();
    Ok((report(py, &a)?, tables))
}

fn from_dict(obj: &Bound<'_, PyAny>) -> PyResult<Assessment> {
    required(obj, "assessment")
}

/// Markdown of one area (`area` given) or of the index and every area.
#[pyfunction]
#[pyo3(signature = (assessment, area=None))]
pub fn assessment_markdown(
    py: Python<'_>,
    assessment: &Bound<'_, PyAny>,
    area: Option<String>,
) -> PyResult<String> {
    let a = from_dict(assessment)?;
    run(py, || match &area {
        Some(code) => a.area_markdown(code),
        None => Ok(a.to_markdown()),
    })
}

/// Write the assessment to `folder` in `formats` (`md`, `csv`, `json`), recording `source`
/// (`{"paths": {...}}` or `{"example": name}`) in the manifest when given; returns the paths.
#[pyfunction]
#[pyo3(signature = (assessment, folder, formats, source=None))]
pub fn assessment_write(
    py: Python<'_>,
    assessment: &Bound<'_, PyAny>,
    folder: String,
    formats: Vec<String>,
    source: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<String>> {
    let a = from_dict(assessment)?;
    let formats = Format::parse_list(&formats.join(","))
        .map_err(|e| ParameterError::new_err(e.to_string()))?;
    let source: Option<InputSource> = match source {
        Some(s) if !s.is_none() => Some(required(s, "input source")?),
        _ => None,
    };
    let folder = std::path::PathBuf::from(folder);
    let written = run(py, || match &source {
        Some(s) => a.write_reproducible(&folder, &formats, s),
        None => a.write(&folder, &formats),
    })?;
    Ok(written
        .into_iter()
        .map(|p| p.display().to_string())
        .collect())
}

/// One chart of one area: `(chart dict, SVG)`. `kind` is a chart name (`trend`, `monthly`,
/// `breakdown`, `hotspots`, `funnel`, `ranking`, `lorenz`); `group` a crime group (`None`: all
/// recorded crime excluding ASB).
#[pyfunction]
#[pyo3(signature = (assessment, area, kind, group=None))]
pub fn assessment_chart<'py>(
    py: Python<'py>,
    assessment: &Bound<'py, PyAny>,
    area: String,
    kind: String,
    group: Option<String>,
) -> PyResult<(Bound<'py, PyAny>, String)> {
    let a = from_dict(assessment)?;
    let kind: ChartKind = kind
        .parse()
        .map_err(|e: saferstats::Error| ParameterError::new_err(e.to_string()))?;
    let (chart, svg) = run(py, || {
        let chart = a.chart(&area, kind, group.as_deref())?;
        let svg = chart_svg(&chart)?;
        Ok((chart, svg))
    })?;
    Ok((report(py, &chart)?, svg))
}

/// The self-contained HTML page of one area (`area` given) or the index.
#[pyfunction]
#[pyo3(signature = (assessment, area=None))]
pub fn assessment_html(
    py: Python<'_>,
    assessment: &Bound<'_, PyAny>,
    area: Option<String>,
) -> PyResult<String> {
    let a = from_dict(assessment)?;
    run(py, || match &area {
        Some(code) => a.area_html(code),
        None => Ok(a.index_html()),
    })
}

/// Re-run the assessment recorded in `manifest` into `out`; returns the reproduction report.
#[pyfunction]
pub fn assessment_reproduce<'py>(
    py: Python<'py>,
    manifest: String,
    out: String,
) -> PyResult<Bound<'py, PyAny>> {
    let r = run(py, || {
        core::reproduce(std::path::Path::new(&manifest), std::path::Path::new(&out))
    })?;
    report(py, &r)
}
