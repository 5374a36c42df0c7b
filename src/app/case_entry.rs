//! Complaints a regulator takes by telephone or from the 12345 hotline
//! (clause 29 of the prefecture's division of labour: complaint mediation):
//! each becomes a case like a visitor's, with a tracking code to give the
//! caller. The JSON route names the venue by id; the console's form names it
//! by id or printed code and says when the call came in. Every refusal of
//! the input names its field (the `field` argument), so a form can say it
//! beside that field, and the form hears every refusal at once.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::working_days::parse_day;
use crate::app::{AppError, Caller, Kind, Services, Slug};
use crate::domain::audit::AuditAction;
use crate::domain::code::VenueCode;
use crate::domain::complaint::CaseState;
use crate::domain::day::{local_day, parse_local_time};
use crate::domain::ids::VenueId;
use crate::domain::rating::{Complaint, RatingError};
use crate::store::ScopeFilter;
use crate::store::cases;
use crate::store::venues::{self, CodeStatus};

/// Body of `POST /api/v1/complaints`: a complaint a regulator takes by
/// telephone or from the 12345 hotline.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnteredComplaint {
    /// The venue complained about.
    pub venue_id: i64,
    /// `phone` or `hotline_12345`.
    pub source: String,
    /// What happened, 1–1000 characters.
    pub description: String,
    /// The complainant's telephone or e-mail, up to 100 characters; stored encrypted.
    pub contact: Option<String>,
    /// The local day of the service complained about, `YYYY-MM-DD`; a day
    /// more than the region's limit (90 days by default) before the day the
    /// complaint was received is refused.
    pub service_on: String,
    /// When the call came in (RFC 3339); now when absent. Not in the
    /// future, nor before the day of the service. The case's first deadline
    /// counts from it.
    pub received_at: Option<DateTime<Utc>>,
}

/// The console's form for the same, every field as typed: the venue by id
/// or printed code, and the time received as Beijing wall-clock time
/// (`YYYY-MM-DDTHH:MM`, blank for now).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ComplaintEntryForm {
    /// The venue's id, or the code printed in its QR code.
    pub venue: String,
    /// `phone` or `hotline_12345`.
    pub source: String,
    /// The local day of the service, `YYYY-MM-DD`.
    pub service_on: String,
    /// What happened.
    pub description: String,
    /// The complainant's telephone or e-mail; blank for none.
    pub contact: String,
    /// When the call came in, Beijing time; blank for now.
    pub received_at: String,
}

/// A case just entered.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnteredCaseBody {
    /// Case id.
    pub id: i64,
    /// The tracking code to give the complainant.
    pub tracking_code: String,
}

/// How an entered complaint names its venue.
enum VenueNamed<'a> {
    /// By id (the JSON route).
    Id(VenueId),
    /// As typed into the form: an id or a printed code.
    Typed(&'a str),
}

/// When an entered complaint came in.
enum Received<'a> {
    /// Given as an instant (the JSON route; `None` is now).
    At(Option<DateTime<Utc>>),
    /// As typed into the form: Beijing time, blank for now.
    Typed(&'a str),
}

/// An entered complaint before any check.
struct RawEntry<'a> {
    venue: VenueNamed<'a>,
    source: &'a str,
    description: &'a str,
    contact: Option<&'a str>,
    service_on: &'a str,
    received: Received<'a>,
}

/// Enters a complaint taken by telephone or the 12345 hotline as a new
/// case of a venue in the caller's scope, with its audit row. A service
/// longer ago than the handling region allows is refused with the reason;
/// of several refusals, the first is answered.
pub async fn enter(
    services: &Services,
    caller: &Caller,
    request: &EnteredComplaint,
) -> Result<EnteredCaseBody, AppError> {
    let entry = RawEntry {
        venue: VenueNamed::Id(VenueId::new(request.venue_id)),
        source: &request.source,
        description: &request.description,
        contact: request.contact.as_deref(),
        service_on: &request.service_on,
        received: Received::At(request.received_at),
    };
    enter_entry(services, caller, entry)
        .await
        .map_err(|refusals| {
            refusals
                .into_iter()
                .next()
                .unwrap_or_else(AppError::internal)
        })
}

/// Enters a complaint from the console's form, as [`enter`] does; refused,
/// every refusal of the input at once, each naming its field. An error that
/// is no refusal of the input (an outage) comes alone.
pub async fn enter_form(
    services: &Services,
    caller: &Caller,
    form: &ComplaintEntryForm,
) -> Result<EnteredCaseBody, Vec<AppError>> {
    let entry = RawEntry {
        venue: VenueNamed::Typed(&form.venue),
        source: &form.source,
        description: &form.description,
        contact: Some(&form.contact),
        service_on: &form.service_on,
        received: Received::Typed(&form.received_at),
    };
    enter_entry(services, caller, entry).await
}

/// The field a refusal is about, as its `field` argument names it.
pub fn refused_field(err: &AppError) -> Option<&str> {
    err.arg("field")
}

/// Keeps a checked value, or notes its refusal as being about `field`.
fn keep<T>(
    refusals: &mut Vec<AppError>,
    field: &'static str,
    checked: Result<T, AppError>,
) -> Option<T> {
    checked
        .map_err(|err| refusals.push(err.with("field", field)))
        .ok()
}

fn parse_source(raw: &str) -> Result<&'static str, AppError> {
    match raw.trim() {
        "phone" => Ok("phone"),
        "hotline_12345" => Ok("hotline_12345"),
        _ => Err(AppError::new(
            Slug::InvalidSource,
            "source must be phone or hotline_12345",
        )),
    }
}

fn parse_description(raw: &str) -> Result<String, AppError> {
    Complaint::parse(Some(raw), None)
        .map_err(AppError::from)?
        .map(|complaint| complaint.text)
        .ok_or_else(|| AppError::new(Slug::EmptyComplaint, "a description is required"))
}

fn parse_contact(raw: Option<&str>) -> Result<Option<String>, AppError> {
    Complaint::parse_contact(raw).map_err(|err| match err {
        RatingError::TooLong { .. } => AppError::new(
            Slug::TextTooLong,
            "the contact may hold at most 100 characters",
        ),
        other => AppError::from(other),
    })
}

fn parse_service_on(raw: &str, today: NaiveDate) -> Result<NaiveDate, AppError> {
    let day = parse_day(raw)?;
    if day > today {
        return Err(AppError::new(
            Slug::DateInFuture,
            "service_on lies in the future",
        ));
    }
    Ok(day)
}

fn parse_received(received: &Received<'_>, now: DateTime<Utc>) -> Result<DateTime<Utc>, AppError> {
    let at = match received {
        Received::At(at) => at.unwrap_or(now),
        Received::Typed(raw) if raw.trim().is_empty() => now,
        Received::Typed(raw) => parse_local_time(raw).ok_or_else(|| {
            AppError::new(
                Slug::InvalidTime,
                "the time received must be written YYYY-MM-DDTHH:MM, Beijing time",
            )
        })?,
    };
    if at > now {
        return Err(AppError::new(
            Slug::DateInFuture,
            "received_at lies in the future",
        ));
    }
    Ok(at)
}

/// The venue an entry names, in the caller's scope: an id, or a code this
/// service issued and the venue still uses.
async fn resolve_venue(
    services: &Services,
    caller: &Caller,
    named: &VenueNamed<'_>,
) -> Result<crate::store::venues::Venue, AppError> {
    let id = match named {
        VenueNamed::Id(id) => *id,
        VenueNamed::Typed(raw) => {
            let raw = raw.trim();
            match raw.parse::<i64>() {
                Ok(id) if id > 0 => VenueId::new(id),
                _ => {
                    let code = VenueCode::parse(&raw.to_ascii_lowercase())
                        .ok_or_else(|| AppError::not_found(Slug::VenueNotFound))?;
                    match venues::lookup_code(&services.pool, services.secrets.code_key(), &code)
                        .await?
                    {
                        CodeStatus::Active(card) | CodeStatus::Closed(card) => card.id,
                        CodeStatus::Replaced | CodeStatus::Unknown => {
                            return Err(AppError::not_found(Slug::VenueNotFound));
                        }
                    }
                }
            }
        }
    };
    crate::app::supervision::venue_in_scope(services, &caller.principal, id).await
}

async fn enter_entry(
    services: &Services,
    caller: &Caller,
    entry: RawEntry<'_>,
) -> Result<EnteredCaseBody, Vec<AppError>> {
    let now = services.clock.now();
    let today = services.clock.today();
    let mut refusals = Vec::new();
    let source = keep(&mut refusals, "source", parse_source(entry.source));
    let description = keep(
        &mut refusals,
        "description",
        parse_description(entry.description),
    );
    let contact = keep(&mut refusals, "contact", parse_contact(entry.contact));
    let service_on = keep(
        &mut refusals,
        "service_on",
        parse_service_on(entry.service_on, today),
    );
    let received_at = keep(
        &mut refusals,
        "received_at",
        parse_received(&entry.received, now),
    );
    let venue = match resolve_venue(services, caller, &entry.venue).await {
        Ok(venue) => Some(venue),
        Err(err) if err.slug.kind() == Kind::NotFound => {
            refusals.push(err.with("field", "venue"));
            None
        }
        Err(err) => return Err(vec![err]),
    };
    let tree = services
        .reference
        .regions()
        .await
        .map_err(|e| vec![AppError::from(e)])?;
    let lineage = venue.as_ref().map(|v| tree.lineage(&v.region_code));
    if let (Some(lineage), Some(service_on), Some(received_at)) =
        (&lineage, service_on, received_at)
    {
        let received_on = local_day(received_at);
        let clocks = services
            .case_rules
            .clocks(lineage)
            .await
            .map_err(|e| vec![AppError::from(e)])?;
        if service_on > received_on {
            refusals.push(
                AppError::new(
                    Slug::ReceivedBeforeService,
                    "received_at lies before the day of the service",
                )
                .with("field", "received_at"),
            );
        } else if clocks.service_too_old(service_on, received_on) {
            let days = clocks.max_service_age_days;
            refusals.push(
                AppError::new(
                    Slug::ServiceTooOld,
                    format!(
                        "the service was more than {days} days before the complaint; \
                         such complaints are not accepted"
                    ),
                )
                .with("field", "service_on")
                .with("days", days),
            );
        }
    }
    let (
        Some(source),
        Some(description),
        Some(contact),
        Some(service_on),
        Some(received_at),
        Some(venue),
        Some(lineage),
    ) = (
        source,
        description,
        contact,
        service_on,
        received_at,
        venue,
        lineage,
    )
    else {
        return Err(refusals);
    };
    if !refusals.is_empty() {
        return Err(refusals);
    }
    let due_at = services
        .case_rules
        .due_at(&lineage, CaseState::Submitted, received_at, None)
        .await
        .map_err(|e| vec![AppError::from(e)])?
        .unwrap_or(received_at);
    let tracking_code = crate::app::intake::new_tracking_code(venue.id);
    let entered = cases::EnteredCase {
        venue_id: venue.id,
        source,
        description,
        contact_sealed: contact
            .as_deref()
            .map(|contact| services.secrets.seal_contact(contact)),
        service_on,
        received_at,
        due_at,
        tracking_code: tracking_code.clone(),
    };
    let scope = ScopeFilter::of(&caller.principal.scope, &tree);
    let id = cases::enter(
        &services.pool,
        &entered,
        &scope,
        caller.audit(AuditAction::COMPLAINT_ENTER),
    )
    .await
    .map_err(|e| vec![AppError::from(e)])?
    .ok_or_else(|| vec![AppError::not_found(Slug::VenueNotFound).with("field", "venue")])?;
    Ok(EnteredCaseBody { id, tracking_code })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sources_descriptions_and_contacts_are_checked_apart() {
        assert_eq!(parse_source(" phone ").unwrap(), "phone");
        assert_eq!(parse_source("hotline_12345").unwrap(), "hotline_12345");
        assert_eq!(parse_source("email").unwrap_err().slug, Slug::InvalidSource);
        assert_eq!(
            parse_description("  ").unwrap_err().slug,
            Slug::EmptyComplaint
        );
        assert_eq!(
            parse_description(&"投".repeat(1001)).unwrap_err().slug,
            Slug::TextTooLong
        );
        assert_eq!(parse_contact(Some(" ")).unwrap(), None);
        assert_eq!(
            parse_contact(Some(&"1".repeat(101))).unwrap_err().slug,
            Slug::TextTooLong
        );
    }

    #[test]
    fn the_time_received_is_now_when_blank_and_never_ahead() {
        let now = Utc.with_ymd_and_hms(2026, 5, 1, 4, 0, 0).unwrap();
        assert_eq!(parse_received(&Received::Typed(""), now).unwrap(), now);
        assert_eq!(parse_received(&Received::At(None), now).unwrap(), now);
        let morning = parse_received(&Received::Typed("2026-05-01T09:30"), now).unwrap();
        assert_eq!(morning, Utc.with_ymd_and_hms(2026, 5, 1, 1, 30, 0).unwrap());
        let later = parse_received(&Received::Typed("2026-05-01T12:01"), now);
        assert_eq!(later.unwrap_err().slug, Slug::DateInFuture);
        let garbled = parse_received(&Received::Typed("yesterday"), now);
        assert_eq!(garbled.unwrap_err().slug, Slug::InvalidTime);
    }

    #[test]
    fn a_refusal_is_kept_with_its_field() {
        let mut refusals = Vec::new();
        let kept = keep(&mut refusals, "source", parse_source("fax"));
        assert!(kept.is_none());
        assert_eq!(refused_field(&refusals[0]), Some("source"));
    }
}
