//! Re-grading on the venue dashboard (clause 22): the venue's last grading,
//! the first day it may ask to be graded again (three months later), and
//! for its staff from that day the button that asks. The button posts to
//! the JSON route's use-case (`app::credit_repairs::regrade`); a refusal
//! (asked again too soon, say from a second tab) shows the dashboard again
//! with the day it may ask from.

use actix_web::{HttpResponse, web};

use super::repairs::problem_text;
use super::{Draft, refused_page, see_other, venue_href};
use crate::app::Kind;
use crate::app::credit_repairs;
use crate::app::path_ids::parse_id;
use crate::app::venue_profile::FIRST_COMMENTS;
use crate::domain::access::Role;
use crate::domain::ids::VenueId;
use crate::http::AppState;
use crate::http::auth::signed_in::{PageError, SignedIn};
use crate::http::html::href;
use crate::http::pages::notice::Notice;
use crate::i18n::CreditRepairTexts;
use crate::store::dashboard::CommentFilter;

/// The dashboard's re-grading part.
pub(super) struct RegradePanel {
    pub t: &'static CreditRepairTexts,
    /// The last grading in a line.
    pub last: String,
    /// The first day it may ask, while that is still ahead.
    pub from: Option<String>,
    /// Where the button posts, for the venue's staff on a day they may ask.
    pub action: Option<String>,
    pub csrf_token: String,
    /// Why the last press was refused.
    pub error: Option<String>,
}

/// The part of venue `id`; `error` is a refusal just met.
pub(super) async fn panel(
    signed_in: &SignedIn,
    state: &AppState,
    id: VenueId,
    draft: &Draft,
) -> Result<RegradePanel, PageError> {
    let t = &signed_in.messages().credit_repair;
    let status = credit_repairs::regrade_status(state, &signed_in.caller, id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let staff = signed_in.role() == Role::VenueStaff;
    Ok(RegradePanel {
        t,
        last: status.last_graded_on.map_or_else(
            || t.regrade_never.clone(),
            |day| t.regrade_last.replace("{day}", &day.to_string()),
        ),
        from: status
            .earliest
            .filter(|_| !status.may_ask)
            .map(|day| t.regrade_from.replace("{day}", &day.to_string())),
        action: (staff && status.may_ask).then(|| {
            href(
                &format!("/dashboard/venues/{id}/regrade"),
                &[],
                Some(signed_in.lang),
            )
        }),
        csrf_token: signed_in.session.csrf_token.clone(),
        error: match draft {
            Draft::Regrade { error } => Some(error.clone()),
            _ => None,
        },
    })
}

/// `POST /dashboard/venues/{id}/regrade`: the venue's staff ask for the
/// credit tier to be graded again.
pub async fn submit(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    // The form holds its token only.
    signed_in.form::<()>(&body)?;
    let id: VenueId = parse_id(&path).map_err(|e| signed_in.fail(e))?;
    match credit_repairs::regrade(&state, &signed_in.caller, id).await {
        Ok(_) => {
            let pairs = [("notice", Notice::RegradeRequested.key().to_owned())];
            Ok(see_other(&venue_href(
                id,
                signed_in.lang,
                &pairs,
                "regrade",
            )))
        }
        Err(err) if err.slug.kind() == Kind::Conflict => {
            let error = problem_text(signed_in.messages(), &err);
            let filter = (CommentFilter::default(), FIRST_COMMENTS);
            refused_page(&signed_in, &state, id, filter, Draft::Regrade { error }).await
        }
        Err(err) => Err(signed_in.fail(err)),
    }
}
