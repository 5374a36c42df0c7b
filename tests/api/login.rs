//! Signing in and out: form tokens, sessions in Redis, throttling and
//! answers that do not tell which login names exist.

use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, RETRY_AFTER, SET_COOKIE};
use serde_json::{Value, json};

use crate::common::{
    ACCOUNT_PASSWORD as PASSWORD, ADMIN_TOKEN, LoginForm, Options, Page, SESSION_COOKIE, TestApp,
    argon2_runs, bare_client, call, csrf_of, login_form, session_header, set_cookie, spawn_app,
    spawn_app_with,
};

/// Creates an activated admin account through the API.
async fn create_admin(app: &TestApp, login: &str) {
    app.activated_account(json!({ "login": login, "display_name": "Admin", "role": "admin" }))
        .await;
}

/// GET /login, optionally with a session cookie; returns the page.
async fn login_page(app: &TestApp, session: Option<&str>) -> Page {
    let mut request = bare_client().get(format!("{}/login?lang=en", app.address));
    if let Some(session) = session {
        request = request.header(COOKIE, session_header(session));
    }
    let page = Page::read(request.send().await.unwrap()).await;
    assert_eq!(page.status, 200);
    page
}

async fn post_form(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    session: Option<&str>,
) -> reqwest::Response {
    let mut request = bare_client()
        .post(format!("{}{path}", app.address))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(serde_html_form::to_string(fields).unwrap());
    if let Some(session) = session {
        request = request.header(COOKIE, session_header(session));
    }
    request.send().await.unwrap()
}

/// Posts the sign-in form of a new browser, again after a 503 from busy
/// password workers.
async fn sign_in(app: &TestApp, login: &str, password: &str) -> reqwest::Response {
    app.sign_in_answer(login, password).await
}

/// Posts the sign-in form of a new browser once, whatever the answer.
async fn sign_in_once(app: &TestApp, login: &str, password: &str) -> reqwest::Response {
    let form = login_form(&app.address).await;
    post_login(app, &form, login, password).await
}

/// Posts a sign-in form with its token and pre-session cookie.
async fn post_login(
    app: &TestApp,
    form: &LoginForm,
    login: &str,
    password: &str,
) -> reqwest::Response {
    let fields = [
        ("csrf_token", form.token.as_str()),
        ("login", login),
        ("password", password),
        ("lang", "en"),
    ];
    bare_client()
        .post(format!("{}/login", app.address))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(COOKIE, form.cookie.as_str())
        .body(serde_html_form::to_string(fields).unwrap())
        .send()
        .await
        .unwrap()
}

/// The session id a successful sign-in set.
fn session_of(response: &reqwest::Response) -> String {
    set_cookie(response, SESSION_COOKIE).expect("a session cookie")
}

/// The session keys this app holds in Redis, with their seconds to live.
async fn session_ttls(app: &TestApp) -> Vec<i64> {
    let client = redis::Client::open(std::env::var("REDIS_URL").unwrap()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{}:session:*", app.db_name))
        .query_async(&mut conn)
        .await
        .unwrap();
    let mut ttls = Vec::new();
    for key in keys {
        let ttl: i64 = redis::cmd("TTL")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .unwrap();
        ttls.push(ttl);
    }
    ttls
}

/// How many sessions this app holds in Redis.
async fn stored_sessions(app: &TestApp) -> usize {
    session_ttls(app).await.len()
}

#[tokio::test]
async fn the_login_page_is_a_form_with_a_token() {
    let app = spawn_app().await;
    let response = bare_client()
        .get(format!("{}/login", app.address))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let page = Page::read(response).await;
    assert_eq!(
        page.attr("form[action='/login']", "method").as_deref(),
        Some("post")
    );
    assert!(page.exists("form[action='/login'] input[name=password][type=password]"));
    assert!(page.select_text("h1").contains("Sign in"));
    assert!(
        !page
            .form_value("form[action='/login'] input[name=csrf_token]")
            .is_empty()
    );
    let zh = Page::read(
        bare_client()
            .get(format!("{}/login?lang=zh-CN", app.address))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        zh.select_text("form[action='/login'] label[for=login]"),
        "登录名"
    );
}

#[tokio::test]
async fn a_correct_password_starts_a_session_that_logout_ends() {
    let app = spawn_app().await;
    create_admin(&app, "chief").await;
    let response = sign_in(&app, "Chief", PASSWORD).await;
    assert_eq!(response.status(), 303);
    // An admin without a second factor is sent to set one up first.
    assert_eq!(response.headers()[LOCATION], "/account/security");
    let cookie = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("__Host-qrf_session="))
        .unwrap();
    for part in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(part), "{cookie} lacks {part}");
    }
    let session = session_of(&response);
    assert_eq!(session.len(), 64);
    // Idle expiry: half an hour, restarted on use.
    let ttls = session_ttls(&app).await;
    assert_eq!(ttls.len(), 1);
    assert!((1700..=1800).contains(&ttls[0]), "{ttls:?}");

    // Signed in, the page offers sign-out forms with the session's token.
    let page = login_page(&app, Some(&session)).await;
    let token = page.form_value("form[action='/logout'] input[name=csrf_token]");

    // Signing out needs that token.
    let forged = post_form(&app, "/logout", &[("csrf_token", "nope")], Some(&session)).await;
    assert_eq!(forged.status(), 403);
    assert_eq!(stored_sessions(&app).await, 1);

    let done = post_form(&app, "/logout", &[("csrf_token", &token)], Some(&session)).await;
    assert_eq!(done.status(), 200);
    assert_eq!(stored_sessions(&app).await, 0);
    assert!(
        login_page(&app, Some(&session))
            .await
            .exists("form[action='/login']"),
        "signed out"
    );
}

#[tokio::test]
async fn logout_everywhere_ends_every_session_of_the_account() {
    let app = spawn_app().await;
    create_admin(&app, "chief").await;
    let first = session_of(&sign_in(&app, "chief", PASSWORD).await);
    let second = session_of(&sign_in(&app, "chief", PASSWORD).await);
    assert_ne!(first, second);
    assert_eq!(stored_sessions(&app).await, 2);
    let token = login_page(&app, Some(&first)).await.csrf();
    let done = post_form(
        &app,
        "/logout-everywhere",
        &[("csrf_token", &token)],
        Some(&first),
    )
    .await;
    assert_eq!(done.status(), 200);
    assert_eq!(stored_sessions(&app).await, 0);
    assert!(
        login_page(&app, Some(&second))
            .await
            .exists("form[action='/login']"),
        "signed out"
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_login_get_the_same_answer() {
    let app = spawn_app().await;
    create_admin(&app, "chief").await;
    let wrong = sign_in(&app, "chief", "not the password at all").await;
    let unknown = sign_in(&app, "nobody-here", "not the password at all").await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    assert!(wrong.headers().get(SET_COOKIE).is_none());
    let wrong = Page::read(wrong).await;
    assert_eq!(wrong.body, unknown.text().await.unwrap());
    assert!(
        wrong
            .select_text(".notice[role=alert]")
            .contains("login name or password is wrong"),
        "{wrong:?}"
    );
    assert_eq!(stored_sessions(&app).await, 0);
}

#[tokio::test]
async fn a_post_without_a_valid_form_token_is_refused() {
    let app = spawn_app().await;
    create_admin(&app, "chief").await;
    let fields = [("login", "chief"), ("password", PASSWORD)];
    assert_eq!(post_form(&app, "/login", &fields, None).await.status(), 403);
    let forged = [
        ("csrf_token", "AAAA"),
        ("login", "chief"),
        ("password", PASSWORD),
    ];
    assert_eq!(post_form(&app, "/login", &forged, None).await.status(), 403);
    assert_eq!(stored_sessions(&app).await, 0);
}

#[tokio::test]
async fn the_sixth_failure_for_a_login_is_throttled_whether_or_not_it_exists() {
    let app = spawn_app().await;
    create_admin(&app, "chief").await;
    let mut pages = Vec::new();
    for login in ["chief", "ghost"] {
        for _ in 0..5 {
            assert_eq!(
                sign_in(&app, login, "wrong password here").await.status(),
                401
            );
        }
        // Even the right password waits now.
        let throttled = sign_in(&app, login, PASSWORD).await;
        assert_eq!(throttled.status(), 429);
        let retry: u64 = throttled.headers()[RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=900).contains(&retry), "{retry}");
        pages.push(throttled.text().await.unwrap());
    }
    assert_eq!(pages[0], pages[1]);
    assert_eq!(stored_sessions(&app).await, 0);
}

#[tokio::test]
async fn an_account_without_a_password_gets_the_same_answer_as_a_wrong_one() {
    let app = spawn_app().await;
    create_admin(&app, "chief").await;
    let body = json!({ "login": "invited", "display_name": "Invited", "role": "admin" });
    let (status, _) = call(
        &app,
        Method::POST,
        "/api/v1/accounts",
        ADMIN_TOKEN,
        Some(body),
    )
    .await;
    assert_eq!(status, 201);
    let invited = sign_in(&app, "invited", "").await;
    let wrong = sign_in(&app, "chief", "").await;
    assert_eq!(invited.status(), 401);
    assert_eq!(wrong.status(), 401);
    assert_eq!(invited.text().await.unwrap(), wrong.text().await.unwrap());
}

#[tokio::test]
async fn without_redis_signing_in_is_briefly_unavailable() {
    let app = spawn_app_with(Options {
        no_redis: true,
        ..Options::default()
    })
    .await;
    create_admin(&app, "chief").await;
    let response = sign_in_once(&app, "chief", PASSWORD).await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().get(RETRY_AFTER).is_some());
    assert!(response.headers().get(SET_COOKIE).is_none());
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("briefly unavailable")
    );
}

/// The id of the account with this login.
async fn account_id(app: &TestApp, login: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM accounts WHERE login = $1")
        .bind(login)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn patch_account(app: &TestApp, id: i64, body: Value) -> (u16, Value) {
    let path = format!("/api/v1/accounts/{id}");
    call(app, Method::PATCH, &path, ADMIN_TOKEN, Some(body)).await
}

#[tokio::test]
async fn disabling_an_account_or_changing_its_role_ends_its_sessions() {
    let app = spawn_app().await;
    create_admin(&app, "chief").await;
    let id = account_id(&app, "chief").await;

    // A new role ends every session at once.
    let first = session_of(&sign_in(&app, "chief", PASSWORD).await);
    let second = session_of(&sign_in(&app, "chief", PASSWORD).await);
    assert_eq!(stored_sessions(&app).await, 2);
    let (status, account) = patch_account(
        &app,
        id,
        json!({ "role": "regulator", "region_code": "652800" }),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(account["role"], "regulator");
    assert_eq!(account["region_code"], "652800");
    assert_eq!(stored_sessions(&app).await, 0);
    for session in [&first, &second] {
        assert!(
            login_page(&app, Some(session))
                .await
                .exists("form[action='/login']")
        );
    }

    // A rename alone leaves sessions alone.
    let third = session_of(&sign_in(&app, "chief", PASSWORD).await);
    let (status, _) = patch_account(&app, id, json!({ "display_name": "Chief regulator" })).await;
    assert_eq!(status, 200);
    assert_eq!(stored_sessions(&app).await, 1);

    // Disabling ends the session and refuses the next sign-in like a wrong password.
    let (status, account) = patch_account(&app, id, json!({ "disabled": true })).await;
    assert_eq!(status, 200);
    assert!(account["disabled_at"].is_string(), "{account}");
    assert_eq!(stored_sessions(&app).await, 0);
    assert!(
        login_page(&app, Some(&third))
            .await
            .exists("form[action='/login']")
    );
    assert_eq!(sign_in(&app, "chief", PASSWORD).await.status(), 401);

    // Enabled again, the password works again.
    assert_eq!(
        patch_account(&app, id, json!({ "disabled": false }))
            .await
            .0,
        200
    );
    assert_eq!(sign_in(&app, "chief", PASSWORD).await.status(), 303);

    // Each change is in the audit log with the state before and after.
    let changes: Vec<(Value, Value)> = sqlx::query_as(
        "SELECT before, after FROM audit_log WHERE action = 'account.update' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(changes.len(), 4);
    assert_eq!(changes[0].0["role"], "admin");
    assert_eq!(changes[0].1["role"], "regulator");
    assert_eq!(changes[2].1["disabled"], true);
}

#[tokio::test]
async fn a_hundred_parallel_wrong_passwords_get_at_most_five_checks() {
    let app = spawn_app().await;
    create_admin(&app, "chief").await;
    // Every attempt comes from its own fresh browser: its own form token
    // and pre-session cookie, so nothing but the throttle stands in the way.
    let forms = futures_util::future::join_all((0..100).map(|_| login_form(&app.address))).await;
    let checks_before = argon2_runs(&app.address, "verify").await;
    let answers = futures_util::future::join_all(
        forms
            .iter()
            .map(|form| post_login(&app, form, "chief", "not the password at all")),
    )
    .await;
    let checks = argon2_runs(&app.address, "verify").await - checks_before;
    let refused = answers.iter().filter(|r| r.status() == 401).count();
    let throttled = answers.iter().filter(|r| r.status() == 429).count();
    assert!(checks <= 5, "{checks} passwords were checked");
    assert_eq!(refused as u64, checks, "each check answered 401");
    assert_eq!(refused + throttled, 100, "the rest waited");
    assert!(
        answers
            .iter()
            .filter(|r| r.status() == 429)
            .all(|r| r.headers().contains_key(RETRY_AFTER))
    );
    // The right password waits too, and costs nothing.
    let late = sign_in(&app, "chief", PASSWORD).await;
    assert_eq!(late.status(), 429);
    assert_eq!(
        argon2_runs(&app.address, "verify").await - checks_before,
        checks
    );
}

#[tokio::test]
async fn a_login_form_token_is_refused_with_another_cookie_or_a_second_time() {
    let app = spawn_app().await;
    create_admin(&app, "chief").await;
    let mine = login_form(&app.address).await;
    let theirs = login_form(&app.address).await;
    assert_ne!(mine.cookie, theirs.cookie);
    // My token in their browser, and a token with no pre-session at all.
    let swapped = LoginForm {
        token: mine.token.clone(),
        cookie: theirs.cookie.clone(),
    };
    assert_eq!(
        post_login(&app, &swapped, "chief", "wrong one")
            .await
            .status(),
        403
    );
    let bare = [
        ("csrf_token", mine.token.as_str()),
        ("login", "chief"),
        ("password", "x"),
    ];
    assert_eq!(post_form(&app, "/login", &bare, None).await.status(), 403);
    // Used once, the token is spent, even with the right password.
    assert_eq!(
        post_login(&app, &mine, "chief", "wrong one").await.status(),
        401
    );
    let replayed = post_login(&app, &mine, "chief", PASSWORD).await;
    assert_eq!(replayed.status(), 403);
    assert!(replayed.headers().get(SET_COOKIE).is_none());
    // A fresh form in the same browser works.
    let again = login_form(&app.address).await;
    assert_eq!(
        post_login(&app, &again, "chief", PASSWORD).await.status(),
        303
    );
}

#[tokio::test]
async fn the_session_cookie_is_host_prefixed_under_an_https_address() {
    let app = spawn_app().await;
    create_admin(&app, "chief").await;
    let response = sign_in(&app, "chief", PASSWORD).await;
    assert_eq!(response.status(), 303);
    let cookies: Vec<String> = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("__Host-qrf_session="))
        .expect("a __Host- session cookie");
    for part in ["Secure", "Path=/", "HttpOnly"] {
        assert!(session.contains(part), "{session} lacks {part}");
    }
    assert!(!session.contains("Domain"), "{session}");
    assert!(!cookies.iter().any(|c| c.starts_with("qrf_session=")));
    // The unprefixed name means nothing here.
    let value = session_of(&response);
    let plain = bare_client()
        .get(format!("{}/account/security", app.address))
        .header(COOKIE, format!("qrf_session={value}"))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 303);
    assert!(
        plain.headers()[LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );

    // Over plain http the cookie keeps its plain name and is not Secure.
    let http = spawn_app_with(Options {
        public_base_url: Some("http://q.example.org".into()),
        ..Options::default()
    })
    .await;
    create_admin(&http, "chief").await;
    let form = bare_client()
        .get(format!("{}/login?lang=en", http.address))
        .send()
        .await
        .unwrap();
    let pre_session = set_cookie(&form, "qrf_presession").expect("a plain pre-session cookie");
    let form = LoginForm {
        token: csrf_of(&form.text().await.unwrap()),
        cookie: format!("qrf_presession={pre_session}"),
    };
    let response = post_login(&http, &form, "chief", PASSWORD).await;
    assert_eq!(response.status(), 303);
    let session = set_cookie(&response, "qrf_session");
    assert!(session.is_some());
    for raw in response.headers().get_all(SET_COOKIE) {
        let raw = raw.to_str().unwrap();
        assert!(
            !raw.contains("Secure") && !raw.starts_with("__Host-"),
            "{raw}"
        );
    }
}

#[tokio::test]
async fn changing_ones_password_needs_the_current_one_and_ends_every_session() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    app.venue_staff("desk", &[&venue]).await;
    let here = app.session_for("desk", PASSWORD).await;
    let elsewhere = app.session_for("desk", PASSWORD).await;
    let page = here.fetch("/account/password?lang=en").await;
    assert_eq!(page.status(), 200);
    let page = Page::read(page).await;
    assert!(page.exists("form[action='/account/password']"), "{page:?}");
    assert!(
        !page.exists("form[action='/account/password'] input[name=code]"),
        "no second factor, no code"
    );
    let new = "a much longer brand new secret";

    // Without the session's form token, or with a wrong current password, nothing changes.
    let fields = [
        ("current_password", PASSWORD),
        ("new_password", new),
        ("new_password_again", new),
        ("lang", "en"),
    ];
    let forged = here.post_exact("/account/password", &fields).await;
    assert_eq!(forged.status(), 403);
    let wrong = [
        ("current_password", "not my password at all"),
        ("new_password", new),
        ("new_password_again", new),
    ];
    let refused = here.post_form("/account/password?lang=en", &wrong).await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("current password is wrong")
    );
    let mismatch = [
        ("current_password", PASSWORD),
        ("new_password", new),
        ("new_password_again", "something else entirely"),
    ];
    let refused = here.post_form("/account/password", &mismatch).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(elsewhere.fetch("/account/tokens").await.status(), 200);

    let right = [
        ("current_password", PASSWORD),
        ("new_password", new),
        ("new_password_again", new),
    ];
    let done = here.post_form("/account/password", &right).await;
    assert_eq!(done.status(), 200);
    // Every session ends, this one too.
    for session in [&here, &elsewhere] {
        let after = session.fetch("/account/tokens").await;
        assert_eq!(after.status(), 303);
        assert_eq!(after.headers()[LOCATION], "/login");
    }
    assert_eq!(stored_sessions(&app).await, 0);
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'account.password' AND actor LIKE 'account:%'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    assert_eq!(sign_in(&app, "desk", PASSWORD).await.status(), 401);
    assert_eq!(sign_in(&app, "desk", new).await.status(), 303);
}

#[tokio::test]
async fn changing_the_password_of_an_enrolled_account_needs_its_code() {
    let app = spawn_app().await;
    app.create_person("chief", "admin", None, &[]).await;
    let person = app.sign_in("chief").await;
    let page = person.get_page("/account/password?lang=en").await;
    assert_eq!(page.status, 200);
    assert!(
        page.exists("form[action='/account/password'] input[name=code]"),
        "{page:?}"
    );
    let csrf = page.form_value("form[action='/account/password'] input[name=csrf_token]");
    let new = "a much longer brand new secret";
    let without = [
        ("csrf_token", csrf.as_str()),
        ("current_password", PASSWORD),
        ("new_password", new),
        ("new_password_again", new),
        ("code", "000000"),
    ];
    let refused = person.post_exact("/account/password", &without).await;
    assert_eq!(refused.status(), 422);
    // Enrolment spent the current time step: move the app's clock to the next.
    app.clock.advance(chrono::Duration::seconds(30));
    let code = person.totp_code();
    let with = [
        ("csrf_token", csrf.as_str()),
        ("current_password", PASSWORD),
        ("new_password", new),
        ("new_password_again", new),
        ("code", code.as_str()),
    ];
    let done = person.post_exact("/account/password", &with).await;
    assert_eq!(done.status(), 200);
    assert_eq!(person.get_page("/console").await.status, 303);
}
