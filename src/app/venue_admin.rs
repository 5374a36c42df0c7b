//! Keeping the venue register: registering one venue, editing one
//! (closing and reopening it too), and registering many from a
//! spreadsheet. Shared by the JSON routes and the console's forms.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::app::{AppError, Caller, Services, Slug};
use crate::domain::audit::AuditAction;
use crate::domain::ids::VenueId;
use crate::domain::region::RegionTree;
use crate::domain::venue::{
    CategoryKey, NewVenue, RegionCode, VenueEdit, VenueError, VenueName, parse_address,
};
use crate::domain::venue_import::{
    self, CellProblem, Header, HeaderError, ImportRules, ImportedVenue, RowError,
};
use crate::domain::venue_particulars::{
    ContactPhone, CreditCode, FoundingDate, ParticularsError, PersonInCharge, StaffCount, UnitType,
    optional,
};
use crate::store::ScopeFilter;
use crate::store::reference::CategoryRow;
use crate::store::venue_admin::{self, EditOutcome, EditVenueError, ImportError, VenueRecord};
use crate::store::venues::{self, CreateVenueError, Venue};

/// The most bytes an import file may have.
pub const MAX_IMPORT_BYTES: usize = 8 * 1024 * 1024;

/// A field that may be absent (left as it is) or `null` (cleared): absent
/// reads as `None`, present as `Some` of the value or of `None`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Body of `PATCH /api/v1/venues/{id}`: every field optional; a field left
/// out stays as it is, `null` (or `""`) clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VenuePatch {
    /// Display name, 1–200 characters on one line.
    pub name: Option<String>,
    /// Address, up to 500 characters; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    /// Six-digit region code; a regulator may move a venue only within its region.
    #[schema(example = "652801")]
    pub region_code: Option<String>,
    /// Category key, e.g. "hotel".
    pub category: Option<String>,
    /// 单位性质: `government`, `state_owned`, `private` or `individual`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, example = "private")]
    pub unit_type: Option<Option<String>>,
    /// 负责人, 1–50 characters.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub person_in_charge: Option<Option<String>>,
    /// 联系电话: digits, spaces, `+`, `-` and parentheses, 5–30 characters.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, example = "0996-2022222")]
    pub phone: Option<Option<String>>,
    /// 员工人数, 0–1,000,000.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub staff_count: Option<Option<i64>>,
    /// 设立时间, `YYYY-MM-DD`, from 1900 to today.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, example = "2003-05-01")]
    pub founded_on: Option<Option<String>>,
    /// 统一社会信用代码: 18 characters whose last one checks the others (GB 32100-2015).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, example = "91652801MA77X12344")]
    pub credit_code: Option<Option<String>>,
    /// `true` closes the venue (its code page answers 410 and takes no
    /// ratings; its history stays), `false` reopens it.
    pub closed: Option<bool>,
}

/// A venue as its editors see it: its fields, particulars and state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VenueDetail {
    /// Venue id.
    pub id: VenueId,
    /// Display name.
    pub name: String,
    /// Address, if any.
    pub address: Option<String>,
    /// Region code.
    pub region_code: RegionCode,
    /// Category key.
    pub category: String,
    /// 单位性质.
    pub unit_type: Option<String>,
    /// 负责人.
    pub person_in_charge: Option<String>,
    /// 联系电话.
    pub phone: Option<String>,
    /// 员工人数.
    pub staff_count: Option<i32>,
    /// 设立时间.
    pub founded_on: Option<NaiveDate>,
    /// 统一社会信用代码.
    pub credit_code: Option<String>,
    /// Whether the venue is closed.
    pub closed: bool,
    /// When it closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// The live venue code.
    pub code: String,
}

impl From<VenueRecord> for VenueDetail {
    fn from(v: VenueRecord) -> Self {
        Self {
            id: v.id,
            name: v.name,
            address: v.address,
            region_code: v.region_code,
            category: v.category,
            unit_type: v.unit_type,
            person_in_charge: v.person_in_charge,
            phone: v.contact_phone,
            staff_count: v.staff_count,
            founded_on: v.founded_on,
            credit_code: v.credit_code,
            closed: v.closed_at.is_some(),
            closed_at: v.closed_at,
            code: v.code,
        }
    }
}

/// A refused name, region code, category or address, by its own slug.
pub fn venue_field_error(err: VenueError) -> AppError {
    let slug = match err {
        VenueError::BadName => Slug::InvalidVenueName,
        VenueError::BadRegionCode => Slug::InvalidRegionCode,
        VenueError::BadCategory => Slug::UnknownCategory,
        VenueError::BadAddress => Slug::InvalidAddress,
    };
    AppError::new(slug, err.to_string())
}

/// The slug of a refused particular.
fn particulars_slug(err: ParticularsError) -> Slug {
    match err {
        ParticularsError::BadUnitType => Slug::InvalidUnitType,
        ParticularsError::BadPersonInCharge => Slug::InvalidPersonInCharge,
        ParticularsError::BadPhone => Slug::InvalidPhone,
        ParticularsError::BadStaffCount => Slug::InvalidStaffCount,
        ParticularsError::BadDate => Slug::InvalidDate,
        ParticularsError::DateOutOfRange => Slug::FoundingDateOutOfRange,
        ParticularsError::BadCreditCode => Slug::InvalidCreditCode,
        ParticularsError::CreditCodeChecksum => Slug::CreditCodeChecksum,
    }
}

impl From<ParticularsError> for AppError {
    fn from(err: ParticularsError) -> Self {
        AppError::new(particulars_slug(err), err.to_string())
    }
}

/// A clearable text field: absent stays, `null` or blank clears, else parsed.
fn clearable<T>(
    raw: &Option<Option<String>>,
    parse: impl FnOnce(&str) -> Result<T, ParticularsError>,
) -> Result<Option<Option<T>>, AppError> {
    match raw {
        None => Ok(None),
        Some(value) => Ok(Some(optional(value.as_deref(), parse)?)),
    }
}

/// Reads a patch into an edit, refusing the first bad field by its slug.
pub fn parse_patch(patch: &VenuePatch, today: NaiveDate) -> Result<VenueEdit, AppError> {
    let field = |err: VenueError| venue_field_error(err);
    Ok(VenueEdit {
        name: patch
            .name
            .as_deref()
            .map(VenueName::parse)
            .transpose()
            .map_err(field)?,
        address: patch
            .address
            .as_ref()
            .map(|a| parse_address(a.as_deref()))
            .transpose()
            .map_err(field)?,
        region_code: patch
            .region_code
            .as_deref()
            .map(RegionCode::parse)
            .transpose()
            .map_err(field)?,
        category: patch
            .category
            .as_deref()
            .map(CategoryKey::parse)
            .transpose()
            .map_err(field)?,
        unit_type: clearable(&patch.unit_type, UnitType::parse)?,
        person_in_charge: clearable(&patch.person_in_charge, PersonInCharge::parse)?,
        contact_phone: clearable(&patch.phone, ContactPhone::parse)?,
        staff_count: patch
            .staff_count
            .map(|count| count.map(StaffCount::new).transpose())
            .transpose()?,
        founded_on: clearable(&patch.founded_on, |raw| FoundingDate::parse(raw, today))?,
        credit_code: clearable(&patch.credit_code, CreditCode::parse)?,
        closed: patch.closed,
    })
}

/// Refuses a region the caller may not place venues in: unknown regions
/// are left to the database (422), a known one must lie in scope (403).
fn check_region(caller: &Caller, regions: &RegionTree, code: &RegionCode) -> Result<(), AppError> {
    if regions.get(code.as_str()).is_some()
        && !caller.principal.scope.covers_region(regions, code.as_str())
    {
        return Err(AppError::new(
            Slug::RegionOutsideScope,
            format!("region {code} is outside your scope"),
        ));
    }
    Ok(())
}

/// A venue with its particulars, if it lies in the caller's scope.
pub async fn detail(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
) -> Result<VenueDetail, AppError> {
    let scope = ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    );
    venue_admin::record_in_scope(&services.pool, venue_id, &scope)
        .await?
        .map(VenueDetail::from)
        .ok_or(AppError::not_found(Slug::VenueNotFound))
}

/// Registers a venue in the caller's scope with its first code.
pub async fn create(
    services: &Services,
    caller: &Caller,
    new: &NewVenue,
) -> Result<Venue, AppError> {
    let regions = services.reference.regions().await?;
    check_region(caller, &regions, &new.region_code)?;
    let audit = caller.audit(AuditAction::VENUE_CREATE);
    venues::create(&services.pool, services.secrets.code_key(), new, audit)
        .await
        .map_err(|err| match err {
            CreateVenueError::UnknownRegion => AppError::new(
                Slug::UnknownRegion,
                format!("region_code {} is not a known region", new.region_code),
            ),
            CreateVenueError::UnknownCategory => AppError::new(
                Slug::UnknownCategory,
                format!("category {} is not a known category", new.category.as_str()),
            ),
            CreateVenueError::Store(err) => err.into(),
        })
}

/// Applies an edit to a venue in the caller's scope (a new region must lie
/// in it too), with its audit row; answers the venue before and after.
pub async fn edit(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
    edit: &VenueEdit,
) -> Result<EditOutcome, AppError> {
    let regions = services.reference.regions().await?;
    if let Some(code) = &edit.region_code {
        check_region(caller, &regions, code)?;
    }
    let scope = ScopeFilter::of(&caller.principal.scope, &regions);
    let audit = caller.audit(AuditAction::VENUE_UPDATE);
    let outcome = venue_admin::edit(
        &services.pool,
        venue_id,
        &scope,
        edit,
        services.clock.now(),
        audit,
    )
    .await
    .map_err(|err| match err {
        EditVenueError::UnknownRegion => {
            AppError::new(Slug::UnknownRegion, "region_code is not a known region")
        }
        EditVenueError::UnknownCategory => {
            AppError::new(Slug::UnknownCategory, "category is not a known category")
        }
        EditVenueError::Store(err) => err.into(),
    })?
    .ok_or(AppError::not_found(Slug::VenueNotFound))?;
    services.venue_views.forget(&[venue_id]).await;
    Ok(outcome)
}

/// The kind of file an import comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    /// UTF-8 CSV with a header row.
    Csv,
    /// An Excel workbook; its first sheet is read.
    Xlsx,
}

/// The media type of an Excel workbook.
pub const XLSX_MEDIA_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

impl ImportFormat {
    /// The format of a media type (parameters such as `charset` ignored).
    pub fn of_media_type(content_type: &str) -> Option<Self> {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "text/csv" => Some(Self::Csv),
            XLSX_MEDIA_TYPE => Some(Self::Xlsx),
            _ => None,
        }
    }

    /// The format of a file by its name's ending.
    pub fn of_file_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Some(Self::Csv)
        } else if lower.ends_with(".xlsx") {
            Some(Self::Xlsx)
        } else {
            None
        }
    }
}

/// A file that could not be read as a table.
fn unreadable(detail: impl std::fmt::Display) -> AppError {
    AppError::new(
        Slug::InvalidImportFile,
        format!("the file could not be read: {detail}"),
    )
}

/// Reads a file into rows of cells, the header row first.
pub fn read_table(bytes: &[u8], format: ImportFormat) -> Result<Vec<Vec<String>>, AppError> {
    match format {
        ImportFormat::Csv => read_csv(bytes),
        ImportFormat::Xlsx => read_xlsx(bytes),
    }
}

fn too_many_rows() -> AppError {
    AppError::new(
        Slug::ImportTooManyRows,
        format!("a file holds at most {} venues", venue_import::MAX_ROWS),
    )
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut table = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| match err.position() {
            Some(at) => unreadable(format!("line {}: {err}", at.line())),
            None => unreadable(err),
        })?;
        table.push(record.iter().map(str::to_owned).collect());
        if table.len() > venue_import::MAX_ROWS + 1 {
            return Err(too_many_rows());
        }
    }
    Ok(table)
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, AppError> {
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    let mut workbook: Xlsx<_> =
        open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(unreadable)?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| unreadable("the workbook has no sheet"))?
        .map_err(unreadable)?;
    if range.height() > venue_import::MAX_ROWS + 1 {
        return Err(too_many_rows());
    }
    let cell_text = |cell: &Data| -> String {
        match cell {
            Data::Empty | Data::Error(_) => String::new(),
            Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
            Data::Int(n) => n.to_string(),
            // Whole numbers (a region code, a head count, a phone number
            // typed as a number) read without the spreadsheet's ".0".
            Data::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
            Data::Float(x) => x.to_string(),
            Data::Bool(b) => b.to_string(),
            Data::DateTime(at) => at
                .as_datetime()
                .map(|at| at.date().format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
        }
    };
    Ok(range
        .rows()
        .map(|row| row.iter().map(cell_text).collect())
        .collect())
}

/// Writes rows of cells as CSV (what the console's confirm step posts back).
pub fn table_to_csv(table: &[Vec<String>]) -> Result<String, AppError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in table {
        writer.write_record(row).map_err(|err| {
            tracing::error!(error = %err, "writing an import table failed");
            AppError::internal()
        })?;
    }
    let bytes = writer.into_inner().map_err(|err| {
        tracing::error!(error = %err, "writing an import table failed");
        AppError::internal()
    })?;
    String::from_utf8(bytes).map_err(|_| AppError::internal())
}

/// One fault of an import file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportRowError {
    /// The row as a spreadsheet numbers it: the header is row 1.
    pub row: usize,
    /// The template's name of the column.
    pub column: &'static str,
    /// What is wrong, in English.
    pub message: String,
    /// What is wrong, as a stable slug (its text in every language is in the catalogues).
    pub problem: &'static str,
    /// The same, for a page to put in its language.
    #[serde(skip)]
    #[schema(ignore)]
    pub slug: Slug,
}

impl From<RowError> for ImportRowError {
    fn from(err: RowError) -> Self {
        let slug = cell_problem_slug(err.problem);
        Self {
            row: err.row,
            column: err.column,
            message: err.problem.to_string(),
            problem: slug.key(),
            slug,
        }
    }
}

/// The catalogue slug that tells a cell's fault in a page's language.
pub fn cell_problem_slug(problem: CellProblem) -> Slug {
    match problem {
        CellProblem::Required => Slug::TextRequired,
        CellProblem::BadName => Slug::InvalidVenueName,
        CellProblem::BadRegionCode => Slug::InvalidRegionCode,
        CellProblem::UnknownRegion => Slug::UnknownRegion,
        CellProblem::OutsideScope => Slug::RegionOutsideScope,
        CellProblem::UnknownCategory => Slug::UnknownCategory,
        CellProblem::BadAddress => Slug::InvalidAddress,
        CellProblem::Particular(err) => particulars_slug(err),
    }
}

/// What an import found and did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    /// Venue rows in the file (blank rows not counted).
    pub rows: usize,
    /// Venues registered: all rows, or none when any row has a fault or on a dry run.
    pub imported: usize,
    /// Every fault, by row and column.
    pub errors: Vec<ImportRowError>,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// The new venues' ids, in file order of the rows registered.
    #[serde(skip)]
    #[schema(ignore)]
    pub venue_ids: Vec<VenueId>,
}

/// The reference data and the importer's scope, as the row parser asks.
struct Rules<'a> {
    regions: &'a RegionTree,
    categories: &'a [CategoryRow],
    caller: &'a Caller,
    today: NaiveDate,
}

impl ImportRules for Rules<'_> {
    fn region_known(&self, code: &str) -> bool {
        self.regions.get(code).is_some()
    }

    fn region_in_scope(&self, code: &str) -> bool {
        self.caller
            .principal
            .scope
            .covers_region(self.regions, code)
    }

    fn category_known(&self, key: &str) -> bool {
        self.categories.iter().any(|c| c.key == key)
    }

    fn today(&self) -> NaiveDate {
        self.today
    }
}

/// Checks every row of a table (header first) and, unless `dry_run` or a
/// row has a fault, registers them all in one transaction.
pub async fn import_table(
    services: &Services,
    caller: &Caller,
    table: &[Vec<String>],
    dry_run: bool,
) -> Result<ImportReport, AppError> {
    let Some((header_row, data)) = table.split_first() else {
        return Err(AppError::new(
            Slug::InvalidImportFile,
            "the file is empty: it needs a header row",
        ));
    };
    let header = Header::parse(header_row).map_err(|err| {
        let (HeaderError::Missing(column) | HeaderError::Twice(column)) = err;
        AppError::new(Slug::InvalidImportFile, err.to_string()).with("column", column)
    })?;
    let regions = services.reference.regions().await?;
    let categories = services.reference.categories().await?;
    let rules = Rules {
        regions: &regions,
        categories: &categories,
        caller,
        today: services.clock.today(),
    };
    let mut venues: Vec<ImportedVenue> = Vec::new();
    let mut errors: Vec<ImportRowError> = Vec::new();
    let mut rows = 0;
    for (index, cells) in data.iter().enumerate() {
        if venue_import::is_blank(cells) {
            continue;
        }
        rows += 1;
        // The header is the spreadsheet's row 1.
        match venue_import::parse_row(&header, cells, index + 2, &rules) {
            Ok(venue) => venues.push(venue),
            Err(faults) => errors.extend(faults.into_iter().map(ImportRowError::from)),
        }
    }
    if rows == 0 {
        return Err(AppError::new(
            Slug::ImportEmpty,
            "the file has a header row but no venues",
        ));
    }
    if rows > venue_import::MAX_ROWS {
        return Err(too_many_rows());
    }
    let mut report = ImportReport {
        rows,
        imported: 0,
        errors,
        dry_run,
        venue_ids: Vec::new(),
    };
    if dry_run || !report.errors.is_empty() {
        return Ok(report);
    }
    let audit = caller.audit(AuditAction::VENUE_IMPORT);
    let ids = venue_admin::import(
        &services.pool,
        services.secrets.code_key(),
        &venues,
        services.clock.now(),
        &audit,
    )
    .await
    .map_err(|err| match err {
        ImportError::UnknownRegion => {
            AppError::new(Slug::UnknownRegion, "a region_code is not a known region")
        }
        ImportError::UnknownCategory => {
            AppError::new(Slug::UnknownCategory, "a category is not a known category")
        }
        ImportError::Store(err) => err.into(),
    })?;
    report.imported = ids.len();
    report.venue_ids = ids;
    Ok(report)
}

/// The import template: its header row.
pub fn template_header() -> Vec<String> {
    venue_import::COLUMNS
        .iter()
        .map(|c| (*c).to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
    }

    #[test]
    fn a_patch_tells_absent_from_null() {
        let patch: VenuePatch =
            serde_json::from_str(r#"{"address": null, "staff_count": 4, "closed": true}"#).unwrap();
        let edit = parse_patch(&patch, today()).unwrap();
        assert_eq!(edit.address, Some(None));
        assert_eq!(edit.unit_type, None);
        assert_eq!(
            edit.staff_count.map(|c| c.map(StaffCount::get)),
            Some(Some(4))
        );
        assert_eq!(edit.closed, Some(true));
        let blank: VenuePatch = serde_json::from_str(r#"{"phone": " "}"#).unwrap();
        assert_eq!(
            parse_patch(&blank, today()).unwrap().contact_phone,
            Some(None)
        );
    }

    #[test]
    fn a_bad_field_is_refused_by_its_slug() {
        let slug = |json: &str| {
            let patch: VenuePatch = serde_json::from_str(json).unwrap();
            parse_patch(&patch, today()).unwrap_err().slug
        };
        assert_eq!(
            slug(r#"{"credit_code": "91652801MA77X12345"}"#),
            Slug::CreditCodeChecksum
        );
        assert_eq!(slug(r#"{"credit_code": "123"}"#), Slug::InvalidCreditCode);
        assert_eq!(
            slug(r#"{"founded_on": "2031-01-01"}"#),
            Slug::FoundingDateOutOfRange
        );
        assert_eq!(slug(r#"{"founded_on": "01.01.2001"}"#), Slug::InvalidDate);
        assert_eq!(slug(r#"{"staff_count": -1}"#), Slug::InvalidStaffCount);
        assert_eq!(slug(r#"{"name": ""}"#), Slug::InvalidVenueName);
        assert_eq!(slug(r#"{"region_code": "65"}"#), Slug::InvalidRegionCode);
        assert_eq!(slug(r#"{"unit_type": "corp"}"#), Slug::InvalidUnitType);
        assert!(serde_json::from_str::<VenuePatch>(r#"{"colour": "red"}"#).is_err());
    }

    #[test]
    fn files_are_known_by_media_type_or_name() {
        assert_eq!(
            ImportFormat::of_media_type("text/csv; charset=utf-8"),
            Some(ImportFormat::Csv)
        );
        assert_eq!(
            ImportFormat::of_media_type(XLSX_MEDIA_TYPE),
            Some(ImportFormat::Xlsx)
        );
        assert_eq!(ImportFormat::of_media_type("application/json"), None);
        assert_eq!(
            ImportFormat::of_file_name("场所.XLSX"),
            Some(ImportFormat::Xlsx)
        );
        assert_eq!(ImportFormat::of_file_name("a.xls"), None);
    }

    #[test]
    fn csv_round_trips_and_bad_csv_is_refused() {
        let table = vec![
            vec!["name".to_owned(), "address".to_owned()],
            vec!["A, \"B\"".to_owned(), "line 1\nline 2".to_owned()],
        ];
        let csv = table_to_csv(&table).unwrap();
        assert_eq!(
            read_table(csv.as_bytes(), ImportFormat::Csv).unwrap(),
            table
        );
        let err = read_table(b"name\n\xff\xfe\n", ImportFormat::Csv).unwrap_err();
        assert_eq!(err.slug, Slug::InvalidImportFile);
        let err = read_table(b"not a zip", ImportFormat::Xlsx).unwrap_err();
        assert_eq!(err.slug, Slug::InvalidImportFile);
    }
}
