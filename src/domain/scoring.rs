//! Score formulas: pure functions over ratings and stored counts.
//!
//! The published method, with every constant in [`ScoringParams`]:
//!
//! - a rating's value is s = (overall − 1) / 4 × 100;
//! - its age weight is w = 0.5^(age_days / half_life_days);
//! - a venue's score is S = (Σw·s + m·μ) / (Σw + m), where the prior μ is the
//!   age-weighted mean of the venue's category in its province, else of the
//!   category nationally, else a fixed fallback (see [`choose_prior`]);
//! - a score is published only with enough ratings in the publication window;
//! - confidence is the Wilson lower bound of the share of 4★ and 5★ ratings.
//!
//! Past 500 lines: the published scoring method in one place, each formula beside its property
//! tests.

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

/// Every scoring constant, defaults from the published method.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ScoringParams {
    /// Age at which a rating counts half as much as a new one.
    pub half_life_days: f64,
    /// m: how many ratings' worth of weight the prior carries.
    pub prior_weight_ratings: f64,
    /// A slice (category × province, or category nationally) needs this many ratings to serve as a prior.
    pub prior_min_ratings: i64,
    /// The prior when no slice has enough ratings.
    pub fallback_prior_0_100: f64,
    /// A score is published only with at least this many ratings in the window.
    pub min_ratings_to_publish: i64,
    /// The publication window: ratings at most this old count towards publication.
    pub publish_window_days: i64,
}

impl Default for ScoringParams {
    fn default() -> Self {
        Self {
            half_life_days: 180.0,
            prior_weight_ratings: 10.0,
            prior_min_ratings: 50,
            fallback_prior_0_100: 70.0,
            min_ratings_to_publish: MIN_RATINGS_TO_PUBLISH,
            publish_window_days: 365,
        }
    }
}

impl ScoringParams {
    /// Checks every constant; the error message names the offending field.
    ///
    /// ```
    /// use qrfeedback::domain::scoring::ScoringParams;
    /// assert!(ScoringParams::default().validate().is_ok());
    /// let bad = ScoringParams { half_life_days: 0.0, ..ScoringParams::default() };
    /// assert!(bad.validate().unwrap_err().contains("half_life_days"));
    /// ```
    pub fn validate(&self) -> Result<(), String> {
        // A zero or infinite half life would make every weight 0 or 1 and the
        // formulas divide by it; NaN would poison every score.
        if !(self.half_life_days.is_finite() && self.half_life_days > 0.0) {
            return Err(format!(
                "half_life_days must be a finite number above 0, got {}",
                self.half_life_days
            ));
        }
        if !(self.prior_weight_ratings.is_finite() && self.prior_weight_ratings >= 0.0) {
            return Err(format!(
                "prior_weight_ratings must be a finite number of at least 0, got {}",
                self.prior_weight_ratings
            ));
        }
        if self.prior_min_ratings < 1 {
            return Err(format!(
                "prior_min_ratings must be at least 1, got {}",
                self.prior_min_ratings
            ));
        }
        if !(self.fallback_prior_0_100.is_finite()
            && (0.0..=100.0).contains(&self.fallback_prior_0_100))
        {
            return Err(format!(
                "fallback_prior_0_100 must be between 0 and 100, got {}",
                self.fallback_prior_0_100
            ));
        }
        if self.min_ratings_to_publish < 1 {
            return Err(format!(
                "min_ratings_to_publish must be at least 1, got {}",
                self.min_ratings_to_publish
            ));
        }
        if self.publish_window_days < 1 {
            return Err(format!(
                "publish_window_days must be at least 1, got {}",
                self.publish_window_days
            ));
        }
        Ok(())
    }
}

/// A rating's age as used by every formula: negative ages (clock skew) and NaN count as 0.
fn effective_age_days(age_days: f64) -> f64 {
    // f64::max returns the other operand when one is NaN, so NaN becomes 0 too.
    age_days.max(0.0)
}

/// w = 0.5^(age_days / half_life_days); negative ages count as 0 (a clock skew must not give weight > 1).
///
/// ```
/// use qrfeedback::domain::scoring::{ScoringParams, age_weight};
/// let params = ScoringParams::default();
/// assert_eq!(age_weight(&params, 0.0), 1.0);
/// assert_eq!(age_weight(&params, 180.0), 0.5);
/// assert_eq!(age_weight(&params, -3.0), 1.0);
/// ```
pub fn age_weight(params: &ScoringParams, age_days: f64) -> f64 {
    0.5_f64.powf(effective_age_days(age_days) / params.half_life_days)
}

/// Age-weighted sums for one measure (overall or one dimension).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WeightedSum {
    /// Σw over the counted ratings.
    pub weight: f64,
    /// Σw·s over the counted ratings, s on the 0–100 scale.
    pub weighted_score: f64,
    /// Number of counted ratings, whatever their age.
    pub count: i64,
}

impl WeightedSum {
    /// Adds one rating of `stars` (1..=5) that is `age_days` old.
    pub fn add_rating(&mut self, params: &ScoringParams, age_days: f64, stars: u8) {
        // Stars come from a parsed rating and are always 1..=5; clamping keeps
        // a stray value from pushing the sums outside the 0–100 scale.
        let stars = stars.clamp(1, 5);
        let w = age_weight(params, age_days);
        self.weight += w;
        self.weighted_score += w * stars_to_score_0_100(f64::from(stars));
        self.count += 1;
    }

    /// Adds one day's aggregate: `count` ratings whose star values sum to `star_sum`, all `age_days` old.
    /// Σ w·s over the day = w · (star_sum − count) / 4 · 100.
    pub fn add_day(&mut self, params: &ScoringParams, age_days: f64, count: i64, star_sum: i64) {
        if count <= 0 {
            return;
        }
        // Every star is 1..=5, so the sum lies in count..=5·count; clamping keeps
        // an inconsistent aggregate row inside the 0–100 scale.
        let star_sum = star_sum.clamp(count, 5 * count);
        let w = age_weight(params, age_days);
        self.weight += w * count as f64;
        self.weighted_score += w * (star_sum - count) as f64 / 4.0 * 100.0;
        self.count += count;
    }

    /// Adds another set of sums to this one (for example a venue's into its slice's).
    pub fn merge(&mut self, other: &WeightedSum) {
        self.weight += other.weight;
        self.weighted_score += other.weighted_score;
        self.count += other.count;
    }

    /// Σw·s / Σw on 0–100, None when weight is 0.
    pub fn mean_0_100(&self) -> Option<f64> {
        (self.weight > 0.0).then(|| (self.weighted_score / self.weight).clamp(0.0, 100.0))
    }
}

/// Where a prior came from (the fallback chain of the method).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorSource {
    /// The venue's category within its province.
    CategoryProvince,
    /// The venue's category nationally.
    CategoryNational,
    /// Every rating nationally, of any category (for region-wide scores).
    National,
    /// The fixed fallback prior.
    Fallback,
}

impl PriorSource {
    /// The stable key stored and shown for this source.
    pub fn key(self) -> &'static str {
        match self {
            PriorSource::CategoryProvince => "category_province",
            PriorSource::CategoryNational => "category_national",
            PriorSource::National => "national",
            PriorSource::Fallback => "fallback",
        }
    }
}

/// A prior mean μ and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Prior {
    /// μ on the 0–100 scale.
    pub mean_0_100: f64,
    /// Which step of the fallback chain gave μ.
    pub source: PriorSource,
}

/// The slice's mean as a prior when it has enough ratings to be trusted.
fn slice_prior(params: &ScoringParams, slice: &WeightedSum, source: PriorSource) -> Option<Prior> {
    if slice.count < params.prior_min_ratings {
        return None;
    }
    // A slice of only very old ratings can have a weight that underflows to 0;
    // it has no usable mean, so the chain goes on.
    slice
        .mean_0_100()
        .map(|mean_0_100| Prior { mean_0_100, source })
}

/// The fixed fallback prior.
fn fallback_prior(params: &ScoringParams) -> Prior {
    Prior {
        mean_0_100: params.fallback_prior_0_100,
        source: PriorSource::Fallback,
    }
}

/// μ: the slice's age-weighted mean when it has ≥ prior_min_ratings ratings (count), else the national category's, else the fallback.
///
/// ```
/// use qrfeedback::domain::scoring::{PriorSource, ScoringParams, WeightedSum, choose_prior};
/// let params = ScoringParams::default();
/// let mut national = WeightedSum::default();
/// national.add_day(&params, 0.0, 60, 240); // 60 ratings of 4★
/// let prior = choose_prior(&params, &WeightedSum::default(), &national);
/// assert_eq!(prior.source, PriorSource::CategoryNational);
/// assert_eq!(prior.mean_0_100, 75.0);
/// ```
pub fn choose_prior(
    params: &ScoringParams,
    category_province: &WeightedSum,
    category_national: &WeightedSum,
) -> Prior {
    slice_prior(params, category_province, PriorSource::CategoryProvince)
        .or_else(|| slice_prior(params, category_national, PriorSource::CategoryNational))
        .unwrap_or_else(|| fallback_prior(params))
}

/// One level and the fallback (for region scores): `slice`, labelled `source`, if it has enough ratings.
pub fn prior_or_fallback(
    params: &ScoringParams,
    slice: &WeightedSum,
    source: PriorSource,
) -> Prior {
    slice_prior(params, slice, source).unwrap_or_else(|| fallback_prior(params))
}

/// S = (Σw·s + m·μ) / (Σw + m), clamped to 0..=100.
///
/// ```
/// use qrfeedback::domain::scoring::{Prior, PriorSource, ScoringParams, WeightedSum, smoothed_0_100};
/// let params = ScoringParams::default();
/// let prior = Prior { mean_0_100: 70.0, source: PriorSource::Fallback };
/// let mut sums = WeightedSum::default();
/// sums.add_rating(&params, 0.0, 5); // w = 1, s = 100
/// // (100 + 10·70) / (1 + 10) = 72.72…
/// assert!((smoothed_0_100(&params, &sums, &prior) - 800.0 / 11.0).abs() < 1e-9);
/// ```
pub fn smoothed_0_100(params: &ScoringParams, sums: &WeightedSum, prior: &Prior) -> f64 {
    let m = params.prior_weight_ratings;
    let denominator = sums.weight + m;
    if denominator <= 0.0 {
        // Only possible with m = 0 and no weighted ratings: the prior is all we know.
        return prior.mean_0_100.clamp(0.0, 100.0);
    }
    ((sums.weighted_score + m * prior.mean_0_100) / denominator).clamp(0.0, 100.0)
}

/// The four measures of a venue (or slice).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Measures {
    /// The overall rating.
    pub overall: WeightedSum,
    /// The environment dimension.
    pub environment: WeightedSum,
    /// The skill dimension.
    pub skill: WeightedSum,
    /// The attitude dimension.
    pub attitude: WeightedSum,
}

impl Measures {
    /// Adds another venue's (or slice's) measures to these.
    pub fn merge(&mut self, other: &Measures) {
        self.overall.merge(&other.overall);
        self.environment.merge(&other.environment);
        self.skill.merge(&other.skill);
        self.attitude.merge(&other.attitude);
    }
}

/// One prior per measure.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Priors {
    /// Prior of the overall score.
    pub overall: Prior,
    /// Prior of the environment score.
    pub environment: Prior,
    /// Prior of the skill score.
    pub skill: Prior,
    /// Prior of the attitude score.
    pub attitude: Prior,
}

/// Chooses each measure's prior separately: a slice may have enough overall ratings but too few for a dimension.
pub fn choose_priors(
    params: &ScoringParams,
    category_province: &Measures,
    category_national: &Measures,
) -> Priors {
    Priors {
        overall: choose_prior(
            params,
            &category_province.overall,
            &category_national.overall,
        ),
        environment: choose_prior(
            params,
            &category_province.environment,
            &category_national.environment,
        ),
        skill: choose_prior(params, &category_province.skill, &category_national.skill),
        attitude: choose_prior(
            params,
            &category_province.attitude,
            &category_national.attitude,
        ),
    }
}

/// What a score is computed from: all counted (non-quarantined) ratings as weighted sums, plus the histogram of the publication window.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct VenueInputs {
    /// Age-weighted sums over every counted rating.
    pub measures: Measures,
    /// Overall stars of the counted ratings inside the publication window.
    pub window_histogram: Histogram,
}

/// One raw rating, for computing inputs from ratings directly (tests, reference path).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatingInput {
    /// Overall stars, 1..=5.
    pub overall: u8,
    /// Environment stars, if given.
    pub environment: Option<u8>,
    /// Skill stars, if given.
    pub skill: Option<u8>,
    /// Attitude stars, if given.
    pub attitude: Option<u8>,
    /// Age at the time of computation, in days.
    pub age_days: f64,
    /// Quarantined ratings are kept but do not count.
    pub quarantined: bool,
}

/// Quarantined ratings are skipped; ratings older than publish_window_days count in the weighted sums but not in window_histogram.
///
/// ```
/// use qrfeedback::domain::scoring::{RatingInput, ScoringParams, inputs_from_ratings};
/// let params = ScoringParams::default();
/// let rating = |overall, age_days| RatingInput {
///     overall, environment: None, skill: None, attitude: None, age_days, quarantined: false,
/// };
/// let inputs = inputs_from_ratings(&params, &[rating(5, 0.0), rating(1, 400.0)]);
/// assert_eq!(inputs.measures.overall.count, 2);
/// assert_eq!(inputs.window_histogram.total(), 1);
/// ```
pub fn inputs_from_ratings(params: &ScoringParams, ratings: &[RatingInput]) -> VenueInputs {
    let mut inputs = VenueInputs::default();
    for rating in ratings.iter().filter(|r| !r.quarantined) {
        let age_days = effective_age_days(rating.age_days);
        let measures = &mut inputs.measures;
        measures
            .overall
            .add_rating(params, age_days, rating.overall);
        let dimensions = [
            (&mut measures.environment, rating.environment),
            (&mut measures.skill, rating.skill),
            (&mut measures.attitude, rating.attitude),
        ];
        for (sums, stars) in dimensions {
            if let Some(stars) = stars {
                sums.add_rating(params, age_days, stars);
            }
        }
        if age_days <= params.publish_window_days as f64 {
            let bucket = usize::from(rating.overall.clamp(1, 5) - 1);
            inputs.window_histogram.0[bucket] += 1;
        }
    }
    inputs
}

/// The computed score of a venue.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct VenueScore {
    /// window_histogram.total() >= min_ratings_to_publish.
    pub published: bool,
    /// Smoothed overall when published, else None.
    pub score_0_100: Option<f64>,
    /// Wilson lower bound of the 4★+5★ share in the window histogram.
    pub confidence: f64,
    /// Counted ratings inside the publication window.
    pub ratings_in_window: i64,
    /// Smoothed environment score when published and that dimension has ≥1 rating, else None.
    pub environment_0_100: Option<f64>,
    /// Smoothed skill score when published and that dimension has ≥1 rating, else None.
    pub skill_0_100: Option<f64>,
    /// Smoothed attitude score when published and that dimension has ≥1 rating, else None.
    pub attitude_0_100: Option<f64>,
}

/// Computes a venue's published score, dimension scores and confidence.
///
/// ```
/// use qrfeedback::domain::scoring::*;
/// let params = ScoringParams::default();
/// let rating = RatingInput {
///     overall: 5, environment: None, skill: None, attitude: None, age_days: 0.0, quarantined: false,
/// };
/// let inputs = inputs_from_ratings(&params, &[rating; 5]);
/// let priors = choose_priors(&params, &Measures::default(), &Measures::default());
/// let score = score_venue(&params, &inputs, &priors);
/// // (5·100 + 10·70) / (5 + 10) = 80
/// assert_eq!(score.score_0_100, Some(80.0));
/// assert_eq!(score.environment_0_100, None);
/// ```
pub fn score_venue(params: &ScoringParams, inputs: &VenueInputs, priors: &Priors) -> VenueScore {
    let ratings_in_window = inputs.window_histogram.total();
    let published = ratings_in_window >= params.min_ratings_to_publish;
    let dimension = |sums: &WeightedSum, prior: &Prior| {
        (published && sums.count >= 1).then(|| smoothed_0_100(params, sums, prior))
    };
    let measures = &inputs.measures;
    VenueScore {
        published,
        score_0_100: published.then(|| smoothed_0_100(params, &measures.overall, &priors.overall)),
        confidence: inputs.window_histogram.confidence(),
        ratings_in_window,
        environment_0_100: dimension(&measures.environment, &priors.environment),
        skill_0_100: dimension(&measures.skill, &priors.skill),
        attitude_0_100: dimension(&measures.attitude, &priors.attitude),
    }
}

/// Linear-interpolated percentile (p in 0..=1) of an ascending-sorted slice; None when empty.
///
/// `p` outside 0..=1 is clamped; a NaN `p` gives None.
///
/// ```
/// use qrfeedback::domain::scoring::percentile_sorted;
/// assert_eq!(percentile_sorted(&[1.0, 2.0, 3.0, 4.0], 0.5), Some(2.5));
/// assert_eq!(percentile_sorted(&[], 0.5), None);
/// ```
pub fn percentile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    if p.is_nan() {
        return None;
    }
    let last_index = sorted.len().checked_sub(1)?;
    let rank = p.clamp(0.0, 1.0) * last_index as f64;
    // rank lies in 0..=last_index, so both indices are in bounds.
    let below = rank.floor() as usize;
    let above = rank.ceil() as usize;
    let fraction = rank - below as f64;
    Some(sorted[below] + (sorted[above] - sorted[below]) * fraction)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EPS: f64 = 1e-9;

    fn rating(overall: u8, age_days: f64) -> RatingInput {
        RatingInput {
            overall,
            environment: None,
            skill: None,
            attitude: None,
            age_days,
            quarantined: false,
        }
    }

    fn fallback(mean_0_100: f64) -> Prior {
        Prior {
            mean_0_100,
            source: PriorSource::Fallback,
        }
    }

    fn same_priors(mean_0_100: f64) -> Priors {
        let prior = fallback(mean_0_100);
        Priors {
            overall: prior,
            environment: prior,
            skill: prior,
            attitude: prior,
        }
    }

    /// A slice with `count` ratings of `stars`, all new.
    fn slice_of(params: &ScoringParams, count: i64, stars: i64) -> WeightedSum {
        let mut sums = WeightedSum::default();
        sums.add_day(params, 0.0, count, count * stars);
        sums
    }

    fn assert_close(actual: f64, expected: f64, tolerance: f64, what: &str) {
        assert!(
            (actual - expected).abs() <= tolerance,
            "{what}: got {actual}, expected {expected}"
        );
    }

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

    #[test]
    fn params_defaults_are_the_published_method_and_valid() {
        let params = ScoringParams::default();
        assert_eq!(params.half_life_days, 180.0);
        assert_eq!(params.prior_weight_ratings, 10.0);
        assert_eq!(params.prior_min_ratings, 50);
        assert_eq!(params.fallback_prior_0_100, 70.0);
        assert_eq!(params.min_ratings_to_publish, MIN_RATINGS_TO_PUBLISH);
        assert_eq!(params.publish_window_days, 365);
        assert_eq!(params.validate(), Ok(()));
    }

    #[test]
    fn params_validation_names_the_field() {
        let base = ScoringParams::default();
        let cases = [
            (
                ScoringParams {
                    half_life_days: -1.0,
                    ..base.clone()
                },
                "half_life_days",
            ),
            (
                ScoringParams {
                    half_life_days: f64::INFINITY,
                    ..base.clone()
                },
                "half_life_days",
            ),
            (
                ScoringParams {
                    prior_weight_ratings: f64::NAN,
                    ..base.clone()
                },
                "prior_weight_ratings",
            ),
            (
                ScoringParams {
                    prior_weight_ratings: -0.5,
                    ..base.clone()
                },
                "prior_weight_ratings",
            ),
            (
                ScoringParams {
                    prior_min_ratings: 0,
                    ..base.clone()
                },
                "prior_min_ratings",
            ),
            (
                ScoringParams {
                    fallback_prior_0_100: 100.5,
                    ..base.clone()
                },
                "fallback_prior_0_100",
            ),
            (
                ScoringParams {
                    min_ratings_to_publish: 0,
                    ..base.clone()
                },
                "min_ratings_to_publish",
            ),
            (
                ScoringParams {
                    publish_window_days: 0,
                    ..base.clone()
                },
                "publish_window_days",
            ),
        ];
        for (params, field) in cases {
            let message = params.validate().expect_err(field);
            assert!(message.contains(field), "{message:?} should name {field}");
        }
        // m = 0 (no smoothing) is allowed.
        let unsmoothed = ScoringParams {
            prior_weight_ratings: 0.0,
            ..base
        };
        assert_eq!(unsmoothed.validate(), Ok(()));
    }

    #[test]
    fn params_missing_fields_take_defaults() {
        let params: ScoringParams =
            serde_json::from_str(r#"{"half_life_days": 90}"#).expect("valid JSON");
        assert_eq!(
            params,
            ScoringParams {
                half_life_days: 90.0,
                ..ScoringParams::default()
            }
        );
    }

    #[test]
    fn age_weight_cases() {
        let params = ScoringParams::default();
        // (age_days, w = 0.5^(age/180))
        let cases = [
            (0.0, 1.0),
            (180.0, 0.5),
            (360.0, 0.25),
            // 0.5^(1/2) = 1/√2
            (90.0, std::f64::consts::FRAC_1_SQRT_2),
            // 0.5^(540/180) = 1/8
            (540.0, 0.125),
            // clock skew: a rating "from the future" weighs like a new one, never more.
            (-30.0, 1.0),
            (f64::NAN, 1.0),
            (f64::INFINITY, 0.0),
        ];
        for (age_days, expected) in cases {
            assert_close(
                age_weight(&params, age_days),
                expected,
                EPS,
                &format!("age {age_days}"),
            );
        }
        let short = ScoringParams {
            half_life_days: 30.0,
            ..params
        };
        // 0.5^(60/30) = 0.25
        assert_close(age_weight(&short, 60.0), 0.25, EPS, "half life 30");
    }

    #[test]
    fn smoothed_overall_cases() {
        struct Case {
            what: &'static str,
            ratings: &'static [(u8, f64)],
            prior_0_100: f64,
            m: f64,
            expected: f64,
        }
        let cases = [
            Case {
                what: "no ratings: the prior",
                ratings: &[],
                prior_0_100: 70.0,
                m: 10.0,
                // (0 + 10·70) / (0 + 10) = 70
                expected: 70.0,
            },
            Case {
                what: "one 5★ today",
                ratings: &[(5, 0.0)],
                prior_0_100: 70.0,
                m: 10.0,
                // (1·100 + 10·70) / (1 + 10) = 800 / 11 = 72.7272…
                expected: 800.0 / 11.0,
            },
            Case {
                what: "5★ today and 1★ a half life ago",
                ratings: &[(5, 0.0), (1, 180.0)],
                prior_0_100: 70.0,
                m: 10.0,
                // Σw = 1 + 0.5 = 1.5, Σw·s = 100 + 0.5·0 = 100
                // S = (100 + 700) / (1.5 + 10) = 800 / 11.5 = 69.5652…
                expected: 69.565_217_391_304_35,
            },
            Case {
                what: "ten 3★ today",
                ratings: &[(3, 0.0); 10],
                prior_0_100: 70.0,
                m: 10.0,
                // (10·50 + 10·70) / (10 + 10) = 1200 / 20 = 60
                expected: 60.0,
            },
            Case {
                what: "one 1★ two half lives ago, prior 50",
                ratings: &[(1, 360.0)],
                prior_0_100: 50.0,
                m: 10.0,
                // w = 0.25, Σw·s = 0; (0 + 500) / (0.25 + 10) = 48.7804…
                expected: 500.0 / 10.25,
            },
            Case {
                what: "no smoothing (m = 0)",
                ratings: &[(4, 0.0), (2, 180.0)],
                prior_0_100: 70.0,
                m: 0.0,
                // Σw = 1.5, Σw·s = 75 + 0.5·25 = 87.5; 87.5 / 1.5 = 58.333…
                expected: 87.5 / 1.5,
            },
            Case {
                what: "no smoothing and no ratings: the prior",
                ratings: &[],
                prior_0_100: 40.0,
                m: 0.0,
                expected: 40.0,
            },
        ];
        for case in cases {
            let params = ScoringParams {
                prior_weight_ratings: case.m,
                ..ScoringParams::default()
            };
            let ratings: Vec<_> = case
                .ratings
                .iter()
                .map(|&(stars, age)| rating(stars, age))
                .collect();
            let inputs = inputs_from_ratings(&params, &ratings);
            let smoothed = smoothed_0_100(
                &params,
                &inputs.measures.overall,
                &fallback(case.prior_0_100),
            );
            assert_close(smoothed, case.expected, EPS, case.what);
        }
    }

    #[test]
    fn add_day_equals_repeated_add_rating() {
        let params = ScoringParams::default();
        // A day 90 days ago with 5★, 4★ and 2★: count 3, star sum 11.
        // w = 0.5^(90/180) = 0.70710…; Σw = 3w = 2.1213…
        // Σw·s = w·(11 − 3)/4·100 = 200w = 141.421…  (= w·(100 + 75 + 25))
        let mut by_day = WeightedSum::default();
        by_day.add_day(&params, 90.0, 3, 11);
        let mut one_by_one = WeightedSum::default();
        for stars in [5, 4, 2] {
            one_by_one.add_rating(&params, 90.0, stars);
        }
        let w = std::f64::consts::FRAC_1_SQRT_2;
        assert_eq!(by_day.count, 3);
        assert_close(by_day.weight, 3.0 * w, EPS, "Σw");
        assert_close(by_day.weighted_score, 200.0 * w, EPS, "Σw·s");
        assert_close(by_day.weight, one_by_one.weight, EPS, "Σw vs one by one");
        assert_close(
            by_day.weighted_score,
            one_by_one.weighted_score,
            EPS,
            "Σw·s vs one by one",
        );
        assert_eq!(by_day.count, one_by_one.count);

        // An empty day changes nothing.
        let before = by_day;
        by_day.add_day(&params, 0.0, 0, 0);
        assert_eq!(by_day, before);
    }

    #[test]
    fn weighted_mean_and_merge() {
        let params = ScoringParams::default();
        assert_eq!(WeightedSum::default().mean_0_100(), None);
        // 5★ today (w 1, s 100) merged with 1★ a half life ago (w 0.5, s 0):
        // 100 / 1.5 = 66.666…
        let mut new = WeightedSum::default();
        new.add_rating(&params, 0.0, 5);
        let mut old = WeightedSum::default();
        old.add_rating(&params, 180.0, 1);
        new.merge(&old);
        assert_eq!(new.count, 2);
        assert_close(
            new.mean_0_100().unwrap_or(f64::NAN),
            100.0 / 1.5,
            EPS,
            "mean",
        );
    }

    #[test]
    fn prior_fallback_chain() {
        let params = ScoringParams::default();
        // 49 ratings are one short of a usable slice; 50 are enough.
        let province_49 = slice_of(&params, 49, 5); // mean 100
        let province_50 = slice_of(&params, 50, 5); // mean 100
        let national_49 = slice_of(&params, 49, 3); // mean 50
        let national_50 = slice_of(&params, 50, 3); // mean 50

        let prior = choose_prior(&params, &province_50, &national_50);
        assert_eq!(prior.source, PriorSource::CategoryProvince);
        assert_eq!(prior.mean_0_100, 100.0);

        let prior = choose_prior(&params, &province_49, &national_50);
        assert_eq!(prior.source, PriorSource::CategoryNational);
        assert_eq!(prior.mean_0_100, 50.0);

        let prior = choose_prior(&params, &province_49, &national_49);
        assert_eq!(prior, fallback(70.0));

        assert_eq!(
            prior_or_fallback(&params, &national_50, PriorSource::CategoryNational).mean_0_100,
            50.0,
            "a one-level slice with enough ratings is its own prior"
        );
        assert_eq!(
            prior_or_fallback(&params, &national_49, PriorSource::National),
            fallback(70.0)
        );

        // A slice whose ratings are so old that their weight underflows has no mean to offer.
        let mut ancient = WeightedSum::default();
        ancient.add_day(&params, f64::INFINITY, 60, 300);
        assert_eq!(choose_prior(&params, &ancient, &ancient), fallback(70.0));
    }

    #[test]
    fn priors_are_chosen_per_measure() {
        let params = ScoringParams::default();
        // The province has 60 overall ratings but only 10 on skill: skill falls
        // back to the national slice, which has 80.
        let province = Measures {
            overall: slice_of(&params, 60, 4),
            environment: slice_of(&params, 60, 4),
            skill: slice_of(&params, 10, 4),
            attitude: WeightedSum::default(),
        };
        let national = Measures {
            overall: slice_of(&params, 500, 3),
            environment: WeightedSum::default(),
            skill: slice_of(&params, 80, 2),
            attitude: slice_of(&params, 10, 2),
        };
        let priors = choose_priors(&params, &province, &national);
        assert_eq!(priors.overall.source, PriorSource::CategoryProvince);
        assert_eq!(priors.overall.mean_0_100, 75.0);
        assert_eq!(priors.environment.source, PriorSource::CategoryProvince);
        assert_eq!(priors.skill.source, PriorSource::CategoryNational);
        assert_eq!(priors.skill.mean_0_100, 25.0);
        assert_eq!(priors.attitude, fallback(70.0));
    }

    #[test]
    fn prior_source_keys_match_serde_names() {
        for source in [
            PriorSource::CategoryProvince,
            PriorSource::CategoryNational,
            PriorSource::National,
            PriorSource::Fallback,
        ] {
            let json = serde_json::to_string(&source).expect("serialisable");
            assert_eq!(json, format!("\"{}\"", source.key()));
        }
    }

    #[test]
    fn publication_needs_five_ratings_in_the_window() {
        let params = ScoringParams::default();
        let priors = same_priors(70.0);

        let four = inputs_from_ratings(&params, &[rating(5, 0.0); 4]);
        let score = score_venue(&params, &four, &priors);
        assert!(!score.published);
        assert_eq!(score.score_0_100, None);
        assert_eq!(score.ratings_in_window, 4);

        let five = inputs_from_ratings(&params, &[rating(5, 0.0); 5]);
        let score = score_venue(&params, &five, &priors);
        assert!(score.published);
        // (5·100 + 700) / (5 + 10) = 80
        assert_eq!(score.score_0_100, Some(80.0));
        // Wilson lower bound of 5 successes in 5 trials: 5 / (5 + 1.96²) = 0.5655…
        assert_close(
            score.confidence,
            5.0 / (5.0 + Z_95 * Z_95),
            1e-12,
            "confidence",
        );
    }

    #[test]
    fn a_rating_older_than_the_window_counts_in_the_score_not_for_publication() {
        let params = ScoringParams::default();
        let priors = same_priors(70.0);
        let mut ratings = vec![rating(5, 0.0); 4];
        ratings.push(rating(1, 366.0));
        let inputs = inputs_from_ratings(&params, &ratings);
        assert_eq!(inputs.measures.overall.count, 5);
        assert_eq!(inputs.window_histogram, Histogram([0, 0, 0, 0, 4]));
        let score = score_venue(&params, &inputs, &priors);
        assert!(!score.published, "only 4 ratings in the last 365 days");
        assert_eq!(score.ratings_in_window, 4);

        // With a fifth recent 5★ the venue is published, and the old 1★ still pulls it down:
        // w_old = 0.5^(366/180) = 0.24429…
        // S = (5·100 + w_old·0 + 700) / (5 + w_old + 10) = 1200 / 15.24429… = 78.7180…
        ratings.push(rating(5, 0.0));
        let inputs = inputs_from_ratings(&params, &ratings);
        let score = score_venue(&params, &inputs, &priors);
        assert!(score.published);
        assert_eq!(score.ratings_in_window, 5);
        assert_close(score.score_0_100.unwrap_or(f64::NAN), 78.718, 1e-3, "score");
        assert!(score.score_0_100 < Some(80.0));

        // Exactly 365 days old is still inside the window.
        let edge = inputs_from_ratings(&params, &[rating(3, 365.0)]);
        assert_eq!(edge.window_histogram.total(), 1);
    }

    #[test]
    fn dimensions_without_ratings_have_no_score() {
        let params = ScoringParams::default();
        let with_environment = RatingInput {
            environment: Some(4),
            ..rating(5, 0.0)
        };
        let inputs = inputs_from_ratings(&params, &[with_environment; 5]);
        let score = score_venue(&params, &inputs, &same_priors(70.0));
        assert!(score.published);
        // (5·75 + 700) / 15 = 1075 / 15 = 71.666…
        assert_close(
            score.environment_0_100.unwrap_or(f64::NAN),
            1075.0 / 15.0,
            EPS,
            "environment",
        );
        assert_eq!(score.skill_0_100, None);
        assert_eq!(score.attitude_0_100, None);

        // Unpublished venues show no dimension scores either.
        let inputs = inputs_from_ratings(&params, &[with_environment; 4]);
        let score = score_venue(&params, &inputs, &same_priors(70.0));
        assert_eq!(score.environment_0_100, None);
    }

    #[test]
    fn quarantined_ratings_are_skipped() {
        let params = ScoringParams::default();
        let quarantined = RatingInput {
            quarantined: true,
            ..rating(1, 0.0)
        };
        let inputs = inputs_from_ratings(&params, &[quarantined, rating(5, 0.0)]);
        assert_eq!(inputs, inputs_from_ratings(&params, &[rating(5, 0.0)]));
    }

    #[test]
    fn percentile_cases() {
        let deciles: Vec<f64> = (1..=10).map(|i| f64::from(i) * 10.0).collect();
        // (slice, p, expected): rank = p·(n − 1), interpolated between neighbours.
        let cases: [(&[f64], f64, Option<f64>); 10] = [
            (&[], 0.5, None),
            (&[5.0], 0.0, Some(5.0)),
            (&[5.0], 0.9, Some(5.0)),
            // rank 0.5·3 = 1.5 → 2 + 0.5·(3 − 2) = 2.5
            (&[1.0, 2.0, 3.0, 4.0], 0.5, Some(2.5)),
            // rank 0.5·4 = 2 → the middle element
            (&[1.0, 2.0, 3.0, 4.0, 9.0], 0.5, Some(3.0)),
            // rank 0.1·9 = 0.9 → 10 + 0.9·(20 − 10) = 19
            (&deciles, 0.1, Some(19.0)),
            (&deciles, 0.0, Some(10.0)),
            (&deciles, 1.0, Some(100.0)),
            // p outside 0..=1 is clamped.
            (&deciles, 1.5, Some(100.0)),
            (&deciles, f64::NAN, None),
        ];
        for (sorted, p, expected) in cases {
            match (percentile_sorted(sorted, p), expected) {
                (Some(got), Some(want)) => assert_close(got, want, EPS, &format!("p {p}")),
                (got, want) => assert_eq!(got, want, "p {p} of {sorted:?}"),
            }
        }
    }

    fn stars() -> impl Strategy<Value = u8> {
        1u8..=5
    }

    fn rating_input() -> impl Strategy<Value = RatingInput> {
        (
            stars(),
            proptest::option::of(stars()),
            proptest::option::of(stars()),
            proptest::option::of(stars()),
            0.0f64..1000.0,
            proptest::bool::weighted(0.1),
        )
            .prop_map(
                |(overall, environment, skill, attitude, age_days, quarantined)| RatingInput {
                    overall,
                    environment,
                    skill,
                    attitude,
                    age_days,
                    quarantined,
                },
            )
    }

    fn ratings(max: usize) -> impl Strategy<Value = Vec<RatingInput>> {
        proptest::collection::vec(rating_input(), 0..max)
    }

    fn options_close(a: Option<f64>, b: Option<f64>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() <= EPS,
            (a, b) => a == b,
        }
    }

    fn scores_close(a: &VenueScore, b: &VenueScore) -> bool {
        a.published == b.published
            && a.ratings_in_window == b.ratings_in_window
            && (a.confidence - b.confidence).abs() <= EPS
            && options_close(a.score_0_100, b.score_0_100)
            && options_close(a.environment_0_100, b.environment_0_100)
            && options_close(a.skill_0_100, b.skill_0_100)
            && options_close(a.attitude_0_100, b.attitude_0_100)
    }

    proptest! {
        #[test]
        fn wilson_is_a_share_and_grows_with_successes(trials in 1i64..5000, k in 0i64..5000) {
            let k = k % (trials + 1);
            let bound = wilson_lower_bound(k, trials);
            prop_assert!((0.0..=1.0).contains(&bound));
            prop_assert!(bound <= k as f64 / trials as f64 + 1e-12);
            if k < trials {
                prop_assert!(wilson_lower_bound(k + 1, trials) >= bound);
            }
        }

        #[test]
        fn histogram_mean_stays_within_0_100(counts in proptest::array::uniform5(0i64..10_000)) {
            let h = Histogram(counts);
            match h.mean_score_0_100() {
                None => prop_assert_eq!(h.total(), 0),
                Some(mean) => prop_assert!((0.0..=100.0).contains(&mean)),
            }
        }

        #[test]
        fn scores_stay_within_bounds(
            ratings in ratings(40),
            prior_0_100 in 0.0f64..=100.0,
            m in 0.0f64..50.0,
        ) {
            let params = ScoringParams { prior_weight_ratings: m, ..ScoringParams::default() };
            let inputs = inputs_from_ratings(&params, &ratings);
            let score = score_venue(&params, &inputs, &same_priors(prior_0_100));
            for value in [score.score_0_100, score.environment_0_100, score.skill_0_100, score.attitude_0_100]
                .into_iter()
                .flatten()
            {
                prop_assert!((0.0..=100.0).contains(&value), "{value}");
            }
            prop_assert!((0.0..=1.0).contains(&score.confidence));
            prop_assert_eq!(score.published, score.score_0_100.is_some());
        }

        #[test]
        fn a_new_5_star_never_lowers_and_a_new_1_star_never_raises(
            ratings in ratings(40),
            prior_0_100 in 0.0f64..=100.0,
        ) {
            let params = ScoringParams::default();
            let prior = fallback(prior_0_100);
            let smoothed = |ratings: &[RatingInput]| {
                smoothed_0_100(&params, &inputs_from_ratings(&params, ratings).measures.overall, &prior)
            };
            let before = smoothed(&ratings);
            let mut with_5 = ratings.clone();
            with_5.push(rating(5, 0.0));
            let mut with_1 = ratings.clone();
            with_1.push(rating(1, 0.0));
            prop_assert!(smoothed(&with_5) >= before - EPS);
            prop_assert!(smoothed(&with_1) <= before + EPS);
        }

        #[test]
        fn quarantined_ratings_change_nothing(
            ratings in ratings(30),
            extra in ratings(10),
            seed in any::<u64>(),
        ) {
            let params = ScoringParams::default();
            let counted: Vec<_> = ratings.iter().copied().filter(|r| !r.quarantined).collect();
            // Interleave quarantined copies of `extra` at positions derived from the seed.
            let mut mixed = counted.clone();
            for (i, r) in extra.iter().enumerate() {
                let at = ((seed >> (i % 64)) as usize) % (mixed.len() + 1);
                mixed.insert(at, RatingInput { quarantined: true, ..*r });
            }
            prop_assert_eq!(inputs_from_ratings(&params, &mixed), inputs_from_ratings(&params, &counted));
            prop_assert_eq!(inputs_from_ratings(&params, &ratings), inputs_from_ratings(&params, &counted));
        }

        #[test]
        fn the_order_of_ratings_does_not_matter(
            (ratings, shuffled) in ratings(40).prop_flat_map(|r| (Just(r.clone()), Just(r).prop_shuffle())),
            prior_0_100 in 0.0f64..=100.0,
        ) {
            let params = ScoringParams::default();
            let priors = same_priors(prior_0_100);
            let a = score_venue(&params, &inputs_from_ratings(&params, &ratings), &priors);
            let b = score_venue(&params, &inputs_from_ratings(&params, &shuffled), &priors);
            prop_assert!(scores_close(&a, &b), "{a:?} vs {b:?}");
        }

        /// Moving one rating further back in time moves the score towards the
        /// score without that rating: S(older) lies between S(without) and S(newer).
        ///
        /// Why: S(w) = (C + w·s) / (D + w) with C, D from the other ratings and
        /// the prior; it runs monotonically from S(0) = S(without) towards s as
        /// the rating's weight w grows, and w strictly falls with age.
        #[test]
        fn an_older_rating_weighs_less(
            others in ratings(30),
            stars in stars(),
            age_days in 0.0f64..3000.0,
            extra_days in 0.01f64..3000.0,
            prior_0_100 in 0.0f64..=100.0,
        ) {
            let params = ScoringParams::default();
            prop_assert!(age_weight(&params, age_days + extra_days) < age_weight(&params, age_days));

            let prior = fallback(prior_0_100);
            let smoothed_with = |extra: Option<RatingInput>| {
                let mut all = others.clone();
                all.extend(extra);
                smoothed_0_100(&params, &inputs_from_ratings(&params, &all).measures.overall, &prior)
            };
            let without = smoothed_with(None);
            let newer = smoothed_with(Some(rating(stars, age_days)));
            let older = smoothed_with(Some(rating(stars, age_days + extra_days)));
            let (low, high) = if without <= newer { (without, newer) } else { (newer, without) };
            prop_assert!(
                (low - EPS..=high + EPS).contains(&older),
                "without {without}, newer {newer}, older {older}"
            );
        }

        #[test]
        fn add_day_equals_adding_its_ratings_one_by_one(
            day_stars in proptest::collection::vec(stars(), 1..60),
            age_days in -10.0f64..2000.0,
        ) {
            let params = ScoringParams::default();
            let mut one_by_one = WeightedSum::default();
            for &stars in &day_stars {
                one_by_one.add_rating(&params, age_days, stars);
            }
            let count = day_stars.len() as i64;
            let star_sum: i64 = day_stars.iter().map(|&s| i64::from(s)).sum();
            let mut by_day = WeightedSum::default();
            by_day.add_day(&params, age_days, count, star_sum);
            prop_assert_eq!(by_day.count, one_by_one.count);
            prop_assert!((by_day.weight - one_by_one.weight).abs() <= EPS);
            prop_assert!((by_day.weighted_score - one_by_one.weighted_score).abs() <= EPS);
        }
    }
}
