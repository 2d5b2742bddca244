//! `knead status`: cards, new, due and learned per deck, review counts, and the devices whose
//! answers this data directory holds.

use knead::error::Error;
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
        print_status(&status);
    }
    Ok(())
}

fn print_status(status: &Status) {
    outln!("Today: {}", status.today);
    outln!(
        "{:<28} {:>6} {:>6} {:>6} {:>8}",
        "DECK",
        "CARDS",
        "NEW",
        "DUE",
        "LEARNED"
    );
    for deck in &status.decks {
        outln!(
            "{:<28} {:>6} {:>6} {:>6} {:>8}",
            deck.id,
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
        outln!(
            "  {:<28} {:>6} entries, {latest}{}",
            device.id,
            device.entries,
            if device.this { " (this device)" } else { "" }
        );
    }
}
