//! The dashboard's bad ratings (差评, the post-consumption evaluation of
//! clause 2 of the prefecture's division of labour): the venue's one- and
//! two-star ratings with a comment, each a light case to verify within one
//! working day and fix within fifteen days, answered publicly beside the
//! comment; and its appeals (申诉复核) of ratings it believes malicious,
//! with where each stands and the regulator's reason.
//!
//! The forms call the JSON routes' use-cases (`app::bad_ratings`,
//! `app::appeals`), which check the role, the order of the steps and the
//! scope, and write the audit rows. Only the venue's staff get the forms;
//! regulators and admins in scope see where each case stands.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::{Draft, refusal_text, refused_page, see_other, venue_href};
use crate::app::appeals::{self, AppealBody, AppealQuery, AppealRequest, EVIDENCE_MAX_CHARS};
use crate::app::bad_ratings::{self, BadRatingCase, BadRatingStep};
use crate::app::path_ids::parse_id;
use crate::app::supervision::venue_in_scope;
use crate::app::venue_profile::FIRST_COMMENTS;
use crate::domain::access::Role;
use crate::domain::complaint::TEXT_MAX_CHARS;
use crate::domain::ids::{RatingId, VenueId};
use crate::http::AppState;
use crate::http::auth::signed_in::{PageError, SignedIn};
use crate::http::html::local_time;
use crate::http::pages::notice::Notice;
use crate::i18n::{AppealTexts, Messages};
use crate::store::dashboard::CommentFilter;

/// One appeal as the venue sees it.
pub(super) struct AppealShown {
    /// The rating it is about: day and stars.
    pub rating: String,
    pub comment: Option<String>,
    /// "Filed …: waiting for a decision", or "… upheld on …".
    pub status: String,
    /// The regulator's reason, once decided.
    pub reason: Option<String>,
}

/// One bad rating, its case and what the venue can do about it.
pub(super) struct BadRatingShown {
    pub rating_id: RatingId,
    pub day: String,
    pub stars: String,
    pub stars_sr: String,
    pub comment: String,
    /// To verify, verified, fixed.
    pub state: &'static str,
    /// When the step it waits for is due, in words.
    pub due: Option<String>,
    pub overdue: bool,
    /// When it was verified and fixed, in words.
    pub done: Vec<String>,
    pub fix_note: Option<String>,
    /// The venue's public answer, shown beside the comment on its page.
    pub reply: Option<String>,
    /// The answer box: the stored answer or a refused draft, and why.
    pub reply_draft: String,
    pub reply_error: Option<String>,
    /// The step form: `verified` or `fixed`, for the venue's staff.
    pub next_step: Option<&'static str>,
    /// The step is `fixed`: its note (what was fixed) is required.
    pub fixing: bool,
    pub step_note: String,
    pub step_error: Option<String>,
    /// The latest appeal of this rating.
    pub appeal: Option<AppealShown>,
    /// The appeal form, for a rating never appealed.
    pub can_appeal: bool,
    pub appeal_draft: String,
    pub appeal_error: Option<String>,
}

/// The bad-ratings section of the venue dashboard.
pub(super) struct BadRatingsPanel {
    pub t: &'static AppealTexts,
    /// Whether the forms are shown (the venue's staff).
    pub staff: bool,
    pub items: Vec<BadRatingShown>,
    /// Every appeal of the venue, the upheld ones (whose ratings left the
    /// list above) too.
    pub appeals: Vec<AppealShown>,
    /// Why a form was refused when its rating is no longer listed.
    pub error: Option<String>,
    pub reply_max: usize,
    pub note_max: usize,
    pub evidence_max: usize,
    pub appeal_hint: String,
}

fn stars(m: &Messages, overall: i16) -> (String, String) {
    (
        format!("{overall}★"),
        m.rating.stars_sr.replace("{n}", &overall.to_string()),
    )
}

fn appeal_shown(m: &'static Messages, appeal: &AppealBody) -> AppealShown {
    let t = &m.appeals;
    let state = t.state(&appeal.state);
    let status = match appeal.decided_at {
        Some(at) => t
            .decided_status
            .replace("{state}", state)
            .replace("{at}", &local_time(at)),
        None => t
            .filed_status
            .replace("{state}", state)
            .replace("{at}", &local_time(appeal.filed_at)),
    };
    let (stars, _) = stars(m, appeal.overall);
    AppealShown {
        rating: format!("{} · {stars}", appeal.rating_day),
        comment: appeal.comment.clone(),
        status,
        reason: appeal.decision_reason.clone(),
    }
}

fn case_shown(
    m: &'static Messages,
    staff: bool,
    case: &BadRatingCase,
    appeals: &[AppealBody],
) -> BadRatingShown {
    let t = &m.appeals;
    let (state, next_step, due) = match case.state {
        "open" => (
            &t.case_open,
            Some("verified"),
            Some(
                t.verify_due
                    .replace("{at}", &local_time(case.verify_due_at)),
            ),
        ),
        "verified" => (
            &t.case_verified,
            Some("fixed"),
            Some(t.fix_due.replace("{at}", &local_time(case.fix_due_at))),
        ),
        _ => (&t.case_fixed, None, None),
    };
    let mut done = Vec::new();
    if let Some(at) = case.verified_at {
        done.push(t.verified_at.replace("{at}", &local_time(at)));
    }
    if let Some(at) = case.fixed_at {
        done.push(t.fixed_at.replace("{at}", &local_time(at)));
    }
    // Appeals come pending first, then the newest: the first is the latest.
    let appeal = appeals.iter().find(|a| a.rating_id == case.rating_id);
    let (stars, stars_sr) = stars(m, case.overall);
    BadRatingShown {
        rating_id: case.rating_id,
        day: case.day.to_string(),
        stars,
        stars_sr,
        comment: case.comment.clone(),
        state,
        due,
        overdue: case.overdue,
        done,
        fix_note: case.fix_note.clone(),
        reply: case.reply.clone(),
        reply_draft: case.reply.clone().unwrap_or_default(),
        reply_error: None,
        next_step: next_step.filter(|_| staff),
        fixing: next_step == Some("fixed"),
        step_note: String::new(),
        step_error: None,
        appeal: appeal.map(|a| appeal_shown(m, a)),
        can_appeal: staff && appeal.is_none(),
        appeal_draft: String::new(),
        appeal_error: None,
    }
}

/// The section for venue `id`, with a refused form of it (in `draft`) as
/// it was posted.
pub(super) async fn panel(
    signed_in: &SignedIn,
    state: &AppState,
    id: VenueId,
    draft: &Draft,
) -> Result<BadRatingsPanel, PageError> {
    let m = signed_in.messages();
    let t = &m.appeals;
    let staff = signed_in.role() == Role::VenueStaff;
    let cases = bad_ratings::list(state, &signed_in.caller, id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let query = AppealQuery {
        venue_id: Some(id),
        ..Default::default()
    };
    let appeals = appeals::list(state, &signed_in.caller, query)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let mut items: Vec<BadRatingShown> = cases
        .items
        .iter()
        .map(|case| case_shown(m, staff, case, &appeals.items))
        .collect();
    let mut unplaced = None;
    let mut place =
        |rating_id: RatingId, apply: &dyn Fn(&mut BadRatingShown), why: &String| match items
            .iter_mut()
            .find(|item| item.rating_id == rating_id)
        {
            Some(item) => apply(item),
            None => unplaced = Some(why.clone()),
        };
    match draft {
        Draft::BadRatingStep {
            rating_id,
            note,
            error,
        } => place(
            *rating_id,
            &|item| {
                item.step_note = note.clone();
                item.step_error = Some(error.clone());
            },
            error,
        ),
        Draft::Appeal {
            rating_id,
            evidence,
            error,
        } => place(
            *rating_id,
            &|item| {
                item.appeal_draft = evidence.clone();
                item.appeal_error = Some(error.clone());
            },
            error,
        ),
        Draft::BadRatingReply {
            rating_id,
            body,
            error,
        } => place(
            *rating_id,
            &|item| {
                item.reply_draft = body.clone();
                item.reply_error = Some(error.clone());
            },
            error,
        ),
        _ => {}
    }
    Ok(BadRatingsPanel {
        t,
        staff,
        items,
        appeals: appeals
            .items
            .iter()
            .map(|appeal| appeal_shown(m, appeal))
            .collect(),
        error: unplaced,
        reply_max: crate::domain::venue_profile::REPLY_MAX_CHARS,
        note_max: TEXT_MAX_CHARS,
        evidence_max: EVIDENCE_MAX_CHARS,
        appeal_hint: t
            .appeal_hint
            .replace("{max}", &EVIDENCE_MAX_CHARS.to_string()),
    })
}

/// The venue and rating of a bad-rating form's address, the venue checked
/// to be in the caller's scope first (404 otherwise).
async fn venue_and_rating(
    signed_in: &SignedIn,
    state: &AppState,
    path: (String, String),
) -> Result<(VenueId, RatingId), PageError> {
    let (venue_raw, rating_raw) = path;
    let venue_id = parse_id(&venue_raw).map_err(|e| signed_in.fail(e))?;
    let rating_id = parse_id::<RatingId>(&rating_raw).map_err(|e| signed_in.fail(e))?;
    venue_in_scope(state, &signed_in.caller.principal, venue_id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    Ok((venue_id, rating_id))
}

/// Back to the rating in the section, with a notice.
fn back_to(
    signed_in: &SignedIn,
    venue_id: VenueId,
    rating_id: RatingId,
    notice: Notice,
) -> HttpResponse {
    let pairs = [("notice", notice.key().to_owned())];
    see_other(&venue_href(
        venue_id,
        signed_in.lang,
        &pairs,
        &format!("bad-rating-{rating_id}"),
    ))
}

/// The fields of the step form.
#[derive(Debug, Default, Deserialize)]
struct StepForm {
    step: Option<String>,
    note: Option<String>,
}

/// `POST /dashboard/venues/{id}/bad-ratings/{rating_id}`: the venue's step
/// on a bad rating of this venue (`verified`, then `fixed` with what was
/// fixed); a refused step shows the page again with the note as typed.
pub async fn submit_step(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form: StepForm = signed_in.form(&body)?;
    let (venue_id, rating_id) = venue_and_rating(&signed_in, &state, path.into_inner()).await?;
    let note = form.note.unwrap_or_default();
    let request = BadRatingStep {
        step: form.step.unwrap_or_default(),
        note: Some(note.clone()).filter(|n| !n.trim().is_empty()),
    };
    match bad_ratings::step(
        &state,
        &signed_in.caller,
        (rating_id, Some(venue_id)),
        &request,
    )
    .await
    {
        Ok(()) => Ok(back_to(
            &signed_in,
            venue_id,
            rating_id,
            Notice::BadRatingStepped,
        )),
        Err(err) => {
            let error =
                refusal_text(signed_in.messages(), &err).ok_or_else(|| signed_in.fail(err))?;
            let draft = Draft::BadRatingStep {
                rating_id,
                note,
                error,
            };
            let filter = (CommentFilter::default(), FIRST_COMMENTS);
            refused_page(&signed_in, &state, venue_id, filter, draft).await
        }
    }
}

/// The fields of the appeal form.
#[derive(Debug, Default, Deserialize)]
struct AppealForm {
    evidence: Option<String>,
}

/// `POST /dashboard/venues/{id}/appeals/{rating_id}`: the venue appeals a
/// rating of this venue it believes malicious, with its evidence; a refused
/// appeal shows the page again with the evidence as typed.
pub async fn submit_appeal(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form: AppealForm = signed_in.form(&body)?;
    let (venue_id, rating_id) = venue_and_rating(&signed_in, &state, path.into_inner()).await?;
    let evidence = form.evidence.unwrap_or_default();
    let request = AppealRequest {
        evidence: evidence.clone(),
    };
    match appeals::file(
        &state,
        &signed_in.caller,
        (rating_id, Some(venue_id)),
        &request,
    )
    .await
    {
        Ok(_) => Ok(back_to(
            &signed_in,
            venue_id,
            rating_id,
            Notice::AppealFiled,
        )),
        Err(err) => {
            let error =
                refusal_text(signed_in.messages(), &err).ok_or_else(|| signed_in.fail(err))?;
            let draft = Draft::Appeal {
                rating_id,
                evidence,
                error,
            };
            let filter = (CommentFilter::default(), FIRST_COMMENTS);
            refused_page(&signed_in, &state, venue_id, filter, draft).await
        }
    }
}
