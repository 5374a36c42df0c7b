//! Alerts for regulators: the rules read from the aggregates (a score drop,
//! red-flag tags piling up, an overdue case) raise each alert once, in the
//! inbox of the venue's region only; each reader marks them read for
//! themselves; the webhook receives each alert signed, a failed delivery is
//! retried, and every attempt is recorded.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::common::{
    ANONYMOUS, Options, TestApp, background_runs, call, eventually, spawn_app_with,
};
use qrfeedback::domain::alerts::webhook_signature;

const SECRET: &str = "webhook-secret-for-tests-0123";

/// One request the receiver got: its headers (names lower-case) and body.
type Received = (Vec<(String, String)>, Vec<u8>);

/// A webhook receiver: answers 500 to the first delivery and 200 to the
/// rest, keeping each request's headers (lower-case) and body.
struct Receiver {
    url: String,
    requests: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/qrf", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let seen = seen.clone();
                tokio::spawn(async move {
                    let mut buffer = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let (head_end, length) = loop {
                        let n = socket.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buffer.extend_from_slice(&chunk[..n]);
                        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buffer[..end]).to_lowercase();
                            let length = head
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:"))
                                .and_then(|v| v.trim().parse::<usize>().ok())
                                .unwrap_or(0);
                            break (end + 4, length);
                        }
                    };
                    while buffer.len() < head_end + length {
                        let n = socket.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        buffer.extend_from_slice(&chunk[..n]);
                    }
                    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
                    let headers = head
                        .lines()
                        .skip(1)
                        .filter_map(|l| l.split_once(':'))
                        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
                        .collect();
                    let body = buffer[head_end..].to_vec();
                    let first = {
                        let mut all = seen.lock().unwrap();
                        all.push((headers, body));
                        all.len() == 1
                    };
                    let answer: &[u8] = if first {
                        b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    } else {
                        b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    };
                    let _ = socket.write_all(answer).await;
                });
            }
        });
        Self { url, requests }
    }
}

async fn rate_with_tags(app: &TestApp, venue: &Value, device: &str, tags: &[&str]) {
    let response = app
        .post_rating(&json!({
            "code": venue["code"], "device_id": format!("phone-{device}-0000"),
            "overall": 1, "tags": tags,
        }))
        .await;
    assert_eq!(response.status().as_u16(), 201);
}

#[tokio::test]
async fn the_rules_raise_alerts_once_in_scope_and_the_webhook_gets_them_signed_and_retried() {
    let receiver = Receiver::start().await;
    let url: &'static str = Box::leak(receiver.url.clone().into_boxed_str());
    let app = spawn_app_with(Options {
        env: vec![
            ("ALERT_SCAN_SECONDS", "1"),
            ("ALERT_WEBHOOK_URL", url),
            ("ALERT_WEBHOOK_SECRET", SECRET),
            ("ALERT_WEBHOOK_RETRY_SECONDS", "1"),
        ],
        ..Options::default()
    })
    .await;
    // Red flags: three ratings tagged overcharging or forced shopping.
    let shop = app.create_venue("库尔勒玉器店", "652801", "shop").await;
    let shop_id = shop["id"].as_i64().unwrap();
    rate_with_tags(&app, &shop, "a", &["overcharging"]).await;
    rate_with_tags(&app, &shop, "b", &["forced_shopping"]).await;
    rate_with_tags(&app, &shop, "c", &["overcharging"]).await;
    // A score drop: 4.8 over the four weeks before, about 2 this week.
    let hotel = app.create_venue("孔雀河宾馆", "652801", "hotel").await;
    let hotel_id = hotel["id"].as_i64().unwrap();
    // The rules run every second while this is written: the case's rating
    // and the weeks before come first, so the drop is whole when it shows.
    let (case_id, code) = app
        .file_case(&hotel, "late", "房间漏水", "13800138000")
        .await;
    for (days_ago, stars) in [(20, 5), (21, 5), (22, 4), (23, 5), (24, 5), (3, 2)] {
        let n = 12;
        let hist: Vec<i32> = (1..=5).map(|k| if k == stars { n } else { 0 }).collect();
        sqlx::query(
            "INSERT INTO venue_day_stats (venue_id, day, ratings_count, overall_sum, overall_hist,
                 environment_count, environment_sum, environment_hist, skill_count, skill_sum, skill_hist,
                 attitude_count, attitude_sum, attitude_hist, complaints_count)
             VALUES ($1, $2, $3, $4, $5, 0, 0, '{0,0,0,0,0}', 0, 0, '{0,0,0,0,0}', 0, 0, '{0,0,0,0,0}', 0)",
        )
        .bind(hotel_id)
        .bind(app.clock.today() - chrono::Duration::days(days_ago))
        .bind(n)
        .bind(stars * n)
        .bind(&hist)
        .execute(&app.pool)
        .await
        .unwrap();
    }
    // The case's due time passed: overdue.
    sqlx::query("UPDATE complaints SET due_at = now() - interval '1 hour' WHERE id = $1")
        .bind(case_id)
        .execute(&app.pool)
        .await
        .unwrap();

    let bayingolin = app
        .api_token(json!({"name": "bz", "role": "regulator", "region_code": "652800"}))
        .await;
    let inbox = || async {
        let (status, body) = call(&app, Method::GET, "/api/v1/alerts", &bayingolin, None).await;
        assert_eq!(status, 200, "{body}");
        body
    };
    assert!(
        eventually(Duration::from_secs(20), || async {
            inbox().await["total"] == 3
        })
        .await,
        "{}",
        inbox().await
    );
    let body = inbox().await;
    let items = body["items"].as_array().unwrap();
    let of = |kind: &str| {
        items
            .iter()
            .find(|a| a["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {items:?}"))
            .clone()
    };
    let flags = of("red_flag_cluster");
    assert_eq!(flags["venue_id"], shop_id);
    assert_eq!(flags["details"]["red_flags"], 3);
    assert_eq!(flags["details"]["by_tag"]["overcharging"], 2);
    let drop = of("score_drop");
    assert_eq!(drop["venue_id"], hotel_id);
    // Twelve 2★ three days ago and the complaint's 1★ today.
    assert_eq!(drop["details"]["recent_average"], 1.92);
    assert_eq!(drop["details"]["recent_ratings"], 13);
    assert_eq!(drop["details"]["before_average"], 4.8);
    let overdue = of("overdue_case");
    assert_eq!(overdue["details"]["case_id"], case_id);
    assert_eq!(overdue["details"]["tracking_code"], code.as_str());
    assert_eq!(body["unread"], 3);
    // Two more rounds of the rules: still three, each raised once.
    let rounds = background_runs(&app.address, "alert_rules").await;
    assert!(
        eventually(Duration::from_secs(20), || async {
            background_runs(&app.address, "alert_rules").await >= rounds + 2
        })
        .await
    );
    assert_eq!(inbox().await["total"], 3);

    // Another prefecture sees none; venue staff and strangers cannot look.
    let changji = app
        .api_token(json!({"name": "cj", "role": "regulator", "region_code": "652300"}))
        .await;
    let (status, theirs) = call(&app, Method::GET, "/api/v1/alerts", &changji, None).await;
    assert_eq!((status, theirs["total"].clone()), (200, json!(0)));
    let desk = app
        .api_token(json!({"name": "desk", "role": "venue_staff", "venue_ids": [shop_id]}))
        .await;
    assert_eq!(
        call(&app, Method::GET, "/api/v1/alerts", &desk, None)
            .await
            .0,
        403
    );
    assert_eq!(
        call(&app, Method::GET, "/api/v1/alerts", ANONYMOUS, None)
            .await
            .0,
        401
    );

    // Read for the reader alone, audited once; out of scope it is not there.
    let read_path = format!("/api/v1/alerts/{}/read", flags["id"]);
    assert_eq!(
        call(&app, Method::POST, &read_path, &changji, None).await.0,
        404
    );
    assert_eq!(
        call(&app, Method::POST, &read_path, &desk, None).await.0,
        403
    );
    assert_eq!(
        call(&app, Method::POST, &read_path, &bayingolin, None)
            .await
            .0,
        204
    );
    assert_eq!(
        call(&app, Method::POST, &read_path, &bayingolin, None)
            .await
            .0,
        204
    );
    assert_eq!(inbox().await["unread"], 2);
    let (_, unread) = call(
        &app,
        Method::GET,
        "/api/v1/alerts?unread=true",
        &bayingolin,
        None,
    )
    .await;
    assert_eq!(unread["total"], 2);
    assert!(
        unread["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["id"] != flags["id"])
    );
    let korla = app
        .api_token(json!({"name": "kl", "role": "regulator", "region_code": "652801"}))
        .await;
    let (_, theirs) = call(&app, Method::GET, "/api/v1/alerts", &korla, None).await;
    assert_eq!(theirs["unread"], 3);
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'alert.read'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(audited, 1);

    // The webhook: every alert delivered, the first after a 500 and a retry.
    let delivered = eventually(Duration::from_secs(30), || async {
        let states: Vec<String> = sqlx::query_scalar("SELECT delivery FROM alerts")
            .fetch_all(&app.pool)
            .await
            .unwrap();
        states.len() == 3 && states.iter().all(|s| s == "delivered")
    })
    .await;
    assert!(delivered);
    let attempts: Vec<(i64, i32, Option<i32>)> = sqlx::query_as(
        "SELECT alert_id, attempt, status FROM alert_deliveries ORDER BY attempted_at, attempt",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(attempts.len(), 4, "{attempts:?}");
    assert_eq!(attempts[0].2, Some(500));
    let retried = attempts[0].0;
    assert!(attempts.contains(&(retried, 2, Some(200))), "{attempts:?}");
    let requests = receiver.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 4);
    for (headers, body) in &requests {
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let timestamp: i64 = header("x-qrfeedback-timestamp").parse().unwrap();
        let expected = webhook_signature(SECRET.as_bytes(), timestamp, body);
        assert_eq!(
            header("x-qrfeedback-signature"),
            format!("sha256={expected}")
        );
        let sent: Value = serde_json::from_slice(body).unwrap();
        assert!(
            sent["kind"].is_string() && sent["venue_id"].is_i64(),
            "{sent}"
        );
    }

    // The console's inbox: in words, read for the person alone.
    let person = app.supervisor("korla", "regulator", Some("652801")).await;
    let page = person.get_page("/console/alerts?lang=en").await;
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(
        text.contains("3 red-flag tags in the last 7 days."),
        "{text}"
    );
    assert!(text.contains(&format!("Case {code} was due")), "{text}");
    assert_eq!(page.texts("#unread-count"), ["3 unread"]);
    let mark = format!("/console/alerts/{}/read", drop["id"]);
    assert_eq!(person.post_exact(&mark, &[]).await.status().as_u16(), 403);
    assert_eq!(person.post_form(&mark, &[]).await.status().as_u16(), 303);
    let after = person.get_page("/console/alerts?lang=en&unread=true").await;
    assert_eq!(after.texts("#unread-count"), ["2 unread"]);
    assert!(!after.text().contains("Average stars fell"));
    app.venue_staff("desk-person", &[&shop]).await;
    let staff = app.sign_in("desk-person").await;
    assert_eq!(staff.get_page("/console/alerts").await.status, 403);
    assert_eq!(staff.post_form(&mark, &[]).await.status().as_u16(), 403);
}
