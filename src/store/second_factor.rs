//! The second sign-in factor of accounts: the sealed authenticator secret,
//! its enrolment, the last accepted time step, and the recovery codes. Every
//! change is audited in its own transaction; the conditional updates make
//! each step and each recovery code count once even under concurrent requests.

use crate::domain::ids::{AccountId, VenueId};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::accounts::{AccountRecord, lock_in_scope};
use super::audit::{self, AuditAction, AuditEntry};
use super::{ScopeFilter, StoreError};

/// What is stored of an account's authenticator.
#[derive(Clone)]
pub struct StoredTotp {
    /// The secret, sealed by `Secrets::seal_totp_secret`.
    pub secret_sealed: Vec<u8>,
    /// When the person confirmed it with a code; `None` while enrolment is pending.
    pub enrolled_at: Option<DateTime<Utc>>,
    /// The last time step a code was accepted for.
    pub last_used_step: Option<i64>,
}

impl std::fmt::Debug for StoredTotp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredTotp")
            .field("enrolled_at", &self.enrolled_at)
            .field("last_used_step", &self.last_used_step)
            .finish_non_exhaustive()
    }
}

/// An account with what it has of a second factor.
#[derive(Debug, Clone)]
pub struct SecondFactorState {
    /// The account.
    pub account_id: AccountId,
    /// Its login name, which authenticator apps show.
    pub login: String,
    /// Whether it is not disabled.
    pub enabled: bool,
    /// The region its changes belong to in the audit log: a regulator's own,
    /// or that of a staff account's first venue.
    pub audit_region_code: Option<String>,
    /// A staff account's first venue, for the audit log.
    pub audit_venue_id: Option<VenueId>,
    /// The authenticator, pending or enrolled; `None` before the enrolment page was opened.
    pub totp: Option<StoredTotp>,
    /// Recovery codes not yet used.
    pub recovery_codes_left: i64,
}

impl SecondFactorState {
    /// The enrolled authenticator, if there is one (a pending one is not).
    pub fn enrolled_totp(&self) -> Option<&StoredTotp> {
        self.totp.as_ref().filter(|t| t.enrolled_at.is_some())
    }

    /// An audit entry for this account with the region and venue filled in.
    pub fn audit_entry(&self, actor: String, client_ip: Option<String>) -> AuditEntry {
        AuditEntry {
            actor,
            client_ip,
            region_code: self.audit_region_code.clone(),
            venue_id: self.audit_venue_id,
            ..AuditEntry::default()
        }
    }
}

/// The second-factor state of an account; `None` for an unknown account.
pub async fn state(
    conn: impl sqlx::PgExecutor<'_>,
    account_id: AccountId,
) -> Result<Option<SecondFactorState>, StoreError> {
    let row = sqlx::query!(
        r#"SELECT a.id, a.login, (a.disabled_at IS NULL) AS "enabled!",
                  COALESCE(a.region_code, first_venue.region_code) AS "audit_region_code: String",
                  first_venue.id AS "audit_venue_id?",
                  t.secret_sealed AS "secret_sealed?", t.enrolled_at AS "enrolled_at?",
                  t.last_used_step AS "last_used_step?",
                  (SELECT count(*) FROM account_recovery_codes r
                   WHERE r.account_id = a.id AND r.used_at IS NULL) AS "recovery_codes_left!"
           FROM accounts a
           LEFT JOIN account_totp t ON t.account_id = a.id
           LEFT JOIN LATERAL (
               SELECT av.venue_id AS id, av.region_code FROM account_venues av
               WHERE av.account_id = a.id ORDER BY av.venue_id LIMIT 1
           ) first_venue ON true
           WHERE a.id = $1"#,
        account_id.get()
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| SecondFactorState {
        account_id: row.id.into(),
        login: row.login,
        enabled: row.enabled,
        audit_region_code: row.audit_region_code,
        audit_venue_id: row.audit_venue_id.map(VenueId::new),
        totp: row.secret_sealed.map(|secret_sealed| StoredTotp {
            secret_sealed,
            enrolled_at: row.enrolled_at,
            last_used_step: row.last_used_step,
        }),
        recovery_codes_left: row.recovery_codes_left,
    }))
}

/// Stores a pending authenticator secret unless the account has one already;
/// returns the one in force, which is `secret_sealed` only if it was stored
/// now (two pages opened at once agree on the first). `None` once enrolled:
/// an enrolled secret is never handed out again. Audited (`totp.begin`) when stored.
pub async fn begin_enrolment(
    pool: &PgPool,
    account_id: AccountId,
    secret_sealed: &[u8],
    mut audit: AuditEntry,
) -> Result<Option<Vec<u8>>, StoreError> {
    let mut tx = pool.begin().await?;
    let inserted = sqlx::query!(
        r#"INSERT INTO account_totp (account_id, secret_sealed) VALUES ($1, $2)
           ON CONFLICT (account_id) DO NOTHING"#,
        account_id.get(),
        secret_sealed
    )
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 1 {
        audit.action = AuditAction::TOTP_BEGIN;
        audit.target = format!("account:{account_id}");
        audit.after = Some(serde_json::json!({ "totp": "pending" }));
        audit::record(&mut tx, &audit).await?;
        tx.commit().await?;
        return Ok(Some(secret_sealed.to_vec()));
    }
    let existing = sqlx::query!(
        r#"SELECT secret_sealed, enrolled_at FROM account_totp WHERE account_id = $1"#,
        account_id.get()
    )
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(existing
        .filter(|row| row.enrolled_at.is_none())
        .map(|row| row.secret_sealed))
}

/// Confirms a pending authenticator with the step of a code it produced and
/// stores the first recovery codes, audited (`totp.enrol`), in one
/// transaction. `false` when there was nothing pending with this secret
/// (already enrolled, or never begun).
pub async fn confirm_enrolment(
    pool: &PgPool,
    account_id: AccountId,
    secret_sealed: &[u8],
    step: i64,
    code_hashes: &[String],
    mut audit: AuditEntry,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let confirmed = sqlx::query!(
        r#"UPDATE account_totp SET enrolled_at = now(), last_used_step = $3
           WHERE account_id = $1 AND secret_sealed = $2 AND enrolled_at IS NULL"#,
        account_id.get(),
        secret_sealed,
        step
    )
    .execute(&mut *tx)
    .await?;
    if confirmed.rows_affected() == 0 {
        return Ok(false);
    }
    insert_recovery_codes(&mut tx, account_id, code_hashes).await?;
    audit.action = AuditAction::TOTP_ENROL;
    audit.target = format!("account:{account_id}");
    audit.after = Some(serde_json::json!({
        "totp": "enrolled", "recovery_codes": code_hashes.len(),
    }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(true)
}

/// Replaces every earlier recovery code (spent or not) with new ones.
async fn insert_recovery_codes(
    tx: &mut sqlx::PgConnection,
    account_id: AccountId,
    code_hashes: &[String],
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"DELETE FROM account_recovery_codes WHERE account_id = $1"#,
        account_id.get()
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"INSERT INTO account_recovery_codes (account_id, code_phc)
           SELECT $1, code_phc FROM unnest($2::text[]) AS code_phc"#,
        account_id.get(),
        code_hashes
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Records that a code of `step` was accepted, unless that step or a later
/// one was accepted before (then `false`, and the code must be refused).
async fn advance_step(
    tx: &mut sqlx::PgConnection,
    account_id: AccountId,
    step: i64,
) -> Result<bool, StoreError> {
    let advanced = sqlx::query!(
        r#"UPDATE account_totp SET last_used_step = $2
           WHERE account_id = $1 AND enrolled_at IS NOT NULL
             AND (last_used_step IS NULL OR last_used_step < $2)"#,
        account_id.get(),
        step
    )
    .execute(tx)
    .await?;
    Ok(advanced.rows_affected() == 1)
}

/// Accepts an app code's step at sign-in, audited (`totp.sign_in`); `false`
/// when the step (or a later one) was already used.
pub async fn accept_step(
    pool: &PgPool,
    account_id: AccountId,
    step: i64,
    mut audit: AuditEntry,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    if !advance_step(&mut tx, account_id, step).await? {
        return Ok(false);
    }
    audit.action = AuditAction::TOTP_SIGN_IN;
    audit.target = format!("account:{account_id}");
    audit.after = Some(serde_json::json!({ "step": step }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(true)
}

/// An unused recovery code as stored: its id and argon2id PHC string.
#[derive(Debug, Clone)]
pub struct StoredRecoveryCode {
    /// Id, for spending it.
    pub id: i64,
    /// The salted hash a typed code is checked against.
    pub code_phc: String,
}

/// The account's unused recovery codes (at most ten).
pub async fn unused_recovery_codes(
    pool: &PgPool,
    account_id: AccountId,
) -> Result<Vec<StoredRecoveryCode>, StoreError> {
    sqlx::query_as!(
        StoredRecoveryCode,
        r#"SELECT id, code_phc FROM account_recovery_codes
           WHERE account_id = $1 AND used_at IS NULL ORDER BY id"#,
        account_id.get()
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}

/// Spends the recovery code `code_id` of the account, audited
/// (`totp.recovery_code_use`); `false` when it is spent already. Single use
/// even when two requests race: only one conditional update finds the code unused.
pub async fn consume_recovery_code(
    pool: &PgPool,
    account_id: AccountId,
    code_id: i64,
    mut audit: AuditEntry,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let used: Option<i64> = sqlx::query_scalar!(
        r#"UPDATE account_recovery_codes SET used_at = now()
           WHERE account_id = $1 AND id = $2 AND used_at IS NULL
           RETURNING id"#,
        account_id.get(),
        code_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(code_id) = used else {
        return Ok(false);
    };
    let left: i64 = sqlx::query_scalar!(
        r#"SELECT count(*) AS "left!" FROM account_recovery_codes
           WHERE account_id = $1 AND used_at IS NULL"#,
        account_id.get()
    )
    .fetch_one(&mut *tx)
    .await?;
    audit.action = AuditAction::TOTP_RECOVERY_CODE_USE;
    audit.target = format!("account:{account_id}");
    audit.after =
        Some(serde_json::json!({ "recovery_code_id": code_id, "recovery_codes_left": left }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(true)
}

/// Accepts an app code's step and replaces the recovery codes with new ones,
/// audited (`totp.recovery_codes_replace`), in one transaction; `false` (and
/// nothing changed) when the step was already used.
pub async fn replace_recovery_codes(
    pool: &PgPool,
    account_id: AccountId,
    step: i64,
    code_hashes: &[String],
    mut audit: AuditEntry,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    if !advance_step(&mut tx, account_id, step).await? {
        return Ok(false);
    }
    insert_recovery_codes(&mut tx, account_id, code_hashes).await?;
    audit.action = AuditAction::TOTP_RECOVERY_CODES_REPLACE;
    audit.target = format!("account:{account_id}");
    audit.after = Some(serde_json::json!({ "recovery_codes": code_hashes.len() }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(true)
}

/// What resetting an account's second factor found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetOutcome {
    /// The authenticator and every recovery code are gone.
    Reset,
    /// The account had no enrolled authenticator; nothing changed.
    NotEnrolled,
}

/// Enrolled accounts among `account_ids`, for showing who has a factor to reset.
pub async fn enrolled_among(
    pool: &PgPool,
    account_ids: &[AccountId],
) -> Result<Vec<AccountId>, StoreError> {
    sqlx::query_scalar!(
        r#"SELECT account_id AS "account_id: AccountId" FROM account_totp
           WHERE account_id = ANY($1) AND enrolled_at IS NOT NULL"#,
        account_ids as &[AccountId]
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}

/// Removes the enrolled authenticator of an account in the scope (its
/// secret and last accepted step) and all its recovery codes, audited
/// (`totp.reset`, before and after) in the same transaction. `None` when no
/// such account lies in the scope. `allowed` sees the account as it is
/// (locked) and may refuse the reset. Sessions opened before the reset are
/// refused from then on (`accounts.sessions_valid_from`); deleting them from
/// Redis is the caller's.
pub async fn reset<E>(
    pool: &PgPool,
    account_id: AccountId,
    scope: &ScopeFilter,
    allowed: impl FnOnce(&AccountRecord) -> Result<(), E>,
    mut audit: AuditEntry,
) -> Result<Option<ResetOutcome>, E>
where
    E: From<StoreError>,
{
    let mut tx = pool.begin().await.map_err(StoreError::from)?;
    let Some(account) = lock_in_scope(&mut tx, account_id, scope).await? else {
        return Ok(None);
    };
    allowed(&account)?;
    let Some(before) = state(&mut *tx, account_id).await? else {
        return Ok(None);
    };
    let Some(enrolled_at) = before.enrolled_totp().and_then(|t| t.enrolled_at) else {
        return Ok(Some(ResetOutcome::NotEnrolled));
    };
    // Recovery codes first: they hang off the authenticator's row.
    sqlx::query!(
        "DELETE FROM account_recovery_codes WHERE account_id = $1",
        account_id.get()
    )
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    sqlx::query!(
        "DELETE FROM account_totp WHERE account_id = $1",
        account_id.get()
    )
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    // Sessions opened with the old factor end here even if Redis, where the
    // caller also deletes them, cannot be reached.
    sqlx::query!(
        "UPDATE accounts SET sessions_valid_from = now() WHERE id = $1",
        account_id.get()
    )
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    // Tokens made before the reset go too (requests with them are refused
    // anyway: a token older than the owner's reset does not authenticate).
    super::tokens::revoke_owned_by(&mut tx, account_id, &audit).await?;
    audit.action = AuditAction::TOTP_RESET;
    audit.target = format!("account:{account_id}");
    audit.region_code = before.audit_region_code.clone();
    audit.venue_id = before.audit_venue_id;
    audit.before = Some(serde_json::json!({
        "totp": "enrolled", "enrolled_at": enrolled_at,
        "recovery_codes_left": before.recovery_codes_left,
    }));
    audit.after = Some(serde_json::json!({ "totp": "none", "recovery_codes_left": 0 }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Some(ResetOutcome::Reset))
}
