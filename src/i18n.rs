//! Page languages and their message catalogues (`web/i18n/<tag>.toml`).
//!
//! The catalogues are compiled into the binary and parsed once; a unit test
//! parses every one, so a broken or incomplete catalogue fails `cargo test` rather
//! than a visitor's request.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::app::{AppError, Slug};
use crate::domain::rating::{RatingError, TAGS_MAX, Tag};

/// A language the visitor pages are written in.
///
/// Adding one is a variant here, its place in [`Lang::ALL`], its tag and its
/// catalogue `web/i18n/<tag>.toml`; the catalogue says its writing direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Simplified Chinese (zh-CN), the default.
    Zh,
    /// Uyghur (ug) in Arabic script, written right to left.
    Ug,
    /// English.
    En,
}

impl Lang {
    /// Every page language, in the order the language switch lists them.
    pub const ALL: [Lang; 3] = [Lang::Zh, Lang::Ug, Lang::En];

    /// The BCP 47 tag used in `lang` attributes, `?lang=` links and the `qrf_lang` cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::Ug => "ug",
            Lang::En => "en",
        }
    }

    /// Reads a language tag by its primary subtag, case-insensitively (`zh-Hans`, `EN-us` …).
    pub fn from_tag(s: &str) -> Option<Lang> {
        // Only the primary subtag decides: we have one catalogue per language,
        // and a zh-TW reader is better served by zh-CN than by another language.
        let primary = s.trim().split(['-', '_']).next().unwrap_or_default();
        Lang::ALL
            .into_iter()
            .find(|lang| lang.primary_subtag().eq_ignore_ascii_case(primary))
    }

    fn primary_subtag(self) -> &'static str {
        self.tag().split('-').next().unwrap_or_default()
    }

    /// Picks the page language.
    ///
    /// An explicit choice (`?lang=`, the hidden form field or the `qrf_lang`
    /// cookie) wins; otherwise the most preferred supported language of
    /// `Accept-Language` (q-values honoured); otherwise Chinese.
    pub fn negotiate(explicit: Option<&str>, accept_language: Option<&str>) -> Lang {
        explicit
            .and_then(Lang::from_tag)
            .or_else(|| accept_language.and_then(preferred_in_accept_language))
            .unwrap_or(Lang::Zh)
    }

    /// The languages the language switch offers on a page in this one: all the others, in list order.
    pub fn others(self) -> impl Iterator<Item = Lang> {
        Lang::ALL.into_iter().filter(move |&lang| lang != self)
    }

    /// Of a text the reference data holds in Chinese and English (region and
    /// category names, credit-tier reasons), the one this language's pages show.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match messages(self).meta.data_language {
            DataLanguage::Zh => zh,
            DataLanguage::En => en,
        }
    }

    /// Where this language's catalogue sits in [`Lang::ALL`] and in the parsed catalogues.
    fn index(self) -> usize {
        self as usize
    }
}

/// Most ranges of an `Accept-Language` header we look at; bounds the work a hostile header causes.
const ACCEPT_LANGUAGE_MAX_RANGES: usize = 32;

/// The supported language with the highest q-value; the earlier one wins a tie (RFC 9110 §12.5.4).
fn preferred_in_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(Lang, f32)> = None;
    for range in header.split(',').take(ACCEPT_LANGUAGE_MAX_RANGES) {
        let mut parts = range.split(';');
        let Some(lang) = parts.next().and_then(Lang::from_tag) else {
            continue;
        };
        let Some(quality) = quality_of(parts) else {
            continue;
        };
        // q=0 means "not acceptable", not "least preferred".
        if quality > 0.0 && best.is_none_or(|(_, best_quality)| quality > best_quality) {
            best = Some((lang, quality));
        }
    }
    best.map(|(lang, _)| lang)
}

/// The `q` parameter of one language range (1 when absent); `None` when it is malformed.
fn quality_of<'a>(params: impl Iterator<Item = &'a str>) -> Option<f32> {
    let mut quality = 1.0;
    for param in params {
        let Some((name, value)) = param.split_once('=') else {
            continue;
        };
        if name.trim().eq_ignore_ascii_case("q") {
            quality = value.trim().parse::<f32>().ok()?;
        }
    }
    // Also refuses NaN, which `parse` accepts.
    (0.0..=1.0).contains(&quality).then_some(quality)
}

/// All texts of the visitor pages in one language.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Messages {
    pub(crate) meta: MetaTexts,
    pub(crate) rating: RatingPageTexts,
    pub(crate) thanks: ThanksPageTexts,
    pub(crate) already_rated: AlreadyRatedPageTexts,
    pub(crate) errors: ErrorPageTexts,
    pub(crate) validation: ValidationTexts,
    pub(crate) fields: FieldNames,
    pub(crate) tags: TagLabels,
    pub(crate) public: PublicTexts,
    pub(crate) venue_page: VenuePageTexts,
    pub(crate) rankings_page: RankingsPageTexts,
    pub(crate) about_scores: AboutScoresTexts,
    pub(crate) public_errors: PublicErrorTexts,
    pub(crate) home: HomeTexts,
    pub(crate) login: LoginPageTexts,
    pub(crate) signed_in: SignedInTexts,
    pub(crate) invite: InviteTexts,
    pub(crate) people: PeopleTexts,
    pub(crate) totp: TotpTexts,
    pub(crate) console: ConsoleTexts,
    pub(crate) dashboard: DashboardTexts,
    pub(crate) audit: AuditTexts,
    pub(crate) password: PasswordTexts,
    pub(crate) footer: FooterTexts,
    /// What a use-case refuses, by [`Slug::key`]; a test checks every slug is here.
    problems: HashMap<String, String>,
    /// What the audit log's actions are called, by [`crate::domain::audit::AuditAction::key`]; a
    /// test checks every action is here.
    audit_actions: HashMap<String, String>,
}

/// Labels of the imprint: the public pages' footer and the poster's lines
/// (src/http/imprint.rs). The values themselves come from configuration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FooterTexts {
    /// Before the operator, punctuation included.
    pub(crate) operator: String,
    /// Before the complaint hotline, punctuation included.
    pub(crate) hotline: String,
    /// The poster's name for its issuing body (监制单位).
    pub(crate) poster_issuer: String,
    /// The poster's name for the hotline.
    pub(crate) poster_hotline: String,
}

/// Texts of `/account/password`, where people change their own password.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasswordTexts {
    pub(crate) title: String,
    pub(crate) intro: String,
    pub(crate) current: String,
    pub(crate) new: String,
    pub(crate) again: String,
    pub(crate) code: String,
    pub(crate) code_hint: String,
    pub(crate) submit: String,
    pub(crate) wrong_current: String,
    pub(crate) wrong_code: String,
    pub(crate) mismatch: String,
    pub(crate) bad_length: String,
    pub(crate) contains_login: String,
    pub(crate) done_title: String,
    pub(crate) done_body: String,
    pub(crate) sign_in_again: String,
}

/// Texts of the console's audit-log page (`/console/audit`) and its
/// table's column headers, which its downloads carry too.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuditTexts {
    pub(crate) title: String,
    pub(crate) intro: String,
    pub(crate) action_label: String,
    pub(crate) all_actions: String,
    /// Names of the action families the filter offers.
    pub(crate) family_venue: String,
    pub(crate) family_rating: String,
    pub(crate) family_violation: String,
    pub(crate) family_account: String,
    pub(crate) family_totp: String,
    pub(crate) family_token: String,
    pub(crate) family_auth: String,
    pub(crate) family_export: String,
    /// A family's option in the action filter: `{family}`.
    pub(crate) family_all: String,
    /// Who did it, by the shape of the stored actor: `{name}`, `{login}`
    /// of an account; `{name}` of an API token.
    pub(crate) actor_account: String,
    pub(crate) actor_token: String,
    pub(crate) actor_admin_token: String,
    pub(crate) actor_cli: String,
    pub(crate) actor_anonymous: String,
    /// On what, by the shape of the stored target: `{id}`, `{login}`,
    /// `{table}` and `{format}` are filled in by the page.
    pub(crate) target_rating: String,
    pub(crate) target_violation: String,
    pub(crate) target_login: String,
    pub(crate) target_export: String,
    pub(crate) submit: String,
    pub(crate) newest: String,
    pub(crate) older: String,
    pub(crate) pager_label: String,
    pub(crate) empty: String,
    pub(crate) col_id: String,
    pub(crate) col_time: String,
    pub(crate) col_actor: String,
    pub(crate) col_action: String,
    pub(crate) col_target: String,
    pub(crate) col_region: String,
    pub(crate) col_client_ip: String,
    pub(crate) col_change: String,
    /// The console tables' names, by the table key of their download.
    pub(crate) tables: HashMap<String, String>,
}

/// Texts of the account and API-token pages. `{name}`, `{login}` and `{at}` are filled in by the page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PeopleTexts {
    pub(crate) accounts_title: String,
    pub(crate) list_title: String,
    pub(crate) login: String,
    pub(crate) display_name: String,
    pub(crate) role: String,
    pub(crate) scope: String,
    pub(crate) state: String,
    pub(crate) active: String,
    pub(crate) not_activated: String,
    pub(crate) disabled: String,
    pub(crate) disable: String,
    pub(crate) enable: String,
    pub(crate) everything: String,
    pub(crate) venues_prefix: String,
    pub(crate) create_title: String,
    pub(crate) create_hint: String,
    pub(crate) region_code: String,
    pub(crate) region_hint: String,
    pub(crate) venue_ids: String,
    pub(crate) venues_hint: String,
    pub(crate) create: String,
    pub(crate) invitation_title: String,
    pub(crate) invitation_intro: String,
    pub(crate) invitation_expires: String,
    pub(crate) tokens_title: String,
    pub(crate) tokens_list_title: String,
    pub(crate) token_name: String,
    pub(crate) created: String,
    pub(crate) expires: String,
    pub(crate) never: String,
    pub(crate) live: String,
    pub(crate) revoked: String,
    pub(crate) expired: String,
    pub(crate) revoke: String,
    pub(crate) token_create_title: String,
    pub(crate) token_create_hint: String,
    pub(crate) expires_in_days: String,
    pub(crate) create_token: String,
    pub(crate) token_created_title: String,
    pub(crate) token_created_body: String,
    pub(crate) bad_venue_ids: String,
    pub(crate) bad_expiry: String,
    /// `{field}` is the label of the form's name field (`display_name` or `token_name`).
    pub(crate) control_character: String,
    pub(crate) second_factor: String,
    pub(crate) second_factor_on: String,
    pub(crate) second_factor_off: String,
    pub(crate) reset_second_factor: String,
    pub(crate) reset_second_factor_hint: String,
    pub(crate) password_link: String,
    pub(crate) password_link_hint: String,
    pub(crate) password_link_title: String,
    pub(crate) password_link_intro: String,
}

/// Texts of the invitation page. `{login}`, `{min}` and `{max}` are filled in by the page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InviteTexts {
    pub(crate) title: String,
    pub(crate) intro: String,
    /// For an account that has a password already: the link replaces it.
    pub(crate) reset_intro: String,
    pub(crate) hint: String,
    pub(crate) password_label: String,
    pub(crate) confirm_label: String,
    pub(crate) submit: String,
    pub(crate) sign_in: String,
    pub(crate) done_title: String,
    pub(crate) reset_done_title: String,
    pub(crate) done_body: String,
    pub(crate) invalid_title: String,
    pub(crate) invalid_body: String,
    pub(crate) mismatch: String,
    pub(crate) too_short_or_long: String,
    pub(crate) contains_login: String,
    pub(crate) expired_form: String,
    pub(crate) unavailable_title: String,
    pub(crate) unavailable_body: String,
}

/// Texts of the regulator console (`/console`), its tables' column headers
/// (which its CSV and Excel downloads carry too) and its forms.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConsoleTexts {
    pub(crate) national: String,
    /// Between the tag labels of one rating.
    pub(crate) tag_separator: String,
    /// Between the reasons of one tier decision.
    pub(crate) reason_separator: String,
    pub(crate) export_caption: String,
    pub(crate) crumbs_label: String,
    /// `{region}` is the region's name.
    pub(crate) home_title: String,
    pub(crate) figures_heading: String,
    pub(crate) stat_score: String,
    pub(crate) stat_median: String,
    pub(crate) stat_p10: String,
    pub(crate) stat_venues: String,
    /// `{published}` of `{total}` venues.
    pub(crate) stat_venues_value: String,
    pub(crate) stat_ratings: String,
    pub(crate) stat_today: String,
    pub(crate) stat_unresolved_complaints: String,
    pub(crate) stat_watch_venues: String,
    pub(crate) tier_counts_heading: String,
    pub(crate) distribution_heading: String,
    /// `{bands}`: each band with its count, e.g. "60–70: 4".
    pub(crate) distribution_desc: String,
    pub(crate) distribution_empty: String,
    /// The axis label under the bands.
    pub(crate) distribution_axis: String,
    pub(crate) all_rankings: String,
    pub(crate) overview_link: String,
    /// Table titles (and sheet names); `{region}` is the region's name.
    pub(crate) regions_heading: String,
    pub(crate) lowest_heading: String,
    pub(crate) falling_heading: String,
    /// `{min}` ratings per window; `{previous}` and `{recent}` the windows' first days.
    pub(crate) falling_note: String,
    pub(crate) watchlist_heading: String,
    pub(crate) rankings_title: String,
    pub(crate) venues_heading: String,
    pub(crate) download: String,
    pub(crate) empty_regions: String,
    /// The child-region tables' row of the venues registered directly under
    /// the region itself; `{region}` is its name.
    pub(crate) direct_row: String,
    /// Shorter labels for that row by how the region's name ends, first match
    /// wins (自治州 → 州直属); empty where the language has none.
    pub(crate) direct_row_levels: Vec<(String, String)>,
    pub(crate) empty_venues: String,
    pub(crate) empty_falling: String,
    pub(crate) empty_ratings: String,
    pub(crate) empty_violations: String,
    pub(crate) empty_tier_history: String,
    pub(crate) tier_label: String,
    pub(crate) all_tiers: String,
    pub(crate) published_only: String,
    pub(crate) bad_tier: String,
    pub(crate) col_code: String,
    pub(crate) col_region: String,
    pub(crate) col_score: String,
    pub(crate) col_median: String,
    pub(crate) col_p10: String,
    pub(crate) col_ratings: String,
    pub(crate) col_venues: String,
    pub(crate) col_published_venues: String,
    pub(crate) col_tier_a: String,
    pub(crate) col_tier_b: String,
    pub(crate) col_tier_c: String,
    pub(crate) col_tier_d: String,
    pub(crate) col_rank: String,
    pub(crate) col_venue_id: String,
    pub(crate) col_venue: String,
    pub(crate) col_category: String,
    pub(crate) col_tier: String,
    pub(crate) col_confidence: String,
    pub(crate) col_previous_score: String,
    pub(crate) col_recent_score: String,
    pub(crate) col_drop: String,
    pub(crate) col_previous_ratings: String,
    pub(crate) col_recent_ratings: String,
    pub(crate) col_rating_id: String,
    pub(crate) col_date: String,
    pub(crate) col_time: String,
    pub(crate) col_overall: String,
    pub(crate) col_tags: String,
    pub(crate) col_comment: String,
    pub(crate) col_state: String,
    pub(crate) col_reason: String,
    pub(crate) col_moderation: String,
    pub(crate) col_violation_id: String,
    pub(crate) col_occurred: String,
    pub(crate) col_serious: String,
    pub(crate) col_description: String,
    pub(crate) col_recorded: String,
    pub(crate) col_changed: String,
    pub(crate) col_previous_tier: String,
    pub(crate) col_reasons: String,
    pub(crate) col_rule_set: String,
    pub(crate) yes: String,
    pub(crate) no: String,
    pub(crate) state_counted: String,
    pub(crate) state_quarantined: String,
    pub(crate) public_page: String,
    pub(crate) ratings_heading: String,
    pub(crate) ratings_note: String,
    pub(crate) quarantine: String,
    pub(crate) release: String,
    pub(crate) reason_label: String,
    pub(crate) reason_placeholder: String,
    pub(crate) violations_heading: String,
    pub(crate) violation_form_heading: String,
    pub(crate) occurred_label: String,
    pub(crate) serious_legend: String,
    pub(crate) serious_yes: String,
    pub(crate) serious_no: String,
    pub(crate) description_label: String,
    pub(crate) violation_submit: String,
    pub(crate) tier_history_heading: String,
    pub(crate) notice_quarantined: String,
    pub(crate) notice_released: String,
    pub(crate) notice_violation: String,
    pub(crate) reason_required: String,
    pub(crate) text_too_long: String,
    pub(crate) already_quarantined: String,
    pub(crate) not_quarantined: String,
    pub(crate) date_invalid: String,
    pub(crate) date_future: String,
    pub(crate) date_too_old: String,
    pub(crate) description_required: String,
    pub(crate) serious_required: String,
    pub(crate) control_character: String,
}

/// Texts every page for signed-in people shares: the header and the error pages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignedInTexts {
    pub(crate) nav_label: String,
    pub(crate) dashboard: String,
    pub(crate) console: String,
    pub(crate) accounts: String,
    pub(crate) audit: String,
    pub(crate) tokens: String,
    pub(crate) security: String,
    pub(crate) password: String,
    pub(crate) logout: String,
    /// Role names, by role key.
    pub(crate) role_admin: String,
    pub(crate) role_regulator: String,
    pub(crate) role_venue_staff: String,
    pub(crate) forbidden_title: String,
    pub(crate) forbidden_body: String,
    pub(crate) not_found_title: String,
    pub(crate) not_found_body: String,
    pub(crate) expired_form_title: String,
    pub(crate) expired_form_body: String,
    pub(crate) invalid_title: String,
    pub(crate) failed_title: String,
    pub(crate) failed_body: String,
    pub(crate) back: String,
}

/// Texts shared by every page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MetaTexts {
    /// Writing direction for `<html dir>`, so a right-to-left catalogue needs no code change.
    pub(crate) dir: String,
    /// The language's own name in its own script, as the language switch offers it.
    pub(crate) name: String,
    /// Accessible name of the language switch.
    pub(crate) switch_label: String,
    /// Which of the reference data's two languages this one shows, until the data has its own.
    pub(crate) data_language: DataLanguage,
    pub(crate) site_name: String,
}

/// The languages the reference data (regions, categories, credit-tier
/// reasons) is written in; a catalogue names the one its readers read best.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub(crate) enum DataLanguage {
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

/// Texts of the rating form. `{max}`, `{n}` and `{count}` are filled in by the page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RatingPageTexts {
    pub(crate) title: String,
    pub(crate) overall_legend: String,
    /// One word per star value, 1 to 5.
    pub(crate) star_words: [String; 5],
    /// Screen-reader text of a star button, `{n}` = its value.
    pub(crate) stars_sr: String,
    pub(crate) more_heading: String,
    pub(crate) environment: String,
    pub(crate) skill: String,
    pub(crate) attitude: String,
    pub(crate) tags_positive_legend: String,
    pub(crate) tags_negative_legend: String,
    pub(crate) tags_hint: String,
    pub(crate) red_flag_sr: String,
    pub(crate) comment_label: String,
    pub(crate) comment_placeholder: String,
    pub(crate) comment_limit: String,
    pub(crate) comment_counter: String,
    pub(crate) complaint_summary: String,
    pub(crate) complaint_intro: String,
    pub(crate) complaint_label: String,
    pub(crate) complaint_placeholder: String,
    pub(crate) contact_label: String,
    pub(crate) contact_privacy: String,
    pub(crate) submit: String,
    pub(crate) notice_unavailable: String,
    pub(crate) notice_form_expired: String,
    pub(crate) notice_unstorable: String,
}

/// Texts of the page shown after a rating was stored.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ThanksPageTexts {
    pub(crate) title: String,
    pub(crate) body: String,
    pub(crate) tracking_intro: String,
    pub(crate) tracking_keep: String,
    pub(crate) how_scored: String,
}

/// Texts of the page shown for a second rating on the same day.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AlreadyRatedPageTexts {
    pub(crate) title: String,
    pub(crate) body: String,
    pub(crate) not_counted_again: String,
    pub(crate) complaint_heading: String,
    pub(crate) complaint_submit: String,
}

/// Titles and bodies of the friendly error pages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ErrorPageTexts {
    pub(crate) help: String,
    pub(crate) not_found_title: String,
    pub(crate) not_found_body: String,
    pub(crate) code_replaced_title: String,
    pub(crate) code_replaced_body: String,
    pub(crate) too_many_requests_title: String,
    pub(crate) too_many_requests_body: String,
    pub(crate) unavailable_title: String,
    pub(crate) unavailable_body: String,
    pub(crate) bad_request_title: String,
    pub(crate) bad_request_body: String,
    pub(crate) too_large_title: String,
    pub(crate) too_large_body: String,
}

/// One sentence per [`RatingError`] variant; `{field}`, `{max}` and `{tag}` are filled in.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ValidationTexts {
    pub(crate) out_of_range: String,
    pub(crate) unknown_tag: String,
    pub(crate) too_many_tags: String,
    pub(crate) too_long: String,
    pub(crate) control_character: String,
    pub(crate) empty_complaint: String,
    pub(crate) bad_device_id: String,
}

/// How a validation message names each rating input field.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FieldNames {
    pub(crate) overall: String,
    pub(crate) environment: String,
    pub(crate) skill: String,
    pub(crate) attitude: String,
    pub(crate) comment: String,
    pub(crate) complaint: String,
    pub(crate) contact: String,
}

/// Texts shared by the public score pages (venue, rankings, method).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PublicTexts {
    /// Accessible name of the links between the score pages.
    pub(crate) nav_label: String,
    pub(crate) nav_rankings: String,
    pub(crate) nav_method: String,
    /// Shown instead of a score that is not published.
    pub(crate) not_enough: String,
    /// A rank: `{rank}` the number, `{ordinal}` it in English ordinal form, `{of}` the field size.
    pub(crate) rank_of: String,
    /// A confidence lower bound, `{pct}` in whole percent.
    pub(crate) confidence_short: String,
    /// Names of the tiers A, B, C and D.
    pub(crate) tier_names: [String; 4],
    /// Screen-reader text of a tier badge: `{tier}` the letter, `{name}` its name.
    pub(crate) tier_sr: String,
}

/// Texts of `/v/{id}`. `{min}`, `{window}`, `{count}`, `{pct}` … are filled in by the page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VenuePageTexts {
    pub(crate) title: String,
    pub(crate) score_heading: String,
    pub(crate) score_scale: String,
    pub(crate) unpublished_body: String,
    pub(crate) ratings: String,
    pub(crate) today: String,
    pub(crate) confidence_label: String,
    pub(crate) confidence_body: String,
    pub(crate) updated: String,
    pub(crate) dimensions_heading: String,
    pub(crate) dimension_col: String,
    pub(crate) score_col: String,
    pub(crate) histogram_heading: String,
    pub(crate) stars_col: String,
    pub(crate) count_col: String,
    pub(crate) trend_heading: String,
    pub(crate) trend_title: String,
    pub(crate) trend_desc: String,
    pub(crate) trend_empty: String,
    pub(crate) trend_table: String,
    pub(crate) week_col: String,
    pub(crate) week_score_col: String,
    pub(crate) tier_heading: String,
    pub(crate) tier_none: String,
    pub(crate) tier_reasons: String,
    pub(crate) tier_rules_version: String,
    pub(crate) rank_heading: String,
    pub(crate) rank_none: String,
    pub(crate) tags_heading: String,
    pub(crate) ranking_link: String,
    pub(crate) method_link: String,
}

/// Texts of `/rankings`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RankingsPageTexts {
    pub(crate) title: String,
    pub(crate) region_label: String,
    pub(crate) all_regions: String,
    pub(crate) category_label: String,
    pub(crate) all_categories: String,
    pub(crate) submit: String,
    pub(crate) caption: String,
    pub(crate) rank_col: String,
    pub(crate) venue_col: String,
    pub(crate) score_col: String,
    pub(crate) ratings_col: String,
    pub(crate) confidence_col: String,
    pub(crate) tier_col: String,
    pub(crate) empty: String,
    pub(crate) page_of: String,
    pub(crate) prev: String,
    pub(crate) next: String,
    pub(crate) bad_region: String,
    pub(crate) bad_category: String,
    pub(crate) bad_query: String,
}

/// Texts of `/about/scores`; the configured constants fill the placeholders.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AboutScoresTexts {
    pub(crate) title: String,
    pub(crate) intro: String,
    pub(crate) value_heading: String,
    pub(crate) value_body: String,
    pub(crate) value_formula: String,
    pub(crate) weight_heading: String,
    pub(crate) weight_body: String,
    pub(crate) weight_formula: String,
    pub(crate) smoothed_heading: String,
    pub(crate) smoothed_body: String,
    pub(crate) smoothed_formula: String,
    pub(crate) prior_intro: String,
    pub(crate) prior_province: String,
    pub(crate) prior_national: String,
    pub(crate) prior_fallback: String,
    pub(crate) dimensions_body: String,
    pub(crate) publish_heading: String,
    pub(crate) publish_body: String,
    pub(crate) confidence_heading: String,
    pub(crate) confidence_body: String,
    pub(crate) region_heading: String,
    pub(crate) region_body: String,
    pub(crate) tiers_heading: String,
    pub(crate) tiers_intro: String,
    pub(crate) moderation_heading: String,
    pub(crate) quarantine_body: String,
    pub(crate) privacy_body: String,
    pub(crate) constants_heading: String,
    pub(crate) setting_col: String,
    pub(crate) value_col: String,
    pub(crate) half_life: String,
    pub(crate) prior_weight: String,
    pub(crate) prior_min: String,
    pub(crate) fallback: String,
    pub(crate) min_publish: String,
    pub(crate) window: String,
    /// `{n}` days.
    pub(crate) days: String,
    /// `{n}` ratings.
    pub(crate) ratings: String,
}

/// Friendly error pages of the public score pages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PublicErrorTexts {
    pub(crate) help: String,
    pub(crate) page_not_found_title: String,
    pub(crate) page_not_found_body: String,
    pub(crate) method_not_allowed_title: String,
    pub(crate) method_not_allowed_body: String,
    pub(crate) venue_not_found_title: String,
    pub(crate) venue_not_found_body: String,
    pub(crate) region_not_found_title: String,
    pub(crate) region_not_found_body: String,
    pub(crate) failed_title: String,
    pub(crate) failed_body: String,
}

/// Texts of the home page, `/`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HomeTexts {
    pub(crate) title: String,
    /// What a visitor does: scan and rate.
    pub(crate) scan: String,
    /// What becomes of the ratings: public scores and tiers with reasons.
    pub(crate) scores: String,
    /// That the method is published.
    pub(crate) method: String,
    pub(crate) top_heading: String,
    pub(crate) top_empty: String,
    pub(crate) all_rankings: String,
    pub(crate) staff_heading: String,
    pub(crate) staff_body: String,
    pub(crate) sign_in: String,
}

/// Texts of the sign-in page and what follows it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoginPageTexts {
    pub(crate) title: String,
    pub(crate) login_label: String,
    pub(crate) password_label: String,
    pub(crate) submit: String,
    pub(crate) failed_title: String,
    pub(crate) failed_body: String,
    pub(crate) try_again: String,
    pub(crate) throttled_title: String,
    pub(crate) throttled_body: String,
    pub(crate) unavailable_title: String,
    pub(crate) unavailable_body: String,
    pub(crate) forbidden_title: String,
    pub(crate) forbidden_body: String,
    pub(crate) bad_request_title: String,
    pub(crate) bad_request_body: String,
    pub(crate) signed_in_title: String,
    pub(crate) signed_in_body: String,
    pub(crate) logout: String,
    pub(crate) logout_everywhere: String,
    pub(crate) logged_out_title: String,
    pub(crate) logged_out_body: String,
}

/// Texts of the second sign-in step and the account security page.
/// `{date}` and `{count}` are filled in by the page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TotpTexts {
    pub(crate) step_title: String,
    pub(crate) step_intro: String,
    pub(crate) code_label: String,
    pub(crate) step_submit: String,
    pub(crate) wrong_code: String,
    pub(crate) replayed_code: String,
    pub(crate) expired_title: String,
    pub(crate) expired_body: String,
    pub(crate) security_title: String,
    pub(crate) enrol_heading: String,
    pub(crate) enrol_required: String,
    pub(crate) enrol_intro: String,
    pub(crate) qr_label: String,
    pub(crate) manual_label: String,
    pub(crate) confirm_label: String,
    pub(crate) enrol_submit: String,
    pub(crate) enrolled_heading: String,
    pub(crate) enrolled_since: String,
    pub(crate) codes_left: String,
    pub(crate) codes_heading: String,
    pub(crate) codes_intro: String,
    pub(crate) regenerate_heading: String,
    pub(crate) regenerate_intro: String,
    pub(crate) regenerate_submit: String,
    pub(crate) continue_link: String,
}

/// One label per [`Tag`]; the TOML keys are the tag keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TagLabels {
    friendly_staff: String,
    clean: String,
    good_value: String,
    fast_service: String,
    helpful_guide: String,
    accessible: String,
    long_wait: String,
    dirty: String,
    rude_staff: String,
    unclear_prices: String,
    overcharging: String,
    forced_shopping: String,
    misleading: String,
    #[serde(rename = "unsafe")]
    unsafe_conditions: String,
}

fn catalogue_source(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => include_str!("../web/i18n/zh-CN.toml"),
        Lang::Ug => include_str!("../web/i18n/ug.toml"),
        Lang::En => include_str!("../web/i18n/en.toml"),
    }
}

/// Every catalogue, parsed on first use, in [`Lang::ALL`] order.
static MESSAGES: LazyLock<[Messages; Lang::ALL.len()]> =
    LazyLock::new(|| Lang::ALL.map(parse_catalogue));

fn parse_catalogue(lang: Lang) -> Messages {
    // The catalogues are compiled in and parsed by a unit test, so this can
    // only fail in a build whose tests were not run.
    toml::from_str(catalogue_source(lang))
        .unwrap_or_else(|err| panic!("web/i18n/{}.toml is broken: {err}", lang.tag()))
}

/// The message catalogue of `lang`.
pub fn messages(lang: Lang) -> &'static Messages {
    &MESSAGES[lang.index()]
}

impl Messages {
    /// A use-case's refusal told in this language.
    pub fn problem(&self, err: &AppError) -> &str {
        self.problem_text(err.slug)
    }

    /// The message for a slug; the catalogue test keeps every slug present.
    pub fn problem_text(&self, slug: Slug) -> &str {
        self.problems
            .get(slug.key())
            .map_or(slug.key(), String::as_str)
    }

    /// What an audit action (stored key, e.g. `account.create`) is called;
    /// the key itself for one this build does not know.
    pub fn audit_action<'a>(&'a self, key: &'a str) -> &'a str {
        self.audit_actions.get(key).map_or(key, String::as_str)
    }

    /// The visitor-facing label of a quick tag.
    pub fn tag_label(&self, tag: Tag) -> &str {
        let labels = &self.tags;
        match tag {
            Tag::FriendlyStaff => &labels.friendly_staff,
            Tag::Clean => &labels.clean,
            Tag::GoodValue => &labels.good_value,
            Tag::FastService => &labels.fast_service,
            Tag::HelpfulGuide => &labels.helpful_guide,
            Tag::Accessible => &labels.accessible,
            Tag::LongWait => &labels.long_wait,
            Tag::Dirty => &labels.dirty,
            Tag::RudeStaff => &labels.rude_staff,
            Tag::UnclearPrices => &labels.unclear_prices,
            Tag::Overcharging => &labels.overcharging,
            Tag::ForcedShopping => &labels.forced_shopping,
            Tag::Misleading => &labels.misleading,
            Tag::Unsafe => &labels.unsafe_conditions,
        }
    }

    /// A refused rating input explained to the visitor in this language.
    pub fn rating_error(&self, err: &RatingError) -> String {
        let texts = &self.validation;
        // Catalogue placeholders are filled before visitor-supplied text, so a
        // tag key such as "{max}" is shown as typed, not substituted.
        match err {
            RatingError::OutOfRange { field } => texts
                .out_of_range
                .replace("{field}", self.field_name(field)),
            RatingError::UnknownTag(key) => texts.unknown_tag.replace("{tag}", key),
            RatingError::TooManyTags => texts.too_many_tags.replace("{max}", &TAGS_MAX.to_string()),
            RatingError::TooLong { field, max } => texts
                .too_long
                .replace("{field}", self.field_name(field))
                .replace("{max}", &max.to_string()),
            RatingError::ControlCharacter { field } => texts
                .control_character
                .replace("{field}", self.field_name(field)),
            RatingError::EmptyComplaint => texts.empty_complaint.clone(),
            RatingError::BadDeviceId => texts.bad_device_id.clone(),
        }
    }

    /// How validation messages name an input field; an unknown field keeps its form name.
    fn field_name<'a>(&'a self, field: &'a str) -> &'a str {
        let names = &self.fields;
        match field {
            "overall" => &names.overall,
            "environment" => &names.environment,
            "skill" => &names.skill,
            "attitude" => &names.attitude,
            "comment" => &names.comment,
            "complaint" => &names.complaint,
            "contact" => &names.contact,
            other => other,
        }
    }
}

/// Texts of the venue dashboard, its poster, and what the public venue page
/// shows of a venue's commitment, Chief Quality Officer and replies.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DashboardTexts {
    pub(crate) title: String,
    pub(crate) index_heading: String,
    pub(crate) index_empty: String,
    pub(crate) supervisor_note: String,
    pub(crate) console_link: String,
    /// `{shown}` of `{total}` venues are listed.
    pub(crate) list_more: String,
    pub(crate) venue_col: String,
    pub(crate) category_col: String,
    pub(crate) score_col: String,
    pub(crate) tier_col: String,
    pub(crate) public_page_link: String,
    pub(crate) back_to_list: String,
    pub(crate) today_label: String,
    pub(crate) comments_heading: String,
    pub(crate) comments_empty: String,
    /// `{total}` comments.
    pub(crate) comments_total: String,
    pub(crate) reply_label: String,
    /// `{day}` of the reply.
    pub(crate) reply_existing: String,
    /// `{max}` characters.
    pub(crate) reply_hint: String,
    pub(crate) reply_submit: String,
    pub(crate) reply_replace: String,
    /// The collapsed reply box's label on a comment without a reply.
    pub(crate) reply_open: String,
    /// The same on a comment already answered (its box holds the reply).
    pub(crate) reply_edit: String,
    pub(crate) filter_legend: String,
    pub(crate) filter_unanswered: String,
    pub(crate) filter_low: String,
    pub(crate) filter_submit: String,
    pub(crate) filter_clear: String,
    /// Above a filtered list; `{total}` is how many comments pass the filter.
    pub(crate) comments_matching: String,
    pub(crate) comments_none_match: String,
    pub(crate) qr_heading: String,
    /// `{name}` of the venue.
    pub(crate) qr_alt: String,
    pub(crate) code_label: String,
    pub(crate) download_png: String,
    pub(crate) download_svg: String,
    pub(crate) poster_a4: String,
    pub(crate) poster_a5: String,
    pub(crate) reissue_heading: String,
    pub(crate) reissue_body: String,
    pub(crate) reissue_confirm: String,
    pub(crate) reissue_submit: String,
    pub(crate) reissue_confirm_required: String,
    pub(crate) profile_heading: String,
    pub(crate) commitment_heading: String,
    /// `{max}` characters.
    pub(crate) commitment_hint: String,
    pub(crate) commitment_label: String,
    pub(crate) commitment_none: String,
    /// `{date}` first published, `{updated}` last changed.
    pub(crate) commitment_published: String,
    pub(crate) commitment_submit: String,
    pub(crate) officer_heading: String,
    pub(crate) officer_hint: String,
    pub(crate) officer_none: String,
    pub(crate) officer_name: String,
    pub(crate) officer_position: String,
    pub(crate) officer_appointed: String,
    pub(crate) officer_training: String,
    pub(crate) officer_status: String,
    pub(crate) status_unregistered: String,
    pub(crate) status_pending: String,
    pub(crate) status_registered: String,
    pub(crate) officer_submit: String,
    pub(crate) notice_reply: String,
    pub(crate) notice_commitment: String,
    pub(crate) notice_officer: String,
    pub(crate) notice_code: String,
    /// `{field}` is one of the `field_*` names.
    pub(crate) error_empty: String,
    /// `{field}` is one of the `field_*` names, `{max}` its bound.
    pub(crate) error_too_long: String,
    pub(crate) error_control_character: String,
    pub(crate) error_bad_date: String,
    pub(crate) error_future_date: String,
    pub(crate) error_training: String,
    pub(crate) error_status: String,
    pub(crate) error_no_comment: String,
    pub(crate) error_bad_page: String,
    pub(crate) field_body: String,
    pub(crate) field_text: String,
    pub(crate) field_name: String,
    pub(crate) field_position: String,
    pub(crate) poster_title: String,
    pub(crate) poster_heading: String,
    pub(crate) poster_instructions: String,
    /// `{size}` is A4 or A5.
    pub(crate) poster_hint: String,
    pub(crate) poster_back: String,
    pub(crate) poster_bad_size: String,
    /// `{date}` first published.
    pub(crate) public_commitment_since: String,
    /// `{name}` and `{position}` of the officer.
    pub(crate) public_officer: String,
    pub(crate) public_comments_heading: String,
    pub(crate) public_reply: String,
}

#[cfg(test)]
mod tests {
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
}
