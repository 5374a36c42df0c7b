//! The venue dashboard, for the people who answer for a venue (and admins
//! and regulators, within their scope): the venue's measures, its comments
//! by day with a public reply to each, its complaint cases, its bad ratings
//! and appeals (`bad_ratings`), its credit list entries with the statement
//! form (`list_entries`) and credit repair (`repairs`), re-grading
//! (`regrade`), the demonstration-unit lists it is on with its deeds and
//! ambassador (`campaigns`), its QR code and posters, a new code, and what
//! it publishes (commitment, Chief Quality Officer).
//!
//! Forms post back here with the session's form token, call the same store
//! functions as the JSON routes in `api/venue_staff.rs`, and answer 303 back to
//! the dashboard with a notice. Refused input shows the venue page again
//! (422) with that form as filled in and the reason beside it; nothing is
//! stored.
//!
//! Past 500 lines: the venue list, the venue page and its forms share form reading, notices,
//! redirects and the page shown again for a refused form; the overview and the poster are split
//! out.

mod bad_ratings;
mod campaigns;
pub(crate) mod list_entries;
mod overview;
mod poster;
mod quality_officer;
mod regrade;
pub(crate) mod repairs;

use crate::domain::ids::{RatingId, VenueId};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::app::paging::Paging;
use crate::app::path_ids::parse_id;
use crate::app::supervision::venue_in_scope;
use crate::app::venue_profile::{self, CommentsPage, FIRST_COMMENTS, parse_page};
use crate::app::{AppError, Kind, Slug};
use crate::domain::access::Role;
use crate::domain::rating::Tag;
use crate::domain::venue_profile::{
    COMMITMENT_MAX_CHARS, CommitmentText, ProfileError, REPLY_MAX_CHARS, ReplyText,
};
use crate::http::AppState;
use crate::http::api::venues;
use crate::http::auth::signed_in::{AccountNav, PageError, PageProblem, SIGNED_IN_CSS, SignedIn};
use crate::http::html::{Chrome, href, render_document};
use crate::http::pages::confirm::{Confirmation, confirmation_page, is_confirmed};
use crate::http::pages::notice::Notice;
use crate::http::pages::public::Reference;
use crate::i18n::{Lang, Messages};
use crate::store::ScopeFilter;
use crate::store::dashboard::{self, CommentFilter};

pub use bad_ratings::{submit_appeal, submit_step as submit_bad_rating_step};
pub use campaigns::{
    submit_ambassador as submit_nomination_ambassador, submit_deeds as submit_nomination_deeds,
};
pub use list_entries::submit_statement as submit_list_statement;
pub use overview::{
    CommitmentPanel, MeasureLine, OfficerPanel, RankLine, TagLine, TierBadge, VenueOverview,
    VenuePanels, load_venue_overview, registration_label, venue_panels,
};
pub use poster::poster;
pub(crate) use quality_officer::refusal_text as refusal_text_of;
pub use quality_officer::{
    add_training as add_officer_training, ask_registration as ask_officer_registration,
    page as quality_officer_page, remove_training as remove_officer_training,
    submit as submit_quality_officer,
};
pub use regrade::submit as ask_regrade;
pub use repairs::{apply as apply_for_repair, evidence as repair_evidence};

/// Venues listed on `/dashboard` for admins and regulators.
const LIST_LIMIT: i64 = 50;

/// How a refusal names a field in the page language.
fn field_name<'a>(m: &'a Messages, field: &'a str) -> &'a str {
    let texts = &m.dashboard;
    match field {
        "body" => &texts.field_body,
        "text" => &texts.field_text,
        "name" => &texts.field_name,
        "position" => &texts.field_position,
        other => other,
    }
}

/// A refused input explained in the page language.
pub fn profile_error_text(m: &Messages, err: &ProfileError) -> String {
    let texts = &m.dashboard;
    match err {
        ProfileError::Empty { field } => texts.error_empty.replace("{field}", field_name(m, field)),
        ProfileError::TooLong { field, max } => texts
            .error_too_long
            .replace("{field}", field_name(m, field))
            .replace("{max}", &max.to_string()),
        ProfileError::ControlCharacter { field } => texts
            .error_control_character
            .replace("{field}", field_name(m, field)),
        ProfileError::BadDate => texts.error_bad_date.clone(),
        ProfileError::FutureDate => texts.error_future_date.clone(),
        ProfileError::UnknownStatus => texts.error_status.clone(),
    }
}

fn invalid(signed_in: &SignedIn, text: String) -> PageError {
    PageError::new(signed_in.lang, PageProblem::Invalid(text))
}

/// A use-case's refusal of the input, told in the page language; `None`
/// for anything else (not found, forbidden, an outage), which gets its own page.
fn refusal_text(m: &Messages, err: &AppError) -> Option<String> {
    if err.slug == Slug::NoComment {
        return Some(m.dashboard.error_no_comment.clone());
    }
    matches!(err.slug.kind(), Kind::Invalid | Kind::Conflict).then(|| m.problem(err).to_owned())
}

/// `/dashboard/venues/{id}` in a language, with more query pairs and an anchor.
fn venue_href(id: VenueId, lang: Lang, pairs: &[(&str, String)], anchor: &str) -> String {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    let mut target = href(&format!("/dashboard/venues/{id}"), &pairs, Some(lang));
    if !anchor.is_empty() {
        target.push('#');
        target.push_str(anchor);
    }
    target
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// One venue in the list.
struct VenueRow {
    href: String,
    name: String,
    region: String,
    category: String,
    score: String,
    tier: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard_index.html")]
struct IndexView {
    chrome: Chrome,
    nav: AccountNav,
    supervisor: bool,
    venues: Vec<VenueRow>,
    more: Option<String>,
}

/// `GET /dashboard`: the venues the signed-in person may open. Staff of one
/// venue go straight to it; admins and regulators are pointed to the console
/// and see the first venues of their scope.
pub async fn index(
    signed_in: SignedIn,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let lang = signed_in.lang;
    let m = signed_in.messages();
    let scope = signed_in.scope_filter(&state).await?;
    let (venues, total) = dashboard::venues_in_scope(&state.pool, &scope, LIST_LIMIT)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let supervisor = signed_in.role() != Role::VenueStaff;
    if let [only] = venues.as_slice()
        && !supervisor
        && total == 1
    {
        return Ok(see_other(&venue_href(only.id, lang, &[], "")));
    }
    let regions = state
        .reference
        .regions()
        .await
        .map_err(|e| signed_in.fail(e))?;
    let categories = state
        .reference
        .categories()
        .await
        .map_err(|e| signed_in.fail(e))?;
    let reference = Reference {
        regions: &regions,
        categories: &categories,
    };
    let rows = venues
        .iter()
        .map(|v| VenueRow {
            href: venue_href(v.id, lang, &[], ""),
            name: v.name.clone(),
            region: reference
                .region_name(lang, &v.region_code)
                .unwrap_or(&v.region_code)
                .to_owned(),
            category: reference
                .category_name(lang, &v.category)
                .unwrap_or(&v.category)
                .to_owned(),
            score: v.score_0_100.map_or_else(
                || crate::http::pages::public::NO_VALUE.to_owned(),
                crate::http::pages::public::score_text,
            ),
            tier: v.tier.map(|t| t.letter().to_owned()),
        })
        .collect::<Vec<_>>();
    let more = (total > rows.len() as i64).then(|| {
        m.dashboard
            .list_more
            .replace("{shown}", &rows.len().to_string())
            .replace("{total}", &total.to_string())
    });
    let view = IndexView {
        chrome: signed_in.chrome(m.dashboard.title.clone()),
        nav: signed_in.nav(),
        supervisor,
        venues: rows,
        more,
    };
    Ok(signed_in.page(render_document(&view)))
}

/// The query of the venue dashboard.
#[derive(Debug, Default, Deserialize)]
struct VenueQuery {
    page: Option<String>,
    unanswered: Option<String>,
    low: Option<String>,
}

/// A filter checkbox's value: ticked is anything but absent, empty or `0`.
fn ticked(raw: Option<&str>) -> bool {
    raw.map(str::trim)
        .is_some_and(|v| !v.is_empty() && v != "0")
}

/// The comment filter of a query or a posted reply form.
fn comment_filter(unanswered: Option<&str>, low: Option<&str>) -> CommentFilter {
    CommentFilter {
        unanswered_only: ticked(unanswered),
        low_only: ticked(low),
    }
}

/// The query pairs that keep `filter` across page links and redirects.
fn filter_pairs(filter: CommentFilter) -> Vec<(&'static str, String)> {
    let mut pairs = Vec::new();
    if filter.unanswered_only {
        pairs.push(("unanswered", "1".to_owned()));
    }
    if filter.low_only {
        pairs.push(("low", "1".to_owned()));
    }
    pairs
}

struct ReplyShown {
    label: String,
    body: String,
}

struct CommentShown {
    rating_id: RatingId,
    /// The reply box's label: reply, or change the reply.
    reply_summary: &'static str,
    /// What the reply box holds: the stored reply, or a refused draft.
    reply_draft: String,
    /// Why the reply typed in this box was refused; the box is then open.
    reply_error: Option<String>,
    stars: String,
    stars_sr: String,
    tags: Vec<&'static str>,
    text: String,
    reply: Option<ReplyShown>,
}

struct CommentDayShown {
    day: String,
    comments: Vec<CommentShown>,
}

/// A refused form as it was posted, with the reason: the venue page shows it
/// again in that form.
#[derive(Debug, Default)]
enum Draft {
    /// Nothing refused: every form holds what is stored.
    #[default]
    None,
    /// The reply to a comment.
    Reply {
        rating_id: RatingId,
        body: String,
        error: String,
    },
    /// The public answer to a bad rating, from its section.
    BadRatingReply {
        rating_id: RatingId,
        body: String,
        error: String,
    },
    /// A step on a bad rating.
    BadRatingStep {
        rating_id: RatingId,
        note: String,
        error: String,
    },
    /// An appeal of a rating.
    Appeal {
        rating_id: RatingId,
        evidence: String,
        error: String,
    },
    /// The commitment.
    Commitment { text: String, error: String },
    /// The venue's statement (陈述申辩) on a proposed credit list entry.
    Statement {
        entry_id: i64,
        text: String,
        error: String,
    },
    /// An application for credit repair of a listed entry.
    Repair {
        entry_id: i64,
        draft: repairs::RepairDraft,
    },
    /// The deeds or the ambassador of a unit on a demonstration-unit list.
    Nomination {
        campaign_id: i64,
        form: campaigns::NominationForm,
        draft: campaigns::NominationDraft,
    },
    /// A request to be graded again, refused.
    Regrade { error: String },
}

#[derive(Template)]
#[template(path = "dashboard_venue.html")]
struct VenueView {
    chrome: Chrome,
    nav: AccountNav,
    panels: VenuePanels,
    list_href: String,
    comment_days: Vec<CommentDayShown>,
    comments_total: String,
    filter: CommentFilter,
    /// The unfiltered list, offered while a filter is on.
    clear_filter_href: Option<String>,
    page: i64,
    pages: i64,
    page_of: String,
    prev_href: Option<String>,
    next_href: Option<String>,
    /// Why a reply was refused when its comment is not on this page.
    comments_error: Option<String>,
    reply_max: usize,
    reply_hint: String,
    commitment_text: String,
    commitment_error: Option<String>,
    commitment_max: usize,
    commitment_hint: String,
    cases_texts: &'static crate::i18n::CaseTexts,
    cases: Vec<CaseShown>,
    bad_ratings: bad_ratings::BadRatingsPanel,
    /// Proposed credit list entries (a notice at the top) and past ones.
    credit_lists: list_entries::CreditListPanel,
    /// Credit repair under the listed entries.
    repair: repairs::RepairPanel,
    /// The last grading and the request to be graded again.
    regrade: regrade::RegradePanel,
    /// The demonstration-unit lists the venue is on.
    demonstration: campaigns::DemonstrationPanel,
    /// How many of its ratings are held for review, never which.
    under_review: Option<String>,
}

/// A complaint case about the venue, as its staff see it in the list.
struct CaseShown {
    href: String,
    code: String,
    state: String,
    received: String,
    due: String,
    /// Accepted and waiting for the venue's answer.
    awaiting_answer: bool,
}

/// The complaint cases about a venue, newest due first, for its dashboard.
async fn venue_cases(
    signed_in: &SignedIn,
    state: &AppState,
    id: VenueId,
) -> Result<Vec<CaseShown>, PageError> {
    let query = crate::app::cases::CaseQuery {
        venue_id: Some(id.to_string()),
        ..Default::default()
    };
    let list = crate::app::cases::list(state, &signed_in.caller, &query)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let c = &signed_in.messages().cases;
    Ok(list
        .items
        .iter()
        .map(|case| CaseShown {
            href: format!(
                "/console/complaints/{}?lang={}",
                case.id,
                signed_in.lang.tag()
            ),
            code: case.tracking_code.clone(),
            state: c.state(case.state).to_owned(),
            received: crate::http::html::local_time(case.received_at),
            due: case
                .due_at
                .map(crate::http::html::local_time)
                .unwrap_or_default(),
            awaiting_answer: case.state == crate::domain::complaint::CaseState::Accepted,
        })
        .collect())
}

fn comment_days(m: &'static Messages, comments: &CommentsPage) -> Vec<CommentDayShown> {
    comments
        .days
        .iter()
        .map(|day| CommentDayShown {
            day: day.day.to_string(),
            comments: day
                .comments
                .iter()
                .map(|c| CommentShown {
                    rating_id: c.rating_id,
                    reply_summary: if c.reply.is_some() {
                        &m.dashboard.reply_edit
                    } else {
                        &m.dashboard.reply_open
                    },
                    stars: format!("{}★", c.overall),
                    stars_sr: m.rating.stars_sr.replace("{n}", &c.overall.to_string()),
                    tags: c
                        .tags
                        .iter()
                        .filter_map(|key| Tag::parse(key).ok())
                        .map(|tag| m.tag_label(tag))
                        .collect(),
                    reply_draft: c.reply.as_ref().map(|r| r.body.clone()).unwrap_or_default(),
                    reply_error: None,
                    text: c.comment.clone(),
                    reply: c.reply.as_ref().map(|r| ReplyShown {
                        label: m
                            .dashboard
                            .reply_existing
                            .replace("{day}", &r.replied_on.to_string()),
                        body: r.body.clone(),
                    }),
                })
                .collect(),
        })
        .collect()
}

/// A venue in the caller's scope and its panels as signed-in pages show
/// them (404 outside the scope): the dashboard's and the console's venue pages.
pub async fn load_panels(
    signed_in: &SignedIn,
    state: &AppState,
    scope: &ScopeFilter,
    venue_id: VenueId,
) -> Result<(VenueOverview, VenuePanels), PageError> {
    let overview = load_venue_overview(state, scope, venue_id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let regions = state
        .reference
        .regions()
        .await
        .map_err(|e| signed_in.fail(e))?;
    let categories = state
        .reference
        .categories()
        .await
        .map_err(|e| signed_in.fail(e))?;
    let reference = Reference {
        regions: &regions,
        categories: &categories,
    };
    let panels = venue_panels(signed_in.lang, &overview, &reference, state.scores.params());
    Ok((overview, panels))
}

/// `GET /dashboard/venues/{id}`: one venue's dashboard.
pub async fn venue(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let m = signed_in.messages();
    let id = parse_id(&path).map_err(|e| signed_in.fail(e))?;
    // A garbled query is read as no query: the page itself is still wanted.
    let query: VenueQuery = serde_html_form::from_str(req.query_string()).unwrap_or_default();
    let page = parse_page(query.page.as_deref())
        .map_err(|_| invalid(&signed_in, m.dashboard.error_bad_page.clone()))?;
    let filter = comment_filter(query.unanswered.as_deref(), query.low.as_deref());
    let body = venue_document(&signed_in, &state, id, filter, page, Draft::None).await?;
    Ok(signed_in.page(body))
}

/// The venue page again after a refused form, `draft` in that form (422).
async fn refused_page(
    signed_in: &SignedIn,
    state: &AppState,
    id: VenueId,
    (filter, page): (CommentFilter, Paging),
    draft: Draft,
) -> Result<HttpResponse, PageError> {
    let body = venue_document(signed_in, state, id, filter, page, draft).await?;
    Ok(signed_in.page_with_status(StatusCode::UNPROCESSABLE_ENTITY, body))
}

/// The venue dashboard at a page of its comments, its forms holding what is
/// stored or, for a refused form, `draft`.
async fn venue_document(
    signed_in: &SignedIn,
    state: &AppState,
    id: VenueId,
    filter: CommentFilter,
    page: Paging,
    draft: Draft,
) -> Result<String, PageError> {
    let lang = signed_in.lang;
    let m = signed_in.messages();
    let scope = signed_in.scope_filter(state).await?;
    let (overview, panels) = load_panels(signed_in, state, &scope, id).await?;
    let comments = venue_profile::comments(state, id, &scope, filter, page)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let page_link = |p: i64| {
        let mut pairs = filter_pairs(filter);
        pairs.push(("page", p.to_string()));
        venue_href(id, lang, &pairs, "comments")
    };
    let comments_total = if filter.is_active() {
        &m.dashboard.comments_matching
    } else {
        &m.dashboard.comments_total
    };
    let mut commitment_text = overview
        .commitment
        .as_ref()
        .map(|c| c.text.clone())
        .unwrap_or_default();
    let bad_ratings = bad_ratings::panel(signed_in, state, id, &draft).await?;
    let credit_lists = list_entries::panel(signed_in, state, id, &draft).await?;
    let repair = repairs::panel(signed_in, state, id, &draft).await?;
    let regrade = regrade::panel(signed_in, state, id, &draft).await?;
    let demonstration = campaigns::panel(signed_in, state, id, &draft).await?;
    let held = crate::app::integrity::under_review(state, id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let under_review =
        (held > 0).then(|| m.integrity.under_review.replace("{n}", &held.to_string()));
    let mut days = comment_days(m, &comments);
    let (mut comments_error, mut commitment_error) = (None, None);
    // The language switch of a refused form leads to the venue page, not the
    // address the form was posted to.
    let mut anchor = "";
    match draft {
        Draft::None => {}
        Draft::Reply {
            rating_id,
            body,
            error,
        } => {
            let shown = days
                .iter_mut()
                .flat_map(|day| day.comments.iter_mut())
                .find(|c| c.rating_id == rating_id);
            match shown {
                Some(comment) => {
                    comment.reply_draft = body;
                    comment.reply_error = Some(error);
                }
                None => comments_error = Some(error),
            }
            anchor = "comments";
        }
        Draft::BadRatingReply { .. } | Draft::BadRatingStep { .. } | Draft::Appeal { .. } => {
            anchor = "bad-ratings";
        }
        Draft::Statement { .. } => anchor = "list-notices",
        Draft::Repair { .. } => anchor = "credit-lists",
        Draft::Nomination { .. } => anchor = "demonstration",
        Draft::Regrade { .. } => anchor = "regrade",
        Draft::Commitment { text, error } => {
            commitment_text = text;
            commitment_error = Some(error);
            anchor = "commitment";
        }
    }
    let title = format!("{} · {}", overview.venue.name, m.dashboard.title);
    let chrome = if anchor.is_empty() {
        signed_in.chrome(title)
    } else {
        let mut chrome = Chrome::with_switch(lang, title, |other| {
            venue_href(id, other, &filter_pairs(filter), anchor)
        });
        chrome.css = SIGNED_IN_CSS;
        chrome
    };
    let view = VenueView {
        chrome,
        nav: signed_in.nav(),
        list_href: format!("/dashboard?lang={}", lang.tag()),
        comment_days: days,
        comments_total: comments_total.replace("{total}", &comments.total.to_string()),
        filter,
        clear_filter_href: filter
            .is_active()
            .then(|| venue_href(id, lang, &[], "comments")),
        page: comments.page,
        pages: comments.pages,
        page_of: m
            .rankings_page
            .page_of
            .replace("{page}", &comments.page.to_string())
            .replace("{pages}", &comments.pages.to_string()),
        prev_href: (comments.page > 1).then(|| page_link(comments.page - 1)),
        next_href: (comments.page < comments.pages).then(|| page_link(comments.page + 1)),
        comments_error,
        reply_max: REPLY_MAX_CHARS,
        reply_hint: m
            .dashboard
            .reply_hint
            .replace("{max}", &REPLY_MAX_CHARS.to_string()),
        commitment_text,
        commitment_error,
        commitment_max: COMMITMENT_MAX_CHARS,
        commitment_hint: m
            .dashboard
            .commitment_hint
            .replace("{max}", &COMMITMENT_MAX_CHARS.to_string()),
        panels,
        cases_texts: &m.cases,
        cases: venue_cases(signed_in, state, id).await?,
        bad_ratings,
        credit_lists,
        repair,
        regrade,
        demonstration,
        under_review,
    };
    Ok(render_document(&view))
}

/// The fields of the reply form.
#[derive(Debug, Default, Deserialize)]
struct ReplyForm {
    body: Option<String>,
    page: Option<String>,
    unanswered: Option<String>,
    low: Option<String>,
    /// `bad-ratings` when sent from the bad-ratings section, which it then
    /// goes back to.
    section: Option<String>,
}

/// `POST /dashboard/venues/{id}/replies/{rating_id}`: publishes (or replaces)
/// the reply to a comment of this venue; a refused one shows the page again
/// with the reply as typed.
pub async fn submit_reply(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form: ReplyForm = signed_in.form(&body)?;
    let m = signed_in.messages();
    let (venue_raw, rating_raw) = path.into_inner();
    let venue_id = parse_id(&venue_raw).map_err(|e| signed_in.fail(e))?;
    let rating_id = parse_id::<RatingId>(&rating_raw).map_err(|e| signed_in.fail(e))?;
    let filter = comment_filter(form.unanswered.as_deref(), form.low.as_deref());
    let page = parse_page(form.page.as_deref()).unwrap_or(FIRST_COMMENTS);
    let typed = form.body.clone().unwrap_or_default();
    let outcome = match ReplyText::parse(&typed) {
        Ok(text) => {
            match venue_profile::reply(&state, &signed_in.caller, rating_id, Some(venue_id), &text)
                .await
            {
                Ok(_) => Ok(()),
                Err(err) => Err(refusal_text(m, &err).ok_or_else(|| signed_in.fail(err))?),
            }
        }
        Err(e) => Err(profile_error_text(m, &e)),
    };
    let from_bad_ratings = form.section.as_deref() == Some("bad-ratings");
    if let Err(error) = outcome {
        let draft = if from_bad_ratings {
            Draft::BadRatingReply {
                rating_id,
                body: typed,
                error,
            }
        } else {
            Draft::Reply {
                rating_id,
                body: typed,
                error,
            }
        };
        return refused_page(&signed_in, &state, venue_id, (filter, page), draft).await;
    }
    if from_bad_ratings {
        let pairs = [("notice", Notice::ReplySaved.key().to_owned())];
        let anchor = format!("bad-rating-{rating_id}");
        return Ok(see_other(&venue_href(
            venue_id,
            signed_in.lang,
            &pairs,
            &anchor,
        )));
    }
    let mut pairs = vec![("notice", Notice::ReplySaved.key().to_owned())];
    pairs.extend(filter_pairs(filter));
    if page.page > 1 {
        pairs.push(("page", page.page.to_string()));
    }
    let anchor = format!("rating-{rating_id}");
    Ok(see_other(&venue_href(
        venue_id,
        signed_in.lang,
        &pairs,
        &anchor,
    )))
}

/// The fields of the commitment form.
#[derive(Debug, Default, Deserialize)]
struct CommitmentForm {
    text: Option<String>,
}

/// `POST /dashboard/venues/{id}/commitment`: publishes the commitment; a
/// refused one shows the page again with the text as typed.
pub async fn submit_commitment(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form: CommitmentForm = signed_in.form(&body)?;
    let m = signed_in.messages();
    let id = parse_id(&path).map_err(|e| signed_in.fail(e))?;
    let typed = form.text.unwrap_or_default();
    let outcome = match CommitmentText::parse(&typed) {
        Ok(text) => match venue_profile::commitment(&state, &signed_in.caller, id, &text).await {
            Ok(_) => Ok(()),
            Err(err) => Err(refusal_text(m, &err).ok_or_else(|| signed_in.fail(err))?),
        },
        Err(e) => Err(profile_error_text(m, &e)),
    };
    if let Err(error) = outcome {
        let draft = Draft::Commitment { text: typed, error };
        return refused_page(
            &signed_in,
            &state,
            id,
            (CommentFilter::default(), FIRST_COMMENTS),
            draft,
        )
        .await;
    }
    let pairs = [("notice", Notice::CommitmentSaved.key().to_owned())];
    Ok(see_other(&venue_href(
        id,
        signed_in.lang,
        &pairs,
        "commitment",
    )))
}

/// The fields of the reissue form.
#[derive(Debug, Default, Deserialize)]
struct ReissueForm {
    /// `yes` once the person confirmed on the confirmation page.
    confirmed: Option<String>,
}

/// `POST /dashboard/venues/{id}/code`: asks to confirm, naming the venue and
/// the code whose posters stop working, then replaces the venue's code.
pub async fn submit_reissue(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form: ReissueForm = signed_in.form(&body)?;
    let id = parse_id(&path).map_err(|e| signed_in.fail(e))?;
    if !is_confirmed(form.confirmed.as_deref()) {
        let venue = venue_in_scope(&state, &signed_in.caller.principal, id)
            .await
            .map_err(|e| signed_in.fail(e))?;
        let t = &signed_in.messages().confirm;
        let confirmation = Confirmation::new(
            t.reissue_title.clone(),
            t.reissue_body
                .replace("{venue}", &venue.name)
                .replace("{code}", &venue.code),
            href(
                &format!("/dashboard/venues/{id}/code"),
                &[],
                Some(signed_in.lang),
            ),
            t.reissue_submit.clone(),
            venue_href(id, signed_in.lang, &[], "reissue"),
        );
        return Ok(confirmation_page(&signed_in, confirmation));
    }
    venues::reissue(&state, &signed_in.caller, id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let pairs = [("notice", Notice::CodeReissued.key().to_owned())];
    Ok(see_other(&venue_href(id, signed_in.lang, &pairs, "qr")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::messages;

    #[test]
    fn refusals_are_explained_in_both_languages() {
        let err = ProfileError::TooLong {
            field: "body",
            max: REPLY_MAX_CHARS,
        };
        assert_eq!(
            profile_error_text(messages(Lang::En), &err),
            "The reply may hold at most 500 characters."
        );
        assert_eq!(
            profile_error_text(messages(Lang::Zh), &err),
            "回复内容不能超过 500 个字。"
        );
        let empty = ProfileError::Empty { field: "position" };
        assert_eq!(
            profile_error_text(messages(Lang::Zh), &empty),
            "职务不能为空。"
        );
    }

    #[test]
    fn dashboard_texts_have_their_placeholders() {
        for lang in Lang::ALL {
            let t = &messages(lang).dashboard;
            for (text, placeholder) in [
                (&t.list_more, "{shown}"),
                (&t.list_more, "{total}"),
                (&t.comments_total, "{total}"),
                (&t.reply_existing, "{day}"),
                (&t.reply_hint, "{max}"),
                (&t.qr_alt, "{name}"),
                (&t.commitment_hint, "{max}"),
                (&t.commitment_published, "{date}"),
                (&t.commitment_published, "{updated}"),
                (&t.error_empty, "{field}"),
                (&t.error_too_long, "{field}"),
                (&t.error_too_long, "{max}"),
                (&t.error_control_character, "{field}"),
                (&t.poster_hint, "{size}"),
                (&t.public_commitment_since, "{date}"),
                (&t.public_officer, "{name}"),
                (&t.public_officer, "{position}"),
            ] {
                assert!(
                    text.contains(placeholder),
                    "{lang:?}: {text:?} lacks {placeholder}"
                );
            }
        }
    }

    #[test]
    fn venue_links_keep_the_language_and_anchor() {
        assert_eq!(
            venue_href(
                VenueId::new(7),
                Lang::En,
                &[("notice", "reply".into())],
                "rating-3"
            ),
            "/dashboard/venues/7?notice=reply&lang=en#rating-3"
        );
        assert_eq!(
            venue_href(VenueId::new(7), Lang::Zh, &[], ""),
            "/dashboard/venues/7?lang=zh-CN"
        );
    }
}
