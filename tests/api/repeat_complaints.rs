//! A visitor who rated a venue today and comes back to complain: the repeat
//! rating is refused, the complaint is filed and its tracking code shown.

use serde_json::{Value, json};

use crate::common::{Options, TestApp, spawn_app, spawn_app_with};
use crate::rating_page::{form_token, open_page, post_form};

/// The complaints of a venue: (tracking code, description, whether it has a rating).
async fn complaints(app: &TestApp, venue_id: i64) -> Vec<(String, String, bool)> {
    sqlx::query_as(
        "SELECT tracking_code, description, rating_id IS NOT NULL FROM complaints
         WHERE venue_id = $1 ORDER BY created_at",
    )
    .bind(venue_id)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_complaint_with_a_repeat_rating_is_filed_and_the_409_carries_its_tracking_code() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    app.rate(&venue, "repeat-01", 4).await;

    let repeat = json!({
        "code": venue["code"],
        "device_id": "device-repeat-01",
        "overall": 1,
        "tags": ["forced_shopping"],
        "complaint": { "text": "导游强制购物", "contact": "13800000000" },
    });
    let response = app.post_rating(&repeat).await;
    assert_eq!(response.status(), 409);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/duplicate-rating");
    let tracking = problem["tracking_code"].as_str().expect("tracking_code");
    assert_eq!(tracking.len(), 10);
    assert_eq!(
        complaints(&app, venue_id).await,
        [(tracking.to_owned(), "导游强制购物".to_owned(), false)]
    );
    let contact: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT contact_encrypted FROM complaints WHERE tracking_code = $1")
            .bind(tracking)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let contact = contact.expect("contact stored");
    assert!(!String::from_utf8_lossy(&contact).contains("13800000000"));
    assert_eq!(app.count("ratings").await, 1, "the repeat is not counted");

    // A retry of the same request files nothing new and answers the same code.
    let response = app.post_rating(&repeat).await;
    assert_eq!(response.status(), 409);
    let again: Value = response.json().await.unwrap();
    assert_eq!(again["tracking_code"], tracking);
    assert_eq!(complaints(&app, venue_id).await.len(), 1);

    // A repeat without a complaint stays a plain 409.
    let response = app
        .post_rating(
            &json!({ "code": venue["code"], "device_id": "device-repeat-01", "overall": 2 }),
        )
        .await;
    assert_eq!(response.status(), 409);
    let plain: Value = response.json().await.unwrap();
    assert!(plain.get("tracking_code").is_none());
}

#[tokio::test]
async fn a_repeat_form_post_with_a_complaint_says_the_rating_was_not_counted_and_shows_the_code() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    let code = venue["code"].as_str().unwrap();
    // Two views before the first rating, as when the page stays open in a tab.
    let first = form_token(&open_page(&app, code).await);
    let second = form_token(&open_page(&app, code).await);
    let (status, _) = post_form(&app, code, &[("form_token", &first), ("overall", "4")]).await;
    assert_eq!(status, 200);

    let fields = [
        ("form_token", second.as_str()),
        ("lang", "zh-CN"),
        ("overall", "1"),
        ("tags", "forced_shopping"),
        ("complaint", "评价之后导游带我们去了玉石店，强制购物"),
        ("contact", ""),
    ];
    let (status, page) = post_form(&app, code, &fields).await;
    assert_eq!(status, 409, "{page}");
    let filed = complaints(&app, venue_id).await;
    assert_eq!(filed.len(), 1);
    let (tracking, description, has_rating) = &filed[0];
    assert_eq!(description, "评价之后导游带我们去了玉石店，强制购物");
    assert!(!has_rating);
    assert!(page.contains(tracking.as_str()), "code shown: {page}");
    assert!(page.contains("这次评价没有重复计入"), "{page}");
    assert!(page.contains("您的投诉已受理"), "{page}");
    assert_eq!(app.count("ratings").await, 1);
}

#[tokio::test]
async fn a_device_that_rated_today_is_offered_the_complaint_form_alone_and_it_files() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    let code = venue["code"].as_str().unwrap();
    let page = open_page(&app, code).await;
    assert!(page.contains("name=\"overall\""), "a first view rates");
    let token = form_token(&page);
    let (status, _) = post_form(&app, code, &[("form_token", &token), ("overall", "5")]).await;
    assert_eq!(status, 200);

    // Back later the same day with the same phone (the device cookie).
    let page = open_page(&app, code).await;
    assert!(page.contains("今天已经评价过了"), "{page}");
    assert!(page.contains("name=\"complaint_only\""), "{page}");
    assert!(page.contains("name=\"complaint\""), "{page}");
    assert!(!page.contains("name=\"overall\""), "no rating asked again");

    // Another phone still gets the rating form.
    let other = reqwest::Client::new();
    let fresh = other
        .get(format!("{}/r/{code}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(fresh.contains("name=\"overall\""));

    // An empty complaint is refused on the same form.
    let token = form_token(&page);
    let (status, refused) = post_form(
        &app,
        code,
        &[
            ("form_token", &token),
            ("complaint_only", "1"),
            ("complaint", " "),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(refused.contains("请填写投诉内容"), "{refused}");
    assert!(complaints(&app, venue_id).await.is_empty());

    let (status, filed_page) = post_form(
        &app,
        code,
        &[
            ("form_token", &token),
            ("lang", "en"),
            ("complaint_only", "1"),
            (
                "complaint",
                "After rating, the guide took us to a jade shop and forced us to buy",
            ),
            ("contact", "a@example.org"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{filed_page}");
    let filed = complaints(&app, venue_id).await;
    assert_eq!(filed.len(), 1);
    assert!(filed_page.contains(filed[0].0.as_str()), "{filed_page}");
    assert!(filed_page.contains("Your complaint was filed"));
    assert_eq!(app.count("ratings").await, 1);
}

#[tokio::test]
async fn without_redis_postgres_tells_the_page_the_device_rated_today() {
    let app = spawn_app_with(Options {
        no_redis: true,
        ..Options::default()
    })
    .await;
    let venue = app.hotel().await;
    let code = venue["code"].as_str().unwrap();
    let token = form_token(&open_page(&app, code).await);
    let (status, _) = post_form(&app, code, &[("form_token", &token), ("overall", "3")]).await;
    assert_eq!(status, 200);
    let page = open_page(&app, code).await;
    assert!(page.contains("name=\"complaint_only\""), "{page}");
    assert!(!page.contains("name=\"overall\""));
}
