//! What every page for signed-in people shares: the extractor that turns a
//! session into a [`Caller`] (role and scope read from the account on every
//! request, checked against the route table in `routes.rs`), their header and
//! look, and their friendly error pages.

use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use askama::Template;
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::app::{AppError, Caller, Kind};
use crate::domain::access::held_grant;
use crate::domain::access::{Principal, Role, Scope};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::auth::access::role_may_call;
use crate::http::auth::session::{ENROL_TOTP_PATH, SessionAccount, session_of};
use crate::http::client::client_addr;
use crate::http::html::{Chrome, href, negotiate_language, page_response, render_document};
use crate::http::pages::notice::Notice;
use crate::i18n::{Lang, Messages, messages};
use crate::store::ScopeFilter;
use crate::store::accounts::{ActiveAccount, find_active};

/// The visitor pages' stylesheet plus the wider layout, tables and forms.
pub const SIGNED_IN_CSS: &str = concat!(
    include_str!("../../../web/static/pages.css"),
    include_str!("../../../web/static/signed-in.css")
);

/// No script, as on every page; images may also come from this origin (the
/// venue's QR code).
pub const SIGNED_IN_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Where signing in starts.
const SIGN_IN_PATH: &str = "/login";

/// A signed-in person whose role the route table allows on this route.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The caller, as the JSON handlers know it (actor `account:{id}`).
    pub caller: Caller,
    /// The session.
    pub session: SessionAccount,
    /// The account as stored now.
    pub account: ActiveAccount,
    /// The page language.
    pub lang: Lang,
    path: String,
    query: Vec<(String, String)>,
}

/// One link in the header.
#[derive(Debug, Clone)]
pub struct NavLink {
    /// Where it leads.
    pub href: &'static str,
    /// Its label.
    pub label: &'static str,
}

/// The header of a signed-in page: the links the role has, who is signed in,
/// and the sign-out form. Field names are `signed_in_base.html`'s.
#[derive(Debug, Clone)]
pub struct AccountNav {
    /// Links for this role.
    pub links: Vec<NavLink>,
    /// The person's name.
    pub display_name: String,
    /// Their role, named in the page language.
    pub role_name: &'static str,
    /// The session's form token, for the sign-out form.
    pub csrf_token: String,
    /// The success notice the address asks for (`?notice=`), in the page
    /// language; an unknown key shows nothing.
    pub notice: Option<&'static str>,
}

/// A role's name in a language.
pub fn role_name(m: &'static Messages, role: Role) -> &'static str {
    match role {
        Role::Admin => &m.signed_in.role_admin,
        Role::Regulator => &m.signed_in.role_regulator,
        Role::VenueStaff => &m.signed_in.role_venue_staff,
    }
}

impl SignedIn {
    /// The role.
    pub fn role(&self) -> Role {
        self.caller.principal.role
    }

    /// The messages of the page language.
    pub fn messages(&self) -> &'static Messages {
        messages(self.lang)
    }

    /// The page chrome; the language switch reloads this address.
    pub fn chrome(&self, title: impl Into<String>) -> Chrome {
        let mut chrome = Chrome::new(self.lang, title.into(), &self.path, &self.query);
        chrome.css = SIGNED_IN_CSS;
        chrome
    }

    /// A query parameter of the page's address.
    pub fn query_value(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The header.
    pub fn nav(&self) -> AccountNav {
        let m = self.messages();
        let mut links = Vec::new();
        if self.role() == Role::VenueStaff || self.role() == Role::Admin {
            links.push(NavLink {
                href: "/dashboard",
                label: &m.signed_in.dashboard,
            });
        }
        if self.role() != Role::VenueStaff {
            links.push(NavLink {
                href: "/console",
                label: &m.signed_in.console,
            });
            links.push(NavLink {
                href: "/console/alerts",
                label: &m.alerts.inbox_title,
            });
            links.push(NavLink {
                href: "/console/complaints",
                label: &m.cases.queue_title,
            });
            links.push(NavLink {
                href: "/console/reports",
                label: &m.reports.nav,
            });
            links.push(NavLink {
                href: "/console/appeals",
                label: &m.appeals.queue_title,
            });
            links.push(NavLink {
                href: "/console/integrity",
                label: &m.integrity.nav,
            });
            links.push(NavLink {
                href: "/console/repair-applications",
                label: &m.credit_repair.queue_link,
            });
            links.push(NavLink {
                href: "/console/quality-officers",
                label: &m.quality_officers.nav,
            });
            links.push(NavLink {
                href: "/console/campaigns",
                label: &m.campaigns.title,
            });
            links.push(NavLink {
                href: "/console/calendar",
                label: &m.calendar.title,
            });
            links.push(NavLink {
                href: "/console/inspection-draws",
                label: &m.inspections.draws_title,
            });
            links.push(NavLink {
                href: "/console/posters",
                label: &m.posters.nav,
            });
        }
        if self.role() != Role::VenueStaff {
            links.push(NavLink {
                href: "/console/accounts",
                label: &m.signed_in.accounts,
            });
            links.push(NavLink {
                href: "/console/audit",
                label: &m.signed_in.audit,
            });
        }
        links.push(NavLink {
            href: "/account/tokens",
            label: &m.signed_in.tokens,
        });
        links.push(NavLink {
            href: "/account/security",
            label: &m.signed_in.security,
        });
        links.push(NavLink {
            href: "/account/password",
            label: &m.signed_in.password,
        });
        AccountNav {
            links,
            display_name: self.account.display_name.clone(),
            role_name: role_name(m, self.role()),
            csrf_token: self.session.csrf_token.clone(),
            notice: self
                .query_value("notice")
                .and_then(Notice::parse)
                .map(|n| n.text(m)),
        }
    }

    /// The caller's scope as SQL parameters.
    pub async fn scope_filter(&self, state: &AppState) -> Result<ScopeFilter, PageError> {
        match &self.caller.principal.scope {
            Scope::All => Ok(ScopeFilter::everything()),
            scope => {
                let tree = state.reference.regions().await.map_err(|e| self.fail(e))?;
                Ok(ScopeFilter::of(scope, &tree))
            }
        }
    }

    /// Reads a posted form as `T` once it proves to carry this session's
    /// token (403 otherwise); a form that cannot be read reads as
    /// `T::default()`, so each field's own check answers for it.
    pub fn form<T: DeserializeOwned + Default>(&self, body: &[u8]) -> Result<T, PageError> {
        /// The token among a form's other fields.
        #[derive(Deserialize)]
        struct Token {
            csrf_token: Option<String>,
        }
        let token = serde_html_form::from_bytes::<Token>(body)
            .ok()
            .and_then(|t| t.csrf_token);
        self.check_form_token(token.as_deref())?;
        Ok(serde_html_form::from_bytes(body).unwrap_or_default())
    }

    /// Refuses a posted form whose token is not this session's.
    pub fn check_form_token(&self, posted: Option<&str>) -> Result<(), PageError> {
        if self.session.csrf_matches(posted.unwrap_or_default()) {
            Ok(())
        } else {
            Err(PageError::new(self.lang, PageProblem::ExpiredForm))
        }
    }

    /// The friendly page for a failure of a shared code path, in this
    /// person's language.
    pub fn fail(&self, err: impl PageFailure) -> PageError {
        err.page_error(self.lang)
    }

    /// A page for this person: rendered, with the signed-in pages' headers.
    pub fn page(&self, body: String) -> HttpResponse {
        self.page_with_status(StatusCode::OK, body)
    }

    /// A page for this person with another status: a form shown again with
    /// what was typed and why it was refused (422, or 403 and 404 as the
    /// refusal says).
    pub fn page_with_status(&self, status: StatusCode, body: String) -> HttpResponse {
        page_response(status, SIGNED_IN_CSP, body)
    }

    /// 303 to a signed-in page in this person's language, asking it to show
    /// `notice`.
    pub fn done(
        &self,
        path: &str,
        mut query: Vec<(String, String)>,
        notice: Notice,
    ) -> HttpResponse {
        query.push(notice.pair());
        self.see_other(&href(path, &query, Some(self.lang)))
    }

    /// 303 to `location`, never cached.
    pub fn see_other(&self, location: &str) -> HttpResponse {
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish()
    }

    /// The status a form shown again after a use-case's refusal answers;
    /// `None` for a failure that is no refusal of the input (the error page).
    pub fn refusal_status(err: &AppError) -> Option<StatusCode> {
        match err.slug.kind() {
            Kind::Invalid | Kind::Conflict | Kind::Gone => Some(StatusCode::UNPROCESSABLE_ENTITY),
            Kind::Forbidden => Some(StatusCode::FORBIDDEN),
            Kind::NotFound => Some(StatusCode::NOT_FOUND),
            Kind::Unavailable | Kind::Internal => None,
        }
    }
}

/// The caller of an account: its role and its scope as stored now.
fn principal_of(account: &ActiveAccount) -> Option<Principal> {
    let (role, scope) = held_grant(
        account.role,
        account.region_code.as_deref(),
        &account.venue_ids,
    )?;
    Some(Principal {
        actor: format!("account:{}", account.id),
        role,
        scope,
        account_id: Some(account.id),
    })
}

impl FromRequest for SignedIn {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, PageError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let query: Vec<(String, String)> =
                serde_html_form::from_str(req.query_string()).unwrap_or_default();
            let explicit = query
                .iter()
                .find(|(k, _)| k == "lang")
                .map(|(_, v)| v.as_str());
            let lang = negotiate_language(&req, explicit);
            let problem = |p| PageError::new(lang, p);
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| problem(PageProblem::Failed))?;
            let (_, session) = session_of(state, &req)
                .await
                .map_err(|_| problem(PageProblem::Unavailable))?
                .ok_or_else(|| problem(PageProblem::SignInFirst))?;
            // Admins and regulators act only after enrolling a second factor.
            if session.must_enrol_totp {
                return Err(problem(PageProblem::EnrolFirst));
            }
            let opened = chrono::DateTime::from_timestamp_millis(session.signed_in_ms)
                .ok_or_else(|| problem(PageProblem::SignInFirst))?;
            let account = find_active(&state.pool, session.account_id, opened)
                .await
                .map_err(|e| PageError::from_api(lang, e.into()))?
                .ok_or_else(|| problem(PageProblem::SignInFirst))?;
            let principal = principal_of(&account).ok_or_else(|| problem(PageProblem::Failed))?;
            if !role_may_call(&req, principal.role) {
                return Err(problem(PageProblem::Forbidden));
            }
            Ok(SignedIn {
                caller: Caller {
                    principal,
                    client_ip: client_addr(&req).map(|ip| ip.to_string()),
                },
                session,
                account,
                lang,
                path: req.path().to_owned(),
                query,
            })
        })
    }
}

/// What went wrong on a signed-in page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageProblem {
    /// No live session: go to the sign-in page (303).
    SignInFirst,
    /// A session that must enrol a second factor first: go there (303).
    EnrolFirst,
    /// The role may not use this page (403).
    Forbidden,
    /// Unknown, or outside the caller's scope (404).
    NotFound,
    /// A form without this session's token (403).
    ExpiredForm,
    /// Input that cannot be saved, with the reason (422).
    Invalid(String),
    /// An address whose query cannot be read, with the reason (400).
    BadQuery(String),
    /// Postgres or Redis is unreachable (503).
    Unavailable,
    /// A bug; details are only logged (500).
    Failed,
}

/// A signed-in page's error, answered as a friendly page in the person's language.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{problem:?}")]
pub struct PageError {
    lang: Lang,
    /// What went wrong.
    pub problem: PageProblem,
}

impl PageError {
    /// An error page in a language.
    pub fn new(lang: Lang, problem: PageProblem) -> Self {
        Self { lang, problem }
    }

    /// The page for a use-case's refusal: its message in the page language.
    pub fn from_app(lang: Lang, err: AppError) -> Self {
        let problem = match err.slug.kind() {
            Kind::NotFound => PageProblem::NotFound,
            Kind::Forbidden => PageProblem::Forbidden,
            Kind::Invalid | Kind::Conflict | Kind::Gone => {
                PageProblem::Invalid(messages(lang).problem(&err).to_owned())
            }
            Kind::Unavailable => PageProblem::Unavailable,
            Kind::Internal => PageProblem::Failed,
        };
        Self { lang, problem }
    }

    /// The page for a JSON API error met on a shared code path.
    pub fn from_api(lang: Lang, err: ApiError) -> Self {
        let problem = match err {
            ApiError::App(err) => return Self::from_app(lang, err),
            ApiError::NotFound(_) => PageProblem::NotFound,
            ApiError::Forbidden(_) | ApiError::Unauthorized | ApiError::InvalidToken => {
                PageProblem::Forbidden
            }
            ApiError::Invalid { detail, .. } | ApiError::Conflict { detail, .. } => {
                PageProblem::Invalid(detail)
            }
            ApiError::MalformedJson(detail) => PageProblem::Invalid(detail),
            ApiError::Unavailable => PageProblem::Unavailable,
            other => {
                tracing::error!(error = %other, "signed-in page failed");
                PageProblem::Failed
            }
        };
        Self { lang, problem }
    }
}

/// A failure a signed-in page can tell the person about.
pub trait PageFailure {
    /// The friendly page for it in `lang`.
    fn page_error(self, lang: Lang) -> PageError;
}

impl<E: Into<AppError>> PageFailure for E {
    fn page_error(self, lang: Lang) -> PageError {
        PageError::from_app(lang, self.into())
    }
}

impl PageFailure for ApiError {
    fn page_error(self, lang: Lang) -> PageError {
        PageError::from_api(lang, self)
    }
}

#[derive(Template)]
#[template(
    ext = "html",
    source = "{% extends \"base.html\" %}{% block content %}\
<section class=\"result\"><p class=\"mark warn\" aria-hidden=\"true\">!</p>\
<h1>{{ title }}</h1><p>{{ body }}</p><p><a href=\"{{ back_href }}\">{{ chrome.m.signed_in.back }}</a></p>\
</section>{% endblock %}"
)]
struct PageErrorView {
    chrome: Chrome,
    title: String,
    body: String,
    back_href: &'static str,
}

fn see_other(location: &'static str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self.problem {
            PageProblem::SignInFirst | PageProblem::EnrolFirst => StatusCode::SEE_OTHER,
            PageProblem::Forbidden | PageProblem::ExpiredForm => StatusCode::FORBIDDEN,
            PageProblem::NotFound => StatusCode::NOT_FOUND,
            PageProblem::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            PageProblem::BadQuery(_) => StatusCode::BAD_REQUEST,
            PageProblem::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            PageProblem::Failed => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let m = messages(self.lang);
        let t = &m.signed_in;
        let (title, body) = match &self.problem {
            PageProblem::SignInFirst => return see_other(SIGN_IN_PATH),
            PageProblem::EnrolFirst => return see_other(ENROL_TOTP_PATH),
            PageProblem::Forbidden => (&t.forbidden_title, t.forbidden_body.clone()),
            PageProblem::NotFound => (&t.not_found_title, t.not_found_body.clone()),
            PageProblem::ExpiredForm => (&t.expired_form_title, t.expired_form_body.clone()),
            PageProblem::Invalid(detail) | PageProblem::BadQuery(detail) => {
                (&t.invalid_title, detail.clone())
            }
            PageProblem::Unavailable => (
                &m.errors.unavailable_title,
                m.errors.unavailable_body.clone(),
            ),
            PageProblem::Failed => (&t.failed_title, t.failed_body.clone()),
        };
        let body = render_document(&PageErrorView {
            chrome: Chrome::with_switch(self.lang, title.clone(), |other| {
                format!("{SIGN_IN_PATH}?lang={}", other.tag())
            }),
            title: title.clone(),
            body,
            back_href: SIGN_IN_PATH,
        });
        page_response(self.status_code(), SIGNED_IN_CSP, body)
    }
}
