//! Postgres over TLS. The service's pool honours `sslmode` and
//! `sslrootcert` in `DATABASE_URL`: `require` encrypts, `verify-full` also
//! checks the server's certificate against the named authority and its name
//! against the host, and a certificate from another authority is refused
//! before any query runs. deploy/services.sh gives the local server a
//! certificate for `localhost` and `127.0.0.1` from an authority of its own
//! (`QRF_PG_CA`), and a second authority that signed nothing beside it.

use std::path::PathBuf;
use std::time::Duration;

use qrfeedback::store::connect_pool;

use crate::common::{
    APP_ROLE, Options, TestApp, app_database_url_for, fresh_database, spawn_app_with,
};

/// The authority that signed the local server's certificate.
fn authority() -> PathBuf {
    PathBuf::from(
        std::env::var("QRF_PG_CA")
            .expect("QRF_PG_CA must name the local Postgres's authority (deploy/services.sh env)"),
    )
}

/// An authority that signed nothing the server holds.
fn other_authority() -> PathBuf {
    authority().with_file_name("other-ca.crt")
}

/// `url` on `host`, with `params`.
fn with(url: &str, host: &str, params: &str) -> String {
    format!(
        "{}?{params}",
        url.replacen("@127.0.0.1:", &format!("@{host}:"), 1)
    )
}

/// A service whose database link must verify the server against `authority`.
async fn serving_verified_by(authority: PathBuf) -> TestApp {
    spawn_app_with(Options {
        database_params: Some(format!(
            "sslmode=verify-full&sslrootcert={}",
            authority.display()
        )),
        ..Options::default()
    })
    .await
}

/// Whether the pool's connection runs over TLS, as the server sees it.
async fn over_tls(url: &str) -> Result<bool, sqlx::Error> {
    let pool = connect_pool(url, 1, Duration::from_secs(5))?;
    let ssl = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(&pool)
        .await;
    pool.close().await;
    ssl
}

#[tokio::test]
async fn the_pool_encrypts_when_asked_and_verify_full_checks_the_authority_and_the_name() {
    let (db_name, _owner) = fresh_database().await;
    let url = app_database_url_for(&db_name);
    let ca = authority().display().to_string();

    assert!(
        !over_tls(&with(&url, "127.0.0.1", "sslmode=disable"))
            .await
            .unwrap()
    );
    assert!(
        over_tls(&with(&url, "127.0.0.1", "sslmode=require"))
            .await
            .unwrap()
    );
    for host in ["localhost", "127.0.0.1"] {
        let full = with(&url, host, &format!("sslmode=verify-full&sslrootcert={ca}"));
        assert!(over_tls(&full).await.unwrap(), "verify-full on {host}");
    }

    let other = other_authority().display().to_string();
    for mode in ["verify-ca", "verify-full"] {
        let wrong = with(
            &url,
            "localhost",
            &format!("sslmode={mode}&sslrootcert={other}"),
        );
        let refused = over_tls(&wrong).await;
        assert!(
            refused.is_err(),
            "{mode} with another authority: {refused:?}"
        );
    }
}

#[tokio::test]
async fn the_service_serves_over_a_verified_connection_and_only_over_it() {
    let app = serving_verified_by(authority()).await;
    let venue = app.create_venue("孔雀河酒店", "652801", "hotel").await;
    let rating = app.rate(&venue, "tls", 5).await;
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM ratings WHERE id = $1")
        .bind(rating["id"].as_i64().expect("a rating id"))
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 1, "{rating}");

    // Every connection the service holds to its database is encrypted.
    let (encrypted, plain): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl)
         FROM pg_stat_activity a JOIN pg_stat_ssl s ON s.pid = a.pid
         WHERE a.datname = $1 AND a.usename = $2",
    )
    .bind(&app.db_name)
    .bind(APP_ROLE)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(encrypted >= 1, "the service holds a connection");
    assert_eq!(plain, 0, "no plain connection");
}

#[tokio::test]
async fn a_server_certificate_from_another_authority_leaves_the_service_not_ready() {
    let app = serving_verified_by(other_authority()).await;
    // The service will not talk to a server it cannot verify: it is not
    // ready and says so, rather than falling back to an unchecked link.
    assert_eq!(app.get("/readyz").await.status(), 503);
    let response = app
        .post_rating(&serde_json::json!({ "code": "abcdefghijkl", "overall": 5 }))
        .await;
    assert_eq!(response.status(), 503);
}
