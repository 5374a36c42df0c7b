//! Complaint cases over JSON: the queue, one case with its timeline, and the
//! steps of the state machine (`POST .../transitions`). Regulators and admins
//! see the cases of their region; venue staff the cases about their venues,
//! never the contact, and may give only the venue's answer.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::Caller;
use crate::app::case_entry::{self, EnteredCaseBody, EnteredComplaint};
use crate::app::cases::{self, CaseDetail, CaseList, CaseQuery, TransitionRequest};
use crate::app::path_ids::parse_case_id;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::body::JsonBody;

/// Cases in the caller's scope, by due date (`region`, `venue_id`, `state`,
/// `overdue`, `due_soon`, `category` filter them).
#[utoipa::path(
    get, path = "/api/v1/complaints", tag = "complaints",
    params(CaseQuery),
    responses(
        (status = 200, body = CaseList),
        (status = 401, description = "Missing or wrong token"),
        (status = 404, description = "Unknown region"),
        (status = 422, description = "A bad filter, page or an unknown parameter (`/problems/invalid-query`, `/problems/unknown-case-state`, `/problems/invalid-region-code`)"),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = CaseQuery::parse(req.query_string())?;
    Ok(HttpResponse::Ok().json(cases::list(&state, &caller, &query).await?))
}

/// One case with its timeline `events: [{at, state, actor, note}]`.
#[utoipa::path(
    get, path = "/api/v1/complaints/{id}", tag = "complaints",
    params(("id" = i64, Path, description = "Case id")),
    responses(
        (status = 200, body = CaseDetail),
        (status = 401, description = "Missing or wrong token"),
        (status = 404, description = "Unknown case, or outside the caller's scope"),
    ),
    security(("bearer" = []))
)]
pub async fn get(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_case_id(&path)?;
    Ok(HttpResponse::Ok().json(cases::detail(&state, &caller, id).await?))
}

/// Moves a case one step. Allowed: submitted or transferred → accepted,
/// rejected (with `reason`), transferred (with `reason` and `region_code`);
/// accepted → venue_replied (the venue's answer in `note`) or mediating;
/// venue_replied → mediating; mediating → resolved or closed_unresolved. A
/// verdict (`upheld` with `venue_at_fault`) sets what the credit tier reads.
#[utoipa::path(
    post, path = "/api/v1/complaints/{id}/transitions", tag = "complaints",
    params(("id" = i64, Path, description = "Case id")),
    request_body = TransitionRequest,
    responses(
        (status = 200, body = CaseDetail),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff taking a regulator's step, or a case handled by a region outside the caller's scope"),
        (status = 404, description = "Unknown case, or outside the caller's scope"),
        (status = 409, description = "The state machine does not allow this step from the case's state, or another step came first (`/problems/transition-not-allowed`)"),
        (status = 422, description = "Unknown `to`, a missing reason, answer or region, an unknown region, the handling region itself, a half verdict, or text too long or with control characters"),
    ),
    security(("bearer" = []))
)]
pub async fn transition(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<TransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_case_id(&path)?;
    Ok(HttpResponse::Ok().json(cases::step(&state, &caller, id, &request).await?))
}

/// A revealed contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactBody {
    /// The contact as the visitor gave it; null when none was given or it was erased.
    pub contact: Option<String>,
}

/// Reveals a case's contact to a regulator handling it; the reveal is
/// audited with who and when.
#[utoipa::path(
    post, path = "/api/v1/complaints/{id}/contact", tag = "complaints",
    params(("id" = i64, Path, description = "Case id")),
    responses(
        (status = 200, body = ContactBody),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff, or a regulator not handling the case"),
        (status = 404, description = "Unknown case, or outside the caller's scope"),
    ),
    security(("bearer" = []))
)]
pub async fn reveal_contact(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_case_id(&path)?;
    let contact = cases::reveal_contact(&state, &caller, id).await?;
    Ok(HttpResponse::Ok().json(ContactBody { contact }))
}

/// Enters a complaint taken by telephone or from the 12345 hotline (admins
/// and regulators, for a venue in scope): a new case, due like any other.
#[utoipa::path(
    post, path = "/api/v1/complaints", tag = "complaints",
    request_body = EnteredComplaint,
    responses(
        (status = 201, body = EnteredCaseBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
        (status = 422, description = "An unknown source, an empty or overlong description or contact, a bad or future service day or time received, a time received before the service (`/problems/received-before-service`), or a service too long before it (`/problems/service-too-old`)"),
    ),
    security(("bearer" = []))
)]
pub async fn enter(
    caller: Caller,
    state: web::Data<AppState>,
    JsonBody(request): JsonBody<EnteredComplaint>,
) -> Result<HttpResponse, ApiError> {
    let entered = case_entry::enter(&state, &caller, &request).await?;
    Ok(HttpResponse::Created().json(entered))
}
