//! What every HTML page shares: the response headers, the script-free
//! content policy and the choice of language.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};

use super::rating_page::LANG_COOKIE;
use crate::i18n::Lang;

/// Inline style only: pages under it run no script and load nothing.
pub const NO_SCRIPT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// An HTML page that is never cached, with its content policy and the
/// headers that keep it from being sniffed or leaking its address.
pub fn page_response(status: StatusCode, csp: &'static str, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::CONTENT_SECURITY_POLICY, csp))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .body(body)
}

/// The page language: an explicit choice (a form field or `?lang=`), else the
/// `qrf_lang` cookie, else `Accept-Language`, else Chinese.
pub fn negotiate_language(req: &HttpRequest, explicit: Option<&str>) -> Lang {
    let cookie = req.cookie(LANG_COOKIE);
    let explicit = explicit
        .filter(|l| !l.is_empty())
        .or(cookie.as_ref().map(|c| c.value()));
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Lang::negotiate(explicit, accept)
}
