//! The method page, `/about/scores`: how scores and tiers are worked out,
//! written from the constants and rule set in use.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::config::Imprint;
use crate::domain::credit::RuleSet;
use crate::domain::scoring::ScoringParams;
use crate::http::AppState;
use crate::http::pages::public::{
    Chrome, NavLinks, TierView, html, page_language, plain_number, render_document, tier_view,
};
use crate::i18n::{Lang, Messages, messages};

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
pub fn about_scores_page(
    lang: Lang,
    params: &ScoringParams,
    rules: &RuleSet,
    imprint: &Imprint,
) -> String {
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
        chrome: Chrome::new(lang, texts.title.clone(), "/about/scores", &[]).with_imprint(imprint),
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
                text: lang.pick(&rule.zh, &rule.en).to_owned(),
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

/// `GET /about/scores`: the published method with the constants in use.
pub async fn about_scores(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let (lang, chosen) = page_language(&req);
    let body = about_scores_page(
        lang,
        state.scores.params(),
        state.scores.rules(),
        &state.settings.imprint,
    );
    html(&state, lang, chosen, StatusCode::OK, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::pages::public::test_support::assert_page_basics;

    #[test]
    fn the_method_page_is_written_from_the_settings() {
        let rules = RuleSet::default_rules();
        for lang in Lang::ALL {
            let html =
                about_scores_page(lang, &ScoringParams::default(), &rules, &Imprint::default());
            assert_page_basics(&html, lang);
            assert!(html.contains("0.5^("), "age weight");
            assert!(html.contains("S = (Σ w·s + m·μ) / (Σ w + m)"));
            assert!(html.contains("Wilson"));
            assert!(html.contains(rules.version()));
            for rule in rules.describe() {
                let text = lang.pick(&rule.zh, &rule.en);
                let escaped = text.replace('<', "&#60;").replace('>', "&#62;");
                assert!(html.contains(&escaped), "{lang:?}: rule {text}");
            }
        }
        let zh = about_scores_page(
            Lang::Zh,
            &ScoringParams::default(),
            &rules,
            &Imprint::default(),
        );
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
        let en = about_scores_page(
            Lang::En,
            &ScoringParams::default(),
            &rules,
            &Imprint::default(),
        );
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
        let ug = about_scores_page(
            Lang::Ug,
            &ScoringParams::default(),
            &rules,
            &Imprint::default(),
        );
        for expected in [
            "ھەر 180 كۈندە يېرىمغا چۈشىدۇ",
            "m = 10",
            "كەم دېگەندە 50 باھا",
            "بولمىسا 70.",
            "يېقىنقى 365 كۈندە كەم دېگەندە 5 باھا",
            "<html lang=\"ug\" dir=\"rtl\">",
        ] {
            assert!(ug.contains(expected), "ug: {expected}");
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
        let en = about_scores_page(Lang::En, &params, &rules, &Imprint::default());
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
        let zh = about_scores_page(Lang::Zh, &params, &rules, &Imprint::default());
        assert!(zh.contains("每 90 天减半"));
        assert!(zh.contains("m = 12.5"));
        assert!(zh.contains("否则取 65 分"));
    }
}
