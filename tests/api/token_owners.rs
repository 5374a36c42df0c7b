//! Tokens belong to an account: they stop when it is disabled or its second
//! factor is reset, shrink with its scope, and never manage it. Accounts are
//! managed only from above: a higher role, or the same role over a strictly
//! narrower region.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{ADMIN_TOKEN, Page, Person, TestApp, call, spawn_app};

/// `PATCH /api/v1/accounts/{id}`.
async fn patch(app: &TestApp, id: i64, token: &str, body: Value) -> (u16, Value) {
    call(
        app,
        Method::PATCH,
        &format!("/api/v1/accounts/{id}"),
        token,
        Some(body),
    )
    .await
}

/// `DELETE /api/v1/accounts/{id}/second-factor`.
async fn reset(app: &TestApp, id: i64, token: &str) -> (u16, Value) {
    call(
        app,
        Method::DELETE,
        &format!("/api/v1/accounts/{id}/second-factor"),
        token,
        None,
    )
    .await
}

/// A signed-in (and enrolled) regulator of a region and its account id.
async fn regulator(app: &TestApp, login: &str, region: &str) -> (i64, Person) {
    let id = app
        .create_person(login, "regulator", Some(region), &[])
        .await;
    (id, app.sign_in(login).await)
}

/// A regulator token the person makes for its own region.
async fn own_token(person: &Person, region: &str) -> String {
    person
        .make_token(&[
            ("name", "automation"),
            ("role", "regulator"),
            ("region_code", region),
        ])
        .await
}

async fn disabled_at(app: &TestApp, id: i64) -> Option<chrono::DateTime<chrono::Utc>> {
    sqlx::query_scalar("SELECT disabled_at FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn factor_rows(app: &TestApp, account_id: i64) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM account_totp WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Clears every revocation: what is left to refuse a token is the check of
/// its owner on each request.
async fn unrevoke_all(app: &TestApp) {
    sqlx::query("UPDATE api_tokens SET revoked_at = NULL")
        .execute(&app.pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_disabled_regulators_token_is_refused() {
    let app = spawn_app().await;
    let (bz_id, bz) = regulator(&app, "bz-reg", "652800").await;
    let token = own_token(&bz, "652800").await;
    assert_eq!(
        call(&app, Method::GET, "/api/v1/audit", &token, None)
            .await
            .0,
        200
    );

    let (status, body) = patch(&app, bz_id, ADMIN_TOKEN, json!({ "disabled": true })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        call(&app, Method::GET, "/api/v1/audit", &token, None)
            .await
            .0,
        401
    );
    // Disabling revoked it, audited like any revocation.
    let revoked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'token.revoke' AND region_code = '652800'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(revoked, 1);
    // Even a token that escaped the revocation stops: the owner is read on every request.
    unrevoke_all(&app).await;
    assert_eq!(
        call(&app, Method::GET, "/api/v1/audit", &token, None)
            .await
            .0,
        401
    );
}

#[tokio::test]
async fn a_disabled_regulator_cannot_re_enable_itself_with_its_token() {
    let app = spawn_app().await;
    let (bz_id, bz) = regulator(&app, "bz-reg", "652800").await;
    let token = own_token(&bz, "652800").await;
    assert_eq!(
        patch(&app, bz_id, ADMIN_TOKEN, json!({ "disabled": true }))
            .await
            .0,
        200
    );
    unrevoke_all(&app).await;
    let (status, _) = patch(&app, bz_id, &token, json!({ "disabled": false })).await;
    assert_eq!(status, 401);
    assert!(disabled_at(&app, bz_id).await.is_some(), "still disabled");
    // Nor may a live token touch its own owner at all.
    let (_, own) = regulator(&app, "xj-reg", "650000").await;
    let own_id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE login = 'xj-reg'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let token = own_token(&own, "650000").await;
    let (status, _) = patch(&app, own_id, &token, json!({ "disabled": true })).await;
    assert_eq!(status, 403);
    assert!(disabled_at(&app, own_id).await.is_none());
}

#[tokio::test]
async fn a_rescoped_regulators_token_is_cut_to_the_new_region() {
    let app = spawn_app().await;
    let korla = app.create_venue("孔雀河酒店", "652801", "hotel").await;
    let luntai = app.create_venue("轮台宾馆", "652822", "hotel").await;
    let (bz_id, bz) = regulator(&app, "bz-reg", "652800").await;
    let token = own_token(&bz, "652800").await;
    let ratings = |venue: &Value| format!("/api/v1/venues/{}/ratings", venue["id"]);
    assert_eq!(
        call(&app, Method::GET, &ratings(&luntai), &token, None)
            .await
            .0,
        200
    );

    let (status, body) = patch(
        &app,
        bz_id,
        ADMIN_TOKEN,
        json!({ "role": "regulator", "region_code": "652801" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        call(&app, Method::GET, &ratings(&luntai), &token, None)
            .await
            .0,
        404,
        "Luntai is outside the account's new county"
    );
    assert_eq!(
        call(&app, Method::GET, &ratings(&korla), &token, None)
            .await
            .0,
        200
    );
    let (status, rankings) = call(
        &app,
        Method::GET,
        "/api/v1/rankings?region=652800",
        &token,
        None,
    )
    .await;
    assert!(status == 403 || status == 200, "{status}");
    if status == 200 {
        let ids: Vec<&Value> = rankings["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| &i["venue_id"])
            .collect();
        assert!(!ids.contains(&&luntai["id"]), "{rankings}");
    }
    // Moved to another prefecture altogether: nothing is left of the token.
    patch(
        &app,
        bz_id,
        ADMIN_TOKEN,
        json!({ "role": "regulator", "region_code": "652300" }),
    )
    .await;
    assert_eq!(
        call(&app, Method::GET, &ratings(&korla), &token, None)
            .await
            .0,
        401
    );
}

#[tokio::test]
async fn a_token_is_refused_after_its_owners_second_factor_is_reset() {
    let app = spawn_app().await;
    let (bz_id, bz) = regulator(&app, "bz-reg", "652800").await;
    let token = own_token(&bz, "652800").await;
    assert_eq!(reset(&app, bz_id, ADMIN_TOKEN).await.0, 204);
    assert_eq!(
        call(&app, Method::GET, "/api/v1/audit", &token, None)
            .await
            .0,
        401
    );
    // Older than the reset: refused even if its revocation were undone.
    unrevoke_all(&app).await;
    assert_eq!(
        call(&app, Method::GET, "/api/v1/audit", &token, None)
            .await
            .0,
        401
    );
}

#[tokio::test]
async fn a_token_made_by_a_token_cannot_reset_its_holders_second_factor() {
    let app = spawn_app().await;
    let (bz_id, bz) = regulator(&app, "bz-reg", "652800").await;
    let first = own_token(&bz, "652800").await;
    let (status, created) = call(
        &app,
        Method::POST,
        "/api/v1/tokens",
        &first,
        Some(json!({ "name": "second", "role": "regulator", "region_code": "652800" })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let second = created["token"].as_str().unwrap();
    let (status, body) = reset(&app, bz_id, second).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["type"], "/problems/own-second-factor");
    assert_eq!(
        factor_rows(&app, bz_id).await,
        1,
        "the factor is still there"
    );
}

#[tokio::test]
async fn a_regulator_cannot_disable_rescope_or_reset_a_peer_of_its_own_region() {
    let app = spawn_app().await;
    let (peer_id, _peer) = regulator(&app, "bz-peer", "652800").await;
    let (county_id, _county) = regulator(&app, "korla-reg", "652801").await;
    let bz = app
        .api_token(json!({ "name": "bz", "role": "regulator", "region_code": "652800" }))
        .await;

    let (status, _) = patch(&app, peer_id, &bz, json!({ "disabled": true })).await;
    assert_eq!(status, 403);
    let (status, _) = patch(
        &app,
        peer_id,
        &bz,
        json!({ "role": "regulator", "region_code": "652801" }),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(reset(&app, peer_id, &bz).await.0, 403);
    assert!(disabled_at(&app, peer_id).await.is_none());
    assert_eq!(factor_rows(&app, peer_id).await, 1);
    let region: String = sqlx::query_scalar("SELECT region_code::text FROM accounts WHERE id = $1")
        .bind(peer_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(region, "652800");

    // Nor may it lift a county regulator to its own level, making a peer.
    let (status, _) = patch(
        &app,
        county_id,
        &bz,
        json!({ "role": "regulator", "region_code": "652800" }),
    )
    .await;
    assert_eq!(status, 403);
    // A regulator of a strictly narrower region it does manage.
    let (status, body) = patch(&app, county_id, &bz, json!({ "disabled": true })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        patch(&app, county_id, &bz, json!({ "disabled": false }))
            .await
            .0,
        200
    );
    assert_eq!(reset(&app, county_id, &bz).await.0, 204);
    assert_eq!(factor_rows(&app, county_id).await, 0);
}

#[tokio::test]
async fn venue_staff_cannot_revoke_a_token_a_regulator_made_for_their_venue() {
    let app = spawn_app().await;
    let korla = app.create_venue("孔雀河酒店", "652801", "hotel").await;
    let korla_id = korla["id"].as_i64().unwrap();
    let (bz_id, bz) = regulator(&app, "bz-reg", "652800").await;
    let venue_id = korla_id.to_string();
    let for_venue = bz
        .make_token(&[
            ("name", "for the desk"),
            ("role", "venue_staff"),
            ("venue_ids", venue_id.as_str()),
        ])
        .await;
    let token_id: i64 = sqlx::query_scalar("SELECT id FROM api_tokens WHERE owner_account_id = $1")
        .bind(bz_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();

    // The venue's staff, by token and from the tokens page: as if it did not exist.
    let staff_token = app
        .api_token(json!({ "name": "desk", "role": "venue_staff", "venue_ids": [korla_id] }))
        .await;
    let path = format!("/api/v1/tokens/{token_id}");
    assert_eq!(
        call(&app, Method::DELETE, &path, &staff_token, None)
            .await
            .0,
        404
    );
    app.create_person("korla-desk", "venue_staff", None, &[korla_id])
        .await;
    let desk = app.sign_in("korla-desk").await;
    let Page { status, .. } = desk
        .post_page(&format!("/account/tokens/{token_id}/revoke"), &[])
        .await;
    assert_eq!(status, 404);
    let score = format!("/api/v1/venues/{korla_id}/comments");
    assert_eq!(
        call(&app, Method::GET, &score, &for_venue, None).await.0,
        200,
        "still live"
    );

    // Its owner revokes it.
    let Page {
        status, location, ..
    } = bz
        .post_page(
            &format!("/account/tokens/{token_id}/revoke?lang=en"),
            &[("confirmed", "yes")],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/account/tokens?notice=revoked&lang=en")
    );
    assert_eq!(
        call(&app, Method::GET, &score, &for_venue, None).await.0,
        401
    );
}

#[tokio::test]
async fn token_creation_and_revocation_are_in_the_regions_audit_log() {
    let app = spawn_app().await;
    let korla = app.create_venue("孔雀河酒店", "652801", "hotel").await;
    let bz = app
        .api_token(json!({ "name": "bz", "role": "regulator", "region_code": "652800" }))
        .await;
    let (status, county) = call(
        &app,
        Method::POST,
        "/api/v1/tokens",
        ADMIN_TOKEN,
        Some(json!({ "name": "korla", "role": "regulator", "region_code": "652801" })),
    )
    .await;
    assert_eq!(status, 201);
    let (status, desk) = call(
        &app,
        Method::POST,
        "/api/v1/tokens",
        ADMIN_TOKEN,
        Some(json!({ "name": "desk", "role": "venue_staff", "venue_ids": [korla["id"]] })),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(
        call(
            &app,
            Method::DELETE,
            &format!("/api/v1/tokens/{}", desk["id"]),
            ADMIN_TOKEN,
            None
        )
        .await
        .0,
        204
    );

    let (status, log) = call(&app, Method::GET, "/api/v1/audit?limit=200", &bz, None).await;
    assert_eq!(status, 200, "{log}");
    let seen: Vec<(String, String)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["target"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for expected in [
        ("token.create".to_owned(), format!("token:{}", county["id"])),
        ("token.create".to_owned(), format!("token:{}", desk["id"])),
        ("token.revoke".to_owned(), format!("token:{}", desk["id"])),
    ] {
        assert!(seen.contains(&expected), "{expected:?} in {seen:?}");
    }
    // Another prefecture's regulator sees none of them.
    let changji = app
        .api_token(json!({ "name": "cj", "role": "regulator", "region_code": "652300" }))
        .await;
    let (_, log) = call(&app, Method::GET, "/api/v1/audit?limit=200", &changji, None).await;
    let other: Vec<&Value> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"] == format!("token:{}", desk["id"]))
        .collect();
    assert!(other.is_empty(), "{other:?}");
}

#[tokio::test]
async fn an_unknown_revoked_expired_or_malformed_bearer_token_is_refused_on_public_routes() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let revoked = app
        .api_token(json!({ "name": "gone", "role": "regulator", "region_code": "652800" }))
        .await;
    sqlx::query("UPDATE api_tokens SET revoked_at = now() WHERE name = 'gone'")
        .execute(&app.pool)
        .await
        .unwrap();
    let expired = app
        .api_token(json!({ "name": "old", "role": "regulator", "region_code": "652800", "expires_in_days": 1 }))
        .await;
    sqlx::query(
        "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE name = 'old'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let unknown = format!("Bearer qrf_999999_{}", "a".repeat(52));
    let headers = [
        unknown,
        format!("Bearer {revoked}"),
        format!("Bearer {expired}"),
        "Bearer".to_owned(),
        "Bearer not-a-token".to_owned(),
        format!("Basic {}", "cXJmOnFyZg=="),
        "garbage".to_owned(),
    ];
    let paths = [
        "/api/v1/rankings".to_owned(),
        format!("/r/{}", venue["code"].as_str().unwrap()),
        format!("/v/{}", venue["id"]),
        format!("/api/v1/venues/{}/score", venue["id"]),
        "/healthz".to_owned(),
    ];
    for path in &paths {
        let anonymous = app.get(path).await;
        assert_eq!(anonymous.status(), 200, "{path} without a token");
        for header in &headers {
            let response = app
                .client
                .get(format!("{}{path}", app.address))
                .header(reqwest::header::AUTHORIZATION, header)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 401, "{path} with {header:?}");
            assert_eq!(
                response.headers()["www-authenticate"],
                r#"Bearer error="invalid_token""#
            );
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json"
            );
        }
    }
    // The API description gives every operation, public ones too, its 401.
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            assert!(
                operation["responses"]["401"]["description"].is_string(),
                "{method} {path} has no 401"
            );
        }
    }
    let refused = &doc["paths"]["/api/v1/ratings"]["post"]["responses"]["401"]["description"];
    assert!(
        refused
            .as_str()
            .is_some_and(|d| d.contains("invalid_token")),
        "{refused}"
    );
    // Posting a rating with a bad token stores nothing.
    let response = app
        .client
        .post(format!("{}/api/v1/ratings", app.address))
        .bearer_auth(&revoked)
        .json(&json!({ "code": venue["code"], "overall": 5 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(app.count("ratings").await, 0);
}

#[tokio::test]
async fn an_admin_cannot_disable_another_admin_but_the_bootstrap_admin_can() {
    let app = spawn_app().await;
    let root_id = app.create_person("root", "admin", None, &[]).await;
    let other_id = app.create_person("root2", "admin", None, &[]).await;
    let root = app.sign_in("root").await;
    let token = root
        .make_token(&[("name", "root automation"), ("role", "admin")])
        .await;
    let (status, _) = patch(&app, other_id, &token, json!({ "disabled": true })).await;
    assert_eq!(status, 403, "a peer admin");
    let Page { status, .. } = root
        .post_page(&format!("/console/accounts/{other_id}/disable"), &[])
        .await;
    assert_eq!(status, 403, "nor from the accounts page");
    assert!(disabled_at(&app, other_id).await.is_none());
    assert_eq!(
        patch(&app, root_id, &token, json!({ "disabled": true }))
            .await
            .0,
        403,
        "nor its own owner"
    );
    // ADMIN_TOKEN, which no account owns, manages admins.
    let (status, body) = patch(&app, other_id, ADMIN_TOKEN, json!({ "disabled": true })).await;
    assert_eq!(status, 200, "{body}");
    assert!(disabled_at(&app, other_id).await.is_some());
}
