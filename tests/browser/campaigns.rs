//! Demonstration units at a 1280×900 desktop (微笑新疆 示范单位推荐,
//! requirements section C): a county regulator opens the campaign from the
//! console's list, confirms the two proposed candidates and submits the
//! list; the confirmed unit's staff write its deeds and name its service
//! ambassador on their dashboard (a too-short text refused beside its
//! field first); the prefecture's regulator confirms the list and awards.
//! The county's page, the unit's dashboard part and the prefecture's
//! sign-off are kept as screenshots.

use fantoccini::Client;
use reqwest::Method;
use serde_json::json;

use crate::common::{ADMIN_TOKEN, call, spawn_app};
use crate::complaints::sign_in_staff;
use crate::console::sign_in;
use crate::driver::*;

async fn click(browser: &Client, selector: &str) {
    css(browser, selector)
        .await
        .click()
        .await
        .unwrap_or_else(|err| panic!("click `{selector}`: {err}"));
}

#[tokio::test]
async fn a_county_submits_its_list_and_the_prefecture_confirms_and_awards() {
    let app = spawn_app().await;
    let best = app.rated_hotel("孔雀河大酒店", "652801", 24, 5).await;
    let second = app.rated_hotel("梨城宾馆", "652801", 18, 4).await;
    app.rated_hotel("天鹅湖酒店", "652801", 12, 3).await;
    app.rated_hotel("铁门关客栈", "652801", 3, 5).await;
    let today = app.clock.today();
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/campaigns",
        ADMIN_TOKEN,
        Some(json!({
            "prefecture_code": "652800",
            "name": "2026年“微笑新疆”示范单位推荐",
            "year": 2026,
            "categories": ["hotel"],
            "deadline": (today + chrono::Duration::days(30)).to_string(),
            "period_start": (today - chrono::Duration::days(90)).to_string(),
            "period_end": today.to_string(),
            "weights": {"environment": 0.3, "skill": 0.3, "attitude": 0.4},
            "min_ratings": 5,
            "excluded_award_years": [2021],
            "quotas_csv": "region_code,name_zh,quota,note\n652801,库尔勒市,2,\n",
        })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().expect("campaign id");
    app.create_person("korla-regulator", "regulator", Some("652801"), &[])
        .await;
    app.create_person("bz-regulator", "regulator", Some("652800"), &[])
        .await;

    // The county: from the console's list to its proposals.
    let driver = Driver::start().await;
    let browser = driver
        .desktop_browser(DESKTOP_WIDTH, DESKTOP_HEIGHT, Some("zh-CN"))
        .await;
    sign_in(&browser, &app, "korla-regulator").await;
    browser
        .goto(&format!("{}/console/campaigns?lang=zh-CN", app.address))
        .await
        .expect("open the campaigns");
    click(&browser, "#campaigns-table a").await;
    wait_for(&browser, "#ranked-table").await;
    click(&browser, &format!("#candidate-{best} form button")).await;
    wait_for(&browser, &format!("#listed-{best}")).await;
    click(&browser, &format!("#candidate-{second} form button")).await;
    wait_for(&browser, &format!("#listed-{second}")).await;
    let state = css(&browser, "#quota-652801 td:nth-child(3)")
        .await
        .text()
        .await
        .expect("confirmed count");
    assert_eq!(state, "2");
    keep(&browser, "campaign-county-1280x900.png").await;
    click(&browser, "#submit-form button").await;
    wait_for(&browser, "#list-locked").await;
    browser.close().await.expect("close the county's browser");
    drop(driver);

    // The unit's staff: deeds refused while too short, then saved; the ambassador named.
    app.venue_staff("peacock-desk", &[&json!({"id": best})])
        .await;
    let driver = Driver::start().await;
    let staff = driver
        .desktop_browser(DESKTOP_WIDTH, DESKTOP_HEIGHT, Some("zh-CN"))
        .await;
    sign_in_staff(&staff, &app, "peacock-desk").await;
    staff
        .goto(&format!(
            "{}/dashboard/venues/{best}?lang=zh-CN#demonstration",
            app.address
        ))
        .await
        .expect("open the dashboard");
    let deeds_form = format!("#deeds-form-{id}");
    wait_for(&staff, &deeds_form).await;
    let fill = |form: String, fields: Vec<(&'static str, String)>| {
        let staff = staff.clone();
        async move {
            staff
                .execute(
                    "const f = document.querySelector(arguments[0]);
                     for (const [name, value] of arguments[1]) {
                       const field = f.querySelector('[name=' + name + ']');
                       field.removeAttribute('minlength');
                       field.value = value;
                     }
                     f.scrollIntoView();",
                    vec![json!(form), json!(fields)],
                )
                .await
                .expect("fill in the form");
        }
    };
    fill(
        deeds_form.clone(),
        vec![("deeds", "服务热情周到".to_owned())],
    )
    .await;
    click(&staff, &format!("{deeds_form} button[type=submit]")).await;
    let error = wait_for(&staff, &format!("#deeds-error-{id}"))
        .await
        .text()
        .await
        .expect("the deeds' error");
    assert!(error.contains("现有 6 字"), "{error}");
    let deeds = "酒店坚持“宾客至上”，设立多语种服务台，".repeat(16);
    fill(deeds_form.clone(), vec![("deeds", deeds.clone())]).await;
    click(&staff, &format!("{deeds_form} button[type=submit]")).await;
    wait_for(&staff, "#notice").await;
    let ambassador_form = format!("#ambassador-form-{id}");
    fill(
        ambassador_form.clone(),
        vec![
            ("name", "阿依古丽·买买提".to_owned()),
            ("post", "前厅部经理".to_owned()),
            ("phone", "0996-2012345".to_owned()),
            ("address", "库尔勒市人民东路1号".to_owned()),
            (
                "ambassador_deeds",
                "从事前厅服务十年，用维汉双语为游客排忧解难，".repeat(14),
            ),
        ],
    )
    .await;
    staff
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView();",
            vec![json!(format!("#campaign-{id}"))],
        )
        .await
        .expect("scroll to the campaign");
    keep(&staff, "campaign-unit-dashboard-1280x900.png").await;
    click(&staff, &format!("{ambassador_form} button[type=submit]")).await;
    let line = wait_for(&staff, &format!("#ambassador-line-{id}"))
        .await
        .text()
        .await
        .expect("the ambassador's line");
    assert!(line.contains("阿依古丽·买买提"), "{line}");
    staff.close().await.expect("close the staff's browser");
    drop(driver);
    let (deeds_stored, named): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT deeds, ambassador_name FROM campaign_nominations WHERE venue_id = $1",
    )
    .bind(best)
    .fetch_one(&app.pool)
    .await
    .expect("the nomination");
    assert_eq!(deeds_stored.as_deref(), Some(deeds.as_str()));
    assert_eq!(named.as_deref(), Some("阿依古丽·买买提"));

    // The prefecture: confirms the submitted list, then awards.
    let driver = Driver::start().await;
    let browser = driver
        .desktop_browser(DESKTOP_WIDTH, DESKTOP_HEIGHT, Some("zh-CN"))
        .await;
    sign_in(&browser, &app, "bz-regulator").await;
    browser
        .goto(&format!(
            "{}/console/campaigns/{id}?lang=zh-CN",
            app.address
        ))
        .await
        .expect("open the campaign");
    wait_for(&browser, "#award-waiting").await;
    click(&browser, "#review-652801 button").await;
    wait_for(&browser, "#award-form").await;
    click(&browser, "#award-form button").await;
    let awarded = wait_for(&browser, "#awarded")
        .await
        .text()
        .await
        .expect("awarded line");
    assert!(awarded.contains("命名"), "{awarded}");
    keep(&browser, "campaign-prefecture-1280x900.png").await;
    browser
        .close()
        .await
        .expect("close the prefecture's browser");

    let awarded: i64 = sqlx::query_scalar("SELECT count(*) FROM demonstration_awards")
        .fetch_one(&app.pool)
        .await
        .expect("awards");
    assert_eq!(awarded, 2);
}
