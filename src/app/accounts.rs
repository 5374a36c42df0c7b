//! Accounts of people: creating one with a role and scope inside the
//! caller's and its invitation, accepting an invitation, listing, changing,
//! resetting a second factor, and issuing a set-password link.
//!
//! Past 500 lines: one use-case per account action (create, accept an invitation, list, change,
//! reset a second factor, issue a set-password link), sharing the grant and management checks.

use crate::domain::ids::{AccountId, VenueId};
use crate::domain::venue::RegionCode;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::caller::requested_grant;
use crate::app::{AppError, Caller, Services, Slug};
use crate::domain::access::{Role, Scope, held_grant as grant_of, may_manage};
use crate::domain::names::{DisplayName, NameError};
use crate::domain::password::{InvitationToken, Login, Password, hash_password};
use crate::password_work::PasswordJob;
use crate::store::ScopeFilter;
use crate::store::accounts::{
    self, AccountChange, AccountError, AccountRecord, Credential, NewAccount, NewGrant,
    OpenInvitation,
};
use crate::store::audit::{AuditAction, AuditEntry};
use crate::store::second_factor::{self, ResetOutcome};
use crate::store::tokens;

/// How long an invitation or set-password link works.
const INVITATION_VALID_HOURS: i64 = 72;

/// The link that opens the `/invite/{token}` page for a token.
fn invitation_url(services: &Services, token: &InvitationToken) -> String {
    format!(
        "{}/invite/{}",
        services.settings.public_base_url,
        token.reveal()
    )
}

/// Body of `POST /api/v1/accounts`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccount {
    /// Login name: 3–64 of `a-z 0-9 . _ -` (folded to lower case).
    #[schema(example = "bz-regulator")]
    pub login: String,
    /// Name shown to people: 1–100 characters on one line, without control
    /// characters or direction overrides.
    pub display_name: String,
    /// `admin`, `regulator` or `venue_staff`; never above the caller's.
    pub role: String,
    /// The region of a regulator (within the caller's scope).
    #[schema(example = "652800")]
    pub region_code: Option<String>,
    /// The venues of a venue-staff account (within the caller's scope).
    pub venue_ids: Option<Vec<VenueId>>,
}

/// An account as the API shows it; the invitation only in the answer to its creation.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountBody {
    /// Account id.
    pub id: AccountId,
    /// Login name.
    pub login: String,
    /// Name shown to people.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Region of a regulator.
    pub region_code: Option<RegionCode>,
    /// Venues of a venue-staff account.
    pub venue_ids: Vec<VenueId>,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it was disabled, if it was.
    pub disabled_at: Option<DateTime<Utc>>,
    /// Whether the person has set a password.
    pub activated: bool,
    /// The link through which the person sets a password, shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation_url: Option<String>,
    /// When that link stops working.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation_expires_at: Option<DateTime<Utc>>,
}

impl AccountBody {
    fn new(record: AccountRecord) -> Self {
        Self {
            id: record.id,
            login: record.login,
            display_name: record.display_name,
            role: record.role,
            region_code: record.region_code,
            venue_ids: record.venue_ids,
            created_by: record.created_by,
            created_at: record.created_at,
            disabled_at: record.disabled_at,
            activated: record.activated,
            invitation_url: None,
            invitation_expires_at: None,
        }
    }
}

/// The accounts in the caller's scope.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountList {
    /// Accounts, oldest first.
    pub items: Vec<AccountBody>,
}

/// Body of `PATCH /api/v1/accounts/{id}`: only the fields given change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAccount {
    /// A new name shown to people: 1–100 characters on one line, without
    /// control characters or direction overrides.
    pub display_name: Option<String>,
    /// `true` disables the account and ends its sessions; `false` enables it again.
    pub disabled: Option<bool>,
    /// A new role; `region_code` or `venue_ids` then give its scope, replacing the old.
    pub role: Option<String>,
    /// The region of a regulator (with `role`).
    #[schema(example = "652801")]
    pub region_code: Option<String>,
    /// The venues of a venue-staff account (with `role`).
    pub venue_ids: Option<Vec<VenueId>>,
}

/// Body of `POST /api/v1/invitations/{token}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    /// The new password: 12–128 characters, not containing the login name.
    pub password: String,
}

/// The account an invitation activated.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivatedAccount {
    /// Account id.
    pub id: AccountId,
    /// Login name, to sign in with.
    pub login: String,
}

/// Creates an account and its invitation: the one code path of the JSON
/// route and the console's form.
pub async fn create(
    services: &Services,
    caller: &Caller,
    request: CreateAccount,
) -> Result<AccountBody, AppError> {
    let login = Login::parse(&request.login)
        .map_err(|e| AppError::new(Slug::InvalidLogin, e.to_string()))?;
    let display_name = parse_display_name(&request.display_name)?;
    let (role, scope) = requested_grant(
        &request.role,
        request.region_code,
        request.venue_ids.unwrap_or_default(),
    )?;
    let regions = services.reference.regions().await?;
    if let Some(code) = scope.region_code()
        && regions.get(code).is_none()
    {
        return Err(AppError::new(
            Slug::UnknownRegion,
            format!("no region has the code {code:?}"),
        ));
    }
    let venue_ids = scope.venue_ids();
    let venue_regions = caller.check_grant(services, role, &scope).await?;

    let invitation = InvitationToken::generate();
    let expires_at = services.clock.now() + Duration::hours(INVITATION_VALID_HOURS);
    // The audit row belongs to the account's region (or its first venue's),
    // so regulators there see it in their log.
    let first_venue = venue_ids.first().copied();
    let audit = AuditEntry {
        region_code: scope
            .region_code()
            .map(str::to_owned)
            .or_else(|| first_venue.and_then(|id| venue_regions.get(&id).cloned())),
        venue_id: first_venue,
        ..caller.audit(AuditAction::ACCOUNT_CREATE)
    };
    let record = accounts::create(
        &services.pool,
        &NewAccount {
            login: login.as_str(),
            display_name: &display_name,
            role,
            region_code: scope.region_code(),
            venue_ids: &venue_ids,
            created_by: &caller.principal.actor,
        },
        &Credential::Invitation {
            token_hash: invitation.hash(),
            expires_at,
        },
        audit,
    )
    .await
    .map_err(|err| match err {
        AccountError::LoginTaken => AppError::new(
            Slug::DuplicateLogin,
            format!(
                "an account with the login {:?} already exists",
                login.as_str()
            ),
        ),
        AccountError::Store(err) => err.into(),
    })?;
    Ok(AccountBody {
        invitation_url: Some(invitation_url(services, &invitation)),
        invitation_expires_at: Some(expires_at),
        ..AccountBody::new(record)
    })
}

/// The accounts in the caller's scope, oldest first: for a regulator, those
/// of its region's subtree and of venues in it. Never password hashes.
pub async fn list(services: &Services, caller: &Caller) -> Result<AccountList, AppError> {
    let scope = ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    );
    let items = accounts::list(&services.pool, &scope)
        .await?
        .into_iter()
        .map(AccountBody::new)
        .collect();
    Ok(AccountList { items })
}

/// The open invitation behind a link's token; an unknown, used and expired
/// one alike are 404.
pub async fn open_invitation(
    services: &Services,
    raw_token: &str,
) -> Result<OpenInvitation, AppError> {
    let token =
        InvitationToken::parse(raw_token).ok_or(AppError::not_found(Slug::InvitationNotFound))?;
    accounts::find_open_invitation(&services.pool, &token.hash(), services.clock.now())
        .await?
        .ok_or(AppError::not_found(Slug::InvitationNotFound))
}

/// Sets an invited person's password and uses up the invitation: the one
/// code path of the JSON route and the `/invite/{token}` page.
pub async fn activate(
    services: &Services,
    raw_token: &str,
    password: String,
    client_ip: Option<String>,
) -> Result<ActivatedAccount, AppError> {
    let invitation = open_invitation(services, raw_token).await?;
    let password = Password::parse(password, &invitation.login)
        .map_err(|e| AppError::new(Slug::WeakPassword, e.to_string()))?;
    // Hashing takes tens of milliseconds of CPU: on the bounded pool.
    let password_hash = services
        .password_work
        .run(PasswordJob::Hash, move || hash_password(&password))
        .await
        .map_err(|_| AppError::unavailable())?;
    let audit = AuditEntry {
        actor: format!("account:{}", invitation.account_id),
        region_code: invitation.region_code.as_deref().map(str::to_owned),
        venue_id: invitation.venue_id,
        client_ip,
        ..AuditEntry::default()
    };
    let account_id = accounts::accept_invitation(
        &services.pool,
        &invitation,
        &password_hash,
        services.clock.now(),
        audit,
    )
    .await?
    .ok_or(AppError::not_found(Slug::InvitationNotFound))?;
    // The stored cutoff already refuses every older session; deleting them
    // from Redis as well frees them at once.
    if let Err(err) = services.live.delete_account_sessions(account_id).await {
        tracing::warn!(error = %err, %account_id, "could not end the sessions of an account whose password was set");
    }
    Ok(ActivatedAccount {
        id: account_id,
        login: invitation.login,
    })
}

/// A display name, or the 422 that refuses it.
fn parse_display_name(raw: &str) -> Result<DisplayName, AppError> {
    DisplayName::parse(raw).map_err(|err| {
        let slug = match err {
            NameError::BadShape { .. } => Slug::InvalidDisplayName,
            NameError::ControlCharacter { .. } => Slug::ControlCharacter,
        };
        AppError::new(slug, err.to_string())
    })
}

/// The role and scope an account holds now.
fn held_grant(record: &AccountRecord) -> Result<(Role, Scope), AppError> {
    grant_of(
        record.role,
        record.region_code.as_deref(),
        &record.venue_ids,
    )
    .ok_or(AppError::internal())
}

/// Checks that the caller may manage an account holding `role` with
/// `scope` (its current grant, or one it is to be given): see
/// [`may_manage`]. 403 when not.
pub async fn check_manage(
    services: &Services,
    caller: &Caller,
    account_id: AccountId,
    role: Role,
    scope: &Scope,
) -> Result<(), AppError> {
    let tree = services.reference.regions().await?;
    let venue_regions = tokens::venue_regions(&services.pool, &scope.venue_ids()).await?;
    may_manage(
        &caller.principal,
        account_id,
        role,
        scope,
        &tree,
        &venue_regions,
    )
    .map_err(|err| AppError::forbidden(err.to_string()))
}

/// The account, as the caller may manage it: in the caller's scope (else
/// 404) and below the caller (else 403, see [`may_manage`]). Returns the
/// caller's scope as SQL parameters too, for the change's own check.
async fn managed_account(
    services: &Services,
    caller: &Caller,
    account_id: AccountId,
) -> Result<(ScopeFilter, AccountRecord), AppError> {
    let scope = ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    );
    let mut conn = services.pool.acquire().await?;
    let seen = accounts::find_in_scope(&mut conn, account_id, &scope)
        .await?
        .ok_or(AppError::not_found(Slug::AccountNotFound))?;
    drop(conn);
    let (held_role, held_scope) = held_grant(&seen)?;
    check_manage(services, caller, account_id, held_role, &held_scope).await?;
    Ok((scope, seen))
}

/// An account the caller may manage (404 outside the caller's scope, 403
/// above it), as a confirmation names it before a change.
pub async fn managed(
    services: &Services,
    caller: &Caller,
    account_id: AccountId,
) -> Result<AccountRecord, AppError> {
    managed_account(services, caller, account_id)
        .await
        .map(|(_, record)| record)
}

/// Refuses a change when the account's role or scope moved after the grant
/// check (`now` is read under the change's lock).
fn grant_unchanged(seen: &AccountRecord, now: &AccountRecord) -> Result<(), AppError> {
    let same = now.role == seen.role
        && now.region_code == seen.region_code
        && now.venue_ids == seen.venue_ids;
    if same {
        Ok(())
    } else {
        Err(AppError::new(
            Slug::AccountChanged,
            "the account changed while this request was checked; read it and try again",
        ))
    }
}

/// Changes an account: the one code path of the JSON route and the console's forms.
pub async fn update(
    services: &Services,
    caller: &Caller,
    account_id: AccountId,
    request: UpdateAccount,
) -> Result<AccountBody, AppError> {
    let display_name = request
        .display_name
        .as_deref()
        .map(parse_display_name)
        .transpose()?;
    let new_grant = match request.role {
        Some(role) => Some(requested_grant(
            &role,
            request.region_code,
            request.venue_ids.unwrap_or_default(),
        )?),
        None if request.region_code.is_some() || request.venue_ids.is_some() => {
            return Err(AppError::new(
                Slug::InvalidScope,
                "give role together with region_code or venue_ids",
            ));
        }
        None => None,
    };
    let (scope, seen) = managed_account(services, caller, account_id).await?;
    // The account stays below the caller: no re-scoping a peer into being.
    if let Some((role, scope)) = &new_grant {
        caller.check_grant(services, *role, scope).await?;
        check_manage(services, caller, account_id, *role, scope).await?;
    }

    let region_code = new_grant
        .as_ref()
        .and_then(|(_, s)| s.region_code().map(str::to_owned));
    let venue_ids = new_grant
        .as_ref()
        .map(|(_, s)| s.venue_ids())
        .unwrap_or_default();
    let change = AccountChange {
        display_name: display_name.as_ref(),
        disabled: request.disabled,
        grant: new_grant.as_ref().map(|(role, _)| NewGrant {
            role: *role,
            region_code: region_code.as_deref(),
            venue_ids: &venue_ids,
        }),
    };
    let audit = AuditEntry {
        region_code: seen
            .region_code
            .as_deref()
            .map(str::to_owned)
            .or(region_code.clone()),
        venue_id: seen.venue_ids.first().copied(),
        ..caller.audit(AuditAction::ACCOUNT_UPDATE)
    };
    let unchanged = |now: &AccountRecord| grant_unchanged(&seen, now);
    let (before, after) = accounts::update(
        &services.pool,
        account_id,
        &scope,
        &change,
        unchanged,
        audit,
    )
    .await?
    .ok_or(AppError::not_found(Slug::AccountNotFound))?;
    let rescoped = before.role != after.role
        || before.region_code != after.region_code
        || before.venue_ids != after.venue_ids;
    if (after.disabled_at.is_some() || rescoped)
        && let Err(err) = services.live.delete_account_sessions(account_id).await
    {
        tracing::warn!(error = %err, %account_id, "could not end the sessions of a changed account");
    }
    Ok(AccountBody::new(after))
}

/// Resets an account's second factor: the one code path of the JSON route
/// and the console's form.
pub async fn reset_second_factor(
    services: &Services,
    caller: &Caller,
    account_id: AccountId,
) -> Result<(), AppError> {
    // Resetting one's own factor this way would skip proving the old one;
    // the caller's own account is the signed-in one or its token's owner,
    // however many tokens deep.
    if caller.principal.account_id == Some(account_id) {
        return Err(AppError::new(
            Slug::OwnSecondFactor,
            "your own second factor is changed at /account/security",
        ));
    }
    let (scope, seen) = managed_account(services, caller, account_id).await?;
    let unchanged = |now: &AccountRecord| grant_unchanged(&seen, now);
    let outcome = second_factor::reset(
        &services.pool,
        account_id,
        &scope,
        unchanged,
        caller.audit(AuditAction::TOTP_RESET),
    )
    .await?
    .ok_or(AppError::not_found(Slug::AccountNotFound))?;
    if outcome == ResetOutcome::NotEnrolled {
        return Err(AppError::new(
            Slug::NoSecondFactor,
            "the account has no enrolled second factor to reset",
        ));
    }
    // Sessions opened with the old factor must not outlive it.
    if let Err(err) = services.live.delete_account_sessions(account_id).await {
        tracing::warn!(error = %err, %account_id, "could not end the sessions of a reset account");
    }
    Ok(())
}

/// A fresh set-password link, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordLink {
    /// The link that opens the page where the person sets a new password.
    pub url: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

/// Issues a set-password link for an account: the one code path of the JSON
/// route and the console's form. Returns the account with its link.
pub async fn issue_password_link(
    services: &Services,
    caller: &Caller,
    account_id: AccountId,
) -> Result<(AccountRecord, PasswordLink), AppError> {
    // Setting one's own password this way would skip proving the current one.
    if caller.principal.account_id == Some(account_id) {
        return Err(AppError::new(
            Slug::OwnPassword,
            "your own password is changed at /account/password",
        ));
    }
    let (scope, seen) = managed_account(services, caller, account_id).await?;
    let allowed = |now: &AccountRecord| {
        grant_unchanged(&seen, now)?;
        if now.disabled_at.is_some() {
            return Err(AppError::new(
                Slug::AccountDisabled,
                "the account is disabled; enable it before sending it a link",
            ));
        }
        Ok(())
    };
    let token = InvitationToken::generate();
    let expires_at = services.clock.now() + Duration::hours(INVITATION_VALID_HOURS);
    let account = accounts::issue_password_link(
        &services.pool,
        account_id,
        &scope,
        allowed,
        &token.hash(),
        expires_at,
        caller.audit(AuditAction::ACCOUNT_PASSWORD_LINK),
    )
    .await?
    .ok_or(AppError::not_found(Slug::AccountNotFound))?;
    let link = PasswordLink {
        url: invitation_url(services, &token),
        expires_at,
    };
    Ok((account, link))
}
