//! The maintenance commands: `recompute`, `reconcile` and `rotate-contacts`.

use tokio::process::Command;

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::common::{
    ADMIN_TOKEN, Options, SECRET_KEY, database_url_for, fresh_database, spawn_app, spawn_app_with,
};
use qrfeedback::domain::day::local_day;
use qrfeedback::domain::secrets::{DEMO_ADMIN_TOKEN, DEMO_SECRET_KEY};
use qrfeedback::jobs::reconcile::reconcile;
use qrfeedback::live::Live;

/// The command with the test settings, on the test's database as its owner.
fn command(db_name: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_qrfeedback"));
    command
        .args(args)
        .env("DATABASE_URL", database_url_for(db_name))
        .env("REDIS_URL", std::env::var("REDIS_URL").unwrap())
        .env("REDIS_KEY_PREFIX", db_name)
        .env("ADMIN_TOKEN", ADMIN_TOKEN)
        .env("SECRET_KEY", SECRET_KEY)
        .env("BIND_ADDR", "127.0.0.1:0")
        .env_remove("QRF_DEMO")
        .env_remove("QRF_CONFIG")
        .kill_on_drop(true);
    command
}

async fn qrfeedback(db_name: &str, args: &[&str]) -> String {
    // Async, so the app under test (on this same runtime) keeps running
    // while the command waits for it, e.g. on the lock of a score refresh.
    let output = command(db_name, args)
        .output()
        .await
        .expect("run qrfeedback");
    assert!(
        output.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test]
async fn recompute_scores_every_venue_and_prints_a_summary_line() {
    let app = spawn_app().await;
    let hotel = app.hotel().await;
    app.create_venue("昌吉餐厅", "652301", "restaurant").await;
    for i in 0..5 {
        app.rate(&hotel, &format!("rc-{i}"), 4).await;
    }
    // Forget everything the refresher stored, then rebuild it from the command line.
    sqlx::query("DELETE FROM region_scores")
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM venue_scores")
        .execute(&app.pool)
        .await
        .unwrap();
    let out = qrfeedback(&app.db_name, &["recompute"]).await;
    assert!(out.starts_with("recomputed 2 venues"), "{out}");
    let published: i64 = sqlx::query_scalar("SELECT count(*) FROM venue_scores WHERE published")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(published, 1);
    // Province: hotel, restaurant and '*'; each prefecture and county: its one category and '*'.
    assert_eq!(app.count("region_scores").await, 3 + 4 * 2);
}

#[tokio::test]
async fn reconcile_repairs_broken_aggregates_and_live_counters() {
    let app = spawn_app_with(Options {
        no_redis: true,
        ..Options::default()
    })
    .await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    for (i, tags) in [["clean"], ["clean"], ["long_wait"]].iter().enumerate() {
        let body = serde_json::json!({ "code": venue["code"], "device_id": format!("device-rec-{i}"), "overall": 4, "tags": tags });
        assert_eq!(app.post_rating(&body).await.status(), 201);
    }
    let day = local_day(chrono::Utc::now()).format("%Y%m%d").to_string();
    let client = redis::Client::open(std::env::var("REDIS_URL").unwrap()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let venue_key = format!("{}:{{v:{venue_id}}}:today:{day}", app.db_name);
    let region_key = format!("{}:{{r:650000}}:today:{day}", app.db_name);
    let stray_key = format!("{}:{{v:999999}}:today:{day}", app.db_name);
    // The app runs without Redis, so only reconcile writes these counters:
    // the first run creates them from the aggregates, the second finds nothing.
    let live = Live::new(std::env::var("REDIS_URL").ok().as_deref(), &app.db_name).unwrap();
    let first = reconcile(&app.pool, &live, app.clock.today(), None, false)
        .await
        .unwrap();
    assert!(first.aggregates.is_empty(), "{first}");
    assert!(first.redis_checked);
    // Venue, county, prefecture, province and category.
    assert_eq!(first.counters.len(), 5, "{first}");
    let second = reconcile(&app.pool, &live, app.clock.today(), None, false)
        .await
        .unwrap();
    assert!(second.clean(), "{second}");

    // Break the aggregate, a tag count and two live counters.
    sqlx::query("UPDATE venue_day_stats SET ratings_count = ratings_count + 7, overall_hist[4] = 0 WHERE venue_id = $1")
        .bind(venue_id)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE venue_day_tags SET count = 40 WHERE venue_id = $1 AND tag = 'clean'")
        .bind(venue_id)
        .execute(&app.pool)
        .await
        .unwrap();
    let _: () = redis::cmd("SET")
        .arg(&venue_key)
        .arg(999)
        .query_async(&mut conn)
        .await
        .unwrap();
    let _: () = redis::cmd("DEL")
        .arg(&region_key)
        .query_async(&mut conn)
        .await
        .unwrap();
    let _: () = redis::cmd("SET")
        .arg(&stray_key)
        .arg(5)
        .query_async(&mut conn)
        .await
        .unwrap();

    let dry = reconcile(&app.pool, &live, app.clock.today(), None, true)
        .await
        .unwrap();
    assert_eq!(dry.aggregates.len(), 1, "{dry}");
    // Counters are held against the aggregates as they stand (still broken here).
    assert!(dry.counters.iter().any(|c| c.key == stray_key), "{dry}");
    let still_broken: i32 =
        sqlx::query_scalar("SELECT ratings_count FROM venue_day_stats WHERE venue_id = $1")
            .bind(venue_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(still_broken, 10, "a dry run repairs nothing");

    let repaired = reconcile(&app.pool, &live, app.clock.today(), None, false)
        .await
        .unwrap();
    assert_eq!(repaired.aggregates.len(), 1, "{repaired}");
    assert_eq!(repaired.aggregates[0].before, Some(10));
    assert_eq!(repaired.aggregates[0].after, 3);
    assert_eq!(repaired.counters.len(), 3, "{repaired}");
    assert!(repaired.to_string().contains("repaired"));

    let (count, hist): (i32, Vec<i32>) = sqlx::query_as(
        "SELECT ratings_count, overall_hist FROM venue_day_stats WHERE venue_id = $1",
    )
    .bind(venue_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((count, hist), (3, vec![0, 0, 0, 3, 0]));
    let clean: i32 = sqlx::query_scalar(
        "SELECT count FROM venue_day_tags WHERE venue_id = $1 AND tag = 'clean'",
    )
    .bind(venue_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(clean, 2);
    let venue_live: Option<i64> = redis::cmd("GET")
        .arg(&venue_key)
        .query_async(&mut conn)
        .await
        .unwrap();
    let region_live: Option<i64> = redis::cmd("GET")
        .arg(&region_key)
        .query_async(&mut conn)
        .await
        .unwrap();
    let stray_live: Option<i64> = redis::cmd("GET")
        .arg(&stray_key)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        (venue_live, region_live, stray_live),
        (Some(3), Some(3), None)
    );

    let after = reconcile(&app.pool, &live, app.clock.today(), None, false)
        .await
        .unwrap();
    assert!(after.clean(), "{after}");
    // The command line says the same.
    let out = qrfeedback(&app.db_name, &["reconcile", "--days", "2"]).await;
    assert!(
        out.contains("0 venue day(s) and 0 live counter(s)"),
        "{out}"
    );
}

#[tokio::test]
async fn stored_scores_equal_the_method_applied_to_the_raw_ratings() {
    use qrfeedback::domain::scoring::{
        Measures, RatingInput, ScoringParams, choose_priors, inputs_from_ratings, score_venue,
    };
    let app = spawn_app_with(Options {
        no_redis: true,
        ..Options::default()
    })
    .await;
    let a = app.create_venue("甲酒店", "652801", "hotel").await["id"]
        .as_i64()
        .unwrap();
    let b = app.create_venue("乙酒店", "652822", "hotel").await["id"]
        .as_i64()
        .unwrap();
    // Raw ratings over 500 days, written straight into the table; reconcile
    // then builds the day aggregates from them, and recompute the scores.
    let today = local_day(chrono::Utc::now());
    let mut raw: Vec<(i64, RatingInput)> = Vec::new();
    for i in 0..70i64 {
        let venue = if i % 3 == 0 { b } else { a };
        let age = (i * 37) % 500;
        let overall = (1 + (i * 7) % 5) as u8;
        let quarantined = i % 11 == 0;
        let environment = (i % 2 == 0).then_some(1 + ((i * 3) % 5) as u8);
        sqlx::query(
            "INSERT INTO ratings (venue_id, day, device_hash, overall, environment, quarantined_at)
             VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN now() END)",
        )
        .bind(venue)
        .bind(today - chrono::Duration::days(age))
        .bind(format!("device-{i}").into_bytes())
        .bind(i16::from(overall))
        .bind(environment.map(i16::from))
        .bind(quarantined)
        .execute(&app.pool)
        .await
        .unwrap();
        raw.push((
            venue,
            RatingInput {
                overall,
                environment,
                skill: None,
                attitude: None,
                age_days: age as f64,
                quarantined,
            },
        ));
    }
    let repaired = reconcile(&app.pool, &Live::default(), app.clock.today(), None, false)
        .await
        .unwrap();
    assert!(!repaired.aggregates.is_empty());
    qrfeedback(&app.db_name, &["recompute"]).await;

    let params = ScoringParams::default();
    let of = |venue: i64| -> Vec<RatingInput> {
        raw.iter()
            .filter(|(v, _)| *v == venue)
            .map(|(_, r)| *r)
            .collect()
    };
    let all: Vec<RatingInput> = raw.iter().map(|(_, r)| *r).collect();
    let slice: Measures = inputs_from_ratings(&params, &all).measures;
    // Both venues are the only hotels anywhere: province and nation coincide.
    let priors = choose_priors(&params, &slice, &slice);
    for venue in [a, b] {
        let expected = score_venue(&params, &inputs_from_ratings(&params, &of(venue)), &priors);
        let (score, ratings, environment): (Option<f64>, i32, Option<f64>) = sqlx::query_as(
            "SELECT score_0_100, ratings_window, environment_0_100 FROM venue_scores WHERE venue_id = $1",
        )
        .bind(venue)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(i64::from(ratings), expected.ratings_in_window);
        let close = |x: Option<f64>, y: Option<f64>| match (x, y) {
            (Some(x), Some(y)) => (x - y).abs() < 1e-9,
            (None, None) => true,
            _ => false,
        };
        assert!(
            close(score, expected.score_0_100),
            "{venue}: {score:?} vs {:?}",
            expected.score_0_100
        );
        assert!(
            close(environment, expected.environment_0_100),
            "{venue}: {environment:?} vs {:?}",
            expected.environment_0_100
        );
        assert!(expected.published, "the fixture is large enough to publish");
    }
}

#[tokio::test]
async fn serve_refuses_the_demo_secrets_and_weak_ones_without_printing_them() {
    let (db_name, _pool) = fresh_database().await;
    let repeated = "x".repeat(48);
    for (admin_token, secret_key, named) in [
        (DEMO_ADMIN_TOKEN, DEMO_SECRET_KEY, "ADMIN_TOKEN"),
        (ADMIN_TOKEN, DEMO_SECRET_KEY, "SECRET_KEY"),
        (ADMIN_TOKEN, repeated.as_str(), "SECRET_KEY"),
        ("admin-token-1234567", SECRET_KEY, "ADMIN_TOKEN"),
    ] {
        // A server that starts would run until killed: give it 30 s to refuse.
        let output = tokio::time::timeout(
            Duration::from_secs(30),
            command(&db_name, &["serve"])
                .env("ADMIN_TOKEN", admin_token)
                .env("SECRET_KEY", secret_key)
                .output(),
        )
        .await
        .unwrap_or_else(|_| panic!("serve started with a weak {named}"))
        .expect("run qrfeedback");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(!output.status.success(), "{named}: {stdout}");
        assert!(stderr.contains(&format!("{named} is invalid")), "{stderr}");
        for printed in [&stderr, &stdout] {
            assert!(!printed.contains(admin_token), "{printed}");
            assert!(!printed.contains(secret_key), "{printed}");
        }
    }

    // With the demo flag the demo values get past the check: the server starts.
    let mut server = command(&db_name, &["serve", "--demo"])
        .env("ADMIN_TOKEN", DEMO_ADMIN_TOKEN)
        .env("SECRET_KEY", DEMO_SECRET_KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start qrfeedback serve");
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let serving = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            assert!(!line.contains(DEMO_SECRET_KEY), "{line}");
            if line.contains("serving") {
                return true;
            }
        }
        false
    })
    .await;
    server.kill().await.expect("stop the server");
    assert_eq!(serving.ok(), Some(true), "serve --demo did not start");
}

/// The value after `label` on the first line that has it, below the line naming `login`.
fn printed_value(printout: &str, login: &str, label: &str) -> String {
    let block = printout
        .split_once(&format!("  {login}  ("))
        .unwrap_or_else(|| panic!("{login} not printed: {printout}"))
        .1;
    block
        .lines()
        .find_map(|line| line.trim().strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label} for {login}: {printout}"))
        .trim()
        .to_owned()
}

#[tokio::test]
async fn the_demo_accounts_and_their_codes_exist_only_with_the_demo_flag() {
    let app = spawn_app_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    let korla_venue = app.hotel().await;
    for args in [
        &["seed-demo", "--accounts"][..],
        &["totp-code", "--login", "demo-admin"][..],
    ] {
        let output = command(&app.db_name, args).output().await.unwrap();
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--demo"), "{stderr}");
    }
    assert_eq!(app.count("accounts").await, 0);

    let printout = qrfeedback(&app.db_name, &["--demo", "seed-demo", "--accounts"]).await;
    for login in ["demo-admin", "demo-bayingolin", "demo-korla", "demo-staff"] {
        let key = printed_value(&printout, login, "authenticator key:");
        assert!(key.starts_with("otpauth://totp/"), "{key}");
        assert!(printout.contains(&format!("totp-code --login {login}")));
    }
    assert_eq!(app.count("accounts").await, 4);
    let code = korla_venue["code"].as_str().unwrap();
    assert!(printout.contains(&format!("/r/{code}\n")), "{printout}");
    let staff_venues: Vec<i64> = sqlx::query_scalar(
        "SELECT venue_id FROM account_venues JOIN accounts a ON a.id = account_id WHERE a.login = 'demo-staff'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(staff_venues, vec![korla_venue["id"].as_i64().unwrap()]);
    let regions: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT login, region_code::text FROM accounts ORDER BY login")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert!(regions.contains(&("demo-bayingolin".into(), Some("652800".into()))));
    assert!(regions.contains(&("demo-korla".into(), Some("652801".into()))));

    // A second run keeps the accounts and keys and gives new passwords.
    let again = qrfeedback(&app.db_name, &["--demo", "seed-demo", "--accounts"]).await;
    assert_eq!(app.count("accounts").await, 4);
    assert_eq!(
        printed_value(&again, "demo-korla", "authenticator key:"),
        printed_value(&printout, "demo-korla", "authenticator key:")
    );
    let password = printed_value(&again, "demo-korla", "password:");
    assert_ne!(
        password,
        printed_value(&printout, "demo-korla", "password:")
    );

    // The regulator signs in with the printed password and the printed code.
    let response = crate::totp::sign_in(&app, "demo-korla", &password).await;
    assert_eq!(response.status(), 303);
    let pending = crate::totp::cookie_of(&response, crate::common::PENDING_SIGNIN_COOKIE)
        .expect("a pending sign-in");
    // QRF_DEMO=1 is the same as --demo.
    let output = command(&app.db_name, &["totp-code", "--login", "demo-korla"])
        .env("QRF_DEMO", "1")
        .output()
        .await
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let code = String::from_utf8(output.stdout).unwrap();
    let code = code.trim();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{code}"
    );
    let response = crate::totp::send_code(&app, &pending, code).await;
    assert_eq!(response.status(), 303);
    assert!(
        crate::totp::cookie_of(&response, crate::common::SESSION_COOKIE).is_some(),
        "signed in"
    );

    // Codes are printed for demo accounts only.
    sqlx::query("UPDATE accounts SET created_by = 'cli' WHERE login = 'demo-admin'")
        .execute(&app.pool)
        .await
        .unwrap();
    let output = command(
        &app.db_name,
        &["--demo", "totp-code", "--login", "demo-admin"],
    )
    .output()
    .await
    .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a demo account"));
}

#[tokio::test]
async fn a_demo_account_cannot_sign_in_on_a_server_without_the_demo_flag() {
    let app = spawn_app().await;
    app.hotel().await;
    let printout = qrfeedback(&app.db_name, &["--demo", "seed-demo", "--accounts"]).await;
    let password = printed_value(&printout, "demo-staff", "password:");
    let response = crate::totp::sign_in(&app, "demo-staff", &password).await;
    assert_eq!(response.status(), 401);
    assert!(crate::totp::cookie_of(&response, crate::common::SESSION_COOKIE).is_none());
}

const CONTACT_KEY_1: &str = "1:5e884898da28047151d0e56f8dc6292773603d0d";
const CONTACT_KEY_2: &str = "2:a665a45920422f9d417e4867efdc4fb8a04a1f3f";

/// The version a case's contact is sealed under, and whether it is held.
async fn contact_version(app: &crate::common::TestApp, id: i64) -> (i16, bool) {
    sqlx::query_as(
        "SELECT contact_key_version, contact_encrypted IS NOT NULL FROM complaints WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// The contact as the running app reveals it to the admin (`null` when it cannot open it).
async fn revealed(app: &crate::common::TestApp, id: i64) -> serde_json::Value {
    let (status, body) = crate::common::call(
        app,
        reqwest::Method::POST,
        &format!("/api/v1/complaints/{id}/contact"),
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["contact"].clone()
}

#[tokio::test]
async fn contacts_are_sealed_with_the_newest_key_and_rotation_re_seals_the_older_ones() {
    use qrfeedback::domain::secrets::{SealedContact, Secrets, parse_contact_keys};
    use serde_json::json;

    let app = spawn_app_with(Options {
        env: vec![("CONTACT_KEYS", CONTACT_KEY_1)],
        ..Options::default()
    })
    .await;
    let venue = app.hotel().await;
    // A complaint with a rating (the batched write) and one entered by a regulator.
    let (with_rating, _) = app
        .file_case(&venue, "rot-1", "导游强制购物", "13812345678")
        .await;
    let (status, entered) = crate::common::call(
        &app,
        reqwest::Method::POST,
        "/api/v1/complaints",
        ADMIN_TOKEN,
        Some(
            json!({"venue_id": venue["id"], "source": "phone", "description": "收费不明",
                    "contact": "13700002222",
                    "service_on": app.clock.today().to_string()}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{entered}");
    let entered = entered["id"].as_i64().unwrap();
    assert_eq!(contact_version(&app, with_rating).await, (1, true));
    assert_eq!(contact_version(&app, entered).await, (1, true));

    // A contact stored before CONTACT_KEYS was set: sealed with SECRET_KEY's key.
    let old = Secrets::derive(SECRET_KEY).seal_contact("13600003333");
    assert_eq!(old.key_version, 0);
    sqlx::query(
        "UPDATE complaints SET contact_encrypted = $2, contact_key_version = 0 WHERE id = $1",
    )
    .bind(entered)
    .bind(&old.bytes)
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(revealed(&app, entered).await, "13600003333");
    assert_eq!(revealed(&app, with_rating).await, "13812345678");

    let rotate = |keys: String| {
        let db_name = app.db_name.clone();
        async move {
            command(&db_name, &["rotate-contacts"])
                .env("CONTACT_KEYS", keys)
                .output()
                .await
                .expect("run rotate-contacts")
        }
    };
    // Without CONTACT_KEYS, version 1 cannot be opened: refused, nothing changed.
    let unset = command(&app.db_name, &["rotate-contacts"])
        .output()
        .await
        .unwrap();
    assert!(!unset.status.success());
    assert!(String::from_utf8_lossy(&unset.stderr).contains("1 contacts are sealed"));
    assert_eq!(contact_version(&app, with_rating).await, (1, true));
    let once = rotate(CONTACT_KEY_1.to_owned()).await;
    assert!(once.status.success());
    assert!(
        String::from_utf8_lossy(&once.stdout).contains("re-sealed 1 contacts with key version 1")
    );
    assert_eq!(contact_version(&app, entered).await, (1, true));
    assert_eq!(revealed(&app, entered).await, "13600003333");

    // Version 2 arrives: both contacts move to it; running again changes nothing.
    let both = format!("{CONTACT_KEY_1},{CONTACT_KEY_2}");
    let twice = rotate(both.clone()).await;
    assert!(
        String::from_utf8_lossy(&twice.stdout).contains("re-sealed 2 contacts with key version 2")
    );
    let again = rotate(both).await;
    assert!(String::from_utf8_lossy(&again.stdout).contains("re-sealed 0 contacts"));
    for id in [with_rating, entered] {
        assert_eq!(contact_version(&app, id).await, (2, true));
    }
    // Key 2 alone now opens them, even under another SECRET_KEY; the
    // running app, which holds only version 1, no longer can.
    let only_two = Secrets::derive("another-secret-key-0123456789abcdef-xyz")
        .with_contact_keys(&parse_contact_keys(CONTACT_KEY_2).unwrap());
    let (version, bytes): (i16, Vec<u8>) = sqlx::query_as(
        "SELECT contact_key_version, contact_encrypted FROM complaints WHERE id = $1",
    )
    .bind(entered)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let sealed = SealedContact {
        key_version: version,
        bytes,
    };
    assert_eq!(
        only_two.open_contact(&sealed).as_deref(),
        Some("13600003333")
    );
    assert!(revealed(&app, entered).await.is_null());

    // Without key 2 nothing can be re-sealed: the command says so and fails, rows untouched.
    let lost = rotate(CONTACT_KEY_1.to_owned()).await;
    assert!(!lost.status.success());
    let stderr = String::from_utf8_lossy(&lost.stderr);
    assert!(
        stderr.contains("2 contacts are sealed with a key version"),
        "{stderr}"
    );
    assert!(!stderr.contains("5e884898"), "{stderr}");
    assert_eq!(contact_version(&app, entered).await, (2, true));
}
