//! Fault injection (`--faults`, `--seed`): server errors, slow answers, dropped connections.
//!
//! Spec: comma-separated `kind=probability`, kinds `500`, `502`, `503`, `504` (answer that status),
//! `slow` (answer after a long delay), `drop` (close the connection without answering, nothing
//! applied) and `lost` (apply the request, then close the connection: the client cannot know the
//! write happened). One draw per request from a seeded generator: the n-th request gets the same
//! fault for the same seed and spec, so runs are reproducible.
//!
//! Two more kinds imitate a misconfigured proxy or debug layer that **echoes the request's
//! headers, `Authorization` included**, to test that a client never repeats its API key:
//! `echo500` answers 500 with a plain-text page dumping the request headers (nothing applied),
//! and `echo400` refuses the request with a 400 whose message quotes the `Authorization` header
//! (REST: `BadRequestException`; `/graphql`: a `BAD_USER_INPUT` error). Twenty itself never does
//! this; the kinds exist for leak tests. `Config::fault_scope` limits faults to one path prefix.

use std::fmt;
use std::str::FromStr;

/// A fault kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Answer with this 5xx status.
    Status(u16),
    /// Delay the answer.
    Slow,
    /// Close the connection without doing anything.
    Drop,
    /// Do the work, then close the connection without answering.
    Lost,
    /// Answer this status (500 or 400) with a body that echoes the request headers.
    Echo(u16),
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Status(s) => write!(f, "{s}"),
            Fault::Slow => f.write_str("slow"),
            Fault::Drop => f.write_str("drop"),
            Fault::Lost => f.write_str("lost"),
            Fault::Echo(s) => write!(f, "echo{s}"),
        }
    }
}

/// Parsed `--faults` spec.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultSpec {
    /// `(fault, probability)` in the order given.
    pub entries: Vec<(Fault, f64)>,
}

impl FromStr for FaultSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut entries = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, p) = part
                .split_once('=')
                .ok_or_else(|| format!("fault {part:?} must look like kind=probability"))?;
            let fault = match k.trim() {
                "500" | "502" | "503" | "504" => Fault::Status(k.trim().parse().unwrap_or(500)),
                "slow" => Fault::Slow,
                "drop" => Fault::Drop,
                "lost" => Fault::Lost,
                "echo500" => Fault::Echo(500),
                "echo400" => Fault::Echo(400),
                other => {
                    return Err(format!(
                        "unknown fault kind {other:?} (500, 502, 503, 504, slow, drop, lost, \
                         echo500, echo400)"
                    ));
                }
            };
            let prob: f64 = p
                .trim()
                .parse()
                .map_err(|_| format!("bad probability in {part:?}"))?;
            if !(0.0..=1.0).contains(&prob) {
                return Err(format!("probability in {part:?} must be within 0..1"));
            }
            entries.push((fault, prob));
        }
        let total: f64 = entries.iter().map(|e| e.1).sum();
        if total > 1.0 + 1e-9 {
            return Err(format!("fault probabilities add up to {total} > 1"));
        }
        Ok(FaultSpec { entries })
    }
}

/// Seeded per-request fault picker (SplitMix64: small, fast, reproducible).
#[derive(Debug)]
pub struct FaultInjector {
    spec: FaultSpec,
    state: u64,
}

impl FaultInjector {
    /// A picker for `spec` seeded with `seed`.
    pub fn new(spec: FaultSpec, seed: u64) -> FaultInjector {
        FaultInjector { spec, state: seed }
    }

    fn next_f64(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The fault for the next request, if any.
    pub fn pick(&mut self) -> Option<Fault> {
        if self.spec.entries.is_empty() {
            return None;
        }
        let u = self.next_f64();
        let mut acc = 0.0;
        for (fault, p) in &self.spec.entries {
            acc += p;
            if u < acc {
                return Some(*fault);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_spec() {
        let s: FaultSpec = "500=0.05,502=0.02,503=0.02,504=0.02,slow=0.05,drop=0.05,lost=0.05"
            .parse()
            .unwrap();
        assert_eq!(s.entries.len(), 7);
        assert_eq!(s.entries[0], (Fault::Status(500), 0.05));
        assert_eq!(s.entries[6], (Fault::Lost, 0.05));
        assert!("oops=0.1".parse::<FaultSpec>().is_err());
        assert!("500=0.7,502=0.7".parse::<FaultSpec>().is_err());
        assert!("500".parse::<FaultSpec>().is_err());
        let s: FaultSpec = "echo500=0.5,echo400=0.5".parse().unwrap();
        assert_eq!(
            s.entries,
            vec![(Fault::Echo(500), 0.5), (Fault::Echo(400), 0.5)]
        );
        assert_eq!(Fault::Echo(400).to_string(), "echo400");
    }

    #[test]
    fn same_seed_same_faults_and_rates_roughly_right() {
        let spec: FaultSpec = "500=0.25,drop=0.25".parse().unwrap();
        let draw = |seed| {
            let mut f = FaultInjector::new(spec.clone(), seed);
            (0..2000).map(|_| f.pick()).collect::<Vec<_>>()
        };
        let a = draw(42);
        assert_eq!(a, draw(42));
        assert_ne!(a, draw(43));
        let n500 = a.iter().filter(|f| **f == Some(Fault::Status(500))).count();
        let ndrop = a.iter().filter(|f| **f == Some(Fault::Drop)).count();
        assert!((400..600).contains(&n500), "{n500}");
        assert!((400..600).contains(&ndrop), "{ndrop}");
    }

    #[test]
    fn probability_one_always_fires() {
        let mut f = FaultInjector::new("slow=1".parse().unwrap(), 7);
        assert!((0..100).all(|_| f.pick() == Some(Fault::Slow)));
    }
}
