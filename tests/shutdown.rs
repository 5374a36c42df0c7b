//! SIGTERM while ratings are in flight: every acknowledged rating is stored,
//! and the process exits cleanly.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_in_flight_ratings_and_exits_cleanly() {
    let (db_name, pool) = common::fresh_database().await;
    let base = std::env::var("DATABASE_URL").unwrap();
    let database_url = format!("{}/{db_name}", base.rsplit_once('/').unwrap().0);
    let port = common::free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_qrfeedback"))
        .arg("serve")
        .env("DATABASE_URL", &database_url)
        .env("REDIS_URL", std::env::var("REDIS_URL").unwrap())
        .env("REDIS_KEY_PREFIX", &db_name)
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("ADMIN_TOKEN", common::ADMIN_TOKEN)
        .env("SECRET_KEY", "shutdown-test-secret-0123456789abcdef")
        .env("RATE_LIMIT_PER_MINUTE", "0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start qrfeedback serve");
    let address = format!("http://127.0.0.1:{port}");
    qrfeedback::startup::install_tls_provider();
    let client = reqwest::Client::new();
    let up = common::eventually(Duration::from_secs(20), || {
        let request = client.get(format!("{address}/readyz"));
        async move { request.send().await.is_ok_and(|r| r.status() == 200) }
    })
    .await;
    assert!(up, "server did not become ready");

    let venue: Value = client
        .post(format!("{address}/api/v1/venues"))
        .bearer_auth(common::ADMIN_TOKEN)
        .json(&json!({ "name": "关停测试", "region_code": "652801", "category": "hotel" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let mut tasks = Vec::new();
    for i in 0..300 {
        let client = client.clone();
        let url = format!("{address}/api/v1/ratings");
        let body =
            json!({ "code": venue["code"], "device_id": format!("drain-{i:05}"), "overall": 3 });
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(i as u64)).await;
            match client.post(url).json(&body).send().await {
                Ok(response) => Some(response.status().as_u16()),
                Err(_) => None, // refused after the listener closed: never acknowledged
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(120)).await;
    let signalled = Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());

    let mut acknowledged = 0i64;
    for task in tasks {
        match task.await.unwrap() {
            Some(201) => acknowledged += 1,
            Some(status) => assert!(status != 500, "no 500 during shutdown"),
            None => {}
        }
    }
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(35),
            "did not exit after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "clean exit, got {status:?}");
    eprintln!("acknowledged {acknowledged} of 300 around SIGTERM");
    assert!(
        acknowledged > 0,
        "some ratings were in flight before the signal"
    );
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM ratings")
        .fetch_one(&pool)
        .await
        .unwrap();
    let counted: i64 =
        sqlx::query_scalar("SELECT coalesce(sum(ratings_count), 0)::int8 FROM venue_day_stats")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(
        stored >= acknowledged,
        "every acknowledged rating is stored ({stored} < {acknowledged})"
    );
    assert_eq!(stored, counted);
}
