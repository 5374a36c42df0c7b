//! Credentials of people's accounts: login names, passwords (hashed with
//! argon2id) and the single-use invitation tokens through which a person
//! sets their own password.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Shortest accepted password, in characters.
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Longest accepted password, in characters (bounds the hashing work).
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Why a login name or password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// The login name is not 3–64 of `a-z 0-9 . _ -`, starting with a letter or digit.
    #[error(
        "login must be 3 to 64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit"
    )]
    BadLogin,
    /// Too short or too long.
    #[error("password must be {PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters")]
    PasswordLength,
    /// The password contains the login name.
    #[error("password must not contain the login name")]
    PasswordContainsLogin,
}

/// A login name: lower case, 3–64 characters of `a-z 0-9 . _ -`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login(String);

impl Login {
    /// Parses a login name; letters are folded to lower case, so `Alice`
    /// and `alice` are the same account.
    pub fn parse(raw: &str) -> Result<Self, CredentialError> {
        let login = raw.trim().to_ascii_lowercase();
        let shaped = (3..=64).contains(&login.len())
            && login
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && login.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
            });
        if shaped {
            Ok(Self(login))
        } else {
            Err(CredentialError::BadLogin)
        }
    }

    /// The name as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that passed the rules. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    /// Accepts 12–128 characters that do not contain the login name (in any
    /// case). Length is what makes a password strong; composition rules only
    /// push people towards predictable patterns.
    pub fn parse(raw: String, login: &str) -> Result<Self, CredentialError> {
        let chars = raw.chars().count();
        if !(PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&chars) {
            return Err(CredentialError::PasswordLength);
        }
        let login = login.trim().to_lowercase();
        if !login.is_empty() && raw.to_lowercase().contains(&login) {
            return Err(CredentialError::PasswordContainsLogin);
        }
        Ok(Self(raw))
    }

    /// The password itself, for hashing.
    fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// Hashes a password with argon2id (default parameters: 19 MiB, 2 passes,
/// one lane — OWASP's recommendation) and a random salt, as a PHC string
/// `$argon2id$v=19$m=…,t=…,p=…$salt$hash`.
pub fn hash_password(password: &Password) -> String {
    argon2id()
        .hash_password(password.expose())
        .map(|hash| hash.to_string())
        // Only an unusable system random source or out-of-range parameters
        // make this fail; the parameters are fixed here and valid.
        .expect("argon2id hashing with default parameters")
}

/// Whether `candidate` is the password behind a stored PHC string; a
/// malformed stored string matches nothing.
pub fn verify_password(candidate: &str, phc: &str) -> bool {
    argon2id()
        .verify_password(candidate.as_bytes(), phc)
        .is_ok()
}

/// A PHC string with the same parameters as real ones, of a password nobody
/// knows: checking a candidate against it for an unknown login takes as long
/// as for a known login with a wrong password, so timing does not tell which
/// logins exist.
pub static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let secret: [u8; 32] = rand::random();
    let unknowable = Password(data_encoding::HEXLOWER.encode(&secret));
    hash_password(&unknowable)
});

fn argon2id() -> Argon2<'static> {
    Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::default(),
    )
}

/// The secret of an invitation link: 256 random bits, shown once; only its
/// SHA-256 is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct InvitationToken(String);

impl std::fmt::Debug for InvitationToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InvitationToken(***)")
    }
}

impl InvitationToken {
    /// A fresh random token.
    pub fn generate() -> Self {
        let bytes: [u8; 32] = rand::random();
        Self(
            data_encoding::BASE32_NOPAD
                .encode(&bytes)
                .to_ascii_lowercase(),
        )
    }

    /// Reads a presented token; `None` if it is not shaped like one.
    pub fn parse(raw: &str) -> Option<Self> {
        let shaped = (40..=64).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        shaped.then(|| Self(raw.to_owned()))
    }

    /// The text for the link.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// What is stored: SHA-256 of the token (it is random, so no slow hash
    /// is needed to resist guessing).
    pub fn hash(&self) -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(self.0.as_bytes()).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_folded_to_lower_case_and_shaped() {
        assert_eq!(Login::parse(" Alice.W ").unwrap().as_str(), "alice.w");
        assert_eq!(Login::parse("bz-652800_1").unwrap().as_str(), "bz-652800_1");
        for bad in [
            "",
            "ab",
            ".alice",
            "-x1",
            "张三",
            "a b c",
            "a@b.c",
            &"a".repeat(65),
        ] {
            assert_eq!(Login::parse(bad), Err(CredentialError::BadLogin), "{bad}");
        }
    }

    #[test]
    fn passwords_are_bounded_and_free_of_the_login() {
        let ok = |raw: &str| Password::parse(raw.to_owned(), "alice");
        assert!(ok("correct horse battery").is_ok());
        assert!(
            ok("十二个字符的中文密码也可以吧").is_ok(),
            "characters, not bytes"
        );
        assert_eq!(ok("short pass"), Err(CredentialError::PasswordLength));
        assert_eq!(ok(&"x".repeat(129)), Err(CredentialError::PasswordLength));
        assert!(ok(&"x".repeat(128)).is_ok());
        assert_eq!(
            ok("my name is ALICE really"),
            Err(CredentialError::PasswordContainsLogin)
        );
        let shown = format!("{:?}", ok("correct horse battery").unwrap());
        assert!(!shown.contains("horse"), "{shown}");
    }

    #[test]
    fn hashes_are_salted_argon2id_and_verify_only_the_password() {
        let password = Password::parse("correct horse battery".into(), "alice").unwrap();
        let first = hash_password(&password);
        let second = hash_password(&password);
        assert!(
            first.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{first}"
        );
        assert_ne!(first, second, "a fresh salt each time");
        assert!(verify_password("correct horse battery", &first));
        assert!(verify_password("correct horse battery", &second));
        assert!(!verify_password("correct horse batterY", &first));
        assert!(!verify_password("", &first));
        assert!(!verify_password(
            "correct horse battery",
            "not a phc string"
        ));
    }

    #[test]
    fn the_dummy_hash_costs_the_same_and_matches_nothing() {
        let real = hash_password(&Password::parse("correct horse battery".into(), "x").unwrap());
        let params = |phc: &str| phc.split('$').nth(3).map(str::to_owned);
        assert_eq!(params(&DUMMY_HASH), params(&real));
        assert!(DUMMY_HASH.starts_with("$argon2id$"));
        assert!(!verify_password("correct horse battery", &DUMMY_HASH));
        assert!(!verify_password("", &DUMMY_HASH));
    }

    #[test]
    fn invitation_tokens_round_trip_and_refuse_other_shapes() {
        let token = InvitationToken::generate();
        assert_eq!(token.reveal().len(), 52);
        assert_eq!(InvitationToken::parse(token.reveal()), Some(token.clone()));
        assert_ne!(InvitationToken::generate(), token);
        assert_eq!(token.hash().len(), 32);
        for bad in ["", "short", "{token}", &"A".repeat(52), &"a".repeat(65)] {
            assert_eq!(InvitationToken::parse(bad), None, "{bad}");
        }
    }
}
