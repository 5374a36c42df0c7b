//! `/login`: people sign in with their login name and password, then (when
//! they have an authenticator) a one-time code (`second_factor`), and get a
//! session held in Redis (`session`). Also the sign-in pages' shared answers
//! (unavailable, refused, throttled) and the sign-in throttle.
//!
//! Every failure that could tell whether a login name exists (unknown name,
//! wrong password, account not yet activated or disabled) gets the same
//! status, the same page and the same argon2id work. Failed codes count
//! against the same throttle as failed passwords, and a login name's failures
//! are forgotten only once both steps succeeded: a correct password alone
//! does not buy more guesses at the code.
//!
//! Past 500 lines: the sign-in form, its throttle, its audit rows and its refusal pages belong
//! together; the second step, sessions and sign-out have their own files.

use crate::domain::ids::AccountId;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::app::audit as audit_log;
use crate::domain::audit::{ACTOR_ANONYMOUS, AuditAction, attempted_login};
use crate::domain::password::{DUMMY_HASH, Login, PASSWORD_MAX_CHARS, verify_password};
use crate::domain::totp::requires_totp;
use crate::http::AppState;
use crate::http::auth::session::{
    ENROL_TOTP_PATH, LOGIN_FORM_SCOPE, SECOND_FACTOR_PATH, current_account, home_path,
    pending_cookie, pre_session_cookie, pre_session_of, random_token, session_cookie,
};
use crate::http::client::{client_ip, client_limit_key};
use crate::http::html::retry_after;
use crate::http::html::{
    Chrome, NO_SCRIPT_CSP, negotiate_language as language, page_response, render_document,
};
use crate::i18n::{Lang, Messages, messages};
use crate::live::LiveDown;
use crate::live::sessions::{PendingSignIn, SessionData, SessionId, SignInAttempt};
use crate::password_work::{PasswordJob, SATURATED_RETRY_AFTER_SECS, Saturated};
use crate::store::accounts::find_by_login;
use crate::store::audit::AuditEntry;
use crate::store::demo::DEMO_CREATOR;
use crate::store::second_factor;

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
        chrome: Chrome::with_switch(lang, heading.to_owned(), |other| {
            format!("/login?lang={}", other.tag())
        }),
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

pub(in crate::http) fn html(status: StatusCode, body: String) -> HttpResponse {
    page_response(status, NO_SCRIPT_CSP, body)
}

/// A page with a heading, a message and a link back to the form.
pub(in crate::http) fn message(
    lang: Lang,
    status: StatusCode,
    pick: fn(&Messages) -> (&str, &str),
) -> HttpResponse {
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
    message(lang, StatusCode::SERVICE_UNAVAILABLE, |m| {
        (&m.login.unavailable_title, &m.login.unavailable_body)
    })
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
fn throttled(lang: Lang, retry_after_secs: u64) -> HttpResponse {
    let response = message(lang, StatusCode::TOO_MANY_REQUESTS, |m| {
        (&m.login.throttled_title, &m.login.throttled_body)
    });
    retry_after(response, retry_after_secs)
}

#[derive(Debug, Deserialize)]
pub(in crate::http) struct LangQuery {
    pub(in crate::http) lang: Option<String>,
}

/// The posted sign-in form; every field arrives as text.
#[derive(Default, Deserialize)]
struct LoginForm {
    login: Option<String>,
    password: Option<String>,
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
    retry_after(unavailable(lang), SATURATED_RETRY_AFTER_SECS)
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
    let account = record.as_ref().map(|r| (r.id, r.role));
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
    // A failure keeps its attempt taken: that is the count. It is audited
    // after the throttle let it through, so the log grows no faster than
    // the throttle allows attempts.
    let Some((account_id, role)) = account.filter(|_| matched) else {
        let known = account.map(|(id, _)| id);
        if let Err(response) = audit_failed_sign_in(&state, &req, lang, known, &raw_login).await {
            return response;
        }
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
    let audit = account_audit(&req, account_id, second_factor.as_ref());
    if second_factor.is_some_and(|s| s.enrolled_totp().is_some()) {
        // The password was right: its attempt goes back, and the code step
        // takes one of its own. The login name's failures stay until the
        // code is right too.
        give_back_attempt(&state, &req, &raw_login).await;
        return await_second_factor(
            &state,
            lang,
            account_id,
            role.key().to_owned(),
            raw_login,
            now,
        )
        .await;
    }
    let must_enrol = requires_totp(role);
    let to = if must_enrol {
        ENROL_TOTP_PATH
    } else {
        home_path(role)
    };
    let new_session = SignIn {
        account_id,
        role: role.key().to_owned(),
        must_enrol_totp: must_enrol,
        raw_login: &raw_login,
        ip: &ip,
        audit,
    };
    match start_session(&state, new_session).await {
        Ok(id) => signed_in(&state, &id, to),
        Err(_) => unavailable(lang),
    }
}

/// An audit entry of an account acting on itself (a sign-in, a sign-out):
/// the account is both who and on what, and the row belongs where the
/// account's changes do (a regulator's region, a staff account's first
/// venue, nowhere for an admin).
pub(in crate::http) fn account_audit(
    req: &HttpRequest,
    account_id: AccountId,
    account: Option<&second_factor::SecondFactorState>,
) -> AuditEntry {
    let actor = format!("account:{account_id}");
    let mut entry = match account {
        Some(account) => account.audit_entry(actor.clone(), Some(client_ip(req))),
        None => AuditEntry {
            actor: actor.clone(),
            client_ip: Some(client_ip(req)),
            ..AuditEntry::default()
        },
    };
    entry.target = actor;
    entry
}

/// Records a refused password. An attempt at a known login names that
/// account (and belongs where its changes do); one at an unknown login
/// keeps only the cleaned, shortened text that was typed. The password is
/// never recorded. Both look the account up the same way, so the time taken
/// does not tell them apart.
async fn audit_failed_sign_in(
    state: &AppState,
    req: &HttpRequest,
    lang: Lang,
    account_id: Option<AccountId>,
    raw_login: &str,
) -> Result<(), HttpResponse> {
    // Ids start at 1: a lookup of 0 finds nothing, like an unknown login.
    let place = second_factor::state(&state.pool, account_id.unwrap_or(AccountId::new(0)))
        .await
        .map_err(|err| {
            tracing::warn!(error = %err, "account lookup for the audit log failed");
            unavailable(lang)
        })?;
    let login = attempted_login(raw_login);
    let mut entry = match (&place, account_id) {
        (Some(account), Some(id)) => AuditEntry {
            target: format!("account:{id}"),
            ..account.audit_entry(ACTOR_ANONYMOUS.to_owned(), Some(client_ip(req)))
        },
        _ => AuditEntry {
            actor: ACTOR_ANONYMOUS.to_owned(),
            target: format!("login:{login}"),
            client_ip: Some(client_ip(req)),
            ..AuditEntry::default()
        },
    };
    entry.after = Some(serde_json::json!({ "login": login }));
    audit_log::record(state, AuditAction::AUTH_SIGN_IN_FAILED, entry)
        .await
        .map_err(|err| {
            tracing::warn!(error = %err.detail, "could not audit a failed sign-in");
            unavailable(lang)
        })
}

/// A completely signed-in account, about to get its session.
pub(in crate::http) struct SignIn<'a> {
    pub(in crate::http) account_id: AccountId,
    pub(in crate::http) role: String,
    pub(in crate::http) must_enrol_totp: bool,
    /// The login name as typed, whose failed attempts are forgotten.
    pub(in crate::http) raw_login: &'a str,
    /// The throttle's key of the client address.
    pub(in crate::http) ip: &'a str,
    /// The sign-in's audit entry ([`account_audit`]).
    pub(in crate::http) audit: AuditEntry,
}

/// Audits a sign-in, creates its session and forgets the login name's
/// failed attempts. Audited first: no session exists that the log lacks.
pub(in crate::http) async fn start_session(
    state: &AppState,
    sign_in: SignIn<'_>,
) -> Result<SessionId, SessionNotStarted> {
    audit_log::record(state, AuditAction::AUTH_SIGN_IN, sign_in.audit)
        .await
        .map_err(|err| {
            tracing::warn!(error = %err.detail, "could not audit a sign-in");
            SessionNotStarted
        })?;
    let id = SessionId::generate();
    let data = SessionData {
        account_id: sign_in.account_id,
        role: sign_in.role,
        created_ms: state.clock.now().timestamp_millis(),
        csrf_token: random_token(),
        must_enrol_totp: sign_in.must_enrol_totp,
    };
    state
        .live
        .create_session(&id, &data)
        .await
        .map_err(|LiveDown| SessionNotStarted)?;
    let (raw_login, ip) = (sign_in.raw_login, sign_in.ip);
    if state.live.signin_succeeded(raw_login, ip).await.is_err() {
        tracing::warn!("could not clear failed sign-ins");
    }
    Ok(id)
}

/// A session could not be started: Postgres or Redis is down (503).
#[derive(Debug)]
pub(in crate::http) struct SessionNotStarted;

/// The redirect that hands the browser its new session.
pub(in crate::http) fn signed_in(state: &AppState, id: &SessionId, to: &str) -> HttpResponse {
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
    account_id: AccountId,
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
