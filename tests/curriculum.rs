//! The bundled curriculum: it loads, it meets the standards every card must meet, and it covers
//! what `shared/reference/` asks of it (conditions, techniques, red flags, popular claims).

use std::collections::{BTreeMap, HashSet};

use knead::collection::{LoadedDeck, bundled};
use knead::deck::{Card, is_slug};

const CONDITIONS: [&str; 18] = [
    "lupus",
    "cutaneous-lupus",
    "rheumatoid-arthritis",
    "multiple-sclerosis",
    "fibromyalgia",
    "psoriasis",
    "systemic-sclerosis",
    "sjogrens",
    "hashimotos",
    "graves",
    "type-1-diabetes",
    "ibd",
    "celiac",
    "ankylosing-spondylitis",
    "myasthenia-gravis",
    "guillain-barre",
    "raynauds",
    "vasculitis",
];

const TECHNIQUES: [&str; 9] = [
    "swedish",
    "myofascial-release",
    "trigger-point",
    "deep-tissue",
    "joint-mobilization",
    "lymphatic-drainage",
    "aromatherapy",
    "hot-stone",
    "cryotherapy",
];

/// One tag per row of the red-flag table (conditions-and-techniques.md, section 1.4).
const RED_FLAGS: [&str; 12] = [
    "rf-fever",
    "rf-hot-joint",
    "rf-dvt",
    "rf-chest-pain",
    "rf-neuro",
    "rf-gca",
    "rf-hypoglycemia",
    "rf-nephritis",
    "rf-gland-swelling",
    "rf-skin-infection",
    "rf-bruising",
    "rf-ra-neck",
];

/// The claims in popular-claims.md.
const CLAIMS: usize = 24;

fn decks() -> Vec<LoadedDeck> {
    match bundled() {
        Ok(decks) => decks,
        Err(knead::error::Error::Deck(errors)) => panic!(
            "{}",
            errors
                .diagnostics
                .iter()
                .map(|d| d.render(false))
                .collect::<String>()
        ),
        Err(other) => panic!("{other}"),
    }
}

fn deck<'a>(decks: &'a [LoadedDeck], id: &str) -> &'a [Card] {
    &decks
        .iter()
        .find(|d| d.deck.id == id)
        .unwrap_or_else(|| panic!("no bundled deck `{id}`"))
        .deck
        .cards
}

fn all_cards(decks: &[LoadedDeck]) -> impl Iterator<Item = (&str, &Card)> {
    decks
        .iter()
        .flat_map(|d| d.deck.cards.iter().map(move |c| (d.deck.id.as_str(), c)))
}

fn has_tag(card: &Card, tag: &str) -> bool {
    card.common().tags.iter().any(|t| t == tag)
}

/// Every text a student reads on the card, joined.
fn text(card: &Card) -> String {
    let common = card.common();
    let own = match card {
        Card::Basic(c) => format!("{} {}", c.front, c.back),
        Card::Choice(c) => format!("{} {}", c.prompt, c.options.join(" ")),
        Card::TrueFalse(c) => c.statement.clone(),
        Card::Cloze(c) => c.text.clone(),
        Card::Scenario(c) => format!("{} {}", c.client, c.technique),
    };
    format!("{own} {}", common.why.unwrap_or(""))
}

#[test]
fn the_four_decks_are_bundled_at_their_promised_sizes() {
    let decks = decks();
    let sizes: BTreeMap<&str, usize> = decks
        .iter()
        .map(|d| (d.deck.id.as_str(), d.deck.cards.len()))
        .collect();
    assert!(sizes["autoimmune-conditions"] >= 120, "{sizes:?}");
    assert!(sizes["red-flags-and-safety"] >= 60, "{sizes:?}");
    assert!(sizes["evidence-and-myths"] >= 25, "{sizes:?}");
    let scenarios = deck(&decks, "technique-suitability")
        .iter()
        .filter(|c| matches!(c, Card::Scenario(_)))
        .count();
    assert!(scenarios >= 100, "{scenarios} Scenario cards");
}

#[test]
fn the_starter_deck_uses_all_five_card_kinds() {
    let decks = decks();
    let kinds: HashSet<&str> = deck(&decks, "autoimmune-conditions")
        .iter()
        .map(Card::kind)
        .collect();
    assert_eq!(kinds.len(), 5, "{kinds:?}");
}

#[test]
fn every_card_explains_cites_and_is_tagged_with_slugs() {
    let decks = decks();
    for (deck_id, card) in all_cards(&decks) {
        let common = card.common();
        let name = format!("{deck_id}/{}", common.id);
        assert!(common.why.is_some_and(|w| w.len() > 20), "{name}: no why");
        assert!(
            common.source.is_some_and(|s| s.len() > 10),
            "{name}: no source"
        );
        assert!(!common.tags.is_empty(), "{name}: no tags");
        for tag in common.tags {
            assert!(is_slug(tag), "{name}: tag `{tag}` is not a slug");
        }
    }
}

#[test]
fn inference_cards_are_marked_for_review_and_never_critical() {
    let decks = decks();
    for (deck_id, card) in all_cards(&decks) {
        if has_tag(card, "needs-review") {
            assert!(
                !card.common().critical,
                "{deck_id}/{} rests on inference but is critical",
                card.id()
            );
        }
    }
}

#[test]
fn fibromyalgia_is_taught_as_not_autoimmune() {
    let decks = decks();
    let plain_statement = all_cards(&decks).any(|(_, card)| {
        matches!(card, Card::TrueFalse(tf)
            if tf.statement.starts_with("Fibromyalgia is an autoimmune") && !tf.answer)
    });
    assert!(
        plain_statement,
        "no card says plainly that fibromyalgia is not autoimmune"
    );
}

#[test]
fn overclaiming_words_appear_only_where_a_claim_is_corrected() {
    let decks = decks();
    let overclaims = [
        "proven",
        "cures",
        "detoxif",
        "boosts immunity",
        "flushes toxins",
    ];
    for (deck_id, card) in all_cards(&decks) {
        let text = text(card).to_lowercase();
        for word in overclaims {
            if text.contains(word) {
                assert!(
                    has_tag(card, "myth") || has_tag(card, "evidence"),
                    "{deck_id}/{} says `{word}` but is not a card correcting a claim",
                    card.id()
                );
            }
        }
    }
}

#[test]
fn each_condition_has_at_least_five_cards_in_the_conditions_deck() {
    let decks = decks();
    let cards = deck(&decks, "autoimmune-conditions");
    for condition in CONDITIONS {
        let count = cards.iter().filter(|c| has_tag(c, condition)).count();
        assert!(count >= 5, "{condition}: {count} cards");
    }
}

#[test]
fn each_technique_appears_in_at_least_eight_scenarios() {
    let decks = decks();
    for technique in TECHNIQUES {
        let count = all_cards(&decks)
            .filter(|(_, c)| matches!(c, Card::Scenario(_)) && has_tag(c, technique))
            .count();
        assert!(count >= 8, "{technique}: {count} Scenario cards");
    }
}

#[test]
fn every_red_flag_has_cards_and_the_sourced_ones_are_critical() {
    let decks = decks();
    let cards = deck(&decks, "red-flags-and-safety");
    for flag in RED_FLAGS {
        let flagged: Vec<&Card> = cards.iter().filter(|c| has_tag(c, flag)).collect();
        assert!(!flagged.is_empty(), "{flag}: no card");
        assert!(
            flagged.iter().all(|c| has_tag(c, "red-flag")),
            "{flag}: cards must also carry `red-flag`"
        );
        // Every flag except the unsourced bruising row has a critical card.
        if flag != "rf-bruising" {
            assert!(
                flagged.iter().any(|c| c.common().critical),
                "{flag}: nothing critical"
            );
        }
    }
}

#[test]
fn every_popular_claim_is_taught() {
    let decks = decks();
    let cards = deck(&decks, "evidence-and-myths");
    for claim in 1..=CLAIMS {
        let tag = format!("claim-{claim}");
        assert!(
            cards.iter().any(|c| has_tag(c, &tag)),
            "claim {claim} has no card"
        );
    }
}
