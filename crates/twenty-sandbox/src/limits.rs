//! Rate limiting: two token buckets per API key, like Twenty's throttler (contract doc §1.8).
//!
//! A short window and a long window, each `N` tokens refilled continuously over `MS`
//! milliseconds; every authenticated request takes one token from both. Defaults are Twenty's:
//! 100 per 1 000 ms and 100 per 60 000 ms. `0` or `off` disables a window.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// One window: `tokens` per `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Tokens per period (bucket capacity).
    pub tokens: u32,
    /// Refill period.
    pub period: Duration,
}

impl FromStr for Rate {
    type Err = String;

    /// `100/1000` (tokens / milliseconds); `0` or `off` → disabled (`Option` handled by caller).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (n, ms) = s
            .split_once('/')
            .ok_or_else(|| format!("rate {s:?} must look like N/MS, 0 or off"))?;
        let tokens: u32 = n
            .trim()
            .parse()
            .map_err(|_| format!("bad token count in rate {s:?}"))?;
        let ms: u64 = ms
            .trim()
            .parse()
            .map_err(|_| format!("bad window in rate {s:?}"))?;
        if ms == 0 {
            return Err(format!("window of rate {s:?} must be > 0 ms"));
        }
        Ok(Rate {
            tokens,
            period: Duration::from_millis(ms),
        })
    }
}

/// Parses a `--rate-*` value: `None` when disabled.
pub fn parse_rate(s: &str) -> Result<Option<Rate>, String> {
    match s.trim() {
        "0" | "off" | "none" => Ok(None),
        other => {
            let r: Rate = other.parse()?;
            Ok((r.tokens > 0).then_some(r))
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    level: f64,
    last: Instant,
}

impl Bucket {
    fn refill(&mut self, rate: Rate, now: Instant) {
        let elapsed = now.duration_since(self.last).as_secs_f64();
        let per_sec = f64::from(rate.tokens) / rate.period.as_secs_f64();
        self.level = (self.level + elapsed * per_sec).min(f64::from(rate.tokens));
        self.last = now;
    }

    fn wait_for_one(&self, rate: Rate) -> Duration {
        let per_sec = f64::from(rate.tokens) / rate.period.as_secs_f64();
        Duration::from_secs_f64(((1.0 - self.level).max(0.0)) / per_sec)
    }
}

/// The limiter: buckets per key for both windows.
#[derive(Debug)]
pub struct RateLimiter {
    windows: Vec<Rate>,
    buckets: HashMap<String, Vec<Bucket>>,
}

impl RateLimiter {
    /// A limiter with the enabled windows.
    pub fn new(short: Option<Rate>, long: Option<Rate>) -> RateLimiter {
        RateLimiter {
            windows: [short, long].into_iter().flatten().collect(),
            buckets: HashMap::new(),
        }
    }

    /// Takes one token for `key`; `Err(wait)` when a window is empty.
    pub fn take(&mut self, key: &str, now: Instant) -> Result<(), Duration> {
        if self.windows.is_empty() {
            return Ok(());
        }
        let windows = &self.windows;
        let buckets = self.buckets.entry(key.to_string()).or_insert_with(|| {
            windows
                .iter()
                .map(|w| Bucket {
                    level: f64::from(w.tokens),
                    last: now,
                })
                .collect()
        });
        let mut wait = Duration::ZERO;
        for (b, w) in buckets.iter_mut().zip(windows) {
            b.refill(*w, now);
            if b.level < 1.0 {
                wait = wait.max(b.wait_for_one(*w));
            }
        }
        if wait > Duration::ZERO {
            return Err(wait);
        }
        for b in buckets.iter_mut() {
            b.level -= 1.0;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rates() {
        assert_eq!(
            parse_rate("100/1000").unwrap(),
            Some(Rate {
                tokens: 100,
                period: Duration::from_millis(1000)
            })
        );
        assert_eq!(parse_rate("off").unwrap(), None);
        assert_eq!(parse_rate("0").unwrap(), None);
        assert!(parse_rate("100").is_err());
        assert!(parse_rate("x/10").is_err());
    }

    #[test]
    fn short_window_limits_then_refills() {
        let mut l = RateLimiter::new(parse_rate("3/1000").unwrap(), None);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.take("k", t0).is_ok());
        }
        let wait = l.take("k", t0).unwrap_err();
        assert!(wait > Duration::from_millis(300) && wait <= Duration::from_millis(334));
        // Another key has its own buckets.
        assert!(l.take("other", t0).is_ok());
        // After a third of the window one token is back.
        assert!(l.take("k", t0 + Duration::from_millis(340)).is_ok());
        assert!(l.take("k", t0 + Duration::from_millis(340)).is_err());
    }

    #[test]
    fn long_window_binds_even_when_short_refills() {
        let mut l = RateLimiter::new(
            parse_rate("10/100").unwrap(),
            parse_rate("4/60000").unwrap(),
        );
        let t0 = Instant::now();
        for i in 0..4 {
            assert!(l.take("k", t0 + Duration::from_millis(i * 200)).is_ok());
        }
        let wait = l.take("k", t0 + Duration::from_millis(1000)).unwrap_err();
        assert!(wait > Duration::from_secs(10));
    }

    #[test]
    fn disabled_never_limits() {
        let mut l = RateLimiter::new(None, None);
        let t0 = Instant::now();
        for _ in 0..10_000 {
            assert!(l.take("k", t0).is_ok());
        }
    }
}
