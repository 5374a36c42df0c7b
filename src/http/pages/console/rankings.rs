//! `GET /console/rankings`: drill down region → child region → venue. The
//! page shows the region's child regions with their figures (each links one
//! level down) and the region's venues ranked, filtered by category, tier and
//! publication, page by page.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::app;
use crate::app::rankings::{MAX_RANKING_DEPTH, RankingRequest};
use crate::app::supervision::region_in_scope;
use crate::domain::credit::Tier;
use crate::domain::region::Region;
use crate::domain::table::Table;
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, PageProblem, SignedIn};
use crate::http::html::{Chrome, render_document};
use crate::http::pages::console::EXPORT_MAX_ROWS;
use crate::http::pages::console::tables::{rankings_table, regions_table};
use crate::http::pages::console::view::{Crumb, Names, PagerView, SelectOption, TableView, crumbs};
use crate::i18n::Messages;

/// The console's own filters on top of the public ranking query.
#[derive(Debug, Default, Deserialize)]
struct ConsoleFilters {
    region: Option<String>,
    tier: Option<String>,
    published: Option<String>,
    per_page: Option<String>,
}

/// A checked console ranking query.
pub(in crate::http::pages::console) struct ConsoleRanking {
    /// The region ranked (`None`: the country).
    pub region: Option<Region>,
    /// The ranking request, cut to the caller's scope.
    pub request: RankingRequest,
    /// The filters as query pairs, for links and downloads (no page).
    pub filters: Vec<(String, String)>,
    /// The page size, when the address chose one.
    pub per_page: Option<String>,
}

fn field(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Reads `region`, `category`, `tier`, `published`, `page` and `per_page`:
/// a region outside the caller's scope is 403, an unknown one 404, anything
/// malformed 422.
pub(in crate::http::pages::console) async fn parse_console_ranking(
    signed_in: &SignedIn,
    state: &AppState,
    req: &HttpRequest,
) -> Result<ConsoleRanking, PageError> {
    let query = req.query_string();
    let filters: ConsoleFilters = serde_html_form::from_str(query).unwrap_or_default();
    let region = region_in_scope(state, &signed_in.caller.principal, field(&filters.region))
        .await
        .map_err(|e| signed_in.fail(e))?;
    let mut request = app::rankings::parse_query(state, query)
        .await
        .map_err(|e| signed_in.fail(e))?;
    request.region = region.clone();
    let m = signed_in.messages();
    if let Some(raw) = field(&filters.tier) {
        let tier = Tier::parse(raw).ok_or_else(|| {
            PageError::new(
                signed_in.lang,
                PageProblem::Invalid(m.console.bad_tier.clone()),
            )
        })?;
        request.tiers = vec![tier.letter().to_owned()];
    }
    request.published_only = matches!(field(&filters.published), Some("1" | "on" | "true" | "yes"));
    let mut pairs = Vec::new();
    if let Some(r) = &region {
        pairs.push(("region".to_owned(), r.code.to_string()));
    }
    if let Some(category) = &request.category {
        pairs.push(("category".to_owned(), category.clone()));
    }
    if let Some(tier) = request.tiers.first() {
        pairs.push(("tier".to_owned(), tier.clone()));
    }
    if request.published_only {
        pairs.push(("published".to_owned(), "1".to_owned()));
    }
    Ok(ConsoleRanking {
        region,
        request,
        filters: pairs,
        per_page: field(&filters.per_page).map(str::to_owned),
    })
}

/// The ranking's title: region, and category when one is chosen.
fn ranking_title(names: &Names, ranking: &ConsoleRanking) -> String {
    let mut title = names.m.console.rankings_title.replace(
        "{region}",
        &names.region_or_country(ranking.region.as_ref()),
    );
    if let Some(category) = &ranking.request.category {
        title.push_str(" · ");
        title.push_str(&names.category(category));
    }
    if let Some(tier) = ranking.request.tiers.first() {
        title.push_str(" · ");
        title.push_str(tier);
    }
    title
}

#[derive(Template)]
#[template(path = "console_rankings.html")]
struct RankingsView {
    chrome: Chrome,
    nav: AccountNav,
    m: &'static Messages,
    heading: String,
    crumbs: Vec<Crumb>,
    region_code: Option<String>,
    categories: Vec<SelectOption>,
    tiers: Vec<SelectOption>,
    published_only: bool,
    overview_href: String,
    regions: Option<TableView>,
    venues: TableView,
    pager: Option<PagerView>,
}

/// `GET /console/rankings?region=&category=&tier=&published=&page=`.
pub async fn rankings(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let ranking = parse_console_ranking(&signed_in, &state, &req).await?;
    let names = Names::load(&state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let page = app::rankings::ranking(&state, &ranking.request)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let (_, children) = app::supervision::children(&state, ranking.region.as_ref())
        .await
        .map_err(|e| signed_in.fail(e))?;
    let direct = app::supervision::direct_venues(&state, ranking.region.as_ref())
        .await
        .map_err(|e| signed_in.fail(e))?;
    let m = names.m;
    let c = &m.console;
    let heading = ranking_title(&names, &ranking);
    let region_filter: Vec<(String, String)> = ranking
        .region
        .iter()
        .map(|r| ("region".to_owned(), r.code.to_string()))
        .collect();
    let regions = (!children.is_empty()).then(|| {
        regions_table(&names, ranking.region.as_ref(), &children, direct.as_ref())
            .view("regions", &c.empty_regions)
            .downloads(&names, "/console/regions", &region_filter)
    });
    let venues = rankings_table(&names, heading.clone(), &page);
    let venues_view = venues
        .view("rankings", &c.empty_venues)
        .muted(page.items.iter().map(|item| !item.published))
        .downloads(&names, "/console/rankings", &ranking.filters);
    let page_href = |n: i64| {
        let mut pairs = ranking.filters.clone();
        if let Some(per_page) = &ranking.per_page {
            pairs.push(("per_page".to_owned(), per_page.clone()));
        }
        if n > 1 {
            pairs.push(("page".to_owned(), n.to_string()));
        }
        names.href("/console/rankings", &pairs)
    };
    // No link past the ranking's depth, which is refused; downloads hold every row.
    let listed = page.total.min(MAX_RANKING_DEPTH);
    let pager = PagerView::new(m, page.page, page.per_page, listed, page_href);
    let chosen_category = ranking.request.category.as_deref();
    let categories = names.category_options(chosen_category);
    let chosen_tier = ranking.request.tiers.first().map(String::as_str);
    let tiers = ["A", "B", "C", "D"]
        .into_iter()
        .zip(m.public.tier_names.iter())
        .map(|(letter, name)| SelectOption {
            value: letter.to_owned(),
            label: format!("{letter} · {name}"),
            selected: chosen_tier == Some(letter),
        })
        .collect();
    let mut trail = crumbs(
        &names,
        &signed_in.caller.principal.scope,
        ranking.region.as_ref(),
        |code| names.rankings_href(code),
    );
    if let Some(last) = trail.last_mut() {
        last.href = None;
    }
    let body = render_document(&RankingsView {
        chrome: signed_in.chrome(heading.clone()),
        nav: signed_in.nav(),
        m,
        heading,
        crumbs: trail,
        region_code: ranking.region.as_ref().map(|r| r.code.to_string()),
        categories,
        tiers,
        published_only: ranking.request.published_only,
        overview_href: names.href("/console", &region_filter),
        regions,
        venues: venues_view,
        pager,
    });
    Ok(signed_in.page(body))
}

/// The whole ranking (every page, up to the export limit), for a download.
pub(in crate::http::pages::console) async fn rankings_download(
    signed_in: &SignedIn,
    state: &AppState,
    req: &HttpRequest,
    names: &Names,
) -> Result<(Table, String), PageError> {
    let mut ranking = parse_console_ranking(signed_in, state, req).await?;
    ranking.request.page = 1;
    ranking.request.per_page = EXPORT_MAX_ROWS;
    let page = app::rankings::ranking(state, &ranking.request)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let title = ranking_title(names, &ranking);
    let mut stem = String::from("rankings");
    for (_, value) in &ranking.filters {
        stem.push('-');
        stem.push_str(value);
    }
    Ok((rankings_table(names, title, &page).table, stem))
}

/// The child regions of a region, for a download.
pub(in crate::http::pages::console) async fn regions_download(
    signed_in: &SignedIn,
    state: &AppState,
    req: &HttpRequest,
    names: &Names,
) -> Result<(Table, String), PageError> {
    let filters: ConsoleFilters = serde_html_form::from_str(req.query_string()).unwrap_or_default();
    let region = region_in_scope(state, &signed_in.caller.principal, field(&filters.region))
        .await
        .map_err(|e| signed_in.fail(e))?;
    let (_, children) = app::supervision::children(state, region.as_ref())
        .await
        .map_err(|e| signed_in.fail(e))?;
    let direct = app::supervision::direct_venues(state, region.as_ref())
        .await
        .map_err(|e| signed_in.fail(e))?;
    let stem = format!(
        "regions-{}",
        region.as_ref().map_or("all", |r| r.code.as_str())
    );
    Ok((
        regions_table(names, region.as_ref(), &children, direct.as_ref()).table,
        stem,
    ))
}
