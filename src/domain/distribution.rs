//! How the published venue scores of a slice (a region, or a region's
//! category) spread over ten-point bands: the shape behind its median and
//! 10th percentile, which regulators read as a bar chart.

/// Number of bands: 0–10, 10–20, …, 90–100.
pub const SCORE_BANDS: usize = 10;

/// Width of a band in score points.
pub const BAND_WIDTH_0_100: f64 = 100.0 / SCORE_BANDS as f64;

/// Venues per band, lowest band first.
pub type ScoreDistribution = [i64; SCORE_BANDS];

/// The band of a score 0–100: each band holds its lower bound, and the top
/// band also holds 100. Scores outside 0–100 are held to the nearest band.
pub fn score_band(score_0_100: f64) -> usize {
    if score_0_100.is_nan() {
        return 0;
    }
    let band = (score_0_100.clamp(0.0, 100.0) / BAND_WIDTH_0_100).floor();
    // `band` is in 0..=10 here, so the cast is exact.
    (band as usize).min(SCORE_BANDS - 1)
}

/// Counts scores into bands.
pub fn score_distribution(scores: impl IntoIterator<Item = f64>) -> ScoreDistribution {
    let mut bands = [0; SCORE_BANDS];
    for score in scores {
        bands[score_band(score)] += 1;
    }
    bands
}

/// The lower bound of each band, for labels: 0, 10, …, 90.
pub fn band_floor_0_100(band: usize) -> f64 {
    band as f64 * BAND_WIDTH_0_100
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn bands_hold_their_lower_bound_and_the_top_band_holds_100() {
        assert_eq!(score_band(0.0), 0);
        assert_eq!(score_band(9.99), 0);
        assert_eq!(score_band(10.0), 1);
        assert_eq!(score_band(59.9), 5);
        assert_eq!(score_band(60.0), 6);
        assert_eq!(score_band(99.99), 9);
        assert_eq!(score_band(100.0), 9);
        assert_eq!(score_band(-3.0), 0);
        assert_eq!(score_band(140.0), 9);
        assert_eq!(score_band(f64::NAN), 0);
    }

    #[test]
    fn a_distribution_counts_each_score_once() {
        let bands = score_distribution([71.7, 75.0, 100.0, 12.5, 79.99]);
        assert_eq!(bands, [0, 1, 0, 0, 0, 0, 0, 3, 0, 1]);
        assert_eq!(score_distribution([]), [0; SCORE_BANDS]);
        assert_eq!(band_floor_0_100(6), 60.0);
    }

    proptest! {
        #[test]
        fn every_score_lands_in_the_band_around_it(scores in prop::collection::vec(0.0f64..=100.0, 0..200)) {
            let bands = score_distribution(scores.iter().copied());
            prop_assert_eq!(bands.iter().sum::<i64>(), scores.len() as i64);
            for score in scores {
                let band = score_band(score);
                prop_assert!(band_floor_0_100(band) <= score);
                prop_assert!(score < band_floor_0_100(band) + BAND_WIDTH_0_100 || band == SCORE_BANDS - 1);
            }
        }
    }
}
