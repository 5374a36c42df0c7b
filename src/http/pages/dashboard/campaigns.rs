//! The demonstration units on the venue dashboard (微笑新疆 示范单位推荐,
//! regulators' requirements section C): the campaigns whose county lists
//! the venue is on, the list's state and the award, and two forms the
//! county's forms are filled from: the unit's deeds (主要事迹, 附件2) and its
//! one service ambassador (形象大使, 附件3).
//!
//! The forms call the JSON routes' use-cases (`app::campaigns`) and stay
//! open until the campaign is awarded, which makes them final. A refusal
//! shows the dashboard again (422) with what was typed and each message
//! beside its field; nothing is stored.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::{Draft, refused_page, see_other, venue_href};
use crate::app::campaigns::{self, AmbassadorRequest, VenueNominationBody};
use crate::app::path_ids::{parse_campaign_id, parse_id};
use crate::app::venue_profile::FIRST_COMMENTS;
use crate::app::{AppError, Kind};
use crate::domain::campaign::{self as rules, Ambassador, CampaignError};
use crate::domain::ids::VenueId;
use crate::http::AppState;
use crate::http::auth::signed_in::{PageError, SignedIn};
use crate::http::html::href;
use crate::http::pages::notice::Notice;
use crate::i18n::{DemonstrationTexts, Messages};
use crate::store::dashboard::CommentFilter;

/// What a form holds: the fields as typed and the messages beside them.
#[derive(Debug, Clone, Default)]
pub(super) struct NominationDraft {
    pub deeds: String,
    pub name: String,
    pub post: String,
    pub phone: String,
    pub address: String,
    pub ambassador_deeds: String,
    /// Messages by field (`deeds`, `name`, `post`, `phone`, `address`,
    /// `ambassador_deeds`).
    pub errors: Vec<(&'static str, String)>,
    /// A message of no one field.
    pub general: Option<String>,
}

impl NominationDraft {
    /// The message beside `field`, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, e)| e.as_str())
    }

    /// The forms holding what is stored.
    fn stored(n: &VenueNominationBody) -> Self {
        let ambassador = n.ambassador.as_ref();
        let text = |f: fn(&campaigns::AmbassadorBody) -> Option<&str>| {
            ambassador.and_then(f).unwrap_or_default().to_owned()
        };
        Self {
            deeds: n.deeds.clone().unwrap_or_default(),
            name: text(|a| Some(&a.name)),
            post: text(|a| Some(&a.post)),
            phone: text(|a| a.phone.as_deref()),
            address: text(|a| a.address.as_deref()),
            ambassador_deeds: text(|a| Some(&a.deeds)),
            ..Self::default()
        }
    }
}

/// Which of the two forms a refusal came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NominationForm {
    Deeds,
    Ambassador,
}

/// One campaign the venue is on the list of.
pub(super) struct NominationShown {
    pub campaign_id: i64,
    /// The campaign's name and year.
    pub campaign: String,
    /// The county list's state in a line.
    pub list_state: String,
    /// The county's deadline, while its list is still open.
    pub deadline: Option<String>,
    /// When it was awarded and how long the status holds.
    pub awarded: Option<String>,
    /// The ambassador as stored, in a line.
    pub ambassador_line: String,
    /// Whether the forms still take changes (not awarded).
    pub writable: bool,
    pub deeds_action: String,
    pub ambassador_action: String,
    /// What the forms hold, with a refusal's messages.
    pub draft: NominationDraft,
}

/// The dashboard's demonstration-unit part.
pub(super) struct DemonstrationPanel {
    pub t: &'static DemonstrationTexts,
    pub items: Vec<NominationShown>,
    pub csrf_token: String,
    pub deeds_min: usize,
    pub deeds_max: usize,
}

/// The part of venue `id`, with a refused form (in `draft`) as typed.
pub(super) async fn panel(
    signed_in: &SignedIn,
    state: &AppState,
    id: VenueId,
    draft: &Draft,
) -> Result<DemonstrationPanel, PageError> {
    let m = signed_in.messages();
    let t = &m.demonstration;
    let nominations = campaigns::for_venue(state, &signed_in.caller, id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let action = |campaign: i64, form: &str| {
        href(
            &format!("/dashboard/venues/{id}/campaigns/{campaign}/{form}"),
            &[],
            Some(signed_in.lang),
        )
    };
    let items = nominations
        .iter()
        .map(|n| {
            let draft = match draft {
                Draft::Nomination {
                    campaign_id,
                    form,
                    draft,
                } if *campaign_id == n.campaign_id => {
                    // The other form keeps what is stored.
                    let mut shown = NominationDraft::stored(n);
                    match form {
                        NominationForm::Deeds => shown.deeds = draft.deeds.clone(),
                        NominationForm::Ambassador => {
                            shown = NominationDraft {
                                deeds: shown.deeds,
                                ..draft.clone()
                            }
                        }
                    }
                    shown.errors.clone_from(&draft.errors);
                    shown.general.clone_from(&draft.general);
                    shown
                }
                _ => NominationDraft::stored(n),
            };
            let open = matches!(n.list_state.as_str(), "open" | "sent_back");
            NominationShown {
                campaign_id: n.campaign_id,
                campaign: t
                    .campaign_line
                    .replace("{name}", &n.campaign_name)
                    .replace("{year}", &n.year.to_string()),
                list_state: t
                    .list_line
                    .replace("{state}", m.campaigns.list_state(&n.list_state)),
                deadline: open.then(|| t.deadline_line.replace("{day}", &n.deadline.to_string())),
                awarded: n.awarded_on.map(|day| {
                    t.awarded_line.replace("{day}", &day.to_string()).replace(
                        "{until}",
                        &n.status_last_day.map(|d| d.to_string()).unwrap_or_default(),
                    )
                }),
                ambassador_line: n.ambassador.as_ref().map_or_else(
                    || t.ambassador_none.clone(),
                    |a| {
                        t.ambassador_current
                            .replace("{name}", &a.name)
                            .replace("{post}", &a.post)
                    },
                ),
                writable: n.awarded_on.is_none(),
                deeds_action: action(n.campaign_id, "deeds"),
                ambassador_action: action(n.campaign_id, "ambassador"),
                draft,
            }
        })
        .collect();
    Ok(DemonstrationPanel {
        t,
        items,
        csrf_token: signed_in.session.csrf_token.clone(),
        deeds_min: rules::DEEDS_MIN_CHARS,
        deeds_max: rules::DEEDS_MAX_CHARS,
    })
}

/// A refusal of a field in the page language.
fn fault_text(m: &Messages, err: &CampaignError) -> String {
    let t = &m.demonstration;
    match err {
        CampaignError::DeedsLength(_, count) => {
            t.error_deeds.replace("{count}", &count.to_string())
        }
        CampaignError::FieldLength(_, max) => t.error_length.replace("{max}", &max.to_string()),
        CampaignError::BadPhone => t.error_phone.clone(),
        other => m.problem(&AppError::from(other.clone())).to_owned(),
    }
}

/// The fields of the two forms (the deeds form sends `deeds` only).
#[derive(Debug, Default, Deserialize)]
struct NominationFields {
    deeds: Option<String>,
    name: Option<String>,
    post: Option<String>,
    phone: Option<String>,
    address: Option<String>,
    ambassador_deeds: Option<String>,
}

impl NominationFields {
    fn draft(&self) -> NominationDraft {
        let text = |f: &Option<String>| f.clone().unwrap_or_default();
        NominationDraft {
            deeds: text(&self.deeds),
            name: text(&self.name),
            post: text(&self.post),
            phone: text(&self.phone),
            address: text(&self.address),
            ambassador_deeds: text(&self.ambassador_deeds),
            ..NominationDraft::default()
        }
    }
}

/// Reads the two path ids (404 for ones that are not).
fn path_ids(signed_in: &SignedIn, path: (String, String)) -> Result<(VenueId, i64), PageError> {
    let venue_id: VenueId = parse_id(&path.0).map_err(|e| signed_in.fail(e))?;
    let campaign_id = parse_campaign_id(&path.1).map_err(|e| signed_in.fail(e))?;
    Ok((venue_id, campaign_id))
}

/// The dashboard after a form: back to the part with a notice, or again
/// with the form as typed and the refusal (422) for a refused input or a
/// conflict; anything else gets its own page.
async fn answer(
    signed_in: &SignedIn,
    state: &AppState,
    (venue_id, campaign_id): (VenueId, i64),
    (form, mut draft): (NominationForm, NominationDraft),
    outcome: Result<Notice, AppError>,
) -> Result<HttpResponse, PageError> {
    let err = match outcome {
        Ok(notice) => {
            let pairs = [("notice", notice.key().to_owned())];
            let anchor = format!("campaign-{campaign_id}");
            return Ok(see_other(&venue_href(
                venue_id,
                signed_in.lang,
                &pairs,
                &anchor,
            )));
        }
        Err(err) if matches!(err.slug.kind(), Kind::Invalid | Kind::Conflict) => err,
        Err(err) => return Err(signed_in.fail(err)),
    };
    draft.general = Some(signed_in.messages().problem(&err).to_owned());
    refuse(signed_in, state, (venue_id, campaign_id), (form, draft)).await
}

/// The dashboard again (422) with `form` holding `draft` and its messages.
async fn refuse(
    signed_in: &SignedIn,
    state: &AppState,
    (venue_id, campaign_id): (VenueId, i64),
    (form, draft): (NominationForm, NominationDraft),
) -> Result<HttpResponse, PageError> {
    let filter = (CommentFilter::default(), FIRST_COMMENTS);
    let draft = Draft::Nomination {
        campaign_id,
        form,
        draft,
    };
    refused_page(signed_in, state, venue_id, filter, draft).await
}

/// `POST /dashboard/venues/{id}/campaigns/{campaign_id}/deeds`: writes the
/// unit's 主要事迹 for the recommendation form (附件2).
pub async fn submit_deeds(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields: NominationFields = signed_in.form(&body)?;
    let ids = path_ids(&signed_in, path.into_inner())?;
    let mut draft = fields.draft();
    let typed = draft.deeds.clone();
    if let Err(err) = rules::parse_deeds("deeds", &typed) {
        draft
            .errors
            .push(("deeds", fault_text(signed_in.messages(), &err)));
        return refuse(&signed_in, &state, ids, (NominationForm::Deeds, draft)).await;
    }
    let outcome = campaigns::set_deeds(&state, &signed_in.caller, ids.1, ids.0, &typed)
        .await
        .map(|_| Notice::DeedsSaved);
    answer(
        &signed_in,
        &state,
        ids,
        (NominationForm::Deeds, draft),
        outcome,
    )
    .await
}

/// `POST /dashboard/venues/{id}/campaigns/{campaign_id}/ambassador`: names
/// the unit's service ambassador for the ambassador forms (附件3, 附件5).
pub async fn submit_ambassador(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields: NominationFields = signed_in.form(&body)?;
    let ids = path_ids(&signed_in, path.into_inner())?;
    let mut draft = fields.draft();
    let checked = Ambassador::check(
        &draft.name,
        &draft.post,
        Some(&draft.phone),
        Some(&draft.address),
        &draft.ambassador_deeds,
    );
    if let Err(faults) = checked {
        let m = signed_in.messages();
        for fault in &faults {
            // The ambassador's own deeds are `deeds` to the rules.
            let field = match fault.field() {
                "deeds" => "ambassador_deeds",
                other => other,
            };
            draft.errors.push((field, fault_text(m, fault)));
        }
        return refuse(&signed_in, &state, ids, (NominationForm::Ambassador, draft)).await;
    }
    let request = AmbassadorRequest {
        name: draft.name.clone(),
        post: draft.post.clone(),
        phone: Some(draft.phone.clone()),
        address: Some(draft.address.clone()),
        deeds: draft.ambassador_deeds.clone(),
    };
    let outcome = campaigns::set_ambassador(&state, &signed_in.caller, ids.1, ids.0, &request)
        .await
        .map(|_| Notice::AmbassadorSaved);
    answer(
        &signed_in,
        &state,
        ids,
        (NominationForm::Ambassador, draft),
        outcome,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, messages};

    #[test]
    fn faults_are_told_with_their_numbers() {
        for lang in Lang::ALL {
            let m = messages(lang);
            assert!(fault_text(m, &CampaignError::DeedsLength("deeds", 12)).contains("12"));
            assert!(fault_text(m, &CampaignError::FieldLength("name", 50)).contains("50"));
            assert!(!fault_text(m, &CampaignError::BadPhone).is_empty());
            let t = &m.demonstration;
            for (text, placeholder) in [
                (&t.campaign_line, "{name}"),
                (&t.campaign_line, "{year}"),
                (&t.deadline_line, "{day}"),
                (&t.awarded_line, "{day}"),
                (&t.awarded_line, "{until}"),
                (&t.ambassador_current, "{name}"),
                (&t.ambassador_current, "{post}"),
                (&t.list_line, "{state}"),
            ] {
                assert!(
                    text.contains(placeholder),
                    "{lang:?}: {text:?} lacks {placeholder}"
                );
            }
        }
    }
}
