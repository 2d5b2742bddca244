//! `knead import FILE`: a spreadsheet CSV or an Anki plain-text export as a deck file.

use crate::out::{self, refuse_to_overwrite, write_output};
use clap::{Args, ValueEnum};
use knead::deck;
use knead::error::Error;
use knead::interchange::{self, Format, ImportOptions};
use std::path::PathBuf;

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
