//! The console's forms: quarantine or release a rating, record a violation.
//! Each checks the session's form token first, then calls the same code as
//! its JSON route (which writes the audit row in the change's transaction),
//! and answers 303 back to the venue's page with a notice. Invalid input gets
//! a friendly 422 page and stores nothing.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::app::moderation::{self as moderation, parse_reason};
use crate::app::violations::record;
use crate::domain::violation::NewViolation;
use crate::http::AppState;
use crate::http::api::venues::parse_id;
use crate::http::auth::signed_in::{PageError, PageProblem, SignedIn};
use crate::http::html::href;

/// Fields of a quarantine or release form.
#[derive(Debug, Default, Deserialize)]
struct ModerationForm {
    csrf_token: Option<String>,
    reason: Option<String>,
    /// The ratings page the form was on, to come back to.
    page: Option<String>,
}

/// Fields of the violation form.
#[derive(Debug, Default, Deserialize)]
struct ViolationForm {
    csrf_token: Option<String>,
    occurred_on: Option<String>,
    /// `yes` or `no`.
    serious: Option<String>,
    description: Option<String>,
}

/// 303 to a venue's console page with a notice, at an anchor.
fn back_to_venue(
    signed_in: &SignedIn,
    venue_id: i64,
    mut query: Vec<(String, String)>,
    notice: &str,
    anchor: &str,
) -> HttpResponse {
    query.push(("notice".to_owned(), notice.to_owned()));
    let location = format!(
        "{}#{anchor}",
        href(
            &format!("/console/venues/{venue_id}"),
            &query,
            Some(signed_in.lang)
        )
    );
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

async fn moderate(
    signed_in: SignedIn,
    state: &AppState,
    path: &str,
    body: &[u8],
    quarantine: bool,
) -> Result<HttpResponse, PageError> {
    // A garbled body reads as an empty form, which the token check refuses.
    let form: ModerationForm = serde_html_form::from_bytes(body).unwrap_or_default();
    signed_in.check_form_token(form.csrf_token.as_deref())?;
    let rating_id = path
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| PageError::new(signed_in.lang, PageProblem::NotFound))?;
    let reason =
        parse_reason(form.reason.as_deref().unwrap_or_default()).map_err(|e| signed_in.fail(e))?;
    let done = moderation::moderate(state, &signed_in.caller, rating_id, &reason, quarantine)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let page = form
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
        .filter(|p| (2..=100_000).contains(p));
    let query = page
        .map(|p| vec![("page".to_owned(), p.to_string())])
        .unwrap_or_default();
    let notice = if quarantine {
        "quarantined"
    } else {
        "released"
    };
    Ok(back_to_venue(
        &signed_in,
        done.venue_id,
        query,
        notice,
        "ratings-panel",
    ))
}

/// `POST /console/ratings/{id}/quarantine`: takes a rating out of every score.
pub async fn quarantine(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    moderate(signed_in, &state, &path, &body, true).await
}

/// `POST /console/ratings/{id}/release`: puts a quarantined rating back.
pub async fn release(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    moderate(signed_in, &state, &path, &body, false).await
}

/// `POST /console/venues/{id}/violations`: records a violation.
pub async fn record_violation(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form: ViolationForm = serde_html_form::from_bytes(&body).unwrap_or_default();
    signed_in.check_form_token(form.csrf_token.as_deref())?;
    let venue_id = parse_id(&path).map_err(|e| signed_in.fail(e))?;
    let c = &signed_in.messages().console;
    let serious = match form.serious.as_deref().map(str::trim) {
        Some("yes") => true,
        Some("no") => false,
        _ => {
            return Err(PageError::new(
                signed_in.lang,
                PageProblem::Invalid(c.serious_required.clone()),
            ));
        }
    };
    let violation = NewViolation::parse(
        form.occurred_on.as_deref().unwrap_or_default(),
        serious,
        form.description.as_deref().unwrap_or_default(),
        state.clock.today(),
    )
    .map_err(|e| signed_in.fail(e))?;
    record(&state, &signed_in.caller, venue_id, &violation)
        .await
        .map_err(|e| signed_in.fail(e))?;
    Ok(back_to_venue(
        &signed_in,
        venue_id,
        Vec::new(),
        "violation",
        "violations-panel",
    ))
}
