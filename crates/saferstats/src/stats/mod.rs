//! Numeric kernels: slices in, numbers out, no DataFrame. Each kernel states its method and
//! source and is tested against scipy, statsmodels, R or PHE values (see `docs/methods.md`).
//!
//! - [`special`]: the one set of special functions (normal, gamma, beta, Poisson, binomial);
//! - [`intervals`]: Byar, exact Poisson, Wilson and Newcombe limits;
//! - [`rate_ratio`]: two-sample Poisson tests and intervals for the ratio of two rates;
//! - [`concentration`]: Lorenz, the Gini family, top-N shares, the share-change test;
//! - [`multiple_testing`]: false-discovery-rate adjustments;
//! - [`gistar`]: Getis-Ord Gi*;
//! - [`seasonal`]: seasonal indices, STL, seasonality tests, anomalous months;
//! - [`trend`]: PHE trend markers and the Poisson log-linear trend;
//! - [`funnel`]: funnel limits and over-dispersion for peer comparison.

pub mod concentration;
pub mod funnel;
pub mod gistar;
pub mod intervals;
pub mod multiple_testing;
pub mod rate_ratio;
pub mod seasonal;
pub mod special;
pub mod trend;
