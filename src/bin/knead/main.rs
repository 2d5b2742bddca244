//! The `knead` command: a thin layer of commands and prompts over the knead library.
//!
//! It prints only through [`out`], which makes deck and import text terminal-safe; the lints
//! below keep it that way.
#![deny(clippy::print_stdout, clippy::print_stderr)]

#[macro_use]
mod out;
mod args;
mod commands;
mod prompt;

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use jiff::civil::Date;
use knead::error::Error;

use commands::Context;

const AFTER_HELP: &str = "\
Examples:
  knead                           study today's cards from every deck (same as `knead study`)
  knead study --cram --tag lupus  review every lupus card now, schedule unchanged
  knead study --exam 2026-12-20   prepare for an exam day by day (--exam none cancels)
  knead undo                      take back the latest answer (repeat to step back further)
  knead stats --tag lupus         how you are doing with the lupus cards (--json too)
  knead card red-flags-and-safety/rf-dvt-signs   a card's SM-2 state and history
  knead status --json             progress per deck, as JSON
  knead decks                     list bundled and installed decks
  knead new my-deck               write a commented starter deck to my-deck.ron
  knead check --strict decks/     check deck files before a class sees them (exit 0, 1 or 2)
  knead show my-deck.ron          proofread a deck's cards, answers and explanations
  knead add my-deck.ron           check a deck and install it for study
  knead import a.csv --id lupus   a spreadsheet or Anki export as a deck (and `export anki`)

Plain mode (with --plain, or when input or output is not a terminal) reads one answer per line:
Enter to show an answer, a grade 0-5, an option number, t/f, a verdict 1-4; u undoes; q quits.

knead is an educational aid for massage-therapy students. It does not replace clinical
judgement, supervision, or a client's medical care.";

/// Spaced-repetition flashcards for massage therapists: autoimmune conditions, technique
/// suitability, contraindications and red flags.
#[derive(Parser)]
#[command(name = "knead", version, after_help = AFTER_HELP)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args)]
struct GlobalArgs {
    /// Where progress and installed decks are kept [default: the platform data directory]
    #[arg(long, global = true, env = "KNEAD_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Study as if today were this date (tests, demos)
    #[arg(long, global = true, env = "KNEAD_TODAY", value_name = "YYYY-MM-DD")]
    today: Option<Date>,
    /// Numbered line prompts, not interactive ones (scripts, screen readers)
    #[arg(long, global = true)]
    plain: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Study the cards due today, then new ones (the default command)
    Study(commands::study::StudyArgs),
    /// Show cards, new, due and learned per deck, and review counts
    Status {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// How you are doing: today, streak, forecast, calendar, retention, weakest cards, leeches
    Stats(commands::stats::StatsArgs),
    /// One card as studied, its SM-2 state and its full review history
    Card(commands::card::CardArgs),
    /// List the bundled and installed decks with their card counts
    Decks,
    /// Check a deck file and install it into the data directory for study
    Add {
        /// The deck file (RON)
        file: PathBuf,
    },
    /// Check deck files or folders: every problem, located, with a fix
    Check(commands::check::CheckArgs),
    /// Write a commented starter deck with one example of each card kind
    New(commands::new::NewArgs),
    /// Print a deck's cards as students see them, with answers and explanations
    Show(commands::show::ShowArgs),
    /// Turn a spreadsheet CSV or an Anki plain-text export into a deck file
    Import(commands::import::ImportArgs),
    /// Write a deck for Anki, or as a printable Markdown handout
    Export {
        #[command(subcommand)]
        format: commands::export::ExportCommand,
    },
    /// Take back the latest answer and its effect on the schedule (repeat to step back)
    Undo,
    /// Write the small report a student hands in for their class (no free text, no times)
    Report(commands::report::ReportArgs),
    /// For instructors: what a class's reports say, card by card, and which cards to fix
    Class(commands::class::ClassArgs),
}

fn main() -> ExitCode {
    // `knead stats | head` closes the pipe early: end quietly, as Unix tools do, rather than
    // panic on the next print. (Answers are saved before anything is printed about them.)
    #[cfg(unix)]
    // SAFETY: restores the default disposition of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let result = run(cli);
    print_clock_notes();
    match result {
        Ok(code) => code,
        Err(error) => {
            report_error(&error);
            ExitCode::from(error.exit_code() as u8)
        }
    }
}

/// What knead made do with for the clock or the time zone (see `knead::day`), said once.
pub fn print_clock_notes() {
    for note in knead::day::take_notes() {
        errln!("note: {note}");
    }
}

fn data_dir(global: &GlobalArgs) -> Result<PathBuf, Error> {
    if let Some(dir) = &global.data_dir {
        return Ok(dir.clone());
    }
    use etcetera::BaseStrategy;
    let strategy = etcetera::choose_base_strategy().map_err(|e| Error::Io {
        action: "find the home directory for",
        path: PathBuf::from("the data directory"),
        source: io::Error::other(e.to_string()),
    })?;
    Ok(strategy.data_dir().join("knead"))
}

/// Where compiled caches go: `KNEAD_CACHE_DIR` if set; beside the data, in this device's own
/// folder (`DIR/local/<device>/cache`), when the data directory is given (`--data-dir`,
/// `KNEAD_DATA_DIR`), so such a directory is self-contained and a synced one never has two
/// devices writing one cache file; otherwise the platform cache directory (`~/.cache/knead` on
/// Linux), which is this machine's anyway.
fn configure_cache(global: &GlobalArgs) {
    if let Some(dir) = std::env::var_os("KNEAD_CACHE_DIR").filter(|d| !d.is_empty()) {
        knead::cache::set_dir(PathBuf::from(dir));
    } else if let Some(data_dir) = &global.data_dir {
        if let Ok(device) = knead::store::device::this_device() {
            knead::cache::set_dir(knead::store::local_dir(data_dir, &device).join("cache"));
        }
    } else {
        use etcetera::BaseStrategy;
        if let Ok(strategy) = etcetera::choose_base_strategy() {
            knead::cache::set_dir(strategy.cache_dir().join("knead"));
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    let global = cli.global;
    let context = Context {
        data_dir: data_dir(&global)?,
        plain: global.plain,
        today_override: global.today,
    };
    configure_cache(&global);
    match cli.command.unwrap_or(Command::Study(Default::default())) {
        Command::Study(args) => commands::study::run(&context, args)?,
        Command::Undo => commands::undo::run(&context)?,
        Command::Status { json } => commands::status::run(&context, json)?,
        Command::Stats(args) => commands::stats::run(&context, args)?,
        Command::Card(args) => commands::card::run(&context, args)?,
        Command::Decks => commands::decks::run(&context)?,
        Command::Import(args) => commands::import::run(args)?,
        Command::Export { format } => commands::export::run(format, &context.data_dir)?,
        Command::Add { file } => commands::add::run(&context, &file)?,
        Command::Check(args) => return Ok(commands::check::run(args)),
        Command::New(args) => commands::new::run(args)?,
        Command::Show(args) => commands::show::run(&context, args)?,
        Command::Report(args) => commands::report::run(&context, args)?,
        Command::Class(args) => commands::class::run(&context, args)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Renders an error once, at the edge: located diagnostics for files, otherwise a message and
/// a hint (both may quote deck text: `out` shows it terminal-safe).
fn report_error(error: &Error) {
    match error {
        Error::Deck(errors) => {
            for diagnostic in &errors.diagnostics {
                out::diagnostic(out::Stream::Stderr, diagnostic, "");
            }
            // A summary stands for the diagnostics it left out.
            let count: usize = errors.diagnostics.iter().map(|d| d.count()).sum();
            errln!(
                "{count} problem{} found; fix {} and run knead again.",
                if count == 1 { "" } else { "s" },
                if count == 1 { "it" } else { "them" }
            );
        }
        Error::DamagedProgress(diagnostic) => {
            out::diagnostic(out::Stream::Stderr, diagnostic, "");
            errln!("knead stopped without changing any progress file.");
        }
        other => {
            errln!("error: {other}");
            if let Some(help) = other.help() {
                errln!("help: {help}");
            }
        }
    }
}
