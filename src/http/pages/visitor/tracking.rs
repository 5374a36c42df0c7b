//! `/c/{code}`: the visitor follows a complaint by its tracking code, with
//! no account: where it stands, its dates, the steps it went through and the
//! authority's public answer; never the contact, never who handled it. Once
//! the case is closed the visitor rates the handling once (追评).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::app::cases::{self, PublicCase};
use crate::app::{AppError, Kind, Slug};
use crate::domain::complaint::parse_handling_stars;
use crate::http::AppState;
use crate::http::html::{
    Chrome, NO_SCRIPT_CSP, local_time, negotiate_language, page_response, render_document,
};
use crate::http::pages::public::{PublicError, public_error_page};
use crate::http::pages::visitor::view::segment_path;
use crate::i18n::{CaseTexts, Lang, Messages, messages};

/// The rating form of a closed case.
struct HandlingForm {
    action: String,
    token: String,
    choices: [u8; 5],
}

#[derive(Template)]
#[template(path = "case_tracking.html")]
struct TrackingPage<'a> {
    chrome: Chrome,
    c: &'static CaseTexts,
    venue_name: &'a str,
    tracking_code: &'a str,
    state: &'a str,
    received: String,
    due: Option<String>,
    closed: Option<String>,
    public_answer: Option<&'a str>,
    steps: Vec<(String, &'a str)>,
    rated_stars: Option<String>,
    notice: Option<&'a str>,
    form: Option<HandlingForm>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct NotFoundPage {
    chrome: Chrome,
    m: &'static Messages,
    title: &'static str,
    body: &'static str,
}

#[derive(Debug, Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

/// The posted rating of the handling.
#[derive(Debug, Default, Deserialize)]
pub struct HandlingRatingForm {
    stars: Option<String>,
    comment: Option<String>,
    form_token: Option<String>,
    lang: Option<String>,
}

/// `/c/{code}` with the code percent-encoded as one path segment.
fn tracking_path(code: &str) -> String {
    segment_path("/c/", code)
}

fn chrome(state: &AppState, lang: Lang, title: String, code: &str) -> Chrome {
    let path = tracking_path(code);
    Chrome::with_switch(lang, title, |other| format!("{path}?lang={}", other.tag()))
        .with_imprint(&state.settings.imprint)
}

fn render(state: &AppState, lang: Lang, case: &PublicCase, notice: Option<&str>) -> String {
    let c = &messages(lang).cases;
    let now = state.clock.now().timestamp();
    let form = case.may_rate_handling().then(|| HandlingForm {
        action: tracking_path(&case.tracking_code),
        token: state.secrets.issue_bound_form_token(
            case.venue_id.get(),
            case.tracking_code.as_bytes(),
            now,
        ),
        choices: [1, 2, 3, 4, 5],
    });
    render_document(&TrackingPage {
        chrome: chrome(state, lang, c.track_title.clone(), &case.tracking_code),
        c,
        venue_name: &case.venue_name,
        tracking_code: &case.tracking_code,
        state: c.state(case.state),
        received: local_time(case.received_at),
        due: case
            .due_at
            .filter(|_| !case.state.is_closed())
            .map(local_time),
        closed: case.closed_at.map(local_time),
        public_answer: case.public_answer.as_deref(),
        steps: case
            .steps
            .iter()
            .map(|(at, s)| (local_time(*at), c.state(*s)))
            .collect(),
        rated_stars: case
            .handling_stars
            .map(|stars| c.your_rating.replace("{stars}", &stars.to_string())),
        notice,
        form,
    })
}

fn not_found(state: &AppState, lang: Lang, code: &str) -> HttpResponse {
    let m = messages(lang);
    let body = render_document(&NotFoundPage {
        chrome: chrome(state, lang, m.cases.not_found_title.clone(), code),
        m,
        title: &m.cases.not_found_title,
        body: &m.cases.not_found_body,
    });
    page_response(StatusCode::NOT_FOUND, NO_SCRIPT_CSP, body)
}

fn failure(state: &AppState, lang: Lang, code: &str, err: &AppError) -> HttpResponse {
    let which = match err.slug.kind() {
        Kind::NotFound => return not_found(state, lang, code),
        Kind::Unavailable => PublicError::Unavailable,
        _ => PublicError::Failed,
    };
    let status = if matches!(which, PublicError::Unavailable) {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    let body = public_error_page(lang, which, &state.settings.imprint);
    page_response(status, NO_SCRIPT_CSP, body)
}

/// `GET /c/{code}`.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    let chosen = web::Query::<LangQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.into_inner().lang);
    let lang = negotiate_language(&req, chosen.as_deref());
    match cases::public_case(&state, &path).await {
        Ok(case) => page_response(
            StatusCode::OK,
            NO_SCRIPT_CSP,
            render(&state, lang, &case, None),
        ),
        Err(err) => failure(&state, lang, &path, &err),
    }
}

/// `POST /c/{code}`: the visitor's stars (and words) for the handling of a closed case.
pub async fn rate(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<HandlingRatingForm>,
) -> HttpResponse {
    let form = form.into_inner();
    let lang = negotiate_language(&req, form.lang.as_deref());
    let c = &messages(lang).cases;
    let case = match cases::public_case(&state, &path).await {
        Ok(case) => case,
        Err(err) => return failure(&state, lang, &path, &err),
    };
    let token_ok = form.form_token.as_deref().is_some_and(|token| {
        state
            .secrets
            .verify_bound_form_token(
                token,
                case.venue_id.get(),
                case.tracking_code.as_bytes(),
                state.clock.now().timestamp(),
            )
            .is_ok()
    });
    let refuse = |notice: &str| {
        page_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            NO_SCRIPT_CSP,
            render(&state, lang, &case, Some(notice)),
        )
    };
    if !token_ok {
        return refuse(&c.form_expired);
    }
    let Some(stars) = form.stars.as_deref().and_then(parse_handling_stars) else {
        return refuse(&c.bad_stars);
    };
    match cases::rate_handling(&state, &case.tracking_code, stars, form.comment.as_deref()).await {
        Ok(()) => match cases::public_case(&state, &case.tracking_code).await {
            Ok(rated) => page_response(
                StatusCode::OK,
                NO_SCRIPT_CSP,
                render(&state, lang, &rated, Some(&c.rated_thanks)),
            ),
            Err(err) => failure(&state, lang, &path, &err),
        },
        Err(err) if err.slug == Slug::HandlingNotRateable => page_response(
            StatusCode::CONFLICT,
            NO_SCRIPT_CSP,
            render(&state, lang, &case, Some(&c.not_rateable)),
        ),
        Err(err) if err.slug.kind() == Kind::Invalid => refuse(messages(lang).problem(&err)),
        Err(err) => failure(&state, lang, &path, &err),
    }
}
