//! A violation a regulator records against a venue (违法违规记录). A serious
//! one within twelve months puts the venue in tier C (see `credit.rs`).

use chrono::NaiveDate;

use super::text::strict_text;

/// The longest description accepted, in characters.
pub const DESCRIPTION_MAX_CHARS: usize = 1000;

/// The earliest day a violation may be dated: older records have no bearing
/// on any tier and are far more likely a typo in the year.
pub fn earliest_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// A violation as recorded: a real day up to today, whether it is serious,
/// and a description of what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewViolation {
    /// The local day it occurred.
    pub occurred_on: NaiveDate,
    /// Whether it is serious; a serious one in 12 months means tier C.
    pub serious: bool,
    /// What happened, 1–1000 characters, trimmed, parsed by [`strict_text`].
    pub description: String,
}

/// Why a violation cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ViolationError {
    /// The day is not a calendar date written as YYYY-MM-DD.
    #[error("occurred_on must be a date written as YYYY-MM-DD")]
    BadDate,
    /// The day lies after today.
    #[error("occurred_on lies in the future")]
    FutureDate,
    /// The day lies before 2000-01-01.
    #[error("occurred_on lies before 2000-01-01")]
    TooOld,
    /// No description.
    #[error("a description is required")]
    EmptyDescription,
    /// The description is too long.
    #[error("the description may hold at most {DESCRIPTION_MAX_CHARS} characters")]
    DescriptionTooLong,
    /// The description holds a control character other than newline and tab,
    /// or a bidirectional control.
    #[error(
        "the description may not contain control characters other than newline and tab, nor direction overrides"
    )]
    ControlCharacter,
}

impl NewViolation {
    /// Parses a violation as entered, with `today` the local day.
    pub fn parse(
        occurred_on: &str,
        serious: bool,
        description: &str,
        today: NaiveDate,
    ) -> Result<Self, ViolationError> {
        let day = super::day::parse_iso_day(occurred_on).ok_or(ViolationError::BadDate)?;
        if day > today {
            return Err(ViolationError::FutureDate);
        }
        if day < earliest_day() {
            return Err(ViolationError::TooOld);
        }
        let description = strict_text(description).map_err(|_| ViolationError::ControlCharacter)?;
        if description.is_empty() {
            return Err(ViolationError::EmptyDescription);
        }
        if description.chars().count() > DESCRIPTION_MAX_CHARS {
            return Err(ViolationError::DescriptionTooLong);
        }
        Ok(Self {
            occurred_on: day,
            serious,
            description,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
    }

    #[test]
    fn a_violation_needs_a_past_day_and_a_description() {
        let ok = NewViolation::parse(" 2026-05-31 ", true, "  强制购物  ", today()).unwrap();
        assert_eq!(
            ok.occurred_on,
            NaiveDate::from_ymd_opt(2026, 5, 31).unwrap()
        );
        assert!(ok.serious);
        assert_eq!(ok.description, "强制购物");
        assert!(NewViolation::parse("2026-06-01", false, "x", today()).is_ok());
        let err =
            |day: &str, text: &str| NewViolation::parse(day, false, text, today()).unwrap_err();
        assert_eq!(err("2026-06-02", "x"), ViolationError::FutureDate);
        assert_eq!(err("1999-12-31", "x"), ViolationError::TooOld);
        for bad in [
            "",
            "2026-02-30",
            "26-01-01",
            "2026/01/01",
            "+2026-01-01",
            "20260-1-01",
            "yesterday",
        ] {
            assert_eq!(err(bad, "x"), ViolationError::BadDate, "{bad:?}");
        }
        assert_eq!(err("2026-01-01", " \n "), ViolationError::EmptyDescription);
        let long = "违".repeat(DESCRIPTION_MAX_CHARS + 1);
        assert_eq!(err("2026-01-01", &long), ViolationError::DescriptionTooLong);
        assert!(NewViolation::parse("2026-01-01", false, &long[3..], today()).is_ok());
    }

    #[test]
    fn a_description_with_a_control_character_or_a_direction_override_is_refused() {
        for bad in ["强制\0购物", "强制\u{202E}购物", "\u{1b}[31m", "a\u{2067}b"] {
            assert_eq!(
                NewViolation::parse("2026-01-01", false, bad, today()),
                Err(ViolationError::ControlCharacter),
                "{bad:?}"
            );
        }
        let kept = NewViolation::parse("2026-01-01", false, "强制购物\r\n\t拒退", today()).unwrap();
        assert_eq!(kept.description, "强制购物\n\t拒退");
    }
}
