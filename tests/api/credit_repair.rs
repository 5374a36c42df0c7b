//! Credit repair (信用修复, clause 22; the commitment of clause 19) through
//! the JSON API: a listed venue applies with evidence, a commitment and a
//! training record; a regulator approves (the entry ends early and the tier
//! leaves D) or rejects (the venue may apply again); the commitment is
//! refused where the entry excludes it; bad files are refused with nothing
//! written; deadlines in working days and overdue by the clock; re-grading
//! after three months; every new route per role.

use chrono::{Duration, Months, NaiveDate};
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{ADMIN_TOKEN, ANONYMOUS, TestApp, call, spawn_app};

/// A small PDF: its header and its end marker.
pub fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".to_vec()
}

/// A 2×2 PNG.
pub fn png() -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(&[120u8; 12], 2, 2, ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// A file to send: name, claimed type, bytes.
pub struct Upload {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// The PDF as a client sends it.
pub fn pdf_upload() -> Upload {
    Upload {
        name: "整改报告.pdf",
        content_type: "application/pdf",
        bytes: pdf(),
    }
}

/// A multipart body of text fields and `evidence` files, and its content type.
pub fn multipart(fields: &[(&str, String)], files: &[Upload]) -> (Vec<u8>, String) {
    let boundary = "qrf-repair-boundary-7d1";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for file in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                file.name, file.content_type
            )
            .as_bytes(),
        );
        body.extend_from_slice(&file.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (body, format!("multipart/form-data; boundary={boundary}"))
}

/// The usual fields: rectification, training, and the commitment if `commitment`.
pub fn fields(app: &TestApp, commitment: bool) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        (
            "rectification",
            "已向游客全额退款，撤换导游并完成全员诚信经营培训。".to_owned(),
        ),
        ("training_course", "旅游市场信用修复专题培训".to_owned()),
        (
            "training_provider",
            "巴州文化体育广播电视和旅游局".to_owned(),
        ),
        (
            "trained_on",
            (app.clock.today() - Duration::days(3)).to_string(),
        ),
        ("training_hours", "4".to_owned()),
    ];
    if commitment {
        fields.push(("commitment", "true".to_owned()));
    }
    fields
}

async fn apply(
    app: &TestApp,
    entry: i64,
    token: Option<&str>,
    fields: &[(&str, String)],
    files: &[Upload],
) -> (u16, Value) {
    let (body, content_type) = multipart(fields, files);
    let mut request = app
        .client
        .post(format!(
            "{}/api/v1/list-entries/{entry}/repair",
            app.address
        ))
        .header("content-type", content_type)
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn decide(
    app: &TestApp,
    id: i64,
    token: Option<&str>,
    decision: &str,
    reason: &str,
) -> (u16, Value) {
    call(
        app,
        Method::POST,
        &format!("/api/v1/repair-applications/{id}/decision"),
        token,
        Some(json!({"decision": decision, "reason": reason})),
    )
    .await
}

/// The day `n` working days after today, from the service's own calendar.
async fn working_days_after(app: &TestApp, n: u32) -> NaiveDate {
    qrfeedback::store::calendar::working_calendar(&app.pool)
        .await
        .unwrap()
        .add_working_days(app.clock.today(), n)
}

pub struct Cast {
    pub venue_id: i64,
    pub regulator: String,
    pub elsewhere: String,
    pub staff: String,
    pub other_staff: String,
}

/// A hotel in Korla with its staff, the prefecture's regulator, and a
/// regulator and staff of elsewhere.
pub async fn cast(app: &TestApp) -> Cast {
    let venue_id = app.hotel().await["id"].as_i64().unwrap();
    let other = app.create_venue("昌吉宾馆", "652301", "hotel").await["id"]
        .as_i64()
        .unwrap();
    Cast {
        venue_id,
        regulator: app
            .api_token(json!({"name": "巴州", "role": "regulator", "region_code": "652800"}))
            .await,
        elsewhere: app
            .api_token(json!({"name": "昌吉", "role": "regulator", "region_code": "652300"}))
            .await,
        staff: app
            .api_token(json!({"name": "前台", "role": "venue_staff", "venue_ids": [venue_id]}))
            .await,
        other_staff: app
            .api_token(json!({"name": "别家", "role": "venue_staff", "venue_ids": [other]}))
            .await,
    }
}

/// Proposes an entry on the serious list from `starts_in` days ahead for a
/// year, answers it and, if `list`, decides it listed; its body.
pub async fn entry(
    app: &TestApp,
    cast: &Cast,
    starts_in: i64,
    commitment_excluded: bool,
    list: bool,
) -> Value {
    let start = app.clock.today() + Duration::days(starts_in);
    let (status, entry) = call(
        app,
        Method::POST,
        &format!("/api/v1/venues/{}/list-entries", cast.venue_id),
        &cast.regulator,
        Some(json!({
            "list": "serious",
            "reason": "以不合理低价组织旅游活动，诱骗游客购物",
            "legal_basis": "《文化和旅游市场信用管理规定》第八条",
            "starts_on": start.to_string(),
            "ends_on": (start + Duration::days(365)).to_string(),
            "commitment_excluded": commitment_excluded,
        })),
    )
    .await;
    assert_eq!(status, 201, "{entry}");
    assert_eq!(entry["commitment_excluded"], commitment_excluded);
    if !list {
        return entry;
    }
    let id = entry["id"].as_i64().unwrap();
    let (status, _) = call(
        app,
        Method::POST,
        &format!("/api/v1/list-entries/{id}/statement"),
        &cast.staff,
        Some(json!({"text": "我单位已整改"})),
    )
    .await;
    assert_eq!(status, 201);
    let (status, decided) = call(
        app,
        Method::POST,
        &format!("/api/v1/list-entries/{id}/decision"),
        &cast.regulator,
        Some(json!({"decision": "listed", "reason": "事实清楚"})),
    )
    .await;
    assert_eq!(status, 200, "{decided}");
    decided
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'repair.%' OR action = 'venue.regrade' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn an_approved_repair_ends_the_entry_early_and_the_tier_leaves_d() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let listed = entry(&app, &cast, 0, false, true).await;
    let entry_id = listed["id"].as_i64().unwrap();
    let original_end = listed["ends_on"].as_str().unwrap().to_owned();
    let graded = app.score_when(cast.venue_id, |s| s["tier"] == "D").await;
    assert_eq!(graded["tier"], "D", "{graded}");

    let files = [
        pdf_upload(),
        Upload {
            name: "现场照片.png",
            // The claimed type is ignored: the bytes decide.
            content_type: "application/octet-stream",
            bytes: png(),
        },
    ];
    let (status, applied) = apply(
        &app,
        entry_id,
        Some(&cast.staff),
        &fields(&app, true),
        &files,
    )
    .await;
    assert_eq!(status, 201, "{applied}");
    assert_eq!(applied["state"], "pending");
    assert_eq!(applied["overdue"], false);
    assert_eq!(applied["commitment_given"], true);
    assert_eq!(applied["list_entry_id"], entry_id);
    assert_eq!(applied["training"]["hours"], 4.0);
    assert_eq!(
        applied["decision_due_on"],
        working_days_after(&app, 15).await.to_string()
    );
    let evidence = applied["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), 2);
    assert_eq!(evidence[0]["content_type"], "application/pdf");
    assert_eq!(evidence[0]["file_name"], "整改报告.pdf");
    assert_eq!(evidence[1]["content_type"], "image/png");
    let id = applied["id"].as_i64().unwrap();

    // One pending application per entry.
    let (status, again) = apply(&app, entry_id, Some(&cast.staff), &fields(&app, true), &[]).await;
    assert_eq!(status, 409, "{again}");
    assert_eq!(again["type"], "/problems/repair-pending");

    // The regulator's queue holds it; a decision needs a reason.
    let (status, queue) = call(
        &app,
        Method::GET,
        "/api/v1/repair-applications?state=pending",
        &cast.regulator,
        None,
    )
    .await;
    assert_eq!(status, 200, "{queue}");
    assert_eq!(queue["total"], 1);
    assert_eq!(queue["items"][0]["id"], id);
    let (status, no_reason) = decide(&app, id, Some(&cast.regulator), "approved", " ").await;
    assert_eq!(status, 422);
    assert_eq!(no_reason["type"], "/problems/reason-required");
    let (status, odd) = decide(&app, id, Some(&cast.regulator), "maybe", "理由").await;
    assert_eq!(status, 422);
    assert_eq!(odd["type"], "/problems/invalid-repair-decision");

    let (status, approved) = decide(
        &app,
        id,
        Some(&cast.regulator),
        "approved",
        "整改到位，材料齐全",
    )
    .await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["state"], "approved");
    assert_eq!(approved["decision_reason"], "整改到位，材料齐全");
    let today = app.clock.today().to_string();
    assert_eq!(approved["entry_ends_on"], today);
    assert_eq!(approved["entry_original_ends_on"], original_end);
    let (status, twice) = decide(&app, id, Some(&cast.regulator), "rejected", "再议").await;
    assert_eq!(status, 409);
    assert_eq!(twice["type"], "/problems/repair-decided");

    // The entry ended early with its original end kept; the tier follows.
    let (_, ended) = call(
        &app,
        Method::GET,
        &format!("/api/v1/list-entries/{entry_id}"),
        &cast.regulator,
        None,
    )
    .await;
    assert_eq!(ended["ends_on"], today);
    assert_eq!(ended["original_ends_on"], original_end);
    assert_eq!(ended["in_force"], false);
    let after = app.score_when(cast.venue_id, |s| s["tier"] != "D").await;
    assert_ne!(after["tier"], "D", "{after}");
    assert_eq!(
        call(&app, Method::GET, "/api/v1/lists/serious", ANONYMOUS, None)
            .await
            .1["items"],
        json!([])
    );

    // Nothing left to repair.
    let (status, over) = apply(&app, entry_id, Some(&cast.staff), &fields(&app, true), &[]).await;
    assert_eq!(status, 409);
    assert_eq!(over["type"], "/problems/entry-not-in-force");
    assert_eq!(audit_actions(&app).await, ["repair.apply", "repair.decide"]);
}

#[tokio::test]
async fn a_rejected_venue_may_apply_again_and_the_entry_stands() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let listed = entry(&app, &cast, 0, false, true).await;
    let entry_id = listed["id"].as_i64().unwrap();
    let (status, first) = apply(&app, entry_id, Some(&cast.staff), &fields(&app, true), &[]).await;
    assert_eq!(status, 201, "{first}");
    let id = first["id"].as_i64().unwrap();
    let (status, rejected) = decide(
        &app,
        id,
        Some(&cast.regulator),
        "rejected",
        "整改材料不足，请补充退款凭证",
    )
    .await;
    assert_eq!(status, 200, "{rejected}");
    assert_eq!(rejected["state"], "rejected");
    assert_eq!(rejected["entry_ends_on"], listed["ends_on"]);
    assert_eq!(rejected["entry_original_ends_on"], Value::Null);

    let (status, second) = apply(
        &app,
        entry_id,
        Some(&cast.staff),
        &fields(&app, false),
        &[pdf_upload()],
    )
    .await;
    assert_eq!(status, 201, "{second}");
    assert_eq!(second["state"], "pending");
    assert_ne!(second["id"], first["id"]);
    let (_, mine) = call(
        &app,
        Method::GET,
        "/api/v1/repair-applications",
        &cast.staff,
        None,
    )
    .await;
    // Pending first.
    assert_eq!(mine["total"], 2);
    assert_eq!(mine["items"][0]["id"], second["id"]);
    assert_eq!(mine["items"][1]["state"], "rejected");
    let (status, bad_state) = call(
        &app,
        Method::GET,
        "/api/v1/repair-applications?state=open",
        &cast.staff,
        None,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(bad_state["type"], "/problems/invalid-query");
}

#[tokio::test]
async fn the_commitment_is_refused_where_the_entry_excludes_it() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let listed = entry(&app, &cast, 0, true, true).await;
    let entry_id = listed["id"].as_i64().unwrap();

    let (status, refused) = apply(
        &app,
        entry_id,
        Some(&cast.staff),
        &fields(&app, true),
        &[pdf_upload()],
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["type"], "/problems/commitment-excluded");
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("excludes repair by credit commitment")
    );
    let (status, bare) = apply(&app, entry_id, Some(&cast.staff), &fields(&app, false), &[]).await;
    assert_eq!(status, 422);
    assert_eq!(bare["type"], "/problems/evidence-required");
    assert_eq!(
        count(&app, "SELECT count(*) FROM repair_applications").await,
        0
    );

    let (status, ok) = apply(
        &app,
        entry_id,
        Some(&cast.staff),
        &fields(&app, false),
        &[pdf_upload()],
    )
    .await;
    assert_eq!(status, 201, "{ok}");
    assert_eq!(ok["commitment_excluded"], true);
    assert_eq!(ok["commitment_given"], false);
}

#[tokio::test]
async fn bad_files_and_fields_are_refused_with_nothing_written() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let listed = entry(&app, &cast, 0, false, true).await;
    let entry_id = listed["id"].as_i64().unwrap();
    let staff = Some(cast.staff.as_str());

    // Text that calls itself a PDF.
    let fake = Upload {
        name: "report.pdf",
        content_type: "application/pdf",
        bytes: b"<html>not a pdf</html>".to_vec(),
    };
    let (status, body) = apply(&app, entry_id, staff, &fields(&app, true), &[fake]).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["type"], "/problems/invalid-evidence");

    // A GIF is not among the types, whatever it is called.
    let gif = Upload {
        name: "photo.png",
        content_type: "image/png",
        bytes: b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(),
    };
    let (status, body) = apply(&app, entry_id, staff, &fields(&app, true), &[gif]).await;
    assert_eq!(status, 422);
    assert_eq!(body["type"], "/problems/invalid-evidence");

    // One byte over the size.
    let mut big = pdf();
    big.resize(5 * 1024 * 1024 + 1, b' ');
    let big = Upload {
        name: "big.pdf",
        content_type: "application/pdf",
        bytes: big,
    };
    let (status, body) = apply(&app, entry_id, staff, &fields(&app, true), &[big]).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["type"], "/problems/evidence-too-large");

    // Six files where five are allowed.
    let six: Vec<Upload> = (0..6).map(|_| pdf_upload()).collect();
    let (status, body) = apply(&app, entry_id, staff, &fields(&app, true), &six).await;
    assert_eq!(status, 422);
    assert_eq!(body["type"], "/problems/too-many-evidence-files");

    // The fields: no rectification, hours that are not hours, a future training.
    let mut no_text = fields(&app, true);
    no_text[0].1 = " ".into();
    let (status, body) = apply(&app, entry_id, staff, &no_text, &[]).await;
    assert_eq!(status, 422);
    assert_eq!(body["type"], "/problems/text-required");
    let mut hours = fields(&app, true);
    hours[4].1 = "1e3".into();
    let (status, body) = apply(&app, entry_id, staff, &hours, &[]).await;
    assert_eq!(status, 422);
    assert_eq!(body["type"], "/problems/invalid-training-hours");
    let mut future = fields(&app, true);
    future[3].1 = (app.clock.today() + Duration::days(1)).to_string();
    let (status, body) = apply(&app, entry_id, staff, &future, &[]).await;
    assert_eq!(status, 422);
    assert_eq!(body["type"], "/problems/invalid-date");

    // Where the commitment is allowed, neither it nor a file is not enough.
    let (status, body) = apply(&app, entry_id, staff, &fields(&app, false), &[]).await;
    assert_eq!(status, 422);
    assert_eq!(body["type"], "/problems/commitment-or-evidence-required");

    // Not multipart at all.
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("/api/v1/list-entries/{entry_id}/repair"),
        &cast.staff,
        Some(json!({"rectification": "json"})),
    )
    .await;
    assert_eq!(status, 400);

    assert_eq!(
        count(&app, "SELECT count(*) FROM repair_applications").await,
        0
    );
    assert_eq!(count(&app, "SELECT count(*) FROM repair_evidence").await, 0);
    assert!(audit_actions(&app).await.is_empty());
}

#[tokio::test]
async fn only_a_listed_entry_in_force_can_be_repaired() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let staff = Some(cast.staff.as_str());
    let proposed = entry(&app, &cast, 0, false, false).await;
    let (status, body) = apply(
        &app,
        proposed["id"].as_i64().unwrap(),
        staff,
        &fields(&app, true),
        &[],
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["type"], "/problems/entry-not-listed");

    let later = entry(&app, &cast, 10, false, true).await;
    let (status, body) = apply(
        &app,
        later["id"].as_i64().unwrap(),
        staff,
        &fields(&app, true),
        &[],
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["type"], "/problems/entry-not-in-force");
    assert_eq!(
        count(&app, "SELECT count(*) FROM repair_applications").await,
        0
    );
}

#[tokio::test]
async fn an_application_past_its_working_days_is_overdue() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let listed = entry(&app, &cast, 0, false, true).await;
    let (status, applied) = apply(
        &app,
        listed["id"].as_i64().unwrap(),
        Some(&cast.staff),
        &fields(&app, true),
        &[],
    )
    .await;
    assert_eq!(status, 201, "{applied}");
    let id = applied["id"].as_i64().unwrap();
    let due = NaiveDate::parse_from_str(applied["decision_due_on"].as_str().unwrap(), "%Y-%m-%d")
        .unwrap();
    let path = format!("/api/v1/repair-applications/{id}");
    app.clock
        .advance(Duration::days((due - app.clock.today()).num_days()));
    let (_, on_due) = call(&app, Method::GET, &path, &cast.regulator, None).await;
    assert_eq!(on_due["overdue"], false, "{on_due}");
    app.clock.advance(Duration::days(1));
    let (_, late) = call(&app, Method::GET, &path, &cast.regulator, None).await;
    assert_eq!(late["overdue"], true, "{late}");
    let (_, queue) = call(
        &app,
        Method::GET,
        "/api/v1/repair-applications",
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(queue["items"][0]["overdue"], true);
}

#[tokio::test]
async fn regrading_waits_three_months_after_the_last_grading() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let venue = cast.venue_id;
    app.score_when(venue, |s| s["tier"].is_string()).await;
    let path = format!("/api/v1/venues/{venue}/regrade");
    let earliest = app
        .clock
        .today()
        .checked_add_months(Months::new(3))
        .unwrap();

    let (status, soon) = call(&app, Method::POST, &path, &cast.staff, None).await;
    assert_eq!(status, 409, "{soon}");
    assert_eq!(soon["type"], "/problems/regrade-too-soon");
    assert!(
        soon["detail"]
            .as_str()
            .unwrap()
            .contains(&earliest.to_string()),
        "{soon}"
    );

    // Only the venue's own staff ask.
    assert_eq!(
        call(&app, Method::POST, &path, ADMIN_TOKEN, None).await.0,
        403
    );
    assert_eq!(
        call(&app, Method::POST, &path, &cast.regulator, None)
            .await
            .0,
        403
    );
    assert_eq!(
        call(&app, Method::POST, &path, &cast.elsewhere, None)
            .await
            .0,
        403
    );
    assert_eq!(
        call(&app, Method::POST, &path, &cast.other_staff, None)
            .await
            .0,
        404
    );
    assert_eq!(
        call(&app, Method::POST, &path, ANONYMOUS, None).await.0,
        401
    );

    app.clock.advance(Duration::days(
        (earliest - app.clock.today()).num_days() - 1,
    ));
    assert_eq!(
        call(&app, Method::POST, &path, &cast.staff, None).await.0,
        409
    );
    app.clock.advance(Duration::days(1));
    let (status, accepted) = call(&app, Method::POST, &path, &cast.staff, None).await;
    assert_eq!(status, 202, "{accepted}");
    assert_eq!(accepted["venue_id"], venue);
    assert_eq!(
        accepted["next_allowed_on"],
        app.clock
            .today()
            .checked_add_months(Months::new(3))
            .unwrap()
            .to_string()
    );
    let requests: i64 =
        sqlx::query_scalar("SELECT count(*) FROM regrade_requests WHERE venue_id = $1")
            .bind(venue)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(requests, 1);
    // The request counts as a grading: the next waits three months again.
    let (status, again) = call(&app, Method::POST, &path, &cast.staff, None).await;
    assert_eq!(status, 409, "{again}");
    assert_eq!(audit_actions(&app).await, ["venue.regrade"]);
}

#[tokio::test]
async fn each_role_meets_the_repair_routes_as_the_table_says() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let listed = entry(&app, &cast, 0, false, true).await;
    let entry_id = listed["id"].as_i64().unwrap();

    // Applying: the venue's own staff only.
    for (token, expected) in [
        (Some(ADMIN_TOKEN), 403),
        (Some(cast.regulator.as_str()), 403),
        (Some(cast.elsewhere.as_str()), 403),
        (Some(cast.other_staff.as_str()), 404),
        (None, 401),
    ] {
        let (status, body) =
            apply(&app, entry_id, token, &fields(&app, true), &[pdf_upload()]).await;
        assert_eq!(status, expected, "{token:?} {body}");
    }
    let (status, applied) = apply(
        &app,
        entry_id,
        Some(&cast.staff),
        &fields(&app, true),
        &[pdf_upload()],
    )
    .await;
    assert_eq!(status, 201);
    let id = applied["id"].as_i64().unwrap();
    let file = applied["evidence"][0]["href"].as_str().unwrap().to_owned();
    assert_eq!(
        file,
        format!(
            "/api/v1/repair-applications/{id}/evidence/{}",
            applied["evidence"][0]["id"]
        )
    );

    // Reading, the list, and the evidence: in scope only.
    let one = format!("/api/v1/repair-applications/{id}");
    for (token, expected, listed) in [
        (ADMIN_TOKEN.to_owned(), 200, 1),
        (cast.regulator.clone(), 200, 1),
        (cast.staff.clone(), 200, 1),
        (cast.elsewhere.clone(), 404, 0),
        (cast.other_staff.clone(), 404, 0),
    ] {
        assert_eq!(
            call(&app, Method::GET, &one, &token, None).await.0,
            expected
        );
        let (status, list) = call(
            &app,
            Method::GET,
            "/api/v1/repair-applications",
            &token,
            None,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(list["total"], listed, "{list}");
        let response = app
            .client
            .get(format!("{}{file}", app.address))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), expected, "{file}");
        if expected == 200 {
            assert_eq!(response.headers()["content-type"], "application/pdf");
            assert_eq!(response.headers()["x-content-type-options"], "nosniff");
            assert_eq!(response.bytes().await.unwrap().to_vec(), pdf());
        }
    }
    for path in [one.as_str(), "/api/v1/repair-applications", file.as_str()] {
        assert_eq!(call(&app, Method::GET, path, ANONYMOUS, None).await.0, 401);
    }
    assert_eq!(
        call(
            &app,
            Method::GET,
            &format!("/api/v1/repair-applications/{id}/evidence/999999"),
            ADMIN_TOKEN,
            None
        )
        .await
        .0,
        404
    );

    // Deciding: admins and the venue's regulators.
    assert_eq!(
        decide(&app, id, Some(&cast.staff), "approved", "同意")
            .await
            .0,
        403
    );
    assert_eq!(
        decide(&app, id, Some(&cast.other_staff), "approved", "同意")
            .await
            .0,
        403
    );
    assert_eq!(
        decide(&app, id, Some(&cast.elsewhere), "approved", "同意")
            .await
            .0,
        404
    );
    assert_eq!(decide(&app, id, None, "approved", "同意").await.0, 401);
    assert_eq!(
        decide(&app, id, Some(ADMIN_TOKEN), "rejected", "补充材料")
            .await
            .0,
        200
    );
}
