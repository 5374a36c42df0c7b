//! Near-duplicate comments: a MinHash signature of a comment's character
//! bigrams (Broder 1997), whose agreement estimates the Jaccard similarity
//! of two comments' bigram sets. A bot that varies a template's words
//! still shares most bigrams with its other comments; two people who both
//! write "很好" are not compared at all (too short to mean anything).

/// Slots in a signature; the Jaccard estimate's error is about 1/√SLOTS.
pub const SLOTS: usize = 48;

/// A comment's fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentPrint {
    /// The least hash of the comment's bigrams under each slot's hash.
    pub minhash: [u32; SLOTS],
}

/// SplitMix64's finaliser: a fixed, well-mixed 64-bit hash step.
pub fn mix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl CommentPrint {
    /// The fingerprint of a comment of at least `min_chars` letters (spaces
    /// and punctuation are not counted or compared); `None` for a shorter one.
    pub fn of(comment: &str, min_chars: usize) -> Option<Self> {
        let letters: Vec<char> = comment
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        if letters.len() < min_chars.max(2) {
            return None;
        }
        let bigrams: Vec<u64> = letters
            .windows(2)
            .map(|w| mix64((u64::from(w[0]) << 32) | u64::from(w[1])))
            .collect();
        let mut minhash = [u32::MAX; SLOTS];
        for (slot, least) in minhash.iter_mut().enumerate() {
            let salt = mix64(slot as u64 + 1);
            *least = bigrams
                .iter()
                .map(|b| (mix64(b ^ salt) >> 32) as u32)
                .min()
                .unwrap_or(u32::MAX);
        }
        Some(Self { minhash })
    }

    /// The estimated Jaccard similarity of the two comments' bigrams, 0..=1.
    pub fn similarity(&self, other: &Self) -> f64 {
        let same = self
            .minhash
            .iter()
            .zip(&other.minhash)
            .filter(|(a, b)| a == b)
            .count();
        same as f64 / SLOTS as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_varied_template_stays_close_and_different_comments_do_not() {
        let a = CommentPrint::of("这家酒店服务非常周到，房间干净整洁，下次还来！", 8).unwrap();
        let b = CommentPrint::of("这家酒店服务特别周到，房间干净整洁，下次还会来", 8).unwrap();
        let c = CommentPrint::of("排队太久，导游催着购物，门票还涨价了", 8).unwrap();
        assert!(a.similarity(&b) >= 0.5, "{}", a.similarity(&b));
        assert!(a.similarity(&c) <= 0.15, "{}", a.similarity(&c));
        assert_eq!(a.similarity(&a), 1.0);
        assert_eq!(CommentPrint::of("很好！", 8), None);
        assert_eq!(CommentPrint::of("  ，，  ", 2), None);
    }

    proptest! {
        #[test]
        fn similarity_is_symmetric_and_bounded(x in "\\PC{2,60}", y in "\\PC{2,60}") {
            if let (Some(a), Some(b)) = (CommentPrint::of(&x, 2), CommentPrint::of(&y, 2)) {
                let s = a.similarity(&b);
                prop_assert!((0.0..=1.0).contains(&s));
                prop_assert_eq!(s, b.similarity(&a));
            }
        }
    }
}
