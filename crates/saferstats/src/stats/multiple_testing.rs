//! Multiple-testing adjustments: Benjamini-Hochberg and Benjamini-Yekutieli false-discovery-rate
//! adjusted p-values.

/// Step-up FDR adjustment shared by [`benjamini_hochberg`] (`dependence_factor = false`) and
/// [`benjamini_yekutieli`] (`true`, the factor c(m) = Σ 1/k).
pub(crate) fn fdr_adjust(p: &[f64], dependence_factor: bool) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    idx.sort_by(|&i, &j| p[i].total_cmp(&p[j]));
    let m = idx.len();
    let mut out = vec![f64::NAN; p.len()];
    if m == 0 {
        return out;
    }
    let cm: f64 = if dependence_factor {
        (1..=m).map(|k| 1.0 / k as f64).sum()
    } else {
        1.0
    };
    let mf = m as f64;
    let mut running = f64::INFINITY;
    for (rank, &i) in idx.iter().enumerate().rev() {
        let ecdf = (rank + 1) as f64 / mf;
        let factor = if dependence_factor { ecdf / cm } else { ecdf };
        running = running.min(p[i] / factor);
        out[i] = running.min(1.0);
    }
    out
}

/// Benjamini–Hochberg false-discovery-rate adjusted p-values:
/// `p̃₍ᵢ₎ = min(1, min_{j≥i} p₍ⱼ₎·m/j)` over the `m` p-values sorted ascending.
///
/// `NaN` entries are left out of the family (`m` counts the others) and
/// stay `NaN`, as R's `p.adjust` does.
///
/// # Examples
///
/// ```
/// use saferstats::stats::multiple_testing::benjamini_hochberg;
/// let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.5]);
/// // sorted: 0.01·4/1, 0.03·4/2, 0.04·4/3, 0.5·4/4, then running minimum from the top
/// assert!((q[0] - 0.04).abs() < 1e-15);
/// assert!((q[1] - 0.04 * 4.0 / 3.0).abs() < 1e-15 && q[2] == q[1]);
/// assert_eq!(q[3], 0.5);
/// ```
///
/// # References
///
/// Benjamini & Hochberg (1995), "Controlling the false discovery rate: a practical and powerful
/// approach to multiple testing", *JRSS B* 57(1):289–300; as
/// `statsmodels.stats.multitest.multipletests(p, method="fdr_bh")[1]` and R `p.adjust(p, "BH")`
/// (`tests/PROVENANCE_concentration.md`).
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    fdr_adjust(p, false)
}

/// Benjamini–Yekutieli adjusted p-values, valid under any dependence:
/// `p̃₍ᵢ₎ = min(1, min_{j≥i} p₍ⱼ₎·m·c(m)/j)`, `c(m) = Σ_{k=1}^{m} 1/k`.
///
/// `NaN` entries are left out of the family and
/// stay `NaN`.
///
/// # Examples
///
/// ```
/// use saferstats::stats::multiple_testing::benjamini_yekutieli;
/// let q = benjamini_yekutieli(&[0.01, 0.02]);
/// // c(2) = 1.5: 0.01·2·1.5/1 = 0.03 and 0.02·2·1.5/2 = 0.03
/// assert!((q[0] - 0.03).abs() < 1e-15 && (q[1] - 0.03).abs() < 1e-15);
/// ```
///
/// # References
///
/// Benjamini & Yekutieli (2001), "The control of the false discovery rate in multiple testing
/// under dependency", *Annals of Statistics* 29(4):1165–1188; as
/// `statsmodels.stats.multitest.multipletests(p, method="fdr_by")[1]` and R `p.adjust(p, "BY")`
/// (the `sppt_diff` default).
pub fn benjamini_yekutieli(p: &[f64]) -> Vec<f64> {
    fdr_adjust(p, true)
}
