//! A venue's input fields, parsed at the edge.

use super::text::plain_text;

/// Why venue input was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VenueError {
    /// Name empty, longer than 200 characters or holding a control character.
    #[error("name must be 1 to 200 characters, without control characters")]
    BadName,
    /// Region code is not six digits.
    #[error("region_code must be a 6-digit code such as \"652801\"")]
    BadRegionCode,
    /// Category key has the wrong form.
    #[error("category must be a key such as \"hotel\"")]
    BadCategory,
    /// Address longer than 500 characters or holding a control character.
    #[error("address must be at most 500 characters, without control characters")]
    BadAddress,
}

/// A six-digit GB/T 2260 region code. It reads as the `str` it is (and
/// serialises as that string); only [`RegionCode::parse`] makes one.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, utoipa::ToSchema,
)]
#[serde(transparent)]
#[schema(value_type = String, example = "652801")]
pub struct RegionCode(String);

impl RegionCode {
    /// Parses six ASCII digits.
    pub fn parse(raw: &str) -> Result<Self, VenueError> {
        let raw = raw.trim();
        if raw.len() == 6 && raw.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(VenueError::BadRegionCode)
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Unit tests write codes as literals; a literal that is not one fails the test.
#[cfg(test)]
impl From<&str> for RegionCode {
    fn from(raw: &str) -> Self {
        Self::parse(raw).expect("a six-digit region code")
    }
}

impl std::ops::Deref for RegionCode {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for RegionCode {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RegionCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for RegionCode {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<String> for RegionCode {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

/// A category key such as `hotel` (existence is checked by the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryKey(String);

impl CategoryKey {
    /// Parses a lower-case key of 2–40 characters.
    pub fn parse(raw: &str) -> Result<Self, VenueError> {
        let raw = raw.trim();
        let ok = (2..=40).contains(&raw.len())
            && raw.as_bytes()[0].is_ascii_lowercase()
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(VenueError::BadCategory)
        }
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A venue's display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueName(String);

impl VenueName {
    /// Parses a trimmed name of 1–200 characters.
    pub fn parse(raw: &str) -> Result<Self, VenueError> {
        let Ok(name) = plain_text(raw) else {
            return Err(VenueError::BadName);
        };
        if name.is_empty() || name.chars().count() > 200 || name.contains('\n') {
            Err(VenueError::BadName)
        } else {
            Ok(Self(name))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A venue to create, valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVenue {
    /// Display name.
    pub name: VenueName,
    /// Region.
    pub region_code: RegionCode,
    /// Category.
    pub category: CategoryKey,
    /// Optional address, parsed like the name by [`plain_text`].
    pub address: Option<String>,
}

impl NewVenue {
    /// Parses the raw fields of a venue.
    pub fn parse(
        name: &str,
        region_code: &str,
        category: &str,
        address: Option<&str>,
    ) -> Result<Self, VenueError> {
        let address = parse_address(address)?;
        Ok(Self {
            name: VenueName::parse(name)?,
            region_code: RegionCode::parse(region_code)?,
            category: CategoryKey::parse(category)?,
            address,
        })
    }
}

/// Parses an optional address: blank is none; otherwise like the name by
/// [`plain_text`], at most 500 characters, several lines allowed.
pub fn parse_address(raw: Option<&str>) -> Result<Option<String>, VenueError> {
    let address = raw
        .map(plain_text)
        .transpose()
        .map_err(|_| VenueError::BadAddress)?
        .filter(|a| !a.is_empty());
    if address.as_ref().is_some_and(|a| a.chars().count() > 500) {
        return Err(VenueError::BadAddress);
    }
    Ok(address)
}

/// A change to a venue, valid by construction: each field is `None` when
/// it stays as it is; an inner `None` clears an optional field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VenueEdit {
    /// A new name.
    pub name: Option<VenueName>,
    /// A new address, or none.
    pub address: Option<Option<String>>,
    /// A new region.
    pub region_code: Option<RegionCode>,
    /// A new category.
    pub category: Option<CategoryKey>,
    /// 单位性质.
    pub unit_type: Option<Option<super::venue_particulars::UnitType>>,
    /// 负责人.
    pub person_in_charge: Option<Option<super::venue_particulars::PersonInCharge>>,
    /// 联系电话.
    pub contact_phone: Option<Option<super::venue_particulars::ContactPhone>>,
    /// 员工人数.
    pub staff_count: Option<Option<super::venue_particulars::StaffCount>>,
    /// 设立时间.
    pub founded_on: Option<Option<super::venue_particulars::FoundingDate>>,
    /// 统一社会信用代码.
    pub credit_code: Option<Option<super::venue_particulars::CreditCode>>,
    /// `true` closes the venue, `false` reopens it.
    pub closed: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_valid_and_refuses_malformed() {
        let v = NewVenue::parse(" Hotel ", "652801", "hotel", Some("  ")).unwrap();
        assert_eq!(v.name.as_str(), "Hotel");
        assert_eq!(v.address, None);
        assert_eq!(
            NewVenue::parse("", "652801", "hotel", None),
            Err(VenueError::BadName)
        );
        assert_eq!(
            NewVenue::parse("x", "65280", "hotel", None),
            Err(VenueError::BadRegionCode)
        );
        assert_eq!(
            NewVenue::parse("x", "65280a", "hotel", None),
            Err(VenueError::BadRegionCode)
        );
        assert_eq!(
            NewVenue::parse("x", "652801", "Hotel", None),
            Err(VenueError::BadCategory)
        );
        assert_eq!(
            NewVenue::parse("x", "652801", "hotel", Some(&"a".repeat(501))),
            Err(VenueError::BadAddress)
        );
    }

    #[test]
    fn an_address_is_parsed_like_the_name() {
        let parse = |address: &str| NewVenue::parse("x", "652801", "hotel", Some(address));
        assert_eq!(parse("人民东路\0 1号"), Err(VenueError::BadAddress));
        assert_eq!(parse("\u{1b}[31m"), Err(VenueError::BadAddress));
        assert_eq!(
            parse(" 人民东路\u{202E}1号\r\n2楼 ")
                .unwrap()
                .address
                .as_deref(),
            Some("人民东路1号\n2楼")
        );
    }
}
