//! A regulator at a 1280×900 desktop signs in, opens the console, drills down
//! region → child region → venue by clicking, and downloads the ranking as
//! Excel, whose cells are the ones the page shows.

use std::io::Cursor;
use std::path::Path;
use std::time::Instant;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::common::{ACCOUNT_PASSWORD, TestApp, spawn_app, totp_code};
use crate::driver::*;

/// The desktop the console is checked on, in CSS pixels.
const DESK_WIDTH: u32 = 1280;
const DESK_HEIGHT: u32 = 900;

/// Signs in through the sign-in page like a person, enrolling the second
/// factor a regulator's first sign-in asks for.
pub(crate) async fn sign_in(browser: &Client, app: &TestApp, login: &str) {
    browser
        .goto(&format!("{}/login?lang=zh-CN", app.address))
        .await
        .expect("open the sign-in page");
    wait_for(browser, "form.login input[name=login]")
        .await
        .send_keys(login)
        .await
        .expect("type the login name");
    css(browser, "form.login input[name=password]")
        .await
        .send_keys(ACCOUNT_PASSWORD)
        .await
        .expect("type the password");
    css(browser, "form.login button[type=submit]")
        .await
        .click()
        .await
        .expect("sign in");
    // A regulator's first sign-in leads to enrolling an authenticator: the
    // key is read off the page and the code computed as a phone app would.
    let key = wait_for(browser, "#totp-secret")
        .await
        .text()
        .await
        .expect("the key")
        .replace(' ', "");
    css(browser, "#code")
        .await
        .send_keys(&totp_code(&key))
        .await
        .expect("type the code");
    css(browser, "form button[type=submit]")
        .await
        .click()
        .await
        .expect("confirm the code");
    wait_for(browser, "code.recovery-code").await;
    browser
        .get_named_cookie("__Host-qrf_session")
        .await
        .expect("the browser keeps the session cookie");
}

/// A venue rated `stars`, one device each, its score published.
async fn rated_venue(app: &TestApp, name: &str, region: &str, category: &str, stars: &[u8]) -> i64 {
    let venue = app.create_venue(name, region, category).await;
    let id = venue["id"].as_i64().expect("id");
    for (i, s) in stars.iter().enumerate() {
        app.rate(&venue, &format!("v{id}-{i}"), *s).await;
    }
    let score = app
        .score_when(id, |s| {
            s["ratings"] == stars.len() && s["published"] == true
        })
        .await;
    assert_eq!(score["published"], true, "{score}");
    id
}

/// Clicks a link by its visible text and waits for the address to contain `expect`.
async fn follow(browser: &Client, scope_css: &str, text: &str, expect: &str) {
    let links = browser
        .find_all(Locator::Css(&format!("{scope_css} a")))
        .await
        .expect("links");
    let mut target = None;
    for link in links {
        if link.text().await.expect("link text") == text {
            target = Some(link);
            break;
        }
    }
    target
        .unwrap_or_else(|| panic!("no link `{text}` in `{scope_css}`"))
        .click()
        .await
        .unwrap_or_else(|err| panic!("click `{text}`: {err}"));
    let deadline = Instant::now() + PATIENCE;
    loop {
        let url = browser.current_url().await.expect("url");
        if url.as_str().contains(expect) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "`{text}` did not lead to {expect}: {url}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// The texts of the cells of the page's table `#{id}-table`: headers, then rows.
async fn table_texts(browser: &Client, id: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let texts = browser
        .execute(
            "const t = document.getElementById(arguments[0] + '-table');
             const text = (cells) => Array.from(cells)
                 .filter(c => !c.classList.contains('row-actions'))
                 .map(c => c.textContent.trim());
             return { head: text(t.tHead.rows[0].cells),
                      rows: Array.from(t.tBodies[0].rows).map(r => text(r.cells)) };",
            vec![json!(id)],
        )
        .await
        .expect("read the table");
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .expect("array")
            .iter()
            .map(|s| s.as_str().expect("text").to_owned())
            .collect()
    };
    let rows = texts["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(strings)
        .collect();
    (strings(&texts["head"]), rows)
}

/// Whether the page is wider than the window (a horizontal scrollbar).
async fn overflows(browser: &Client) -> bool {
    let width = browser
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .expect("js");
    width.as_u64().expect("scrollWidth") > u64::from(DESK_WIDTH)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regulator_drills_down_and_downloads_the_ranking() {
    let started = Instant::now();
    let app = spawn_app().await;
    let korla_hotel = rated_venue(&app, "孔雀河酒店", "652801", "hotel", &[5, 5, 4, 5, 5, 4]).await;
    rated_venue(&app, "梨城餐厅", "652801", "restaurant", &[3, 2, 3, 4, 2]).await;
    rated_venue(&app, "天鹅湖宾馆", "652801", "hotel", &[4, 4, 5, 4, 3]).await;
    rated_venue(&app, "轮台宾馆", "652822", "hotel", &[4, 4, 4, 5, 3]).await;
    rated_venue(&app, "塔河农家乐", "652822", "homestay", &[1, 2, 1, 2, 1]).await;
    rated_venue(&app, "昌吉酒店", "652301", "hotel", &[5, 4, 5, 4, 5]).await;
    app.create_person("bz-regulator", "regulator", Some("652800"), &[])
        .await;
    // Region figures follow the venue scores; wait for Bayingolin's.
    let settled = crate::common::eventually(PATIENCE, || async {
        let body: Value = app
            .get("/api/v1/regions/652800/score")
            .await
            .json()
            .await
            .expect("json");
        body["published_venues"] == 5
    })
    .await;
    assert!(settled, "Bayingolin's figures were not computed");

    let driver = Driver::start().await;
    let browser = driver
        .desktop_browser(DESK_WIDTH, DESK_HEIGHT, Some("zh-CN"))
        .await;
    sign_in(&browser, &app, "bz-regulator").await;

    // The overview of the regulator's prefecture.
    browser
        .goto(&format!("{}/console?lang=zh-CN", app.address))
        .await
        .expect("open the console");
    let heading = wait_for(&browser, "h1.page-title")
        .await
        .text()
        .await
        .expect("heading");
    assert_eq!(heading, "区域概览：巴音郭楞蒙古自治州");
    let (_, lowest) = table_texts(&browser, "lowest").await;
    assert_eq!(lowest[0][1], "塔河农家乐", "the lowest score first");
    let (_, watch) = table_texts(&browser, "watchlist").await;
    assert_eq!(watch.len(), 1, "one venue in tier C: {watch:?}");
    assert_eq!(watch[0][5], "C");
    let bars = browser
        .find_all(Locator::Css("#score-distribution svg rect.band"))
        .await
        .expect("distribution bars");
    assert!(!bars.is_empty(), "the score distribution is drawn");
    assert!(
        lowest.iter().all(|r| r[1] != "昌吉酒店"),
        "nothing outside the prefecture"
    );
    let view = browser
        .execute(
            "return { width: window.innerWidth, height: window.innerHeight };",
            vec![],
        )
        .await
        .expect("js");
    assert_eq!(view["width"], DESK_WIDTH, "{view}");
    assert!(!overflows(&browser).await, "the overview fits the window");
    let shot = screenshot(&browser, "console-1280x900.png").await;
    let png = std::fs::read(&shot).expect("read the screenshot");
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&docs).expect("docs/screenshots");
    std::fs::write(docs.join("console-1280x900.png"), &png).expect("save the screenshot");
    // PNG width and height, big-endian, at bytes 16..24.
    let width = u32::from_be_bytes(png[16..20].try_into().expect("width"));
    let height = u32::from_be_bytes(png[20..24].try_into().expect("height"));
    assert_eq!(
        (width, height),
        (DESK_WIDTH, DESK_HEIGHT),
        "screenshot size"
    );

    // Region → its rankings → child region → venue, by clicking.
    follow(&browser, "p.actions", "排名与逐级查看", "/console/rankings").await;
    wait_for(&browser, "#regions-table").await;
    let (_, regions) = table_texts(&browser, "regions").await;
    let korla = regions.iter().find(|r| r[0] == "652801").expect("Korla");
    assert_eq!(korla[7], "3", "Korla's three published venues");
    assert!(!overflows(&browser).await, "the ranking fits the window");
    screenshot(&browser, "console-rankings-1280x900.png").await;

    follow(&browser, "#regions-table", "库尔勒市", "region=652801").await;
    let heading = wait_for(&browser, "h1.page-title")
        .await
        .text()
        .await
        .expect("heading");
    assert_eq!(heading, "排名：库尔勒市");
    let (headers, rows) = table_texts(&browser, "rankings").await;
    let names: Vec<&str> = rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(!names.contains(&"轮台宾馆"), "only Korla now");

    // The ranking as Excel, fetched with the browser's session.
    let xlsx_href = css(
        &browser,
        "#rankings-panel .downloads a[href*='rankings.xlsx']",
    )
    .await
    .attr("href")
    .await
    .expect("attr")
    .expect("an Excel link");
    assert!(xlsx_href.contains("region=652801"), "{xlsx_href}");
    let session = browser
        .get_named_cookie("__Host-qrf_session")
        .await
        .expect("session cookie");
    let response = reqwest::Client::new()
        .get(format!("{}{xlsx_href}", app.address))
        .header(
            reqwest::header::COOKIE,
            format!("__Host-qrf_session={}", session.value()),
        )
        .send()
        .await
        .expect("download");
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.expect("body").to_vec();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("an xlsx file");
    let sheet = book
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    let cells: Vec<&[Data]> = sheet.rows().collect();
    // First the caption: the regulator's prefecture and the data's time.
    let caption = cells[0][0].to_string();
    assert!(
        caption.contains("范围：巴音郭楞蒙古自治州 (652800)"),
        "{caption}"
    );
    assert!(caption.contains("（北京时间）"), "{caption}");
    let sheet_headers: Vec<String> = cells[1].iter().map(|c| c.to_string()).collect();
    assert_eq!(sheet_headers, headers, "the page's columns");
    assert_eq!(cells.len(), rows.len() + 2, "the page's rows");
    for (sheet_row, row) in cells[2..].iter().zip(&rows) {
        assert_eq!(sheet_row[1], Data::Float(row[1].parse().expect("venue id")));
        assert_eq!(sheet_row[2], Data::String(row[2].clone()), "venue name");
        assert_eq!(sheet_row[4], Data::String(row[4].clone()), "category");
        match sheet_row[5] {
            Data::Float(score) => assert_eq!(format!("{score:.1}"), row[5], "score"),
            ref other => panic!("the score is a number, not {other:?}"),
        }
        assert_eq!(sheet_row[6], Data::String(row[6].clone()), "tier");
    }

    follow(
        &browser,
        "#rankings-table",
        "孔雀河酒店",
        &format!("/console/venues/{korla_hotel}"),
    )
    .await;
    let name = wait_for(&browser, "h1.page-title")
        .await
        .text()
        .await
        .expect("venue name");
    assert_eq!(name, "孔雀河酒店");
    let score = app.score(korla_hotel).await;
    let shown = css(&browser, "#venue-score")
        .await
        .text()
        .await
        .expect("score");
    assert_eq!(
        shown,
        format!("{:.1}", score["score"].as_f64().expect("score"))
    );
    assert!(
        css(&browser, "svg.trend")
            .await
            .is_displayed()
            .await
            .expect("displayed"),
        "the trend chart is drawn"
    );
    let (_, ratings) = table_texts(&browser, "ratings").await;
    assert_eq!(ratings.len(), 6);
    screenshot(&browser, "console-venue-1280x900.png").await;

    browser.close().await.expect("close the browser session");
    drop(driver);
    println!("console browser test took {:?}", started.elapsed());
}
