//! What each Anki note becomes in knead, and what it loses on the way.
//!
//! - A normal note type makes one card per Anki card it has: the template's question field
//!   is the front, the other of Front/Back the back, so "Basic (and reversed card)" and
//!   "Basic (optional reversed card)" give one card per direction and "type in the answer"
//!   a Basic card. Fields are found by name (Front/Text/Question, Back/Back Extra/Extra/
//!   Answer, Why/Explanation, Source/Reference), else the first two are front and back;
//!   text in any other field is reported.
//! - A Cloze note type makes one knead Cloze with every deletion in the order of the text;
//!   hints, deletions sharing a number and nested deletions are reported. Back Extra, the
//!   usual second field, may be empty; with text it is the card's `why` unless a Why field
//!   has text.
//! - Image Occlusion notes are reported and skipped.
//! - A note exported by knead (GUID `knead:<deck>/<card>`, a Knead field whose card still
//!   matches the shown fields) gives back the card exactly.

use std::collections::BTreeSet;

use crate::deck::{self, Basic, Card, Cloze};
use crate::interchange::{GUID_PREFIX, clean, html};

use super::export::{CLOZE_FIELDS_FOR_MATCH, KNEAD_FIELD, shown_fields};
use super::read::{Note, NoteType};

/// A loss or problem found while converting a note, before it is located in the package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Finding {
    /// The note type draws on an image (Image Occlusion): the note is skipped.
    ImageOcclusion,
    /// Fields with text that knead has no place for.
    UnusedFields(Vec<String>),
    /// `[sound:...]` references and images removed.
    Media { sounds: usize, images: usize },
    /// Cloze hints left out.
    Hints(usize),
    /// Cloze numbers used by more than one deletion (Anki hides them together).
    SharedNumbers(Vec<u32>),
    /// A deletion inside another: the inner one's markers are removed.
    Nested,
    /// Text knead cannot hold as a Cloze (braces of its own): the note is skipped.
    BadCloze,
    /// The note has fields with formatting (bold, colour, lists...) kept as plain text.
    Formatting,
    /// A knead note whose shown fields were edited in Anki: built from the shown fields.
    EditedInAnki,
}

/// One knead card from a note, before its id is final.
#[derive(Clone, Debug)]
pub(crate) struct Converted {
    pub card: Card,
    /// The card id the note's GUID gives (`knead:<deck>/<card>`), if it is a slug.
    pub given_id: Option<String>,
    /// The deck id the note's GUID gives, if it is a slug.
    pub given_deck: Option<String>,
    /// `-reverse` for the card of a reversed template.
    pub reverse: bool,
    /// Which Anki card (by template ordinal, or Cloze number less one) each study item of the
    /// card comes from, as (ordinal, item part): what `--progress` carries a schedule along.
    pub anki_parts: Vec<(u32, usize)>,
    /// The Anki note's id.
    pub note: i64,
}

/// The roles fields play, by lowercase name.
const FRONT: [&str; 3] = ["front", "text", "question"];
const BACK: [&str; 4] = ["back", "back extra", "extra", "answer"];
const WHY: [&str; 2] = ["why", "explanation"];
const SOURCE: [&str; 2] = ["source", "reference"];

fn find(note_type: &NoteType, names: &[&str]) -> Option<usize> {
    // The first name that matches wins: "Back" before "Extra".
    names.iter().find_map(|name| {
        note_type
            .fields
            .iter()
            .position(|field| field.trim().eq_ignore_ascii_case(name))
    })
}

/// A field's HTML as text, with sound references and images removed and counted.
struct FieldText {
    text: String,
    sounds: usize,
    images: usize,
    formatted: bool,
}

/// `raw` without its `[sound:...]` references, and how many there were.
pub(crate) fn strip_sounds(raw: &str) -> (String, usize) {
    let mut sounds = 0;
    let mut rest = raw;
    let mut kept = String::with_capacity(raw.len());
    while let Some(start) = rest.find("[sound:") {
        let Some(end) = rest[start..].find(']') else {
            break;
        };
        kept.push_str(&rest[..start]);
        rest = &rest[start + end + 1..];
        sounds += 1;
    }
    kept.push_str(rest);
    (kept, sounds)
}

/// Whether a field holds an Anki Cloze deletion (`{{c1::...}}`).
pub(crate) fn has_cloze(raw: &str) -> bool {
    find_deletion(raw).is_some()
}

/// An Anki Cloze field as knead Cloze text (HTML made text when `is_html`), with the Cloze
/// findings (hints, shared numbers, nesting) added to `findings`. `None` when knead cannot
/// hold it. Sounds are to be removed before.
pub(crate) fn cloze_field(raw: &str, is_html: bool, findings: &mut Vec<Finding>) -> Option<String> {
    let (marked, _) = cloze_text(raw, findings)?;
    let text = if is_html {
        clean(&html::to_text(&marked).text)
    } else {
        clean(&marked)
    };
    let text = text.replace(OPEN_MARK, "{{").replace(CLOSE_MARK, "}}");
    deck::cloze_deletions(&text).ok()?;
    Some(text)
}

fn field_text(raw: &str) -> FieldText {
    let (kept, sounds) = strip_sounds(raw);
    let converted = html::to_text(&kept);
    FieldText {
        text: clean(&converted.text),
        sounds,
        images: converted.images.len(),
        formatted: has_formatting(&kept),
    }
}

/// Whether HTML has markup beyond the line breaks and blocks a plain field has.
pub(crate) fn has_formatting(html: &str) -> bool {
    const FORMATTING: [&str; 14] = [
        "<b>", "<b ", "<i>", "<i ", "<u>", "<strong", "<em", "<span", "<font", "<sup", "<sub",
        "<ul", "<ol", "<table",
    ];
    let lower = html.to_ascii_lowercase();
    FORMATTING.iter().any(|tag| lower.contains(tag))
}

/// The card id a `knead:<deck>/<card>` GUID names.
fn id_from_guid(guid: &str) -> Option<String> {
    let (_, card) = guid.strip_prefix(GUID_PREFIX)?.split_once('/')?;
    deck::is_slug(card).then(|| card.to_owned())
}

/// The deck id a `knead:<deck>/<card>` GUID names.
fn deck_from_guid(guid: &str) -> Option<String> {
    let (deck, _) = guid.strip_prefix(GUID_PREFIX)?.split_once('/')?;
    deck::is_slug(deck).then(|| deck.to_owned())
}

/// The note as knead cards (none when it is skipped), with what it lost.
pub(crate) fn convert(note: &Note, note_type: &NoteType) -> (Vec<Converted>, Vec<Finding>) {
    let mut findings = Vec::new();
    if note_type.is_image_occlusion() {
        return (Vec::new(), vec![Finding::ImageOcclusion]);
    }
    let given_id = id_from_guid(&note.guid);
    let given_deck = deck_from_guid(&note.guid);
    let field = |index: Option<usize>| index.and_then(|i| note.fields.get(i)).map(String::as_str);

    // A knead note whose shown fields are as knead wrote them: the card exactly.
    if let Some(knead) = field(note_type.fields.iter().position(|f| f == KNEAD_FIELD))
        && !knead.is_empty()
    {
        let card: Option<Card> = ron::Options::default()
            .with_default_extension(
                ron::extensions::Extensions::IMPLICIT_SOME
                    | ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES,
            )
            .from_str(&html::to_text(knead).text)
            .ok();
        if let Some(card) = card {
            let names: &[&str] = if note_type.cloze {
                &CLOZE_FIELDS_FOR_MATCH
            } else {
                &super::export::FIELDS[..4]
            };
            let shown: Vec<&str> = names
                .iter()
                .map(|name| field(note_type.fields.iter().position(|f| f == name)).unwrap_or(""))
                .collect();
            if shown_fields(&card).iter().map(String::as_str).eq(shown) {
                // knead exports a Cloze's deletions as c1, c2... in order: one Anki card each.
                let parts = match &card {
                    Card::Cloze(cloze) => deck::cloze_deletions(&cloze.text).map_or(0, |d| d.len()),
                    _ => 1,
                };
                return (
                    vec![Converted {
                        given_id: given_id.or_else(|| Some(card.id().to_owned())),
                        card,
                        given_deck,
                        reverse: false,
                        anki_parts: (0..parts).map(|part| (part as u32, part)).collect(),
                        note: note.id,
                    }],
                    findings,
                );
            }
        }
        findings.push(Finding::EditedInAnki);
    }

    let mut used = BTreeSet::new();
    let mut role = |names: &[&str]| {
        let found = find(note_type, names);
        used.extend(found);
        found
    };
    let front_index = role(&FRONT);
    let back_index = role(&BACK);
    let why_index = role(&WHY);
    let source_index = role(&SOURCE);
    if let Some(knead) = note_type.fields.iter().position(|f| f == KNEAD_FIELD) {
        used.insert(knead);
    }
    // Without named fields, the first two are the question and the answer.
    let mut unnamed = (0..note_type.fields.len()).filter(|i| !used.contains(i));
    let front_index = front_index.or_else(|| unnamed.next());
    let back_index = back_index.or_else(|| unnamed.next());
    used.extend(front_index);
    used.extend(back_index);

    let mut sounds = 0;
    let mut images = 0;
    let mut formatted = false;
    let mut text_of = |index: Option<usize>| {
        let converted = field_text(field(index).unwrap_or(""));
        sounds += converted.sounds;
        images += converted.images;
        formatted |= converted.formatted;
        converted.text
    };
    let why = Some(text_of(why_index)).filter(|t| !t.is_empty());
    let source = Some(text_of(source_index)).filter(|t| !t.is_empty());
    let tags: Vec<String> = note.tags.clone();

    let mut cards = Vec::new();
    if note_type.cloze {
        let raw = field(front_index).unwrap_or("");
        let extra = Some(text_of(back_index)).filter(|t| !t.is_empty());
        match cloze_text(raw, &mut findings) {
            Some((marked, numbers)) => {
                let converted = field_text(&marked);
                sounds += converted.sounds;
                images += converted.images;
                formatted |= converted.formatted;
                let text = converted
                    .text
                    .replace(OPEN_MARK, "{{")
                    .replace(CLOSE_MARK, "}}");
                if deck::cloze_deletions(&text).is_err() {
                    // An empty deletion (`{{c1::}}`), or one holding only an image.
                    findings.push(Finding::BadCloze);
                    return (Vec::new(), findings);
                }
                let why = match (why, extra) {
                    (Some(why), Some(extra)) => Some(format!("{extra}\n\n{why}")),
                    (why, extra) => why.or(extra),
                };
                cards.push(Converted {
                    card: Card::Cloze(Cloze {
                        text,
                        why,
                        source,
                        tags,
                        ..Default::default()
                    }),
                    given_id,
                    given_deck,
                    reverse: false,
                    // Deletions in the order of the text, each from the Anki card of its number.
                    anki_parts: numbers
                        .iter()
                        .enumerate()
                        .filter_map(|(part, number)| Some((number.checked_sub(1)?, part)))
                        .collect(),
                    note: note.id,
                });
            }
            None => findings.push(Finding::BadCloze),
        }
    } else {
        let front = text_of(front_index);
        let back = text_of(back_index);
        let mut seen = BTreeSet::new();
        let ords = if note.card_ords.is_empty() {
            vec![0]
        } else {
            note.card_ords.clone()
        };
        for ord in ords {
            let question = note_type
                .questions
                .get(ord as usize)
                .and_then(|q| question_field(q, &note_type.fields));
            let reverse = question.is_some() && question == back_index && back_index.is_some();
            if !seen.insert(reverse) {
                continue;
            }
            let (front, back) = if reverse {
                (back.clone(), front.clone())
            } else {
                (front.clone(), back.clone())
            };
            cards.push(Converted {
                card: Card::Basic(Basic {
                    front,
                    back,
                    why: why.clone(),
                    source: source.clone(),
                    tags: tags.clone(),
                    ..Default::default()
                }),
                given_id: given_id.clone(),
                given_deck: given_deck.clone(),
                reverse,
                anki_parts: vec![(ord, 0)],
                note: note.id,
            });
        }
    }

    let unused: Vec<String> = note_type
        .fields
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .filter(|(i, _)| !field_text(field(Some(*i)).unwrap_or("")).text.is_empty())
        .map(|(_, name)| name.clone())
        .collect();
    if !unused.is_empty() {
        findings.push(Finding::UnusedFields(unused));
    }
    if sounds + images > 0 {
        findings.push(Finding::Media { sounds, images });
    }
    if formatted {
        findings.push(Finding::Formatting);
    }
    (cards, findings)
}

/// The field a template asks about: the first `{{Field}}` (or `{{type:Field}}`, or any other
/// filter) that names a field, outside conditionals.
fn question_field(template: &str, fields: &[String]) -> Option<usize> {
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let close = after.find("}}")?;
        let inner = after[..close].trim();
        rest = &after[close + 2..];
        if inner.starts_with(['#', '^', '/', '!']) {
            continue;
        }
        let name = inner.rsplit(':').next().unwrap_or(inner).trim();
        if let Some(index) = fields.iter().position(|f| f == name) {
            return Some(index);
        }
    }
    None
}

/// Stand-ins for a deletion's braces while the field's HTML becomes text (private-use
/// characters: a field holding them is refused as a Cloze).
const OPEN_MARK: char = '\u{E000}';
const CLOSE_MARK: char = '\u{E001}';

/// A Cloze field's HTML with each top-level `{{cN::text::hint}}` as the marked text, hints
/// and nested markers dropped (and reported), and the deletions' numbers in the order of the
/// text. `None` when the text cannot be a knead Cloze: no deletion, braces of its own, or the
/// stand-in characters.
fn cloze_text(raw: &str, findings: &mut Vec<Finding>) -> Option<(String, Vec<u32>)> {
    if raw.contains([OPEN_MARK, CLOSE_MARK]) {
        return None;
    }
    let mut out = String::with_capacity(raw.len());
    let mut numbers: Vec<u32> = Vec::new();
    let mut hints = 0;
    let mut nested = false;
    let mut rest = raw;
    while let Some(start) = find_deletion(rest) {
        out.push_str(&rest[..start.at]);
        let body_start = start.at + start.len;
        let body = &rest[body_start..];
        // The matching `}}`, counting deletions opened inside this one.
        let mut depth = 0;
        let mut at = 0;
        // The next deletion start at or after `at`, found again only once `at` passes it, so
        // many closing braces before a far deletion do not rescan the text between.
        let mut next_open: Option<Option<usize>> = None;
        let mut next_close: Option<usize> = None;
        let end = loop {
            if next_open.is_none_or(|open| open.is_some_and(|open| open < at)) {
                next_open = Some(find_deletion(&body[at..]).map(|d| at + d.at));
            }
            if next_close.is_none_or(|close| close < at) {
                next_close = Some(body[at..].find("}}").map(|i| at + i)?);
            }
            let (next_open, next_close) = (next_open.flatten(), next_close?);
            match next_open {
                Some(open) if open < next_close => {
                    depth += 1;
                    nested = true;
                    at = open + 2;
                }
                _ if depth > 0 => {
                    depth -= 1;
                    at = next_close + 2;
                }
                _ => break next_close,
            }
        };
        let mut content = body[..end].to_owned();
        if nested {
            content = strip_deletion_markers(&content);
        }
        // `text::hint`: the hint is after the last `::` (Anki's own rule).
        if let Some(hint_at) = content.rfind("::") {
            content.truncate(hint_at);
            hints += 1;
        }
        out.push(OPEN_MARK);
        out.push_str(&content);
        out.push(CLOSE_MARK);
        numbers.push(start.number);
        rest = &body[end + 2..];
    }
    out.push_str(rest);
    if numbers.is_empty() || out.contains("{{") || out.contains("}}") {
        return None;
    }
    if hints > 0 {
        findings.push(Finding::Hints(hints));
    }
    let mut shared: Vec<u32> = numbers
        .iter()
        .copied()
        .filter(|n| numbers.iter().filter(|m| *m == n).count() > 1)
        .collect();
    shared.sort_unstable();
    shared.dedup();
    if !shared.is_empty() {
        findings.push(Finding::SharedNumbers(shared));
    }
    if nested {
        findings.push(Finding::Nested);
    }
    Some((out, numbers))
}

struct DeletionStart {
    at: usize,
    len: usize,
    number: u32,
}

/// The next `{{cN::` in `text`.
fn find_deletion(text: &str) -> Option<DeletionStart> {
    let mut from = 0;
    while let Some(open) = text[from..].find("{{c").map(|i| from + i) {
        let digits = text[open + 3..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        let after = open + 3 + digits;
        if digits > 0 && digits < 6 && text[after..].starts_with("::") {
            return Some(DeletionStart {
                at: open,
                len: after + 2 - open,
                number: text[open + 3..after].parse().ok()?,
            });
        }
        from = open + 3;
    }
    None
}

/// The length of the `{{cN::` marker `text` starts with, if it does.
fn marker_len(text: &str) -> Option<usize> {
    let digits = text
        .strip_prefix("{{c")?
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    let after = 3 + digits;
    (digits > 0 && text[after..].starts_with("::")).then_some(after + 2)
}

/// `text` with the markers of deletions inside a deletion removed, and their hints
/// (`{{c2::b::hint}}` becomes `b`). One pass: each character is looked at once for a hint.
fn strip_deletion_markers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // For each open deletion, where its own text (after its last inner deletion) starts.
    let mut frames: Vec<usize> = Vec::new();
    let mut at = 0;
    while let Some(rest) = text.get(at..).filter(|r| !r.is_empty()) {
        if let Some(len) = marker_len(rest) {
            frames.push(out.len());
            at += len;
        } else if rest.starts_with("}}")
            && let Some(from) = frames.pop()
        {
            if let Some(hint) = out[from..].rfind("::") {
                out.truncate(from + hint);
            }
            if let Some(parent) = frames.last_mut() {
                *parent = out.len();
            }
            at += 2;
        } else {
            let ch = rest.chars().next().expect("rest is not empty");
            out.push(ch);
            at += ch.len_utf8();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note_type(name: &str, cloze: bool, fields: &[&str], questions: &[&str]) -> NoteType {
        NoteType {
            name: name.into(),
            cloze,
            fields: fields.iter().map(|f| f.to_string()).collect(),
            questions: questions.iter().map(|q| q.to_string()).collect(),
        }
    }

    fn note(fields: &[&str], ords: &[u32]) -> Note {
        Note {
            id: 1,
            guid: "abc".into(),
            fields: fields.iter().map(|f| f.to_string()).collect(),
            card_ords: ords.to_vec(),
            ..Default::default()
        }
    }

    fn basic(card: &Card) -> (&str, &str) {
        let Card::Basic(b) = card else {
            panic!("{card:?}")
        };
        (&b.front, &b.back)
    }

    #[test]
    fn reversed_notes_give_one_card_per_direction() {
        let reversed = note_type(
            "Basic (and reversed card)",
            false,
            &["Front", "Back"],
            &["{{Front}}", "{{Back}}"],
        );
        let (cards, findings) = convert(&note(&["SLE", "lupus"], &[0, 1]), &reversed);
        assert!(findings.is_empty());
        let faces: Vec<_> = cards.iter().map(|c| (basic(&c.card), c.reverse)).collect();
        assert_eq!(faces, [(("SLE", "lupus"), false), (("lupus", "SLE"), true)]);
        // Optional reversed with no reverse card: one card.
        let (cards, _) = convert(&note(&["SLE", "lupus"], &[0]), &reversed);
        assert_eq!(cards.len(), 1);
    }

    #[test]
    fn each_anki_card_maps_to_the_study_items_it_becomes() {
        let reversed = note_type(
            "Basic (and reversed card)",
            false,
            &["Front", "Back"],
            &["{{Front}}", "{{Back}}"],
        );
        let (cards, _) = convert(&note(&["SLE", "lupus"], &[0, 1]), &reversed);
        let parts: Vec<_> = cards
            .iter()
            .map(|c| (c.reverse, c.anki_parts.clone()))
            .collect();
        assert_eq!(parts, [(false, vec![(0, 0)]), (true, vec![(1, 0)])]);
        assert!(cards.iter().all(|c| c.note == 1));
        // Deletions in the order of the text: Anki's card c2 (ordinal 1) is the first one, and
        // c1 hides two.
        let cloze = note_type("Cloze", true, &["Text", "Back Extra"], &["{{cloze:Text}}"]);
        let (cards, _) = convert(
            &note(&["{{c2::a}} then {{c1::b}} and {{c1::c}}", ""], &[0, 1]),
            &cloze,
        );
        assert_eq!(cards[0].anki_parts, [(1, 0), (0, 1), (0, 2)]);
    }

    #[test]
    fn type_in_the_answer_is_basic() {
        let typed = note_type(
            "Basic (type in the answer)",
            false,
            &["Front", "Back"],
            &["{{Front}}\n\n{{type:Back}}"],
        );
        let (cards, _) = convert(&note(&["Q", "A"], &[0]), &typed);
        assert_eq!(basic(&cards[0].card), ("Q", "A"));
        assert!(!cards[0].reverse);
    }

    #[test]
    fn cloze_keeps_every_deletion_and_reports_hints_and_shared_numbers() {
        let cloze = note_type("Cloze", true, &["Text", "Back Extra"], &["{{cloze:Text}}"]);
        let (cards, findings) = convert(
            &note(
                &[
                    "<b>SLE</b> is {{c1::autoimmune::kind}}, {{c2::chronic}} and {{c1::systemic}}.",
                    "",
                ],
                &[0, 1],
            ),
            &cloze,
        );
        let Card::Cloze(card) = &cards[0].card else {
            panic!()
        };
        assert_eq!(
            card.text,
            "SLE is {{autoimmune}}, {{chronic}} and {{systemic}}."
        );
        assert_eq!(card.why, None);
        assert_eq!(
            findings,
            [
                Finding::Hints(1),
                Finding::SharedNumbers(vec![1]),
                Finding::Formatting
            ]
        );
        let (cards, findings) =
            convert(&note(&["a {{c1::b {{c2::c}} d}} e", "extra"], &[0]), &cloze);
        let Card::Cloze(card) = &cards[0].card else {
            panic!()
        };
        assert_eq!(card.text, "a {{b c d}} e");
        assert_eq!(
            strip_deletion_markers("a {{c2::b {{c3::c::h3}} d::h2}} e"),
            "a b c d e"
        );
        assert_eq!(card.why.as_deref(), Some("extra"));
        assert_eq!(findings, [Finding::Nested]);
        // knead's export writes `::` in a deletion as `:&#58;`: not a hint.
        let mut findings = Vec::new();
        assert_eq!(
            cloze_field("Write {{c1::a:&#58;b}}.", true, &mut findings).as_deref(),
            Some("Write {{a::b}}.")
        );
        assert!(findings.is_empty());
        let (cards, findings) = convert(&note(&["no deletion", ""], &[0]), &cloze);
        assert!(cards.is_empty());
        assert_eq!(findings, [Finding::BadCloze]);
    }

    #[test]
    fn custom_fields_map_by_name_and_the_rest_is_reported() {
        let custom = note_type(
            "Massage",
            false,
            &["Question", "Answer", "Explanation", "Reference", "Picture"],
            &["{{Question}}"],
        );
        let (cards, findings) = convert(
            &note(
                &[
                    "Q [sound:q.mp3]",
                    "A",
                    "Because",
                    "LFA 2020",
                    "<img src=x.png> diagram",
                ],
                &[0],
            ),
            &custom,
        );
        let Card::Basic(card) = &cards[0].card else {
            panic!()
        };
        assert_eq!((card.front.as_str(), card.back.as_str()), ("Q", "A"));
        assert_eq!(card.why.as_deref(), Some("Because"));
        assert_eq!(card.source.as_deref(), Some("LFA 2020"));
        assert_eq!(
            findings,
            [
                Finding::UnusedFields(vec!["Picture".into()]),
                Finding::Media {
                    sounds: 1,
                    images: 0
                }
            ]
        );
    }

    #[test]
    fn deeply_nested_deletions_are_read_in_one_pass() {
        let depth = 20_000;
        let text = format!(
            "{}x{} and {}",
            "{{c1::".repeat(depth),
            "}}".repeat(depth),
            "words ".repeat(20_000)
        );
        let mut findings = Vec::new();
        let (marked, numbers) = cloze_text(&text, &mut findings).unwrap();
        assert_eq!(numbers, [1]);
        assert!(marked.starts_with(&format!("{OPEN_MARK}x{CLOSE_MARK} and words")));
        assert_eq!(findings, [Finding::Nested]);
    }

    #[test]
    fn image_occlusion_is_skipped() {
        let io = note_type(
            "Image Occlusion",
            true,
            &["Occlusion", "Image"],
            &["{{#Image}}{{image-occlusion:Occlusion}}{{/Image}}"],
        );
        let (cards, findings) = convert(&note(&["x", "y"], &[0]), &io);
        assert!(cards.is_empty());
        assert_eq!(findings, [Finding::ImageOcclusion]);
    }

    #[test]
    fn ids_come_from_knead_guids() {
        assert_eq!(id_from_guid("knead:lupus/sle-1").as_deref(), Some("sle-1"));
        assert_eq!(id_from_guid("knead:lupus/Not A Slug"), None);
        assert_eq!(id_from_guid("Xy7!abc"), None);
    }
}
