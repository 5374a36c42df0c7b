//! Liveness, readiness and metrics.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::AppState;
use crate::store::{self, SchemaState};

/// Readiness report.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// "up" or "down".
    pub postgres: &'static str,
    /// "current", "behind" (run `qrfeedback migrate`; the service is not
    /// ready) or "unknown" while Postgres is down.
    pub schema: &'static str,
    /// "up", "down" or "not_configured"; Redis down does not make the service unready.
    pub redis: &'static str,
    /// The read replica: "in_use", "lagging" or "down" (its reads then go to
    /// the primary), or "not_configured"; never makes the service unready.
    pub replica: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "Alive")))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// Readiness: Postgres reachable (503 otherwise); Redis reported.
#[utoipa::path(
    get, path = "/readyz", tag = "operations",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness))
)]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let check = store::schema_state(&state.pool);
    let schema = match tokio::time::timeout(Duration::from_secs(2), check).await {
        Ok(Ok(schema)) => Some(schema),
        Ok(Err(_)) | Err(_) => None,
    };
    let postgres_up = schema.is_some();
    let redis = if !state.live.is_configured() {
        "not_configured"
    } else if state.live.is_up() {
        "up"
    } else {
        "down"
    };
    let report = Readiness {
        postgres: if postgres_up { "up" } else { "down" },
        schema: match schema {
            Some(SchemaState::Current) => "current",
            Some(SchemaState::Behind) => "behind",
            None => "unknown",
        },
        redis,
        replica: state.reads.state().key(),
    };
    if schema == Some(SchemaState::Current) {
        HttpResponse::Ok().json(report)
    } else {
        HttpResponse::ServiceUnavailable()
            .insert_header((
                "Retry-After",
                crate::error::RETRY_AFTER_UNAVAILABLE_SECS.to_string(),
            ))
            .json(report)
    }
}

/// Prometheus text exposition.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    state.metrics.db_pool_size.set(i64::from(state.pool.size()));
    state.metrics.db_pool_idle.set(state.pool.num_idle() as i64);
    state.metrics.redis_up.set(i64::from(state.live.is_up()));
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render())
}
