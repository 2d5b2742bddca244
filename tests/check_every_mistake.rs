//! `knead check` reports every mistake in one run: a mistake in one card never hides a mistake
//! in another, and the cards of a valid deck are split exactly as ron reads them. Decks are
//! generated with the text that trips simple scanners (brackets, commas, quotes and comment
//! markers inside strings, raw strings, comments between cards), written on one line a card
//! or spread over several.

use std::ops::Range;

use knead::deck::checks::Strictness;
use knead::deck::diagnostic::Severity;
use knead::deck::outline::split_cards;
use knead::deck::{Card, check_source, parse};
use proptest::prelude::*;

/// Text a card's strings are drawn from: every piece is something a scanner could mistake
/// for structure.
const PIECES: &[&str] = &[
    "plain words",
    "a (bracket",
    "a ]bracket[",
    "a, comma",
    "a \\\"quote\\\"",
    "// not a comment",
    "/* not a comment */",
    "Basic(",
    "é and 🙂",
    "{{not}} a cloze",
];

/// One generated card: its kind, id and text, written one way or another.
#[derive(Clone, Debug)]
struct GenCard {
    kind: usize,
    text: usize,
    raw_why: bool,
    multiline: bool,
}

fn gen_card() -> impl Strategy<Value = GenCard> {
    (0..5usize, 0..PIECES.len(), any::<bool>(), any::<bool>()).prop_map(
        |(kind, text, raw_why, multiline)| GenCard {
            kind,
            text,
            raw_why,
            multiline,
        },
    )
}

/// The mistakes authors make in a card, each with the code `knead check` reports it under.
#[derive(Clone, Copy, Debug)]
enum Mistake {
    MisspeltField,
    UnknownKind,
    CurlyQuotes,
    MissingFieldComma,
    TextForBoolean,
    IdNotSlug,
    MissingClosingParen,
    MissingCommaAfterCard,
}

impl Mistake {
    const ALL: [Mistake; 8] = [
        Mistake::MisspeltField,
        Mistake::UnknownKind,
        Mistake::CurlyQuotes,
        Mistake::MissingFieldComma,
        Mistake::TextForBoolean,
        Mistake::IdNotSlug,
        Mistake::MissingClosingParen,
        Mistake::MissingCommaAfterCard,
    ];

    fn code(self) -> &'static str {
        match self {
            Mistake::MisspeltField => "K002",
            Mistake::UnknownKind => "K003",
            Mistake::CurlyQuotes | Mistake::TextForBoolean => "K005",
            Mistake::IdNotSlug => "K010",
            Mistake::MissingFieldComma
            | Mistake::MissingClosingParen
            | Mistake::MissingCommaAfterCard => "K001",
        }
    }
}

/// The fields of card `n` after its id, as `(name, value)`, values written as RON.
fn fields(card: &GenCard, n: usize) -> (&'static str, Vec<(&'static str, String)>) {
    let text = PIECES[card.text];
    let quoted = |s: &str| format!("\"{s} {n}\"");
    let (kind, mut fields) = match card.kind {
        0 => (
            "Basic",
            vec![("front", quoted(text)), ("back", quoted("the answer"))],
        ),
        1 => (
            "Choice",
            vec![
                ("prompt", quoted(text)),
                (
                    "options",
                    format!("[\"right {n}\", \"wrong, {n}\", \"also (wrong) {n}\"]"),
                ),
                ("answer", "0".into()),
            ],
        ),
        2 => (
            "TrueFalse",
            vec![("statement", quoted(text)), ("answer", "true".into())],
        ),
        3 => (
            "Cloze",
            vec![(
                "text",
                format!(
                    "\"{} {{{{deleted {n}}}}}\"",
                    text.replace("{{", "{ {").replace("}}", "} }")
                ),
            )],
        ),
        _ => (
            "Scenario",
            vec![
                ("client", quoted(text)),
                ("technique", quoted("Swedish massage")),
                ("verdict", "Refer".into()),
            ],
        ),
    };
    let why = if card.raw_why {
        format!("r#\"raw \"why\" ) ] {n}\"#")
    } else {
        quoted("why")
    };
    fields.push(("why", why));
    fields.push(("source", quoted("a source")));
    (kind, fields)
}

/// Card `n` as RON at an indentation of 8, with `mistake` planted, and whether a comma follows.
fn write_card(card: &GenCard, n: usize, mistake: Option<Mistake>) -> (String, bool) {
    let (mut kind, mut fields) = fields(card, n);
    let mut id = format!("\"card-{n}\"");
    let field_comma = |i: usize| !(i == 0 && matches!(mistake, Some(Mistake::MissingFieldComma)));
    match mistake {
        Some(Mistake::MisspeltField) => fields.last_mut().unwrap().0 = "sorce",
        Some(Mistake::UnknownKind) => kind = "Flashcard",
        Some(Mistake::CurlyQuotes) => {
            fields.last_mut().unwrap().1 = format!("“a source {n}”");
        }
        Some(Mistake::TextForBoolean) => fields.push(("critical", "\"yes\"".into())),
        Some(Mistake::IdNotSlug) => id = format!("\"Card Number {n}\""),
        _ => {}
    }
    let mut all = vec![("id", id)];
    all.extend(fields);
    let close = if matches!(mistake, Some(Mistake::MissingClosingParen)) {
        ""
    } else {
        ")"
    };
    let mut text = format!("{kind}(");
    for (i, (name, value)) in all.iter().enumerate() {
        let comma = if field_comma(i) { "," } else { "" };
        if card.multiline {
            text.push_str(&format!("\n            {name}: {value}{comma}"));
        } else {
            text.push_str(&format!("{name}: {value}{comma} "));
        }
    }
    if card.multiline {
        text.push_str("\n        ");
    }
    text.push_str(close);
    (
        text,
        !matches!(mistake, Some(Mistake::MissingCommaAfterCard)),
    )
}

/// A deck of `cards` with the mistakes planted, and each card's span in its text.
fn write_deck(cards: &[GenCard], mistakes: &[(usize, Mistake)]) -> (String, Vec<Range<usize>>) {
    let mut text = String::from(
        "// generated\nDeck(\n    id: \"generated\",\n    title: \"Generated (deck)\",\n    cards: [\n",
    );
    let mut spans = Vec::new();
    for (n, card) in cards.iter().enumerate() {
        let mistake = mistakes.iter().find(|(at, _)| *at == n).map(|(_, m)| *m);
        let (card_text, comma) = write_card(card, n, mistake);
        text.push_str("        ");
        spans.push(text.len()..text.len() + card_text.len());
        text.push_str(&card_text);
        text.push_str(if comma { ",\n" } else { "\n" });
        if n % 3 == 1 {
            text.push_str("        // a comment between cards, with ( and \" in it\n");
        }
    }
    text.push_str("    ],\n)\n");
    (text, spans)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(300),
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_cards_of_a_valid_deck_are_split_as_ron_reads_them(cards in prop::collection::vec(gen_card(), 1..12)) {
        let (text, spans) = write_deck(&cards, &[]);
        let deck = parse(&text, "generated.ron").unwrap_or_else(|e| panic!("{text}\n{:?}", e.diagnostics));
        let split = split_cards(&text).unwrap();
        prop_assert_eq!(&split.cards, &spans);
        prop_assert!(split.missing_commas.is_empty());
        // Each span on its own is its card.
        for (span, card) in split.cards.iter().zip(&deck.cards) {
            let alone = format!("Deck(id: \"one\", title: \"One\", cards: [{}])", &text[span.clone()]);
            let parsed: Vec<Card> = parse(&alone, "one.ron").unwrap().cards;
            prop_assert_eq!(&parsed, std::slice::from_ref(card));
        }
    }

    #[test]
    fn a_mistake_in_one_card_never_hides_a_mistake_in_another(
        cards in prop::collection::vec(gen_card(), 2..10),
        first in any::<prop::sample::Index>(),
        second in any::<prop::sample::Index>(),
        first_mistake in 0..Mistake::ALL.len(),
        planted in 0..Mistake::ALL.len(),
    ) {
        let first = first.index(cards.len());
        let second = second.index(cards.len() - 1);
        let second = if second >= first { second + 1 } else { second };
        let planted = match Mistake::ALL[planted] {
            // No comma after the last card is no mistake.
            Mistake::MissingCommaAfterCard if second == cards.len() - 1 => Mistake::MisspeltField,
            mistake => mistake,
        };
        let (text, spans) = write_deck(&cards, &[(first, Mistake::ALL[first_mistake]), (second, planted)]);
        for strictness in [Strictness::Normal, Strictness::Strict] {
            let checked = check_source(&text, "generated.ron", strictness);
            prop_assert!(checked.has_errors());
            let span = &spans[second];
            // The planted mistake is reported, located in its own card (a missing comma after
            // the card is marked just after it).
            let found = checked.diagnostics.iter().any(|d| {
                d.severity == Severity::Error
                    && d.code == planted.code()
                    && d.marks.first().is_some_and(|m| span.start <= m.at.start && m.at.start <= span.end)
            });
            prop_assert!(found, "{planted:?} in card {second} not reported:\n{text}\n{:#?}", checked.diagnostics);
        }
    }
}
