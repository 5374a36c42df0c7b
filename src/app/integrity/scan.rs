//! Running the detectors of [`crate::domain::integrity`] over stored
//! ratings, as the background job and `qrfeedback integrity-scan` do: a
//! day's ratings against the weeks before it, one province at a time (a
//! province's venues and their rivals are judged together, and memory
//! stays bounded by the largest province), holding what they find.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::PgPool;

use crate::app::moderation::{CounterPlace, follow_in_live_counters};
use crate::domain::alerts::AlertKind;
use crate::domain::day::{china_offset, day_start};
use crate::domain::integrity::{CommentPrint, Finding, Lookback, Observation, Thresholds, detect};
use crate::live::Live;
use crate::store::StoreError;
use crate::store::alerts;
use crate::store::integrity::{self, NewIncident, StoredObservation};
use crate::store::reference::ReferenceData;

/// What one scan of a day did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanSummary {
    /// Ratings of the day judged.
    pub judged: usize,
    /// Incidents found (new or grown).
    pub incidents: usize,
    /// Of them, new.
    pub new_incidents: usize,
    /// Ratings newly held.
    pub held: usize,
}

/// Runs the detectors and holds what they find.
#[derive(Clone)]
pub struct Scanner {
    pool: PgPool,
    live: Live,
    reference: std::sync::Arc<ReferenceData>,
    thresholds: Thresholds,
    /// Whether the alerts it raises go to a webhook too.
    webhook: bool,
}

impl Scanner {
    /// A scanner over `pool` with these thresholds.
    pub fn new(
        pool: PgPool,
        live: Live,
        reference: std::sync::Arc<ReferenceData>,
        thresholds: Thresholds,
    ) -> Self {
        Self {
            pool,
            live,
            reference,
            thresholds,
            webhook: false,
        }
    }

    /// Its campaign alerts are delivered to the webhook too.
    pub fn with_webhook(self, webhook: bool) -> Self {
        Self { webhook, ..self }
    }

    /// Judges `day`'s ratings (as far as they have come) against the
    /// `baseline_days` before it, province by province.
    pub async fn scan_day(
        &self,
        day: NaiveDate,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<ScanSummary, StoreError> {
        let regions = self.reference.regions().await?;
        let provinces: BTreeSet<String> = regions
            .provinces()
            .iter()
            .map(|code| code.chars().take(2).collect())
            .collect();
        let from = day - Duration::days(i64::from(self.thresholds.baseline_days));
        let mut summary = ScanSummary::default();
        for province in provinces {
            let stored = integrity::observations(&self.pool, &province, from, day).await?;
            let judged = self.judge(&stored, day);
            summary.judged += judged.judged;
            for incident in judged.incidents {
                // Held from before the commit until the counters follow it.
                let _counting = self.live.counting().await;
                let outcome = integrity::hold(&self.pool, &incident, now).await?;
                summary.incidents += 1;
                summary.new_incidents += usize::from(outcome.created);
                summary.held += outcome.held.len();
                if outcome.created && !outcome.held.is_empty() {
                    let details = serde_json::json!({
                        "incident_id": outcome.incident_id,
                        "signal": incident.signal,
                        "side": incident.side,
                        "held": outcome.held.len(),
                        "evidence": incident.evidence,
                    });
                    let mut conn = self.pool.acquire().await?;
                    let key = format!("incident:{}", outcome.incident_id);
                    let at = (now, self.webhook);
                    let kind = AlertKind::CampaignDetected;
                    alerts::raise(&mut conn, incident.venue_id, kind, &key, &details, at).await?;
                }
                let held_today = outcome.held.iter().filter(|day| **day == today).count();
                if held_today > 0 {
                    let place = judged.places.get(&incident.venue_id);
                    if let Some((region_code, category)) = place {
                        let at = CounterPlace {
                            venue_id: incident.venue_id.into(),
                            region_code,
                            category,
                        };
                        follow_in_live_counters(
                            &self.live,
                            &self.reference,
                            at,
                            today,
                            -(held_today as i64),
                        )
                        .await;
                    }
                }
            }
        }
        Ok(summary)
    }

    /// The incidents the detectors find in one province's ratings.
    fn judge(&self, stored: &[StoredObservation], day: NaiveDate) -> Judged {
        let t = &self.thresholds;
        let observations: Vec<Observation> = stored.iter().map(|s| observe(s, t)).collect();
        let window_start = local_minute(day_start(day));
        let mut kept = Vec::new();
        let mut held = Vec::new();
        let mut window = Vec::new();
        for (o, s) in observations.iter().zip(stored) {
            if o.minute >= window_start {
                window.push(o);
            } else if s.quarantined {
                held.push(o);
            } else {
                kept.push(o);
            }
        }
        let mut places = BTreeMap::new();
        for s in stored {
            places
                .entry(s.venue_id)
                .or_insert_with(|| (s.region_code.clone(), s.category.clone()));
        }
        if window.is_empty() {
            return Judged {
                judged: 0,
                incidents: Vec::new(),
                places,
            };
        }
        let lookback = Lookback {
            kept: &kept,
            held: &held,
        };
        let findings = detect(lookback, &window, window_start, t);
        let by_id: BTreeMap<i64, &StoredObservation> = stored.iter().map(|s| (s.id, s)).collect();
        Judged {
            judged: window.len(),
            incidents: incidents_of(&findings, &by_id, day),
            places,
        }
    }
}

/// One province's judgement.
struct Judged {
    judged: usize,
    incidents: Vec<NewIncident>,
    /// Each venue's region and category.
    places: BTreeMap<i64, (String, String)>,
}

/// Splits findings by venue (a rival bombing holds ratings of several) and
/// gives each rating every signal that fired on it.
fn incidents_of(
    findings: &[Finding],
    by_id: &BTreeMap<i64, &StoredObservation>,
    day: NaiveDate,
) -> Vec<NewIncident> {
    let mut signals: BTreeMap<i64, BTreeSet<&'static str>> = BTreeMap::new();
    for f in findings {
        for id in &f.rating_ids {
            signals
                .entry(*id as i64)
                .or_default()
                .insert(f.signal.key());
        }
    }
    let mut incidents = Vec::new();
    for f in findings {
        let mut per_venue: BTreeMap<i64, Vec<&StoredObservation>> = BTreeMap::new();
        for id in &f.rating_ids {
            if let Some(s) = by_id.get(&(*id as i64)) {
                per_venue.entry(s.venue_id).or_default().push(s);
            }
        }
        for (venue_id, rated) in per_venue {
            let (Some(first), Some(last)) = (
                rated.iter().map(|s| s.created_at).min(),
                rated.iter().map(|s| s.created_at).max(),
            ) else {
                continue;
            };
            incidents.push(NewIncident {
                venue_id,
                detected_on: day,
                signal: f.signal.key(),
                side: f.signal.side().map_or("", |side| side.key()),
                window_from: first,
                window_to: last,
                evidence: serde_json::to_value(&f.signal).unwrap_or_default(),
                ratings: rated
                    .iter()
                    .map(|s| {
                        let fired = signals.get(&s.id).into_iter().flatten();
                        (s.id, fired.map(|k| (*k).to_owned()).collect())
                    })
                    .collect(),
            });
        }
    }
    incidents
}

/// Minutes since the local epoch.
fn local_minute(at: DateTime<Utc>) -> i64 {
    (at.timestamp() + i64::from(china_offset().local_minus_utc())).div_euclid(60)
}

/// The first eight bytes of a keyed hash, as a number.
fn hash_u64(bytes: &[u8]) -> Option<u64> {
    bytes
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_be_bytes)
}

/// A stored rating as the detectors see it. A rating stored before address
/// prefixes were kept is its own network (seen once).
fn observe(s: &StoredObservation, t: &Thresholds) -> Observation {
    let mut peer = DefaultHasher::new();
    (&s.region_code, &s.category).hash(&mut peer);
    Observation {
        id: s.id as u64,
        venue: s.venue_id as u64,
        peer_group: peer.finish(),
        minute: local_minute(s.created_at),
        overall: s.overall.clamp(1, 5) as u8,
        device: hash_u64(&s.device_hash).unwrap_or(s.id as u64),
        network: s
            .network_hash
            .as_deref()
            .and_then(hash_u64)
            .unwrap_or(!(s.id as u64)),
        comment: s
            .comment
            .as_deref()
            .and_then(|c| CommentPrint::of(c, t.comment_min_chars)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(id: i64, venue_id: i64, at: DateTime<Utc>) -> StoredObservation {
        StoredObservation {
            venue_id,
            id,
            created_at: at,
            overall: 5,
            device_hash: vec![id as u8; 16],
            network_hash: Some(vec![7; 8]),
            comment: None,
            quarantined: false,
            region_code: "652801".into(),
            category: "hotel".into(),
        }
    }

    #[test]
    fn local_minutes_start_the_local_day_at_its_midnight() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let start = local_minute(day_start(day));
        assert_eq!(start.rem_euclid(24 * 60), 0);
        assert_eq!(
            local_minute(day_start(day) - Duration::minutes(1)),
            start - 1
        );
    }

    #[test]
    fn a_rival_finding_becomes_one_incident_per_venue_and_ratings_keep_every_signal() {
        let at = day_start(NaiveDate::from_ymd_opt(2026, 12, 6).unwrap());
        let rows = [stored(1, 10, at), stored(2, 11, at + Duration::hours(2))];
        let by_id: BTreeMap<i64, &StoredObservation> = rows.iter().map(|s| (s.id, s)).collect();
        let findings = [
            Finding {
                signal: crate::domain::integrity::Signal::RivalBombing {
                    venues: 2,
                    low: 2,
                    ratings: 2,
                },
                venue: 99,
                rating_ids: vec![1, 2],
                from_minute: 0,
                to_minute: 120,
            },
            Finding {
                signal: crate::domain::integrity::Signal::DeviceSpread { venues: 7 },
                venue: 10,
                rating_ids: vec![1],
                from_minute: 0,
                to_minute: 0,
            },
        ];
        let incidents = incidents_of(&findings, &by_id, at.date_naive());
        assert_eq!(incidents.len(), 3);
        let rival: Vec<_> = incidents
            .iter()
            .filter(|i| i.signal == "rival_bombing")
            .collect();
        assert_eq!(rival.len(), 2);
        assert_eq!(rival[0].side, "low");
        assert_eq!(rival[0].evidence["signal"], "rival_bombing");
        assert_eq!(rival[0].evidence["venues"], 2);
        let first = rival.iter().find(|i| i.venue_id == 10).unwrap();
        assert_eq!(
            first.ratings,
            vec![(
                1,
                vec!["device_spread".to_owned(), "rival_bombing".to_owned()]
            )]
        );
        let spread = incidents
            .iter()
            .find(|i| i.signal == "device_spread")
            .unwrap();
        assert_eq!(spread.side, "");
        assert_eq!(spread.window_from, at);
    }
}
