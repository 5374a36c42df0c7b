//! The console's form for a complaint taken by telephone or from the 12345
//! hotline (clause 29 of the prefecture's division of labour: complaint
//! mediation): the venue by id or printed code, the channel, the day of the
//! service, what happened, the caller's contact and when the call came in.
//! It calls the JSON route's use-case (`app::case_entry`), which checks
//! every field, refuses a service too long ago with the region's limit,
//! and writes the case and its audit row; a refused form comes back as
//! typed with each reason beside its field (422), and nothing is stored.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::view::{Names, SelectOption};
use crate::app::case_entry::{self, ComplaintEntryForm, refused_field};
use crate::app::{AppError, Kind, Slug};
use crate::domain::day::local_time_field;
use crate::domain::rating::{COMPLAINT_MAX_CHARS, CONTACT_MAX_CHARS};
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, SignedIn};
use crate::http::html::{Chrome, render_document};
use crate::http::pages::notice::Notice;
use crate::i18n::{ComplaintEntryTexts, Messages};

/// Why each field was refused, in the page language.
#[derive(Debug, Default)]
struct FieldErrors {
    venue: Option<String>,
    source: Option<String>,
    service_on: Option<String>,
    received_at: Option<String>,
    description: Option<String>,
    contact: Option<String>,
    /// A refusal that names no field.
    other: Option<String>,
}

impl FieldErrors {
    /// Sorts the refusals to their fields, each told in the page language.
    fn of(m: &Messages, refusals: &[AppError]) -> Self {
        let mut errors = Self::default();
        for err in refusals {
            let text = match (err.slug, err.arg("days")) {
                (Slug::ServiceTooOld, Some(days)) => {
                    m.complaint_entry.service_too_old.replace("{days}", days)
                }
                _ => m.problem(err).to_owned(),
            };
            let slot = match refused_field(err) {
                Some("venue") => &mut errors.venue,
                Some("source") => &mut errors.source,
                Some("service_on") => &mut errors.service_on,
                Some("received_at") => &mut errors.received_at,
                Some("description") => &mut errors.description,
                Some("contact") => &mut errors.contact,
                _ => &mut errors.other,
            };
            slot.get_or_insert(text);
        }
        errors
    }

    fn any(&self) -> bool {
        [
            &self.venue,
            &self.source,
            &self.service_on,
            &self.received_at,
            &self.description,
            &self.contact,
            &self.other,
        ]
        .iter()
        .any(|e| e.is_some())
    }
}

#[derive(Template)]
#[template(path = "console_complaint_entry.html")]
struct EntryView {
    chrome: Chrome,
    nav: AccountNav,
    t: &'static ComplaintEntryTexts,
    action: String,
    queue_href: String,
    cancel: &'static str,
    fields: ComplaintEntryForm,
    errors: FieldErrors,
    sources: Vec<SelectOption>,
    today: String,
    /// Now, as the time field writes it: no call comes in later.
    now: String,
    description_max: usize,
    contact_max: usize,
}

/// The form, as typed and with why it was refused (422), or empty.
async fn form_page(
    signed_in: &SignedIn,
    state: &AppState,
    fields: ComplaintEntryForm,
    errors: FieldErrors,
) -> Result<HttpResponse, PageError> {
    let names = Names::load(state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let m = names.m;
    let chosen = if fields.source.is_empty() {
        "phone"
    } else {
        fields.source.as_str()
    };
    let sources = ["phone", "hotline_12345"]
        .into_iter()
        .map(|key| SelectOption {
            value: key.to_owned(),
            label: m.cases.source(key).to_owned(),
            selected: key == chosen,
        })
        .collect();
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = EntryView {
        chrome: signed_in.chrome(m.complaint_entry.title.clone()),
        nav: signed_in.nav(),
        t: &m.complaint_entry,
        action: names.href("/console/complaints/new", &[]),
        queue_href: names.href("/console/complaints", &[]),
        cancel: &m.confirm.cancel,
        fields,
        errors,
        sources,
        today: state.clock.today().to_string(),
        now: local_time_field(state.clock.now()),
        description_max: COMPLAINT_MAX_CHARS,
        contact_max: CONTACT_MAX_CHARS,
    };
    Ok(signed_in.page_with_status(status, render_document(&view)))
}

/// `GET /console/complaints/new`: the empty form.
pub async fn new_form(
    signed_in: SignedIn,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    form_page(
        &signed_in,
        &state,
        ComplaintEntryForm::default(),
        FieldErrors::default(),
    )
    .await
}

/// `POST /console/complaints/new`: enters the complaint as a case and shows
/// the new case's page, or the form again as typed with every reason.
pub async fn create(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields: ComplaintEntryForm = signed_in.form(&body)?;
    let refusals = match case_entry::enter_form(&state, &signed_in.caller, &fields).await {
        Ok(entered) => {
            return Ok(signed_in.done(
                &format!("/console/complaints/{}", entered.id),
                Vec::new(),
                Notice::ComplaintEntered,
            ));
        }
        Err(refusals) => refusals,
    };
    // An outage or a refusal of the caller is no fault of the input: its own page.
    if let Some(err) = refusals
        .iter()
        .find(|err| !matches!(err.slug.kind(), Kind::Invalid | Kind::NotFound))
    {
        return Err(signed_in.fail(err.clone()));
    }
    let errors = FieldErrors::of(signed_in.messages(), &refusals);
    form_page(&signed_in, &state, fields, errors).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, messages};

    #[test]
    fn refusals_go_beside_their_fields_and_the_limit_is_named() {
        let m = messages(Lang::En);
        let refusals = vec![
            AppError::new(Slug::ServiceTooOld, "too old")
                .with("field", "service_on")
                .with("days", 90),
            AppError::new(Slug::EmptyComplaint, "empty").with("field", "description"),
            AppError::new(Slug::TextTooLong, "long").with("field", "description"),
        ];
        let errors = FieldErrors::of(m, &refusals);
        assert!(errors.service_on.as_deref().unwrap().contains("90 days"));
        assert_eq!(
            errors.description.as_deref(),
            Some(m.problem(&refusals[1])),
            "the first reason for a field is the one shown"
        );
        assert!(errors.venue.is_none() && errors.other.is_none());
        assert!(errors.any());
        assert!(!FieldErrors::default().any());
        for lang in Lang::ALL {
            assert!(
                messages(lang)
                    .complaint_entry
                    .service_too_old
                    .contains("{days}")
            );
        }
    }
}
