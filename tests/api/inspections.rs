//! Inspections (体检式暗访) through the JSON API: scored by the checklist's
//! pass mark or declared, refused when the items or the date are wrong
//! (without a row), scoped per role, reaching the tier; and the random
//! draw (双随机), reproducible from its seed and leaning towards low tiers.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{ADMIN_TOKEN, TestApp, call, spawn_app};

/// Every item of the default checklist at `points` (capped at each item's most).
fn all_items(points: i64) -> Value {
    let checklist =
        qrfeedback::domain::inspection::Checklist::default_checklist().expect("default checklist");
    Value::Array(
        checklist
            .items
            .iter()
            .map(|i| json!({"key": i.key, "points": points.min(i64::from(i.max_points))}))
            .collect(),
    )
}

fn today(app: &TestApp) -> String {
    app.clock.today().to_string()
}

async fn inspect(app: &TestApp, venue_id: i64, token: &str, body: Value) -> (u16, Value) {
    call(
        app,
        Method::POST,
        &format!("/api/v1/venues/{venue_id}/inspections"),
        token,
        Some(body),
    )
    .await
}

#[tokio::test]
async fn a_scored_inspection_passes_by_the_pass_mark_and_a_failed_one_reaches_the_tier() {
    let app = spawn_app().await;
    let venue_id = app.hotel().await["id"].as_i64().unwrap();
    let day = today(&app);

    let (status, passed) = inspect(
        &app,
        venue_id,
        ADMIN_TOKEN,
        json!({"inspected_on": day, "items": all_items(10), "findings": "整洁"}),
    )
    .await;
    assert_eq!(status, 201, "{passed}");
    assert_eq!(passed["passed"], true);
    assert_eq!(passed["total_points"], 100);
    assert_eq!(passed["checklist_version"], "2026-12");
    assert_eq!(passed["inspector"], "admin-token");
    assert_ne!(app.score(venue_id).await["tier"], "C");

    // 11 items at 6 points (5 for the two five-point items): 64 < 75.
    let (status, failed) = inspect(
        &app,
        venue_id,
        ADMIN_TOKEN,
        json!({"inspected_on": day, "checklist_version": "2026-12", "items": all_items(6)}),
    )
    .await;
    assert_eq!(status, 201, "{failed}");
    assert_eq!(failed["passed"], false);
    assert_eq!(failed["total_points"], 64);
    assert_eq!(failed["pass_mark"], 75);

    let graded = app.score_when(venue_id, |s| s["tier"] == "C").await;
    assert_eq!(graded["tier"], "C", "{graded}");
    assert!(
        graded["tier_reasons"].to_string().contains("inspection"),
        "{graded}"
    );

    let (status, list) = call(
        &app,
        Method::GET,
        &format!("/api/v1/venues/{venue_id}/inspections"),
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(status, 200);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], failed["id"], "latest first");
    assert_eq!(items[0]["items"].as_array().unwrap().len(), 11);
    assert_eq!(items[1]["findings"], "整洁");
    assert_eq!(app.count("inspection_items").await, 22);
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'inspection.record'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(audited, 2);
}

#[tokio::test]
async fn a_bad_inspection_is_refused_without_a_row() {
    let app = spawn_app().await;
    let venue_id = app.hotel().await["id"].as_i64().unwrap();
    let day = today(&app);
    let tomorrow = (app.clock.today() + chrono::Duration::days(1)).to_string();
    let cases = [
        (json!({"inspected_on": day}), "passed-required"),
        (json!({"inspected_on": day, "items": []}), "passed-required"),
        (
            json!({"inspected_on": tomorrow, "passed": true}),
            "date-in-future",
        ),
        (
            json!({"inspected_on": "2026/01/01", "passed": true}),
            "invalid-date",
        ),
        (
            json!({"inspected_on": day, "passed": true, "checklist_version": "1999"}),
            "unknown-checklist",
        ),
        (
            json!({"inspected_on": day, "items": [{"key": "no.such", "points": 1}]}),
            "unknown-checklist-item",
        ),
        (
            json!({"inspected_on": day, "items": [
                {"key": "skill.knowledge", "points": 1},
                {"key": "skill.knowledge", "points": 2}]}),
            "unknown-checklist-item",
        ),
        (
            json!({"inspected_on": day, "items": [{"key": "environment.prices", "points": 6}]}),
            "points-out-of-range",
        ),
        (
            json!({"inspected_on": day, "items": [{"key": "environment.prices", "points": -1}]}),
            "points-out-of-range",
        ),
        (
            json!({"inspected_on": day, "items": all_items(10), "passed": false}),
            "passed-contradicts-items",
        ),
        (
            json!({"inspected_on": day, "passed": true, "findings": "a\u{202E}b"}),
            "control-character",
        ),
    ];
    for (body, slug) in cases {
        let (status, problem) = inspect(&app, venue_id, ADMIN_TOKEN, body.clone()).await;
        assert_eq!(status, 422, "{body} → {problem}");
        assert!(
            problem["type"].as_str().unwrap_or("").ends_with(slug),
            "{body} → {problem}"
        );
    }
    let (status, _) = inspect(
        &app,
        venue_id,
        ADMIN_TOKEN,
        json!({"inspected_on": day, "passed": "yes"}),
    )
    .await;
    assert!(status == 400 || status == 422, "{status}");
    assert_eq!(app.count("inspections").await, 0);
    assert_eq!(app.count("inspection_items").await, 0);

    // Declared without items: kept with its checklist version, no items.
    let (status, declared) = inspect(
        &app,
        venue_id,
        ADMIN_TOKEN,
        json!({"inspected_on": day, "passed": true, "checklist_version": "2026-12"}),
    )
    .await;
    assert_eq!(status, 201, "{declared}");
    assert_eq!(declared["passed"], true);
    assert_eq!(declared["checklist_version"], "2026-12");
    assert_eq!(declared["items"], json!([]));
}

#[tokio::test]
async fn regulators_record_in_their_region_and_venue_staff_not_at_all() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    let day = today(&app);
    let body = json!({"inspected_on": day, "passed": false, "findings": "未明码标价"});
    let bayingolin = app
        .api_token(json!({"name": "巴州", "role": "regulator", "region_code": "652800"}))
        .await;
    let changji = app
        .api_token(json!({"name": "昌吉", "role": "regulator", "region_code": "652300"}))
        .await;
    let desk = app
        .api_token(json!({"name": "desk", "role": "venue_staff", "venue_ids": [venue_id]}))
        .await;

    let (status, recorded) = inspect(&app, venue_id, &bayingolin, body.clone()).await;
    assert_eq!(status, 201, "{recorded}");
    assert!(
        recorded["inspector"]
            .as_str()
            .unwrap()
            .starts_with("token:")
    );
    assert_eq!(inspect(&app, venue_id, &changji, body.clone()).await.0, 404);
    assert_eq!(inspect(&app, venue_id, &desk, body.clone()).await.0, 403);
    assert_eq!(inspect(&app, 999_999, ADMIN_TOKEN, body).await.0, 404);
    let path = format!("/api/v1/venues/{venue_id}/inspections");
    for (token, expected) in [(&bayingolin, 200), (&changji, 404), (&desk, 403)] {
        assert_eq!(
            call(&app, Method::GET, &path, token, None).await.0,
            expected
        );
    }
    assert_eq!(app.count("inspections").await, 1);
}

async fn draw(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    call(
        app,
        Method::POST,
        "/api/v1/inspection-draws",
        token,
        Some(body),
    )
    .await
}

fn picked(draw: &Value) -> Vec<(i64, Vec<String>)> {
    draw["picks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["venue_id"].as_i64().unwrap(),
                serde_json::from_value(p["inspectors"].clone()).unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_draw_replays_from_its_seed_and_is_scoped() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for i in 0..8 {
        let region = if i % 2 == 0 { "652801" } else { "652822" };
        ids.push(
            app.create_venue(&format!("宾馆{i}"), region, "hotel").await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    app.create_venue("昌吉宾馆", "652301", "hotel").await;
    let bayingolin = app
        .api_token(json!({"name": "巴州", "role": "regulator", "region_code": "652800"}))
        .await;
    let changji = app
        .api_token(json!({"name": "昌吉", "role": "regulator", "region_code": "652300"}))
        .await;
    let request = |seed: i64| {
        json!({"region_code": "652800", "count": 3, "seed": seed,
               "inspectors": ["张三", "李四", "王五", "赵六"], "inspectors_per_visit": 2})
    };

    let (status, first) = draw(&app, &bayingolin, request(42)).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["candidates"], 8);
    let picks = picked(&first);
    assert_eq!(picks.len(), 3);
    for (venue_id, inspectors) in &picks {
        assert!(ids.contains(venue_id));
        assert_eq!(inspectors.len(), 2);
        assert_ne!(inspectors[0], inspectors[1]);
    }
    let (_, again) = draw(&app, ADMIN_TOKEN, request(42)).await;
    assert_eq!(picked(&again), picks, "same seed, same draw");
    let mut differs = false;
    for seed in 1..=5 {
        differs |= picked(&draw(&app, ADMIN_TOKEN, request(seed)).await.1) != picks;
    }
    assert!(differs, "another seed draws otherwise");

    let path = format!("/api/v1/inspection-draws/{}", first["id"]);
    let (status, stored) = call(&app, Method::GET, &path, &bayingolin, None).await;
    assert_eq!(status, 200);
    assert_eq!(stored["seed"], 42);
    assert_eq!(picked(&stored), picks);
    assert_eq!(call(&app, Method::GET, &path, &changji, None).await.0, 404);
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/api/v1/inspection-draws/0",
            ADMIN_TOKEN,
            None
        )
        .await
        .0,
        404
    );

    // Without a seed, one is chosen and stored.
    let mut unseeded = request(0);
    unseeded.as_object_mut().unwrap().remove("seed");
    let (status, chosen) = draw(&app, ADMIN_TOKEN, unseeded).await;
    assert_eq!(status, 201);
    assert!(chosen["seed"].is_i64());

    assert_eq!(draw(&app, &changji, request(1)).await.0, 403);
    for bad in [
        json!({"region_code": "652800", "count": 0, "inspectors": ["甲"]}),
        json!({"region_code": "652800", "count": 2, "inspectors": []}),
        json!({"region_code": "652800", "count": 2, "inspectors": ["甲", "甲"]}),
        json!({"region_code": "652800", "count": 2, "inspectors": ["甲"], "inspectors_per_visit": 2}),
    ] {
        let (status, problem) = draw(&app, ADMIN_TOKEN, bad.clone()).await;
        assert_eq!(status, 422, "{bad} → {problem}");
    }
    let draws: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'inspection.draw'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(draws, app.count("inspection_draws").await);
    assert_eq!(draws, 8);
}

#[tokio::test]
async fn lower_tiers_are_drawn_more_often() {
    let app = spawn_app().await;
    let mut failed = Vec::new();
    for i in 0..6 {
        let id = app
            .create_venue(&format!("宾馆{i}"), "652801", "hotel")
            .await["id"]
            .as_i64()
            .unwrap();
        if i % 2 == 0 {
            let (status, _) = inspect(
                &app,
                id,
                ADMIN_TOKEN,
                json!({"inspected_on": today(&app), "passed": false}),
            )
            .await;
            assert_eq!(status, 201);
            failed.push(id);
        }
    }
    for id in &failed {
        assert_eq!(app.score_when(*id, |s| s["tier"] == "C").await["tier"], "C");
    }
    let (mut low, mut other) = (0, 0);
    for seed in 0..500 {
        let (status, body) = draw(
            &app,
            ADMIN_TOKEN,
            json!({"region_code": "652801", "count": 1, "seed": seed, "inspectors": ["甲"]}),
        )
        .await;
        assert_eq!(status, 201);
        for (venue_id, _) in picked(&body) {
            if failed.contains(&venue_id) {
                low += 1;
            } else {
                other += 1;
            }
        }
    }
    assert_eq!(low + other, 500);
    // Weights 3 against 2: about 60 % of the picks, not exactly with 500 seeds.
    assert!(low > other, "tier C picked {low} times, the others {other}");
}

#[tokio::test]
async fn the_venue_page_publishes_results_without_the_inspector() {
    let app = spawn_app().await;
    let venue_id = app.hotel().await["id"].as_i64().unwrap();
    let page = |lang: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("/v/{venue_id}?lang={lang}"))
                .await
                .text()
                .await
                .unwrap()
        }
    };
    assert!(page("zh-CN").await.contains("暂无公开的暗访检查结果"));
    let day = today(&app);
    let (status, _) = inspect(
        &app,
        venue_id,
        ADMIN_TOKEN,
        json!({"inspected_on": day, "items": all_items(6), "findings": "秘密发现"}),
    )
    .await;
    assert_eq!(status, 201);
    let zh = page("zh-CN").await;
    assert!(
        zh.contains(&day) && zh.contains("<td>2026-12</td>") && zh.contains("不合格"),
        "{zh}"
    );
    assert!(
        !zh.contains("admin-token") && !zh.contains("秘密发现"),
        "{zh}"
    );
    assert!(page("en").await.contains("Failed"));
    assert!(page("ug").await.contains("لاياقەتسىز"));
}
