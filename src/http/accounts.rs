//! Accounts of people. `POST /api/v1/accounts` creates one with a role and
//! scope inside the caller's and answers an invitation link;
//! `POST /api/v1/invitations/{token}` lets the invited person set their
//! password, once; `GET /api/v1/accounts` lists the accounts in the caller's
//! scope.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::access::{Caller, requested_grant};
use super::ratings::parse_json;
use crate::domain::password::{InvitationToken, Login, Password, hash_password};
use crate::error::ApiError;
use crate::store::ScopeFilter;
use crate::store::accounts::{self, AccountError, AccountRecord, Credential, NewAccount};
use crate::store::audit::AuditEntry;

/// How long an invitation link works.
const INVITATION_VALID_HOURS: i64 = 72;

/// Body of `POST /api/v1/accounts`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccount {
    /// Login name: 3–64 of `a-z 0-9 . _ -` (folded to lower case).
    #[schema(example = "bz-regulator")]
    pub login: String,
    /// Name shown to people, 1–100 characters.
    pub display_name: String,
    /// `admin`, `regulator` or `venue_staff`; never above the caller's.
    pub role: String,
    /// The region of a regulator (within the caller's scope).
    #[schema(example = "652800")]
    pub region_code: Option<String>,
    /// The venues of a venue-staff account (within the caller's scope).
    pub venue_ids: Option<Vec<i64>>,
}

/// An account as the API shows it; the invitation only in the answer to its creation.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountBody {
    /// Account id.
    pub id: i64,
    /// Login name.
    pub login: String,
    /// Name shown to people.
    pub display_name: String,
    /// Role.
    pub role: String,
    /// Region of a regulator.
    pub region_code: Option<String>,
    /// Venues of a venue-staff account.
    pub venue_ids: Vec<i64>,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it was disabled, if it was.
    pub disabled_at: Option<DateTime<Utc>>,
    /// Whether the person has set a password.
    pub activated: bool,
    /// The link through which the person sets a password, shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation_url: Option<String>,
    /// When that link stops working.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation_expires_at: Option<DateTime<Utc>>,
}

impl AccountBody {
    fn new(record: AccountRecord) -> Self {
        Self {
            id: record.id,
            login: record.login,
            display_name: record.display_name,
            role: record.role,
            region_code: record.region_code,
            venue_ids: record.venue_ids,
            created_by: record.created_by,
            created_at: record.created_at,
            disabled_at: record.disabled_at,
            activated: record.activated,
            invitation_url: None,
            invitation_expires_at: None,
        }
    }
}

/// The accounts in the caller's scope.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountList {
    /// Accounts, oldest first.
    pub items: Vec<AccountBody>,
}

/// Body of `POST /api/v1/invitations/{token}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    /// The new password: 12–128 characters, not containing the login name.
    pub password: String,
}

/// The account an invitation activated.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivatedAccount {
    /// Account id.
    pub id: i64,
    /// Login name, to sign in with.
    pub login: String,
}

/// Creates an account with a role and scope inside the caller's own and
/// answers its single-use invitation link (valid 72 hours).
#[utoipa::path(
    post, path = "/api/v1/accounts", tag = "access",
    request_body = CreateAccount,
    responses(
        (status = 201, description = "Created; the invitation link is in the body, shown this once", body = AccountBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Role or scope beyond the caller's"),
        (status = 409, description = "The login is taken (`/problems/duplicate-login`)"),
        (status = 422, description = "Invalid login, name, role or scope"),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: CreateAccount = parse_json(&body)?;
    let login = Login::parse(&request.login)
        .map_err(|e| ApiError::invalid("invalid-login", e.to_string()))?;
    let display_name = request.display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 100 {
        return Err(ApiError::invalid(
            "invalid-display-name",
            "display_name must be 1 to 100 characters",
        ));
    }
    let (role, scope) = requested_grant(
        &request.role,
        request.region_code,
        request.venue_ids.unwrap_or_default(),
    )?;
    let regions = state.scores.regions().await?;
    if let Some(code) = scope.region_code()
        && regions.get(code).is_none()
    {
        return Err(ApiError::invalid(
            "unknown-region",
            format!("no region has the code {code:?}"),
        ));
    }
    let venue_ids = scope.venue_ids();
    let venue_regions = caller.check_grant(&state, role, &scope).await?;

    let invitation = InvitationToken::generate();
    let expires_at = Utc::now() + Duration::hours(INVITATION_VALID_HOURS);
    // The audit row belongs to the account's region (or its first venue's),
    // so regulators there see it in their log.
    let first_venue = venue_ids.first().copied();
    let audit = AuditEntry {
        region_code: scope
            .region_code()
            .map(str::to_owned)
            .or_else(|| first_venue.and_then(|id| venue_regions.get(&id).cloned())),
        venue_id: first_venue,
        ..caller.audit("account.create")
    };
    let record = accounts::create(
        &state.pool,
        &NewAccount {
            login: login.as_str(),
            display_name,
            role: role.key(),
            region_code: scope.region_code(),
            venue_ids: &venue_ids,
            created_by: &caller.principal.actor,
        },
        &Credential::Invitation {
            token_hash: invitation.hash(),
            expires_at,
        },
        audit,
    )
    .await
    .map_err(|err| match err {
        AccountError::LoginTaken => ApiError::Conflict {
            kind: "duplicate-login",
            detail: format!(
                "an account with the login {:?} already exists",
                login.as_str()
            ),
        },
        AccountError::Store(err) => err.into(),
    })?;
    let body = AccountBody {
        invitation_url: Some(format!(
            "{}/invite/{}",
            state.settings.public_base_url,
            invitation.reveal()
        )),
        invitation_expires_at: Some(expires_at),
        ..AccountBody::new(record)
    };
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(body))
}

/// Lists the accounts in the caller's scope: for a regulator, those of its
/// region's subtree and of venues in it. Never shows password hashes.
#[utoipa::path(
    get, path = "/api/v1/accounts", tag = "access",
    responses(
        (status = 200, body = AccountList),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
    ),
    security(("bearer" = []))
)]
pub async fn list(caller: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let scope = ScopeFilter::of(&caller.principal.scope, &*state.scores.regions().await?);
    let items = accounts::list(&state.pool, &scope)
        .await?
        .into_iter()
        .map(AccountBody::new)
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(AccountList { items }))
}

/// Sets the invited person's password (argon2id) and uses up the invitation.
/// An unknown, used and expired invitation get the same 404.
#[utoipa::path(
    post, path = "/api/v1/invitations/{token}", tag = "access",
    params(("token" = String, Path, description = "The token from the invitation link")),
    request_body = AcceptInvitation,
    responses(
        (status = 200, description = "Password set; the account can sign in", body = ActivatedAccount),
        (status = 400, description = "Malformed JSON"),
        (status = 404, description = "No open invitation with this token (unknown, used or expired)"),
        (status = 422, description = "The password is too short, too long or contains the login"),
    )
)]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: AcceptInvitation = parse_json(&body)?;
    let token = InvitationToken::parse(&path).ok_or(ApiError::NotFound("invitation"))?;
    let invitation = accounts::find_open_invitation(&state.pool, &token.hash())
        .await?
        .ok_or(ApiError::NotFound("invitation"))?;
    let password = Password::parse(request.password, &invitation.login)
        .map_err(|e| ApiError::invalid("weak-password", e.to_string()))?;
    // Hashing takes tens of milliseconds of CPU: keep it off the event loop.
    let password_hash = web::block(move || hash_password(&password))
        .await
        .map_err(|_| ApiError::Internal)?;
    let audit = AuditEntry {
        actor: format!("account:{}", invitation.account_id),
        action: "account.activate",
        region_code: invitation.region_code.clone(),
        venue_id: invitation.venue_id,
        client_ip: req.peer_addr().map(|a| a.ip().to_string()),
        ..AuditEntry::default()
    };
    let account_id = accounts::accept_invitation(&state.pool, invitation.id, &password_hash, audit)
        .await?
        .ok_or(ApiError::NotFound("invitation"))?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(ActivatedAccount {
            id: account_id,
            login: invitation.login,
        }))
}
