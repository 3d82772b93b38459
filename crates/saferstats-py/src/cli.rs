//! The command line from Python: the `saferstats` console script (`saferstats._cli:main`)
//! runs the same clap parser as the Rust binary, [`saferstats_cli::run`]; nothing is parsed
//! here.

use pyo3::prelude::*;

/// Run the `saferstats` command line on `argv` (the program name first) and return its exit
/// code: 0 done (also `--help` and `--version`), 1 bad input, 2 usage.
///
/// The GIL is released while it runs. Output goes to the process's stdout and stderr (file
/// descriptors 1 and 2, as the binary writes them), so Python's buffered `sys.stdout` is
/// flushed first to keep the order; the progress bar shows when stderr is a terminal.
#[pyfunction]
pub fn _cli_main(py: Python<'_>, argv: Vec<String>) -> PyResult<i32> {
    for stream in ["stdout", "stderr"] {
        if let Ok(s) = py.import("sys")?.getattr(stream)
            && !s.is_none()
        {
            s.call_method0("flush")?;
        }
    }
    py.detach(|| std::panic::catch_unwind(|| saferstats_cli::run(argv)))
        .map_err(crate::errors::panic_error)
}
