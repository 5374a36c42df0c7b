//! `qrfeedback reconcile`: proves the derived numbers equal their sources and
//! repairs any that do not: day aggregates against a recount of the raw
//! ratings and complaints, and Redis's live counters against today's
//! aggregates.

use std::fmt;

use chrono::{Duration, NaiveDate};
use futures_util::StreamExt;
use sqlx::PgPool;

use crate::live::Live;
use crate::live::counters::CounterDifference;
use crate::store::reconcile::{self, Repair};
use crate::store::stats;

/// How many times the live counters are tried before they are reported unchecked.
const REDIS_ATTEMPTS: u32 = 3;
/// The pause between those tries.
const REDIS_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

/// Before any rating this service can hold; stands for "every day".
const EARLIEST_DAY: NaiveDate = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid date");

/// What reconcile found and did.
#[derive(Debug, Clone, Default)]
pub struct ReconcileReport {
    /// First local day checked.
    pub since: Option<NaiveDate>,
    /// Venue days whose aggregate differed, with the count before and after.
    pub aggregates: Vec<Repair>,
    /// Live counters that differed (before the repair).
    pub counters: Vec<CounterDifference>,
    /// Whether Redis could be checked.
    pub redis_checked: bool,
    /// Whether differences were repaired (false for a dry run).
    pub repaired: bool,
}

impl ReconcileReport {
    /// Whether everything already matched.
    pub fn clean(&self) -> bool {
        self.aggregates.is_empty() && self.counters.is_empty()
    }
}

impl fmt::Display for ReconcileReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.repaired { "repaired" } else { "differs" };
        for r in &self.aggregates {
            let before = r.before.map_or("missing".to_owned(), |n| n.to_string());
            writeln!(
                f,
                "aggregate {verb}: venue {} day {}: ratings {before} -> {}",
                r.venue_id, r.day, r.after
            )?;
        }
        for c in &self.counters {
            let live = c.live.map_or("missing".to_owned(), |n| n.to_string());
            writeln!(
                f,
                "live counter {verb}: {}: {live} -> {}",
                c.key, c.expected
            )?;
        }
        let since = self
            .since
            .map_or("the beginning".to_owned(), |d| d.to_string());
        write!(
            f,
            "reconcile: {} venue day(s) and {} live counter(s) {} since {since}{}",
            self.aggregates.len(),
            self.counters.len(),
            if self.repaired { "repaired" } else { "differ" },
            if self.redis_checked {
                ""
            } else {
                "; Redis not reachable, live counters not checked"
            }
        )
    }
}

/// Slices of venue ids the recount is cut into: enough for an even spread
/// over the connections and a progress bar that moves.
const SLICES: i64 = 64;

/// How a recount runs.
pub struct Recount<'a> {
    /// Only the last this many local days (every day when `None`).
    pub days: Option<i64>,
    /// Report differences without repairing them.
    pub dry_run: bool,
    /// Slices recounted at once, each on a connection of its own.
    pub jobs: usize,
    /// Called with (slices done, slices) as the recount goes.
    pub progress: &'a (dyn Fn(usize, usize) + Sync),
}

/// Checks (and unless `dry_run`, repairs) aggregates of the last `days` local
/// days (every day when `None`) and today's live counters, recounting as
/// many slices at once as the machine has cores.
pub async fn reconcile(
    pool: &PgPool,
    live: &Live,
    today: NaiveDate,
    days: Option<i64>,
    dry_run: bool,
) -> anyhow::Result<ReconcileReport> {
    let jobs = std::thread::available_parallelism().map_or(2, usize::from);
    let recount = Recount {
        days,
        dry_run,
        jobs,
        progress: &|_, _| {},
    };
    reconcile_with(pool, live, today, &recount).await
}

/// The venue-day differences of every slice of venue ids, `jobs` slices at a time.
async fn differences(
    pool: &PgPool,
    since: NaiveDate,
    recount: &Recount<'_>,
) -> anyhow::Result<Vec<(crate::domain::ids::VenueId, NaiveDate)>> {
    let Some((first, last)) = reconcile::venue_id_span(pool).await? else {
        return Ok(Vec::new());
    };
    let width = ((last - first) / SLICES + 1).max(1);
    let slices: Vec<(i64, i64)> = (0..)
        .map(|i| first + i * width)
        .take_while(|start| *start <= last)
        .map(|start| (start, (start + width - 1).min(last)))
        .collect();
    let total = slices.len();
    (recount.progress)(0, total);
    let mut found = Vec::new();
    let mut pending = futures_util::stream::iter(
        slices
            .into_iter()
            .map(|ids| reconcile::aggregate_differences(pool, since, ids)),
    )
    .buffer_unordered(recount.jobs.max(1));
    let mut done = 0;
    while let Some(slice) = pending.next().await {
        found.extend(slice?);
        done += 1;
        (recount.progress)(done, total);
    }
    found.sort_unstable();
    Ok(found)
}

/// [`reconcile()`] with its slices, parallelism and progress chosen.
pub async fn reconcile_with(
    pool: &PgPool,
    live: &Live,
    today: NaiveDate,
    recount: &Recount<'_>,
) -> anyhow::Result<ReconcileReport> {
    let (days, dry_run) = (recount.days, recount.dry_run);
    let since = days.map(|d| today - Duration::days(d.max(1) - 1));
    let differences = differences(pool, since.unwrap_or(EARLIEST_DAY), recount).await?;
    let mut report = ReconcileReport {
        since,
        repaired: !dry_run,
        ..ReconcileReport::default()
    };
    for (venue_id, day) in differences {
        if dry_run {
            report.aggregates.push(Repair {
                venue_id,
                day,
                before: None,
                after: 0,
            });
        } else {
            report
                .aggregates
                .push(reconcile::repair_day(pool, venue_id, day).await?);
        }
    }
    // Counters are compared with the aggregates after their repair. A
    // one-off command can wait out a brief Redis hiccup (a call times out
    // after 300 ms) before it reports the counters unchecked.
    let counts = stats::day_counts(pool, today).await?;
    let attempts = if live.is_configured() {
        REDIS_ATTEMPTS
    } else {
        0
    };
    for attempt in 0..attempts {
        if attempt > 0 {
            tokio::time::sleep(REDIS_RETRY_PAUSE).await;
        }
        if !live.check().await {
            continue;
        }
        if let Ok(counters) = live.counter_differences(today, &counts).await {
            report.redis_checked = true;
            if !dry_run && !counters.is_empty() {
                live.repair_counters(&counters).await?;
            }
            report.counters = counters;
            break;
        }
    }
    Ok(report)
}
