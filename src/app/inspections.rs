//! Inspections (体检式暗访, regulators' requirements clause 25): recording a
//! visit scored against a checklist or declared passed/failed, listing a
//! venue's visits, and the random draw of venues and inspectors
//! (双随机). A failed inspection puts the venue in tier C within seconds.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::supervision::{region_in_scope, venue_in_scope};
use crate::app::{AppError, Caller, Services, Slug};
use crate::domain::audit::AuditAction;
use crate::domain::ids::VenueId;
use crate::domain::inspection::{
    self, DrawError, DrawRequest, InspectionError, InspectionOutcome, InspectionVisit, ScoreError,
};
use crate::store::{ScopeFilter, inspections};

/// Complaints this recent weigh on the draw.
const DRAW_COMPLAINT_DAYS: i64 = 90;

/// One item's points in `POST /api/v1/venues/{id}/inspections`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemPointsBody {
    /// The checklist item's key (`environment.cleanliness`).
    pub key: String,
    /// Its points, 0 to the item's most.
    pub points: i64,
}

/// Body of `POST /api/v1/venues/{id}/inspections`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionRequest {
    /// The local day of the visit, `YYYY-MM-DD`, not after today.
    pub inspected_on: String,
    /// The checklist held against; the active one when omitted.
    pub checklist_version: Option<String>,
    /// Points per checklist item: the result is then the checklist's pass
    /// mark against their total (items left out score 0).
    pub items: Option<Vec<ItemPointsBody>>,
    /// The result, required without items; with items it must agree with them.
    pub passed: Option<bool>,
    /// What the inspector found, at most 2000 characters.
    pub findings: Option<String>,
}

/// A recorded inspection.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InspectionBody {
    /// Inspection id.
    pub id: i64,
    /// Venue id.
    pub venue_id: VenueId,
    /// The local day of the visit.
    pub inspected_on: NaiveDate,
    /// Whether it passed.
    pub passed: bool,
    /// The checklist version, if any.
    pub checklist_version: Option<String>,
    /// The items' total, when scored item by item.
    pub total_points: Option<i32>,
    /// The checklist's pass mark, when scored item by item.
    pub pass_mark: Option<i32>,
    /// What the inspector found.
    pub findings: Option<String>,
    /// Who recorded it (`account:3`, `token:7`).
    pub inspector: Option<String>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// The items' points, when scored item by item.
    pub items: Vec<ItemPointsBody>,
}

impl From<inspections::InspectionRecord> for InspectionBody {
    fn from(r: inspections::InspectionRecord) -> Self {
        Self {
            id: r.id,
            venue_id: r.venue_id,
            inspected_on: r.inspected_on,
            passed: r.passed,
            checklist_version: r.checklist_version,
            total_points: r.total_points,
            pass_mark: r.pass_mark,
            findings: r.findings,
            inspector: r.inspector,
            recorded_at: r.recorded_at,
            items: r
                .items
                .into_iter()
                .map(|i| ItemPointsBody {
                    key: i.key,
                    points: i64::from(i.points),
                })
                .collect(),
        }
    }
}

/// A venue's inspections.
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionList {
    /// Venue id.
    pub venue_id: VenueId,
    /// Inspections, latest visit first.
    pub items: Vec<InspectionBody>,
}

impl From<InspectionError> for AppError {
    fn from(err: InspectionError) -> Self {
        let slug = match err {
            InspectionError::BadDate => Slug::InvalidDate,
            InspectionError::FutureDate => Slug::DateInFuture,
            InspectionError::TooOld => Slug::DateTooOld,
            InspectionError::PassedRequired => Slug::PassedRequired,
            InspectionError::FindingsTooLong => Slug::TextTooLong,
            InspectionError::ControlCharacter => Slug::ControlCharacter,
        };
        AppError::new(slug, err.to_string())
    }
}

impl From<ScoreError> for AppError {
    fn from(err: ScoreError) -> Self {
        let slug = match err {
            ScoreError::UnknownItem { .. } | ScoreError::DuplicateItem(_) => {
                Slug::UnknownChecklistItem
            }
            ScoreError::PointsOutOfRange { .. } => Slug::PointsOutOfRange,
        };
        AppError::new(slug, err.to_string())
    }
}

impl From<DrawError> for AppError {
    fn from(err: DrawError) -> Self {
        AppError::new(Slug::InvalidDraw, err.to_string())
    }
}

/// Records an inspection of a venue in the caller's scope, with its items
/// and audit row; the caller is kept as its inspector. Shared by the JSON
/// route and the console's form.
pub async fn record(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
    request: &InspectionRequest,
) -> Result<InspectionBody, AppError> {
    let visit = InspectionVisit::parse(
        &request.inspected_on,
        request.findings.as_deref(),
        services.clock.today(),
    )?;
    let version = request
        .checklist_version
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let outcome = match request.items.as_deref() {
        Some(items) if !items.is_empty() => {
            let checklist = inspections::checklist(&services.pool, version)
                .await?
                .ok_or_else(|| unknown_checklist(version))?;
            let given: Vec<(String, i64)> =
                items.iter().map(|i| (i.key.clone(), i.points)).collect();
            let result = checklist.score(&given)?;
            if request.passed.is_some_and(|p| p != result.passed) {
                return Err(AppError::new(
                    Slug::PassedContradictsItems,
                    format!(
                        "the items total {} against a pass mark of {}, so passed is {}",
                        result.total_points, result.pass_mark, result.passed
                    ),
                ));
            }
            InspectionOutcome::Scored(result)
        }
        _ => {
            let passed = request.passed.ok_or(InspectionError::PassedRequired)?;
            let checklist_version = match version {
                Some(v) => Some(
                    inspections::checklist(&services.pool, Some(v))
                        .await?
                        .ok_or_else(|| unknown_checklist(Some(v)))?
                        .version,
                ),
                None => None,
            };
            InspectionOutcome::Declared {
                passed,
                checklist_version,
            }
        }
    };
    let scope = ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    );
    inspections::record(
        &services.pool,
        venue_id,
        &visit,
        &outcome,
        &scope,
        caller.audit(AuditAction::INSPECTION_RECORD),
    )
    .await?
    .map(InspectionBody::from)
    .ok_or(AppError::not_found(Slug::VenueNotFound))
}

fn unknown_checklist(version: Option<&str>) -> AppError {
    AppError::new(
        Slug::UnknownChecklist,
        match version {
            Some(v) => format!("no inspection checklist has the version {v:?}"),
            None => "no inspection checklist is active".to_owned(),
        },
    )
}

/// A venue's inspections in the caller's scope, latest visit first;
/// unknown and out-of-scope venues alike are not found.
pub async fn list(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
) -> Result<InspectionList, AppError> {
    let venue = venue_in_scope(services, &caller.principal, venue_id).await?;
    let scope = ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    );
    let items = inspections::list(&services.pool, venue.id, &scope)
        .await?
        .into_iter()
        .map(InspectionBody::from)
        .collect();
    Ok(InspectionList {
        venue_id: venue.id,
        items,
    })
}

/// Body of `POST /api/v1/inspection-draws`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawRequestBody {
    /// The region whose open venues (its whole subtree) are drawn from.
    pub region_code: String,
    /// Visits to pick, 1–500; fewer when the region has fewer open venues.
    pub count: i64,
    /// The seed; a random one when omitted. The same seed and the same
    /// venues give the same draw.
    pub seed: Option<i64>,
    /// The inspectors to draw from: 1–200 distinct names.
    pub inspectors: Vec<String>,
    /// Inspectors per visit, 1 to the pool's size (default 2, or 1 for a pool of one).
    pub inspectors_per_visit: Option<i64>,
}

/// One visit of a draw.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrawPickBody {
    /// The venue to visit.
    pub venue_id: VenueId,
    /// Its credit tier when drawn.
    pub tier: Option<String>,
    /// Its weight in the draw: D 4, C 3, B 2, A or none 1, plus one per
    /// complaint of the last 90 days (at most 5).
    pub weight: u32,
    /// The inspectors sent.
    pub inspectors: Vec<String>,
}

/// A stored draw.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrawBody {
    /// Draw id.
    pub id: i64,
    /// The region drawn from.
    pub region_code: String,
    /// The seed it replays from.
    pub seed: i64,
    /// Visits asked for.
    pub count: i32,
    /// The inspector pool.
    pub inspectors: Vec<String>,
    /// Inspectors per visit.
    pub inspectors_per_visit: i32,
    /// Open venues drawn from.
    pub candidates: i32,
    /// Who drew it.
    pub drawn_by: String,
    /// When.
    pub drawn_at: DateTime<Utc>,
    /// The visits, in draw order.
    pub picks: Vec<DrawPickBody>,
}

impl From<inspections::DrawRecord> for DrawBody {
    fn from(d: inspections::DrawRecord) -> Self {
        Self {
            id: d.id,
            region_code: d.region_code,
            seed: d.seed,
            count: d.requested_count,
            inspectors: d.inspectors,
            inspectors_per_visit: d.inspectors_per_visit,
            candidates: d.candidates,
            drawn_by: d.drawn_by,
            drawn_at: d.drawn_at,
            picks: d
                .picks
                .into_iter()
                .map(|p| DrawPickBody {
                    venue_id: p.venue_id,
                    tier: p.tier.map(|t| t.letter().to_owned()),
                    weight: p.weight,
                    inspectors: p.inspectors,
                })
                .collect(),
        }
    }
}

/// Draws venues of a region in the caller's scope and inspectors for each
/// visit (双随机), and stores the draw with its seed and an audit row.
pub async fn draw(
    services: &Services,
    caller: &Caller,
    body: &DrawRequestBody,
) -> Result<DrawBody, AppError> {
    let request = DrawRequest::parse(body.count, &body.inspectors, body.inspectors_per_visit)?;
    let region = region_in_scope(services, &caller.principal, Some(&body.region_code))
        .await?
        .ok_or_else(|| AppError::new(Slug::InvalidDraw, "a region_code is required"))?;
    let subtree = services.reference.regions().await?.subtree(&region.code);
    let now = services.clock.now();
    let candidates = inspections::draw_candidates(
        &services.pool,
        &subtree,
        now - Duration::days(DRAW_COMPLAINT_DAYS),
    )
    .await?;
    let seed = body.seed.unwrap_or_else(rand::random::<i64>);
    // The seed is stored as given; the generator takes its bits unsigned.
    let picks = inspection::draw(&candidates, &request, seed as u64);
    let region_code = region.code;
    let stored = inspections::store_draw(
        &services.pool,
        &region_code,
        seed,
        &request,
        candidates.len(),
        &picks,
        now,
        caller.audit(AuditAction::INSPECTION_DRAW),
    )
    .await?;
    Ok(stored.into())
}

/// A stored draw whose region lies in the caller's scope.
pub async fn get_draw(services: &Services, caller: &Caller, id: i64) -> Result<DrawBody, AppError> {
    let scope = ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    );
    inspections::draw(&services.pool, id, &scope)
        .await?
        .map(DrawBody::from)
        .ok_or(AppError::not_found(Slug::DrawNotFound))
}
