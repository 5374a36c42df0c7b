//! Pages for managing who may act: `/console/accounts` (supervisors invite,
//! disable and enable the accounts in their scope, reset their second
//! factor and send them set-password links) and `/account/tokens`
//! (anyone signed in makes and revokes API tokens inside their own scope).
//! Each form goes through the same code path as its JSON route.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use crate::domain::access::{Role, may_manage};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::accounts::{
    CreateAccount, UpdateAccount, create_account, issue_password_link, reset_account_second_factor,
    update_account,
};
use crate::http::api::tokens::{CreateToken, create_token, revoke_token};
use crate::http::auth::access::held_grant;
use crate::http::auth::signed_in::{AccountNav, PageError, PageProblem, SignedIn, role_name};
use crate::http::html::{Chrome, render_document};
use crate::i18n::{Messages, PeopleTexts};
use crate::store::accounts::{self, AccountRecord};
use crate::store::{second_factor, tokens};

/// How many of one's own tokens the page lists.
const TOKENS_LISTED: i64 = 200;

/// A posted form's fields; every one arrives as text.
#[derive(Debug, Default, Deserialize)]
struct PeopleForm {
    csrf_token: Option<String>,
    login: Option<String>,
    display_name: Option<String>,
    name: Option<String>,
    role: Option<String>,
    region_code: Option<String>,
    venue_ids: Option<String>,
    expires_in_days: Option<String>,
}

impl PeopleForm {
    fn parse(signed: &SignedIn, body: &[u8]) -> Result<Self, PageError> {
        let form: PeopleForm = serde_html_form::from_bytes(body).unwrap_or_default();
        signed.check_form_token(form.csrf_token.as_deref())?;
        Ok(form)
    }

    fn region_code(&self) -> Option<String> {
        self.region_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
    }

    /// `12, 15` → `[12, 15]`; empty → none.
    fn venue_ids(&self, t: &PeopleTexts, signed: &SignedIn) -> Result<Option<Vec<i64>>, PageError> {
        let raw = self.venue_ids.as_deref().unwrap_or_default().trim();
        if raw.is_empty() {
            return Ok(None);
        }
        raw.split([',', '，', ' '])
            .filter(|part| !part.is_empty())
            .map(|part| part.parse::<i64>())
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
            .map_err(|_| invalid(signed, &t.bad_venue_ids))
    }
}

fn invalid(signed: &SignedIn, text: &str) -> PageError {
    PageError::new(signed.lang, PageProblem::Invalid(text.to_owned()))
}

/// A shared code path's refusal, told in the page language where these pages
/// have words for it (`field` names the form's one free-text field, the only
/// one a control character can be refused in); anything else as the
/// signed-in pages tell it.
fn refusal(signed: &SignedIn, field: &str, err: ApiError) -> PageError {
    let t = &signed.messages().people;
    let text = match err.slug() {
        "invalid-login" => t.bad_login.clone(),
        "invalid-display-name" => t.bad_display_name.clone(),
        "invalid-token-name" => t.bad_token_name.clone(),
        "control-character" => t.control_character.replace("{field}", field),
        _ => return signed.fail(err),
    };
    invalid(signed, &text)
}

/// The roles this person may hand on, with their names.
fn grantable_roles(signed: &SignedIn) -> Vec<(&'static str, &'static str)> {
    let m = signed.messages();
    Role::ALL
        .into_iter()
        .rev()
        .filter(|role| *role <= signed.role())
        .map(|role| (role.key(), role_name(m, role)))
        .collect()
}

fn scope_text(t: &PeopleTexts, region_code: Option<&str>, venue_ids: &[i64]) -> String {
    match (region_code, venue_ids.is_empty()) {
        (Some(code), _) => code.to_owned(),
        (None, false) => {
            let ids: Vec<String> = venue_ids.iter().map(i64::to_string).collect();
            format!("{} {}", t.venues_prefix, ids.join(", "))
        }
        (None, true) => t.everything.clone(),
    }
}

fn role_text(m: &'static Messages, key: &str) -> String {
    Role::parse(key).map_or_else(|| key.to_owned(), |role| role_name(m, role).to_owned())
}

/// A form button in a table row.
struct RowAction {
    href: String,
    label: String,
}

struct AccountRow {
    login: String,
    display_name: String,
    role: String,
    scope: String,
    state: String,
    second_factor: String,
    toggle: Option<RowAction>,
    reset_second_factor: Option<RowAction>,
    password_link: Option<RowAction>,
}

/// A link shown once: a new account's invitation or a set-password link.
struct InvitationNotice {
    title: String,
    intro: String,
    url: String,
    expires: String,
}

#[derive(Template)]
#[template(path = "people_accounts.html")]
struct AccountsPage {
    chrome: Chrome,
    nav: AccountNav,
    t: &'static PeopleTexts,
    rows: Vec<AccountRow>,
    roles: Vec<(&'static str, &'static str)>,
    invitation: Option<InvitationNotice>,
}

async fn accounts_page(
    signed: &SignedIn,
    state: &AppState,
    invitation: Option<InvitationNotice>,
) -> Result<HttpResponse, PageError> {
    let m = signed.messages();
    let t = &m.people;
    let scope = signed.scope_filter(state).await?;
    let listed = accounts::list(&state.pool, &scope)
        .await
        .map_err(|e| signed.fail(e))?;
    let ids: Vec<i64> = listed.iter().map(|record| record.id).collect();
    let enrolled = second_factor::enrolled_among(&state.pool, &ids)
        .await
        .map_err(|e| signed.fail(e))?;
    let tree = state.scores.regions().await.map_err(|e| signed.fail(e))?;
    let listed_venues: Vec<i64> = listed
        .iter()
        .flat_map(|record| record.venue_ids.iter().copied())
        .collect();
    let venue_regions = tokens::venue_regions(&state.pool, &listed_venues)
        .await
        .map_err(|e| signed.fail(e))?;
    let rows = listed
        .into_iter()
        .map(|record| {
            let has_factor = enrolled.contains(&record.id);
            // Actions only where the change would be allowed: the same rule.
            let manageable = held_grant(&record.role, &record.region_code, &record.venue_ids)
                .is_some_and(|(role, scope)| {
                    may_manage(
                        &signed.caller.principal,
                        record.id,
                        role,
                        &scope,
                        &tree,
                        &venue_regions,
                    )
                    .is_ok()
                });
            account_row(signed, t, record, has_factor, manageable)
        })
        .collect();
    let page = AccountsPage {
        chrome: signed.chrome(t.accounts_title.clone()),
        nav: signed.nav(),
        t,
        rows,
        roles: grantable_roles(signed),
        invitation,
    };
    Ok(signed.page(render_document(&page)))
}

fn account_row(
    signed: &SignedIn,
    t: &PeopleTexts,
    record: AccountRecord,
    has_factor: bool,
    manageable: bool,
) -> AccountRow {
    let m = signed.messages();
    let state = if record.disabled_at.is_some() {
        &t.disabled
    } else if record.activated {
        &t.active
    } else {
        &t.not_activated
    };
    // Never one's own account (nor a peer's): see `may_manage`. One's own
    // factor is changed on the security page, proving the old one.
    let reset_second_factor = (has_factor && manageable).then(|| RowAction {
        href: format!("/console/accounts/{}/second-factor/reset", record.id),
        label: t.reset_second_factor.clone(),
    });
    // A disabled account's link would not open: enable it first.
    let password_link = (manageable && record.disabled_at.is_none()).then(|| RowAction {
        href: format!("/console/accounts/{}/password-link", record.id),
        label: t.password_link.clone(),
    });
    let toggle = manageable.then(|| {
        let (verb, label) = if record.disabled_at.is_some() {
            ("enable", &t.enable)
        } else {
            ("disable", &t.disable)
        };
        RowAction {
            href: format!("/console/accounts/{}/{verb}", record.id),
            label: label.clone(),
        }
    });
    AccountRow {
        scope: scope_text(t, record.region_code.as_deref(), &record.venue_ids),
        role: role_text(m, &record.role),
        login: record.login,
        display_name: record.display_name,
        state: state.clone(),
        second_factor: if has_factor {
            t.second_factor_on.clone()
        } else {
            t.second_factor_off.clone()
        },
        toggle,
        reset_second_factor,
        password_link,
    }
}

/// `GET /console/accounts`.
pub async fn accounts(
    signed: SignedIn,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    accounts_page(&signed, &state, None).await
}

/// `POST /console/accounts`: creates the account and shows its invitation link once.
pub async fn create_account_form(
    signed: SignedIn,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let t = &signed.messages().people;
    let form = PeopleForm::parse(&signed, &body)?;
    let request = CreateAccount {
        login: form.login.clone().unwrap_or_default(),
        display_name: form.display_name.clone().unwrap_or_default(),
        role: form.role.clone().unwrap_or_default(),
        region_code: form.region_code(),
        venue_ids: form.venue_ids(t, &signed)?,
    };
    let created = create_account(&state, &signed.caller, request)
        .await
        .map_err(|e| refusal(&signed, &t.display_name, e))?;
    let notice = InvitationNotice {
        title: t.invitation_title.clone(),
        intro: t
            .invitation_intro
            .replace("{name}", &created.display_name)
            .replace("{login}", &created.login),
        url: created.invitation_url.unwrap_or_default(),
        expires: expires_text(t, created.invitation_expires_at),
    };
    accounts_page(&signed, &state, Some(notice)).await
}

/// When a shown link stops working, in UTC.
fn expires_text(t: &PeopleTexts, at: Option<chrono::DateTime<Utc>>) -> String {
    t.invitation_expires.replace(
        "{at}",
        &at.map(|at| at.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default(),
    )
}

/// `POST /console/accounts/{id}/password-link`: gives the account a fresh
/// set-password link and shows it once.
pub async fn password_link_form(
    signed: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let t = &signed.messages().people;
    PeopleForm::parse(&signed, &body)?;
    let (account, link) = issue_password_link(&state, &signed.caller, path.into_inner())
        .await
        .map_err(|e| signed.fail(e))?;
    let notice = InvitationNotice {
        title: t.password_link_title.clone(),
        intro: t
            .password_link_intro
            .replace("{name}", &account.display_name)
            .replace("{login}", &account.login),
        url: link.url,
        expires: expires_text(t, Some(link.expires_at)),
    };
    accounts_page(&signed, &state, Some(notice)).await
}

async fn set_disabled(
    signed: SignedIn,
    state: web::Data<AppState>,
    id: i64,
    body: web::Bytes,
    disabled: bool,
) -> Result<HttpResponse, PageError> {
    PeopleForm::parse(&signed, &body)?;
    let change = UpdateAccount {
        disabled: Some(disabled),
        ..UpdateAccount::default()
    };
    update_account(&state, &signed.caller, id, change)
        .await
        .map_err(|e| signed.fail(e))?;
    Ok(back_to("/console/accounts"))
}

/// `POST /console/accounts/{id}/disable`: disables the account and ends its sessions.
pub async fn disable_account(
    signed: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    set_disabled(signed, state, path.into_inner(), body, true).await
}

/// `POST /console/accounts/{id}/enable`.
pub async fn enable_account(
    signed: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    set_disabled(signed, state, path.into_inner(), body, false).await
}

/// `POST /console/accounts/{id}/second-factor/reset`: removes the account's
/// authenticator and recovery codes and ends its sessions.
pub async fn reset_second_factor_form(
    signed: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    PeopleForm::parse(&signed, &body)?;
    reset_account_second_factor(&state, &signed.caller, path.into_inner())
        .await
        .map_err(|e| signed.fail(e))?;
    Ok(back_to("/console/accounts"))
}

fn back_to(path: &'static str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, path))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

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
    let day = |at: chrono::DateTime<Utc>| at.format("%Y-%m-%d").to_string();
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
pub async fn tokens(
    signed: SignedIn,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    tokens_page(&signed, &state, None).await
}

/// `POST /account/tokens`: creates a token and shows it once.
pub async fn create_token_form(
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
    let created = create_token(&state, &signed.caller, request)
        .await
        .map_err(|e| refusal(&signed, &t.token_name, e))?;
    tokens_page(&signed, &state, created.token).await
}

/// `POST /account/tokens/{id}/revoke`.
pub async fn revoke_token_form(
    signed: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    PeopleForm::parse(&signed, &body)?;
    revoke_token(&state, &signed.caller, path.into_inner())
        .await
        .map_err(|e| signed.fail(e))?;
    Ok(back_to("/account/tokens"))
}
