//! Public pages: `/` (home), `/v/{id}` (one venue's score), `/rankings`,
//! `/about/scores` (the published method) and the friendly 404, in zh-CN
//! and English.
//!
//! Handlers load through the same functions as the JSON routes and hand plain
//! data to pure render functions, which the unit tests call without a
//! database. Like the rating page, every page inlines its CSS and loads
//! nothing else; the trend chart is inline SVG drawn here.

mod about;
mod chart;
mod error_page;
mod home;
mod lists;
mod rankings;
#[cfg(test)]
mod test_support;
mod venue;

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::domain::credit::Tier;
use crate::domain::region::RegionTree;
use crate::http::AppState;
use crate::http::html::{
    Chrome, NO_SCRIPT_CSP, href, negotiate_language, page_response, render_document,
};
use crate::http::pages::visitor::rating::LANG_COOKIE;
use crate::i18n::{Lang, Messages};
use crate::store::reference::CategoryRow;

pub use about::{about_scores, about_scores_page};
pub(crate) use chart::distribution_description;
pub(crate) use chart::trend_description;
pub use chart::{distribution_svg, trend_svg};
pub use error_page::{PublicError, method_not_allowed, not_found, public_error_page};
pub use home::{HOME_TOP_VENUES, home, home_page};
pub use lists::{quality, quality_list_page, serious, serious_list_page};
pub use rankings::{RankingRefusal, rankings, rankings_page};
pub(crate) use venue::region_line;
pub(crate) use venue::{HistogramRow, histogram_rows};
pub use venue::{venue, venue_page};

/// Shown for a number that does not exist (an unpublished or unrated measure).
pub(crate) const NO_VALUE: &str = "—";

/// Reference data the pages name things with.
pub struct Reference<'a> {
    /// The region tree.
    pub regions: &'a RegionTree,
    /// Every category.
    pub categories: &'a [CategoryRow],
}

impl Reference<'_> {
    pub(crate) fn region_name(&self, lang: Lang, code: &str) -> Option<&str> {
        self.regions
            .get(code)
            .map(|r| lang.pick(&r.name_zh, &r.name_en))
    }

    pub(crate) fn category_name(&self, lang: Lang, key: &str) -> Option<&str> {
        self.categories
            .iter()
            .find(|c| c.key == key)
            .map(|c| lang.pick(&c.name_zh, &c.name_en))
    }
}

/// A number as people write it: `180`, `0.5`, at most two decimals.
fn plain_number(x: f64) -> String {
    let text = format!("{x:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A score 0–100 with the one decimal the JSON API gives.
pub(crate) fn score_text(score: f64) -> String {
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
pub(crate) fn rank_text(m: &Messages, rank: i64, of: i64) -> String {
    m.public
        .rank_of
        .replace("{ordinal}", &english_ordinal(rank))
        .replace("{rank}", &rank.to_string())
        .replace("{of}", &of.to_string())
}

pub(crate) fn confidence_short(m: &Messages, confidence: f64) -> String {
    m.public
        .confidence_short
        .replace("{pct}", &confidence_pct(confidence).to_string())
}

/// A tier letter with its name, for a badge.
pub(crate) struct TierView {
    pub(crate) letter: &'static str,
    pub(crate) name: &'static str,
    pub(crate) sr: String,
}

pub(crate) fn tier_view(m: &'static Messages, stored: Option<&str>) -> Option<TierView> {
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
    (negotiate_language(req, chosen.as_deref()), chosen.is_some())
}

fn html(
    state: &AppState,
    lang: Lang,
    remember_lang: bool,
    status: StatusCode,
    body: String,
) -> HttpResponse {
    let mut response = page_response(status, NO_SCRIPT_CSP, body);
    if remember_lang {
        // Same cookie as the rating page's switch, so the choice follows the visitor.
        let cookie = Cookie::build(LANG_COOKIE, lang.tag())
            .path("/")
            .secure(state.settings.public_base_url.starts_with("https://"))
            .same_site(SameSite::Lax)
            .max_age(CookieDuration::days(400))
            .finish();
        if let Err(err) = response.add_cookie(&cookie) {
            tracing::warn!(error = %err, "language cookie not set");
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

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
