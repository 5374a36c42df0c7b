//! Credit list entries (文化和旅游市场信用管理规定): the list of seriously
//! untrustworthy entities (严重失信主体名单) and the watch list (重点关注名单).
//!
//! An entry is proposed by a regulator and stays `pending` while the venue
//! may answer with a statement (陈述申辩); a regulator then decides it
//! `listed` or `dropped`. A listed entry is in force from its start day up
//! to the day before its end day: it ends on its end day without anyone
//! acting.

use chrono::{Months, NaiveDate};

use super::text::strict_text;

/// The longest reason, decision reason or legal basis, in characters.
pub const REASON_MAX_CHARS: usize = 1000;
/// The longest legal basis, in characters.
pub const BASIS_MAX_CHARS: usize = 500;
/// The longest decision number (决定书文号), in characters.
pub const DECISION_NO_MAX_CHARS: usize = 100;
/// The longest statement, in characters.
pub const STATEMENT_MAX_CHARS: usize = 5000;

/// Which list an entry puts a venue on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CreditList {
    /// 严重失信主体名单: the list of seriously untrustworthy entities.
    Serious,
    /// 重点关注名单: the watch list.
    Watch,
}

impl CreditList {
    /// Both lists.
    pub const ALL: [CreditList; 2] = [CreditList::Serious, CreditList::Watch];

    /// The stored and JSON name.
    pub fn key(self) -> &'static str {
        match self {
            CreditList::Serious => "serious",
            CreditList::Watch => "watch",
        }
    }

    /// Parses a stored or requested name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.key() == raw.trim())
    }

    /// The longest an entry on this list may run: three years on the
    /// serious list, one on the watch list.
    pub fn longest_term(self) -> Months {
        match self {
            CreditList::Serious => Months::new(36),
            CreditList::Watch => Months::new(12),
        }
    }
}

/// Where an entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    /// Proposed; the venue may answer until its statement deadline.
    Pending,
    /// Decided: the venue is on the list from the start to the end day.
    Listed,
    /// Decided: the venue is not listed.
    Dropped,
}

impl EntryState {
    /// The stored and JSON name.
    pub fn key(self) -> &'static str {
        match self {
            EntryState::Pending => "pending",
            EntryState::Listed => "listed",
            EntryState::Dropped => "dropped",
        }
    }

    /// Parses a stored name.
    pub fn parse(raw: &str) -> Option<Self> {
        [EntryState::Pending, EntryState::Listed, EntryState::Dropped]
            .into_iter()
            .find(|s| s.key() == raw)
    }
}

/// A regulator's decision on a pending entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Put the venue on the list.
    Listed,
    /// Do not list it.
    Dropped,
}

impl Decision {
    /// Parses `listed` or `dropped`.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "listed" => Some(Decision::Listed),
            "dropped" => Some(Decision::Dropped),
            _ => None,
        }
    }

    /// The state the entry takes.
    pub fn state(self) -> EntryState {
        match self {
            Decision::Listed => EntryState::Listed,
            Decision::Dropped => EntryState::Dropped,
        }
    }
}

/// A proposed entry, as validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewListEntry {
    /// The list.
    pub list: CreditList,
    /// Why, 1–1000 characters.
    pub reason: String,
    /// The provision it rests on, 1–500 characters.
    pub legal_basis: String,
    /// The decision's number, if one is issued yet.
    pub decision_no: Option<String>,
    /// The first day in force.
    pub starts_on: NaiveDate,
    /// The day it ends (no longer in force).
    pub ends_on: NaiveDate,
    /// Whether the entry's basis excludes credit repair by commitment
    /// (信用承诺): a repair then needs evidence files.
    pub commitment_excluded: bool,
}

/// Why an entry, statement or decision is refused; each names its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListEntryError {
    /// `list` is neither `serious` nor `watch`.
    #[error("list must be \"serious\" or \"watch\"")]
    UnknownList,
    /// A required text is empty.
    #[error("{0} is required")]
    Required(&'static str),
    /// A text is longer than its limit.
    #[error("{0} may hold at most {1} characters")]
    TooLong(&'static str, usize),
    /// A text holds a control character or a direction override.
    #[error(
        "{0} may not contain control characters other than newline and tab, nor direction overrides"
    )]
    ControlCharacter(&'static str),
    /// A day is not written as YYYY-MM-DD.
    #[error("{0} must be a date written as YYYY-MM-DD")]
    BadDate(&'static str),
    /// The start lies before the proposal (a list entry is never backdated).
    #[error("starts_on may not lie before today")]
    StartsInPast,
    /// The end is not after the start.
    #[error("ends_on must come after starts_on")]
    EndsBeforeStart,
    /// The term exceeds the list's longest.
    #[error("an entry on this list runs at most {0} months")]
    TermTooLong(u32),
    /// `decision` is neither `listed` nor `dropped`.
    #[error("decision must be \"listed\" or \"dropped\"")]
    UnknownDecision,
}

/// Parses a day written exactly as `YYYY-MM-DD`.
pub fn parse_day(raw: &str, field: &'static str) -> Result<NaiveDate, ListEntryError> {
    super::day::parse_iso_day(raw).ok_or(ListEntryError::BadDate(field))
}

/// A required text: trimmed, 1–`max` characters, no control characters.
pub fn required_text(raw: &str, field: &'static str, max: usize) -> Result<String, ListEntryError> {
    let text = strict_text(raw).map_err(|_| ListEntryError::ControlCharacter(field))?;
    if text.is_empty() {
        return Err(ListEntryError::Required(field));
    }
    if text.chars().count() > max {
        return Err(ListEntryError::TooLong(field, max));
    }
    Ok(text)
}

/// The fields of a proposal as entered.
#[derive(Debug, Clone, Copy)]
pub struct ProposalInput<'a> {
    /// `serious` or `watch`.
    pub list: &'a str,
    /// Why.
    pub reason: &'a str,
    /// The provision it rests on.
    pub legal_basis: &'a str,
    /// The decision's number; empty for none.
    pub decision_no: Option<&'a str>,
    /// `YYYY-MM-DD`.
    pub starts_on: &'a str,
    /// `YYYY-MM-DD`.
    pub ends_on: &'a str,
    /// Whether the basis excludes credit repair by commitment.
    pub commitment_excluded: bool,
}

impl NewListEntry {
    /// Parses a proposal as entered, with `today` the local day. Every
    /// fault found is returned, field by field, so a form can show each
    /// beside its field.
    pub fn parse(input: ProposalInput<'_>, today: NaiveDate) -> Result<Self, Vec<ListEntryError>> {
        let mut faults = Vec::new();
        let list = CreditList::parse(input.list);
        if list.is_none() {
            faults.push(ListEntryError::UnknownList);
        }
        let reason = required_text(input.reason, "reason", REASON_MAX_CHARS)
            .map_err(|e| faults.push(e))
            .ok();
        let legal_basis = required_text(input.legal_basis, "legal_basis", BASIS_MAX_CHARS)
            .map_err(|e| faults.push(e))
            .ok();
        let decision_no = match input.decision_no.map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(None),
            Some(raw) => required_text(raw, "decision_no", DECISION_NO_MAX_CHARS)
                .map(Some)
                .map_err(|e| faults.push(e))
                .ok(),
        };
        let starts_on = parse_day(input.starts_on, "starts_on")
            .map_err(|e| faults.push(e))
            .ok();
        let ends_on = parse_day(input.ends_on, "ends_on")
            .map_err(|e| faults.push(e))
            .ok();
        if let Some(start) = starts_on
            && start < today
        {
            faults.push(ListEntryError::StartsInPast);
        }
        if let (Some(start), Some(end)) = (starts_on, ends_on) {
            if end <= start {
                faults.push(ListEntryError::EndsBeforeStart);
            } else if let Some(list) = list
                && start
                    .checked_add_months(list.longest_term())
                    .is_some_and(|last| end > last)
            {
                let months = match list {
                    CreditList::Serious => 36,
                    CreditList::Watch => 12,
                };
                faults.push(ListEntryError::TermTooLong(months));
            }
        }
        match (list, reason, legal_basis, decision_no, starts_on, ends_on) {
            (
                Some(list),
                Some(reason),
                Some(legal_basis),
                Some(decision_no),
                Some(starts_on),
                Some(ends_on),
            ) if faults.is_empty() => Ok(NewListEntry {
                list,
                reason,
                legal_basis,
                decision_no,
                starts_on,
                ends_on,
                commitment_excluded: input.commitment_excluded,
            }),
            _ => Err(faults),
        }
    }
}

/// Whether a listed entry is in force on `day`: from its start day up to the
/// day before its end day.
pub fn in_force(starts_on: NaiveDate, ends_on: NaiveDate, day: NaiveDate) -> bool {
    starts_on <= day && day < ends_on
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn input<'a>(list: &'a str, starts_on: &'a str, ends_on: &'a str) -> ProposalInput<'a> {
        ProposalInput {
            list,
            reason: "多次欺诈游客",
            legal_basis: "《文化和旅游市场信用管理规定》",
            decision_no: Some(" "),
            starts_on,
            ends_on,
            commitment_excluded: false,
        }
    }

    #[test]
    fn a_proposal_within_the_lists_term_parses() {
        let today = day("2026-12-04");
        let entry =
            NewListEntry::parse(input("serious", "2026-12-10", "2029-12-10"), today).unwrap();
        assert_eq!(entry.list, CreditList::Serious);
        assert_eq!(entry.decision_no, None);
        assert_eq!(entry.ends_on, day("2029-12-10"));
        let watch = NewListEntry::parse(input("watch", "2026-12-04", "2027-12-04"), today).unwrap();
        assert_eq!(watch.list, CreditList::Watch);
    }

    #[test]
    fn every_fault_is_named() {
        let today = day("2026-12-04");
        let faults = NewListEntry::parse(
            ProposalInput {
                list: "black",
                reason: " ",
                legal_basis: "a\u{202e}b",
                decision_no: None,
                starts_on: "2026-12-03",
                ends_on: "2026-13-01",
                commitment_excluded: true,
            },
            today,
        )
        .unwrap_err();
        assert_eq!(
            faults,
            vec![
                ListEntryError::UnknownList,
                ListEntryError::Required("reason"),
                ListEntryError::ControlCharacter("legal_basis"),
                ListEntryError::BadDate("ends_on"),
                ListEntryError::StartsInPast,
            ]
        );
    }

    #[test]
    fn terms_are_bounded_by_the_list() {
        let today = day("2026-12-04");
        let too_long = NewListEntry::parse(input("watch", "2026-12-04", "2027-12-05"), today);
        assert_eq!(too_long.unwrap_err(), vec![ListEntryError::TermTooLong(12)]);
        let reversed = NewListEntry::parse(input("serious", "2026-12-10", "2026-12-10"), today);
        assert_eq!(reversed.unwrap_err(), vec![ListEntryError::EndsBeforeStart]);
    }

    #[test]
    fn an_entry_ends_on_its_end_day() {
        let (start, end) = (day("2026-12-10"), day("2027-12-10"));
        assert!(!in_force(start, end, day("2026-12-09")));
        assert!(in_force(start, end, day("2026-12-10")));
        assert!(in_force(start, end, day("2027-12-09")));
        assert!(!in_force(start, end, day("2027-12-10")));
    }
}
