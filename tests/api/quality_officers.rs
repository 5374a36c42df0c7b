//! The Chief Quality Officer registry (首席质量官): the officer's record with
//! the conditions of 二(二) and duties of 二(三); training records whose sum
//! gates registration (三(一), `CQO_TRAINING_HOURS`, 20 by default); the
//! regulator's registration decision (备案, 三(五)) feeding the tier input;
//! yearly evaluations; the registry across venues with its downloads; the
//! prefecture's registration form (四(三)) read back from Excel; and every
//! new route refusing the roles and scopes it is not for.

use std::io::Cursor;
use std::time::Duration;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::Datelike;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{ADMIN_TOKEN, ANONYMOUS, Page, TestApp, call, eventually, spawn_app};

/// The venue's stored tier inputs, once computed.
async fn tier_inputs(app: &TestApp, venue_id: i64) -> Option<Value> {
    sqlx::query_scalar("SELECT tier_inputs FROM venue_scores WHERE venue_id = $1")
        .bind(venue_id)
        .fetch_optional(&app.pool)
        .await
        .unwrap()
        .flatten()
}

/// Waits until the venue's `cqo_registered` tier input is `registered`.
async fn cqo_input_becomes(app: &TestApp, venue_id: i64, registered: bool) -> bool {
    eventually(Duration::from_secs(10), || async {
        tier_inputs(app, venue_id)
            .await
            .is_some_and(|inputs| inputs["cqo_registered"] == registered)
    })
    .await
}

fn officer_body(status: &str) -> Value {
    json!({
        "name": "王芳", "position": "质量总监", "appointed_on": "2026-03-01",
        "education": "bachelor", "qualification": "中级质量工程师",
        "experience_years": 5, "duties": ["compliance", "strategy", "training"],
        "registration_status": status,
    })
}

fn training(hours: f64, day: &str) -> Value {
    json!({
        "course": "旅游服务质量管理", "provider": "巴州市场监管局",
        "trained_on": day, "hours": hours,
    })
}

async fn registration_status(app: &TestApp, venue_id: i64) -> String {
    sqlx::query_scalar("SELECT registration_status FROM venue_quality_officers WHERE venue_id = $1")
        .bind(venue_id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn audit_count(app: &TestApp, venue_id: i64, action: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE venue_id = $1 AND action = $2
           AND region_code = '652801'",
    )
    .bind(venue_id)
    .bind(action)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn training_gates_a_regulators_registration_and_the_tier_follows() {
    let app = spawn_app().await;
    let today = app.clock.today();
    let yesterday = (today - chrono::Days::new(1)).to_string();
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    let bare = app.create_venue("天鹅湖宾馆", "652801", "hotel").await;
    let bare_id = bare["id"].as_i64().unwrap();
    let staff = app
        .api_token(json!({"name": "desk", "role": "venue_staff", "venue_ids": [id]}))
        .await;
    let regulator = app
        .api_token(json!({"name": "bz", "role": "regulator", "region_code": "652800"}))
        .await;
    let outsider = app
        .api_token(json!({"name": "cj", "role": "regulator", "region_code": "652300"}))
        .await;
    let officer = format!("/api/v1/venues/{id}/quality-officer");
    assert!(cqo_input_becomes(&app, id, false).await);

    // The record with conditions and duties, filed by the venue's staff.
    let (status, body) = call(
        &app,
        Method::PUT,
        &officer,
        &staff,
        Some(officer_body("pending")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["conditions_met"], true);
    assert_eq!(
        body["duties"],
        json!(["strategy", "training", "compliance"])
    );
    assert_eq!(body["training_hours"], 0.0);
    assert_eq!(body["registration_status"], "pending");
    for (field, value, kind) in [
        ("education", json!("phd"), "invalid-education"),
        ("experience_years", json!(61), "invalid-experience-years"),
        ("duties", json!(["everything"]), "unknown-duty"),
        ("qualification", json!("x".repeat(201)), "text-too-long"),
    ] {
        let mut body = officer_body("pending");
        body[field] = value;
        let (status, problem) = call(&app, Method::PUT, &officer, &staff, Some(body)).await;
        assert_eq!(status, 422, "{field}: {problem}");
        assert_eq!(problem["type"], format!("/problems/{kind}"), "{problem}");
    }
    // Training hours are the records' sum, not a field of the record.
    let mut with_hours = officer_body("pending");
    with_hours["training_hours"] = json!(40);
    let (status, _) = call(&app, Method::PUT, &officer, &staff, Some(with_hours)).await;
    assert!(status == 400 || status == 422, "{status}");
    // Staff only ask; registering and refusing are a regulator's.
    for asked in ["registered", "refused"] {
        let (status, problem) = call(
            &app,
            Method::PUT,
            &officer,
            &staff,
            Some(officer_body(asked)),
        )
        .await;
        assert_eq!(status, 403, "{problem}");
        assert_eq!(problem["type"], "/problems/cqo-registration-by-regulator");
    }
    let decision = json!({ "decision": "registered", "reason": "培训合格" });
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("{officer}/registration"),
        &staff,
        Some(decision.clone()),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(registration_status(&app, id).await, "pending");

    // The 20-hour gate: refused with nothing, and with 19.5 hours.
    let (status, problem) = call(
        &app,
        Method::POST,
        &format!("{officer}/registration"),
        &regulator,
        Some(decision.clone()),
    )
    .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["type"], "/problems/cqo-training-short");
    let trainings = format!("{officer}/trainings");
    for (hours, day, kind) in [
        (0.4, yesterday.as_str(), "invalid-training-hours"),
        (100.5, yesterday.as_str(), "invalid-training-hours"),
        (8.0, "2999-01-01", "invalid-date"),
    ] {
        let (status, problem) = call(
            &app,
            Method::POST,
            &trainings,
            &staff,
            Some(training(hours, day)),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["type"], format!("/problems/{kind}"));
    }
    assert_eq!(app.count("quality_officer_trainings").await, 0);
    let mut no_course = training(8.0, &yesterday);
    no_course["course"] = json!(" ");
    let (status, problem) = call(&app, Method::POST, &trainings, &staff, Some(no_course)).await;
    assert_eq!(
        (status, problem["type"].clone()),
        (422, json!("/problems/text-required"))
    );
    let (status, first) = call(
        &app,
        Method::POST,
        &trainings,
        &staff,
        Some(training(12.0, &yesterday)),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    let (status, _) = call(
        &app,
        Method::POST,
        &trainings,
        &regulator,
        Some(training(7.5, &yesterday)),
    )
    .await;
    assert_eq!(status, 201);
    let (status, problem) = call(
        &app,
        Method::POST,
        &format!("{officer}/registration"),
        &regulator,
        Some(decision.clone()),
    )
    .await;
    assert_eq!(status, 409, "19.5 hours: {problem}");
    assert_eq!(problem["type"], "/problems/cqo-training-short");
    assert!(
        problem["detail"].as_str().unwrap().contains("19.5"),
        "{problem}"
    );
    assert_eq!(registration_status(&app, id).await, "pending");
    assert_eq!(audit_count(&app, id, "venue.cqo_registration").await, 0);
    let (status, _) = call(
        &app,
        Method::POST,
        &trainings,
        &staff,
        Some(training(0.5, &today.to_string())),
    )
    .await;
    assert_eq!(status, 201);

    // A bad decision, then the registration itself.
    for (body, kind) in [
        (
            json!({ "decision": "approve", "reason": "r" }),
            "invalid-cqo-decision",
        ),
        (
            json!({ "decision": "registered", "reason": " " }),
            "reason-required",
        ),
    ] {
        let (status, problem) = call(
            &app,
            Method::POST,
            &format!("{officer}/registration"),
            &regulator,
            Some(body),
        )
        .await;
        assert_eq!(
            (status, problem["type"].clone()),
            (422, json!(format!("/problems/{kind}")))
        );
    }
    let (status, problem) = call(
        &app,
        Method::POST,
        &format!("{officer}/registration"),
        &outsider,
        Some(decision.clone()),
    )
    .await;
    assert_eq!(status, 404, "{problem}");
    let (status, registered) = call(
        &app,
        Method::POST,
        &format!("{officer}/registration"),
        &regulator,
        Some(decision.clone()),
    )
    .await;
    assert_eq!(status, 200, "{registered}");
    assert_eq!(registered["registration_status"], "registered");
    assert_eq!(registered["registration_reason"], "培训合格");
    assert_eq!(registered["training_hours"], 20.0);
    assert!(
        cqo_input_becomes(&app, id, true).await,
        "{:?}",
        tier_inputs(&app, id).await
    );
    let (status, problem) = call(
        &app,
        Method::POST,
        &format!("{officer}/registration"),
        &regulator,
        Some(decision.clone()),
    )
    .await;
    assert_eq!(
        (status, problem["type"].clone()),
        (409, json!("/problems/cqo-registration-conflict"))
    );

    // Yearly evaluations: a regulator's, for a registered officer; a second
    // one for the year replaces the first.
    let year = i64::from(today.year());
    let evaluations = format!("{officer}/evaluations");
    let evaluation = |year: i64, grade: &str| json!({ "year": year, "grade": grade, "reasons": "年度质量目标完成" });
    for (body, kind) in [
        (evaluation(year + 1, "excellent"), "invalid-evaluation-year"),
        (evaluation(1999, "excellent"), "invalid-evaluation-year"),
        (evaluation(year, "good"), "invalid-grade"),
        (
            json!({ "year": year, "grade": "qualified", "reasons": "" }),
            "reason-required",
        ),
    ] {
        let (status, problem) =
            call(&app, Method::POST, &evaluations, &regulator, Some(body)).await;
        assert_eq!(
            (status, problem["type"].clone()),
            (422, json!(format!("/problems/{kind}")))
        );
    }
    let (status, _) = call(
        &app,
        Method::POST,
        &evaluations,
        &staff,
        Some(evaluation(year, "excellent")),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = call(
        &app,
        Method::POST,
        &evaluations,
        &outsider,
        Some(evaluation(year, "excellent")),
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = call(
        &app,
        Method::POST,
        &evaluations,
        &regulator,
        Some(evaluation(year, "qualified")),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = call(
        &app,
        Method::POST,
        &evaluations,
        ADMIN_TOKEN,
        Some(evaluation(year, "excellent")),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["officer_name"], "王芳");
    assert_eq!(app.count("quality_officer_evaluations").await, 1);
    assert_eq!(audit_count(&app, id, "venue.cqo_evaluation").await, 2);
    let bare_officer = format!("/api/v1/venues/{bare_id}/quality-officer");
    let (status, problem) = call(
        &app,
        Method::POST,
        &format!("{bare_officer}/evaluations"),
        &regulator,
        Some(evaluation(year, "excellent")),
    )
    .await;
    assert_eq!(
        (status, problem["type"].clone()),
        (404, json!("/problems/not-found"))
    );

    // The record as staff read it, and not beyond their venue or a regulator's region.
    let (status, record) = call(&app, Method::GET, &officer, &staff, None).await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["trainings"].as_array().unwrap().len(), 3);
    assert_eq!(record["evaluations"][0]["grade"], "excellent");
    assert_eq!(record["required_hours"], 20.0);
    for token in [&outsider] {
        let (status, _) = call(&app, Method::GET, &officer, token, None).await;
        assert_eq!(status, 404);
        let (status, _) = call(
            &app,
            Method::POST,
            &trainings,
            token,
            Some(training(8.0, &yesterday)),
        )
        .await;
        assert_eq!(status, 404);
    }
    let other_staff = app
        .api_token(json!({"name": "swan", "role": "venue_staff", "venue_ids": [bare_id]}))
        .await;
    let (status, _) = call(&app, Method::GET, &officer, &other_staff, None).await;
    assert_eq!(status, 404);
    let (status, _) = call(
        &app,
        Method::PUT,
        &officer,
        &other_staff,
        Some(officer_body("pending")),
    )
    .await;
    assert_eq!(status, 404);

    // The registry: scoped, filtered.
    let registry = |token: &str, query: &str| {
        let (app, token, path) = (
            &app,
            token.to_owned(),
            format!("/api/v1/quality-officers{query}"),
        );
        async move { call(app, Method::GET, &path, token.as_str(), None).await }
    };
    let (status, page) = registry(&regulator, "?region=652800&status=registered").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 1);
    let item = &page["items"][0];
    assert_eq!(item["venue_id"], id);
    assert_eq!(item["officer_name"], "王芳");
    assert_eq!(item["training_hours"], 20.0);
    assert_eq!(item["training_complete"], true);
    assert_eq!(item["conditions_met"], true);
    assert_eq!(item["evaluation_grade"], "excellent");
    let (_, page) = registry(&regulator, "?status=none").await;
    let ids: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["venue_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [bare_id]);
    let (_, page) = registry(&regulator, "?status=training_short").await;
    assert_eq!(page["total"], 0);
    let (_, page) = registry(&regulator, "").await;
    assert_eq!(page["total"], 2);
    let (status, page) = registry(&outsider, "").await;
    assert_eq!((status, page["total"].clone()), (200, json!(0)));
    let (status, problem) = registry(&outsider, "?region=652800").await;
    assert_eq!(
        (status, problem["type"].clone()),
        (403, json!("/problems/region-outside-scope"))
    );
    let (status, _) = registry(&regulator, "?status=lapsed").await;
    assert_eq!(status, 422);
    let (status, _) = registry(&regulator, "?region=65280").await;
    assert_eq!(status, 422);
    let (status, _) = registry(&staff, "").await;
    assert_eq!(status, 403);

    // Removing a record lowers the sum: registered, but short of training.
    let training_id = first["id"].as_i64().unwrap();
    let (status, _) = call(
        &app,
        Method::DELETE,
        &format!("{trainings}/{training_id}"),
        &outsider,
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = call(
        &app,
        Method::DELETE,
        &format!("{trainings}/{training_id}"),
        &staff,
        None,
    )
    .await;
    assert_eq!((status, body["training_hours"].clone()), (200, json!(8.0)));
    let (status, _) = call(
        &app,
        Method::DELETE,
        &format!("{trainings}/{training_id}"),
        &staff,
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (_, page) = registry(&regulator, "?status=training_short").await;
    assert_eq!(page["items"][0]["venue_id"], id);
    assert_eq!(page["items"][0]["registration_status"], "registered");

    // Withdrawing the registration takes the tier input away again.
    let (status, body) = call(
        &app,
        Method::PUT,
        &officer,
        &staff,
        Some(officer_body("unregistered")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(cqo_input_becomes(&app, id, false).await);

    // A refusal with its reason; the venue may file again.
    let (status, _) = call(
        &app,
        Method::PUT,
        &bare_officer,
        &other_staff,
        Some(officer_body("pending")),
    )
    .await;
    assert_eq!(status, 200);
    let refuse = json!({ "decision": "refused", "reason": "学历证明未提交" });
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("{bare_officer}/registration"),
        &regulator,
        Some(refuse),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["registration_status"], "refused");
    assert_eq!(body["registration_reason"], "学历证明未提交");
    let (status, body) = call(
        &app,
        Method::PUT,
        &bare_officer,
        &other_staff,
        Some(officer_body("pending")),
    )
    .await;
    assert_eq!(
        (status, body["registration_status"].clone()),
        (200, json!("pending"))
    );

    // Every change audited with the venue's region; the decision with its reason.
    assert_eq!(audit_count(&app, id, "venue.cqo_training").await, 3);
    assert_eq!(audit_count(&app, id, "venue.cqo_training_remove").await, 1);
    assert_eq!(audit_count(&app, id, "venue.cqo_registration").await, 1);
    let after: Value = sqlx::query_scalar(
        "SELECT after FROM audit_log WHERE venue_id = $1 AND action = 'venue.cqo_registration'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(after["reason"], "培训合格");
    assert_eq!(after["required_hours"], 20.0);

    // Without credentials, every new JSON route is 401.
    for (method, path) in [
        (Method::GET, "/api/v1/quality-officers".to_owned()),
        (Method::GET, officer.clone()),
        (Method::POST, trainings.clone()),
        (Method::DELETE, format!("{trainings}/1")),
        (Method::POST, format!("{officer}/registration")),
        (Method::POST, evaluations.clone()),
    ] {
        let (status, _) = call(&app, method.clone(), &path, ANONYMOUS, Some(json!({}))).await;
        assert_eq!(status, 401, "{method} {path}");
    }
}

#[tokio::test]
async fn the_hours_asked_for_registration_follow_the_setting() {
    let app = crate::common::spawn_app_with(crate::common::Options {
        env: vec![("CQO_TRAINING_HOURS", "8")],
        ..Default::default()
    })
    .await;
    let venue = app.hotel().await;
    let officer = format!("/api/v1/venues/{}/quality-officer", venue["id"]);
    let (status, _) = call(
        &app,
        Method::PUT,
        &officer,
        ADMIN_TOKEN,
        Some(officer_body("pending")),
    )
    .await;
    assert_eq!(status, 200);
    let day = app.clock.today().to_string();
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("{officer}/trainings"),
        ADMIN_TOKEN,
        Some(training(8.0, &day)),
    )
    .await;
    assert_eq!(status, 201);
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("{officer}/registration"),
        ADMIN_TOKEN,
        Some(json!({ "decision": "registered", "reason": "ok" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

/// The cells of the first sheet of a workbook, as text.
fn sheet_cells(bytes: Vec<u8>) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    sheet
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn staff_keep_the_record_and_regulators_decide_on_their_pages() {
    let app = spawn_app().await;
    let today = app.clock.today().to_string();
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    let elsewhere = app.create_venue("博斯腾湖宾馆", "652801", "hotel").await;
    app.venue_staff("desk", &[&venue]).await;
    let staff = app
        .session_for("desk", crate::common::ACCOUNT_PASSWORD)
        .await;
    let page_path = format!("/dashboard/venues/{id}/quality-officer");

    // The officer's page, in the visitor's language, with the form token.
    let page = staff.get_page(&format!("{page_path}?lang=en")).await;
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(page.select_text("h1.venue-name"), "Chief Quality Officer");
    assert!(page.exists("#officer form input[name=csrf_token]"));
    assert!(
        !page.exists("#trainings form.training-form"),
        "training needs an officer first"
    );
    assert_eq!(page.count("#officer input[name=duties]"), 8);
    let zh = staff.get_page(&format!("{page_path}?lang=zh-CN")).await;
    assert!(zh.says("首席质量官"), "{zh:?}");

    // Refused forms: nothing stored, the reason beside the field.
    let response = staff.post_exact(&page_path, &[("name", "王芳")]).await;
    assert_eq!(response.status(), 403, "no form token");
    let fields = |years: &'static str, education: &'static str| {
        vec![
            ("name", "王芳"),
            ("position", "质量总监"),
            ("appointed_on", "2026-03-01"),
            ("education", education),
            ("qualification", "中级质量工程师"),
            ("experience_years", years),
            ("duties", "strategy"),
            ("duties", "compliance"),
            ("registration_status", "unregistered"),
        ]
    };
    let page = staff
        .post_page(&format!("{page_path}?lang=en"), &fields("x", "bachelor"))
        .await;
    assert_eq!(page.status, 422, "{page:?}");
    assert_eq!(
        page.select_text("#experience_years-error"),
        "Years of experience are a whole number from 0 to 60."
    );
    assert_eq!(
        page.attr("#experience_years", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(page.form_value("input[name=experience_years]"), "x");
    assert!(page.exists("input[name=duties][value=compliance][checked]"));
    assert!(!page.exists("input[name=duties][value=culture][checked]"));
    let page = staff
        .post_page(&format!("{page_path}?lang=en"), &fields("5", "phd"))
        .await;
    assert_eq!(page.status, 422);
    assert_eq!(
        page.select_text("#education-error"),
        "Please choose the education from the list."
    );
    assert_eq!(app.count("venue_quality_officers").await, 0);
    let mut asked = fields("5", "bachelor");
    asked.pop();
    asked.push(("registration_status", "registered"));
    let page = staff
        .post_page(&format!("{page_path}?lang=en"), &asked)
        .await;
    assert_eq!(page.status, 403);
    assert!(page.exists("#registration_status-error"));
    assert_eq!(app.count("venue_quality_officers").await, 0);

    // Saved, then training records.
    let response = staff
        .post_form(&format!("{page_path}?lang=en"), &fields("5", "bachelor"))
        .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&page_path) && location.contains("notice=officer"),
        "{location}"
    );
    let trainings = format!("{page_path}/trainings?lang=en");
    let page = staff
        .post_page(
            &trainings,
            &[
                ("course", "质量管理"),
                ("provider", "州局"),
                ("trained_on", &today),
                ("hours", "120"),
            ],
        )
        .await;
    assert_eq!(page.status, 422, "{page:?}");
    assert_eq!(
        page.select_text("#hours-error"),
        "A training record holds 0.5 to 100 hours."
    );
    assert_eq!(page.form_value("#trainings input[name=course]"), "质量管理");
    let page = staff
        .post_page(
            &trainings,
            &[
                ("course", "质量管理"),
                ("provider", " "),
                ("trained_on", &today),
                ("hours", "8"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.exists("#provider-error"));
    assert_eq!(app.count("quality_officer_trainings").await, 0);
    for (course, hours) in [("质量管理体系", "12"), ("服务标准", "4")] {
        let response = staff
            .post_form(
                &trainings,
                &[
                    ("course", course),
                    ("provider", "州市场监管局"),
                    ("trained_on", &today),
                    ("hours", hours),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "{course}");
    }
    let page = staff.get_page(&format!("{page_path}?lang=en")).await;
    assert_eq!(page.count("#trainings-table tbody tr"), 2);
    assert!(
        page.says("16.0 training hours recorded; registration needs 20.0."),
        "{page:?}"
    );

    // Filing for registration.
    let response = staff
        .post_form(&format!("{page_path}/registration?lang=en"), &[])
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(registration_status(&app, id).await, "pending");
    let page = staff
        .post_page(&format!("{page_path}/registration?lang=en"), &[])
        .await;
    assert_eq!(page.status, 409, "filed twice: {page:?}");
    assert_eq!(
        page.select_text("#filing-error"),
        "The filing is not in a state that allows this."
    );

    // The registry for a regulator in scope, with a decision on the pending row.
    app.activated_account(json!({"login": "bz-reg", "display_name": "巴州", "role": "regulator", "region_code": "652800"}))
        .await;
    let regulator = app.sign_in("bz-reg").await;
    let registry = regulator
        .get_page("/console/quality-officers?lang=en&status=pending")
        .await;
    assert_eq!(registry.status, 200, "{registry:?}");
    assert_eq!(registry.count("#officers-table tbody tr"), 1);
    assert!(registry.says("孔雀河酒店") && registry.says("王芳"));
    assert!(registry.exists("#officers-table form select[name=decision]"));
    let all = regulator
        .get_page("/console/quality-officers?lang=en")
        .await;
    assert_eq!(all.count("#officers-table tbody tr"), 2);
    assert!(all.says("博斯腾湖宾馆") && all.says("No officer"));
    // Registering with 16 hours is refused, the form as posted.
    let decide =
        format!("/console/quality-officers/{id}/registration?lang=en&back=registry&status=pending");
    let page = regulator
        .post_page(
            &decide,
            &[("decision", "registered"), ("reason", "材料齐全")],
        )
        .await;
    assert_eq!(page.status, 409, "{page:?}");
    assert_eq!(
        page.select_text("p.notice.error"),
        "Registration needs at least 20.0 training hours on record; 16.0 are recorded."
    );
    assert_eq!(
        page.form_value("#officers-table input[name=reason]"),
        "材料齐全"
    );
    assert_eq!(registration_status(&app, id).await, "pending");
    let response = staff
        .post_form(
            &trainings,
            &[
                ("course", "质量文化"),
                ("provider", "州市场监管局"),
                ("trained_on", &today),
                ("hours", "4"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let officer_page = format!("/console/quality-officers/{id}");
    let page = regulator
        .post_page(
            &format!("{officer_page}/registration?lang=en"),
            &[("decision", "registered"), ("reason", " ")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert_eq!(page.select_text("#reason-error"), "Please give a reason.");
    let response = regulator
        .post_form(
            &decide,
            &[("decision", "registered"), ("reason", "材料齐全，培训合格")],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert!(
        response.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/console/quality-officers?")
    );
    assert_eq!(registration_status(&app, id).await, "registered");
    assert!(cqo_input_becomes(&app, id, true).await);

    // The yearly evaluation on the officer's console page.
    let page = regulator.get_page(&format!("{officer_page}?lang=en")).await;
    assert_eq!(page.status, 200);
    assert!(page.says("Strategy") || page.says("Quality strategy and yearly quality plan"));
    assert_eq!(page.count("#trainings-table tbody tr"), 3);
    let evaluate = format!("{officer_page}/evaluations?lang=en");
    let year = app.clock.today().year().to_string();
    let page = regulator
        .post_page(
            &evaluate,
            &[("year", &year), ("grade", "excellent"), ("reasons", "")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert_eq!(page.select_text("#reasons-error"), "Please give a reason.");
    assert_eq!(
        page.form_value("select[name=grade] option[selected]"),
        "excellent"
    );
    let page = regulator
        .post_page(
            &evaluate,
            &[("year", "3000"), ("grade", "excellent"), ("reasons", "好")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.exists("#year-error"));
    assert_eq!(app.count("quality_officer_evaluations").await, 0);
    let response = regulator
        .post_form(
            &evaluate,
            &[
                ("year", &year),
                ("grade", "excellent"),
                ("reasons", "全年零投诉"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    // Shown on the venue's console page and the officer pages.
    let venue_page = regulator
        .get_page(&format!("/console/venues/{id}?lang=en"))
        .await;
    assert!(
        venue_page.says(&format!("{year} · Excellent · 全年零投诉")),
        "{venue_page:?}"
    );
    let page = staff.get_page(&format!("{page_path}?lang=en")).await;
    assert!(page.says("全年零投诉"));
    let registry = regulator
        .get_page("/console/quality-officers?lang=en&status=registered")
        .await;
    assert!(registry.says(&format!("{year} Excellent")), "{registry:?}");

    // The registry's downloads hold the page's rows.
    let csv = regulator
        .download("/console/quality-officers.csv?lang=en&status=registered")
        .await;
    assert_eq!(csv.status, 200);
    let text = csv.text();
    assert!(
        text.contains("孔雀河酒店") && text.contains("王芳") && text.contains("20.0"),
        "{text}"
    );
    assert!(!text.contains("博斯腾湖宾馆"));
    let xlsx = regulator
        .download("/console/quality-officers.xlsx?lang=en&status=none")
        .await;
    assert_eq!(xlsx.status, 200);
    let cells = sheet_cells(xlsx.bytes);
    assert_eq!(cells[1][1], "Venue");
    assert_eq!(cells.len(), 3, "caption, header, one venue without officer");
    assert_eq!(cells[2][1], "博斯腾湖宾馆");
    assert_eq!(cells[2][4], "No officer");

    // The prefecture's registration form, read back.
    let form = regulator
        .download("/console/quality-officers/registration-form.xlsx?region=652800&lang=zh-CN")
        .await;
    assert_eq!(form.status, 200);
    assert!(
        form.disposition
            .contains("cqo-registration-form-652800.xlsx"),
        "{}",
        form.disposition
    );
    let cells = sheet_cells(form.bytes);
    assert!(
        cells[0][0].starts_with("拟任首席质量官备案登记表"),
        "{:?}",
        cells[0]
    );
    let headers = &cells[2];
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {headers:?}"))
    };
    assert_eq!(cells.len(), 4, "one officer in the prefecture: {cells:?}");
    let row = &cells[3];
    assert_eq!(row[column("序号")], "1");
    assert_eq!(row[column("场所")], "孔雀河酒店");
    assert_eq!(row[column("首席质量官")], "王芳");
    assert_eq!(row[column("职务")], "质量总监");
    assert_eq!(row[column("学历")], "大学本科");
    assert_eq!(row[column("专业资格")], "中级质量工程师");
    assert_eq!(row[column("旅游服务质量管理从业年限")], "5");
    assert_eq!(row[column("符合任职条件（二(二)）")], "是");
    assert_eq!(row[column("学时")], "20");
    assert_eq!(
        row[column("职责（二(三)）")],
        "质量战略与年度质量计划; 质量法律法规合规"
    );
    assert_eq!(row[column("备案状态")], "已备案");
    let history = &row[column("培训经历")];
    assert!(
        history.contains("质量管理体系 (州市场监管局, 12.0 h)") && history.contains("质量文化"),
        "{history}"
    );
    let county = regulator
        .download("/console/quality-officers/registration-form.xlsx?region=652801")
        .await;
    assert_eq!(county.status, 422, "a county is no prefecture");

    // Scope: another region's regulator, venue staff and the anonymous.
    app.activated_account(json!({"login": "cj-reg", "display_name": "昌吉", "role": "regulator", "region_code": "652300"}))
        .await;
    let outsider = app.sign_in("cj-reg").await;
    let page = outsider.get_page(&format!("{officer_page}?lang=en")).await;
    assert_eq!(page.status, 404);
    let response = outsider
        .post_form(
            &format!("{officer_page}/registration"),
            &[("decision", "refused"), ("reason", "x")],
        )
        .await;
    assert_eq!(response.status(), 404);
    let response = outsider
        .post_form(
            &format!("{officer_page}/evaluations"),
            &[("year", &year), ("grade", "unqualified"), ("reasons", "x")],
        )
        .await;
    assert_eq!(response.status(), 404);
    let denied = outsider
        .download("/console/quality-officers/registration-form.xlsx?region=652800")
        .await;
    assert_eq!(denied.status, 403);
    let page = outsider.get_page("/console/quality-officers?lang=en").await;
    assert_eq!(page.count("#officers-table tbody tr"), 0);
    let page = outsider.get_page(&format!("{page_path}?lang=en")).await;
    assert_eq!(page.status, 404);
    let response = outsider
        .post_form(
            &format!("{page_path}/trainings"),
            &[
                ("course", "c"),
                ("provider", "p"),
                ("trained_on", &today),
                ("hours", "8"),
            ],
        )
        .await;
    assert_eq!(response.status(), 404);
    for path in [
        "/console/quality-officers".to_owned(),
        officer_page.clone(),
        "/console/quality-officers.csv".to_owned(),
        "/console/quality-officers/registration-form.xlsx?region=652800".to_owned(),
    ] {
        let response = staff.fetch(&path).await;
        assert_eq!(response.status(), 403, "staff: {path}");
        let response = app.get(&path).await;
        assert_eq!(response.status(), 303, "anonymous: {path}");
    }
    let response = staff
        .post_form(
            &format!("{officer_page}/registration"),
            &[("decision", "refused"), ("reason", "x")],
        )
        .await;
    assert_eq!(response.status(), 403);
    let response = staff
        .post_form(
            &format!("{officer_page}/evaluations"),
            &[("year", &year), ("grade", "unqualified"), ("reasons", "x")],
        )
        .await;
    assert_eq!(response.status(), 403);
    let other = format!("/dashboard/venues/{}/quality-officer", elsewhere["id"]);
    let page = staff.get_page(&other).await;
    assert_eq!(page.status, 404, "another venue's officer page");
    let response = staff.post_form(&format!("{other}/registration"), &[]).await;
    assert_eq!(response.status(), 404);
    // An admin sees everything.
    app.activated_account(json!({"login": "chief", "display_name": "c", "role": "admin"}))
        .await;
    let admin = app.sign_in("chief").await;
    let page: Page = admin.get_page(&format!("{officer_page}?lang=en")).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        admin.get_page("/console/quality-officers").await.status,
        200
    );

    // A removed record leaves the sum, audited.
    let training_id: i64 = sqlx::query_scalar(
        "SELECT id FROM quality_officer_trainings WHERE venue_id = $1 ORDER BY id LIMIT 1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let response = staff
        .post_form(
            &format!("{page_path}/trainings/{training_id}/remove?lang=en"),
            &[],
        )
        .await;
    assert_eq!(response.status(), 303);
    let hours: f64 = sqlx::query_scalar(
        "SELECT training_hours::float8 FROM venue_quality_officers WHERE venue_id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(hours, 8.0);
    assert_eq!(audit_count(&app, id, "venue.cqo_training_remove").await, 1);
    assert_eq!(
        audit_count(&app, id, "venue.cqo_registration_request").await,
        1
    );
}
