//! actix handlers, one file per resource; every route is declared in [`routes`].

pub mod access;
pub mod accounts;
pub mod audit;
pub mod dashboard;
pub mod dashboard_api;
pub mod docs;
pub mod health;
pub mod html;
pub mod login;
pub mod moderation;
pub mod pages;
pub mod public_pages;
pub mod qr;
pub mod rankings;
pub mod rating_page;
pub mod ratings;
pub mod scores;
pub mod signed_in;
pub mod tokens;
pub mod venues;

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use moka::future::Cache;
use sqlx::PgPool;

use crate::config::Settings;
use crate::domain::code::VenueCode;
use crate::domain::secrets::Secrets;
use crate::intake::Intake;
use crate::jobs::scores::ScoreEngine;
use crate::live::Live;
use crate::store::StoreError;
use crate::store::venues::{CodeStatus, lookup_code};
use crate::telemetry::Metrics;

/// How long a resolved code is cached in process. A reissue clears the local
/// entry at once; other instances see it within this time.
const CODE_CACHE_TTL: Duration = Duration::from_secs(10);

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// Postgres pool.
    pub pool: PgPool,
    /// Redis, possibly down.
    pub live: Live,
    /// The rating write path.
    pub intake: Intake,
    /// Scores: constants, tier rules, region tree.
    pub scores: Arc<ScoreEngine>,
    /// Derived keys.
    pub secrets: Arc<Secrets>,
    /// Settings.
    pub settings: Arc<Settings>,
    /// Metrics registry.
    pub metrics: Metrics,
    codes: Cache<String, CodeStatus>,
    /// First-view rating pages by (code, language), split around the form token.
    pub page_shells: Cache<(String, &'static str), Arc<PageShell>>,
}

/// A rendered first-view rating page with a hole where the per-view form token goes.
#[derive(Debug)]
pub struct PageShell {
    /// Everything before the token.
    pub before_token: String,
    /// Everything after the token.
    pub after_token: String,
}

impl AppState {
    /// Builds the state.
    pub fn new(
        pool: PgPool,
        live: Live,
        intake: Intake,
        scores: Arc<ScoreEngine>,
        secrets: Arc<Secrets>,
        settings: Arc<Settings>,
        metrics: Metrics,
    ) -> Self {
        let codes = Cache::builder()
            .max_capacity(200_000)
            .time_to_live(CODE_CACHE_TTL)
            .build();
        // Pages change with the venue's name and code: same lifetime as codes.
        let page_shells = Cache::builder()
            .max_capacity(20_000)
            .time_to_live(CODE_CACHE_TTL)
            .build();
        Self {
            pool,
            live,
            intake,
            scores,
            secrets,
            settings,
            metrics,
            codes,
            page_shells,
        }
    }

    /// Resolves a scanned code through the in-process cache.
    pub async fn resolve_code(&self, raw: &str) -> Result<CodeStatus, StoreError> {
        let Some(code) = VenueCode::parse(raw) else {
            return Ok(CodeStatus::Unknown);
        };
        if let Some(hit) = self.codes.get(code.as_str()).await {
            return Ok(hit);
        }
        let status = lookup_code(&self.pool, self.secrets.code_key(), &code).await?;
        // Unknown codes are not cached: anyone can make up endless ones.
        if !matches!(status, CodeStatus::Unknown) {
            self.codes
                .insert(code.as_str().to_owned(), status.clone())
                .await;
        }
        Ok(status)
    }

    /// Forgets a cached code (after a reissue).
    pub async fn forget_code(&self, code: &str) {
        self.codes.invalidate(code).await;
    }

    /// The public rating URL for a code.
    pub fn rating_url(&self, code: &str) -> String {
        format!("{}/r/{}", self.settings.public_base_url, code)
    }
}

/// Registers every route of the service.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(health::metrics))
        .route("/openapi.json", web::get().to(docs::openapi_json))
        .route("/docs", web::get().to(docs::docs_page))
        .route("/r/{code}", web::get().to(rating_page::show))
        .route("/r/{code}", web::post().to(rating_page::submit))
        .route("/v/{id}", web::get().to(public_pages::venue))
        .route("/rankings", web::get().to(public_pages::rankings))
        .route("/about/scores", web::get().to(public_pages::about_scores))
        .route("/login", web::get().to(login::show))
        .route("/login", web::post().to(login::submit))
        .route("/logout", web::post().to(login::logout))
        .route(
            "/logout-everywhere",
            web::post().to(login::logout_everywhere),
        )
        .route("/dashboard", web::get().to(dashboard::index))
        .route("/dashboard/venues/{id}", web::get().to(dashboard::venue))
        .route(
            "/dashboard/venues/{id}/poster",
            web::get().to(dashboard::poster),
        )
        .route(
            "/dashboard/venues/{id}/replies/{rating_id}",
            web::post().to(dashboard::submit_reply),
        )
        .route(
            "/dashboard/venues/{id}/commitment",
            web::post().to(dashboard::submit_commitment),
        )
        .route(
            "/dashboard/venues/{id}/quality-officer",
            web::post().to(dashboard::submit_quality_officer),
        )
        .route(
            "/dashboard/venues/{id}/code",
            web::post().to(dashboard::submit_reissue),
        )
        .service(
            web::scope("/api/v1")
                .route("/venues", web::post().to(venues::create))
                .route("/venues/{id}", web::get().to(venues::get))
                .route("/venues/{id}/code", web::post().to(venues::reissue_code))
                .route("/venues/{id}/qr.png", web::get().to(qr::png))
                .route("/venues/{id}/qr.svg", web::get().to(qr::svg))
                .route("/venues/{id}/score", web::get().to(scores::venue_score))
                .route(
                    "/venues/{id}/tier/history",
                    web::get().to(scores::tier_history),
                )
                .route("/ratings", web::post().to(ratings::create))
                .route(
                    "/ratings/{id}/quarantine",
                    web::post().to(moderation::quarantine),
                )
                .route("/ratings/{id}/release", web::post().to(moderation::release))
                .route("/tokens", web::post().to(tokens::create))
                .route("/tokens/{id}", web::delete().to(tokens::revoke))
                .route("/accounts", web::post().to(accounts::create))
                .route("/accounts", web::get().to(accounts::list))
                .route(
                    "/invitations/{token}",
                    web::post().to(accounts::accept_invitation),
                )
                .route("/audit", web::get().to(audit::list))
                .route("/rankings", web::get().to(rankings::ranking))
                .route(
                    "/regions/{code}/score",
                    web::get().to(rankings::region_score),
                )
                .route(
                    "/venues/{id}/comments",
                    web::get().to(dashboard_api::comments),
                )
                .route("/ratings/{id}/reply", web::post().to(dashboard_api::reply))
                .route(
                    "/venues/{id}/commitment",
                    web::put().to(dashboard_api::put_commitment),
                )
                .route(
                    "/venues/{id}/quality-officer",
                    web::put().to(dashboard_api::put_quality_officer),
                ),
        );
}
