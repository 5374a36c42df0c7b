//! The rule set: parsing, validation, evaluation and the words of reasons.
//!
//! Past 500 lines: one table test per credit rule and boundary.

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
    assert_eq!(rules.version(), "default-2026.2");
    assert_eq!(RuleSet::default_rules(), rules);
}

#[test]
fn known_inputs_lists_all_thirteen() {
    assert_eq!(
        known_inputs(),
        "score, ratings_12m, verified_complaints_per_1000, verified_complaints_12m, \
         unresolved_verified_complaints, violations_12m, serious_violations_12m, \
         failed_inspections_12m, serious_list, watch_list, commitment_published, \
         cqo_registered, demonstration_unit"
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
            "the serious list beats a perfect score",
            TierInputs {
                score_0_100: Some(99.0),
                ratings_12m: 500,
                serious_list: true,
                ..TierInputs::default()
            },
            Tier::D,
            "on the list of seriously untrustworthy entities",
        ),
        (
            "the watch list holds a perfect score at C",
            TierInputs {
                score_0_100: Some(99.0),
                ratings_12m: 500,
                watch_list: true,
                ..TierInputs::default()
            },
            Tier::C,
            "on the watch list",
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
        assert_eq!(decision.rule_set_version, "default-2026.2");
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
        serious_list: true,
        ..venue()
    });
    assert_eq!(d.reasons[0].zh, "列入严重失信主体名单");
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
    // `blacklisted`, as older rule files call it, is the serious list.
    assert!(en_reasons(&with).contains(&"not on the list of seriously untrustworthy entities"));
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
    assert_eq!(
        described[0].en,
        "D: on the list of seriously untrustworthy entities"
    );
    assert_eq!(described[0].zh, "D级：列入严重失信主体名单");
    assert_eq!(
        described[1].en,
        "C if any of: on the watch list; score < 60; verified complaints per 1,000 ratings > 5; \
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
    assert_eq!(stored["tiers"][1]["conditions"][0]["value"], json!(true));
    assert_eq!(stored["tiers"][1]["conditions"][1]["value"], json!(60));
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
        proptest::array::uniform5(any::<bool>()),
    )
        .prop_map(|(score_0_100, counts, flags)| TierInputs {
            score_0_100,
            ratings_12m: counts[0],
            verified_complaints_12m: counts[1],
            unresolved_verified_complaints: counts[2],
            violations_12m: counts[3],
            serious_violations_12m: counts[4],
            failed_inspections_12m: counts[5],
            serious_list: flags[0],
            watch_list: flags[4],
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
