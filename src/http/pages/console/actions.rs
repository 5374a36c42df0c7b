//! The console's forms: quarantine or release a rating, record a violation.
//! Each checks the session's form token first, then calls the same code as
//! its JSON route (which writes the audit row in the change's transaction),
//! and answers 303 back to the venue's page with a notice.
//!
//! Quarantining asks for confirmation first (see
//! [`crate::http::pages::confirm`]); a refused reason shows that page again
//! with the reason as typed. A refused violation shows the venue page again
//! with the form as filled in (422). Nothing is stored either way.

use crate::domain::ids::{RatingId, VenueId};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::app::moderation::{self as moderation, parse_reason};
use crate::app::path_ids::parse_id;
use crate::app::supervision::{parse_paging, venue_in_scope};
use crate::app::violations::record;
use crate::app::{AppError, Kind, Slug};
use crate::domain::moderation::REASON_MAX_CHARS;
use crate::domain::violation::NewViolation;
use crate::http::AppState;
use crate::http::auth::signed_in::{PageError, PageProblem, SignedIn};
use crate::http::html::href;
use crate::http::pages::confirm::{Confirmation, TextField, confirmation_page, is_confirmed};
use crate::http::pages::console::tier_override::TierOverrideDraft;
use crate::http::pages::console::venue::{ViolationDraft, venue_document};
use crate::http::pages::notice::Notice;
use crate::store::console::RatingFilter;
use crate::store::console::{NamedRating, rating_in_scope};

/// Fields of a quarantine or release form.
#[derive(Debug, Default, Deserialize)]
struct ModerationForm {
    reason: Option<String>,
    /// The ratings page the form was on, to come back to.
    page: Option<String>,
    /// `yes` once the person confirmed on the confirmation page.
    confirmed: Option<String>,
}

/// Fields of the violation form.
#[derive(Debug, Default, Deserialize)]
struct ViolationForm {
    occurred_on: Option<String>,
    /// `yes` or `no`.
    serious: Option<String>,
    description: Option<String>,
}

/// A use-case's refusal of the input, told in the page language; `None`
/// for anything else (not found, an outage), which gets its own page.
fn refusal_text(signed_in: &SignedIn, err: &AppError) -> Option<String> {
    matches!(err.slug.kind(), Kind::Invalid | Kind::Conflict)
        .then(|| signed_in.messages().problem(err).to_owned())
}

/// 303 to a venue's console page with a notice, at an anchor.
fn back_to_venue(
    signed_in: &SignedIn,
    venue_id: VenueId,
    mut query: Vec<(String, String)>,
    notice: Notice,
    anchor: &str,
) -> HttpResponse {
    query.push(notice.pair());
    let location = format!(
        "{}#{anchor}",
        href(
            &format!("/console/venues/{venue_id}"),
            &query,
            Some(signed_in.lang)
        )
    );
    signed_in.see_other(&location)
}

/// The confirmation of quarantining (or releasing) `rating`, its reason
/// field holding what was typed.
fn moderation_confirmation(
    signed_in: &SignedIn,
    rating: &NamedRating,
    form: &ModerationForm,
    page_query: &[(String, String)],
    quarantine: bool,
) -> Confirmation {
    let m = signed_in.messages();
    let t = &m.confirm;
    let (verb, title, body, submit) = if quarantine {
        (
            "quarantine",
            &t.quarantine_title,
            &t.quarantine_body,
            &t.quarantine_submit,
        )
    } else {
        (
            "release",
            &t.release_title,
            &t.release_body,
            &t.release_submit,
        )
    };
    let statement = body
        .replace("{venue}", &rating.venue_name)
        .replace("{stars}", &rating.overall.to_string())
        .replace("{day}", &rating.day.to_string());
    let cancel = format!(
        "{}#ratings-panel",
        href(
            &format!("/console/venues/{}", rating.venue_id),
            page_query,
            Some(signed_in.lang)
        )
    );
    let mut confirmation = Confirmation::new(
        title.clone(),
        statement,
        href(
            &format!("/console/ratings/{}/{verb}", rating.id),
            &[],
            Some(signed_in.lang),
        ),
        submit.clone(),
        cancel,
    );
    confirmation.quote = rating
        .comment
        .clone()
        .filter(|c| !c.trim().is_empty())
        .map(|c| (t.comment_label.clone(), c));
    confirmation.hidden = page_query.to_vec();
    confirmation.text_field = Some(TextField {
        name: "reason",
        label: m.console.reason_label.clone(),
        value: form.reason.clone().unwrap_or_default(),
        max_chars: REASON_MAX_CHARS,
    });
    confirmation
}

async fn moderate(
    signed_in: SignedIn,
    state: &AppState,
    path: &str,
    body: &[u8],
    quarantine: bool,
) -> Result<HttpResponse, PageError> {
    // A garbled body reads as an empty form, which the token check refuses.
    let form: ModerationForm = signed_in.form(body)?;
    let not_found = || PageError::new(signed_in.lang, PageProblem::NotFound);
    let rating_id = parse_id::<RatingId>(path).map_err(|_| not_found())?;
    let scope = signed_in.scope_filter(state).await?;
    let rating = rating_in_scope(&state.pool, rating_id, &scope)
        .await
        .map_err(|e| signed_in.fail(e))?
        .ok_or_else(not_found)?;
    let page = form
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
        .filter(|p| (2..=100_000).contains(p));
    let page_query = page
        .map(|p| vec![("page".to_owned(), p.to_string())])
        .unwrap_or_default();
    let confirm = |error: Option<String>| {
        let mut confirmation =
            moderation_confirmation(&signed_in, &rating, &form, &page_query, quarantine);
        confirmation.error = error;
        confirmation_page(&signed_in, confirmation)
    };
    // Releasing puts a rating back and needs no second step.
    if quarantine && !is_confirmed(form.confirmed.as_deref()) {
        return Ok(confirm(None));
    }
    let outcome = match parse_reason(form.reason.as_deref().unwrap_or_default()) {
        Ok(reason) => {
            moderation::moderate(state, &signed_in.caller, rating_id, &reason, quarantine)
                .await
                .map(|_| ())
        }
        Err(err) => Err(err),
    };
    if let Err(err) = outcome {
        return match refusal_text(&signed_in, &err) {
            Some(text) => Ok(confirm(Some(text))),
            None => Err(signed_in.fail(err)),
        };
    }
    let notice = if quarantine {
        Notice::RatingQuarantined
    } else {
        Notice::RatingReleased
    };
    Ok(back_to_venue(
        &signed_in,
        rating.venue_id,
        page_query,
        notice,
        "ratings-panel",
    ))
}

/// `POST /console/ratings/{id}/quarantine`: asks to confirm, then takes a
/// rating out of every score.
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

/// `POST /console/venues/{id}/violations`: records a violation; a refused
/// one shows the venue page again with the form as filled in.
pub async fn record_violation(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form: ViolationForm = signed_in.form(&body)?;
    let venue_id = parse_id(&path).map_err(|e| signed_in.fail(e))?;
    let c = &signed_in.messages().console;
    let refused = |text: String| ViolationDraft {
        occurred_on: form.occurred_on.clone().unwrap_or_default(),
        serious: form.serious.clone().unwrap_or_default(),
        description: form.description.clone().unwrap_or_default(),
        error: Some(text),
    };
    let outcome = match form.serious.as_deref().map(str::trim) {
        Some("yes") => Ok(true),
        Some("no") => Ok(false),
        _ => Err(c.serious_required.clone()),
    }
    .and_then(|serious| {
        NewViolation::parse(
            form.occurred_on.as_deref().unwrap_or_default(),
            serious,
            form.description.as_deref().unwrap_or_default(),
            state.clock.today(),
        )
        .map_err(|e| {
            let err = AppError::from(e);
            refusal_text(&signed_in, &err).unwrap_or(err.detail)
        })
    });
    let refusal = match outcome {
        Ok(violation) => match record(&state, &signed_in.caller, venue_id, &violation).await {
            Ok(_) => None,
            Err(err) => match refusal_text(&signed_in, &err) {
                Some(text) => Some(text),
                None => return Err(signed_in.fail(err)),
            },
        },
        Err(text) => Some(text),
    };
    if let Some(text) = refusal {
        let paging = parse_paging("").map_err(|e| signed_in.fail(e))?;
        let body = venue_document(
            &signed_in,
            &state,
            venue_id,
            (&RatingFilter::default(), paging),
            (refused(text), TierOverrideDraft::default()),
        )
        .await?;
        return Ok(signed_in.page_with_status(StatusCode::UNPROCESSABLE_ENTITY, body));
    }
    Ok(back_to_venue(
        &signed_in,
        venue_id,
        Vec::new(),
        Notice::ViolationRecorded,
        "violations-panel",
    ))
}

/// The most ratings one selection may quarantine: a page of the table.
const SELECTION_MAX: usize = 100;

/// Fields of the form that quarantines the ratings ticked in the table.
#[derive(Debug, Default, Deserialize)]
struct SelectionForm {
    /// The ticked ratings, one field each.
    #[serde(default)]
    rating_id: Vec<String>,
    reason: Option<String>,
    /// The ratings page the form was on, to come back to.
    page: Option<String>,
    /// `yes` once the person confirmed on the confirmation page.
    confirmed: Option<String>,
}

/// `POST /console/venues/{id}/ratings/quarantine`: quarantines the ratings
/// ticked in the venue's table with one reason, after a confirmation naming
/// how many and which; each is audited on its own, as from its own row.
pub async fn quarantine_selection(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form: SelectionForm = signed_in.form(&body)?;
    let not_found = || PageError::new(signed_in.lang, PageProblem::NotFound);
    let venue_id = parse_id(&path).map_err(|e| signed_in.fail(e))?;
    let venue = venue_in_scope(&state, &signed_in.caller.principal, venue_id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let c = &signed_in.messages().console;
    let mut ids: Vec<RatingId> = Vec::new();
    for raw in &form.rating_id {
        let id = parse_id::<RatingId>(raw.trim()).map_err(|_| not_found())?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() || ids.len() > SELECTION_MAX {
        let text = c
            .selection_none
            .replace("{max}", &SELECTION_MAX.to_string());
        return Err(PageError::new(signed_in.lang, PageProblem::Invalid(text)));
    }
    // Every ticked rating must be one of this venue's, in scope.
    let scope = signed_in.scope_filter(&state).await?;
    for id in &ids {
        let rating = rating_in_scope(&state.pool, *id, &scope)
            .await
            .map_err(|e| signed_in.fail(e))?
            .ok_or_else(not_found)?;
        if rating.venue_id != venue.id {
            return Err(not_found());
        }
    }
    let page_query: Vec<(String, String)> = form
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
        .filter(|p| (2..=100_000).contains(p))
        .map(|p| vec![("page".to_owned(), p.to_string())])
        .unwrap_or_default();
    let confirm = |error: Option<String>| {
        let list: Vec<String> = ids.iter().map(|id| format!("#{id}")).collect();
        let statement = c
            .selection_body
            .replace("{count}", &ids.len().to_string())
            .replace("{venue}", &venue.name)
            .replace("{ids}", &list.join(", "));
        let cancel = format!(
            "{}#ratings-panel",
            href(
                &format!("/console/venues/{}", venue.id),
                &page_query,
                Some(signed_in.lang)
            )
        );
        let mut confirmation = Confirmation::new(
            c.selection_title.replace("{count}", &ids.len().to_string()),
            statement,
            href(
                &format!("/console/venues/{}/ratings/quarantine", venue.id),
                &[],
                Some(signed_in.lang),
            ),
            c.selection_submit.clone(),
            cancel,
        );
        confirmation.hidden = ids
            .iter()
            .map(|id| ("rating_id".to_owned(), id.to_string()))
            .chain(page_query.iter().cloned())
            .collect();
        confirmation.text_field = Some(TextField {
            name: "reason",
            label: c.reason_label.clone(),
            value: form.reason.clone().unwrap_or_default(),
            max_chars: REASON_MAX_CHARS,
        });
        confirmation.error = error;
        confirmation_page(&signed_in, confirmation)
    };
    if !is_confirmed(form.confirmed.as_deref()) {
        return Ok(confirm(None));
    }
    let reason = match parse_reason(form.reason.as_deref().unwrap_or_default()) {
        Ok(reason) => reason,
        Err(err) => {
            return match refusal_text(&signed_in, &err) {
                Some(text) => Ok(confirm(Some(text))),
                None => Err(signed_in.fail(err)),
            };
        }
    };
    for id in &ids {
        match moderation::moderate(&state, &signed_in.caller, *id, &reason, true).await {
            // One already quarantined meanwhile stays as it is.
            Ok(_) => {}
            Err(err) if err.slug == Slug::AlreadyQuarantined => {}
            Err(err) => return Err(signed_in.fail(err)),
        }
    }
    Ok(back_to_venue(
        &signed_in,
        venue.id,
        page_query,
        Notice::RatingsQuarantined,
        "ratings-panel",
    ))
}
