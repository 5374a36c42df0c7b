//! Demonstration-unit selections (微笑新疆 示范单位推荐; regulators'
//! requirements section C): a prefecture's campaign, its quotas per region
//! read from the notice's CSV, the weights of the three rating dimensions,
//! the ranking of a region's venues with its reasons, and the texts the
//! forms (附件2–5) ask for.
//!
//! Rules written down here:
//! - a venue's campaign score is the weighted mean of its dimension scores
//!   over the period (each dimension's mean of stars on the 0–100 scale,
//!   from the day aggregates); a dimension with weight 0 is not read;
//! - a venue is ranked only with at least `min_ratings` ratings in the
//!   period and a rating in every weighted dimension; ties go to the higher
//!   confidence (Wilson lower bound of the share of 4★ and 5★), then to more
//!   ratings, then to the lower venue id;
//! - the hard gates (section C, 二(一) "无违法违纪、无责任投诉" and
//!   "units awarded in 2021 are not recommended again"): no violation that
//!   occurred in the period, no complaint upheld with the venue at fault
//!   whose service day lies in the period, no award in an excluded year.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use super::ids::VenueId;
use super::region::{RegionLevel, RegionTree};
use super::scoring::{stars_to_score_0_100, wilson_lower_bound};
use super::text::strict_text;

/// The longest campaign name, in characters.
pub const NAME_MAX_CHARS: usize = 200;
/// The longest reason (swap, removal, sending back), in characters.
pub const REASON_MAX_CHARS: usize = 1000;
/// The form's 主要事迹: at least this many characters …
pub const DEEDS_MIN_CHARS: usize = 300;
/// … and at most this many.
pub const DEEDS_MAX_CHARS: usize = 500;
/// The most quota rows a file may hold.
pub const QUOTA_ROWS_MAX: usize = 500;

/// Why a campaign's settings, a reason or a form's text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CampaignError {
    /// The name is empty, too long or holds a control character.
    #[error("name must be 1–200 characters without control characters")]
    BadName,
    /// The year is not between 2000 and 2100.
    #[error("year must be between 2000 and 2100")]
    BadYear,
    /// A date is not written YYYY-MM-DD.
    #[error("{0} must be a date written YYYY-MM-DD")]
    BadDate(&'static str),
    /// The period ends before it starts.
    #[error("period_end must not be before period_start")]
    PeriodReversed,
    /// The weights are negative, or do not sum to 1 (or 100).
    #[error("weights must be three non-negative numbers summing to 1 (or to 100)")]
    BadWeights,
    /// The minimum rating count is out of range.
    #[error("min_ratings must be between 1 and 100000")]
    BadMinRatings,
    /// No category, or a category not known.
    #[error("categories must name known category keys: {0}")]
    BadCategories(String),
    /// An excluded award year out of range.
    #[error("excluded_award_years must be years between 2000 and 2100")]
    BadExcludedYear,
    /// The prefecture code is not a prefecture.
    #[error("prefecture_code must be a known prefecture's code")]
    NotAPrefecture,
    /// A reason was required and not given, or is too long or holds a control character.
    #[error("a reason of 1–1000 characters without control characters is required")]
    BadReason,
    /// 主要事迹 shorter than 300 or longer than 500 characters.
    #[error("{0} must be 300–500 characters, as the form asks; it has {1}")]
    DeedsLength(&'static str, usize),
    /// A text field holds a control character.
    #[error("{0} may not contain control characters")]
    ControlCharacter(&'static str),
    /// A required text field is empty or too long.
    #[error("{0} must be 1–{1} characters")]
    FieldLength(&'static str, usize),
    /// A phone number that is not one.
    #[error("phone must be 5–30 digits, spaces, +, - and parentheses")]
    BadPhone,
}

impl CampaignError {
    /// The field a form shows this refusal beside (`period` for a period
    /// that ends before it starts).
    pub fn field(&self) -> &'static str {
        match self {
            CampaignError::BadName => "name",
            CampaignError::BadYear => "year",
            CampaignError::BadDate(field)
            | CampaignError::DeedsLength(field, _)
            | CampaignError::ControlCharacter(field)
            | CampaignError::FieldLength(field, _) => field,
            CampaignError::PeriodReversed => "period",
            CampaignError::BadWeights => "weights",
            CampaignError::BadMinRatings => "min_ratings",
            CampaignError::BadCategories(_) => "categories",
            CampaignError::BadExcludedYear => "excluded_award_years",
            CampaignError::NotAPrefecture => "prefecture_code",
            CampaignError::BadReason => "reason",
            CampaignError::BadPhone => "phone",
        }
    }
}

/// The weights of the three rating dimensions (服务环境, 服务技能, 服务意识),
/// each 0..1, summing to 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Weights {
    /// Service environment (服务环境).
    pub environment: f64,
    /// Service skill (服务技能).
    pub skill: f64,
    /// Service attitude (服务意识).
    pub attitude: f64,
}

impl Weights {
    /// Reads three non-negative numbers summing to 1, or to 100 (then read
    /// as percentages).
    pub fn parse(environment: f64, skill: f64, attitude: f64) -> Result<Self, CampaignError> {
        let parts = [environment, skill, attitude];
        if parts.iter().any(|w| !w.is_finite() || *w < 0.0) {
            return Err(CampaignError::BadWeights);
        }
        let sum: f64 = parts.iter().sum();
        let scale = if (sum - 1.0).abs() < 1e-6 {
            1.0
        } else if (sum - 100.0).abs() < 1e-4 {
            100.0
        } else {
            return Err(CampaignError::BadWeights);
        };
        // Normalised exactly, so the stored sum is 1 to the last bit the
        // database checks.
        let (e, s, a) = (environment / scale, skill / scale, attitude / scale);
        let total = e + s + a;
        Ok(Self {
            environment: e / total,
            skill: s / total,
            attitude: a / total,
        })
    }
}

/// Checks a year for a campaign or an excluded award year.
pub fn parse_year(year: i32) -> Result<i32, CampaignError> {
    if (2000..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(CampaignError::BadYear)
    }
}

/// Parses a campaign's name.
pub fn parse_name(raw: &str) -> Result<String, CampaignError> {
    let name = strict_text(raw).map_err(|_| CampaignError::BadName)?;
    if name.is_empty() || name.chars().count() > NAME_MAX_CHARS || name.contains('\n') {
        return Err(CampaignError::BadName);
    }
    Ok(name)
}

/// Parses a written reason (a swap, a removal, sending a list back).
pub fn parse_reason(raw: &str) -> Result<String, CampaignError> {
    let reason = strict_text(raw).map_err(|_| CampaignError::BadReason)?;
    if reason.is_empty() || reason.chars().count() > REASON_MAX_CHARS {
        return Err(CampaignError::BadReason);
    }
    Ok(reason)
}

/// Parses 主要事迹 (a unit's or an ambassador's deeds): 300–500 characters,
/// as the forms ask, counted after trimming.
pub fn parse_deeds(field: &'static str, raw: &str) -> Result<String, CampaignError> {
    let deeds = strict_text(raw).map_err(|_| CampaignError::ControlCharacter(field))?;
    let chars = deeds.chars().count();
    if !(DEEDS_MIN_CHARS..=DEEDS_MAX_CHARS).contains(&chars) {
        return Err(CampaignError::DeedsLength(field, chars));
    }
    Ok(deeds)
}

fn parse_field(field: &'static str, raw: &str, max: usize) -> Result<String, CampaignError> {
    let text = strict_text(raw).map_err(|_| CampaignError::ControlCharacter(field))?;
    if text.is_empty() || text.chars().count() > max || text.contains('\n') {
        return Err(CampaignError::FieldLength(field, max));
    }
    Ok(text)
}

/// A unit's service ambassador (形象大使), as 附件3 asks for one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ambassador {
    /// 姓名.
    pub name: String,
    /// 从事岗位.
    pub post: String,
    /// 联系电话.
    pub phone: Option<String>,
    /// 地址.
    pub address: Option<String>,
    /// 主要事迹, 300–500 characters.
    pub deeds: String,
}

impl Ambassador {
    /// Reads an ambassador: name 1–50 characters, post 1–100, phone as
    /// people write it, address up to 500, deeds 300–500. The first fault
    /// refuses it; [`Ambassador::check`] gives every fault.
    pub fn parse(
        name: &str,
        post: &str,
        phone: Option<&str>,
        address: Option<&str>,
        deeds: &str,
    ) -> Result<Self, CampaignError> {
        Self::check(name, post, phone, address, deeds).map_err(|mut faults| faults.remove(0))
    }

    /// Reads an ambassador as [`Ambassador::parse`] does, refusing it with
    /// every field's fault at once (never an empty list), in the form's
    /// order, for a form to show each beside its field.
    pub fn check(
        name: &str,
        post: &str,
        phone: Option<&str>,
        address: Option<&str>,
        deeds: &str,
    ) -> Result<Self, Vec<CampaignError>> {
        let mut faults = Vec::new();
        let mut keep =
            |parsed: Result<String, CampaignError>| parsed.map_err(|e| faults.push(e)).ok();
        let name = keep(parse_field("name", name, 50));
        let post = keep(parse_field("post", post, 100));
        let phone = phone.map(str::trim).filter(|p| !p.is_empty()).map(|raw| {
            keep(
                super::venue_particulars::ContactPhone::parse(raw)
                    .map(|p| p.as_str().to_owned())
                    .map_err(|_| CampaignError::BadPhone),
            )
        });
        let address = address
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|raw| keep(parse_field("address", raw, 500)));
        let deeds = keep(parse_deeds("deeds", deeds));
        match (name, post, phone, address, deeds) {
            (Some(name), Some(post), phone, address, Some(deeds))
                if !matches!(phone, Some(None)) && !matches!(address, Some(None)) =>
            {
                Ok(Self {
                    name,
                    post,
                    phone: phone.flatten(),
                    address: address.flatten(),
                    deeds,
                })
            }
            _ => Err(faults),
        }
    }
}

/// The settings of a new campaign, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCampaign {
    /// The prefecture it belongs to.
    pub prefecture_code: String,
    /// Its name.
    pub name: String,
    /// The award year.
    pub year: i32,
    /// Category keys it selects from.
    pub categories: Vec<String>,
    /// The last day counties may change and submit their lists.
    pub deadline: NaiveDate,
    /// The period's first day.
    pub period_start: NaiveDate,
    /// The period's last day.
    pub period_end: NaiveDate,
    /// The dimension weights.
    pub weights: Weights,
    /// Ratings in the period needed to be ranked.
    pub min_ratings: i32,
    /// Award years whose units are not recommended again.
    pub excluded_award_years: Vec<i32>,
    /// The quotas, one per region.
    pub quotas: Vec<QuotaRow>,
}

/// Reads a date field written YYYY-MM-DD.
pub fn parse_day(field: &'static str, raw: &str) -> Result<NaiveDate, CampaignError> {
    super::day::parse_iso_day(raw).ok_or(CampaignError::BadDate(field))
}

/// Checks a region code names a prefecture of the tree.
pub fn check_prefecture(tree: &RegionTree, code: &str) -> Result<(), CampaignError> {
    match tree.get(code) {
        Some(region) if region.level == RegionLevel::Prefecture => Ok(()),
        _ => Err(CampaignError::NotAPrefecture),
    }
}

/// Checks category keys against the known ones; at least one, no duplicates kept.
pub fn parse_categories(
    raw: &[String],
    known: &HashSet<String>,
) -> Result<Vec<String>, CampaignError> {
    let mut out: Vec<String> = Vec::new();
    let unknown: Vec<&str> = raw
        .iter()
        .map(|c| c.trim())
        .filter(|c| !known.contains(*c))
        .collect();
    if raw.is_empty() || !unknown.is_empty() {
        return Err(CampaignError::BadCategories(unknown.join(", ")));
    }
    for key in raw {
        let key = key.trim().to_owned();
        if !out.contains(&key) {
            out.push(key);
        }
    }
    Ok(out)
}

/// The minimum rating count, 1..=100000.
pub fn parse_min_ratings(raw: i64) -> Result<i32, CampaignError> {
    i32::try_from(raw)
        .ok()
        .filter(|n| (1..=100_000).contains(n))
        .ok_or(CampaignError::BadMinRatings)
}

/// One row of a quota file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaRow {
    /// A county's code, or the prefecture's own for prefecture-level units (州直).
    pub region_code: String,
    /// How many units the region may recommend.
    pub quota: i32,
    /// The file's note, if any.
    pub note: Option<String>,
}

/// What is wrong in a quota file's row (or in the whole file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuotaFault {
    /// The CSV reader could not read it.
    #[error("unreadable CSV: {0}")]
    Unreadable(String),
    /// Nothing at all.
    #[error("the file is empty")]
    Empty,
    /// The header row lacks these columns (comma-separated).
    #[error("the header row lacks the column(s) {0}")]
    MissingColumns(String),
    /// More rows than a prefecture has regions.
    #[error("at most {QUOTA_ROWS_MAX} rows")]
    TooManyRows,
    /// Not six digits.
    #[error("{0:?} is not a six-digit region code")]
    NotACode(String),
    /// Six digits, but no region's.
    #[error("{0} is not a known region")]
    UnknownRegion(String),
    /// A region of another prefecture.
    #[error("{code} lies outside the prefecture {prefecture}")]
    OutsidePrefecture { code: String, prefecture: String },
    /// The region was given in an earlier row.
    #[error("{code} was given already in row {first}")]
    Repeated { code: String, first: usize },
    /// The quota is not a whole number from 1 to 100 000.
    #[error("{0:?} is not a whole number above zero")]
    BadQuota(String),
    /// The note is over 200 characters.
    #[error("at most 200 characters")]
    NoteTooLong,
    /// The note holds a control character.
    #[error("holds a control character")]
    NoteControlCharacter,
    /// A header and no quota row.
    #[error("the file has no quota rows")]
    NoRows,
}

impl QuotaFault {
    /// Its key, for a client or a page to tell it in its own words.
    pub fn key(&self) -> &'static str {
        match self {
            QuotaFault::Unreadable(_) => "unreadable",
            QuotaFault::Empty => "empty",
            QuotaFault::MissingColumns(_) => "missing_columns",
            QuotaFault::TooManyRows => "too_many_rows",
            QuotaFault::NotACode(_) => "not_a_code",
            QuotaFault::UnknownRegion(_) => "unknown_region",
            QuotaFault::OutsidePrefecture { .. } => "outside_prefecture",
            QuotaFault::Repeated { .. } => "repeated",
            QuotaFault::BadQuota(_) => "bad_quota",
            QuotaFault::NoteTooLong => "note_too_long",
            QuotaFault::NoteControlCharacter => "note_control_character",
            QuotaFault::NoRows => "no_rows",
        }
    }

    /// The values its words name, by placeholder (`code`, `first`, …).
    pub fn values(&self) -> BTreeMap<String, String> {
        let pairs: Vec<(&str, String)> = match self {
            QuotaFault::MissingColumns(columns) => vec![("columns", columns.clone())],
            QuotaFault::TooManyRows => vec![("max", QUOTA_ROWS_MAX.to_string())],
            QuotaFault::NotACode(code) | QuotaFault::UnknownRegion(code) => {
                vec![("code", code.clone())]
            }
            QuotaFault::OutsidePrefecture { code, prefecture } => {
                vec![("code", code.clone()), ("prefecture", prefecture.clone())]
            }
            QuotaFault::Repeated { code, first } => {
                vec![("code", code.clone()), ("first", first.to_string())]
            }
            QuotaFault::BadQuota(value) => vec![("value", value.clone())],
            _ => Vec::new(),
        };
        pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }
}

/// One fault of a quota file: its row as a spreadsheet numbers it (the
/// header is row 1), the column and what is wrong, in English and as a
/// key with the values it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct QuotaFileError {
    /// The row, counting the header as row 1.
    pub row: usize,
    /// The column's name (`region_code`, `quota`), or empty for the whole row or file.
    pub column: String,
    /// What is wrong.
    pub message: String,
    /// What is wrong, as a key: `unreadable`, `empty`, `missing_columns`,
    /// `too_many_rows`, `not_a_code`, `unknown_region`,
    /// `outside_prefecture`, `repeated`, `bad_quota`, `note_too_long`,
    /// `note_control_character` or `no_rows`.
    pub kind: String,
    /// The values the fault names (`code`, `first`, `prefecture`, `value`,
    /// `columns`, `max`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
}

impl QuotaFileError {
    /// `fault` at `row` and `column` (empty for the whole row or file).
    pub fn at(row: usize, column: &str, fault: &QuotaFault) -> Self {
        Self {
            row,
            column: column.to_owned(),
            message: fault.to_string(),
            kind: fault.key().to_owned(),
            values: fault.values(),
        }
    }
}

fn fault(row: usize, column: &str, fault: QuotaFault) -> QuotaFileError {
    QuotaFileError::at(row, column, &fault)
}

/// Reads a quota file in the notice's format (`region_code,name_zh,quota,note`,
/// header row first, UTF-8 with or without a byte order mark): every row's
/// region must be the prefecture itself or a region inside it, once; every
/// quota a whole number above zero. Every fault is reported, by row and
/// column; with any fault, no row is returned.
pub fn parse_quota_csv(
    text: &str,
    prefecture_code: &str,
    tree: &RegionTree,
) -> Result<Vec<QuotaRow>, Vec<QuotaFileError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(record)) => record.iter().map(|c| c.trim().to_owned()).collect(),
        Some(Err(err)) => return Err(vec![fault(1, "", QuotaFault::Unreadable(err.to_string()))]),
        None => return Err(vec![fault(1, "", QuotaFault::Empty)]),
    };
    let column_of = |name: &str| header.iter().position(|h| h == name);
    let (Some(region_col), Some(quota_col)) = (column_of("region_code"), column_of("quota")) else {
        let missing: Vec<&str> = ["region_code", "quota"]
            .into_iter()
            .filter(|n| column_of(n).is_none())
            .collect();
        return Err(vec![fault(
            1,
            missing.first().copied().unwrap_or(""),
            QuotaFault::MissingColumns(missing.join(", ")),
        )]);
    };
    let note_col = column_of("note");
    let subtree: HashSet<String> = tree.subtree(prefecture_code).into_iter().collect();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, record) in records.enumerate() {
        let row = i + 2;
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                errors.push(fault(row, "", QuotaFault::Unreadable(err.to_string())));
                continue;
            }
        };
        let cells: Vec<&str> = record.iter().map(str::trim).collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        if rows.len() + errors.len() >= QUOTA_ROWS_MAX {
            errors.push(fault(row, "", QuotaFault::TooManyRows));
            break;
        }
        let code = cells.get(region_col).copied().unwrap_or("");
        let region_ok = if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            errors.push(fault(
                row,
                "region_code",
                QuotaFault::NotACode(code.to_owned()),
            ));
            false
        } else if tree.get(code).is_none() {
            errors.push(fault(
                row,
                "region_code",
                QuotaFault::UnknownRegion(code.to_owned()),
            ));
            false
        } else if !subtree.contains(code) {
            errors.push(fault(
                row,
                "region_code",
                QuotaFault::OutsidePrefecture {
                    code: code.to_owned(),
                    prefecture: prefecture_code.to_owned(),
                },
            ));
            false
        } else if let Some(first) = seen.get(code) {
            errors.push(fault(
                row,
                "region_code",
                QuotaFault::Repeated {
                    code: code.to_owned(),
                    first: *first,
                },
            ));
            false
        } else {
            seen.insert(code.to_owned(), row);
            true
        };
        let raw_quota = cells.get(quota_col).copied().unwrap_or("");
        let quota = match raw_quota.parse::<i64>() {
            Ok(n) if (1..=100_000).contains(&n) => i32::try_from(n).ok(),
            _ => {
                errors.push(fault(
                    row,
                    "quota",
                    QuotaFault::BadQuota(raw_quota.to_owned()),
                ));
                None
            }
        };
        let raw_note = note_col.and_then(|c| cells.get(c)).copied().unwrap_or("");
        let note = match strict_text(raw_note) {
            Ok(n) if n.chars().count() > 200 => {
                errors.push(fault(row, "note", QuotaFault::NoteTooLong));
                None
            }
            Ok(n) => Some(n).filter(|n| !n.is_empty()),
            Err(_) => {
                errors.push(fault(row, "note", QuotaFault::NoteControlCharacter));
                None
            }
        };
        if let (true, Some(quota)) = (region_ok, quota) {
            rows.push(QuotaRow {
                region_code: code.to_owned(),
                quota,
                note,
            });
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(fault(2, "", QuotaFault::NoRows));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// The last day of the demonstration-unit status an award in `award_year`
/// gives, exclusive: the status holds through the award year and the next
/// (an award of 2023 counts until the end of 2024).
pub fn status_until(award_year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(award_year + 2, 1, 1).unwrap_or(NaiveDate::MAX)
}

/// The day the status starts: the award's day, or 1 January of the award
/// year when awarded before that year began.
pub fn status_from(award_year: i32, today: NaiveDate) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(award_year, 1, 1).unwrap_or(today);
    if today.year() < award_year {
        first
    } else {
        today
    }
}

/// A venue's ratings over the campaign's period, summed from its day aggregates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeriodRatings {
    /// Ratings in the period.
    pub ratings: i64,
    /// Of them, 4★ or 5★ overall.
    pub good: i64,
    /// Environment ratings given and their star sum.
    pub environment: (i64, i64),
    /// Skill ratings given and their star sum.
    pub skill: (i64, i64),
    /// Attitude ratings given and their star sum.
    pub attitude: (i64, i64),
}

/// One dimension's part of a campaign score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct ScorePart {
    /// Ratings of this dimension in the period.
    pub ratings: i64,
    /// Mean stars, 1–5.
    pub mean_stars: Option<f64>,
    /// The mean on the 0–100 scale.
    pub score_0_100: Option<f64>,
    /// The campaign's weight for it.
    pub weight: f64,
    /// weight × score: what it adds to the campaign score.
    pub contribution: f64,
}

/// The parts of a campaign score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct ScoreParts {
    /// 服务环境.
    pub environment: ScorePart,
    /// 服务技能.
    pub skill: ScorePart,
    /// 服务意识.
    pub attitude: ScorePart,
}

/// What the ranking makes of one venue's period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Assessment {
    /// The weighted score, when the venue can be ranked.
    pub score_0_100: Option<f64>,
    /// Its parts.
    pub parts: ScoreParts,
    /// Wilson lower bound of the share of 4★ and 5★ ratings.
    pub confidence: f64,
    /// Ratings in the period.
    pub ratings: i64,
}

fn part(given: (i64, i64), weight: f64) -> ScorePart {
    let (count, sum) = given;
    let mean = (count > 0).then(|| sum as f64 / count as f64);
    let score = mean.map(stars_to_score_0_100);
    ScorePart {
        ratings: count,
        mean_stars: mean,
        score_0_100: score,
        weight,
        contribution: weight * score.unwrap_or(0.0),
    }
}

/// Scores a venue's period with the campaign's weights; unranked (no score)
/// below `min_ratings` or without a rating in a weighted dimension.
pub fn assess(period: &PeriodRatings, weights: &Weights, min_ratings: i32) -> Assessment {
    let parts = ScoreParts {
        environment: part(period.environment, weights.environment),
        skill: part(period.skill, weights.skill),
        attitude: part(period.attitude, weights.attitude),
    };
    let all = [parts.environment, parts.skill, parts.attitude];
    let complete = all
        .iter()
        .all(|p| p.weight == 0.0 || p.score_0_100.is_some());
    let score = (complete && period.ratings >= i64::from(min_ratings))
        .then(|| all.iter().map(|p| p.contribution).sum::<f64>());
    Assessment {
        score_0_100: score,
        parts,
        confidence: wilson_lower_bound(period.good, period.ratings),
        ratings: period.ratings,
    }
}

/// Why a venue cannot be recommended (a failed hard gate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "gate", rename_all = "snake_case")]
pub enum Exclusion {
    /// A violation that occurred in the period.
    Violation {
        /// Violation id.
        violation_id: i64,
        /// The day it occurred.
        occurred_on: NaiveDate,
    },
    /// A complaint upheld with the venue at fault (责任投诉), its service in the period.
    UpheldComplaint {
        /// Complaint id.
        complaint_id: i64,
        /// The day of the service complained about.
        service_on: NaiveDate,
    },
    /// Awarded in an excluded year.
    AwardedBefore {
        /// The award's year.
        award_year: i32,
    },
}

impl Exclusion {
    /// The reason in plain English, for the JSON `text`.
    pub fn text(&self) -> String {
        match self {
            Exclusion::Violation { occurred_on, .. } => format!("violation on {occurred_on}"),
            Exclusion::UpheldComplaint {
                complaint_id,
                service_on,
            } => format!(
                "complaint {complaint_id} upheld against the unit (service on {service_on})"
            ),
            Exclusion::AwardedBefore { award_year } => format!("awarded in {award_year}"),
        }
    }
}

/// The names of the gates, as each passed proposal lists them.
pub const GATES: [&str; 3] = ["no_violation", "no_upheld_complaint", "not_awarded_before"];

/// A venue with what the ranking needs of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Contender {
    /// Venue id.
    pub venue_id: VenueId,
    /// Its assessment.
    pub assessment: Assessment,
    /// The gates it fails (empty: eligible).
    pub exclusions: Vec<Exclusion>,
}

/// Orders eligible, ranked contenders: score, then confidence, then ratings,
/// then the lower id. Excluded and unranked ones are left out.
pub fn rank(contenders: &[Contender]) -> Vec<&Contender> {
    let mut ranked: Vec<&Contender> = contenders
        .iter()
        .filter(|c| c.exclusions.is_empty() && c.assessment.score_0_100.is_some())
        .collect();
    ranked.sort_by(|a, b| {
        let (x, y) = (&a.assessment, &b.assessment);
        y.score_0_100
            .unwrap_or(0.0)
            .total_cmp(&x.score_0_100.unwrap_or(0.0))
            .then(y.confidence.total_cmp(&x.confidence))
            .then(y.ratings.cmp(&x.ratings))
            .then(a.venue_id.cmp(&b.venue_id))
    });
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::region::Region;

    fn tree() -> RegionTree {
        let region = |code: &str, parent: Option<&str>, level| Region {
            code: code.into(),
            parent_code: parent.map(str::to_owned),
            level,
            name_zh: code.to_owned(),
            name_en: code.to_owned(),
        };
        RegionTree::new(vec![
            region("650000", None, RegionLevel::Province),
            region("652800", Some("650000"), RegionLevel::Prefecture),
            region("652801", Some("652800"), RegionLevel::County),
            region("652829", Some("652800"), RegionLevel::County),
            region("652300", Some("650000"), RegionLevel::Prefecture),
            region("652301", Some("652300"), RegionLevel::County),
        ])
    }

    #[test]
    fn weights_sum_to_one_or_to_a_hundred() {
        let w = Weights::parse(40.0, 30.0, 30.0).unwrap();
        assert!((w.environment - 0.4).abs() < 1e-12);
        assert!((w.environment + w.skill + w.attitude - 1.0).abs() < 1e-12);
        assert!(Weights::parse(0.5, 0.5, 0.0).is_ok());
        assert_eq!(
            Weights::parse(0.5, 0.6, 0.0),
            Err(CampaignError::BadWeights)
        );
        assert_eq!(
            Weights::parse(-0.5, 1.5, 0.0),
            Err(CampaignError::BadWeights)
        );
        assert_eq!(
            Weights::parse(f64::NAN, 1.0, 0.0),
            Err(CampaignError::BadWeights)
        );
    }

    #[test]
    fn a_good_quota_file_reads_with_or_without_a_byte_order_mark() {
        let text = "region_code,name_zh,quota,note\n652800,州直,8,prefecture-level units\n652801,库尔勒市,35,\n";
        let rows = parse_quota_csv(text, "652800", &tree()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].quota, 8);
        assert_eq!(rows[0].note.as_deref(), Some("prefecture-level units"));
        let bom = format!("\u{feff}{text}");
        assert_eq!(parse_quota_csv(&bom, "652800", &tree()).unwrap(), rows);
    }

    #[test]
    fn every_bad_row_is_named_by_row_and_column() {
        let text = "region_code,name_zh,quota,note\n\
                    652801,库尔勒市,35,\n\
                    659999,无,3,\n\
                    652301,昌吉市,3,\n\
                    652801,库尔勒市,2,\n\
                    652829,博湖县,0,\n\
                    652829x,博湖县,1.5,\n";
        let errors = parse_quota_csv(text, "652800", &tree()).unwrap_err();
        let found: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            found,
            vec![
                (3, "region_code"),
                (4, "region_code"),
                (5, "region_code"),
                (6, "quota"),
                (7, "region_code"),
                (7, "quota"),
            ]
        );
        assert!(errors[1].message.contains("outside"));
        assert!(errors[2].message.contains("row 2"));
        let nul = parse_quota_csv(
            "region_code,quota,note\n652801,3,a\u{0}b\n",
            "652800",
            &tree(),
        )
        .unwrap_err();
        assert_eq!((nul[0].row, nul[0].column.as_str()), (2, "note"));
        let missing = parse_quota_csv("code,quota\n652801,3\n", "652800", &tree()).unwrap_err();
        assert_eq!(
            (missing[0].row, missing[0].column.as_str()),
            (1, "region_code")
        );
    }

    #[test]
    fn deeds_follow_the_form() {
        assert!(matches!(
            parse_deeds("deeds", &"好".repeat(299)),
            Err(CampaignError::DeedsLength(_, 299))
        ));
        assert!(parse_deeds("deeds", &"好".repeat(300)).is_ok());
        assert!(parse_deeds("deeds", &"好".repeat(500)).is_ok());
        assert!(parse_deeds("deeds", &"好".repeat(501)).is_err());
        assert!(parse_deeds("deeds", &format!("{}\u{202e}", "好".repeat(300))).is_err());
    }

    #[test]
    fn the_status_lasts_the_award_year_and_the_next() {
        assert_eq!(
            status_until(2023),
            NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
        );
        let day = NaiveDate::from_ymd_opt(2023, 6, 1).unwrap();
        assert_eq!(status_from(2023, day), day);
        let early = NaiveDate::from_ymd_opt(2022, 12, 20).unwrap();
        assert_eq!(
            status_from(2023, early),
            NaiveDate::from_ymd_opt(2023, 1, 1).unwrap()
        );
    }

    fn period(ratings: i64, good: i64, e: i64, s: i64, a: i64) -> PeriodRatings {
        PeriodRatings {
            ratings,
            good,
            environment: (ratings, e * ratings),
            skill: (ratings, s * ratings),
            attitude: (ratings, a * ratings),
        }
    }

    #[test]
    fn the_weights_decide_and_few_ratings_are_not_ranked() {
        let w = Weights::parse(1.0, 0.0, 0.0).unwrap();
        let a = assess(&period(10, 10, 5, 1, 1), &w, 5);
        assert_eq!(a.score_0_100, Some(100.0));
        assert_eq!(a.parts.skill.contribution, 0.0);
        let few = assess(&period(3, 3, 5, 5, 5), &w, 5);
        assert_eq!(few.score_0_100, None);
        let contenders = vec![
            Contender {
                venue_id: VenueId::new(1),
                assessment: assess(&period(10, 5, 4, 5, 5), &w, 5),
                exclusions: vec![],
            },
            Contender {
                venue_id: VenueId::new(2),
                assessment: assess(&period(40, 40, 4, 5, 5), &w, 5),
                exclusions: vec![],
            },
            Contender {
                venue_id: VenueId::new(3),
                assessment: assess(&period(40, 40, 5, 5, 5), &w, 5),
                exclusions: vec![Exclusion::AwardedBefore { award_year: 2021 }],
            },
            Contender {
                venue_id: VenueId::new(4),
                assessment: few,
                exclusions: vec![],
            },
        ];
        let order: Vec<i64> = rank(&contenders).iter().map(|c| c.venue_id.get()).collect();
        // Equal scores: the surer one first; excluded and unranked left out.
        assert_eq!(order, vec![2, 1]);
    }

    #[test]
    fn an_ambassador_is_refused_with_every_fault_in_the_form_order() {
        let deeds = "热".repeat(320);
        let ok = Ambassador::check("阿依古丽", "前台主管", Some(" 0996-2012345 "), None, &deeds)
            .unwrap();
        assert_eq!(ok.phone.as_deref(), Some("0996-2012345"));
        assert_eq!(ok.address, None);
        let faults =
            Ambassador::check("", "前台主管", Some("call me"), Some(" "), "太短").unwrap_err();
        assert_eq!(
            faults,
            vec![
                CampaignError::FieldLength("name", 50),
                CampaignError::BadPhone,
                CampaignError::DeedsLength("deeds", 2),
            ]
        );
        // The JSON route refuses with the first.
        assert_eq!(
            Ambassador::parse("", "前台主管", Some("call me"), None, "太短"),
            Err(CampaignError::FieldLength("name", 50))
        );
        let two_lines = Ambassador::check("甲\n乙", &"岗".repeat(101), None, None, &deeds);
        assert_eq!(
            two_lines.unwrap_err(),
            vec![
                CampaignError::FieldLength("name", 50),
                CampaignError::FieldLength("post", 100),
            ]
        );
    }
}
