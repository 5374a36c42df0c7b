//! Keeping the venue register: editing, closing and reopening a venue, and
//! importing venues from a spreadsheet, each scoped by role and audited.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{ADMIN_TOKEN, ANONYMOUS, TestApp, call, spawn_app};
use crate::rating_page::{form_token, open_page, post_form};

/// Valid unified social credit codes (their check characters computed).
const CREDIT_CODE: &str = "91652801MA77X12344";
const OTHER_CREDIT_CODE: &str = "92652801MA78Y0001C";

/// A token made by the admin.
async fn token(app: &TestApp, body: Value) -> String {
    let (status, answer) = call(app, Method::POST, "/api/v1/tokens", ADMIN_TOKEN, Some(body)).await;
    assert_eq!(status, 201, "{answer}");
    answer["token"].as_str().unwrap().to_owned()
}

/// A regulator of Bayingolin (652800).
async fn bayingolin(app: &TestApp) -> String {
    token(
        app,
        json!({ "name": "巴州", "role": "regulator", "region_code": "652800" }),
    )
    .await
}

async fn patch(app: &TestApp, bearer: Option<&str>, venue: &Value, body: Value) -> (u16, Value) {
    let path = format!("/api/v1/venues/{}", venue["id"]);
    call(app, Method::PATCH, &path, bearer, Some(body)).await
}

/// The audit rows of a venue, oldest first: (action, before, after).
async fn audit_rows(app: &TestApp, venue: &Value) -> Vec<(String, Value, Value)> {
    sqlx::query_as::<_, (String, Option<Value>, Option<Value>)>(
        "SELECT action, before, after FROM audit_log WHERE venue_id = $1 ORDER BY id",
    )
    .bind(venue["id"].as_i64().unwrap())
    .fetch_all(&app.pool)
    .await
    .unwrap()
    .into_iter()
    .map(|(action, before, after)| {
        (
            action,
            before.unwrap_or(Value::Null),
            after.unwrap_or(Value::Null),
        )
    })
    .collect()
}

#[tokio::test]
async fn an_edit_changes_the_fields_and_audits_what_changed() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let regulator = bayingolin(&app).await;
    let (status, edited) = patch(
        &app,
        Some(&regulator),
        &venue,
        json!({
            "name": "孔雀河大酒店", "address": "人民东路 1 号", "unit_type": "私企",
            "person_in_charge": "阿依古丽", "phone": "0996-2022222", "staff_count": 40,
            "founded_on": "2003-05-01", "credit_code": CREDIT_CODE,
        }),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["name"], "孔雀河大酒店");
    assert_eq!(edited["unit_type"], "private");
    assert_eq!(edited["phone"], "0996-2022222");
    assert_eq!(edited["staff_count"], 40);
    assert_eq!(edited["founded_on"], "2003-05-01");
    assert_eq!(edited["credit_code"], CREDIT_CODE);
    assert_eq!(edited["closed"], false);

    // Absent fields stay; null clears.
    let (status, cleared) = patch(
        &app,
        Some(ADMIN_TOKEN),
        &venue,
        json!({ "address": null, "credit_code": OTHER_CREDIT_CODE }),
    )
    .await;
    assert_eq!(status, 200, "{cleared}");
    assert_eq!(cleared["address"], Value::Null);
    assert_eq!(cleared["person_in_charge"], "阿依古丽");
    assert_eq!(cleared["credit_code"], OTHER_CREDIT_CODE);

    // Nothing to change writes nothing.
    let before = audit_rows(&app, &venue).await.len();
    let (status, _) = patch(
        &app,
        Some(ADMIN_TOKEN),
        &venue,
        json!({ "staff_count": 40 }),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(audit_rows(&app, &venue).await.len(), before);

    let rows = audit_rows(&app, &venue).await;
    let actions: Vec<&str> = rows.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(actions, ["venue.create", "venue.update", "venue.update"]);
    let (_, was, is) = &rows[1];
    assert_eq!(was["name"], "孔雀河酒店");
    assert_eq!(is["name"], "孔雀河大酒店");
    assert_eq!(was["credit_code"], Value::Null);
    assert_eq!(is["credit_code"], CREDIT_CODE);
    assert!(was.get("region_code").is_none(), "only what changed: {was}");
    let (_, was, is) = &rows[2];
    assert_eq!(was["address"], "人民东路 1 号");
    assert_eq!(is["address"], Value::Null);

    // The venue's staff see the particulars in the full shape.
    let (_, read) = call(
        &app,
        Method::GET,
        &format!("/api/v1/venues/{}", venue["id"]),
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(read["name"], "孔雀河大酒店");
    assert_eq!(read["closed_at"], Value::Null);
}

#[tokio::test]
async fn bad_fields_are_refused_by_slug_and_change_nothing() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    for (body, slug) in [
        (
            json!({ "credit_code": "91652801MA77X12345" }),
            "credit-code-checksum",
        ),
        (json!({ "credit_code": "9165" }), "invalid-credit-code"),
        (json!({ "founded_on": "2003-02-30" }), "invalid-date"),
        (
            json!({ "founded_on": "2999-01-01" }),
            "founding-date-out-of-range",
        ),
        (json!({ "unit_type": "company" }), "invalid-unit-type"),
        (json!({ "staff_count": -1 }), "invalid-staff-count"),
        (json!({ "phone": "ring me" }), "invalid-phone"),
        (json!({ "name": "" }), "invalid-venue-name"),
        (json!({ "region_code": "999999" }), "unknown-region"),
        (json!({ "category": "spaceport" }), "unknown-category"),
    ] {
        let (status, problem) = patch(&app, Some(ADMIN_TOKEN), &venue, body.clone()).await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert_eq!(problem["type"], format!("/problems/{slug}"), "{body}");
    }
    let (status, problem) = patch(&app, Some(ADMIN_TOKEN), &venue, json!({ "colour": 1 })).await;
    assert_eq!(status, 422, "{problem}");
    let path = format!("/api/v1/venues/{}", venue["id"]);
    let response = app
        .client
        .patch(format!("{}{path}", app.address))
        .bearer_auth(ADMIN_TOKEN)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        audit_rows(&app, &venue).await.len(),
        1,
        "only the creation is audited"
    );
}

#[tokio::test]
async fn each_role_edits_only_what_it_supervises() {
    let app = spawn_app().await;
    let korla = app.hotel().await;
    let changji = app.create_venue("昌吉酒店", "652301", "hotel").await;
    let regulator = bayingolin(&app).await;
    let staff = token(
        &app,
        json!({ "name": "前台", "role": "venue_staff", "venue_ids": [korla["id"]] }),
    )
    .await;
    let rename = json!({ "name": "新名字" });

    assert_eq!(
        patch(&app, Some(ADMIN_TOKEN), &changji, rename.clone())
            .await
            .0,
        200
    );
    assert_eq!(
        patch(&app, Some(&regulator), &korla, rename.clone())
            .await
            .0,
        200
    );
    let (status, problem) = patch(&app, Some(&regulator), &changji, rename.clone()).await;
    assert_eq!(
        (status, &problem["type"]),
        (404, &json!("/problems/not-found"))
    );
    assert_eq!(
        patch(&app, Some(&staff), &korla, rename.clone()).await.0,
        403
    );
    assert_eq!(patch(&app, ANONYMOUS, &korla, rename.clone()).await.0, 401);
    let missing = json!({ "id": 999_999 });
    assert_eq!(
        patch(&app, Some(ADMIN_TOKEN), &missing, rename).await.0,
        404
    );

    // A regulator moves a venue within its region, never out of it.
    let (status, moved) = patch(
        &app,
        Some(&regulator),
        &korla,
        json!({ "region_code": "652822" }),
    )
    .await;
    assert_eq!((status, &moved["region_code"]), (200, &json!("652822")));
    let (status, problem) = patch(
        &app,
        Some(&regulator),
        &korla,
        json!({ "region_code": "652301" }),
    )
    .await;
    assert_eq!(
        (status, &problem["type"]),
        (403, &json!("/problems/region-outside-scope"))
    );
    let region: String = sqlx::query_scalar("SELECT region_code::text FROM venues WHERE id = $1")
        .bind(korla["id"].as_i64().unwrap())
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(region, "652822");
}

#[tokio::test]
async fn a_region_or_category_change_queues_the_score_refresh() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    // Wait for the first refresh to take the creation's queue entry.
    let score = app.score_when(id, |s| s["tier"].is_string()).await;
    assert!(score["tier"].is_string(), "{score}");
    let computed = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, chrono::DateTime<chrono::Utc>>(
                "SELECT computed_at FROM venue_scores WHERE venue_id = $1",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let first = computed(&app).await;
    let (status, _) = patch(
        &app,
        Some(ADMIN_TOKEN),
        &venue,
        json!({ "category": "homestay" }),
    )
    .await;
    assert_eq!(status, 200);
    let refreshed = crate::common::eventually(std::time::Duration::from_secs(10), || {
        let app = &app;
        async move { computed(app).await > first }
    })
    .await;
    assert!(
        refreshed,
        "the venue's score was recomputed after its category changed"
    );
}

#[tokio::test]
async fn a_closed_venue_takes_no_ratings_keeps_its_history_and_reopens() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let code = venue["code"].as_str().unwrap();
    let id = venue["id"].as_i64().unwrap();
    app.rate(&venue, "before-closing", 5).await;
    let page = open_page(&app, code).await;
    let token = form_token(&page);

    let (status, closed) = patch(&app, Some(ADMIN_TOKEN), &venue, json!({ "closed": true })).await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["closed"], true);
    assert!(closed["closed_at"].is_string());

    // The code page says so, in the visitor's language, without a form.
    let response = app
        .client
        .get(format!("{}/r/{code}", app.address))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 410);
    let body = response.text().await.unwrap();
    assert!(body.contains("This venue is closed"), "{body}");
    assert!(body.contains("孔雀河酒店"));
    assert!(!body.contains("<form"), "no rating form: {body}");
    let zh = app.get(&format!("/r/{code}")).await;
    assert_eq!(zh.status(), 410);
    assert!(zh.text().await.unwrap().contains("已停业"));

    // The form posted from a page opened before closing, and the API, are refused.
    let (status, _) = post_form(&app, code, &[("overall", "4"), ("form_token", &token)]).await;
    assert_eq!(status, 410);
    let response = app
        .post_rating(&json!({ "code": code, "device_id": "device-after", "overall": 4 }))
        .await;
    assert_eq!(response.status(), 410);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/venue-closed");
    assert_eq!(app.count("ratings").await, 1, "nothing stored");

    // Its history stays public.
    assert_eq!(app.score(id).await["ratings"], 1);
    assert_eq!(app.get(&format!("/v/{id}")).await.status(), 200);
    let (status, public) = call(
        &app,
        Method::GET,
        &format!("/api/v1/venues/{id}"),
        ANONYMOUS,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(public["closed_at"].is_string(), "{public}");

    // Closing again keeps the first closing time and writes nothing.
    let (_, again) = patch(&app, Some(ADMIN_TOKEN), &venue, json!({ "closed": true })).await;
    assert_eq!(again["closed_at"], closed["closed_at"]);

    let (status, reopened) =
        patch(&app, Some(ADMIN_TOKEN), &venue, json!({ "closed": false })).await;
    assert_eq!((status, &reopened["closed"]), (200, &json!(false)));
    open_page(&app, code).await;
    app.rate(&venue, "after-reopening", 4).await;

    let actions: Vec<String> = audit_rows(&app, &venue)
        .await
        .into_iter()
        .map(|(action, _, _)| action)
        .collect();
    assert_eq!(actions, ["venue.create", "venue.close", "venue.reopen"]);
}
