//! Proof that the day aggregates equal a recount of the raw ratings and
//! complaints, and the repair of any (venue, day) where they do not.

use crate::domain::ids::VenueId;
use chrono::NaiveDate;
use sqlx::PgPool;

use super::StoreError;

/// The lowest and highest venue id, `None` without venues: the span a
/// recount is cut into slices of.
pub async fn venue_id_span(pool: &PgPool) -> Result<Option<(i64, i64)>, StoreError> {
    let row = sqlx::query!(r#"SELECT min(id) AS "first?", max(id) AS "last?" FROM venues"#)
        .fetch_one(pool)
        .await?;
    Ok(row.first.zip(row.last))
}

/// Venue days (from `since` on, of the venues with ids in `ids`, inclusive)
/// whose aggregate (every count, sum and histogram) or tag counts differ
/// from a recount of their non-quarantined ratings, with their complaints
/// and the complaints filed apart from a rating, including either side
/// missing.
pub async fn aggregate_differences(
    pool: &PgPool,
    since: NaiveDate,
    ids: (i64, i64),
) -> Result<Vec<(VenueId, NaiveDate)>, StoreError> {
    let rows = sqlx::query!(
        r#"WITH rated AS (
               SELECT r.venue_id, r.day, count(*)::int AS ratings_count, sum(r.overall)::int AS overall_sum,
                      ARRAY[count(*) FILTER (WHERE r.overall = 1), count(*) FILTER (WHERE r.overall = 2),
                            count(*) FILTER (WHERE r.overall = 3), count(*) FILTER (WHERE r.overall = 4),
                            count(*) FILTER (WHERE r.overall = 5)]::int[] AS overall_hist,
                      count(r.environment)::int AS environment_count, coalesce(sum(r.environment), 0)::int AS environment_sum,
                      ARRAY[count(*) FILTER (WHERE r.environment = 1), count(*) FILTER (WHERE r.environment = 2),
                            count(*) FILTER (WHERE r.environment = 3), count(*) FILTER (WHERE r.environment = 4),
                            count(*) FILTER (WHERE r.environment = 5)]::int[] AS environment_hist,
                      count(r.skill)::int AS skill_count, coalesce(sum(r.skill), 0)::int AS skill_sum,
                      ARRAY[count(*) FILTER (WHERE r.skill = 1), count(*) FILTER (WHERE r.skill = 2),
                            count(*) FILTER (WHERE r.skill = 3), count(*) FILTER (WHERE r.skill = 4),
                            count(*) FILTER (WHERE r.skill = 5)]::int[] AS skill_hist,
                      count(r.attitude)::int AS attitude_count, coalesce(sum(r.attitude), 0)::int AS attitude_sum,
                      ARRAY[count(*) FILTER (WHERE r.attitude = 1), count(*) FILTER (WHERE r.attitude = 2),
                            count(*) FILTER (WHERE r.attitude = 3), count(*) FILTER (WHERE r.attitude = 4),
                            count(*) FILTER (WHERE r.attitude = 5)]::int[] AS attitude_hist,
                      count(c.id)::int AS complaints_count
               FROM ratings r
               LEFT JOIN complaints c ON c.venue_id = r.venue_id AND c.rating_id = r.id
               WHERE r.quarantined_at IS NULL AND r.day >= $1 AND r.venue_id BETWEEN $2 AND $3
               GROUP BY r.venue_id, r.day
           ),
           apart AS (
               SELECT venue_id, day, count(*)::int AS complaints_count
               FROM complaints
               WHERE rating_id IS NULL AND day >= $1 AND venue_id BETWEEN $2 AND $3
               GROUP BY venue_id, day
           ),
           recount AS (
               SELECT venue_id, day, rated.ratings_count, rated.overall_sum, rated.overall_hist,
                      rated.environment_count, rated.environment_sum, rated.environment_hist,
                      rated.skill_count, rated.skill_sum, rated.skill_hist,
                      rated.attitude_count, rated.attitude_sum, rated.attitude_hist,
                      coalesce(rated.complaints_count, 0) + coalesce(apart.complaints_count, 0)
                          AS complaints_count
               FROM rated FULL JOIN apart USING (venue_id, day)
           ),
           stats AS (SELECT * FROM venue_day_stats WHERE day >= $1 AND venue_id BETWEEN $2 AND $3),
           stat_diff AS (
               SELECT coalesce(rc.venue_id, s.venue_id) AS venue_id, coalesce(rc.day, s.day) AS day
               FROM recount rc FULL JOIN stats s ON s.venue_id = rc.venue_id AND s.day = rc.day
               WHERE (coalesce(rc.ratings_count, 0), coalesce(rc.overall_sum, 0),
                      coalesce(rc.overall_hist, '{0,0,0,0,0}'), coalesce(rc.environment_count, 0),
                      coalesce(rc.environment_sum, 0), coalesce(rc.environment_hist, '{0,0,0,0,0}'),
                      coalesce(rc.skill_count, 0), coalesce(rc.skill_sum, 0),
                      coalesce(rc.skill_hist, '{0,0,0,0,0}'), coalesce(rc.attitude_count, 0),
                      coalesce(rc.attitude_sum, 0), coalesce(rc.attitude_hist, '{0,0,0,0,0}'),
                      coalesce(rc.complaints_count, 0))
                     IS DISTINCT FROM
                     (coalesce(s.ratings_count, 0), coalesce(s.overall_sum, 0),
                      coalesce(s.overall_hist, '{0,0,0,0,0}'), coalesce(s.environment_count, 0),
                      coalesce(s.environment_sum, 0), coalesce(s.environment_hist, '{0,0,0,0,0}'),
                      coalesce(s.skill_count, 0), coalesce(s.skill_sum, 0),
                      coalesce(s.skill_hist, '{0,0,0,0,0}'), coalesce(s.attitude_count, 0),
                      coalesce(s.attitude_sum, 0), coalesce(s.attitude_hist, '{0,0,0,0,0}'),
                      coalesce(s.complaints_count, 0))
           ),
           tag_recount AS (
               SELECT r.venue_id, r.day, t.tag, count(*)::int AS count
               FROM ratings r CROSS JOIN LATERAL unnest(r.tags) AS t(tag)
               WHERE r.quarantined_at IS NULL AND r.day >= $1 AND r.venue_id BETWEEN $2 AND $3
               GROUP BY r.venue_id, r.day, t.tag
           ),
           tag_diff AS (
               SELECT coalesce(rc.venue_id, t.venue_id) AS venue_id, coalesce(rc.day, t.day) AS day
               FROM tag_recount rc
               FULL JOIN (SELECT * FROM venue_day_tags
                          WHERE day >= $1 AND venue_id BETWEEN $2 AND $3 AND count <> 0) t
                    ON t.venue_id = rc.venue_id AND t.day = rc.day AND t.tag = rc.tag
               WHERE rc.count IS DISTINCT FROM t.count
           )
           SELECT venue_id AS "venue_id!", day AS "day!" FROM stat_diff
           UNION
           SELECT venue_id, day FROM tag_diff
           ORDER BY 1, 2"#,
        since,
        ids.0,
        ids.1
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.venue_id.into(), r.day))
        .collect())
}

/// One repaired venue day: the rating count before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repair {
    /// Venue.
    pub venue_id: VenueId,
    /// Local day.
    pub day: NaiveDate,
    /// `ratings_count` before (`None`: the aggregate was missing).
    pub before: Option<i32>,
    /// `ratings_count` after the recount.
    pub after: i32,
}

/// Rewrites one venue day's aggregate and tag counts from its ratings and
/// complaints. The aggregate row stays locked meanwhile, so a rating or a
/// complaint written at the same time waits and then adds itself on top of
/// the recount.
pub async fn repair_day(
    pool: &PgPool,
    venue_id: VenueId,
    day: NaiveDate,
) -> Result<Repair, StoreError> {
    let mut tx = pool.begin().await?;
    let before: Option<i32> = sqlx::query_scalar!(
        "SELECT ratings_count FROM venue_day_stats WHERE venue_id = $1 AND day = $2 FOR UPDATE",
        venue_id.get(),
        day
    )
    .fetch_optional(&mut *tx)
    .await?;
    if before.is_none() {
        sqlx::query!(
            r#"INSERT INTO venue_day_stats (venue_id, day, ratings_count, overall_sum, overall_hist,
                   environment_count, environment_sum, environment_hist, skill_count, skill_sum,
                   skill_hist, attitude_count, attitude_sum, attitude_hist, complaints_count)
               VALUES ($1, $2, 0, 0, '{0,0,0,0,0}', 0, 0, '{0,0,0,0,0}', 0, 0, '{0,0,0,0,0}',
                       0, 0, '{0,0,0,0,0}', 0)
               ON CONFLICT (venue_id, day) DO NOTHING"#,
            venue_id.get(),
            day
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "SELECT 1 AS locked FROM venue_day_stats WHERE venue_id = $1 AND day = $2 FOR UPDATE",
            venue_id.get(),
            day
        )
        .fetch_one(&mut *tx)
        .await?;
    }
    let after: i32 = sqlx::query_scalar!(
        r#"WITH r AS (
               SELECT r.*, EXISTS (SELECT 1 FROM complaints c
                                   WHERE c.venue_id = r.venue_id AND c.rating_id = r.id) AS has_complaint
               FROM ratings r
               WHERE r.venue_id = $1 AND r.day = $2 AND r.quarantined_at IS NULL
           ),
           hist AS (
               SELECT count(*)::int AS n, coalesce(sum(overall), 0)::int AS overall_sum,
                      ARRAY[count(*) FILTER (WHERE overall = 1), count(*) FILTER (WHERE overall = 2),
                            count(*) FILTER (WHERE overall = 3), count(*) FILTER (WHERE overall = 4),
                            count(*) FILTER (WHERE overall = 5)]::int[] AS overall_hist,
                      count(environment)::int AS env_n, coalesce(sum(environment), 0)::int AS env_sum,
                      ARRAY[count(*) FILTER (WHERE environment = 1), count(*) FILTER (WHERE environment = 2),
                            count(*) FILTER (WHERE environment = 3), count(*) FILTER (WHERE environment = 4),
                            count(*) FILTER (WHERE environment = 5)]::int[] AS env_hist,
                      count(skill)::int AS skill_n, coalesce(sum(skill), 0)::int AS skill_sum,
                      ARRAY[count(*) FILTER (WHERE skill = 1), count(*) FILTER (WHERE skill = 2),
                            count(*) FILTER (WHERE skill = 3), count(*) FILTER (WHERE skill = 4),
                            count(*) FILTER (WHERE skill = 5)]::int[] AS skill_hist,
                      count(attitude)::int AS att_n, coalesce(sum(attitude), 0)::int AS att_sum,
                      ARRAY[count(*) FILTER (WHERE attitude = 1), count(*) FILTER (WHERE attitude = 2),
                            count(*) FILTER (WHERE attitude = 3), count(*) FILTER (WHERE attitude = 4),
                            count(*) FILTER (WHERE attitude = 5)]::int[] AS att_hist,
                      count(*) FILTER (WHERE has_complaint)::int
                      + (SELECT count(*) FROM complaints c
                         WHERE c.venue_id = $1 AND c.day = $2 AND c.rating_id IS NULL)::int
                          AS complaints
               FROM r
           )
           UPDATE venue_day_stats s SET
               ratings_count = hist.n, overall_sum = hist.overall_sum, overall_hist = hist.overall_hist,
               environment_count = hist.env_n, environment_sum = hist.env_sum, environment_hist = hist.env_hist,
               skill_count = hist.skill_n, skill_sum = hist.skill_sum, skill_hist = hist.skill_hist,
               attitude_count = hist.att_n, attitude_sum = hist.att_sum, attitude_hist = hist.att_hist,
               complaints_count = hist.complaints, updated_at = now()
           FROM hist
           WHERE s.venue_id = $1 AND s.day = $2
           RETURNING s.ratings_count"#,
        venue_id.get(),
        day
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "DELETE FROM venue_day_tags WHERE venue_id = $1 AND day = $2",
        venue_id.get(),
        day
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"INSERT INTO venue_day_tags (venue_id, day, tag, count)
           SELECT r.venue_id, r.day, t.tag, count(*)
           FROM ratings r CROSS JOIN LATERAL unnest(r.tags) AS t(tag)
           WHERE r.venue_id = $1 AND r.day = $2 AND r.quarantined_at IS NULL
           GROUP BY r.venue_id, r.day, t.tag"#,
        venue_id.get(),
        day
    )
    .execute(&mut *tx)
    .await?;
    super::score_bases::invalidate(&mut tx, venue_id).await?;
    super::scores::queue_refresh(&mut tx, venue_id).await?;
    tx.commit().await?;
    Ok(Repair {
        venue_id,
        day,
        before,
        after,
    })
}
