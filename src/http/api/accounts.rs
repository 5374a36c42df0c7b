//! Accounts of people. `POST /api/v1/accounts` creates one with a role and
//! scope inside the caller's and answers an invitation link;
//! `POST /api/v1/invitations/{token}` lets the invited person set their
//! password, once; `GET /api/v1/accounts` lists the accounts in the caller's
//! scope; `PATCH /api/v1/accounts/{id}` renames, disables or re-scopes one;
//! `DELETE /api/v1/accounts/{id}/second-factor` resets another's second factor;
//! `POST /api/v1/accounts/{id}/password-link` gives another a fresh link
//! through which to set a new password.

use crate::domain::ids::AccountId;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::Caller;
use crate::app::accounts::{
    self, AcceptInvitation, AccountBody, AccountList, ActivatedAccount, CreateAccount,
    PasswordLink, UpdateAccount,
};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::body::JsonBody;
use crate::http::client::client_addr;

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
    JsonBody(request): JsonBody<CreateAccount>,
) -> Result<HttpResponse, ApiError> {
    let body = accounts::create(&state, &caller, request).await?;
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
    let list = accounts::list(&state, &caller).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(list))
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
    JsonBody(request): JsonBody<AcceptInvitation>,
) -> Result<HttpResponse, ApiError> {
    let client_ip = client_addr(&req).map(|ip| ip.to_string());
    let activated = accounts::activate(&state, &path, request.password, client_ip).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(activated))
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
    path: web::Path<AccountId>,
    JsonBody(request): JsonBody<UpdateAccount>,
) -> Result<HttpResponse, ApiError> {
    let after = accounts::update(&state, &caller, path.into_inner(), request).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(after))
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
    path: web::Path<AccountId>,
) -> Result<HttpResponse, ApiError> {
    accounts::reset_second_factor(&state, &caller, path.into_inner()).await?;
    Ok(HttpResponse::NoContent()
        .insert_header(("Cache-Control", "no-store"))
        .finish())
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
    path: web::Path<AccountId>,
) -> Result<HttpResponse, ApiError> {
    let (_, link) = accounts::issue_password_link(&state, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(link))
}
