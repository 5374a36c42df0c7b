//! Ids as a request names them. A path segment that is not a positive
//! integer names nothing, so it is "not found", exactly like an id that does
//! not exist; the API answers problem+json, a page answers in its language.

use crate::domain::ids::{AccountId, RatingId, VenueId};

use super::error::{AppError, Slug};

/// An id a route can name, with the problem it answers when it names nothing.
pub trait PathId: From<i64> {
    /// The "not found" problem of this kind of id.
    const MISSING: Slug;
}

impl PathId for VenueId {
    const MISSING: Slug = Slug::VenueNotFound;
}

impl PathId for RatingId {
    const MISSING: Slug = Slug::RatingNotFound;
}

impl PathId for AccountId {
    const MISSING: Slug = Slug::AccountNotFound;
}

/// A positive integer, or nothing.
fn positive(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|id| *id > 0)
}

/// Reads a typed id from a path segment.
pub fn parse_id<T: PathId>(raw: &str) -> Result<T, AppError> {
    positive(raw)
        .map(T::from)
        .ok_or(AppError::not_found(T::MISSING))
}

/// Reads a complaint case's id from a path segment.
pub fn parse_case_id(raw: &str) -> Result<i64, AppError> {
    positive(raw).ok_or(AppError::not_found(Slug::ComplaintNotFound))
}

/// Reads a rating appeal's id from a path segment.
pub fn parse_appeal_id(raw: &str) -> Result<i64, AppError> {
    positive(raw).ok_or(AppError::not_found(Slug::AppealNotFound))
}

/// Reads an integrity incident's id from a path segment.
pub fn parse_incident_id(raw: &str) -> Result<i64, AppError> {
    positive(raw).ok_or(AppError::not_found(Slug::IncidentNotFound))
}

/// Reads an alert's id from a path segment.
pub fn parse_alert_id(raw: &str) -> Result<i64, AppError> {
    positive(raw).ok_or(AppError::not_found(Slug::AlertNotFound))
}

/// Reads a held rating's id from a path segment.
pub fn parse_hold_id(raw: &str) -> Result<i64, AppError> {
    positive(raw).ok_or(AppError::not_found(Slug::HoldNotFound))
}

/// Reads a credit list entry's id from a path segment.
pub fn parse_list_entry_id(raw: &str) -> Result<i64, AppError> {
    positive(raw).ok_or(AppError::not_found(Slug::ListEntryNotFound))
}

/// Reads an inspection's id from a path segment.
pub fn parse_inspection_id(raw: &str) -> Result<i64, AppError> {
    positive(raw).ok_or(AppError::not_found(Slug::InspectionNotFound))
}

/// Reads an inspection photo's id from a path segment.
pub fn parse_photo_id(raw: &str) -> Result<i64, AppError> {
    positive(raw).ok_or(AppError::not_found(Slug::PhotoNotFound))
}

/// Reads an inspection draw's id from a path segment.
pub fn parse_draw_id(raw: &str) -> Result<i64, AppError> {
    positive(raw).ok_or(AppError::not_found(Slug::DrawNotFound))
}

/// Reads a Chief Quality Officer's training record id from a path segment.
pub fn parse_training_id(raw: &str) -> Result<i64, AppError> {
    positive(raw).ok_or(AppError::not_found(Slug::CqoTrainingNotFound))
}

/// Reads a credit repair application's id from a path segment.
pub fn parse_repair_id(raw: &str) -> Result<i64, AppError> {
    positive(raw).ok_or(AppError::not_found(Slug::RepairNotFound))
}

/// Reads a demonstration-unit campaign's id from a path segment.
pub fn parse_campaign_id(raw: &str) -> Result<i64, AppError> {
    positive(raw).ok_or(AppError::not_found(Slug::CampaignNotFound))
}

/// Reads a repair evidence file's id from a path segment.
pub fn parse_evidence_id(raw: &str) -> Result<i64, AppError> {
    positive(raw).ok_or(AppError::not_found(Slug::EvidenceNotFound))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_positive_integer_names_an_id() {
        assert_eq!(parse_id::<VenueId>("12").unwrap(), VenueId::new(12));
        for raw in ["0", "-3", "1.5", "", "12a", "99999999999999999999"] {
            let err = parse_id::<RatingId>(raw).unwrap_err();
            assert_eq!(err.slug, Slug::RatingNotFound, "{raw:?}");
        }
        assert_eq!(
            parse_id::<AccountId>("x").unwrap_err().slug,
            Slug::AccountNotFound
        );
        assert_eq!(
            parse_inspection_id("0").unwrap_err().slug,
            Slug::InspectionNotFound
        );
        assert_eq!(parse_photo_id("1e3").unwrap_err().slug, Slug::PhotoNotFound);
        assert_eq!(parse_draw_id("7").unwrap(), 7);
    }
}
