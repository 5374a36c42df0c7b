//! The second sign-in factor: time-based one-time codes (RFC 6238, the
//! codes of ordinary authenticator apps) and single-use recovery codes.
//!
//! Codes are six digits for 30-second steps, HMAC-SHA-1, as every
//! authenticator app supports; one step of clock skew either way is
//! accepted. A step that was accepted once is never accepted again (RFC 6238
//! §5.2): the caller stores the step [`TotpSecret::verify`] returns and hands
//! it back as `last_used_step`.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, Params};
use data_encoding::BASE32_NOPAD;
use totp_rs::{Algorithm, Builder, Totp, TotpError};

use super::access::Role;

/// The issuer authenticator apps show next to the account name.
pub const ISSUER: &str = "qrfeedback";
/// Length of a time step, in seconds.
pub const STEP_SECS: u64 = 30;
/// Steps of clock skew accepted before and after the current one.
pub const SKEW_STEPS: u16 = 1;
/// Digits of a code.
pub const CODE_DIGITS: usize = 6;
/// Bytes of a secret: 160 bits, RFC 4226's recommendation.
pub const SECRET_BYTES: usize = 20;
/// Recovery codes handed out at once.
pub const RECOVERY_CODE_COUNT: usize = 10;
/// Characters of a recovery code, without its hyphens (5 bits each: 80 bits).
pub const RECOVERY_CODE_CHARS: usize = 16;
/// Characters between two hyphens of a shown code.
const RECOVERY_GROUP_CHARS: usize = 4;

/// Crockford's base32 alphabet, lower case: no `i`, `l`, `o` or `u`, so a
/// code read aloud or copied by hand has no look-alikes left.
const RECOVERY_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Whether accounts of this role must have a second factor before they may
/// do anything: those that see or change more than their own venues.
pub fn requires_totp(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Regulator)
}

/// The secret an authenticator app shares with us. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret([u8; SECRET_BYTES]);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(***)")
    }
}

/// Why a code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeRejected {
    /// Not the code of any step within the accepted skew.
    #[error("the code is wrong or expired")]
    Wrong,
    /// The code's step, or a later one, was accepted before.
    #[error("the code was already used")]
    Replayed,
}

impl TotpSecret {
    /// A fresh random secret.
    pub fn generate() -> Self {
        Self(rand::random())
    }

    /// A secret read back from storage; `None` unless it is [`SECRET_BYTES`] long.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    /// The raw secret, for sealing.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The secret as people type it into an app: RFC 4648 base32, no padding.
    pub fn to_base32(&self) -> String {
        BASE32_NOPAD.encode(&self.0)
    }

    /// The base32 secret in groups of four, easier to copy by hand; apps ignore the spaces.
    pub fn to_base32_grouped(&self) -> String {
        let plain = self.to_base32();
        let groups: Vec<&str> = plain
            .as_bytes()
            .chunks(4)
            // Base32 output is ASCII, so every chunk is valid UTF-8.
            .filter_map(|chunk| std::str::from_utf8(chunk).ok())
            .collect();
        groups.join(" ")
    }

    fn totp(&self, account_name: &str) -> Result<Totp, TotpError> {
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(CODE_DIGITS as u8)
            .with_skew(SKEW_STEPS)
            .with_step_duration(STEP_SECS)
            .with_secret(self.0)
            .with_issuer(Some(ISSUER))
            .with_account_name(account_name)
            .build()
    }

    /// The `otpauth://totp/qrfeedback:<login>?secret=…&issuer=qrfeedback` URL
    /// an app reads from the QR code. Fails only for a name with a `:`,
    /// which login names never have.
    pub fn otpauth_url(&self, login: &str) -> Result<String, TotpError> {
        self.totp(login)?.to_url()
    }

    /// The code an authenticator app shows at `now_unix`, and its time step.
    pub fn code_at(&self, now_unix: u64) -> Result<(String, u64), TotpError> {
        Ok((
            self.totp("account")?.generate(now_unix).to_string(),
            now_unix / STEP_SECS,
        ))
    }

    /// Checks a code at `now_unix`, one step of skew either way; returns the
    /// step it belongs to, which the caller must store as the new last used
    /// step. A step at or before `last_used_step` is refused as a replay.
    pub fn verify(
        &self,
        code: &TotpCode,
        now_unix: i64,
        last_used_step: Option<i64>,
    ) -> Result<i64, CodeRejected> {
        let now = u64::try_from(now_unix).map_err(|_| CodeRejected::Wrong)?;
        // The account name plays no part in the codes.
        let totp = self.totp("account").map_err(|_| CodeRejected::Wrong)?;
        let step = totp.check(&code.0, now).ok_or(CodeRejected::Wrong)?;
        let step = i64::try_from(step).map_err(|_| CodeRejected::Wrong)?;
        if last_used_step.is_some_and(|last| step <= last) {
            return Err(CodeRejected::Replayed);
        }
        Ok(step)
    }
}

/// Six digits as typed into the form; spaces are dropped ("123 456").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpCode(String);

impl TotpCode {
    /// Reads a code: exactly [`CODE_DIGITS`] ASCII digits once spaces are gone.
    pub fn parse(raw: &str) -> Option<Self> {
        let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let shaped = digits.len() == CODE_DIGITS && digits.bytes().all(|b| b.is_ascii_digit());
        shaped.then_some(Self(digits))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A single-use recovery code, `xxxx-xxxx-xxxx-xxxx` (80 random bits). Its
/// `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(***)")
    }
}

impl RecoveryCode {
    /// A fresh random code.
    pub fn generate() -> Self {
        let bytes: [u8; RECOVERY_CODE_CHARS] = rand::random();
        // 32 symbols: the low five bits of a uniform byte are uniform.
        let chars: String = bytes
            .iter()
            .map(|b| char::from(RECOVERY_ALPHABET[usize::from(b & 31)]))
            .collect();
        Self::from_plain(&chars)
    }

    /// [`RECOVERY_CODE_COUNT`] fresh codes, all different.
    pub fn generate_set() -> Vec<Self> {
        let mut codes: Vec<Self> = Vec::with_capacity(RECOVERY_CODE_COUNT);
        while codes.len() < RECOVERY_CODE_COUNT {
            let code = Self::generate();
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        codes
    }

    /// Reads a typed code: case, spaces and hyphens do not matter, and the
    /// look-alikes `o`, `i` and `l` are read as `0`, `1` and `1`.
    pub fn parse(raw: &str) -> Option<Self> {
        let mut plain = String::with_capacity(RECOVERY_CODE_CHARS);
        for c in raw.chars() {
            let c = match c.to_ascii_lowercase() {
                ' ' | '-' | '\t' => continue,
                'o' => '0',
                'i' | 'l' => '1',
                other => other,
            };
            if !c.is_ascii() || !RECOVERY_ALPHABET.contains(&(c as u8)) {
                return None;
            }
            plain.push(c);
            if plain.len() > RECOVERY_CODE_CHARS {
                return None;
            }
        }
        (plain.len() == RECOVERY_CODE_CHARS).then(|| Self::from_plain(&plain))
    }

    fn from_plain(plain: &str) -> Self {
        let groups: Vec<&str> = plain
            .as_bytes()
            .chunks(RECOVERY_GROUP_CHARS)
            // The alphabet is ASCII, so every chunk is a whole string.
            .filter_map(|chunk| std::str::from_utf8(chunk).ok())
            .collect();
        Self(groups.join("-"))
    }

    fn plain(&self) -> String {
        self.0.chars().filter(|&c| c != '-').collect()
    }

    /// The code as shown to its owner, once.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// What is stored: an argon2id PHC string of the code without its
    /// hyphens, with a salt of its own, so a copy of the table gives no
    /// code, nor a way to test guesses against all codes at once. The
    /// parameters are modest: 80 random bits need no memory-hard defence,
    /// and a sign-in checks up to ten of them.
    pub fn hash_for_storage(&self) -> String {
        recovery_argon2()
            .hash_password(self.plain().as_bytes())
            .map(|hash| hash.to_string())
            // Only an unusable system random source makes this fail.
            .expect("argon2id hashing with fixed valid parameters")
    }

    /// Whether this is the code behind a stored PHC string; a malformed
    /// stored string matches nothing.
    pub fn matches(&self, phc: &str) -> bool {
        recovery_argon2()
            .verify_password(self.plain().as_bytes(), phc)
            .is_ok()
    }
}

/// argon2id with 4 MiB and two passes: a few milliseconds per code.
fn recovery_argon2() -> Argon2<'static> {
    let params = Params::new(4096, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

/// What a person typed at the second sign-in step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactorCode {
    /// A code from the authenticator app.
    Totp(TotpCode),
    /// One of the recovery codes.
    Recovery(RecoveryCode),
}

impl SecondFactorCode {
    /// Reads either kind; six digits are an app code, anything else must be a recovery code.
    pub fn parse(raw: &str) -> Option<Self> {
        TotpCode::parse(raw)
            .map(Self::Totp)
            .or_else(|| RecoveryCode::parse(raw).map(Self::Recovery))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SHA-1 secret of RFC 6238 appendix B.
    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890").unwrap()
    }

    fn code(raw: &str) -> TotpCode {
        TotpCode::parse(raw).unwrap()
    }

    #[test]
    fn rfc_6238_vectors_verify_at_their_times() {
        // Appendix B lists eight digits; six-digit codes are their last six.
        let vectors = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        let secret = rfc_secret();
        for (time, eight) in vectors {
            let six = code(&eight[2..]);
            let step = secret.verify(&six, time, None);
            assert_eq!(step, Ok(time / 30), "t={time}");
        }
    }

    #[test]
    fn one_step_of_skew_either_way_and_no_more() {
        let secret = rfc_secret();
        // 287082 is the code of step 1 (t = 30..59).
        let c = code("287082");
        assert_eq!(secret.verify(&c, 59 + 30, None), Ok(1));
        assert_eq!(secret.verify(&c, 59 - 30, None), Ok(1));
        assert_eq!(secret.verify(&c, 59 + 60, None), Err(CodeRejected::Wrong));
        assert_eq!(
            secret.verify(&code("287083"), 59, None),
            Err(CodeRejected::Wrong)
        );
        assert_eq!(secret.verify(&c, -1, None), Err(CodeRejected::Wrong));
    }

    #[test]
    fn a_step_is_accepted_once_and_never_an_earlier_one() {
        let secret = rfc_secret();
        let c = code("287082");
        assert_eq!(secret.verify(&c, 59, Some(0)), Ok(1));
        assert_eq!(secret.verify(&c, 59, Some(1)), Err(CodeRejected::Replayed));
        assert_eq!(secret.verify(&c, 59, Some(2)), Err(CodeRejected::Replayed));
    }

    #[test]
    fn codes_are_six_digits_spaces_aside() {
        assert_eq!(code(" 287 082 ").as_str(), "287082");
        for bad in ["", "28708", "2870822", "28708a", "+87082", "２８７０８２"] {
            assert_eq!(TotpCode::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn secrets_are_random_base32_and_hidden_from_debug() {
        let secret = TotpSecret::generate();
        assert_ne!(secret, TotpSecret::generate());
        assert_eq!(secret.to_base32().len(), 32);
        assert_eq!(secret.to_base32_grouped().len(), 32 + 7);
        assert_eq!(
            secret.to_base32_grouped().replace(' ', ""),
            secret.to_base32()
        );
        assert_eq!(
            TotpSecret::from_bytes(secret.as_bytes()),
            Some(secret.clone())
        );
        assert_eq!(TotpSecret::from_bytes(&[0; 16]), None);
        assert!(!format!("{secret:?}").contains(&secret.to_base32()));
        assert_eq!(rfc_secret().to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn the_otpauth_url_names_issuer_and_login() {
        let url = rfc_secret().otpauth_url("chief.admin").unwrap();
        assert_eq!(
            url,
            "otpauth://totp/qrfeedback:chief.admin?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=qrfeedback"
        );
        assert!(rfc_secret().otpauth_url("a:b").is_err());
    }

    #[test]
    fn recovery_codes_are_distinct_readable_and_round_trip() {
        let codes = RecoveryCode::generate_set();
        assert_eq!(codes.len(), RECOVERY_CODE_COUNT);
        for (i, c) in codes.iter().enumerate() {
            let shown = c.reveal();
            assert_eq!(shown.len(), RECOVERY_CODE_CHARS + 3, "{shown}");
            assert!([4, 9, 14].iter().all(|&i| shown.as_bytes()[i] == b'-'));
            assert!(
                shown
                    .bytes()
                    .all(|b| b == b'-' || RECOVERY_ALPHABET.contains(&b))
            );
            assert_eq!(RecoveryCode::parse(shown).as_ref(), Some(c));
            assert_eq!(RecoveryCode::parse(&shown.to_uppercase()).as_ref(), Some(c));
            assert!(codes[i + 1..].iter().all(|other| other != c));
            assert!(!format!("{c:?}").contains(shown));
        }
    }

    #[test]
    fn recovery_codes_fold_look_alikes_and_refuse_other_shapes() {
        let c = RecoveryCode::parse("1o2z-kq9p-abcd-efgh").unwrap();
        assert_eq!(c.reveal(), "102z-kq9p-abcd-efgh");
        assert_eq!(RecoveryCode::parse("I02Z KQ9P ABCD EFGH"), Some(c.clone()));
        assert_eq!(RecoveryCode::parse("l02zkq9pabcdefgh"), Some(c.clone()));
        for bad in [
            "",
            "1o2z-kq9p",
            "1o2z-kq9p-abcd-efg",
            "1o2z-kq9p-abcd-efghj",
            "1o2z-kq9p-abcd-efgu",
            "1o2z_kq9p-abcd-efgh",
            "1o2z-kq9p-abcd-efgü",
        ] {
            assert_eq!(RecoveryCode::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn recovery_codes_are_stored_salted_and_slow() {
        let c = RecoveryCode::generate();
        let stored = c.hash_for_storage();
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(!stored.contains(&c.plain()));
        assert_ne!(stored, c.hash_for_storage(), "each hash has its own salt");
        assert!(c.matches(&stored));
        assert!(!RecoveryCode::generate().matches(&stored));
        assert!(!c.matches("not a hash"));
    }

    #[test]
    fn second_factor_input_is_an_app_code_or_a_recovery_code() {
        assert_eq!(
            SecondFactorCode::parse("287 082"),
            Some(SecondFactorCode::Totp(code("287082")))
        );
        assert!(matches!(
            SecondFactorCode::parse("1o2z-kq9p-abcd-efgh"),
            Some(SecondFactorCode::Recovery(_))
        ));
        assert_eq!(
            SecondFactorCode::parse("1234567812345678").map(|_| ()),
            Some(())
        );
        assert_eq!(SecondFactorCode::parse("hello"), None);
    }

    #[test]
    fn only_supervisors_must_have_a_second_factor() {
        assert!(requires_totp(Role::Admin));
        assert!(requires_totp(Role::Regulator));
        assert!(!requires_totp(Role::VenueStaff));
    }
}
