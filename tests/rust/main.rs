//! The integration tests of the core crate, one module per topic, in one test binary.
//!
//! Oracle modules compare kernels with values from scipy, statsmodels, R and PHE recorded in
//! `tests/fixtures` (see `tests/PROVENANCE*.md`); the real-data modules read `../shared/data`
//! (or `$SAFERSTATS_SHARED_DATA`).

mod assessment;
mod assessment_product;
mod change_defaults;
mod concentration_oracles;
mod counts_prepared;
mod ingest;
mod oracles;
mod phe_oracles;
mod properties;
mod real_data;
mod reports;
mod schema;
mod seasonal_oracles;
