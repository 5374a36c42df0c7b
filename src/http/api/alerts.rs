//! Alerts for regulators over JSON: the inbox of the caller's region and
//! marking an alert read.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::alerts::{self, AlertList, INBOX_PAGE};
use crate::app::paging::Paging;
use crate::app::path_ids::parse_alert_id;
use crate::app::{AppError, Caller, Slug};
use crate::error::ApiError;
use crate::http::AppState;

/// `?unread=&page=&per_page=`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// `true`: only the alerts the caller has not read; `false` (the default): all.
    pub unread: Option<String>,
    /// Page, from 1.
    pub page: Option<String>,
    /// Alerts a page, 1–100 (default 30).
    pub per_page: Option<String>,
}

/// Alerts in the caller's scope, newest first: campaigns of bought ratings
/// detected, score drops, red-flag tags clustering, overdue cases.
#[utoipa::path(
    get, path = "/api/v1/alerts", tag = "supervision",
    params(InboxQuery),
    responses(
        (status = 200, body = AlertList),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 422, description = "A bad page or an unknown parameter"),
    ),
    security(("bearer" = []))
)]
pub async fn inbox(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query: InboxQuery = serde_html_form::from_str(req.query_string())
        .map_err(|e| AppError::new(Slug::InvalidQuery, e.to_string()))?;
    let unread_only = match query.unread.as_deref().map(str::trim) {
        None | Some("" | "false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(AppError::new(Slug::InvalidQuery, "unread must be true or false").into());
        }
    };
    let paging = Paging::parse(
        query.page.as_deref(),
        query.per_page.as_deref(),
        INBOX_PAGE,
        Slug::InvalidPage,
    )?;
    Ok(HttpResponse::Ok().json(alerts::inbox(&state, &caller, unread_only, paging).await?))
}

/// Marks an alert read by the caller (others still see it unread).
#[utoipa::path(
    post, path = "/api/v1/alerts/{id}/read", tag = "supervision",
    params(("id" = i64, Path, description = "Alert id")),
    responses(
        (status = 204, description = "Read"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown alert, or outside the caller's scope"),
    ),
    security(("bearer" = []))
)]
pub async fn read(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_alert_id(&path)?;
    alerts::mark_read(&state, &caller, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
