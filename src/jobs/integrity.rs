//! Runs the detectors of bought ratings every `INTEGRITY_SCAN_SECONDS`
//! over today's ratings so far; once a day also over yesterday's whole
//! day, so ratings that came after yesterday's last run are judged too.

use std::time::Duration;

use chrono::NaiveDate;
use prometheus::IntCounter;

use crate::app::integrity::scan::Scanner;
use crate::clock::Clock;

/// Scans until the process ends; a failed scan is logged and tried again.
/// `runs` counts the rounds completed (`qrf_background_runs_total`).
pub async fn run(scanner: Scanner, clock: Clock, interval: Duration, runs: IntCounter) {
    let mut yesterday_done: Option<NaiveDate> = None;
    loop {
        let today = clock.today();
        let yesterday = today.pred_opt().unwrap_or(today);
        let mut days = vec![today];
        if yesterday_done != Some(yesterday) {
            days.insert(0, yesterday);
        }
        for day in days {
            match scanner.scan_day(day, today, clock.now()).await {
                Ok(summary) => {
                    if day == yesterday {
                        yesterday_done = Some(yesterday);
                    }
                    if summary.held > 0 || summary.new_incidents > 0 {
                        tracing::info!(
                            %day,
                            judged = summary.judged,
                            incidents = summary.incidents,
                            new_incidents = summary.new_incidents,
                            held = summary.held,
                            "ratings held for review"
                        );
                    }
                }
                Err(err) => tracing::warn!(%day, error = %err, "integrity scan failed; will retry"),
            }
        }
        runs.inc();
        tokio::time::sleep(interval).await;
    }
}
