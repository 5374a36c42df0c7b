//! The validated rules: how a rule combines its conditions, the inputs a
//! condition compares, and the words each decision gives as its reason.

use serde_json::json;

use super::*;

#[derive(Debug, Clone, PartialEq)]
pub(super) struct TierRule {
    pub(super) tier: Tier,
    pub(super) when: When,
    pub(super) conditions: Vec<Condition>,
}

/// How a rule combines its conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum When {
    Any,
    All,
}

impl When {
    pub(super) fn parse(raw: &str) -> Option<When> {
        match raw {
            "any" => Some(When::Any),
            "all" => Some(When::All),
            _ => None,
        }
    }

    pub(super) fn key(self) -> &'static str {
        match self {
            When::Any => "any",
            When::All => "all",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CompareOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl CompareOp {
    pub(super) fn parse(raw: &str) -> Option<CompareOp> {
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
    pub(super) fn key(self) -> &'static str {
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
    pub(super) fn symbol(self) -> &'static str {
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
    pub(super) fn negated(self) -> CompareOp {
        match self {
            CompareOp::Lt => CompareOp::Ge,
            CompareOp::Le => CompareOp::Gt,
            CompareOp::Gt => CompareOp::Le,
            CompareOp::Ge => CompareOp::Lt,
            CompareOp::Eq => CompareOp::Ne,
            CompareOp::Ne => CompareOp::Eq,
        }
    }

    pub(super) fn holds(self, actual: f64, threshold: f64) -> bool {
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
pub(super) enum NumberInput {
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
pub(super) enum Observed {
    Count(i64),
    Fraction(f64),
    Unpublished,
}

impl NumberInput {
    pub(super) const ALL: [NumberInput; 8] = [
        NumberInput::Score,
        NumberInput::Ratings12m,
        NumberInput::VerifiedComplaintsPer1000,
        NumberInput::VerifiedComplaints12m,
        NumberInput::UnresolvedVerifiedComplaints,
        NumberInput::Violations12m,
        NumberInput::SeriousViolations12m,
        NumberInput::FailedInspections12m,
    ];

    pub(super) fn key(self) -> &'static str {
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

    pub(super) fn zh(self) -> &'static str {
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

    pub(super) fn en(self) -> &'static str {
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

    pub(super) fn observe(self, inputs: &TierInputs) -> Observed {
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
pub(super) enum FlagInput {
    SeriousList,
    WatchList,
    CommitmentPublished,
    CqoRegistered,
    DemonstrationUnit,
}

impl FlagInput {
    pub(super) const ALL: [FlagInput; 5] = [
        FlagInput::SeriousList,
        FlagInput::WatchList,
        FlagInput::CommitmentPublished,
        FlagInput::CqoRegistered,
        FlagInput::DemonstrationUnit,
    ];

    pub(super) fn key(self) -> &'static str {
        match self {
            FlagInput::SeriousList => "serious_list",
            FlagInput::WatchList => "watch_list",
            FlagInput::CommitmentPublished => "commitment_published",
            FlagInput::CqoRegistered => "cqo_registered",
            FlagInput::DemonstrationUnit => "demonstration_unit",
        }
    }

    pub(super) fn value(self, inputs: &TierInputs) -> bool {
        match self {
            FlagInput::SeriousList => inputs.serious_list,
            FlagInput::WatchList => inputs.watch_list,
            FlagInput::CommitmentPublished => inputs.commitment_published,
            FlagInput::CqoRegistered => inputs.cqo_registered,
            FlagInput::DemonstrationUnit => inputs.demonstration_unit,
        }
    }

    /// The state in words, (zh, en).
    pub(super) fn state_text(self, state: bool) -> (&'static str, &'static str) {
        match (self, state) {
            (FlagInput::SeriousList, true) => (
                "列入严重失信主体名单",
                "on the list of seriously untrustworthy entities",
            ),
            (FlagInput::SeriousList, false) => (
                "未列入严重失信主体名单",
                "not on the list of seriously untrustworthy entities",
            ),
            (FlagInput::WatchList, true) => ("列入重点关注名单", "on the watch list"),
            (FlagInput::WatchList, false) => ("未列入重点关注名单", "not on the watch list"),
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
pub(super) enum Condition {
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
    pub(super) fn parse(doc: &ConditionDoc, place: String) -> Result<Condition, RuleSetError> {
        let number_input = NumberInput::ALL.into_iter().find(|i| i.key() == doc.input);
        // Rule sets written before the lists were named call the serious
        // list `blacklisted`; they keep meaning the same thing.
        let input = match doc.input.as_str() {
            "blacklisted" => "serious_list",
            other => other,
        };
        let flag_input = FlagInput::ALL.into_iter().find(|i| i.key() == input);
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

    pub(super) fn holds(&self, inputs: &TierInputs) -> bool {
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
    pub(super) fn reason(&self, inputs: &TierInputs, held: bool) -> Option<Reason> {
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
    pub(super) fn describe(&self) -> (String, String) {
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

    pub(super) fn to_json(&self) -> serde_json::Value {
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

pub(super) fn unknown_input(doc: &ConditionDoc, place: String) -> RuleSetError {
    RuleSetError::UnknownInput {
        place,
        found: doc.input.clone(),
    }
}

pub(super) fn wrong_type(
    doc: &ConditionDoc,
    place: String,
    expected: &'static str,
) -> RuleSetError {
    RuleSetError::WrongValueType {
        place,
        input: doc.input.clone(),
        expected,
        found: doc.value.to_string(),
    }
}

/// A fractional value with one decimal, or more when one decimal would make
/// the shown comparison read wrong (59.96 is not "60.0 < 60").
pub(super) fn show_fraction(actual: f64, op: CompareOp, threshold: f64) -> String {
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
