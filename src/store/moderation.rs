//! Quarantine and release of ratings. A rating is never deleted: it is marked,
//! taken out of (or put back into) its day aggregate, and the action is logged,
//! all in one transaction.

use crate::domain::ids::{RatingId, VenueId};
use crate::domain::venue::RegionCode;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use super::audit::{self, AuditEntry};
use super::{ScopeFilter, StoreError};
use crate::domain::moderation::ModerationReason;

/// What a moderation request turned out to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moderation {
    /// Done; the rating's venue and day, and its new quarantine time.
    Done {
        /// Venue of the rating.
        venue_id: VenueId,
        /// Local day of the rating.
        day: NaiveDate,
        /// Region of the venue.
        region_code: String,
        /// Category of the venue.
        category: String,
        /// When it was quarantined, `None` after a release.
        quarantined_at: Option<DateTime<Utc>>,
    },
    /// No rating has this id.
    UnknownRating,
    /// The rating is already in the requested state.
    AlreadyThere,
}

/// Quarantines (`quarantine = true`) or releases a rating. A rating outside
/// `scope` is answered as unknown.
pub async fn moderate(
    pool: &PgPool,
    rating_id: RatingId,
    quarantine: bool,
    reason: &ModerationReason,
    scope: &ScopeFilter,
    mut audit: AuditEntry,
) -> Result<Moderation, StoreError> {
    let mut tx = pool.begin().await?;
    let Some(venue_id) = super::ratings::venue_of(&mut tx, rating_id).await? else {
        return Ok(Moderation::UnknownRating);
    };
    let Some((region_code, category)) = place_in_scope(&mut tx, venue_id.get(), scope).await?
    else {
        return Ok(Moderation::UnknownRating);
    };
    let Some((locked, quarantined)) = lock_ratings(&mut tx, venue_id.get(), &[rating_id.get()])
        .await?
        .pop()
    else {
        return Ok(Moderation::UnknownRating);
    };
    if quarantined == quarantine {
        return Ok(Moderation::AlreadyThere);
    }
    let quarantined_at =
        set_quarantine(&mut tx, &locked, quarantine, reason.as_str(), &audit.actor).await?;
    if !quarantine {
        // A held rating released by hand is decided: never held again.
        super::integrity::decide_hold_in(
            &mut tx,
            locked.venue_id,
            locked.id,
            super::integrity::HoldDecision::Release,
            reason.as_str(),
            &audit.actor,
        )
        .await?;
    }
    audit.target = format!("rating:{rating_id}");
    audit.region_code = Some(region_code.to_string());
    audit.venue_id = Some(venue_id);
    audit.before = Some(serde_json::json!({ "quarantined": !quarantine }));
    audit.after = Some(serde_json::json!({ "quarantined": quarantine, "reason": reason.as_str() }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(Moderation::Done {
        venue_id,
        day: locked.day,
        region_code: region_code.to_string(),
        category,
        quarantined_at,
    })
}

/// The region and category of a venue within `scope`, read in the
/// caller's transaction before it changes the venue's ratings; `None` for a
/// venue that does not exist or lies outside `scope`.
pub(super) async fn place_in_scope(
    conn: &mut sqlx::PgConnection,
    venue_id: i64,
    scope: &ScopeFilter,
) -> Result<Option<(RegionCode, String)>, StoreError> {
    let place = sqlx::query!(
        r#"SELECT region_code AS "region_code!: RegionCode", category FROM venues
           WHERE id = $1 AND ($2 OR region_code = ANY($3) OR id = ANY($4))"#,
        venue_id,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_optional(conn)
    .await?;
    Ok(place.map(|p| (p.region_code, p.category)))
}

/// Locks ratings of one venue, ordered by id (so two writers lock in one
/// order), with whether each is quarantined.
pub(super) async fn lock_ratings(
    tx: &mut sqlx::PgConnection,
    venue_id: i64,
    ids: &[i64],
) -> Result<Vec<(LockedRating, bool)>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT r.id, r.day, r.overall, r.environment, r.skill, r.attitude, r.tags,
                  (r.quarantined_at IS NOT NULL) AS "quarantined!",
                  EXISTS (SELECT 1 FROM complaints c
                          WHERE c.venue_id = $1 AND c.rating_id = r.id) AS "has_complaint!"
           FROM ratings r
           WHERE r.venue_id = $1 AND r.id = ANY($2)
           ORDER BY r.id
           FOR UPDATE OF r"#,
        venue_id,
        ids
    )
    .fetch_all(&mut *tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                LockedRating {
                    venue_id,
                    id: r.id,
                    day: r.day,
                    overall: r.overall,
                    environment: r.environment,
                    skill: r.skill,
                    attitude: r.attitude,
                    tags: r.tags,
                    has_complaint: r.has_complaint,
                },
                r.quarantined,
            )
        })
        .collect())
}

/// A rating locked (`FOR UPDATE`) for a change of its quarantine, with
/// what its day aggregates hold of it.
#[derive(Debug, Clone)]
pub(super) struct LockedRating {
    pub venue_id: i64,
    pub id: i64,
    pub day: NaiveDate,
    pub overall: i16,
    pub environment: Option<i16>,
    pub skill: Option<i16>,
    pub attitude: Option<i16>,
    pub tags: Vec<String>,
    pub has_complaint: bool,
}

/// Quarantines or releases a locked rating: marks it, takes it out of (or
/// puts it back into) its day aggregates, logs the action and queues its
/// venue's scores. Returns the new quarantine time. The caller has checked
/// the rating is not already in that state.
pub(super) async fn set_quarantine(
    tx: &mut sqlx::PgConnection,
    rating: &LockedRating,
    quarantine: bool,
    reason: &str,
    actor: &str,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let quarantined_at: Option<DateTime<Utc>> = sqlx::query_scalar!(
        r#"UPDATE ratings
           SET quarantined_at = CASE WHEN $4 THEN $6::timestamptz END,
               quarantine_reason = CASE WHEN $4 THEN $5 END
           WHERE venue_id = $1 AND id = $2 AND day = $3
           RETURNING quarantined_at"#,
        rating.venue_id,
        rating.id,
        rating.day,
        quarantine,
        reason,
        // Bound, not now(): a cluster takes no volatile function inside CASE.
        Utc::now()
    )
    .fetch_one(&mut *tx)
    .await?;
    // The aggregates count only ratings that are not quarantined.
    let delta: i32 = if quarantine { -1 } else { 1 };
    let one_if = |present: bool| if present { delta } else { 0 };
    sqlx::query!(
        r#"UPDATE venue_day_stats SET
               ratings_count = ratings_count + $3,
               overall_sum = overall_sum + $3 * $4,
               overall_hist[$4] = overall_hist[$4] + $3,
               environment_count = environment_count + $6,
               environment_sum = environment_sum + $6 * $5,
               environment_hist[$5] = environment_hist[$5] + $6,
               skill_count = skill_count + $8,
               skill_sum = skill_sum + $8 * $7,
               skill_hist[$7] = skill_hist[$7] + $8,
               attitude_count = attitude_count + $10,
               attitude_sum = attitude_sum + $10 * $9,
               attitude_hist[$9] = attitude_hist[$9] + $10,
               complaints_count = complaints_count + $11,
               updated_at = now()
           WHERE venue_id = $1 AND day = $2"#,
        rating.venue_id,
        rating.day,
        delta,
        i32::from(rating.overall),
        // A missing dimension adds 0 at star 1: the subscript must be valid.
        i32::from(rating.environment.unwrap_or(1)),
        one_if(rating.environment.is_some()),
        i32::from(rating.skill.unwrap_or(1)),
        one_if(rating.skill.is_some()),
        i32::from(rating.attitude.unwrap_or(1)),
        one_if(rating.attitude.is_some()),
        one_if(rating.has_complaint),
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"INSERT INTO venue_day_tags AS t (venue_id, day, tag, count)
           SELECT $1, $2, tag, $4 FROM unnest($3::text[]) AS tag
           ON CONFLICT (venue_id, day, tag) DO UPDATE SET count = t.count + EXCLUDED.count"#,
        rating.venue_id,
        rating.day,
        &rating.tags,
        delta
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"INSERT INTO rating_moderation (venue_id, rating_id, action, reason, actor)
           VALUES ($1, $2, $3, $4, $5)"#,
        rating.venue_id,
        rating.id,
        if quarantine { "quarantine" } else { "release" },
        reason,
        actor
    )
    .execute(&mut *tx)
    .await?;
    super::score_bases::invalidate(tx, rating.venue_id.into()).await?;
    super::scores::queue_refresh(tx, rating.venue_id.into()).await?;
    Ok(quarantined_at)
}

/// One logged moderation action.
#[derive(Debug, Clone)]
pub struct ModerationRecord {
    /// `quarantine` or `release`.
    pub action: String,
    /// Why.
    pub reason: String,
    /// Who.
    pub actor: String,
    /// When.
    pub acted_at: DateTime<Utc>,
}

/// The moderation log of one rating, oldest first.
pub async fn log(
    pool: &PgPool,
    venue_id: VenueId,
    rating_id: RatingId,
) -> Result<Vec<ModerationRecord>, StoreError> {
    sqlx::query_as!(
        ModerationRecord,
        r#"SELECT action, reason, actor, acted_at FROM rating_moderation
           WHERE venue_id = $1 AND rating_id = $2 ORDER BY acted_at, id"#,
        venue_id.get(),
        rating_id.get()
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}
