use std::collections::HashSet;

use crate::common::{Options, TestApp, spawn_app, spawn_app_with};
use qrfeedback::domain::ids::VenueId;
use serde_json::{Value, json};

#[tokio::test]
async fn a_rating_is_stored_counted_and_answered_201() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    let response = app
        .post_rating(&json!({
            "code": venue["code"],
            "device_id": "phone-0000001",
            "overall": 4,
            "dimensions": { "environment": 5, "skill": 3 },
            "tags": ["clean", "friendly_staff"],
            "comment": "干净整洁"
        }))
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["device_id"], "phone-0000001");
    assert_eq!(body["venue_id"], venue_id);
    assert!(body["id"].as_i64().unwrap() > 0);
    assert!(body.get("tracking_code").is_none());

    let row = sqlx::query_as::<_, (i16, Option<i16>, Option<i16>, Option<i16>, Vec<String>, Option<String>, Vec<u8>)>(
        "SELECT overall, environment, skill, attitude, tags, comment, device_hash FROM ratings WHERE venue_id = $1",
    )
    .bind(venue_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((row.0, row.1, row.2, row.3), (4, Some(5), Some(3), None));
    assert_eq!(
        row.4,
        vec!["friendly_staff".to_string(), "clean".to_string()],
        "kept in display order"
    );
    assert_eq!(row.5.as_deref(), Some("干净整洁"));
    assert_eq!(row.6.len(), 16, "only a keyed hash of the device is stored");
    assert!(!String::from_utf8_lossy(&row.6).contains("phone"));

    let (count, sum, hist, env_count): (i32, i32, Vec<i32>, i32) = sqlx::query_as(
        "SELECT ratings_count, overall_sum, overall_hist, environment_count FROM venue_day_stats WHERE venue_id = $1",
    )
    .bind(venue_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (count, sum, hist, env_count),
        (1, 4, vec![0, 0, 0, 1, 0], 1)
    );
    let score = app.score(venue_id).await;
    assert_eq!(score["today"], 1);
    assert_eq!(score["tags"]["clean"], 1);
}

#[tokio::test]
async fn without_a_device_id_the_server_issues_one() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let body: Value = app
        .post_rating(&json!({ "code": venue["code"], "overall": 3 }))
        .await
        .json()
        .await
        .unwrap();
    let device = body["device_id"].as_str().unwrap();
    assert!(device.len() >= 16);
    let again = app
        .post_rating(&json!({ "code": venue["code"], "overall": 3, "device_id": device }))
        .await;
    assert_eq!(again.status(), 409, "the issued id identifies the device");
}

#[tokio::test]
async fn every_validation_error_is_a_problem_and_writes_nothing() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let code = venue["code"].as_str().unwrap();
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            json!({ "code": code, "overall": 0 }),
            422,
            "value-out-of-range",
        ),
        (
            json!({ "code": code, "overall": 6 }),
            422,
            "value-out-of-range",
        ),
        (json!({ "code": code, "overall": 4.5 }), 422, "invalid-body"),
        (json!({ "code": code, "overall": "5" }), 422, "invalid-body"),
        (json!({ "code": code }), 422, "invalid-body"),
        (
            json!({ "code": code, "overall": 5, "dimensions": { "skill": 9 } }),
            422,
            "value-out-of-range",
        ),
        (
            json!({ "code": code, "overall": 5, "dimensions": { "taste": 3 } }),
            422,
            "invalid-body",
        ),
        (
            json!({ "code": code, "overall": 5, "tags": ["nice"] }),
            422,
            "unknown-tag",
        ),
        (
            json!({ "code": code, "overall": 5, "comment": "好".repeat(501) }),
            422,
            "text-too-long",
        ),
        (
            json!({ "code": code, "overall": 5, "complaint": { "text": "x".repeat(1001) } }),
            422,
            "text-too-long",
        ),
        (
            json!({ "code": code, "overall": 5, "complaint": { "text": " ", "contact": "138" } }),
            422,
            "empty-complaint",
        ),
        (
            json!({ "code": code, "overall": 5, "device_id": "bad id!" }),
            422,
            "invalid-device-id",
        ),
        (
            json!({ "code": code, "overall": 5, "extra": true }),
            422,
            "invalid-body",
        ),
        (
            json!({ "code": "abcdefghijkl", "overall": 5 }),
            404,
            "not-found",
        ),
        (
            json!({ "code": "../../etc", "overall": 5 }),
            404,
            "not-found",
        ),
    ];
    for (body, status, kind) in cases {
        let response = app.post_rating(&body).await;
        assert_eq!(response.status().as_u16(), status, "{body}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{body}"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["type"], format!("/problems/{kind}"), "{body}");
        assert_eq!(problem["status"], status);
    }
    for raw in ["{", "not json", "", "[1,2"] {
        let response = app
            .client
            .post(format!("{}/api/v1/ratings", app.address))
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{raw:?}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["type"], "/problems/malformed-json");
    }
    let rows: i64 = app.count("ratings").await;
    let stats: i64 = app.count("venue_day_stats").await;
    assert_eq!((rows, stats), (0, 0));
}

#[tokio::test]
async fn a_second_rating_from_the_same_device_the_same_day_is_409() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let body = json!({ "code": venue["code"], "device_id": "phone-dup-0001", "overall": 5 });
    assert_eq!(app.post_rating(&body).await.status(), 201);
    let second = app
        .post_rating(&json!({ "code": venue["code"], "device_id": "phone-dup-0001", "overall": 1 }))
        .await;
    assert_eq!(second.status(), 409);
    let problem: Value = second.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/duplicate-rating");
    let other_venue = app.create_venue("另一家", "652822", "restaurant").await;
    let elsewhere =
        json!({ "code": other_venue["code"], "device_id": "phone-dup-0001", "overall": 2 });
    assert_eq!(
        app.post_rating(&elsewhere).await.status(),
        201,
        "other venues are independent"
    );
    let count: i64 = app.count("ratings").await;
    assert_eq!(count, 2);
}

#[tokio::test]
async fn the_postgres_constraint_catches_duplicates_when_redis_misses_them() {
    // Without Redis the fast-path guard is gone; the unique constraint remains.
    let app = spawn_app_with(Options {
        no_redis: true,
        ..Options::default()
    })
    .await;
    let venue = app.hotel().await;
    let body = json!({ "code": venue["code"], "device_id": "phone-pg-00001", "overall": 5 });
    assert_eq!(app.post_rating(&body).await.status(), 201);
    assert_eq!(app.post_rating(&body).await.status(), 409);
}

#[tokio::test]
async fn repeats_caught_by_postgres_inside_a_batch_leave_the_rest_stored_and_counted() {
    // Without Redis nothing stops a repeat before the batch; the batch then
    // fails whole, its repeats are answered 409 and the others stored again.
    let app = spawn_app_with(Options {
        no_redis: true,
        ..Options::default()
    })
    .await;
    let venues = [app.hotel().await, app.hotel().await];
    let body = |i: usize| {
        json!({
            "code": venues[i % 2]["code"],
            "device_id": format!("mixed-{i:04}"),
            "overall": i % 5 + 1,
            "dimensions": { "skill": (i * 2) % 5 + 1 },
            "tags": ["clean"],
        })
    };
    for i in 0..10 {
        assert_eq!(app.post_rating(&body(i)).await.status(), 201);
    }
    // Ten repeats of those devices among thirty new ones, all at once.
    let app = &app;
    let statuses = futures_util::future::join_all((0..40).map(|i| {
        let body = body(i);
        async move { app.post_rating(&body).await.status().as_u16() }
    }))
    .await;
    assert_eq!(statuses[..10], [409; 10], "{statuses:?}");
    assert_eq!(statuses[10..], [201; 30], "{statuses:?}");

    assert_eq!(app.count("ratings").await, 40);
    assert_eq!(aggregate_differences(app).await, []);
    let counted: i64 = sqlx::query_scalar("SELECT sum(count) FROM venue_day_tags")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(counted, 40);
}

#[tokio::test]
async fn idempotency_key_replays_the_same_answer_and_refuses_another_body() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let url = format!("{}/api/v1/ratings", app.address);
    let body = json!({ "code": venue["code"], "overall": 4, "complaint": "导游强制购物" });
    let send = |body: Value, key: &'static str| {
        let request = app
            .client
            .post(&url)
            .header("Idempotency-Key", key)
            .json(&body);
        async move { request.send().await.unwrap() }
    };
    let first = send(body.clone(), "key-1").await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert!(first["tracking_code"].as_str().is_some());

    let replay = send(body.clone(), "key-1").await;
    assert_eq!(replay.status(), 201);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let replay: Value = replay.json().await.unwrap();
    assert_eq!(
        replay, first,
        "the same answer, device id and tracking code included"
    );

    let other = send(json!({ "code": venue["code"], "overall": 1 }), "key-1").await;
    assert_eq!(other.status(), 422);
    let problem: Value = other.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/idempotency-key-reused");

    let count: i64 = app.count("ratings").await;
    let complaints: i64 = app.count("complaints").await;
    assert_eq!((count, complaints), (1, 1));
}

#[tokio::test]
async fn complaints_get_a_tracking_code_and_the_contact_is_encrypted() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let response = app
        .post_rating(&json!({
            "code": venue["code"], "overall": 1, "tags": ["overcharging"],
            "complaint": { "text": "房价与标价不符", "contact": "13800138000" }
        }))
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    let tracking = body["tracking_code"].as_str().unwrap();
    let venue_prefix = format!("{}-", venue["id"]);
    assert!(tracking.starts_with(&venue_prefix), "{tracking}");
    assert_eq!(tracking.len(), venue_prefix.len() + 10);
    let (code, description, contact, status): (String, String, Vec<u8>, String) = sqlx::query_as(
        "SELECT tracking_code, description, contact_encrypted, state FROM complaints WHERE rating_id = $1",
    )
    .bind(body["id"].as_i64().unwrap())
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (code.as_str(), description.as_str(), status.as_str()),
        (tracking, "房价与标价不符", "submitted")
    );
    assert!(
        !contact.windows(11).any(|w| w == b"13800138000"),
        "contact is not stored in clear"
    );
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let app = spawn_app_with(Options {
        rate_limit_per_minute: 3,
        ..Options::default()
    })
    .await;
    let venue = app.hotel().await;
    let mut statuses = Vec::new();
    for i in 0..5 {
        let response = app
            .post_rating(&json!({ "code": venue["code"], "device_id": format!("phone-rl-{i:05}"), "overall": 5 }))
            .await;
        if response.status() == 429 {
            let retry: u64 = response.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=60).contains(&retry));
        }
        statuses.push(response.status().as_u16());
    }
    // A minute boundary may fall inside the loop; at least the first three pass
    // and at least one later request is limited.
    assert_eq!(&statuses[..3], &[201, 201, 201]);
    assert!(statuses[3..].contains(&429), "{statuses:?}");
}

#[tokio::test]
async fn two_hundred_concurrent_ratings_equal_a_recount_from_raw_rows() {
    let app = spawn_app().await;
    let mut codes = Vec::new();
    for (i, (region, category)) in [
        ("652801", "hotel"),
        ("652822", "restaurant"),
        ("220581", "scenic_area"),
        ("652301", "shop"),
    ]
    .into_iter()
    .enumerate()
    {
        codes.push(
            app.create_venue(&format!("并发 {i}"), region, category)
                .await["code"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let tags = ["clean", "long_wait", "forced_shopping", "friendly_staff"];
    let requests = (0..200).map(|i| {
        let body = json!({
            "code": codes[i % codes.len()],
            "device_id": format!("concurrent-{i:05}"),
            "overall": (i % 5) + 1,
            "dimensions": {
                "environment": ((i * 7) % 5) + 1,
                "skill": ((i / 3) % 5) + 1,
                "attitude": ((i * 3) % 5) + 1,
            },
            "tags": [tags[i % tags.len()]],
        });
        let client = app.client.clone();
        let url = format!("{}/api/v1/ratings", app.address);
        async move {
            client
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(requests).await;
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");

    assert_eq!(aggregate_differences(&app).await, []);
    let total: i64 = sqlx::query_scalar("SELECT sum(ratings_count) FROM venue_day_stats")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(total, 200);
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM ratings")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 200);
}

#[tokio::test]
async fn idempotency_answers_expire_after_a_day() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let url = format!("{}/api/v1/ratings", app.address);
    for key in ["old-key", "new-key"] {
        let body =
            json!({ "code": venue["code"], "overall": 5, "device_id": format!("device-{key}") });
        let response = app
            .client
            .post(&url)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    sqlx::query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'old-key'")
        .execute(&app.pool)
        .await
        .unwrap();
    let purged = qrfeedback::store::ratings::purge_idempotency_keys(&app.pool, 24)
        .await
        .unwrap();
    // The app's own housekeeping may have purged it first; either way it is gone.
    assert!(purged <= 1, "{purged}");
    let left: Vec<String> = sqlx::query_scalar("SELECT key FROM idempotency_keys")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(left, vec!["new-key".to_string()]);
    let ratings: i64 = app.count("ratings").await;
    assert_eq!(ratings, 2, "ratings themselves are never deleted");
}

/// Venue days whose aggregates differ from a recount of their ratings.
async fn aggregate_differences(app: &TestApp) -> Vec<(VenueId, chrono::NaiveDate)> {
    let since = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    qrfeedback::store::reconcile::aggregate_differences(&app.pool, since, (i64::MIN, i64::MAX))
        .await
        .unwrap()
}
