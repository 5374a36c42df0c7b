//! A visitor's rating, parsed at the edge so an invalid one cannot exist.

use serde::Serialize;

use super::text::{TextError, plain_text};

/// Longest comment a visitor may leave, in characters.
pub const COMMENT_MAX_CHARS: usize = 500;
/// Longest complaint text, in characters.
pub const COMPLAINT_MAX_CHARS: usize = 1000;
/// Longest complaint contact (phone or e-mail), in characters.
pub const CONTACT_MAX_CHARS: usize = 100;
/// Most quick tags one rating may carry.
pub const TAGS_MAX: usize = 8;

/// Why a rating input was refused; each maps to one stable problem type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingError {
    /// `overall` or a dimension outside 1..=5.
    #[error("{field} must be a whole number from 1 to 5")]
    OutOfRange {
        /// The offending field name.
        field: &'static str,
    },
    /// A tag key that is not in the fixed list.
    #[error("unknown tag '{0}'")]
    UnknownTag(String),
    /// More tags than allowed.
    #[error("at most {TAGS_MAX} tags")]
    TooManyTags,
    /// A text field longer than its bound.
    #[error("{field} is longer than {max} characters")]
    TooLong {
        /// The offending field name.
        field: &'static str,
        /// Its bound in characters.
        max: usize,
    },
    /// A text field holding a control character other than newline and tab.
    #[error("{field} may not contain control characters other than newline and tab")]
    ControlCharacter {
        /// The offending field name.
        field: &'static str,
    },
    /// A complaint with no text.
    #[error("a complaint needs a description")]
    EmptyComplaint,
    /// A device id that is empty, too long or not printable ASCII.
    #[error("device_id must be 8 to 64 characters of letters, digits, '-' or '_'")]
    BadDeviceId,
}

/// A star value from 1 to 5, used for the overall rating and each dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Stars(u8);

impl Stars {
    /// Parses a star value; `field` names the input in the error.
    pub fn parse(value: i64, field: &'static str) -> Result<Self, RatingError> {
        match u8::try_from(value) {
            Ok(v @ 1..=5) => Ok(Self(v)),
            _ => Err(RatingError::OutOfRange { field }),
        }
    }

    /// The value, 1..=5.
    pub fn get(self) -> u8 {
        self.0
    }
}

/// The three optional service dimensions (服务环境 / 服务技能 / 服务意识).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dimensions {
    /// Service environment.
    pub environment: Option<Stars>,
    /// Service skill.
    pub skill: Option<Stars>,
    /// Service attitude.
    pub attitude: Option<Stars>,
}

/// A quick tag from the fixed list; negative ones include regulatory red flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tag {
    /// Staff were friendly.
    FriendlyStaff,
    /// Clean and tidy.
    Clean,
    /// Good value for money.
    GoodValue,
    /// Quick service.
    FastService,
    /// Helpful explanations or guiding.
    HelpfulGuide,
    /// Accessible for elderly and disabled visitors.
    Accessible,
    /// Long wait.
    LongWait,
    /// Dirty.
    Dirty,
    /// Rude staff.
    RudeStaff,
    /// Prices not shown clearly.
    UnclearPrices,
    /// Overcharging (red flag).
    Overcharging,
    /// Forced shopping (强制购物, red flag).
    ForcedShopping,
    /// Misleading information or advertising (red flag).
    Misleading,
    /// Unsafe conditions (red flag).
    Unsafe,
}

impl Tag {
    /// Every tag, positive first, in display order.
    pub const ALL: [Tag; 14] = [
        Tag::FriendlyStaff,
        Tag::Clean,
        Tag::GoodValue,
        Tag::FastService,
        Tag::HelpfulGuide,
        Tag::Accessible,
        Tag::LongWait,
        Tag::Dirty,
        Tag::RudeStaff,
        Tag::UnclearPrices,
        Tag::Overcharging,
        Tag::ForcedShopping,
        Tag::Misleading,
        Tag::Unsafe,
    ];

    /// The stable key used in JSON, forms and storage.
    pub fn key(self) -> &'static str {
        match self {
            Tag::FriendlyStaff => "friendly_staff",
            Tag::Clean => "clean",
            Tag::GoodValue => "good_value",
            Tag::FastService => "fast_service",
            Tag::HelpfulGuide => "helpful_guide",
            Tag::Accessible => "accessible",
            Tag::LongWait => "long_wait",
            Tag::Dirty => "dirty",
            Tag::RudeStaff => "rude_staff",
            Tag::UnclearPrices => "unclear_prices",
            Tag::Overcharging => "overcharging",
            Tag::ForcedShopping => "forced_shopping",
            Tag::Misleading => "misleading",
            Tag::Unsafe => "unsafe",
        }
    }

    /// Parses a tag key.
    pub fn parse(key: &str) -> Result<Self, RatingError> {
        Tag::ALL
            .into_iter()
            .find(|t| t.key() == key)
            .ok_or_else(|| RatingError::UnknownTag(truncate(key, 40)))
    }

    /// Whether the tag praises the service.
    pub fn is_positive(self) -> bool {
        matches!(
            self,
            Tag::FriendlyStaff
                | Tag::Clean
                | Tag::GoodValue
                | Tag::FastService
                | Tag::HelpfulGuide
                | Tag::Accessible
        )
    }

    /// Whether the tag reports a regulatory red flag that regulators watch for.
    pub fn is_red_flag(self) -> bool {
        matches!(
            self,
            Tag::Overcharging | Tag::ForcedShopping | Tag::Misleading | Tag::Unsafe
        )
    }
}

/// Parses a list of tag keys, dropping repeats and keeping display order.
pub fn parse_tags<S: AsRef<str>>(keys: &[S]) -> Result<Vec<Tag>, RatingError> {
    let mut tags = keys
        .iter()
        .map(|k| Tag::parse(k.as_ref().trim()))
        .collect::<Result<Vec<_>, _>>()?;
    tags.sort();
    tags.dedup();
    if tags.len() > TAGS_MAX {
        return Err(RatingError::TooManyTags);
    }
    Ok(tags)
}

/// A free-text field parsed by [`plain_text`] and bounded in characters;
/// empty input is `None`.
fn bounded_text(
    raw: Option<&str>,
    field: &'static str,
    max: usize,
) -> Result<Option<String>, RatingError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let text = plain_text(raw)
        .map_err(|TextError::ControlCharacter| RatingError::ControlCharacter { field })?;
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max {
        return Err(RatingError::TooLong { field, max });
    }
    Ok(Some(text))
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}

/// A visitor's optional comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment(String);

impl Comment {
    /// Parses an optional comment (trimmed, at most [`COMMENT_MAX_CHARS`]).
    pub fn parse(raw: Option<&str>) -> Result<Option<Self>, RatingError> {
        Ok(bounded_text(raw, "comment", COMMENT_MAX_CHARS)?.map(Self))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A complaint filed with a rating; the contact is personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complaint {
    /// What went wrong, in the visitor's words.
    pub text: String,
    /// Optional phone or e-mail for the handling regulator.
    pub contact: Option<String>,
}

impl Complaint {
    /// Parses an optional complaint; a contact without text is refused.
    pub fn parse(text: Option<&str>, contact: Option<&str>) -> Result<Option<Self>, RatingError> {
        let text = bounded_text(text, "complaint", COMPLAINT_MAX_CHARS)?;
        let contact = Self::parse_contact(contact)?;
        match (text, contact) {
            (Some(text), contact) => Ok(Some(Self { text, contact })),
            (None, Some(_)) => Err(RatingError::EmptyComplaint),
            (None, None) => Ok(None),
        }
    }

    /// Parses an optional contact on its own: blank is none.
    pub fn parse_contact(contact: Option<&str>) -> Result<Option<String>, RatingError> {
        bounded_text(contact, "contact", CONTACT_MAX_CHARS)
    }
}

/// A client-chosen device identifier (API clients) or the `qrf_device` cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceId(String);

impl DeviceId {
    /// Parses a device id: 8–64 characters from `[A-Za-z0-9_-]`.
    pub fn parse(raw: &str) -> Result<Self, RatingError> {
        let ok = (8..=64).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(RatingError::BadDeviceId)
        }
    }

    /// A fresh random id for a device that sent none.
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string())
    }

    /// The id as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A rating's content, valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingInput {
    /// Overall stars.
    pub overall: Stars,
    /// Optional dimension stars.
    pub dimensions: Dimensions,
    /// Quick tags, sorted and unique.
    pub tags: Vec<Tag>,
    /// Optional comment.
    pub comment: Option<Comment>,
    /// Optional complaint.
    pub complaint: Option<Complaint>,
}

/// The raw fields of a rating as they arrive from JSON or a form.
#[derive(Debug, Default)]
pub struct RawRating<'a> {
    /// Overall stars, if given.
    pub overall: Option<i64>,
    /// Environment stars.
    pub environment: Option<i64>,
    /// Skill stars.
    pub skill: Option<i64>,
    /// Attitude stars.
    pub attitude: Option<i64>,
    /// Tag keys.
    pub tags: &'a [String],
    /// Comment text.
    pub comment: Option<&'a str>,
    /// Complaint text.
    pub complaint: Option<&'a str>,
    /// Complaint contact.
    pub contact: Option<&'a str>,
}

impl RatingInput {
    /// Parses raw fields; the first problem found is returned.
    pub fn parse(raw: RawRating<'_>) -> Result<Self, RatingError> {
        let dim = |v: Option<i64>, field| v.map(|v| Stars::parse(v, field)).transpose();
        Ok(Self {
            overall: Stars::parse(raw.overall.unwrap_or(0), "overall")?,
            dimensions: Dimensions {
                environment: dim(raw.environment, "environment")?,
                skill: dim(raw.skill, "skill")?,
                attitude: dim(raw.attitude, "attitude")?,
            },
            tags: parse_tags(raw.tags)?,
            comment: Comment::parse(raw.comment)?,
            complaint: Complaint::parse(raw.complaint, raw.contact)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_accept_one_to_five_only() {
        for v in 1..=5 {
            assert_eq!(Stars::parse(v, "overall").unwrap().get() as i64, v);
        }
        for v in [0, 6, -1, 256] {
            assert_eq!(
                Stars::parse(v, "skill"),
                Err(RatingError::OutOfRange { field: "skill" })
            );
        }
    }

    #[test]
    fn tags_round_trip_and_unknown_is_refused() {
        for t in Tag::ALL {
            assert_eq!(Tag::parse(t.key()), Ok(t));
        }
        assert!(matches!(Tag::parse("nice"), Err(RatingError::UnknownTag(k)) if k == "nice"));
        assert!(Tag::ForcedShopping.is_red_flag() && !Tag::ForcedShopping.is_positive());
    }

    #[test]
    fn repeated_tags_collapse_and_too_many_are_refused() {
        let keys = ["clean", "clean", "dirty"].map(String::from);
        assert_eq!(parse_tags(&keys), Ok(vec![Tag::Clean, Tag::Dirty]));
        let many: Vec<String> = Tag::ALL.iter().map(|t| t.key().to_owned()).collect();
        assert_eq!(parse_tags(&many), Err(RatingError::TooManyTags));
    }

    #[test]
    fn comment_is_bounded_in_characters_not_bytes() {
        let zh = "好".repeat(COMMENT_MAX_CHARS);
        assert!(Comment::parse(Some(&zh)).unwrap().is_some());
        let long = "好".repeat(COMMENT_MAX_CHARS + 1);
        assert!(matches!(
            Comment::parse(Some(&long)),
            Err(RatingError::TooLong {
                field: "comment",
                ..
            })
        ));
        assert_eq!(Comment::parse(Some("   ")), Ok(None));
    }

    #[test]
    fn contact_without_complaint_is_refused() {
        assert_eq!(
            Complaint::parse(None, Some("13800000000")),
            Err(RatingError::EmptyComplaint)
        );
        assert_eq!(Complaint::parse(Some(" "), None), Ok(None));
    }

    #[test]
    fn device_ids_are_bounded_and_plain() {
        assert!(DeviceId::parse("abcd1234").is_ok());
        assert!(DeviceId::parse("short").is_err());
        assert!(DeviceId::parse("has space here").is_err());
        assert!(DeviceId::parse(&"x".repeat(65)).is_err());
        assert_eq!(DeviceId::generate().as_str().len(), 32);
    }

    proptest::proptest! {
        #[test]
        fn tag_parsing_ignores_order_and_repeats(picks in proptest::collection::vec(0usize..14, 0..12)) {
            let keys: Vec<String> = picks.iter().map(|i| Tag::ALL[*i].key().to_owned()).collect();
            let mut reversed = keys.clone();
            reversed.reverse();
            let forward = parse_tags(&keys);
            proptest::prop_assert_eq!(&forward, &parse_tags(&reversed));
            if let Ok(tags) = forward {
                proptest::prop_assert!(tags.windows(2).all(|w| w[0] < w[1]));
                proptest::prop_assert!(tags.len() <= TAGS_MAX);
            }
        }
    }

    #[test]
    fn control_characters_are_refused_in_every_text_field() {
        let nul = "bad\0text";
        assert_eq!(
            Comment::parse(Some(nul)),
            Err(RatingError::ControlCharacter { field: "comment" })
        );
        assert_eq!(
            Complaint::parse(Some(nul), None),
            Err(RatingError::ControlCharacter { field: "complaint" })
        );
        assert_eq!(
            Complaint::parse(Some("forced shopping"), Some("138\u{1b}0000")),
            Err(RatingError::ControlCharacter { field: "contact" })
        );
        let kept = Comment::parse(Some("line one\r\nline\u{202E} two")).unwrap();
        assert_eq!(kept.unwrap().as_str(), "line one\nline two");
    }

    proptest::proptest! {
        #[test]
        fn text_parsing_never_panics_and_keeps_no_control_character(
            comment in proptest::prelude::any::<String>(),
            complaint in proptest::prelude::any::<String>(),
            contact in proptest::prelude::any::<String>(),
        ) {
            let allowed = |s: &str| s.chars().all(|c| (c == '\n' || c == '\t' || !c.is_control())
                && !crate::domain::text::is_bidi_control(c));
            if let Ok(Some(comment)) = Comment::parse(Some(&comment)) {
                proptest::prop_assert!(allowed(comment.as_str()));
            }
            if let Ok(Some(complaint)) = Complaint::parse(Some(&complaint), Some(&contact)) {
                proptest::prop_assert!(allowed(&complaint.text));
                proptest::prop_assert!(complaint.contact.as_deref().is_none_or(allowed));
            }
        }
    }

    #[test]
    fn missing_overall_is_out_of_range() {
        let err = RatingInput::parse(RawRating::default()).unwrap_err();
        assert_eq!(err, RatingError::OutOfRange { field: "overall" });
    }
}
