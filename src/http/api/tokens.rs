//! `POST /api/v1/tokens` and `DELETE /api/v1/tokens/{id}`: scoped API tokens
//! for automation (provincial platforms, scripts). A token is shown once; it
//! can only be made with a role and scope inside its creator's.

use actix_web::{HttpResponse, web};

use crate::app::tokens::{self, CreateToken, TokenBody};
use crate::app::{AppError, Caller, Slug};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::body::JsonBody;

/// Creates an API token with a role and scope inside the caller's own.
#[utoipa::path(
    post, path = "/api/v1/tokens", tag = "access",
    request_body = CreateToken,
    responses(
        (status = 201, description = "Created; the token is in the body, shown this once", body = TokenBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Role or scope beyond the caller's"),
        (status = 422, description = "Invalid name (`/problems/invalid-token-name`, or `/problems/control-character` for a control character or a direction override), role, scope or expiry"),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    caller: Caller,
    state: web::Data<AppState>,
    JsonBody(request): JsonBody<CreateToken>,
) -> Result<HttpResponse, ApiError> {
    let token = tokens::create(&state, &caller, request).await?;
    let location = format!("/api/v1/tokens/{}", token.id);
    Ok(HttpResponse::Created()
        .insert_header(("Location", location))
        .insert_header(("Cache-Control", "no-store"))
        .json(token))
}

/// Revokes a token: its owner may, and whoever may manage its owner; for
/// anyone else it is answered 404.
#[utoipa::path(
    delete, path = "/api/v1/tokens/{id}", tag = "access",
    params(("id" = i64, Path, description = "Token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Missing or wrong token"),
        (status = 404, description = "No live token with this id that the caller may revoke (its owner's, or one whose owner the caller may manage)"),
    ),
    security(("bearer" = []))
)]
pub async fn revoke(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(AppError::not_found(Slug::TokenNotFound))?;
    tokens::revoke(&state, &caller, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
