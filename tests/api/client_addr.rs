//! The client address behind `TRUSTED_PROXIES`, and the per-address rating
//! limit it feeds: a forged `X-Forwarded-For` buys nothing, an IPv6 /64 is
//! one client.

use serde_json::{Value, json};

use crate::common::{ACCOUNT_PASSWORD, ADMIN_TOKEN, Options, TestApp, bare_client, spawn_app_with};

/// The limit is 3 ratings per address per venue per minute.
async fn limited_app(trusted_proxies: Option<&str>) -> TestApp {
    spawn_app_with(Options {
        rate_limit_per_minute: 3,
        trusted_proxies: trusted_proxies.map(str::to_owned),
        ..Options::default()
    })
    .await
}

/// Rates `venue` from a fresh device with the given `X-Forwarded-For`.
async fn rate_via(app: &TestApp, venue: &Value, device: &str, forwarded_for: &str) -> u16 {
    app.client
        .post(format!("{}/api/v1/ratings", app.address))
        .header("X-Forwarded-For", forwarded_for)
        .json(&json!({ "code": venue["code"], "device_id": format!("phone-{device}-0000"), "overall": 5 }))
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

/// Eight ratings from one client (as `forwarded_for(i)` says): the first
/// three pass and one of the others is limited. With eight, a minute
/// boundary inside the loop still leaves a fourth rating in one minute.
async fn assert_one_client(
    app: &TestApp,
    venue: &Value,
    tag: &str,
    forwarded_for: impl Fn(usize) -> String,
) {
    let mut statuses = Vec::new();
    for i in 0..8 {
        statuses.push(rate_via(app, venue, &format!("{tag}{i}"), &forwarded_for(i)).await);
    }
    assert_eq!(&statuses[..3], &[201, 201, 201], "{tag}: {statuses:?}");
    assert!(statuses[3..].contains(&429), "{tag}: {statuses:?}");
}

#[tokio::test]
async fn a_forged_x_forwarded_for_from_an_untrusted_peer_does_not_dodge_the_rate_limit() {
    // The test's peer is 127.0.0.1: once not a trusted proxy at all, once
    // outside the trusted range.
    for trusted in [None, Some("10.0.0.0/8, fd00::/8")] {
        let app = limited_app(trusted).await;
        let venue = app.hotel().await;
        assert_one_client(&app, &venue, "forged", |i| format!("198.51.100.{i}")).await;
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_address_has_its_own_limit() {
    let app = limited_app(Some("127.0.0.1/32")).await;
    let venue = app.hotel().await;
    for i in 0..6 {
        // What the client wrote (left) is ignored; the proxy's entry (right) counts.
        let status = rate_via(
            &app,
            &venue,
            &format!("v4-{i}"),
            &format!("10.9.9.9, 198.51.100.{i}"),
        )
        .await;
        assert_eq!(status, 201, "client {i}");
    }
    // The same client behind the proxy, whatever it writes on the left.
    assert_one_client(&app, &venue, "same", |i| {
        format!("203.0.113.{i}, 192.0.2.7")
    })
    .await;
}

#[tokio::test]
async fn rotating_ipv6_addresses_within_one_64_share_one_limit() {
    let app = limited_app(Some("127.0.0.1/32")).await;
    let venue = app.hotel().await;
    assert_one_client(&app, &venue, "v6", |i| format!("2001:db8:1:2::{:x}", i + 1)).await;
    // The next /64 is another subscriber.
    assert_eq!(
        rate_via(&app, &venue, "other64", "2001:db8:1:3::1").await,
        201
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_audit_log_names_the_client_not_the_proxy() {
    let app = limited_app(Some("127.0.0.1/32")).await;
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    app.venue_staff("korla-desk", &[&venue]).await;
    let session = app.session_for("korla-desk", ACCOUNT_PASSWORD).await;
    let response = bare_client()
        .post(format!(
            "{}/dashboard/venues/{id}/code?lang=en",
            app.address
        ))
        .header("cookie", crate::common::session_header(&session.session))
        .header("X-Forwarded-For", "192.0.2.1, 2001:db8:7::9")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            serde_html_form::to_string([
                ("csrf_token", session.csrf().await.as_str()),
                ("confirmed", "yes"),
            ])
            .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let client_ip: Option<String> = sqlx::query_scalar(
        "SELECT client_ip FROM audit_log WHERE action = 'venue.reissue_code' AND venue_id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(client_ip.as_deref(), Some("2001:db8:7::9"));
}

#[tokio::test]
async fn behind_a_trusted_proxy_a_token_callers_audit_row_names_the_client() {
    let app = limited_app(Some("127.0.0.1/32")).await;
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    let response = bare_client()
        .post(format!("{}/api/v1/venues/{id}/code", app.address))
        .bearer_auth(ADMIN_TOKEN)
        .header("X-Forwarded-For", "198.51.100.7")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let client_ip: Option<String> = sqlx::query_scalar(
        "SELECT client_ip FROM audit_log WHERE action = 'venue.reissue_code' AND venue_id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(client_ip.as_deref(), Some("198.51.100.7"));
}
