//! Period reports (regulators' requirements, clause 八): every figure of a
//! region's row and its child rows through the JSON route, the console page
//! and its Excel and CSV downloads holding the same numbers, scope per role,
//! and periods that cannot be reported on. The application clock walks a
//! timeline of ratings, complaint steps, inspections and tier changes; the
//! report covers its days 32 to 61 against days 2 to 31.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{Duration, NaiveDate};
use qrfeedback::domain::day::{day_end, day_start};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{ADMIN_TOKEN, ANONYMOUS, Page, TestApp, call, spawn_app};
use crate::console::{download_links, html_table, parse_csv};

/// The test's first day: every other day is counted from it.
struct Timeline {
    start: NaiveDate,
}

impl Timeline {
    fn new(app: &TestApp) -> Self {
        Self {
            start: app.clock.today(),
        }
    }

    /// Day `n` of the timeline.
    fn day(&self, n: i64) -> NaiveDate {
        self.start + Duration::days(n)
    }

    /// Moves the application clock forward to day `n`.
    fn go_to(&self, app: &TestApp, n: i64) {
        let ahead = (self.day(n) - app.clock.today()).num_days();
        assert!(ahead >= 0, "the clock only moves forward (day {n})");
        app.clock.advance(Duration::days(ahead));
        assert_eq!(app.clock.today(), self.day(n));
    }
}

/// A case entered from a telephone call today; its id.
async fn enter_case(app: &TestApp, venue: &Value) -> i64 {
    let (status, body) = call(
        app,
        Method::POST,
        "/api/v1/complaints",
        ADMIN_TOKEN,
        Some(json!({
            "venue_id": venue["id"],
            "source": "phone",
            "description": "导游强制购物",
            "service_on": app.clock.today().to_string(),
        })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}

/// Moves a case along `steps` today, as the admin.
async fn steps(app: &TestApp, id: i64, steps: &[&str]) {
    for to in steps {
        let (status, body) = call(
            app,
            Method::POST,
            &format!("/api/v1/complaints/{id}/transitions"),
            ADMIN_TOKEN,
            Some(json!({"to": to, "reason": "不属于受理范围", "note": "已核实"})),
        )
        .await;
        assert_eq!(status, 200, "{to}: {body}");
    }
}

async fn inspect(app: &TestApp, venue: &Value, on: NaiveDate, passed: bool) {
    let (status, body) = call(
        app,
        Method::POST,
        &format!("/api/v1/venues/{}/inspections", venue["id"]),
        ADMIN_TOKEN,
        Some(json!({"inspected_on": on.to_string(), "passed": passed})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

/// A tier change at local noon of `on`. Written directly: the score
/// refresher stamps its changes with the database's time, which the
/// application clock does not move.
async fn tier_change(app: &TestApp, venue: &Value, from: Option<&str>, to: &str, on: NaiveDate) {
    sqlx::query(
        "INSERT INTO tier_history (venue_id, tier, previous_tier, reasons, inputs, rule_set_version, changed_at)
         VALUES ($1, $2, $3, '[]', '{}', 'test', $4)",
    )
    .bind(venue["id"].as_i64().unwrap())
    .bind(to)
    .bind(from)
    .bind(day_start(on) + Duration::hours(12))
    .execute(&app.pool)
    .await
    .unwrap();
}

async fn token(app: &TestApp, role: &str, scope: Value) -> String {
    let mut body = json!({"name": format!("{role} token"), "role": role});
    for (key, value) in scope.as_object().unwrap() {
        body[key] = value.clone();
    }
    app.api_token(body).await
}

/// The venues of the timeline: two in Korla (652801) and one in Luntai
/// (652822), both counties of Bayingolin (652800); one registered directly
/// under Bayingolin; one in Changji (652301), outside it.
struct Venues {
    korla_hotel: Value,
    korla_restaurant: Value,
    luntai: Value,
    direct: Value,
    changji: Value,
}

/// Walks the timeline up to day 70 and returns the venues.
async fn timeline(app: &TestApp, t: &Timeline) -> Venues {
    let v = Venues {
        korla_hotel: app.create_venue("孔雀河酒店", "652801", "hotel").await,
        korla_restaurant: app.create_venue("梨城餐厅", "652801", "restaurant").await,
        luntai: app
            .create_venue("轮台胡杨林", "652822", "scenic_area")
            .await,
        direct: app
            .create_venue("巴州游客中心", "652800", "service_hall")
            .await,
        changji: app.create_venue("昌吉酒店", "652301", "hotel").await,
    };

    // The previous period: Korla's hotel 5★ and 3★, Luntai 2★; a complaint.
    t.go_to(app, 10);
    app.rate(&v.korla_hotel, "k1-a", 5).await;
    app.rate(&v.korla_hotel, "k1-b", 3).await;
    app.rate(&v.luntai, "l-a", 2).await;
    t.go_to(app, 20);
    enter_case(app, &v.korla_hotel).await;

    // The period.
    t.go_to(app, 33);
    // On time: every step the day it may be taken.
    let on_time = enter_case(app, &v.korla_hotel).await;
    steps(app, on_time, &["accepted"]).await;
    // Accepted three weeks late (the deadline is five working days).
    let accepted_late = enter_case(app, &v.korla_hotel).await;
    t.go_to(app, 34);
    steps(app, on_time, &["venue_replied", "mediating"]).await;
    // Never handled: overdue at the end of the period.
    enter_case(app, &v.luntai).await;
    t.go_to(app, 35);
    steps(app, on_time, &["resolved"]).await;
    t.go_to(app, 36);
    // Accepted at once, the venue's answer (due in 10 days) only after the period.
    let answered_after = enter_case(app, &v.korla_hotel).await;
    steps(app, answered_after, &["accepted"]).await;
    t.go_to(app, 40);
    for (venue, device, stars) in [
        (&v.korla_hotel, "k1-c", 5),
        (&v.korla_hotel, "k1-d", 5),
        (&v.korla_restaurant, "k2-a", 1),
        (&v.luntai, "l-b", 4),
        (&v.luntai, "l-c", 4),
        (&v.direct, "d-a", 3),
        (&v.changji, "c-a", 5),
    ] {
        app.rate(venue, device, stars).await;
    }
    // The venue answers two days late.
    let replied_late = enter_case(app, &v.korla_restaurant).await;
    steps(app, replied_late, &["accepted"]).await;
    enter_case(app, &v.changji).await;
    t.go_to(app, 41);
    let rejected = enter_case(app, &v.luntai).await;
    steps(app, rejected, &["rejected"]).await;
    t.go_to(app, 45);
    app.rate(&v.luntai, "l-d", 3).await;
    t.go_to(app, 52);
    steps(app, replied_late, &["venue_replied", "mediating"]).await;
    t.go_to(app, 53);
    steps(app, replied_late, &["resolved"]).await;
    t.go_to(app, 55);
    steps(app, accepted_late, &["accepted"]).await;
    t.go_to(app, 56);
    steps(app, accepted_late, &["mediating", "resolved"]).await;
    t.go_to(app, 58);
    // Accepted at once and answered in time, after the period: open, not yet due.
    let in_progress = enter_case(app, &v.korla_hotel).await;
    steps(app, in_progress, &["accepted"]).await;
    t.go_to(app, 60);
    // Received two days before the end: not yet due.
    enter_case(app, &v.luntai).await;

    // After the period.
    t.go_to(app, 63);
    steps(app, in_progress, &["venue_replied"]).await;
    t.go_to(app, 65);
    steps(app, answered_after, &["venue_replied"]).await;
    t.go_to(app, 70);
    for (venue, day, passed) in [
        (&v.korla_hotel, 40, true),
        (&v.korla_restaurant, 41, false),
        (&v.luntai, 42, false),
        (&v.luntai, 20, false),
        (&v.direct, 50, true),
        (&v.changji, 45, false),
    ] {
        inspect(app, venue, t.day(day), passed).await;
    }
    for (venue, from, to, day) in [
        (&v.korla_hotel, Some("B"), "A", 40),
        (&v.korla_restaurant, Some("B"), "C", 41),
        (&v.korla_restaurant, Some("C"), "D", 50),
        (&v.luntai, Some("A"), "C", 20),
        (&v.luntai, Some("C"), "B", 42),
        (&v.luntai, Some("B"), "C", 50),
        (&v.direct, None, "B", 35),
        (&v.direct, Some("B"), "A", 45),
        (&v.changji, Some("B"), "A", 40),
    ] {
        tier_change(app, venue, from, to, t.day(day)).await;
    }
    v
}

/// The figures a row must hold, key by key.
fn assert_row(row: &Value, expected: &Value) {
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&row[key], value, "{key} of {row}");
    }
}

fn row<'a>(report: &'a Value, kind: &str, code: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == kind && r["region_code"] == code)
        .unwrap_or_else(|| panic!("no {kind} row {code} in {report}"))
}

/// The figure columns of a row, in the table's order.
fn figure_columns(row: &Value) -> Vec<Value> {
    [
        "venues_rated",
        "ratings",
        "mean_score_0_100",
        "previous_mean_score_0_100",
        "score_movement",
        "complaints_received",
        "complaints_on_time",
        "complaints_overdue",
        "complaints_open",
        "inspections",
        "inspections_failed",
        "tier_moves_up",
        "tier_moves_down",
    ]
    .into_iter()
    .map(|key| row[key].clone())
    .collect()
}

/// A table cell as a number (or null when empty), as the JSON holds it.
fn number_of(text: &str) -> Value {
    if text.is_empty() {
        return Value::Null;
    }
    if text.contains('.') {
        json!(text.parse::<f64>().unwrap())
    } else {
        json!(text.parse::<i64>().unwrap())
    }
}

#[tokio::test]
async fn a_prefecture_report_counts_every_figure_for_itself_and_each_county() {
    let app = spawn_app().await;
    let t = Timeline::new(&app);
    timeline(&app, &t).await;
    let (from, to) = (t.day(32), t.day(61));
    let address = format!("/api/v1/regions/652800/report?from={from}&to={to}");
    let regulator = token(&app, "regulator", json!({"region_code": "652800"})).await;
    let (status, report) = call(&app, Method::GET, &address, &regulator, None).await;
    assert_eq!(status, 200, "{report}");

    assert_eq!(report["region"]["region_code"], "652800");
    assert_eq!(report["from"], from.to_string());
    assert_eq!(report["to"], to.to_string());
    assert_eq!(report["previous_from"], t.day(2).to_string());
    assert_eq!(report["previous_to"], t.day(31).to_string());
    let as_of: chrono::DateTime<chrono::Utc> = report["as_of"].as_str().unwrap().parse().unwrap();
    assert_eq!(as_of, day_end(to), "judged at the end of the period");

    // One total row, a row per county of Bayingolin in code order, and the
    // venue registered directly under the prefecture last.
    let counties: Vec<String> = sqlx::query_scalar(
        "SELECT code::text FROM regions WHERE parent_code = '652800' ORDER BY code",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let rows = report["rows"].as_array().unwrap();
    let kinds: Vec<&str> = rows.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    let mut expected_kinds = vec!["total"];
    expected_kinds.extend(counties.iter().map(|_| "child"));
    expected_kinds.push("direct");
    assert_eq!(kinds, expected_kinds);
    let codes: Vec<&str> = rows[1..=counties.len()]
        .iter()
        .map(|r| r["region_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, counties);

    // Korla: the hotel 5★ 5★ and the restaurant 1★ against the hotel's 5★ 3★;
    // cases on time (1), accepted late, answered late and past due at the
    // end (3), not yet due (1); one passed and one failed inspection; the
    // hotel up B → A, the restaurant down B → C → D.
    assert_row(
        row(&report, "child", "652801"),
        &json!({
            "region_name": "库尔勒市", "region_name_en": "Korla City",
            "venues_rated": 2, "ratings": 3, "mean_score_0_100": 66.7,
            "previous_ratings": 2, "previous_mean_score_0_100": 75.0, "score_movement": -8.3,
            "complaints_received": 5, "complaints_on_time": 1, "complaints_overdue": 3,
            "complaints_open": 1, "inspections": 2, "inspections_failed": 1,
            "tier_moves_up": 1, "tier_moves_down": 1,
        }),
    );
    // Luntai: 4★ 4★ 3★ against 2★; rejected at once (on time), never
    // handled (overdue), received two days before the end (open); a failed
    // inspection (another, before the period, is not counted); C → B → C is
    // no move.
    assert_row(
        row(&report, "child", "652822"),
        &json!({
            "venues_rated": 1, "ratings": 3, "mean_score_0_100": 66.7,
            "previous_ratings": 1, "previous_mean_score_0_100": 25.0, "score_movement": 41.7,
            "complaints_received": 3, "complaints_on_time": 1, "complaints_overdue": 1,
            "complaints_open": 1, "inspections": 1, "inspections_failed": 1,
            "tier_moves_up": 0, "tier_moves_down": 0,
        }),
    );
    // Directly under Bayingolin: one 3★ rating, nothing before it; graded B
    // for the first time, then A.
    assert_row(
        row(&report, "direct", "652800"),
        &json!({
            "region_name": "巴音郭楞蒙古自治州",
            "venues_rated": 1, "ratings": 1, "mean_score_0_100": 50.0,
            "previous_ratings": 0, "previous_mean_score_0_100": null, "score_movement": null,
            "complaints_received": 0, "complaints_on_time": 0, "complaints_overdue": 0,
            "complaints_open": 0, "inspections": 1, "inspections_failed": 0,
            "tier_moves_up": 1, "tier_moves_down": 0,
        }),
    );
    // The whole prefecture; nothing of Changji's venue.
    assert_row(
        row(&report, "total", "652800"),
        &json!({
            "venues_rated": 4, "ratings": 7, "mean_score_0_100": 64.3,
            "previous_ratings": 3, "previous_mean_score_0_100": 58.3, "score_movement": 6.0,
            "complaints_received": 8, "complaints_on_time": 2, "complaints_overdue": 4,
            "complaints_open": 2, "inspections": 4, "inspections_failed": 2,
            "tier_moves_up": 2, "tier_moves_down": 1,
        }),
    );
    // The other counties have nothing to report.
    for county in counties
        .iter()
        .filter(|c| !["652801", "652822"].contains(&c.as_str()))
    {
        let quiet = row(&report, "child", county);
        assert_eq!(quiet["ratings"], 0, "{quiet}");
        assert_eq!(quiet["complaints_received"], 0, "{quiet}");
        assert_eq!(quiet["mean_score_0_100"], Value::Null, "{quiet}");
    }

    // Drilling down: Korla's own report holds Korla's row as its total.
    let (status, korla) = call(
        &app,
        Method::GET,
        &format!("/api/v1/regions/652801/report?from={from}&to={to}"),
        &regulator,
        None,
    )
    .await;
    assert_eq!(status, 200, "{korla}");
    let korla_rows = korla["rows"].as_array().unwrap();
    assert_eq!(korla_rows.len(), 1, "a county has no child rows: {korla}");
    assert_eq!(
        figure_columns(&korla_rows[0]),
        figure_columns(row(&report, "child", "652801"))
    );

    // The previous period's own report sees its complaint, the failed
    // inspection and Luntai's move down A → C, and none of the later period.
    let (status, before) = call(
        &app,
        Method::GET,
        &format!(
            "/api/v1/regions/652800/report?from={}&to={}",
            t.day(2),
            t.day(31)
        ),
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(status, 200, "{before}");
    assert_row(
        &before["rows"][0],
        &json!({
            "venues_rated": 2, "ratings": 3, "mean_score_0_100": 58.3,
            "complaints_received": 1, "complaints_on_time": 0, "complaints_overdue": 1,
            "complaints_open": 0, "inspections": 1, "inspections_failed": 1,
            "tier_moves_up": 0, "tier_moves_down": 1,
        }),
    );

    // The console page shows the same rows, each child linking to its own
    // report for the same period, and a footnote for every figure column.
    app.create_person("bayingolin", "regulator", Some("652800"), &[])
        .await;
    let person = app.sign_in("bayingolin").await;
    let page = person
        .get_page(&format!(
            "/console/reports?region=652800&from={from}&to={to}&lang=en"
        ))
        .await;
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(
        page.select_text("h1.page-title"),
        "Period report: Bayingolin Mongol Autonomous Prefecture"
    );
    assert!(
        page.select_text("#clause").contains("clause 八"),
        "{page:?}"
    );
    assert!(page.exists("header nav a[href='/console/reports']"));
    let (headers, page_rows) = html_table(&page.body, "report");
    assert_eq!(headers.len(), 15);
    assert_eq!(page_rows.len(), rows.len());
    assert_eq!(
        page_rows[0][1],
        "Bayingolin Mongol Autonomous Prefecture, total"
    );
    for (shown, json_row) in page_rows.iter().zip(rows) {
        let numbers: Vec<Value> = shown[2..].iter().map(|c| number_of(c)).collect();
        assert_eq!(numbers, figure_columns(json_row), "{shown:?}");
    }
    let korla_link = page
        .select("table#report-table a[href]")
        .into_iter()
        .find(|a| a.text().collect::<String>() == "Korla City")
        .and_then(|a| a.attr("href"))
        .expect("Korla's row links to its report")
        .to_owned();
    assert_eq!(
        korla_link,
        format!("/console/reports?region=652801&from={from}&to={to}&lang=en")
    );
    assert_eq!(page.count("dl.notes dt"), 13);
    assert!(
        page.select_text("#report-notes")
            .contains(&t.day(2).to_string())
    );
    let korla_page = person.get_page(&korla_link).await;
    assert_eq!(korla_page.status, 200);
    assert_eq!(html_table(&korla_page.body, "report").1.len(), 1);

    // The workbook: one sheet, header rows naming the region, the period
    // and when it was made, then the page's table with the same numbers.
    let (csv_href, xlsx_href) = download_links(&page.body, "report");
    assert!(
        xlsx_href.starts_with("/console/reports/report.xlsx?"),
        "{xlsx_href}"
    );
    let xlsx = person.download(&xlsx_href).await;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.content_type.contains("spreadsheetml"));
    assert_eq!(
        xlsx.disposition,
        format!("attachment; filename=\"report-652800-{from}-{to}.xlsx\"")
    );
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(xlsx.bytes)).unwrap();
    assert_eq!(book.sheet_names().len(), 1);
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let sheet_rows: Vec<&[Data]> = sheet.rows().collect();
    let line = |i: usize| sheet_rows[i][0].to_string();
    assert_eq!(
        line(0),
        "Period report: Bayingolin Mongol Autonomous Prefecture"
    );
    assert_eq!(
        line(1),
        "Region: Bayingolin Mongol Autonomous Prefecture (652800)"
    );
    assert_eq!(
        line(2),
        format!(
            "Period: {from} to {to} (30 days); previous period: {} to {}",
            t.day(2),
            t.day(31)
        )
    );
    assert!(line(3).starts_with("Generated "), "{}", line(3));
    let sheet_headers: Vec<String> = sheet_rows[4].iter().map(|c| c.to_string()).collect();
    assert_eq!(sheet_headers, headers);
    assert_eq!(sheet_rows.len(), 5 + rows.len());
    for (cells, json_row) in sheet_rows[5..].iter().zip(rows) {
        let numbers: Vec<Value> = cells[2..]
            .iter()
            .zip(figure_columns(json_row))
            .map(|(cell, expected)| match cell {
                Data::Empty => Value::Null,
                // Whole numbers are written as numbers; the JSON's are integers.
                Data::Float(x) if expected.is_i64() => json!(*x as i64),
                Data::Float(x) => json!(x),
                other => panic!("unexpected cell {other:?}"),
            })
            .collect();
        assert_eq!(numbers, figure_columns(json_row));
    }
    assert_eq!(sheet_rows[5][0].to_string(), "652800");

    // The CSV holds the same lines and table as text.
    let csv = person.download(&csv_href).await;
    assert_eq!(csv.status, 200);
    let csv_rows = parse_csv(csv.text().trim_start_matches('\u{feff}'));
    assert_eq!(csv_rows[1][0], line(1));
    assert_eq!(csv_rows[4], headers);
    assert_eq!(csv_rows[5..5 + page_rows.len()].to_vec(), page_rows);

    // Each download is in the audit log.
    let downloads: Vec<String> = sqlx::query_scalar(
        "SELECT target FROM audit_log WHERE action = 'export.download' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(downloads, ["export:report.xlsx", "export:report.csv"]);
}

#[tokio::test]
async fn only_supervisors_of_the_region_or_above_get_its_report() {
    let app = spawn_app().await;
    let venue = app.create_venue("孔雀河酒店", "652801", "hotel").await;
    let address = "/api/v1/regions/652800/report";

    let (status, _) = call(&app, Method::GET, address, ANONYMOUS, None).await;
    assert_eq!(status, 401, "anonymous");
    let staff = token(&app, "venue_staff", json!({"venue_ids": [venue["id"]]})).await;
    let (status, body) = call(&app, Method::GET, address, &staff, None).await;
    assert_eq!(status, 403, "venue staff: {body}");
    let changji = token(&app, "regulator", json!({"region_code": "652300"})).await;
    let (status, body) = call(&app, Method::GET, address, &changji, None).await;
    assert_eq!(
        status, 403,
        "a regulator of the neighbouring prefecture: {body}"
    );
    assert_eq!(body["type"], "/problems/forbidden");
    let korla = token(&app, "regulator", json!({"region_code": "652801"})).await;
    let (status, _) = call(&app, Method::GET, address, &korla, None).await;
    assert_eq!(status, 403, "a county regulator asking for its prefecture");
    let (status, own) = call(
        &app,
        Method::GET,
        "/api/v1/regions/652801/report",
        &korla,
        None,
    )
    .await;
    assert_eq!(status, 200, "its own county: {own}");
    let xinjiang = token(&app, "regulator", json!({"region_code": "650000"})).await;
    for token in [xinjiang.as_str(), ADMIN_TOKEN] {
        let (status, body) = call(&app, Method::GET, address, token, None).await;
        assert_eq!(
            status, 200,
            "a regulator of the province, and an admin: {body}"
        );
    }
    let (status, body) = call(
        &app,
        Method::GET,
        "/api/v1/regions/999999/report",
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = call(
        &app,
        Method::GET,
        "/api/v1/regions/65x/report",
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["type"], "/problems/invalid-region-code");

    // The page and its downloads: sign-in first, then the same rules.
    for path in [
        "/console/reports?region=652800",
        "/console/reports/report.xlsx?region=652800",
    ] {
        let page = Page::read(
            crate::common::bare_client()
                .get(format!("{}{path}", app.address))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (page.status, page.location.as_str()),
            (303, "/login"),
            "{path}"
        );
    }
    app.venue_staff("desk", &[&venue]).await;
    let desk = app.sign_in("desk").await;
    app.create_person("changji", "regulator", Some("652300"), &[])
        .await;
    let neighbour = app.sign_in("changji").await;
    for path in [
        "/console/reports?region=652800&lang=en",
        "/console/reports/report.xlsx?region=652800",
        "/console/reports/report.csv?region=652800",
    ] {
        for (who, person) in [("venue staff", &desk), ("Changji's regulator", &neighbour)] {
            let page = person.get_page(path).await;
            assert_eq!(page.status, 403, "{who}: {path}");
            assert!(!page.body.contains("孔雀河酒店"), "{who}: {path}");
        }
    }
    // Changji's regulator gets Changji's report by default, this year to today.
    let page = neighbour.get_page("/console/reports?lang=en").await;
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(
        page.select_text("h1.page-title"),
        "Period report: Changji Hui Autonomous Prefecture"
    );
    let today = app.clock.today();
    let january = NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 1, 1).unwrap();
    assert_eq!(page.form_value("input#from"), january.to_string());
    assert_eq!(page.form_value("input#to"), today.to_string());
    let (_, rows) = html_table(&page.body, "report");
    assert_eq!(rows[0][0], "652300");
    let Page { status, .. } = neighbour.get_page("/console/reports/report.pdf").await;
    assert_eq!(status, 404, "an unknown format");

    // An admin's default is the whole country, a row per province.
    app.create_person("root", "admin", None, &[]).await;
    let admin = app.sign_in("root").await;
    let page = admin.get_page("/console/reports?lang=en").await;
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(
        page.select_text("h1.page-title"),
        "Period report: Nationwide"
    );
    let provinces: i64 =
        sqlx::query_scalar("SELECT count(*) FROM regions WHERE parent_code IS NULL")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let (_, rows) = html_table(&page.body, "report");
    assert_eq!(rows.len() as i64, 1 + provinces);
    assert_eq!(rows[0][..4], ["", "Nationwide, total", "0", "0"]);
}

#[tokio::test]
async fn periods_that_cannot_be_reported_on_are_refused_with_the_reason() {
    let app = spawn_app().await;
    let today = app.clock.today();
    let tomorrow = today + Duration::days(1);
    for (query, problem) in [
        (
            format!("from={today}&to={}", today - Duration::days(1)),
            "period-reversed",
        ),
        (
            "from=2020-01-01&to=2023-01-01".to_owned(),
            "period-too-long",
        ),
        ("from=2026-02-30".to_owned(), "invalid-date"),
        ("from=2026/01/01".to_owned(), "invalid-date"),
        (format!("to={tomorrow}"), "date-in-future"),
        ("from=1999-12-31&to=2000-01-31".to_owned(), "date-too-old"),
        ("from=2026-01-01&region=652800".to_owned(), "invalid-query"),
        (
            "from=2026-01-01&from=2026-02-01".to_owned(),
            "invalid-query",
        ),
    ] {
        let (status, body) = call(
            &app,
            Method::GET,
            &format!("/api/v1/regions/652800/report?{query}"),
            ADMIN_TOKEN,
            None,
        )
        .await;
        assert_eq!(status, 422, "{query}: {body}");
        assert_eq!(body["type"], format!("/problems/{problem}"), "{query}");
    }
    // Three years exactly is the longest period; today alone the shortest.
    for query in [
        format!("from={}&to={today}", today - Duration::days(365 * 3 - 5)),
        format!("from={today}&to={today}"),
    ] {
        let (status, body) = call(
            &app,
            Method::GET,
            &format!("/api/v1/regions/652800/report?{query}"),
            ADMIN_TOKEN,
            None,
        )
        .await;
        assert_eq!(status, 200, "{query}: {body}");
    }

    // The page shows the form again with the reason, in the page language.
    app.create_person("bayingolin", "regulator", Some("652800"), &[])
        .await;
    let person = app.sign_in("bayingolin").await;
    let page = person
        .get_page(&format!(
            "/console/reports?from={today}&to={}&lang=en",
            today - Duration::days(1)
        ))
        .await;
    assert_eq!(page.status, 422, "{page:?}");
    assert_eq!(
        page.select_text("p.notice.error"),
        "The first day of the period lies after its last day."
    );
    assert_eq!(page.form_value("input#from"), today.to_string());
    assert!(!page.exists("table#report-table"));
    let page = person
        .get_page("/console/reports?from=2026-13-01&lang=zh-CN")
        .await;
    assert_eq!(page.status, 422);
    assert_eq!(
        page.select_text("p.notice.error"),
        "请按 YYYY-MM-DD 格式填写日期。"
    );
    let download = person
        .download("/console/reports/report.xlsx?from=2020-01-01&to=2024-01-01")
        .await;
    assert_eq!(download.status, 422);
    assert!(download.content_type.starts_with("text/html"));
}
