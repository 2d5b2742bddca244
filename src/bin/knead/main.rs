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

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use knead::error::Error;

use commands::Context;

/// mimalloc instead of the system allocator: start-up builds a few hundred thousand small
/// strings (card text, progress keys) on several threads, and glibc's malloc spent a fifth of
/// the time to the first card growing and protecting its arenas. Measured at 100,000 cards
/// with the same code built both ways: first card 155 → 92 ms, one answer then quit
/// 208 → 100 ms; the price is `knead stats` peaking at about 104 MB instead of 99.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const AFTER_HELP: &str = "\
Examples:
  knead                           study today's cards (same as `knead study`, with its options)
  knead study --cram --tag lupus  review every lupus card now, schedule unchanged
  knead study --exam 2026-12-20   prepare for an exam day by day (--exam none cancels)
  knead undo                      take back the latest answer (repeat to step back further)
  knead stats --tag lupus         how you are doing with the lupus cards (--json too)
  knead card red-flags-and-safety/rf-dvt-signs   a card's SM-2 state and history
  knead status --json             progress per deck, as JSON
  knead decks                     list bundled and installed decks
  knead check --strict decks/     check deck files before a class sees them (exit 0, 1 or 2)
  knead add my-deck.ron           check a deck and install it for study
  knead import a.csv --id lupus   a spreadsheet or Anki export as a deck (and `export anki`)

Plain mode (--plain, TERM=dumb, or input or output not a terminal) reads one answer per line:
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
    /// `knead` alone is `knead study`: it takes the same options (hidden from `knead --help`,
    /// which lists commands; `knead study --help` lists them).
    #[command(flatten)]
    study: commands::study::StudyArgs,
    #[command(flatten)]
    day: args::DayArgs,
    #[command(flatten)]
    plain: args::PlainArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args)]
struct GlobalArgs {
    /// Where progress and installed decks are kept [env: KNEAD_DATA_DIR] [default: the
    /// platform data directory]
    // The environment is read in `data_dir`, not by clap, whose usage lines would show a value
    // from the environment as if it were a required option.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Study the cards due today, then new ones (the default command)
    Study {
        #[command(flatten)]
        args: commands::study::StudyArgs,
        #[command(flatten)]
        day: args::DayArgs,
        #[command(flatten)]
        plain: args::PlainArgs,
    },
    /// Show cards, new, due and learned per deck, and review counts
    Status {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        day: args::DayArgs,
    },
    /// How you are doing: streak, forecast, calendar, retention, weakest cards, leeches
    Stats {
        #[command(flatten)]
        args: commands::stats::StatsArgs,
        #[command(flatten)]
        day: args::DayArgs,
        #[command(flatten)]
        plain: args::PlainArgs,
    },
    /// One card as studied, its SM-2 state and its full review history
    Card(commands::card::CardArgs),
    /// List the bundled and installed decks with their card counts
    Decks,
    /// Check a deck file and install it into the data directory for study
    Add {
        /// The deck file (RON)
        file: PathBuf,
    },
    /// Uninstall a deck added with `knead add`; progress on its cards is kept
    Remove(commands::remove::RemoveArgs),
    /// Check deck files or folders: every problem, located, with a fix
    Check(commands::check::CheckArgs),
    /// Write a commented starter deck with one example of each card kind
    New(commands::new::NewArgs),
    /// Print a deck's cards as students see them, with answers and explanations
    Show(commands::show::ShowArgs),
    /// Turn a CSV, an Anki text export or an Anki package (.apkg) into deck files
    Import(commands::import::ImportArgs),
    /// Write decks as an Anki package or text, a Moodle GIFT quiz, or a Markdown handout
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
    /// Print a shell completion script (`knead man` prints the manual page)
    Completions(commands::completions::CompletionsArgs),
    /// Print knead's manual page (roff; `knead man | man -l -` reads it)
    #[command(hide = true)]
    Man,
}

impl Command {
    /// The `--today` and `--plain` given after the command, for the commands that take them.
    fn day_and_plain(&self) -> (Option<&args::DayArgs>, Option<&args::PlainArgs>) {
        match self {
            Command::Study { day, plain, .. } | Command::Stats { day, plain, .. } => {
                (Some(day), Some(plain))
            }
            Command::Status { day, .. } => (Some(day), None),
            _ => (None, None),
        }
    }
}

/// knead's command line as clap sees it: the derived one, with the study options `knead`
/// alone takes hidden from `knead --help`, and the real default data directory in the help.
pub fn cli_command() -> clap::Command {
    let study_options = study_option_ids();
    let data_dir_help = match default_data_dir() {
        Ok(dir) => format!(
            "Where progress and installed decks are kept [env: {DATA_DIR_ENV}] [default: {}]",
            dir.display()
        ),
        Err(_) => format!("Where progress and installed decks are kept [env: {DATA_DIR_ENV}]"),
    };
    Cli::command()
        .mut_args(|arg| {
            if study_options.iter().any(|id| arg.get_id() == id) {
                arg.hide(true)
            } else {
                arg
            }
        })
        .mut_arg("data_dir", |arg| arg.help(data_dir_help))
}

/// The ids of the options `knead study` takes (not `--today`, `--plain` or `--data-dir`).
fn study_option_ids() -> Vec<clap::Id> {
    commands::study::StudyArgs::augment_args(clap::Command::new("study"))
        .get_arguments()
        .map(|arg| arg.get_id().clone())
        .collect()
}

/// Parses the command line; a study option before another command is a usage error (it
/// would be silently ignored).
fn parse() -> (Cli, Option<String>) {
    let mut command = cli_command();
    let matches = command.get_matches_mut();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
    if let Some((name, _)) = matches.subcommand().filter(|(name, _)| *name != "study") {
        let misplaced = study_option_ids().into_iter().find(|id| {
            matches.value_source(id.as_str()) == Some(clap::parser::ValueSource::CommandLine)
        });
        if let Some(id) = misplaced {
            let flag = format!("--{}", id.as_str().replace('_', "-"));
            command
                .error(
                    clap::error::ErrorKind::ArgumentConflict,
                    format!(
                        "`{flag}` is an option of `knead study`, not of `knead {name}`: give it after `study`, or give no command"
                    ),
                )
                .exit();
        }
    }
    let name = matches.subcommand_name().map(str::to_owned);
    (cli, name)
}

fn main() -> ExitCode {
    // `knead stats | head` closes the pipe early: end quietly, as Unix tools do, rather than
    // panic on the next print. (Answers are saved before anything is printed about them.)
    #[cfg(unix)]
    // SAFETY: restores the default disposition of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let (cli, command_name) = parse();
    let data_dir = data_dir(&cli.global);
    let data_dir_in_use = data_dir.as_ref().ok().cloned();
    let result = data_dir.and_then(|data_dir| run(cli, data_dir));
    print_clock_notes();
    match result {
        Ok(code) => code,
        Err(error) => {
            report_error(&error, data_dir_in_use.as_deref(), command_name.as_deref());
            ExitCode::from(error.exit_code())
        }
    }
}

/// What knead made do with for the clock or the time zone (see `knead::day`), said once.
pub fn print_clock_notes() {
    for note in knead::day::take_notes() {
        errln!("note: {note}");
    }
}

/// `--data-dir`, else `KNEAD_DATA_DIR`, else the platform's.
fn data_dir(global: &GlobalArgs) -> Result<PathBuf, Error> {
    match global.data_dir.clone().or_else(data_dir_from_env) {
        Some(dir) => Ok(dir),
        None => default_data_dir(),
    }
}

const DATA_DIR_ENV: &str = "KNEAD_DATA_DIR";

fn data_dir_from_env() -> Option<PathBuf> {
    std::env::var_os(DATA_DIR_ENV)
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
}

/// The platform data directory's `knead` folder (`~/.local/share/knead` on Linux).
fn default_data_dir() -> Result<PathBuf, Error> {
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
    } else if let Some(data_dir) = global.data_dir.clone().or_else(data_dir_from_env) {
        if let Ok(device) = knead::store::device::this_device() {
            knead::cache::set_dir(knead::store::local_dir(&data_dir, &device).join("cache"));
        }
    } else {
        use etcetera::BaseStrategy;
        if let Ok(strategy) = etcetera::choose_base_strategy() {
            knead::cache::set_dir(strategy.cache_dir().join("knead"));
        }
    }
}

fn run(cli: Cli, data_dir: PathBuf) -> Result<ExitCode, Error> {
    let (day, plain) = cli
        .command
        .as_ref()
        .map_or((None, None), Command::day_and_plain);
    let context = Context {
        data_dir,
        // TERM=dumb wants line prompts and no colour, as --plain gives.
        plain: cli.plain.plain || plain.is_some_and(|p| p.plain) || out::dumb_terminal(),
        today_override: match args::today(day, &cli.day) {
            // Only a command that uses the date refuses a bad one (`knead check` never reads
            // it, nor the clock).
            Err(_) if cli.command.is_some() && day.is_none() => None,
            today => today?,
        },
    };
    configure_cache(&cli.global);
    let command = cli.command.unwrap_or(Command::Study {
        args: cli.study,
        day: cli.day,
        plain: cli.plain,
    });
    if matches!(command, Command::Study { .. } | Command::Add { .. }) && !context.data_dir.exists()
    {
        // The first command that keeps anything: say where, once (the folder exists after).
        errln!(
            "note: knead keeps your progress in {} (`--data-dir DIR` or KNEAD_DATA_DIR keeps it elsewhere; `knead status` shows where).",
            context.data_dir.display()
        );
    }
    match command {
        Command::Study { args, .. } => commands::study::run(&context, args)?,
        Command::Undo => commands::undo::run(&context)?,
        Command::Status { json, .. } => commands::status::run(&context, json)?,
        Command::Stats { args, .. } => commands::stats::run(&context, args)?,
        Command::Card(args) => commands::card::run(&context, args)?,
        Command::Decks => commands::decks::run(&context)?,
        Command::Import(args) => commands::import::run(&context, args)?,
        Command::Export { format } => commands::export::run(format, &context.data_dir)?,
        Command::Add { file } => commands::add::run(&context, &file)?,
        Command::Remove(args) => commands::remove::run(&context, args)?,
        Command::Check(args) => return Ok(commands::check::run(args)),
        Command::New(args) => commands::new::run(args)?,
        Command::Show(args) => commands::show::run(&context, args)?,
        Command::Report(args) => commands::report::run(&context, args)?,
        Command::Class(args) => commands::class::run(&context, args)?,
        Command::Completions(args) => commands::completions::run(args)?,
        Command::Man => commands::completions::man()?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Renders an error once, at the edge: located diagnostics for files, otherwise a message and
/// a hint (both may quote deck text: `out` shows it terminal-safe).
fn report_error(error: &Error, data_dir: Option<&std::path::Path>, command: Option<&str>) {
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
            if let Some(help) = other.help_in(data_dir, command) {
                errln!("help: {help}");
            }
        }
    }
}
