//! The one place that turns instants into the local (Asia/Shanghai) day.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// China Standard Time. Asia/Shanghai has kept UTC+8 without daylight saving
/// since 1991, so a fixed offset is exact for every date this service stores.
pub fn china_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The local calendar day of an instant, which bounds "one rating per device per day".
pub fn local_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&china_offset()).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn local_day_turns_at_16_utc() {
        let before = Utc.with_ymd_and_hms(2026, 3, 1, 15, 59, 59).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 3, 1, 16, 0, 0).unwrap();
        assert_eq!(
            local_day(before),
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
        );
        assert_eq!(
            local_day(after),
            NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
        );
    }
}
