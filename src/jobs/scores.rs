//! Keeps the stored scores current.
//!
//! The unit of work is a category within a province: its venues share one
//! prior, so a new rating can move every score in it. A refresh carries each
//! venue's stored sums (`venue_score_bases`) to today with the few day
//! aggregates since them (see `domain::score_history`), reading a venue's
//! whole history only when it has no usable sums; then it scores and ranks
//! the venues, grades their tiers and rewrites the province's region rows,
//! all in one transaction per province.
//! Every few seconds the background refresher takes the venues its
//! instance's batcher has just stored ratings of, those in
//! `score_refresh_queue` (quarantine, compliance records, new venues, tier
//! overrides) and those whose tier override's end date came
//! (`tier_overrides::venues_due`); once a minute it also scans
//! `venue_day_stats` (`updated_at`) for what any instance changed. A full
//! recompute runs at start-up
//! when the stored scores are from another day or rule set, at every local
//! midnight (ages grow), and on `qrfeedback recompute`.
//!
//! Past 500 lines: the refresher's loop and the venue, region and tier recomputes share the
//! engine's constants, rule set and reference cache.

use crate::domain::ids::VenueId;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use sqlx::PgPool;
use tokio::sync::OnceCell;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::clock::Clock;
use crate::config::Settings;
use crate::domain::credit::{RuleSet, TierInputs};
use crate::domain::region::{RegionPath, RegionTree};
use crate::domain::score_history::{DayAggregate, ScoreBase, roll};
use crate::domain::scoring::{
    Measures, PriorSource, ScoringParams, VenueInputs, choose_priors, prior_or_fallback,
    score_venue, smoothed_0_100,
};
use crate::domain::tier_override::{TierSource, override_reason};
use crate::store::reference::ReferenceData;
use crate::store::score_bases::{self, BaseRow, SliceVenue, VenueDay};
use crate::store::scores::{self, MeasureColumns, RegionScoreRow, VenueScoreRow};
use crate::store::{StoreError, tier_overrides, tiers};

/// How far back each poll looks past the previous one, so a rating batch
/// whose transaction started before a poll and committed after it is not missed.
const POLL_OVERLAP: chrono::Duration = chrono::Duration::seconds(2);

/// A province code and a category key.
type Slice = (String, String);

/// What a refresh did.
#[derive(Debug, Clone, Copy, Default)]
pub struct RefreshSummary {
    /// Province × category slices refreshed.
    pub slices: usize,
    /// Venues scored.
    pub venues: i64,
    /// Venue scores that changed (the rest were already stored as they are).
    pub changed: i64,
    /// Tier changes recorded.
    pub tier_changes: i64,
    /// Region score rows written.
    pub region_rows: usize,
}

impl RefreshSummary {
    fn add(&mut self, other: RefreshSummary) {
        self.slices += other.slices;
        self.venues += other.venues;
        self.changed += other.changed;
        self.tier_changes += other.tier_changes;
        self.region_rows += other.region_rows;
    }
}

/// Computes and stores scores; shared by the server's refresher and the CLI.
pub struct ScoreEngine {
    pool: PgPool,
    clock: Clock,
    params: ScoringParams,
    rules: Arc<RuleSet>,
    reference: Arc<ReferenceData>,
    rules_active: OnceCell<()>,
}

/// One venue being scored.
struct VenueAcc {
    venue_id: VenueId,
    category: String,
    path: RegionPath,
    inputs: VenueInputs,
    ratings_12m: i64,
    /// The base to store for the next refresh, when it moved.
    new_base: Option<BaseRow>,
}

/// Venues whose whole history is read in one statement.
const FULL_READ_CHUNK: usize = 1_000;

fn group_days(rows: Vec<VenueDay>) -> HashMap<VenueId, Vec<DayAggregate>> {
    let mut by_venue: HashMap<VenueId, Vec<DayAggregate>> = HashMap::new();
    for row in rows {
        by_venue.entry(row.venue_id).or_default().push(row.day);
    }
    by_venue
}

impl ScoreEngine {
    /// Parses the configured tier rule set (the shipped default unless
    /// `TIER_RULES_FILE` names another); a bad rule set is refused here, before
    /// anything is stored. Touches no database.
    pub fn new(
        pool: PgPool,
        settings: &Settings,
        clock: Clock,
        reference: Arc<ReferenceData>,
    ) -> anyhow::Result<Self> {
        let rules = match &settings.tier_rules_file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("tier rules file {path}: {e}"))?;
                RuleSet::parse_toml(&text)
                    .map_err(|e| anyhow::anyhow!("tier rules file {path}: {e}"))?
            }
            None => RuleSet::default_rules(),
        };
        Ok(Self {
            pool,
            clock,
            params: settings.scoring.clone(),
            rules: Arc::new(rules),
            reference,
            rules_active: OnceCell::new(),
        })
    }

    /// The scoring constants in use.
    pub fn params(&self) -> &ScoringParams {
        &self.params
    }

    /// The active tier rule set.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Stores the rule set (once) and makes it the active one.
    pub async fn activate_rules(&self) -> anyhow::Result<()> {
        self.rules_active
            .get_or_try_init(|| tiers::activate_rule_set(&self.pool, &self.rules))
            .await?;
        Ok(())
    }

    /// Recomputes every venue and region; `progress(done, total)` is called
    /// per province. Each venue's inputs come from its stored base and the
    /// days since, or with `reread` from its whole history (which must give
    /// the same numbers, and stores fresh bases).
    pub async fn recompute_all(
        &self,
        progress: &(dyn Fn(usize, usize) + Sync),
        reread: bool,
    ) -> anyhow::Result<RefreshSummary> {
        self.activate_rules().await?;
        // Whatever was queued before this recompute is in it.
        let started_at = scores::database_now(&self.pool).await?;
        let pairs = scores::all_slices(&self.pool).await?;
        let slices = self.slices_of(&pairs).await?;
        let summary = self.refresh_slices(slices, progress, reread).await?;
        scores::clear_refresh_queue_up_to(&self.pool, started_at).await?;
        Ok(summary)
    }

    /// Refreshes the slices the given venues belong to, and the slices whose
    /// national prior moved because of them.
    pub async fn refresh_venues(&self, venue_ids: &[VenueId]) -> anyhow::Result<RefreshSummary> {
        if venue_ids.is_empty() {
            return Ok(RefreshSummary::default());
        }
        self.activate_rules().await?;
        let pairs = scores::venue_slices(&self.pool, venue_ids).await?;
        let slices = self.slices_of(&pairs).await?;
        self.refresh_slices(slices, &|_, _| {}, false).await
    }

    async fn slices_of(&self, pairs: &[(String, String)]) -> Result<BTreeSet<Slice>, StoreError> {
        let regions = self.reference.regions().await?;
        Ok(pairs
            .iter()
            .filter_map(|(region, category)| {
                let path = regions.path(region)?;
                Some((path.province, category.clone()))
            })
            .collect())
    }

    async fn refresh_slices(
        &self,
        slices: BTreeSet<Slice>,
        progress: &(dyn Fn(usize, usize) + Sync),
        reread: bool,
    ) -> anyhow::Result<RefreshSummary> {
        let mut summary = RefreshSummary::default();
        let stored = scores::province_category_sums(&self.pool).await?;
        let follow_up = self
            .refresh_round(&slices, &stored, progress, reread, &mut summary)
            .await?;
        if !follow_up.is_empty() {
            // Their own sums did not change, so this round cannot move the
            // national priors again: one extra round is enough.
            let stored = scores::province_category_sums(&self.pool).await?;
            self.refresh_round(&follow_up, &stored, &|_, _| {}, reread, &mut summary)
                .await?;
        }
        Ok(summary)
    }

    /// Refreshes `slices`; returns the slices elsewhere that lean on a
    /// national prior that has just moved.
    async fn refresh_round(
        &self,
        slices: &BTreeSet<Slice>,
        stored: &[(String, String, MeasureColumns)],
        progress: &(dyn Fn(usize, usize) + Sync),
        reread: bool,
        summary: &mut RefreshSummary,
    ) -> anyhow::Result<BTreeSet<Slice>> {
        let today = self.clock.today();
        let mut by_province: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (province, category) in slices {
            by_province
                .entry(province.clone())
                .or_default()
                .push(category.clone());
        }

        let regions = self.reference.regions().await?;
        let mut loaded: BTreeMap<String, Vec<VenueAcc>> = BTreeMap::new();
        for (province, categories) in &by_province {
            let codes = regions.subtree(province);
            loaded.insert(
                province.clone(),
                self.load_venues(&regions, &codes, categories, today, reread)
                    .await?,
            );
        }

        // National sums per category: stored rows of provinces not being
        // refreshed, plus fresh sums of those that are.
        let mut national_before: HashMap<String, Measures> = HashMap::new();
        let mut national: HashMap<String, Measures> = HashMap::new();
        for (province, category, columns) in stored {
            let measures = Measures::from(columns);
            national_before
                .entry(category.clone())
                .or_default()
                .merge(&measures);
            if !slices.contains(&(province.clone(), category.clone())) {
                national
                    .entry(category.clone())
                    .or_default()
                    .merge(&measures);
            }
        }
        for venues in loaded.values() {
            for v in venues {
                national
                    .entry(v.category.clone())
                    .or_default()
                    .merge(&v.inputs.measures);
            }
        }

        let total = loaded.len();
        for (done, (province, venues)) in loaded.into_iter().enumerate() {
            let written = self
                .write_province(&province, venues, &national, today)
                .await?;
            summary.add(written);
            progress(done + 1, total);
        }
        summary.slices += slices.len();

        // A slice too small for its own prior uses the national one.
        let moved: BTreeSet<&String> = national
            .iter()
            .filter(|(category, now)| {
                let before = national_before.get(*category).copied().unwrap_or_default();
                before.overall.mean_0_100() != now.overall.mean_0_100()
                    || before.environment.mean_0_100() != now.environment.mean_0_100()
                    || before.skill.mean_0_100() != now.skill.mean_0_100()
                    || before.attitude.mean_0_100() != now.attitude.mean_0_100()
            })
            .map(|(category, _)| category)
            .collect();
        let min = self.params.prior_min_ratings;
        Ok(stored
            .iter()
            .filter(|(province, category, columns)| {
                moved.contains(category)
                    && !slices.contains(&(province.clone(), category.clone()))
                    && [
                        columns.overall_count,
                        columns.environment_count,
                        columns.skill_count,
                        columns.attitude_count,
                    ]
                    .iter()
                    .any(|&n| n < min)
            })
            .map(|(province, category, _)| (province.clone(), category.clone()))
            .collect())
    }

    /// Loads a province's venues of some categories with today's inputs:
    /// from each venue's stored base and the few days it needs, or (without
    /// a usable base, or with `reread`) from every day of its history.
    async fn load_venues(
        &self,
        regions: &RegionTree,
        region_codes: &[String],
        categories: &[String],
        today: NaiveDate,
        reread: bool,
    ) -> anyhow::Result<Vec<VenueAcc>> {
        let p = &self.params;
        let mut conn = self.pool.acquire().await?;
        let slice = score_bases::slice_venues(&mut conn, region_codes, categories, p).await?;
        let mut venues = Vec::with_capacity(slice.len());
        let mut carried: Vec<(SliceVenue, ScoreBase)> = Vec::new();
        let mut everything: Vec<SliceVenue> = Vec::new();
        for venue in slice {
            match venue.base.filter(|b| !reread && b.usable(today)) {
                Some(base) => carried.push((venue, base)),
                None => everything.push(venue),
            }
        }
        // Venues read in full, a chunk at a time so a province's history
        // never sits in memory at once.
        for chunk in everything.chunks(FULL_READ_CHUNK) {
            let ids: Vec<VenueId> = chunk.iter().map(|v| v.venue_id).collect();
            let rows = score_bases::venue_days(&mut conn, &ids, None, today).await?;
            let mut by_venue = group_days(rows);
            for venue in chunk {
                let days = by_venue.remove(&venue.venue_id).unwrap_or_default();
                venues.extend(self.roll_venue(regions, venue, None, &days, today));
            }
        }
        // Venues carried from their base: only the days it asks for.
        let mut wanted: BTreeSet<NaiveDate> = BTreeSet::new();
        for (_, base) in &carried {
            for (first, last) in base.days_needed(p, today) {
                wanted.extend(first.iter_days().take_while(|d| *d <= last));
            }
        }
        let wanted: Vec<NaiveDate> = wanted.into_iter().collect();
        let ids: Vec<VenueId> = carried.iter().map(|(v, _)| v.venue_id).collect();
        let rows = score_bases::venue_days(&mut conn, &ids, Some(&wanted), today).await?;
        let mut by_venue = group_days(rows);
        for (venue, base) in &carried {
            let days = by_venue.remove(&venue.venue_id).unwrap_or_default();
            venues.extend(self.roll_venue(regions, venue, Some(base), &days, today));
        }
        Ok(venues)
    }

    fn roll_venue(
        &self,
        regions: &RegionTree,
        venue: &SliceVenue,
        base: Option<&ScoreBase>,
        days: &[DayAggregate],
        today: NaiveDate,
    ) -> Option<VenueAcc> {
        let Some(path) = regions.path(&venue.region_code) else {
            tracing::warn!(venue_id = %venue.venue_id, region = %venue.region_code, "venue outside the region tree; not scored");
            return None;
        };
        let (sums, next) = roll(&self.params, base, days, today);
        // A base carried within its own day is unchanged: nothing to store.
        let new_base = base
            .is_none_or(|b| b.cutoff != next.cutoff)
            .then(|| BaseRow::new(venue.venue_id, venue.version, &next, &self.params));
        Some(VenueAcc {
            venue_id: venue.venue_id,
            category: venue.category.clone(),
            path,
            inputs: sums.inputs,
            ratings_12m: sums.ratings_12m,
            new_base,
        })
    }

    async fn write_province(
        &self,
        province: &str,
        venues: Vec<VenueAcc>,
        national: &HashMap<String, Measures>,
        today: NaiveDate,
    ) -> anyhow::Result<RefreshSummary> {
        let p = &self.params;
        let mut slice_sums: HashMap<&str, Measures> = HashMap::new();
        for v in &venues {
            slice_sums
                .entry(v.category.as_str())
                .or_default()
                .merge(&v.inputs.measures);
        }
        let ids: Vec<VenueId> = venues.iter().map(|v| v.venue_id).collect();
        let compliance = tiers::compliance_counts(&self.pool, &ids, today).await?;
        let overrides = tier_overrides::in_force(&self.pool, &ids, today).await?;

        let mut rows: Vec<VenueScoreRow> = venues
            .iter()
            .map(|v| {
                let slice = slice_sums
                    .get(v.category.as_str())
                    .copied()
                    .unwrap_or_default();
                let nation = national.get(&v.category).copied().unwrap_or_default();
                let priors = choose_priors(p, &slice, &nation);
                let score = score_venue(p, &v.inputs, &priors);
                let c = compliance.get(&v.venue_id).copied().unwrap_or_default();
                let tier_inputs = TierInputs {
                    score_0_100: score.score_0_100,
                    ratings_12m: v.ratings_12m,
                    verified_complaints_12m: c.verified_complaints_12m,
                    unresolved_verified_complaints: c.unresolved_verified_complaints,
                    violations_12m: c.violations_12m,
                    serious_violations_12m: c.serious_violations_12m,
                    failed_inspections_12m: c.failed_inspections_12m,
                    serious_list: c.serious_list,
                    watch_list: c.watch_list,
                    commitment_published: c.commitment_published,
                    cqo_registered: c.cqo_registered,
                    demonstration_unit: c.demonstration_unit,
                };
                let decision = self.rules.evaluate(&tier_inputs);
                let mut inputs_json = serde_json::to_value(&tier_inputs).unwrap_or_default();
                if let Some(obj) = inputs_json.as_object_mut() {
                    obj.insert(
                        "verified_complaints_per_1000".into(),
                        tier_inputs.verified_complaints_per_1000().into(),
                    );
                }
                // An override in force wins; what the rules said is kept with
                // its inputs, so the history still shows it.
                let (tier, tier_reasons, tier_source, tier_override_id) =
                    match overrides.get(&v.venue_id) {
                        Some(o) => {
                            if let Some(obj) = inputs_json.as_object_mut() {
                                obj.insert("computed_tier".into(), decision.tier.letter().into());
                                obj.insert(
                                    "computed_reasons".into(),
                                    serde_json::to_value(&decision.reasons).unwrap_or_default(),
                                );
                                obj.insert(
                                    "override".into(),
                                    serde_json::json!({
                                        "id": o.id, "tier": o.tier, "ends_on": o.ends_on,
                                    }),
                                );
                            }
                            let reasons = [override_reason(o.tier, o.ends_on)];
                            (
                                o.tier,
                                serde_json::to_value(reasons).unwrap_or_default(),
                                TierSource::Override.key(),
                                Some(o.id),
                            )
                        }
                        None => (
                            decision.tier,
                            serde_json::to_value(&decision.reasons).unwrap_or_default(),
                            TierSource::Rules.key(),
                            None,
                        ),
                    };
                VenueScoreRow {
                    venue_id: v.venue_id,
                    category: v.category.clone(),
                    province_code: v.path.province.clone(),
                    prefecture_code: v.path.prefecture.clone(),
                    county_code: v.path.county.clone(),
                    published: score.published,
                    score_0_100: score.score_0_100,
                    confidence: score.confidence,
                    ratings_window: score.ratings_in_window,
                    histogram: v.inputs.window_histogram.0,
                    environment_0_100: score.environment_0_100,
                    skill_0_100: score.skill_0_100,
                    attitude_0_100: score.attitude_0_100,
                    measures: MeasureColumns::from(&v.inputs.measures),
                    priors: serde_json::to_value(priors).unwrap_or_default(),
                    rank_prefecture: None,
                    rank_province: None,
                    tier,
                    tier_reasons,
                    tier_inputs: inputs_json,
                    tier_source,
                    tier_override_id,
                    rule_set_version: decision.rule_set_version,
                    as_of_day: today,
                }
            })
            .collect();
        assign_ranks(&mut rows);

        let mut tx = self.pool.begin().await?;
        scores::lock_province(&mut tx, province).await?;
        tier_overrides::close_reached(&mut tx, &ids, today).await?;
        let written = scores::write_venue_scores(&mut tx, &rows).await?;
        let bases: Vec<BaseRow> = venues.iter().filter_map(|v| v.new_base.clone()).collect();
        score_bases::write(&mut tx, &bases).await?;
        let aggregates = scores::region_aggregates(&mut tx, province).await?;
        let mut overall_national = Measures::default();
        for m in national.values() {
            overall_national.merge(m);
        }
        let region_rows: Vec<RegionScoreRow> = aggregates
            .into_iter()
            .map(|a| {
                // A region is pulled towards the national mean of the same slice:
                // of its category, or of every rating for the region as a whole.
                let (pool_sums, source) = if a.category == "*" {
                    (overall_national, PriorSource::National)
                } else {
                    (
                        national.get(&a.category).copied().unwrap_or_default(),
                        PriorSource::CategoryNational,
                    )
                };
                let prior = prior_or_fallback(p, &pool_sums.overall, source);
                let measures = Measures::from(&a.measures);
                let published = a.ratings_window >= p.min_ratings_to_publish;
                RegionScoreRow {
                    region_code: a.region_code,
                    category: a.category,
                    published,
                    score_0_100: published.then(|| smoothed_0_100(p, &measures.overall, &prior)),
                    ratings_window: a.ratings_window,
                    measures: a.measures,
                    prior: serde_json::to_value(prior).unwrap_or_default(),
                    venues: a.venues,
                    published_venues: a.published_venues,
                    median_0_100: a.median_0_100,
                    p10_0_100: a.p10_0_100,
                    score_distribution: a.score_distribution,
                    tier_counts: a.tier_counts,
                    as_of_day: today,
                }
            })
            .collect();
        let codes = self.reference.regions().await?.subtree(province);
        scores::write_region_scores(&mut tx, province, &codes, &region_rows).await?;
        tx.commit().await?;
        Ok(RefreshSummary {
            slices: 0,
            venues: rows.len() as i64,
            changed: written.venues,
            tier_changes: written.tier_changes,
            region_rows: region_rows.len(),
        })
    }
}

/// Ranks published venues within each category of a prefecture and of the
/// province: higher score first, ties broken by the confidence bound.
fn assign_ranks(rows: &mut [VenueScoreRow]) {
    let mut order: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].published).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&rows[a], &rows[b]);
        y.score_0_100
            .partial_cmp(&x.score_0_100)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(y.confidence.total_cmp(&x.confidence))
            .then(y.ratings_window.cmp(&x.ratings_window))
            .then(x.venue_id.cmp(&y.venue_id))
    });
    let mut in_province: HashMap<String, i64> = HashMap::new();
    let mut in_prefecture: HashMap<(String, String), i64> = HashMap::new();
    for i in order {
        let row = &mut rows[i];
        let n = in_province.entry(row.category.clone()).or_default();
        *n += 1;
        row.rank_province = Some(*n);
        if let Some(prefecture) = &row.prefecture_code {
            let n = in_prefecture
                .entry((prefecture.clone(), row.category.clone()))
                .or_default();
            *n += 1;
            row.rank_prefecture = Some(*n);
        }
    }
}

/// What a refresh rewrote, for those who keep copies of scores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refreshed {
    /// The scores of these venues moved because something of theirs changed.
    Venues(Vec<VenueId>),
    /// Every score was recomputed.
    All,
}

/// Runs forever: every `interval` refreshes the venues this instance just
/// stored ratings of (told through `stored`) and those queued in
/// `score_refresh_queue`; once a minute (`DAY_STATS_POLL`) also looks for day
/// aggregates any instance changed, in case a batch's word was lost;
/// recomputes everything when the local day turns. Tells `refreshed` what
/// it rewrote.
pub async fn run_refresher(
    engine: Arc<ScoreEngine>,
    interval: Duration,
    mut stored: UnboundedReceiver<Vec<VenueId>>,
    refreshed: UnboundedSender<Refreshed>,
) {
    let mut full_done_for: Option<NaiveDate> = None;
    let mut since = None;
    let mut last_day_stats_poll: Option<std::time::Instant> = None;
    loop {
        let today = engine.clock.today();
        if full_done_for != Some(today) {
            match full_recompute_if_stale(&engine, today).await {
                Ok(recomputed) => {
                    full_done_for = Some(today);
                    if recomputed {
                        let _ = refreshed.send(Refreshed::All);
                    }
                }
                Err(err) => tracing::warn!(error = %err, "score recompute failed; will retry"),
            }
        }
        let mut told = Vec::new();
        while let Ok(venues) = stored.try_recv() {
            told.extend(venues);
        }
        let look = last_day_stats_poll.is_none_or(|at| at.elapsed() >= DAY_STATS_POLL);
        let poll = Poll {
            today,
            since: look.then_some(since),
            told,
        };
        match poll_once(&engine, poll).await {
            Ok((polled_at, changed)) => {
                if look {
                    since = Some(polled_at);
                    last_day_stats_poll = Some(std::time::Instant::now());
                }
                if !changed.is_empty() {
                    let _ = refreshed.send(Refreshed::Venues(changed));
                }
            }
            Err(err) => tracing::warn!(error = %err, "score refresh failed; will retry"),
        }
        tokio::time::sleep(interval).await;
    }
}

/// How often the refresher looks through today's and yesterday's day
/// aggregates for changes: a scan of every venue's two rows, so not on every
/// round; the batcher tells it about its own commits at once.
const DAY_STATS_POLL: Duration = Duration::from_secs(60);

/// What one refresh round looks at.
struct Poll {
    today: NaiveDate,
    /// Look through the day aggregates changed since then (`Some(None)`:
    /// since the newest stored score); `None`: not this round.
    since: Option<Option<chrono::DateTime<Utc>>>,
    /// Venues whose ratings this instance has just stored.
    told: Vec<VenueId>,
}

/// Recomputes every score if any is from another day or rule set; whether it did.
async fn full_recompute_if_stale(engine: &ScoreEngine, today: NaiveDate) -> anyhow::Result<bool> {
    if !scores::stale(&engine.pool, today, engine.rules.version()).await? {
        return Ok(false);
    }
    let started = std::time::Instant::now();
    let summary = engine.recompute_all(&|_, _| {}, false).await?;
    tracing::info!(
        venues = summary.venues,
        tier_changes = summary.tier_changes,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "scores recomputed"
    );
    Ok(true)
}

async fn poll_once(
    engine: &ScoreEngine,
    poll: Poll,
) -> anyhow::Result<(chrono::DateTime<Utc>, Vec<VenueId>)> {
    let today = poll.today;
    let (mut venue_ids, polled_at) = scores::queued_for_refresh(&engine.pool).await?;
    venue_ids.extend(poll.told);
    if let Some(since) = poll.since {
        let days = [today, today.pred_opt().unwrap_or(today)];
        venue_ids.extend(
            scores::changed_days(&engine.pool, &days, since.map(|s| s - POLL_OVERLAP)).await?,
        );
    }
    // Overrides that ended or began without anything else changing.
    venue_ids.extend(tier_overrides::venues_due(&engine.pool, today).await?);
    venue_ids.sort_unstable();
    venue_ids.dedup();
    if !venue_ids.is_empty() {
        let summary = engine.refresh_venues(&venue_ids).await?;
        scores::clear_refresh_queue(&engine.pool, &venue_ids, polled_at).await?;
        tracing::debug!(
            changed = venue_ids.len(),
            venues = summary.venues,
            tier_changes = summary.tier_changes,
            "scores refreshed"
        );
    }
    Ok((polled_at, venue_ids))
}
