//! Phase timings for whoever tunes the pipeline: with `C2T_TIMINGS=1` in the environment, each
//! phase prints its wall time to stderr when it ends. Silent otherwise (one check per phase).

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
                "[timing] {:<24} {:>8.3} s",
                self.label,
                self.start.elapsed().as_secs_f64()
            );
        }
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        self.report();
    }
}
