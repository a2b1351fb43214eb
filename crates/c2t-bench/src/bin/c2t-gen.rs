//! `c2t-gen --people N --companies M [--seed S] [--long-notes K] --out DIR`: writes a synthetic Salesforce Data
//! Export (Account, Contact, Opportunity, Task, Note, User CSVs) of any size, streaming.

use anyhow::Context;
use c2t_bench::{Config, generate};
use clap::Parser;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, Parser)]
#[command(
    name = "c2t-gen",
    about = "Write a realistic, messy Salesforce Data Export of any size (deterministic by seed)."
)]
struct Args {
    /// Contacts to write (Task.csv gets people/10 rows, Note.csv people/20).
    #[arg(long)]
    people: u64,
    /// Accounts to write (Opportunity.csv gets companies/2 rows).
    #[arg(long)]
    companies: u64,
    /// Seed of the generator: the same seed and sizes give byte-identical files.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Give every note body and task description N times its lines (long notes: the files
    /// grow, the rows do not).
    #[arg(long, default_value_t = 1)]
    long_notes: u64,
    /// Folder to write the CSV files into (created if missing).
    #[arg(long)]
    out: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let cfg = Config {
        people: a.people,
        companies: a.companies,
        seed: a.seed,
        long_notes: a.long_notes,
    };
    let t = Instant::now();
    let st = generate(&cfg, &a.out, |file, rows| {
        eprintln!(
            "  {file:<16} {rows:>10} rows  ({:.1}s)",
            t.elapsed().as_secs_f64()
        );
    })
    .with_context(|| format!("cannot write the export into {}", a.out.display()))?;
    let secs = t.elapsed().as_secs_f64();
    eprintln!(
        "wrote {} rows, {:.1} MB to {} in {secs:.2}s ({:.0} rows/s)",
        st.rows(),
        st.bytes as f64 / 1e6,
        a.out.display(),
        st.rows() as f64 / secs.max(1e-9)
    );
    eprintln!(
        "planted: {} duplicate accounts, {} duplicate contacts, {} test rows, {} deleted rows, \
         {} stale accounts, {} stale contacts, {} invalid emails, {} dangling references, \
         {} multi-line cells",
        st.dup_accounts,
        st.dup_contacts,
        st.test_rows,
        st.deleted_rows,
        st.stale_accounts,
        st.stale_contacts,
        st.invalid_emails,
        st.dangling_refs,
        st.multi_line_cells
    );
    Ok(())
}
