//! `knead status`: cards, new, due and learned per deck, review counts, and the devices whose
//! answers this data directory holds.

use std::path::Path;

use knead::error::Error;
use knead::insight::chart;
use knead::insight::status::{self, Status};
use knead::store::{Access, Store};
use knead::study::collection::Collection;

use super::Context;

pub fn run(context: &Context, json: bool) -> Result<(), Error> {
    let collection = Collection::standard(&context.data_dir)?;
    super::remove::warn_skipped(&collection);
    let (store, _) = Store::open(&context.data_dir, Access::ReadOnly)?;
    let status = status::status(&collection, &store, context.today());
    if json {
        crate::out::json(&status, true);
    } else {
        print_status(&status, &context.data_dir);
    }
    Ok(())
}

fn print_status(status: &Status, data_dir: &Path) {
    let width = crate::out::width(None);
    outln!("Today: {}", status.today);
    outln!("Progress kept in: {}", data_dir.display());
    // The deck column gives way to the numbers on a narrow terminal.
    let id_width = deck_column(status.decks.iter().map(|d| d.id.as_str()), 28 + 30, 28);
    // ITEMS, as in `knead decks`: what a session asks, each Cloze deletion apart.
    outln!(
        "{:<id_width$} {:>6} {:>6} {:>6} {:>8}",
        "DECK",
        "ITEMS",
        "NEW",
        "DUE",
        "LEARNED"
    );
    for deck in &status.decks {
        outln!(
            "{:<id_width$} {:>6} {:>6} {:>6} {:>8}",
            chart::shorten_name(&deck.id, id_width),
            deck.cards,
            deck.new,
            deck.due,
            deck.learned
        );
    }
    outln!(
        "Reviews: {} in total, {} today.",
        status.reviews_total,
        status.reviews_today
    );
    outln!("This device: {}", status.device);
    for device in &status.devices {
        let latest = device.latest.map_or_else(
            || "no entries yet".to_owned(),
            |at| format!("latest {}", at.strftime("%Y-%m-%d %H:%M UTC")),
        );
        let this = if device.this { " (this device)" } else { "" };
        let line = format!(
            "  {:<28} {:>6} entries, {latest}{this}",
            device.id, device.entries
        );
        if chart::width_of(&line) <= width {
            outln!("{line}");
        } else {
            // Narrow: the id on its line, the rest wrapped under it.
            outln!("  {}", chart::truncate(&device.id, width.saturating_sub(2)));
            let rest = format!("{} entries, {latest}{this}", device.entries);
            for line in chart::wrap(&rest, width, "    ") {
                outln!("{line}");
            }
        }
    }
}

/// How wide a table's deck column is: `floor` columns (or as wide as the widest id) while the
/// row, `rest` columns beyond a 28-column id, fits the terminal; narrower, down to 8, when it
/// does not.
pub fn deck_column<'a>(ids: impl Iterator<Item = &'a str>, rest: usize, floor: usize) -> usize {
    let widest = ids.map(chart::width_of).max().unwrap_or(0).max(floor);
    let room = crate::out::width(None).saturating_sub(rest - 28);
    widest.min(room).max(8)
}
