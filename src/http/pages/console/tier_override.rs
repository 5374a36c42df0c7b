//! The tier override panel of a venue's console page (regulators'
//! requirements clause A.20): the override in force with who set it, why and
//! until when, the form that sets one and the form that ends it early.
//!
//! Both forms check the session's form token, then call the same use-case
//! as the JSON routes (`app::tier_overrides`, which writes the audit row in
//! the change's transaction) and answer 303 back to the venue's page with a
//! notice. A refusal shows the venue page again (422) with what was typed
//! and each message beside its field, in the page's language; nothing is
//! stored.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::app::paging::Paging;
use crate::app::path_ids::parse_id;
use crate::app::supervision::parse_paging;
use crate::app::tier_overrides::{self, TierOverrideBody};
use crate::app::{AppError, Kind};
use crate::domain::credit::Tier;
use crate::domain::ids::VenueId;
use crate::domain::tier_override::{
    NewTierOverride, OverrideField, REASON_MAX_CHARS, TierOverrideError, latest_end, parse_reason,
};
use crate::http::AppState;
use crate::http::auth::signed_in::{PageError, SignedIn};
use crate::http::html::{href, local_time};
use crate::http::pages::notice::Notice;
use crate::http::pages::public::tier_view;
use crate::i18n::Messages;
use crate::store::audit::AuditNames;
use crate::store::console::RatingFilter;

use super::audit::actor_text;
use super::venue::{ViolationDraft, venue_document};
use super::view::Names;

/// The anchor of the panel on the venue page.
const PANEL: &str = "tier-override-panel";

/// What was typed into the panel's forms, and why it was refused.
#[derive(Debug, Clone, Default)]
pub(in crate::http::pages::console) struct TierOverrideDraft {
    /// The tier letter, as chosen.
    pub tier: String,
    /// The reason, as typed.
    pub reason: String,
    /// The end date, as typed.
    pub ends_on: String,
    /// The early end's reason, as typed.
    pub end_reason: String,
    /// Beside the tier.
    pub tier_error: Option<String>,
    /// Beside the reason.
    pub reason_error: Option<String>,
    /// Beside the end date.
    pub ends_on_error: Option<String>,
    /// Beside the early end's reason.
    pub end_reason_error: Option<String>,
    /// Of no one field (another override came first, none is in force).
    pub general_error: Option<String>,
}

impl TierOverrideDraft {
    /// Whether the set form was refused.
    pub fn set_refused(&self) -> bool {
        self.tier_error.is_some() || self.reason_error.is_some() || self.ends_on_error.is_some()
    }
}

/// One choice of the tier picker.
pub(in crate::http::pages::console) struct TierChoice {
    /// The letter, the value posted.
    pub letter: &'static str,
    /// The letter with the tier's name.
    pub label: String,
    /// Whether it is chosen.
    pub selected: bool,
}

/// The override in force, as the panel tells it.
pub(in crate::http::pages::console) struct CurrentOverride {
    /// The tier letter.
    pub tier: &'static str,
    /// Who set it, when and until when, in a sentence.
    pub statement: String,
    /// Why.
    pub reason: String,
}

/// The panel, ready for the template.
pub(in crate::http::pages::console) struct TierOverridePanel {
    /// The override in force, if any.
    pub current: Option<CurrentOverride>,
    /// Where the set form posts.
    pub set_action: String,
    /// Where the end form posts.
    pub end_action: String,
    /// The session's form token.
    pub csrf_token: String,
    /// The tier picker.
    pub tiers: Vec<TierChoice>,
    /// The earliest end date (tomorrow).
    pub min_ends_on: String,
    /// The latest end date.
    pub max_ends_on: String,
    /// The longest reason, in characters.
    pub reason_max: usize,
    /// What was typed, with the messages beside the fields.
    pub draft: TierOverrideDraft,
}

/// The panel of a venue's page, as of `today`, its forms holding `draft`.
pub(in crate::http::pages::console) fn panel(
    signed_in: &SignedIn,
    names: &Names,
    venue_id: VenueId,
    (overrides, people): (&[TierOverrideBody], &AuditNames),
    today: NaiveDate,
    draft: TierOverrideDraft,
) -> TierOverridePanel {
    let m = names.m;
    let t = &m.tier_override;
    let current = overrides
        .iter()
        .find(|o| o.in_force)
        .map(|o| CurrentOverride {
            tier: o.tier.letter(),
            statement: t
                .current
                .replace("{tier}", o.tier.letter())
                .replace("{who}", &actor_text(&m.audit, people, &o.set_by))
                .replace("{time}", &local_time(o.set_at))
                .replace("{ends_on}", &o.ends_on.to_string()),
            reason: o.reason.clone(),
        });
    let venue_path = format!("/console/venues/{venue_id}");
    TierOverridePanel {
        current,
        set_action: names.href(&format!("{venue_path}/tier-override"), &[]),
        end_action: names.href(&format!("{venue_path}/tier-override/end"), &[]),
        csrf_token: signed_in.session.csrf_token.clone(),
        tiers: [Tier::A, Tier::B, Tier::C, Tier::D]
            .into_iter()
            .map(|tier| TierChoice {
                letter: tier.letter(),
                label: format!("{} · {}", tier.letter(), tier_name(m, tier)),
                selected: draft.tier == tier.letter(),
            })
            .collect(),
        min_ends_on: today.succ_opt().unwrap_or(today).to_string(),
        max_ends_on: latest_end(today).to_string(),
        reason_max: REASON_MAX_CHARS,
        draft,
    }
}

fn tier_name(m: &'static Messages, tier: Tier) -> &'static str {
    tier_view(m, Some(tier.letter())).map_or("", |view| view.name)
}

/// Text in the history's source column: the rules, or who overrode, why and until when.
pub(in crate::http::pages::console) fn source_text(
    m: &Messages,
    people: &AuditNames,
    overrides: &[TierOverrideBody],
    override_id: Option<i64>,
) -> String {
    let t = &m.tier_override;
    match override_id.and_then(|id| overrides.iter().find(|o| o.id == id)) {
        Some(o) => t
            .source_override
            .replace("{who}", &actor_text(&m.audit, people, &o.set_by))
            .replace("{ends_on}", &o.ends_on.to_string())
            .replace("{reason}", &o.reason),
        None if override_id.is_some() => t.source_override_unknown.clone(),
        None => t.source_rules.clone(),
    }
}

/// Fields of the set form.
#[derive(Debug, Default, Deserialize)]
struct SetForm {
    tier: Option<String>,
    reason: Option<String>,
    ends_on: Option<String>,
}

/// Fields of the end form.
#[derive(Debug, Default, Deserialize)]
struct EndForm {
    reason: Option<String>,
}

/// A refusal told in the page language; `None` for anything else (not
/// found, an outage), which gets its own page.
fn refusal_text(m: &Messages, err: &AppError) -> Option<String> {
    matches!(err.slug.kind(), Kind::Invalid | Kind::Conflict).then(|| m.problem(err).to_owned())
}

/// The venue page again with the panel's forms as typed (422).
async fn refused_page(
    signed_in: &SignedIn,
    state: &AppState,
    venue_id: VenueId,
    draft: TierOverrideDraft,
) -> Result<HttpResponse, PageError> {
    let paging: Paging = parse_paging("").map_err(|e| signed_in.fail(e))?;
    let body = venue_document(
        signed_in,
        state,
        venue_id,
        (&RatingFilter::default(), paging),
        (ViolationDraft::default(), draft),
    )
    .await?;
    Ok(signed_in.page_with_status(StatusCode::UNPROCESSABLE_ENTITY, body))
}

/// 303 to the venue's page, at the panel, with a notice.
fn back_to_panel(signed_in: &SignedIn, venue_id: VenueId, notice: Notice) -> HttpResponse {
    let location = format!(
        "{}#{PANEL}",
        href(
            &format!("/console/venues/{venue_id}"),
            &[notice.pair()],
            Some(signed_in.lang)
        )
    );
    signed_in.see_other(&location)
}

/// `POST /console/venues/{id}/tier-override`: sets the venue's tier by hand.
pub async fn set(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form: SetForm = signed_in.form(&body)?;
    let venue_id = parse_id(&path).map_err(|e| signed_in.fail(e))?;
    let m = signed_in.messages();
    let mut draft = TierOverrideDraft {
        tier: form.tier.clone().unwrap_or_default().trim().to_owned(),
        reason: form.reason.clone().unwrap_or_default(),
        ends_on: form.ends_on.clone().unwrap_or_default(),
        ..TierOverrideDraft::default()
    };
    let parsed = NewTierOverride::parse(
        &draft.tier,
        &draft.reason,
        &draft.ends_on,
        state.clock.today(),
    );
    let new = match parsed {
        Ok(new) => new,
        Err(faults) => {
            for fault in faults {
                let text = m.problem(&AppError::from(fault)).to_owned();
                let slot = match fault.field() {
                    OverrideField::Tier => &mut draft.tier_error,
                    OverrideField::Reason => &mut draft.reason_error,
                    OverrideField::EndsOn => &mut draft.ends_on_error,
                };
                slot.get_or_insert(text);
            }
            return refused_page(&signed_in, &state, venue_id, draft).await;
        }
    };
    match tier_overrides::set(&state, &signed_in.caller, venue_id, &new).await {
        Ok(_) => Ok(back_to_panel(&signed_in, venue_id, Notice::TierOverrideSet)),
        Err(err) => match refusal_text(m, &err) {
            Some(text) => {
                draft.general_error = Some(text);
                refused_page(&signed_in, &state, venue_id, draft).await
            }
            None => Err(signed_in.fail(err)),
        },
    }
}

/// `POST /console/venues/{id}/tier-override/end`: ends the override in force early.
pub async fn end(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form: EndForm = signed_in.form(&body)?;
    let venue_id = parse_id(&path).map_err(|e| signed_in.fail(e))?;
    let m = signed_in.messages();
    let mut draft = TierOverrideDraft {
        end_reason: form.reason.clone().unwrap_or_default(),
        ..TierOverrideDraft::default()
    };
    let reason = match parse_reason(&draft.end_reason) {
        Ok(reason) => reason,
        Err(fault) => {
            let fault: TierOverrideError = fault;
            draft.end_reason_error = Some(m.problem(&AppError::from(fault)).to_owned());
            return refused_page(&signed_in, &state, venue_id, draft).await;
        }
    };
    match tier_overrides::end(&state, &signed_in.caller, venue_id, &reason).await {
        Ok(_) => Ok(back_to_panel(
            &signed_in,
            venue_id,
            Notice::TierOverrideEnded,
        )),
        Err(err) => match refusal_text(m, &err) {
            Some(text) => {
                draft.general_error = Some(text);
                refused_page(&signed_in, &state, venue_id, draft).await
            }
            None => Err(signed_in.fail(err)),
        },
    }
}
