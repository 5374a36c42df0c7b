use crate::common::{Page, TestApp, spawn_app};
use serde_json::Value;

pub(crate) fn form_token(html: &str) -> String {
    Page::parse(html).form_value("form input[name=form_token]")
}

pub(crate) async fn open_page(app: &TestApp, code: &str) -> String {
    let response = app.get(&format!("/r/{code}")).await;
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

pub(crate) async fn post_form(app: &TestApp, code: &str, fields: &[(&str, &str)]) -> (u16, String) {
    post_form_as(&app.client, app, code, fields).await
}

/// Posts the form as the phone behind `client` (its cookies decide the device).
async fn post_form_as(
    client: &reqwest::Client,
    app: &TestApp,
    code: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let body = serde_html_form::to_string(fields).unwrap();
    let response = client
        .post(format!("{}/r/{code}", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn the_page_is_small_self_contained_and_chinese_by_default() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let code = venue["code"].as_str().unwrap();
    let response = app.get(&format!("/r/{code}")).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(response.headers()["cache-control"], "no-store");
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'none'"));
    let cookies: Vec<_> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        cookies.iter().any(|c| c.starts_with("qrf_device=")
            && c.contains("HttpOnly")
            && c.contains("Secure"))
    );
    let html = response.text().await.unwrap();
    assert!(html.len() < 30 * 1024, "first view is {} bytes", html.len());
    let page = Page::parse(&html);
    assert_eq!(page.lang(), "zh-CN");
    assert_eq!(page.select_text("h1.venue-name"), "孔雀河酒店");
    assert!(
        page.select_text(".venue-meta").contains("星级饭店"),
        "the category is shown in Chinese"
    );
    for field in [
        "overall",
        "environment",
        "skill",
        "attitude",
        "tags",
        "comment",
        "complaint",
        "contact",
    ] {
        assert!(page.exists(&format!("form [name={field}]")), "{field}");
    }
    let tags = page.attrs("form input[type=checkbox][name=tags]", "value");
    assert!(tags.contains(&"forced_shopping".to_owned()), "{tags:?}");
    assert!(tags.contains(&"overcharging".to_owned()), "{tags:?}");
    for external in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "@import",
    ] {
        assert!(!html.contains(external), "external resource: {external}");
    }
}

#[tokio::test]
async fn english_comes_from_accept_language_and_the_switch() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let code = venue["code"].as_str().unwrap();
    let url = format!("{}/r/{code}", app.address);
    let html = app
        .client
        .get(&url)
        .header("Accept-Language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let page = Page::parse(&html);
    assert_eq!(page.lang(), "en");
    assert!(
        page.select_text("head > title")
            .ends_with("· Rate the service")
    );
    assert!(page.select_text(".venue-meta").contains("Hotel"));
    assert_eq!(
        page.attr("nav.langs a[hreflang=zh-CN]", "href"),
        Some(format!("/r/{code}?lang=zh-CN")),
        "a visible switch to Chinese"
    );
    let switched = Page::read(app.get(&format!("/r/{code}?lang=en")).await).await;
    assert_eq!(switched.lang(), "en");
    // The choice sticks through the cookie.
    let sticky = Page::read(app.get(&format!("/r/{code}")).await).await;
    assert_eq!(sticky.lang(), "en");
}

#[tokio::test]
async fn unknown_and_malformed_codes_get_a_friendly_404_page() {
    let app = spawn_app().await;
    for code in [
        "abcdefghijkl",
        "nope",
        "%3Cscript%3E",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ] {
        let response = app.get(&format!("/r/{code}")).await;
        assert_eq!(response.status(), 404, "{code}");
        let page = Page::read(response).await;
        assert!(page.select_text("h1").contains("二维码"), "{code}");
        assert!(!page.body.contains("panicked") && !page.body.contains("sqlx"));
    }
}

#[tokio::test]
async fn many_first_scans_at_once_all_resolve_and_unknown_codes_stay_unknown() {
    // Concurrent misses of one code share one lookup; each still gets its answer.
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let code = venue["code"].as_str().unwrap().to_owned();
    let app = &app;
    let scans = (0..24).map(|i| {
        let path = if i % 3 == 0 {
            "/r/abcdefghijkl".to_owned()
        } else {
            format!("/r/{code}")
        };
        async move { (i, app.get(&path).await.status().as_u16()) }
    });
    for (i, status) in futures_util::future::join_all(scans).await {
        assert_eq!(status, if i % 3 == 0 { 404 } else { 200 }, "scan {i}");
    }
}

#[tokio::test]
async fn the_plain_form_post_stores_the_rating_and_thanks() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let code = venue["code"].as_str().unwrap();
    let html = open_page(&app, code).await;
    let token = form_token(&html);
    let (status, page) = post_form(
        &app,
        code,
        &[
            ("form_token", &token),
            ("lang", "zh-CN"),
            ("overall", "5"),
            ("skill", "4"),
            ("tags", "clean"),
            ("tags", "helpful_guide"),
            ("comment", "很好"),
            ("environment", ""),
            ("complaint", ""),
            ("contact", ""),
        ],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(Page::parse(&page).select_text("h1").contains("感谢"));
    let (overall, skill, environment, tags): (i16, Option<i16>, Option<i16>, Vec<String>) =
        sqlx::query_as("SELECT overall, skill, environment, tags FROM ratings")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((overall, skill, environment), (5, Some(4), None));
    assert_eq!(tags, vec!["clean", "helpful_guide"]);

    // Same phone (cookie), same day: the friendly "already rated" page.
    let token = form_token(&open_page(&app, code).await);
    let (status, page) = post_form(&app, code, &[("form_token", &token), ("overall", "1")]).await;
    assert_eq!(status, 409);
    assert!(
        Page::parse(&page)
            .select_text("h1")
            .contains("今天已经评价过"),
        "{page}"
    );
}

#[tokio::test]
async fn a_complaint_through_the_form_shows_its_tracking_code() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let code = venue["code"].as_str().unwrap();
    let token = form_token(&open_page(&app, code).await);
    let (status, page) = post_form(
        &app,
        code,
        &[
            ("form_token", &token),
            ("lang", "en"),
            ("overall", "1"),
            ("tags", "forced_shopping"),
            ("complaint", "The guide forced us into a jade shop"),
            ("contact", "a@example.org"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let tracking: String = sqlx::query_scalar("SELECT tracking_code FROM complaints")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        Page::parse(&page).select_text(".tracking[role=status] .code"),
        tracking,
        "tracking code shown"
    );
}

#[tokio::test]
async fn replayed_and_forged_forms_are_refused() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let code = venue["code"].as_str().unwrap();
    let token = form_token(&open_page(&app, code).await);
    let (status, _) = post_form(&app, code, &[("form_token", &token), ("overall", "4")]).await;
    assert_eq!(status, 200);

    // The same form again from a client without the device cookie: the token is spent.
    let fresh = reqwest::Client::new();
    let (status, _) = post_form_as(
        &fresh,
        &app,
        code,
        &[("form_token", &token), ("overall", "4")],
    )
    .await;
    assert_eq!(status, 409);

    let (status, page) = post_form(
        &app,
        code,
        &[("form_token", "forged-token"), ("overall", "4")],
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        Page::parse(&page).exists("html body h1"),
        "a page, not a bare error"
    );
    let other = app.create_venue("别处", "652822", "hotel").await;
    let other_token = form_token(&open_page(&app, other["code"].as_str().unwrap()).await);
    let (status, _) = post_form(
        &app,
        code,
        &[("form_token", &other_token), ("overall", "4")],
    )
    .await;
    assert_eq!(status, 400, "a token is bound to its venue");
    let count: i64 = app.count("ratings").await;
    assert_eq!(count, 1);
}

#[tokio::test]
async fn an_invalid_post_shows_the_form_again_with_the_input_kept() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let code = venue["code"].as_str().unwrap();
    let token = form_token(&open_page(&app, code).await);
    let long = "好".repeat(501);
    let (status, page) = post_form(
        &app,
        code,
        &[
            ("form_token", &token),
            ("lang", "en"),
            ("overall", "4"),
            ("tags", "clean"),
            ("comment", &long),
        ],
    )
    .await;
    assert_eq!(status, 422);
    let form = Page::parse(&page);
    assert!(form.exists(".notice[role=alert]"));
    assert_eq!(
        form.select_text("textarea[name=comment]"),
        long,
        "the comment is kept"
    );
    assert!(
        form.exists("input[name=tags][value=clean][checked]"),
        "the tag is kept"
    );
    let (status, page) = post_form(
        &app,
        code,
        &[
            ("form_token", &token),
            ("lang", "en"),
            ("comment", "no stars"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        Page::parse(&page).select_text("textarea[name=comment]"),
        "no stars"
    );
    let count: i64 = app.count("ratings").await;
    assert_eq!(count, 0);
    let score: Value = app.score(venue["id"].as_i64().unwrap()).await;
    assert_eq!(score["ratings"], 0);
}
