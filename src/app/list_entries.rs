//! Credit lists (文化和旅游市场信用管理规定; the prefecture's division of
//! labour, clause 21): a regulator proposes an entry on the list of
//! seriously untrustworthy entities (严重失信主体名单) or the watch list
//! (重点关注名单); the venue is told on its dashboard and may answer with a
//! statement (陈述申辩) within `LIST_STATEMENT_WORKING_DAYS` working days;
//! then a regulator decides, with the statement kept beside the decision.
//! The JSON routes and the console and dashboard forms share these.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::{AppError, Caller, Services, Slug};
use crate::domain::access::Role;
use crate::domain::audit::AuditAction;
use crate::domain::day::local_day;
use crate::domain::ids::VenueId;
use crate::domain::list_entry::{
    self, CreditList, Decision, EntryState, ListEntryError, NewListEntry, ProposalInput,
    REASON_MAX_CHARS, STATEMENT_MAX_CHARS,
};
use crate::store::ScopeFilter;
use crate::store::list_entries::{self, ListEntryRecord, Outcome};

/// Body of `POST /api/v1/venues/{id}/list-entries`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListEntryRequest {
    /// `serious` (严重失信主体名单) or `watch` (重点关注名单).
    pub list: String,
    /// Why, 1–1000 characters.
    pub reason: String,
    /// The provision the entry rests on, 1–500 characters.
    pub legal_basis: String,
    /// The decision's number (决定书文号), if issued.
    #[serde(default)]
    pub decision_no: Option<String>,
    /// The first day in force, `YYYY-MM-DD`, not before today.
    pub starts_on: String,
    /// The day it ends, `YYYY-MM-DD`: at most three years after the start
    /// on the serious list, one on the watch list.
    pub ends_on: String,
    /// Whether the entry's basis excludes credit repair by commitment
    /// (信用承诺, clause 19): a repair application must then bring evidence
    /// files and may not give the commitment. `false` when left out.
    #[serde(default)]
    pub commitment_excluded: Option<bool>,
}

/// Body of `POST /api/v1/list-entries/{id}/statement`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementRequest {
    /// The venue's statement (陈述申辩), 1–5000 characters.
    pub text: String,
}

/// Body of `POST /api/v1/list-entries/{id}/decision`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// `listed` or `dropped`.
    pub decision: String,
    /// Why, 1–1000 characters.
    pub reason: String,
}

/// A list entry as its venue and its regulators see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListEntryBody {
    /// Entry id.
    pub id: i64,
    /// The venue.
    pub venue_id: VenueId,
    /// The venue's name.
    pub venue_name: String,
    /// The venue's region.
    pub region_code: String,
    /// The list.
    pub list: CreditList,
    /// Why.
    pub reason: String,
    /// The provision it rests on.
    pub legal_basis: String,
    /// The decision's number.
    pub decision_no: Option<String>,
    /// First day in force.
    pub starts_on: NaiveDate,
    /// The day it ends.
    pub ends_on: NaiveDate,
    /// `pending`, `listed` or `dropped`.
    pub state: EntryState,
    /// Whether the entry counts on the venue's tier today.
    pub in_force: bool,
    /// Whether its basis excludes credit repair by commitment.
    pub commitment_excluded: bool,
    /// The end the decision gave, once an approved credit repair ended the
    /// entry early (`ends_on` is then the approval's day).
    pub original_ends_on: Option<NaiveDate>,
    /// When it was proposed.
    pub proposed_at: DateTime<Utc>,
    /// The last day the venue may submit its statement.
    pub statement_due_on: NaiveDate,
    /// The venue's statement, if given.
    pub statement: Option<String>,
    /// When it was given.
    pub statement_at: Option<DateTime<Utc>>,
    /// When it was decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// The decision's reason.
    pub decision_reason: Option<String>,
}

impl ListEntryBody {
    /// The body of a stored entry as of `today`.
    pub fn of(entry: ListEntryRecord, today: NaiveDate) -> Self {
        let in_force = entry.state == EntryState::Listed
            && list_entry::in_force(entry.starts_on, entry.ends_on, today);
        Self {
            id: entry.id,
            venue_id: entry.venue_id,
            venue_name: entry.venue_name,
            region_code: entry.region_code,
            list: entry.list,
            reason: entry.reason,
            legal_basis: entry.legal_basis,
            decision_no: entry.decision_no,
            starts_on: entry.starts_on,
            ends_on: entry.ends_on,
            state: entry.state,
            in_force,
            commitment_excluded: entry.commitment_excluded,
            original_ends_on: entry.original_ends_on,
            proposed_at: entry.proposed_at,
            statement_due_on: entry.statement_due_on,
            statement: entry.statement,
            statement_at: entry.statement_at,
            decided_at: entry.decided_at,
            decision_reason: entry.decision_reason,
        }
    }
}

/// A venue's entries.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListEntryList {
    /// The venue.
    pub venue_id: VenueId,
    /// Its entries, newest first.
    pub items: Vec<ListEntryBody>,
}

impl From<ListEntryError> for AppError {
    fn from(err: ListEntryError) -> Self {
        let slug = match err {
            ListEntryError::UnknownList => Slug::UnknownList,
            ListEntryError::Required("reason") => Slug::ReasonRequired,
            ListEntryError::Required(_) => Slug::TextRequired,
            ListEntryError::TooLong(..) => Slug::TextTooLong,
            ListEntryError::ControlCharacter(_) => Slug::ControlCharacter,
            ListEntryError::BadDate(_) => Slug::InvalidDate,
            ListEntryError::StartsInPast => Slug::ListStartsInPast,
            ListEntryError::EndsBeforeStart => Slug::PeriodReversed,
            ListEntryError::TermTooLong(_) => Slug::ListTermTooLong,
            ListEntryError::UnknownDecision => Slug::InvalidDecision,
        };
        AppError::new(slug, err.to_string())
    }
}

async fn scope_of(services: &Services, caller: &Caller) -> Result<ScopeFilter, AppError> {
    Ok(ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    ))
}

/// Proposes an entry for a venue in the caller's scope (admins and
/// regulators); the venue's statement deadline is counted in working days
/// from today.
pub async fn propose(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
    input: ProposalInput<'_>,
) -> Result<ListEntryBody, AppError> {
    let today = services.clock.today();
    let entry = NewListEntry::parse(input, today).map_err(|faults| {
        faults.into_iter().next().map_or_else(
            || AppError::new(Slug::UnknownList, "invalid entry"),
            AppError::from,
        )
    })?;
    let calendar = services.case_rules.calendar().await?;
    let due = calendar.add_working_days(today, services.settings.list_statement_working_days);
    let scope = scope_of(services, caller).await?;
    let stored = list_entries::propose(
        &services.pool,
        venue_id,
        &entry,
        due,
        services.clock.now(),
        &scope,
        caller.audit(AuditAction::LIST_ENTRY_PROPOSE),
    )
    .await?
    .ok_or(AppError::not_found(Slug::VenueNotFound))?;
    Ok(ListEntryBody::of(stored, today))
}

/// The venue's statement on a pending entry (its staff only).
pub async fn submit_statement(
    services: &Services,
    caller: &Caller,
    entry_id: i64,
    text: &str,
) -> Result<ListEntryBody, AppError> {
    if caller.principal.role != Role::VenueStaff {
        return Err(AppError::forbidden(
            "the statement is the venue's: its staff submit it",
        ));
    }
    let text = list_entry::required_text(text, "text", STATEMENT_MAX_CHARS)?;
    let scope = scope_of(services, caller).await?;
    let outcome = list_entries::submit_statement(
        &services.pool,
        entry_id,
        &text,
        services.clock.now(),
        services.clock.today(),
        &scope,
        caller.audit(AuditAction::LIST_ENTRY_STATEMENT),
    )
    .await?;
    settle(outcome, services.clock.today())
}

/// A regulator's decision on a pending entry, once the venue has answered
/// or its deadline has passed.
pub async fn decide(
    services: &Services,
    caller: &Caller,
    entry_id: i64,
    decision: &str,
    reason: &str,
) -> Result<ListEntryBody, AppError> {
    let decision = Decision::parse(decision).ok_or(ListEntryError::UnknownDecision)?;
    let reason = list_entry::required_text(reason, "reason", REASON_MAX_CHARS)?;
    let scope = scope_of(services, caller).await?;
    let outcome = list_entries::decide(
        &services.pool,
        entry_id,
        (decision, &reason),
        services.clock.now(),
        services.clock.today(),
        &scope,
        caller.audit(AuditAction::LIST_ENTRY_DECIDE),
    )
    .await?;
    settle(outcome, services.clock.today())
}

fn settle(outcome: Outcome, today: NaiveDate) -> Result<ListEntryBody, AppError> {
    match outcome {
        Outcome::Done(entry) => Ok(ListEntryBody::of(*entry, today)),
        Outcome::NotFound => Err(AppError::not_found(Slug::ListEntryNotFound)),
        Outcome::Decided => Err(AppError::new(
            Slug::ListEntryDecided,
            "this entry is decided already",
        )),
        Outcome::StatementGiven => Err(AppError::new(
            Slug::StatementGiven,
            "the venue's statement on this entry is in already",
        )),
        Outcome::StatementPeriodOver => Err(AppError::new(
            Slug::StatementPeriodOver,
            "the period for a statement on this entry has ended",
        )),
        Outcome::StatementPeriodOpen => Err(AppError::new(
            Slug::StatementPeriodOpen,
            "the venue may still submit its statement: decide once it has or its period has ended",
        )),
    }
}

/// One entry in the caller's scope.
pub async fn get(
    services: &Services,
    caller: &Caller,
    entry_id: i64,
) -> Result<ListEntryBody, AppError> {
    let scope = scope_of(services, caller).await?;
    let entry = list_entries::get(&services.pool, entry_id, &scope)
        .await?
        .ok_or(AppError::not_found(Slug::ListEntryNotFound))?;
    Ok(ListEntryBody::of(entry, services.clock.today()))
}

/// A venue's entries in the caller's scope; unknown and out-of-scope venues
/// alike are not found.
pub async fn for_venue(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
) -> Result<ListEntryList, AppError> {
    let venue =
        crate::app::supervision::venue_in_scope(services, &caller.principal, venue_id).await?;
    let scope = scope_of(services, caller).await?;
    let today = services.clock.today();
    let items = list_entries::for_venue(&services.pool, venue.id, &scope)
        .await?
        .into_iter()
        .map(|e| ListEntryBody::of(e, today))
        .collect();
    Ok(ListEntryList {
        venue_id: venue.id,
        items,
    })
}

/// One venue on the public 严重失信主体名单.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeriousListItem {
    /// Entry id.
    pub entry_id: i64,
    /// The venue.
    pub venue_id: VenueId,
    /// Its name.
    pub venue_name: String,
    /// Its region's code.
    pub region_code: String,
    /// Its region's full name.
    pub region_name: String,
    /// Its category key.
    pub category: String,
    /// Why it is listed.
    pub reason: String,
    /// The provision the decision rests on.
    pub legal_basis: String,
    /// The decision's number.
    pub decision_no: Option<String>,
    /// The local day of the decision.
    pub decided_on: NaiveDate,
    /// First day in force.
    pub starts_on: NaiveDate,
    /// The day it ends.
    pub ends_on: NaiveDate,
}

/// The public 严重失信主体名单 on a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeriousList {
    /// The day the list is of.
    pub as_of: NaiveDate,
    /// The venues listed that day, by region then name.
    pub items: Vec<SeriousListItem>,
}

/// One venue on the public quality list (优质旅游服务商名录).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QualityListItem {
    /// The venue.
    pub venue_id: VenueId,
    /// Its name.
    pub venue_name: String,
    /// Its region's code.
    pub region_code: String,
    /// Its region's full name.
    pub region_name: String,
    /// Its category key.
    pub category: String,
    /// Why it is on the list: `tier_a`, or `demonstration_unit` (an award
    /// of a demonstration-unit campaign that holds today; a venue that is
    /// both is listed once for each).
    pub basis: String,
    /// Its published score.
    pub score: Option<f64>,
    /// The local day it last became tier A.
    pub decided_on: NaiveDate,
    /// The tier rule set that decided it.
    pub rule_set_version: String,
}

/// The public quality list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QualityList {
    /// The day the list is of.
    pub as_of: NaiveDate,
    /// The venues on it, by region then name.
    pub items: Vec<QualityListItem>,
}

/// A region's Chinese name with its ancestors', province first
/// (新疆维吾尔自治区巴音郭楞蒙古自治州库尔勒市).
fn full_name(regions: &crate::domain::region::RegionTree, code: &str) -> String {
    let mut names: Vec<&str> = regions
        .ancestors(code)
        .into_iter()
        .map(|r| r.name_zh.as_str())
        .collect();
    names.reverse();
    names.concat()
}

/// The 严重失信主体名单 in force today.
pub async fn serious_list(services: &Services) -> Result<SeriousList, AppError> {
    let today = services.clock.today();
    let regions = services.reference.regions().await?;
    let items = list_entries::in_force(&services.pool, CreditList::Serious, today)
        .await?
        .into_iter()
        .map(|e| SeriousListItem {
            region_name: full_name(&regions, &e.region_code),
            entry_id: e.entry_id,
            venue_id: e.venue_id,
            venue_name: e.venue_name,
            region_code: e.region_code,
            category: e.category,
            reason: e.reason,
            legal_basis: e.legal_basis,
            decision_no: e.decision_no,
            decided_on: local_day(e.decided_at),
            starts_on: e.starts_on,
            ends_on: e.ends_on,
        })
        .collect();
    Ok(SeriousList {
        as_of: today,
        items,
    })
}

/// The quality list: open venues in tier A, and awarded demonstration
/// units whose status holds today.
pub async fn quality_list(services: &Services) -> Result<QualityList, AppError> {
    let regions = services.reference.regions().await?;
    let mut items = list_entries::tier_a(&services.pool)
        .await?
        .into_iter()
        .map(|v| QualityListItem {
            region_name: full_name(&regions, &v.region_code),
            venue_id: v.venue_id,
            venue_name: v.venue_name,
            region_code: v.region_code,
            category: v.category,
            basis: "tier_a".into(),
            score: v.score,
            decided_on: local_day(v.since),
            rule_set_version: v.rule_set_version,
        })
        .collect::<Vec<_>>();
    let today = services.clock.today();
    items.extend(
        crate::store::campaigns::awarded_in_force(&services.pool, today)
            .await?
            .into_iter()
            .map(|u| QualityListItem {
                region_name: full_name(&regions, &u.region_code),
                venue_id: u.venue_id,
                venue_name: u.venue_name,
                region_code: u.region_code,
                category: u.category,
                basis: "demonstration_unit".into(),
                score: u.score,
                decided_on: u.awarded_on,
                rule_set_version: String::new(),
            }),
    );
    items.sort_by(|a, b| {
        (a.region_code.as_str(), a.venue_name.as_str(), a.venue_id).cmp(&(
            b.region_code.as_str(),
            b.venue_name.as_str(),
            b.venue_id,
        ))
    });
    Ok(QualityList {
        as_of: services.clock.today(),
        items,
    })
}
