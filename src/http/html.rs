//! What every HTML page shares: the response headers, the script-free
//! content policy and the choice of language.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};

use askama::Template;
use chrono::{DateTime, Utc};

use crate::domain::day::china_offset;
use crate::error::RETRY_AFTER_UNAVAILABLE_SECS;
use crate::http::pages::visitor::rating::LANG_COOKIE;
use crate::http::pages::visitor::view::{FALLBACK_DOCUMENT, PAGE_CSS};
use crate::i18n::{Lang, Messages, messages};

/// Inline style only: pages under it run no script and load nothing.
pub const NO_SCRIPT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The CSP source that lets exactly this inline script run, `'sha256-…'`:
/// a page can carry its small script inline without `'unsafe-inline'`.
pub fn inline_script_source(script: &str) -> String {
    use sha2::{Digest, Sha256};
    format!(
        "'sha256-{}'",
        data_encoding::BASE64.encode(&Sha256::digest(script.as_bytes()))
    )
}

/// An HTML page that is never cached, with its content policy and the
/// header that keeps it from leaking its address (`nosniff` is added to every
/// response by [`crate::http::security_headers`]). Every HTML answer is made
/// here, so this is the one place a 503 gets its `Retry-After`; a 429, or a
/// 503 that knows a different wait, sets it with [`retry_after`].
pub fn page_response(status: StatusCode, csp: &'static str, body: String) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::CONTENT_SECURITY_POLICY, csp))
        .insert_header(("Referrer-Policy", "no-referrer"));
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.insert_header((header::RETRY_AFTER, RETRY_AFTER_UNAVAILABLE_SECS));
    }
    response.body(body)
}

/// The same answer, telling the client to wait `secs` seconds before trying again.
pub fn retry_after(mut response: HttpResponse, secs: u64) -> HttpResponse {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
    response
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

/// Whether the request's `Accept` header asks for `text/html` (with a
/// non-zero q): a browser navigating, as opposed to an API client.
pub fn accepts_html(req: &HttpRequest) -> bool {
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    accept.split(',').take(32).any(|range| {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or_default().trim();
        let refused = parts.any(|p| {
            p.split_once('=').is_some_and(|(name, value)| {
                name.trim().eq_ignore_ascii_case("q")
                    && value.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
            })
        });
        media.eq_ignore_ascii_case("text/html") && !refused
    })
}

/// Parts every page shares through `base.html`; the field names are the template's.
pub struct Chrome {
    /// The page's language tag.
    pub lang_tag: &'static str,
    /// The page's messages.
    pub m: &'static Messages,
    /// The document title.
    pub title: String,
    /// The language switch: one link per other language, in list order.
    pub switch: Vec<LangLink>,
    /// The inlined stylesheet.
    pub css: &'static str,
    /// Who runs the service; empty unless the page adds it ([`Chrome::with_imprint`]).
    pub footer: crate::http::imprint::SiteFooter,
}

/// One entry of the language switch, named in its own language and script.
pub struct LangLink {
    /// The language's tag, for `hreflang` and `lang`.
    pub tag: &'static str,
    /// Its writing direction, for `dir`.
    pub dir: &'static str,
    /// Its own name, e.g. 中文 or English.
    pub name: &'static str,
    /// This page in that language.
    pub href: String,
}

impl Chrome {
    /// Chrome whose language switch reloads `path` with `query` in each other language.
    pub fn new(lang: Lang, title: String, path: &str, query: &[(String, String)]) -> Self {
        Self::with_switch(lang, title, |other| href(path, query, Some(other)))
    }

    /// Chrome whose language switch leads to `switch_href(language)` for each other language.
    pub fn with_switch(lang: Lang, title: String, switch_href: impl Fn(Lang) -> String) -> Self {
        Self {
            lang_tag: lang.tag(),
            m: messages(lang),
            title,
            switch: lang
                .others()
                .map(|other| {
                    let meta = &messages(other).meta;
                    LangLink {
                        tag: other.tag(),
                        dir: &meta.dir,
                        name: &meta.name,
                        href: switch_href(other),
                    }
                })
                .collect(),
            css: PAGE_CSS,
            footer: Default::default(),
        }
    }
}

/// `path?query&lang=…`, percent-encoded; `lang` is dropped from `query` and added as given.
pub fn href(path: &str, query: &[(String, String)], lang: Option<Lang>) -> String {
    let mut pairs: Vec<(&str, &str)> = query
        .iter()
        .filter(|(k, v)| k != "lang" && !v.is_empty())
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if let Some(lang) = lang {
        pairs.push(("lang", lang.tag()));
    }
    // Encoding plain string pairs cannot fail; an empty query is the safe answer if it did.
    let query = serde_html_form::to_string(&pairs).unwrap_or_default();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// Renders a page; a failure (only a failing `Display` impl can cause one) is
/// logged and answered with the plain fallback document.
pub fn render_document(page: &impl Template) -> String {
    page.render().unwrap_or_else(|err| {
        tracing::error!(error = %err, "page failed to render");
        FALLBACK_DOCUMENT.to_owned()
    })
}

/// An instant as a person reads it on every page: Beijing time, to the minute.
pub fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&china_offset())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Asserts that a page's language switch offers every language but `lang`,
/// in list order, each named in its own language and leading to `href(language)`
/// (as the page writes it, `&` escaped).
#[cfg(test)]
pub(crate) fn assert_language_switch(html: &str, lang: Lang, href: impl Fn(Lang) -> String) {
    let mut previous = 0;
    for other in lang.others() {
        let meta = &messages(other).meta;
        let link = format!(
            "<a class=\"lang\" href=\"{}\" hreflang=\"{tag}\" lang=\"{tag}\" dir=\"{}\">{}</a>",
            href(other),
            meta.dir,
            meta.name,
            tag = other.tag(),
        );
        let at = html
            .find(&link)
            .unwrap_or_else(|| panic!("{lang:?} page lacks {link}"));
        assert!(at > previous, "{other:?} out of order");
        previous = at;
    }
    assert!(
        !html.contains(&format!("hreflang=\"{}\"", lang.tag())),
        "{lang:?} page offers itself"
    );
}
