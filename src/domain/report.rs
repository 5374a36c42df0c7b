//! Period reports (regulators' requirements, clause 八: each county sends a
//! year-end summary report): the period asked for and the one of the same
//! length before it, the figures a region's venues add up to, and the mean
//! score with its movement. Pure: the store counts, this module checks the
//! period and does the arithmetic.

use std::collections::HashMap;
use std::ops::AddAssign;

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};

use super::day::{day_end, day_start};
use super::decline::WindowSums;
use super::region::RegionTree;
use super::scoring::mean_from_sum_0_100;
use super::violation::earliest_day;

/// The longest period a report covers, in months: three years, enough to
/// set a year beside the two before it, short enough to stay a quick read.
pub const MAX_PERIOD_MONTHS: u32 = 36;

/// Why a period cannot be reported on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// `from` or `to` is not a calendar date written as YYYY-MM-DD.
    #[error("{0} must be a date written as YYYY-MM-DD")]
    BadDate(&'static str),
    /// `from` or `to` lies after today.
    #[error("{0} lies in the future")]
    FutureDate(&'static str),
    /// `from` or `to` lies before 2000-01-01.
    #[error("{0} lies before 2000-01-01")]
    TooOld(&'static str),
    /// `from` lies after `to`.
    #[error("from lies after to")]
    Reversed,
    /// The period is longer than [`MAX_PERIOD_MONTHS`].
    #[error("a period covers at most {MAX_PERIOD_MONTHS} months")]
    TooLong,
}

/// A report's period: local days from `from` to `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportPeriod {
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
}

/// One day as written in a report's address: `YYYY-MM-DD`, not after
/// `today` and not before 2000; empty as absent.
fn parse_day(
    raw: Option<&str>,
    field: &'static str,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, PeriodError> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let day = super::day::parse_iso_day(raw).ok_or(PeriodError::BadDate(field))?;
    if day > today {
        return Err(PeriodError::FutureDate(field));
    }
    if day < earliest_day() {
        return Err(PeriodError::TooOld(field));
    }
    Ok(Some(day))
}

impl ReportPeriod {
    /// Parses `from` and `to` as a report's address gives them, with
    /// `today` the local day. Without `to` the period ends today; without
    /// `from` it starts on the first of January of its last day's year.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        today: NaiveDate,
    ) -> Result<Self, PeriodError> {
        let to = parse_day(to, "to", today)?.unwrap_or(today);
        let from = match parse_day(from, "from", today)? {
            Some(day) => day,
            // January 1st exists in every year.
            None => NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to),
        };
        if from > to {
            return Err(PeriodError::Reversed);
        }
        let longest = from
            .checked_add_months(Months::new(MAX_PERIOD_MONTHS))
            .map_or(NaiveDate::MAX, |end| end - Duration::days(1));
        if to > longest {
            return Err(PeriodError::TooLong);
        }
        Ok(Self { from, to })
    }

    /// Days in the period.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The period of the same length that ends the day before this one
    /// starts: what the score movement is measured against.
    pub fn previous(&self) -> Self {
        Self {
            from: self.from - Duration::days(self.days()),
            to: self.from - Duration::days(1),
        }
    }

    /// The instant the period starts (local midnight of `from`).
    pub fn starts_at(&self) -> DateTime<Utc> {
        day_start(self.from)
    }

    /// The instant the period ends (the local midnight after `to`).
    pub fn ends_at(&self) -> DateTime<Utc> {
        day_end(self.to)
    }

    /// The instant the complaints are judged at: the end of the period, or
    /// `now` while the period is still running.
    pub fn as_of(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        self.ends_at().min(now)
    }
}

/// What a region's venues did in a period. Every figure is a count of
/// venues, ratings, cases or inspections that each belong to one venue, so
/// the figures of regions side by side add up (`+=`) to their parent's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeriodFigures {
    /// Venues with at least one counted rating in the period.
    pub venues_rated: i64,
    /// Counted ratings of the period and their summed overall stars.
    pub ratings: WindowSums,
    /// Counted ratings of the previous period of the same length.
    pub previous_ratings: WindowSums,
    /// Complaint cases received in the period.
    pub complaints_received: i64,
    /// Of those, closed by the period's end with every step taken by its due date.
    pub complaints_on_time: i64,
    /// Of those, with a step taken late, or open and past due at the period's end.
    pub complaints_overdue: i64,
    /// Inspections dated in the period.
    pub inspections: i64,
    /// Of those, not passed.
    pub inspections_failed: i64,
    /// Venues whose tier ended the period better than it started it.
    pub tier_moves_up: i64,
    /// Venues whose tier ended the period worse than it started it.
    pub tier_moves_down: i64,
}

impl AddAssign for PeriodFigures {
    fn add_assign(&mut self, other: Self) {
        let add = |a: &mut WindowSums, b: WindowSums| {
            a.ratings += b.ratings;
            a.overall_sum += b.overall_sum;
        };
        self.venues_rated += other.venues_rated;
        add(&mut self.ratings, other.ratings);
        add(&mut self.previous_ratings, other.previous_ratings);
        self.complaints_received += other.complaints_received;
        self.complaints_on_time += other.complaints_on_time;
        self.complaints_overdue += other.complaints_overdue;
        self.inspections += other.inspections;
        self.inspections_failed += other.inspections_failed;
        self.tier_moves_up += other.tier_moves_up;
        self.tier_moves_down += other.tier_moves_down;
    }
}

impl PeriodFigures {
    /// Cases received in the period that are neither handled on time nor
    /// overdue: still open at the period's end and not yet due.
    pub fn complaints_open(&self) -> i64 {
        self.complaints_received - self.complaints_on_time - self.complaints_overdue
    }

    /// The plain mean score 0–100 of the period's counted ratings.
    pub fn mean_score_0_100(&self) -> Option<f64> {
        mean_from_sum_0_100(self.ratings.ratings, self.ratings.overall_sum)
    }

    /// The plain mean score 0–100 of the previous period's counted ratings.
    pub fn previous_mean_score_0_100(&self) -> Option<f64> {
        mean_from_sum_0_100(
            self.previous_ratings.ratings,
            self.previous_ratings.overall_sum,
        )
    }

    /// How far the mean score moved from the previous period, in points
    /// (negative: it fell); none unless both periods have ratings.
    pub fn score_movement(&self) -> Option<f64> {
        Some(self.mean_score_0_100()? - self.previous_mean_score_0_100()?)
    }

    /// Whether there is nothing to report.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A region's figures added up from those of its venue regions: the
/// region's total, each child region's (its whole subtree) in code order,
/// and those of the venues registered directly under the region itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RolledUp {
    /// Everything in the region.
    pub total: PeriodFigures,
    /// Each child region (the provinces, nationally), in code order.
    pub children: Vec<(String, PeriodFigures)>,
    /// The venues of the region itself rather than of a child region.
    pub direct: PeriodFigures,
}

/// Adds the figures of venue regions (`by_region`, all inside `root`, or
/// anywhere when `root` is `None` for the whole country) up to `root` and
/// its children.
pub fn roll_up(
    tree: &RegionTree,
    root: Option<&str>,
    by_region: &HashMap<String, PeriodFigures>,
) -> RolledUp {
    let mut rolled = RolledUp::default();
    for figures in by_region.values() {
        rolled.total += *figures;
    }
    if let Some(own) = root.and_then(|code| by_region.get(code)) {
        rolled.direct = *own;
    }
    let children = root.map_or(tree.provinces(), |code| tree.children(code));
    rolled.children = children
        .iter()
        .map(|child| {
            let mut sum = PeriodFigures::default();
            for code in tree.subtree(child) {
                if let Some(figures) = by_region.get(&code) {
                    sum += *figures;
                }
            }
            (child.clone(), sum)
        })
        .collect();
    rolled
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_default_period_is_this_year_to_today() {
        let today = day(2026, 8, 15);
        let period = ReportPeriod::parse(None, None, today).unwrap();
        assert_eq!((period.from, period.to), (day(2026, 1, 1), today));
        let period = ReportPeriod::parse(Some(""), Some(" 2025-03-31 "), today).unwrap();
        assert_eq!(
            (period.from, period.to),
            (day(2025, 1, 1), day(2025, 3, 31))
        );
        let period = ReportPeriod::parse(Some("2026-02-01"), None, today).unwrap();
        assert_eq!((period.from, period.to), (day(2026, 2, 1), today));
    }

    #[test]
    fn bad_days_and_ranges_are_refused_naming_the_field() {
        let today = day(2026, 8, 15);
        let parse = |from, to| ReportPeriod::parse(Some(from), Some(to), today);
        assert_eq!(
            parse("2026-13-01", "2026-08-01"),
            Err(PeriodError::BadDate("from"))
        );
        assert_eq!(
            parse("2026-01-01", "20260801"),
            Err(PeriodError::BadDate("to"))
        );
        assert_eq!(
            parse("+2026-1-01", "2026-08-01"),
            Err(PeriodError::BadDate("from"))
        );
        assert_eq!(
            parse("2026-01-01", "2026-08-16"),
            Err(PeriodError::FutureDate("to"))
        );
        assert_eq!(
            parse("1999-12-31", "2000-01-01"),
            Err(PeriodError::TooOld("from"))
        );
        assert_eq!(
            parse("2026-08-02", "2026-08-01"),
            Err(PeriodError::Reversed)
        );
        // Three years exactly is the longest period; a day more is refused.
        assert!(parse("2023-08-15", "2026-08-14").is_ok());
        assert_eq!(parse("2023-08-15", "2026-08-15"), Err(PeriodError::TooLong));
        assert!(parse("2026-08-15", "2026-08-15").is_ok());
    }

    #[test]
    fn the_previous_period_has_the_same_length_and_ends_the_day_before() {
        let period = ReportPeriod {
            from: day(2026, 1, 1),
            to: day(2026, 3, 31),
        };
        assert_eq!(period.days(), 90);
        let previous = period.previous();
        assert_eq!(
            (previous.from, previous.to),
            (day(2025, 10, 3), day(2025, 12, 31))
        );
        assert_eq!(previous.days(), 90);
        assert_eq!(period.starts_at().to_rfc3339(), "2025-12-31T16:00:00+00:00");
        assert_eq!(period.ends_at().to_rfc3339(), "2026-03-31T16:00:00+00:00");
        let during = day_start(day(2026, 3, 2));
        assert_eq!(period.as_of(during), during);
        let after = day_start(day(2026, 5, 1));
        assert_eq!(period.as_of(after), period.ends_at());
    }

    #[test]
    fn the_mean_and_its_movement_come_from_the_star_sums() {
        let figures = PeriodFigures {
            ratings: WindowSums {
                ratings: 3,
                overall_sum: 11,
            },
            previous_ratings: WindowSums {
                ratings: 2,
                overall_sum: 8,
            },
            complaints_received: 5,
            complaints_on_time: 1,
            complaints_overdue: 3,
            ..PeriodFigures::default()
        };
        let mean = figures.mean_score_0_100().unwrap();
        assert!((mean - 200.0 / 3.0).abs() < 1e-9, "{mean}");
        assert_eq!(figures.previous_mean_score_0_100(), Some(75.0));
        let movement = figures.score_movement().unwrap();
        assert!((movement - (200.0 / 3.0 - 75.0)).abs() < 1e-9);
        assert_eq!(figures.complaints_open(), 1);
        let unrated = PeriodFigures {
            previous_ratings: figures.previous_ratings,
            ..PeriodFigures::default()
        };
        assert_eq!(unrated.mean_score_0_100(), None);
        assert_eq!(unrated.score_movement(), None);
        assert!(PeriodFigures::default().is_empty() && !unrated.is_empty());
    }

    #[test]
    fn venue_regions_add_up_to_the_children_and_the_region() {
        use crate::domain::region::{Region, RegionLevel};
        let region = |code: &str, parent: Option<&str>, level| Region {
            code: code.into(),
            parent_code: parent.map(Into::into),
            level,
            name_zh: code.into(),
            name_en: code.into(),
        };
        let tree = RegionTree::new(vec![
            region("650000", None, RegionLevel::Province),
            region("652800", Some("650000"), RegionLevel::Prefecture),
            region("652801", Some("652800"), RegionLevel::County),
            region("652822", Some("652800"), RegionLevel::County),
            region("659001", Some("650000"), RegionLevel::County),
            region("220000", None, RegionLevel::Province),
        ]);
        let inspected = |n| PeriodFigures {
            inspections: n,
            ..PeriodFigures::default()
        };
        let by_region: HashMap<String, PeriodFigures> = [
            ("652801", inspected(1)),
            ("652822", inspected(2)),
            ("652800", inspected(4)),
            ("659001", inspected(8)),
        ]
        .into_iter()
        .map(|(code, figures)| (code.to_owned(), figures))
        .collect();
        let province = roll_up(&tree, Some("650000"), &by_region);
        assert_eq!(province.total, inspected(15));
        assert_eq!(
            province.children,
            vec![
                ("652800".to_owned(), inspected(7)),
                ("659001".to_owned(), inspected(8)),
            ]
        );
        assert!(province.direct.is_empty());
        let prefecture = roll_up(&tree, Some("652800"), &by_region);
        assert_eq!(prefecture.direct, inspected(4));
        assert_eq!(prefecture.children.len(), 2);
        let county = roll_up(&tree, Some("652801"), &by_region);
        assert!(county.children.is_empty());
        assert_eq!(county.direct, inspected(1));
        let country = roll_up(&tree, None, &by_region);
        assert_eq!(
            country.children,
            vec![
                ("220000".to_owned(), PeriodFigures::default()),
                ("650000".to_owned(), inspected(15)),
            ]
        );
        assert!(country.direct.is_empty());
    }

    fn figures() -> impl Strategy<Value = PeriodFigures> {
        proptest::collection::vec(0i64..1000, 12).prop_map(|n| PeriodFigures {
            venues_rated: n[0],
            ratings: WindowSums {
                ratings: n[1],
                overall_sum: n[2],
            },
            previous_ratings: WindowSums {
                ratings: n[3],
                overall_sum: n[4],
            },
            complaints_received: n[5] + n[6] + n[7],
            complaints_on_time: n[6],
            complaints_overdue: n[7],
            inspections: n[8] + n[9],
            inspections_failed: n[9],
            tier_moves_up: n[10],
            tier_moves_down: n[11],
        })
    }

    proptest! {
        #[test]
        fn figures_add_up_field_by_field(a in figures(), b in figures()) {
            let mut sum = a;
            sum += b;
            prop_assert_eq!(sum.venues_rated, a.venues_rated + b.venues_rated);
            prop_assert_eq!(sum.ratings.ratings, a.ratings.ratings + b.ratings.ratings);
            prop_assert_eq!(
                sum.previous_ratings.overall_sum,
                a.previous_ratings.overall_sum + b.previous_ratings.overall_sum
            );
            prop_assert_eq!(sum.complaints_open(), a.complaints_open() + b.complaints_open());
            prop_assert_eq!(sum.inspections_failed, a.inspections_failed + b.inspections_failed);
            prop_assert_eq!(sum.tier_moves_down, a.tier_moves_down + b.tier_moves_down);
            let mut other_way = b;
            other_way += a;
            prop_assert_eq!(sum, other_way);
        }

        #[test]
        fn every_valid_period_has_a_previous_one_of_its_length(
            start in 0i64..9000, length in 0i64..1090
        ) {
            let from = day(2000, 1, 1) + Duration::days(start);
            let to = from + Duration::days(length);
            let today = day(2030, 1, 1);
            prop_assume!(to <= today);
            let written = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
            let period =
                ReportPeriod::parse(Some(&written(from)), Some(&written(to)), today).unwrap();
            prop_assert_eq!(period.days(), length + 1);
            prop_assert_eq!(period.previous().days(), period.days());
            prop_assert_eq!(period.previous().to + Duration::days(1), period.from);
        }
    }
}
