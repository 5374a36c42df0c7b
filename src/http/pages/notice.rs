//! The one success notice of the signed-in pages: after a change, a form
//! answers 303 to a page with `?notice=<key>`, and `signed_in_base.html`
//! shows the key's text from the catalogue in one banner. A key this list
//! does not know shows nothing, so a crafted link cannot put words on a page.

use crate::i18n::Messages;

/// A change just made, named in the address of the page shown after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// An account was disabled.
    AccountDisabled,
    /// An account was enabled.
    AccountEnabled,
    /// An account's second factor was reset.
    SecondFactorReset,
    /// An API token was revoked.
    TokenRevoked,
    /// A venue's code was replaced.
    CodeReissued,
    /// A rating was quarantined.
    RatingQuarantined,
    /// The ratings ticked in a table were quarantined.
    RatingsQuarantined,
    /// A quarantined rating was released.
    RatingReleased,
    /// A violation was recorded.
    ViolationRecorded,
    /// A reply to a comment was published.
    ReplySaved,
    /// A venue's commitment was published.
    CommitmentSaved,
    /// A venue's Chief Quality Officer was saved.
    OfficerSaved,
    /// A venue was registered.
    VenueCreated,
    /// A venue's details were saved.
    VenueSaved,
    /// A venue was closed.
    VenueClosed,
    /// A closed venue was reopened.
    VenueReopened,
    /// Venues were imported from a spreadsheet.
    VenuesImported,
    /// A complaint case moved a step.
    CaseStepped,
    /// An inspection was recorded.
    InspectionRecorded,
    /// Venues and inspectors were drawn for inspections.
    DrawMade,
    /// A step on a bad rating was recorded.
    BadRatingStepped,
    /// A venue appealed a rating.
    AppealFiled,
    /// A regulator decided an appeal.
    AppealDecided,
    /// A reviewer released or confirmed held ratings.
    HoldsDecided,
    /// An alert was marked read.
    AlertRead,
    /// A telephone or hotline complaint was entered as a case.
    ComplaintEntered,
    /// A training record of the Chief Quality Officer was added.
    OfficerTrainingAdded,
    /// A training record of the Chief Quality Officer was removed.
    OfficerTrainingRemoved,
    /// The Chief Quality Officer's registration was filed.
    OfficerFiled,
    /// The registration decision on a Chief Quality Officer was recorded.
    OfficerDecided,
    /// The yearly evaluation of a Chief Quality Officer was recorded.
    OfficerEvaluated,
    /// A tier override was set.
    TierOverrideSet,
    /// A tier override was ended early.
    TierOverrideEnded,
    /// A regulator proposed a credit list entry.
    ListEntryProposed,
    /// A venue submitted its statement (陈述申辩) on a proposed entry.
    ListStatementSubmitted,
    /// A regulator decided a credit list entry.
    ListEntryDecided,
    /// A venue applied for credit repair.
    RepairApplied,
    /// A regulator decided a credit repair application.
    RepairDecided,
    /// A demonstration-unit campaign was created.
    CampaignCreated,
    /// A county's demonstration-unit list changed, was submitted or reviewed.
    CampaignChanged,
    /// A campaign's units were awarded.
    CampaignAwarded,
    /// A nominated unit's deeds were saved.
    DeedsSaved,
    /// A nominated unit's ambassador was saved.
    AmbassadorSaved,
    /// A venue asked to be graded again.
    RegradeRequested,
}

impl Notice {
    /// Every notice.
    pub const ALL: [Notice; 44] = [
        Notice::AccountDisabled,
        Notice::AccountEnabled,
        Notice::SecondFactorReset,
        Notice::TokenRevoked,
        Notice::CodeReissued,
        Notice::RatingQuarantined,
        Notice::RatingsQuarantined,
        Notice::RatingReleased,
        Notice::ViolationRecorded,
        Notice::ReplySaved,
        Notice::CommitmentSaved,
        Notice::OfficerSaved,
        Notice::VenueCreated,
        Notice::VenueSaved,
        Notice::VenueClosed,
        Notice::VenueReopened,
        Notice::VenuesImported,
        Notice::CaseStepped,
        Notice::InspectionRecorded,
        Notice::DrawMade,
        Notice::BadRatingStepped,
        Notice::AppealFiled,
        Notice::AppealDecided,
        Notice::HoldsDecided,
        Notice::AlertRead,
        Notice::ComplaintEntered,
        Notice::OfficerTrainingAdded,
        Notice::OfficerTrainingRemoved,
        Notice::OfficerFiled,
        Notice::OfficerDecided,
        Notice::OfficerEvaluated,
        Notice::TierOverrideSet,
        Notice::TierOverrideEnded,
        Notice::ListEntryProposed,
        Notice::ListStatementSubmitted,
        Notice::ListEntryDecided,
        Notice::RepairApplied,
        Notice::RepairDecided,
        Notice::CampaignCreated,
        Notice::CampaignChanged,
        Notice::CampaignAwarded,
        Notice::DeedsSaved,
        Notice::AmbassadorSaved,
        Notice::RegradeRequested,
    ];

    /// The value of `notice=` in an address.
    pub fn key(self) -> &'static str {
        match self {
            Notice::AccountDisabled => "disabled",
            Notice::AccountEnabled => "enabled",
            Notice::SecondFactorReset => "second-factor-reset",
            Notice::TokenRevoked => "revoked",
            Notice::CodeReissued => "code",
            Notice::RatingQuarantined => "quarantined",
            Notice::RatingsQuarantined => "selection-quarantined",
            Notice::RatingReleased => "released",
            Notice::ViolationRecorded => "violation",
            Notice::ReplySaved => "reply",
            Notice::CommitmentSaved => "commitment",
            Notice::OfficerSaved => "officer",
            Notice::VenueCreated => "venue-created",
            Notice::VenueSaved => "venue-saved",
            Notice::VenueClosed => "venue-closed",
            Notice::VenueReopened => "venue-reopened",
            Notice::VenuesImported => "venues-imported",
            Notice::CaseStepped => "case-step",
            Notice::InspectionRecorded => "inspection",
            Notice::DrawMade => "draw",
            Notice::BadRatingStepped => "bad-rating-step",
            Notice::AppealFiled => "appeal-filed",
            Notice::AppealDecided => "appeal-decided",
            Notice::HoldsDecided => "holds-decided",
            Notice::AlertRead => "alert-read",
            Notice::ComplaintEntered => "complaint-entered",
            Notice::OfficerTrainingAdded => "officer-training",
            Notice::OfficerTrainingRemoved => "officer-training-removed",
            Notice::OfficerFiled => "officer-filed",
            Notice::OfficerDecided => "officer-decided",
            Notice::OfficerEvaluated => "officer-evaluated",
            Notice::TierOverrideSet => "tier-override-set",
            Notice::TierOverrideEnded => "tier-override-ended",
            Notice::ListEntryProposed => "list-entry-proposed",
            Notice::ListStatementSubmitted => "list-statement",
            Notice::ListEntryDecided => "list-entry-decided",
            Notice::RepairApplied => "repair-applied",
            Notice::RepairDecided => "repair-decided",
            Notice::CampaignCreated => "campaign-created",
            Notice::CampaignChanged => "campaign-changed",
            Notice::CampaignAwarded => "campaign-awarded",
            Notice::DeedsSaved => "deeds-saved",
            Notice::AmbassadorSaved => "ambassador-saved",
            Notice::RegradeRequested => "regrade-requested",
        }
    }

    /// The notice a key names; none for anything else.
    pub fn parse(raw: &str) -> Option<Self> {
        Notice::ALL.into_iter().find(|n| n.key() == raw)
    }

    /// What the banner says, in the page language.
    pub fn text(self, m: &'static Messages) -> &'static str {
        let t = &m.notices;
        match self {
            Notice::AccountDisabled => &t.account_disabled,
            Notice::AccountEnabled => &t.account_enabled,
            Notice::SecondFactorReset => &t.second_factor_reset,
            Notice::TokenRevoked => &t.token_revoked,
            Notice::CodeReissued => &t.code_reissued,
            Notice::RatingQuarantined => &t.rating_quarantined,
            Notice::RatingsQuarantined => &t.ratings_quarantined,
            Notice::RatingReleased => &t.rating_released,
            Notice::ViolationRecorded => &t.violation_recorded,
            Notice::ReplySaved => &t.reply_saved,
            Notice::CommitmentSaved => &t.commitment_saved,
            Notice::OfficerSaved => &t.officer_saved,
            Notice::VenueCreated => &t.venue_created,
            Notice::VenueSaved => &t.venue_saved,
            Notice::VenueClosed => &t.venue_closed,
            Notice::VenueReopened => &t.venue_reopened,
            Notice::VenuesImported => &t.venues_imported,
            Notice::CaseStepped => &t.case_stepped,
            Notice::InspectionRecorded => &t.inspection_recorded,
            Notice::DrawMade => &t.draw_made,
            Notice::BadRatingStepped => &t.bad_rating_stepped,
            Notice::AppealFiled => &t.appeal_filed,
            Notice::AppealDecided => &t.appeal_decided,
            Notice::HoldsDecided => &t.holds_decided,
            Notice::AlertRead => &t.alert_read,
            Notice::ComplaintEntered => &t.complaint_entered,
            Notice::OfficerTrainingAdded => &t.officer_training_added,
            Notice::OfficerTrainingRemoved => &t.officer_training_removed,
            Notice::OfficerFiled => &t.officer_filed,
            Notice::OfficerDecided => &t.officer_decided,
            Notice::OfficerEvaluated => &t.officer_evaluated,
            Notice::TierOverrideSet => &t.tier_override_set,
            Notice::TierOverrideEnded => &t.tier_override_ended,
            Notice::ListEntryProposed => &t.list_entry_proposed,
            Notice::ListStatementSubmitted => &t.list_statement_submitted,
            Notice::ListEntryDecided => &t.list_entry_decided,
            Notice::RepairApplied => &t.repair_applied,
            Notice::RepairDecided => &t.repair_decided,
            Notice::CampaignCreated => &t.campaign_created,
            Notice::CampaignChanged => &t.campaign_changed,
            Notice::CampaignAwarded => &t.campaign_awarded,
            Notice::DeedsSaved => &t.deeds_saved,
            Notice::AmbassadorSaved => &t.ambassador_saved,
            Notice::RegradeRequested => &t.regrade_requested,
        }
    }

    /// The query pair that asks the next page to show this notice.
    pub fn pair(self) -> (String, String) {
        ("notice".to_owned(), self.key().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, messages};

    #[test]
    fn notices_round_trip_and_unknown_ones_are_ignored() {
        for notice in Notice::ALL {
            assert_eq!(Notice::parse(notice.key()), Some(notice));
            for lang in Lang::ALL {
                assert!(!notice.text(messages(lang)).trim().is_empty());
            }
        }
        assert_eq!(Notice::parse("<script>"), None);
        assert_eq!(Notice::parse(""), None);
    }
}
