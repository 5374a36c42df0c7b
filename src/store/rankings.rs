//! Ranked venues of a region subtree, and a region's score with its breakdown.

use crate::domain::credit::Tier;
use crate::domain::ids::VenueId;
use crate::domain::venue::RegionCode;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::StoreError;
use crate::domain::region::RegionLevel;

/// One row of a ranking.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RankingRow {
    /// Venue id.
    pub venue_id: VenueId,
    /// Venue name.
    pub name: String,
    /// The venue's region code.
    pub region_code: RegionCode,
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
    pub tier: Option<Tier>,
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

/// Which venues of a ranking to list, and in which order.
#[derive(Debug, Clone, Copy, Default)]
pub struct RankingFilter<'a> {
    /// Only this category.
    pub category: Option<&'a str>,
    /// Only these tiers (letters); every tier when empty.
    pub tiers: &'a [String],
    /// Only venues with a published score.
    pub published_only: bool,
    /// Best or worst first.
    pub order: RankingOrder,
}

/// The order of a ranking.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RankingOrder {
    /// Published venues by score, then confidence, then ratings; unpublished after them.
    #[default]
    BestFirst,
    /// Published venues lowest score first; unpublished after them.
    WorstFirst,
}

impl RankingOrder {
    fn sql(self) -> &'static str {
        match self {
            RankingOrder::BestFirst => {
                "s.published DESC, s.score_0_100 DESC NULLS LAST, s.confidence DESC, \
                 s.ratings_window DESC, s.venue_id"
            }
            RankingOrder::WorstFirst => {
                "s.published DESC, s.score_0_100 ASC NULLS LAST, s.confidence ASC, \
                 s.ratings_window ASC, s.venue_id"
            }
        }
    }
}

/// The WHERE clause of a ranking, in rank order's index, and the number of
/// its next free parameter: the column comes from the closed set of levels,
/// never from input; values are bound.
fn ranking_filter(scope: RankingScope<'_>, filter: &RankingFilter<'_>) -> (String, usize) {
    let mut sql = match scope {
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
    let mut next = 2;
    if filter.category.is_some() {
        sql.push_str(&format!(" AND s.category = ${next}"));
        next += 1;
    }
    if !filter.tiers.is_empty() {
        sql.push_str(&format!(" AND s.tier = ANY(CAST(${next} AS char(1)[]))"));
        next += 1;
    }
    if filter.published_only {
        sql.push_str(" AND s.published");
    }
    (sql, next)
}

/// Binds the region code (`$1`, unused nationally), then the category and the
/// tiers when the filter has them, in [`ranking_filter`]'s order.
fn bind_scope<'q, O>(
    query: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    scope: RankingScope<'q>,
    filter: &RankingFilter<'q>,
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    let code = match scope {
        RankingScope::National => "",
        RankingScope::Region { code, .. } => code,
    };
    let mut query = query.bind(code);
    if let Some(category) = filter.category {
        query = query.bind(category);
    }
    if !filter.tiers.is_empty() {
        query = query.bind(filter.tiers);
    }
    query
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
    let filter = RankingFilter {
        category,
        ..RankingFilter::default()
    };
    filtered_rankings(pool, scope, &filter, limit, offset).await
}

/// A ranking cut by category, tiers and publication, best or worst first.
pub async fn filtered_rankings(
    pool: &PgPool,
    scope: RankingScope<'_>,
    filter: &RankingFilter<'_>,
    limit: i64,
    offset: i64,
) -> Result<Vec<RankingRow>, StoreError> {
    let order = filter.order.sql();
    let (where_sql, limit_at) = ranking_filter(scope, filter);
    let offset_at = limit_at + 1;
    // $1 is always bound; nationally the filter ignores it.
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT s.venue_id, v.name, v.region_code::text AS region_code, s.category, s.published,
                s.score_0_100, s.ratings_window::int8 AS ratings_window, s.confidence, s.tier::text AS tier
         FROM (SELECT * FROM venue_scores s
               WHERE {where_sql} AND $1::text IS NOT NULL
               ORDER BY {order} LIMIT ${limit_at} OFFSET ${offset_at}) s
         JOIN venues v ON v.id = s.venue_id
         ORDER BY {order}"
    ));
    bind_scope(sqlx::query_as::<_, RankingRow>(sql), scope, filter)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await
        .map_err(StoreError::from)
}

/// The places of some venues in the whole ranking of a scope and category,
/// whatever other filter chose them: a tier-C venue shown on a page of tier C
/// venues keeps the rank it has among all venues. Unpublished venues have no
/// place and are left out. Ties go as in [`RankingOrder::BestFirst`].
pub async fn places_in_ranking(
    pool: &PgPool,
    scope: RankingScope<'_>,
    category: Option<&str>,
    venue_ids: &[VenueId],
) -> Result<Vec<(i64, i64)>, StoreError> {
    let filter = RankingFilter {
        category,
        ..RankingFilter::default()
    };
    let (where_sql, next) = ranking_filter(scope, &filter);
    // The venues' own places in the order first, then, for all of them in
    // one statement, how many published venues come ahead of each along the
    // rank index. A join rather than a subquery per venue: a cluster runs
    // the join on every node and adds the counts up.
    let targets: Vec<(i64, f64, f64, i32)> = sqlx::query_as(
        "SELECT venue_id, score_0_100, confidence, ratings_window FROM venue_scores
         WHERE venue_id = ANY($1) AND published AND score_0_100 IS NOT NULL",
    )
    .bind(venue_ids)
    .fetch_all(pool)
    .await?;
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT t.venue_id, count(*)
         FROM UNNEST(${a}::int8[], ${b}::float8[], ${c}::float8[], ${d}::int4[])
              AS t(venue_id, score_0_100, confidence, ratings_window)
         JOIN venue_scores s
           ON {where_sql} AND $1::text IS NOT NULL AND s.published
          AND (s.score_0_100 > t.score_0_100
               OR (s.score_0_100 = t.score_0_100
                   AND (s.confidence, s.ratings_window, -s.venue_id)
                       > (t.confidence, t.ratings_window, -t.venue_id)))
         GROUP BY t.venue_id",
        a = next,
        b = next + 1,
        c = next + 2,
        d = next + 3,
    ));
    let ahead: Vec<(i64, i64)> = bind_scope(sqlx::query_as::<_, (i64, i64)>(sql), scope, &filter)
        .bind(targets.iter().map(|t| t.0).collect::<Vec<_>>())
        .bind(targets.iter().map(|t| t.1).collect::<Vec<_>>())
        .bind(targets.iter().map(|t| t.2).collect::<Vec<_>>())
        .bind(targets.iter().map(|t| t.3).collect::<Vec<_>>())
        .fetch_all(pool)
        .await?;
    Ok(targets
        .iter()
        .map(|&(venue_id, ..)| {
            let before = ahead
                .iter()
                .find(|(id, _)| *id == venue_id)
                .map_or(0, |a| a.1);
            (venue_id, 1 + before)
        })
        .collect())
}

/// How many venues a ranking holds.
pub async fn ranking_total(
    pool: &PgPool,
    scope: RankingScope<'_>,
    category: Option<&str>,
) -> Result<i64, StoreError> {
    let filter = RankingFilter {
        category,
        ..RankingFilter::default()
    };
    filtered_total(pool, scope, &filter).await
}

/// How many venues a filtered ranking holds.
pub async fn filtered_total(
    pool: &PgPool,
    scope: RankingScope<'_>,
    filter: &RankingFilter<'_>,
) -> Result<i64, StoreError> {
    let (where_sql, _) = ranking_filter(scope, filter);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM venue_scores s WHERE {where_sql} AND $1::text IS NOT NULL"
    ));
    let query = bind_scope(sqlx::query_as::<_, (i64,)>(sql), scope, filter);
    let (total,) = query.fetch_one(pool).await?;
    Ok(total)
}

/// How many venues a ranking holds (or, `published_only`, how many of them
/// are published), as the score refresher counted them when it last wrote the
/// ranking's scores: `region_scores` keeps the counts per region (every
/// level) × category (or `*`), written in the same transaction as the
/// venue scores, so an anonymous page never counts its whole slice.
pub async fn stored_total(
    pool: &PgPool,
    scope: RankingScope<'_>,
    category: Option<&str>,
    published_only: bool,
) -> Result<i64, StoreError> {
    let region = match scope {
        RankingScope::National => None,
        RankingScope::Region { code, .. } => Some(code),
    };
    // Nationally, the provinces' rows add up to the country.
    sqlx::query_scalar!(
        r#"SELECT coalesce(sum(CASE WHEN $3 THEN rs.published_venues ELSE rs.venues END), 0)::int8
                  AS "total!"
           FROM region_scores rs
           JOIN regions r ON r.code = rs.region_code
           WHERE rs.category = $2
             AND (($1::text IS NULL AND r.level = 'province')
                  OR rs.region_code = CAST($1::text AS char(6)))"#,
        region,
        category.unwrap_or("*"),
        published_only
    )
    .fetch_one(pool)
    .await
    .map_err(StoreError::from)
}

/// A stored region (or region × category) score.
#[derive(Debug, Clone)]
pub struct RegionScore {
    /// Region code.
    pub region_code: RegionCode,
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
    /// Published venue scores per ten-point band.
    pub score_distribution: Vec<i32>,
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
        r#"SELECT region_code AS "region_code!: RegionCode", category, published, score_0_100,
                  ratings_window, venues, published_venues, median_0_100, p10_0_100,
                  score_distribution, tier_counts, prior, computed_at
           FROM region_scores
           WHERE region_code = $1 OR (region_code = ANY($2) AND category = '*')
           ORDER BY region_code, category"#,
        region_code,
        child_codes as &[String]
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}
