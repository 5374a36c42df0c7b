use std::time::Duration;

use crate::common::{eventually, spawn_app};
use serde_json::{Value, json};

#[tokio::test]
async fn healthz_and_readyz_report_postgres_and_redis() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["postgres"], "up");
    assert_eq!(body["schema"], "current");
    // Redis is reported as the monitor last saw it; on a busy machine a slow
    // first ping reads as down until the next check a second later.
    let redis_up = eventually(Duration::from_secs(5), || async {
        let body: Value = app.get("/readyz").await.json().await.unwrap();
        body["redis"] == "up"
    })
    .await;
    assert!(redis_up, "readyz never reported Redis up");

    // A binary newer than its database's schema is not ready until `migrate` runs.
    sqlx::query(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let behind = app.get("/readyz").await;
    assert_eq!(behind.status(), 503);
    let body: Value = behind.json().await.unwrap();
    assert_eq!(body["postgres"], "up");
    assert_eq!(body["schema"], "behind");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_ratings_by_outcome() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let rating = serde_json::json!({ "code": venue["code"], "overall": 9 });
    assert_eq!(app.post_rating(&rating).await.status(), 422);
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(
        text.contains(
            r#"qrf_http_requests_total{method="POST",route="/api/v1/venues",status="201"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"qrf_ratings_total{outcome="value-out-of-range"} 1"#),
        "{text}"
    );
    assert!(text.contains("qrf_http_request_duration_seconds_bucket"));
    assert!(text.contains("qrf_db_pool_connections"));
}

#[tokio::test]
async fn openapi_lists_every_json_route_and_docs_page_works_offline() {
    let app = spawn_app().await;
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with('3'));
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/venues",
        "/api/v1/venues/{id}",
        "/api/v1/venues/{id}/code",
        "/api/v1/venues/{id}/qr.png",
        "/api/v1/venues/{id}/qr.svg",
        "/api/v1/venues/{id}/score",
        "/api/v1/ratings",
        "/healthz",
        "/readyz",
    ] {
        assert!(paths.contains_key(path), "{path} missing from openapi.json");
    }
    let docs = app.get("/docs").await;
    assert_eq!(docs.status(), 200);
    let html = docs.text().await.unwrap();
    assert!(html.contains("/api/v1/ratings"));
    assert!(
        !html.contains("<script src"),
        "the docs page must not load anything external"
    );
}

#[tokio::test]
async fn responses_carry_a_request_id_and_unknown_routes_are_problems() {
    let app = spawn_app().await;
    let response = app.get("/no/such/route").await;
    assert_eq!(response.status(), 404);
    assert!(response.headers().contains_key("x-request-id"));
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}

#[tokio::test]
async fn every_route_is_declared_in_the_access_table_and_protected_routes_need_a_token() {
    use qrfeedback::http::auth::access::Access;
    use qrfeedback::http::routes::ROUTES;

    let app = spawn_app().await;
    let venue = app.hotel().await;
    let code = venue["code"].as_str().unwrap();
    let id = venue["id"].to_string();
    let filed: Value = app
        .post_rating(&json!({"code": code, "overall": 1, "complaint": {"text": "价格不符"}}))
        .await
        .json()
        .await
        .unwrap();
    let tracking_code = filed["tracking_code"].as_str().unwrap();

    // Every documented JSON operation has a rule.
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let declared = ROUTES
                .iter()
                .any(|r| r.method.eq_ignore_ascii_case(method) && r.path == path);
            assert!(declared, "{method} {path} is not in the route table");
        }
    }

    // Every rule holds over HTTP, without credentials.
    for route in ROUTES {
        let (method, pattern, access) = (route.method, route.path, route.access);
        let path = pattern
            .replace("{id}", &id)
            .replace("{code}", code)
            .replace("{tracking_code}", tracking_code)
            .replace("{rating_id}", "1");
        let url = format!("{}{path}", app.address);
        let request = match method {
            "GET" => app.client.get(&url),
            "POST" => app
                .client
                .post(&url)
                .header("content-type", "application/json")
                .body("{}"),
            "DELETE" => app.client.delete(&url),
            "PUT" => app
                .client
                .put(&url)
                .header("content-type", "application/json")
                .body("{}"),
            "PATCH" => app
                .client
                .patch(&url)
                .header("content-type", "application/json")
                .body("{}"),
            other => panic!("no test request for method {other}"),
        };
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        match access {
            // Pages send people without a session to the sign-in page.
            Access::Roles(_) if !pattern.starts_with("/api/") => {
                let location = response
                    .headers()
                    .get("location")
                    .map(|v| v.to_str().unwrap());
                assert_eq!(
                    (status, location),
                    (303, Some("/login")),
                    "{method} {pattern}"
                )
            }
            Access::Roles(_) => assert_eq!(status, 401, "{method} {pattern}"),
            // A made-up invitation token is unknown: 404 is the right answer.
            Access::Public if pattern.contains("{token}") => assert!(
                status != 401 && status < 500,
                "{method} {pattern} gave {status}"
            ),
            Access::Public => assert!(
                status != 401 && status != 404 && status < 500,
                "{method} {pattern} gave {status}"
            ),
        }
    }
}

#[tokio::test]
async fn migrate_loads_reference_data_and_can_run_again() {
    let app = spawn_app().await;
    let regions = app.count("regions").await;
    let categories = app.count("categories").await;
    assert!(regions >= 30, "the shipped region tree is loaded");
    assert_eq!(categories, 13);
    qrfeedback::store::migrate(&app.pool)
        .await
        .expect("second migrate");
    assert_eq!(app.count("regions").await, regions);
    assert_eq!(app.count("categories").await, categories);
    let korla: (String, String) =
        sqlx::query_as("SELECT parent_code::text, name_en FROM regions WHERE code = '652801'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(korla, ("652800".to_string(), "Korla City".to_string()));
}
