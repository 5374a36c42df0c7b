//! `GET /console/venues/{id}`: one venue as its regulator sees it — the
//! panels of the venue's own dashboard (score, tier with reasons, ranks,
//! trend, dimensions, tags, today's count, QR code, commitment, Chief Quality
//! Officer), its star distribution, its ratings with quarantine and release,
//! violations (and the form to record one), inspections with their photos
//! (and the way to the form that records one), the tier override in force
//! with the forms that set and end one, credit list entries (with the forms
//! that propose and decide them, `list_entries`) and tier history.

use crate::app::paging::Paging;
use crate::domain::ids::VenueId;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;

use crate::app;
use crate::app::inspections::InspectionBody;
use crate::app::path_ids::parse_id;
use crate::app::scores::{TierChangeBody, tier_history};
use crate::app::supervision::{
    RatingReviewPage, parse_paging, parse_rating_filter, venue_in_scope,
};
use crate::app::violations::ViolationBody;
use crate::domain::moderation::REASON_MAX_CHARS;
use crate::domain::rating::Tag;
use crate::domain::table::Table;
use crate::domain::violation::DESCRIPTION_MAX_CHARS;
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, SignedIn};
use crate::http::html::{Chrome, render_document};
use crate::http::pages::console::EXPORT_MAX_ROWS;
use crate::http::pages::console::list_entries::{CreditListSection, ListDraft, section};
use crate::http::pages::console::tables::{
    inspections_table, ratings_table, tier_history_table, violations_table,
};
use crate::http::pages::console::view::{
    Crumb, GalleryImage, Names, PagerView, Pick, RowAction, TableView, crumbs,
};
use crate::http::pages::dashboard::{VenueOverview, VenuePanels, load_panels};
use crate::http::pages::public::{HistogramRow, histogram_rows};
use crate::i18n::Messages;
use crate::store::audit::AuditNames;
use crate::store::console::RatingFilter;
use crate::store::venues::Venue;
use crate::store::{inspections, violations};

use super::tier_override::{self, TierOverrideDraft, TierOverridePanel};
use crate::app::tier_overrides::TierOverrideBody;

/// The violation form.
struct ViolationForm {
    action: String,
    csrf_token: String,
    today: String,
    earliest: String,
    description_max: usize,
    /// What was typed, kept when the form was refused.
    draft: ViolationDraft,
}

/// The violation form's values: empty (today's date), or what was posted
/// with the reason it was refused.
#[derive(Debug, Clone, Default)]
pub(in crate::http::pages::console) struct ViolationDraft {
    /// The day, as typed; empty means today.
    pub occurred_on: String,
    /// `yes`, `no`, or nothing chosen.
    pub serious: String,
    /// The description, as typed.
    pub description: String,
    /// Why it was refused.
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "console_venue.html")]
struct VenueView {
    chrome: Chrome,
    nav: AccountNav,
    m: &'static Messages,
    name: String,
    meta: String,
    crumbs: Vec<Crumb>,
    public_href: String,
    /// The distribution of the venue's ratings over the stars.
    histogram: Vec<HistogramRow>,
    ratings: TableView,
    ratings_pager: Option<PagerView>,
    rating_filter: RatingFilterView,
    selection: SelectionView,
    violation_form: ViolationForm,
    violations: TableView,
    /// The venue's inspections, with their photos.
    inspections: TableView,
    /// The form that records an inspection.
    record_inspection_href: String,
    tier_history: TableView,
    /// The tier override in force, and the forms that set and end one.
    tier_override: TierOverridePanel,
    /// The venue's credit list entries and their forms.
    credit_lists: CreditListSection,
    /// What the venue's own dashboard shows: measures, ranks, trend, tags,
    /// today's count, the QR code, the commitment and the Chief Quality Officer.
    panels: VenuePanels,
    /// Editing, closing and reopening the venue.
    admin: super::venue_admin::VenueAdminBar,
}

/// The id of the form that quarantines the ratings ticked in the table.
const SELECTION_FORM: &str = "rating-selection";

/// The form the table's ticks join: one reason for every ticked rating.
struct SelectionView {
    id: &'static str,
    action: String,
    csrf_token: String,
    page: i64,
    reason_max: usize,
    /// Whether any row on the page can be ticked.
    shown: bool,
}

/// The ratings table's filter form: what it holds now, and its choices.
struct RatingFilterView {
    action: String,
    lang: &'static str,
    stars: Vec<(String, String, bool)>,
    day: String,
    tags: Vec<(String, String, bool)>,
    states: Vec<(String, String, bool)>,
    clear_href: Option<String>,
}

impl RatingFilterView {
    fn new(names: &Names, filter: &RatingFilter, venue_path: &str) -> Self {
        let c = &names.m.console;
        let any = |on: bool| (String::new(), c.filter_any.clone(), !on);
        let mut stars = vec![any(filter.stars.is_some())];
        stars.extend(
            (1..=5)
                .rev()
                .map(|n: i16| (n.to_string(), format!("{n}★"), filter.stars == Some(n))),
        );
        let mut tags = vec![any(filter.tag.is_some())];
        tags.extend(Tag::ALL.iter().map(|tag| {
            (
                tag.key().to_owned(),
                names.m.tag_label(*tag).to_owned(),
                filter.tag.as_deref() == Some(tag.key()),
            )
        }));
        let states = vec![
            any(filter.quarantined.is_some()),
            (
                "counted".to_owned(),
                c.filter_counted.clone(),
                filter.quarantined == Some(false),
            ),
            (
                "quarantined".to_owned(),
                c.filter_quarantined.clone(),
                filter.quarantined == Some(true),
            ),
        ];
        Self {
            action: venue_path.to_owned(),
            lang: names.lang.tag(),
            stars,
            day: filter.day.map(|d| d.to_string()).unwrap_or_default(),
            tags,
            states,
            clear_href: (*filter != RatingFilter::default())
                .then(|| format!("{}#ratings-panel", names.href(venue_path, &[]))),
        }
    }
}

/// The query pairs that keep a rating filter across pages.
fn rating_filter_pairs(filter: &RatingFilter) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    if let Some(stars) = filter.stars {
        pairs.push(("stars".to_owned(), stars.to_string()));
    }
    if let Some(day) = filter.day {
        pairs.push(("day".to_owned(), day.to_string()));
    }
    if let Some(tag) = &filter.tag {
        pairs.push(("tag".to_owned(), tag.clone()));
    }
    if let Some(quarantined) = filter.quarantined {
        let state = if quarantined {
            "quarantined"
        } else {
            "counted"
        };
        pairs.push(("state".to_owned(), state.to_owned()));
    }
    pairs
}

/// Everything the venue page shows.
struct VenueData {
    venue: Venue,
    ratings: RatingReviewPage,
    violations: Vec<ViolationBody>,
    inspections: Vec<InspectionBody>,
    /// Who recorded the inspections and who set and ended the tier
    /// overrides, by name.
    recorders: AuditNames,
    tier_history: Vec<TierChangeBody>,
    /// The venue's tier overrides, newest first.
    overrides: Vec<TierOverrideBody>,
}

/// The tables of a venue the caller may supervise (checked by the caller).
async fn load(
    signed_in: &SignedIn,
    state: &AppState,
    venue: Venue,
    filter: &RatingFilter,
    paging: Paging,
) -> Result<VenueData, PageError> {
    let fail = |e| signed_in.fail(e);
    let scope = signed_in.scope_filter(state).await?;
    let ratings = app::supervision::ratings(state, venue.id, &scope, filter, paging)
        .await
        .map_err(fail)?;
    let violations = violations::list(&state.pool, venue.id, &scope)
        .await
        .map_err(|e| signed_in.fail(e))?
        .into_iter()
        .map(ViolationBody::from)
        .collect();
    let inspections: Vec<InspectionBody> = inspections::list(&state.pool, venue.id, &scope)
        .await
        .map_err(|e| signed_in.fail(e))?
        .into_iter()
        .map(InspectionBody::from)
        .collect();
    let overrides = app::tier_overrides::list(state, &scope, venue.id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let actors: Vec<&str> = inspections
        .iter()
        .filter_map(|i| i.inspector.as_deref())
        .chain(overrides.iter().map(|o| o.set_by.as_str()))
        .collect();
    let recorders = app::inspections::names(state, &actors, &[])
        .await
        .map_err(|e| signed_in.fail(e))?;
    let tier_history = tier_history(state, venue.id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    Ok(VenueData {
        venue,
        ratings,
        violations,
        inspections,
        recorders,
        tier_history,
        overrides,
    })
}

fn titles(names: &Names, venue: &Venue) -> [String; 4] {
    let c = &names.m.console;
    [
        format!("{} · {}", venue.name, c.ratings_heading),
        format!("{} · {}", venue.name, c.violations_heading),
        format!("{} · {}", venue.name, c.tier_history_heading),
        format!("{} · {}", venue.name, names.m.inspections.venue_heading),
    ]
}

/// The thumbnails of each inspection's photos, each linking to the photo.
fn inspection_photos(names: &Names, items: &[InspectionBody]) -> Vec<Vec<GalleryImage>> {
    let t = &names.m.inspections;
    items
        .iter()
        .map(|inspection| {
            inspection
                .photos
                .iter()
                .enumerate()
                .map(|(n, photo)| GalleryImage {
                    href: format!(
                        "/console/venues/{}/inspections/{}/photos/{}",
                        inspection.venue_id, inspection.id, photo.id
                    ),
                    alt: t
                        .photo_alt
                        .replace("{n}", &(n + 1).to_string())
                        .replace("{day}", &inspection.inspected_on.to_string()),
                })
                .collect()
        })
        .collect()
}

fn venue_page(
    signed_in: &SignedIn,
    names: &Names,
    data: &VenueData,
    (overview, panels): (VenueOverview, VenuePanels),
    (today, filter): (NaiveDate, &RatingFilter),
    (mut draft, override_draft, credit_lists): (
        ViolationDraft,
        TierOverrideDraft,
        CreditListSection,
    ),
) -> String {
    let m = names.m;
    let c = &m.console;
    let venue = &data.venue;
    let mut meta = format!(
        "{} · {}",
        names.category(&venue.category),
        names.region(&venue.region_code)
    );
    if let Some(address) = &venue.address {
        meta.push_str(" · ");
        meta.push_str(address);
    }
    let [
        ratings_title,
        violations_title,
        history_title,
        inspections_title,
    ] = titles(names, venue);
    let venue_path = format!("/console/venues/{}", venue.id);
    let ratings = &data.ratings;
    let actions = ratings
        .items
        .iter()
        .map(|rating| {
            let (verb, label) = if rating.quarantined {
                ("release", &c.release)
            } else {
                ("quarantine", &c.quarantine)
            };
            // A counted rating is ticked for the one quarantine form below
            // the table; a quarantined one keeps its own release form.
            let pick = (!rating.quarantined).then(|| Pick {
                form: SELECTION_FORM,
                name: "rating_id",
                value: rating.id.to_string(),
                label: &c.selection_pick,
            });
            Some(RowAction {
                pick,
                href: names.href(&format!("/console/ratings/{}/{verb}", rating.id), &[]),
                label,
                field_id: format!("reason-{}", rating.id),
                reason_label: &c.reason_label,
                reason_placeholder: &c.reason_placeholder,
                csrf_token: signed_in.session.csrf_token.clone(),
                page: ratings.page,
                choice: None,
                reason: String::new(),
            })
        })
        .collect();
    let filter_pairs = rating_filter_pairs(filter);
    let ratings_view = ratings_table(names, ratings_title, &ratings.items)
        .view("ratings", &c.empty_ratings)
        .muted(ratings.items.iter().map(|r| r.quarantined))
        .actions(&c.col_moderation, actions)
        .downloads(names, &format!("{venue_path}/ratings"), &filter_pairs);
    let ratings_pager = PagerView::new(m, ratings.page, ratings.per_page, ratings.total, |n| {
        let mut query = filter_pairs.clone();
        if n > 1 {
            query.push(("page".to_owned(), n.to_string()));
        }
        format!("{}#ratings-panel", names.href(&venue_path, &query))
    });
    let rating_filter = RatingFilterView::new(names, filter, &venue_path);
    let selection = SelectionView {
        id: SELECTION_FORM,
        action: names.href(&format!("{venue_path}/ratings/quarantine"), &[]),
        csrf_token: signed_in.session.csrf_token.clone(),
        page: ratings.page,
        reason_max: REASON_MAX_CHARS,
        shown: ratings.items.iter().any(|r| !r.quarantined),
    };
    let mut trail = crumbs(
        names,
        &signed_in.caller.principal.scope,
        names.regions.get(&venue.region_code),
        |code| names.rankings_href(code),
    );
    trail.push(Crumb {
        label: venue.name.clone(),
        href: None,
    });
    render_document(&VenueView {
        admin: super::venue_admin::bar_for(signed_in, names, venue),
        chrome: signed_in.chrome(venue.name.clone()),
        nav: signed_in.nav(),
        m,
        name: venue.name.clone(),
        meta,
        crumbs: trail,
        public_href: format!("/v/{}?lang={}", venue.id, names.lang.tag()),
        histogram: histogram_rows(m, &overview.score.histogram),
        ratings: ratings_view,
        ratings_pager,
        rating_filter,
        selection,
        violation_form: ViolationForm {
            action: names.href(&format!("{venue_path}/violations"), &[]),
            csrf_token: signed_in.session.csrf_token.clone(),
            today: today.to_string(),
            earliest: crate::domain::violation::earliest_day().to_string(),
            description_max: DESCRIPTION_MAX_CHARS,
            draft: {
                if draft.occurred_on.is_empty() {
                    draft.occurred_on = today.to_string();
                }
                draft
            },
        },
        violations: violations_table(names, violations_title, &data.violations)
            .view("violations", &c.empty_violations)
            .downloads(names, &format!("{venue_path}/violations"), &[]),
        inspections: inspections_table(
            names,
            inspections_title,
            &data.inspections,
            &data.recorders,
        )
        .view("inspections", &m.inspections.empty)
        .gallery(
            &m.inspections.gallery_header,
            inspection_photos(names, &data.inspections),
        )
        .downloads(names, &format!("{venue_path}/inspections"), &[]),
        record_inspection_href: names.href(&format!("{venue_path}/inspections/new"), &[]),
        tier_history: tier_history_table(
            names,
            history_title,
            &data.tier_history,
            (&data.overrides, &data.recorders),
        )
        .view("tier-history", &c.empty_tier_history)
        .downloads(names, &format!("{venue_path}/tiers"), &[]),
        tier_override: tier_override::panel(
            signed_in,
            names,
            venue.id,
            (&data.overrides, &data.recorders),
            today,
            override_draft,
        ),
        credit_lists,
        panels,
    })
}

/// `GET /console/venues/{id}?page=`: a venue in the caller's scope (404 outside it).
pub async fn venue(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let venue_id = parse_id(&path).map_err(|e| signed_in.fail(e))?;
    let paging = parse_paging(req.query_string()).map_err(|e| signed_in.fail(e))?;
    let filter = parse_rating_filter(req.query_string()).map_err(|e| signed_in.fail(e))?;
    let body = venue_document(
        &signed_in,
        &state,
        venue_id,
        (&filter, paging),
        (ViolationDraft::default(), TierOverrideDraft::default()),
    )
    .await?;
    Ok(signed_in.page(body))
}

/// The venue page, its violation form and tier override forms holding `drafts`.
pub(in crate::http::pages::console) async fn venue_document(
    signed_in: &SignedIn,
    state: &AppState,
    venue_id: VenueId,
    (filter, paging): (&RatingFilter, Paging),
    drafts: (ViolationDraft, TierOverrideDraft),
) -> Result<String, PageError> {
    let (violation, tier_override) = drafts;
    venue_document_with(
        signed_in,
        state,
        venue_id,
        (filter, paging),
        (violation, tier_override, ListDraft::None),
    )
    .await
}

/// The venue page, its violation form holding `violation` and its credit
/// list forms `lists`.
pub(in crate::http::pages::console) async fn venue_document_with(
    signed_in: &SignedIn,
    state: &AppState,
    venue_id: VenueId,
    (filter, paging): (&RatingFilter, Paging),
    (draft, override_draft, lists): (ViolationDraft, TierOverrideDraft, ListDraft),
) -> Result<String, PageError> {
    // The panels' loader checks the scope (404 outside it) and reads the venue.
    let scope = signed_in.scope_filter(state).await?;
    let panels = load_panels(signed_in, state, &scope, venue_id).await?;
    let data = load(signed_in, state, panels.0.venue.clone(), filter, paging).await?;
    let names = Names::load(state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let credit_lists = section(signed_in, state, venue_id, lists).await?;
    Ok(venue_page(
        signed_in,
        &names,
        &data,
        panels,
        (state.clock.today(), filter),
        (draft, override_draft, credit_lists),
    ))
}

/// One of a venue's tables, for a download: `ratings` (every rating that
/// passes the page's filter, up to the export limit), `violations`,
/// `inspections` or `tiers`.
pub(in crate::http::pages::console) async fn venue_table(
    signed_in: &SignedIn,
    state: &AppState,
    names: &Names,
    (venue_id, name): (VenueId, &str),
    query: &str,
) -> Result<Option<(Table, String)>, PageError> {
    if !matches!(name, "ratings" | "violations" | "inspections" | "tiers") {
        return Ok(None);
    }
    let filter = parse_rating_filter(query).map_err(|e| signed_in.fail(e))?;
    let per_page = if name == "ratings" {
        EXPORT_MAX_ROWS
    } else {
        1
    };
    let venue = venue_in_scope(state, &signed_in.caller.principal, venue_id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let data = load(
        signed_in,
        state,
        venue,
        &filter,
        Paging { page: 1, per_page },
    )
    .await?;
    let [
        ratings_title,
        violations_title,
        history_title,
        inspections_title,
    ] = titles(names, &data.venue);
    let table = match name {
        "ratings" => ratings_table(names, ratings_title, &data.ratings.items).table,
        "violations" => violations_table(names, violations_title, &data.violations).table,
        "inspections" => {
            inspections_table(names, inspections_title, &data.inspections, &data.recorders).table
        }
        "tiers" => {
            tier_history_table(
                names,
                history_title,
                &data.tier_history,
                (&data.overrides, &data.recorders),
            )
            .table
        }
        _ => return Ok(None),
    };
    Ok(Some((table, format!("venue-{venue_id}-{name}"))))
}
