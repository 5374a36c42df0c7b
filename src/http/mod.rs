//! actix handlers, one file per resource; every route is declared in [`routes`].

pub mod access;
pub mod account_password;
pub mod account_security;
pub mod accounts;
pub mod audit;
pub mod body_limit;
pub mod client;
pub mod console;
pub mod console_api;
pub mod dashboard;
pub mod dashboard_api;
pub mod docs;
pub mod export;
pub mod health;
pub mod html;
pub mod invite_page;
pub mod login;
pub mod moderation;
pub mod pages;
pub mod people;
pub mod public_pages;
pub mod qr;
pub mod rankings;
pub mod rating_page;
pub mod ratings;
pub mod scores;
pub mod security_headers;
pub mod signed_in;
pub mod tokens;
pub mod venues;

use std::sync::Arc;
use std::time::Duration;

use actix_web::{HttpRequest, guard, web};
use moka::future::Cache;
use sqlx::PgPool;

use crate::clock::Clock;
use crate::config::Settings;
use crate::domain::code::VenueCode;
use crate::domain::secrets::Secrets;
use crate::error::ApiError;
use crate::intake::Intake;
use crate::jobs::scores::ScoreEngine;
use crate::live::Live;
use crate::password_work::PasswordWork;
use crate::store::StoreError;
use crate::store::venues::{CodeStatus, lookup_code};
use crate::telemetry::Metrics;

/// How long a resolved code is cached in process. A reissue clears the local
/// entry at once; other instances see it within this time.
const CODE_CACHE_TTL: Duration = Duration::from_secs(10);

/// Why a scanned code could not be looked up; the cause is logged where it
/// happened, once for all the requests that waited on that lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeLookupError {
    /// Postgres is unreachable or timed out.
    #[error("the database is unavailable")]
    Unavailable,
    /// Any other failure.
    #[error("code lookup failed")]
    Failed,
}

impl From<CodeLookupError> for ApiError {
    fn from(err: CodeLookupError) -> Self {
        match err {
            CodeLookupError::Unavailable => ApiError::Unavailable,
            CodeLookupError::Failed => ApiError::Internal,
        }
    }
}

/// A lookup that leaves nothing to cache.
enum CodeMiss {
    Unknown,
    Failed(CodeLookupError),
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// Postgres pool.
    pub pool: PgPool,
    /// The one source of "now".
    pub clock: Clock,
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
    /// argon2id work, at most one job per core.
    pub password_work: PasswordWork,
    codes: Cache<String, CodeStatus>,
    /// First-view rating pages by (code, language), split around the form token.
    pub page_shells: Cache<(String, &'static str), Arc<PageShell>>,
    /// Rendered venue QR codes.
    pub qr_images: qr::QrImages,
}

/// A rendered first-view rating page with a hole where the per-view form token goes.
#[derive(Debug)]
pub struct PageShell {
    /// Everything before the token.
    pub before_token: String,
    /// Everything after the token.
    pub after_token: String,
}

/// The long-lived parts the handlers share, built once at start.
pub struct Services {
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
    /// The one source of "now".
    pub clock: Clock,
}

impl AppState {
    /// Builds the state around the shared services, with empty caches.
    pub fn new(services: Services) -> Self {
        let Services {
            pool,
            live,
            intake,
            scores,
            secrets,
            settings,
            metrics,
            clock,
        } = services;
        let codes = Cache::builder()
            .max_capacity(200_000)
            .time_to_live(CODE_CACHE_TTL)
            .build();
        // Pages change with the venue's name and code: same lifetime as codes.
        let page_shells = Cache::builder()
            .max_capacity(20_000)
            .time_to_live(CODE_CACHE_TTL)
            .build();
        let qr_images = qr::QrImages::new(metrics.clone());
        let password_work = PasswordWork::new(metrics.argon2_runs.clone());
        Self {
            pool,
            clock,
            live,
            intake,
            scores,
            secrets,
            settings,
            metrics,
            password_work,
            codes,
            page_shells,
            qr_images,
        }
    }

    /// Resolves a scanned code through the in-process cache. When a popular
    /// code's entry expires, the requests that miss it at once share one
    /// lookup instead of each taking a database connection.
    pub async fn resolve_code(&self, raw: &str) -> Result<CodeStatus, CodeLookupError> {
        let Some(code) = VenueCode::parse(raw) else {
            return Ok(CodeStatus::Unknown);
        };
        let loaded = self
            .codes
            .try_get_with_by_ref(code.as_str(), async {
                match lookup_code(&self.pool, self.secrets.code_key(), &code).await {
                    // Unknown codes are not cached: anyone can make up endless ones.
                    Ok(CodeStatus::Unknown) => Err(CodeMiss::Unknown),
                    Ok(status) => Ok(status),
                    Err(StoreError::Unavailable(_)) => {
                        Err(CodeMiss::Failed(CodeLookupError::Unavailable))
                    }
                    Err(StoreError::Other(err)) => {
                        tracing::error!(error = %err, "code lookup failed");
                        Err(CodeMiss::Failed(CodeLookupError::Failed))
                    }
                }
            })
            .await;
        match loaded {
            Ok(status) => Ok(status),
            Err(miss) => match *miss {
                CodeMiss::Unknown => Ok(CodeStatus::Unknown),
                CodeMiss::Failed(err) => Err(err),
            },
        }
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

/// Declares the service's routes once: [`routes`] registers them and
/// [`REGISTERED_ROUTES`] lists them, so a test can hold them against the
/// access table.
macro_rules! service_routes {
    ($($method:ident $path:literal => $handler:path;)*) => {
        /// Every (method, pattern) the service registers.
        pub const REGISTERED_ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        /// Registers every route of the service.
        pub fn routes(cfg: &mut web::ServiceConfig) {
            register(cfg, vec![$(($path, route_for(stringify!($method)).to($handler))),*]);
        }
    };
}

/// A route answering `method`; a GET route answers HEAD as well (the server
/// sends the headers without the body).
fn route_for(method: &str) -> actix_web::Route {
    match method {
        "get" => web::route().guard(guard::Any(guard::Get()).or(guard::Head())),
        "post" => web::post(),
        "put" => web::put(),
        "patch" => web::patch(),
        "delete" => web::delete(),
        other => unreachable!("no route is declared with the method {other}"),
    }
}

/// The methods a path takes, for the `Allow` header of a 405.
fn allowed_methods(path: &str) -> String {
    let mut methods: Vec<String> = REGISTERED_ROUTES
        .iter()
        .filter(|(_, p)| *p == path)
        .flat_map(|(method, _)| match *method {
            "get" => vec!["GET".to_owned(), "HEAD".to_owned()],
            other => vec![other.to_ascii_uppercase()],
        })
        .collect();
    methods.sort();
    methods.dedup();
    methods.join(", ")
}

/// One resource per path, holding every method's route, so a known address
/// called with a method it does not take is answered 405 with `Allow`
/// instead of falling through to "no such page".
fn register(cfg: &mut web::ServiceConfig, mut pending: Vec<(&'static str, actix_web::Route)>) {
    while let Some(&(path, _)) = pending.first() {
        let (same, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|(p, _)| *p == path);
        let allow = allowed_methods(path);
        let mut resource = web::resource(path).default_service(web::to(
            move |req: HttpRequest, state: web::Data<AppState>| {
                let allow = allow.clone();
                async move { public_pages::method_not_allowed(req, state, allow) }
            },
        ));
        for (_, route) in same {
            resource = resource.route(route);
        }
        cfg.service(resource);
        pending = rest;
    }
}

service_routes! {
    get "/healthz" => health::healthz;
    get "/readyz" => health::readyz;
    get "/metrics" => health::metrics;
    get "/openapi.json" => docs::openapi_json;
    get "/docs" => docs::docs_page;
    get "/r/{code}" => rating_page::show;
    post "/r/{code}" => rating_page::submit;
    get "/" => public_pages::home;
    get "/v/{id}" => public_pages::venue;
    get "/rankings" => public_pages::rankings;
    get "/about/scores" => public_pages::about_scores;
    get "/login" => login::show;
    post "/login" => login::submit;
    post "/logout" => login::logout;
    post "/logout-everywhere" => login::logout_everywhere;
    get "/login/second-factor" => login::show_second_factor;
    post "/login/second-factor" => login::submit_second_factor;
    get "/account/security" => account_security::show;
    post "/account/security" => account_security::enrol;
    post "/account/security/recovery-codes" => account_security::regenerate_recovery_codes;
    get "/account/password" => account_password::show;
    post "/account/password" => account_password::submit;
    get "/console/accounts" => people::accounts;
    post "/console/accounts" => people::create_account_form;
    post "/console/accounts/{id}/disable" => people::disable_account;
    post "/console/accounts/{id}/enable" => people::enable_account;
    post "/console/accounts/{id}/second-factor/reset" => people::reset_second_factor_form;
    post "/console/accounts/{id}/password-link" => people::password_link_form;
    get "/dashboard" => dashboard::index;
    get "/dashboard/venues/{id}" => dashboard::venue;
    get "/dashboard/venues/{id}/poster" => dashboard::poster;
    post "/dashboard/venues/{id}/replies/{rating_id}" => dashboard::submit_reply;
    post "/dashboard/venues/{id}/commitment" => dashboard::submit_commitment;
    post "/dashboard/venues/{id}/quality-officer" => dashboard::submit_quality_officer;
    post "/dashboard/venues/{id}/code" => dashboard::submit_reissue;
    get "/console" => console::home;
    get "/console/rankings" => console::rankings;
    get "/console/audit" => console::audit;
    get "/console/{table}.{format}" => console::export;
    get "/console/venues/{id}" => console::venue;
    get "/console/venues/{id}/{table}.{format}" => console::venue_export;
    post "/console/venues/{id}/violations" => console::record_violation;
    post "/console/ratings/{id}/quarantine" => console::quarantine;
    post "/console/ratings/{id}/release" => console::release;
    get "/account/tokens" => people::tokens;
    post "/account/tokens" => people::create_token_form;
    post "/account/tokens/{id}/revoke" => people::revoke_token_form;
    get "/invite/{token}" => invite_page::show;
    post "/invite/{token}" => invite_page::submit;
    post "/api/v1/venues" => venues::create;
    get "/api/v1/venues/{id}" => venues::get;
    post "/api/v1/venues/{id}/code" => venues::reissue_code;
    get "/api/v1/venues/{id}/qr.png" => qr::png;
    get "/api/v1/venues/{id}/qr.svg" => qr::svg;
    get "/api/v1/venues/{id}/score" => scores::venue_score;
    get "/api/v1/venues/{id}/tier/history" => scores::tier_history;
    post "/api/v1/ratings" => ratings::create;
    post "/api/v1/ratings/{id}/quarantine" => moderation::quarantine;
    post "/api/v1/ratings/{id}/release" => moderation::release;
    post "/api/v1/tokens" => tokens::create;
    delete "/api/v1/tokens/{id}" => tokens::revoke;
    post "/api/v1/accounts" => accounts::create;
    get "/api/v1/accounts" => accounts::list;
    patch "/api/v1/accounts/{id}" => accounts::update;
    delete "/api/v1/accounts/{id}/second-factor" => accounts::reset_second_factor;
    post "/api/v1/accounts/{id}/password-link" => accounts::password_link;
    post "/api/v1/invitations/{token}" => accounts::accept_invitation;
    get "/api/v1/audit" => audit::list;
    get "/api/v1/rankings" => rankings::ranking;
    get "/api/v1/regions/{code}/score" => rankings::region_score;
    get "/api/v1/venues/{id}/comments" => dashboard_api::comments;
    post "/api/v1/ratings/{id}/reply" => dashboard_api::reply;
    put "/api/v1/venues/{id}/commitment" => dashboard_api::put_commitment;
    put "/api/v1/venues/{id}/quality-officer" => dashboard_api::put_quality_officer;
    get "/api/v1/overview" => console_api::overview;
    get "/api/v1/venues/{id}/ratings" => console_api::venue_ratings;
    get "/api/v1/venues/{id}/violations" => console_api::list_violations;
    post "/api/v1/venues/{id}/violations" => console_api::create_violation;
}
