//! The append-only audit log: one row per change made by a person or token,
//! written in the transaction of the change itself.

use crate::domain::ids::{AccountId, VenueId};
use crate::domain::venue::RegionCode;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;

use super::StoreError;
pub use crate::domain::audit::AuditAction;

/// One change, as it will be recorded.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    /// Who: `admin-token`, `token:12`, `account:3`.
    pub actor: String,
    /// What: one of the listed actions.
    pub action: AuditAction,
    /// On what, e.g. `venue:12`.
    pub target: String,
    /// The region the change belongs to, for scoped reading.
    pub region_code: Option<String>,
    /// The venue it belongs to, if any.
    pub venue_id: Option<VenueId>,
    /// From where.
    pub client_ip: Option<String>,
    /// State before, if any.
    pub before: Option<serde_json::Value>,
    /// State after, if any.
    pub after: Option<serde_json::Value>,
}

/// Writes an entry; call it inside the change's transaction.
pub async fn record(conn: &mut sqlx::PgConnection, entry: &AuditEntry) -> Result<(), StoreError> {
    debug_assert!(
        !entry.action.key().is_empty(),
        "an audit entry without an action"
    );
    sqlx::query!(
        r#"INSERT INTO audit_log (actor, action, target, region_code, venue_id, client_ip, before, after)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"#,
        entry.actor,
        entry.action.key(),
        entry.target,
        entry.region_code,
        entry.venue_id.map(VenueId::get),
        entry.client_ip,
        entry.before,
        entry.after
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes an entry that belongs to no other change: a sign-in, a download.
pub async fn record_alone(pool: &PgPool, entry: &AuditEntry) -> Result<(), StoreError> {
    let mut conn = pool.acquire().await?;
    record(&mut conn, entry).await
}

/// A recorded entry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    /// Entry id.
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// On what.
    pub target: String,
    /// Region of the change.
    pub region_code: Option<RegionCode>,
    /// Venue of the change.
    pub venue_id: Option<VenueId>,
    /// From where.
    pub client_ip: Option<String>,
    /// The state before, as far as the action records it; `null` when it
    /// records none (a creation, for one).
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The state after, as far as the action records it; `null` when it records none.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

/// The newest entries (before `before_id`, for paging) within a scope:
/// every entry when `all`, else those of the given regions or venues. An
/// `action` keeps the entries of that action (`account.update`) or of that
/// family (`account` keeps `account.create`, `account.update` …).
pub async fn list(
    pool: &PgPool,
    all: bool,
    region_codes: &[String],
    venue_ids: &[i64],
    action: Option<&str>,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRecord>, StoreError> {
    sqlx::query_as!(
        AuditRecord,
        r#"SELECT id, at, actor, action, target, region_code AS "region_code: RegionCode", venue_id AS "venue_id: VenueId",
                  client_ip, before, after
           FROM audit_log
           WHERE ($1 OR region_code = ANY($2) OR venue_id = ANY($3))
             AND ($4::text IS NULL OR action = $4 OR starts_with(action, $4 || '.'))
             AND ($5::int8 IS NULL OR id < $5)
           ORDER BY id DESC
           LIMIT $6"#,
        all,
        region_codes as &[String],
        venue_ids,
        action,
        before_id,
        limit
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}

/// Who and what an audit page's entries name, looked up in one query:
/// accounts (login, name), API tokens (name) and venues (name), by id.
#[derive(Debug, Clone, Default)]
pub struct AuditNames {
    /// Account id → (login, display name).
    pub accounts: HashMap<AccountId, (String, String)>,
    /// API token id → its name.
    pub tokens: HashMap<i64, String>,
    /// Venue id → its name.
    pub venues: HashMap<VenueId, String>,
}

/// The names of these accounts, tokens and venues; ids that name nothing
/// are left out.
pub async fn names(
    pool: &PgPool,
    account_ids: &[AccountId],
    token_ids: &[i64],
    venue_ids: &[VenueId],
) -> Result<AuditNames, StoreError> {
    let mut names = AuditNames::default();
    if account_ids.is_empty() && token_ids.is_empty() && venue_ids.is_empty() {
        return Ok(names);
    }
    let rows = sqlx::query!(
        r#"SELECT 'account' AS "kind!", id AS "id!", login AS "name!", display_name AS "detail?"
           FROM accounts WHERE id = ANY($1)
           UNION ALL
           SELECT 'token', id, name, NULL FROM api_tokens WHERE id = ANY($2)
           UNION ALL
           SELECT 'venue', id, name, NULL FROM venues WHERE id = ANY($3)"#,
        account_ids as &[AccountId],
        token_ids,
        venue_ids as &[VenueId]
    )
    .fetch_all(pool)
    .await?;
    for row in rows {
        match row.kind.as_str() {
            "account" => {
                let display_name = row.detail.unwrap_or_else(|| row.name.clone());
                names
                    .accounts
                    .insert(AccountId::new(row.id), (row.name, display_name));
            }
            "token" => {
                names.tokens.insert(row.id, row.name);
            }
            _ => {
                names.venues.insert(VenueId::new(row.id), row.name);
            }
        }
    }
    Ok(names)
}
