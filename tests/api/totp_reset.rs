//! Resetting another account's second factor: `DELETE
//! /api/v1/accounts/{id}/second-factor` and the form on `/console/accounts`,
//! with the same grant rule as changing the account.

use reqwest::header::LOCATION;
use serde_json::{Value, json};

use crate::common::{
    ACCOUNT_PASSWORD, ADMIN_TOKEN, Page, Person, TestApp, bare_client, call, spawn_app,
};

/// `DELETE /api/v1/accounts/{id}/second-factor` with a bearer token.
async fn reset(app: &TestApp, account_id: i64, bearer: &str) -> (u16, Value) {
    let path = format!("/api/v1/accounts/{account_id}/second-factor");
    call(app, reqwest::Method::DELETE, &path, bearer, None).await
}

/// Rows of the account's authenticator and of its recovery codes.
async fn factor_rows(app: &TestApp, account_id: i64) -> (i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM account_totp WHERE account_id = $1),
                (SELECT count(*) FROM account_recovery_codes WHERE account_id = $1)",
    )
    .bind(account_id)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// The `totp.reset` entries of an account: actor, region, before and after.
async fn reset_entries(
    app: &TestApp,
    account_id: i64,
) -> Vec<(String, Option<String>, Value, Value)> {
    sqlx::query_as(
        "SELECT actor, region_code::text, before, after FROM audit_log
         WHERE action = 'totp.reset' AND target = $1 ORDER BY id",
    )
    .bind(format!("account:{account_id}"))
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

/// Where a session's request for a page is sent.
async fn answer(person: &Person, path: &str) -> (u16, String) {
    let Page {
        status, location, ..
    } = person.get_page(path).await;
    (status, location)
}

#[tokio::test]
async fn an_admin_resets_a_regulators_second_factor_and_the_regulator_enrols_again() {
    let app = spawn_app().await;
    let id = app
        .create_person("bz-reg", "regulator", Some("652800"), &[])
        .await;
    let regulator = app.sign_in("bz-reg").await;
    let old_secret = regulator.totp_secret.clone().unwrap();
    assert_eq!(factor_rows(&app, id).await, (1, 10));
    assert_eq!(answer(&regulator, "/console").await.0, 200);

    let (status, body) = reset(&app, id, ADMIN_TOKEN).await;
    assert_eq!(status, 204, "{body}");

    // The authenticator, its last step and every recovery code are gone.
    assert_eq!(factor_rows(&app, id).await, (0, 0));
    // Audited with the state before and after, in the regulator's region.
    let entries = reset_entries(&app, id).await;
    assert_eq!(entries.len(), 1);
    let (actor, region, before, after) = &entries[0];
    assert_eq!(actor, "admin-token");
    assert_eq!(region.as_deref(), Some("652800"));
    assert_eq!(before["totp"], "enrolled");
    assert_eq!(before["recovery_codes_left"], 10);
    assert_eq!(after["totp"], "none");
    assert_eq!(after["recovery_codes_left"], 0);
    // Its sessions are over.
    assert_eq!(
        answer(&regulator, "/console").await,
        (303, "/login".to_owned())
    );

    // The password alone now leads to enrolment, and nothing else opens first.
    let (location, session) = app.password_step("bz-reg", ACCOUNT_PASSWORD).await;
    let session = session.expect("a session cookie");
    assert_eq!(location, "/account/security");
    let console = bare_client()
        .get(format!("{}/console", app.address))
        .header("cookie", crate::common::session_header(&session))
        .send()
        .await
        .unwrap();
    assert_eq!(console.status(), 303);
    assert_eq!(console.headers()[LOCATION], "/account/security");
    let again = app.sign_in("bz-reg").await;
    let new_secret = again.totp_secret.clone().expect("enrolled again");
    assert_ne!(new_secret, old_secret);
    assert_eq!(answer(&again, "/console").await.0, 200);
    assert_eq!(factor_rows(&app, id).await, (1, 10));

    // Nothing left to reset is a conflict, and changes nothing.
    assert_eq!(reset(&app, id, ADMIN_TOKEN).await.0, 204);
    let (status, body) = reset(&app, id, ADMIN_TOKEN).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["type"], "/problems/no-second-factor");
    assert_eq!(reset_entries(&app, id).await.len(), 2);
    assert_eq!(reset(&app, 999_999, ADMIN_TOKEN).await.0, 404);
}

/// Signs in a venue-staff account and enrols the optional second factor.
async fn enrolled_staff(app: &TestApp, login: &str, venue_id: i64) -> (i64, Person) {
    let id = app
        .create_person(login, "venue_staff", None, &[venue_id])
        .await;
    let mut person = app.sign_in(login).await;
    person.enrol_totp().await;
    (id, person)
}

#[tokio::test]
async fn resets_keep_to_the_callers_scope_and_never_to_ones_own_factor() {
    let app = spawn_app().await;
    let korla = app.create_venue("孔雀河酒店", "652801", "hotel").await;
    let korla_id = korla["id"].as_i64().unwrap();
    let changji = app.create_venue("昌吉宾馆", "652301", "hotel").await;
    let own_id = app
        .create_person("bz-reg", "regulator", Some("652800"), &[])
        .await;
    let bz = app.sign_in("bz-reg").await;
    let (desk_id, desk) = enrolled_staff(&app, "korla-desk", korla_id).await;
    let (far_desk_id, _) = enrolled_staff(&app, "cj-desk", changji["id"].as_i64().unwrap()).await;
    let province_id = app
        .create_person("xj-reg", "regulator", Some("650000"), &[])
        .await;
    app.sign_in("xj-reg").await;
    let root_id = app.create_person("root", "admin", None, &[]).await;
    app.sign_in("root").await;

    // The accounts page offers a reset for others with a factor, not for oneself.
    let page = bz.get_page("/console/accounts?lang=en").await;
    assert_eq!(page.status, 200);
    let reset_form =
        |id: i64| format!("form[action='/console/accounts/{id}/second-factor/reset'] button");
    assert_eq!(
        page.select_text(&reset_form(desk_id)),
        "Reset two-step sign-in"
    );
    assert!(!page.exists(&reset_form(own_id)));

    // The form needs the session's token.
    let path = format!("/console/accounts/{desk_id}/second-factor/reset");
    let Page { status, .. } = bz.post_page(&path, &[("csrf_token", "forged")]).await;
    assert_eq!(status, 403);
    let response = desk.post_exact(&path, &[]).await;
    assert_eq!(response.status(), 403, "venue staff may not reset");
    assert_eq!(factor_rows(&app, desk_id).await, (1, 10));
    // The first click asks to confirm, naming the account, and resets nothing.
    let page = bz.post_page(&format!("{path}?lang=en"), &[]).await;
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(page.select_text("h1"), "Reset two-step sign-in?");
    assert!(page.says("(korla-desk)"), "{page:?}");
    assert_eq!(factor_rows(&app, desk_id).await, (1, 10));
    let Page {
        status, location, ..
    } = bz
        .post_page(&format!("{path}?lang=en"), &[("confirmed", "yes")])
        .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/console/accounts?notice=second-factor-reset&lang=en")
    );
    let page = bz.get_page(&location).await;
    assert!(page.says("Two-step sign-in was reset"), "{page:?}");
    assert_eq!(factor_rows(&app, desk_id).await, (0, 0));
    assert_eq!(
        answer(&desk, "/dashboard").await,
        (303, "/login".to_owned())
    );
    // The entry belongs to the venue's region, so it shows in the regulator's log.
    let entries = reset_entries(&app, desk_id).await;
    assert_eq!(entries[0].0, format!("account:{own_id}"));
    assert_eq!(entries[0].1.as_deref(), Some("652801"));
    let Page { body: log, .. } = bz.get_page("/console/audit?action=totp.reset").await;
    assert!(log.contains("korla-desk（korla-desk）"), "{log}");
    // Venue staff need no factor: signing in again just works.
    let (location, _) = app.password_step("korla-desk", ACCOUNT_PASSWORD).await;
    assert_eq!(location, "/dashboard");

    // Outside the caller's scope: 404 on the form and the JSON route alike.
    for outside in [far_desk_id, province_id, root_id] {
        let Page { status, .. } = bz
            .post_page(
                &format!("/console/accounts/{outside}/second-factor/reset"),
                &[],
            )
            .await;
        assert_eq!(status, 404, "account {outside}");
    }
    let token = app
        .api_token(json!({ "name": "bz", "role": "regulator", "region_code": "652800" }))
        .await;
    assert_eq!(reset(&app, far_desk_id, &token).await.0, 404);
    assert_eq!(factor_rows(&app, far_desk_id).await, (1, 10));

    // One's own factor is changed on the security page, not here.
    let Page {
        status, body: page, ..
    } = bz
        .post_page(
            &format!("/console/accounts/{own_id}/second-factor/reset"),
            &[],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    let fields = [
        ("name", "bz automation"),
        ("role", "regulator"),
        ("region_code", "652800"),
    ];
    let own_token = bz.make_token(&fields).await;
    let (status, body) = reset(&app, own_id, &own_token).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["type"], "/problems/own-second-factor");
    assert_eq!(factor_rows(&app, own_id).await, (1, 10));

    // Venue staff tokens may not call the route at all.
    let staff_token = app
        .api_token(json!({ "name": "d", "role": "venue_staff", "venue_ids": [korla_id] }))
        .await;
    assert_eq!(reset(&app, far_desk_id, &staff_token).await.0, 403);
    assert_eq!(reset(&app, own_id, &staff_token).await.0, 403);
    assert!(reset_entries(&app, own_id).await.is_empty());
}

#[tokio::test]
async fn a_session_whose_redis_entry_outlives_the_reset_is_refused() {
    // As when Redis cannot be reached to delete the sessions: the reset is
    // stored, but the regulator's session stays in Redis.
    let app = spawn_app().await;
    let id = app
        .create_person("bz-reg-2", "regulator", Some("652800"), &[])
        .await;
    let regulator = app.sign_in("bz-reg-2").await;
    assert_eq!(answer(&regulator, "/console").await.0, 200);

    let outcome = qrfeedback::store::second_factor::reset(
        &app.pool,
        id.into(),
        &qrfeedback::store::ScopeFilter::everything(),
        |_| Ok::<(), qrfeedback::store::StoreError>(()),
        qrfeedback::store::audit::AuditEntry {
            actor: "admin-token".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(outcome.is_some());

    assert_eq!(
        answer(&regulator, "/console").await,
        (303, "/login".to_owned())
    );
    // A session opened after the reset works once the factor is enrolled again.
    let again = app.sign_in("bz-reg-2").await;
    assert_eq!(answer(&again, "/console").await.0, 200);
}
