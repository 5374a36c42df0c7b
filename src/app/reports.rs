//! Period reports of a region (regulators' requirements, clause 八: each
//! county sends a year-end summary report): for any period, the region's
//! ratings and score movement, complaints received, handled on time and
//! overdue, inspections done and failed, and tier moves; one row for the
//! region and one for each child region. The console's page and download
//! and `GET /api/v1/regions/{code}/report` all read it here.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::supervision::RegionRef;
use crate::app::{AppError, Services, Slug};
use crate::domain::access::{Principal, Scope};
use crate::domain::region::Region;
use crate::domain::report::{PeriodError, PeriodFigures, ReportPeriod, roll_up};
use crate::domain::scoring::round1;
use crate::domain::venue::RegionCode;
use crate::store::ScopeFilter;
use crate::store::reports::{self, ReportSlice};

/// Query of `GET /api/v1/regions/{code}/report`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// First day, `YYYY-MM-DD`; 1 January of the last day's year when absent.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`, not after today; today when absent. At most
    /// three years after `from`.
    pub to: Option<String>,
}

/// What a row of a report stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// The region as a whole (the first row).
    Total,
    /// One child region with everything below it.
    Child,
    /// The venues registered directly under the region rather than in one
    /// of its child regions (the last row, when there are any): with the
    /// child rows it adds up to the total.
    Direct,
}

/// One row of a report: a region's figures for the period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportRow {
    /// Total, child region, or the venues directly under the region.
    pub kind: RowKind,
    /// Six-digit code of the region the row stands for; `null` only for the
    /// total of the whole country (the console's nationwide report).
    pub region_code: Option<RegionCode>,
    /// Its Chinese name.
    pub region_name: String,
    /// Its English name.
    pub region_name_en: String,
    /// Venues with at least one counted rating in the period.
    pub venues_rated: i64,
    /// Counted ratings in the period (quarantined ones are not counted).
    pub ratings: i64,
    /// Plain mean score 0–100 of the period's counted ratings (1★ = 0,
    /// 5★ = 100), one decimal; `null` without ratings.
    pub mean_score_0_100: Option<f64>,
    /// Counted ratings in the previous period of the same length.
    pub previous_ratings: i64,
    /// Plain mean score 0–100 of the previous period, one decimal.
    pub previous_mean_score_0_100: Option<f64>,
    /// The mean score minus the previous period's, in points, one decimal;
    /// `null` unless both periods have ratings.
    pub score_movement: Option<f64>,
    /// Complaint cases about the region's venues received in the period.
    pub complaints_received: i64,
    /// Of those, closed by the end of the period with every step taken by
    /// the deadline it was due by.
    pub complaints_on_time: i64,
    /// Of those, with a step taken after its deadline, or still open and
    /// past due at the end of the period.
    pub complaints_overdue: i64,
    /// Of those, still open at the end of the period and not yet due.
    pub complaints_open: i64,
    /// Inspections of the region's venues dated in the period.
    pub inspections: i64,
    /// Of those, not passed.
    pub inspections_failed: i64,
    /// Venues whose credit tier ended the period better than it started it.
    pub tier_moves_up: i64,
    /// Venues whose credit tier ended the period worse than it started it.
    pub tier_moves_down: i64,
}

impl ReportRow {
    fn new(
        kind: RowKind,
        region_code: Option<RegionCode>,
        (region_name, region_name_en): (String, String),
        f: &PeriodFigures,
    ) -> Self {
        Self {
            kind,
            region_code,
            region_name,
            region_name_en,
            venues_rated: f.venues_rated,
            ratings: f.ratings.ratings,
            mean_score_0_100: f.mean_score_0_100().map(round1),
            previous_ratings: f.previous_ratings.ratings,
            previous_mean_score_0_100: f.previous_mean_score_0_100().map(round1),
            score_movement: f.score_movement().map(round1),
            complaints_received: f.complaints_received,
            complaints_on_time: f.complaints_on_time,
            complaints_overdue: f.complaints_overdue,
            complaints_open: f.complaints_open(),
            inspections: f.inspections,
            inspections_failed: f.inspections_failed,
            tier_moves_up: f.tier_moves_up,
            tier_moves_down: f.tier_moves_down,
        }
    }
}

/// A region's report for a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodReport {
    /// The region reported on; `null` for the whole country (the console's
    /// nationwide report).
    pub region: Option<RegionRef>,
    /// First day of the period.
    pub from: NaiveDate,
    /// Last day of the period.
    pub to: NaiveDate,
    /// First day of the previous period of the same length.
    pub previous_from: NaiveDate,
    /// Last day of the previous period (the day before `from`).
    pub previous_to: NaiveDate,
    /// When complaints were judged on time or overdue: the end of the
    /// period, or the moment of the report while the period runs.
    pub as_of: DateTime<Utc>,
    /// When the report was made.
    pub generated_at: DateTime<Utc>,
    /// The region's total first, then each child region by code, then the
    /// venues directly under the region when it has any with figures.
    pub rows: Vec<ReportRow>,
}

impl From<PeriodError> for AppError {
    fn from(err: PeriodError) -> Self {
        let slug = match err {
            PeriodError::BadDate(_) => Slug::InvalidDate,
            PeriodError::FutureDate(_) => Slug::DateInFuture,
            PeriodError::TooOld(_) => Slug::DateTooOld,
            PeriodError::Reversed => Slug::PeriodReversed,
            PeriodError::TooLong => Slug::PeriodTooLong,
        };
        AppError::new(slug, err.to_string())
    }
}

/// The period a report's `from` and `to` ask for, by today's date on the
/// application clock.
pub fn parse_period(
    services: &Services,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<ReportPeriod, AppError> {
    Ok(ReportPeriod::parse(from, to, services.clock.today())?)
}

/// The report of `region` (`None`: the whole country) for `period`, read
/// within the caller's scope: the region itself is checked by
/// [`crate::app::supervision::region_in_scope`] before, and every statement
/// is cut to the scope as well.
pub async fn report(
    services: &Services,
    principal: &Principal,
    region: Option<&Region>,
    period: ReportPeriod,
) -> Result<PeriodReport, AppError> {
    let tree = services.reference.regions().await?;
    let region_filter = match region {
        Some(r) => ScopeFilter::of(&Scope::Region(r.code.to_string()), &tree),
        None => ScopeFilter::everything(),
    };
    let scope = ScopeFilter::of(&principal.scope, &tree);
    let now = services.clock.now();
    let slice = ReportSlice {
        region: &region_filter,
        scope: &scope,
        period,
        as_of: period.as_of(now),
    };
    let by_region = reports::figures_by_region(services.reads.pool(), &slice).await?;
    let rolled = roll_up(&tree, region.map(|r| r.code.as_str()), &by_region);
    let names = |r: &Region| (r.name_zh.clone(), r.name_en.clone());
    let total_names = region.map_or_else(|| ("全国".to_owned(), "Nationwide".to_owned()), names);
    let mut rows = vec![ReportRow::new(
        RowKind::Total,
        region.map(|r| r.code.clone()),
        total_names,
        &rolled.total,
    )];
    rows.extend(rolled.children.iter().filter_map(|(code, figures)| {
        let child = tree.get(code)?;
        Some(ReportRow::new(
            RowKind::Child,
            Some(child.code.clone()),
            names(child),
            figures,
        ))
    }));
    if let Some(r) = region
        && !rolled.children.is_empty()
        && !rolled.direct.is_empty()
    {
        rows.push(ReportRow::new(
            RowKind::Direct,
            Some(r.code.clone()),
            names(r),
            &rolled.direct,
        ));
    }
    let previous = period.previous();
    Ok(PeriodReport {
        region: region.map(RegionRef::from),
        from: period.from,
        to: period.to,
        previous_from: previous.from,
        previous_to: previous.to,
        as_of: slice.as_of,
        generated_at: now,
        rows,
    })
}
