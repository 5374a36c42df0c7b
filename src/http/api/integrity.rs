//! The review queue of bought scores over JSON: the incidents the
//! detectors hold in the caller's region, and the decisions on them.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::integrity::{
    self, HoldDecisionBody, HoldDecisionRequest, IncidentDetail, IncidentList, QUEUE_PAGE,
};
use crate::app::paging::Paging;
use crate::app::path_ids::{parse_hold_id, parse_incident_id};
use crate::app::{AppError, Caller, Slug};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::body::JsonBody;
use crate::store::integrity::DecisionTarget;

/// `?open=&page=&per_page=`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// `true` (the default): only incidents still holding ratings; `false`: every one.
    pub open: Option<String>,
    /// Page, from 1.
    pub page: Option<String>,
    /// Incidents a page, 1–100 (default 20).
    pub per_page: Option<String>,
}

/// Incidents of bought ratings in the caller's scope: those still holding
/// ratings first, those holding several before single held ratings.
#[utoipa::path(
    get, path = "/api/v1/integrity/incidents", tag = "moderation",
    params(QueueQuery),
    responses(
        (status = 200, body = IncidentList),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 422, description = "A bad page or an unknown parameter"),
    ),
    security(("bearer" = []))
)]
pub async fn queue(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query: QueueQuery = serde_html_form::from_str(req.query_string())
        .map_err(|e| AppError::new(Slug::InvalidQuery, e.to_string()))?;
    let open_only = match query.open.as_deref().map(str::trim) {
        None | Some("" | "true") => true,
        Some("false") => false,
        Some(_) => {
            return Err(AppError::new(Slug::InvalidQuery, "open must be true or false").into());
        }
    };
    let paging = Paging::parse(
        query.page.as_deref(),
        query.per_page.as_deref(),
        QUEUE_PAGE,
        Slug::InvalidPage,
    )?;
    Ok(HttpResponse::Ok().json(integrity::queue(&state, &caller, open_only, paging).await?))
}

/// One incident with its ratings, the signals that fired on each and the
/// decisions taken.
#[utoipa::path(
    get, path = "/api/v1/integrity/incidents/{id}", tag = "moderation",
    params(("id" = i64, Path, description = "Incident id")),
    responses(
        (status = 200, body = IncidentDetail),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown incident, or outside the caller's scope"),
    ),
    security(("bearer" = []))
)]
pub async fn incident(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_incident_id(&path)?;
    Ok(HttpResponse::Ok().json(integrity::incident(&state, &caller, id).await?))
}

/// Releases (back into every count) or confirms (bought: stays out) every
/// rating the incident still holds, with a reason; audited.
#[utoipa::path(
    post, path = "/api/v1/integrity/incidents/{id}/decision", tag = "moderation",
    params(("id" = i64, Path, description = "Incident id")),
    request_body = HoldDecisionRequest,
    responses(
        (status = 200, body = HoldDecisionBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown incident, or outside the caller's scope"),
        (status = 409, description = "Nothing of it is held any more (`/problems/nothing-held`)"),
        (status = 422, description = "An unknown decision, or a missing or overlong reason"),
    ),
    security(("bearer" = []))
)]
pub async fn decide_incident(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<HoldDecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_incident_id(&path)?;
    let target = DecisionTarget::Incident(id);
    Ok(HttpResponse::Ok().json(integrity::decide(&state, &caller, target, &request).await?))
}

/// Releases or confirms one held rating, with a reason; audited.
#[utoipa::path(
    post, path = "/api/v1/integrity/holds/{rating_id}/decision", tag = "moderation",
    params(("rating_id" = i64, Path, description = "The held rating's id")),
    request_body = HoldDecisionRequest,
    responses(
        (status = 200, body = HoldDecisionBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Not a held rating, or outside the caller's scope"),
        (status = 409, description = "Decided already (`/problems/nothing-held`)"),
        (status = 422, description = "An unknown decision, or a missing or overlong reason"),
    ),
    security(("bearer" = []))
)]
pub async fn decide_hold(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<HoldDecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_hold_id(&path)?;
    let target = DecisionTarget::Rating(id);
    Ok(HttpResponse::Ok().json(integrity::decide(&state, &caller, target, &request).await?))
}
