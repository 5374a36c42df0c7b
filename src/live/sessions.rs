//! Sign-in sessions, sign-ins waiting for their second factor, sign-in
//! throttling and single-use sign-in forms. Unlike the other Redis uses
//! these have no Postgres fallback: without Redis nobody can sign in, which
//! is the safe way to fail, so neither the throttle nor the form tokens
//! need one.
//!
//! Past 500 lines only because its unit tests sit beside the code they pin down.

use crate::domain::ids::AccountId;
use data_encoding::HEXLOWER;
use sha2::{Digest, Sha256};

use super::{Live, LiveDown};
use crate::domain::secrets::FORM_TOKEN_TTL_SECS;

/// A session ends after this long without a request.
pub const SESSION_IDLE_SECS: i64 = 30 * 60;
/// A session ends this long after sign-in, however busy.
pub const SESSION_ABSOLUTE_SECS: i64 = 12 * 3600;
/// Length of the window in which failed sign-ins are counted.
pub const THROTTLE_WINDOW_SECS: i64 = 15 * 60;
/// Failed sign-ins allowed per login name within a window.
pub const FAILURES_PER_LOGIN: u64 = 5;
/// Failed sign-ins allowed per client address within a window.
pub const FAILURES_PER_IP: u64 = 20;
/// How long a correct password waits for its second factor.
pub const PENDING_SIGNIN_SECS: i64 = 5 * 60;

/// The secret a browser holds in its session cookie (or, between password
/// and second factor, in its pending sign-in cookie): 256 random bits. Only
/// its SHA-256 names the Redis key, so a copy of Redis holds no usable session.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionId(String);

impl std::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionId(***)")
    }
}

impl SessionId {
    /// A fresh random id.
    pub fn generate() -> Self {
        let bytes: [u8; 32] = rand::random();
        Self(HEXLOWER.encode(&bytes))
    }

    /// Reads an id from a cookie: exactly 64 lower-case hex digits.
    pub fn parse(raw: &str) -> Option<Self> {
        let shaped = raw.len() == 64 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        shaped.then(|| Self(raw.to_owned()))
    }

    /// The id itself, for the cookie.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn digest(&self) -> String {
        HEXLOWER.encode(Sha256::digest(self.0.as_bytes()).as_slice())
    }
}

/// What a session knows about who signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionData {
    /// The account.
    pub account_id: AccountId,
    /// Its role key at sign-in.
    pub role: String,
    /// When the session was created, Unix milliseconds: fine enough to
    /// compare with a cutoff such as a reset of the second factor a moment before.
    pub created_ms: i64,
    /// The token every state-changing form of this session must carry.
    pub csrf_token: String,
    /// The account must enrol a second factor before anything else: pages
    /// other than the enrolment page refuse such a session.
    pub must_enrol_totp: bool,
}

/// A sign-in whose password was right and whose second factor is awaited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignIn {
    /// The account.
    pub account_id: AccountId,
    /// Its role key.
    pub role: String,
    /// The login name as typed, so failed codes count against the same
    /// throttle as failed passwords.
    pub login: String,
    /// The token the second-step form must carry.
    pub csrf_token: String,
    /// When the password was accepted, Unix seconds.
    pub created_unix: i64,
}

/// Seconds a session may still idle: the idle limit, cut by the absolute one.
fn remaining_ttl_secs(created_unix: i64, now_unix: i64) -> Option<i64> {
    let left = SESSION_ABSOLUTE_SECS - (now_unix - created_unix);
    (left > 0).then(|| left.min(SESSION_IDLE_SECS))
}

/// Login names arrive unparsed on failed attempts; hashing bounds the key length.
fn login_digest(login: &str) -> String {
    HEXLOWER.encode(Sha256::digest(login.trim().to_lowercase().as_bytes()).as_slice())
}

impl Live {
    fn session_key(&self, id: &SessionId) -> String {
        self.key(format_args!("session:{}", id.digest()))
    }

    fn account_sessions_key(&self, account_id: AccountId) -> String {
        self.key(format_args!("account:{account_id}:sessions"))
    }

    fn pending_signin_key(&self, id: &SessionId) -> String {
        self.key(format_args!("signin:pending:{}", id.digest()))
    }

    // The throttle's counts and spent form nonces share one hash tag: the
    // script that takes an attempt reads and writes them together, and on
    // a cluster a script's keys must lie in one slot. Sign-ins are few, so
    // one slot holds them all easily.
    fn throttle_keys(&self, login: &str, client_ip: &str) -> (String, String) {
        (
            self.key(format_args!("{{signin}}:login:{}", login_digest(login))),
            self.key(format_args!("{{signin}}:ip:{client_ip}")),
        )
    }

    fn form_nonce_key(&self, nonce: &[u8]) -> String {
        self.key(format_args!("{{signin}}:form:{}", HEXLOWER.encode(nonce)))
    }

    /// Stores a new session and files it under its account.
    ///
    /// Two steps, each atomic on its own key: the session and its account's
    /// set lie in different cluster slots, which one transaction may not
    /// span. The session is filed first, so no session exists that ending
    /// all of its account's sessions would miss; a failure in between only
    /// leaves the name of a session that never started in the set.
    pub async fn create_session(&self, id: &SessionId, data: &SessionData) -> Result<(), LiveDown> {
        let key = self.session_key(id);
        let set = self.account_sessions_key(data.account_id);
        let digest = id.digest();
        let fields = [
            ("account_id", data.account_id.to_string()),
            ("role", data.role.clone()),
            ("created_unix", data.created_ms.div_euclid(1000).to_string()),
            ("created_ms", data.created_ms.to_string()),
            ("csrf_token", data.csrf_token.clone()),
            (
                "must_enrol_totp",
                u8::from(data.must_enrol_totp).to_string(),
            ),
        ];
        self.call(|mut conn| async move {
            redis::pipe()
                .atomic()
                .cmd("SADD")
                .arg(&set)
                .arg(&digest)
                .ignore()
                // The set outlives every session in it.
                .cmd("EXPIRE")
                .arg(&set)
                .arg(SESSION_ABSOLUTE_SECS)
                .ignore()
                .query_async::<()>(&mut conn)
                .await?;
            redis::pipe()
                .atomic()
                .cmd("HSET")
                .arg(&key)
                .arg(&fields[..])
                .ignore()
                .cmd("EXPIRE")
                .arg(&key)
                .arg(SESSION_IDLE_SECS)
                .ignore()
                .query_async::<()>(&mut conn)
                .await
        })
        .await
    }

    /// The live session with this id, its idle time restarted; `None` when it
    /// is unknown, idled out or past its absolute lifetime.
    pub async fn touch_session(
        &self,
        id: &SessionId,
        now_unix: i64,
    ) -> Result<Option<SessionData>, LiveDown> {
        let key = self.session_key(id);
        let fields: std::collections::HashMap<String, String> = self
            .call({
                let key = key.clone();
                |mut conn| async move {
                    redis::cmd("HGETALL")
                        .arg(&key)
                        .query_async(&mut conn)
                        .await
                }
            })
            .await?;
        let data = (|| {
            Some(SessionData {
                account_id: fields.get("account_id")?.parse().ok()?,
                role: fields.get("role")?.clone(),
                created_ms: match fields.get("created_ms") {
                    Some(ms) => ms.parse().ok()?,
                    // Sessions from before the field: the start of their second.
                    None => fields
                        .get("created_unix")?
                        .parse::<i64>()
                        .ok()?
                        .checked_mul(1000)?,
                },
                csrf_token: fields.get("csrf_token")?.clone(),
                // Sessions from before the flag existed were never flagged.
                must_enrol_totp: fields.get("must_enrol_totp").is_some_and(|v| v == "1"),
            })
        })();
        let Some(data) = data else {
            return Ok(None);
        };
        let Some(ttl) = remaining_ttl_secs(data.created_ms.div_euclid(1000), now_unix) else {
            self.delete_session(id, data.account_id).await?;
            return Ok(None);
        };
        self.call(|mut conn| async move {
            redis::cmd("EXPIRE")
                .arg(&key)
                .arg(ttl)
                .query_async::<i64>(&mut conn)
                .await
        })
        .await?;
        Ok(Some(data))
    }

    /// Holds a sign-in for its second factor, for [`PENDING_SIGNIN_SECS`].
    pub async fn create_pending_signin(
        &self,
        id: &SessionId,
        pending: &PendingSignIn,
    ) -> Result<(), LiveDown> {
        let key = self.pending_signin_key(id);
        let fields = [
            ("account_id", pending.account_id.to_string()),
            ("role", pending.role.clone()),
            ("login", pending.login.clone()),
            ("csrf_token", pending.csrf_token.clone()),
            ("created_unix", pending.created_unix.to_string()),
        ];
        self.call(|mut conn| async move {
            redis::pipe()
                .atomic()
                .cmd("HSET")
                .arg(&key)
                .arg(&fields[..])
                .ignore()
                .cmd("EXPIRE")
                .arg(&key)
                .arg(PENDING_SIGNIN_SECS)
                .ignore()
                .query_async::<()>(&mut conn)
                .await
        })
        .await
    }

    /// The sign-in waiting under this id; `None` when unknown or expired.
    pub async fn pending_signin(&self, id: &SessionId) -> Result<Option<PendingSignIn>, LiveDown> {
        let key = self.pending_signin_key(id);
        let fields: std::collections::HashMap<String, String> =
            self.call(|mut conn| async move {
                redis::cmd("HGETALL").arg(&key).query_async(&mut conn).await
            })
            .await?;
        Ok((|| {
            Some(PendingSignIn {
                account_id: fields.get("account_id")?.parse().ok()?,
                role: fields.get("role")?.clone(),
                login: fields.get("login")?.clone(),
                csrf_token: fields.get("csrf_token")?.clone(),
                created_unix: fields.get("created_unix")?.parse().ok()?,
            })
        })())
    }

    /// Ends a waiting sign-in; `true` only for the one call that ended it, so
    /// two requests racing with the same pending sign-in start one session.
    pub async fn end_pending_signin(&self, id: &SessionId) -> Result<bool, LiveDown> {
        let key = self.pending_signin_key(id);
        self.call(|mut conn| async move {
            redis::cmd("DEL")
                .arg(&key)
                .query_async::<i64>(&mut conn)
                .await
        })
        .await
        .map(|deleted| deleted == 1)
    }

    /// Ends one session, then takes it off its account's set (two steps,
    /// as the two keys lie in different cluster slots; a failure in between
    /// leaves only the name of an ended session in the set).
    pub async fn delete_session(
        &self,
        id: &SessionId,
        account_id: AccountId,
    ) -> Result<(), LiveDown> {
        let key = self.session_key(id);
        let set = self.account_sessions_key(account_id);
        let digest = id.digest();
        self.call(|mut conn| async move {
            redis::cmd("DEL")
                .arg(&key)
                .query_async::<i64>(&mut conn)
                .await?;
            redis::cmd("SREM")
                .arg(&set)
                .arg(&digest)
                .query_async::<i64>(&mut conn)
                .await?;
            Ok(())
        })
        .await
    }

    /// Ends every session of an account; returns how many were still stored.
    pub async fn delete_account_sessions(&self, account_id: AccountId) -> Result<u64, LiveDown> {
        let set = self.account_sessions_key(account_id);
        let digests: Vec<String> = self
            .call({
                let set = set.clone();
                |mut conn| async move {
                    redis::cmd("SMEMBERS")
                        .arg(&set)
                        .query_async(&mut conn)
                        .await
                }
            })
            .await?;
        let mut keys: Vec<String> = digests
            .iter()
            .map(|d| self.key(format_args!("session:{d}")))
            .collect();
        let sessions = keys.len() as u64;
        keys.push(set);
        // On a cluster the client splits a DEL of keys in several slots
        // and adds up what each slot deleted.
        let deleted: u64 = self
            .call(
                |mut conn| async move { redis::cmd("DEL").arg(&keys).query_async(&mut conn).await },
            )
            .await?;
        // The set itself was one of the deleted keys when it existed.
        Ok(deleted.saturating_sub(1).min(sessions))
    }

    /// Takes one sign-in attempt (a password or a code to check) for the
    /// login name and the client address, atomically: however many requests
    /// race, at most [`FAILURES_PER_LOGIN`] per login name and
    /// [`FAILURES_PER_IP`] per address get to check something in a window.
    /// A check that succeeds gives its attempt back
    /// ([`Live::signin_succeeded`], [`Live::give_back_signin_attempt`]), so
    /// the counts are of failures. Fixed windows: the first attempt starts
    /// one, later ones do not extend it.
    ///
    /// With `form_nonce`, the nonce of the sign-in form's token is spent in
    /// the same step: a token spent before gets [`SignInAttempt::Replayed`]
    /// and takes nothing, so each token is good for one attempt. Spent
    /// nonces are kept as long as a token can be valid.
    pub async fn take_signin_attempt(
        &self,
        login: &str,
        client_ip: &str,
        form_nonce: Option<&[u8]>,
    ) -> Result<SignInAttempt, LiveDown> {
        let (login_key, ip_key) = self.throttle_keys(login, client_ip);
        let nonce_key = form_nonce.map(|nonce| self.form_nonce_key(nonce));
        let (taken, wait_secs): (i64, i64) = self
            .call(|mut conn| async move {
                let script = redis::Script::new(TAKE_ATTEMPT);
                let mut invocation = script.prepare_invoke();
                invocation
                    .key(&login_key)
                    .key(&ip_key)
                    .arg(FAILURES_PER_LOGIN)
                    .arg(FAILURES_PER_IP)
                    .arg(THROTTLE_WINDOW_SECS)
                    .arg(FORM_TOKEN_TTL_SECS + 300);
                if let Some(nonce_key) = &nonce_key {
                    invocation.key(nonce_key);
                }
                invocation.invoke_async(&mut conn).await
            })
            .await?;
        Ok(match taken {
            1 => SignInAttempt::Taken,
            2 => SignInAttempt::Replayed,
            // A key without expiry (-1) or just gone (-2) still means "wait a little".
            _ => SignInAttempt::Refused {
                retry_after_secs: u64::try_from(wait_secs).unwrap_or(1).max(1),
            },
        })
    }

    /// Gives back an attempt whose check succeeded or never ran (the login
    /// name's and the address's count each go down by one).
    pub async fn give_back_signin_attempt(
        &self,
        login: &str,
        client_ip: &str,
    ) -> Result<(), LiveDown> {
        let (login_key, ip_key) = self.throttle_keys(login, client_ip);
        self.call(|mut conn| async move {
            redis::Script::new(GIVE_BACK_ATTEMPT)
                .key(&login_key)
                .key(&ip_key)
                .invoke_async::<()>(&mut conn)
                .await
        })
        .await
    }

    /// Forgets a login name's failures after it signed in completely and
    /// gives the address its attempt back; the address's failures stay.
    pub async fn signin_succeeded(&self, login: &str, client_ip: &str) -> Result<(), LiveDown> {
        let (login_key, ip_key) = self.throttle_keys(login, client_ip);
        self.call(|mut conn| async move {
            redis::cmd("DEL")
                .arg(&login_key)
                .query_async::<i64>(&mut conn)
                .await?;
            redis::Script::new(GIVE_BACK_ATTEMPT)
                .key(&ip_key)
                .invoke_async::<()>(&mut conn)
                .await
        })
        .await
    }

    /// Moves a session to a fresh id (with a fresh form token) and ends the
    /// old one, keeping its account and start: done whenever a session
    /// gains rights, so an id seen before cannot ride on them.
    pub async fn rotate_session(
        &self,
        old: &SessionId,
        data: &SessionData,
        csrf_token: String,
    ) -> Result<(SessionId, SessionData), LiveDown> {
        let id = SessionId::generate();
        let data = SessionData {
            csrf_token,
            ..data.clone()
        };
        self.create_session(&id, &data).await?;
        self.delete_session(old, data.account_id).await?;
        Ok((id, data))
    }
}

/// Spends the form nonce KEYS[3] (if given; kept ARGV[4] seconds), then
/// takes an attempt for KEYS[1] (login) and KEYS[2] (address) unless either
/// reached its limit (ARGV[1], ARGV[2]); a window of ARGV[3] seconds starts
/// with its first attempt. Returns {1, 0} when taken, {2, 0} when the nonce
/// was spent before, {0, seconds to wait} when refused.
const TAKE_ATTEMPT: &str = r"
if KEYS[3] and not redis.call('SET', KEYS[3], 1, 'NX', 'EX', ARGV[4]) then
    return {2, 0}
end
local login = tonumber(redis.call('GET', KEYS[1]) or '0')
local ip = tonumber(redis.call('GET', KEYS[2]) or '0')
local login_limit = tonumber(ARGV[1])
local ip_limit = tonumber(ARGV[2])
if login >= login_limit or ip >= ip_limit then
    local wait = -1
    if login >= login_limit then wait = math.max(wait, redis.call('TTL', KEYS[1])) end
    if ip >= ip_limit then wait = math.max(wait, redis.call('TTL', KEYS[2])) end
    return {0, wait}
end
for i = 1, 2 do
    if redis.call('INCR', KEYS[i]) == 1 then
        redis.call('EXPIRE', KEYS[i], ARGV[3])
    end
end
return {1, 0}
";

/// Takes one back from each count in KEYS that is above zero.
const GIVE_BACK_ATTEMPT: &str = r"
for i = 1, #KEYS do
    if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then
        redis.call('DECR', KEYS[i])
    end
end
";

/// Whether a sign-in attempt may go on to check its password or code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInAttempt {
    /// Counted; go on.
    Taken,
    /// The form's token was used before; nothing was counted.
    Replayed,
    /// Too many failures for the login name or the address.
    Refused {
        /// Seconds until the longer-lived of the exceeded windows ends.
        retry_after_secs: u64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_are_random_and_parse_back() {
        let a = SessionId::generate();
        assert_ne!(a, SessionId::generate());
        assert_eq!(SessionId::parse(a.as_str()), Some(a.clone()));
        assert_eq!(SessionId::parse(&a.as_str().to_uppercase()), None);
        assert_eq!(SessionId::parse("abc"), None);
        assert!(!format!("{a:?}").contains(a.as_str()));
    }

    #[test]
    fn sessions_idle_out_and_end_absolutely() {
        assert_eq!(remaining_ttl_secs(0, 10), Some(SESSION_IDLE_SECS));
        assert_eq!(remaining_ttl_secs(0, SESSION_ABSOLUTE_SECS - 60), Some(60));
        assert_eq!(remaining_ttl_secs(0, SESSION_ABSOLUTE_SECS), None);
    }

    #[test]
    fn login_names_share_a_throttle_whatever_their_case() {
        assert_eq!(login_digest(" Alice "), login_digest("alice"));
    }
}
