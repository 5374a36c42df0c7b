//! Stored scores: the venue and region score rows, and the reads behind the
//! score, ranking and region routes (the day aggregates a refresh reads are
//! in `score_bases`).
//!
//! Past 500 lines: every statement that reads or writes stored venue and region scores and the
//! refresh queue.

use crate::domain::credit::Tier;
use crate::domain::ids::VenueId;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgPool;

use super::StoreError;
use crate::domain::distribution::{ScoreDistribution, score_distribution};
use crate::domain::scoring::{Measures, WeightedSum};

/// A venue score as written by a refresh.
#[derive(Debug, Clone, Serialize)]
pub struct VenueScoreRow {
    /// Venue id.
    pub venue_id: VenueId,
    /// Category key.
    pub category: String,
    /// Province of the venue.
    pub province_code: String,
    /// Prefecture, if any.
    pub prefecture_code: Option<String>,
    /// County, if any.
    pub county_code: Option<String>,
    /// Whether the score is published.
    pub published: bool,
    /// The smoothed score when published.
    pub score_0_100: Option<f64>,
    /// Wilson lower bound of the 4★+ share.
    pub confidence: f64,
    /// Counted ratings in the publication window.
    pub ratings_window: i64,
    /// 1★..5★ counts in the window.
    pub histogram: [i64; 5],
    /// Dimension scores.
    pub environment_0_100: Option<f64>,
    /// Skill score.
    pub skill_0_100: Option<f64>,
    /// Attitude score.
    pub attitude_0_100: Option<f64>,
    /// The sums the score came from.
    #[serde(flatten)]
    pub measures: MeasureColumns,
    /// The priors used, with where each came from.
    pub priors: serde_json::Value,
    /// Rank among published venues of the category in the prefecture.
    pub rank_prefecture: Option<i64>,
    /// Rank among published venues of the category in the province.
    pub rank_province: Option<i64>,
    /// Tier letter.
    pub tier: Tier,
    /// Reasons for the tier.
    pub tier_reasons: serde_json::Value,
    /// What the tier was decided from.
    pub tier_inputs: serde_json::Value,
    /// Where the tier came from: `rules`, or `override`.
    pub tier_source: &'static str,
    /// The override that set the tier, when it came from one.
    pub tier_override_id: Option<i64>,
    /// Rule set version.
    pub rule_set_version: String,
    /// The local day the ages were measured from.
    pub as_of_day: NaiveDate,
}

/// The twelve stored sums of a [`Measures`], as columns.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct MeasureColumns {
    /// Σ w of overall.
    pub overall_weight: f64,
    /// Σ w·s of overall.
    pub overall_weighted: f64,
    /// Count of overall.
    pub overall_count: i64,
    /// Σ w of environment.
    pub environment_weight: f64,
    /// Σ w·s of environment.
    pub environment_weighted: f64,
    /// Count of environment.
    pub environment_count: i64,
    /// Σ w of skill.
    pub skill_weight: f64,
    /// Σ w·s of skill.
    pub skill_weighted: f64,
    /// Count of skill.
    pub skill_count: i64,
    /// Σ w of attitude.
    pub attitude_weight: f64,
    /// Σ w·s of attitude.
    pub attitude_weighted: f64,
    /// Count of attitude.
    pub attitude_count: i64,
}

impl From<&Measures> for MeasureColumns {
    fn from(m: &Measures) -> Self {
        Self {
            overall_weight: m.overall.weight,
            overall_weighted: m.overall.weighted_score,
            overall_count: m.overall.count,
            environment_weight: m.environment.weight,
            environment_weighted: m.environment.weighted_score,
            environment_count: m.environment.count,
            skill_weight: m.skill.weight,
            skill_weighted: m.skill.weighted_score,
            skill_count: m.skill.count,
            attitude_weight: m.attitude.weight,
            attitude_weighted: m.attitude.weighted_score,
            attitude_count: m.attitude.count,
        }
    }
}

impl From<&MeasureColumns> for Measures {
    fn from(c: &MeasureColumns) -> Self {
        let sum = |weight, weighted_score, count| WeightedSum {
            weight,
            weighted_score,
            count,
        };
        Self {
            overall: sum(c.overall_weight, c.overall_weighted, c.overall_count),
            environment: sum(
                c.environment_weight,
                c.environment_weighted,
                c.environment_count,
            ),
            skill: sum(c.skill_weight, c.skill_weighted, c.skill_count),
            attitude: sum(c.attitude_weight, c.attitude_weighted, c.attitude_count),
        }
    }
}

/// What writing a batch of venue scores changed.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteSummary {
    /// Venue rows inserted, or changed in any number.
    pub venues: i64,
    /// Tier changes recorded in the history.
    pub tier_changes: i64,
}

/// Upserts venue scores and records every tier change, in one statement.
pub async fn write_venue_scores(
    conn: &mut sqlx::PgConnection,
    rows: &[VenueScoreRow],
) -> Result<WriteSummary, StoreError> {
    if rows.is_empty() {
        return Ok(WriteSummary::default());
    }
    let json =
        serde_json::to_value(rows).map_err(|e| StoreError::Other(sqlx::Error::Encode(e.into())))?;
    let row = sqlx::query!(
        r#"WITH input AS (
               SELECT * FROM jsonb_to_recordset($1) AS x(
                   venue_id bigint, category text, province_code text, prefecture_code text,
                   county_code text, published boolean, score_0_100 float8, confidence float8,
                   ratings_window integer, histogram integer[], environment_0_100 float8,
                   skill_0_100 float8, attitude_0_100 float8,
                   overall_weight float8, overall_weighted float8, overall_count bigint,
                   environment_weight float8, environment_weighted float8, environment_count bigint,
                   skill_weight float8, skill_weighted float8, skill_count bigint,
                   attitude_weight float8, attitude_weighted float8, attitude_count bigint,
                   priors jsonb, rank_prefecture integer, rank_province integer, tier text,
                   tier_reasons jsonb, tier_inputs jsonb, tier_source text, tier_override_id bigint,
                   rule_set_version text, as_of_day date)
           ),
           -- A change of tier, and an override taking over or ending even
           -- where the letter stays, is a row of the history. The stored
           -- rows are looked up by key: joining the input with a copy of
           -- them would compare every row with every row. No FOR UPDATE
           -- here: it would skip the rows the upsert below changes in this
           -- same statement. The caller holds the province lock.
           history AS (
               INSERT INTO tier_history (venue_id, tier, previous_tier, reasons, inputs, rule_set_version,
                                         source, override_id)
               SELECT i.venue_id, i.tier, p.tier, i.tier_reasons, i.tier_inputs, i.rule_set_version,
                      i.tier_source, i.tier_override_id
               FROM input i LEFT JOIN venue_scores p ON p.venue_id = i.venue_id
               WHERE p.tier IS DISTINCT FROM i.tier
                  OR p.tier_override_id IS DISTINCT FROM i.tier_override_id
               RETURNING 1
           ),
           upsert AS (
               INSERT INTO venue_scores AS s (
                   venue_id, category, province_code, prefecture_code, county_code, published,
                   score_0_100, confidence, ratings_window, histogram, environment_0_100,
                   skill_0_100, attitude_0_100, overall_weight, overall_weighted, overall_count,
                   environment_weight, environment_weighted, environment_count, skill_weight,
                   skill_weighted, skill_count, attitude_weight, attitude_weighted, attitude_count,
                   priors, rank_prefecture, rank_province, tier, tier_reasons, tier_inputs,
                   tier_source, tier_override_id, rule_set_version, as_of_day, computed_at)
               SELECT venue_id, category, province_code, prefecture_code, county_code, published,
                   score_0_100, confidence, ratings_window, histogram, environment_0_100,
                   skill_0_100, attitude_0_100, overall_weight, overall_weighted, overall_count,
                   environment_weight, environment_weighted, environment_count, skill_weight,
                   skill_weighted, skill_count, attitude_weight, attitude_weighted, attitude_count,
                   priors, rank_prefecture, rank_province, tier, tier_reasons, tier_inputs,
                   tier_source, tier_override_id, rule_set_version, as_of_day, now()
               FROM input
               ON CONFLICT (venue_id) DO UPDATE SET
                   category = EXCLUDED.category, province_code = EXCLUDED.province_code,
                   prefecture_code = EXCLUDED.prefecture_code, county_code = EXCLUDED.county_code,
                   published = EXCLUDED.published, score_0_100 = EXCLUDED.score_0_100,
                   confidence = EXCLUDED.confidence, ratings_window = EXCLUDED.ratings_window,
                   histogram = EXCLUDED.histogram, environment_0_100 = EXCLUDED.environment_0_100,
                   skill_0_100 = EXCLUDED.skill_0_100, attitude_0_100 = EXCLUDED.attitude_0_100,
                   overall_weight = EXCLUDED.overall_weight, overall_weighted = EXCLUDED.overall_weighted,
                   overall_count = EXCLUDED.overall_count,
                   environment_weight = EXCLUDED.environment_weight,
                   environment_weighted = EXCLUDED.environment_weighted,
                   environment_count = EXCLUDED.environment_count,
                   skill_weight = EXCLUDED.skill_weight, skill_weighted = EXCLUDED.skill_weighted,
                   skill_count = EXCLUDED.skill_count, attitude_weight = EXCLUDED.attitude_weight,
                   attitude_weighted = EXCLUDED.attitude_weighted,
                   attitude_count = EXCLUDED.attitude_count, priors = EXCLUDED.priors,
                   rank_prefecture = EXCLUDED.rank_prefecture, rank_province = EXCLUDED.rank_province,
                   tier = EXCLUDED.tier, tier_reasons = EXCLUDED.tier_reasons,
                   tier_inputs = EXCLUDED.tier_inputs, tier_source = EXCLUDED.tier_source,
                   tier_override_id = EXCLUDED.tier_override_id,
                   rule_set_version = EXCLUDED.rule_set_version,
                   as_of_day = EXCLUDED.as_of_day, computed_at = EXCLUDED.computed_at
               -- A row whose every number is the same stays as it is: a
               -- refresh of a large province then writes only what moved.
               WHERE (s.category, s.province_code, s.prefecture_code, s.county_code, s.published,
                      s.score_0_100, s.confidence, s.ratings_window, s.histogram,
                      s.environment_0_100, s.skill_0_100, s.attitude_0_100, s.overall_weight,
                      s.overall_weighted, s.overall_count, s.environment_weight,
                      s.environment_weighted, s.environment_count, s.skill_weight,
                      s.skill_weighted, s.skill_count, s.attitude_weight, s.attitude_weighted,
                      s.attitude_count, s.priors, s.rank_prefecture, s.rank_province, s.tier,
                      s.tier_reasons, s.tier_inputs, s.tier_source, s.tier_override_id,
                      s.rule_set_version, s.as_of_day)
                     IS DISTINCT FROM
                     (EXCLUDED.category, EXCLUDED.province_code, EXCLUDED.prefecture_code,
                      EXCLUDED.county_code, EXCLUDED.published, EXCLUDED.score_0_100,
                      EXCLUDED.confidence, EXCLUDED.ratings_window, EXCLUDED.histogram,
                      EXCLUDED.environment_0_100, EXCLUDED.skill_0_100, EXCLUDED.attitude_0_100,
                      EXCLUDED.overall_weight, EXCLUDED.overall_weighted, EXCLUDED.overall_count,
                      EXCLUDED.environment_weight, EXCLUDED.environment_weighted,
                      EXCLUDED.environment_count, EXCLUDED.skill_weight, EXCLUDED.skill_weighted,
                      EXCLUDED.skill_count, EXCLUDED.attitude_weight, EXCLUDED.attitude_weighted,
                      EXCLUDED.attitude_count, EXCLUDED.priors, EXCLUDED.rank_prefecture,
                      EXCLUDED.rank_province, EXCLUDED.tier, EXCLUDED.tier_reasons,
                      EXCLUDED.tier_inputs, EXCLUDED.tier_source, EXCLUDED.tier_override_id,
                      EXCLUDED.rule_set_version, EXCLUDED.as_of_day)
               RETURNING 1
           )
           SELECT (SELECT count(*) FROM upsert) AS "venues!", (SELECT count(*) FROM history) AS "tier_changes!""#,
        json
    )
    .fetch_one(conn)
    .await?;
    Ok(WriteSummary {
        venues: row.venues,
        tier_changes: row.tier_changes,
    })
}

/// Takes a transaction-scoped lock on one province's scores, so two refreshes
/// of the same province (e.g. on two instances) run one after the other.
pub async fn lock_province(
    conn: &mut sqlx::PgConnection,
    province_code: &str,
) -> Result<(), StoreError> {
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtext('venue_scores:' || $1::text)::int8)",
        province_code
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Builds a [`MeasureColumns`] from a query record holding the twelve columns by name.
macro_rules! measure_columns {
    ($r:expr) => {
        MeasureColumns {
            overall_weight: $r.overall_weight,
            overall_weighted: $r.overall_weighted,
            overall_count: $r.overall_count,
            environment_weight: $r.environment_weight,
            environment_weighted: $r.environment_weighted,
            environment_count: $r.environment_count,
            skill_weight: $r.skill_weight,
            skill_weighted: $r.skill_weighted,
            skill_count: $r.skill_count,
            attitude_weight: $r.attitude_weight,
            attitude_weighted: $r.attitude_weighted,
            attitude_count: $r.attitude_count,
        }
    };
}

/// A region's (or a region × category's) summed venue scores, before smoothing.
#[derive(Debug, Clone)]
pub struct RegionAggregate {
    /// Region code.
    pub region_code: String,
    /// Category key or `*` for every category.
    pub category: String,
    /// Summed measures.
    pub measures: MeasureColumns,
    /// Counted ratings in the publication window.
    pub ratings_window: i64,
    /// Venues in the slice.
    pub venues: i64,
    /// Venues with a published score.
    pub published_venues: i64,
    /// Median of the published venue scores.
    pub median_0_100: Option<f64>,
    /// 10th percentile of the published venue scores.
    pub p10_0_100: Option<f64>,
    /// The published venue scores per ten-point band.
    pub score_distribution: ScoreDistribution,
    /// Venues in tiers A, B, C, D.
    pub tier_counts: [i64; 4],
}

/// Sums the stored venue scores of one province by region (every level) and
/// category, and by region over all categories.
pub async fn region_aggregates(
    conn: &mut sqlx::PgConnection,
    province_code: &str,
) -> Result<Vec<RegionAggregate>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT lv.region_code AS "region_code!",
                  c.category AS "category!",
                  sum(s.overall_weight) AS "overall_weight!", sum(s.overall_weighted) AS "overall_weighted!",
                  sum(s.overall_count)::int8 AS "overall_count!",
                  sum(s.environment_weight) AS "environment_weight!",
                  sum(s.environment_weighted) AS "environment_weighted!",
                  sum(s.environment_count)::int8 AS "environment_count!",
                  sum(s.skill_weight) AS "skill_weight!", sum(s.skill_weighted) AS "skill_weighted!",
                  sum(s.skill_count)::int8 AS "skill_count!",
                  sum(s.attitude_weight) AS "attitude_weight!", sum(s.attitude_weighted) AS "attitude_weighted!",
                  sum(s.attitude_count)::int8 AS "attitude_count!",
                  sum(s.ratings_window)::int8 AS "ratings_window!",
                  count(*) AS "venues!",
                  count(*) FILTER (WHERE s.published) AS "published_venues!",
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY s.score_0_100) AS median_0_100,
                  percentile_cont(0.1) WITHIN GROUP (ORDER BY s.score_0_100) AS p10_0_100,
                  array_agg(s.score_0_100) FILTER (WHERE s.published) AS "published_scores: Vec<f64>",
                  count(*) FILTER (WHERE s.tier = 'A') AS "tier_a!",
                  count(*) FILTER (WHERE s.tier = 'B') AS "tier_b!",
                  count(*) FILTER (WHERE s.tier = 'C') AS "tier_c!",
                  count(*) FILTER (WHERE s.tier = 'D') AS "tier_d!"
           FROM venue_scores s
           CROSS JOIN LATERAL (VALUES (s.province_code::text), (s.prefecture_code::text), (s.county_code::text))
               AS lv(region_code)
           -- Each venue counts in its category and in "*", all categories:
           -- the grouping sets of a plain GROUP BY, which a cluster can run.
           CROSS JOIN LATERAL (VALUES (s.category), ('*')) AS c(category)
           WHERE s.province_code = $1 AND lv.region_code IS NOT NULL
           GROUP BY lv.region_code, c.category"#,
        province_code
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| RegionAggregate {
            region_code: r.region_code,
            category: r.category,
            measures: measure_columns!(r),
            ratings_window: r.ratings_window,
            venues: r.venues,
            published_venues: r.published_venues,
            median_0_100: r.median_0_100,
            p10_0_100: r.p10_0_100,
            score_distribution: score_distribution(r.published_scores.unwrap_or_default()),
            tier_counts: [r.tier_a, r.tier_b, r.tier_c, r.tier_d],
        })
        .collect())
}

/// Sums the stored venue scores of the venues registered directly under a
/// province or prefecture (in none of its child regions) like
/// [`region_aggregates`] sums a region, as category `*`; `None` when there
/// are none. With the child regions' rows they add up to the region's own.
pub async fn direct_aggregate(
    pool: &PgPool,
    region_code: &str,
) -> Result<Option<RegionAggregate>, StoreError> {
    let row = sqlx::query!(
        r#"SELECT sum(s.overall_weight) AS "overall_weight!", sum(s.overall_weighted) AS "overall_weighted!",
                  sum(s.overall_count)::int8 AS "overall_count!",
                  sum(s.environment_weight) AS "environment_weight!",
                  sum(s.environment_weighted) AS "environment_weighted!",
                  sum(s.environment_count)::int8 AS "environment_count!",
                  sum(s.skill_weight) AS "skill_weight!", sum(s.skill_weighted) AS "skill_weighted!",
                  sum(s.skill_count)::int8 AS "skill_count!",
                  sum(s.attitude_weight) AS "attitude_weight!", sum(s.attitude_weighted) AS "attitude_weighted!",
                  sum(s.attitude_count)::int8 AS "attitude_count!",
                  sum(s.ratings_window)::int8 AS "ratings_window!",
                  count(*) AS "venues!",
                  count(*) FILTER (WHERE s.published) AS "published_venues!",
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY s.score_0_100) AS median_0_100,
                  percentile_cont(0.1) WITHIN GROUP (ORDER BY s.score_0_100) AS p10_0_100,
                  array_agg(s.score_0_100) FILTER (WHERE s.published) AS "published_scores: Vec<f64>",
                  count(*) FILTER (WHERE s.tier = 'A') AS "tier_a!",
                  count(*) FILTER (WHERE s.tier = 'B') AS "tier_b!",
                  count(*) FILTER (WHERE s.tier = 'C') AS "tier_c!",
                  count(*) FILTER (WHERE s.tier = 'D') AS "tier_d!"
           FROM venue_scores s
           WHERE s.county_code IS NULL
             AND (s.prefecture_code = $1 OR (s.prefecture_code IS NULL AND s.province_code = $1))
           HAVING count(*) > 0"#,
        region_code
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| RegionAggregate {
        region_code: region_code.to_owned(),
        category: "*".to_owned(),
        measures: measure_columns!(r),
        ratings_window: r.ratings_window,
        venues: r.venues,
        published_venues: r.published_venues,
        median_0_100: r.median_0_100,
        p10_0_100: r.p10_0_100,
        score_distribution: score_distribution(r.published_scores.unwrap_or_default()),
        tier_counts: [r.tier_a, r.tier_b, r.tier_c, r.tier_d],
    }))
}

/// A region score as written by a refresh.
#[derive(Debug, Clone, Serialize)]
pub struct RegionScoreRow {
    /// Region code.
    pub region_code: String,
    /// Category key or `*`.
    pub category: String,
    /// Whether the slice has enough ratings to publish a score.
    pub published: bool,
    /// The smoothed score when published.
    pub score_0_100: Option<f64>,
    /// Counted ratings in the window.
    pub ratings_window: i64,
    /// Summed measures.
    #[serde(flatten)]
    pub measures: MeasureColumns,
    /// The prior used.
    pub prior: serde_json::Value,
    /// Venues.
    pub venues: i64,
    /// Published venues.
    pub published_venues: i64,
    /// Median venue score.
    pub median_0_100: Option<f64>,
    /// 10th percentile venue score.
    pub p10_0_100: Option<f64>,
    /// Published venue scores per ten-point band.
    pub score_distribution: ScoreDistribution,
    /// Tier counts A..D.
    pub tier_counts: [i64; 4],
    /// The local day ages were measured from.
    pub as_of_day: NaiveDate,
}

/// Replaces one province's region score rows.
pub async fn write_region_scores(
    conn: &mut sqlx::PgConnection,
    province_code: &str,
    region_codes: &[String],
    rows: &[RegionScoreRow],
) -> Result<(), StoreError> {
    let json =
        serde_json::to_value(rows).map_err(|e| StoreError::Other(sqlx::Error::Encode(e.into())))?;
    // Slices that lost their last venue disappear rather than keep old numbers.
    sqlx::query!(
        "DELETE FROM region_scores WHERE region_code = ANY($1) OR region_code = $2",
        region_codes as &[String],
        province_code
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"INSERT INTO region_scores (
               region_code, category, published, score_0_100, ratings_window, overall_weight,
               overall_weighted, overall_count, environment_weight, environment_weighted,
               environment_count, skill_weight, skill_weighted, skill_count, attitude_weight,
               attitude_weighted, attitude_count, prior, venues, published_venues, median_0_100,
               p10_0_100, score_distribution, tier_counts, as_of_day, computed_at)
           SELECT region_code, category, published, score_0_100, ratings_window, overall_weight,
               overall_weighted, overall_count, environment_weight, environment_weighted,
               environment_count, skill_weight, skill_weighted, skill_count, attitude_weight,
               attitude_weighted, attitude_count, prior, venues, published_venues, median_0_100,
               p10_0_100, score_distribution, tier_counts, as_of_day, now()
           FROM jsonb_to_recordset($1) AS x(
               region_code text, category text, published boolean, score_0_100 float8,
               ratings_window bigint, overall_weight float8, overall_weighted float8,
               overall_count bigint, environment_weight float8, environment_weighted float8,
               environment_count bigint, skill_weight float8, skill_weighted float8,
               skill_count bigint, attitude_weight float8, attitude_weighted float8,
               attitude_count bigint, prior jsonb, venues integer, published_venues integer,
               median_0_100 float8, p10_0_100 float8, score_distribution integer[],
               tier_counts integer[], as_of_day date)"#,
        json
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every province's stored sums per category (no `*` rows): what national
/// category priors are summed from.
pub async fn province_category_sums(
    pool: &PgPool,
) -> Result<Vec<(String, String, MeasureColumns)>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT rs.region_code AS "region_code!: String", rs.category,
                  rs.overall_weight, rs.overall_weighted, rs.overall_count,
                  rs.environment_weight, rs.environment_weighted, rs.environment_count,
                  rs.skill_weight, rs.skill_weighted, rs.skill_count,
                  rs.attitude_weight, rs.attitude_weighted, rs.attitude_count
           FROM region_scores rs JOIN regions r ON r.code = rs.region_code
           WHERE r.level = 'province' AND rs.category <> '*'"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.region_code, r.category, measure_columns!(r)))
        .collect())
}

/// The database's time: what queue entries and `updated_at` are stamped with.
pub async fn database_now(pool: &PgPool) -> Result<DateTime<Utc>, StoreError> {
    Ok(sqlx::query_scalar!(r#"SELECT now() AS "now!""#)
        .fetch_one(pool)
        .await?)
}

/// Venues queued for a refresh, with the database time of the read. The
/// queue is emptied by [`clear_refresh_queue`] once the refresh has been
/// stored, so a failed refresh is retried.
pub async fn queued_for_refresh(
    pool: &PgPool,
) -> Result<(Vec<VenueId>, DateTime<Utc>), StoreError> {
    let polled_at = database_now(pool).await?;
    let queued: Vec<i64> = sqlx::query_scalar!(
        "SELECT venue_id FROM score_refresh_queue WHERE queued_at <= $1",
        polled_at
    )
    .fetch_all(pool)
    .await?;
    Ok((queued.into_iter().map(VenueId::new).collect(), polled_at))
}

/// Venues whose day aggregates (on `days`) changed at or after `since`;
/// without `since`, after the newest stored score (with no stored score at
/// all, every aggregate of `days`).
pub async fn changed_days(
    pool: &PgPool,
    days: &[NaiveDate],
    since: Option<DateTime<Utc>>,
) -> Result<Vec<VenueId>, StoreError> {
    let since: Option<DateTime<Utc>> = match since {
        Some(since) => Some(since),
        None => {
            sqlx::query_scalar!("SELECT max(computed_at) FROM venue_scores")
                .fetch_one(pool)
                .await?
        }
    };
    let ids: Vec<i64> = sqlx::query_scalar!(
        "SELECT venue_id FROM venue_day_stats
         WHERE day = ANY($1) AND ($2::timestamptz IS NULL OR updated_at >= $2)",
        days,
        since
    )
    .fetch_all(pool)
    .await?;
    Ok(ids.into_iter().map(VenueId::new).collect())
}

/// Asks for a venue's scores to be refreshed (it changed in a way that
/// `venue_day_stats.updated_at` does not show).
pub async fn queue_refresh(
    conn: &mut sqlx::PgConnection,
    venue_id: VenueId,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"INSERT INTO score_refresh_queue (venue_id) VALUES ($1)
           ON CONFLICT (venue_id) DO UPDATE SET queued_at = EXCLUDED.queued_at"#,
        venue_id.get()
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes queue entries made up to `polled_at` (a venue queued again later stays).
pub async fn clear_refresh_queue(
    pool: &PgPool,
    venue_ids: &[VenueId],
    polled_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query!(
        "DELETE FROM score_refresh_queue WHERE venue_id = ANY($1) AND queued_at <= $2",
        venue_ids as &[VenueId],
        polled_at
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Removes every queue entry made up to `at` (a recompute of every venue
/// that started then has covered them).
pub async fn clear_refresh_queue_up_to(pool: &PgPool, at: DateTime<Utc>) -> Result<(), StoreError> {
    sqlx::query!("DELETE FROM score_refresh_queue WHERE queued_at <= $1", at)
        .execute(pool)
        .await?;
    Ok(())
}

/// Whether any venue lacks a score computed today with the given rule set.
pub async fn stale(
    pool: &PgPool,
    today: NaiveDate,
    rule_set_version: &str,
) -> Result<bool, StoreError> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (
               SELECT 1 FROM venues v LEFT JOIN venue_scores s ON s.venue_id = v.id
               WHERE s.venue_id IS NULL OR s.as_of_day <> $1 OR s.rule_set_version IS DISTINCT FROM $2
           ) AS "stale!""#,
        today,
        rule_set_version
    )
    .fetch_one(pool)
    .await
    .map_err(StoreError::from)
}

/// The (region, category) of each venue.
pub async fn venue_slices(
    pool: &PgPool,
    venue_ids: &[VenueId],
) -> Result<Vec<(String, String)>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT DISTINCT region_code AS "region_code!: String", category
           FROM venues WHERE id = ANY($1)"#,
        venue_ids as &[VenueId]
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.region_code, r.category))
        .collect())
}

/// Every (region, category) that has venues.
pub async fn all_slices(pool: &PgPool) -> Result<Vec<(String, String)>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT DISTINCT region_code AS "region_code!: String", category FROM venues"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.region_code, r.category))
        .collect())
}

/// A venue's stored score, as the score route and the public page show it.
#[derive(Debug, Clone)]
pub struct StoredVenueScore {
    /// Whether published.
    pub published: bool,
    /// The smoothed score.
    pub score_0_100: Option<f64>,
    /// Wilson lower bound.
    pub confidence: f64,
    /// Ratings in the publication window.
    pub ratings_window: i64,
    /// 1★..5★ in the window.
    pub histogram: Vec<i32>,
    /// Environment score.
    pub environment_0_100: Option<f64>,
    /// Skill score.
    pub skill_0_100: Option<f64>,
    /// Attitude score.
    pub attitude_0_100: Option<f64>,
    /// Priors used.
    pub priors: serde_json::Value,
    /// Province code.
    pub province_code: String,
    /// Prefecture code.
    pub prefecture_code: Option<String>,
    /// Rank in the prefecture's category.
    pub rank_prefecture: Option<i32>,
    /// Published venues of the category in the prefecture.
    pub ranked_in_prefecture: Option<i32>,
    /// Rank in the province's category.
    pub rank_province: Option<i32>,
    /// Published venues of the category in the province.
    pub ranked_in_province: Option<i32>,
    /// Tier letter.
    pub tier: Option<Tier>,
    /// Reasons, as stored.
    pub tier_reasons: serde_json::Value,
    /// Where the tier came from: `rules`, or `override`.
    pub tier_source: String,
    /// The tier the rules gave, when an override set another one.
    pub computed_tier: Option<String>,
    /// The applied override's end date (the first day the rules apply again).
    pub override_ends_on: Option<NaiveDate>,
    /// When the applied override was set.
    pub override_set_at: Option<DateTime<Utc>>,
    /// Rule set version.
    pub rule_set_version: Option<String>,
    /// When computed.
    pub computed_at: DateTime<Utc>,
}

/// A venue's stored score, `None` before its first refresh.
pub async fn venue_score(
    pool: &PgPool,
    venue_id: VenueId,
) -> Result<Option<StoredVenueScore>, StoreError> {
    sqlx::query_as!(
        StoredVenueScore,
        r#"SELECT s.published, s.score_0_100, s.confidence, s.ratings_window::int8 AS "ratings_window!",
                  s.histogram, s.environment_0_100, s.skill_0_100, s.attitude_0_100, s.priors,
                  s.province_code AS "province_code!: String", s.prefecture_code AS "prefecture_code: String",
                  s.rank_prefecture, pre.published_venues AS "ranked_in_prefecture?",
                  s.rank_province, pro.published_venues AS "ranked_in_province?",
                  s.tier AS "tier: Tier", s.tier_reasons, s.tier_source,
                  s.tier_inputs->>'computed_tier' AS "computed_tier?",
                  o.ends_on AS "override_ends_on?", o.set_at AS "override_set_at?",
                  s.rule_set_version, s.computed_at
           FROM venue_scores s
           LEFT JOIN region_scores pre ON pre.region_code = s.prefecture_code AND pre.category = s.category
           LEFT JOIN region_scores pro ON pro.region_code = s.province_code AND pro.category = s.category
           LEFT JOIN tier_overrides o ON o.venue_id = s.venue_id AND o.id = s.tier_override_id
           WHERE s.venue_id = $1"#,
        venue_id.get()
    )
    .fetch_optional(pool)
    .await
    .map_err(StoreError::from)
}

/// One week of a venue's ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekTotals {
    /// Monday of the week (local days).
    pub week_start: NaiveDate,
    /// Counted ratings.
    pub ratings: i64,
    /// Sum of overall stars.
    pub overall_sum: i64,
}

/// A venue's counted ratings per week for the weeks starting on or after `from_monday`.
pub async fn weekly_totals(
    pool: &PgPool,
    venue_id: VenueId,
    from_monday: NaiveDate,
) -> Result<Vec<WeekTotals>, StoreError> {
    sqlx::query_as!(
        WeekTotals,
        r#"SELECT date_trunc('week', day)::date AS "week_start!",
                  sum(ratings_count)::int8 AS "ratings!", sum(overall_sum)::int8 AS "overall_sum!"
           FROM venue_day_stats WHERE venue_id = $1 AND day >= $2
           GROUP BY 1 ORDER BY 1"#,
        venue_id.get(),
        from_monday
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}
