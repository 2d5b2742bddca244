//! Class reports: what a student hands in (`knead report`, [`student_report`]) and what an
//! instructor reads from a class's reports (`knead class`, [`aggregate`]).
//!
//! A student's report holds, per item of the chosen decks, only: seen or not, whether the first
//! answer was right, the option chosen on a wrong first answer, lapses, reviews, the current
//! interval, leech or not, and the median answer time; and the class code, a pseudonym, the
//! knead and deck versions and the day it was made. No times finer than the day, no free text.
//!
//! **The first answer** to an item is the answer marked `first` in the journal, or, for
//! answers recorded before knead marked them, the earliest answer.
//!
//! **Discrimination** is the upper-lower index (Kelley's 27% groups): students who answered the
//! item are ranked by their *rest score* (the share of first answers right on every other item
//! they answered, so the item does not vote for itself); the item's first-try correct rate in
//! the bottom 27% is taken from that in the top 27%. It runs from -1 to 1; below 0.2 is poor
//! (Ebel), below 0 means the students who do worse overall do better on this item. It is
//! computed only when at least [`MIN_DISCRIMINATION_STUDENTS`] students answered the item.
//!
//! Reports are untrusted: [`read_report`] bounds their size and checks every value, and
//! [`aggregate`] refuses a report made for another version of a deck.

use crate::store::ItemMap;
use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::deck::{Card, Deck, Verdict};
use crate::store::{Chosen, LogEntry};
use crate::study::collection::{Collection, item_key};
use crate::study::history::LeechRule;
use crate::text::percent_value;

/// What a report file says it is, first thing in it.
pub const REPORT_FORMAT: &str = "knead-class-report";
/// The report layout this knead writes and reads.
pub const REPORT_VERSION: u32 = 1;
/// The largest report file read: a report of every bundled deck is about 40 KB.
pub const MAX_REPORT_BYTES: usize = 4 * 1024 * 1024;
/// The most reports one `knead class` reads.
pub const MAX_REPORTS: usize = 5_000;
/// The longest class code or pseudonym.
pub const MAX_NAME_CHARS: usize = 40;
/// Fewer students than this on an item give no discrimination index (too noisy).
pub const MIN_DISCRIMINATION_STUDENTS: usize = 10;
/// Fewer first answers than this on an item put it on no list of cards to fix.
pub const MIN_FIX_STUDENTS: usize = 5;
/// How many cards the "to fix" list names at most.
pub const MAX_TO_FIX: usize = 10;

/// One student's report, as written to the file they hand in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudentReport {
    pub format: String,
    pub version: u32,
    pub class: String,
    pub pseudonym: String,
    /// The knead version that made the report.
    pub knead: String,
    /// The day the report was made.
    pub made: Date,
    pub decks: Vec<DeckReport>,
}

/// One deck in a student's report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeckReport {
    pub id: String,
    pub version: u32,
    pub items: Vec<ItemReport>,
}

/// One item (a card, or one Cloze deletion) in a student's report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemReport {
    /// The card id, with `#n` for a Cloze deletion.
    pub item: String,
    pub seen: bool,
    /// Whether the first answer was right (graded 3 or more).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_right: Option<bool>,
    /// What was chosen on a wrong first answer (auto-graded kinds only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_chose: Option<Chosen>,
    #[serde(default)]
    pub lapses: u32,
    #[serde(default)]
    pub reviews: u32,
    #[serde(default)]
    pub interval_days: u32,
    #[serde(default)]
    pub leech: bool,
    /// The median time to answer, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_ms: Option<u64>,
}

/// Why a report cannot be used. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ClassError {
    #[error("{file} is {bytes} bytes, more than the {max} bytes a class report may have")]
    TooLarge {
        file: String,
        bytes: usize,
        max: usize,
    },
    #[error("{file} is not a knead class report: {problem}")]
    NotAReport { file: String, problem: String },
    #[error(
        "{file} is a class report of format version {version}; this knead reads version {REPORT_VERSION}"
    )]
    FormatVersion { file: String, version: u32 },
    #[error("{file} has {problem}")]
    BadValue { file: String, problem: String },
    #[error(
        "{file} reports on version {report_version} of the deck `{deck}`, but the deck here is version {deck_version}"
    )]
    DeckVersion {
        file: String,
        deck: String,
        report_version: u32,
        deck_version: u32,
    },
    #[error("{file} reports on the deck `{deck}`, which is not among the decks compared")]
    UnknownDeck { file: String, deck: String },
    #[error("{first} and {second} are both from the student `{pseudonym}`")]
    SamePseudonym {
        first: String,
        second: String,
        pseudonym: String,
    },
    #[error("{count} reports given; knead reads at most {MAX_REPORTS} at once")]
    TooManyReports { count: usize },
    #[error("no report to read")]
    NoReports,
    #[error("nothing to report: no installed or bundled deck has a card you have answered")]
    NothingStudied,
    #[error(
        "the {what} \"{given}\" is not 1 to {MAX_NAME_CHARS} letters, digits, spaces, '-' or '_'"
    )]
    InvalidName { what: &'static str, given: String },
}

impl ClassError {
    pub fn help(&self) -> String {
        match self {
            ClassError::DeckVersion { deck_version, report_version, .. } => format!(
                "results from different versions of a deck do not compare card by card. Ask the student to update the deck (`knead add` the version {deck_version} file), study, and send a new report; or compare the version-{report_version} reports on their own against a copy of that version (`--deck old-file.ron`)"
            ),
            ClassError::UnknownDeck { .. } => "name the deck file with --deck (a deck id or a .ron file), or install the deck with `knead add`".into(),
            ClassError::SamePseudonym { .. } => "a student who sent two reports: keep the newer one and leave the other out".into(),
            ClassError::TooManyReports { .. } => "compare the class in groups".into(),
            ClassError::NoReports => "name the report files students handed in".into(),
            ClassError::NothingStudied => "a deck studied from its file (`knead study --deck FILE`) is named the same way: `knead report --class CODE --deck FILE`; or install it with `knead add FILE`".into(),
            ClassError::InvalidName { .. } => "for example `--class ce-lupus-2026 --pseudonym blue-heron`; a pseudonym should not be your name".into(),
            _ => "students make reports with `knead report --class CODE -o FILE`; ask for a new one rather than editing it".into(),
        }
    }
}

/// Whether a class code or pseudonym is acceptable: 1 to [`MAX_NAME_CHARS`] ASCII letters,
/// digits, spaces, '-' and '_' (nothing a terminal or a web page could read as markup).
pub fn valid_name(name: &str) -> bool {
    (1..=MAX_NAME_CHARS).contains(&name.chars().count())
        && name.trim() == name
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_'))
}

/// A pseudonym for a student who does not choose one: the same for the same class code and
/// device every time (so a report sent again replaces the last one), and telling nothing
/// about either.
pub fn generated_pseudonym(class: &str, device: &str) -> String {
    let hash = blake3::hash(format!("knead class pseudonym\0{class}\0{device}").as_bytes());
    format!("student-{}", &hash.to_hex()[..8])
}

/// A student's report on `collection` (the decks chosen), from their progress and history.
pub fn student_report(
    collection: &Collection,
    progress: &ItemMap,
    history: &[LogEntry],
    class: &str,
    pseudonym: &str,
    made: Date,
    leech_rule: LeechRule,
) -> StudentReport {
    // Per item: the first answer (marked, else earliest), and every answer time.
    let mut first: HashMap<&str, &LogEntry> = HashMap::new();
    let mut times: HashMap<&str, Vec<u64>> = HashMap::new();
    for entry in history.iter().filter(|e| e.kind.is_answer()) {
        let item = entry.item.as_str();
        times.entry(item).or_default().push(entry.took_ms);
        match first.get(item) {
            Some(earlier) if earlier.first || !entry.first => {}
            _ => {
                first.insert(item, entry);
            }
        }
    }
    let decks = collection
        .decks()
        .iter()
        .map(|loaded| {
            let deck = &loaded.deck;
            let items = deck
                .cards
                .iter()
                .filter(|card| card.common().retired.is_none())
                .flat_map(|card| {
                    (0..card.item_count())
                        .map(move |part| (card, part, item_key(&deck.id, card, part)))
                })
                .map(|(card, part, key)| {
                    let name = item_name(card, part);
                    let state = progress.get(&key);
                    let first = first.get(key.as_str());
                    let median_ms = times.get_mut(key.as_str()).map(|t| median(t));
                    ItemReport {
                        item: name,
                        seen: state.is_some() || first.is_some(),
                        first_right: first.map(|e| e.grade >= 3),
                        first_chose: first.filter(|e| e.grade < 3).and_then(|e| e.chose),
                        lapses: state.map_or(0, |s| s.lapses),
                        reviews: state.map_or(0, |s| s.reviews),
                        interval_days: state.map_or(0, |s| s.interval_days),
                        leech: state.is_some_and(|s| leech_rule.is_leech(s)),
                        median_ms,
                    }
                })
                .collect();
            DeckReport {
                id: deck.id.clone(),
                version: deck.version,
                items,
            }
        })
        .collect();
    StudentReport {
        format: REPORT_FORMAT.into(),
        version: REPORT_VERSION,
        class: class.into(),
        pseudonym: pseudonym.into(),
        knead: env!("CARGO_PKG_VERSION").into(),
        made,
        decks,
    }
}

/// An item's name within its deck: the card id, `#n` added for a Cloze deletion.
fn item_name(card: &Card, part: usize) -> String {
    match card {
        Card::Cloze(_) => format!("{}#{}", card.id(), part + 1),
        _ => card.id().to_owned(),
    }
}

fn median(values: &mut [u64]) -> u64 {
    values.sort_unstable();
    let middle = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[middle - 1] + values[middle]) / 2
    } else {
        values[middle]
    }
}

/// Reads and checks one report file's bytes; `file` names it in errors.
pub fn read_report(bytes: &[u8], file: &str) -> Result<StudentReport, ClassError> {
    if bytes.len() > MAX_REPORT_BYTES {
        return Err(ClassError::TooLarge {
            file: file.into(),
            bytes: bytes.len(),
            max: MAX_REPORT_BYTES,
        });
    }
    let not_a_report = |problem: String| ClassError::NotAReport {
        file: file.into(),
        problem,
    };
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| not_a_report(format!("not JSON ({e})")))?;
    if value.get("format").and_then(|f| f.as_str()) != Some(REPORT_FORMAT) {
        return Err(not_a_report(format!(
            "it does not start with \"format\": \"{REPORT_FORMAT}\""
        )));
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(REPORT_VERSION) => {}
        Some(v) => {
            return Err(ClassError::FormatVersion {
                file: file.into(),
                version: u32::try_from(v).unwrap_or(u32::MAX),
            });
        }
        None => return Err(not_a_report("it has no format version".into())),
    }
    let report: StudentReport =
        serde_json::from_value(value).map_err(|e| not_a_report(e.to_string()))?;
    let bad = |problem: String| ClassError::BadValue {
        file: file.into(),
        problem,
    };
    for (what, name) in [
        ("class code", &report.class),
        ("pseudonym", &report.pseudonym),
    ] {
        if !valid_name(name) {
            return Err(bad(format!(
                "a {what} that is not 1 to {MAX_NAME_CHARS} letters, digits, spaces, '-' or '_'"
            )));
        }
    }
    if report.knead.len() > 40 || !report.knead.chars().all(|c| c.is_ascii_graphic()) {
        return Err(bad("a knead version that is not a version number".into()));
    }
    let mut decks = HashSet::new();
    for deck in &report.decks {
        if !valid_id(&deck.id) || deck.items.iter().any(|item| !valid_id(&item.item)) {
            return Err(bad("an id that is not a knead deck, card or item id".into()));
        }
        if !decks.insert(deck.id.as_str()) {
            return Err(bad(format!("the deck `{}` twice", safe_id(&deck.id))));
        }
        let mut items = HashSet::new();
        for item in &deck.items {
            if !items.insert(item.item.as_str()) {
                return Err(bad(format!(
                    "the item `{}` twice in the deck `{}`",
                    safe_id(&item.item),
                    safe_id(&deck.id)
                )));
            }
            if item.lapses > item.reviews {
                return Err(bad(format!(
                    "more lapses than reviews for `{}`",
                    safe_id(&item.item)
                )));
            }
            if item.interval_days > crate::sm2::MAX_INTERVAL_DAYS {
                return Err(bad(format!(
                    "an interval over knead's cap for `{}`",
                    safe_id(&item.item)
                )));
            }
        }
    }
    Ok(report)
}

/// Whether `id` could be a deck id, card id or item (`card#n`): lowercase ASCII letters,
/// digits, '-' and '#', at most 200 bytes.
fn valid_id(id: &str) -> bool {
    (1..=200).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'#'))
}

/// An id from a report, shown in a message: at most 60 characters, each letter, digit, '-',
/// '_' or '#', others as '?'.
fn safe_id(id: &str) -> String {
    id.chars()
        .take(60)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '#') {
                c
            } else {
                '?'
            }
        })
        .collect()
}

/// What a class's reports say, card by card, hardest first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassSummary {
    /// The class codes in the reports (usually one).
    pub classes: Vec<String>,
    pub students: usize,
    /// How discrimination is measured.
    pub discrimination_method: &'static str,
    pub decks: Vec<GroupRetention>,
    pub tags: Vec<GroupRetention>,
    /// Every item any student met, hardest first (lowest first-try correct rate).
    pub cards: Vec<CardResult>,
    /// The cards to look at first, each with its reasons (at most [`MAX_TO_FIX`]).
    pub to_fix: Vec<ToFix>,
}

/// The class's results on one item.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CardResult {
    pub deck: String,
    /// The card id, `#n` for a Cloze deletion.
    pub item: String,
    pub kind: &'static str,
    /// The question, as the card asks it (deck text: shown terminal-safe, HTML-escaped).
    pub question: String,
    /// Students who met it.
    pub met: usize,
    /// Students with a first answer, and how many of those were right.
    pub first_answers: usize,
    pub first_right: usize,
    pub first_right_percent: Option<u64>,
    /// The wrong option chosen most on first answers.
    pub wrong_choice: Option<WrongChoice>,
    pub median_ms: Option<u64>,
    pub leeches: usize,
    /// Upper-lower 27% index, -1 to 1 (see the module notes).
    pub discrimination: Option<f64>,
}

/// A wrong option and how many first answers chose it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WrongChoice {
    pub option: String,
    pub students: usize,
    /// Its share of the first answers, in percent.
    pub percent: u64,
}

/// A card to look at, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ToFix {
    pub deck: String,
    pub item: String,
    pub reasons: Vec<Reason>,
}

/// Why a card is on the list to fix.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// Most students got it wrong on first try.
    MostWrong { first_right_percent: u64 },
    /// One wrong option drew more first answers than the right one (Choice and Scenario).
    DistractorPulls { option: String, percent: u64 },
    /// Its results do not follow the students' overall results.
    LowDiscrimination { discrimination: f64 },
}

impl Reason {
    /// The reason in a sentence (deck text in it is shown terminal-safe by the caller).
    pub fn text(&self) -> String {
        match self {
            Reason::MostWrong {
                first_right_percent,
            } => {
                format!("most students wrong: {first_right_percent}% right on first try")
            }
            Reason::DistractorPulls { option, percent } => format!(
                "a wrong option pulls students: \"{option}\" chosen by {percent}% on first try"
            ),
            Reason::LowDiscrimination { discrimination } if *discrimination < 0.0 => format!(
                "negative discrimination ({discrimination:.2}): students who do worse overall do better on it"
            ),
            Reason::LowDiscrimination { discrimination } => format!(
                "low discrimination ({discrimination:.2}): its results barely follow the students' overall results"
            ),
        }
    }
}

/// The class's retention over a deck or a tag: reviews graded 3 or more of all reviews.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupRetention {
    pub name: String,
    pub students: usize,
    pub reviews: u64,
    pub lapses: u64,
    pub retention_percent: Option<u64>,
}

/// One student's first answers, by (deck index, item), and how many there are and how many
/// right, for the discrimination index.
#[derive(Default)]
struct FirstAnswers {
    items: HashMap<(usize, String), bool>,
    answered: u32,
    right: u32,
}

/// Aggregates checked reports (with the file each came from) against `decks`, the decks as
/// the instructor has them. Every report's decks must be among them, at the same version.
pub fn aggregate(
    reports: &[(String, StudentReport)],
    decks: &[Deck],
) -> Result<ClassSummary, ClassError> {
    if reports.is_empty() {
        return Err(ClassError::NoReports);
    }
    if reports.len() > MAX_REPORTS {
        return Err(ClassError::TooManyReports {
            count: reports.len(),
        });
    }
    let mut pseudonyms: HashMap<&str, &str> = HashMap::new();
    for (file, report) in reports {
        if let Some(first) = pseudonyms.insert(&report.pseudonym, file) {
            return Err(ClassError::SamePseudonym {
                first: first.into(),
                second: file.clone(),
                pseudonym: report.pseudonym.clone(),
            });
        }
        for deck_report in &report.decks {
            let Some(deck) = decks.iter().find(|d| d.id == deck_report.id) else {
                return Err(ClassError::UnknownDeck {
                    file: file.clone(),
                    deck: safe_id(&deck_report.id),
                });
            };
            if deck.version != deck_report.version {
                return Err(ClassError::DeckVersion {
                    file: file.clone(),
                    deck: deck.id.clone(),
                    report_version: deck_report.version,
                    deck_version: deck.version,
                });
            }
        }
    }

    // The items of every deck, in deck order, with their card.
    struct Slot<'a> {
        deck: usize,
        card: &'a Card,
        part: usize,
        name: String,
        met: usize,
        first_answers: usize,
        first_right: usize,
        wrong: BTreeMap<ChosenKey, usize>,
        times: Vec<u64>,
        leeches: usize,
    }
    let mut slots: Vec<Slot> = Vec::new();
    let mut index: HashMap<(usize, String), usize> = HashMap::new();
    for (deck_index, deck) in decks.iter().enumerate() {
        for card in deck.cards.iter().filter(|c| c.common().retired.is_none()) {
            for part in 0..card.item_count() {
                let name = item_name(card, part);
                index.insert((deck_index, name.clone()), slots.len());
                slots.push(Slot {
                    deck: deck_index,
                    card,
                    part,
                    name,
                    met: 0,
                    first_answers: 0,
                    first_right: 0,
                    wrong: BTreeMap::new(),
                    times: Vec::new(),
                    leeches: 0,
                });
            }
        }
    }

    let mut students: Vec<FirstAnswers> = Vec::new();
    let mut deck_groups: BTreeMap<usize, Retention> = BTreeMap::new();
    let mut tag_groups: BTreeMap<&str, Retention> = BTreeMap::new();
    for (file, report) in reports {
        let mut answers = FirstAnswers::default();
        for deck_report in &report.decks {
            let deck_index = decks
                .iter()
                .position(|d| d.id == deck_report.id)
                .expect("checked above");
            let mut deck_seen = false;
            let mut tags_seen: HashSet<&str> = HashSet::new();
            for item in &deck_report.items {
                let Some(&slot_index) = index.get(&(deck_index, item.item.clone())) else {
                    return Err(ClassError::BadValue {
                        file: file.clone(),
                        problem: format!(
                            "the item `{}`, which the deck `{}` does not have",
                            safe_id(&item.item),
                            decks[deck_index].id
                        ),
                    });
                };
                let slot = &mut slots[slot_index];
                if let Some(chose) = item.first_chose
                    && !fits(slot.card, chose)
                {
                    return Err(ClassError::BadValue {
                        file: file.clone(),
                        problem: format!(
                            "an answer to `{}` that is not one of its options",
                            safe_id(&item.item)
                        ),
                    });
                }
                if !item.seen {
                    continue;
                }
                slot.met += 1;
                slot.leeches += usize::from(item.leech);
                slot.times.extend(item.median_ms);
                if let Some(right) = item.first_right {
                    slot.first_answers += 1;
                    slot.first_right += usize::from(right);
                    answers.items.insert((deck_index, item.item.clone()), right);
                    answers.answered += 1;
                    answers.right += u32::from(right);
                    if !right && let Some(chose) = item.first_chose {
                        *slot.wrong.entry(ChosenKey(chose)).or_default() += 1;
                    }
                }
                deck_seen = true;
                let group = deck_groups.entry(deck_index).or_default();
                group.add(item);
                for tag in slot.card.common().tags {
                    tags_seen.insert(tag);
                    tag_groups.entry(tag).or_default().add(item);
                }
            }
            if deck_seen {
                deck_groups.entry(deck_index).or_default().students += 1;
            }
            for tag in tags_seen {
                tag_groups.entry(tag).or_default().students += 1;
            }
        }
        students.push(answers);
    }

    let mut cards: Vec<CardResult> = slots
        .iter_mut()
        .filter(|slot| slot.met > 0)
        .map(|slot| {
            let wrong_choice = slot
                .wrong
                .iter()
                .max_by_key(|(key, count)| (**count, std::cmp::Reverse(**key)))
                .map(|(key, &count)| WrongChoice {
                    option: option_text(slot.card, key.0),
                    students: count,
                    percent: percent_value(count as u64, slot.first_answers as u64).unwrap_or(0),
                });
            let key = (slot.deck, slot.name.clone());
            CardResult {
                deck: decks[slot.deck].id.clone(),
                item: slot.name.clone(),
                kind: slot.card.kind(),
                question: question_text(slot.card, slot.part),
                met: slot.met,
                first_answers: slot.first_answers,
                first_right: slot.first_right,
                first_right_percent: percent_value(
                    slot.first_right as u64,
                    slot.first_answers as u64,
                ),
                wrong_choice,
                median_ms: (!slot.times.is_empty()).then(|| median(&mut slot.times)),
                leeches: slot.leeches,
                discrimination: discrimination(&students, &key),
            }
        })
        .collect();
    // Hardest first: lowest first-try rate, then more students, then deck order.
    cards.sort_by_key(|c| {
        (
            c.first_right_percent.unwrap_or(101),
            std::cmp::Reverse(c.first_answers),
        )
    });

    let mut to_fix: Vec<ToFix> = cards
        .iter()
        .filter(|c| c.first_answers >= MIN_FIX_STUDENTS)
        .filter_map(|card| {
            let mut reasons = Vec::new();
            let right = card.first_right_percent.unwrap_or(0);
            if card.first_right * 2 < card.first_answers {
                reasons.push(Reason::MostWrong {
                    first_right_percent: right,
                });
            }
            // A TrueFalse card's one wrong answer is "most wrong" already, not a lure.
            if let Some(wrong) = &card.wrong_choice
                && card.kind != "TrueFalse"
                && wrong.students > card.first_right
            {
                reasons.push(Reason::DistractorPulls {
                    option: wrong.option.clone(),
                    percent: wrong.percent,
                });
            }
            if let Some(d) = card.discrimination
                && (d < 0.0 || (d < 0.2 && right < 90))
            {
                reasons.push(Reason::LowDiscrimination { discrimination: d });
            }
            (!reasons.is_empty()).then(|| ToFix {
                deck: card.deck.clone(),
                item: card.item.clone(),
                reasons,
            })
        })
        .collect();
    to_fix.truncate(MAX_TO_FIX);

    let mut classes: Vec<String> = reports.iter().map(|(_, r)| r.class.clone()).collect();
    classes.sort();
    classes.dedup();
    Ok(ClassSummary {
        classes,
        students: reports.len(),
        discrimination_method: "upper-lower 27% groups by rest score (Kelley); -1 to 1",
        decks: deck_groups
            .into_iter()
            .map(|(deck, r)| r.named(&decks[deck].id))
            .collect(),
        tags: tag_groups
            .into_iter()
            .map(|(tag, r)| r.named(tag))
            .collect(),
        cards,
        to_fix,
    })
}

/// Reviews and lapses summed over a group of items.
#[derive(Default)]
struct Retention {
    students: usize,
    reviews: u64,
    lapses: u64,
}

impl Retention {
    fn add(&mut self, item: &ItemReport) {
        self.reviews += u64::from(item.reviews);
        self.lapses += u64::from(item.lapses.min(item.reviews));
    }

    fn named(self, name: &str) -> GroupRetention {
        GroupRetention {
            name: name.into(),
            students: self.students,
            reviews: self.reviews,
            lapses: self.lapses,
            retention_percent: percent_value(self.reviews - self.lapses, self.reviews),
        }
    }
}

/// A [`Chosen`] ordered (for a deterministic "most chosen" among ties: deck order first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ChosenKey(Chosen);

impl ChosenKey {
    fn rank(self) -> (u8, u32) {
        match self.0 {
            Chosen::Option(n) => (0, n),
            Chosen::Bool(b) => (1, u32::from(b)),
            Chosen::Verdict(v) => (
                2,
                Verdict::ALL.iter().position(|&x| x == v).unwrap_or(0) as u32,
            ),
        }
    }
}

impl PartialOrd for ChosenKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ChosenKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank().cmp(&other.rank())
    }
}

/// Whether `chose` is an answer `card` could have been given.
fn fits(card: &Card, chose: Chosen) -> bool {
    match (card, chose) {
        (Card::Choice(choice), Chosen::Option(n)) => (n as usize) < choice.options.len(),
        (Card::TrueFalse(_), Chosen::Bool(_)) | (Card::Scenario(_), Chosen::Verdict(_)) => true,
        _ => false,
    }
}

/// The text of an option, from the deck.
fn option_text(card: &Card, chose: Chosen) -> String {
    match (card, chose) {
        (Card::Choice(choice), Chosen::Option(n)) => {
            choice.options.get(n as usize).cloned().unwrap_or_default()
        }
        (_, Chosen::Bool(b)) => (if b { "True" } else { "False" }).into(),
        (_, Chosen::Verdict(v)) => format!("{} ({})", v.name(), v.meaning()),
        _ => String::new(),
    }
}

/// The card's question in one line of at most 200 characters.
fn question_text(card: &Card, part: usize) -> String {
    let text = match card {
        Card::Basic(c) => c.front.clone(),
        Card::Choice(c) => c.prompt.clone(),
        Card::TrueFalse(c) => c.statement.clone(),
        Card::Cloze(c) => format!("{} (deletion {})", c.text, part + 1),
        Card::Scenario(c) => format!("{} / {}", c.client, c.technique),
    };
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// The upper-lower index of one item (see the module notes).
fn discrimination(students: &[FirstAnswers], item: &(usize, String)) -> Option<f64> {
    let mut ranked: Vec<(f64, bool)> = students
        .iter()
        .filter_map(|answers| {
            let right = *answers.items.get(item)?;
            let others = answers.answered - 1;
            let others_right = answers.right - u32::from(right);
            let rest = if others == 0 {
                0.0
            } else {
                f64::from(others_right) / f64::from(others)
            };
            Some((rest, right))
        })
        .collect();
    if ranked.len() < MIN_DISCRIMINATION_STUDENTS {
        return None;
    }
    ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
    let group = ((ranked.len() as f64 * 0.27).round() as usize).max(1);
    let rate = |group: &[(f64, bool)]| {
        group.iter().filter(|(_, right)| *right).count() as f64 / group.len() as f64
    };
    let lower = rate(&ranked[..group]);
    let upper = rate(&ranked[ranked.len() - group..]);
    Some(((upper - lower) * 100.0).round() / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deck() -> Deck {
        crate::deck::parse(
            r#"Deck(id: "d", title: "D", version: 2, cards: [
                Choice(id: "c", prompt: "Pick", options: ["right", "lure", "other"], answer: 0, tags: ["t"]),
                TrueFalse(id: "t", statement: "S", answer: true),
            ])"#,
            "d.ron",
        )
        .unwrap()
    }

    fn report(name: &str, c: Option<(bool, Option<u32>)>, t: Option<bool>) -> StudentReport {
        let item = |id: &str, first: Option<bool>, chose: Option<Chosen>| ItemReport {
            item: id.into(),
            seen: first.is_some(),
            first_right: first,
            first_chose: chose,
            lapses: u32::from(first == Some(false)),
            reviews: u32::from(first.is_some()) * 2,
            ..ItemReport::default()
        };
        StudentReport {
            format: REPORT_FORMAT.into(),
            version: REPORT_VERSION,
            class: "ce-101".into(),
            pseudonym: name.into(),
            knead: "0.1.0".into(),
            made: "2026-03-01".parse().unwrap(),
            decks: vec![DeckReport {
                id: "d".into(),
                version: 2,
                items: vec![
                    item("c", c.map(|c| c.0), c.and_then(|c| c.1).map(Chosen::Option)),
                    item("t", t, None),
                ],
            }],
        }
    }

    #[test]
    fn a_lure_most_students_choose_is_named_with_its_text_and_share() {
        let reports: Vec<(String, StudentReport)> = (0..6)
            .map(|n| {
                let c = if n < 4 {
                    (false, Some(1))
                } else {
                    (true, None)
                };
                (
                    format!("{n}.json"),
                    report(&format!("s{n}"), Some(c), Some(true)),
                )
            })
            .collect();
        let summary = aggregate(&reports, &[deck()]).unwrap();
        assert_eq!(summary.cards[0].item, "c", "hardest first");
        assert_eq!(summary.cards[0].first_right_percent, Some(33));
        let wrong = summary.cards[0].wrong_choice.as_ref().unwrap();
        assert_eq!(
            (wrong.option.as_str(), wrong.students, wrong.percent),
            ("lure", 4, 67)
        );
        assert_eq!(summary.to_fix.len(), 1);
        assert_eq!(
            summary.to_fix[0].reasons,
            [
                Reason::MostWrong {
                    first_right_percent: 33
                },
                Reason::DistractorPulls {
                    option: "lure".into(),
                    percent: 67
                }
            ]
        );
        assert_eq!(summary.tags[0].name, "t");
        assert_eq!(summary.tags[0].retention_percent, Some(67));
    }

    #[test]
    fn another_deck_version_is_refused_and_bad_values_rejected() {
        let mut old = report("s", Some((true, None)), None);
        old.decks[0].version = 1;
        let error = aggregate(&[("old.json".into(), old)], &[deck()]).unwrap_err();
        assert!(
            matches!(
                error,
                ClassError::DeckVersion {
                    report_version: 1,
                    deck_version: 2,
                    ..
                }
            ),
            "{error}"
        );
        let mut lying = report("s", Some((false, Some(7))), None);
        lying.decks[0].items[0].first_right = Some(false);
        let error = aggregate(&[("x.json".into(), lying)], &[deck()]).unwrap_err();
        assert!(
            error.to_string().contains("not one of its options"),
            "{error}"
        );

        let text = serde_json::to_string(&report("s", None, None)).unwrap();
        assert!(read_report(text.as_bytes(), "f").is_ok());
        let hostile = text.replace("\"s\"", "\"<script>\"");
        assert!(matches!(
            read_report(hostile.as_bytes(), "f"),
            Err(ClassError::BadValue { .. })
        ));
        let extra = text.replacen('{', "{\"notes\":\"free text\",", 1);
        assert!(matches!(
            read_report(extra.as_bytes(), "f"),
            Err(ClassError::NotAReport { .. })
        ));
        let future = text.replace("\"version\":1,", "\"version\":9,");
        assert!(matches!(
            read_report(future.as_bytes(), "f"),
            Err(ClassError::FormatVersion { version: 9, .. })
        ));
        let big = vec![b' '; MAX_REPORT_BYTES + 1];
        assert!(matches!(
            read_report(&big, "f"),
            Err(ClassError::TooLarge { .. })
        ));
    }

    #[test]
    fn discrimination_is_negative_when_weaker_students_do_better() {
        // 12 students: the strong (right on t) miss c, the weak (wrong on t) get c right.
        let reports: Vec<(String, StudentReport)> = (0..12)
            .map(|n| {
                let strong = n < 6;
                let c = if strong {
                    (false, Some(2))
                } else {
                    (true, None)
                };
                (
                    format!("{n}"),
                    report(&format!("s{n}"), Some(c), Some(strong)),
                )
            })
            .collect();
        let summary = aggregate(&reports, &[deck()]).unwrap();
        let c = summary.cards.iter().find(|c| c.item == "c").unwrap();
        assert_eq!(c.discrimination, Some(-1.0));
        assert!(summary.to_fix.iter().any(|f| f.item == "c"
            && f.reasons.contains(&Reason::LowDiscrimination {
                discrimination: -1.0
            })));
    }

    fn answer(item: &str, grade: u8, took_ms: u64, chose: Option<Chosen>, first: bool) -> LogEntry {
        let day: Date = "2026-03-01".parse().unwrap();
        LogEntry {
            at: "2026-03-01T10:00:00Z".parse().unwrap(),
            day,
            item: item.into(),
            kind: crate::store::ReviewKind::Review,
            grade,
            took_ms,
            repetitions: 1,
            interval_days: 1,
            easiness: 2.5,
            due: day,
            rev: 0,
            from: None,
            chose,
            first,
        }
    }

    #[test]
    fn the_first_answer_is_the_marked_one_else_the_earliest() {
        use crate::study::collection::{LoadedDeck, Origin};
        let collection =
            Collection::new(vec![LoadedDeck::new(deck(), Origin::File("d.ron".into()))]).unwrap();
        let history = [
            // Before knead marked first answers: the earliest counts.
            answer("d/t", 1, 1_000, Some(Chosen::Bool(false)), false),
            answer("d/t", 4, 3_000, Some(Chosen::Bool(true)), false),
            answer("d/t", 4, 8_000, Some(Chosen::Bool(true)), false),
            // An answer carried over from elsewhere comes first; the marked one counts.
            answer("d/c", 5, 2_000, Some(Chosen::Option(0)), false),
            answer("d/c", 1, 4_000, Some(Chosen::Option(2)), true),
        ];
        let mut progress = crate::store::ItemMap::default();
        for entry in &history {
            crate::store::apply(&mut progress, entry);
        }
        let report = student_report(
            &collection,
            &progress,
            &history,
            "ce-1",
            "s",
            "2026-03-02".parse().unwrap(),
            LeechRule::default(),
        );
        let items = &report.decks[0].items;
        assert_eq!(items[0].item, "c");
        assert_eq!(items[0].first_right, Some(false));
        assert_eq!(items[0].first_chose, Some(Chosen::Option(2)));
        assert_eq!(items[0].median_ms, Some(3_000));
        assert_eq!(items[1].first_right, Some(false));
        assert_eq!(items[1].first_chose, Some(Chosen::Bool(false)));
        assert_eq!((items[1].reviews, items[1].lapses), (3, 1));
        assert_eq!(items[1].median_ms, Some(3_000));
        // The report reads back as it was written.
        let text = serde_json::to_string(&report).unwrap();
        assert_eq!(read_report(text.as_bytes(), "f").unwrap(), report);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        /// Whatever a report file holds (here: a real report with bytes changed), reading
        /// and aggregating it gives a result or a typed error, never a panic.
        #[test]
        fn damaged_reports_are_refused_without_panicking(
            students in proptest::collection::vec(
                (proptest::option::of(proptest::bool::ANY), 0u32..4, proptest::option::of(proptest::bool::ANY)),
                1..14,
            ),
            edits in proptest::collection::vec((0usize..2000, proptest::num::u8::ANY), 0..4),
        ) {
            let mut reports = Vec::new();
            for (n, (c, wrong_option, t)) in students.into_iter().enumerate() {
                let c = c.map(|right| (right, (!right).then_some(wrong_option)));
                let mut bytes = serde_json::to_vec(&report(&format!("s{n}"), c, t)).unwrap();
                for &(at, byte) in &edits {
                    if !bytes.is_empty() {
                        let at = at % bytes.len();
                        bytes[at] = byte;
                    }
                }
                if let Ok(report) = read_report(&bytes, "f") {
                    reports.push((format!("{n}.json"), report));
                }
            }
            if let Ok(summary) = aggregate(&reports, &[deck()]) {
                for card in &summary.cards {
                    proptest::prop_assert!(card.first_right <= card.first_answers);
                    proptest::prop_assert!(card.discrimination.is_none_or(|d| (-1.0..=1.0).contains(&d)));
                }
            }
        }
    }

    #[test]
    fn generated_pseudonyms_are_stable_and_valid() {
        let a = generated_pseudonym("ce-101", "laptop-1");
        assert_eq!(a, generated_pseudonym("ce-101", "laptop-1"));
        assert_ne!(a, generated_pseudonym("ce-102", "laptop-1"));
        assert!(valid_name(&a));
    }
}
