//! Benchmarks of the pure score formulas: computing inputs from raw ratings,
//! scoring one venue, and a full recompute of 10,000 venues with their priors.

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use qrfeedback::domain::scoring::{
    Measures, RatingInput, ScoringParams, VenueInputs, VenueScore, choose_priors,
    inputs_from_ratings, score_venue,
};

/// Provinces and categories of the synthetic venues: 31 × 8 = 248 slices.
const PROVINCES: usize = 31;
const CATEGORIES: usize = 8;
const VENUES: usize = 10_000;

/// A small deterministic generator (SplitMix64) so every run measures the same data.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    fn stars(&mut self) -> u8 {
        // Skewed towards good ratings, as real feedback is.
        [1, 2, 3, 4, 4, 5, 5, 5][self.below(8) as usize]
    }

    fn maybe_stars(&mut self) -> Option<u8> {
        (self.below(3) > 0).then(|| self.stars())
    }
}

fn ratings(rng: &mut SplitMix64, count: usize) -> Vec<RatingInput> {
    (0..count)
        .map(|_| RatingInput {
            overall: rng.stars(),
            environment: rng.maybe_stars(),
            skill: rng.maybe_stars(),
            attitude: rng.maybe_stars(),
            age_days: rng.below(730 * 24) as f64 / 24.0,
            quarantined: rng.below(50) == 0,
        })
        .collect()
}

/// One synthetic venue: its slice and its inputs.
struct Venue {
    province: usize,
    category: usize,
    inputs: VenueInputs,
}

fn venues(params: &ScoringParams) -> Vec<Venue> {
    let mut rng = SplitMix64(7);
    (0..VENUES)
        .map(|i| {
            let count = rng.below(60) as usize;
            Venue {
                province: i % PROVINCES,
                category: (i / PROVINCES) % CATEGORIES,
                inputs: inputs_from_ratings(params, &ratings(&mut rng, count)),
            }
        })
        .collect()
}

/// What a full recompute does: sum each slice, choose its priors, score every venue.
fn score_all(params: &ScoringParams, venues: &[Venue]) -> Vec<VenueScore> {
    let mut by_province: HashMap<(usize, usize), Measures> = HashMap::new();
    let mut national: HashMap<usize, Measures> = HashMap::new();
    for venue in venues {
        by_province
            .entry((venue.province, venue.category))
            .or_default()
            .merge(&venue.inputs.measures);
        national
            .entry(venue.category)
            .or_default()
            .merge(&venue.inputs.measures);
    }
    let empty = Measures::default();
    let priors: HashMap<_, _> = by_province
        .iter()
        .map(|(&(province, category), measures)| {
            let national = national.get(&category).unwrap_or(&empty);
            (
                (province, category),
                choose_priors(params, measures, national),
            )
        })
        .collect();
    venues
        .iter()
        .filter_map(|venue| {
            let priors = priors.get(&(venue.province, venue.category))?;
            Some(score_venue(params, &venue.inputs, priors))
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let params = ScoringParams::default();

    let thousand = ratings(&mut SplitMix64(1), 1_000);
    c.bench_function("inputs_from_ratings/1000 ratings", |b| {
        b.iter(|| inputs_from_ratings(&params, black_box(&thousand)))
    });

    let inputs = inputs_from_ratings(&params, &thousand);
    let priors = choose_priors(&params, &inputs.measures, &Measures::default());
    c.bench_function("score_venue", |b| {
        b.iter(|| score_venue(&params, black_box(&inputs), black_box(&priors)))
    });

    let venues = venues(&params);
    c.bench_function("score_all/10000 venues", |b| {
        b.iter(|| score_all(&params, black_box(&venues)))
    });
}

criterion_group!(scoring, benches);
criterion_main!(scoring);
