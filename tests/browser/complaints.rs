//! A complaint handled end to end in real browsers: a visitor files it on the
//! phone page and follows it by its code; a regulator accepts it in the
//! console; the venue's staff answer it from their dashboard; the regulator
//! mediates and resolves it with a public answer; the visitor reads the
//! answer and rates the handling. The queue and the case page are saved as
//! the README's screenshots.

use std::path::Path;

use fantoccini::{Client, Locator};

use crate::common::{ACCOUNT_PASSWORD, TestApp, spawn_app};
use crate::console::sign_in;
use crate::driver::*;

/// Chooses an option of a select by its value.
async fn choose(browser: &Client, select: &str, value: &str) {
    css(browser, &format!("{select} option[value='{value}']"))
        .await
        .click()
        .await
        .unwrap_or_else(|err| panic!("choose {value} in {select}: {err}"));
}

/// Submits the case page's step form and waits for the case page again.
async fn take_step(
    browser: &Client,
    app: &TestApp,
    case_path: &str,
    to: &str,
    fields: &[(&str, &str)],
) {
    browser
        .goto(&format!("{}{case_path}?lang=zh-CN", app.address))
        .await
        .expect("open the case");
    wait_for(browser, "select#to").await;
    choose(browser, "select#to", to).await;
    for (id, text) in fields {
        css(browser, &format!("#{id}"))
            .await
            .send_keys(text)
            .await
            .unwrap_or_else(|err| panic!("type into #{id}: {err}"));
    }
    css(browser, "form.stack button[type=submit]")
        .await
        .click()
        .await
        .expect("submit the step");
    let notice = wait_for(browser, "#notice")
        .await
        .text()
        .await
        .expect("notice");
    assert_eq!(
        notice,
        catalogue_text("zh-CN", "notices.case_stepped"),
        "after {to}"
    );
}

/// Signs in a venue's staff (no second factor asked) and waits for the dashboard.
pub(crate) async fn sign_in_staff(browser: &Client, app: &TestApp, login: &str) {
    browser
        .goto(&format!("{}/login?lang=zh-CN", app.address))
        .await
        .expect("open the sign-in page");
    wait_for(browser, "form.login input[name=login]")
        .await
        .send_keys(login)
        .await
        .expect("type the login name");
    css(browser, "form.login input[name=password]")
        .await
        .send_keys(ACCOUNT_PASSWORD)
        .await
        .expect("type the password");
    css(browser, "form.login button[type=submit]")
        .await
        .click()
        .await
        .expect("sign in");
    wait_for(browser, "header nav.account-nav").await;
}

/// Saves a screenshot for the README too.
pub(crate) async fn readme_screenshot(browser: &Client, name: &str) {
    let shot = screenshot(browser, name).await;
    let png = std::fs::read(&shot).expect("read the screenshot");
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&docs).expect("docs/screenshots");
    std::fs::write(docs.join(name), &png).expect("save the screenshot");
}

#[tokio::test]
async fn a_complaint_is_filed_followed_handled_and_its_handling_rated() {
    let app = spawn_app().await;
    let venue = app.create_venue("孔雀河酒店", "652801", "hotel").await;
    let venue_id = venue["id"].as_i64().expect("id");
    let code = venue["code"].as_str().expect("code").to_owned();
    app.create_person("bz-regulator", "regulator", Some("652800"), &[])
        .await;
    app.create_person("front-desk", "venue_staff", None, &[venue_id])
        .await;
    let driver = Driver::start().await;

    // The visitor rates two stars and files a complaint on the phone page.
    let phone = driver.phone_browser().await;
    phone
        .goto(&format!("{}/r/{code}?lang=zh-CN", app.address))
        .await
        .expect("open the rating page");
    wait_for(&phone, "form.rate button[type=submit]").await;
    css(&phone, "label[for='overall-2']")
        .await
        .click()
        .await
        .expect("two stars");
    // The send bar sticks to the bottom of the screen: bring the complaint
    // into view above it before tapping it open.
    phone
        .execute(
            "document.querySelector('details.complaint').scrollIntoView({block: 'center'});",
            vec![],
        )
        .await
        .expect("scroll");
    css(&phone, "details.complaint summary")
        .await
        .click()
        .await
        .expect("open the complaint");
    css(&phone, "#complaint")
        .await
        .send_keys("前台收费与房价标价不符，多收了两百元。")
        .await
        .expect("type the complaint");
    css(&phone, "#contact")
        .await
        .send_keys("13900001111")
        .await
        .expect("type the contact");
    css(&phone, "form.rate .send button[type=submit]")
        .await
        .click()
        .await
        .expect("send");
    let tracking_code = wait_for(&phone, "div.tracking p.code")
        .await
        .text()
        .await
        .expect("tracking code");
    assert!(
        tracking_code.starts_with(&format!("{venue_id}-")),
        "{tracking_code}"
    );
    css(&phone, "a.follow")
        .await
        .click()
        .await
        .expect("follow the complaint");
    let state = wait_for(&phone, "dd.case-state")
        .await
        .text()
        .await
        .expect("state");
    assert_eq!(state, catalogue_text("zh-CN", "cases.state_submitted"));
    assert!(
        !phone
            .source()
            .await
            .expect("source")
            .contains("13900001111"),
        "the tracking page never shows the contact"
    );

    // The regulator finds it in the queue and accepts it.
    let desk = driver
        .desktop_browser(DESKTOP_WIDTH, DESKTOP_HEIGHT, Some("zh-CN"))
        .await;
    sign_in(&desk, &app, "bz-regulator").await;
    desk.goto(&format!("{}/console/complaints?lang=zh-CN", app.address))
        .await
        .expect("open the queue");
    let link = wait_for(&desk, "#complaints-table tbody tr td a").await;
    assert_eq!(link.text().await.expect("code"), tracking_code);
    readme_screenshot(&desk, "complaint-queue-1280x900.png").await;
    link.click().await.expect("open the case");
    wait_for(&desk, "select#to").await;
    let case_path = desk.current_url().await.expect("url").path().to_owned();
    assert!(desk.source().await.expect("source").contains("139******11"));
    take_step(&desk, &app, &case_path, "accepted", &[]).await;

    // The venue's staff see it on their dashboard and answer it.
    // A second driver: each desktop browser has its own profile.
    let staff_driver = Driver::start().await;
    let staff = staff_driver
        .desktop_browser(DESKTOP_WIDTH, DESKTOP_HEIGHT, Some("zh-CN"))
        .await;
    sign_in_staff(&staff, &app, "front-desk").await;
    staff
        .goto(&format!(
            "{}/dashboard/venues/{venue_id}?lang=zh-CN",
            app.address
        ))
        .await
        .expect("open the dashboard");
    let listed = wait_for(&staff, "#cases ul.cases a").await;
    assert_eq!(listed.text().await.expect("code"), tracking_code);
    assert!(
        !staff
            .source()
            .await
            .expect("source")
            .contains("139******11"),
        "the venue never sees the contact"
    );
    take_step(
        &staff,
        &app,
        &case_path,
        "venue_replied",
        &[("note", "已核实，向游客道歉并退还多收的两百元。")],
    )
    .await;

    // The regulator mediates and resolves it, with a verdict and an answer.
    take_step(&desk, &app, &case_path, "mediating", &[]).await;
    desk.goto(&format!("{}{case_path}?lang=zh-CN", app.address))
        .await
        .expect("case");
    wait_for(&desk, "select#to").await;
    choose(&desk, "select#to", "resolved").await;
    css(&desk, "input[name=verdict][value=fault]")
        .await
        .click()
        .await
        .expect("verdict");
    css(&desk, "#public_answer")
        .await
        .send_keys("经调解，商家已退还多收费用并致歉。")
        .await
        .expect("type the answer");
    desk.execute("window.scrollTo(0, 0);", vec![])
        .await
        .expect("scroll to the top");
    readme_screenshot(&desk, "complaint-case-1280x900.png").await;
    css(&desk, "form.stack button[type=submit]")
        .await
        .click()
        .await
        .expect("resolve");
    wait_for(&desk, "#notice").await;
    assert!(
        desk.source()
            .await
            .expect("source")
            .contains("已核实，向游客道歉")
    );

    // The visitor reads the answer and rates the handling once.
    phone
        .goto(&format!("{}/c/{tracking_code}?lang=zh-CN", app.address))
        .await
        .expect("reload the tracking page");
    let state = wait_for(&phone, "dd.case-state")
        .await
        .text()
        .await
        .expect("state");
    assert_eq!(state, catalogue_text("zh-CN", "cases.state_resolved"));
    let answer = css(&phone, "p.case-answer")
        .await
        .text()
        .await
        .expect("answer");
    assert_eq!(answer, "经调解，商家已退还多收费用并致歉。");
    css(&phone, "input[name=stars][value='5']")
        .await
        .click()
        .await
        .expect("five stars");
    css(&phone, "form.case-rate button[type=submit]")
        .await
        .click()
        .await
        .expect("rate");
    let notice = wait_for(&phone, "p.notice")
        .await
        .text()
        .await
        .expect("notice");
    assert_eq!(notice, catalogue_text("zh-CN", "cases.rated_thanks"));
    assert!(
        phone.find(Locator::Css("form.case-rate")).await.is_err(),
        "rated once: no form any more"
    );
    let stars: Option<i16> =
        sqlx::query_scalar("SELECT handling_stars FROM complaints WHERE tracking_code = $1")
            .bind(&tracking_code)
            .fetch_one(&app.pool)
            .await
            .expect("read the case");
    assert_eq!(stars, Some(5));
}
