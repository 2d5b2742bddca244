//! `knead decks`: the bundled and installed decks with their card counts.

use knead::error::Error;
use knead::study::collection::Collection;

use super::Context;

pub fn run(context: &Context) -> Result<(), Error> {
    let collection = Collection::standard(&context.data_dir)?;
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
    for skipped in collection.skipped() {
        outln!(
            "{:<28} {:>6}  {:<10} {}",
            skipped.id(),
            "-",
            "broken",
            skipped.problem
        );
        outln!("  fix: {}", super::remove::fix_for(skipped));
    }
    Ok(())
}
