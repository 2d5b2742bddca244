//! `knead import FILE`: a spreadsheet CSV, an Anki plain-text export or an Anki package
//! (`.apkg`, `.colpkg`) as deck files.

use crate::out::{self, refuse_to_overwrite, write_output};
use clap::{Args, ValueEnum};
use knead::deck;
use knead::error::Error;
use knead::error::IoContext;
use knead::interchange::apkg::{self, PackageOptions};
use knead::interchange::{self, Format, ImportOptions};
use knead::text;
use std::io::Read;
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

pub fn run(args: ImportArgs) -> Result<(), Error> {
    if is_package(&args.file)? {
        return import_package(args);
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

fn import_package(args: ImportArgs) -> Result<(), Error> {
    let shown = args.file.display().to_string();
    let file = knead::files::open_regular(&args.file)?;
    let imported = apkg::import_package(
        file,
        &shown,
        &PackageOptions {
            deck_id: args.id.clone(),
            title: args.title,
            skip_invalid: args.skip_invalid,
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
    Ok(())
}
