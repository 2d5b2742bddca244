//! `knead decks`: the bundled and installed decks with their card counts.

use knead::error::Error;
use knead::insight::chart;
use knead::study::collection::Collection;

use super::Context;

pub fn run(context: &Context) -> Result<(), Error> {
    let collection = Collection::standard(&context.data_dir)?;
    let mut counts = vec![0usize; collection.decks().len()];
    for item in collection.items() {
        counts[item.deck] += 1;
    }
    let width = crate::out::width(None);
    // DECK, then 20 columns of counts and origin, then the title in what is left (at least 12).
    let ids = collection.decks().iter().map(|d| d.deck.id.as_str());
    let id_width = super::status::deck_column(ids, 28 + 20 + 12);
    let title_width = width.saturating_sub(id_width + 20).max(12);
    outln!("{:<id_width$} {:>6}  {:<10} TITLE", "DECK", "CARDS", "FROM");
    for (loaded, count) in collection.decks().iter().zip(counts) {
        let title = format!("{} (v{})", loaded.deck.title, loaded.deck.version);
        outln!(
            "{:<id_width$} {:>6}  {:<10} {}",
            chart::shorten_name(&loaded.deck.id, id_width),
            count,
            loaded.origin.kind(),
            chart::truncate(&title, title_width)
        );
    }
    for skipped in collection.skipped() {
        outln!(
            "{:<id_width$} {:>6}  {:<10} {}",
            chart::shorten_name(&skipped.id(), id_width),
            "-",
            "broken",
            chart::truncate("(does not load)", title_width)
        );
        let problem = format!("problem: {}", skipped.problem);
        let fix = format!("fix: {}", super::remove::fix_for(skipped));
        for line in [problem, fix]
            .iter()
            .flat_map(|text| chart::wrap(text, width.saturating_sub(2), ""))
        {
            outln!("  {line}");
        }
    }
    Ok(())
}
