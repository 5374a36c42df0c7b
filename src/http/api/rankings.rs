//! `GET /api/v1/rankings` and `GET /api/v1/regions/{code}/score`: venues
//! ranked within a region subtree, and a region's score with its breakdown
//! by child region and category, for drilling down province → venue.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::rankings::{self, RankingPage, RankingQuery, RegionScoreBody};
use crate::domain::access::Scope;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::auth::access::MaybeCaller;

/// Published venues of a region subtree ranked by score (ties by confidence), unpublished
/// after; with a regulator's token, cut to its region.
#[utoipa::path(
    get, path = "/api/v1/rankings", tag = "scores",
    params(RankingQuery),
    responses(
        (status = 200, body = RankingPage),
        (status = 401, description = "A bearer token was sent and is not valid"),
        (status = 403, description = "With a regulator's token: a region outside its scope"),
        (status = 404, description = "Unknown region"),
        (status = 422, description = "Malformed region code, unknown category, bad page or a page beyond the first 1,000 venues"),
    )
)]
pub async fn ranking(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    let mut request = rankings::parse_query(&state, req.query_string()).await?;
    // A regulator's token ranks within its region: by default the whole of
    // it, and never a region outside it.
    if let Some(root) = regulator_region(&caller) {
        let regions = state.reference.regions().await?;
        match &request.region {
            None => request.region = regions.get(root).cloned(),
            Some(region)
                if !Scope::Region(root.to_owned()).covers_region(&regions, &region.code) =>
            {
                return Err(ApiError::Forbidden(format!(
                    "region {} is outside your scope",
                    region.code
                )));
            }
            Some(_) => {}
        }
    }
    Ok(HttpResponse::Ok().json(rankings::ranking(&state, &request).await?))
}

/// The region of a regulator's token, if the caller presented one.
fn regulator_region(caller: &MaybeCaller) -> Option<&str> {
    caller.0.as_ref()?.principal.scope.region_code()
}

/// A region's smoothed score, venue-score distribution and tier counts, per category and child region.
#[utoipa::path(
    get, path = "/api/v1/regions/{code}/score", tag = "scores",
    params(("code" = String, Path, description = "Six-digit region code")),
    responses(
        (status = 200, body = RegionScoreBody),
        (status = 403, description = "With a regulator's token: a region outside its scope"),
        (status = 404, description = "Unknown region"),
        (status = 422, description = "Not a six-digit code"),
    )
)]
pub async fn region_score(
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    if let Some(root) = regulator_region(&caller) {
        let regions = state.reference.regions().await?;
        if regions.get(&path).is_some()
            && !Scope::Region(root.to_owned()).covers_region(&regions, &path)
        {
            return Err(ApiError::Forbidden(format!(
                "region {} is outside your scope",
                path.as_str()
            )));
        }
    }
    Ok(HttpResponse::Ok().json(rankings::region_score(&state, &path).await?))
}
