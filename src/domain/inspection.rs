//! Inspections (体检式暗访, regulators' requirements clause 25): the
//! checklist an inspector scores a venue against, the result of one visit,
//! and the random draw (双随机) that picks which venues are visited and by
//! whom. Results are published on the venue's page (一公开) without the
//! inspectors' names.

use std::collections::HashSet;

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use super::credit::Tier;
use super::ids::VenueId;
use super::text::strict_text;

/// The checklist `qrfeedback migrate` loads when none is stored.
pub const DEFAULT_CHECKLIST_TOML: &str =
    include_str!("../../data/inspection_checklists/default.toml");

/// The longest findings text accepted, in characters.
pub const FINDINGS_MAX_CHARS: usize = 2000;

/// The longest "inspected by" text accepted, in characters: a few names.
pub const INSPECTED_BY_MAX_CHARS: usize = 200;

/// The longest checklist version, in characters.
const VERSION_MAX_CHARS: usize = 64;

/// The three rating dimensions a checklist's items are grouped under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Service environment (服务环境).
    Environment,
    /// Service skill (服务技能).
    Skill,
    /// Service attitude (服务意识).
    Attitude,
}

/// One item of a checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    /// The dimension it belongs to.
    pub dimension: Dimension,
    /// Its key, unique in the checklist (`environment.cleanliness`).
    pub key: String,
    /// Its label in Chinese.
    pub label_zh: String,
    /// Its label in English.
    pub label_en: String,
    /// The most points it can give.
    pub max_points: u32,
}

/// A versioned inspection checklist: items and the total that passes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    /// Its version; a stored version never changes.
    pub version: String,
    /// The total points an inspection needs to pass.
    pub pass_mark: u32,
    /// Its items, in the order inspectors go through them.
    pub items: Vec<ChecklistItem>,
}

/// Why a checklist file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChecklistError {
    /// Not TOML/JSON of the checklist's shape.
    #[error("the checklist cannot be read: {0}")]
    Syntax(String),
    /// An empty or overlong version.
    #[error("a checklist needs a version of 1–64 characters")]
    Version,
    /// No items.
    #[error("a checklist needs at least one item")]
    NoItems,
    /// An item key used twice, or empty.
    #[error("checklist item key {0:?} is empty or used twice")]
    Key(String),
    /// An item worth no points.
    #[error("checklist item {0:?} must be worth at least one point")]
    NoPoints(String),
    /// A pass mark of zero or above what all items give.
    #[error("the pass mark must lie between 1 and the items' total")]
    PassMark,
}

/// Why an inspection's items are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    /// A key the checklist does not have.
    #[error("checklist {version} has no item {key:?}")]
    UnknownItem {
        /// The checklist's version.
        version: String,
        /// The key given.
        key: String,
    },
    /// The same key given twice.
    #[error("item {0:?} is given more than once")]
    DuplicateItem(String),
    /// Points below zero or above the item's most.
    #[error("item {key:?} takes 0–{max_points} points")]
    PointsOutOfRange {
        /// The item's key.
        key: String,
        /// The item's most points.
        max_points: u32,
    },
}

/// One item's points as an inspector entered them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemPoints {
    /// The item's key.
    pub key: String,
    /// Its points, 0 to the item's most.
    pub points: u32,
}

/// An inspection scored against a checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistResult {
    /// The checklist's version.
    pub version: String,
    /// Each item given, in the checklist's order; items not given score 0.
    pub items: Vec<ItemPoints>,
    /// The sum of the items' points.
    pub total_points: u32,
    /// The checklist's pass mark.
    pub pass_mark: u32,
    /// Whether the total reaches the pass mark.
    pub passed: bool,
}

impl Checklist {
    /// Reads and checks a checklist written as TOML.
    pub fn from_toml(text: &str) -> Result<Self, ChecklistError> {
        let checklist: Self =
            toml::from_str(text).map_err(|e| ChecklistError::Syntax(e.to_string()))?;
        checklist.validated()
    }

    /// Reads and checks a checklist as stored (JSON).
    pub fn from_json(value: serde_json::Value) -> Result<Self, ChecklistError> {
        let checklist: Self =
            serde_json::from_value(value).map_err(|e| ChecklistError::Syntax(e.to_string()))?;
        checklist.validated()
    }

    /// The checklist as stored.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// The built-in checklist.
    pub fn default_checklist() -> Result<Self, ChecklistError> {
        Self::from_toml(DEFAULT_CHECKLIST_TOML)
    }

    /// The most points all items give together.
    pub fn max_total(&self) -> u32 {
        self.items.iter().map(|i| i.max_points).sum()
    }

    fn validated(self) -> Result<Self, ChecklistError> {
        let version = self.version.trim();
        if version.is_empty()
            || version.chars().count() > VERSION_MAX_CHARS
            || version != self.version
        {
            return Err(ChecklistError::Version);
        }
        if self.items.is_empty() {
            return Err(ChecklistError::NoItems);
        }
        let mut keys = HashSet::new();
        for item in &self.items {
            if item.key.trim().is_empty() || !keys.insert(item.key.as_str()) {
                return Err(ChecklistError::Key(item.key.clone()));
            }
            if item.max_points == 0 {
                return Err(ChecklistError::NoPoints(item.key.clone()));
            }
        }
        if self.pass_mark == 0 || self.pass_mark > self.max_total() {
            return Err(ChecklistError::PassMark);
        }
        Ok(self)
    }

    /// Every fault of an inspection's items, in the order given: unknown
    /// keys, keys given twice and points outside an item's range.
    pub fn faults(&self, given: &[(String, i64)]) -> Vec<ScoreError> {
        let mut seen = HashSet::new();
        let mut faults = Vec::new();
        for (key, points) in given {
            let Some(item) = self.items.iter().find(|i| &i.key == key) else {
                faults.push(ScoreError::UnknownItem {
                    version: self.version.clone(),
                    key: key.clone(),
                });
                continue;
            };
            if !seen.insert(key.as_str()) {
                faults.push(ScoreError::DuplicateItem(key.clone()));
            } else if *points < 0 || *points > i64::from(item.max_points) {
                faults.push(ScoreError::PointsOutOfRange {
                    key: key.clone(),
                    max_points: item.max_points,
                });
            }
        }
        faults
    }

    /// Scores an inspection's items: the first of their [`Checklist::faults`]
    /// refuses them; an item not given scores 0. The result passes iff the
    /// total reaches the pass mark.
    pub fn score(&self, given: &[(String, i64)]) -> Result<ChecklistResult, ScoreError> {
        if let Some(fault) = self.faults(given).into_iter().next() {
            return Err(fault);
        }
        let items: Vec<ItemPoints> = self
            .items
            .iter()
            .filter_map(|item| {
                given
                    .iter()
                    .find(|(k, _)| k == &item.key)
                    .map(|(_, p)| ItemPoints {
                        key: item.key.clone(),
                        points: u32::try_from(*p).unwrap_or(0),
                    })
            })
            .collect();
        let total_points = items.iter().map(|i| i.points).sum();
        Ok(ChecklistResult {
            version: self.version.clone(),
            items,
            total_points,
            pass_mark: self.pass_mark,
            passed: total_points >= self.pass_mark,
        })
    }
}

/// Why an inspection cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InspectionError {
    /// The day is not a calendar date written as YYYY-MM-DD.
    #[error("inspected_on must be a date written as YYYY-MM-DD")]
    BadDate,
    /// The day lies after today.
    #[error("inspected_on lies in the future")]
    FutureDate,
    /// The day lies before 2000-01-01.
    #[error("inspected_on lies before 2000-01-01")]
    TooOld,
    /// Neither items nor `passed`.
    #[error("without items, passed is required")]
    PassedRequired,
    /// The findings are too long.
    #[error("the findings may hold at most {FINDINGS_MAX_CHARS} characters")]
    FindingsTooLong,
    /// The findings hold a control character or a direction override.
    #[error(
        "the findings may not contain control characters other than newline and tab, nor direction overrides"
    )]
    ControlCharacter,
    /// The "inspected by" text is too long.
    #[error("inspected_by may hold at most {INSPECTED_BY_MAX_CHARS} characters")]
    InspectedByTooLong,
    /// The "inspected by" text holds a line break, a control character or a
    /// direction override.
    #[error("inspected_by must be one line without control characters or direction overrides")]
    InspectedByControlCharacter,
}

/// The day, findings and inspectors of an inspection as entered, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionVisit {
    /// The local day of the visit, not after today.
    pub inspected_on: NaiveDate,
    /// What the inspector found, if anything was written.
    pub findings: Option<String>,
    /// Who inspected, as named on the record (one or more names), if given.
    pub inspected_by: Option<String>,
}

/// The day of a visit, `YYYY-MM-DD`, from 2000-01-01 to `today`.
pub fn parse_inspected_on(raw: &str, today: NaiveDate) -> Result<NaiveDate, InspectionError> {
    let day = super::day::parse_iso_day(raw).ok_or(InspectionError::BadDate)?;
    if day > today {
        return Err(InspectionError::FutureDate);
    }
    if day < super::violation::earliest_day() {
        return Err(InspectionError::TooOld);
    }
    Ok(day)
}

/// What the inspector found: free text of at most [`FINDINGS_MAX_CHARS`];
/// blank is none.
pub fn parse_findings(raw: Option<&str>) -> Result<Option<String>, InspectionError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let text = strict_text(raw).map_err(|_| InspectionError::ControlCharacter)?;
    if text.chars().count() > FINDINGS_MAX_CHARS {
        return Err(InspectionError::FindingsTooLong);
    }
    Ok((!text.is_empty()).then_some(text))
}

/// Who inspected: one line of at most [`INSPECTED_BY_MAX_CHARS`]; blank is none.
pub fn parse_inspected_by(raw: Option<&str>) -> Result<Option<String>, InspectionError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let text = strict_text(raw).map_err(|_| InspectionError::InspectedByControlCharacter)?;
    if text.contains(['\n', '\t']) {
        return Err(InspectionError::InspectedByControlCharacter);
    }
    if text.chars().count() > INSPECTED_BY_MAX_CHARS {
        return Err(InspectionError::InspectedByTooLong);
    }
    Ok((!text.is_empty()).then_some(text))
}

/// How an inspection's result was reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InspectionOutcome {
    /// Scored item by item: the checklist's pass mark decides.
    Scored(ChecklistResult),
    /// Recorded as passed or failed without items.
    Declared {
        /// Whether it passed.
        passed: bool,
        /// The checklist it was held against, if named.
        checklist_version: Option<String>,
    },
}

impl InspectionOutcome {
    /// Whether the inspection passed.
    pub fn passed(&self) -> bool {
        match self {
            Self::Scored(result) => result.passed,
            Self::Declared { passed, .. } => *passed,
        }
    }
}

// ---- The random draw (双随机) ----

/// The most visits one draw may pick.
pub const DRAW_MAX_COUNT: u32 = 500;
/// The most inspectors a draw's pool may hold.
pub const DRAW_MAX_INSPECTORS: usize = 200;
/// The longest inspector name, in characters.
pub const INSPECTOR_NAME_MAX_CHARS: usize = 64;
/// Inspectors sent on each visit unless asked otherwise.
pub const DEFAULT_INSPECTORS_PER_VISIT: u32 = 2;
/// Complaints of the last 90 days count towards the weight up to this many.
pub const COMPLAINT_WEIGHT_CAP: i64 = 5;

/// A venue the draw may pick, with what weights it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawCandidate {
    /// The venue.
    pub venue_id: VenueId,
    /// Its current credit tier, if graded.
    pub tier: Option<Tier>,
    /// Complaints about it in the last 90 days.
    pub recent_complaints: i64,
}

/// The part of a candidate's weight its tier gives: D 4, C 3, B 2, A or
/// ungraded 1.
pub fn tier_weight(tier: Option<Tier>) -> u32 {
    match tier {
        Some(Tier::D) => 4,
        Some(Tier::C) => 3,
        Some(Tier::B) => 2,
        Some(Tier::A) | None => 1,
    }
}

/// A candidate's weight: lower tiers and recent complaints make a visit
/// likelier, so inspection effort goes where service is weakest.
pub fn draw_weight(tier: Option<Tier>, recent_complaints: i64) -> u32 {
    let extra = recent_complaints.clamp(0, COMPLAINT_WEIGHT_CAP);
    tier_weight(tier) + u32::try_from(extra).unwrap_or(0)
}

/// One visit a draw picked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DrawPick {
    /// The venue to visit.
    pub venue_id: VenueId,
    /// Its tier when drawn.
    pub tier: Option<Tier>,
    /// Its weight in the draw.
    pub weight: u32,
    /// The inspectors sent.
    pub inspectors: Vec<String>,
}

impl DrawPick {
    /// The part of its weight that recent complaints gave (one per
    /// complaint, at most [`COMPLAINT_WEIGHT_CAP`]), the rest being its tier's.
    pub fn complaint_weight(&self) -> u32 {
        self.weight.saturating_sub(tier_weight(self.tier))
    }
}

/// A draw as requested, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawRequest {
    /// Visits to pick; fewer when the region has fewer open venues.
    pub count: u32,
    /// The pool inspectors are drawn from, distinct names.
    pub inspectors: Vec<String>,
    /// Inspectors per visit, at most the pool's size.
    pub inspectors_per_visit: u32,
}

/// Why a draw is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    /// A count of zero or too many.
    #[error("count must lie between 1 and {DRAW_MAX_COUNT}")]
    Count,
    /// An empty, overlong or repeated inspector name, or too many.
    #[error(
        "inspectors must be 1–{DRAW_MAX_INSPECTORS} distinct names of 1–{INSPECTOR_NAME_MAX_CHARS} characters"
    )]
    Inspectors,
    /// More inspectors per visit than the pool holds, or none.
    #[error("inspectors_per_visit must lie between 1 and the number of inspectors")]
    PerVisit,
}

impl DrawRequest {
    /// Checks a draw's count, inspector pool and inspectors per visit.
    pub fn parse(
        count: i64,
        inspectors: &[String],
        inspectors_per_visit: Option<i64>,
    ) -> Result<Self, DrawError> {
        let count = u32::try_from(count)
            .ok()
            .filter(|c| (1..=DRAW_MAX_COUNT).contains(c))
            .ok_or(DrawError::Count)?;
        if inspectors.is_empty() || inspectors.len() > DRAW_MAX_INSPECTORS {
            return Err(DrawError::Inspectors);
        }
        let mut names: Vec<String> = Vec::with_capacity(inspectors.len());
        for raw in inspectors {
            let name = strict_text(raw).map_err(|_| DrawError::Inspectors)?;
            if name.is_empty()
                || name.contains('\n')
                || name.chars().count() > INSPECTOR_NAME_MAX_CHARS
                || names.contains(&name)
            {
                return Err(DrawError::Inspectors);
            }
            names.push(name);
        }
        let per_visit = inspectors_per_visit
            .unwrap_or(i64::from(DEFAULT_INSPECTORS_PER_VISIT).min(names.len() as i64));
        let per_visit = u32::try_from(per_visit)
            .ok()
            .filter(|n| *n >= 1 && (*n as usize) <= names.len())
            .ok_or(DrawError::PerVisit)?;
        Ok(Self {
            count,
            inspectors: names,
            inspectors_per_visit: per_visit,
        })
    }
}

/// Draws visits: venues by weight without replacement, then each visit's
/// inspectors from the pool, all from one generator seeded with `seed`.
/// Candidates are put in venue-id order first, so the same seed and the same
/// candidates always give the same draw.
pub fn draw(candidates: &[DrawCandidate], request: &DrawRequest, seed: u64) -> Vec<DrawPick> {
    let mut remaining: Vec<(DrawCandidate, u32)> = candidates
        .iter()
        .map(|c| (c.clone(), draw_weight(c.tier, c.recent_complaints)))
        .collect();
    remaining.sort_by_key(|(c, _)| c.venue_id.get());
    let mut rng = StdRng::seed_from_u64(seed);
    let mut picks = Vec::new();
    while picks.len() < request.count as usize && !remaining.is_empty() {
        let total: u64 = remaining.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut ticket = rng.random_range(0..total);
        let mut chosen = remaining.len() - 1;
        for (i, (_, weight)) in remaining.iter().enumerate() {
            if ticket < u64::from(*weight) {
                chosen = i;
                break;
            }
            ticket -= u64::from(*weight);
        }
        let (candidate, weight) = remaining.remove(chosen);
        let mut pool = request.inspectors.clone();
        let mut inspectors = Vec::new();
        for _ in 0..request.inspectors_per_visit {
            let at = rng.random_range(0..pool.len());
            inspectors.push(pool.swap_remove(at));
        }
        picks.push(DrawPick {
            venue_id: candidate.venue_id,
            tier: candidate.tier,
            weight,
            inspectors,
        });
    }
    picks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checklist() -> Checklist {
        Checklist::from_toml(
            r#"
            version = "t1"
            pass_mark = 12
            [[items]]
            dimension = "environment"
            key = "a"
            label_zh = "甲"
            label_en = "A"
            max_points = 10
            [[items]]
            dimension = "attitude"
            key = "b"
            label_zh = "乙"
            label_en = "B"
            max_points = 5
            "#,
        )
        .unwrap()
    }

    fn given(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
        pairs.iter().map(|(k, p)| ((*k).to_owned(), *p)).collect()
    }

    #[test]
    fn the_default_checklist_reads_and_covers_every_dimension() {
        let c = Checklist::default_checklist().unwrap();
        assert_eq!(c.max_total(), 100);
        for d in [
            Dimension::Environment,
            Dimension::Skill,
            Dimension::Attitude,
        ] {
            assert!(c.items.iter().any(|i| i.dimension == d), "{d:?}");
        }
        assert_eq!(Checklist::from_json(c.to_json()).unwrap(), c);
    }

    #[test]
    fn a_result_passes_iff_its_total_reaches_the_pass_mark() {
        let c = checklist();
        let exact = c.score(&given(&[("a", 10), ("b", 2)])).unwrap();
        assert_eq!(exact.total_points, 12);
        assert!(exact.passed);
        let short = c.score(&given(&[("a", 10), ("b", 1)])).unwrap();
        assert!(!short.passed);
        let missing = c.score(&given(&[("b", 5)])).unwrap();
        assert_eq!(missing.total_points, 5);
        assert!(!missing.passed);
        assert_eq!(missing.items.len(), 1);
    }

    #[test]
    fn unknown_keys_repeated_keys_and_points_out_of_range_are_refused() {
        let c = checklist();
        assert!(matches!(
            c.score(&given(&[("z", 1)])),
            Err(ScoreError::UnknownItem { .. })
        ));
        // Every fault is listed, each once, in the order given.
        assert_eq!(
            c.faults(&given(&[("a", 11), ("b", 2), ("b", 3), ("z", 0)])),
            vec![
                ScoreError::PointsOutOfRange {
                    key: "a".into(),
                    max_points: 10
                },
                ScoreError::DuplicateItem("b".into()),
                ScoreError::UnknownItem {
                    version: "t1".into(),
                    key: "z".into()
                },
            ]
        );
        assert_eq!(
            c.score(&given(&[("a", 1), ("a", 1)])),
            Err(ScoreError::DuplicateItem("a".into()))
        );
        for bad in [6, -1] {
            assert_eq!(
                c.score(&given(&[("b", bad)])),
                Err(ScoreError::PointsOutOfRange {
                    key: "b".into(),
                    max_points: 5
                })
            );
        }
    }

    #[test]
    fn a_checklist_with_a_bad_pass_mark_or_repeated_keys_is_refused() {
        let base = checklist();
        let mut high = base.clone();
        high.pass_mark = 16;
        assert_eq!(
            Checklist::from_json(high.to_json()),
            Err(ChecklistError::PassMark)
        );
        let mut twice = base.clone();
        twice.items[1].key = "a".into();
        assert_eq!(
            Checklist::from_json(twice.to_json()),
            Err(ChecklistError::Key("a".into()))
        );
        let mut empty = base;
        empty.items.clear();
        assert_eq!(
            Checklist::from_json(empty.to_json()),
            Err(ChecklistError::NoItems)
        );
    }

    #[test]
    fn a_visit_needs_a_past_day_and_sane_findings_and_inspectors() {
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        assert_eq!(parse_inspected_on(" 2026-06-01 ", today), Ok(today));
        assert_eq!(
            parse_inspected_on("2026-06-02", today),
            Err(InspectionError::FutureDate)
        );
        assert_eq!(
            parse_inspected_on("2026/06/01", today),
            Err(InspectionError::BadDate)
        );
        assert_eq!(
            parse_inspected_on("1999-12-31", today),
            Err(InspectionError::TooOld)
        );
        assert_eq!(
            parse_findings(Some("  地面湿滑 ")),
            Ok(Some("地面湿滑".to_owned()))
        );
        assert_eq!(parse_findings(Some("  ")), Ok(None));
        assert_eq!(parse_findings(None), Ok(None));
        assert_eq!(
            parse_findings(Some("a\u{202E}b")),
            Err(InspectionError::ControlCharacter)
        );
        assert_eq!(
            parse_findings(Some(&"字".repeat(FINDINGS_MAX_CHARS + 1))),
            Err(InspectionError::FindingsTooLong)
        );
        assert_eq!(
            parse_inspected_by(Some(" 张三、李四 ")),
            Ok(Some("张三、李四".to_owned()))
        );
        assert_eq!(parse_inspected_by(Some(" ")), Ok(None));
        assert_eq!(
            parse_inspected_by(Some("张三\n李四")),
            Err(InspectionError::InspectedByControlCharacter)
        );
        let long = "名".repeat(INSPECTED_BY_MAX_CHARS + 1);
        assert_eq!(
            parse_inspected_by(Some(&long)),
            Err(InspectionError::InspectedByTooLong)
        );
    }

    fn candidates(n: i64) -> Vec<DrawCandidate> {
        (1..=n)
            .map(|i| DrawCandidate {
                venue_id: VenueId::from(i),
                tier: match i % 4 {
                    0 => Some(Tier::D),
                    1 => Some(Tier::A),
                    2 => Some(Tier::B),
                    _ => None,
                },
                recent_complaints: 0,
            })
            .collect()
    }

    fn request(count: u32) -> DrawRequest {
        DrawRequest::parse(
            i64::from(count),
            &["甲".into(), "乙".into(), "丙".into()],
            None,
        )
        .unwrap()
    }

    #[test]
    fn the_same_seed_and_candidates_in_any_order_give_the_same_draw() {
        let mut shuffled = candidates(20);
        shuffled.reverse();
        let first = draw(&candidates(20), &request(5), 7);
        assert_eq!(first, draw(&shuffled, &request(5), 7));
        assert_eq!(first.len(), 5);
        let venues: HashSet<i64> = first.iter().map(|p| p.venue_id.get()).collect();
        assert_eq!(venues.len(), 5, "no venue twice");
        for pick in &first {
            assert_eq!(pick.inspectors.len(), 2);
            assert_ne!(pick.inspectors[0], pick.inspectors[1]);
        }
        assert_eq!(draw(&candidates(3), &request(5), 7).len(), 3);
    }

    #[test]
    fn weights_favour_low_tiers_and_recent_complaints() {
        assert_eq!(draw_weight(Some(Tier::D), 0), 4);
        let pick = DrawPick {
            venue_id: VenueId::from(1),
            tier: Some(Tier::C),
            weight: draw_weight(Some(Tier::C), 2),
            inspectors: Vec::new(),
        };
        assert_eq!((pick.weight, pick.complaint_weight()), (5, 2));
        assert_eq!(draw_weight(None, 0), 1);
        assert_eq!(
            draw_weight(Some(Tier::A), 100),
            1 + COMPLAINT_WEIGHT_CAP as u32
        );
        let (mut d, mut a) = (0, 0);
        for seed in 0..400 {
            for pick in draw(&candidates(40), &request(1), seed) {
                match pick.tier {
                    Some(Tier::D) => d += 1,
                    Some(Tier::A) => a += 1,
                    _ => {}
                }
            }
        }
        assert!(d > 2 * a, "D picked {d} times, A {a} times");
    }

    #[test]
    fn a_draw_request_is_checked() {
        let pool = vec!["甲".to_owned()];
        assert_eq!(DrawRequest::parse(0, &pool, None), Err(DrawError::Count));
        assert_eq!(DrawRequest::parse(1, &[], None), Err(DrawError::Inspectors));
        assert_eq!(
            DrawRequest::parse(1, &["a".into(), "a".into()], None),
            Err(DrawError::Inspectors)
        );
        assert_eq!(
            DrawRequest::parse(1, &pool, Some(2)),
            Err(DrawError::PerVisit)
        );
        assert_eq!(
            DrawRequest::parse(1, &pool, None)
                .unwrap()
                .inspectors_per_visit,
            1
        );
    }
}
