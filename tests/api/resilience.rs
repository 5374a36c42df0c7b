use std::time::Duration;

use crate::common::{Options, eventually, spawn_app_with};
use serde_json::{Value, json};

#[tokio::test]
async fn ratings_are_accepted_while_redis_is_down_and_counters_are_rebuilt_after() {
    let mut app = spawn_app_with(Options {
        private_redis: true,
        ..Options::default()
    })
    .await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    let code = venue["code"].as_str().unwrap().to_owned();
    let rate =
        |i: usize| json!({ "code": code, "device_id": format!("redis-test-{i:04}"), "overall": 4 });

    assert_eq!(app.post_rating(&rate(0)).await.status(), 201);
    app.redis.as_mut().unwrap().stop();

    // Still accepted and acknowledged, with Postgres as the only guard.
    for i in 1..=3 {
        assert_eq!(app.post_rating(&rate(i)).await.status(), 201);
    }
    assert_eq!(
        app.post_rating(&rate(1)).await.status(),
        409,
        "the Postgres constraint still dedupes"
    );
    let ready: Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(ready["redis"], "down");
    assert_eq!(ready["postgres"], "up");
    assert_eq!(
        app.score(venue_id).await["today"],
        4,
        "today falls back to Postgres"
    );

    app.redis.as_mut().unwrap().restart();
    let redis = app.redis.as_ref().unwrap();
    let day = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .format("%Y%m%d")
        .to_string();
    let key = format!("{}:{{v:{venue_id}}}:today:{day}", app.db_name);
    let region_key = format!("{}:{{r:650000}}:today:{day}", app.db_name);
    let seen = std::sync::Mutex::new((None, None));
    let rebuilt = eventually(Duration::from_secs(10), || async {
        let mut conn = redis.connection().await;
        let venue: Option<i64> = redis::cmd("GET")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .unwrap();
        let province: Option<i64> = redis::cmd("GET")
            .arg(&region_key)
            .query_async(&mut conn)
            .await
            .unwrap();
        if let Ok(mut last) = seen.lock() {
            *last = (venue, province);
        }
        venue == Some(4) && province == Some(4)
    })
    .await;
    assert!(
        rebuilt,
        "counters rebuilt from Postgres after Redis returned; last seen (venue, province): {:?}",
        seen.lock().map(|s| *s).ok()
    );
    let ready: Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(ready["redis"], "up");

    assert_eq!(app.post_rating(&rate(9)).await.status(), 201);
    let mut conn = redis.connection().await;
    let venue_count: i64 = redis::cmd("GET")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(venue_count, 5, "live counting resumes");
}

#[tokio::test]
async fn postgres_down_answers_503_with_retry_after_quickly() {
    let app = spawn_app_with(Options {
        unreachable_postgres: true,
        ..Options::default()
    })
    .await;
    let started = std::time::Instant::now();
    let response = app
        .post_rating(&json!({ "code": "abcdefghijkl", "overall": 5 }))
        .await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/unavailable");
    assert!(started.elapsed() < Duration::from_secs(10));

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    let page = app.get("/r/abcdefghijkl").await;
    assert_eq!(page.status(), 503);
    assert!(page.headers().contains_key("retry-after"));
    assert!(page.text().await.unwrap().contains("<html"));
}

/// Counters rebuilt after each of several Redis restarts, while ratings keep
/// arriving, end equal to Postgres: no commit falls between a rebuild's read
/// of Postgres and its write to Redis.
#[tokio::test]
async fn counters_rebuilt_while_ratings_keep_arriving_equal_postgres() {
    let mut app = spawn_app_with(Options {
        private_redis: true,
        ..Options::default()
    })
    .await;
    let venues = [
        app.create_venue("孔雀河酒店", "652801", "hotel").await,
        app.create_venue("博湖饭店", "652829", "restaurant").await,
        app.create_venue("尉犁宾馆", "652823", "hotel").await,
    ];
    let codes: Vec<String> = venues
        .iter()
        .map(|v| v["code"].as_str().unwrap().to_owned())
        .collect();
    let running = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let poster = tokio::spawn({
        let (client, address, running) = (app.client.clone(), app.address.clone(), running.clone());
        async move {
            let mut round = 0;
            while running.load(std::sync::atomic::Ordering::Relaxed) {
                let posts = codes.iter().map(|code| {
                    client
                        .post(format!("{address}/api/v1/ratings"))
                        .json(&json!({ "code": code, "device_id": format!("arrive-{round}"), "overall": 5 }))
                        .send()
                });
                for answer in futures_util::future::join_all(posts).await {
                    assert_eq!(answer.unwrap().status(), 201);
                }
                round += 1;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            round
        }
    });
    let ready = |app: &crate::common::TestApp| {
        let (client, address) = (app.client.clone(), app.address.clone());
        async move {
            let ready: Value = client
                .get(format!("{address}/readyz"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            ready["redis"] == "up"
        }
    };
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        app.redis.as_mut().unwrap().stop();
        tokio::time::sleep(Duration::from_millis(300)).await;
        app.redis.as_mut().unwrap().restart();
        assert!(eventually(Duration::from_secs(10), || ready(&app)).await);
    }
    // Ratings keep arriving through the last rebuild and after it.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    running.store(false, std::sync::atomic::Ordering::Relaxed);
    let rounds = poster.await.unwrap();
    assert!(rounds > 20, "ratings arrived throughout: {rounds} rounds");

    let redis = app.redis.as_ref().unwrap();
    let day = app.clock.today().format("%Y%m%d").to_string();
    let mut keys = vec![(format!("{}:{{r:650000}}:today:{day}", app.db_name), None)];
    for venue in &venues {
        let id = venue["id"].as_i64().unwrap();
        keys.push((format!("{}:{{v:{id}}}:today:{day}", app.db_name), Some(id)));
    }
    let seen = std::sync::Mutex::new(Vec::new());
    let equal = eventually(Duration::from_secs(10), || async {
        let mut conn = redis.connection().await;
        let mut differences = Vec::new();
        for (key, venue) in &keys {
            let live: Option<i64> = redis::cmd("GET")
                .arg(key)
                .query_async(&mut conn)
                .await
                .unwrap();
            let stored: i64 = match venue {
                Some(id) => sqlx::query_scalar("SELECT count(*) FROM ratings WHERE venue_id = $1")
                    .bind(id)
                    .fetch_one(&app.pool)
                    .await
                    .unwrap(),
                None => app.count("ratings").await,
            };
            if live != Some(stored) {
                differences.push((key.clone(), live, stored));
            }
        }
        let done = differences.is_empty();
        *seen.lock().unwrap() = differences;
        done
    })
    .await;
    assert!(
        equal,
        "counters differ from Postgres: {:?}",
        seen.lock().unwrap()
    );
}
