//! Who runs the service: the configured imprint (service name, operator,
//! complaint hotline, ICP and public-security filings) under every public
//! page and the issuing body and hotline on the poster; a value that is not
//! configured leaves no trace, not even its label.

use serde_json::Value;

use crate::common::{
    ACCOUNT_PASSWORD, Options, Page, TestApp, bare_client, spawn_app, spawn_app_with,
};
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

/// GETs a page as a browser would ask for it.
async fn browse(app: &TestApp, path: &str) -> Page {
    let response = bare_client()
        .get(format!("{}{path}", app.address))
        .header("accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
        .send()
        .await
        .expect("request");
    Page::read(response).await
}

/// Every kind of public page, by what it is: the home page, the rankings,
/// the method, a venue's page, its rating form and the thanks after it, and
/// the friendly error pages of both families.
async fn public_pages(app: &TestApp, venue: &Value) -> Vec<(String, Page)> {
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
        let page = browse(app, &path).await;
        assert_eq!(page.status, expected, "{path}");
        pages.push((path, page));
    }
    let token = form_token(&open_page(app, code).await);
    let (status, thanks) = post_form(app, code, &[("form_token", &token), ("overall", "5")]).await;
    assert_eq!(status, 200, "{thanks}");
    let thanks = Page::parse(&thanks);
    assert!(thanks.exists(".mark.ok"), "the thanks page");
    pages.push(("thanks".to_owned(), thanks));
    pages
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
    for (what, page) in public_pages(&app, &venue).await {
        assert_eq!(page.count("footer.site-footer"), 1, "{what} has one footer");
        assert_eq!(
            page.select_text("footer.site-footer p.service"),
            SERVICE_NAME,
            "{what}"
        );
        let items = page.texts("footer.site-footer li");
        for value in [OPERATOR, HOTLINE, ICP, PSB] {
            assert!(
                items.iter().any(|item| item.ends_with(value)),
                "{what}: {value} missing in {items:?}"
            );
        }
        let link = |text: &str| {
            page.select("footer.site-footer li a")
                .into_iter()
                .find(|a| crate::common::page::text_of(*a) == text)
                .and_then(|a| a.attr("href"))
                .map(str::to_owned)
        };
        assert_eq!(
            link(HOTLINE),
            Some(format!("tel:{HOTLINE}")),
            "{what}: the hotline dials"
        );
        assert_eq!(
            link(ICP).as_deref(),
            Some("https://beian.miit.gov.cn/"),
            "{what}: the ICP number links to its lookup"
        );
        assert!(
            link(PSB).is_some_and(|href| href.ends_with("code=65280102000001")),
            "{what}: the public-security number links to its lookup"
        );
        let (operator_label, hotline_label) = if page.lang() == "en" {
            ("Operated by ", "Complaint hotline: ")
        } else {
            ("运营单位：", "投诉热线：")
        };
        assert!(
            items.contains(&format!("{operator_label}{OPERATOR}")),
            "{what}: the operator in the page language: {items:?}"
        );
        assert!(
            items.contains(&format!("{hotline_label}{HOTLINE}")),
            "{what}: {items:?}"
        );
        // The issuing body belongs on the poster, not under the pages.
        assert!(!page.body.contains(ISSUER), "{what}");
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
    for (what, page) in public_pages(&app, &venue).await {
        assert_eq!(
            page.attrs("footer.site-footer li a", "href"),
            ["tel:12345"],
            "{what}"
        );
        assert_eq!(page.texts("footer.site-footer li a"), ["12345"], "{what}");
        assert!(!page.exists("footer.site-footer .service"), "{what}");
        let footer = page.select_text("footer.site-footer");
        for absent in ["运营单位", "Operated by", "ICP", "公网安备"] {
            assert!(!footer.contains(absent), "{what}: {absent} in {footer}");
        }
        assert_eq!(page.count("footer.site-footer li"), 1, "{what}: {footer}");
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
    for (what, page) in public_pages(&quiet, &venue).await {
        assert!(
            !page.exists("footer"),
            "{what}: nothing configured, no footer"
        );
        assert!(
            !page.body.contains("投诉热线") && !page.body.contains("hotline"),
            "{what}"
        );
    }
    let poster = staff_poster(&quiet, &venue, "korla-print").await;
    assert!(!poster.contains("投诉热线") && !poster.contains("监制单位"));
}
