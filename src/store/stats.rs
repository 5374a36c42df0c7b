//! Reading the day aggregates back: a venue's counts over a window.

use crate::domain::ids::VenueId;
use chrono::NaiveDate;
use sqlx::PgPool;

use super::StoreError;

/// A venue's aggregated ratings since a day.
#[derive(Debug, Clone, Default)]
pub struct VenueTotals {
    /// 1★..5★ counts.
    pub overall_hist: [i64; 5],
    /// (count, sum) of environment stars.
    pub environment: (i64, i64),
    /// (count, sum) of skill stars.
    pub skill: (i64, i64),
    /// (count, sum) of attitude stars.
    pub attitude: (i64, i64),
    /// Ratings on `today`.
    pub today: i64,
    /// Tag counts, most frequent first.
    pub tags: Vec<(String, i64)>,
}

/// Sums a venue's day aggregates from `since` on; `today` counts that day alone.
pub async fn venue_totals(
    pool: &PgPool,
    venue_id: VenueId,
    since: NaiveDate,
    today: NaiveDate,
) -> Result<VenueTotals, StoreError> {
    let row = sqlx::query!(
        r#"SELECT coalesce(sum(overall_hist[1]), 0)::int8 AS "h1!", coalesce(sum(overall_hist[2]), 0)::int8 AS "h2!",
                  coalesce(sum(overall_hist[3]), 0)::int8 AS "h3!", coalesce(sum(overall_hist[4]), 0)::int8 AS "h4!",
                  coalesce(sum(overall_hist[5]), 0)::int8 AS "h5!",
                  coalesce(sum(environment_count), 0)::int8 AS "env_n!", coalesce(sum(environment_sum), 0)::int8 AS "env_sum!",
                  coalesce(sum(skill_count), 0)::int8 AS "skill_n!", coalesce(sum(skill_sum), 0)::int8 AS "skill_sum!",
                  coalesce(sum(attitude_count), 0)::int8 AS "att_n!", coalesce(sum(attitude_sum), 0)::int8 AS "att_sum!",
                  coalesce(sum(ratings_count) FILTER (WHERE day = $3), 0)::int8 AS "today!"
           FROM venue_day_stats WHERE venue_id = $1 AND day >= $2"#,
        venue_id.get(),
        since,
        today
    )
    .fetch_one(pool)
    .await?;
    let tags = sqlx::query!(
        r#"SELECT tag, sum(count)::int8 AS "count!" FROM venue_day_tags
           WHERE venue_id = $1 AND day >= $2 GROUP BY tag ORDER BY 2 DESC, tag"#,
        venue_id.get(),
        since
    )
    .fetch_all(pool)
    .await?;
    Ok(VenueTotals {
        overall_hist: [row.h1, row.h2, row.h3, row.h4, row.h5],
        environment: (row.env_n, row.env_sum),
        skill: (row.skill_n, row.skill_sum),
        attitude: (row.att_n, row.att_sum),
        today: row.today,
        tags: tags.into_iter().map(|t| (t.tag, t.count)).collect(),
    })
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
