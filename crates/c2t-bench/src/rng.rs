//! A tiny seeded PRNG (splitmix64). Every generated row gets its own generator, derived from the
//! seed, a stream constant (the object) and the row index, so any row — and any company's
//! identity — can be recomputed from its index alone, without keeping earlier rows in memory.

/// splitmix64's output function: a good 64-bit mixer.
pub const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// splitmix64 (Steele, Lea & Flood 2014): one add and one mix per output.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The generator of row `index` of `stream` under `seed`.
    pub fn for_row(seed: u64, stream: u64, index: u64) -> Self {
        let k = mix64(stream.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ mix64(index));
        Rng(mix64(seed ^ k))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }

    /// Uniform in `0..n` (`n > 0`), by Lemire's multiply-shift (bias < 2^-64·n, irrelevant here).
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    pub fn pick_ref<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Picks from `(weight, item)` pairs.
    pub fn weighted<T: Copy>(&mut self, items: &[(u32, T)]) -> T {
        *self.weighted_ref(items)
    }

    pub fn weighted_ref<'a, T>(&mut self, items: &'a [(u32, T)]) -> &'a T {
        let total: u64 = items.iter().map(|(w, _)| u64::from(*w)).sum();
        let mut x = self.below(total);
        for (w, item) in items {
            let w = u64::from(*w);
            if x < w {
                return item;
            }
            x -= w;
        }
        &items[items.len() - 1].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_spread() {
        let a: Vec<u64> = (0..5).map(|i| Rng::for_row(7, 1, i).next_u64()).collect();
        let b: Vec<u64> = (0..5).map(|i| Rng::for_row(7, 1, i).next_u64()).collect();
        assert_eq!(a, b);
        assert_ne!(
            Rng::for_row(7, 1, 0).next_u64(),
            Rng::for_row(8, 1, 0).next_u64()
        );
        assert_ne!(
            Rng::for_row(7, 1, 0).next_u64(),
            Rng::for_row(7, 2, 0).next_u64()
        );
        let mut r = Rng::new(1);
        let mut hits = 0;
        for _ in 0..100_000 {
            let x = r.below(10);
            assert!(x < 10);
            if r.chance(0.03) {
                hits += 1;
            }
        }
        assert!((2_500..3_500).contains(&hits), "{hits}");
    }
}
