//! The home page `/` and the answer to addresses no route matches.

use crate::common::{ADMIN_TOKEN, Page, TestApp, spawn_app};

async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("{}{path}", app.address));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("request")
}

const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

fn content_type(response: &reqwest::Response) -> String {
    response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_browser_at_the_root_gets_the_home_page_with_the_top_venues_in_its_language() {
    let app = spawn_app().await;
    let rated = app.hotel().await;
    let unrated = app.create_venue("轮台饭店", "652822", "hotel").await;
    for i in 0..5 {
        app.rate(&rated, &format!("home-{i}"), 5).await;
    }
    let id = rated["id"].as_i64().unwrap();
    let score = app.score_when(id, |s| s["published"] == true).await;
    assert_eq!(score["published"], true, "{score}");

    let zh = get_with(&app, "/", &[("accept", BROWSER_ACCEPT)]).await;
    assert_eq!(zh.status(), 200);
    assert!(content_type(&zh).starts_with("text/html"));
    let zh = Page::read(zh).await;
    assert_eq!(zh.lang(), "zh-CN");
    assert!(zh.texts("h2").contains(&"得分最高的场所".to_owned()));
    // Only published scores make the list.
    assert_eq!(
        zh.attrs("table.ranking tbody th a", "href"),
        [format!("/v/{id}")],
        "not /v/{}",
        unrated["id"]
    );
    assert_eq!(zh.texts("table.ranking tbody th a"), ["孔雀河酒店"]);
    for link in ["/rankings", "/about/scores", "/login"] {
        assert!(zh.exists(&format!("main a[href='{link}']")), "{link}");
    }

    let en = get_with(
        &app,
        "/",
        &[
            ("accept", BROWSER_ACCEPT),
            ("accept-language", "en-GB,en;q=0.9"),
        ],
    )
    .await;
    assert_eq!(en.status(), 200);
    let en = Page::read(en).await;
    assert_eq!(en.lang(), "en");
    assert!(
        en.texts("h2")
            .contains(&"Highest-scoring venues".to_owned())
    );
    assert_eq!(
        en.attrs("table.ranking tbody th a", "href"),
        [format!("/v/{id}")]
    );
    assert_eq!(
        en.attr("nav.langs a[hreflang=zh-CN]", "href").as_deref(),
        Some("/?lang=zh-CN"),
        "the language switch"
    );
}

#[tokio::test]
async fn a_browser_at_an_unknown_address_gets_a_friendly_404_page() {
    let app = spawn_app().await;
    for (language, lang, title) in [
        ("zh-CN,zh;q=0.9", "zh-CN", "未找到该页面"),
        ("en-US,en;q=0.9", "en", "Page not found"),
    ] {
        let response = get_with(
            &app,
            "/no/such/page",
            &[("accept", BROWSER_ACCEPT), ("accept-language", language)],
        )
        .await;
        assert_eq!(response.status(), 404);
        assert!(content_type(&response).starts_with("text/html"));
        let page = Page::read(response).await;
        assert_eq!(page.lang(), lang);
        assert_eq!(page.select_text("h1"), title, "{page:?}");
        assert!(page.exists("a[href='/rankings']"));
    }
}

#[tokio::test]
async fn an_api_client_at_an_unknown_address_keeps_problem_json() {
    let app = spawn_app().await;
    for (path, accept) in [
        ("/no/such/page", Some("application/json")),
        ("/no/such/page", None),
        ("/no/such/page", Some("text/html;q=0, application/json")),
        ("/api/v1/no-such-thing", Some(BROWSER_ACCEPT)),
        ("/api/v1/no-such-thing", None),
    ] {
        let headers: Vec<(&str, &str)> = accept.map(|a| ("accept", a)).into_iter().collect();
        let response = get_with(&app, path, &headers).await;
        assert_eq!(response.status(), 404, "{path} {accept:?}");
        assert_eq!(
            content_type(&response),
            "application/problem+json",
            "{path} {accept:?}"
        );
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["type"], "/problems/not-found");
    }
}

#[tokio::test]
async fn a_known_address_called_with_another_method_is_answered_405_with_allow() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    let client = reqwest::Client::new();

    let api = client
        .put(format!("{}/api/v1/venues/{id}/score", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 405);
    assert_eq!(api.headers()["allow"], "GET, HEAD");
    assert_eq!(content_type(&api), "application/problem+json");
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["type"], "/problems/method-not-allowed");
    assert_eq!(body["status"], 405);

    let page = client
        .delete(format!("{}/login", app.address))
        .header("accept", BROWSER_ACCEPT)
        .header("accept-language", "zh-CN")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 405);
    assert_eq!(page.headers()["allow"], "GET, HEAD, POST");
    assert!(content_type(&page).starts_with("text/html"));
    let page = Page::read(page).await;
    assert!(page.says("无法以这种方式访问此地址"), "{page:?}");

    // An address no route knows stays a 404 whatever the method.
    let unknown = client
        .delete(format!("{}/api/v1/no-such-thing", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn head_is_answered_wherever_get_is_with_the_headers_and_no_body() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    let client = reqwest::Client::new();
    for path in [
        "/healthz",
        "/",
        &format!("/v/{id}"),
        &format!("/api/v1/venues/{id}/score"),
    ] {
        let get = client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        let head = client
            .head(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), get.status(), "{path}");
        assert_eq!(head.status(), 200, "{path}");
        assert_eq!(content_type(&head), content_type(&get), "{path}");
        assert!(head.bytes().await.unwrap().is_empty(), "{path}");
    }
    // HEAD follows the GET route's access rule: a role route still needs a token.
    let anonymous = client
        .head(format!("{}/api/v1/overview", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let admin = client
        .head(format!("{}/api/v1/overview", app.address))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(admin.status(), 200);
}
