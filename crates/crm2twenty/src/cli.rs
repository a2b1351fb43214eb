//! The command-line interface: arguments only, no behaviour.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "crm2twenty",
    version,
    about = "Move a whole CRM into Twenty: audit, map, clean, de-duplicate, link, and write Twenty-ready files.",
    long_about = None,
    after_help = "Examples:\n  crm2twenty migrate ./salesforce-export      # Twenty-ready files and the audit, no server\n  crm2twenty init ./export                    # a mapping to read, edit and keep in git\n\nEnvironment:\n  TWENTY_API_URL   the workspace's API URL: commands that talk to Twenty use it\n  TWENTY_API_KEY   the API key (Settings → APIs & Webhooks); never printed or stored\n\nExit codes: 0 done; 1 done, something needs attention; 2 usage or mapping error, nothing\nwritten; 3 the server could not be reached or kept failing (nothing is lost: run the same\ncommand again); 130 stopped by Ctrl-C (run the same command again to resume)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print less (only warnings and errors).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print every request sent to Twenty (method, path, outcome, time) on stderr; never the key.
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole job: detect, audit, clean, de-duplicate, link and write Twenty-ready CSVs,
    /// the audit report and the ledger (several export folders may be given). With
    /// TWENTY_API_URL and TWENTY_API_KEY set it also imports into that workspace: it says what
    /// it will write there and asks first (--yes for scripts), then checks, imports, verifies
    /// and writes the report.
    #[command(
        after_help = "Examples:\n  crm2twenty migrate ./salesforce-export            # files and audit only, no server\n  crm2twenty migrate ./hubspot ./pipedrive --out out  # several exports\n  TWENTY_API_URL=https://crm.example.com TWENTY_API_KEY=... crm2twenty migrate ./export"
    )]
    Migrate {
        /// Folders holding a CRM's export files (.csv, .xlsx), or zips of them, one per export.
        #[arg(required = true)]
        export_dirs: Vec<PathBuf>,
        /// Output folder (a sub-folder per export when several are given).
        #[arg(long, default_value = "crm2twenty-out")]
        out: PathBuf,
        #[command(flatten)]
        common: Common,
        /// With TWENTY_API_URL and TWENTY_API_KEY set: import into the workspace, and create
        /// what it lacks, without asking.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        api: Api,
        #[command(flatten)]
        load: Load,
    },
    /// Propose a mapping file for an export folder (edit it, keep it in git).
    #[command(
        after_help = "Examples:\n  crm2twenty init ./export                    # writes crm2twenty.toml\n  crm2twenty init ./export --preset hubspot --mapping hubspot.toml"
    )]
    Init {
        /// The folder holding the CRM's export files (.csv, .xlsx), or a .zip of them.
        export_dir: PathBuf,
        /// The mapping file to write (the file every other command reads with --mapping).
        /// `--out` is accepted too, as before; elsewhere `--out` is a folder.
        #[arg(long, alias = "out", default_value = "crm2twenty.toml")]
        mapping: PathBuf,
        /// Use this preset instead of detecting the CRM.
        #[arg(long)]
        preset: Option<String>,
        /// Overwrite an existing mapping file.
        #[arg(long)]
        force: bool,
    },
    /// Audit an export: fill rates, invalid values, duplicates, test data, stale records, broken
    /// references. Prints a summary and writes audit.html and audit.json.
    #[command(
        after_help = "Examples:\n  crm2twenty audit ./export\n  crm2twenty audit ./export --json > audit.json"
    )]
    Audit {
        /// The folder holding the CRM's export files (.csv, .xlsx), or a .zip of them.
        export_dir: PathBuf,
        /// Folder for audit.html and audit.json.
        #[arg(long, default_value = "crm2twenty-out")]
        out: PathBuf,
        /// Print the result as JSON on stdout (one document: the audit; the human summary stays
        /// on stderr).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Write Twenty-ready CSV files (plus rejects.csv and ledger.csv) for Twenty's importer.
    #[command(
        after_help = "Examples:\n  crm2twenty export ./export --out twenty-files\n  crm2twenty export ./export --mapping crm2twenty.toml"
    )]
    Export {
        /// The folder holding the CRM's export files (.csv, .xlsx), or a .zip of them.
        export_dir: PathBuf,
        /// Folder for the Twenty-ready files, rejects.csv and ledger.csv.
        #[arg(long, default_value = "crm2twenty-out")]
        out: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Check a mapping file against Twenty's schema and the export's headers.
    #[command(after_help = "Examples:\n  crm2twenty validate ./export --mapping crm2twenty.toml")]
    Validate {
        /// The folder holding the CRM's export files (.csv, .xlsx), or a .zip of them.
        export_dir: PathBuf,
        /// The mapping file to check.
        #[arg(long, default_value = "crm2twenty.toml")]
        mapping: PathBuf,
        /// Print the result as JSON on stdout (one document; the human summary stays on stderr).
        #[arg(long)]
        json: bool,
    },
    /// Compare the Twenty workspace with what the import needs (custom objects, fields, select
    /// options, members, records already there); `--apply` creates what is missing.
    #[command(
        after_help = "Examples:\n  crm2twenty check ./export --mapping crm2twenty.toml\n  crm2twenty check ./export --apply            # create what is missing, after asking"
    )]
    Check {
        /// The folder holding the CRM's export files (.csv, .xlsx), or a .zip of them.
        export_dir: PathBuf,
        /// Create the missing objects, fields and options (asks first unless --yes).
        #[arg(long)]
        apply: bool,
        /// Do not ask before creating.
        #[arg(long)]
        yes: bool,
        /// Print the result as JSON on stdout (one document; the human summary stays on stderr).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        api: Api,
        /// The state file that keeps what --apply created, for the report (default:
        /// crm2twenty-state.sqlite next to the mapping, or here).
        #[arg(long)]
        state: Option<PathBuf>,
    },
    /// Import the records into Twenty through its API: in dependency order, batched,
    /// rate-limited, retried, resumable and idempotent.
    #[command(
        after_help = "Examples:\n  crm2twenty import ./export --mapping crm2twenty.toml\n  crm2twenty import ./export --dry-run          # same as `plan`"
    )]
    Import {
        /// The folder holding the CRM's export files (.csv, .xlsx), or a .zip of them.
        export_dir: PathBuf,
        /// Show what would be created, updated and left unchanged; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write exactly what this saved plan (`plan --save FILE`) says, or nothing if the
        /// export, the mapping or the workspace changed since it was made.
        #[arg(long, value_name = "FILE", conflicts_with = "dry_run")]
        plan: Option<PathBuf>,
        /// Folder for report.html and audit.html (the same as verify's and migrate's).
        #[arg(long, default_value = "crm2twenty-out")]
        out: PathBuf,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        api: Api,
        #[command(flatten)]
        load: Load,
    },
    /// What `import` would do (same as `import --dry-run`); `--save FILE` keeps it for
    /// `import --plan FILE`.
    #[command(
        after_help = "Examples:\n  crm2twenty plan ./export --mapping crm2twenty.toml\n  crm2twenty plan ./export --save plan.json      # then: crm2twenty import ./export --plan plan.json"
    )]
    Plan {
        /// The folder holding the CRM's export files (.csv, .xlsx), or a .zip of them.
        export_dir: PathBuf,
        /// Save the plan to this file: `import --plan FILE` then writes exactly what it says,
        /// or nothing if the export, the mapping or the workspace changed since.
        #[arg(long, value_name = "FILE")]
        save: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        api: Api,
        #[command(flatten)]
        load: Load,
    },
    /// Read the workspace back and compare it with the export and the state file: counts per
    /// object, relations, owners, custom field fill rates, duplicates and a seeded sample compared
    /// field by field. Writes verify.json and the migration report; exits non-zero when a check
    /// falls below its threshold (the mapping's [verify] section; strict by default).
    #[command(
        after_help = "Examples:\n  crm2twenty verify ./export --mapping crm2twenty.toml\n  crm2twenty verify ./export --sample 500 --json > verify.json"
    )]
    Verify {
        /// The folder holding the CRM's export files (.csv, .xlsx), or a .zip of them.
        export_dir: PathBuf,
        /// Folder for verify.json, report.html and audit.html.
        #[arg(long, default_value = "crm2twenty-out")]
        out: PathBuf,
        /// Records compared field by field (default: the mapping's verify.sample_size, 50).
        #[arg(long)]
        sample: Option<usize>,
        /// Seed of the sample (default: the mapping's verify.seed).
        #[arg(long)]
        seed: Option<u64>,
        /// Print the result as JSON on stdout (one document: the verification; the human
        /// summary stays on stderr).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        api: Api,
        /// The state file (default: crm2twenty-state.sqlite next to the mapping, or here).
        #[arg(long)]
        state: Option<PathBuf>,
    },
    /// Undo an import run: delete what it created (targets first, companies last) and put back
    /// the previous values of what it updated. By default the last run (with the interrupted
    /// runs it resumed); a RUN number undoes that run and every later one.
    #[command(
        after_help = "Examples:\n  crm2twenty runs                             # which runs there are\n  crm2twenty rollback --dry-run               # what undoing the last run would do\n  crm2twenty rollback 3 --yes                 # undo run 3 and every later one"
    )]
    Rollback {
        /// The run to undo (see `crm2twenty runs`); default: the last one.
        run: Option<i64>,
        /// List what would be done; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Do not ask before acting.
        #[arg(long)]
        yes: bool,
        /// Delete permanently (default: soft delete, restorable from Twenty's trash).
        #[arg(long)]
        destroy: bool,
        /// The state file (default: crm2twenty-state.sqlite next to --mapping, or here).
        #[arg(long)]
        state: Option<PathBuf>,
        /// The mapping the import used (to find the state file next to it).
        #[arg(long)]
        mapping: Option<PathBuf>,
        #[command(flatten)]
        api: Api,
    },
    /// List the import runs of a state file.
    #[command(
        after_help = "Examples:\n  crm2twenty runs\n  crm2twenty runs --state migration/crm2twenty-state.sqlite"
    )]
    Runs {
        /// The state file (default: crm2twenty-state.sqlite next to --mapping, or here).
        #[arg(long)]
        state: Option<PathBuf>,
        /// The mapping the import used (to find the state file next to it).
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// Print the result as JSON on stdout (one document; the human summary stays on stderr).
        #[arg(long)]
        json: bool,
    },
    /// Write the migration report (report.html): audit, import, verification. Verifies the
    /// workspace first when TWENTY_API_URL and a key are set (unless --no-verify).
    #[command(
        after_help = "Examples:\n  crm2twenty report ./export --mapping crm2twenty.toml\n  crm2twenty report ./export --no-verify       # no server: audit and state file only"
    )]
    Report {
        /// The folder holding the CRM's export files (.csv, .xlsx), or a .zip of them.
        export_dir: PathBuf,
        /// Folder for report.html and audit.html.
        #[arg(long, default_value = "crm2twenty-out")]
        out: PathBuf,
        /// Do not read the workspace: report the audit and the state file only.
        #[arg(long)]
        no_verify: bool,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        api: Api,
        /// The state file (default: crm2twenty-state.sqlite next to the mapping, or here).
        #[arg(long)]
        state: Option<PathBuf>,
    },
    /// List the bundled CRM presets.
    #[command(after_help = "Examples:\n  crm2twenty presets\n  crm2twenty presets --json")]
    Presets {
        /// Print the result as JSON on stdout (one document; the human summary stays on stderr).
        #[arg(long)]
        json: bool,
    },
}

/// Where the workspace is. The API key comes from TWENTY_API_KEY or --api-key-file, never from
/// an argument (it would stay in the shell's history).
#[derive(Debug, Args, Clone)]
pub struct Api {
    /// The workspace's API URL (e.g. https://api.twenty.com, or your server's URL).
    #[arg(long, env = "TWENTY_API_URL", hide_env_values = true)]
    pub api_url: Option<String>,
    /// Read the API key from this file instead of the TWENTY_API_KEY environment variable (the
    /// key is never an argument: it would stay in the shell's history).
    #[arg(long)]
    pub api_key_file: Option<PathBuf>,
    /// The workspace's request budget (Twenty's default is 100 a minute; Cloud may be lower).
    #[arg(long, default_value_t = 100)]
    pub requests_per_minute: u32,
    /// Requests sent back to back before pacing, after an idle minute (Twenty's budget starts
    /// full). Default: half the budget, the rest left to the workspace's other keys; 1 paces
    /// every request.
    #[arg(long, value_name = "N")]
    pub burst: Option<u32>,
    /// Accept a plain http:// URL to another machine (a server on a private network you trust):
    /// the API key then travels unencrypted. Without it, plain http is only for this machine.
    #[arg(long)]
    pub allow_http: bool,
}

#[derive(Debug, Args, Clone)]
pub struct Load {
    /// Records per request (lowered by itself when the server refuses a batch as too large).
    /// 200: both Twenty lines take it (2.19's REST batch and 1.5's GraphQL createMany were
    /// recorded accepting 200), and it is the cap of Twenty's QUERY_MAX_RECORDS.
    #[arg(long, default_value_t = 200)]
    pub batch_size: usize,
    /// Overwrite fields of records already in the workspace (default: fill empty fields only).
    #[arg(long)]
    pub overwrite: bool,
    /// The state file (default: crm2twenty-state.sqlite next to the mapping, or here).
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Print the result as JSON on stdout: a long command's progress as it goes, one event a
    /// line (JSON Lines), the last line the summary (`"event": "summary"`).
    #[arg(long)]
    pub json: bool,
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
    /// Honour this review file: review.csv as `audit`/`migrate` wrote it, with the `decision`
    /// of some rows changed (a merge to `keep` apart, test data or a stale row to `keep`).
    #[arg(long, value_name = "FILE")]
    pub review: Option<PathBuf>,
}
