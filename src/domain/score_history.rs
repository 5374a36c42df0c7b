//! A venue's score inputs carried from day to day instead of re-read from its
//! whole history.
//!
//! A rating's age weight halves every `half_life_days`, so sums of age
//! weights kept as of one day become the sums as of a later day by one
//! factor: Σ 0.5^((t − d)/h)·x = 0.5^((t − c)/h) · Σ 0.5^((c − d)/h)·x. A
//! [`ScoreBase`] keeps a venue's sums over every day before its `cutoff`,
//! with ages measured from the cutoff, together with the two counts that are
//! windows rather than decayed sums: the star histogram of the publication
//! window and the ratings of the last twelve months. [`roll`] turns a base
//! plus the day aggregates since it (and the few older days that leave the
//! windows) into today's inputs and the next base, without reading the rest
//! of the history; with no base it reads every day and gives the same
//! numbers, which is how a full recompute works.
//!
//! The new base always stops before yesterday: ratings of yesterday may
//! still be committing just after midnight, so yesterday and today are read
//! on every refresh.

use chrono::{Duration, NaiveDate};

use crate::domain::scoring::{Histogram, Measures, ScoringParams, VenueInputs, WeightedSum};

/// Ratings in twelve months, for the tier rules.
pub const TWELVE_MONTHS_DAYS: i64 = 365;

/// A base older than this many days is not carried forward: reading the
/// venue's whole history costs about the same by then.
pub const MAX_BASE_AGE_DAYS: i64 = 31;

/// One venue's counted ratings on one local day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayAggregate {
    /// The local day.
    pub day: NaiveDate,
    /// Counted ratings (overall).
    pub ratings_count: i64,
    /// Sum of overall stars.
    pub overall_sum: i64,
    /// 1★..5★ counts.
    pub overall_hist: [i64; 5],
    /// Ratings with an environment score, and their stars' sum.
    pub environment: (i64, i64),
    /// Ratings with a skill score, and their stars' sum.
    pub skill: (i64, i64),
    /// Ratings with an attitude score, and their stars' sum.
    pub attitude: (i64, i64),
}

/// A venue's sums over every day before `cutoff`, aged as of `cutoff`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreBase {
    /// The first day the base does not hold.
    pub cutoff: NaiveDate,
    /// Age-weighted sums, ages measured from `cutoff`.
    pub measures: Measures,
    /// Overall stars of the days within the publication window as seen
    /// from `cutoff` (`cutoff − window < day < cutoff`).
    pub window_histogram: Histogram,
    /// Counted ratings of the days `cutoff − 365 < day < cutoff`.
    pub ratings_12m: i64,
}

/// What a venue is scored from today.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct VenueSums {
    /// Age-weighted sums and the window's histogram.
    pub inputs: VenueInputs,
    /// Counted ratings in the last twelve months.
    pub ratings_12m: i64,
}

/// The cutoff of the base written on `today`: it holds every day before yesterday.
pub fn next_cutoff(today: NaiveDate) -> NaiveDate {
    today - Duration::days(1)
}

impl ScoreBase {
    /// Whether this base can be carried to `today`: not from the future and
    /// not so old that reading everything is as cheap.
    pub fn usable(&self, today: NaiveDate) -> bool {
        let age = (next_cutoff(today) - self.cutoff).num_days();
        (0..=MAX_BASE_AGE_DAYS).contains(&age)
    }

    /// The days whose aggregates [`roll`] needs besides this base to reach
    /// `today`, as inclusive ranges: every day from the cutoff on, and the
    /// days that leave the publication window or the twelve months meanwhile.
    pub fn days_needed(
        &self,
        params: &ScoringParams,
        today: NaiveDate,
    ) -> Vec<(NaiveDate, NaiveDate)> {
        let mut ranges = vec![(self.cutoff, today)];
        for window in [params.publish_window_days, TWELVE_MONTHS_DAYS] {
            let first = self.cutoff - Duration::days(window - 1);
            let last = today - Duration::days(window);
            if first <= last {
                ranges.push((first, last.min(self.cutoff - Duration::days(1))));
            }
        }
        ranges
    }
}

fn decayed(sums: &WeightedSum, factor: f64) -> WeightedSum {
    WeightedSum {
        weight: sums.weight * factor,
        weighted_score: sums.weighted_score * factor,
        count: sums.count,
    }
}

fn decayed_measures(m: &Measures, factor: f64) -> Measures {
    Measures {
        overall: decayed(&m.overall, factor),
        environment: decayed(&m.environment, factor),
        skill: decayed(&m.skill, factor),
        attitude: decayed(&m.attitude, factor),
    }
}

/// 0.5^(days / half-life): what an age weight becomes `days` later.
fn decay_over(params: &ScoringParams, days: i64) -> f64 {
    0.5_f64.powf(days as f64 / params.half_life_days)
}

fn add_measures(params: &ScoringParams, m: &mut Measures, row: &DayAggregate, age_days: i64) {
    let age = age_days as f64;
    m.overall
        .add_day(params, age, row.ratings_count, row.overall_sum);
    m.environment
        .add_day(params, age, row.environment.0, row.environment.1);
    m.skill.add_day(params, age, row.skill.0, row.skill.1);
    m.attitude
        .add_day(params, age, row.attitude.0, row.attitude.1);
}

fn add_hist(h: &mut Histogram, row: &DayAggregate, sign: i64) {
    for (slot, n) in h.0.iter_mut().zip(&row.overall_hist) {
        *slot += sign * n;
    }
}

/// Whether a day `age_days` old (as seen from some day) is inside a window of `window` days.
fn within(age_days: i64, window: i64) -> bool {
    age_days < window
}

/// Today's inputs for a venue, and the base to keep for the next refresh.
///
/// With `base`, `days` must hold at least the days of
/// [`ScoreBase::days_needed`] (any others are ignored); without, every day
/// of the venue's history. Days after `today` are ignored.
pub fn roll(
    params: &ScoringParams,
    base: Option<&ScoreBase>,
    days: &[DayAggregate],
    today: NaiveDate,
) -> (VenueSums, ScoreBase) {
    let window = params.publish_window_days;
    let cutoff = next_cutoff(today);
    // The days the new base holds that the old one did not: all of them
    // without an old base.
    let old_cutoff = base.map(|b| b.cutoff);
    let is_new = |day: NaiveDate| old_cutoff.is_none_or(|c| day >= c);

    // 1. The new base, ages from `cutoff`.
    let mut next = match base {
        Some(b) => ScoreBase {
            cutoff,
            measures: decayed_measures(
                &b.measures,
                decay_over(params, (cutoff - b.cutoff).num_days()),
            ),
            window_histogram: b.window_histogram,
            ratings_12m: b.ratings_12m,
        },
        None => ScoreBase {
            cutoff,
            measures: Measures::default(),
            window_histogram: Histogram::default(),
            ratings_12m: 0,
        },
    };
    for row in days.iter().filter(|r| r.day < cutoff) {
        let age = (cutoff - row.day).num_days();
        if is_new(row.day) {
            add_measures(params, &mut next.measures, row, age);
            if within(age, window) {
                add_hist(&mut next.window_histogram, row, 1);
            }
            if within(age, TWELVE_MONTHS_DAYS) {
                next.ratings_12m += row.ratings_count;
            }
        } else if let Some(old) = old_cutoff {
            // Held by the old base: leaves the windows it has aged out of.
            let old_age = (old - row.day).num_days();
            if within(old_age, window) && !within(age, window) {
                add_hist(&mut next.window_histogram, row, -1);
            }
            if within(old_age, TWELVE_MONTHS_DAYS) && !within(age, TWELVE_MONTHS_DAYS) {
                next.ratings_12m -= row.ratings_count;
            }
        }
    }

    // 2. Today's sums: the new base one day on, plus yesterday and today.
    let mut sums = VenueSums {
        inputs: VenueInputs {
            measures: decayed_measures(
                &next.measures,
                decay_over(params, (today - cutoff).num_days()),
            ),
            window_histogram: next.window_histogram,
        },
        ratings_12m: next.ratings_12m,
    };
    for row in days.iter().filter(|r| r.day <= today) {
        let age = (today - row.day).num_days();
        if row.day >= cutoff {
            add_measures(params, &mut sums.inputs.measures, row, age);
            if within(age, window) {
                add_hist(&mut sums.inputs.window_histogram, row, 1);
            }
            if within(age, TWELVE_MONTHS_DAYS) {
                sums.ratings_12m += row.ratings_count;
            }
        } else {
            // Held by the new base: leaves the windows between its cutoff and today.
            let base_age = (cutoff - row.day).num_days();
            if within(base_age, window) && !within(age, window) {
                add_hist(&mut sums.inputs.window_histogram, row, -1);
            }
            if within(base_age, TWELVE_MONTHS_DAYS) && !within(age, TWELVE_MONTHS_DAYS) {
                sums.ratings_12m -= row.ratings_count;
            }
        }
    }
    (sums, next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid date") + Duration::days(n)
    }

    /// The sums as the published method defines them, straight from every day.
    fn direct(params: &ScoringParams, days: &[DayAggregate], today: NaiveDate) -> VenueSums {
        let mut sums = VenueSums::default();
        for row in days.iter().filter(|r| r.day <= today) {
            let age = (today - row.day).num_days();
            add_measures(params, &mut sums.inputs.measures, row, age);
            if age < params.publish_window_days {
                add_hist(&mut sums.inputs.window_histogram, row, 1);
            }
            if age < TWELVE_MONTHS_DAYS {
                sums.ratings_12m += row.ratings_count;
            }
        }
        sums
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
    }

    fn assert_same(a: &VenueSums, b: &VenueSums) {
        assert_eq!(a.inputs.window_histogram, b.inputs.window_histogram);
        assert_eq!(a.ratings_12m, b.ratings_12m);
        let pairs = [
            (a.inputs.measures.overall, b.inputs.measures.overall),
            (a.inputs.measures.environment, b.inputs.measures.environment),
            (a.inputs.measures.skill, b.inputs.measures.skill),
            (a.inputs.measures.attitude, b.inputs.measures.attitude),
        ];
        for (x, y) in pairs {
            assert_eq!(x.count, y.count);
            assert!(close(x.weight, y.weight), "{x:?} vs {y:?}");
            assert!(close(x.weighted_score, y.weighted_score), "{x:?} vs {y:?}");
        }
    }

    /// Only the days a base asks for, as the store reads them.
    fn needed(
        params: &ScoringParams,
        base: &ScoreBase,
        days: &[DayAggregate],
        today: NaiveDate,
    ) -> Vec<DayAggregate> {
        let ranges = base.days_needed(params, today);
        days.iter()
            .filter(|r| ranges.iter().any(|(a, b)| (*a..=*b).contains(&r.day)))
            .copied()
            .collect()
    }

    fn aggregate() -> impl Strategy<Value = (i64, [i64; 5], i64, i64)> {
        (0i64..=800, prop::array::uniform5(0i64..4), 0i64..3, 0i64..5)
    }

    proptest! {
        /// Rolling a base day by day over random histories, reading only the
        /// days it asks for, gives the sums of reading every day every time.
        #[test]
        fn rolled_sums_equal_the_full_history(
            rows in prop::collection::vec(aggregate(), 0..120),
            start in 0i64..500,
            steps in prop::collection::vec(0i64..4, 1..12),
            window in prop_oneof![Just(365i64), 1i64..400],
        ) {
            let params = ScoringParams { publish_window_days: window, ..ScoringParams::default() };
            let mut days: Vec<DayAggregate> = rows.iter().map(|(d, hist, e, s)| {
                let n: i64 = hist.iter().sum();
                let stars: i64 = hist.iter().zip(1..=5).map(|(c, s)| c * s).sum();
                DayAggregate {
                    day: day(*d),
                    ratings_count: n,
                    overall_sum: stars,
                    overall_hist: *hist,
                    environment: ((*e).min(n), (*e).min(n) * 4),
                    skill: ((*s).min(n), (*s).min(n) * 2),
                    attitude: (n, stars),
                }
            }).collect();
            days.sort_by_key(|r| r.day);
            days.dedup_by_key(|r| r.day);

            let mut today = day(start);
            let (sums, mut base) = roll(&params, None, &days, today);
            assert_same(&sums, &direct(&params, &days, today));
            for step in steps {
                today += Duration::days(step);
                let (rolled, next) = roll(&params, Some(&base), &needed(&params, &base, &days, today), today);
                assert_same(&rolled, &direct(&params, &days, today));
                let (full, full_base) = roll(&params, None, &days, today);
                assert_same(&rolled, &full);
                prop_assert_eq!(next.cutoff, full_base.cutoff);
                base = next;
            }
        }
    }

    #[test]
    fn a_base_is_carried_only_forward_and_not_too_far() {
        let base = ScoreBase {
            cutoff: day(10),
            measures: Measures::default(),
            window_histogram: Histogram::default(),
            ratings_12m: 0,
        };
        assert!(base.usable(day(11)));
        assert!(base.usable(day(11 + MAX_BASE_AGE_DAYS)));
        assert!(!base.usable(day(12 + MAX_BASE_AGE_DAYS)));
        assert!(
            !base.usable(day(10)),
            "a base from the future of today's cutoff"
        );
    }

    #[test]
    fn the_days_needed_are_the_new_ones_and_those_leaving_the_windows() {
        let params = ScoringParams::default();
        let base = ScoreBase {
            cutoff: day(400),
            measures: Measures::default(),
            window_histogram: Histogram::default(),
            ratings_12m: 0,
        };
        // The default window is twelve months too: the same day leaves both.
        assert_eq!(
            base.days_needed(&params, day(401)),
            vec![(day(400), day(401)), (day(36), day(36)), (day(36), day(36))]
        );
    }
}
