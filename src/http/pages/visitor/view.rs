//! Server-rendered visitor pages: the mobile rating form and what follows it.
//!
//! Every function returns a complete HTML document with its CSS inlined and no
//! external resources, so a phone on a weak venue network needs one request.
//! The caller chooses the status code and content type.
//!
//! Past 500 lines only because its rendering tests sit beside the views they pin down.

use askama::Template;

use crate::config::Imprint;
use crate::http::html::{Chrome, render_document};

use crate::domain::rating::{
    COMMENT_MAX_CHARS, COMPLAINT_MAX_CHARS, CONTACT_MAX_CHARS, RatingError, TAGS_MAX, Tag,
};
use crate::i18n::{Lang, Messages, messages};

/// The stylesheet of every visitor page, inlined into `<style>`.
pub(crate) const PAGE_CSS: &str = include_str!("../../../../web/static/pages.css");
/// The optional comment counter script, inlined into the rating page.
pub(crate) const COMMENT_COUNTER_JS: &str =
    include_str!("../../../../web/static/comment-counter.js");
/// Served only if a template failed to render, which plain string fields cannot cause.
pub(crate) const FALLBACK_DOCUMENT: &str = "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>qrfeedback</title>\
<p>服务暂时不可用，请稍后再试。 The service is briefly unavailable; please try again.</p></html>";

/// The venue a page is about, already localized by the caller.
pub struct VenueHeader<'a> {
    /// The venue's display name.
    pub name: &'a str,
    /// Its category (业态), e.g. "酒店".
    pub category: &'a str,
    /// Its region, e.g. "库尔勒市".
    pub region: &'a str,
}

/// What the visitor entered, used to prefill the form when it is shown again.
#[derive(Debug, Default, Clone)]
pub struct FormValues {
    /// Overall stars 1–5.
    pub overall: Option<u8>,
    /// Service environment stars (服务环境).
    pub environment: Option<u8>,
    /// Service skill stars (服务技能).
    pub skill: Option<u8>,
    /// Service attitude stars (服务意识).
    pub attitude: Option<u8>,
    /// Checked tag keys.
    pub tags: Vec<String>,
    /// Comment text.
    pub comment: String,
    /// Complaint text.
    pub complaint: String,
    /// Complaint contact.
    pub contact: String,
}

/// Why the rating form is shown again, if it is.
pub enum FormNotice {
    /// First view: nothing to say.
    None,
    /// The post was refused for this reason.
    Invalid(RatingError),
    /// Storage was briefly down; the visitor's answers are kept for one more tap.
    Unavailable,
    /// The form token was too old or unreadable.
    FormExpired,
    /// Postgres refused a value the visitor typed; nothing was stored.
    Unstorable,
}

/// Which friendly error page to show.
pub enum ErrorPage {
    /// The QR code is not known (404).
    NotFound,
    /// The venue reissued its QR code (410).
    CodeReplaced,
    /// Rate limit hit (429).
    TooManyRequests,
    /// Storage unreachable (503).
    Unavailable,
    /// A request that could not be read (400).
    BadRequest,
    /// A form body over the size limit (413).
    TooLarge,
}

/// The page chrome; `code` makes the language switch point at the venue's
/// rating page, which also works from a page that answered a POST; without it
/// the switch reloads the current address.
fn chrome(lang: Lang, title: String, code: Option<&str>, imprint: &Imprint) -> Chrome {
    let path = code.map(rating_path).unwrap_or_default();
    Chrome::with_switch(lang, title, |other| format!("{path}?lang={}", other.tag()))
        .with_imprint(imprint)
}

/// `/r/{code}` with the code percent-encoded as one path segment.
fn rating_path(code: &str) -> String {
    segment_path("/r/", code)
}

/// `prefix` followed by `segment` percent-encoded as one path segment
/// (everything but unreserved characters encoded).
pub(crate) fn segment_path(prefix: &str, segment: &str) -> String {
    let mut path = String::from(prefix);
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            path.push(char::from(byte));
        } else {
            path.push_str(&format!("%{byte:02X}"));
        }
    }
    path
}

/// "category · region", skipping whichever is empty.
fn venue_meta(venue: &VenueHeader) -> String {
    [venue.category, venue.region]
        .into_iter()
        .filter(|part| !part.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

/// One star radio button.
struct StarChoice {
    id: String,
    value: u8,
    checked: bool,
    word: &'static str,
    sr: String,
}

/// One optional dimension: its form field name, legend and five stars.
struct DimensionRow {
    name: &'static str,
    legend: &'static str,
    stars: Vec<StarChoice>,
}

/// One tag checkbox.
struct TagChoice {
    key: &'static str,
    label: &'static str,
    checked: bool,
    /// CSS class: positive, negative or red-flag.
    kind: &'static str,
    red_flag: bool,
}

/// A titled group of tag checkboxes.
struct TagGroup {
    legend: &'static str,
    tags: Vec<TagChoice>,
}

/// The notice shown above the form.
struct NoticeView {
    /// CSS class: error or info.
    kind: &'static str,
    text: String,
}

fn star_choices(m: &'static Messages, field: &str, selected: Option<u8>) -> Vec<StarChoice> {
    (1u8..=5)
        .zip(m.rating.star_words.iter())
        .map(|(value, word)| StarChoice {
            id: format!("{field}-{value}"),
            value,
            checked: selected == Some(value),
            word,
            sr: m.rating.stars_sr.replace("{n}", &value.to_string()),
        })
        .collect()
}

fn tag_groups(m: &'static Messages, checked_keys: &[String]) -> Vec<TagGroup> {
    let choice = |tag: Tag| TagChoice {
        key: tag.key(),
        label: m.tag_label(tag),
        checked: checked_keys.iter().any(|k| k.trim() == tag.key()),
        kind: if tag.is_positive() {
            "positive"
        } else if tag.is_red_flag() {
            "red-flag"
        } else {
            "negative"
        },
        red_flag: tag.is_red_flag(),
    };
    let (positive, negative): (Vec<Tag>, Vec<Tag>) =
        Tag::ALL.into_iter().partition(|tag| tag.is_positive());
    vec![
        TagGroup {
            legend: &m.rating.tags_positive_legend,
            tags: positive.into_iter().map(choice).collect(),
        },
        TagGroup {
            legend: &m.rating.tags_negative_legend,
            tags: negative.into_iter().map(choice).collect(),
        },
    ]
}

fn notice_view(m: &'static Messages, notice: &FormNotice) -> Option<NoticeView> {
    match notice {
        FormNotice::None => None,
        FormNotice::Invalid(err) => Some(NoticeView {
            kind: "error",
            text: m.rating_error(err),
        }),
        FormNotice::Unavailable => Some(NoticeView {
            kind: "info",
            text: m.rating.notice_unavailable.clone(),
        }),
        FormNotice::FormExpired => Some(NoticeView {
            kind: "info",
            text: m.rating.notice_form_expired.clone(),
        }),
        FormNotice::Unstorable => Some(NoticeView {
            kind: "error",
            text: m.rating.notice_unstorable.clone(),
        }),
    }
}

/// Whether the complaint section starts open: it holds input, or the error is about it.
fn complaint_open(values: &FormValues, notice: &FormNotice) -> bool {
    let has_input = !values.complaint.trim().is_empty() || !values.contact.trim().is_empty();
    let error_inside = matches!(
        notice,
        FormNotice::Invalid(
            RatingError::EmptyComplaint
                | RatingError::TooLong {
                    field: "complaint" | "contact",
                    ..
                }
                | RatingError::ControlCharacter {
                    field: "complaint" | "contact"
                }
        )
    );
    has_input || error_inside
}

#[derive(Template)]
#[template(path = "rating.html")]
struct RatingPage<'a> {
    chrome: Chrome,
    m: &'static Messages,
    venue_name: &'a str,
    venue_meta: String,
    notice: Option<NoticeView>,
    form_action: String,
    form_token: &'a str,
    overall: Vec<StarChoice>,
    dimensions: Vec<DimensionRow>,
    tag_groups: Vec<TagGroup>,
    tags_hint: String,
    values: &'a FormValues,
    comment_max: usize,
    comment_limit: String,
    comment_counter: String,
    complaint_open: bool,
    complaint_max: usize,
    contact_max: usize,
    counter_js: &'static str,
}

#[derive(Template)]
#[template(path = "thanks.html")]
struct ThanksPage<'a> {
    chrome: Chrome,
    m: &'static Messages,
    venue_name: &'a str,
    venue_meta: String,
    tracking_code: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "already_rated.html")]
struct AlreadyRatedPage<'a> {
    chrome: Chrome,
    m: &'static Messages,
    venue_name: &'a str,
    venue_meta: String,
    tracking_code: Option<&'a str>,
    complaint_form: Option<ComplaintOnlyView<'a>>,
}

/// The complaint form offered alone to a device that rated the venue today.
struct ComplaintOnlyView<'a> {
    action: String,
    token: &'a str,
    complaint: &'a str,
    contact: &'a str,
    complaint_max: usize,
    contact_max: usize,
    notice: Option<NoticeView>,
}

/// What the page for a repeat visit of the same day says and offers.
pub enum RepeatVisit<'a> {
    /// The repeat rating was refused and no complaint came with it.
    Refused,
    /// The repeat rating was refused; its complaint was filed under this code.
    ComplaintFiled(&'a str),
    /// The device rated today: offer the complaint form alone, with this
    /// form token, the visitor's input kept and what went wrong with it.
    ComplaintForm {
        /// Signed form token of this view.
        form_token: &'a str,
        /// The visitor's input, kept after a refused post.
        values: &'a FormValues,
        /// What went wrong with the last post, if anything.
        notice: &'a FormNotice,
    },
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPageView {
    chrome: Chrome,
    m: &'static Messages,
    title: &'static str,
    body: &'static str,
}

/// The mobile rating form for `GET /r/{code}`, or shown again after a failed post.
pub fn rating_page(
    lang: Lang,
    venue: &VenueHeader,
    code: &str,
    form_token: &str,
    values: &FormValues,
    notice: &FormNotice,
    imprint: &Imprint,
) -> String {
    let m = messages(lang);
    let title = format!("{} · {}", venue.name, m.rating.title);
    let dimensions = [
        ("environment", &m.rating.environment, values.environment),
        ("skill", &m.rating.skill, values.skill),
        ("attitude", &m.rating.attitude, values.attitude),
    ]
    .into_iter()
    .map(|(name, legend, selected)| DimensionRow {
        name,
        legend,
        stars: star_choices(m, name, selected),
    })
    .collect();
    let comment_max = COMMENT_MAX_CHARS.to_string();
    render_document(&RatingPage {
        chrome: chrome(lang, title, Some(code), imprint),
        m,
        venue_name: venue.name,
        venue_meta: venue_meta(venue),
        notice: notice_view(m, notice),
        form_action: rating_path(code),
        form_token,
        overall: star_choices(m, "overall", values.overall),
        dimensions,
        tag_groups: tag_groups(m, &values.tags),
        tags_hint: m.rating.tags_hint.replace("{max}", &TAGS_MAX.to_string()),
        values,
        comment_max: COMMENT_MAX_CHARS,
        comment_limit: m.rating.comment_limit.replace("{max}", &comment_max),
        // {count} stays for the script to fill in.
        comment_counter: m.rating.comment_counter.replace("{max}", &comment_max),
        complaint_open: complaint_open(values, notice),
        complaint_max: COMPLAINT_MAX_CHARS,
        contact_max: CONTACT_MAX_CHARS,
        counter_js: COMMENT_COUNTER_JS,
    })
}

/// The page after a stored rating; `tracking_code` is set when a complaint was filed.
pub fn thanks_page(
    lang: Lang,
    venue: &VenueHeader,
    code: &str,
    tracking_code: Option<&str>,
    imprint: &Imprint,
) -> String {
    let m = messages(lang);
    render_document(&ThanksPage {
        chrome: chrome(lang, m.thanks.title.clone(), Some(code), imprint),
        m,
        venue_name: venue.name,
        venue_meta: venue_meta(venue),
        tracking_code,
    })
}

/// The page for a device that already rated the venue today: after a refused
/// repeat (with the code of the complaint filed with it, if any), or before
/// it, offering the complaint form alone.
pub fn already_rated_page(
    lang: Lang,
    venue: &VenueHeader,
    code: &str,
    visit: &RepeatVisit,
    imprint: &Imprint,
) -> String {
    let m = messages(lang);
    let (tracking_code, complaint_form) = match visit {
        RepeatVisit::Refused => (None, None),
        RepeatVisit::ComplaintFiled(tracking_code) => (Some(*tracking_code), None),
        RepeatVisit::ComplaintForm {
            form_token,
            values,
            notice,
        } => (
            None,
            Some(ComplaintOnlyView {
                action: rating_path(code),
                token: form_token,
                complaint: &values.complaint,
                contact: &values.contact,
                complaint_max: COMPLAINT_MAX_CHARS,
                contact_max: CONTACT_MAX_CHARS,
                notice: notice_view(m, notice),
            }),
        ),
    };
    render_document(&AlreadyRatedPage {
        chrome: chrome(lang, m.already_rated.title.clone(), Some(code), imprint),
        m,
        venue_name: venue.name,
        venue_meta: venue_meta(venue),
        tracking_code,
        complaint_form,
    })
}

/// A friendly error page in the visitor pages' look; never shows internals.
pub fn error_page(lang: Lang, which: ErrorPage, imprint: &Imprint) -> String {
    let m = messages(lang);
    let texts = &m.errors;
    let (title, body) = match which {
        ErrorPage::NotFound => (&texts.not_found_title, &texts.not_found_body),
        ErrorPage::CodeReplaced => (&texts.code_replaced_title, &texts.code_replaced_body),
        ErrorPage::TooManyRequests => (
            &texts.too_many_requests_title,
            &texts.too_many_requests_body,
        ),
        ErrorPage::Unavailable => (&texts.unavailable_title, &texts.unavailable_body),
        ErrorPage::BadRequest => (&texts.bad_request_title, &texts.bad_request_body),
        ErrorPage::TooLarge => (&texts.too_large_title, &texts.too_large_body),
    };
    render_document(&ErrorPageView {
        chrome: chrome(lang, title.clone(), None, imprint),
        m,
        title,
        body,
    })
}

/// The error page's look with a body naming the venue.
#[derive(Template)]
#[template(path = "error.html")]
struct VenueClosedView {
    chrome: Chrome,
    m: &'static Messages,
    title: &'static str,
    body: String,
}

/// The page a closed venue's code answers (410): it says the venue is
/// closed and offers no form.
pub fn venue_closed_page(lang: Lang, venue_name: &str, imprint: &Imprint) -> String {
    let m = messages(lang);
    let title = &m.errors.venue_closed_title;
    render_document(&VenueClosedView {
        chrome: chrome(lang, title.clone(), None, imprint),
        m,
        title,
        body: m.errors.venue_closed_body.replace("{venue}", venue_name),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::html::assert_language_switch;

    const NO_IMPRINT: Imprint = Imprint {
        service_name: None,
        operator: None,
        complaint_hotline: None,
        icp_filing: None,
        psb_filing: None,
        poster_issuer: None,
    };
    const PAGE_BUDGET_BYTES: usize = 30 * 1024;

    fn venue() -> VenueHeader<'static> {
        VenueHeader {
            name: "孔雀河畔民宿",
            category: "民宿",
            region: "库尔勒市",
        }
    }

    fn filled_values() -> FormValues {
        FormValues {
            overall: Some(4),
            environment: Some(2),
            skill: None,
            attitude: Some(5),
            tags: vec!["clean".into(), "forced_shopping".into()],
            comment: "早餐很好 & <b>热情</b>".into(),
            complaint: "导游要求购物".into(),
            contact: "13800000000".into(),
        }
    }

    /// The `<input …>` tag carrying `id="{id}"`.
    fn input_with_id<'h>(html: &'h str, id: &str) -> &'h str {
        let at = html
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("no element with id {id}"));
        let start = html[..at].rfind('<').expect("tag start");
        let end = at + html[at..].find('>').expect("tag end");
        &html[start..=end]
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

    fn assert_self_contained(html: &str) {
        assert!(!html.contains("http://") && !html.contains("https://"));
        assert!(attribute_values(html, "src").is_empty(), "no src= at all");
        for href in attribute_values(html, "href") {
            assert!(
                href.starts_with('/') && !href.starts_with("//")
                    || href.starts_with('?')
                    || href == "data:,",
                "external href {href}"
            );
        }
    }

    #[test]
    fn rating_page_is_small_complete_and_self_contained() {
        for lang in Lang::ALL {
            let html = rating_page(
                lang,
                &venue(),
                "AbC123",
                "tok",
                &filled_values(),
                &FormNotice::Invalid(RatingError::TooManyTags),
                &NO_IMPRINT,
            );
            assert!(
                html.len() < PAGE_BUDGET_BYTES,
                "{lang:?}: {} bytes",
                html.len()
            );
            for name in [
                "overall",
                "environment",
                "skill",
                "attitude",
                "tags",
                "comment",
                "complaint",
                "contact",
                "form_token",
                "lang",
            ] {
                assert!(
                    html.contains(&format!("name=\"{name}\"")),
                    "{lang:?}: {name}"
                );
            }
            for tag in Tag::ALL {
                assert!(html.contains(&format!("value=\"{}\"", tag.key())));
            }
            assert!(html.contains(&format!("<html lang=\"{}\"", lang.tag())));
            assert!(html.contains("<meta name=\"viewport\""));
            assert!(html.contains("<form method=\"post\" action=\"/r/AbC123\""));
            assert!(html.contains(&format!("maxlength=\"{COMMENT_MAX_CHARS}\"")));
            assert!(html.contains(&format!("maxlength=\"{COMPLAINT_MAX_CHARS}\"")));
            assert!(html.contains(&format!("maxlength=\"{CONTACT_MAX_CHARS}\"")));
            assert!(html.contains(&format!("name=\"lang\" value=\"{}\"", lang.tag())));
            assert_language_switch(&html, lang, |other| {
                format!("/r/AbC123?lang={}", other.tag())
            });
            assert_self_contained(&html);
        }
    }

    #[test]
    fn rating_page_escapes_visitor_and_venue_text() {
        let hostile = "<script>alert(1)</script>\"'";
        let venue = VenueHeader {
            name: hostile,
            category: hostile,
            region: "r",
        };
        let values = FormValues {
            comment: format!("</textarea>{hostile}"),
            contact: format!("\">{hostile}"),
            tags: vec![format!("\">{hostile}")],
            ..FormValues::default()
        };
        let notice = FormNotice::Invalid(RatingError::UnknownTag(hostile.into()));
        let html = rating_page(
            Lang::En,
            &venue,
            "a/b\"<c",
            "\"><x>",
            &values,
            &notice,
            &NO_IMPRINT,
        );
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains("</textarea><"));
        assert!(!html.contains("<x>"));
        // askama writes numeric character references.
        assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
        assert!(html.contains("action=\"/r/a%2Fb%22%3Cc\""));
        assert_self_contained(&html);
    }

    #[test]
    fn rating_page_keeps_prefilled_values() {
        let html = rating_page(
            Lang::Zh,
            &venue(),
            "c",
            "t",
            &filled_values(),
            &FormNotice::None,
            &NO_IMPRINT,
        );
        assert!(input_with_id(&html, "overall-4").contains(" checked"));
        assert!(!input_with_id(&html, "overall-5").contains(" checked"));
        assert!(input_with_id(&html, "environment-2").contains(" checked"));
        assert!(input_with_id(&html, "attitude-5").contains(" checked"));
        assert!((1..=5).all(|v| !input_with_id(&html, &format!("skill-{v}")).contains(" checked")));
        assert!(input_with_id(&html, "tag-clean").contains(" checked"));
        assert!(input_with_id(&html, "tag-forced_shopping").contains(" checked"));
        assert!(!input_with_id(&html, "tag-dirty").contains(" checked"));
        assert!(html.contains("早餐很好 &#38; &#60;b&#62;热情&#60;/b&#62;</textarea>"));
        assert!(html.contains(">导游要求购物</textarea>"));
        assert!(input_with_id(&html, "contact").contains("value=\"13800000000\""));
        assert!(html.contains("<details class=\"complaint\" open>"));
        assert!(!html.contains("role=\"alert\""));
    }

    #[test]
    fn first_view_is_blank_and_required() {
        let html = rating_page(
            Lang::En,
            &venue(),
            "c",
            "t",
            &FormValues::default(),
            &FormNotice::None,
            &NO_IMPRINT,
        );
        assert!(!html.contains(" checked"));
        assert!(input_with_id(&html, "overall-1").contains(" required"));
        assert!(!input_with_id(&html, "skill-1").contains(" required"));
        assert!(html.contains("<details class=\"complaint\">"));
    }

    #[test]
    fn notices_are_shown_as_alerts() {
        let too_long = FormNotice::Invalid(RatingError::TooLong {
            field: "comment",
            max: COMMENT_MAX_CHARS,
        });
        let cases = [
            (Lang::Zh, too_long, "评论不能超过 500 个字"),
            (Lang::En, FormNotice::Unavailable, "your answers are kept"),
            (Lang::En, FormNotice::FormExpired, "This form expired"),
        ];
        for (lang, notice, expected) in cases {
            let html = rating_page(
                lang,
                &venue(),
                "c",
                "t",
                &FormValues::default(),
                &notice,
                &NO_IMPRINT,
            );
            let alert = html.find("role=\"alert\"").expect("alert shown");
            let text = &html[alert..alert + 300.min(html.len() - alert)];
            assert!(
                text.to_lowercase().contains(&expected.to_lowercase()),
                "{text}"
            );
            // The notice comes before the form, near the top.
            assert!(alert < html.find("<form").expect("form"));
        }
        let empty = FormNotice::Invalid(RatingError::EmptyComplaint);
        let html = rating_page(
            Lang::En,
            &venue(),
            "c",
            "t",
            &FormValues::default(),
            &empty,
            &NO_IMPRINT,
        );
        assert!(html.contains("<details class=\"complaint\" open>"));
    }

    #[test]
    fn thanks_page_shows_the_tracking_code_escaped() {
        for lang in Lang::ALL {
            let html = thanks_page(lang, &venue(), "c", Some("TS-<7>"), &NO_IMPRINT);
            assert!(html.contains("TS-&#60;7&#62;"));
            assert!(html.contains(&messages(lang).thanks.tracking_intro));
            assert_self_contained(&html);
            let plain = thanks_page(lang, &venue(), "c", None, &NO_IMPRINT);
            assert!(!plain.contains(&messages(lang).thanks.tracking_intro));
            assert!(plain.contains(&messages(lang).thanks.how_scored));
        }
    }

    #[test]
    fn already_rated_and_error_pages_render_in_both_languages() {
        for lang in Lang::ALL {
            let html = already_rated_page(lang, &venue(), "c", &RepeatVisit::Refused, &NO_IMPRINT);
            assert!(html.contains(&messages(lang).already_rated.body));
            assert_self_contained(&html);
            for which in [
                ErrorPage::NotFound,
                ErrorPage::CodeReplaced,
                ErrorPage::TooManyRequests,
                ErrorPage::Unavailable,
                ErrorPage::BadRequest,
                ErrorPage::TooLarge,
            ] {
                let html = error_page(lang, which, &NO_IMPRINT);
                assert!(html.contains(&format!("<html lang=\"{}\"", lang.tag())));
                assert_language_switch(&html, lang, |other| format!("?lang={}", other.tag()));
                assert!(html.len() < PAGE_BUDGET_BYTES);
                assert_self_contained(&html);
            }
        }
        assert!(
            error_page(Lang::En, ErrorPage::CodeReplaced, &NO_IMPRINT)
                .contains("scan the new code")
        );
        assert!(error_page(Lang::Zh, ErrorPage::NotFound, &NO_IMPRINT).contains("二维码"));
    }
}
