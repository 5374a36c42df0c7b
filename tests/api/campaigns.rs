//! Demonstration-unit campaigns (微笑新疆 示范单位推荐, regulators'
//! requirements section C): the quota file imported or refused row by row
//! with nothing written; proposals ranked by the campaign's weights with
//! their reasons; the gates (a violation or an upheld complaint in the
//! period, an award in an excluded year) each excluding a venue; the quota
//! holding under 50 concurrent confirmations; a swap needing its reason;
//! the two-level sign-off in order; the award writing the history the next
//! campaign's gate reads, the tier input and the quality list; the
//! ambassador's validation; the four forms read back; and every route
//! answering each role by its scope.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{Datelike, Duration, NaiveDate};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{ADMIN_TOKEN, ANONYMOUS, TestApp, call, spawn_app};

/// The prefecture's 2023 quota file, as the notice gives it.
const QUOTAS_2023: &str = include_str!("../../data/campaigns/demo-unit-quotas-bayingolin-2023.csv");

fn day(app: &TestApp, offset: i64) -> NaiveDate {
    app.clock.today() + Duration::days(offset)
}

/// A campaign body for Bayingolin's hotels: the last 90 days, lists open
/// for 30 more, the given weights and quota file.
fn campaign_body(app: &TestApp, year: i32, weights: [f64; 3], quotas: &str) -> Value {
    json!({
        "prefecture_code": "652800",
        "name": format!("{year}年“微笑新疆”示范单位推荐"),
        "year": year,
        "categories": ["hotel"],
        "deadline": day(app, 30).to_string(),
        "period_start": day(app, -90).to_string(),
        "period_end": day(app, 0).to_string(),
        "weights": {"environment": weights[0], "skill": weights[1], "attitude": weights[2]},
        "min_ratings": 5,
        "quotas_csv": quotas,
    })
}

async fn create(app: &TestApp, token: Option<&str>, body: Value) -> (u16, Value) {
    call(app, Method::POST, "/api/v1/campaigns", token, Some(body)).await
}

async fn created(app: &TestApp, body: Value) -> i64 {
    let (status, campaign) = create(app, Some(ADMIN_TOKEN), body).await;
    assert_eq!(status, 201, "{campaign}");
    campaign["id"].as_i64().unwrap()
}

async fn regulator(app: &TestApp, name: &str, region: &str) -> String {
    app.api_token(json!({"name": name, "role": "regulator", "region_code": region}))
        .await
}

async fn staff(app: &TestApp, venue_id: i64) -> String {
    app.api_token(json!({"name": format!("staff-{venue_id}"), "role": "venue_staff", "venue_ids": [venue_id]}))
        .await
}

/// A hotel in `region` with `n` ratings a day ago: mean stars per
/// dimension as given, `good` of them 4★ or better overall.
async fn rated_venue(
    app: &TestApp,
    name: &str,
    region: &str,
    n: i32,
    stars: [i32; 3],
    good: i32,
) -> i64 {
    let venue = app.create_venue(name, region, "hotel").await;
    let id = venue["id"].as_i64().unwrap();
    if n > 0 {
        add_ratings(app, id, day(app, -1), n, stars, good).await;
    }
    id
}

async fn add_ratings(
    app: &TestApp,
    venue_id: i64,
    on: NaiveDate,
    n: i32,
    stars: [i32; 3],
    good: i32,
) {
    let hist = |s: i32| -> Vec<i32> { (1..=5).map(|k| if k == s { n } else { 0 }).collect() };
    let overall: Vec<i32> = vec![0, 0, n - good, good, 0];
    sqlx::query(
        "INSERT INTO venue_day_stats (venue_id, day, ratings_count, overall_sum, overall_hist,
             environment_count, environment_sum, environment_hist, skill_count, skill_sum, skill_hist,
             attitude_count, attitude_sum, attitude_hist, complaints_count)
         VALUES ($1, $2, $3, $4, $5, $3, $6, $7, $3, $8, $9, $3, $10, $11, 0)",
    )
    .bind(venue_id)
    .bind(on)
    .bind(n)
    .bind(3 * (n - good) + 4 * good)
    .bind(&overall)
    .bind(stars[0] * n)
    .bind(hist(stars[0]))
    .bind(stars[1] * n)
    .bind(hist(stars[1]))
    .bind(stars[2] * n)
    .bind(hist(stars[2]))
    .execute(&app.pool)
    .await
    .unwrap();
}

async fn proposals(app: &TestApp, token: &str, id: i64, region: &str) -> Value {
    let (status, body) = call(
        app,
        Method::GET,
        &format!("/api/v1/campaigns/{id}/regions/{region}/proposals"),
        Some(token),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

fn ranked_ids(p: &Value) -> Vec<i64> {
    p["ranked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["venue_id"].as_i64().unwrap())
        .collect()
}

async fn nominate(app: &TestApp, token: &str, id: i64, region: &str, body: Value) -> (u16, Value) {
    call(
        app,
        Method::POST,
        &format!("/api/v1/campaigns/{id}/regions/{region}/nominations"),
        Some(token),
        Some(body),
    )
    .await
}

async fn post(app: &TestApp, token: Option<&str>, path: &str, body: Option<Value>) -> (u16, Value) {
    call(app, Method::POST, path, token, body).await
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

fn ends_with(problem: &Value, slug: &str) -> bool {
    problem["type"]
        .as_str()
        .is_some_and(|t| t.ends_with(&format!("/{slug}")))
}

#[tokio::test]
async fn the_notices_quota_file_imports_and_bad_rows_are_refused_with_nothing_written() {
    let app = spawn_app().await;
    let prefecture = regulator(&app, "巴州", "652800").await;
    let (status, campaign) = create(
        &app,
        Some(prefecture.as_str()),
        campaign_body(&app, 2023, [40.0, 30.0, 30.0], QUOTAS_2023),
    )
    .await;
    assert_eq!(status, 201, "{campaign}");
    let quotas = campaign["quotas"].as_array().unwrap();
    assert_eq!(quotas.len(), 10);
    let total: i64 = quotas.iter().map(|q| q["quota"].as_i64().unwrap()).sum();
    assert_eq!(total, 100, "the notice's hundred units");
    let of = |code: &str| {
        quotas
            .iter()
            .find(|q| q["region_code"] == code)
            .unwrap()
            .clone()
    };
    assert_eq!(of("652800")["quota"], 8);
    assert_eq!(of("652800")["note"], "prefecture-level units");
    assert_eq!(of("652801")["quota"], 35);
    assert_eq!(of("652801")["region_name"], "库尔勒市");
    assert_eq!(of("652825")["quota"], 5);
    assert_eq!(of("652801")["state"], "open");
    assert!((campaign["weights"]["environment"].as_f64().unwrap() - 0.4).abs() < 1e-9);
    assert!(
        campaign["created_by"]
            .as_str()
            .unwrap()
            .starts_with("token:")
    );
    // With a byte order mark, as a spreadsheet saves it.
    let (status, with_bom) = create(
        &app,
        Some(ADMIN_TOKEN),
        campaign_body(
            &app,
            2023,
            [0.4, 0.3, 0.3],
            &format!("\u{feff}{QUOTAS_2023}"),
        ),
    )
    .await;
    assert_eq!(status, 201, "{with_bom}");
    assert_eq!(with_bom["quotas"].as_array().unwrap().len(), 10);
    assert_eq!(audited(&app, "campaign.create").await, 2);

    // Every bad row named by row and column; nothing written.
    let bad = "region_code,name_zh,quota,note\n\
               652801,库尔勒市,35,\n\
               659999,无此地,3,\n\
               652301,昌吉市,3,\n\
               652801,库尔勒市,2,\n\
               652829,博湖县,0,\n\
               652827,和静县,two,\n";
    let (status, problem) = create(
        &app,
        Some(ADMIN_TOKEN),
        campaign_body(&app, 2023, [0.4, 0.3, 0.3], bad),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(ends_with(&problem, "invalid-quota-file"), "{problem}");
    let errors: Vec<(i64, String)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["column"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(i64, String)> = [
        (3, "region_code"),
        (4, "region_code"),
        (5, "region_code"),
        (6, "quota"),
        (7, "quota"),
    ]
    .into_iter()
    .map(|(r, c)| (r, c.to_owned()))
    .collect();
    assert_eq!(errors, expected, "{problem}");
    assert!(
        problem["errors"][1]["message"]
            .as_str()
            .unwrap()
            .contains("outside")
    );
    // A key and the values, for a client to say it in its own words.
    assert_eq!(problem["errors"][1]["kind"], "outside_prefecture");
    assert_eq!(problem["errors"][1]["values"]["prefecture"], "652800");
    assert!(problem["errors"][1]["values"]["code"].is_string());
    assert_eq!(app.count("campaigns").await, 2);
    assert_eq!(app.count("campaign_quotas").await, 20);
    assert_eq!(audited(&app, "campaign.create").await, 2);

    // Bad settings: weights that do not sum to 1, a reversed period, an
    // unknown category, a county as the prefecture.
    for (field, value, slug) in [
        (
            "weights",
            json!({"environment": 0.5, "skill": 0.5, "attitude": 0.5}),
            "invalid-campaign",
        ),
        (
            "period_end",
            json!(day(&app, -100).to_string()),
            "invalid-campaign",
        ),
        ("categories", json!(["castle"]), "invalid-campaign"),
        ("prefecture_code", json!("652801"), "invalid-campaign"),
        ("deadline", json!("2023-13-01"), "invalid-campaign"),
    ] {
        let mut body = campaign_body(&app, 2023, [0.4, 0.3, 0.3], QUOTAS_2023);
        body[field] = value;
        let (status, problem) = create(&app, Some(ADMIN_TOKEN), body).await;
        assert_eq!(status, 422, "{field}: {problem}");
        assert!(ends_with(&problem, slug), "{field}: {problem}");
    }
    assert_eq!(app.count("campaigns").await, 2);

    // Who may create: not a county, not another prefecture, not staff, not anonymous.
    let korla = regulator(&app, "库尔勒", "652801").await;
    let changji = regulator(&app, "昌吉", "652300").await;
    let province = regulator(&app, "新疆", "650000").await;
    let venue = app.hotel().await["id"].as_i64().unwrap();
    let desk = staff(&app, venue).await;
    let body = campaign_body(&app, 2023, [0.4, 0.3, 0.3], QUOTAS_2023);
    for (token, expected) in [
        (korla.as_str(), 403),
        (changji.as_str(), 403),
        (desk.as_str(), 403),
    ] {
        let (status, problem) = create(&app, Some(token), body.clone()).await;
        assert_eq!(status, expected, "{problem}");
    }
    assert_eq!(create(&app, ANONYMOUS, body.clone()).await.0, 401);
    assert_eq!(app.count("campaigns").await, 2);
    assert_eq!(create(&app, Some(province.as_str()), body).await.0, 201);
}

#[tokio::test]
async fn proposals_rank_by_the_weights_with_reasons_and_each_gate_excludes() {
    let app = spawn_app().await;
    // A: a fine environment; B: fine skill and attitude.
    let a = rated_venue(&app, "甲酒店", "652801", 10, [5, 3, 3], 8).await;
    let b = rated_venue(&app, "乙酒店", "652801", 10, [3, 5, 5], 8).await;
    // Three perfect ratings: not ranked, whatever the weights.
    let few = rated_venue(&app, "丙酒店", "652801", 3, [5, 5, 5], 3).await;
    // The same means as A with fewer good ratings: the tie goes to A.
    let tie = rated_venue(&app, "丁酒店", "652801", 10, [5, 3, 3], 2).await;
    // A violation in the period; another venue's before it.
    let violator = rated_venue(&app, "戊酒店", "652801", 10, [5, 5, 5], 10).await;
    let old_violator = rated_venue(&app, "己酒店", "652801", 10, [4, 4, 4], 10).await;
    // An upheld complaint (the venue at fault) about a service in the period.
    let complained_json = app.create_venue("庚酒店", "652801", "hotel").await;
    let complained = complained_json["id"].as_i64().unwrap();
    add_ratings(&app, complained, day(&app, -1), 10, [5, 5, 5], 10).await;
    // Awarded in 2021.
    let awarded = rated_venue(&app, "辛酒店", "652801", 10, [5, 5, 5], 10).await;
    // Another county's venue and another category: never in Korla's list.
    rated_venue(&app, "博湖酒店", "652829", 10, [5, 5, 5], 10).await;

    let in_period = day(&app, -10);
    for (venue, on) in [(violator, in_period), (old_violator, day(&app, -200))] {
        let (status, body) = call(
            &app,
            Method::POST,
            &format!("/api/v1/venues/{venue}/violations"),
            Some(ADMIN_TOKEN),
            Some(
                json!({"occurred_on": on.to_string(), "serious": false, "description": "价格欺诈"}),
            ),
        )
        .await;
        assert!(status == 201 || status == 200, "{body}");
    }
    let complaint_id = app
        .file_case(&complained_json, "c1", "强制购物", "13900000000")
        .await
        .0;
    sqlx::query(
        "UPDATE complaints SET upheld = true, venue_at_fault = true, verified_at = now(), service_on = $2
         WHERE id = $1",
    )
    .bind(complaint_id)
    .bind(in_period)
    .execute(&app.pool)
    .await
    .unwrap();

    let earlier = created(
        &app,
        campaign_body(&app, 2021, [0.4, 0.3, 0.3], "region_code,quota\n652801,3\n"),
    )
    .await;
    sqlx::query(
        "INSERT INTO demonstration_awards (venue_id, campaign_id, award_year, awarded_on, status_until, awarded_by, awarded_at)
         VALUES ($1, $2, 2021, '2021-06-01', '2023-01-01', 'admin-token', now())",
    )
    .bind(awarded)
    .bind(earlier)
    .execute(&app.pool)
    .await
    .unwrap();

    let prefecture = regulator(&app, "巴州", "652800").await;
    let quotas = "region_code,name_zh,quota,note\n652801,库尔勒市,2,\n";
    let mut by_environment = campaign_body(&app, 2023, [1.0, 0.0, 0.0], quotas);
    by_environment["excluded_award_years"] = json!([2021]);
    let env_id = created(&app, by_environment).await;
    let mut by_service = campaign_body(&app, 2023, [0.0, 50.0, 50.0], quotas);
    by_service["excluded_award_years"] = json!([2021]);
    let service_id = created(&app, by_service).await;

    let p = proposals(&app, &prefecture, env_id, "652801").await;
    assert_eq!(p["quota"], 2);
    let order = ranked_ids(&p);
    // Environment 5★ for A and the tie (A surer), old_violator 4★, B 3★.
    assert_eq!(order, vec![a, tie, old_violator, b], "{p}");
    let first = &p["ranked"][0];
    assert_eq!(first["rank"], 1);
    assert_eq!(first["score_0_100"], 100.0);
    assert_eq!(first["parts"]["environment"]["score_0_100"], 100.0);
    assert_eq!(first["parts"]["environment"]["weight"], 1.0);
    assert_eq!(first["parts"]["skill"]["contribution"], 0.0);
    assert_eq!(first["ratings"], 10);
    assert_eq!(
        first["gates_passed"],
        json!(["no_violation", "no_upheld_complaint", "not_awarded_before"])
    );
    assert!(first["confidence"].as_f64().unwrap() > p["ranked"][1]["confidence"].as_f64().unwrap());
    assert_eq!(first["within_quota"], true);
    assert_eq!(p["ranked"][1]["within_quota"], true);
    assert_eq!(p["ranked"][2]["within_quota"], false);
    // Too few ratings: eligible, not ranked, with why.
    assert_eq!(p["unranked"][0]["venue_id"], few);
    assert!(
        p["unranked"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("3 ratings")
    );
    // Each gate excludes, with its fact.
    let excluded = |venue: i64| {
        p["excluded"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["venue_id"] == venue)
            .unwrap_or_else(|| panic!("{venue} excluded: {p}"))["reasons"][0]
            .clone()
    };
    let v = excluded(violator);
    assert_eq!(v["gate"], "violation");
    assert_eq!(v["occurred_on"], in_period.to_string());
    assert_eq!(v["text"], format!("violation on {in_period}"));
    let c = excluded(complained);
    assert_eq!(c["gate"], "upheld_complaint");
    assert_eq!(c["complaint_id"], complaint_id);
    let w = excluded(awarded);
    assert_eq!(w["gate"], "awarded_before");
    assert_eq!(w["award_year"], 2021);
    assert_eq!(w["text"], "awarded in 2021");
    assert_eq!(p["excluded"].as_array().unwrap().len(), 3);

    // Skill and attitude only: B first.
    let p = proposals(&app, &prefecture, service_id, "652801").await;
    assert_eq!(ranked_ids(&p)[0], b, "{p}");
    assert_eq!(ranked_ids(&p)[1], old_violator, "{p}");

    // An excluded venue cannot be confirmed, even by hand; one outside the
    // region neither; a violation before the period leaves a venue eligible.
    let (status, problem) = nominate(
        &app,
        &prefecture,
        env_id,
        "652801",
        json!({"venue_id": violator}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(ends_with(&problem, "venue-not-eligible"));
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains(&in_period.to_string())
    );
    let (status, added) = nominate(
        &app,
        &prefecture,
        env_id,
        "652801",
        json!({"venue_id": old_violator, "reason": "群众口碑好"}),
    )
    .await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(added["kind"], "added");
    assert_eq!(added["rank"], 3);
}

#[tokio::test]
async fn fifty_concurrent_confirmations_never_exceed_the_quota() {
    let app = spawn_app().await;
    let mut venues = Vec::new();
    for i in 0..50 {
        venues.push(rated_venue(&app, &format!("酒店{i:02}"), "652801", 6, [5, 4, 4], 5).await);
    }
    let id = created(
        &app,
        campaign_body(
            &app,
            2023,
            [0.4, 0.3, 0.3],
            "region_code,quota\n652801,7\n652829,2\n",
        ),
    )
    .await;
    let korla = regulator(&app, "库尔勒", "652801").await;
    let mut tasks = Vec::new();
    for venue in &venues {
        let address = app.address.clone();
        let token = korla.clone();
        let venue = *venue;
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!(
                    "{address}/api/v1/campaigns/{id}/regions/652801/nominations"
                ))
                .bearer_auth(token)
                .json(&json!({"venue_id": venue, "reason": "并发确认"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    let accepted = statuses.iter().filter(|s| **s == 201).count();
    let full = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!(accepted, 7, "{statuses:?}");
    assert_eq!(full, 43, "{statuses:?}");
    let confirmed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM campaign_nominations WHERE campaign_id = $1 AND state = 'confirmed'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(confirmed, 7);
    let counter: i32 = sqlx::query_scalar(
        "SELECT confirmed FROM campaign_quotas WHERE campaign_id = $1 AND region_code = '652801'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(counter, 7);
    assert_eq!(audited(&app, "campaign.nominate").await, 7);
    let (_, p) = call(
        &app,
        Method::GET,
        &format!("/api/v1/campaigns/{id}/regions/652801/proposals"),
        Some(korla.as_str()),
        None,
    )
    .await;
    assert_eq!(p["confirmed"], 7);
}

/// Sets a venue's particulars for the forms.
async fn particulars(app: &TestApp, venue: i64, person: &str, phone: &str, address: &str) {
    let (status, body) = call(
        app,
        Method::PATCH,
        &format!("/api/v1/venues/{venue}"),
        Some(ADMIN_TOKEN),
        Some(
            json!({"unit_type": "private", "person_in_charge": person, "phone": phone,
                    "staff_count": 42, "founded_on": "2008-05-01", "address": address}),
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

fn deeds(chars: usize) -> String {
    "热情服务微笑待客".chars().cycle().take(chars).collect()
}

fn workbook(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes)).unwrap()
}

fn cell(rows: &[&[Data]], r: usize, c: usize) -> String {
    rows.get(r)
        .and_then(|row| row.get(c))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

async fn download(app: &TestApp, token: &str, path: &str) -> Vec<u8> {
    let response = app.get_as(token, path).await;
    assert_eq!(response.status(), 200, "{path}");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml"),
        "{path}"
    );
    response.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn a_swap_needs_a_reason_the_sign_off_goes_in_order_and_the_award_counts_everywhere() {
    let app = spawn_app().await;
    let a = rated_venue(&app, "甲酒店", "652801", 20, [5, 5, 5], 20).await;
    let b = rated_venue(&app, "乙酒店", "652801", 20, [5, 5, 4], 20).await;
    let c = rated_venue(&app, "丙酒店", "652801", 20, [4, 4, 4], 20).await;
    let p_unit = rated_venue(&app, "州直宾馆", "652800", 20, [5, 5, 5], 20).await;
    for (venue, person) in [(a, "张三"), (b, "李四"), (c, "王五"), (p_unit, "赵六")] {
        particulars(
            &app,
            venue,
            person,
            "0996-2022222",
            &format!("库尔勒市人民路{venue}号"),
        )
        .await;
    }
    let quotas = "region_code,name_zh,quota,note\n652800,州直,1,\n652801,库尔勒市,2,\n";
    // This year's campaign: its award holds through next year.
    let year = app.clock.today().year();
    let id = created(&app, campaign_body(&app, year, [0.4, 0.3, 0.3], quotas)).await;
    let prefecture = regulator(&app, "巴州", "652800").await;
    let korla = regulator(&app, "库尔勒", "652801").await;
    let base = format!("/api/v1/campaigns/{id}");

    // The county confirms the first proposal, then swaps it for B: the
    // reason is required.
    let (status, first) = nominate(&app, &korla, id, "652801", json!({"venue_id": a})).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["kind"], "proposed");
    assert_eq!(first["rank"], 1);
    let (status, problem) = nominate(
        &app,
        &korla,
        id,
        "652801",
        json!({"venue_id": b, "replaces_venue_id": a}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(ends_with(&problem, "reason-required"));
    let (status, problem) = nominate(
        &app,
        &korla,
        id,
        "652801",
        json!({"venue_id": b, "replaces_venue_id": a, "reason": "   "}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    let (status, swapped) = nominate(
        &app,
        &korla,
        id,
        "652801",
        json!({"venue_id": b, "replaces_venue_id": a, "reason": "甲酒店正在装修，暂停营业"}),
    )
    .await;
    assert_eq!(status, 201, "{swapped}");
    assert_eq!(swapped["kind"], "swap");
    assert_eq!(swapped["replaces_venue_id"], a);
    assert_eq!(swapped["reason"], "甲酒店正在装修，暂停营业");
    // C was ranked third: an addition. Then the quota is full.
    let (status, added) = nominate(
        &app,
        &korla,
        id,
        "652801",
        json!({"venue_id": c, "deeds": deeds(320)}),
    )
    .await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(added["kind"], "added");
    assert_eq!(added["deeds_written"], true);
    let (status, problem) = nominate(&app, &korla, id, "652801", json!({"venue_id": a})).await;
    assert_eq!(status, 409, "{problem}");
    assert!(ends_with(&problem, "quota-reached"));
    let (_, listed) = call(
        &app,
        Method::GET,
        &format!("{base}/nominations?with_removed=true"),
        Some(korla.as_str()),
        None,
    )
    .await;
    let state_of = |v: i64| {
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["venue_id"] == v)
            .unwrap()["state"]
            .clone()
    };
    assert_eq!(state_of(a), "removed");
    assert_eq!(state_of(b), "confirmed");

    // Order: no award, no review before the county submits; a county
    // cannot review.
    let (status, problem) = post(&app, Some(&prefecture), &format!("{base}/award"), None).await;
    assert_eq!(status, 409, "{problem}");
    assert!(ends_with(&problem, "campaign-not-signed-off"));
    let review = format!("{base}/regions/652801/review");
    let (status, problem) = post(
        &app,
        Some(&prefecture),
        &review,
        Some(json!({"decision": "confirmed"})),
    )
    .await;
    assert_eq!(status, 409, "{problem}");
    assert!(ends_with(&problem, "campaign-list-not-submitted"));
    let (status, _) = post(
        &app,
        Some(&korla),
        &format!("{base}/regions/652801/submit"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, problem) = post(
        &app,
        Some(&korla),
        &review,
        Some(json!({"decision": "confirmed"})),
    )
    .await;
    assert_eq!(status, 403, "{problem}");
    // A submitted list does not change.
    let (status, problem) = post(
        &app,
        Some(&korla),
        &format!("{base}/regions/652801/nominations/{c}/remove"),
        Some(json!({"reason": "撤回"})),
    )
    .await;
    assert_eq!(status, 409, "{problem}");
    assert!(ends_with(&problem, "campaign-list-not-open"));
    // Sent back with a reason (required), changed, submitted again, confirmed.
    let (status, _) = post(
        &app,
        Some(&prefecture),
        &review,
        Some(json!({"decision": "sent_back"})),
    )
    .await;
    assert_eq!(status, 422);
    let (status, back) = post(
        &app,
        Some(&prefecture),
        &review,
        Some(json!({"decision": "sent_back", "reason": "请补充丙酒店材料"})),
    )
    .await;
    assert_eq!(status, 200, "{back}");
    let korla_quota = back["quotas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["region_code"] == "652801")
        .unwrap()
        .clone();
    assert_eq!(korla_quota["state"], "sent_back");
    assert_eq!(korla_quota["sent_back_reason"], "请补充丙酒店材料");
    assert_eq!(
        post(
            &app,
            Some(&korla),
            &format!("{base}/regions/652801/submit"),
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(
        post(
            &app,
            Some(&prefecture),
            &review,
            Some(json!({"decision": "confirmed"}))
        )
        .await
        .0,
        200
    );
    // The prefecture-level list is the prefecture's own.
    assert_eq!(
        nominate(&app, &prefecture, id, "652800", json!({"venue_id": p_unit}))
            .await
            .0,
        201
    );
    assert_eq!(
        nominate(&app, &korla, id, "652800", json!({"venue_id": p_unit}))
            .await
            .0,
        403
    );
    assert_eq!(
        post(
            &app,
            Some(&prefecture),
            &format!("{base}/regions/652800/submit"),
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(
        post(
            &app,
            Some(&prefecture),
            &format!("{base}/regions/652800/review"),
            Some(json!({"decision": "confirmed"}))
        )
        .await
        .0,
        200
    );
    assert_eq!(audited(&app, "campaign.submit").await, 3);
    assert_eq!(audited(&app, "campaign.review").await, 3);

    // Ambassadors: validated; the venue's staff name theirs.
    let desk = staff(&app, b).await;
    let other_desk = staff(&app, p_unit).await;
    let ambassador = |chars: usize| json!({"name": "古丽", "post": "前台接待", "phone": "13912345678", "address": "库尔勒市人民路1号", "deeds": deeds(chars)});
    let path = format!("{base}/nominations/{b}/ambassador");
    let (status, problem) = call(
        &app,
        Method::PUT,
        &path,
        Some(desk.as_str()),
        Some(ambassador(299)),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(ends_with(&problem, "invalid-deeds"));
    let (status, problem) = call(
        &app,
        Method::PUT,
        &path,
        Some(desk.as_str()),
        Some(ambassador(501)),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    let mut no_name = ambassador(300);
    no_name["name"] = json!("");
    assert!(ends_with(
        &call(&app, Method::PUT, &path, Some(desk.as_str()), Some(no_name))
            .await
            .1,
        "invalid-ambassador"
    ));
    let mut bad_phone = ambassador(300);
    bad_phone["phone"] = json!("call me");
    assert_eq!(
        call(
            &app,
            Method::PUT,
            &path,
            Some(desk.as_str()),
            Some(bad_phone)
        )
        .await
        .0,
        422
    );
    assert_eq!(
        call(
            &app,
            Method::PUT,
            &path,
            Some(other_desk.as_str()),
            Some(ambassador(300))
        )
        .await
        .0,
        404
    );
    assert_eq!(
        call(&app, Method::PUT, &path, ANONYMOUS, Some(ambassador(300)))
            .await
            .0,
        401
    );
    assert_eq!(audited(&app, "campaign.ambassador").await, 0);
    let (status, named) = call(
        &app,
        Method::PUT,
        &path,
        Some(desk.as_str()),
        Some(ambassador(300)),
    )
    .await;
    assert_eq!(status, 200, "{named}");
    assert_eq!(named["ambassador_name"], "古丽");
    let (status, _) = call(
        &app,
        Method::PUT,
        &format!("{base}/nominations/{b}/deeds"),
        Some(desk.as_str()),
        Some(json!({"deeds": deeds(100)})),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = call(
        &app,
        Method::PUT,
        &format!("{base}/nominations/{b}/deeds"),
        Some(desk.as_str()),
        Some(json!({"deeds": deeds(400)})),
    )
    .await;
    assert_eq!(status, 200);
    // A venue swapped out has no nomination to name an ambassador for.
    assert_eq!(
        call(
            &app,
            Method::PUT,
            &format!("{base}/nominations/{a}/ambassador"),
            Some(ADMIN_TOKEN),
            Some(ambassador(300))
        )
        .await
        .0,
        404
    );

    // The forms, read back.
    let summary = download(
        &app,
        &prefecture,
        &format!(
            "{base}/forms/unit-summary.xlsx?person=%E9%A9%AC%E5%BF%97%E5%BC%BA&phone=0996-2011111"
        ),
    )
    .await;
    let mut book = workbook(summary);
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(cell(&rows, 0, 0), "“微笑新疆”示范单位推荐汇总表");
    assert_eq!(cell(&rows, 1, 0), "填报单位：巴音郭楞蒙古自治州");
    assert_eq!(cell(&rows, 1, 2), "填报人：马志强");
    assert_eq!(cell(&rows, 1, 3), "联系电话：0996-2011111");
    let header: Vec<String> = (0..5).map(|c| cell(&rows, 2, c)).collect();
    assert_eq!(
        header,
        ["序号", "单位名称", "单位地址", "联系人", "联系电话"]
    );
    let names: Vec<String> = (3..rows.len()).map(|r| cell(&rows, r, 1)).collect();
    assert_eq!(names, ["州直宾馆", "乙酒店", "丙酒店"]);
    assert_eq!(cell(&rows, 3, 0), "1");
    assert_eq!(cell(&rows, 4, 2), format!("库尔勒市人民路{b}号"));
    assert_eq!(cell(&rows, 4, 3), "李四");
    assert_eq!(cell(&rows, 4, 4), "0996-2022222");
    // The county's own copy holds its own units and names it.
    let county = download(&app, &korla, &format!("{base}/forms/unit-summary.xlsx")).await;
    let mut book = workbook(county);
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(cell(&rows, 1, 0), "填报单位：库尔勒市");
    assert_eq!(rows.len(), 5);

    let forms = download(
        &app,
        &prefecture,
        &format!("{base}/forms/unit-recommendations.xlsx"),
    )
    .await;
    let mut book = workbook(forms);
    assert_eq!(book.sheet_names().len(), 3);
    let sheet = book.worksheet_range_at(2).unwrap().unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(cell(&rows, 0, 0), "“微笑新疆”示范单位推荐表");
    let field = |label: &str| {
        let r = (0..rows.len())
            .find(|r| cell(&rows, *r, 0) == label)
            .unwrap_or_else(|| panic!("{label}"));
        cell(&rows, r, 1)
    };
    assert_eq!(field("单位名称"), "丙酒店");
    assert_eq!(field("单位性质"), "私企");
    assert_eq!(field("负责人"), "王五");
    assert_eq!(field("员工人数"), "42");
    assert_eq!(field("设立时间"), "2008-05-01");
    assert_eq!(field("主要事迹"), deeds(320));
    let today = app.clock.today().format("%Y年%m月%d日").to_string();
    assert_eq!(field("县市意见"), format!("同意推荐（{today}）"));
    assert_eq!(field("州意见"), format!("同意（{today}）"));

    let forms = download(
        &app,
        &prefecture,
        &format!("{base}/forms/ambassador-recommendations.xlsx"),
    )
    .await;
    let mut book = workbook(forms);
    assert_eq!(book.sheet_names().len(), 1);
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(cell(&rows, 0, 0), "“微笑新疆”服务形象大使推荐表");
    let labels: Vec<String> = (1..rows.len()).map(|r| cell(&rows, r, 0)).collect();
    assert_eq!(
        labels,
        [
            "姓名",
            "单位名称",
            "从事岗位",
            "联系电话",
            "地址",
            "主要事迹",
            "县市意见",
            "州意见"
        ]
    );
    assert_eq!(cell(&rows, 1, 1), "古丽");
    assert_eq!(cell(&rows, 2, 1), "乙酒店");
    assert_eq!(cell(&rows, 3, 1), "前台接待");
    assert_eq!(cell(&rows, 6, 1), deeds(300));

    let forms = download(
        &app,
        &prefecture,
        &format!("{base}/forms/ambassador-summary.xlsx"),
    )
    .await;
    let mut book = workbook(forms);
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    let header: Vec<String> = (0..5).map(|c| cell(&rows, 2, c)).collect();
    assert_eq!(header, ["序号", "姓名", "地址", "联系人", "联系电话"]);
    let row: Vec<String> = (0..5).map(|c| cell(&rows, 3, c)).collect();
    assert_eq!(
        row,
        ["1", "古丽", "库尔勒市人民路1号", "李四", "13912345678"]
    );
    assert_eq!(rows.len(), 4);
    assert_eq!(
        app.get_as(&prefecture, &format!("{base}/forms/other.xlsx"))
            .await
            .status(),
        404
    );

    // The award: history, the tier input, the quality list.
    let (status, award) = post(&app, Some(&korla), &format!("{base}/award"), None).await;
    assert_eq!(status, 403, "{award}");
    let (status, award) = post(&app, Some(&prefecture), &format!("{base}/award"), None).await;
    assert_eq!(status, 200, "{award}");
    let mut awarded: Vec<i64> = award["venue_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    awarded.sort_unstable();
    let mut expected = vec![b, c, p_unit];
    expected.sort_unstable();
    assert_eq!(awarded, expected);
    assert_eq!(award["status_until"], format!("{}-01-01", year + 2));
    assert_eq!(app.count("demonstration_awards").await, 3);
    assert_eq!(audited(&app, "campaign.award").await, 1);
    let (status, problem) = post(&app, Some(&prefecture), &format!("{base}/award"), None).await;
    assert_eq!(status, 409, "{problem}");
    assert!(ends_with(&problem, "campaign-awarded"));
    assert_eq!(
        nominate(&app, &korla, id, "652801", json!({"venue_id": a}))
            .await
            .0,
        409
    );

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let input = loop {
        let input: Option<Value> = sqlx::query_scalar(
            "SELECT tier_inputs -> 'demonstration_unit' FROM venue_scores WHERE venue_id = $1",
        )
        .bind(b)
        .fetch_optional(&app.pool)
        .await
        .unwrap()
        .flatten();
        if input == Some(json!(true)) || std::time::Instant::now() > deadline {
            break input;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(input, Some(json!(true)), "the tier input follows the award");

    let list: Value = app.get("/api/v1/lists/quality").await.json().await.unwrap();
    let demo: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["basis"] == "demonstration_unit")
        .map(|i| i["venue_id"].as_i64().unwrap())
        .collect();
    assert_eq!(demo.len(), 3, "{list}");
    assert!(demo.contains(&b) && demo.contains(&p_unit));
    let page = app.get("/lists/quality").await.text().await.unwrap();
    assert!(page.contains("乙酒店"));

    // The next campaign's gate reads the history.
    let mut next = campaign_body(&app, year + 2, [0.4, 0.3, 0.3], quotas);
    next["excluded_award_years"] = json!([year]);
    let next_id = created(&app, next).await;
    let p = proposals(&app, &prefecture, next_id, "652801").await;
    assert_eq!(ranked_ids(&p), vec![a], "{p}");
    let reasons: Vec<(i64, Value)> = p["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["venue_id"].as_i64().unwrap(),
                e["reasons"][0]["award_year"].clone(),
            )
        })
        .collect();
    assert!(
        reasons.contains(&(b, json!(year))) && reasons.contains(&(c, json!(year))),
        "{p}"
    );
}

#[tokio::test]
async fn every_campaign_route_answers_each_role_by_its_scope() {
    let app = spawn_app().await;
    let korla_venue = rated_venue(&app, "甲酒店", "652801", 10, [5, 5, 5], 10).await;
    let bohu_venue = rated_venue(&app, "博湖酒店", "652829", 10, [5, 5, 5], 10).await;
    let quotas = "region_code,quota\n652801,2\n652829,2\n";
    let id = created(&app, campaign_body(&app, 2023, [0.4, 0.3, 0.3], quotas)).await;
    let prefecture = regulator(&app, "巴州", "652800").await;
    let korla = regulator(&app, "库尔勒", "652801").await;
    let bohu = regulator(&app, "博湖", "652829").await;
    let changji = regulator(&app, "昌吉", "652300").await;
    let desk = staff(&app, korla_venue).await;
    let base = format!("/api/v1/campaigns/{id}");
    assert_eq!(
        nominate(
            &app,
            ADMIN_TOKEN,
            id,
            "652801",
            json!({"venue_id": korla_venue})
        )
        .await
        .0,
        201
    );
    assert_eq!(
        nominate(&app, &bohu, id, "652829", json!({"venue_id": bohu_venue}))
            .await
            .0,
        201
    );

    // (method, path, body, [admin, prefecture, korla, bohu, changji, staff, anonymous])
    let amb = json!({"name": "古丽", "post": "前台", "deeds": deeds(300)});
    let routes: Vec<(Method, String, Option<Value>, [u16; 7])> = vec![
        (
            Method::GET,
            "/api/v1/campaigns".into(),
            None,
            [200, 200, 200, 200, 200, 403, 401],
        ),
        (
            Method::GET,
            base.clone(),
            None,
            [200, 200, 200, 200, 404, 403, 401],
        ),
        (
            Method::GET,
            format!("{base}/regions/652801/proposals"),
            None,
            [200, 200, 200, 403, 404, 403, 401],
        ),
        (
            Method::GET,
            format!("{base}/nominations"),
            None,
            [200, 200, 200, 200, 404, 403, 401],
        ),
        (
            Method::GET,
            format!("{base}/forms/unit-summary.xlsx"),
            None,
            [200, 200, 200, 200, 404, 403, 401],
        ),
        (
            Method::GET,
            format!("{base}/forms/unit-recommendations.xlsx"),
            None,
            [200, 200, 200, 200, 404, 403, 401],
        ),
        (
            Method::GET,
            format!("{base}/forms/ambassador-recommendations.xlsx"),
            None,
            [200, 200, 200, 200, 404, 403, 401],
        ),
        (
            Method::GET,
            format!("{base}/forms/ambassador-summary.xlsx"),
            None,
            [200, 200, 200, 200, 404, 403, 401],
        ),
        // Already confirmed by the time the in-scope callers try: 409, not 403/404.
        (
            Method::POST,
            format!("{base}/regions/652801/nominations"),
            Some(json!({"venue_id": korla_venue})),
            [409, 409, 409, 403, 404, 403, 401],
        ),
        (
            Method::PUT,
            format!("{base}/nominations/{korla_venue}/ambassador"),
            Some(amb.clone()),
            [200, 200, 200, 404, 404, 200, 401],
        ),
        (
            Method::PUT,
            format!("{base}/nominations/{korla_venue}/deeds"),
            Some(json!({"deeds": deeds(300)})),
            [200, 200, 200, 404, 404, 200, 401],
        ),
        // Refused by scope before anything changes; the in-scope ones are refused for state.
        (
            Method::POST,
            format!("{base}/regions/652801/review"),
            Some(json!({"decision": "confirmed"})),
            [409, 409, 403, 403, 404, 403, 401],
        ),
        (
            Method::POST,
            format!("{base}/award"),
            None,
            [409, 409, 403, 403, 404, 403, 401],
        ),
        (
            Method::POST,
            format!("{base}/regions/652801/nominations/{korla_venue}/remove"),
            Some(json!({"reason": ""})),
            [422, 422, 422, 403, 404, 403, 401],
        ),
        (
            Method::POST,
            format!("{base}/regions/652829/submit"),
            None,
            [200, 409, 403, 409, 404, 403, 401],
        ),
        (
            Method::POST,
            "/api/v1/campaigns".into(),
            Some(campaign_body(&app, 2023, [0.4, 0.3, 0.3], quotas)),
            [201, 201, 403, 403, 403, 403, 401],
        ),
    ];
    let callers: [Option<&str>; 7] = [
        Some(ADMIN_TOKEN),
        Some(prefecture.as_str()),
        Some(korla.as_str()),
        Some(bohu.as_str()),
        Some(changji.as_str()),
        Some(desk.as_str()),
        ANONYMOUS,
    ];
    for (method, path, body, expected) in routes {
        for (who, (token, want)) in callers.iter().zip(expected).enumerate() {
            let (status, answer) = call(&app, method.clone(), &path, *token, body.clone()).await;
            assert_eq!(status, want, "caller #{who} {method} {path}: {answer}");
        }
    }
    // A form read by Bohu holds only Bohu's unit.
    let bytes = download(&app, &bohu, &format!("{base}/forms/unit-summary.xlsx")).await;
    let mut book = workbook(bytes);
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(cell(&rows, 3, 1), "博湖酒店");
    // The other prefecture's regulator lists nothing.
    let (_, list) = call(
        &app,
        Method::GET,
        "/api/v1/campaigns",
        Some(changji.as_str()),
        None,
    )
    .await;
    assert_eq!(list["items"], json!([]));
}
