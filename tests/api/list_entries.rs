//! Credit lists through the JSON API: a proposal waits for the venue's
//! statement (陈述申辩) or the end of its working-day period, a regulator
//! decides with the statement beside the decision, the tier follows and the
//! entry ends by itself on its end day; the public lists as JSON and CSV;
//! bad input refused with nothing written; every route per role.

use chrono::{Duration, NaiveDate};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{ADMIN_TOKEN, ANONYMOUS, TestApp, call, spawn_app};

/// The day `n` working days after today, from the service's own calendar.
async fn working_days_after(app: &TestApp, n: u32) -> NaiveDate {
    qrfeedback::store::calendar::working_calendar(&app.pool)
        .await
        .unwrap()
        .add_working_days(app.clock.today(), n)
}

struct Cast {
    venue_id: i64,
    regulator: String,
    elsewhere: String,
    staff: String,
    other_staff: String,
}

/// A hotel in Korla with its staff, the prefecture's regulator, and a
/// regulator and staff of elsewhere.
async fn cast(app: &TestApp) -> Cast {
    let venue_id = app.hotel().await["id"].as_i64().unwrap();
    let other = app.create_venue("昌吉宾馆", "652301", "hotel").await["id"]
        .as_i64()
        .unwrap();
    Cast {
        venue_id,
        regulator: app
            .api_token(json!({"name": "巴州", "role": "regulator", "region_code": "652800"}))
            .await,
        elsewhere: app
            .api_token(json!({"name": "昌吉", "role": "regulator", "region_code": "652300"}))
            .await,
        staff: app
            .api_token(json!({"name": "前台", "role": "venue_staff", "venue_ids": [venue_id]}))
            .await,
        other_staff: app
            .api_token(json!({"name": "别家", "role": "venue_staff", "venue_ids": [other]}))
            .await,
    }
}

fn proposal(app: &TestApp, list: &str, months: i64) -> Value {
    let today = app.clock.today();
    json!({
        "list": list,
        "reason": "以不合理低价组织旅游活动，诱骗游客购物",
        "legal_basis": "《文化和旅游市场信用管理规定》",
        "decision_no": "巴文旅信〔2026〕3号",
        "starts_on": today.to_string(),
        "ends_on": (today + Duration::days(months * 30)).to_string(),
    })
}

async fn propose(app: &TestApp, venue_id: i64, token: &str, body: Value) -> (u16, Value) {
    call(
        app,
        Method::POST,
        &format!("/api/v1/venues/{venue_id}/list-entries"),
        token,
        Some(body),
    )
    .await
}

async fn state(app: &TestApp, entry: i64, token: &str, text: &str) -> (u16, Value) {
    call(
        app,
        Method::POST,
        &format!("/api/v1/list-entries/{entry}/statement"),
        token,
        Some(json!({ "text": text })),
    )
    .await
}

async fn decide(app: &TestApp, entry: i64, token: &str, decision: &str) -> (u16, Value) {
    call(
        app,
        Method::POST,
        &format!("/api/v1/list-entries/{entry}/decision"),
        token,
        Some(json!({ "decision": decision, "reason": "经核查，事实清楚" })),
    )
    .await
}

async fn public(app: &TestApp, path: &str) -> Value {
    let (status, body) = call(app, Method::GET, path, ANONYMOUS, None).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'list_entry.%' ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_listed_venue_answers_first_is_listed_with_its_statement_and_drops_off_on_the_end_day() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let (status, entry) = propose(
        &app,
        cast.venue_id,
        &cast.regulator,
        proposal(&app, "serious", 12),
    )
    .await;
    assert_eq!(status, 201, "{entry}");
    assert_eq!(entry["state"], "pending");
    assert_eq!(entry["list"], "serious");
    assert_eq!(entry["in_force"], false);
    assert_eq!(
        entry["statement_due_on"],
        working_days_after(&app, 5).await.to_string()
    );
    let id = entry["id"].as_i64().unwrap();

    // The venue may still answer: no decision yet, and the tier is untouched.
    let (status, early) = decide(&app, id, &cast.regulator, "listed").await;
    assert_eq!(status, 409, "{early}");
    assert_eq!(early["type"], "/problems/statement-period-open");

    // The venue's staff see it and answer once.
    let (status, mine) = call(
        &app,
        Method::GET,
        &format!("/api/v1/venues/{}/list-entries", cast.venue_id),
        &cast.staff,
        None,
    )
    .await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine["items"][0]["id"], id);
    let (status, answered) = state(&app, id, &cast.staff, "我单位已全额退款并整改。").await;
    assert_eq!(status, 201, "{answered}");
    assert_eq!(answered["statement"], "我单位已全额退款并整改。");
    let (status, again) = state(&app, id, &cast.staff, "补充").await;
    assert_eq!(status, 409);
    assert_eq!(again["type"], "/problems/statement-given");

    let (status, decided) = decide(&app, id, &cast.regulator, "listed").await;
    assert_eq!(status, 200, "{decided}");
    assert_eq!(decided["state"], "listed");
    assert_eq!(decided["in_force"], true);
    assert_eq!(decided["statement"], "我单位已全额退款并整改。");
    assert_eq!(decided["decision_reason"], "经核查，事实清楚");
    let (status, twice) = decide(&app, id, &cast.regulator, "dropped").await;
    assert_eq!(status, 409);
    assert_eq!(twice["type"], "/problems/list-entry-decided");

    let graded = app.score_when(cast.venue_id, |s| s["tier"] == "D").await;
    assert_eq!(graded["tier"], "D", "{graded}");
    assert_eq!(graded["tier_reasons"][0]["input"], "serious_list");

    // The public list names it with the decision's day, number and basis.
    let list = public(&app, "/api/v1/lists/serious").await;
    assert_eq!(list["as_of"], app.clock.today().to_string());
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["venue_id"], cast.venue_id);
    assert_eq!(items[0]["venue_name"], "孔雀河酒店");
    assert_eq!(items[0]["decision_no"], "巴文旅信〔2026〕3号");
    assert_eq!(items[0]["legal_basis"], "《文化和旅游市场信用管理规定》");
    assert_eq!(items[0]["decided_on"], app.clock.today().to_string());
    assert!(
        items[0]["region_name"]
            .as_str()
            .unwrap()
            .ends_with("库尔勒市")
    );
    let csv = app.get("/api/v1/lists/serious?format=csv").await;
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("entry_id,venue_id,venue_name,")
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with(&format!("{id},{},孔雀河酒店,652801,", cast.venue_id)),
        "{row}"
    );
    assert!(row.contains("巴文旅信〔2026〕3号"), "{row}");
    assert_eq!(lines.next(), None);

    let page = app.get("/lists/serious?lang=zh-CN").await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    for text in [
        "严重失信主体名单",
        "孔雀河酒店",
        "巴文旅信〔2026〕3号",
        "以不合理低价组织旅游活动",
    ] {
        assert!(page.contains(text), "{text}");
    }

    // On its end day the entry ends without anyone acting, and the tier follows.
    let ends_on =
        NaiveDate::parse_from_str(decided["ends_on"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    app.clock
        .advance(Duration::days((ends_on - app.clock.today()).num_days()));
    let after = app.score_when(cast.venue_id, |s| s["tier"] != "D").await;
    assert_ne!(after["tier"], "D", "{after}");
    assert_eq!(
        public(&app, "/api/v1/lists/serious").await["items"],
        json!([])
    );
    let page = app
        .get("/lists/serious?lang=en")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("No venue is on this list today.") && !page.contains("孔雀河酒店"));
    let (_, ended) = call(
        &app,
        Method::GET,
        &format!("/api/v1/list-entries/{id}"),
        &cast.regulator,
        None,
    )
    .await;
    assert_eq!(ended["state"], "listed");
    assert_eq!(ended["in_force"], false);

    assert_eq!(
        audit_actions(&app).await,
        [
            "list_entry.propose",
            "list_entry.statement",
            "list_entry.decide"
        ]
    );
}

#[tokio::test]
async fn without_a_statement_the_regulator_decides_once_the_period_ends() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let (_, watch) = propose(
        &app,
        cast.venue_id,
        &cast.regulator,
        proposal(&app, "watch", 6),
    )
    .await;
    let (_, spare) = propose(
        &app,
        cast.venue_id,
        &cast.regulator,
        proposal(&app, "serious", 6),
    )
    .await;
    let due =
        NaiveDate::parse_from_str(watch["statement_due_on"].as_str().unwrap(), "%Y-%m-%d").unwrap();

    // On the last day the venue may still answer, so no decision yet.
    app.clock
        .advance(Duration::days((due - app.clock.today()).num_days()));
    let (status, _) = decide(
        &app,
        watch["id"].as_i64().unwrap(),
        &cast.regulator,
        "listed",
    )
    .await;
    assert_eq!(status, 409);

    app.clock.advance(Duration::days(1));
    let (status, late) = state(
        &app,
        watch["id"].as_i64().unwrap(),
        &cast.staff,
        "迟到的申辩",
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(late["type"], "/problems/statement-period-over");
    let (status, listed) = decide(
        &app,
        watch["id"].as_i64().unwrap(),
        &cast.regulator,
        "listed",
    )
    .await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["statement"], Value::Null);
    // The watch list holds the venue at C, not D.
    let graded = app.score_when(cast.venue_id, |s| s["tier"] == "C").await;
    assert_eq!(graded["tier_reasons"][0]["input"], "watch_list", "{graded}");

    let (status, dropped) =
        decide(&app, spare["id"].as_i64().unwrap(), ADMIN_TOKEN, "dropped").await;
    assert_eq!(status, 200, "{dropped}");
    assert_eq!(dropped["state"], "dropped");
    assert_eq!(dropped["in_force"], false);
    // Neither the watch list nor a dropped entry is on the public serious list.
    assert_eq!(
        public(&app, "/api/v1/lists/serious").await["items"],
        json!([])
    );
}

#[tokio::test]
async fn bad_proposals_statements_and_decisions_are_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let today = app.clock.today();
    let with = |field: &str, value: Value| {
        let mut body = proposal(&app, "serious", 12);
        body[field] = value;
        body
    };
    let cases = [
        (with("list", json!("blacklist")), "unknown-list"),
        (with("reason", json!("  ")), "reason-required"),
        (with("legal_basis", json!("")), "text-required"),
        (with("reason", json!("x".repeat(1001))), "text-too-long"),
        (with("legal_basis", json!("a\u{0}b")), "control-character"),
        (with("starts_on", json!("2026/12/01")), "invalid-date"),
        (
            with("starts_on", json!((today - Duration::days(1)).to_string())),
            "list-starts-in-past",
        ),
        (with("ends_on", json!(today.to_string())), "period-reversed"),
        (
            with(
                "ends_on",
                json!((today + Duration::days(3 * 366)).to_string()),
            ),
            "list-term-too-long",
        ),
    ];
    for (body, problem) in cases {
        let (status, answer) = propose(&app, cast.venue_id, &cast.regulator, body).await;
        assert_eq!(status, 422, "{problem}: {answer}");
        assert_eq!(answer["type"], format!("/problems/{problem}"), "{answer}");
    }
    let mut unknown = proposal(&app, "watch", 3);
    unknown["blacklist"] = json!(true);
    assert_eq!(
        propose(&app, cast.venue_id, &cast.regulator, unknown)
            .await
            .0,
        422
    );
    assert_eq!(app.count("list_entries").await, 0);

    let (_, entry) = propose(
        &app,
        cast.venue_id,
        &cast.regulator,
        proposal(&app, "watch", 3),
    )
    .await;
    let id = entry["id"].as_i64().unwrap();
    for text in ["", "a\u{202e}b"] {
        assert_eq!(state(&app, id, &cast.staff, text).await.0, 422);
    }
    assert_eq!(
        state(&app, id, &cast.staff, &"长".repeat(5001)).await.0,
        422
    );
    let (status, answer) = call(
        &app,
        Method::POST,
        &format!("/api/v1/list-entries/{id}/decision"),
        &cast.regulator,
        Some(json!({"decision": "blacklisted", "reason": "x"})),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(answer["type"], "/problems/invalid-decision");
    let (_, stored) = call(
        &app,
        Method::GET,
        &format!("/api/v1/list-entries/{id}"),
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(stored["state"], "pending");
    assert_eq!(stored["statement"], Value::Null);
    assert_eq!(audit_actions(&app).await, ["list_entry.propose"]);
}

#[tokio::test]
async fn each_role_meets_the_list_routes_as_the_table_says() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let venue = cast.venue_id;
    let body = proposal(&app, "serious", 12);
    // Proposing: admins and the venue's regulators; others are refused.
    assert_eq!(
        propose(&app, venue, &cast.elsewhere, body.clone()).await.0,
        404
    );
    assert_eq!(propose(&app, venue, &cast.staff, body.clone()).await.0, 403);
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("/api/v1/venues/{venue}/list-entries"),
        ANONYMOUS,
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        propose(&app, 999_999, ADMIN_TOKEN, body.clone()).await.0,
        404
    );
    let (status, entry) = propose(&app, venue, ADMIN_TOKEN, body).await;
    assert_eq!(status, 201);
    let id = entry["id"].as_i64().unwrap();

    // Reading: in scope only.
    let one = format!("/api/v1/list-entries/{id}");
    let of_venue = format!("/api/v1/venues/{venue}/list-entries");
    for (token, expected) in [
        (ADMIN_TOKEN.to_owned(), 200),
        (cast.regulator.clone(), 200),
        (cast.staff.clone(), 200),
        (cast.elsewhere.clone(), 404),
        (cast.other_staff.clone(), 404),
    ] {
        assert_eq!(
            call(&app, Method::GET, &one, &token, None).await.0,
            expected
        );
        assert_eq!(
            call(&app, Method::GET, &of_venue, &token, None).await.0,
            expected
        );
    }
    assert_eq!(call(&app, Method::GET, &one, ANONYMOUS, None).await.0, 401);
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/api/v1/list-entries/abc",
            ADMIN_TOKEN,
            None
        )
        .await
        .0,
        404
    );

    // The statement is the venue's own; the decision the regulators'.
    assert_eq!(state(&app, id, &cast.regulator, "代为申辩").await.0, 403);
    assert_eq!(state(&app, id, ADMIN_TOKEN, "代为申辩").await.0, 403);
    assert_eq!(state(&app, id, &cast.other_staff, "别家申辩").await.0, 404);
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("/api/v1/list-entries/{id}/statement"),
        ANONYMOUS,
        Some(json!({"text": "匿名"})),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(state(&app, id, &cast.staff, "我方申辩").await.0, 201);
    assert_eq!(decide(&app, id, &cast.staff, "dropped").await.0, 403);
    assert_eq!(decide(&app, id, &cast.elsewhere, "dropped").await.0, 404);
    assert_eq!(decide(&app, id, &cast.regulator, "dropped").await.0, 200);

    // The public lists need no account.
    for path in [
        "/api/v1/lists/serious",
        "/api/v1/lists/quality",
        "/api/v1/lists/quality?format=csv",
    ] {
        assert_eq!(app.get(path).await.status(), 200, "{path}");
    }
    let (status, bad) = call(
        &app,
        Method::GET,
        "/api/v1/lists/serious?format=xml",
        ANONYMOUS,
        None,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(bad["type"], "/problems/invalid-query");
}

#[tokio::test]
async fn the_quality_list_holds_the_open_tier_a_venues() {
    let app = spawn_app().await;
    let good = app.hotel().await;
    let plain = app.create_venue("博湖饭店", "652829", "restaurant").await;
    let ratings = (0..50).map(|i| {
        let good = &good;
        let app = &app;
        async move { app.rate(good, &format!("q-{i}"), 5).await }
    });
    futures_util::future::join_all(ratings).await;
    app.rate(&plain, "p-1", 3).await;
    let good_id = good["id"].as_i64().unwrap();
    let graded = app.score_when(good_id, |s| s["tier"] == "A").await;
    assert_eq!(graded["tier"], "A", "{graded}");

    let list = public(&app, "/api/v1/lists/quality").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["venue_id"], good_id);
    assert_eq!(items[0]["basis"], "tier_a");
    assert_eq!(items[0]["decided_on"], app.clock.today().to_string());
    assert!(items[0]["score"].as_f64().unwrap() >= 85.0);
    let csv = app
        .get("/api/v1/lists/quality?format=csv")
        .await
        .text()
        .await
        .unwrap();
    let rows: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(
        rows[1].starts_with(&format!("{good_id},孔雀河酒店,652801,")),
        "{csv}"
    );

    // A closed venue leaves the list.
    let (status, _) = call(
        &app,
        Method::PATCH,
        &format!("/api/v1/venues/{good_id}"),
        ADMIN_TOKEN,
        Some(json!({"closed": true})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        public(&app, "/api/v1/lists/quality").await["items"],
        json!([])
    );
}
