//! `knead card DECK/CARD`: one card's SM-2 state and history.

use crate::args::LeechArgs;
use crate::out::{self, MIN_WIDTH, print_json, print_lines};
use clap::Args;
use knead::error::Error;
use knead::insight::card_info;
use knead::store;
use knead::study::collection::Collection;
use knead::study::history::LeechRule;
use std::path::Path;

use super::Context;

#[derive(Args)]
pub struct CardArgs {
    /// The deck id and the card id, e.g. red-flags-and-safety/rf-dvt-signs
    #[arg(value_name = "DECK/CARD")]
    pub card: String,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
    /// Lay the text out for this many columns [default: the terminal's, else $COLUMNS, else 80]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(MIN_WIDTH as i64..))]
    pub width: Option<u16>,
    #[command(flatten)]
    pub leech: LeechArgs,
}

pub fn run(context: &Context, args: CardArgs) -> Result<(), Error> {
    card(
        &context.data_dir,
        &args.card,
        args.json,
        out::width(args.width),
        args.leech.rule(),
    )
}

fn card(
    dir: &Path,
    name: &str,
    json: bool,
    width: usize,
    leech_rule: LeechRule,
) -> Result<(), Error> {
    let device = store::device::this_device()?;
    // Only this card's lines are read: the cost of a byte search through the journals, not of
    // loading every card's progress. A name in full (`deck/card`, not `…/card`) says what to
    // search for before the decks are loaded, so the search runs while they load.
    let named = name
        .split_once('#')
        .map_or(name, |(card, _)| card)
        .split_once('/')
        .filter(|(deck, _)| !deck.ends_with('…'));
    let (collection, searched) = std::thread::scope(|threads| {
        let searched = named.map(|(deck, card)| {
            let device = &device;
            threads
                .spawn(move || store::history_of(dir, device, &store::Wanted::Card { deck, card }))
        });
        let collection = Collection::standard_text_on_demand(dir);
        let searched = searched.map(|search| {
            search
                .join()
                .expect("searching the journals does not panic")
        });
        (collection, searched)
    });
    let collection = collection?;
    super::remove::warn_skipped(&collection);
    let (deck_id, card) = card_info::find(&collection, name)?;
    let (deck_id, card_id) = (deck_id.to_owned(), card.id().to_owned());
    let collection = collection.with_text_of(&deck_id, &card_id, dir)?;
    let keys = card_info::item_keys(&collection, name)?;
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let history = match searched {
        // The card's items are the lines searched for; a Cloze deletion the deck no longer
        // has is not one of them.
        Some(found) => found?
            .into_iter()
            .filter(|entry| keys.contains(&entry.item.as_str()))
            .collect(),
        None => store::history_of(dir, &device, &store::Wanted::Items(&keys))?,
    };
    let progress = store::progress_from(dir, &device, &keys, &history)?;
    let info = card_info::card_info(&collection, name, &progress, &history, leech_rule)?;
    if json {
        print_json(&info);
    } else {
        print_lines(card_info::render(&info, width));
    }
    super::leave_for_exit(collection, None);
    Ok(())
}
