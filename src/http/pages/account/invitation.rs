//! `/invite/{token}`: the page an invitation or set-password link opens.
//! The person chooses a password (twice) and the account is activated, or
//! its password replaced, through the same code path as
//! `POST /api/v1/invitations/{token}`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::app::accounts::{activate, open_invitation};
use crate::app::{AppError, Kind};
use crate::domain::password::{CredentialError, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, Password};
use crate::http::AppState;
use crate::http::api::ratings::client_ip;
use crate::http::html::{
    Chrome, NO_SCRIPT_CSP, negotiate_language, page_response, render_document,
};
use crate::i18n::{Lang, Messages, messages};

/// The "venue" invitation forms' tokens are bound to: no venue has a negative
/// id and the sign-in form uses 0, so no other form's token is accepted here.
const INVITE_FORM_SCOPE: i64 = -1;

/// The password form.
struct PasswordForm {
    intro: String,
    hint: String,
    action: String,
    csrf_token: String,
    min_chars: usize,
    max_chars: usize,
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InviteView {
    chrome: Chrome,
    m: &'static Messages,
    heading: String,
    notice: Option<String>,
    notice_kind: &'static str,
    form: Option<PasswordForm>,
    sign_in_link: bool,
}

/// What the page shows below its heading.
enum Content {
    /// The form, with an error from the last try if there was one;
    /// `replaces` when the account has a password the link replaces.
    Form {
        login: String,
        replaces: bool,
        error: Option<String>,
    },
    /// A message, and the way to sign in.
    Message { body: String, kind: &'static str },
}

fn render(state: &AppState, lang: Lang, token: &str, heading: &str, content: Content) -> String {
    let m = messages(lang);
    let action = format!("/invite/{token}");
    let (notice, notice_kind, form, sign_in_link) = match content {
        Content::Form {
            login,
            replaces,
            error,
        } => {
            let intro = if replaces {
                &m.invite.reset_intro
            } else {
                &m.invite.intro
            };
            let form = PasswordForm {
                intro: intro.replace("{login}", &login),
                hint: m
                    .invite
                    .hint
                    .replace("{min}", &PASSWORD_MIN_CHARS.to_string())
                    .replace("{max}", &PASSWORD_MAX_CHARS.to_string()),
                action: action.clone(),
                csrf_token: state
                    .secrets
                    .issue_form_token(INVITE_FORM_SCOPE, state.clock.now().timestamp()),
                min_chars: PASSWORD_MIN_CHARS,
                max_chars: PASSWORD_MAX_CHARS,
            };
            (error, "error", Some(form), false)
        }
        Content::Message { body, kind } => (Some(body), kind, None, true),
    };
    render_document(&InviteView {
        chrome: Chrome::with_switch(lang, heading.to_owned(), |other| {
            format!("{action}?lang={}", other.tag())
        }),
        m,
        heading: heading.to_owned(),
        notice,
        notice_kind,
        form,
        sign_in_link,
    })
}

fn respond(status: StatusCode, body: String) -> HttpResponse {
    page_response(status, NO_SCRIPT_CSP, body)
}

/// The page for an invitation that cannot be used, or a failure.
fn refusal(state: &AppState, lang: Lang, token: &str, err: &AppError) -> HttpResponse {
    let m = messages(lang);
    let (status, title, body) = match err.slug.kind() {
        Kind::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            &m.invite.unavailable_title,
            &m.invite.unavailable_body,
        ),
        Kind::NotFound => (
            StatusCode::NOT_FOUND,
            &m.invite.invalid_title,
            &m.invite.invalid_body,
        ),
        _ => {
            tracing::error!(error = %err, "invitation page failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                &m.signed_in.failed_title,
                &m.signed_in.failed_body,
            )
        }
    };
    let content = Content::Message {
        body: body.clone(),
        kind: "error",
    };
    respond(status, render(state, lang, token, title, content))
}

#[derive(Debug, Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

/// `GET /invite/{token}`: the password form, or why the link does not work.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    let chosen = web::Query::<LangQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.into_inner().lang);
    let lang = negotiate_language(&req, chosen.as_deref());
    let token = path.into_inner();
    match open_invitation(&state, &token).await {
        Ok(invitation) => {
            let content = Content::Form {
                login: invitation.login,
                replaces: invitation.activated,
                error: None,
            };
            let heading = &messages(lang).invite.title;
            respond(
                StatusCode::OK,
                render(&state, lang, &token, heading, content),
            )
        }
        Err(err) => refusal(&state, lang, &token, &err),
    }
}

/// The posted form; every field arrives as text.
#[derive(Default, Deserialize)]
struct InviteForm {
    password: Option<String>,
    confirm: Option<String>,
    csrf_token: Option<String>,
    lang: Option<String>,
}

/// Why a typed password cannot be used, in the page language.
fn password_problem(m: &Messages, err: &CredentialError) -> String {
    match err {
        CredentialError::PasswordContainsLogin => m.invite.contains_login.clone(),
        _ => m
            .invite
            .too_short_or_long
            .replace("{min}", &PASSWORD_MIN_CHARS.to_string())
            .replace("{max}", &PASSWORD_MAX_CHARS.to_string()),
    }
}

/// `POST /invite/{token}`: checks the form token and the password, then
/// activates the account. A refused password shows the form again.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let form: InviteForm = serde_html_form::from_bytes(&body).unwrap_or_default();
    let lang = negotiate_language(&req, form.lang.as_deref());
    let m = messages(lang);
    let token = path.into_inner();
    let invitation = match open_invitation(&state, &token).await {
        Ok(invitation) => invitation,
        Err(err) => return refusal(&state, lang, &token, &err),
    };
    let again = |error: String, status: StatusCode| {
        let content = Content::Form {
            login: invitation.login.clone(),
            replaces: invitation.activated,
            error: Some(error),
        };
        respond(
            status,
            render(&state, lang, &token, &m.invite.title, content),
        )
    };
    let now = state.clock.now().timestamp();
    let csrf = form.csrf_token.as_deref().unwrap_or_default();
    if state
        .secrets
        .verify_form_token(csrf, INVITE_FORM_SCOPE, now)
        .is_err()
    {
        return again(m.invite.expired_form.clone(), StatusCode::FORBIDDEN);
    }
    let password = form.password.unwrap_or_default();
    if Some(&password) != form.confirm.as_ref() {
        return again(m.invite.mismatch.clone(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    if let Err(err) = Password::parse(password.clone(), &invitation.login) {
        return again(password_problem(m, &err), StatusCode::UNPROCESSABLE_ENTITY);
    }
    match activate(&state, &token, password, Some(client_ip(&req))).await {
        Ok(account) => {
            let content = Content::Message {
                body: m.invite.done_body.replace("{login}", &account.login),
                kind: "info",
            };
            let title = if invitation.activated {
                &m.invite.reset_done_title
            } else {
                &m.invite.done_title
            };
            respond(StatusCode::OK, render(&state, lang, &token, title, content))
        }
        Err(err) => refusal(&state, lang, &token, &err),
    }
}
