//! The Python exception hierarchy and the one place core errors and panics become exceptions.

use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use saferstats::Error;

create_exception!(
    _saferstats,
    SaferstatsError,
    PyValueError,
    "Base class of every saferstats error (a ValueError)."
);
create_exception!(
    _saferstats,
    ColumnError,
    SaferstatsError,
    "A required column is missing, or a header or table shape is not recognised."
);
create_exception!(
    _saferstats,
    DataError,
    SaferstatsError,
    "A value in the data is malformed, out of range, duplicated, or not decodable."
);
create_exception!(
    _saferstats,
    ParameterError,
    SaferstatsError,
    "An argument is invalid."
);
create_exception!(
    _saferstats,
    InsufficientDataError,
    SaferstatsError,
    "Too few periods or observations for the method asked for."
);
create_exception!(
    _saferstats,
    InputFileError,
    SaferstatsError,
    "An input file or folder is missing or unreadable."
);
create_exception!(
    _saferstats,
    InternalError,
    SaferstatsError,
    "An unexpected failure inside saferstats (please report it)."
);

/// The exception for a core error.
pub fn to_py_err(e: Error) -> PyErr {
    let msg = e.to_string();
    match e {
        Error::MissingColumn { .. }
        | Error::UnexpectedHeader { .. }
        | Error::UnknownShape { .. } => ColumnError::new_err(msg),
        Error::BadValue { .. }
        | Error::Duplicate { .. }
        | Error::Encoding { .. }
        | Error::Decompression { .. }
        | Error::EmptyFile { .. }
        | Error::InvalidValue { .. } => DataError::new_err(msg),
        Error::InvalidParameter { .. } => ParameterError::new_err(msg),
        Error::InsufficientPeriods { .. } | Error::Degenerate { .. } => {
            InsufficientDataError::new_err(msg)
        }
        Error::Io { .. } | Error::NoInputFiles(_) => InputFileError::new_err(msg),
        _ => InternalError::new_err(msg),
    }
}

/// Run core code without the GIL, turning errors and panics into Python exceptions.
pub fn run<T: Send>(
    py: Python<'_>,
    f: impl FnOnce() -> saferstats::Result<T> + Send,
) -> PyResult<T> {
    py.detach(|| match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_py_err(e)),
        Err(panic) => Err(panic_error(panic)),
    })
}

/// The exception for a Rust panic: `InternalError` with the panic message.
pub fn panic_error(panic: Box<dyn std::any::Any + Send>) -> PyErr {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    InternalError::new_err(format!("internal error: {what}"))
}

/// Register the exception classes on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("SaferstatsError", py.get_type::<SaferstatsError>())?;
    m.add("ColumnError", py.get_type::<ColumnError>())?;
    m.add("DataError", py.get_type::<DataError>())?;
    m.add("ParameterError", py.get_type::<ParameterError>())?;
    m.add(
        "InsufficientDataError",
        py.get_type::<InsufficientDataError>(),
    )?;
    m.add("InputFileError", py.get_type::<InputFileError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    Ok(())
}
