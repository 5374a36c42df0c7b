//! Who may call what. Today there are two kinds of caller: anyone, and the
//! holder of `ADMIN_TOKEN`; the table below lists every route's rule.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, web};

use super::AppState;
use crate::domain::code::constant_time_eq;
use crate::error::ApiError;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without credentials.
    Public,
    /// Only with `Authorization: Bearer <ADMIN_TOKEN>`.
    Admin,
}

/// Every route (method, pattern) and who may call it. A test checks that every
/// documented operation is listed here and that each rule holds over HTTP.
pub const ROUTE_ACCESS: &[(&str, &str, Access)] = &[
    ("GET", "/healthz", Access::Public),
    ("GET", "/readyz", Access::Public),
    ("GET", "/metrics", Access::Public),
    ("GET", "/openapi.json", Access::Public),
    ("GET", "/docs", Access::Public),
    ("GET", "/r/{code}", Access::Public),
    ("POST", "/r/{code}", Access::Public),
    ("GET", "/v/{id}", Access::Public),
    ("GET", "/rankings", Access::Public),
    ("GET", "/about/scores", Access::Public),
    ("POST", "/api/v1/venues", Access::Admin),
    ("GET", "/api/v1/venues/{id}", Access::Public),
    ("POST", "/api/v1/venues/{id}/code", Access::Admin),
    ("GET", "/api/v1/venues/{id}/qr.png", Access::Public),
    ("GET", "/api/v1/venues/{id}/qr.svg", Access::Public),
    ("GET", "/api/v1/venues/{id}/score", Access::Public),
    ("GET", "/api/v1/venues/{id}/tier/history", Access::Public),
    ("POST", "/api/v1/ratings", Access::Public),
    ("POST", "/api/v1/ratings/{id}/quarantine", Access::Admin),
    ("POST", "/api/v1/ratings/{id}/release", Access::Admin),
    ("GET", "/api/v1/rankings", Access::Public),
    ("GET", "/api/v1/regions/{code}/score", Access::Public),
];

/// Proof that the request carried the admin bearer token.
#[derive(Debug)]
pub struct Admin;

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let Some(state) = req.app_data::<web::Data<AppState>>() else {
            return ready(Err(ApiError::Internal));
        };
        let presented = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let ok = presented.is_some_and(|token| {
            constant_time_eq(token.as_bytes(), state.settings.admin_token.as_bytes())
        });
        ready(if ok {
            Ok(Admin)
        } else {
            Err(ApiError::Unauthorized)
        })
    }
}
