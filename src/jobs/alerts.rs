//! Alerts for regulators, in the background: every `ALERT_SCAN_SECONDS`
//! the rules read from the aggregates (a score drop, red flags clustering,
//! an overdue case) raise what they find, and every few seconds the
//! webhook's outbox is delivered: each alert POSTed as JSON, signed, retried
//! with a doubling wait, every attempt recorded.

use std::time::Duration;

use chrono::{Datelike, Utc};
use prometheus::IntCounter;
use sqlx::PgPool;

use crate::clock::Clock;
use crate::config::{AlertSettings, Webhook};
use crate::domain::alerts::{AlertKind, webhook_backoff, webhook_signature};
use crate::domain::rating::Tag;
use crate::store::StoreError;
use crate::store::alerts::{self, Attempt, DueAlert};

/// Raises the aggregate rules' alerts once; returns how many are new.
pub async fn raise_once(
    pool: &PgPool,
    settings: &AlertSettings,
    clock: &Clock,
) -> Result<usize, StoreError> {
    let now = clock.now();
    let today = clock.today();
    let webhook = settings.webhook.is_some();
    let week = today.iso_week();
    let week_key = format!("{}-W{:02}", week.year(), week.week());
    let red_flags: Vec<String> = Tag::ALL
        .into_iter()
        .filter(|t| t.is_red_flag())
        .map(|t| t.key().to_owned())
        .collect();
    let mut raised = Vec::new();
    for fired in alerts::score_drops(pool, today, &settings.rules).await? {
        raised.push((
            fired.venue_id,
            AlertKind::ScoreDrop,
            week_key.clone(),
            fired.details,
        ));
    }
    for fired in alerts::red_flag_clusters(pool, today, &red_flags, &settings.rules).await? {
        let details = fired.details;
        raised.push((
            fired.venue_id,
            AlertKind::RedFlagCluster,
            week_key.clone(),
            details,
        ));
    }
    for (venue_id, case_id, tracking_code, due_at) in alerts::overdue_cases(pool, now).await? {
        let details = serde_json::json!({
            "case_id": case_id,
            "tracking_code": tracking_code,
            "due_at": due_at,
        });
        raised.push((
            venue_id,
            AlertKind::OverdueCase,
            format!("case:{case_id}"),
            details,
        ));
    }
    let mut conn = pool.acquire().await?;
    let mut new = 0;
    for (venue_id, kind, key, details) in raised {
        new += usize::from(
            alerts::raise(&mut conn, venue_id, kind, &key, &details, (now, webhook)).await?,
        );
    }
    Ok(new)
}

/// Runs [`raise_once`] every `interval` until the process ends; `runs`
/// counts the rounds completed (`qrf_background_runs_total`).
pub async fn raise_loop(
    pool: PgPool,
    settings: AlertSettings,
    (clock, interval): (Clock, Duration),
    runs: IntCounter,
) {
    loop {
        match raise_once(&pool, &settings, &clock).await {
            Ok(0) => {}
            Ok(new) => tracing::info!(new, "alerts raised"),
            Err(err) => tracing::warn!(error = %err, "alert rules failed; will retry"),
        }
        runs.inc();
        tokio::time::sleep(interval).await;
    }
}

/// Delivers what is due every second until the process ends.
pub async fn deliver_loop(pool: PgPool, webhook: Webhook, retry_base: Duration, clock: Clock) {
    crate::startup::install_tls_provider();
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("qrfeedback/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(client) => client,
        Err(err) => {
            tracing::error!(error = %err, "the alert webhook's HTTP client could not be built");
            return;
        }
    };
    loop {
        match alerts::due(&pool, clock.now(), 50).await {
            Ok(due) => {
                for alert in due {
                    // Several instances read one outbox: one delivers each
                    // attempt. Delivery is at least once all the same (a
                    // lost answer means a resend): receivers dedupe on `id`.
                    let now = clock.now();
                    match alerts::claim(&pool, &alert, now, now + chrono::Duration::minutes(2))
                        .await
                    {
                        Ok(true) => {}
                        Ok(false) => continue,
                        Err(err) => {
                            tracing::warn!(error = %err, alert = alert.id, "delivery not claimed");
                            continue;
                        }
                    }
                    let attempt = deliver(&client, &webhook, &alert, retry_base, &clock).await;
                    if let Err(err) = alerts::record_attempt(&pool, &alert, &attempt).await {
                        tracing::warn!(error = %err, alert = alert.id, "delivery not recorded");
                    }
                }
            }
            Err(err) => tracing::warn!(error = %err, "alert outbox not read; will retry"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The body POSTed for an alert.
pub fn webhook_body(alert: &DueAlert) -> serde_json::Value {
    serde_json::json!({
        "id": alert.id,
        "kind": alert.kind,
        "venue_id": alert.venue_id,
        "venue_name": alert.venue_name,
        "region_code": alert.region_code,
        "raised_at": alert.raised_at,
        "details": alert.details,
    })
}

async fn deliver(
    client: &reqwest::Client,
    webhook: &Webhook,
    alert: &DueAlert,
    retry_base: Duration,
    clock: &Clock,
) -> Attempt {
    let body = serde_json::to_vec(&webhook_body(alert)).unwrap_or_default();
    let at = clock.now();
    let timestamp = Utc::now().timestamp();
    let signature = webhook_signature(webhook.secret.expose().as_bytes(), timestamp, &body);
    let answer = client
        .post(&webhook.url)
        .header("content-type", "application/json")
        .header("x-qrfeedback-timestamp", timestamp.to_string())
        .header("x-qrfeedback-signature", format!("sha256={signature}"))
        .header(
            "x-qrfeedback-delivery",
            format!("{}-{}", alert.id, alert.attempts + 1),
        )
        .body(body)
        .send()
        .await;
    let (status, error) = match answer {
        Ok(response) => {
            let status = response.status();
            let error = (!status.is_success()).then(|| status.to_string());
            (Some(i32::from(status.as_u16())), error)
        }
        // Never the URL: it may carry a token.
        Err(err) => (None, Some(err.without_url().to_string())),
    };
    let delivered = status.is_some_and(|s| (200..300).contains(&s));
    let retry_at = if delivered {
        None
    } else {
        webhook_backoff(alert.attempts + 1, retry_base)
            .and_then(|wait| chrono::Duration::from_std(wait).ok())
            .map(|wait| at + wait)
    };
    Attempt {
        at,
        status,
        error,
        retry_at,
    }
}
