//! What a venue publishes about its own service, parsed at the edge: its
//! service-quality commitment (服务质量承诺), its Chief Quality Officer
//! (首席质量官) and its public replies to visitors' comments.

use chrono::NaiveDate;

use super::text::plain_text;

/// The longest public reply, in characters.
pub const REPLY_MAX_CHARS: usize = 500;
/// The longest commitment, in characters (the venue page must stay small).
pub const COMMITMENT_MAX_CHARS: usize = 1000;
/// The longest officer name or position, in characters.
pub const OFFICER_TEXT_MAX_CHARS: usize = 100;
/// The most training hours accepted: more than a working lifetime is a typo.
pub const TRAINING_HOURS_MAX: f64 = 10_000.0;

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
    /// `training_hours` is not a number from 0 to 10,000.
    #[error("training_hours must be a number from 0 to 10000")]
    BadTrainingHours,
    /// `registration_status` is not a known status.
    #[error("registration_status must be one of unregistered, pending, registered")]
    UnknownStatus,
}

/// Parses a required text with [`plain_text`] (which also unifies line ends:
/// a browser sends CRLF, JSON usually LF, and the bound must count both
/// alike) and bounds it.
fn required_text(raw: &str, field: &'static str, max: usize) -> Result<String, ProfileError> {
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
}

impl Registration {
    /// Every status, in the order a filing goes through them.
    pub const ALL: [Registration; 3] = [
        Registration::Unregistered,
        Registration::Pending,
        Registration::Registered,
    ];

    /// The stored and JSON name.
    pub fn key(self) -> &'static str {
        match self {
            Registration::Unregistered => "unregistered",
            Registration::Pending => "pending",
            Registration::Registered => "registered",
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

/// The raw fields of a Chief Quality Officer, as a form or JSON body gives them.
#[derive(Debug, Clone, Copy)]
pub struct RawQualityOfficer<'a> {
    /// Name.
    pub name: &'a str,
    /// Position in the venue.
    pub position: &'a str,
    /// Appointment date, `YYYY-MM-DD`.
    pub appointed_on: &'a str,
    /// Quality training received, in hours.
    pub training_hours: f64,
    /// `unregistered`, `pending` or `registered`.
    pub registration_status: &'a str,
}

/// A venue's Chief Quality Officer (首席质量官), valid by construction.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityOfficer {
    name: String,
    position: String,
    appointed_on: NaiveDate,
    training_hours: f64,
    registration: Registration,
}

impl QualityOfficer {
    /// Parses the fields; `today` (the local day) bounds the appointment date.
    pub fn parse(raw: RawQualityOfficer<'_>, today: NaiveDate) -> Result<Self, ProfileError> {
        let name = required_text(raw.name, "name", OFFICER_TEXT_MAX_CHARS)?;
        let position = required_text(raw.position, "position", OFFICER_TEXT_MAX_CHARS)?;
        let appointed_on = NaiveDate::parse_from_str(raw.appointed_on.trim(), "%Y-%m-%d")
            .map_err(|_| ProfileError::BadDate)?;
        if appointed_on > today {
            return Err(ProfileError::FutureDate);
        }
        Ok(Self {
            name,
            position,
            appointed_on,
            training_hours: training_hours(raw.training_hours)?,
            registration: Registration::parse(raw.registration_status)?,
        })
    }

    /// Name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Position in the venue.
    pub fn position(&self) -> &str {
        &self.position
    }

    /// Appointment date.
    pub fn appointed_on(&self) -> NaiveDate {
        self.appointed_on
    }

    /// Training hours, to one decimal (what the database keeps).
    pub fn training_hours(&self) -> f64 {
        self.training_hours
    }

    /// Filing status.
    pub fn registration(&self) -> Registration {
        self.registration
    }
}

/// Bounds training hours and rounds them to the one decimal that is stored.
fn training_hours(hours: f64) -> Result<f64, ProfileError> {
    if !hours.is_finite() || !(0.0..=TRAINING_HOURS_MAX).contains(&hours) {
        return Err(ProfileError::BadTrainingHours);
    }
    Ok((hours * 10.0).round() / 10.0)
}

/// Reads training hours typed into a form: a plain decimal number, empty for 0.
pub fn parse_training_hours_text(raw: &str) -> Result<f64, ProfileError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(0.0);
    }
    // Only digits and one decimal point: "1e3", "inf" and "NaN" are not hours.
    if !raw.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(ProfileError::BadTrainingHours);
    }
    raw.parse::<f64>()
        .map_err(|_| ProfileError::BadTrainingHours)
        .and_then(training_hours)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn raw<'a>() -> RawQualityOfficer<'a> {
        RawQualityOfficer {
            name: " 王芳 ",
            position: "质量总监",
            appointed_on: "2026-03-01",
            training_hours: 12.25,
            registration_status: "registered",
        }
    }

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
            let officer = RawQualityOfficer {
                position: bad,
                ..raw()
            };
            assert_eq!(
                QualityOfficer::parse(officer, day(2026, 11, 25)),
                Err(ProfileError::ControlCharacter { field: "position" })
            );
        }
        let text = "明码标价\r\n\t童叟无欺\n";
        assert_eq!(
            CommitmentText::parse(text).unwrap().as_str(),
            "明码标价\n\t童叟无欺"
        );
    }

    #[test]
    fn an_officer_parses_and_bad_fields_are_named() {
        let today = day(2026, 11, 25);
        let officer = QualityOfficer::parse(raw(), today).unwrap();
        assert_eq!(officer.name(), "王芳");
        assert_eq!(officer.appointed_on(), day(2026, 3, 1));
        assert_eq!(officer.training_hours(), 12.3);
        assert_eq!(officer.registration(), Registration::Registered);
        let with = |f: fn(&mut RawQualityOfficer<'static>)| {
            let mut r = raw();
            f(&mut r);
            QualityOfficer::parse(r, today)
        };
        assert_eq!(
            with(|r| r.name = ""),
            Err(ProfileError::Empty { field: "name" })
        );
        assert_eq!(
            with(|r| r.position = "   "),
            Err(ProfileError::Empty { field: "position" })
        );
        assert_eq!(
            with(|r| r.appointed_on = "2026-02-30"),
            Err(ProfileError::BadDate)
        );
        assert_eq!(
            with(|r| r.appointed_on = "2026-11-26"),
            Err(ProfileError::FutureDate)
        );
        assert!(with(|r| r.appointed_on = "2026-11-25").is_ok());
        assert_eq!(
            with(|r| r.training_hours = -1.0),
            Err(ProfileError::BadTrainingHours)
        );
        assert_eq!(
            with(|r| r.training_hours = f64::NAN),
            Err(ProfileError::BadTrainingHours)
        );
        assert_eq!(
            with(|r| r.registration_status = "done"),
            Err(ProfileError::UnknownStatus)
        );
    }

    #[test]
    fn typed_training_hours() {
        assert_eq!(parse_training_hours_text(""), Ok(0.0));
        assert_eq!(parse_training_hours_text(" 16 "), Ok(16.0));
        assert_eq!(parse_training_hours_text("7.54"), Ok(7.5));
        for bad in ["1e3", "NaN", "inf", "-2", "1.2.3", "十", "10001"] {
            assert_eq!(
                parse_training_hours_text(bad),
                Err(ProfileError::BadTrainingHours),
                "{bad}"
            );
        }
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
