//! The one error of the use-cases: a stable slug, an English detail for logs
//! and the JSON API, and the values a page's message may name.
//!
//! The JSON side maps an [`AppError`] to problem+json by its [`Slug`]; the
//! pages map the same slug to a message in the page's language (the
//! `[problems]` table of every catalogue; a test checks that each slug has
//! one there).

use crate::domain::rating::RatingError;
use crate::domain::venue::VenueError;
use crate::store::StoreError;

/// What kind of refusal a slug is; the HTTP status follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Well-formed input that cannot be accepted (422).
    Invalid,
    /// Unknown, or outside the caller's scope (404).
    NotFound,
    /// The caller may not do this (403).
    Forbidden,
    /// The thing is not in a state that allows it (409).
    Conflict,
    /// The thing is there but no longer takes this (410).
    Gone,
    /// Postgres or Redis is unreachable; nothing was changed (503).
    Unavailable,
    /// A bug or a broken invariant; the cause is logged, not shown (500).
    Internal,
}

macro_rules! slugs {
    ($($variant:ident => $key:literal, $kind:ident;)*) => {
        /// Every refusal a use-case can answer, each with a stable key.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Slug {
            $(
                #[doc = concat!("`", $key, "`")]
                $variant,
            )*
        }

        impl Slug {
            /// Every slug, for the catalogue test.
            pub const ALL: &'static [Slug] = &[$(Slug::$variant),*];

            /// The stable key: the catalogue key, and (except for the
            /// not-found family, which the JSON API reports as `not-found`)
            /// the last part of the problem `type`.
            pub fn key(self) -> &'static str {
                match self {
                    $(Slug::$variant => $key,)*
                }
            }

            /// What kind of refusal it is.
            pub fn kind(self) -> Kind {
                match self {
                    $(Slug::$variant => Kind::$kind,)*
                }
            }
        }
    };
}

slugs! {
    InvalidQuery => "invalid-query", Invalid;
    InvalidPage => "invalid-page", Invalid;
    InvalidDate => "invalid-date", Invalid;
    InvalidTime => "invalid-time", Invalid;
    DateInFuture => "date-in-future", Invalid;
    DateTooOld => "date-too-old", Invalid;
    PeriodReversed => "period-reversed", Invalid;
    PeriodTooLong => "period-too-long", Invalid;
    ControlCharacter => "control-character", Invalid;
    TextTooLong => "text-too-long", Invalid;
    TextRequired => "text-required", Invalid;
    ReasonRequired => "reason-required", Invalid;
    DescriptionRequired => "description-required", Invalid;
    UnknownRegion => "unknown-region", Invalid;
    UnknownCategory => "unknown-category", Invalid;
    InvalidRegionCode => "invalid-region-code", Invalid;
    InvalidScope => "invalid-scope", Invalid;
    InvalidRole => "invalid-role", Invalid;
    InvalidLogin => "invalid-login", Invalid;
    InvalidDisplayName => "invalid-display-name", Invalid;
    InvalidTokenName => "invalid-token-name", Invalid;
    InvalidExpiry => "invalid-expiry", Invalid;
    WeakPassword => "weak-password", Invalid;
    OwnPassword => "own-password", Invalid;
    OwnSecondFactor => "own-second-factor", Invalid;
    InvalidVenue => "invalid-venue", Invalid;
    InvalidTrainingHours => "invalid-training-hours", Invalid;
    InvalidRegistrationStatus => "invalid-registration-status", Invalid;
    NoComment => "no-comment", Invalid;
    InvalidQrParameters => "invalid-qr-parameters", Invalid;
    ValueOutOfRange => "value-out-of-range", Invalid;
    UnknownTag => "unknown-tag", Invalid;
    TooManyTags => "too-many-tags", Invalid;
    EmptyComplaint => "empty-complaint", Invalid;
    InvalidDeviceId => "invalid-device-id", Invalid;
    UnstorableRating => "unstorable-rating", Invalid;
    UnknownCaseState => "unknown-case-state", Invalid;
    InvalidVerdict => "invalid-verdict", Invalid;
    SameRegion => "same-region", Invalid;
    InvalidDayKind => "invalid-day-kind", Invalid;
    InvalidCaseClocks => "invalid-case-clocks", Invalid;
    InvalidSource => "invalid-source", Invalid;
    ServiceTooOld => "service-too-old", Invalid;
    ReceivedBeforeService => "received-before-service", Invalid;
    InvalidDecision => "invalid-decision", Invalid;
    AppealPending => "appeal-pending", Conflict;
    AppealDecided => "appeal-decided", Conflict;
    TransitionNotAllowed => "transition-not-allowed", Conflict;
    HandlingNotRateable => "handling-not-rateable", Conflict;
    DuplicateLogin => "duplicate-login", Conflict;
    AccountChanged => "account-changed", Conflict;
    AccountDisabled => "account-disabled", Conflict;
    NoSecondFactor => "no-second-factor", Conflict;
    AlreadyQuarantined => "already-quarantined", Conflict;
    NotQuarantined => "not-quarantined", Conflict;
    NothingHeld => "nothing-held", Conflict;
    VenueNotFound => "venue-not-found", NotFound;
    AccountNotFound => "account-not-found", NotFound;
    TokenNotFound => "token-not-found", NotFound;
    RatingNotFound => "rating-not-found", NotFound;
    InvitationNotFound => "invitation-not-found", NotFound;
    RegionNotFound => "region-not-found", NotFound;
    ComplaintNotFound => "complaint-not-found", NotFound;
    AppealNotFound => "appeal-not-found", NotFound;
    IncidentNotFound => "incident-not-found", NotFound;
    AlertNotFound => "alert-not-found", NotFound;
    HoldNotFound => "hold-not-found", NotFound;
    Forbidden => "forbidden", Forbidden;
    Unavailable => "unavailable", Unavailable;
    Internal => "internal", Internal;
    VenueClosed => "venue-closed", Gone;
    InvalidVenueName => "invalid-venue-name", Invalid;
    InvalidAddress => "invalid-address", Invalid;
    InvalidUnitType => "invalid-unit-type", Invalid;
    InvalidPersonInCharge => "invalid-person-in-charge", Invalid;
    InvalidPhone => "invalid-phone", Invalid;
    InvalidStaffCount => "invalid-staff-count", Invalid;
    FoundingDateOutOfRange => "founding-date-out-of-range", Invalid;
    InvalidCreditCode => "invalid-credit-code", Invalid;
    CreditCodeChecksum => "credit-code-checksum", Invalid;
    RegionOutsideScope => "region-outside-scope", Forbidden;
    UnknownChecklist => "unknown-checklist", Invalid;
    UnknownChecklistItem => "unknown-checklist-item", Invalid;
    PointsOutOfRange => "points-out-of-range", Invalid;
    PassedRequired => "passed-required", Invalid;
    PassedContradictsItems => "passed-contradicts-items", Invalid;
    InvalidDraw => "invalid-draw", Invalid;
    DrawNotFound => "draw-not-found", NotFound;
    InvalidPhoto => "invalid-photo", Invalid;
    PhotoTooLarge => "photo-too-large", Invalid;
    TooManyPhotos => "too-many-photos", Invalid;
    UnsupportedPhotoType => "unsupported-photo-type", Invalid;
    InspectionNotFound => "inspection-not-found", NotFound;
    PhotoNotFound => "photo-not-found", NotFound;
    InvalidImportFile => "invalid-import-file", Invalid;
    UnsupportedImportType => "unsupported-import-type", Invalid;
    ImportEmpty => "import-empty", Invalid;
    ImportTooManyRows => "import-too-many-rows", Invalid;
    ImportHasErrors => "import-has-errors", Invalid;
    TooManyPosterVenues => "too-many-poster-venues", Invalid;
    UnknownList => "unknown-list", Invalid;
    ListStartsInPast => "list-starts-in-past", Invalid;
    ListTermTooLong => "list-term-too-long", Invalid;
    ListEntryNotFound => "list-entry-not-found", NotFound;
    ListEntryDecided => "list-entry-decided", Conflict;
    StatementGiven => "statement-given", Conflict;
    StatementPeriodOver => "statement-period-over", Conflict;
    StatementPeriodOpen => "statement-period-open", Conflict;
    InvalidEducation => "invalid-education", Invalid;
    InvalidExperienceYears => "invalid-experience-years", Invalid;
    UnknownDuty => "unknown-duty", Invalid;
    InvalidEvaluationYear => "invalid-evaluation-year", Invalid;
    InvalidGrade => "invalid-grade", Invalid;
    InvalidCqoDecision => "invalid-cqo-decision", Invalid;
    TooManyTrainings => "too-many-trainings", Invalid;
    CqoRegistrationByRegulator => "cqo-registration-by-regulator", Forbidden;
    CqoRegistrationConflict => "cqo-registration-conflict", Conflict;
    CqoTrainingShort => "cqo-training-short", Conflict;
    CqoNotFound => "cqo-not-found", NotFound;
    CqoTrainingNotFound => "cqo-training-not-found", NotFound;
    InvalidTier => "invalid-tier", Invalid;
    EndsOnNotAfterToday => "ends-on-not-after-today", Invalid;
    EndsOnTooFar => "ends-on-too-far", Invalid;
    TierOverrideActive => "tier-override-active", Conflict;
    NoTierOverride => "no-tier-override", Conflict;
    RepairNotFound => "repair-not-found", NotFound;
    EvidenceNotFound => "evidence-not-found", NotFound;
    EntryNotListed => "entry-not-listed", Conflict;
    EntryNotInForce => "entry-not-in-force", Conflict;
    RepairPending => "repair-pending", Conflict;
    RepairDecided => "repair-decided", Conflict;
    CommitmentExcluded => "commitment-excluded", Invalid;
    EvidenceRequired => "evidence-required", Invalid;
    CommitmentOrEvidenceRequired => "commitment-or-evidence-required", Invalid;
    InvalidEvidence => "invalid-evidence", Invalid;
    EvidenceTooLarge => "evidence-too-large", Invalid;
    TooManyEvidenceFiles => "too-many-evidence-files", Invalid;
    InvalidRepairDecision => "invalid-repair-decision", Invalid;
    RegradeTooSoon => "regrade-too-soon", Conflict;
    InvalidCampaign => "invalid-campaign", Invalid;
    InvalidQuotaFile => "invalid-quota-file", Invalid;
    InvalidDeeds => "invalid-deeds", Invalid;
    InvalidAmbassador => "invalid-ambassador", Invalid;
    VenueNotEligible => "venue-not-eligible", Invalid;
    CampaignNotFound => "campaign-not-found", NotFound;
    CampaignRegionNotFound => "campaign-region-not-found", NotFound;
    NominationNotFound => "nomination-not-found", NotFound;
    QuotaReached => "quota-reached", Conflict;
    AlreadyNominated => "already-nominated", Conflict;
    NotNominated => "not-nominated", Conflict;
    CampaignListNotOpen => "campaign-list-not-open", Conflict;
    CampaignListNotSubmitted => "campaign-list-not-submitted", Conflict;
    CampaignNotSignedOff => "campaign-not-signed-off", Conflict;
    CampaignAwarded => "campaign-awarded", Conflict;
    CampaignDeadlinePassed => "campaign-deadline-passed", Conflict;
}

impl Slug {
    /// The last part of the problem `type` the JSON API answers.
    pub fn problem(self) -> &'static str {
        match self.kind() {
            Kind::NotFound => "not-found",
            _ => self.key(),
        }
    }

    /// What a not-found slug is about, as the JSON API names it ("venue not found").
    pub fn missing_thing(self) -> Option<&'static str> {
        Some(match self {
            Slug::VenueNotFound => "venue",
            Slug::AccountNotFound => "account",
            Slug::TokenNotFound => "token",
            Slug::RatingNotFound => "rating",
            Slug::InvitationNotFound => "invitation",
            Slug::RegionNotFound => "region",
            Slug::ComplaintNotFound => "complaint",
            Slug::AppealNotFound => "appeal",
            Slug::IncidentNotFound => "incident",
            Slug::AlertNotFound => "alert",
            Slug::HoldNotFound => "held rating",
            Slug::DrawNotFound => "inspection draw",
            Slug::InspectionNotFound => "inspection",
            Slug::PhotoNotFound => "photo",
            Slug::ListEntryNotFound => "list entry",
            Slug::CqoNotFound => "quality officer",
            Slug::CqoTrainingNotFound => "training record",
            Slug::RepairNotFound => "repair application",
            Slug::EvidenceNotFound => "evidence file",
            Slug::CampaignNotFound => "campaign",
            Slug::CampaignRegionNotFound => "campaign region",
            Slug::NominationNotFound => "nomination",
            _ => return None,
        })
    }
}

/// A use-case's refusal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct AppError {
    /// What went wrong, stably.
    pub slug: Slug,
    /// What went wrong in English, for the log and the JSON `detail`.
    pub detail: String,
    /// Values a page's message may name, as `{name}` placeholders.
    pub args: Vec<(&'static str, String)>,
}

impl AppError {
    /// A refusal with its English detail.
    pub fn new(slug: Slug, detail: impl Into<String>) -> Self {
        Self {
            slug,
            detail: detail.into(),
            args: Vec::new(),
        }
    }

    /// Something unknown or outside the caller's scope.
    pub fn not_found(slug: Slug) -> Self {
        let thing = slug.missing_thing().unwrap_or("resource");
        Self::new(slug, format!("{thing} not found"))
    }

    /// The caller may not do this.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(Slug::Forbidden, detail)
    }

    /// Postgres or Redis is unreachable; nothing was changed.
    pub fn unavailable() -> Self {
        Self::new(
            Slug::Unavailable,
            "the service is temporarily unavailable; nothing was stored, please retry",
        )
    }

    /// A bug; log the cause where it was met.
    pub fn internal() -> Self {
        Self::new(Slug::Internal, "internal error")
    }

    /// Adds a value the page's message names as `{name}`.
    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    /// The value given for `{name}`, if any.
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.args
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(_) => AppError::unavailable(),
            StoreError::Other(err) => {
                tracing::error!(error = %err, "store failure");
                AppError::internal()
            }
        }
    }
}

/// A database error met outside the store: classified like the store's own.
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        StoreError::from(err).into()
    }
}

impl From<RatingError> for AppError {
    fn from(err: RatingError) -> Self {
        let slug = match &err {
            RatingError::OutOfRange { .. } => Slug::ValueOutOfRange,
            RatingError::UnknownTag(_) => Slug::UnknownTag,
            RatingError::TooManyTags => Slug::TooManyTags,
            RatingError::TooLong { .. } => Slug::TextTooLong,
            RatingError::ControlCharacter { .. } => Slug::ControlCharacter,
            RatingError::EmptyComplaint => Slug::EmptyComplaint,
            RatingError::BadDeviceId => Slug::InvalidDeviceId,
        };
        AppError::new(slug, err.to_string())
    }
}

impl From<VenueError> for AppError {
    fn from(err: VenueError) -> Self {
        AppError::new(Slug::InvalidVenue, err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn slug_keys_are_unique_and_kebab_case() {
        let keys: HashSet<&str> = Slug::ALL.iter().map(|s| s.key()).collect();
        assert_eq!(keys.len(), Slug::ALL.len());
        for key in keys {
            assert!(
                key.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{key}"
            );
        }
    }

    #[test]
    fn not_found_slugs_are_one_problem_type_and_name_their_thing() {
        for slug in Slug::ALL {
            let is_missing = slug.kind() == Kind::NotFound;
            assert_eq!(slug.missing_thing().is_some(), is_missing, "{slug:?}");
            assert_eq!(slug.problem() == "not-found", is_missing, "{slug:?}");
        }
        assert_eq!(
            AppError::not_found(Slug::VenueNotFound).detail,
            "venue not found"
        );
    }

    #[test]
    fn arguments_are_found_by_name() {
        let err = AppError::new(Slug::TextTooLong, "too long")
            .with("field", "comment")
            .with("max", 500);
        assert_eq!(err.arg("max"), Some("500"));
        assert_eq!(err.arg("field"), Some("comment"));
        assert_eq!(err.arg("other"), None);
    }
}
