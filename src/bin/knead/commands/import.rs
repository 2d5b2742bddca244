//! `knead import FILE`: a spreadsheet CSV, an Anki plain-text export or an Anki package
//! (`.apkg`, `.colpkg`) as deck files; with `--progress`, a package's Anki schedule and review
//! history into the data directory too.

use crate::out::{self, refuse_to_overwrite, write_output};
use clap::{Args, ValueEnum};
use knead::deck;
use knead::error::Error;
use knead::error::IoContext;
use knead::interchange::apkg::progress::{AnkiProgress, ImportClock};
use knead::interchange::apkg::{self, PackageOptions};
use knead::interchange::{self, Format, ImportOptions};
use knead::store::{Access, ReviewKind, Store};
use knead::text;
use std::collections::HashSet;
use std::io::Read;

use super::Context;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct ImportArgs {
    /// A spreadsheet CSV (columns front, back, why, source, tags), an Anki plain-text export, or an Anki package (.apkg, .colpkg)
    file: PathBuf,
    /// Id of the new deck (lowercase letters, digits and '-') [default: the file name; for a package, each Anki deck's name]. With a package of several Anki decks, merges them into this one deck
    #[arg(long, value_name = "DECK_ID", value_parser = slug)]
    id: Option<String>,
    /// Title of the new deck [default: the Anki file's #deck header or Anki deck name, else the id]
    #[arg(long)]
    title: Option<String>,
    /// Write the deck here instead of to standard output; for a package of several Anki decks, a folder to write one deck file per Anki deck into
    #[arg(short, long, value_name = "OUT.ron|DIR")]
    output: Option<PathBuf>,
    /// Read the file as this format [default: anki if it starts with # headers or is .txt/.tsv]
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Import the rows that are fine; list the others as warnings instead of refusing
    #[arg(long)]
    skip_invalid: bool,
    /// Replace the output file if it exists
    #[arg(long)]
    force: bool,
    /// Also bring the cards' Anki schedule and review history into the data directory (a package only); they continue on it once the deck is added
    #[arg(long)]
    progress: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Csv,
    Anki,
}

fn slug(text: &str) -> Result<String, String> {
    if deck::is_slug(text) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "use lowercase letters, digits and '-', for example `{}`",
            knead::deck::checks::slugify(text)
        ))
    }
}

pub fn run(context: &Context, args: ImportArgs) -> Result<(), Error> {
    if is_package(&args.file)? {
        return import_package(context, args);
    }
    if args.progress {
        return Err(Error::ProgressNeedsPackage { path: args.file });
    }
    let bytes = knead::files::read_regular(&args.file)?;
    let format = match args.format {
        Some(FormatArg::Csv) => Format::Csv,
        Some(FormatArg::Anki) => Format::Anki,
        None => Format::detect(&args.file, &bytes),
    };
    if let Some(output) = &args.output {
        refuse_to_overwrite(output, args.force)?;
    }
    let imported = interchange::import(
        &bytes,
        &args.file.display().to_string(),
        format,
        &ImportOptions {
            deck_id: args.id.unwrap_or_else(|| id_from_file_name(&args.file)),
            title: args.title,
            skip_invalid: args.skip_invalid,
        },
    )?;
    for warning in &imported.warnings {
        out::diagnostic(out::Stream::Stderr, warning, "");
    }
    write_output(args.output.as_deref(), &imported.ron)?;
    let skipped = match imported.skipped {
        0 => String::new(),
        1 => "; 1 row skipped (listed above)".to_owned(),
        n => format!("; {n} rows skipped (listed above)"),
    };
    errln!(
        "Imported {} card{} into deck `{}`{}{skipped}.",
        imported.deck.cards.len(),
        if imported.deck.cards.len() == 1 {
            ""
        } else {
            "s"
        },
        imported.deck.id,
        args.output
            .as_ref()
            .map(|p| format!(" ({})", p.display()))
            .unwrap_or_default(),
    );
    Ok(())
}

/// The deck id a file name gives: `Lupus Basics.csv` is `lupus-basics`.
fn id_from_file_name(path: &Path) -> String {
    path.file_stem()
        .and_then(|stem| interchange::normalise_tag(&stem.to_string_lossy()))
        .unwrap_or_else(|| "imported".to_owned())
}

/// Whether the file is an Anki package: named `.apkg`/`.colpkg`, or a zip whatever its name
/// (so a package given as text gets read as what it is).
fn is_package(path: &Path) -> Result<bool, Error> {
    let named = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("apkg") || e.eq_ignore_ascii_case("colpkg"));
    if named {
        return Ok(true);
    }
    let mut start = [0; 4];
    let mut file = knead::files::open_regular(path)?;
    let read = file.read(&mut start).context("read", path)?;
    Ok(apkg::is_package(&start[..read]))
}

fn import_package(context: &Context, args: ImportArgs) -> Result<(), Error> {
    let shown = args.file.display().to_string();
    let file = knead::files::open_regular(&args.file)?;
    let clock = args.progress.then(|| ImportClock {
        now: knead::day::now(),
        today: context.today(),
        zone: knead::day::zone(),
    });
    let imported = apkg::import_package(
        file,
        &shown,
        &PackageOptions {
            deck_id: args.id.clone(),
            title: args.title,
            skip_invalid: args.skip_invalid,
            progress: clock,
        },
    )?;
    let into_folder = args.output.as_deref().is_some_and(|o| {
        o.is_dir()
            || o.as_os_str()
                .to_string_lossy()
                .ends_with(std::path::MAIN_SEPARATOR)
    });
    if imported.decks.len() > 1 && !into_folder {
        return Err(apkg::several_decks(&shown, &imported.decks));
    }
    let targets: Vec<Option<PathBuf>> = imported
        .decks
        .iter()
        .map(|d| match &args.output {
            Some(dir) if into_folder => Some(dir.join(format!("{}.ron", d.deck.id))),
            other => other.clone(),
        })
        .collect();
    for target in targets.iter().flatten() {
        refuse_to_overwrite(target, args.force)?;
    }
    for warning in &imported.warnings {
        out::diagnostic(out::Stream::Stderr, warning, "");
    }
    // Held before any deck is written: a study session running now refuses the import whole.
    let store = match imported.progress {
        Some(_) => Some(open_store(context)?),
        None => None,
    };
    if into_folder && let Some(dir) = &args.output {
        std::fs::create_dir_all(dir).context("create", dir)?;
    }
    for (deck, target) in imported.decks.iter().zip(&targets) {
        write_output(target.as_deref(), &deck.ron)?;
        errln!(
            "Imported {} into deck `{}`{}.",
            text::count(deck.deck.cards.len(), "card"),
            deck.deck.id,
            target
                .as_ref()
                .map(|p| format!(" ({})", p.display()))
                .unwrap_or_default(),
        );
    }
    if imported.skipped > 0 {
        errln!(
            "{} of {} left out (listed above).",
            text::count(imported.skipped, "note"),
            imported.notes
        );
    }
    if let (Some(store), Some(progress)) = (store, imported.progress) {
        record_progress(store, progress)?;
    }
    Ok(())
}

fn open_store(context: &Context) -> Result<Store, Error> {
    let (store, notices) = Store::open(&context.data_dir, Access::Exclusive)?;
    for notice in notices {
        errln!("note: {}", notice.0);
    }
    Ok(store)
}

/// Journals the Anki history and schedule of the imported cards, less the reviews an earlier
/// import brought in, and says what SM-2 cannot express.
fn record_progress(mut store: Store, progress: AnkiProgress) -> Result<(), Error> {
    let items: Vec<&str> = progress.items.iter().map(|i| i.item.as_str()).collect();
    let earlier = knead::store::history_of(
        store.dir(),
        store.device(),
        &knead::store::Wanted::Items(&items),
    )?;
    let mut imported: HashSet<(&str, i64)> = HashSet::new();
    let mut scheduled: HashSet<&str> = HashSet::new();
    for entry in &earlier {
        match entry.kind {
            ReviewKind::Anki(review) => {
                imported.insert((entry.item.as_str(), review.revlog));
            }
            ReviewKind::AnkiSchedule(_) => {
                scheduled.insert(entry.item.as_str());
            }
            _ => {}
        }
    }
    let mut reviews = Vec::new();
    let mut schedules = Vec::new();
    let mut already = 0;
    for item in &progress.items {
        let before = reviews.len();
        for review in &item.reviews {
            match review.kind {
                ReviewKind::Anki(anki) if imported.contains(&(item.item.as_str(), anki.revlog)) => {
                    already += 1;
                }
                _ => reviews.push(review.clone()),
            }
        }
        // A schedule already brought in is brought in again only with new reviews after it.
        let new_reviews = reviews.len() > before;
        if let Some(schedule) = &item.schedule
            && (new_reviews || !scheduled.contains(item.item.as_str()))
        {
            schedules.push(schedule.clone());
        }
    }
    // Oldest first, so that each review keeps its own time in a data directory that has none
    // later (the journal stamps nothing earlier than what it holds).
    reviews.sort_by_key(|entry| entry.at);
    let added_reviews = reviews.len();
    let added_schedules = schedules.len();
    reviews.extend(schedules);
    if !reviews.is_empty() {
        store.record_all(&reviews)?;
        store.write_snapshot()?;
    }
    let counts = &progress.counts;
    errln!(
        "Anki progress: {} and {} brought into {}.",
        text::count(added_schedules, "card schedule"),
        text::count(added_reviews, "review"),
        store.dir().display()
    );
    if already > 0 {
        errln!(
            "already imported: {} (left out).",
            text::count(already, "review")
        );
    }
    // What SM-2 has no place for: how many, of what, and what knead did instead.
    let losses = [
        (
            counts.learning,
            "card",
            "in learning steps (interval 0, due when the step was)",
        ),
        (
            counts.relearning,
            "card",
            "relearning (taken as lapsed: interval 1 day)",
        ),
        (
            counts.learning_steps,
            "review",
            "within learning steps (history only)",
        ),
        (
            counts.hard_or_easy,
            "review",
            "answered Hard or Easy (Anki's hard interval and easy bonus; SM-2 goes on from Anki's interval)",
        ),
        (
            counts.fsrs,
            "card",
            "with an FSRS memory state (not used: SM-2 schedules by interval and ease)",
        ),
        (
            counts.suspended,
            "card",
            "suspended in Anki (knead has no suspension: scheduled all the same)",
        ),
    ];
    let mut cannot: Vec<String> = losses
        .into_iter()
        .filter(|(count, _, _)| *count > 0)
        .map(|(count, noun, what)| format!("{} {what}", text::count(count, noun)))
        .collect();
    if counts.unplaced_cards + counts.unplaced_reviews > 0 {
        cannot.push(format!(
            "{} and {} of notes not imported (nothing to carry them to)",
            text::count(counts.unplaced_cards, "card"),
            text::count(counts.unplaced_reviews, "review")
        ));
    }
    if !cannot.is_empty() {
        errln!("SM-2 cannot express:");
        for line in cannot {
            errln!("  - {line}");
        }
    }
    if counts.new > 0 {
        errln!(
            "{} new in Anki: new in knead too.",
            text::count(counts.new, "card")
        );
    }
    if added_schedules > 0 {
        errln!(
            "The cards continue on their Anki schedule once the deck is added (`knead add FILE.ron`)."
        );
    }
    Ok(())
}
