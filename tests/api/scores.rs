use crate::common::{ADMIN_TOKEN, TestApp, database_url_for, fresh_database, spawn_app};
use qrfeedback::config::Settings;
use qrfeedback::startup::Application;
use serde_json::{Value, json};

#[tokio::test]
async fn a_score_is_published_from_the_fifth_rating_on() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    let empty = app.score(venue_id).await;
    assert_eq!(empty["published"], false);
    assert_eq!(empty["score"], Value::Null);
    assert_eq!(empty["histogram"], json!([0, 0, 0, 0, 0]));

    let stars = [5, 4, 4, 2];
    for (i, overall) in stars.iter().enumerate() {
        let body = json!({ "code": venue["code"], "device_id": format!("score-dev-{i:03}"), "overall": overall, "dimensions": { "attitude": 5 } });
        assert_eq!(app.post_rating(&body).await.status(), 201);
    }
    let four = app
        .score_when(venue_id, |s| {
            s["ratings"] == 4 && !s["computed_at"].is_null()
        })
        .await;
    assert_eq!(four["ratings"], 4);
    assert_eq!(four["published"], false, "not enough ratings yet");
    assert_eq!(four["score"], Value::Null);
    assert_eq!(four["tier"], "B", "graded even before publication");

    let fifth = json!({ "code": venue["code"], "device_id": "score-dev-999", "overall": 5, "tags": ["clean"] });
    assert_eq!(app.post_rating(&fifth).await.status(), 201);
    let score = app.score_when(venue_id, |s| s["published"] == true).await;
    assert_eq!(score["venue_id"], venue_id);
    assert_eq!(score["published"], true, "published within 10 s: {score}");
    assert_eq!(score["ratings"], 5);
    assert_eq!(score["today"], 5);
    assert_eq!(score["histogram"], json!([0, 1, 0, 2, 2]));
    // Values 100, 75, 75, 25, 100, all today (weight 1): Σw = 5, Σw·s = 375.
    // Fewer than 50 hotel ratings in the province and nationally: μ = 70.
    // S = (375 + 10 × 70) / (5 + 10) = 1075 / 15 = 71.67.
    assert_eq!(score["score"], 71.7);
    assert_eq!(score["priors"]["overall"]["source"], "fallback");
    // Attitude: four 5★ → (400 + 700) / (4 + 10) = 78.57; no environment ratings → null.
    assert_eq!(score["dimensions"]["attitude"], 78.6);
    assert_eq!(score["dimensions"]["environment"], Value::Null);
    assert_eq!(score["tags"]["clean"], 1);
    // Wilson lower bound of 4/5 at 95 %: ≈ 0.376.
    let confidence = score["confidence"].as_f64().unwrap();
    assert!((confidence - 0.376).abs() < 0.002, "{confidence}");
    // 71.7 is neither below 60 (C) nor 85 with 50 ratings (A).
    assert_eq!(score["tier"], "B");
    let reasons: Vec<&str> = score["tier_reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["en"].as_str().unwrap())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("71.7") && r.contains("85")),
        "{reasons:?}"
    );
    assert_eq!(score["trend"].as_array().unwrap().len(), 26);
    let this_week = &score["trend"][25];
    assert_eq!(this_week["ratings"], 5);
    assert_eq!(this_week["score"], 75.0, "plain mean of the week");
    assert_eq!(score["rank"]["province"]["rank"], 1);
    assert_eq!(score["rank"]["prefecture"]["region_code"], "652800");
}

#[tokio::test]
async fn a_venue_score_moves_when_its_neighbours_move_its_prior() {
    let app = spawn_app().await;
    let busy = app.create_venue("孔雀河酒店", "652801", "hotel").await;
    let quiet = app.create_venue("轮台宾馆", "652822", "hotel").await;
    let quiet_id = quiet["id"].as_i64().unwrap();
    for i in 0..50 {
        app.rate(&busy, &format!("busy-{i:03}"), 5).await;
    }
    for i in 0..5 {
        app.rate(&quiet, &format!("quiet-{i:03}"), 3).await;
    }
    // Province × hotel now has 55 ratings: μ = (50 × 100 + 5 × 50) / 55 = 95.45.
    // Quiet venue: (5 × 50 + 10 × 95.45) / 15 = 80.30.
    let before = app.score_when(quiet_id, |s| s["score"] == 80.3).await;
    assert_eq!(before["score"], 80.3, "{before}");
    assert_eq!(before["priors"]["overall"]["source"], "category_province");
    assert_eq!(before["tier"], "B");

    for i in 0..30 {
        app.rate(&busy, &format!("busy-low-{i:03}"), 1).await;
    }
    // The quiet venue got nothing new, but μ = (5000 + 0 + 250) / 85 = 61.76,
    // so its score is (250 + 617.6) / 15 = 57.84: below 60, tier C.
    let after = app.score_when(quiet_id, |s| s["score"] == 57.8).await;
    assert_eq!(after["score"], 57.8, "prior moved within 10 s: {after}");
    assert_eq!(after["tier"], "C");
    assert!(
        after["tier_reasons"][0]["en"]
            .as_str()
            .unwrap()
            .contains("57.8 < 60"),
        "{after}"
    );
    let history: Value = app
        .get(&format!("/api/v1/venues/{quiet_id}/tier/history"))
        .await
        .json()
        .await
        .unwrap();
    let tiers: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["tier"].as_str().unwrap())
        .collect();
    assert_eq!(tiers.first(), Some(&"C"), "newest first: {history}");
    assert!(tiers.contains(&"B"));
    let change = &history["items"][0];
    assert_eq!(change["previous_tier"], "B");
    // The change is recorded with the score that crossed 60, which may come
    // from a refresh that saw only part of the thirty ratings.
    let crossed_at = change["inputs"]["score_0_100"].as_f64().unwrap();
    assert!((57.75..60.0).contains(&crossed_at), "{change}");
    assert!(
        change["rule_set_version"]
            .as_str()
            .is_some_and(|v| !v.is_empty())
    );
}

async fn moderate(
    app: &crate::common::TestApp,
    rating_id: i64,
    action: &str,
    body: Value,
    token: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!(
            "{}/api/v1/ratings/{rating_id}/{action}",
            app.address
        ))
        .json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn quarantine_takes_a_rating_out_and_release_puts_it_back() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    let mut suspicious = 0;
    for (i, stars) in [5, 5, 4, 4, 1].into_iter().enumerate() {
        let answer = app.rate(&venue, &format!("q-dev-{i}"), stars).await;
        suspicious = answer["id"].as_i64().unwrap();
    }
    let published = app.score_when(venue_id, |s| s["published"] == true).await;
    assert_eq!(published["histogram"], json!([1, 0, 0, 2, 2]));

    let no_token = moderate(
        &app,
        suspicious,
        "quarantine",
        json!({ "reason": "burst from one address" }),
        None,
    )
    .await;
    assert_eq!(no_token.status(), 401);
    let no_reason = moderate(
        &app,
        suspicious,
        "quarantine",
        json!({ "reason": "  " }),
        Some(ADMIN_TOKEN),
    )
    .await;
    assert_eq!(no_reason.status(), 422);
    let unknown = moderate(
        &app,
        suspicious + 1000,
        "quarantine",
        json!({ "reason": "x" }),
        Some(ADMIN_TOKEN),
    )
    .await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        unknown.headers()["content-type"],
        "application/problem+json"
    );

    let done = moderate(
        &app,
        suspicious,
        "quarantine",
        json!({ "reason": "burst from one address" }),
        Some(ADMIN_TOKEN),
    )
    .await;
    assert_eq!(done.status(), 200);
    let body: Value = done.json().await.unwrap();
    assert_eq!(body["quarantined"], true);
    assert_eq!(body["venue_id"], venue_id);
    let again = moderate(
        &app,
        suspicious,
        "quarantine",
        json!({ "reason": "again" }),
        Some(ADMIN_TOKEN),
    )
    .await;
    assert_eq!(again.status(), 409);

    let without = app.score_when(venue_id, |s| s["ratings"] == 4).await;
    assert_eq!(without["ratings"], 4, "{without}");
    assert_eq!(without["histogram"], json!([0, 0, 0, 2, 2]));
    assert_eq!(
        without["published"], false,
        "four counted ratings are not enough"
    );
    // Never deleted: the raw rating is still there, marked.
    let marked: (Option<chrono::DateTime<chrono::Utc>>, i64) = sqlx::query_as(
        "SELECT quarantined_at, (SELECT count(*) FROM ratings) FROM ratings WHERE id = $1",
    )
    .bind(suspicious)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(marked.0.is_some());
    assert_eq!(marked.1, 5);

    let released = moderate(
        &app,
        suspicious,
        "release",
        json!({ "reason": "checked: a real visitor" }),
        Some(ADMIN_TOKEN),
    )
    .await;
    assert_eq!(released.status(), 200);
    let back = app.score_when(venue_id, |s| s["ratings"] == 5).await;
    assert_eq!(back["histogram"], json!([1, 0, 0, 2, 2]));
    assert_eq!(back["published"], true);
    let log: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT action, reason, actor FROM rating_moderation WHERE rating_id = $1 ORDER BY id",
    )
    .bind(suspicious)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].0, "quarantine");
    assert_eq!(log[0].1, "burst from one address");
    assert_eq!(log[1].0, "release");
    assert!(!log[1].2.is_empty(), "who acted is recorded");
    let not_quarantined = moderate(
        &app,
        suspicious,
        "release",
        json!({ "reason": "twice" }),
        Some(ADMIN_TOKEN),
    )
    .await;
    assert_eq!(not_quarantined.status(), 409);
}

/// What a writer of compliance records does in its transaction: these rows
/// are written by hand here, as the regulators' own workflows are not built yet.
async fn queue_refresh(app: &TestApp, venue_id: i64) {
    let mut conn = app.pool.acquire().await.unwrap();
    qrfeedback::store::scores::queue_refresh(&mut conn, venue_id.into())
        .await
        .unwrap();
}

#[tokio::test]
async fn the_tier_reacts_to_list_violation_and_inspection_rows() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    for i in 0..5 {
        app.rate(&venue, &format!("tier-dev-{i}"), 5).await;
    }
    assert_eq!(
        app.score_when(venue_id, |s| s["published"] == true).await["tier"],
        "B"
    );

    sqlx::query(
        "INSERT INTO list_entries (venue_id, list, reason, legal_basis, starts_on, ends_on, state, \
         proposed_by, proposed_at, statement_due_on, decided_by, decided_at, decision_reason) \
         VALUES ($1, 'serious', 'fraud', 'basis', current_date - 10, current_date + 365, 'listed', \
         'test', now(), current_date - 10, 'test', now(), 'fraud')",
    )
    .bind(venue_id)
    .execute(&app.pool)
    .await
    .unwrap();
    queue_refresh(&app, venue_id).await;
    let listed = app.score_when(venue_id, |s| s["tier"] == "D").await;
    assert_eq!(listed["tier"], "D", "{listed}");
    assert_eq!(listed["tier_reasons"][0]["input"], "serious_list");
    assert!(!listed["tier_reasons"][0]["zh"].as_str().unwrap().is_empty());

    sqlx::query("UPDATE list_entries SET ends_on = current_date - 1 WHERE venue_id = $1")
        .bind(venue_id)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO inspections (venue_id, inspected_on, passed) VALUES ($1, current_date - 30, false)")
        .bind(venue_id)
        .execute(&app.pool)
        .await
        .unwrap();
    queue_refresh(&app, venue_id).await;
    let failed = app.score_when(venue_id, |s| s["tier"] == "C").await;
    assert_eq!(failed["tier"], "C", "{failed}");
    assert!(
        failed["tier_reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["input"] == "failed_inspections_12m")
    );

    // A verified complaint: 1 per 5 ratings is 200 per 1,000, above 5.
    sqlx::query("UPDATE inspections SET passed = true WHERE venue_id = $1")
        .bind(venue_id)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO complaints (venue_id, rating_id, day, tracking_code, description, verified_at,
                                 region_code, service_on, state_changed_at)
         SELECT venue_id, id, day, 'TEST-1', 'overcharged', now(), '652801', day, now()
         FROM ratings WHERE venue_id = $1 LIMIT 1",
    )
    .bind(venue_id)
    .execute(&app.pool)
    .await
    .unwrap();
    queue_refresh(&app, venue_id).await;
    let complained = app
        .score_when(venue_id, |s| {
            s["tier_reasons"].as_array().is_some_and(|r| {
                r.iter()
                    .any(|r| r["input"] == "verified_complaints_per_1000")
            })
        })
        .await;
    assert_eq!(complained["tier"], "C", "{complained}");

    let history: Value = app
        .get(&format!("/api/v1/venues/{venue_id}/tier/history"))
        .await
        .json()
        .await
        .unwrap();
    let tiers: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["tier"].as_str().unwrap())
        .collect();
    // C → C (new reasons) is no tier change: still three.
    assert_eq!(tiers, ["C", "D", "B"], "{history}");
    assert_eq!(history["items"][1]["inputs"]["serious_list"], true);
}

#[tokio::test]
async fn rankings_list_published_venues_by_score_then_the_rest() {
    let app = spawn_app().await;
    let good = app.create_venue("好酒店", "652801", "hotel").await;
    let fair = app.create_venue("中酒店", "652822", "hotel").await;
    let new = app.create_venue("新酒店", "652801", "hotel").await;
    let shop = app.create_venue("好商店", "652801", "shop").await;
    let elsewhere = app.create_venue("长春酒店", "220100", "hotel").await;
    for i in 0..6 {
        app.rate(&good, &format!("g-{i}"), 5).await;
        app.rate(&fair, &format!("f-{i}"), 3).await;
        app.rate(&shop, &format!("s-{i}"), 4).await;
        app.rate(&elsewhere, &format!("e-{i}"), 5).await;
    }
    app.rate(&new, "n-0", 5).await;
    let new_id = new["id"].as_i64().unwrap();
    app.score_when(new_id, |s| s["ratings"] == 1).await;
    app.score_when(fair["id"].as_i64().unwrap(), |s| s["published"] == true)
        .await;

    let page: Value = app
        .get("/api/v1/rankings?region=652800&category=hotel")
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["venue_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            good["id"].as_i64().unwrap(),
            fair["id"].as_i64().unwrap(),
            new_id
        ],
        "{page}"
    );
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"][0]["rank"], 1);
    assert_eq!(page["items"][1]["rank"], 2);
    assert_eq!(
        page["items"][2]["rank"],
        Value::Null,
        "unpublished venues are not ranked"
    );
    assert_eq!(page["items"][2]["published"], false);
    assert_eq!(page["items"][2]["score"], Value::Null);
    for field in [
        "venue_id",
        "name",
        "score",
        "ratings",
        "confidence",
        "tier",
        "published",
    ] {
        assert!(page["items"][0].get(field).is_some(), "{field}");
    }

    // The province includes the shop; Jilin's hotel is elsewhere.
    let province: Value = app
        .get("/api/v1/rankings?region=650000")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(province["total"], 4);
    let county: Value = app
        .get("/api/v1/rankings?region=652801")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(county["total"], 3);
    let second_page: Value = app
        .get("/api/v1/rankings?region=650000&per_page=2&page=2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second_page["items"][0]["rank"], 3);
    let beyond: Value = app
        .get("/api/v1/rankings?region=650000&page=9")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(beyond["items"], json!([]));
    assert_eq!(beyond["total"], 4);

    assert_eq!(
        app.get("/api/v1/rankings?region=659999").await.status(),
        404
    );
    for bad in ["region=65", "category=spaceport", "page=0", "per_page=1000"] {
        let response = app.get(&format!("/api/v1/rankings?{bad}")).await;
        assert_eq!(response.status(), 422, "{bad}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
}

#[tokio::test]
async fn a_ranking_page_beyond_the_first_thousand_venues_is_refused() {
    let app = spawn_app().await;
    // Each of these read and skipped up to 2 million rows before.
    for deep in ["page=51", "per_page=100&page=11", "page=100000"] {
        let response = app.get(&format!("/api/v1/rankings?{deep}")).await;
        assert_eq!(response.status(), 422, "{deep}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let page = app.get(&format!("/rankings?{deep}&lang=en")).await;
        assert_eq!(page.status(), 422, "{deep}");
        assert!(
            page.text().await.unwrap().contains("<form"),
            "the pickers stay"
        );
    }
    for deepest in ["page=50", "per_page=100&page=10", "per_page=7&page=142"] {
        let response = app.get(&format!("/api/v1/rankings?{deepest}")).await;
        assert_eq!(response.status(), 200, "{deepest}");
    }
}

#[tokio::test]
async fn the_ranking_total_is_the_refreshers_stored_count_not_a_count_per_request() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for (i, name) in ["一号酒店", "二号酒店", "三号酒店"].into_iter().enumerate() {
        let venue = app.create_venue(name, "652801", "hotel").await;
        app.rate(&venue, &format!("stored-{i}"), 4).await;
        ids.push(venue["id"].as_i64().unwrap());
    }
    for id in &ids {
        app.score_when(*id, |s| !s["computed_at"].is_null()).await;
    }
    let app = &app;
    let ranking = |path: &'static str| async move {
        let page: Value = app.get(path).await.json().await.unwrap();
        (
            page["items"].as_array().unwrap().len(),
            page["total"].clone(),
        )
    };
    let county = "/api/v1/rankings?region=652801&category=hotel";
    assert_eq!(ranking(county).await, (3, json!(3)));
    assert_eq!(
        ranking("/api/v1/rankings").await,
        (3, json!(3)),
        "nationally"
    );
    assert_eq!(
        ranking("/api/v1/rankings?region=650000&category=shop").await,
        (0, json!(0))
    );

    // A row gone behind the refresher's back leaves the page one short, but
    // not the total: it is read from the refresher's counts, not counted.
    sqlx::query("DELETE FROM venue_scores WHERE venue_id = $1")
        .bind(ids[0])
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(ranking(county).await, (2, json!(3)));
}

#[tokio::test]
async fn a_region_score_breaks_down_by_child_region_and_category() {
    let app = spawn_app().await;
    let korla = app.create_venue("库尔勒酒店", "652801", "hotel").await;
    let luntai = app.create_venue("轮台餐厅", "652822", "restaurant").await;
    let changji = app.create_venue("昌吉酒店", "652301", "hotel").await;
    for i in 0..5 {
        app.rate(&korla, &format!("k-{i}"), 5).await;
        app.rate(&luntai, &format!("l-{i}"), 2).await;
        app.rate(&changji, &format!("c-{i}"), 4).await;
    }
    app.score_when(changji["id"].as_i64().unwrap(), |s| s["published"] == true)
        .await;
    let mut region = Value::Null;
    for _ in 0..50 {
        region = app
            .get("/api/v1/regions/650000/score")
            .await
            .json()
            .await
            .unwrap();
        if region["ratings"] == 15 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(region["ratings"], 15, "{region}");
    assert_eq!(region["venues"], 3);
    assert_eq!(region["level"], "province");
    assert!(region["score"].as_f64().is_some());
    let tiers = &region["tier_counts"];
    assert_eq!(
        tiers["A"].as_i64().unwrap()
            + tiers["B"].as_i64().unwrap()
            + tiers["C"].as_i64().unwrap()
            + tiers["D"].as_i64().unwrap(),
        3
    );
    let children: Vec<&str> = region["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["region_code"].as_str().unwrap())
        .collect();
    assert_eq!(children, ["652300", "652800"]);
    let bayingolin = &region["children"][1];
    assert_eq!(bayingolin["venues"], 2);
    assert_eq!(bayingolin["ratings"], 10);
    let categories: Vec<&str> = region["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["category"].as_str().unwrap())
        .collect();
    assert_eq!(categories, ["hotel", "restaurant"], "best score first");

    let prefecture: Value = app
        .get("/api/v1/regions/652800/score")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(prefecture["venues"], 2);
    // Two published venue scores: the median lies between them, p10 near the lower.
    let median = prefecture["median"].as_f64().unwrap();
    let p10 = prefecture["p10"].as_f64().unwrap();
    assert!(p10 < median, "{prefecture}");
    // Their spread: ten bands of ten points, each venue in the band of its score.
    let bands: Vec<i64> = prefecture["score_distribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_i64().unwrap())
        .collect();
    assert_eq!(bands.len(), 10, "{prefecture}");
    let mut expected = vec![0; 10];
    let rankings: Value = app
        .get("/api/v1/rankings?region=652800")
        .await
        .json()
        .await
        .unwrap();
    for item in rankings["items"].as_array().unwrap() {
        let score = item["score"].as_f64().unwrap();
        expected[((score / 10.0).floor() as usize).min(9)] += 1;
    }
    assert_eq!(bands, expected, "{prefecture} {rankings}");
    let provincial: i64 = region["score_distribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_i64().unwrap())
        .sum();
    assert_eq!(provincial, region["published_venues"].as_i64().unwrap());
    let county: Value = app
        .get("/api/v1/regions/652822/score")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(county["venues"], 1);
    assert_eq!(county["children"], json!([]));
    assert_eq!(app.get("/api/v1/regions/659999/score").await.status(), 404);
    assert_eq!(app.get("/api/v1/regions/abc/score").await.status(), 422);
}

#[tokio::test]
async fn a_bad_tier_rule_set_is_refused_at_start_and_nothing_is_stored() {
    let (db_name, pool) = fresh_database().await;
    let dir = std::env::temp_dir().join(format!("qrf-rules-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rules.toml");
    std::fs::write(
        &path,
        "version = \"broken-1\"\ndefault_tier = \"B\"\n[[tiers]]\ntier = \"C\"\nwhen = \"any\"\nconditions = [ { input = \"scor\", op = \"<\", value = 60 } ]\n",
    )
    .unwrap();
    let settings = Settings::load(None, |name| match name {
        "DATABASE_URL" => Some(database_url_for(&db_name)),
        "BIND_ADDR" => Some("127.0.0.1:0".into()),
        "ADMIN_TOKEN" => Some(ADMIN_TOKEN.into()),
        "SECRET_KEY" => Some("test-secret-key-0123456789abcdef-0123".into()),
        "TIER_RULES_FILE" => Some(path.display().to_string()),
        _ => None,
    })
    .unwrap();
    let err = match Application::build(settings).await {
        Ok(_) => panic!("the app must not start with a broken rule set"),
        Err(err) => format!("{err:#}"),
    };
    assert!(
        err.contains("scor"),
        "the message names the bad input: {err}"
    );
    assert!(
        err.contains("rules.toml"),
        "the message names the file: {err}"
    );
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM tier_rule_sets WHERE version = 'broken-1'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn a_new_venue_gets_its_unpublished_score_row_and_tier_without_a_rating() {
    // Creating a venue queues its refresh in the same transaction, so it is
    // tiered (and listed) on the next refresh, not at the next full recompute.
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    let score = app.score_when(venue_id, |s| s["tier"].is_string()).await;
    assert_eq!(score["published"], false, "{score}");
    assert!(score["tier"].is_string(), "{score}");
}
