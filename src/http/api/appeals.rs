//! Low ratings over JSON: appeals (申诉复核), which a venue's staff file with
//! their evidence and regulators in scope decide, and bad-rating cases (差评),
//! which the venue verifies and fixes.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::appeals::{self, AppealBody, AppealList, AppealRequest, DecisionRequest};
use crate::app::bad_ratings::{self, BadRatingList, BadRatingStep};
use crate::app::path_ids::{parse_appeal_id, parse_id};
use crate::app::{AppError, Caller, Slug};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::body::JsonBody;

/// `?state=`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AppealQuery {
    /// `pending`, `upheld` or `dismissed`.
    pub state: Option<String>,
}

/// A venue's staff appeal a rating of their venue as malicious, with their evidence.
#[utoipa::path(
    post, path = "/api/v1/ratings/{id}/appeal", tag = "moderation",
    params(("id" = i64, Path, description = "Rating id")),
    request_body = AppealRequest,
    responses(
        (status = 201, body = AppealBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Not the venue's staff"),
        (status = 404, description = "Unknown rating, or not of the caller's venue"),
        (status = 409, description = "An appeal of this rating already waits (`/problems/appeal-pending`)"),
        (status = 422, description = "Empty or overlong evidence, or one with control characters"),
    ),
    security(("bearer" = []))
)]
pub async fn file(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<AppealRequest>,
) -> Result<HttpResponse, ApiError> {
    let rating_id = parse_id(&path)?;
    let appeal = appeals::file(&state, &caller, (rating_id, None), &request).await?;
    Ok(HttpResponse::Created().json(appeal))
}

/// Appeals in the caller's scope, pending first.
#[utoipa::path(
    get, path = "/api/v1/appeals", tag = "moderation",
    params(AppealQuery),
    responses(
        (status = 200, body = AppealList),
        (status = 401, description = "Missing or wrong token"),
        (status = 422, description = "An unknown state or parameter"),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query: AppealQuery = serde_html_form::from_str(req.query_string())
        .map_err(|e| AppError::new(Slug::InvalidQuery, e.to_string()))?;
    let query = appeals::AppealQuery {
        state: query.state.as_deref(),
        ..Default::default()
    };
    Ok(HttpResponse::Ok().json(appeals::list(&state, &caller, query).await?))
}

/// A regulator in scope upholds an appeal (the rating is quarantined with
/// the reason) or dismisses it.
#[utoipa::path(
    post, path = "/api/v1/appeals/{id}/decision", tag = "moderation",
    params(("id" = i64, Path, description = "Appeal id")),
    request_body = DecisionRequest,
    responses(
        (status = 200, body = AppealBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown appeal, or outside the caller's scope"),
        (status = 409, description = "Decided already (`/problems/appeal-decided`)"),
        (status = 422, description = "An unknown decision, or a missing or overlong reason"),
    ),
    security(("bearer" = []))
)]
pub async fn decide(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<DecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_appeal_id(&path)?;
    Ok(HttpResponse::Ok().json(appeals::decide(&state, &caller, id, &request).await?))
}

/// A venue's bad-rating cases (差评): its one- and two-star ratings with a
/// comment in the last year, with their reply, state and due dates (verify
/// within one working day, fix within fifteen days).
#[utoipa::path(
    get, path = "/api/v1/venues/{id}/bad-ratings", tag = "moderation",
    params(("id" = i64, Path, description = "Venue id")),
    responses(
        (status = 200, body = BadRatingList),
        (status = 401, description = "Missing or wrong token"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
    ),
    security(("bearer" = []))
)]
pub async fn bad_ratings(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let venue_id = parse_id(&path)?;
    Ok(HttpResponse::Ok().json(bad_ratings::list(&state, &caller, venue_id).await?))
}

/// The venue's step on a bad rating: `verified`, then `fixed` with what was fixed.
#[utoipa::path(
    post, path = "/api/v1/ratings/{id}/bad-rating-case", tag = "moderation",
    params(("id" = i64, Path, description = "Rating id")),
    request_body = BadRatingStep,
    responses(
        (status = 204, description = "Recorded"),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Not the venue's staff"),
        (status = 404, description = "Not a one- or two-star rating with a comment of the caller's venue"),
        (status = 409, description = "Fixed before verified, or a step taken already"),
        (status = 422, description = "An unknown step, or `fixed` without a note"),
    ),
    security(("bearer" = []))
)]
pub async fn bad_rating_step(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<BadRatingStep>,
) -> Result<HttpResponse, ApiError> {
    let rating_id = parse_id(&path)?;
    bad_ratings::step(&state, &caller, (rating_id, None), &request).await?;
    Ok(HttpResponse::NoContent().finish())
}
