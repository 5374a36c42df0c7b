//! The home page `/` and the answer to addresses no route matches.

use crate::common::{TestApp, spawn_app};

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
    let html = zh.text().await.unwrap();
    assert!(html.contains("<html lang=\"zh-CN\""));
    assert!(html.contains("得分最高的场所"));
    assert!(html.contains(&format!("href=\"/v/{id}\"")));
    assert!(html.contains("孔雀河酒店"));
    // Only published scores make the list.
    assert!(!html.contains(&format!("href=\"/v/{}\"", unrated["id"])));
    for link in ["/rankings", "/about/scores", "/login"] {
        assert!(html.contains(&format!("href=\"{link}\"")), "{link}");
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
    let html = en.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\""));
    assert!(html.contains("Highest-scoring venues"));
    assert!(html.contains(&format!("href=\"/v/{id}\"")));
    assert!(
        html.contains("href=\"/?lang=zh-CN\""),
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
        let html = response.text().await.unwrap();
        assert!(html.contains(&format!("<html lang=\"{lang}\"")));
        assert!(html.contains(title), "{html}");
        assert!(html.contains("href=\"/rankings\""));
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
