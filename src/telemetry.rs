//! Tracing set up once, request ids, and the Prometheus registry.

use std::future::{Ready, ready};
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::header::{HeaderName, HeaderValue};
use futures_util::future::LocalBoxFuture;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

/// Installs the global tracing subscriber: JSON lines when `LOG_FORMAT=json`.
pub fn init_tracing() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let json = std::env::var("LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let result = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    // A second init (tests spawn many apps in one process) keeps the first.
    let _ = result;
}

/// The service's metrics; cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    ratings: IntCounterVec,
    qr_renders: IntCounterVec,
    /// Connections open in the Postgres pool.
    pub db_pool_size: IntGauge,
    /// Idle connections in the Postgres pool.
    pub db_pool_idle: IntGauge,
    /// 1 while Redis answers.
    pub redis_up: IntGauge,
    /// Ratings written per group commit.
    pub batch_rows: prometheus::Histogram,
    /// argon2id jobs run, by kind (verify, hash, recovery_code).
    pub argon2_runs: IntCounterVec,
    /// Background runs completed, by job (`integrity_scan`, `alert_rules`).
    pub background_runs: IntCounterVec,
}

impl Metrics {
    /// Creates and registers every metric.
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "qrf_http_requests_total",
                "HTTP requests by route, method and status",
            ),
            &["route", "method", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "qrf_http_request_duration_seconds",
                "HTTP request latency by route",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["route", "method"],
        )
        .expect("valid metric");
        let ratings = IntCounterVec::new(
            Opts::new(
                "qrf_ratings_total",
                "Ratings by outcome: accepted, replayed or the rejection reason",
            ),
            &["outcome"],
        )
        .expect("valid metric");
        let qr_renders = IntCounterVec::new(
            Opts::new(
                "qrf_qr_renders_total",
                "Venue QR images rendered (not served from the cache), by format",
            ),
            &["format"],
        )
        .expect("valid metric");
        let db_pool_size = IntGauge::new("qrf_db_pool_connections", "Open Postgres connections")
            .expect("valid metric");
        let db_pool_idle =
            IntGauge::new("qrf_db_pool_idle", "Idle Postgres connections").expect("valid metric");
        let redis_up =
            IntGauge::new("qrf_redis_up", "1 while Redis answers").expect("valid metric");
        let batch_rows = prometheus::Histogram::with_opts(
            HistogramOpts::new("qrf_rating_batch_rows", "Ratings written per group commit")
                .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0]),
        )
        .expect("valid metric");
        let argon2_runs = IntCounterVec::new(
            Opts::new(
                "qrf_argon2_runs_total",
                "argon2id jobs run: password checks (verify), new passwords (hash), recovery-code checks",
            ),
            &["kind"],
        )
        .expect("valid metric");
        let background_runs = IntCounterVec::new(
            Opts::new(
                "qrf_background_runs_total",
                "Background runs completed, by job",
            ),
            &["job"],
        )
        .expect("valid metric");
        for metric in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(ratings.clone()),
            Box::new(qr_renders.clone()),
            Box::new(db_pool_size.clone()),
            Box::new(db_pool_idle.clone()),
            Box::new(redis_up.clone()),
            Box::new(batch_rows.clone()),
            Box::new(argon2_runs.clone()),
            Box::new(background_runs.clone()),
        ] {
            registry.register(metric).expect("metric names are unique");
        }
        Self {
            registry,
            requests,
            latency,
            ratings,
            qr_renders,
            db_pool_size,
            db_pool_idle,
            redis_up,
            batch_rows,
            argon2_runs,
            background_runs,
        }
    }

    /// Counts one rating outcome.
    pub fn rating_outcome(&self, outcome: &str) {
        self.ratings.with_label_values(&[outcome]).inc();
    }

    /// Counts one venue QR image rendered.
    pub fn qr_rendered(&self, format: &str) {
        self.qr_renders.with_label_values(&[format]).inc();
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        let encoder = TextEncoder::new();
        if encoder
            .encode(&self.registry.gather(), &mut buffer)
            .is_err()
        {
            return String::new();
        }
        String::from_utf8(buffer).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Middleware: a request id (taken from `X-Request-Id` or made up), a span per
/// request, one log line per response, and the request metrics. Client
/// addresses, bodies and query strings are never logged.
pub struct RequestTelemetry {
    metrics: Metrics,
}

impl RequestTelemetry {
    /// Wraps the app with request telemetry.
    pub fn new(metrics: Metrics) -> Self {
        Self { metrics }
    }
}

impl<S, B> Transform<S, ServiceRequest> for RequestTelemetry
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Transform = RequestTelemetryService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RequestTelemetryService {
            service,
            metrics: self.metrics.clone(),
        }))
    }
}

/// The service produced by [`RequestTelemetry`].
pub struct RequestTelemetryService<S> {
    service: S,
    metrics: Metrics,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

impl<S, B> Service<ServiceRequest> for RequestTelemetryService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let started = Instant::now();
        let request_id = req
            .headers()
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_graphic()))
            .map(str::to_owned)
            .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
        let route = req
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned());
        let method = req.method().as_str().to_owned();
        let span = tracing::info_span!("request", request_id = %request_id, method = %method, route = %route);
        let metrics = self.metrics.clone();
        let fut = self.service.call(req);
        Box::pin(
            async move {
                let mut response = fut.await?;
                let status = response.status().as_u16();
                let elapsed = started.elapsed();
                metrics
                    .requests
                    .with_label_values(&[&route, &method, &status.to_string()])
                    .inc();
                metrics
                    .latency
                    .with_label_values(&[&route, &method])
                    .observe(elapsed.as_secs_f64());
                if let Ok(value) = HeaderValue::from_str(&request_id) {
                    response.headers_mut().insert(REQUEST_ID, value);
                }
                if status >= 500 {
                    tracing::warn!(status, elapsed_ms = elapsed.as_millis() as u64, "response");
                } else {
                    tracing::debug!(status, elapsed_ms = elapsed.as_millis() as u64, "response");
                }
                Ok(response)
            }
            .instrument(span),
        )
    }
}
