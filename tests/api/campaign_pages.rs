//! Demonstration-unit campaigns through the console pages (微笑新疆
//! 示范单位推荐, regulators' requirements section C): a prefecture creates a
//! campaign with the quota file uploaded (refused settings beside their
//! fields, quota-file faults by row and column, nothing written); a county
//! confirms, swaps with a reason and submits; the prefecture confirms the
//! list and awards; the forms download; every new route answers each role
//! by its scope.

use std::io::Cursor;

use calamine::{Reader, Xlsx, open_workbook_from_rs};
use chrono::{Datelike, Duration, NaiveDate};
use reqwest::Method;
use serde_json::json;

use crate::common::{
    ADMIN_TOKEN, Page, Person, TestApp, bare_client, call, session_header, spawn_app,
};

fn day(app: &TestApp, offset: i64) -> NaiveDate {
    app.clock.today() + Duration::days(offset)
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

/// A campaign of Bayingolin's hotels with a quota of 2 for Korla (652801)
/// and 1 for Yanqi (652826), created over the API.
async fn campaign(app: &TestApp) -> i64 {
    let (status, body) = call(
        app,
        Method::POST,
        "/api/v1/campaigns",
        ADMIN_TOKEN,
        Some(json!({
            "prefecture_code": "652800",
            "name": "2026年“微笑新疆”示范单位推荐",
            "year": 2026,
            "categories": ["hotel"],
            "deadline": day(app, 30).to_string(),
            "period_start": day(app, -90).to_string(),
            "period_end": day(app, 0).to_string(),
            "weights": {"environment": 0.3, "skill": 0.3, "attitude": 0.4},
            "min_ratings": 5,
            "quotas_csv": "region_code,name_zh,quota,note\n652801,库尔勒市,2,\n",
        })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}

/// Posts the create form as a browser does, the quota file a part of it.
async fn upload(app: &TestApp, person: &Person, fields: &[(&str, &str)], csv: &str) -> Page {
    let csrf = person.csrf().await;
    let boundary = "qrf-campaign-boundary-31";
    let mut body = String::new();
    for (name, value) in [("csrf_token", csrf.as_str())].iter().chain(fields) {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"quotas\"; filename=\"quotas.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    ));
    let response = bare_client()
        .post(format!("{}/console/campaigns?lang=en", app.address))
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

#[tokio::test]
async fn a_prefecture_creates_a_campaign_from_an_uploaded_quota_file_and_a_bad_form_writes_nothing()
{
    let app = spawn_app().await;
    let bayingolin = app
        .supervisor("bayingolin", "regulator", Some("652800"))
        .await;
    let page = bayingolin.get_page("/console/campaigns?lang=en").await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.says("No campaigns in your region."));
    assert!(page.select_text("#campaign-basis").contains("section C"));
    assert!(
        page.exists(
            "form#create-form[enctype='multipart/form-data'] input[type=file][name=quotas]"
        )
    );
    assert!(
        page.exists("a[href^='/console/campaigns']"),
        "linked from the navigation"
    );

    let (start, end, deadline) = (
        day(&app, -90).to_string(),
        day(&app, 0).to_string(),
        day(&app, 30).to_string(),
    );
    let form = |weights: [&'static str; 3]| {
        vec![
            ("prefecture_code", "652800"),
            ("name", "2026年示范单位推荐"),
            ("year", "2026"),
            ("categories", "hotel"),
            ("period_start", start.as_str()),
            ("period_end", end.as_str()),
            ("deadline", deadline.as_str()),
            ("weight_environment", weights[0]),
            ("weight_skill", weights[1]),
            ("weight_attitude", weights[2]),
            ("min_ratings", "10"),
            ("excluded_award_years", "2021"),
        ]
    };
    let good_csv = "region_code,name_zh,quota,note\n652800,州直,8,\n652801,库尔勒市,35,\n";
    let campaigns = || count(&app, "SELECT count(*) FROM campaigns");

    // Weights that do not sum to 1: beside the weights, the name kept.
    let refused = upload(&app, &bayingolin, &form(["0.5", "0.5", "0.5"]), good_csv).await;
    assert_eq!(refused.status, 422, "{refused:?}");
    assert!(refused.select_text("#weights-error").contains("sum to 1"));
    assert_eq!(refused.form_value("#name"), "2026年示范单位推荐");
    assert_eq!(campaigns().await, 0);

    // A quota file with faults: each by row and column, nothing stored.
    let bad_csv =
        "region_code,name_zh,quota,note\n652301,昌吉市,3,\n652801,库尔勒市,0,\n65280,x,1,\n";
    let refused = upload(&app, &bayingolin, &form(["0.3", "0.3", "0.4"]), bad_csv).await;
    assert_eq!(refused.status, 422, "{refused:?}");
    let cells = refused.texts("#quota-faults-table tbody td");
    assert_eq!(cells.len(), 9, "{cells:?}");
    assert_eq!((cells[0].as_str(), cells[1].as_str()), ("2", "region_code"));
    assert_eq!((cells[3].as_str(), cells[4].as_str()), ("3", "quota"));
    assert_eq!((cells[6].as_str(), cells[7].as_str()), ("4", "region_code"));
    // In the page's words, with the values.
    assert_eq!(cells[2], "652301 lies outside the prefecture 652800.");
    assert_eq!(cells[5], "“0” is not a whole number above zero.");
    assert_eq!(cells[8], "“65280” is not a six-digit region code.");
    assert_eq!(campaigns().await, 0);
    assert_eq!(count(&app, "SELECT count(*) FROM campaign_quotas").await, 0);

    // No file at all.
    let csrf = bayingolin.csrf().await;
    let no_file = bayingolin
        .post_page(
            "/console/campaigns?lang=en",
            &[("csrf_token", csrf.as_str()), ("name", "x")],
        )
        .await;
    assert_eq!(no_file.status, 422, "{no_file:?}");
    assert!(no_file.exists("#quotas-error"));
    assert_eq!(campaigns().await, 0);

    // Without the form token: refused, nothing stored.
    let forged = bayingolin
        .post_exact("/console/campaigns", &[("name", "x")])
        .await;
    assert_eq!(forged.status(), 403);

    // The good form: to the campaign, audited.
    let created = upload(&app, &bayingolin, &form(["30", "30", "40"]), good_csv).await;
    assert_eq!(created.status, 303, "{created:?}");
    assert!(
        created.location.starts_with("/console/campaigns/"),
        "{}",
        created.location
    );
    assert!(created.location.contains("notice=campaign-created"));
    assert_eq!(campaigns().await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit_log WHERE action = 'campaign.create'"
        )
        .await,
        1
    );
    let shown = bayingolin.get_page(&created.location).await;
    assert_eq!(shown.status, 200, "{shown:?}");
    assert_eq!(shown.texts("#quotas-table tbody tr").len(), 2);
    let list = bayingolin.get_page("/console/campaigns?lang=zh-CN").await;
    assert!(
        list.select_text("#campaigns-table")
            .contains("2026年示范单位推荐")
    );
    assert!(list.says("示范单位推荐"));
}

#[tokio::test]
async fn a_county_confirms_swaps_and_submits_and_the_prefecture_confirms_and_awards() {
    let app = spawn_app().await;
    let best = app.rated_hotel("孔雀河大酒店", "652801", 10, 5).await;
    let second = app.rated_hotel("梨城宾馆", "652801", 10, 4).await;
    let third = app.rated_hotel("天鹅湖酒店", "652801", 10, 3).await;
    let id = campaign(&app).await;
    let korla = app.supervisor("korla", "regulator", Some("652801")).await;
    let bayingolin = app
        .supervisor("bayingolin", "regulator", Some("652800"))
        .await;
    let page_path = format!("/console/campaigns/{id}?lang=en");

    // The county's page opens on its own region: ranked with reasons.
    let page = korla.get_page(&page_path).await;
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(page.texts("#ranked-table tbody tr").len(), 3);
    assert!(page.exists(&format!("#candidate-{best} .badge")));
    assert!(page.exists(&format!("#candidate-{second} .badge")));
    assert!(!page.exists(&format!("#candidate-{third} .badge")));
    assert!(
        page.select_text(&format!("#candidate-{best}"))
            .contains("Environment 100.0")
    );
    assert!(!page.exists("#award"), "no award form for a county");
    assert_eq!(page.attrs("#forms a", "href").len(), 4);

    let base = format!("/console/campaigns/{id}/regions/652801");
    let nominate = format!("{base}/nominations?lang=en");
    let confirmed = korla
        .post_form(&nominate, &[("venue_id", &best.to_string())])
        .await;
    assert_eq!(confirmed.status(), 303);

    // A swap without its reason: beside the field, nothing written.
    let swap = [
        ("venue_id", third.to_string()),
        ("replaces_venue_id", second.to_string()),
    ];
    let refused = korla
        .post_page(
            &nominate,
            &[("venue_id", &swap[0].1), ("replaces_venue_id", &swap[1].1)],
        )
        .await;
    assert_eq!(refused.status, 422, "{refused:?}");
    assert!(refused.exists("#swap-reason-error"));
    let confirmed_count = || {
        count(
            &app,
            "SELECT count(*) FROM campaign_nominations WHERE state = 'confirmed'",
        )
    };
    assert_eq!(confirmed_count().await, 1);
    let swapped = korla
        .post_form(
            &nominate,
            &[
                ("venue_id", &swap[0].1),
                ("replaces_venue_id", &swap[1].1),
                ("reason", "明察暗访中服务更好"),
            ],
        )
        .await;
    assert_eq!(swapped.status(), 303);
    assert_eq!(confirmed_count().await, 2);
    let page = korla.get_page(&page_path).await;
    assert!(
        page.select_text(&format!("#listed-{third}"))
            .contains("明察暗访中服务更好")
    );

    let submitted = korla
        .post_form(&format!("{base}/submit?lang=en"), &[])
        .await;
    assert_eq!(submitted.status(), 303);
    let page = korla.get_page(&page_path).await;
    assert!(page.exists("#list-locked"));
    assert!(!page.exists("#submit-form"));

    // The prefecture: award waits until the list is confirmed.
    let page = bayingolin.get_page(&page_path).await;
    assert!(page.exists("#award-waiting"));
    assert!(page.exists("#review-652801"));
    let reviewed = bayingolin
        .post_form(
            &format!("{base}/review?lang=en"),
            &[("decision", "confirmed"), ("reason", "")],
        )
        .await;
    assert_eq!(reviewed.status(), 303);
    let page = bayingolin.get_page(&page_path).await;
    assert_eq!(
        page.attr("#quota-652801", "data-state").as_deref(),
        Some("confirmed")
    );
    let awarded = bayingolin
        .post_form(&format!("/console/campaigns/{id}/award?lang=en"), &[])
        .await;
    assert_eq!(awarded.status(), 303);
    let page = bayingolin.get_page(&page_path).await;
    assert!(page.exists("#awarded"), "{page:?}");
    assert!(
        page.select_text("#awarded").contains("by bayingolin"),
        "{page:?}"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM campaigns WHERE awarded_at IS NOT NULL"
        )
        .await,
        1
    );
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'campaign.%' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "campaign.create",
            "campaign.nominate",
            "campaign.nominate",
            "campaign.submit",
            "campaign.review",
            "campaign.award"
        ]
    );

    // 附件4 read back: the two units of the list.
    let file = bayingolin
        .download(&format!("/console/campaigns/{id}/forms/unit-summary.xlsx"))
        .await;
    assert_eq!(file.status, 200);
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(file.bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<String> = sheet.cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(cells.iter().any(|c| c == "孔雀河大酒店"), "{cells:?}");
    assert!(cells.iter().any(|c| c == "天鹅湖酒店"), "{cells:?}");
    assert!(!cells.iter().any(|c| c == "梨城宾馆"), "{cells:?}");
}

#[tokio::test]
async fn every_campaign_page_route_answers_each_role_by_its_scope() {
    let app = spawn_app().await;
    let venue = app.rated_hotel("孔雀河大酒店", "652801", 10, 5).await;
    let venue_json = json!({"id": venue});
    let id = campaign(&app).await;
    let root = app.supervisor("root", "admin", None).await;
    let bayingolin = app
        .supervisor("bayingolin", "regulator", Some("652800"))
        .await;
    let korla = app.supervisor("korla", "regulator", Some("652801")).await;
    let yanqi = app.supervisor("yanqi", "regulator", Some("652826")).await;
    let changji = app.supervisor("changji", "regulator", Some("652300")).await;
    app.venue_staff("desk", &[&venue_json]).await;
    let desk = app
        .session_for("desk", crate::common::ACCOUNT_PASSWORD)
        .await;

    let detail = format!("/console/campaigns/{id}");
    let region = format!("{detail}/regions/652801");
    let form = format!("{detail}/forms/unit-summary.xlsx");

    // Reading: the list and the campaign.
    for person in [&root, &bayingolin, &korla, &yanqi] {
        assert_eq!(person.get_page("/console/campaigns").await.status, 200);
        assert_eq!(person.get_page(&detail).await.status, 200);
        assert_eq!(person.download(&form).await.status, 200);
    }
    assert_eq!(changji.get_page("/console/campaigns").await.status, 200);
    assert_eq!(changji.get_page(&detail).await.status, 404);
    assert_eq!(changji.download(&form).await.status, 404);
    assert_eq!(desk.get_page("/console/campaigns").await.status, 403);
    assert_eq!(desk.get_page(&detail).await.status, 403);
    assert_eq!(desk.download(&form).await.status, 403);
    // Another county sees the campaign but not Korla's proposals.
    let other = yanqi.get_page(&format!("{detail}?region=652801")).await;
    assert!(!other.exists("#proposals"));
    assert!(korla.get_page(&detail).await.exists("#proposals"));
    // A county creates no campaign.
    assert!(
        !korla
            .get_page("/console/campaigns")
            .await
            .exists("#create-form")
    );
    assert!(
        bayingolin
            .get_page("/console/campaigns")
            .await
            .exists("#create-form")
    );
    assert!(
        root.get_page("/console/campaigns")
            .await
            .exists("#create-form")
    );

    let nominations = || {
        count(
            &app,
            "SELECT count(*) FROM campaign_nominations WHERE state = 'confirmed'",
        )
    };
    let venue_field = venue.to_string();
    let nominate = format!("{region}/nominations");
    let remove = format!("{region}/nominations/{venue}/remove");
    let submit = format!("{region}/submit");
    let review = format!("{region}/review");
    let award = format!("{detail}/award");

    // Changing Korla's list: not another county, prefecture or staff.
    assert_eq!(
        yanqi
            .post_form(&nominate, &[("venue_id", &venue_field)])
            .await
            .status(),
        403
    );
    assert_eq!(
        changji
            .post_form(&nominate, &[("venue_id", &venue_field)])
            .await
            .status(),
        404
    );
    assert_eq!(
        desk.post_form(&nominate, &[("venue_id", &venue_field)])
            .await
            .status(),
        403
    );
    assert_eq!(nominations().await, 0);
    for person in [&root, &bayingolin] {
        assert_eq!(
            person
                .post_form(&nominate, &[("venue_id", &venue_field)])
                .await
                .status(),
            303
        );
        assert_eq!(
            person
                .post_form(&remove, &[("reason", "复核")])
                .await
                .status(),
            303
        );
    }
    assert_eq!(
        korla
            .post_form(&nominate, &[("venue_id", &venue_field)])
            .await
            .status(),
        303
    );
    assert_eq!(
        yanqi.post_form(&remove, &[("reason", "x")]).await.status(),
        403
    );
    assert_eq!(
        changji
            .post_form(&remove, &[("reason", "x")])
            .await
            .status(),
        404
    );
    assert_eq!(
        desk.post_form(&remove, &[("reason", "x")]).await.status(),
        403
    );
    assert_eq!(nominations().await, 1);
    assert_eq!(yanqi.post_form(&submit, &[]).await.status(), 403);
    assert_eq!(changji.post_form(&submit, &[]).await.status(), 404);
    assert_eq!(desk.post_form(&submit, &[]).await.status(), 403);
    assert_eq!(korla.post_form(&submit, &[]).await.status(), 303);

    // Reviewing and awarding: the prefecture (or an admin) only.
    let confirm = [("decision", "confirmed")];
    for person in [&korla, &yanqi, &desk] {
        assert_eq!(person.post_form(&review, &confirm).await.status(), 403);
        assert_eq!(person.post_form(&award, &[]).await.status(), 403);
    }
    assert_eq!(changji.post_form(&review, &confirm).await.status(), 404);
    assert_eq!(changji.post_form(&award, &[]).await.status(), 404);
    // Sending back needs a reason.
    let no_reason = bayingolin
        .post_page(&format!("{review}?lang=en"), &[("decision", "sent_back")])
        .await;
    assert_eq!(no_reason.status, 422, "{no_reason:?}");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit_log WHERE action = 'campaign.review'"
        )
        .await,
        0
    );
    assert_eq!(root.post_form(&review, &confirm).await.status(), 303);
    assert_eq!(bayingolin.post_form(&award, &[]).await.status(), 303);

    // Anonymous: to the sign-in page, every route.
    let anonymous = bare_client();
    for path in ["/console/campaigns", detail.as_str(), form.as_str()] {
        let response = anonymous
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(response.headers()["location"], "/login", "{path}");
    }
    for path in [
        "/console/campaigns",
        nominate.as_str(),
        remove.as_str(),
        submit.as_str(),
        review.as_str(),
        award.as_str(),
    ] {
        let response = anonymous
            .post(format!("{}{path}", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("venue_id=1&reason=x&decision=confirmed")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(response.headers()["location"], "/login", "{path}");
    }
}

/// Confirms `venue` on Korla's list of campaign `id` over the API.
async fn confirm_over_api(app: &TestApp, id: i64, venue: i64) {
    let (status, body) = call(
        app,
        Method::POST,
        &format!("/api/v1/campaigns/{id}/regions/652801/nominations"),
        ADMIN_TOKEN,
        Some(json!({"venue_id": venue})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn a_nominated_venue_writes_its_deeds_and_names_its_ambassador_on_its_dashboard() {
    let app = spawn_app().await;
    let venue = app.rated_hotel("孔雀河大酒店", "652801", 10, 5).await;
    let other = app.rated_hotel("梨城宾馆", "652801", 10, 4).await;
    let id = campaign(&app).await;
    app.venue_staff("desk", &[&json!({"id": venue})]).await;
    app.venue_staff("neighbour", &[&json!({"id": other})]).await;
    let desk = app
        .session_for("desk", crate::common::ACCOUNT_PASSWORD)
        .await;
    let neighbour = app
        .session_for("neighbour", crate::common::ACCOUNT_PASSWORD)
        .await;
    let dashboard = format!("/dashboard/venues/{venue}?lang=en");

    // Not on a list: no part at all.
    let page = desk.get_page(&dashboard).await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(!page.exists("#demonstration"));

    confirm_over_api(&app, id, venue).await;
    let page = desk.get_page(&dashboard).await;
    assert!(page.exists(&format!("#campaign-{id}")), "{page:?}");
    assert!(
        page.select_text(&format!("#campaign-{id} h3"))
            .contains("2026")
    );
    assert_eq!(
        page.select_text(&format!("#campaign-{id} .list-state")),
        "The county's list: Open"
    );
    assert!(
        page.select_text(&format!("#ambassador-line-{id}"))
            .contains("No ambassador")
    );

    // Deeds too short: beside the field with the count, nothing stored.
    let deeds_path = format!("/dashboard/venues/{venue}/campaigns/{id}/deeds?lang=en");
    let short = "服务周到".repeat(10);
    let refused = desk.post_page(&deeds_path, &[("deeds", &short)]).await;
    assert_eq!(refused.status, 422, "{refused:?}");
    assert!(
        refused
            .select_text(&format!("#deeds-error-{id}"))
            .contains("this has 40"),
        "{refused:?}"
    );
    assert_eq!(refused.select_text(&format!("#deeds-{id}")), short);
    let stored_deeds = || {
        count(
            &app,
            "SELECT count(*) FROM campaign_nominations WHERE deeds IS NOT NULL",
        )
    };
    assert_eq!(stored_deeds().await, 0);
    let deeds = "热情接待每一位游客，".repeat(31);
    let saved = desk.post_form(&deeds_path, &[("deeds", &deeds)]).await;
    assert_eq!(saved.status(), 303);
    let location = saved.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("notice=deeds-saved"), "{location}");
    assert!(location.ends_with(&format!("#campaign-{id}")), "{location}");
    assert_eq!(stored_deeds().await, 1);
    let page = desk.get_page(&dashboard).await;
    assert_eq!(page.select_text(&format!("#deeds-{id}")), deeds);

    // The ambassador: every fault at once, beside its field.
    let ambassador_path = format!("/dashboard/venues/{venue}/campaigns/{id}/ambassador?lang=en");
    let refused = desk
        .post_page(
            &ambassador_path,
            &[
                ("name", ""),
                ("post", "前台主管"),
                ("phone", "call me"),
                ("address", ""),
                ("ambassador_deeds", "太短"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{refused:?}");
    for field in ["name", "phone", "deeds"] {
        assert!(
            refused.exists(&format!("#ambassador-{field}-error-{id}")),
            "{field}: {refused:?}"
        );
    }
    assert!(!refused.exists(&format!("#ambassador-post-error-{id}")));
    assert_eq!(
        refused
            .attr(&format!("#ambassador-post-{id}"), "value")
            .as_deref(),
        Some("前台主管")
    );
    // The other form keeps what is stored.
    assert_eq!(refused.select_text(&format!("#deeds-{id}")), deeds);
    let ambassador_deeds = "用心服务，微笑待客，".repeat(32);
    let fields = [
        ("name", "阿依古丽"),
        ("post", "前台主管"),
        ("phone", "0996-2012345"),
        ("address", "库尔勒市人民东路1号"),
        ("ambassador_deeds", ambassador_deeds.as_str()),
    ];
    let saved = desk.post_form(&ambassador_path, &fields).await;
    assert_eq!(saved.status(), 303);
    let page = desk.get_page(&dashboard).await;
    assert!(
        page.select_text(&format!("#ambassador-line-{id}"))
            .contains("阿依古丽, 前台主管")
    );
    let named: (String, Option<String>) = sqlx::query_as(
        "SELECT ambassador_name, ambassador_phone FROM campaign_nominations WHERE venue_id = $1",
    )
    .bind(venue)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        named,
        ("阿依古丽".to_owned(), Some("0996-2012345".to_owned()))
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit_log WHERE action IN ('campaign.deeds', 'campaign.ambassador')"
        )
        .await,
        2
    );

    // The JSON list of the venue's nominations: its staff, not a neighbour's.
    let staff_token = app
        .api_token(json!({"name": "desk", "role": "venue_staff", "venue_ids": [venue]}))
        .await;
    let neighbour_token = app
        .api_token(json!({"name": "next", "role": "venue_staff", "venue_ids": [other]}))
        .await;
    let list_path = format!("/api/v1/venues/{venue}/nominations");
    let (status, list) = call(&app, Method::GET, &list_path, &staff_token, None).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list[0]["campaign_id"], id);
    assert_eq!(list[0]["ambassador"]["name"], "阿依古丽");
    assert_eq!(list[0]["list_state"], "open");
    let (status, _) = call(&app, Method::GET, &list_path, &neighbour_token, None).await;
    assert_eq!(status, 404);

    // Another venue's staff: the address is not theirs, nothing changes.
    let page = neighbour.get_page(&dashboard).await;
    assert_eq!(page.status, 404);
    let theirs = neighbour.post_form(&deeds_path, &[("deeds", &deeds)]).await;
    assert_eq!(theirs.status(), 404);
    let theirs = neighbour.post_form(&ambassador_path, &fields).await;
    assert_eq!(theirs.status(), 404);
    // A venue not on the list: 404 for its own address too.
    let not_listed = neighbour
        .post_form(
            &format!("/dashboard/venues/{other}/campaigns/{id}/deeds?lang=en"),
            &[("deeds", &deeds)],
        )
        .await;
    assert_eq!(not_listed.status(), 404);

    // Awarded: the part tells the day and the status, the forms are gone
    // and a form posted from an old page is refused with the reason.
    let korla_list = format!("/api/v1/campaigns/{id}/regions/652801");
    for (path, body) in [
        (format!("{korla_list}/submit"), None),
        (
            format!("{korla_list}/review"),
            Some(json!({"decision": "confirmed"})),
        ),
        (format!("/api/v1/campaigns/{id}/award"), None),
    ] {
        let (status, answer) = call(&app, Method::POST, &path, ADMIN_TOKEN, body).await;
        assert!((200..300).contains(&status), "{path}: {answer}");
    }
    let page = desk.get_page(&dashboard).await;
    assert!(
        page.select_text(&format!("#awarded-{id}"))
            .contains(&format!("until {}-12-31", app.clock.today().year() + 1)),
        "{page:?}"
    );
    assert!(!page.exists(&format!("#deeds-form-{id}")));
    let late = desk.post_page(&deeds_path, &[("deeds", &deeds)]).await;
    assert_eq!(late.status, 422, "{late:?}");
    assert!(late.exists("[role=alert]"));
    let (status, _) = call(
        &app,
        Method::PUT,
        &format!("/api/v1/campaigns/{id}/nominations/{venue}/deeds"),
        ADMIN_TOKEN,
        Some(json!({"deeds": deeds})),
    )
    .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn the_units_dashboard_forms_answer_each_role_by_its_scope() {
    let app = spawn_app().await;
    let venue = app.rated_hotel("孔雀河大酒店", "652801", 10, 5).await;
    let id = campaign(&app).await;
    confirm_over_api(&app, id, venue).await;
    let root = app.supervisor("root", "admin", None).await;
    let bayingolin = app
        .supervisor("bayingolin", "regulator", Some("652800"))
        .await;
    let korla = app.supervisor("korla", "regulator", Some("652801")).await;
    let yanqi = app.supervisor("yanqi", "regulator", Some("652826")).await;
    let changji = app.supervisor("changji", "regulator", Some("652300")).await;
    let deeds_path = format!("/dashboard/venues/{venue}/campaigns/{id}/deeds");
    let ambassador_path = format!("/dashboard/venues/{venue}/campaigns/{id}/ambassador");
    let deeds = "服务热情，环境整洁，".repeat(31);
    let ambassador_deeds = "耐心细致，热心助人，".repeat(31);
    let ambassador = [
        ("name", "古丽"),
        ("post", "前台接待"),
        ("ambassador_deeds", ambassador_deeds.as_str()),
    ];
    let audited = || {
        count(
            &app,
            "SELECT count(*) FROM audit_log WHERE action IN ('campaign.deeds', 'campaign.ambassador')",
        )
    };

    // Outside the venue's region: the address is not theirs.
    for person in [&yanqi, &changji] {
        assert_eq!(
            person
                .get_page(&format!("/dashboard/venues/{venue}"))
                .await
                .status,
            404
        );
        assert_eq!(
            person
                .post_form(&deeds_path, &[("deeds", &deeds)])
                .await
                .status(),
            404
        );
        assert_eq!(
            person
                .post_form(&ambassador_path, &ambassador)
                .await
                .status(),
            404
        );
    }
    assert_eq!(audited().await, 0);
    // Over the venue: the county, the prefecture, an admin.
    for person in [&korla, &bayingolin, &root] {
        assert!(
            person
                .get_page(&format!("/dashboard/venues/{venue}?lang=en"))
                .await
                .exists(&format!("#deeds-form-{id}"))
        );
        assert_eq!(
            person
                .post_form(&deeds_path, &[("deeds", &deeds)])
                .await
                .status(),
            303
        );
        assert_eq!(
            person
                .post_form(&ambassador_path, &ambassador)
                .await
                .status(),
            303
        );
    }
    assert_eq!(audited().await, 6);
    // Without the form token: refused, nothing written.
    assert_eq!(
        korla
            .post_exact(&deeds_path, &[("deeds", &deeds)])
            .await
            .status(),
        403
    );
    // Anonymous: to the sign-in page.
    for path in [&deeds_path, &ambassador_path] {
        let response = bare_client()
            .post(format!("{}{path}", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("deeds=x")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(response.headers()["location"], "/login", "{path}");
    }
    assert_eq!(audited().await, 6);
    // The JSON list: the venue's regulators and admins, not another county's.
    let list = format!("/api/v1/venues/{venue}/nominations");
    for (token, status) in [
        (
            app.api_token(json!({"name": "bz", "role": "regulator", "region_code": "652800"}))
                .await,
            200,
        ),
        (
            app.api_token(json!({"name": "yq", "role": "regulator", "region_code": "652826"}))
                .await,
            404,
        ),
        (ADMIN_TOKEN.to_owned(), 200),
    ] {
        assert_eq!(call(&app, Method::GET, &list, &token, None).await.0, status);
    }
    assert_eq!(
        call(&app, Method::GET, &list, crate::common::ANONYMOUS, None)
            .await
            .0,
        401
    );
}
