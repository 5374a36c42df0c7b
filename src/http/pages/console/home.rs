//! `GET /console`: a region at a glance — the regulator's region, or for an
//! admin the whole country by province.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::app;
use crate::app::rankings::SliceScore;
use crate::app::supervision::{Overview, OverviewQuery, region_in_scope};
use crate::domain::decline::MIN_RATINGS_PER_WINDOW;
use crate::domain::region::Region;
use crate::domain::table::Table;
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, SignedIn};
use crate::http::html::{Chrome, render_document};
use crate::http::pages::console::tables::{Built, falling_table, regions_table, venues_table};
use crate::http::pages::console::view::{Crumb, Names, TableView, crumbs, score_text};
use crate::http::pages::public::{distribution_description, distribution_svg};
use crate::i18n::Messages;

/// One figure of the overview.
struct Stat {
    label: String,
    value: String,
}

/// One tier's count, linking to the region's venues of that tier.
struct TierStat {
    letter: &'static str,
    name: String,
    count: i64,
    href: String,
}

#[derive(Template)]
#[template(path = "console_home.html")]
struct HomeView {
    chrome: Chrome,
    nav: AccountNav,
    m: &'static Messages,
    heading: String,
    crumbs: Vec<Crumb>,
    stats: Vec<Stat>,
    tiers: Vec<TierStat>,
    /// The published venue scores per ten-point band, as inline SVG; `None`
    /// while no venue of the region is published.
    distribution_svg: Option<String>,
    rankings_href: String,
    regions: TableView,
    lowest: TableView,
    falling: TableView,
    falling_note: String,
    watchlist: TableView,
}

/// The overview's tables, by the name their downloads use.
pub(in crate::http::pages::console) struct HomeTables {
    pub regions: Built,
    pub lowest: Built,
    pub falling: Built,
    pub watchlist: Built,
}

/// Builds the overview's tables.
pub(in crate::http::pages::console) fn home_tables(
    names: &Names,
    region: Option<&Region>,
    overview: &Overview,
    direct: Option<&SliceScore>,
) -> HomeTables {
    let c = &names.m.console;
    let place = names.region_or_country(region);
    HomeTables {
        regions: regions_table(names, region, &overview.children, direct),
        lowest: venues_table(
            names,
            c.lowest_heading.replace("{region}", &place),
            &overview.lowest,
        ),
        falling: falling_table(
            names,
            c.falling_heading.replace("{region}", &place),
            &overview.falling,
        ),
        watchlist: venues_table(
            names,
            c.watchlist_heading.replace("{region}", &place),
            &overview.watchlist,
        ),
    }
}

/// The region query of an overview, for links and downloads.
pub(in crate::http::pages::console) fn region_query(
    region: Option<&Region>,
) -> Vec<(String, String)> {
    region
        .map(|r| vec![("region".to_owned(), r.code.to_string())])
        .unwrap_or_default()
}

/// The checked region of an overview address (`None`: the country).
pub(in crate::http::pages::console) async fn overview_region(
    signed_in: &SignedIn,
    state: &AppState,
    req: &HttpRequest,
) -> Result<Option<Region>, PageError> {
    let query: OverviewQuery = serde_html_form::from_str(req.query_string()).unwrap_or_default();
    region_in_scope(state, &signed_in.caller.principal, query.region.as_deref())
        .await
        .map_err(|e| signed_in.fail(e))
}

/// The overview page of a region.
fn home_page(
    signed_in: &SignedIn,
    names: &Names,
    region: Option<&Region>,
    overview: &Overview,
    direct: Option<&SliceScore>,
) -> String {
    let m = names.m;
    let c = &m.console;
    let place = names.region_or_country(region);
    let tables = home_tables(names, region, overview, direct);
    let query = region_query(region);
    let f = &overview.figures;
    let stats = vec![
        Stat {
            label: c.stat_score.clone(),
            value: score_text(f.score),
        },
        Stat {
            label: c.stat_median.clone(),
            value: score_text(f.median),
        },
        Stat {
            label: c.stat_p10.clone(),
            value: score_text(f.p10),
        },
        Stat {
            label: c.stat_venues.clone(),
            value: c
                .stat_venues_value
                .replace("{published}", &f.published_venues.to_string())
                .replace("{total}", &f.venues.to_string()),
        },
        Stat {
            label: c.stat_ratings.clone(),
            value: f.ratings.to_string(),
        },
        Stat {
            label: c.stat_today.clone(),
            value: overview.today.to_string(),
        },
        Stat {
            label: c.stat_unresolved_complaints.clone(),
            value: overview.unresolved_complaints.to_string(),
        },
        Stat {
            label: c.stat_overdue_complaints.clone(),
            value: overview.overdue_complaints.to_string(),
        },
        Stat {
            label: c.stat_due_soon_complaints.clone(),
            value: overview.due_soon_complaints.to_string(),
        },
        Stat {
            label: c.stat_watch_venues.clone(),
            value: overview.watch_venues.to_string(),
        },
        Stat {
            label: m.appeals.stat_pending.clone(),
            value: overview.pending_appeals.to_string(),
        },
    ];
    let tier_href = |letter: &str| {
        let mut q = query.clone();
        q.push(("tier".to_owned(), letter.to_owned()));
        names.href("/console/rankings", &q)
    };
    let counts = [
        ("A", f.tier_counts.a),
        ("B", f.tier_counts.b),
        ("C", f.tier_counts.c),
        ("D", f.tier_counts.d),
    ];
    let tiers = counts
        .into_iter()
        .zip(m.public.tier_names.iter())
        .map(|((letter, count), name)| TierStat {
            letter,
            name: name.clone(),
            count,
            href: tier_href(letter),
        })
        .collect();
    let mut trail = crumbs(names, &signed_in.caller.principal.scope, region, |code| {
        names.href("/console", &region_query_of(code))
    });
    if let Some(last) = trail.last_mut() {
        last.href = None;
    }
    let heading = c.home_title.replace("{region}", &place);
    let bands = &f.score_distribution;
    let distribution_svg = (bands.iter().sum::<i64>() > 0).then(|| {
        distribution_svg(
            bands,
            &c.distribution_heading,
            &distribution_description(m, bands),
            &c.distribution_axis,
        )
    });
    render_document(&HomeView {
        chrome: signed_in.chrome(heading.clone()),
        nav: signed_in.nav(),
        m,
        heading,
        crumbs: trail,
        stats,
        tiers,
        distribution_svg,
        rankings_href: names.rankings_href(region.map(|r| r.code.as_str())),
        regions: tables.regions.view("regions", &c.empty_regions).downloads(
            names,
            "/console/regions",
            &query,
        ),
        lowest: tables.lowest.view("lowest", &c.empty_venues).downloads(
            names,
            "/console/lowest",
            &query,
        ),
        falling: tables.falling.view("falling", &c.empty_falling).downloads(
            names,
            "/console/falling",
            &query,
        ),
        falling_note: c
            .falling_note
            .replace("{min}", &MIN_RATINGS_PER_WINDOW.to_string())
            .replace("{previous}", &overview.falling_previous_from.to_string())
            .replace("{recent}", &overview.falling_recent_from.to_string()),
        watchlist: tables
            .watchlist
            .view("watchlist", &c.empty_venues)
            .downloads(names, "/console/watchlist", &query),
    })
}

fn region_query_of(code: Option<&str>) -> Vec<(String, String)> {
    code.map(|c| vec![("region".to_owned(), c.to_owned())])
        .unwrap_or_default()
}

/// `GET /console?region=`: the overview of the caller's region (or one inside it).
pub async fn home(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let region = overview_region(&signed_in, &state, &req).await?;
    let names = Names::load(&state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let overview = app::supervision::overview(&state, region.as_ref())
        .await
        .map_err(|e| signed_in.fail(e))?;
    let direct = app::supervision::direct_venues(&state, region.as_ref())
        .await
        .map_err(|e| signed_in.fail(e))?;
    Ok(signed_in.page(home_page(
        &signed_in,
        &names,
        region.as_ref(),
        &overview,
        direct.as_ref(),
    )))
}

/// One of the overview's own tables, for a download: `lowest`, `falling`
/// or `watchlist` (`regions` is the rankings page's too).
pub(in crate::http::pages::console) async fn home_table(
    signed_in: &SignedIn,
    state: &AppState,
    req: &HttpRequest,
    names: &Names,
    name: &str,
) -> Result<Option<(Table, String)>, PageError> {
    if !matches!(name, "lowest" | "falling" | "watchlist") {
        return Ok(None);
    }
    let region = overview_region(signed_in, state, req).await?;
    let overview = app::supervision::overview(state, region.as_ref())
        .await
        .map_err(|e| signed_in.fail(e))?;
    let tables = home_tables(names, region.as_ref(), &overview, None);
    let built = match name {
        "lowest" => tables.lowest,
        "falling" => tables.falling,
        "watchlist" => tables.watchlist,
        _ => return Ok(None),
    };
    let place = region.as_ref().map_or("all", |r| r.code.as_str());
    Ok(Some((built.table, format!("{name}-{place}"))))
}
