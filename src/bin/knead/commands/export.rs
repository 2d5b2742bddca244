//! `knead export FORMAT DECK`: a deck for Anki, a Moodle GIFT quiz, or a printable Markdown
//! handout.

use crate::out::{refuse_to_overwrite, write_output};
use clap::{Args, Subcommand};
use knead::deck::Deck;
use knead::error::Error;
use knead::interchange;
use knead::study::collection;
use knead::text;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum ExportCommand {
    /// An Anki "Notes in Plain Text" file (import it in Anki with File > Import)
    Anki(ExportArgs),
    /// A printable Markdown handout, grouped by tag
    Markdown(ExportArgs),
    /// A Moodle GIFT quiz for the school's LMS (Basic cards are left out, with a note)
    Gift(ExportArgs),
    /// An Anki package (.apkg) of one or more decks, one Anki deck each (Anki: File > Import)
    Apkg(ApkgArgs),
}

#[derive(Args)]
pub struct ApkgArgs {
    /// Deck ids (bundled or installed) or deck files (.ron)
    #[arg(required = true)]
    decks: Vec<String>,
    /// The package to write
    #[arg(short, long, value_name = "FILE.apkg")]
    output: PathBuf,
    /// Replace the output file if it exists
    #[arg(long)]
    force: bool,
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

pub fn run(command: ExportCommand, data_dir: &Path) -> Result<(), Error> {
    let (args, render): (ExportArgs, fn(&Deck) -> String) = match command {
        ExportCommand::Anki(args) => (args, interchange::to_anki),
        ExportCommand::Markdown(args) => (args, interchange::to_markdown),
        ExportCommand::Gift(args) => return gift(args, data_dir),
        ExportCommand::Apkg(args) => return export_apkg(args, data_dir),
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

/// `knead export gift`: the quiz, then what became of the cards (on standard error, so the
/// quiz alone goes to standard output).
fn gift(args: ExportArgs, data_dir: &Path) -> Result<(), Error> {
    if let Some(output) = &args.output {
        refuse_to_overwrite(output, args.force)?;
    }
    let deck = collection::find_deck(&args.deck, data_dir)?.deck;
    let export = interchange::to_gift(&deck);
    write_output(args.output.as_deref(), &export.text)?;
    let to = match &args.output {
        Some(output) => output.display().to_string(),
        None => "standard output".into(),
    };
    errln!(
        "Wrote {} from {} of `{}` to {to}.",
        text::count(export.questions, "question"),
        text::count(export.cards, "card"),
        deck.id
    );
    if export.basic_left_out > 0 {
        errln!(
            "note: {} left out: {}.",
            text::count(export.basic_left_out, "Basic card"),
            interchange::BASIC_LEFT_OUT
        );
    }
    if export.retired_left_out > 0 {
        errln!(
            "note: {} left out.",
            text::count(export.retired_left_out, "retired card")
        );
    }
    Ok(())
}

/// `knead export apkg`: one package of the decks, then what it holds.
fn export_apkg(args: ApkgArgs, data_dir: &Path) -> Result<(), Error> {
    refuse_to_overwrite(&args.output, args.force)?;
    let decks = args
        .decks
        .iter()
        .map(|name| Ok(collection::find_deck(name, data_dir)?.deck))
        .collect::<Result<Vec<Deck>, Error>>()?;
    let now_ms = knead::day::now().as_millisecond();
    let exported = interchange::apkg::to_apkg(&decks, now_ms)?;
    let output = match args.output.parent() {
        Some(parent) if parent == Path::new("") => Path::new(".").join(&args.output),
        _ => args.output.clone(),
    };
    knead::files::write_atomically(&output, &exported.bytes)?;
    errln!(
        "Wrote {} and {} from {} to {}{}.",
        text::count(exported.notes, "note"),
        text::count(exported.cards, "Anki card"),
        text::count(decks.len(), "deck"),
        args.output.display(),
        match exported.retired {
            0 => String::new(),
            n => format!(" ({n} retired left out)"),
        }
    );
    Ok(())
}
