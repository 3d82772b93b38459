//! WGS84 longitude/latitude to British National Grid (EPSG:27700) easting/northing.
//!
//! The standard Ordnance Survey route of "A guide to coordinate systems in Great Britain"
//! (OS, v3.6 2020, §6 and annexes B–C): geodetic → Cartesian on GRS80, the 7-parameter Helmert
//! transformation ETRS89 → OSGB36, Cartesian → geodetic on Airy 1830, then the Transverse
//! Mercator projection of the National Grid.
//!
//! **Accuracy: a few metres, not survey grade.** The OS guide quotes about 5 m for this Helmert
//! transformation (the national transformation OSTN15 is needed for better). Against the 40
//! official OSTN15 test points the error is at most 4.1 m on the mainland (Cornwall) and 4.9 m
//! anywhere (St Kilda); see the tests. WGS84 is taken as equal to
//! ETRS89, which differs by under a metre in the 2020s. That is ample for data.police.uk
//! locations, which are already moved to anonymous "map points", and for 100 m+ grid cells.
//!
//! No crate was wrapped: `lonlat_bng` 0.9 (OSTN15, ~0.1 m) was assessed, but its build script
//! generates a C header into its own source directory with `cbindgen` (≈100 crates in the
//! build graph, fails on read-only sources) and it adds `rand`, `libc` and a 4.5 MB compressed
//! grid to decompress at build time, for accuracy police.uk data cannot use.

/// GRS80 ellipsoid (ETRS89; WGS84 differs in the 4th decimal of a millimetre here).
const GRS80_A: f64 = 6_378_137.000;
const GRS80_B: f64 = 6_356_752.314_1;
/// Airy 1830 ellipsoid (OSGB36).
const AIRY_A: f64 = 6_377_563.396;
const AIRY_B: f64 = 6_356_256.909;
/// National Grid projection constants.
const F0: f64 = 0.999_601_271_7;
const LAT0_DEG: f64 = 49.0;
const LON0_DEG: f64 = -2.0;
const E0: f64 = 400_000.0;
const N0: f64 = -100_000.0;
/// Helmert ETRS89 → OSGB36 (OS guide §6.6, table 4): metres, ppm, arc-seconds.
const TX: f64 = -446.448;
const TY: f64 = 125.157;
const TZ: f64 = -542.060;
const S_PPM: f64 = 20.4894;
const RX_SEC: f64 = -0.1502;
const RY_SEC: f64 = -0.2470;
const RZ_SEC: f64 = -0.8421;

/// Longitudes accepted by [`to_bng`] (degrees, inclusive): the EPSG area of use of the
/// OSGB36 ↔ WGS 84 transformations (UK offshore and Great Britain onshore, 9.01°W–2.01°E,
/// 49.75°N–61.01°N), which takes in St Kilda, Lowestoft, the Isles of Scilly and Shetland.
///
/// ```
/// use saferstats::geo::bng::{to_bng, LON_RANGE};
/// assert!(to_bng(LON_RANGE.1 + 0.1, 52.0).is_none());
/// ```
pub const LON_RANGE: (f64, f64) = (-9.01, 2.01);
/// Latitudes accepted by [`to_bng`] (degrees, inclusive); see [`LON_RANGE`].
///
/// ```
/// use saferstats::geo::bng::{to_bng, LAT_RANGE};
/// assert!(to_bng(-1.0, LAT_RANGE.0 - 0.1).is_none());
/// ```
pub const LAT_RANGE: (f64, f64) = (49.75, 61.01);
/// Eastings accepted for the result (metres, inclusive): the National Grid is 700 km wide.
///
/// ```
/// use saferstats::geo::bng::{to_bng, EASTING_RANGE};
/// // 2°W is the grid's central meridian (E = 400 km) in OSGB36; the datum shift from WGS84
/// // moves it about 100 m.
/// let (e, _) = to_bng(-2.0, 55.0).unwrap();
/// assert!((e - 400_000.0).abs() < 150.0 && e < EASTING_RANGE.1);
/// ```
pub const EASTING_RANGE: (f64, f64) = (0.0, 700_000.0);
/// Northings accepted for the result (metres, inclusive): the National Grid is 1300 km tall.
///
/// ```
/// use saferstats::geo::bng::{to_bng, NORTHING_RANGE};
/// let (_, n) = to_bng(-1.2, 60.8).unwrap(); // Shetland
/// assert!(n > 1_200_000.0 && n < NORTHING_RANGE.1);
/// ```
pub const NORTHING_RANGE: (f64, f64) = (0.0, 1_300_000.0);

/// WGS84 (≈ ETRS89) longitude/latitude in degrees → British National Grid (EPSG:27700)
/// `(easting, northing)` in metres, accurate to about 5 m.
///
/// Formula: OS "A guide to coordinate systems in Great Britain" — Helmert 7-parameter shift
/// (tx = −446.448 m, ty = 125.157 m, tz = −542.060 m, s = 20.4894 ppm, rx = −0.1502″,
/// ry = −0.2470″, rz = −0.8421″) to OSGB36, then Transverse Mercator on Airy 1830
/// (F0 = 0.9996012717, origin 49°N 2°W, false origin E 400 km, N −100 km), annex C series.
///
/// Returns `None` for non-finite input, for a longitude outside [`LON_RANGE`] or latitude
/// outside [`LAT_RANGE`] (this catches `(0, 0)` placeholders and swapped coordinates), or a
/// result outside [`EASTING_RANGE`] × [`NORTHING_RANGE`]. The box is coarse: Northern Ireland,
/// the Isle of Man and parts of the French coast lie inside it and are projected, although
/// the National Grid is not the grid used there.
///
/// # Examples
///
/// ```
/// use saferstats::geo::bng::to_bng;
/// // OS OSTN15 test point TP09 (London): OSTN15 gives E 530624.974, N 178388.464.
/// let (e, n) = to_bng(-0.119925572, 51.48936565).unwrap();
/// assert!((e - 530_624.974).abs() < 5.0 && (n - 178_388.464).abs() < 5.0);
/// assert_eq!(to_bng(0.0, 0.0), None);
/// assert_eq!(to_bng(51.5, -0.1), None); // latitude and longitude swapped
/// ```
///
/// # References
///
/// Ordnance Survey (2020), *A guide to coordinate systems in Great Britain*, v3.6, §6.6 and
/// table 4 (Helmert ETRS89 → OSGB36), annex B (geodetic ↔ Cartesian) and annex C (Transverse
/// Mercator); checked against the 40 official OSTN15 test points (within 4.9 m, see the module
/// docs and tests; `docs/methods.md`, "Hotspots and concentration").
pub fn to_bng(lon: f64, lat: f64) -> Option<(f64, f64)> {
    if !(lon >= LON_RANGE.0 && lon <= LON_RANGE.1 && lat >= LAT_RANGE.0 && lat <= LAT_RANGE.1) {
        return None;
    }
    let (x, y, z) = geodetic_to_cartesian(lat.to_radians(), lon.to_radians(), GRS80_A, GRS80_B);
    let (x, y, z) = helmert_etrs89_to_osgb36(x, y, z);
    let (phi, lambda) = cartesian_to_geodetic(x, y, z, AIRY_A, AIRY_B);
    let (e, n) = transverse_mercator(phi, lambda);
    let inside = e >= EASTING_RANGE.0
        && e <= EASTING_RANGE.1
        && n >= NORTHING_RANGE.0
        && n <= NORTHING_RANGE.1;
    inside.then_some((e, n))
}

/// Geodetic (radians, height 0) → Cartesian on the ellipsoid with semi-axes `a`, `b`
/// (OS guide annex B.1).
fn geodetic_to_cartesian(phi: f64, lambda: f64, a: f64, b: f64) -> (f64, f64, f64) {
    let e2 = (a * a - b * b) / (a * a);
    let (sp, cp) = phi.sin_cos();
    let nu = a / (1.0 - e2 * sp * sp).sqrt();
    (
        nu * cp * lambda.cos(),
        nu * cp * lambda.sin(),
        (1.0 - e2) * nu * sp,
    )
}

/// Helmert transformation ETRS89 → OSGB36 (OS guide §6.2 and table 4, position-vector form).
fn helmert_etrs89_to_osgb36(x: f64, y: f64, z: f64) -> (f64, f64, f64) {
    let sec = std::f64::consts::PI / (180.0 * 3600.0);
    let (rx, ry, rz) = (RX_SEC * sec, RY_SEC * sec, RZ_SEC * sec);
    let s1 = 1.0 + S_PPM * 1e-6;
    (
        TX + s1 * x - rz * y + ry * z,
        TY + rz * x + s1 * y - rx * z,
        TZ - ry * x + rx * y + s1 * z,
    )
}

/// Cartesian → geodetic (radians) on the ellipsoid with semi-axes `a`, `b`, by fixed-point
/// iteration on latitude (OS guide annex B.2).
fn cartesian_to_geodetic(x: f64, y: f64, z: f64, a: f64, b: f64) -> (f64, f64) {
    let e2 = (a * a - b * b) / (a * a);
    let lambda = y.atan2(x);
    let p = x.hypot(y);
    let mut phi = z.atan2(p * (1.0 - e2));
    for _ in 0..20 {
        let sp = phi.sin();
        let nu = a / (1.0 - e2 * sp * sp).sqrt();
        let next = (z + e2 * nu * sp).atan2(p);
        let done = (next - phi).abs() < 1e-13;
        phi = next;
        if done {
            break;
        }
    }
    (phi, lambda)
}

/// Transverse Mercator of the National Grid on Airy 1830 (OS guide annex C.1), from OSGB36
/// latitude/longitude in radians.
#[allow(non_snake_case)]
fn transverse_mercator(phi: f64, lambda: f64) -> (f64, f64) {
    let (a, b) = (AIRY_A, AIRY_B);
    let phi0 = LAT0_DEG.to_radians();
    let lambda0 = LON0_DEG.to_radians();
    let e2 = (a * a - b * b) / (a * a);
    let n = (a - b) / (a + b);
    let (n2, n3) = (n * n, n * n * n);
    let (sp, cp) = phi.sin_cos();
    let tp = sp / cp;
    let (tp2, tp4) = (tp * tp, tp * tp * tp * tp);
    let nu = a * F0 / (1.0 - e2 * sp * sp).sqrt();
    let rho = a * F0 * (1.0 - e2) * (1.0 - e2 * sp * sp).powf(-1.5);
    let eta2 = nu / rho - 1.0;
    let (dp, sp_) = (phi - phi0, phi + phi0);
    let M = b
        * F0
        * ((1.0 + n + 1.25 * n2 + 1.25 * n3) * dp
            - (3.0 * n + 3.0 * n2 + 21.0 / 8.0 * n3) * dp.sin() * sp_.cos()
            + (15.0 / 8.0 * n2 + 15.0 / 8.0 * n3) * (2.0 * dp).sin() * (2.0 * sp_).cos()
            - 35.0 / 24.0 * n3 * (3.0 * dp).sin() * (3.0 * sp_).cos());
    let c3 = cp * cp * cp;
    let c5 = c3 * cp * cp;
    let I = M + N0;
    let II = nu / 2.0 * sp * cp;
    let III = nu / 24.0 * sp * c3 * (5.0 - tp2 + 9.0 * eta2);
    let IIIA = nu / 720.0 * sp * c5 * (61.0 - 58.0 * tp2 + tp4);
    let IV = nu * cp;
    let V = nu / 6.0 * c3 * (nu / rho - tp2);
    let VI = nu / 120.0 * c5 * (5.0 - 18.0 * tp2 + tp4 + 14.0 * eta2 - 58.0 * tp2 * eta2);
    let l = lambda - lambda0;
    let (l2, l3) = (l * l, l * l * l);
    let north = I + II * l2 + III * l2 * l2 + IIIA * l3 * l3;
    let east = E0 + IV * l + V * l3 + VI * l3 * l2;
    (east, north)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dms(d: f64, m: f64, s: f64) -> f64 {
        d + m / 60.0 + s / 3600.0
    }

    #[test]
    fn os_guide_annex_c_projection_example() {
        // OS guide annex C worked example on OSGB36/Airy:
        // 52°39′27.2531″N 1°43′4.5177″E → E 651409.903, N 313177.270 (to the millimetre).
        let (e, n) = transverse_mercator(
            dms(52.0, 39.0, 27.2531).to_radians(),
            dms(1.0, 43.0, 4.5177).to_radians(),
        );
        assert!((e - 651_409.903).abs() < 0.001, "{e}");
        assert!((n - 313_177.270).abs() < 0.001, "{n}");
    }

    #[test]
    fn cartesian_round_trip() {
        let (phi, lambda) = (53.5f64.to_radians(), (-2.25f64).to_radians());
        let (x, y, z) = geodetic_to_cartesian(phi, lambda, AIRY_A, AIRY_B);
        let (p2, l2) = cartesian_to_geodetic(x, y, z, AIRY_A, AIRY_B);
        assert!((p2 - phi).abs() < 1e-12 && (l2 - lambda).abs() < 1e-15);
    }

    /// The 40 test points of the OS OSTN15 developer pack
    /// (`OSTN15_OSGM15_TestInput_ETRStoOSGB.csv` → `..._TestOutput_ETRStoOSGB.csv`, © Ordnance
    /// Survey and MOD 2015, BSD-style licence): ETRS89 latitude, longitude → OSTN15
    /// easting, northing, and the OS datum flag (1 = mainland OSGB36 region).
    const OSTN15_POINTS: [(&str, f64, f64, f64, f64, u8); 40] = [
        ("TP01", 49.92226394, -6.29977752, 91492.146, 11318.804, 2),
        ("TP02", 49.96006138, -5.2030461, 170370.718, 11572.405, 1),
        ("TP03", 50.43885826, -4.108645636, 250359.811, 62016.569, 1),
        ("TP04", 50.57563665, -1.297822772, 449816.371, 75335.861, 1),
        ("TP05", 50.93127938, -1.450514337, 438710.92, 114792.25, 1),
        ("TP06", 51.4007822, -3.551283492, 292184.87, 168003.465, 1),
        ("TP07", 51.37447026, 1.444547304, 639821.835, 169565.858, 1),
        ("TP08", 51.42754743, -2.544076183, 362269.991, 169978.69, 1),
        ("TP09", 51.48936565, -0.119925572, 530624.974, 178388.464, 1),
        ("TP10", 51.85890896, -4.30852477, 241124.584, 220332.641, 1),
        ("TP11", 51.89436637, 0.89724327, 599445.59, 225722.826, 1),
        ("TP12", 52.25529382, -2.154586144, 389544.19, 261912.153, 1),
        ("TP13", 52.25160951, -0.91248957, 474335.969, 262047.755, 1),
        ("TP14", 52.75136687, 0.401535471, 562180.547, 319784.995, 1),
        ("TP15", 52.96219109, -1.197476559, 454002.834, 340834.943, 1),
        ("TP16", 53.3448028, -2.640493208, 357455.843, 383290.436, 1),
        ("TP17", 53.41628516, -4.289180698, 247958.971, 393492.909, 1),
        ("TP18", 53.41630925, -4.289177929, 247959.241, 393495.583, 1),
        ("TP19", 53.77911026, -3.040454907, 331534.564, 431920.794, 1),
        ("TP20", 53.8002152, -1.663791682, 422242.186, 433818.701, 1),
        ("TP21", 54.08666318, -4.634521682, 227778.33, 468847.388, 3),
        ("TP22", 54.11685144, -0.077731332, 525745.67, 470703.214, 1),
        ("TP23", 54.32919541, -4.388491181, 244780.636, 495254.887, 3),
        ("TP24", 54.8954234, -2.938277411, 339921.145, 556034.761, 1),
        ("TP25", 54.97912274, -1.616576852, 424639.355, 565012.703, 1),
        ("TP26", 55.85399953, -4.296490163, 256340.925, 664697.269, 1),
        ("TP27", 55.92478266, -3.294792193, 319188.434, 670947.534, 1),
        ("TP28", 57.00606696, -5.828366919, 167634.202, 797067.144, 1),
        ("TP29", 57.13902519, -2.048560307, 397160.491, 805349.736, 1),
        ("TP30", 57.48625001, -4.219263986, 267056.768, 846176.972, 1),
        ("TP31", 57.81351838, -8.578544561, 9587.909, 899448.996, 15),
        ("TP32", 58.21262247, -7.592555606, 71713.132, 938516.404, 15),
        ("TP33", 58.51560361, -6.260914555, 151968.652, 966483.78, 4),
        ("TP34", 58.58120461, -3.726310221, 299721.891, 967202.992, 1),
        (
            "TP35",
            59.03743871,
            -3.214540011,
            330398.323,
            1017347.016,
            7,
        ),
        (
            "TP36",
            59.09335035,
            -4.417576746,
            261596.778,
            1025447.602,
            15,
        ),
        (
            "TP37",
            59.09671617,
            -5.827993398,
            180862.461,
            1029604.114,
            15,
        ),
        (
            "TP38",
            59.53470794,
            -1.625169661,
            421300.525,
            1072147.239,
            15,
        ),
        (
            "TP39",
            59.85409914,
            -1.274869104,
            440725.073,
            1107878.448,
            6,
        ),
        (
            "TP40",
            60.13308092,
            -2.073828228,
            395999.668,
            1138728.951,
            15,
        ),
    ];

    #[test]
    fn ostn15_test_points_within_stated_tolerance() {
        let mut worst_mainland: f64 = 0.0;
        let mut worst: f64 = 0.0;
        for &(id, lat, lon, e, n, flag) in &OSTN15_POINTS {
            let (ge, gn) = to_bng(lon, lat).unwrap_or_else(|| panic!("{id} rejected"));
            let err = (ge - e).hypot(gn - n);
            worst = worst.max(err);
            if flag == 1 {
                worst_mainland = worst_mainland.max(err);
            }
        }
        // Helmert vs OSTN15: "about 5 m" (OS guide); measured 4.12 m on the mainland (TP02,
        // Cornwall) and 4.94 m overall (TP31, St Kilda).
        assert!(worst_mainland < 4.2, "mainland {worst_mainland}");
        assert!(worst < 5.0, "all {worst}");
    }

    #[test]
    fn rejects_outside_bounds() {
        assert_eq!(to_bng(f64::NAN, 51.0), None);
        assert_eq!(to_bng(-0.1, f64::INFINITY), None);
        assert_eq!(to_bng(-10.0, 55.0), None); // west of the box (Atlantic)
        assert_eq!(to_bng(2.35, 48.85), None); // Paris
        assert!(to_bng(-1.5, 61.5).is_none());
        // corners of the box are accepted only if they project inside the grid
        assert!(to_bng(LON_RANGE.0, LAT_RANGE.0).is_none()); // far west of the false origin
    }
}
