//! The working-day calendar and the regions' case clocks, as every case step
//! and every new complaint reads them. Both tables are small and change a few
//! times a year, so they are held in memory for [`CaseRules::TTL`] and read
//! again after that, or at once after this instance changed them; another
//! instance sees a change within the same interval.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::domain::complaint::{CaseClocks, CaseState};
use crate::domain::working_days::WorkingCalendar;
use crate::store::StoreError;
use crate::store::calendar;
use crate::store::complaints::CaseOpening;

/// The calendar and every region's own clocks, as last read.
#[derive(Debug)]
struct Snapshot {
    read_at: Instant,
    calendar: Arc<WorkingCalendar>,
    clocks: Arc<HashMap<String, CaseClocks>>,
}

/// Case deadlines: the calendar and the regions' clocks, cached.
#[derive(Clone)]
pub struct CaseRules {
    pool: PgPool,
    snapshot: Arc<RwLock<Option<Snapshot>>>,
}

impl CaseRules {
    /// How long a read of the calendar and the clocks is used.
    pub const TTL: Duration = Duration::from_secs(30);

    /// Rules read from `pool` when first needed.
    pub fn new(pool: PgPool) -> Self {
        Self {
            pool,
            snapshot: Arc::default(),
        }
    }

    /// Forgets what was read, after this instance changed the calendar or a clock.
    pub fn invalidate(&self) {
        if let Ok(mut snapshot) = self.snapshot.write() {
            *snapshot = None;
        }
    }

    async fn current(
        &self,
    ) -> Result<(Arc<WorkingCalendar>, Arc<HashMap<String, CaseClocks>>), StoreError> {
        if let Ok(snapshot) = self.snapshot.read()
            && let Some(s) = snapshot.as_ref()
            && s.read_at.elapsed() < Self::TTL
        {
            return Ok((s.calendar.clone(), s.clocks.clone()));
        }
        let calendar = Arc::new(calendar::working_calendar(&self.pool).await?);
        let clocks = Arc::new(calendar::region_clocks(&self.pool).await?);
        if let Ok(mut snapshot) = self.snapshot.write() {
            *snapshot = Some(Snapshot {
                read_at: Instant::now(),
                calendar: calendar.clone(),
                clocks: clocks.clone(),
            });
        }
        Ok((calendar, clocks))
    }

    /// The working-day calendar.
    pub async fn calendar(&self) -> Result<Arc<WorkingCalendar>, StoreError> {
        Ok(self.current().await?.0)
    }

    /// The clocks of a region, given it and its ancestors nearest first: the
    /// nearest one that set its own, else the defaults.
    pub async fn clocks(&self, lineage: &[String]) -> Result<CaseClocks, StoreError> {
        let (_, clocks) = self.current().await?;
        Ok(lineage
            .iter()
            .find_map(|code| clocks.get(code).copied())
            .unwrap_or_default())
    }

    /// When a case in `state`, handled by the region of `lineage`, is due.
    pub async fn due_at(
        &self,
        lineage: &[String],
        state: CaseState,
        entered_at: DateTime<Utc>,
        accepted_at: Option<DateTime<Utc>>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let calendar = self.calendar().await?;
        let clocks = self.clocks(lineage).await?;
        Ok(clocks.due_at(state, &calendar, entered_at, accepted_at))
    }

    /// Where a complaint filed at `at` about a venue of the region of
    /// `lineage` (its region first) starts.
    pub async fn opening(
        &self,
        lineage: &[String],
        at: DateTime<Utc>,
    ) -> Result<CaseOpening, StoreError> {
        let due_at = self
            .due_at(lineage, CaseState::Submitted, at, None)
            .await?
            .unwrap_or(at);
        Ok(CaseOpening {
            region_code: lineage.first().cloned().unwrap_or_default(),
            due_at,
        })
    }
}
