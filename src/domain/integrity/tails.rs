//! Upper tails of the Poisson and binomial laws, the measure of "more than
//! this venue's own history makes likely" every signal uses. Computed in log
//! space so busy venues (hundreds an hour) neither overflow nor underflow.

/// ln(n!), exact below 30 and by Stirling's series above (error < 1e-10).
pub fn ln_factorial(n: u64) -> f64 {
    if n < 30 {
        return (2..=n).map(|i| (i as f64).ln()).sum();
    }
    let x = n as f64 + 1.0;
    // ln Γ(x) for x = n + 1.
    (x - 0.5) * x.ln() - x + 0.5 * std::f64::consts::TAU.ln() + 1.0 / (12.0 * x)
        - 1.0 / (360.0 * x.powi(3))
}

/// Sums a tail whose first term's logarithm is `first` and whose term ratio
/// `ratio(i)` (term i+1 over term i) falls below 1, until the terms vanish.
fn tail_sum(first: f64, start: u64, end: u64, ratio: impl Fn(u64) -> f64) -> f64 {
    let mut term = first.exp();
    let mut sum = term;
    let mut i = start;
    while i < end {
        term *= ratio(i);
        sum += term;
        i += 1;
        if term < sum * 1e-15 {
            break;
        }
    }
    sum.min(1.0)
}

/// P(X ≥ k) for X ~ Poisson(mean); 1 when k is not above the mean (the
/// signals only ask about excess).
pub fn poisson_upper(k: u64, mean: f64) -> f64 {
    if k == 0 || (k as f64) <= mean {
        return 1.0;
    }
    if mean <= 0.0 {
        return 0.0;
    }
    let first = -mean + k as f64 * mean.ln() - ln_factorial(k);
    tail_sum(first, k, u64::MAX, |i| mean / (i as f64 + 1.0))
}

/// P(X ≥ k) for X ~ Binomial(n, p); 1 when k is not above n·p.
pub fn binomial_upper(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 || (k as f64) <= n as f64 * p {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let ln_choose = ln_factorial(n) - ln_factorial(k) - ln_factorial(n - k);
    let first = ln_choose + k as f64 * p.ln() + (n - k) as f64 * (1.0 - p).ln();
    let odds = p / (1.0 - p);
    tail_sum(first, k, n, |i| (n - i) as f64 / (i as f64 + 1.0) * odds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9_f64.max(b * 1e-6)
    }

    #[test]
    fn tails_match_their_sums() {
        // P(X ≥ 3 | Poisson 1) = 1 − e⁻¹(1 + 1 + ½).
        assert!(close(poisson_upper(3, 1.0), 1.0 - (-1.0f64).exp() * 2.5));
        // P(X ≥ 9 | Binomial(10, ½)) = 11/1024.
        assert!(close(binomial_upper(9, 10, 0.5), 11.0 / 1024.0));
        assert!(close(binomial_upper(20, 20, 0.5), 0.5f64.powi(20)));
        assert_eq!(poisson_upper(2, 5.0), 1.0);
        assert_eq!(binomial_upper(3, 10, 0.5), 1.0);
        assert!(close(
            ln_factorial(40),
            (1..=40u64).map(|i| (i as f64).ln()).sum()
        ));
        // Busy venues: no overflow, no NaN.
        let busy = poisson_upper(2_000, 1_000.0);
        assert!(busy > 0.0 && busy < 1e-100, "{busy}");
    }

    proptest! {
        #[test]
        fn tails_are_probabilities_that_fall_as_k_grows(n in 1u64..120, p in 0.01f64..0.99, mean in 0.1f64..100.0) {
            let mut last = 1.0;
            for k in (0..=n).step_by(3) {
                let b = binomial_upper(k, n, p);
                prop_assert!((0.0..=1.0).contains(&b));
                prop_assert!(b <= last + 1e-12);
                last = b;
                let q = poisson_upper(k, mean);
                prop_assert!((0.0..=1.0).contains(&q) && !q.is_nan());
            }
        }
    }
}
