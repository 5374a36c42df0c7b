//! Accounts of people: created with an invitation (or, for the first admin,
//! directly with a password hash), listed within a scope, and activated when
//! the person sets a password through the invitation. Password hashes never
//! leave this module.
//!
//! Past 500 lines: every statement on accounts and their links, each with its audit row in the
//! same transaction and its scope in the SQL.

use crate::domain::access::Role;
use crate::domain::ids::{AccountId, VenueId};
use crate::domain::venue::RegionCode;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::audit::{self, AuditAction, AuditEntry};
use super::{ScopeFilter, StoreError, violated_constraint};
use crate::domain::names::DisplayName;

/// An account as listed; never with its password hash.
#[derive(Debug, Clone)]
pub struct AccountRecord {
    /// Id.
    pub id: AccountId,
    /// Login name (lower case).
    pub login: String,
    /// Name shown to people.
    pub display_name: String,
    /// Role key.
    pub role: Role,
    /// Region of a regulator.
    pub region_code: Option<RegionCode>,
    /// Venues of a venue-staff account, ascending.
    pub venue_ids: Vec<VenueId>,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it was disabled, if it was.
    pub disabled_at: Option<DateTime<Utc>>,
    /// Whether a password has been set.
    pub activated: bool,
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    /// Login name, already parsed.
    pub login: &'a str,
    /// Name shown to people.
    pub display_name: &'a DisplayName,
    /// Role key.
    pub role: Role,
    /// Region of a regulator.
    pub region_code: Option<&'a str>,
    /// Venues of a venue-staff account.
    pub venue_ids: &'a [VenueId],
    /// Who creates it.
    pub created_by: &'a str,
}

/// How the new account's holder will prove who they are.
#[derive(Debug, Clone)]
pub enum Credential<'a> {
    /// A password hash (PHC string) set right away.
    PasswordHash(&'a str),
    /// An invitation through which the person sets their own password.
    Invitation {
        /// SHA-256 of the invitation token.
        token_hash: [u8; 32],
        /// When the invitation stops working.
        expires_at: DateTime<Utc>,
    },
}

/// Why an account could not be created.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Another account has this login.
    #[error("an account with this login already exists")]
    LoginTaken,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AccountError {
    fn classify(err: sqlx::Error) -> Self {
        if violated_constraint(&err) == Some("accounts_login_key") {
            Self::LoginTaken
        } else {
            Self::Store(StoreError::from(err))
        }
    }
}

/// Links an account to venues, each row with its venue's region read from
/// the venue itself. Callers pass venues they have found in scope; one that
/// does not exist is an error and nothing of the transaction is kept.
async fn link_venues(
    tx: &mut sqlx::PgConnection,
    account_id: AccountId,
    venue_ids: &[VenueId],
) -> Result<(), StoreError> {
    let linked = sqlx::query!(
        r#"INSERT INTO account_venues (venue_id, account_id, region_code)
           SELECT v.id, $2::int8, v.region_code FROM venues v WHERE v.id = ANY($1::int8[])"#,
        venue_ids as &[VenueId],
        account_id.get()
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let mut wanted = venue_ids.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    if linked != wanted.len() as u64 {
        return Err(StoreError::Other(sqlx::Error::RowNotFound));
    }
    Ok(())
}

/// Creates an account with its venues and credential; audited (target and
/// `after` filled in here) in the same transaction.
pub async fn create(
    pool: &PgPool,
    new: &NewAccount<'_>,
    credential: &Credential<'_>,
    mut audit: AuditEntry,
) -> Result<AccountRecord, AccountError> {
    let password_hash = match credential {
        Credential::PasswordHash(hash) => Some(*hash),
        Credential::Invitation { .. } => None,
    };
    let mut tx = pool.begin().await.map_err(AccountError::classify)?;
    let row = sqlx::query!(
        r#"INSERT INTO accounts (login, display_name, role, region_code, password_hash, created_by)
           VALUES ($1, $2, $3, $4, $5, $6)
           RETURNING id, created_at"#,
        new.login,
        new.display_name.as_str(),
        new.role.key(),
        new.region_code as Option<&str>,
        password_hash,
        new.created_by
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(AccountError::classify)?;
    link_venues(&mut tx, row.id.into(), new.venue_ids).await?;
    if let Credential::Invitation {
        token_hash,
        expires_at,
    } = credential
    {
        sqlx::query!(
            r#"INSERT INTO account_invitations (account_id, token_hash, expires_at)
               VALUES ($1, $2, $3)"#,
            row.id,
            &token_hash[..],
            expires_at
        )
        .execute(&mut *tx)
        .await
        .map_err(AccountError::classify)?;
    }
    let mut venue_ids = new.venue_ids.to_vec();
    venue_ids.sort_unstable();
    venue_ids.dedup();
    let record = AccountRecord {
        id: AccountId::new(row.id),
        login: new.login.to_owned(),
        display_name: new.display_name.as_str().to_owned(),
        role: new.role,
        region_code: new.region_code.and_then(|c| RegionCode::parse(c).ok()),
        venue_ids,
        created_by: new.created_by.to_owned(),
        created_at: row.created_at,
        disabled_at: None,
        activated: password_hash.is_some(),
    };
    audit.target = format!("account:{}", record.id);
    audit.after = Some(serde_json::json!({
        "login": record.login, "display_name": record.display_name, "role": record.role,
        "region_code": record.region_code, "venue_ids": record.venue_ids,
        "activated": record.activated,
    }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await.map_err(AccountError::classify)?;
    Ok(record)
}

/// The accounts within a scope, oldest first: every account when `all`,
/// else those whose region, or one of whose venues, lies in it.
pub async fn list(pool: &PgPool, scope: &ScopeFilter) -> Result<Vec<AccountRecord>, StoreError> {
    sqlx::query_as!(
        AccountRecord,
        r#"SELECT a.id, a.login, a.display_name, a.role AS "role: Role", a.region_code AS "region_code: RegionCode",
                  COALESCE(array_agg(av.venue_id ORDER BY av.venue_id)
                           FILTER (WHERE av.venue_id IS NOT NULL), '{}') AS "venue_ids!: Vec<VenueId>",
                  a.created_by, a.created_at, a.disabled_at,
                  (a.password_hash IS NOT NULL) AS "activated!"
           FROM accounts a
           LEFT JOIN account_venues av ON av.account_id = a.id
           WHERE $1
              OR a.region_code = ANY($2)
              OR EXISTS (SELECT 1 FROM account_venues sv
                         WHERE sv.account_id = a.id
                           AND (sv.region_code = ANY($2) OR sv.venue_id = ANY($3)))
           GROUP BY a.id
           ORDER BY a.created_at, a.id"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}

/// An unused, unexpired invitation of an enabled account.
#[derive(Debug, Clone)]
pub struct OpenInvitation {
    /// Invitation id.
    pub id: i64,
    /// The account it activates.
    pub account_id: AccountId,
    /// The account's login.
    pub login: String,
    /// The region the account belongs to, for the audit log: a regulator's
    /// own, or that of a staff account's first venue.
    pub region_code: Option<RegionCode>,
    /// A staff account's first venue, for the audit log.
    pub venue_id: Option<VenueId>,
    /// Whether the account has a password already: the link then replaces it.
    pub activated: bool,
}

/// The open invitation with this token hash; `None` for an unknown, used,
/// replaced or expired one alike.
pub async fn find_open_invitation(
    pool: &PgPool,
    token_hash: &[u8; 32],
    now: DateTime<Utc>,
) -> Result<Option<OpenInvitation>, StoreError> {
    sqlx::query_as!(
        OpenInvitation,
        r#"SELECT i.id, i.account_id, a.login,
                  COALESCE(a.region_code, first_venue.region_code) AS "region_code: RegionCode",
                  first_venue.id AS "venue_id?: VenueId",
                  (a.password_hash IS NOT NULL) AS "activated!"
           FROM account_invitations i
           JOIN accounts a ON a.id = i.account_id
           LEFT JOIN LATERAL (
               SELECT av.venue_id AS id, av.region_code FROM account_venues av
               WHERE av.account_id = a.id ORDER BY av.venue_id LIMIT 1
           ) first_venue ON true
           WHERE i.token_hash = $1 AND i.used_at IS NULL AND i.replaced_at IS NULL
             AND i.expires_at > $2 AND a.disabled_at IS NULL"#,
        &token_hash[..],
        now
    )
    .fetch_optional(pool)
    .await
    .map_err(StoreError::from)
}

/// Uses an invitation: marks it used and sets the account's password hash,
/// audited, in one transaction: `account.activate` for an account without
/// a password yet, `account.password` for one whose password it replaces.
/// Every session of the account opened before now is refused from then on
/// (`sessions_valid_from`); deleting them from Redis is the caller's. A
/// password replaced through a link also revokes the account's API tokens
/// (one `token.revoke` row each): whoever held the old password may have
/// made them. `now` is the application clock's, for the expiry. `None`
/// when the invitation was used, replaced or expired in the meantime, or the
/// account was disabled (the conditional update makes it single-use even
/// under concurrent requests).
pub async fn accept_invitation(
    pool: &PgPool,
    invitation: &OpenInvitation,
    password_hash: &str,
    now: DateTime<Utc>,
    mut audit: AuditEntry,
) -> Result<Option<AccountId>, StoreError> {
    let account_id = invitation.account_id;
    let mut tx = pool.begin().await?;
    // The account row first, as every change of an account locks it: a new
    // link for the account then either comes before (and this one is
    // replaced) or after (and this one is used).
    let had_password: Option<bool> = sqlx::query_scalar!(
        r#"SELECT (password_hash IS NOT NULL) AS "had_password!" FROM accounts
           WHERE id = $1 AND disabled_at IS NULL FOR UPDATE"#,
        account_id.get()
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(had_password) = had_password else {
        return Ok(None);
    };
    let used = sqlx::query!(
        r#"UPDATE account_invitations SET used_at = now()
           WHERE id = $1 AND account_id = $2 AND used_at IS NULL AND replaced_at IS NULL
             AND expires_at > $3"#,
        invitation.id,
        account_id.get(),
        now
    )
    .execute(&mut *tx)
    .await?;
    if used.rows_affected() == 0 {
        return Ok(None);
    }
    sqlx::query!(
        r#"UPDATE accounts SET password_hash = $2, sessions_valid_from = now() WHERE id = $1"#,
        account_id.get(),
        password_hash
    )
    .execute(&mut *tx)
    .await?;
    audit.target = format!("account:{account_id}");
    if had_password {
        super::tokens::revoke_owned_by(&mut tx, account_id, &audit).await?;
        audit.action = AuditAction::ACCOUNT_PASSWORD;
        audit.after = Some(serde_json::json!({
            "password": "set through a link", "invitation_id": invitation.id,
            "sessions": "ended", "api_tokens": "revoked",
        }));
    } else {
        audit.action = AuditAction::ACCOUNT_ACTIVATE;
        audit.after =
            Some(serde_json::json!({ "activated": true, "invitation_id": invitation.id }));
    }
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(Some(account_id))
}

/// Gives an enabled account in the scope a fresh set-password link (stored
/// as the SHA-256 of its token) and replaces any earlier unused one, audited
/// (`account.password_link`, with the account's region, or its first
/// venue's) in the same transaction. `None` when no such account lies in
/// the scope. `allowed` sees the account as it is (locked) and may refuse.
pub async fn issue_password_link<E>(
    pool: &PgPool,
    account_id: AccountId,
    scope: &ScopeFilter,
    allowed: impl FnOnce(&AccountRecord) -> Result<(), E>,
    token_hash: &[u8; 32],
    expires_at: DateTime<Utc>,
    mut audit: AuditEntry,
) -> Result<Option<AccountRecord>, E>
where
    E: From<StoreError>,
{
    let mut tx = pool.begin().await.map_err(StoreError::from)?;
    let Some(account) = lock_in_scope(&mut tx, account_id, scope).await? else {
        return Ok(None);
    };
    allowed(&account)?;
    let replaced = sqlx::query!(
        r#"UPDATE account_invitations SET replaced_at = now()
           WHERE account_id = $1 AND used_at IS NULL AND replaced_at IS NULL"#,
        account_id.get()
    )
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    sqlx::query!(
        r#"INSERT INTO account_invitations (account_id, token_hash, expires_at)
           VALUES ($1, $2, $3)"#,
        account_id.get(),
        &token_hash[..],
        expires_at
    )
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    let first_venue = account.venue_ids.first().copied();
    let venue_region = match first_venue {
        Some(venue_id) => sqlx::query_scalar!(
            r#"SELECT region_code AS "region_code: String" FROM venues WHERE id = $1"#,
            venue_id.get()
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::from)?,
        None => None,
    };
    audit.action = AuditAction::ACCOUNT_PASSWORD_LINK;
    audit.target = format!("account:{account_id}");
    audit.region_code = account
        .region_code
        .as_deref()
        .map(str::to_owned)
        .or(venue_region);
    audit.venue_id = first_venue;
    audit.after = Some(serde_json::json!({
        "expires_at": expires_at, "earlier_links_replaced": replaced.rows_affected(),
    }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Some(account))
}

/// What signing in needs of an account. The password hash stays private:
/// callers can only ask whether a candidate matches it.
#[derive(Clone)]
pub struct LoginRecord {
    /// Id.
    pub id: AccountId,
    /// Role key.
    pub role: Role,
    /// Whether the account may sign in: activated and not disabled.
    pub usable: bool,
    /// Who made the account (`demo` for the demo's accounts).
    pub created_by: String,
    password_hash: Option<String>,
}

impl std::fmt::Debug for LoginRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRecord")
            .field("id", &self.id)
            .field("role", &self.role)
            .field("usable", &self.usable)
            .finish_non_exhaustive()
    }
}

impl LoginRecord {
    /// Whether `candidate` is this account's password. Takes as long as an
    /// argon2id verification (tens of milliseconds): call it off the async
    /// workers. An account without a password matches nothing.
    pub fn password_matches(&self, candidate: &str) -> bool {
        self.password_hash
            .as_deref()
            .is_some_and(|phc| crate::domain::password::verify_password(candidate, phc))
    }
}

/// The account with this login name (already parsed, lower case), if any.
pub async fn find_by_login(pool: &PgPool, login: &str) -> Result<Option<LoginRecord>, StoreError> {
    let row = sqlx::query!(
        r#"SELECT id, role AS "role: Role", password_hash, created_by, (disabled_at IS NULL) AS "enabled!"
           FROM accounts WHERE login = $1"#,
        login
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| LoginRecord {
        id: AccountId::new(row.id),
        role: row.role,
        usable: row.enabled && row.password_hash.is_some(),
        created_by: row.created_by,
        password_hash: row.password_hash,
    }))
}

/// A signed-in person's account as pages need it: who, and what they may see.
#[derive(Debug, Clone)]
pub struct ActiveAccount {
    /// Id.
    pub id: AccountId,
    /// Login name.
    pub login: String,
    /// Name shown to people.
    pub display_name: String,
    /// Role key.
    pub role: Role,
    /// Region of a regulator.
    pub region_code: Option<RegionCode>,
    /// Venues of a venue-staff account, ascending.
    pub venue_ids: Vec<VenueId>,
}

/// The account behind a session opened at `session_opened`, if it may still
/// act: activated, not disabled, and the session not opened before a reset
/// of the second factor. Read on every signed-in request, so a role or scope
/// change and a disabled account take effect at once, whatever the session
/// remembers.
pub async fn find_active(
    pool: &PgPool,
    account_id: AccountId,
    session_opened: DateTime<Utc>,
) -> Result<Option<ActiveAccount>, StoreError> {
    sqlx::query_as!(
        ActiveAccount,
        r#"SELECT a.id, a.login, a.display_name, a.role AS "role: Role", a.region_code AS "region_code: RegionCode",
                  COALESCE(array_agg(av.venue_id ORDER BY av.venue_id)
                           FILTER (WHERE av.venue_id IS NOT NULL), '{}') AS "venue_ids!: Vec<VenueId>"
           FROM accounts a
           LEFT JOIN account_venues av ON av.account_id = a.id
           WHERE a.id = $1 AND a.disabled_at IS NULL AND a.password_hash IS NOT NULL
             AND (a.sessions_valid_from IS NULL OR a.sessions_valid_from <= $2)
           GROUP BY a.id"#,
        account_id.get(),
        session_opened
    )
    .fetch_optional(pool)
    .await
    .map_err(StoreError::from)
}

/// A change to an account; `None` fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct AccountChange<'a> {
    /// A new name shown to people.
    pub display_name: Option<&'a DisplayName>,
    /// Disable (`true`) or enable again (`false`).
    pub disabled: Option<bool>,
    /// A new role with its region (regulators) and venues (venue staff),
    /// replacing the old ones together.
    pub grant: Option<NewGrant<'a>>,
}

/// A role with its scope, already checked against the granter's.
#[derive(Debug, Clone)]
pub struct NewGrant<'a> {
    /// Role key.
    pub role: Role,
    /// Region of a regulator.
    pub region_code: Option<&'a str>,
    /// Venues of a venue-staff account.
    pub venue_ids: &'a [VenueId],
}

fn account_json(record: &AccountRecord) -> serde_json::Value {
    serde_json::json!({
        "login": record.login, "display_name": record.display_name, "role": record.role,
        "region_code": record.region_code, "venue_ids": record.venue_ids,
        "disabled": record.disabled_at.is_some(),
    })
}

/// One account, if it lies in the scope (the same rule as [`list`]).
pub async fn find_in_scope(
    conn: &mut sqlx::PgConnection,
    account_id: AccountId,
    scope: &ScopeFilter,
) -> Result<Option<AccountRecord>, StoreError> {
    sqlx::query_as!(
        AccountRecord,
        r#"SELECT a.id, a.login, a.display_name, a.role AS "role: Role", a.region_code AS "region_code: RegionCode",
                  COALESCE(array_agg(av.venue_id ORDER BY av.venue_id)
                           FILTER (WHERE av.venue_id IS NOT NULL), '{}') AS "venue_ids!: Vec<VenueId>",
                  a.created_by, a.created_at, a.disabled_at,
                  (a.password_hash IS NOT NULL) AS "activated!"
           FROM accounts a
           LEFT JOIN account_venues av ON av.account_id = a.id
           WHERE a.id = $4
             AND ($1
              OR a.region_code = ANY($2)
              OR EXISTS (SELECT 1 FROM account_venues sv
                         WHERE sv.account_id = a.id
                           AND (sv.region_code = ANY($2) OR sv.venue_id = ANY($3))))
           GROUP BY a.id"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        account_id.get()
    )
    .fetch_optional(conn)
    .await
    .map_err(StoreError::from)
}

/// Locks one account row for a change and reads the account, if it lies in
/// the scope. The row lock is what every change of an account takes, so
/// changes of one account never interleave.
pub async fn lock_in_scope(
    conn: &mut sqlx::PgConnection,
    account_id: AccountId,
    scope: &ScopeFilter,
) -> Result<Option<AccountRecord>, StoreError> {
    // Lock first: the aggregate read of `find_in_scope` cannot take the lock itself.
    sqlx::query!(
        "SELECT id FROM accounts WHERE id = $1 FOR UPDATE",
        account_id.get()
    )
    .fetch_optional(&mut *conn)
    .await?;
    find_in_scope(conn, account_id, scope).await
}

/// Changes an account in the scope, audited with its state before and after
/// in the same transaction; `None` when no such account lies in the scope.
/// `allowed` sees the account as it is (locked) and may refuse the change.
pub async fn update<E>(
    pool: &PgPool,
    account_id: AccountId,
    scope: &ScopeFilter,
    change: &AccountChange<'_>,
    allowed: impl FnOnce(&AccountRecord) -> Result<(), E>,
    mut audit: AuditEntry,
) -> Result<Option<(AccountRecord, AccountRecord)>, E>
where
    E: From<StoreError>,
{
    let mut tx = pool.begin().await.map_err(StoreError::from)?;
    let Some(before) = lock_in_scope(&mut tx, account_id, scope).await? else {
        return Ok(None);
    };
    allowed(&before)?;
    sqlx::query!(
        r#"UPDATE accounts
           SET display_name = COALESCE($2, display_name),
               disabled_at = CASE WHEN $3::bool IS NULL THEN disabled_at
                                  WHEN $3 THEN COALESCE(disabled_at, $4)
                                  ELSE NULL END
           WHERE id = $1"#,
        account_id.get(),
        change.display_name.map(DisplayName::as_str),
        change.disabled,
        // Bound, not now(): a cluster takes no volatile function inside CASE.
        Utc::now()
    )
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    // A disabled account's tokens end with it, not merely pause: enabling
    // the account again does not bring them back.
    if change.disabled == Some(true) && before.disabled_at.is_none() {
        super::tokens::revoke_owned_by(&mut tx, account_id, &audit).await?;
    }
    if let Some(grant) = &change.grant {
        sqlx::query!(
            "UPDATE accounts SET role = $2, region_code = $3 WHERE id = $1",
            account_id.get(),
            grant.role.key(),
            grant.region_code as Option<&str>
        )
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        sqlx::query!(
            "DELETE FROM account_venues WHERE account_id = $1",
            account_id.get()
        )
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        link_venues(&mut tx, account_id, grant.venue_ids).await?;
    }
    let after = find_in_scope(&mut tx, account_id, &ScopeFilter::everything())
        .await?
        .ok_or(StoreError::Other(sqlx::Error::RowNotFound))?;
    audit.target = format!("account:{account_id}");
    audit.before = Some(account_json(&before));
    audit.after = Some(account_json(&after));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Some((before, after)))
}

/// Sets an enabled account's password hash and refuses every session
/// opened before now (`sessions_valid_from`), audited (`account.password`)
/// in the same transaction; `false` when no enabled account has this id.
/// Deleting the sessions from Redis is the caller's.
pub async fn set_password(
    pool: &PgPool,
    account_id: AccountId,
    password_hash: &str,
    mut audit: AuditEntry,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let updated = sqlx::query!(
        r#"UPDATE accounts SET password_hash = $2, sessions_valid_from = now()
           WHERE id = $1 AND disabled_at IS NULL"#,
        account_id.get(),
        password_hash
    )
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Ok(false);
    }
    audit.action = AuditAction::ACCOUNT_PASSWORD;
    audit.target = format!("account:{account_id}");
    audit.after = Some(serde_json::json!({ "password": "changed", "sessions": "ended" }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(true)
}
