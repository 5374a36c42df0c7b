//! The one confirmation step of a consequential action on a signed-in page
//! (disable an account, reset a second factor, revoke a token, replace a
//! venue's code, quarantine a rating), without scripts.
//!
//! The action's button posts its form, with the session's form token, to
//! the action's own address. Without `confirmed=yes` the handler changes
//! nothing and answers [`confirmation_page`]: what will happen, naming the
//! account, token, venue or rating, in the page language; a button that
//! posts the same form again with `confirmed=yes`; and a link back. After
//! the change the handler answers 303 with a [`crate::http::pages::notice::Notice`].
//! A refused confirmation (say, an empty reason) shows this page again with
//! the message and what was typed (422).

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use crate::http::auth::signed_in::{AccountNav, SignedIn};
use crate::http::html::{Chrome, render_document};

/// The field whose value `yes` says the person confirmed.
pub const CONFIRMED_FIELD: &str = "confirmed";

/// Whether a posted form carries the confirmation.
pub fn is_confirmed(raw: Option<&str>) -> bool {
    raw.map(str::trim) == Some("yes")
}

/// A text the person types with the confirmation, such as a reason.
#[derive(Debug, Clone)]
pub struct TextField {
    /// The form field's name.
    pub name: &'static str,
    /// Its label.
    pub label: String,
    /// What was typed so far.
    pub value: String,
    /// The most characters it takes.
    pub max_chars: usize,
}

/// What the confirmation page says and where its button posts.
#[derive(Debug, Clone)]
pub struct Confirmation {
    /// The question, e.g. "Disable this account?".
    pub title: String,
    /// What will happen, naming the thing it happens to.
    pub statement: String,
    /// A quoted detail with its label, such as a rating's comment.
    pub quote: Option<(String, String)>,
    /// Where the confirmed form posts (the action's own address).
    pub action: String,
    /// Fields the first form carried, posted again unchanged.
    pub hidden: Vec<(String, String)>,
    /// A text typed with the confirmation.
    pub text_field: Option<TextField>,
    /// The confirming button's label.
    pub submit: String,
    /// Where "Cancel" leads: the page the action was started from.
    pub cancel_href: String,
    /// Why the last try was refused.
    pub error: Option<String>,
}

impl Confirmation {
    /// A confirmation of the action at `action`, cancelled back to `cancel_href`.
    pub fn new(
        title: impl Into<String>,
        statement: String,
        action: String,
        submit: impl Into<String>,
        cancel_href: String,
    ) -> Self {
        Self {
            title: title.into(),
            statement,
            quote: None,
            action,
            hidden: Vec::new(),
            text_field: None,
            submit: submit.into(),
            cancel_href,
            error: None,
        }
    }
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmView {
    chrome: Chrome,
    nav: AccountNav,
    c: Confirmation,
    confirmed_field: &'static str,
}

/// The confirmation page: 200, or 422 when it shows a refusal.
pub fn confirmation_page(signed: &SignedIn, confirmation: Confirmation) -> HttpResponse {
    let status = if confirmation.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = ConfirmView {
        chrome: signed.chrome(confirmation.title.clone()),
        nav: signed.nav(),
        c: confirmation,
        confirmed_field: CONFIRMED_FIELD,
    };
    signed.page_with_status(status, render_document(&view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_yes_confirms() {
        assert!(is_confirmed(Some("yes")));
        assert!(is_confirmed(Some(" yes ")));
        assert!(!is_confirmed(None));
        assert!(!is_confirmed(Some("")));
        assert!(!is_confirmed(Some("no")));
    }

    #[test]
    fn every_confirmation_text_has_its_placeholders() {
        use crate::i18n::{Lang, messages};
        for lang in Lang::ALL {
            let c = &messages(lang).confirm;
            for (text, placeholders) in [
                (&c.disable_body, &["{name}", "{login}"][..]),
                (&c.reset_body, &["{name}", "{login}"]),
                (&c.revoke_body, &["{name}", "{scope}"]),
                (&c.reissue_body, &["{venue}", "{code}"]),
                (&c.quarantine_body, &["{venue}", "{stars}", "{day}"]),
                (&c.release_body, &["{venue}", "{stars}", "{day}"]),
            ] {
                for p in placeholders {
                    assert!(text.contains(p), "{lang:?}: {text:?} lacks {p}");
                }
            }
        }
    }
}
