//! Input decoding shared by the fuzz targets: numbers that reach the interesting regions of the
//! kernels (small integers, the switch at 10, levels near 0.95, huge values, NaN, infinities,
//! subnormals) far more often than raw bit patterns would, while raw bits stay possible.

use arbitrary::Unstructured;

/// Values at the edges of the kernels' domains.
pub const SPECIAL: [f64; 24] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    0.9,
    0.95,
    0.998,
    0.999,
    1.0 - 1e-16,
    9.0,
    9.999_999_999,
    10.0,
    12.0,
    1e6,
    9_007_199_254_740_992.0, // 2^53
    1e15,
    1e300,
    f64::MAX,
    f64::MIN_POSITIVE,
    5e-324,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
];

/// One f64: raw bits, a small or medium integer, a special value, a fraction in [0, 1] or a
/// confidence level in [0.9, 1].
pub fn num(u: &mut Unstructured<'_>) -> f64 {
    match u.int_in_range(0..=6u8).unwrap_or(0) {
        0 => f64::from_bits(u.arbitrary::<u64>().unwrap_or(0)),
        1 => f64::from(u.arbitrary::<u8>().unwrap_or(0)),
        2 => f64::from(u.arbitrary::<u16>().unwrap_or(0)),
        3 => f64::from(u.arbitrary::<u32>().unwrap_or(0)),
        4 => SPECIAL[usize::from(u.arbitrary::<u8>().unwrap_or(0)) % SPECIAL.len()],
        5 => f64::from(u.arbitrary::<u16>().unwrap_or(0)) / 65535.0,
        _ => 0.9 + 0.1 * f64::from(u.arbitrary::<u16>().unwrap_or(0)) / 65535.0,
    }
}

/// One u64: small, medium, near the top of the range, or raw.
pub fn count(u: &mut Unstructured<'_>) -> u64 {
    match u.int_in_range(0..=3u8).unwrap_or(0) {
        0 => u64::from(u.arbitrary::<u8>().unwrap_or(0)),
        1 => u64::from(u.arbitrary::<u32>().unwrap_or(0)),
        2 => u64::MAX - u64::from(u.arbitrary::<u8>().unwrap_or(0)),
        _ => u.arbitrary::<u64>().unwrap_or(0),
    }
}

/// A slice of up to `max` numbers, all of one flavour most of the time (a count series), or
/// mixed.
pub fn nums(u: &mut Unstructured<'_>, max: usize) -> Vec<f64> {
    let len = u.int_in_range(0..=max).unwrap_or(0);
    let flavour = u.int_in_range(0..=2u8).unwrap_or(0);
    (0..len)
        .map(|_| match flavour {
            0 => f64::from(u.arbitrary::<u16>().unwrap_or(0) % 500),
            1 => f64::from(u.arbitrary::<u32>().unwrap_or(0)),
            _ => num(u),
        })
        .collect()
}

/// Split `data` into sources at each `\0\0` (at most `max` sources).
pub fn split_sources(data: &[u8], max: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while out.len() + 1 < max {
        match rest.windows(2).position(|w| w == b"\0\0") {
            Some(at) => {
                out.push(&rest[..at]);
                rest = &rest[at + 2..];
            }
            None => break,
        }
    }
    out.push(rest);
    out
}
