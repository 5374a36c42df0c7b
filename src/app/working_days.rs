//! The working-day calendar as admins keep it: a year's holidays and make-up
//! working days, and one day set or returned to the weekday rule.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::{AppError, Caller, Services, Slug};
use crate::domain::audit::AuditAction;
use crate::domain::complaint::CaseClocks;
use crate::domain::text::strict_text;
use crate::domain::venue::RegionCode;
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
    crate::domain::day::parse_iso_day(raw)
        .filter(|d| (2000..=2100).contains(&d.year()))
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

/// Body of `PUT /api/v1/regions/{code}/case-clocks`: a region's own clocks,
/// which its subregions follow unless they set their own.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClocksRequest {
    /// Working days to accept, reject or transfer a new case (1–60; default 5).
    pub accept_working_days: u32,
    /// Days for the venue's answer after acceptance (1–365; default 10).
    pub venue_reply_days: u32,
    /// Days after acceptance by which mediation ends (1–365; default 60).
    pub mediation_days: u32,
    /// A complaint more than this many days after the service is refused (1–3650; default 90).
    pub max_service_age_days: u32,
    /// Days after closure when the contact is erased (1–3650; default 180).
    pub contact_retention_days: u32,
}

/// A region's clocks in force: its own, an ancestor's, or the defaults.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClocksBody {
    /// The region.
    pub region_code: String,
    /// The clocks in force there.
    pub clocks: CaseClocks,
}

fn known_region(tree: &crate::domain::region::RegionTree, raw: &str) -> Result<String, AppError> {
    let code = RegionCode::parse(raw)
        .map_err(|e| AppError::new(Slug::InvalidRegionCode, e.to_string()))?;
    if tree.get(&code).is_none() {
        return Err(AppError::not_found(Slug::RegionNotFound));
    }
    Ok(code.to_string())
}

/// The clocks in force in a region.
pub async fn clocks(services: &Services, region: &str) -> Result<ClocksBody, AppError> {
    let tree = services.reference.regions().await?;
    let code = known_region(&tree, region)?;
    let clocks = services.case_rules.clocks(&tree.lineage(&code)).await?;
    Ok(ClocksBody {
        region_code: code,
        clocks,
    })
}

/// Sets a region's own clocks (admins); audited.
pub async fn set_clocks(
    services: &Services,
    caller: &Caller,
    region: &str,
    request: &ClocksRequest,
) -> Result<ClocksBody, AppError> {
    let tree = services.reference.regions().await?;
    let code = known_region(&tree, region)?;
    let within = |v: u32, max: u32| (1..=max).contains(&v);
    if !(within(request.accept_working_days, 60)
        && within(request.venue_reply_days, 365)
        && within(request.mediation_days, 365)
        && within(request.max_service_age_days, 3650)
        && within(request.contact_retention_days, 3650))
    {
        return Err(AppError::new(
            Slug::InvalidCaseClocks,
            "each clock is a whole number of days: accept 1–60, venue reply and mediation 1–365, service age and contact retention 1–3650",
        ));
    }
    let clocks = CaseClocks {
        accept_working_days: request.accept_working_days,
        venue_reply_days: request.venue_reply_days,
        mediation_days: request.mediation_days,
        max_service_age_days: request.max_service_age_days,
        contact_retention_days: request.contact_retention_days,
    };
    calendar::set_clocks(
        &services.pool,
        &code,
        &clocks,
        caller.audit(AuditAction::CALENDAR_CLOCKS),
    )
    .await?;
    services.case_rules.invalidate();
    Ok(ClocksBody {
        region_code: code,
        clocks,
    })
}
