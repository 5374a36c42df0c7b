//! JSON for inspections (体检式暗访, regulators' requirements clause 25):
//! recording and listing a venue's inspections, and the random draw of
//! venues and inspectors (双随机). The console's form calls the same
//! `app::inspections` functions.

use actix_web::{HttpResponse, web};

use crate::app::inspections::{
    self, DrawBody, DrawRequestBody, InspectionBody, InspectionList, InspectionRequest,
};
use crate::app::path_ids::parse_id;
use crate::app::{AppError, Caller, Slug};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::body::JsonBody;

/// Records an inspection (admins and regulators, within scope): with items
/// the result is the checklist's pass mark against their total, without
/// them `passed` is required. A failed one puts the venue in tier C for 12
/// months, within seconds.
#[utoipa::path(
    post, path = "/api/v1/venues/{id}/inspections", tag = "console",
    params(("id" = i64, Path, description = "Venue id")),
    request_body = InspectionRequest,
    responses(
        (status = 201, body = InspectionBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
        (status = 422, description = "Bad date (not YYYY-MM-DD, in the future, before 2000); an unknown checklist version (`/problems/unknown-checklist`), an unknown or repeated item key (`/problems/unknown-checklist-item`), points outside an item's range (`/problems/points-out-of-range`); no items and no `passed` (`/problems/passed-required`), or a `passed` the items contradict; overlong findings or findings with a control character"),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<InspectionRequest>,
) -> Result<HttpResponse, ApiError> {
    let venue_id = parse_id(&path)?;
    let stored = inspections::record(&state, &caller, venue_id, &request).await?;
    Ok(HttpResponse::Created().json(stored))
}

/// A venue's inspections with their items, latest visit first (admins and
/// regulators, within scope).
#[utoipa::path(
    get, path = "/api/v1/venues/{id}/inspections", tag = "console",
    params(("id" = i64, Path, description = "Venue id")),
    responses(
        (status = 200, body = InspectionList),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let list = inspections::list(&state, &caller, parse_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Draws venues of a region and inspectors for each visit (双随机; admins,
/// and regulators within their region): open venues, weighted towards lower
/// tiers and recent complaints, reproducible from the stored seed.
#[utoipa::path(
    post, path = "/api/v1/inspection-draws", tag = "console",
    request_body = DrawRequestBody,
    responses(
        (status = 201, body = DrawBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff, or a region outside the caller's scope"),
        (status = 404, description = "Unknown region"),
        (status = 422, description = "A count outside 1–500, an empty, repeated or overlong inspector name, or more inspectors per visit than the pool holds (`/problems/invalid-draw`); not a six-digit region code"),
    ),
    security(("bearer" = []))
)]
pub async fn draw(
    caller: Caller,
    state: web::Data<AppState>,
    JsonBody(request): JsonBody<DrawRequestBody>,
) -> Result<HttpResponse, ApiError> {
    let stored = inspections::draw(&state, &caller, &request).await?;
    Ok(HttpResponse::Created().json(stored))
}

/// A stored draw with its picks (admins, and regulators for draws of their region).
#[utoipa::path(
    get, path = "/api/v1/inspection-draws/{id}", tag = "console",
    params(("id" = i64, Path, description = "Draw id")),
    responses(
        (status = 200, body = DrawBody),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown draw, or of a region outside the caller's scope"),
    ),
    security(("bearer" = []))
)]
pub async fn get_draw(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(AppError::not_found(Slug::DrawNotFound))?;
    Ok(HttpResponse::Ok().json(inspections::get_draw(&state, &caller, id).await?))
}
