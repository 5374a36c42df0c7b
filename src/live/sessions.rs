//! Sign-in sessions, sign-ins waiting for their second factor, and sign-in
//! throttling. Unlike the other Redis uses these have no Postgres fallback:
//! without Redis nobody can sign in, which is the safe way to fail.

use data_encoding::HEXLOWER;
use sha2::{Digest, Sha256};

use super::{Live, LiveDown};

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

/// Sets a field of a hash only while the hash exists: a session that expired
/// meanwhile must not come back as a stray hash without expiry.
const HSET_IF_EXISTS: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
    return 1
end
return 0
";

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
    pub account_id: i64,
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
    pub account_id: i64,
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

/// Failed sign-ins counted so far in the current windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Failures for the login name.
    pub login_failures: u64,
    /// Failures from the client address.
    pub ip_failures: u64,
    /// Seconds until the longer-lived of the exceeded windows ends.
    pub retry_after_secs: u64,
}

impl Throttle {
    /// Whether another attempt must be refused.
    pub fn exceeded(&self) -> bool {
        self.login_failures >= FAILURES_PER_LOGIN || self.ip_failures >= FAILURES_PER_IP
    }
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

    fn account_sessions_key(&self, account_id: i64) -> String {
        self.key(format_args!("account:{account_id}:sessions"))
    }

    fn pending_signin_key(&self, id: &SessionId) -> String {
        self.key(format_args!("signin:pending:{}", id.digest()))
    }

    fn throttle_keys(&self, login: &str, client_ip: &str) -> (String, String) {
        (
            self.key(format_args!("signin:login:{}", login_digest(login))),
            self.key(format_args!("signin:ip:{client_ip}")),
        )
    }

    /// Stores a new session and files it under its account.
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
                .cmd("HSET")
                .arg(&key)
                .arg(&fields[..])
                .ignore()
                .cmd("EXPIRE")
                .arg(&key)
                .arg(SESSION_IDLE_SECS)
                .ignore()
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

    /// Lifts a session's must-enrol flag once its account has a second
    /// factor; `false` when the session is gone.
    pub async fn clear_must_enrol_totp(&self, id: &SessionId) -> Result<bool, LiveDown> {
        let key = self.session_key(id);
        self.call(|mut conn| async move {
            redis::Script::new(HSET_IF_EXISTS)
                .key(&key)
                .arg("must_enrol_totp")
                .arg("0")
                .invoke_async::<i64>(&mut conn)
                .await
        })
        .await
        .map(|set| set == 1)
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

    /// Ends one session.
    pub async fn delete_session(&self, id: &SessionId, account_id: i64) -> Result<(), LiveDown> {
        let key = self.session_key(id);
        let set = self.account_sessions_key(account_id);
        let digest = id.digest();
        self.call(|mut conn| async move {
            redis::pipe()
                .atomic()
                .cmd("DEL")
                .arg(&key)
                .ignore()
                .cmd("SREM")
                .arg(&set)
                .arg(&digest)
                .ignore()
                .query_async::<()>(&mut conn)
                .await
        })
        .await
    }

    /// Ends every session of an account; returns how many were still stored.
    pub async fn delete_account_sessions(&self, account_id: i64) -> Result<u64, LiveDown> {
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
        let deleted: u64 = self
            .call(
                |mut conn| async move { redis::cmd("DEL").arg(&keys).query_async(&mut conn).await },
            )
            .await?;
        // The set itself was one of the deleted keys when it existed.
        Ok(deleted.saturating_sub(1).min(sessions))
    }

    /// Failed sign-ins so far for this login name and client address.
    pub async fn signin_throttle(
        &self,
        login: &str,
        client_ip: &str,
    ) -> Result<Throttle, LiveDown> {
        let (login_key, ip_key) = self.throttle_keys(login, client_ip);
        let (login_failures, login_ttl, ip_failures, ip_ttl): (Option<u64>, i64, Option<u64>, i64) =
            self.call(|mut conn| async move {
                redis::pipe()
                    .cmd("GET")
                    .arg(&login_key)
                    .cmd("TTL")
                    .arg(&login_key)
                    .cmd("GET")
                    .arg(&ip_key)
                    .cmd("TTL")
                    .arg(&ip_key)
                    .query_async(&mut conn)
                    .await
            })
            .await?;
        let login_failures = login_failures.unwrap_or(0);
        let ip_failures = ip_failures.unwrap_or(0);
        let mut retry_after_secs = 0;
        if login_failures >= FAILURES_PER_LOGIN {
            retry_after_secs = retry_after_secs.max(login_ttl);
        }
        if ip_failures >= FAILURES_PER_IP {
            retry_after_secs = retry_after_secs.max(ip_ttl);
        }
        Ok(Throttle {
            login_failures,
            ip_failures,
            // A key without expiry (-1) or just gone (-2) still means "wait a little".
            retry_after_secs: u64::try_from(retry_after_secs).unwrap_or(1).max(1),
        })
    }

    /// Counts one failed sign-in for the login name and the client address.
    /// Fixed windows: the first failure starts one, later ones do not extend it.
    pub async fn signin_failed(&self, login: &str, client_ip: &str) -> Result<(), LiveDown> {
        let (login_key, ip_key) = self.throttle_keys(login, client_ip);
        self.call(|mut conn| async move {
            let mut pipe = redis::pipe();
            pipe.atomic();
            for key in [&login_key, &ip_key] {
                pipe.cmd("SET")
                    .arg(key)
                    .arg(0)
                    .arg("NX")
                    .arg("EX")
                    .arg(THROTTLE_WINDOW_SECS)
                    .ignore()
                    .cmd("INCR")
                    .arg(key)
                    .ignore();
            }
            pipe.query_async::<()>(&mut conn).await
        })
        .await
    }

    /// Forgets a login name's failures after it signed in; the address's stay.
    pub async fn signin_succeeded(&self, login: &str) -> Result<(), LiveDown> {
        let (login_key, _) = self.throttle_keys(login, "");
        self.call(|mut conn| async move {
            redis::cmd("DEL")
                .arg(&login_key)
                .query_async::<i64>(&mut conn)
                .await
        })
        .await
        .map(|_| ())
    }
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
    fn throttle_counts_per_login_and_per_address() {
        let t = |login_failures, ip_failures| Throttle {
            login_failures,
            ip_failures,
            retry_after_secs: 1,
        };
        assert!(!t(4, 19).exceeded());
        assert!(t(5, 0).exceeded());
        assert!(t(0, 20).exceeded());
        assert_eq!(login_digest(" Alice "), login_digest("alice"));
    }
}
