//! `/console/accounts`: supervisors invite, disable and enable the accounts
//! in their scope, reset their second factor and send them set-password
//! links. Disabling and resetting ask for confirmation first.

use crate::domain::ids::{AccountId, VenueId};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;

use crate::app::accounts::{self, CreateAccount, UpdateAccount};
use crate::domain::access::held_grant;
use crate::domain::access::may_manage;
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, SignedIn};
use crate::http::html::local_time;
use crate::http::html::{Chrome, href, render_document};
use crate::i18n::PeopleTexts;
use crate::store::accounts::{self as account_store, AccountRecord};
use crate::store::{second_factor, tokens};

use crate::http::pages::confirm::{Confirmation, confirmation_page, is_confirmed};
use crate::http::pages::notice::Notice;

use super::{Draft, PeopleForm, Pickers, grantable_roles, pickers, refusal, scope_text};
use crate::http::auth::signed_in::role_name;

/// Where the account pages live.
const ACCOUNTS_PATH: &str = "/console/accounts";

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
    /// The invite form's values.
    draft: Draft,
    pickers: Pickers,
}

async fn accounts_page(
    signed: &SignedIn,
    state: &AppState,
    invitation: Option<InvitationNotice>,
    draft: Draft,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let m = signed.messages();
    let t = &m.people;
    let scope = signed.scope_filter(state).await?;
    let listed = account_store::list(&state.pool, &scope)
        .await
        .map_err(|e| signed.fail(e))?;
    let ids: Vec<AccountId> = listed.iter().map(|record| record.id).collect();
    let enrolled = second_factor::enrolled_among(&state.pool, &ids)
        .await
        .map_err(|e| signed.fail(e))?;
    let tree = state
        .reference
        .regions()
        .await
        .map_err(|e| signed.fail(e))?;
    let listed_venues: Vec<VenueId> = listed
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
            let manageable = held_grant(
                record.role,
                record.region_code.as_deref(),
                &record.venue_ids,
            )
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
        pickers: pickers(signed, state, &draft).await?,
        draft,
    };
    Ok(signed.page_with_status(status, render_document(&page)))
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
        role: role_name(m, record.role).to_owned(),
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

/// `GET /console/accounts?venue_q=`: the list and the invite form, its
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
    accounts_page(&signed, &state, None, draft, StatusCode::OK).await
}

/// `POST /console/accounts`: creates the account and shows its invitation
/// link once; a refused form (or a venue search) is shown again as typed.
pub async fn create(
    signed: SignedIn,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let t = &signed.messages().people;
    let form = PeopleForm::parse(&signed, &body)?;
    let mut draft = form.draft();
    if form.is_search() {
        return accounts_page(&signed, &state, None, draft, StatusCode::OK).await;
    }
    let venue_ids = match form.venue_ids(t) {
        Ok(ids) => ids,
        Err(text) => {
            draft.error = Some(text);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return accounts_page(&signed, &state, None, draft, status).await;
        }
    };
    let request = CreateAccount {
        login: form.login.clone().unwrap_or_default(),
        display_name: form.display_name.clone().unwrap_or_default(),
        role: form.role.clone().unwrap_or_default(),
        region_code: form.region_code(),
        venue_ids,
    };
    let created = match accounts::create(&state, &signed.caller, request).await {
        Ok(created) => created,
        Err(err) => {
            let (status, text) = refusal(&signed, &t.display_name, err)?;
            draft.error = Some(text);
            return accounts_page(&signed, &state, None, draft, status).await;
        }
    };
    let notice = InvitationNotice {
        title: t.invitation_title.clone(),
        intro: t
            .invitation_intro
            .replace("{name}", &created.display_name)
            .replace("{login}", &created.login),
        url: created.invitation_url.unwrap_or_default(),
        expires: expires_text(t, created.invitation_expires_at),
    };
    let draft = Draft::default();
    accounts_page(&signed, &state, Some(notice), draft, StatusCode::OK).await
}

/// When a shown link stops working, in Beijing time like every time shown.
fn expires_text(t: &PeopleTexts, at: Option<chrono::DateTime<Utc>>) -> String {
    t.invitation_expires
        .replace("{at}", &at.map(local_time).unwrap_or_default())
}

/// `POST /console/accounts/{id}/password-link`: gives the account a fresh
/// set-password link and shows it once.
pub async fn password_link(
    signed: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<AccountId>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let t = &signed.messages().people;
    PeopleForm::parse(&signed, &body)?;
    let (account, link) = accounts::issue_password_link(&state, &signed.caller, path.into_inner())
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
    accounts_page(
        &signed,
        &state,
        Some(notice),
        Draft::default(),
        StatusCode::OK,
    )
    .await
}

/// The confirmation of a change to an account, naming it.
async fn confirm_account_change(
    signed: &SignedIn,
    state: &AppState,
    id: AccountId,
    verb: &str,
    texts: (&String, &String, &String),
) -> Result<HttpResponse, PageError> {
    let account = accounts::managed(state, &signed.caller, id)
        .await
        .map_err(|e| signed.fail(e))?;
    let (title, body, submit) = texts;
    let lang = Some(signed.lang);
    let confirmation = Confirmation::new(
        title.clone(),
        body.replace("{name}", &account.display_name)
            .replace("{login}", &account.login),
        href(&format!("{ACCOUNTS_PATH}/{id}/{verb}"), &[], lang),
        submit.clone(),
        href(ACCOUNTS_PATH, &[], lang),
    );
    Ok(confirmation_page(signed, confirmation))
}

async fn set_disabled(
    signed: SignedIn,
    state: web::Data<AppState>,
    id: AccountId,
    body: web::Bytes,
    disabled: bool,
) -> Result<HttpResponse, PageError> {
    let form = PeopleForm::parse(&signed, &body)?;
    if disabled && !is_confirmed(form.confirmed.as_deref()) {
        let t = &signed.messages().confirm;
        let texts = (&t.disable_title, &t.disable_body, &t.disable_submit);
        return confirm_account_change(&signed, &state, id, "disable", texts).await;
    }
    let change = UpdateAccount {
        disabled: Some(disabled),
        ..UpdateAccount::default()
    };
    accounts::update(&state, &signed.caller, id, change)
        .await
        .map_err(|e| signed.fail(e))?;
    let notice = if disabled {
        Notice::AccountDisabled
    } else {
        Notice::AccountEnabled
    };
    Ok(signed.done(ACCOUNTS_PATH, Vec::new(), notice))
}

/// `POST /console/accounts/{id}/disable`: asks to confirm, then disables
/// the account and ends its sessions.
pub async fn disable(
    signed: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<AccountId>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    set_disabled(signed, state, path.into_inner(), body, true).await
}

/// `POST /console/accounts/{id}/enable`.
pub async fn enable(
    signed: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<AccountId>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    set_disabled(signed, state, path.into_inner(), body, false).await
}

/// `POST /console/accounts/{id}/second-factor/reset`: asks to confirm, then
/// removes the account's authenticator and recovery codes and ends its sessions.
pub async fn reset_second_factor(
    signed: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<AccountId>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form = PeopleForm::parse(&signed, &body)?;
    let id = path.into_inner();
    // One's own factor is refused as the use-case refuses it, with no question first.
    let own = signed.caller.principal.account_id == Some(id);
    if !own && !is_confirmed(form.confirmed.as_deref()) {
        let t = &signed.messages().confirm;
        let texts = (&t.reset_title, &t.reset_body, &t.reset_submit);
        return confirm_account_change(&signed, &state, id, "second-factor/reset", texts).await;
    }
    accounts::reset_second_factor(&state, &signed.caller, id)
        .await
        .map_err(|e| signed.fail(e))?;
    Ok(signed.done(ACCOUNTS_PATH, Vec::new(), Notice::SecondFactorReset))
}
