//! The venue dashboard: staff see their own venue only, reply to comments by
//! form (with the session's form token) or JSON, publish a commitment and
//! register a Chief Quality Officer (which reach the public page and the tier
//! inputs), print posters and replace a leaked code; every change is audited.

use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{
    ACCOUNT_PASSWORD, ADMIN_TOKEN, Page, Person, TestApp, bare_client, call, eventually, spawn_app,
};

fn id_of(venue: &Value) -> i64 {
    venue["id"].as_i64().expect("venue id")
}

/// A staff account of `venue`, signed in.
async fn staff_session(app: &TestApp, login: &str, venue: &Value) -> Person {
    app.venue_staff(login, &[venue]).await;
    app.session_for(login, ACCOUNT_PASSWORD).await
}

/// Rates with a comment from a named device; the rating's id.
async fn comment(app: &TestApp, venue: &Value, device: &str, overall: u8, text: &str) -> i64 {
    let response = app
        .post_rating(&json!({
            "code": venue["code"], "device_id": format!("device-{device}"),
            "overall": overall, "comment": text, "tags": ["clean"],
        }))
        .await;
    assert_eq!(response.status(), 201, "rating refused");
    let body: Value = response.json().await.expect("json");
    body["id"].as_i64().expect("rating id")
}

/// A JSON call with a bearer token; status and body.
async fn page_text(response: reqwest::Response) -> String {
    response.text().await.expect("page")
}

async fn count_where(app: &TestApp, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn staff_see_their_own_venue_and_nothing_else() {
    let app = spawn_app().await;
    let ours = app.hotel().await;
    let theirs = app.create_venue("昌吉宾馆", "652301", "hotel").await;
    let (ours_id, theirs_id) = (id_of(&ours), id_of(&theirs));
    let session = staff_session(&app, "korla-desk", &ours).await;

    // Without a session the dashboard leads to the sign-in page.
    let response = bare_client()
        .get(format!("{}/dashboard", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login");

    // One venue: straight to it.
    let response = session.fetch("/dashboard?lang=en").await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("/dashboard/venues/{ours_id}")),
        "{location}"
    );

    let response = session.fetch(&location).await;
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("img-src 'self' data:") && !csp.contains("script-src"));
    let page = Page::read(response).await;
    assert_eq!(page.select_text("h1.venue-name"), "孔雀河酒店");
    assert!(page.exists("svg.trend"), "the trend chart");
    let qr_svg = format!("/api/v1/venues/{ours_id}/qr.svg");
    assert!(
        page.attr("img[src]", "src")
            .is_some_and(|src| src.starts_with(&qr_svg)),
        "{page:?}"
    );
    let links = page.attrs("a[href]", "href");
    let linked = |prefix: String| links.iter().any(|href| href.starts_with(&prefix));
    assert!(
        linked(format!("/api/v1/venues/{ours_id}/qr.png")),
        "{links:?}"
    );
    assert!(
        linked(format!("/dashboard/venues/{ours_id}/poster?size=a4")),
        "{links:?}"
    );
    assert!(
        page.exists(&format!(
            "form[action='/dashboard/venues/{ours_id}/code?lang=en']"
        )),
        "the reissue form"
    );
    assert!(
        !page.exists("input[name=confirmed]"),
        "the reissue button asks to confirm on the next page"
    );
    assert_eq!(
        page.select_text(".code-text"),
        ours["code"].as_str().unwrap()
    );
    assert!(!page.exists("script"));

    // Another venue does not exist for this account, on any of its pages.
    for path in [
        format!("/dashboard/venues/{theirs_id}"),
        format!("/dashboard/venues/{theirs_id}/poster"),
        "/dashboard/venues/999999".to_owned(),
        "/dashboard/venues/abc".to_owned(),
    ] {
        let response = session.fetch(&path).await;
        assert_eq!(response.status(), 404, "{path}");
    }
    let response = session
        .post_form(
            &format!("/dashboard/venues/{theirs_id}/commitment"),
            &[("text", "明码标价")],
        )
        .await;
    assert_eq!(response.status(), 404);
    assert_eq!(app.count("venue_commitments").await, 0);

    // The JSON routes cut to a token's scope the same way.
    let token = app
        .api_token(json!({ "name": "desk", "role": "venue_staff", "venue_ids": [ours_id] }))
        .await;
    let path = |id: i64| format!("/api/v1/venues/{id}/comments");
    let (status, body) = call(&app, reqwest::Method::GET, &path(ours_id), &token, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 0);
    let (status, body) = call(&app, reqwest::Method::GET, &path(theirs_id), &token, None).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["type"], "/problems/not-found");
    let (status, _) = call(
        &app,
        reqwest::Method::PUT,
        &format!("/api/v1/venues/{theirs_id}/commitment"),
        &token,
        Some(json!({ "text": "明码标价" })),
    )
    .await;
    assert_eq!(status, 404);

    // A regulator's token reaches venues in its region, not beyond.
    let bayingolin = app
        .api_token(json!({ "name": "巴州", "role": "regulator", "region_code": "652800" }))
        .await;
    let (status, _) = call(
        &app,
        reqwest::Method::GET,
        &path(ours_id),
        &bayingolin,
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &app,
        reqwest::Method::GET,
        &path(theirs_id),
        &bayingolin,
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = call(
        &app,
        reqwest::Method::GET,
        &path(theirs_id),
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_staff_account_of_several_venues_gets_a_list() {
    let app = spawn_app().await;
    let a = app.hotel().await;
    let b = app.create_venue("梨城宾馆", "652801", "hotel").await;
    app.venue_staff("two-desks", &[&a, &b]).await;
    let session = app.session_for("two-desks", ACCOUNT_PASSWORD).await;
    let response = session.fetch("/dashboard?lang=en").await;
    assert_eq!(response.status(), 200);
    let page = Page::read(response).await;
    let links = page.attrs("main a[href]", "href");
    for venue in [&a, &b] {
        let link = format!("/dashboard/venues/{}?lang=en", id_of(venue));
        assert!(links.contains(&link), "{link} in {links:?}");
    }
    assert!(
        !page.exists("a[href='/console']"),
        "staff are not sent to the console"
    );
}

#[tokio::test]
async fn replies_by_form_and_json_reach_the_public_page_and_the_audit_log() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let other = app.create_venue("昌吉宾馆", "652301", "hotel").await;
    let venue_id = id_of(&venue);
    let first = comment(&app, &venue, "a", 4, "早餐很好，前台热情").await;
    let second = comment(&app, &venue, "b", 2, "排队太久").await;
    let hidden = comment(&app, &venue, "c", 1, "quarantined words").await;
    let plain = app.rate(&venue, "d", 5).await["id"].as_i64().unwrap();
    let elsewhere = comment(&app, &other, "e", 3, "别处的留言").await;
    // One comment from yesterday, so the page has two days.
    sqlx::query("UPDATE ratings SET day = day - 1 WHERE id = $1")
        .bind(second)
        .execute(&app.pool)
        .await
        .unwrap();
    let (status, _) = call(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/ratings/{hidden}/quarantine"),
        ADMIN_TOKEN,
        Some(json!({ "reason": "spam" })),
    )
    .await;
    assert_eq!(status, 200);

    let session = staff_session(&app, "korla-desk", &venue).await;
    let token = app
        .api_token(json!({ "name": "desk", "role": "venue_staff", "venue_ids": [venue_id] }))
        .await;

    // By day, newest first, without times, devices or addresses.
    let (status, page) = call(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/venues/{venue_id}/comments"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 2, "no quarantined or comment-less ratings");
    assert_eq!(page["pages"], 1);
    let days = page["days"].as_array().unwrap();
    assert_eq!(days.len(), 2);
    assert!(days[0]["day"].as_str().unwrap() > days[1]["day"].as_str().unwrap());
    assert_eq!(days[0]["comments"][0]["rating_id"], first);
    assert_eq!(days[0]["comments"][0]["tags"], json!(["clean"]));
    assert_eq!(days[1]["comments"][0]["rating_id"], second);
    let mut keys: Vec<&String> = days[0]["comments"][0].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["comment", "overall", "rating_id", "reply", "tags"]);
    let (status, problem) = call(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/venues/{venue_id}/comments?page=0"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 422, "{problem}");

    // The dashboard shows the days, never the time of a rating.
    let page = Page::read(
        session
            .fetch(&format!("/dashboard/venues/{venue_id}?lang=en"))
            .await,
    )
    .await;
    let day_of = |i: usize| days[i]["day"].as_str().unwrap().to_owned();
    assert_eq!(
        page.texts("h3.comment-day"),
        [day_of(0), day_of(1)],
        "both days are headings, newest first"
    );
    let comments = page.texts("article.comment > p.comment-text");
    assert!(
        comments.contains(&"早餐很好，前台热情".to_owned()),
        "{comments:?}"
    );
    assert!(comments.contains(&"排队太久".to_owned()), "{comments:?}");
    assert!(!page.body.contains("quarantined words"));
    let html = page.body;
    let created: Vec<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT created_at FROM ratings WHERE venue_id = $1")
            .bind(venue_id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    for at in created {
        let local = at.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
        assert!(
            !html.contains(&local.format("%H:%M").to_string()),
            "a rating's time"
        );
    }

    // A form without this session's token changes nothing.
    let path = format!("/dashboard/venues/{venue_id}/replies/{first}");
    for fields in [
        vec![("body", "谢谢！")],
        vec![("csrf_token", "0000"), ("body", "谢谢！")],
    ] {
        let response = session.post_exact(&path, &fields).await;
        assert_eq!(response.status(), 403);
    }
    assert_eq!(app.count("rating_replies").await, 0);
    // Nor does an empty reply (the page again, 422).
    let response = session
        .post_form(&format!("{path}?lang=en"), &[("body", "  ")])
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        page_text(response)
            .await
            .contains("The reply must not be empty.")
    );
    assert_eq!(app.count("rating_replies").await, 0);

    // With the token: stored, and back to the dashboard with a notice.
    let response = session
        .post_form(&format!("{path}?lang=en"), &[("body", "谢谢您的好评！")])
        .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("notice=reply"), "{location}");
    assert!(
        location.ends_with(&format!("#rating-{first}")),
        "{location}"
    );
    let page = Page::read(session.fetch(&location).await).await;
    assert!(
        page.select_text(".notice[role=status]")
            .starts_with("Your reply is published.")
    );
    assert!(
        page.texts("article.comment .reply p.comment-text")
            .contains(&"谢谢您的好评！".to_owned())
    );

    // The JSON route: 201 for the first reply, 200 when it replaces one.
    let reply_path = format!("/api/v1/ratings/{second}/reply");
    let (status, body) = call(
        &app,
        reqwest::Method::POST,
        &reply_path,
        &token,
        Some(json!({ "body": "抱歉让您久等" })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["replaced"], false);
    assert_eq!(body["venue_id"], venue_id);
    let (status, body) = call(
        &app,
        reqwest::Method::POST,
        &reply_path,
        &token,
        Some(json!({ "body": "抱歉让您久等，我们已增加窗口" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["replaced"], true);
    assert_eq!(app.count("rating_replies").await, 2);

    // Refusals.
    for (rating, body, expected) in [
        (hidden, json!({ "body": "x" }), 404),
        (elsewhere, json!({ "body": "x" }), 404),
        (999_999, json!({ "body": "x" }), 404),
        (plain, json!({ "body": "x" }), 422),
        (first, json!({ "body": "" }), 422),
        (first, json!({ "body": "好".repeat(501) }), 422),
        (first, json!({ "body": "x", "extra": 1 }), 422),
    ] {
        let (status, problem) = call(
            &app,
            reqwest::Method::POST,
            &format!("/api/v1/ratings/{rating}/reply"),
            &token,
            Some(body),
        )
        .await;
        assert_eq!(status, expected, "{rating}: {problem}");
        assert!(problem["detail"].is_string(), "{problem}");
    }
    let (_, problem) = call(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/ratings/{first}/reply"),
        &token,
        Some(json!({ "body": "好".repeat(501) })),
    )
    .await;
    assert_eq!(problem["type"], "/problems/text-too-long");
    assert_eq!(problem["detail"], "body may hold at most 500 characters");
    // A rating of this venue answered under another venue's address is not found.
    let response = session
        .post_form(
            &format!("/dashboard/venues/{}/replies/{first}", id_of(&other)),
            &[("body", "x")],
        )
        .await;
    assert_eq!(response.status(), 404);

    // The public page shows the comments with their replies, by day.
    let public = Page::read(app.get(&format!("/v/{venue_id}?lang=en")).await).await;
    assert_eq!(public.select_text("h2#comments-h"), "Recent comments");
    let comments = public.select_text("section[aria-labelledby=comments-h]");
    assert!(comments.contains("早餐很好，前台热情") && comments.contains("谢谢您的好评！"));
    assert!(comments.contains("抱歉让您久等，我们已增加窗口"));
    assert!(!public.body.contains("quarantined words"));
    assert!(
        public
            .texts("section[aria-labelledby=comments-h] h3")
            .contains(&day_of(0))
    );

    // Every change is in the audit log, with the account and before/after.
    let rows: Vec<(String, String, Option<Value>, Option<Value>)> = sqlx::query_as(
        "SELECT actor, target, before, after FROM audit_log WHERE action = 'rating.reply' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows[0].0.starts_with("account:"), "{:?}", rows[0]);
    assert_eq!(rows[0].1, format!("rating:{first}"));
    assert!(rows[1].0.starts_with("token:"));
    assert_eq!(rows[2].2, Some(json!({ "body": "抱歉让您久等" })));
    assert_eq!(
        rows[2].3,
        Some(json!({ "body": "抱歉让您久等，我们已增加窗口" }))
    );
}

#[tokio::test]
async fn comments_page_thirty_at_a_time() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    for i in 0..31 {
        comment(&app, &venue, &format!("p{i}"), 4, &format!("第 {i} 条")).await;
    }
    let session = staff_session(&app, "korla-desk", &venue).await;
    let id = id_of(&venue);
    let (status, page) = call(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/venues/{id}/comments?page=2"),
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (page["total"].as_i64(), page["pages"].as_i64()),
        (Some(31), Some(2))
    );
    assert_eq!(page["days"][0]["comments"].as_array().unwrap().len(), 1);
    let page = Page::read(
        session
            .fetch(&format!("/dashboard/venues/{id}?lang=en&page=2"))
            .await,
    )
    .await;
    assert_eq!(page.select_text("nav.pager > span"), "Page 2 of 2");
    assert_eq!(page.count("form.reply-form"), 1);
    assert_eq!(
        page.attr("nav.pager a", "href"),
        Some(format!("/dashboard/venues/{id}?page=1&lang=en#comments"))
    );
    let response = session
        .fetch(&format!("/dashboard/venues/{id}?page=-1"))
        .await;
    assert_eq!(response.status(), 422);
}

/// The venue's stored tier inputs, once computed.
async fn tier_inputs(app: &TestApp, venue_id: i64) -> Option<Value> {
    sqlx::query_scalar("SELECT tier_inputs FROM venue_scores WHERE venue_id = $1")
        .bind(venue_id)
        .fetch_optional(&app.pool)
        .await
        .unwrap()
        .flatten()
}

#[tokio::test]
async fn commitment_and_officer_reach_the_public_page_and_the_tier_inputs() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let id = id_of(&venue);
    let session = staff_session(&app, "korla-desk", &venue).await;
    let token = app
        .api_token(json!({ "name": "desk", "role": "venue_staff", "venue_ids": [id] }))
        .await;
    // The first grading, with nothing published.
    assert!(
        eventually(Duration::from_secs(10), || async {
            tier_inputs(&app, id).await.is_some()
        })
        .await
    );
    let inputs = tier_inputs(&app, id).await.unwrap();
    assert_eq!(inputs["commitment_published"], false);
    assert_eq!(inputs["cqo_registered"], false);

    // The commitment, by form.
    let commitment_path = format!("/dashboard/venues/{id}/commitment?lang=en");
    let response = session
        .post_exact(&commitment_path, &[("text", "明码标价")])
        .await;
    assert_eq!(response.status(), 403, "no form token");
    let response = session
        .post_form(&commitment_path, &[("text", &"诚".repeat(1001))])
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        page_text(response)
            .await
            .contains("The commitment may hold at most 1000 characters.")
    );
    assert_eq!(app.count("venue_commitments").await, 0);
    let text = "明码标价，童叟无欺。\r\n投诉 24 小时内答复。";
    let response = session.post_form(&commitment_path, &[("text", text)]).await;
    assert_eq!(response.status(), 303);
    assert!(
        response.headers()["location"]
            .to_str()
            .unwrap()
            .contains("notice=commitment")
    );

    // The officer: pending by JSON (not public yet); training records, then
    // a regulator's registration (备案) puts it on the public page.
    let officer_path = format!("/api/v1/venues/{id}/quality-officer");
    let officer = |status: &str| {
        json!({
            "name": "王芳", "position": "质量总监", "appointed_on": "2026-03-01",
            "education": "bachelor", "registration_status": status,
        })
    };
    let (status, body) = call(
        &app,
        reqwest::Method::PUT,
        &officer_path,
        &token,
        Some(officer("pending")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["training_hours"], 0.0);
    assert_eq!(body["appointed_on"], "2026-03-01");
    for (field, value, kind) in [
        ("appointed_on", json!("2999-01-01"), "invalid-date"),
        ("appointed_on", json!("1 March"), "invalid-date"),
        ("education", json!("phd"), "invalid-education"),
        (
            "registration_status",
            json!("approved"),
            "invalid-registration-status",
        ),
        ("name", json!(" "), "text-required"),
    ] {
        let mut body = officer("pending");
        body[field] = value;
        let (status, problem) = call(
            &app,
            reqwest::Method::PUT,
            &officer_path,
            &token,
            Some(body),
        )
        .await;
        assert_eq!(status, 422, "{field}: {problem}");
        assert_eq!(problem["type"], format!("/problems/{kind}"), "{problem}");
    }
    let public = page_text(app.get(&format!("/v/{id}?lang=en")).await).await;
    assert!(public.contains("明码标价，童叟无欺。"));
    assert!(public.contains("投诉 24 小时内答复。"));
    assert!(!public.contains("王芳"), "a pending filing is not public");

    // Registration is a regulator's act: staff cannot mark it themselves.
    let (status, problem) = call(
        &app,
        reqwest::Method::PUT,
        &officer_path,
        &token,
        Some(officer("registered")),
    )
    .await;
    assert_eq!(status, 403, "{problem}");
    let (status, body) = call(
        &app,
        reqwest::Method::POST,
        &format!("{officer_path}/trainings"),
        &token,
        Some(json!({
            "course": "旅游服务质量管理", "provider": "州市场监管局",
            "trained_on": "2026-04-01", "hours": 24.5,
        })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = call(
        &app,
        reqwest::Method::POST,
        &format!("{officer_path}/registration"),
        ADMIN_TOKEN,
        Some(json!({ "decision": "registered", "reason": "培训合格" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // Once registered, staff may edit the other fields and keep it.
    let (status, body) = call(
        &app,
        reqwest::Method::PUT,
        &officer_path,
        &token,
        Some(officer("registered")),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let public = page_text(app.get(&format!("/v/{id}?lang=en")).await).await;
    assert!(public.contains("Chief Quality Officer: 王芳, 质量总监"));
    let dashboard = page_text(
        session
            .fetch(&format!("/dashboard/venues/{id}?lang=en"))
            .await,
    )
    .await;
    assert!(dashboard.contains("24.5"), "{dashboard}");

    // Both reach the tier inputs through a refresh.
    let fed = eventually(Duration::from_secs(10), || async {
        tier_inputs(&app, id).await.is_some_and(|inputs| {
            inputs["commitment_published"] == true && inputs["cqo_registered"] == true
        })
    })
    .await;
    assert!(fed, "tier inputs: {:?}", tier_inputs(&app, id).await);
    // The regulator console's venue page shows what the venue publishes.
    app.activated_account(json!({ "login": "chief", "display_name": "c", "role": "admin" }))
        .await;
    let admin = app.sign_in("chief").await;
    let Page {
        status,
        body: console_page,
        ..
    } = admin
        .get_page(&format!("/console/venues/{id}?lang=en"))
        .await;
    assert_eq!(status, 200);
    assert!(
        console_page.contains("明码标价，童叟无欺。"),
        "{console_page}"
    );
    assert!(console_page.contains("王芳"));
    let history: Value = app
        .get(&format!("/api/v1/venues/{id}/tier/history"))
        .await
        .json()
        .await
        .unwrap();
    assert!(history["items"].is_array());

    // Audited, with before and after.
    let rows: Vec<(String, Option<Value>, Option<Value>)> = sqlx::query_as(
        "SELECT action, before, after FROM audit_log
         WHERE action IN ('venue.commitment', 'venue.quality_officer', 'venue.cqo_training',
                          'venue.cqo_registration') ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        actions,
        [
            "venue.commitment",
            "venue.quality_officer",
            "venue.cqo_training",
            "venue.cqo_registration",
            "venue.quality_officer"
        ]
    );
    assert_eq!(rows[0].1, None);
    assert_eq!(
        rows[0].2,
        Some(json!({ "commitment": "明码标价，童叟无欺。\n投诉 24 小时内答复。" }))
    );
    // Filed as pending by staff, registered by the admin, then edited by staff.
    assert_eq!(
        rows[3].1.as_ref().unwrap()["registration_status"],
        "pending"
    );
    assert_eq!(
        rows[3].2.as_ref().unwrap()["registration_status"],
        "registered"
    );
    assert_eq!(
        rows[4].2.as_ref().unwrap()["quality_officer"]["training_hours"],
        24.5
    );
    assert_eq!(
        count_where(
            &app,
            "SELECT count(*) FROM audit_log WHERE venue_id = $1 AND region_code = '652801'
             AND action IN ('venue.create', 'venue.commitment', 'venue.quality_officer',
                            'venue.cqo_training', 'venue.cqo_registration')",
            id
        )
        .await,
        6,
        "venue.create and the five changes carry the venue's region"
    );
}

#[tokio::test]
async fn posters_print_the_code_and_a_new_code_replaces_the_old() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let id = id_of(&venue);
    let old_code = venue["code"].as_str().unwrap().to_owned();
    let session = staff_session(&app, "korla-desk", &venue).await;

    let response = session
        .fetch(&format!("/dashboard/venues/{id}/poster?size=a5&lang=en"))
        .await;
    assert_eq!(response.status(), 200);
    let poster = page_text(response).await;
    assert!(poster.contains("@page{size:A5;"));
    assert!(poster.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(poster.contains(&old_code));
    assert!(poster.contains("请为我们的服务评分") && poster.contains("Rate our service"));
    assert!(!poster.contains("<img") && !poster.contains("<script"));
    let a4 = page_text(
        session
            .fetch(&format!("/dashboard/venues/{id}/poster"))
            .await,
    )
    .await;
    assert!(a4.contains("@page{size:A4;"));
    let response = session
        .fetch(&format!("/dashboard/venues/{id}/poster?size=letter"))
        .await;
    assert_eq!(response.status(), 422);

    // Reissue: the token is required, and the first click only asks to
    // confirm, naming the venue and the code whose posters stop working.
    let path = format!("/dashboard/venues/{id}/code?lang=en");
    let response = session.post_exact(&path, &[("confirmed", "yes")]).await;
    assert_eq!(response.status(), 403);
    let response = session.post_form(&path, &[]).await;
    assert_eq!(response.status(), 200);
    let confirm = response.text().await.unwrap();
    assert!(confirm.contains("Replace this venue"), "{confirm}");
    assert!(confirm.contains(&old_code), "{confirm}");
    assert!(confirm.contains(r#"name="confirmed" value="yes""#));
    assert!(confirm.contains(&format!(r#"href="/dashboard/venues/{id}?lang=en#reissue""#)));
    assert_eq!(app.count("venue_codes").await, 1, "nothing replaced");
    let response = session.post_form(&path, &[("confirmed", "yes")]).await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("notice=code"), "{location}");
    let shown = session.get_page(&location).await.body;
    assert!(
        shown.contains("The code was replaced. Please print and put up new posters now."),
        "{shown}"
    );

    let replaced = app.get(&format!("/r/{old_code}?lang=en")).await;
    assert_eq!(replaced.status(), 410);
    assert!(
        page_text(replaced)
            .await
            .contains("This QR code was replaced")
    );
    let fresh: Value = app
        .get_as(ADMIN_TOKEN, &format!("/api/v1/venues/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let new_code = fresh["code"].as_str().unwrap();
    assert_ne!(new_code, old_code);
    let html = page_text(
        session
            .fetch(&format!("/dashboard/venues/{id}?lang=en"))
            .await,
    )
    .await;
    assert!(html.contains(new_code) && !html.contains(&old_code));
    let actor: String = sqlx::query_scalar(
        "SELECT actor FROM audit_log WHERE action = 'venue.reissue_code' AND venue_id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(actor.starts_with("account:"), "{actor}");
}

/// The text of the reply box of a comment on a dashboard page.
fn reply_box(page: &Page, rating_id: i64) -> String {
    let css = format!("details.reply-box textarea#reply-{rating_id}");
    assert!(page.exists(&css), "no reply box for {rating_id}");
    page.select_text(&css)
}

#[tokio::test]
async fn comments_filter_to_unanswered_and_low_ones_in_collapsed_prefilled_reply_boxes() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let id = id_of(&venue);
    for i in 0..31 {
        let stars = if i % 2 == 0 { 1 } else { 2 };
        comment(
            &app,
            &venue,
            &format!("low{i}"),
            stars,
            &format!("差评 {i}"),
        )
        .await;
    }
    let open_high = comment(&app, &venue, "open-high", 4, "还不错").await;
    let answered_low = comment(&app, &venue, "answered-low", 1, "房间很脏").await;
    let answered_high = comment(&app, &venue, "answered-high", 5, "非常满意").await;
    for (rating, body) in [
        (answered_low, "抱歉，已整改<房间>"),
        (answered_high, "谢谢"),
    ] {
        let (status, reply) = call(
            &app,
            reqwest::Method::POST,
            &format!("/api/v1/ratings/{rating}/reply"),
            ADMIN_TOKEN,
            Some(json!({ "body": body })),
        )
        .await;
        assert_eq!(status, 201, "{reply}");
    }
    let session = staff_session(&app, "korla-desk", &venue).await;
    let dashboard = |query: &str| {
        let path = format!("/dashboard/venues/{id}?lang=en{query}");
        let session = &session;
        async move {
            let page = session.get_page(&path).await;
            assert_eq!(page.status, 200, "{path}");
            page
        }
    };

    // Unfiltered: 34 comments, every reply box collapsed, the old reply in its box.
    let page = dashboard("").await;
    assert!(page.says("34 comments"));
    assert_eq!(page.count("details.reply-box"), 30);
    assert!(!page.exists("details.reply-box[open]"));
    assert_eq!(reply_box(&page, answered_low), "抱歉，已整改<房间>");
    assert_eq!(reply_box(&page, answered_high), "谢谢");
    assert_eq!(reply_box(&page, open_high), "");
    let summary_of = |rating: i64| page.select_text(&format!("#rating-{rating} summary"));
    assert_eq!(summary_of(answered_high), "Change the reply");
    assert_eq!(summary_of(open_high), "Reply");

    // Unanswered: 32 over two pages, the filter kept by the page links.
    let page = dashboard("&unanswered=1").await;
    assert!(page.says("32 comments match the filter"), "{page:?}");
    let comments = page.texts("article.comment > p.comment-text");
    assert!(
        !comments.iter().any(|c| c == "非常满意" || c == "房间很脏"),
        "{comments:?}"
    );
    assert!(page.exists("form.comment-filter input[name=unanswered][value='1'][checked]"));
    assert!(page.exists("form.comment-filter input[name=low][value='1']:not([checked])"));
    assert_eq!(
        page.attrs("nav.pager a", "href"),
        [format!(
            "/dashboard/venues/{id}?unanswered=1&page=2&lang=en#comments"
        )]
    );
    assert_eq!(
        page.attr("form.comment-filter a", "href"),
        Some(format!("/dashboard/venues/{id}?lang=en#comments"))
    );
    assert_eq!(
        page.select_text("form.comment-filter a"),
        "Show all comments"
    );

    // Low (1–2 stars): the 31 and the answered one-star comment.
    let page = dashboard("&low=1").await;
    assert!(page.says("32 comments match the filter"));
    let comments = page.texts("article.comment > p.comment-text");
    assert!(comments.contains(&"房间很脏".to_owned()), "{comments:?}");
    assert!(
        !comments.iter().any(|c| c == "还不错" || c == "非常满意"),
        "{comments:?}"
    );

    // Both: the 31 low unanswered ones; page 2 holds the last.
    let page = dashboard("&unanswered=1&low=1&page=2").await;
    assert!(page.says("31 comments match the filter"));
    assert_eq!(page.select_text("nav.pager > span"), "Page 2 of 2");
    assert_eq!(page.count("details.reply-box"), 1);
    assert_eq!(
        page.attrs("nav.pager a", "href"),
        [format!(
            "/dashboard/venues/{id}?unanswered=1&low=1&page=1&lang=en#comments"
        )]
    );
    // `0` is an unticked box; the JSON route still lists everything.
    assert!(dashboard("&low=0").await.says("34 comments"));
    let (_, json) = call(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/venues/{id}/comments"),
        ADMIN_TOKEN,
        None,
    )
    .await;
    assert_eq!(json["total"], 34);

    // A reply from a filtered list leads back to it.
    let page = dashboard("&unanswered=1").await;
    assert_eq!(
        page.form_value(&format!(
            "form.reply-form[action^='/dashboard/venues/{id}/replies/{open_high}?'] input[type=hidden][name=unanswered]"
        )),
        "1"
    );
    let response = session
        .post_form(
            &format!("/dashboard/venues/{id}/replies/{open_high}?lang=en"),
            &[("body", "欢迎再来"), ("unanswered", "1")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.contains("notice=reply") && location.contains("unanswered=1"),
        "{location}"
    );
    let page = session.get_page(&location).await;
    assert!(page.says("31 comments match the filter"), "now answered");
    // Nothing that matches: said so, not "no comments yet".
    let happy = app.create_venue("天鹅湖宾馆", "652801", "hotel").await;
    comment(&app, &happy, "happy", 5, "很好").await;
    let happy_session = staff_session(&app, "swan-desk", &happy).await;
    let page = happy_session
        .get_page(&format!(
            "/dashboard/venues/{}?lang=en&low=1",
            id_of(&happy)
        ))
        .await;
    assert!(page.says("No comment matches the filter."));
    assert!(!page.exists("details.reply-box"));
}

#[tokio::test]
async fn refused_forms_show_the_venue_page_again_with_what_was_typed() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let id = id_of(&venue);
    let rating = comment(&app, &venue, "a", 2, "排队太久").await;
    let plain = app.rate(&venue, "b", 5).await["id"].as_i64().unwrap();
    let session = staff_session(&app, "korla-desk", &venue).await;

    // A reply too long, from the unanswered list (default language): the
    // page again, the box of that comment open with the text and the reason.
    let long = "好".repeat(501);
    let page = session
        .post_page(
            &format!("/dashboard/venues/{id}/replies/{rating}"),
            &[("body", &long), ("unanswered", "1"), ("page", "1")],
        )
        .await;
    assert_eq!(page.status, 422, "{page:?}");
    assert_eq!(page.lang(), "zh-CN");
    assert_eq!(page.select_text("h1.venue-name"), "孔雀河酒店");
    let reply_box = format!("#rating-{rating} details.reply-box[open]");
    assert_eq!(
        page.form_value(&format!("{reply_box} textarea[name=body]")),
        long
    );
    assert_eq!(
        page.select_text(&format!("{reply_box} #reply-error")),
        "回复内容不能超过 500 个字。"
    );
    assert!(
        page.exists("form.comment-filter input[name=unanswered][checked]"),
        "the filter is kept"
    );
    assert_eq!(page.count("details.reply-box[open]"), 1);
    assert!(
        page.attrs("a.lang", "href")
            .iter()
            .all(|href| href.starts_with(&format!("/dashboard/venues/{id}?"))),
        "the language switch leads to the venue page"
    );
    // A rating without a comment: the reason at the top of the comments.
    let page = session
        .post_page(
            &format!("/dashboard/venues/{id}/replies/{plain}?lang=en"),
            &[("body", "谢谢")],
        )
        .await;
    assert_eq!(page.status, 422, "{page:?}");
    assert_eq!(
        page.select_text("#comments #reply-error"),
        "This rating has no comment to reply to."
    );
    assert_eq!(app.count("rating_replies").await, 0);

    // The commitment, too long.
    let long = "诚".repeat(1001);
    let page = session
        .post_page(
            &format!("/dashboard/venues/{id}/commitment?lang=en"),
            &[("text", &long)],
        )
        .await;
    assert_eq!(page.status, 422, "{page:?}");
    assert_eq!(page.form_value("textarea[name=text]"), long);
    assert_eq!(
        page.select_text("#commitment #commitment-error"),
        "The commitment may hold at most 1000 characters."
    );
    assert!(!page.exists("#reply-error") && !page.exists("#officer-error"));
    assert_eq!(app.count("venue_commitments").await, 0);

    // The officer (on its own page): a day that does not exist, then years
    // of experience that are not a number (in Uyghur); every field keeps
    // what was typed.
    let fields = |appointed: &'static str, years: &'static str| {
        [
            ("name", "王芳"),
            ("position", "质量总监"),
            ("appointed_on", appointed),
            ("experience_years", years),
            ("registration_status", "pending"),
        ]
    };
    let officer_path = format!("/dashboard/venues/{id}/quality-officer");
    let page = session
        .post_page(
            &format!("{officer_path}?lang=en"),
            &fields("2026-02-30", "5"),
        )
        .await;
    assert_eq!(page.status, 422, "{page:?}");
    assert_eq!(
        page.select_text("#officer #appointed_on-error"),
        "Please give the appointment date as a date, such as 2026-03-01."
    );
    for (field, typed) in fields("2026-02-30", "5") {
        if field != "registration_status" {
            assert_eq!(
                page.form_value(&format!("#officer input[name={field}]")),
                typed,
                "{field}"
            );
        }
    }
    assert_eq!(
        page.form_value("select[name=registration_status] option[selected]"),
        "pending"
    );
    let page = session
        .post_page(
            &format!("{officer_path}?lang=ug"),
            &fields("2026-03-01", "ئون"),
        )
        .await;
    assert_eq!(page.status, 422, "{page:?}");
    assert_eq!(page.lang(), "ug");
    assert_eq!(page.attr("html", "dir").as_deref(), Some("rtl"));
    assert_eq!(
        page.select_text("#experience_years-error"),
        "خىزمەت يىلى 0 دىن 60 گىچە پۈتۈن سان بولۇشى كېرەك."
    );
    assert_eq!(page.form_value("input[name=experience_years]"), "ئون");
    assert_eq!(page.form_value("input[name=appointed_on]"), "2026-03-01");
    assert_eq!(app.count("venue_quality_officers").await, 0);

    // Nothing refused was audited either; a good post still leads back.
    assert_eq!(
        count_where(
            &app,
            "SELECT count(*) FROM audit_log WHERE venue_id = $1
             AND action IN ('rating.reply', 'venue.commitment', 'venue.quality_officer')",
            id
        )
        .await,
        0
    );
    let response = session
        .post_form(
            &format!("{officer_path}?lang=en"),
            &fields("2026-03-01", "5"),
        )
        .await;
    assert_eq!(response.status(), 303);
}
