//! Phase timings for whoever tunes the pipeline: with `C2T_TIMINGS=1` in the environment, each
//! phase prints its wall time to stderr when it ends, and on Linux the process's resident memory
//! then and its peak so far. Silent otherwise (one check per phase).

use std::sync::LazyLock;
use std::time::Instant;

static ON: LazyLock<bool> = LazyLock::new(|| std::env::var_os("C2T_TIMINGS").is_some());

/// Prints how long the phase took when dropped, if timings are on.
pub struct Phase {
    label: &'static str,
    start: Instant,
}

impl Phase {
    pub fn start(label: &'static str) -> Phase {
        Phase {
            label,
            start: Instant::now(),
        }
    }

    /// Ends this phase and starts the next one.
    pub fn next(&mut self, label: &'static str) {
        self.report();
        self.label = label;
        self.start = Instant::now();
    }

    fn report(&self) {
        if *ON {
            eprintln!(
                "[timing] {:<24} {:>8.3} s{}",
                self.label,
                self.start.elapsed().as_secs_f64(),
                memory().map_or_else(String::new, |(rss, peak)| format!(
                    "  rss {} MB, peak {} MB",
                    rss >> 10,
                    peak >> 10
                ))
            );
        }
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        self.report();
    }
}

/// Resident memory now and at its peak (kB), from `/proc/self/status`.
fn memory() -> Option<(u64, u64)> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = |key: &str| -> Option<u64> {
        s.lines()
            .find_map(|l| l.strip_prefix(key))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    };
    Some((kb("VmRSS:")?, kb("VmHWM:")?))
}
