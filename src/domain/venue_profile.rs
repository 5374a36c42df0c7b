//! What a venue publishes about its own service, parsed at the edge: its
//! service-quality commitment (服务质量承诺), its Chief Quality Officer
//! (首席质量官) and its public replies to visitors' comments.

use super::text::plain_text;

/// The longest public reply, in characters.
pub const REPLY_MAX_CHARS: usize = 500;
/// The longest commitment, in characters (the venue page must stay small).
pub const COMMITMENT_MAX_CHARS: usize = 1000;
/// The longest officer name or position, in characters.
pub const OFFICER_TEXT_MAX_CHARS: usize = 100;

/// Why a venue's input was refused; field names are the JSON API's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// A required text is empty (or only white space).
    #[error("{field} must not be empty")]
    Empty {
        /// The field.
        field: &'static str,
    },
    /// A text holds a control character other than newline and tab.
    #[error("{field} may not contain control characters other than newline and tab")]
    ControlCharacter {
        /// The field.
        field: &'static str,
    },
    /// A text is longer than its bound.
    #[error("{field} may hold at most {max} characters")]
    TooLong {
        /// The field.
        field: &'static str,
        /// The bound in characters.
        max: usize,
    },
    /// `appointed_on` is not a calendar date.
    #[error("appointed_on must be a date written YYYY-MM-DD, such as 2026-03-01")]
    BadDate,
    /// `appointed_on` lies after today.
    #[error("appointed_on must not lie in the future")]
    FutureDate,
    /// `registration_status` is not a known status.
    #[error("registration_status must be one of unregistered, pending, registered, refused")]
    UnknownStatus,
}

/// Parses a required text with [`plain_text`] (which also unifies line ends:
/// a browser sends CRLF, JSON usually LF, and the bound must count both
/// alike) and bounds it.
pub(crate) fn required_text(
    raw: &str,
    field: &'static str,
    max: usize,
) -> Result<String, ProfileError> {
    let text = plain_text(raw).map_err(|_| ProfileError::ControlCharacter { field })?;
    if text.is_empty() {
        return Err(ProfileError::Empty { field });
    }
    if text.chars().count() > max {
        return Err(ProfileError::TooLong { field, max });
    }
    Ok(text)
}

/// A venue's public reply to a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyText(String);

impl ReplyText {
    /// Parses a reply: trimmed, 1 to [`REPLY_MAX_CHARS`] characters.
    pub fn parse(raw: &str) -> Result<Self, ProfileError> {
        required_text(raw, "body", REPLY_MAX_CHARS).map(Self)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A venue's service-quality commitment (服务质量承诺).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentText(String);

impl CommitmentText {
    /// Parses a commitment: trimmed, 1 to [`COMMITMENT_MAX_CHARS`] characters.
    pub fn parse(raw: &str) -> Result<Self, ProfileError> {
        required_text(raw, "text", COMMITMENT_MAX_CHARS).map(Self)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a Chief Quality Officer's filing (备案) with the regulator stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Registration {
    /// Not filed.
    Unregistered,
    /// Filed, not yet confirmed.
    Pending,
    /// Filed and confirmed; counts as a tier rule input.
    Registered,
    /// Filed and refused by the regulator, with a reason; may be filed again.
    Refused,
}

impl Registration {
    /// Every status, in the order a filing goes through them.
    pub const ALL: [Registration; 4] = [
        Registration::Unregistered,
        Registration::Pending,
        Registration::Registered,
        Registration::Refused,
    ];

    /// The stored and JSON name.
    pub fn key(self) -> &'static str {
        match self {
            Registration::Unregistered => "unregistered",
            Registration::Pending => "pending",
            Registration::Registered => "registered",
            Registration::Refused => "refused",
        }
    }

    /// Parses a stored or requested name.
    pub fn parse(raw: &str) -> Result<Self, ProfileError> {
        Registration::ALL
            .into_iter()
            .find(|r| r.key() == raw.trim())
            .ok_or(ProfileError::UnknownStatus)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_bounded_and_required() {
        assert_eq!(ReplyText::parse("  谢谢！ ").unwrap().as_str(), "谢谢！");
        assert_eq!(
            ReplyText::parse(" \n "),
            Err(ProfileError::Empty { field: "body" })
        );
        assert!(ReplyText::parse(&"好".repeat(REPLY_MAX_CHARS)).is_ok());
        assert_eq!(
            ReplyText::parse(&"好".repeat(REPLY_MAX_CHARS + 1)),
            Err(ProfileError::TooLong {
                field: "body",
                max: REPLY_MAX_CHARS
            })
        );
        // A browser's CRLF counts as one character, as the user sees it.
        let lines = format!("{}\r\n{}", "a".repeat(499), "b".repeat(500));
        assert_eq!(CommitmentText::parse(&lines).unwrap().as_str().len(), 1000);
        assert_eq!(
            CommitmentText::parse(""),
            Err(ProfileError::Empty { field: "text" })
        );
    }

    #[test]
    fn control_characters_other_than_line_breaks_and_tabs_are_refused() {
        for bad in ["明码\u{0}标价", "bell \u{7}", "\u{1b}[31m red", "x\u{85}y"] {
            assert_eq!(
                CommitmentText::parse(bad),
                Err(ProfileError::ControlCharacter { field: "text" }),
                "{bad:?}"
            );
            assert_eq!(
                ReplyText::parse(bad),
                Err(ProfileError::ControlCharacter { field: "body" })
            );
        }
        let text = "明码标价\r\n\t童叟无欺\n";
        assert_eq!(
            CommitmentText::parse(text).unwrap().as_str(),
            "明码标价\n\t童叟无欺"
        );
    }

    #[test]
    fn registration_keys_round_trip() {
        for status in Registration::ALL {
            assert_eq!(Registration::parse(status.key()), Ok(status));
        }
        assert_eq!(
            Registration::parse("Registered"),
            Err(ProfileError::UnknownStatus)
        );
    }
}
