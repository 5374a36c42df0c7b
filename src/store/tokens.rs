//! API tokens: created with a scope, found by id, revoked. Only a hash of a
//! token's secret is stored.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::StoreError;
use super::audit::{self, AuditEntry};

/// A stored token.
#[derive(Debug, Clone)]
pub struct TokenRecord {
    /// Id.
    pub id: i64,
    /// Name given at creation.
    pub name: String,
    /// Role key.
    pub role: String,
    /// Region of a regulator token.
    pub region_code: Option<String>,
    /// Venues of a venue-staff token.
    pub venue_ids: Vec<i64>,
    /// SHA-256 of the secret.
    pub secret_hash: Vec<u8>,
    /// Who created it.
    pub created_by: String,
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
    pub name: &'a str,
    /// Role key.
    pub role: &'a str,
    /// Region of a regulator token.
    pub region_code: Option<&'a str>,
    /// Venues of a venue-staff token.
    pub venue_ids: &'a [i64],
    /// Who creates it.
    pub created_by: &'a str,
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
    let mut tx = pool.begin().await.map_err(StoreError::classify)?;
    let id: i64 = sqlx::query_scalar!(
        r#"SELECT nextval(pg_get_serial_sequence('api_tokens', 'id')) AS "id!""#
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(StoreError::classify)?;
    let hash = secret_hash_for(id);
    let record = sqlx::query_as!(
        TokenRecord,
        r#"INSERT INTO api_tokens (id, name, role, region_code, venue_ids, secret_hash, created_by, expires_at)
           OVERRIDING SYSTEM VALUE
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           RETURNING id, name, role, region_code AS "region_code: String", venue_ids, secret_hash,
                     created_by, created_at, expires_at, revoked_at"#,
        id,
        new.name,
        new.role,
        new.region_code,
        new.venue_ids,
        &hash[..],
        new.created_by,
        new.expires_at
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(StoreError::classify)?;
    audit.target = format!("token:{id}");
    audit.after = Some(serde_json::json!({
        "name": record.name, "role": record.role, "region_code": record.region_code,
        "venue_ids": record.venue_ids, "expires_at": record.expires_at,
    }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await.map_err(StoreError::classify)?;
    Ok(record)
}

/// A token by id, revoked or not.
pub async fn find(pool: &PgPool, id: i64) -> Result<Option<TokenRecord>, StoreError> {
    sqlx::query_as!(
        TokenRecord,
        r#"SELECT id, name, role, region_code AS "region_code: String", venue_ids, secret_hash,
                  created_by, created_at, expires_at, revoked_at
           FROM api_tokens WHERE id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await
    .map_err(StoreError::classify)
}

/// Revokes a live token; `None` if there is no live token with this id.
/// Audited in the same transaction.
pub async fn revoke(
    pool: &PgPool,
    id: i64,
    mut audit: AuditEntry,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let mut tx = pool.begin().await.map_err(StoreError::classify)?;
    let revoked: Option<DateTime<Utc>> = sqlx::query_scalar!(
        r#"UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL
           RETURNING revoked_at AS "revoked_at!""#,
        id
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(StoreError::classify)?;
    if revoked.is_some() {
        audit.target = format!("token:{id}");
        audit.after = Some(serde_json::json!({ "revoked_at": revoked }));
        audit::record(&mut tx, &audit).await?;
    }
    tx.commit().await.map_err(StoreError::classify)?;
    Ok(revoked)
}

/// The regions of the given venues (unknown ids are left out).
pub async fn venue_regions(
    pool: &PgPool,
    venue_ids: &[i64],
) -> Result<HashMap<i64, String>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT id, region_code AS "region_code!: String" FROM venues WHERE id = ANY($1)"#,
        venue_ids
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::classify)?;
    Ok(rows.into_iter().map(|r| (r.id, r.region_code)).collect())
}

/// The tokens one actor created, newest first (at most `limit`).
pub async fn created_by(
    pool: &PgPool,
    actor: &str,
    limit: i64,
) -> Result<Vec<TokenRecord>, StoreError> {
    sqlx::query_as!(
        TokenRecord,
        r#"SELECT id, name, role, region_code AS "region_code: String", venue_ids, secret_hash,
                  created_by, created_at, expires_at, revoked_at
           FROM api_tokens WHERE created_by = $1
           ORDER BY created_at DESC, id DESC
           LIMIT $2"#,
        actor,
        limit
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::classify)
}
