//! `knead decks`: the bundled and installed decks with their card counts: CARDS as the deck
//! file and the README count them (retired cards left out), ITEMS as a session asks them (each
//! deletion of a Cloze card is asked on its own, so a deck has as many items as cards or more).

use knead::error::Error;
use knead::insight::chart;
use knead::study::collection::Collection;

use super::Context;

pub fn run(context: &Context) -> Result<(), Error> {
    let collection = Collection::standard(&context.data_dir)?;
    let mut items = vec![0usize; collection.decks().len()];
    let mut cards = vec![0usize; collection.decks().len()];
    let mut last = None;
    for item in collection.items() {
        items[item.deck] += 1;
        if last != Some((item.deck, item.card)) {
            cards[item.deck] += 1;
            last = Some((item.deck, item.card));
        }
    }
    let width = crate::out::width(None);
    // DECK, then 27 columns of counts and origin, then the title in what is left (at least 12).
    let ids = collection.decks().iter().map(|d| d.deck.id.as_str());
    let id_width = super::status::deck_column(ids, 28 + 27 + 12, "DECK".len());
    // Too narrow for the title beside the counts: it goes on lines of its own, under the row.
    let title_beside = width >= id_width + 27 + 12;
    let (title_width, title_indent) = if title_beside {
        (width - id_width - 27, id_width + 27)
    } else {
        (width.saturating_sub(2), 2)
    };
    let header = format!(
        "{:<id_width$} {:>6} {:>6}  {:<10} {}",
        "DECK",
        "CARDS",
        "ITEMS",
        "FROM",
        if title_beside { "TITLE" } else { "" }
    );
    outln!("{}", header.trim_end());
    for (n, loaded) in collection.decks().iter().enumerate() {
        let title = format!("{} (v{})", loaded.deck.title, loaded.deck.version);
        // A long title wraps under itself rather than lose its end.
        let mut title = chart::wrap(&title, title_width, "").into_iter();
        let beside = if title_beside {
            title.next().unwrap_or_default()
        } else {
            String::new()
        };
        let row = format!(
            "{:<id_width$} {:>6} {:>6}  {:<10} {beside}",
            chart::shorten_name(&loaded.deck.id, id_width),
            cards[n],
            items[n],
            loaded.origin.kind(),
        );
        outln!("{}", row.trim_end());
        for more in title {
            outln!("{:title_indent$}{more}", "");
        }
    }
    for skipped in collection.skipped() {
        let row = format!(
            "{:<id_width$} {:>6} {:>6}  {:<10} {}",
            chart::shorten_name(&skipped.id(), id_width),
            "-",
            "-",
            "broken",
            if title_beside { "(does not load)" } else { "" }
        );
        outln!("{}", row.trim_end());
        let problem = format!("problem: {}", skipped.problem);
        let fix = format!("fix: {}", super::remove::fix_for(skipped));
        for line in [problem, fix]
            .iter()
            .flat_map(|text| chart::wrap(text, width.saturating_sub(2), ""))
        {
            outln!("  {line}");
        }
    }
    let note = "CARDS leaves out retired cards; ITEMS, what a session asks, counts each deletion of a Cloze card apart.";
    for line in chart::wrap(note, width, "") {
        outln!("{line}");
    }
    Ok(())
}
