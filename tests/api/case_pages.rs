//! The console's case queue and case page, and the venue dashboard's case
//! list, per role: a regulator accepts a case and resolves it through the
//! forms, the venue's staff answer it from their dashboard, the contact is
//! revealed only by the handling regulator (audited), and every case route
//! refuses whoever is outside the case's scope.

use serde_json::Value;

use crate::common::{ADMIN_TOKEN, TestApp, spawn_app};
use crate::console::html_table;

/// Files a complaint with a rating from a fresh device; the case's id and code.
async fn file_case(app: &TestApp, venue: &Value, device: &str) -> (i64, String) {
    app.file_case(venue, device, "房价与标价不符", "13900001111")
        .await
}

#[tokio::test]
async fn a_regulator_and_the_venue_handle_a_case_through_the_pages() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let elsewhere = app.create_venue("昌吉酒店", "652301", "hotel").await;
    let (id, code) = file_case(&app, &venue, "one").await;
    file_case(&app, &elsewhere, "two").await;

    app.create_person("bayingolin", "regulator", Some("652800"), &[])
        .await;
    app.create_person("changji", "regulator", Some("652300"), &[])
        .await;
    let venue_id = venue["id"].as_i64().unwrap();
    app.create_person("desk", "venue_staff", None, &[venue_id])
        .await;
    let regulator = app.sign_in("bayingolin").await;
    let outsider = app.sign_in("changji").await;
    let desk = app.sign_in("desk").await;

    // The queue: the region's case only, linked to its page, downloadable.
    let queue = regulator.get_page("/console/complaints?lang=en").await;
    assert_eq!(queue.status, 200, "{queue:?}");
    let (headers, rows) = html_table(&queue.body, "complaints");
    assert_eq!(headers[0], "Code");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], code);
    assert_eq!(rows[0][2], "Submitted");
    let csv = regulator.download("/console/complaints.csv").await;
    assert_eq!(csv.status, 200);
    assert!(String::from_utf8_lossy(&csv.bytes).contains(&code));
    let xlsx = regulator
        .download("/console/complaints.xlsx?state=submitted")
        .await;
    assert_eq!(xlsx.status, 200);
    let bad = regulator.get_page("/console/complaints?state=lost").await;
    assert_eq!(bad.status, 422);

    // The case page: masked contact, a step form; outsiders get 404.
    let path = format!("/console/complaints/{id}?lang=en");
    let page = regulator.get_page(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.says("139******11") && !page.body.contains("13900001111"));
    assert!(page.exists("select#to option[value=accepted]"));
    assert_eq!(outsider.get_page(&path).await.status, 404);
    let staff_view = desk.get_page(&path).await;
    assert_eq!(staff_view.status, 200);
    assert!(
        !staff_view.body.contains("139******11"),
        "the venue never sees the contact"
    );
    assert!(
        !staff_view.exists("select#to"),
        "nothing for the venue before acceptance"
    );

    // A form without the session's token changes nothing.
    let forged = regulator
        .post_exact(
            &format!("/console/complaints/{id}/transitions"),
            &[("to", "accepted"), ("csrf_token", "forged")],
        )
        .await;
    assert_eq!(forged.status(), 403);
    let accepted = regulator
        .post_form(
            &format!("/console/complaints/{id}/transitions"),
            &[("to", "accepted")],
        )
        .await;
    assert_eq!(accepted.status(), 303);
    // A step the machine does not allow shows the page again with why.
    let refused = regulator
        .post_page(
            &format!("/console/complaints/{id}/transitions?lang=en"),
            &[("to", "resolved")],
        )
        .await;
    assert_eq!(refused.status, 409);

    // The venue sees the case on its dashboard and answers it.
    let dashboard = desk
        .get_page(&format!("/dashboard/venues/{venue_id}?lang=en"))
        .await;
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.says(&code) && dashboard.says("Accepted"));
    let answer = desk
        .post_form(
            &format!("/console/complaints/{id}/transitions"),
            &[("to", "venue_replied"), ("note", "已退还差价并致歉")],
        )
        .await;
    assert_eq!(answer.status(), 303);
    let mediate = desk
        .post_form(
            &format!("/console/complaints/{id}/transitions"),
            &[("to", "mediating")],
        )
        .await;
    assert_eq!(mediate.status(), 403, "mediation is the regulator's");

    // The regulator reveals the contact (audited), mediates and resolves.
    let revealed = regulator
        .post_page(&format!("/console/complaints/{id}/contact"), &[])
        .await;
    assert_eq!(revealed.status, 200);
    assert!(revealed.body.contains("13900001111"));
    assert_eq!(
        desk.post_form(&format!("/console/complaints/{id}/contact"), &[])
            .await
            .status(),
        403
    );
    for fields in [
        vec![("to", "mediating")],
        vec![
            ("to", "resolved"),
            ("verdict", "fault"),
            ("public_answer", "商家已退还差价。"),
        ],
    ] {
        let done = regulator
            .post_form(&format!("/console/complaints/{id}/transitions"), &fields)
            .await;
        assert_eq!(done.status(), 303, "{fields:?}");
    }
    let (status, case) = crate::common::call(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/complaints/{id}"),
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(case["state"], "resolved");
    assert_eq!(case["upheld"], true);
    assert_eq!(case["venue_at_fault"], true);
    let closed = regulator.get_page(&path).await;
    assert!(closed.says("Resolved") && closed.says("商家已退还差价。"));
    assert!(
        closed.says("已退还差价并致歉"),
        "the venue's answer in the timeline"
    );
    let audited: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE target = $1 ORDER BY id")
            .bind(format!("complaint:{id}"))
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        audited,
        [
            "complaint.step",
            "complaint.step",
            "complaint.contact_reveal",
            "complaint.step",
            "complaint.step"
        ]
    );
    // The overview's figures link the queue's counts.
    let home = regulator.get_page("/console?lang=en").await;
    assert!(home.says("Complaints overdue"));
}

#[tokio::test]
async fn admins_keep_the_calendar_on_its_page_and_regulators_read_it() {
    let app = spawn_app().await;
    app.create_person("chief", "admin", None, &[]).await;
    app.create_person("bayingolin", "regulator", Some("652800"), &[])
        .await;
    let admin = app.sign_in("chief").await;
    let regulator = app.sign_in("bayingolin").await;

    let page = regulator
        .get_page("/console/calendar?year=2026&lang=en")
        .await;
    assert_eq!(page.status, 200);
    assert!(page.says("2026-10-01") && page.says("国庆节") && page.says("Make-up working day"));
    assert!(
        !page.exists("form.stack"),
        "regulators read the calendar only"
    );
    let refused = regulator
        .post_form(
            "/console/calendar?year=2026",
            &[("date", "2026-12-24"), ("kind", "holiday")],
        )
        .await;
    assert_eq!(refused.status(), 403);

    let page = admin.get_page("/console/calendar?year=2026&lang=en").await;
    assert!(page.exists("form.stack"));
    let set = admin
        .post_form(
            "/console/calendar?year=2026",
            &[
                ("date", "2026-12-24"),
                ("kind", "holiday"),
                ("name", "测试假日"),
            ],
        )
        .await;
    assert_eq!(set.status(), 303);
    let page = admin.get_page("/console/calendar?year=2026&lang=en").await;
    assert!(page.says("2026-12-24") && page.says("测试假日"));
    let cleared = admin
        .post_form(
            "/console/calendar?year=2026",
            &[("date", "2026-12-24"), ("kind", "weekday")],
        )
        .await;
    assert_eq!(cleared.status(), 303);
    assert!(
        !admin
            .get_page("/console/calendar?year=2026")
            .await
            .says("测试假日")
    );
    let bad = admin
        .post_page(
            "/console/calendar?year=2026&lang=en",
            &[("date", "2026-02-30"), ("kind", "holiday")],
        )
        .await;
    assert_eq!(bad.status, 422);
    let written: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'calendar.day'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(written, 2);
    assert_eq!(
        regulator.get_page("/console/calendar?year=12").await.status,
        422
    );
}
