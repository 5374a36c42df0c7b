//! Credit repair through the pages: the venue's staff apply on the
//! dashboard under the listed entry (multipart, with the form token; a
//! refused form keeps what was typed and says why beside the field), a
//! regulator finds it in the console's queue (overdue marked once its
//! working days pass) and approves it on its page; the evidence links serve
//! the files to those in scope only; every new page route refuses whoever
//! may not use it; the pages cite clauses 22 and 19 in each language.

use chrono::Duration;
use serde_json::json;

use crate::common::{ACCOUNT_PASSWORD, Page, Person, TestApp, session_header, spawn_app};
use crate::credit_repair::{Cast, Upload, entry, multipart, pdf, pdf_upload};

/// The hotel's cast from the API tests, plus signed-in people: the venue's
/// staff, the prefecture's regulator and a regulator of elsewhere.
struct People {
    cast: Cast,
    staff: Person,
    regulator: Person,
    elsewhere: Person,
}

async fn people(app: &TestApp) -> People {
    let cast = crate::credit_repair::cast(app).await;
    app.activated_account(json!({
        "login": "desk", "display_name": "前台", "role": "venue_staff",
        "venue_ids": [cast.venue_id],
    }))
    .await;
    let staff = app.session_for("desk", ACCOUNT_PASSWORD).await;
    app.create_person("bz-reg", "regulator", Some("652800"), &[])
        .await;
    let regulator = app.sign_in("bz-reg").await;
    app.create_person("cj-reg", "regulator", Some("652300"), &[])
        .await;
    let elsewhere = app.sign_in("cj-reg").await;
    People {
        cast,
        staff,
        regulator,
        elsewhere,
    }
}

/// Posts the dashboard's repair form as a browser does.
async fn post_repair(
    app: &TestApp,
    person: &Person,
    (venue_id, entry_id): (i64, i64),
    fields: &[(&str, String)],
    files: &[Upload],
) -> Page {
    let mut all = vec![("csrf_token", person.csrf().await)];
    all.extend(fields.iter().cloned());
    let (body, content_type) = multipart(&all, files);
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!(
            "{}/dashboard/venues/{venue_id}/list-entries/{entry_id}/repair?lang=en",
            app.address
        ))
        .header("cookie", session_header(&person.session))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    Page::read(response).await
}

#[tokio::test]
async fn the_venue_applies_on_its_dashboard_and_the_regulator_approves_in_the_console() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let venue = p.cast.venue_id;
    let listed = entry(&app, &p.cast, 0, false, true).await;
    let entry_id = listed["id"].as_i64().unwrap();
    let dashboard = format!("/dashboard/venues/{venue}?lang=en");

    // The form sits under the entry in force, with the commitment's words.
    let page = p.staff.get_page(&dashboard).await;
    assert_eq!(page.status, 200);
    let form = format!("form#repair-form-{entry_id}[enctype='multipart/form-data']");
    assert!(page.exists(&form), "{}", page.body);
    assert!(page.exists(&format!("#commitment-text-{entry_id}")));
    assert!(page.says("clause 22") && page.says("clause 19"));

    // A refused form keeps what was typed and says why beside the field.
    let mut fields = crate::credit_repair::fields(&app, true);
    fields[0].1 = " ".into();
    let refused = post_repair(&app, &p.staff, (venue, entry_id), &fields, &[]).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.exists(&format!("#rectification-error-{entry_id}")));
    assert_eq!(
        refused
            .attr(&format!("#training-course-{entry_id}"), "value")
            .as_deref(),
        Some("旅游市场信用修复专题培训")
    );
    let mut bad_file = Upload {
        name: "scan.pdf",
        content_type: "application/pdf",
        bytes: b"MZ\x90\x00 not a pdf".to_vec(),
    };
    let refused = post_repair(
        &app,
        &p.staff,
        (venue, entry_id),
        &crate::credit_repair::fields(&app, true),
        std::slice::from_mut(&mut bad_file),
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(refused.exists(&format!("#evidence-error-{entry_id}")));

    // Accepted: 303 back to the dashboard, which shows it waiting.
    let done = post_repair(
        &app,
        &p.staff,
        (venue, entry_id),
        &crate::credit_repair::fields(&app, true),
        &[pdf_upload()],
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = p.staff.get_page(&dashboard).await;
    assert!(!page.exists(&form), "one pending application at a time");
    assert_eq!(
        page.select_text(".repair-application .repair-state"),
        "Waiting for the decision"
    );
    let link = page
        .attr(".repair-application .evidence a", "href")
        .unwrap_or_else(|| panic!("{}", page.body));
    let download = p.staff.fetch(&link).await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert_eq!(download.bytes().await.unwrap().to_vec(), pdf());
    assert_eq!(p.elsewhere.fetch(&link).await.status(), 404);
    assert_eq!(p.regulator.fetch(&link).await.status(), 200);

    // The console's queue and the application's page.
    let queue = p
        .regulator
        .get_page("/console/repair-applications?lang=en")
        .await;
    assert_eq!(queue.status, 200);
    assert!(queue.says("孔雀河酒店"));
    assert!(!queue.exists("tr.overdue"));
    let other = p
        .elsewhere
        .get_page("/console/repair-applications?lang=en")
        .await;
    assert!(!other.says("孔雀河酒店"));
    let href = queue.attr("tr.repair-row a", "href").unwrap();
    let page = p.regulator.get_page(&href).await;
    assert_eq!(page.status, 200);
    assert!(page.exists("#repair-evidence a"));
    assert!(page.says("已向游客全额退款"));
    assert!(page.says("旅游市场信用修复专题培训"));
    assert!(page.says("The venue commits to operate honestly"));
    assert!(page.says("clause 22"));
    let action = page.attr("#repair-decision-form", "action").unwrap();
    let csrf = p.regulator.csrf().await;
    let refused = p
        .regulator
        .post_page(
            &action,
            &[
                ("csrf_token", &csrf),
                ("decision", "approved"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.exists("#repair-reason-error"));
    let approved = p
        .regulator
        .post_exact(
            &action,
            &[
                ("csrf_token", &csrf),
                ("decision", "approved"),
                ("reason", "整改到位"),
            ],
        )
        .await;
    assert_eq!(approved.status(), 303);
    let page = p.regulator.get_page(&href).await;
    assert_eq!(
        page.select_text("#repair-application .repair-state"),
        "Approved"
    );
    assert!(page.exists("#repair-ended-early"));
    assert!(!page.exists("#repair-decision-form"));
    let score = app.score_when(venue, |s| s["tier"] != "D").await;
    assert_ne!(score["tier"], "D");

    // In the visitor's language.
    let zh = p
        .staff
        .get_page(&format!("/dashboard/venues/{venue}?lang=zh-CN"))
        .await;
    assert!(zh.says("信用修复") && zh.says("第22条"));
    let ug = p
        .regulator
        .get_page("/console/repair-applications?lang=ug")
        .await;
    assert!(ug.says("ئىناۋەت ئەسلىگە كەلتۈرۈش"));
}

#[tokio::test]
async fn the_queue_marks_overdue_applications_and_the_excluded_commitment_is_explained() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let venue = p.cast.venue_id;
    let listed = entry(&app, &p.cast, 0, true, true).await;
    let entry_id = listed["id"].as_i64().unwrap();
    let dashboard = format!("/dashboard/venues/{venue}?lang=en");
    let page = p.staff.get_page(&dashboard).await;
    assert!(page.exists(&format!("#commitment-excluded-{entry_id}")));
    assert!(!page.exists(&format!("#commitment-text-{entry_id}")));

    // The commitment sent anyway is refused beside the commitment.
    let refused = post_repair(
        &app,
        &p.staff,
        (venue, entry_id),
        &crate::credit_repair::fields(&app, true),
        &[pdf_upload()],
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(refused.exists(&format!("#commitment-error-{entry_id}")));
    assert!(refused.says("excludes repair by credit commitment"));

    let done = post_repair(
        &app,
        &p.staff,
        (venue, entry_id),
        &crate::credit_repair::fields(&app, false),
        &[pdf_upload()],
    )
    .await;
    assert_eq!(done.status, 303);
    assert!(
        !p.regulator
            .get_page("/console/repair-applications?lang=en")
            .await
            .exists("tr.overdue")
    );
    // Past the working days (a session signed in after the clock moved).
    app.clock.advance(Duration::days(40));
    app.create_person("bz-late", "regulator", Some("652800"), &[])
        .await;
    let late = app.sign_in("bz-late").await;
    let queue = late.get_page("/console/repair-applications?lang=en").await;
    assert!(queue.exists("tr.overdue strong.overdue"), "{}", queue.body);
}

#[tokio::test]
async fn every_new_repair_page_refuses_whoever_may_not_use_it() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let venue = p.cast.venue_id;
    let listed = entry(&app, &p.cast, 0, false, true).await;
    let entry_id = listed["id"].as_i64().unwrap();
    // A regulator does not apply for the venue.
    let refused = post_repair(
        &app,
        &p.regulator,
        (venue, entry_id),
        &crate::credit_repair::fields(&app, true),
        &[],
    )
    .await;
    assert_eq!(refused.status, 403);
    // Staff do not see the console.
    for path in [
        "/console/repair-applications",
        "/console/repair-applications/1",
    ] {
        assert_eq!(p.staff.get_page(path).await.status, 403, "{path}");
    }
    // Without the form token nothing is stored.
    let (body, content_type) = multipart(&crate::credit_repair::fields(&app, true), &[]);
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!(
            "{}/dashboard/venues/{venue}/list-entries/{entry_id}/repair",
            app.address
        ))
        .header("cookie", session_header(&p.staff.session))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM repair_applications")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0);
    // An application out of scope is not found.
    assert_eq!(
        p.elsewhere
            .get_page("/console/repair-applications/999999")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn the_venue_asks_to_be_graded_again_from_its_dashboard_once_three_months_have_passed() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let venue = p.cast.venue_id;
    app.score_when(venue, |s| s["tier"].is_string()).await;
    let dashboard = format!("/dashboard/venues/{venue}?lang=en");
    let earliest = app
        .clock
        .today()
        .checked_add_months(chrono::Months::new(3))
        .unwrap();

    // Just graded: the day it may ask from, and no button.
    let page = p.staff.get_page(&dashboard).await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(
        page.select_text("#regrade-last")
            .contains(&format!("Last graded on {}", app.clock.today()))
    );
    assert!(
        page.select_text("#regrade-from")
            .contains(&earliest.to_string())
    );
    assert!(!page.exists("#regrade form"));
    // A press from an old page: the dashboard again with the day, nothing stored.
    let path = format!("/dashboard/venues/{venue}/regrade?lang=en");
    let early = p.staff.post_page(&path, &[]).await;
    assert_eq!(early.status, 422, "{early:?}");
    assert!(
        early
            .select_text("#regrade-error")
            .contains(&earliest.to_string())
    );
    let requests = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM regrade_requests WHERE venue_id = $1")
            .bind(venue)
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    assert_eq!(requests().await, 0);

    // The regulators see the grading, never the button, and may not press it.
    let page = p.regulator.get_page(&dashboard).await;
    assert!(page.exists("#regrade-last"));
    // Three months on (signed in afresh: sessions do not last that long;
    // the regulators as new accounts, their second factor still to enrol).
    app.clock
        .advance(Duration::days((earliest - app.clock.today()).num_days()));
    app.create_person("bz-later", "regulator", Some("652800"), &[])
        .await;
    let regulator = app.sign_in("bz-later").await;
    app.create_person("cj-later", "regulator", Some("652300"), &[])
        .await;
    let elsewhere = app.sign_in("cj-later").await;
    let staff = app.session_for("desk", ACCOUNT_PASSWORD).await;
    let page = regulator.get_page(&dashboard).await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(!page.exists("#regrade form"));
    assert_eq!(regulator.post_form(&path, &[]).await.status(), 403);
    assert_eq!(elsewhere.post_form(&path, &[]).await.status(), 403);
    assert_eq!(requests().await, 0);

    // The staff's button asks.
    let page = staff.get_page(&dashboard).await;
    assert!(page.exists("#regrade form"), "{page:?}");
    let asked = staff.post_form(&path, &[]).await;
    assert_eq!(asked.status(), 303);
    let location = asked.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("notice=regrade-requested"), "{location}");
    assert_eq!(requests().await, 1);
    let page = staff.get_page(&dashboard).await;
    assert!(!page.exists("#regrade form"));
    assert!(page.exists("#regrade-from"));
}
