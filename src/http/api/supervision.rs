//! JSON for the regulator console: `GET /api/v1/overview` (a region at a
//! glance), a venue's ratings with their quarantine state, and its violations
//! (list and record). The console's HTML pages and exports call the same
//! loaders, so a page, its download and this API never disagree.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::path_ids::parse_id;
use crate::app::supervision::{self, Overview, OverviewQuery, RatingReviewPage, RatingsQuery};
use crate::app::violations::{self, ViolationBody, ViolationList, ViolationRequest};
use crate::app::{AppError, Caller, Slug};
use crate::domain::violation::NewViolation;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::body::JsonBody;
use crate::store::ScopeFilter;
use crate::store::console::RatingFilter;

/// A region at a glance for admins and regulators: figures, child regions,
/// the 10 lowest-scoring and 10 fastest-falling venues, today's ratings,
/// unresolved complaints and the tier C/D venues.
#[utoipa::path(
    get, path = "/api/v1/overview", tag = "console",
    params(OverviewQuery),
    responses(
        (status = 200, body = Overview),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff, or a region outside the caller's scope"),
        (status = 404, description = "Unknown region"),
        (status = 422, description = "Not a six-digit region code"),
    ),
    security(("bearer" = []))
)]
pub async fn overview(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query: OverviewQuery = serde_html_form::from_str(req.query_string())
        .map_err(|e| AppError::new(Slug::InvalidQuery, e.to_string()))?;
    let region =
        supervision::region_in_scope(&state, &caller.principal, query.region.as_deref()).await?;
    Ok(HttpResponse::Ok().json(supervision::overview(&state, region.as_ref()).await?))
}

/// A venue's ratings with their quarantine state, newest first (admins and regulators, within scope).
#[utoipa::path(
    get, path = "/api/v1/venues/{id}/ratings", tag = "console",
    params(("id" = i64, Path, description = "Venue id"), RatingsQuery),
    responses(
        (status = 200, body = RatingReviewPage),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
        (status = 422, description = "`page` or `per_page` out of range or not a whole number, given twice, or another query parameter (`/problems/invalid-query`)"),
    ),
    security(("bearer" = []))
)]
pub async fn venue_ratings(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let venue = supervision::venue_in_scope(&state, &caller.principal, parse_id(&path)?).await?;
    let paging = RatingsQuery::parse(req.query_string())?.paging()?;
    let scope = ScopeFilter::of(&caller.principal.scope, &*state.reference.regions().await?);
    Ok(HttpResponse::Ok().json(
        supervision::ratings(&state, venue.id, &scope, &RatingFilter::default(), paging).await?,
    ))
}

/// Records a violation (admins and regulators, within scope). A serious one
/// puts the venue in tier C for 12 months.
#[utoipa::path(
    post, path = "/api/v1/venues/{id}/violations", tag = "console",
    params(("id" = i64, Path, description = "Venue id")),
    request_body = ViolationRequest,
    responses(
        (status = 201, body = ViolationBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
        (status = 422, description = "Bad date (not YYYY-MM-DD, in the future, before 2000), or an empty or overlong description, or one holding a control character or a direction override (`/problems/control-character`)"),
    ),
    security(("bearer" = []))
)]
pub async fn create_violation(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<ViolationRequest>,
) -> Result<HttpResponse, ApiError> {
    let venue_id = parse_id(&path)?;
    let violation = NewViolation::parse(
        &request.occurred_on,
        request.serious,
        &request.description,
        state.clock.today(),
    )
    .map_err(AppError::from)?;
    let stored = violations::record(&state, &caller, venue_id, &violation).await?;
    Ok(HttpResponse::Created().json(stored))
}

/// A venue's violations, latest first (admins and regulators, within scope).
#[utoipa::path(
    get, path = "/api/v1/venues/{id}/violations", tag = "console",
    params(("id" = i64, Path, description = "Venue id")),
    responses(
        (status = 200, body = ViolationList),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
    ),
    security(("bearer" = []))
)]
pub async fn list_violations(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let list = violations::list(&state, &caller, parse_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(list))
}
