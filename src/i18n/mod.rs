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
    pub(crate) lists: ListsTexts,
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
    pub(crate) confirm: ConfirmTexts,
    pub(crate) notices: NoticeTexts,
    pub(crate) cases: CaseTexts,
    pub(crate) calendar: CalendarTexts,
    pub(crate) venue_admin: VenueAdminTexts,
    pub(crate) inspections: InspectionTexts,
    pub(crate) reports: ReportTexts,
    pub(crate) posters: PostersTexts,
    pub(crate) appeals: AppealTexts,
    pub(crate) complaint_entry: ComplaintEntryTexts,
    pub(crate) quality_officers: QualityOfficerTexts,
    pub(crate) tier_override: TierOverrideTexts,
    pub(crate) credit_lists: CreditListTexts,
    pub(crate) credit_repair: CreditRepairTexts,
    pub(crate) campaigns: CampaignTexts,
    pub(crate) demonstration: DemonstrationTexts,
    pub(crate) integrity: IntegrityTexts,
    pub(crate) alerts: AlertTexts,
    /// What a use-case refuses, by [`Slug::key`]; a test checks every slug is here.
    problems: HashMap<String, String>,
    /// What the audit log's actions are called, by [`crate::domain::audit::AuditAction::key`]; a
    /// test checks every action is here.
    audit_actions: HashMap<String, String>,
}

fn catalogue_source(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => include_str!("../../web/i18n/zh-CN.toml"),
        Lang::Ug => include_str!("../../web/i18n/ug.toml"),
        Lang::En => include_str!("../../web/i18n/en.toml"),
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

#[cfg(test)]
mod tests;
mod texts;

pub use texts::*;
