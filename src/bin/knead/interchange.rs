//! `knead import` and `knead export`: files in and out, with the decisions in the library.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use knead::collection;
use knead::deck::{self, Deck};
use knead::error::{Error, IoContext};
use knead::interchange::{self, Format, ImportOptions};
use knead::store::write_atomically;

use crate::out;

#[derive(Args)]
pub struct ImportArgs {
    /// A spreadsheet CSV (columns front, back, why, source, tags) or an Anki plain-text export
    file: PathBuf,
    /// Id of the new deck (lowercase letters, digits and '-')
    #[arg(long, value_name = "DECK_ID", value_parser = slug)]
    id: String,
    /// Title of the new deck [default: the Anki file's #deck header, else the id]
    #[arg(long)]
    title: Option<String>,
    /// Write the deck here instead of to standard output
    #[arg(short, long, value_name = "OUT.ron")]
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

#[derive(Subcommand)]
pub enum ExportCommand {
    /// An Anki "Notes in Plain Text" file (import it in Anki with File > Import)
    Anki(ExportArgs),
    /// A printable Markdown handout, grouped by tag
    Markdown(ExportArgs),
}

#[derive(Args)]
pub struct ExportArgs {
    /// A deck id (bundled or installed) or a deck file (.ron)
    deck: String,
    /// Write here instead of to standard output
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Replace the output file if it exists
    #[arg(long)]
    force: bool,
}

fn slug(text: &str) -> Result<String, String> {
    if deck::is_slug(text) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "use lowercase letters, digits and '-', for example `{}`",
            knead::checks::slugify(text)
        ))
    }
}

pub fn import(args: ImportArgs) -> Result<(), Error> {
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
            deck_id: args.id,
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

pub fn export(command: ExportCommand, data_dir: &Path) -> Result<(), Error> {
    let (args, render): (ExportArgs, fn(&Deck) -> String) = match command {
        ExportCommand::Anki(args) => (args, interchange::to_anki),
        ExportCommand::Markdown(args) => (args, interchange::to_markdown),
    };
    if let Some(output) = &args.output {
        refuse_to_overwrite(output, args.force)?;
    }
    let deck = collection::find_deck(&args.deck, data_dir)?.deck;
    write_output(args.output.as_deref(), &render(&deck))?;
    if let Some(output) = &args.output {
        let retired = deck
            .cards
            .iter()
            .filter(|c| c.common().retired.is_some())
            .count();
        errln!(
            "Wrote {} card{} of `{}` to {}{}.",
            deck.cards.len() - retired,
            if deck.cards.len() - retired == 1 {
                ""
            } else {
                "s"
            },
            deck.id,
            output.display(),
            match retired {
                0 => String::new(),
                n => format!(" ({n} retired left out)"),
            }
        );
    }
    Ok(())
}

fn refuse_to_overwrite(path: &Path, force: bool) -> Result<(), Error> {
    if !force && path.exists() {
        return Err(Error::WouldOverwrite {
            path: path.to_owned(),
        });
    }
    Ok(())
}

fn write_output(output: Option<&Path>, text: &str) -> Result<(), Error> {
    match output {
        // A bare file name has an empty parent; write_atomically needs a real directory.
        Some(path) if path.parent() == Some(Path::new("")) => {
            write_atomically(&Path::new(".").join(path), text.as_bytes())
        }
        Some(path) => write_atomically(path, text.as_bytes()),
        None => out::data(text.as_bytes()).context("write", Path::new("standard output")),
    }
}
