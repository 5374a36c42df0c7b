//! Ranked venues of a region subtree, and a region's score with its breakdown.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::StoreError;

/// One row of a ranking.
#[derive(Debug, Clone)]
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
    /// Rows in the whole ranking (not just this page).
    pub total: i64,
}

/// Venues of a region subtree (any level; every region when `None`),
/// optionally of one category:
/// published ones by score then confidence, unpublished ones after them.
pub async fn rankings(
    pool: &PgPool,
    region_code: Option<&str>,
    category: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<RankingRow>, StoreError> {
    sqlx::query_as!(
        RankingRow,
        r#"SELECT s.venue_id, v.name, v.region_code AS "region_code!: String", s.category,
                  s.published, s.score_0_100, s.ratings_window::int8 AS "ratings_window!",
                  s.confidence, s.tier AS "tier: String", count(*) OVER () AS "total!"
           FROM venue_scores s JOIN venues v ON v.id = s.venue_id
           WHERE ($1::text IS NULL OR s.province_code = $1 OR s.prefecture_code = $1 OR s.county_code = $1)
             AND ($2::text IS NULL OR s.category = $2)
           ORDER BY s.published DESC, s.score_0_100 DESC NULLS LAST, s.confidence DESC,
                    s.ratings_window DESC, s.venue_id
           LIMIT $3 OFFSET $4"#,
        region_code,
        category,
        limit,
        offset
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::classify)
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
