//! Reads behind the regulator console that no other page needs: window sums
//! for "fastest falling", today's count and open complaints in a region, and
//! a venue's raw ratings for review. Every read is cut to a [`ScopeFilter`].

use crate::domain::credit::Tier;
use crate::domain::ids::{RatingId, VenueId};
use crate::domain::venue::RegionCode;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use super::{ScopeFilter, StoreError};
use crate::domain::decline::{DeclineWindows, WindowSums};

/// A venue's ratings in the two windows of [`DeclineWindows`].
#[derive(Debug, Clone)]
pub struct VenueWindows {
    /// Venue id.
    pub venue_id: VenueId,
    /// Venue name.
    pub name: String,
    /// The venue's region.
    pub region_code: RegionCode,
    /// Category key.
    pub category: String,
    /// Tier letter, if graded.
    pub tier: Option<Tier>,
    /// The previous window.
    pub previous: WindowSums,
    /// The recent window.
    pub recent: WindowSums,
}

/// The window sums of every venue in scope with at least `min_ratings`
/// counted ratings in each window.
pub async fn venue_windows(
    pool: &PgPool,
    scope: &ScopeFilter,
    windows: DeclineWindows,
    min_ratings: i64,
) -> Result<Vec<VenueWindows>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT v.id AS venue_id, v.name, v.region_code AS "region_code!: RegionCode", v.category,
                  vs.tier AS "tier?: Tier",
                  coalesce(sum(s.ratings_count) FILTER (WHERE s.day < $2), 0)::int8 AS "previous_ratings!",
                  coalesce(sum(s.overall_sum) FILTER (WHERE s.day < $2), 0)::int8 AS "previous_sum!",
                  coalesce(sum(s.ratings_count) FILTER (WHERE s.day >= $2), 0)::int8 AS "recent_ratings!",
                  coalesce(sum(s.overall_sum) FILTER (WHERE s.day >= $2), 0)::int8 AS "recent_sum!"
           FROM venue_day_stats s
           JOIN venues v ON v.id = s.venue_id
           LEFT JOIN venue_scores vs ON vs.venue_id = v.id
           WHERE s.day >= $1 AND s.day <= $3
             AND ($4 OR v.region_code = ANY($5) OR v.id = ANY($6))
           GROUP BY v.id, vs.venue_id
           HAVING coalesce(sum(s.ratings_count) FILTER (WHERE s.day < $2), 0) >= $7
              AND coalesce(sum(s.ratings_count) FILTER (WHERE s.day >= $2), 0) >= $7"#,
        windows.previous_from,
        windows.recent_from,
        windows.through,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        min_ratings
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| VenueWindows {
            venue_id: r.venue_id.into(),
            name: r.name,
            region_code: r.region_code,
            category: r.category,
            tier: r.tier,
            previous: WindowSums {
                ratings: r.previous_ratings,
                overall_sum: r.previous_sum,
            },
            recent: WindowSums {
                ratings: r.recent_ratings,
                overall_sum: r.recent_sum,
            },
        })
        .collect())
}

/// Counted ratings of one local day in scope, from the day aggregates.
pub async fn ratings_on(
    pool: &PgPool,
    scope: &ScopeFilter,
    day: NaiveDate,
) -> Result<i64, StoreError> {
    sqlx::query_scalar!(
        r#"SELECT coalesce(sum(s.ratings_count), 0)::int8 AS "count!"
           FROM venue_day_stats s JOIN venues v ON v.id = s.venue_id
           WHERE s.day = $1 AND ($2 OR v.region_code = ANY($3) OR v.id = ANY($4))"#,
        day,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_one(pool)
    .await
    .map_err(StoreError::from)
}

/// Complaint cases in scope not yet closed.
pub async fn unresolved_complaints(pool: &PgPool, scope: &ScopeFilter) -> Result<i64, StoreError> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!"
           FROM complaints c JOIN venues v ON v.id = c.venue_id
           WHERE c.closed_at IS NULL
             AND ($1 OR c.region_code = ANY($2) OR v.region_code = ANY($2) OR v.id = ANY($3))"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_one(pool)
    .await
    .map_err(StoreError::from)
}

/// A rating as a supervisor reviews it: no device hash, no address.
#[derive(Debug, Clone)]
pub struct ReviewedRating {
    /// Rating id.
    pub id: RatingId,
    /// When it arrived.
    pub created_at: DateTime<Utc>,
    /// Its local day.
    pub day: NaiveDate,
    /// Overall stars.
    pub overall: i16,
    /// Environment stars.
    pub environment: Option<i16>,
    /// Skill stars.
    pub skill: Option<i16>,
    /// Attitude stars.
    pub attitude: Option<i16>,
    /// Tag keys.
    pub tags: Vec<String>,
    /// The visitor's comment.
    pub comment: Option<String>,
    /// When it was quarantined, if it is.
    pub quarantined_at: Option<DateTime<Utc>>,
    /// Why, if it is.
    pub quarantine_reason: Option<String>,
}

/// Which of a venue's ratings a supervisor looks at; every one by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RatingFilter {
    /// Only ratings of this many overall stars.
    pub stars: Option<i16>,
    /// Only ratings of this local day.
    pub day: Option<NaiveDate>,
    /// Only ratings carrying this tag key.
    pub tag: Option<String>,
    /// Only quarantined ratings (`Some(true)`) or only counted ones (`Some(false)`).
    pub quarantined: Option<bool>,
}

/// A venue's ratings that pass `filter`, newest first; none when the venue
/// lies outside `scope`.
pub async fn venue_ratings(
    pool: &PgPool,
    venue_id: VenueId,
    scope: &ScopeFilter,
    filter: &RatingFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<ReviewedRating>, StoreError> {
    sqlx::query_as!(
        ReviewedRating,
        r#"SELECT r.id, r.created_at, r.day, r.overall, r.environment, r.skill, r.attitude, r.tags,
                  r.comment, r.quarantined_at, r.quarantine_reason
           FROM ratings r JOIN venues v ON v.id = r.venue_id
           WHERE r.venue_id = $1 AND ($2 OR v.region_code = ANY($3) OR v.id = ANY($4))
             AND ($7::int2 IS NULL OR r.overall = $7)
             AND ($8::date IS NULL OR r.day = $8)
             AND ($9::text IS NULL OR $9 = ANY(r.tags))
             AND ($10::bool IS NULL OR (r.quarantined_at IS NOT NULL) = $10)
           ORDER BY r.day DESC, r.created_at DESC, r.id DESC
           LIMIT $5 OFFSET $6"#,
        venue_id.get(),
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        limit,
        offset,
        filter.stars,
        filter.day,
        filter.tag.as_deref(),
        filter.quarantined
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}

/// How many of a venue's ratings pass `filter`, quarantined ones included
/// unless it leaves them out; 0 when the venue lies outside `scope`.
pub async fn venue_rating_total(
    pool: &PgPool,
    venue_id: VenueId,
    scope: &ScopeFilter,
    filter: &RatingFilter,
) -> Result<i64, StoreError> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM ratings r JOIN venues v ON v.id = r.venue_id
           WHERE r.venue_id = $1 AND ($2 OR v.region_code = ANY($3) OR v.id = ANY($4))
             AND ($5::int2 IS NULL OR r.overall = $5)
             AND ($6::date IS NULL OR r.day = $6)
             AND ($7::text IS NULL OR $7 = ANY(r.tags))
             AND ($8::bool IS NULL OR (r.quarantined_at IS NOT NULL) = $8)"#,
        venue_id.get(),
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        filter.stars,
        filter.day,
        filter.tag.as_deref(),
        filter.quarantined
    )
    .fetch_one(pool)
    .await
    .map_err(StoreError::from)
}

/// A rating as a confirmation names it: its venue, day, stars and comment.
#[derive(Debug, Clone)]
pub struct NamedRating {
    /// Rating id.
    pub id: RatingId,
    /// Its venue.
    pub venue_id: VenueId,
    /// The venue's name.
    pub venue_name: String,
    /// Its local day.
    pub day: NaiveDate,
    /// Overall stars.
    pub overall: i16,
    /// The visitor's comment.
    pub comment: Option<String>,
}

/// One rating, if its venue lies within `scope`.
pub async fn rating_in_scope(
    pool: &PgPool,
    rating_id: RatingId,
    scope: &ScopeFilter,
) -> Result<Option<NamedRating>, StoreError> {
    sqlx::query_as!(
        NamedRating,
        r#"SELECT r.id, r.venue_id, v.name AS venue_name, r.day, r.overall, r.comment
           FROM ratings r JOIN venues v ON v.id = r.venue_id
           WHERE r.id = $1 AND ($2 OR v.region_code = ANY($3) OR v.id = ANY($4))"#,
        rating_id.get(),
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_optional(pool)
    .await
    .map_err(StoreError::from)
}
