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

/// The instant a local calendar day begins (local midnight).
pub fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN)
        .and_local_timezone(china_offset())
        .single()
        .expect("a fixed offset maps every local time to one instant")
        .with_timezone(&Utc)
}

/// The instant a local calendar day ends (the next day's local midnight):
/// a deadline "by the end of `day`".
pub fn day_end(day: NaiveDate) -> DateTime<Utc> {
    day_start(day + chrono::Duration::days(1))
}

/// Reads a local (Beijing) wall-clock time as a form's `datetime-local`
/// field sends it, `YYYY-MM-DDTHH:MM` (seconds optional, a space allowed
/// for the `T`), between the years 2000 and 2100; `None` for anything else.
pub fn parse_local_time(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim().replacen(' ', "T", 1);
    let local = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .into_iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(&raw, format).ok())?;
    if !(2000..=2100).contains(&chrono::Datelike::year(&local)) {
        return None;
    }
    local
        .and_local_timezone(china_offset())
        .single()
        .map(|at| at.with_timezone(&Utc))
}

/// An instant as a `datetime-local` field shows it: the local (Beijing)
/// wall-clock time to the minute, `YYYY-MM-DDTHH:MM`.
pub fn local_time_field(at: DateTime<Utc>) -> String {
    at.with_timezone(&china_offset())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A day written exactly `YYYY-MM-DD` (surrounding space allowed); `%Y`
/// alone would accept five-digit and signed years.
pub fn parse_iso_day(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    let shaped = raw.len() == 10 && raw.as_bytes()[4] == b'-' && raw.as_bytes()[7] == b'-';
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|_| shaped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_time_is_read_as_beijing_time_and_written_back_alike() {
        let at = parse_local_time("2026-03-02T08:30").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-03-02T00:30:00+00:00");
        assert_eq!(
            parse_local_time(" 2026-03-02 08:30:15 ")
                .unwrap()
                .timestamp()
                - at.timestamp(),
            15
        );
        assert_eq!(local_time_field(at), "2026-03-02T08:30");
        for bad in [
            "",
            "2026-03-02",
            "08:30",
            "2026-02-30T08:30",
            "1999-12-31T23:59",
            "2026-03-02T25:00",
        ] {
            assert_eq!(parse_local_time(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_day_starts_at_local_midnight_and_belongs_to_itself() {
        let day = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        let start = day_start(day);
        assert_eq!(start.to_rfc3339(), "2026-09-30T16:00:00+00:00");
        assert_eq!(local_day(start), day);
        assert_eq!(
            local_day(start - chrono::Duration::seconds(1)),
            day.pred_opt().unwrap()
        );
    }
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
