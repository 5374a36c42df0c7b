//! What the demo accounts need of Postgres: which accounts the demo made,
//! a fresh password for them, and a venue to give the demo staff account.
//! Only the `--demo` commands call these.

use crate::domain::ids::{AccountId, VenueId};
use sqlx::PgPool;

use super::StoreError;
use super::audit::{self, AuditAction, AuditEntry};

/// `created_by` of every account the demo makes; only these are ever changed by it.
pub const DEMO_CREATOR: &str = "demo";

/// An account as the demo commands see it.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// Id.
    pub id: AccountId,
    /// Whether the demo made it (`created_by` is [`DEMO_CREATOR`]).
    pub made_by_demo: bool,
}

/// The account with this login, if any, and whether the demo made it.
pub async fn find_account(pool: &PgPool, login: &str) -> Result<Option<DemoAccount>, StoreError> {
    let row = sqlx::query!(
        r#"SELECT id, created_by FROM accounts WHERE login = $1"#,
        login
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| DemoAccount {
        id: row.id.into(),
        made_by_demo: row.created_by == DEMO_CREATOR,
    }))
}

/// Gives an account the demo made a new password hash, audited
/// (`account.demo_password`); `false` (nothing changed) for any other account.
pub async fn replace_password(
    pool: &PgPool,
    account_id: AccountId,
    password_hash: &str,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let updated = sqlx::query!(
        r#"UPDATE accounts SET password_hash = $2
           WHERE id = $1 AND created_by = $3"#,
        account_id.get(),
        password_hash,
        DEMO_CREATOR
    )
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Ok(false);
    }
    audit::record(
        &mut tx,
        &AuditEntry {
            actor: "cli".into(),
            action: AuditAction::ACCOUNT_DEMO_PASSWORD,
            target: format!("account:{account_id}"),
            after: Some(serde_json::json!({ "password": "replaced" })),
            ..AuditEntry::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The venue with the lowest id in a region (exactly that region, not below), with its name.
pub async fn first_venue_in(
    pool: &PgPool,
    region_code: &str,
) -> Result<Option<(VenueId, String)>, StoreError> {
    let row = sqlx::query!(
        r#"SELECT id, name FROM venues WHERE region_code = $1 ORDER BY id LIMIT 1"#,
        region_code
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| (row.id.into(), row.name)))
}
