//! The regulator console: pages, downloads and JSON cut to the regulator's
//! region; drill-down; downloads that hold exactly the page's table;
//! quarantine and violations through forms (with the form token) and JSON.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use reqwest::Method;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use scraper::{ElementRef, Selector};
use serde_json::{Value, json};

use crate::common::{ADMIN_TOKEN, Page, Person, TestApp, call, csrf_of, spawn_app};

/// A venue created and rated `stars` (one device each), its score published.
async fn rated_venue(app: &TestApp, name: &str, region: &str, category: &str, stars: &[u8]) -> i64 {
    let venue = app.create_venue(name, region, category).await;
    let id = venue["id"].as_i64().unwrap();
    for (i, s) in stars.iter().enumerate() {
        app.rate(&venue, &format!("v{id}-{i}"), *s).await;
    }
    let n = stars.len();
    let score = app
        .score_when(id, |s| s["ratings"] == n && s["published"] == (n >= 5))
        .await;
    assert_eq!(score["ratings"], n, "{score}");
    id
}

/// Waits until the stored region score of `code` counts `venues` venues.
async fn region_settled(app: &TestApp, code: &str, venues: i64) {
    let settled = crate::common::eventually(std::time::Duration::from_secs(10), || async {
        let body: Value = app
            .get(&format!("/api/v1/regions/{code}/score"))
            .await
            .json()
            .await
            .unwrap();
        body["published_venues"] == venues
    })
    .await;
    assert!(settled, "region {code} never counted {venues} venues");
}

/// Four venues in Xinjiang: two in Korla (652801), one in Luntai (652822),
/// both in Bayingolin (652800); one in Changji (652301). Returns their ids.
struct Venues {
    korla_hotel: i64,
    korla_restaurant: i64,
    luntai_hotel: i64,
    changji_hotel: i64,
}

async fn four_venues(app: &TestApp) -> Venues {
    let venues = Venues {
        korla_hotel: rated_venue(app, "孔雀河酒店", "652801", "hotel", &[5, 5, 4, 5, 5]).await,
        korla_restaurant: rated_venue(app, "梨城餐厅", "652801", "restaurant", &[3, 2, 3, 4, 2])
            .await,
        luntai_hotel: rated_venue(app, "轮台宾馆", "652822", "hotel", &[4, 4, 4, 5, 3]).await,
        changji_hotel: rated_venue(app, "昌吉酒店", "652301", "hotel", &[5, 4, 5, 4, 5]).await,
    };
    region_settled(app, "652801", 2).await;
    region_settled(app, "652800", 3).await;
    region_settled(app, "650000", 4).await;
    venues
}

/// The text of a table cell as a download holds it: trimmed, spacing kept.
fn cell_text(cell: ElementRef<'_>) -> String {
    cell.text().collect::<String>().trim().to_owned()
}

/// The table `#{id}-table` of a page: headers and rows of cell texts, without
/// the page's own moderation column (the downloads do not hold it).
pub(crate) fn html_table(page: &str, id: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let page = Page::parse(page);
    let table = format!("table#{id}-table");
    assert!(page.exists(&table), "no table {id} on the page");
    let headers = page
        .select(&format!("{table} > thead th:not(.row-actions)"))
        .into_iter()
        .map(cell_text)
        .collect();
    let cell = Selector::parse("td:not(.row-actions)").unwrap();
    let rows = page
        .select(&format!("{table} > tbody > tr"))
        .into_iter()
        .map(|row| row.select(&cell).map(cell_text).collect())
        .collect();
    (headers, rows)
}

/// The address of the link whose text is `text` inside table `#{id}-table`.
fn link_in_table(page: &str, id: &str, text: &str) -> String {
    Page::parse(page)
        .select(&format!("table#{id}-table a[href]"))
        .into_iter()
        .find(|link| cell_text(*link) == text)
        .and_then(|link| link.attr("href"))
        .unwrap_or_else(|| panic!("no link {text} in {id}"))
        .to_owned()
}

/// The CSV and Excel download links of table `id` (the links just before it).
pub(crate) fn download_links(page: &str, id: &str) -> (String, String) {
    let hrefs = Page::parse(page).attrs(
        &format!("p.downloads:has(+ .table-scroll > table#{id}-table) a[download]"),
        "href",
    );
    assert_eq!(hrefs.len(), 2, "CSV and Excel links of {id}: {hrefs:?}");
    (hrefs[0].clone(), hrefs[1].clone())
}

/// A CSV file (RFC 4180) as rows of fields.
pub(crate) fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

/// An Excel cell as the page shows it: numbers with the page's decimals.
fn xlsx_text(cell: &Data, shown: &str) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(x) => {
            let places = shown.split_once('.').map_or(0, |(_, d)| d.len());
            format!("{x:.places$}")
        }
        Data::Int(n) => n.to_string(),
        Data::DateTime(d) => {
            let days = d.as_f64() as i64;
            // Excel's day 25569 is 1970-01-01.
            let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
            (epoch + chrono::Duration::days(days - 25569)).to_string()
        }
        other => panic!("unexpected cell {other:?}"),
    }
}

/// Downloads a table as CSV and as Excel and checks both hold exactly the page's table.
/// A download's caption names its scope and its data's time in Beijing time.
fn assert_caption(caption: &str) {
    let english = caption.contains("Scope: ") && caption.contains("(Beijing time)");
    let chinese = caption.contains("范围：") && caption.contains("（北京时间）");
    assert!(english || chinese, "{caption}");
    let at = qrfeedback::domain::day::local_day(chrono::Utc::now()).to_string();
    assert!(caption.contains(&at), "dated today in Beijing: {caption}");
}

pub(crate) async fn downloads_match_the_page(
    person: &Person,
    page: &str,
    id: &str,
) -> (Vec<String>, Vec<Vec<String>>) {
    let (headers, rows) = html_table(page, id);
    assert!(!rows.is_empty(), "table {id} has rows");
    let (csv_href, xlsx_href) = download_links(page, id);
    assert!(csv_href.contains(".csv"), "{csv_href}");

    let csv = person.fetch(&csv_href).await;
    assert_eq!(csv.status(), 200, "{csv_href}");
    assert_eq!(csv.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(
        csv.headers()[CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=")
    );
    let bytes = csv.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a BOM");
    let parsed = parse_csv(std::str::from_utf8(&bytes[3..]).unwrap());
    // A caption first: what the table is, its scope, and its data's time.
    assert_eq!(parsed[0].len(), 1, "one caption cell: {:?}", parsed[0]);
    assert_caption(&parsed[0][0]);
    assert_eq!(parsed[1], headers, "CSV header of {id}");
    assert_eq!(parsed[2..].to_vec(), rows, "CSV rows of {id}");

    let xlsx = person.fetch(&xlsx_href).await;
    assert_eq!(xlsx.status(), 200, "{xlsx_href}");
    assert!(
        xlsx.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let bytes = xlsx.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let sheet_rows: Vec<&[Data]> = sheet.rows().collect();
    assert_caption(&sheet_rows[0][0].to_string());
    let sheet_headers: Vec<String> = sheet_rows[1].iter().map(|c| c.to_string()).collect();
    assert_eq!(sheet_headers, headers, "Excel header of {id}");
    assert_eq!(sheet_rows.len(), rows.len() + 2, "Excel rows of {id}");
    for (sheet_row, row) in sheet_rows[2..].iter().zip(&rows) {
        let texts: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, shown)| xlsx_text(sheet_row.get(i).unwrap_or(&Data::Empty), shown))
            .collect();
        assert_eq!(&texts, row, "Excel row of {id}");
    }
    (headers, rows)
}

async fn regulator_token(app: &TestApp, region: &str) -> String {
    let (status, body) = call(
        app,
        Method::POST,
        "/api/v1/tokens",
        ADMIN_TOKEN,
        Some(json!({ "name": "console", "role": "regulator", "region_code": region })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

/// The ids of a venue's ratings, oldest first.
async fn rating_ids(app: &TestApp, venue_id: i64) -> Vec<i64> {
    sqlx::query_scalar("SELECT id FROM ratings WHERE venue_id = $1 ORDER BY created_at, id")
        .bind(venue_id)
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_county_regulator_sees_only_its_county() {
    let app = spawn_app().await;
    let v = four_venues(&app).await;
    app.create_person("korla", "regulator", Some("652801"), &[])
        .await;
    let korla = app.sign_in("korla").await;

    // The overview is Korla's, with Korla's venues only.
    let home = korla.get_page("/console?lang=en").await;
    assert_eq!(home.status, 200, "{home:?}");
    assert_eq!(home.select_text("h1.page-title"), "Overview: Korla City");
    assert!(home.says("孔雀河酒店") && home.says("梨城餐厅"));
    assert!(!home.body.contains("轮台宾馆") && !home.body.contains("昌吉酒店"));
    let (_, lowest) = html_table(&home.body, "lowest");
    assert_eq!(lowest.len(), 2);
    assert_eq!(lowest[0][1], "梨城餐厅", "lowest first");

    // Rankings: Korla by default, nothing above or beside it.
    let Page {
        status,
        body: ranking,
        ..
    } = korla.get_page("/console/rankings?lang=en").await;
    assert_eq!(status, 200);
    let (_, rows) = html_table(&ranking, "rankings");
    let names: Vec<&str> = rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(names, vec!["孔雀河酒店", "梨城餐厅"]);
    for region in ["652800", "652822", "650000", "220000"] {
        let page = korla
            .get_page(&format!("/console/rankings?region={region}&lang=en"))
            .await;
        assert_eq!(page.status, 403, "{region}");
        assert_eq!(page.select_text("h1"), "Not available to your account");
        let Page { status, .. } = korla
            .get_page(&format!("/console/regions.csv?region={region}"))
            .await;
        assert_eq!(status, 403, "regions download of {region}");
        let Page { status, .. } = korla.get_page(&format!("/console?region={region}")).await;
        assert_eq!(status, 403, "overview of {region}");
    }
    let Page { status, .. } = korla.get_page("/console/rankings?region=999999").await;
    assert_eq!(status, 404, "unknown region");
    let Page { status, .. } = korla.get_page("/console/rankings?region=12x").await;
    assert_eq!(status, 422, "malformed region");

    // Venues outside: 404 on the page and on every download.
    for id in [v.luntai_hotel, v.changji_hotel] {
        let Page {
            status, body: page, ..
        } = korla
            .get_page(&format!("/console/venues/{id}?lang=en"))
            .await;
        assert_eq!(status, 404, "{page}");
        for table in ["ratings", "violations", "tiers"] {
            for ext in ["csv", "xlsx"] {
                let Page { status, .. } = korla
                    .get_page(&format!("/console/venues/{id}/{table}.{ext}"))
                    .await;
                assert_eq!(status, 404, "{table}.{ext} of {id}");
            }
        }
    }
    let Page {
        status, body: page, ..
    } = korla
        .get_page(&format!("/console/venues/{}?lang=en", v.korla_hotel))
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("孔雀河酒店"));

    // Every download of the overview and the ranking stays in Korla.
    for path in [
        "/console/rankings.csv",
        "/console/lowest.csv",
        "/console/watchlist.csv",
        "/console/falling.csv",
        "/console/regions.csv",
    ] {
        let Page { status, body, .. } = korla.get_page(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            !body.contains("轮台宾馆") && !body.contains("昌吉酒店"),
            "{path}: {body}"
        );
    }
    let Page { body: csv, .. } = korla.get_page("/console/rankings.csv").await;
    assert!(csv.contains("孔雀河酒店") && csv.contains("梨城餐厅"));
    let Page { status, .. } = korla.get_page("/console/unknown.csv").await;
    assert_eq!(status, 404);
    let Page { status, .. } = korla.get_page("/console/rankings.pdf").await;
    assert_eq!(status, 404);

    // A rating of another county cannot be moderated from here.
    let page = korla
        .get_page(&format!("/console/venues/{}", v.korla_hotel))
        .await
        .body;
    let token = csrf_of(&page);
    let outside = rating_ids(&app, v.luntai_hotel).await[0];
    let response = korla
        .post_exact(
            &format!("/console/ratings/{outside}/quarantine"),
            &[("csrf_token", &token), ("reason", "looks fake")],
        )
        .await;
    assert_eq!(response.status(), 404);
    let response = korla
        .post_exact(
            &format!("/console/venues/{}/violations", v.luntai_hotel),
            &[
                ("csrf_token", &token),
                ("occurred_on", "2026-01-01"),
                ("serious", "yes"),
                ("description", "x"),
            ],
        )
        .await;
    assert_eq!(response.status(), 404);
    assert_eq!(app.count("violations").await, 0);

    // The JSON routes answer the same way for a county token.
    let county = regulator_token(&app, "652801").await;
    let (status, overview) = call(&app, Method::GET, "/api/v1/overview", &county, None).await;
    assert_eq!(status, 200, "{overview}");
    assert_eq!(overview["region"]["region_code"], "652801");
    assert_eq!(overview["venues"], 2);
    assert_eq!(overview["lowest"].as_array().unwrap().len(), 2);
    assert_eq!(overview["lowest"][0]["venue_id"], v.korla_restaurant);
    let (status, _) = call(
        &app,
        Method::GET,
        "/api/v1/overview?region=652800",
        &county,
        None,
    )
    .await;
    assert_eq!(status, 403);
    let path = format!("/api/v1/venues/{}/ratings", v.luntai_hotel);
    assert_eq!(call(&app, Method::GET, &path, &county, None).await.0, 404);
    let path = format!("/api/v1/venues/{}/violations", v.changji_hotel);
    assert_eq!(call(&app, Method::GET, &path, &county, None).await.0, 404);
}

#[tokio::test]
async fn drill_down_leads_region_to_child_region_to_venue() {
    let app = spawn_app().await;
    let v = four_venues(&app).await;
    app.create_person("bayingolin", "regulator", Some("652800"), &[])
        .await;
    let person = app.sign_in("bayingolin").await;

    // The overview draws how the three published venue scores spread.
    let regulator = regulator_token(&app, "652800").await;
    let (status, overview) = call(&app, Method::GET, "/api/v1/overview", &regulator, None).await;
    assert_eq!(status, 200);
    let bands: Vec<i64> = overview["score_distribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_i64().unwrap())
        .collect();
    assert_eq!(bands.iter().sum::<i64>(), 3, "{overview}");
    let home = person.get_page("/console?lang=en").await;
    let filled = bands.iter().filter(|n| **n > 0).count();
    assert_eq!(
        home.count("#score-distribution svg rect"),
        filled,
        "a bar per filled band"
    );
    let titles = home.texts("#score-distribution svg rect title");
    for (band, count) in bands.iter().enumerate().filter(|(_, n)| **n > 0) {
        let label = format!("{}–{}: {count}", band * 10, band * 10 + 10);
        assert!(titles.contains(&label), "{label} in {titles:?}");
    }

    let Page {
        status, body: page, ..
    } = person.get_page("/console/rankings?lang=en").await;
    assert_eq!(status, 200);
    let (headers, regions) = html_table(&page, "regions");
    assert_eq!(headers[1], "Region");
    let korla_row = regions.iter().find(|r| r[0] == "652801").unwrap();
    assert_eq!(korla_row[1], "Korla City");
    assert_eq!(korla_row[7], "2", "two published venues");
    let luntai_row = regions.iter().find(|r| r[0] == "652822").unwrap();
    assert_eq!(luntai_row[7], "1");
    let (_, venues) = html_table(&page, "rankings");
    assert_eq!(venues.len(), 3, "Bayingolin's three venues");

    // Region → child region.
    let link = link_in_table(&page, "regions", "Korla City");
    assert_eq!(link, "/console/rankings?region=652801&lang=en");
    let Page {
        status,
        body: korla,
        ..
    } = person.get_page(&link).await;
    assert_eq!(status, 200);
    let parsed = Page::parse(&korla);
    assert_eq!(parsed.select_text("h1.page-title"), "Rankings: Korla City");
    let up = parsed
        .select("nav.crumbs a")
        .into_iter()
        .find(|a| a.attr("href") == Some("/console/rankings?region=652800&lang=en"))
        .expect("a way back up");
    assert!(crate::common::page::text_of(up).starts_with("Bayingolin"));
    let (_, venues) = html_table(&korla, "rankings");
    let names: Vec<&str> = venues.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(names, vec!["孔雀河酒店", "梨城餐厅"]);

    // Child region → venue.
    let link = link_in_table(&korla, "rankings", "孔雀河酒店");
    assert_eq!(link, format!("/console/venues/{}?lang=en", v.korla_hotel));
    let Page {
        status,
        body: venue,
        ..
    } = person.get_page(&link).await;
    assert_eq!(status, 200);
    let parsed = Page::parse(&venue);
    assert_eq!(parsed.select_text("h1.page-title"), "孔雀河酒店");
    assert!(parsed.exists("svg.trend"));
    let score = app.score(v.korla_hotel).await;
    let shown = format!("{:.1}", score["score"].as_f64().unwrap());
    assert_eq!(parsed.select_text("#venue-score"), shown);
    // What the venue's own dashboard shows: today's live count, the tags
    // and the QR code with its downloads and posters.
    assert_eq!(parsed.select_text(".today"), "5", "five ratings today");
    assert!(
        parsed.exists("section[aria-labelledby=tags-h] h2#tags-h"),
        "the tag panel"
    );
    assert!(
        parsed
            .attr("img[src^='/api/v1/venues/']", "src")
            .is_some_and(|src| src.starts_with(&format!("/api/v1/venues/{}/qr.svg", v.korla_hotel))),
        "the QR code"
    );
    let poster = format!("/dashboard/venues/{}/poster", v.korla_hotel);
    assert!(
        parsed
            .attrs("a[href]", "href")
            .iter()
            .any(|href| href.starts_with(&poster)),
        "{poster}"
    );
    // The star distribution of 5, 5, 4, 5, 5: four 5★ (80 %), one 4★ (20 %).
    let bars: Vec<(String, String)> = parsed
        .attrs("#star-distribution .hbar .bar > span", "style")
        .into_iter()
        .zip(parsed.texts("#star-distribution .hbar .n"))
        .collect();
    assert!(
        bars.contains(&("width:80%".to_owned(), "4".to_owned())),
        "{bars:?}"
    );
    assert!(
        bars.contains(&("width:20%".to_owned(), "1".to_owned())),
        "{bars:?}"
    );
    let (_, ratings) = html_table(&venue, "ratings");
    assert_eq!(ratings.len(), 5);
    assert!(!venue.contains("device_hash"), "no device hash on the page");

    // Filters: category, tier and published only; the same in the download.
    let Page { body: hotels, .. } = person
        .get_page("/console/rankings?category=hotel&published=1&lang=en")
        .await;
    let (_, rows) = html_table(&hotels, "rankings");
    let names: Vec<&str> = rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(names, vec!["孔雀河酒店", "轮台宾馆"]);
    let (csv_href, _) = download_links(&hotels, "rankings");
    assert!(
        csv_href.contains("category=hotel") && csv_href.contains("published=1"),
        "{csv_href}"
    );
    let restaurant_tier = app.score(v.korla_restaurant).await["tier"]
        .as_str()
        .unwrap()
        .to_owned();
    let Page { body: tiered, .. } = person
        .get_page(&format!("/console/rankings?tier={restaurant_tier}&lang=en"))
        .await;
    let (_, rows) = html_table(&tiered, "rankings");
    assert!(rows.iter().all(|r| r[6] == restaurant_tier), "{rows:?}");
    assert!(rows.iter().any(|r| r[2] == "梨城餐厅"));
    let Page { status, .. } = person.get_page("/console/rankings?tier=E").await;
    assert_eq!(status, 422);

    // An admin starts from the whole country: the provinces.
    app.create_person("chief", "admin", None, &[]).await;
    let admin = app.sign_in("chief").await;
    let Page {
        status, body: home, ..
    } = admin.get_page("/console?lang=en").await;
    assert_eq!(status, 200);
    assert!(home.contains("Overview: Nationwide"));
    let (_, provinces) = html_table(&home, "regions");
    let codes: Vec<&str> = provinces.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(codes, vec!["220000", "650000"]);
    let xinjiang = provinces.iter().find(|r| r[0] == "650000").unwrap();
    assert_eq!(xinjiang[7], "4");
    let Page { body: all, .. } = admin.get_page("/console/rankings?lang=en").await;
    assert_eq!(html_table(&all, "rankings").1.len(), 4);
    let Page { status, .. } = admin
        .get_page(&format!("/console/venues/{}", v.changji_hotel))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn downloads_hold_exactly_the_tables_of_the_page() {
    let app = spawn_app().await;
    four_venues(&app).await;
    app.create_person("bayingolin", "regulator", Some("652800"), &[])
        .await;
    let person = app.sign_in("bayingolin").await;

    for lang in ["zh-CN", "en"] {
        let Page {
            status, body: page, ..
        } = person
            .get_page(&format!("/console/rankings?lang={lang}"))
            .await;
        assert_eq!(status, 200);
        let (headers, rows) = downloads_match_the_page(&person, &page, "rankings").await;
        assert_eq!(rows.len(), 3);
        if lang == "zh-CN" {
            assert_eq!(headers[2], "场所");
            assert_eq!(rows[0][3], "库尔勒市");
            assert_eq!(rows[0][4], "星级饭店");
        }
        downloads_match_the_page(&person, &page, "regions").await;
        let Page { body: home, .. } = person.get_page(&format!("/console?lang={lang}")).await;
        downloads_match_the_page(&person, &home, "lowest").await;
    }
    let Page { body: filtered, .. } = person
        .get_page("/console/rankings?category=hotel&lang=en")
        .await;
    let (_, rows) = downloads_match_the_page(&person, &filtered, "rankings").await;
    assert_eq!(rows.len(), 2);
    let Page { body: korla, .. } = person
        .get_page("/console/rankings?region=652801&lang=en")
        .await;
    downloads_match_the_page(&person, &korla, "rankings").await;
}

#[tokio::test]
async fn quarantine_through_the_form_needs_the_token_and_moves_the_score() {
    let app = spawn_app().await;
    let venue = rated_venue(&app, "孔雀河酒店", "652801", "hotel", &[5, 5, 5, 5, 5, 1]).await;
    let before = app.score(venue).await;
    let account = app
        .create_person("korla", "regulator", Some("652801"), &[])
        .await;
    let person = app.sign_in("korla").await;
    let Page {
        status, body: page, ..
    } = person
        .get_page(&format!("/console/venues/{venue}?lang=en"))
        .await;
    assert_eq!(status, 200);
    let token = csrf_of(&page);
    let one_star = *rating_ids(&app, venue).await.last().unwrap();
    let path = format!("/console/ratings/{one_star}/quarantine?lang=en");
    assert!(Page::parse(&page).exists(&format!(
        "input[type=checkbox][form=rating-selection][name=rating_id][value='{one_star}']"
    )));
    let quarantined = || async {
        sqlx::query_scalar::<_, bool>(
            "SELECT quarantined_at IS NOT NULL FROM ratings WHERE id = $1",
        )
        .bind(one_star)
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };

    // No token, a wrong token: refused, nothing changed.
    let response = person
        .post_exact(&path, &[("reason", "one address, ten ratings")])
        .await;
    assert_eq!(response.status(), 403);
    let response = person
        .post_exact(&path, &[("csrf_token", "forged"), ("reason", "x")])
        .await;
    assert_eq!(response.status(), 403);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("This form has expired")
    );
    // The first click asks to confirm, naming the rating, and changes nothing.
    let response = person
        .post_exact(
            &path,
            &[
                ("csrf_token", &token),
                ("reason", "one address, ten ratings"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let confirm = response.text().await.unwrap();
    assert!(confirm.contains("Quarantine this rating?"), "{confirm}");
    assert!(confirm.contains("The 1-star rating of"), "{confirm}");
    assert!(confirm.contains(r#"name="confirmed" value="yes""#));
    assert!(confirm.contains(r#"value="one address, ten ratings""#));
    assert!(confirm.contains(&format!("/console/venues/{venue}?lang=en#ratings-panel")));
    assert!(!quarantined().await);
    assert_eq!(app.count("rating_moderation").await, 0);

    // Confirmed without a reason: the confirmation again with the message (422), nothing changed.
    let response = person
        .post_form(
            &path,
            &[
                ("csrf_token", &token),
                ("reason", "  "),
                ("confirmed", "yes"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let refused = response.text().await.unwrap();
    assert!(refused.contains("Please give a reason."), "{refused}");
    assert!(refused.contains("Quarantine this rating?"), "{refused}");
    assert!(!quarantined().await);
    assert_eq!(app.count("rating_moderation").await, 0);

    // Confirmed with the token and a reason: back to the venue, quarantined, audited.
    let response = person
        .post_form(
            &path,
            &[
                ("csrf_token", &token),
                ("reason", "one address, ten ratings"),
                ("confirmed", "yes"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!("/console/venues/{venue}?notice=quarantined&lang=en#ratings-panel")
    );
    assert!(quarantined().await);
    let (actor, action): (String, String) =
        sqlx::query_as("SELECT actor, action FROM audit_log WHERE target = $1")
            .bind(format!("rating:{one_star}"))
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(actor, format!("account:{account}"));
    assert_eq!(action, "rating.quarantine");
    let after = app.score_when(venue, |s| s["ratings"] == 5).await;
    assert_eq!(after["ratings"], 5, "{after}");
    assert!(
        after["score"].as_f64().unwrap() > before["score"].as_f64().unwrap(),
        "{before} → {after}"
    );
    let Page { body: page, .. } = person.get_page(&location).await;
    assert!(
        Page::parse(&page)
            .select_text(".notice[role=status]")
            .starts_with("The rating was quarantined.")
    );
    let (_, rows) = html_table(&page, "ratings");
    let row = rows.iter().find(|r| r[0] == one_star.to_string()).unwrap();
    assert_eq!(row[9], "Quarantined");
    assert_eq!(row[10], "one address, ten ratings");
    assert!(Page::parse(&page).exists(&format!(
        "form.moderate[action='/console/ratings/{one_star}/release?lang=en']"
    )));

    // Twice is a friendly 422; release puts it back.
    let again = person
        .post_form(
            &path,
            &[
                ("csrf_token", &token),
                ("reason", "again"),
                ("confirmed", "yes"),
            ],
        )
        .await;
    assert_eq!(again.status(), 422);
    let release = format!("/console/ratings/{one_star}/release?lang=en");
    let response = person
        .post_exact(
            &release,
            &[
                ("csrf_token", &token),
                ("reason", "checked: a real visitor"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let back = app.score_when(venue, |s| s["ratings"] == 6).await;
    assert_eq!(back["score"], before["score"]);

    // The JSON list shows the state, and never a device hash.
    let token = regulator_token(&app, "652801").await;
    let (status, list) = call(
        &app,
        Method::GET,
        &format!("/api/v1/venues/{venue}/ratings?per_page=2"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["total"], 6);
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert_eq!(list["items"][0]["id"], one_star, "newest first");
    assert_eq!(list["items"][0]["quarantined"], false);
    assert!(list["items"][0].get("device_hash").is_none());
    let (status, _) = call(
        &app,
        Method::GET,
        &format!("/api/v1/venues/{venue}/ratings?page=0"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn a_serious_violation_through_the_form_or_json_puts_the_venue_in_tier_c() {
    let app = spawn_app().await;
    let by_form = rated_venue(&app, "孔雀河酒店", "652801", "hotel", &[5, 5, 4, 5, 5]).await;
    let by_json = rated_venue(&app, "梨城宾馆", "652801", "hotel", &[5, 4, 4, 5, 5]).await;
    assert_ne!(app.score(by_form).await["tier"], "C");
    app.create_person("korla", "regulator", Some("652801"), &[])
        .await;
    let person = app.sign_in("korla").await;
    let Page { body: page, .. } = person
        .get_page(&format!("/console/venues/{by_form}?lang=en"))
        .await;
    let token = csrf_of(&page);
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive();
    let tomorrow = (today + chrono::Duration::days(1)).to_string();
    let today = today.to_string();
    let path = format!("/console/venues/{by_form}/violations?lang=en");

    // Bad input: a friendly 422 and nothing stored.
    for (fields, expected) in [
        (
            vec![
                ("occurred_on", tomorrow.as_str()),
                ("serious", "yes"),
                ("description", "强制购物"),
            ],
            "The date lies in the future.",
        ),
        (
            vec![
                ("occurred_on", "2026-13-01"),
                ("serious", "yes"),
                ("description", "强制购物"),
            ],
            "Please enter the date as YYYY-MM-DD.",
        ),
        (
            vec![("occurred_on", today.as_str()), ("description", "强制购物")],
            "Please choose whether the violation is serious.",
        ),
        (
            vec![
                ("occurred_on", today.as_str()),
                ("serious", "yes"),
                ("description", " "),
            ],
            "Please describe what happened.",
        ),
    ] {
        let mut form = vec![("csrf_token", token.as_str())];
        form.extend(fields);
        let response = person.post_exact(&path, &form).await;
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        assert!(page.contains(expected), "{expected}");
        // The venue page again, its form holding what was typed.
        assert!(
            page.contains(r#"id="violation-error""#),
            "{expected}: {page}"
        );
        let typed = form
            .iter()
            .find(|(k, _)| *k == "description")
            .map(|(_, v)| v.trim())
            .unwrap_or_default();
        assert!(
            page.contains(&format!("{typed}</textarea>")),
            "{expected}: {page}"
        );
        if let Some((_, day)) = form.iter().find(|(k, _)| *k == "occurred_on") {
            assert!(page.contains(&format!(r#"value="{day}""#)), "{expected}");
        }
    }
    let without_token = person
        .post_exact(
            &path,
            &[
                ("occurred_on", &today),
                ("serious", "yes"),
                ("description", "强制购物"),
            ],
        )
        .await;
    assert_eq!(without_token.status(), 403);
    assert_eq!(app.count("violations").await, 0);

    // Through the form.
    let response = person
        .post_exact(
            &path,
            &[
                ("csrf_token", &token),
                ("occurred_on", &today),
                ("serious", "yes"),
                ("description", "强制购物"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!("/console/venues/{by_form}?notice=violation&lang=en#violations-panel")
    );
    let graded = app.score_when(by_form, |s| s["tier"] == "C").await;
    assert_eq!(graded["tier"], "C", "{graded}");
    assert!(
        graded["tier_reasons"].to_string().contains("violation"),
        "{graded}"
    );
    let (action, region): (String, String) = sqlx::query_as(
        "SELECT action, region_code::text FROM audit_log WHERE action = 'violation.record'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (action.as_str(), region.as_str()),
        ("violation.record", "652801")
    );
    let Page { body: page, .. } = person.get_page(&location).await;
    let parsed = Page::parse(&page);
    assert!(
        parsed
            .select_text(".notice[role=status]")
            .starts_with("The violation was recorded.")
    );
    assert_eq!(
        parsed.select_text("#venue-tier"),
        "C",
        "the page shows tier C"
    );
    let (_, violations) = html_table(&page, "violations");
    assert_eq!(violations.len(), 1);
    assert_eq!(
        &violations[0][1..4],
        [today.clone(), "Yes".into(), "强制购物".into()]
    );
    let (_, history) = html_table(&page, "tier-history");
    assert_eq!(history[0][1], "C", "newest change first");
    downloads_match_the_page(&person, &page, "violations").await;
    downloads_match_the_page(&person, &page, "tier-history").await;
    // The watch list of the overview now holds it.
    let Page { body: home, .. } = person.get_page("/console?lang=en").await;
    let (_, watch) = html_table(&home, "watchlist");
    assert!(watch.iter().any(|r| r[1] == "孔雀河酒店"), "{watch:?}");
    // A tier filter leaves the venue in tier C out of the ranking, yet the
    // one below it keeps its place in the whole ranking: second, not first.
    let other_tier = app.score(by_json).await["tier"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(other_tier, "C");
    let Page { body: filtered, .. } = person
        .get_page(&format!("/console/rankings?tier={other_tier}&lang=en"))
        .await;
    let (_, rows) = html_table(&filtered, "rankings");
    let names: Vec<&str> = rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(names, vec!["梨城宾馆"], "{rows:?}");
    assert_eq!(rows[0][0], "2", "its place among every venue of Korla");

    // Through JSON.
    let regulator = regulator_token(&app, "652801").await;
    let path = format!("/api/v1/venues/{by_json}/violations");
    for (body, status) in [
        (
            json!({ "occurred_on": tomorrow, "serious": true, "description": "x" }),
            422,
        ),
        (
            json!({ "occurred_on": "1999-12-31", "serious": true, "description": "x" }),
            422,
        ),
        (
            json!({ "occurred_on": "01/02/2026", "serious": true, "description": "x" }),
            422,
        ),
        (
            json!({ "occurred_on": today, "serious": true, "description": "" }),
            422,
        ),
        (
            json!({ "occurred_on": today, "serious": "yes", "description": "x" }),
            422,
        ),
        (json!({ "occurred_on": today, "serious": true }), 422),
    ] {
        let (got, answer) = call(&app, Method::POST, &path, &regulator, Some(body.clone())).await;
        assert_eq!(got, status, "{body} → {answer}");
    }
    let malformed = app
        .client
        .post(format!("{}{path}", app.address))
        .bearer_auth(&regulator)
        .header(CONTENT_TYPE, "application/json")
        .body("{\"occurred_on\":")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    assert_eq!(app.count("violations").await, 1);
    let elsewhere = regulator_token(&app, "652822").await;
    let body = json!({ "occurred_on": today, "serious": true, "description": "拒不退款" });
    let (status, _) = call(&app, Method::POST, &path, &elsewhere, Some(body.clone())).await;
    assert_eq!(status, 404, "outside the token's scope");
    let (status, created) = call(&app, Method::POST, &path, &regulator, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["venue_id"], by_json);
    assert_eq!(created["serious"], true);
    assert_eq!(created["occurred_on"], today);
    let graded = app.score_when(by_json, |s| s["tier"] == "C").await;
    assert_eq!(graded["tier"], "C", "{graded}");
    let (status, list) = call(&app, Method::GET, &path, &regulator, None).await;
    assert_eq!(status, 200);
    assert_eq!(list["items"][0]["description"], "拒不退款");
    let (status, overview) = call(&app, Method::GET, "/api/v1/overview", &regulator, None).await;
    assert_eq!(status, 200);
    assert!(
        overview["watch_venues"].as_i64().unwrap() >= 1,
        "{overview}"
    );
}

#[tokio::test]
async fn venue_staff_may_not_open_the_console() {
    let app = spawn_app().await;
    let venue = rated_venue(&app, "孔雀河酒店", "652801", "hotel", &[5, 4]).await;
    app.create_person("front-desk", "venue_staff", None, &[venue])
        .await;
    let staff = app.sign_in("front-desk").await;
    for path in [
        "/console?lang=en".to_owned(),
        "/console/rankings".to_owned(),
        "/console/rankings.csv".to_owned(),
        "/console/regions.xlsx".to_owned(),
        format!("/console/venues/{venue}"),
        format!("/console/venues/{venue}/ratings.csv"),
    ] {
        let Page {
            status, body: page, ..
        } = staff.get_page(&path).await;
        assert_eq!(status, 403, "{path}");
        assert!(!page.contains("孔雀河酒店"));
    }
    let page = staff.get_page("/console?lang=en").await;
    assert_eq!(page.status, 403);
    assert_eq!(page.select_text("h1"), "Not available to your account");
    let rating = rating_ids(&app, venue).await[0];
    let response = staff
        .post_exact(
            &format!("/console/ratings/{rating}/quarantine"),
            &[("csrf_token", "x"), ("reason", "x")],
        )
        .await;
    assert_eq!(response.status(), 403);
    // Without a session, the console sends people to sign in.
    let response = app.get("/console").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()[LOCATION], "/login");
}

#[tokio::test]
async fn the_fastest_falling_compare_the_last_four_weeks_with_the_four_before() {
    let app = spawn_app().await;
    let falling = app.create_venue("孔雀河酒店", "652801", "hotel").await["id"]
        .as_i64()
        .unwrap();
    let steady = app.create_venue("梨城宾馆", "652801", "hotel").await["id"]
        .as_i64()
        .unwrap();
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive();
    // Day aggregates of the two windows: 10 ratings of 5★ five weeks ago,
    // 10 of 2★ (or 5★ for the steady venue) two days ago.
    for (venue, recent_stars) in [(falling, 2), (steady, 5)] {
        for (days_ago, stars) in [(35, 5), (2, recent_stars)] {
            sqlx::query(
                "INSERT INTO venue_day_stats (venue_id, day, ratings_count, overall_sum, overall_hist,
                     environment_count, environment_sum, environment_hist, skill_count, skill_sum,
                     skill_hist, attitude_count, attitude_sum, attitude_hist, complaints_count)
                 VALUES ($1, $2, 10, $3, '{0,0,0,0,0}', 0, 0, '{0,0,0,0,0}', 0, 0, '{0,0,0,0,0}',
                         0, 0, '{0,0,0,0,0}', 0)",
            )
            .bind(venue)
            .bind(today - chrono::Duration::days(days_ago))
            .bind(10 * stars)
            .execute(&app.pool)
            .await
            .unwrap();
        }
    }
    let token = regulator_token(&app, "652801").await;
    let (status, overview) = call(&app, Method::GET, "/api/v1/overview", &token, None).await;
    assert_eq!(status, 200, "{overview}");
    let falls = overview["falling"].as_array().unwrap();
    assert_eq!(falls.len(), 1, "{overview}");
    assert_eq!(falls[0]["venue_id"], falling);
    assert_eq!(falls[0]["previous_score"], 100.0);
    assert_eq!(falls[0]["recent_score"], 25.0);
    assert_eq!(falls[0]["drop"], 75.0);
    assert_eq!(falls[0]["previous_ratings"], 10);
    assert_eq!(falls[0]["recent_ratings"], 10);

    app.create_person("korla", "regulator", Some("652801"), &[])
        .await;
    let person = app.sign_in("korla").await;
    // The table shows the tier: let the first grading land before the page
    // and its downloads are compared, so they read the same one.
    for venue in [falling, steady] {
        app.score_when(venue, |s| !s["tier"].is_null()).await;
    }
    let Page { body: home, .. } = person.get_page("/console?lang=en").await;
    let (_, rows) = downloads_match_the_page(&person, &home, "falling").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][5..8], ["100.0", "25.0", "75.0"]);
}

#[tokio::test]
async fn a_regulator_reads_no_ratings_or_violations_of_a_venue_outside_its_region() {
    use qrfeedback::domain::access::Scope;
    use qrfeedback::store::{ScopeFilter, console, reference, violations};

    let app = spawn_app().await;
    let venue = app.create_venue("昌吉宾馆", "652301", "hotel").await;
    let id = venue["id"].as_i64().unwrap();
    app.rate(&venue, "cj-1", 1).await;
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("/api/v1/venues/{id}/violations"),
        ADMIN_TOKEN,
        Some(json!({ "occurred_on": "2026-01-05", "serious": false, "description": "超范围经营" })),
    )
    .await;
    assert_eq!(status, 201);

    // Over HTTP, a Bayingolin regulator is told the venue does not exist.
    let bayingolin = regulator_token(&app, "652800").await;
    for table in ["ratings", "violations"] {
        let (status, _) = call(
            &app,
            Method::GET,
            &format!("/api/v1/venues/{id}/{table}"),
            &bayingolin,
            None,
        )
        .await;
        assert_eq!(status, 404, "{table}");
    }
    // And the reads themselves keep to the scope, whatever checked the venue before.
    let tree = reference::region_tree(&app.pool).await.unwrap();
    let outside = ScopeFilter::of(&Scope::Region("652800".into()), &tree);
    let inside = ScopeFilter::of(&Scope::Region("652300".into()), &tree);
    for (scope, expected) in [(&outside, 0), (&inside, 1)] {
        let rows = console::venue_ratings(&app.pool, id.into(), scope, &Default::default(), 50, 0)
            .await
            .unwrap();
        assert_eq!(rows.len(), expected);
        let total = console::venue_rating_total(&app.pool, id.into(), scope, &Default::default())
            .await
            .unwrap();
        assert_eq!(total, expected as i64);
        let listed = violations::list(&app.pool, id.into(), scope).await.unwrap();
        assert_eq!(listed.len(), expected);
    }
}

/// A NUL (which Postgres refuses) and a direction override (which makes a
/// record read otherwise than it is stored).
const UNPRINTABLE: [&str; 2] = ["\u{0}", "\u{202E}"];

/// Today in Asia/Shanghai, as `YYYY-MM-DD`.
fn local_today() -> String {
    chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive()
        .to_string()
}

/// Asserts a 422 problem+json of type `control-character`.
async fn assert_control_character_problem(response: reqwest::Response, what: &str) {
    assert_eq!(response.status(), 422, "{what}");
    assert_eq!(
        response.headers()[CONTENT_TYPE],
        "application/problem+json",
        "{what}"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/control-character", "{what}");
}

#[tokio::test]
async fn a_violation_description_with_a_nul_or_a_direction_override_is_refused_and_not_stored() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    let today = local_today();
    for bad in UNPRINTABLE {
        let description = format!("强制{bad}购物");
        let response = app
            .client
            .post(format!("{}/api/v1/venues/{id}/violations", app.address))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({ "occurred_on": today, "serious": true, "description": description }))
            .send()
            .await
            .unwrap();
        assert_control_character_problem(response, &format!("{description:?}")).await;
    }
    assert_eq!(app.count("violations").await, 0);

    app.create_person("korla", "regulator", Some("652801"), &[])
        .await;
    let person = app.sign_in("korla").await;
    let Page { body: page, .. } = person
        .get_page(&format!("/console/venues/{id}?lang=zh-CN"))
        .await;
    let token = csrf_of(&page);
    for bad in UNPRINTABLE {
        let description = format!("强制{bad}购物");
        let response = person
            .post_exact(
                &format!("/console/venues/{id}/violations?lang=zh-CN"),
                &[
                    ("csrf_token", &token),
                    ("occurred_on", &today),
                    ("serious", "yes"),
                    ("description", &description),
                ],
            )
            .await;
        assert_eq!(response.status(), 422, "{description:?}");
        let page = response.text().await.unwrap();
        assert!(page.contains("不可见的控制字符"), "{description:?}: {page}");
    }
    assert_eq!(app.count("violations").await, 0);
    let recorded: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'violation.record'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(recorded, 0);
}

#[tokio::test]
async fn a_moderation_reason_with_a_nul_or_a_direction_override_is_refused_and_not_stored() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let rating = app.rate(&venue, "unprintable-reason", 1).await;
    let rating_id = rating["id"].as_i64().unwrap();
    for bad in UNPRINTABLE {
        let reason = format!("刷{bad}单");
        for action in ["quarantine", "release"] {
            let response = app
                .client
                .post(format!(
                    "{}/api/v1/ratings/{rating_id}/{action}",
                    app.address
                ))
                .bearer_auth(ADMIN_TOKEN)
                .json(&json!({ "reason": reason }))
                .send()
                .await
                .unwrap();
            assert_control_character_problem(response, &format!("{action} {reason:?}")).await;
        }
    }
    let quarantined = || async {
        sqlx::query_scalar::<_, bool>(
            "SELECT quarantined_at IS NOT NULL FROM ratings WHERE id = $1",
        )
        .bind(rating_id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    assert!(!quarantined().await);
    assert_eq!(app.count("rating_moderation").await, 0);

    app.create_person("korla", "regulator", Some("652801"), &[])
        .await;
    let person = app.sign_in("korla").await;
    let venue_id = venue["id"].as_i64().unwrap();
    let Page { body: page, .. } = person
        .get_page(&format!("/console/venues/{venue_id}?lang=zh-CN"))
        .await;
    let token = csrf_of(&page);
    for bad in UNPRINTABLE {
        let reason = format!("刷{bad}单");
        let response = person
            .post_exact(
                &format!("/console/ratings/{rating_id}/quarantine?lang=zh-CN"),
                &[
                    ("csrf_token", &token),
                    ("reason", &reason),
                    ("confirmed", "yes"),
                ],
            )
            .await;
        assert_eq!(response.status(), 422, "{reason:?}");
        let page = response.text().await.unwrap();
        assert!(page.contains("不可见的控制字符"), "{reason:?}: {page}");
    }
    assert!(!quarantined().await);
    assert_eq!(app.count("rating_moderation").await, 0);
}

/// The ratings of a venue take `page` and `per_page` only: a bad value, a
/// repeated one or any other parameter (a misspelling would otherwise pass
/// for page 1) is a 422 problem, never a 500 nor a silently different page.
#[tokio::test]
async fn the_ratings_query_refuses_bad_repeated_and_unknown_parameters() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    app.rate(&venue, "paging-1", 4).await;
    for query in ["", "page=1", "page=2&per_page=100", "per_page=1", "page="] {
        let (status, body) = call(
            &app,
            Method::GET,
            &format!("/api/v1/venues/{id}/ratings?{query}"),
            ADMIN_TOKEN,
            None,
        )
        .await;
        assert_eq!(status, 200, "{query}: {body}");
    }
    for query in [
        "page=0",
        "page=abc",
        "page=100001",
        "per_page=101",
        "per_page=-1",
        "page=1.5",
        "page=%00",
        "page=1&page=2",
        "pge=2",
        "page[]=2",
        "limit=5",
    ] {
        let response = app
            .get_as(ADMIN_TOKEN, &format!("/api/v1/venues/{id}/ratings?{query}"))
            .await;
        assert_eq!(response.status(), 422, "{query}");
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            "application/problem+json",
            "{query}"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["type"], "/problems/invalid-query", "{query}");
    }
}

#[tokio::test]
async fn venues_directly_under_a_region_get_their_own_row_and_the_rows_add_up() {
    let app = spawn_app().await;
    four_venues(&app).await;
    // Registered directly under the prefecture (one published, one not) and
    // directly under the autonomous region.
    rated_venue(&app, "州直属宾馆", "652800", "hotel", &[5, 4, 5, 5, 4]).await;
    rated_venue(&app, "州直属商店", "652800", "shop", &[3, 4]).await;
    rated_venue(
        &app,
        "区直属服务大厅",
        "650000",
        "service_hall",
        &[4, 4, 5, 5, 5],
    )
    .await;
    region_settled(&app, "652800", 4).await;
    region_settled(&app, "650000", 6).await;
    app.create_person("xinjiang", "regulator", Some("650000"), &[])
        .await;
    let person = app.sign_in("xinjiang").await;

    for (code, lang, label) in [
        ("652800", "zh-CN", "州直属".to_owned()),
        ("650000", "zh-CN", "区直属".to_owned()),
        ("652800", "en", String::new()),
    ] {
        let (_, region) = call(
            &app,
            Method::GET,
            &format!("/api/v1/regions/{code}/score"),
            ADMIN_TOKEN,
            None,
        )
        .await;
        let label = if label.is_empty() {
            format!("Directly under {}", region["name_en"].as_str().unwrap())
        } else {
            label
        };
        // The JSON lists the child regions only, as before.
        let children = region["children"].as_array().unwrap();
        assert!(
            children.iter().all(|c| c["region_code"] != code),
            "{region}"
        );
        let child_venues: i64 = children.iter().map(|c| c["venues"].as_i64().unwrap()).sum();
        let total_venues = region["venues"].as_i64().unwrap();
        assert!(child_venues < total_venues, "{region}");

        for path in [
            format!("/console?region={code}&lang={lang}"),
            format!("/console/rankings?region={code}&lang={lang}"),
        ] {
            let Page {
                status, body: page, ..
            } = person.get_page(&path).await;
            assert_eq!(status, 200, "{path}");
            let (headers, rows) = html_table(&page, "regions");
            let column = |name: &str| {
                let wanted = match (lang, name) {
                    ("en", "venues") => "Venues",
                    ("en", _) => "Ratings",
                    (_, "venues") => "场所数",
                    _ => "评价数",
                };
                headers
                    .iter()
                    .position(|h| h == wanted)
                    .unwrap_or_else(|| panic!("{path}: no column {wanted} in {headers:?}"))
            };
            let sum = |i: usize| -> i64 { rows.iter().map(|r| r[i].parse::<i64>().unwrap()).sum() };
            assert_eq!(sum(column("venues")), total_venues, "{path}: {rows:?}");
            assert_eq!(
                sum(column("ratings")),
                region["ratings"].as_i64().unwrap(),
                "{path}: {rows:?}"
            );
            let direct = rows.last().unwrap();
            assert_eq!(direct[0], code, "{path}");
            assert_eq!(direct[1], label, "{path}");
            assert_eq!(
                direct[column("venues")].parse::<i64>().unwrap(),
                total_venues - child_venues,
                "{path}"
            );
        }
    }
    // The prefecture's own row: two venues, one published, so a score.
    let Page { body: page, .. } = person.get_page("/console/rankings?region=652800").await;
    let (_, rows) = html_table(&page, "regions");
    let direct = rows.last().unwrap();
    assert_eq!(direct[6], "2", "{direct:?}");
    assert_eq!(direct[7], "1", "{direct:?}");
    assert_eq!(direct[5], "7", "{direct:?}");
    assert!(
        direct[2].parse::<f64>().is_ok(),
        "seven ratings publish a score: {direct:?}"
    );
    // The download holds the row too.
    let (_, downloaded) = downloads_match_the_page(&person, &page, "regions").await;
    assert_eq!(downloaded.last().unwrap()[1], "州直属");
    // A county has no child regions, so no table and no such row.
    let Page {
        status,
        body: county,
        ..
    } = person.get_page("/console/rankings?region=652801").await;
    assert_eq!(status, 200);
    assert!(!county.contains("直属"));
}

#[tokio::test]
async fn a_venues_ratings_filter_by_stars_state_and_day_and_keep_the_filter_across_pages() {
    let app = spawn_app().await;
    let venue = rated_venue(&app, "孔雀河酒店", "652801", "hotel", &[5, 5, 4, 1, 1]).await;
    app.create_person("korla", "regulator", Some("652801"), &[])
        .await;
    let person = app.sign_in("korla").await;
    let one_star = *rating_ids(&app, venue).await.last().unwrap();
    let Page { status, .. } = person
        .post_page(
            &format!("/console/ratings/{one_star}/quarantine?lang=en"),
            &[("reason", "one address"), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(status, 303);
    // Column 0 is the rating id, 3 the overall stars.
    let listed = |page: &str| {
        if !Page::parse(page).exists("table#ratings-table") {
            return Vec::new();
        }
        let (_, rows) = html_table(page, "ratings");
        rows.into_iter()
            .map(|row| (row[0].parse::<i64>().unwrap(), row[3].clone()))
            .collect::<Vec<_>>()
    };

    let page = person
        .get_page(&format!("/console/venues/{venue}?lang=en"))
        .await;
    assert_eq!(listed(&page.body).len(), 5, "no filter: every rating");
    assert!(!page.exists("#rating-filter a"), "nothing to clear");

    let page = person
        .get_page(&format!("/console/venues/{venue}?stars=1&lang=en"))
        .await;
    let ones = listed(&page.body);
    assert_eq!(ones.len(), 2, "{ones:?}");
    assert!(ones.iter().all(|(_, stars)| stars == "1"), "{ones:?}");
    assert_eq!(
        page.attr(
            "#rating-filter select[name=stars] option[selected]",
            "value"
        )
        .as_deref(),
        Some("1"),
        "the form shows the filter"
    );
    assert!(page.exists("#rating-filter a"), "a filter can be cleared");
    // The table's download holds what the filter shows, not every rating.
    let (csv_href, xlsx_href) = download_links(&page.body, "ratings");
    assert!(
        csv_href.contains("stars=1") && xlsx_href.contains("stars=1"),
        "{csv_href} {xlsx_href}"
    );
    let csv = person.fetch(&csv_href).await;
    assert_eq!(csv.status(), 200, "{csv_href}");
    let bytes = csv.bytes().await.unwrap();
    let parsed = parse_csv(std::str::from_utf8(&bytes[3..]).unwrap());
    let downloaded: Vec<(i64, String)> = parsed[2..]
        .iter()
        .map(|row| (row[0].parse().unwrap(), row[3].clone()))
        .collect();
    assert_eq!(downloaded, ones, "the download is the filtered table");

    let page = person
        .get_page(&format!(
            "/console/venues/{venue}?stars=1&state=counted&lang=en"
        ))
        .await;
    let counted = listed(&page.body);
    assert_eq!(counted.len(), 1, "{counted:?}");
    assert_ne!(counted[0].0, one_star, "the quarantined one is left out");
    let page = person
        .get_page(&format!(
            "/console/venues/{venue}?state=quarantined&lang=en"
        ))
        .await;
    assert_eq!(listed(&page.body), [(one_star, "1".to_owned())]);

    let today = app.clock.today();
    let page = person
        .get_page(&format!("/console/venues/{venue}?day={today}&lang=en"))
        .await;
    assert_eq!(listed(&page.body).len(), 5);
    let page = person
        .get_page(&format!(
            "/console/venues/{venue}?day={}&lang=en",
            today - chrono::Duration::days(1)
        ))
        .await;
    assert!(listed(&page.body).is_empty());

    // Pages keep the filter.
    let page = person
        .get_page(&format!(
            "/console/venues/{venue}?stars=5&per_page=1&lang=en"
        ))
        .await;
    assert_eq!(listed(&page.body).len(), 1);
    let next = page
        .attr("#ratings-panel a[rel=next]", "href")
        .expect("a next page");
    assert!(
        next.contains("stars=5") && next.contains("page=2"),
        "{next}"
    );

    // A filter that is not one is refused in words, not ignored.
    for bad in ["stars=6", "day=2026-13-01", "tag=nonsense", "state=maybe"] {
        let page = person
            .get_page(&format!("/console/venues/{venue}?{bad}&lang=en"))
            .await;
        assert_eq!(page.status, 422, "{bad}");
    }
}

#[tokio::test]
async fn ratings_ticked_in_the_table_are_quarantined_together_with_one_reason_after_a_confirmation()
{
    let app = spawn_app().await;
    let venue = rated_venue(&app, "孔雀河酒店", "652801", "hotel", &[5, 5, 4, 1, 1]).await;
    let other = rated_venue(&app, "铁门关酒店", "652801", "hotel", &[3]).await;
    app.create_person("korla", "regulator", Some("652801"), &[])
        .await;
    let person = app.sign_in("korla").await;
    let ids = rating_ids(&app, venue).await;
    let (first, second) = (ids[ids.len() - 1], ids[ids.len() - 2]);
    let quarantined = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM ratings WHERE venue_id = $1 AND quarantined_at IS NOT NULL",
        )
        .bind(venue)
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    let page = person
        .get_page(&format!("/console/venues/{venue}?lang=en"))
        .await;
    assert!(page.exists("form#rating-selection input[name=reason]"));
    assert_eq!(
        page.count("input[type=checkbox][form=rating-selection]"),
        5,
        "every counted rating can be ticked"
    );
    let path = format!("/console/venues/{venue}/ratings/quarantine?lang=en");
    let (first_id, second_id) = (first.to_string(), second.to_string());
    let ticked = [
        ("rating_id", first_id.as_str()),
        ("rating_id", second_id.as_str()),
        ("reason", "one address, two ratings"),
    ];

    // The first post asks to confirm, naming how many and which; nothing changes.
    let page = person.post_page(&path, &ticked).await;
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(page.select_text("h1"), "Quarantine 2 ratings?");
    assert!(page.says(&format!("#{first}")) && page.says(&format!("#{second}")));
    assert_eq!(quarantined().await, 0);

    // Confirmed: both are quarantined, each with its own audit row.
    let mut confirmed = ticked.to_vec();
    confirmed.push(("confirmed", "yes"));
    let page = person.post_page(&path, &confirmed).await;
    assert_eq!(page.status, 303, "{page:?}");
    assert_eq!(
        page.location,
        format!("/console/venues/{venue}?notice=selection-quarantined&lang=en#ratings-panel")
    );
    assert_eq!(quarantined().await, 2);
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'rating.quarantine' AND venue_id = $1",
    )
    .bind(venue)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, 2);
    let shown = person.get_page(&page.location).await;
    assert!(
        shown.says("The selected ratings were quarantined"),
        "{shown:?}"
    );

    // Nothing ticked, or a rating of another venue: refused, nothing changed.
    let page = person
        .post_page(&path, &[("reason", "x"), ("confirmed", "yes")])
        .await;
    assert_eq!(page.status, 422);
    let elsewhere = rating_ids(&app, other).await[0].to_string();
    let page = person
        .post_page(
            &path,
            &[
                ("rating_id", elsewhere.as_str()),
                ("reason", "x"),
                ("confirmed", "yes"),
            ],
        )
        .await;
    assert_eq!(page.status, 404);
    let untouched: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT quarantined_at FROM ratings WHERE venue_id = $1")
            .bind(other)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(untouched.is_none());
    // Without the form token: refused.
    let response = person.post_exact(&path, &confirmed).await;
    assert_eq!(response.status(), 403);
}
