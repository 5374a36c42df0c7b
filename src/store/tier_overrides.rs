//! Tier overrides: set and ended by regulators (each with its audit row, in
//! the change's transaction, and a queued score refresh), applied and closed
//! by the score refresh, which also asks here which venues are due.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use super::audit::{self, AuditEntry};
use super::{ScopeFilter, StoreError};
use crate::domain::credit::Tier;
use crate::domain::day::day_start;
use crate::domain::ids::VenueId;
use crate::domain::tier_override::NewTierOverride;

/// One override, as stored.
#[derive(Debug, Clone)]
pub struct OverrideRecord {
    /// Override id.
    pub id: i64,
    /// Venue id.
    pub venue_id: VenueId,
    /// The tier it sets.
    pub tier: Tier,
    /// Why it was set.
    pub reason: String,
    /// The first day the rules apply again.
    pub ends_on: NaiveDate,
    /// Who set it (an audit actor: `account:3`, `token:7`, `admin-token`).
    pub set_by: String,
    /// When it was set.
    pub set_at: DateTime<Utc>,
    /// When it ended, if it has been closed.
    pub ended_at: Option<DateTime<Utc>>,
    /// `early` (ended by a regulator) or `expired`.
    pub end_kind: Option<String>,
    /// Who ended it early.
    pub ended_by: Option<String>,
    /// Why it was ended early.
    pub end_reason: Option<String>,
}

impl OverrideRecord {
    /// Whether it is in force on `today`.
    pub fn in_force(&self, today: NaiveDate) -> bool {
        self.ended_at.is_none() && today < self.ends_on
    }
}

/// What setting an override did.
#[derive(Debug, Clone)]
pub enum SetOutcome {
    /// The venue does not exist or lies outside the scope.
    NotFound,
    /// Another override is in force; end it first.
    AlreadyActive(OverrideRecord),
    /// Stored.
    Set(OverrideRecord),
}

/// What ending an override did.
#[derive(Debug, Clone)]
pub enum EndOutcome {
    /// The venue does not exist or lies outside the scope.
    NotFound,
    /// No override of the venue is in force.
    NoneActive,
    /// Ended.
    Ended(OverrideRecord),
}

/// Closes the venue's overrides whose end date has come (`expired`, at the
/// local start of that day).
async fn close_expired(
    conn: &mut sqlx::PgConnection,
    venue_ids: &[VenueId],
    today: NaiveDate,
) -> Result<(), StoreError> {
    // Every open override of these venues that reached its end: at most one each.
    let due = sqlx::query!(
        r#"SELECT venue_id, id, ends_on FROM tier_overrides
           WHERE venue_id = ANY($1) AND ended_at IS NULL AND ends_on <= $2"#,
        venue_ids as &[VenueId],
        today
    )
    .fetch_all(&mut *conn)
    .await?;
    for row in due {
        sqlx::query!(
            r#"UPDATE tier_overrides SET ended_at = $3, end_kind = 'expired'
               WHERE venue_id = $1 AND id = $2 AND ended_at IS NULL"#,
            row.venue_id,
            row.id,
            day_start(row.ends_on)
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The venue's override that has not been closed, if any (it may have
/// reached its end date without being closed yet).
async fn open_override(
    conn: &mut sqlx::PgConnection,
    venue_id: VenueId,
) -> Result<Option<OverrideRecord>, StoreError> {
    sqlx::query_as!(
        OverrideRecord,
        r#"SELECT id, venue_id, tier AS "tier!: Tier", reason, ends_on, set_by, set_at,
                  ended_at, end_kind, ended_by, end_reason
           FROM tier_overrides WHERE venue_id = $1 AND ended_at IS NULL"#,
        venue_id.get()
    )
    .fetch_optional(conn)
    .await
    .map_err(StoreError::from)
}

fn audit_state(record: &OverrideRecord) -> serde_json::Value {
    serde_json::json!({
        "tier": record.tier,
        "reason": record.reason,
        "ends_on": record.ends_on,
        "ended_at": record.ended_at,
        "end_kind": record.end_kind,
        "end_reason": record.end_reason,
    })
}

/// Whether an error is the "one open override per venue" index refusing a
/// second one.
fn is_second_open(err: &sqlx::Error) -> bool {
    super::violated_constraint(err) == Some("tier_overrides_one_open")
}

/// Sets an override of a venue in `scope`, with its audit row and a queued
/// score refresh, in one transaction; refused while another is in force.
pub async fn set(
    pool: &PgPool,
    venue_id: VenueId,
    new: &NewTierOverride,
    (today, now): (NaiveDate, DateTime<Utc>),
    scope: &ScopeFilter,
    mut audit: AuditEntry,
) -> Result<SetOutcome, StoreError> {
    let mut tx = pool.begin().await?;
    let Some(region_code) = super::venues::region_in_scope(&mut tx, venue_id, scope).await? else {
        return Ok(SetOutcome::NotFound);
    };
    close_expired(&mut tx, &[venue_id], today).await?;
    if let Some(active) = open_override(&mut tx, venue_id).await? {
        return Ok(SetOutcome::AlreadyActive(active));
    }
    let inserted = sqlx::query_as!(
        OverrideRecord,
        r#"INSERT INTO tier_overrides (venue_id, tier, reason, ends_on, set_by, set_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           RETURNING id, venue_id, tier AS "tier!: Tier", reason, ends_on, set_by, set_at,
                     ended_at, end_kind, ended_by, end_reason"#,
        venue_id.get(),
        new.tier.letter(),
        new.reason,
        new.ends_on,
        audit.actor,
        now
    )
    .fetch_one(&mut *tx)
    .await;
    let stored = match inserted {
        Ok(stored) => stored,
        Err(err) if is_second_open(&err) => {
            // Set at the same moment by someone else: theirs stands.
            drop(tx);
            let mut conn = pool.acquire().await?;
            return Ok(match open_override(&mut conn, venue_id).await? {
                Some(active) => SetOutcome::AlreadyActive(active),
                None => return Err(StoreError::from(err)),
            });
        }
        Err(err) => return Err(err.into()),
    };
    super::scores::queue_refresh(&mut tx, venue_id).await?;
    audit.target = format!("venue:{venue_id}");
    audit.region_code = Some(region_code.to_string());
    audit.venue_id = Some(venue_id);
    audit.after = Some(audit_state(&stored));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(SetOutcome::Set(stored))
}

/// Ends the override in force of a venue in `scope` early, with its audit
/// row and a queued score refresh, in one transaction.
pub async fn end(
    pool: &PgPool,
    venue_id: VenueId,
    reason: &str,
    (today, now): (NaiveDate, DateTime<Utc>),
    scope: &ScopeFilter,
    mut audit: AuditEntry,
) -> Result<EndOutcome, StoreError> {
    let mut tx = pool.begin().await?;
    let Some(region_code) = super::venues::region_in_scope(&mut tx, venue_id, scope).await? else {
        return Ok(EndOutcome::NotFound);
    };
    close_expired(&mut tx, &[venue_id], today).await?;
    let ended = sqlx::query_as!(
        OverrideRecord,
        r#"UPDATE tier_overrides
           SET ended_at = $2, end_kind = 'early', ended_by = $3, end_reason = $4
           WHERE venue_id = $1 AND ended_at IS NULL
           RETURNING id, venue_id, tier AS "tier!: Tier", reason, ends_on, set_by, set_at,
                     ended_at, end_kind, ended_by, end_reason"#,
        venue_id.get(),
        now,
        audit.actor,
        reason
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(ended) = ended else {
        return Ok(EndOutcome::NoneActive);
    };
    super::scores::queue_refresh(&mut tx, venue_id).await?;
    audit.target = format!("venue:{venue_id}");
    audit.region_code = Some(region_code.to_string());
    audit.venue_id = Some(venue_id);
    audit.before = Some(serde_json::json!({
        "tier": ended.tier,
        "reason": ended.reason,
        "ends_on": ended.ends_on,
    }));
    audit.after = Some(audit_state(&ended));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(EndOutcome::Ended(ended))
}

/// A venue's overrides in `scope`, newest first (none outside it).
pub async fn list(
    pool: &PgPool,
    venue_id: VenueId,
    scope: &ScopeFilter,
) -> Result<Vec<OverrideRecord>, StoreError> {
    sqlx::query_as!(
        OverrideRecord,
        r#"SELECT o.id, o.venue_id, o.tier AS "tier!: Tier", o.reason, o.ends_on, o.set_by,
                  o.set_at, o.ended_at, o.end_kind, o.ended_by, o.end_reason
           FROM tier_overrides o JOIN venues v ON v.id = o.venue_id
           WHERE o.venue_id = $1 AND ($2 OR v.region_code = ANY($3) OR v.id = ANY($4))
           ORDER BY o.set_at DESC, o.id DESC LIMIT 500"#,
        venue_id.get(),
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}

/// An override in force, as the score refresh applies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActiveOverride {
    /// Override id.
    pub id: i64,
    /// The tier it sets.
    pub tier: Tier,
    /// The first day the rules apply again.
    pub ends_on: NaiveDate,
}

/// The overrides in force on `today` of the given venues.
pub async fn in_force(
    pool: &PgPool,
    venue_ids: &[VenueId],
    today: NaiveDate,
) -> Result<HashMap<VenueId, ActiveOverride>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT venue_id, id, tier AS "tier!: Tier", ends_on FROM tier_overrides
           WHERE venue_id = ANY($1) AND ended_at IS NULL AND ends_on > $2"#,
        venue_ids as &[VenueId],
        today
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                VenueId::new(r.venue_id),
                ActiveOverride {
                    id: r.id,
                    tier: r.tier,
                    ends_on: r.ends_on,
                },
            )
        })
        .collect())
}

/// Closes, in the refresh's transaction, the overrides of these venues
/// whose end date has come.
pub async fn close_reached(
    conn: &mut sqlx::PgConnection,
    venue_ids: &[VenueId],
    today: NaiveDate,
) -> Result<(), StoreError> {
    close_expired(conn, venue_ids, today).await
}

/// Venues whose stored tier disagrees with their overrides on `today`: an
/// override still applied though it ended (early, or its end date came),
/// or one in force not applied yet. The refresher refreshes them even when
/// nothing else about them changed, so an override ends on its end date
/// for a venue without a single new rating.
pub async fn venues_due(pool: &PgPool, today: NaiveDate) -> Result<Vec<VenueId>, StoreError> {
    let ids = sqlx::query_scalar!(
        r#"SELECT s.venue_id AS "venue_id!" FROM venue_scores s
           JOIN tier_overrides o ON o.venue_id = s.venue_id AND o.id = s.tier_override_id
           WHERE s.tier_override_id IS NOT NULL AND (o.ended_at IS NOT NULL OR o.ends_on <= $1)
           UNION
           SELECT o.venue_id FROM tier_overrides o
           JOIN venue_scores s ON s.venue_id = o.venue_id
           WHERE o.ended_at IS NULL AND o.ends_on > $1
             AND s.tier_override_id IS DISTINCT FROM o.id"#,
        today
    )
    .fetch_all(pool)
    .await?;
    Ok(ids.into_iter().map(VenueId::new).collect())
}

/// Overrides by id, of one venue (for the history's rows).
pub async fn by_ids(
    pool: &PgPool,
    venue_id: VenueId,
    ids: &[i64],
) -> Result<HashMap<i64, OverrideRecord>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = sqlx::query_as!(
        OverrideRecord,
        r#"SELECT id, venue_id, tier AS "tier!: Tier", reason, ends_on, set_by, set_at,
                  ended_at, end_kind, ended_by, end_reason
           FROM tier_overrides WHERE venue_id = $1 AND id = ANY($2)"#,
        venue_id.get(),
        ids
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}
