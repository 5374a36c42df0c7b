//! Period reports: what the venues of a region did in a period, counted per
//! venue region from the day aggregates, the complaint cases and their
//! timelines, the inspections and the tier history. Every statement reads
//! the venues of the report's region that lie in the caller's scope, and
//! groups by the venue's region, so the caller adds regions up into the
//! report's rows. On a cluster each statement's inner part runs per venue on
//! its shard and only the per-region sums meet on the coordinator.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::{ScopeFilter, StoreError};
use crate::domain::decline::WindowSums;
use crate::domain::report::{PeriodFigures, ReportPeriod};

/// What a report reads: the region reported on (as a scope: its subtree,
/// or everything nationally), the caller's scope, the period, and when the
/// complaints are judged.
#[derive(Debug, Clone)]
pub struct ReportSlice<'a> {
    /// The report's region, as its subtree.
    pub region: &'a ScopeFilter,
    /// The caller's scope.
    pub scope: &'a ScopeFilter,
    /// The period reported on.
    pub period: ReportPeriod,
    /// The end of the period, or now while it runs.
    pub as_of: DateTime<Utc>,
}

/// The figures of every venue region of the slice that has any, by region
/// code; a region without a rating, case, inspection or tier move in the
/// period is absent.
pub async fn figures_by_region(
    pool: &PgPool,
    slice: &ReportSlice<'_>,
) -> Result<HashMap<String, PeriodFigures>, StoreError> {
    let (ratings, complaints, inspections, tiers) = tokio::try_join!(
        ratings(pool, slice),
        complaints(pool, slice),
        inspections(pool, slice),
        tier_moves(pool, slice),
    )?;
    let mut figures: HashMap<String, PeriodFigures> = HashMap::new();
    for (code, part) in ratings
        .into_iter()
        .chain(complaints)
        .chain(inspections)
        .chain(tiers)
    {
        *figures.entry(code).or_default() += part;
    }
    Ok(figures)
}

/// Venues rated and counted ratings of the period and of the one before,
/// from the day aggregates (which count no quarantined rating).
async fn ratings(
    pool: &PgPool,
    slice: &ReportSlice<'_>,
) -> Result<Vec<(String, PeriodFigures)>, StoreError> {
    let previous = slice.period.previous();
    let rows = sqlx::query!(
        r#"SELECT v.region_code::text AS "region_code!",
                  count(*) FILTER (WHERE d.ratings > 0) AS "venues_rated!",
                  coalesce(sum(d.ratings), 0)::int8 AS "ratings!",
                  coalesce(sum(d.stars), 0)::int8 AS "stars!",
                  coalesce(sum(d.previous_ratings), 0)::int8 AS "previous_ratings!",
                  coalesce(sum(d.previous_stars), 0)::int8 AS "previous_stars!"
           FROM (
               SELECT s.venue_id,
                      coalesce(sum(s.ratings_count) FILTER (WHERE s.day >= $1), 0) AS ratings,
                      coalesce(sum(s.overall_sum) FILTER (WHERE s.day >= $1), 0) AS stars,
                      coalesce(sum(s.ratings_count) FILTER (WHERE s.day < $1), 0) AS previous_ratings,
                      coalesce(sum(s.overall_sum) FILTER (WHERE s.day < $1), 0) AS previous_stars
               FROM venue_day_stats s
               WHERE s.day >= $2 AND s.day <= $3
               GROUP BY s.venue_id
           ) d
           JOIN venues v ON v.id = d.venue_id
           WHERE ($4 OR v.region_code = ANY($5))
             AND ($6 OR v.region_code = ANY($7) OR v.id = ANY($8))
           GROUP BY v.region_code"#,
        slice.period.from,
        previous.from,
        slice.period.to,
        slice.region.all,
        &slice.region.region_codes as &[String],
        slice.scope.all,
        &slice.scope.region_codes as &[String],
        &slice.scope.venue_ids
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let figures = PeriodFigures {
                venues_rated: r.venues_rated,
                ratings: WindowSums {
                    ratings: r.ratings,
                    overall_sum: r.stars,
                },
                previous_ratings: WindowSums {
                    ratings: r.previous_ratings,
                    overall_sum: r.previous_stars,
                },
                ..PeriodFigures::default()
            };
            (r.region_code, figures)
        })
        .collect())
}

/// Complaint cases received in the period, judged at `as_of`: on time when
/// closed by then with no step taken after the deadline it was due by;
/// overdue when a step before then was late, or when the case was still
/// open then and past the deadline in force then. That deadline is the one
/// the case's first later step was due by, or its present one when no step
/// came after.
async fn complaints(
    pool: &PgPool,
    slice: &ReportSlice<'_>,
) -> Result<Vec<(String, PeriodFigures)>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT v.region_code::text AS "region_code!",
                  count(*) AS "received!",
                  count(*) FILTER (
                      WHERE c.closed_at < $3 AND NOT coalesce(e.late, false)) AS "on_time!",
                  count(*) FILTER (
                      WHERE coalesce(e.late, false)
                         OR ((c.closed_at IS NULL OR c.closed_at >= $3)
                             AND CASE WHEN coalesce(e.later_steps, 0) > 0 THEN e.due_then
                                      ELSE c.due_at END < $3)) AS "overdue!"
           FROM complaints c
           JOIN venues v ON v.id = c.venue_id
           LEFT JOIN (
               SELECT ce.venue_id, ce.complaint_id,
                      bool_or(ce.at < $3 AND ce.at > ce.due_at) AS late,
                      count(*) FILTER (WHERE ce.at >= $3) AS later_steps,
                      (array_agg(ce.due_at ORDER BY ce.at, ce.id) FILTER (WHERE ce.at >= $3))[1] AS due_then
               FROM complaint_events ce
               WHERE ce.at >= $4
               GROUP BY ce.venue_id, ce.complaint_id
           ) e ON e.venue_id = c.venue_id AND e.complaint_id = c.id
           WHERE c.day >= $1 AND c.day <= $2
             AND ($5 OR v.region_code = ANY($6))
             AND ($7 OR v.region_code = ANY($8) OR v.id = ANY($9))
           GROUP BY v.region_code"#,
        slice.period.from,
        slice.period.to,
        slice.as_of,
        slice.period.starts_at(),
        slice.region.all,
        &slice.region.region_codes as &[String],
        slice.scope.all,
        &slice.scope.region_codes as &[String],
        &slice.scope.venue_ids
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let figures = PeriodFigures {
                complaints_received: r.received,
                complaints_on_time: r.on_time,
                complaints_overdue: r.overdue,
                ..PeriodFigures::default()
            };
            (r.region_code, figures)
        })
        .collect())
}

/// Inspections dated in the period, and how many failed.
async fn inspections(
    pool: &PgPool,
    slice: &ReportSlice<'_>,
) -> Result<Vec<(String, PeriodFigures)>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT v.region_code::text AS "region_code!",
                  count(*) AS "done!",
                  count(*) FILTER (WHERE NOT i.passed) AS "failed!"
           FROM inspections i
           JOIN venues v ON v.id = i.venue_id
           WHERE i.inspected_on >= $1 AND i.inspected_on <= $2
             AND ($3 OR v.region_code = ANY($4))
             AND ($5 OR v.region_code = ANY($6) OR v.id = ANY($7))
           GROUP BY v.region_code"#,
        slice.period.from,
        slice.period.to,
        slice.region.all,
        &slice.region.region_codes as &[String],
        slice.scope.all,
        &slice.scope.region_codes as &[String],
        &slice.scope.venue_ids
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let figures = PeriodFigures {
                inspections: r.done,
                inspections_failed: r.failed,
                ..PeriodFigures::default()
            };
            (r.region_code, figures)
        })
        .collect())
}

/// Venues whose tier moved over the period, by the tier history: the tier
/// a venue started the period with (the one its first change in the period
/// left, or that change's own for a first grading) against the one its
/// last change gave it. Letters run from best (A) to worst (D), so a later
/// letter is a move down.
async fn tier_moves(
    pool: &PgPool,
    slice: &ReportSlice<'_>,
) -> Result<Vec<(String, PeriodFigures)>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT v.region_code::text AS "region_code!",
                  count(*) FILTER (WHERE m.last_tier < m.first_tier) AS "up!",
                  count(*) FILTER (WHERE m.last_tier > m.first_tier) AS "down!"
           FROM (
               SELECT h.venue_id,
                      (array_agg(coalesce(h.previous_tier, h.tier) ORDER BY h.changed_at, h.id))[1] AS first_tier,
                      (array_agg(h.tier ORDER BY h.changed_at DESC, h.id DESC))[1] AS last_tier
               FROM tier_history h
               WHERE h.changed_at >= $1 AND h.changed_at < $2
               GROUP BY h.venue_id
           ) m
           JOIN venues v ON v.id = m.venue_id
           WHERE ($3 OR v.region_code = ANY($4))
             AND ($5 OR v.region_code = ANY($6) OR v.id = ANY($7))
           GROUP BY v.region_code"#,
        slice.period.starts_at(),
        slice.period.ends_at(),
        slice.region.all,
        &slice.region.region_codes as &[String],
        slice.scope.all,
        &slice.scope.region_codes as &[String],
        &slice.scope.venue_ids
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let figures = PeriodFigures {
                tier_moves_up: r.up,
                tier_moves_down: r.down,
                ..PeriodFigures::default()
            };
            (r.region_code, figures)
        })
        .collect())
}
