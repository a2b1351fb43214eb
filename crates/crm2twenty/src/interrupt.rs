//! Ctrl-C during a command that writes to Twenty (`import`, `migrate`, `rollback`). The first
//! stops it between two requests: the batch in flight is answered and recorded, an import run is
//! marked interrupted, and the command exits 130 saying how to resume (run it again). A second
//! Ctrl-C ends the process at once (130 too): the state file then holds a batch in doubt, which
//! the next run checks before sending.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// The flag a Ctrl-C sets, its handlers installed on the first call.
pub fn flag() -> Arc<AtomicBool> {
    FLAG.get_or_init(|| {
        let f = Arc::new(AtomicBool::new(false));
        let signals: &[i32] = &[
            signal_hook::consts::SIGINT,
            #[cfg(unix)]
            signal_hook::consts::SIGTERM,
        ];
        for &s in signals {
            // Registered first, so the second signal finds the flag the first one set and ends
            // the process.
            let _ = signal_hook::flag::register_conditional_shutdown(s, 130, f.clone());
            let _ = signal_hook::flag::register(s, f.clone());
        }
        // A word as soon as it is pressed (a signal handler may not print).
        let seen = f.clone();
        std::thread::spawn(move || {
            while !seen.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
            }
            eprintln!(
                "\ninterrupting: the request in flight is answered and recorded, then the command stops (Ctrl-C again to stop at once)"
            );
        });
        f
    })
    .clone()
}

/// The run stopped on a Ctrl-C; already told to the user. Exit code 130.
#[derive(Debug)]
pub struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted")
    }
}

impl std::error::Error for Interrupted {}
