//! Random draws the demo data is made of: by weight, uniformly, normal, stars.

use rand::RngExt;
use rand::rngs::StdRng;

/// Picks an item by weight; `None` when every weight is zero.
pub(super) fn pick<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> Option<T> {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    if total == 0 {
        return None;
    }
    let mut x = rng.random_range(0..total);
    for &(item, weight) in items {
        if x < weight {
            return Some(item);
        }
        x -= weight;
    }
    None
}

/// One of a non-empty list, uniformly.
pub(super) fn one_of<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A standard normal sample (Box–Muller), for log-normal popularity.
pub(super) fn standard_normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]: ln stays finite
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Whole stars around `mean`, with triangular noise of ±`spread`.
pub(super) fn stars_around(rng: &mut StdRng, mean: f64, spread: f64) -> u8 {
    let noise = (rng.random::<f64>() + rng.random::<f64>() - 1.0) * spread;
    (mean + noise).round().clamp(1.0, 5.0) as u8
}
