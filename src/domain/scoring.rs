//! Score formulas: pure functions over stored counts.

/// The fewest ratings a venue needs before its score is published.
pub const MIN_RATINGS_TO_PUBLISH: i64 = 5;

/// z for a two-sided 95 % interval.
const Z_95: f64 = 1.959_963_984_540_054;

/// A rating's value on the 0–100 scale: (overall − 1) / 4 × 100.
///
/// ```
/// use qrfeedback::domain::scoring::stars_to_score_0_100;
/// assert_eq!(stars_to_score_0_100(4.0), 75.0);
/// ```
pub fn stars_to_score_0_100(stars: f64) -> f64 {
    (stars - 1.0) / 4.0 * 100.0
}

/// Counts of 1★..5★ ratings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Histogram(pub [i64; 5]);

impl Histogram {
    /// Number of ratings.
    pub fn total(&self) -> i64 {
        self.0.iter().sum()
    }

    /// The plain mean on the 0–100 scale, or `None` with no ratings.
    pub fn mean_score_0_100(&self) -> Option<f64> {
        let n = self.total();
        if n == 0 {
            return None;
        }
        let stars: i64 = self.0.iter().zip(1..=5).map(|(c, s)| c * s).sum();
        Some(stars_to_score_0_100(stars as f64 / n as f64))
    }

    /// Wilson lower bound (95 %) of the share of ratings with 4 or 5 stars.
    pub fn confidence(&self) -> f64 {
        wilson_lower_bound(self.0[3] + self.0[4], self.total())
    }
}

/// Wilson score interval lower bound (95 %) for `successes` out of `trials`; 0 with no trials.
///
/// ```
/// use qrfeedback::domain::scoring::wilson_lower_bound;
/// // 8 of 10 ratings were 4★ or better: the share is at least about 0.49.
/// assert!((wilson_lower_bound(8, 10) - 0.490).abs() < 0.001);
/// ```
pub fn wilson_lower_bound(successes: i64, trials: i64) -> f64 {
    if trials <= 0 {
        return 0.0;
    }
    let n = trials as f64;
    let p = successes.clamp(0, trials) as f64 / n;
    let z2 = Z_95 * Z_95;
    let centre = p + z2 / (2.0 * n);
    let margin = Z_95 * ((p * (1.0 - p) + z2 / (4.0 * n)) / n).sqrt();
    ((centre - margin) / (1.0 + z2 / n)).clamp(0.0, 1.0)
}

/// A mean of star values from a count and a sum, on the 0–100 scale.
pub fn mean_from_sum_0_100(count: i64, sum: i64) -> Option<f64> {
    (count > 0).then(|| stars_to_score_0_100(sum as f64 / count as f64))
}

/// Rounds to one decimal for display and JSON.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_values_map_to_0_100() {
        assert_eq!(stars_to_score_0_100(1.0), 0.0);
        assert_eq!(stars_to_score_0_100(3.0), 50.0);
        assert_eq!(stars_to_score_0_100(5.0), 100.0);
    }

    #[test]
    fn histogram_mean() {
        // 2×1★ + 1×3★ + 1×5★ = 10 stars / 4 = 2.5★ → (2.5−1)/4×100 = 37.5
        let h = Histogram([2, 0, 1, 0, 1]);
        assert_eq!(h.total(), 4);
        assert_eq!(h.mean_score_0_100(), Some(37.5));
        assert_eq!(Histogram::default().mean_score_0_100(), None);
    }

    #[test]
    fn wilson_matches_hand_computation() {
        // p = 8/10, z = 1.96: (0.8 + 0.19208 − 1.96·√(0.016 + 0.0009604)) / 1.38416 ≈ 0.4902
        assert!((wilson_lower_bound(8, 10) - 0.4902).abs() < 1e-3);
        assert_eq!(wilson_lower_bound(0, 0), 0.0);
        assert!(wilson_lower_bound(100, 100) > wilson_lower_bound(10, 10));
        assert!(wilson_lower_bound(0, 50) < 1e-12);
    }

    proptest::proptest! {
        #[test]
        fn wilson_is_a_share_and_grows_with_successes(trials in 1i64..5000, k in 0i64..5000) {
            let k = k % (trials + 1);
            let bound = wilson_lower_bound(k, trials);
            proptest::prop_assert!((0.0..=1.0).contains(&bound));
            proptest::prop_assert!(bound <= k as f64 / trials as f64 + 1e-12);
            if k < trials {
                proptest::prop_assert!(wilson_lower_bound(k + 1, trials) >= bound);
            }
        }

        #[test]
        fn histogram_mean_stays_within_0_100(counts in proptest::array::uniform5(0i64..10_000)) {
            let h = Histogram(counts);
            match h.mean_score_0_100() {
                None => proptest::prop_assert_eq!(h.total(), 0),
                Some(mean) => proptest::prop_assert!((0.0..=100.0).contains(&mean)),
            }
        }
    }
}
