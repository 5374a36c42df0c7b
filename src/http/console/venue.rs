//! `GET /console/venues/{id}`: one venue as its regulator sees it — score,
//! tier with reasons, trend, dimensions, its ratings with quarantine and
//! release, violations (and the form to record one) and tier history.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::EXPORT_MAX_ROWS;
use super::tables::{ratings_table, tier_history_table, violations_table};
use super::view::{Crumb, Names, PagerView, RowAction, TableView, crumbs, local_time, score_text};
use crate::domain::credit::Tier;
use crate::domain::day::local_day;
use crate::domain::table::Table;
use crate::domain::violation::DESCRIPTION_MAX_CHARS;
use crate::http::AppState;
use crate::http::console_api::{
    RatingReviewPage, ViolationBody, load_ratings, parse_paging, venue_in_scope,
};
use crate::http::dashboard::{VenuePanels, load_panels};
use crate::http::html::{Chrome, render_document};
use crate::http::public_pages::trend_svg;
use crate::http::public_pages::{HistogramRow, histogram_rows};
use crate::http::scores::{TierChangeBody, VenueScore, load_tier_history, load_venue_score};
use crate::http::signed_in::{AccountNav, PageError, SignedIn};
use crate::http::venues::parse_id;
use crate::i18n::{Lang, Messages};
use crate::store::venues::Venue;
use crate::store::violations;

/// A tier letter with its name.
struct TierBadge {
    letter: &'static str,
    name: String,
}

/// A dimension and its published score.
struct DimensionRow {
    label: String,
    value: String,
}

/// The violation form.
struct ViolationForm {
    action: String,
    csrf_token: String,
    today: String,
    earliest: String,
    description_max: usize,
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
    notice: Option<String>,
    public_href: String,
    score: Option<String>,
    score_lines: Vec<String>,
    tier: Option<TierBadge>,
    tier_reasons: Vec<String>,
    rules_version: Option<String>,
    dimensions: Vec<DimensionRow>,
    trend_svg: String,
    /// The distribution of the venue's ratings over the stars.
    histogram: Vec<HistogramRow>,
    ratings: TableView,
    ratings_pager: Option<PagerView>,
    violation_form: ViolationForm,
    violations: TableView,
    tier_history: TableView,
    /// What the venue publishes (commitment, Chief Quality Officer), as its dashboard shows it.
    panels: VenuePanels,
}

/// `?notice=` after a form: which change was just made.
#[derive(Debug, Default, Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

/// Everything the venue page shows.
struct VenueData {
    venue: Venue,
    score: VenueScore,
    ratings: RatingReviewPage,
    violations: Vec<ViolationBody>,
    tier_history: Vec<TierChangeBody>,
}

async fn load(
    signed_in: &SignedIn,
    state: &AppState,
    venue_id: i64,
    page: i64,
    per_page: i64,
) -> Result<VenueData, PageError> {
    let fail = |e| signed_in.fail(e);
    let venue = venue_in_scope(state, &signed_in.caller.principal, venue_id)
        .await
        .map_err(fail)?;
    let score = load_venue_score(state, venue.id).await.map_err(fail)?;
    let ratings = load_ratings(state, venue.id, page, per_page)
        .await
        .map_err(fail)?;
    let violations = violations::list(&state.pool, venue.id)
        .await
        .map_err(|e| signed_in.fail(e))?
        .into_iter()
        .map(ViolationBody::from)
        .collect();
    let tier_history = load_tier_history(state, venue.id).await.map_err(fail)?;
    Ok(VenueData {
        venue,
        score,
        ratings,
        violations,
        tier_history,
    })
}

fn titles(names: &Names, venue: &Venue) -> [String; 3] {
    let c = &names.m.console;
    [
        format!("{} · {}", venue.name, c.ratings_heading),
        format!("{} · {}", venue.name, c.violations_heading),
        format!("{} · {}", venue.name, c.tier_history_heading),
    ]
}

fn tier_badge(m: &Messages, stored: Option<&str>) -> Option<TierBadge> {
    let tier = Tier::parse(stored?)?;
    let index = match tier {
        Tier::A => 0,
        Tier::B => 1,
        Tier::C => 2,
        Tier::D => 3,
    };
    Some(TierBadge {
        letter: tier.letter(),
        name: m.public.tier_names[index].clone(),
    })
}

fn venue_page(
    signed_in: &SignedIn,
    names: &Names,
    state: &AppState,
    data: &VenueData,
    notice: Option<&str>,
    panels: VenuePanels,
) -> String {
    let m = names.m;
    let c = &m.console;
    let venue = &data.venue;
    let score = &data.score;
    let params = state.scores.params();
    let region_name = names.region(&venue.region_code);
    let mut meta = format!("{} · {}", names.category(&venue.category), region_name);
    if let Some(address) = &venue.address {
        meta.push_str(" · ");
        meta.push_str(address);
    }
    let published = score.published && score.score.is_some();
    let shown = |value: Option<f64>| score_text(value.filter(|_| published));
    let mut score_lines = vec![
        m.venue_page
            .ratings
            .replace("{count}", &score.ratings.to_string())
            .replace("{window}", &params.publish_window_days.to_string()),
        m.venue_page
            .today
            .replace("{count}", &score.today.to_string()),
    ];
    if score.ratings > 0 {
        // Whole percent rounded down, so "at least" stays true.
        let pct = (score.confidence.clamp(0.0, 1.0) * 100.0 + 1e-9).floor();
        score_lines.push(format!(
            "{} {}",
            m.venue_page.confidence_label,
            m.public.confidence_short.replace("{pct}", &pct.to_string())
        ));
    }
    if let Some(at) = score.computed_at {
        score_lines.push(m.venue_page.updated.replace("{time}", &local_time(at)));
    }
    let [ratings_title, violations_title, history_title] = titles(names, venue);
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
            Some(RowAction {
                href: names.href(&format!("/console/ratings/{}/{verb}", rating.id), &[]),
                label,
                field_id: format!("reason-{}", rating.id),
                reason_label: &c.reason_label,
                reason_placeholder: &c.reason_placeholder,
                csrf_token: signed_in.session.csrf_token.clone(),
                page: ratings.page,
            })
        })
        .collect();
    let ratings_view = ratings_table(names, ratings_title, &ratings.items)
        .view("ratings", &c.empty_ratings)
        .muted(ratings.items.iter().map(|r| r.quarantined))
        .actions(&c.col_moderation, actions)
        .downloads(names, &format!("{venue_path}/ratings"), &[]);
    let ratings_pager = PagerView::new(m, ratings.page, ratings.per_page, ratings.total, |n| {
        let query = if n > 1 {
            vec![("page".to_owned(), n.to_string())]
        } else {
            Vec::new()
        };
        format!("{}#ratings-panel", names.href(&venue_path, &query))
    });
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
    let notice = match notice {
        Some("quarantined") => Some(c.notice_quarantined.clone()),
        Some("released") => Some(c.notice_released.clone()),
        Some("violation") => Some(c.notice_violation.clone()),
        _ => None,
    };
    let today = local_day(Utc::now());
    let measured = score.trend.iter().filter(|w| w.score.is_some()).count();
    let trend_desc = match (score.trend.first(), score.trend.last()) {
        (Some(first), Some(last)) if measured > 0 => m
            .venue_page
            .trend_desc
            .replace("{first}", &first.week_start.to_string())
            .replace("{last}", &last.week_start.to_string())
            .replace("{weeks}", &measured.to_string()),
        _ => m.venue_page.trend_empty.clone(),
    };
    render_document(&VenueView {
        chrome: signed_in.chrome(venue.name.clone()),
        nav: signed_in.nav(),
        m,
        name: venue.name.clone(),
        meta,
        crumbs: trail,
        notice,
        public_href: format!("/v/{}?lang={}", venue.id, names.lang.tag()),
        score: published.then(|| shown(score.score)),
        score_lines,
        tier: tier_badge(m, score.tier.as_deref()),
        tier_reasons: score
            .tier_reasons
            .iter()
            .map(|r| match names.lang {
                Lang::Zh => r.zh.clone(),
                Lang::En => r.en.clone(),
            })
            .collect(),
        rules_version: score
            .rule_set_version
            .as_deref()
            .map(|v| m.venue_page.tier_rules_version.replace("{version}", v)),
        dimensions: vec![
            DimensionRow {
                label: m.rating.environment.clone(),
                value: shown(score.dimensions.environment),
            },
            DimensionRow {
                label: m.rating.skill.clone(),
                value: shown(score.dimensions.skill),
            },
            DimensionRow {
                label: m.rating.attitude.clone(),
                value: shown(score.dimensions.attitude),
            },
        ],
        trend_svg: trend_svg(&score.trend, &m.venue_page.trend_title, &trend_desc),
        histogram: histogram_rows(m, &score.histogram),
        ratings: ratings_view,
        ratings_pager,
        violation_form: ViolationForm {
            action: names.href(&format!("{venue_path}/violations"), &[]),
            csrf_token: signed_in.session.csrf_token.clone(),
            today: today.to_string(),
            earliest: crate::domain::violation::earliest_day().to_string(),
            description_max: DESCRIPTION_MAX_CHARS,
        },
        violations: violations_table(names, violations_title, &data.violations)
            .view("violations", &c.empty_violations)
            .downloads(names, &format!("{venue_path}/violations"), &[]),
        tier_history: tier_history_table(names, history_title, &data.tier_history)
            .view("tier-history", &c.empty_tier_history)
            .downloads(names, &format!("{venue_path}/tiers"), &[]),
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
    let (page, per_page) = parse_paging(req.query_string()).map_err(|e| signed_in.fail(e))?;
    let data = load(&signed_in, &state, venue_id, page, per_page).await?;
    let names = Names::load(&state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let notice: NoticeQuery = serde_html_form::from_str(req.query_string()).unwrap_or_default();
    let scope = signed_in.scope_filter(&state).await?;
    let (_, panels) = load_panels(&signed_in, &state, &scope, venue_id).await?;
    let body = venue_page(
        &signed_in,
        &names,
        &state,
        &data,
        notice.notice.as_deref(),
        panels,
    );
    Ok(signed_in.page(body))
}

/// One of a venue's tables, for a download: `ratings` (every rating, up to
/// the export limit), `violations` or `tiers`.
pub(super) async fn venue_table(
    signed_in: &SignedIn,
    state: &AppState,
    names: &Names,
    venue_id: i64,
    name: &str,
) -> Result<Option<(Table, String)>, PageError> {
    if !matches!(name, "ratings" | "violations" | "tiers") {
        return Ok(None);
    }
    let per_page = if name == "ratings" {
        EXPORT_MAX_ROWS
    } else {
        1
    };
    let data = load(signed_in, state, venue_id, 1, per_page).await?;
    let [ratings_title, violations_title, history_title] = titles(names, &data.venue);
    let table = match name {
        "ratings" => ratings_table(names, ratings_title, &data.ratings.items).table,
        "violations" => violations_table(names, violations_title, &data.violations).table,
        "tiers" => tier_history_table(names, history_title, &data.tier_history).table,
        _ => return Ok(None),
    };
    Ok(Some((table, format!("venue-{venue_id}-{name}"))))
}
