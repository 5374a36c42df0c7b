//! The working-day calendar as admins keep it: a year's holidays and make-up
//! working days, and one day set or returned to the weekday rule.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::{AppError, Caller, Services, Slug};
use crate::domain::audit::AuditAction;
use crate::domain::text::strict_text;
use crate::domain::working_days::DayKind;
use crate::store::calendar::{self, CalendarDay};

/// A day the calendar overrides.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HolidayBody {
    /// The day.
    pub date: NaiveDate,
    /// `holiday` or `workday`.
    pub kind: DayKind,
    /// The holiday's name, e.g. 国庆节; may be empty.
    pub name: String,
}

impl From<CalendarDay> for HolidayBody {
    fn from(d: CalendarDay) -> Self {
        Self {
            date: d.day,
            kind: d.kind,
            name: d.name,
        }
    }
}

/// A year of the calendar.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HolidayYear {
    /// The year.
    pub year: i32,
    /// Its overridden days, in order; every other day follows the weekday rule.
    pub items: Vec<HolidayBody>,
}

/// Body of `PUT /api/v1/holidays/{date}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayRequest {
    /// `holiday` (no work) or `workday` (a make-up working day).
    pub kind: String,
    /// The holiday's name, up to 100 characters.
    pub name: Option<String>,
}

/// Reads a year given in a query (`?year=2026`), this year when absent.
pub fn parse_year(raw: Option<&str>, this_year: i32) -> Result<i32, AppError> {
    match raw.map(str::trim).filter(|y| !y.is_empty()) {
        None => Ok(this_year),
        Some(text) => text
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| {
                AppError::new(Slug::InvalidQuery, "year must be a year from 2000 to 2100")
            }),
    }
}

/// Reads a day written `YYYY-MM-DD`.
pub fn parse_day(raw: &str) -> Result<NaiveDate, AppError> {
    let raw = raw.trim();
    let shaped = raw.len() == 10 && raw.as_bytes()[4] == b'-' && raw.as_bytes()[7] == b'-';
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|d| shaped && (2000..=2100).contains(&d.year()))
        .ok_or_else(|| {
            AppError::new(
                Slug::InvalidDate,
                "the date must be written YYYY-MM-DD, between 2000 and 2100",
            )
        })
}

/// A year of the calendar.
pub async fn year(services: &Services, year: i32) -> Result<HolidayYear, AppError> {
    let items = calendar::year(&services.pool, year)
        .await?
        .into_iter()
        .map(HolidayBody::from)
        .collect();
    Ok(HolidayYear { year, items })
}

/// Sets what a day is, or (`kind` = `None`) returns it to the weekday rule;
/// audited. Deadlines computed from now on count with it; due dates already
/// set stay as they were given.
pub async fn set_day(
    services: &Services,
    caller: &Caller,
    day: NaiveDate,
    request: Option<&HolidayRequest>,
) -> Result<Option<HolidayBody>, AppError> {
    let parsed = match request {
        None => None,
        Some(r) => {
            let kind = DayKind::parse(r.kind.trim()).ok_or_else(|| {
                AppError::new(Slug::InvalidDayKind, "kind must be holiday or workday")
            })?;
            let name = strict_text(r.name.as_deref().unwrap_or(""))
                .map_err(|e| AppError::new(Slug::ControlCharacter, e.to_string()))?;
            if name.chars().count() > 100 {
                return Err(AppError::new(
                    Slug::TextTooLong,
                    "name: at most 100 characters",
                ));
            }
            Some((kind, name))
        }
    };
    calendar::set_day(
        &services.pool,
        day,
        parsed.as_ref().map(|(k, n)| (*k, n.as_str())),
        caller.audit(AuditAction::CALENDAR_DAY),
    )
    .await?;
    services.case_rules.invalidate();
    Ok(parsed.map(|(kind, name)| HolidayBody {
        date: day,
        kind,
        name,
    }))
}
