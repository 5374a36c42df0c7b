//! The score pages' friendly error pages, and the responses that carry them;
//! also the answer to an address no route matches.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use askama::Template;

use crate::app::{AppError, Kind};
use crate::config::Imprint;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::html::accepts_html;
use crate::http::pages::public::{Chrome, NavLinks, html, page_language, render_document};
use crate::i18n::{Lang, Messages, messages};

/// Which friendly error page to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicError {
    /// No page at this address (404).
    PageNotFound,
    /// No such venue (404).
    VenueNotFound,
    /// No such region (404).
    RegionNotFound,
    /// The address exists but does not take this method (405).
    MethodNotAllowed,
    /// Postgres is unreachable (503).
    Unavailable,
    /// Anything else that went wrong (500); details are only logged.
    Failed,
}

impl PublicError {
    fn status(self) -> StatusCode {
        match self {
            Self::PageNotFound | Self::VenueNotFound | Self::RegionNotFound => {
                StatusCode::NOT_FOUND
            }
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Failed => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

#[derive(Template)]
#[template(
    ext = "html",
    source = "{% extends \"base.html\" %}{% block content %}\
<section class=\"result\"><p class=\"mark warn\" aria-hidden=\"true\">!</p>\
<h1>{{ title }}</h1><p>{{ body }}</p><p class=\"hint\">{{ m.public_errors.help }}</p></section>\
<nav class=\"pages\" aria-label=\"{{ nav.label }}\"><a href=\"/rankings\">{{ nav.rankings }}</a>\
<a href=\"/about/scores\">{{ nav.method }}</a></nav>{% endblock %}"
)]
struct PublicErrorView {
    chrome: Chrome,
    m: &'static Messages,
    nav: NavLinks,
    title: &'static str,
    body: &'static str,
}

/// A friendly error page in the score pages' look; never shows internals.
pub fn public_error_page(lang: Lang, which: PublicError, imprint: &Imprint) -> String {
    let m = messages(lang);
    let (title, body) = match which {
        PublicError::PageNotFound => (
            &m.public_errors.page_not_found_title,
            &m.public_errors.page_not_found_body,
        ),
        PublicError::VenueNotFound => (
            &m.public_errors.venue_not_found_title,
            &m.public_errors.venue_not_found_body,
        ),
        PublicError::RegionNotFound => (
            &m.public_errors.region_not_found_title,
            &m.public_errors.region_not_found_body,
        ),
        PublicError::MethodNotAllowed => (
            &m.public_errors.method_not_allowed_title,
            &m.public_errors.method_not_allowed_body,
        ),
        PublicError::Unavailable => (&m.errors.unavailable_title, &m.errors.unavailable_body),
        PublicError::Failed => (&m.public_errors.failed_title, &m.public_errors.failed_body),
    };
    render_document(&PublicErrorView {
        // The switch reloads the same address in the other language.
        chrome: Chrome::new(lang, title.clone(), "", &[]).with_imprint(imprint),
        m,
        nav: NavLinks::new(m),
        title,
        body,
    })
}

pub(in crate::http::pages::public) fn error_response(
    state: &AppState,
    lang: Lang,
    which: PublicError,
) -> HttpResponse {
    html(
        state,
        lang,
        false,
        which.status(),
        public_error_page(lang, which, &state.settings.imprint),
    )
}

/// The answer to an address no route matches: a friendly page in the
/// visitor's language for a browser, problem+json for API clients (anything
/// under `/api/`, or a request that does not accept `text/html`).
pub async fn not_found(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let path = req.path();
    let api = path == "/api" || path.starts_with("/api/");
    if api || !accepts_html(&req) {
        return ApiError::NotFound("resource").error_response();
    }
    let (lang, _) = page_language(&req);
    error_response(&state, lang, PublicError::PageNotFound)
}

/// The answer to a known address called with a method it does not take:
/// 405 with the methods it does take in `Allow`, as a friendly page for a
/// browser and problem+json otherwise (the same split as [`not_found`]).
pub fn method_not_allowed(
    req: HttpRequest,
    state: web::Data<AppState>,
    allow: String,
) -> HttpResponse {
    let path = req.path();
    let api = path == "/api" || path.starts_with("/api/");
    let mut response = if api || !accepts_html(&req) {
        ApiError::MethodNotAllowed {
            method: req.method().to_string(),
        }
        .error_response()
    } else {
        let (lang, _) = page_language(&req);
        error_response(&state, lang, PublicError::MethodNotAllowed)
    };
    if let Ok(value) = HeaderValue::from_str(&allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// The error page for a failed load; `not_found` says which "not found" it is.
pub(in crate::http::pages::public) fn failure(
    state: &AppState,
    lang: Lang,
    err: AppError,
    not_found: PublicError,
) -> HttpResponse {
    let which = match err.slug.kind() {
        Kind::NotFound => not_found,
        Kind::Unavailable => PublicError::Unavailable,
        _ => {
            tracing::warn!(error = %err, slug = err.slug.key(), "public page failed");
            PublicError::Failed
        }
    };
    error_response(state, lang, which)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::html::assert_language_switch;
    use crate::http::pages::public::test_support::assert_page_basics;

    #[test]
    fn error_pages_are_friendly_and_bilingual() {
        for lang in Lang::ALL {
            for which in [
                PublicError::PageNotFound,
                PublicError::VenueNotFound,
                PublicError::RegionNotFound,
                PublicError::Unavailable,
                PublicError::Failed,
            ] {
                let html = public_error_page(lang, which, &Imprint::default());
                assert_page_basics(&html, lang);
                assert_language_switch(&html, lang, |other| format!("?lang={}", other.tag()));
                assert!(html.contains("href=\"/rankings\""));
            }
        }
        assert!(
            public_error_page(Lang::Zh, PublicError::VenueNotFound, &Imprint::default())
                .contains("未找到该场所")
        );
        assert!(
            public_error_page(Lang::En, PublicError::Unavailable, &Imprint::default())
                .contains("Briefly unavailable")
        );
        assert_eq!(PublicError::VenueNotFound.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            PublicError::Unavailable.status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }
}
