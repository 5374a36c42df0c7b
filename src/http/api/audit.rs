//! `GET /api/v1/audit`: the audit log, newest first, cut to the caller's scope.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::audit::{self, AuditPage, AuditQuery};
use crate::app::{AppError, Caller, Slug};
use crate::error::ApiError;
use crate::http::AppState;

/// Reads the audit log within the caller's scope (admins and regulators).
#[utoipa::path(
    get, path = "/api/v1/audit", tag = "access",
    params(AuditQuery),
    responses(
        (status = 200, body = AuditPage),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 422, description = "Bad paging or action"),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query: AuditQuery = serde_html_form::from_str(req.query_string())
        .map_err(|e| AppError::new(Slug::InvalidQuery, e.to_string()))?;
    let request = audit::parse_query(&query)?;
    let page = audit::page(&state, &caller.principal, &request).await?;
    Ok(HttpResponse::Ok().json(page))
}
