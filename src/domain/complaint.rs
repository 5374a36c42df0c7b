//! A complaint (旅游投诉) as a case: its states, the transitions between them
//! and who may make each, the clocks that set its due dates, and the checks
//! on what a regulator or a venue writes into it. Pure: the store keeps the
//! case, the app layer asks this module whether a step is allowed.
//!
//! The flow follows the visitor-rights clause of the prefecture's division of
//! labour (clause 29: complaint mediation and its success rate):
//! submitted → accepted | rejected | transferred; transferred → the same
//! choices in the receiving region; accepted → venue replied → mediating →
//! resolved | closed unresolved. A regulator may also start mediation
//! without the venue's reply, so a venue that never answers cannot stall a
//! case.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::day::{day_end, local_day};
use super::text::strict_text;
use super::working_days::WorkingCalendar;

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// Filed, waiting for a regulator to accept, reject or transfer it.
    Submitted,
    /// Accepted: the venue is asked for its answer.
    Accepted,
    /// Refused, with the reason (e.g. filed more than 90 days after the service).
    Rejected,
    /// Handed to another region, whose regulators now decide on it.
    Transferred,
    /// The venue has answered.
    VenueReplied,
    /// The regulator mediates between visitor and venue.
    Mediating,
    /// Settled.
    Resolved,
    /// Closed without a settlement.
    ClosedUnresolved,
}

impl CaseState {
    /// Every state, in the order a case moves through them.
    pub const ALL: [CaseState; 8] = [
        CaseState::Submitted,
        CaseState::Transferred,
        CaseState::Accepted,
        CaseState::Rejected,
        CaseState::VenueReplied,
        CaseState::Mediating,
        CaseState::Resolved,
        CaseState::ClosedUnresolved,
    ];

    /// The key stored and sent, e.g. `venue_replied`.
    pub fn key(self) -> &'static str {
        match self {
            CaseState::Submitted => "submitted",
            CaseState::Accepted => "accepted",
            CaseState::Rejected => "rejected",
            CaseState::Transferred => "transferred",
            CaseState::VenueReplied => "venue_replied",
            CaseState::Mediating => "mediating",
            CaseState::Resolved => "resolved",
            CaseState::ClosedUnresolved => "closed_unresolved",
        }
    }

    /// Reads a stored or sent key.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == raw)
    }

    /// The states a case in this state may move to.
    pub fn next(self) -> &'static [CaseState] {
        use CaseState::*;
        match self {
            Submitted | Transferred => &[Accepted, Rejected, Transferred],
            Accepted => &[VenueReplied, Mediating],
            VenueReplied => &[Mediating],
            Mediating => &[Resolved, ClosedUnresolved],
            Rejected | Resolved | ClosedUnresolved => &[],
        }
    }

    /// Whether a case in this state may move to `to`.
    pub fn allows(self, to: CaseState) -> bool {
        self.next().contains(&to)
    }

    /// Whether the case is over: nothing more happens to it, and the
    /// visitor may rate how it was handled.
    pub fn is_closed(self) -> bool {
        self.next().is_empty()
    }

    /// Whether a regulator still has to decide to take the case on.
    pub fn awaits_acceptance(self) -> bool {
        matches!(self, CaseState::Submitted | CaseState::Transferred)
    }
}

/// Who makes a step: the venue may only give its answer; a regulator (or an
/// admin) makes every step, including recording an answer the venue gave by
/// telephone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseActor {
    /// An admin or a regulator in scope.
    Supervisor,
    /// Staff of the venue complained about.
    Venue,
}

impl CaseActor {
    /// Whether this actor may move a case to `to`.
    pub fn may_move_to(self, to: CaseState) -> bool {
        match self {
            CaseActor::Supervisor => true,
            CaseActor::Venue => to == CaseState::VenueReplied,
        }
    }
}

/// The handling clocks of a region (defaults from the issue of the
/// complaint rules; each region may set its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CaseClocks {
    /// Working days to accept, reject or transfer a new case.
    pub accept_working_days: u32,
    /// Days for the venue's answer, from acceptance.
    pub venue_reply_days: u32,
    /// Days from acceptance by which mediation ends.
    pub mediation_days: u32,
    /// A complaint filed more than this many days after the service is refused.
    pub max_service_age_days: u32,
    /// Days after closure when the complainant's contact is erased.
    pub contact_retention_days: u32,
}

impl Default for CaseClocks {
    fn default() -> Self {
        Self {
            accept_working_days: 5,
            venue_reply_days: 10,
            mediation_days: 60,
            max_service_age_days: 90,
            contact_retention_days: 180,
        }
    }
}

impl CaseClocks {
    /// When a case in `state` is due: for a case awaiting acceptance, the end
    /// of the last of its working days after `entered_at` (the day it was
    /// filed or transferred); after acceptance, the end of the local day
    /// `venue_reply_days` or `mediation_days` after `accepted_at`. A closed
    /// case is due nothing.
    pub fn due_at(
        &self,
        state: CaseState,
        calendar: &WorkingCalendar,
        entered_at: DateTime<Utc>,
        accepted_at: Option<DateTime<Utc>>,
    ) -> Option<DateTime<Utc>> {
        let accepted_on = local_day(accepted_at.unwrap_or(entered_at));
        match state {
            CaseState::Submitted | CaseState::Transferred => Some(day_end(
                calendar.add_working_days(local_day(entered_at), self.accept_working_days),
            )),
            CaseState::Accepted => Some(day_end(
                accepted_on + Duration::days(i64::from(self.venue_reply_days)),
            )),
            CaseState::VenueReplied | CaseState::Mediating => Some(day_end(
                accepted_on + Duration::days(i64::from(self.mediation_days)),
            )),
            CaseState::Rejected | CaseState::Resolved | CaseState::ClosedUnresolved => None,
        }
    }

    /// Whether a service on `service_on` is too long ago for a complaint
    /// received on `received_on`.
    pub fn service_too_old(&self, service_on: NaiveDate, received_on: NaiveDate) -> bool {
        received_on - service_on > Duration::days(i64::from(self.max_service_age_days))
    }
}

/// The regulator's finding on a case, which the credit tier reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Verdict {
    /// Whether the complaint was found justified.
    pub upheld: bool,
    /// Whether the venue was at fault (a 责任投诉).
    pub venue_at_fault: bool,
}

impl Verdict {
    /// Whether the complaint counts against the venue's tier: upheld, with
    /// the venue at fault.
    pub fn verified(self) -> bool {
        self.upheld && self.venue_at_fault
    }
}

/// The longest reason, note or answer accepted, in characters.
pub const TEXT_MAX_CHARS: usize = 1000;

/// Why a step cannot be taken as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// `to` is not a state.
    #[error(
        "to must be one of accepted, rejected, transferred, venue_replied, mediating, resolved, closed_unresolved"
    )]
    UnknownState,
    /// The state machine does not allow this step from the case's state.
    #[error("a case in this state cannot move there")]
    NotAllowed,
    /// The caller's role may not take this step.
    #[error("only a regulator may take this step")]
    NotYours,
    /// Rejecting or transferring needs a reason.
    #[error("a reason is required to reject or transfer a case")]
    ReasonRequired,
    /// The venue's answer is empty.
    #[error("the venue's answer (note) is required")]
    AnswerRequired,
    /// Transferring needs the receiving region.
    #[error("region_code is required to transfer a case")]
    RegionRequired,
    /// A text is longer than [`TEXT_MAX_CHARS`].
    #[error("a reason, note or answer may hold at most {TEXT_MAX_CHARS} characters")]
    TooLong,
    /// A text holds a control character or a direction override.
    #[error(
        "text may not contain control characters other than newline and tab, nor direction overrides"
    )]
    ControlCharacter,
    /// Only one of `upheld` and `venue_at_fault` was given, or a fault
    /// without the complaint being upheld.
    #[error(
        "a verdict gives upheld and venue_at_fault together, and a venue is at fault only in an upheld complaint"
    )]
    BadVerdict,
}

/// Parses optional free text of a case step: trimmed, checked, empty as none.
pub fn case_text(raw: Option<&str>) -> Result<Option<String>, CaseError> {
    let Some(raw) = raw else { return Ok(None) };
    let text = strict_text(raw).map_err(|_| CaseError::ControlCharacter)?;
    if text.chars().count() > TEXT_MAX_CHARS {
        return Err(CaseError::TooLong);
    }
    Ok((!text.is_empty()).then_some(text))
}

/// A step as asked, every text parsed; the receiving region is checked
/// against the region tree by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseStep {
    /// The state to move to.
    pub to: CaseState,
    /// Why (rejection, transfer), or the venue's answer, or a note.
    pub note: Option<String>,
    /// The answer the visitor reads on the tracking page.
    pub public_answer: Option<String>,
    /// The receiving region of a transfer.
    pub region_code: Option<String>,
    /// The finding, when given.
    pub verdict: Option<Verdict>,
}

/// What a step asks for, as received.
#[derive(Debug, Clone, Default)]
pub struct CaseStepInput<'a> {
    /// `to`.
    pub to: &'a str,
    /// `reason`.
    pub reason: Option<&'a str>,
    /// `note`.
    pub note: Option<&'a str>,
    /// `public_answer`.
    pub public_answer: Option<&'a str>,
    /// `region_code`.
    pub region_code: Option<&'a str>,
    /// `upheld`.
    pub upheld: Option<bool>,
    /// `venue_at_fault`.
    pub venue_at_fault: Option<bool>,
}

impl CaseStep {
    /// Parses a step and checks it against the case's state and the actor.
    /// The state check comes first, so a step the machine refuses answers
    /// "not allowed" whatever else is wrong with it.
    pub fn parse(
        input: &CaseStepInput<'_>,
        from: CaseState,
        actor: CaseActor,
    ) -> Result<Self, CaseError> {
        let to = CaseState::parse(input.to.trim()).ok_or(CaseError::UnknownState)?;
        if to == CaseState::Submitted || !from.allows(to) {
            return Err(CaseError::NotAllowed);
        }
        if !actor.may_move_to(to) {
            return Err(CaseError::NotYours);
        }
        let reason = case_text(input.reason)?;
        let note = case_text(input.note)?;
        let public_answer = case_text(input.public_answer)?;
        let verdict = match (input.upheld, input.venue_at_fault) {
            (None, None) => None,
            (Some(upheld), Some(venue_at_fault)) if upheld || !venue_at_fault => Some(Verdict {
                upheld,
                venue_at_fault,
            }),
            _ => return Err(CaseError::BadVerdict),
        };
        let region_code = input
            .region_code
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        let note = match to {
            CaseState::Rejected | CaseState::Transferred => {
                Some(reason.or(note).ok_or(CaseError::ReasonRequired)?)
            }
            CaseState::VenueReplied => Some(note.or(reason).ok_or(CaseError::AnswerRequired)?),
            _ => note.or(reason),
        };
        if to == CaseState::Transferred && region_code.is_none() {
            return Err(CaseError::RegionRequired);
        }
        Ok(Self {
            to,
            note,
            public_answer,
            region_code: region_code.filter(|_| to == CaseState::Transferred),
            verdict,
        })
    }
}

/// A contact shown masked: the first three and the last two characters of
/// a longer contact (`138******78`), stars for everything of a short one.
pub fn mask_contact(contact: &str) -> String {
    let chars: Vec<char> = contact.chars().collect();
    if chars.len() <= 6 {
        return "*".repeat(chars.len().max(3));
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 5))
}

/// How the visitor rates the handling of a closed case (追评): 1–5 stars.
pub fn parse_handling_stars(raw: &str) -> Option<i16> {
    raw.trim()
        .parse::<i16>()
        .ok()
        .filter(|s| (1..=5).contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn step(to: &str) -> CaseStepInput<'_> {
        CaseStepInput {
            to,
            reason: Some("超过投诉时效"),
            note: Some("已与游客电话沟通"),
            region_code: Some("652801"),
            ..CaseStepInput::default()
        }
    }

    /// Every (from, to) pair: the allowed ones, and only they, parse.
    #[test]
    fn the_state_machine_allows_exactly_its_transitions() {
        use CaseState::*;
        let allowed = [
            (Submitted, Accepted),
            (Submitted, Rejected),
            (Submitted, Transferred),
            (Transferred, Accepted),
            (Transferred, Rejected),
            (Transferred, Transferred),
            (Accepted, VenueReplied),
            (Accepted, Mediating),
            (VenueReplied, Mediating),
            (Mediating, Resolved),
            (Mediating, ClosedUnresolved),
        ];
        for from in CaseState::ALL {
            for to in CaseState::ALL {
                let expected = allowed.contains(&(from, to));
                assert_eq!(from.allows(to), expected, "{from:?} → {to:?}");
                let parsed = CaseStep::parse(&step(to.key()), from, CaseActor::Supervisor);
                if expected {
                    assert_eq!(parsed.map(|s| s.to), Ok(to), "{from:?} → {to:?}");
                } else {
                    assert_eq!(parsed, Err(CaseError::NotAllowed), "{from:?} → {to:?}");
                }
            }
        }
        for closed in [Rejected, Resolved, ClosedUnresolved] {
            assert!(closed.is_closed());
        }
        assert_eq!(CaseState::ALL.iter().filter(|s| s.is_closed()).count(), 3);
    }

    #[test]
    fn a_venue_may_only_give_its_answer() {
        use CaseState::*;
        for from in CaseState::ALL {
            for to in from.next() {
                let parsed = CaseStep::parse(&step(to.key()), from, CaseActor::Venue);
                if *to == VenueReplied {
                    assert!(parsed.is_ok());
                } else {
                    assert_eq!(parsed, Err(CaseError::NotYours), "{from:?} → {to:?}");
                }
            }
        }
    }

    #[test]
    fn steps_need_their_reason_region_or_answer() {
        let bare = |to| CaseStepInput {
            to,
            ..CaseStepInput::default()
        };
        let sup = CaseActor::Supervisor;
        assert_eq!(
            CaseStep::parse(&bare("rejected"), CaseState::Submitted, sup),
            Err(CaseError::ReasonRequired)
        );
        let mut transfer = bare("transferred");
        transfer.reason = Some("属地管辖");
        assert_eq!(
            CaseStep::parse(&transfer, CaseState::Submitted, sup),
            Err(CaseError::RegionRequired)
        );
        assert_eq!(
            CaseStep::parse(
                &bare("venue_replied"),
                CaseState::Accepted,
                CaseActor::Venue
            ),
            Err(CaseError::AnswerRequired)
        );
        assert!(CaseStep::parse(&bare("accepted"), CaseState::Submitted, sup).is_ok());
        assert_eq!(
            CaseStep::parse(&bare("reopened"), CaseState::Submitted, sup),
            Err(CaseError::UnknownState)
        );
        let mut sneaky = bare("rejected");
        sneaky.reason = Some("ok\u{202E}");
        assert_eq!(
            CaseStep::parse(&sneaky, CaseState::Submitted, sup),
            Err(CaseError::ControlCharacter)
        );
        let long = "长".repeat(TEXT_MAX_CHARS + 1);
        sneaky.reason = Some(&long);
        assert_eq!(
            CaseStep::parse(&sneaky, CaseState::Submitted, sup),
            Err(CaseError::TooLong)
        );
    }

    #[test]
    fn a_verdict_comes_whole_and_fault_needs_an_upheld_complaint() {
        let sup = CaseActor::Supervisor;
        let with = |upheld, venue_at_fault| CaseStepInput {
            to: "resolved",
            upheld,
            venue_at_fault,
            ..CaseStepInput::default()
        };
        let verdict = |i| CaseStep::parse(&i, CaseState::Mediating, sup).map(|s| s.verdict);
        assert_eq!(verdict(with(None, None)), Ok(None));
        assert_eq!(
            verdict(with(Some(true), Some(true))),
            Ok(Some(Verdict {
                upheld: true,
                venue_at_fault: true
            }))
        );
        assert!(verdict(with(Some(false), Some(false))).is_ok());
        assert_eq!(verdict(with(Some(true), None)), Err(CaseError::BadVerdict));
        assert_eq!(
            verdict(with(Some(false), Some(true))),
            Err(CaseError::BadVerdict)
        );
        assert!(
            Verdict {
                upheld: true,
                venue_at_fault: true
            }
            .verified()
        );
        assert!(
            !Verdict {
                upheld: true,
                venue_at_fault: false
            }
            .verified()
        );
    }

    #[test]
    fn due_dates_follow_the_state_and_the_calendar() {
        use crate::domain::working_days::{DayKind, OFFICIAL_2026};
        let calendar = WorkingCalendar::new(
            OFFICIAL_2026
                .iter()
                .map(|(d, k, _)| (NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap(), *k)),
        );
        assert!(OFFICIAL_2026.iter().any(|(_, k, _)| *k == DayKind::Workday));
        let clocks = CaseClocks::default();
        // Filed on Monday 28 September 2026 at 10:00 local time.
        let filed = Utc.with_ymd_and_hms(2026, 9, 28, 2, 0, 0).unwrap();
        let due = clocks.due_at(CaseState::Submitted, &calendar, filed, None);
        // Five working days: 9-29, 9-30, 10-08, 10-09 and the make-up Saturday 10-10;
        // due at the end of that day, local time.
        assert_eq!(
            due.map(|d| d.to_rfc3339()).as_deref(),
            Some("2026-10-10T16:00:00+00:00")
        );
        let accepted = Utc.with_ymd_and_hms(2026, 10, 9, 2, 0, 0).unwrap();
        assert_eq!(
            clocks
                .due_at(CaseState::Accepted, &calendar, accepted, Some(accepted))
                .map(|d| d.to_rfc3339())
                .as_deref(),
            Some("2026-10-19T16:00:00+00:00")
        );
        for state in [CaseState::VenueReplied, CaseState::Mediating] {
            assert_eq!(
                clocks
                    .due_at(state, &calendar, filed, Some(accepted))
                    .map(|d| d.to_rfc3339())
                    .as_deref(),
                Some("2026-12-08T16:00:00+00:00"),
                "{state:?}: 60 days from 10-09"
            );
        }
        assert_eq!(
            clocks.due_at(CaseState::Resolved, &calendar, filed, Some(accepted)),
            None
        );
    }

    #[test]
    fn a_service_more_than_ninety_days_ago_is_too_old() {
        let clocks = CaseClocks::default();
        let received = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        assert!(!clocks.service_too_old(received - Duration::days(90), received));
        assert!(clocks.service_too_old(received - Duration::days(91), received));
    }

    #[test]
    fn contacts_are_masked_and_stars_are_one_to_five() {
        assert_eq!(mask_contact("13812345678"), "138******78");
        assert_eq!(mask_contact("a@b.cn"), "******");
        assert_eq!(mask_contact("12"), "***");
        assert_eq!(mask_contact("游客张先生电话"), "游客张**电话");
        assert_eq!(parse_handling_stars(" 5 "), Some(5));
        assert_eq!(parse_handling_stars("0"), None);
        assert_eq!(parse_handling_stars("6"), None);
        assert_eq!(parse_handling_stars("x"), None);
    }
}
