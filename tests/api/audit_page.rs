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
    // Targets in words: a venue by its name.
    let targets: Vec<&str> = rows.iter().map(|r| r[TARGET].as_str()).collect();
    assert!(targets.contains(&"孔雀河酒店"), "{targets:?}");
    assert!(
        !targets.contains(&"轮台宾馆"),
        "another county's entry is not shown: {targets:?}"
    );
    assert!(!page.contains("轮台"), "nor named");
    assert!(!page.contains(&korla_target) && !page.contains(&luntai_target));
    // Newest first, with Beijing time, who, what and the change.
    let ids: Vec<i64> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    let created = rows.iter().find(|r| r[TARGET] == "孔雀河酒店").unwrap();
    assert_eq!(
        created[1],
        beijing_minute(&app, "venue.create", &korla_target).await
    );
    assert_eq!(created[2], "Administrator token (initial setup)");
    assert_eq!(created[3], "Register venue");
    assert_eq!(created[5], "Korla City");
    assert!(created[7].contains("孔雀河酒店"), "{created:?}");
    let enrolled = rows.iter().find(|r| r[3] == "Enrol authenticator").unwrap();
    assert_eq!(enrolled[2], "korla-reg (korla-reg)", "{enrolled:?}");
    assert_eq!(enrolled[TARGET], "korla-reg (korla-reg)", "{enrolled:?}");
    assert_eq!(enrolled[6], "127.0.0.1", "from where");
    assert!(enrolled[7].contains("totp: enrolled"), "{enrolled:?}");
    assert!(
        rows.iter()
            .any(|r| r[3] == "Create API token" && r[TARGET] == "API token «k»"),
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

    // The downloads hold exactly the page's table, and keep to the scope
    // too. (Of the venue entries: each download is itself a new entry.)
    let (venue_page, _) = audit_rows(&regulator, "/console/audit?action=venue&lang=en").await;
    downloads_match_the_page(&regulator, &venue_page, "audit").await;
    let Page {
        status, body: csv, ..
    } = regulator.get_page("/console/audit.csv").await;
    assert_eq!(status, 200);
    assert!(!csv.contains("轮台") && !csv.contains(&luntai_target));
    // The caption names the county the file is limited to.
    let caption = csv.trim_start_matches('\u{feff}').lines().next().unwrap();
    assert!(caption.contains("(652801)"), "{caption}");

    // Only one family of actions, when asked.
    let (_, rows) = audit_rows(&regulator, "/console/audit?action=venue&lang=en").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][TARGET], "孔雀河酒店");
    let Page {
        status, body: _, ..
    } = regulator
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
    assert_eq!(targets, ["轮台宾馆", "孔雀河酒店"]);

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
        assert!(!page.contains("Register venue") && !page.contains("登记场所"));
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
    let stored: Vec<(String, String)> = sqlx::query_as(
        "SELECT a.target, v.name FROM audit_log a JOIN venues v ON a.target = 'venue:' || v.id
         WHERE a.action = 'venue.create' ORDER BY a.id DESC",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(stored.len(), 5);
    // The pages name the venues; the JSON route has the stored targets.
    let expected: Vec<String> = stored.iter().map(|(_, name)| name.clone()).collect();
    let stored_targets: Vec<&str> = stored.iter().map(|(t, _)| t.as_str()).collect();

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
    assert_eq!(targets, stored_targets[..2]);
    assert!(page["next_before"].is_i64());
}

/// The rows of the audit table no cell of which shows a stored code.
fn assert_in_words(rows: &[Vec<String>]) {
    for row in rows {
        for cell in &row[2..5] {
            assert!(
                !cell.contains("account:") && !cell.contains("venue:") && !cell.contains('.'),
                "a stored code on the page: {row:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_chinese_audit_page_names_people_and_actions_in_chinese() {
    let app = spawn_app().await;
    let venue = app.create_venue("孔雀河酒店", "652801", "hotel").await;
    let venue_id = venue["id"].as_i64().unwrap();
    let account = app
        .activated_account(serde_json::json!({
            "login": "korla-reg", "display_name": "库尔勒监管员",
            "role": "regulator", "region_code": "652801",
        }))
        .await;
    let account_id = account["id"].as_i64().unwrap();
    let regulator = app.sign_in("korla-reg").await;
    let Page { body: page, .. } = regulator
        .get_page(&format!("/console/venues/{venue_id}?lang=zh-CN"))
        .await;
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive()
        .to_string();
    let response = regulator
        .post_form(
            &format!("/console/venues/{venue_id}/violations?lang=zh-CN"),
            &[
                ("csrf_token", &crate::common::csrf_of(&page)),
                ("occurred_on", &today),
                ("serious", "no"),
                ("description", "价格未公示"),
            ],
        )
        .await;
    assert!(response.status().as_u16() < 400, "{}", response.status());

    let (page, rows) = audit_rows(&regulator, "/console/audit?lang=zh-CN").await;
    let recorded = rows
        .iter()
        .find(|r| r[3] == "登记违规记录")
        .unwrap_or_else(|| panic!("the violation in words: {rows:?}"));
    assert_eq!(recorded[2], "库尔勒监管员（korla-reg）");
    assert!(recorded[TARGET].ends_with("· 孔雀河酒店"), "{recorded:?}");
    assert!(recorded[TARGET].starts_with("违规记录 #"), "{recorded:?}");
    let created = rows.iter().find(|r| r[3] == "登记场所").unwrap();
    assert_eq!(created[2], "系统管理员令牌（初始配置）");
    assert_eq!(created[TARGET], "孔雀河酒店");
    assert!(
        rows.iter()
            .any(|r| r[3] == "登录" && r[2] == "库尔勒监管员（korla-reg）")
    );
    assert_in_words(&rows);
    assert!(!page.contains(&format!("account:{account_id}")), "{page}");
    // The stored key is only the filter's value, never text people read.
    let visible: String = page
        .split('<')
        .filter_map(|tag| tag.split_once('>').map(|(_, text)| text))
        .collect();
    assert!(!visible.contains("violation.record"), "{visible}");
    // The filter offers every action by name.
    assert!(
        page.contains(r#"<option value="violation.record">登记违规记录</option>"#),
        "{page}"
    );
    assert!(page.contains(r#"<option value="auth.sign_in_failed">登录失败</option>"#));

    // Filtered by one action, and the CSV carries the same words.
    let (_, rows) = audit_rows(
        &regulator,
        "/console/audit?action=violation.record&lang=zh-CN",
    )
    .await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let Page {
        status, body: csv, ..
    } = regulator
        .get_page("/console/audit.csv?action=violation.record&lang=zh-CN")
        .await;
    assert_eq!(status, 200);
    assert!(
        csv.contains("库尔勒监管员（korla-reg）") && csv.contains("登记违规记录"),
        "{csv}"
    );
    assert!(
        !csv.contains("violation.record,") && !csv.contains("account:"),
        "{csv}"
    );

    // The JSON route keeps the stored codes.
    let token = app
        .api_token(serde_json::json!({ "name": "k", "role": "regulator", "region_code": "652801" }))
        .await;
    let log = audit_json(&app, "?action=violation.record", &token).await;
    assert_eq!(log["items"][0]["actor"], format!("account:{account_id}"));
    assert_eq!(log["items"][0]["action"], "violation.record");
}

/// The audit rows of an action family an admin's JSON route lists, oldest first.
async fn stored(app: &TestApp, action: &str) -> Vec<Value> {
    let log = audit_json(app, &format!("?action={action}&limit=200"), ADMIN_TOKEN).await;
    let mut items = log["items"].as_array().unwrap().clone();
    items.reverse();
    items
}

#[tokio::test]
async fn sign_ins_failed_sign_ins_and_downloads_are_audited_for_admins() {
    let app = spawn_app().await;
    let root_id = app.create_person("root", "admin", None, &[]).await;
    // A wrong password for a known login, and a try at an unknown one.
    let response = app.sign_in_answer("root", "not the password 1").await;
    assert_eq!(response.status(), 401);
    let response = app
        .sign_in_answer("ghost\u{202E}-user", "not the password 2")
        .await;
    assert_eq!(response.status(), 401);
    let admin = app.sign_in("root").await;
    let Page {
        status, body: csv, ..
    } = admin.get_page("/console/rankings.csv?lang=en").await;
    assert_eq!(status, 200, "{csv}");

    let failed = stored(&app, "auth.sign_in_failed").await;
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert_eq!(failed[0]["actor"], "anonymous");
    assert_eq!(failed[0]["target"], format!("account:{root_id}"));
    assert_eq!(failed[0]["after"]["login"], "root");
    assert_eq!(
        failed[1]["target"], "login:ghost-user",
        "cleaned of the override"
    );
    assert!(failed[1]["region_code"].is_null());
    let signed_in = stored(&app, "auth.sign_in").await;
    assert_eq!(signed_in.len(), 1, "{signed_in:?}");
    assert_eq!(signed_in[0]["actor"], format!("account:{root_id}"));
    let downloads = stored(&app, "export.download").await;
    assert_eq!(downloads.len(), 1, "{downloads:?}");
    assert_eq!(downloads[0]["target"], "export:rankings.csv");
    assert_eq!(downloads[0]["after"]["format"], "csv");
    assert_eq!(downloads[0]["after"]["table"], "rankings");
    // No password is kept, whatever was typed.
    let kept: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE after::text LIKE '%not the password%'
            OR before::text LIKE '%not the password%' OR target LIKE '%not the password%'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(kept, 0);

    // The admin's page tells them in words.
    let (_, rows) = audit_rows(&admin, "/console/audit?action=auth&lang=en").await;
    let words: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r[2].as_str(), r[3].as_str(), r[TARGET].as_str()))
        .collect();
    assert!(
        words.contains(&("root (root)", "Sign in", "root (root)")),
        "{words:?}"
    );
    assert!(
        words.contains(&("Anonymous visitor", "Failed sign-in", "root (root)")),
        "{words:?}"
    );
    assert!(
        words.contains(&(
            "Anonymous visitor",
            "Failed sign-in",
            "Login «ghost-user» (no such account)"
        )),
        "{words:?}"
    );
    let (_, rows) = audit_rows(&admin, "/console/audit?action=export&lang=en").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (
            rows[0][2].as_str(),
            rows[0][3].as_str(),
            rows[0][TARGET].as_str()
        ),
        ("root (root)", "Download table", "Rankings (CSV)")
    );
}

#[tokio::test]
async fn a_county_regulator_does_not_see_sign_ins_from_outside_its_county() {
    let app = spawn_app().await;
    let luntai = app.create_venue("轮台宾馆", "652822", "hotel").await;
    let korla = app.create_venue("孔雀河酒店", "652801", "hotel").await;
    app.create_person("korla-reg", "regulator", Some("652801"), &[])
        .await;
    app.create_person("luntai-reg", "regulator", Some("652822"), &[])
        .await;
    app.create_person(
        "luntai-desk",
        "venue_staff",
        None,
        &[luntai["id"].as_i64().unwrap()],
    )
    .await;
    app.create_person(
        "korla-desk",
        "venue_staff",
        None,
        &[korla["id"].as_i64().unwrap()],
    )
    .await;
    app.create_person("root", "admin", None, &[]).await;
    for login in ["luntai-reg", "luntai-desk", "korla-desk", "root"] {
        app.sign_in(login).await;
    }
    assert_eq!(
        app.sign_in_answer("luntai-desk", "wrong").await.status(),
        401
    );
    assert_eq!(app.sign_in_answer("nobody", "wrong").await.status(), 401);
    assert_eq!(
        app.sign_in_answer("korla-desk", "wrong").await.status(),
        401
    );
    let regulator = app.sign_in("korla-reg").await;

    let (_, rows) = audit_rows(&regulator, "/console/audit?action=auth&lang=en").await;
    let mut seen: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r[3].clone(), r[TARGET].clone()))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            (
                "Failed sign-in".to_owned(),
                "korla-desk (korla-desk)".to_owned()
            ),
            ("Sign in".to_owned(), "korla-desk (korla-desk)".to_owned()),
            ("Sign in".to_owned(), "korla-reg (korla-reg)".to_owned()),
        ],
        "only the county's own accounts"
    );
    // The JSON route cuts the same way; an admin sees every one.
    let all = stored(&app, "auth").await;
    assert_eq!(all.len(), 8, "{all:?}");
}
