//! The command-line interface: arguments only, no behaviour.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "crm2twenty", version, about = "Move a whole CRM into Twenty: audit, map, clean, de-duplicate, link, and write Twenty-ready files.", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print less (only warnings and errors).
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole local job: detect, audit, clean, de-duplicate, link and write Twenty-ready
    /// CSVs, the audit report and the ledger. Several export folders may be given.
    Migrate {
        /// Export folders (one per CRM export).
        #[arg(required = true)]
        export_dirs: Vec<PathBuf>,
        /// Output folder (a sub-folder per export when several are given).
        #[arg(long, default_value = "crm2twenty-out")]
        out: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Propose a mapping file for an export folder (edit it, keep it in git).
    Init {
        export_dir: PathBuf,
        /// Where to write the mapping.
        #[arg(long, default_value = "crm2twenty.toml")]
        out: PathBuf,
        /// Use this preset instead of detecting the CRM.
        #[arg(long)]
        preset: Option<String>,
        /// Overwrite an existing mapping file.
        #[arg(long)]
        force: bool,
    },
    /// Audit an export: fill rates, invalid values, duplicates, test data, stale records, broken
    /// references. Prints a summary and writes audit.html and audit.json.
    Audit {
        export_dir: PathBuf,
        /// Folder for audit.html and audit.json.
        #[arg(long, default_value = "crm2twenty-out")]
        out: PathBuf,
        /// Print the audit as JSON on stdout instead of the summary.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Write Twenty-ready CSV files (plus rejects.csv and ledger.csv) for Twenty's importer.
    Export {
        export_dir: PathBuf,
        #[arg(long, default_value = "crm2twenty-out")]
        out: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Check a mapping file against Twenty's schema and the export's headers.
    Validate {
        export_dir: PathBuf,
        #[arg(long, default_value = "crm2twenty.toml")]
        mapping: PathBuf,
    },
    /// List the bundled CRM presets.
    Presets,
}

#[derive(Debug, Args, Clone)]
pub struct Common {
    /// Use this mapping instead of the proposed one.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Use this preset instead of detecting the CRM (when no mapping is given).
    #[arg(long)]
    pub preset: Option<String>,
    /// Workspace members (CSV or JSON of first name, last name, email) for owners named by
    /// name. Defaults to members.csv / members.json in the export folder, if there is one.
    #[arg(long)]
    pub members: Option<PathBuf>,
    /// Measure staleness from this date (YYYY-MM-DD) instead of today.
    #[arg(long)]
    pub as_of: Option<String>,
}
