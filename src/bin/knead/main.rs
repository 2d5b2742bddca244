//! The `knead` command: a thin layer of commands and prompts over the knead library.
//!
//! It prints only through [`out`], which makes deck and import text terminal-safe; the lints
//! below keep it that way.
#![deny(clippy::print_stdout, clippy::print_stderr)]

#[macro_use]
mod out;
mod author;
mod insight;
mod interchange;
mod prompt;
mod study;

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgGroup, Args, Parser, Subcommand};
use jiff::civil::Date;
use knead::checks::Strictness;
use knead::collection::{self, Collection, DeckRef, Installed, Scope};
use knead::error::Error;
use knead::history::LeechRule;
use knead::report;
use knead::session::{self, Limits, Mode};
use knead::store::{Access, Store};

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
    /// Study as if today were this date (tests, demos, previewing a deck weeks ahead)
    #[arg(long, global = true, env = "KNEAD_TODAY", value_name = "YYYY-MM-DD")]
    today: Option<Date>,
    /// Numbered line prompts instead of the interactive ones (scripts, screen readers)
    #[arg(long, global = true)]
    plain: bool,
}

/// When a card counts as a leech (for study, and for the reports that flag leeches).
#[derive(Args, Clone, Debug, Default)]
struct LeechArgs {
    /// Lapses (answers graded below 3) that make a card a leech [default: 8]
    #[arg(long, env = "KNEAD_LEECH_LAPSES", value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    leech_lapses: Option<u32>,
}

impl LeechArgs {
    fn rule(&self) -> LeechRule {
        let default = LeechRule::default();
        LeechRule {
            lapses: self.leech_lapses.unwrap_or(default.lapses),
            ..default
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Study the cards due today, then new ones (the default command)
    Study(StudyArgs),
    /// Show cards, new, due and learned per deck, and review counts
    Status {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// How you are doing: today, streak, forecast, calendar, retention, weakest cards, leeches
    Stats(StatsArgs),
    /// One card as studied, its SM-2 state and its full review history
    Card(CardArgs),
    /// List the bundled and installed decks with their card counts
    Decks,
    /// Check a deck file and install it into the data directory for study
    Add {
        /// The deck file (RON)
        file: PathBuf,
    },
    /// Check deck files or folders: every problem, located, with a fix
    Check {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Fail on warnings too; a missing `why` or `source` becomes an error
        #[arg(long)]
        strict: bool,
        /// How to print the problems
        #[arg(long, value_enum, default_value_t)]
        format: author::Format,
    },
    /// Write a commented starter deck with one example of each card kind
    New {
        /// The new deck's id (lowercase letters, digits and '-')
        id: String,
        /// The deck's title [default: from the id]
        #[arg(long)]
        title: Option<String>,
        /// Where to write it [default: ID.ron]
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Replace the file if it exists
        #[arg(long)]
        force: bool,
    },
    /// Print a deck's cards as students see them, with answers and explanations
    Show {
        /// A deck id (see `knead decks`) or a .ron file
        deck: String,
        /// Only this card
        #[arg(long, value_name = "ID")]
        card: Option<String>,
    },
    /// Turn a spreadsheet CSV or an Anki plain-text export into a deck file
    Import(interchange::ImportArgs),
    /// Write a deck for Anki, or as a printable Markdown handout
    Export {
        #[command(subcommand)]
        format: interchange::ExportCommand,
    },
    /// Take back the latest answer and its effect on the schedule (repeat to step back)
    Undo,
}

/// Which decks and cards a command works on.
#[derive(Args, Clone, Debug, Default)]
struct ScopeArgs {
    /// Only this deck: an id (see `knead decks`) or a deck file, studied without installing
    /// it; repeat for several
    #[arg(long, value_name = "ID|PATH")]
    deck: Vec<String>,
    /// Only cards with this tag; repeat for several (a card with any of them is in)
    #[arg(long, value_name = "TAG")]
    tag: Vec<String>,
}

impl ScopeArgs {
    fn deck_refs(&self) -> Vec<DeckRef> {
        self.deck
            .iter()
            .map(|value| DeckRef::parse(value))
            .collect()
    }
}

#[derive(Args)]
struct StatsArgs {
    #[command(flatten)]
    scope: ScopeArgs,
    /// Print JSON instead of text (layout: docs/stats-json.md)
    #[arg(long)]
    json: bool,
    /// Lay the text out for this many columns [default: the terminal's, else $COLUMNS, else 80]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(insight::MIN_WIDTH as i64..))]
    width: Option<u16>,
}

#[derive(Args)]
struct CardArgs {
    /// The deck id and the card id, e.g. red-flags-and-safety/rf-dvt-signs
    #[arg(value_name = "DECK/CARD")]
    card: String,
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
    /// Lay the text out for this many columns [default: the terminal's, else $COLUMNS, else 80]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(insight::MIN_WIDTH as i64..))]
    width: Option<u16>,
}

#[derive(Args, Default)]
#[command(group(ArgGroup::new("unscheduled").args(["cram", "leeches"]).multiple(true)))]
struct StudyArgs {
    #[command(flatten)]
    scope: ScopeArgs,
    #[command(flatten)]
    leech: LeechArgs,
    /// New cards to introduce today at most [default: 20]
    #[arg(long, value_name = "N", conflicts_with = "unscheduled")]
    new: Option<usize>,
    /// Reviews to do today at most [default: 200]
    #[arg(long, value_name = "N", conflicts_with = "unscheduled")]
    reviews: Option<usize>,
    /// Review cards now whatever their schedule, weakest first, without changing it
    #[arg(long)]
    cram: bool,
    /// Drill only leeches (cards that keep slipping), critical first; like --cram, schedules
    /// do not change
    #[arg(long)]
    leeches: bool,
    /// With --cram or --leeches: ask at most N cards
    #[arg(long, value_name = "N", requires = "unscheduled")]
    max: Option<usize>,
    /// Seed for shuffling answer options (reproducible sessions)
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Prepare for an exam on this date: every card in scope is seen in the final week and
    /// none is due after the exam; kept until the date (`none` cancels the plan)
    #[arg(long, value_name = "YYYY-MM-DD|none", value_parser = study::parse_exam_date, conflicts_with = "unscheduled")]
    exam: Option<study::ExamDate>,
    /// With --exam: cards a day at most [default: 200]
    #[arg(long, value_name = "N", requires = "exam", value_parser = clap::value_parser!(u32).range(1..))]
    max_per_day: Option<u32>,
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
fn print_clock_notes() {
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
    let dir = data_dir(&global)?;
    configure_cache(&global);
    // Only the commands that need the date read the clock (`knead check` never does).
    let today = || {
        let today = global.today.unwrap_or_else(knead::day::today);
        print_clock_notes();
        today
    };
    match cli.command.unwrap_or(Command::Study(StudyArgs::default())) {
        Command::Study(args) => {
            if global.today.is_none() && !knead::day::clock_in_range() {
                return Err(Error::ClockOutOfRange);
            }
            let today = today();
            let defaults = Limits::default();
            let mode = if args.cram || args.leeches {
                Mode::Cram {
                    max: args.max,
                    leeches_only: args.leeches,
                }
            } else {
                Mode::Scheduled(Limits {
                    new_per_day: args.new.unwrap_or(defaults.new_per_day),
                    reviews_per_day: args.reviews.unwrap_or(defaults.reviews_per_day),
                })
            };
            study::run(study::StudyOptions {
                data_dir: dir,
                today,
                plain: global.plain,
                decks: args.scope.deck_refs(),
                tags: args.scope.tag,
                session: session::Options {
                    mode,
                    leech_rule: args.leech.rule(),
                    seed: args.seed,
                },
                exam: args.exam,
                max_per_day: args.max_per_day.map(|n| n as usize),
            })?;
        }
        Command::Undo => {
            let (mut store, notices) = Store::open(&dir, Access::Exclusive)?;
            for notice in notices {
                errln!("note: {}", notice.0);
            }
            match store.undo_last()? {
                Some(undone) => outln!("{}", study::undone_text(&undone)),
                None => {
                    return Err(Error::NothingToUndo {
                        log: store.journal_path(),
                    });
                }
            }
        }
        Command::Status { json } => {
            let collection = Collection::standard(&dir)?;
            let (store, _) = Store::open(&dir, Access::ReadOnly)?;
            let status = report::status(&collection, &store, today());
            if json {
                out::json(&status, true);
            } else {
                print_status(&status);
            }
        }
        Command::Stats(args) => insight::stats(
            &dir,
            today(),
            &Scope {
                decks: args.scope.deck,
                tags: args.scope.tag,
            },
            args.json,
            insight::width(args.width),
        )?,
        Command::Card(args) => {
            insight::card(&dir, &args.card, args.json, insight::width(args.width))?
        }
        Command::Decks => {
            let collection = Collection::standard(&dir)?;
            let mut counts = vec![0usize; collection.decks().len()];
            for item in collection.items() {
                counts[item.deck] += 1;
            }
            outln!("{:<28} {:>6}  {:<10} TITLE", "DECK", "CARDS", "FROM");
            for (loaded, count) in collection.decks().iter().zip(counts) {
                outln!(
                    "{:<28} {:>6}  {:<10} {} (v{})",
                    loaded.deck.id,
                    count,
                    loaded.origin.kind(),
                    loaded.deck.title,
                    loaded.deck.version
                );
            }
        }
        Command::Import(args) => interchange::import(args)?,
        Command::Export { format } => interchange::export(format, &dir)?,
        Command::Add { file } => match collection::install(&dir, &file)? {
            Installed::Added { id, path } => {
                outln!(
                    "Installed deck `{id}` into {}. `knead study` now includes it.",
                    path.display()
                )
            }
            Installed::Updated {
                id,
                path,
                from_version,
                to_version,
            } => outln!(
                "Updated deck `{id}` (v{from_version} -> v{to_version}) in {}; progress on its cards is kept.",
                path.display()
            ),
        },
        Command::Check {
            paths,
            strict,
            format,
        } => {
            let strictness = if strict {
                Strictness::Strict
            } else {
                Strictness::Normal
            };
            return Ok(ExitCode::from(author::check(&paths, strictness, format)));
        }
        Command::New {
            id,
            title,
            output,
            force,
        } => {
            let path = author::new(&id, title.as_deref(), output.as_deref(), force)?;
            outln!(
                "Wrote {}. Edit it, then `knead check --strict {}`.",
                path.display(),
                path.display()
            );
        }
        Command::Show { deck, card } => author::show(&deck, card.as_deref(), &dir)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn print_status(status: &report::Status) {
    outln!("Today: {}", status.today);
    outln!(
        "{:<28} {:>6} {:>6} {:>6} {:>8}",
        "DECK",
        "CARDS",
        "NEW",
        "DUE",
        "LEARNED"
    );
    for deck in &status.decks {
        outln!(
            "{:<28} {:>6} {:>6} {:>6} {:>8}",
            deck.id,
            deck.cards,
            deck.new,
            deck.due,
            deck.learned
        );
    }
    outln!(
        "Reviews: {} in total, {} today.",
        status.reviews_total,
        status.reviews_today
    );
    outln!("This device: {}", status.device);
    for device in &status.devices {
        let latest = device.latest.map_or_else(
            || "no entries yet".to_owned(),
            |at| format!("latest {}", at.strftime("%Y-%m-%d %H:%M UTC")),
        );
        outln!(
            "  {:<28} {:>6} entries, {latest}{}",
            device.id,
            device.entries,
            if device.this { " (this device)" } else { "" }
        );
    }
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
