//! Test harness: the real app on a random port, a fresh Postgres database per
//! test, and (when a test needs to stop it) a private Redis server.

#![allow(dead_code)] // Each test binary uses a different part of the harness.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use qrfeedback::clock::Clock;
use qrfeedback::config::Settings;
use qrfeedback::startup::Application;
use serde_json::{Value, json};
use sha2::Digest as _;
use sqlx::{Connection, PgConnection, PgPool};

mod cluster;
#[allow(unused_imports)] // Not every test binary asks.
pub use cluster::on_cluster;
pub mod page;
pub use page::Page;

/// The admin token every test app uses.
pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";
/// The `SECRET_KEY` every test app and command uses; strong enough for `serve`.
pub const SECRET_KEY: &str = "test-secret-key-0123456789abcdef-0123";

/// A running app and what a test needs to talk to it.
pub struct TestApp {
    /// `http://127.0.0.1:port`.
    pub address: String,
    /// Pool on the test's own database, as its owner (the app runs as [`APP_ROLE`]).
    pub pool: PgPool,
    /// A client that keeps cookies, like a phone's browser.
    pub client: reqwest::Client,
    /// Name of the test's database.
    pub db_name: String,
    /// The private Redis, when the test asked for one.
    pub redis: Option<RedisServer>,
    /// The app's clock: a test moves it forward instead of sleeping.
    pub clock: Clock,
    /// The app's `UPLOAD_DIR`, a directory of the test's own, removed when
    /// the app is dropped.
    pub upload_dir: std::path::PathBuf,
}

/// Options for [`spawn_app_with`].
#[derive(Default)]
pub struct Options {
    /// Start a private Redis for this test instead of the shared one.
    pub private_redis: bool,
    /// Run without Redis at all.
    pub no_redis: bool,
    /// `REDIS_URL` as given instead of the shared Redis, e.g. a cluster's.
    pub redis_url: Option<String>,
    /// Per-IP per-venue limit (default 0 = off).
    pub rate_limit_per_minute: u32,
    /// Point the app at a Postgres that is not there.
    pub unreachable_postgres: bool,
    /// A tier rule set file instead of the shipped default.
    pub tier_rules_file: Option<String>,
    /// `TRUSTED_PROXIES` (default none).
    pub trusted_proxies: Option<String>,
    /// `PUBLIC_BASE_URL` instead of `https://q.example.org`.
    pub public_base_url: Option<String>,
    /// Serve in demo mode, as `serve --demo` does.
    pub demo: bool,
    /// Further environment variables the app reads, e.g. the imprint's `QRF_*`.
    pub env: Vec<(&'static str, &'static str)>,
    /// Connection parameters added to the app's `DATABASE_URL`, e.g. its
    /// `sslmode` and `sslrootcert`; the host becomes `localhost`, the name
    /// the local server's certificate is for.
    pub database_params: Option<String>,
    /// Read from the local streaming replica of the test's database.
    pub use_replica: bool,
    /// `DATABASE_REPLICA_URL` as given (default none).
    pub database_replica_url: Option<String>,
}

fn base_database_url() -> String {
    std::env::var("DATABASE_URL")
        .expect("DATABASE_URL must point at the test Postgres (deploy/test.sh sets it)")
}

/// The connection string of a test database, as the owner that migrates it.
pub fn database_url_for(db_name: &str) -> String {
    with_database(&base_database_url(), db_name)
}

/// The role `serve` runs as; the test servers run as it too, so every test
/// shows the application needs no more than its grants.
pub const APP_ROLE: &str = "qrfeedback_app";

/// The connection string of a test database as [`APP_ROLE`]: the credentials
/// of `APP_DATABASE_URL` (deploy/services.sh prints it), else the role's
/// development password (its name) on the server of `DATABASE_URL`.
pub fn app_database_url_for(db_name: &str) -> String {
    let base = std::env::var("APP_DATABASE_URL").unwrap_or_else(|_| {
        let owner = base_database_url();
        let (scheme, rest) = owner.split_once("://").expect("DATABASE_URL is a URL");
        let server = rest.rsplit_once('@').map_or(rest, |(_, server)| server);
        format!("{scheme}://{APP_ROLE}:{APP_ROLE}@{server}")
    });
    with_database(&base, db_name)
}

/// The streaming replica's `host:port` (deploy/services.sh prints `QRF_REPLICA_URL`).
fn replica_server() -> String {
    let url = std::env::var("QRF_REPLICA_URL")
        .expect("QRF_REPLICA_URL must name the local replica (deploy/services.sh env)");
    let after_user = url.rsplit_once('@').expect("a URL with credentials").1;
    after_user
        .split_once('/')
        .expect("a URL with a database")
        .0
        .to_owned()
}

/// `url` (on the primary) pointed at the streaming replica instead.
pub fn on_replica(url: &str) -> String {
    let (credentials, rest) = url.rsplit_once('@').expect("a URL with credentials");
    let (_, database) = rest.split_once('/').expect("a URL with a database");
    format!("{credentials}@{}/{database}", replica_server())
}

/// `url` with its database name replaced by `db_name`.
fn with_database(url: &str, db_name: &str) -> String {
    let (prefix, _) = url
        .rsplit_once('/')
        .expect("a database URL ends with a database name");
    format!("{prefix}/{db_name}")
}

/// The migrated database every test database of this run is copied from,
/// made once per test binary, build and day: migrating takes about a second,
/// copying a template a tenth of that. The name is keyed on this executable
/// (so a rebuild gets a template of its own migrations and reference data)
/// and on the day (the rating partitions are made around "today").
static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

async fn template_database() -> &'static str {
    TEMPLATE
        .get_or_init(|| async {
            let exe = std::env::current_exe().expect("the test executable");
            let meta = std::fs::metadata(&exe).expect("the test executable's metadata");
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            let key = format!(
                "{}|{}|{modified}|{}",
                exe.display(),
                meta.len(),
                chrono::Utc::now().date_naive()
            );
            let digest = sha2::Sha256::digest(key.as_bytes());
            let name = format!(
                "qrf_test_tpl_{}",
                &data_encoding::HEXLOWER.encode(&digest)[..16]
            );
            let mut admin = PgConnection::connect(&base_database_url())
                .await
                .expect("connect to the test Postgres");
            let exists: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                    .bind(&name)
                    .fetch_one(&mut admin)
                    .await
                    .expect("look up the template");
            if exists {
                return name;
            }
            // Built under a name of its own and renamed when complete, so a
            // test binary running beside this one never copies half a template.
            let (building, pool) = new_database(NewDatabase::Template).await;
            qrfeedback::store::migrate(&pool)
                .await
                .expect("migrate the template");
            qrfeedback::store::distribute::distribute(&pool)
                .await
                .expect("distribute the template over the cluster");
            pool.close().await;
            if cluster::rename_everywhere(&mut admin, &building, &name)
                .await
                .is_err()
            {
                // Another binary finished the same template first: use it.
                cluster::drop_everywhere(&mut admin, &building).await;
            }
            name
        })
        .await
}

/// On a cluster each test's database is dropped when the test ends: on
/// every node it holds a Citus maintenance process and a few thousand shard
/// files, too many to keep until the run ends.
impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.upload_dir);
        if !cluster::on_cluster() {
            return;
        }
        let name = self.db_name.clone();
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime to drop the test database");
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&base_database_url())
                    .await
                    .expect("connect to the test Postgres");
                cluster::drop_everywhere(&mut admin, &name).await;
            });
        })
        .join();
        if dropped.is_err() && !std::thread::panicking() {
            panic!("dropping the test database {} failed", self.db_name);
        }
    }
}

/// What a new test database starts as.
#[derive(Clone, Copy)]
enum NewDatabase<'a> {
    /// Empty, on plain Postgres even where the tests run on a cluster.
    Empty,
    /// Empty, to become the template: on a cluster, a Citus database on
    /// every node with the workers added.
    Template,
    /// A copy of this template, on every node of a cluster.
    CopyOf(&'a str),
}

/// A database of a test's own, named `qrf_test_…`. Both names are generated
/// here, never taken from input.
async fn new_database(kind: NewDatabase<'_>) -> (String, PgPool) {
    let db_name = format!("qrf_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(&base_database_url())
        .await
        .expect("connect to the test Postgres");
    match kind {
        NewDatabase::Empty => cluster::create(&mut admin, &db_name, None).await,
        NewDatabase::Template => cluster::create_citus(&mut admin, &db_name).await,
        NewDatabase::CopyOf(template) => {
            cluster::create_everywhere(&mut admin, &db_name, template).await;
        }
    }
    let pool = PgPool::connect(&database_url_for(&db_name))
        .await
        .expect("connect to test database");
    (db_name, pool)
}

/// A fresh, migrated database of the test's own, copied from the template.
pub async fn fresh_database() -> (String, PgPool) {
    new_database(NewDatabase::CopyOf(template_database().await)).await
}

/// A fresh database left empty, for a test that migrates it step by step.
pub async fn empty_database() -> (String, PgPool) {
    new_database(NewDatabase::Empty).await
}

/// The one JSON API request: an optional bearer token and an optional JSON
/// body; the status and the body (a problem, or null when the answer is not
/// JSON).
pub async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: impl Bearer,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app.client.request(method, format!("{}{path}", app.address));
    if let Some(token) = token.bearer() {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// What [`call`] sends as a bearer token: a token, or none (`ANONYMOUS`).
pub trait Bearer {
    /// The token, if any.
    fn bearer(&self) -> Option<&str>;
}

impl Bearer for str {
    fn bearer(&self) -> Option<&str> {
        Some(self)
    }
}

impl Bearer for String {
    fn bearer(&self) -> Option<&str> {
        Some(self)
    }
}

impl<T: Bearer + ?Sized> Bearer for &T {
    fn bearer(&self) -> Option<&str> {
        (**self).bearer()
    }
}

impl<T: Bearer> Bearer for Option<T> {
    fn bearer(&self) -> Option<&str> {
        self.as_ref().and_then(Bearer::bearer)
    }
}

/// No bearer token, for [`call`].
pub const ANONYMOUS: Option<&str> = None;

/// Spawns the app with defaults: shared Redis, no rate limit.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

/// Spawns the app with options; it connects as [`APP_ROLE`].
pub async fn spawn_app_with(options: Options) -> TestApp {
    let (db_name, pool) = fresh_database().await;
    let redis = options.private_redis.then(RedisServer::start);
    let redis_url = if options.no_redis {
        None
    } else if let Some(server) = &redis {
        Some(server.url())
    } else if let Some(url) = &options.redis_url {
        Some(url.clone())
    } else {
        Some(std::env::var("REDIS_URL").expect("REDIS_URL must point at the test Redis"))
    };
    let database_url = if options.unreachable_postgres {
        format!("postgres://nobody:nothing@127.0.0.1:{}/none", free_port())
    } else {
        let url = app_database_url_for(&db_name);
        // The app's pool connects lazily and would answer 503 without a word.
        PgConnection::connect(&url)
            .await
            .unwrap_or_else(|err| {
                panic!("connect as {APP_ROLE} ({err}); deploy/services.sh start lets it log in")
            })
            .close()
            .await
            .expect("close");
        match &options.database_params {
            Some(params) => format!("{}?{params}", url.replacen("@127.0.0.1:", "@localhost:", 1)),
            None => url,
        }
    };
    let upload_dir = std::env::temp_dir().join(format!("qrf-uploads-{db_name}"));
    let settings = Settings::load(None, |name| match name {
        "DATABASE_URL" => Some(database_url.clone()),
        "UPLOAD_DIR" => Some(upload_dir.display().to_string()),
        "REDIS_URL" => redis_url.clone(),
        "BIND_ADDR" => Some("127.0.0.1:0".into()),
        "PUBLIC_BASE_URL" => Some(
            options
                .public_base_url
                .clone()
                .unwrap_or_else(|| "https://q.example.org".into()),
        ),
        "ADMIN_TOKEN" => Some(ADMIN_TOKEN.into()),
        "SECRET_KEY" => Some(SECRET_KEY.into()),
        "RATE_LIMIT_PER_MINUTE" => Some(options.rate_limit_per_minute.to_string()),
        "DB_MAX_CONNECTIONS" => Some("10".into()),
        "SCORE_REFRESH_SECONDS" => Some("1".into()),
        // Every test rates from one address: the detectors of bought scores
        // run only where a test asks for them.
        // So do the alert rules.
        name @ ("INTEGRITY_SCAN_SECONDS" | "ALERT_SCAN_SECONDS") => Some(
            options
                .env
                .iter()
                .find(|(n, _)| *n == name)
                .map_or("0", |(_, value)| *value)
                .to_owned(),
        ),
        "TIER_RULES_FILE" => options.tier_rules_file.clone(),
        "TRUSTED_PROXIES" => options.trusted_proxies.clone(),
        "DATABASE_REPLICA_URL" => options.database_replica_url.clone().or_else(|| {
            options
                .use_replica
                .then(|| on_replica(&app_database_url_for(&db_name)))
        }),
        // Tests share one Redis; each app keeps to its own keys.
        "REDIS_KEY_PREFIX" => Some(db_name.clone()),
        other => options
            .env
            .iter()
            .find(|(name, _)| *name == other)
            .map(|(_, value)| (*value).to_owned()),
    })
    .expect("test settings");
    let settings = Settings {
        demo: options.demo,
        ..settings
    };
    let clock = Clock::system();
    let app = Application::build_with_clock(settings, clock.clone())
        .await
        .expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    TestApp {
        address,
        pool,
        client,
        db_name,
        redis,
        clock,
        upload_dir,
    }
}

impl TestApp {
    /// Creates a venue through the API and returns its JSON.
    pub async fn create_venue(&self, name: &str, region_code: &str, category: &str) -> Value {
        let response = self
            .client
            .post(format!("{}/api/v1/venues", self.address))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({ "name": name, "region_code": region_code, "category": category }))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 201, "venue creation failed");
        response.json().await.expect("json")
    }

    /// A venue in Korla (652801), category hotel.
    pub async fn hotel(&self) -> Value {
        self.create_venue("孔雀河酒店", "652801", "hotel").await
    }

    /// Posts a rating as JSON.
    pub async fn post_rating(&self, body: &Value) -> reqwest::Response {
        self.client
            .post(format!("{}/api/v1/ratings", self.address))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// GET a path on the app.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request")
    }

    /// Rows in a table of the test's database.
    pub async fn count(&self, table: &str) -> i64 {
        assert!(
            table.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "plain table name"
        );
        let sql = sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}"));
        sqlx::query_scalar(sql)
            .fetch_one(&self.pool)
            .await
            .expect("count rows")
    }

    /// Posts a plain rating from a named device and returns the answer's JSON.
    pub async fn rate(&self, venue: &Value, device: &str, overall: u8) -> Value {
        let response = self
            .post_rating(&json!({ "code": venue["code"], "device_id": format!("device-{device}"), "overall": overall }))
            .await;
        assert_eq!(response.status(), 201, "rating refused");
        response.json().await.expect("json")
    }

    /// Waits (up to 10 s, the promise of the contract) until the venue's
    /// score satisfies `check`; returns the last score seen.
    pub async fn score_when(&self, venue_id: i64, check: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let score = self.score(venue_id).await;
            if check(&score) || Instant::now() > deadline {
                return score;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Files a complaint with a 1★ rating from a fresh device; the case's
    /// id and tracking code.
    pub async fn file_case(
        &self,
        venue: &Value,
        device: &str,
        text: &str,
        contact: &str,
    ) -> (i64, String) {
        let response = self
            .post_rating(&json!({
                "code": venue["code"], "device_id": format!("device-{device}"), "overall": 1,
                "complaint": {"text": text, "contact": contact},
            }))
            .await;
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.expect("json");
        let code = body["tracking_code"]
            .as_str()
            .expect("tracking code")
            .to_owned();
        let id = sqlx::query_scalar("SELECT id FROM complaints WHERE tracking_code = $1")
            .bind(&code)
            .fetch_one(&self.pool)
            .await
            .expect("the filed case");
        (id, code)
    }

    /// Runs the detectors of bought scores once over today's ratings, as
    /// the service's background job does (tests leave that job off, so a
    /// campaign is judged whole, never half-arrived), holding what they find.
    pub async fn scan_integrity(&self) -> qrfeedback::app::integrity::scan::ScanSummary {
        let live = qrfeedback::live::Live::new(
            Some(&std::env::var("REDIS_URL").expect("REDIS_URL")),
            &self.db_name,
        )
        .expect("live counters");
        let scanner = qrfeedback::app::integrity::scan::Scanner::new(
            self.pool.clone(),
            live,
            std::sync::Arc::new(qrfeedback::store::reference::ReferenceData::new(
                self.pool.clone(),
            )),
            qrfeedback::domain::integrity::Thresholds::default(),
        );
        let today = self.clock.today();
        scanner
            .scan_day(today, today, self.clock.now())
            .await
            .expect("an integrity scan")
    }

    /// The venue's score JSON.
    pub async fn score(&self, venue_id: i64) -> Value {
        let response = self.get(&format!("/api/v1/venues/{venue_id}/score")).await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("json")
    }
}

/// A free loopback port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// A free loopback port outside the kernel's ephemeral range (32768 and up):
/// a server that stops and starts again on it cannot lose it meanwhile to a
/// port-0 listener or to the source port of some outgoing connection.
fn stable_free_port() -> u16 {
    let start = 20_000 + (std::process::id() % 5_000) as u16;
    (0..5_000u16)
        .map(|i| 20_000 + (start - 20_000 + i * 7) % 10_000)
        .find(|port| TcpListener::bind(("127.0.0.1", *port)).is_ok())
        .unwrap_or_else(free_port)
}

/// A Redis server owned by one test, so it can be stopped and started again.
pub struct RedisServer {
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts `redis-server` on a free port and waits until it answers.
    pub fn start() -> Self {
        let mut server = Self {
            port: stable_free_port(),
            child: None,
        };
        server.restart();
        server
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Starts it (again) on the same port.
    pub fn restart(&mut self) {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (deploy/services.sh installs it)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops it.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// A plain connection for assertions.
    pub async fn connection(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.url())
            .expect("url")
            .get_multiplexed_async_connection()
            .await
            .expect("connect to private redis")
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Polls `check` until it is true or `timeout` passes.
pub async fn eventually<F, Fut>(timeout: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl TestApp {
    /// Every file under the app's upload directory, at any depth, temporary
    /// ones included.
    pub fn uploaded_files(&self) -> Vec<std::path::PathBuf> {
        fn walk(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, found);
                } else {
                    found.push(path);
                }
            }
        }
        let mut found = Vec::new();
        walk(&self.upload_dir, &mut found);
        found
    }
}

/// The session cookie's name: the test app's public address is https.
pub const SESSION_COOKIE: &str = "__Host-qrf_session";
/// The cookie the sign-in form's token is bound to.
pub const PRE_SESSION_COOKIE: &str = "__Host-qrf_presession";
/// The cookie that ties the second sign-in step to the first.
pub const PENDING_SIGNIN_COOKIE: &str = "__Host-qrf_signin";

/// The value a response sets for a cookie, if it sets it.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(prefix.as_str()))
        .and_then(|v| v.split(';').next())
        .filter(|v| !v.is_empty() && *v != "\"\"")
        .map(str::to_owned)
}

/// A fresh sign-in form as a new browser sees it: its token and the
/// pre-session cookie the token is bound to.
pub struct LoginForm {
    /// The form's `csrf_token`.
    pub token: String,
    /// The pre-session cookie, ready for a `Cookie` header.
    pub cookie: String,
}

/// How many argon2id jobs of a kind (`verify`, `hash`, `recovery_code`) the
/// app has run, from `/metrics`.
pub async fn argon2_runs(address: &str, kind: &str) -> u64 {
    counter(
        address,
        &format!("qrf_argon2_runs_total{{kind=\"{kind}\"}}"),
    )
    .await
}

/// Background rounds a job of the app has completed (`integrity_scan`,
/// `alert_rules`), from `/metrics`: a test waits for more of them rather
/// than for time to pass.
pub async fn background_runs(address: &str, job: &str) -> u64 {
    counter(
        address,
        &format!("qrf_background_runs_total{{job=\"{job}\"}}"),
    )
    .await
}

/// One counter series of `/metrics`, 0 while it has no value.
async fn counter(address: &str, series: &str) -> u64 {
    let text = bare_client()
        .get(format!("{address}/metrics"))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("metrics");
    let series = format!("{series} ");
    text.lines()
        .find_map(|line| line.strip_prefix(series.as_str()))
        .map_or(0, |n| n.trim().parse().expect("a count"))
}

/// Opens `/login` in a new browser.
pub async fn login_form(address: &str) -> LoginForm {
    let response = bare_client()
        .get(format!("{address}/login?lang=en"))
        .send()
        .await
        .expect("request");
    let pre_session = set_cookie(&response, PRE_SESSION_COOKIE).expect("a pre-session cookie");
    let page = response.text().await.expect("page");
    LoginForm {
        token: csrf_of(&page),
        cookie: format!("{PRE_SESSION_COOKIE}={pre_session}"),
    }
}

/// The `Cookie` header of a session.
pub fn session_header(session: &str) -> String {
    format!("{SESSION_COOKIE}={session}")
}

/// The password every test account gets.
pub const ACCOUNT_PASSWORD: &str = "correct horse battery staple";

/// A person signed in through the real sign-in form: the one signed-in client
/// of the tests. The session cookie is `Secure` (the test app's public address
/// is https), so it is carried by hand rather than by a cookie store.
pub struct Person {
    /// The app's address.
    pub address: String,
    /// The session id.
    pub session: String,
    /// The authenticator key, once enrolled.
    pub totp_secret: Option<String>,
    /// The app's clock, which the server checks codes against.
    pub clock: Clock,
    /// The session's form token, read once when first needed.
    csrf: tokio::sync::OnceCell<String>,
    client: reqwest::Client,
}

/// A downloaded file: status, type, disposition and bytes.
pub struct Download {
    /// The HTTP status.
    pub status: u16,
    /// `Content-Type`, empty when there is none.
    pub content_type: String,
    /// `Content-Disposition`, empty when there is none.
    pub disposition: String,
    /// The body.
    pub bytes: Vec<u8>,
}

impl Download {
    /// The body as UTF-8 text.
    pub fn text(&self) -> String {
        String::from_utf8(self.bytes.clone()).expect("a text download")
    }
}

/// The value of the first hidden `csrf_token` field of a page.
pub fn csrf_of(page: &str) -> String {
    let marker = r#"name="csrf_token" value=""#;
    let start = page.find(marker).expect("page has a csrf token") + marker.len();
    let len = page[start..].find('"').unwrap();
    page[start..start + len].to_owned()
}

impl TestApp {
    /// Creates an account through the API with `ADMIN_TOKEN` (body as for
    /// `POST /api/v1/accounts`) and sets its password through the invitation.
    pub async fn activated_account(&self, body: Value) -> Value {
        let response = self
            .client
            .post(format!("{}/api/v1/accounts", self.address))
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let account: Value = response.json().await.unwrap();
        let url = account["invitation_url"].as_str().unwrap();
        let token = url.rsplit('/').next().unwrap();
        let response = self
            .client
            .post(format!("{}/api/v1/invitations/{token}", self.address))
            .json(&json!({ "password": ACCOUNT_PASSWORD }))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        account
    }

    /// Posts the sign-in form of a new browser with a login and password;
    /// the whole answer (303 when the password is right, 401 when not).
    async fn post_sign_in(&self, login: &str, password: &str) -> reqwest::Response {
        let form = login_form(&self.address).await;
        let fields = [
            ("csrf_token", form.token),
            ("login", login.to_owned()),
            ("password", password.to_owned()),
            ("lang", "en".to_owned()),
        ];
        bare_client()
            .post(format!("{}/login", self.address))
            .header("cookie", form.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_html_form::to_string(fields).expect("form"))
            .send()
            .await
            .expect("request")
    }

    /// Posts the sign-in form of a new browser with a login and password. A
    /// 503 (the password workers busy, as on a loaded test machine) is
    /// tried again after its `Retry-After`, as the page asks a person to.
    pub async fn sign_in_answer(&self, login: &str, password: &str) -> reqwest::Response {
        let mut response = self.post_sign_in(login, password).await;
        for _ in 0..5 {
            if response.status() != 503 {
                break;
            }
            let wait = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(2);
            tokio::time::sleep(Duration::from_secs(wait)).await;
            response = self.post_sign_in(login, password).await;
        }
        response
    }

    /// Signs in with a login and password: where the answer (a 303) sends
    /// the browser, and the session cookie it sets, if any.
    pub async fn password_step(&self, login: &str, password: &str) -> (String, Option<String>) {
        let response = self.sign_in_answer(login, password).await;
        if response.status() != 303 {
            let status = response.status();
            let retry_after = response.headers().get("retry-after").cloned();
            let page = response.text().await.unwrap_or_default();
            panic!("sign-in of {login}: {status}, retry-after {retry_after:?}: {page}");
        }
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (location, set_cookie(&response, SESSION_COOKIE))
    }

    /// Signs in through `/login` with [`ACCOUNT_PASSWORD`].
    pub async fn sign_in(&self, login: &str) -> Person {
        let (location, session) = self.password_step(login, ACCOUNT_PASSWORD).await;
        assert!(
            !location.starts_with("/login/second-factor"),
            "{login} already has a second factor; sign it in with its code"
        );
        let session = session.expect("a session cookie");
        let mut person = self.person_with(session);
        // Admins and regulators must enrol a second factor before anything else.
        if location.starts_with("/account/security") {
            person.enrol_totp().await;
        }
        person
    }
}

/// The code of a base32 TOTP secret at a Unix time.
pub fn totp_code_at(secret_base32: &str, unix_secs: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).unwrap();
    let totp = totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .build()
        .unwrap();
    totp.generate(u64::try_from(unix_secs).unwrap()).to_string()
}

/// The code of a base32 TOTP secret now, by the system clock (for a server
/// whose clock is the system's, as in the browser tests).
pub fn totp_code(secret_base32: &str) -> String {
    totp_code_at(secret_base32, chrono::Utc::now().timestamp())
}

impl Person {
    /// The current code of this person's authenticator, by the app's clock.
    pub fn totp_code(&self) -> String {
        let secret = self
            .totp_secret
            .as_deref()
            .expect("an enrolled authenticator");
        totp_code_at(secret, self.clock.now().timestamp())
    }

    /// Enrols an authenticator from the key the security page shows.
    pub async fn enrol_totp(&mut self) {
        let page = self.get_page("/account/security?lang=en").await;
        assert_eq!(page.status, 200, "{page:?}");
        let secret = page.select_text("#totp-secret").replace(' ', "");
        let code = totp_code_at(&secret, self.clock.now().timestamp());
        let response = self
            .post_form(
                "/account/security",
                &[
                    ("code", code.as_str()),
                    ("lang", "en"),
                    ("csrf_token", &page.csrf()),
                ],
            )
            .await;
        let status = response.status().as_u16();
        // Enrolling moves the session to a new id, and with it the form token.
        let renewed = set_cookie(&response, SESSION_COOKIE);
        let body = response.text().await.unwrap();
        assert!(status < 400, "enrolment refused: {status} {body}");
        self.session = renewed.expect("a renewed session");
        self.csrf = tokio::sync::OnceCell::new();
        self.totp_secret = Some(secret);
    }

    /// The session's form token (what its forms carry as `csrf_token`).
    pub async fn csrf(&self) -> String {
        self.csrf
            .get_or_init(|| async {
                let page = self.get_page("/account/security").await;
                assert_eq!(page.status, 200, "{page:?}");
                page.csrf()
            })
            .await
            .clone()
    }

    /// GETs a path or a full URL with the session; the whole response.
    pub async fn fetch(&self, path: &str) -> reqwest::Response {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.address)
        };
        self.client
            .get(url)
            .header(reqwest::header::COOKIE, session_header(&self.session))
            .send()
            .await
            .expect("request")
    }

    /// GETs a page with the session.
    pub async fn get_page(&self, path: &str) -> Page {
        Page::read(self.fetch(path).await).await
    }

    /// GETs a file with the session (a CSV, a spreadsheet, a poster).
    pub async fn download(&self, path: &str) -> Download {
        let response = self.fetch(path).await;
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        Download {
            status: response.status().as_u16(),
            content_type: header(reqwest::header::CONTENT_TYPE),
            disposition: header(reqwest::header::CONTENT_DISPOSITION),
            bytes: response.bytes().await.expect("body").to_vec(),
        }
    }

    /// POSTs a form with the session, adding the session's form token unless
    /// `fields` carries a `csrf_token` of its own; the whole response.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let csrf;
        let mut fields = fields.to_vec();
        if !fields.iter().any(|(k, _)| *k == "csrf_token") {
            csrf = self.csrf().await;
            fields.push(("csrf_token", &csrf));
        }
        self.post_exact(path, &fields).await
    }

    /// POSTs a form as [`Person::post_form`] does and reads the answer as a page.
    pub async fn post_page(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        Page::read(self.post_form(path, fields).await).await
    }

    /// POSTs exactly these form fields with the session (no form token added:
    /// for the tests of its refusal); the whole response.
    pub async fn post_exact(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.address))
            .header(reqwest::header::COOKIE, session_header(&self.session))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(serde_html_form::to_string(fields).expect("form"))
            .send()
            .await
            .expect("request")
    }

    /// Makes an API token on `/account/tokens` (the form's fields: `name`,
    /// `role`, `region_code` or `venue_ids`): the token the page shows once.
    pub async fn make_token(&self, fields: &[(&str, &str)]) -> String {
        let page = self.post_page("/account/tokens?lang=en", fields).await;
        assert_eq!(page.status, 200, "{page:?}");
        page.select_text("section[role=status] code.secret")
    }
}

impl TestApp {
    /// Creates an activated account (see [`TestApp::activated_account`]) with
    /// its login as its name; returns its id.
    pub async fn create_person(
        &self,
        login: &str,
        role: &str,
        region_code: Option<&str>,
        venue_ids: &[i64],
    ) -> i64 {
        let mut body = json!({ "login": login, "display_name": login, "role": role });
        if let Some(code) = region_code {
            body["region_code"] = json!(code);
        }
        if !venue_ids.is_empty() {
            body["venue_ids"] = json!(venue_ids);
        }
        let account = self.activated_account(body).await;
        account["id"].as_i64().expect("account id")
    }
}

/// A client without a cookie store: the session cookie is `Secure` (the test
/// app's public address is https), so a [`Person`] carries it by hand.
pub fn bare_client() -> reqwest::Client {
    qrfeedback::startup::install_tls_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

impl TestApp {
    /// An activated venue-staff account for the given venues.
    pub async fn venue_staff(&self, login: &str, venues: &[&Value]) -> Value {
        let ids: Vec<&Value> = venues.iter().map(|v| &v["id"]).collect();
        self.activated_account(json!({
            "login": login, "display_name": "前台", "role": "venue_staff", "venue_ids": ids,
        }))
        .await
    }

    /// Signs in through the sign-in form with a password (an account
    /// without a second factor), as a new browser.
    pub async fn session_for(&self, login: &str, password: &str) -> Person {
        let (_, cookie) = self.password_step(login, password).await;
        self.person_with(cookie.expect("a session cookie"))
    }

    /// The signed-in client of a session id.
    pub fn person_with(&self, session: String) -> Person {
        Person {
            address: self.address.clone(),
            session,
            totp_secret: None,
            clock: self.clock.clone(),
            csrf: tokio::sync::OnceCell::new(),
            client: bare_client(),
        }
    }

    /// GET a path with a bearer token.
    pub async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        bare_client()
            .get(format!("{}{path}", self.address))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    /// A person of `role` over `region` (none for an admin), signed in with a
    /// second factor enrolled.
    pub async fn supervisor(&self, login: &str, role: &str, region: Option<&str>) -> Person {
        self.create_person(login, role, region, &[]).await;
        self.sign_in(login).await
    }

    /// A hotel of `region` with `n` ratings yesterday of `stars` in every
    /// dimension, written as day aggregates.
    pub async fn rated_hotel(&self, name: &str, region: &str, n: i32, stars: i32) -> i64 {
        let venue = self.create_venue(name, region, "hotel").await;
        let id = venue["id"].as_i64().expect("venue id");
        let hist: Vec<i32> = (1..=5).map(|k| if k == stars { n } else { 0 }).collect();
        sqlx::query(
            "INSERT INTO venue_day_stats (venue_id, day, ratings_count, overall_sum, overall_hist,
                 environment_count, environment_sum, environment_hist, skill_count, skill_sum, skill_hist,
                 attitude_count, attitude_sum, attitude_hist, complaints_count)
             VALUES ($1, $2, $3, $4, $5, $3, $4, $5, $3, $4, $5, $3, $4, $5, 0)",
        )
        .bind(id)
        .bind(self.clock.today() - chrono::Duration::days(1))
        .bind(n)
        .bind(stars * n)
        .bind(&hist)
        .execute(&self.pool)
        .await
        .expect("day aggregates");
        id
    }

    /// A scoped API token made with the admin token (`body` as for `POST /api/v1/tokens`).
    pub async fn api_token(&self, body: Value) -> String {
        let response = self
            .client
            .post(format!("{}/api/v1/tokens", self.address))
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 201, "token creation failed");
        let created: Value = response.json().await.expect("json");
        created["token"].as_str().expect("token").to_owned()
    }
}
