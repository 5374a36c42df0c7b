//! The working-day calendar (`holidays`) and each region's case clocks.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use sqlx::PgPool;

use super::StoreError;
use super::audit::{self, AuditEntry};
use crate::domain::complaint::CaseClocks;
use crate::domain::working_days::{DayKind, OFFICIAL_2026, WorkingCalendar};

/// A day the calendar overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDay {
    /// The day.
    pub day: NaiveDate,
    /// Holiday or make-up working day.
    pub kind: DayKind,
    /// The holiday's name, e.g. 国庆节.
    pub name: String,
}

/// Loads the official notices shipped with the service, each year once:
/// a year already loaded is left as the admins have edited it since.
pub async fn load_official(pool: &PgPool) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let year = 2026;
    let loaded = sqlx::query_scalar!(
        "INSERT INTO holiday_notices (year) VALUES ($1) ON CONFLICT (year) DO NOTHING RETURNING year",
        year
    )
    .fetch_optional(&mut *tx)
    .await?;
    if loaded.is_some() {
        let mut days = Vec::new();
        let mut kinds = Vec::new();
        let mut names = Vec::new();
        for (day, kind, name) in OFFICIAL_2026 {
            let day = NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .map_err(|e| StoreError::Other(sqlx::Error::Decode(Box::new(e))))?;
            debug_assert_eq!(day.year(), year);
            days.push(day);
            kinds.push(kind.key());
            names.push(*name);
        }
        sqlx::query!(
            r#"INSERT INTO holidays (day, kind, name)
               SELECT * FROM UNNEST($1::date[], $2::text[], $3::text[])
               ON CONFLICT (day) DO NOTHING"#,
            &days,
            &kinds as &[&str],
            &names as &[&str]
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The whole calendar, for deadline arithmetic.
pub async fn working_calendar(pool: &PgPool) -> Result<WorkingCalendar, StoreError> {
    let rows = sqlx::query!("SELECT day, kind FROM holidays")
        .fetch_all(pool)
        .await?;
    Ok(WorkingCalendar::new(rows.into_iter().filter_map(|r| {
        DayKind::parse(&r.kind).map(|kind| (r.day, kind))
    })))
}

/// The overridden days of one year, in order.
pub async fn year(pool: &PgPool, year: i32) -> Result<Vec<CalendarDay>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT day, kind, name FROM holidays
           WHERE day >= make_date($1, 1, 1) AND day < make_date($1 + 1, 1, 1)
           ORDER BY day"#,
        year
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            DayKind::parse(&r.kind).map(|kind| CalendarDay {
                day: r.day,
                kind,
                name: r.name,
            })
        })
        .collect())
}

/// Sets what a day is (`Some`) or returns it to the weekday rule (`None`),
/// with its audit row; the day as it was before.
pub async fn set_day(
    pool: &PgPool,
    day: NaiveDate,
    kind: Option<(DayKind, &str)>,
    mut audit: AuditEntry,
) -> Result<Option<CalendarDay>, StoreError> {
    let mut tx = pool.begin().await?;
    let before = sqlx::query!(
        "SELECT kind, name FROM holidays WHERE day = $1 FOR UPDATE",
        day
    )
    .fetch_optional(&mut *tx)
    .await?
    .and_then(|r| {
        DayKind::parse(&r.kind).map(|kind| CalendarDay {
            day,
            kind,
            name: r.name,
        })
    });
    match kind {
        Some((kind, name)) => {
            sqlx::query!(
                r#"INSERT INTO holidays (day, kind, name, updated_at) VALUES ($1, $2, $3, now())
                   ON CONFLICT (day) DO UPDATE
                   SET kind = EXCLUDED.kind, name = EXCLUDED.name, updated_at = EXCLUDED.updated_at"#,
                day,
                kind.key(),
                name
            )
            .execute(&mut *tx)
            .await?;
        }
        None => {
            sqlx::query!("DELETE FROM holidays WHERE day = $1", day)
                .execute(&mut *tx)
                .await?;
        }
    }
    audit.target = format!("holiday:{day}");
    audit.before = before
        .as_ref()
        .map(|b| serde_json::json!({"kind": b.kind.key(), "name": b.name}));
    audit.after = kind.map(|(k, name)| serde_json::json!({"kind": k.key(), "name": name}));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(before)
}

/// Every region's own clocks, by region code.
pub async fn region_clocks(pool: &PgPool) -> Result<HashMap<String, CaseClocks>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT region_code::text AS "region_code!", accept_working_days, venue_reply_days,
                  mediation_days, max_service_age_days, contact_retention_days
           FROM region_case_clocks"#
    )
    .fetch_all(pool)
    .await?;
    // The table's check keeps every value within 1..=3650.
    let days = |v: i32| u32::try_from(v).unwrap_or(1);
    Ok(rows
        .into_iter()
        .map(|r| {
            let clocks = CaseClocks {
                accept_working_days: days(r.accept_working_days),
                venue_reply_days: days(r.venue_reply_days),
                mediation_days: days(r.mediation_days),
                max_service_age_days: days(r.max_service_age_days),
                contact_retention_days: days(r.contact_retention_days),
            };
            (r.region_code, clocks)
        })
        .collect())
}

/// Sets a region's own clocks, with its audit row.
pub async fn set_clocks(
    pool: &PgPool,
    region_code: &str,
    clocks: &CaseClocks,
    mut audit: AuditEntry,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let as_i32 = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    sqlx::query!(
        r#"INSERT INTO region_case_clocks (region_code, accept_working_days, venue_reply_days,
               mediation_days, max_service_age_days, contact_retention_days, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, now())
           ON CONFLICT (region_code) DO UPDATE SET
               accept_working_days = EXCLUDED.accept_working_days,
               venue_reply_days = EXCLUDED.venue_reply_days,
               mediation_days = EXCLUDED.mediation_days,
               max_service_age_days = EXCLUDED.max_service_age_days,
               contact_retention_days = EXCLUDED.contact_retention_days,
               updated_at = EXCLUDED.updated_at"#,
        region_code,
        as_i32(clocks.accept_working_days),
        as_i32(clocks.venue_reply_days),
        as_i32(clocks.mediation_days),
        as_i32(clocks.max_service_age_days),
        as_i32(clocks.contact_retention_days)
    )
    .execute(&mut *tx)
    .await?;
    audit.target = format!("region:{region_code}");
    audit.region_code = Some(region_code.to_owned());
    audit.after = serde_json::to_value(clocks).ok();
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(())
}
