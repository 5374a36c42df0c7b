//! The venue dashboard's JSON routes: a venue's comments by day, the venue's
//! public reply to a comment, and what a venue publishes about itself (its
//! service-quality commitment and its Chief Quality Officer). Every role may
//! call them within its scope; outside it a venue or rating is not found.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::path_ids::parse_id;
use crate::app::quality_officers::{self, QualityOfficerBody, QualityOfficerRequest};
use crate::app::venue_profile::{
    self, CommentsPage, CommentsQuery, CommitmentBody, CommitmentRequest, ReplyRequest,
    SavedReplyBody, parse_page, scope_of,
};
use crate::app::{AppError, Caller, Slug};
use crate::domain::ids::RatingId;
use crate::domain::venue_profile::{CommitmentText, ReplyText};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::body::JsonBody;
use crate::store::dashboard::CommentFilter;

/// A venue's comments by local day, newest first, with its replies (any role, within scope).
#[utoipa::path(
    get, path = "/api/v1/venues/{id}/comments", tag = "dashboard",
    params(("id" = i64, Path, description = "Venue id"), CommentsQuery),
    responses(
        (status = 200, body = CommentsPage),
        (status = 401, description = "Missing or wrong token"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
        (status = 422, description = "Bad page number"),
    ),
    security(("bearer" = []))
)]
pub async fn comments(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path)?;
    let query: CommentsQuery = serde_html_form::from_str(req.query_string())
        .map_err(|e| AppError::new(Slug::InvalidQuery, e.to_string()))?;
    let page = parse_page(query.page.as_deref())?;
    let scope = scope_of(&state, &caller).await?;
    Ok(HttpResponse::Ok()
        .json(venue_profile::comments(&state, id, &scope, CommentFilter::default(), page).await?))
}

/// Publishes the venue's reply to a comment (any role, within scope). A
/// rating has one public reply: a second reply replaces the first (200), and
/// the audit log keeps both.
#[utoipa::path(
    post, path = "/api/v1/ratings/{id}/reply", tag = "dashboard",
    params(("id" = i64, Path, description = "Rating id")),
    request_body = ReplyRequest,
    responses(
        (status = 201, description = "The first reply to this rating", body = SavedReplyBody),
        (status = 200, description = "An earlier reply was replaced", body = SavedReplyBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 404, description = "Unknown or quarantined rating, or outside the caller's scope"),
        (status = 422, description = "Empty or overlong reply, or a rating without a comment"),
    ),
    security(("bearer" = []))
)]
pub async fn reply(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<ReplyRequest>,
) -> Result<HttpResponse, ApiError> {
    let rating_id = parse_id::<RatingId>(&path)?;
    let text = ReplyText::parse(&request.body).map_err(AppError::from)?;
    let (body, created) = venue_profile::reply(&state, &caller, rating_id, None, &text).await?;
    Ok(if created {
        HttpResponse::Created().json(body)
    } else {
        HttpResponse::Ok().json(body)
    })
}

/// Publishes or replaces a venue's service-quality commitment (any role,
/// within scope); it shows on the public venue page and is a tier rule input.
#[utoipa::path(
    put, path = "/api/v1/venues/{id}/commitment", tag = "dashboard",
    params(("id" = i64, Path, description = "Venue id")),
    request_body = CommitmentRequest,
    responses(
        (status = 200, body = CommitmentBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
        (status = 422, description = "Empty or overlong text"),
    ),
    security(("bearer" = []))
)]
pub async fn put_commitment(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<CommitmentRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path)?;
    let text = CommitmentText::parse(&request.text).map_err(AppError::from)?;
    let saved = venue_profile::commitment(&state, &caller, id, &text).await?;
    Ok(HttpResponse::Ok().json(saved))
}

/// Records or replaces a venue's Chief Quality Officer with the appointment
/// conditions and duties (any role, within scope); the training hours are the
/// sum of its training records. Venue staff file the registration
/// (`registration_status: pending`) or withdraw it (`unregistered`); once a
/// regulator registers it, it shows on the public venue page and is a tier
/// rule input.
#[utoipa::path(
    put, path = "/api/v1/venues/{id}/quality-officer", tag = "dashboard",
    params(("id" = i64, Path, description = "Venue id")),
    request_body = QualityOfficerRequest,
    responses(
        (status = 200, body = QualityOfficerBody),
        (status = 400, description = "Malformed JSON, or a field this route does not take (training hours come from the training records)"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Asking for `registered` or `refused`: a regulator decides a registration"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
        (status = 409, description = "Filing a registration that is registered already"),
        (status = 422, description = "A missing or invalid field, named in the detail"),
    ),
    security(("bearer" = []))
)]
pub async fn put_quality_officer(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<QualityOfficerRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path)?;
    let details = request.parse(state.clock.today())?;
    let saved = quality_officers::save(&state, &caller, id, &details).await?;
    Ok(HttpResponse::Ok().json(saved))
}
