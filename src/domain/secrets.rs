//! Keys derived from `SECRET_KEY`, one per purpose, and what they protect:
//! device hashes, single-use form tokens, complaint contacts and the
//! secrets of sign-in authenticators. Also the wrapper that keeps configured
//! secrets out of logs, and the strength check `serve` applies to them.
//!
//! Past 500 lines only because its unit tests sit beside the code they pin down.

use crate::domain::ids::AccountId;
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use data_encoding::BASE64URL_NOPAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::code::constant_time_eq;
use super::rating::DeviceId;
use super::totp::TotpSecret;

/// A configured secret (a token, a key, a URL with a password): `Debug` and
/// `Display` print a redaction, so no log line or error can show it; the
/// value is read only through [`SecretString::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret value.
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The secret itself; every reader says so by calling this.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretString(<redacted>)")
    }
}

impl std::fmt::Display for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The `ADMIN_TOKEN` `deploy/run-demo.sh` uses: published, so `serve` takes it only with `--demo`.
pub const DEMO_ADMIN_TOKEN: &str = "demo-admin-token";
/// The `SECRET_KEY` `deploy/run-demo.sh` uses: published, so `serve` takes it only with `--demo`.
pub const DEMO_SECRET_KEY: &str = "demo-secret-key-change-me-0123456789abcdef";

/// How strong a configured secret must be for `serve`.
#[derive(Debug, Clone, Copy)]
pub struct SecretStrength {
    /// Fewest characters.
    pub min_chars: usize,
    /// Fewest bits by [`estimated_bits`].
    pub min_bits: f64,
}

/// `ADMIN_TOKEN`: 24 characters and an estimated 64 bits, out of reach of
/// online guessing (every guess is a request) with a wide margin.
pub const ADMIN_TOKEN_STRENGTH: SecretStrength = SecretStrength {
    min_chars: 24,
    min_bits: 64.0,
};
/// `SECRET_KEY`: 32 characters and an estimated 96 bits, since anyone who
/// has one MAC or hash made with it can guess offline.
pub const SECRET_KEY_STRENGTH: SecretStrength = SecretStrength {
    min_chars: 32,
    min_bits: 96.0,
};
/// Fewer different characters than this is a repeated word or a pattern,
/// whatever the length.
pub const MIN_DISTINCT_CHARS: usize = 10;

/// Why a configured secret is refused; never contains the value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WeakSecret {
    /// The published demo value, without the demo flag.
    #[error("is the published demo value; it is accepted only with --demo (or QRF_DEMO=1)")]
    DemoValue,
    /// Too short.
    #[error("has {chars} characters; at least {min} are needed")]
    TooShort {
        /// Characters it has.
        chars: usize,
        /// Characters needed.
        min: usize,
    },
    /// Too few different characters.
    #[error("uses only {distinct} different characters; at least {min} are needed")]
    FewDistinct {
        /// Different characters it has.
        distinct: usize,
        /// Different characters needed.
        min: usize,
    },
    /// Too predictable by its character frequencies.
    #[error("is too predictable (about {bits} bits estimated, at least {min} needed)")]
    LowEntropy {
        /// Estimated bits, rounded down.
        bits: u32,
        /// Bits needed.
        min: u32,
    },
}

/// An upper estimate of a secret's strength: its length times the Shannon
/// entropy of its own character frequencies. Random values score close to
/// their real strength (32 random hex digits ≈ 118 bits); repeats and small
/// alphabets score low. It cannot see that a varied text is a known phrase,
/// which is why the demo values are refused by name.
pub fn estimated_bits(value: &str) -> f64 {
    let mut counts = std::collections::HashMap::<char, usize>::new();
    for c in value.chars() {
        *counts.entry(c).or_default() += 1;
    }
    let n = value.chars().count() as f64;
    counts
        .values()
        .map(|&count| {
            let p = count as f64 / n;
            -p * p.log2() * n
        })
        .sum()
}

/// Checks a secret for `serve`: the published demo value only when `demo`,
/// otherwise long, varied and unpredictable enough for `strength`.
pub fn check_secret_strength(
    value: &str,
    strength: SecretStrength,
    demo_value: &str,
    demo: bool,
) -> Result<(), WeakSecret> {
    if value == demo_value {
        return if demo {
            Ok(())
        } else {
            Err(WeakSecret::DemoValue)
        };
    }
    let chars = value.chars().count();
    if chars < strength.min_chars {
        return Err(WeakSecret::TooShort {
            chars,
            min: strength.min_chars,
        });
    }
    let distinct = value
        .chars()
        .collect::<std::collections::HashSet<_>>()
        .len();
    if distinct < MIN_DISTINCT_CHARS {
        return Err(WeakSecret::FewDistinct {
            distinct,
            min: MIN_DISTINCT_CHARS,
        });
    }
    let bits = estimated_bits(value);
    if bits < strength.min_bits {
        return Err(WeakSecret::LowEntropy {
            bits: bits as u32,
            min: strength.min_bits as u32,
        });
    }
    Ok(())
}

/// How long a rating form stays valid after the page was served, in seconds.
pub const FORM_TOKEN_TTL_SECS: i64 = 6 * 3600;

/// Bytes in a form token's single-use nonce.
const NONCE_LEN: usize = 12;
const TOKEN_MAC_LEN: usize = 16;

/// Purpose-bound keys derived from the one configured secret.
#[derive(Clone)]
pub struct Secrets {
    code_key: [u8; 32],
    device_key: [u8; 32],
    network_key: [u8; 32],
    form_key: [u8; 32],
    contact_keys: ContactKeys,
    totp_key: [u8; 32],
}

/// The version of the contact key derived from `SECRET_KEY` itself, which
/// every contact sealed before `CONTACT_KEYS` was configured carries.
pub const SECRET_KEY_CONTACT_VERSION: i16 = 0;

/// The keys complaint contacts are sealed with, by version: version 0 comes
/// from `SECRET_KEY`, higher versions from `CONTACT_KEYS`. New contacts are
/// sealed with the highest version; older versions stay to open what was
/// sealed before, until `rotate-contacts` has re-sealed it.
#[derive(Clone)]
struct ContactKeys {
    /// (version, key), highest version first.
    keys: Vec<(i16, [u8; 32])>,
}

impl ContactKeys {
    fn current(&self) -> (i16, &[u8; 32]) {
        let (version, key) = &self.keys[0];
        (*version, key)
    }

    fn get(&self, version: i16) -> Option<&[u8; 32]> {
        self.keys
            .iter()
            .find(|(v, _)| *v == version)
            .map(|(_, k)| k)
    }
}

/// A complaint contact as stored: the key version it was sealed with, and
/// nonce ‖ ciphertext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedContact {
    /// The contact key's version.
    pub key_version: i16,
    /// Nonce ‖ ciphertext.
    pub bytes: Vec<u8>,
}

/// One configured contact key of `CONTACT_KEYS`: `version:secret`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactKeySpec {
    /// 1 to 32767; version 0 is the key derived from `SECRET_KEY`.
    pub version: i16,
    /// The key material.
    pub secret: SecretString,
}

/// Parses `CONTACT_KEYS`: comma-separated `version:secret` entries, each
/// version from 1 to 32767 and given once, each secret at least 32
/// characters. The message never contains a secret.
pub fn parse_contact_keys(text: &str) -> Result<Vec<ContactKeySpec>, String> {
    let mut specs: Vec<ContactKeySpec> = Vec::new();
    for (i, entry) in text.split(',').map(str::trim).enumerate() {
        if entry.is_empty() {
            continue;
        }
        let n = i + 1;
        let (version, secret) = entry
            .split_once(':')
            .ok_or_else(|| format!("entry {n} is not version:secret"))?;
        let version = version
            .trim()
            .parse::<i16>()
            .ok()
            .filter(|v| *v >= 1)
            .ok_or_else(|| {
                format!("entry {n} has a version that is not a number from 1 to 32767")
            })?;
        if specs.iter().any(|s| s.version == version) {
            return Err(format!("version {version} is given twice"));
        }
        if secret.chars().count() < SECRET_KEY_STRENGTH.min_chars {
            return Err(format!(
                "the key of version {version} has fewer than {} characters",
                SECRET_KEY_STRENGTH.min_chars
            ));
        }
        specs.push(ContactKeySpec {
            version,
            secret: SecretString::new(secret.to_owned()),
        });
    }
    Ok(specs)
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(..)")
    }
}

/// Why a form token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FormTokenError {
    /// Not a token this service issued for this venue.
    #[error("the form token is not valid")]
    Forged,
    /// Issued too long ago.
    #[error("the form has expired")]
    Expired,
}

/// The single-use part of a verified form token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormNonce(pub [u8; NONCE_LEN]);

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

impl Secrets {
    /// Derives every purpose key from the configured secret.
    pub fn derive(secret_key: &str) -> Self {
        let root = secret_key.as_bytes();
        Self {
            code_key: hmac(root, &[b"qrfeedback/venue-code"]),
            device_key: hmac(root, &[b"qrfeedback/device-hash"]),
            network_key: hmac(root, &[b"qrfeedback/network-hash"]),
            form_key: hmac(root, &[b"qrfeedback/form-token"]),
            contact_keys: ContactKeys {
                keys: vec![(
                    SECRET_KEY_CONTACT_VERSION,
                    hmac(root, &[b"qrfeedback/contact"]),
                )],
            },
            totp_key: hmac(root, &[b"qrfeedback/totp-secret"]),
        }
    }

    /// Adds the contact keys of `CONTACT_KEYS`; the highest version seals
    /// from now on.
    pub fn with_contact_keys(mut self, specs: &[ContactKeySpec]) -> Self {
        for spec in specs {
            let key = hmac(spec.secret.expose().as_bytes(), &[b"qrfeedback/contact"]);
            self.contact_keys.keys.retain(|(v, _)| *v != spec.version);
            self.contact_keys.keys.push((spec.version, key));
        }
        self.contact_keys
            .keys
            .sort_by_key(|(version, _)| std::cmp::Reverse(*version));
        self
    }

    /// The version new contacts are sealed with.
    pub fn current_contact_key_version(&self) -> i16 {
        self.contact_keys.current().0
    }

    /// The key venue codes are minted and verified with.
    pub fn code_key(&self) -> &[u8] {
        &self.code_key
    }

    /// The keyed hash stored instead of a device id.
    pub fn device_hash(&self, device: &DeviceId) -> [u8; 16] {
        let full = hmac(&self.device_key, &[device.as_str().as_bytes()]);
        full[..16].try_into().expect("32 >= 16")
    }

    /// The stored hash of an address prefix (see
    /// [`crate::domain::client_addr::network_prefix`]): keyed, so the stored
    /// value tells which ratings share a network and never which network.
    pub fn network_hash(&self, prefix: &str) -> [u8; 8] {
        let full = hmac(&self.network_key, &[prefix.as_bytes()]);
        full[..8].try_into().expect("32 >= 8")
    }

    /// The device id issued to an API client that sent an `Idempotency-Key` but
    /// no `device_id`: derived, so a replay gets the same id without storing it.
    pub fn device_for_idempotency_key(&self, key: &str) -> DeviceId {
        let full = hmac(&self.device_key, &[b"idempotency:", key.as_bytes()]);
        DeviceId::parse(&data_encoding::HEXLOWER.encode(&full[..16]))
            .expect("32 hex digits are a valid device id")
    }

    /// Issues a signed single-use token for one venue's rating form.
    pub fn issue_form_token(&self, venue_id: i64, issued_unix: i64) -> String {
        self.issue_bound_form_token(venue_id, &[], issued_unix)
    }

    /// Issues a signed single-use token for a form of `scope` that is valid
    /// only with `binding` (such as a cookie the browser holds), so a token
    /// copied into another browser is refused. An empty binding gives the
    /// same token as [`Secrets::issue_form_token`].
    pub fn issue_bound_form_token(&self, scope: i64, binding: &[u8], issued_unix: i64) -> String {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let issued = issued_unix.to_be_bytes();
        // The binding comes last, after fields of fixed length: no two
        // (scope, issued, nonce, binding) give the same MAC input.
        let mac = hmac(
            &self.form_key,
            &[&scope.to_be_bytes(), &issued, &nonce, binding],
        );
        let mut raw = Vec::with_capacity(8 + NONCE_LEN + TOKEN_MAC_LEN);
        raw.extend_from_slice(&issued);
        raw.extend_from_slice(&nonce);
        raw.extend_from_slice(&mac[..TOKEN_MAC_LEN]);
        BASE64URL_NOPAD.encode(&raw)
    }

    /// Checks a form token for this venue at `now_unix`, returning its nonce.
    pub fn verify_form_token(
        &self,
        token: &str,
        venue_id: i64,
        now_unix: i64,
    ) -> Result<FormNonce, FormTokenError> {
        self.verify_bound_form_token(token, venue_id, &[], now_unix)
    }

    /// Checks a token of [`Secrets::issue_bound_form_token`] for this scope
    /// and binding at `now_unix`, returning its nonce; spending the nonce
    /// once is the caller's.
    pub fn verify_bound_form_token(
        &self,
        token: &str,
        scope: i64,
        binding: &[u8],
        now_unix: i64,
    ) -> Result<FormNonce, FormTokenError> {
        let raw = BASE64URL_NOPAD
            .decode(token.as_bytes())
            .map_err(|_| FormTokenError::Forged)?;
        if raw.len() != 8 + NONCE_LEN + TOKEN_MAC_LEN {
            return Err(FormTokenError::Forged);
        }
        let (issued, rest) = raw.split_at(8);
        let (nonce, mac) = rest.split_at(NONCE_LEN);
        let expected = hmac(
            &self.form_key,
            &[&scope.to_be_bytes(), issued, nonce, binding],
        );
        if !constant_time_eq(&expected[..TOKEN_MAC_LEN], mac) {
            return Err(FormTokenError::Forged);
        }
        let issued_unix =
            i64::from_be_bytes(issued.try_into().map_err(|_| FormTokenError::Forged)?);
        // A little slack for clocks of several instances that disagree.
        if now_unix - issued_unix > FORM_TOKEN_TTL_SECS || issued_unix - now_unix > 300 {
            return Err(FormTokenError::Expired);
        }
        Ok(FormNonce(
            nonce.try_into().map_err(|_| FormTokenError::Forged)?,
        ))
    }

    /// Encrypts a complaint contact with the current contact key.
    pub fn seal_contact(&self, contact: &str) -> SealedContact {
        let (key_version, key) = self.contact_keys.current();
        let cipher = ChaCha20Poly1305::new(key.into());
        let nonce_bytes: [u8; 12] = rand::random();
        let sealed = cipher
            .encrypt(&Nonce::from(nonce_bytes), contact.as_bytes())
            .expect("ChaCha20-Poly1305 encryption of a short text cannot fail");
        SealedContact {
            key_version,
            bytes: [nonce_bytes.as_slice(), &sealed].concat(),
        }
    }

    /// Decrypts what [`Secrets::seal_contact`] produced; `None` if it was
    /// tampered with or its key version is not configured.
    pub fn open_contact(&self, sealed: &SealedContact) -> Option<String> {
        let key = self.contact_keys.get(sealed.key_version)?;
        if sealed.bytes.len() < 12 {
            return None;
        }
        let (nonce, body) = sealed.bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().ok()?;
        let cipher = ChaCha20Poly1305::new(key.into());
        let plain = cipher.decrypt(&Nonce::from(nonce), body).ok()?;
        String::from_utf8(plain).ok()
    }

    /// Encrypts an account's authenticator secret; the output is nonce ‖
    /// ciphertext. The account id is authenticated with it, so a sealed
    /// secret copied onto another account does not open.
    pub fn seal_totp_secret(&self, account_id: AccountId, secret: &TotpSecret) -> Vec<u8> {
        let cipher = ChaCha20Poly1305::new((&self.totp_key).into());
        let nonce_bytes: [u8; 12] = rand::random();
        let aad = account_id.get().to_be_bytes();
        let payload = Payload {
            msg: secret.as_bytes(),
            aad: &aad,
        };
        let sealed = cipher
            .encrypt(&Nonce::from(nonce_bytes), payload)
            .expect("ChaCha20-Poly1305 encryption of a short secret cannot fail");
        [nonce_bytes.as_slice(), &sealed].concat()
    }

    /// Decrypts what [`Secrets::seal_totp_secret`] produced for this account;
    /// `None` if it was tampered with, belongs to another account or was
    /// sealed under another `SECRET_KEY`.
    pub fn open_totp_secret(&self, account_id: AccountId, sealed: &[u8]) -> Option<TotpSecret> {
        if sealed.len() < 12 {
            return None;
        }
        let (nonce, body) = sealed.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().ok()?;
        let cipher = ChaCha20Poly1305::new((&self.totp_key).into());
        let aad = account_id.get().to_be_bytes();
        let payload = Payload {
            msg: body,
            aad: &aad,
        };
        let plain = cipher.decrypt(&Nonce::from(nonce), payload).ok()?;
        TotpSecret::from_bytes(&plain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets() -> Secrets {
        Secrets::derive("0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn a_wrapped_secret_never_prints() {
        let secret = SecretString::new("hunter2-hunter2-hunter2".into());
        assert_eq!(format!("{secret}"), "<redacted>");
        assert!(!format!("{secret:?}").contains("hunter2"));
        assert!(!format!("{:?}", Some(&secret)).contains("hunter2"));
        assert_eq!(secret.expose(), "hunter2-hunter2-hunter2");
    }

    #[test]
    fn weak_and_demo_secrets_are_refused() {
        let check = |value: &str, demo: bool| {
            check_secret_strength(value, SECRET_KEY_STRENGTH, DEMO_SECRET_KEY, demo)
        };
        assert_eq!(check(DEMO_SECRET_KEY, false), Err(WeakSecret::DemoValue));
        assert_eq!(check(DEMO_SECRET_KEY, true), Ok(()));
        assert!(matches!(
            check("short-but-varied-0123", true),
            Err(WeakSecret::TooShort { chars: 21, min: 32 })
        ));
        assert!(matches!(
            check(&"a".repeat(64), false),
            Err(WeakSecret::FewDistinct { distinct: 1, .. })
        ));
        assert!(matches!(
            check(&"password".repeat(6), false),
            Err(WeakSecret::FewDistinct { distinct: 7, .. })
        ));
        // Ten different characters, but nearly all one of them.
        let skewed = format!("{}bcdefghijk", "a".repeat(30));
        assert_eq!(
            check(&skewed, false),
            Err(WeakSecret::LowEntropy { bits: 65, min: 96 })
        );
        // What `openssl rand -hex 16` and `-base64 32` print.
        assert_eq!(check("9f86d081884c7d659a2feaa0c55ad015", false), Ok(()));
        assert_eq!(
            check("q3Xv8t1N0bVw6yJrL2mE9aHk4uZc7sPd5fGiRoTl1W0=", false),
            Ok(())
        );
        // The test harness's values pass, so tests run as production would.
        assert_eq!(
            check_secret_strength(
                "test-admin-token-0123456789",
                ADMIN_TOKEN_STRENGTH,
                DEMO_ADMIN_TOKEN,
                false
            ),
            Ok(())
        );
        assert_eq!(
            check("test-secret-key-0123456789abcdef-0123", false),
            Ok(())
        );
        assert_eq!(
            check_secret_strength(
                DEMO_ADMIN_TOKEN,
                ADMIN_TOKEN_STRENGTH,
                DEMO_ADMIN_TOKEN,
                false
            ),
            Err(WeakSecret::DemoValue)
        );
    }

    #[test]
    fn the_demo_script_uses_the_values_serve_knows_as_demo_values() {
        let script = include_str!("../../deploy/run-demo.sh");
        assert!(script.contains(&format!("ADMIN_TOKEN:-{DEMO_ADMIN_TOKEN}}}")));
        assert!(script.contains(&format!("SECRET_KEY:-{DEMO_SECRET_KEY}}}")));
        assert!(script.contains("serve --demo"));
    }

    #[test]
    fn the_estimate_is_length_times_per_character_entropy() {
        assert_eq!(estimated_bits(""), 0.0);
        assert_eq!(estimated_bits("aaaa"), 0.0);
        assert!((estimated_bits("abcd") - 8.0).abs() < 1e-9);
        assert!((estimated_bits(&"0123456789abcdef".repeat(2)) - 128.0).abs() < 1e-9);
    }

    #[test]
    fn form_tokens_bind_venue_and_expire() {
        let s = secrets();
        let token = s.issue_form_token(5, 1_000_000);
        let nonce = s.verify_form_token(&token, 5, 1_000_100).unwrap();
        assert_eq!(
            s.verify_form_token(&token, 6, 1_000_100),
            Err(FormTokenError::Forged)
        );
        assert_eq!(
            s.verify_form_token(&token, 5, 1_000_000 + FORM_TOKEN_TTL_SECS + 1),
            Err(FormTokenError::Expired)
        );
        assert_ne!(
            s.verify_form_token(&s.issue_form_token(5, 1_000_000), 5, 1_000_000)
                .unwrap(),
            nonce
        );
        let mut tampered = token.into_bytes();
        tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert_eq!(
            s.verify_form_token(&tampered, 5, 1_000_100),
            Err(FormTokenError::Forged)
        );
        assert_eq!(
            s.verify_form_token("not a token", 5, 0),
            Err(FormTokenError::Forged)
        );
    }

    #[test]
    fn bound_form_tokens_need_their_binding() {
        let s = secrets();
        let token = s.issue_bound_form_token(0, b"cookie-a", 1_000_000);
        assert!(
            s.verify_bound_form_token(&token, 0, b"cookie-a", 1_000_100)
                .is_ok()
        );
        assert_eq!(
            s.verify_bound_form_token(&token, 0, b"cookie-b", 1_000_100),
            Err(FormTokenError::Forged)
        );
        assert_eq!(
            s.verify_form_token(&token, 0, 1_000_100),
            Err(FormTokenError::Forged)
        );
    }

    #[test]
    fn device_hash_is_keyed_and_stable() {
        let device = DeviceId::parse("device-0001").unwrap();
        assert_eq!(
            secrets().device_hash(&device),
            secrets().device_hash(&device)
        );
        let other = Secrets::derive("another-secret-another-secret-xx");
        assert_ne!(secrets().device_hash(&device), other.device_hash(&device));
        assert_eq!(
            secrets().network_hash("203.0.113.0/24"),
            secrets().network_hash("203.0.113.0/24")
        );
        assert_ne!(
            secrets().network_hash("203.0.113.0/24"),
            other.network_hash("203.0.113.0/24")
        );
        let a = secrets().device_for_idempotency_key("k1");
        assert_eq!(a, secrets().device_for_idempotency_key("k1"));
        assert_ne!(a, secrets().device_for_idempotency_key("k2"));
    }

    #[test]
    fn contacts_round_trip_and_detect_tampering() {
        let s = secrets();
        let sealed = s.seal_contact("13800000000");
        assert_eq!(sealed.key_version, SECRET_KEY_CONTACT_VERSION);
        assert!(!sealed.bytes.windows(11).any(|w| w == b"13800000000"));
        assert_eq!(s.open_contact(&sealed).as_deref(), Some("13800000000"));
        let mut bad = sealed.clone();
        *bad.bytes.last_mut().unwrap() ^= 1;
        assert_eq!(s.open_contact(&bad), None);
    }

    fn key(version: i16, fill: char) -> ContactKeySpec {
        ContactKeySpec {
            version,
            secret: SecretString::new(std::iter::repeat_n(fill, 40).collect()),
        }
    }

    #[test]
    fn contact_keys_rotate_by_version() {
        let old = secrets().seal_contact("13800000000");
        let rotated = secrets().with_contact_keys(&[key(2, 'b'), key(1, 'a')]);
        assert_eq!(rotated.current_contact_key_version(), 2);
        // What the old key sealed still opens, and new contacts use version 2.
        assert_eq!(rotated.open_contact(&old).as_deref(), Some("13800000000"));
        let new = rotated.seal_contact("13900000000");
        assert_eq!(new.key_version, 2);
        assert_eq!(rotated.open_contact(&new).as_deref(), Some("13900000000"));
        // Under another SECRET_KEY version 0 is another key, yet version 2 opens.
        let moved =
            Secrets::derive("another-secret-another-secret-xx").with_contact_keys(&[key(2, 'b')]);
        assert_eq!(moved.open_contact(&old), None);
        assert_eq!(moved.open_contact(&new).as_deref(), Some("13900000000"));
        // A version nobody configured, or sealed under another key of the same number.
        assert_eq!(secrets().open_contact(&new), None);
        let other_two = secrets().with_contact_keys(&[key(2, 'c')]);
        assert_eq!(other_two.open_contact(&new), None);
    }

    #[test]
    fn contact_keys_parse_strictly() {
        let long = "k".repeat(32);
        let specs = parse_contact_keys(&format!("1:{long}, 3:{long}x")).unwrap();
        assert_eq!(
            specs.iter().map(|s| s.version).collect::<Vec<_>>(),
            vec![1, 3]
        );
        assert_eq!(specs[1].secret.expose(), format!("{long}x"));
        assert_eq!(parse_contact_keys("").unwrap(), vec![]);
        for (bad, says) in [
            (long.clone(), "not version:secret"),
            (format!("0:{long}"), "from 1 to 32767"),
            (format!("x:{long}"), "from 1 to 32767"),
            (format!("1:{long},1:{long}"), "given twice"),
            ("1:short".to_owned(), "fewer than 32"),
        ] {
            let err = parse_contact_keys(&bad).unwrap_err();
            assert!(err.contains(says), "{bad:?}: {err}");
            assert!(!err.contains(&long), "{err}");
        }
    }

    #[test]
    fn totp_secrets_round_trip_only_for_their_account() {
        let s = secrets();
        let secret = TotpSecret::generate();
        let sealed = s.seal_totp_secret(AccountId::new(7), &secret);
        assert_eq!(sealed.len(), 12 + 20 + 16);
        assert!(!sealed.windows(20).any(|w| w == secret.as_bytes()));
        assert_eq!(
            s.open_totp_secret(AccountId::new(7), &sealed),
            Some(secret.clone())
        );
        assert_eq!(s.open_totp_secret(AccountId::new(8), &sealed), None);
        let other = Secrets::derive("another-secret-another-secret-xx");
        assert_eq!(other.open_totp_secret(AccountId::new(7), &sealed), None);
        let mut bad = sealed.clone();
        bad[15] ^= 1;
        assert_eq!(s.open_totp_secret(AccountId::new(7), &bad), None);
        assert_eq!(s.open_totp_secret(AccountId::new(7), &sealed[..8]), None);
    }
}
