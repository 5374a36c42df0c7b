//! Fixtures and page checks shared by the score pages' unit tests.

use chrono::{Duration, NaiveDate};

use crate::app::scores::TrendWeek;
use crate::domain::region::{Region, RegionLevel, RegionTree};
use crate::i18n::Lang;
use crate::store::reference::CategoryRow;

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

pub(in crate::http::pages::public) fn regions() -> RegionTree {
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

pub(in crate::http::pages::public) fn categories() -> Vec<CategoryRow> {
    vec![CategoryRow {
        key: "hotel".into(),
        group_key: "enterprise".into(),
        name_zh: "星级饭店".into(),
        name_en: "Hotel".into(),
    }]
}

fn monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()
}

/// 26 weeks; weeks 3, 4, 5, 10 and 25 have ratings.
pub(in crate::http::pages::public) fn trend() -> Vec<TrendWeek> {
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
pub(in crate::http::pages::public) fn assert_page_basics(html: &str, lang: Lang) {
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
