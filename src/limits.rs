//! The limits knead enforces on what it reads, so that no file can make it use memory or time
//! out of proportion to its size. Each is far above any real deck (the four bundled decks hold
//! 430 cards in about 400 KB; their largest card has under 1.5 KB of text and their largest
//! Cloze 3 deletions), and each is refused with its own code, naming the limit and the file
//! (and the line where it applies). They are listed in `docs/deck-format.md` ("Limits").

/// A deck file's size in bytes (K050): 10 MB, 25 times the bundled decks together.
pub const MAX_DECK_BYTES: usize = 10 * 1024 * 1024;

/// The text of one card, over all its fields, in bytes (K051; K222 for an imported row):
/// 16 KB, ten times the largest bundled card.
pub const MAX_CARD_BYTES: usize = 16 * 1024;

/// Deletions in one Cloze card (K052): each is studied as its own item.
pub const MAX_CLOZE_DELETIONS: usize = 50;

/// Tags on one card (K054; K224 for an imported row, `#tags:` header included): the bundled
/// cards have at most 7.
pub const MAX_TAGS: usize = 32;

/// Cards in one deck (K053), and rows in one imported file (K223).
pub const MAX_CARDS: usize = 50_000;

/// A file given to `knead import`, in bytes (K219).
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;

/// The collection inside an Anki package, unpacked, in bytes (K226): 512 MB. A collection
/// of 50,000 notes is far smaller; reading stops at this size, so a zip or zstd bomb costs
/// no more.
pub const MAX_PACKAGE_COLLECTION_BYTES: usize = 512 * 1024 * 1024;

/// Files in an Anki package (K226): the collection, the media map and one per media file.
pub const MAX_PACKAGE_ENTRIES: usize = 200_000;

/// Fields in one row of an imported file (K220). A CSV has at most 7 named columns; an Anki
/// note type rarely has more than a dozen fields.
pub const MAX_COLUMNS: usize = 64;

/// One field of an imported file, in bytes as written (K221). HTML escaping can make a field
/// four times longer than its text (`<` is `&lt;`), so any card within [`MAX_CARD_BYTES`]
/// exported to Anki can be imported again.
pub const MAX_FIELD_BYTES: usize = 4 * MAX_CARD_BYTES;

/// How far ahead an exam may be set (`knead study --exam`), in years.
pub const MAX_EXAM_YEARS: i16 = 5;

/// Days of an exam plan that `knead stats` projects (`expected_per_day`): a year. Each day is
/// simulated over every card in the plan's scope, so a plan further ahead (one set before
/// knead limited exam dates) costs no more than one a year away.
pub const EXAM_PROJECTION_DAYS: usize = 366;

/// `bytes` as a size people read: `9.5 MB`, `16 KB`, `880 bytes` (1 KB = 1,024 bytes).
pub fn size_text(bytes: usize) -> String {
    const KB: usize = 1024;
    const MB: usize = 1024 * KB;
    if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64).replace(".0 MB", " MB")
    } else if bytes >= KB {
        format!("{:.1} KB", bytes as f64 / KB as f64).replace(".0 KB", " KB")
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_the_largest_sensible_unit() {
        assert_eq!(size_text(MAX_DECK_BYTES), "10 MB");
        assert_eq!(size_text(MAX_CARD_BYTES), "16 KB");
        assert_eq!(size_text(MAX_DECK_BYTES + 500_000), "10.5 MB");
        assert_eq!(size_text(880), "880 bytes");
    }
}
