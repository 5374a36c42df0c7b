//! The venue's Chief Quality Officer page (首席质量官; section B of the
//! regulators' requirements): the officer's record with the appointment
//! conditions of 二(二) and the duties of 二(三), the training records whose
//! hours are the gate to registration (三(一)), the filing for registration
//! (备案, 三(五)) and the regulator's yearly evaluations.
//!
//! Every form carries the session's form token and calls the JSON routes'
//! use-cases (`app::quality_officers`); a refused form shows this page again
//! (422, or 409 for a filing in the wrong state) with what was typed and the
//! reason beside the field; nothing is stored.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::app::path_ids::{parse_id, parse_training_id};
use crate::app::quality_officers::{self, OfficerRecordBody, refused_field};
use crate::app::supervision::venue_in_scope;
use crate::app::{AppError, Kind};
use crate::domain::ids::VenueId;
use crate::domain::quality_officer::{
    COURSE_MAX_CHARS, Duty, Education, OfficerDetails, OfficerError, QUALIFICATION_MAX_CHARS,
    RawOfficer, TrainingRecord, parse_experience_text, parse_hours_text,
};
use crate::domain::venue_profile::{OFFICER_TEXT_MAX_CHARS, ProfileError, Registration};
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, SIGNED_IN_CSS, SignedIn};
use crate::http::html::{Chrome, href, local_time, render_document};
use crate::http::pages::notice::Notice;
use crate::i18n::{Lang, Messages, QualityOfficerTexts};

use super::registration_label;

/// Refusals shown beside the fields they are about.
#[derive(Debug, Default)]
pub(crate) struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    /// The refusal of `field`, if any.
    pub(crate) fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, text)| text.as_str())
    }

    fn one(field: &str, text: String) -> Self {
        Self(vec![(field.to_owned(), text)])
    }
}

/// A refused input told in the page language, with the values it names.
pub(crate) fn refusal_text(m: &Messages, err: &AppError) -> String {
    let mut text = m.problem(err).to_owned();
    for (name, value) in &err.args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// An officer's refused field told in the page language.
fn officer_error_text(m: &Messages, err: &OfficerError) -> String {
    match err {
        OfficerError::Profile(ProfileError::BadDate) => m.dashboard.error_bad_date.clone(),
        OfficerError::Profile(ProfileError::FutureDate) => m.dashboard.error_future_date.clone(),
        other => refusal_text(m, &AppError::from(other.clone())),
    }
}

/// One choice of a list or a checklist.
struct Choice {
    key: &'static str,
    label: &'static str,
    selected: bool,
}

/// The officer form's values, stored or as typed.
#[derive(Debug, Default, Deserialize)]
struct OfficerForm {
    name: Option<String>,
    position: Option<String>,
    appointed_on: Option<String>,
    education: Option<String>,
    qualification: Option<String>,
    experience_years: Option<String>,
    #[serde(default)]
    duties: Vec<String>,
    registration_status: Option<String>,
}

/// The training form's values, as typed.
#[derive(Debug, Default, Deserialize)]
struct TrainingForm {
    course: Option<String>,
    provider: Option<String>,
    trained_on: Option<String>,
    hours: Option<String>,
}

/// What a refused form brings back.
#[derive(Debug, Default)]
enum Refused {
    #[default]
    None,
    Officer(OfficerForm, FieldErrors),
    Training(TrainingForm, FieldErrors),
    Filing(String),
}

struct TrainingLine {
    course: String,
    provider: String,
    trained_on: String,
    hours: String,
    remove_href: String,
}

struct EvaluationLine {
    year: i16,
    grade: String,
    reasons: String,
    recorded: String,
}

#[derive(Template)]
#[template(path = "dashboard_quality_officer.html")]
struct OfficerView {
    chrome: Chrome,
    nav: AccountNav,
    t: &'static QualityOfficerTexts,
    venue_id: VenueId,
    venue_name: String,
    back_href: String,
    lang_tag: &'static str,
    has_officer: bool,
    form: OfficerForm,
    errors: FieldErrors,
    educations: Vec<Choice>,
    duties: Vec<Choice>,
    statuses: Vec<Choice>,
    status_line: String,
    decision_line: Option<String>,
    can_file: bool,
    filing_error: Option<String>,
    hours_line: String,
    training_short: bool,
    trainings: Vec<TrainingLine>,
    training: TrainingForm,
    training_errors: FieldErrors,
    evaluations: Vec<EvaluationLine>,
    today: String,
    officer_max: usize,
    qualification_max: usize,
    course_max: usize,
}

/// The officer page of a venue.
fn page_href(id: VenueId, lang: Lang, notice: Option<Notice>) -> String {
    let query: Vec<(String, String)> = notice.map(|n| vec![n.pair()]).unwrap_or_default();
    href(
        &format!("/dashboard/venues/{id}/quality-officer"),
        &query,
        Some(lang),
    )
}

/// The page, holding what is stored or, for a refused form, what was typed.
async fn document(
    signed_in: &SignedIn,
    state: &AppState,
    id: VenueId,
    refused: Refused,
) -> Result<String, PageError> {
    let lang = signed_in.lang;
    let m = signed_in.messages();
    let t = &m.quality_officers;
    let venue = venue_in_scope(state, &signed_in.caller.principal, id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let record: OfficerRecordBody = quality_officers::record(state, &signed_in.caller, id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let stored = record.officer.as_ref();
    let status = stored
        .and_then(|o| Registration::parse(&o.registration_status).ok())
        .unwrap_or(Registration::Unregistered);
    let mut form = stored
        .map(|o| OfficerForm {
            name: Some(o.name.clone()),
            position: Some(o.position.clone()),
            appointed_on: Some(o.appointed_on.to_string()),
            education: o.education.clone(),
            qualification: o.qualification.clone(),
            experience_years: o.experience_years.map(|y| y.to_string()),
            duties: o.duties.clone(),
            registration_status: Some(o.registration_status.clone()),
        })
        .unwrap_or_default();
    let (mut errors, mut training, mut training_errors, mut filing_error) = (
        FieldErrors::default(),
        TrainingForm::default(),
        FieldErrors::default(),
        None,
    );
    match refused {
        Refused::None => {}
        Refused::Officer(typed, why) => {
            form = typed;
            errors = why;
        }
        Refused::Training(typed, why) => {
            training = typed;
            training_errors = why;
        }
        Refused::Filing(why) => filing_error = Some(why),
    }
    let hours = stored.map_or(0.0, |o| o.training_hours);
    let chosen_status = form
        .registration_status
        .clone()
        .unwrap_or_else(|| status.key().to_owned());
    // The statuses a venue may choose: withdraw or file, and the current one.
    let mut offered = vec![Registration::Unregistered, Registration::Pending];
    if !offered.contains(&status) {
        offered.insert(0, status);
    }
    let mut chrome = Chrome::with_switch(lang, format!("{} · {}", venue.name, t.title), |other| {
        page_href(id, other, None)
    });
    chrome.css = SIGNED_IN_CSS;
    let view = OfficerView {
        chrome,
        nav: signed_in.nav(),
        t,
        venue_id: id,
        venue_name: venue.name.clone(),
        back_href: format!("/dashboard/venues/{id}?lang={}", lang.tag()),
        lang_tag: lang.tag(),
        has_officer: stored.is_some(),
        educations: Education::ALL
            .into_iter()
            .map(|e| Choice {
                key: e.key(),
                label: t.education(e),
                selected: form.education.as_deref() == Some(e.key()),
            })
            .collect(),
        duties: Duty::ALL
            .into_iter()
            .map(|d| Choice {
                key: d.key(),
                label: t.duty(d),
                selected: form.duties.iter().any(|k| k == d.key()),
            })
            .collect(),
        statuses: offered
            .into_iter()
            .map(|s| Choice {
                key: s.key(),
                label: registration_label(m, s.key()),
                selected: s.key() == chosen_status,
            })
            .collect(),
        form,
        errors,
        status_line: t
            .status_line
            .replace("{status}", registration_label(m, status.key())),
        decision_line: stored.and_then(|o| {
            let at = o.registration_decided_at?;
            Some(
                t.decision_line
                    .replace("{at}", &local_time(at))
                    .replace("{reason}", o.registration_reason.as_deref().unwrap_or("")),
            )
        }),
        can_file: stored.is_some()
            && matches!(status, Registration::Unregistered | Registration::Refused),
        filing_error,
        hours_line: t
            .hours_line
            .replace("{hours}", &format!("{hours:.1}"))
            .replace("{required}", &format!("{:.1}", record.required_hours)),
        training_short: hours < record.required_hours,
        trainings: record
            .trainings
            .iter()
            .map(|r| TrainingLine {
                course: r.course.clone(),
                provider: r.provider.clone(),
                trained_on: r.trained_on.to_string(),
                hours: format!("{:.1}", r.hours),
                remove_href: format!(
                    "/dashboard/venues/{id}/quality-officer/trainings/{}/remove?lang={}",
                    r.id,
                    lang.tag()
                ),
            })
            .collect(),
        training,
        training_errors,
        evaluations: record
            .evaluations
            .iter()
            .map(|e| EvaluationLine {
                year: e.year,
                grade: t.grade(&e.grade).to_owned(),
                reasons: e.reasons.clone(),
                recorded: local_time(e.evaluated_at),
            })
            .collect(),
        today: state.clock.today().to_string(),
        officer_max: OFFICER_TEXT_MAX_CHARS,
        qualification_max: QUALIFICATION_MAX_CHARS,
        course_max: COURSE_MAX_CHARS,
    };
    Ok(render_document(&view))
}

/// The page again after a refused form, with `status`.
async fn refused_page(
    signed_in: &SignedIn,
    state: &AppState,
    id: VenueId,
    status: StatusCode,
    refused: Refused,
) -> Result<HttpResponse, PageError> {
    let body = document(signed_in, state, id, refused).await?;
    Ok(signed_in.page_with_status(status, body))
}

/// The status a refusal answers; `None` for what is no refusal of the input.
fn refusal_status(err: &AppError) -> Option<StatusCode> {
    match err.slug.kind() {
        Kind::Invalid => Some(StatusCode::UNPROCESSABLE_ENTITY),
        Kind::Conflict => Some(StatusCode::CONFLICT),
        Kind::Forbidden => Some(StatusCode::FORBIDDEN),
        _ => None,
    }
}

/// `GET /dashboard/venues/{id}/quality-officer`: the officer page.
pub async fn page(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = parse_id(&path).map_err(|e| signed_in.fail(e))?;
    let body = document(&signed_in, &state, id, Refused::None).await?;
    Ok(signed_in.page(body))
}

/// `POST /dashboard/venues/{id}/quality-officer`: saves the officer's
/// record (conditions, duties, and filing or withdrawing the registration).
pub async fn submit(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form: OfficerForm = signed_in.form(&body)?;
    let m = signed_in.messages();
    let id = parse_id(&path).map_err(|e| signed_in.fail(e))?;
    let parsed = parse_experience_text(form.experience_years.as_deref().unwrap_or_default())
        .and_then(|experience_years| {
            OfficerDetails::parse(
                RawOfficer {
                    name: form.name.as_deref().unwrap_or_default(),
                    position: form.position.as_deref().unwrap_or_default(),
                    appointed_on: form.appointed_on.as_deref().unwrap_or_default(),
                    education: form.education.as_deref(),
                    qualification: form.qualification.as_deref(),
                    experience_years,
                    duties: &form.duties,
                    registration_status: form.registration_status.as_deref(),
                },
                state.clock.today(),
            )
        });
    let details = match parsed {
        Ok(details) => details,
        Err(err) => {
            let errors = FieldErrors::one(err.field(), officer_error_text(m, &err));
            let refused = Refused::Officer(form, errors);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return refused_page(&signed_in, &state, id, status, refused).await;
        }
    };
    match quality_officers::save(&state, &signed_in.caller, id, &details).await {
        Ok(_) => {
            Ok(signed_in.see_other(&page_href(id, signed_in.lang, Some(Notice::OfficerSaved))))
        }
        Err(err) => {
            let Some(status) = refusal_status(&err) else {
                return Err(signed_in.fail(err));
            };
            let field = refused_field(&err)
                .unwrap_or("registration_status")
                .to_owned();
            let errors = FieldErrors::one(&field, refusal_text(m, &err));
            refused_page(
                &signed_in,
                &state,
                id,
                status,
                Refused::Officer(form, errors),
            )
            .await
        }
    }
}

/// `POST /dashboard/venues/{id}/quality-officer/trainings`: adds a training record.
pub async fn add_training(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form: TrainingForm = signed_in.form(&body)?;
    let m = signed_in.messages();
    let id = parse_id(&path).map_err(|e| signed_in.fail(e))?;
    let parsed = parse_hours_text(form.hours.as_deref().unwrap_or_default()).and_then(|hours| {
        TrainingRecord::parse(
            form.course.as_deref().unwrap_or_default(),
            form.provider.as_deref().unwrap_or_default(),
            form.trained_on.as_deref().unwrap_or_default(),
            hours,
            state.clock.today(),
        )
    });
    let record = match parsed {
        Ok(record) => record,
        Err(err) => {
            let errors = FieldErrors::one(err.field(), officer_error_text(m, &err));
            let refused = Refused::Training(form, errors);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return refused_page(&signed_in, &state, id, status, refused).await;
        }
    };
    match quality_officers::add_training(&state, &signed_in.caller, id, &record).await {
        Ok(_) => Ok(signed_in.see_other(&page_href(
            id,
            signed_in.lang,
            Some(Notice::OfficerTrainingAdded),
        ))),
        Err(err) => {
            let Some(status) = refusal_status(&err) else {
                return Err(signed_in.fail(err));
            };
            let field = refused_field(&err).unwrap_or("course").to_owned();
            let errors = FieldErrors::one(&field, refusal_text(m, &err));
            refused_page(
                &signed_in,
                &state,
                id,
                status,
                Refused::Training(form, errors),
            )
            .await
        }
    }
}

/// The posted form of a button that carries nothing but its token.
#[derive(Debug, Default, Deserialize)]
struct ButtonForm {}

/// `POST /dashboard/venues/{id}/quality-officer/trainings/{training_id}/remove`.
pub async fn remove_training(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let _: ButtonForm = signed_in.form(&body)?;
    let (venue, training) = path.into_inner();
    let id = parse_id(&venue).map_err(|e| signed_in.fail(e))?;
    let training_id = parse_training_id(&training).map_err(|e| signed_in.fail(e))?;
    quality_officers::remove_training(&state, &signed_in.caller, id, training_id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    Ok(signed_in.see_other(&page_href(
        id,
        signed_in.lang,
        Some(Notice::OfficerTrainingRemoved),
    )))
}

/// `POST /dashboard/venues/{id}/quality-officer/registration`: files the
/// registration (unregistered or refused → pending).
pub async fn ask_registration(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let _: ButtonForm = signed_in.form(&body)?;
    let id = parse_id(&path).map_err(|e| signed_in.fail(e))?;
    match quality_officers::ask_registration(&state, &signed_in.caller, id).await {
        Ok(_) => {
            Ok(signed_in.see_other(&page_href(id, signed_in.lang, Some(Notice::OfficerFiled))))
        }
        Err(err) => {
            let Some(status) = refusal_status(&err) else {
                return Err(signed_in.fail(err));
            };
            let why = refusal_text(signed_in.messages(), &err);
            refused_page(&signed_in, &state, id, status, Refused::Filing(why)).await
        }
    }
}
