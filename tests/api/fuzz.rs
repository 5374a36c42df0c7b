//! Random bodies and codes against the rating entry points of a running app:
//! whatever arrives, the answer is never a 5xx, the JSON API's errors are
//! problem+json and the form's errors are pages. `PROPTEST_CASES` sets the
//! number of cases (48 when unset).

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

use qrfeedback::http::api::ratings::MAX_JSON_BYTES;

use crate::common::{ACCOUNT_PASSWORD, ADMIN_TOKEN, TestApp, spawn_app};
use crate::fuzz_inputs::{code_like, form_bytes, json_bytes, percent_encode, raw_bytes};

fn cases() -> usize {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

/// Draws `cases()` values of the strategy `make` builds (random each run; no
/// shrinking: the failing input is printed whole). Drawing from the deep
/// strategies of unoptimised builds needs more stack than a test thread has.
fn draw<S, F>(make: F) -> Vec<S::Value>
where
    S: Strategy,
    S::Value: Send + 'static,
    F: FnOnce() -> S + Send + 'static,
{
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let strategy = make();
            let mut runner = TestRunner::new(Config {
                failure_persistence: None,
                ..Config::default()
            });
            (0..cases())
                .map(|_| strategy.new_tree(&mut runner).expect("a value").current())
                .collect()
        })
        .expect("spawn the drawing thread")
        .join()
        .expect("drawing inputs")
}

/// Room left for a form token appended to a body.
const FORM_TOKEN_ROOM: usize = 512;

/// `body` cut to fit under the size limit. Larger bodies are refused before
/// any handler runs, with actix's own 413 in text/plain, neither a problem
/// nor a page; these tests are about what the handlers make of a body.
fn within_limit(mut body: Vec<u8>) -> Vec<u8> {
    body.truncate(MAX_JSON_BYTES - FORM_TOKEN_ROOM);
    body
}

/// Posts `body` as `content_type`; the status and the answer's content type.
async fn post(app: &TestApp, path: &str, content_type: &str, body: &[u8]) -> (u16, String) {
    let response = app
        .client
        .post(format!("{}{path}", app.address))
        .header("content-type", content_type)
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    let answered = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (response.status().as_u16(), answered)
}

/// A fresh single-use form token from the rating page.
async fn form_token(app: &TestApp, code: &str) -> String {
    let page = app.get(&format!("/r/{code}")).await.text().await.unwrap();
    let marker = "name=\"form_token\" value=\"";
    let start = page.find(marker).expect("form token in page") + marker.len();
    let end = page[start..].find('"').expect("end of form token") + start;
    page[start..end].to_owned()
}

/// `body` with the venue's real code put in, when it is a JSON object, so
/// the case goes on past the code lookup into the write path.
fn with_code(body: Vec<u8>, code: &str) -> Vec<u8> {
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(mut rating)) => {
            rating.insert("code".into(), Value::from(code));
            serde_json::to_vec(&rating).expect("a Value serializes")
        }
        _ => body,
    }
}

#[tokio::test]
async fn random_json_bodies_never_get_a_server_error_or_a_bare_error() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let code = venue["code"].as_str().unwrap().to_owned();
    let bodies = draw(|| (prop_oneof![raw_bytes(), json_bytes()], any::<bool>()));
    for (body, real_code) in bodies {
        let body = within_limit(if real_code {
            with_code(body, &code)
        } else {
            body
        });
        let (status, content_type) = post(&app, "/api/v1/ratings", "application/json", &body).await;
        let shown = String::from_utf8_lossy(&body);
        assert!(status < 500, "{status} for {shown}");
        if status >= 400 {
            assert_eq!(
                content_type, "application/problem+json",
                "{status} for {shown}"
            );
        }
    }
}

#[tokio::test]
async fn random_form_posts_never_get_a_server_error() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let code = venue["code"].as_str().unwrap().to_owned();
    let cases = draw(|| {
        (
            prop_oneof![raw_bytes(), form_bytes()],
            any::<bool>(),
            proptest::option::of(code_like()),
        )
    });
    for (body, with_token, other_code) in cases {
        let mut body = within_limit(body);
        if with_token {
            body.extend_from_slice(b"&form_token=");
            body.extend_from_slice(form_token(&app, &code).await.as_bytes());
        }
        // A made-up code goes into the path as typed, escaped only where a
        // URL cannot hold it.
        let path_code = match &other_code {
            Some(raw) => String::from_utf8(percent_encode(raw.as_bytes(), b"-._~"))
                .expect("percent-encoded text is ASCII"),
            None => code.clone(),
        };
        let path = format!("/r/{path_code}");
        let form = "application/x-www-form-urlencoded";
        let (status, content_type) = post(&app, &path, form, &body).await;
        let shown = String::from_utf8_lossy(&body);
        assert!(status < 500, "{status} for /r/{path_code} with {shown}");
        // `/r/` alone is no rating page's path: the service's JSON 404
        // answers. Nor are `/r/.` and `/r/..`: a URL's dot segments, which
        // the client resolves to `/r/` and `/` before sending.
        let is_rating_path = !matches!(path_code.as_str(), "" | "." | "..");
        if status >= 400 && is_rating_path {
            assert!(
                content_type.starts_with("text/html"),
                "{status} for /r/{path_code} with {shown} is not a page"
            );
        }
    }
}

/// What schemathesis found: a NUL in a commitment reached Postgres, which
/// refuses it, and the API answered 500. Control characters other than line
/// breaks and tabs are now refused before anything is stored, by JSON and by
/// form alike.
#[tokio::test]
async fn a_commitment_with_a_nul_byte_is_refused_with_422_not_a_500() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    let path = format!("{}/api/v1/venues/{id}/commitment", app.address);
    let put = |text: &str| {
        app.client
            .put(&path)
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({ "text": text }))
            .send()
    };
    for text in ["明码标价\u{0}", "bell \u{7} ring", "escape \u{1b}[31m red"] {
        let response = put(text).await.unwrap();
        assert_eq!(response.status(), 422, "{text:?}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["type"], "/problems/control-character");
    }
    assert_eq!(app.count("venue_commitments").await, 0);

    app.venue_staff("nul-desk", &[&venue]).await;
    let session = app.session_for("nul-desk", ACCOUNT_PASSWORD).await;
    let response = session
        .post_form(
            &format!("/dashboard/venues/{id}/commitment?lang=en"),
            &[("text", "明码标价\u{0}")],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("invisible control character")
    );
    assert_eq!(app.count("venue_commitments").await, 0);

    // Line breaks and tabs are text.
    let response = put("明码标价\n\t童叟无欺").await.unwrap();
    assert_eq!(response.status(), 200);
}
