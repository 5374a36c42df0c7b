//! Alerts: raised once each (kind and dedupe key per venue), read per
//! reader, and delivered to the webhook from the same rows (an outbox).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use super::audit::{self, AuditEntry};
use super::{ScopeFilter, StoreError};
use crate::domain::alerts::{AlertKind, AlertRules};

/// Raises an alert about a venue unless it was raised already; returns
/// whether it is new. `webhook`: whether a webhook will deliver it.
pub async fn raise(
    conn: &mut sqlx::PgConnection,
    venue_id: i64,
    kind: AlertKind,
    dedupe_key: &str,
    details: &serde_json::Value,
    (now, webhook): (DateTime<Utc>, bool),
) -> Result<bool, StoreError> {
    let done = sqlx::query!(
        r#"INSERT INTO alerts (venue_id, kind, dedupe_key, region_code, raised_at, details,
                               delivery, next_attempt_at)
           SELECT v.id, $2, $3, v.region_code, $4, $5,
                  CASE WHEN $6 THEN 'pending' ELSE 'none' END,
                  CASE WHEN $6 THEN $4::timestamptz END
           FROM venues v WHERE v.id = $1
           ON CONFLICT (venue_id, kind, dedupe_key) DO NOTHING"#,
        venue_id,
        kind.key(),
        dedupe_key,
        now,
        details,
        webhook
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A venue an aggregate rule fires on, with its numbers.
#[derive(Debug, Clone)]
pub struct Fired {
    /// The venue.
    pub venue_id: i64,
    /// Its numbers, as the alert's details.
    pub details: serde_json::Value,
}

/// Venues whose average stars of the seven days to `today` fell below the
/// 28 days before by more than the rules allow.
pub async fn score_drops(
    pool: &PgPool,
    today: NaiveDate,
    rules: &AlertRules,
) -> Result<Vec<Fired>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT venue_id,
                  coalesce(sum(overall_sum) FILTER (WHERE day > $1::date - 7), 0)::int8 AS "recent_sum!",
                  coalesce(sum(ratings_count) FILTER (WHERE day > $1::date - 7), 0)::int8 AS "recent_count!",
                  coalesce(sum(overall_sum) FILTER (WHERE day <= $1::date - 7), 0)::int8 AS "before_sum!",
                  coalesce(sum(ratings_count) FILTER (WHERE day <= $1::date - 7), 0)::int8 AS "before_count!"
           FROM venue_day_stats
           WHERE day > $1::date - 35 AND day <= $1
           GROUP BY venue_id
           HAVING sum(ratings_count) FILTER (WHERE day > $1::date - 7) >= $2
              AND sum(ratings_count) FILTER (WHERE day <= $1::date - 7) >= $2"#,
        today,
        rules.score_drop_min_ratings
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let recent = (r.recent_sum, r.recent_count);
            let before = (r.before_sum, r.before_count);
            rules.score_drop(recent, before).map(|drop| Fired {
                venue_id: r.venue_id,
                details: serde_json::json!({
                    "drop_stars": (drop * 100.0).round() / 100.0,
                    "recent_average": (recent.0 as f64 / recent.1 as f64 * 100.0).round() / 100.0,
                    "recent_ratings": recent.1,
                    "before_average": (before.0 as f64 / before.1 as f64 * 100.0).round() / 100.0,
                    "before_ratings": before.1,
                }),
            })
        })
        .collect())
}

/// Venues with at least `rules.red_flags` of the `red_flags` tags in the
/// seven days to `today`.
pub async fn red_flag_clusters(
    pool: &PgPool,
    today: NaiveDate,
    red_flags: &[String],
    rules: &AlertRules,
) -> Result<Vec<Fired>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT venue_id, sum(n)::int8 AS "flags!",
                  jsonb_object_agg(tag, n) AS "by_tag!"
           FROM (SELECT venue_id, tag, sum(count)::int8 AS n FROM venue_day_tags
                 WHERE day > $1::date - 7 AND day <= $1 AND tag = ANY($2) AND count > 0
                 GROUP BY venue_id, tag) t
           GROUP BY venue_id
           HAVING sum(n) >= $3::int8"#,
        today,
        red_flags,
        rules.red_flags
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Fired {
            venue_id: r.venue_id,
            details: serde_json::json!({ "red_flags": r.flags, "by_tag": r.by_tag, "days": 7 }),
        })
        .collect())
}

/// Open complaint cases past their due time: (venue, case id, tracking
/// code, due time).
pub async fn overdue_cases(
    pool: &PgPool,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, i64, String, DateTime<Utc>)>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT venue_id, id, tracking_code, due_at AS "due_at!"
           FROM complaints
           WHERE closed_at IS NULL AND due_at IS NOT NULL AND due_at < $1"#,
        now
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.venue_id, r.id, r.tracking_code, r.due_at))
        .collect())
}

/// An alert as the inbox lists it.
#[derive(Debug, Clone)]
pub struct AlertRow {
    /// Alert id.
    pub id: i64,
    /// The venue.
    pub venue_id: i64,
    /// Its name.
    pub venue_name: String,
    /// Its region.
    pub region_code: String,
    /// The kind's key.
    pub kind: String,
    /// When raised.
    pub raised_at: DateTime<Utc>,
    /// Its numbers.
    pub details: serde_json::Value,
    /// Whether this reader has read it.
    pub read: bool,
    /// The webhook's state.
    pub delivery: String,
}

/// One page of the alerts in scope, newest first, with whether `reader`
/// read each; with `unread_only` only the unread. Also the total and the
/// unread count.
pub async fn list(
    pool: &PgPool,
    scope: &ScopeFilter,
    reader: &str,
    unread_only: bool,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AlertRow>, i64, i64), StoreError> {
    let rows = sqlx::query_as!(
        AlertRow,
        r#"SELECT a.id, a.venue_id, v.name AS venue_name, a.region_code AS "region_code!",
                  a.kind, a.raised_at, a.details,
                  (r.reader IS NOT NULL) AS "read!", a.delivery
           FROM alerts a
           JOIN venues v ON v.id = a.venue_id
           LEFT JOIN alert_reads r
                  ON r.venue_id = a.venue_id AND r.alert_id = a.id AND r.reader = $4
           WHERE ($1 OR v.region_code = ANY($2) OR v.id = ANY($3))
             AND (NOT $5 OR r.reader IS NULL)
           ORDER BY a.raised_at DESC, a.id DESC
           LIMIT $6 OFFSET $7"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        reader,
        unread_only,
        limit,
        offset
    )
    .fetch_all(pool)
    .await?;
    let counts = sqlx::query!(
        r#"SELECT count(*) AS "total!", count(*) FILTER (WHERE r.reader IS NULL) AS "unread!"
           FROM alerts a
           JOIN venues v ON v.id = a.venue_id
           LEFT JOIN alert_reads r
                  ON r.venue_id = a.venue_id AND r.alert_id = a.id AND r.reader = $4
           WHERE ($1 OR v.region_code = ANY($2) OR v.id = ANY($3))"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        reader
    )
    .fetch_one(pool)
    .await?;
    let total = if unread_only {
        counts.unread
    } else {
        counts.total
    };
    Ok((rows, total, counts.unread))
}

/// Marks an alert in scope read by `audit.actor`; `false` when there is no
/// such alert in scope. Reading it twice changes nothing.
pub async fn mark_read(
    pool: &PgPool,
    id: i64,
    scope: &ScopeFilter,
    now: DateTime<Utc>,
    mut audit: AuditEntry,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let Some(venue_id) = sqlx::query_scalar!("SELECT venue_id FROM alerts WHERE id = $1", id)
        .fetch_optional(&mut *tx)
        .await?
    else {
        return Ok(false);
    };
    let Some(region_code) = super::venues::region_in_scope(&mut tx, venue_id.into(), scope).await?
    else {
        return Ok(false);
    };
    let added = sqlx::query!(
        r#"INSERT INTO alert_reads (venue_id, alert_id, reader, read_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (venue_id, alert_id, reader) DO NOTHING"#,
        venue_id,
        id,
        audit.actor,
        now
    )
    .execute(&mut *tx)
    .await?;
    if added.rows_affected() > 0 {
        audit.target = format!("alert:{id}");
        audit.region_code = Some(region_code.to_string());
        audit.venue_id = Some(venue_id.into());
        audit.after = Some(serde_json::json!({ "read": true }));
        audit::record(&mut tx, &audit).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// An alert the webhook is to deliver.
#[derive(Debug, Clone)]
pub struct DueAlert {
    /// Venue.
    pub venue_id: i64,
    /// Alert id.
    pub id: i64,
    /// Kind key.
    pub kind: String,
    /// Region.
    pub region_code: String,
    /// Venue name.
    pub venue_name: String,
    /// When raised.
    pub raised_at: DateTime<Utc>,
    /// Numbers.
    pub details: serde_json::Value,
    /// Attempts so far.
    pub attempts: i32,
}

/// Alerts whose next delivery attempt is due, oldest first.
pub async fn due(
    pool: &PgPool,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<DueAlert>, StoreError> {
    sqlx::query_as!(
        DueAlert,
        r#"SELECT a.venue_id, a.id, a.kind, a.region_code AS "region_code!", v.name AS venue_name,
                  a.raised_at, a.details, a.attempts
           FROM alerts a JOIN venues v ON v.id = a.venue_id
           WHERE a.delivery = 'pending' AND a.next_attempt_at <= $1
           ORDER BY a.next_attempt_at, a.id
           LIMIT $2"#,
        now,
        limit
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}

/// Claims a due alert for one delivery attempt: moves its next attempt
/// to `lease_until`, so another instance's outbox reader passes it by.
/// `false` when another instance claimed it first.
pub async fn claim(
    pool: &PgPool,
    alert: &DueAlert,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query!(
        r#"UPDATE alerts SET next_attempt_at = $4
           WHERE venue_id = $1 AND id = $2 AND delivery = 'pending' AND next_attempt_at <= $3"#,
        alert.venue_id,
        alert.id,
        now,
        lease_until
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What one delivery attempt got.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// When.
    pub at: DateTime<Utc>,
    /// The HTTP status, if an answer came.
    pub status: Option<i32>,
    /// Why no answer came, or the failing status's reason.
    pub error: Option<String>,
    /// When to try again; `None` with a 2xx status (delivered) or when the
    /// attempts ran out (failed).
    pub retry_at: Option<DateTime<Utc>>,
}

/// Records an attempt and the alert's new delivery state.
pub async fn record_attempt(
    pool: &PgPool,
    alert: &DueAlert,
    attempt: &Attempt,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let number = alert.attempts + 1;
    sqlx::query!(
        r#"INSERT INTO alert_deliveries (venue_id, alert_id, attempt, attempted_at, status, error)
           VALUES ($1, $2, $3, $4, $5, $6)"#,
        alert.venue_id,
        alert.id,
        number,
        attempt.at,
        attempt.status,
        attempt.error
    )
    .execute(&mut *tx)
    .await?;
    let delivered = attempt.status.is_some_and(|s| (200..300).contains(&s));
    let state = match (delivered, attempt.retry_at) {
        (true, _) => "delivered",
        (false, Some(_)) => "pending",
        (false, None) => "failed",
    };
    sqlx::query!(
        r#"UPDATE alerts SET attempts = $3, delivery = $4, next_attempt_at = $5
           WHERE venue_id = $1 AND id = $2"#,
        alert.venue_id,
        alert.id,
        number,
        state,
        if delivered { None } else { attempt.retry_at }
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
