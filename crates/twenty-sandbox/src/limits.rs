//! Rate limiting: Twenty 2.x's throttle, two token buckets per workspace.
//!
//! Read from the source of the recorded 2.19 server (`common-base-query-runner.service.ts`,
//! `throttleQueryExecution`, and `throttler.service.ts`, `tokenBucketThrottleOrThrow`) and
//! checked against its recorded 429s (`shared/twenty-live-2x/2026-12/`):
//! - a short window and a long window, each `N` tokens refilled over `MS` milliseconds
//!   (defaults 100 per 1 000 ms and 100 per 60 000 ms); one token per record query of an API key
//!   (REST record routes and GraphQL), none for the metadata API;
//! - the buckets are keyed by workspace, so every API key of a workspace shares them;
//! - the short bucket is checked and charged first, then the long one: a request the long
//!   bucket refuses has already spent its short token;
//! - the refill is whole tokens: `floor(elapsed_ms * N / MS)` since the last *accepted* request,
//!   and an accepted request restarts that clock (the fraction is lost);
//! - a refused request answers `Limit reached (N tokens per MS ms)` for the bucket that refused,
//!   with no `Retry-After`.
//!
//! `0` or `off` disables a window.

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
    tokens: u64,
    last_refill: Instant,
}

impl Bucket {
    /// `getAvailableTokensCount`: whole tokens refilled since the last accepted request.
    fn available(&self, rate: Rate, now: Instant) -> u64 {
        let elapsed_ms = now.saturating_duration_since(self.last_refill).as_millis();
        let period_ms = rate.period.as_millis().max(1);
        let refill = elapsed_ms * u128::from(rate.tokens) / period_ms;
        let max = u64::from(rate.tokens);
        (u128::from(self.tokens) + refill).min(u128::from(max)) as u64
    }
}

/// The limiter: the buckets of each workspace for both windows.
#[derive(Debug)]
pub struct RateLimiter {
    windows: Vec<Rate>,
    buckets: HashMap<String, Vec<Bucket>>,
}

impl RateLimiter {
    /// A limiter with the enabled windows (short first).
    pub fn new(short: Option<Rate>, long: Option<Rate>) -> RateLimiter {
        RateLimiter {
            windows: [short, long].into_iter().flatten().collect(),
            buckets: HashMap::new(),
        }
    }

    /// Takes one token of each window for `workspace`, in order; `Err(rate)` names the window
    /// that refused (the windows before it keep the token they gave, as in Twenty).
    pub fn take(&mut self, workspace: &str, now: Instant) -> Result<(), Rate> {
        if self.windows.is_empty() {
            return Ok(());
        }
        let windows = &self.windows;
        let buckets = self
            .buckets
            .entry(workspace.to_string())
            .or_insert_with(|| {
                windows
                    .iter()
                    .map(|w| Bucket {
                        tokens: u64::from(w.tokens),
                        last_refill: now,
                    })
                    .collect()
            });
        for (b, w) in buckets.iter_mut().zip(windows) {
            let available = b.available(*w, now);
            if available < 1 {
                return Err(*w);
            }
            b.tokens = available - 1;
            b.last_refill = now;
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
        let short = parse_rate("3/1000").unwrap();
        let mut l = RateLimiter::new(short, None);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.take("ws", t0).is_ok());
        }
        assert_eq!(l.take("ws", t0), Err(short.unwrap()));
        // Another workspace has its own buckets.
        assert!(l.take("other", t0).is_ok());
        // Whole tokens only: 1 000 / 3 ms per token.
        assert!(l.take("ws", t0 + Duration::from_millis(330)).is_err());
        assert!(l.take("ws", t0 + Duration::from_millis(340)).is_ok());
        assert!(l.take("ws", t0 + Duration::from_millis(340)).is_err());
    }

    #[test]
    fn an_accepted_request_restarts_the_refill_clock() {
        // 2 tokens per second: one every 500 ms, but only counted from the last acceptance.
        let mut l = RateLimiter::new(parse_rate("2/1000").unwrap(), None);
        let t0 = Instant::now();
        assert!(l.take("ws", t0).is_ok());
        assert!(l.take("ws", t0).is_ok());
        // 400 ms: floor(0.8) = 0 tokens back; refused, the clock keeps running.
        assert!(l.take("ws", t0 + Duration::from_millis(400)).is_err());
        assert!(l.take("ws", t0 + Duration::from_millis(600)).is_ok());
        // The 0.2 token of the last refill is lost: 900 ms is only 300 ms after acceptance.
        assert!(l.take("ws", t0 + Duration::from_millis(900)).is_err());
        assert!(l.take("ws", t0 + Duration::from_millis(1100)).is_ok());
    }

    #[test]
    fn long_window_binds_even_when_short_refills() {
        let short = parse_rate("10/100").unwrap();
        let long = parse_rate("4/60000").unwrap();
        let mut l = RateLimiter::new(short, long);
        let t0 = Instant::now();
        for i in 0..4 {
            assert!(l.take("ws", t0 + Duration::from_millis(i * 200)).is_ok());
        }
        assert_eq!(
            l.take("ws", t0 + Duration::from_millis(1000)),
            Err(long.unwrap())
        );
    }

    #[test]
    fn a_long_refusal_still_spends_the_short_token() {
        let short = parse_rate("2/60000").unwrap();
        let long = parse_rate("1/60000").unwrap();
        let mut l = RateLimiter::new(short, long);
        let t0 = Instant::now();
        assert!(l.take("ws", t0).is_ok());
        assert_eq!(l.take("ws", t0), Err(long.unwrap()));
        assert_eq!(l.take("ws", t0), Err(short.unwrap()));
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
