//! Phase timings for whoever tunes the pipeline: with `C2T_TIMINGS=1` in the environment, each
//! phase prints its wall time to stderr when it ends, and on Linux the CPU time all threads used
//! in it (well below twice the wall time on two cores: the phase is partly serial), the process's
//! resident memory then and its peak so far. Silent otherwise (one check per phase).

use std::sync::LazyLock;
use std::time::Instant;

static ON: LazyLock<bool> = LazyLock::new(|| std::env::var_os("C2T_TIMINGS").is_some());

/// Prints how long the phase took when dropped, if timings are on.
pub struct Phase {
    label: &'static str,
    start: Instant,
    cpu: Option<f64>,
}

impl Phase {
    pub fn start(label: &'static str) -> Phase {
        Phase {
            label,
            start: Instant::now(),
            cpu: cpu_seconds(),
        }
    }

    /// Ends this phase and starts the next one.
    pub fn next(&mut self, label: &'static str) {
        self.report();
        self.label = label;
        self.start = Instant::now();
        self.cpu = cpu_seconds();
    }

    fn report(&self) {
        if *ON {
            eprintln!(
                "[timing] {:<24} {:>8.3} s{}",
                self.label,
                self.start.elapsed().as_secs_f64(),
                measures(self.cpu)
            );
        }
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        self.report();
    }
}

/// `  cpu 2.10 s, rss 250 MB, peak 287 MB` (CPU time since `cpu_at_start`, memory now and at
/// its peak), or the parts of it this system tells; empty when it tells none.
fn measures(cpu_at_start: Option<f64>) -> String {
    let parts: Vec<String> = [
        cpu_at_start
            .zip(cpu_seconds())
            .map(|(a, b)| format!("cpu {:.2} s", b - a)),
        memory().map(|(rss, peak)| format!("rss {} MB, peak {} MB", rss >> 10, peak >> 10)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("  {}", parts.join(", "))
    }
}

/// CPU time (user + system) of all the process's threads so far, from `/proc/self/stat`
/// (clock ticks, 100 a second on Linux).
fn cpu_seconds() -> Option<f64> {
    if !*ON {
        return None;
    }
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    let mut rest = s.get(s.rfind(')')? + 2..)?.split_whitespace();
    let utime: u64 = rest.nth(11)?.parse().ok()?;
    let stime: u64 = rest.next()?.parse().ok()?;
    Some((utime + stime) as f64 / 100.0)
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
