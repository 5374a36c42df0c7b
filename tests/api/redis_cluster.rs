//! The service on a Redis Cluster (`REDIS_URL=redis+cluster://…`): dedupe,
//! rate limits, live counters, their reconciliation and sign-in sessions
//! work as on one server, and a primary killed while ratings arrive loses
//! none of them. Needs `REDIS_CLUSTER_URL` (deploy/redis-cluster.sh env);
//! skipped without it.

use std::time::Duration;

use qrfeedback::domain::day::local_day;
use qrfeedback::jobs::reconcile::reconcile;
use qrfeedback::live::Live;
use redis::cluster_async::ClusterConnection;
use serde_json::{Value, json};
use tokio::sync::{Mutex, MutexGuard};

use crate::common::{Options, TestApp, eventually, spawn_app_with};

/// One cluster test at a time: one of them takes a primary down, which
/// would fail the sign-ins of any other running beside it.
static CLUSTER: Mutex<()> = Mutex::const_new(());

/// The local cluster's URL in the service's form, or `None` (with a word
/// on stderr) when the tests are to be skipped.
fn cluster_url() -> Option<String> {
    let url = std::env::var("REDIS_CLUSTER_URL").ok();
    if url.is_none() {
        eprintln!(
            "skipped: REDIS_CLUSTER_URL is unset (deploy/redis-cluster.sh start, then \
             eval \"$(deploy/redis-cluster.sh env)\")"
        );
    }
    url
}

/// The cluster's nodes as plain `redis://` URLs.
fn node_urls(cluster_url: &str) -> Vec<String> {
    let nodes = cluster_url
        .strip_prefix("redis+cluster://")
        .expect("REDIS_CLUSTER_URL starts with redis+cluster://");
    nodes
        .split(',')
        .map(|node| format!("redis://{}/", node.trim_end_matches('/')))
        .collect()
}

/// A connection of the test's own to the cluster, to look at the keys.
async fn cluster_connection(cluster_url: &str) -> ClusterConnection {
    redis::cluster::ClusterClient::new(node_urls(cluster_url))
        .expect("a cluster client")
        .get_async_connection()
        .await
        .expect("connect to the cluster")
}

/// The app on the cluster, once it reports Redis up, and the cluster to itself.
async fn spawn_on_cluster(url: &str, options: Options) -> (TestApp, MutexGuard<'static, ()>) {
    let turn = CLUSTER.lock().await;
    let app = spawn_app_with(Options {
        redis_url: Some(url.to_owned()),
        ..options
    })
    .await;
    assert!(
        redis_reported(&app, "up", Duration::from_secs(10)).await,
        "the app reaches the cluster"
    );
    (app, turn)
}

/// Whether /readyz reports Redis as `state` within `timeout`.
async fn redis_reported(app: &TestApp, state: &str, timeout: Duration) -> bool {
    eventually(timeout, || async {
        let ready: Value = app.get("/readyz").await.json().await.unwrap_or_default();
        ready["redis"] == state
    })
    .await
}

/// Today as the counters' keys spell it.
fn today() -> String {
    local_day(chrono::Utc::now()).format("%Y%m%d").to_string()
}

/// Keys of this app matching `pattern` (after its prefix), on every primary.
async fn keys(conn: &mut ClusterConnection, app: &TestApp, pattern: &str) -> Vec<String> {
    redis::cmd("KEYS")
        .arg(format!("{}:{pattern}", app.db_name))
        .query_async(conn)
        .await
        .expect("KEYS on every primary")
}

async fn get(conn: &mut ClusterConnection, key: &str) -> Option<i64> {
    redis::cmd("GET")
        .arg(key)
        .query_async(conn)
        .await
        .expect("GET")
}

/// Three venues in different regions and categories, so their keys lie in
/// different slots of the cluster.
async fn three_venues(app: &TestApp) -> Vec<Value> {
    vec![
        app.create_venue("孔雀河酒店", "652801", "hotel").await,
        app.create_venue("博湖饭店", "652829", "restaurant").await,
        app.create_venue("尉犁宾馆", "652823", "hotel").await,
    ]
}

/// Posts the ratings all at once.
async fn post_all(app: &TestApp, ratings: &[Value]) -> Vec<reqwest::Response> {
    futures_util::future::join_all(ratings.iter().map(|body| app.post_rating(body))).await
}

fn rating(venue: &Value, device: &str) -> Value {
    json!({ "code": venue["code"], "device_id": format!("device-{device}"), "overall": 4 })
}

#[tokio::test]
async fn ratings_are_deduped_and_counted_in_the_cluster() {
    let Some(url) = cluster_url() else { return };
    let (app, _turn) = spawn_on_cluster(&url, Options::default()).await;
    let venues = three_venues(&app).await;
    // Posted at once, so batches claim slots and add counters of several
    // venues (several hash slots) together.
    let ratings: Vec<Value> = venues
        .iter()
        .flat_map(|venue| (0..2).map(|i| rating(venue, &format!("{}-{i}", venue["id"]))))
        .collect();
    let first = post_all(&app, &ratings).await;
    assert!(first.iter().all(|r| r.status() == 201), "{first:?}");
    let again = post_all(&app, &ratings).await;
    assert!(again.iter().all(|r| r.status() == 409), "{again:?}");
    assert_eq!(app.count("ratings").await, 6);

    let mut conn = cluster_connection(&url).await;
    let day = today();
    for venue in &venues {
        let id = venue["id"].as_i64().unwrap();
        // The claims the dedupe took live in the cluster, under the venue's tag.
        let claims = keys(&mut conn, &app, &format!("{{v:{id}}}:claim:{day}:*")).await;
        assert_eq!(claims.len(), 2, "{claims:?}");
        let counter = format!("{}:{{v:{id}}}:today:{day}", app.db_name);
        assert_eq!(get(&mut conn, &counter).await, Some(2), "{counter}");
        assert_eq!(app.score(id).await["today"], 2);
    }
    let province = format!("{}:{{r:650000}}:today:{day}", app.db_name);
    let hotels = format!("{}:{{c:hotel}}:today:{day}", app.db_name);
    assert_eq!(get(&mut conn, &province).await, Some(6));
    assert_eq!(get(&mut conn, &hotels).await, Some(4));
}

#[tokio::test]
async fn the_rate_limit_counts_in_the_cluster() {
    let Some(url) = cluster_url() else { return };
    let (app, _turn) = spawn_on_cluster(
        &url,
        Options {
            rate_limit_per_minute: 3,
            ..Options::default()
        },
    )
    .await;
    let venue = app.hotel().await;
    let mut statuses = Vec::new();
    for i in 0..5 {
        let response = app.post_rating(&rating(&venue, &format!("rl-{i}"))).await;
        statuses.push(response.status().as_u16());
    }
    // A minute boundary may fall inside the loop.
    assert_eq!(&statuses[..3], &[201, 201, 201]);
    assert!(statuses[3..].contains(&429), "{statuses:?}");
    // Counted by the cluster, not by the app's own fallback.
    let mut conn = cluster_connection(&url).await;
    let windows = keys(&mut conn, &app, &format!("{{v:{}}}:rate:*", venue["id"])).await;
    let mut attempts = 0;
    for window in &windows {
        attempts += get(&mut conn, window).await.unwrap_or(0);
    }
    assert_eq!(attempts, 5, "{windows:?}");
}

#[tokio::test]
async fn reconcile_finds_and_repairs_counters_on_every_primary() {
    let Some(url) = cluster_url() else { return };
    let (app, _turn) = spawn_on_cluster(&url, Options::default()).await;
    let venues = three_venues(&app).await;
    for venue in &venues {
        assert_eq!(app.post_rating(&rating(venue, "rec")).await.status(), 201);
    }
    let day = today();
    let mut conn = cluster_connection(&url).await;
    // Counters of venues Postgres does not know, spread over many slots and
    // so over every primary: a SCAN of one node would miss some.
    let strays: Vec<String> = (0..12)
        .map(|i| format!("{}:{{v:{}}}:today:{day}", app.db_name, 999_000 + i))
        .collect();
    for stray in &strays {
        let _: () = redis::cmd("SET")
            .arg(stray)
            .arg(5)
            .query_async(&mut conn)
            .await
            .unwrap();
    }
    let broken = format!("{}:{{v:{}}}:today:{day}", app.db_name, venues[1]["id"]);
    let _: () = redis::cmd("SET")
        .arg(&broken)
        .arg(99)
        .query_async(&mut conn)
        .await
        .unwrap();

    let live = Live::new(Some(&url), &app.db_name).unwrap();
    let found = reconcile(&app.pool, &live, app.clock.today(), None, true)
        .await
        .unwrap();
    assert!(found.redis_checked, "{found}");
    let mut wrong: Vec<&str> = found.counters.iter().map(|c| c.key.as_str()).collect();
    wrong.sort_unstable();
    let mut expected: Vec<&str> = strays.iter().map(String::as_str).collect();
    expected.push(&broken);
    expected.sort_unstable();
    assert_eq!(wrong, expected);

    let repaired = reconcile(&app.pool, &live, app.clock.today(), None, false)
        .await
        .unwrap();
    assert_eq!(repaired.counters.len(), 13, "{repaired}");
    for stray in &strays {
        assert_eq!(get(&mut conn, stray).await, None, "{stray}");
    }
    assert_eq!(get(&mut conn, &broken).await, Some(1));
    let again = reconcile(&app.pool, &live, app.clock.today(), None, true)
        .await
        .unwrap();
    assert!(again.clean(), "{again}");
}

#[tokio::test]
async fn sessions_and_the_sign_in_throttle_live_in_the_cluster() {
    let Some(url) = cluster_url() else { return };
    let (app, _turn) = spawn_on_cluster(&url, Options::default()).await;
    let venue = app.hotel().await;
    app.venue_staff("desk", &[&venue]).await;

    let first = app.sign_in("desk").await;
    let second = app.sign_in("desk").await;
    for person in [&first, &second] {
        // Twice: the session holds from one request to the next.
        for _ in 0..2 {
            let page = person.fetch("/login?lang=en").await;
            assert_eq!(page.status(), 200);
            let body = page.text().await.unwrap();
            assert!(body.contains(r#"action="/logout""#), "signed in");
        }
    }
    let mut conn = cluster_connection(&url).await;
    assert_eq!(keys(&mut conn, &app, "session:*").await.len(), 2);

    // Ending every session of the account reaches sessions in several slots.
    let done = first.post_form("/logout-everywhere", &[]).await;
    assert_eq!(done.status(), 200);
    assert!(keys(&mut conn, &app, "session:*").await.is_empty());
    for person in [&first, &second] {
        let body = person.fetch("/login?lang=en").await.text().await.unwrap();
        assert!(body.contains(r#"action="/login""#), "signed out");
    }

    // The throttle's script runs on the cluster: five failures, then a wait.
    for _ in 0..5 {
        let wrong = app.sign_in_answer("desk", "not the password at all").await;
        assert_eq!(wrong.status(), 401);
    }
    let throttled = app
        .sign_in_answer("desk", crate::common::ACCOUNT_PASSWORD)
        .await;
    assert_eq!(throttled.status(), 429);
}

/// The pid of the Redis node at `node_url`.
async fn node_pid(node_url: &str) -> u32 {
    let client = redis::Client::open(node_url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let info: String = redis::cmd("INFO")
        .arg("server")
        .query_async(&mut conn)
        .await
        .unwrap();
    info.lines()
        .find_map(|line| line.strip_prefix("process_id:"))
        .and_then(|pid| pid.trim().parse().ok())
        .expect("INFO names the process")
}

/// The `redis://` URL of a primary that serves slots, asked of the node at `seed`.
async fn a_primary(seed: &str) -> String {
    let client = redis::Client::open(seed).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let nodes: String = redis::cmd("CLUSTER")
        .arg("NODES")
        .query_async(&mut conn)
        .await
        .unwrap();
    nodes
        .lines()
        .map(|line| line.split(' ').collect::<Vec<_>>())
        .find(|fields| {
            fields.len() > 8 && fields[2].contains("master") && !fields[2].contains("fail")
        })
        .map(|fields| {
            let address = fields[1].split('@').next().unwrap();
            format!("redis://{address}/")
        })
        .expect("a primary with slots")
}

#[tokio::test]
async fn a_primary_killed_while_ratings_arrive_loses_none_of_them() {
    let Some(url) = cluster_url() else { return };
    let (app, _turn) = spawn_on_cluster(&url, Options::default()).await;
    let venues = three_venues(&app).await;
    let victim = a_primary(&node_urls(&url)[0]).await;
    let pid = node_pid(&victim).await;

    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    let mut killed = false;
    let mut saw_down = false;
    let started = std::time::Instant::now();
    let mut round = 0;
    // Ratings before, during and after the kill and the failover.
    while started.elapsed() < Duration::from_secs(6) {
        if !killed && round == 5 {
            // A crash, not a shutdown: the node answers nothing more.
            let status = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status()
                .unwrap();
            assert!(status.success(), "kill {victim}");
            killed = true;
        }
        let ratings: Vec<Value> = venues
            .iter()
            .map(|venue| rating(venue, &format!("kill-{round}")))
            .collect();
        let answers = post_all(&app, &ratings).await;
        for answer in answers {
            if answer.status() == 201 {
                let body: Value = answer.json().await.unwrap();
                accepted.push(body["id"].as_i64().unwrap());
            } else {
                refused.push(answer.status().as_u16());
            }
        }
        if killed {
            let ready: Value = app.get("/readyz").await.json().await.unwrap();
            saw_down |= ready["redis"] == "down";
        }
        round += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(killed);
    // The ratings during the outage were taken without that part of Redis.
    assert!(saw_down, "the app noticed the primary gone");
    assert!(
        refused.is_empty(),
        "refused while a primary died: {refused:?}"
    );
    let stored: Vec<i64> = sqlx::query_scalar("SELECT id FROM ratings ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    accepted.sort_unstable();
    assert_eq!(stored, accepted, "every acknowledged rating is stored");

    // The dead primary's replica takes over and the app uses the cluster again.
    let recovered = redis_reported(&app, "up", Duration::from_secs(20)).await;
    // Bring the node back (as a replica now) before anything can fail, so
    // later tests find the whole cluster.
    let root = env!("CARGO_MANIFEST_DIR");
    let restart = tokio::process::Command::new(format!("{root}/deploy/redis-cluster.sh"))
        .arg("start")
        .status()
        .await
        .unwrap();
    assert!(recovered, "the cluster recovered after the failover");
    assert!(restart.success(), "the killed node came back");

    let after = app.post_rating(&rating(&venues[0], "after")).await;
    assert_eq!(after.status(), 201);
    let twice = app.post_rating(&rating(&venues[0], "after")).await;
    assert_eq!(twice.status(), 409);
    // Counters were rebuilt from Postgres once the cluster was back, so
    // none of the ratings taken meanwhile is missing from them.
    let mut conn = cluster_connection(&url).await;
    let province = format!("{}:{{r:650000}}:today:{}", app.db_name, today());
    let counted = eventually(Duration::from_secs(10), || {
        let (mut conn, province, app) = (conn.clone(), &province, &app);
        async move { get(&mut conn, province).await == Some(app.count("ratings").await) }
    })
    .await;
    assert!(
        counted,
        "province counter {:?}, ratings {}",
        get(&mut conn, &province).await,
        app.count("ratings").await
    );
}
