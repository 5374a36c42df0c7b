//! Credit lists through the pages: a regulator proposes an entry on the
//! console's venue page (refused input shown beside each field, nothing
//! stored), the venue's staff see the notice at the top of their dashboard
//! and submit the statement (陈述申辩; a refused one keeps the text), a
//! regulator decides on the console once the venue has answered or its
//! period has ended; every new route refuses whoever may not use it; the
//! pages speak Uyghur and English.

use chrono::{Duration, Months, NaiveDate};
use serde_json::Value;

use crate::common::{ACCOUNT_PASSWORD, Person, TestApp, bare_client, spawn_app};

fn id_of(venue: &Value) -> i64 {
    venue["id"].as_i64().expect("venue id")
}

/// A staff account of `venue`, signed in.
async fn staff_of(app: &TestApp, login: &str, venue: &Value) -> Person {
    app.venue_staff(login, &[venue]).await;
    app.session_for(login, ACCOUNT_PASSWORD).await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'list_entry.%' ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

/// The one entry's id.
async fn only_entry(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT id FROM list_entries")
        .fetch_one(&app.pool)
        .await
        .expect("one entry")
}

/// The day `n` working days after today, from the service's own calendar.
async fn working_days_after(app: &TestApp, n: u32) -> NaiveDate {
    qrfeedback::store::calendar::working_calendar(&app.pool)
        .await
        .unwrap()
        .add_working_days(app.clock.today(), n)
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned()
}

/// A proposal's fields with a term of `days` from today.
fn proposal(app: &TestApp, list: &str, days: i64) -> Vec<(&'static str, String)> {
    let today = app.clock.today();
    vec![
        ("list", list.to_owned()),
        (
            "reason",
            "以不合理低价组织旅游活动，诱骗游客购物".to_owned(),
        ),
        ("legal_basis", "《文化和旅游市场信用管理规定》".to_owned()),
        ("decision_no", "巴文旅信〔2026〕3号".to_owned()),
        ("starts_on", today.to_string()),
        ("ends_on", (today + Duration::days(days)).to_string()),
    ]
}

fn fields<'a>(pairs: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn a_regulator_proposes_the_venue_answers_on_its_dashboard_and_the_regulator_decides() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = id_of(&venue);
    let desk = staff_of(&app, "desk", &venue).await;
    let bayingolin = app
        .supervisor("bayingolin", "regulator", Some("652800"))
        .await;
    let console = format!("/console/venues/{venue_id}?lang=en");
    let dashboard = format!("/dashboard/venues/{venue_id}?lang=en");
    let today = app.clock.today();

    // The section cites the regulation; the form starts today for one year.
    let page = bayingolin.get_page(&console).await;
    assert_eq!(page.status, 200, "{page:?}");
    let basis = page.select_text("#credit-lists-basis");
    assert!(
        basis.contains("文化和旅游市场信用管理规定") && basis.contains("clause 21"),
        "{basis}"
    );
    assert!(page.says("No credit list entries."));
    assert_eq!(page.form_value("#list-starts"), today.to_string());
    assert_eq!(
        page.form_value("#list-ends"),
        (today + Months::new(12)).to_string()
    );
    assert_eq!(
        page.attr("#propose-form", "action"),
        Some(format!("/console/venues/{venue_id}/list-entries?lang=en"))
    );

    // Refused: each fault beside its field, what was typed kept, nothing stored.
    let propose = format!("/console/venues/{venue_id}/list-entries?lang=en");
    let refused = bayingolin
        .post_page(
            &propose,
            &[
                ("reason", " "),
                ("legal_basis", "《文化和旅游市场信用管理规定》第十条"),
                ("starts_on", &(today - Duration::days(1)).to_string()),
                ("ends_on", &(today + Duration::days(30)).to_string()),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{refused:?}");
    assert!(refused.exists("#propose-error"));
    assert!(
        refused
            .select_text("#list-error")
            .contains("Choose the list")
    );
    assert_eq!(
        refused.select_text("#list-reason-error"),
        "Please fill this in."
    );
    assert_eq!(
        refused.select_text("#list-starts-error"),
        "The first day may not lie before today."
    );
    assert!(!refused.exists("#list-basis-error"));
    assert_eq!(
        refused.form_value("#list-basis"),
        "《文化和旅游市场信用管理规定》第十条"
    );
    let too_long = bayingolin
        .post_page(&propose, &fields(&proposal(&app, "watch", 400)))
        .await;
    assert_eq!(too_long.status, 422);
    assert_eq!(
        too_long.select_text("#list-ends-error"),
        "An entry on this list runs at most 12 months."
    );
    assert_eq!(
        too_long.attrs("input[name=list][checked]", "value"),
        ["watch"],
        "the chosen list stays chosen"
    );
    assert_eq!(count(&app, "SELECT count(*) FROM list_entries").await, 0);

    // Proposed: back to the section with a notice.
    let proposed = bayingolin
        .post_form(
            &format!("/console/venues/{venue_id}/list-entries"),
            &fields(&proposal(&app, "serious", 365)),
        )
        .await;
    assert_eq!(proposed.status(), 303);
    let to = location(&proposed);
    assert!(
        to.contains("notice=list-entry-proposed") && to.ends_with("#credit-lists-panel"),
        "{to}"
    );
    let id = only_entry(&app).await;
    let due = working_days_after(&app, 5).await.to_string();
    let item = format!("#list-entry-{id}");

    // The venue may still answer: the console says until when, and offers no decision.
    let page = bayingolin.get_page(&console).await;
    assert!(
        page.select_text(&format!("{item} .entry-state"))
            .contains("Proposed")
    );
    assert!(
        page.select_text(&format!("{item} .entry-may-answer"))
            .contains(&due)
    );
    assert!(!page.exists(&format!("{item} .decide-form")));

    // The venue's staff see the notice at the top, with the form.
    let page = desk.get_page(&dashboard).await;
    assert_eq!(page.status, 200, "{page:?}");
    let notice = page.select_text("#list-notices");
    for wording in [
        "严重失信主体名单",
        "以不合理低价组织旅游活动，诱骗游客购物",
        "《文化和旅游市场信用管理规定》",
        "巴文旅信〔2026〕3号",
        &due,
        &format!("Proposed on {today}"),
    ] {
        assert!(notice.contains(wording), "{wording} not in {notice}");
    }
    let text = page.text();
    let notice_at = text
        .find("Notice of a proposed credit list entry")
        .expect("the notice");
    let comments_at = text.find("Comments").expect("the comments");
    assert!(notice_at < comments_at, "the notice comes first");
    let statement = format!("/dashboard/venues/{venue_id}/list-entries/{id}/statement");
    assert_eq!(
        page.attr(&format!("{item} form.statement-form"), "action"),
        Some(format!("{statement}?lang=en"))
    );

    // A regulator viewing the dashboard sees the notice, read-only.
    let watched = bayingolin.get_page(&dashboard).await;
    assert!(watched.exists(&format!("#list-notices {item}")));
    assert!(!watched.exists("form.statement-form"));
    assert!(watched.exists(&format!("{item} .read-only")));

    // Without the session's token, or empty, or with a control character: refused, kept.
    let forged = desk
        .post_exact(&statement, &[("text", "申辩"), ("csrf_token", "forged")])
        .await;
    assert_eq!(forged.status(), 403);
    let empty = desk
        .post_page(&format!("{statement}?lang=en"), &[("text", "  ")])
        .await;
    assert_eq!(empty.status, 422);
    assert_eq!(
        empty.select_text(&format!("#statement-error-{id}")),
        "Please fill this in."
    );
    let typed = "我单位已全额退款\u{7}并整改。";
    let garbled = desk
        .post_page(&format!("{statement}?lang=en"), &[("text", typed)])
        .await;
    assert_eq!(garbled.status, 422);
    assert!(
        garbled
            .select_text(&format!("#statement-error-{id}"))
            .contains("control character")
    );
    assert_eq!(garbled.form_value(&format!("#statement-{id}")), typed);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM list_entries WHERE statement IS NOT NULL"
        )
        .await,
        0
    );

    let answer = "我单位已全额退款并整改，恳请不予列入。";
    let answered = desk.post_form(&statement, &[("text", answer)]).await;
    assert_eq!(answered.status(), 303);
    let to = location(&answered);
    assert!(
        to.contains("notice=list-statement") && to.ends_with("#credit-lists"),
        "{to}"
    );
    let page = desk.get_page(&dashboard).await;
    assert!(!page.exists("#list-notices"), "answered: no notice left");
    let shown = page.select_text(&format!("#credit-lists {item}"));
    assert!(
        shown.contains(answer) && shown.contains("waiting for the regulator"),
        "{shown}"
    );
    let again = desk
        .post_page(&format!("{statement}?lang=en"), &[("text", "补充")])
        .await;
    assert_eq!(again.status, 422);
    assert!(again.says("submitted already"));

    // The regulator reads the statement beside the entry and decides.
    let page = bayingolin.get_page(&console).await;
    assert_eq!(
        page.select_text(&format!("{item} .entry-statement .comment-text")),
        answer
    );
    assert!(!page.exists(&format!("{item} .entry-may-answer")));
    let decision = format!("/console/venues/{venue_id}/list-entries/{id}/decision");
    assert_eq!(
        page.attr(&format!("{item} form.decide-form"), "action"),
        Some(format!("{decision}?lang=en"))
    );
    let undecided = bayingolin
        .post_page(
            &format!("{decision}?lang=en"),
            &[("reason", "经核查，事实清楚")],
        )
        .await;
    assert_eq!(undecided.status, 422);
    assert_eq!(
        undecided.select_text(&format!("#decision-error-{id}")),
        "Choose to list the venue or not."
    );
    assert_eq!(
        undecided.form_value(&format!("#decision-reason-{id}")),
        "经核查，事实清楚"
    );
    let reasonless = bayingolin
        .post_page(
            &format!("{decision}?lang=en"),
            &[("decision", "listed"), ("reason", "")],
        )
        .await;
    assert_eq!(reasonless.status, 422);
    assert_eq!(
        reasonless.attrs(&format!("{item} input[name=decision][checked]"), "value"),
        ["listed"]
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM list_entries WHERE state = 'pending'"
        )
        .await,
        1
    );
    let decided = bayingolin
        .post_form(
            &decision,
            &[("decision", "listed"), ("reason", "经核查，事实清楚")],
        )
        .await;
    assert_eq!(decided.status(), 303);
    let to = location(&decided);
    assert!(
        to.contains("notice=list-entry-decided") && to.ends_with(&format!("#list-entry-{id}")),
        "{to}"
    );
    let page = bayingolin.get_page(&console).await;
    let shown = page.select_text(item.as_str());
    assert!(
        shown.contains("Listed") && shown.contains("In force today"),
        "{shown}"
    );
    assert!(!page.exists(&format!("{item} .decide-form")));
    let twice = bayingolin
        .post_page(
            &format!("{decision}?lang=en"),
            &[("decision", "dropped"), ("reason", "改判")],
        )
        .await;
    assert_eq!(twice.status, 422);
    assert!(twice.says("decided already"));

    // The venue reads the decision, its reason and its own statement.
    let page = desk.get_page(&dashboard).await;
    let shown = page.select_text(&format!("#credit-lists {item}"));
    for wording in ["Listed", "经核查，事实清楚", answer] {
        assert!(shown.contains(wording), "{wording} not in {shown}");
    }
    let graded = app.score_when(venue_id, |s| s["tier"] == "D").await;
    assert_eq!(graded["tier"], "D", "{graded}");

    assert_eq!(
        audit_actions(&app).await,
        [
            "list_entry.propose",
            "list_entry.statement",
            "list_entry.decide"
        ]
    );
}

#[tokio::test]
async fn once_the_period_ends_without_a_statement_the_venue_is_told_and_the_regulator_decides() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = id_of(&venue);
    let root = app.supervisor("root", "admin", None).await;
    let proposed = root
        .post_form(
            &format!("/console/venues/{venue_id}/list-entries"),
            &fields(&proposal(&app, "watch", 180)),
        )
        .await;
    assert_eq!(proposed.status(), 303);
    let id = only_entry(&app).await;
    let due = working_days_after(&app, 5).await;
    app.clock
        .advance(Duration::days((due - app.clock.today()).num_days() + 1));
    // Sessions do not outlive the days passed: the people sign in now.
    let desk = staff_of(&app, "desk", &venue).await;
    let korla = app.supervisor("korla", "regulator", Some("652801")).await;

    // Past the period the notice is gone and a late statement is refused.
    let dashboard = format!("/dashboard/venues/{venue_id}?lang=en");
    let page = desk.get_page(&dashboard).await;
    assert!(!page.exists("form.statement-form"));
    let shown = page.select_text(&format!("#credit-lists #list-entry-{id}"));
    assert!(
        shown.contains(&format!("The period for a statement ended on {due}")),
        "{shown}"
    );
    let late = desk
        .post_page(
            &format!("/dashboard/venues/{venue_id}/list-entries/{id}/statement?lang=en"),
            &[("text", "迟到的申辩")],
        )
        .await;
    assert_eq!(late.status, 422);
    assert!(
        late.select_text("#list-notices [role=alert]")
            .contains("period for a statement on this entry has ended")
    );

    // A regulator in scope drops it.
    let page = korla
        .get_page(&format!("/console/venues/{venue_id}?lang=en"))
        .await;
    assert!(page.exists(&format!("#list-entry-{id} .decide-form")));
    let decided = korla
        .post_form(
            &format!("/console/venues/{venue_id}/list-entries/{id}/decision"),
            &[("decision", "dropped"), ("reason", "情节轻微，不予列入")],
        )
        .await;
    assert_eq!(decided.status(), 303);
    let page = desk.get_page(&dashboard).await;
    let shown = page.select_text(&format!("#list-entry-{id}"));
    assert!(
        shown.contains("Not listed") && shown.contains("情节轻微，不予列入"),
        "{shown}"
    );
    assert!(shown.contains("No statement was submitted."), "{shown}");
    assert_eq!(
        audit_actions(&app).await,
        ["list_entry.propose", "list_entry.decide"]
    );
}

#[tokio::test]
async fn every_new_list_route_refuses_whoever_may_not_use_it() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = id_of(&venue);
    let other = app.create_venue("昌吉宾馆", "652301", "hotel").await;
    let desk = staff_of(&app, "desk", &venue).await;
    let stranger = staff_of(&app, "stranger", &other).await;
    let bayingolin = app
        .supervisor("bayingolin", "regulator", Some("652800"))
        .await;
    let changji = app.supervisor("changji", "regulator", Some("652300")).await;
    let root = app.supervisor("root", "admin", None).await;
    let propose = format!("/console/venues/{venue_id}/list-entries");
    let proposal = proposal(&app, "serious", 365);
    let proposal = fields(&proposal);
    let entries = || count(&app, "SELECT count(*) FROM list_entries");

    // Proposing: supervisors in scope only.
    for person in [&desk, &stranger] {
        assert_eq!(person.post_form(&propose, &proposal).await.status(), 403);
    }
    assert_eq!(changji.post_form(&propose, &proposal).await.status(), 404);
    assert_eq!(
        changji
            .get_page(&format!("/console/venues/{venue_id}"))
            .await
            .status,
        404
    );
    assert_eq!(entries().await, 0);
    assert_eq!(root.post_form(&propose, &proposal).await.status(), 303);
    let id = only_entry(&app).await;
    let statement = format!("/dashboard/venues/{venue_id}/list-entries/{id}/statement");
    let decision = format!("/console/venues/{venue_id}/list-entries/{id}/decision");
    // An entry under another venue's address is not found.
    let other_id = id_of(&other);
    let misplaced = format!("/dashboard/venues/{other_id}/list-entries/{id}/statement");

    // The statement: the venue's own staff only.
    for person in [&root, &bayingolin] {
        let refused = person.post_form(&statement, &[("text", "代为申辩")]).await;
        assert_eq!(refused.status(), 403);
    }
    for person in [&changji, &stranger] {
        let refused = person.post_form(&statement, &[("text", "代为申辩")]).await;
        assert_eq!(refused.status(), 404);
    }
    assert_eq!(
        stranger
            .post_form(&misplaced, &[("text", "代为申辩")])
            .await
            .status(),
        404
    );
    assert_eq!(
        root.post_form(&misplaced, &[("text", "代为申辩")])
            .await
            .status(),
        404
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM list_entries WHERE statement IS NOT NULL"
        )
        .await,
        0
    );
    assert_eq!(
        desk.post_form(&statement, &[("text", "我单位已整改")])
            .await
            .status(),
        303
    );

    // The decision: supervisors in scope only.
    let decide = [("decision", "listed"), ("reason", "事实清楚")];
    for person in [&desk, &stranger] {
        assert_eq!(person.post_form(&decision, &decide).await.status(), 403);
    }
    assert_eq!(changji.post_form(&decision, &decide).await.status(), 404);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM list_entries WHERE state = 'pending'"
        )
        .await,
        1
    );
    assert_eq!(bayingolin.post_form(&decision, &decide).await.status(), 303);

    // Anonymous: to the sign-in page, every route.
    let anonymous = bare_client();
    for path in [&propose, &statement, &decision] {
        let response = anonymous
            .post(format!("{}{path}", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("text=x&decision=listed&reason=x&list=serious")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(response.headers()["location"], "/login", "{path}");
    }
    assert_eq!(entries().await, 1);
    assert_eq!(
        audit_actions(&app).await,
        [
            "list_entry.propose",
            "list_entry.statement",
            "list_entry.decide"
        ]
    );
}

#[tokio::test]
async fn the_list_pages_speak_uyghur_and_english() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = id_of(&venue);
    let desk = staff_of(&app, "desk", &venue).await;
    let bayingolin = app
        .supervisor("bayingolin", "regulator", Some("652800"))
        .await;
    let proposed = bayingolin
        .post_form(
            &format!("/console/venues/{venue_id}/list-entries"),
            &fields(&proposal(&app, "watch", 300)),
        )
        .await;
    assert_eq!(proposed.status(), 303);

    let page = desk
        .get_page(&format!("/dashboard/venues/{venue_id}?lang=ug"))
        .await;
    assert_eq!(page.lang(), "ug");
    assert_eq!(
        page.select_text("#list-notices-h"),
        "ئىناۋەت تىزىملىكىگە كىرگۈزۈش تەكلىپى ئۇقتۇرۇشى"
    );
    assert!(page.says("مۇھىم دىققەت قىلىنىدىغانلار تىزىملىكى (重点关注名单)"));
    assert_eq!(
        page.select_text("form.statement-form button"),
        "بايان ۋە ئاقلاشنى سۇنۇش"
    );
    let page = bayingolin
        .get_page(&format!("/console/venues/{venue_id}?lang=ug"))
        .await;
    assert_eq!(page.select_text("#credit-lists-h"), "ئىناۋەت تىزىملىكى");
    assert_eq!(
        page.select_text("#propose-form button"),
        "كىرگۈزۈشنى تەكلىپ قىلىش"
    );
    assert!(page.select_text("#credit-lists-basis").contains("21-ماددا"));
    let refused = bayingolin
        .post_page(
            &format!("/console/venues/{venue_id}/list-entries?lang=ug"),
            &[("list", "black")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.select_text("#list-reason-error"), "بۇنى تولدۇرۇڭ.");

    let page = desk
        .get_page(&format!("/dashboard/venues/{venue_id}?lang=en"))
        .await;
    assert_eq!(
        page.select_text("#list-notices-h"),
        "Notice of a proposed credit list entry"
    );
    assert!(page.says("Watch list (重点关注名单)"));
    let page = bayingolin
        .get_page(&format!("/console/venues/{venue_id}?lang=en"))
        .await;
    assert_eq!(page.select_text("#credit-lists-h"), "Credit lists");
    assert!(!page.text().to_lowercase().contains("blacklist"));
}
