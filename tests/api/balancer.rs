//! Two instances of the built binary behind a real haproxy, as
//! deploy/balancer.sh runs them: a session, a form token and an
//! idempotency key work whichever instance answers, and an instance killed
//! while ratings arrive loses none that was acknowledged.

use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use qrfeedback::clock::Clock;
use serde_json::{Value, json};

use crate::common::{
    ACCOUNT_PASSWORD, ADMIN_TOKEN, SECRET_KEY, SESSION_COOKIE, TestApp, app_database_url_for,
    bare_client, eventually, fresh_database, login_form, set_cookie,
};
use crate::rating_page::form_token;

/// haproxy in front of instances `a` and `b` of `qrfeedback serve`, all
/// started by deploy/balancer.sh on ports of their own, against a fresh
/// database; stopped (and its state folder removed) on drop.
struct Balancer {
    /// Talks to haproxy; its pool is on the test's database.
    app: TestApp,
    /// `http://127.0.0.1:port` of instance `a` and of instance `b`.
    instances: [String; 2],
    /// What deploy/balancer.sh needs to find this balancer again.
    script_env: Vec<(&'static str, String)>,
    state_dir: PathBuf,
}

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/balancer.sh");

impl Balancer {
    async fn start() -> Self {
        let haproxy = Command::new("haproxy").arg("-v").output();
        assert!(
            haproxy.is_ok_and(|out| out.status.success()),
            "haproxy is not installed: these tests put it in front of two instances \
             (apt-get install haproxy; deploy/test.sh installs it)"
        );
        let (db_name, pool) = fresh_database().await;
        let [proxy_port, a_port, b_port] = three_free_ports();
        let state_dir = std::env::temp_dir().join(format!("{db_name}-balancer"));
        let redis_url = std::env::var("REDIS_URL").expect("REDIS_URL must point at the test Redis");
        let script_env = vec![
            ("QRF_BIN", env!("CARGO_BIN_EXE_qrfeedback").to_owned()),
            ("QRF_BALANCER_DIR", state_dir.display().to_string()),
            ("QRF_BALANCER_PORT", proxy_port.to_string()),
            ("QRF_INSTANCE_PORTS", format!("{a_port} {b_port}")),
        ];
        let balancer = Self {
            app: TestApp {
                address: format!("http://127.0.0.1:{proxy_port}"),
                pool,
                client: bare_client(),
                db_name: db_name.clone(),
                redis: None,
                clock: Clock::system(),
                upload_dir: state_dir.join("uploads"),
            },
            instances: [a_port, b_port].map(|port| format!("http://127.0.0.1:{port}")),
            script_env,
            state_dir,
        };
        // The instances share everything a request may need from an earlier
        // one: the database, Redis (and its key prefix) and the secrets.
        let serve_env = [
            ("DATABASE_URL", app_database_url_for(&db_name)),
            ("REDIS_URL", redis_url),
            ("REDIS_KEY_PREFIX", db_name),
            ("ADMIN_TOKEN", ADMIN_TOKEN.to_owned()),
            ("SECRET_KEY", SECRET_KEY.to_owned()),
            ("PUBLIC_BASE_URL", "https://q.example.org".to_owned()),
            ("RATE_LIMIT_PER_MINUTE", "0".to_owned()),
            ("DB_MAX_CONNECTIONS", "10".to_owned()),
            ("UPLOAD_DIR", balancer.app.upload_dir.display().to_string()),
            ("RUST_LOG", "warn".to_owned()),
        ];
        let started = balancer
            .script("start")
            .envs(serve_env)
            .output()
            .expect("run deploy/balancer.sh");
        assert!(
            started.status.success(),
            "deploy/balancer.sh start failed: {}",
            String::from_utf8_lossy(&started.stderr)
        );
        balancer
    }

    fn script(&self, command: &str) -> Command {
        let mut script = Command::new("bash");
        script
            .arg(SCRIPT)
            .arg(command)
            .envs(self.script_env.clone());
        script
    }

    /// The pid of instance `name` (`a` or `b`), from the script's pid file.
    fn pid(&self, name: &str) -> String {
        let file = self.state_dir.join(format!("{name}.pid"));
        std::fs::read_to_string(&file)
            .unwrap_or_else(|err| panic!("read {}: {err}", file.display()))
            .trim()
            .to_owned()
    }

    /// The log of `name` (`a`, `b` or `haproxy`), for a failure message.
    fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.state_dir.join(format!("{name}.log"))).unwrap_or_default()
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let stopped = self.script("stop").output();
        let _ = std::fs::remove_dir_all(&self.state_dir);
        if !std::thread::panicking() {
            let stopped = stopped.expect("run deploy/balancer.sh stop");
            assert!(
                stopped.status.success(),
                "deploy/balancer.sh stop failed: {}",
                String::from_utf8_lossy(&stopped.stderr)
            );
        }
    }
}

/// Three free loopback ports below the kernel's ephemeral range, held
/// together while they are chosen so they differ; a stretch apart from
/// where the harness puts its private Redis servers.
fn three_free_ports() -> [u16; 3] {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let start = 30_000 + ((std::process::id() ^ nanos) % 2_000) as u16;
    let held: Vec<TcpListener> = (0..2_000u16)
        .map(|i| 30_000 + (start - 30_000 + i) % 2_000)
        .filter_map(|port| TcpListener::bind(("127.0.0.1", port)).ok())
        .take(3)
        .collect();
    let ports: Vec<u16> = held
        .iter()
        .map(|listener| listener.local_addr().expect("addr").port())
        .collect();
    ports.try_into().expect("three free ports")
}

/// Posts the sign-in form (its token and pre-session cookie from `form_from`)
/// to `address`; the session cookie the answer sets.
async fn sign_in_across(form_from: &str, address: &str, login: &str) -> String {
    let form = login_form(form_from).await;
    let fields = [
        ("csrf_token", form.token.as_str()),
        ("login", login),
        ("password", ACCOUNT_PASSWORD),
        ("lang", "en"),
    ];
    let response = bare_client()
        .post(format!("{address}/login"))
        .header("cookie", form.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_html_form::to_string(fields).expect("form"))
        .send()
        .await
        .expect("request");
    assert_eq!(
        response.status(),
        303,
        "sign-in with a form from the other instance"
    );
    set_cookie(&response, SESSION_COOKIE).expect("a session cookie")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_and_form_tokens_from_one_instance_work_on_the_other() {
    let balancer = Balancer::start().await;
    let app = &balancer.app;
    let [a, b] = &balancer.instances;
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    app.venue_staff("staff-balanced", &[&venue]).await;

    // The sign-in form from a, posted to b; the session b made, used on a.
    let session = sign_in_across(a, b, "staff-balanced").await;
    let mut person = app.person_with(session);
    person.address = a.clone();
    let dashboard = format!("/dashboard/venues/{id}?lang=en");
    assert_eq!(
        person.fetch(&dashboard).await.status(),
        200,
        "b's session on a"
    );
    let csrf = person.csrf().await; // read on a

    // The session's form token from a, posted to b.
    person.address = b.clone();
    let commitment = format!("/dashboard/venues/{id}/commitment?lang=en");
    let response = person
        .post_exact(&commitment, &[("text", "明码标价"), ("csrf_token", &csrf)])
        .await;
    assert_eq!(response.status(), 303, "a's form token on b");
    assert_eq!(app.count("venue_commitments").await, 1);

    // Through haproxy, which alternates: every request is signed in.
    person.address = app.address.clone();
    for _ in 0..4 {
        assert_eq!(
            person.fetch(&dashboard).await.status(),
            200,
            "through haproxy"
        );
    }
    let response = person
        .post_exact(
            &commitment,
            &[("text", "明码标价，童叟无欺。"), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(response.status(), 303, "a's form token through haproxy");

    // Signing out on a ends the session on b as well.
    person.address = a.clone();
    let signed_out = person.post_exact("/logout", &[("csrf_token", &csrf)]).await;
    assert_eq!(signed_out.status(), 200);
    person.address = b.clone();
    let after = person.fetch("/account/security").await;
    assert_eq!(after.status(), 303, "signed out on b too");
    let location = after.headers()[reqwest::header::LOCATION].to_str().unwrap();
    assert!(location.starts_with("/login"), "{location}");

    // The rating form from a, sent to b; its token is then spent on a too.
    let code = venue["code"].as_str().unwrap();
    let page = bare_client()
        .get(format!("{a}/r/{code}"))
        .send()
        .await
        .expect("request");
    assert_eq!(page.status(), 200);
    let token = form_token(&page.text().await.unwrap());
    let fields = serde_html_form::to_string([("form_token", token.as_str()), ("overall", "4")])
        .expect("form");
    let post = |address: &str| {
        bare_client()
            .post(format!("{address}/r/{code}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(fields.clone())
            .send()
    };
    let on_b = post(b).await.expect("request");
    assert_eq!(on_b.status(), 200, "a's rating form on b");
    assert_eq!(app.count("ratings").await, 1);
    let again_on_a = post(a).await.expect("request");
    assert_eq!(again_on_a.status(), 409, "the token b took is spent on a");
    assert_eq!(app.count("ratings").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotency_key_replays_the_same_answer_from_either_instance() {
    let balancer = Balancer::start().await;
    let app = &balancer.app;
    let [a, b] = &balancer.instances;
    let venue = app.hotel().await;
    let body = json!({ "code": venue["code"], "overall": 2, "complaint": "导游强制购物" });
    let send = |address: &str, body: &Value| {
        bare_client()
            .post(format!("{address}/api/v1/ratings"))
            .header("Idempotency-Key", "balanced-key-1")
            .json(body)
            .send()
    };

    let first = send(a, &body).await.expect("request");
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert!(first["tracking_code"].as_str().is_some(), "{first}");

    for (address, via) in [
        (b, "b"),
        (&app.address, "haproxy"),
        (&app.address, "haproxy"),
    ] {
        let replay = send(address, &body).await.expect("request");
        assert_eq!(replay.status(), 201, "replay on {via}");
        assert_eq!(replay.headers()["idempotent-replayed"], "true", "on {via}");
        let replay: Value = replay.json().await.unwrap();
        assert_eq!(replay, first, "the same answer from {via}");
    }

    let other = send(b, &json!({ "code": venue["code"], "overall": 5 }))
        .await
        .expect("request");
    assert_eq!(other.status(), 422, "the key with another body, on b");
    let problem: Value = other.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/idempotency-key-reused");
    assert_eq!(app.count("ratings").await, 1);
    assert_eq!(app.count("complaints").await, 1);
}

/// One rating sent through haproxy: when it left, and the answer (status and
/// the rating's id when 201), or `None` when no answer came.
struct Sent {
    at: Instant,
    answer: Option<(u16, Option<i64>)>,
}

/// Ratings in flight at once in the test that kills an instance.
const WORKERS: usize = 16;

/// How many ratings got each status (`None`: no answer).
fn statuses<'a>(sent: impl Iterator<Item = &'a Sent>) -> BTreeMap<Option<u16>, usize> {
    let mut counts = BTreeMap::new();
    for s in sent {
        *counts
            .entry(s.answer.map(|(status, _)| status))
            .or_insert(0) += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_killed_under_load_loses_no_acknowledged_rating() {
    let balancer = Balancer::start().await;
    let app = &balancer.app;
    let mut codes = Vec::new();
    for i in 0..4 {
        let venue = app
            .create_venue(&format!("负载 {i}"), "652801", "hotel")
            .await;
        codes.push(venue["code"].as_str().unwrap().to_owned());
    }
    let codes = Arc::new(codes);

    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    let url = format!("{}/api/v1/ratings", app.address);
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for worker in 0..WORKERS {
        let (client, url, codes, stop) = (client.clone(), url.clone(), codes.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            let mut sent = Vec::new();
            for n in 0.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let body = json!({
                    "code": codes[n % codes.len()],
                    "device_id": format!("balanced-w{worker:02}-{n:06}"),
                    "overall": 1 + n % 5,
                });
                let at = Instant::now();
                let answer = match client.post(&url).json(&body).send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let body: Value = response.json().await.unwrap_or(Value::Null);
                        Some((status, body["id"].as_i64()))
                    }
                    Err(_) => None,
                };
                sent.push(Sent { at, answer });
            }
            sent
        }));
    }

    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let killed = Command::new("kill")
        .args(["-KILL", &balancer.pid("a")])
        .status()
        .expect("run kill");
    assert!(killed.success(), "SIGKILL instance a");
    let killed_at = Instant::now();
    let a_port = balancer.instances[0].rsplit(':').next().unwrap().to_owned();
    let gone = eventually(Duration::from_secs(5), || {
        let refused = TcpStream::connect(format!("127.0.0.1:{a_port}")).is_err();
        async move { refused }
    })
    .await;
    assert!(gone, "instance a still takes connections after SIGKILL");
    let gone_at = Instant::now();
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    stop.store(true, Ordering::Relaxed);

    let mut sent = Vec::new();
    for worker in workers {
        sent.extend(worker.await.expect("worker"));
    }
    let acknowledged: Vec<i64> = sent
        .iter()
        .filter_map(|s| match s.answer {
            Some((201, id)) => Some(id.expect("a 201 names the rating's id")),
            _ => None,
        })
        .collect();
    let before = sent.iter().filter(|s| s.at < killed_at).count();
    // haproxy has taken a out well within a second of its death.
    let settled = killed_at + Duration::from_secs(1);
    let after: Vec<_> = sent.iter().filter(|s| s.at >= settled).collect();
    eprintln!(
        "{} sent ({before} before the kill), {} acknowledged; all answers {:?}",
        sent.len(),
        acknowledged.len(),
        statuses(sent.iter())
    );
    assert!(
        before > 50,
        "ratings were flowing before the kill ({before})"
    );
    assert!(
        after.len() > 50,
        "ratings kept flowing after the kill ({})",
        after.len()
    );
    assert!(
        after.iter().all(|s| matches!(s.answer, Some((201, _)))),
        "every rating sent a second after the kill is accepted: {:?}\nhaproxy: {}",
        statuses(after.iter().copied()),
        balancer.log("haproxy")
    );
    // The ratings a held when it died are answered 502 by haproxy, or their
    // connection is closed without an answer (as a server closing a kept-alive
    // connection would, which tells the client it may send again); one at
    // most per worker, and none sent once a was gone.
    let failed: Vec<&Sent> = sent
        .iter()
        .filter(|s| !matches!(s.answer, Some((201, _))))
        .collect();
    assert!(
        failed.len() <= WORKERS
            && failed
                .iter()
                .all(|s| s.at < gone_at && matches!(s.answer, None | Some((502, _)))),
        "only ratings in flight on a fail: {:?}\nhaproxy: {}",
        statuses(failed.iter().copied()),
        balancer.log("haproxy")
    );

    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM ratings WHERE id = ANY($1)")
        .bind(&acknowledged)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        stored,
        acknowledged.len() as i64,
        "every acknowledged rating is in Postgres"
    );
    let total = app.count("ratings").await;
    let counted: i64 =
        sqlx::query_scalar("SELECT coalesce(sum(ratings_count), 0)::int8 FROM venue_day_stats")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        total, counted,
        "the day aggregates agree with the raw ratings"
    );
    assert!(
        total - (acknowledged.len() as i64) <= (sent.len() - acknowledged.len()) as i64,
        "only ratings that were sent are stored"
    );

    // b alone answers through haproxy now, and directly.
    assert_eq!(app.get("/readyz").await.status(), 200);
    let direct = bare_client()
        .get(format!("{}/readyz", balancer.instances[1]))
        .send()
        .await
        .expect("request");
    assert_eq!(direct.status(), 200);
}
