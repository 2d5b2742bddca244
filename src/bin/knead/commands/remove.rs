//! `knead remove ID`: uninstall a deck added with `knead add`, keeping the progress on its
//! cards (it returns if the deck is added again).

use clap::Args;
use knead::error::Error;
use knead::study::collection;

use super::Context;

#[derive(Args)]
pub struct RemoveArgs {
    /// The installed deck's id (see `knead decks`)
    #[arg(value_name = "ID")]
    pub id: String,
}

pub fn run(context: &Context, args: RemoveArgs) -> Result<(), Error> {
    let removed = collection::uninstall(&context.data_dir, &args.id)?;
    let files: Vec<String> = removed
        .paths
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let version = removed
        .version
        .map_or_else(|| " (it did not load)".to_owned(), |v| format!(" (v{v})"));
    outln!(
        "Removed deck `{}`{version}: deleted {}.",
        removed.id,
        files.join(", ")
    );
    outln!(
        "Your progress on its cards is kept: `knead add` the deck again and it comes back with its history."
    );
    Ok(())
}

/// Warns about each installed deck left out because it does not load, with what to do.
pub fn warn_skipped(collection: &collection::Collection) {
    for skipped in collection.skipped() {
        errln!(
            "warning: left out the installed deck {}: {}",
            skipped.path.display(),
            skipped.problem
        );
        errln!("  help: {}", fix_for(skipped));
    }
}

/// How to mend a broken installed deck.
pub fn fix_for(skipped: &collection::Skipped) -> String {
    format!(
        "`knead check {}` shows every problem; fix the file there, or `knead add` a fixed copy, or `knead remove {}` (progress is kept)",
        skipped.path.display(),
        skipped.id()
    )
}
