use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::domain::audit::AuditAction;
use crate::domain::rating::COMMENT_MAX_CHARS;

/// Every dotted key path of a TOML table, e.g. `tags.clean`.
fn key_paths(table: &toml::Table, prefix: &str, out: &mut BTreeSet<String>) {
    for (key, value) in table {
        let path = format!("{prefix}{key}");
        if let toml::Value::Table(inner) = value {
            key_paths(inner, &format!("{path}."), out);
        } else {
            out.insert(path);
        }
    }
}

fn catalogue_keys(lang: Lang) -> BTreeSet<String> {
    let table: toml::Table = toml::from_str(catalogue_source(lang)).expect("valid TOML");
    let mut keys = BTreeSet::new();
    key_paths(&table, "", &mut keys);
    keys
}

/// Every string of a TOML table by its dotted key path; an array's items get `[i]`.
fn texts(table: &toml::Table, prefix: &str, out: &mut BTreeMap<String, String>) {
    for (key, value) in table {
        let path = format!("{prefix}{key}");
        match value {
            toml::Value::Table(inner) => texts(inner, &format!("{path}."), out),
            toml::Value::String(text) => {
                out.insert(path, text.clone());
            }
            toml::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let toml::Value::String(text) = item {
                        out.insert(format!("{path}[{i}]"), text.clone());
                    }
                }
            }
            _ => {}
        }
    }
}

fn catalogue_texts(lang: Lang) -> BTreeMap<String, String> {
    let table: toml::Table = toml::from_str(catalogue_source(lang)).expect("valid TOML");
    let mut out = BTreeMap::new();
    texts(&table, "", &mut out);
    out
}

/// The `{name}` placeholders of a text.
fn placeholders(text: &str) -> BTreeSet<&str> {
    text.match_indices('{')
        .filter_map(|(at, _)| {
            let rest = &text[at + 1..];
            let end = rest.find('}')?;
            let name = &rest[..end];
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c == '_')
                .then_some(&text[at..at + end + 2])
        })
        .collect()
}

#[test]
fn all_catalogues_parse_and_have_the_same_keys() {
    for lang in Lang::ALL {
        // Parses with deny_unknown_fields, so missing or stray keys fail here.
        let _ = messages(lang);
        assert_eq!(
            catalogue_keys(lang),
            catalogue_keys(Lang::Zh),
            "{lang:?} differs from zh-CN"
        );
    }
}

#[test]
fn every_catalogue_has_the_placeholders_of_the_chinese_one() {
    let zh = catalogue_texts(Lang::Zh);
    for lang in Lang::ALL {
        for (key, text) in catalogue_texts(lang) {
            // A rank is written with its number or with an English ordinal.
            if key == "public.rank_of" {
                continue;
            }
            assert_eq!(
                placeholders(&text),
                placeholders(&zh[&key]),
                "{lang:?} {key}: {text:?}"
            );
        }
    }
}

#[test]
fn the_list_order_is_the_catalogue_order_and_names_are_distinct() {
    for (i, lang) in Lang::ALL.into_iter().enumerate() {
        assert_eq!(lang.index(), i);
        assert_eq!(lang.others().count(), Lang::ALL.len() - 1);
        assert!(lang.others().all(|other| other != lang));
    }
    let names: BTreeSet<&str> = Lang::ALL
        .iter()
        .map(|&lang| messages(lang).meta.name.as_str())
        .collect();
    assert_eq!(names.len(), Lang::ALL.len());
}

#[test]
fn every_slug_has_a_message_in_every_catalogue_and_no_message_lacks_a_slug() {
    let slugs: BTreeSet<&str> = Slug::ALL.iter().map(|s| s.key()).collect();
    for lang in Lang::ALL {
        let m = messages(lang);
        let keys: BTreeSet<&str> = m.problems.keys().map(String::as_str).collect();
        assert_eq!(keys, slugs, "{lang:?}: [problems] and the slugs differ");
        for slug in Slug::ALL {
            assert!(
                !m.problem_text(*slug).trim().is_empty(),
                "{lang:?}: empty message for {slug:?}"
            );
        }
    }
    // A Chinese page tells a refusal in Chinese, not in the English detail.
    let err = AppError::new(Slug::DuplicateLogin, "login \"x\" is taken");
    assert_eq!(
        messages(Lang::Zh).problem(&err),
        "该登录名已被使用，请换一个。"
    );
}

#[test]
fn every_audit_action_has_a_distinct_label_in_every_catalogue() {
    let keys: BTreeSet<&str> = AuditAction::ALL.iter().map(|a| a.key()).collect();
    for lang in Lang::ALL {
        let m = messages(lang);
        let labelled: BTreeSet<&str> = m.audit_actions.keys().map(String::as_str).collect();
        assert_eq!(
            labelled, keys,
            "{lang:?}: [audit_actions] and the action keys differ"
        );
        let labels: BTreeSet<&str> = keys.iter().map(|k| m.audit_action(k)).collect();
        assert_eq!(
            labels.len(),
            keys.len(),
            "{lang:?}: two actions share a label"
        );
        assert!(
            labels
                .iter()
                .all(|l| !l.trim().is_empty() && !keys.contains(l)),
            "{lang:?}: an action without words"
        );
    }
    assert_eq!(
        messages(Lang::Zh).audit_action("account.create"),
        "创建账号"
    );
    assert_eq!(
        messages(Lang::Zh).audit_action("violation.record"),
        "登记违规记录"
    );
}

#[test]
fn every_tag_has_a_distinct_non_empty_label() {
    for lang in Lang::ALL {
        let labels: BTreeSet<&str> = Tag::ALL
            .iter()
            .map(|&tag| messages(lang).tag_label(tag))
            .collect();
        assert_eq!(
            labels.len(),
            Tag::ALL.len(),
            "{lang:?}: duplicate tag label"
        );
        assert!(
            labels.iter().all(|l| !l.trim().is_empty()),
            "{lang:?}: empty tag label"
        );
    }
}

#[test]
fn placeholders_are_present_where_the_pages_fill_them() {
    for lang in Lang::ALL {
        let m = messages(lang);
        for (text, placeholder) in [
            (&m.rating.stars_sr, "{n}"),
            (&m.rating.tags_hint, "{max}"),
            (&m.rating.comment_limit, "{max}"),
            (&m.rating.comment_counter, "{count}"),
            (&m.rating.comment_counter, "{max}"),
            (&m.validation.out_of_range, "{field}"),
            (&m.validation.unknown_tag, "{tag}"),
            (&m.validation.too_many_tags, "{max}"),
            (&m.validation.too_long, "{field}"),
            (&m.validation.too_long, "{max}"),
            (&m.validation.control_character, "{field}"),
            (&m.public.rank_of, "{of}"),
            (&m.public.confidence_short, "{pct}"),
            (&m.public.tier_sr, "{tier}"),
            (&m.public.tier_sr, "{name}"),
            (&m.venue_page.unpublished_body, "{min}"),
            (&m.venue_page.unpublished_body, "{window}"),
            (&m.venue_page.unpublished_body, "{count}"),
            (&m.venue_page.ratings, "{count}"),
            (&m.venue_page.ratings, "{window}"),
            (&m.venue_page.today, "{count}"),
            (&m.venue_page.confidence_body, "{pct}"),
            (&m.venue_page.updated, "{time}"),
            (&m.venue_page.trend_desc, "{first}"),
            (&m.venue_page.trend_desc, "{last}"),
            (&m.venue_page.trend_desc, "{weeks}"),
            (&m.venue_page.tier_rules_version, "{version}"),
            (&m.venue_page.ranking_link, "{category}"),
            (&m.venue_page.ranking_link, "{region}"),
            (&m.rankings_page.page_of, "{page}"),
            (&m.rankings_page.page_of, "{pages}"),
            (&m.about_scores.weight_body, "{half_life}"),
            (&m.about_scores.weight_formula, "{half_life}"),
            (&m.about_scores.smoothed_body, "{m}"),
            (&m.about_scores.smoothed_formula, "{m}"),
            (&m.about_scores.prior_province, "{min}"),
            (&m.about_scores.prior_national, "{min}"),
            (&m.about_scores.prior_fallback, "{fallback}"),
            (&m.about_scores.publish_body, "{min}"),
            (&m.about_scores.publish_body, "{window}"),
            (&m.about_scores.tiers_intro, "{version}"),
            (&m.about_scores.days, "{n}"),
            (&m.about_scores.ratings, "{n}"),
        ] {
            assert!(
                text.contains(placeholder),
                "{lang:?}: {text:?} lacks {placeholder}"
            );
        }
        assert!(["ltr", "rtl"].contains(&m.meta.dir.as_str()));
        // A rank names its number one way or the other.
        assert!(m.public.rank_of.contains("{rank}") || m.public.rank_of.contains("{ordinal}"));
    }
}

#[test]
fn rating_errors_are_localized() {
    let too_long = RatingError::TooLong {
        field: "comment",
        max: COMMENT_MAX_CHARS,
    };
    assert!(
        messages(Lang::Zh)
            .rating_error(&too_long)
            .contains("评论不能超过 500 个字")
    );
    assert!(
        messages(Lang::En)
            .rating_error(&too_long)
            .contains("comment is longer than 500 characters")
    );
    let unknown = RatingError::UnknownTag("{max}".into());
    assert!(messages(Lang::En).rating_error(&unknown).contains("{max}"));
    let range = RatingError::OutOfRange { field: "skill" };
    assert!(messages(Lang::Zh).rating_error(&range).contains("服务技能"));
    assert_eq!(
        messages(Lang::Ug).rating_error(&too_long),
        "پىكىر 500 ھەرپتىن ئېشىپ كەتتى."
    );
}

#[test]
fn only_uyghur_is_written_right_to_left() {
    for lang in Lang::ALL {
        let rtl = messages(lang).meta.dir == "rtl";
        assert_eq!(rtl, lang == Lang::Ug, "{lang:?}");
    }
    // The Uyghur catalogue is in Arabic script, not a copy of another.
    let arabic = |c: char| ('\u{0600}'..='\u{06FF}').contains(&c);
    assert!(messages(Lang::Ug).rating.submit.chars().any(arabic));
    assert!(messages(Lang::Ug).meta.name.chars().all(arabic));
}

#[test]
fn tags_parse_by_primary_subtag() {
    for tag in ["zh", "zh-CN", "zh-Hans", "zh-cn", "ZH_tw", " zh "] {
        assert_eq!(Lang::from_tag(tag), Some(Lang::Zh), "{tag}");
    }
    for tag in ["en", "en-US", "EN", "en-gb"] {
        assert_eq!(Lang::from_tag(tag), Some(Lang::En), "{tag}");
    }
    for tag in ["ug", "ug-CN", "UG", "ug-Arab-CN"] {
        assert_eq!(Lang::from_tag(tag), Some(Lang::Ug), "{tag}");
    }
    for tag in ["", "fr", "*", "eng", "zhx"] {
        assert_eq!(Lang::from_tag(tag), None, "{tag}");
    }
    for lang in Lang::ALL {
        assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
    }
}

#[test]
fn negotiate_honours_q_values() {
    let from_header = |h| Lang::negotiate(None, Some(h));
    assert_eq!(from_header("en;q=0.9,zh-CN;q=0.8"), Lang::En);
    assert_eq!(from_header("fr, zh;q=0.5"), Lang::Zh);
    assert_eq!(from_header("fr, en;q=0.5, zh;q=0.4"), Lang::En);
    assert_eq!(from_header("zh;q=0.3, en-US"), Lang::En);
    assert_eq!(from_header("en-US,en;q=0.9"), Lang::En);
    assert_eq!(from_header("ug"), Lang::Ug);
    assert_eq!(from_header("ug-CN,ug;q=0.9,zh-CN;q=0.8,en;q=0.5"), Lang::Ug);
    assert_eq!(from_header("zh-CN,ug;q=0.9"), Lang::Zh);
    assert_eq!(from_header("en;q=0, fr"), Lang::Zh);
    assert_eq!(from_header("en;q=banana, zh;q=0.1"), Lang::Zh);
    assert_eq!(from_header("en;q=NaN"), Lang::Zh);
    assert_eq!(from_header(";;,,=q;;"), Lang::Zh);
    assert_eq!(from_header("garbage"), Lang::Zh);
    assert_eq!(from_header(""), Lang::Zh);
    assert_eq!(Lang::negotiate(None, None), Lang::Zh);
}

#[test]
fn explicit_choice_wins_unless_unreadable() {
    assert_eq!(Lang::negotiate(Some("ug"), Some("en")), Lang::Ug);
    assert_eq!(Lang::negotiate(Some("en"), Some("zh-CN")), Lang::En);
    assert_eq!(Lang::negotiate(Some("zh-CN"), Some("en")), Lang::Zh);
    assert_eq!(Lang::negotiate(Some("klingon"), Some("en")), Lang::En);
    assert_eq!(Lang::negotiate(Some(""), None), Lang::Zh);
}

#[test]
fn totp_placeholders_are_present() {
    for lang in Lang::ALL {
        let texts = &messages(lang).totp;
        assert!(texts.enrolled_since.contains("{date}"), "{lang:?}");
        assert!(texts.codes_left.contains("{count}"), "{lang:?}");
    }
}

#[test]
fn console_placeholders_are_present() {
    for lang in Lang::ALL {
        let c = &messages(lang).console;
        for (text, placeholder) in [
            (&c.home_title, "{region}"),
            (&c.regions_heading, "{region}"),
            (&c.lowest_heading, "{region}"),
            (&c.falling_heading, "{region}"),
            (&c.watchlist_heading, "{region}"),
            (&c.rankings_title, "{region}"),
            (&c.stat_venues_value, "{published}"),
            (&c.stat_venues_value, "{total}"),
            (&c.falling_note, "{min}"),
            (&c.falling_note, "{previous}"),
            (&c.falling_note, "{recent}"),
        ] {
            assert!(
                text.contains(placeholder),
                "{lang:?}: {text:?} lacks {placeholder}"
            );
        }
    }
}

#[test]
fn report_placeholders_are_present() {
    for lang in Lang::ALL {
        let t = &messages(lang).reports;
        for (text, placeholder) in [
            (&t.title, "{region}"),
            (&t.total_row, "{region}"),
            (&t.period_heading, "{from}"),
            (&t.period_heading, "{to}"),
            (&t.period_line, "{days}"),
            (&t.period_line, "{previous_from}"),
            (&t.period_line, "{previous_to}"),
            (&t.as_of_line, "{as_of}"),
            (&t.note_previous_mean, "{previous_from}"),
            (&t.note_previous_mean, "{previous_to}"),
            (&t.region_line, "{region}"),
            (&t.period_row, "{from}"),
            (&t.period_row, "{to}"),
            (&t.period_row, "{days}"),
            (&t.period_row, "{previous_from}"),
            (&t.period_row, "{previous_to}"),
            (&t.generated_line, "{at}"),
            (&t.generated_line, "{as_of}"),
        ] {
            assert!(
                text.contains(placeholder),
                "{lang:?}: {text:?} lacks {placeholder}"
            );
        }
        assert!(t.clause.contains('八'), "{lang:?}: the clause is cited");
    }
}
