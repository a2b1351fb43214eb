//! Pacing (a token bucket shared by every thread of a client) and retry back-off (exponential
//! with seeded jitter). Time is read and slept through [`Clock`], so both are unit-testable.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Monotonic time source and sleeper (injectable for tests).
pub trait Clock: Send + Sync {
    /// Time elapsed since an arbitrary fixed origin.
    fn now(&self) -> Duration;
    /// Blocks the calling thread for `d`.
    fn sleep(&self, d: Duration);
}

/// The real clock: `Instant` + `std::thread::sleep`.
#[derive(Debug)]
pub struct SystemClock {
    origin: Instant,
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock {
            origin: Instant::now(),
        }
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }
    fn sleep(&self, d: Duration) {
        if !d.is_zero() {
            std::thread::sleep(d);
        }
    }
}

#[derive(Debug)]
struct BucketState {
    /// Tokens available; negative = reserved ahead (callers are sleeping on them).
    level: f64,
    last: Duration,
    /// Nobody starts a request before this instant (set after a 429).
    hold_until: Duration,
    /// Refill rate, lowered by [`TokenBucket::slow_to`] when the server announces its budget.
    per_sec: f64,
}

/// Token bucket: `per_minute` tokens a minute, at most `burst` saved up.
///
/// Fair across threads: a caller reserves its token under the lock (the level may go negative)
/// and sleeps outside it for exactly the time its token needs to be refilled, so concurrent
/// callers are spaced `60 s / per_minute` apart.
#[derive(Debug)]
pub struct TokenBucket {
    burst: f64,
    state: Mutex<BucketState>,
}

impl TokenBucket {
    /// A full bucket (`burst` tokens ready). `per_minute` and `burst` are clamped to ≥ 1.
    pub fn new(per_minute: u32, burst: u32, now: Duration) -> TokenBucket {
        let burst = f64::from(burst.max(1));
        TokenBucket {
            burst,
            state: Mutex::new(BucketState {
                level: burst,
                last: now,
                hold_until: Duration::ZERO,
                per_sec: f64::from(per_minute.max(1)) / 60.0,
            }),
        }
    }

    /// Takes one token, or returns how long the caller must sleep before using the token it has
    /// reserved. Zero means "go now".
    pub fn reserve(&self, now: Duration) -> Duration {
        self.reserve_noting(now).0
    }

    /// [`TokenBucket::reserve`], also saying whether the token was one saved up beyond the
    /// steady rate (a burst after an idle period).
    pub fn reserve_noting(&self, now: Duration) -> (Duration, bool) {
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let start = now.max(s.hold_until);
        if start > s.last {
            let elapsed = (start - s.last).as_secs_f64();
            s.level = (s.level + elapsed * s.per_sec).min(self.burst);
            s.last = start;
        }
        let saved = s.level >= 2.0;
        s.level -= 1.0;
        let wait_tokens = if s.level < 0.0 {
            -s.level / s.per_sec
        } else {
            0.0
        };
        (start - now + Duration::from_secs_f64(wait_tokens), saved)
    }

    /// Forgets the tokens saved up: the server's bucket (shared by every key of the workspace)
    /// held fewer than ours, so from now on requests go at the steady rate.
    pub fn drain(&self, now: Duration) {
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        s.level = s.level.min(0.0);
        if s.last < now {
            s.last = now;
        }
    }

    /// Blocks until the caller may send one request; true when it spends a saved-up token.
    pub fn acquire(&self, clock: &dyn Clock) -> bool {
        let (wait, saved) = self.reserve_noting(clock.now());
        clock.sleep(wait);
        saved
    }

    /// Nobody sends before `now + d` (after a 429 with `Retry-After`).
    pub fn hold_off(&self, now: Duration, d: Duration) {
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let until = now + d;
        if until > s.hold_until {
            s.hold_until = until;
            // The window we are told to wait out does not refill the bucket: restart from empty.
            s.level = s.level.min(0.0);
            if s.last < until {
                s.last = until;
            }
        }
    }

    /// The refill rate in requests a minute.
    pub fn per_minute(&self) -> f64 {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .per_sec
            * 60.0
    }

    /// Lowers the refill rate to at most `per_minute` (never raises it). Called when the
    /// server's 429 names its budget: Twenty's bucket is per workspace and shared by every key
    /// of it, so a client alone in the workspace paces to the budget and one that shares it is
    /// refused again, and lowers its rate a little more each time.
    pub fn slow_to(&self, per_minute: f64) {
        if per_minute.is_finite() && per_minute > 0.0 {
            let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            s.per_sec = s.per_sec.min(per_minute / 60.0);
        }
    }
}

/// SplitMix64: tiny seeded generator for jitter.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Exponential back-off with "equal jitter": attempt `n` (0-based) waits a random time in
/// `[d/2, d]` where `d = min(base · 2ⁿ, max)`.
#[derive(Debug)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    rng: Mutex<SplitMix64>,
}

impl Backoff {
    /// A schedule starting at `base`, capped at `max`, jittered from `seed`.
    pub fn new(base: Duration, max: Duration, seed: u64) -> Backoff {
        Backoff {
            base,
            max: max.max(base),
            rng: Mutex::new(SplitMix64::new(seed)),
        }
    }

    /// The delay before retry number `attempt` (0 = first retry).
    pub fn delay(&self, attempt: u32) -> Duration {
        self.delay_from(self.base, self.max, attempt)
    }

    /// [`Backoff::delay`] from another first delay and cap (a server's token interval and
    /// window), with the same jitter.
    pub fn delay_from(&self, base: Duration, max: Duration, attempt: u32) -> Duration {
        let factor = 2f64.powi(attempt.min(30) as i32);
        let d = (base.as_secs_f64() * factor).min(max.max(base).as_secs_f64());
        let r = self
            .rng
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .next_f64();
        Duration::from_secs_f64(d / 2.0 + r * d / 2.0)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// A fake clock: `sleep` advances time instantly.
    #[derive(Debug, Default)]
    pub(crate) struct FakeClock {
        nanos: AtomicU64,
        pub slept: Mutex<Vec<Duration>>,
    }

    impl Clock for FakeClock {
        fn now(&self) -> Duration {
            Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
        }
        fn sleep(&self, d: Duration) {
            self.slept.lock().unwrap().push(d);
            self.nanos.fetch_add(d.as_nanos() as u64, Ordering::SeqCst);
        }
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn bucket_spaces_requests() {
        let clock = FakeClock::default();
        let b = TokenBucket::new(100, 1, clock.now());
        let mut starts = Vec::new();
        for _ in 0..4 {
            b.acquire(&clock);
            starts.push(clock.now().as_millis());
        }
        assert_eq!(starts, vec![0, 600, 1200, 1800]);
    }

    #[test]
    fn bucket_burst_then_rate() {
        let b = TokenBucket::new(60, 3, Duration::ZERO);
        assert_eq!(b.reserve(Duration::ZERO), Duration::ZERO);
        assert_eq!(b.reserve(Duration::ZERO), Duration::ZERO);
        assert_eq!(b.reserve(Duration::ZERO), Duration::ZERO);
        // concurrent reservations queue one second apart
        assert_eq!(b.reserve(Duration::ZERO), ms(1000));
        assert_eq!(b.reserve(Duration::ZERO), ms(2000));
        // an idle period refills at most `burst`
        assert_eq!(b.reserve(ms(100_000)), Duration::ZERO);
        assert_eq!(b.reserve(ms(100_000)), Duration::ZERO);
        assert_eq!(b.reserve(ms(100_000)), Duration::ZERO);
        assert_eq!(b.reserve(ms(100_000)), ms(1000));
    }

    #[test]
    fn saved_tokens_are_told_and_can_be_dropped() {
        let b = TokenBucket::new(60, 3, Duration::ZERO);
        // Three saved up: the first two leave one or more behind, the third is the last.
        assert_eq!(b.reserve_noting(ms(0)), (Duration::ZERO, true));
        assert_eq!(b.reserve_noting(ms(0)), (Duration::ZERO, true));
        assert_eq!(b.reserve_noting(ms(0)), (Duration::ZERO, false));
        // After an idle while, saved again; dropping them brings back the steady pace.
        assert!(b.reserve_noting(ms(10_000)).1);
        b.drain(ms(10_000));
        let (w, saved) = b.reserve_noting(ms(10_000));
        assert!(!saved);
        assert!(w >= ms(999) && w <= ms(1001), "{w:?}");
    }

    #[test]
    fn hold_off_delays_everyone() {
        let b = TokenBucket::new(6000, 5, Duration::ZERO);
        b.hold_off(Duration::ZERO, ms(2000));
        let w = b.reserve(ms(500));
        assert!(w >= ms(1500) && w <= ms(1520), "{w:?}");
    }

    #[test]
    fn backoff_grows_with_jitter_and_is_seeded() {
        let a = Backoff::new(ms(100), ms(1000), 7);
        let b = Backoff::new(ms(100), ms(1000), 7);
        let da: Vec<_> = (0..6).map(|i| a.delay(i)).collect();
        let db: Vec<_> = (0..6).map(|i| b.delay(i)).collect();
        assert_eq!(da, db);
        for (i, d) in da.iter().enumerate() {
            let full = (100.0 * 2f64.powi(i as i32)).min(1000.0);
            let got = d.as_secs_f64() * 1000.0;
            assert!(
                got >= full / 2.0 - 1e-6 && got <= full + 1e-6,
                "{i}: {got} vs {full}"
            );
        }
        let c = Backoff::new(ms(100), ms(1000), 8);
        assert_ne!(da, (0..6).map(|i| c.delay(i)).collect::<Vec<_>>());
    }
}
