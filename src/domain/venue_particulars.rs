//! What the prefectures' recommendation forms ask of a unit besides its
//! name and address (巴州 2023, 附件2: 单位性质, 负责人, 联系电话, 员工人数,
//! 设立时间), and its unified social credit code (统一社会信用代码,
//! GB 32100-2015), each parsed at the edge into a type that cannot hold a
//! wrong value.

use chrono::NaiveDate;

use super::text::plain_text;

/// Why a particular was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ParticularsError {
    /// Not one of the four unit types.
    #[error(
        "unit_type must be one of government, state_owned, private, individual (行政事业单位, 国企, 私企, 个体)"
    )]
    BadUnitType,
    /// Empty, over 50 characters, several lines or a control character.
    #[error("person_in_charge must be 1 to 50 characters on one line, without control characters")]
    BadPersonInCharge,
    /// Not 5–30 characters of digits, spaces, `+`, `-` and parentheses.
    #[error("phone must be 5 to 30 characters: digits, spaces, '+', '-' and parentheses")]
    BadPhone,
    /// Not a whole number from 0 to 1,000,000.
    #[error("staff_count must be a whole number from 0 to 1000000")]
    BadStaffCount,
    /// Not a `YYYY-MM-DD` date.
    #[error("founded_on must be a date written YYYY-MM-DD")]
    BadDate,
    /// A founding date after today or before 1900.
    #[error("founded_on must lie between 1900-01-01 and today")]
    DateOutOfRange,
    /// Not 18 characters of the code's alphabet.
    #[error(
        "credit_code must be 18 characters of 0-9 and the capital letters other than I, O, S, V, Z"
    )]
    BadCreditCode,
    /// The check character does not match the other seventeen.
    #[error("credit_code's last character does not match its check digit: it is mistyped")]
    CreditCodeChecksum,
}

/// 单位性质: what kind of unit a venue is, as the recommendation form asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnitType {
    /// 行政事业单位: a government body or public institution.
    Government,
    /// 国企: a state-owned enterprise.
    StateOwned,
    /// 私企: a private enterprise.
    Private,
    /// 个体: a sole trader (个体工商户).
    Individual,
}

impl UnitType {
    /// Every unit type, in the form's order.
    pub const ALL: [UnitType; 4] = [
        UnitType::Government,
        UnitType::StateOwned,
        UnitType::Private,
        UnitType::Individual,
    ];

    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            UnitType::Government => "government",
            UnitType::StateOwned => "state_owned",
            UnitType::Private => "private",
            UnitType::Individual => "individual",
        }
    }

    /// The form's own word for it.
    pub fn label_zh(self) -> &'static str {
        match self {
            UnitType::Government => "行政事业单位",
            UnitType::StateOwned => "国企",
            UnitType::Private => "私企",
            UnitType::Individual => "个体",
        }
    }

    /// Reads a key (`state_owned`) or the form's word (`国企`), as a
    /// spreadsheet filled in from the paper form would hold it.
    pub fn parse(raw: &str) -> Result<Self, ParticularsError> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|t| t.key().eq_ignore_ascii_case(raw) || t.label_zh() == raw)
            .ok_or(ParticularsError::BadUnitType)
    }
}

/// 负责人: the person in charge of the unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonInCharge(String);

impl PersonInCharge {
    /// The most characters a name holds.
    pub const MAX_CHARS: usize = 50;

    /// Parses a name of 1–50 characters on one line.
    pub fn parse(raw: &str) -> Result<Self, ParticularsError> {
        let name = plain_text(raw).map_err(|_| ParticularsError::BadPersonInCharge)?;
        if name.is_empty() || name.chars().count() > Self::MAX_CHARS || name.contains('\n') {
            return Err(ParticularsError::BadPersonInCharge);
        }
        Ok(Self(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 联系电话: a contact phone number as people write it (`0996-2022222`,
/// `+86 139 0000 0000`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactPhone(String);

impl ContactPhone {
    /// Parses 5–30 characters of digits, spaces, `+`, `-` and parentheses
    /// holding at least five digits; runs of spaces become one.
    pub fn parse(raw: &str) -> Result<Self, ParticularsError> {
        let phone = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let digits = phone.bytes().filter(u8::is_ascii_digit).count();
        let allowed = phone
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'(' | b')' | b' '));
        if allowed && digits >= 5 && (5..=30).contains(&phone.len()) {
            Ok(Self(phone))
        } else {
            Err(ParticularsError::BadPhone)
        }
    }

    /// The number as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 员工人数: how many people work there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffCount(i32);

impl StaffCount {
    /// The largest count taken.
    pub const MAX: i64 = 1_000_000;

    /// A count from a number.
    pub fn new(count: i64) -> Result<Self, ParticularsError> {
        if (0..=Self::MAX).contains(&count) {
            i32::try_from(count)
                .map(Self)
                .map_err(|_| ParticularsError::BadStaffCount)
        } else {
            Err(ParticularsError::BadStaffCount)
        }
    }

    /// A count from text: a whole number (a spreadsheet's `12.0` too).
    pub fn parse(raw: &str) -> Result<Self, ParticularsError> {
        let raw = raw.trim();
        let whole = raw.strip_suffix(".0").unwrap_or(raw);
        whole
            .parse::<i64>()
            .map_err(|_| ParticularsError::BadStaffCount)
            .and_then(Self::new)
    }

    /// The count.
    pub fn get(self) -> i32 {
        self.0
    }
}

/// 设立时间: the day the unit was founded, not after today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundingDate(NaiveDate);

impl FoundingDate {
    /// The earliest founding date taken.
    pub fn earliest() -> NaiveDate {
        NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default()
    }

    /// A date between 1900-01-01 and `today`.
    pub fn new(date: NaiveDate, today: NaiveDate) -> Result<Self, ParticularsError> {
        if date < Self::earliest() || date > today {
            Err(ParticularsError::DateOutOfRange)
        } else {
            Ok(Self(date))
        }
    }

    /// Parses `YYYY-MM-DD` (also `YYYY/MM/DD`, as spreadsheets write it).
    pub fn parse(raw: &str, today: NaiveDate) -> Result<Self, ParticularsError> {
        let raw = raw.trim();
        let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(raw, "%Y/%m/%d"))
            .map_err(|_| ParticularsError::BadDate)?;
        Self::new(date, today)
    }

    /// The date.
    pub fn get(self) -> NaiveDate {
        self.0
    }
}

/// The characters of a unified social credit code, in the order whose
/// position is each character's value (GB 32100-2015, table 1): the digits
/// and the capital letters without I, O, S, V and Z.
const CREDIT_CODE_CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// The weight of each of the first seventeen positions (GB 32100-2015, 3^(i-1) mod 31).
const CREDIT_CODE_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A character's value in the code's alphabet.
fn credit_code_value(c: u8) -> Option<u32> {
    CREDIT_CODE_CHARSET
        .iter()
        .position(|&x| x == c)
        .and_then(|p| u32::try_from(p).ok())
}

/// The check character the first seventeen characters of a code call for:
/// 31 − (Σ value × weight mod 31), where 31 stands for 0.
pub fn credit_code_check_char(first_17: &[u8; 17]) -> Option<u8> {
    let mut sum = 0;
    for (c, weight) in first_17.iter().zip(CREDIT_CODE_WEIGHTS) {
        sum += credit_code_value(*c)? * weight;
    }
    let check = (31 - sum % 31) % 31;
    CREDIT_CODE_CHARSET
        .get(usize::try_from(check).ok()?)
        .copied()
}

/// 统一社会信用代码: an 18-character code whose last character checks the
/// other seventeen (GB 32100-2015), so most typing mistakes are caught.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditCode(String);

impl CreditCode {
    /// Parses a code; lower-case letters are read as capitals.
    pub fn parse(raw: &str) -> Result<Self, ParticularsError> {
        let code = raw.trim().to_ascii_uppercase();
        let bytes = code.as_bytes();
        let Ok(all) = <&[u8; 18]>::try_from(bytes) else {
            return Err(ParticularsError::BadCreditCode);
        };
        if !all.iter().all(|&c| credit_code_value(c).is_some()) {
            return Err(ParticularsError::BadCreditCode);
        }
        let (first_17, last) = all.split_at(17);
        let first_17: &[u8; 17] = first_17
            .try_into()
            .map_err(|_| ParticularsError::BadCreditCode)?;
        if credit_code_check_char(first_17) == last.first().copied() {
            Ok(Self(code))
        } else {
            Err(ParticularsError::CreditCodeChecksum)
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Every particular a venue may have, each optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VenueParticulars {
    /// 单位性质.
    pub unit_type: Option<UnitType>,
    /// 负责人.
    pub person_in_charge: Option<PersonInCharge>,
    /// 联系电话.
    pub contact_phone: Option<ContactPhone>,
    /// 员工人数.
    pub staff_count: Option<StaffCount>,
    /// 设立时间.
    pub founded_on: Option<FoundingDate>,
    /// 统一社会信用代码.
    pub credit_code: Option<CreditCode>,
}

/// Parses an optional text field: blank is absent.
pub fn optional<T, E>(
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, E> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => parse(text).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
    }

    /// A code made valid by giving it the check character it calls for.
    fn with_check(first_17: &str) -> String {
        let bytes: &[u8; 17] = first_17.as_bytes().try_into().unwrap();
        let check = credit_code_check_char(bytes).unwrap();
        format!("{first_17}{}", check as char)
    }

    #[test]
    fn credit_codes_published_by_registries_pass() {
        // Codes printed on published business licences.
        for code in ["91350100M000100Y43", "91110000802100433B"] {
            assert_eq!(CreditCode::parse(code).map(|c| c.0), Ok(code.to_owned()));
        }
        assert_eq!(
            CreditCode::parse(" 91350100m000100y43 ").map(|c| c.0),
            Ok("91350100M000100Y43".to_owned())
        );
    }

    #[test]
    fn a_wrong_check_character_or_shape_is_refused() {
        assert_eq!(
            CreditCode::parse("91350100M000100Y44"),
            Err(ParticularsError::CreditCodeChecksum)
        );
        assert_eq!(
            CreditCode::parse("91350100M000100Y4"),
            Err(ParticularsError::BadCreditCode)
        );
        // I, O, S, V and Z are not in the alphabet.
        assert_eq!(
            CreditCode::parse("91350100M000100YO3"),
            Err(ParticularsError::BadCreditCode)
        );
        assert_eq!(
            CreditCode::parse("９1350100M000100Y43"),
            Err(ParticularsError::BadCreditCode)
        );
    }

    #[test]
    fn a_check_of_31_is_written_0() {
        // Find seventeen characters whose sum is a multiple of 31.
        let code = with_check("00000000000000000");
        assert_eq!(code, "000000000000000000");
        assert!(CreditCode::parse(&code).is_ok());
    }

    fn code_char() -> impl Strategy<Value = char> {
        proptest::sample::select(CREDIT_CODE_CHARSET.map(char::from).to_vec())
    }

    proptest! {
        #[test]
        fn every_code_with_its_check_character_passes(first in proptest::collection::vec(code_char(), 17)) {
            let first: String = first.into_iter().collect();
            let code = with_check(&first);
            prop_assert_eq!(CreditCode::parse(&code).map(|c| c.0), Ok(code.clone()));
        }

        #[test]
        fn changing_any_one_character_is_caught(
            first in proptest::collection::vec(code_char(), 17),
            at in 0usize..18,
            other in code_char(),
        ) {
            let code = with_check(&first.into_iter().collect::<String>());
            let mut chars: Vec<char> = code.chars().collect();
            prop_assume!(chars[at] != other);
            chars[at] = other;
            let typo: String = chars.into_iter().collect();
            prop_assert_eq!(CreditCode::parse(&typo), Err(ParticularsError::CreditCodeChecksum));
        }

        #[test]
        fn parsing_never_panics(raw in ".{0,40}") {
            let _ = CreditCode::parse(&raw);
            let _ = ContactPhone::parse(&raw);
            let _ = StaffCount::parse(&raw);
            let _ = FoundingDate::parse(&raw, today());
            let _ = PersonInCharge::parse(&raw);
            let _ = UnitType::parse(&raw);
        }
    }

    #[test]
    fn unit_types_read_keys_and_the_forms_words() {
        assert_eq!(UnitType::parse("state_owned"), Ok(UnitType::StateOwned));
        assert_eq!(UnitType::parse(" 个体 "), Ok(UnitType::Individual));
        assert_eq!(UnitType::parse("行政事业单位"), Ok(UnitType::Government));
        assert_eq!(UnitType::parse("Private"), Ok(UnitType::Private));
        assert_eq!(
            UnitType::parse("company"),
            Err(ParticularsError::BadUnitType)
        );
        for t in UnitType::ALL {
            assert_eq!(UnitType::parse(t.key()), Ok(t));
        }
    }

    #[test]
    fn phones_staff_counts_and_names() {
        assert_eq!(
            ContactPhone::parse(" 0996-2022222 ").map(|p| p.0),
            Ok("0996-2022222".to_owned())
        );
        assert_eq!(
            ContactPhone::parse("+86  139 0000 0000").map(|p| p.0),
            Ok("+86 139 0000 0000".to_owned())
        );
        assert_eq!(
            ContactPhone::parse("12-34"),
            Err(ParticularsError::BadPhone)
        );
        assert_eq!(
            ContactPhone::parse("call 110"),
            Err(ParticularsError::BadPhone)
        );
        assert_eq!(StaffCount::parse("12"), Ok(StaffCount(12)));
        assert_eq!(StaffCount::parse("12.0"), Ok(StaffCount(12)));
        assert_eq!(
            StaffCount::parse("-1"),
            Err(ParticularsError::BadStaffCount)
        );
        assert_eq!(
            StaffCount::parse("1000001"),
            Err(ParticularsError::BadStaffCount)
        );
        assert_eq!(
            StaffCount::parse("many"),
            Err(ParticularsError::BadStaffCount)
        );
        assert!(PersonInCharge::parse("阿依古丽").is_ok());
        assert!(PersonInCharge::parse(" ").is_err());
        assert!(PersonInCharge::parse("a\nb").is_err());
        assert!(PersonInCharge::parse(&"名".repeat(51)).is_err());
    }

    #[test]
    fn founding_dates_lie_between_1900_and_today() {
        assert_eq!(
            FoundingDate::parse("2003-05-01", today()).map(FoundingDate::get),
            Ok(NaiveDate::from_ymd_opt(2003, 5, 1).unwrap())
        );
        assert!(FoundingDate::parse("2003/5/1", today()).is_ok());
        assert_eq!(
            FoundingDate::parse("2003-02-30", today()),
            Err(ParticularsError::BadDate)
        );
        assert_eq!(
            FoundingDate::parse("yesterday", today()),
            Err(ParticularsError::BadDate)
        );
        assert_eq!(
            FoundingDate::parse("2026-12-08", today()),
            Err(ParticularsError::DateOutOfRange)
        );
        assert_eq!(
            FoundingDate::parse("1899-12-31", today()),
            Err(ParticularsError::DateOutOfRange)
        );
    }

    #[test]
    fn blank_optional_fields_are_absent() {
        assert_eq!(optional(Some("  "), StaffCount::parse), Ok(None));
        assert_eq!(optional(None, StaffCount::parse), Ok(None));
        assert_eq!(
            optional(Some("3"), StaffCount::parse),
            Ok(Some(StaffCount(3)))
        );
    }
}
