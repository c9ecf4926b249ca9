//! Confidence intervals for shares of satisfied answers.

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// 95% Wilson score interval for a share `p` (0–1) observed on `n` trials, as `(low, high)`
/// in 0–1. `n` may be an effective (non-integer) sample size. `None` when there is no data.
///
/// The Wilson interval stays inside [0, 1] and behaves well for small `n` and for shares near
/// 0 or 1, which are common here: many units report 90–100% satisfied.
pub fn wilson(p: f64, n: f64) -> Option<(f64, f64)> {
    if n <= 0.0 || !n.is_finite() || !p.is_finite() {
        return None;
    }
    let p = p.clamp(0.0, 1.0);
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// Sample size MoHA guidance asks for when `population` transactions took place:
/// n = N / (1 + N·e²) with margin e = 5% (domain notes §1.5).
pub fn moha_sample_target(population: u64) -> u64 {
    let n = population as f64;
    (n / (1.0 + n * 0.05 * 0.05)).ceil() as u64
}

/// Whether two shares observed on independent samples differ by more than chance: the
/// difference `p1 − p2` (0–1) and its z score, from Agresti–Coull-adjusted shares so that 0%
/// and 100% still have a variance. `None` when either side has no data.
pub fn difference(p1: f64, n1: f64, p2: f64, n2: f64) -> Option<(f64, f64)> {
    if !(n1 > 0.0 && n2 > 0.0 && p1.is_finite() && p2.is_finite()) {
        return None;
    }
    let z2 = Z95 * Z95;
    let adjusted = |p: f64, n: f64| {
        let pa = (p.clamp(0.0, 1.0) * n + z2 / 2.0) / (n + z2);
        (pa, pa * (1.0 - pa) / (n + z2))
    };
    let ((a, va), (b, vb)) = (adjusted(p1, n1), adjusted(p2, n2));
    let se = (va + vb).sqrt();
    Some((p1 - p2, if se > 0.0 { (a - b) / se } else { 0.0 }))
}

/// The ranks each of several units may honestly hold, given their 95% intervals: unit `i`
/// ranks below every unit whose interval lies wholly above its own, and above every unit whose
/// interval lies wholly below. Units whose intervals overlap share a range of ranks (a tie)
/// instead of an invented order. Units without an interval get `None` and are not counted.
pub fn rank_ranges(intervals: &[Option<(f64, f64)>]) -> Vec<Option<(usize, usize)>> {
    let ranked = intervals.iter().flatten().count();
    intervals
        .iter()
        .map(|me| {
            let (lo, hi) = (*me)?;
            let better = intervals.iter().flatten().filter(|(l, _)| *l > hi).count();
            let worse = intervals.iter().flatten().filter(|(_, h)| *h < lo).count();
            Some((1 + better, ranked - worse))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-4
    }

    #[test]
    fn wilson_matches_hand_worked_values() {
        // 8 satisfied of 10: centre (0.8 + 0.19207)/1.38415 = 0.71674,
        // half 1.95996/1.38415 · sqrt(0.016 + 0.0096037) = 0.22657 → [0.4902, 0.9433].
        let (lo, hi) = wilson(0.8, 10.0).unwrap();
        assert!(close(lo, 0.4902) && close(hi, 0.9433), "{lo} {hi}");
        // 0 of 20 and 20 of 20 give one-sided intervals that never leave [0, 1].
        let (lo, hi) = wilson(0.0, 20.0).unwrap();
        assert!(close(lo, 0.0) && close(hi, 0.1611), "{lo} {hi}");
        let (lo, hi) = wilson(1.0, 20.0).unwrap();
        assert!(close(lo, 0.8389) && close(hi, 1.0), "{lo} {hi}");
    }

    #[test]
    fn wilson_has_no_interval_without_data() {
        assert_eq!(wilson(0.5, 0.0), None);
        assert_eq!(wilson(f64::NAN, 10.0), None);
    }

    #[test]
    fn wilson_narrows_as_the_sample_grows() {
        let (a, b) = wilson(0.9, 30.0).unwrap();
        let (c, d) = wilson(0.9, 3000.0).unwrap();
        assert!(d - c < b - a);
    }

    #[test]
    fn a_difference_is_significant_only_beyond_chance() {
        // 90% of 1,000 against 80% of 1,000: far beyond chance.
        let (d, z) = difference(0.9, 1000.0, 0.8, 1000.0).unwrap();
        assert!(close(d, 0.1) && z > 5.0, "{d} {z}");
        // The same shares on 20 people each: not enough to tell.
        let (_, z) = difference(0.9, 20.0, 0.8, 20.0).unwrap();
        assert!(z.abs() < Z95, "{z}");
        // 100% against 100%: no difference, and no division by zero.
        assert_eq!(difference(1.0, 50.0, 1.0, 50.0).unwrap().1, 0.0);
        assert!(difference(1.0, 0.0, 0.5, 10.0).is_none());
    }

    #[test]
    fn overlapping_intervals_share_ranks() {
        // A far ahead; B and C overlap each other; D has no data; E far behind.
        let r = rank_ranges(&[Some((0.90, 0.95)), Some((0.70, 0.80)), Some((0.75, 0.85)), None, Some((0.40, 0.50))]);
        assert_eq!(r, vec![Some((1, 1)), Some((2, 3)), Some((2, 3)), None, Some((4, 4))]);
        // Everything overlapping: everyone may be first or last.
        let r = rank_ranges(&[Some((0.5, 0.9)), Some((0.6, 0.8)), Some((0.55, 0.95))]);
        assert!(r.iter().all(|x| *x == Some((1, 3))));
        assert!(rank_ranges(&[]).is_empty());
    }

    #[test]
    fn moha_sample_target_follows_the_formula() {
        assert_eq!(moha_sample_target(0), 0);
        assert_eq!(moha_sample_target(100), 80); // 100 / 1.25
        assert_eq!(moha_sample_target(10_000), 385); // 10000 / 26 = 384.6
    }
}
