//! Who runs the service: the configured imprint (service name, operator,
//! complaint hotline, ICP and public-security filings) under every public
//! page and the issuing body and hotline on the poster; a value that is not
//! configured leaves no trace, not even its label.

use serde_json::Value;

use crate::common::{ACCOUNT_PASSWORD, Options, TestApp, bare_client, spawn_app, spawn_app_with};
use crate::rating_page::{form_token, open_page, post_form};

const SERVICE_NAME: &str = "巴州游客服务评价平台";
const OPERATOR: &str = "巴音郭楞州文化体育广播电视和旅游局";
const HOTLINE: &str = "0996-2025123";
const ICP: &str = "新ICP备2024000001号-1";
const PSB: &str = "新公网安备65280102000001号";
const ISSUER: &str = "巴音郭楞州文化和旅游市场监管科";

fn configured() -> Options {
    Options {
        env: vec![
            ("QRF_SERVICE_NAME", SERVICE_NAME),
            ("QRF_OPERATOR", OPERATOR),
            ("QRF_COMPLAINT_HOTLINE", HOTLINE),
            ("QRF_ICP_FILING", ICP),
            ("QRF_PSB_FILING", PSB),
            ("QRF_POSTER_ISSUER", ISSUER),
        ],
        ..Options::default()
    }
}

/// GETs a page as a browser would ask for it; the status and the HTML.
async fn browse(app: &TestApp, path: &str) -> (u16, String) {
    let response = bare_client()
        .get(format!("{}{path}", app.address))
        .header("accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// Every kind of public page, by what it is: the home page, the rankings,
/// the method, a venue's page, its rating form and the thanks after it, and
/// the friendly error pages of both families.
async fn public_pages(app: &TestApp, venue: &Value) -> Vec<(String, String)> {
    let id = venue["id"].as_i64().expect("id");
    let code = venue["code"].as_str().expect("code");
    let mut pages = Vec::new();
    for (path, expected) in [
        ("/".to_owned(), 200),
        ("/?lang=en".to_owned(), 200),
        ("/rankings".to_owned(), 200),
        ("/rankings?region=652800&lang=en".to_owned(), 200),
        ("/rankings?region=12".to_owned(), 422),
        ("/about/scores".to_owned(), 200),
        (format!("/v/{id}"), 200),
        (format!("/v/{id}?lang=en"), 200),
        ("/v/999999".to_owned(), 404),
        ("/no/such/page".to_owned(), 404),
        (format!("/r/{code}"), 200),
        ("/r/NoSuchCode123".to_owned(), 404),
    ] {
        let (status, html) = browse(app, &path).await;
        assert_eq!(status, expected, "{path}");
        pages.push((path, html));
    }
    let token = form_token(&open_page(app, code).await);
    let (status, thanks) = post_form(app, code, &[("form_token", &token), ("overall", "5")]).await;
    assert_eq!(status, 200, "{thanks}");
    assert!(thanks.contains("class=\"mark ok\""), "the thanks page");
    pages.push(("thanks".to_owned(), thanks));
    pages
}

/// The footer of a page, which every public page ends with.
fn footer(html: &str) -> Option<&str> {
    let start = html.find("<footer class=\"site-footer\">")?;
    let end = html[start..].find("</footer>")? + start;
    Some(&html[start..end])
}

/// The poster of `venue` as its staff print it.
async fn staff_poster(app: &TestApp, venue: &Value, login: &str) -> String {
    app.venue_staff(login, &[venue]).await;
    let session = app.session_for(login, ACCOUNT_PASSWORD).await;
    let id = venue["id"].as_i64().expect("id");
    let response = session
        .fetch(&format!("/dashboard/venues/{id}/poster"))
        .await;
    assert_eq!(response.status(), 200);
    response.text().await.expect("poster")
}

#[tokio::test]
async fn the_configured_imprint_is_under_every_public_page_and_on_the_poster() {
    let app = spawn_app_with(configured()).await;
    let venue = app.hotel().await;
    for (what, html) in public_pages(&app, &venue).await {
        let footer = footer(&html).unwrap_or_else(|| panic!("{what} has no footer"));
        for value in [SERVICE_NAME, OPERATOR, HOTLINE, ICP, PSB] {
            assert!(
                footer.contains(value),
                "{what}: {value} missing in {footer}"
            );
        }
        assert!(
            footer.contains(&format!("<a href=\"tel:{HOTLINE}\">{HOTLINE}</a>")),
            "{what}: the hotline dials: {footer}"
        );
        assert!(
            footer.contains("href=\"https://beian.miit.gov.cn/\""),
            "{what}: the ICP number links to its lookup: {footer}"
        );
        assert!(
            footer.contains("code=65280102000001\""),
            "{what}: the public-security number links to its lookup: {footer}"
        );
        let english = html.contains("<html lang=\"en\"");
        let (operator_label, hotline_label) = if english {
            ("Operated by ", "Complaint hotline: ")
        } else {
            ("运营单位：", "投诉热线：")
        };
        assert!(
            footer.contains(&format!("<li>{operator_label}{OPERATOR}</li>")),
            "{what}: the operator in the page language: {footer}"
        );
        assert!(footer.contains(hotline_label), "{what}: {footer}");
        // The issuing body belongs on the poster, not under the pages.
        assert!(!html.contains(ISSUER), "{what}");
    }

    let poster = staff_poster(&app, &venue, "korla-print").await;
    assert!(
        poster.contains("监制单位 / ") && poster.contains(&format!(" / Issued by: {ISSUER}")),
        "{poster}"
    );
    assert!(poster.contains("投诉热线 / "));
    assert!(poster.contains(&format!(" / Complaint hotline: {HOTLINE}")));
}

#[tokio::test]
async fn unset_values_leave_no_empty_label_and_the_hotline_defaults_to_12345() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    for (what, html) in public_pages(&app, &venue).await {
        let footer = footer(&html).unwrap_or_else(|| panic!("{what} has no footer"));
        assert!(
            footer.contains("<a href=\"tel:12345\">12345</a>"),
            "{what}: {footer}"
        );
        for absent in [
            "运营单位",
            "Operated by",
            "ICP",
            "公网安备",
            "beian",
            "class=\"service\"",
        ] {
            assert!(!footer.contains(absent), "{what}: {absent} in {footer}");
        }
        assert_eq!(footer.matches("<li>").count(), 1, "{what}: {footer}");
    }
    let poster = staff_poster(&app, &venue, "korla-print").await;
    assert!(!poster.contains("监制单位") && !poster.contains("Issued by"));
    assert!(poster.contains("投诉热线 / ") && poster.contains(" / Complaint hotline: 12345"));

    let quiet = spawn_app_with(Options {
        env: vec![("QRF_COMPLAINT_HOTLINE", "none")],
        ..Options::default()
    })
    .await;
    let venue = quiet.hotel().await;
    for (what, html) in public_pages(&quiet, &venue).await {
        assert!(
            !html.contains("<footer"),
            "{what}: nothing configured, no footer"
        );
        assert!(
            !html.contains("投诉热线") && !html.contains("hotline"),
            "{what}"
        );
    }
    let poster = staff_poster(&quiet, &venue, "korla-print").await;
    assert!(!poster.contains("投诉热线") && !poster.contains("监制单位"));
}
