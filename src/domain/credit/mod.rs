//! Credit tier rules as versioned data, and their evaluation with reasons.
//!
//! A rule set is read from TOML (the published, reviewable form) or from the
//! JSON stored beside each decision, validated as a whole, and then applied to
//! one venue's [`TierInputs`]. Every decision names the rule-set version and
//! says, in zh-CN and English, which conditions decided it. The file's
//! shape is in `rule_file`, the validated conditions in `conditions`.

use serde::Deserialize;
use serde_json::json;

mod conditions;
mod rule_file;
#[cfg(test)]
mod tests;

use conditions::*;
use rule_file::*;

/// The default rule set's TOML, embedded so a fresh install needs no file.
pub const DEFAULT_RULES_TOML: &str = include_str!("../../../data/tier_rules/default.toml");

/// A credit tier: A excellent, B good, C watch, D untrustworthy.
///
/// The derived order runs from best (A) to worst (D).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
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
    /// Listed, on the day, on the list of seriously untrustworthy entities
    /// (严重失信主体名单). Decisions stored before the lists were named call
    /// it `blacklisted`.
    #[serde(alias = "blacklisted")]
    pub serious_list: bool,
    /// Listed, on the day, on the watch list (重点关注名单).
    #[serde(default)]
    pub watch_list: bool,
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
