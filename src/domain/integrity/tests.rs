use super::*;

const DAY: i64 = DAY_MINUTES;

/// A rating of `venue` on `day` at `hour`:`minute`.
fn rating(id: u64, venue: u64, day: i64, hour: i64, stars: u8) -> Observation {
    Observation {
        id,
        venue,
        peer_group: 1,
        minute: day * DAY + hour * 60 + (id as i64 % 60),
        overall: stars,
        device: comments::mix64(id),
        network: comments::mix64(id ^ 0xABCD),
        comment: None,
    }
}

/// Four weeks of an honest venue: `per_day` ratings a day between 9 and 20
/// o'clock, a 5★ in every `five_every`, else 3★ or 4★.
fn honest(venue: u64, per_day: u64, five_every: u64, next_id: &mut u64) -> Vec<Observation> {
    let mut out = Vec::new();
    for day in 0..28 {
        for i in 0..per_day {
            *next_id += 1;
            let stars = if i % five_every == 0 {
                5
            } else {
                3 + (i % 2) as u8
            };
            out.push(rating(*next_id, venue, day, 9 + (i % 12) as i64, stars));
        }
    }
    out
}

fn refs(list: &[Observation]) -> Vec<&Observation> {
    list.iter().collect()
}

fn kept<'a>(list: &'a [&'a Observation]) -> Lookback<'a> {
    Lookback {
        kept: list,
        held: &[],
    }
}

fn held(findings: &[Finding]) -> HashSet<u64> {
    findings
        .iter()
        .flat_map(|f| f.rating_ids.iter().copied())
        .collect()
}

#[test]
fn an_honest_day_holds_nothing() {
    let mut id = 0;
    let history = honest(7, 20, 3, &mut id);
    let today: Vec<Observation> = honest(7, 20, 3, &mut id)
        .into_iter()
        .filter(|o| o.day() == 0)
        .map(|mut o| {
            o.minute += 28 * DAY;
            o
        })
        .collect();
    let findings = detect(
        kept(&refs(&history)),
        &refs(&today),
        28 * DAY,
        &Thresholds::default(),
    );
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn a_burst_of_5_stars_is_held_and_a_tour_group_of_mixed_stars_is_not() {
    let mut id = 0;
    let history = honest(7, 10, 3, &mut id);
    let t = Thresholds::default();
    // Forty 5★ in an hour: held, every one, as one burst.
    let mut stuffed = Vec::new();
    for _ in 0..40 {
        id += 1;
        stuffed.push(rating(id, 7, 28, 14, 5));
    }
    let findings = detect(kept(&refs(&history)), &refs(&stuffed), 28 * DAY, &t);
    assert_eq!(held(&findings).len(), 40);
    assert!(findings.iter().any(|f| matches!(
        f.signal,
        Signal::Burst {
            side: Side::High,
            ..
        }
    )));
    // Forty in an hour as the venue's own visitors rate it: a tour group.
    let mut group = Vec::new();
    for i in 0..40 {
        id += 1;
        let stars = if i % 3 == 0 { 5 } else { 3 + (i % 2) as u8 };
        group.push(rating(id, 7, 28, 14, stars));
    }
    let findings = detect(kept(&refs(&history)), &refs(&group), 28 * DAY, &t);
    assert!(held(&findings).is_empty(), "{findings:?}");
}

#[test]
fn a_slow_drip_from_one_prefix_is_held_whole_and_a_hotels_wifi_is_not() {
    let mut id = 0;
    let mut history = honest(7, 10, 3, &mut id);
    // Three 5★ a day for ten days from one prefix, in among the guests.
    let farm = 0xFA27;
    let mut drip = Vec::new();
    for day in 18..28 {
        for hour in [10, 13, 16] {
            id += 1;
            let mut o = rating(id, 7, day, hour, 5);
            o.network = farm;
            drip.push(o);
        }
    }
    history.extend(drip.iter().cloned());
    let mut today = Vec::new();
    id += 1;
    let mut o = rating(id, 7, 28, 11, 5);
    o.network = farm;
    today.push(o);
    // The hotel's Wi-Fi: half its guests, rating as the rest do.
    let wifi = 0x717F1;
    for o in history
        .iter_mut()
        .filter(|o| comments::mix64(o.id).is_multiple_of(2) && o.network != farm)
    {
        o.network = wifi;
    }
    id += 1;
    let mut guest = rating(id, 7, 28, 12, 4);
    guest.network = wifi;
    today.push(guest);
    let findings = detect(
        kept(&refs(&history)),
        &refs(&today),
        28 * DAY,
        &Thresholds::default(),
    );
    let held = held(&findings);
    assert_eq!(held.len(), 31, "{findings:?}");
    assert!(drip.iter().all(|o| held.contains(&o.id)));
    assert!(!held.contains(&id));
}

#[test]
fn one_prefix_bombing_rivals_is_held_and_a_shared_carrier_address_is_not() {
    let mut id = 0;
    let mut history = Vec::new();
    for venue in 1..=5 {
        history.extend(honest(venue, 8, 3, &mut id));
    }
    // A carrier's NAT: a tenth of everyone's ratings, at every venue.
    let carrier = 0xCA221E2;
    for o in history.iter_mut().filter(|o| o.id % 10 == 0) {
        o.network = carrier;
    }
    let bomber = 0xB0B;
    let mut today = Vec::new();
    for venue in 2..=5 {
        for _ in 0..3 {
            id += 1;
            let mut o = rating(id, venue, 28, 20, 1);
            o.network = bomber;
            today.push(o);
        }
    }
    id += 1;
    let mut local = rating(id, 3, 28, 11, 1);
    local.network = carrier;
    today.push(local);
    let findings = detect(
        kept(&refs(&history)),
        &refs(&today),
        28 * DAY,
        &Thresholds::default(),
    );
    let held = held(&findings);
    assert_eq!(held.len(), 12, "{findings:?}");
    assert!(!held.contains(&id));
    assert!(findings.iter().any(|f| matches!(
        f.signal,
        Signal::RivalBombing {
            venues: 4,
            low: 12,
            ..
        }
    )));
}

#[test]
fn near_duplicate_comments_and_a_device_across_many_venues_are_held() {
    let mut id = 0;
    let history = honest(7, 10, 3, &mut id);
    let t = Thresholds::default();
    let templates = [
        "这家酒店服务非常周到，房间干净整洁，下次还来！",
        "这家酒店服务特别周到，房间干净整洁，下次还会来",
        "这家酒店服务十分周到，房间非常整洁，下次还来",
        "这个酒店服务非常周到，房间干净整洁，推荐大家来",
        "这家酒店服务非常贴心，房间干净整洁，下次还来！",
    ];
    let mut today = Vec::new();
    for (i, text) in templates.iter().enumerate() {
        id += 1;
        let mut o = rating(id, 7, 28, 9 + 3 * i as i64, 5);
        o.comment = CommentPrint::of(text, t.comment_min_chars);
        today.push(o);
    }
    let findings = detect(kept(&refs(&history)), &refs(&today), 28 * DAY, &t);
    assert_eq!(held(&findings).len(), 5, "{findings:?}");
    // One phone, eight venues in a day.
    let mut spread = Vec::new();
    for venue in 10..18 {
        id += 1;
        let mut o = rating(id, venue, 28, 15, 5);
        o.device = 0xD0;
        spread.push(o);
    }
    let findings = detect(kept(&refs(&history)), &refs(&spread), 28 * DAY, &t);
    assert_eq!(held(&findings).len(), 8, "{findings:?}");
    assert!(matches!(
        findings[0].signal,
        Signal::DeviceSpread { venues: 8 }
    ));
}

#[test]
fn ratings_at_hours_long_quiet_are_held_in_number_only() {
    let mut id = 0;
    let history = honest(7, 10, 3, &mut id);
    let t = Thresholds::default();
    let night = |id| rating(id, 7, 28, 3, 5);
    let one = [night(id + 1)];
    assert!(detect(kept(&refs(&history)), &refs(&one), 28 * DAY, &t).is_empty());
    let three = [night(id + 1), night(id + 2), night(id + 3)];
    let findings = detect(kept(&refs(&history)), &refs(&three), 28 * DAY, &t);
    assert_eq!(held(&findings).len(), 3, "{findings:?}");
}

#[test]
fn the_documented_thresholds_are_the_defaults_and_bad_ones_are_refused() {
    let documented = include_str!("../../../data/integrity/thresholds.toml");
    assert_eq!(Thresholds::from_toml(documented), Ok(Thresholds::default()));
    let changed = Thresholds::from_toml("burst_min_ratings = 12").unwrap();
    assert_eq!(changed.burst_min_ratings, 12);
    assert_eq!(changed.lean_tail, Thresholds::default().lean_tail);
    assert_eq!(
        Thresholds::from_toml("lean_tail = 2.0"),
        Err("lean_tail is out of its range".to_owned())
    );
    assert!(Thresholds::from_toml("burst_tails = 1e-6").is_err());
}

#[test]
fn a_device_back_every_day_with_1_star_is_held_and_a_regular_is_not() {
    let mut id = 0;
    let mut history = honest(7, 10, 3, &mut id);
    let t = Thresholds::default();
    // A phone that gives 1★ on eleven days running.
    for day in 17..28 {
        id += 1;
        let mut o = rating(id, 7, day, 12, 1);
        o.device = 0xB07;
        history.push(o);
    }
    // A regular, weekly, rating as everyone does.
    for (week, stars) in [(0, 4), (1, 3), (2, 5), (3, 4)] {
        id += 1;
        let mut o = rating(id, 7, 6 + 7 * week, 18, stars);
        o.device = 0x2E6;
        history.push(o);
    }
    let mut bot = rating(id + 1, 7, 28, 12, 1);
    bot.device = 0xB07;
    let mut regular = rating(id + 2, 7, 28, 18, 5);
    regular.device = 0x2E6;
    let findings = detect(kept(&refs(&history)), &[&bot, &regular], 28 * DAY, &t);
    let held = held(&findings);
    assert_eq!(held.len(), 12, "{findings:?}");
    assert!(held.contains(&bot.id) && !held.contains(&regular.id));
}

#[test]
fn a_burst_from_addresses_used_once_is_held_even_when_its_stars_look_usual() {
    let mut id = 0;
    // The venue's visitors come through a town's few carrier addresses.
    let history: Vec<Observation> = honest(7, 10, 3, &mut id)
        .into_iter()
        .map(|mut o| {
            o.network = o.id % 25;
            o
        })
        .collect();
    // Forty in two hours, starred as the venue's visitors star it, each
    // from an address seen nowhere else.
    let mut farm = Vec::new();
    for i in 0..40u64 {
        id += 1;
        let stars = if i % 3 == 0 { 5 } else { 3 + (i % 2) as u8 };
        let mut o = rating(id, 7, 28, 14 + (i % 2) as i64, stars);
        o.network = comments::mix64(0xF2E5 + i);
        farm.push(o);
    }
    let findings = detect(
        kept(&refs(&history)),
        &refs(&farm),
        28 * DAY,
        &Thresholds::default(),
    );
    assert_eq!(held(&findings).len(), 40, "{findings:?}");
    assert!(
        findings
            .iter()
            .any(|f| matches!(f.signal, Signal::FreshAddresses { .. }))
    );
}

#[test]
fn a_day_of_only_5_stars_at_the_usual_pace_is_a_shift_and_a_good_day_is_not() {
    let mut id = 0;
    // Twenty a day, two in five of them 4★ or 5★: a usual high share of 0.4.
    let mut history = Vec::new();
    for day in 0..28 {
        for i in 0..20 {
            id += 1;
            let stars = match i % 5 {
                0 => 5,
                1 => 4,
                _ => 3,
            };
            history.push(rating(id, 7, day, 9 + (i % 12), stars));
        }
    }
    let t = Thresholds::default();
    // Twenty ratings at the usual hours, every one 5★ from its own address
    // and device: no burst, no network, only the stars.
    let mut paced = Vec::new();
    for i in 0..20 {
        id += 1;
        paced.push(rating(id, 7, 28, 9 + (i % 12), 5));
    }
    let findings = detect(kept(&refs(&history)), &refs(&paced), 28 * DAY, &t);
    assert_eq!(held(&findings).len(), 20, "{findings:?}");
    assert!(findings.iter().any(|f| matches!(
        f.signal,
        Signal::Shift {
            side: Side::High,
            ratings: 20,
            on_side: 20,
            ..
        }
    )));
    // A good day: twelve 5★ of twenty is above the usual share, not far enough.
    let mut good = Vec::new();
    for i in 0..20 {
        id += 1;
        let stars = if i < 12 { 5 } else { 3 };
        good.push(rating(id, 7, 28, 9 + (i % 12), stars));
    }
    let findings = detect(kept(&refs(&history)), &refs(&good), 28 * DAY, &t);
    assert!(held(&findings).is_empty(), "{findings:?}");
    // Too little history to know the venue's share: not judged.
    let short: Vec<Observation> = history.iter().take(40).cloned().collect();
    let findings = detect(kept(&refs(&short)), &refs(&paced), 28 * DAY, &t);
    assert!(
        !findings.iter().any(|f| f.signal.key() == "shift"),
        "{findings:?}"
    );
}
