//! Bad-rating cases (差评): the venue's low ratings with a comment, with its
//! reply and its two steps (verified, fixed). Cut to a [`ScopeFilter`].

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use super::audit::{self, AuditEntry};
use super::{ScopeFilter, StoreError};
use crate::domain::ids::{RatingId, VenueId};

/// A low rating with a comment, and what the venue did about it.
#[derive(Debug, Clone)]
pub struct BadRatingRow {
    /// The rating.
    pub rating_id: RatingId,
    /// Its local day.
    pub day: NaiveDate,
    /// 1 or 2.
    pub overall: i16,
    /// The visitor's comment.
    pub comment: String,
    /// The venue's public reply, shown beside the comment.
    pub reply: Option<String>,
    /// When the venue verified it.
    pub verified_at: Option<DateTime<Utc>>,
    /// When the venue fixed what it found.
    pub fixed_at: Option<DateTime<Utc>>,
    /// What was fixed.
    pub fix_note: Option<String>,
}

/// The venue's counted ratings of at most two stars with a comment since
/// `since`, newest first (at most 200).
pub async fn list(
    pool: &PgPool,
    venue_id: VenueId,
    scope: &ScopeFilter,
    since: NaiveDate,
) -> Result<Vec<BadRatingRow>, StoreError> {
    sqlx::query_as!(
        BadRatingRow,
        r#"SELECT r.id AS "rating_id: RatingId", r.day, r.overall, r.comment AS "comment!",
                  p.body AS "reply?", f.verified_at AS "verified_at?", f.fixed_at AS "fixed_at?",
                  f.fix_note AS "fix_note?"
           FROM ratings r
           JOIN venues v ON v.id = r.venue_id
           LEFT JOIN rating_replies p ON p.venue_id = r.venue_id AND p.rating_id = r.id
           LEFT JOIN bad_rating_followups f ON f.venue_id = r.venue_id AND f.rating_id = r.id
           WHERE r.venue_id = $1 AND v.id = $1 AND r.day >= $5
             AND r.overall <= 2 AND r.comment IS NOT NULL AND r.quarantined_at IS NULL
             AND ($2 OR v.region_code = ANY($3) OR v.id = ANY($4))
           ORDER BY r.created_at DESC, r.id DESC
           LIMIT 200"#,
        venue_id.get(),
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        since
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}

/// What a step came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Stepped {
    /// Stored.
    Done,
    /// No such low rating with a comment in scope.
    NotACase,
    /// Fixing before verifying, or a step taken already.
    OutOfOrder,
}

/// Records the venue's step on a low rating (of `of_venue`, when given):
/// `fixed == false` verifies it, `fixed == true` marks what it found fixed
/// (after verifying), with its audit row.
pub async fn step(
    pool: &PgPool,
    (rating_id, of_venue): (RatingId, Option<VenueId>),
    fixed: bool,
    note: Option<&str>,
    scope: &ScopeFilter,
    at: DateTime<Utc>,
    mut audit: AuditEntry,
) -> Result<Stepped, StoreError> {
    let mut tx = pool.begin().await?;
    let Some(venue_id) = super::ratings::venue_of(&mut tx, rating_id)
        .await?
        .filter(|v| of_venue.is_none_or(|of| of == *v))
    else {
        return Ok(Stepped::NotACase);
    };
    let Some(rating) = sqlx::query!(
        r#"SELECT r.day, v.region_code::text AS "region_code!"
           FROM ratings r JOIN venues v ON v.id = r.venue_id
           WHERE r.venue_id = $1 AND v.id = $1 AND r.id = $2
             AND r.overall <= 2 AND r.comment IS NOT NULL AND r.quarantined_at IS NULL
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
        return Ok(Stepped::NotACase);
    };
    let stored = if fixed {
        sqlx::query_scalar!(
            r#"UPDATE bad_rating_followups SET fixed_at = $3, fixed_by = $4, fix_note = $5
               WHERE venue_id = $1 AND rating_id = $2 AND verified_at IS NOT NULL AND fixed_at IS NULL
               RETURNING rating_id"#,
            venue_id.get(),
            rating_id.get(),
            at,
            audit.actor,
            note
        )
        .fetch_optional(&mut *tx)
        .await?
    } else {
        sqlx::query_scalar!(
            r#"INSERT INTO bad_rating_followups (venue_id, rating_id, rating_day, verified_at, verified_by)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (venue_id, rating_id) DO NOTHING
               RETURNING rating_id"#,
            venue_id.get(),
            rating_id.get(),
            rating.day,
            at,
            audit.actor
        )
        .fetch_optional(&mut *tx)
        .await?
    };
    if stored.is_none() {
        return Ok(Stepped::OutOfOrder);
    }
    audit.target = format!("rating:{rating_id}");
    audit.region_code = Some(rating.region_code);
    audit.venue_id = Some(venue_id);
    audit.after = Some(serde_json::json!({
        "bad_rating": if fixed { "fixed" } else { "verified" },
        "note": note,
    }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(Stepped::Done)
}
