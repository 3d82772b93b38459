//! Reports for people: self-contained HTML pages with SVG charts, and an Excel workbook.
//!
//! - [`charts`]: what each chart shows ([`Assessment::chart`](super::Assessment::chart)),
//!   the one place a chart's marks, limits and labels are computed;
//! - [`svg`]: the charts drawn with plotters' SVG backend;
//! - `html`: a page per area and an index ([`Assessment::area_html`](super::Assessment::area_html),
//!   [`Assessment::index_html`](super::Assessment::index_html));
//! - `excel`: the workbook ([`Assessment::to_xlsx`](super::Assessment::to_xlsx)).
//!
//! All of it is behind the `reports` feature (on by default).

pub mod charts;
mod excel;
mod html;
pub mod svg;
