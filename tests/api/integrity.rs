//! Bought scores, end to end: ratings come in through the API from their
//! own addresses, the background detectors hold a campaign from one address
//! prefix (counted nowhere, one incident), the honest ratings beside it stay
//! counted; regulators of the region review it over JSON and in the
//! console, release or confirm with a reason (audited, the aggregates
//! follow), a decided rating is never held again, and the venue's staff see
//! only how many ratings are under review.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{ANONYMOUS, Options, TestApp, call, spawn_app_with};

async fn app() -> TestApp {
    spawn_app_with(Options {
        trusted_proxies: Some("127.0.0.1/32".into()),
        ..Options::default()
    })
    .await
}

/// Rates `venue` from device `device` at address `from`; the rating's id.
async fn rate_from(app: &TestApp, venue: &Value, device: &str, from: &str, overall: u8) -> i64 {
    let response = app
        .client
        .post(format!("{}/api/v1/ratings", app.address))
        .header("X-Forwarded-For", from)
        .json(&json!({
            "code": venue["code"],
            "device_id": format!("phone-{device}-0000"),
            "overall": overall,
        }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 201);
    let body: Value = response.json().await.expect("json");
    body["id"].as_i64().expect("rating id")
}

async fn counted(app: &TestApp, venue_id: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT coalesce(sum(ratings_count), 0)::int8 FROM venue_day_stats WHERE venue_id = $1",
    )
    .bind(venue_id)
    .fetch_one(&app.pool)
    .await
    .expect("count")
}

/// Every rating the incidents in `token`'s view hold, and the incidents.
async fn held_ids(app: &TestApp, token: &str) -> (BTreeSet<i64>, Vec<Value>) {
    let (status, list) = call(app, Method::GET, "/api/v1/integrity/incidents", token, None).await;
    assert_eq!(status, 200, "{list}");
    let mut held = BTreeSet::new();
    let items = list["items"].as_array().cloned().unwrap_or_default();
    for incident in &items {
        let path = format!("/api/v1/integrity/incidents/{}", incident["id"]);
        let (status, detail) = call(app, Method::GET, &path, token, None).await;
        assert_eq!(status, 200, "{detail}");
        for rating in detail["ratings"].as_array().unwrap() {
            if rating["state"] == "held" {
                held.insert(rating["rating_id"].as_i64().unwrap());
            }
        }
    }
    (held, items)
}

#[tokio::test]
async fn a_campaign_from_one_network_is_held_reviewed_and_decided() {
    let app = app().await;
    let venue = app.create_venue("孔雀河宾馆", "652801", "hotel").await;
    let venue_id = venue["id"].as_i64().unwrap();
    // Honest guests, each from an address of their own, middling or low.
    let mut honest = BTreeSet::new();
    for (i, stars) in [3, 2, 3, 1, 3].into_iter().enumerate() {
        let from = format!("198.51.{}.{}", 10 + i, 20 + i);
        honest.insert(rate_from(&app, &venue, &format!("guest{i}"), &from, stars).await);
    }
    // Ten five-star ratings from ten devices behind one /24.
    let mut campaign = BTreeSet::new();
    for i in 0..10 {
        let from = format!("203.0.113.{}", 40 + i);
        campaign.insert(rate_from(&app, &venue, &format!("buyer{i}"), &from, 5).await);
    }

    let bayingolin = app
        .api_token(json!({"name": "bz", "role": "regulator", "region_code": "652800"}))
        .await;
    let scan = app.scan_integrity().await;
    assert_eq!((scan.judged, scan.held), (15, 10), "{scan:?}");
    let (held, incidents) = held_ids(&app, &bayingolin).await;
    assert_eq!(held, campaign);
    assert!(held.is_disjoint(&honest));
    assert!(incidents.iter().all(|i| i["venue_id"] == venue_id));
    // The first signal to see them holds all ten as one incident.
    let network = incidents
        .iter()
        .find(|i| i["held"] == 10)
        .unwrap_or_else(|| panic!("no incident holds the ten: {incidents:?}"));
    assert_eq!(network["side"], "high");
    assert_eq!(network["evidence"]["signal"], network["signal"]);
    assert_eq!(network["evidence"]["on_side"], 10);
    // Held ratings count nowhere: the day aggregate has the honest five.
    assert_eq!(counted(&app, venue_id).await, 5);

    // The region's regulators are alerted once, with the incident.
    let (status, alerts) = call(&app, Method::GET, "/api/v1/alerts", &bayingolin, None).await;
    assert_eq!(status, 200, "{alerts}");
    let campaign_alerts: Vec<&Value> = alerts["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "campaign_detected")
        .collect();
    assert_eq!(campaign_alerts.len(), 1, "{alerts}");
    assert_eq!(campaign_alerts[0]["details"]["incident_id"], network["id"]);
    assert_eq!(campaign_alerts[0]["details"]["held"], 10);
    assert_eq!(campaign_alerts[0]["delivery"], "none");

    // Another prefecture sees nothing of it; the venue's staff cannot look.
    let changji = app
        .api_token(json!({"name": "cj", "role": "regulator", "region_code": "652300"}))
        .await;
    let (status, list) = call(
        &app,
        Method::GET,
        "/api/v1/integrity/incidents",
        &changji,
        None,
    )
    .await;
    assert_eq!((status, list["total"].clone()), (200, json!(0)));
    let path = format!("/api/v1/integrity/incidents/{}", network["id"]);
    assert_eq!(call(&app, Method::GET, &path, &changji, None).await.0, 404);
    let desk = app
        .api_token(json!({"name": "desk", "role": "venue_staff", "venue_ids": [venue_id]}))
        .await;
    assert_eq!(call(&app, Method::GET, &path, &desk, None).await.0, 403);
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/api/v1/integrity/incidents",
            ANONYMOUS,
            None
        )
        .await
        .0,
        401
    );

    // One rating released: it counts again, and stays released.
    let first = *campaign.first().unwrap();
    let hold_path = format!("/api/v1/integrity/holds/{first}/decision");
    let bad = json!({"decision": "keep", "reason": "x"});
    assert_eq!(
        call(&app, Method::POST, &hold_path, &bayingolin, Some(bad))
            .await
            .0,
        422
    );
    let no_reason = json!({"decision": "release", "reason": " "});
    assert_eq!(
        call(&app, Method::POST, &hold_path, &bayingolin, Some(no_reason))
            .await
            .0,
        422
    );
    let release = json!({"decision": "release", "reason": "同住一家青旅的背包客"});
    assert_eq!(
        call(
            &app,
            Method::POST,
            &hold_path,
            &changji,
            Some(release.clone())
        )
        .await
        .0,
        404
    );
    let (status, body) = call(
        &app,
        Method::POST,
        &hold_path,
        &bayingolin,
        Some(release.clone()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["decision"].clone(), body["decided"].clone()),
        (json!("released"), json!(1))
    );
    assert_eq!(counted(&app, venue_id).await, 6);
    let (status, again) = call(&app, Method::POST, &hold_path, &bayingolin, Some(release)).await;
    assert_eq!(status, 409, "{again}");
    assert_eq!(again["type"], "/problems/nothing-held");

    // The rest of the incident confirmed as bought, in one decision.
    let incident_path = format!("/api/v1/integrity/incidents/{}/decision", network["id"]);
    let confirm = json!({"decision": "confirm", "reason": "同一网段十台设备十分钟内五星"});
    let (status, body) = call(
        &app,
        Method::POST,
        &incident_path,
        &bayingolin,
        Some(confirm.clone()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let confirmed = body["decided"].as_i64().unwrap();
    let (status, _) = call(
        &app,
        Method::POST,
        &incident_path,
        &bayingolin,
        Some(confirm),
    )
    .await;
    assert_eq!(status, 409);
    // The detectors again: a decided rating is never held again.
    for _ in 0..2 {
        assert_eq!(app.scan_integrity().await.held, 0);
    }
    assert_eq!(counted(&app, venue_id).await, 6);
    let states: Vec<(i64, String)> = sqlx::query_as(
        "SELECT rating_id, state FROM integrity_holds WHERE venue_id = $1 ORDER BY rating_id",
    )
    .bind(venue_id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(states.len(), 10);
    assert!(states.contains(&(first, "released".to_owned())));
    let confirmed_now = states.iter().filter(|(_, s)| s == "confirmed").count() as i64;
    assert!(
        confirmed_now >= confirmed && confirmed_now == 9,
        "{states:?}"
    );
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'integrity.%' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, ["integrity.release", "integrity.confirm"]);
    let (status, open) = call(
        &app,
        Method::GET,
        "/api/v1/integrity/incidents",
        &bayingolin,
        None,
    )
    .await;
    assert_eq!((status, open["total"].clone()), (200, json!(0)));
    let (_, every) = call(
        &app,
        Method::GET,
        "/api/v1/integrity/incidents?open=false",
        &bayingolin,
        None,
    )
    .await;
    assert!(every["total"].as_i64().unwrap() >= 1, "{every}");
}

#[tokio::test]
async fn the_console_reviews_incidents_and_the_staff_see_only_a_count() {
    let app = app().await;
    let venue = app.create_venue("孔雀河宾馆", "652801", "hotel").await;
    let venue_id = venue["id"].as_i64().unwrap();
    for i in 0..8 {
        let from = format!("203.0.113.{}", 40 + i);
        rate_from(&app, &venue, &format!("buyer{i}"), &from, 5).await;
    }
    assert_eq!(app.scan_integrity().await.held, 8);
    assert_eq!(counted(&app, venue_id).await, 0);
    let incident_id: i64 =
        sqlx::query_scalar("SELECT incident_id FROM integrity_holds WHERE venue_id = $1 LIMIT 1")
            .bind(venue_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();

    app.venue_staff("desk", &[&venue]).await;
    let staff = app.sign_in("desk").await;
    let dashboard = staff
        .get_page(&format!("/dashboard/venues/{venue_id}?lang=en"))
        .await;
    assert_eq!(dashboard.status, 200);
    let line = dashboard.texts("#under-review").join(" ");
    assert!(
        line.contains("8 ratings of this venue are under review"),
        "{line}"
    );
    assert!(!dashboard.text().contains("One address prefix"));
    assert_eq!(staff.get_page("/console/integrity").await.status, 403);
    let path = format!("/console/integrity/{incident_id}");
    assert_eq!(staff.get_page(&path).await.status, 403);

    let korla = app.supervisor("korla", "regulator", Some("652801")).await;
    let queue = korla.get_page("/console/integrity?lang=en").await;
    assert_eq!(queue.status, 200);
    let text = queue.text();
    assert!(text.contains("孔雀河宾馆"), "{text}");
    assert!(
        text.contains("8 ratings within 1 h where about 0.2 were usual; 8 of them 4–5★"),
        "{text}"
    );
    let changji = app.supervisor("changji", "regulator", Some("652300")).await;
    assert!(
        !changji
            .get_page("/console/integrity?lang=en")
            .await
            .text()
            .contains("孔雀河宾馆")
    );
    assert_eq!(changji.get_page(&path).await.status, 404);

    let page = korla.get_page(&format!("{path}?lang=en")).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Decide every rating still held"));
    // No form token: refused, nothing decided.
    let decide = format!("{path}/decision");
    let refused = korla
        .post_exact(&decide, &[("decision", "release"), ("reason", "x")])
        .await;
    assert_eq!(refused.status().as_u16(), 403);
    // No reason: the page again, with why, nothing decided.
    let again = korla
        .post_page(
            &format!("{decide}?lang=en"),
            &[("decision", "release"), ("reason", "")],
        )
        .await;
    assert_eq!(again.status, 422);
    assert_eq!(counted(&app, venue_id).await, 0);
    let done = korla
        .post_form(
            &decide,
            &[("decision", "release"), ("reason", "旅行团同住一家酒店")],
        )
        .await;
    assert_eq!(done.status().as_u16(), 303);
    assert_eq!(counted(&app, venue_id).await, 8);
    let after = staff
        .get_page(&format!("/dashboard/venues/{venue_id}?lang=en"))
        .await;
    assert!(after.texts("#under-review").is_empty());
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'integrity.release' AND target = $1",
    )
    .bind(format!("incident:{incident_id}"))
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    let admin = app.supervisor("root", "admin", None).await;
    assert_eq!(admin.get_page(&path).await.status, 200);
}
