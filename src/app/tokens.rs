//! Scoped API tokens for automation (provincial platforms, scripts): made
//! with a role and scope inside the creator's, shown once, revoked by their
//! owner or whoever may manage the owner.

use crate::domain::ids::VenueId;
use crate::domain::venue::RegionCode;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::accounts::check_manage;
use crate::app::caller::requested_grant;
use crate::app::{AppError, Caller, Services, Slug};
use crate::domain::access::held_grant;
use crate::domain::access::{ApiToken, Role};
use crate::domain::audit::AuditAction;
use crate::domain::names::{NameError, TokenName};
use crate::store::tokens::{self, NewToken, TokenRecord};
use crate::store::{ScopeFilter, accounts};

/// The longest lifetime a token may be given.
const MAX_EXPIRES_IN_DAYS: i64 = 3650;

/// Body of `POST /api/v1/tokens`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    /// What the token is for: 1–100 characters on one line, without control
    /// characters or direction overrides.
    pub name: String,
    /// `admin`, `regulator` or `venue_staff`; never above the caller's.
    pub role: String,
    /// The region of a regulator token (within the caller's scope).
    #[schema(example = "652800")]
    pub region_code: Option<String>,
    /// The venues of a venue-staff token (within the caller's scope).
    pub venue_ids: Option<Vec<VenueId>>,
    /// Days until it stops working, 1–3650; never when absent.
    pub expires_in_days: Option<i64>,
}

/// A token as the API shows it; `token` only in the answer to its creation.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenBody {
    /// Token id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Region of a regulator token.
    pub region_code: Option<RegionCode>,
    /// Venues of a venue-staff token.
    pub venue_ids: Vec<VenueId>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// The secret bearer value, shown once: `Authorization: Bearer <token>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl TokenBody {
    fn new(record: TokenRecord, token: Option<String>) -> Self {
        Self {
            id: record.id,
            name: record.name,
            role: record.role,
            region_code: record.region_code,
            venue_ids: record.venue_ids,
            created_at: record.created_at,
            expires_at: record.expires_at,
            token,
        }
    }
}

/// Creates a token and reveals it, once: the one code path of the JSON route
/// and the tokens page.
pub async fn create(
    services: &Services,
    caller: &Caller,
    request: CreateToken,
) -> Result<TokenBody, AppError> {
    let name = TokenName::parse(&request.name).map_err(|err| {
        let slug = match err {
            NameError::BadShape { .. } => Slug::InvalidTokenName,
            NameError::ControlCharacter { .. } => Slug::ControlCharacter,
        };
        AppError::new(slug, err.to_string())
    })?;
    let (role, scope) = requested_grant(
        &request.role,
        request.region_code,
        request.venue_ids.unwrap_or_default(),
    )?;
    let expires_at = match request.expires_in_days {
        None => None,
        Some(days) if (1..=MAX_EXPIRES_IN_DAYS).contains(&days) => {
            Some(services.clock.now() + Duration::days(days))
        }
        Some(_) => {
            return Err(AppError::new(
                Slug::InvalidExpiry,
                format!("expires_in_days must be from 1 to {MAX_EXPIRES_IN_DAYS}"),
            ));
        }
    };
    caller.check_grant(services, role, &scope).await?;
    let mut secret = None;
    let record = tokens::create(
        &services.pool,
        &NewToken {
            name: &name,
            role,
            region_code: scope.region_code(),
            venue_ids: &scope.venue_ids(),
            created_by: &caller.principal.actor,
            owner_account_id: caller.principal.account_id,
            expires_at,
        },
        |id| {
            let token = ApiToken::generate(id);
            let hash = token.secret_hash();
            secret = Some(token.reveal());
            hash
        },
        caller.audit(AuditAction::TOKEN_CREATE),
    )
    .await?;
    Ok(TokenBody::new(record, secret))
}

/// Revokes a token: its owner may, and so may whoever may manage its owner
/// (the bootstrap admin's tokens only the bootstrap admin); any other caller
/// gets 404, as for a token that does not exist. The one code path of the
/// JSON route and the tokens page.
pub async fn revoke(services: &Services, caller: &Caller, id: i64) -> Result<(), AppError> {
    revocable(services, caller, id).await?;
    tokens::revoke(&services.pool, id, caller.audit(AuditAction::TOKEN_REVOKE))
        .await?
        .ok_or(AppError::not_found(Slug::TokenNotFound))?;
    Ok(())
}

/// A token the caller may revoke (see [`revoke`]), as a confirmation names
/// it before revoking; 404 for any other.
pub async fn revocable(
    services: &Services,
    caller: &Caller,
    id: i64,
) -> Result<TokenRecord, AppError> {
    let record = tokens::find(&services.pool, id)
        .await?
        .ok_or(AppError::not_found(Slug::TokenNotFound))?;
    let allowed = match record.owner_account_id {
        Some(owner) if caller.principal.account_id == Some(owner) => true,
        Some(owner) => {
            let mut conn = services.pool.acquire().await?;
            let account = accounts::find_in_scope(&mut conn, owner, &ScopeFilter::everything())
                .await?
                .ok_or(AppError::internal())?;
            drop(conn);
            let (role, scope) = held_grant(
                account.role,
                account.region_code.as_deref(),
                &account.venue_ids,
            )
            .ok_or(AppError::internal())?;
            check_manage(services, caller, owner, role, &scope)
                .await
                .is_ok()
        }
        None => caller.principal.account_id.is_none() && caller.principal.role == Role::Admin,
    };
    if !allowed {
        return Err(AppError::not_found(Slug::TokenNotFound));
    }
    Ok(record)
}
