//! A visitor who rated a venue today and comes back to complain: the repeat
//! rating is refused, the complaint is filed and its tracking code shown.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use qrfeedback::domain::day::{china_offset, local_day};
use qrfeedback::domain::ids::VenueId;
use qrfeedback::store::complaints::{CaseOpening, ComplaintApart, file_apart};
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::common::{Options, TestApp, empty_database, spawn_app, spawn_app_with};
use crate::rating_page::{form_token, open_page, post_form};

/// How many identical complaints are sent at once in the concurrency tests.
const AT_ONCE: usize = 8;

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

/// The local day of the venue's only rating.
async fn rating_day(app: &TestApp, venue_id: i64) -> NaiveDate {
    sqlx::query_scalar("SELECT day FROM ratings WHERE venue_id = $1")
        .bind(venue_id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// `venue_day_stats.complaints_count` of a venue day (0 without a row).
async fn complaints_count(app: &TestApp, venue_id: i64, day: NaiveDate) -> i32 {
    day_complaints_count(&app.pool, venue_id, day).await
}

async fn day_complaints_count(pool: &PgPool, venue_id: i64, day: NaiveDate) -> i32 {
    sqlx::query_scalar::<_, i32>(
        "SELECT complaints_count FROM venue_day_stats WHERE venue_id = $1 AND day = $2",
    )
    .bind(venue_id)
    .bind(day)
    .fetch_optional(pool)
    .await
    .unwrap()
    .unwrap_or(0)
}

/// Venue days whose aggregates differ from a recount of the raw rows.
async fn aggregate_differences(app: &TestApp) -> Vec<(VenueId, NaiveDate)> {
    differences_in(&app.pool).await
}

async fn differences_in(pool: &PgPool) -> Vec<(VenueId, NaiveDate)> {
    let since = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    qrfeedback::store::reconcile::aggregate_differences(pool, since, (i64::MIN, i64::MAX))
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
    assert!(tracking.starts_with(&format!("{venue_id}-")), "{tracking}");
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

#[tokio::test]
async fn the_same_complaint_sent_alone_many_times_at_once_is_filed_and_counted_once() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    let code = venue["code"].as_str().unwrap();
    let token = form_token(&open_page(&app, code).await);
    let (status, _) = post_form(&app, code, &[("form_token", &token), ("overall", "4")]).await;
    assert_eq!(status, 200);
    let day = rating_day(&app, venue_id).await;
    assert_eq!(complaints_count(&app, venue_id, day).await, 0);

    // The phone sends the complaint form alone several times at once (a
    // double tap, a flaky network resending), all with its device cookie.
    let page = open_page(&app, code).await;
    let token = form_token(&page);
    let fields = [
        ("form_token", token.as_str()),
        ("complaint_only", "1"),
        ("complaint", "评价之后导游带我们去了玉石店，强制购物"),
        ("contact", ""),
    ];
    let app = &app;
    let fields = &fields;
    let pages = futures_util::future::join_all(
        (0..AT_ONCE).map(|_| async move { post_form(app, code, fields).await }),
    )
    .await;

    let filed = complaints(app, venue_id).await;
    assert_eq!(filed.len(), 1, "filed once: {filed:?}");
    let (tracking, _, has_rating) = &filed[0];
    assert!(!has_rating);
    for (status, page) in &pages {
        assert_eq!(*status, 200, "{page}");
        assert!(
            page.contains(tracking.as_str()),
            "same code for all: {page}"
        );
    }
    assert_eq!(complaints_count(app, venue_id, day).await, 1);
    assert_eq!(aggregate_differences(app).await, []);

    // Recounting the day from its raw rows keeps the complaint.
    let repair = qrfeedback::store::reconcile::repair_day(&app.pool, venue_id.into(), day)
        .await
        .unwrap();
    assert_eq!(repair.after, 1, "the rating");
    assert_eq!(complaints_count(app, venue_id, day).await, 1);
}

#[tokio::test]
async fn the_same_complaint_with_many_repeat_ratings_at_once_is_filed_and_counted_once() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    app.rate(&venue, "at-once-01", 5).await;
    let day = rating_day(&app, venue_id).await;

    let repeat = json!({
        "code": venue["code"],
        "device_id": "device-at-once-01",
        "overall": 1,
        "complaint": "导游在车上强制购物",
    });
    let app = &app;
    let repeat = &repeat;
    let answers = futures_util::future::join_all((0..AT_ONCE).map(|_| async move {
        let response = app.post_rating(repeat).await;
        let status = response.status().as_u16();
        (status, response.json::<Value>().await.unwrap())
    }))
    .await;

    let filed = complaints(app, venue_id).await;
    assert_eq!(filed.len(), 1, "filed once: {filed:?}");
    for (status, problem) in &answers {
        assert_eq!(*status, 409, "{problem}");
        assert_eq!(problem["tracking_code"], filed[0].0.as_str(), "{problem}");
    }
    assert_eq!(app.count("ratings").await, 1);
    assert_eq!(complaints_count(app, venue_id, day).await, 1);
    assert_eq!(aggregate_differences(app).await, []);
}

#[tokio::test]
async fn a_complaint_alone_with_the_text_of_the_days_rating_complaint_answers_its_code() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    let first = app
        .post_rating(&json!({
            "code": venue["code"],
            "device_id": "device-same-text-01",
            "overall": 1,
            "complaint": "房间有霉味",
        }))
        .await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let day = rating_day(&app, venue_id).await;
    assert_eq!(complaints_count(&app, venue_id, day).await, 1);

    // The rating is resent: refused, and its complaint is not filed again.
    let response = app
        .post_rating(&json!({
            "code": venue["code"],
            "device_id": "device-same-text-01",
            "overall": 1,
            "complaint": "房间有霉味",
        }))
        .await;
    assert_eq!(response.status(), 409);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["tracking_code"], first["tracking_code"]);
    assert_eq!(complaints(&app, venue_id).await.len(), 1);
    assert_eq!(complaints_count(&app, venue_id, day).await, 1);

    // Another text the same day is a second complaint, counted.
    let response = app
        .post_rating(&json!({
            "code": venue["code"],
            "device_id": "device-same-text-01",
            "overall": 1,
            "complaint": "前台态度差",
        }))
        .await;
    assert_eq!(response.status(), 409);
    let problem: Value = response.json().await.unwrap();
    assert_ne!(problem["tracking_code"], first["tracking_code"]);
    assert_eq!(complaints(&app, venue_id).await.len(), 2);
    assert_eq!(complaints_count(&app, venue_id, day).await, 2);
    assert_eq!(aggregate_differences(&app).await, []);
}

/// The last migration before complaints filed apart got their unique index
/// and their count.
const BEFORE_APART_ONCE: i64 = 20261204000601;

/// Noon of a local day, as an instant.
fn noon_of(day: NaiveDate) -> DateTime<Utc> {
    china_offset()
        .from_local_datetime(&day.and_hms_opt(12, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

/// A complaint as the earlier schema stored it; its id.
async fn legacy_complaint(
    pool: &PgPool,
    venue_id: i64,
    rating_id: Option<i64>,
    device_hash: Option<&[u8]>,
    text: &str,
    created_at: DateTime<Utc>,
) -> i64 {
    let code: String = uuid::Uuid::new_v4().simple().to_string()[..10].to_uppercase();
    sqlx::query_scalar(
        "INSERT INTO complaints (venue_id, rating_id, device_hash, tracking_code, description, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(venue_id)
    .bind(rating_id)
    .bind(device_hash)
    .bind(code)
    .bind(text)
    .bind(created_at)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn complaints_filed_before_the_unique_index_get_their_day_and_are_counted() {
    let (_, pool) = empty_database().await;
    qrfeedback::store::MIGRATOR
        .run_to(BEFORE_APART_ONCE, &pool)
        .await
        .unwrap();
    qrfeedback::store::reference::load(&pool).await.unwrap();
    let venue_id: i64 = sqlx::query_scalar(
        "INSERT INTO venues (region_code, category, name) VALUES ('652801', 'hotel', '孔雀河酒店')
         RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let day = local_day(Utc::now()) - Duration::days(1);
    let day_before = day - Duration::days(1);
    let device: &[u8] = &[7; 16];
    let other_device: &[u8] = &[8; 16];

    // A rating each day, aggregated as the batch writer did: the first with
    // a complaint filed with it (from before complaints kept the device),
    // the second with none.
    let mut rating_ids = Vec::new();
    for (rating_day, device) in [(day_before, other_device), (day, device)] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO ratings (venue_id, day, created_at, device_hash, overall)
             VALUES ($1, $2, $3, $4, 4) RETURNING id",
        )
        .bind(venue_id)
        .bind(rating_day)
        .bind(noon_of(rating_day))
        .bind(device)
        .fetch_one(&pool)
        .await
        .unwrap();
        let complaints = i32::from(rating_day == day_before);
        sqlx::query(
            "INSERT INTO venue_day_stats (venue_id, day, ratings_count, overall_sum, overall_hist,
                 environment_count, environment_sum, environment_hist, skill_count, skill_sum,
                 skill_hist, attitude_count, attitude_sum, attitude_hist, complaints_count)
             VALUES ($1, $2, 1, 4, '{0,0,0,1,0}', 0, 0, '{0,0,0,0,0}', 0, 0, '{0,0,0,0,0}',
                     0, 0, '{0,0,0,0,0}', $3)",
        )
        .bind(venue_id)
        .bind(rating_day)
        .bind(complaints)
        .execute(&pool)
        .await
        .unwrap();
        rating_ids.push(id);
    }
    let with_rating = legacy_complaint(
        &pool,
        venue_id,
        Some(rating_ids[0]),
        None,
        "房间有霉味",
        // Filed with its rating, at the rating's time.
        noon_of(day_before),
    )
    .await;
    // Complaints filed apart: the same text twice at once (the race this
    // migration closes), and another text.
    let first = legacy_complaint(
        &pool,
        venue_id,
        None,
        Some(device),
        "强制购物",
        noon_of(day),
    )
    .await;
    let twin = legacy_complaint(
        &pool,
        venue_id,
        None,
        Some(device),
        "强制购物",
        noon_of(day),
    )
    .await;
    let other = legacy_complaint(
        &pool,
        venue_id,
        None,
        Some(device),
        "前台态度差",
        // Just before local midnight: still the rating's day.
        noon_of(day) + Duration::hours(11) + Duration::minutes(59),
    )
    .await;

    qrfeedback::store::migrate(&pool).await.unwrap();

    let stored: Vec<(i64, NaiveDate, Option<i64>)> =
        sqlx::query_as("SELECT id, day, duplicate_of FROM complaints ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        stored,
        [
            (with_rating, day_before, None),
            (first, day, None),
            (twin, day, Some(first)),
            (other, day, None),
        ]
    );
    assert_eq!(day_complaints_count(&pool, venue_id, day_before).await, 1);
    assert_eq!(day_complaints_count(&pool, venue_id, day).await, 3);
    assert_eq!(differences_in(&pool).await, []);

    // The same text again that day answers the first code and adds nothing;
    // a new text is filed and counted.
    let first_code: String =
        sqlx::query_scalar("SELECT tracking_code FROM complaints WHERE id = $1")
            .bind(first)
            .fetch_one(&pool)
            .await
            .unwrap();
    let hash: [u8; 16] = device.try_into().unwrap();
    let again = ComplaintApart::new(
        venue_id.into(),
        hash,
        noon_of(day) + Duration::hours(1),
        "NEWCODE001".into(),
        "强制购物".into(),
        None,
        opening(day),
    );
    assert_eq!(file_apart(&pool, &again).await.unwrap(), first_code);
    let new = ComplaintApart::new(
        venue_id.into(),
        hash,
        noon_of(day) + Duration::hours(1),
        "NEWCODE002".into(),
        "导游辱骂游客".into(),
        None,
        opening(day),
    );
    assert_eq!(file_apart(&pool, &new).await.unwrap(), "NEWCODE002");
    assert_eq!(complaints_stored(&pool).await, 5);
    assert_eq!(day_complaints_count(&pool, venue_id, day).await, 4);
    assert_eq!(differences_in(&pool).await, []);
}

/// A case opening in the test venue's region, due a week after `day`.
fn opening(day: NaiveDate) -> CaseOpening {
    CaseOpening {
        region_code: "652801".into(),
        due_at: noon_of(day) + Duration::days(7),
    }
}

async fn complaints_stored(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM complaints")
        .fetch_one(pool)
        .await
        .unwrap()
}
