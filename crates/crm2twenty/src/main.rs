//! `crm2twenty`: the command line. It parses arguments, calls the pipeline and prints; all the
//! work is in the library crates. Errors are printed once, here, with a hint where one helps.
//!
//! Exit codes: 0 done (every row accounted for), 1 done but something needs attention (a file
//! could not be read, the ledger does not balance), 2 usage or mapping error (nothing written),
//! 130 stopped by Ctrl-C (run the same command again to resume).

mod after;
mod api;
mod cli;
mod commands;
mod inputs;
mod interrupt;

use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = <cli::Cli as clap::Parser>::parse();
    match commands::run(args) {
        Ok(code) => code,
        // Already said, with how to resume.
        Err(e) if e.downcast_ref::<interrupt::Interrupted>().is_some() => ExitCode::from(130),
        Err(e) if e.downcast_ref::<commands::ServerError>().is_some() => {
            if let Some(s) = e.downcast_ref::<commands::ServerError>() {
                eprintln!("error: {}", s.message);
                eprintln!("hint: {}", s.hint);
            }
            ExitCode::from(3)
        }
        Err(e) => match e.downcast_ref::<commands::UserError>() {
            Some(u) => {
                eprintln!("error: {}", u.message);
                if let Some(h) = &u.hint {
                    eprintln!("hint: {h}");
                }
                ExitCode::from(2)
            }
            None => {
                eprintln!("error: {e:#}");
                ExitCode::from(1)
            }
        },
    }
}
