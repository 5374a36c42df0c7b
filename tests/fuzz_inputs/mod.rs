//! Inputs for fuzzing the rating parsers: arbitrary bytes, and random but
//! rating-shaped JSON and form bodies and venue-code-like text. Shared by
//! `tests/fuzz.rs` (the parsers alone) and `tests/api/fuzz.rs` (over HTTP).

#![allow(dead_code)] // Each test binary uses a different part of the inputs.

use proptest::prelude::*;
use qrfeedback::domain::rating::Tag;
use serde_json::{Map, Value, json};

/// Field names the parsers know, and some they do not.
const JSON_KEYS: &[&str] = &[
    "code",
    "device_id",
    "overall",
    "dimensions",
    "environment",
    "skill",
    "attitude",
    "tags",
    "comment",
    "complaint",
    "text",
    "contact",
    "form_token",
    "lang",
    "",
    "__proto__",
];

pub fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(JSON_KEYS).prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

/// Text a visitor or an attacker might send: tag keys, star values,
/// whitespace, long runs, any Unicode.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => proptest::sample::select(Tag::ALL.map(Tag::key).to_vec()).prop_map(str::to_owned),
        2 => proptest::sample::select(vec!["0", "1", "3", "5", "6", "-1", " 4 ", "1e3", "9223372036854775808", "NaN", "", " "]).prop_map(str::to_owned),
        2 => any::<String>(),
        1 => "[a-z2-7]{12}",
        1 => (any::<char>(), 0..1200usize).prop_map(|(c, n)| std::iter::repeat_n(c, n).collect()),
    ]
}

/// Any JSON scalar, rating-like values more often.
pub fn json_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-2i64..8).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        text().prop_map(Value::String),
    ]
}

/// Any JSON value, nested a few levels.
pub fn json_value() -> impl Strategy<Value = Value> {
    json_scalar().prop_recursive(4, 48, 10, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..10).prop_map(Value::Array),
            proptest::collection::vec((json_key(), inner), 0..10)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A rating-shaped object: mostly the right keys, with values of any kind,
/// or a plausible rating with values near their bounds.
pub fn rating_object() -> impl Strategy<Value = Value> {
    let random = proptest::collection::vec((json_key(), json_value()), 0..12)
        .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>()));
    let stars = || prop_oneof![(-1i64..7).prop_map(Value::from), json_scalar()];
    let plausible = (
        "[a-z2-7]{12}",
        stars(),
        proptest::option::of((stars(), stars(), stars())),
        proptest::collection::vec(text(), 0..10),
        proptest::option::of(text()),
        proptest::option::of((text(), proptest::option::of(text()), any::<bool>())),
        proptest::option::of("[A-Za-z0-9_-]{0,70}"),
    )
        .prop_map(|(code, overall, dims, tags, comment, complaint, device)| {
            let mut rating = json!({"code": code, "overall": overall, "tags": tags});
            if let Some((environment, skill, attitude)) = dims {
                rating["dimensions"] =
                    json!({"environment": environment, "skill": skill, "attitude": attitude});
            }
            if let Some(comment) = comment {
                rating["comment"] = json!(comment);
            }
            if let Some((text, contact, detailed)) = complaint {
                rating["complaint"] = if detailed {
                    json!({"text": text, "contact": contact})
                } else {
                    json!(text)
                };
            }
            if let Some(device) = device {
                rating["device_id"] = json!(device);
            }
            rating
        });
    prop_oneof![random, plausible]
}

/// Serialized JSON, sometimes cut short or with one byte changed.
pub fn json_bytes() -> impl Strategy<Value = Vec<u8>> {
    (rating_object(), any::<u16>(), any::<u8>(), 0u8..4).prop_map(|(value, at, byte, how)| {
        let mut bytes = serde_json::to_vec(&value).expect("a Value serializes");
        let at = usize::from(at) % (bytes.len() + 1);
        match how {
            0 => bytes.truncate(at),
            1 if at < bytes.len() => bytes[at] = byte,
            _ => {}
        }
        bytes
    })
}

/// Arbitrary bytes, up to 2 KiB.
pub fn raw_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..2048)
}

/// A form body: known and unknown keys, raw or percent-encoded values, and
/// stray separators and escapes.
pub fn form_bytes() -> impl Strategy<Value = Vec<u8>> {
    let pair = (
        json_key(),
        text(),
        any::<bool>(),
        proptest::collection::vec(any::<u8>(), 0..8),
    );
    proptest::collection::vec(pair, 0..14).prop_map(|pairs| {
        let mut body = Vec::new();
        for (i, (key, value, encode, noise)) in pairs.into_iter().enumerate() {
            if i > 0 {
                body.push(b'&');
            }
            body.extend_from_slice(key.as_bytes());
            body.push(b'=');
            if encode {
                body.extend(percent_encode(value.as_bytes(), b""));
            } else {
                body.extend_from_slice(value.as_bytes());
            }
            body.extend_from_slice(&noise);
        }
        body
    })
}

/// Text that may or may not be a venue code.
pub fn code_like() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9/%._~-]{0,16}",
        "[a-z2-7]{12}",
        proptest::collection::vec(any::<u8>(), 0..24)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

/// `bytes` with each byte but ASCII letters, digits and `keep` as `%XX`.
pub fn percent_encode(bytes: &[u8], keep: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for &byte in bytes {
        if byte.is_ascii_alphanumeric() || keep.contains(&byte) {
            out.push(byte);
        } else {
            out.extend_from_slice(format!("%{byte:02X}").as_bytes());
        }
    }
    out
}
