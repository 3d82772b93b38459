//! Geography: the combined LSOA → ward → local authority → CSP → police force table built from
//! ONS lookups, WGS84 to British National Grid, and regular grids with neighbour lists.

pub mod bng;
pub mod geography;
pub mod grid;
