//! The Chief Quality Officer registry over JSON (首席质量官; section B of the
//! regulators' requirements): the registry across venues for regulators, a
//! venue's officer with its training records and evaluations, the training
//! records its staff keep, the registration decision (备案, 三(五)) and the
//! yearly evaluation, both a regulator's acts.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::path_ids::{parse_id, parse_training_id};
use crate::app::quality_officers::{
    self, EvaluationBody, EvaluationRequest, OfficerRecordBody, QualityOfficerBody,
    RegistrationRequest, RegistryPage, RegistryQuery, TrainingBody, TrainingRequest,
};
use crate::app::{AppError, Caller, Slug};
use crate::domain::ids::VenueId;
use crate::domain::quality_officer::{Evaluation, TrainingRecord};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::body::JsonBody;

/// The registry of Chief Quality Officers across the venues in the caller's
/// scope (supervisors): each open venue with its officer, conditions (二(二)),
/// training hours, filing status and latest evaluation, by region and name.
#[utoipa::path(
    get, path = "/api/v1/quality-officers", tag = "quality officers",
    params(RegistryQuery),
    responses(
        (status = 200, body = RegistryPage),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff, or a region outside the caller's scope"),
        (status = 404, description = "Unknown region"),
        (status = 422, description = "An unknown status, a malformed region code or page"),
    ),
    security(("bearer" = []))
)]
pub async fn registry(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query: RegistryQuery = serde_html_form::from_str(req.query_string())
        .map_err(|e| AppError::new(Slug::InvalidQuery, e.to_string()))?;
    Ok(HttpResponse::Ok().json(quality_officers::registry(&state, &caller, &query, None).await?))
}

/// A venue's Chief Quality Officer with its training records and yearly
/// evaluations (any role, within scope); `officer` is null when it has none.
#[utoipa::path(
    get, path = "/api/v1/venues/{id}/quality-officer", tag = "quality officers",
    params(("id" = i64, Path, description = "Venue id")),
    responses(
        (status = 200, body = OfficerRecordBody),
        (status = 401, description = "Missing or wrong token"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
    ),
    security(("bearer" = []))
)]
pub async fn record(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: VenueId = parse_id(&path)?;
    Ok(HttpResponse::Ok().json(quality_officers::record(&state, &caller, id).await?))
}

/// A regulator in scope (or an admin) registers (备案) or refuses a pending
/// filing, with a reason (三(五)). Registering needs at least
/// `CQO_TRAINING_HOURS` (default 20) training hours on record (三(一)); the
/// venue's tier follows within seconds.
#[utoipa::path(
    post, path = "/api/v1/venues/{id}/quality-officer/registration", tag = "quality officers",
    params(("id" = i64, Path, description = "Venue id")),
    request_body = RegistrationRequest,
    responses(
        (status = 200, body = QualityOfficerBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff: registration is a regulator's act"),
        (status = 404, description = "Unknown venue, outside the caller's scope, or no officer on record"),
        (status = 409, description = "The filing is not pending (`/problems/cqo-registration-conflict`), or too few training hours are recorded to register (`/problems/cqo-training-short`)"),
        (status = 422, description = "An unknown decision, or a missing or overlong reason"),
    ),
    security(("bearer" = []))
)]
pub async fn decide(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<RegistrationRequest>,
) -> Result<HttpResponse, ApiError> {
    let id: VenueId = parse_id(&path)?;
    Ok(HttpResponse::Ok().json(quality_officers::decide(&state, &caller, id, &request).await?))
}

/// Adds a training record (course, provider, date, 0.5–100 hours) to the
/// venue's officer (any role, within scope); the officer's training hours are
/// the sum of its records.
#[utoipa::path(
    post, path = "/api/v1/venues/{id}/quality-officer/trainings", tag = "quality officers",
    params(("id" = i64, Path, description = "Venue id")),
    request_body = TrainingRequest,
    responses(
        (status = 201, body = TrainingBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 404, description = "Unknown venue, outside the caller's scope, or no officer on record"),
        (status = 422, description = "A missing or invalid field, named in the detail"),
    ),
    security(("bearer" = []))
)]
pub async fn add_training(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<TrainingRequest>,
) -> Result<HttpResponse, ApiError> {
    let id: VenueId = parse_id(&path)?;
    let record = TrainingRecord::parse(
        &request.course,
        &request.provider,
        &request.trained_on,
        request.hours,
        state.clock.today(),
    )
    .map_err(AppError::from)?;
    let saved = quality_officers::add_training(&state, &caller, id, &record).await?;
    Ok(HttpResponse::Created().json(saved))
}

/// The officer's training hours after a record was removed.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingHoursBody {
    /// The sum of the remaining records.
    pub training_hours: f64,
}

/// Removes a training record of the venue's officer (any role, within scope).
#[utoipa::path(
    delete, path = "/api/v1/venues/{id}/quality-officer/trainings/{training_id}", tag = "quality officers",
    params(
        ("id" = i64, Path, description = "Venue id"),
        ("training_id" = i64, Path, description = "Training record id"),
    ),
    responses(
        (status = 200, body = TrainingHoursBody),
        (status = 401, description = "Missing or wrong token"),
        (status = 404, description = "Unknown venue or record, or outside the caller's scope"),
    ),
    security(("bearer" = []))
)]
pub async fn remove_training(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (venue, training) = path.into_inner();
    let id: VenueId = parse_id(&venue)?;
    let training_id = parse_training_id(&training)?;
    let training_hours =
        quality_officers::remove_training(&state, &caller, id, training_id).await?;
    Ok(HttpResponse::Ok().json(TrainingHoursBody { training_hours }))
}

/// A regulator in scope (or an admin) records the year's evaluation of a
/// registered officer: `excellent`, `qualified` or `unqualified`, with
/// reasons; a second one for the same year replaces the first (both audited).
#[utoipa::path(
    post, path = "/api/v1/venues/{id}/quality-officer/evaluations", tag = "quality officers",
    params(("id" = i64, Path, description = "Venue id")),
    request_body = EvaluationRequest,
    responses(
        (status = 201, body = EvaluationBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown venue, outside the caller's scope, or no officer on record"),
        (status = 409, description = "The officer is not registered"),
        (status = 422, description = "A year outside 2000 to this year, an unknown grade, or missing reasons"),
    ),
    security(("bearer" = []))
)]
pub async fn evaluate(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<EvaluationRequest>,
) -> Result<HttpResponse, ApiError> {
    let id: VenueId = parse_id(&path)?;
    let evaluation = Evaluation::parse(
        request.year,
        &request.grade,
        &request.reasons,
        state.clock.today(),
    )
    .map_err(AppError::from)?;
    let saved = quality_officers::evaluate(&state, &caller, id, &evaluation).await?;
    Ok(HttpResponse::Created().json(saved))
}
