//! API tokens: created with a scope, found by id, revoked. Only a hash of a
//! token's secret is stored.

use crate::domain::access::Role;
use crate::domain::ids::{AccountId, VenueId};
use crate::domain::venue::RegionCode;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::StoreError;
use super::audit::{self, AuditAction, AuditEntry};
use crate::domain::names::TokenName;

/// A stored token.
#[derive(Debug, Clone)]
pub struct TokenRecord {
    /// Id.
    pub id: i64,
    /// Name given at creation.
    pub name: String,
    /// Role key.
    pub role: Role,
    /// Region of a regulator token.
    pub region_code: Option<RegionCode>,
    /// Venues of a venue-staff token.
    pub venue_ids: Vec<VenueId>,
    /// SHA-256 of the secret.
    pub secret_hash: Vec<u8>,
    /// Who created it.
    pub created_by: String,
    /// The account it belongs to; `None` for the bootstrap admin's.
    pub owner_account_id: Option<AccountId>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A token to create.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    /// Name.
    pub name: &'a TokenName,
    /// Role key.
    pub role: Role,
    /// Region of a regulator token.
    pub region_code: Option<&'a str>,
    /// Venues of a venue-staff token.
    pub venue_ids: &'a [VenueId],
    /// Who creates it.
    pub created_by: &'a str,
    /// The account it belongs to (the creator's); `None` for the bootstrap admin's.
    pub owner_account_id: Option<AccountId>,
    /// Expiry.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Creates a token: the id is reserved first, because the secret's hash is
/// stored with it; `secret_hash_for(id)` makes the secret. Audited in the
/// same transaction.
pub async fn create(
    pool: &PgPool,
    new: &NewToken<'_>,
    secret_hash_for: impl FnOnce(i64) -> [u8; 32],
    mut audit: AuditEntry,
) -> Result<TokenRecord, StoreError> {
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar!(
        r#"SELECT nextval(pg_get_serial_sequence('api_tokens', 'id')) AS "id!""#
    )
    .fetch_one(&mut *tx)
    .await?;
    let hash = secret_hash_for(id);
    let record = sqlx::query_as!(
        TokenRecord,
        r#"INSERT INTO api_tokens (id, name, role, region_code, venue_ids, secret_hash, created_by,
                                   owner_account_id, expires_at)
           OVERRIDING SYSTEM VALUE
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           RETURNING id, name, role AS "role: Role", region_code AS "region_code: RegionCode", venue_ids AS "venue_ids: Vec<VenueId>", secret_hash,
                     created_by, owner_account_id AS "owner_account_id: AccountId", created_at, expires_at, revoked_at"#,
        id,
        new.name.as_str(),
        new.role.key(),
        new.region_code,
        new.venue_ids as &[VenueId],
        &hash[..],
        new.created_by,
        new.owner_account_id.map(AccountId::get),
        new.expires_at
    )
    .fetch_one(&mut *tx)
    .await?;
    place_of(
        &mut tx,
        record.region_code.as_deref(),
        &record.venue_ids,
        &mut audit,
    )
    .await?;
    audit.target = format!("token:{id}");
    audit.after = Some(serde_json::json!({
        "name": record.name, "role": record.role, "region_code": record.region_code,
        "venue_ids": record.venue_ids, "expires_at": record.expires_at,
    }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(record)
}

/// A token by id, revoked or not.
pub async fn find(pool: &PgPool, id: i64) -> Result<Option<TokenRecord>, StoreError> {
    sqlx::query_as!(
        TokenRecord,
        r#"SELECT id, name, role AS "role: Role", region_code AS "region_code: RegionCode", venue_ids AS "venue_ids: Vec<VenueId>", secret_hash,
                  created_by, owner_account_id AS "owner_account_id: AccountId", created_at, expires_at, revoked_at
           FROM api_tokens WHERE id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await
    .map_err(StoreError::from)
}

/// A presented token with what its owning account holds now.
#[derive(Debug, Clone)]
pub struct PresentedToken {
    /// Id.
    pub id: i64,
    /// Role key.
    pub role: Role,
    /// Region of a regulator token.
    pub region_code: Option<RegionCode>,
    /// Venues of a venue-staff token.
    pub venue_ids: Vec<VenueId>,
    /// SHA-256 of the secret.
    pub secret_hash: Vec<u8>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The owning account; `None` for the bootstrap admin's.
    pub owner_account_id: Option<AccountId>,
    /// Whether the owner may still act through it: the bootstrap admin, or
    /// an account that exists, is not disabled and has not had its second
    /// factor reset since the token was made.
    pub owner_live: bool,
    /// The owner's role key now.
    pub owner_role: Option<Role>,
    /// The owner's region now (a regulator).
    pub owner_region_code: Option<RegionCode>,
    /// The owner's venues now (venue staff), ascending.
    pub owner_venue_ids: Vec<VenueId>,
}

/// A token by id together with its owning account as it is now, in one
/// statement: every request with a token reads this.
pub async fn find_presented(pool: &PgPool, id: i64) -> Result<Option<PresentedToken>, StoreError> {
    sqlx::query_as!(
        PresentedToken,
        r#"SELECT t.id, t.role AS "role: Role", t.region_code AS "region_code: RegionCode", t.venue_ids AS "venue_ids: Vec<VenueId>", t.secret_hash,
                  t.expires_at, t.revoked_at, t.owner_account_id AS "owner_account_id: AccountId",
                  (t.owner_account_id IS NULL
                   OR (a.id IS NOT NULL AND a.disabled_at IS NULL
                       AND (a.sessions_valid_from IS NULL OR a.sessions_valid_from <= t.created_at)))
                      AS "owner_live!",
                  a.role AS "owner_role?: Role", a.region_code AS "owner_region_code?: RegionCode",
                  COALESCE(array_agg(av.venue_id ORDER BY av.venue_id)
                           FILTER (WHERE av.venue_id IS NOT NULL), '{}') AS "owner_venue_ids!: Vec<VenueId>"
           FROM api_tokens t
           LEFT JOIN accounts a ON a.id = t.owner_account_id
           LEFT JOIN account_venues av ON av.account_id = a.id
           WHERE t.id = $1
           GROUP BY t.id, a.id"#,
        id
    )
    .fetch_optional(pool)
    .await
    .map_err(StoreError::from)
}

/// Fills in where a token's audit row belongs: the token's region, or the
/// region of its first venue (and that venue), so regulators there read it.
async fn place_of(
    conn: &mut PgConnection,
    region_code: Option<&str>,
    venue_ids: &[VenueId],
    audit: &mut AuditEntry,
) -> Result<(), StoreError> {
    if let Some(code) = region_code {
        audit.region_code = Some(code.to_owned());
        return Ok(());
    }
    let Some(first) = venue_ids.iter().min().copied() else {
        return Ok(());
    };
    audit.venue_id = Some(first);
    audit.region_code = sqlx::query_scalar!(
        r#"SELECT region_code AS "region_code!: String" FROM venues WHERE id = $1"#,
        first.get()
    )
    .fetch_optional(conn)
    .await?;
    Ok(())
}

/// Revokes a live token; `None` if there is no live token with this id.
/// Audited in the same transaction.
pub async fn revoke(
    pool: &PgPool,
    id: i64,
    mut audit: AuditEntry,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let mut tx = pool.begin().await?;
    let revoked = sqlx::query!(
        r#"UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL
           RETURNING revoked_at AS "revoked_at!", region_code AS "region_code: RegionCode", venue_ids AS "venue_ids: Vec<VenueId>""#,
        id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(revoked) = revoked else {
        return Ok(None);
    };
    place_of(
        &mut tx,
        revoked.region_code.as_deref(),
        &revoked.venue_ids,
        &mut audit,
    )
    .await?;
    audit.target = format!("token:{id}");
    audit.after = Some(serde_json::json!({ "revoked_at": revoked.revoked_at }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(Some(revoked.revoked_at))
}

/// Revokes every live token of an account, one audit row each (`audit`
/// names who and why; action, target and place are filled in here), inside
/// the caller's transaction: the one that disables the account or resets
/// its second factor.
pub async fn revoke_owned_by(
    conn: &mut PgConnection,
    account_id: AccountId,
    audit: &AuditEntry,
) -> Result<(), StoreError> {
    let revoked = sqlx::query!(
        r#"UPDATE api_tokens SET revoked_at = now()
           WHERE owner_account_id = $1 AND revoked_at IS NULL
           RETURNING id, revoked_at AS "revoked_at!", region_code AS "region_code: RegionCode", venue_ids AS "venue_ids: Vec<VenueId>""#,
        account_id.get()
    )
    .fetch_all(&mut *conn)
    .await?;
    for token in revoked {
        let mut entry = AuditEntry {
            action: AuditAction::TOKEN_REVOKE,
            target: format!("token:{}", token.id),
            after: Some(serde_json::json!({
                "revoked_at": token.revoked_at, "owner": format!("account:{account_id}"),
            })),
            ..audit.clone()
        };
        place_of(
            conn,
            token.region_code.as_deref(),
            &token.venue_ids,
            &mut entry,
        )
        .await?;
        audit::record(conn, &entry).await?;
    }
    Ok(())
}

/// The regions of the given venues (unknown ids are left out).
pub async fn venue_regions(
    pool: &PgPool,
    venue_ids: &[VenueId],
) -> Result<HashMap<VenueId, String>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT id, region_code AS "region_code!: String" FROM venues WHERE id = ANY($1)"#,
        venue_ids as &[VenueId]
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (VenueId::new(r.id), r.region_code))
        .collect())
}

/// The tokens an account owns (made by it or by its tokens), newest first
/// (at most `limit`).
pub async fn owned_by(
    pool: &PgPool,
    account_id: AccountId,
    limit: i64,
) -> Result<Vec<TokenRecord>, StoreError> {
    sqlx::query_as!(
        TokenRecord,
        r#"SELECT id, name, role AS "role: Role", region_code AS "region_code: RegionCode", venue_ids AS "venue_ids: Vec<VenueId>", secret_hash,
                  created_by, owner_account_id AS "owner_account_id: AccountId", created_at, expires_at, revoked_at
           FROM api_tokens WHERE owner_account_id = $1
           ORDER BY created_at DESC, id DESC
           LIMIT $2"#,
        account_id.get(),
        limit
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}
