//! `/account/tokens`: anyone signed in makes and revokes API tokens inside
//! their own scope.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;

use crate::app::tokens::{self as api_tokens, CreateToken};
use crate::domain::day::local_day;
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, SignedIn};
use crate::http::html::{Chrome, render_document};
use crate::i18n::PeopleTexts;
use crate::store::tokens;

use crate::http::pages::people::{
    PeopleForm, back_to, grantable_roles, invalid, refusal, role_text, scope_text,
};

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
}

async fn tokens_page(
    signed: &SignedIn,
    state: &AppState,
    new_token: Option<String>,
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
                role: role_text(m, &record.role),
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
    };
    Ok(signed.page(render_document(&page)))
}

/// `GET /account/tokens`.
pub async fn list(signed: SignedIn, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    tokens_page(&signed, &state, None).await
}

/// `POST /account/tokens`: creates a token and shows it once.
pub async fn create(
    signed: SignedIn,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let t = &signed.messages().people;
    let form = PeopleForm::parse(&signed, &body)?;
    let expires_in_days = match form.expires_in_days.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(days) => Some(
            days.parse::<i64>()
                .map_err(|_| invalid(&signed, &t.bad_expiry))?,
        ),
    };
    let request = CreateToken {
        name: form.name.clone().unwrap_or_default(),
        role: form.role.clone().unwrap_or_default(),
        region_code: form.region_code(),
        venue_ids: form.venue_ids(t, &signed)?,
        expires_in_days,
    };
    let created = api_tokens::create(&state, &signed.caller, request)
        .await
        .map_err(|e| refusal(&signed, &t.token_name, e))?;
    tokens_page(&signed, &state, created.token).await
}

/// `POST /account/tokens/{id}/revoke`.
pub async fn revoke(
    signed: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    PeopleForm::parse(&signed, &body)?;
    api_tokens::revoke(&state, &signed.caller, path.into_inner())
        .await
        .map_err(|e| signed.fail(e))?;
    Ok(back_to("/account/tokens"))
}
