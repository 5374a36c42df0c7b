//! Credit repair in a real browser (clauses 22 and 19): a listed venue's
//! staff fill in the application under the entry on their dashboard, with
//! an evidence file and the commitment, and a regulator approves it on the
//! console's application page; both pages are saved for the README.

use reqwest::Method;
use serde_json::json;

use crate::common::{ADMIN_TOKEN, call, spawn_app};
use crate::complaints::{readme_screenshot, sign_in_staff};
use crate::console::sign_in;
use crate::driver::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listed_venue_applies_for_repair_and_a_regulator_approves_it() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().expect("id");
    let today = app.clock.today();
    let (status, entry) = call(
        &app,
        Method::POST,
        &format!("/api/v1/venues/{venue_id}/list-entries"),
        ADMIN_TOKEN,
        Some(json!({
            "list": "serious",
            "reason": "以不合理低价组织旅游活动，诱骗游客购物",
            "legal_basis": "《文化和旅游市场信用管理规定》第八条",
            "decision_no": "巴文旅信〔2026〕3号",
            "starts_on": today.to_string(),
            "ends_on": (today + chrono::Duration::days(365)).to_string(),
        })),
    )
    .await;
    assert_eq!(status, 201, "{entry}");
    let entry_id = entry["id"].as_i64().expect("entry id");
    app.venue_staff("korla-desk", &[&venue]).await;
    let staff_token = app
        .api_token(json!({"name": "前台", "role": "venue_staff", "venue_ids": [venue_id]}))
        .await;
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("/api/v1/list-entries/{entry_id}/statement"),
        &staff_token,
        Some(json!({"text": "我单位已全额退款"})),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("/api/v1/list-entries/{entry_id}/decision"),
        ADMIN_TOKEN,
        Some(json!({"decision": "listed", "reason": "事实清楚"})),
    )
    .await;
    assert_eq!(status, 200);
    app.create_person("bz-regulator", "regulator", Some("652800"), &[])
        .await;

    // The venue's staff apply on the dashboard, with a PDF and the commitment.
    let evidence = std::env::temp_dir().join(format!("整改报告-{venue_id}.pdf"));
    std::fs::write(
        &evidence,
        b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
    )
    .expect("write the evidence file");
    let driver = Driver::start().await;
    let staff = driver
        .desktop_browser(DESKTOP_WIDTH, DESKTOP_HEIGHT, Some("zh-CN"))
        .await;
    sign_in_staff(&staff, &app, "korla-desk").await;
    staff
        .goto(&format!(
            "{}/dashboard/venues/{venue_id}?lang=zh-CN",
            app.address
        ))
        .await
        .expect("open the dashboard");
    let form = format!("#repair-form-{entry_id}");
    wait_for(&staff, &form).await;
    staff
        .execute(
            "const f = document.querySelector(arguments[0]);
             f.querySelector('[name=rectification]').value = '已向游客全额退款，撤换涉事导游，完成全员诚信经营培训。';
             f.querySelector('[name=training_course]').value = '旅游市场信用修复专题培训';
             f.querySelector('[name=training_provider]').value = '巴州文化体育广播电视和旅游局';
             f.querySelector('[name=trained_on]').value = arguments[1];
             f.querySelector('[name=training_hours]').value = '4';
             f.querySelector('[name=commitment]').checked = true;
             f.scrollIntoView();",
            vec![
                json!(form),
                json!((today - chrono::Duration::days(3)).to_string()),
            ],
        )
        .await
        .expect("fill in the form");
    css(&staff, &format!("{form} input[type=file]"))
        .await
        .send_keys(&evidence.display().to_string())
        .await
        .expect("choose the evidence file");
    readme_screenshot(&staff, "credit-repair-dashboard-1280x900.png").await;
    css(&staff, &format!("{form} button[type=submit]"))
        .await
        .click()
        .await
        .expect("apply");
    let state = wait_for(&staff, ".repair-application .repair-state").await;
    assert_eq!(state.text().await.expect("state"), "待决定");

    // A regulator finds it in the queue and approves it.
    let regulator_driver = Driver::start().await;
    let desk = regulator_driver
        .desktop_browser(DESKTOP_WIDTH, DESKTOP_HEIGHT, Some("zh-CN"))
        .await;
    sign_in(&desk, &app, "bz-regulator").await;
    desk.goto(&format!(
        "{}/console/repair-applications?lang=zh-CN",
        app.address
    ))
    .await
    .expect("open the queue");
    wait_for(&desk, "tr.repair-row a")
        .await
        .click()
        .await
        .expect("open the application");
    wait_for(&desk, "#repair-decision-form").await;
    assert!(desk.source().await.expect("source").contains("整改报告"));
    css(&desk, "#repair-reason")
        .await
        .send_keys("整改到位，材料齐全，同意修复")
        .await
        .expect("type the reason");
    readme_screenshot(&desk, "credit-repair-console-1280x900.png").await;
    css(&desk, "#repair-approve")
        .await
        .click()
        .await
        .expect("approve");
    wait_for(&desk, "#repair-ended-early").await;
    let score = app.score_when(venue_id, |s| s["tier"] != "D").await;
    assert_ne!(score["tier"], "D", "{score}");
    let _ = std::fs::remove_file(&evidence);
}
