//! Accounts of people. `POST /api/v1/accounts` creates one with a role and
//! scope inside the caller's and answers an invitation link;
//! `POST /api/v1/invitations/{token}` lets the invited person set their
//! password, once; `GET /api/v1/accounts` lists the accounts in the caller's
//! scope; `PATCH /api/v1/accounts/{id}` renames, disables or re-scopes one;
//! `DELETE /api/v1/accounts/{id}/second-factor` resets another's second factor;
//! `POST /api/v1/accounts/{id}/password-link` gives another a fresh link
//! through which to set a new password.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::Caller;
use crate::app::caller::requested_grant;
use crate::domain::access::{Role, Scope, may_manage};
use crate::domain::names::{DisplayName, NameError};
use crate::domain::password::{InvitationToken, Login, Password, hash_password};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::ratings::parse_json;
use crate::http::auth::access;
use crate::http::client::client_addr;
use crate::password_work::PasswordJob;
use crate::store::ScopeFilter;
use crate::store::accounts::{
    self, AccountChange, AccountError, AccountRecord, Credential, NewAccount, NewGrant,
    OpenInvitation,
};
use crate::store::audit::AuditEntry;
use crate::store::second_factor::{self, ResetOutcome};
use crate::store::tokens;

/// How long an invitation or set-password link works.
const INVITATION_VALID_HOURS: i64 = 72;

/// The link that opens the `/invite/{token}` page for a token.
fn invitation_url(state: &AppState, token: &InvitationToken) -> String {
    format!(
        "{}/invite/{}",
        state.settings.public_base_url,
        token.reveal()
    )
}

/// Body of `POST /api/v1/accounts`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccount {
    /// Login name: 3–64 of `a-z 0-9 . _ -` (folded to lower case).
    #[schema(example = "bz-regulator")]
    pub login: String,
    /// Name shown to people: 1–100 characters on one line, without control
    /// characters or direction overrides.
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

/// Body of `PATCH /api/v1/accounts/{id}`: only the fields given change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAccount {
    /// A new name shown to people: 1–100 characters on one line, without
    /// control characters or direction overrides.
    pub display_name: Option<String>,
    /// `true` disables the account and ends its sessions; `false` enables it again.
    pub disabled: Option<bool>,
    /// A new role; `region_code` or `venue_ids` then give its scope, replacing the old.
    pub role: Option<String>,
    /// The region of a regulator (with `role`).
    #[schema(example = "652801")]
    pub region_code: Option<String>,
    /// The venues of a venue-staff account (with `role`).
    pub venue_ids: Option<Vec<i64>>,
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
        (status = 422, description = "Invalid login (`/problems/invalid-login`), name (`/problems/invalid-display-name`, or `/problems/control-character` for a control character or a direction override), role or scope"),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: CreateAccount = parse_json(&body)?;
    let body = create_account(&state, &caller, request).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(body))
}

/// Creates an account and its invitation: the one code path of the JSON
/// route and the console's form.
pub async fn create_account(
    state: &AppState,
    caller: &Caller,
    request: CreateAccount,
) -> Result<AccountBody, ApiError> {
    let login = Login::parse(&request.login)
        .map_err(|e| ApiError::invalid("invalid-login", e.to_string()))?;
    let display_name = parse_display_name(&request.display_name)?;
    let (role, scope) = requested_grant(
        &request.role,
        request.region_code,
        request.venue_ids.unwrap_or_default(),
    )?;
    let regions = state.reference.regions().await?;
    if let Some(code) = scope.region_code()
        && regions.get(code).is_none()
    {
        return Err(ApiError::invalid(
            "unknown-region",
            format!("no region has the code {code:?}"),
        ));
    }
    let venue_ids = scope.venue_ids();
    let venue_regions = caller.check_grant(state, role, &scope).await?;

    let invitation = InvitationToken::generate();
    let expires_at = state.clock.now() + Duration::hours(INVITATION_VALID_HOURS);
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
            display_name: &display_name,
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
    Ok(AccountBody {
        invitation_url: Some(invitation_url(state, &invitation)),
        invitation_expires_at: Some(expires_at),
        ..AccountBody::new(record)
    })
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
    let scope = ScopeFilter::of(&caller.principal.scope, &*state.reference.regions().await?);
    let items = accounts::list(&state.pool, &scope)
        .await?
        .into_iter()
        .map(AccountBody::new)
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(AccountList { items }))
}

/// Sets the invited person's password (argon2id) and uses up the invitation
/// or set-password link; a password set through a link replaces the old one
/// and ends every session of the account. An unknown, used, replaced and
/// expired link get the same 404.
#[utoipa::path(
    post, path = "/api/v1/invitations/{token}", tag = "access",
    params(("token" = String, Path, description = "The token from the invitation link")),
    request_body = AcceptInvitation,
    responses(
        (status = 200, description = "Password set; the account can sign in", body = ActivatedAccount),
        (status = 400, description = "Malformed JSON"),
        (status = 404, description = "No open invitation with this token (unknown, used, replaced or expired)"),
        (status = 422, description = "The password is too short, too long or contains the login"),
        (status = 503, description = "Every core is busy hashing passwords; try again after `Retry-After`"),
    )
)]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: AcceptInvitation = parse_json(&body)?;
    let client_ip = client_addr(&req).map(|ip| ip.to_string());
    let activated = activate(&state, &path, request.password, client_ip).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(activated))
}

/// The open invitation behind a link's token; an unknown, used and expired
/// one alike are 404.
pub async fn open_invitation(
    state: &AppState,
    raw_token: &str,
) -> Result<OpenInvitation, ApiError> {
    let token = InvitationToken::parse(raw_token).ok_or(ApiError::NotFound("invitation"))?;
    accounts::find_open_invitation(&state.pool, &token.hash(), state.clock.now())
        .await?
        .ok_or(ApiError::NotFound("invitation"))
}

/// Sets an invited person's password and uses up the invitation: the one
/// code path of the JSON route and the `/invite/{token}` page.
pub async fn activate(
    state: &AppState,
    raw_token: &str,
    password: String,
    client_ip: Option<String>,
) -> Result<ActivatedAccount, ApiError> {
    let invitation = open_invitation(state, raw_token).await?;
    let password = Password::parse(password, &invitation.login)
        .map_err(|e| ApiError::invalid("weak-password", e.to_string()))?;
    // Hashing takes tens of milliseconds of CPU: on the bounded pool.
    let password_hash = state
        .password_work
        .run(PasswordJob::Hash, move || hash_password(&password))
        .await
        .map_err(|_| ApiError::Unavailable)?;
    let audit = AuditEntry {
        actor: format!("account:{}", invitation.account_id),
        region_code: invitation.region_code.clone(),
        venue_id: invitation.venue_id,
        client_ip,
        ..AuditEntry::default()
    };
    let account_id = accounts::accept_invitation(
        &state.pool,
        &invitation,
        &password_hash,
        state.clock.now(),
        audit,
    )
    .await?
    .ok_or(ApiError::NotFound("invitation"))?;
    // The stored cutoff already refuses every older session; deleting them
    // from Redis as well frees them at once.
    if let Err(err) = state.live.delete_account_sessions(account_id).await {
        tracing::warn!(error = %err, account_id, "could not end the sessions of an account whose password was set");
    }
    Ok(ActivatedAccount {
        id: account_id,
        login: invitation.login,
    })
}

/// A display name, or the 422 that refuses it.
fn parse_display_name(raw: &str) -> Result<DisplayName, ApiError> {
    DisplayName::parse(raw).map_err(|err| {
        let kind = match err {
            NameError::BadShape { .. } => "invalid-display-name",
            NameError::ControlCharacter { .. } => "control-character",
        };
        ApiError::invalid(kind, err.to_string())
    })
}

/// The role and scope an account holds now.
fn held_grant(record: &AccountRecord) -> Result<(Role, Scope), ApiError> {
    access::held_grant(&record.role, &record.region_code, &record.venue_ids)
        .ok_or(ApiError::Internal)
}

/// Checks that the caller may manage an account holding `role` with
/// `scope` (its current grant, or one it is to be given): see
/// [`may_manage`]. 403 when not.
pub async fn check_manage(
    state: &AppState,
    caller: &Caller,
    account_id: i64,
    role: Role,
    scope: &Scope,
) -> Result<(), ApiError> {
    let tree = state.reference.regions().await?;
    let venue_regions = tokens::venue_regions(&state.pool, &scope.venue_ids()).await?;
    may_manage(
        &caller.principal,
        account_id,
        role,
        scope,
        &tree,
        &venue_regions,
    )
    .map_err(|err| ApiError::Forbidden(err.to_string()))
}

/// The account, as the caller may manage it: in the caller's scope (else
/// 404) and below the caller (else 403, see [`may_manage`]). Returns the
/// caller's scope as SQL parameters too, for the change's own check.
async fn managed_account(
    state: &AppState,
    caller: &Caller,
    account_id: i64,
) -> Result<(ScopeFilter, AccountRecord), ApiError> {
    let scope = ScopeFilter::of(&caller.principal.scope, &*state.reference.regions().await?);
    let mut conn = state.pool.acquire().await?;
    let seen = accounts::find_in_scope(&mut conn, account_id, &scope)
        .await?
        .ok_or(ApiError::NotFound("account"))?;
    drop(conn);
    let (held_role, held_scope) = held_grant(&seen)?;
    check_manage(state, caller, account_id, held_role, &held_scope).await?;
    Ok((scope, seen))
}

/// Refuses a change when the account's role or scope moved after the grant
/// check (`now` is read under the change's lock).
fn grant_unchanged(seen: &AccountRecord, now: &AccountRecord) -> Result<(), ApiError> {
    let same = now.role == seen.role
        && now.region_code == seen.region_code
        && now.venue_ids == seen.venue_ids;
    if same {
        Ok(())
    } else {
        Err(ApiError::Conflict {
            kind: "account-changed",
            detail: "the account changed while this request was checked; read it and try again"
                .into(),
        })
    }
}

/// Renames, disables, enables or re-scopes an account in the caller's scope.
/// The caller must be able to manage the account both as it is and as it
/// will be (see [`may_manage`]). Disabling it revokes its tokens. Disabling it or changing its role or scope ends its
/// sessions; signed-in pages also read the account on every request, so the
/// change holds even while Redis cannot be told.
#[utoipa::path(
    patch, path = "/api/v1/accounts/{id}", tag = "access",
    params(("id" = i64, Path, description = "Account id")),
    request_body = UpdateAccount,
    responses(
        (status = 200, description = "The account after the change", body = AccountBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "The account, with its current or its new role and scope, is not below the caller (a higher role, or the same role over a strictly narrower region, is needed), or it is the caller's own"),
        (status = 404, description = "No such account in the caller's scope"),
        (status = 409, description = "The account changed meanwhile; read it again (`/problems/account-changed`)"),
        (status = 422, description = "Invalid name (`/problems/invalid-display-name`, or `/problems/control-character` for a control character or a direction override), role or scope"),
    ),
    security(("bearer" = []))
)]
pub async fn update(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: UpdateAccount = parse_json(&body)?;
    let after = update_account(&state, &caller, path.into_inner(), request).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(after))
}

/// Changes an account: the one code path of the JSON route and the console's forms.
pub async fn update_account(
    state: &AppState,
    caller: &Caller,
    account_id: i64,
    request: UpdateAccount,
) -> Result<AccountBody, ApiError> {
    let display_name = request
        .display_name
        .as_deref()
        .map(parse_display_name)
        .transpose()?;
    let new_grant = match request.role {
        Some(role) => Some(requested_grant(
            &role,
            request.region_code,
            request.venue_ids.unwrap_or_default(),
        )?),
        None if request.region_code.is_some() || request.venue_ids.is_some() => {
            return Err(ApiError::invalid(
                "invalid-scope",
                "give role together with region_code or venue_ids",
            ));
        }
        None => None,
    };
    let (scope, seen) = managed_account(state, caller, account_id).await?;
    // The account stays below the caller: no re-scoping a peer into being.
    if let Some((role, scope)) = &new_grant {
        caller.check_grant(state, *role, scope).await?;
        check_manage(state, caller, account_id, *role, scope).await?;
    }

    let region_code = new_grant
        .as_ref()
        .and_then(|(_, s)| s.region_code().map(str::to_owned));
    let venue_ids = new_grant
        .as_ref()
        .map(|(_, s)| s.venue_ids())
        .unwrap_or_default();
    let change = AccountChange {
        display_name: display_name.as_ref(),
        disabled: request.disabled,
        grant: new_grant.as_ref().map(|(role, _)| NewGrant {
            role: role.key(),
            region_code: region_code.as_deref(),
            venue_ids: &venue_ids,
        }),
    };
    let audit = AuditEntry {
        region_code: seen.region_code.clone().or(region_code.clone()),
        venue_id: seen.venue_ids.first().copied(),
        ..caller.audit("account.update")
    };
    let unchanged = |now: &AccountRecord| grant_unchanged(&seen, now);
    let (before, after) =
        accounts::update(&state.pool, account_id, &scope, &change, unchanged, audit)
            .await?
            .ok_or(ApiError::NotFound("account"))?;
    let rescoped = before.role != after.role
        || before.region_code != after.region_code
        || before.venue_ids != after.venue_ids;
    if (after.disabled_at.is_some() || rescoped)
        && let Err(err) = state.live.delete_account_sessions(account_id).await
    {
        tracing::warn!(error = %err, account_id, "could not end the sessions of a changed account");
    }
    Ok(AccountBody::new(after))
}

/// Removes another account's second factor: its authenticator and all its
/// recovery codes, audited in one transaction, and ends its sessions. The
/// caller must be able to manage the account as for `PATCH`. An admin or
/// regulator must then enrol a new authenticator at the next sign-in.
#[utoipa::path(
    delete, path = "/api/v1/accounts/{id}/second-factor", tag = "access",
    params(("id" = i64, Path, description = "Account id")),
    responses(
        (status = 204, description = "Reset; the account's sessions are ended"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff, or the account is not below the caller (a higher role, or the same role over a strictly narrower region, is needed)"),
        (status = 404, description = "No such account in the caller's scope"),
        (status = 409, description = "The account has no enrolled second factor (`/problems/no-second-factor`), or it changed meanwhile (`/problems/account-changed`)"),
        (status = 422, description = "The caller's own account, or the owner of the caller's token, whose factor is changed at `/account/security` (`/problems/own-second-factor`)"),
    ),
    security(("bearer" = []))
)]
pub async fn reset_second_factor(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    reset_account_second_factor(&state, &caller, path.into_inner()).await?;
    Ok(HttpResponse::NoContent()
        .insert_header(("Cache-Control", "no-store"))
        .finish())
}

/// Resets an account's second factor: the one code path of the JSON route
/// and the console's form.
pub async fn reset_account_second_factor(
    state: &AppState,
    caller: &Caller,
    account_id: i64,
) -> Result<(), ApiError> {
    // Resetting one's own factor this way would skip proving the old one;
    // the caller's own account is the signed-in one or its token's owner,
    // however many tokens deep.
    if caller.principal.account_id == Some(account_id) {
        return Err(ApiError::invalid(
            "own-second-factor",
            "your own second factor is changed at /account/security",
        ));
    }
    let (scope, seen) = managed_account(state, caller, account_id).await?;
    let unchanged = |now: &AccountRecord| grant_unchanged(&seen, now);
    let outcome = second_factor::reset(
        &state.pool,
        account_id,
        &scope,
        unchanged,
        caller.audit("totp.reset"),
    )
    .await?
    .ok_or(ApiError::NotFound("account"))?;
    if outcome == ResetOutcome::NotEnrolled {
        return Err(ApiError::Conflict {
            kind: "no-second-factor",
            detail: "the account has no enrolled second factor to reset".into(),
        });
    }
    // Sessions opened with the old factor must not outlive it.
    if let Err(err) = state.live.delete_account_sessions(account_id).await {
        tracing::warn!(error = %err, account_id, "could not end the sessions of a reset account");
    }
    Ok(())
}

/// A fresh set-password link, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordLink {
    /// The link that opens the page where the person sets a new password.
    pub url: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

/// Gives another account a fresh single-use link (valid 72 hours) through
/// which its holder sets a new password; any earlier unused link of the
/// account stops working. Setting the password ends every session of the
/// account and the old password stops working. The caller must be able to
/// manage the account as for `PATCH`. Audited (`account.password_link`).
#[utoipa::path(
    post, path = "/api/v1/accounts/{id}/password-link", tag = "access",
    params(("id" = i64, Path, description = "Account id")),
    responses(
        (status = 201, description = "The link, shown this once", body = PasswordLink),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff, or the account is not below the caller (a higher role, or the same role over a strictly narrower region, is needed)"),
        (status = 404, description = "No such account in the caller's scope"),
        (status = 409, description = "The account is disabled (`/problems/account-disabled`), or it changed meanwhile (`/problems/account-changed`)"),
        (status = 422, description = "The caller's own account, or the owner of the caller's token, whose password is changed at `/account/password` (`/problems/own-password`)"),
    ),
    security(("bearer" = []))
)]
pub async fn password_link(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (_, link) = issue_password_link(&state, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(link))
}

/// Issues a set-password link for an account: the one code path of the JSON
/// route and the console's form. Returns the account with its link.
pub async fn issue_password_link(
    state: &AppState,
    caller: &Caller,
    account_id: i64,
) -> Result<(AccountRecord, PasswordLink), ApiError> {
    // Setting one's own password this way would skip proving the current one.
    if caller.principal.account_id == Some(account_id) {
        return Err(ApiError::invalid(
            "own-password",
            "your own password is changed at /account/password",
        ));
    }
    let (scope, seen) = managed_account(state, caller, account_id).await?;
    let allowed = |now: &AccountRecord| {
        grant_unchanged(&seen, now)?;
        if now.disabled_at.is_some() {
            return Err(ApiError::Conflict {
                kind: "account-disabled",
                detail: "the account is disabled; enable it before sending it a link".into(),
            });
        }
        Ok(())
    };
    let token = InvitationToken::generate();
    let expires_at = state.clock.now() + Duration::hours(INVITATION_VALID_HOURS);
    let account = accounts::issue_password_link(
        &state.pool,
        account_id,
        &scope,
        allowed,
        &token.hash(),
        expires_at,
        caller.audit("account.password_link"),
    )
    .await?
    .ok_or(ApiError::NotFound("account"))?;
    let link = PasswordLink {
        url: invitation_url(state, &token),
        expires_at,
    };
    Ok((account, link))
}
