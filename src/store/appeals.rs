//! Appeals of ratings (申诉复核): filed by a venue with its evidence, decided
//! by a regulator. Every read and write is cut to a [`ScopeFilter`] in its SQL.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use super::audit::{self, AuditEntry};
use super::{ScopeFilter, StoreError};
use crate::domain::ids::{RatingId, VenueId};

/// An appeal as stored.
#[derive(Debug, Clone)]
pub struct AppealRecord {
    /// Appeal id.
    pub id: i64,
    /// The venue appealing.
    pub venue_id: VenueId,
    /// Its name.
    pub venue_name: String,
    /// The rating appealed against.
    pub rating_id: RatingId,
    /// The rating's local day.
    pub rating_day: NaiveDate,
    /// Its overall stars.
    pub overall: i16,
    /// Its comment, if it has one.
    pub comment: Option<String>,
    /// Whether the rating is quarantined now (an upheld appeal quarantines it).
    pub quarantined: bool,
    /// The venue's evidence.
    pub evidence: String,
    /// `pending`, `upheld` or `dismissed`.
    pub state: String,
    /// Who filed it.
    pub filed_by: String,
    /// When.
    pub filed_at: DateTime<Utc>,
    /// Who decided it.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// Why.
    pub decision_reason: Option<String>,
}

/// What filing an appeal came to.
#[derive(Debug)]
pub enum Filed {
    /// Stored, with its id.
    Stored(i64),
    /// No such rating in scope.
    UnknownRating,
    /// An appeal of this rating already waits for a decision.
    AlreadyPending,
}

/// Files an appeal of a rating in `scope` (and of `of_venue`, when given),
/// with its audit row.
pub async fn file(
    pool: &PgPool,
    rating_id: RatingId,
    of_venue: Option<VenueId>,
    evidence: &str,
    scope: &ScopeFilter,
    at: DateTime<Utc>,
    mut audit: AuditEntry,
) -> Result<Filed, StoreError> {
    let mut tx = pool.begin().await?;
    let Some(venue_id) = super::ratings::venue_of(&mut tx, rating_id)
        .await?
        .filter(|v| of_venue.is_none_or(|of| of == *v))
    else {
        return Ok(Filed::UnknownRating);
    };
    let Some(region_code) = sqlx::query_scalar!(
        r#"SELECT v.region_code::text AS "region_code!"
           FROM ratings r JOIN venues v ON v.id = r.venue_id
           WHERE r.venue_id = $1 AND r.id = $2 AND v.id = $1
             AND ($3 OR v.region_code = ANY($4) OR v.id = ANY($5))"#,
        venue_id.get(),
        rating_id.get(),
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(Filed::UnknownRating);
    };
    let id = sqlx::query_scalar!(
        r#"INSERT INTO rating_appeals (venue_id, rating_id, evidence, filed_by, filed_at)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (venue_id, rating_id) WHERE state = 'pending' DO NOTHING
           RETURNING id"#,
        venue_id.get(),
        rating_id.get(),
        evidence,
        audit.actor,
        at
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        return Ok(Filed::AlreadyPending);
    };
    audit.target = format!("rating:{rating_id}");
    audit.region_code = Some(region_code);
    audit.venue_id = Some(venue_id);
    audit.after = Some(serde_json::json!({ "appeal": id, "evidence": evidence }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(Filed::Stored(id))
}

/// Which appeals a list holds, and in what order.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppealFilter<'a> {
    /// Only appeals in this state.
    pub state: Option<&'a str>,
    /// Only this venue's appeals.
    pub venue_id: Option<VenueId>,
    /// Oldest first (a work queue); otherwise pending first, then the newest.
    pub oldest_first: bool,
}

/// The most appeals a list holds.
pub const LIST_MAX: i64 = 500;

/// Appeals in scope, as `filter` picks and orders them (at most [`LIST_MAX`]).
pub async fn list(
    pool: &PgPool,
    scope: &ScopeFilter,
    filter: AppealFilter<'_>,
) -> Result<Vec<AppealRecord>, StoreError> {
    sqlx::query_as!(
        AppealRecord,
        r#"SELECT a.id, a.venue_id AS "venue_id: VenueId", v.name AS venue_name,
                  a.rating_id AS "rating_id: RatingId", r.day AS rating_day, r.overall, r.comment,
                  r.quarantined_at IS NOT NULL AS "quarantined!",
                  a.evidence, a.state, a.filed_by, a.filed_at, a.decided_by, a.decided_at,
                  a.decision_reason
           FROM rating_appeals a
           JOIN venues v ON v.id = a.venue_id
           JOIN ratings r ON r.venue_id = a.venue_id AND r.id = a.rating_id
           WHERE ($1 OR v.region_code = ANY($2) OR v.id = ANY($3))
             AND ($4::text IS NULL OR a.state = $4)
             AND ($5::int8 IS NULL OR (a.venue_id = $5 AND v.id = $5))
           ORDER BY (NOT $6 AND a.state <> 'pending'),
                    CASE WHEN $6 THEN a.filed_at END, CASE WHEN $6 THEN a.id END,
                    a.filed_at DESC, a.id DESC
           LIMIT $7"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        filter.state,
        filter.venue_id.map(VenueId::get),
        filter.oldest_first,
        LIST_MAX
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}

/// Appeals in scope waiting for a decision.
pub async fn pending_count(pool: &PgPool, scope: &ScopeFilter) -> Result<i64, StoreError> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!"
           FROM rating_appeals a JOIN venues v ON v.id = a.venue_id
           WHERE a.state = 'pending' AND ($1 OR v.region_code = ANY($2) OR v.id = ANY($3))"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_one(pool)
    .await
    .map_err(StoreError::from)
}

/// An appeal in scope.
pub async fn get(
    pool: &PgPool,
    id: i64,
    scope: &ScopeFilter,
) -> Result<Option<AppealRecord>, StoreError> {
    let Some(venue_id) =
        sqlx::query_scalar!("SELECT venue_id FROM rating_appeals WHERE id = $1", id)
            .fetch_optional(pool)
            .await?
    else {
        return Ok(None);
    };
    sqlx::query_as!(
        AppealRecord,
        r#"SELECT a.id, a.venue_id AS "venue_id: VenueId", v.name AS venue_name,
                  a.rating_id AS "rating_id: RatingId", r.day AS rating_day, r.overall, r.comment,
                  r.quarantined_at IS NOT NULL AS "quarantined!",
                  a.evidence, a.state, a.filed_by, a.filed_at, a.decided_by, a.decided_at,
                  a.decision_reason
           FROM rating_appeals a
           JOIN venues v ON v.id = a.venue_id
           JOIN ratings r ON r.venue_id = a.venue_id AND r.id = a.rating_id
           WHERE a.venue_id = $4 AND a.id = $5 AND v.id = $4 AND r.venue_id = $4
             AND ($1 OR v.region_code = ANY($2) OR v.id = ANY($3))"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        venue_id,
        id
    )
    .fetch_optional(pool)
    .await
    .map_err(StoreError::from)
}

/// Records the decision of a pending appeal with its audit row; `false`
/// when it was decided meanwhile.
pub async fn decide(
    pool: &PgPool,
    appeal: &AppealRecord,
    upheld: bool,
    reason: &str,
    at: DateTime<Utc>,
    region_code: Option<String>,
    mut audit: AuditEntry,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let state = if upheld { "upheld" } else { "dismissed" };
    let decided = sqlx::query_scalar!(
        r#"UPDATE rating_appeals
           SET state = $3, decided_by = $4, decided_at = $5, decision_reason = $6
           WHERE venue_id = $1 AND id = $2 AND state = 'pending'
           RETURNING id"#,
        appeal.venue_id.get(),
        appeal.id,
        state,
        audit.actor,
        at,
        reason
    )
    .fetch_optional(&mut *tx)
    .await?;
    if decided.is_none() {
        return Ok(false);
    }
    audit.target = format!("rating:{}", appeal.rating_id);
    audit.region_code = region_code;
    audit.venue_id = Some(appeal.venue_id);
    audit.before = Some(serde_json::json!({ "appeal": appeal.id, "state": "pending" }));
    audit.after =
        Some(serde_json::json!({ "appeal": appeal.id, "state": state, "reason": reason }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(true)
}
