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
    let roles = page.attrs("form#invite-form select#role option", "value");
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
    // The first click asks to confirm, naming the account, and changes nothing.
    let Page {
        status, body: page, ..
    } = regulator.post_page(&format!("{path}?lang=en"), &[]).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Disable this account?"), "{page}");
    assert!(page.contains("库尔勒前台 (korla-desk)"), "{page}");
    assert!(page.contains(r#"name="confirmed" value="yes""#), "{page}");
    assert!(
        page.contains(r#"href="/console/accounts?lang=en""#),
        "{page}"
    );
    let still: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT disabled_at FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(still.is_none(), "not disabled before confirming");
    let Page {
        status, location, ..
    } = regulator
        .post_page(&format!("{path}?lang=en"), &[("confirmed", "yes")])
        .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/console/accounts?notice=disabled&lang=en")
    );
    let Page { body: page, .. } = regulator.get_page(&location).await;
    assert!(
        page.contains("The account was disabled; its sessions have ended."),
        "{page}"
    );
    // The notice speaks the page language; an unknown one says nothing.
    let Page { body: page, .. } = regulator
        .get_page("/console/accounts?notice=disabled&lang=zh-CN")
        .await;
    assert!(page.contains("账号已停用，其会话已全部结束。"), "{page}");
    let Page { body: page, .. } = regulator
        .get_page("/console/accounts?notice=disabled&lang=ug")
        .await;
    assert!(page.contains("ھېسابات چەكلەندى"), "{page}");
    let Page { body: page, .. } = regulator
        .get_page("/console/accounts?notice=%3Cb%3Ehi&lang=en")
        .await;
    assert!(!page.contains(r#"id="notice""#), "{page}");
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
    let Page { status, .. } = regulator
        .post_page(
            &format!("/console/accounts/{other}/disable"),
            &[("confirmed", "yes")],
        )
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
        page.attrs("form#token-form select#role option", "value"),
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
    // The first click asks to confirm, naming the token, and revokes nothing.
    let revoke = format!("/account/tokens/{id}/revoke?lang=en");
    let Page {
        status, body: page, ..
    } = staff.post_page(&revoke, &[]).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Revoke this token?"), "{page}");
    assert!(page.contains("front desk kiosk"), "{page}");
    assert_eq!(score(&korla["id"], &token).await, 200);
    let Page {
        status, location, ..
    } = staff.post_page(&revoke, &[("confirmed", "yes")]).await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/account/tokens?notice=revoked&lang=en")
    );
    let Page { body: page, .. } = staff.get_page(&location).await;
    assert!(page.contains("The token was revoked."), "{page}");
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

/// The region codes a page's region picker offers, in order.
fn region_choices(page: &str) -> Vec<String> {
    let Some(start) = page.find(r#"<select id="region_code""#) else {
        return Vec::new();
    };
    let select = &page[start..start + page[start..].find("</select>").unwrap()];
    select
        .split(r#"<option value=""#)
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .filter(|code| !code.is_empty())
        .collect()
}

#[tokio::test]
async fn the_region_picker_offers_only_the_callers_scope_and_a_refused_invite_keeps_its_input() {
    let app = spawn_app().await;
    let korla = app.create_venue("库尔勒宾馆", "652801", "hotel").await;
    let luntai = app.create_venue("轮台宾馆", "652822", "hotel").await;
    app.create_venue("昌吉宾馆", "652301", "hotel").await;
    let korla_id = korla["id"].as_i64().unwrap();
    app.create_person("taken", "venue_staff", None, &[korla_id])
        .await;
    app.create_person("korla-reg", "regulator", Some("652801"), &[])
        .await;
    app.create_person("bz-reg", "regulator", Some("652800"), &[])
        .await;

    // A county regulator is offered its county only, and its venues only.
    let county = app.sign_in("korla-reg").await;
    let Page {
        status, body: page, ..
    } = county.get_page("/console/accounts?lang=zh-CN").await;
    assert_eq!(status, 200);
    assert_eq!(region_choices(&page), ["652801"]);
    assert!(page.contains("库尔勒市 · 652801"), "{page}");
    assert!(page.contains(&format!(r#"name="venue_ids" value="{korla_id}""#)));
    assert!(!page.contains("轮台宾馆") && !page.contains("昌吉宾馆"));

    // A prefecture regulator: its prefecture, then its counties indented.
    let prefecture = app.sign_in("bz-reg").await;
    let Page { body: page, .. } = prefecture.get_page("/console/accounts?lang=en").await;
    let codes = region_choices(&page);
    assert_eq!(codes[0], "652800", "{codes:?}");
    assert!(codes.contains(&"652801".to_owned()) && codes.contains(&"652822".to_owned()));
    assert!(
        codes.iter().all(|c| c.starts_with("6528")),
        "nothing outside the prefecture: {codes:?}"
    );
    assert!(
        page.contains("\u{a0}\u{a0}\u{a0}\u{a0}Korla City · 652801"),
        "{page}"
    );
    assert!(page.contains("轮台宾馆") && !page.contains("昌吉宾馆"));
    // Uyghur pages name regions in Chinese.
    let Page { body: page, .. } = prefecture.get_page("/console/accounts?lang=ug").await;
    assert!(page.contains("巴音郭楞蒙古自治州 · 652800"), "{page}");
    // The venue list narrows by name.
    let Page { body: page, .. } = prefecture
        .get_page("/console/accounts?lang=en&venue_q=%E8%BD%AE%E5%8F%B0")
        .await;
    assert!(
        page.contains("轮台宾馆") && !page.contains("库尔勒宾馆"),
        "{page}"
    );

    // A taken login: the form again, as typed, with the reason next to it.
    let accounts = app.count("accounts").await;
    let fields = [
        ("login", "taken"),
        ("display_name", "新同事"),
        ("role", "regulator"),
        ("region_code", "652822"),
    ];
    let Page {
        status, body: page, ..
    } = prefecture
        .post_page("/console/accounts?lang=en", &fields)
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("That login is taken; please choose another."),
        "{page}"
    );
    assert!(page.contains(r#"id="login" name="login""#));
    assert!(page.contains(r#"value="taken""#), "{page}");
    assert!(page.contains(r#"value="新同事""#), "{page}");
    assert!(
        page.contains(r#"<option value="regulator" selected>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<option value="652822" selected>"#),
        "{page}"
    );
    // The same in Chinese, with the ticked venues kept.
    let luntai_id = luntai["id"].to_string();
    let fields = [
        ("login", "taken"),
        ("display_name", "新同事"),
        ("role", "venue_staff"),
        ("venue_ids", luntai_id.as_str()),
    ];
    let Page {
        status, body: page, ..
    } = prefecture
        .post_page("/console/accounts?lang=zh-CN", &fields)
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("该登录名已被使用，请换一个。"), "{page}");
    assert!(
        page.contains(&format!(r#"value="{luntai_id}" checked"#)),
        "{page}"
    );
    // Searching the venue list keeps the form too, and saves nothing.
    let fields = [
        ("login", "new-desk"),
        ("display_name", "前台"),
        ("role", "venue_staff"),
        ("venue_ids", luntai_id.as_str()),
        ("venue_q", "库尔勒"),
        ("action", "search"),
    ];
    let Page {
        status, body: page, ..
    } = prefecture
        .post_page("/console/accounts?lang=en", &fields)
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(r#"value="new-desk""#), "{page}");
    assert!(page.contains("库尔勒宾馆"), "{page}");
    assert!(
        page.contains(&format!(r#"value="{luntai_id}" checked"#)),
        "the ticked venue stays listed: {page}"
    );
    assert_eq!(app.count("accounts").await, accounts);

    // The token form keeps its input as well.
    let tokens = app.count("api_tokens").await;
    let fields = [
        ("name", "巴州对接"),
        ("role", "regulator"),
        ("region_code", "652801"),
        ("expires_in_days", "soon"),
    ];
    let Page {
        status, body: page, ..
    } = prefecture
        .post_page("/account/tokens?lang=en", &fields)
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("Expiry must be a whole number of days."),
        "{page}"
    );
    assert!(page.contains(r#"value="巴州对接""#), "{page}");
    assert!(
        page.contains(r#"<option value="652801" selected>"#),
        "{page}"
    );
    assert!(page.contains(r#"value="soon""#), "{page}");
    assert_eq!(app.count("api_tokens").await, tokens);
}
