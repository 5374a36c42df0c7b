//! Reading the day aggregates back: a venue's counts on a day or over a window.

use crate::domain::ids::VenueId;
use chrono::NaiveDate;
use sqlx::PgPool;

use super::StoreError;

/// A venue's counted ratings on one day.
pub async fn day_count(
    pool: &PgPool,
    venue_id: VenueId,
    day: NaiveDate,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT ratings_count::int8 AS "count!" FROM venue_day_stats WHERE venue_id = $1 AND day = $2"#,
        venue_id.get(),
        day
    )
    .fetch_optional(pool)
    .await?
    .unwrap_or(0))
}

/// A venue's 1★..5★ counts from `since` on.
pub async fn histogram_since(
    pool: &PgPool,
    venue_id: VenueId,
    since: NaiveDate,
) -> Result<[i64; 5], StoreError> {
    let row = sqlx::query!(
        r#"SELECT coalesce(sum(overall_hist[1]), 0)::int8 AS "h1!", coalesce(sum(overall_hist[2]), 0)::int8 AS "h2!",
                  coalesce(sum(overall_hist[3]), 0)::int8 AS "h3!", coalesce(sum(overall_hist[4]), 0)::int8 AS "h4!",
                  coalesce(sum(overall_hist[5]), 0)::int8 AS "h5!"
           FROM venue_day_stats WHERE venue_id = $1 AND day >= $2"#,
        venue_id.get(),
        since
    )
    .fetch_one(pool)
    .await?;
    Ok([row.h1, row.h2, row.h3, row.h4, row.h5])
}

/// A venue's tag counts from `since` on, most frequent first.
pub async fn tags_since(
    pool: &PgPool,
    venue_id: VenueId,
    since: NaiveDate,
) -> Result<Vec<(String, i64)>, StoreError> {
    let tags = sqlx::query!(
        r#"SELECT tag, sum(count)::int8 AS "count!" FROM venue_day_tags
           WHERE venue_id = $1 AND day >= $2 GROUP BY tag ORDER BY 2 DESC, tag"#,
        venue_id.get(),
        since
    )
    .fetch_all(pool)
    .await?;
    Ok(tags.into_iter().map(|t| (t.tag, t.count)).collect())
}

/// Today's rating counts per venue, per region (every level) and per category,
/// from the aggregates: what the live counters are rebuilt from.
#[derive(Debug, Clone, Default)]
pub struct DayCounts {
    /// (venue id, count).
    pub venues: Vec<(i64, i64)>,
    /// (region code, count), including every ancestor region.
    pub regions: Vec<(String, i64)>,
    /// (category key, count).
    pub categories: Vec<(String, i64)>,
}

/// Counts a day's ratings per venue, region and category.
pub async fn day_counts(pool: &PgPool, day: NaiveDate) -> Result<DayCounts, StoreError> {
    let venues = sqlx::query!(
        r#"SELECT venue_id, ratings_count::int8 AS "count!" FROM venue_day_stats WHERE day = $1"#,
        day
    )
    .fetch_all(pool)
    .await?;
    let by_region = sqlx::query!(
        r#"SELECT v.region_code::text AS "region_code!", sum(s.ratings_count)::int8 AS "count!"
           FROM venue_day_stats s JOIN venues v ON v.id = s.venue_id
           WHERE s.day = $1 GROUP BY v.region_code"#,
        day
    )
    .fetch_all(pool)
    .await?;
    // Each venue region's ancestors, from the region table alone: a cluster
    // runs a recursive query only where it touches no venue-side table.
    let leaves: Vec<String> = by_region.iter().map(|r| r.region_code.clone()).collect();
    let ancestry = sqlx::query!(
        r#"WITH RECURSIVE up(venue_region, code) AS (
               SELECT code, code FROM regions WHERE code = ANY($1)
             UNION ALL
               SELECT up.venue_region, r.parent_code FROM up JOIN regions r ON r.code = up.code
               WHERE r.parent_code IS NOT NULL
           )
           SELECT venue_region::text AS "venue_region!", code::text AS "code!" FROM up"#,
        &leaves
    )
    .fetch_all(pool)
    .await?;
    let mut totals = std::collections::BTreeMap::<String, i64>::new();
    for step in ancestry {
        let count = (by_region.iter())
            .find(|r| r.region_code == step.venue_region)
            .map_or(0, |r| r.count);
        *totals.entry(step.code).or_default() += count;
    }
    let regions: Vec<(String, i64)> = totals.into_iter().collect();
    let categories = sqlx::query!(
        r#"SELECT v.category, sum(s.ratings_count)::int8 AS "count!"
           FROM venue_day_stats s JOIN venues v ON v.id = s.venue_id
           WHERE s.day = $1 GROUP BY v.category"#,
        day
    )
    .fetch_all(pool)
    .await?;
    Ok(DayCounts {
        venues: venues.into_iter().map(|r| (r.venue_id, r.count)).collect(),
        regions,
        categories: categories
            .into_iter()
            .map(|r| (r.category, r.count))
            .collect(),
    })
}
