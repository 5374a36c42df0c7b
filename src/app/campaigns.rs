//! Demonstration-unit selections (微笑新疆 示范单位推荐; regulators'
//! requirements section C): creating a prefecture's campaign with its
//! quotas, ranked proposals per region with their reasons, the county's
//! list (confirm, swap with a written reason, add, take off, submit), the
//! prefecture's sign-off (confirm or send back each list, then award), the
//! units' deeds and ambassadors, and the four forms (附件2–5).
//!
//! Who may do what: a prefecture or province regulator over the prefecture,
//! or an admin, creates a campaign, reviews the counties' lists and awards;
//! any regulator whose region lies in the prefecture (or contains it) sees
//! the campaign; a region's list is read and changed by a regulator over
//! that region; the venue's staff or a regulator over it write the unit's
//! deeds and name its ambassador. The award makes the `demonstration_unit`
//! tier input true from the award day through the end of the year after the
//! award year ([`crate::domain::campaign::status_until`]).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::{AppError, Caller, Services, Slug};
use crate::domain::access::{Role, Scope};
use crate::domain::audit::AuditAction;
use crate::domain::campaign::{
    self, Ambassador, CampaignError, Contender, Exclusion, NewCampaign, QuotaFileError, ScoreParts,
    Weights,
};
use crate::domain::campaign_forms::{self, FilledBy, FormAmbassador, FormUnit};
use crate::domain::day::local_day;
use crate::domain::ids::VenueId;
use crate::domain::region::{RegionLevel, RegionTree};
use crate::domain::venue_particulars::UnitType;
use crate::store::campaigns::{
    self, AwardRefusal, CampaignRecord, Confirmation, ListRefusal, NominationRecord, QuotaRecord,
};

impl From<CampaignError> for AppError {
    fn from(err: CampaignError) -> Self {
        let slug = match &err {
            CampaignError::BadReason => Slug::ReasonRequired,
            CampaignError::DeedsLength(..) => Slug::InvalidDeeds,
            CampaignError::ControlCharacter(_) => Slug::ControlCharacter,
            CampaignError::FieldLength(..) | CampaignError::BadPhone => Slug::InvalidAmbassador,
            _ => Slug::InvalidCampaign,
        };
        AppError::new(slug, err.to_string()).with("field", err.field())
    }
}

/// The form field a refusal of the campaign's settings, a reason or a
/// text is about, for a page to show it beside.
pub fn refused_field(err: &AppError) -> Option<&str> {
    err.arg("field")
}

/// The three weights, as a request gives them.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeightsRequest {
    /// 服务环境.
    pub environment: f64,
    /// 服务技能.
    pub skill: f64,
    /// 服务意识.
    pub attitude: f64,
}

fn default_min_ratings() -> i64 {
    10
}

/// Body of `POST /api/v1/campaigns`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCampaignRequest {
    /// The prefecture's code, e.g. `"652800"`.
    pub prefecture_code: String,
    /// The campaign's name.
    pub name: String,
    /// The award year.
    pub year: i32,
    /// Category keys of the units it selects from (e.g. `["hotel", "station"]`).
    pub categories: Vec<String>,
    /// The last day counties may change and submit lists, `YYYY-MM-DD`.
    pub deadline: String,
    /// The period's first day, `YYYY-MM-DD`: ratings and gates read it.
    pub period_start: String,
    /// The period's last day, `YYYY-MM-DD`.
    pub period_end: String,
    /// Weights of the three rating dimensions, non-negative, summing to 1 or 100.
    pub weights: WeightsRequest,
    /// Ratings in the period needed to be ranked (default 10).
    #[serde(default = "default_min_ratings")]
    pub min_ratings: i64,
    /// Units awarded in these years are not recommended again.
    #[serde(default)]
    pub excluded_award_years: Vec<i32>,
    /// The quota file's text, in the notice's format
    /// (`region_code,name_zh,quota,note`, UTF-8, a byte order mark allowed).
    pub quotas_csv: String,
}

/// A region's quota and the state of its list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuotaBody {
    /// Region code: a county's, or the prefecture's own for prefecture-level units.
    pub region_code: String,
    /// The region's name.
    pub region_name: String,
    /// How many units it may recommend.
    pub quota: i32,
    /// The file's note.
    pub note: Option<String>,
    /// Units confirmed on its list now.
    pub confirmed: i32,
    /// `open`, `submitted`, `confirmed` (by the prefecture) or `sent_back`.
    pub state: String,
    /// Who submitted the list.
    pub submitted_by: Option<String>,
    /// When.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Who confirmed it or sent it back.
    pub reviewed_by: Option<String>,
    /// When.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Why it was sent back.
    pub sent_back_reason: Option<String>,
}

/// A campaign.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignBody {
    /// Campaign id.
    pub id: i64,
    /// The prefecture's code.
    pub prefecture_code: String,
    /// Its name.
    pub prefecture_name: String,
    /// The campaign's name.
    pub name: String,
    /// Award year.
    pub year: i32,
    /// Category keys.
    pub categories: Vec<String>,
    /// The last day for the counties' lists.
    pub deadline: NaiveDate,
    /// Period start.
    pub period_start: NaiveDate,
    /// Period end.
    pub period_end: NaiveDate,
    /// The dimension weights, summing to 1.
    pub weights: Weights,
    /// Ratings needed to be ranked.
    pub min_ratings: i32,
    /// Award years whose units are not recommended again.
    pub excluded_award_years: Vec<i32>,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Who awarded the units.
    pub awarded_by: Option<String>,
    /// When.
    pub awarded_at: Option<DateTime<Utc>>,
    /// Quotas per region.
    pub quotas: Vec<QuotaBody>,
}

/// Campaigns the caller sees.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignList {
    /// Newest year first.
    pub items: Vec<CampaignBody>,
}

/// A ranked, eligible venue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Candidate {
    /// 1 for the best.
    pub rank: usize,
    /// Venue id.
    pub venue_id: VenueId,
    /// Its name.
    pub venue_name: String,
    /// Its category key.
    pub category: String,
    /// The weighted score, 0–100.
    pub score_0_100: f64,
    /// What each dimension adds.
    pub parts: ScoreParts,
    /// Ratings in the period.
    pub ratings: i64,
    /// Wilson lower bound of the share of 4★ and 5★; breaks ties.
    pub confidence: f64,
    /// The gates it passed.
    pub gates_passed: Vec<String>,
    /// Whether its rank lies within the quota: proposed.
    pub within_quota: bool,
    /// `confirmed` when on the county's list.
    pub nomination: Option<String>,
}

/// An eligible venue too little rated to be ranked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Unranked {
    /// Venue id.
    pub venue_id: VenueId,
    /// Its name.
    pub venue_name: String,
    /// Ratings in the period.
    pub ratings: i64,
    /// Why it is not ranked.
    pub reason: String,
    /// `confirmed` when on the county's list.
    pub nomination: Option<String>,
}

/// A failed gate, with its words.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExclusionBody {
    /// The gate and its facts.
    #[serde(flatten)]
    pub exclusion: Exclusion,
    /// In plain English.
    pub text: String,
}

/// A venue the gates exclude, with why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Excluded {
    /// Venue id.
    pub venue_id: VenueId,
    /// Its name.
    pub venue_name: String,
    /// Every gate it fails.
    pub reasons: Vec<ExclusionBody>,
}

/// A region's proposals.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Proposals {
    /// Campaign id.
    pub campaign_id: i64,
    /// The region.
    pub region_code: String,
    /// Its name.
    pub region_name: String,
    /// Its quota.
    pub quota: i32,
    /// Confirmed now.
    pub confirmed: i32,
    /// The list's state.
    pub state: String,
    /// The weights used.
    pub weights: Weights,
    /// Ratings needed to be ranked.
    pub min_ratings: i32,
    /// Eligible venues in rank order; the first `quota` are proposed.
    pub ranked: Vec<Candidate>,
    /// Eligible venues with too few ratings to rank (a county may still add them).
    pub unranked: Vec<Unranked>,
    /// Venues a gate excludes, with the reasons.
    pub excluded: Vec<Excluded>,
}

/// Body of `POST …/regions/{region}/nominations`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NominateRequest {
    /// The venue to confirm.
    pub venue_id: VenueId,
    /// For a swap: the proposed (or confirmed) venue it replaces; then `reason` is required.
    pub replaces_venue_id: Option<VenueId>,
    /// Why: required for a swap, kept for an addition.
    pub reason: Option<String>,
    /// The unit's 主要事迹, 300–500 characters (may be given later).
    pub deeds: Option<String>,
}

/// Body of a removal or of sending a list back.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// Why, 1–1000 characters.
    pub reason: String,
}

/// Body of `POST …/regions/{region}/review`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// `confirmed` or `sent_back`.
    pub decision: String,
    /// Why, required when sending back.
    pub reason: Option<String>,
}

/// Body of `PUT …/nominations/{venue_id}/ambassador`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmbassadorRequest {
    /// 姓名, 1–50 characters.
    pub name: String,
    /// 从事岗位, 1–100 characters.
    pub post: String,
    /// 联系电话.
    pub phone: Option<String>,
    /// 地址.
    pub address: Option<String>,
    /// 主要事迹, 300–500 characters.
    pub deeds: String,
}

/// Body of `PUT …/nominations/{venue_id}/deeds`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeedsRequest {
    /// 主要事迹, 300–500 characters.
    pub deeds: String,
}

/// A unit on a county's list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NominationBody {
    /// Venue id.
    pub venue_id: VenueId,
    /// Its name.
    pub venue_name: String,
    /// The list's region.
    pub region_code: String,
    /// `confirmed` or `removed`.
    pub state: String,
    /// `proposed`, `swap` or `added`.
    pub kind: String,
    /// The written reason of a swap or an addition.
    pub reason: Option<String>,
    /// The venue a swap replaced.
    pub replaces_venue_id: Option<i64>,
    /// Its rank when confirmed.
    pub rank: Option<i32>,
    /// Its score when confirmed.
    pub score_0_100: Option<f64>,
    /// Who confirmed it.
    pub confirmed_by: String,
    /// When.
    pub confirmed_at: DateTime<Utc>,
    /// Who took it off.
    pub removed_by: Option<String>,
    /// Why.
    pub removed_reason: Option<String>,
    /// Whether its 主要事迹 is written.
    pub deeds_written: bool,
    /// The ambassador's name, once named.
    pub ambassador_name: Option<String>,
    /// The ambassador's post.
    pub ambassador_post: Option<String>,
}

impl From<NominationRecord> for NominationBody {
    fn from(n: NominationRecord) -> Self {
        Self {
            venue_id: n.venue_id,
            venue_name: n.venue_name,
            region_code: n.region_code,
            state: n.state,
            kind: n.kind,
            reason: n.reason,
            replaces_venue_id: n.replaces_venue_id,
            rank: n.rank,
            score_0_100: n.score_0_100,
            confirmed_by: n.confirmed_by,
            confirmed_at: n.confirmed_at,
            removed_by: n.removed_by,
            removed_reason: n.removed_reason,
            deeds_written: n.deeds.is_some(),
            ambassador_name: n.ambassador_name,
            ambassador_post: n.ambassador_post,
        }
    }
}

/// A campaign's nominations the caller sees.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NominationList {
    /// Campaign id.
    pub campaign_id: i64,
    /// By region, then confirmation.
    pub items: Vec<NominationBody>,
}

/// What an award did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AwardBody {
    /// Campaign id.
    pub campaign_id: i64,
    /// The award year.
    pub award_year: i32,
    /// The units awarded.
    pub venue_ids: Vec<VenueId>,
    /// The first day the status no longer holds.
    pub status_until: NaiveDate,
}

/// One of the notice's forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// 附件2.
    UnitRecommendations,
    /// 附件3.
    AmbassadorRecommendations,
    /// 附件4.
    UnitSummary,
    /// 附件5.
    AmbassadorSummary,
}

impl Form {
    /// Reads a download's name (`unit-summary.xlsx`).
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "unit-recommendations.xlsx" => Self::UnitRecommendations,
            "ambassador-recommendations.xlsx" => Self::AmbassadorRecommendations,
            "unit-summary.xlsx" => Self::UnitSummary,
            "ambassador-summary.xlsx" => Self::AmbassadorSummary,
            _ => return None,
        })
    }

    /// The file's stem.
    pub fn stem(self) -> &'static str {
        match self {
            Self::UnitRecommendations => "fujian2-unit-recommendations",
            Self::AmbassadorRecommendations => "fujian3-ambassador-recommendations",
            Self::UnitSummary => "fujian4-unit-summary",
            Self::AmbassadorSummary => "fujian5-ambassador-summary",
        }
    }
}

/// A campaign refused for its quota file: every fault by row and column.
#[derive(Debug, Clone)]
pub enum CreateError {
    /// The settings or the caller.
    App(AppError),
    /// The quota file's faults; nothing was stored.
    QuotaFile(Vec<QuotaFileError>),
}

impl From<AppError> for CreateError {
    fn from(err: AppError) -> Self {
        Self::App(err)
    }
}

fn region_name(tree: &RegionTree, code: &str) -> String {
    tree.get(code)
        .map(|r| r.name_zh.clone())
        .unwrap_or_default()
}

/// Whether the caller sees a prefecture's campaigns: its region lies in the
/// prefecture or contains it.
fn sees(scope: &Scope, tree: &RegionTree, prefecture: &str) -> bool {
    match scope {
        Scope::All => true,
        Scope::Region(root) => {
            scope.covers_region(tree, prefecture)
                || tree
                    .ancestors(root)
                    .iter()
                    .any(|r| r.code.as_str() == prefecture)
        }
        Scope::Venues(_) => false,
    }
}

/// Whether the caller acts for the prefecture itself (creates, reviews, awards).
fn over_prefecture(caller: &Caller, tree: &RegionTree, prefecture: &str) -> bool {
    caller.principal.role != Role::VenueStaff
        && caller.principal.scope.covers_region(tree, prefecture)
}

fn body_of(c: CampaignRecord, quotas: Vec<QuotaRecord>, tree: &RegionTree) -> CampaignBody {
    CampaignBody {
        prefecture_name: region_name(tree, &c.prefecture_code),
        id: c.id,
        prefecture_code: c.prefecture_code,
        name: c.name,
        year: c.year,
        categories: c.categories,
        deadline: c.deadline,
        period_start: c.period_start,
        period_end: c.period_end,
        weights: c.weights,
        min_ratings: c.min_ratings,
        excluded_award_years: c.excluded_award_years,
        created_by: c.created_by,
        created_at: c.created_at,
        awarded_by: c.awarded_by,
        awarded_at: c.awarded_at,
        quotas: quotas
            .into_iter()
            .map(|q| QuotaBody {
                region_name: region_name(tree, &q.region_code),
                region_code: q.region_code,
                quota: q.quota,
                note: q.note,
                confirmed: q.confirmed,
                state: q.state,
                submitted_by: q.submitted_by,
                submitted_at: q.submitted_at,
                reviewed_by: q.reviewed_by,
                reviewed_at: q.reviewed_at,
                sent_back_reason: q.sent_back_reason,
            })
            .collect(),
    }
}

/// Creates a campaign from its settings and quota file (prefecture or
/// province regulators over the prefecture, and admins).
pub async fn create(
    services: &Services,
    caller: &Caller,
    request: &CreateCampaignRequest,
) -> Result<CampaignBody, CreateError> {
    let tree = services.reference.regions().await.map_err(AppError::from)?;
    let prefecture = request.prefecture_code.trim().to_owned();
    campaign::check_prefecture(&tree, &prefecture).map_err(AppError::from)?;
    if !over_prefecture(caller, &tree, &prefecture) {
        return Err(AppError::new(
            Slug::RegionOutsideScope,
            "only a regulator over the prefecture (or an admin) creates its campaigns",
        )
        .into());
    }
    let known: HashSet<String> = services
        .reference
        .categories()
        .await
        .map_err(AppError::from)?
        .iter()
        .map(|c| c.key.clone())
        .collect();
    let period_start = campaign::parse_day("period_start", &request.period_start)?;
    let period_end = campaign::parse_day("period_end", &request.period_end)?;
    if period_end < period_start {
        return Err(AppError::from(CampaignError::PeriodReversed).into());
    }
    let mut excluded = Vec::new();
    for year in &request.excluded_award_years {
        let year = campaign::parse_year(*year).map_err(|_| CampaignError::BadExcludedYear)?;
        if !excluded.contains(&year) {
            excluded.push(year);
        }
    }
    let w = request.weights;
    let quotas = campaign::parse_quota_csv(&request.quotas_csv, &prefecture, &tree)
        .map_err(CreateError::QuotaFile)?;
    let new = NewCampaign {
        name: campaign::parse_name(&request.name)?,
        year: campaign::parse_year(request.year)?,
        categories: campaign::parse_categories(&request.categories, &known)?,
        deadline: campaign::parse_day("deadline", &request.deadline)?,
        period_start,
        period_end,
        weights: Weights::parse(w.environment, w.skill, w.attitude)?,
        min_ratings: campaign::parse_min_ratings(request.min_ratings)?,
        excluded_award_years: excluded,
        quotas,
        prefecture_code: prefecture,
    };
    let id = campaigns::create(
        &services.pool,
        &new,
        services.clock.now(),
        caller.audit(AuditAction::CAMPAIGN_CREATE),
    )
    .await
    .map_err(AppError::from)?;
    Ok(get(services, caller, id).await?)
}

impl From<CampaignError> for CreateError {
    fn from(err: CampaignError) -> Self {
        Self::App(err.into())
    }
}

async fn visible(
    services: &Services,
    caller: &Caller,
    id: i64,
) -> Result<(CampaignRecord, Arc<RegionTree>), AppError> {
    let tree = services.reference.regions().await?;
    match campaigns::get(&services.pool, id).await? {
        Some(c) if sees(&caller.principal.scope, &tree, &c.prefecture_code) => Ok((c, tree)),
        _ => Err(AppError::not_found(Slug::CampaignNotFound)),
    }
}

/// One campaign the caller sees, with its quotas.
pub async fn get(services: &Services, caller: &Caller, id: i64) -> Result<CampaignBody, AppError> {
    let (c, tree) = visible(services, caller, id).await?;
    let quotas = campaigns::quotas(&services.pool, id).await?;
    Ok(body_of(c, quotas, &tree))
}

/// The campaigns the caller sees.
pub async fn list(services: &Services, caller: &Caller) -> Result<CampaignList, AppError> {
    let tree = services.reference.regions().await?;
    let scope = &caller.principal.scope;
    let (all, prefectures) = match scope {
        Scope::All => (true, Vec::new()),
        Scope::Region(root) => {
            let mut codes: Vec<String> = tree
                .subtree(root)
                .into_iter()
                .chain(tree.ancestors(root).iter().map(|r| r.code.to_string()))
                .filter(|c| {
                    tree.get(c)
                        .is_some_and(|r| r.level == RegionLevel::Prefecture)
                })
                .collect();
            codes.sort();
            codes.dedup();
            (false, codes)
        }
        Scope::Venues(_) => (false, Vec::new()),
    };
    let mut items = Vec::new();
    for c in campaigns::list(&services.pool, all, &prefectures).await? {
        let quotas = campaigns::quotas(&services.pool, c.id).await?;
        items.push(body_of(c, quotas, &tree));
    }
    Ok(CampaignList { items })
}

/// The campaign and the region's quota, for a caller over that region.
async fn region_of(
    services: &Services,
    caller: &Caller,
    id: i64,
    region_code: &str,
) -> Result<(CampaignRecord, QuotaRecord, Arc<RegionTree>), AppError> {
    let (c, tree) = visible(services, caller, id).await?;
    let quota = campaigns::quotas(&services.pool, id)
        .await?
        .into_iter()
        .find(|q| q.region_code == region_code)
        .ok_or_else(|| AppError::not_found(Slug::CampaignRegionNotFound))?;
    if !caller.principal.scope.covers_region(&tree, region_code) {
        return Err(AppError::new(
            Slug::RegionOutsideScope,
            format!("region {region_code} is outside your scope"),
        ));
    }
    Ok((c, quota, tree))
}

/// The ranking of a region, its unranked and excluded venues.
async fn assess_region(
    services: &Services,
    c: &CampaignRecord,
    quota: &QuotaRecord,
    tree: &RegionTree,
) -> Result<Proposals, AppError> {
    let venues = campaigns::period_ratings(&services.pool, c, &quota.region_code).await?;
    let ids: Vec<VenueId> = venues.iter().map(|v| v.venue_id).collect();
    let facts = campaigns::gate_facts(
        &services.pool,
        &ids,
        (c.period_start, c.period_end),
        &c.excluded_award_years,
    )
    .await?;
    let mut exclusions: HashMap<VenueId, Vec<Exclusion>> = HashMap::new();
    for (venue, id, day) in facts.violations {
        exclusions
            .entry(venue)
            .or_default()
            .push(Exclusion::Violation {
                violation_id: id,
                occurred_on: day,
            });
    }
    for (venue, id, day) in facts.upheld_complaints {
        exclusions
            .entry(venue)
            .or_default()
            .push(Exclusion::UpheldComplaint {
                complaint_id: id,
                service_on: day,
            });
    }
    for (venue, year) in facts.awards {
        exclusions
            .entry(venue)
            .or_default()
            .push(Exclusion::AwardedBefore { award_year: year });
    }
    let listed: HashMap<VenueId, String> = campaigns::nominations(
        &services.pool,
        c.id,
        false,
        std::slice::from_ref(&quota.region_code),
        false,
    )
    .await?
    .into_iter()
    .map(|n| (n.venue_id, n.state))
    .collect();
    let names: HashMap<VenueId, (&str, &str)> = venues
        .iter()
        .map(|v| (v.venue_id, (v.name.as_str(), v.category.as_str())))
        .collect();
    let contenders: Vec<Contender> = venues
        .iter()
        .map(|v| Contender {
            venue_id: v.venue_id,
            assessment: campaign::assess(&v.period, &c.weights, c.min_ratings),
            exclusions: exclusions.remove(&v.venue_id).unwrap_or_default(),
        })
        .collect();
    let quota_n = usize::try_from(quota.quota).unwrap_or(0);
    let ranked = campaign::rank(&contenders)
        .into_iter()
        .enumerate()
        .map(|(i, x)| {
            let (name, category) = names.get(&x.venue_id).copied().unwrap_or_default();
            Candidate {
                rank: i + 1,
                venue_id: x.venue_id,
                venue_name: name.to_owned(),
                category: category.to_owned(),
                score_0_100: x.assessment.score_0_100.unwrap_or_default(),
                parts: x.assessment.parts,
                ratings: x.assessment.ratings,
                confidence: x.assessment.confidence,
                gates_passed: campaign::GATES.iter().map(|g| (*g).to_owned()).collect(),
                within_quota: i < quota_n,
                nomination: listed.get(&x.venue_id).cloned(),
            }
        })
        .collect();
    let mut unranked = Vec::new();
    let mut excluded = Vec::new();
    for x in &contenders {
        let name = names
            .get(&x.venue_id)
            .map(|n| n.0)
            .unwrap_or_default()
            .to_owned();
        if !x.exclusions.is_empty() {
            excluded.push(Excluded {
                venue_id: x.venue_id,
                venue_name: name,
                reasons: x
                    .exclusions
                    .iter()
                    .map(|e| ExclusionBody {
                        text: e.text(),
                        exclusion: e.clone(),
                    })
                    .collect(),
            });
        } else if x.assessment.score_0_100.is_none() {
            unranked.push(Unranked {
                venue_id: x.venue_id,
                venue_name: name,
                ratings: x.assessment.ratings,
                reason: format!(
                    "{} ratings in the period, {} needed, with every weighted dimension rated",
                    x.assessment.ratings, c.min_ratings
                ),
                nomination: listed.get(&x.venue_id).cloned(),
            });
        }
    }
    unranked.sort_by(|a, b| b.ratings.cmp(&a.ratings).then(a.venue_id.cmp(&b.venue_id)));
    excluded.sort_by_key(|e| e.venue_id);
    Ok(Proposals {
        campaign_id: c.id,
        region_name: region_name(tree, &quota.region_code),
        region_code: quota.region_code.clone(),
        quota: quota.quota,
        confirmed: quota.confirmed,
        state: quota.state.clone(),
        weights: c.weights,
        min_ratings: c.min_ratings,
        ranked,
        unranked,
        excluded,
    })
}

/// A region's proposals: ranked candidates (the first `quota` proposed),
/// eligible venues too little rated to rank, and excluded ones with why.
pub async fn proposals(
    services: &Services,
    caller: &Caller,
    id: i64,
    region_code: &str,
) -> Result<Proposals, AppError> {
    let (c, quota, tree) = region_of(services, caller, id, region_code).await?;
    assess_region(services, &c, &quota, &tree).await
}

/// Refuses changes to a county's list after the deadline or the award.
fn check_open(services: &Services, c: &CampaignRecord) -> Result<(), AppError> {
    if c.awarded_at.is_some() {
        return Err(AppError::new(
            Slug::CampaignAwarded,
            "the campaign's units are awarded",
        ));
    }
    if services.clock.today() > c.deadline {
        return Err(AppError::new(
            Slug::CampaignDeadlinePassed,
            format!("the lists closed on {}", c.deadline),
        ));
    }
    Ok(())
}

fn refusal(refusal: ListRefusal) -> AppError {
    match refusal {
        ListRefusal::NoQuota => AppError::not_found(Slug::CampaignRegionNotFound),
        ListRefusal::NotOpen(state) => AppError::new(
            Slug::CampaignListNotOpen,
            format!("the list is {state}; it changes only while open or sent back"),
        ),
        ListRefusal::QuotaFull(quota) => AppError::new(
            Slug::QuotaReached,
            format!("the region's quota of {quota} is reached"),
        ),
        ListRefusal::AlreadyConfirmed => {
            AppError::new(Slug::AlreadyNominated, "the venue is confirmed already")
        }
        ListRefusal::NotConfirmed => AppError::new(
            Slug::NotNominated,
            "the venue is not confirmed on this list",
        ),
    }
}

/// Confirms a venue on a region's list: a proposed candidate, an eligible
/// venue not proposed (added), or one swapped in for a proposed or
/// confirmed one with a written reason. Refused past the quota (409).
pub async fn nominate(
    services: &Services,
    caller: &Caller,
    id: i64,
    region_code: &str,
    request: &NominateRequest,
) -> Result<NominationBody, AppError> {
    let (c, quota, tree) = region_of(services, caller, id, region_code).await?;
    check_open(services, &c)?;
    let reason = match request.reason.as_deref().map(str::trim) {
        Some(raw) if !raw.is_empty() => Some(campaign::parse_reason(raw)?),
        _ => None,
    };
    if request.replaces_venue_id.is_some() && reason.is_none() {
        return Err(AppError::new(
            Slug::ReasonRequired,
            "a swap needs a written reason",
        ));
    }
    let deeds = match request.deeds.as_deref() {
        Some(raw) => Some(campaign::parse_deeds("deeds", raw)?),
        None => None,
    };
    let proposals = assess_region(services, &c, &quota, &tree).await?;
    let venue = request.venue_id;
    if let Some(excluded) = proposals.excluded.iter().find(|e| e.venue_id == venue) {
        let why: Vec<String> = excluded.reasons.iter().map(|r| r.text.clone()).collect();
        return Err(AppError::new(
            Slug::VenueNotEligible,
            format!("the venue fails a gate: {}", why.join("; ")),
        ));
    }
    let ranked = proposals.ranked.iter().find(|r| r.venue_id == venue);
    let unranked = proposals.unranked.iter().any(|u| u.venue_id == venue);
    if ranked.is_none() && !unranked {
        return Err(AppError::new(
            Slug::VenueNotEligible,
            format!(
                "venue {venue} is not an open venue of region {region_code} in the campaign's categories"
            ),
        ));
    }
    let kind = match request.replaces_venue_id {
        Some(replaced) => {
            let proposed = proposals
                .ranked
                .iter()
                .any(|r| r.venue_id == replaced && r.within_quota);
            let listed = campaigns::nomination(&services.pool, id, replaced)
                .await?
                .is_some_and(|n| n.state == "confirmed" && n.region_code == region_code);
            if !proposed && !listed {
                return Err(AppError::new(
                    Slug::VenueNotEligible,
                    format!("venue {replaced} is neither proposed nor confirmed on this list"),
                ));
            }
            "swap"
        }
        None if ranked.is_some_and(|r| r.within_quota) => "proposed",
        None => "added",
    };
    let confirmation = Confirmation {
        venue_id: venue,
        kind,
        reason,
        replaces: request.replaces_venue_id,
        rank: ranked.and_then(|r| i32::try_from(r.rank).ok()),
        score_0_100: ranked.map(|r| r.score_0_100),
        deeds,
    };
    campaigns::confirm(
        &services.pool,
        id,
        region_code,
        &confirmation,
        services.clock.now(),
        caller.audit(AuditAction::CAMPAIGN_NOMINATE),
    )
    .await?
    .map_err(refusal)?;
    let stored = campaigns::nomination(&services.pool, id, venue)
        .await?
        .ok_or_else(AppError::internal)?;
    Ok(stored.into())
}

/// Takes a confirmed venue off a region's open list, with a reason.
pub async fn remove(
    services: &Services,
    caller: &Caller,
    id: i64,
    region_code: &str,
    venue_id: VenueId,
    reason: &str,
) -> Result<NominationBody, AppError> {
    let (c, _, _) = region_of(services, caller, id, region_code).await?;
    check_open(services, &c)?;
    let reason = campaign::parse_reason(reason)?;
    campaigns::remove(
        &services.pool,
        id,
        region_code,
        venue_id,
        &reason,
        services.clock.now(),
        caller.audit(AuditAction::CAMPAIGN_REMOVE),
    )
    .await?
    .map_err(refusal)?;
    let stored = campaigns::nomination(&services.pool, id, venue_id)
        .await?
        .ok_or_else(AppError::internal)?;
    Ok(stored.into())
}

/// The county submits its list to the prefecture (open or sent back → submitted).
pub async fn submit(
    services: &Services,
    caller: &Caller,
    id: i64,
    region_code: &str,
) -> Result<CampaignBody, AppError> {
    let (c, _, _) = region_of(services, caller, id, region_code).await?;
    check_open(services, &c)?;
    let stepped = campaigns::step(
        &services.pool,
        id,
        region_code,
        &["open", "sent_back"],
        "submitted",
        None,
        services.clock.now(),
        caller.audit(AuditAction::CAMPAIGN_SUBMIT),
    )
    .await?;
    match stepped {
        None => return Err(AppError::not_found(Slug::CampaignRegionNotFound)),
        Some(Err(state)) => return Err(refusal(ListRefusal::NotOpen(state))),
        Some(Ok(())) => {}
    }
    get(services, caller, id).await
}

/// The prefecture confirms a submitted list or sends it back with a reason.
pub async fn review(
    services: &Services,
    caller: &Caller,
    id: i64,
    region_code: &str,
    request: &ReviewRequest,
) -> Result<CampaignBody, AppError> {
    let (c, _, tree) = region_of(services, caller, id, region_code).await?;
    if !over_prefecture(caller, &tree, &c.prefecture_code) {
        return Err(AppError::new(
            Slug::RegionOutsideScope,
            "only a regulator over the prefecture (or an admin) reviews the counties' lists",
        ));
    }
    if c.awarded_at.is_some() {
        return Err(AppError::new(
            Slug::CampaignAwarded,
            "the campaign's units are awarded",
        ));
    }
    let (to, reason) = match request.decision.as_str() {
        "confirmed" => (
            "confirmed",
            match request.reason.as_deref().map(str::trim) {
                Some(raw) if !raw.is_empty() => Some(campaign::parse_reason(raw)?),
                _ => None,
            },
        ),
        "sent_back" => (
            "sent_back",
            Some(campaign::parse_reason(
                request.reason.as_deref().unwrap_or(""),
            )?),
        ),
        other => {
            return Err(AppError::new(
                Slug::InvalidDecision,
                format!("decision must be confirmed or sent_back, not {other:?}"),
            ));
        }
    };
    let stepped = campaigns::step(
        &services.pool,
        id,
        region_code,
        &["submitted"],
        to,
        reason.as_deref(),
        services.clock.now(),
        caller.audit(AuditAction::CAMPAIGN_REVIEW),
    )
    .await?;
    match stepped {
        None => return Err(AppError::not_found(Slug::CampaignRegionNotFound)),
        Some(Err(state)) => {
            return Err(AppError::new(
                Slug::CampaignListNotSubmitted,
                format!("the list is {state}; the prefecture reviews a submitted list"),
            ));
        }
        Some(Ok(())) => {}
    }
    get(services, caller, id).await
}

/// The prefecture's sign-off: awards every confirmed unit once every
/// county's list is confirmed; the award history and the tier input follow.
pub async fn award(services: &Services, caller: &Caller, id: i64) -> Result<AwardBody, AppError> {
    let (c, tree) = visible(services, caller, id).await?;
    if !over_prefecture(caller, &tree, &c.prefecture_code) {
        return Err(AppError::new(
            Slug::RegionOutsideScope,
            "only a regulator over the prefecture (or an admin) awards the units",
        ));
    }
    let today = services.clock.today();
    let awarded_on = campaign::status_from(c.year, today);
    // An earlier year's campaign recorded late still writes the history the
    // gate reads; its status has run out and holds on no day.
    let status_until = campaign::status_until(c.year).max(awarded_on);
    let awarded = campaigns::award(
        &services.pool,
        &c,
        (awarded_on, status_until),
        services.clock.now(),
        caller.audit(AuditAction::CAMPAIGN_AWARD),
    )
    .await?;
    match awarded {
        Ok(venue_ids) => Ok(AwardBody {
            campaign_id: id,
            award_year: c.year,
            venue_ids,
            status_until,
        }),
        Err(AwardRefusal::Awarded) => Err(AppError::new(
            Slug::CampaignAwarded,
            "the campaign's units are awarded already",
        )),
        Err(AwardRefusal::Unconfirmed(regions)) => Err(AppError::new(
            Slug::CampaignNotSignedOff,
            format!(
                "the prefecture has not confirmed the lists of {}",
                regions.join(", ")
            ),
        )),
    }
}

/// The nomination of a venue the caller is over: its staff, or a
/// regulator over its region.
async fn own_nomination(
    services: &Services,
    caller: &Caller,
    id: i64,
    venue_id: VenueId,
) -> Result<NominationRecord, AppError> {
    let tree = services.reference.regions().await?;
    let n = campaigns::nomination(&services.pool, id, venue_id)
        .await?
        .filter(|n| n.state == "confirmed")
        .filter(|n| {
            caller
                .principal
                .scope
                .covers_venue(&tree, venue_id, &n.region_code)
        });
    n.ok_or_else(|| AppError::not_found(Slug::NominationNotFound))
}

/// A nomination whose deeds and ambassador may still change: confirmed, of
/// a venue the caller is over, in a campaign not yet awarded (the award
/// makes the forms final: 409).
async fn writable_nomination(
    services: &Services,
    caller: &Caller,
    id: i64,
    venue_id: VenueId,
) -> Result<NominationRecord, AppError> {
    let nomination = own_nomination(services, caller, id, venue_id).await?;
    let campaign = campaigns::get(&services.pool, id)
        .await?
        .ok_or_else(|| AppError::not_found(Slug::CampaignNotFound))?;
    if campaign.awarded_at.is_some() {
        return Err(AppError::new(
            Slug::CampaignAwarded,
            "the campaign's units are awarded: their deeds and ambassadors are final",
        ));
    }
    Ok(nomination)
}

/// Names a confirmed unit's service ambassador (its staff, or a regulator
/// over it) until the campaign is awarded.
pub async fn set_ambassador(
    services: &Services,
    caller: &Caller,
    id: i64,
    venue_id: VenueId,
    request: &AmbassadorRequest,
) -> Result<NominationBody, AppError> {
    writable_nomination(services, caller, id, venue_id).await?;
    let ambassador = Ambassador::parse(
        &request.name,
        &request.post,
        request.phone.as_deref(),
        request.address.as_deref(),
        &request.deeds,
    )?;
    let stored = campaigns::set_ambassador(
        &services.pool,
        id,
        venue_id,
        &ambassador,
        services.clock.now(),
        caller.audit(AuditAction::CAMPAIGN_AMBASSADOR),
    )
    .await?;
    if !stored {
        return Err(AppError::not_found(Slug::NominationNotFound));
    }
    Ok(own_nomination(services, caller, id, venue_id).await?.into())
}

/// Writes a confirmed unit's 主要事迹 (its staff, or a regulator over it)
/// until the campaign is awarded.
pub async fn set_deeds(
    services: &Services,
    caller: &Caller,
    id: i64,
    venue_id: VenueId,
    raw: &str,
) -> Result<NominationBody, AppError> {
    writable_nomination(services, caller, id, venue_id).await?;
    let deeds = campaign::parse_deeds("deeds", raw)?;
    let stored = campaigns::set_deeds(
        &services.pool,
        id,
        venue_id,
        &deeds,
        caller.audit(AuditAction::CAMPAIGN_DEEDS),
    )
    .await?;
    if !stored {
        return Err(AppError::not_found(Slug::NominationNotFound));
    }
    Ok(own_nomination(services, caller, id, venue_id).await?.into())
}

/// A unit's named ambassador (形象大使), as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AmbassadorBody {
    /// 姓名.
    pub name: String,
    /// 从事岗位.
    pub post: String,
    /// 联系电话.
    pub phone: Option<String>,
    /// 地址.
    pub address: Option<String>,
    /// 主要事迹.
    pub deeds: String,
}

/// A campaign whose list a venue is on, as the venue sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VenueNominationBody {
    /// Campaign id.
    pub campaign_id: i64,
    /// The campaign's name.
    pub campaign_name: String,
    /// Its award year.
    pub year: i32,
    /// The last day the county may change its list.
    pub deadline: NaiveDate,
    /// The region whose list the venue is on.
    pub region_code: String,
    /// The list's state: `open`, `submitted`, `confirmed` (by the
    /// prefecture) or `sent_back`.
    pub list_state: String,
    /// The unit's 主要事迹, once written.
    pub deeds: Option<String>,
    /// Its ambassador, once named.
    pub ambassador: Option<AmbassadorBody>,
    /// The award day, once awarded.
    pub awarded_on: Option<NaiveDate>,
    /// The last day the demonstration status holds, once awarded.
    pub status_last_day: Option<NaiveDate>,
}

impl From<campaigns::VenueNominationRecord> for VenueNominationBody {
    fn from(n: campaigns::VenueNominationRecord) -> Self {
        let ambassador = match (n.ambassador_name, n.ambassador_post, n.ambassador_deeds) {
            (Some(name), Some(post), Some(deeds)) => Some(AmbassadorBody {
                name,
                post,
                phone: n.ambassador_phone,
                address: n.ambassador_address,
                deeds,
            }),
            _ => None,
        };
        Self {
            campaign_id: n.campaign_id,
            campaign_name: n.campaign_name,
            year: n.year,
            deadline: n.deadline,
            region_code: n.region_code,
            list_state: n.list_state,
            deeds: n.deeds,
            ambassador,
            awarded_on: n.awarded_on,
            status_last_day: n.status_until.and_then(|d| d.pred_opt()),
        }
    }
}

/// The campaigns whose lists a venue in the caller's scope is on (404
/// outside it), newest first: what its staff write deeds and name an
/// ambassador for.
pub async fn for_venue(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
) -> Result<Vec<VenueNominationBody>, AppError> {
    crate::app::supervision::venue_in_scope(services, &caller.principal, venue_id).await?;
    Ok(campaigns::venue_nominations(&services.pool, venue_id)
        .await?
        .into_iter()
        .map(VenueNominationBody::from)
        .collect())
}

/// The regions of a campaign whose lists the caller reads: all for the
/// prefecture's side, else those its scope covers.
fn readable_regions(caller: &Caller, tree: &RegionTree, quotas: &[QuotaRecord]) -> Vec<String> {
    quotas
        .iter()
        .filter(|q| caller.principal.scope.covers_region(tree, &q.region_code))
        .map(|q| q.region_code.clone())
        .collect()
}

/// The nominations the caller sees (regions in its scope), with removed
/// ones when asked.
pub async fn nominations(
    services: &Services,
    caller: &Caller,
    id: i64,
    with_removed: bool,
) -> Result<NominationList, AppError> {
    let (_, tree) = visible(services, caller, id).await?;
    let quotas = campaigns::quotas(&services.pool, id).await?;
    let regions = readable_regions(caller, &tree, &quotas);
    let items = campaigns::nominations(&services.pool, id, false, &regions, with_removed)
        .await?
        .into_iter()
        .map(NominationBody::from)
        .collect();
    Ok(NominationList {
        campaign_id: id,
        items,
    })
}

/// A form as an .xlsx workbook, of the regions in the caller's scope.
pub async fn form(
    services: &Services,
    caller: &Caller,
    id: i64,
    form: Form,
    filled_by: FilledBy,
) -> Result<Vec<u8>, AppError> {
    let (c, tree) = visible(services, caller, id).await?;
    let quotas = campaigns::quotas(&services.pool, id).await?;
    let regions = readable_regions(caller, &tree, &quotas);
    let signed: HashMap<&str, &QuotaRecord> =
        quotas.iter().map(|q| (q.region_code.as_str(), q)).collect();
    let units: Vec<FormUnit> = campaigns::nominations(&services.pool, id, false, &regions, false)
        .await?
        .into_iter()
        .map(|n| {
            let q = signed.get(n.region_code.as_str());
            let county = q.and_then(|q| q.submitted_at).map(local_day);
            let prefecture = q
                .filter(|q| q.state == "confirmed")
                .and_then(|q| q.reviewed_at)
                .map(local_day);
            FormUnit {
                name: n.venue_name,
                unit_type: n
                    .unit_type
                    .as_deref()
                    .and_then(|t| UnitType::parse(t).ok())
                    .map(|t| t.label_zh().to_owned())
                    .unwrap_or_default(),
                person_in_charge: n.person_in_charge.unwrap_or_default(),
                phone: n.contact_phone.unwrap_or_default(),
                staff_count: n.staff_count.map(|s| s.to_string()).unwrap_or_default(),
                founded_on: n.founded_on.map(|d| d.to_string()).unwrap_or_default(),
                address: n.address.unwrap_or_default(),
                deeds: n.deeds.unwrap_or_default(),
                county_signed_on: county,
                prefecture_signed_on: prefecture,
                ambassador: n.ambassador_name.map(|name| FormAmbassador {
                    name,
                    post: n.ambassador_post.unwrap_or_default(),
                    phone: n.ambassador_phone.unwrap_or_default(),
                    address: n.ambassador_address.unwrap_or_default(),
                    deeds: n.ambassador_deeds.unwrap_or_default(),
                }),
            }
        })
        .collect();
    let filled_by = FilledBy {
        unit: if filled_by.unit.is_empty() {
            // The caller's own region when it has one, else the prefecture.
            let own = caller
                .principal
                .scope
                .region_code()
                .filter(|r| sees(&Scope::Region((*r).to_owned()), &tree, &c.prefecture_code))
                .unwrap_or(&c.prefecture_code);
            region_name(&tree, own)
        } else {
            filled_by.unit
        },
        ..filled_by
    };
    let written = match form {
        Form::UnitRecommendations => campaign_forms::unit_forms(&units),
        Form::AmbassadorRecommendations => campaign_forms::ambassador_forms(&units),
        Form::UnitSummary => campaign_forms::unit_summary(&units, &filled_by),
        Form::AmbassadorSummary => campaign_forms::ambassador_summary(&units, &filled_by),
    };
    written.map_err(|err| {
        tracing::error!(error = %err, "campaign form");
        AppError::internal()
    })
}
