//! Bad input never breaks anything: text with control characters is refused
//! at the edge, a row Postgres refuses fails alone instead of its whole batch,
//! and an oversized body is answered in the route's own format.

use qrfeedback::domain::ids::VenueId;
use std::sync::Arc;

use chrono::Utc;
use qrfeedback::jobs::batcher::{Batcher, StoredVenues, WriteFailure, WriteOutcome};
use qrfeedback::live::Live;
use qrfeedback::store::ratings::RatingRow;
use qrfeedback::store::venues::VenueCard;
use qrfeedback::telemetry::Metrics;
use serde_json::{Value, json};

use crate::common::{ADMIN_TOKEN, TestApp, spawn_app};

/// Venue days whose aggregates differ from a recount of their ratings.
async fn aggregate_differences(app: &TestApp) -> Vec<(VenueId, chrono::NaiveDate)> {
    let since = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    qrfeedback::store::reconcile::aggregate_differences(&app.pool, since, (i64::MIN, i64::MAX))
        .await
        .unwrap()
}

#[tokio::test]
async fn nul_carrying_ratings_among_concurrent_clean_ones_refuse_only_themselves() {
    let app = spawn_app().await;
    let venues = [app.hotel().await, app.hotel().await];
    let poison = |i: usize| i % 20 == 7;
    let body = |i: usize| {
        let mut body = json!({
            "code": venues[i % 2]["code"],
            "device_id": format!("poison-run-{i:04}"),
            "overall": i % 5 + 1,
            "comment": "服务很好",
        });
        if poison(i) {
            if i % 40 == 7 {
                body["comment"] = json!("bad\u{0}comment");
            } else {
                body["complaint"] = json!({ "text": "强制购物\u{0}", "contact": "13800000000" });
            }
        }
        body
    };
    let app = &app;
    for round in 0..4 {
        let statuses = futures_util::future::join_all((0..60).map(|i| {
            let mut body = body(i);
            body["device_id"] = json!(format!("poison-{round}-{i:04}"));
            async move {
                let response = app.post_rating(&body).await;
                let status = response.status().as_u16();
                let problem: Value = response.json().await.unwrap_or(Value::Null);
                (status, problem)
            }
        }))
        .await;
        for (i, (status, problem)) in statuses.iter().enumerate() {
            if poison(i) {
                assert_eq!(*status, 422, "poison {i}: {problem}");
                assert_eq!(problem["type"], "/problems/control-character");
            } else {
                assert_eq!(*status, 201, "clean {i} in round {round}: {problem}");
            }
        }
    }
    let clean = (0..60).filter(|i| !poison(*i)).count() as i64;
    assert_eq!(app.count("ratings").await, 4 * clean);
    let stored_comments: Vec<Option<String>> =
        sqlx::query_scalar("SELECT DISTINCT comment FROM ratings")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored_comments, [Some("服务很好".to_owned())]);
    assert_eq!(app.count("complaints").await, 0);
    assert_eq!(aggregate_differences(app).await, []);
}

fn venue_card(venue: &Value) -> Arc<VenueCard> {
    Arc::new(VenueCard {
        id: VenueId::new(venue["id"].as_i64().unwrap()),
        name: "孔雀河酒店".into(),
        region_code: qrfeedback::domain::venue::RegionCode::parse("652801").unwrap(),
        region_path: vec!["652801".into(), "652800".into(), "650000".into()],
        region_name_zh: "库尔勒市".into(),
        region_name_en: "Korla".into(),
        category: "hotel".into(),
        category_name_zh: "酒店".into(),
        category_name_en: "Hotel".into(),
    })
}

fn crafted_row(venue_id: VenueId, device: u8, comment: &str) -> RatingRow {
    let now = Utc::now();
    RatingRow {
        venue_id,
        day: qrfeedback::domain::day::local_day(now),
        created_at: now,
        device_hash: [device; 16],
        network_hash: [0; 8],
        overall: 4,
        environment: None,
        skill: Some(5),
        attitude: None,
        tags: vec!["clean"],
        comment: Some(comment.to_owned()),
        form_nonce: None,
        complaint: None,
        contact_sealed: None,
        tracking_code: None,
        case_opening: None,
        idempotency: None,
    }
}

#[tokio::test]
async fn a_row_postgres_refuses_fails_alone_and_the_rest_of_its_batch_is_stored() {
    // Validation refuses NUL now; this row is built past it, as a value some
    // future field might let through, to show the writer's own defence.
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let card = venue_card(&venue);
    let batcher = Batcher::start(
        app.pool.clone(),
        Live::new(None, "").unwrap(),
        Metrics::new(),
        (1, 256),
        StoredVenues::default(),
    );
    let rows: Vec<RatingRow> = (0..48u8)
        .map(|i| {
            let comment = if i == 5 || i == 30 { "a\0b" } else { "fine" };
            crafted_row(card.id, i, comment)
        })
        .collect();
    // Spawned together, so the claim stage takes them as one group.
    let tasks: Vec<_> = rows
        .into_iter()
        .map(|row| {
            let (batcher, card) = (batcher.clone(), card.clone());
            tokio::spawn(async move { batcher.submit(row, card).await })
        })
        .collect();
    let mut stored = 0;
    for (i, task) in tasks.into_iter().enumerate() {
        let outcome = task.await.unwrap();
        if i == 5 || i == 30 {
            assert_eq!(outcome, Err(WriteFailure::Refused), "row {i}");
        } else {
            assert!(
                matches!(outcome, Ok(WriteOutcome::Stored(_))),
                "row {i}: {outcome:?}"
            );
            stored += 1;
        }
    }
    assert_eq!(stored, 46);
    assert_eq!(app.count("ratings").await, 46);
    let counted: i32 =
        sqlx::query_scalar("SELECT ratings_count FROM venue_day_stats WHERE venue_id = $1")
            .bind(card.id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(counted, 46);
    assert_eq!(aggregate_differences(&app).await, []);
}

#[tokio::test]
async fn a_venue_name_with_a_nul_is_refused() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/api/v1/venues", app.address))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({ "name": "酒店\u{0}", "region_code": "652801", "category": "hotel" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(app.count("venues").await, 0);
}

/// A body just over the 16 KiB limit.
fn oversized_json() -> String {
    json!({ "comment": "长".repeat(8 * 1024) }).to_string()
}

#[tokio::test]
async fn an_oversized_body_on_a_json_route_answers_413_problem_json() {
    let app = spawn_app().await;
    let body = oversized_json();
    for (method, path) in [
        (reqwest::Method::POST, "/api/v1/ratings"),
        (reqwest::Method::POST, "/api/v1/venues"),
        (reqwest::Method::POST, "/api/v1/tokens"),
        (reqwest::Method::PATCH, "/api/v1/accounts/1"),
        (reqwest::Method::PUT, "/api/v1/venues/1/commitment"),
    ] {
        let response = app
            .client
            .request(method.clone(), format!("{}{path}", app.address))
            .bearer_auth(ADMIN_TOKEN)
            .header("Content-Type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413, "{method} {path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{method} {path}"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["type"], "/problems/body-too-large");
        assert_eq!(problem["status"], 413);
    }
    assert_eq!(app.count("ratings").await, 0);
    assert_eq!(app.count("venues").await, 0);
}

#[tokio::test]
async fn broken_json_stays_a_400_problem() {
    let app = spawn_app().await;
    for body in ["{\"code\": ", "not json", "[1,2"] {
        let response = app
            .client
            .post(format!("{}/api/v1/ratings", app.address))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["type"], "/problems/malformed-json");
    }
}

#[tokio::test]
async fn an_oversized_rating_form_answers_413_with_the_friendly_page() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let code = venue["code"].as_str().unwrap();
    let comment = "长".repeat(8 * 1024);
    let form = [("overall", "5"), ("comment", comment.as_str())];
    let response = app
        .client
        .post(format!("{}/r/{code}", app.address))
        .header("Accept-Language", "zh-CN,zh;q=0.9")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(serde_html_form::to_string(form).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
    );
    let page = response.text().await.unwrap();
    assert!(page.contains("提交的内容太多"), "{page}");
    assert!(page.contains("<html"), "a whole page");

    let response = app
        .client
        .post(format!("{}/login", app.address))
        .header("Accept-Language", "en")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(
            serde_html_form::to_string([("login", "someone"), ("password", comment.as_str())])
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let page = response.text().await.unwrap();
    assert!(page.contains("That was too much to send"), "{page}");
    assert_eq!(app.count("ratings").await, 0);
}
