//! Fuzzing the parsers a visitor's bytes reach first: the rating JSON body,
//! the rating form body and the venue code. Arbitrary bytes and random but
//! well-shaped inputs go through exactly what the handlers call; each must
//! end in a parsed value or a clear refusal (400 or 422, or "not a code"),
//! never a panic and never a 500.
//!
//! `PROPTEST_CASES` sets the cases of each target (proptest's default, 256,
//! when unset). `FUZZ_SECONDS` instead runs each target for that long, in
//! batches, and prints how many cases it ran: `deploy/fuzz.sh` does that.

use std::time::{Duration, Instant};

use actix_web::ResponseError;
use actix_web::http::StatusCode;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use qrfeedback::domain::code::{CODE_LEN, VenueCode};
use qrfeedback::domain::ids::VenueId;
use qrfeedback::domain::rating::{COMMENT_MAX_CHARS, DeviceId, RatingInput, TAGS_MAX};
use qrfeedback::error::ApiError;
use qrfeedback::http::api::ratings::{CreateRating, parse_json};
use qrfeedback::http::pages::visitor::rating::RatingForm;

mod fuzz_inputs;

use fuzz_inputs::{code_like, form_bytes, json_bytes, raw_bytes};

/// Cases per batch when running for a duration.
const BATCH_CASES: u32 = 2_000;

/// Runs `check` on values of `strategy`: `PROPTEST_CASES` cases, or batches
/// until `FUZZ_SECONDS` have passed. Returns how many cases ran.
fn fuzz<S>(target: &str, strategy: S, check: impl Fn(S::Value) -> Result<(), TestCaseError>) -> u64
where
    S: Strategy,
    S::Value: std::fmt::Debug,
{
    let seconds = std::env::var("FUZZ_SECONDS").ok().map(|v| {
        v.parse::<u64>()
            .expect("FUZZ_SECONDS is a number of seconds")
    });
    let base = Config {
        failure_persistence: None,
        ..Config::default()
    };
    let (batch_cases, deadline) = match seconds {
        Some(s) => (BATCH_CASES, Some(Instant::now() + Duration::from_secs(s))),
        None => (base.cases, None),
    };
    let mut ran = 0u64;
    loop {
        let mut runner = TestRunner::new(Config {
            cases: batch_cases,
            ..base.clone()
        });
        match runner.run(&strategy, &check) {
            Ok(()) => ran += u64::from(batch_cases),
            Err(TestError::Fail(reason, value)) => {
                panic!("{target}: {reason} for input {value:?}")
            }
            Err(TestError::Abort(reason)) => panic!("{target}: aborted: {reason}"),
        }
        if deadline.is_none_or(|d| Instant::now() >= d) {
            break;
        }
    }
    println!("fuzz {target}: {ran} cases");
    ran
}

/// The status the JSON API answers for a refusal; only 400 and 422 are clear.
fn refusal_status(err: &ApiError) -> Result<(), TestCaseError> {
    let status = err.status_code();
    prop_assert!(
        status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY,
        "refused with {status}: {err}"
    );
    Ok(())
}

/// What a parsed rating may hold, whatever the input was.
fn valid_rating(input: &RatingInput) -> Result<(), TestCaseError> {
    prop_assert!((1..=5).contains(&input.overall.get()));
    for stars in [
        input.dimensions.environment,
        input.dimensions.skill,
        input.dimensions.attitude,
    ]
    .into_iter()
    .flatten()
    {
        prop_assert!((1..=5).contains(&stars.get()));
    }
    prop_assert!(input.tags.len() <= TAGS_MAX);
    if let Some(comment) = &input.comment {
        prop_assert!(comment.as_str().chars().count() <= COMMENT_MAX_CHARS);
        prop_assert!(!comment.as_str().trim().is_empty());
    }
    Ok(())
}

/// The JSON body through what `POST /api/v1/ratings` does before the venue
/// lookup: serde into the request, the domain parse, the device id.
fn check_json_body(body: &[u8]) -> Result<(), TestCaseError> {
    let request = match parse_json::<CreateRating>(body) {
        Ok(request) => request,
        Err(err) => return refusal_status(&err),
    };
    match request.rating_input() {
        Ok(input) => valid_rating(&input)?,
        Err(err) => refusal_status(&ApiError::from(err))?,
    }
    if let Some(raw) = &request.device_id {
        match DeviceId::parse(raw) {
            Ok(device) => prop_assert_eq!(device.as_str(), raw.as_str()),
            Err(err) => refusal_status(&ApiError::from(err))?,
        }
    }
    if let Some(code) = VenueCode::parse(&request.code) {
        prop_assert_eq!(code.as_str(), request.code.as_str());
    }
    Ok(())
}

/// The form body through what `POST /r/{code}` does: no form is a 400 page,
/// a form that does not parse into a rating a 422 page with the input kept.
fn check_form_body(body: &[u8]) -> Result<(), TestCaseError> {
    let Some(form) = RatingForm::from_body(body) else {
        return Ok(());
    };
    match form.rating_input() {
        Ok(input) => valid_rating(&input),
        Err(err) => refusal_status(&ApiError::from(err)),
    }
}

#[test]
fn rating_json_bodies_parse_or_are_refused_with_400_or_422() {
    let ran = fuzz("rating JSON, raw bytes", raw_bytes(), |b| {
        check_json_body(&b)
    }) + fuzz("rating JSON, shaped", json_bytes(), |b| check_json_body(&b));
    assert!(ran > 0);
}

#[test]
fn rating_form_bodies_parse_or_are_refused_with_400_or_422() {
    let ran = fuzz("rating form, raw bytes", raw_bytes(), |b| {
        check_form_body(&b)
    }) + fuzz("rating form, shaped", form_bytes(), |b| check_form_body(&b));
    assert!(ran > 0);
}

#[test]
fn venue_codes_parse_only_in_their_one_form() {
    let key = b"fuzz key fuzz key fuzz key fuzz key";
    let ran = fuzz(
        "venue code",
        (code_like(), any::<i64>(), any::<i32>()),
        |(raw, venue_id, seq)| {
            let venue_id = VenueId::new(venue_id);
            let Some(code) = VenueCode::parse(&raw) else {
                return Ok(());
            };
            prop_assert_eq!(code.as_str(), raw.as_str());
            prop_assert_eq!(code.as_str().len(), CODE_LEN);
            prop_assert!(code.key_version() < 32);
            // A made-up code matches no venue but the one whose code it is.
            if code.verify(key, venue_id, seq) {
                prop_assert_eq!(
                    &code,
                    &VenueCode::mint(key, code.key_version(), venue_id, seq)
                );
            }
            Ok(())
        },
    );
    assert!(ran > 0);
}
