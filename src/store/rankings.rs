//! Ranked venues of a region subtree, and a region's score with its breakdown.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::StoreError;
use crate::domain::region::RegionLevel;

/// One row of a ranking.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RankingRow {
    /// Venue id.
    pub venue_id: i64,
    /// Venue name.
    pub name: String,
    /// The venue's region code.
    pub region_code: String,
    /// Category key.
    pub category: String,
    /// Whether the score is published.
    pub published: bool,
    /// The smoothed score.
    pub score_0_100: Option<f64>,
    /// Ratings in the publication window.
    pub ratings_window: i64,
    /// Wilson lower bound.
    pub confidence: f64,
    /// Tier letter.
    pub tier: Option<String>,
}

/// What a ranking covers: the whole country or one region's subtree.
#[derive(Debug, Clone, Copy)]
pub enum RankingScope<'a> {
    /// Every venue.
    National,
    /// The venues in a region and below it.
    Region {
        /// The region's level, which picks the column to filter on.
        level: RegionLevel,
        /// Its code.
        code: &'a str,
    },
}

/// The WHERE clause of a ranking, in rank order's index: the column comes
/// from the closed set of levels, never from input; values are bound.
fn ranking_filter(scope: RankingScope<'_>, category: Option<&str>) -> String {
    let mut filter = match scope {
        RankingScope::National => String::from("TRUE"),
        RankingScope::Region { level, .. } => {
            let column = match level {
                RegionLevel::Province => "province_code",
                RegionLevel::Prefecture => "prefecture_code",
                RegionLevel::County => "county_code",
            };
            // Cast so the comparison stays char(6) = char(6) and can use the index.
            format!("s.{column} = CAST($1 AS char(6))")
        }
    };
    if category.is_some() {
        filter.push_str(" AND s.category = $2");
    }
    filter
}

/// Binds the region code (`$1`, unused nationally) and the category (`$2`, when given).
fn bind_scope<'q, O>(
    query: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    scope: RankingScope<'q>,
    category: Option<&'q str>,
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    let code = match scope {
        RankingScope::National => "",
        RankingScope::Region { code, .. } => code,
    };
    let query = query.bind(code);
    match category {
        Some(category) => query.bind(category),
        None => query,
    }
}

/// Venues of a region subtree (any level) or the whole country, optionally of
/// one category: published ones by score, then confidence, then ratings;
/// unpublished ones after them. Each page is read along an index in that order.
pub async fn rankings(
    pool: &PgPool,
    scope: RankingScope<'_>,
    category: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<RankingRow>, StoreError> {
    const ORDER: &str = "s.published DESC, s.score_0_100 DESC NULLS LAST, s.confidence DESC, \
                         s.ratings_window DESC, s.venue_id";
    let filter = ranking_filter(scope, category);
    // $1 is always bound; nationally the filter ignores it.
    let (limit_at, offset_at) = if category.is_some() { (3, 4) } else { (2, 3) };
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT s.venue_id, v.name, v.region_code::text AS region_code, s.category, s.published,
                s.score_0_100, s.ratings_window::int8 AS ratings_window, s.confidence, s.tier::text AS tier
         FROM (SELECT * FROM venue_scores s
               WHERE {filter} AND $1::text IS NOT NULL
               ORDER BY {ORDER} LIMIT ${limit_at} OFFSET ${offset_at}) s
         JOIN venues v ON v.id = s.venue_id
         ORDER BY {ORDER}"
    ));
    bind_scope(sqlx::query_as::<_, RankingRow>(sql), scope, category)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await
        .map_err(StoreError::classify)
}

/// How many venues a ranking holds.
pub async fn ranking_total(
    pool: &PgPool,
    scope: RankingScope<'_>,
    category: Option<&str>,
) -> Result<i64, StoreError> {
    let filter = ranking_filter(scope, category);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM venue_scores s WHERE {filter} AND $1::text IS NOT NULL"
    ));
    let query = bind_scope(sqlx::query_as::<_, (i64,)>(sql), scope, category);
    let (total,) = query.fetch_one(pool).await.map_err(StoreError::classify)?;
    Ok(total)
}

/// A stored region (or region × category) score.
#[derive(Debug, Clone)]
pub struct RegionScore {
    /// Region code.
    pub region_code: String,
    /// Category key or `*`.
    pub category: String,
    /// Whether published.
    pub published: bool,
    /// Smoothed score.
    pub score_0_100: Option<f64>,
    /// Ratings in the window.
    pub ratings_window: i64,
    /// Venues.
    pub venues: i32,
    /// Published venues.
    pub published_venues: i32,
    /// Median venue score.
    pub median_0_100: Option<f64>,
    /// 10th percentile venue score.
    pub p10_0_100: Option<f64>,
    /// Venues per tier A..D.
    pub tier_counts: Vec<i32>,
    /// The prior used.
    pub prior: serde_json::Value,
    /// When computed.
    pub computed_at: DateTime<Utc>,
}

/// The region's own rows (`*` and each category) and its children's `*` rows.
pub async fn region_breakdown(
    pool: &PgPool,
    region_code: &str,
    child_codes: &[String],
) -> Result<Vec<RegionScore>, StoreError> {
    sqlx::query_as!(
        RegionScore,
        r#"SELECT region_code AS "region_code!: String", category, published, score_0_100,
                  ratings_window, venues, published_venues, median_0_100, p10_0_100,
                  tier_counts, prior, computed_at
           FROM region_scores
           WHERE region_code = $1 OR (region_code = ANY($2) AND category = '*')
           ORDER BY region_code, category"#,
        region_code,
        child_codes as &[String]
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::classify)
}
