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
    fn moha_sample_target_follows_the_formula() {
        assert_eq!(moha_sample_target(0), 0);
        assert_eq!(moha_sample_target(100), 80); // 100 / 1.25
        assert_eq!(moha_sample_target(10_000), 385); // 10000 / 26 = 384.6
    }
}
