//! `/account/tokens`: anyone signed in makes and revokes API tokens inside
//! their own scope. Revoking asks for confirmation first.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;

use crate::app::tokens::{self as api_tokens, CreateToken};
use crate::domain::day::local_day;
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, SignedIn, role_name};
use crate::http::html::{Chrome, render_document};
use crate::i18n::PeopleTexts;
use crate::store::tokens;

use crate::http::html::href;
use crate::http::pages::confirm::{Confirmation, confirmation_page, is_confirmed};
use crate::http::pages::notice::Notice;
use crate::http::pages::people::{
    Draft, PeopleForm, Pickers, grantable_roles, pickers, refusal, scope_text,
};

/// Where the token pages live.
const TOKENS_PATH: &str = "/account/tokens";

/// How many of one's own tokens the page lists.
const TOKENS_LISTED: i64 = 200;

/// One of the person's tokens, as the table shows it.
struct TokenRow {
    name: String,
    role: String,
    scope: String,
    created: String,
    expires: String,
    state: String,
    revoke_href: Option<String>,
}

#[derive(Template)]
#[template(path = "people_tokens.html")]
struct TokensPage {
    chrome: Chrome,
    nav: AccountNav,
    t: &'static PeopleTexts,
    rows: Vec<TokenRow>,
    roles: Vec<(&'static str, &'static str)>,
    new_token: Option<String>,
    /// The new-token form's values.
    draft: Draft,
    pickers: Pickers,
}

async fn tokens_page(
    signed: &SignedIn,
    state: &AppState,
    new_token: Option<String>,
    draft: Draft,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let m = signed.messages();
    let t = &m.people;
    let records = tokens::owned_by(&state.pool, signed.account.id, TOKENS_LISTED)
        .await
        .map_err(|e| signed.fail(e))?;
    let now = state.clock.now();
    // Days as a person reads them: Beijing time, like every time shown.
    let day = |at: chrono::DateTime<Utc>| local_day(at).to_string();
    let rows = records
        .into_iter()
        .map(|record| {
            let expired = record.expires_at.is_some_and(|at| at <= now);
            let (state, revoke_href) = if record.revoked_at.is_some() {
                (&t.revoked, None)
            } else if expired {
                (&t.expired, None)
            } else {
                (
                    &t.live,
                    Some(format!("/account/tokens/{}/revoke", record.id)),
                )
            };
            TokenRow {
                scope: scope_text(t, record.region_code.as_deref(), &record.venue_ids),
                role: role_name(m, record.role).to_owned(),
                created: day(record.created_at),
                expires: record.expires_at.map_or_else(|| t.never.clone(), day),
                state: state.clone(),
                revoke_href,
                name: record.name,
            }
        })
        .collect();
    let page = TokensPage {
        chrome: signed.chrome(t.tokens_title.clone()),
        nav: signed.nav(),
        t,
        rows,
        roles: grantable_roles(signed),
        new_token,
        pickers: pickers(signed, state, &draft).await?,
        draft,
    };
    Ok(signed.page_with_status(status, render_document(&page)))
}

/// `GET /account/tokens?venue_q=`: the list and the new-token form, its
/// venue picker narrowed to names holding `venue_q`.
pub async fn list(signed: SignedIn, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let draft = Draft {
        venue_q: signed
            .query_value("venue_q")
            .unwrap_or_default()
            .trim()
            .to_owned(),
        ..Draft::default()
    };
    tokens_page(&signed, &state, None, draft, StatusCode::OK).await
}

/// `POST /account/tokens`: creates a token and shows it once; a refused
/// form (or a venue search) is shown again as typed.
pub async fn create(
    signed: SignedIn,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let t = &signed.messages().people;
    let form = PeopleForm::parse(&signed, &body)?;
    let mut draft = form.draft();
    if form.is_search() {
        return tokens_page(&signed, &state, None, draft, StatusCode::OK).await;
    }
    let expires_in_days = match form.expires_in_days.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(days) => days
            .parse::<i64>()
            .map(Some)
            .map_err(|_| t.bad_expiry.clone()),
    };
    let parsed = expires_in_days.and_then(|days| Ok((days, form.venue_ids(t)?)));
    let (expires_in_days, venue_ids) = match parsed {
        Ok(parsed) => parsed,
        Err(text) => {
            draft.error = Some(text);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return tokens_page(&signed, &state, None, draft, status).await;
        }
    };
    let request = CreateToken {
        name: form.name.clone().unwrap_or_default(),
        role: form.role.clone().unwrap_or_default(),
        region_code: form.region_code(),
        venue_ids,
        expires_in_days,
    };
    match api_tokens::create(&state, &signed.caller, request).await {
        Ok(created) => {
            let draft = Draft::default();
            tokens_page(&signed, &state, created.token, draft, StatusCode::OK).await
        }
        Err(err) => {
            let (status, text) = refusal(&signed, &t.token_name, err)?;
            draft.error = Some(text);
            tokens_page(&signed, &state, None, draft, status).await
        }
    }
}

/// `POST /account/tokens/{id}/revoke`: asks to confirm, naming the token,
/// then revokes it.
pub async fn revoke(
    signed: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form = PeopleForm::parse(&signed, &body)?;
    let id = path.into_inner();
    if !is_confirmed(form.confirmed.as_deref()) {
        let record = api_tokens::revocable(&state, &signed.caller, id)
            .await
            .map_err(|e| signed.fail(e))?;
        let m = signed.messages();
        let t = &m.confirm;
        let scope = format!(
            "{} · {}",
            role_name(m, record.role).to_owned(),
            scope_text(&m.people, record.region_code.as_deref(), &record.venue_ids)
        );
        let lang = Some(signed.lang);
        let confirmation = Confirmation::new(
            t.revoke_title.clone(),
            t.revoke_body
                .replace("{name}", &record.name)
                .replace("{scope}", &scope),
            href(&format!("{TOKENS_PATH}/{id}/revoke"), &[], lang),
            t.revoke_submit.clone(),
            href(TOKENS_PATH, &[], lang),
        );
        return Ok(confirmation_page(&signed, confirmation));
    }
    api_tokens::revoke(&state, &signed.caller, id)
        .await
        .map_err(|e| signed.fail(e))?;
    Ok(signed.done(TOKENS_PATH, Vec::new(), Notice::TokenRevoked))
}
