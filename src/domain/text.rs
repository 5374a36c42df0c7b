//! Free text typed by people (comments, complaints, names, reasons, replies),
//! parsed once at the edge: line breaks normalised, bidirectional overrides
//! dropped ([`plain_text`]) or refused ([`strict_text`]), and every other
//! control character refused, so stored text holds nothing Postgres refuses
//! (NUL) and nothing that can disguise itself.

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// A control character other than newline and tab; for [`strict_text`],
    /// a bidirectional control too.
    #[error("text may not contain control characters other than newline and tab")]
    ControlCharacter,
}

/// Whether `c` changes the direction text is shown in (U+202A–U+202E
/// embeddings and overrides, U+2066–U+2069 isolates): a "Trojan source"
/// trick that makes a comment read differently from what it says.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` may stand in stored text: newline and tab are the only
/// control characters allowed.
pub fn is_allowed_char(c: char) -> bool {
    c == '\n' || c == '\t' || !c.is_control()
}

/// Parses a person's free text: `\r\n` and lone `\r` (what browsers send from
/// a text area) become `\n`, bidirectional controls are dropped, and any other
/// control character is refused. The result is trimmed.
pub fn plain_text(raw: &str) -> Result<String, TextError> {
    let mut text = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                text.push('\n');
            }
            c if is_bidi_control(c) => {}
            c if is_allowed_char(c) => text.push(c),
            _ => return Err(TextError::ControlCharacter),
        }
    }
    Ok(text.trim().to_owned())
}

/// Parses text kept as a record of who someone is or what they did (an
/// account's or a token's name, a violation's description, a moderation
/// reason) like [`plain_text`], except that a bidirectional control is
/// refused rather than dropped: the record then holds exactly what its author
/// saw and confirmed, and the author, who is at the form, is asked to retype
/// it instead of having it silently changed.
pub fn strict_text(raw: &str) -> Result<String, TextError> {
    if raw.chars().any(is_bidi_control) {
        return Err(TextError::ControlCharacter);
    }
    plain_text(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_other_controls_are_refused() {
        for bad in ["a\0b", "\u{7}", "x\u{1b}[31m", "\u{85}", "\u{9f}"] {
            assert_eq!(plain_text(bad), Err(TextError::ControlCharacter), "{bad:?}");
        }
    }

    #[test]
    fn newlines_and_tabs_stay_and_carriage_returns_become_newlines() {
        assert_eq!(plain_text(" a\tb\nc ").unwrap(), "a\tb\nc");
        assert_eq!(plain_text("a\r\nb\rc").unwrap(), "a\nb\nc");
    }

    #[test]
    fn bidi_overrides_are_stripped() {
        assert_eq!(
            plain_text("ab\u{202E}cd\u{2066}e\u{2069}").unwrap(),
            "abcde"
        );
        assert_eq!(plain_text("好评 ✓").unwrap(), "好评 ✓");
    }

    #[test]
    fn strict_text_refuses_bidi_controls_and_otherwise_parses_like_plain_text() {
        for bad in ["ab\u{202E}cd", "\u{2066}x", "x\u{2069}", "a\0b", "\u{1b}"] {
            assert_eq!(
                strict_text(bad),
                Err(TextError::ControlCharacter),
                "{bad:?}"
            );
        }
        assert_eq!(strict_text(" 刷单\r\n\t两次 ").unwrap(), "刷单\n\t两次");
    }

    proptest::proptest! {
        #[test]
        fn accepted_text_has_no_forbidden_character(raw in proptest::prelude::any::<String>()) {
            if let Ok(text) = plain_text(&raw) {
                proptest::prop_assert!(text.chars().all(|c| is_allowed_char(c) && !is_bidi_control(c)));
                proptest::prop_assert!(!text.contains('\0') && !text.contains('\r'));
            } else {
                proptest::prop_assert!(raw.chars().any(|c| !is_allowed_char(c) && c != '\r'));
            }
        }

        #[test]
        fn strict_text_accepts_what_plain_text_keeps_unchanged(raw in proptest::prelude::any::<String>()) {
            match strict_text(&raw) {
                Ok(text) => proptest::prop_assert_eq!(Ok(text), plain_text(&raw)),
                Err(_) => proptest::prop_assert!(
                    plain_text(&raw).is_err() || raw.chars().any(is_bidi_control)
                ),
            }
        }

        #[test]
        fn printable_text_is_kept(raw in "[^\\p{Cc}\u{202A}-\u{202E}\u{2066}-\u{2069}]*") {
            proptest::prop_assert_eq!(plain_text(&raw).unwrap(), raw.trim());
        }
    }
}
