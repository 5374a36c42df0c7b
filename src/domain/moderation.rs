//! Why a supervisor quarantines or releases a rating: kept in the moderation
//! log and the audit log as the record of the decision.

use super::text::strict_text;

/// The longest reason accepted, in characters.
pub const REASON_MAX_CHARS: usize = 500;

/// Why a reason was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    /// No reason, or only white space.
    #[error("a reason is required")]
    Empty,
    /// Longer than [`REASON_MAX_CHARS`].
    #[error("the reason may hold at most {REASON_MAX_CHARS} characters")]
    TooLong,
    /// A control character other than newline and tab, or a bidirectional control.
    #[error(
        "the reason may not contain control characters other than newline and tab, nor direction overrides"
    )]
    ControlCharacter,
}

/// The reason given for quarantining or releasing a rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModerationReason(String);

impl ModerationReason {
    /// Parses a reason with [`strict_text`]: trimmed, 1 to
    /// [`REASON_MAX_CHARS`] characters.
    pub fn parse(raw: &str) -> Result<Self, ReasonError> {
        let reason = strict_text(raw).map_err(|_| ReasonError::ControlCharacter)?;
        if reason.is_empty() {
            return Err(ReasonError::Empty);
        }
        if reason.chars().count() > REASON_MAX_CHARS {
            return Err(ReasonError::TooLong);
        }
        Ok(Self(reason))
    }

    /// The reason.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_trimmed_required_and_bounded() {
        assert_eq!(
            ModerationReason::parse("  同一地址十条评价 ")
                .unwrap()
                .as_str(),
            "同一地址十条评价"
        );
        assert_eq!(ModerationReason::parse(" \r\n "), Err(ReasonError::Empty));
        let longest = "刷".repeat(REASON_MAX_CHARS);
        assert!(ModerationReason::parse(&longest).is_ok());
        assert_eq!(
            ModerationReason::parse(&format!("{longest}单")),
            Err(ReasonError::TooLong)
        );
    }

    #[test]
    fn a_reason_with_a_control_character_or_a_direction_override_is_refused() {
        for bad in ["刷\0单", "刷\u{202E}单", "\u{7}", "a\u{2066}b"] {
            assert_eq!(
                ModerationReason::parse(bad),
                Err(ReasonError::ControlCharacter),
                "{bad:?}"
            );
        }
        assert_eq!(
            ModerationReason::parse("第一行\r\n第二行")
                .unwrap()
                .as_str(),
            "第一行\n第二行"
        );
    }
}
