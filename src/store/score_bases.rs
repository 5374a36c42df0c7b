//! The score inputs each venue keeps between refreshes (`venue_score_bases`)
//! and the day aggregates a refresh reads beside them.

use chrono::NaiveDate;
use futures_util::TryStreamExt;
use serde::Serialize;

use super::StoreError;
use crate::domain::ids::VenueId;
use crate::domain::score_history::{DayAggregate, ScoreBase};
use crate::domain::scoring::{Histogram, Measures, ScoringParams, WeightedSum};
use crate::domain::venue::RegionCode;
use crate::store::scores::MeasureColumns;

/// A venue of a slice with the base stored for it.
#[derive(Debug, Clone)]
pub struct SliceVenue {
    /// Venue id.
    pub venue_id: VenueId,
    /// Category key.
    pub category: String,
    /// The venue's region.
    pub region_code: RegionCode,
    /// The base's version as read (0 without a row): a base is stored only
    /// over this version.
    pub version: i64,
    /// The stored base, when it was built with these constants and not
    /// invalidated since.
    pub base: Option<ScoreBase>,
}

/// The venues of some regions and categories, by id, with their bases.
pub async fn slice_venues(
    conn: &mut sqlx::PgConnection,
    region_codes: &[String],
    categories: &[String],
    params: &ScoringParams,
) -> Result<Vec<SliceVenue>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT v.id, v.category, v.region_code AS "region_code!: RegionCode",
                  coalesce(b.version, 0) AS "version!", b.cutoff AS "cutoff?",
                  b.half_life_days AS "half_life_days?", b.window_days AS "window_days?",
                  b.overall_weight AS "overall_weight?", b.overall_weighted AS "overall_weighted?",
                  b.overall_count AS "overall_count?",
                  b.environment_weight AS "environment_weight?",
                  b.environment_weighted AS "environment_weighted?",
                  b.environment_count AS "environment_count?",
                  b.skill_weight AS "skill_weight?", b.skill_weighted AS "skill_weighted?",
                  b.skill_count AS "skill_count?",
                  b.attitude_weight AS "attitude_weight?", b.attitude_weighted AS "attitude_weighted?",
                  b.attitude_count AS "attitude_count?",
                  b.window_histogram AS "window_histogram?", b.ratings_12m AS "ratings_12m?"
           FROM venues v
           LEFT JOIN venue_score_bases b ON b.venue_id = v.id
           WHERE v.region_code = ANY($1) AND v.category = ANY($2)
           ORDER BY v.id"#,
        region_codes as &[String],
        categories as &[String],
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let sum =
                |weight: Option<f64>, weighted: Option<f64>, count: Option<i64>| WeightedSum {
                    weight: weight.unwrap_or_default(),
                    weighted_score: weighted.unwrap_or_default(),
                    count: count.unwrap_or_default(),
                };
            let same_constants = r.half_life_days == Some(params.half_life_days)
                && r.window_days.map(i64::from) == Some(params.publish_window_days);
            let hist = r.window_histogram.unwrap_or_default();
            let base = match (r.cutoff, same_constants, hist.as_slice()) {
                (Some(cutoff), true, &[a, b, c, d, e]) => Some(ScoreBase {
                    cutoff,
                    measures: Measures {
                        overall: sum(r.overall_weight, r.overall_weighted, r.overall_count),
                        environment: sum(
                            r.environment_weight,
                            r.environment_weighted,
                            r.environment_count,
                        ),
                        skill: sum(r.skill_weight, r.skill_weighted, r.skill_count),
                        attitude: sum(r.attitude_weight, r.attitude_weighted, r.attitude_count),
                    },
                    window_histogram: Histogram([a, b, c, d, e]),
                    ratings_12m: r.ratings_12m.unwrap_or_default(),
                }),
                _ => None,
            };
            SliceVenue {
                venue_id: VenueId::new(r.id),
                category: r.category,
                region_code: r.region_code,
                version: r.version,
                base,
            }
        })
        .collect())
}

/// One venue's day aggregate, as a refresh reads it.
#[derive(Debug, Clone, Copy)]
pub struct VenueDay {
    /// Venue id.
    pub venue_id: VenueId,
    /// The aggregate.
    pub day: DayAggregate,
}

/// The day aggregates up to `last` of some venues: every day, or with
/// `days` only those days.
pub async fn venue_days(
    conn: &mut sqlx::PgConnection,
    venue_ids: &[VenueId],
    days: Option<&[NaiveDate]>,
    last: NaiveDate,
) -> Result<Vec<VenueDay>, StoreError> {
    let mut out = Vec::new();
    if venue_ids.is_empty() {
        return Ok(out);
    }
    let mut rows = sqlx::query!(
        r#"SELECT venue_id, day, ratings_count, overall_sum, overall_hist,
                  environment_count, environment_sum, skill_count, skill_sum,
                  attitude_count, attitude_sum
           FROM venue_day_stats
           WHERE venue_id = ANY($1) AND day <= $2 AND ($3::date[] IS NULL OR day = ANY($3))"#,
        venue_ids as &[VenueId],
        last,
        days as Option<&[NaiveDate]>,
    )
    .fetch(conn);
    while let Some(r) = rows.try_next().await? {
        let mut hist = [0i64; 5];
        for (slot, n) in hist.iter_mut().zip(&r.overall_hist) {
            *slot = i64::from(*n);
        }
        out.push(VenueDay {
            venue_id: VenueId::new(r.venue_id),
            day: DayAggregate {
                day: r.day,
                ratings_count: i64::from(r.ratings_count),
                overall_sum: i64::from(r.overall_sum),
                overall_hist: hist,
                environment: (i64::from(r.environment_count), i64::from(r.environment_sum)),
                skill: (i64::from(r.skill_count), i64::from(r.skill_sum)),
                attitude: (i64::from(r.attitude_count), i64::from(r.attitude_sum)),
            },
        });
    }
    Ok(out)
}

/// A base to store, over the version it was read at.
#[derive(Debug, Clone, Serialize)]
pub struct BaseRow {
    venue_id: i64,
    version: i64,
    cutoff: NaiveDate,
    half_life_days: f64,
    window_days: i64,
    #[serde(flatten)]
    measures: MeasureColumns,
    window_histogram: [i64; 5],
    ratings_12m: i64,
}

impl BaseRow {
    /// The row for `base`, built with `params`, read at `version`.
    pub fn new(venue_id: VenueId, version: i64, base: &ScoreBase, params: &ScoringParams) -> Self {
        Self {
            venue_id: venue_id.get(),
            version,
            cutoff: base.cutoff,
            half_life_days: params.half_life_days,
            window_days: params.publish_window_days,
            measures: MeasureColumns::from(&base.measures),
            window_histogram: base.window_histogram.0,
            ratings_12m: base.ratings_12m,
        }
    }
}

/// Stores bases; a venue whose base was invalidated after it was read
/// (its version moved) keeps the invalidation.
pub async fn write(conn: &mut sqlx::PgConnection, rows: &[BaseRow]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let json =
        serde_json::to_value(rows).map_err(|e| StoreError::Other(sqlx::Error::Encode(e.into())))?;
    sqlx::query!(
        r#"INSERT INTO venue_score_bases AS b (
               venue_id, version, cutoff, half_life_days, window_days,
               overall_weight, overall_weighted, overall_count,
               environment_weight, environment_weighted, environment_count,
               skill_weight, skill_weighted, skill_count,
               attitude_weight, attitude_weighted, attitude_count,
               window_histogram, ratings_12m, built_at)
           SELECT venue_id, version, cutoff, half_life_days, window_days,
                  overall_weight, overall_weighted, overall_count,
                  environment_weight, environment_weighted, environment_count,
                  skill_weight, skill_weighted, skill_count,
                  attitude_weight, attitude_weighted, attitude_count,
                  window_histogram, ratings_12m, now()
           FROM jsonb_to_recordset($1) AS x(
               venue_id bigint, version bigint, cutoff date, half_life_days float8,
               window_days integer, overall_weight float8, overall_weighted float8,
               overall_count bigint, environment_weight float8, environment_weighted float8,
               environment_count bigint, skill_weight float8, skill_weighted float8,
               skill_count bigint, attitude_weight float8, attitude_weighted float8,
               attitude_count bigint, window_histogram bigint[], ratings_12m bigint)
           ON CONFLICT (venue_id) DO UPDATE SET
               cutoff = EXCLUDED.cutoff, half_life_days = EXCLUDED.half_life_days,
               window_days = EXCLUDED.window_days,
               overall_weight = EXCLUDED.overall_weight,
               overall_weighted = EXCLUDED.overall_weighted,
               overall_count = EXCLUDED.overall_count,
               environment_weight = EXCLUDED.environment_weight,
               environment_weighted = EXCLUDED.environment_weighted,
               environment_count = EXCLUDED.environment_count,
               skill_weight = EXCLUDED.skill_weight, skill_weighted = EXCLUDED.skill_weighted,
               skill_count = EXCLUDED.skill_count,
               attitude_weight = EXCLUDED.attitude_weight,
               attitude_weighted = EXCLUDED.attitude_weighted,
               attitude_count = EXCLUDED.attitude_count,
               window_histogram = EXCLUDED.window_histogram,
               ratings_12m = EXCLUDED.ratings_12m, built_at = EXCLUDED.built_at
           WHERE b.version = EXCLUDED.version"#,
        json
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks a venue's base unusable because one of its past days changed; the
/// next refresh reads its whole history. Call in the transaction that
/// changes the day.
pub async fn invalidate(
    conn: &mut sqlx::PgConnection,
    venue_id: VenueId,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"INSERT INTO venue_score_bases AS b (venue_id, version) VALUES ($1, 1)
           ON CONFLICT (venue_id) DO UPDATE SET version = b.version + 1, cutoff = NULL"#,
        venue_id.get()
    )
    .execute(conn)
    .await?;
    Ok(())
}
