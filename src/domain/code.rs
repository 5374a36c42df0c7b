//! Venue codes: short, URL-safe, unguessable and reissuable.
//!
//! A code is twelve lower-case base32 characters: one for the key version and
//! eleven (55 bits) of an HMAC over the venue id and its reissue counter. The
//! version lets keys rotate; the counter makes each reissue a new code.

use crate::domain::ids::VenueId;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Characters in a venue code.
pub const CODE_LEN: usize = 12;
/// The key version new codes are minted with.
pub const CURRENT_KEY_VERSION: u8 = 1;

const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// A syntactically valid venue code (its MAC is checked against the store).
///
/// ```
/// use qrfeedback::domain::code::VenueCode;
/// use qrfeedback::domain::ids::VenueId;
/// let key = b"a key derived from SECRET_KEY";
/// let venue = VenueId::new(42);
/// let code = VenueCode::mint(key, 1, venue, 0);
/// assert_eq!(code.as_str().len(), 12);
/// assert!(code.verify(key, venue, 0));
/// assert!(!code.verify(key, venue, 1), "a reissue makes a new code");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VenueCode(String);

impl VenueCode {
    /// Parses the form of a code; anything else is not a code at all.
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = raw.len() == CODE_LEN && raw.bytes().all(|b| ALPHABET.contains(&b));
        ok.then(|| Self(raw.to_owned()))
    }

    /// Mints the code for a venue's `code_seq`-th issue under a key version.
    pub fn mint(secret: &[u8], key_version: u8, venue_id: VenueId, code_seq: i32) -> Self {
        let mac = code_mac(secret, key_version, venue_id, code_seq);
        let mut out = String::with_capacity(CODE_LEN);
        out.push(ALPHABET[usize::from(key_version % 32)] as char);
        // 55 bits of the MAC, five bits per character.
        let bits = u64::from_be_bytes(mac[..8].try_into().expect("HMAC-SHA256 has 32 bytes"));
        for i in 0..(CODE_LEN - 1) {
            let index = (bits >> (59 - 5 * i)) & 31;
            out.push(ALPHABET[index as usize] as char);
        }
        Self(out)
    }

    /// Whether this code is exactly what `mint` gives for these inputs.
    pub fn verify(&self, secret: &[u8], venue_id: VenueId, code_seq: i32) -> bool {
        let expected = Self::mint(secret, self.key_version(), venue_id, code_seq);
        constant_time_eq(expected.0.as_bytes(), self.0.as_bytes())
    }

    /// The key version the code was minted with.
    pub fn key_version(&self) -> u8 {
        let first = self.0.as_bytes()[0];
        ALPHABET.iter().position(|&c| c == first).unwrap_or(0) as u8
    }

    /// The code text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn code_mac(secret: &[u8], key_version: u8, venue_id: VenueId, code_seq: i32) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(b"qrfeedback venue code v");
    mac.update(&[key_version]);
    mac.update(&venue_id.get().to_be_bytes());
    mac.update(&code_seq.to_be_bytes());
    mac.finalize().into_bytes().into()
}

/// Compares two byte strings without an early exit, so timing says nothing.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"test-secret-test-secret-test-secret";

    #[test]
    fn minted_codes_are_short_url_safe_and_verify() {
        let code = VenueCode::mint(SECRET, CURRENT_KEY_VERSION, VenueId::new(42), 0);
        assert_eq!(code.as_str().len(), CODE_LEN);
        assert!(code.as_str().bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(VenueCode::parse(code.as_str()), Some(code.clone()));
        assert_eq!(code.key_version(), CURRENT_KEY_VERSION);
        assert!(code.verify(SECRET, VenueId::new(42), 0));
        assert!(!code.verify(SECRET, VenueId::new(43), 0));
        assert!(!code.verify(SECRET, VenueId::new(42), 1));
        assert!(!code.verify(b"another-secret-another-secret", VenueId::new(42), 0));
    }

    #[test]
    fn reissue_changes_the_code() {
        let a = VenueCode::mint(SECRET, 1, VenueId::new(7), 0);
        let b = VenueCode::mint(SECRET, 1, VenueId::new(7), 1);
        assert_ne!(a, b);
    }

    proptest::proptest! {
        #[test]
        fn every_minted_code_parses_and_verifies_only_for_its_venue(
            venue_id in 1i64..i64::MAX,
            seq in 0i32..10_000,
        ) {
            let code = VenueCode::mint(SECRET, CURRENT_KEY_VERSION, VenueId::new(venue_id), seq);
            proptest::prop_assert_eq!(VenueCode::parse(code.as_str()), Some(code.clone()));
            proptest::prop_assert!(code.verify(SECRET, VenueId::new(venue_id), seq));
            proptest::prop_assert!(!code.verify(SECRET, VenueId::new(venue_id.wrapping_add(1)), seq));
            proptest::prop_assert!(!code.verify(SECRET, VenueId::new(venue_id), seq + 1));
        }
    }

    #[test]
    fn malformed_codes_do_not_parse() {
        for raw in [
            "",
            "short",
            "ABCDEFGHIJKL",
            "abcdefghijk1",
            "abcdefghijklm",
            "abc/efghijkl",
        ] {
            assert_eq!(VenueCode::parse(raw), None, "{raw}");
        }
    }
}
