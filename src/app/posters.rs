//! Bulk QR posters: the open venues of a region subtree (optionally of one
//! category) with their live codes, cut to the caller's scope inside the
//! SQL, for the console's printable posters and its archive of code files.
//! A selection is capped so one request cannot hold the service for long.

use crate::app::rankings::known_category;
use crate::app::supervision::{region_in_scope, region_scopes};
use crate::app::{AppError, Services, Slug};
use crate::domain::access::Principal;
use crate::domain::region::Region;
use crate::store::ScopeFilter;
use crate::store::venues::{self, CodedVenue};

/// The most venues one printable document or archive holds.
pub const POSTER_VENUES_MAX: i64 = 5_000;

/// A checked selection: the region (`None`: the whole country, for an
/// admin) and the category (`None`: every one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosterSelection {
    /// The region whose subtree is selected.
    pub region: Option<Region>,
    /// The category key, when one is chosen.
    pub category: Option<String>,
}

fn field(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty())
}

/// Reads `region` and `category`: no region is the caller's own (the
/// country for an admin); a region outside the caller's scope is refused
/// (403), an unknown one is 404, a malformed one or an unknown category 422.
pub async fn parse_selection(
    services: &Services,
    principal: &Principal,
    region: Option<&str>,
    category: Option<&str>,
) -> Result<PosterSelection, AppError> {
    let region = region_in_scope(services, principal, field(region)).await?;
    let category = match field(category) {
        None => None,
        Some(key) => Some(known_category(services, key).await?),
    };
    Ok(PosterSelection { region, category })
}

/// The selected region's subtree and the caller's scope, as SQL filters.
async fn filters(
    services: &Services,
    principal: &Principal,
    selection: &PosterSelection,
) -> Result<(ScopeFilter, ScopeFilter), AppError> {
    let (_, within) = region_scopes(services, selection.region.as_ref()).await?;
    let scope = ScopeFilter::of(&principal.scope, &*services.reference.regions().await?);
    Ok((within, scope))
}

/// How many open venues the selection holds.
pub async fn count(
    services: &Services,
    principal: &Principal,
    selection: &PosterSelection,
) -> Result<i64, AppError> {
    let (within, scope) = filters(services, principal, selection).await?;
    Ok(venues::count_open(
        &services.pool,
        &within,
        &scope,
        selection.category.as_deref(),
    )
    .await?)
}

/// The selection's open venues with their live codes, by id; a selection
/// of more than [`POSTER_VENUES_MAX`] is refused (422) before anything is
/// drawn. Read from the primary: a code replaced a moment ago must not be
/// printed.
pub async fn coded_venues(
    services: &Services,
    principal: &Principal,
    selection: &PosterSelection,
) -> Result<Vec<CodedVenue>, AppError> {
    let (within, scope) = filters(services, principal, selection).await?;
    let found = venues::open_with_codes(
        &services.pool,
        &within,
        &scope,
        selection.category.as_deref(),
        POSTER_VENUES_MAX + 1,
    )
    .await?;
    if found.len() as i64 > POSTER_VENUES_MAX {
        return Err(AppError::new(
            Slug::TooManyPosterVenues,
            format!(
                "the selection holds more than {POSTER_VENUES_MAX} venues; narrow it by category or region"
            ),
        ));
    }
    Ok(found)
}
