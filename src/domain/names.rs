//! Names people give to accounts and to API tokens. They are shown in lists,
//! page headers and the audit log, so each is one line, bounded, and parsed
//! by [`strict_text`]: it reads exactly as it is stored.

use super::text::strict_text;

/// The longest name accepted, in characters.
pub const NAME_MAX_CHARS: usize = 100;

/// Why a name was refused; `field` is the JSON API's name for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Empty, longer than [`NAME_MAX_CHARS`], or more than one line.
    #[error("{field} must be 1 to {NAME_MAX_CHARS} characters on one line")]
    BadShape {
        /// The field.
        field: &'static str,
    },
    /// A control character other than newline and tab, or a bidirectional control.
    #[error("{field} may not contain control characters or direction overrides")]
    ControlCharacter {
        /// The field.
        field: &'static str,
    },
}

/// A trimmed one-line name of 1 to [`NAME_MAX_CHARS`] characters.
fn one_line_name(raw: &str, field: &'static str) -> Result<String, NameError> {
    let name = strict_text(raw).map_err(|_| NameError::ControlCharacter { field })?;
    if name.is_empty() || name.chars().count() > NAME_MAX_CHARS || name.contains('\n') {
        return Err(NameError::BadShape { field });
    }
    Ok(name)
}

/// The name of an account, shown to people (not the login name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// Parses a display name: trimmed, one line, 1 to [`NAME_MAX_CHARS`] characters.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        one_line_name(raw, "display_name").map(Self)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What an API token is for, as its creator named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenName(String);

impl TokenName {
    /// Parses a token's name: trimmed, one line, 1 to [`NAME_MAX_CHARS`] characters.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        one_line_name(raw, "name").map(Self)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_one_line_and_bounded() {
        assert_eq!(DisplayName::parse("  张三 ").unwrap().as_str(), "张三");
        assert_eq!(
            DisplayName::parse("演示管理员 Demo admin")
                .unwrap()
                .as_str(),
            "演示管理员 Demo admin"
        );
        assert_eq!(
            TokenName::parse("省平台对接 (prod)").unwrap().as_str(),
            "省平台对接 (prod)"
        );
        let longest = "名".repeat(NAME_MAX_CHARS);
        assert!(DisplayName::parse(&longest).is_ok());
        let shape = NameError::BadShape {
            field: "display_name",
        };
        for bad in [
            String::new(),
            " \t ".to_owned(),
            format!("{longest}字"),
            "张\n三".to_owned(),
            "张\r\n三".to_owned(),
        ] {
            assert_eq!(DisplayName::parse(&bad), Err(shape), "{bad:?}");
        }
        assert_eq!(
            TokenName::parse(""),
            Err(NameError::BadShape { field: "name" })
        );
    }

    #[test]
    fn names_with_a_control_character_or_a_direction_override_are_refused() {
        for bad in [
            "张\0三",
            "张\u{202E}三",
            "\u{2066}x",
            "bell\u{7}",
            "x\u{9f}",
        ] {
            assert_eq!(
                DisplayName::parse(bad),
                Err(NameError::ControlCharacter {
                    field: "display_name"
                }),
                "{bad:?}"
            );
            assert_eq!(
                TokenName::parse(bad),
                Err(NameError::ControlCharacter { field: "name" }),
                "{bad:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn a_parsed_name_is_one_printable_line(raw in proptest::prelude::any::<String>()) {
            if let Ok(name) = DisplayName::parse(&raw) {
                let name = name.as_str();
                proptest::prop_assert!(!name.is_empty() && name.chars().count() <= NAME_MAX_CHARS);
                proptest::prop_assert!(name.chars().all(|c| c == '\t' || !c.is_control()));
                proptest::prop_assert!(!name.chars().any(crate::domain::text::is_bidi_control));
            }
        }
    }
}
