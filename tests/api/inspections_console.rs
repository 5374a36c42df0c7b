//! Inspections in the console (体检式暗访, regulators' requirements clause
//! 25): the form that records one with its photos, the photos checked by
//! their bytes and stored all or nothing, served only within scope, the
//! JSON route that adds a photo, and the random draw's pages (双随机).

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{
    ADMIN_TOKEN, Options, Page, Person, TestApp, call, session_header, spawn_app, spawn_app_with,
};

/// A real PNG of `width` × `height` pixels; `noisy` makes it compress badly.
fn png(width: u32, height: u32, noisy: bool) -> Vec<u8> {
    let pixels: Vec<u8> = (0..width * height * 3)
        .map(|i| {
            if noisy {
                (i.wrapping_mul(2_654_435_761) >> 13) as u8
            } else {
                200
            }
        })
        .collect();
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(&pixels, width, height, ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// A real JPEG of 8 × 6 pixels.
fn jpeg() -> Vec<u8> {
    let pixels = vec![120u8; 8 * 6 * 3];
    let mut out = Vec::new();
    JpegEncoder::new(&mut out)
        .write_image(&pixels, 8, 6, ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// A file posted with the form: its name, the type the browser says and its bytes.
struct Upload {
    name: &'static str,
    content_type: &'static str,
    bytes: Vec<u8>,
}

/// The default checklist's items, each at `points` (capped at its most).
fn all_points(points: u32) -> Vec<(String, String)> {
    qrfeedback::domain::inspection::Checklist::default_checklist()
        .unwrap()
        .items
        .iter()
        .map(|i| {
            (
                format!("points.{}", i.key),
                points.min(i.max_points).to_string(),
            )
        })
        .collect()
}

/// Posts the inspection form of a venue as a browser does
/// (`multipart/form-data`), with the session's token unless `csrf` is false.
async fn post_form(
    app: &TestApp,
    person: &Person,
    venue_id: i64,
    fields: &[(String, String)],
    files: &[Upload],
    csrf: bool,
) -> Page {
    let boundary = "qrf-inspection-boundary-51c";
    let mut body = Vec::new();
    let mut text = |name: &str, value: &str| {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    };
    let token = person.csrf().await;
    if csrf {
        text("csrf_token", &token);
    }
    for (name, value) in fields {
        text(name, value);
    }
    for file in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                file.name, file.content_type
            )
            .as_bytes(),
        );
        body.extend_from_slice(&file.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!(
            "{}/console/venues/{venue_id}/inspections?lang=en",
            app.address
        ))
        .header("cookie", session_header(&person.session))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    Page::read(response).await
}

/// The form's usual fields: today, two inspectors, the checklist, the
/// findings and every item at `points`.
fn form_fields(app: &TestApp, points: u32) -> Vec<(String, String)> {
    let mut fields = vec![
        ("inspected_on".to_owned(), app.clock.today().to_string()),
        ("inspected_by".to_owned(), "张三、李四".to_owned()),
        ("checklist_version".to_owned(), "2026-12".to_owned()),
        ("findings".to_owned(), "地面湿滑，未明码标价".to_owned()),
    ];
    fields.extend(all_points(points));
    fields
}

async fn regulator(app: &TestApp, login: &str, region: &str) -> Person {
    app.create_person(login, "regulator", Some(region), &[])
        .await;
    app.sign_in(login).await
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_inspection_recorded_through_the_form_keeps_its_photos_and_a_failed_one_reaches_the_tier()
 {
    let app = spawn_app().await;
    let venue_id = app.hotel().await["id"].as_i64().unwrap();
    let korla = regulator(&app, "korla", "652801").await;

    let form = korla
        .get_page(&format!(
            "/console/venues/{venue_id}/inspections/new?lang=en"
        ))
        .await;
    assert_eq!(form.status, 200, "{form:?}");
    assert_eq!(
        form.attr("form#inspection-form", "enctype").as_deref(),
        Some("multipart/form-data")
    );
    assert_eq!(
        form.form_value("#inspected_on"),
        app.clock.today().to_string()
    );
    assert_eq!(
        form.form_value("#inspected_by"),
        "korla",
        "the caller's name"
    );
    assert_eq!(form.count("fieldset.checklist-group"), 3);
    assert_eq!(
        form.count("fieldset.checklist-group input[type=number]"),
        11
    );
    assert_eq!(
        form.attr("#item-environment-prices", "max").as_deref(),
        Some("5")
    );
    assert!(
        form.says("Division-of-labour clause 25"),
        "cites its clause"
    );
    assert!(form.exists("input[type=file][name=photos][multiple]"));

    // 11 items at 6 points (5 for the two five-point items): 64 < 75.
    let photo_png = png(4, 3, false);
    let photo_jpeg = jpeg();
    let files = [
        Upload {
            name: "../../evil name.png",
            content_type: "image/png",
            bytes: photo_png.clone(),
        },
        Upload {
            name: "IMG_0001.JPG",
            content_type: "application/octet-stream",
            bytes: photo_jpeg.clone(),
        },
    ];
    let answer = post_form(&app, &korla, venue_id, &form_fields(&app, 6), &files, true).await;
    assert_eq!(answer.status, 303, "{answer:?}");
    assert_eq!(
        answer.location,
        format!("/console/venues/{venue_id}?notice=inspection&lang=en#inspections-panel")
    );

    let (passed, total, inspected_by, inspector): (bool, i32, String, String) = sqlx::query_as(
        "SELECT passed, total_points, inspected_by, inspector FROM inspections WHERE venue_id = $1",
    )
    .bind(venue_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((passed, total), (false, 64), "the pass mark decides");
    assert_eq!(inspected_by, "张三、李四");
    assert!(inspector.starts_with("account:"), "{inspector}");
    let photos: Vec<(String, i32, String)> = sqlx::query_as(
        "SELECT content_type, byte_size, stored_name FROM inspection_photos ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(photos.len(), 2);
    assert_eq!(photos[0].0, "image/png");
    assert_eq!(photos[0].1 as usize, photo_png.len());
    assert_eq!(
        photos[1].0, "image/jpeg",
        "by its bytes, not the browser's word"
    );
    let files_on_disk = app.uploaded_files();
    assert_eq!(files_on_disk.len(), 2, "{files_on_disk:?}");
    for path in &files_on_disk {
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(
            photos.iter().any(|(_, _, stored)| stored == name),
            "{name} is a stored name"
        );
        assert!(!name.contains("evil") && !name.contains("IMG"), "{name}");
    }
    assert_eq!(audited(&app, "inspection.record").await, 1);
    let after: Value =
        sqlx::query_scalar("SELECT after FROM audit_log WHERE action = 'inspection.record'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(after["photos"].as_array().unwrap().len(), 2, "{after}");
    assert_eq!(after["inspected_by"], "张三、李四");

    let graded = app.score_when(venue_id, |s| s["tier"] == "C").await;
    assert_eq!(
        graded["tier"], "C",
        "a failed inspection feeds the tier: {graded}"
    );

    // The venue page lists it with its thumbnails, and its downloads hold the same.
    let page = korla
        .get_page(&format!(
            "/console/venues/{venue_id}?lang=en&notice=inspection"
        ))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.exists("#notice"));
    assert!(page.exists("a#record-inspection[href*='/inspections/new']"));
    let (headers, rows) =
        crate::console::downloads_match_the_page(&korla, &page.body, "inspections").await;
    assert_eq!(headers.len(), 9, "{headers:?}");
    assert_eq!(
        rows[0],
        [
            app.clock.today().to_string(),
            "2026-12".to_owned(),
            "64".to_owned(),
            "75".to_owned(),
            "Failed".to_owned(),
            "张三、李四".to_owned(),
            "korla (korla)".to_owned(),
            "地面湿滑，未明码标价".to_owned(),
            "2".to_owned(),
        ]
    );
    let thumbnails = page.attrs("#inspections-table td.gallery img", "src");
    assert_eq!(thumbnails.len(), 2, "{page:?}");
    for (href, (bytes, content_type)) in thumbnails
        .iter()
        .zip([(&photo_png, "image/png"), (&photo_jpeg, "image/jpeg")])
    {
        let served = korla.download(href).await;
        assert_eq!(served.status, 200, "{href}");
        assert_eq!(served.content_type, content_type);
        assert!(
            served.disposition.starts_with("inline"),
            "{}",
            served.disposition
        );
        assert_eq!(&served.bytes, bytes);
        let response = korla.fetch(href).await;
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        assert_eq!(response.headers()["cache-control"], "private");
    }

    // The JSON list has them too; the public page shows none of it.
    let (status, list) = call(
        &app,
        Method::GET,
        &format!("/api/v1/venues/{venue_id}/inspections"),
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list["items"][0]["inspected_by"], "张三、李四");
    assert_eq!(list["items"][0]["photos"].as_array().unwrap().len(), 2);
    assert_eq!(list["items"][0]["photos"][1]["content_type"], "image/jpeg");
    let public = app
        .get(&format!("/v/{venue_id}?lang=en"))
        .await
        .text()
        .await
        .unwrap();
    assert!(public.contains("Failed"), "the result is public");
    assert!(
        !public.contains("/photos/") && !public.contains("地面湿滑") && !public.contains("张三"),
        "{public}"
    );
}

#[tokio::test]
async fn refused_forms_store_neither_rows_nor_files_and_say_why_beside_each_field() {
    let app = spawn_app_with(Options {
        env: vec![("PHOTO_MAX_BYTES", "4096"), ("PHOTOS_PER_INSPECTION", "2")],
        ..Options::default()
    })
    .await;
    let venue_id = app.hotel().await["id"].as_i64().unwrap();
    let korla = regulator(&app, "korla", "652801").await;
    let good = || Upload {
        name: "ok.png",
        content_type: "image/png",
        bytes: png(4, 4, false),
    };

    // Text that calls itself a PNG.
    let fake = Upload {
        name: "notes.png",
        content_type: "image/png",
        bytes: b"this is not a picture".to_vec(),
    };
    let page = post_form(
        &app,
        &korla,
        venue_id,
        &form_fields(&app, 10),
        &[good(), fake],
        true,
    )
    .await;
    assert_eq!(page.status, 422, "{page:?}");
    assert!(page.exists("#inspection-error"));
    assert_eq!(
        page.texts(".photo-error"),
        ["“notes.png” is not a readable JPEG or PNG photo."]
    );
    assert!(page.exists("#photos-again"), "photos must be chosen again");
    assert_eq!(page.form_value("#findings"), "地面湿滑，未明码标价");
    assert_eq!(page.form_value("#inspected_by"), "张三、李四");
    assert_eq!(page.form_value("#item-skill-knowledge"), "10");

    // A photo over the limit (noise compresses badly: far over 4 KiB).
    let big = png(64, 64, true);
    assert!(big.len() > 4096, "{}", big.len());
    let page = post_form(
        &app,
        &korla,
        venue_id,
        &form_fields(&app, 10),
        &[Upload {
            name: "big.png",
            content_type: "image/png",
            bytes: big,
        }],
        true,
    )
    .await;
    assert_eq!(page.status, 422, "{page:?}");
    assert_eq!(
        page.texts(".photo-error"),
        ["“big.png” is larger than 1 MB."]
    );

    // More photos than an inspection holds.
    let page = post_form(
        &app,
        &korla,
        venue_id,
        &form_fields(&app, 10),
        &[good(), good(), good()],
        true,
    )
    .await;
    assert_eq!(page.status, 422, "{page:?}");
    assert_eq!(
        page.texts(".photo-error"),
        ["At most 2 photos per inspection."]
    );

    // Each field's fault beside it, all at once, in the page language.
    let tomorrow = (app.clock.today() + chrono::Duration::days(1)).to_string();
    let mut fields = form_fields(&app, 10);
    for (name, value) in &mut fields {
        match name.as_str() {
            "inspected_on" => *value = tomorrow.clone(),
            "points.environment.prices" => *value = "6".to_owned(),
            "points.skill.knowledge" => *value = "ten".to_owned(),
            "inspected_by" => *value = "张三\u{202E}".to_owned(),
            _ => {}
        }
    }
    let page = post_form(&app, &korla, venue_id, &fields, &[good()], true).await;
    assert_eq!(page.status, 422, "{page:?}");
    assert_eq!(
        page.select_text("#inspected_on-error"),
        "The date lies in the future."
    );
    assert_eq!(
        page.select_text("#item-environment-prices-error"),
        "Enter whole points from 0 to 5."
    );
    assert_eq!(
        page.select_text("#item-skill-knowledge-error"),
        "Enter whole points from 0 to 10."
    );
    assert!(page.exists("#inspected_by-error"));
    assert!(!page.exists("#item-skill-efficiency-error"));
    assert_eq!(page.form_value("#inspected_on"), tomorrow);
    assert_eq!(page.form_value("#item-skill-knowledge"), "ten");
    // The same in Chinese.
    let zh = korla
        .get_page(&format!(
            "/console/venues/{venue_id}/inspections/new?lang=zh-CN"
        ))
        .await;
    assert!(zh.says("服务环境") && zh.says("第25条"), "{zh:?}");

    // Without the session's token: refused before anything is read into a row.
    let page = post_form(
        &app,
        &korla,
        venue_id,
        &form_fields(&app, 10),
        &[good()],
        false,
    )
    .await;
    assert_eq!(page.status, 403, "{page:?}");

    assert_eq!(app.count("inspections").await, 0);
    assert_eq!(app.count("inspection_items").await, 0);
    assert_eq!(app.count("inspection_photos").await, 0);
    assert_eq!(app.uploaded_files(), Vec::<std::path::PathBuf>::new());
    assert_eq!(audited(&app, "inspection.record").await, 0);

    // The same form with good photos goes through, and passes at 10 points each.
    let page = post_form(
        &app,
        &korla,
        venue_id,
        &form_fields(&app, 10),
        &[good(), good()],
        true,
    )
    .await;
    assert_eq!(page.status, 303, "{page:?}");
    let passed: bool = sqlx::query_scalar("SELECT passed FROM inspections")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(passed);
    assert_eq!(app.uploaded_files().len(), 2);
}

/// Posts a photo's bytes to the JSON route.
async fn add_photo(
    app: &TestApp,
    token: Option<&str>,
    path: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}{path}", app.address))
        .header("content-type", content_type)
        .body(bytes);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

#[tokio::test]
async fn photos_added_through_the_json_route_are_checked_and_served_only_within_scope() {
    let app = spawn_app_with(Options {
        env: vec![("PHOTO_MAX_BYTES", "4096"), ("PHOTOS_PER_INSPECTION", "2")],
        ..Options::default()
    })
    .await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    let other = app.create_venue("梨城宾馆", "652801", "hotel").await;
    let (status, inspection) = call(
        &app,
        Method::POST,
        &format!("/api/v1/venues/{venue_id}/inspections"),
        ADMIN_TOKEN,
        Some(json!({"inspected_on": app.clock.today().to_string(), "passed": true})),
    )
    .await;
    assert_eq!(status, 201, "{inspection}");
    let inspection_id = inspection["id"].as_i64().unwrap();
    let path = format!("/api/v1/venues/{venue_id}/inspections/{inspection_id}/photos");
    let bayingolin = app
        .api_token(json!({"name": "巴州", "role": "regulator", "region_code": "652800"}))
        .await;
    let changji = app
        .api_token(json!({"name": "昌吉", "role": "regulator", "region_code": "652300"}))
        .await;
    let desk = app
        .api_token(json!({"name": "desk", "role": "venue_staff", "venue_ids": [venue_id]}))
        .await;

    let (status, added) = add_photo(&app, Some(&bayingolin), &path, "image/jpeg", jpeg()).await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(added["content_type"], "image/jpeg");
    assert_eq!(added["bytes"], jpeg().len());
    let photo_id = added["id"].as_i64().unwrap();
    assert_eq!(audited(&app, "inspection.photo").await, 1);

    // Refused: nothing more is stored.
    let text = b"GIF89a, or rather plain text".to_vec();
    let refusals = [
        (
            Some(ADMIN_TOKEN),
            "text/plain",
            png(2, 2, false),
            422,
            "unsupported-photo-type",
        ),
        (Some(ADMIN_TOKEN), "image/png", text, 422, "invalid-photo"),
        (Some(ADMIN_TOKEN), "image/png", jpeg(), 422, "invalid-photo"),
        (
            Some(ADMIN_TOKEN),
            "image/png",
            png(64, 64, true),
            413,
            "body-too-large",
        ),
        (
            Some(changji.as_str()),
            "image/png",
            png(2, 2, false),
            404,
            "not-found",
        ),
        (
            Some(desk.as_str()),
            "image/png",
            png(2, 2, false),
            403,
            "forbidden",
        ),
        (None, "image/png", png(2, 2, false), 401, "unauthorized"),
    ];
    for (token, content_type, bytes, expected, problem) in refusals {
        let (status, body) = add_photo(&app, token, &path, content_type, bytes).await;
        assert_eq!(status, expected, "{content_type} {body}");
        assert!(
            body["type"].as_str().unwrap_or_default().ends_with(problem),
            "{body}"
        );
    }
    let elsewhere = format!(
        "/api/v1/venues/{}/inspections/{inspection_id}/photos",
        other["id"]
    );
    let (status, _) = add_photo(
        &app,
        Some(ADMIN_TOKEN),
        &elsewhere,
        "image/png",
        png(2, 2, false),
    )
    .await;
    assert_eq!(status, 404, "an inspection of another venue");
    // The second photo fits, a third does not.
    let (status, _) = add_photo(
        &app,
        Some(ADMIN_TOKEN),
        &path,
        "image/png",
        png(2, 2, false),
    )
    .await;
    assert_eq!(status, 201);
    let (status, body) = add_photo(
        &app,
        Some(ADMIN_TOKEN),
        &path,
        "image/png",
        png(2, 2, false),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["type"].as_str().unwrap().ends_with("too-many-photos"));
    assert_eq!(app.count("inspection_photos").await, 2);
    assert_eq!(app.uploaded_files().len(), 2, "{:?}", app.uploaded_files());

    // Served to the regulators over the venue only.
    let photo = format!("/console/venues/{venue_id}/inspections/{inspection_id}/photos/{photo_id}");
    let prefecture = regulator(&app, "bz-reg", "652800").await;
    let served = prefecture.download(&photo).await;
    assert_eq!(served.status, 200);
    assert_eq!(served.content_type, "image/jpeg");
    assert_eq!(served.bytes, jpeg());
    let changji_person = regulator(&app, "cj-reg", "652300").await;
    let refused = changji_person.get_page(&photo).await;
    assert_eq!(refused.status, 404, "another region: not found");
    assert_ne!(
        refused.header("content-type").as_deref(),
        Some("image/jpeg")
    );
    app.create_person("front-desk", "venue_staff", None, &[venue_id])
        .await;
    let staff = app.sign_in("front-desk").await;
    let refused = staff.download(&photo).await;
    assert_eq!(refused.status, 403, "venue staff, even of this venue");
    assert_ne!(refused.bytes, jpeg());
    let anonymous = app.get(&photo).await;
    assert_eq!(anonymous.status(), 303);
    assert_eq!(anonymous.headers()["location"], "/login");
    // The same photo under another inspection or venue is nothing.
    for wrong in [
        format!(
            "/console/venues/{}/inspections/{inspection_id}/photos/{photo_id}",
            other["id"]
        ),
        format!(
            "/console/venues/{venue_id}/inspections/{}/photos/{photo_id}",
            inspection_id + 1
        ),
        format!(
            "/console/venues/{venue_id}/inspections/{inspection_id}/photos/{}",
            photo_id + 100
        ),
        format!("/console/venues/{venue_id}/inspections/{inspection_id}/photos/x"),
    ] {
        assert_eq!(prefecture.get_page(&wrong).await.status, 404, "{wrong}");
    }
}

#[tokio::test]
async fn the_draw_form_draws_in_scope_and_its_page_lists_the_venues_with_their_weights() {
    let app = spawn_app().await;
    for i in 0..5 {
        app.create_venue(&format!("宾馆{i}"), "652801", "hotel")
            .await;
    }
    app.create_venue("昌吉宾馆", "652301", "hotel").await;
    let prefecture = regulator(&app, "bz-reg", "652800").await;

    let page = prefecture
        .get_page("/console/inspection-draws?lang=en")
        .await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.says("Division-of-labour clause 25"));
    assert!(page.exists("#draw-form select#region_code option[value='652801']"));
    assert!(!page.exists("#draw-form select#region_code option[value='652301']"));
    assert!(
        page.exists("a[href='/console/inspection-draws']"),
        "in the header"
    );

    let draw_form = |count: &'static str, region: &'static str, pool: &'static str| {
        vec![
            ("count", count),
            ("region_code", region),
            ("inspectors", pool),
            ("inspectors_per_visit", "2"),
            ("seed", "42"),
        ]
    };
    let made = prefecture
        .post_form(
            "/console/inspection-draws?lang=en",
            &draw_form("3", "652801", "张三\r\n李四\r\n王五\r\n"),
        )
        .await;
    assert_eq!(made.status(), 303);
    let location = made.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/console/inspection-draws/") && location.contains("notice=draw"),
        "{location}"
    );
    let draw = prefecture.get_page(&location).await;
    assert_eq!(draw.status, 200, "{draw:?}");
    assert_eq!(draw.count("#picks-table tbody tr"), 3);
    assert!(draw.texts("#draw-facts dd").contains(&"42".to_owned()));
    // No complaints yet: the weight is the tier's (B 2 once graded, 1 before).
    let weights = draw.texts("#picks-table tbody td:nth-child(4)");
    let reasons = draw.texts("#picks-table tbody td:nth-child(5)");
    for (weight, reason) in weights.iter().zip(&reasons) {
        assert!(
            reason == &format!("tier B: {weight}")
                || reason == &format!("not graded yet: {weight}"),
            "{weight}: {reason}"
        );
    }
    let record = draw.attrs("a.record-visit", "href");
    assert_eq!(record.len(), 3);
    let form = prefecture.get_page(&record[0]).await;
    assert_eq!(form.status, 200, "{form:?}");
    let inspectors = form.form_value("#inspected_by");
    assert_eq!(inspectors.split('、').count(), 2, "{inspectors}");

    // The same seed replays the same draw; the JSON route agrees.
    let id = location
        .trim_start_matches("/console/inspection-draws/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let (status, stored) = call(
        &app,
        Method::GET,
        &format!("/api/v1/inspection-draws/{id}"),
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(stored["seed"], 42);
    assert_eq!(stored["picks"].as_array().unwrap().len(), 3);
    for pick in stored["picks"].as_array().unwrap() {
        assert_eq!(pick["complaint_weight"], 0, "{pick}");
        assert_eq!(pick["tier_weight"], pick["weight"], "{pick}");
    }

    // The list shows it, and downloads hold the same table.
    let list = prefecture
        .get_page("/console/inspection-draws?lang=en")
        .await;
    let (_, rows) =
        crate::console::downloads_match_the_page(&prefecture, &list.body, "draws").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], id);
    assert_eq!(rows[0][5], "3", "visits drawn");

    // Refused: each fault beside its field; no draw stored.
    for (fields, status, marked) in [
        (draw_form("many", "652801", "张三"), 422, "#count-error"),
        (draw_form("0", "652801", "张三"), 422, "#count-error"),
        (draw_form("2", "652801", " \n "), 422, "#pool-error"),
        (draw_form("2", "652801", "张三\n张三"), 422, "#pool-error"),
        (draw_form("2", "652301", "张三\n李四"), 403, "#region-error"),
    ] {
        let page = prefecture
            .post_page("/console/inspection-draws?lang=en", &fields)
            .await;
        assert_eq!(page.status, status, "{fields:?}: {page:?}");
        assert!(page.exists(marked), "{fields:?}: {page:?}");
        assert!(page.exists("#draw-error"));
    }
    let without_token = prefecture
        .post_exact(
            "/console/inspection-draws",
            &draw_form("3", "652801", "张三\n李四"),
        )
        .await;
    assert_eq!(without_token.status(), 403);
    assert_eq!(app.count("inspection_draws").await, 1);
    assert_eq!(audited(&app, "inspection.draw").await, 1);
}

#[tokio::test]
async fn every_new_console_route_refuses_anonymous_people_venue_staff_and_other_regions() {
    let app = spawn_app().await;
    let venue_id = app.hotel().await["id"].as_i64().unwrap();
    let elsewhere = app.create_venue("昌吉宾馆", "652301", "hotel").await["id"]
        .as_i64()
        .unwrap();
    let korla = regulator(&app, "korla", "652801").await;
    let page = post_form(
        &app,
        &korla,
        venue_id,
        &form_fields(&app, 10),
        &[Upload {
            name: "a.png",
            content_type: "image/png",
            bytes: png(3, 3, false),
        }],
        true,
    )
    .await;
    assert_eq!(page.status, 303, "{page:?}");
    let (inspection_id, photo_id): (i64, i64) =
        sqlx::query_as("SELECT inspection_id, id FROM inspection_photos")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let made = korla
        .post_form(
            "/console/inspection-draws",
            &[
                ("count", "1"),
                ("region_code", "652801"),
                ("inspectors", "张三"),
                ("inspectors_per_visit", "1"),
            ],
        )
        .await;
    assert_eq!(made.status(), 303);
    let draw_id: i64 = sqlx::query_scalar("SELECT id FROM inspection_draws")
        .fetch_one(&app.pool)
        .await
        .unwrap();

    let changji = regulator(&app, "cj-reg", "652300").await;
    app.create_person("other-desk", "venue_staff", None, &[elsewhere])
        .await;
    let staff = app.sign_in("other-desk").await;
    let form_path = format!("/console/venues/{venue_id}/inspections/new");
    let record_path = format!("/console/venues/{venue_id}/inspections");
    let photo_path =
        format!("/console/venues/{venue_id}/inspections/{inspection_id}/photos/{photo_id}");
    let draw_path = format!("/console/inspection-draws/{draw_id}");

    // Anonymous: sent to sign in, on every new route.
    for path in [&form_path, &photo_path, &draw_path] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(response.headers()["location"], "/login");
    }
    let response = app.get("/console/inspection-draws").await;
    assert_eq!(response.status(), 303);
    for path in [&record_path, &"/console/inspection-draws".to_owned()] {
        let response = app
            .client
            .post(format!("{}{path}", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("count=1")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{path}");
    }

    // Venue staff of another venue: not for their role.
    for path in [
        &form_path,
        &photo_path,
        &draw_path,
        &"/console/inspection-draws".to_owned(),
    ] {
        assert_eq!(staff.get_page(path).await.status, 403, "{path}");
    }
    let csrf = staff.csrf().await;
    for path in [&record_path, &"/console/inspection-draws".to_owned()] {
        let response = staff
            .post_exact(path, &[("csrf_token", &csrf), ("count", "1")])
            .await;
        assert_eq!(response.status(), 403, "{path}");
    }

    // A regulator of another region: the venue, its inspection, its photo
    // and the draw are not found; the list shows no draw of Korla, and a
    // draw of Korla is refused.
    for path in [&form_path, &photo_path, &draw_path] {
        let page = changji.get_page(path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(!page.says("孔雀河酒店"), "{path}");
    }
    let recorded = post_form(&app, &changji, venue_id, &form_fields(&app, 10), &[], true).await;
    assert_eq!(recorded.status, 404, "{recorded:?}");
    let list = changji.get_page("/console/inspection-draws?lang=en").await;
    assert_eq!(list.status, 200);
    assert!(!list.exists("#draws-table"), "{list:?}");
    let refused = changji
        .post_page(
            "/console/inspection-draws?lang=en",
            &[
                ("count", "1"),
                ("region_code", "652801"),
                ("inspectors", "王五"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403, "{refused:?}");
    let csv = changji.download("/console/inspection-draws.csv").await;
    assert_eq!(csv.status, 200);
    assert!(!csv.text().contains("652801"), "{}", csv.text());

    assert_eq!(app.count("inspections").await, 1);
    assert_eq!(app.count("inspection_draws").await, 1);
}
