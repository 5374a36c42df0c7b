//! The one source of "now". The service reads the system clock; a test moves
//! its app's clock forward instead of sleeping, so expiries, deadlines and
//! "today" can be checked exactly.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::domain::day::local_day;

/// The application clock: the system time plus an offset that only a test
/// ever moves. Clones share the offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock, as the service runs.
    pub fn system() -> Self {
        Self::default()
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// The current local calendar day (the day that bounds "one rating per
    /// device per day" and every daily figure).
    pub fn today(&self) -> NaiveDate {
        local_day(self.now())
    }

    /// Moves this clock, and every clone of it, forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_clock_reads_the_system_time() {
        let before = Utc::now();
        let now = Clock::system().now();
        assert!(now >= before && now <= Utc::now());
    }

    #[test]
    fn advancing_a_clock_moves_every_clone_and_the_day() {
        let clock = Clock::system();
        let shared = clock.clone();
        let today = clock.today();
        clock.advance(Duration::days(2));
        let moved = shared.now() - Utc::now();
        assert!(moved > Duration::days(2) - Duration::seconds(5), "{moved}");
        assert!(moved <= Duration::days(2), "{moved}");
        assert!(shared.today() > today);
    }
}
