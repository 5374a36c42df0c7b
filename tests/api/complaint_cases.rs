//! Complaint cases through the JSON API: the queue and its scope per role,
//! every transition of the state machine (allowed ones work, the rest are
//! 409), the venue's answer, transfers, the verdict reaching the tier, the
//! contact reveal's audit row, overdue cases, and the working-day calendar.

use chrono::{DateTime, Duration, Utc};
use qrfeedback::domain::day::day_start;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{ADMIN_TOKEN, ANONYMOUS, TestApp, call, spawn_app};

const STATES: [&str; 7] = [
    "accepted",
    "rejected",
    "transferred",
    "venue_replied",
    "mediating",
    "resolved",
    "closed_unresolved",
];

/// Files a complaint with a rating from a fresh device; the case's id and code.
async fn file_case(app: &TestApp, venue: &Value, device: &str) -> (i64, String) {
    app.file_case(venue, device, "导游强制购物", "13812345678")
        .await
}

/// A body that satisfies every step's needs.
fn step_body(to: &str, case: &Value) -> Value {
    let elsewhere = if case["region_code"] == "652822" {
        "652801"
    } else {
        "652822"
    };
    json!({"to": to, "reason": "属地管辖", "note": "已核实", "region_code": elsewhere})
}

async fn case_json(app: &TestApp, id: i64, token: &str) -> (u16, Value) {
    call(
        app,
        Method::GET,
        &format!("/api/v1/complaints/{id}"),
        token,
        None,
    )
    .await
}

async fn step(app: &TestApp, id: i64, token: &str, body: Value) -> (u16, Value) {
    call(
        app,
        Method::POST,
        &format!("/api/v1/complaints/{id}/transitions"),
        token,
        Some(body),
    )
    .await
}

/// Moves a case along `path` as the admin.
async fn walk(app: &TestApp, id: i64, path: &[&str]) -> Value {
    let (_, mut case) = case_json(app, id, ADMIN_TOKEN).await;
    for to in path {
        let (status, moved) = step(app, id, ADMIN_TOKEN, step_body(to, &case)).await;
        assert_eq!(status, 200, "{to}: {moved}");
        case = moved;
    }
    case
}

async fn regulator(app: &TestApp, region: &str) -> String {
    app.api_token(
        json!({"name": format!("regulator {region}"), "role": "regulator", "region_code": region}),
    )
    .await
}

async fn staff(app: &TestApp, venue: &Value) -> String {
    app.api_token(json!({"name": "front desk", "role": "venue_staff", "venue_ids": [venue["id"]]}))
        .await
}

#[tokio::test]
async fn every_transition_the_machine_allows_works_and_every_other_is_refused_with_409() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let paths: [(&str, &[&str]); 8] = [
        ("submitted", &[]),
        ("transferred", &["transferred"]),
        ("accepted", &["accepted"]),
        ("rejected", &["rejected"]),
        ("venue_replied", &["accepted", "venue_replied"]),
        ("mediating", &["accepted", "mediating"]),
        ("resolved", &["accepted", "mediating", "resolved"]),
        (
            "closed_unresolved",
            &["accepted", "mediating", "closed_unresolved"],
        ),
    ];
    let allowed = |from: &str, to: &str| match from {
        "submitted" | "transferred" => ["accepted", "rejected", "transferred"].contains(&to),
        "accepted" => ["venue_replied", "mediating"].contains(&to),
        "venue_replied" => to == "mediating",
        "mediating" => ["resolved", "closed_unresolved"].contains(&to),
        _ => false,
    };
    let mut device = 0;
    for (from, path) in paths {
        for to in STATES {
            device += 1;
            let (id, _) = file_case(&app, &venue, &format!("{from}-{to}-{device}")).await;
            let case = walk(&app, id, path).await;
            assert_eq!(case["state"], from);
            let (status, body) = step(&app, id, ADMIN_TOKEN, step_body(to, &case)).await;
            if allowed(from, to) {
                assert_eq!(status, 200, "{from} → {to}: {body}");
                assert_eq!(body["state"], to);
                let events = body["events"].as_array().unwrap();
                assert_eq!(events.first().unwrap()["state"], "submitted");
                assert_eq!(events.last().unwrap()["state"], to);
                assert_eq!(events.len(), path.len() + 2);
            } else {
                assert_eq!(status, 409, "{from} → {to}: {body}");
                assert_eq!(body["type"], "/problems/transition-not-allowed");
                let (_, unchanged) = case_json(&app, id, ADMIN_TOKEN).await;
                assert_eq!(unchanged["state"], from);
            }
        }
    }
    // Every step wrote its audit row.
    let steps: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'complaint.step'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM complaint_events")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(steps, events);
    assert!(steps > 50, "{steps}");
}

#[tokio::test]
async fn the_queue_is_scoped_to_the_region_and_the_venue_and_staff_never_see_the_contact() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let other = app.create_venue("天山宾馆", "652301", "hotel").await;
    let (id, code) = file_case(&app, &venue, "a").await;
    file_case(&app, &other, "b").await;
    let venue_id = venue["id"].as_i64().unwrap();
    assert!(code.starts_with(&format!("{venue_id}-")), "{code}");

    let (status, all) = call(&app, Method::GET, "/api/v1/complaints", ADMIN_TOKEN, None).await;
    assert_eq!(status, 200);
    assert_eq!(all["total"], 2);
    let item = &all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(item["tracking_code"], code);
    assert_eq!(item["state"], "submitted");
    assert_eq!(item["overdue"], false);
    let due: DateTime<Utc> = item["due_at"].as_str().unwrap().parse().unwrap();
    let received: DateTime<Utc> = item["received_at"].as_str().unwrap().parse().unwrap();
    assert!(
        due > received + Duration::days(5) && due <= received + Duration::days(40),
        "{due}"
    );

    let bayingolin = regulator(&app, "652800").await;
    let changji = regulator(&app, "652300").await;
    let front_desk = staff(&app, &venue).await;
    for (token, expected) in [(&bayingolin, 1), (&changji, 1), (&front_desk, 1)] {
        let (status, list) = call(&app, Method::GET, "/api/v1/complaints", token, None).await;
        assert_eq!(status, 200);
        assert_eq!(list["total"], expected, "{list}");
    }
    let (status, _) = case_json(&app, id, &changji).await;
    assert_eq!(status, 404, "outside the region");
    let (status, _) = case_json(&app, id, ADMIN_TOKEN).await;
    assert_eq!(status, 200);
    let (status, _) = call(&app, Method::GET, "/api/v1/complaints", ANONYMOUS, None).await;
    assert_eq!(status, 401);

    // The regulator sees the contact masked; the venue never.
    let (_, seen) = case_json(&app, id, &bayingolin).await;
    assert_eq!(seen["contact_masked"], "138******78");
    assert_eq!(seen["description"], "导游强制购物");
    let (status, by_staff) = case_json(&app, id, &front_desk).await;
    assert_eq!(status, 200);
    assert!(by_staff["contact_masked"].is_null());
    assert!(!by_staff.to_string().contains("13812345678"));
    assert_eq!(
        by_staff["next_states"],
        json!([]),
        "nothing to do before acceptance"
    );

    // Revealing is for the regulator handling it, and audited.
    let reveal = format!("/api/v1/complaints/{id}/contact");
    let (status, _) = call(&app, Method::POST, &reveal, &front_desk, None).await;
    assert_eq!(status, 403);
    let (status, _) = call(&app, Method::POST, &reveal, &changji, None).await;
    assert_eq!(status, 404);
    let (status, revealed) = call(&app, Method::POST, &reveal, &bayingolin, None).await;
    assert_eq!(status, 200);
    assert_eq!(revealed["contact"], "13812345678");
    let reveals: Vec<(String, String)> = sqlx::query_as(
        "SELECT actor, target FROM audit_log WHERE action = 'complaint.contact_reveal'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(reveals.len(), 1);
    assert!(reveals[0].0.starts_with("token:"), "{:?}", reveals[0]);
    assert_eq!(reveals[0].1, format!("complaint:{id}"));

    // Filters: by state, venue, region and category; bad ones are refused.
    for (query, expected) in [
        ("?state=submitted", 2),
        ("?state=resolved", 0),
        (&format!("?venue_id={venue_id}") as &str, 1),
        ("?region=652800", 1),
        ("?category=hotel", 2),
        ("?overdue=true", 0),
    ] {
        let (status, list) = call(
            &app,
            Method::GET,
            &format!("/api/v1/complaints{query}"),
            ADMIN_TOKEN,
            None,
        )
        .await;
        assert_eq!(
            (status, list["total"].clone()),
            (200, json!(expected)),
            "{query}"
        );
    }
    for query in [
        "?state=open",
        "?overdue=yes",
        "?region=65",
        "?page=0",
        "?colour=red",
    ] {
        let (status, _) = call(
            &app,
            Method::GET,
            &format!("/api/v1/complaints{query}"),
            ADMIN_TOKEN,
            None,
        )
        .await;
        assert_eq!(status, 422, "{query}");
    }
}

#[tokio::test]
async fn the_venue_answers_only_its_own_step_and_a_transfer_hands_the_case_over() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let front_desk = staff(&app, &venue).await;
    let bayingolin = regulator(&app, "652800").await;
    let changji = regulator(&app, "652300").await;
    let (id, _) = file_case(&app, &venue, "answer").await;

    let (status, _) = step(&app, id, &front_desk, json!({"to": "accepted"})).await;
    assert_eq!(status, 403, "the venue cannot accept its own case");
    let (status, accepted) = step(&app, id, &bayingolin, json!({"to": "accepted"})).await;
    assert_eq!(status, 200);
    assert!(accepted["accepted_at"].is_string());
    let (status, body) = step(&app, id, &front_desk, json!({"to": "venue_replied"})).await;
    assert_eq!(
        (status, body["type"].clone()),
        (422, json!("/problems/text-required"))
    );
    let (status, replied) = step(
        &app,
        id,
        &front_desk,
        json!({"to": "venue_replied", "note": "已向游客致歉并退还差价"}),
    )
    .await;
    assert_eq!(status, 200, "{replied}");
    assert_eq!(
        replied["events"].as_array().unwrap().last().unwrap()["note"],
        "已向游客致歉并退还差价"
    );

    // A second case goes to Changji: Bayingolin still sees its venue's case
    // but no longer acts on it; Changji does.
    let (id2, _) = file_case(&app, &venue, "transfer").await;
    let (status, body) = step(
        &app,
        id2,
        &bayingolin,
        json!({"to": "transferred", "reason": "属地管辖"}),
    )
    .await;
    assert_eq!(
        (status, body["type"].clone()),
        (422, json!("/problems/invalid-region-code"))
    );
    let (status, body) = step(
        &app,
        id2,
        &bayingolin,
        json!({"to": "transferred", "reason": "属地管辖", "region_code": "652801"}),
    )
    .await;
    assert_eq!(
        (status, body["type"].clone()),
        (422, json!("/problems/same-region"))
    );
    let (status, moved) = step(
        &app,
        id2,
        &bayingolin,
        json!({"to": "transferred", "reason": "游客在昌吉购物", "region_code": "652300"}),
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["region_code"], "652300");
    let (status, _) = step(&app, id2, &bayingolin, json!({"to": "accepted"})).await;
    assert_eq!(status, 403);
    let (status, seen) = case_json(&app, id2, &changji).await;
    assert_eq!(status, 200);
    assert_eq!(
        seen["next_states"],
        json!(["accepted", "rejected", "transferred"])
    );
    let (status, _) = step(&app, id2, &changji, json!({"to": "accepted"})).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_upheld_complaint_with_the_venue_at_fault_moves_the_tier_and_names_the_case() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    for device in 0..5 {
        app.rate(&venue, &format!("five-{device}"), 5).await;
    }
    let (id, _) = file_case(&app, &venue, "fault").await;
    let graded = app
        .score_when(venue_id, |s| s["ratings"] == 6 && !s["tier"].is_null())
        .await;
    assert_ne!(
        graded["tier"], "C",
        "an unverified complaint counts for nothing"
    );

    walk(&app, id, &["accepted", "mediating"]).await;
    let (status, body) = step(
        &app,
        id,
        ADMIN_TOKEN,
        json!({"to": "resolved", "upheld": false, "venue_at_fault": true}),
    )
    .await;
    assert_eq!(
        (status, body["type"].clone()),
        (422, json!("/problems/invalid-verdict"))
    );
    let (status, resolved) = step(
        &app,
        id,
        ADMIN_TOKEN,
        json!({"to": "resolved", "upheld": true, "venue_at_fault": true,
               "public_answer": "商家已退还差价并道歉"}),
    )
    .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(resolved["upheld"], true);
    assert!(resolved["closed_at"].is_string());
    assert!(resolved["due_at"].is_null());
    // One verified complaint in six ratings is far above 5 per 1,000: tier C.
    let demoted = app.score_when(venue_id, |s| s["tier"] == "C").await;
    assert!(
        demoted["tier_reasons"].to_string().contains("complaint"),
        "{demoted}"
    );
}

#[tokio::test]
async fn cases_past_their_due_date_are_overdue_and_counted_on_the_overview() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let (id, _) = file_case(&app, &venue, "late").await;
    let (_, overview) = call(&app, Method::GET, "/api/v1/overview", ADMIN_TOKEN, None).await;
    assert_eq!(overview["overdue_complaints"], 0);
    assert_eq!(overview["unresolved_complaints"], 1);

    app.clock.advance(Duration::days(30));
    let (_, overdue) = call(
        &app,
        Method::GET,
        "/api/v1/complaints?overdue=true",
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(overdue["total"], 1);
    assert_eq!(overdue["items"][0]["id"], id);
    assert_eq!(overdue["items"][0]["overdue"], true);
    let (_, overview) = call(&app, Method::GET, "/api/v1/overview", ADMIN_TOKEN, None).await;
    assert_eq!(overview["overdue_complaints"], 1);

    // Accepting starts the venue's ten days from now: due soon is not overdue.
    let (_, accepted) = step(&app, id, ADMIN_TOKEN, json!({"to": "accepted"})).await;
    assert_eq!(accepted["overdue"], false);
    app.clock.advance(Duration::days(9));
    let (_, soon) = call(
        &app,
        Method::GET,
        "/api/v1/complaints?due_soon=true",
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(soon["total"], 1);
    let (_, overview) = call(&app, Method::GET, "/api/v1/overview", ADMIN_TOKEN, None).await;
    assert_eq!(
        (
            overview["overdue_complaints"].clone(),
            overview["due_soon_complaints"].clone()
        ),
        (json!(0), json!(1))
    );
}

#[tokio::test]
async fn admins_keep_the_calendar_and_new_deadlines_count_in_it() {
    let app = spawn_app().await;
    let (status, year) = call(
        &app,
        Method::GET,
        "/api/v1/holidays?year=2026",
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(status, 200);
    let items = year["items"].as_array().unwrap();
    assert!(items.contains(&json!({"date": "2026-10-01", "kind": "holiday", "name": "国庆节"})));
    assert!(
        items.contains(&json!({"date": "2026-10-10", "kind": "workday", "name": "国庆节调休"}))
    );
    assert_eq!(items.len(), 39);

    let venue = app.hotel().await;
    let (first, _) = file_case(&app, &venue, "before").await;
    let (_, before) = case_json(&app, first, ADMIN_TOKEN).await;
    let due_before: DateTime<Utc> = before["due_at"].as_str().unwrap().parse().unwrap();

    // Every weekday up to the old due date becomes a holiday: the next case
    // is due later by at least as many days.
    let today = app.clock.today();
    let mut day = today;
    let mut added = 0;
    let regulator = regulator(&app, "652800").await;
    while day_start(day + Duration::days(1)) <= due_before {
        day += Duration::days(1);
        let path = format!("/api/v1/holidays/{day}");
        let body = Some(json!({"kind": "holiday", "name": "测试假日"}));
        let (status, _) = call(&app, Method::PUT, &path, &regulator, body.clone()).await;
        assert_eq!(status, 403, "only admins edit the calendar");
        let (status, set) = call(&app, Method::PUT, &path, ADMIN_TOKEN, body).await;
        assert_eq!(status, 200, "{set}");
        added += 1;
    }
    assert!(added >= 5);
    let (second, _) = file_case(&app, &venue, "after").await;
    let (_, after) = case_json(&app, second, ADMIN_TOKEN).await;
    let due_after: DateTime<Utc> = after["due_at"].as_str().unwrap().parse().unwrap();
    assert!(
        due_after >= due_before + Duration::days(5),
        "{due_before} → {due_after}"
    );
    let calendar_rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'calendar.day'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(calendar_rows, added);

    // A day returns to the weekday rule; bad input is refused.
    let first_day = today + Duration::days(1);
    let (status, _) = call(
        &app,
        Method::DELETE,
        &format!("/api/v1/holidays/{first_day}"),
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(status, 204);
    for (path, body, expected) in [
        (
            "/api/v1/holidays/2026-13-01",
            json!({"kind": "holiday"}),
            422,
        ),
        ("/api/v1/holidays/2026-12-24", json!({"kind": "party"}), 422),
        (
            "/api/v1/holidays/2026-12-24",
            json!({"kind": "holiday", "name": "a\u{0}b"}),
            422,
        ),
    ] {
        let (status, _) = call(&app, Method::PUT, path, ADMIN_TOKEN, Some(body)).await;
        assert_eq!(status, expected, "{path}");
    }
    let (status, _) = call(
        &app,
        Method::GET,
        "/api/v1/holidays?year=99",
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(status, 422);
}

/// Posts the tracking page's form; the status and the page.
async fn post_tracking(app: &TestApp, code: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let response = app
        .client
        .post(format!("{}/c/{code}", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_html_form::to_string(fields).unwrap())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The value of the tracking page's form token.
fn form_token_of(page: &str) -> String {
    let start = page
        .find("name=\"form_token\" value=\"")
        .expect("a rating form")
        + 25;
    page[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_visitor_follows_the_case_by_its_code_and_rates_the_handling_once() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let (id, code) = file_case(&app, &venue, "visitor").await;
    let page = app.get(&format!("/c/{code}?lang=zh-CN")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(&code) && html.contains("已提交") && html.contains("孔雀河酒店"));
    assert!(
        !html.contains("13812345678") && !html.contains("138******78"),
        "never the contact"
    );
    assert!(
        !html.contains("form_token"),
        "no rating before the case is closed"
    );

    let missing = app.get("/c/1-NOSUCHCODE2").await;
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("没有找到这个查询码"));
    assert_eq!(app.get("/c/%3Cscript%3E").await.status(), 404);

    walk(&app, id, &["accepted", "mediating"]).await;
    let (status, _) = step(
        &app,
        id,
        ADMIN_TOKEN,
        json!({"to": "resolved", "upheld": true, "venue_at_fault": false,
               "public_answer": "经调解，商家已退还差价。"}),
    )
    .await;
    assert_eq!(status, 200);
    let html = app
        .get(&format!("/c/{code}?lang=en"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Resolved") && html.contains("经调解，商家已退还差价。"));
    assert!(html.contains("In mediation"), "the steps it went through");
    let token = form_token_of(&html);
    let (status, _) = post_tracking(&app, &code, &[("stars", "5")]).await;
    assert_eq!(status, 422, "no form token");
    let (status, _) = post_tracking(
        &app,
        &code,
        &[("stars", "9"), ("form_token", &token), ("lang", "en")],
    )
    .await;
    assert_eq!(status, 422);
    let (status, rated) = post_tracking(
        &app,
        &code,
        &[
            ("stars", "4"),
            ("comment", "处理及时"),
            ("form_token", &token),
            ("lang", "en"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(rated.contains("You rated the handling 4 of 5."), "{rated}");
    assert!(
        !rated.contains("form_token"),
        "rated once, no form any more"
    );
    let (status, _) = post_tracking(
        &app,
        &code,
        &[("stars", "1"), ("form_token", &token), ("lang", "en")],
    )
    .await;
    assert_eq!(status, 409, "once only");
    let (_, case) = case_json(&app, id, ADMIN_TOKEN).await;
    assert_eq!(case["handling_stars"], 4);
    assert_eq!(case["handling_comment"], "处理及时");
}

#[tokio::test]
async fn a_regulator_enters_a_telephone_complaint_and_a_late_one_is_refused_with_the_reason() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let bayingolin = regulator(&app, "652800").await;
    let changji = regulator(&app, "652300").await;
    let front_desk = staff(&app, &venue).await;
    let today = app.clock.today();
    let body = |service_on: chrono::NaiveDate| {
        json!({"venue_id": venue["id"], "source": "hotline_12345",
               "description": "导游强制购物", "contact": "13700002222",
               "service_on": service_on.to_string()})
    };
    let (status, entered) = call(
        &app,
        Method::POST,
        "/api/v1/complaints",
        &bayingolin,
        Some(body(today - Duration::days(3))),
    )
    .await;
    assert_eq!(status, 201, "{entered}");
    let id = entered["id"].as_i64().unwrap();
    assert!(
        entered["tracking_code"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}-", venue["id"]))
    );
    let (_, case) = case_json(&app, id, &bayingolin).await;
    assert_eq!(case["source"], "hotline_12345");
    assert_eq!(case["state"], "submitted");
    assert_eq!(case["contact_masked"], "137******22");
    assert!(case["due_at"].is_string());

    let (status, refused) = call(
        &app,
        Method::POST,
        "/api/v1/complaints",
        &bayingolin,
        Some(body(today - Duration::days(91))),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(refused["type"], "/problems/service-too-old");
    assert!(refused["detail"].as_str().unwrap().contains("90 days"));
    for (token, expected) in [(&changji, 404), (&front_desk, 403)] {
        let (status, _) = call(
            &app,
            Method::POST,
            "/api/v1/complaints",
            token,
            Some(body(today)),
        )
        .await;
        assert_eq!(status, expected);
    }
    let mut bad = body(today);
    bad["source"] = json!("letter");
    let (status, _) = call(
        &app,
        Method::POST,
        "/api/v1/complaints",
        ADMIN_TOKEN,
        Some(bad),
    )
    .await;
    assert_eq!(status, 422);
    let entered_rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'complaint.enter'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(entered_rows, 1);
    // Counted in the venue day's complaints, like any complaint.
    let counted: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(complaints_count), 0)::int8 FROM venue_day_stats WHERE venue_id = $1",
    )
    .bind(venue["id"].as_i64())
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(counted, 1);
}

#[tokio::test]
async fn region_clocks_set_due_dates_and_contacts_are_erased_after_their_retention() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let other = app.create_venue("昌吉酒店", "652301", "hotel").await;
    let clocks = json!({"accept_working_days": 2, "venue_reply_days": 3, "mediation_days": 20,
                        "max_service_age_days": 30, "contact_retention_days": 30});
    let path = "/api/v1/regions/652800/case-clocks";
    let bayingolin = regulator(&app, "652800").await;
    let (status, _) = call(&app, Method::PUT, path, &bayingolin, Some(clocks.clone())).await;
    assert_eq!(status, 403, "admins set the clocks");
    let mut wrong = clocks.clone();
    wrong["accept_working_days"] = json!(0);
    let (status, _) = call(&app, Method::PUT, path, ADMIN_TOKEN, Some(wrong)).await;
    assert_eq!(status, 422);
    let (status, set) = call(&app, Method::PUT, path, ADMIN_TOKEN, Some(clocks)).await;
    assert_eq!(status, 200, "{set}");
    // Korla follows its prefecture; Changji keeps the defaults.
    let (_, korla) = call(
        &app,
        Method::GET,
        "/api/v1/regions/652801/case-clocks",
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(korla["clocks"]["contact_retention_days"], 30);
    let (_, changji) = call(
        &app,
        Method::GET,
        "/api/v1/regions/652301/case-clocks",
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(changji["clocks"]["contact_retention_days"], 180);
    assert_eq!(changji["clocks"]["accept_working_days"], 5);
    let (status, _) = call(
        &app,
        Method::GET,
        "/api/v1/regions/999999/case-clocks",
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(status, 404);

    // Two working days in Korla, five in Changji.
    let (korla_case, _) = file_case(&app, &venue, "korla").await;
    let (changji_case, _) = file_case(&app, &other, "changji").await;
    let due = |case: &Value| -> DateTime<Utc> { case["due_at"].as_str().unwrap().parse().unwrap() };
    let (_, k) = case_json(&app, korla_case, ADMIN_TOKEN).await;
    let (_, c) = case_json(&app, changji_case, ADMIN_TOKEN).await;
    assert!(due(&k) < due(&c), "{} vs {}", k["due_at"], c["due_at"]);

    for id in [korla_case, changji_case] {
        walk(&app, id, &["accepted", "mediating", "closed_unresolved"]).await;
    }
    let tree = qrfeedback::store::reference::region_tree(&app.pool)
        .await
        .unwrap();
    let rules = qrfeedback::app::case_rules::CaseRules::new(app.pool.clone());
    let erase = |days: i64| {
        let (pool, rules, tree) = (app.pool.clone(), rules.clone(), tree.clone());
        async move {
            qrfeedback::app::cases::erase_expired_contacts(
                &pool,
                &rules,
                &tree,
                Utc::now() + Duration::days(days),
            )
            .await
            .unwrap()
        }
    };
    assert_eq!(erase(29).await, 0, "kept until the retention ends");
    assert_eq!(erase(31).await, 1, "Korla's thirty days are over");
    let (_, k) = case_json(&app, korla_case, ADMIN_TOKEN).await;
    assert!(k["contact_masked"].is_null());
    assert_eq!(k["contact_erased"], true);
    let (_, revealed) = call(
        &app,
        Method::POST,
        &format!("/api/v1/complaints/{korla_case}/contact"),
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert!(revealed["contact"].is_null());
    let (_, c) = case_json(&app, changji_case, ADMIN_TOKEN).await;
    assert_eq!(c["contact_masked"], "138******78");
    assert_eq!(erase(181).await, 1, "Changji's default 180 days");
    assert_eq!(erase(400).await, 0, "nothing left to erase");
}
