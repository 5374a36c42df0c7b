//! The public rankings on a 360 px phone: a full page of venues with long
//! names in long-named places, in both languages, stays inside the screen
//! (the table scrolls in its own box, never the page), and rank, venue,
//! score and tier are readable without scrolling the box, the venue column
//! wide enough for a name in a few lines.

use fantoccini::Client;
use serde_json::Value;

use crate::common::spawn_app;
use crate::driver::*;

/// What the test measures on the open page, in CSS pixels.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Layout {
    page_width: f64,
    viewport_width: f64,
    box_right: f64,
    score_right: f64,
    tier_right: f64,
    name_width: f64,
    rows: u64,
}

async fn layout(browser: &Client) -> Layout {
    let measured = browser
        .execute(
            "const box = document.querySelector('.scroll');
             const first = document.querySelector('table.ranking tbody tr');
             return {
               pageWidth: document.documentElement.scrollWidth,
               viewportWidth: window.innerWidth,
               boxRight: box.getBoundingClientRect().right,
               scoreRight: first.children[2].getBoundingClientRect().right,
               tierRight: first.children[3].getBoundingClientRect().right,
               nameWidth: first.children[1].getBoundingClientRect().width,
               rows: document.querySelectorAll('table.ranking tbody tr').length,
             };",
            vec![],
        )
        .await
        .expect("measure the page");
    serde_json::from_value(measured).expect("layout")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rankings_fit_a_360_px_phone() {
    let app = spawn_app().await;
    // Long names, unbroken Latin ones too, across the prefecture's counties.
    let names = [
        "巴音郭楞蒙古自治州博斯腾湖国际旅游度假酒店有限责任公司",
        "BostenLakeInternationalResortAndConventionCentre",
        "库尔勒梨城花园假日酒店",
        "轮台县胡杨林国家级自然保护区游客服务中心",
        "和静县巴音布鲁克天鹅湖景区",
        "Kaidu River Riverside Family Guesthouse & Camping",
    ];
    let regions = ["652801", "652822", "652827", "652828", "652829", "652826"];
    let mut last: Option<Value> = None;
    for i in 0..25 {
        let venue = app
            .create_venue(
                &format!("{}{i}", names[i % names.len()]),
                regions[i % regions.len()],
                "hotel",
            )
            .await;
        // Every third venue stays below the publishing threshold.
        let ratings = if i % 3 == 2 { 2 } else { 5 };
        for r in 0..ratings {
            app.rate(&venue, &format!("v{i}-{r}"), [5, 4, 3, 5, 4][(i + r) % 5])
                .await;
        }
        last = Some(venue);
    }
    let last_id = last.expect("venues")["id"].as_i64().expect("id");
    let score = app
        .score_when(last_id, |s| s["ratings"] == 5 && s["published"] == true)
        .await;
    assert_eq!(score["published"], true, "{score}");

    let driver = Driver::start().await;
    let browser = driver.phone_browser().await;
    for path in [
        "/",
        "/rankings",
        "/rankings?lang=en",
        "/rankings?region=652800&lang=en",
    ] {
        browser
            .goto(&format!("{}{path}", app.address))
            .await
            .expect("open the rankings");
        wait_for(&browser, "table.ranking tbody tr").await;
        let measured = layout(&browser).await;
        println!("{path}: {measured:?}");
        assert!(measured.rows >= 10, "{path}: a full list: {measured:?}");
        assert!(
            measured.page_width <= measured.viewport_width,
            "{path}: the page is wider than the phone: {measured:?}"
        );
        assert!(
            measured.score_right <= measured.box_right && measured.tier_right <= measured.box_right,
            "{path}: score and tier need the table scrolled: {measured:?}"
        );
        assert!(
            measured.name_width >= 140.0,
            "{path}: the venue column is too narrow to read: {measured:?}"
        );
    }
    screenshot(&browser, "rankings-360x740.png").await;
    browser.close().await.expect("close");
}
