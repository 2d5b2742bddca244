//! A deck without the text a learner reads: what a deck's compiled copy decodes at the start
//! of a session (each card's text is decoded when the card is shown: see
//! `crate::cache::CardTexts`), and what reports that show no card keep of a deck parsed from
//! its file (`knead stats`).
//!
//! At 100,000 cards the text (fronts, backs, options, `why`, sources, clients, techniques) is
//! half a million strings. What is kept places a card and counts its items: its id, tags,
//! flags, revision, retirement and references, and a Cloze card's text, whose deletions are
//! its items.

use super::schema::{Basic, Card, Choice, Cloze, Deck, Scenario, TrueFalse};

/// Fills a card kind from a card of that kind with the kept fields, leaving the text empty:
/// the one list of what is kept.
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

/// Every kind, with every field set to something other than its default.
#[cfg(test)]
pub(crate) fn every_field() -> Deck {
    use super::schema::{Change, Verdict};
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deck_without_text_keeps_what_places_and_counts_its_cards() {
        let deck = every_field();
        let expected = deck.clone().without_text();
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
