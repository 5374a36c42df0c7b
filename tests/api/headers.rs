//! Headers every response carries: no sniffing, a content policy, HSTS over https.

use sha2::{Digest, Sha256};

use crate::common::{Options, spawn_app, spawn_app_with};

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_json_answer_cannot_be_sniffed_framed_or_run_as_a_page() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/rankings",
        "/api/v1/venues/999999",
        "/openapi.json",
        "/healthz",
    ] {
        let response = app.get(path).await;
        assert_eq!(
            header(&response, "x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            header(&response, "content-security-policy").as_deref(),
            Some("default-src 'none'; frame-ancestors 'none'"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_api_docs_page_runs_no_script_and_cannot_be_framed() {
    let app = spawn_app().await;
    let response = app.get("/docs").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(&response, "x-content-type-options").as_deref(),
        Some("nosniff")
    );
    let csp = header(&response, "content-security-policy").expect("a policy");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("script-src"), "{csp}");
    let html = response.text().await.unwrap();
    assert!(!html.contains("<script"));
}

#[tokio::test]
async fn an_https_deployment_tells_browsers_to_stay_on_https() {
    let app = spawn_app().await;
    for path in ["/rankings", "/api/v1/rankings", "/no-such-page"] {
        let response = app.get(path).await;
        assert_eq!(
            header(&response, "strict-transport-security").as_deref(),
            Some("max-age=31536000; includeSubDomains"),
            "{path}"
        );
    }
    let plain = spawn_app_with(Options {
        public_base_url: Some("http://127.0.0.1:8080".into()),
        ..Options::default()
    })
    .await;
    let response = plain.get("/rankings").await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "strict-transport-security"), None);
}

#[tokio::test]
async fn an_injected_script_on_the_rating_page_would_not_run() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let code = venue["code"].as_str().unwrap();
    let response = app.get(&format!("/r/{code}")).await;
    assert_eq!(response.status(), 200);
    let csp = header(&response, "content-security-policy").expect("a policy");
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .expect("a script-src directive")
        .to_owned();
    assert!(!script_src.contains("'unsafe-inline'"), "{csp}");
    // The page's own counter script still runs: the policy names its hash.
    let html = response.text().await.unwrap();
    let start = html.find("<script>").expect("the counter script") + "<script>".len();
    let end = start + html[start..].find("</script>").unwrap();
    let digest = data_encoding::BASE64.encode(&Sha256::digest(&html.as_bytes()[start..end]));
    assert_eq!(script_src, format!("script-src 'sha256-{digest}'"));
    assert_eq!(html.matches("<script").count(), 1);
}
