//! Builds the pools, Redis, background jobs and the HTTP server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, Service as _};
use actix_web::{App, HttpServer, web};

use crate::app::Services;
use crate::app::intake::Intake;
use crate::app::integrity::scan::Scanner;
use crate::app::venue_views::VenueViews;
use crate::clock::Clock;
use crate::config::Settings;
use crate::domain::secrets::SecretString;
use crate::error::ApiError;
use crate::http;
use crate::http::AppState;
use crate::http::security_headers::SecurityHeaders;
use crate::jobs::scores::{ScoreEngine, run_refresher};
use crate::jobs::{
    alerts,
    batcher::{Batcher, StoredVenues},
    housekeeping, integrity, redis_monitor, replica_monitor,
};
use crate::live::Live;
use crate::password_work::PasswordWork;
use crate::store;
use crate::store::reads::ReadPools;
use crate::store::reference::ReferenceData;
use crate::telemetry::{Metrics, RequestTelemetry};

/// A built, not yet running, server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds the listener and wires everything; connects to Postgres lazily, so
    /// the server starts (and answers 503) even while Postgres is down.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Clock::system()).await
    }

    /// [`Application::build`] with the clock to read "now" from (a test's).
    pub async fn build_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        install_tls_provider();
        let listener = TcpListener::bind(settings.bind_addr)?;
        let port = listener.local_addr()?.port();
        let pool = store::connect_pool(
            settings.database_url.expose(),
            settings.db_max_connections,
            settings.db_timeout,
        )?;
        let reads = match &settings.database_replica_url {
            Some(url) => ReadPools::with_replica(
                pool.clone(),
                store::connect_pool(
                    url.expose(),
                    settings.db_max_connections,
                    settings.db_timeout,
                )?,
            ),
            None => ReadPools::primary_only(pool.clone()),
        };
        let live = Live::new(
            settings.redis_url.as_ref().map(SecretString::expose),
            &settings.redis_key_prefix,
        )?;
        let metrics = Metrics::new();
        let secrets = Arc::new(settings.secrets());
        // A bad tier rule set stops the start here, before anything is stored.
        let reference = Arc::new(ReferenceData::new(pool.clone()));
        let scores = Arc::new(ScoreEngine::new(
            pool.clone(),
            &settings,
            clock.clone(),
            reference.clone(),
        )?);
        let (stored, stores) = tokio::sync::mpsc::unbounded_channel();
        let batcher = Batcher::start(
            pool.clone(),
            live.clone(),
            metrics.clone(),
            (settings.batch_writers, settings.batch_max),
            StoredVenues::to(stored),
        );
        let intake = Intake::new(
            pool.clone(),
            batcher,
            live.clone(),
            secrets.clone(),
            &settings,
            metrics.clone(),
            clock.clone(),
        );
        let case_rules = intake.case_rules().clone();
        // Answer the first requests with Redis already known up or down.
        live.check().await;
        tokio::spawn(redis_monitor::run(
            live.clone(),
            pool.clone(),
            clock.clone(),
        ));
        tokio::spawn(housekeeping::run(
            pool.clone(),
            clock.clone(),
            case_rules.clone(),
            reference.clone(),
        ));
        tokio::spawn(replica_monitor::run(
            reads.clone(),
            settings.replica_max_lag,
        ));
        let venue_views = VenueViews::new(settings.venue_view_ttl);
        let (refreshed, refreshes) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(venue_views.clone().follow(refreshes));
        tokio::spawn(run_refresher(
            scores.clone(),
            settings.score_refresh_interval,
            stores,
            refreshed,
        ));
        if let Some(interval) = settings.integrity_scan_interval {
            let scanner = Scanner::new(
                pool.clone(),
                live.clone(),
                reference.clone(),
                settings.integrity.clone(),
            )
            .with_webhook(settings.alerts.webhook.is_some());
            let runs = metrics
                .background_runs
                .with_label_values(&["integrity_scan"]);
            tokio::spawn(integrity::run(scanner, clock.clone(), interval, runs));
        }
        if let Some(interval) = settings.alerts.scan_interval {
            tokio::spawn(alerts::raise_loop(
                pool.clone(),
                settings.alerts.clone(),
                (clock.clone(), interval),
                metrics.background_runs.with_label_values(&["alert_rules"]),
            ));
        }
        if let Some(webhook) = settings.alerts.webhook.clone() {
            tokio::spawn(alerts::deliver_loop(
                pool.clone(),
                webhook,
                settings.alerts.retry_base,
                clock.clone(),
            ));
        }
        let state = AppState::new(Services {
            pool,
            reads,
            live,
            intake,
            case_rules,
            scores,
            venue_views,
            reference,
            secrets,
            settings: Arc::new(settings),
            password_work: PasswordWork::new(metrics.argon2_runs.clone()),
            metrics: metrics.clone(),
            clock,
        });
        let server = run(listener, state, metrics)?;
        Ok(Self { port, server })
    }

    /// The bound port (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM/SIGINT, then drains in-flight requests.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn run(listener: TcpListener, state: AppState, metrics: Metrics) -> std::io::Result<Server> {
    let workers = state.settings.http_workers;
    let security_headers = SecurityHeaders::for_public_base_url(&state.settings.public_base_url);
    let state = web::Data::new(state);
    let server =
        HttpServer::new(move || {
            App::new()
                .wrap(http::body_limit::body_errors())
                .wrap(actix_web::middleware::from_fn(
                    http::auth::access::bearer_gate,
                ))
                .wrap_fn(move |req, service| {
                    let response = service.call(req);
                    async move {
                        let mut response = response.await?;
                        security_headers.apply(response.headers_mut());
                        Ok(response)
                    }
                })
                .wrap(RequestTelemetry::new(metrics.clone()))
                .app_data(state.clone())
                .app_data(web::PayloadConfig::new(http::api::ratings::MAX_JSON_BYTES))
                .app_data(web::QueryConfig::default().error_handler(|err, _| {
                    ApiError::invalid("invalid-query", err.to_string()).into()
                }))
                .app_data(
                    web::PathConfig::default()
                        .error_handler(|_, _| ApiError::NotFound("resource").into()),
                )
                .configure(http::routes)
                .default_service(web::to(http::pages::public::not_found))
        })
        .shutdown_timeout(30)
        .workers(workers)
        .listen(listener)?
        .run();
    Ok(server)
}

/// Makes ring, the crypto provider Postgres's TLS already brings, the
/// process's provider for outgoing HTTPS (the alerts' webhook), rather than
/// building a second one (aws-lc) into the binary. Idempotent. rustls now
/// points new code at aws-lc for post-quantum key exchange, which a
/// webhook's TLS does not need yet.
pub fn install_tls_provider() {
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
}
