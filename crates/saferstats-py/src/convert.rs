//! Specs in, reports out: serde structs cross the boundary as Python dicts and lists.
//!
//! A spec dict is deserialised into the core's spec type, so option names, aliases, defaults
//! and checks are the core's; an unknown key or value is a `ParameterError` naming it.

use pyo3::prelude::*;
use pythonize::{depythonize, pythonize};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::errors::ParameterError;

/// A core spec from a Python dict (`None` gives the spec's default).
pub fn spec<T: DeserializeOwned + Default>(
    obj: Option<&Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<T> {
    match obj {
        None => Ok(T::default()),
        Some(o) if o.is_none() => Ok(T::default()),
        Some(o) => required(o, what),
    }
}

/// A core value from a Python object, with no default.
pub fn required<T: DeserializeOwned>(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<T> {
    depythonize(obj).map_err(|e| ParameterError::new_err(format!("invalid {what}: {e}")))
}

/// A core report (any serde value) as Python dicts, lists and scalars.
pub fn report<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    pythonize(py, value).map_err(|e| ParameterError::new_err(format!("report: {e}")))
}
