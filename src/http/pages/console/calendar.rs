//! The working-day calendar in the console: a year's holidays and make-up
//! working days for admins and regulators, and for admins a form to set a
//! day or return it to its weekday. The same use-cases as
//! `/api/v1/holidays` keep it, with their audit rows.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Datelike;
use serde::Deserialize;

use crate::app::AppError;
use crate::app::working_days::{self, HolidayRequest};
use crate::domain::access::Role;
use crate::domain::working_days::DayKind;
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, SignedIn};
use crate::http::html::{Chrome, render_document};
use crate::i18n::CalendarTexts;

/// One overridden day as the page shows it.
struct DayRow {
    date: String,
    kind: String,
    name: String,
}

#[derive(Template)]
#[template(path = "console_calendar.html")]
struct CalendarView {
    chrome: Chrome,
    nav: AccountNav,
    t: &'static CalendarTexts,
    year: i32,
    prev_href: String,
    next_href: String,
    days: Vec<DayRow>,
    /// The form token, for admins only: they alone change the calendar.
    csrf_token: Option<String>,
    action: String,
    problem: Option<String>,
    draft_date: String,
    draft_name: String,
}

#[derive(Debug, Default, Deserialize)]
struct YearQuery {
    year: Option<String>,
}

/// The posted day: `kind` is `holiday`, `workday` or `weekday` (clear it).
#[derive(Debug, Default, Deserialize)]
struct DayForm {
    date: Option<String>,
    kind: Option<String>,
    name: Option<String>,
}

async fn document(
    signed_in: &SignedIn,
    state: &AppState,
    year: i32,
    problem: Option<(String, &DayForm)>,
) -> Result<String, PageError> {
    let t = &signed_in.messages().calendar;
    let listed = working_days::year(state, year)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let lang = signed_in.lang.tag();
    let (problem, draft) = match problem {
        Some((text, form)) => (Some(text), Some(form)),
        None => (None, None),
    };
    Ok(render_document(&CalendarView {
        chrome: signed_in.chrome(format!("{} {year}", t.title)),
        nav: signed_in.nav(),
        t,
        year,
        prev_href: format!("/console/calendar?year={}&lang={lang}", year - 1),
        next_href: format!("/console/calendar?year={}&lang={lang}", year + 1),
        days: listed
            .items
            .into_iter()
            .map(|d| DayRow {
                date: d.date.to_string(),
                kind: match d.kind {
                    DayKind::Holiday => t.kind_holiday.clone(),
                    DayKind::Workday => t.kind_workday.clone(),
                },
                name: d.name,
            })
            .collect(),
        csrf_token: (signed_in.role() == Role::Admin).then(|| signed_in.session.csrf_token.clone()),
        action: format!("/console/calendar?year={year}&lang={lang}"),
        problem,
        draft_date: draft.and_then(|f| f.date.clone()).unwrap_or_default(),
        draft_name: draft.and_then(|f| f.name.clone()).unwrap_or_default(),
    }))
}

fn year_of(signed_in: &SignedIn, state: &AppState, req: &HttpRequest) -> Result<i32, PageError> {
    let query: YearQuery = serde_html_form::from_str(req.query_string()).unwrap_or_default();
    working_days::parse_year(query.year.as_deref(), state.clock.today().year())
        .map_err(|e| signed_in.fail(e))
}

/// `GET /console/calendar?year=`.
pub async fn calendar(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let year = year_of(&signed_in, &state, &req)?;
    Ok(signed_in.page(document(&signed_in, &state, year, None).await?))
}

/// `POST /console/calendar` (admins): sets a day or returns it to its
/// weekday, then 303 to the year's page; a refused day shows the page again
/// with what was wrong (422).
pub async fn set_day(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form: DayForm = signed_in.form(&body)?;
    let year = year_of(&signed_in, &state, &req)?;
    let outcome: Result<(), AppError> = async {
        let day = working_days::parse_day(form.date.as_deref().unwrap_or_default())?;
        let request = match form.kind.as_deref().map(str::trim) {
            Some("weekday") => None,
            kind => Some(HolidayRequest {
                kind: kind.unwrap_or_default().to_owned(),
                name: form.name.clone(),
            }),
        };
        working_days::set_day(&state, &signed_in.caller, day, request.as_ref()).await?;
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => Ok(signed_in.see_other(&format!(
            "/console/calendar?year={year}&lang={}",
            signed_in.lang.tag()
        ))),
        Err(err) if SignedIn::refusal_status(&err).is_some() => {
            let text = signed_in.messages().problem(&err).to_owned();
            let body = document(&signed_in, &state, year, Some((text, &form))).await?;
            Ok(signed_in.page_with_status(StatusCode::UNPROCESSABLE_ENTITY, body))
        }
        Err(err) => Err(signed_in.fail(err)),
    }
}
