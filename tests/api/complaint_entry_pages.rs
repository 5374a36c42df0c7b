//! The console's form for a complaint taken by telephone or from the 12345
//! hotline: a regulator enters one by the venue's printed code or its id,
//! with the time the call came in; it becomes a case in the queue and on the
//! visitor's tracking page. A service older than the region's 90 days is
//! refused with the reason beside its field, every other faulty field at the
//! same time, the form keeps what was typed, and nothing is written.

use chrono::{DateTime, Duration, Utc};
use qrfeedback::domain::day::local_time_field;
use reqwest::Method;
use serde_json::json;

use crate::common::{ADMIN_TOKEN, Page, call, spawn_app};
use crate::console::html_table;

#[tokio::test]
async fn a_regulator_enters_telephone_and_hotline_complaints_through_the_form() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap().to_string();
    let code = venue["code"].as_str().unwrap().to_owned();
    app.create_person("bayingolin", "regulator", Some("652800"), &[])
        .await;
    let regulator = app.sign_in("bayingolin").await;
    let today = app.clock.today();

    let queue = regulator.get_page("/console/complaints?lang=en").await;
    assert_eq!(
        queue.attr("a.button-link", "href").as_deref(),
        Some("/console/complaints/new?lang=en")
    );
    let form = regulator.get_page("/console/complaints/new?lang=en").await;
    assert_eq!(form.status, 200, "{form:?}");
    for field in [
        "input#venue",
        "select#source option[value=phone]",
        "select#source option[value=hotline_12345]",
        "input#service_on[type=date]",
        "input#received_at[type=datetime-local]",
        "textarea#description",
        "input#contact",
        "input[name=csrf_token]",
    ] {
        assert!(form.exists(field), "{field}");
    }

    // By the printed code, from the hotline, received two hours ago.
    let received: DateTime<Utc> = app.clock.now() - Duration::hours(2);
    let received_field = local_time_field(received);
    let service_on = (today - Duration::days(3)).to_string();
    let entered = regulator
        .post_form(
            "/console/complaints/new?lang=en",
            &[
                ("venue", &code.to_uppercase()),
                ("source", "hotline_12345"),
                ("service_on", &service_on),
                ("received_at", &received_field),
                ("description", "导游强制购物，不买不让走"),
                ("contact", "13700002222"),
            ],
        )
        .await;
    assert_eq!(entered.status(), 303);
    let location = entered.headers()["location"].to_str().unwrap().to_owned();
    let (id, tracking_code, created_at): (i64, String, DateTime<Utc>) = sqlx::query_as(
        "SELECT id, tracking_code, created_at FROM complaints WHERE source = 'hotline_12345'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        location.starts_with(&format!("/console/complaints/{id}?"))
            && location.contains("notice=complaint-entered"),
        "{location}"
    );
    assert_eq!(local_time_field(created_at), received_field);
    let case = regulator.get_page(&location).await;
    assert_eq!(case.status, 200);
    assert!(case.says(&tracking_code) && case.says("12345 hotline"));
    assert!(case.says("137******22") && !case.body.contains("13700002222"));

    // In the queue, and on the caller's tracking page without the contact.
    let queue = regulator.get_page("/console/complaints?lang=en").await;
    let (_, rows) = html_table(&queue.body, "complaints");
    assert!(rows.iter().any(|row| row[0] == tracking_code), "{rows:?}");
    let tracking = Page::read(app.get(&format!("/c/{tracking_code}?lang=en")).await).await;
    assert_eq!(tracking.status, 200);
    assert!(tracking.says(&tracking_code));
    assert!(!tracking.body.contains("13700002222") && !tracking.body.contains("137******22"));

    // By the venue's id, by telephone, no contact, received now.
    let by_phone = regulator
        .post_form(
            "/console/complaints/new",
            &[
                ("venue", &venue_id),
                ("source", "phone"),
                ("service_on", &today.to_string()),
                ("received_at", ""),
                ("description", "前台态度恶劣"),
                ("contact", ""),
            ],
        )
        .await;
    assert_eq!(by_phone.status(), 303);
    let (source, contact): (String, Option<Vec<u8>>) = sqlx::query_as(
        "SELECT source, contact_encrypted FROM complaints WHERE description = '前台态度恶劣'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((source.as_str(), contact), ("phone", None));
    let entered_rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'complaint.enter'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(entered_rows, 2);
}

#[tokio::test]
async fn a_refused_complaint_is_shown_again_with_every_reason_and_nothing_is_written() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap().to_string();
    app.create_person("bayingolin", "regulator", Some("652800"), &[])
        .await;
    let regulator = app.sign_in("bayingolin").await;
    let today = app.clock.today();
    let complaints = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM complaints")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };

    // More than 90 days after the service: refused with the region's limit.
    let too_old = (today - Duration::days(91)).to_string();
    let page = regulator
        .post_page(
            "/console/complaints/new?lang=en",
            &[
                ("venue", &venue_id),
                ("source", "phone"),
                ("service_on", &too_old),
                ("description", "房价与标价不符"),
                ("contact", "13900001111"),
            ],
        )
        .await;
    assert_eq!(page.status, 422, "{page:?}");
    assert!(page.exists("#entry-error"));
    let why = page.select_text("#service_on-error");
    assert!(why.contains("more than 90 days"), "{why}");
    assert_eq!(
        page.attr("#service_on", "aria-describedby").as_deref(),
        Some("service_on-error")
    );
    assert_eq!(page.form_value("#venue"), venue_id);
    assert_eq!(page.form_value("#service_on"), too_old);
    assert_eq!(page.form_value("#description"), "房价与标价不符");
    assert_eq!(page.form_value("#contact"), "13900001111");
    assert!(!page.exists("#venue-error") && !page.exists("#description-error"));

    // Several faults at once, each beside its field.
    let ahead = local_time_field(app.clock.now() + Duration::hours(3));
    let page = regulator
        .post_page(
            "/console/complaints/new?lang=en",
            &[
                ("venue", "no-such-venue"),
                ("source", "letter"),
                ("service_on", "2026-02-30"),
                ("received_at", &ahead),
                ("description", "  "),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    for field in [
        "venue",
        "source",
        "service_on",
        "received_at",
        "description",
    ] {
        assert!(page.exists(&format!("#{field}-error")), "{field}: {page:?}");
    }
    assert!(!page.exists("#contact-error"));
    assert!(page.select_text("#received_at-error").contains("future"));

    // Received before the day of the service.
    let page = regulator
        .post_page(
            "/console/complaints/new?lang=en",
            &[
                ("venue", &venue_id),
                ("source", "phone"),
                ("service_on", &today.to_string()),
                (
                    "received_at",
                    &local_time_field(app.clock.now() - Duration::days(2)),
                ),
                ("description", "前台态度恶劣"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.select_text("#received_at-error")
            .contains("before the day of the service")
    );

    // Without the session's token: refused before anything is read.
    let forged = regulator
        .post_exact(
            "/console/complaints/new",
            &[
                ("venue", &venue_id),
                ("source", "phone"),
                ("service_on", &today.to_string()),
                ("description", "前台态度恶劣"),
                ("csrf_token", "forged"),
            ],
        )
        .await;
    assert_eq!(forged.status(), 403);

    assert_eq!(complaints().await, 0);
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'complaint.enter'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(audited, 0);

    // The JSON route takes the time received too, and refuses one ahead.
    let (status, refused) = call(
        &app,
        Method::POST,
        "/api/v1/complaints",
        ADMIN_TOKEN,
        Some(
            json!({"venue_id": venue["id"], "source": "phone", "description": "前台态度恶劣",
                    "service_on": today.to_string(),
                    "received_at": (app.clock.now() + Duration::hours(1)).to_rfc3339()}),
        ),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(refused["type"], "/problems/date-in-future");
    let received = app.clock.now() - Duration::hours(1);
    let (status, entered) = call(
        &app,
        Method::POST,
        "/api/v1/complaints",
        ADMIN_TOKEN,
        Some(
            json!({"venue_id": venue["id"], "source": "phone", "description": "前台态度恶劣",
                    "service_on": (today - Duration::days(1)).to_string(),
                    "received_at": received.to_rfc3339()}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{entered}");
    let (_, case) = call(
        &app,
        Method::GET,
        &format!("/api/v1/complaints/{}", entered["id"]),
        ADMIN_TOKEN,
        None,
    )
    .await;
    let stored: DateTime<Utc> = case["received_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(stored.timestamp(), received.timestamp());
}
