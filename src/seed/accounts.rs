//! `qrfeedback --demo seed-demo --accounts`: one person of each audience, so
//! a newcomer can look at the console and the dashboard without setting
//! anything up: an admin, a regulator of the Bayingolin prefecture, one of
//! Korla city below it, and the staff of a Korla venue.
//!
//! Passwords are random and new on every run, printed once and never stored
//! in the clear: nothing published signs in. Each account's authenticator is
//! enrolled, and its key printed as an `otpauth://` URI (for an app) while
//! `totp-code` prints the current code (for no app at all). Only accounts
//! the demo made (`created_by = 'demo'`) are ever touched.

use crate::domain::ids::{AccountId, VenueId};
use std::fmt;

use anyhow::{Context as _, bail};
use data_encoding::BASE32_NOPAD;
use sqlx::PgPool;

use crate::domain::access::Role;
use crate::domain::names::DisplayName;
use crate::domain::password::{Login, Password, hash_password};
use crate::domain::secrets::Secrets;
use crate::domain::totp::{RecoveryCode, TotpSecret};
use crate::store::accounts::{self, AccountError, Credential, NewAccount};
use crate::store::audit::{AuditAction, AuditEntry};
use crate::store::demo::{self, DEMO_CREATOR};
use crate::store::{ScopeFilter, second_factor, venues};

/// The region of the demo's prefecture regulator: Bayingolin (巴音郭楞).
pub const DEMO_PREFECTURE: &str = "652800";
/// The region of the demo's county regulator and staff venue: Korla (库尔勒).
pub const DEMO_COUNTY: &str = "652801";

/// One demo account to make.
struct DemoPerson {
    login: &'static str,
    display_name: &'static str,
    role: Role,
    /// A regulator's region.
    region_code: Option<&'static str>,
}

const DEMO_PEOPLE: [DemoPerson; 4] = [
    DemoPerson {
        login: "demo-admin",
        display_name: "演示管理员 Demo admin",
        role: Role::Admin,
        region_code: None,
    },
    DemoPerson {
        login: "demo-bayingolin",
        display_name: "巴音郭楞州监管（演示）Bayingolin regulator (demo)",
        role: Role::Regulator,
        region_code: Some(DEMO_PREFECTURE),
    },
    DemoPerson {
        login: "demo-korla",
        display_name: "库尔勒市监管（演示）Korla regulator (demo)",
        role: Role::Regulator,
        region_code: Some(DEMO_COUNTY),
    },
    DemoPerson {
        login: "demo-staff",
        display_name: "场所员工（演示）Venue staff (demo)",
        role: Role::VenueStaff,
        region_code: None,
    },
];

/// What a person needs to sign in as one demo account.
#[derive(Debug)]
pub struct DemoSignIn {
    /// Login name.
    pub login: &'static str,
    /// What the account may see, in words.
    pub scope: String,
    /// The password set by this run.
    pub password: String,
    /// The authenticator key as an `otpauth://` URI.
    pub otpauth_url: String,
}

/// The demo accounts made or refreshed by one run.
#[derive(Debug)]
pub struct DemoAccounts {
    /// The rating page of the staff account's venue.
    pub rating_url: String,
    /// Each account.
    pub accounts: Vec<DemoSignIn>,
}

impl fmt::Display for DemoAccounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "rate the demo staff's venue: {}", self.rating_url)?;
        writeln!(
            f,
            "demo accounts (sign in at /login; passwords are new on every run):"
        )?;
        for account in &self.accounts {
            writeln!(f, "  {}  ({})", account.login, account.scope)?;
            writeln!(f, "    password: {}", account.password)?;
            writeln!(f, "    authenticator key: {}", account.otpauth_url)?;
            writeln!(
                f,
                "    current code: qrfeedback --demo totp-code --login {}",
                account.login
            )?;
        }
        Ok(())
    }
}

/// A random password of 16 letters and digits (80 bits).
fn random_password() -> String {
    let bytes: [u8; 10] = rand::random();
    BASE32_NOPAD.encode(&bytes).to_lowercase()
}

/// Makes the demo accounts, or gives the ones an earlier run made new
/// passwords; enrols their authenticators. `now_unix` is the current time,
/// which the enrolment's first accepted step comes from.
pub async fn seed_demo_accounts(
    pool: &PgPool,
    secrets: &Secrets,
    public_base_url: &str,
    now_unix: u64,
) -> anyhow::Result<DemoAccounts> {
    let (staff_venue_id, staff_venue_name) = demo::first_venue_in(pool, DEMO_COUNTY)
        .await?
        .context("no venue in Korla (652801) yet: run `qrfeedback seed-demo` first")?;
    let staff_venue = venues::in_scope(pool, staff_venue_id, &ScopeFilter::everything())
        .await?
        .context("the demo staff's venue has no live code")?;
    let mut signed = Vec::new();
    for person in &DEMO_PEOPLE {
        let login = Login::parse(person.login)?;
        let password = random_password();
        let hash = hash_password(&Password::parse(password.clone(), login.as_str())?);
        let venue_ids: &[VenueId] = if person.role == Role::VenueStaff {
            std::slice::from_ref(&staff_venue_id)
        } else {
            &[]
        };
        let account_id = match demo::find_account(pool, login.as_str()).await? {
            None => create(pool, person, venue_ids, &hash).await?,
            Some(existing) if existing.made_by_demo => {
                demo::replace_password(pool, existing.id, &hash).await?;
                existing.id
            }
            Some(_) => bail!(
                "an account with the login {:?} exists that the demo did not make; it was left alone",
                person.login
            ),
        };
        let secret = enrolled_secret(pool, secrets, account_id, now_unix).await?;
        let scope = match (person.role, person.region_code) {
            (Role::Admin, _) => "admin, everything".to_owned(),
            (Role::Regulator, Some(code)) => format!("regulator of region {code}"),
            _ => format!("venue staff of venue {staff_venue_id}, {staff_venue_name}"),
        };
        signed.push(DemoSignIn {
            login: person.login,
            scope,
            password,
            otpauth_url: secret
                .otpauth_url(person.login)
                .context("authenticator URI")?,
        });
    }
    Ok(DemoAccounts {
        rating_url: format!("{public_base_url}/r/{}", staff_venue.code),
        accounts: signed,
    })
}

/// Creates one demo account with its password, audited like `create-admin`.
async fn create(
    pool: &PgPool,
    person: &DemoPerson,
    venue_ids: &[VenueId],
    password_hash: &str,
) -> anyhow::Result<AccountId> {
    let display_name = DisplayName::parse(person.display_name).context("demo display name")?;
    let record = accounts::create(
        pool,
        &NewAccount {
            login: person.login,
            display_name: &display_name,
            role: person.role,
            region_code: person.region_code,
            venue_ids,
            created_by: DEMO_CREATOR,
        },
        &Credential::PasswordHash(password_hash),
        AuditEntry {
            actor: "cli".into(),
            action: AuditAction::ACCOUNT_CREATE,
            region_code: person.region_code.map(str::to_owned),
            venue_id: venue_ids.first().copied(),
            ..AuditEntry::default()
        },
    )
    .await
    .map_err(|err| match err {
        // Another run made it at the same moment; the next run refreshes it.
        AccountError::LoginTaken => {
            anyhow::anyhow!("{:?} was made by another run just now", person.login)
        }
        AccountError::Store(err) => anyhow::Error::new(err).context("creating a demo account"),
    })?;
    Ok(record.id)
}

/// The account's enrolled authenticator key, enrolling a new one first if it has none.
async fn enrolled_secret(
    pool: &PgPool,
    secrets: &Secrets,
    account_id: AccountId,
    now_unix: u64,
) -> anyhow::Result<TotpSecret> {
    let state = second_factor::state(pool, account_id)
        .await?
        .context("the demo account vanished")?;
    if let Some(secret) = open_enrolled(secrets, &state)? {
        return Ok(secret);
    }
    let audit = || state.audit_entry("cli".into(), None);
    let fresh = TotpSecret::generate();
    let sealed = second_factor::begin_enrolment(
        pool,
        account_id,
        &secrets.seal_totp_secret(account_id, &fresh),
        audit(),
    )
    .await?
    .context("the demo account's authenticator is already enrolled")?;
    // Confirmed as if with the code of the step before now, so the code an
    // app shows now is still accepted at the first sign-in.
    let step = i64::try_from(now_unix / crate::domain::totp::STEP_SECS)? - 1;
    let recovery_hashes: Vec<String> = RecoveryCode::generate_set()
        .iter()
        .map(RecoveryCode::hash_for_storage)
        .collect();
    second_factor::confirm_enrolment(pool, account_id, &sealed, step, &recovery_hashes, audit())
        .await?;
    secrets
        .open_totp_secret(account_id, &sealed)
        .context("the demo account's authenticator was sealed under another SECRET_KEY")
}

/// The account's enrolled authenticator key, if it has one.
fn open_enrolled(
    secrets: &Secrets,
    state: &second_factor::SecondFactorState,
) -> anyhow::Result<Option<TotpSecret>> {
    state
        .enrolled_totp()
        .map(|enrolled| {
            secrets
                .open_totp_secret(state.account_id, &enrolled.secret_sealed)
                .context("the demo account's authenticator was sealed under another SECRET_KEY")
        })
        .transpose()
}

/// The code a demo account's authenticator shows at `now_unix`; refuses
/// accounts the demo did not make.
pub async fn demo_totp_code(
    pool: &PgPool,
    secrets: &Secrets,
    login: &str,
    now_unix: u64,
) -> anyhow::Result<String> {
    let login = Login::parse(login)?;
    let account = demo::find_account(pool, login.as_str())
        .await?
        .with_context(|| format!("no account has the login {:?}", login.as_str()))?;
    if !account.made_by_demo {
        bail!(
            "{:?} is not a demo account: codes are printed only for accounts `seed-demo --accounts` made",
            login.as_str()
        );
    }
    let state = second_factor::state(pool, account.id)
        .await?
        .context("the demo account vanished")?;
    let secret = open_enrolled(secrets, &state)?.with_context(|| {
        format!(
            "{:?} has no authenticator: run `qrfeedback --demo seed-demo --accounts`",
            login.as_str()
        )
    })?;
    Ok(secret.code_at(now_unix).context("authenticator code")?.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_logins_and_passwords_pass_the_account_rules() {
        for person in &DEMO_PEOPLE {
            let login = Login::parse(person.login).unwrap();
            assert_eq!(login.as_str(), person.login);
            let password = random_password();
            assert_eq!(password.len(), 16);
            assert!(Password::parse(password, login.as_str()).is_ok());
        }
        assert_ne!(random_password(), random_password());
    }
}
