//! `/account/password`: signed-in people change their own password with
//! the current one (and, with two-step sign-in, a code). Guesses at the
//! current password or the code count against the sign-in throttle. A
//! change ends every session of the account, this one too: the person signs
//! in again with the new password.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::password::{CredentialError, Password, hash_password};
use crate::http::AppState;
use crate::http::auth::login::{give_back_attempt, take_attempt};
use crate::http::auth::second_factor::check_second_factor;
use crate::http::auth::session::session_cookie;
use crate::http::auth::signed_in::{AccountNav, PageError, SIGNED_IN_CSP, SignedIn};
use crate::http::client::client_ip;
use crate::http::html::{Chrome, page_response, render_document};
use crate::i18n::PasswordTexts;
use crate::password_work::PasswordJob;
use crate::store::accounts::{find_by_login, set_password};
use crate::store::second_factor::{self, SecondFactorState};

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordView {
    chrome: Chrome,
    nav: AccountNav,
    t: &'static PasswordTexts,
    notice: Option<String>,
    needs_code: bool,
    done: Option<String>,
}

/// The posted form; every field arrives as text.
#[derive(Default, Deserialize)]
struct PasswordForm {
    current_password: Option<String>,
    new_password: Option<String>,
    new_password_again: Option<String>,
    code: Option<String>,
}

fn page(
    signed: &SignedIn,
    status: StatusCode,
    needs_code: bool,
    notice: Option<String>,
    done: Option<String>,
) -> HttpResponse {
    let t = &signed.messages().password;
    let view = PasswordView {
        chrome: signed.chrome(t.title.clone()),
        nav: signed.nav(),
        t,
        notice,
        needs_code,
        done,
    };
    page_response(status, SIGNED_IN_CSP, render_document(&view))
}

/// The account's second-factor state; whether it has an enrolled one is
/// whether the form asks for a code.
async fn second_factor_of(
    signed: &SignedIn,
    state: &AppState,
) -> Result<SecondFactorState, PageError> {
    second_factor::state(&state.pool, signed.account.id)
        .await
        .map_err(|e| signed.fail(e))?
        .ok_or_else(|| signed.fail(crate::error::ApiError::NotFound("account")))
}

/// `GET /account/password`.
pub async fn show(signed: SignedIn, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let second = second_factor_of(&signed, &state).await?;
    Ok(page(
        &signed,
        StatusCode::OK,
        second.enrolled_totp().is_some(),
        None,
        None,
    ))
}

/// `POST /account/password`: checks the new password's shape, then (one
/// throttled attempt) the current password and the code, then stores the
/// new hash and ends every session of the account.
pub async fn submit(
    req: HttpRequest,
    signed: SignedIn,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form: PasswordForm = signed.form(&body)?;
    let t = &signed.messages().password;
    let second = second_factor_of(&signed, &state).await?;
    let needs_code = second.enrolled_totp().is_some();
    let refuse = |notice: &str| {
        Ok(page(
            &signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            needs_code,
            Some(notice.to_owned()),
            None,
        ))
    };
    // The new password's shape first: a typo costs no attempt and no code.
    let new = form.new_password.unwrap_or_default();
    if Some(&new) != form.new_password_again.as_ref() {
        return refuse(&t.mismatch);
    }
    let login = signed.account.login.clone();
    let new = match Password::parse(new, &login) {
        Ok(password) => password,
        Err(CredentialError::PasswordContainsLogin) => return refuse(&t.contains_login),
        Err(_) => return refuse(&t.bad_length),
    };
    if let Err(throttled) = take_attempt(&state, &req, signed.lang, &login, None).await {
        return Ok(throttled);
    }
    let record = find_by_login(&state.pool, &login)
        .await
        .map_err(|e| signed.fail(e))?;
    let current = form.current_password.unwrap_or_default();
    let matched = state
        .password_work
        .run(PasswordJob::Verify, move || {
            record.is_some_and(|r| r.password_matches(&current))
        })
        .await
        .map_err(|_| signed.fail(crate::error::ApiError::Unavailable))?;
    // A refusal keeps its attempt taken: that is the count.
    if !matched {
        return refuse(&t.wrong_current);
    }
    if needs_code {
        let now = state.clock.now().timestamp();
        let code = form.code.unwrap_or_default();
        let checked = check_second_factor(&state, &req, &second, &code, now)
            .await
            .map_err(|e| signed.fail(e))?;
        if checked.is_err() {
            return refuse(&t.wrong_code);
        }
    }
    let hash = state
        .password_work
        .run(PasswordJob::Hash, move || hash_password(&new))
        .await
        .map_err(|_| signed.fail(crate::error::ApiError::Unavailable))?;
    let audit = second.audit_entry(signed.caller.principal.actor.clone(), Some(client_ip(&req)));
    let changed = set_password(&state.pool, signed.account.id, &hash, audit)
        .await
        .map_err(|e| signed.fail(e))?;
    if !changed {
        return Err(signed.fail(crate::error::ApiError::NotFound("account")));
    }
    give_back_attempt(&state, &req, &login).await;
    // The stored cutoff already refuses every older session; deleting them
    // from Redis as well frees them at once.
    if state
        .live
        .delete_account_sessions(signed.account.id)
        .await
        .is_err()
    {
        tracing::warn!("could not delete the sessions of an account whose password changed");
    }
    let mut response = page(
        &signed,
        StatusCode::OK,
        needs_code,
        None,
        Some(t.done_body.clone()),
    );
    let _ = response.add_removal_cookie(&session_cookie(&state, String::new()));
    Ok(response)
}
