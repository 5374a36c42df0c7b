//! Public score pages: `/v/{id}` (one venue's score), `/rankings` and
//! `/about/scores` (the published method), in zh-CN and English.
//!
//! Handlers load through the same functions as the JSON routes and hand plain
//! data to pure render functions, which the unit tests call without a
//! database. Like the rating page, every page inlines its CSS and loads
//! nothing else; the trend chart is inline SVG drawn here.

use std::fmt::Write as _;

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::AppState;
use super::rankings::{RankingPage, RankingQuery, load_ranking, parse_ranking_query};
use super::rating_page::LANG_COOKIE;
use super::scores::{TrendWeek, VenueScore, load_venue_score};
use super::venues::parse_id;
use crate::domain::credit::{RuleSet, Tier};
use crate::domain::day::china_offset;
use crate::domain::rating::Tag;
use crate::domain::region::RegionTree;
use crate::domain::scoring::ScoringParams;
use crate::error::{ApiError, RETRY_AFTER_UNAVAILABLE_SECS};
use crate::i18n::{Lang, Messages, messages};
use crate::store::reference::CategoryRow;
use crate::store::venues::{self, Venue};

/// The stylesheet shared with the rating pages, inlined into `<style>`.
const PAGE_CSS: &str = include_str!("../../web/static/pages.css");
/// Inline style only: these pages run no script and load nothing.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/// Served only if a template failed to render, which plain string fields cannot cause.
const FALLBACK_DOCUMENT: &str = "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>qrfeedback</title>\
<p>服务暂时不可用，请稍后再试。 The service is briefly unavailable; please try again.</p></html>";
/// Shown for a number that does not exist (an unpublished or unrated measure).
const NO_VALUE: &str = "—";
/// Up to this many regions the picker lists the whole tree; beyond it, only
/// the provinces and the chosen province's subtree, so the page stays small.
const REGION_OPTIONS_FULL_TREE_MAX: usize = 400;
/// Indentation of one level in the region picker (no-break spaces survive in `<option>`).
const REGION_INDENT: &str = "\u{a0}\u{a0}\u{a0}";

/// Reference data the pages name things with.
pub struct Reference<'a> {
    /// The region tree.
    pub regions: &'a RegionTree,
    /// Every category.
    pub categories: &'a [CategoryRow],
}

impl Reference<'_> {
    fn region_name(&self, lang: Lang, code: &str) -> Option<&str> {
        self.regions
            .get(code)
            .map(|r| pick(lang, &r.name_zh, &r.name_en))
    }

    fn category_name(&self, lang: Lang, key: &str) -> Option<&str> {
        self.categories
            .iter()
            .find(|c| c.key == key)
            .map(|c| pick(lang, &c.name_zh, &c.name_en))
    }
}

fn pick<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// Parts every page shares through `base.html`; the field names are the template's.
struct Chrome {
    lang_tag: &'static str,
    other_lang_tag: &'static str,
    m: &'static Messages,
    title: String,
    switch_href: String,
    switch_label: &'static str,
    css: &'static str,
}

impl Chrome {
    /// `path_and_query` is the current address without `lang`; the switch adds the other language.
    fn new(lang: Lang, title: String, path: &str, query: &[(String, String)]) -> Self {
        let other = lang.other();
        Self {
            lang_tag: lang.tag(),
            other_lang_tag: other.tag(),
            m: messages(lang),
            title,
            switch_href: href(path, query, Some(other)),
            switch_label: &messages(lang).meta.switch_label,
            css: PAGE_CSS,
        }
    }
}

/// `path?query&lang=…`, percent-encoded; `lang` is dropped from `query` and added as given.
fn href(path: &str, query: &[(String, String)], lang: Option<Lang>) -> String {
    let mut pairs: Vec<(&str, &str)> = query
        .iter()
        .filter(|(k, v)| k != "lang" && !v.is_empty())
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if let Some(lang) = lang {
        pairs.push(("lang", lang.tag()));
    }
    // Encoding plain string pairs cannot fail; an empty query is the safe answer if it did.
    let query = serde_html_form::to_string(&pairs).unwrap_or_default();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

fn render_document(page: &impl Template) -> String {
    page.render().unwrap_or_else(|err| {
        // Only a failing Display impl reaches this; the fields are strings and numbers.
        tracing::error!(error = %err, "public page failed to render");
        FALLBACK_DOCUMENT.to_owned()
    })
}

/// A number as people write it: `180`, `0.5`, at most two decimals.
fn plain_number(x: f64) -> String {
    let text = format!("{x:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A score 0–100 with the one decimal the JSON API gives.
fn score_text(score: f64) -> String {
    format!("{score:.1}")
}

/// A Wilson lower bound as whole percent, rounded down so "at least" stays true.
fn confidence_pct(confidence: f64) -> i64 {
    // The tiny epsilon keeps 0.29 (stored as 0.28999…) at 29, not 28.
    ((confidence.clamp(0.0, 1.0) * 100.0 + 1e-9).floor()) as i64
}

/// `1st`, `2nd`, `3rd`, `4th`, `11th`, `21st` …
fn english_ordinal(n: i64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// "第 3 / 12" or "3rd of 12".
fn rank_text(m: &Messages, rank: i64, of: i64) -> String {
    m.public
        .rank_of
        .replace("{ordinal}", &english_ordinal(rank))
        .replace("{rank}", &rank.to_string())
        .replace("{of}", &of.to_string())
}

fn confidence_short(m: &Messages, confidence: f64) -> String {
    m.public
        .confidence_short
        .replace("{pct}", &confidence_pct(confidence).to_string())
}

/// A tier letter with its name, for a badge.
struct TierView {
    letter: &'static str,
    name: &'static str,
    sr: String,
}

fn tier_view(m: &'static Messages, stored: Option<&str>) -> Option<TierView> {
    let tier = Tier::parse(stored?)?;
    let index = match tier {
        Tier::A => 0,
        Tier::B => 1,
        Tier::C => 2,
        Tier::D => 3,
    };
    let name = &m.public.tier_names[index];
    Some(TierView {
        letter: tier.letter(),
        name,
        sr: m
            .public
            .tier_sr
            .replace("{tier}", tier.letter())
            .replace("{name}", name),
    })
}

/// The links between the score pages.
struct NavLinks {
    label: &'static str,
    rankings: &'static str,
    method: &'static str,
}

impl NavLinks {
    fn new(m: &'static Messages) -> Self {
        Self {
            label: &m.public.nav_label,
            rankings: &m.public.nav_rankings,
            method: &m.public.nav_method,
        }
    }
}

// ---------------------------------------------------------------- venue page

/// One row of the star histogram, 5★ first.
struct HistogramRow {
    stars: u8,
    sr: String,
    count: i64,
    /// Share of all ratings in whole percent, the bar's width.
    pct: i64,
}

/// One measured week of the trend, for the table under the chart.
struct TrendRow {
    week_start: String,
    ratings: i64,
    score: String,
}

/// The confidence as a figure and as a sentence that explains it.
struct ConfidenceView {
    figure: String,
    sentence: String,
}

struct DimensionRow {
    label: &'static str,
    value: String,
}

struct RankRow {
    region: String,
    rank: String,
}

struct TagCount {
    label: &'static str,
    count: i64,
}

#[derive(Template)]
#[template(path = "venue.html")]
struct VenuePageView<'a> {
    chrome: Chrome,
    m: &'static Messages,
    nav: NavLinks,
    name: &'a str,
    meta: String,
    score: Option<String>,
    unpublished: String,
    ratings: String,
    confidence: Option<ConfidenceView>,
    updated: Option<String>,
    tier: Option<TierView>,
    tier_reasons: Vec<&'a str>,
    rules_version: Option<String>,
    ranks: Vec<RankRow>,
    ranking_href: String,
    ranking_text: String,
    dimensions: Vec<DimensionRow>,
    histogram: Vec<HistogramRow>,
    trend_svg: String,
    trend_rows: Vec<TrendRow>,
    tags: Vec<TagCount>,
}

/// The venue's region and the regions above it, nearest first, without the province.
fn region_line(lang: Lang, reference: &Reference, code: &str) -> String {
    let ancestors = reference.regions.ancestors(code);
    let names: Vec<&str> = ancestors
        .iter()
        .filter(|r| r.parent_code.is_some() || ancestors.len() == 1)
        .map(|r| pick(lang, &r.name_zh, &r.name_en))
        .collect();
    if names.is_empty() {
        code.to_owned()
    } else {
        names.join(" · ")
    }
}

/// The region the venue's ranking link opens: its prefecture, else its province.
fn ranking_region(reference: &Reference, score: &VenueScore, region_code: &str) -> Option<String> {
    if let Some(rank) = &score.rank.prefecture {
        return Some(rank.region_code.clone());
    }
    let path = reference.regions.path(region_code)?;
    Some(path.prefecture.unwrap_or(path.province))
}

fn histogram_rows(m: &Messages, histogram: &[i64; 5]) -> Vec<HistogramRow> {
    let total: i64 = histogram.iter().sum();
    (1u8..=5)
        .rev()
        .map(|stars| {
            let count = histogram[usize::from(stars - 1)];
            HistogramRow {
                stars,
                sr: m.rating.stars_sr.replace("{n}", &stars.to_string()),
                count,
                pct: if total > 0 {
                    (count * 100 + total / 2) / total
                } else {
                    0
                },
            }
        })
        .collect()
}

fn tag_counts(m: &'static Messages, score: &VenueScore) -> Vec<TagCount> {
    let mut tags: Vec<TagCount> = score
        .tags
        .iter()
        .filter(|(_, count)| **count > 0)
        .filter_map(|(key, count)| {
            Some(TagCount {
                label: m.tag_label(Tag::parse(key).ok()?),
                count: *count,
            })
        })
        .collect();
    tags.sort_by_key(|tag| std::cmp::Reverse(tag.count));
    tags
}

fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&china_offset())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The public page of one venue, `GET /v/{id}`.
pub fn venue_page(
    lang: Lang,
    venue: &Venue,
    score: &VenueScore,
    params: &ScoringParams,
    reference: &Reference,
) -> String {
    let m = messages(lang);
    let texts = &m.venue_page;
    let category = reference
        .category_name(lang, &venue.category)
        .unwrap_or(&venue.category);
    let meta = format!(
        "{category} · {}",
        region_line(lang, reference, &venue.region_code)
    );
    // Never a number that is not published, not even a dimension.
    let published = score.published && score.score.is_some();
    let shown = |value: Option<f64>| match value {
        Some(v) if published => score_text(v),
        _ => NO_VALUE.to_owned(),
    };
    let mut ratings = texts
        .ratings
        .replace("{count}", &score.ratings.to_string())
        .replace("{window}", &params.publish_window_days.to_string());
    if score.today > 0 {
        ratings.push_str(" · ");
        ratings.push_str(&texts.today.replace("{count}", &score.today.to_string()));
    }
    let ranks = [&score.rank.prefecture, &score.rank.province]
        .into_iter()
        .flatten()
        .map(|rank| RankRow {
            region: reference
                .region_name(lang, &rank.region_code)
                .unwrap_or(&rank.region_code)
                .to_owned(),
            rank: rank_text(m, rank.rank, rank.of),
        })
        .collect();
    let ranking_code = ranking_region(reference, score, &venue.region_code);
    let ranking_region_name = ranking_code
        .as_deref()
        .and_then(|code| reference.region_name(lang, code))
        .unwrap_or_default();
    let mut ranking_query = vec![("category".to_owned(), venue.category.clone())];
    if let Some(code) = &ranking_code {
        ranking_query.insert(0, ("region".to_owned(), code.clone()));
    }
    let trend_label = &texts.trend_title;
    let trend_desc = trend_description(m, &score.trend);
    render_document(&VenuePageView {
        chrome: Chrome::new(
            lang,
            format!("{} · {}", venue.name, texts.title),
            &format!("/v/{}", venue.id),
            &[],
        ),
        m,
        nav: NavLinks::new(m),
        name: &venue.name,
        meta,
        score: published.then(|| shown(score.score)),
        unpublished: texts
            .unpublished_body
            .replace("{min}", &params.min_ratings_to_publish.to_string())
            .replace("{window}", &params.publish_window_days.to_string())
            .replace("{count}", &score.ratings.to_string()),
        ratings,
        confidence: (score.ratings > 0).then(|| ConfidenceView {
            figure: confidence_short(m, score.confidence),
            sentence: texts
                .confidence_body
                .replace("{pct}", &confidence_pct(score.confidence).to_string()),
        }),
        updated: score
            .computed_at
            .map(|at| texts.updated.replace("{time}", &local_time(at))),
        tier: tier_view(m, score.tier.as_deref()),
        tier_reasons: score
            .tier_reasons
            .iter()
            .map(|r| pick(lang, &r.zh, &r.en))
            .collect(),
        rules_version: score
            .rule_set_version
            .as_deref()
            .map(|v| texts.tier_rules_version.replace("{version}", v)),
        ranks,
        ranking_href: href("/rankings", &ranking_query, None),
        ranking_text: texts
            .ranking_link
            .replace("{category}", category)
            .replace("{region}", ranking_region_name),
        dimensions: vec![
            DimensionRow {
                label: &m.rating.environment,
                value: shown(score.dimensions.environment),
            },
            DimensionRow {
                label: &m.rating.skill,
                value: shown(score.dimensions.skill),
            },
            DimensionRow {
                label: &m.rating.attitude,
                value: shown(score.dimensions.attitude),
            },
        ],
        histogram: histogram_rows(m, &score.histogram),
        trend_svg: trend_svg(&score.trend, trend_label, &trend_desc),
        trend_rows: score
            .trend
            .iter()
            .filter(|w| w.ratings > 0)
            .map(|w| TrendRow {
                week_start: w.week_start.to_string(),
                ratings: w.ratings,
                score: w.score.map_or_else(|| NO_VALUE.to_owned(), score_text),
            })
            .collect(),
        tags: tag_counts(m, score),
    })
}

fn trend_description(m: &Messages, weeks: &[TrendWeek]) -> String {
    let (Some(first), Some(last)) = (weeks.first(), weeks.last()) else {
        return m.venue_page.trend_empty.clone();
    };
    let measured = weeks.iter().filter(|w| w.score.is_some()).count();
    if measured == 0 {
        return m.venue_page.trend_empty.clone();
    }
    m.venue_page
        .trend_desc
        .replace("{first}", &first.week_start.to_string())
        .replace("{last}", &last.week_start.to_string())
        .replace("{weeks}", &measured.to_string())
}

// ------------------------------------------------------------- trend chart

/// The chart's coordinate system (SVG user units; the SVG scales to its box).
const CHART_WIDTH: f64 = 320.0;
const CHART_HEIGHT: f64 = 150.0;
const PLOT_LEFT: f64 = 30.0;
const PLOT_RIGHT: f64 = 314.0;
const PLOT_TOP: f64 = 10.0;
const PLOT_BOTTOM: f64 = 124.0;

/// Escapes text for SVG/HTML content and attributes.
fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// x of the centre of week `index` of `count`.
fn week_x(index: usize, count: usize) -> f64 {
    let step = (PLOT_RIGHT - PLOT_LEFT) / count.max(1) as f64;
    PLOT_LEFT + step * (index as f64 + 0.5)
}

/// y of a score 0–100.
fn score_y(score_0_100: f64) -> f64 {
    PLOT_BOTTOM - score_0_100.clamp(0.0, 100.0) / 100.0 * (PLOT_BOTTOM - PLOT_TOP)
}

/// The weekly trend as an inline SVG line chart: one line per run of weeks
/// with ratings (weeks without ratings leave a gap), a dot per measured week,
/// grid lines and labels at 0, 50 and 100, and the first and last week below.
pub fn trend_svg(weeks: &[TrendWeek], title: &str, desc: &str) -> String {
    let mut svg = String::with_capacity(2048);
    // Writing into a String cannot fail, so the fmt::Results below are ignored.
    let _ = write!(
        svg,
        "<svg class=\"trend\" viewBox=\"0 0 {CHART_WIDTH} {CHART_HEIGHT}\" role=\"img\" \
         aria-label=\"{label}\" aria-describedby=\"trend-desc\">\
         <title>{label}</title><desc id=\"trend-desc\">{desc}</desc>",
        label = escape_xml(title),
        desc = escape_xml(desc),
    );
    for value in [0.0, 50.0, 100.0] {
        let y = score_y(value);
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{PLOT_LEFT}\" x2=\"{PLOT_RIGHT}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"axis\" x=\"{x:.1}\" y=\"{ty:.1}\" text-anchor=\"end\">{value}</text>",
            x = PLOT_LEFT - 4.0,
            ty = y + 3.5,
        );
    }
    if let (Some(first), Some(last)) = (weeks.first(), weeks.last()) {
        let y = PLOT_BOTTOM + 18.0;
        let _ = write!(
            svg,
            "<text class=\"axis\" x=\"{PLOT_LEFT}\" y=\"{y}\">{}</text>\
             <text class=\"axis\" x=\"{PLOT_RIGHT}\" y=\"{y}\" text-anchor=\"end\">{}</text>",
            first.week_start, last.week_start,
        );
    }
    let points: Vec<Option<(f64, f64)>> = weeks
        .iter()
        .enumerate()
        .map(|(i, w)| w.score.map(|s| (week_x(i, weeks.len()), score_y(s))))
        .collect();
    for run in points.split(Option::is_none) {
        if run.len() < 2 {
            continue;
        }
        svg.push_str("<polyline class=\"line\" points=\"");
        for (i, (x, y)) in run.iter().flatten().enumerate() {
            let sep = if i == 0 { "" } else { " " };
            let _ = write!(svg, "{sep}{x:.1},{y:.1}");
        }
        svg.push_str("\"/>");
    }
    for (x, y) in points.iter().flatten() {
        let _ = write!(
            svg,
            "<circle class=\"pt\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\"/>"
        );
    }
    svg.push_str("</svg>");
    svg
}

// ------------------------------------------------------------- rankings page

/// One `<option>` of a picker.
struct SelectOption {
    value: String,
    label: String,
    selected: bool,
}

/// One ranked venue row.
struct RankedRow {
    rank: String,
    href: String,
    name: String,
    place: String,
    score: Option<String>,
    ratings: i64,
    confidence: String,
    tier: Option<TierView>,
}

/// Prev/next links.
struct Pager {
    text: String,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "rankings.html")]
struct RankingsPageView {
    chrome: Chrome,
    m: &'static Messages,
    nav: NavLinks,
    scope: String,
    notice: Option<String>,
    regions: Vec<SelectOption>,
    categories: Vec<SelectOption>,
    ranked: Option<Vec<RankedRow>>,
    pager: Option<Pager>,
}

/// Why a ranking query was refused; the page shows the form with a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankingRefusal {
    /// The region is not a six-digit code.
    BadRegion,
    /// The category key is unknown.
    BadCategory,
    /// Anything else: a bad page number, a garbled query.
    BadQuery,
}

impl RankingRefusal {
    /// Reads the refusal out of `parse_ranking_query`'s error slug.
    fn from_slug(slug: &str) -> Self {
        match slug {
            "invalid-region-code" => Self::BadRegion,
            "unknown-category" => Self::BadCategory,
            _ => Self::BadQuery,
        }
    }
}

/// Every region as an option: each province, then its prefectures and their
/// counties, indented by level.
fn region_options(lang: Lang, regions: &RegionTree, selected: Option<&str>) -> Vec<SelectOption> {
    let option = |code: &str, depth: usize| {
        regions.get(code).map(|r| SelectOption {
            value: r.code.clone(),
            label: format!(
                "{}{}",
                REGION_INDENT.repeat(depth),
                pick(lang, &r.name_zh, &r.name_en)
            ),
            selected: selected == Some(r.code.as_str()),
        })
    };
    let subtree = |province: &str, out: &mut Vec<SelectOption>| {
        for prefecture in regions.children(province) {
            out.extend(option(prefecture, 1));
            for county in regions.children(prefecture) {
                out.extend(option(county, 2));
            }
        }
    };
    let mut all = Vec::new();
    for province in regions.provinces() {
        all.extend(option(province, 0));
        subtree(province, &mut all);
    }
    if all.len() <= REGION_OPTIONS_FULL_TREE_MAX {
        return all;
    }
    let chosen_province = selected
        .and_then(|code| regions.path(code))
        .map(|path| path.province);
    let mut some = Vec::new();
    for province in regions.provinces() {
        some.extend(option(province, 0));
        if chosen_province.as_deref() == Some(province.as_str()) {
            subtree(province, &mut some);
        }
    }
    some
}

fn category_options(
    lang: Lang,
    categories: &[CategoryRow],
    selected: Option<&str>,
) -> Vec<SelectOption> {
    categories
        .iter()
        .map(|c| SelectOption {
            value: c.key.clone(),
            label: pick(lang, &c.name_zh, &c.name_en).to_owned(),
            selected: selected == Some(c.key.as_str()),
        })
        .collect()
}

/// The trimmed, non-empty value of an optional query field.
fn field(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The rankings page, `GET /rankings`: the pickers, and either the ranked
/// table of `outcome` or the notice why the query was refused.
pub fn rankings_page(
    lang: Lang,
    query: &RankingQuery,
    outcome: Result<&RankingPage, RankingRefusal>,
    reference: &Reference,
) -> String {
    let m = messages(lang);
    let texts = &m.rankings_page;
    let region = field(&query.region);
    let category = field(&query.category);
    let region_name = region
        .and_then(|code| reference.region_name(lang, code))
        .unwrap_or(&texts.all_regions);
    let category_name = category
        .and_then(|key| reference.category_name(lang, key))
        .unwrap_or(&texts.all_categories);
    let mut current: Vec<(String, String)> = Vec::new();
    for (key, value) in [
        ("region", region),
        ("category", category),
        ("per_page", field(&query.per_page)),
    ] {
        if let Some(value) = value {
            current.push((key.to_owned(), value.to_owned()));
        }
    }
    let page_href = |page: i64| {
        let mut pairs = current.clone();
        if page > 1 {
            pairs.push(("page".to_owned(), page.to_string()));
        }
        href("/rankings", &pairs, Some(lang))
    };
    let (notice, ranked, pager) = match outcome {
        Err(refusal) => {
            let text = match refusal {
                RankingRefusal::BadRegion => &texts.bad_region,
                RankingRefusal::BadCategory => &texts.bad_category,
                RankingRefusal::BadQuery => &texts.bad_query,
            };
            (Some(text.clone()), None, None)
        }
        Ok(page) => {
            let rows = page
                .items
                .iter()
                .map(|item| RankedRow {
                    rank: item
                        .rank
                        .map_or_else(|| NO_VALUE.to_owned(), |r| r.to_string()),
                    href: format!("/v/{}", item.venue_id),
                    name: item.name.clone(),
                    place: reference
                        .region_name(lang, &item.region_code)
                        .unwrap_or(&item.region_code)
                        .to_owned(),
                    score: item
                        .score
                        .filter(|_| item.published && item.rank.is_some())
                        .map(score_text),
                    ratings: item.ratings,
                    confidence: confidence_short(m, item.confidence),
                    tier: tier_view(m, item.tier.as_deref()),
                })
                .collect();
            let per_page = page.per_page.max(1);
            let pages = ((page.total + per_page - 1) / per_page).max(1);
            let pager = (pages > 1 || page.page > 1).then(|| Pager {
                text: texts
                    .page_of
                    .replace("{page}", &page.page.to_string())
                    .replace("{pages}", &pages.to_string()),
                prev: (page.page > 1).then(|| page_href((page.page - 1).min(pages))),
                next: (page.page < pages).then(|| page_href(page.page + 1)),
            });
            (None, Some(rows), pager)
        }
    };
    let mut switch_query = current.clone();
    if let Some(page) = field(&query.page) {
        switch_query.push(("page".to_owned(), page.to_owned()));
    }
    render_document(&RankingsPageView {
        chrome: Chrome::new(lang, texts.title.clone(), "/rankings", &switch_query),
        m,
        nav: NavLinks::new(m),
        scope: format!("{category_name} · {region_name}"),
        notice,
        regions: region_options(lang, reference.regions, region),
        categories: category_options(lang, reference.categories, category),
        ranked,
        pager,
    })
}

// ------------------------------------------------------------- method page

/// One configured constant.
struct ConstantRow {
    name: &'static str,
    value: String,
}

/// One tier rule in words.
struct RuleRow {
    tier: Option<TierView>,
    text: String,
}

#[derive(Template)]
#[template(path = "about_scores.html")]
struct AboutScoresView {
    chrome: Chrome,
    m: &'static Messages,
    nav: NavLinks,
    weight_body: String,
    weight_formula: String,
    smoothed_body: String,
    smoothed_formula: String,
    prior_province: String,
    prior_national: String,
    prior_fallback: String,
    publish_body: String,
    tiers_intro: String,
    rules: Vec<RuleRow>,
    constants: Vec<ConstantRow>,
}

/// The published method, `GET /about/scores`, written from the constants and rule set in use.
pub fn about_scores_page(lang: Lang, params: &ScoringParams, rules: &RuleSet) -> String {
    let m = messages(lang);
    let texts = &m.about_scores;
    let half_life = plain_number(params.half_life_days);
    let m_weight = plain_number(params.prior_weight_ratings);
    let prior_min = params.prior_min_ratings.to_string();
    let fallback = plain_number(params.fallback_prior_0_100);
    let min_publish = params.min_ratings_to_publish.to_string();
    let window = params.publish_window_days.to_string();
    let days = |n: &str| texts.days.replace("{n}", n);
    let ratings = |n: &str| texts.ratings.replace("{n}", n);
    render_document(&AboutScoresView {
        chrome: Chrome::new(lang, texts.title.clone(), "/about/scores", &[]),
        m,
        nav: NavLinks::new(m),
        weight_body: texts.weight_body.replace("{half_life}", &half_life),
        weight_formula: texts.weight_formula.replace("{half_life}", &half_life),
        smoothed_body: texts.smoothed_body.replace("{m}", &m_weight),
        smoothed_formula: texts.smoothed_formula.replace("{m}", &m_weight),
        prior_province: texts.prior_province.replace("{min}", &prior_min),
        prior_national: texts.prior_national.replace("{min}", &prior_min),
        prior_fallback: texts.prior_fallback.replace("{fallback}", &fallback),
        publish_body: texts
            .publish_body
            .replace("{min}", &min_publish)
            .replace("{window}", &window),
        tiers_intro: texts.tiers_intro.replace("{version}", rules.version()),
        rules: rules
            .describe()
            .into_iter()
            .map(|rule| RuleRow {
                tier: tier_view(m, Some(rule.tier.letter())),
                text: match lang {
                    Lang::Zh => rule.zh,
                    Lang::En => rule.en,
                },
            })
            .collect(),
        constants: vec![
            ConstantRow {
                name: &texts.half_life,
                value: days(&half_life),
            },
            ConstantRow {
                name: &texts.prior_weight,
                value: ratings(&m_weight),
            },
            ConstantRow {
                name: &texts.prior_min,
                value: ratings(&prior_min),
            },
            ConstantRow {
                name: &texts.fallback,
                value: fallback.clone(),
            },
            ConstantRow {
                name: &texts.min_publish,
                value: ratings(&min_publish),
            },
            ConstantRow {
                name: &texts.window,
                value: days(&window),
            },
        ],
    })
}

// ------------------------------------------------------------- error pages

/// Which friendly error page to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicError {
    /// No such venue (404).
    VenueNotFound,
    /// No such region (404).
    RegionNotFound,
    /// Postgres is unreachable (503).
    Unavailable,
    /// Anything else that went wrong (500); details are only logged.
    Failed,
}

impl PublicError {
    fn status(self) -> StatusCode {
        match self {
            Self::VenueNotFound | Self::RegionNotFound => StatusCode::NOT_FOUND,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Failed => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

#[derive(Template)]
#[template(
    ext = "html",
    source = "{% extends \"base.html\" %}{% block content %}\
<section class=\"result\"><p class=\"mark warn\" aria-hidden=\"true\">!</p>\
<h1>{{ title }}</h1><p>{{ body }}</p><p class=\"hint\">{{ m.public_errors.help }}</p></section>\
<nav class=\"pages\" aria-label=\"{{ nav.label }}\"><a href=\"/rankings\">{{ nav.rankings }}</a>\
<a href=\"/about/scores\">{{ nav.method }}</a></nav>{% endblock %}"
)]
struct PublicErrorView {
    chrome: Chrome,
    m: &'static Messages,
    nav: NavLinks,
    title: &'static str,
    body: &'static str,
}

/// A friendly error page in the score pages' look; never shows internals.
pub fn public_error_page(lang: Lang, which: PublicError) -> String {
    let m = messages(lang);
    let (title, body) = match which {
        PublicError::VenueNotFound => (
            &m.public_errors.venue_not_found_title,
            &m.public_errors.venue_not_found_body,
        ),
        PublicError::RegionNotFound => (
            &m.public_errors.region_not_found_title,
            &m.public_errors.region_not_found_body,
        ),
        PublicError::Unavailable => (&m.errors.unavailable_title, &m.errors.unavailable_body),
        PublicError::Failed => (&m.public_errors.failed_title, &m.public_errors.failed_body),
    };
    render_document(&PublicErrorView {
        // The switch reloads the same address in the other language.
        chrome: Chrome::new(lang, title.clone(), "", &[]),
        m,
        nav: NavLinks::new(m),
        title,
        body,
    })
}

// ---------------------------------------------------------------- handlers

#[derive(Debug, Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

/// The page language and whether the visitor chose it explicitly with `?lang=`.
fn page_language(req: &HttpRequest) -> (Lang, bool) {
    // A garbled query string just means no explicit language.
    let chosen = web::Query::<LangQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.into_inner().lang)
        .filter(|l| Lang::from_tag(l).is_some());
    let cookie = req.cookie(LANG_COOKIE);
    let explicit = chosen
        .as_deref()
        .or(cookie.as_ref().map(|c| c.value()))
        .filter(|l| !l.is_empty());
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    (Lang::negotiate(explicit, accept), chosen.is_some())
}

fn html(
    state: &AppState,
    lang: Lang,
    remember_lang: bool,
    status: StatusCode,
    body: String,
) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "no-referrer"));
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.insert_header((header::RETRY_AFTER, RETRY_AFTER_UNAVAILABLE_SECS));
    }
    if remember_lang {
        // Same cookie as the rating page's switch, so the choice follows the visitor.
        response.cookie(
            Cookie::build(LANG_COOKIE, lang.tag())
                .path("/")
                .secure(state.settings.public_base_url.starts_with("https://"))
                .same_site(SameSite::Lax)
                .max_age(CookieDuration::days(400))
                .finish(),
        );
    }
    response.body(body)
}

fn error_response(state: &AppState, lang: Lang, which: PublicError) -> HttpResponse {
    html(
        state,
        lang,
        false,
        which.status(),
        public_error_page(lang, which),
    )
}

/// The error page for a failed load; `not_found` says which "not found" it is.
fn failure(state: &AppState, lang: Lang, err: ApiError, not_found: PublicError) -> HttpResponse {
    let which = match err {
        ApiError::NotFound(_) => not_found,
        ApiError::Unavailable => PublicError::Unavailable,
        other => {
            tracing::warn!(error = %other, "public page failed");
            PublicError::Failed
        }
    };
    error_response(state, lang, which)
}

/// `GET /v/{id}`: a venue's public score page.
pub async fn venue(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    let (lang, chosen) = page_language(&req);
    let Ok(id) = parse_id(&path) else {
        return error_response(&state, lang, PublicError::VenueNotFound);
    };
    let loaded = async {
        let venue = venues::get(&state.pool, id)
            .await?
            .ok_or(ApiError::NotFound("venue"))?;
        let score = load_venue_score(&state, id).await?;
        let regions = state.scores.regions().await?;
        let categories = state.scores.categories().await?;
        Ok::<_, ApiError>((venue, score, regions, categories))
    }
    .await;
    match loaded {
        Ok((venue, score, regions, categories)) => {
            let reference = Reference {
                regions: &regions,
                categories: &categories,
            };
            let body = venue_page(lang, &venue, &score, state.scores.params(), &reference);
            html(&state, lang, chosen, StatusCode::OK, body)
        }
        Err(err) => failure(&state, lang, err, PublicError::VenueNotFound),
    }
}

/// `GET /rankings?region=&category=&page=`: the ranking pickers and table.
pub async fn rankings(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let (lang, chosen) = page_language(&req);
    // The pickers show what was asked for even when the query is refused.
    let raw: RankingQuery = serde_html_form::from_str(req.query_string()).unwrap_or_default();
    let reference_data = async {
        Ok::<_, ApiError>((
            state.scores.regions().await?,
            state.scores.categories().await?,
        ))
    }
    .await;
    let (regions, categories) = match reference_data {
        Ok(data) => data,
        Err(err) => return failure(&state, lang, err, PublicError::RegionNotFound),
    };
    let reference = Reference {
        regions: &regions,
        categories: &categories,
    };
    let (status, outcome) = match parse_ranking_query(&state, req.query_string()).await {
        Ok(request) => match load_ranking(&state, &request).await {
            Ok(page) => (StatusCode::OK, Ok(page)),
            Err(err) => return failure(&state, lang, err, PublicError::RegionNotFound),
        },
        Err(ApiError::Invalid { kind, .. }) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Err(RankingRefusal::from_slug(kind)),
        ),
        Err(err) => return failure(&state, lang, err, PublicError::RegionNotFound),
    };
    let body = rankings_page(lang, &raw, outcome.as_ref().map_err(|r| *r), &reference);
    html(&state, lang, chosen, status, body)
}

/// `GET /about/scores`: the published method with the constants in use.
pub async fn about_scores(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let (lang, chosen) = page_language(&req);
    let body = about_scores_page(lang, state.scores.params(), state.scores.rules());
    html(&state, lang, chosen, StatusCode::OK, body)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{Duration, NaiveDate, TimeZone};

    use super::*;
    use crate::domain::region::{Region, RegionLevel};
    use crate::http::rankings::RankingItem;
    use crate::http::scores::{DimensionScores, Ranks, RegionRank, TierReason};

    const BOTH: [Lang; 2] = [Lang::Zh, Lang::En];
    const PAGE_BUDGET_BYTES: usize = 30 * 1024;

    fn region(code: &str, parent: Option<&str>, level: RegionLevel, zh: &str, en: &str) -> Region {
        Region {
            code: code.into(),
            parent_code: parent.map(Into::into),
            level,
            name_zh: zh.into(),
            name_en: en.into(),
        }
    }

    fn regions() -> RegionTree {
        use RegionLevel::*;
        RegionTree::new(vec![
            region("650000", None, Province, "新疆维吾尔自治区", "Xinjiang"),
            region(
                "652800",
                Some("650000"),
                Prefecture,
                "巴音郭楞蒙古自治州",
                "Bayingolin",
            ),
            region("652801", Some("652800"), County, "库尔勒市", "Korla City"),
            region("652822", Some("652800"), County, "轮台县", "Luntai County"),
        ])
    }

    fn categories() -> Vec<CategoryRow> {
        vec![CategoryRow {
            key: "hotel".into(),
            group_key: "enterprise".into(),
            name_zh: "星级饭店".into(),
            name_en: "Hotel".into(),
        }]
    }

    fn venue() -> Venue {
        Venue {
            id: 42,
            name: "孔雀河酒店".into(),
            address: None,
            region_code: "652801".into(),
            category: "hotel".into(),
            code: "c0de".into(),
            created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    fn monday() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()
    }

    /// 26 weeks; weeks 3, 4, 5, 10 and 25 have ratings.
    fn trend() -> Vec<TrendWeek> {
        (0..26)
            .map(|i| {
                let score = match i {
                    3 => Some(50.0),
                    4 => Some(75.0),
                    5 => Some(100.0),
                    10 => Some(0.0),
                    25 => Some(62.5),
                    _ => None,
                };
                TrendWeek {
                    week_start: monday() + Duration::weeks(i),
                    ratings: i64::from(score.is_some()) * 2,
                    score,
                }
            })
            .collect()
    }

    fn published_score() -> VenueScore {
        VenueScore {
            venue_id: 42,
            published: true,
            score: Some(71.7),
            confidence: 0.376,
            ratings: 5,
            histogram: [0, 1, 0, 2, 2],
            dimensions: DimensionScores {
                environment: None,
                skill: Some(66.0),
                attitude: Some(78.6),
            },
            tags: BTreeMap::from([("clean".to_owned(), 3), ("long_wait".to_owned(), 1)]),
            today: 5,
            tier: Some("B".into()),
            tier_reasons: vec![TierReason {
                input: "score".into(),
                en: "score 71.7 < 85".into(),
                zh: "评分 71.7 < 85".into(),
            }],
            rule_set_version: Some("default-2026.1".into()),
            rank: Ranks {
                prefecture: Some(RegionRank {
                    region_code: "652800".into(),
                    rank: 3,
                    of: 12,
                }),
                province: Some(RegionRank {
                    region_code: "650000".into(),
                    rank: 21,
                    of: 40,
                }),
            },
            trend: trend(),
            priors: serde_json::Value::Null,
            method: "age_weighted_smoothed_mean",
            computed_at: Some(Utc.with_ymd_and_hms(2026, 6, 1, 4, 30, 0).unwrap()),
        }
    }

    fn unpublished_score() -> VenueScore {
        VenueScore {
            published: false,
            score: None,
            ratings: 4,
            histogram: [0, 1, 0, 2, 1],
            // A stray stored dimension must still not be shown while unpublished.
            dimensions: DimensionScores {
                environment: Some(90.0),
                skill: None,
                attitude: None,
            },
            rank: Ranks {
                prefecture: None,
                province: None,
            },
            tier_reasons: vec![TierReason {
                input: "score".into(),
                en: "not enough ratings yet".into(),
                zh: "评分样本不足".into(),
            }],
            ..published_score()
        }
    }

    fn render_venue(lang: Lang, score: &VenueScore) -> String {
        let (regions, categories) = (regions(), categories());
        let reference = Reference {
            regions: &regions,
            categories: &categories,
        };
        venue_page(lang, &venue(), score, &ScoringParams::default(), &reference)
    }

    /// Every value of `attr="…"` in the document.
    fn attribute_values<'h>(html: &'h str, attr: &str) -> Vec<&'h str> {
        let needle = format!(" {attr}=\"");
        html.match_indices(&needle)
            .filter_map(|(at, _)| {
                let rest = &html[at + needle.len()..];
                rest.find('"').map(|end| &rest[..end])
            })
            .collect()
    }

    /// Small, complete, with nothing loaded from elsewhere and headings in order.
    fn assert_page_basics(html: &str, lang: Lang) {
        assert!(html.len() < PAGE_BUDGET_BYTES, "{} bytes", html.len());
        assert!(html.contains(&format!("<html lang=\"{}\"", lang.tag())));
        assert!(html.contains("<meta name=\"viewport\""));
        assert!(!html.contains("http://") && !html.contains("https://"));
        assert!(attribute_values(html, "src").is_empty(), "no src= at all");
        assert!(!html.contains("<script"), "no script");
        for href in attribute_values(html, "href") {
            assert!(
                href.starts_with('/') && !href.starts_with("//")
                    || href.starts_with('?')
                    || href == "data:,",
                "external href {href}"
            );
        }
        let mut previous = 0;
        for (at, _) in html.match_indices("<h") {
            let Some(level) = html[at + 2..].chars().next().and_then(|c| c.to_digit(10)) else {
                continue;
            };
            assert!(level <= previous + 1, "heading h{level} after h{previous}");
            previous = level;
        }
        assert_eq!(html.matches("<h1").count(), 1, "one h1");
        assert!(!html.contains("<th>"), "header cell without scope");
        let cells = html.matches("<th ").count();
        assert_eq!(
            cells,
            html.matches("<th scope=\"").count(),
            "header cell without scope"
        );
    }

    #[test]
    fn a_published_venue_shows_its_score_tier_ranks_and_chart() {
        let zh = render_venue(Lang::Zh, &published_score());
        let en = render_venue(Lang::En, &published_score());
        for (lang, html) in [(Lang::Zh, &zh), (Lang::En, &en)] {
            assert_page_basics(html, lang);
            assert!(html.contains("<span class=\"big\">71.7</span>"));
            assert!(html.contains("<span class=\"tier tier-B\">B</span>"));
            assert!(html.contains("<svg class=\"trend\""));
            assert!(!html.contains(&messages(lang).public.not_enough));
            assert!(html.contains("href=\"/rankings?region=652800&#38;category=hotel\""));
            assert!(html.contains("href=\"/about/scores\""));
            assert!(html.contains(&format!("href=\"/v/42?lang={}\"", lang.other().tag())));
            // Bars carry their counts as text, not only as length.
            assert!(html.contains("style=\"width:40%\"></span></span><span class=\"n\">2</span>"));
        }
        assert!(zh.contains("孔雀河酒店"));
        assert!(zh.contains("星级饭店 · 库尔勒市 · 巴音郭楞蒙古自治州"));
        assert!(zh.contains("第 3 / 12"));
        assert!(zh.contains("第 21 / 40"));
        assert!(zh.contains("评分 71.7 &#60; 85"));
        assert!(zh.contains("良好"));
        assert!(zh.contains("至少 37% 的游客"));
        assert!(zh.contains("近 365 天共 5 条评价 · 今日 5 条"));
        assert!(
            zh.contains("更新于 2026-06-01 12:30"),
            "shown in Beijing time"
        );
        assert!(en.contains("3rd of 12"));
        assert!(en.contains("21st of 40"));
        assert!(en.contains("score 71.7 &#60; 85"));
        assert!(en.contains("Hotel ranking in Bayingolin"));
        assert!(en.contains("at least 37 % of visitors"));
        assert!(en.contains("Clean <span class=\"n\">3</span>"));
        // Environment has no ratings: a dash, not a number.
        assert!(en.contains("<th scope=\"row\">Environment</th><td class=\"num\">—</td>"));
        assert!(en.contains("<th scope=\"row\">Staff attitude</th><td class=\"num\">78.6</td>"));
    }

    #[test]
    fn an_unpublished_venue_never_shows_a_number() {
        for lang in BOTH {
            let html = render_venue(lang, &unpublished_score());
            assert_page_basics(&html, lang);
            assert!(html.contains(&messages(lang).public.not_enough));
            assert!(!html.contains("class=\"big\""));
            assert!(!html.contains("71.7"));
            assert!(!html.contains("90.0"), "no dimension either");
            assert!(html.contains(&messages(lang).venue_page.rank_none));
            // Still links to the ranking of its prefecture, found from the tree.
            assert!(html.contains("/rankings?region=652800&#38;category=hotel"));
        }
        assert!(render_venue(Lang::Zh, &unpublished_score()).contains("暂无足够评价"));
        assert!(render_venue(Lang::En, &unpublished_score()).contains("Not enough ratings yet"));
        let html = render_venue(Lang::En, &unpublished_score());
        assert!(html.contains("at least 5 ratings in the last 365 days. This venue has 4."));
    }

    #[test]
    fn venue_text_is_escaped() {
        let mut hostile = venue();
        hostile.name = "<script>alert(1)</script>".into();
        let (regions, categories) = (regions(), categories());
        let reference = Reference {
            regions: &regions,
            categories: &categories,
        };
        let html = venue_page(
            Lang::En,
            &hostile,
            &published_score(),
            &ScoringParams::default(),
            &reference,
        );
        assert!(!html.contains("<script>"));
        assert!(html.contains("&#60;script&#62;alert(1)"));
    }

    #[test]
    fn the_trend_chart_leaves_gaps_and_is_labelled() {
        let svg = trend_svg(&trend(), "Weekly <average>", "desc & more");
        assert!(svg.starts_with("<svg class=\"trend\" viewBox=\"0 0 320 150\" role=\"img\""));
        assert!(svg.contains("aria-label=\"Weekly &lt;average&gt;\""));
        assert!(svg.contains("<title>Weekly &lt;average&gt;</title>"));
        assert!(svg.contains("<desc id=\"trend-desc\">desc &amp; more</desc>"));
        for label in ["0", "50", "100"] {
            assert!(svg.contains(&format!("text-anchor=\"end\">{label}</text>")));
        }
        assert!(svg.contains(">2026-01-05</text>"));
        assert!(svg.contains(">2026-06-29</text>"));
        // Weeks 3–5 are one line; weeks 10 and 25 stand alone (dots only).
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert_eq!(svg.matches("<circle").count(), 5);
        let line = &svg[svg.find("points=\"").unwrap() + 8..];
        let line = &line[..line.find('"').unwrap()];
        assert_eq!(line.split(' ').count(), 3);
        // 100 is drawn at the top of the plot, 0 at the bottom.
        assert!(svg.contains(&format!("cy=\"{PLOT_TOP:.1}\"")));
        assert!(svg.contains(&format!("cy=\"{PLOT_BOTTOM:.1}\"")));
        let empty: Vec<TrendWeek> = trend()
            .into_iter()
            .map(|w| TrendWeek {
                ratings: 0,
                score: None,
                ..w
            })
            .collect();
        let svg = trend_svg(&empty, "t", "d");
        assert!(!svg.contains("<polyline") && !svg.contains("<circle"));
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn the_trend_description_counts_measured_weeks() {
        let m = messages(Lang::En);
        let text = trend_description(m, &trend());
        assert!(text.contains("2026-01-05") && text.contains("2026-06-29"));
        assert!(text.contains("5 of 26 weeks"));
        assert_eq!(trend_description(m, &[]), m.venue_page.trend_empty);
    }

    fn ranking_page() -> RankingPage {
        let item =
            |rank: Option<i64>, id: i64, name: &str, score: Option<f64>, tier: &str| RankingItem {
                rank,
                venue_id: id,
                name: name.into(),
                region_code: "652801".into(),
                category: "hotel".into(),
                score,
                ratings: if score.is_some() { 8 } else { 2 },
                confidence: 0.5,
                tier: Some(tier.into()),
                published: score.is_some(),
            };
        RankingPage {
            items: vec![
                item(Some(21), 7, "高分酒店", Some(88.2), "A"),
                item(Some(22), 8, "低分酒店", Some(55.0), "C"),
                item(None, 9, "新酒店", None, "B"),
            ],
            page: 2,
            per_page: 20,
            total: 43,
            region: Some("652800".into()),
            category: Some("hotel".into()),
        }
    }

    fn query(region: &str, category: &str, page: &str) -> RankingQuery {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        RankingQuery {
            region: some(region),
            category: some(category),
            page: some(page),
            per_page: None,
        }
    }

    fn render_rankings(
        lang: Lang,
        query: &RankingQuery,
        outcome: Result<&RankingPage, RankingRefusal>,
    ) -> String {
        let (regions, categories) = (regions(), categories());
        let reference = Reference {
            regions: &regions,
            categories: &categories,
        };
        rankings_page(lang, query, outcome, &reference)
    }

    #[test]
    fn the_ranking_lists_venues_in_order_with_the_unpublished_last() {
        let page = ranking_page();
        for lang in BOTH {
            let html = render_rankings(lang, &query("652800", "hotel", "2"), Ok(&page));
            assert_page_basics(&html, lang);
            let positions: Vec<usize> = ["/v/7\"", "/v/8\"", "/v/9\""]
                .iter()
                .map(|link| html.find(link).unwrap_or_else(|| panic!("{link}")))
                .collect();
            assert!(positions.windows(2).all(|w| w[0] < w[1]), "rank order");
            let flag = html
                .find(&messages(lang).public.not_enough)
                .expect("flagged");
            assert!(
                flag > positions[2],
                "the flag belongs to the unpublished venue"
            );
            assert!(html.contains("<strong>88.2</strong>"));
            assert!(html.contains("<td class=\"num\">21</td>"));
            assert!(html.contains("<form method=\"get\" action=\"/rankings\""));
            assert!(html.contains("<option value=\"652800\" selected>"));
            assert!(html.contains("<option value=\"hotel\" selected>"));
            // Page 2 of 3, both ways.
            let lang_tag = lang.tag();
            assert!(html.contains(&format!(
                "href=\"/rankings?region=652800&#38;category=hotel&#38;lang={lang_tag}\" rel=\"prev\""
            )));
            assert!(html.contains(&format!(
                "href=\"/rankings?region=652800&#38;category=hotel&#38;page=3&#38;lang={lang_tag}\" rel=\"next\""
            )));
            let other = lang.other().tag();
            assert!(html.contains(&format!(
                "href=\"/rankings?region=652800&#38;category=hotel&#38;page=2&#38;lang={other}\""
            )));
        }
        let zh = render_rankings(Lang::Zh, &query("652800", "hotel", "2"), Ok(&page));
        assert!(zh.contains("第 2 / 3 页"));
        assert!(zh.contains("星级饭店 · 巴音郭楞蒙古自治州"));
        assert!(zh.contains("信用等级 A：优秀"));
        let en = render_rankings(Lang::En, &query("", "", ""), Ok(&page));
        assert!(en.contains("All categories · All regions"));
        assert!(en.contains("≥ 50 %"));
    }

    #[test]
    fn the_region_picker_lists_the_tree_indented() {
        let tree = regions();
        let options = region_options(Lang::En, &tree, Some("652801"));
        let labels: Vec<&str> = options.iter().map(|o| o.label.as_str()).collect();
        assert_eq!(
            labels,
            vec![
                "Xinjiang",
                "\u{a0}\u{a0}\u{a0}Bayingolin",
                "\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}Korla City",
                "\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}Luntai County",
            ]
        );
        let selected: Vec<&str> = options
            .iter()
            .filter(|o| o.selected)
            .map(|o| o.value.as_str())
            .collect();
        assert_eq!(selected, vec!["652801"]);
    }

    #[test]
    fn a_refused_query_shows_the_form_and_a_notice() {
        for (refusal, expected) in [
            (RankingRefusal::BadRegion, "region code is not valid"),
            (RankingRefusal::BadCategory, "category is not known"),
            (RankingRefusal::BadQuery, "could not be read"),
        ] {
            let html = render_rankings(Lang::En, &query("12x", "<b>", "0"), Err(refusal));
            assert_page_basics(&html, Lang::En);
            assert!(html.contains(expected));
            assert!(html.contains("role=\"alert\""));
            assert!(html.contains("<select id=\"region\" name=\"region\">"));
            assert!(!html.contains("<table"));
            assert!(!html.contains("<b>"));
            assert!(!html.contains(" selected>"), "nothing unknown is selected");
        }
        assert_eq!(
            RankingRefusal::from_slug("invalid-region-code"),
            RankingRefusal::BadRegion
        );
        assert_eq!(
            RankingRefusal::from_slug("unknown-category"),
            RankingRefusal::BadCategory
        );
        assert_eq!(
            RankingRefusal::from_slug("invalid-query"),
            RankingRefusal::BadQuery
        );
    }

    #[test]
    fn an_empty_ranking_says_so() {
        let page = RankingPage {
            items: Vec::new(),
            page: 1,
            per_page: 20,
            total: 0,
            region: None,
            category: None,
        };
        let html = render_rankings(Lang::Zh, &query("", "", ""), Ok(&page));
        assert!(html.contains("这里还没有场所。"));
        assert!(!html.contains("class=\"pager\""));
    }

    #[test]
    fn the_method_page_is_written_from_the_settings() {
        let rules = RuleSet::default_rules();
        for lang in BOTH {
            let html = about_scores_page(lang, &ScoringParams::default(), &rules);
            assert_page_basics(&html, lang);
            assert!(html.contains("0.5^("), "age weight");
            assert!(html.contains("S = (Σ w·s + m·μ) / (Σ w + m)"));
            assert!(html.contains("Wilson"));
            assert!(html.contains(rules.version()));
            for rule in rules.describe() {
                let text = match lang {
                    Lang::Zh => rule.zh,
                    Lang::En => rule.en,
                };
                let escaped = text.replace('<', "&#60;").replace('>', "&#62;");
                assert!(html.contains(&escaped), "{lang:?}: rule {text}");
            }
        }
        let zh = about_scores_page(Lang::Zh, &ScoringParams::default(), &rules);
        for expected in [
            "每 180 天减半",
            "m = 10",
            "至少有 50 条评价",
            "否则取 70 分",
            "近 365 天内至少有 5 条评价",
            "暂无足够评价",
        ] {
            assert!(zh.contains(expected), "zh: {expected}");
        }
        let en = about_scores_page(Lang::En, &ScoringParams::default(), &rules);
        for expected in [
            "halves every 180 days",
            "m = 10",
            "at least 50 of them",
            "otherwise 70.",
            "at least 5 ratings in the last 365 days",
            "not enough ratings yet",
            "no device identifiers",
        ] {
            assert!(en.contains(expected), "en: {expected}");
        }
    }

    #[test]
    fn changing_a_constant_changes_the_method_page() {
        let params = ScoringParams {
            half_life_days: 90.0,
            prior_weight_ratings: 12.5,
            prior_min_ratings: 80,
            fallback_prior_0_100: 65.0,
            min_ratings_to_publish: 7,
            publish_window_days: 180,
        };
        let rules = RuleSet::default_rules();
        let en = about_scores_page(Lang::En, &params, &rules);
        for expected in [
            "halves every 90 days",
            "w = 0.5^(age in days / 90)",
            "m = 12.5",
            "at least 80 of them",
            "otherwise 65.",
            "at least 7 ratings in the last 180 days",
        ] {
            assert!(en.contains(expected), "en: {expected}");
        }
        assert!(!en.contains("180 days old"));
        let zh = about_scores_page(Lang::Zh, &params, &rules);
        assert!(zh.contains("每 90 天减半"));
        assert!(zh.contains("m = 12.5"));
        assert!(zh.contains("否则取 65 分"));
    }

    #[test]
    fn error_pages_are_friendly_and_bilingual() {
        for lang in BOTH {
            for which in [
                PublicError::VenueNotFound,
                PublicError::RegionNotFound,
                PublicError::Unavailable,
                PublicError::Failed,
            ] {
                let html = public_error_page(lang, which);
                assert_page_basics(&html, lang);
                assert!(html.contains(&format!("href=\"?lang={}\"", lang.other().tag())));
                assert!(html.contains("href=\"/rankings\""));
            }
        }
        assert!(public_error_page(Lang::Zh, PublicError::VenueNotFound).contains("未找到该场所"));
        assert!(
            public_error_page(Lang::En, PublicError::Unavailable).contains("Briefly unavailable")
        );
        assert_eq!(PublicError::VenueNotFound.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            PublicError::Unavailable.status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }

    #[test]
    fn small_formatting_helpers() {
        assert_eq!(plain_number(180.0), "180");
        assert_eq!(plain_number(12.5), "12.5");
        assert_eq!(plain_number(0.333_333), "0.33");
        assert_eq!(plain_number(0.0), "0");
        let ordinals: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111]
            .into_iter()
            .map(english_ordinal)
            .collect();
        assert_eq!(
            ordinals,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st",
                "111th"
            ]
        );
        assert_eq!(confidence_pct(0.29), 29);
        assert_eq!(confidence_pct(0.376), 37);
        assert_eq!(confidence_pct(1.0), 100);
        assert_eq!(confidence_pct(-0.1), 0);
        let pairs = [
            ("region".to_owned(), "652800".to_owned()),
            ("lang".to_owned(), "zh-CN".to_owned()),
            ("category".to_owned(), String::new()),
        ];
        assert_eq!(
            href("/rankings", &pairs, Some(Lang::En)),
            "/rankings?region=652800&lang=en"
        );
        assert_eq!(href("/x", &[], None), "/x");
        assert_eq!(href("", &[], Some(Lang::Zh)), "?lang=zh-CN");
    }
}
