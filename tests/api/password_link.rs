//! Set-password links: `POST /api/v1/accounts/{id}/password-link` and the
//! button on `/console/accounts`, with the same grant rule as changing the
//! account; the link opens the invitation page.

use serde_json::{Value, json};

use crate::common::{
    ACCOUNT_PASSWORD, ADMIN_TOKEN, Page, Person, TestApp, argon2_runs, bare_client, call, csrf_of,
    spawn_app,
};

/// A new password for the accounts of these tests.
const NEW_PASSWORD: &str = "a fresh password of mine";

/// `POST /api/v1/accounts/{id}/password-link` with a bearer token.
async fn send_link(app: &TestApp, account_id: i64, bearer: &str) -> (u16, Value) {
    let path = format!("/api/v1/accounts/{account_id}/password-link");
    call(app, reqwest::Method::POST, &path, bearer, None).await
}

/// An API token that the regulator of 652800 makes for itself.
async fn prefecture_token(regulator: &Person) -> String {
    let fields = [
        ("name", "bz"),
        ("role", "regulator"),
        ("region_code", "652800"),
    ];
    regulator.make_token(&fields).await
}

/// The token at the end of a link.
fn token_of(url: &str) -> &str {
    url.rsplit('/').next().unwrap()
}

/// Sets a password through a link's token: the answer's status.
async fn set_password(app: &TestApp, token: &str, password: &str) -> u16 {
    app.client
        .post(format!("{}/api/v1/invitations/{token}", app.address))
        .json(&json!({ "password": password }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The audit entries of an action on an account: actor, region and after.
async fn entries(
    app: &TestApp,
    action: &str,
    account_id: i64,
) -> Vec<(String, Option<String>, Value)> {
    sqlx::query_as(
        "SELECT actor, region_code::text, after FROM audit_log
         WHERE action = $1 AND target = $2 ORDER BY id",
    )
    .bind(action)
    .bind(format!("account:{account_id}"))
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_regulators_link_replaces_a_staff_password_and_ends_its_sessions() {
    let app = spawn_app().await;
    let korla = app.create_venue("库尔勒宾馆", "652801", "hotel").await;
    let korla_id = korla["id"].as_i64().unwrap();
    app.create_person("bz-reg", "regulator", Some("652800"), &[])
        .await;
    let desk_id = app
        .create_person("korla-desk", "venue_staff", None, &[korla_id])
        .await;
    let desk = app.sign_in("korla-desk").await;
    assert_eq!(desk.get_page("/account/tokens").await.status, 200);
    let bz = app.sign_in("bz-reg").await;
    let token = prefecture_token(&bz).await;

    let (status, first) = send_link(&app, desk_id, &token).await;
    assert_eq!(status, 201, "{first}");
    let first_url = first["url"].as_str().unwrap();
    assert!(
        first_url.starts_with("https://q.example.org/invite/"),
        "{first}"
    );
    let expires_at: chrono::DateTime<chrono::Utc> =
        first["expires_at"].as_str().unwrap().parse().unwrap();
    let hours = (expires_at - chrono::Utc::now()).num_minutes() as f64 / 60.0;
    assert!((71.9..=72.0).contains(&hours), "{hours}");
    // Sending the link changes nothing yet: the old password still works.
    assert_eq!(desk.get_page("/account/tokens").await.status, 200);

    // A fresh link replaces the earlier unused one.
    let (status, second) = send_link(&app, desk_id, &token).await;
    assert_eq!(status, 201, "{second}");
    let second_url = second["url"].as_str().unwrap();
    assert_ne!(first_url, second_url);
    assert_eq!(
        app.get(&format!("/invite/{}", token_of(first_url)))
            .await
            .status(),
        404
    );
    assert_eq!(
        set_password(&app, token_of(first_url), NEW_PASSWORD).await,
        404
    );

    // The page says the link replaces a password.
    let page = app
        .get(&format!("/invite/{}?lang=en", token_of(second_url)))
        .await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Choose a new password for korla-desk"),
        "{page}"
    );

    // The new password is hashed on the bounded argon2id pool, which counts it.
    let hashed = argon2_runs(&app.address, "hash").await;
    assert_eq!(
        set_password(&app, token_of(second_url), NEW_PASSWORD).await,
        200
    );
    assert_eq!(argon2_runs(&app.address, "hash").await, hashed + 1);
    // Once only.
    assert_eq!(
        set_password(&app, token_of(second_url), "yet another password").await,
        404
    );
    // The existing session is over, and so is the old password.
    let ended = desk.get_page("/account/tokens").await;
    assert_eq!((ended.status, ended.location.as_str()), (303, "/login"));
    assert_eq!(ended.body, "");
    assert_eq!(
        app.sign_in_answer("korla-desk", ACCOUNT_PASSWORD)
            .await
            .status(),
        401
    );
    assert_eq!(
        app.sign_in_answer("korla-desk", NEW_PASSWORD)
            .await
            .status(),
        303
    );

    // Both links are audited in the venue's region, so the regulator reads them;
    // so is setting the password.
    let sent = entries(&app, "account.password_link", desk_id).await;
    assert_eq!(sent.len(), 2);
    assert!(sent[0].0.starts_with("token:"), "{sent:?}");
    assert_eq!(sent[0].1.as_deref(), Some("652801"));
    assert_eq!(sent[1].2["earlier_links_replaced"], 1);
    let set = entries(&app, "account.password", desk_id).await;
    assert_eq!(set.len(), 1);
    assert_eq!(set[0].0, format!("account:{desk_id}"));
    assert_eq!(set[0].1.as_deref(), Some("652801"));
    let Page { body: log, .. } = bz
        .get_page("/console/audit?action=account.password_link")
        .await;
    assert!(log.contains("korla-desk（korla-desk）"), "{log}");
}

#[tokio::test]
async fn password_links_keep_to_the_callers_scope_and_never_to_ones_own_account() {
    let app = spawn_app().await;
    let korla = app.create_venue("库尔勒宾馆", "652801", "hotel").await;
    let korla_id = korla["id"].as_i64().unwrap();
    let changji = app.create_venue("昌吉宾馆", "652301", "hotel").await;
    let own_id = app
        .create_person("bz-reg", "regulator", Some("652800"), &[])
        .await;
    let peer_id = app
        .create_person("bz-reg-2", "regulator", Some("652800"), &[])
        .await;
    let far_desk_id = app
        .create_person(
            "cj-desk",
            "venue_staff",
            None,
            &[changji["id"].as_i64().unwrap()],
        )
        .await;
    let desk_id = app
        .create_person("korla-desk", "venue_staff", None, &[korla_id])
        .await;
    let bz = app.sign_in("bz-reg").await;
    let token = prefecture_token(&bz).await;

    // A peer regulator of the same region is not below the caller.
    let (status, body) = send_link(&app, peer_id, &token).await;
    assert_eq!(status, 403, "{body}");
    // Another prefecture's account does not exist for this caller.
    let (status, body) = send_link(&app, far_desk_id, &token).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(send_link(&app, 999_999, &token).await.0, 404);
    // One's own password is changed at /account/password.
    let (status, body) = send_link(&app, own_id, &token).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["type"], "/problems/own-password");
    // Venue staff may not call the route at all.
    let staff_token = app
        .api_token(json!({ "name": "d", "role": "venue_staff", "venue_ids": [korla_id] }))
        .await;
    assert_eq!(send_link(&app, desk_id, &staff_token).await.0, 403);
    let desk = app.sign_in("korla-desk").await;
    let response = desk
        .post_exact(&format!("/console/accounts/{desk_id}/password-link"), &[])
        .await;
    assert_eq!(response.status(), 403);

    // The same answers on the console's form.
    for (id, expected) in [(peer_id, 403), (far_desk_id, 404), (own_id, 422)] {
        let Page {
            status, body: page, ..
        } = bz
            .post_page(&format!("/console/accounts/{id}/password-link"), &[])
            .await;
        assert_eq!(status, expected, "account {id}: {page}");
    }
    // A disabled account is enabled first.
    let Page { status, .. } = bz
        .post_page(
            &format!("/console/accounts/{desk_id}/disable"),
            &[("confirmed", "yes")],
        )
        .await;
    assert_eq!(status, 303);
    let (status, body) = send_link(&app, desk_id, &token).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["type"], "/problems/account-disabled");

    // The bootstrap admin manages the peer regulator.
    let (status, body) = send_link(&app, peer_id, ADMIN_TOKEN).await;
    assert_eq!(status, 201, "{body}");
    let links: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'account.password_link' AND actor <> 'admin-token'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(links, 0);
    // The invitations of the accounts' creation, and the admin's link.
    assert_eq!(app.count("account_invitations").await, 5);
}

#[tokio::test]
async fn the_console_button_shows_a_set_password_link_once_and_audits_it() {
    let app = spawn_app().await;
    let korla = app.create_venue("库尔勒宾馆", "652801", "hotel").await;
    let korla_id = korla["id"].as_i64().unwrap();
    let own_id = app
        .create_person("bz-reg", "regulator", Some("652800"), &[])
        .await;
    let desk_id = app
        .create_person("korla-desk", "venue_staff", None, &[korla_id])
        .await;
    let desk = app.sign_in("korla-desk").await;
    let bz = app.sign_in("bz-reg").await;

    let button = |id: i64| format!("form[action='/console/accounts/{id}/password-link'] button");
    let page = bz.get_page("/console/accounts?lang=en").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.select_text(&button(desk_id)),
        "Send a set-password link"
    );
    assert!(!page.exists(&button(own_id)));
    let page = bz.get_page("/console/accounts?lang=zh-CN").await;
    assert_eq!(page.select_text(&button(desk_id)), "发送设置密码链接");

    // The form needs the session's token.
    let path = format!("/console/accounts/{desk_id}/password-link");
    let Page { status, .. } = bz.post_page(&path, &[("csrf_token", "forged")]).await;
    assert_eq!(status, 403);
    assert!(
        entries(&app, "account.password_link", desk_id)
            .await
            .is_empty()
    );

    let page = bz.post_page(&format!("{path}?lang=en"), &[]).await;
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(
        page.select_text("section[role=status] h2"),
        "Set-password link, shown once"
    );
    let url = page.select_text("section[role=status] code.secret");
    assert!(
        url.starts_with("https://q.example.org/invite/"),
        "the link is shown: {url}"
    );
    // The expiry reads in Beijing time, like every time a person reads.
    let expires = (app.clock.now() + chrono::Duration::hours(72))
        .with_timezone(&qrfeedback::domain::day::china_offset());
    let minutes = [expires, expires - chrono::Duration::minutes(1)]
        .map(|at| format!("until {} (Beijing time)", at.format("%Y-%m-%d %H:%M")));
    let expiry = page.select_text("section[role=status] p.muted");
    assert!(
        minutes.iter().any(|m| expiry.contains(m)),
        "{minutes:?} {expiry}"
    );
    // Shown once: the list does not show it again.
    let again = bz.get_page("/console/accounts?lang=en").await;
    assert!(!again.exists("code.secret"));
    assert!(!again.body.contains(&url));

    let sent = entries(&app, "account.password_link", desk_id).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, format!("account:{own_id}"));
    assert_eq!(sent[0].1.as_deref(), Some("652801"));
    let Page { body: log, .. } = bz
        .get_page("/console/audit?action=account.password_link")
        .await;
    assert!(log.contains("korla-desk（korla-desk）"), "{log}");

    // The link works like the one from the JSON route.
    // The link opens the invitation page, whose form sets the password.
    let invite = format!("/invite/{}?lang=en", token_of(&url));
    let page = app.get(&invite).await.text().await.unwrap();
    let fields = [
        ("password", NEW_PASSWORD),
        ("confirm", NEW_PASSWORD),
        ("csrf_token", &csrf_of(&page)),
        ("lang", "en"),
    ];
    let done = bare_client()
        .post(format!("{}/invite/{}", app.address, token_of(&url)))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_html_form::to_string(fields).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    let done = done.text().await.unwrap();
    assert!(done.contains("Your new password is set"), "{done}");
    assert_eq!(desk.get_page("/account/tokens").await.status, 303);

    // An admin signed in sends one from the console too.
    app.create_person("root", "admin", None, &[]).await;
    let root = app.sign_in("root").await;
    let page = root
        .post_page(
            &format!("/console/accounts/{own_id}/password-link?lang=en"),
            &[],
        )
        .await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(
        page.select_text("section[role=status] code.secret")
            .starts_with("https://q.example.org/invite/"),
        "{page:?}"
    );
    assert_eq!(
        app.sign_in_answer("korla-desk", NEW_PASSWORD)
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn a_session_whose_redis_entry_outlives_a_password_set_through_a_link_is_refused() {
    // As when Redis cannot be reached to delete the sessions: the password
    // is stored, but the staff member's session stays in Redis.
    let app = spawn_app().await;
    let korla = app.create_venue("库尔勒宾馆", "652801", "hotel").await;
    let desk_id = app
        .create_person(
            "korla-desk",
            "venue_staff",
            None,
            &[korla["id"].as_i64().unwrap()],
        )
        .await;
    let desk = app.sign_in("korla-desk").await;
    assert_eq!(desk.get_page("/account/tokens").await.status, 200);
    let (status, link) = send_link(&app, desk_id, ADMIN_TOKEN).await;
    assert_eq!(status, 201, "{link}");
    let token = token_of(link["url"].as_str().unwrap());
    let token = qrfeedback::domain::password::InvitationToken::parse(token).unwrap();
    let invitation = qrfeedback::store::accounts::find_open_invitation(
        &app.pool,
        &token.hash(),
        app.clock.now(),
    )
    .await
    .unwrap()
    .expect("an open link");
    assert!(invitation.activated);
    let hash = qrfeedback::domain::password::hash_password(
        &qrfeedback::domain::password::Password::parse(NEW_PASSWORD.into(), "korla-desk").unwrap(),
    );
    let audit = qrfeedback::store::audit::AuditEntry {
        actor: format!("account:{desk_id}"),
        ..Default::default()
    };
    let set = qrfeedback::store::accounts::accept_invitation(
        &app.pool,
        &invitation,
        &hash,
        app.clock.now(),
        audit,
    )
    .await
    .unwrap();
    assert_eq!(set, Some(desk_id.into()));

    let ended = desk.get_page("/account/tokens").await;
    assert_eq!((ended.status, ended.location.as_str()), (303, "/login"));
    assert_eq!(ended.body, "");
    let again = app.session_for("korla-desk", NEW_PASSWORD).await;
    assert_eq!(again.fetch("/account/tokens").await.status(), 200);
}

#[tokio::test]
async fn links_expire_by_the_application_clock_and_a_password_set_through_one_revokes_api_tokens() {
    let app = spawn_app().await;
    let korla = app.create_venue("库尔勒宾馆", "652801", "hotel").await;
    let korla_id = korla["id"].as_i64().unwrap();
    let desk_id = app
        .create_person("korla-desk", "venue_staff", None, &[korla_id])
        .await;
    let desk = app.sign_in("korla-desk").await;
    let venue_ids = korla_id.to_string();
    let desk_token = desk
        .make_token(&[
            ("name", "till"),
            ("role", "venue_staff"),
            ("venue_ids", venue_ids.as_str()),
        ])
        .await;
    let comments = format!("/api/v1/venues/{korla_id}/comments");
    let (status, _) = call(&app, reqwest::Method::GET, &comments, &desk_token, None).await;
    assert_eq!(status, 200);

    // Three days and an hour later the link is dead; nothing was slept.
    let (status, stale) = send_link(&app, desk_id, ADMIN_TOKEN).await;
    assert_eq!(status, 201, "{stale}");
    app.clock.advance(chrono::Duration::hours(73));
    let stale = token_of(stale["url"].as_str().unwrap()).to_owned();
    assert_eq!(app.get(&format!("/invite/{stale}")).await.status(), 404);
    assert_eq!(set_password(&app, &stale, NEW_PASSWORD).await, 404);

    // A fresh link, sent now, runs three days from the clock's now.
    let (status, fresh) = send_link(&app, desk_id, ADMIN_TOKEN).await;
    assert_eq!(status, 201, "{fresh}");
    let expires_at: chrono::DateTime<chrono::Utc> =
        fresh["expires_at"].as_str().unwrap().parse().unwrap();
    let hours = (expires_at - app.clock.now()).num_minutes() as f64 / 60.0;
    assert!((71.9..=72.0).contains(&hours), "{hours}");
    let fresh = token_of(fresh["url"].as_str().unwrap()).to_owned();
    assert_eq!(set_password(&app, &fresh, NEW_PASSWORD).await, 200);

    // Whoever held the old password may have made the token: it is revoked,
    // visibly and audited, not merely refused.
    let (status, _) = call(&app, reqwest::Method::GET, &comments, &desk_token, None).await;
    assert_eq!(status, 401);
    let (revoked, audited): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM api_tokens
                 WHERE owner_account_id = $1 AND revoked_at IS NOT NULL),
                (SELECT count(*) FROM audit_log
                 WHERE action = 'token.revoke' AND after->>'owner' = 'account:' || $1::text)",
    )
    .bind(desk_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((revoked, audited), (1, 1));
    let set = entries(&app, "account.password", desk_id).await;
    assert_eq!(set[0].2["api_tokens"], "revoked", "{set:?}");
}
