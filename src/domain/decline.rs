//! "Fastest falling" venues: how far a venue's plain mean score fell from one
//! four-week window to the next. The windows are whole trend weeks (Monday to
//! Sunday, local days), the same weeks the venue's trend chart shows: the
//! recent window is this week and the three before it, the previous window the
//! four weeks before those.

use chrono::{Datelike, Duration, NaiveDate};

use super::scoring::mean_from_sum_0_100;

/// Weeks in each window.
pub const WINDOW_WEEKS: i64 = 4;

/// Ratings a window needs before its mean is compared: fewer would let one
/// rating make a venue look like it is collapsing.
pub const MIN_RATINGS_PER_WINDOW: i64 = 5;

/// The first days of the two windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeclineWindows {
    /// First day (a Monday) of the previous window.
    pub previous_from: NaiveDate,
    /// First day (a Monday) of the recent window; the previous one ends the day before.
    pub recent_from: NaiveDate,
    /// Last day of the recent window.
    pub through: NaiveDate,
}

impl DeclineWindows {
    /// The windows as of the local day `today`.
    pub fn as_of(today: NaiveDate) -> Self {
        let this_monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        let recent_from = this_monday - Duration::weeks(WINDOW_WEEKS - 1);
        Self {
            previous_from: recent_from - Duration::weeks(WINDOW_WEEKS),
            recent_from,
            through: today,
        }
    }
}

/// One window's counted ratings and their summed overall stars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WindowSums {
    /// Counted (not quarantined) ratings.
    pub ratings: i64,
    /// Sum of their overall stars.
    pub overall_sum: i64,
}

/// A venue's fall from the previous window to the recent one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decline {
    /// Plain mean score 0–100 of the previous window.
    pub previous_0_100: f64,
    /// Plain mean score 0–100 of the recent window.
    pub recent_0_100: f64,
    /// How far it fell, in score points (positive).
    pub drop_0_100: f64,
}

/// The fall between two windows; `None` when either window has too few
/// ratings or the score did not fall.
pub fn decline(previous: WindowSums, recent: WindowSums) -> Option<Decline> {
    if previous.ratings < MIN_RATINGS_PER_WINDOW || recent.ratings < MIN_RATINGS_PER_WINDOW {
        return None;
    }
    let previous_0_100 = mean_from_sum_0_100(previous.ratings, previous.overall_sum)?;
    let recent_0_100 = mean_from_sum_0_100(recent.ratings, recent.overall_sum)?;
    let drop_0_100 = previous_0_100 - recent_0_100;
    (drop_0_100 > 0.0).then_some(Decline {
        previous_0_100,
        recent_0_100,
        drop_0_100,
    })
}

/// The `limit` biggest falls, biggest first; equal falls by more recent
/// ratings (the better-founded fall first), then by key.
pub fn fastest_falling<K: Ord + Clone>(
    candidates: impl IntoIterator<Item = (K, WindowSums, WindowSums)>,
    limit: usize,
) -> Vec<(K, Decline, WindowSums, WindowSums)> {
    let mut falls: Vec<(K, Decline, WindowSums, WindowSums)> = candidates
        .into_iter()
        .filter_map(|(key, previous, recent)| {
            decline(previous, recent).map(|d| (key, d, previous, recent))
        })
        .collect();
    falls.sort_by(|a, b| {
        b.1.drop_0_100
            .total_cmp(&a.1.drop_0_100)
            .then_with(|| b.3.ratings.cmp(&a.3.ratings))
            .then_with(|| a.0.cmp(&b.0))
    });
    falls.truncate(limit);
    falls
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(ratings: i64, mean_stars: f64) -> WindowSums {
        WindowSums {
            ratings,
            overall_sum: (ratings as f64 * mean_stars).round() as i64,
        }
    }

    #[test]
    fn windows_are_whole_trend_weeks() {
        // 2026-06-03 is a Wednesday.
        let w = DeclineWindows::as_of(NaiveDate::from_ymd_opt(2026, 6, 3).unwrap());
        assert_eq!(w.recent_from, NaiveDate::from_ymd_opt(2026, 5, 11).unwrap());
        assert_eq!(
            w.previous_from,
            NaiveDate::from_ymd_opt(2026, 4, 13).unwrap()
        );
        assert_eq!(w.recent_from.weekday(), chrono::Weekday::Mon);
        assert_eq!((w.recent_from - w.previous_from).num_days(), 28);
    }

    #[test]
    fn a_fall_needs_enough_ratings_on_both_sides() {
        let d = decline(sums(10, 5.0), sums(10, 3.0)).unwrap();
        assert_eq!(d.previous_0_100, 100.0);
        assert_eq!(d.recent_0_100, 50.0);
        assert_eq!(d.drop_0_100, 50.0);
        assert!(decline(sums(4, 5.0), sums(10, 1.0)).is_none());
        assert!(decline(sums(10, 5.0), sums(4, 1.0)).is_none());
        assert!(decline(sums(10, 3.0), sums(10, 3.0)).is_none(), "no fall");
        assert!(decline(sums(10, 3.0), sums(10, 4.0)).is_none(), "a rise");
    }

    #[test]
    fn the_biggest_falls_come_first() {
        let ranked = fastest_falling(
            [
                (1, sums(10, 5.0), sums(10, 4.5)),
                (2, sums(10, 5.0), sums(10, 2.0)),
                (3, sums(10, 4.0), sums(20, 3.0)),
                (4, sums(10, 4.0), sums(10, 3.0)),
                (5, sums(2, 5.0), sums(10, 1.0)),
            ],
            3,
        );
        let keys: Vec<i32> = ranked.iter().map(|r| r.0).collect();
        assert_eq!(
            keys,
            vec![2, 3, 4],
            "3 and 4 fell alike; 3 has more ratings"
        );
    }
}
