//! The venue dashboard's data: a venue's comments by day with its public
//! replies, and what the venue publishes about itself (its service-quality
//! commitment and its Chief Quality Officer). Every read and write is cut to
//! the caller's scope in SQL, and every change writes its audit row in its
//! own transaction.
//!
//! Past 500 lines: every statement the venue dashboard runs (venues in scope, comments by day,
//! replies, commitment, officer), each scoped in its SQL, with its tests.

use crate::domain::credit::Tier;
use crate::domain::ids::{RatingId, VenueId};
use crate::domain::venue::RegionCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::PgPool;

use super::audit::{self, AuditEntry};
use super::{ScopeFilter, StoreError};
use crate::domain::day::local_day;
use crate::domain::venue_profile::{CommitmentText, ReplyText};

/// One venue in a list of the venues a caller may open.
#[derive(Debug, Clone)]
pub struct VenueListItem {
    /// Venue id.
    pub id: VenueId,
    /// Display name.
    pub name: String,
    /// Region code.
    pub region_code: RegionCode,
    /// Category key.
    pub category: String,
    /// Published score, `None` while unpublished or not computed.
    pub score_0_100: Option<f64>,
    /// Credit tier letter, `None` before the first grading.
    pub tier: Option<Tier>,
}

/// The first `limit` venues within `scope` by name, and how many there are in all.
pub async fn venues_in_scope(
    pool: &PgPool,
    scope: &ScopeFilter,
    limit: i64,
) -> Result<(Vec<VenueListItem>, i64), StoreError> {
    let items = sqlx::query_as!(
        VenueListItem,
        r#"SELECT v.id, v.name, v.region_code AS "region_code!: RegionCode", v.category,
                  CASE WHEN s.published THEN s.score_0_100 END AS "score_0_100?",
                  s.tier AS "tier?: Tier"
           FROM venues v LEFT JOIN venue_scores s ON s.venue_id = v.id
           WHERE ($1 OR v.region_code = ANY($2) OR v.id = ANY($3))
           ORDER BY v.name, v.id
           LIMIT $4"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        limit
    )
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "total!" FROM venues v
           WHERE ($1 OR v.region_code = ANY($2) OR v.id = ANY($3))"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_one(pool)
    .await?;
    Ok((items, total))
}

/// The venue's public answer to a comment, dated by local day only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedReply {
    /// The reply.
    pub body: String,
    /// Local day of its last change.
    pub replied_on: NaiveDate,
}

/// A visitor's comment as the venue and the public see it: its day, never
/// its time, device or address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueComment {
    /// Rating id, to reply to.
    pub rating_id: RatingId,
    /// Local day of the rating.
    pub day: NaiveDate,
    /// Overall stars, 1–5.
    pub overall: i16,
    /// Quick tags chosen with it.
    pub tags: Vec<String>,
    /// The comment.
    pub text: String,
    /// The venue's reply, if any.
    pub reply: Option<PublishedReply>,
}

/// The comments of one local day, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentDay {
    /// The local day.
    pub day: NaiveDate,
    /// Its comments.
    pub comments: Vec<VenueComment>,
}

/// Groups comments already sorted newest day first into their days.
pub fn group_by_day(comments: Vec<VenueComment>) -> Vec<CommentDay> {
    let mut days: Vec<CommentDay> = Vec::new();
    for comment in comments {
        match days.last_mut() {
            Some(last) if last.day == comment.day => last.comments.push(comment),
            _ => days.push(CommentDay {
                day: comment.day,
                comments: vec![comment],
            }),
        }
    }
    days
}

/// The most stars a rating may have to count as low for [`CommentFilter::low_only`].
pub const LOW_RATING_MAX_STARS: i16 = 2;

/// Which of a venue's comments to list; the default lists them all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommentFilter {
    /// Only comments the venue has not replied to yet.
    pub unanswered_only: bool,
    /// Only comments of low ratings (at most [`LOW_RATING_MAX_STARS`] stars).
    pub low_only: bool,
}

impl CommentFilter {
    /// The highest overall stars listed, `None` for any.
    fn max_overall(self) -> Option<i16> {
        self.low_only.then_some(LOW_RATING_MAX_STARS)
    }

    /// Whether anything is filtered out.
    pub fn is_active(self) -> bool {
        self.unanswered_only || self.low_only
    }
}

/// Comments of a venue within `scope`, newest day first, skipping `offset`
/// and taking `limit`; quarantined ratings and ratings without a comment are
/// left out.
pub async fn comments_by_day(
    pool: &PgPool,
    venue_id: VenueId,
    scope: &ScopeFilter,
    filter: CommentFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<CommentDay>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT r.id, r.day, r.overall, r.tags, r.comment AS "comment!",
                  rp.body AS "reply_body?", rp.updated_at AS "replied_at?"
           FROM ratings r
           JOIN venues v ON v.id = r.venue_id
           LEFT JOIN rating_replies rp ON rp.venue_id = r.venue_id AND rp.rating_id = r.id
           WHERE r.venue_id = $1 AND r.comment IS NOT NULL AND r.quarantined_at IS NULL
             AND ($2 OR v.region_code = ANY($3) OR v.id = ANY($4))
             AND (NOT $7 OR rp.rating_id IS NULL)
             AND ($8::int2 IS NULL OR r.overall <= $8)
           ORDER BY r.day DESC, r.created_at DESC, r.id DESC
           LIMIT $5 OFFSET $6"#,
        venue_id.get(),
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        limit,
        offset,
        filter.unanswered_only,
        filter.max_overall()
    )
    .fetch_all(pool)
    .await?;
    Ok(group_by_day(
        rows.into_iter()
            .map(|r| VenueComment {
                rating_id: r.id.into(),
                day: r.day,
                overall: r.overall,
                tags: r.tags,
                text: r.comment,
                reply: match (r.reply_body, r.replied_at) {
                    (Some(body), Some(at)) => Some(PublishedReply {
                        body,
                        replied_on: local_day(at),
                    }),
                    _ => None,
                },
            })
            .collect(),
    ))
}

/// How many comments [`comments_by_day`] can page through with `filter`.
pub async fn comment_count(
    pool: &PgPool,
    venue_id: VenueId,
    scope: &ScopeFilter,
    filter: CommentFilter,
) -> Result<i64, StoreError> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "total!"
           FROM ratings r JOIN venues v ON v.id = r.venue_id
           LEFT JOIN rating_replies rp ON rp.venue_id = r.venue_id AND rp.rating_id = r.id
           WHERE r.venue_id = $1 AND r.comment IS NOT NULL AND r.quarantined_at IS NULL
             AND ($2 OR v.region_code = ANY($3) OR v.id = ANY($4))
             AND (NOT $5 OR rp.rating_id IS NULL)
             AND ($6::int2 IS NULL OR r.overall <= $6)"#,
        venue_id.get(),
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        filter.unanswered_only,
        filter.max_overall()
    )
    .fetch_one(pool)
    .await
    .map_err(StoreError::from)
}

/// A stored reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedReply {
    /// Venue of the rating.
    pub venue_id: VenueId,
    /// The rating answered.
    pub rating_id: RatingId,
    /// The reply.
    pub body: String,
    /// Local day of this version.
    pub replied_on: NaiveDate,
}

/// What saving a reply did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyOutcome {
    /// Stored; `created` is false when it replaced an earlier reply.
    Saved {
        /// The reply as stored.
        reply: SavedReply,
        /// Whether this is the rating's first reply.
        created: bool,
    },
    /// No visible rating has this id: unknown, quarantined, of another venue
    /// than the one asked for, or outside the scope.
    UnknownRating,
    /// The rating has no comment to answer.
    NoComment,
}

/// Publishes the venue's reply to a rating's comment, replacing an earlier
/// one (a rating has at most one). `venue_id`, when given, must be the
/// rating's venue.
pub async fn save_reply(
    pool: &PgPool,
    rating_id: RatingId,
    venue_id: Option<VenueId>,
    body: &ReplyText,
    scope: &ScopeFilter,
    mut audit: AuditEntry,
) -> Result<ReplyOutcome, StoreError> {
    let mut tx = pool.begin().await?;
    let Some(rating_venue) = super::ratings::venue_of(&mut tx, rating_id).await? else {
        return Ok(ReplyOutcome::UnknownRating);
    };
    if venue_id.is_some_and(|asked| asked != rating_venue) {
        return Ok(ReplyOutcome::UnknownRating);
    }
    // The lock keeps a concurrent quarantine from slipping between the check and the reply.
    let Some(rating) = sqlx::query!(
        r#"SELECT r.venue_id, r.day, r.comment IS NOT NULL AS "has_comment!",
                  v.region_code AS "region_code!: RegionCode"
           FROM ratings r JOIN venues v ON v.id = r.venue_id
           WHERE r.id = $1 AND r.venue_id = $2 AND v.id = $2 AND r.quarantined_at IS NULL
             AND ($3 OR v.region_code = ANY($4) OR v.id = ANY($5))
           FOR NO KEY UPDATE OF r"#,
        rating_id.get(),
        rating_venue.get(),
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(ReplyOutcome::UnknownRating);
    };
    if !rating.has_comment {
        return Ok(ReplyOutcome::NoComment);
    }
    let before: Option<String> = sqlx::query_scalar!(
        "SELECT body FROM rating_replies WHERE venue_id = $1 AND rating_id = $2 FOR UPDATE",
        rating.venue_id,
        rating_id.get()
    )
    .fetch_optional(&mut *tx)
    .await?;
    let updated_at: DateTime<Utc> = sqlx::query_scalar!(
        r#"INSERT INTO rating_replies (venue_id, rating_id, rating_day, body, created_by, updated_by)
           VALUES ($1, $2, $3, $4, $5, $5)
           ON CONFLICT (venue_id, rating_id) DO UPDATE
               SET body = EXCLUDED.body, updated_by = EXCLUDED.updated_by,
                   updated_at = EXCLUDED.updated_at
           RETURNING updated_at"#,
        rating.venue_id,
        rating_id.get(),
        rating.day,
        body.as_str(),
        audit.actor
    )
    .fetch_one(&mut *tx)
    .await?;
    audit.target = format!("rating:{rating_id}");
    audit.region_code = Some(rating.region_code.to_string());
    audit.venue_id = Some(rating.venue_id.into());
    audit.before = before.as_ref().map(|b| json!({ "body": b }));
    audit.after = Some(json!({ "body": body.as_str() }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(ReplyOutcome::Saved {
        reply: SavedReply {
            venue_id: rating.venue_id.into(),
            rating_id,
            body: body.as_str().to_owned(),
            replied_on: local_day(updated_at),
        },
        created: before.is_none(),
    })
}

/// A venue's published service-quality commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commitment {
    /// Venue id.
    pub venue_id: VenueId,
    /// The commitment.
    pub text: String,
    /// When the venue first published one.
    pub published_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Locks a venue within `scope` for a change of what it publishes; its region, or
/// `None` when it does not exist or lies outside the scope.
pub(super) async fn lock_scoped_venue(
    conn: &mut sqlx::PgConnection,
    venue_id: VenueId,
    scope: &ScopeFilter,
) -> Result<Option<String>, StoreError> {
    // NO KEY UPDATE serialises the venue's own edits (so the audit's "before"
    // is exact) without blocking the key-share locks of rating writes.
    sqlx::query_scalar!(
        r#"SELECT region_code AS "region_code!: String" FROM venues
           WHERE id = $1 AND ($2 OR region_code = ANY($3) OR id = ANY($4))
           FOR NO KEY UPDATE"#,
        venue_id.get(),
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_optional(conn)
    .await
    .map_err(StoreError::from)
}

/// Publishes (or replaces) a venue's commitment; `None` for a venue that does
/// not exist or lies outside `scope`. Queues a tier refresh (a trigger).
pub async fn save_commitment(
    pool: &PgPool,
    venue_id: VenueId,
    text: &CommitmentText,
    scope: &ScopeFilter,
    mut audit: AuditEntry,
) -> Result<Option<Commitment>, StoreError> {
    let mut tx = pool.begin().await?;
    let Some(region_code) = lock_scoped_venue(&mut tx, venue_id, scope).await? else {
        return Ok(None);
    };
    let before: Option<String> = sqlx::query_scalar!(
        "SELECT body FROM venue_commitments WHERE venue_id = $1",
        venue_id.get()
    )
    .fetch_optional(&mut *tx)
    .await?;
    let saved = sqlx::query!(
        r#"INSERT INTO venue_commitments (venue_id, body, updated_by) VALUES ($1, $2, $3)
           ON CONFLICT (venue_id) DO UPDATE
               SET body = EXCLUDED.body, updated_by = EXCLUDED.updated_by,
                   updated_at = EXCLUDED.updated_at
           RETURNING published_at, updated_at"#,
        venue_id.get(),
        text.as_str(),
        audit.actor
    )
    .fetch_one(&mut *tx)
    .await?;
    // A published commitment is a tier input.
    super::scores::queue_refresh(&mut tx, venue_id).await?;
    audit.target = format!("venue:{venue_id}");
    audit.region_code = Some(region_code);
    audit.venue_id = Some(venue_id);
    audit.before = before.map(|b| json!({ "commitment": b }));
    audit.after = Some(json!({ "commitment": text.as_str() }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(Some(Commitment {
        venue_id,
        text: text.as_str().to_owned(),
        published_at: saved.published_at,
        updated_at: saved.updated_at,
    }))
}

/// A venue's commitment, if it published one.
pub async fn commitment(
    pool: &PgPool,
    venue_id: VenueId,
) -> Result<Option<Commitment>, StoreError> {
    sqlx::query_as!(
        Commitment,
        r#"SELECT venue_id, body AS text, published_at, updated_at
           FROM venue_commitments WHERE venue_id = $1"#,
        venue_id.get()
    )
    .fetch_optional(pool)
    .await
    .map_err(StoreError::from)
}

/// A venue's Chief Quality Officer as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityOfficerRecord {
    /// Venue id.
    pub venue_id: VenueId,
    /// Name.
    pub name: String,
    /// Position in the venue.
    pub position: String,
    /// Appointment date.
    pub appointed_on: NaiveDate,
    /// Training hours, one decimal.
    pub training_hours: f64,
    /// `unregistered`, `pending` or `registered`.
    pub registration_status: String,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl QualityOfficerRecord {
    /// Whether the filing (备案) is confirmed, which the tier rules and the public page use.
    pub fn registered(&self) -> bool {
        self.registration_status == "registered"
    }
}

/// A venue's Chief Quality Officer, if one is registered in any status.
pub async fn quality_officer<'c, E>(
    conn: E,
    venue_id: VenueId,
) -> Result<Option<QualityOfficerRecord>, StoreError>
where
    E: sqlx::PgExecutor<'c>,
{
    sqlx::query_as!(
        QualityOfficerRecord,
        r#"SELECT venue_id, name, position, appointed_on,
                  training_hours::float8 AS "training_hours!", registration_status, updated_at
           FROM venue_quality_officers WHERE venue_id = $1"#,
        venue_id.get()
    )
    .fetch_optional(conn)
    .await
    .map_err(StoreError::from)
}

/// Inspections the public venue page lists, latest first.
const PUBLISHED_INSPECTIONS: i64 = 10;

/// What the public venue page shows of a venue's own voice.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PublicProfile {
    /// The published commitment, if any.
    pub commitment: Option<Commitment>,
    /// The Chief Quality Officer, only once the filing is registered.
    pub officer: Option<QualityOfficerRecord>,
    /// The newest comments with the venue's replies, by day.
    pub recent_comments: Vec<CommentDay>,
    /// The latest inspections' results (一公开), without who inspected.
    pub inspections: Vec<super::inspections::PublishedInspection>,
}

/// Loads what the public venue page shows: the commitment, the registered
/// Chief Quality Officer and the `recent` newest comments.
pub async fn public_profile(
    pool: &PgPool,
    venue_id: VenueId,
    recent: i64,
) -> Result<PublicProfile, StoreError> {
    let everyone = ScopeFilter::everything();
    Ok(PublicProfile {
        commitment: commitment(pool, venue_id).await?,
        officer: quality_officer(pool, venue_id)
            .await?
            .filter(QualityOfficerRecord::registered),
        recent_comments: comments_by_day(
            pool,
            venue_id,
            &everyone,
            CommentFilter::default(),
            recent,
            0,
        )
        .await?,
        inspections: super::inspections::published(pool, venue_id, PUBLISHED_INSPECTIONS).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: i64, day: u32) -> VenueComment {
        VenueComment {
            rating_id: RatingId::new(id),
            day: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            overall: 5,
            tags: Vec::new(),
            text: format!("c{id}"),
            reply: None,
        }
    }

    #[test]
    fn comments_group_into_their_days_in_order() {
        let days = group_by_day(vec![
            comment(5, 25),
            comment(4, 25),
            comment(3, 24),
            comment(1, 20),
            comment(2, 20),
        ]);
        let shape: Vec<(u32, Vec<i64>)> = days
            .iter()
            .map(|d| {
                (
                    chrono::Datelike::day(&d.day),
                    d.comments.iter().map(|c| c.rating_id.get()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![(25, vec![5, 4]), (24, vec![3]), (20, vec![1, 2])]
        );
        assert!(group_by_day(Vec::new()).is_empty());
    }
}
