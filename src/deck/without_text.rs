//! A deck without the text a learner reads, for reports that count and place cards but never
//! show one (`knead stats`).
//!
//! At 100,000 cards the text (fronts, backs, options, `why`, sources, clients, techniques) is
//! half a million strings, a third of `knead stats`'s memory and much of the time it spends
//! decoding the decks' compiled copies. Decoded as [`DeckWithoutText`], those fields are
//! skipped in the bytes without being built. What is kept places a card and counts its
//! items: its id, tags, flags, revision, retirement and references, and a Cloze card's text,
//! whose deletions are its items.

use serde::Deserialize;

use super::schema::{Basic, Card, Change, Choice, Cloze, Deck, Scenario, TrueFalse};

/// Fills a card kind from a value with the kept fields (a card, or its form without text),
/// leaving the text empty: the one list of what is kept, for both ways in.
macro_rules! without_text {
    ($kind:ident, $from:expr $(, $extra:ident)*) => {{
        let from = $from;
        Card::$kind($kind {
            id: from.id,
            tags: from.tags,
            critical: from.critical,
            rev: from.rev,
            change: from.change,
            retired: from.retired,
            replaces: from.replaces,
            contrast: from.contrast,
            $($extra: from.$extra,)*
            ..Default::default()
        })
    }};
}

impl Card {
    /// The card with its text left out (see the module documentation); a Cloze card keeps
    /// its text, which numbers its items.
    pub fn without_text(self) -> Card {
        match self {
            Card::Basic(card) => without_text!(Basic, card),
            Card::Choice(card) => without_text!(Choice, card),
            Card::TrueFalse(card) => without_text!(TrueFalse, card),
            Card::Cloze(card) => without_text!(Cloze, card, text),
            Card::Scenario(card) => without_text!(Scenario, card),
        }
    }
}

impl Deck {
    /// The deck with each card's text left out ([`Card::without_text`]).
    pub fn without_text(self) -> Deck {
        Deck {
            cards: self.cards.into_iter().map(Card::without_text).collect(),
            ..self
        }
    }
}

/// The kept fields of a card, as they are named in a deck; the others are skipped when it is
/// decoded (no `deny_unknown_fields`: a deck's own checks have already passed).
macro_rules! kept_fields {
    ($name:ident { $($extra:ident: $type:ty),* }) => {
        #[derive(Deserialize)]
        struct $name {
            id: String,
            $($extra: $type,)*
            #[serde(default)]
            tags: Vec<String>,
            #[serde(default)]
            critical: bool,
            #[serde(default)]
            rev: u32,
            #[serde(default)]
            change: Option<Change>,
            #[serde(default)]
            retired: Option<String>,
            #[serde(default)]
            replaces: Vec<String>,
            #[serde(default)]
            contrast: Vec<String>,
        }
    };
}

kept_fields!(Kept {});
kept_fields!(KeptCloze { text: String });

#[derive(Deserialize)]
enum CardWithoutText {
    Basic(Kept),
    Choice(Kept),
    TrueFalse(Kept),
    Cloze(KeptCloze),
    Scenario(Kept),
}

impl From<CardWithoutText> for Card {
    fn from(card: CardWithoutText) -> Card {
        match card {
            CardWithoutText::Basic(card) => without_text!(Basic, card),
            CardWithoutText::Choice(card) => without_text!(Choice, card),
            CardWithoutText::TrueFalse(card) => without_text!(TrueFalse, card),
            CardWithoutText::Cloze(card) => without_text!(Cloze, card, text),
            CardWithoutText::Scenario(card) => without_text!(Scenario, card),
        }
    }
}

/// A [`Deck`] decoded without its cards' text: `Deck::from` gives what
/// [`Deck::without_text`] gives for the whole deck.
#[derive(Deserialize)]
pub struct DeckWithoutText {
    id: String,
    title: String,
    #[serde(default = "super::schema::first_version")]
    version: u32,
    #[serde(default)]
    description: String,
    #[serde(default)]
    authors: Vec<String>,
    #[serde(default)]
    changelog: std::collections::BTreeMap<u32, String>,
    #[serde(deserialize_with = "super::schema::at_their_size")]
    cards: Vec<CardWithoutText>,
}

impl From<DeckWithoutText> for Deck {
    fn from(deck: DeckWithoutText) -> Deck {
        Deck {
            id: deck.id,
            title: deck.title,
            version: deck.version,
            description: deck.description,
            authors: deck.authors,
            changelog: deck.changelog,
            cards: deck.cards.into_iter().map(Card::from).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::Verdict;

    /// Every kind, with every field set to something other than its default.
    fn every_field() -> Deck {
        let common = |id: &str| (id.to_owned(), vec!["tag".to_owned()]);
        let (id, tags) = common("b");
        let basic = Basic {
            id,
            front: "front".into(),
            back: "back".into(),
            why: Some("why".into()),
            source: Some("source".into()),
            tags,
            critical: true,
            rev: 3,
            change: Some(Change::Clarify),
            retired: Some("retired".into()),
            replaces: vec!["old".into()],
            contrast: vec!["other".into()],
        };
        Deck {
            id: "d".into(),
            title: "Title".into(),
            version: 4,
            description: "description".into(),
            authors: vec!["author".into()],
            changelog: [(4, "changed".to_owned())].into(),
            cards: vec![
                Card::Basic(basic.clone()),
                Card::Choice(Choice {
                    id: "c".into(),
                    prompt: "prompt".into(),
                    options: vec!["a".into(), "b".into()],
                    answer: 1,
                    tags: basic.tags.clone(),
                    critical: true,
                    rev: 2,
                    ..Default::default()
                }),
                Card::TrueFalse(TrueFalse {
                    id: "t".into(),
                    statement: "statement".into(),
                    answer: true,
                    why: Some("why".into()),
                    ..Default::default()
                }),
                Card::Cloze(Cloze {
                    id: "z".into(),
                    text: "a {{b}} and {{c}}".into(),
                    source: Some("source".into()),
                    contrast: vec!["b".into()],
                    ..Default::default()
                }),
                Card::Scenario(Scenario {
                    id: "s".into(),
                    client: "client".into(),
                    technique: "technique".into(),
                    verdict: Verdict::Avoid,
                    replaces: vec!["x".into()],
                    ..Default::default()
                }),
            ],
        }
    }

    #[test]
    fn a_deck_decoded_without_text_is_the_deck_with_its_text_left_out() {
        let deck = every_field();
        let bytes = rmp_serde::to_vec_named(&deck).unwrap();
        let decoded: DeckWithoutText = rmp_serde::from_slice(&bytes).unwrap();
        let expected = deck.clone().without_text();
        assert_eq!(Deck::from(decoded), expected);
        // What is kept places and counts the cards; the text is gone.
        for (kept, card) in expected.cards.iter().zip(&deck.cards) {
            let (kept_common, common) = (kept.common(), card.common());
            assert_eq!(kept_common.id, common.id);
            assert_eq!(kept_common.tags, common.tags);
            assert_eq!(kept_common.critical, common.critical);
            assert_eq!(kept_common.rev, common.rev);
            assert_eq!(kept_common.change, common.change);
            assert_eq!(kept_common.retired, common.retired);
            assert_eq!(kept_common.replaces, common.replaces);
            assert_eq!(kept_common.contrast, common.contrast);
            assert_eq!(kept.item_count(), card.item_count());
            assert_eq!((kept_common.why, kept_common.source), (None, None));
        }
        assert_eq!(
            expected.cards[0],
            Card::Basic(Basic {
                front: String::new(),
                back: String::new(),
                why: None,
                source: None,
                ..match &deck.cards[0] {
                    Card::Basic(basic) => basic.clone(),
                    _ => unreachable!(),
                }
            })
        );
        assert_eq!(expected.cards[3].item_count(), 2);
    }
}
