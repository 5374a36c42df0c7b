//! `POST /api/v1/ratings/{id}/quarantine` and `.../release`: take a suspicious
//! rating out of every score, or put it back. Nothing is deleted; each action
//! is logged with who, when and why.

use actix_web::{HttpResponse, web};

use crate::app::Caller;
use crate::app::moderation::{self, ModerationBody, ModerationRequest};
use crate::app::path_ids::parse_id;
use crate::domain::ids::RatingId;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::ratings::parse_json;

/// Quarantines a rating (admin or regulator, within scope): it stops counting in every score.
#[utoipa::path(
    post, path = "/api/v1/ratings/{id}/quarantine", tag = "ratings",
    params(("id" = i64, Path, description = "Rating id")),
    request_body = ModerationRequest,
    responses(
        (status = 200, body = ModerationBody),
        (status = 400, description = "Malformed JSON, or a body that cannot be read"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff may not moderate"),
        (status = 404, description = "Unknown rating, or outside the caller's scope"),
        (status = 409, description = "Already quarantined"),
        (status = 422, description = "Missing or overlong reason, or one holding a control character or a direction override (`/problems/control-character`)"),
    ),
    security(("bearer" = []))
)]
pub async fn quarantine(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    moderate(caller, &state, &path, &body, true).await
}

/// Releases a quarantined rating (admin or regulator, within scope): it counts again.
#[utoipa::path(
    post, path = "/api/v1/ratings/{id}/release", tag = "ratings",
    params(("id" = i64, Path, description = "Rating id")),
    request_body = ModerationRequest,
    responses(
        (status = 200, body = ModerationBody),
        (status = 400, description = "Malformed JSON, or a body that cannot be read"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff may not moderate"),
        (status = 404, description = "Unknown rating, or outside the caller's scope"),
        (status = 409, description = "Not quarantined"),
        (status = 422, description = "Missing or overlong reason, or one holding a control character or a direction override (`/problems/control-character`)"),
    ),
    security(("bearer" = []))
)]
pub async fn release(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    moderate(caller, &state, &path, &body, false).await
}

async fn moderate(
    caller: Caller,
    state: &AppState,
    path: &str,
    body: &[u8],
    quarantine: bool,
) -> Result<HttpResponse, ApiError> {
    let rating_id = parse_id::<RatingId>(path)?;
    let request: ModerationRequest = parse_json(body)?;
    let reason = moderation::parse_reason(&request.reason)?;
    let done = moderation::moderate(state, &caller, rating_id, &reason, quarantine).await?;
    Ok(HttpResponse::Ok().json(done))
}
