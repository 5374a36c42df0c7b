//! Credit tier rules as versioned data, and their evaluation with reasons.
//!
//! A rule set is read from TOML (the published, reviewable form) or from the
//! JSON stored beside each decision, validated as a whole, and then applied to
//! one venue's [`TierInputs`]. Every decision names the rule-set version and
//! says, in zh-CN and English, which conditions decided it.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use serde_json::json;

/// The default rule set's TOML, embedded so a fresh install needs no file.
pub const DEFAULT_RULES_TOML: &str = include_str!("../../data/tier_rules/default.toml");

/// A credit tier: A excellent, B good, C watch, D untrustworthy.
///
/// The derived order runs from best (A) to worst (D).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Tier {
    /// Excellent (优秀).
    A,
    /// Good (良好).
    B,
    /// Watch (关注).
    C,
    /// Untrustworthy (失信).
    D,
}

impl Tier {
    /// The tier's letter, as stored and shown.
    pub fn letter(self) -> &'static str {
        match self {
            Tier::A => "A",
            Tier::B => "B",
            Tier::C => "C",
            Tier::D => "D",
        }
    }

    /// Parses a stored letter; only the exact upper-case letters are tiers.
    pub fn parse(s: &str) -> Option<Tier> {
        match s {
            "A" => Some(Tier::A),
            "B" => Some(Tier::B),
            "C" => Some(Tier::C),
            "D" => Some(Tier::D),
            _ => None,
        }
    }
}

/// What the rules can look at, for one venue at one time.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TierInputs {
    /// Published venue score; `None` = not published ("not enough ratings yet").
    pub score_0_100: Option<f64>,
    /// Counted ratings in the last 12 months.
    pub ratings_12m: i64,
    /// Verified complaints in the last 12 months.
    pub verified_complaints_12m: i64,
    /// Verified complaints not yet resolved, whatever their age.
    pub unresolved_verified_complaints: i64,
    /// Violations of any severity in the last 12 months.
    pub violations_12m: i64,
    /// Serious violations in the last 12 months.
    pub serious_violations_12m: i64,
    /// Failed inspections in the last 12 months.
    pub failed_inspections_12m: i64,
    /// An active blacklist entry.
    pub blacklisted: bool,
    /// A service-quality commitment is published.
    pub commitment_published: bool,
    /// A Chief Quality Officer is registered.
    pub cqo_registered: bool,
    /// The venue currently holds demonstration-unit status.
    pub demonstration_unit: bool,
}

impl TierInputs {
    /// Verified complaints in 12 months per 1,000 ratings in 12 months.
    pub fn verified_complaints_per_1000(&self) -> f64 {
        // Without ratings the rate has no denominator. Reporting 0 keeps a rate
        // rule from firing on a venue nobody has rated yet; its complaints still
        // count through the absolute inputs (verified_complaints_12m,
        // unresolved_verified_complaints), which a rule set can test directly.
        if self.ratings_12m <= 0 {
            return 0.0;
        }
        self.verified_complaints_12m as f64 * 1000.0 / self.ratings_12m as f64
    }

    /// The score a rule may use: published and a real number.
    fn usable_score_0_100(&self) -> Option<f64> {
        // A NaN or infinite score carries no information; treating it like an
        // unpublished score keeps every comparison meaningful.
        self.score_0_100.filter(|s| s.is_finite())
    }
}

/// Why a rule set was refused; the message names the place in the file.
#[derive(Debug, thiserror::Error)]
pub enum RuleSetError {
    /// The text is not TOML, or has the wrong shape (unknown or missing keys, wrong types).
    #[error("rule set TOML: {0}")]
    Toml(#[from] toml::de::Error),
    /// The stored JSON has the wrong shape (unknown or missing keys, wrong types).
    #[error("stored rule set: {0}")]
    Json(#[from] serde_json::Error),
    /// `version` is empty.
    #[error("version: must not be empty")]
    EmptyVersion,
    /// A tier letter other than A, B, C, D.
    #[error("{place}: unknown tier {found:?} (known: A, B, C, D)")]
    UnknownTier {
        /// Where, e.g. `tiers[1].tier`.
        place: String,
        /// What was written.
        found: String,
    },
    /// A tier appears in two rules.
    #[error("tiers[{index}].tier: {tier} is listed twice (first at tiers[{first}])", tier = .tier.letter())]
    DuplicateTier {
        /// Index of the second rule.
        index: usize,
        /// Index of the first rule.
        first: usize,
        /// The repeated tier.
        tier: Tier,
    },
    /// A rule names the default tier, which is what no rule matched.
    #[error("tiers[{index}].tier: {tier} is the default_tier, so it cannot also have a rule", tier = .tier.letter())]
    DefaultTierHasRule {
        /// Index of the rule.
        index: usize,
        /// The default tier.
        tier: Tier,
    },
    /// `when` is neither `any` nor `all`.
    #[error("tiers[{index}].when: unknown {found:?} (known: any, all)")]
    UnknownWhen {
        /// Index of the rule.
        index: usize,
        /// What was written.
        found: String,
    },
    /// A rule without conditions.
    #[error("tiers[{index}].conditions: must not be empty")]
    EmptyConditions {
        /// Index of the rule.
        index: usize,
    },
    /// An input name the evaluator does not know.
    #[error("{place}: unknown input {found:?} (known: {known})", known = known_inputs())]
    UnknownInput {
        /// Where, e.g. `tiers[1].conditions[0]`.
        place: String,
        /// What was written.
        found: String,
    },
    /// An operator other than < <= > >= == !=.
    #[error("{place}: unknown op {found:?} (known: < <= > >= == !=)")]
    UnknownOp {
        /// Where, e.g. `tiers[1].conditions[0]`.
        place: String,
        /// What was written.
        found: String,
    },
    /// An ordering operator on a yes/no input.
    #[error("{place}: op {op:?} does not apply to yes/no input {input:?} (use == or !=)")]
    OpNotForFlag {
        /// Where, e.g. `tiers[1].conditions[0]`.
        place: String,
        /// The operator.
        op: String,
        /// The input.
        input: String,
    },
    /// A value whose type does not match the input.
    #[error("{place}: input {input:?} needs {expected} value, found {found}")]
    WrongValueType {
        /// Where, e.g. `tiers[1].conditions[0]`.
        place: String,
        /// The input.
        input: String,
        /// "a number" or "a true/false".
        expected: &'static str,
        /// What was written.
        found: String,
    },
    /// NaN or an infinity as a threshold.
    #[error("{place}: value must be a finite number, found {found}")]
    NonFiniteValue {
        /// Where, e.g. `tiers[1].conditions[0]`.
        place: String,
        /// What was written.
        found: f64,
    },
    /// A score threshold outside the score's 0–100 scale.
    #[error("{place}: score threshold {found} is outside 0–100")]
    ScoreOutOfRange {
        /// Where, e.g. `tiers[1].conditions[0]`.
        place: String,
        /// What was written.
        found: f64,
    },
}

/// A validated rule set. Construct only through [`RuleSet::parse_toml`] or [`RuleSet::from_json`].
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSet {
    version: String,
    default_tier: Tier,
    rules: Vec<TierRule>,
}

/// The outcome of evaluating a rule set for one venue.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TierDecision {
    /// The tier decided.
    pub tier: Tier,
    /// Why, in the order the rules were checked; never empty.
    pub reasons: Vec<Reason>,
    /// The version of the rule set that decided it.
    pub rule_set_version: String,
}

/// One human-readable reason behind a decision.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Reason {
    /// The input the reason is about, as named in rule files (e.g. `score`); empty if none.
    pub input: String,
    /// The reason in Simplified Chinese.
    pub zh: String,
    /// The reason in English.
    pub en: String,
}

/// One rule in words, for the published method page.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RuleDescription {
    /// The tier the rule gives.
    pub tier: Tier,
    /// The rule in Simplified Chinese.
    pub zh: String,
    /// The rule in English.
    pub en: String,
}

impl RuleSet {
    /// Parses and validates a rule set written in TOML.
    pub fn parse_toml(text: &str) -> Result<RuleSet, RuleSetError> {
        let doc: RuleSetDoc = toml::from_str(text)?;
        RuleSet::from_doc(doc)
    }

    /// The built-in default rule set.
    pub fn default_rules() -> RuleSet {
        // The embedded file is part of the program, not input, and a unit test
        // parses it, so a failure here is a build mistake worth stopping for.
        RuleSet::parse_toml(DEFAULT_RULES_TOML).expect("the embedded default rule set is valid")
    }

    /// The rule set's version, stored with every decision.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The canonical JSON form, for storing beside decisions (Postgres jsonb).
    pub fn to_json(&self) -> serde_json::Value {
        let tiers: Vec<serde_json::Value> = self
            .rules
            .iter()
            .map(|rule| {
                let conditions: Vec<serde_json::Value> =
                    rule.conditions.iter().map(Condition::to_json).collect();
                json!({
                    "tier": rule.tier.letter(),
                    "when": rule.when.key(),
                    "conditions": conditions,
                })
            })
            .collect();
        json!({
            "version": self.version,
            "default_tier": self.default_tier.letter(),
            "tiers": tiers,
        })
    }

    /// Reads the JSON form back, with the same validation as [`RuleSet::parse_toml`].
    pub fn from_json(value: &serde_json::Value) -> Result<RuleSet, RuleSetError> {
        let doc = RuleSetDoc::deserialize(value)?;
        RuleSet::from_doc(doc)
    }

    /// Decides the tier for one venue, with the reasons.
    pub fn evaluate(&self, inputs: &TierInputs) -> TierDecision {
        for rule in &self.rules {
            let held: Vec<&Condition> =
                rule.conditions.iter().filter(|c| c.holds(inputs)).collect();
            let matched = match rule.when {
                When::Any => !held.is_empty(),
                When::All => held.len() == rule.conditions.len(),
            };
            if matched {
                // For "all" these are all the conditions; for "any", the ones that fired.
                let reasons = held.iter().filter_map(|c| c.reason(inputs, true)).collect();
                return self.decision(rule.tier, reasons);
            }
        }
        self.default_decision(inputs)
    }

    /// Human-readable description of each rule, in checking order, the default last.
    pub fn describe(&self) -> Vec<RuleDescription> {
        let mut out: Vec<RuleDescription> = self
            .rules
            .iter()
            .map(|rule| {
                let letter = rule.tier.letter();
                let (zh_parts, en_parts): (Vec<String>, Vec<String>) =
                    rule.conditions.iter().map(Condition::describe).unzip();
                let (zh, en) = if rule.conditions.len() == 1 {
                    (
                        format!("{letter}级：{}", zh_parts.join("")),
                        format!("{letter}: {}", en_parts.join("")),
                    )
                } else {
                    match rule.when {
                        When::Any => (
                            format!("满足以下任一条件为{letter}级：{}", zh_parts.join("；")),
                            format!("{letter} if any of: {}", en_parts.join("; ")),
                        ),
                        When::All => (
                            format!("同时满足以下全部条件为{letter}级：{}", zh_parts.join("；")),
                            format!("{letter} if all of: {}", en_parts.join("; ")),
                        ),
                    }
                };
                RuleDescription {
                    tier: rule.tier,
                    zh,
                    en,
                }
            })
            .collect();
        let letter = self.default_tier.letter();
        out.push(RuleDescription {
            tier: self.default_tier,
            zh: format!("其余为{letter}级（评分未公布时，涉及评分的条件均不成立）"),
            en: format!(
                "{letter} otherwise (a condition on the score does not hold while the score is not published)"
            ),
        });
        out
    }

    fn decision(&self, tier: Tier, reasons: Vec<Reason>) -> TierDecision {
        TierDecision {
            tier,
            reasons,
            rule_set_version: self.version.clone(),
        }
    }

    /// No rule matched: explain why the better tiers were missed.
    fn default_decision(&self, inputs: &TierInputs) -> TierDecision {
        let mut reasons = Vec::new();
        if inputs.usable_score_0_100().is_none() {
            reasons.push(Reason {
                input: NumberInput::Score.key().to_owned(),
                zh: "评分样本不足".to_owned(),
                en: "not enough ratings yet".to_owned(),
            });
        }
        for rule in self.rules.iter().filter(|r| r.tier < self.default_tier) {
            for condition in rule.conditions.iter().filter(|c| !c.holds(inputs)) {
                if let Some(reason) = condition.reason(inputs, false) {
                    // Two better tiers may fail on the same condition; say it once.
                    if !reasons.contains(&reason) {
                        reasons.push(reason);
                    }
                }
            }
        }
        if reasons.is_empty() {
            // Only when no tier is better than the default: nothing was missed.
            reasons.push(Reason {
                input: String::new(),
                zh: "未触发任何等级规则".to_owned(),
                en: "no tier rule applies".to_owned(),
            });
        }
        self.decision(self.default_tier, reasons)
    }

    fn from_doc(doc: RuleSetDoc) -> Result<RuleSet, RuleSetError> {
        let version = doc.version.trim();
        if version.is_empty() {
            return Err(RuleSetError::EmptyVersion);
        }
        let default_tier = parse_tier(&doc.default_tier, "default_tier".to_owned())?;
        let mut rules: Vec<TierRule> = Vec::with_capacity(doc.tiers.len());
        for (index, rule_doc) in doc.tiers.into_iter().enumerate() {
            let tier = parse_tier(&rule_doc.tier, format!("tiers[{index}].tier"))?;
            if tier == default_tier {
                return Err(RuleSetError::DefaultTierHasRule { index, tier });
            }
            if let Some(first) = rules.iter().position(|r| r.tier == tier) {
                return Err(RuleSetError::DuplicateTier { index, first, tier });
            }
            let when = When::parse(&rule_doc.when).ok_or_else(|| RuleSetError::UnknownWhen {
                index,
                found: rule_doc.when.clone(),
            })?;
            if rule_doc.conditions.is_empty() {
                return Err(RuleSetError::EmptyConditions { index });
            }
            let conditions = rule_doc
                .conditions
                .iter()
                .enumerate()
                .map(|(i, c)| Condition::parse(c, format!("tiers[{index}].conditions[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            rules.push(TierRule {
                tier,
                when,
                conditions,
            });
        }
        Ok(RuleSet {
            version: version.to_owned(),
            default_tier,
            rules,
        })
    }
}

fn parse_tier(raw: &str, place: String) -> Result<Tier, RuleSetError> {
    Tier::parse(raw).ok_or_else(|| RuleSetError::UnknownTier {
        place,
        found: raw.to_owned(),
    })
}

/// Every input name, for error messages.
fn known_inputs() -> String {
    let numbers = NumberInput::ALL.iter().map(|i| i.key());
    let flags = FlagInput::ALL.iter().map(|i| i.key());
    numbers.chain(flags).collect::<Vec<_>>().join(", ")
}

// ---- The file's shape, before validation ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSetDoc {
    version: String,
    default_tier: String,
    #[serde(default)]
    tiers: Vec<TierRuleDoc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TierRuleDoc {
    tier: String,
    when: String,
    conditions: Vec<ConditionDoc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConditionDoc {
    input: String,
    op: String,
    value: ValueDoc,
}

/// A condition's value as written. Text is accepted here so that validation,
/// which knows the condition's place, can refuse it with that place named.
enum ValueDoc {
    Flag(bool),
    Number(f64),
    Text(String),
}

impl fmt::Display for ValueDoc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueDoc::Flag(b) => write!(f, "{b}"),
            ValueDoc::Number(n) => write!(f, "{n}"),
            ValueDoc::Text(s) => write!(f, "{s:?}"),
        }
    }
}

impl<'de> Deserialize<'de> for ValueDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;

        impl Visitor<'_> for ValueVisitor {
            type Value = ValueDoc;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or true/false")
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<ValueDoc, E> {
                Ok(ValueDoc::Flag(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ValueDoc, E> {
                Ok(ValueDoc::Number(v as f64))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ValueDoc, E> {
                Ok(ValueDoc::Number(v as f64))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ValueDoc, E> {
                Ok(ValueDoc::Number(v))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<ValueDoc, E> {
                Ok(ValueDoc::Text(v.to_owned()))
            }
        }

        deserializer.deserialize_any(ValueVisitor)
    }
}

// ---- The validated rules ----

#[derive(Debug, Clone, PartialEq)]
struct TierRule {
    tier: Tier,
    when: When,
    conditions: Vec<Condition>,
}

/// How a rule combines its conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    Any,
    All,
}

impl When {
    fn parse(raw: &str) -> Option<When> {
        match raw {
            "any" => Some(When::Any),
            "all" => Some(When::All),
            _ => None,
        }
    }

    fn key(self) -> &'static str {
        match self {
            When::Any => "any",
            When::All => "all",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CompareOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl CompareOp {
    fn parse(raw: &str) -> Option<CompareOp> {
        match raw {
            "<" => Some(CompareOp::Lt),
            "<=" => Some(CompareOp::Le),
            ">" => Some(CompareOp::Gt),
            ">=" => Some(CompareOp::Ge),
            "==" => Some(CompareOp::Eq),
            "!=" => Some(CompareOp::Ne),
            _ => None,
        }
    }

    /// As written in rule files.
    fn key(self) -> &'static str {
        match self {
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
        }
    }

    /// As shown to people, in either language.
    fn symbol(self) -> &'static str {
        match self {
            CompareOp::Lt => "<",
            CompareOp::Le => "≤",
            CompareOp::Gt => ">",
            CompareOp::Ge => "≥",
            CompareOp::Eq => "=",
            CompareOp::Ne => "≠",
        }
    }

    /// The operator that holds exactly when this one does not.
    fn negated(self) -> CompareOp {
        match self {
            CompareOp::Lt => CompareOp::Ge,
            CompareOp::Le => CompareOp::Gt,
            CompareOp::Gt => CompareOp::Le,
            CompareOp::Ge => CompareOp::Lt,
            CompareOp::Eq => CompareOp::Ne,
            CompareOp::Ne => CompareOp::Eq,
        }
    }

    fn holds(self, actual: f64, threshold: f64) -> bool {
        match self {
            CompareOp::Lt => actual < threshold,
            CompareOp::Le => actual <= threshold,
            CompareOp::Gt => actual > threshold,
            CompareOp::Ge => actual >= threshold,
            CompareOp::Eq => actual == threshold,
            CompareOp::Ne => actual != threshold,
        }
    }
}

/// Inputs compared with numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberInput {
    Score,
    Ratings12m,
    VerifiedComplaintsPer1000,
    VerifiedComplaints12m,
    UnresolvedVerifiedComplaints,
    Violations12m,
    SeriousViolations12m,
    FailedInspections12m,
}

/// An input's value for one venue.
enum Observed {
    Count(i64),
    Fraction(f64),
    Unpublished,
}

impl NumberInput {
    const ALL: [NumberInput; 8] = [
        NumberInput::Score,
        NumberInput::Ratings12m,
        NumberInput::VerifiedComplaintsPer1000,
        NumberInput::VerifiedComplaints12m,
        NumberInput::UnresolvedVerifiedComplaints,
        NumberInput::Violations12m,
        NumberInput::SeriousViolations12m,
        NumberInput::FailedInspections12m,
    ];

    fn key(self) -> &'static str {
        match self {
            NumberInput::Score => "score",
            NumberInput::Ratings12m => "ratings_12m",
            NumberInput::VerifiedComplaintsPer1000 => "verified_complaints_per_1000",
            NumberInput::VerifiedComplaints12m => "verified_complaints_12m",
            NumberInput::UnresolvedVerifiedComplaints => "unresolved_verified_complaints",
            NumberInput::Violations12m => "violations_12m",
            NumberInput::SeriousViolations12m => "serious_violations_12m",
            NumberInput::FailedInspections12m => "failed_inspections_12m",
        }
    }

    fn zh(self) -> &'static str {
        match self {
            NumberInput::Score => "评分",
            NumberInput::Ratings12m => "近12个月评价数",
            NumberInput::VerifiedComplaintsPer1000 => "每千条评价核实投诉",
            NumberInput::VerifiedComplaints12m => "近12个月核实投诉数",
            NumberInput::UnresolvedVerifiedComplaints => "未办结核实投诉数",
            NumberInput::Violations12m => "近12个月违规次数",
            NumberInput::SeriousViolations12m => "近12个月严重违规次数",
            NumberInput::FailedInspections12m => "近12个月暗访不合格次数",
        }
    }

    fn en(self) -> &'static str {
        match self {
            NumberInput::Score => "score",
            NumberInput::Ratings12m => "ratings in 12 months",
            NumberInput::VerifiedComplaintsPer1000 => "verified complaints per 1,000 ratings",
            NumberInput::VerifiedComplaints12m => "verified complaints in 12 months",
            NumberInput::UnresolvedVerifiedComplaints => "unresolved verified complaints",
            NumberInput::Violations12m => "violations in 12 months",
            NumberInput::SeriousViolations12m => "serious violations in 12 months",
            NumberInput::FailedInspections12m => "failed inspections in 12 months",
        }
    }

    fn observe(self, inputs: &TierInputs) -> Observed {
        match self {
            NumberInput::Score => inputs
                .usable_score_0_100()
                .map_or(Observed::Unpublished, Observed::Fraction),
            NumberInput::VerifiedComplaintsPer1000 => {
                Observed::Fraction(inputs.verified_complaints_per_1000())
            }
            NumberInput::Ratings12m => Observed::Count(inputs.ratings_12m),
            NumberInput::VerifiedComplaints12m => Observed::Count(inputs.verified_complaints_12m),
            NumberInput::UnresolvedVerifiedComplaints => {
                Observed::Count(inputs.unresolved_verified_complaints)
            }
            NumberInput::Violations12m => Observed::Count(inputs.violations_12m),
            NumberInput::SeriousViolations12m => Observed::Count(inputs.serious_violations_12m),
            NumberInput::FailedInspections12m => Observed::Count(inputs.failed_inspections_12m),
        }
    }
}

/// Yes/no inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FlagInput {
    Blacklisted,
    CommitmentPublished,
    CqoRegistered,
    DemonstrationUnit,
}

impl FlagInput {
    const ALL: [FlagInput; 4] = [
        FlagInput::Blacklisted,
        FlagInput::CommitmentPublished,
        FlagInput::CqoRegistered,
        FlagInput::DemonstrationUnit,
    ];

    fn key(self) -> &'static str {
        match self {
            FlagInput::Blacklisted => "blacklisted",
            FlagInput::CommitmentPublished => "commitment_published",
            FlagInput::CqoRegistered => "cqo_registered",
            FlagInput::DemonstrationUnit => "demonstration_unit",
        }
    }

    fn value(self, inputs: &TierInputs) -> bool {
        match self {
            FlagInput::Blacklisted => inputs.blacklisted,
            FlagInput::CommitmentPublished => inputs.commitment_published,
            FlagInput::CqoRegistered => inputs.cqo_registered,
            FlagInput::DemonstrationUnit => inputs.demonstration_unit,
        }
    }

    /// The state in words, (zh, en).
    fn state_text(self, state: bool) -> (&'static str, &'static str) {
        match (self, state) {
            (FlagInput::Blacklisted, true) => ("列入黑名单", "active blacklist entry"),
            (FlagInput::Blacklisted, false) => ("未列入黑名单", "no active blacklist entry"),
            (FlagInput::CommitmentPublished, true) => {
                ("已发布服务质量承诺", "service-quality commitment published")
            }
            (FlagInput::CommitmentPublished, false) => (
                "未发布服务质量承诺",
                "no service-quality commitment published",
            ),
            (FlagInput::CqoRegistered, true) => {
                ("已登记首席质量官", "Chief Quality Officer registered")
            }
            (FlagInput::CqoRegistered, false) => {
                ("未登记首席质量官", "no Chief Quality Officer registered")
            }
            (FlagInput::DemonstrationUnit, true) => ("示范单位", "demonstration unit"),
            (FlagInput::DemonstrationUnit, false) => ("非示范单位", "not a demonstration unit"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Condition {
    Number {
        input: NumberInput,
        op: CompareOp,
        threshold: f64,
    },
    Flag {
        input: FlagInput,
        /// Only `Eq` or `Ne`.
        op: CompareOp,
        value: bool,
    },
}

impl Condition {
    fn parse(doc: &ConditionDoc, place: String) -> Result<Condition, RuleSetError> {
        let number_input = NumberInput::ALL.into_iter().find(|i| i.key() == doc.input);
        let flag_input = FlagInput::ALL.into_iter().find(|i| i.key() == doc.input);
        let Some(op) = CompareOp::parse(&doc.op) else {
            // An unknown input is the likelier typo to report first.
            if number_input.is_none() && flag_input.is_none() {
                return Err(unknown_input(doc, place));
            }
            return Err(RuleSetError::UnknownOp {
                place,
                found: doc.op.clone(),
            });
        };
        if let Some(input) = number_input {
            let threshold = match doc.value {
                ValueDoc::Number(n) => n,
                _ => return Err(wrong_type(doc, place, "a number")),
            };
            if !threshold.is_finite() {
                return Err(RuleSetError::NonFiniteValue {
                    place,
                    found: threshold,
                });
            }
            if input == NumberInput::Score && !(0.0..=100.0).contains(&threshold) {
                return Err(RuleSetError::ScoreOutOfRange {
                    place,
                    found: threshold,
                });
            }
            return Ok(Condition::Number {
                input,
                op,
                threshold,
            });
        }
        let Some(input) = flag_input else {
            return Err(unknown_input(doc, place));
        };
        if !matches!(op, CompareOp::Eq | CompareOp::Ne) {
            return Err(RuleSetError::OpNotForFlag {
                place,
                op: doc.op.clone(),
                input: doc.input.clone(),
            });
        }
        let ValueDoc::Flag(value) = doc.value else {
            return Err(wrong_type(doc, place, "a true/false"));
        };
        Ok(Condition::Flag { input, op, value })
    }

    fn holds(&self, inputs: &TierInputs) -> bool {
        match *self {
            Condition::Number {
                input,
                op,
                threshold,
            } => match input.observe(inputs) {
                Observed::Count(n) => op.holds(n as f64, threshold),
                Observed::Fraction(x) => op.holds(x, threshold),
                // An unpublished score is no evidence either way.
                Observed::Unpublished => false,
            },
            Condition::Flag { input, op, value } => {
                (input.value(inputs) == value) == (op == CompareOp::Eq)
            }
        }
    }

    /// States the condition's outcome with the actual value. `None` for a
    /// score condition while the score is unpublished: the caller says "not
    /// enough ratings yet" once instead.
    fn reason(&self, inputs: &TierInputs, held: bool) -> Option<Reason> {
        match *self {
            Condition::Number {
                input,
                op,
                threshold,
            } => {
                let shown_op = if held { op } else { op.negated() };
                let actual = match input.observe(inputs) {
                    Observed::Count(n) => n.to_string(),
                    Observed::Fraction(x) => show_fraction(x, shown_op, threshold),
                    Observed::Unpublished => return None,
                };
                let tail = format!("{actual} {} {threshold}", shown_op.symbol());
                Some(Reason {
                    input: input.key().to_owned(),
                    zh: format!("{} {tail}", input.zh()),
                    en: format!("{} {tail}", input.en()),
                })
            }
            Condition::Flag { input, .. } => {
                let (zh, en) = input.state_text(input.value(inputs));
                Some(Reason {
                    input: input.key().to_owned(),
                    zh: zh.to_owned(),
                    en: en.to_owned(),
                })
            }
        }
    }

    /// The condition in words, (zh, en).
    fn describe(&self) -> (String, String) {
        match *self {
            Condition::Number {
                input,
                op,
                threshold,
            } => (
                format!("{} {} {threshold}", input.zh(), op.symbol()),
                format!("{} {} {threshold}", input.en(), op.symbol()),
            ),
            Condition::Flag { input, op, value } => {
                let required = value == (op == CompareOp::Eq);
                let (zh, en) = input.state_text(required);
                (zh.to_owned(), en.to_owned())
            }
        }
    }

    fn to_json(&self) -> serde_json::Value {
        match *self {
            Condition::Number {
                input,
                op,
                threshold,
            } => {
                // Whole thresholds stay integers so the stored form reads like the file.
                let value = if threshold.fract() == 0.0 && threshold.abs() < 9.0e15 {
                    json!(threshold as i64)
                } else {
                    json!(threshold)
                };
                json!({ "input": input.key(), "op": op.key(), "value": value })
            }
            Condition::Flag { input, op, value } => {
                json!({ "input": input.key(), "op": op.key(), "value": value })
            }
        }
    }
}

fn unknown_input(doc: &ConditionDoc, place: String) -> RuleSetError {
    RuleSetError::UnknownInput {
        place,
        found: doc.input.clone(),
    }
}

fn wrong_type(doc: &ConditionDoc, place: String, expected: &'static str) -> RuleSetError {
    RuleSetError::WrongValueType {
        place,
        input: doc.input.clone(),
        expected,
        found: doc.value.to_string(),
    }
}

/// A fractional value with one decimal, or more when one decimal would make
/// the shown comparison read wrong (59.96 is not "60.0 < 60").
fn show_fraction(actual: f64, op: CompareOp, threshold: f64) -> String {
    let holds = op.holds(actual, threshold);
    for decimals in 1..=3 {
        let shown = format!("{actual:.decimals$}");
        if shown
            .parse::<f64>()
            .is_ok_and(|v| op.holds(v, threshold) == holds)
        {
            return shown;
        }
    }
    // Rust prints the shortest text that reads back as the same f64.
    actual.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn venue() -> TierInputs {
        TierInputs {
            score_0_100: Some(75.0),
            ratings_12m: 100,
            ..TierInputs::default()
        }
    }

    fn en_reasons(decision: &TierDecision) -> Vec<&str> {
        decision.reasons.iter().map(|r| r.en.as_str()).collect()
    }

    #[test]
    fn default_file_parses_and_has_a_version() {
        let rules = RuleSet::parse_toml(DEFAULT_RULES_TOML).expect("default rules are valid");
        assert_eq!(rules.version(), "default-2026.1");
        assert_eq!(RuleSet::default_rules(), rules);
    }

    #[test]
    fn known_inputs_lists_all_twelve() {
        assert_eq!(
            known_inputs(),
            "score, ratings_12m, verified_complaints_per_1000, verified_complaints_12m, \
             unresolved_verified_complaints, violations_12m, serious_violations_12m, \
             failed_inspections_12m, blacklisted, commitment_published, cqo_registered, \
             demonstration_unit"
        );
    }

    #[test]
    fn tier_letters_round_trip() {
        for tier in [Tier::A, Tier::B, Tier::C, Tier::D] {
            assert_eq!(Tier::parse(tier.letter()), Some(tier));
        }
        assert_eq!(Tier::parse("E"), None);
        assert_eq!(Tier::parse("a"), None);
    }

    #[test]
    fn complaint_rate_is_zero_without_ratings() {
        let inputs = TierInputs {
            verified_complaints_12m: 3,
            ..TierInputs::default()
        };
        assert_eq!(inputs.verified_complaints_per_1000(), 0.0);
        let inputs = TierInputs {
            ratings_12m: 400,
            verified_complaints_12m: 3,
            ..TierInputs::default()
        };
        assert_eq!(inputs.verified_complaints_per_1000(), 7.5);
    }

    #[test]
    fn default_rules_decide_the_design_cases() {
        let rules = RuleSet::default_rules();
        let a_venue = TierInputs {
            score_0_100: Some(85.0),
            ratings_12m: 50,
            ..TierInputs::default()
        };
        // (name, inputs, tier, a reason that must be among the English reasons)
        let cases: Vec<(&str, TierInputs, Tier, &str)> = vec![
            (
                "blacklisted beats a perfect score",
                TierInputs {
                    score_0_100: Some(99.0),
                    ratings_12m: 500,
                    blacklisted: true,
                    ..TierInputs::default()
                },
                Tier::D,
                "active blacklist entry",
            ),
            (
                "low score",
                TierInputs {
                    score_0_100: Some(59.9),
                    ..venue()
                },
                Tier::C,
                "score 59.9 < 60",
            ),
            (
                "complaint rate",
                TierInputs {
                    verified_complaints_12m: 6,
                    ratings_12m: 1000,
                    ..venue()
                },
                Tier::C,
                "verified complaints per 1,000 ratings 6.0 > 5",
            ),
            (
                "serious violation",
                TierInputs {
                    violations_12m: 1,
                    serious_violations_12m: 1,
                    ..venue()
                },
                Tier::C,
                "serious violations in 12 months 1 > 0",
            ),
            (
                "failed inspection",
                TierInputs {
                    failed_inspections_12m: 1,
                    ..venue()
                },
                Tier::C,
                "failed inspections in 12 months 1 > 0",
            ),
            ("A", a_venue.clone(), Tier::A, "score 85.0 ≥ 85"),
            (
                "too few ratings for A",
                TierInputs {
                    ratings_12m: 49,
                    ..a_venue.clone()
                },
                Tier::B,
                "ratings in 12 months 49 < 50",
            ),
            (
                "unpublished score",
                TierInputs {
                    score_0_100: None,
                    ratings_12m: 3,
                    ..TierInputs::default()
                },
                Tier::B,
                "not enough ratings yet",
            ),
            (
                "a non-serious violation only rules out A",
                TierInputs {
                    violations_12m: 1,
                    ..a_venue.clone()
                },
                Tier::B,
                "violations in 12 months 1 ≠ 0",
            ),
            (
                "an open complaint rules out A",
                TierInputs {
                    // 2 per 1,000 ratings: too few for C.
                    ratings_12m: 500,
                    verified_complaints_12m: 1,
                    unresolved_verified_complaints: 1,
                    ..a_venue.clone()
                },
                Tier::B,
                "unresolved verified complaints 1 ≠ 0",
            ),
        ];
        for (name, inputs, tier, reason) in cases {
            let decision = rules.evaluate(&inputs);
            assert_eq!(decision.tier, tier, "{name}: {decision:?}");
            assert!(
                en_reasons(&decision).contains(&reason),
                "{name}: {reason:?} not in {:?}",
                en_reasons(&decision)
            );
            assert_eq!(decision.rule_set_version, "default-2026.1");
        }
    }

    #[test]
    fn reasons_read_in_both_languages() {
        let rules = RuleSet::default_rules();
        let decision = rules.evaluate(&TierInputs {
            score_0_100: Some(58.2),
            ratings_12m: 400,
            verified_complaints_12m: 3,
            ..TierInputs::default()
        });
        assert_eq!(decision.tier, Tier::C);
        assert_eq!(
            decision.reasons,
            vec![
                Reason {
                    input: "score".into(),
                    zh: "评分 58.2 < 60".into(),
                    en: "score 58.2 < 60".into(),
                },
                Reason {
                    input: "verified_complaints_per_1000".into(),
                    zh: "每千条评价核实投诉 7.5 > 5".into(),
                    en: "verified complaints per 1,000 ratings 7.5 > 5".into(),
                },
            ]
        );
        let d = rules.evaluate(&TierInputs {
            blacklisted: true,
            ..venue()
        });
        assert_eq!(d.reasons[0].zh, "列入黑名单");
        let b = rules.evaluate(&TierInputs::default());
        assert_eq!(b.reasons[0].zh, "评分样本不足");
    }

    #[test]
    fn a_matched_all_tier_gives_every_condition() {
        let decision = RuleSet::default_rules().evaluate(&TierInputs {
            score_0_100: Some(92.35),
            ratings_12m: 80,
            ..TierInputs::default()
        });
        assert_eq!(decision.tier, Tier::A);
        assert_eq!(
            en_reasons(&decision),
            vec![
                "score 92.3 ≥ 85",
                "ratings in 12 months 80 ≥ 50",
                "unresolved verified complaints 0 = 0",
                "violations in 12 months 0 = 0",
            ]
        );
    }

    #[test]
    fn the_default_tier_says_why_not_better() {
        let decision = RuleSet::default_rules().evaluate(&TierInputs {
            score_0_100: Some(70.0),
            ratings_12m: 30,
            ..TierInputs::default()
        });
        assert_eq!(decision.tier, Tier::B);
        assert_eq!(
            en_reasons(&decision),
            vec!["score 70.0 < 85", "ratings in 12 months 30 < 50"]
        );
    }

    #[test]
    fn shown_values_never_contradict_the_comparison() {
        let decision = RuleSet::default_rules().evaluate(&TierInputs {
            score_0_100: Some(59.96),
            ..venue()
        });
        assert_eq!(en_reasons(&decision), vec!["score 59.96 < 60"]);
        assert_eq!(show_fraction(84.99999, CompareOp::Lt, 85.0), "84.99999");
    }

    #[test]
    fn a_non_finite_score_counts_as_unpublished() {
        let decision = RuleSet::default_rules().evaluate(&TierInputs {
            score_0_100: Some(f64::NAN),
            ..venue()
        });
        assert_eq!(decision.tier, Tier::B);
        assert_eq!(decision.reasons[0].en, "not enough ratings yet");
    }

    #[test]
    fn flag_conditions_and_bonuses_work() {
        let text = r#"
            version = "bonus-1"
            default_tier = "B"
            [[tiers]]
            tier = "A"
            when = "all"
            conditions = [
              { input = "score", op = ">=", value = 80 },
              { input = "commitment_published", op = "==", value = true },
              { input = "blacklisted", op = "!=", value = true },
            ]
        "#;
        let rules = RuleSet::parse_toml(text).expect("valid");
        let without = rules.evaluate(&venue());
        let with = rules.evaluate(&TierInputs {
            score_0_100: Some(81.0),
            commitment_published: true,
            ..venue()
        });
        assert_eq!(without.tier, Tier::B);
        assert_eq!(
            en_reasons(&without),
            vec!["score 75.0 < 80", "no service-quality commitment published"]
        );
        assert_eq!(with.tier, Tier::A);
        assert!(en_reasons(&with).contains(&"no active blacklist entry"));
    }

    #[test]
    fn a_best_default_tier_still_gives_a_reason() {
        let text = r#"
            version = "v"
            default_tier = "A"
            [[tiers]]
            tier = "D"
            when = "any"
            conditions = [{ input = "blacklisted", op = "==", value = true }]
        "#;
        let decision = RuleSet::parse_toml(text).expect("valid").evaluate(&venue());
        assert_eq!(decision.tier, Tier::A);
        assert_eq!(en_reasons(&decision), vec!["no tier rule applies"]);
    }

    #[test]
    fn describe_covers_every_rule_and_the_default() {
        let described = RuleSet::default_rules().describe();
        let tiers: Vec<Tier> = described.iter().map(|d| d.tier).collect();
        assert_eq!(tiers, vec![Tier::D, Tier::C, Tier::A, Tier::B]);
        assert_eq!(described[0].en, "D: active blacklist entry");
        assert_eq!(described[0].zh, "D级：列入黑名单");
        assert_eq!(
            described[1].en,
            "C if any of: score < 60; verified complaints per 1,000 ratings > 5; \
             serious violations in 12 months > 0; failed inspections in 12 months > 0"
        );
        assert_eq!(
            described[2].zh,
            "同时满足以下全部条件为A级：评分 ≥ 85；近12个月评价数 ≥ 50；未办结核实投诉数 = 0；近12个月违规次数 = 0"
        );
        assert!(described[3].en.starts_with("B otherwise"));
    }

    #[test]
    fn json_round_trips() {
        let rules = RuleSet::default_rules();
        let stored = rules.to_json();
        assert_eq!(stored["tiers"][1]["conditions"][0]["value"], json!(60));
        let back = RuleSet::from_json(&stored).expect("stored form is valid");
        assert_eq!(back, rules);
        assert_eq!(back.to_json(), stored);

        let fractional = RuleSet::parse_toml(
            r#"
            version = "v"
            default_tier = "B"
            [[tiers]]
            tier = "C"
            when = "any"
            conditions = [{ input = "verified_complaints_per_1000", op = ">", value = 2.5 }]
            "#,
        )
        .expect("valid");
        let back = RuleSet::from_json(&fractional.to_json()).expect("valid");
        assert_eq!(back, fractional);
    }

    #[test]
    fn json_gets_the_same_validation() {
        let mut stored = RuleSet::default_rules().to_json();
        stored["tiers"][1]["conditions"][0]["input"] = json!("scor");
        let err = RuleSet::from_json(&stored)
            .expect_err("refused")
            .to_string();
        assert!(
            err.starts_with("tiers[1].conditions[0]: unknown input \"scor\""),
            "{err}"
        );

        let mut stored = RuleSet::default_rules().to_json();
        stored["tiers"][0]["extra"] = json!(1);
        let err = RuleSet::from_json(&stored)
            .expect_err("refused")
            .to_string();
        assert!(err.contains("unknown field `extra`"), "{err}");
    }

    /// A one-rule file with `condition` as its only condition.
    fn one_condition(condition: &str) -> String {
        format!(
            "version = \"v\"\ndefault_tier = \"B\"\n[[tiers]]\ntier = \"C\"\nwhen = \"any\"\n\
             conditions = [{{ input = \"score\", op = \"<\", value = 60 }}, {condition}]\n"
        )
    }

    fn refused(text: &str) -> String {
        match RuleSet::parse_toml(text) {
            Ok(rules) => panic!("accepted: {rules:?}"),
            Err(err) => err.to_string(),
        }
    }

    #[test]
    fn invalid_rule_sets_are_refused_with_their_place() {
        let base_rule = "[[tiers]]\ntier = \"C\"\nwhen = \"any\"\n\
                         conditions = [{ input = \"score\", op = \"<\", value = 60 }]\n";
        let cases: Vec<(&str, String, &str)> = vec![
            (
                "unknown top-level key",
                format!("version = \"v\"\ndefault_tier = \"B\"\nowner = \"x\"\n{base_rule}"),
                "line 3",
            ),
            (
                "unknown condition key",
                one_condition("{ input = \"score\", op = \"<\", value = 50, note = \"x\" }"),
                "unknown field `note`",
            ),
            (
                "empty version",
                format!("version = \"  \"\ndefault_tier = \"B\"\n{base_rule}"),
                "version: must not be empty",
            ),
            (
                "unknown default tier",
                format!("version = \"v\"\ndefault_tier = \"E\"\n{base_rule}"),
                "default_tier: unknown tier \"E\"",
            ),
            (
                "unknown rule tier",
                format!("version = \"v\"\ndefault_tier = \"B\"\n{}", base_rule.replace("\"C\"", "\"c\"")),
                "tiers[0].tier: unknown tier \"c\"",
            ),
            (
                "tier listed twice",
                format!("version = \"v\"\ndefault_tier = \"B\"\n{base_rule}{base_rule}"),
                "tiers[1].tier: C is listed twice (first at tiers[0])",
            ),
            (
                "default tier with a rule",
                format!("version = \"v\"\ndefault_tier = \"C\"\n{base_rule}"),
                "tiers[0].tier: C is the default_tier",
            ),
            (
                "unknown when",
                format!("version = \"v\"\ndefault_tier = \"B\"\n{}", base_rule.replace("any", "some")),
                "tiers[0].when: unknown \"some\"",
            ),
            (
                "empty conditions",
                "version = \"v\"\ndefault_tier = \"B\"\n[[tiers]]\ntier = \"C\"\nwhen = \"any\"\nconditions = []\n"
                    .to_owned(),
                "tiers[0].conditions: must not be empty",
            ),
            (
                "unknown input",
                one_condition("{ input = \"scor\", op = \"<\", value = 60 }"),
                "tiers[0].conditions[1]: unknown input \"scor\" (known: score, ratings_12m,",
            ),
            (
                "unknown op",
                one_condition("{ input = \"score\", op = \"=<\", value = 60 }"),
                "tiers[0].conditions[1]: unknown op \"=<\"",
            ),
            (
                "ordering op on a flag",
                one_condition("{ input = \"blacklisted\", op = \"<\", value = true }"),
                "tiers[0].conditions[1]: op \"<\" does not apply to yes/no input \"blacklisted\"",
            ),
            (
                "number for a flag",
                one_condition("{ input = \"blacklisted\", op = \"==\", value = 1 }"),
                "tiers[0].conditions[1]: input \"blacklisted\" needs a true/false value, found 1",
            ),
            (
                "flag for a number",
                one_condition("{ input = \"violations_12m\", op = \">\", value = true }"),
                "tiers[0].conditions[1]: input \"violations_12m\" needs a number value, found true",
            ),
            (
                "text for a number",
                one_condition("{ input = \"violations_12m\", op = \">\", value = \"0\" }"),
                "tiers[0].conditions[1]: input \"violations_12m\" needs a number value, found \"0\"",
            ),
            (
                "NaN",
                one_condition("{ input = \"ratings_12m\", op = \">\", value = nan }"),
                "tiers[0].conditions[1]: value must be a finite number, found NaN",
            ),
            (
                "infinity",
                one_condition("{ input = \"ratings_12m\", op = \"<\", value = inf }"),
                "tiers[0].conditions[1]: value must be a finite number, found inf",
            ),
            (
                "score above 100",
                one_condition("{ input = \"score\", op = \">=\", value = 101 }"),
                "tiers[0].conditions[1]: score threshold 101 is outside 0–100",
            ),
            (
                "score below 0",
                one_condition("{ input = \"score\", op = \">=\", value = -0.5 }"),
                "tiers[0].conditions[1]: score threshold -0.5 is outside 0–100",
            ),
        ];
        for (name, text, expected) in cases {
            let err = refused(&text);
            assert!(err.contains(expected), "{name}: {err:?} lacks {expected:?}");
        }
    }

    #[test]
    fn a_late_error_refuses_the_whole_set() {
        // The first rule is fine; the error in the second still refuses everything.
        let text = format!(
            "{}[[tiers]]\ntier = \"A\"\nwhen = \"all\"\nconditions = [{{ input = \"x\", op = \"==\", value = 0 }}]\n",
            one_condition("{ input = \"ratings_12m\", op = \"<\", value = 5 }")
        );
        assert!(refused(&text).starts_with("tiers[1].conditions[0]: unknown input \"x\""));
    }

    fn arbitrary_inputs() -> impl proptest::strategy::Strategy<Value = TierInputs> {
        use proptest::prelude::*;
        (
            proptest::option::of(proptest::num::f64::ANY),
            proptest::array::uniform6(any::<i64>()),
            proptest::array::uniform4(any::<bool>()),
        )
            .prop_map(|(score_0_100, counts, flags)| TierInputs {
                score_0_100,
                ratings_12m: counts[0],
                verified_complaints_12m: counts[1],
                unresolved_verified_complaints: counts[2],
                violations_12m: counts[3],
                serious_violations_12m: counts[4],
                failed_inspections_12m: counts[5],
                blacklisted: flags[0],
                commitment_published: flags[1],
                cqo_registered: flags[2],
                demonstration_unit: flags[3],
            })
    }

    proptest::proptest! {
        #[test]
        fn evaluate_always_gives_a_reason(inputs in arbitrary_inputs()) {
            let decision = RuleSet::default_rules().evaluate(&inputs);
            proptest::prop_assert!(!decision.reasons.is_empty());
        }

        #[test]
        fn a_lower_score_never_gives_a_better_tier(
            inputs in arbitrary_inputs(),
            a in 0.0f64..=100.0,
            b in 0.0f64..=100.0,
        ) {
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            let rules = RuleSet::default_rules();
            let at_low = rules.evaluate(&TierInputs { score_0_100: Some(low), ..inputs.clone() });
            let at_high = rules.evaluate(&TierInputs { score_0_100: Some(high), ..inputs });
            // Tier orders best (A) to worst (D).
            proptest::prop_assert!(at_low.tier >= at_high.tier);
        }
    }
}
