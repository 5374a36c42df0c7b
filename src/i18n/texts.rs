//! The texts of every page, section by section, as the catalogues
//! (`web/i18n/<tag>.toml`) hold them.
//!
//! Past 500 lines: one struct per catalogue section, kept together as the catalogues keep them.

use std::collections::HashMap;

use serde::Deserialize;

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
    pub(crate) family_complaint: String,
    pub(crate) family_calendar: String,
    /// Audit family: inspections and their draws.
    pub(crate) family_inspection: String,
    /// Audit family: credit list entries.
    pub(crate) family_list_entry: String,
    /// Audit family: credit repair applications.
    pub(crate) family_repair: String,
    /// Audit family: demonstration-unit campaigns.
    pub(crate) family_campaign: String,
    pub(crate) family_integrity: String,
    pub(crate) family_alert: String,
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
    pub(crate) region_none: String,
    pub(crate) venue_search: String,
    pub(crate) venue_search_submit: String,
    /// `{shown}` of `{total}` venues in scope.
    pub(crate) venues_shown: String,
    pub(crate) venues_none: String,
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
    pub(crate) stat_overdue_complaints: String,
    pub(crate) stat_due_soon_complaints: String,
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
    pub(crate) serious_required: String,
    /// The ratings table's filter: its legend, its fields, "any", the two
    /// states, the button and the link that clears it.
    pub(crate) filter_legend: String,
    pub(crate) filter_stars: String,
    pub(crate) filter_day: String,
    pub(crate) filter_tag: String,
    pub(crate) filter_state: String,
    pub(crate) filter_any: String,
    pub(crate) filter_counted: String,
    pub(crate) filter_quarantined: String,
    pub(crate) filter_submit: String,
    pub(crate) filter_clear: String,
    /// Quarantining the ratings ticked in a venue's table: the tick's
    /// label, the reason box, the button, the refusal of an empty or too
    /// large selection (`{max}`), and the confirmation (`{count}`,
    /// `{venue}`, `{ids}`).
    pub(crate) selection_pick: String,
    pub(crate) selection_legend: String,
    pub(crate) selection_reason: String,
    pub(crate) selection_button: String,
    pub(crate) selection_none: String,
    pub(crate) selection_title: String,
    pub(crate) selection_body: String,
    pub(crate) selection_submit: String,
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
    pub(crate) venue_closed_title: String,
    /// `{venue}` is the venue's name.
    pub(crate) venue_closed_body: String,
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
    /// Published inspections (一公开): heading, empty state, columns, results.
    pub(crate) inspections_heading: String,
    pub(crate) inspections_none: String,
    pub(crate) inspection_day_col: String,
    pub(crate) inspection_checklist_col: String,
    pub(crate) inspection_result_col: String,
    pub(crate) inspection_passed: String,
    pub(crate) inspection_failed: String,
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

/// Texts of the public credit lists, `/lists/serious` and `/lists/quality`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListsTexts {
    pub(crate) serious_title: String,
    /// What the list is and the regulation it rests on.
    pub(crate) serious_intro: String,
    pub(crate) quality_title: String,
    /// What puts a venue on the quality list.
    pub(crate) quality_intro: String,
    /// `{day}`: the day the list is of.
    pub(crate) as_of: String,
    /// Before the JSON and CSV links.
    pub(crate) open_data: String,
    pub(crate) empty: String,
    pub(crate) col_venue: String,
    pub(crate) col_region: String,
    pub(crate) col_reason: String,
    pub(crate) col_basis: String,
    pub(crate) col_decision_no: String,
    pub(crate) col_decided_on: String,
    pub(crate) col_period: String,
    /// `{from}` and `{to}`: the first day in force and the day it ends.
    pub(crate) period: String,
    pub(crate) col_score: String,
    pub(crate) col_since: String,
    /// The home page's link to the lists.
    pub(crate) home_link: String,
}

/// Texts of the confirmation step of a consequential action
/// (src/http/pages/confirm.rs): a title, what will happen, the button.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfirmTexts {
    pub(crate) cancel: String,
    pub(crate) disable_title: String,
    /// `{name}` and `{login}` of the account.
    pub(crate) disable_body: String,
    pub(crate) disable_submit: String,
    pub(crate) reset_title: String,
    /// `{name}` and `{login}` of the account.
    pub(crate) reset_body: String,
    pub(crate) reset_submit: String,
    pub(crate) revoke_title: String,
    /// `{name}` and `{scope}` of the token.
    pub(crate) revoke_body: String,
    pub(crate) revoke_submit: String,
    pub(crate) reissue_title: String,
    /// `{venue}` name and its current `{code}`.
    pub(crate) reissue_body: String,
    pub(crate) reissue_submit: String,
    pub(crate) quarantine_title: String,
    /// `{venue}`, the rating's `{stars}` and local `{day}`.
    pub(crate) quarantine_body: String,
    pub(crate) quarantine_submit: String,
    pub(crate) release_title: String,
    /// `{venue}`, the rating's `{stars}` and local `{day}`.
    pub(crate) release_body: String,
    pub(crate) release_submit: String,
    pub(crate) comment_label: String,
}

/// What a signed-in page says once after a change (src/http/pages/notice.rs).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoticeTexts {
    pub(crate) account_disabled: String,
    pub(crate) account_enabled: String,
    pub(crate) second_factor_reset: String,
    pub(crate) token_revoked: String,
    pub(crate) code_reissued: String,
    pub(crate) rating_quarantined: String,
    pub(crate) rating_released: String,
    pub(crate) violation_recorded: String,
    pub(crate) reply_saved: String,
    pub(crate) commitment_saved: String,
    pub(crate) officer_saved: String,
    pub(crate) ratings_quarantined: String,
    pub(crate) venue_created: String,
    pub(crate) venue_saved: String,
    pub(crate) venue_closed: String,
    pub(crate) venue_reopened: String,
    pub(crate) venues_imported: String,
    pub(crate) case_stepped: String,
    pub(crate) inspection_recorded: String,
    pub(crate) draw_made: String,
    pub(crate) bad_rating_stepped: String,
    pub(crate) appeal_filed: String,
    pub(crate) appeal_decided: String,
    pub(crate) holds_decided: String,
    pub(crate) alert_read: String,
    pub(crate) complaint_entered: String,
    pub(crate) officer_training_added: String,
    pub(crate) officer_training_removed: String,
    pub(crate) officer_filed: String,
    pub(crate) officer_decided: String,
    pub(crate) officer_evaluated: String,
    pub(crate) tier_override_set: String,
    pub(crate) tier_override_ended: String,
    pub(crate) list_entry_proposed: String,
    pub(crate) list_statement_submitted: String,
    pub(crate) list_entry_decided: String,
    pub(crate) repair_applied: String,
    pub(crate) repair_decided: String,
    /// A demonstration-unit campaign was created.
    pub(crate) campaign_created: String,
    /// A county's demonstration-unit list changed, was submitted or reviewed.
    pub(crate) campaign_changed: String,
    /// A campaign's units were awarded.
    pub(crate) campaign_awarded: String,
    /// A nominated unit's deeds were saved.
    pub(crate) deeds_saved: String,
    /// A nominated unit's ambassador was saved.
    pub(crate) ambassador_saved: String,
    /// A venue asked to be graded again.
    pub(crate) regrade_requested: String,
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
    pub(crate) friendly_staff: String,
    pub(crate) clean: String,
    pub(crate) good_value: String,
    pub(crate) fast_service: String,
    pub(crate) helpful_guide: String,
    pub(crate) accessible: String,
    pub(crate) long_wait: String,
    pub(crate) dirty: String,
    pub(crate) rude_staff: String,
    pub(crate) unclear_prices: String,
    pub(crate) overcharging: String,
    pub(crate) forced_shopping: String,
    pub(crate) misleading: String,
    #[serde(rename = "unsafe")]
    pub(crate) unsafe_conditions: String,
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
    pub(crate) reissue_submit: String,
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
    /// `{field}` is one of the `field_*` names.
    pub(crate) error_empty: String,
    /// `{field}` is one of the `field_*` names, `{max}` its bound.
    pub(crate) error_too_long: String,
    pub(crate) error_control_character: String,
    pub(crate) error_bad_date: String,
    pub(crate) error_future_date: String,
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

/// Texts of complaint cases: the visitor's tracking page, the console's
/// queue and case page, and the dashboard's list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CaseTexts {
    pub(crate) state_submitted: String,
    pub(crate) state_accepted: String,
    pub(crate) state_rejected: String,
    pub(crate) state_transferred: String,
    pub(crate) state_venue_replied: String,
    pub(crate) state_mediating: String,
    pub(crate) state_resolved: String,
    pub(crate) state_closed_unresolved: String,
    pub(crate) track_title: String,
    pub(crate) code_label: String,
    pub(crate) venue_label: String,
    pub(crate) state_label: String,
    pub(crate) received: String,
    pub(crate) due: String,
    pub(crate) closed: String,
    pub(crate) steps_heading: String,
    pub(crate) answer_heading: String,
    pub(crate) no_answer_yet: String,
    pub(crate) rate_heading: String,
    pub(crate) rate_intro: String,
    pub(crate) comment_label: String,
    pub(crate) rate_submit: String,
    pub(crate) rated_thanks: String,
    pub(crate) your_rating: String,
    pub(crate) not_found_title: String,
    pub(crate) not_found_body: String,
    pub(crate) form_expired: String,
    pub(crate) bad_stars: String,
    pub(crate) not_rateable: String,
    pub(crate) follow_link: String,
    pub(crate) queue_title: String,
    pub(crate) queue_intro: String,
    pub(crate) col_code: String,
    pub(crate) col_venue: String,
    pub(crate) col_region: String,
    pub(crate) col_source: String,
    pub(crate) overdue_badge: String,
    pub(crate) filter_state: String,
    pub(crate) filter_any: String,
    pub(crate) filter_overdue: String,
    pub(crate) filter_due_soon: String,
    pub(crate) filter_submit: String,
    pub(crate) empty: String,
    pub(crate) source_visitor: String,
    pub(crate) source_phone: String,
    pub(crate) source_hotline_12345: String,
    pub(crate) description_label: String,
    pub(crate) service_on: String,
    pub(crate) contact_label: String,
    pub(crate) contact_none: String,
    pub(crate) contact_erased: String,
    pub(crate) reveal_contact: String,
    pub(crate) timeline_heading: String,
    pub(crate) verdict_heading: String,
    pub(crate) upheld: String,
    pub(crate) not_upheld: String,
    pub(crate) venue_at_fault: String,
    pub(crate) venue_not_at_fault: String,
    pub(crate) verdict_none: String,
    pub(crate) handling_rating: String,
    pub(crate) step_heading: String,
    pub(crate) to_label: String,
    pub(crate) reason_label: String,
    pub(crate) note_label: String,
    pub(crate) public_answer_label: String,
    pub(crate) region_label: String,
    pub(crate) submit_step: String,
    pub(crate) no_steps: String,
    pub(crate) dashboard_heading: String,
    pub(crate) dashboard_intro: String,
    pub(crate) answer_label: String,
}

impl CaseTexts {
    /// A case state in this language.
    pub(crate) fn state(&self, state: crate::domain::complaint::CaseState) -> &str {
        use crate::domain::complaint::CaseState::*;
        match state {
            Submitted => &self.state_submitted,
            Accepted => &self.state_accepted,
            Rejected => &self.state_rejected,
            Transferred => &self.state_transferred,
            VenueReplied => &self.state_venue_replied,
            Mediating => &self.state_mediating,
            Resolved => &self.state_resolved,
            ClosedUnresolved => &self.state_closed_unresolved,
        }
    }

    /// Where a complaint came from, in this language.
    pub(crate) fn source<'a>(&'a self, source: &'a str) -> &'a str {
        match source {
            "visitor" => &self.source_visitor,
            "phone" => &self.source_phone,
            "hotline_12345" => &self.source_hotline_12345,
            other => other,
        }
    }
}

/// Keeping the venue register in the console: the create and edit forms
/// (with the particulars the 巴州 2023 附件2 form asks), closing and
/// reopening, and the spreadsheet import with its dry run.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VenueAdminTexts {
    pub(crate) new_title: String,
    pub(crate) edit_title: String,
    pub(crate) import_title: String,
    pub(crate) new_link: String,
    pub(crate) import_link: String,
    pub(crate) edit_link: String,
    pub(crate) name_label: String,
    pub(crate) region_label: String,
    pub(crate) category_label: String,
    pub(crate) address_label: String,
    pub(crate) particulars_legend: String,
    pub(crate) unit_type_label: String,
    pub(crate) unit_type_none: String,
    pub(crate) unit_government: String,
    pub(crate) unit_state_owned: String,
    pub(crate) unit_private: String,
    pub(crate) unit_individual: String,
    pub(crate) person_label: String,
    pub(crate) phone_label: String,
    pub(crate) staff_label: String,
    pub(crate) founded_label: String,
    pub(crate) credit_code_label: String,
    pub(crate) credit_code_hint: String,
    pub(crate) create_submit: String,
    pub(crate) save_submit: String,
    pub(crate) closed_badge: String,
    pub(crate) close_button: String,
    pub(crate) reopen_button: String,
    pub(crate) close_title: String,
    pub(crate) close_body: String,
    pub(crate) close_submit: String,
    pub(crate) import_intro: String,
    pub(crate) template_csv: String,
    pub(crate) template_xlsx: String,
    pub(crate) file_label: String,
    pub(crate) check_submit: String,
    pub(crate) file_required: String,
    pub(crate) rows_ok: String,
    pub(crate) import_submit: String,
    pub(crate) errors_heading: String,
    pub(crate) col_row: String,
    pub(crate) col_column: String,
    pub(crate) col_problem: String,
}

/// Texts of the console's working-day calendar page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CalendarTexts {
    pub(crate) title: String,
    pub(crate) intro: String,
    pub(crate) days_heading: String,
    pub(crate) empty: String,
    pub(crate) col_date: String,
    pub(crate) col_kind: String,
    pub(crate) col_name: String,
    pub(crate) kind_holiday: String,
    pub(crate) kind_workday: String,
    pub(crate) clear: String,
    pub(crate) set_heading: String,
    pub(crate) submit: String,
}

/// Texts of the console's inspections (体检式暗访, regulators' requirements
/// clause 25): the venue page's table, the form that records one with its
/// photos, and the random draws (双随机).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InspectionTexts {
    pub(crate) venue_heading: String,
    /// On the console venue page, citing clause 25.
    pub(crate) venue_intro: String,
    pub(crate) record_link: String,
    pub(crate) empty: String,
    pub(crate) col_date: String,
    pub(crate) col_checklist: String,
    pub(crate) col_points: String,
    pub(crate) col_pass_mark: String,
    pub(crate) col_result: String,
    pub(crate) col_inspected_by: String,
    pub(crate) col_recorded_by: String,
    pub(crate) col_findings: String,
    pub(crate) col_photos: String,
    pub(crate) gallery_header: String,
    pub(crate) passed: String,
    pub(crate) failed: String,
    /// A thumbnail's alternative text: its `{n}` and the inspection's `{day}`.
    pub(crate) photo_alt: String,
    /// The form's title: `{venue}`.
    pub(crate) form_title: String,
    pub(crate) form_intro: String,
    pub(crate) form_error: String,
    pub(crate) date_label: String,
    pub(crate) inspected_by_label: String,
    pub(crate) inspected_by_hint: String,
    pub(crate) checklist_label: String,
    /// The checklist's `{version}`, `{pass_mark}` and `{max_total}`.
    pub(crate) checklist_note: String,
    pub(crate) dimension_environment: String,
    pub(crate) dimension_skill: String,
    pub(crate) dimension_attitude: String,
    /// Beside an item: its `{max}` points.
    pub(crate) item_max: String,
    pub(crate) findings_label: String,
    pub(crate) photos_label: String,
    /// The limits: `{count}` photos of `{size}` MB.
    pub(crate) photos_hint: String,
    pub(crate) photos_again: String,
    pub(crate) submit: String,
    pub(crate) cancel: String,
    /// An item's points refused: its `{max}`.
    pub(crate) points_error: String,
    /// A photo refused by its bytes: its `{file}` name.
    pub(crate) photo_invalid: String,
    /// A photo over the limit: its `{file}` name and the `{size}` in MB.
    pub(crate) photo_too_large: String,
    /// Too many photos: the `{count}` allowed.
    pub(crate) too_many_photos: String,
    pub(crate) draws_title: String,
    /// On the draws page, citing clause 25.
    pub(crate) draws_intro: String,
    pub(crate) draws_heading: String,
    pub(crate) draws_empty: String,
    pub(crate) col_draw: String,
    pub(crate) col_region: String,
    pub(crate) col_drawn_at: String,
    pub(crate) col_drawn_by: String,
    pub(crate) col_requested: String,
    pub(crate) col_picked: String,
    pub(crate) col_candidates: String,
    pub(crate) col_seed: String,
    pub(crate) draw_form_heading: String,
    pub(crate) count_label: String,
    pub(crate) region_label: String,
    pub(crate) pool_label: String,
    pub(crate) pool_hint: String,
    pub(crate) per_visit_label: String,
    pub(crate) seed_label: String,
    pub(crate) seed_hint: String,
    pub(crate) draw_submit: String,
    pub(crate) draw_error: String,
    /// The visits refused: the `{max}` allowed.
    pub(crate) count_error: String,
    /// The pool refused: `{max}` names of `{chars}` characters at most.
    pub(crate) pool_error: String,
    pub(crate) per_visit_error: String,
    pub(crate) seed_error: String,
    /// A draw's page: its `{id}`.
    pub(crate) draw_title: String,
    pub(crate) facts_heading: String,
    pub(crate) drawn_region: String,
    pub(crate) drawn_seed: String,
    pub(crate) drawn_at: String,
    pub(crate) drawn_by: String,
    pub(crate) drawn_candidates: String,
    pub(crate) drawn_pool: String,
    pub(crate) drawn_per_visit: String,
    pub(crate) picks_heading: String,
    pub(crate) picks_empty: String,
    pub(crate) col_position: String,
    pub(crate) col_venue: String,
    pub(crate) col_tier: String,
    pub(crate) col_weight: String,
    pub(crate) col_reasons: String,
    pub(crate) col_inspectors: String,
    /// A pick's weight from its `{tier}`: `{weight}`.
    pub(crate) reason_tier: String,
    /// A pick's weight without a tier: `{weight}`.
    pub(crate) reason_ungraded: String,
    /// A pick's weight from `{count}` recent complaints.
    pub(crate) reason_complaints: String,
    pub(crate) record_visit: String,
    pub(crate) all_draws: String,
}

/// Texts of the console's period report (`/console/reports`), its columns
/// and footnotes, and the header rows of its downloads. `{region}`, `{code}`,
/// `{from}`, `{to}`, `{days}`, `{previous_from}`, `{previous_to}`, `{at}` and
/// `{as_of}` are filled in by the page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportTexts {
    /// The console header's link.
    pub(crate) nav: String,
    pub(crate) title: String,
    /// Cites the clause of the regulators' requirements the page serves.
    pub(crate) clause: String,
    pub(crate) form_label: String,
    pub(crate) from_label: String,
    pub(crate) to_label: String,
    pub(crate) submit: String,
    pub(crate) period_heading: String,
    pub(crate) period_line: String,
    pub(crate) as_of_line: String,
    pub(crate) total_row: String,
    pub(crate) col_venues_rated: String,
    pub(crate) col_ratings: String,
    pub(crate) col_mean: String,
    pub(crate) col_previous_mean: String,
    pub(crate) col_movement: String,
    pub(crate) col_received: String,
    pub(crate) col_on_time: String,
    pub(crate) col_overdue: String,
    pub(crate) col_open: String,
    pub(crate) col_inspections: String,
    pub(crate) col_failed: String,
    pub(crate) col_tier_up: String,
    pub(crate) col_tier_down: String,
    pub(crate) notes_heading: String,
    pub(crate) note_rows: String,
    pub(crate) note_venues_rated: String,
    pub(crate) note_ratings: String,
    pub(crate) note_mean: String,
    pub(crate) note_previous_mean: String,
    pub(crate) note_movement: String,
    pub(crate) note_received: String,
    pub(crate) note_on_time: String,
    pub(crate) note_overdue: String,
    pub(crate) note_open: String,
    pub(crate) note_inspections: String,
    pub(crate) note_failed: String,
    pub(crate) note_tier_up: String,
    pub(crate) note_tier_down: String,
    /// The downloads' header rows.
    pub(crate) region_line: String,
    pub(crate) period_row: String,
    pub(crate) generated_line: String,
}

/// Texts of the console's bulk QR posters page and its printable document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PostersTexts {
    pub(crate) nav: String,
    pub(crate) title: String,
    pub(crate) intro: String,
    pub(crate) region_label: String,
    pub(crate) paper_label: String,
    pub(crate) paper_a4: String,
    pub(crate) paper_a5: String,
    pub(crate) submit: String,
    pub(crate) count: String,
    pub(crate) empty: String,
    pub(crate) too_many: String,
    pub(crate) cap_note: String,
    pub(crate) downloads_heading: String,
    pub(crate) print_link: String,
    pub(crate) zip_link: String,
    pub(crate) print_title: String,
    pub(crate) print_hint: String,
    pub(crate) print_back: String,
}

/// Texts of bad ratings (差评) and appeals of ratings (申诉复核): the venue
/// dashboard's section, and the console's appeal queue with its decision
/// form and its downloads' column headers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AppealTexts {
    pub(crate) bad_heading: String,
    pub(crate) bad_intro: String,
    pub(crate) read_only: String,
    pub(crate) bad_empty: String,
    pub(crate) case_open: String,
    pub(crate) case_verified: String,
    pub(crate) case_fixed: String,
    /// `{at}`: when the verification is due.
    pub(crate) verify_due: String,
    /// `{at}`: when the fix is due.
    pub(crate) fix_due: String,
    pub(crate) overdue: String,
    /// `{at}`: when it was verified.
    pub(crate) verified_at: String,
    /// `{at}`: when it was fixed.
    pub(crate) fixed_at: String,
    pub(crate) fix_note_shown: String,
    pub(crate) answer_shown: String,
    pub(crate) no_answer: String,
    pub(crate) verify_label: String,
    pub(crate) verify_submit: String,
    pub(crate) fix_label: String,
    pub(crate) fix_submit: String,
    pub(crate) appeal_label: String,
    pub(crate) appeal_open: String,
    pub(crate) evidence_label: String,
    /// `{max}` characters.
    pub(crate) appeal_hint: String,
    pub(crate) appeal_submit: String,
    /// `{state}` of an appeal not yet decided and `{at}` it was filed.
    pub(crate) filed_status: String,
    /// `{state}` of a decided appeal and `{at}` it was decided.
    pub(crate) decided_status: String,
    pub(crate) reason_shown: String,
    pub(crate) appeals_heading: String,
    pub(crate) appeals_empty: String,
    pub(crate) state_pending: String,
    pub(crate) state_upheld: String,
    pub(crate) state_dismissed: String,
    pub(crate) queue_title: String,
    pub(crate) queue_intro: String,
    pub(crate) filter_state: String,
    pub(crate) state_all: String,
    pub(crate) filter_submit: String,
    pub(crate) empty: String,
    pub(crate) col_appeal: String,
    pub(crate) col_venue: String,
    pub(crate) col_rating_day: String,
    pub(crate) col_stars: String,
    pub(crate) col_comment: String,
    pub(crate) col_evidence: String,
    pub(crate) col_filed: String,
    pub(crate) col_state: String,
    pub(crate) col_decided: String,
    pub(crate) col_reason: String,
    pub(crate) col_rating_now: String,
    pub(crate) decide_header: String,
    pub(crate) decision_label: String,
    pub(crate) decision_choose: String,
    pub(crate) decision_uphold: String,
    pub(crate) decision_dismiss: String,
    pub(crate) reason_label: String,
    pub(crate) reason_placeholder: String,
    pub(crate) decide_submit: String,
    pub(crate) stat_pending: String,
}

impl AppealTexts {
    /// Where an appeal stands (`pending`, `upheld`, `dismissed`), in this language.
    pub(crate) fn state<'a>(&'a self, state: &'a str) -> &'a str {
        match state {
            "pending" => &self.state_pending,
            "upheld" => &self.state_upheld,
            "dismissed" => &self.state_dismissed,
            other => other,
        }
    }
}

/// Texts of the console's form for a complaint taken by telephone or from
/// the 12345 hotline.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ComplaintEntryTexts {
    pub(crate) title: String,
    pub(crate) intro: String,
    pub(crate) link: String,
    pub(crate) venue_label: String,
    pub(crate) source_label: String,
    pub(crate) service_on_label: String,
    pub(crate) received_label: String,
    pub(crate) description_label: String,
    pub(crate) contact_label: String,
    pub(crate) submit: String,
    pub(crate) refused: String,
    /// `{days}`: the handling region's limit.
    pub(crate) service_too_old: String,
}

/// Texts of the Chief Quality Officer registry (首席质量官): the venue's
/// officer page, the console's registry and officer page, the prefecture's
/// registration form, and the words for education, duties and grades.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QualityOfficerTexts {
    pub(crate) nav: String,
    pub(crate) title: String,
    pub(crate) back_to_venue: String,
    pub(crate) dashboard_intro: String,
    pub(crate) dashboard_link: String,
    pub(crate) console_link: String,
    pub(crate) filing_heading: String,
    /// `{status}`.
    pub(crate) status_line: String,
    /// `{at} and {reason}`.
    pub(crate) decision_line: String,
    /// `{hours} recorded and {required} required`.
    pub(crate) hours_line: String,
    pub(crate) training_short_hint: String,
    pub(crate) file_submit: String,
    pub(crate) file_hint: String,
    pub(crate) record_heading: String,
    pub(crate) record_intro: String,
    pub(crate) conditions_legend: String,
    pub(crate) education_label: String,
    pub(crate) education_none: String,
    pub(crate) qualification_label: String,
    pub(crate) experience_label: String,
    pub(crate) duties_legend: String,
    pub(crate) education_doctorate: String,
    pub(crate) education_master: String,
    pub(crate) education_bachelor: String,
    pub(crate) education_college: String,
    pub(crate) education_secondary: String,
    pub(crate) duty_strategy: String,
    pub(crate) duty_system: String,
    pub(crate) duty_improvement: String,
    pub(crate) duty_quality_cost: String,
    pub(crate) duty_training: String,
    pub(crate) duty_culture: String,
    pub(crate) duty_standards: String,
    pub(crate) duty_compliance: String,
    pub(crate) status_refused: String,
    pub(crate) grade_excellent: String,
    pub(crate) grade_qualified: String,
    pub(crate) grade_unqualified: String,
    pub(crate) trainings_heading: String,
    pub(crate) trainings_intro: String,
    pub(crate) trainings_empty: String,
    pub(crate) trainings_need_officer: String,
    pub(crate) training_add_heading: String,
    pub(crate) training_submit: String,
    pub(crate) remove_header: String,
    pub(crate) remove_submit: String,
    pub(crate) col_course: String,
    pub(crate) col_provider: String,
    pub(crate) col_trained_on: String,
    pub(crate) col_hours: String,
    pub(crate) evaluations_heading: String,
    pub(crate) evaluations_empty: String,
    pub(crate) evaluation_heading: String,
    pub(crate) evaluate_heading: String,
    pub(crate) year_label: String,
    pub(crate) grade_label: String,
    pub(crate) reasons_label: String,
    pub(crate) evaluate_submit: String,
    pub(crate) evaluate_needs_registration: String,
    pub(crate) registry_title: String,
    pub(crate) registry_intro: String,
    /// `{required} hours`.
    pub(crate) required_line: String,
    /// `{total}, {page}, {pages}`.
    pub(crate) registry_total: String,
    pub(crate) filter_region: String,
    pub(crate) filter_status: String,
    pub(crate) filter_submit: String,
    pub(crate) filter_all: String,
    pub(crate) filter_none: String,
    pub(crate) filter_officer: String,
    pub(crate) filter_training_short: String,
    pub(crate) empty: String,
    pub(crate) no_officer: String,
    pub(crate) col_venue_id: String,
    pub(crate) col_venue: String,
    pub(crate) col_region: String,
    pub(crate) col_category: String,
    pub(crate) col_officer: String,
    pub(crate) col_position: String,
    pub(crate) col_conditions: String,
    pub(crate) col_status: String,
    pub(crate) col_reason: String,
    pub(crate) col_evaluation: String,
    pub(crate) decide_header: String,
    pub(crate) decide_submit: String,
    pub(crate) decision_heading: String,
    pub(crate) decision_intro: String,
    pub(crate) decision_label: String,
    pub(crate) decision_choose: String,
    pub(crate) decision_register: String,
    pub(crate) decision_refuse: String,
    pub(crate) reason_label: String,
    pub(crate) reason_placeholder: String,
    pub(crate) form_heading: String,
    pub(crate) form_intro: String,
    pub(crate) form_region: String,
    pub(crate) form_submit: String,
    pub(crate) form_sheet: String,
    /// `{region}`.
    pub(crate) form_title: String,
    /// `{at} and {required}`.
    pub(crate) form_generated: String,
    pub(crate) col_number: String,
    pub(crate) col_appointed: String,
    pub(crate) col_training_history: String,
}

impl QualityOfficerTexts {
    /// An education level in this language.
    pub(crate) fn education(&self, education: crate::domain::quality_officer::Education) -> &str {
        use crate::domain::quality_officer::Education;
        match education {
            Education::Doctorate => &self.education_doctorate,
            Education::Master => &self.education_master,
            Education::Bachelor => &self.education_bachelor,
            Education::College => &self.education_college,
            Education::Secondary => &self.education_secondary,
        }
    }

    /// A stored education key in this language; the key itself if unknown.
    pub(crate) fn education_key<'a>(&'a self, key: &'a str) -> &'a str {
        crate::domain::quality_officer::Education::parse(key).map_or(key, |e| self.education(e))
    }

    /// A duty of 二(三) in this language.
    pub(crate) fn duty(&self, duty: crate::domain::quality_officer::Duty) -> &str {
        use crate::domain::quality_officer::Duty;
        match duty {
            Duty::Strategy => &self.duty_strategy,
            Duty::System => &self.duty_system,
            Duty::Improvement => &self.duty_improvement,
            Duty::QualityCost => &self.duty_quality_cost,
            Duty::Training => &self.duty_training,
            Duty::Culture => &self.duty_culture,
            Duty::Standards => &self.duty_standards,
            Duty::Compliance => &self.duty_compliance,
        }
    }

    /// A stored duty key in this language; the key itself if unknown.
    pub(crate) fn duty_key<'a>(&'a self, key: &'a str) -> &'a str {
        crate::domain::quality_officer::Duty::parse(key).map_or(key, |d| self.duty(d))
    }

    /// An evaluation grade (`excellent`, `qualified`, `unqualified`) in this language.
    pub(crate) fn grade<'a>(&'a self, key: &'a str) -> &'a str {
        match key {
            "excellent" => &self.grade_excellent,
            "qualified" => &self.grade_qualified,
            "unqualified" => &self.grade_unqualified,
            other => other,
        }
    }
}

/// Texts of tier overrides (regulators' requirements clause A.20): the
/// console panel that sets and ends one, the source column of the tier
/// history, and the note on the public page and the dashboard.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TierOverrideTexts {
    pub(crate) heading: String,
    /// On the console venue page, citing clause A.20.
    pub(crate) intro: String,
    pub(crate) none: String,
    /// `{tier}`, `{who}`, `{time}`, `{ends_on}`.
    pub(crate) current: String,
    pub(crate) reason_heading: String,
    pub(crate) set_heading: String,
    pub(crate) tier_label: String,
    pub(crate) tier_choose: String,
    pub(crate) reason_label: String,
    pub(crate) ends_on_label: String,
    pub(crate) ends_on_hint: String,
    pub(crate) set_submit: String,
    pub(crate) end_heading: String,
    pub(crate) end_reason_label: String,
    pub(crate) end_submit: String,
    pub(crate) form_error: String,
    pub(crate) col_source: String,
    pub(crate) source_rules: String,
    /// `{who}`, `{ends_on}`, `{reason}`.
    pub(crate) source_override: String,
    pub(crate) source_override_unknown: String,
    /// On the public page and the dashboard: `{ends_on}`.
    pub(crate) public_note: String,
}

/// Texts of the credit lists (文化和旅游市场信用管理规定): the venue
/// dashboard's notice of a proposed entry with its statement form (陈述申辩)
/// and its entries, and the console venue page's section with the propose
/// and decide forms.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreditListTexts {
    pub(crate) heading: String,
    /// The console section's intro, citing the regulation and clause 21.
    pub(crate) console_intro: String,
    /// The dashboard section's intro.
    pub(crate) dashboard_intro: String,
    /// 严重失信主体名单.
    pub(crate) list_serious: String,
    /// 重点关注名单.
    pub(crate) list_watch: String,
    pub(crate) state_pending: String,
    pub(crate) state_listed: String,
    pub(crate) state_dropped: String,
    pub(crate) in_force: String,
    pub(crate) not_in_force: String,
    pub(crate) reason_label: String,
    pub(crate) basis_label: String,
    pub(crate) decision_no_label: String,
    pub(crate) period_label: String,
    /// `{start}` and `{end}` of an entry's term.
    pub(crate) period: String,
    /// `{date}` it was proposed.
    pub(crate) proposed_on: String,
    pub(crate) statement_label: String,
    pub(crate) statement_none: String,
    /// `{at}` the statement was submitted.
    pub(crate) statement_at: String,
    pub(crate) decision_reason_label: String,
    /// `{state}` decided and `{at}` when.
    pub(crate) decided_at: String,
    pub(crate) empty: String,
    pub(crate) notice_heading: String,
    /// `{list}` proposed and the last day `{due}` of the statement period.
    pub(crate) notice_body: String,
    pub(crate) statement_field: String,
    /// `{max}` characters.
    pub(crate) statement_hint: String,
    pub(crate) statement_submit: String,
    pub(crate) staff_only: String,
    pub(crate) waiting_decision: String,
    /// `{due}`: the last day of the statement period, now past.
    pub(crate) period_over: String,
    pub(crate) history_heading: String,
    pub(crate) propose_heading: String,
    pub(crate) list_legend: String,
    pub(crate) starts_label: String,
    pub(crate) ends_label: String,
    pub(crate) ends_hint: String,
    pub(crate) decision_no_hint: String,
    pub(crate) propose_submit: String,
    pub(crate) form_refused: String,
    /// `{due}`: the last day the venue may still answer.
    pub(crate) may_answer: String,
    pub(crate) decide_legend: String,
    pub(crate) decide_listed: String,
    pub(crate) decide_dropped: String,
    pub(crate) decision_reason_field: String,
    pub(crate) decide_submit: String,
    pub(crate) error_choose_list: String,
    pub(crate) error_choose_decision: String,
    pub(crate) error_required: String,
    /// `{max}` characters.
    pub(crate) error_too_long: String,
    pub(crate) error_control: String,
    pub(crate) error_date: String,
    pub(crate) error_starts_past: String,
    pub(crate) error_ends_before: String,
    /// `{months}`: the longest term of the chosen list.
    pub(crate) error_term: String,
}

impl CreditListTexts {
    /// A list's name in this language.
    pub(crate) fn list(&self, list: crate::domain::list_entry::CreditList) -> &str {
        match list {
            crate::domain::list_entry::CreditList::Serious => &self.list_serious,
            crate::domain::list_entry::CreditList::Watch => &self.list_watch,
        }
    }

    /// Where an entry stands, in this language.
    pub(crate) fn state(&self, state: crate::domain::list_entry::EntryState) -> &str {
        match state {
            crate::domain::list_entry::EntryState::Pending => &self.state_pending,
            crate::domain::list_entry::EntryState::Listed => &self.state_listed,
            crate::domain::list_entry::EntryState::Dropped => &self.state_dropped,
        }
    }

    /// A refused field of a proposal, statement or decision explained.
    pub(crate) fn error(&self, err: &crate::domain::list_entry::ListEntryError) -> String {
        use crate::domain::list_entry::ListEntryError as E;
        match err {
            E::UnknownList => self.error_choose_list.clone(),
            E::UnknownDecision => self.error_choose_decision.clone(),
            E::Required(_) => self.error_required.clone(),
            E::TooLong(_, max) => self.error_too_long.replace("{max}", &max.to_string()),
            E::ControlCharacter(_) => self.error_control.clone(),
            E::BadDate(_) => self.error_date.clone(),
            E::StartsInPast => self.error_starts_past.clone(),
            E::EndsBeforeStart => self.error_ends_before.clone(),
            E::TermTooLong(months) => self.error_term.replace("{months}", &months.to_string()),
        }
    }
}

/// Texts of credit repair (信用修复, clause 22; the commitment of clause 19):
/// the dashboard's application form under a list entry in force, and the
/// console's queue and application page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreditRepairTexts {
    pub(crate) heading: String,
    /// The dashboard intro, citing clauses 22 and 19.
    pub(crate) dashboard_intro: String,
    /// The console intro, citing clauses 22 and 19.
    pub(crate) console_intro: String,
    pub(crate) apply_heading: String,
    pub(crate) rectification_label: String,
    pub(crate) rectification_hint: String,
    pub(crate) evidence_label: String,
    pub(crate) evidence_hint: String,
    pub(crate) commitment_label: String,
    /// The commitment as shown beside its box.
    pub(crate) commitment_text: String,
    pub(crate) commitment_rule: String,
    pub(crate) commitment_excluded_note: String,
    pub(crate) training_heading: String,
    pub(crate) training_course_label: String,
    pub(crate) training_provider_label: String,
    pub(crate) trained_on_label: String,
    pub(crate) training_hours_label: String,
    pub(crate) submit: String,
    pub(crate) state_pending: String,
    pub(crate) state_approved: String,
    pub(crate) state_rejected: String,
    pub(crate) overdue: String,
    pub(crate) submitted_label: String,
    pub(crate) due_label: String,
    pub(crate) commitment_given: String,
    pub(crate) commitment_not_given: String,
    pub(crate) evidence_none: String,
    pub(crate) training_line: String,
    pub(crate) decision_label: String,
    pub(crate) decided_line: String,
    pub(crate) reason_label: String,
    pub(crate) approve: String,
    pub(crate) reject: String,
    pub(crate) entry_label: String,
    pub(crate) ended_early: String,
    /// The propose form's box: the entry's basis excludes repair by commitment.
    pub(crate) commitment_excluded_label: String,
    pub(crate) queue_heading: String,
    pub(crate) queue_empty: String,
    pub(crate) queue_link: String,
    pub(crate) filter_label: String,
    pub(crate) filter_all: String,
    pub(crate) filter_submit: String,
    pub(crate) col_venue: String,
    pub(crate) col_list: String,
    pub(crate) col_state: String,
    pub(crate) col_submitted: String,
    pub(crate) col_due: String,
    pub(crate) application_title: String,
    /// The dashboard's re-grading part (clause 22).
    pub(crate) regrade_heading: String,
    pub(crate) regrade_intro: String,
    pub(crate) regrade_last: String,
    pub(crate) regrade_never: String,
    pub(crate) regrade_from: String,
    pub(crate) regrade_submit: String,
}

/// Texts of the console's demonstration-unit campaign pages
/// (`/console/campaigns`, `/console/campaigns/{id}`; 微笑新疆 示范单位推荐).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CampaignTexts {
    pub(crate) title: String,
    pub(crate) intro: String,
    pub(crate) basis: String,
    pub(crate) empty: String,
    pub(crate) col_name: String,
    pub(crate) col_year: String,
    pub(crate) col_prefecture: String,
    pub(crate) col_deadline: String,
    pub(crate) col_state: String,
    pub(crate) state_open: String,
    pub(crate) state_closed: String,
    pub(crate) state_awarded: String,
    pub(crate) create_heading: String,
    pub(crate) create_intro: String,
    pub(crate) prefecture_label: String,
    pub(crate) name_label: String,
    pub(crate) year_label: String,
    pub(crate) categories_label: String,
    pub(crate) period_start_label: String,
    pub(crate) period_end_label: String,
    pub(crate) period_label: String,
    pub(crate) deadline_label: String,
    pub(crate) weights_legend: String,
    pub(crate) weight_environment: String,
    pub(crate) weight_skill: String,
    pub(crate) weight_attitude: String,
    pub(crate) weights_hint: String,
    pub(crate) min_ratings_label: String,
    pub(crate) excluded_years_label: String,
    pub(crate) excluded_years_hint: String,
    pub(crate) quota_file_label: String,
    pub(crate) quota_file_hint: String,
    pub(crate) create_submit: String,
    pub(crate) quota_errors_heading: String,
    pub(crate) col_row: String,
    pub(crate) col_column: String,
    pub(crate) col_problem: String,
    pub(crate) column_file: String,
    /// A quota file's faults, by `QuotaFault::key`, with its values put in.
    pub(crate) quota_fault_unreadable: String,
    pub(crate) quota_fault_empty: String,
    pub(crate) quota_fault_missing_columns: String,
    pub(crate) quota_fault_too_many_rows: String,
    pub(crate) quota_fault_not_a_code: String,
    pub(crate) quota_fault_unknown_region: String,
    pub(crate) quota_fault_outside_prefecture: String,
    pub(crate) quota_fault_repeated: String,
    pub(crate) quota_fault_bad_quota: String,
    pub(crate) quota_fault_note_too_long: String,
    pub(crate) quota_fault_note_control_character: String,
    pub(crate) quota_fault_no_rows: String,
    pub(crate) error_file_missing: String,
    pub(crate) error_file_encoding: String,
    pub(crate) error_number: String,
    pub(crate) error_years: String,
    pub(crate) error_name: String,
    pub(crate) error_year: String,
    pub(crate) error_date: String,
    pub(crate) error_period: String,
    pub(crate) error_weights: String,
    pub(crate) error_min_ratings: String,
    pub(crate) error_categories: String,
    pub(crate) error_prefecture: String,
    pub(crate) back_to_list: String,
    pub(crate) settings_heading: String,
    pub(crate) period_line: String,
    pub(crate) weights_line: String,
    pub(crate) quotas_heading: String,
    pub(crate) col_region: String,
    pub(crate) col_quota: String,
    pub(crate) col_confirmed: String,
    pub(crate) col_list_state: String,
    pub(crate) col_actions: String,
    pub(crate) list_open: String,
    pub(crate) list_submitted: String,
    pub(crate) list_confirmed: String,
    pub(crate) list_sent_back: String,
    pub(crate) sent_back_line: String,
    pub(crate) open_region: String,
    pub(crate) proposals_heading: String,
    pub(crate) proposals_intro: String,
    pub(crate) col_rank: String,
    pub(crate) col_venue: String,
    pub(crate) col_score: String,
    pub(crate) col_parts: String,
    pub(crate) col_ratings: String,
    pub(crate) col_gates: String,
    pub(crate) col_list: String,
    pub(crate) proposed: String,
    pub(crate) on_list: String,
    pub(crate) parts_line: String,
    pub(crate) gates_all: String,
    pub(crate) confirm_submit: String,
    pub(crate) unranked_heading: String,
    pub(crate) unranked_line: String,
    pub(crate) add_submit: String,
    pub(crate) excluded_heading: String,
    pub(crate) excluded_empty: String,
    pub(crate) col_reasons: String,
    pub(crate) gate_violation: String,
    pub(crate) gate_complaint: String,
    pub(crate) gate_awarded: String,
    pub(crate) swap_heading: String,
    pub(crate) swap_in_label: String,
    pub(crate) swap_out_label: String,
    pub(crate) reason_label: String,
    pub(crate) swap_submit: String,
    pub(crate) listed_heading: String,
    pub(crate) listed_empty: String,
    pub(crate) col_kind: String,
    pub(crate) kind_proposed: String,
    pub(crate) kind_swap: String,
    pub(crate) kind_added: String,
    pub(crate) remove_reason_label: String,
    pub(crate) remove_submit: String,
    pub(crate) submit_heading: String,
    pub(crate) submit_intro: String,
    pub(crate) submit_list: String,
    pub(crate) list_locked: String,
    pub(crate) review_heading: String,
    pub(crate) review_intro: String,
    pub(crate) review_decision: String,
    pub(crate) review_confirm: String,
    pub(crate) review_send_back: String,
    pub(crate) review_reason: String,
    pub(crate) review_submit: String,
    pub(crate) award_heading: String,
    pub(crate) award_intro: String,
    pub(crate) award_submit: String,
    pub(crate) award_waiting: String,
    pub(crate) awarded_line: String,
    pub(crate) forms_heading: String,
    pub(crate) forms_intro: String,
    pub(crate) form_unit_recommendations: String,
    pub(crate) form_ambassador_recommendations: String,
    pub(crate) form_unit_summary: String,
    pub(crate) form_ambassador_summary: String,
}

impl CampaignTexts {
    /// A county list's state (`open`, `submitted`, `confirmed` by the
    /// prefecture, `sent_back`) in this language.
    pub(crate) fn list_state(&self, state: &str) -> &str {
        match state {
            "submitted" => &self.list_submitted,
            "confirmed" => &self.list_confirmed,
            "sent_back" => &self.list_sent_back,
            _ => &self.list_open,
        }
    }
}

/// Texts of the venue dashboard's demonstration-unit part: the lists the
/// venue is on, its deeds and its service ambassador (微笑新疆 示范单位推荐,
/// 附件2 and 附件3).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DemonstrationTexts {
    pub(crate) heading: String,
    pub(crate) intro: String,
    pub(crate) campaign_line: String,
    pub(crate) list_line: String,
    pub(crate) deadline_line: String,
    pub(crate) awarded_line: String,
    pub(crate) deeds_heading: String,
    pub(crate) deeds_label: String,
    pub(crate) deeds_hint: String,
    pub(crate) deeds_submit: String,
    pub(crate) ambassador_heading: String,
    pub(crate) ambassador_current: String,
    pub(crate) ambassador_none: String,
    pub(crate) name_label: String,
    pub(crate) post_label: String,
    pub(crate) phone_label: String,
    pub(crate) address_label: String,
    pub(crate) ambassador_deeds_label: String,
    pub(crate) ambassador_submit: String,
    /// A name, post or address empty, too long or of more than one line.
    pub(crate) error_length: String,
    pub(crate) error_deeds: String,
    pub(crate) error_phone: String,
}

/// Texts of the review queue of bought scores (the console's incidents of
/// held ratings, with the evidence put in words) and the venue dashboard's
/// line on ratings under review.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IntegrityTexts {
    pub(crate) nav: String,
    pub(crate) queue_title: String,
    pub(crate) queue_intro: String,
    pub(crate) filter_open: String,
    pub(crate) open_only: String,
    pub(crate) all_incidents: String,
    pub(crate) filter_submit: String,
    pub(crate) empty: String,
    pub(crate) col_incident: String,
    pub(crate) col_venue: String,
    pub(crate) col_signal: String,
    pub(crate) col_side: String,
    pub(crate) col_window: String,
    pub(crate) col_evidence: String,
    pub(crate) col_held: String,
    pub(crate) col_released: String,
    pub(crate) col_confirmed: String,
    pub(crate) col_detected: String,
    pub(crate) side_high: String,
    pub(crate) side_low: String,
    pub(crate) side_none: String,
    pub(crate) signal_burst: String,
    pub(crate) signal_shift: String,
    pub(crate) signal_fresh_addresses: String,
    pub(crate) signal_network: String,
    pub(crate) signal_new_networks: String,
    pub(crate) signal_rival_bombing: String,
    pub(crate) signal_device_spread: String,
    pub(crate) signal_device_repeat: String,
    pub(crate) signal_near_duplicates: String,
    pub(crate) signal_quiet_hours: String,
    pub(crate) evidence_burst: String,
    pub(crate) evidence_shift: String,
    pub(crate) evidence_fresh_addresses: String,
    pub(crate) evidence_network: String,
    pub(crate) evidence_new_networks: String,
    pub(crate) evidence_rival_bombing: String,
    pub(crate) evidence_device_spread: String,
    pub(crate) evidence_device_repeat: String,
    pub(crate) evidence_near_duplicates: String,
    pub(crate) evidence_quiet_hours: String,
    pub(crate) decide_header: String,
    pub(crate) decision_label: String,
    pub(crate) decision_choose: String,
    pub(crate) decision_release: String,
    pub(crate) decision_confirm: String,
    pub(crate) reason_label: String,
    pub(crate) reason_placeholder: String,
    pub(crate) decide_submit: String,
    pub(crate) decide_all_heading: String,
    pub(crate) incident_title: String,
    pub(crate) ratings_heading: String,
    pub(crate) ratings_empty: String,
    pub(crate) col_rating: String,
    pub(crate) col_time: String,
    pub(crate) col_stars: String,
    pub(crate) col_comment: String,
    pub(crate) col_signals: String,
    pub(crate) col_state: String,
    pub(crate) col_decided: String,
    pub(crate) col_reason: String,
    pub(crate) state_held: String,
    pub(crate) state_released: String,
    pub(crate) state_confirmed: String,
    pub(crate) back: String,
    pub(crate) under_review: String,
}

/// Texts of the console's inbox of alerts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AlertTexts {
    pub(crate) inbox_title: String,
    pub(crate) inbox_intro: String,
    pub(crate) filter_show: String,
    pub(crate) show_all: String,
    pub(crate) show_unread: String,
    pub(crate) filter_submit: String,
    pub(crate) unread_count: String,
    pub(crate) empty: String,
    pub(crate) col_alert: String,
    pub(crate) col_kind: String,
    pub(crate) col_venue: String,
    pub(crate) col_what: String,
    pub(crate) col_raised: String,
    pub(crate) col_read: String,
    pub(crate) col_delivery: String,
    pub(crate) kind_campaign_detected: String,
    pub(crate) kind_score_drop: String,
    pub(crate) kind_red_flag_cluster: String,
    pub(crate) kind_overdue_case: String,
    pub(crate) what_campaign_detected: String,
    pub(crate) what_score_drop: String,
    pub(crate) what_red_flag_cluster: String,
    pub(crate) what_overdue_case: String,
    pub(crate) read_yes: String,
    pub(crate) read_no: String,
    pub(crate) delivery_pending: String,
    pub(crate) delivery_delivered: String,
    pub(crate) delivery_failed: String,
    pub(crate) delivery_none: String,
    pub(crate) mark_header: String,
    pub(crate) mark_read: String,
}
