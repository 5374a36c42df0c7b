//! Appeals of ratings (申诉复核): the venue's staff appeal a rating with
//! evidence, once at a time; a regulator in scope upholds (the rating is
//! quarantined with the reason and leaves the score) or dismisses; every
//! route refuses the roles it is not for.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{ADMIN_TOKEN, TestApp, call, spawn_app};

async fn appeal(app: &TestApp, token: &str, rating: i64, evidence: &str) -> (u16, Value) {
    call(
        app,
        Method::POST,
        &format!("/api/v1/ratings/{rating}/appeal"),
        token,
        Some(json!({ "evidence": evidence })),
    )
    .await
}

async fn decide(app: &TestApp, token: &str, id: &Value, body: Value) -> (u16, Value) {
    call(
        app,
        Method::POST,
        &format!("/api/v1/appeals/{id}/decision"),
        token,
        Some(body),
    )
    .await
}

#[tokio::test]
async fn a_venue_appeals_a_malicious_rating_and_a_regulator_decides() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    let bad = app.rate(&venue, "rival", 1).await["id"].as_i64().unwrap();
    let other_bad = app.rate(&venue, "unlucky", 2).await["id"].as_i64().unwrap();
    app.rate(&venue, "guest", 5).await;
    let staff = app
        .api_token(json!({"name": "desk", "role": "venue_staff", "venue_ids": [venue_id]}))
        .await;
    let other_venue = app.create_venue("天鹅湖宾馆", "652801", "hotel").await;
    let other_staff = app
        .api_token(
            json!({"name": "other", "role": "venue_staff", "venue_ids": [other_venue["id"]]}),
        )
        .await;
    let regulator = app
        .api_token(json!({"name": "bz", "role": "regulator", "region_code": "652800"}))
        .await;
    let outsider = app
        .api_token(json!({"name": "cj", "role": "regulator", "region_code": "652300"}))
        .await;

    // Filing: the venue's own staff only, with evidence, once at a time.
    let (status, _) = appeal(&app, &regulator, bad, "同行恶意差评").await;
    assert_eq!(status, 403);
    let (status, _) = appeal(&app, &other_staff, bad, "同行恶意差评").await;
    assert_eq!(status, 404);
    let (status, body) = appeal(&app, &staff, bad, "  ").await;
    assert_eq!(
        (status, body["type"].clone()),
        (422, json!("/problems/text-required"))
    );
    let (status, filed) = appeal(&app, &staff, bad, "该设备当天未入住，监控显示无此客人。").await;
    assert_eq!(status, 201, "{filed}");
    assert_eq!(filed["state"], "pending");
    let (status, body) = appeal(&app, &staff, bad, "再次申诉").await;
    assert_eq!(
        (status, body["type"].clone()),
        (409, json!("/problems/appeal-pending"))
    );
    let (_, second) = appeal(&app, &staff, other_bad, "评价内容与事实不符。").await;

    // Listing: in scope only.
    for (token, expected) in [
        (&regulator, 2),
        (&staff, 2),
        (&outsider, 0),
        (&other_staff, 0),
    ] {
        let (status, list) = call(
            &app,
            Method::GET,
            "/api/v1/appeals?state=pending",
            token,
            None,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(list["items"].as_array().unwrap().len(), expected);
    }
    let (status, _) = call(
        &app,
        Method::GET,
        "/api/v1/appeals?state=open",
        &regulator,
        None,
    )
    .await;
    assert_eq!(status, 422);

    // Deciding: regulators in scope, a known decision with a reason.
    let id = &filed["id"];
    let upheld = json!({"decision": "upheld", "reason": "核实为同行恶意评价"});
    let (status, _) = decide(&app, &staff, id, upheld.clone()).await;
    assert_eq!(status, 403);
    let (status, _) = decide(&app, &outsider, id, upheld.clone()).await;
    assert_eq!(status, 404);
    let (status, _) = decide(
        &app,
        &regulator,
        id,
        json!({"decision": "maybe", "reason": "x"}),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = decide(
        &app,
        &regulator,
        id,
        json!({"decision": "upheld", "reason": ""}),
    )
    .await;
    assert_eq!(status, 422);
    let (status, done) = decide(&app, &regulator, id, upheld.clone()).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["state"], "upheld");
    let (status, body) = decide(&app, &regulator, id, upheld).await;
    assert_eq!(
        (status, body["type"].clone()),
        (409, json!("/problems/appeal-decided"))
    );
    let reason: Option<String> =
        sqlx::query_scalar("SELECT quarantine_reason FROM ratings WHERE id = $1")
            .bind(bad)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(reason.as_deref(), Some("核实为同行恶意评价"));
    let score = app.score_when(venue_id, |s| s["ratings"] == 2).await;
    assert_eq!(score["ratings"], 2, "the upheld rating left the score");

    // Dismissed: the rating stays.
    let (status, dismissed) = decide(
        &app,
        ADMIN_TOKEN,
        &second["id"],
        json!({"decision": "dismissed", "reason": "证据不足"}),
    )
    .await;
    assert_eq!(
        (status, dismissed["state"].clone()),
        (200, json!("dismissed"))
    );
    let kept: Option<String> =
        sqlx::query_scalar("SELECT quarantine_reason FROM ratings WHERE id = $1")
            .bind(other_bad)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(kept.is_none());
    let audited: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'rating.%' ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        audited,
        [
            "rating.appeal",
            "rating.appeal",
            "rating.quarantine",
            "rating.appeal_decision",
            "rating.appeal_decision"
        ]
    );
}

#[tokio::test]
async fn a_bad_rating_with_a_comment_is_a_case_the_venue_verifies_then_fixes() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    let rate = |device: &'static str, overall: u8, comment: Option<&'static str>| {
        let mut body = json!({"code": venue["code"], "device_id": format!("device-{device}"), "overall": overall});
        if let Some(text) = comment {
            body["comment"] = json!(text);
        }
        let app = &app;
        async move {
            let response = app.post_rating(&body).await;
            assert_eq!(response.status(), 201);
            response.json::<Value>().await.unwrap()["id"]
                .as_i64()
                .unwrap()
        }
    };
    let bad = rate("a", 1, Some("房间有异味，空调坏了")).await;
    rate("b", 2, None).await;
    let good = rate("c", 4, Some("还不错")).await;
    let staff = app
        .api_token(json!({"name": "desk", "role": "venue_staff", "venue_ids": [venue_id]}))
        .await;
    let regulator = app
        .api_token(json!({"name": "bz", "role": "regulator", "region_code": "652800"}))
        .await;
    let outsider = app
        .api_token(json!({"name": "cj", "role": "regulator", "region_code": "652300"}))
        .await;
    let path = format!("/api/v1/venues/{venue_id}/bad-ratings");

    let (status, list) = call(&app, Method::GET, &path, &staff, None).await;
    assert_eq!(status, 200);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "only the low rating with a comment: {list}");
    assert_eq!(items[0]["rating_id"], bad);
    assert_eq!(items[0]["state"], "open");
    assert_eq!(items[0]["overdue"], false);
    let (status, _) = call(&app, Method::GET, &path, &outsider, None).await;
    assert_eq!(status, 404);
    let (status, seen) = call(&app, Method::GET, &path, &regulator, None).await;
    assert_eq!((status, seen["items"].as_array().unwrap().len()), (200, 1));

    // Two days later the open case is overdue (one working day to verify).
    app.clock.advance(chrono::Duration::days(4));
    let (_, list) = call(&app, Method::GET, &path, &staff, None).await;
    assert_eq!(list["items"][0]["overdue"], true);

    let step = format!("/api/v1/ratings/{bad}/bad-rating-case");
    let (status, _) = call(
        &app,
        Method::POST,
        &step,
        &regulator,
        Some(json!({"step": "verified"})),
    )
    .await;
    assert_eq!(status, 403, "the venue works its own case");
    let (status, _) = call(
        &app,
        Method::POST,
        &step,
        &staff,
        Some(json!({"step": "fixed", "note": "已修好"})),
    )
    .await;
    assert_eq!(status, 409, "verify first");
    let (status, _) = call(
        &app,
        Method::POST,
        &step,
        &staff,
        Some(json!({"step": "verified"})),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = call(
        &app,
        Method::POST,
        &step,
        &staff,
        Some(json!({"step": "verified"})),
    )
    .await;
    assert_eq!(status, 409, "once");
    let (status, _) = call(
        &app,
        Method::POST,
        &step,
        &staff,
        Some(json!({"step": "fixed"})),
    )
    .await;
    assert_eq!(status, 422, "say what was fixed");
    let (status, _) = call(
        &app,
        Method::POST,
        &step,
        &staff,
        Some(json!({"step": "fixed", "note": "已更换空调并除味"})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, list) = call(&app, Method::GET, &path, &staff, None).await;
    assert_eq!(list["items"][0]["state"], "fixed");
    assert_eq!(list["items"][0]["overdue"], false);
    assert_eq!(list["items"][0]["fix_note"], "已更换空调并除味");
    let good = format!("/api/v1/ratings/{good}/bad-rating-case");
    let (status, _) = call(
        &app,
        Method::POST,
        &good,
        &staff,
        Some(json!({"step": "verified"})),
    )
    .await;
    assert_eq!(status, 404, "a good rating is no case");
    let steps: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'rating.bad_rating_step'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(steps, 2);
}
