//! Working days: the calendar case deadlines count in. Saturdays and Sundays
//! are rest days and Monday to Friday working days, unless the calendar says
//! otherwise: the State Council's yearly notice (国务院办公厅关于部分节假日安排的通知)
//! makes some weekdays public holidays and some weekend days make-up working
//! days (调休上班). Deadline arithmetic is pure, so it is tested against fixed
//! dates rather than the system clock.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// What the calendar says a day is, overriding the weekday rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A public holiday (or a weekday given as rest in its place): no work.
    Holiday,
    /// A make-up working day on a weekend (调休上班).
    Workday,
}

impl DayKind {
    /// The key stored and sent: `holiday` or `workday`.
    pub fn key(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }

    /// Reads a stored or sent key.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::Workday),
            _ => None,
        }
    }
}

/// The working-day calendar: the weekday rule plus the days it overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    overrides: HashMap<NaiveDate, DayKind>,
}

impl WorkingCalendar {
    /// A calendar with these overrides of the weekday rule.
    pub fn new(overrides: impl IntoIterator<Item = (NaiveDate, DayKind)>) -> Self {
        Self {
            overrides: overrides.into_iter().collect(),
        }
    }

    /// Whether people work on `day`.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        match self.overrides.get(&day) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The `n`th working day after `start` (`start` itself does not count,
    /// as a case received today has all of its first working day tomorrow).
    /// With `n == 0`, `start` itself.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day += Duration::days(1);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }
}

/// The working-day overrides of 2026, from the State Council's notice of
/// 4 November 2025 (国办发明电〔2025〕7号): every day off of each holiday
/// period, and the weekend days worked in exchange.
pub const OFFICIAL_2026: &[(&str, DayKind, &str)] = &[
    ("2026-01-01", DayKind::Holiday, "元旦"),
    ("2026-01-02", DayKind::Holiday, "元旦"),
    ("2026-01-03", DayKind::Holiday, "元旦"),
    ("2026-01-04", DayKind::Workday, "元旦调休"),
    ("2026-02-14", DayKind::Workday, "春节调休"),
    ("2026-02-15", DayKind::Holiday, "春节"),
    ("2026-02-16", DayKind::Holiday, "春节"),
    ("2026-02-17", DayKind::Holiday, "春节"),
    ("2026-02-18", DayKind::Holiday, "春节"),
    ("2026-02-19", DayKind::Holiday, "春节"),
    ("2026-02-20", DayKind::Holiday, "春节"),
    ("2026-02-21", DayKind::Holiday, "春节"),
    ("2026-02-22", DayKind::Holiday, "春节"),
    ("2026-02-23", DayKind::Holiday, "春节"),
    ("2026-02-28", DayKind::Workday, "春节调休"),
    ("2026-04-04", DayKind::Holiday, "清明节"),
    ("2026-04-05", DayKind::Holiday, "清明节"),
    ("2026-04-06", DayKind::Holiday, "清明节"),
    ("2026-05-01", DayKind::Holiday, "劳动节"),
    ("2026-05-02", DayKind::Holiday, "劳动节"),
    ("2026-05-03", DayKind::Holiday, "劳动节"),
    ("2026-05-04", DayKind::Holiday, "劳动节"),
    ("2026-05-05", DayKind::Holiday, "劳动节"),
    ("2026-05-09", DayKind::Workday, "劳动节调休"),
    ("2026-06-19", DayKind::Holiday, "端午节"),
    ("2026-06-20", DayKind::Holiday, "端午节"),
    ("2026-06-21", DayKind::Holiday, "端午节"),
    ("2026-09-20", DayKind::Workday, "国庆节调休"),
    ("2026-09-25", DayKind::Holiday, "中秋节"),
    ("2026-09-26", DayKind::Holiday, "中秋节"),
    ("2026-09-27", DayKind::Holiday, "中秋节"),
    ("2026-10-01", DayKind::Holiday, "国庆节"),
    ("2026-10-02", DayKind::Holiday, "国庆节"),
    ("2026-10-03", DayKind::Holiday, "国庆节"),
    ("2026-10-04", DayKind::Holiday, "国庆节"),
    ("2026-10-05", DayKind::Holiday, "国庆节"),
    ("2026-10-06", DayKind::Holiday, "国庆节"),
    ("2026-10-07", DayKind::Holiday, "国庆节"),
    ("2026-10-10", DayKind::Workday, "国庆节调休"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn official() -> WorkingCalendar {
        WorkingCalendar::new(OFFICIAL_2026.iter().map(|(d, k, _)| (day(d), *k)))
    }

    #[test]
    fn the_official_list_names_each_day_once_and_keeps_its_weekdays_right() {
        let mut seen = std::collections::HashSet::new();
        for (d, kind, _) in OFFICIAL_2026 {
            assert!(seen.insert(*d), "{d} twice");
            // A make-up working day is only ever a weekend day.
            if *kind == DayKind::Workday {
                assert!(
                    matches!(day(d).weekday(), Weekday::Sat | Weekday::Sun),
                    "{d}"
                );
            }
        }
        // 元旦 3, 春节 9, 清明 3, 劳动节 5, 端午 3, 中秋 3, 国庆 7 days off.
        let holidays = OFFICIAL_2026
            .iter()
            .filter(|(_, k, _)| *k == DayKind::Holiday)
            .count();
        assert_eq!(holidays, 3 + 9 + 3 + 5 + 3 + 3 + 7);
    }

    #[test]
    fn deadlines_count_working_days_in_the_official_calendar() {
        let calendar = official();
        // (received, working days, deadline, why)
        let table = [
            (
                "2026-12-07",
                5,
                "2026-12-14",
                "a plain week: Monday to next Monday",
            ),
            (
                "2026-12-04",
                5,
                "2026-12-11",
                "received on a Friday: the weekend does not count",
            ),
            ("2026-12-05", 5, "2026-12-11", "received on a Saturday"),
            ("2026-12-07", 0, "2026-12-07", "no days: the day itself"),
            ("2026-12-07", 1, "2026-12-08", "one working day"),
            (
                "2026-09-28",
                5,
                "2026-10-10",
                "across the National Day week: 9-29, 9-30, then 10-08, 10-09 and the make-up Saturday 10-10",
            ),
            (
                "2026-09-30",
                1,
                "2026-10-08",
                "the last day before National Day: the next working day is after the week off",
            ),
            (
                "2026-10-09",
                1,
                "2026-10-10",
                "the make-up Saturday is a working day",
            ),
            (
                "2026-09-18",
                1,
                "2026-09-20",
                "a Friday before a make-up Sunday: Saturday rests, Sunday works",
            ),
            (
                "2026-02-13",
                1,
                "2026-02-14",
                "the Saturday before the Spring Festival is worked",
            ),
            (
                "2026-02-14",
                4,
                "2026-02-27",
                "Spring Festival: nine days off, then 2-24, 2-25, 2-26, 2-27",
            ),
            (
                "2026-02-14",
                5,
                "2026-02-28",
                "the make-up Saturday after the Spring Festival",
            ),
            (
                "2026-04-03",
                1,
                "2026-04-07",
                "清明: Saturday to Monday off",
            ),
            (
                "2026-04-30",
                1,
                "2026-05-06",
                "Labour Day: five days off from Friday",
            ),
            (
                "2026-05-08",
                1,
                "2026-05-09",
                "the Saturday after Labour Day is worked",
            ),
            (
                "2026-12-31",
                1,
                "2027-01-01",
                "2027 has no notice yet: the weekday rule",
            ),
        ];
        for (received, n, due, why) in table {
            assert_eq!(
                calendar.add_working_days(day(received), n),
                day(due),
                "{received} + {n} working days: {why}"
            );
        }
    }

    #[test]
    fn without_overrides_weekends_rest_and_weekdays_work() {
        let calendar = WorkingCalendar::default();
        // National Day is a Thursday: a working day by the weekday rule alone.
        assert!(calendar.is_working_day(day("2026-10-01")));
        assert!(!official().is_working_day(day("2026-10-01")));
        assert!(calendar.is_working_day(day("2026-10-08")));
        assert!(!calendar.is_working_day(day("2026-10-10")));
        assert!(official().is_working_day(day("2026-10-10")));
        assert!(calendar.is_working_day(day("2026-10-09")));
    }

    #[test]
    fn kinds_read_back_their_keys() {
        for kind in [DayKind::Holiday, DayKind::Workday] {
            assert_eq!(DayKind::parse(kind.key()), Some(kind));
        }
        assert_eq!(DayKind::parse("Holiday"), None);
    }

    proptest::proptest! {
        #[test]
        fn a_deadline_is_a_working_day_and_later_for_more_days(offset in 0i64..800, n in 1u32..40) {
            let calendar = official();
            let start = day("2025-12-01") + Duration::days(offset);
            let due = calendar.add_working_days(start, n);
            proptest::prop_assert!(calendar.is_working_day(due));
            proptest::prop_assert!(due > start);
            proptest::prop_assert!(calendar.add_working_days(start, n + 1) > due);
            // Exactly n working days lie in (start, due].
            let mut counted = 0;
            let mut d = start;
            while d < due {
                d += Duration::days(1);
                if calendar.is_working_day(d) {
                    counted += 1;
                }
            }
            proptest::prop_assert_eq!(counted, n);
        }
    }
}
