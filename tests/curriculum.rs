//! The bundled curriculum: it loads, it meets the standards every card must meet, and it covers
//! what `shared/reference/` asks of it (conditions, techniques, red flags, popular claims).

use std::collections::{BTreeMap, HashSet};

use knead::deck::{Card, is_slug};
use knead::study::collection::{LoadedDeck, bundled};

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

fn is_active(card: &Card) -> bool {
    card.common().retired.is_none()
}

/// The cards of one deck that students study (retired cards are kept only for their history).
fn deck<'a>(decks: &'a [LoadedDeck], id: &str) -> Vec<&'a Card> {
    decks
        .iter()
        .find(|d| d.deck.id == id)
        .unwrap_or_else(|| panic!("no bundled deck `{id}`"))
        .deck
        .cards
        .iter()
        .filter(|c| is_active(c))
        .collect()
}

/// Every card students study, with its deck id.
fn all_cards(decks: &[LoadedDeck]) -> impl Iterator<Item = (&str, &Card)> {
    decks.iter().flat_map(|d| {
        d.deck
            .cards
            .iter()
            .filter(|c| is_active(c))
            .map(move |c| (d.deck.id.as_str(), c))
    })
}

fn has_tag(card: &Card, tag: &str) -> bool {
    card.common().tags.iter().any(|t| t == tag)
}

/// Every text a student reads on the card (question, answer and why), joined.
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

fn name(deck_id: &str, card: &Card) -> String {
    format!("{deck_id}/{}", card.id())
}

#[test]
fn the_four_decks_are_bundled_at_their_promised_sizes() {
    let decks = decks();
    let sizes: BTreeMap<&str, usize> = decks
        .iter()
        .map(|d| (d.deck.id.as_str(), deck(&decks, &d.deck.id).len()))
        .collect();
    assert!(sizes.values().sum::<usize>() >= 320, "{sizes:?}");
    assert!(sizes["autoimmune-conditions"] >= 100, "{sizes:?}");
    assert!(sizes["red-flags-and-safety"] >= 70, "{sizes:?}");
    assert!(sizes["evidence-and-myths"] >= 40, "{sizes:?}");
    let scenarios = deck(&decks, "technique-suitability")
        .iter()
        .filter(|c| matches!(c, Card::Scenario(_)))
        .count();
    assert!(scenarios >= 90, "{scenarios} Scenario cards");
}

#[test]
fn the_starter_deck_uses_all_five_card_kinds() {
    let decks = decks();
    let kinds: HashSet<&str> = deck(&decks, "autoimmune-conditions")
        .iter()
        .map(|c| c.kind())
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
        let flagged: Vec<&&Card> = cards.iter().filter(|c| has_tag(c, flag)).collect();
        assert!(!flagged.is_empty(), "{flag}: no card");
        assert!(
            flagged.iter().all(|c| has_tag(c, "red-flag")),
            "{flag}: cards must also carry `red-flag`"
        );
        assert!(
            flagged.iter().any(|c| c.common().critical),
            "{flag}: nothing critical"
        );
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

#[test]
fn at_least_a_tenth_of_every_deck_is_cloze() {
    let decks = decks();
    for loaded in &decks {
        let cards = deck(&decks, &loaded.deck.id);
        let cloze = cards.iter().filter(|c| matches!(c, Card::Cloze(_))).count();
        assert!(
            cloze * 10 >= cards.len(),
            "{}: {cloze} Cloze of {} cards",
            loaded.deck.id,
            cards.len()
        );
    }
}

#[test]
fn no_critical_card_is_waiting_for_review() {
    let decks = decks();
    for (deck_id, card) in all_cards(&decks) {
        assert!(
            !(card.common().critical && has_tag(card, "needs-review")),
            "{} is critical and needs-review",
            name(deck_id, card)
        );
    }
}

/// Reference section 8, rule 3: sugar by mouth only for a client who can swallow it.
#[test]
fn every_card_that_gives_sugar_by_mouth_says_able_to_swallow() {
    let decks = decks();
    let oral_sugar = ["carbohydrate", "15 g", "glucose tablet", "juice", "sugar"];
    let mut seen = 0;
    for (deck_id, card) in all_cards(&decks) {
        let text = text(card).to_lowercase();
        if oral_sugar.iter().any(|w| text.contains(w)) && !text.contains("blood sugar") {
            seen += 1;
            assert!(
                text.contains("able to swallow"),
                "{} gives sugar without `able to swallow`",
                name(deck_id, card)
            );
        }
    }
    assert!(seen >= 2, "the hypoglycemia cards were not found ({seen})");
}

/// Reference section 8, rule 1: a red flag says who to send the client to and how soon.
#[test]
fn every_red_flag_card_names_who_and_how_soon() {
    let decks = decks();
    let how_soon = [
        "emergency",
        "same-day",
        "same day",
        "today",
        "soon",
        "immediately",
    ];
    let who = [
        "emergency services",
        "doctor",
        "provider",
        "medical",
        "specialist",
    ];
    for (deck_id, card) in all_cards(&decks) {
        if !has_tag(card, "red-flag") {
            continue;
        }
        let text = text(card).to_lowercase();
        assert!(
            how_soon.iter().any(|w| text.contains(w)),
            "{} does not say how soon",
            name(deck_id, card)
        );
        assert!(
            who.iter().any(|w| text.contains(w)),
            "{} does not say who to send the client to",
            name(deck_id, card)
        );
    }
}

#[test]
fn safety_tags_and_the_critical_flag_agree() {
    let decks = decks();
    for (deck_id, card) in all_cards(&decks) {
        if has_tag(card, "red-flag") || has_tag(card, "contraindication") {
            assert!(
                card.common().critical,
                "{} is not critical",
                name(deck_id, card)
            );
        }
    }
}

/// Every source is findable: it names a year, so a student can tell the edition or version.
#[test]
fn every_source_carries_a_year() {
    let decks = decks();
    for (deck_id, card) in all_cards(&decks) {
        let source = card.common().source.unwrap_or("");
        let has_year = source
            .as_bytes()
            .windows(4)
            .any(|w| w.iter().all(u8::is_ascii_digit) && (w[0] == b'1' || w[0] == b'2'));
        assert!(has_year, "{}: no year in `{source}`", name(deck_id, card));
    }
}

/// Each duplicate retired in the December 2026 clean-up names the card that stays, and that
/// card carries its learners' history on.
#[test]
fn every_retired_duplicate_hands_its_history_to_the_card_that_stays() {
    let decks = decks();
    let mut merged = 0;
    for loaded in &decks {
        for card in &loaded.deck.cards {
            let Some(keeper) = card
                .common()
                .retired
                .and_then(|r| r.strip_prefix("duplicate of "))
            else {
                continue;
            };
            merged += 1;
            let (keeper_deck, keeper_id) = keeper.split_once('/').expect("deck/card");
            let keeper_card = deck(&decks, keeper_deck)
                .into_iter()
                .find(|c| c.id() == keeper_id)
                .unwrap_or_else(|| panic!("{keeper} is not an active card"));
            let own = format!("{}/{}", loaded.deck.id, card.id());
            assert!(
                keeper_card
                    .common()
                    .replaces
                    .iter()
                    .any(|r| *r == own || (keeper_deck == loaded.deck.id && r == card.id())),
                "{keeper} does not carry on {own}"
            );
        }
    }
    assert!(merged >= 90, "{merged} duplicates merged");
}
