//! `/logout` and `/logout-everywhere`: ending this session, or every
//! session of the account.

use crate::domain::ids::AccountId;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::app::audit as audit_log;
use crate::domain::audit::AuditAction;
use crate::http::AppState;
use crate::http::auth::login::{account_audit, bad_request, forbidden, message, unavailable};
use crate::http::auth::session::{session_cookie, session_of};
use crate::http::html::negotiate_language as language;
use crate::store::second_factor;

/// A posted sign-out form.
#[derive(Debug, Default, Deserialize)]
struct SignOutForm {
    csrf_token: Option<String>,
    lang: Option<String>,
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
    audit_sign_out(&state, &req, account.account_id, which).await;
    let mut response = message(lang, StatusCode::OK, |m| {
        (&m.login.logged_out_title, &m.login.logged_out_body)
    });
    let _ = response.add_removal_cookie(&session_cookie(&state, String::new()));
    response
}

/// Records a sign-out. A sign-out happens whether or not it could be
/// recorded: failing to record it is logged instead.
async fn audit_sign_out(
    state: &AppState,
    req: &HttpRequest,
    account_id: AccountId,
    which: SignOut,
) {
    let account = match second_factor::state(&state.pool, account_id).await {
        Ok(account) => account,
        Err(err) => {
            tracing::warn!(error = %err, "could not audit a sign-out");
            return;
        }
    };
    let mut entry = account_audit(req, account_id, account.as_ref());
    entry.after = Some(serde_json::json!({
        "everywhere": matches!(which, SignOut::Everywhere),
    }));
    if let Err(err) = audit_log::record(state, AuditAction::AUTH_SIGN_OUT, entry).await {
        tracing::warn!(error = %err.detail, "could not audit a sign-out");
    }
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
