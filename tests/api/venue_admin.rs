//! Keeping the venue register: editing, closing and reopening a venue, and
//! importing venues from a spreadsheet, each scoped by role and audited.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{ADMIN_TOKEN, ANONYMOUS, TestApp, call, spawn_app};
use crate::rating_page::{form_token, open_page, post_form};

/// Valid unified social credit codes (their check characters computed).
const CREDIT_CODE: &str = "91652801MA77X12344";
const OTHER_CREDIT_CODE: &str = "92652801MA78Y0001C";

/// A token made by the admin.
async fn token(app: &TestApp, body: Value) -> String {
    let (status, answer) = call(app, Method::POST, "/api/v1/tokens", ADMIN_TOKEN, Some(body)).await;
    assert_eq!(status, 201, "{answer}");
    answer["token"].as_str().unwrap().to_owned()
}

/// A regulator of Bayingolin (652800).
async fn bayingolin(app: &TestApp) -> String {
    token(
        app,
        json!({ "name": "巴州", "role": "regulator", "region_code": "652800" }),
    )
    .await
}

async fn patch(app: &TestApp, bearer: Option<&str>, venue: &Value, body: Value) -> (u16, Value) {
    let path = format!("/api/v1/venues/{}", venue["id"]);
    call(app, Method::PATCH, &path, bearer, Some(body)).await
}

/// The audit rows of a venue, oldest first: (action, before, after).
async fn audit_rows(app: &TestApp, venue: &Value) -> Vec<(String, Value, Value)> {
    sqlx::query_as::<_, (String, Option<Value>, Option<Value>)>(
        "SELECT action, before, after FROM audit_log WHERE venue_id = $1 ORDER BY id",
    )
    .bind(venue["id"].as_i64().unwrap())
    .fetch_all(&app.pool)
    .await
    .unwrap()
    .into_iter()
    .map(|(action, before, after)| {
        (
            action,
            before.unwrap_or(Value::Null),
            after.unwrap_or(Value::Null),
        )
    })
    .collect()
}

#[tokio::test]
async fn an_edit_changes_the_fields_and_audits_what_changed() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let regulator = bayingolin(&app).await;
    let (status, edited) = patch(
        &app,
        Some(&regulator),
        &venue,
        json!({
            "name": "孔雀河大酒店", "address": "人民东路 1 号", "unit_type": "私企",
            "person_in_charge": "阿依古丽", "phone": "0996-2022222", "staff_count": 40,
            "founded_on": "2003-05-01", "credit_code": CREDIT_CODE,
        }),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["name"], "孔雀河大酒店");
    assert_eq!(edited["unit_type"], "private");
    assert_eq!(edited["phone"], "0996-2022222");
    assert_eq!(edited["staff_count"], 40);
    assert_eq!(edited["founded_on"], "2003-05-01");
    assert_eq!(edited["credit_code"], CREDIT_CODE);
    assert_eq!(edited["closed"], false);

    // Absent fields stay; null clears.
    let (status, cleared) = patch(
        &app,
        Some(ADMIN_TOKEN),
        &venue,
        json!({ "address": null, "credit_code": OTHER_CREDIT_CODE }),
    )
    .await;
    assert_eq!(status, 200, "{cleared}");
    assert_eq!(cleared["address"], Value::Null);
    assert_eq!(cleared["person_in_charge"], "阿依古丽");
    assert_eq!(cleared["credit_code"], OTHER_CREDIT_CODE);

    // Nothing to change writes nothing.
    let before = audit_rows(&app, &venue).await.len();
    let (status, _) = patch(
        &app,
        Some(ADMIN_TOKEN),
        &venue,
        json!({ "staff_count": 40 }),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(audit_rows(&app, &venue).await.len(), before);

    let rows = audit_rows(&app, &venue).await;
    let actions: Vec<&str> = rows.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(actions, ["venue.create", "venue.update", "venue.update"]);
    let (_, was, is) = &rows[1];
    assert_eq!(was["name"], "孔雀河酒店");
    assert_eq!(is["name"], "孔雀河大酒店");
    assert_eq!(was["credit_code"], Value::Null);
    assert_eq!(is["credit_code"], CREDIT_CODE);
    assert!(was.get("region_code").is_none(), "only what changed: {was}");
    let (_, was, is) = &rows[2];
    assert_eq!(was["address"], "人民东路 1 号");
    assert_eq!(is["address"], Value::Null);

    // The venue's staff see the particulars in the full shape.
    let (_, read) = call(
        &app,
        Method::GET,
        &format!("/api/v1/venues/{}", venue["id"]),
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(read["name"], "孔雀河大酒店");
    assert_eq!(read["closed_at"], Value::Null);
}

#[tokio::test]
async fn bad_fields_are_refused_by_slug_and_change_nothing() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    for (body, slug) in [
        (
            json!({ "credit_code": "91652801MA77X12345" }),
            "credit-code-checksum",
        ),
        (json!({ "credit_code": "9165" }), "invalid-credit-code"),
        (json!({ "founded_on": "2003-02-30" }), "invalid-date"),
        (
            json!({ "founded_on": "2999-01-01" }),
            "founding-date-out-of-range",
        ),
        (json!({ "unit_type": "company" }), "invalid-unit-type"),
        (json!({ "staff_count": -1 }), "invalid-staff-count"),
        (json!({ "phone": "ring me" }), "invalid-phone"),
        (json!({ "name": "" }), "invalid-venue-name"),
        (json!({ "region_code": "999999" }), "unknown-region"),
        (json!({ "category": "spaceport" }), "unknown-category"),
    ] {
        let (status, problem) = patch(&app, Some(ADMIN_TOKEN), &venue, body.clone()).await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert_eq!(problem["type"], format!("/problems/{slug}"), "{body}");
    }
    let (status, problem) = patch(&app, Some(ADMIN_TOKEN), &venue, json!({ "colour": 1 })).await;
    assert_eq!(status, 422, "{problem}");
    let path = format!("/api/v1/venues/{}", venue["id"]);
    let response = app
        .client
        .patch(format!("{}{path}", app.address))
        .bearer_auth(ADMIN_TOKEN)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        audit_rows(&app, &venue).await.len(),
        1,
        "only the creation is audited"
    );
}

#[tokio::test]
async fn each_role_edits_only_what_it_supervises() {
    let app = spawn_app().await;
    let korla = app.hotel().await;
    let changji = app.create_venue("昌吉酒店", "652301", "hotel").await;
    let regulator = bayingolin(&app).await;
    let staff = token(
        &app,
        json!({ "name": "前台", "role": "venue_staff", "venue_ids": [korla["id"]] }),
    )
    .await;
    let rename = json!({ "name": "新名字" });

    assert_eq!(
        patch(&app, Some(ADMIN_TOKEN), &changji, rename.clone())
            .await
            .0,
        200
    );
    assert_eq!(
        patch(&app, Some(&regulator), &korla, rename.clone())
            .await
            .0,
        200
    );
    let (status, problem) = patch(&app, Some(&regulator), &changji, rename.clone()).await;
    assert_eq!(
        (status, &problem["type"]),
        (404, &json!("/problems/not-found"))
    );
    assert_eq!(
        patch(&app, Some(&staff), &korla, rename.clone()).await.0,
        403
    );
    assert_eq!(patch(&app, ANONYMOUS, &korla, rename.clone()).await.0, 401);
    let missing = json!({ "id": 999_999 });
    assert_eq!(
        patch(&app, Some(ADMIN_TOKEN), &missing, rename).await.0,
        404
    );

    // A regulator moves a venue within its region, never out of it.
    let (status, moved) = patch(
        &app,
        Some(&regulator),
        &korla,
        json!({ "region_code": "652822" }),
    )
    .await;
    assert_eq!((status, &moved["region_code"]), (200, &json!("652822")));
    let (status, problem) = patch(
        &app,
        Some(&regulator),
        &korla,
        json!({ "region_code": "652301" }),
    )
    .await;
    assert_eq!(
        (status, &problem["type"]),
        (403, &json!("/problems/region-outside-scope"))
    );
    let region: String = sqlx::query_scalar("SELECT region_code::text FROM venues WHERE id = $1")
        .bind(korla["id"].as_i64().unwrap())
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(region, "652822");
}

#[tokio::test]
async fn a_region_or_category_change_queues_the_score_refresh() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    // Wait for the first refresh to take the creation's queue entry.
    let score = app.score_when(id, |s| s["tier"].is_string()).await;
    assert!(score["tier"].is_string(), "{score}");
    let computed = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, chrono::DateTime<chrono::Utc>>(
                "SELECT computed_at FROM venue_scores WHERE venue_id = $1",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let first = computed(&app).await;
    let (status, _) = patch(
        &app,
        Some(ADMIN_TOKEN),
        &venue,
        json!({ "category": "homestay" }),
    )
    .await;
    assert_eq!(status, 200);
    let refreshed = crate::common::eventually(std::time::Duration::from_secs(10), || {
        let app = &app;
        async move { computed(app).await > first }
    })
    .await;
    assert!(
        refreshed,
        "the venue's score was recomputed after its category changed"
    );
}

#[tokio::test]
async fn a_closed_venue_takes_no_ratings_keeps_its_history_and_reopens() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let code = venue["code"].as_str().unwrap();
    let id = venue["id"].as_i64().unwrap();
    app.rate(&venue, "before-closing", 5).await;
    let page = open_page(&app, code).await;
    let token = form_token(&page);

    let (status, closed) = patch(&app, Some(ADMIN_TOKEN), &venue, json!({ "closed": true })).await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["closed"], true);
    assert!(closed["closed_at"].is_string());

    // The code page says so, in the visitor's language, without a form.
    let response = app
        .client
        .get(format!("{}/r/{code}", app.address))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 410);
    let body = response.text().await.unwrap();
    assert!(body.contains("This venue is closed"), "{body}");
    assert!(body.contains("孔雀河酒店"));
    assert!(!body.contains("<form"), "no rating form: {body}");
    let zh = app.get(&format!("/r/{code}")).await;
    assert_eq!(zh.status(), 410);
    assert!(zh.text().await.unwrap().contains("已停业"));

    // The form posted from a page opened before closing, and the API, are refused.
    let (status, _) = post_form(&app, code, &[("overall", "4"), ("form_token", &token)]).await;
    assert_eq!(status, 410);
    let response = app
        .post_rating(&json!({ "code": code, "device_id": "device-after", "overall": 4 }))
        .await;
    assert_eq!(response.status(), 410);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/venue-closed");
    assert_eq!(app.count("ratings").await, 1, "nothing stored");

    // Its history stays public.
    assert_eq!(
        app.score_when(id, |s| s["ratings"] == 1).await["ratings"],
        1
    );
    assert_eq!(app.get(&format!("/v/{id}")).await.status(), 200);
    let (status, public) = call(
        &app,
        Method::GET,
        &format!("/api/v1/venues/{id}"),
        ANONYMOUS,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(public["closed_at"].is_string(), "{public}");

    // Closing again keeps the first closing time and writes nothing.
    let (_, again) = patch(&app, Some(ADMIN_TOKEN), &venue, json!({ "closed": true })).await;
    assert_eq!(again["closed_at"], closed["closed_at"]);

    let (status, reopened) =
        patch(&app, Some(ADMIN_TOKEN), &venue, json!({ "closed": false })).await;
    assert_eq!((status, &reopened["closed"]), (200, &json!(false)));
    open_page(&app, code).await;
    app.rate(&venue, "after-reopening", 4).await;

    let actions: Vec<String> = audit_rows(&app, &venue)
        .await
        .into_iter()
        .map(|(action, _, _)| action)
        .collect();
    assert_eq!(actions, ["venue.create", "venue.close", "venue.reopen"]);
}

const CSV: &str = "text/csv";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const HEADER: &str = "name,region_code,category,address,unit_type,person_in_charge,phone,staff_count,founded_on,credit_code";

/// Posts an import file; the status and the JSON answer.
async fn import(
    app: &TestApp,
    bearer: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
    dry_run: bool,
) -> (u16, Value) {
    let mut request = app
        .client
        .post(format!(
            "{}/api/v1/venues/import?dry_run={dry_run}",
            app.address
        ))
        .header("content-type", content_type)
        .body(body);
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The (row, column, problem) of each error of an import answer.
fn faults(answer: &Value) -> Vec<(u64, String, String)> {
    answer["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {answer}"))
        .iter()
        .map(|e| {
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
            (
                e["row"].as_u64().unwrap(),
                e["column"].as_str().unwrap().to_owned(),
                e["problem"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn csv(rows: &[&str]) -> Vec<u8> {
    let mut text = String::from(HEADER);
    for row in rows {
        text.push('\n');
        text.push_str(row);
    }
    text.into_bytes()
}

#[tokio::test]
async fn a_dry_run_lists_every_fault_by_row_and_column_and_imports_nothing() {
    let app = spawn_app().await;
    let regulator = bayingolin(&app).await;
    let file = csv(&[
        &format!(
            "孔雀河酒店,652801,hotel,人民东路 1 号,私企,阿依古丽,0996-2022222,12,2003-05-01,{CREDIT_CODE}"
        ),
        "铁门关景区,652801,scenic_area,,,,,,,91652801MA77X12345",
        "无名之地,659999,hotel,,,,,,,",
        "太空站,652801,spaceport,,,,,,,",
        "老茶馆,652801,restaurant,,,,,,2003-02-30,",
        "昌吉宾馆,652301,hotel,,,,,,,",
        "",
    ]);
    let (status, answer) = import(&app, Some(&regulator), CSV, file, true).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["rows"], 6);
    assert_eq!(answer["imported"], 0);
    let expected = [
        (3, "credit_code", "credit-code-checksum"),
        (4, "region_code", "unknown-region"),
        (5, "category", "unknown-category"),
        (6, "founded_on", "invalid-date"),
        (7, "region_code", "region-outside-scope"),
    ];
    let expected: Vec<(u64, String, String)> = expected
        .iter()
        .map(|(r, c, p)| (*r, (*c).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(faults(&answer), expected);
    assert_eq!(app.count("venues").await, 0);

    // An admin may import anywhere: only the Changji row's fault goes.
    let clean = csv(&[&format!(
        "孔雀河酒店,652801,hotel,,私企,,,,2003-05-01,{CREDIT_CODE}"
    )]);
    let (status, answer) = import(&app, Some(ADMIN_TOKEN), CSV, clean, true).await;
    assert_eq!((status, &answer["errors"]), (200, &json!([])), "{answer}");
    assert_eq!(
        (&answer["rows"], &answer["imported"]),
        (&json!(1), &json!(0))
    );
    assert_eq!(app.count("venues").await, 0, "a dry run imports nothing");
}

#[tokio::test]
async fn an_import_is_all_or_none_and_each_venue_gets_its_code_and_audit_row() {
    let app = spawn_app().await;
    let regulator = bayingolin(&app).await;
    let good = [
        format!(
            "孔雀河酒店,652801,hotel,人民东路 1 号,private,阿依古丽,0996-2022222,12,2003-05-01,{CREDIT_CODE}"
        ),
        "铁门关景区,652801,scenic_area,,国企,,,80,,".to_owned(),
        // The same row twice is two venues.
        "铁门关景区,652801,scenic_area,,国企,,,80,,".to_owned(),
    ];
    let mut with_fault: Vec<&str> = good.iter().map(String::as_str).collect();
    with_fault.push("坏行,652801,hotel,,,,,,,123");
    let (status, answer) = import(&app, Some(&regulator), CSV, csv(&with_fault), false).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (&answer["rows"], &answer["imported"]),
        (&json!(4), &json!(0))
    );
    assert_eq!(
        faults(&answer),
        [(
            5,
            "credit_code".to_owned(),
            "invalid-credit-code".to_owned()
        )]
    );
    for table in ["venues", "venue_codes", "code_venues"] {
        assert_eq!(app.count(table).await, 0, "{table}");
    }

    let rows: Vec<&str> = good.iter().map(String::as_str).collect();
    let (status, answer) = import(&app, Some(&regulator), CSV, csv(&rows), false).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (&answer["rows"], &answer["imported"]),
        (&json!(3), &json!(3))
    );
    assert_eq!(app.count("venues").await, 3);
    assert_eq!(app.count("code_venues").await, 3);

    // Each imported venue has a working code, its particulars and an audit row.
    let (id, code): (i64, String) = sqlx::query_as(
        "SELECT v.id, c.code FROM venues v JOIN venue_codes c ON c.venue_id = v.id
         WHERE v.credit_code = $1",
    )
    .bind(CREDIT_CODE)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    open_page(&app, &code).await;
    let venue = json!({ "id": id, "code": code });
    app.rate(&venue, "imported", 5).await;
    let (status, detail) = patch(&app, Some(&regulator), &venue, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(detail["unit_type"], "private");
    assert_eq!(detail["person_in_charge"], "阿依古丽");
    assert_eq!(detail["founded_on"], "2003-05-01");
    assert_eq!(detail["address"], "人民东路 1 号");
    let rows = audit_rows(&app, &venue).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "venue.import");
    assert_eq!(rows[0].2["credit_code"], CREDIT_CODE);
    assert_eq!(rows[0].2["code"], code.as_str());
    let actors: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT actor FROM audit_log WHERE action = 'venue.import'")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(actors.len(), 1);
    assert!(actors[0].starts_with("token:"), "{actors:?}");
    // Listed at once (their first refresh is queued).
    let score = app.score_when(id, |s| s["ratings"] == 1).await;
    assert_eq!(score["ratings"], 1, "{score}");
}

#[tokio::test]
async fn an_xlsx_file_and_the_templates_are_read_like_csv() {
    let app = spawn_app().await;
    // The templates carry the header row alone.
    for (path, kind) in [
        ("/api/v1/venues/import/template.csv", "text/csv"),
        ("/api/v1/venues/import/template.xlsx", XLSX),
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(content_type.starts_with(kind), "{content_type}");
        assert!(
            response.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        let bytes = response.bytes().await.unwrap().to_vec();
        if kind == XLSX {
            use calamine::{Reader, Xlsx, open_workbook_from_rs};
            let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
            let sheet = book.worksheet_range_at(0).unwrap().unwrap();
            let header: Vec<String> = sheet
                .rows()
                .next()
                .unwrap()
                .iter()
                .map(|c| c.to_string())
                .collect();
            assert_eq!(header.join(","), HEADER);
            assert_eq!(sheet.height(), 1);
        } else {
            let text = String::from_utf8(bytes).unwrap();
            assert_eq!(text.trim_start_matches('\u{feff}').trim_end(), HEADER);
        }
    }

    // A workbook as people fill it in: numbers and dates as typed cells.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, name) in HEADER.split(',').enumerate() {
        sheet.write_string(0, col as u16, name).unwrap();
    }
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_string(1, 0, "孔雀河酒店").unwrap();
    sheet.write_number(1, 1, 652801).unwrap();
    sheet.write_string(1, 2, "hotel").unwrap();
    sheet.write_string(1, 4, "个体").unwrap();
    sheet.write_number(1, 6, 13900000000_f64).unwrap();
    sheet.write_number(1, 7, 12).unwrap();
    sheet
        .write_datetime_with_format(
            1,
            8,
            rust_xlsxwriter::ExcelDateTime::from_ymd(2003, 5, 1).unwrap(),
            &date,
        )
        .unwrap();
    sheet.write_string(1, 9, CREDIT_CODE).unwrap();
    sheet.write_string(2, 0, "坏日子").unwrap();
    sheet.write_string(2, 1, "652801").unwrap();
    sheet.write_string(2, 2, "hotel").unwrap();
    sheet.write_string(2, 8, "2003-13-01").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let (status, answer) = import(&app, Some(ADMIN_TOKEN), XLSX, bytes, true).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        faults(&answer),
        [(3, "founded_on".to_owned(), "invalid-date".to_owned())]
    );

    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, name) in HEADER.split(',').enumerate() {
        sheet.write_string(0, col as u16, name).unwrap();
    }
    sheet.write_string(1, 0, "孔雀河酒店").unwrap();
    sheet.write_number(1, 1, 652801).unwrap();
    sheet.write_string(1, 2, "hotel").unwrap();
    sheet.write_number(1, 6, 13900000000_f64).unwrap();
    sheet
        .write_datetime_with_format(
            1,
            8,
            rust_xlsxwriter::ExcelDateTime::from_ymd(2003, 5, 1).unwrap(),
            &date,
        )
        .unwrap();
    let (status, answer) = import(
        &app,
        Some(ADMIN_TOKEN),
        XLSX,
        book.save_to_buffer().unwrap(),
        false,
    )
    .await;
    assert_eq!((status, &answer["imported"]), (200, &json!(1)), "{answer}");
    let (phone, founded): (String, chrono::NaiveDate) =
        sqlx::query_as("SELECT contact_phone, founded_on FROM venues")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(phone, "13900000000");
    assert_eq!(founded.to_string(), "2003-05-01");
}

#[tokio::test]
async fn files_that_cannot_be_read_are_refused_whole() {
    let app = spawn_app().await;
    for (content_type, body, status, slug) in [
        (
            "application/json",
            b"{}".to_vec(),
            422,
            "unsupported-import-type",
        ),
        (CSV, b"".to_vec(), 422, "invalid-import-file"),
        (CSV, HEADER.as_bytes().to_vec(), 422, "import-empty"),
        (
            CSV,
            b"name,category\nx,hotel".to_vec(),
            422,
            "invalid-import-file",
        ),
        (
            CSV,
            b"name,region_code,category\n\xff\xfe,652801,hotel".to_vec(),
            422,
            "invalid-import-file",
        ),
        (XLSX, b"PK not really".to_vec(), 422, "invalid-import-file"),
        (CSV, vec![b'a'; 9 * 1024 * 1024], 413, "body-too-large"),
    ] {
        let (got, problem) = import(&app, Some(ADMIN_TOKEN), content_type, body, false).await;
        assert_eq!(got, status, "{content_type}: {problem}");
        assert_eq!(problem["type"], format!("/problems/{slug}"), "{problem}");
    }
    let mut many = String::from("name,region_code,category");
    for i in 0..10_001 {
        many.push_str(&format!("\n店{i},652801,hotel"));
    }
    let (status, problem) = import(&app, Some(ADMIN_TOKEN), CSV, many.into_bytes(), true).await;
    assert_eq!(
        (status, &problem["type"]),
        (422, &json!("/problems/import-too-many-rows"))
    );
    let (status, _) = call(
        &app,
        Method::POST,
        "/api/v1/venues/import?dry_run=maybe",
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(app.count("venues").await, 0);
}

#[tokio::test]
async fn each_role_meets_the_import_routes_as_the_table_says() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let regulator = bayingolin(&app).await;
    let elsewhere = token(
        &app,
        json!({ "name": "昌吉", "role": "regulator", "region_code": "652300" }),
    )
    .await;
    let staff = token(
        &app,
        json!({ "name": "前台", "role": "venue_staff", "venue_ids": [venue["id"]] }),
    )
    .await;
    let file = || csv(&["新酒店,652801,hotel,,,,,,,"]);
    assert_eq!(
        import(&app, Some(ADMIN_TOKEN), CSV, file(), true).await.0,
        200
    );
    assert_eq!(
        import(&app, Some(&regulator), CSV, file(), true).await.0,
        200
    );
    let (status, answer) = import(&app, Some(&elsewhere), CSV, file(), true).await;
    assert_eq!(status, 200);
    assert_eq!(
        faults(&answer),
        [(
            2,
            "region_code".to_owned(),
            "region-outside-scope".to_owned()
        )]
    );
    assert_eq!(import(&app, Some(&staff), CSV, file(), true).await.0, 403);
    assert_eq!(import(&app, None, CSV, file(), true).await.0, 401);
    for path in [
        "/api/v1/venues/import/template.csv",
        "/api/v1/venues/import/template.xlsx",
    ] {
        assert_eq!(
            call(&app, Method::GET, path, ADMIN_TOKEN, None).await.0,
            200
        );
        assert_eq!(call(&app, Method::GET, path, &regulator, None).await.0, 200);
        assert_eq!(call(&app, Method::GET, path, &staff, None).await.0, 403);
        assert_eq!(call(&app, Method::GET, path, ANONYMOUS, None).await.0, 401);
    }
    // Out of scope, a venue is not found; closing is refused to staff.
    let changji = app.create_venue("昌吉酒店", "652301", "hotel").await;
    assert_eq!(
        patch(&app, Some(&regulator), &changji, json!({ "closed": true }))
            .await
            .0,
        404
    );
    assert_eq!(
        patch(&app, Some(&staff), &venue, json!({ "closed": true }))
            .await
            .0,
        403
    );
    assert_eq!(app.count("venues").await, 2);
}

/// A regulator of Bayingolin, signed in to the console.
async fn console_regulator(app: &TestApp) -> crate::common::Person {
    app.activated_account(json!({
        "login": "bz-reg", "display_name": "巴州监管", "role": "regulator", "region_code": "652800"
    }))
    .await;
    app.sign_in("bz-reg").await
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn the_console_registers_edits_closes_and_reopens_a_venue() {
    let app = spawn_app().await;
    let person = console_regulator(&app).await;
    let home = person.get_page("/console").await;
    assert!(home.exists("a[href^='/console/venues/new']"), "{home:?}");
    assert!(home.exists("a[href^='/console/venues/import']"));

    let form = person.get_page("/console/venues/new").await;
    assert_eq!(form.status, 200, "{form:?}");
    // Only the regions in the regulator's area are offered.
    let regions = form.attrs("select[name=region_code] option", "value");
    assert!(regions.contains(&"652801".to_owned()), "{regions:?}");
    assert!(!regions.contains(&"652301".to_owned()), "{regions:?}");

    let fields = [
        ("name", "梨城宾馆"),
        ("region_code", "652801"),
        ("category", "hotel"),
        ("address", "人民东路 2 号"),
    ];
    let response = person.post_form("/console/venues/new", &fields).await;
    assert_eq!(response.status(), 303);
    let target = location(&response);
    assert!(target.starts_with("/console/venues/"), "{target}");
    let id: i64 = sqlx::query_scalar("SELECT id FROM venues WHERE name = '梨城宾馆'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let page = person.get_page(&target).await;
    assert_eq!(page.status, 200);
    assert!(page.exists("#venue-admin a[href^='/console/venues/']"));
    assert!(!page.exists("#venue-closed"));

    // Outside the area: refused in the form; without the token: refused.
    let outside = [
        ("name", "昌吉宾馆"),
        ("region_code", "652301"),
        ("category", "hotel"),
    ];
    let refused = person.post_page("/console/venues/new", &outside).await;
    assert_eq!(refused.status, 422, "{refused:?}");
    assert!(refused.exists("#venue-form-error"));
    let forged = person.post_exact("/console/venues/new", &fields).await;
    assert_eq!(forged.status(), 403);

    let edit_path = format!("/console/venues/{id}/edit");
    let edit = person.get_page(&edit_path).await;
    assert_eq!(edit.status, 200);
    assert_eq!(edit.form_value("input[name=name]"), "梨城宾馆");
    let mut details = vec![
        ("name", "梨城大宾馆"),
        ("region_code", "652801"),
        ("category", "hotel"),
        ("address", "人民东路 2 号"),
        ("unit_type", "state_owned"),
        ("person_in_charge", "买买提"),
        ("phone", "0996-1234567"),
        ("staff_count", "25"),
        ("founded_on", "1998-10-01"),
        ("credit_code", "91652801MA77X12345"),
    ];
    // A mistyped credit code is named in the page's language, the form kept.
    let refused = person.post_page(&edit_path, &details).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.select_text("#venue-form-error").contains("校验码"),
        "{refused:?}"
    );
    assert_eq!(refused.form_value("input[name=person_in_charge]"), "买买提");
    details[9] = ("credit_code", CREDIT_CODE);
    let response = person.post_form(&edit_path, &details).await;
    assert_eq!(response.status(), 303);
    let stored: (String, String, i32, String) = sqlx::query_as(
        "SELECT name, unit_type, staff_count, credit_code FROM venues WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        stored,
        (
            "梨城大宾馆".into(),
            "state_owned".into(),
            25,
            CREDIT_CODE.into()
        )
    );

    // Closing asks first, then the code page answers 410.
    let close_path = format!("/console/venues/{id}/close");
    let confirm = person.post_page(&close_path, &[]).await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.exists("input[name=confirmed][value=yes]"));
    let response = person.post_form(&close_path, &[("confirmed", "yes")]).await;
    assert_eq!(response.status(), 303);
    let page = person.get_page(&format!("/console/venues/{id}")).await;
    assert!(page.exists("#venue-closed"), "{page:?}");
    let code: String = sqlx::query_scalar("SELECT code FROM venue_codes WHERE venue_id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.get(&format!("/r/{code}")).await.status(), 410);
    let response = person
        .post_form(&format!("/console/venues/{id}/reopen"), &[])
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(app.get(&format!("/r/{code}")).await.status(), 200);

    let venue = json!({ "id": id });
    let actions: Vec<String> = audit_rows(&app, &venue)
        .await
        .into_iter()
        .map(|(action, _, _)| action)
        .collect();
    assert_eq!(
        actions,
        [
            "venue.create",
            "venue.update",
            "venue.close",
            "venue.reopen"
        ]
    );

    // Another prefecture's venue is not found.
    let changji = app.create_venue("昌吉酒店", "652301", "hotel").await;
    let path = format!("/console/venues/{}/edit", changji["id"]);
    assert_eq!(person.get_page(&path).await.status, 404);
    assert_eq!(person.post_page(&path, &details).await.status, 404);
}

/// Posts a file to the console's import page as a browser does.
async fn upload(
    app: &TestApp,
    person: &crate::common::Person,
    file_name: &str,
    content: &[u8],
) -> crate::common::Page {
    let csrf = person.csrf().await;
    let boundary = "qrf-test-boundary-7d2";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let response = reqwest::Client::new()
        .post(format!("{}/console/venues/import?lang=en", app.address))
        .header("cookie", crate::common::session_header(&person.session))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    crate::common::Page::read(response).await
}

#[tokio::test]
async fn the_import_page_lists_every_fault_in_the_page_language_then_imports_on_confirmation() {
    let app = spawn_app().await;
    let person = console_regulator(&app).await;
    let page = person.get_page("/console/venues/import?lang=en").await;
    assert_eq!(page.status, 200);
    assert!(page.exists("form#import-check[enctype='multipart/form-data'] input[type=file]"));
    let template = person.download("/console/venues/import/template.csv").await;
    assert_eq!(template.status, 200);
    assert!(template.text().contains(HEADER));
    let template = person
        .download("/console/venues/import/template.xlsx")
        .await;
    assert_eq!(template.status, 200);

    let faulty = csv(&[
        "孔雀河酒店,652801,hotel,,,,,,,91652801MA77X12345",
        "昌吉宾馆,652301,hotel,,,,,,1999-02-30,",
    ]);
    let checked = upload(&app, &person, "venues.csv", &faulty).await;
    assert_eq!(checked.status, 422, "{checked:?}");
    let cells = checked.texts("#import-faults tbody td");
    assert_eq!(cells.len(), 9, "{cells:?}");
    assert_eq!(cells[0], "2");
    assert!(cells[1].contains("credit_code"), "{cells:?}");
    assert!(cells[2].contains("mistyped"), "{cells:?}");
    assert_eq!(cells[3], "3");
    assert!(cells[5].contains("outside your area"), "{cells:?}");
    assert_eq!(cells[6], "3");
    assert!(cells[8].contains("YYYY-MM-DD"), "{cells:?}");
    assert!(
        !checked.exists("#import-confirm"),
        "no import of a faulty file"
    );
    assert_eq!(app.count("venues").await, 0);

    let good = csv(&[
        &format!("孔雀河酒店,652801,hotel,,个体,,,,,{CREDIT_CODE}"),
        "轮台宾馆,652822,hotel,\"团结路 1 号, 2 楼\",,,,,,",
    ]);
    let checked = upload(&app, &person, "venues.csv", &good).await;
    assert_eq!(checked.status, 200, "{checked:?}");
    assert!(checked.select_text("#import-result-h").contains('2'));
    assert_eq!(app.count("venues").await, 0, "checking imports nothing");
    // The table as the browser posts it back, line breaks and all.
    let table: String = checked.select("#import-confirm textarea[name=table]")[0]
        .text()
        .collect();
    assert!(table.contains('\n'), "{table}");
    let response = person
        .post_form("/console/venues/import?lang=en", &[("table", &table)])
        .await;
    assert_eq!(response.status(), 303);
    assert!(location(&response).contains("notice=venues-imported"));
    assert_eq!(app.count("venues").await, 2);
    let address: String = sqlx::query_scalar("SELECT address FROM venues WHERE name = '轮台宾馆'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(address, "团结路 1 号, 2 楼");

    // No file, an unknown kind of file, a forged form: friendly refusals.
    let nothing = person
        .post_page("/console/venues/import?lang=en", &[])
        .await;
    assert_eq!(nothing.status, 422);
    assert!(nothing.exists("#import-error"));
    let odd = upload(&app, &person, "venues.pdf", b"%PDF").await;
    assert_eq!(odd.status, 422);
    assert!(odd.exists("#import-error"));
    let forged = person
        .post_exact("/console/venues/import", &[("table", &table)])
        .await;
    assert_eq!(forged.status(), 403);
    assert_eq!(app.count("venues").await, 2);
}
