//! The console's inbox of alerts: the alerts of the caller's region, newest
//! first, unread ones marked, each in words with a link to what it is
//! about, and a form to mark one read (for the caller alone).

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::view::{Names, PagerView, RowAction, SelectOption, TableView};
use crate::app::Slug;
use crate::app::alerts::{self, AlertBody, AlertList, INBOX_PAGE};
use crate::app::paging::Paging;
use crate::app::path_ids::parse_alert_id;
use crate::domain::table::{Cell, Table};
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, SignedIn};
use crate::http::html::{Chrome, local_time, render_document};
use crate::http::pages::notice::Notice;
use crate::i18n::{AlertTexts, IntegrityTexts};

/// The inbox's query: `?unread=true`, `?page=`.
#[derive(Debug, Default, Deserialize)]
struct InboxQuery {
    unread: Option<String>,
    page: Option<String>,
}

fn kind_name<'a>(t: &'a AlertTexts, kind: &'a str) -> &'a str {
    match kind {
        "campaign_detected" => &t.kind_campaign_detected,
        "score_drop" => &t.kind_score_drop,
        "red_flag_cluster" => &t.kind_red_flag_cluster,
        "overdue_case" => &t.kind_overdue_case,
        other => other,
    }
}

fn delivery_name<'a>(t: &'a AlertTexts, delivery: &'a str) -> &'a str {
    match delivery {
        "pending" => &t.delivery_pending,
        "delivered" => &t.delivery_delivered,
        "failed" => &t.delivery_failed,
        "none" => &t.delivery_none,
        other => other,
    }
}

/// What the alert says, in words.
fn what(t: &AlertTexts, integrity: &IntegrityTexts, alert: &AlertBody) -> String {
    let d = &alert.details;
    let number = |key: &str| match d[key].as_f64() {
        Some(n) if n.fract() == 0.0 => format!("{n:.0}"),
        Some(n) => format!("{n:.2}"),
        None => String::new(),
    };
    match alert.kind.as_str() {
        "campaign_detected" => t
            .what_campaign_detected
            .replace("{held}", &number("held"))
            .replace(
                "{signal}",
                super::integrity::signal_name(integrity, d["signal"].as_str().unwrap_or_default()),
            ),
        "score_drop" => t
            .what_score_drop
            .replace("{before}", &number("before_average"))
            .replace("{recent}", &number("recent_average"))
            .replace("{ratings}", &number("recent_ratings")),
        "red_flag_cluster" => t
            .what_red_flag_cluster
            .replace("{red_flags}", &number("red_flags")),
        "overdue_case" => t
            .what_overdue_case
            .replace("{code}", d["tracking_code"].as_str().unwrap_or_default())
            .replace(
                "{due}",
                &d["due_at"]
                    .as_str()
                    .and_then(|at| at.parse().ok())
                    .map(local_time)
                    .unwrap_or_default(),
            ),
        _ => d.to_string(),
    }
}

/// Where the alert leads: the incident, the case, or the venue.
fn target(names: &Names, alert: &AlertBody) -> String {
    match alert.kind.as_str() {
        "campaign_detected" => match alert.details["incident_id"].as_i64() {
            Some(id) => names.href(&format!("/console/integrity/{id}"), &[]),
            None => names.venue_href(alert.venue_id.into()),
        },
        "overdue_case" => match alert.details["case_id"].as_i64() {
            Some(id) => names.href(&format!("/console/complaints/{id}"), &[]),
            None => names.venue_href(alert.venue_id.into()),
        },
        _ => names.venue_href(alert.venue_id.into()),
    }
}

fn inbox_table(names: &Names, list: &AlertList) -> Table {
    let t = &names.m.alerts;
    Table {
        title: t.inbox_title.clone(),
        headers: vec![
            t.col_alert.clone(),
            t.col_kind.clone(),
            t.col_venue.clone(),
            t.col_what.clone(),
            t.col_raised.clone(),
            t.col_read.clone(),
            t.col_delivery.clone(),
        ],
        rows: list
            .items
            .iter()
            .map(|a| {
                vec![
                    Cell::Integer(a.id),
                    Cell::text(kind_name(t, &a.kind)),
                    Cell::text(&a.venue_name),
                    Cell::text(what(t, &names.m.integrity, a)),
                    Cell::text(local_time(a.raised_at)),
                    Cell::text(if a.read { &t.read_yes } else { &t.read_no }),
                    Cell::text(delivery_name(t, &a.delivery)),
                ]
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "console_alerts.html")]
struct InboxView {
    chrome: Chrome,
    nav: AccountNav,
    t: &'static AlertTexts,
    shows: Vec<SelectOption>,
    unread: String,
    alerts: TableView,
    pager: Option<PagerView>,
}

/// `GET /console/alerts?unread=&page=`: the alerts in scope.
pub async fn inbox(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let query: InboxQuery = serde_html_form::from_str(req.query_string()).unwrap_or_default();
    let unread_only = query.unread.as_deref().map(str::trim) == Some("true");
    let paging = Paging::parse(query.page.as_deref(), None, INBOX_PAGE, Slug::InvalidPage)
        .map_err(|e| signed_in.fail(e))?;
    let list = alerts::inbox(&state, &signed_in.caller, unread_only, paging)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let names = Names::load(&state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let t = &names.m.alerts;
    let shown = if unread_only { "true" } else { "false" };
    let links = list.items.iter().map(|a| Some(target(&names, a))).collect();
    let venue_links = list
        .items
        .iter()
        .map(|a| Some(names.venue_href(a.venue_id.into())))
        .collect();
    let actions = list
        .items
        .iter()
        .map(|a| {
            (!a.read).then(|| RowAction {
                href: names.href(&format!("/console/alerts/{}/read", a.id), &[]),
                label: &t.mark_read,
                field_id: format!("alert-{}", a.id),
                reason_label: "",
                reason_placeholder: "",
                csrf_token: signed_in.session.csrf_token.clone(),
                page: list.page,
                pick: None,
                choice: None,
                reason: String::new(),
            })
        })
        .collect();
    let table = TableView::new("alerts", &inbox_table(&names, &list), &t.empty)
        .link(3, links)
        .link(2, venue_links)
        .muted(list.items.iter().map(|a| a.read))
        .actions(&t.mark_header, actions);
    let pager = PagerView::new(names.m, list.page, paging.per_page, list.total, |page| {
        names.href(
            "/console/alerts",
            &[
                ("unread".to_owned(), shown.to_owned()),
                ("page".to_owned(), page.to_string()),
            ],
        )
    });
    Ok(signed_in.page(render_document(&InboxView {
        chrome: signed_in.chrome(t.inbox_title.clone()),
        nav: signed_in.nav(),
        t,
        shows: [("false", &t.show_all), ("true", &t.show_unread)]
            .into_iter()
            .map(|(value, label)| SelectOption {
                value: value.to_owned(),
                label: label.clone(),
                selected: value == shown,
            })
            .collect(),
        unread: t.unread_count.replace("{n}", &list.unread.to_string()),
        alerts: table,
        pager,
    })))
}

/// `POST /console/alerts/{id}/read`: marks an alert in scope read by the
/// caller; 303 back to the inbox.
pub async fn read(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let _: MarkFields = signed_in.form(&body)?;
    let id = parse_alert_id(&path).map_err(|e| signed_in.fail(e))?;
    alerts::mark_read(&state, &signed_in.caller, id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    Ok(signed_in.done("/console/alerts", Vec::new(), Notice::AlertRead))
}

/// The mark-read form: its token and page only.
#[derive(Debug, Default, Deserialize)]
struct MarkFields {}
