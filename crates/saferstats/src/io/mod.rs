//! Readers: data.police.uk street-level files, ONS lookups and population estimates, and wide
//! monthly count tables (the MPS borough and ward files). The bottom layer: readers know files,
//! headers and values, not geography or statistics.
//!
//! Every reader names the file, line, column and value of anything it cannot read, and
//! reports what it read, kept and set aside.

pub mod archive;
pub mod cache;
pub mod ons_lookup;
pub mod ons_population;
pub mod police_uk;
pub(crate) mod records;
pub(crate) mod source;
pub mod street;
pub mod wide_monthly;
