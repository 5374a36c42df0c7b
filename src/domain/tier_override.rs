//! A credit tier set by hand (人工认定, regulators' requirements clause A.20,
//! 信用分级分类监管): a regulator over a venue puts it in a tier, with a
//! reason, until an end date; from that date the rules grade it again.
//!
//! `ends_on` is the first local day the rules apply again: the override is
//! in force while today < `ends_on`, so it must lie after today, and at most
//! [`MAX_MONTHS_AHEAD`] months ahead, so no hand-set tier outlives the
//! periodic review of the venue's credit file.

use chrono::{Months, NaiveDate};

use super::credit::{Reason, Tier};
use super::text::strict_text;

/// The longest reason accepted, in characters (setting and ending alike).
pub const REASON_MAX_CHARS: usize = 500;

/// How far ahead an end date may lie, in months from today.
pub const MAX_MONTHS_AHEAD: u32 = 24;

/// Where the tier in force came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TierSource {
    /// The tier rules.
    Rules,
    /// A regulator's override.
    Override,
}

impl TierSource {
    /// The key as stored (`rules`, `override`).
    pub fn key(self) -> &'static str {
        match self {
            TierSource::Rules => "rules",
            TierSource::Override => "override",
        }
    }

    /// Reads a stored key; anything but `override` is the rules.
    pub fn parse(key: &str) -> Self {
        if key == "override" {
            TierSource::Override
        } else {
            TierSource::Rules
        }
    }
}

/// An override as a regulator sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTierOverride {
    /// The tier it puts the venue in.
    pub tier: Tier,
    /// Why, 1–500 characters, parsed by [`strict_text`].
    pub reason: String,
    /// The first day the rules apply again.
    pub ends_on: NaiveDate,
}

/// The field of the form or body a fault is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverrideField {
    /// `tier`.
    Tier,
    /// `reason`.
    Reason,
    /// `ends_on`.
    EndsOn,
}

/// Why an override (or its early end) cannot be accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TierOverrideError {
    /// Not one of the letters A, B, C, D.
    #[error("tier must be one of \"A\", \"B\", \"C\", \"D\"")]
    BadTier,
    /// No reason.
    #[error("a reason is required")]
    ReasonRequired,
    /// The reason is too long.
    #[error("the reason may hold at most {REASON_MAX_CHARS} characters")]
    ReasonTooLong,
    /// The reason holds a control character or a direction override.
    #[error(
        "the reason may not contain control characters other than newline and tab, nor direction overrides"
    )]
    ControlCharacter,
    /// The end date is not a date written as YYYY-MM-DD.
    #[error("ends_on must be a date written as YYYY-MM-DD")]
    BadDate,
    /// The end date is today or earlier.
    #[error("ends_on must lie after today")]
    EndsOnNotAfterToday,
    /// The end date lies too far ahead.
    #[error("ends_on may lie at most {MAX_MONTHS_AHEAD} months ahead")]
    EndsOnTooFar,
}

impl TierOverrideError {
    /// The field at fault.
    pub fn field(self) -> OverrideField {
        match self {
            TierOverrideError::BadTier => OverrideField::Tier,
            TierOverrideError::ReasonRequired
            | TierOverrideError::ReasonTooLong
            | TierOverrideError::ControlCharacter => OverrideField::Reason,
            TierOverrideError::BadDate
            | TierOverrideError::EndsOnNotAfterToday
            | TierOverrideError::EndsOnTooFar => OverrideField::EndsOn,
        }
    }
}

/// The latest end date accepted on `today`.
pub fn latest_end(today: NaiveDate) -> NaiveDate {
    today
        .checked_add_months(Months::new(MAX_MONTHS_AHEAD))
        .unwrap_or(NaiveDate::MAX)
}

/// The reason an overridden tier gives, in both languages; what the
/// regulator wrote stays on the console (it may name people or cases).
pub fn override_reason(tier: Tier, ends_on: NaiveDate) -> Reason {
    let letter = tier.letter();
    Reason {
        input: "override".to_owned(),
        zh: format!("监管部门人工认定为 {letter} 级，自 {ends_on} 起恢复按规则评定"),
        en: format!("set to {letter} by a regulator; the rules apply again from {ends_on}"),
    }
}

/// Parses a reason (for setting or ending an override).
pub fn parse_reason(raw: &str) -> Result<String, TierOverrideError> {
    let reason = strict_text(raw).map_err(|_| TierOverrideError::ControlCharacter)?;
    if reason.is_empty() {
        return Err(TierOverrideError::ReasonRequired);
    }
    if reason.chars().count() > REASON_MAX_CHARS {
        return Err(TierOverrideError::ReasonTooLong);
    }
    Ok(reason)
}

fn parse_tier(raw: &str) -> Result<Tier, TierOverrideError> {
    Tier::parse(raw.trim()).ok_or(TierOverrideError::BadTier)
}

fn parse_ends_on(raw: &str, today: NaiveDate) -> Result<NaiveDate, TierOverrideError> {
    let day = super::day::parse_iso_day(raw).ok_or(TierOverrideError::BadDate)?;
    if day <= today {
        return Err(TierOverrideError::EndsOnNotAfterToday);
    }
    if day > latest_end(today) {
        return Err(TierOverrideError::EndsOnTooFar);
    }
    Ok(day)
}

impl NewTierOverride {
    /// Parses an override as entered, with `today` the local day; every
    /// fault is reported, one per field, in the order tier, reason, end date.
    pub fn parse(
        tier: &str,
        reason: &str,
        ends_on: &str,
        today: NaiveDate,
    ) -> Result<Self, Vec<TierOverrideError>> {
        let tier = parse_tier(tier);
        let reason = parse_reason(reason);
        let ends_on = parse_ends_on(ends_on, today);
        match (tier, reason, ends_on) {
            (Ok(tier), Ok(reason), Ok(ends_on)) => Ok(Self {
                tier,
                reason,
                ends_on,
            }),
            (tier, reason, ends_on) => Err([tier.err(), reason.err(), ends_on.err()]
                .into_iter()
                .flatten()
                .collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 8).unwrap()
    }

    #[test]
    fn an_override_needs_a_tier_a_reason_and_an_end_within_two_years() {
        let ok = NewTierOverride::parse(" C ", "  暗访发现问题 ", "2026-12-09", today()).unwrap();
        assert_eq!(ok.tier, Tier::C);
        assert_eq!(ok.reason, "暗访发现问题");
        assert_eq!(ok.ends_on, NaiveDate::from_ymd_opt(2026, 12, 9).unwrap());
        assert!(NewTierOverride::parse("A", "x", "2028-12-08", today()).is_ok());
        let err = |tier: &str, reason: &str, day: &str| {
            NewTierOverride::parse(tier, reason, day, today()).unwrap_err()
        };
        assert_eq!(
            err("A", "x", "2028-12-09"),
            [TierOverrideError::EndsOnTooFar]
        );
        assert_eq!(
            err("A", "x", "2026-12-08"),
            [TierOverrideError::EndsOnNotAfterToday]
        );
        for bad in ["", "2026/12/30", "+2026-12-30", "2027-02-30", "tomorrow"] {
            assert_eq!(err("A", "x", bad), [TierOverrideError::BadDate], "{bad:?}");
        }
        for bad in ["", "a", "E", "AB", "优"] {
            assert_eq!(
                err(bad, "x", "2027-01-01"),
                [TierOverrideError::BadTier],
                "{bad:?}"
            );
        }
        assert_eq!(
            err("Z", " \n ", "soon"),
            [
                TierOverrideError::BadTier,
                TierOverrideError::ReasonRequired,
                TierOverrideError::BadDate
            ]
        );
    }

    #[test]
    fn a_reason_is_bounded_and_holds_no_control_characters() {
        let long = "因".repeat(REASON_MAX_CHARS);
        assert_eq!(parse_reason(&long).unwrap(), long);
        assert_eq!(
            parse_reason(&format!("{long}因")),
            Err(TierOverrideError::ReasonTooLong)
        );
        for bad in ["a\0b", "a\u{202E}b", "\u{1b}[31m"] {
            assert_eq!(
                parse_reason(bad),
                Err(TierOverrideError::ControlCharacter),
                "{bad:?}"
            );
        }
        assert_eq!(parse_reason("整改\r\n完毕").unwrap(), "整改\n完毕");
        assert_eq!(
            TierOverrideError::EndsOnTooFar.field(),
            OverrideField::EndsOn
        );
    }

    #[test]
    fn sources_round_trip_through_their_keys() {
        for source in [TierSource::Rules, TierSource::Override] {
            assert_eq!(TierSource::parse(source.key()), source);
        }
    }
}
