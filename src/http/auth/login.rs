//! `/login`, `/login/second-factor`, `/logout` and `/logout-everywhere`:
//! people sign in with their login name and password, then (when they have
//! an authenticator) a one-time code, and get a session held in Redis.
//!
//! Every failure that could tell whether a login name exists (unknown name,
//! wrong password, account not yet activated or disabled) gets the same
//! status, the same page and the same argon2id work. Failed codes count
//! against the same throttle as failed passwords, and a login name's failures
//! are forgotten only once both steps succeeded: a correct password alone
//! does not buy more guesses at the code.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::access::Role;
use crate::domain::code::constant_time_eq;
use crate::domain::password::{DUMMY_HASH, Login, PASSWORD_MAX_CHARS, verify_password};
use crate::domain::totp::{CodeRejected, SecondFactorCode, requires_totp};
use crate::error::RETRY_AFTER_UNAVAILABLE_SECS;
use crate::http::AppState;
use crate::http::api::ratings::client_ip;
use crate::http::client::client_limit_key;
use crate::http::html::{
    Chrome, NO_SCRIPT_CSP, negotiate_language as language, page_response, render_document,
};
use crate::i18n::{Lang, Messages, messages};
use crate::live::LiveDown;
use crate::live::sessions::{
    PENDING_SIGNIN_SECS, PendingSignIn, SessionData, SessionId, SignInAttempt,
};
use crate::password_work::{PasswordJob, SATURATED_RETRY_AFTER_SECS, Saturated};
use crate::store::accounts::find_by_login;
use crate::store::demo::DEMO_CREATOR;
use crate::store::second_factor;

/// A cookie's name over plain http and over https. Over https every cookie
/// the service sets is `__Host-` prefixed: browsers keep such a cookie only
/// if it is `Secure`, for `Path=/` and without a `Domain`, so a sibling host
/// cannot plant or overwrite it.
#[derive(Debug, Clone, Copy)]
pub struct CookieName {
    /// The name over plain http.
    pub plain: &'static str,
    /// The name over https.
    pub host: &'static str,
}

impl CookieName {
    /// The name this deployment uses.
    pub fn for_state(self, state: &AppState) -> &'static str {
        if secure_cookies(state) {
            self.host
        } else {
            self.plain
        }
    }
}

/// The session cookie.
pub const SESSION_COOKIE: CookieName = CookieName {
    plain: "qrf_session",
    host: "__Host-qrf_session",
};
/// The cookie the sign-in form's token is bound to.
pub const PRE_SESSION_COOKIE: CookieName = CookieName {
    plain: "qrf_presession",
    host: "__Host-qrf_presession",
};
/// The cookie that ties the second sign-in step to the browser that passed the first.
pub const PENDING_SIGNIN_COOKIE: CookieName = CookieName {
    plain: "qrf_signin",
    host: "__Host-qrf_signin",
};
/// The second sign-in step: the one-time code.
pub const SECOND_FACTOR_PATH: &str = "/login/second-factor";
/// Where venue staff land after signing in.
pub const VENUE_STAFF_HOME: &str = "/dashboard";
/// Where admins and regulators land after signing in.
pub const SUPERVISOR_HOME: &str = "/console";
/// Where an account that must enrol a second factor is sent instead.
pub const ENROL_TOTP_PATH: &str = "/account/security";

/// Where a complete sign-in of this role leads.
pub fn home_path(role: Role) -> &'static str {
    match role {
        Role::VenueStaff => VENUE_STAFF_HOME,
        Role::Admin | Role::Regulator => SUPERVISOR_HOME,
    }
}

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
    /// When the session began, Unix milliseconds.
    pub signed_in_ms: i64,
    /// The token every state-changing form of this session must carry as `csrf_token`.
    pub csrf_token: String,
    /// The account has yet to enrol the second factor its role requires:
    /// pages other than enrolment and sign-out must refuse this session.
    pub must_enrol_totp: bool,
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

/// The session cookie's id and its account, its idle time restarted; `Err`
/// while Redis is down.
pub async fn session_of(
    state: &AppState,
    req: &HttpRequest,
) -> Result<Option<(SessionId, SessionAccount)>, LiveDown> {
    let Some(id) = req
        .cookie(session_cookie_name(state))
        .and_then(|c| SessionId::parse(c.value()))
    else {
        return Ok(None);
    };
    let now = state.clock.now().timestamp();
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
            signed_in_ms: data.created_ms,
            csrf_token: data.csrf_token,
            must_enrol_totp: data.must_enrol_totp,
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

/// The page for "Redis or Postgres is down, try again shortly" (503).
pub(in crate::http) fn unavailable(lang: Lang) -> HttpResponse {
    let mut response = message(lang, StatusCode::SERVICE_UNAVAILABLE, |m| {
        (&m.login.unavailable_title, &m.login.unavailable_body)
    });
    response.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from(RETRY_AFTER_UNAVAILABLE_SECS),
    );
    response
}

/// The page for a form whose token was refused (403).
pub(in crate::http) fn forbidden(lang: Lang) -> HttpResponse {
    message(lang, StatusCode::FORBIDDEN, |m| {
        (&m.login.forbidden_title, &m.login.forbidden_body)
    })
}

/// The page for a form that could not be read (400).
pub(in crate::http) fn bad_request(lang: Lang) -> HttpResponse {
    message(lang, StatusCode::BAD_REQUEST, |m| {
        (&m.login.bad_request_title, &m.login.bad_request_body)
    })
}

/// The page for too many failed attempts (429), with `Retry-After`.
pub(in crate::http) fn throttled(lang: Lang, retry_after_secs: u64) -> HttpResponse {
    let mut response = message(lang, StatusCode::TOO_MANY_REQUESTS, |m| {
        (&m.login.throttled_title, &m.login.throttled_body)
    });
    response.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from(retry_after_secs),
    );
    response
}

fn secure_cookies(state: &AppState) -> bool {
    state.settings.public_base_url.starts_with("https://")
}

/// The session cookie's name: `__Host-` prefixed when served over https.
pub fn session_cookie_name(state: &AppState) -> &'static str {
    SESSION_COOKIE.for_state(state)
}

/// The cookie that hands a browser its session (or, with an empty value,
/// removes it).
pub fn session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    // No max-age: the cookie ends with the browser, the session in Redis
    // ends on its own schedule, whichever comes first. Path=/ and no
    // Domain, as the `__Host-` prefix demands.
    Cookie::build(session_cookie_name(state), value)
        .path("/")
        .http_only(true)
        .secure(secure_cookies(state))
        .same_site(SameSite::Lax)
        .finish()
}

fn pre_session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build(PRE_SESSION_COOKIE.for_state(state), value)
        .path("/")
        .http_only(true)
        .secure(secure_cookies(state))
        .same_site(SameSite::Strict)
        .finish()
}

/// The browser's pre-session secret, to which the sign-in form's token is bound.
fn pre_session_of(state: &AppState, req: &HttpRequest) -> Option<SessionId> {
    req.cookie(PRE_SESSION_COOKIE.for_state(state))
        .and_then(|c| SessionId::parse(c.value()))
}

fn pending_cookie(state: &AppState, value: String) -> Cookie<'static> {
    // Strict: the second step is only ever reached from our own first step.
    // Path=/ as the `__Host-` prefix demands; it is sent to no other site.
    Cookie::build(PENDING_SIGNIN_COOKIE.for_state(state), value)
        .path("/")
        .http_only(true)
        .secure(secure_cookies(state))
        .same_site(SameSite::Strict)
        .max_age(CookieDuration::seconds(PENDING_SIGNIN_SECS))
        .finish()
}

/// A fresh token for a session's or a pending sign-in's forms.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    data_encoding::HEXLOWER.encode(&bytes)
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
    if let Some(account) = current_account(&state, &req).await {
        let body = render(
            lang,
            &m.login.signed_in_title,
            Content::SignedIn(account.csrf_token),
        );
        return html(StatusCode::OK, body);
    }
    // The form's token is good only with this browser's pre-session cookie:
    // a token fetched elsewhere cannot be posted from here, nor this one
    // from elsewhere. Kept across views, so two open tabs both work.
    let pre_session = pre_session_of(&state, &req).unwrap_or_else(SessionId::generate);
    let token = state.secrets.issue_bound_form_token(
        LOGIN_FORM_SCOPE,
        pre_session.as_str().as_bytes(),
        state.clock.now().timestamp(),
    );
    let mut response = html(
        StatusCode::OK,
        render(lang, &m.login.title, Content::Form(token)),
    );
    let _ = response.add_cookie(&pre_session_cookie(&state, pre_session.as_str().to_owned()));
    response
}

/// The answer to a flood that keeps every core busy with argon2id (503).
fn saturated(lang: Lang) -> HttpResponse {
    let mut response = unavailable(lang);
    response.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from(SATURATED_RETRY_AFTER_SECS),
    );
    response
}

/// Takes a sign-in attempt for a login name from the request's address
/// (spending the form token's nonce, if given); the answer to give instead
/// when it is refused or Redis is down.
pub(in crate::http) async fn take_attempt(
    state: &AppState,
    req: &HttpRequest,
    lang: Lang,
    login: &str,
    form_nonce: Option<&[u8]>,
) -> Result<(), HttpResponse> {
    let ip = client_limit_key(req);
    match state.live.take_signin_attempt(login, &ip, form_nonce).await {
        Ok(SignInAttempt::Taken) => Ok(()),
        Ok(SignInAttempt::Replayed) => Err(forbidden(lang)),
        Ok(SignInAttempt::Refused { retry_after_secs }) => Err(throttled(lang, retry_after_secs)),
        Err(_) => Err(unavailable(lang)),
    }
}

/// Gives an attempt taken by [`take_attempt`] for the same request back,
/// after its check succeeded or could not run.
pub(in crate::http) async fn give_back_attempt(state: &AppState, req: &HttpRequest, login: &str) {
    if state
        .live
        .give_back_signin_attempt(login, &client_limit_key(req))
        .await
        .is_err()
    {
        tracing::warn!("could not give back a sign-in attempt");
    }
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
    let now = state.clock.now().timestamp();
    let token = form.csrf_token.as_deref().unwrap_or_default();
    let Some(pre_session) = pre_session_of(&state, &req) else {
        return forbidden(lang);
    };
    let Ok(nonce) = state.secrets.verify_bound_form_token(
        token,
        LOGIN_FORM_SCOPE,
        pre_session.as_str().as_bytes(),
        now,
    ) else {
        return forbidden(lang);
    };
    let raw_login = form.login.unwrap_or_default();
    let password = form.password.unwrap_or_default();
    let ip = client_limit_key(&req);
    // Taken before the password is checked: however many requests race,
    // only the allowed number ever reach argon2id. The token is spent in the
    // same step: a replayed one is refused before it costs anything.
    if let Err(response) = take_attempt(&state, &req, lang, &raw_login, Some(&nonce.0)).await {
        return response;
    }
    let record = match Login::parse(&raw_login) {
        Ok(login) => match find_by_login(&state.pool, login.as_str()).await {
            // The demo's accounts, whose passwords were printed, sign in only
            // on a demo server: elsewhere they answer as an unknown login.
            Ok(record) => record.filter(|r| state.settings.demo || r.created_by != DEMO_CREATOR),
            Err(err) => {
                tracing::warn!(error = %err, "account lookup failed");
                give_back_attempt(&state, &req, &raw_login).await;
                return unavailable(lang);
            }
        },
        Err(_) => None,
    };
    let account = record.as_ref().map(|r| (r.id, r.role.clone()));
    let checked = state
        .password_work
        .run(PasswordJob::Verify, move || password_ok(record, &password))
        .await;
    let matched = match checked {
        Ok(matched) => matched,
        Err(Saturated) => {
            give_back_attempt(&state, &req, &raw_login).await;
            return saturated(lang);
        }
    };
    // A failure keeps its attempt taken: that is the count.
    let Some((account_id, role)) = account.filter(|_| matched) else {
        return message(lang, StatusCode::UNAUTHORIZED, |m| {
            (&m.login.failed_title, &m.login.failed_body)
        });
    };
    let second_factor = match second_factor::state(&state.pool, account_id).await {
        Ok(found) => found,
        Err(err) => {
            tracing::warn!(error = %err, "second factor lookup failed");
            return unavailable(lang);
        }
    };
    if second_factor.is_some_and(|s| s.enrolled_totp().is_some()) {
        // The password was right: its attempt goes back, and the code step
        // takes one of its own. The login name's failures stay until the
        // code is right too.
        give_back_attempt(&state, &req, &raw_login).await;
        return await_second_factor(&state, lang, account_id, role, raw_login, now).await;
    }
    let parsed_role = Role::parse(&role);
    // A role key this build does not know is refused later anyway; flag it too.
    let must_enrol = parsed_role.is_none_or(requires_totp);
    let to = match parsed_role {
        Some(role) if !must_enrol => home_path(role),
        _ => ENROL_TOTP_PATH,
    };
    match start_session(&state, account_id, role, must_enrol, &raw_login, &ip).await {
        Ok(id) => signed_in(&state, &id, to),
        Err(_) => unavailable(lang),
    }
}

/// Creates a session for a completely signed-in account and forgets the
/// login name's failed attempts.
async fn start_session(
    state: &AppState,
    account_id: i64,
    role: String,
    must_enrol_totp: bool,
    raw_login: &str,
    ip: &str,
) -> Result<SessionId, LiveDown> {
    let id = SessionId::generate();
    let data = SessionData {
        account_id,
        role,
        created_ms: state.clock.now().timestamp_millis(),
        csrf_token: random_token(),
        must_enrol_totp,
    };
    state.live.create_session(&id, &data).await?;
    if state.live.signin_succeeded(raw_login, ip).await.is_err() {
        tracing::warn!("could not clear failed sign-ins");
    }
    Ok(id)
}

/// The redirect that hands the browser its new session.
fn signed_in(state: &AppState, id: &SessionId, to: &str) -> HttpResponse {
    let mut response = HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish();
    let _ = response.add_cookie(&session_cookie(state, id.as_str().to_owned()));
    // The pending sign-in (if any) is over; its cookie goes too.
    let _ = response.add_removal_cookie(&pending_cookie(state, String::new()));
    response
}

/// Holds a sign-in whose password was right until its second factor comes,
/// and sends the browser to the code form.
async fn await_second_factor(
    state: &AppState,
    lang: Lang,
    account_id: i64,
    role: String,
    raw_login: String,
    now: i64,
) -> HttpResponse {
    let id = SessionId::generate();
    let pending = PendingSignIn {
        account_id,
        role,
        login: raw_login,
        csrf_token: random_token(),
        created_unix: now,
    };
    if state
        .live
        .create_pending_signin(&id, &pending)
        .await
        .is_err()
    {
        return unavailable(lang);
    }
    let mut response = HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("{SECOND_FACTOR_PATH}?lang={}", lang.tag()),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish();
    let _ = response.add_cookie(&pending_cookie(state, id.as_str().to_owned()));
    response
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorView {
    chrome: Chrome,
    m: &'static Messages,
    notice: Option<String>,
    csrf_token: String,
}

/// The code form of a pending sign-in, with an error notice after a refused code.
fn second_factor_page(
    lang: Lang,
    status: StatusCode,
    csrf_token: String,
    notice: Option<String>,
) -> HttpResponse {
    let m = messages(lang);
    let view = SecondFactorView {
        chrome: Chrome::with_switch(
            lang,
            m.totp.step_title.clone(),
            format!("{SECOND_FACTOR_PATH}?lang={}", lang.other().tag()),
        ),
        m,
        notice,
        csrf_token,
    };
    html(status, render_document(&view))
}

/// The page for a second step whose pending sign-in is gone (403): expired,
/// used up, or never begun in this browser.
fn sign_in_expired(lang: Lang) -> HttpResponse {
    message(lang, StatusCode::FORBIDDEN, |m| {
        (&m.totp.expired_title, &m.totp.expired_body)
    })
}

/// The pending sign-in this browser's cookie names; `Err` while Redis is down.
async fn pending_of(
    state: &AppState,
    req: &HttpRequest,
) -> Result<Option<(SessionId, PendingSignIn)>, LiveDown> {
    let Some(id) = req
        .cookie(PENDING_SIGNIN_COOKIE.for_state(state))
        .and_then(|c| SessionId::parse(c.value()))
    else {
        return Ok(None);
    };
    Ok(state
        .live
        .pending_signin(&id)
        .await?
        .map(|pending| (id, pending)))
}

/// The posted second-step form.
#[derive(Default, Deserialize)]
struct SecondFactorForm {
    code: Option<String>,
    csrf_token: Option<String>,
    lang: Option<String>,
}

/// `GET /login/second-factor`: the code form of this browser's pending
/// sign-in, or back to the password form when there is none.
pub async fn show_second_factor(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let chosen = web::Query::<LangQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.into_inner().lang);
    let lang = language(&req, chosen.as_deref());
    match pending_of(&state, &req).await {
        Ok(Some((_, pending))) => {
            second_factor_page(lang, StatusCode::OK, pending.csrf_token, None)
        }
        Ok(None) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/login?lang={}", lang.tag())))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish(),
        Err(_) => unavailable(lang),
    }
}

/// Why a second factor was refused.
pub(in crate::http) enum SecondFactorRefused {
    /// Wrong, malformed or spent.
    Wrong,
    /// The app code's step was already used.
    Replayed,
}

/// Checks a code against the account's authenticator or recovery codes and
/// spends it (the step or the recovery code), audited.
pub(in crate::http) async fn check_second_factor(
    state: &AppState,
    req: &HttpRequest,
    account: &second_factor::SecondFactorState,
    raw_code: &str,
    now: i64,
) -> Result<Result<(), SecondFactorRefused>, crate::store::StoreError> {
    let Some(totp) = account.enrolled_totp() else {
        return Ok(Err(SecondFactorRefused::Wrong));
    };
    let audit = account.audit_entry(
        format!("account:{}", account.account_id),
        Some(client_ip(req)),
    );
    match SecondFactorCode::parse(raw_code) {
        None => Ok(Err(SecondFactorRefused::Wrong)),
        Some(SecondFactorCode::Totp(code)) => {
            let Some(secret) = state
                .secrets
                .open_totp_secret(account.account_id, &totp.secret_sealed)
            else {
                // Recovery codes still work; the secret needs re-enrolment.
                tracing::error!(
                    account_id = account.account_id,
                    "stored TOTP secret does not open with this SECRET_KEY"
                );
                return Ok(Err(SecondFactorRefused::Wrong));
            };
            let step = match secret.verify(&code, now, totp.last_used_step) {
                Ok(step) => step,
                Err(CodeRejected::Wrong) => return Ok(Err(SecondFactorRefused::Wrong)),
                Err(CodeRejected::Replayed) => return Ok(Err(SecondFactorRefused::Replayed)),
            };
            let accepted =
                second_factor::accept_step(&state.pool, account.account_id, step, audit).await?;
            Ok(if accepted {
                Ok(())
            } else {
                // Another request took this step in the meantime.
                Err(SecondFactorRefused::Replayed)
            })
        }
        Some(SecondFactorCode::Recovery(code)) => {
            let stored =
                second_factor::unused_recovery_codes(&state.pool, account.account_id).await?;
            // Each stored code has its own salt: the typed one is checked
            // against each, on the bounded argon2id pool.
            let found = state
                .password_work
                .run(PasswordJob::RecoveryCode, move || {
                    stored
                        .iter()
                        .find(|s| code.matches(&s.code_phc))
                        .map(|s| s.id)
                })
                .await;
            let Ok(Some(code_id)) = found else {
                return Ok(Err(SecondFactorRefused::Wrong));
            };
            let spent = second_factor::consume_recovery_code(
                &state.pool,
                account.account_id,
                code_id,
                audit,
            )
            .await?;
            Ok(if spent {
                Ok(())
            } else {
                Err(SecondFactorRefused::Wrong)
            })
        }
    }
}

/// `POST /login/second-factor`: checks the form token, the throttle and the
/// code, then starts the session.
pub async fn submit_second_factor(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let form: Option<SecondFactorForm> = serde_html_form::from_bytes(&body).ok();
    let lang = language(&req, form.as_ref().and_then(|f| f.lang.as_deref()));
    let Some(form) = form else {
        return bad_request(lang);
    };
    let (pending_id, pending) = match pending_of(&state, &req).await {
        Ok(Some(found)) => found,
        Ok(None) => return sign_in_expired(lang),
        Err(_) => return unavailable(lang),
    };
    let posted = form.csrf_token.as_deref().unwrap_or_default();
    if !constant_time_eq(posted.as_bytes(), pending.csrf_token.as_bytes()) {
        return forbidden(lang);
    }
    let ip = client_limit_key(&req);
    // Codes are guessed under the same allowance as passwords, taken before the check.
    if let Err(response) = take_attempt(&state, &req, lang, &pending.login, None).await {
        return response;
    }
    let account = match second_factor::state(&state.pool, pending.account_id).await {
        Ok(Some(account)) if account.enabled => account,
        Ok(_) => return sign_in_expired(lang),
        Err(err) => {
            tracing::warn!(error = %err, "second factor lookup failed");
            return unavailable(lang);
        }
    };
    let now = state.clock.now().timestamp();
    let raw_code = form.code.unwrap_or_default();
    let refused = match check_second_factor(&state, &req, &account, &raw_code, now).await {
        Ok(Ok(())) => None,
        Ok(Err(refused)) => Some(refused),
        Err(err) => {
            tracing::warn!(error = %err, "second factor check failed");
            return unavailable(lang);
        }
    };
    if let Some(refused) = refused {
        let m = messages(lang);
        let notice = match refused {
            SecondFactorRefused::Wrong => m.totp.wrong_code.clone(),
            SecondFactorRefused::Replayed => m.totp.replayed_code.clone(),
        };
        return second_factor_page(
            lang,
            StatusCode::UNAUTHORIZED,
            pending.csrf_token,
            Some(notice),
        );
    }
    // Only the request that ends the pending sign-in goes on to a session.
    match state.live.end_pending_signin(&pending_id).await {
        Ok(true) => {}
        Ok(false) => return sign_in_expired(lang),
        Err(_) => return unavailable(lang),
    }
    let to = Role::parse(&pending.role).map_or(ENROL_TOTP_PATH, home_path);
    match start_session(
        &state,
        pending.account_id,
        pending.role,
        false,
        &pending.login,
        &ip,
    )
    .await
    {
        Ok(id) => signed_in(&state, &id, to),
        Err(_) => unavailable(lang),
    }
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
