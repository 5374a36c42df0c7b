//! `/login`, `/logout` and `/logout-everywhere`: people sign in with their
//! login name and password and get a session held in Redis.
//!
//! Every failure that could tell whether a login name exists (unknown name,
//! wrong password, account not yet activated or disabled) gets the same
//! status, the same page and the same argon2id work.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::AppState;
use super::html::{
    Chrome, NO_SCRIPT_CSP, negotiate_language as language, page_response, render_document,
};
use super::ratings::client_ip;
use crate::domain::access::Role;
use crate::domain::code::constant_time_eq;
use crate::domain::password::{DUMMY_HASH, Login, PASSWORD_MAX_CHARS, verify_password};
use crate::error::RETRY_AFTER_UNAVAILABLE_SECS;
use crate::i18n::{Lang, Messages, messages};
use crate::live::sessions::{SessionData, SessionId};
use crate::store::accounts::find_by_login;

/// The session cookie.
pub const SESSION_COOKIE: &str = "qrf_session";
/// Where a successful sign-in leads: the sign-in page itself, which shows who
/// is signed in and the sign-out buttons until the consoles exist.
pub const AFTER_LOGIN_PATH: &str = "/login";

/// The "venue" the sign-in form's token is bound to: no venue has id 0, so a
/// rating form's token is never accepted here nor the other way round.
const LOGIN_FORM_SCOPE: i64 = 0;
/// The account behind a live session, for pages that need a signed-in person.
#[derive(Debug, Clone)]
pub struct SessionAccount {
    /// The account.
    pub account_id: i64,
    /// Its role at sign-in.
    pub role: Role,
    /// When the session began, Unix seconds.
    pub signed_in_unix: i64,
    /// The token every state-changing form of this session must carry as `csrf_token`.
    pub csrf_token: String,
}

impl SessionAccount {
    /// Whether a posted form token is this session's.
    pub fn csrf_matches(&self, posted: &str) -> bool {
        constant_time_eq(posted.as_bytes(), self.csrf_token.as_bytes())
    }
}

/// The signed-in account of this request, its idle time restarted; `None`
/// without a live session or while Redis is down.
pub async fn current_account(state: &AppState, req: &HttpRequest) -> Option<SessionAccount> {
    session_of(state, req)
        .await
        .ok()
        .flatten()
        .map(|(_, account)| account)
}

/// The session cookie's id and its account; `Err` while Redis is down.
pub(crate) async fn session_of(
    state: &AppState,
    req: &HttpRequest,
) -> Result<Option<(SessionId, SessionAccount)>, crate::live::LiveDown> {
    let Some(id) = req
        .cookie(SESSION_COOKIE)
        .and_then(|c| SessionId::parse(c.value()))
    else {
        return Ok(None);
    };
    let now = chrono::Utc::now().timestamp();
    let Some(data) = state.live.touch_session(&id, now).await? else {
        return Ok(None);
    };
    // A role key this build does not know cannot be trusted with anything.
    let Some(role) = Role::parse(&data.role) else {
        return Ok(None);
    };
    Ok(Some((
        id,
        SessionAccount {
            account_id: data.account_id,
            role,
            signed_in_unix: data.created_unix,
            csrf_token: data.csrf_token,
        },
    )))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginView {
    chrome: Chrome,
    m: &'static Messages,
    heading: String,
    notice: Option<String>,
    /// CSS class of the notice: error or info.
    notice_kind: &'static str,
    login_token: Option<String>,
    logout_token: Option<String>,
    again_link: bool,
}

/// What a page shows besides its heading.
enum Content {
    /// The sign-in form with this token.
    Form(String),
    /// A message and a link back to the form.
    Message { body: String, kind: &'static str },
    /// The signed-in view with sign-out forms carrying this token.
    SignedIn(String),
}

fn render(lang: Lang, heading: &str, content: Content) -> String {
    let m = messages(lang);
    let other = lang.other();
    let (notice, notice_kind, login_token, logout_token, again_link) = match content {
        Content::Form(token) => (None, "info", Some(token), None, false),
        Content::Message { body, kind } => (Some(body), kind, None, None, true),
        Content::SignedIn(token) => (
            Some(m.login.signed_in_body.clone()),
            "info",
            None,
            Some(token),
            false,
        ),
    };
    let view = LoginView {
        // Absolute, so the switch also works from pages that answered a POST.
        chrome: Chrome::with_switch(
            lang,
            heading.to_owned(),
            format!("/login?lang={}", other.tag()),
        ),
        m,
        heading: heading.to_owned(),
        notice,
        notice_kind,
        login_token,
        logout_token,
        again_link,
    };
    render_document(&view)
}

fn html(status: StatusCode, body: String) -> HttpResponse {
    page_response(status, NO_SCRIPT_CSP, body)
}

/// A page with a heading, a message and a link back to the form.
fn message(lang: Lang, status: StatusCode, pick: fn(&Messages) -> (&str, &str)) -> HttpResponse {
    let (title, body) = pick(messages(lang));
    let kind = if status.is_success() { "info" } else { "error" };
    let content = Content::Message {
        body: body.to_owned(),
        kind,
    };
    html(status, render(lang, title, content))
}

fn unavailable(lang: Lang) -> HttpResponse {
    let mut response = message(lang, StatusCode::SERVICE_UNAVAILABLE, |m| {
        (&m.login.unavailable_title, &m.login.unavailable_body)
    });
    response.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from(RETRY_AFTER_UNAVAILABLE_SECS),
    );
    response
}

fn forbidden(lang: Lang) -> HttpResponse {
    message(lang, StatusCode::FORBIDDEN, |m| {
        (&m.login.forbidden_title, &m.login.forbidden_body)
    })
}

fn bad_request(lang: Lang) -> HttpResponse {
    message(lang, StatusCode::BAD_REQUEST, |m| {
        (&m.login.bad_request_title, &m.login.bad_request_body)
    })
}

fn secure_cookies(state: &AppState) -> bool {
    state.settings.public_base_url.starts_with("https://")
}

fn session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    // No max-age: the cookie ends with the browser, the session in Redis
    // ends on its own schedule, whichever comes first.
    Cookie::build(SESSION_COOKIE, value)
        .path("/")
        .http_only(true)
        .secure(secure_cookies(state))
        .same_site(SameSite::Lax)
        .finish()
}

#[derive(Debug, Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

/// The posted sign-in form; every field arrives as text.
#[derive(Default, Deserialize)]
struct LoginForm {
    login: Option<String>,
    password: Option<String>,
    csrf_token: Option<String>,
    lang: Option<String>,
}

/// A posted sign-out form.
#[derive(Debug, Default, Deserialize)]
struct SignOutForm {
    csrf_token: Option<String>,
    lang: Option<String>,
}

/// `GET /login`: the sign-in form, or the sign-out buttons when signed in.
pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let chosen = web::Query::<LangQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.into_inner().lang);
    let lang = language(&req, chosen.as_deref());
    let m = messages(lang);
    let body = match current_account(&state, &req).await {
        Some(account) => render(
            lang,
            &m.login.signed_in_title,
            Content::SignedIn(account.csrf_token),
        ),
        None => {
            let token = state
                .secrets
                .issue_form_token(LOGIN_FORM_SCOPE, chrono::Utc::now().timestamp());
            render(lang, &m.login.title, Content::Form(token))
        }
    };
    html(StatusCode::OK, body)
}

/// Checks a password the way that takes equally long whatever the outcome:
/// an account that cannot sign in is checked against [`DUMMY_HASH`].
fn password_ok(record: Option<crate::store::accounts::LoginRecord>, candidate: &str) -> bool {
    // Longer passwords are never set; checking a bounded stand-in keeps the
    // work per attempt bounded too.
    let too_long = candidate.chars().count() > PASSWORD_MAX_CHARS;
    match record {
        Some(record) if record.usable && !too_long => record.password_matches(candidate),
        _ => {
            let _ = verify_password(if too_long { "" } else { candidate }, &DUMMY_HASH);
            false
        }
    }
}

/// `POST /login`: checks the form token, the throttle and the password, then
/// starts a session.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let form: Option<LoginForm> = serde_html_form::from_bytes(&body).ok();
    let lang = language(&req, form.as_ref().and_then(|f| f.lang.as_deref()));
    let Some(form) = form else {
        return bad_request(lang);
    };
    let now = chrono::Utc::now().timestamp();
    let token = form.csrf_token.as_deref().unwrap_or_default();
    if state
        .secrets
        .verify_form_token(token, LOGIN_FORM_SCOPE, now)
        .is_err()
    {
        return forbidden(lang);
    }
    let raw_login = form.login.unwrap_or_default();
    let password = form.password.unwrap_or_default();
    let ip = client_ip(&req);
    let throttle = match state.live.signin_throttle(&raw_login, &ip).await {
        Ok(throttle) => throttle,
        Err(_) => return unavailable(lang),
    };
    if throttle.exceeded() {
        let mut response = message(lang, StatusCode::TOO_MANY_REQUESTS, |m| {
            (&m.login.throttled_title, &m.login.throttled_body)
        });
        response.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from(throttle.retry_after_secs),
        );
        return response;
    }
    let record = match Login::parse(&raw_login) {
        Ok(login) => match find_by_login(&state.pool, login.as_str()).await {
            Ok(record) => record,
            Err(err) => {
                tracing::warn!(error = %err, "account lookup failed");
                return unavailable(lang);
            }
        },
        Err(_) => None,
    };
    let account = record.as_ref().map(|r| (r.id, r.role.clone()));
    // argon2id takes tens of milliseconds of CPU: keep it off the async workers.
    let matched = tokio::task::spawn_blocking(move || password_ok(record, &password))
        .await
        .unwrap_or(false);
    let Some((account_id, role)) = account.filter(|_| matched) else {
        if state.live.signin_failed(&raw_login, &ip).await.is_err() {
            tracing::warn!("could not count a failed sign-in");
        }
        return message(lang, StatusCode::UNAUTHORIZED, |m| {
            (&m.login.failed_title, &m.login.failed_body)
        });
    };
    let id = SessionId::generate();
    let csrf: [u8; 32] = rand::random();
    let data = SessionData {
        account_id,
        role,
        created_unix: now,
        csrf_token: data_encoding::HEXLOWER.encode(&csrf),
    };
    if state.live.create_session(&id, &data).await.is_err() {
        return unavailable(lang);
    }
    if state.live.signin_succeeded(&raw_login).await.is_err() {
        tracing::warn!("could not clear failed sign-ins");
    }
    let mut response = HttpResponse::SeeOther()
        .insert_header((header::LOCATION, AFTER_LOGIN_PATH))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish();
    let _ = response.add_cookie(&session_cookie(&state, id.as_str().to_owned()));
    response
}

/// Which sessions a sign-out ends.
#[derive(Clone, Copy)]
enum SignOut {
    ThisSession,
    Everywhere,
}

async fn sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
    which: SignOut,
) -> HttpResponse {
    let form: Option<SignOutForm> = serde_html_form::from_bytes(&body).ok();
    let lang = language(&req, form.as_ref().and_then(|f| f.lang.as_deref()));
    let Some(form) = form else {
        return bad_request(lang);
    };
    let (id, account) = match session_of(&state, &req).await {
        Ok(Some(session)) => session,
        // Nothing to end: show the form, and drop a stale cookie.
        Ok(None) => {
            let mut response = HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/login"))
                .finish();
            let _ = response.add_removal_cookie(&session_cookie(&state, String::new()));
            return response;
        }
        Err(_) => return unavailable(lang),
    };
    if !account.csrf_matches(form.csrf_token.as_deref().unwrap_or_default()) {
        return forbidden(lang);
    }
    let ended = match which {
        SignOut::ThisSession => state.live.delete_session(&id, account.account_id).await,
        SignOut::Everywhere => state
            .live
            .delete_account_sessions(account.account_id)
            .await
            .map(|_| ()),
    };
    if ended.is_err() {
        return unavailable(lang);
    }
    let mut response = message(lang, StatusCode::OK, |m| {
        (&m.login.logged_out_title, &m.login.logged_out_body)
    });
    let _ = response.add_removal_cookie(&session_cookie(&state, String::new()));
    response
}

/// `POST /logout`: ends this session.
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    sign_out(req, state, body, SignOut::ThisSession).await
}

/// `POST /logout-everywhere`: ends every session of the signed-in account.
pub async fn logout_everywhere(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    sign_out(req, state, body, SignOut::Everywhere).await
}
