//! The `knead` command: a thin layer of commands and prompts over the knead library.

mod insight;
mod prompt;
mod study;

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use jiff::civil::Date;
use knead::collection::{self, Collection, Installed, Scope};
use knead::error::Error;
use knead::report;
use knead::session::Limits;
use knead::store::{Access, Store};

const AFTER_HELP: &str = "\
Examples:
  knead                           study today's cards from every deck (same as `knead study`)
  knead study --new 10            study, introducing at most 10 new cards today
  knead study --deck my-deck.ron  study one deck file without installing it
  knead status --json             progress per deck, as JSON
  knead stats --tag lupus         how you are doing with the lupus cards (--json too)
  knead card red-flags-and-safety/rf-dvt-signs   a card's SM-2 state and history
  knead study --exam 2026-12-20   prepare for an exam day by day (--exam none cancels)
  knead decks                     list bundled and installed decks
  knead add my-deck.ron           check a deck and install it for study

Plain mode (automatic when input or output is not a terminal, or with --plain) reads one answer
per line: Enter to show an answer, a grade 0-5, an option number, t/f, a verdict 1-4; q quits.

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
}

/// Which cards a command covers.
#[derive(Args, Clone, Default)]
struct ScopeFlags {
    /// Only this deck, by id (`study` also takes a deck file, studied without installing it);
    /// repeatable
    #[arg(long = "deck", value_name = "ID")]
    decks: Vec<String>,
    /// Only cards with this tag; repeatable
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
}

impl ScopeFlags {
    fn scope(&self) -> Scope {
        Scope {
            decks: self.decks.clone(),
            tags: self.tags.clone(),
        }
    }
}

#[derive(Args)]
struct StatsArgs {
    #[command(flatten)]
    scope: ScopeFlags,
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
struct StudyArgs {
    #[command(flatten)]
    scope: ScopeFlags,
    /// New cards to introduce today at most [default: 20]
    #[arg(long, value_name = "N")]
    new: Option<usize>,
    /// Reviews to do today at most [default: 200]
    #[arg(long, value_name = "N")]
    reviews: Option<usize>,
    /// Seed for shuffling answer options (reproducible sessions)
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Prepare for an exam on this date: every card in scope is seen in the final week and
    /// none is due after the exam; kept until the date (`none` cancels the plan)
    #[arg(long, value_name = "YYYY-MM-DD|none", value_parser = study::parse_exam_date)]
    exam: Option<study::ExamDate>,
    /// With --exam: cards a day at most [default: 200]
    #[arg(long, value_name = "N", requires = "exam", value_parser = clap::value_parser!(u32).range(1..))]
    max_per_day: Option<u32>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report_error(&error);
            ExitCode::from(error.exit_code() as u8)
        }
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

fn run(cli: Cli) -> Result<(), Error> {
    let global = cli.global;
    let dir = data_dir(&global)?;
    let today = global.today.unwrap_or_else(knead::day::today);
    match cli.command.unwrap_or(Command::Study(StudyArgs::default())) {
        Command::Study(args) => {
            let defaults = Limits::default();
            let (files, decks) = study::files_and_ids(&args.scope.decks);
            study::run(study::StudyOptions {
                data_dir: dir,
                today,
                plain: global.plain,
                files,
                scope: Scope {
                    decks,
                    tags: args.scope.tags,
                },
                exam: args.exam,
                max_per_day: args.max_per_day.map(|n| n as usize),
                limits: Limits {
                    new_per_day: args.new.unwrap_or(defaults.new_per_day),
                    reviews_per_day: args.reviews.unwrap_or(defaults.reviews_per_day),
                },
                seed: args.seed,
            })
        }
        Command::Status { json } => {
            let collection = Collection::standard(&dir)?;
            let (store, _) = Store::open(&dir, Access::ReadOnly)?;
            let status = report::status(&collection, &store, today);
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&status).expect("status serialises")
                );
            } else {
                print_status(&status);
            }
            Ok(())
        }
        Command::Stats(args) => insight::stats(
            &dir,
            today,
            &args.scope.scope(),
            args.json,
            insight::width(args.width),
        ),
        Command::Card(args) => {
            insight::card(&dir, &args.card, args.json, insight::width(args.width))
        }
        Command::Decks => {
            let collection = Collection::standard(&dir)?;
            let mut counts = vec![0usize; collection.decks().len()];
            for item in collection.items() {
                counts[item.deck] += 1;
            }
            println!("{:<28} {:>6}  {:<10} TITLE", "DECK", "CARDS", "FROM");
            for (loaded, count) in collection.decks().iter().zip(counts) {
                println!(
                    "{:<28} {:>6}  {:<10} {} (v{})",
                    loaded.deck.id,
                    count,
                    loaded.origin.kind(),
                    loaded.deck.title,
                    loaded.deck.version
                );
            }
            Ok(())
        }
        Command::Add { file } => {
            match collection::install(&dir, &file)? {
                Installed::Added { id, path } => {
                    println!(
                        "Installed deck `{id}` into {}. `knead study` now includes it.",
                        path.display()
                    )
                }
                Installed::Updated {
                    id,
                    path,
                    from_version,
                    to_version,
                } => println!(
                    "Updated deck `{id}` (v{from_version} -> v{to_version}) in {}; progress on its cards is kept.",
                    path.display()
                ),
            }
            Ok(())
        }
    }
}

fn print_status(status: &report::Status) {
    println!("Today: {}", status.today);
    println!(
        "{:<28} {:>6} {:>6} {:>6} {:>8}",
        "DECK", "CARDS", "NEW", "DUE", "LEARNED"
    );
    for deck in &status.decks {
        println!(
            "{:<28} {:>6} {:>6} {:>6} {:>8}",
            deck.id, deck.cards, deck.new, deck.due, deck.learned
        );
    }
    println!(
        "Reviews: {} in total, {} today.",
        status.reviews_total, status.reviews_today
    );
}

/// Renders an error once, at the edge: located diagnostics for files, otherwise a message and
/// a hint.
fn report_error(error: &Error) {
    let styled = io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    match error {
        Error::Deck(errors) => {
            for diagnostic in &errors.diagnostics {
                eprintln!("{}", diagnostic.render(styled));
            }
            let count = errors.diagnostics.len();
            eprintln!(
                "{count} problem{} found; fix {} and run knead again.",
                if count == 1 { "" } else { "s" },
                if count == 1 { "it" } else { "them" }
            );
        }
        Error::DamagedProgress(diagnostic) => {
            eprintln!("{}", diagnostic.render(styled));
            eprintln!("knead stopped without changing any progress file.");
        }
        other => {
            eprintln!("error: {other}");
            if let Some(help) = other.help() {
                eprintln!("help: {help}");
            }
        }
    }
}
