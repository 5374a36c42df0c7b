//! `/login/second-factor`: the one-time code step of a sign-in that passed
//! its password, bound to the browser that passed it. Failed codes count
//! against the same throttle as failed passwords.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::app::audit as audit_log;
use crate::domain::access::Role;
use crate::domain::audit::{ACTOR_ANONYMOUS, AuditAction};
use crate::domain::code::constant_time_eq;
use crate::domain::totp::{CodeRejected, SecondFactorCode};
use crate::http::AppState;
use crate::http::api::ratings::client_ip;
use crate::http::auth::login::{
    LangQuery, SignIn, account_audit, bad_request, forbidden, html, message, signed_in,
    start_session, take_attempt, unavailable,
};
use crate::http::auth::session::{
    ENROL_TOTP_PATH, PENDING_SIGNIN_COOKIE, SECOND_FACTOR_PATH, home_path,
};
use crate::http::client::client_limit_key;
use crate::http::html::{Chrome, negotiate_language as language, render_document};
use crate::i18n::{Lang, Messages, messages};
use crate::live::LiveDown;
use crate::live::sessions::{PendingSignIn, SessionId};
use crate::password_work::PasswordJob;
use crate::store::second_factor;

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
        chrome: Chrome::with_switch(lang, m.totp.step_title.clone(), |other| {
            format!("{SECOND_FACTOR_PATH}?lang={}", other.tag())
        }),
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
pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
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
                    account_id = %account.account_id,
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
pub async fn submit(
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
        // After the throttle took its attempt: no faster than attempts go.
        let mut entry = account_audit(&req, account.account_id, Some(&account));
        entry.actor = ACTOR_ANONYMOUS.to_owned();
        if let Err(err) =
            audit_log::record(&state, AuditAction::AUTH_SECOND_FACTOR_FAILED, entry).await
        {
            tracing::warn!(error = %err.detail, "could not audit a refused code");
            return unavailable(lang);
        }
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
    let new_session = SignIn {
        account_id: pending.account_id,
        role: pending.role,
        must_enrol_totp: false,
        raw_login: &pending.login,
        ip: &ip,
        audit: account_audit(&req, pending.account_id, Some(&account)),
    };
    match start_session(&state, new_session).await {
        Ok(id) => signed_in(&state, &id, to),
        Err(_) => unavailable(lang),
    }
}
