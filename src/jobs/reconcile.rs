//! `qrfeedback reconcile`: proves the derived numbers equal their sources and
//! repairs any that do not: day aggregates against a recount of the raw
//! ratings and complaints, and Redis's live counters against today's
//! aggregates.

use std::fmt;

use chrono::{Duration, NaiveDate};
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

/// Checks (and unless `dry_run`, repairs) aggregates of the last `days` local
/// days (every day when `None`) and today's live counters.
pub async fn reconcile(
    pool: &PgPool,
    live: &Live,
    today: NaiveDate,
    days: Option<i64>,
    dry_run: bool,
) -> anyhow::Result<ReconcileReport> {
    let since = days.map(|d| today - Duration::days(d.max(1) - 1));
    let differences = reconcile::aggregate_differences(pool, since.unwrap_or(EARLIEST_DAY)).await?;
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
