//! `GET /api/v1/venues/{id}/score` and `.../tier/history`: what a venue's
//! ratings add up to, and how its credit tier came to be.

use actix_web::{HttpResponse, web};

use crate::app::path_ids::parse_id;
use crate::app::scores::{self, TierHistory, VenueScore};
use crate::app::venue_views;
use crate::app::{AppError, Slug};
use crate::error::ApiError;
use crate::http::AppState;
use crate::store::venues;

/// A venue's current score.
#[utoipa::path(
    get, path = "/api/v1/venues/{id}/score", tag = "scores",
    params(("id" = i64, Path, description = "Venue id")),
    responses((status = 200, body = VenueScore), (status = 404, description = "Unknown venue"), (status = 503, description = "Database unavailable"))
)]
pub async fn venue_score(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path)?;
    Ok(HttpResponse::Ok().json(&*venue_views::score(&state, id).await?))
}

/// Every change of a venue's credit tier, with its inputs, reasons and rule set version.
#[utoipa::path(
    get, path = "/api/v1/venues/{id}/tier/history", tag = "scores",
    params(("id" = i64, Path, description = "Venue id")),
    responses((status = 200, body = TierHistory), (status = 404, description = "Unknown venue"))
)]
pub async fn tier_history(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path)?;
    venues::public(&state.pool, id)
        .await?
        .ok_or(AppError::not_found(Slug::VenueNotFound))?;
    let items = scores::tier_history(&state, id).await?;
    Ok(HttpResponse::Ok().json(TierHistory {
        venue_id: id,
        items,
    }))
}
