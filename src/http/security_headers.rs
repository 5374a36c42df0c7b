//! Headers every response carries, set in one place after the handler ran.
//!
//! HTML pages choose their own content policy ([`crate::http::html::page_response`]);
//! everything else (JSON, problem+json, images, downloads, metrics) gets one
//! that loads and runs nothing, so a response opened directly in a browser
//! cannot become a page. Over https, browsers are told to stay on https.

use actix_web::http::header::{self, HeaderMap, HeaderValue};

/// The policy of every response that did not set its own: nothing loads,
/// nothing runs, nothing frames it.
pub const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// One year, subdomains included: sent only when the public origin is https.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Which headers a deployment adds; built once from the settings.
#[derive(Debug, Clone, Copy)]
pub struct SecurityHeaders {
    hsts: bool,
}

impl SecurityHeaders {
    /// HSTS is sent only when the public origin (`PUBLIC_BASE_URL`) is https.
    pub fn for_public_base_url(public_base_url: &str) -> Self {
        Self {
            hsts: public_base_url.starts_with("https://"),
        }
    }

    /// Adds `nosniff`, a default content policy where the response has none,
    /// and HSTS over https; headers a handler set itself are kept.
    pub fn apply(self, headers: &mut HeaderMap) {
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(DEFAULT_CSP),
            );
        }
        if self.hsts {
            headers.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static(HSTS),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_response_gets_nosniff_and_a_policy_but_keeps_its_own() {
        let mut json = HeaderMap::new();
        SecurityHeaders::for_public_base_url("http://127.0.0.1:8080").apply(&mut json);
        assert_eq!(json.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
        assert_eq!(
            json.get(header::CONTENT_SECURITY_POLICY).unwrap(),
            DEFAULT_CSP
        );
        assert!(!json.contains_key(header::STRICT_TRANSPORT_SECURITY));

        let mut page = HeaderMap::new();
        page.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'"),
        );
        SecurityHeaders::for_public_base_url("https://q.example.org").apply(&mut page);
        assert_eq!(
            page.get(header::CONTENT_SECURITY_POLICY).unwrap(),
            "default-src 'self'"
        );
        assert_eq!(page.get(header::STRICT_TRANSPORT_SECURITY).unwrap(), HSTS);
    }
}
