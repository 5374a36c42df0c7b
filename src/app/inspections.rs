//! Inspections (体检式暗访, regulators' requirements clause 25): recording a
//! visit scored against a checklist or declared passed/failed, with its
//! photos; listing a venue's visits and serving their photos; and the
//! random draw of venues and inspectors (双随机). A failed inspection puts
//! the venue in tier C within seconds.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::supervision::{region_in_scope, venue_in_scope};
use crate::app::{AppError, Caller, Services, Slug};
use crate::domain::audit::{AuditAction, Subject};
use crate::domain::ids::VenueId;
use crate::domain::inspection::{
    self, Checklist, DrawError, DrawRequest, InspectionError, InspectionOutcome, InspectionVisit,
    ScoreError, parse_findings, parse_inspected_by, parse_inspected_on,
};
use crate::domain::photo::{CheckedPhoto, PhotoError, PhotoType};
use crate::store::audit::{self, AuditNames};
use crate::store::photos::{self, Added, PhotoFiles, PhotoRecord, PhotoStoreError};
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
    /// Who inspected, one or more names on one line, at most 200
    /// characters (the console fills in the signed-in person's name).
    pub inspected_by: Option<String>,
}

/// A photo of an inspection, as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhotoBody {
    /// Photo id.
    pub id: i64,
    /// `image/jpeg` or `image/png`, by the photo's bytes.
    pub content_type: String,
    /// Its size in bytes.
    pub bytes: i64,
    /// The SHA-256 of its bytes, in lower-case hex.
    pub sha256: String,
}

impl From<PhotoRecord> for PhotoBody {
    fn from(p: PhotoRecord) -> Self {
        Self {
            id: p.id,
            content_type: p.content_type,
            bytes: i64::from(p.byte_size),
            sha256: data_encoding::HEXLOWER.encode(&p.sha256),
        }
    }
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
    /// Who inspected, as named on the record.
    pub inspected_by: Option<String>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// The items' points, when scored item by item.
    pub items: Vec<ItemPointsBody>,
    /// Its photos, oldest first.
    pub photos: Vec<PhotoBody>,
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
            inspected_by: r.inspected_by,
            recorded_at: r.recorded_at,
            items: r
                .items
                .into_iter()
                .map(|i| ItemPointsBody {
                    key: i.key,
                    points: i64::from(i.points),
                })
                .collect(),
            photos: r.photos.into_iter().map(PhotoBody::from).collect(),
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
            InspectionError::FindingsTooLong | InspectionError::InspectedByTooLong => {
                Slug::TextTooLong
            }
            InspectionError::ControlCharacter | InspectionError::InspectedByControlCharacter => {
                Slug::ControlCharacter
            }
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
    /// Names the field at fault as `{field}`: `count`, `inspectors` or
    /// `inspectors_per_visit`, so a form can say it beside that field.
    fn from(err: DrawError) -> Self {
        let field = match err {
            DrawError::Count => "count",
            DrawError::Inspectors => "inspectors",
            DrawError::PerVisit => "inspectors_per_visit",
        };
        AppError::new(Slug::InvalidDraw, err.to_string()).with("field", field)
    }
}

impl From<PhotoError> for AppError {
    fn from(err: PhotoError) -> Self {
        let slug = match err {
            PhotoError::Empty | PhotoError::NotAnImage | PhotoError::TypeMismatch { .. } => {
                Slug::InvalidPhoto
            }
            PhotoError::TooLarge { .. } => Slug::PhotoTooLarge,
            PhotoError::TooMany { .. } => Slug::TooManyPhotos,
        };
        AppError::new(slug, err.to_string())
    }
}

impl From<PhotoStoreError> for AppError {
    fn from(err: PhotoStoreError) -> Self {
        match err {
            PhotoStoreError::Store(err) => err.into(),
            PhotoStoreError::Files(err) => files_failed(&err),
        }
    }
}

/// The upload directory refused a file: logged here, a bug to the caller.
fn files_failed(err: &std::io::Error) -> AppError {
    tracing::error!(error = %err, "the upload directory refused a photo");
    AppError::internal()
}

/// A photo as sent, to be checked by its bytes.
#[derive(Debug, Clone, Default)]
pub struct PhotoUpload {
    /// The name the sender gave it, only to name it in a refusal; never stored.
    pub file_name: String,
    /// The media type the sender declared, when the photo is held to it
    /// (the JSON route's `Content-Type`; a browser's guess is not).
    pub declared: Option<PhotoType>,
    /// Its bytes. A reader that stops at one byte past the size limit
    /// keeps enough to know the photo is too large.
    pub bytes: Vec<u8>,
}

/// The input an inspection's refusal belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InspectionField {
    /// The day of the visit.
    InspectedOn,
    /// Who inspected.
    InspectedBy,
    /// What was found.
    Findings,
    /// The checklist version.
    Checklist,
    /// One checklist item, by key.
    Item(String),
    /// The declared result.
    Passed,
    /// The photos as a whole (too many).
    Photos,
    /// One photo, by its place among those sent.
    Photo {
        /// Its place, from 0.
        index: usize,
        /// The name the sender gave it.
        file_name: String,
    },
}

/// One refusal of an inspection's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionFault {
    /// Where it belongs.
    pub field: InspectionField,
    /// Why.
    pub error: AppError,
}

/// Why an inspection was not recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordError {
    /// The input was refused: every fault, field by field, in the order of
    /// the form (day, findings, inspectors, checklist and items, photos).
    Refused(Vec<InspectionFault>),
    /// Anything else: an unknown venue, an outage.
    Failed(AppError),
}

impl From<AppError> for RecordError {
    fn from(err: AppError) -> Self {
        Self::Failed(err)
    }
}

/// The JSON API answers the first fault.
impl From<RecordError> for AppError {
    fn from(err: RecordError) -> Self {
        match err {
            RecordError::Refused(faults) => faults
                .into_iter()
                .next()
                .map_or_else(AppError::internal, |f| f.error),
            RecordError::Failed(err) => err,
        }
    }
}

/// An inspection's input, checked and ready to store.
#[derive(Debug, Clone)]
pub struct CheckedInspection {
    visit: InspectionVisit,
    outcome: InspectionOutcome,
    photos: Vec<CheckedPhoto>,
}

fn fault(field: InspectionField, error: impl Into<AppError>) -> InspectionFault {
    InspectionFault {
        field,
        error: error.into(),
    }
}

/// Checks an inspection's input without storing anything, and lists every
/// fault: the day, findings and inspectors; the checklist, each item's
/// points and the result; each photo (by its bytes) and their number.
/// With items the result is the checklist's pass mark against their total.
pub async fn check(
    services: &Services,
    request: &InspectionRequest,
    uploads: Vec<PhotoUpload>,
) -> Result<CheckedInspection, RecordError> {
    let mut faults = Vec::new();
    let inspected_on = parse_inspected_on(&request.inspected_on, services.clock.today())
        .map_err(|e| faults.push(fault(InspectionField::InspectedOn, e)))
        .ok();
    let findings = parse_findings(request.findings.as_deref())
        .map_err(|e| faults.push(fault(InspectionField::Findings, e)))
        .ok();
    let inspected_by = parse_inspected_by(request.inspected_by.as_deref())
        .map_err(|e| faults.push(fault(InspectionField::InspectedBy, e)))
        .ok();
    let outcome = outcome(services, request, &mut faults).await?;
    let limits = services.settings.photo_limits;
    if uploads.len() > limits.per_inspection {
        let too_many = PhotoError::TooMany {
            max: limits.per_inspection,
        };
        faults.push(fault(InspectionField::Photos, too_many));
    }
    let mut photos = Vec::with_capacity(uploads.len());
    for (index, upload) in uploads.into_iter().enumerate() {
        match CheckedPhoto::check(upload.bytes, upload.declared, limits) {
            Ok(photo) => photos.push(photo),
            Err(err) => faults.push(fault(
                InspectionField::Photo {
                    index,
                    file_name: upload.file_name,
                },
                err,
            )),
        }
    }
    match (inspected_on, findings, inspected_by, outcome) {
        (Some(inspected_on), Some(findings), Some(inspected_by), Some(outcome))
            if faults.is_empty() =>
        {
            Ok(CheckedInspection {
                visit: InspectionVisit {
                    inspected_on,
                    findings,
                    inspected_by,
                },
                outcome,
                photos,
            })
        }
        _ => Err(RecordError::Refused(faults)),
    }
}

/// The result of an inspection's items or declared result; `None` after
/// adding its faults to `faults`.
async fn outcome(
    services: &Services,
    request: &InspectionRequest,
    faults: &mut Vec<InspectionFault>,
) -> Result<Option<InspectionOutcome>, AppError> {
    let version = request
        .checklist_version
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty());
    match request.items.as_deref() {
        Some(items) if !items.is_empty() => {
            let Some(checklist) = inspections::checklist(&services.pool, version).await? else {
                faults.push(fault(
                    InspectionField::Checklist,
                    unknown_checklist(version),
                ));
                return Ok(None);
            };
            let given: Vec<(String, i64)> =
                items.iter().map(|i| (i.key.clone(), i.points)).collect();
            let item_faults = checklist.faults(&given);
            if !item_faults.is_empty() {
                faults.extend(item_faults.into_iter().map(|err| {
                    let key = match &err {
                        ScoreError::UnknownItem { key, .. }
                        | ScoreError::PointsOutOfRange { key, .. } => key.clone(),
                        ScoreError::DuplicateItem(key) => key.clone(),
                    };
                    fault(InspectionField::Item(key), err)
                }));
                return Ok(None);
            }
            let result = checklist.score(&given).map_err(AppError::from)?;
            if request.passed.is_some_and(|p| p != result.passed) {
                let contradiction = AppError::new(
                    Slug::PassedContradictsItems,
                    format!(
                        "the items total {} against a pass mark of {}, so passed is {}",
                        result.total_points, result.pass_mark, result.passed
                    ),
                );
                faults.push(fault(InspectionField::Passed, contradiction));
                return Ok(None);
            }
            Ok(Some(InspectionOutcome::Scored(result)))
        }
        _ => {
            let checklist_version = match version {
                Some(v) => match inspections::checklist(&services.pool, Some(v)).await? {
                    Some(checklist) => Some(checklist.version),
                    None => {
                        faults.push(fault(
                            InspectionField::Checklist,
                            unknown_checklist(Some(v)),
                        ));
                        return Ok(None);
                    }
                },
                None => None,
            };
            let Some(passed) = request.passed else {
                faults.push(fault(
                    InspectionField::Passed,
                    InspectionError::PassedRequired,
                ));
                return Ok(None);
            };
            Ok(Some(InspectionOutcome::Declared {
                passed,
                checklist_version,
            }))
        }
    }
}

/// A stored checklist: the named version, or the active one new
/// inspections are scored against.
pub async fn checklist(services: &Services, version: Option<&str>) -> Result<Checklist, AppError> {
    inspections::checklist(&services.pool, version)
        .await?
        .ok_or_else(|| unknown_checklist(version))
}

/// The names of the people and API tokens among `actors` (`account:3`,
/// `token:7`) and of `venues`, for a page that shows them.
pub async fn names(
    services: &Services,
    actors: &[&str],
    venues: &[VenueId],
) -> Result<AuditNames, AppError> {
    let (mut accounts, mut tokens) = (Vec::new(), Vec::new());
    for actor in actors {
        match Subject::parse(actor) {
            Subject::Account(id) => accounts.push(id),
            Subject::Token(id) => tokens.push(id),
            _ => {}
        }
    }
    accounts.sort_unstable();
    accounts.dedup();
    tokens.sort_unstable();
    tokens.dedup();
    Ok(audit::names(&services.pool, &accounts, &tokens, venues).await?)
}

/// Records an inspection of a venue in the caller's scope, with its items
/// and audit row; the caller is kept as who recorded it. The JSON route's
/// use-case: the first fault refuses it.
pub async fn record(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
    request: &InspectionRequest,
) -> Result<InspectionBody, AppError> {
    Ok(record_with_photos(services, caller, venue_id, request, Vec::new()).await?)
}

/// Records an inspection of a venue in the caller's scope with its photos,
/// items and audit row, all or nothing: any fault refuses the whole of it
/// and leaves neither rows nor files. The console's form.
pub async fn record_with_photos(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
    request: &InspectionRequest,
    uploads: Vec<PhotoUpload>,
) -> Result<InspectionBody, RecordError> {
    let checked = check(services, request, uploads).await?;
    // Out of scope: not found, before a file is written.
    let venue = venue_in_scope(services, &caller.principal, venue_id).await?;
    let scope = ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await.map_err(AppError::from)?,
    );
    let files = PhotoFiles::new(&services.settings.upload_dir);
    let mut staged = files
        .stage(&checked.photos)
        .await
        .map_err(|e| files_failed(&e))?;
    let recorded = inspections::record(
        &services.pool,
        venue.id,
        (&checked.visit, &checked.outcome),
        &scope,
        &mut staged,
        caller.audit(AuditAction::INSPECTION_RECORD),
    )
    .await
    .map_err(AppError::from)?
    .map(InspectionBody::from)
    .ok_or(RecordError::Failed(AppError::not_found(
        Slug::VenueNotFound,
    )))?;
    // The venue page publishes results.
    services.venue_views.forget(&[venue.id]).await;
    Ok(recorded)
}

/// Adds one photo to a recorded inspection of a venue in the caller's
/// scope, checked by its bytes (and against the media type it was sent
/// as), unless the inspection already holds as many as allowed.
pub async fn add_photo(
    services: &Services,
    caller: &Caller,
    (venue_id, inspection_id): (VenueId, i64),
    upload: PhotoUpload,
) -> Result<PhotoBody, AppError> {
    let limits = services.settings.photo_limits;
    let photo = CheckedPhoto::check(upload.bytes, upload.declared, limits)?;
    let scope = ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    );
    let files = PhotoFiles::new(&services.settings.upload_dir);
    let mut staged = files
        .stage(std::slice::from_ref(&photo))
        .await
        .map_err(|e| files_failed(&e))?;
    let added = photos::add(
        &services.pool,
        (venue_id, inspection_id),
        &scope,
        limits.per_inspection,
        &mut staged,
        caller.audit(AuditAction::INSPECTION_PHOTO),
    )
    .await?;
    match added {
        Added::Photos(stored) => stored
            .into_iter()
            .next()
            .map(PhotoBody::from)
            .ok_or_else(AppError::internal),
        Added::NotFound => Err(AppError::not_found(Slug::InspectionNotFound)),
        Added::Full { held } => Err(AppError::new(
            Slug::TooManyPhotos,
            format!(
                "the inspection already holds {held} photos, the most it may hold is {}",
                limits.per_inspection
            ),
        )),
    }
}

/// A stored photo, ready to serve.
#[derive(Debug, Clone)]
pub struct PhotoFile {
    /// Its media type, as stored.
    pub content_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A photo of an inspection of a venue in the caller's scope; unknown and
/// out-of-scope photos alike are not found.
pub async fn photo(
    services: &Services,
    caller: &Caller,
    (venue_id, inspection_id, photo_id): (VenueId, i64, i64),
) -> Result<PhotoFile, AppError> {
    let scope = ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    );
    let record = photos::in_scope(&services.pool, venue_id, inspection_id, photo_id, &scope)
        .await?
        .ok_or(AppError::not_found(Slug::PhotoNotFound))?;
    let files = PhotoFiles::new(&services.settings.upload_dir);
    match files.read(&record.stored_name).await {
        Ok(bytes) => Ok(PhotoFile {
            content_type: record.content_type,
            bytes,
        }),
        // A row whose file is gone: the directory was changed by hand.
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            tracing::error!(photo_id, stored_name = %record.stored_name, "a stored photo's file is missing");
            Err(AppError::not_found(Slug::PhotoNotFound))
        }
        Err(err) => Err(files_failed(&err)),
    }
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
    /// The part of its weight its tier gave.
    pub tier_weight: u32,
    /// The part of its weight its recent complaints gave.
    pub complaint_weight: u32,
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
                    tier_weight: inspection::tier_weight(p.tier),
                    complaint_weight: p.complaint_weight(),
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

/// The most draws the console lists.
pub const RECENT_DRAWS: i64 = 50;

/// The latest draws of regions in the caller's scope, latest first.
pub async fn recent_draws(
    services: &Services,
    caller: &Caller,
) -> Result<Vec<inspections::DrawSummary>, AppError> {
    let scope = ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    );
    Ok(inspections::recent_draws(&services.pool, &scope, RECENT_DRAWS).await?)
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
