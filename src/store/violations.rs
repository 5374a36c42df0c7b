//! Violations recorded against venues. A new row queues the venue's score
//! refresh (a trigger), so its tier follows within seconds.

use crate::domain::ids::VenueId;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use super::audit::{self, AuditEntry};
use super::{ScopeFilter, StoreError};
use crate::domain::violation::NewViolation;

/// A recorded violation.
#[derive(Debug, Clone)]
pub struct ViolationRecord {
    /// Violation id.
    pub id: i64,
    /// Venue id.
    pub venue_id: VenueId,
    /// The local day it occurred.
    pub occurred_on: NaiveDate,
    /// Whether it is serious.
    pub serious: bool,
    /// What happened.
    pub description: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// Records a violation with its audit row, in one transaction. `None` for a
/// venue that does not exist or lies outside `scope`.
pub async fn record(
    pool: &PgPool,
    venue_id: VenueId,
    violation: &NewViolation,
    scope: &ScopeFilter,
    mut audit: AuditEntry,
) -> Result<Option<ViolationRecord>, StoreError> {
    let mut tx = pool.begin().await?;
    let Some(region_code) = super::venues::region_in_scope(&mut tx, venue_id, scope).await? else {
        return Ok(None);
    };
    let stored = sqlx::query_as!(
        ViolationRecord,
        r#"INSERT INTO violations (venue_id, occurred_on, serious, description)
           VALUES ($1, $2, $3, $4)
           RETURNING id, venue_id, occurred_on, serious, description, recorded_at"#,
        venue_id.get(),
        violation.occurred_on,
        violation.serious,
        violation.description
    )
    .fetch_one(&mut *tx)
    .await?;
    super::scores::queue_refresh(&mut tx, venue_id).await?;
    audit.target = format!("violation:{}", stored.id);
    audit.region_code = Some(region_code.to_string());
    audit.venue_id = Some(venue_id);
    audit.after = Some(serde_json::json!({
        "occurred_on": stored.occurred_on,
        "serious": stored.serious,
        "description": stored.description,
    }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(Some(stored))
}

/// A venue's violations, latest occurrence first; none when the venue lies
/// outside `scope`.
pub async fn list(
    pool: &PgPool,
    venue_id: VenueId,
    scope: &ScopeFilter,
) -> Result<Vec<ViolationRecord>, StoreError> {
    sqlx::query_as!(
        ViolationRecord,
        r#"SELECT x.id, x.venue_id, x.occurred_on, x.serious, x.description, x.recorded_at
           FROM violations x JOIN venues v ON v.id = x.venue_id
           WHERE x.venue_id = $1 AND ($2 OR v.region_code = ANY($3) OR v.id = ANY($4))
           ORDER BY x.occurred_on DESC, x.id DESC LIMIT 1000"#,
        venue_id.get(),
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}
