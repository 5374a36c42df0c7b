//! The console's audit-log page: the caller's scope only, newest first,
//! older pages by cursor, an action filter, and downloads of the same table.

use serde_json::Value;

use reqwest::Method;

use crate::common::{ADMIN_TOKEN, Page, Person, TestApp, call, spawn_app};
use crate::console::{download_links, downloads_match_the_page, html_table, parse_csv};

/// The target column of an audit table.
const TARGET: usize = 4;

/// The `rel="next"` (older entries) link of a page, if it has one.
fn older_link(page: &str) -> Option<String> {
    Page::parse(page).attr("nav.pager a[rel=next]", "href")
}

/// `GET /api/v1/audit{query}` with a bearer token, as JSON.
async fn audit_json(app: &TestApp, query: &str, token: &str) -> Value {
    let path = format!("/api/v1/audit{query}");
    let (status, log) = call(app, Method::GET, &path, token, None).await;
    assert_eq!(status, 200, "{log}");
    log
}

/// The audit table of a page the person opens.
async fn audit_rows(person: &Person, path: &str) -> (String, Vec<Vec<String>>) {
    let Page {
        status, body: page, ..
    } = person.get_page(path).await;
    assert_eq!(status, 200, "{path}: {page}");
    let (_, rows) = html_table(&page, "audit");
    (page, rows)
}

/// Beijing time of an entry, to the minute, as Postgres computes it.
async fn beijing_minute(app: &TestApp, action: &str, target: &str) -> String {
    sqlx::query_scalar(
        "SELECT to_char(at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')
         FROM audit_log WHERE action = $1 AND target = $2",
    )
    .bind(action)
    .bind(target)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_county_regulator_reads_its_own_countys_audit_log_only() {
    let app = spawn_app().await;
    let korla = app.create_venue("孔雀河酒店", "652801", "hotel").await;
    let luntai = app.create_venue("轮台宾馆", "652822", "hotel").await;
    let korla_target = format!("venue:{}", korla["id"]);
    let luntai_target = format!("venue:{}", luntai["id"]);
    app.create_person("korla-reg", "regulator", Some("652801"), &[])
        .await;
    let regulator = app.sign_in("korla-reg").await;
    // Made before the page is read: its creation is an entry of the county's log.
    let token = app
        .api_token(serde_json::json!({ "name": "k", "role": "regulator", "region_code": "652801" }))
        .await;

    let (page, rows) = audit_rows(&regulator, "/console/audit?lang=en").await;
    assert!(
        Page::parse(&page).exists("header a[href='/console/audit']"),
        "linked in the header"
    );
    let targets: Vec<&str> = rows.iter().map(|r| r[TARGET].as_str()).collect();
    assert!(targets.contains(&korla_target.as_str()), "{targets:?}");
    assert!(
        !targets.contains(&luntai_target.as_str()),
        "another county's entry is not shown: {targets:?}"
    );
    assert!(!page.contains("轮台"), "nor named");
    // Newest first, with Beijing time, who, what and the change.
    let ids: Vec<i64> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    let created = rows.iter().find(|r| r[TARGET] == korla_target).unwrap();
    assert_eq!(
        created[1],
        beijing_minute(&app, "venue.create", &korla_target).await
    );
    assert_eq!(created[2], "admin-token");
    assert_eq!(created[3], "venue.create");
    assert_eq!(created[5], "Korla City");
    assert!(created[7].contains("孔雀河酒店"), "{created:?}");
    let enrolled = rows.iter().find(|r| r[3] == "totp.enrol").unwrap();
    assert!(enrolled[2].starts_with("account:"), "{enrolled:?}");
    assert_eq!(enrolled[6], "127.0.0.1", "from where");
    assert!(enrolled[7].contains("totp: enrolled"), "{enrolled:?}");
    assert!(
        rows.iter()
            .any(|r| r[3] == "token.create" && r[TARGET] == "token:1"),
        "{rows:?}"
    );
    // The same cut as the JSON route, which reads through the same query.
    let log = audit_json(&app, "", &token).await;
    let api_ids: Vec<i64> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .filter(|id| *id <= ids[0])
        .collect();
    assert_eq!(api_ids, ids, "the page holds the JSON route's entries");

    // The downloads hold exactly the page's table, and keep to the scope too.
    downloads_match_the_page(&regulator, &page, "audit").await;
    let Page {
        status, body: csv, ..
    } = regulator.get_page("/console/audit.csv").await;
    assert_eq!(status, 200);
    assert!(!csv.contains(&luntai_target));
    // The caption names the county the file is limited to.
    let caption = csv.trim_start_matches('\u{feff}').lines().next().unwrap();
    assert!(caption.contains("(652801)"), "{caption}");

    // Only one family of actions, when asked.
    let (_, rows) = audit_rows(&regulator, "/console/audit?action=venue&lang=en").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][TARGET], korla_target);
    let Page { status, .. } = regulator
        .get_page("/console/audit?action=DROP%20TABLE")
        .await;
    assert_eq!(status, 422);
    let Page { status, .. } = regulator.get_page("/console/audit?per_page=0").await;
    assert_eq!(status, 422);

    // An admin sees both counties.
    app.create_person("root", "admin", None, &[]).await;
    let admin = app.sign_in("root").await;
    let (_, rows) = audit_rows(&admin, "/console/audit?action=venue").await;
    let targets: Vec<&str> = rows.iter().map(|r| r[TARGET].as_str()).collect();
    assert_eq!(targets, [luntai_target.as_str(), korla_target.as_str()]);

    // Venue staff have no audit page.
    app.create_person(
        "desk",
        "venue_staff",
        None,
        &[korla["id"].as_i64().unwrap()],
    )
    .await;
    let staff = app.sign_in("desk").await;
    for path in [
        "/console/audit",
        "/console/audit.csv",
        "/console/audit.xlsx",
    ] {
        let Page {
            status, body: page, ..
        } = staff.get_page(path).await;
        assert_eq!(status, 403, "{path}");
        assert!(!page.contains("venue.create"));
    }
    // One venue: the dashboard sends its staff straight to it.
    let dashboard = staff.get_page("/dashboard").await;
    assert_eq!(dashboard.status, 303);
    let dashboard = staff.get_page(&dashboard.location).await;
    assert_eq!(dashboard.status, 200);
    assert!(
        dashboard.exists("header nav.account-nav a"),
        "{dashboard:?}"
    );
    assert!(!dashboard.exists("a[href='/console/audit']"));
}

#[tokio::test]
async fn older_pages_follow_the_cursor_and_downloads_hold_every_page() {
    let app = spawn_app().await;
    for i in 0..5 {
        app.create_venue(&format!("宾馆{i}"), "652801", "hotel")
            .await;
    }
    app.create_person("root", "admin", None, &[]).await;
    let admin = app.sign_in("root").await;
    let expected: Vec<String> = sqlx::query_scalar(
        "SELECT target FROM audit_log WHERE action = 'venue.create' ORDER BY id DESC",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(expected.len(), 5);

    let first_path = "/console/audit?action=venue&per_page=2&lang=en";
    let (first_page, _) = audit_rows(&admin, first_path).await;
    assert!(
        !Page::parse(&first_page).exists("nav.pager a:not([rel])"),
        "the first page is the newest"
    );
    let mut seen = Vec::new();
    let mut path = first_path.to_owned();
    let mut pages = 0;
    loop {
        let (page, rows) = audit_rows(&admin, &path).await;
        pages += 1;
        assert!(rows.len() <= 2, "{rows:?}");
        seen.extend(rows.into_iter().map(|r| r[TARGET].clone()));
        if pages > 1 {
            assert_eq!(
                Page::parse(&page).select_text("nav.pager a:not([rel])"),
                "← Newest",
                "{page}"
            );
        }
        match older_link(&page) {
            Some(next) => {
                assert!(
                    next.contains("action=venue") && next.contains("per_page=2"),
                    "{next}"
                );
                path = next;
            }
            None => break,
        }
        assert!(pages < 10, "the cursor moves on");
    }
    assert_eq!(seen, expected, "every entry once, newest first");

    // A download is the whole log with the page's filter, in the page's order.
    let (csv_href, xlsx_href) = download_links(&first_page, "audit");
    assert!(csv_href.contains("action=venue"), "{csv_href}");
    assert!(xlsx_href.contains("/console/audit.xlsx"), "{xlsx_href}");
    let Page {
        status, body: csv, ..
    } = admin.get_page(&csv_href).await;
    assert_eq!(status, 200);
    let parsed = parse_csv(csv.trim_start_matches('\u{feff}'));
    let (headers, _) = html_table(&first_page, "audit");
    // Under the caption: the scope, and the time the data is from.
    assert!(parsed[0][0].starts_with("Audit log · Scope: Nationwide · Data as of "));
    assert_eq!(parsed[1], headers);
    let targets: Vec<String> = parsed[2..].iter().map(|r| r[TARGET].clone()).collect();
    assert_eq!(targets, expected);

    // The bearer token's JSON route pages the same way.
    let page = audit_json(&app, "?action=venue.create&limit=2", ADMIN_TOKEN).await;
    let targets: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, expected[..2]);
    assert!(page["next_before"].is_i64());
}
