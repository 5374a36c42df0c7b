//! Tier overrides (人工认定, regulators' requirements clause A.20): set by
//! hand through the JSON API and the console's forms, winning over the rules
//! until their end date, shown as overrides in the tier history, on the
//! score and on the public page, ended by themselves when the application
//! clock reaches the end date or early by a regulator; bad input refused
//! with nothing written, and every new route scoped per role.

use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{ADMIN_TOKEN, ANONYMOUS, Page, Person, TestApp, call, spawn_app};

const REASON: &str = "暗访发现强制购物，待整改复查";

fn day_after(app: &TestApp, days: i64) -> String {
    (app.clock.today() + Duration::days(days)).to_string()
}

fn path(venue_id: i64) -> String {
    format!("/api/v1/venues/{venue_id}/tier-override")
}

async fn set(app: &TestApp, venue_id: i64, token: Option<&str>, body: Value) -> (u16, Value) {
    call(app, Method::POST, &path(venue_id), token, Some(body)).await
}

async fn end(app: &TestApp, venue_id: i64, token: Option<&str>, body: Value) -> (u16, Value) {
    call(app, Method::DELETE, &path(venue_id), token, Some(body)).await
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// A venue in Korla, graded once by the rules; its id and that tier.
async fn graded_venue(app: &TestApp) -> (i64, String) {
    let venue_id = app.hotel().await["id"].as_i64().unwrap();
    let score = app.score_when(venue_id, |s| s["tier"].is_string()).await;
    let tier = score["tier"].as_str().expect("a first grading").to_owned();
    assert_eq!(score["tier_source"], "rules", "{score}");
    assert_eq!(score["tier_override"], Value::Null, "{score}");
    (venue_id, tier)
}

/// A tier other than `tier`.
fn other_than(tier: &str) -> &'static str {
    if tier == "D" { "A" } else { "D" }
}

async fn history(app: &TestApp, venue_id: i64) -> Vec<Value> {
    let (status, body) = call(
        app,
        Method::GET,
        &format!("/api/v1/venues/{venue_id}/tier/history"),
        ANONYMOUS,
        None,
    )
    .await;
    assert_eq!(status, 200);
    body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn an_override_wins_until_its_end_date_and_then_the_rules_apply_again_by_themselves() {
    let app = spawn_app().await;
    let (venue_id, computed) = graded_venue(&app).await;
    let tier = other_than(&computed);
    let ends_on = day_after(&app, 10);

    let (status, set_body) = set(
        &app,
        venue_id,
        Some(ADMIN_TOKEN),
        json!({"tier": tier, "reason": REASON, "ends_on": ends_on}),
    )
    .await;
    assert_eq!(status, 201, "{set_body}");
    assert_eq!(set_body["tier"], tier);
    assert_eq!(set_body["reason"], REASON);
    assert_eq!(set_body["ends_on"], ends_on);
    assert_eq!(set_body["set_by"], "admin-token");
    assert_eq!(set_body["in_force"], true);
    assert_eq!(set_body["ended_at"], Value::Null);
    assert_eq!(audited(&app, "venue.tier_override_set").await, 1);

    // The tier follows within the refresh delay, shown as an override.
    let score = app
        .score_when(venue_id, |s| s["tier_source"] == "override")
        .await;
    assert_eq!(score["tier"], tier, "{score}");
    assert_eq!(score["tier_source"], "override");
    assert_eq!(score["computed_tier"], computed.as_str());
    assert_eq!(score["tier_override"]["tier"], tier);
    assert_eq!(score["tier_override"]["ends_on"], ends_on);
    assert!(
        score["tier_reasons"].to_string().contains(&ends_on),
        "{score}"
    );
    assert!(
        !score.to_string().contains(REASON),
        "the reason stays with regulators: {score}"
    );

    // The history says it came from an override, and until when.
    let items = history(&app, venue_id).await;
    assert_eq!(items[0]["tier"], tier);
    assert_eq!(items[0]["previous_tier"], computed.as_str());
    assert_eq!(items[0]["source"], "override");
    assert_eq!(items[0]["override_id"], set_body["id"]);
    assert_eq!(items[0]["override_ends_on"], ends_on);
    assert_eq!(items[1]["source"], "rules");
    assert!(!json!(items).to_string().contains(REASON));

    // The public page shows the tier as set by the regulator, with its end date.
    let page = Page::read(app.get(&format!("/v/{venue_id}?lang=en")).await).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.select_text(".tier-line .tier"), tier);
    let note = page.select_text("#tier-override-note");
    assert!(note.contains("Set by the regulator"), "{note}");
    assert!(note.contains(&ends_on), "{note}");
    assert!(!page.says(REASON));

    // A day before the end it still holds.
    app.clock.advance(Duration::days(9));
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let score = app.score(venue_id).await;
    assert_eq!(score["tier"], tier, "{score}");

    // On the end date it ends by itself: nobody acts, no rating arrives.
    app.clock.advance(Duration::days(1));
    let score = app
        .score_when(venue_id, |s| s["tier_source"] == "rules")
        .await;
    assert_eq!(score["tier_source"], "rules", "{score}");
    assert_eq!(score["tier"], computed.as_str());
    assert_eq!(score["tier_override"], Value::Null);
    let items = history(&app, venue_id).await;
    assert_eq!(items[0]["source"], "rules");
    assert_eq!(items[0]["tier"], computed.as_str());
    assert_eq!(items[0]["previous_tier"], tier);
    let (kind, ended_by): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT end_kind, ended_by FROM tier_overrides")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((kind.as_deref(), ended_by), (Some("expired"), None));
    let page = Page::read(app.get(&format!("/v/{venue_id}?lang=en")).await).await;
    assert!(!page.exists("#tier-override-note"));

    // Once it has run out, a new override may be set.
    let (status, again) = set(
        &app,
        venue_id,
        Some(ADMIN_TOKEN),
        json!({"tier": tier, "reason": "复查仍未整改", "ends_on": day_after(&app, 30)}),
    )
    .await;
    assert_eq!(status, 201, "{again}");
}

#[tokio::test]
async fn an_override_is_ended_early_by_a_regulator_with_a_reason() {
    let app = spawn_app().await;
    let (venue_id, computed) = graded_venue(&app).await;
    let tier = other_than(&computed);
    let bayingolin = app
        .api_token(json!({"name": "巴州", "role": "regulator", "region_code": "652800"}))
        .await;
    let body = json!({"tier": tier, "reason": REASON, "ends_on": day_after(&app, 60)});
    let (status, stored) = set(&app, venue_id, Some(bayingolin.as_str()), body.clone()).await;
    assert_eq!(status, 201, "{stored}");
    assert!(stored["set_by"].as_str().unwrap().starts_with("token:"));
    app.score_when(venue_id, |s| s["tier"] == tier).await;

    // A second one while it is in force is a conflict, and writes nothing.
    let (status, problem) = set(&app, venue_id, Some(ADMIN_TOKEN), body).await;
    assert_eq!(status, 409, "{problem}");
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("/tier-override-active")
    );
    assert_eq!(app.count("tier_overrides").await, 1);

    let (status, ended) = end(
        &app,
        venue_id,
        Some(bayingolin.as_str()),
        json!({"reason": "已整改到位，复查合格"}),
    )
    .await;
    assert_eq!(status, 200, "{ended}");
    assert_eq!(ended["end_kind"], "early");
    assert_eq!(ended["end_reason"], "已整改到位，复查合格");
    assert_eq!(ended["in_force"], false);
    assert!(ended["ended_by"].as_str().unwrap().starts_with("token:"));
    assert_eq!(audited(&app, "venue.tier_override_end").await, 1);
    let (before, after): (Value, Value) = sqlx::query_as(
        "SELECT before, after FROM audit_log WHERE action = 'venue.tier_override_end'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(before["tier"], tier);
    assert_eq!(after["end_kind"], "early");

    let score = app
        .score_when(venue_id, |s| s["tier_source"] == "rules")
        .await;
    assert_eq!(score["tier"], computed.as_str(), "{score}");
    let items = history(&app, venue_id).await;
    assert_eq!(items[0]["source"], "rules");
    assert_eq!(items[1]["source"], "override");

    // Nothing is in force any more.
    let (status, problem) = end(&app, venue_id, Some(ADMIN_TOKEN), json!({"reason": "再次"})).await;
    assert_eq!(status, 409, "{problem}");
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("/no-tier-override")
    );
    assert_eq!(audited(&app, "venue.tier_override_end").await, 1);
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let venue_id = app.hotel().await["id"].as_i64().unwrap();
    let today = app.clock.today().to_string();
    let ok_end = day_after(&app, 5);
    let too_far = (app.clock.today() + chrono::Months::new(24) + Duration::days(1)).to_string();
    let long = "理".repeat(501);
    let cases = [
        (
            json!({"tier": "E", "reason": REASON, "ends_on": ok_end}),
            "invalid-tier",
        ),
        (
            json!({"tier": "a", "reason": REASON, "ends_on": ok_end}),
            "invalid-tier",
        ),
        (
            json!({"tier": "", "reason": REASON, "ends_on": ok_end}),
            "invalid-tier",
        ),
        (
            json!({"tier": "C", "reason": " \n ", "ends_on": ok_end}),
            "reason-required",
        ),
        (
            json!({"tier": "C", "reason": long, "ends_on": ok_end}),
            "text-too-long",
        ),
        (
            json!({"tier": "C", "reason": "整改\u{0}", "ends_on": ok_end}),
            "control-character",
        ),
        (
            json!({"tier": "C", "reason": "整改\u{202E}", "ends_on": ok_end}),
            "control-character",
        ),
        (
            json!({"tier": "C", "reason": REASON, "ends_on": today}),
            "ends-on-not-after-today",
        ),
        (
            json!({"tier": "C", "reason": REASON, "ends_on": "2020-01-01"}),
            "ends-on-not-after-today",
        ),
        (
            json!({"tier": "C", "reason": REASON, "ends_on": too_far}),
            "ends-on-too-far",
        ),
        (
            json!({"tier": "C", "reason": REASON, "ends_on": "2027/01/01"}),
            "invalid-date",
        ),
        (
            json!({"tier": "C", "reason": REASON, "ends_on": "2027-02-30"}),
            "invalid-date",
        ),
    ];
    for (body, slug) in cases {
        let (status, problem) = set(&app, venue_id, Some(ADMIN_TOKEN), body.clone()).await;
        assert_eq!(status, 422, "{body} → {problem}");
        assert!(
            problem["type"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/{slug}")),
            "{body} → {problem}"
        );
    }
    // Wrong shapes: a missing or unknown field, a number for a string, not JSON.
    for body in [
        json!({"tier": "C", "reason": REASON}),
        json!({"tier": "C", "reason": REASON, "ends_on": ok_end, "extra": 1}),
        json!({"tier": 3, "reason": REASON, "ends_on": ok_end}),
    ] {
        let (status, problem) = set(&app, venue_id, Some(ADMIN_TOKEN), body.clone()).await;
        assert!(matches!(status, 400 | 422), "{body} → {status} {problem}");
    }
    let response = app
        .client
        .post(format!("{}{}", app.address, path(venue_id)))
        .bearer_auth(ADMIN_TOKEN)
        .header("content-type", "application/json")
        .body("{\"tier\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let (status, _) = set(
        &app,
        999_999,
        Some(ADMIN_TOKEN),
        json!({"tier": "C", "reason": REASON, "ends_on": ok_end}),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(app.count("tier_overrides").await, 0);

    // Ending: a bad reason is refused before anything else.
    let (status, stored) = set(
        &app,
        venue_id,
        Some(ADMIN_TOKEN),
        json!({"tier": "C", "reason": REASON, "ends_on": ok_end}),
    )
    .await;
    assert_eq!(status, 201, "{stored}");
    for body in [
        json!({"reason": ""}),
        json!({"reason": "理".repeat(501)}),
        json!({}),
    ] {
        let (status, problem) = end(&app, venue_id, Some(ADMIN_TOKEN), body.clone()).await;
        assert!(matches!(status, 400 | 422), "{body} → {status} {problem}");
    }
    let open: i64 =
        sqlx::query_scalar("SELECT count(*) FROM tier_overrides WHERE ended_at IS NULL")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(open, 1, "a refused end leaves the override in force");
    assert_eq!(audited(&app, "venue.tier_override_set").await, 1);
    assert_eq!(audited(&app, "venue.tier_override_end").await, 0);
}

#[tokio::test]
async fn the_json_routes_answer_each_role_by_its_scope() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    let bayingolin = app
        .api_token(json!({"name": "巴州", "role": "regulator", "region_code": "652800"}))
        .await;
    let changji = app
        .api_token(json!({"name": "昌吉", "role": "regulator", "region_code": "652300"}))
        .await;
    let desk = app
        .api_token(json!({"name": "desk", "role": "venue_staff", "venue_ids": [venue_id]}))
        .await;
    let body = json!({"tier": "C", "reason": REASON, "ends_on": day_after(&app, 30)});
    let stop = json!({"reason": "复查合格"});

    // Anonymous, venue staff and a regulator elsewhere may not set or end.
    assert_eq!(set(&app, venue_id, None, body.clone()).await.0, 401);
    assert_eq!(
        set(&app, venue_id, Some(desk.as_str()), body.clone())
            .await
            .0,
        403
    );
    assert_eq!(
        set(&app, venue_id, Some(changji.as_str()), body.clone())
            .await
            .0,
        404
    );
    assert_eq!(app.count("tier_overrides").await, 0);

    // The regulator over the venue sets one; the others may not end it.
    assert_eq!(
        set(&app, venue_id, Some(bayingolin.as_str()), body.clone())
            .await
            .0,
        201
    );
    assert_eq!(end(&app, venue_id, None, stop.clone()).await.0, 401);
    assert_eq!(
        end(&app, venue_id, Some(desk.as_str()), stop.clone())
            .await
            .0,
        403
    );
    assert_eq!(
        end(&app, venue_id, Some(changji.as_str()), stop.clone())
            .await
            .0,
        404
    );
    let open: i64 =
        sqlx::query_scalar("SELECT count(*) FROM tier_overrides WHERE ended_at IS NULL")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(open, 1);
    // The regulator over it ends it; an admin sets and ends another.
    assert_eq!(
        end(&app, venue_id, Some(bayingolin.as_str()), stop.clone())
            .await
            .0,
        200
    );
    assert_eq!(set(&app, venue_id, Some(ADMIN_TOKEN), body).await.0, 201);
    assert_eq!(end(&app, venue_id, Some(ADMIN_TOKEN), stop).await.0, 200);
    assert_eq!(audited(&app, "venue.tier_override_set").await, 2);
    assert_eq!(audited(&app, "venue.tier_override_end").await, 2);

    // Both are in the OpenAPI document.
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    let item = &doc["paths"]["/api/v1/venues/{id}/tier-override"];
    assert!(
        item["post"].is_object() && item["delete"].is_object(),
        "{item}"
    );
}

async fn person(
    app: &TestApp,
    login: &str,
    role: &str,
    region: Option<&str>,
    venues: &[i64],
) -> Person {
    app.create_person(login, role, region, venues).await;
    app.sign_in(login).await
}

fn form_path(venue_id: i64) -> String {
    format!("/console/venues/{venue_id}/tier-override?lang=en")
}

fn end_path(venue_id: i64) -> String {
    format!("/console/venues/{venue_id}/tier-override/end?lang=en")
}

#[tokio::test]
async fn the_console_form_sets_and_ends_an_override_and_says_why_beside_each_field() {
    let app = spawn_app().await;
    let (venue_id, computed) = graded_venue(&app).await;
    let tier = other_than(&computed);
    let korla = person(&app, "korla", "regulator", Some("652801"), &[]).await;
    let page = korla
        .get_page(&format!("/console/venues/{venue_id}?lang=en"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.exists("#tier-override-form"), "{page:?}");
    assert!(page.exists("#tier-override-none"));

    // Every field wrong: each says why beside itself, nothing is stored.
    let refused = korla
        .post_page(
            &form_path(venue_id),
            &[
                ("tier", ""),
                ("reason", "  "),
                ("ends_on", &app.clock.today().to_string()),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{refused:?}");
    assert_eq!(
        refused.select_text("#override-tier-error"),
        "Choose one of the tiers A, B, C or D."
    );
    assert!(refused.exists("#override-reason-error"));
    assert_eq!(
        refused.select_text("#override-ends-on-error"),
        "The end date must lie after today."
    );
    // In the visitor's language.
    let refused_zh = korla
        .post_page(
            &format!("/console/venues/{venue_id}/tier-override?lang=zh-CN"),
            &[("tier", "C"), ("reason", REASON), ("ends_on", "2099-01-01")],
        )
        .await;
    assert_eq!(refused_zh.status, 422);
    assert_eq!(
        refused_zh.select_text("#override-ends-on-error"),
        "结束日期最多为 24 个月之后。"
    );
    assert_eq!(
        refused_zh.form_value("#override-reason"),
        REASON,
        "kept as typed"
    );
    // Without the form token.
    let forged = korla
        .post_exact(
            &form_path(venue_id),
            &[
                ("tier", tier),
                ("reason", REASON),
                ("ends_on", &day_after(&app, 7)),
            ],
        )
        .await;
    assert_eq!(forged.status(), 403);
    assert_eq!(app.count("tier_overrides").await, 0);
    assert_eq!(audited(&app, "venue.tier_override_set").await, 0);

    // A good one.
    let ends_on = day_after(&app, 7);
    let done = korla
        .post_page(
            &form_path(venue_id),
            &[("tier", tier), ("reason", REASON), ("ends_on", &ends_on)],
        )
        .await;
    assert_eq!(done.status, 303, "{done:?}");
    assert_eq!(
        done.location,
        format!("/console/venues/{venue_id}?notice=tier-override-set&lang=en#tier-override-panel")
    );
    app.score_when(venue_id, |s| s["tier_source"] == "override")
        .await;
    let page = korla.get_page(&done.location).await;
    assert!(page.says("The tier is set by hand."));
    let current = page.select_text("#tier-override-current");
    assert!(current.contains(&ends_on), "{current}");
    assert!(current.contains("korla"), "{current}");
    assert_eq!(page.select_text("#tier-override-reason"), REASON);
    assert_eq!(page.select_text("#venue-tier"), tier);
    assert!(page.select_text("#tier-override-note").contains(&ends_on));
    let (_, rows) = crate::console::html_table(&page.body, "tier-history");
    let source = rows[0].last().unwrap();
    assert!(
        source.contains("Set by hand by") && source.contains(REASON),
        "{rows:?}"
    );

    // Ending it early: the reason is required, beside its field.
    let refused = korla
        .post_page(&end_path(venue_id), &[("reason", "")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.exists("#override-end-reason-error"));
    let ended = korla
        .post_page(&end_path(venue_id), &[("reason", "复查合格")])
        .await;
    assert_eq!(ended.status, 303, "{ended:?}");
    app.score_when(venue_id, |s| s["tier_source"] == "rules")
        .await;
    let page = korla.get_page(&ended.location).await;
    assert!(page.exists("#tier-override-none"));
    assert_eq!(page.select_text("#venue-tier"), computed.as_str());
    // Ending again: nothing is in force, said on the page.
    let again = korla
        .post_page(&end_path(venue_id), &[("reason", "复查合格")])
        .await;
    assert_eq!(again.status, 422);
    assert_eq!(
        again.select_text("#tier-override-error"),
        "The tier is not set by hand at the moment."
    );
    assert_eq!(audited(&app, "venue.tier_override_set").await, 1);
    assert_eq!(audited(&app, "venue.tier_override_end").await, 1);
}

#[tokio::test]
async fn the_console_forms_answer_each_role_by_its_scope() {
    let app = spawn_app().await;
    let venue_id = app.hotel().await["id"].as_i64().unwrap();
    let fields = |ends_on: &str| {
        vec![
            ("tier".to_owned(), "C".to_owned()),
            ("reason".to_owned(), REASON.to_owned()),
            ("ends_on".to_owned(), ends_on.to_owned()),
        ]
    };
    let ends_on = day_after(&app, 14);
    let owned = fields(&ends_on);
    let set_fields: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let stop = [("reason", "复查合格")];

    // Anonymous: sent to sign in.
    for path in [form_path(venue_id), end_path(venue_id)] {
        let response = app
            .client
            .post(format!("{}{path}", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("tier=C&reason=x&ends_on=2030-01-01")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(response.headers()["location"], "/login");
    }
    // Venue staff, even of this venue: not for their role.
    let staff = person(&app, "desk", "venue_staff", None, &[venue_id]).await;
    assert_eq!(
        staff
            .post_form(&form_path(venue_id), &set_fields)
            .await
            .status(),
        403
    );
    assert_eq!(
        staff.post_form(&end_path(venue_id), &stop).await.status(),
        403
    );
    // A regulator of another region: the venue is not found.
    let changji = person(&app, "cj-reg", "regulator", Some("652300"), &[]).await;
    assert_eq!(
        changji
            .post_form(&form_path(venue_id), &set_fields)
            .await
            .status(),
        404
    );
    assert_eq!(app.count("tier_overrides").await, 0);

    // The regulator over it sets; the one elsewhere may not end it.
    let korla = person(&app, "korla", "regulator", Some("652801"), &[]).await;
    assert_eq!(
        korla
            .post_form(&form_path(venue_id), &set_fields)
            .await
            .status(),
        303
    );
    assert_eq!(
        changji.post_form(&end_path(venue_id), &stop).await.status(),
        404
    );
    assert_eq!(
        staff.post_form(&end_path(venue_id), &stop).await.status(),
        403
    );
    assert_eq!(
        korla.post_form(&end_path(venue_id), &stop).await.status(),
        303
    );
    // An admin sets and ends another.
    let root = person(&app, "root", "admin", None, &[]).await;
    assert_eq!(
        root.post_form(&form_path(venue_id), &set_fields)
            .await
            .status(),
        303
    );
    assert_eq!(
        root.post_form(&end_path(venue_id), &stop).await.status(),
        303
    );
    assert_eq!(app.count("tier_overrides").await, 2);
    assert_eq!(audited(&app, "venue.tier_override_set").await, 2);
    assert_eq!(audited(&app, "venue.tier_override_end").await, 2);
}

#[tokio::test]
async fn the_refresher_finds_an_override_to_apply_or_end_without_a_queued_refresh() {
    let app = spawn_app().await;
    let (venue_id, computed) = graded_venue(&app).await;
    let tier = other_than(&computed);
    // Stored as another instance might leave it, with no refresh queued.
    sqlx::query(
        "INSERT INTO tier_overrides (venue_id, tier, reason, ends_on, set_by, set_at)
         VALUES ($1, $2, $3, $4, 'admin-token', now())",
    )
    .bind(venue_id)
    .bind(tier)
    .bind(REASON)
    .bind(app.clock.today() + Duration::days(3))
    .execute(&app.pool)
    .await
    .unwrap();
    let score = app.score_when(venue_id, |s| s["tier"] == tier).await;
    assert_eq!(score["tier_source"], "override", "{score}");
    sqlx::query(
        "UPDATE tier_overrides SET ended_at = now(), end_kind = 'early',
                ended_by = 'admin-token', end_reason = '复查合格'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let score = app
        .score_when(venue_id, |s| s["tier_source"] == "rules")
        .await;
    assert_eq!(score["tier"], computed.as_str(), "{score}");
}
