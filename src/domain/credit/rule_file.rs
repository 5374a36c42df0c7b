//! The rule file's shape as written, before validation: what TOML and the
//! stored JSON deserialize into.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RuleSetDoc {
    pub(super) version: String,
    pub(super) default_tier: String,
    #[serde(default)]
    pub(super) tiers: Vec<TierRuleDoc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TierRuleDoc {
    pub(super) tier: String,
    pub(super) when: String,
    pub(super) conditions: Vec<ConditionDoc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ConditionDoc {
    pub(super) input: String,
    pub(super) op: String,
    pub(super) value: ValueDoc,
}

/// A condition's value as written. Text is accepted here so that validation,
/// which knows the condition's place, can refuse it with that place named.
pub(super) enum ValueDoc {
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
