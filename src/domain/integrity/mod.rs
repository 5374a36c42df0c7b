//! Scores that cannot be bought: the signals that notice a venue flooding
//! itself with 5★, a rival bombing it with 1★, or a bot, over the ratings
//! of a window (a day) against the venues' own recent history.
//!
//! Each signal asks how unlikely what it sees is under the venue's own past
//! (a Poisson tail for volume, a binomial tail for leaning to one side), so
//! a busy venue, a hotel whose guests share its Wi-Fi and a carrier's NAT
//! address shared by a whole town are measured against what is normal for
//! them; a signal fires only when the excess is both large and one-sided.
//! A rating a signal fires on is held (the caller stores it, counts it
//! nowhere and asks a person); the ratings one signal fires on together are
//! one [`Finding`], with its window and evidence.
//!
//! Pure code: the detectors see keyed hashes of devices and address
//! prefixes and a fingerprint of the comment, never the text or the address.

pub mod comments;
pub mod tails;

use std::collections::{BTreeMap, HashMap, HashSet};

pub use comments::CommentPrint;
use tails::{binomial_upper, poisson_upper};

/// Minutes in a day.
const DAY_MINUTES: i64 = 24 * 60;

/// One rating as the detectors see it.
#[derive(Debug, Clone)]
pub struct Observation {
    /// The rating's id.
    pub id: u64,
    /// The venue rated.
    pub venue: u64,
    /// The venue's rivals share it: one category in one region.
    pub peer_group: u64,
    /// Local time, in minutes since an epoch that starts at midnight.
    pub minute: i64,
    /// Stars, 1–5.
    pub overall: u8,
    /// Keyed hash of the device.
    pub device: u64,
    /// Keyed hash of the address prefix (an IPv4 /24, an IPv6 /48).
    pub network: u64,
    /// The comment's fingerprint, for comments long enough to compare.
    pub comment: Option<CommentPrint>,
}

impl Observation {
    /// The side of the scale it is on, if any (3★ is on neither).
    pub fn side(&self) -> Option<Side> {
        match self.overall {
            4..=5 => Some(Side::High),
            1..=2 => Some(Side::Low),
            _ => None,
        }
    }

    fn hour_of_day(&self) -> usize {
        (self.minute.rem_euclid(DAY_MINUTES) / 60) as usize
    }

    fn day(&self) -> i64 {
        self.minute.div_euclid(DAY_MINUTES)
    }
}

/// Which way a campaign pushes: stuffing (4–5★) or bombing (1–2★).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// 4★ and 5★.
    High,
    /// 1★ and 2★.
    Low,
}

/// The thresholds of the signals, with defaults that hold 95 % of the
/// campaigns of `integrity-eval` and at most 1 % of its honest ratings
/// (`data/integrity/thresholds.toml` writes each down with what it means).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Days of history a venue is measured against.
    pub baseline_days: u32,
    /// Spread allowed above a Poisson count (honest days vary more than
    /// Poisson: weekends, holidays, a tour group).
    pub overdispersion: f64,
    /// Ratings a window needs before it can be a burst.
    pub burst_min_ratings: u32,
    /// How unlikely a window's count must be under the venue's own rate.
    pub burst_tail: f64,
    /// How unlikely a window's, a network's or a device's lean to one side
    /// must be under the venue's own share of that side.
    pub lean_tail: f64,
    /// Ratings a day needs before its stars alone (at any volume) are judged.
    pub shift_min_ratings: u32,
    /// History a venue needs before its usual share of a side is trusted.
    pub shift_min_history: u32,
    /// How unlikely a day's lean to one side must be under the venue's own
    /// share, without a burst in volume.
    pub shift_tail: f64,
    /// Ratings from one network at one venue before its lean is judged.
    pub network_min_ratings: u32,
    /// Rivals (same category and region) one network must rate low.
    pub rival_min_venues: u32,
    /// Low ratings it must give them.
    pub rival_min_ratings: u32,
    /// Venues one device may rate in a day.
    pub device_max_venues: u32,
    /// Days one device may rate the same venue within the history.
    pub device_max_days: u32,
    /// Letters a comment needs to be compared.
    pub comment_min_chars: usize,
    /// Estimated Jaccard similarity of two near-duplicate comments.
    pub near_duplicate_similarity: f64,
    /// Near-duplicates (the comment included) within `near_duplicate_hours` that fire.
    pub near_duplicate_cluster: u32,
    /// The span near-duplicates must fall in.
    pub near_duplicate_hours: u32,
    /// History a venue needs before an hour without ratings counts as quiet.
    pub quiet_min_history: u32,
    /// Ratings on one side at quiet hours in a day that fire.
    pub quiet_min_ratings: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            baseline_days: 28,
            overdispersion: 1.5,
            burst_min_ratings: 8,
            burst_tail: 1e-6,
            lean_tail: 1e-4,
            shift_min_ratings: 12,
            shift_min_history: 60,
            shift_tail: 1e-7,
            network_min_ratings: 6,
            rival_min_venues: 3,
            rival_min_ratings: 6,
            device_max_venues: 6,
            device_max_days: 3,
            comment_min_chars: 10,
            near_duplicate_similarity: 0.4,
            near_duplicate_cluster: 5,
            near_duplicate_hours: 72,
            quiet_min_history: 100,
            quiet_min_ratings: 3,
        }
    }
}

impl Thresholds {
    /// Reads thresholds from TOML (a key left out keeps its default) and
    /// checks each is in its range.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let t: Self = toml::from_str(text).map_err(|e| e.to_string())?;
        t.validate()?;
        Ok(t)
    }

    /// Refuses thresholds out of range, naming the first.
    pub fn validate(&self) -> Result<(), String> {
        let probability = |v: f64| v > 0.0 && v < 1.0;
        let checks = [
            ("baseline_days", (7..=90).contains(&self.baseline_days)),
            (
                "overdispersion",
                self.overdispersion >= 1.0 && self.overdispersion <= 10.0,
            ),
            ("burst_min_ratings", self.burst_min_ratings >= 2),
            ("burst_tail", probability(self.burst_tail)),
            ("lean_tail", probability(self.lean_tail)),
            ("shift_min_ratings", self.shift_min_ratings >= 2),
            ("shift_min_history", self.shift_min_history >= 1),
            ("shift_tail", probability(self.shift_tail)),
            ("network_min_ratings", self.network_min_ratings >= 2),
            ("rival_min_venues", self.rival_min_venues >= 2),
            ("rival_min_ratings", self.rival_min_ratings >= 2),
            ("device_max_venues", self.device_max_venues >= 1),
            ("device_max_days", self.device_max_days >= 1),
            (
                "comment_min_chars",
                (2..=500).contains(&self.comment_min_chars),
            ),
            (
                "near_duplicate_similarity",
                self.near_duplicate_similarity > 0.0 && self.near_duplicate_similarity <= 1.0,
            ),
            ("near_duplicate_cluster", self.near_duplicate_cluster >= 2),
            (
                "near_duplicate_hours",
                (1..=24 * 90).contains(&self.near_duplicate_hours),
            ),
            ("quiet_min_history", self.quiet_min_history >= 1),
            ("quiet_min_ratings", self.quiet_min_ratings >= 1),
        ];
        match checks.iter().find(|(_, ok)| !ok) {
            Some((name, _)) => Err(format!("{name} is out of its range")),
            None => Ok(()),
        }
    }
}

/// What fired, with its numbers; as JSON, an object whose `signal` is
/// [`Signal::key`] beside the numbers.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "signal", rename_all = "snake_case")]
pub enum Signal {
    /// More ratings in `hours` than the venue's history makes likely,
    /// leaning to one side beyond its usual share.
    Burst {
        hours: u32,
        count: u32,
        expected: f64,
        side: Side,
        on_side: u32,
        usual_share: f64,
    },
    /// A day's `ratings`, `on_side` of them on one side, against the
    /// venue's usual share: its stars shifted, at any volume.
    Shift {
        ratings: u32,
        side: Side,
        on_side: u32,
        usual_share: f64,
    },
    /// A burst of `count` in `hours`, `fresh` of them from addresses seen
    /// for that one rating only, against the venue's usual share of such.
    FreshAddresses {
        hours: u32,
        count: u32,
        fresh: u32,
        usual_share: f64,
    },
    /// One address prefix rated the venue `ratings` times, `on_side` of them
    /// on one side, against the venue's usual share.
    Network {
        ratings: u32,
        side: Side,
        on_side: u32,
        usual_share: f64,
    },
    /// Address prefixes new in the last weeks, seen at this venue only,
    /// rated it `ratings` times together, `on_side` of them on one side.
    NewNetworks {
        ratings: u32,
        side: Side,
        on_side: u32,
        usual_share: f64,
    },
    /// One address prefix rated `venues` rivals of one category and region
    /// low, `low` times out of `ratings`.
    RivalBombing { venues: u32, low: u32, ratings: u32 },
    /// One device rated `venues` venues in a day.
    DeviceSpread { venues: u32 },
    /// One device rated the venue on `days` days, `on_side` of its ratings
    /// on one side, against the venue's usual share.
    DeviceRepeat {
        days: u32,
        side: Side,
        on_side: u32,
        usual_share: f64,
    },
    /// `cluster` near-duplicate comments within the span.
    NearDuplicates { cluster: u32 },
    /// `ratings` on one side at hours the venue had none for weeks.
    QuietHours { ratings: u32, side: Side },
}

impl Side {
    /// `high` or `low`, as stored.
    pub fn key(self) -> &'static str {
        match self {
            Side::High => "high",
            Side::Low => "low",
        }
    }
}

impl Signal {
    /// The side it fired on, if it has one.
    pub fn side(&self) -> Option<Side> {
        match self {
            Signal::Burst { side, .. }
            | Signal::Shift { side, .. }
            | Signal::Network { side, .. }
            | Signal::NewNetworks { side, .. }
            | Signal::DeviceRepeat { side, .. }
            | Signal::QuietHours { side, .. } => Some(*side),
            Signal::RivalBombing { .. } => Some(Side::Low),
            Signal::FreshAddresses { .. }
            | Signal::DeviceSpread { .. }
            | Signal::NearDuplicates { .. } => None,
        }
    }

    /// The signal's name, as configuration and pages call it.
    pub fn key(&self) -> &'static str {
        match self {
            Signal::Burst { .. } => "burst",
            Signal::Shift { .. } => "shift",
            Signal::FreshAddresses { .. } => "fresh_addresses",
            Signal::Network { .. } => "network",
            Signal::NewNetworks { .. } => "new_networks",
            Signal::RivalBombing { .. } => "rival_bombing",
            Signal::DeviceSpread { .. } => "device_spread",
            Signal::DeviceRepeat { .. } => "device_repeat",
            Signal::NearDuplicates { .. } => "near_duplicates",
            Signal::QuietHours { .. } => "quiet_hours",
        }
    }
}

/// Ratings one signal fired on together: an incident to review as one.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// What fired (its first instance, when it fired in several windows).
    pub signal: Signal,
    /// The venue, or for rival bombing the peer group.
    pub venue: u64,
    /// The ratings it holds, ascending.
    pub rating_ids: Vec<u64>,
    /// The first and last rating's minute.
    pub from_minute: i64,
    pub to_minute: i64,
}

/// A venue's history, summed.
#[derive(Debug, Default)]
struct VenueHistory {
    count: u32,
    high: u32,
    low: u32,
    /// Ratings from addresses seen once in the whole lookback and window.
    single: u32,
    by_hour: [u32; 24],
    first_minute: Option<i64>,
}

impl VenueHistory {
    fn add(&mut self, o: &Observation, single: bool) {
        self.count += 1;
        self.single += u32::from(single);
        match o.side() {
            Some(Side::High) => self.high += 1,
            Some(Side::Low) => self.low += 1,
            None => {}
        }
        self.by_hour[o.hour_of_day()] += 1;
        self.first_minute = Some(self.first_minute.map_or(o.minute, |m| m.min(o.minute)));
    }

    /// The share of a side, pulled towards `prior` (all venues' share) by
    /// ten ratings' weight, so a venue with little history is not judged
    /// on a handful.
    fn share(&self, side: Side, prior: f64) -> f64 {
        let on_side = match side {
            Side::High => self.high,
            Side::Low => self.low,
        };
        ((f64::from(on_side) + 10.0 * prior) / (f64::from(self.count) + 10.0)).clamp(0.01, 0.995)
    }

    /// Ratings expected in `hours` hours from `start_hour` of a day.
    fn expected(&self, start_hour: usize, hours: usize, window_start: i64, t: &Thresholds) -> f64 {
        let span_days = self
            .first_minute
            .map_or(1, |first| {
                ((window_start - first) as f64 / DAY_MINUTES as f64).ceil() as i64
            })
            .clamp(1, i64::from(t.baseline_days)) as f64;
        let per_day = f64::from(self.count) / span_days;
        let in_hours: u32 = (start_hour..start_hour + hours)
            .map(|h| self.by_hour[h % 24])
            .sum();
        // Smoothed towards a flat day by one day's worth of ratings.
        let share = (f64::from(in_hours) + hours as f64) / (f64::from(self.count) + 24.0);
        (per_day * share * t.overdispersion).max(0.2)
    }
}

/// Collects findings, one per signal kind, key and side: overlapping
/// windows of one burst become one incident.
#[derive(Default)]
struct Findings {
    by_key: BTreeMap<(&'static str, u64, Option<Side>), Finding>,
}

impl Findings {
    fn add(&mut self, signal: Signal, venue: u64, side: Option<Side>, rated: &[&Observation]) {
        if rated.is_empty() {
            return;
        }
        let from = rated.iter().map(|o| o.minute).min().unwrap_or_default();
        let to = rated.iter().map(|o| o.minute).max().unwrap_or_default();
        let ids = rated.iter().map(|o| o.id);
        let entry = self
            .by_key
            .entry((signal.key(), venue, side))
            .or_insert_with(|| Finding {
                signal: signal.clone(),
                venue,
                rating_ids: Vec::new(),
                from_minute: from,
                to_minute: to,
            });
        entry.rating_ids.extend(ids);
        entry.from_minute = entry.from_minute.min(from);
        entry.to_minute = entry.to_minute.max(to);
    }

    fn done(self) -> Vec<Finding> {
        self.by_key
            .into_values()
            .map(|mut f| {
                f.rating_ids.sort_unstable();
                f.rating_ids.dedup();
                f
            })
            .collect()
    }
}

/// The `baseline_days` before a window: the ratings that count, which the
/// venues' usual volume and shares are measured on, and those already
/// held, which still tell who has been at it (an address or a device that
/// is part of a campaign stays part of it).
#[derive(Debug, Clone, Copy)]
pub struct Lookback<'a> {
    /// Ratings not held.
    pub kept: &'a [&'a Observation],
    /// Ratings held.
    pub held: &'a [&'a Observation],
}

/// Runs every signal over `window` (one day's ratings, from minute
/// `window_start`) against the `lookback` before it. A finding may hold
/// ratings of the lookback too: a slow drip is seen whole once it is seen
/// at all.
pub fn detect(
    lookback: Lookback<'_>,
    window: &[&Observation],
    window_start: i64,
    t: &Thresholds,
) -> Vec<Finding> {
    let history = lookback.kept;
    let everything: Vec<&Observation> =
        lookback.kept.iter().chain(lookback.held).copied().collect();
    let sightings = Sightings::of(everything.iter().chain(window).copied());
    let mut venues: HashMap<u64, VenueHistory> = HashMap::new();
    let (mut high, mut low) = (0u32, 0u32);
    for o in history {
        venues
            .entry(o.venue)
            .or_default()
            .add(o, sightings.seen_once(o.network));
        match o.side() {
            Some(Side::High) => high += 1,
            Some(Side::Low) => low += 1,
            None => {}
        }
    }
    let total = history.len().max(1) as f64;
    let prior = |side: Side| match side {
        Side::High => (f64::from(high) / total).clamp(0.05, 0.95),
        Side::Low => (f64::from(low) / total).clamp(0.02, 0.95),
    };
    let empty = VenueHistory::default();
    let mut by_venue: BTreeMap<u64, Vec<&Observation>> = BTreeMap::new();
    for o in window {
        by_venue.entry(o.venue).or_default().push(o);
    }
    let mut findings = Findings::default();
    for (venue, rated) in &by_venue {
        let past = venues.get(venue).unwrap_or(&empty);
        bursts(
            &mut findings,
            (*venue, rated, past),
            (window_start, &sightings),
            (t, &prior),
        );
        quiet_hours(&mut findings, *venue, rated, past, t);
        shift(&mut findings, (*venue, rated, past), (t, &prior));
    }
    let mut history_at: HashMap<u64, Vec<&Observation>> = HashMap::new();
    for o in &everything {
        history_at.entry(o.venue).or_default().push(o);
    }
    let novel_since = window_start - i64::from(t.baseline_days.saturating_sub(7)) * DAY_MINUTES;
    for (venue, rated) in &by_venue {
        let past = history_at.get(venue).map(Vec::as_slice).unwrap_or_default();
        let summed = venues.get(venue).unwrap_or(&empty);
        networks(&mut findings, *venue, rated, past, summed, (t, &prior));
        new_networks(
            &mut findings,
            (*venue, rated, past),
            summed,
            (&sightings, novel_since),
            (t, &prior),
        );
        device_repeats(&mut findings, (*venue, rated, past), summed, (t, &prior));
        near_duplicates(&mut findings, *venue, rated, past, t);
    }
    device_spread(&mut findings, window, t);
    rival_bombing(
        &mut findings,
        (history, &everything),
        window,
        t,
        prior(Side::Low),
    );
    findings.done()
}

/// Where and since when each address prefix was seen.
struct Sightings {
    first_minute: HashMap<u64, i64>,
    venues: HashMap<u64, HashSet<u64>>,
    ratings: HashMap<u64, u32>,
}

impl Sightings {
    fn of<'a>(all: impl Iterator<Item = &'a Observation>) -> Self {
        let mut seen = Sightings {
            first_minute: HashMap::new(),
            venues: HashMap::new(),
            ratings: HashMap::new(),
        };
        for o in all {
            *seen.ratings.entry(o.network).or_default() += 1;
            let first = seen.first_minute.entry(o.network).or_insert(o.minute);
            *first = (*first).min(o.minute);
            seen.venues.entry(o.network).or_default().insert(o.venue);
        }
        seen
    }

    /// Seen for one rating only.
    fn seen_once(&self, network: u64) -> bool {
        self.ratings.get(&network).is_some_and(|n| *n == 1)
    }

    /// Seen first after `since`, and only at `venue`.
    fn new_and_only_at(&self, network: u64, venue: u64, since: i64) -> bool {
        self.first_minute.get(&network).is_some_and(|m| *m >= since)
            && self
                .venues
                .get(&network)
                .is_some_and(|v| v.len() == 1 && v.contains(&venue))
    }
}

/// Address prefixes new in the last weeks that rate this venue and no
/// other, taken together: a farm that spreads a slow drip over a few
/// addresses leans to one side as a whole; visitors from far away, each
/// on an address of their own, rate as the venue's other visitors do.
fn new_networks(
    findings: &mut Findings,
    (venue, rated, past): (u64, &[&Observation], &[&Observation]),
    summed: &VenueHistory,
    (sightings, since): (&Sightings, i64),
    (t, prior): Prior<'_>,
) {
    if !rated
        .iter()
        .any(|o| sightings.new_and_only_at(o.network, venue, since))
    {
        return;
    }
    let pooled: Vec<&Observation> = past
        .iter()
        .chain(rated)
        .copied()
        .filter(|o| sightings.new_and_only_at(o.network, venue, since))
        .collect();
    let ratings = pooled.len() as u32;
    if ratings < t.network_min_ratings {
        return;
    }
    let usual = |side: Side| summed.share(side, prior(side));
    lean(
        findings,
        venue,
        &pooled,
        (t.lean_tail, &usual),
        |side, on_side, usual_share| Signal::NewNetworks {
            ratings,
            side,
            on_side,
            usual_share,
        },
    );
}

type Prior<'a> = (&'a Thresholds, &'a dyn Fn(Side) -> f64);

/// The ratings of `pooled` on a side it leans to beyond `usual_share` of
/// that side, less likely than `tail`: a finding of `signal` (given the
/// side, the ratings on it and the usual share) for each side that leans.
fn lean(
    findings: &mut Findings,
    venue: u64,
    pooled: &[&Observation],
    (tail, usual_share): (f64, &dyn Fn(Side) -> f64),
    signal: impl Fn(Side, u32, f64) -> Signal,
) {
    for side in [Side::High, Side::Low] {
        let on: Vec<&Observation> = pooled
            .iter()
            .copied()
            .filter(|o| o.side() == Some(side))
            .collect();
        let share = usual_share(side);
        if binomial_upper(on.len() as u64, pooled.len() as u64, share) < tail {
            findings.add(signal(side, on.len() as u32, share), venue, Some(side), &on);
        }
    }
}

/// Windows of 1, 3 and 24 hours with far more ratings than usual, leaning
/// to one side, or coming from addresses seen nowhere else far more often
/// than the venue's visitors do: those ratings in them.
fn bursts(
    findings: &mut Findings,
    (venue, rated, past): (u64, &[&Observation], &VenueHistory),
    (window_start, sightings): (i64, &Sightings),
    (t, prior): Prior<'_>,
) {
    for hours in [1usize, 3, 24] {
        let starts: HashSet<usize> = rated
            .iter()
            .map(|o| if hours == 24 { 0 } else { o.hour_of_day() })
            .collect();
        for start in starts {
            let inside: Vec<&Observation> = rated
                .iter()
                .copied()
                .filter(|o| {
                    let h = o.hour_of_day();
                    h >= start && h < start + hours
                })
                .collect();
            let count = inside.len() as u32;
            if count < t.burst_min_ratings {
                continue;
            }
            let expected = past.expected(start, hours, window_start, t);
            if poisson_upper(u64::from(count), expected) >= t.burst_tail {
                continue;
            }
            let usual = |side: Side| past.share(side, prior(side));
            lean(
                findings,
                venue,
                &inside,
                (t.lean_tail, &usual),
                |side, on_side, usual_share| Signal::Burst {
                    hours: hours as u32,
                    count,
                    expected,
                    side,
                    on_side,
                    usual_share,
                },
            );
            // Dozens of addresses, each used once: a farm spreading one push
            // over many, which a venue whose visitors already rate it highly
            // would not show in its stars.
            let fresh: Vec<&Observation> = inside
                .iter()
                .copied()
                .filter(|o| sightings.seen_once(o.network))
                .collect();
            let usual_share =
                ((f64::from(past.single) + 0.5) / (f64::from(past.count) + 10.0)).clamp(0.02, 0.95);
            if binomial_upper(fresh.len() as u64, u64::from(count), usual_share) < t.lean_tail {
                let signal = Signal::FreshAddresses {
                    hours: hours as u32,
                    count,
                    fresh: fresh.len() as u32,
                    usual_share,
                };
                findings.add(signal, venue, None, &fresh);
            }
        }
    }
}

/// An address prefix that rates the venue again and again, always on one
/// side: every one of its ratings there on that side, past ones included.
fn networks(
    findings: &mut Findings,
    venue: u64,
    rated: &[&Observation],
    past: &[&Observation],
    summed: &VenueHistory,
    (t, prior): Prior<'_>,
) {
    let seen: HashSet<u64> = rated.iter().map(|o| o.network).collect();
    let mut from: HashMap<u64, Vec<&Observation>> = HashMap::new();
    for o in past.iter().chain(rated).copied() {
        if seen.contains(&o.network) {
            from.entry(o.network).or_default().push(o);
        }
    }
    let usual = |side: Side| summed.share(side, prior(side));
    for all in from.values() {
        let ratings = all.len() as u32;
        if ratings < t.network_min_ratings {
            continue;
        }
        lean(
            findings,
            venue,
            all,
            (t.lean_tail, &usual),
            |side, on_side, usual_share| Signal::Network {
                ratings,
                side,
                on_side,
                usual_share,
            },
        );
    }
}

/// A device back at the venue on more days than `device_max_days`,
/// leaning to one side beyond the venue's share: a regular who likes the
/// place as others do is left alone.
fn device_repeats(
    findings: &mut Findings,
    (venue, rated, past): (u64, &[&Observation], &[&Observation]),
    summed: &VenueHistory,
    (t, prior): Prior<'_>,
) {
    let seen: HashSet<u64> = rated.iter().map(|o| o.device).collect();
    let mut from: HashMap<u64, Vec<&Observation>> = HashMap::new();
    for o in past.iter().chain(rated).copied() {
        if seen.contains(&o.device) {
            from.entry(o.device).or_default().push(o);
        }
    }
    let usual = |side: Side| summed.share(side, prior(side));
    for all in from.values() {
        let days = all.iter().map(|o| o.day()).collect::<HashSet<i64>>().len() as u32;
        if days > t.device_max_days {
            lean(
                findings,
                venue,
                all,
                (t.lean_tail, &usual),
                |side, on_side, usual_share| Signal::DeviceRepeat {
                    days,
                    side,
                    on_side,
                    usual_share,
                },
            );
        }
    }
}

/// Comments that are near-duplicates of several others at the venue within
/// a few days: the cluster.
fn near_duplicates(
    findings: &mut Findings,
    venue: u64,
    rated: &[&Observation],
    past: &[&Observation],
    t: &Thresholds,
) {
    let span = i64::from(t.near_duplicate_hours) * 60;
    let printed: Vec<&Observation> = past
        .iter()
        .chain(rated)
        .copied()
        .filter(|o| o.comment.is_some())
        .collect();
    for o in rated {
        let Some(print) = &o.comment else { continue };
        let cluster: Vec<&Observation> = printed
            .iter()
            .copied()
            .filter(|other| (other.minute - o.minute).abs() <= span)
            .filter(|other| {
                other.comment.as_ref().is_some_and(|p| {
                    other.id == o.id || p.similarity(print) >= t.near_duplicate_similarity
                })
            })
            .collect();
        if cluster.len() as u32 >= t.near_duplicate_cluster {
            let signal = Signal::NearDuplicates {
                cluster: cluster.len() as u32,
            };
            findings.add(signal, venue, None, &cluster);
        }
    }
}

/// A day whose stars lean to one side far beyond the venue's own share,
/// whatever its volume (a campaign paced like the venue's own visitors):
/// the day's ratings on that side. Judged only with enough history for the
/// share to be the venue's, and with a stricter tail than a burst's lean,
/// as nothing else about the day is unusual.
fn shift(
    findings: &mut Findings,
    (venue, rated, past): (u64, &[&Observation], &VenueHistory),
    (t, prior): Prior<'_>,
) {
    if (rated.len() as u32) < t.shift_min_ratings || past.count < t.shift_min_history {
        return;
    }
    let usual = |side: Side| past.share(side, prior(side));
    let ratings = rated.len() as u32;
    lean(
        findings,
        venue,
        rated,
        (t.shift_tail, &usual),
        |side, on_side, usual_share| Signal::Shift {
            ratings,
            side,
            on_side,
            usual_share,
        },
    );
}

/// Ratings on one side at hours of the day the venue had none in its
/// history, several in a day.
fn quiet_hours(
    findings: &mut Findings,
    venue: u64,
    rated: &[&Observation],
    past: &VenueHistory,
    t: &Thresholds,
) {
    if past.count < t.quiet_min_history {
        return;
    }
    for side in [Side::High, Side::Low] {
        let quiet: Vec<&Observation> = rated
            .iter()
            .copied()
            .filter(|o| o.side() == Some(side) && past.by_hour[o.hour_of_day()] == 0)
            .collect();
        if quiet.len() as u32 >= t.quiet_min_ratings {
            let signal = Signal::QuietHours {
                ratings: quiet.len() as u32,
                side,
            };
            findings.add(signal, venue, Some(side), &quiet);
        }
    }
}

/// A device that rated more venues in the day than anyone visits.
fn device_spread(findings: &mut Findings, window: &[&Observation], t: &Thresholds) {
    let mut by_device: HashMap<u64, Vec<&Observation>> = HashMap::new();
    for o in window {
        by_device.entry(o.device).or_default().push(o);
    }
    for rated in by_device.values() {
        let venues: HashSet<u64> = rated.iter().map(|o| o.venue).collect();
        if venues.len() as u32 > t.device_max_venues {
            let signal = Signal::DeviceSpread {
                venues: venues.len() as u32,
            };
            let first = rated.iter().map(|o| o.venue).min().unwrap_or_default();
            findings.add(signal, first, None, rated);
        }
    }
}

/// An address prefix that rates several rivals of one category and region
/// low, far more often low than everyone rates those rivals.
fn rival_bombing(
    findings: &mut Findings,
    (kept, history): (&[&Observation], &[&Observation]),
    window: &[&Observation],
    t: &Thresholds,
    low_share: f64,
) {
    // Each group's own share of low ratings, pulled towards everyone's.
    let mut groups: HashMap<u64, (u32, u32)> = HashMap::new();
    for o in kept {
        let (all, low) = groups.entry(o.peer_group).or_default();
        *all += 1;
        *low += u32::from(o.side() == Some(Side::Low));
    }
    let group_share = |group: u64| {
        let (all, low) = groups.get(&group).copied().unwrap_or_default();
        ((f64::from(low) + 10.0 * low_share) / (f64::from(all) + 10.0)).clamp(0.02, 0.95)
    };
    let bombers: HashSet<(u64, u64)> = window
        .iter()
        .filter(|o| o.side() == Some(Side::Low))
        .map(|o| (o.network, o.peer_group))
        .collect();
    let mut from: HashMap<(u64, u64), Vec<&Observation>> = HashMap::new();
    for o in history.iter().chain(window).copied() {
        let key = (o.network, o.peer_group);
        if bombers.contains(&key) {
            from.entry(key).or_default().push(o);
        }
    }
    for ((_, group), all) in from {
        let low: Vec<&Observation> = all
            .iter()
            .copied()
            .filter(|o| o.side() == Some(Side::Low))
            .collect();
        let venues: HashSet<u64> = low.iter().map(|o| o.venue).collect();
        if (venues.len() as u32) < t.rival_min_venues || (low.len() as u32) < t.rival_min_ratings {
            continue;
        }
        if binomial_upper(low.len() as u64, all.len() as u64, group_share(group)) < t.lean_tail {
            let signal = Signal::RivalBombing {
                venues: venues.len() as u32,
                low: low.len() as u32,
                ratings: all.len() as u32,
            };
            findings.add(signal, group, Some(Side::Low), &low);
        }
    }
}

#[cfg(test)]
mod tests;
