//! `GET /api/v1/audit`: the audit log, newest first, cut to the caller's scope.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::access::Caller;
use crate::error::ApiError;
use crate::store::ScopeFilter;
use crate::store::audit::{self, AuditRecord};

/// Query of `GET /api/v1/audit`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only entries older than this id (the `next_before` of the previous page).
    pub before: Option<String>,
    /// Entries per page, 1–200 (default 50).
    pub limit: Option<String>,
}

/// A page of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    /// Entries, newest first.
    pub items: Vec<AuditRecord>,
    /// Pass as `before` for the next page; `null` at the end.
    pub next_before: Option<i64>,
}

/// Reads the audit log within the caller's scope (admins and regulators).
#[utoipa::path(
    get, path = "/api/v1/audit", tag = "access",
    params(AuditQuery),
    responses(
        (status = 200, body = AuditPage),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 422, description = "Bad paging"),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query: AuditQuery = serde_html_form::from_str(req.query_string())
        .map_err(|e| ApiError::invalid("invalid-query", e.to_string()))?;
    let number = |raw: &Option<String>, max: i64| -> Result<Option<i64>, ApiError> {
        match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .map(Some)
                .ok_or_else(|| {
                    ApiError::invalid(
                        "invalid-query",
                        format!("expected a number from 1 to {max}"),
                    )
                }),
        }
    };
    let before = number(&query.before, i64::MAX)?;
    let limit = number(&query.limit, 200)?.unwrap_or(50);
    let scope = ScopeFilter::of(&caller.principal.scope, &*state.scores.regions().await?);
    let items = audit::list(
        &state.pool,
        scope.all,
        &scope.region_codes,
        &scope.venue_ids,
        before,
        limit,
    )
    .await?;
    let next_before = (items.len() as i64 == limit)
        .then(|| items.last().map(|e| e.id))
        .flatten();
    Ok(HttpResponse::Ok().json(AuditPage { items, next_before }))
}
