//! The second sign-in factor: enrolment on `/account/security`, the code
//! step after the password, single-use steps and recovery codes, the shared
//! throttle, and the must-enrol flag of admins and regulators.

use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, RETRY_AFTER, SET_COOKIE};
use serde_json::{Value, json};

use crate::common::{
    ACCOUNT_PASSWORD as PASSWORD, PENDING_SIGNIN_COOKIE, Page, SESSION_COOKIE, TestApp,
    argon2_runs, bare_client, csrf_of, session_header, set_cookie, spawn_app,
};

/// Creates an activated account through the API; `extra` holds its scope.
async fn create_account(app: &TestApp, login: &str, role: &str, extra: Value) {
    let mut body = json!({ "login": login, "display_name": "Person", "role": role });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    app.activated_account(body).await;
}

/// The secret the enrolment page shows for typing in, spaces removed.
fn secret_of(page: &str) -> String {
    Page::parse(page)
        .select_text("#totp-secret")
        .replace(' ', "")
}

/// The recovery codes a page shows.
fn recovery_codes_of(page: &str) -> Vec<String> {
    Page::parse(page).texts("code.recovery-code")
}

/// The value a response sets for a cookie, if it sets one.
pub(crate) fn cookie_of(response: &reqwest::Response, name: &str) -> Option<String> {
    set_cookie(response, name)
}

async fn get(app: &TestApp, path: &str, cookie: Option<String>) -> reqwest::Response {
    let mut request = bare_client().get(format!("{}{path}", app.address));
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap()
}

async fn post_form(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    cookie: Option<String>,
) -> reqwest::Response {
    let mut request = bare_client()
        .post(format!("{}{path}", app.address))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(serde_html_form::to_string(fields).unwrap());
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap()
}

fn session_cookie(session: &str) -> Option<String> {
    Some(session_header(session))
}

fn pending_cookie(pending: &str) -> Option<String> {
    Some(format!("{PENDING_SIGNIN_COOKIE}={pending}"))
}

/// Posts the password form.
pub(crate) async fn sign_in(app: &TestApp, login: &str, password: &str) -> reqwest::Response {
    app.sign_in_answer(login, password).await
}

/// Signs in an account that has no second factor; returns the session id.
async fn session_without_code(app: &TestApp, login: &str) -> String {
    let response = sign_in(app, login, PASSWORD).await;
    let session = cookie_of(&response, SESSION_COOKIE);
    let status = response.status();
    assert_eq!(status, 303, "{}", response.text().await.unwrap());
    session.expect("a session")
}

/// Signs in with the password; returns the pending sign-in id.
async fn pending_sign_in(app: &TestApp, login: &str) -> String {
    let response = sign_in(app, login, PASSWORD).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()[LOCATION], "/login/second-factor?lang=en");
    assert_eq!(cookie_of(&response, SESSION_COOKIE), None, "no session yet");
    // Host-prefixed like every cookie over https: Secure, Path=/, no Domain.
    let raw = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{PENDING_SIGNIN_COOKIE}=")))
        .expect("a pending sign-in cookie")
        .to_owned();
    for part in ["Secure", "Path=/", "HttpOnly", "SameSite=Strict"] {
        assert!(raw.split("; ").any(|p| p == part), "{raw} lacks {part}");
    }
    assert!(!raw.contains("Domain"), "{raw}");
    cookie_of(&response, PENDING_SIGNIN_COOKIE).expect("a pending sign-in")
}

/// Posts a code on the second step of a pending sign-in.
pub(crate) async fn send_code(app: &TestApp, pending: &str, code: &str) -> reqwest::Response {
    let page = get(app, "/login/second-factor?lang=en", pending_cookie(pending)).await;
    assert_eq!(page.status(), 200);
    let token = csrf_of(&page.text().await.unwrap());
    let fields = [
        ("csrf_token", token.as_str()),
        ("code", code),
        ("lang", "en"),
    ];
    post_form(
        app,
        "/login/second-factor",
        &fields,
        pending_cookie(pending),
    )
    .await
}

/// The code of a base32 secret for the 30-second step `step`.
fn code_at(secret_base32: &str, step: u64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).unwrap();
    let totp = totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .build()
        .unwrap();
    totp.generate(step * 30).to_string()
}

/// Moves the app's clock to just past the start of the next 30-second step
/// and returns that step: the test then has the whole step before the
/// server's clock moves on, and the codes of the step before and after it
/// stay accepted (one step of skew). Nothing sleeps.
fn fresh_step(app: &TestApp) -> u64 {
    let into_step_ms = app.clock.now().timestamp_millis().rem_euclid(30_000);
    app.clock
        .advance(chrono::Duration::milliseconds(30_000 - into_step_ms + 100));
    u64::try_from(app.clock.now().timestamp() / 30).unwrap()
}

/// The must-enrol field of the app's only session in Redis.
async fn stored_must_enrol_flags(app: &TestApp) -> Vec<String> {
    let client = redis::Client::open(std::env::var("REDIS_URL").unwrap()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{}:session:*", app.db_name))
        .query_async(&mut conn)
        .await
        .unwrap();
    let mut flags = Vec::new();
    for key in keys {
        let flag: String = redis::cmd("HGET")
            .arg(&key)
            .arg("must_enrol_totp")
            .query_async(&mut conn)
            .await
            .unwrap();
        flags.push(flag);
    }
    flags
}

/// Audit actions recorded so far, oldest first.
async fn audit_actions(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

/// Opens the enrolment page of a session and confirms it with the code of
/// `step`; returns the secret and the recovery codes shown. The session
/// moves to the new id the enrolment hands out.
async fn enrol(app: &TestApp, session: &mut String, step: u64) -> (String, Vec<String>) {
    let page = get(app, "/account/security?lang=en", session_cookie(session)).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    let secret = secret_of(&page);
    let code = code_at(&secret, step);
    let fields = [
        ("csrf_token", csrf_of(&page)),
        ("code", code),
        ("lang", "en".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = post_form(app, "/account/security", &fields, session_cookie(session)).await;
    assert_eq!(done.status(), 200);
    *session = cookie_of(&done, SESSION_COOKIE).expect("a renewed session");
    let codes = recovery_codes_of(&done.text().await.unwrap());
    assert_eq!(codes.len(), 10, "{codes:?}");
    (secret, codes)
}

#[tokio::test]
async fn an_admin_without_totp_lands_on_enrolment_with_a_flagged_session() {
    let app = spawn_app().await;
    create_account(&app, "chief", "admin", json!({})).await;
    let response = sign_in(&app, "chief", PASSWORD).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()[LOCATION], "/account/security");
    let mut session = cookie_of(&response, SESSION_COOKIE).unwrap();
    assert_eq!(stored_must_enrol_flags(&app).await, ["1"]);

    // The page shows a QR code drawn inline and the key for typing in.
    let page = get(&app, "/account/security?lang=en", session_cookie(&session)).await;
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let page = Page::read(page).await;
    assert!(page.exists("svg"), "{page:?}");
    assert!(!page.exists("script"));
    assert!(page.says("needs two-step sign-in"));
    let secret = secret_of(&page.body);
    assert_eq!(secret.len(), 32);
    // Opening the page again shows the same pending secret.
    let again = get(&app, "/account/security?lang=en", session_cookie(&session)).await;
    assert_eq!(secret_of(&again.text().await.unwrap()), secret);

    // The secret is stored sealed, not as itself.
    let sealed: Vec<u8> = sqlx::query_scalar("SELECT secret_sealed FROM account_totp")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let raw = totp_rs::Secret::try_from_base32(&secret).unwrap();
    assert!(!sealed.windows(20).any(|w| w == raw.as_bytes()));

    // A form without the session's token changes nothing.
    let step = fresh_step(&app);
    let code = code_at(&secret, step);
    let forged = post_form(
        &app,
        "/account/security",
        &[("csrf_token", "nope"), ("code", &code)],
        session_cookie(&session),
    )
    .await;
    assert_eq!(forged.status(), 403);

    let (_, codes) = enrol(&app, &mut session, step).await;
    assert!(
        codes
            .iter()
            .all(|c| c.len() == 19 && c.split('-').all(|group| group.len() == 4))
    );
    assert_eq!(app.count("account_recovery_codes").await, 10);
    assert_eq!(stored_must_enrol_flags(&app).await, ["0"]);
    assert_eq!(
        audit_actions(&app).await[2..],
        ["auth.sign_in", "totp.begin", "totp.enrol"]
    );

    // Once enrolled, the secret is never shown again.
    let page = get(&app, "/account/security?lang=en", session_cookie(&session)).await;
    let page = Page::read(page).await;
    assert!(!page.exists("#totp-secret"));
    assert!(page.says("Two-step sign-in is on"), "{page:?}");
    assert!(page.says("Unused recovery codes: 10."));
}

#[tokio::test]
async fn regulators_must_enrol_and_venue_staff_need_not() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    create_account(
        &app,
        "bz-watch",
        "regulator",
        json!({ "region_code": "652800" }),
    )
    .await;
    create_account(
        &app,
        "desk",
        "venue_staff",
        json!({ "venue_ids": [venue["id"]] }),
    )
    .await;

    let regulator = sign_in(&app, "bz-watch", PASSWORD).await;
    assert_eq!(regulator.headers()[LOCATION], "/account/security");
    let staff = sign_in(&app, "desk", PASSWORD).await;
    assert_eq!(staff.status(), 303);
    assert_eq!(staff.headers()[LOCATION], "/dashboard");
    let mut flags = stored_must_enrol_flags(&app).await;
    flags.sort();
    assert_eq!(flags, ["0", "1"]);

    // Staff may still enrol, and then sign in with a code.
    let mut session = cookie_of(&staff, SESSION_COOKIE).unwrap();
    let step = fresh_step(&app);
    let (secret, _) = enrol(&app, &mut session, step - 1).await;
    let pending = pending_sign_in(&app, "desk").await;
    let done = send_code(&app, &pending, &code_at(&secret, step)).await;
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()[LOCATION], "/dashboard");
}

#[tokio::test]
async fn sign_in_needs_the_code_and_a_step_counts_once() {
    let app = spawn_app().await;
    create_account(&app, "chief", "admin", json!({})).await;
    let mut first = session_without_code(&app, "chief").await;
    let step = fresh_step(&app);
    let (secret, _) = enrol(&app, &mut first, step - 1).await;

    // The password alone now leads to the code form, not to a session.
    let pending = pending_sign_in(&app, "chief").await;
    let page = get(
        &app,
        "/login/second-factor?lang=en",
        pending_cookie(&pending),
    )
    .await;
    assert_eq!(page.status(), 200);
    let page = Page::read(page).await;
    assert!(
        page.exists("form[action='/login/second-factor'] input[autocomplete=one-time-code]"),
        "{page:?}"
    );

    // The step used for enrolment is spent.
    let replayed = send_code(&app, &pending, &code_at(&secret, step - 1)).await;
    assert_eq!(replayed.status(), 401);
    assert!(replayed.text().await.unwrap().contains("already been used"));

    let done = send_code(&app, &pending, &code_at(&secret, step)).await;
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()[LOCATION], "/console");
    assert!(cookie_of(&done, SESSION_COOKIE).is_some());
    let cleared = done
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.starts_with(&format!("{PENDING_SIGNIN_COOKIE}=;"))
                || v.starts_with(&format!("{PENDING_SIGNIN_COOKIE}=\"\""))
        });
    assert!(cleared, "the pending cookie is removed");
    let mut flags = stored_must_enrol_flags(&app).await;
    flags.sort();
    assert_eq!(flags, ["0", "0"]);

    // The pending sign-in was used up with it.
    let page = get(&app, "/login/second-factor", pending_cookie(&pending)).await;
    assert_eq!(page.status(), 303, "back to the password form");
    let again = post_form(
        &app,
        "/login/second-factor",
        &[("csrf_token", "x"), ("code", &code_at(&secret, step + 1))],
        pending_cookie(&pending),
    )
    .await;
    assert_eq!(again.status(), 403);

    // The same code cannot open a second session.
    let pending = pending_sign_in(&app, "chief").await;
    let replayed = send_code(&app, &pending, &code_at(&secret, step)).await;
    assert_eq!(replayed.status(), 401);
    assert!(cookie_of(&replayed, SESSION_COOKIE).is_none());
    let steps: Vec<i64> = sqlx::query_scalar("SELECT last_used_step FROM account_totp")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(steps, [i64::try_from(step).unwrap()]);
    assert!(
        audit_actions(&app)
            .await
            .contains(&"totp.sign_in".to_owned())
    );
}

#[tokio::test]
async fn wrong_codes_are_refused_and_counted_by_the_sign_in_throttle() {
    let app = spawn_app().await;
    create_account(&app, "chief", "admin", json!({})).await;
    let mut session = session_without_code(&app, "chief").await;
    let step = fresh_step(&app);
    let (secret, _) = enrol(&app, &mut session, step).await;
    let right = code_at(&secret, step + 1);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };

    let pending = pending_sign_in(&app, "chief").await;
    for attempt in [wrong, "12345", "not a code at all"] {
        let refused = send_code(&app, &pending, attempt).await;
        assert_eq!(refused.status(), 401, "{attempt}");
        assert!(cookie_of(&refused, SESSION_COOKIE).is_none());
        let page = refused.text().await.unwrap();
        assert!(page.contains("That code is not right"), "{page}");
    }
    // A correct password does not wipe the count of failed codes.
    let pending = pending_sign_in(&app, "chief").await;
    for _ in 0..2 {
        assert_eq!(send_code(&app, &pending, wrong).await.status(), 401);
    }
    // Five failures: even the right code waits now, and so does the password.
    let throttled = send_code(&app, &pending, &right).await;
    assert_eq!(throttled.status(), 429);
    assert!(throttled.headers().get(RETRY_AFTER).is_some());
    assert_eq!(sign_in(&app, "chief", PASSWORD).await.status(), 429);
    assert_eq!(
        stored_must_enrol_flags(&app).await.len(),
        1,
        "no new session"
    );
    // Each refused code is audited, as the throttle counted it: no more.
    let refused = audit_actions(&app)
        .await
        .into_iter()
        .filter(|a| a == "auth.second_factor_failed")
        .count();
    assert_eq!(refused, 5);
}

#[tokio::test]
async fn a_recovery_code_works_once() {
    let app = spawn_app().await;
    create_account(&app, "chief", "admin", json!({})).await;
    let mut session = session_without_code(&app, "chief").await;
    let step = fresh_step(&app);
    let (_, codes) = enrol(&app, &mut session, step).await;
    let checks_before = argon2_runs(&app.address, "recovery_code").await;

    let pending = pending_sign_in(&app, "chief").await;
    // Typed in capitals and without the hyphen, it still reads.
    let typed = codes[3].replace('-', " ").to_uppercase();
    let done = send_code(&app, &pending, &typed).await;
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()[LOCATION], "/console");
    assert!(cookie_of(&done, SESSION_COOKIE).is_some());
    let used: i64 =
        sqlx::query_scalar("SELECT count(*) FROM account_recovery_codes WHERE used_at IS NOT NULL")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(used, 1);
    // The code, then the sign-in it completed.
    assert_eq!(
        audit_actions(&app)
            .await
            .iter()
            .rev()
            .take(2)
            .collect::<Vec<_>>(),
        ["auth.sign_in", "totp.recovery_code_use"]
    );
    // Checked on the bounded argon2id pool.
    assert_eq!(
        argon2_runs(&app.address, "recovery_code").await - checks_before,
        1
    );

    let pending = pending_sign_in(&app, "chief").await;
    let again = send_code(&app, &pending, &codes[3]).await;
    assert_eq!(again.status(), 401);
    assert!(cookie_of(&again, SESSION_COOKIE).is_none());
    // Another one still works.
    let other = send_code(&app, &pending, &codes[4]).await;
    assert_eq!(other.status(), 303);
}

#[tokio::test]
async fn new_recovery_codes_need_a_current_code_and_replace_the_old_ones() {
    let app = spawn_app().await;
    create_account(&app, "chief", "admin", json!({})).await;
    let mut session = session_without_code(&app, "chief").await;
    let step = fresh_step(&app);
    let (secret, old_codes) = enrol(&app, &mut session, step - 1).await;
    let page = get(&app, "/account/security?lang=en", session_cookie(&session)).await;
    let token = csrf_of(&page.text().await.unwrap());

    let spent = code_at(&secret, step - 1);
    let refused = post_form(
        &app,
        "/account/security/recovery-codes",
        &[("csrf_token", &token), ("code", &spent), ("lang", "en")],
        session_cookie(&session),
    )
    .await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("already been used"));

    let current = code_at(&secret, step);
    let forged = post_form(
        &app,
        "/account/security/recovery-codes",
        &[("csrf_token", "nope"), ("code", &current)],
        session_cookie(&session),
    )
    .await;
    assert_eq!(forged.status(), 403);

    let done = post_form(
        &app,
        "/account/security/recovery-codes",
        &[("csrf_token", &token), ("code", &current), ("lang", "en")],
        session_cookie(&session),
    )
    .await;
    assert_eq!(done.status(), 200);
    let new_codes = recovery_codes_of(&done.text().await.unwrap());
    assert_eq!(new_codes.len(), 10);
    assert!(new_codes.iter().all(|c| !old_codes.contains(c)));
    assert_eq!(app.count("account_recovery_codes").await, 10);
    assert_eq!(
        audit_actions(&app).await.last().map(String::as_str),
        Some("totp.recovery_codes_replace")
    );

    let pending = pending_sign_in(&app, "chief").await;
    assert_eq!(send_code(&app, &pending, &old_codes[0]).await.status(), 401);
    assert_eq!(send_code(&app, &pending, &new_codes[0]).await.status(), 303);
}

#[tokio::test]
async fn the_second_step_is_bound_to_its_browser_token_and_lifetime() {
    let app = spawn_app().await;
    create_account(&app, "chief", "admin", json!({})).await;
    let mut session = session_without_code(&app, "chief").await;
    let step = fresh_step(&app);
    let (secret, _) = enrol(&app, &mut session, step - 1).await;
    let code = code_at(&secret, step);

    // Without the pending sign-in's cookie there is nothing to complete.
    let page = get(&app, "/login/second-factor?lang=en", None).await;
    assert_eq!(page.status(), 303);
    assert_eq!(page.headers()[LOCATION], "/login?lang=en");
    let orphan = post_form(
        &app,
        "/login/second-factor",
        &[("csrf_token", "x"), ("code", &code)],
        None,
    )
    .await;
    assert_eq!(orphan.status(), 403);

    let pending = pending_sign_in(&app, "chief").await;
    let forged = post_form(
        &app,
        "/login/second-factor",
        &[("csrf_token", "nope"), ("code", &code)],
        pending_cookie(&pending),
    )
    .await;
    assert_eq!(forged.status(), 403);

    // It lives five minutes in Redis.
    let client = redis::Client::open(std::env::var("REDIS_URL").unwrap()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{}:signin:pending:*", app.db_name))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(keys.len(), 1);
    let ttl: i64 = redis::cmd("TTL")
        .arg(&keys[0])
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!((280..=300).contains(&ttl), "{ttl}");

    // Gone from Redis (expired), the step cannot be completed.
    let _: i64 = redis::cmd("DEL")
        .arg(&keys[0])
        .query_async(&mut conn)
        .await
        .unwrap();
    let late = post_form(
        &app,
        "/login/second-factor",
        &[("csrf_token", "whatever"), ("code", &code), ("lang", "en")],
        pending_cookie(&pending),
    )
    .await;
    assert_eq!(late.status(), 403);
    assert!(late.text().await.unwrap().contains("Sign-in has expired"));
}

#[tokio::test]
async fn the_security_page_needs_a_session() {
    let app = spawn_app().await;
    let page = get(&app, "/account/security", None).await;
    assert_eq!(page.status(), 303);
    assert!(
        page.headers()[LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
    let post = post_form(&app, "/account/security", &[("code", "123456")], None).await;
    assert_eq!(post.status(), 303);
}

#[tokio::test]
async fn a_session_from_before_the_cutoff_cannot_use_the_security_page() {
    // As after a reset whose deletion of the sessions from Redis failed: the
    // cutoff is stored, the session is still in Redis.
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    create_account(
        &app,
        "desk",
        "venue_staff",
        json!({ "venue_ids": [venue_id] }),
    )
    .await;
    let session = session_without_code(&app, "desk").await;
    let page = get(&app, "/account/security?lang=en", session_cookie(&session)).await;
    assert_eq!(page.status(), 200);
    let token = csrf_of(&page.text().await.unwrap());
    let audited = audit_actions(&app).await;
    sqlx::query("UPDATE accounts SET sessions_valid_from = now() WHERE login = 'desk'")
        .execute(&app.pool)
        .await
        .unwrap();

    let page = get(&app, "/account/security?lang=en", session_cookie(&session)).await;
    assert_eq!(page.status(), 303);
    assert!(
        page.headers()[LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
    let post = post_form(
        &app,
        "/account/security",
        &[("csrf_token", &token), ("code", "123456"), ("lang", "en")],
        session_cookie(&session),
    )
    .await;
    assert_eq!(post.status(), 303);
    // Nothing was changed on the session's word.
    assert_eq!(audit_actions(&app).await, audited);
}

#[tokio::test]
async fn an_id_seen_before_enrolment_does_not_carry_the_rights_enrolment_unlocks() {
    let app = spawn_app().await;
    create_account(&app, "chief", "admin", json!({})).await;
    let before = session_without_code(&app, "chief").await;
    let console = get(&app, "/console", session_cookie(&before)).await;
    assert_eq!(console.headers()[LOCATION], "/account/security");

    let mut session = before.clone();
    let step = fresh_step(&app);
    enrol(&app, &mut session, step).await;
    assert_ne!(session, before, "enrolment hands out a new session id");

    // The old id is over; the new one opens the console.
    let old = get(&app, "/console", session_cookie(&before)).await;
    assert_eq!(old.status(), 303);
    assert_eq!(old.headers()[LOCATION], "/login");
    let new = get(&app, "/console", session_cookie(&session)).await;
    assert_eq!(new.status(), 200);
    assert_eq!(stored_must_enrol_flags(&app).await, ["0"]);
}

#[tokio::test]
async fn a_hundred_parallel_wrong_codes_get_at_most_five_checks() {
    let app = spawn_app().await;
    create_account(&app, "chief", "admin", json!({})).await;
    let mut session = session_without_code(&app, "chief").await;
    let step = fresh_step(&app);
    let (secret, _) = enrol(&app, &mut session, step).await;
    let right = code_at(&secret, step + 1);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    // Each from its own pending sign-in, with its own cookie and form token.
    let mut pendings = Vec::new();
    for _ in 0..100 {
        let pending = pending_sign_in(&app, "chief").await;
        let page = get(
            &app,
            "/login/second-factor?lang=en",
            pending_cookie(&pending),
        )
        .await;
        let token = csrf_of(&page.text().await.unwrap());
        pendings.push((pending, token));
    }
    let forms: Vec<[(&str, &str); 3]> = pendings
        .iter()
        .map(|(_, token)| {
            [
                ("csrf_token", token.as_str()),
                ("code", wrong),
                ("lang", "en"),
            ]
        })
        .collect();
    let answers = futures_util::future::join_all(pendings.iter().zip(&forms).map(
        |((pending, _), fields)| {
            post_form(
                &app,
                "/login/second-factor",
                fields,
                pending_cookie(pending),
            )
        },
    ))
    .await;
    let checked = answers.iter().filter(|r| r.status() == 401).count();
    let throttled = answers.iter().filter(|r| r.status() == 429).count();
    assert!(checked <= 5, "{checked} codes were checked");
    assert_eq!(checked + throttled, 100);
    assert!(answers.iter().all(|r| r.status() != 303));
    // The right code waits as well.
    let (pending, _) = &pendings[0];
    assert_eq!(send_code(&app, pending, &right).await.status(), 429);
}

#[tokio::test]
async fn a_copy_of_the_recovery_code_table_gives_no_code_to_try() {
    let app = spawn_app().await;
    create_account(&app, "chief", "admin", json!({})).await;
    let mut session = session_without_code(&app, "chief").await;
    let step = fresh_step(&app);
    let (_, codes) = enrol(&app, &mut session, step).await;
    // 16 characters of a 32-symbol alphabet: 80 bits each.
    for code in &codes {
        let plain: String = code.chars().filter(|&c| c != '-').collect();
        assert_eq!(plain.len(), 16, "{code}");
    }
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT code_phc FROM account_recovery_codes ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored.len(), 10);
    let salts: std::collections::HashSet<&str> = stored
        .iter()
        .filter_map(|phc| phc.split('$').nth(4))
        .collect();
    assert_eq!(salts.len(), 10, "each code has its own salt");
    for phc in &stored {
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        for code in &codes {
            let plain: String = code.chars().filter(|&c| c != '-').collect();
            assert!(!phc.contains(&plain));
        }
    }
}
