//! The audit log's vocabulary: the action keys rows are written with (one
//! list, so every key has a label in every catalogue) and the shapes of the
//! `actor` and `target` texts, read back for people.

use crate::domain::ids::{AccountId, RatingId, VenueId};

/// An action key of the audit log. Only the constants below exist, so a
/// writer cannot invent a key the pages have no words for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AuditAction(&'static str);

macro_rules! audit_actions {
    ($($(#[doc = $doc:literal])* $name:ident = $key:literal;)*) => {
        impl AuditAction {
            $($(#[doc = $doc])* pub const $name: Self = Self($key);)*
            /// Every action the log is written with, grouped by family.
            pub const ALL: &'static [Self] = &[$(Self::$name),*];
        }
    };
}

audit_actions! {
    /// An account was made (invited, or by the command line).
    ACCOUNT_CREATE = "account.create";
    /// An account's name, role, scope or state changed.
    ACCOUNT_UPDATE = "account.update";
    /// An invited person set their first password.
    ACCOUNT_ACTIVATE = "account.activate";
    /// A password was changed or set again through a link.
    ACCOUNT_PASSWORD = "account.password";
    /// A link to set a new password was issued.
    ACCOUNT_PASSWORD_LINK = "account.password_link";
    /// The demo's printed passwords were set again.
    ACCOUNT_DEMO_PASSWORD = "account.demo_password";
    /// Someone signed in completely.
    AUTH_SIGN_IN = "auth.sign_in";
    /// A sign-in was refused: unknown login or wrong password.
    AUTH_SIGN_IN_FAILED = "auth.sign_in_failed";
    /// A sign-in's password was right but its one-time code was not.
    AUTH_SECOND_FACTOR_FAILED = "auth.second_factor_failed";
    /// Someone signed out (of this browser, or everywhere).
    AUTH_SIGN_OUT = "auth.sign_out";
    /// A complaint case moved a step (accepted, transferred, answered, closed …).
    COMPLAINT_STEP = "complaint.step";
    /// A regulator revealed a complaint's contact.
    COMPLAINT_CONTACT_REVEAL = "complaint.contact_reveal";
    /// A regulator entered a complaint taken by telephone or the 12345 hotline.
    COMPLAINT_ENTER = "complaint.enter";
    /// A day of the working-day calendar was set or cleared.
    CALENDAR_DAY = "calendar.day";
    /// A region's case clocks were set.
    CALENDAR_CLOCKS = "calendar.clocks";
    /// A console table was downloaded as a file.
    EXPORT_DOWNLOAD = "export.download";
    /// A rating was taken out of the scores.
    RATING_QUARANTINE = "rating.quarantine";
    /// A quarantined rating was put back.
    RATING_RELEASE = "rating.release";
    /// A regulator read an alert.
    ALERT_READ = "alert.read";
    /// A reviewer put ratings the detectors held back into the counts.
    INTEGRITY_RELEASE = "integrity.release";
    /// A reviewer confirmed ratings the detectors held as bought.
    INTEGRITY_CONFIRM = "integrity.confirm";
    /// A venue appealed a rating as malicious (申诉复核).
    RATING_APPEAL = "rating.appeal";
    /// A regulator upheld or dismissed a venue's appeal of a rating.
    RATING_APPEAL_DECISION = "rating.appeal_decision";
    /// A venue verified a bad rating, or marked what it found fixed.
    RATING_BAD_RATING_STEP = "rating.bad_rating_step";
    /// A venue replied to a rating.
    RATING_REPLY = "rating.reply";
    /// An API token was made.
    TOKEN_CREATE = "token.create";
    /// An API token was revoked.
    TOKEN_REVOKE = "token.revoke";
    /// An authenticator enrolment began.
    TOTP_BEGIN = "totp.begin";
    /// An authenticator was enrolled.
    TOTP_ENROL = "totp.enrol";
    /// A sign-in's one-time code was accepted.
    TOTP_SIGN_IN = "totp.sign_in";
    /// A recovery code was used.
    TOTP_RECOVERY_CODE_USE = "totp.recovery_code_use";
    /// New recovery codes replaced the old ones.
    TOTP_RECOVERY_CODES_REPLACE = "totp.recovery_codes_replace";
    /// An account's second factor was reset by a supervisor.
    TOTP_RESET = "totp.reset";
    /// A venue was registered.
    VENUE_CREATE = "venue.create";
    /// A venue's rating code was issued again.
    VENUE_REISSUE_CODE = "venue.reissue_code";
    /// A venue's service commitment changed.
    VENUE_COMMITMENT = "venue.commitment";
    /// A venue's quality officer changed.
    VENUE_QUALITY_OFFICER = "venue.quality_officer";
    /// A training record of a venue's quality officer was added.
    VENUE_CQO_TRAINING = "venue.cqo_training";
    /// A training record of a venue's quality officer was removed.
    VENUE_CQO_TRAINING_REMOVE = "venue.cqo_training_remove";
    /// A venue filed its quality officer's registration (备案).
    VENUE_CQO_REGISTRATION_REQUEST = "venue.cqo_registration_request";
    /// A regulator registered or refused a quality officer's filing.
    VENUE_CQO_REGISTRATION = "venue.cqo_registration";
    /// A regulator recorded a quality officer's yearly evaluation.
    VENUE_CQO_EVALUATION = "venue.cqo_evaluation";
    /// A venue's name, address, region, category or particulars changed.
    VENUE_UPDATE = "venue.update";
    /// A venue was closed: its code page says so and takes no ratings.
    VENUE_CLOSE = "venue.close";
    /// A closed venue was opened again.
    VENUE_REOPEN = "venue.reopen";
    /// A venue was registered by a spreadsheet import.
    VENUE_IMPORT = "venue.import";
    /// A violation was recorded against a venue.
    VIOLATION_RECORD = "violation.record";
    /// An inspection (暗访) of a venue was recorded.
    INSPECTION_RECORD = "inspection.record";
    /// Venues and inspectors were drawn for inspections (双随机).
    INSPECTION_DRAW = "inspection.draw";
    /// Photos were added to a recorded inspection.
    INSPECTION_PHOTO = "inspection.photo";
    /// A credit list entry was proposed for a venue.
    LIST_ENTRY_PROPOSE = "list_entry.propose";
    /// A venue submitted its statement (陈述申辩) on a proposed list entry.
    LIST_ENTRY_STATEMENT = "list_entry.statement";
    /// A regulator decided a proposed list entry.
    LIST_ENTRY_DECIDE = "list_entry.decide";
    /// A regulator set a venue's credit tier by hand until an end date.
    TIER_OVERRIDE_SET = "venue.tier_override_set";
    /// A regulator ended a venue's tier override before its end date.
    TIER_OVERRIDE_END = "venue.tier_override_end";
    /// A venue applied for credit repair (信用修复) of a list entry.
    REPAIR_APPLY = "repair.apply";
    /// A regulator approved or rejected a credit repair application.
    REPAIR_DECIDE = "repair.decide";
    /// A venue asked to be graded again.
    VENUE_REGRADE = "venue.regrade";
    /// A demonstration-unit campaign was created with its quotas.
    CAMPAIGN_CREATE = "campaign.create";
    /// A county confirmed a venue on its list (proposed, added, or swapped in).
    CAMPAIGN_NOMINATE = "campaign.nominate";
    /// A county took a venue off its list.
    CAMPAIGN_REMOVE = "campaign.remove";
    /// A county submitted its list to the prefecture.
    CAMPAIGN_SUBMIT = "campaign.submit";
    /// The prefecture confirmed a county's list or sent it back.
    CAMPAIGN_REVIEW = "campaign.review";
    /// The prefecture awarded the campaign's units.
    CAMPAIGN_AWARD = "campaign.award";
    /// A unit's service ambassador was named.
    CAMPAIGN_AMBASSADOR = "campaign.ambassador";
    /// A unit's deeds (主要事迹) were written.
    CAMPAIGN_DEEDS = "campaign.deeds";
}

impl AuditAction {
    /// The key as stored, e.g. `account.create`; empty before a store
    /// function fills it in.
    pub fn key(self) -> &'static str {
        self.0
    }

    /// The family, the part before the dot (`account`).
    pub fn family(self) -> &'static str {
        self.0.split_once('.').map_or(self.0, |(family, _)| family)
    }

    /// The listed action with this key.
    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.0 == key)
    }

    /// The families, in the order of [`AuditAction::ALL`].
    pub fn families() -> Vec<&'static str> {
        let mut families: Vec<&'static str> = Vec::new();
        for action in Self::ALL {
            if !families.contains(&action.family()) {
                families.push(action.family());
            }
        }
        families
    }
}

/// The actor of what nobody signed in did: a failed sign-in.
pub const ACTOR_ANONYMOUS: &str = "anonymous";
/// The actor of the bootstrap admin token from the configuration.
pub const ACTOR_ADMIN_TOKEN: &str = "admin-token";
/// The actor of the command line on the server.
pub const ACTOR_CLI: &str = "cli";

/// The longest attempted login a failed sign-in keeps.
pub const ATTEMPTED_LOGIN_MAX_CHARS: usize = 64;

/// An attempted login name as a failed sign-in records it: trimmed, without
/// control characters or direction overrides, and cut short, so whatever
/// was typed cannot forge lines or flip the page's text.
pub fn attempted_login(raw: &str) -> String {
    raw.trim()
        .chars()
        .filter(|c| !c.is_control() && !crate::domain::text::is_bidi_control(*c))
        .take(ATTEMPTED_LOGIN_MAX_CHARS)
        .collect()
}

/// What an `actor` or `target` text names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// `account:12`.
    Account(AccountId),
    /// `token:3`, an API token.
    Token(i64),
    /// `admin-token`.
    AdminToken,
    /// `cli`.
    Cli,
    /// `anonymous`.
    Anonymous,
    /// `venue:7`.
    Venue(VenueId),
    /// `rating:40`.
    Rating(RatingId),
    /// `violation:2`.
    Violation(i64),
    /// `login:…`, an attempted login that names no account.
    Login(String),
    /// `export:rankings.csv`, a console table's download.
    Export {
        /// The table's name (`rankings`, `audit` …).
        table: String,
        /// `csv` or `xlsx`.
        format: String,
    },
    /// Anything else, shown as written.
    Other(String),
}

impl Subject {
    /// Reads an `actor` or `target` text.
    pub fn parse(text: &str) -> Self {
        let id = |rest: &str| rest.parse::<i64>().ok();
        let numbered = |prefix: &str| text.strip_prefix(prefix).and_then(id);
        if let Some(n) = numbered("account:") {
            Self::Account(n.into())
        } else if let Some(n) = numbered("token:") {
            Self::Token(n)
        } else if let Some(n) = numbered("venue:") {
            Self::Venue(n.into())
        } else if let Some(n) = numbered("rating:") {
            Self::Rating(n.into())
        } else if let Some(n) = numbered("violation:") {
            Self::Violation(n)
        } else if let Some(login) = text.strip_prefix("login:") {
            Self::Login(login.to_owned())
        } else if let Some((table, format)) = text
            .strip_prefix("export:")
            .and_then(|rest| rest.rsplit_once('.'))
        {
            Self::Export {
                table: table.to_owned(),
                format: format.to_owned(),
            }
        } else {
            match text {
                ACTOR_ADMIN_TOKEN => Self::AdminToken,
                ACTOR_CLI => Self::Cli,
                ACTOR_ANONYMOUS => Self::Anonymous,
                other => Self::Other(other.to_owned()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn keys_are_distinct_shaped_and_parse_back() {
        let keys: BTreeSet<&str> = AuditAction::ALL.iter().map(|a| a.key()).collect();
        assert_eq!(keys.len(), AuditAction::ALL.len(), "a key is listed twice");
        for action in AuditAction::ALL {
            let key = action.key();
            let (family, verb) = key.split_once('.').expect("family.verb");
            assert!(!family.is_empty() && !verb.is_empty(), "{key}");
            assert!(
                key.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'),
                "{key}"
            );
            assert_eq!(AuditAction::parse(key), Some(*action));
            assert_eq!(action.family(), family);
        }
        assert_eq!(AuditAction::parse("account"), None);
        assert!(AuditAction::families().contains(&"auth"));
    }

    #[test]
    fn subjects_read_back() {
        assert_eq!(
            Subject::parse("account:2"),
            Subject::Account(AccountId::new(2))
        );
        assert_eq!(Subject::parse("token:5"), Subject::Token(5));
        assert_eq!(Subject::parse("venue:7"), Subject::Venue(VenueId::new(7)));
        assert_eq!(
            Subject::parse("rating:9"),
            Subject::Rating(RatingId::new(9))
        );
        assert_eq!(Subject::parse("violation:1"), Subject::Violation(1));
        assert_eq!(Subject::parse("admin-token"), Subject::AdminToken);
        assert_eq!(Subject::parse("cli"), Subject::Cli);
        assert_eq!(Subject::parse("anonymous"), Subject::Anonymous);
        assert_eq!(
            Subject::parse("login:nobody"),
            Subject::Login("nobody".into())
        );
        assert_eq!(
            Subject::parse("export:rankings.csv"),
            Subject::Export {
                table: "rankings".into(),
                format: "csv".into()
            }
        );
        assert_eq!(
            Subject::parse("account:x"),
            Subject::Other("account:x".into())
        );
    }

    #[test]
    fn attempted_logins_are_cleaned_and_cut_short() {
        assert_eq!(attempted_login("  root\r\n"), "root");
        assert_eq!(attempted_login("a\u{202E}b\u{0}c"), "abc");
        assert_eq!(
            attempted_login(&"x".repeat(500)).chars().count(),
            ATTEMPTED_LOGIN_MAX_CHARS
        );
    }
}
