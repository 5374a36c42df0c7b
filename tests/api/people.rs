//! The account and API-token pages: the same rules as their JSON routes,
//! reached through signed-in forms.

use serde_json::json;

use crate::common::{Page, spawn_app};

#[tokio::test]
async fn a_regulator_invites_disables_and_enables_accounts_in_its_region_from_the_page() {
    let app = spawn_app().await;
    let korla = app.create_venue("库尔勒宾馆", "652801", "hotel").await;
    let changji = app.create_venue("昌吉宾馆", "652301", "hotel").await;
    app.activated_account(json!({ "login": "bz-reg", "display_name": "巴州监管", "role": "regulator", "region_code": "652800" }))
        .await;
    app.activated_account(json!({ "login": "cj-desk", "display_name": "昌吉前台", "role": "venue_staff", "venue_ids": [changji["id"]] }))
        .await;
    let regulator = app.sign_in("bz-reg").await;

    // Without a session the page sends people to sign in.
    let anonymous = app
        .client
        .get(format!("{}/console/accounts", app.address))
        .send()
        .await
        .unwrap();
    assert!(
        anonymous.url().path() == "/login" || anonymous.status() == 303,
        "{}",
        anonymous.url()
    );

    let page = regulator.get_page("/console/accounts?lang=en").await;
    assert_eq!(page.status, 200);
    let logins = page.texts("table.data tbody tr td:first-child");
    assert!(
        logins.contains(&"bz-reg".to_owned()),
        "its own account is listed"
    );
    assert!(
        !logins.contains(&"cj-desk".to_owned()),
        "another prefecture's account is not"
    );
    // Only roles up to its own are offered.
    let roles = page.attrs(
        "form[action='/console/accounts'] select#role option",
        "value",
    );
    assert!(roles.contains(&"regulator".to_owned()), "{roles:?}");
    assert!(!roles.contains(&"admin".to_owned()), "{roles:?}");

    let venue_id = korla["id"].to_string();
    let fields = [
        ("login", "korla-desk"),
        ("display_name", "库尔勒前台"),
        ("role", "venue_staff"),
        ("venue_ids", venue_id.as_str()),
        ("lang", "en"),
    ];
    let page = regulator
        .post_page("/console/accounts?lang=en", &fields)
        .await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(
        page.select_text("section[role=status] code.secret")
            .starts_with("https://q.example.org/invite/"),
        "{page:?}"
    );
    let (id, by): (i64, String) =
        sqlx::query_as("SELECT id, created_by FROM accounts WHERE login = 'korla-desk'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(by.starts_with("account:"), "{by}");

    // A venue outside the region is refused with a page, and nothing is stored.
    let outside = changji["id"].to_string();
    let fields = [
        ("login", "sneaky"),
        ("display_name", "x"),
        ("role", "venue_staff"),
        ("venue_ids", outside.as_str()),
    ];
    let page = regulator
        .post_page("/console/accounts?lang=en", &fields)
        .await;
    assert_eq!(page.status, 403, "{page:?}");
    let Page { status, .. } = regulator
        .post_page(
            "/console/accounts",
            &[("login", "bad ids"), ("venue_ids", "1, x")],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(app.count("accounts").await, 3);

    // Disabling needs the session's form token.
    let path = format!("/console/accounts/{id}/disable");
    let Page { status, .. } = regulator
        .post_page(&path, &[("csrf_token", "forged")])
        .await;
    assert_eq!(status, 403);
    let Page {
        status, location, ..
    } = regulator.post_page(&path, &[]).await;
    assert_eq!((status, location.as_str()), (303, "/console/accounts"));
    let disabled: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT disabled_at FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(disabled.is_some());
    let Page { status, .. } = regulator
        .post_page(&format!("/console/accounts/{id}/enable"), &[])
        .await;
    assert_eq!(status, 303);
    // Another prefecture's account cannot be touched: it does not exist here.
    let other: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE login = 'cj-desk'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let Page { status, .. } = regulator
        .post_page(&format!("/console/accounts/{other}/disable"), &[])
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn venue_staff_make_and_revoke_tokens_for_their_own_venue_only() {
    let app = spawn_app().await;
    let korla = app.create_venue("库尔勒宾馆", "652801", "hotel").await;
    let changji = app.create_venue("昌吉宾馆", "652301", "hotel").await;
    app.activated_account(json!({ "login": "korla-desk", "display_name": "前台", "role": "venue_staff", "venue_ids": [korla["id"]] }))
        .await;
    let staff = app.sign_in("korla-desk").await;

    let Page { status, .. } = staff.get_page("/console/accounts").await;
    assert_eq!(status, 403, "venue staff do not manage accounts");
    let page = staff.get_page("/account/tokens?lang=en").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.attrs("form[action='/account/tokens'] select#role option", "value"),
        ["venue_staff"]
    );

    let own = korla["id"].to_string();
    let fields = [
        ("name", "front desk kiosk"),
        ("role", "venue_staff"),
        ("venue_ids", own.as_str()),
        ("expires_in_days", "30"),
    ];
    let page = staff.post_page("/account/tokens?lang=en", &fields).await;
    assert_eq!(page.status, 200, "{page:?}");
    let token = page.select_text("section[role=status] code.secret");
    assert!(
        token.starts_with("qrf_"),
        "the token is shown once: {token}"
    );
    // The token works, inside its scope only.
    let score = |id: &serde_json::Value, token: &str| {
        let request = app
            .client
            .post(format!("{}/api/v1/venues/{id}/code", app.address))
            .bearer_auth(token.to_owned());
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(score(&korla["id"], &token).await, 200);
    assert_eq!(score(&changji["id"], &token).await, 404);
    // Listed afterwards without the secret.
    let page = staff.get_page("/account/tokens?lang=en").await;
    assert_eq!(
        page.texts("table.data tbody tr td:first-child"),
        ["front desk kiosk"]
    );
    assert!(!page.exists("code.secret"));
    assert!(!page.body.contains(&token));

    // A token for another venue is refused.
    let other = changji["id"].to_string();
    let fields = [
        ("name", "x"),
        ("role", "venue_staff"),
        ("venue_ids", other.as_str()),
    ];
    let Page { status, .. } = staff.post_page("/account/tokens", &fields).await;
    assert_eq!(status, 403);

    let id: i64 = sqlx::query_scalar("SELECT id FROM api_tokens WHERE name = 'front desk kiosk'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let Page {
        status, location, ..
    } = staff
        .post_page(&format!("/account/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!((status, location.as_str()), (303, "/account/tokens"));
    assert_eq!(score(&korla["id"], &token).await, 401);
    // The audit log names the person who acted.
    let actors: Vec<String> = sqlx::query_scalar(
        "SELECT actor FROM audit_log WHERE action IN ('token.create', 'token.revoke')",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(actors.len(), 2);
    assert!(
        actors.iter().all(|a| a.starts_with("account:")),
        "{actors:?}"
    );
}

/// The account and token forms refuse a name or login holding a NUL (which
/// Postgres refuses) or a direction override (which makes a name read
/// otherwise than it is stored) with a page in the person's language, and
/// store nothing.
#[tokio::test]
async fn names_with_a_nul_or_a_direction_override_get_a_friendly_page_and_nothing_is_stored() {
    let app = spawn_app().await;
    app.activated_account(json!({ "login": "bz-reg", "display_name": "巴州监管", "role": "regulator", "region_code": "652800" }))
        .await;
    let regulator = app.sign_in("bz-reg").await;
    let accounts = app.count("accounts").await;
    let tokens = app.count("api_tokens").await;
    for bad in ["\u{0}", "\u{202E}"] {
        let name = format!("库尔勒{bad}前台");
        let fields = [
            ("login", "korla-reg"),
            ("display_name", name.as_str()),
            ("role", "regulator"),
            ("region_code", "652801"),
        ];
        let page = regulator
            .post_page("/console/accounts?lang=zh-CN", &fields)
            .await;
        assert_eq!(page.status, 422, "{name:?}: {page:?}");
        assert_eq!(page.lang(), "zh-CN");
        assert!(
            page.says("姓名中含有不可见的控制字符"),
            "{name:?}: {page:?}"
        );

        let login = format!("korla{bad}reg");
        let fields = [
            ("login", login.as_str()),
            ("display_name", "库尔勒监管"),
            ("role", "regulator"),
            ("region_code", "652801"),
        ];
        let page = regulator
            .post_page("/console/accounts?lang=zh-CN", &fields)
            .await;
        assert_eq!(page.status, 422, "{login:?}: {page:?}");
        assert!(page.says("登录名须为"), "{login:?}: {page:?}");

        let token_name = format!("省平台{bad}对接");
        let fields = [
            ("name", token_name.as_str()),
            ("role", "regulator"),
            ("region_code", "652801"),
        ];
        let page = regulator
            .post_page("/account/tokens?lang=zh-CN", &fields)
            .await;
        assert_eq!(page.status, 422, "{token_name:?}: {page:?}");
        assert!(
            page.says("名称中含有不可见的控制字符"),
            "{token_name:?}: {page:?}"
        );
    }
    assert_eq!(app.count("accounts").await, accounts);
    assert_eq!(app.count("api_tokens").await, tokens);
}
