//! Test-only, outside the library: included by `benches/study.rs` and `examples/synth.rs`.
//!
//! Synthetic collections for benchmarks and load tests: a deck of any size and a plausible
//! study history (a learner who studies most days, mostly recalls, sometimes lapses), made by
//! the real scheduler and written through the real store.

use std::path::Path;

use jiff::Timestamp;
use jiff::civil::Date;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use knead::deck::{self, Basic, Card, Choice, Cloze, Deck, Scenario, TrueFalse, Verdict};
use knead::error::Error;
use knead::files::write_atomically;
use knead::sm2::Grade;
use knead::store::{Access, Answer, ReviewKind, Store, review_schedule};
use knead::study::collection::{Collection, INSTALLED_DIR, LoadedDeck, Origin};
use knead::study::session::{Limits, NewOrder, due_queue};

/// The generated decks are `synthetic-0`, `synthetic-1`, ...
pub const DECK_PREFIX: &str = "synthetic";
/// Cards per generated deck: about 5 MB of RON, within the 10 MB a deck file may hold
/// (`knead::limits::MAX_DECK_BYTES`), so a collection of any size loads.
pub const DECK_CARDS: usize = 10_000;

/// The progress key of synthetic card `n` (Cloze cards, every fifth, have one deletion `#1`).
#[allow(dead_code)] // used by the benchmarks, not by examples/synth
pub fn item_key(n: usize) -> String {
    let part = if n % 5 == 3 { "#1" } else { "" };
    format!("{DECK_PREFIX}-{}/card-{n}{part}", n / DECK_CARDS)
}

/// The name `knead card` takes for synthetic card `n`.
#[allow(dead_code)] // used by the benchmarks, not by examples/synth
pub fn card_name(n: usize) -> String {
    format!("{DECK_PREFIX}-{}/card-{n}", n / DECK_CARDS)
}

/// The decks of a collection of `cards` cards, [`DECK_CARDS`] to a deck.
pub fn decks(cards: usize) -> Vec<Deck> {
    (0..cards.div_ceil(DECK_CARDS))
        .map(|d| deck(d, d * DECK_CARDS..cards.min((d + 1) * DECK_CARDS)))
        .collect()
}

/// Deck number `number`, holding cards `range` of all five kinds, with text of realistic length.
pub fn deck(number: usize, range: std::ops::Range<usize>) -> Deck {
    let why = Some("A sentence of reasoning about the mechanism, as long as a real explanation on a card usually is.".to_owned());
    let source = Some("Author A, A plausible title of a source, Journal 2020".to_owned());
    let cards = range
        .map(|n| {
            let id = format!("card-{n}");
            let tags = vec!["synthetic".to_owned(), format!("group-{}", n % 20)];
            match n % 5 {
                0 => Card::Basic(Basic {
                    id,
                    front: format!(
                        "Question {n}: what should a therapist do for this client presentation?"
                    ),
                    back: format!("Answer {n}: the action, stated in one clinical sentence."),
                    why: why.clone(),
                    source: source.clone(),
                    tags,
                    ..Default::default()
                }),
                1 => Card::Choice(Choice {
                    id,
                    prompt: format!("Question {n}: which of these is the sign to look for?"),
                    options: vec![
                        "The right option".into(),
                        "A plausible mistake".into(),
                        "Another plausible mistake".into(),
                    ],
                    answer: 0,
                    why: why.clone(),
                    source: source.clone(),
                    tags,
                    ..Default::default()
                }),
                2 => Card::TrueFalse(TrueFalse {
                    id,
                    statement: format!(
                        "Statement {n} about a condition that is either true or false."
                    ),
                    answer: n % 2 == 0,
                    why: why.clone(),
                    source: source.clone(),
                    tags,
                    ..Default::default()
                }),
                3 => Card::Cloze(Cloze {
                    id,
                    text: format!(
                        "Sentence {n} where one {{{{key term}}}} is hidden from the learner."
                    ),
                    why: why.clone(),
                    source: source.clone(),
                    tags,
                    ..Default::default()
                }),
                _ => Card::Scenario(Scenario {
                    id,
                    client: format!("Client {n} with a condition in a particular state today"),
                    technique: "Swedish massage".into(),
                    verdict: Verdict::ALL[n % 4],
                    why: why.clone(),
                    source: source.clone(),
                    tags,
                    critical: n % 10 == 4,
                    ..Default::default()
                }),
            }
        })
        .collect();
    Deck {
        id: format!("{DECK_PREFIX}-{number}"),
        title: format!("Synthetic deck {number}"),
        version: 1,
        description: "Generated for benchmarks and load tests.".into(),
        authors: vec!["knead synth".into()],
        cards,
        ..Default::default()
    }
}

/// What was generated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    pub items: usize,
    pub reviews: usize,
    /// Items due on `last_day`.
    pub due_on_last_day: usize,
    pub last_day: Date,
}

/// Installs decks of `cards` cards in all into `data_dir` and writes up to `days` days of history
/// before `last_day`, ending in a break so that about a tenth of the items are due on
/// `last_day`.
pub fn generate(
    data_dir: &Path,
    cards: usize,
    days: u32,
    last_day: Date,
    seed: u64,
) -> Result<Generated, Error> {
    let mut loaded = Vec::new();
    for deck in decks(cards) {
        let path = data_dir
            .join(INSTALLED_DIR)
            .join(format!("{}.ron", deck.id));
        write_atomically(&path, deck::to_ron(&deck).as_bytes())?;
        loaded.push(LoadedDeck::new(deck, Origin::Installed(path)));
    }
    let collection = Collection::new(loaded)?;
    let (mut store, _) = Store::open(data_dir, Access::Exclusive)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let items = collection.items().len();
    // New items are spread over the first 60% of the period; after that the learner only
    // reviews, and then takes a break once a tenth of the items would be due on the last day
    // (SM-2 with daily study leaves only 2-3% due on any day, too few to measure a session).
    let introducing_days = (days as usize * 6).div_ceil(10).max(1);
    let due_target = items.div_ceil(10);
    let limits = Limits {
        new_per_day: items.div_ceil(introducing_days),
        reviews_per_day: usize::MAX,
    };
    let first_day = last_day - jiff::Span::new().days(i64::from(days));
    let mut reviews = 0;
    let mut day = first_day;
    while day < last_day {
        let introduced = store.items().len() == items;
        if introduced && store.items().values().filter(|p| p.due <= last_day).count() <= due_target
        {
            break;
        }
        // Most days studied; a missed day leaves a backlog, as real ones do.
        if rng.random_bool(0.85) {
            let at = day
                .at(18, 0, 0, 0)
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map_or(Timestamp::UNIX_EPOCH, |evening| evening.timestamp());
            let queue = due_queue(&collection, store.items(), day, limits, NewOrder::default());
            let mut entries = Vec::with_capacity(queue.len());
            for index in queue {
                let item = &collection.items()[index];
                let grade = plausible_grade(&mut rng);
                let (state, due) = review_schedule(store.get(&item.key), grade, day);
                let answer = Answer {
                    at,
                    day,
                    item: &item.key,
                    kind: ReviewKind::Review,
                    grade,
                    took_ms: rng.random_range(2_000..20_000),
                    rev: 0,
                    chose: None,
                    first: store.get(&item.key).is_none(),
                };
                entries.push(answer.entry(state, due));
            }
            reviews += entries.len();
            store.record_all(&entries)?;
        }
        day = day.tomorrow().unwrap_or(last_day);
    }
    store.write_snapshot()?;
    let due_on_last_day = store.items().values().filter(|p| p.due <= last_day).count();
    Ok(Generated {
        items,
        reviews,
        due_on_last_day,
        last_day,
    })
}

fn plausible_grade(rng: &mut StdRng) -> Grade {
    let roll: f64 = rng.random();
    let value = match roll {
        r if r < 0.04 => 1,
        r if r < 0.10 => 2,
        r if r < 0.25 => 3,
        r if r < 0.70 => 4,
        _ => 5,
    };
    Grade::try_from(value).expect("in range")
}
