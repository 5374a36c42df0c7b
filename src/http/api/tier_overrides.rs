//! `POST` and `DELETE /api/v1/venues/{id}/tier-override`: a regulator over
//! the venue (or an admin) sets its credit tier by hand until an end date,
//! or ends that early (regulators' requirements clause A.20).

use actix_web::{HttpResponse, web};

use crate::app::path_ids::parse_id;
use crate::app::tier_overrides::{
    self, EndTierOverrideRequest, TierOverrideBody, TierOverrideRequest,
};
use crate::app::{AppError, Caller, Slug};
use crate::domain::tier_override::{NewTierOverride, parse_reason};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::body::JsonBody;

/// Sets the venue's credit tier by hand until `ends_on` (admins and
/// regulators, within scope). The tier follows on the venue's next score
/// refresh (seconds), shows as an override with its end date on the score,
/// the tier history and the public page, and the rules apply again from
/// `ends_on` without anyone acting.
#[utoipa::path(
    post, path = "/api/v1/venues/{id}/tier-override", tag = "console",
    params(("id" = i64, Path, description = "Venue id")),
    request_body = TierOverrideRequest,
    responses(
        (status = 201, body = TierOverrideBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
        (status = 409, description = "An override is in force already; end it first (`/problems/tier-override-active`)"),
        (status = 422, description = "A tier other than A–D (`/problems/invalid-tier`); an empty or overlong reason, or one holding a control character; an end date not written YYYY-MM-DD, not after today (`/problems/ends-on-not-after-today`) or more than 24 months ahead (`/problems/ends-on-too-far`)"),
    ),
    security(("bearer" = []))
)]
pub async fn set(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<TierOverrideRequest>,
) -> Result<HttpResponse, ApiError> {
    let venue_id = parse_id(&path)?;
    let new = NewTierOverride::parse(
        &request.tier,
        &request.reason,
        &request.ends_on,
        state.clock.today(),
    )
    // The JSON API answers the first fault; the console form shows each.
    .map_err(|faults| match faults.first() {
        Some(fault) => AppError::from(*fault),
        None => AppError::new(Slug::Internal, "an override refused without a fault"),
    })?;
    let stored = tier_overrides::set(&state, &caller, venue_id, &new).await?;
    Ok(HttpResponse::Created().json(stored))
}

/// Ends the venue's tier override early, with a reason (admins and
/// regulators, within scope); the rules grade the venue again on its next
/// score refresh.
#[utoipa::path(
    delete, path = "/api/v1/venues/{id}/tier-override", tag = "console",
    params(("id" = i64, Path, description = "Venue id")),
    request_body = EndTierOverrideRequest,
    responses(
        (status = 200, body = TierOverrideBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
        (status = 409, description = "No override is in force (`/problems/no-tier-override`)"),
        (status = 422, description = "An empty or overlong reason, or one holding a control character"),
    ),
    security(("bearer" = []))
)]
pub async fn end(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<EndTierOverrideRequest>,
) -> Result<HttpResponse, ApiError> {
    let venue_id = parse_id(&path)?;
    let reason = parse_reason(&request.reason).map_err(AppError::from)?;
    let ended = tier_overrides::end(&state, &caller, venue_id, &reason).await?;
    Ok(HttpResponse::Ok().json(ended))
}
