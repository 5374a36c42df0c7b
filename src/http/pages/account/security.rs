//! `/account/security`: a signed-in person sets up the second sign-in factor
//! (an authenticator app, from a QR code or a typed key), confirms it with a
//! code, gets ten recovery codes shown once, and may later trade them for
//! new ones. Admins and regulators are sent here until they have done so.
//!
//! A secret is shown only while its enrolment is pending; once confirmed it
//! is never shown again, so a stolen session cannot copy the authenticator.

use crate::domain::ids::AccountId;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::day::local_day;
use crate::domain::totp::{CodeRejected, RecoveryCode, TotpCode, TotpSecret};
use crate::http::AppState;
use crate::http::api::qr::render_svg;
use crate::http::api::ratings::client_ip;
use crate::http::auth::login::{
    bad_request, forbidden, give_back_attempt, take_attempt, unavailable,
};
use crate::http::auth::session::{
    ENROL_TOTP_PATH, SessionAccount, home_path, random_token, session_cookie, session_of,
};
use crate::http::html::{
    Chrome, NO_SCRIPT_CSP, negotiate_language, page_response, render_document,
};
use crate::i18n::{Lang, Messages, messages};
use crate::live::sessions::{SessionData, SessionId};
use crate::password_work::PasswordJob;
use crate::store::accounts::find_active;
use crate::store::second_factor::{self, SecondFactorState};

/// Side of the QR code, in CSS pixels: big enough for any phone camera.
const QR_SIZE_PX: u32 = 240;
/// Quiet zone around it, in modules (what scanners expect).
const QR_MARGIN_MODULES: u32 = 4;

#[derive(Template)]
#[template(path = "account_security.html")]
struct SecurityView {
    chrome: Chrome,
    m: &'static Messages,
    notice: Option<String>,
    must_enrol: bool,
    enrol: Option<EnrolPart>,
    enrolled: Option<EnrolledPart>,
    recovery_codes: Vec<String>,
    continue_href: Option<&'static str>,
    csrf_token: String,
}

/// What a pending enrolment shows.
struct EnrolPart {
    /// The otpauth URL as inline SVG; `None` if it could not be drawn (the
    /// typed key still works).
    qr_svg: Option<String>,
    /// The base32 secret in groups of four.
    secret: String,
}

/// What an enrolled account sees.
struct EnrolledPart {
    since: String,
    codes_left: String,
}

/// What a page shows below its heading.
enum Section {
    Enrol(EnrolPart),
    Enrolled(EnrolledPart),
    /// Fresh recovery codes, shown this once.
    RecoveryCodes(Vec<RecoveryCode>),
}

fn render(
    lang: Lang,
    status: StatusCode,
    account: &SessionAccount,
    section: Section,
    notice: Option<String>,
) -> HttpResponse {
    let m = messages(lang);
    let mut view = SecurityView {
        chrome: Chrome::with_switch(lang, m.totp.security_title.clone(), |other| {
            format!("{ENROL_TOTP_PATH}?lang={}", other.tag())
        }),
        m,
        notice,
        must_enrol: false,
        enrol: None,
        enrolled: None,
        recovery_codes: Vec::new(),
        continue_href: None,
        csrf_token: account.csrf_token.clone(),
    };
    match section {
        Section::Enrol(part) => {
            view.must_enrol = account.must_enrol_totp;
            view.enrol = Some(part);
        }
        Section::Enrolled(part) => view.enrolled = Some(part),
        Section::RecoveryCodes(codes) => {
            view.recovery_codes = codes.iter().map(|c| c.reveal().to_owned()).collect();
            view.continue_href = Some(home_path(account.role));
        }
    }
    page_response(status, NO_SCRIPT_CSP, render_document(&view))
}

fn see_other(to: String) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

fn to_login(lang: Lang) -> HttpResponse {
    see_other(format!("/login?lang={}", lang.tag()))
}

fn to_self(lang: Lang) -> HttpResponse {
    see_other(format!("{ENROL_TOTP_PATH}?lang={}", lang.tag()))
}

/// The signed-in session and its account's second-factor state, or the
/// answer to give instead (sign in first, or try again later).
async fn signed_in(
    state: &AppState,
    req: &HttpRequest,
    lang: Lang,
) -> Result<(SessionId, SessionAccount, SecondFactorState), HttpResponse> {
    let (id, account) = match session_of(state, req).await {
        Ok(Some(session)) => session,
        Ok(None) => return Err(to_login(lang)),
        Err(_) => return Err(unavailable(lang)),
    };
    // The same test every other signed-in page makes: a session opened
    // before the account's cutoff (a reset, a new password) is over even if
    // Redis still holds it.
    let opened = chrono::DateTime::from_timestamp_millis(account.signed_in_ms)
        .ok_or_else(|| to_login(lang))?;
    match find_active(&state.pool, account.account_id, opened).await {
        Ok(Some(_)) => {}
        Ok(None) => return Err(to_login(lang)),
        Err(err) => {
            tracing::warn!(error = %err, "account lookup failed");
            return Err(unavailable(lang));
        }
    }
    match second_factor::state(&state.pool, account.account_id).await {
        Ok(Some(second)) if second.enabled => Ok((id, account, second)),
        Ok(_) => Err(to_login(lang)),
        Err(err) => {
            tracing::warn!(error = %err, "second factor lookup failed");
            Err(unavailable(lang))
        }
    }
}

/// Opens an account's stored secret; `None` (logged) when it was sealed
/// under another `SECRET_KEY`.
fn open_secret(state: &AppState, account_id: AccountId, sealed: &[u8]) -> Option<TotpSecret> {
    let secret = state.secrets.open_totp_secret(account_id, sealed);
    if secret.is_none() {
        tracing::error!(
            %account_id,
            "stored TOTP secret does not open with this SECRET_KEY"
        );
    }
    secret
}

/// The page as it stands: the enrolment (starting one if none is pending)
/// or, once enrolled, the recovery-code form.
async fn current_page(
    state: &AppState,
    req: &HttpRequest,
    lang: Lang,
    account: &SessionAccount,
    second: &SecondFactorState,
    status: StatusCode,
    notice: Option<String>,
) -> HttpResponse {
    let m = messages(lang);
    if let Some(enrolled_at) = second.enrolled_totp().and_then(|t| t.enrolled_at) {
        let part = EnrolledPart {
            since: m
                .totp
                .enrolled_since
                .replace("{date}", &local_day(enrolled_at).to_string()),
            codes_left: m
                .totp
                .codes_left
                .replace("{count}", &second.recovery_codes_left.to_string()),
        };
        return render(lang, status, account, Section::Enrolled(part), notice);
    }
    let sealed = match &second.totp {
        Some(pending) => pending.secret_sealed.clone(),
        None => {
            let fresh = state
                .secrets
                .seal_totp_secret(second.account_id, &TotpSecret::generate());
            let audit = second.audit_entry(
                format!("account:{}", account.account_id),
                Some(client_ip(req)),
            );
            match second_factor::begin_enrolment(&state.pool, second.account_id, &fresh, audit)
                .await
            {
                Ok(Some(sealed)) => sealed,
                // Enrolled from another page meanwhile: show that instead.
                Ok(None) => return to_self(lang),
                Err(err) => {
                    tracing::warn!(error = %err, "could not begin TOTP enrolment");
                    return unavailable(lang);
                }
            }
        }
    };
    let Some(secret) = open_secret(state, second.account_id, &sealed) else {
        return unavailable(lang);
    };
    let qr_svg = secret
        .otpauth_url(&second.login)
        .ok()
        .and_then(|url| render_svg(&url, QR_SIZE_PX, QR_MARGIN_MODULES).ok());
    let part = EnrolPart {
        qr_svg,
        secret: secret.to_base32_grouped(),
    };
    render(lang, status, account, Section::Enrol(part), notice)
}

#[derive(Debug, Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

/// A posted code form.
#[derive(Default, Deserialize)]
struct CodeForm {
    code: Option<String>,
    csrf_token: Option<String>,
    lang: Option<String>,
}

/// `GET /account/security`.
pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let chosen = web::Query::<LangQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.into_inner().lang);
    let lang = negotiate_language(&req, chosen.as_deref());
    let (_, account, second) = match signed_in(&state, &req, lang).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    current_page(&state, &req, lang, &account, &second, StatusCode::OK, None).await
}

/// A checked code form: its language, the session, the account's state and
/// the typed code; or the answer to give instead.
struct Posted {
    lang: Lang,
    session_id: SessionId,
    account: SessionAccount,
    second: SecondFactorState,
    raw_code: String,
}

/// Reads a code form and checks the session, its form token and the throttle.
async fn read_post(
    state: &AppState,
    req: &HttpRequest,
    body: &[u8],
) -> Result<Posted, HttpResponse> {
    let form: Option<CodeForm> = serde_html_form::from_bytes(body).ok();
    let lang = negotiate_language(req, form.as_ref().and_then(|f| f.lang.as_deref()));
    let form = form.ok_or_else(|| bad_request(lang))?;
    let (session_id, account, second) = signed_in(state, req, lang).await?;
    if !account.csrf_matches(form.csrf_token.as_deref().unwrap_or_default()) {
        return Err(forbidden(lang));
    }
    // Guessing codes here burns the same allowance as guessing them at
    // sign-in, taken before the code is checked.
    take_attempt(state, req, lang, &second.login, None).await?;
    Ok(Posted {
        lang,
        session_id,
        account,
        second,
        raw_code: form.code.unwrap_or_default(),
    })
}

/// Shows the page again with why the code was refused (its attempt stays counted).
async fn refused(
    state: &AppState,
    req: &HttpRequest,
    posted: &Posted,
    why: CodeRejected,
) -> HttpResponse {
    let m = messages(posted.lang);
    let notice = match why {
        CodeRejected::Wrong => m.totp.wrong_code.clone(),
        CodeRejected::Replayed => m.totp.replayed_code.clone(),
    };
    current_page(
        state,
        req,
        posted.lang,
        &posted.account,
        &posted.second,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some(notice),
    )
    .await
}

/// What showing fresh recovery codes does to the session.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AfterCodes {
    /// Nothing: the session already had its rights.
    KeepSession,
    /// The session has now proven the second factor and gains the rights
    /// its role holds back until then: it moves to a fresh id.
    RenewSession,
}

/// Shows fresh recovery codes, giving the code's attempt back; after an
/// enrolment the session moves to a new id without its must-enrol flag, so
/// an id seen before the enrolment never carries the rights it unlocked.
async fn codes_issued(
    state: &AppState,
    req: &HttpRequest,
    posted: Posted,
    codes: Vec<RecoveryCode>,
    after: AfterCodes,
) -> HttpResponse {
    give_back_attempt(state, req, &posted.second.login).await;
    let mut account = posted.account;
    let mut renewed = None;
    if after == AfterCodes::RenewSession {
        let data = SessionData {
            account_id: account.account_id,
            role: account.role.key().to_owned(),
            created_ms: account.signed_in_ms,
            csrf_token: account.csrf_token.clone(),
            must_enrol_totp: false,
        };
        // The codes must be shown whatever happens: they are not stored in
        // readable form. A session left as it was only means signing in again.
        match state
            .live
            .rotate_session(&posted.session_id, &data, random_token())
            .await
        {
            Ok((id, data)) => {
                account.csrf_token = data.csrf_token;
                account.must_enrol_totp = false;
                renewed = Some(id);
            }
            Err(_) => tracing::warn!("could not renew a session after enrolment"),
        }
    }
    let mut response = render(
        posted.lang,
        StatusCode::OK,
        &account,
        Section::RecoveryCodes(codes),
        None,
    );
    if let Some(id) = renewed {
        let _ = response.add_cookie(&session_cookie(state, id.as_str().to_owned()));
    }
    response
}

/// Fresh recovery codes and their salted hashes, made on the bounded
/// argon2id pool; `None` when it is saturated.
async fn fresh_codes(state: &AppState) -> Option<(Vec<RecoveryCode>, Vec<String>)> {
    state
        .password_work
        .run(PasswordJob::Hash, || {
            let codes = RecoveryCode::generate_set();
            let hashes = codes.iter().map(RecoveryCode::hash_for_storage).collect();
            (codes, hashes)
        })
        .await
        .ok()
}

/// `POST /account/security`: confirms a pending enrolment with a code from
/// the app and shows the first recovery codes.
pub async fn enrol(req: HttpRequest, state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    let posted = match read_post(&state, &req, &body).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let lang = posted.lang;
    let Some(pending) = posted
        .second
        .totp
        .as_ref()
        .filter(|t| t.enrolled_at.is_none())
    else {
        // Enrolled already, or the page was never opened: show the page as it is.
        return to_self(lang);
    };
    let account_id = posted.second.account_id;
    let Some(secret) = open_secret(&state, account_id, &pending.secret_sealed) else {
        return unavailable(lang);
    };
    let now = state.clock.now().timestamp();
    let step = match TotpCode::parse(&posted.raw_code)
        .ok_or(CodeRejected::Wrong)
        .and_then(|code| secret.verify(&code, now, None))
    {
        Ok(step) => step,
        Err(why) => return refused(&state, &req, &posted, why).await,
    };
    let Some((codes, hashes)) = fresh_codes(&state).await else {
        give_back_attempt(&state, &req, &posted.second.login).await;
        return unavailable(lang);
    };
    let audit = posted.second.audit_entry(
        format!("account:{}", posted.account.account_id),
        Some(client_ip(&req)),
    );
    match second_factor::confirm_enrolment(
        &state.pool,
        account_id,
        &pending.secret_sealed,
        step,
        &hashes,
        audit,
    )
    .await
    {
        Ok(true) => codes_issued(&state, &req, posted, codes, AfterCodes::RenewSession).await,
        Ok(false) => to_self(lang),
        Err(err) => {
            tracing::warn!(error = %err, "could not confirm TOTP enrolment");
            unavailable(lang)
        }
    }
}

/// `POST /account/security/recovery-codes`: with a current code from the
/// app, replaces every recovery code with ten new ones.
pub async fn regenerate_recovery_codes(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let posted = match read_post(&state, &req, &body).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let lang = posted.lang;
    let Some(totp) = posted.second.enrolled_totp() else {
        return to_self(lang);
    };
    let account_id = posted.second.account_id;
    let Some(secret) = open_secret(&state, account_id, &totp.secret_sealed) else {
        return unavailable(lang);
    };
    let now = state.clock.now().timestamp();
    let step = match TotpCode::parse(&posted.raw_code)
        .ok_or(CodeRejected::Wrong)
        .and_then(|code| secret.verify(&code, now, totp.last_used_step))
    {
        Ok(step) => step,
        Err(why) => return refused(&state, &req, &posted, why).await,
    };
    let Some((codes, hashes)) = fresh_codes(&state).await else {
        give_back_attempt(&state, &req, &posted.second.login).await;
        return unavailable(lang);
    };
    let audit = posted.second.audit_entry(
        format!("account:{}", posted.account.account_id),
        Some(client_ip(&req)),
    );
    match second_factor::replace_recovery_codes(&state.pool, account_id, step, &hashes, audit).await
    {
        Ok(true) => codes_issued(&state, &req, posted, codes, AfterCodes::KeepSession).await,
        // Another request took this step in the meantime.
        Ok(false) => refused(&state, &req, &posted, CodeRejected::Replayed).await,
        Err(err) => {
            tracing::warn!(error = %err, "could not replace recovery codes");
            unavailable(lang)
        }
    }
}
