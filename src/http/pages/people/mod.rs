//! Pages for managing who may act: the accounts a supervisor manages
//! ([`accounts`]) and the API tokens anyone signed in makes for themselves
//! ([`tokens`]). Each form goes through the same code path as its JSON
//! route; the form parsing, the region and venue pickers and the wording of
//! refusals are shared here. A refused form is shown again as it was
//! filled in, with the reason next to it.

use crate::domain::ids::VenueId;
use actix_web::http::StatusCode;
use serde::Deserialize;

use crate::app::{AppError, Slug};
use crate::domain::access::{Role, Scope};
use crate::domain::region::RegionTree;
use crate::http::AppState;
use crate::http::auth::signed_in::{PageError, SignedIn, role_name};
use crate::i18n::PeopleTexts;
use crate::store::venues::choices_in_scope;

pub mod accounts;
pub mod tokens;

/// The most venues a picker lists; a search by name finds the others.
const VENUES_OFFERED: i64 = 100;

/// A posted form's fields; every one arrives as text.
#[derive(Debug, Default, Deserialize)]
struct PeopleForm {
    login: Option<String>,
    display_name: Option<String>,
    name: Option<String>,
    role: Option<String>,
    region_code: Option<String>,
    /// Ticked venues, each an id (or several, separated by commas).
    #[serde(default)]
    venue_ids: Vec<String>,
    expires_in_days: Option<String>,
    /// The venue picker's search.
    venue_q: Option<String>,
    /// `search` when the form was sent to narrow the venue list, not to save.
    action: Option<String>,
    /// `yes` once the person confirmed on the confirmation page.
    confirmed: Option<String>,
}

impl PeopleForm {
    fn parse(signed: &SignedIn, body: &[u8]) -> Result<Self, PageError> {
        let form: PeopleForm = signed.form(body)?;
        Ok(form)
    }

    fn region_code(&self) -> Option<String> {
        self.region_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
    }

    /// `["12, 15", "20"]` → `[12, 15, 20]`; none → none; anything else is
    /// refused with the text to show.
    fn venue_ids(&self, t: &PeopleTexts) -> Result<Option<Vec<VenueId>>, String> {
        let parts: Vec<&str> = self
            .venue_ids
            .iter()
            .flat_map(|raw| raw.split([',', '，', ' ']))
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .collect();
        if parts.is_empty() {
            return Ok(None);
        }
        parts
            .into_iter()
            .map(|part| part.parse::<VenueId>())
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
            .map_err(|_| t.bad_venue_ids.clone())
    }

    /// Whether the form was sent to search the venue list.
    fn is_search(&self) -> bool {
        self.action.as_deref() == Some("search")
    }

    /// What was typed, to show the form again.
    fn draft(&self) -> Draft {
        Draft {
            login: self.login.clone().unwrap_or_default(),
            display_name: self.display_name.clone().unwrap_or_default(),
            name: self.name.clone().unwrap_or_default(),
            role: self.role.clone().unwrap_or_default(),
            region_code: self.region_code().unwrap_or_default(),
            venue_ids: self
                .venue_ids
                .iter()
                .flat_map(|raw| raw.split([',', '，', ' ']))
                .filter_map(|part| part.trim().parse().ok())
                .collect(),
            venue_q: self.venue_q.clone().unwrap_or_default().trim().to_owned(),
            expires_in_days: self.expires_in_days.clone(),
            error: None,
        }
    }
}

/// A form's values as shown: empty, or as typed with why it was refused.
#[derive(Debug, Clone, Default)]
struct Draft {
    login: String,
    display_name: String,
    name: String,
    role: String,
    region_code: String,
    venue_ids: Vec<VenueId>,
    venue_q: String,
    expires_in_days: Option<String>,
    error: Option<String>,
}

/// One region in a region picker.
pub(in crate::http::pages) struct RegionOption {
    /// Its six-digit code, the option's value.
    pub code: String,
    /// Indented by level, named in the page language.
    pub label: String,
    /// Whether it is the chosen one.
    pub selected: bool,
}

/// One venue in the venue picker.
struct VenueOption {
    id: VenueId,
    label: String,
    checked: bool,
}

/// The region and venue pickers of a form.
struct Pickers {
    regions: Vec<RegionOption>,
    venues: Vec<VenueOption>,
    /// Said when the list is cut or empty.
    venues_note: Option<String>,
}

/// The regions of the caller's scope, each under its parent, indented by
/// level; region names exist in Chinese and English (Uyghur pages show the
/// Chinese one). The account and token forms and the console's poster page
/// pick regions with it.
pub(in crate::http::pages) fn region_options(
    signed: &SignedIn,
    tree: &RegionTree,
    selected: &str,
) -> Vec<RegionOption> {
    let roots: Vec<String> = match &signed.caller.principal.scope {
        Scope::All => tree.provinces().to_vec(),
        Scope::Region(code) => vec![code.clone()],
        Scope::Venues(_) => Vec::new(),
    };
    let mut out = Vec::new();
    let mut stack: Vec<(String, usize)> = roots.into_iter().rev().map(|c| (c, 0)).collect();
    while let Some((code, depth)) = stack.pop() {
        let Some(region) = tree.get(&code) else {
            continue;
        };
        let name = signed.lang.pick(&region.name_zh, &region.name_en);
        out.push(RegionOption {
            label: format!(
                "{}{name} · {code}",
                "\u{a0}\u{a0}\u{a0}\u{a0}".repeat(depth)
            ),
            selected: code == selected,
            code: code.clone(),
        });
        stack.extend(
            tree.children(&code)
                .iter()
                .rev()
                .map(|child| (child.clone(), depth + 1)),
        );
    }
    out
}

/// The pickers for `draft`: regions in scope, and up to [`VENUES_OFFERED`]
/// venues in scope matching its search, the ticked ones first.
async fn pickers(signed: &SignedIn, state: &AppState, draft: &Draft) -> Result<Pickers, PageError> {
    let t = &signed.messages().people;
    let tree = state
        .reference
        .regions()
        .await
        .map_err(|e| signed.fail(e))?;
    let scope = signed.scope_filter(state).await?;
    let (choices, total) = choices_in_scope(
        &state.pool,
        &scope,
        &draft.venue_q,
        &draft.venue_ids,
        VENUES_OFFERED,
    )
    .await
    .map_err(|e| signed.fail(e))?;
    let venues_note = if choices.is_empty() {
        Some(t.venues_none.clone())
    } else if total > choices.len() as i64 {
        Some(
            t.venues_shown
                .replace("{shown}", &choices.len().to_string())
                .replace("{total}", &total.to_string()),
        )
    } else {
        None
    };
    let venues = choices
        .into_iter()
        .map(|venue| {
            let region = tree
                .get(&venue.region_code)
                .map_or(venue.region_code.as_str(), |r| {
                    signed.lang.pick(&r.name_zh, &r.name_en)
                });
            VenueOption {
                label: format!("{} · {region} · #{}", venue.name, venue.id),
                checked: draft.venue_ids.contains(&venue.id),
                id: venue.id,
            }
        })
        .collect();
    Ok(Pickers {
        regions: region_options(signed, &tree, &draft.region_code),
        venues,
        venues_note,
    })
}

/// A shared code path's refusal of a form, as the form shows it next to
/// itself with its status; a control character is named by `field`, the
/// form's one free-text field. A failure that is no refusal is the error page.
fn refusal(
    signed: &SignedIn,
    field: &str,
    err: AppError,
) -> Result<(StatusCode, String), PageError> {
    if err.slug == Slug::ControlCharacter {
        let text = signed
            .messages()
            .people
            .control_character
            .replace("{field}", field);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, text));
    }
    match SignedIn::refusal_status(&err) {
        Some(status) => Ok((status, signed.messages().problem(&err).to_owned())),
        None => Err(signed.fail(err)),
    }
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

fn scope_text(t: &PeopleTexts, region_code: Option<&str>, venue_ids: &[VenueId]) -> String {
    match (region_code, venue_ids.is_empty()) {
        (Some(code), _) => code.to_owned(),
        (None, false) => {
            let ids: Vec<String> = venue_ids.iter().map(VenueId::to_string).collect();
            format!("{} {}", t.venues_prefix, ids.join(", "))
        }
        (None, true) => t.everything.clone(),
    }
}
