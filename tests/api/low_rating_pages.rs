//! Bad ratings (差评) and appeals (申诉复核) through the pages: the venue's
//! staff verify and fix a bad rating and answer it from the dashboard (the
//! answer shows beside the comment on the public page), appeal a rating with
//! their evidence; regulators uphold one from the console queue (the rating
//! is quarantined: gone from the score, kept) and dismiss another; every new
//! route refuses whoever is outside its scope, and a form without the
//! session's token changes nothing.

use serde_json::{Value, json};

use crate::common::{ACCOUNT_PASSWORD, Person, TestApp, spawn_app};
use crate::console::html_table;

fn id_of(venue: &Value) -> i64 {
    venue["id"].as_i64().expect("venue id")
}

/// A rating from a named device, with a comment if given; its id.
async fn rate(app: &TestApp, venue: &Value, device: &str, overall: u8, comment: &str) -> i64 {
    let mut body = json!({
        "code": venue["code"], "device_id": format!("device-{device}"), "overall": overall,
    });
    if !comment.is_empty() {
        body["comment"] = json!(comment);
    }
    let response = app.post_rating(&body).await;
    assert_eq!(response.status(), 201, "rating refused");
    let rated: Value = response.json().await.expect("json");
    rated["id"].as_i64().expect("rating id")
}

/// A staff account of `venue`, signed in.
async fn staff_of(app: &TestApp, login: &str, venue: &Value) -> Person {
    app.venue_staff(login, &[venue]).await;
    app.session_for(login, ACCOUNT_PASSWORD).await
}

/// A regulator of `region`, signed in (with a second factor enrolled).
async fn regulator_of(app: &TestApp, login: &str, region: &str) -> Person {
    app.create_person(login, "regulator", Some(region), &[])
        .await;
    app.sign_in(login).await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn staff_verify_fix_and_answer_a_bad_rating_and_the_answer_shows_publicly() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = id_of(&venue);
    let bad = rate(&app, &venue, "angry", 1, "房间有异味，空调坏了").await;
    rate(&app, &venue, "happy", 5, "很好").await;
    rate(&app, &venue, "silent", 2, "").await;
    // Only the low rating with a comment is a case; twelve days on (past
    // one working day, whatever holidays fall between) it is overdue.
    app.clock.advance(chrono::Duration::days(12));
    let desk = staff_of(&app, "desk", &venue).await;
    let dashboard = format!("/dashboard/venues/{venue_id}?lang=en");
    let item = format!("#bad-rating-{bad}");
    let page = desk.get_page(&dashboard).await;
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(page.count("#bad-ratings article.bad-rating"), 1);
    let line = page.select_text(&format!("{item} p"));
    assert!(
        line.contains("To verify") && line.contains("verify by") && line.contains("overdue"),
        "{line}"
    );
    let step = format!("/dashboard/venues/{venue_id}/bad-ratings/{bad}");
    assert_eq!(
        page.attr(&format!("{item} form.step-form"), "action"),
        Some(format!("{step}?lang=en"))
    );

    // Without the session's token nothing happens.
    let forged = desk
        .post_exact(&step, &[("step", "verified"), ("csrf_token", "forged")])
        .await;
    assert_eq!(forged.status(), 403);
    assert_eq!(
        count(&app, "SELECT count(*) FROM bad_rating_followups").await,
        0
    );

    // Fixing comes after verifying: refused, shown in the item, nothing stored.
    let early = desk
        .post_page(
            &format!("{step}?lang=en"),
            &[("step", "fixed"), ("note", "已修好")],
        )
        .await;
    assert_eq!(early.status, 422);
    assert!(
        early
            .select_text(&format!("{item} [role=alert]"))
            .contains("cannot move")
    );
    assert_eq!(early.form_value(&format!("#step-note-{bad}")), "已修好");
    assert_eq!(
        count(&app, "SELECT count(*) FROM bad_rating_followups").await,
        0
    );

    let verified = desk
        .post_form(&step, &[("step", "verified"), ("note", "已查看监控")])
        .await;
    assert_eq!(verified.status(), 303);
    let location = verified.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.contains("notice=bad-rating-step")
            && location.ends_with(&format!("#bad-rating-{bad}")),
        "{location}"
    );
    let page = desk.get_page(&dashboard).await;
    let line = page.select_text(&format!("{item} p"));
    assert!(
        line.contains("Verified, to fix") && line.contains("fix by"),
        "{line}"
    );
    assert!(!line.contains("overdue"), "fifteen days to fix: {line}");

    // What was fixed is required.
    let bare = desk
        .post_page(
            &format!("{step}?lang=en"),
            &[("step", "fixed"), ("note", " ")],
        )
        .await;
    assert_eq!(bare.status, 422);
    assert!(bare.says("Please fill this in."));
    let fixed = desk
        .post_form(&step, &[("step", "fixed"), ("note", "已更换空调并除味")])
        .await;
    assert_eq!(fixed.status(), 303);
    let page = desk.get_page(&dashboard).await;
    let shown = page.select_text(&item);
    assert!(
        shown.contains("Fixed") && shown.contains("已更换空调并除味"),
        "{shown}"
    );
    assert!(
        !page.exists(&format!("{item} form.step-form")),
        "no step left"
    );

    // The public answer, from the section, goes back to it.
    let answer = "非常抱歉，空调已更换，欢迎再次入住。";
    let replied = desk
        .post_form(
            &format!("/dashboard/venues/{venue_id}/replies/{bad}"),
            &[("body", answer), ("section", "bad-ratings")],
        )
        .await;
    assert_eq!(replied.status(), 303);
    let location = replied.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.ends_with(&format!("#bad-rating-{bad}")),
        "{location}"
    );
    let page = desk.get_page(&dashboard).await;
    assert!(page.select_text(&format!("{item} .reply")).contains(answer));

    let public = crate::common::Page::read(app.get(&format!("/v/{venue_id}?lang=en")).await).await;
    assert_eq!(public.status, 200);
    let text = public.text();
    let comment_at = text
        .find("房间有异味，空调坏了")
        .expect("the comment is public");
    let answer_at = text.find(answer).expect("the answer is public");
    assert!(answer_at > comment_at, "the answer follows its comment");
    assert!(
        !text.contains("已更换空调并除味"),
        "what was fixed stays with the venue"
    );

    assert_eq!(audited(&app, "rating.bad_rating_step").await, 2);
    assert_eq!(audited(&app, "rating.reply").await, 1);
}

#[tokio::test]
async fn staff_appeal_and_regulators_uphold_one_and_dismiss_another_from_the_console() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = id_of(&venue);
    let malicious = rate(&app, &venue, "rival", 1, "垃圾酒店，千万别来").await;
    let honest = rate(&app, &venue, "guest", 2, "早餐太少").await;
    for device in ["a", "b", "c", "d"] {
        rate(&app, &venue, device, 5, "").await;
    }
    let before = app.score_when(venue_id, |s| s["ratings"] == 6).await;
    assert_eq!(before["ratings"], 6);
    let desk = staff_of(&app, "desk", &venue).await;
    let bayingolin = regulator_of(&app, "bayingolin", "652800").await;
    let korla = regulator_of(&app, "korla", "652801").await;
    let dashboard = format!("/dashboard/venues/{venue_id}?lang=en");

    // The venue appeals with its evidence; empty evidence is refused, nothing stored.
    let appeal_of = |rating: i64| format!("/dashboard/venues/{venue_id}/appeals/{rating}");
    let page = desk.get_page(&dashboard).await;
    assert!(page.exists(&format!("#evidence-{malicious}")));
    let empty = desk
        .post_page(
            &format!("{}?lang=en", appeal_of(malicious)),
            &[("evidence", "  ")],
        )
        .await;
    assert_eq!(empty.status, 422);
    assert!(
        empty
            .select_text(&format!("#bad-rating-{malicious} [role=alert]"))
            .contains("Please fill this in.")
    );
    assert_eq!(count(&app, "SELECT count(*) FROM rating_appeals").await, 0);
    let forged = desk
        .post_exact(
            &appeal_of(malicious),
            &[("evidence", "同行恶意差评"), ("csrf_token", "forged")],
        )
        .await;
    assert_eq!(forged.status(), 403);
    assert_eq!(count(&app, "SELECT count(*) FROM rating_appeals").await, 0);
    let evidence = "该设备当天未入住，监控显示无此客人，评价内容与事实不符。";
    let filed = desk
        .post_form(&appeal_of(malicious), &[("evidence", evidence)])
        .await;
    assert_eq!(filed.status(), 303);
    app.clock.advance(chrono::Duration::minutes(5));
    let filed = desk
        .post_form(&appeal_of(honest), &[("evidence", "顾客当天并未用早餐。")])
        .await;
    assert_eq!(filed.status(), 303);
    let page = desk.get_page(&dashboard).await;
    assert!(
        page.select_text(&format!("#bad-rating-{malicious} .appeal-state"))
            .contains("Waiting for a decision")
    );
    assert!(
        !page.exists(&format!("#evidence-{malicious}")),
        "appealed once is enough"
    );

    // The queue: waiting appeals, oldest first, with the evidence; the overview counts them.
    let home = bayingolin.get_page("/console?lang=en").await;
    let labels = home.texts(".stats dt");
    let at = labels
        .iter()
        .position(|label| label == "Rating appeals waiting")
        .expect("the overview counts waiting appeals");
    assert_eq!(home.texts(".stats dd")[at], "2");
    let queue = bayingolin.get_page("/console/appeals?lang=en").await;
    assert_eq!(queue.status, 200, "{queue:?}");
    let (headers, rows) = html_table(&queue.body, "appeals");
    assert_eq!(headers[0], "Appeal");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][4], "垃圾酒店，千万别来", "oldest first");
    assert_eq!(rows[0][5], evidence);
    assert_eq!(rows[0][7], "Waiting for a decision");
    assert_eq!(queue.count("table#appeals-table select[name=decision]"), 2);
    let csv = bayingolin
        .download("/console/appeals.csv?state=pending")
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.text().contains(evidence));
    let xlsx = bayingolin.download("/console/appeals.xlsx?state=all").await;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.content_type.contains("spreadsheetml"));
    assert_eq!(
        bayingolin
            .get_page("/console/appeals?state=lost")
            .await
            .status,
        422
    );
    let appeal_ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM rating_appeals ORDER BY filed_at")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let decision = |id: i64| format!("/console/appeals/{id}/decision");

    // A decision needs the token and a reason; refused ones change nothing.
    let forged = bayingolin
        .post_exact(
            &decision(appeal_ids[0]),
            &[
                ("decision", "upheld"),
                ("reason", "x"),
                ("csrf_token", "forged"),
            ],
        )
        .await;
    assert_eq!(forged.status(), 403);
    let reasonless = bayingolin
        .post_page(
            &format!("{}?lang=en", decision(appeal_ids[0])),
            &[("decision", "upheld"), ("reason", "")],
        )
        .await;
    assert_eq!(reasonless.status, 422);
    assert!(reasonless.says("Please give a reason."));
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM rating_appeals WHERE state = 'pending'"
        )
        .await,
        2
    );

    // Upheld: the rating is quarantined with the reason, leaves the score, is kept.
    let reason = "核实系同行恶意评价";
    let upheld = bayingolin
        .post_form(
            &decision(appeal_ids[0]),
            &[("decision", "upheld"), ("reason", reason)],
        )
        .await;
    assert_eq!(upheld.status(), 303);
    assert!(
        upheld.headers()["location"]
            .to_str()
            .unwrap()
            .contains("notice=appeal-decided")
    );
    let (kept, quarantined): (i64, bool) = sqlx::query_as(
        "SELECT count(*), bool_and(quarantined_at IS NOT NULL) FROM ratings WHERE id = $1",
    )
    .bind(malicious)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((kept, quarantined), (1, true));
    let after = app.score_when(venue_id, |s| s["ratings"] == 5).await;
    assert_eq!(after["ratings"], 5, "gone from the score");
    let again = bayingolin
        .post_page(
            &format!("{}?lang=en", decision(appeal_ids[0])),
            &[("decision", "dismissed"), ("reason", "改判")],
        )
        .await;
    assert_eq!(again.status, 409);

    // Another regulator in scope dismisses the other: the rating stays counted.
    let dismissed = korla
        .post_form(
            &decision(appeal_ids[1]),
            &[("decision", "dismissed"), ("reason", "评价属实")],
        )
        .await;
    assert_eq!(dismissed.status(), 303);
    let counted: bool =
        sqlx::query_scalar("SELECT quarantined_at IS NULL FROM ratings WHERE id = $1")
            .bind(honest)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(counted);
    let (_, rows) = html_table(
        &bayingolin
            .get_page("/console/appeals?state=all&lang=en")
            .await
            .body,
        "appeals",
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (
            rows[0][7].as_str(),
            rows[0][9].as_str(),
            rows[0][10].as_str()
        ),
        ("Upheld: the rating is quarantined", reason, "Quarantined")
    );
    assert_eq!(
        (rows[1][9].as_str(), rows[1][10].as_str()),
        ("评价属实", "Counted")
    );
    let waiting = bayingolin.get_page("/console/appeals?lang=en").await;
    assert!(!waiting.exists("table#appeals-table") && waiting.says("No appeals."));

    // The venue reads both outcomes and the reasons.
    let page = desk.get_page(&dashboard).await;
    let appeals = page.texts("ul.appeals li");
    assert_eq!(appeals.len(), 2, "{appeals:?}");
    assert!(
        appeals
            .iter()
            .any(|a| a.contains("Upheld") && a.contains(reason))
    );
    assert!(
        appeals
            .iter()
            .any(|a| a.contains("Dismissed") && a.contains("评价属实"))
    );
    assert!(
        !page.exists(&format!("#bad-rating-{malicious}")),
        "a quarantined rating is no case"
    );

    assert_eq!(audited(&app, "rating.appeal").await, 2);
    assert_eq!(audited(&app, "rating.appeal_decision").await, 2);
    assert_eq!(audited(&app, "rating.quarantine").await, 1);
}

#[tokio::test]
async fn every_new_low_rating_route_refuses_whoever_is_outside_its_scope() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = id_of(&venue);
    let other = app.create_venue("昌吉宾馆", "652301", "hotel").await;
    let bad = rate(&app, &venue, "angry", 1, "服务态度差").await;
    let desk = staff_of(&app, "desk", &venue).await;
    let stranger = staff_of(&app, "stranger", &other).await;
    let changji = regulator_of(&app, "changji", "652300").await;
    let bayingolin = regulator_of(&app, "bayingolin", "652800").await;
    let filed = desk
        .post_form(
            &format!("/dashboard/venues/{venue_id}/appeals/{bad}"),
            &[("evidence", "恶意评价")],
        )
        .await;
    assert_eq!(filed.status(), 303);
    let appeal: i64 = sqlx::query_scalar("SELECT id FROM rating_appeals")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let step = format!("/dashboard/venues/{venue_id}/bad-ratings/{bad}");
    let appeal_form = format!("/dashboard/venues/{venue_id}/appeals/{bad}");
    let decision = format!("/console/appeals/{appeal}/decision");
    let anonymous = crate::common::bare_client();

    // Anonymous: to the sign-in page, every route.
    for (method, path) in [
        ("POST", step.as_str()),
        ("POST", appeal_form.as_str()),
        ("GET", "/console/appeals"),
        ("POST", decision.as_str()),
        ("GET", "/console/complaints/new"),
        ("POST", "/console/complaints/new"),
    ] {
        let url = format!("{}{path}", app.address);
        let request = match method {
            "GET" => anonymous.get(&url),
            _ => anonymous
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body("step=verified&evidence=x&decision=upheld&reason=x"),
        };
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 303, "{method} {path}");
        assert_eq!(response.headers()["location"], "/login", "{method} {path}");
    }

    // Staff of another venue and a regulator of another region: not found.
    for person in [&stranger, &changji] {
        let stepped = person.post_form(&step, &[("step", "verified")]).await;
        assert_eq!(stepped.status(), 404);
        let appealed = person
            .post_form(&appeal_form, &[("evidence", "恶意评价")])
            .await;
        assert_eq!(appealed.status(), 404);
    }
    // A regulator in scope sees the section but the steps are the venue's.
    let watched = bayingolin
        .get_page(&format!("/dashboard/venues/{venue_id}?lang=en"))
        .await;
    assert_eq!(watched.status, 200);
    assert!(watched.exists(&format!("#bad-rating-{bad}")));
    assert!(!watched.exists(&format!("#bad-rating-{bad} form")));
    let stepped = bayingolin.post_form(&step, &[("step", "verified")]).await;
    assert_eq!(stepped.status(), 403);

    // The console queue and its decision: staff may not, another region sees nothing.
    assert_eq!(stranger.get_page("/console/appeals").await.status, 403);
    assert_eq!(desk.get_page("/console/appeals").await.status, 403);
    let elsewhere = changji.get_page("/console/appeals?state=all").await;
    assert_eq!(elsewhere.status, 200);
    assert!(!elsewhere.exists("table#appeals-table"), "{elsewhere:?}");
    let csv = changji.download("/console/appeals.csv?state=all").await;
    assert!(!csv.text().contains("服务态度差"));
    let decided = desk
        .post_form(&decision, &[("decision", "upheld"), ("reason", "x")])
        .await;
    assert_eq!(decided.status(), 403);
    let decided = changji
        .post_form(&decision, &[("decision", "upheld"), ("reason", "越权")])
        .await;
    assert_eq!(decided.status(), 404);

    // The telephone complaint form: supervisors only, their venues only.
    assert_eq!(desk.get_page("/console/complaints/new").await.status, 403);
    let entered = desk
        .post_form(
            "/console/complaints/new",
            &[("venue", &venue_id.to_string()), ("source", "phone")],
        )
        .await;
    assert_eq!(entered.status(), 403);
    let today = app.clock.today().to_string();
    let outside = changji
        .post_page(
            "/console/complaints/new?lang=en",
            &[
                ("venue", &venue_id.to_string()),
                ("source", "phone"),
                ("service_on", &today),
                ("description", "前台态度恶劣"),
            ],
        )
        .await;
    assert_eq!(outside.status, 422);
    assert!(
        outside
            .select_text("#venue-error")
            .contains("outside your area")
    );

    assert_eq!(
        count(&app, "SELECT count(*) FROM bad_rating_followups").await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM rating_appeals WHERE state = 'pending'"
        )
        .await,
        1
    );
    assert_eq!(count(&app, "SELECT count(*) FROM complaints").await, 0);
}
