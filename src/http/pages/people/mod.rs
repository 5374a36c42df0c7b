//! Pages for managing who may act: the accounts a supervisor manages
//! ([`accounts`]) and the API tokens anyone signed in makes for themselves
//! ([`tokens`]). Each form goes through the same code path as its JSON
//! route; the form parsing and the wording of refusals are shared here.

use actix_web::HttpResponse;
use actix_web::http::header;
use serde::Deserialize;

use crate::app::{AppError, Slug};
use crate::domain::access::Role;
use crate::http::auth::signed_in::{PageError, PageProblem, SignedIn, role_name};
use crate::i18n::{Messages, PeopleTexts};

pub mod accounts;
pub mod tokens;

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

/// A shared code path's refusal in the page language; a control character
/// is named by `field`, the form's one free-text field.
fn refusal(signed: &SignedIn, field: &str, err: AppError) -> PageError {
    if err.slug == Slug::ControlCharacter {
        let text = signed
            .messages()
            .people
            .control_character
            .replace("{field}", field);
        return invalid(signed, &text);
    }
    signed.fail(err)
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

fn back_to(path: &'static str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, path))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}
