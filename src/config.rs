//! Typed settings from the environment, with an optional TOML file underneath.
//!
//! Past 500 lines only because its unit tests sit beside the settings they pin down.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::domain::alerts::AlertRules;
use crate::domain::client_addr::TrustedProxies;
use crate::domain::photo::{MAX_BYTES_CEILING, PER_INSPECTION_CEILING, PhotoLimits};
use crate::domain::scoring::ScoringParams;
use crate::domain::secrets::{
    ADMIN_TOKEN_STRENGTH, ContactKeySpec, DEMO_ADMIN_TOKEN, DEMO_SECRET_KEY, SECRET_KEY_STRENGTH,
    SecretString, Secrets, check_secret_strength, parse_contact_keys,
};

/// Everything the service needs to start; see the README for each variable.
/// Connection strings and secrets are wrapped: printing settings shows none of them.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Postgres connection string (`DATABASE_URL`), which may hold a password.
    pub database_url: SecretString,
    /// Redis connection string (`REDIS_URL`), which may hold a password; `None` runs without Redis.
    pub redis_url: Option<SecretString>,
    /// A streaming replica's connection string (`DATABASE_REPLICA_URL`) for
    /// the reads that may be a moment behind; `None` reads everything from the primary.
    pub database_replica_url: Option<SecretString>,
    /// How far behind the replica may replay and still be read from
    /// (`REPLICA_MAX_LAG_SECONDS`, default 10).
    pub replica_max_lag: Duration,
    /// Listen address (`BIND_ADDR`).
    pub bind_addr: SocketAddr,
    /// Origin printed into QR codes (`PUBLIC_BASE_URL`), without trailing slash.
    pub public_base_url: String,
    /// Bearer token with full rights over the JSON API (`ADMIN_TOKEN`).
    pub admin_token: SecretString,
    /// Key material for code MACs, form tokens and device hashes (`SECRET_KEY`).
    pub secret_key: SecretString,
    /// Keys for complaint contacts by version (`CONTACT_KEYS`, `version:secret`
    /// entries); the highest version seals, the others only open. Empty: the
    /// key derived from `SECRET_KEY` (version 0) does both.
    pub contact_keys: Vec<ContactKeySpec>,
    /// Prefix of every Redis key (`REDIS_KEY_PREFIX`), so deployments can share a Redis.
    pub redis_key_prefix: String,
    /// Ratings per client IP per venue per minute (`RATE_LIMIT_PER_MINUTE`); 0 = off.
    pub rate_limit_per_minute: u32,
    /// Postgres connections in the pool (`DB_MAX_CONNECTIONS`).
    pub db_max_connections: u32,
    /// HTTP worker threads (`HTTP_WORKERS`); default one per core.
    pub http_workers: usize,
    /// Rating-batch writers sharing one queue (`BATCH_WRITERS`).
    pub batch_writers: usize,
    /// Largest number of ratings written in one commit (`BATCH_MAX`).
    pub batch_max: usize,
    /// How long a request may wait for Postgres before answering 503.
    pub db_timeout: Duration,
    /// The score formula's constants (`[scoring]` in the file, `SCORE_*` variables).
    pub scoring: ScoringParams,
    /// How often stored scores catch up with new ratings (`SCORE_REFRESH_SECONDS`).
    pub score_refresh_interval: Duration,
    /// A tier rule set to activate instead of the shipped default (`TIER_RULES_FILE`).
    pub tier_rules_file: Option<String>,
    /// The thresholds of the detectors of bought ratings: the defaults, or
    /// the TOML file `INTEGRITY_THRESHOLDS_FILE` names (keys left out keep
    /// their defaults; `data/integrity/thresholds.toml` documents each).
    pub integrity: crate::domain::integrity::Thresholds,
    /// How often the detectors look at today's ratings
    /// (`INTEGRITY_SCAN_SECONDS`); `None` (`0`) runs no detectors.
    pub integrity_scan_interval: Option<Duration>,
    /// How long a venue's public page and score JSON are kept in each
    /// instance's cache (`VENUE_VIEW_SECONDS`); `None` (`0`) keeps none.
    pub venue_view_ttl: Option<Duration>,
    /// Alerts for regulators: their rules, how often the aggregates are
    /// checked, and the webhook they are delivered to.
    pub alerts: AlertSettings,
    /// Peers whose `X-Forwarded-For` names the client (`TRUSTED_PROXIES`, CIDRs); none by default.
    pub trusted_proxies: TrustedProxies,
    /// Demo mode (`--demo` or `QRF_DEMO=1` on `serve`): only then may the
    /// accounts the demo made sign in.
    pub demo: bool,
    /// Who runs the service, for the public pages' footer and the poster (`QRF_*`).
    pub imprint: Imprint,
    /// Where uploaded files are kept (`UPLOAD_DIR`, default `data/uploads`
    /// under the working directory): inspection photos go in its
    /// `inspection-photos/`, under random names. Every instance of the
    /// service must see the same directory (a shared volume beyond one machine).
    pub upload_dir: PathBuf,
    /// How large one inspection photo may be (`PHOTO_MAX_BYTES`, default
    /// 5 MiB, at most 64 MiB) and how many photos one inspection holds
    /// (`PHOTOS_PER_INSPECTION`, default 10, at most 50).
    pub photo_limits: PhotoLimits,
    /// Working days a venue has to answer a proposed credit list entry with
    /// its statement (陈述申辩) before a regulator may decide without it
    /// (`LIST_STATEMENT_WORKING_DAYS`, default 5, at most 60).
    pub list_statement_working_days: u32,
    /// Working days a regulator has to decide a credit repair application
    /// before it shows as overdue (`REPAIR_DECISION_WORKING_DAYS`, default
    /// 15, at most 60).
    pub repair_decision_working_days: u32,
    /// Training hours a Chief Quality Officer needs on record before a
    /// regulator may register the filing (`CQO_TRAINING_HOURS`).
    pub cqo_training_hours: f64,
}

/// Where uploads go when `UPLOAD_DIR` is not set, under the working directory.
pub const DEFAULT_UPLOAD_DIR: &str = "data/uploads";

/// Who runs the service and its filings, as the footer of every public page
/// and the QR poster name them (`QRF_SERVICE_NAME`, `QRF_OPERATOR`,
/// `QRF_COMPLAINT_HOTLINE`, `QRF_ICP_FILING`, `QRF_PSB_FILING`,
/// `QRF_POSTER_ISSUER`, or `[imprint]` in the file). A value left unset is
/// simply not shown; only the hotline has a default, the national 12345
/// service hotline that takes tourism complaints, which `none` turns off.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Imprint {
    /// The service's name, e.g. "巴音郭楞州游客服务评价平台".
    pub service_name: Option<String>,
    /// Who operates it (运营单位), e.g. the tourism bureau.
    pub operator: Option<String>,
    /// Where visitors call with a complaint (投诉热线): digits and `-+() `.
    pub complaint_hotline: Option<String>,
    /// The ICP filing number (ICP备案号), e.g. "新ICP备2024000001号-1".
    pub icp_filing: Option<String>,
    /// The public-security filing number (公安备案号), e.g. "新公网安备65280102000001号".
    pub psb_filing: Option<String>,
    /// Who issues the venue posters (监制单位).
    pub poster_issuer: Option<String>,
}

/// The hotline shown when none is configured: 12345, the government service
/// hotline, which has taken tourism complaints since the 12301 line merged into it.
pub const DEFAULT_COMPLAINT_HOTLINE: &str = "12345";

/// Longest imprint text, in characters: a footer line, not a paragraph.
pub const IMPRINT_TEXT_MAX_CHARS: usize = 100;

impl Imprint {
    /// Reads the `QRF_*` variables over the file's `[imprint]` section and checks them.
    fn load(file: Imprint, env: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let text = |name: &'static str, from_file: Option<String>| {
            let raw = env(name).filter(|v| !v.trim().is_empty()).or(from_file);
            raw.map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .map(|v| imprint_text(name, v))
                .transpose()
        };
        let hotline = match text("QRF_COMPLAINT_HOTLINE", file.complaint_hotline)? {
            None => Some(DEFAULT_COMPLAINT_HOTLINE.to_owned()),
            Some(v) if v.eq_ignore_ascii_case("none") => None,
            Some(v) => Some(hotline_number(v)?),
        };
        Ok(Self {
            service_name: text("QRF_SERVICE_NAME", file.service_name)?,
            operator: text("QRF_OPERATOR", file.operator)?,
            complaint_hotline: hotline,
            icp_filing: text("QRF_ICP_FILING", file.icp_filing)?,
            psb_filing: text("QRF_PSB_FILING", file.psb_filing)?,
            poster_issuer: text("QRF_POSTER_ISSUER", file.poster_issuer)?,
        })
    }
}

/// An imprint value as printed: one line, no control characters, bounded.
fn imprint_text(name: &'static str, value: String) -> Result<String, ConfigError> {
    if value.chars().any(char::is_control) {
        return Err(ConfigError::Invalid {
            name,
            reason: "must be one line without control characters".into(),
        });
    }
    if value.chars().count() > IMPRINT_TEXT_MAX_CHARS {
        return Err(ConfigError::Invalid {
            name,
            reason: format!("must be at most {IMPRINT_TEXT_MAX_CHARS} characters"),
        });
    }
    Ok(value)
}

/// A phone number a `tel:` link can dial: digits with `-`, `+`, `(`, `)` or spaces.
fn hotline_number(value: String) -> Result<String, ConfigError> {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '(' | ')' | ' '));
    if !allowed || !(3..=20).contains(&digits) {
        return Err(ConfigError::Invalid {
            name: "QRF_COMPLAINT_HOTLINE",
            reason: "use a phone number (3 to 20 digits, with - + ( ) or spaces), or none".into(),
        });
    }
    Ok(value)
}

/// A configuration value that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A required variable is missing from both environment and file.
    #[error("{0} is not set (environment or config file)")]
    Missing(&'static str),
    /// A variable is present but unusable.
    #[error("{name} is invalid: {reason}")]
    Invalid {
        /// The variable name.
        name: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// The config file could not be read or parsed.
    #[error("config file {path}: {reason}")]
    File {
        /// The file path.
        path: String,
        /// Why it failed.
        reason: String,
    },
}

/// Alerts for regulators (`ALERT_*`).
#[derive(Debug, Clone)]
pub struct AlertSettings {
    /// How often the score-drop, red-flag and overdue-case rules run
    /// (`ALERT_SCAN_SECONDS`); `None` (`0`) runs none. Campaign alerts come
    /// from the detectors whenever they hold a new incident.
    pub scan_interval: Option<Duration>,
    /// The rules' thresholds (`ALERT_SCORE_DROP_STARS`, `ALERT_RED_FLAGS`).
    pub rules: AlertRules,
    /// Where alerts are POSTed, if anywhere.
    pub webhook: Option<Webhook>,
    /// The first wait before retrying a failed delivery, doubling after each
    /// (`ALERT_WEBHOOK_RETRY_SECONDS`).
    pub retry_base: Duration,
}

/// The alerts' webhook (`ALERT_WEBHOOK_URL`, `ALERT_WEBHOOK_SECRET`).
#[derive(Debug, Clone)]
pub struct Webhook {
    /// The address POSTed to.
    pub url: String,
    /// The key every delivery is signed with (HMAC-SHA256).
    pub secret: SecretString,
}

/// The optional file: same names as the environment variables, lower-case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    database_url: Option<String>,
    database_replica_url: Option<String>,
    replica_max_lag_seconds: Option<u64>,
    redis_url: Option<String>,
    redis_key_prefix: Option<String>,
    bind_addr: Option<String>,
    public_base_url: Option<String>,
    admin_token: Option<String>,
    secret_key: Option<String>,
    contact_keys: Option<String>,
    rate_limit_per_minute: Option<u32>,
    db_max_connections: Option<u32>,
    batch_writers: Option<usize>,
    http_workers: Option<usize>,
    batch_max: Option<usize>,
    score_refresh_seconds: Option<u64>,
    tier_rules_file: Option<String>,
    integrity_thresholds_file: Option<String>,
    integrity_scan_seconds: Option<u64>,
    venue_view_seconds: Option<u64>,
    alert_scan_seconds: Option<u64>,
    alert_score_drop_stars: Option<f64>,
    alert_red_flags: Option<u64>,
    alert_webhook_url: Option<String>,
    alert_webhook_secret: Option<String>,
    alert_webhook_retry_seconds: Option<u64>,
    trusted_proxies: Option<String>,
    scoring: Option<ScoringParams>,
    imprint: Option<Imprint>,
    upload_dir: Option<String>,
    photo_max_bytes: Option<u64>,
    photos_per_inspection: Option<u64>,
    list_statement_working_days: Option<u64>,
    repair_decision_working_days: Option<u64>,
    cqo_training_hours: Option<f64>,
}

impl Settings {
    /// Reads the process environment, layered over `QRF_CONFIG` (a TOML file) if set.
    pub fn from_env() -> Result<Self, ConfigError> {
        let file = match std::env::var("QRF_CONFIG") {
            Ok(path) if !path.is_empty() => Some(path),
            _ => None,
        };
        Self::load(file.as_deref().map(Path::new), |name| {
            std::env::var(name).ok()
        })
    }

    /// Builds settings from a file (optional) and an environment lookup; the environment wins.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let file = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
                toml::from_str::<FileSettings>(&text).map_err(|e| ConfigError::File {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?
            }
            None => FileSettings::default(),
        };
        let text = |name: &'static str, from_file: Option<String>| {
            env(name).filter(|v| !v.is_empty()).or(from_file)
        };
        let number = |name: &'static str, from_file: Option<u64>, default: u64| match env(name)
            .filter(|v| !v.is_empty())
        {
            Some(v) => v.trim().parse::<u64>().map_err(|e| ConfigError::Invalid {
                name,
                reason: e.to_string(),
            }),
            None => Ok(from_file.unwrap_or(default)),
        };

        let database_url =
            text("DATABASE_URL", file.database_url).ok_or(ConfigError::Missing("DATABASE_URL"))?;
        let redis_url = text("REDIS_URL", file.redis_url);
        let database_replica_url = text("DATABASE_REPLICA_URL", file.database_replica_url);
        let redis_key_prefix =
            text("REDIS_KEY_PREFIX", file.redis_key_prefix).unwrap_or_else(|| "qrf".into());
        if !redis_key_prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(ConfigError::Invalid {
                name: "REDIS_KEY_PREFIX",
                reason: "use letters, digits, '-' or '_'".into(),
            });
        }
        let bind_addr = text("BIND_ADDR", file.bind_addr)
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .map_err(|e: std::net::AddrParseError| ConfigError::Invalid {
                name: "BIND_ADDR",
                reason: e.to_string(),
            })?;
        let public_base_url = text("PUBLIC_BASE_URL", file.public_base_url)
            .unwrap_or_else(|| format!("http://{bind_addr}"));
        let public_base_url = public_base_url.trim_end_matches('/').to_owned();
        if !(public_base_url.starts_with("http://") || public_base_url.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                name: "PUBLIC_BASE_URL",
                reason: "must start with http:// or https://".into(),
            });
        }
        let admin_token =
            text("ADMIN_TOKEN", file.admin_token).ok_or(ConfigError::Missing("ADMIN_TOKEN"))?;
        if admin_token.len() < 12 {
            return Err(ConfigError::Invalid {
                name: "ADMIN_TOKEN",
                reason: "must be at least 12 characters".into(),
            });
        }
        let secret_key =
            text("SECRET_KEY", file.secret_key).ok_or(ConfigError::Missing("SECRET_KEY"))?;
        if secret_key.len() < 32 {
            return Err(ConfigError::Invalid {
                name: "SECRET_KEY",
                reason: "must be at least 32 characters".into(),
            });
        }
        let contact_keys =
            parse_contact_keys(&text("CONTACT_KEYS", file.contact_keys).unwrap_or_default())
                .map_err(|reason| ConfigError::Invalid {
                    name: "CONTACT_KEYS",
                    reason,
                })?;
        let rate_limit = number(
            "RATE_LIMIT_PER_MINUTE",
            file.rate_limit_per_minute.map(u64::from),
            30,
        )?;
        let db_max_connections = number(
            "DB_MAX_CONNECTIONS",
            file.db_max_connections.map(u64::from),
            20,
        )?;
        let batch_writers = number("BATCH_WRITERS", file.batch_writers.map(|v| v as u64), 4)?;
        let batch_max = number("BATCH_MAX", file.batch_max.map(|v| v as u64), 256)?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
        let http_workers = number("HTTP_WORKERS", file.http_workers.map(|v| v as u64), cores)?;
        let clamp_u32 = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        let score_refresh_seconds = number("SCORE_REFRESH_SECONDS", file.score_refresh_seconds, 3)?;
        let replica_max_lag_seconds =
            number("REPLICA_MAX_LAG_SECONDS", file.replica_max_lag_seconds, 10)?;
        let scoring = scoring_params(file.scoring.unwrap_or_default(), &env)?;
        let imprint = Imprint::load(file.imprint.unwrap_or_default(), &env)?;
        let tier_rules_file = text("TIER_RULES_FILE", file.tier_rules_file);
        let integrity = match text("INTEGRITY_THRESHOLDS_FILE", file.integrity_thresholds_file) {
            Some(path) => std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|text| crate::domain::integrity::Thresholds::from_toml(&text))
                .map_err(|e| ConfigError::Invalid {
                    name: "INTEGRITY_THRESHOLDS_FILE",
                    reason: format!("{path}: {e}"),
                })?,
            None => crate::domain::integrity::Thresholds::default(),
        };
        let integrity_scan_seconds =
            number("INTEGRITY_SCAN_SECONDS", file.integrity_scan_seconds, 60)?;
        let venue_view_seconds = number("VENUE_VIEW_SECONDS", file.venue_view_seconds, 5)?;
        let alerts = AlertSettings {
            scan_interval: match number("ALERT_SCAN_SECONDS", file.alert_scan_seconds, 300)? {
                0 => None,
                seconds => Some(Duration::from_secs(seconds.min(86_400))),
            },
            rules: AlertRules {
                score_drop_stars: match env("ALERT_SCORE_DROP_STARS").filter(|v| !v.is_empty()) {
                    Some(v) => v
                        .trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|s| (0.1..=4.0).contains(s))
                        .ok_or(ConfigError::Invalid {
                            name: "ALERT_SCORE_DROP_STARS",
                            reason: "must be a number of stars from 0.1 to 4".into(),
                        })?,
                    None => file
                        .alert_score_drop_stars
                        .unwrap_or(AlertRules::default().score_drop_stars),
                },
                red_flags: number("ALERT_RED_FLAGS", file.alert_red_flags, 3)?.clamp(1, 1000)
                    as i64,
                ..AlertRules::default()
            },
            webhook: match text("ALERT_WEBHOOK_URL", file.alert_webhook_url) {
                None => None,
                Some(url) => {
                    if !(url.starts_with("https://") || url.starts_with("http://")) {
                        return Err(ConfigError::Invalid {
                            name: "ALERT_WEBHOOK_URL",
                            reason: "must be an http:// or https:// address".into(),
                        });
                    }
                    let secret = text("ALERT_WEBHOOK_SECRET", file.alert_webhook_secret)
                        .ok_or(ConfigError::Missing("ALERT_WEBHOOK_SECRET"))?;
                    if secret.len() < 16 {
                        return Err(ConfigError::Invalid {
                            name: "ALERT_WEBHOOK_SECRET",
                            reason: "must be at least 16 characters".into(),
                        });
                    }
                    Some(Webhook {
                        url,
                        secret: SecretString::new(secret),
                    })
                }
            },
            retry_base: Duration::from_secs(
                number(
                    "ALERT_WEBHOOK_RETRY_SECONDS",
                    file.alert_webhook_retry_seconds,
                    30,
                )?
                .clamp(1, 3600),
            ),
        };
        let upload_dir = PathBuf::from(
            text("UPLOAD_DIR", file.upload_dir).unwrap_or_else(|| DEFAULT_UPLOAD_DIR.into()),
        );
        let photo_limits = PhotoLimits {
            max_bytes: bounded(
                "PHOTO_MAX_BYTES",
                number(
                    "PHOTO_MAX_BYTES",
                    file.photo_max_bytes,
                    PhotoLimits::default().max_bytes as u64,
                )?,
                MAX_BYTES_CEILING,
            )?,
            per_inspection: bounded(
                "PHOTOS_PER_INSPECTION",
                number(
                    "PHOTOS_PER_INSPECTION",
                    file.photos_per_inspection,
                    PhotoLimits::default().per_inspection as u64,
                )?,
                PER_INSPECTION_CEILING,
            )?,
        };
        let list_statement_working_days = bounded(
            "LIST_STATEMENT_WORKING_DAYS",
            number(
                "LIST_STATEMENT_WORKING_DAYS",
                file.list_statement_working_days,
                5,
            )?,
            60,
        )? as u32;
        let repair_decision_working_days = bounded(
            "REPAIR_DECISION_WORKING_DAYS",
            number(
                "REPAIR_DECISION_WORKING_DAYS",
                file.repair_decision_working_days,
                u64::from(crate::domain::credit_repair::DEFAULT_DECISION_WORKING_DAYS),
            )?,
            60,
        )? as u32;
        let cqo_training_hours = cqo_training_hours(
            env("CQO_TRAINING_HOURS").filter(|v| !v.trim().is_empty()),
            file.cqo_training_hours,
        )?;
        let trusted_proxies = TrustedProxies::parse(
            &text("TRUSTED_PROXIES", file.trusted_proxies).unwrap_or_default(),
        )
        .map_err(|reason| ConfigError::Invalid {
            name: "TRUSTED_PROXIES",
            reason,
        })?;
        Ok(Self {
            database_url: SecretString::new(database_url),
            redis_url: redis_url.map(SecretString::new),
            database_replica_url: database_replica_url.map(SecretString::new),
            replica_max_lag: Duration::from_secs(replica_max_lag_seconds.clamp(1, 3600)),
            redis_key_prefix,
            bind_addr,
            public_base_url,
            admin_token: SecretString::new(admin_token),
            secret_key: SecretString::new(secret_key),
            contact_keys,
            rate_limit_per_minute: clamp_u32(rate_limit),
            db_max_connections: clamp_u32(db_max_connections).max(2),
            batch_writers: (batch_writers as usize).clamp(1, 64),
            http_workers: (http_workers as usize).clamp(1, 256),
            batch_max: (batch_max as usize).clamp(1, 5000),
            db_timeout: Duration::from_secs(5),
            scoring,
            score_refresh_interval: Duration::from_secs(score_refresh_seconds.clamp(1, 3600)),
            tier_rules_file,
            integrity,
            alerts,
            integrity_scan_interval: (integrity_scan_seconds > 0)
                .then(|| Duration::from_secs(integrity_scan_seconds.min(3600))),
            // Longer would show a visitor yesterday's page; the refresher
            // forgets a rewritten venue sooner anyway.
            venue_view_ttl: (venue_view_seconds > 0)
                .then(|| Duration::from_secs(venue_view_seconds.min(60))),
            trusted_proxies,
            demo: false,
            imprint,
            upload_dir,
            photo_limits,
            list_statement_working_days,
            repair_decision_working_days,
            cqo_training_hours,
        })
    }
}

/// The training hours a Chief Quality Officer needs on record to be
/// registered (三(一) of the provincial scheme offers at least 20 class hours).
pub const DEFAULT_CQO_TRAINING_HOURS: f64 = 20.0;

/// `CQO_TRAINING_HOURS` (environment first, then the file): 0 to 10,000 hours.
fn cqo_training_hours(env: Option<String>, file: Option<f64>) -> Result<f64, ConfigError> {
    let invalid = || ConfigError::Invalid {
        name: "CQO_TRAINING_HOURS",
        reason: "must be a number of hours from 0 to 10000".into(),
    };
    let hours = match env {
        Some(raw) => raw.trim().parse::<f64>().map_err(|_| invalid())?,
        None => file.unwrap_or(DEFAULT_CQO_TRAINING_HOURS),
    };
    if !hours.is_finite() || !(0.0..=10_000.0).contains(&hours) {
        return Err(invalid());
    }
    Ok(hours)
}

/// A count or size between 1 and `ceiling`, or the variable named as invalid.
fn bounded(name: &'static str, value: u64, ceiling: usize) -> Result<usize, ConfigError> {
    usize::try_from(value)
        .ok()
        .filter(|v| (1..=ceiling).contains(v))
        .ok_or_else(|| ConfigError::Invalid {
            name,
            reason: format!("must lie between 1 and {ceiling}"),
        })
}

impl Settings {
    /// The purpose keys of `SECRET_KEY` with the contact keys of `CONTACT_KEYS`.
    pub fn secrets(&self) -> Secrets {
        Secrets::derive(self.secret_key.expose()).with_contact_keys(&self.contact_keys)
    }

    /// What `serve` asks of the secrets on top of [`Settings::load`]: the
    /// published demo values only with the demo flag, and otherwise long,
    /// varied, unpredictable values (see `domain::secrets`). The error names
    /// the variable, never the value. The other commands run by an operator
    /// on the machine and skip it, so a weak key can still be replaced with
    /// their help; only the server faces the network.
    pub fn check_secrets_for_serving(&self, demo: bool) -> Result<(), ConfigError> {
        for (name, value, strength, demo_value) in [
            (
                "ADMIN_TOKEN",
                &self.admin_token,
                ADMIN_TOKEN_STRENGTH,
                DEMO_ADMIN_TOKEN,
            ),
            (
                "SECRET_KEY",
                &self.secret_key,
                SECRET_KEY_STRENGTH,
                DEMO_SECRET_KEY,
            ),
        ] {
            check_secret_strength(value.expose(), strength, demo_value, demo).map_err(|weak| {
                ConfigError::Invalid {
                    name,
                    reason: weak.to_string(),
                }
            })?;
        }
        for spec in &self.contact_keys {
            check_secret_strength(
                spec.secret.expose(),
                SECRET_KEY_STRENGTH,
                DEMO_SECRET_KEY,
                false,
            )
            .map_err(|weak| ConfigError::Invalid {
                name: "CONTACT_KEYS",
                reason: format!("the key of version {} {weak}", spec.version),
            })?;
        }
        Ok(())
    }
}

/// Applies the `SCORE_*` variables over the file's `[scoring]` section, then validates.
fn scoring_params(
    mut params: ScoringParams,
    env: &impl Fn(&str) -> Option<String>,
) -> Result<ScoringParams, ConfigError> {
    fn parse<T: std::str::FromStr>(
        name: &'static str,
        value: Option<String>,
        target: &mut T,
    ) -> Result<(), ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            *target = v.trim().parse().map_err(|e: T::Err| ConfigError::Invalid {
                name,
                reason: e.to_string(),
            })?;
        }
        Ok(())
    }
    parse(
        "SCORE_HALF_LIFE_DAYS",
        env("SCORE_HALF_LIFE_DAYS"),
        &mut params.half_life_days,
    )?;
    parse(
        "SCORE_PRIOR_WEIGHT",
        env("SCORE_PRIOR_WEIGHT"),
        &mut params.prior_weight_ratings,
    )?;
    parse(
        "SCORE_PRIOR_MIN_RATINGS",
        env("SCORE_PRIOR_MIN_RATINGS"),
        &mut params.prior_min_ratings,
    )?;
    parse(
        "SCORE_FALLBACK_PRIOR",
        env("SCORE_FALLBACK_PRIOR"),
        &mut params.fallback_prior_0_100,
    )?;
    parse(
        "SCORE_MIN_RATINGS",
        env("SCORE_MIN_RATINGS"),
        &mut params.min_ratings_to_publish,
    )?;
    parse(
        "SCORE_WINDOW_DAYS",
        env("SCORE_WINDOW_DAYS"),
        &mut params.publish_window_days,
    )?;
    params.validate().map_err(|reason| ConfigError::Invalid {
        name: "scoring",
        reason,
    })?;
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    const BASE: [(&str, &str); 3] = [
        ("DATABASE_URL", "postgres://x@127.0.0.1/db"),
        ("ADMIN_TOKEN", "admin-token-123"),
        ("SECRET_KEY", "0123456789abcdef0123456789abcdef"),
    ];

    #[test]
    fn cqo_training_hours_default_to_20_and_are_bounded() {
        let s = Settings::load(None, env(&BASE)).unwrap();
        assert_eq!(s.cqo_training_hours, 20.0);
        let mut pairs = BASE.to_vec();
        pairs.push(("CQO_TRAINING_HOURS", "32.5"));
        assert_eq!(
            Settings::load(None, env(&pairs))
                .unwrap()
                .cqo_training_hours,
            32.5
        );
        for bad in ["-1", "NaN", "twenty", "10001"] {
            let mut pairs = BASE.to_vec();
            pairs.push(("CQO_TRAINING_HOURS", bad));
            let err = Settings::load(None, env(&pairs)).unwrap_err().to_string();
            assert!(err.contains("CQO_TRAINING_HOURS"), "{bad}: {err}");
        }
    }

    #[test]
    fn defaults_apply() {
        let s = Settings::load(None, env(&BASE)).unwrap();
        assert_eq!(s.bind_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(s.public_base_url, "http://127.0.0.1:8080");
        assert_eq!(s.rate_limit_per_minute, 30);
        assert!(s.redis_url.is_none());
    }

    #[test]
    fn environment_overrides_file() {
        let dir = std::env::temp_dir().join(format!("qrf-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("qrfeedback.toml");
        std::fs::write(
            &path,
            "rate_limit_per_minute = 7\npublic_base_url = \"https://file.example/\"\n",
        )
        .unwrap();
        let mut pairs = BASE.to_vec();
        pairs.push(("RATE_LIMIT_PER_MINUTE", "0"));
        let s = Settings::load(Some(&path), env(&pairs)).unwrap();
        assert_eq!(s.rate_limit_per_minute, 0);
        assert_eq!(s.public_base_url, "https://file.example");
    }

    #[test]
    fn printed_settings_show_no_secret() {
        let mut pairs = BASE.to_vec();
        pairs[0] = ("DATABASE_URL", "postgres://app:pg-password-42@127.0.0.1/db");
        pairs.push(("REDIS_URL", "redis://:redis-password-42@127.0.0.1/"));
        let s = Settings::load(None, env(&pairs)).unwrap();
        let printed = format!("{s:?}");
        for secret in [
            "pg-password-42",
            "redis-password-42",
            "admin-token-123",
            "0123456789abcdef",
        ] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert_eq!(s.admin_token.expose(), "admin-token-123");
    }

    #[test]
    fn serving_refuses_weak_and_demo_secrets_by_name_only() {
        let check = |admin: &str, key: &str, demo: bool| {
            let mut pairs = BASE.to_vec();
            pairs[1] = ("ADMIN_TOKEN", admin);
            pairs[2] = ("SECRET_KEY", key);
            Settings::load(None, env(&pairs))
                .unwrap()
                .check_secrets_for_serving(demo)
                .map_err(|e| e.to_string())
        };
        let strong_admin = "Xk3v9Qp2Lm7Rt4Wz8Bn1Yc6H";
        let strong_key = "9f86d081884c7d659a2feaa0c55ad015b3c2";
        assert_eq!(check(strong_admin, strong_key, false), Ok(()));
        let err = check(DEMO_ADMIN_TOKEN, DEMO_SECRET_KEY, false).unwrap_err();
        assert!(err.starts_with("ADMIN_TOKEN is invalid"), "{err}");
        assert!(!err.contains(DEMO_ADMIN_TOKEN), "{err}");
        assert_eq!(check(DEMO_ADMIN_TOKEN, DEMO_SECRET_KEY, true), Ok(()));
        let err = check(strong_admin, DEMO_SECRET_KEY, false).unwrap_err();
        assert!(err.starts_with("SECRET_KEY is invalid"), "{err}");
        let weak_key = "k".repeat(40);
        let err = check(strong_admin, &weak_key, true).unwrap_err();
        assert!(err.starts_with("SECRET_KEY is invalid"), "{err}");
        assert!(!err.contains("kkk"), "{err}");
        let err = check("admin-token-123", strong_key, false).unwrap_err();
        assert!(
            err.contains("ADMIN_TOKEN") && err.contains("at least 24"),
            "{err}"
        );
    }

    #[test]
    fn contact_keys_are_parsed_checked_and_never_printed() {
        let strong = "2:7c4a8d09ca3762af61e59520943dc26494f8941b";
        let mut pairs = BASE.to_vec();
        pairs[1] = ("ADMIN_TOKEN", "Xk3v9Qp2Lm7Rt4Wz8Bn1Yc6H");
        pairs[2] = ("SECRET_KEY", "9f86d081884c7d659a2feaa0c55ad015b3c2");
        pairs.push(("CONTACT_KEYS", strong));
        let s = Settings::load(None, env(&pairs)).unwrap();
        assert_eq!(s.contact_keys.len(), 1);
        assert_eq!(s.secrets().current_contact_key_version(), 2);
        assert!(!format!("{s:?}").contains("7c4a8d09"));
        assert!(s.check_secrets_for_serving(false).is_ok());
        let weak = format!("1:{}", "k".repeat(40));
        pairs.push(("CONTACT_KEYS", &weak));
        pairs.retain(|(name, value)| *name != "CONTACT_KEYS" || *value == weak);
        let err = Settings::load(None, env(&pairs))
            .unwrap()
            .check_secrets_for_serving(true)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("CONTACT_KEYS") && err.contains("version 1"),
            "{err}"
        );
        assert!(!err.contains("kkk"), "{err}");
        pairs.retain(|(name, _)| *name != "CONTACT_KEYS");
        pairs.push(("CONTACT_KEYS", "0:7c4a8d09ca3762af61e59520943dc26494f8941b"));
        let err = Settings::load(None, env(&pairs)).unwrap_err().to_string();
        assert!(err.contains("CONTACT_KEYS"), "{err}");
        let s = Settings::load(None, env(&BASE)).unwrap();
        assert_eq!(s.secrets().current_contact_key_version(), 0);
    }

    #[test]
    fn missing_and_invalid_values_are_named() {
        let err = Settings::load(None, env(&BASE[..2])).unwrap_err();
        assert!(err.to_string().contains("SECRET_KEY"));
        let mut pairs = BASE.to_vec();
        pairs.push(("RATE_LIMIT_PER_MINUTE", "lots"));
        let err = Settings::load(None, env(&pairs)).unwrap_err();
        assert!(err.to_string().contains("RATE_LIMIT_PER_MINUTE"));
    }

    #[test]
    fn imprint_defaults_to_the_12345_hotline_and_nothing_else() {
        let s = Settings::load(None, env(&BASE)).unwrap();
        assert_eq!(
            s.imprint,
            Imprint {
                complaint_hotline: Some("12345".into()),
                ..Imprint::default()
            }
        );
        let mut pairs = BASE.to_vec();
        pairs.extend([
            ("QRF_COMPLAINT_HOTLINE", "none"),
            ("QRF_OPERATOR", "  巴音郭楞州文化和旅游局 "),
            ("QRF_ICP_FILING", ""),
        ]);
        let s = Settings::load(None, env(&pairs)).unwrap();
        assert_eq!(s.imprint.complaint_hotline, None);
        assert_eq!(
            s.imprint.operator.as_deref(),
            Some("巴音郭楞州文化和旅游局")
        );
        assert_eq!(s.imprint.icp_filing, None, "empty is unset");
    }

    #[test]
    fn imprint_comes_from_the_file_and_bad_values_are_named() {
        let dir = std::env::temp_dir().join(format!("qrf-imprint-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("qrfeedback.toml");
        std::fs::write(
            &path,
            "[imprint]\nservice_name = \"游客服务评价平台\"\ncomplaint_hotline = \"0996-12301\"\n",
        )
        .unwrap();
        let s = Settings::load(Some(&path), env(&BASE)).unwrap();
        assert_eq!(s.imprint.service_name.as_deref(), Some("游客服务评价平台"));
        assert_eq!(s.imprint.complaint_hotline.as_deref(), Some("0996-12301"));
        let long = "局".repeat(101);
        for (name, value) in [
            ("QRF_COMPLAINT_HOTLINE", "call us"),
            ("QRF_OPERATOR", "line one\nline two"),
            ("QRF_POSTER_ISSUER", long.as_str()),
        ] {
            let mut pairs = BASE.to_vec();
            pairs.push((name, value));
            let err = Settings::load(None, env(&pairs)).unwrap_err().to_string();
            assert!(err.starts_with(name), "{err}");
        }
    }

    #[test]
    fn uploads_default_under_the_working_directory_and_photo_limits_are_bounded() {
        let s = Settings::load(None, env(&BASE)).unwrap();
        assert_eq!(s.upload_dir, PathBuf::from("data/uploads"));
        assert_eq!(s.photo_limits, PhotoLimits::default());
        let mut pairs = BASE.to_vec();
        pairs.extend([
            ("UPLOAD_DIR", "/srv/qrf/uploads"),
            ("PHOTO_MAX_BYTES", "1048576"),
            ("PHOTOS_PER_INSPECTION", "3"),
        ]);
        let s = Settings::load(None, env(&pairs)).unwrap();
        assert_eq!(s.upload_dir, PathBuf::from("/srv/qrf/uploads"));
        assert_eq!(
            s.photo_limits,
            PhotoLimits {
                max_bytes: 1_048_576,
                per_inspection: 3
            }
        );
        for (name, value) in [
            ("PHOTO_MAX_BYTES", "0"),
            ("PHOTO_MAX_BYTES", "999999999999"),
            ("PHOTOS_PER_INSPECTION", "51"),
            ("PHOTOS_PER_INSPECTION", "many"),
        ] {
            let mut pairs = BASE.to_vec();
            pairs.push((name, value));
            let err = Settings::load(None, env(&pairs)).unwrap_err().to_string();
            assert!(err.starts_with(name), "{err}");
        }
    }

    #[test]
    fn trusted_proxies_are_parsed_at_load_and_a_bad_cidr_stops_the_start() {
        let s = Settings::load(None, env(&BASE)).unwrap();
        assert!(s.trusted_proxies.is_empty(), "none by default");
        let mut pairs = BASE.to_vec();
        pairs.push(("TRUSTED_PROXIES", "10.0.0.0/8, fd00::/8"));
        let s = Settings::load(None, env(&pairs)).unwrap();
        assert!(s.trusted_proxies.contains("10.2.3.4".parse().unwrap()));
        assert!(!s.trusted_proxies.contains("127.0.0.1".parse().unwrap()));
        let mut pairs = BASE.to_vec();
        pairs.push(("TRUSTED_PROXIES", "10.0.0.0/8,10.0.0.300/32"));
        let err = Settings::load(None, env(&pairs)).unwrap_err().to_string();
        assert!(
            err.contains("TRUSTED_PROXIES") && err.contains("10.0.0.300/32"),
            "{err}"
        );
    }
}
