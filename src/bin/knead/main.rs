//! The `knead` command: a thin layer of commands and prompts over the knead library.

mod author;
mod interchange;
mod prompt;
mod study;

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use jiff::civil::Date;
use knead::checks::Strictness;
use knead::collection::{self, Collection, Installed};
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
  knead decks                     list bundled and installed decks
  knead add my-deck.ron           check a deck and install it for study
  knead new my-deck               write a commented starter deck to my-deck.ron
  knead check --strict decks/     check deck files as a class will get them (exit 0, 1 or 2)
  knead show my-deck.ron          proofread a deck's cards, answers and explanations
  knead import a.csv --id lupus   a spreadsheet or Anki export as a deck file (RON)
  knead export markdown lupus     a printable handout of a deck (also: export anki)

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
    /// List the bundled and installed decks with their card counts
    Decks,
    /// Check a deck file and install it into the data directory for study
    Add {
        /// The deck file (RON)
        file: PathBuf,
    },
    /// Check deck files (or every .ron file in folders): exit 0 clean, 1 warnings with
    /// --strict, 2 errors
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
}

#[derive(Args, Default)]
struct StudyArgs {
    /// Study only this deck file (not installed, progress kept as usual)
    #[arg(long, value_name = "PATH")]
    deck: Option<PathBuf>,
    /// New cards to introduce today at most [default: 20]
    #[arg(long, value_name = "N")]
    new: Option<usize>,
    /// Reviews to do today at most [default: 200]
    #[arg(long, value_name = "N")]
    reviews: Option<usize>,
    /// Seed for shuffling answer options (reproducible sessions)
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
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

fn run(cli: Cli) -> Result<ExitCode, Error> {
    let global = cli.global;
    let dir = data_dir(&global)?;
    let today = global.today.unwrap_or_else(knead::day::today);
    match cli.command.unwrap_or(Command::Study(StudyArgs::default())) {
        Command::Study(args) => {
            let defaults = Limits::default();
            study::run(study::StudyOptions {
                data_dir: dir,
                today,
                plain: global.plain,
                deck: args.deck,
                limits: Limits {
                    new_per_day: args.new.unwrap_or(defaults.new_per_day),
                    reviews_per_day: args.reviews.unwrap_or(defaults.reviews_per_day),
                },
                seed: args.seed,
            })?;
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
        }
        Command::Import(args) => interchange::import(args)?,
        Command::Export { format } => interchange::export(format, &dir)?,
        Command::Add { file } => match collection::install(&dir, &file)? {
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
            println!(
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
