//! A desktop-sized headless Chromium signs in as venue staff, answers a
//! comment on the dashboard, finds the answer on the public venue page,
//! opens the printable poster and downloads the QR code as PNG.

use std::path::Path;
use std::time::Instant;

use fantoccini::Client;
use serde_json::{Value, json};

use crate::common::{ACCOUNT_PASSWORD, TestApp, spawn_app};
use crate::driver::*;

/// Posts a rating with a comment through the API; its id.
async fn rate_with_comment(app: &TestApp, venue: &Value, device: &str, text: &str) -> i64 {
    let response = app
        .post_rating(&json!({
            "code": venue["code"], "device_id": device, "overall": 4,
            "dimensions": { "environment": 5, "skill": 4, "attitude": 4 },
            "comment": text, "tags": ["clean", "long_wait"],
        }))
        .await;
    assert_eq!(response.status(), 201, "rating refused");
    let body: Value = response.json().await.expect("json");
    body["id"].as_i64().expect("rating id")
}

/// Signs in through the form like a person; waits for the session cookie.
async fn sign_in(browser: &Client, app: &TestApp, login: &str) {
    browser
        .goto(&format!("{}/login?lang=en", app.address))
        .await
        .expect("open the sign-in page");
    wait_for(browser, "input[name=login]")
        .await
        .send_keys(login)
        .await
        .expect("type the login");
    css(browser, "input[name=password]")
        .await
        .send_keys(ACCOUNT_PASSWORD)
        .await
        .expect("type the password");
    css(browser, "form.login button[type=submit]")
        .await
        .click()
        .await
        .expect("send the form");
    let deadline = Instant::now() + PATIENCE;
    while browser
        .get_named_cookie("__Host-qrf_session")
        .await
        .is_err()
    {
        assert!(
            Instant::now() < deadline,
            "no session cookie after signing in"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// The page's visible text.
async fn body_text(browser: &Client) -> String {
    css(browser, "body").await.text().await.expect("body text")
}

/// Waits until a finished download named `name` is in `dir`; its bytes.
async fn downloaded(dir: &Path, name: &str) -> Vec<u8> {
    let path = dir.join(name);
    let deadline = Instant::now() + PATIENCE;
    loop {
        let partial = std::fs::read_dir(dir)
            .expect("read the download folder")
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().ends_with(".crdownload"));
        if !partial && let Ok(bytes) = std::fs::read(&path) {
            return bytes;
        }
        assert!(
            Instant::now() < deadline,
            "{name} was not downloaded into {}",
            dir.display()
        );
        tokio::time::sleep(POLL).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn venue_staff_answer_a_comment_print_a_poster_and_download_the_code() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().expect("id");
    let code = venue["code"].as_str().expect("code").to_owned();
    let praised = rate_with_comment(&app, &venue, "browser-a", "早餐很好，前台很热情！").await;
    rate_with_comment(&app, &venue, "browser-b", "check-in took 40 minutes").await;
    for (i, stars) in [5, 4, 5, 3, 5].into_iter().enumerate() {
        let response = app
            .post_rating(&json!({
                "code": venue["code"], "device_id": format!("browser-{i}"), "overall": stars,
                "dimensions": { "environment": stars, "skill": 4, "attitude": stars },
                "tags": ["friendly_staff"],
            }))
            .await;
        assert_eq!(response.status(), 201, "rating refused");
    }
    // Published, so the dashboard shows a score and ranks.
    let score = app
        .score_when(venue_id, |s| {
            s["ratings"] == 7 && s["published"] == true && !s["rank"]["prefecture"].is_null()
        })
        .await;
    assert_eq!(score["published"], true, "{score}");
    app.venue_staff("korla-desk", &[&venue]).await;

    let driver = Driver::start().await;
    let browser = driver
        .desktop_browser(DESKTOP_WIDTH, DESKTOP_HEIGHT, None)
        .await;
    sign_in(&browser, &app, "korla-desk").await;

    // The dashboard: one venue, so straight to it.
    browser
        .goto(&format!("{}/dashboard?lang=en", app.address))
        .await
        .expect("open the dashboard");
    wait_for(&browser, "#comments").await;
    let url = browser.current_url().await.expect("url");
    assert!(
        url.path() == format!("/dashboard/venues/{venue_id}"),
        "staff of one venue land on it: {url}"
    );
    assert_eq!(
        css(&browser, "h1.venue-name")
            .await
            .text()
            .await
            .expect("name"),
        "孔雀河酒店"
    );
    let shown = css(&browser, "#score-h + .stat .big")
        .await
        .text()
        .await
        .expect("score");
    assert_eq!(
        shown,
        format!("{:.1}", score["score"].as_f64().expect("score"))
    );
    let view = browser
        .execute(
            "const img = document.querySelector('#qr img');
             return { width: window.innerWidth, height: window.innerHeight,
                      pageWidth: document.documentElement.scrollWidth,
                      qrLoaded: img.complete && img.naturalWidth > 0,
                      trend: !!document.querySelector('svg.trend') };",
            vec![],
        )
        .await
        .expect("js");
    println!("dashboard view: {view}");
    assert_eq!(view["width"], DESKTOP_WIDTH, "desktop viewport width");
    assert_eq!(view["height"], DESKTOP_HEIGHT, "desktop viewport height");
    assert_eq!(
        view["qrLoaded"], true,
        "the QR image loads from this origin"
    );
    assert_eq!(view["trend"], true, "the trend chart is drawn");
    assert!(
        view["pageWidth"].as_u64() <= view["width"].as_u64(),
        "the dashboard fits the window: {view}"
    );

    // Answer the first comment: its reply box opens from its collapsed label.
    let reply = "谢谢您的好评，欢迎再来！";
    assert!(
        !css(&browser, &format!("#reply-{praised}"))
            .await
            .is_displayed()
            .await
            .expect("displayed"),
        "reply boxes start collapsed"
    );
    css(
        &browser,
        &format!("#rating-{praised} details.reply-box summary"),
    )
    .await
    .click()
    .await
    .expect("open the reply box");
    css(&browser, &format!("#reply-{praised}"))
        .await
        .send_keys(reply)
        .await
        .expect("type the reply");
    css(
        &browser,
        &format!("#rating-{praised} form button[type=submit]"),
    )
    .await
    .click()
    .await
    .expect("send the reply");
    let notice = wait_for(&browser, "p.notice")
        .await
        .text()
        .await
        .expect("notice");
    assert_eq!(notice, catalogue_text("en", "notices.reply_saved"));
    let answered = css(&browser, &format!("#rating-{praised} .reply"))
        .await
        .text()
        .await
        .expect("reply text");
    assert!(answered.contains(reply), "{answered}");
    // Changing it starts from the reply as published.
    css(
        &browser,
        &format!("#rating-{praised} details.reply-box summary"),
    )
    .await
    .click()
    .await
    .expect("open the reply box again");
    let prefilled = css(&browser, &format!("#reply-{praised}"))
        .await
        .prop("value")
        .await
        .expect("textarea value");
    assert_eq!(
        prefilled.as_deref(),
        Some(reply),
        "the old reply is in the box"
    );
    browser
        .execute(
            "document.getElementById('comments').scrollIntoView()",
            vec![],
        )
        .await
        .expect("scroll to the comments");
    screenshot(&browser, "dashboard-comments.png").await;
    // The screenshot shows the top of the dashboard: measures and QR code.
    browser
        .execute("window.scrollTo(0, 0)", vec![])
        .await
        .expect("scroll to the top");
    screenshot(&browser, "dashboard-1280x900.png").await;

    // The public page shows it under the comment.
    browser
        .goto(&format!("{}/v/{venue_id}?lang=en", app.address))
        .await
        .expect("open the public page");
    wait_for(&browser, "h1.venue-name").await;
    let public = body_text(&browser).await;
    assert!(public.contains("早餐很好，前台很热情！"), "{public}");
    assert!(public.contains(reply), "{public}");

    // The poster: the QR code drawn inline, and the code in text.
    browser
        .goto(&format!(
            "{}/dashboard/venues/{venue_id}/poster?size=a4&lang=en",
            app.address
        ))
        .await
        .expect("open the poster");
    let qr = wait_for(&browser, "main.poster .qr svg").await;
    assert!(qr.is_displayed().await.expect("displayed"));
    let poster_code = css(&browser, "main.poster .code")
        .await
        .text()
        .await
        .expect("code line");
    assert!(poster_code.contains(&code), "{poster_code}");
    screenshot(&browser, "poster-a4.png").await;

    // The PNG download from the dashboard is a PNG of the rating address.
    browser
        .goto(&format!(
            "{}/dashboard/venues/{venue_id}?lang=en",
            app.address
        ))
        .await
        .expect("back to the dashboard");
    let link = wait_for(&browser, "#qr a[download$='.png']").await;
    let name = link
        .attr("download")
        .await
        .expect("attr")
        .expect("download name");
    link.click().await.expect("download the PNG");
    let png = downloaded(&driver.download_dir(), &name).await;
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "the download is a PNG"
    );
    let image = image::load_from_memory(&png).expect("a PNG").to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the PNG");
    let (_, content) = grids[0].decode().expect("decodable QR code");
    assert_eq!(content, venue["rating_url"].as_str().expect("rating_url"));
    browser.close().await.expect("close the browser");
}
