//! Scoped API tokens: who may do what, and where.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{ADMIN_TOKEN, Page, TestApp, call, csrf_of, spawn_app};

async fn token(app: &TestApp, creator: &str, body: Value) -> (u16, Value) {
    call(app, Method::POST, "/api/v1/tokens", creator, Some(body)).await
}

async fn new_token(app: &TestApp, creator: &str, body: Value) -> String {
    let (status, answer) = token(app, creator, body).await;
    assert_eq!(status, 201, "{answer}");
    answer["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_regulator_token_acts_only_inside_its_region() {
    let app = spawn_app().await;
    let inside = app.create_venue("库尔勒酒店", "652801", "hotel").await;
    let outside = app.create_venue("昌吉酒店", "652301", "hotel").await;
    let inside_rating = app.rate(&inside, "acc-1", 1).await["id"].as_i64().unwrap();
    let outside_rating = app.rate(&outside, "acc-2", 1).await["id"].as_i64().unwrap();

    let (status, created) = token(&app, ADMIN_TOKEN, json!({ "name": "巴州平台", "role": "regulator", "region_code": "652800", "expires_in_days": 30 })).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["role"], "regulator");
    assert_eq!(created["region_code"], "652800");
    assert!(created["expires_at"].is_string());
    let bayingolin = created["token"].as_str().unwrap().to_owned();
    let stored: Vec<u8> = sqlx::query_scalar("SELECT secret_hash FROM api_tokens WHERE id = $1")
        .bind(created["id"].as_i64().unwrap())
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(
        !bayingolin
            .as_bytes()
            .windows(stored.len())
            .any(|w| w == stored),
        "only a hash is stored"
    );

    let venue = json!({ "name": "新酒店", "region_code": "652822", "category": "hotel" });
    assert_eq!(
        call(
            &app,
            Method::POST,
            "/api/v1/venues",
            &bayingolin,
            Some(venue)
        )
        .await
        .0,
        201
    );
    let elsewhere = json!({ "name": "外地酒店", "region_code": "652301", "category": "hotel" });
    assert_eq!(
        call(
            &app,
            Method::POST,
            "/api/v1/venues",
            &bayingolin,
            Some(elsewhere)
        )
        .await
        .0,
        403
    );

    let reason = json!({ "reason": "one address, ten ratings" });
    let path = |id: i64| format!("/api/v1/ratings/{id}/quarantine");
    assert_eq!(
        call(
            &app,
            Method::POST,
            &path(inside_rating),
            &bayingolin,
            Some(reason.clone())
        )
        .await
        .0,
        200
    );
    assert_eq!(
        call(
            &app,
            Method::POST,
            &path(outside_rating),
            &bayingolin,
            Some(reason.clone())
        )
        .await
        .0,
        404,
        "no existence leak"
    );
    let reissue = |v: &Value| format!("/api/v1/venues/{}/code", v["id"]);
    assert_eq!(
        call(&app, Method::POST, &reissue(&inside), &bayingolin, None)
            .await
            .0,
        200
    );
    assert_eq!(
        call(&app, Method::POST, &reissue(&outside), &bayingolin, None)
            .await
            .0,
        404
    );

    // Handing on: a county inside, never the province above or another prefecture.
    assert_eq!(
        token(
            &app,
            &bayingolin,
            json!({ "name": "轮台", "role": "regulator", "region_code": "652822" })
        )
        .await
        .0,
        201
    );
    assert_eq!(
        token(
            &app,
            &bayingolin,
            json!({ "name": "新疆", "role": "regulator", "region_code": "650000" })
        )
        .await
        .0,
        403
    );
    assert_eq!(
        token(
            &app,
            &bayingolin,
            json!({ "name": "昌吉", "role": "regulator", "region_code": "652301" })
        )
        .await
        .0,
        403
    );
    assert_eq!(
        token(
            &app,
            &bayingolin,
            json!({ "name": "root", "role": "admin" })
        )
        .await
        .0,
        403
    );
    assert_eq!(
        token(
            &app,
            &bayingolin,
            json!({ "name": "staff", "role": "venue_staff", "venue_ids": [outside["id"]] })
        )
        .await
        .0,
        403
    );
    assert_eq!(
        token(
            &app,
            &bayingolin,
            json!({ "name": "bad", "role": "regulator" })
        )
        .await
        .0,
        422
    );
    assert_eq!(
        token(
            &app,
            &bayingolin,
            json!({ "name": "bad", "role": "king", "region_code": "652800" })
        )
        .await
        .0,
        422
    );

    // The audit log has every change, with who and from where, cut to the scope.
    let (status, log) = call(&app, Method::GET, "/api/v1/audit", &bayingolin, None).await;
    assert_eq!(status, 200);
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"venue.create")
            && actions.contains(&"rating.quarantine")
            && actions.contains(&"venue.reissue_code"),
        "{actions:?}"
    );
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["region_code"]
                .as_str()
                .is_some_and(|r| r.starts_with("6528"))),
        "{log}"
    );
    let quarantine = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "rating.quarantine")
        .unwrap();
    assert_eq!(quarantine["actor"], format!("token:{}", created["id"]));
    assert_eq!(quarantine["after"]["quarantined"], true);
    assert!(quarantine["client_ip"].is_string());
    let (_, everything) = call(&app, Method::GET, "/api/v1/audit", ADMIN_TOKEN, None).await;
    assert!(
        everything["items"].as_array().unwrap().len() > log["items"].as_array().unwrap().len(),
        "the admin also sees the venues made outside"
    );
}

#[tokio::test]
async fn venue_staff_tokens_see_only_their_venues_and_revoked_or_expired_tokens_stop() {
    let app = spawn_app().await;
    let own = app.create_venue("自家民宿", "652801", "homestay").await;
    let other = app.create_venue("别家民宿", "652801", "homestay").await;
    let other_rating = app.rate(&other, "acc-3", 2).await["id"].as_i64().unwrap();
    let (status, created) = token(
        &app,
        ADMIN_TOKEN,
        json!({ "name": "前台", "role": "venue_staff", "venue_ids": [own["id"]] }),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let staff = created["token"].as_str().unwrap().to_owned();
    let staff_id = created["id"].as_i64().unwrap();

    let venue = json!({ "name": "x", "region_code": "652801", "category": "hotel" });
    assert_eq!(
        call(&app, Method::POST, "/api/v1/venues", &staff, Some(venue))
            .await
            .0,
        403
    );
    assert_eq!(
        call(
            &app,
            Method::POST,
            &format!("/api/v1/ratings/{other_rating}/quarantine"),
            &staff,
            Some(json!({ "reason": "x" }))
        )
        .await
        .0,
        403
    );
    assert_eq!(
        call(&app, Method::GET, "/api/v1/audit", &staff, None)
            .await
            .0,
        403
    );
    assert_eq!(
        call(
            &app,
            Method::POST,
            &format!("/api/v1/venues/{}/code", own["id"]),
            &staff,
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(
        call(
            &app,
            Method::POST,
            &format!("/api/v1/venues/{}/code", other["id"]),
            &staff,
            None
        )
        .await
        .0,
        404
    );
    assert_eq!(
        token(
            &app,
            &staff,
            json!({ "name": "sub", "role": "venue_staff", "venue_ids": [own["id"]] })
        )
        .await
        .0,
        201
    );
    assert_eq!(
        token(
            &app,
            &staff,
            json!({ "name": "sub", "role": "venue_staff", "venue_ids": [other["id"]] })
        )
        .await
        .0,
        403
    );

    // A regulator elsewhere cannot see, so cannot revoke, this token.
    let changji = new_token(
        &app,
        ADMIN_TOKEN,
        json!({ "name": "昌吉", "role": "regulator", "region_code": "652300" }),
    )
    .await;
    assert_eq!(
        call(
            &app,
            Method::DELETE,
            &format!("/api/v1/tokens/{staff_id}"),
            &changji,
            None
        )
        .await
        .0,
        404
    );
    assert_eq!(
        call(
            &app,
            Method::DELETE,
            &format!("/api/v1/tokens/{staff_id}"),
            ADMIN_TOKEN,
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(
        call(
            &app,
            Method::POST,
            &format!("/api/v1/venues/{}/code", own["id"]),
            &staff,
            None
        )
        .await
        .0,
        401,
        "revoked"
    );
    assert_eq!(
        call(
            &app,
            Method::DELETE,
            &format!("/api/v1/tokens/{staff_id}"),
            ADMIN_TOKEN,
            None
        )
        .await
        .0,
        404,
        "already revoked"
    );

    let expiring = new_token(&app, ADMIN_TOKEN, json!({ "name": "soon", "role": "regulator", "region_code": "652800", "expires_in_days": 1 })).await;
    assert_eq!(
        call(&app, Method::GET, "/api/v1/audit", &expiring, None)
            .await
            .0,
        200
    );
    sqlx::query(
        "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE name = 'soon'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        call(&app, Method::GET, "/api/v1/audit", &expiring, None)
            .await
            .0,
        401,
        "expired"
    );
    let forged = format!("{}x", &changji[..changji.len() - 1]);
    assert_eq!(
        call(&app, Method::GET, "/api/v1/audit", &forged, None)
            .await
            .0,
        401,
        "wrong secret"
    );
}

#[tokio::test]
async fn the_audit_log_cannot_be_changed_or_deleted() {
    let app = spawn_app().await;
    app.hotel().await;
    assert_eq!(
        app.count("audit_log").await,
        1,
        "creating the venue was recorded"
    );
    let update = sqlx::query("UPDATE audit_log SET actor = 'someone else'")
        .execute(&app.pool)
        .await;
    assert!(update.is_err(), "update refused");
    let delete = sqlx::query("DELETE FROM audit_log")
        .execute(&app.pool)
        .await;
    assert!(delete.is_err(), "delete refused");
    let truncate = sqlx::query("TRUNCATE audit_log").execute(&app.pool).await;
    assert!(truncate.is_err(), "truncate refused");
    let actor: String = sqlx::query_scalar("SELECT actor FROM audit_log")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(actor, "admin-token");
}

#[tokio::test]
async fn every_protected_route_follows_the_role_table() {
    use qrfeedback::domain::access::Role;
    use qrfeedback::http::auth::access::Access;
    use qrfeedback::http::routes::ROUTES;

    let app = spawn_app().await;
    let venue = app.hotel().await;
    let staff = new_token(
        &app,
        ADMIN_TOKEN,
        json!({ "name": "s", "role": "venue_staff", "venue_ids": [venue["id"]] }),
    )
    .await;
    let regulator = new_token(
        &app,
        ADMIN_TOKEN,
        json!({ "name": "r", "role": "regulator", "region_code": "650000" }),
    )
    .await;
    let callers = [
        (Role::Admin, ADMIN_TOKEN.to_owned()),
        (Role::Regulator, regulator),
        (Role::VenueStaff, staff),
    ];
    // Pages are reached with a session instead of a token.
    app.activated_account(json!({ "login": "root", "display_name": "r", "role": "admin" }))
        .await;
    app.activated_account(
        json!({ "login": "xj-reg", "display_name": "r", "role": "regulator", "region_code": "650000" }),
    )
    .await;
    app.activated_account(
        json!({ "login": "desk", "display_name": "d", "role": "venue_staff", "venue_ids": [venue["id"]] }),
    )
    .await;
    let people = [
        (Role::Admin, app.sign_in("root").await),
        (Role::Regulator, app.sign_in("xj-reg").await),
        (Role::VenueStaff, app.sign_in("desk").await),
    ];
    // Every signed-in page's forms carry the session's CSRF token; with it a
    // refusal can only be the role's.
    let mut csrf = Vec::new();
    for (_, person) in &people {
        let Page { body: page, .. } = person.get_page("/account/tokens").await;
        csrf.push(csrf_of(&page));
    }
    let mut page_checks = 0;
    for route in ROUTES {
        let (method, pattern) = (route.method, route.path);
        let Access::Roles(roles) = route.access else {
            continue;
        };
        let path = pattern
            .replace("{id}", "999999")
            .replace("{rating_id}", "999999")
            .replace("{table}", "ratings")
            .replace("{format}", "csv");
        if !pattern.starts_with("/api/") {
            for ((role, person), csrf) in people.iter().zip(&csrf) {
                let Page { status, body, .. } = match method {
                    "GET" => person.get_page(&path).await,
                    "POST" => person.post_page(&path, &[("csrf_token", csrf)]).await,
                    other => panic!("no page answers {other}"),
                };
                if roles.contains(role) {
                    assert!(
                        status != 403 && status < 500,
                        "{role:?} {method} {path}: {status} {body}"
                    );
                } else {
                    assert_eq!(status, 403, "{role:?} {method} {path}: {body}");
                }
                page_checks += 1;
            }
            continue;
        }
        for (role, bearer) in &callers {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let (status, body) = call(&app, method.clone(), &path, bearer, Some(json!({}))).await;
            if roles.contains(role) {
                assert!(
                    status != 403 && status != 401 && status < 500,
                    "{role:?} {method} {path}: {status} {body}"
                );
            } else {
                assert_eq!(status, 403, "{role:?} {method} {path}: {body}");
            }
        }
    }
    let pages = ROUTES
        .iter()
        .filter(|r| matches!(r.access, Access::Roles(_)) && !r.path.starts_with("/api/"))
        .count();
    assert!(pages > 20, "{pages}");
    assert_eq!(page_checks, pages * people.len());
}

#[tokio::test]
async fn rankings_and_region_scores_are_cut_to_a_regulators_region() {
    let app = spawn_app().await;
    let korla = app.create_venue("库尔勒酒店", "652801", "hotel").await;
    let changji = app.create_venue("昌吉酒店", "652301", "hotel").await;
    app.score_when(changji["id"].as_i64().unwrap(), |s| {
        !s["computed_at"].is_null()
    })
    .await;
    app.score_when(korla["id"].as_i64().unwrap(), |s| {
        !s["computed_at"].is_null()
    })
    .await;
    let bayingolin = new_token(
        &app,
        ADMIN_TOKEN,
        json!({ "name": "巴州", "role": "regulator", "region_code": "652800" }),
    )
    .await;

    let (status, refused) = call(&app, Method::GET, "/api/v1/rankings", "not-a-token", None).await;
    assert_eq!(
        status, 401,
        "a bad token is refused, not treated as anonymous: {refused}"
    );
    let anonymous: Value = app.get("/api/v1/rankings").await.json().await.unwrap();
    assert_eq!(anonymous["total"], 2, "the public ranking is national");
    let (status, scoped) = call(&app, Method::GET, "/api/v1/rankings", &bayingolin, None).await;
    assert_eq!(status, 200);
    assert_eq!(scoped["region"], "652800");
    assert_eq!(scoped["total"], 1);
    assert_eq!(scoped["items"][0]["venue_id"], korla["id"]);
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/api/v1/rankings?region=652801",
            &bayingolin,
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/api/v1/rankings?region=650000",
            &bayingolin,
            None
        )
        .await
        .0,
        403
    );
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/api/v1/regions/652300/score",
            &bayingolin,
            None
        )
        .await
        .0,
        403
    );
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/api/v1/regions/652822/score",
            &bayingolin,
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(
        app.get("/api/v1/regions/652300/score").await.status(),
        200,
        "public without a token"
    );
}

/// A token name holding a NUL (which Postgres refuses) or a direction
/// override (which makes a name read otherwise than it is stored) is
/// refused with a 422 problem, and no token is made.
#[tokio::test]
async fn a_token_name_with_a_nul_or_a_direction_override_is_refused() {
    let app = spawn_app().await;
    let tokens = app.count("api_tokens").await;
    for bad in ["\u{0}", "\u{202E}"] {
        let body = json!({ "name": format!("省平台{bad}对接"), "role": "admin" });
        let response = app
            .client
            .post(format!("{}/api/v1/tokens", app.address))
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["type"], "/problems/control-character", "{body}");
    }
    assert_eq!(app.count("api_tokens").await, tokens);
}
