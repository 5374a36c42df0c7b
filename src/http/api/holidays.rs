//! The working-day calendar over JSON: a year's holidays and make-up working
//! days for anyone signed in, one day set or cleared by an admin, and each
//! region's case clocks.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Datelike;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::working_days::{
    self, ClocksBody, ClocksRequest, HolidayBody, HolidayRequest, HolidayYear,
};
use crate::app::{AppError, Caller, Slug};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::body::JsonBody;

/// `?year=`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// The year, 2000–2100; this year when absent.
    pub year: Option<String>,
}

/// A year of the calendar: every day that is not what its weekday says
/// (`holiday` on a weekday, `workday` on a weekend).
#[utoipa::path(
    get, path = "/api/v1/holidays", tag = "calendar",
    params(YearQuery),
    responses(
        (status = 200, body = HolidayYear),
        (status = 401, description = "Missing or wrong token"),
        (status = 422, description = "Not a year from 2000 to 2100, or an unknown parameter"),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    _caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query: YearQuery = serde_html_form::from_str(req.query_string())
        .map_err(|e| AppError::new(Slug::InvalidQuery, e.to_string()))?;
    let year = working_days::parse_year(query.year.as_deref(), state.clock.today().year())?;
    Ok(HttpResponse::Ok().json(working_days::year(&state, year).await?))
}

/// Sets a day to `holiday` or `workday` (admins). Due dates computed from
/// then on count with it.
#[utoipa::path(
    put, path = "/api/v1/holidays/{date}", tag = "calendar",
    params(("date" = String, Path, description = "The day, YYYY-MM-DD")),
    request_body = HolidayRequest,
    responses(
        (status = 200, body = HolidayBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Not an admin"),
        (status = 422, description = "Not a date, an unknown kind, or a name too long or with control characters"),
    ),
    security(("bearer" = []))
)]
pub async fn put(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<HolidayRequest>,
) -> Result<HttpResponse, ApiError> {
    let day = working_days::parse_day(&path)?;
    let set = working_days::set_day(&state, &caller, day, Some(&request)).await?;
    Ok(HttpResponse::Ok().json(set))
}

/// Returns a day to the weekday rule (admins).
#[utoipa::path(
    delete, path = "/api/v1/holidays/{date}", tag = "calendar",
    params(("date" = String, Path, description = "The day, YYYY-MM-DD")),
    responses(
        (status = 204, description = "The day follows its weekday again"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Not an admin"),
        (status = 422, description = "Not a date"),
    ),
    security(("bearer" = []))
)]
pub async fn delete(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let day = working_days::parse_day(&path)?;
    working_days::set_day(&state, &caller, day, None).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The case clocks in force in a region: its own, its nearest ancestor's,
/// or the defaults (5 working days to accept, 10 days for the venue, 60 for
/// mediation, 90 days of service age, contacts kept 180 days after closure).
#[utoipa::path(
    get, path = "/api/v1/regions/{code}/case-clocks", tag = "calendar",
    params(("code" = String, Path, description = "Six-digit region code")),
    responses(
        (status = 200, body = ClocksBody),
        (status = 401, description = "Missing or wrong token"),
        (status = 404, description = "Unknown region"),
        (status = 422, description = "Not a six-digit code"),
    ),
    security(("bearer" = []))
)]
pub async fn get_clocks(
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(working_days::clocks(&state, &path).await?))
}

/// Sets a region's own case clocks (admins); its subregions follow them
/// unless they set their own. Due dates computed from then on use them.
#[utoipa::path(
    put, path = "/api/v1/regions/{code}/case-clocks", tag = "calendar",
    params(("code" = String, Path, description = "Six-digit region code")),
    request_body = ClocksRequest,
    responses(
        (status = 200, body = ClocksBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Not an admin"),
        (status = 404, description = "Unknown region"),
        (status = 422, description = "Not a six-digit code, or a clock out of its range"),
    ),
    security(("bearer" = []))
)]
pub async fn put_clocks(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<ClocksRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(working_days::set_clocks(&state, &caller, &path, &request).await?))
}
