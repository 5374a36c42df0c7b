//! Bought scores at a 1280×900 desktop: ten 5★ ratings from one address
//! prefix are held by the detectors; a prefecture's regulator finds the
//! alert in the console's inbox, opens the incident from the review queue,
//! reads the evidence and confirms the incident as bought with a reason.
//! The queue, the incident and the inbox are kept as screenshots.

use serde_json::json;

use crate::common::{Options, spawn_app_with};
use crate::console::sign_in;
use crate::driver::*;

#[tokio::test]
async fn a_regulator_reviews_a_held_campaign_and_confirms_it() {
    let app = spawn_app_with(Options {
        trusted_proxies: Some("127.0.0.1/32".into()),
        ..Options::default()
    })
    .await;
    let venue = app.create_venue("孔雀河宾馆", "652801", "hotel").await;
    let venue_id = venue["id"].as_i64().expect("venue id");
    for (i, stars) in [3, 2, 3, 1].into_iter().enumerate() {
        let response = app
            .client
            .post(format!("{}/api/v1/ratings", app.address))
            .header("X-Forwarded-For", format!("198.51.{}.7", 20 + i))
            .json(&json!({"code": venue["code"], "device_id": format!("guest-{i}-0000"), "overall": stars}))
            .send()
            .await
            .expect("an honest rating");
        assert_eq!(response.status().as_u16(), 201);
    }
    for i in 0..10 {
        let response = app
            .client
            .post(format!("{}/api/v1/ratings", app.address))
            .header("X-Forwarded-For", format!("203.0.113.{}", 40 + i))
            .json(&json!({
                "code": venue["code"], "device_id": format!("buyer-{i}-0000"), "overall": 5,
                "comment": if i % 2 == 0 { "服务一流，环境优美，强烈推荐！" } else { "服务一流环境优美，强烈推荐" },
            }))
            .send()
            .await
            .expect("a bought rating");
        assert_eq!(response.status().as_u16(), 201);
    }
    let held = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM integrity_holds WHERE venue_id = $1 AND state = 'held'",
        )
        .bind(venue_id)
        .fetch_one(&app.pool)
        .await
        .expect("holds")
    };
    assert_eq!(app.scan_integrity().await.held, 10);
    assert_eq!(held().await, 10);
    app.create_person("bz-regulator", "regulator", Some("652800"), &[])
        .await;

    let driver = Driver::start().await;
    let browser = driver
        .desktop_browser(DESKTOP_WIDTH, DESKTOP_HEIGHT, Some("zh-CN"))
        .await;
    sign_in(&browser, &app, "bz-regulator").await;
    browser
        .goto(&format!("{}/console/alerts?lang=zh-CN", app.address))
        .await
        .expect("open the alerts");
    let unread = wait_for(&browser, "#unread-count")
        .await
        .text()
        .await
        .expect("the unread count");
    assert_eq!(unread, "1条未读");
    keep(&browser, "alerts-inbox-1280x900.png").await;

    browser
        .goto(&format!("{}/console/integrity?lang=zh-CN", app.address))
        .await
        .expect("open the review queue");
    wait_for(&browser, "#incidents-table").await;
    keep(&browser, "integrity-queue-1280x900.png").await;
    css(&browser, "#incidents-table tbody a")
        .await
        .click()
        .await
        .expect("open the incident");
    wait_for(&browser, "#decide-all").await;
    let rows = browser
        .find_all(fantoccini::Locator::Css("#held-ratings-table tbody tr"))
        .await
        .expect("the held ratings");
    assert_eq!(rows.len(), 10);
    browser
        .execute(
            "const f = document.querySelector('#decide-all form');
             f.querySelector('select[name=decision]').value = 'confirm';
             f.querySelector('input[name=reason]').value = '同一网段十台设备半小时内五星，评论雷同';",
            vec![],
        )
        .await
        .expect("fill in the decision");
    keep(&browser, "integrity-incident-1280x900.png").await;
    css(&browser, "#decide-all button[type=submit]")
        .await
        .click()
        .await
        .expect("decide");
    wait_for(&browser, "#notice").await;
    assert!(
        browser
            .find(fantoccini::Locator::Css("#decide-all"))
            .await
            .is_err(),
        "nothing is left to decide"
    );
    browser.close().await.expect("close the browser");
    assert_eq!(held().await, 0);
    let confirmed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM integrity_holds WHERE venue_id = $1 AND state = 'confirmed'",
    )
    .bind(venue_id)
    .fetch_one(&app.pool)
    .await
    .expect("confirmed");
    assert_eq!(confirmed, 10);
}
