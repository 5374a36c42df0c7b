//! `GET /api/v1/regions/{code}/report`: a region's period report (the
//! year-end summary of regulators' requirements, clause 八) for admins and
//! the regulators of the region or a region above it.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::reports::{self, PeriodReport, ReportQuery};
use crate::app::supervision::region_in_scope;
use crate::app::{AppError, Caller, Slug};
use crate::error::ApiError;
use crate::http::AppState;

/// A region's figures for a period, and each child region's: venues rated,
/// ratings and the mean score with its movement against the previous period
/// of the same length, complaints received, handled on time, overdue and
/// still open, inspections done and failed, and tier moves up and down.
#[utoipa::path(
    get, path = "/api/v1/regions/{code}/report", tag = "console",
    params(("code" = String, Path, description = "Six-digit region code"), ReportQuery),
    responses(
        (status = 200, body = PeriodReport),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff, or a region outside the caller's scope"),
        (status = 404, description = "Unknown region"),
        (status = 422, description = "Not a six-digit region code (`/problems/invalid-region-code`); a day not written YYYY-MM-DD (`/problems/invalid-date`), after today (`/problems/date-in-future`) or before 2000 (`/problems/date-too-old`); `from` after `to` (`/problems/period-reversed`); a period over three years (`/problems/period-too-long`); another query parameter (`/problems/invalid-query`)"),
    ),
    security(("bearer" = []))
)]
pub async fn region_report(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let region = region_in_scope(&state, &caller.principal, Some(&path)).await?;
    let query: ReportQuery = serde_html_form::from_str(req.query_string())
        .map_err(|e| AppError::new(Slug::InvalidQuery, e.to_string()))?;
    let period = reports::parse_period(&state, query.from.as_deref(), query.to.as_deref())?;
    let report = reports::report(&state, &caller.principal, region.as_ref(), period).await?;
    Ok(HttpResponse::Ok().json(report))
}
