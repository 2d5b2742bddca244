//! One card as `knead card DECK/CARD` shows it (text and `--json`), like Anki's card info: the
//! card as studied, each study item's SM-2 state, and its full review history.

use crate::store::ItemMap;
use std::collections::HashMap;

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;

use crate::deck::Card;
use crate::error::Error;
use crate::insight::chart;
use crate::store::{ItemProgress, LogEntry, ReviewKind};
use crate::study::collection::{Collection, item_key};
use crate::study::history::LeechRule;
use crate::study::session::Question;
use crate::text::{count, duration};

/// The version of the `--json` layout.
pub const SCHEMA: u32 = 2;

/// The whole of `knead card --json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CardInfo {
    pub schema: u32,
    pub deck: String,
    pub deck_title: String,
    pub card: String,
    /// `Basic`, `Choice`, `TrueFalse`, `Cloze` or `Scenario`.
    pub kind: &'static str,
    /// Why the deck's author retired the card (no longer studied; its history is kept), or
    /// null.
    pub retired: Option<String>,
    /// What the card asks, nothing hidden (a Cloze card's whole text).
    pub prompt: String,
    /// A Choice card's options in deck order (empty for other kinds).
    pub options: Vec<String>,
    pub answer: String,
    pub why: Option<String>,
    pub source: Option<String>,
    pub tags: Vec<String>,
    pub critical: bool,
    /// One per study item: the card itself, or each deletion of a Cloze card.
    pub items: Vec<ItemInfo>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemInfo {
    /// The progress key (`deck/card`, `deck/card#n` for a Cloze deletion).
    pub key: String,
    /// The prompt as asked (a Cloze deletion hidden as `[...]`).
    pub prompt: String,
    pub answer: String,
    /// The SM-2 state and counters, or null if never answered.
    pub progress: Option<ItemProgress>,
    pub leech: bool,
    /// Every answer, oldest first, with the SM-2 state after it.
    pub history: Vec<LogEntry>,
}

/// The deck and card a `DECK/CARD` name points at (a Cloze deletion's `#n` is allowed). A
/// narrow table shows a key with its deck id shortened (`tech…/ms-hot-stone`, `…/ms-hot-stone`):
/// a deck id cut so names the one deck whose id starts so (and, for `…` alone, has the card).
pub fn find<'c>(collection: &'c Collection, name: &str) -> Result<(&'c str, &'c Card), Error> {
    let without_part = name.split_once('#').map_or(name, |(card, _)| card);
    let Some((deck_id, card_id)) = without_part.split_once('/') else {
        return Err(Error::NotACardName {
            given: name.to_owned(),
        });
    };
    let found = match deck_id.strip_suffix('…') {
        None => collection.decks().iter().find(|d| d.deck.id == deck_id),
        // `…` alone: the one deck that has the card.
        Some(prefix) => {
            let mut starting = collection.decks().iter().filter(|d| {
                d.deck.id.starts_with(prefix)
                    && (!prefix.is_empty() || d.deck.cards.iter().any(|c| c.id() == card_id))
            });
            match (starting.next(), starting.next()) {
                (Some(only), None) => Some(only),
                _ => None,
            }
        }
    };
    let Some(loaded) = found else {
        return Err(Error::UnknownDeck {
            name: deck_id.to_owned(),
            known: collection
                .decks()
                .iter()
                .map(|d| d.deck.id.clone())
                .collect(),
        });
    };
    let deck = &loaded.deck;
    match deck.cards.iter().find(|c| c.id() == card_id) {
        Some(card) => Ok((&deck.id, card)),
        None => Err(Error::UnknownCard {
            deck: deck.id.clone(),
            card: card_id.to_owned(),
            known: deck.cards.iter().map(|c| c.id().to_owned()).collect(),
        }),
    }
}

/// The progress keys of the study items of the card `name` points at.
pub fn item_keys(collection: &Collection, name: &str) -> Result<Vec<String>, Error> {
    let (deck_id, card) = find(collection, name)?;
    Ok((0..card.item_count())
        .map(|part| item_key(deck_id, card, part))
        .collect())
}

/// The prompt and answer of one study item of `card`, as a session asks it.
fn as_studied(card: &Card, part: usize) -> (String, String) {
    // Only Choice cards use the generator (to shuffle options); card info lists options in deck
    // order instead.
    let question = Question::for_card(card, part, &mut StdRng::seed_from_u64(0));
    let prompt = match &question {
        Question::Recall { prompt, .. } | Question::Choice { prompt, .. } => prompt.clone(),
        Question::TrueFalse { statement, .. } => statement.clone(),
        Question::Scenario {
            client, technique, ..
        } => format!("Client: {client}. Technique: {technique}."),
    };
    (prompt, question.answer_text())
}

/// The card `name` points at; `history` may hold every answer or only this card's.
pub fn card_info(
    collection: &Collection,
    name: &str,
    progress: &ItemMap,
    history: &[LogEntry],
    leech_rule: LeechRule,
) -> Result<CardInfo, Error> {
    let (deck_id, card) = find(collection, name)?;
    let deck_title = collection
        .decks()
        .iter()
        .find(|d| d.deck.id == deck_id)
        .map_or(String::new(), |d| d.deck.title.clone());
    let common = card.common();
    let mut items: Vec<ItemInfo> = (0..card.item_count())
        .map(|part| {
            let key = item_key(deck_id, card, part);
            let (prompt, answer) = as_studied(card, part);
            let progress = progress.get(&key).cloned();
            ItemInfo {
                leech: progress.as_ref().is_some_and(|p| leech_rule.is_leech(p)),
                key,
                prompt,
                answer,
                progress,
                history: Vec::new(),
            }
        })
        .collect();
    let by_key: HashMap<String, usize> = items
        .iter()
        .enumerate()
        .map(|(i, item)| (item.key.clone(), i))
        .collect();
    for entry in history {
        if let Some(&i) = by_key.get(&entry.item) {
            items[i].history.push(entry.clone());
        }
    }
    let (prompt, answer) = match card {
        Card::Cloze(_) => {
            let question = Question::for_card(card, 0, &mut StdRng::seed_from_u64(0));
            let full = match question {
                Question::Recall {
                    full_text: Some(full),
                    ..
                } => full,
                _ => String::new(),
            };
            let answers: Vec<&str> = items.iter().map(|i| i.answer.as_str()).collect();
            (full, answers.join("; "))
        }
        _ => as_studied(card, 0),
    };
    Ok(CardInfo {
        schema: SCHEMA,
        deck: deck_id.to_owned(),
        deck_title,
        card: card.id().to_owned(),
        kind: card.kind(),
        retired: common.retired.map(str::to_owned),
        prompt,
        options: match card {
            Card::Choice(choice) => choice.options.clone(),
            _ => Vec::new(),
        },
        answer,
        why: common.why.map(str::to_owned),
        source: common.source.map(str::to_owned),
        tags: common.tags.to_vec(),
        critical: common.critical,
        items,
    })
}

/// "12s", "1m05s": short enough for a history table on a narrow terminal.
fn short_duration(ms: u64) -> String {
    let seconds = ms / 1000;
    match seconds {
        0..60 => format!("{seconds}s"),
        _ => format!("{}m{:02}s", seconds / 60, seconds % 60),
    }
}

fn labelled(lines: &mut Vec<String>, label: &str, text: &str, width: usize) {
    let wrapped = chart::wrap(&format!("{label}: {text}"), width, "");
    lines.extend(wrapped);
}

/// The card info as lines of at most `width` columns.
pub fn render(info: &CardInfo, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut title = format!("{}/{} ({}", info.deck, info.card, info.kind);
    if info.critical {
        title.push_str(", safety-critical");
    }
    title.push_str(&format!(") in {}", info.deck_title));
    lines.extend(chart::wrap(&title, width, ""));
    if let Some(reason) = &info.retired {
        lines.extend(chart::wrap(
            &format!("RETIRED (no longer studied; its history is kept): {reason}"),
            width,
            "",
        ));
    }
    lines.extend(chart::wrap(&info.prompt, width, "  "));
    for (n, option) in info.options.iter().enumerate() {
        let mark = if *option == info.answer {
            " (answer)"
        } else {
            ""
        };
        lines.extend(chart::wrap(
            &format!("{}. {option}{mark}", n + 1),
            width,
            "  ",
        ));
    }
    labelled(&mut lines, "Answer", &info.answer, width);
    if let Some(why) = &info.why {
        labelled(&mut lines, "Why", why, width);
    }
    if let Some(source) = &info.source {
        labelled(&mut lines, "Source", source, width);
    }
    if !info.tags.is_empty() {
        labelled(&mut lines, "Tags", &info.tags.join(", "), width);
    }
    let several = info.items.len() > 1;
    for (n, item) in info.items.iter().enumerate() {
        lines.push(String::new());
        if several {
            lines.extend(chart::wrap(
                &format!("Deletion {}: {} ({})", n + 1, item.prompt, item.answer),
                width,
                "",
            ));
        }
        render_item(&mut lines, item, width);
    }
    lines
}

fn render_item(lines: &mut Vec<String>, item: &ItemInfo, width: usize) {
    let Some(p) = &item.progress else {
        lines.push("Not studied yet.".into());
        return;
    };
    let state = format!(
        "SM-2: repetitions {}, EF {:.2}, interval {} day{}, due {}; {} review{}, {} lapse{}; introduced {}, last reviewed {}; {}.",
        p.repetitions,
        p.easiness,
        p.interval_days,
        if p.interval_days == 1 { "" } else { "s" },
        p.due,
        p.reviews,
        if p.reviews == 1 { "" } else { "s" },
        p.lapses,
        if p.lapses == 1 { "" } else { "s" },
        p.introduced,
        p.last_reviewed,
        if item.leech {
            "a leech: read the why again, or tell your instructor if the wording is unclear"
        } else {
            "not a leech"
        },
    );
    lines.extend(chart::wrap(&state, width, ""));
    let total: u64 = item.history.iter().map(|e| e.took_ms).sum();
    // A revision of the card, or progress carried over from a card it replaces, changes the
    // schedule but is not an answer: counted apart.
    let answers = item.history.iter().filter(|e| e.kind.is_answer()).count();
    // Reviews made in Anki (brought in by `knead import --progress`) are history of their own.
    let anki = item
        .history
        .iter()
        .filter(|e| matches!(e.kind, ReviewKind::Anki(_)))
        .count();
    let events = item.history.len() - answers - anki;
    let anki = if anki > 0 {
        format!(", {}", count(anki, "Anki review"))
    } else {
        String::new()
    };
    let events = if events > 0 {
        format!(", {}", count(events, "schedule change"))
    } else {
        String::new()
    };
    lines.extend(chart::wrap(
        &format!(
            "History: {}{anki}{events}, {} in all",
            count(answers, "answer"),
            duration(std::time::Duration::from_millis(total))
        ),
        width,
        "",
    ));
    let with_due = width >= 60;
    let mut header = vec!["DATE", "KIND", "GRADE", "IVL", "EF"];
    if with_due {
        header.push("DUE");
    }
    header.push("TIME");
    let rows: Vec<Vec<String>> = item
        .history
        .iter()
        .map(|e| {
            let mut row = vec![
                e.day.to_string(),
                match e.kind {
                    ReviewKind::Revised(_) => "Revision".to_owned(),
                    ReviewKind::Anki(_) => "Anki".to_owned(),
                    ReviewKind::AnkiSchedule(_) => "Anki state".to_owned(),
                    kind => format!("{kind:?}"),
                },
                match e.kind {
                    ReviewKind::Anki(review) => anki_button(review.ease).to_owned(),
                    kind if kind.is_answer() => e.grade.to_string(),
                    _ => "—".to_owned(),
                },
                match e.kind {
                    ReviewKind::Anki(review) => anki_interval(review.interval),
                    _ => format!("{}d", e.interval_days),
                },
                format!("{:.2}", e.easiness),
            ];
            if with_due {
                row.push(e.due.to_string());
            }
            row.push(short_duration(e.took_ms));
            row
        })
        .collect();
    lines.extend(chart::table_left_aligned(&header, 2, &rows, width));
}

/// The Anki button an ease number stands for.
fn anki_button(ease: u8) -> &'static str {
    match ease {
        1 => "Again",
        2 => "Hard",
        3 => "Good",
        4 => "Easy",
        _ => "moved",
    }
}

/// An Anki interval: days, or (negative) seconds of a learning step, shown in minutes.
fn anki_interval(interval: i64) -> String {
    if interval >= 0 {
        format!("{interval}d")
    } else {
        format!("{}m", interval.unsigned_abs().div_ceil(60))
    }
}
