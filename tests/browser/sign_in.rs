//! A regulator signs in through the real pages in headless Chromium: the
//! password, the enrolment of an authenticator it is sent to (key read off
//! the page, code computed like a phone app would), then, signed out and in
//! again, the second step with a recovery code.

use fantoccini::Client;
use serde_json::json;

use crate::common::{ACCOUNT_PASSWORD, spawn_app, totp_code};
use crate::driver::{Driver, css, screenshot, wait_for};

/// Types into a field, replacing what is there.
async fn type_into(browser: &Client, selector: &str, text: &str) {
    let field = css(browser, selector).await;
    field.clear().await.expect("clear");
    field.send_keys(text).await.expect("type");
}

/// The path the browser shows now.
async fn path_of(browser: &Client) -> String {
    browser.current_url().await.expect("url").path().to_owned()
}

async fn sign_in_with_password(browser: &Client, address: &str, login: &str) {
    browser
        .goto(&format!("{address}/login?lang=en"))
        .await
        .expect("open /login");
    type_into(browser, "#login", login).await;
    type_into(browser, "#password", ACCOUNT_PASSWORD).await;
    css(browser, "form.login button[type=submit]")
        .await
        .click()
        .await
        .expect("sign in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regulator_enrols_an_authenticator_and_signs_in_with_a_second_factor() {
    let app = spawn_app().await;
    app.activated_account(json!({ "login": "bz-reg", "display_name": "巴州监管", "role": "regulator", "region_code": "652800" }))
        .await;
    let driver = Driver::start().await;
    let browser = driver.phone_browser().await;
    // The session cookie is Secure, as it would be behind https; Chromium
    // treats loopback as a secure origin, so it keeps it here too.
    sign_in_with_password(&browser, &app.address, "bz-reg").await;

    // A regulator without a second factor lands on enrolment, and other
    // pages send it back there.
    wait_for(&browser, "#totp-secret").await;
    assert_eq!(path_of(&browser).await, "/account/security");
    let qr = browser
        .find_all(fantoccini::Locator::Css("svg"))
        .await
        .expect("svg");
    assert!(!qr.is_empty(), "the key is shown as a QR code");
    screenshot(&browser, "enrol-totp-360x740.png").await;
    let key = css(&browser, "#totp-secret")
        .await
        .text()
        .await
        .expect("key")
        .replace(' ', "");
    browser
        .goto(&format!("{}/console/accounts?lang=en", app.address))
        .await
        .expect("open accounts");
    assert_eq!(path_of(&browser).await, "/account/security");

    type_into(&browser, "#code", &totp_code(&key)).await;
    css(&browser, "form button[type=submit]")
        .await
        .click()
        .await
        .expect("confirm");
    let first = wait_for(&browser, "code.recovery-code").await;
    let recovery = first.text().await.expect("recovery code");
    let codes = browser
        .find_all(fantoccini::Locator::Css("code.recovery-code"))
        .await
        .expect("codes");
    assert_eq!(codes.len(), 10, "ten recovery codes, shown once");

    // Enrolled, the console's pages open.
    browser
        .goto(&format!("{}/console/accounts?lang=en", app.address))
        .await
        .expect("open accounts");
    assert_eq!(path_of(&browser).await, "/console/accounts");
    assert!(
        browser.source().await.expect("source").contains("bz-reg"),
        "its own account is listed"
    );

    // Signed out and in again: the password alone is not enough.
    css(&browser, "header form[action='/logout'] button")
        .await
        .click()
        .await
        .expect("sign out");
    wait_for(&browser, "section.result h1").await;
    sign_in_with_password(&browser, &app.address, "bz-reg").await;
    wait_for(&browser, "form[action='/login/second-factor']").await;
    assert_eq!(path_of(&browser).await, "/login/second-factor");
    type_into(&browser, "#code", "000000").await;
    css(&browser, "form.login button[type=submit]")
        .await
        .click()
        .await
        .expect("send a wrong code");
    wait_for(&browser, "p.notice.error").await;
    // A recovery code works, once (the enrolment code's time step is spent).
    type_into(&browser, "#code", &recovery).await;
    css(&browser, "form.login button[type=submit]")
        .await
        .click()
        .await
        .expect("send the recovery code");
    let deadline = std::time::Instant::now() + crate::driver::PATIENCE;
    while path_of(&browser).await.starts_with("/login") {
        assert!(
            std::time::Instant::now() < deadline,
            "still on {}",
            path_of(&browser).await
        );
        tokio::time::sleep(crate::driver::POLL).await;
    }
    assert_eq!(path_of(&browser).await, "/console");
    let used: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT max(used_at) FROM account_recovery_codes")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(used.is_some(), "the recovery code is spent");
    browser.close().await.expect("close");
}
