//! Checks that look at several decks at once, as a curriculum: the same fact taught twice, the
//! same client given two different verdicts, copies of a fact flagged differently, and
//! references between decks (`replaces`, `contrast`, "duplicate of") that do not resolve.
//!
//! A single deck can pass every per-deck rule and still contradict its neighbour: an
//! instructor learns about clashes between decks only if the checker reads them together. These
//! checks run whenever `knead check` is given decks (one file is a curriculum of one); study
//! never runs them, because a learner cannot fix a deck and a clash is not unsafe to load.

use std::collections::{HashMap, HashSet};

use super::Locator;
use super::similarity::similar_pairs;
use crate::deck::DUPLICATE_PREFIX;
use crate::deck::diagnostic::{Capped, Diagnostic, Mark, Severity};
use crate::deck::{Card, Deck, card_ref};

/// Two cards whose question and answer text reach this TF-IDF cosine similarity are reported as
/// probably one fact (K043). Chosen on the bundled decks as they were before the December 2026
/// review: at 0.5 it flags pairs the reviewer judged duplicates, and few that differ on purpose
/// (see `docs/deck-format.md`, K043).
pub const NEAR_DUPLICATE: f64 = 0.4;

/// Two Scenario cards whose client and technique text reach this similarity describe the same
/// client state and technique, so their verdicts must agree (K044).
pub const SAME_SITUATION: f64 = 0.6;

/// The tags that say a card teaches a red flag or a contraindication: such a card is critical.
const SAFETY_TAGS: [&str; 2] = ["red-flag", "contraindication"];
const NEEDS_REVIEW: &str = "needs-review";

/// One deck that parsed, with the text it was parsed from (to locate marks).
pub struct DeckSource<'a> {
    pub path: &'a str,
    /// The file's text without a byte-order mark, as the deck was parsed from it.
    pub source: &'a str,
    pub deck: &'a Deck,
}

/// An active card, by deck and position.
#[derive(Clone, Copy)]
struct CardAt<'a> {
    deck: usize,
    index: usize,
    card: &'a Card,
}

/// Every curriculum problem across `decks`.
pub fn check(decks: &[DeckSource]) -> Vec<Diagnostic> {
    // Where each deck and card id is, the first if repeated, so that resolving a reference is
    // a lookup rather than a search of every card.
    let mut index: HashMap<&str, (usize, HashMap<&str, usize>)> = HashMap::new();
    for (position, d) in decks.iter().enumerate() {
        if index.contains_key(d.deck.id.as_str()) {
            continue;
        }
        let mut cards = HashMap::new();
        for (at, card) in d.deck.cards.iter().enumerate() {
            cards.entry(card.id()).or_insert(at);
        }
        index.insert(d.deck.id.as_str(), (position, cards));
    }
    let mut checker = CurriculumChecker {
        locators: decks
            .iter()
            .map(|d| Locator::new(d.source, d.deck.cards.len()))
            .collect(),
        decks,
        index,
        problems: Capped::new(),
    };
    checker.safety_flags();
    checker.references();
    checker.duplicates_and_conflicts();
    checker.problems.finish()
}

struct CurriculumChecker<'a> {
    decks: &'a [DeckSource<'a>],
    locators: Vec<Locator<'a>>,
    /// Each deck's position by id, and its cards' positions by id.
    index: HashMap<&'a str, (usize, HashMap<&'a str, usize>)>,
    /// At most 50 of each code per file.
    problems: Capped,
}

impl<'a> CurriculumChecker<'a> {
    fn name(&self, at: CardAt) -> String {
        format!("{}/{}", self.decks[at.deck].deck.id, at.card.id())
    }

    fn mark(&self, at: CardAt, field: &str, label: impl Into<String>) -> Mark {
        self.locators[at.deck]
            .card_field(at.index, field, label)
            .in_file(self.decks[at.deck].path)
    }

    fn active_cards(&self) -> Vec<CardAt<'a>> {
        let decks = self.decks;
        decks
            .iter()
            .enumerate()
            .flat_map(|(deck, d)| {
                d.deck
                    .cards
                    .iter()
                    .enumerate()
                    .map(move |(index, card)| CardAt { deck, index, card })
            })
            .filter(|at| at.card.common().retired.is_none())
            .collect()
    }

    /// Finds the card a reference names, from the deck that holds the reference.
    fn resolve(&self, reference: &str, from_deck: usize) -> Resolved<'a> {
        let (deck_id, card_id) = card_ref(reference, &self.decks[from_deck].deck.id);
        let decks = self.decks;
        let Some((deck, cards)) = self.index.get(deck_id) else {
            return Resolved::DeckNotChecked;
        };
        let deck = *deck;
        match cards.get(card_id) {
            Some(&index) => Resolved::Card(CardAt {
                deck,
                index,
                card: &decks[deck].deck.cards[index],
            }),
            None => Resolved::Missing { deck },
        }
    }

    /// K046: a card tagged as a red flag or contraindication is critical, and a critical card is
    /// settled fact, not a precaution awaiting expert review.
    fn safety_flags(&mut self) {
        for at in self.active_cards() {
            let common = at.card.common();
            let has = |tag: &str| common.tags.iter().any(|t| t == tag);
            if let Some(tag) = SAFETY_TAGS.into_iter().find(|t| has(t))
                && !common.critical
            {
                let name = self.name(at);
                let mark = self.mark(at, "tags", format!("tagged `{tag}`"));
                self.problems.push(
                    Diagnostic::error(
                        "K046",
                        self.decks[at.deck].path,
                        format!("card `{name}` is tagged `{tag}` but is not critical"),
                    )
                    .with_mark(mark)
                    .with_help(
                        "a red flag or a contraindication is marked `critical: true` in every deck; \
                         if the card only teaches a precaution the therapist reasons about, tag it \
                         `precaution` instead",
                    ),
                );
            }
            if common.critical && has(NEEDS_REVIEW) {
                let name = self.name(at);
                let mark = self.mark(at, "critical", "critical");
                self.problems.push(
                    Diagnostic::error(
                        "K046",
                        self.decks[at.deck].path,
                        format!("card `{name}` is critical and tagged `{NEEDS_REVIEW}`"),
                    )
                    .with_mark(mark)
                    .with_help(
                        "`critical` states a settled safety fact; `needs-review` marks an action that rests on \
                         inference. Cite a source that settles it and drop `needs-review`, or phrase it as a \
                         precaution and drop `critical`",
                    ),
                );
            }
        }
    }

    /// K030/K031 for `replaces` that name another deck, K047 for `contrast`, K048 for a card
    /// retired as a duplicate whose history does not reach the card that stays.
    fn references(&mut self) {
        let decks = self.decks;
        let mut replaced_by: HashMap<(usize, usize), CardAt> = HashMap::new();
        for (deck, d) in decks.iter().enumerate() {
            for (index, card) in d.deck.cards.iter().enumerate() {
                let at = CardAt { deck, index, card };
                for (position, reference) in card.common().replaces.iter().enumerate() {
                    self.replacement(at, position, reference, &mut replaced_by);
                }
                for (position, reference) in card.common().contrast.iter().enumerate() {
                    self.contrast(at, position, reference);
                }
                if let Some(reason) = card.common().retired {
                    self.duplicate_of(at, reason);
                }
            }
        }
    }

    fn element_mark(&self, at: CardAt, field: &str, position: usize, label: &str) -> Mark {
        self.locators[at.deck]
            .element(at.index, field, position, label)
            .in_file(self.decks[at.deck].path)
    }

    fn replacement(
        &mut self,
        at: CardAt<'a>,
        position: usize,
        reference: &str,
        replaced_by: &mut HashMap<(usize, usize), CardAt<'a>>,
    ) {
        // References within the card's own deck are the per-deck check's (K030, K031).
        let (deck_id, _) = card_ref(reference, &self.decks[at.deck].deck.id);
        let same_deck = deck_id == self.decks[at.deck].deck.id;
        let path = self.decks[at.deck].path;
        let name = self.name(at);
        match self.resolve(reference, at.deck) {
            Resolved::DeckNotChecked => {}
            Resolved::Missing { deck } if !same_deck => {
                // The suggestion compares with every id: only for the problems shown.
                if self.problems.is_full(path, "K030") {
                    self.problems.omit(Severity::Error, "K030", path);
                    return;
                }
                let ids: Vec<&str> = self.decks[deck].deck.cards.iter().map(Card::id).collect();
                let card_id = card_ref(reference, "").1;
                let help = match crate::deck::nearest(card_id, &ids) {
                    Some(near) => format!("did you mean `{deck_id}/{near}`?"),
                    None => format!(
                        "keep the old card in `{deck_id}` with `retired: \"reason\"` so its id resolves"
                    ),
                };
                let mark = self.element_mark(at, "replaces", position, "no card has this id");
                self.problems.push(
                    Diagnostic::error(
                        "K030",
                        path,
                        format!(
                            "card `{name}` replaces `{reference}`, which is not in deck `{deck_id}`"
                        ),
                    )
                    .with_mark(mark)
                    .with_help(help),
                );
            }
            Resolved::Missing { .. } => {}
            Resolved::Card(old) => {
                if !same_deck && old.card.common().retired.is_none() {
                    let mark = self.element_mark(at, "replaces", position, "still studied");
                    let old_mark = self.mark(old, "id", "not retired");
                    self.problems.push(
                        Diagnostic::error(
                            "K031",
                            path,
                            format!("card `{name}` replaces `{reference}`, which is not retired"),
                        )
                        .with_mark(mark)
                        .with_mark(old_mark)
                        .with_help(format!(
                            "add `retired: \"{DUPLICATE_PREFIX}{name}\"` to `{reference}`: otherwise both are studied and share one history"
                        )),
                    );
                }
                // Within one deck the per-deck check reports a second replacement.
                match replaced_by.get(&(old.deck, old.index)) {
                    Some(&first) if !(same_deck && first.deck == at.deck) => {
                        let mark =
                            self.element_mark(at, "replaces", position, "replaced a second time");
                        let first_mark = self.mark(first, "replaces", "first replaced here");
                        let old_name = self.name(old);
                        self.problems.push(
                            Diagnostic::error("K031", path, format!("`{old_name}` is replaced by two cards"))
                                .with_mark(mark)
                                .with_mark(first_mark)
                                .with_help("a card's history can carry on in one card only: keep `replaces` on one of them"),
                        );
                    }
                    Some(_) => {}
                    None => {
                        replaced_by.insert((old.deck, old.index), at);
                    }
                }
            }
        }
    }

    fn contrast(&mut self, at: CardAt, position: usize, reference: &str) {
        let missing = match self.resolve(reference, at.deck) {
            Resolved::Missing { .. } => true,
            Resolved::Card(other) => other.deck == at.deck && other.index == at.index,
            Resolved::DeckNotChecked => false,
        };
        if missing {
            let name = self.name(at);
            let mark = self.element_mark(at, "contrast", position, "no other card has this id");
            self.problems.push(
                Diagnostic::error(
                    "K047",
                    self.decks[at.deck].path,
                    format!("card `{name}`: `contrast` names `{reference}`, which is not another card"),
                )
                .with_mark(mark)
                .with_help("write the card it differs from on purpose: `\"card-id\"` in this deck or `\"deck-id/card-id\"`"),
            );
        }
    }

    /// A card retired as "duplicate of deck/card": the card named should exist, be studied, and
    /// carry on the duplicate's history through its `replaces`.
    fn duplicate_of(&mut self, at: CardAt, reason: &str) {
        let Some(target) = reason.strip_prefix(DUPLICATE_PREFIX) else {
            return;
        };
        let target = target.trim().trim_end_matches('.');
        let name = self.name(at);
        let problem = match self.resolve(target, at.deck) {
            Resolved::DeckNotChecked => return,
            Resolved::Missing { .. } => format!("`{target}` is not a card"),
            Resolved::Card(keeper) if keeper.card.common().retired.is_some() => {
                format!("`{target}` is retired too")
            }
            Resolved::Card(keeper) => {
                let keeper_deck = &self.decks[keeper.deck].deck.id;
                let carried = keeper.card.common().replaces.iter().any(|r| {
                    card_ref(r, keeper_deck) == (self.decks[at.deck].deck.id.as_str(), at.card.id())
                });
                if carried {
                    return;
                }
                format!(
                    "`{target}` does not list it in `replaces`, so learners' progress on it is lost"
                )
            }
        };
        let mark = self.mark(at, "retired", "retired as a duplicate");
        self.problems.push(
            Diagnostic::warning(
                "K048",
                self.decks[at.deck].path,
                format!("card `{name}` is retired as a duplicate, but {problem}"),
            )
            .with_mark(mark)
            .with_help(format!(
                "name the card that stays, and add `\"{name}\"` to its `replaces` so each learner's history moves to it"
            )),
        );
    }

    /// K043 near-duplicates, K044 different verdicts for one situation, K045 copies of one fact
    /// flagged differently.
    fn duplicates_and_conflicts(&mut self) {
        let cards = self.active_cards();
        let contrasts = self.declared_contrasts(&cards);
        let declared = |a: CardAt, b: CardAt| {
            contrasts.contains(&((a.deck, a.index), (b.deck, b.index)))
                || contrasts.contains(&((b.deck, b.index), (a.deck, a.index)))
        };

        let facts: Vec<String> = cards.iter().map(|at| fact_text(at.card)).collect();
        similar_pairs(&facts, NEAR_DUPLICATE, |pair| {
            let (a, b) = (cards[pair.first], cards[pair.second]);
            if declared(a, b) {
                return;
            }
            // A pair alike enough to warn about is either one fact (so its flags must agree:
            // an error) or declared a contrast, which silences both.
            self.near_duplicate(a, b, pair.score);
            self.flag_conflict(a, b);
        });

        let scenarios: Vec<CardAt> = cards
            .iter()
            .copied()
            .filter(|at| matches!(at.card, Card::Scenario(_)))
            .collect();
        let situations: Vec<String> = scenarios
            .iter()
            .map(|at| match at.card {
                Card::Scenario(s) => format!("{} {}", s.client, s.technique),
                _ => unreachable!("filtered to Scenario cards"),
            })
            .collect();
        similar_pairs(&situations, SAME_SITUATION, |pair| {
            let (a, b) = (scenarios[pair.first], scenarios[pair.second]);
            if let (Card::Scenario(x), Card::Scenario(y)) = (a.card, b.card)
                && x.verdict != y.verdict
                && !declared(a, b)
            {
                self.verdict_conflict(a, b, x.verdict.name(), y.verdict.name(), pair.score);
            }
        });
    }

    fn declared_contrasts(&self, cards: &[CardAt]) -> HashSet<((usize, usize), (usize, usize))> {
        let mut declared = HashSet::new();
        for &at in cards {
            for reference in at.card.common().contrast {
                if let Resolved::Card(other) = self.resolve(reference, at.deck) {
                    declared.insert(((at.deck, at.index), (other.deck, other.index)));
                }
            }
        }
        declared
    }

    fn question_field(card: &Card) -> &'static str {
        match card {
            Card::Basic(_) => "front",
            Card::Choice(_) => "prompt",
            Card::TrueFalse(_) => "statement",
            Card::Cloze(_) => "text",
            Card::Scenario(_) => "client",
        }
    }

    /// Whether a problem of `code` in `at`'s file would be left out; if so, counts it.
    fn left_out(&mut self, severity: Severity, code: &'static str, at: CardAt) -> bool {
        let path = self.decks[at.deck].path;
        let full = self.problems.is_full(path, code);
        if full {
            self.problems.omit(severity, code, path);
        }
        full
    }

    fn near_duplicate(&mut self, a: CardAt, b: CardAt, score: f64) {
        if self.left_out(Severity::Warning, "K043", b) {
            return;
        }
        let (first, second) = (self.name(a), self.name(b));
        let mark_a = self.mark(a, Self::question_field(a.card), "this card");
        let mark_b = self.mark(b, Self::question_field(b.card), "looks like the same fact");
        self.problems.push(
            Diagnostic::warning(
                "K043",
                self.decks[b.deck].path,
                format!("cards `{first}` and `{second}` look like the same fact (similarity {score:.2})"),
            )
            .with_mark(mark_b)
            .with_mark(mark_a)
            .with_help(format!(
                "one fact, one card: retire one with `retired: \"{DUPLICATE_PREFIX}{first}\"` and list it in the \
                 other's `replaces`, or make it a different question; if they differ on purpose (another client \
                 state), declare `contrast: [\"{first}\"]` on `{second}`"
            )),
        );
    }

    fn flag_conflict(&mut self, a: CardAt, b: CardAt) {
        let flags = |at: CardAt| {
            let common = at.card.common();
            (
                common.critical,
                common.tags.iter().any(|t| t == NEEDS_REVIEW),
            )
        };
        let (fa, fb) = (flags(a), flags(b));
        if fa == fb || self.left_out(Severity::Error, "K045", b) {
            return;
        }
        let describe = |(critical, review): (bool, bool)| match (critical, review) {
            (true, true) => "critical and needs-review",
            (true, false) => "critical",
            (false, true) => "needs-review",
            (false, false) => "neither critical nor needs-review",
        };
        let (first, second) = (self.name(a), self.name(b));
        let mark_a = self.mark(a, "id", describe(fa));
        let mark_b = self.mark(b, "id", describe(fb));
        self.problems.push(
            Diagnostic::error(
                "K045",
                self.decks[b.deck].path,
                format!(
                    "copies of one fact carry different flags: `{first}` is {}, `{second}` is {}",
                    describe(fa),
                    describe(fb)
                ),
            )
            .with_mark(mark_b)
            .with_mark(mark_a)
            .with_help(
                "a fact has one safety status everywhere: give both cards the same `critical` and \
                 `needs-review`, or retire the copy",
            ),
        );
    }

    fn verdict_conflict(&mut self, a: CardAt, b: CardAt, va: &str, vb: &str, score: f64) {
        if self.left_out(Severity::Error, "K044", b) {
            return;
        }
        let (first, second) = (self.name(a), self.name(b));
        let mark_a = self.mark(a, "verdict", va);
        let mark_b = self.mark(b, "verdict", vb);
        self.problems.push(
            Diagnostic::error(
                "K044",
                self.decks[b.deck].path,
                format!(
                    "`{first}` and `{second}` give different verdicts ({va}, {vb}) for what reads as the same \
                     client and technique (similarity {score:.2})"
                ),
            )
            .with_mark(mark_b)
            .with_mark(mark_a)
            .with_help(format!(
                "the same client state with the same technique gets one verdict everywhere: make them agree, \
                 or write the detail that changes the verdict into the client text and declare \
                 `contrast: [\"{first}\"]` on `{second}`"
            )),
        );
    }
}

enum Resolved<'a> {
    Card(CardAt<'a>),
    Missing { deck: usize },
    DeckNotChecked,
}

/// The question and answer a card teaches, as compared for near-duplicates: not `why` or
/// `source`, which legitimately repeat across cards on one topic.
fn fact_text(card: &Card) -> String {
    match card {
        Card::Basic(c) => format!("{} {}", c.front, c.back),
        Card::Choice(c) => format!(
            "{} {}",
            c.prompt,
            c.options.get(c.answer).map_or("", String::as_str)
        ),
        Card::TrueFalse(c) => c.statement.clone(),
        Card::Cloze(c) => c.text.replace("{{", "").replace("}}", ""),
        Card::Scenario(c) => format!("{} {} {}", c.client, c.technique, c.verdict.name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::checks::Strictness;

    fn deck(id: &str, cards: &str) -> (String, String, Deck) {
        let source = format!("Deck(id: \"{id}\", title: \"{id}\", cards: [\n{cards}\n])");
        let deck = crate::deck::check_source(&source, id, Strictness::Normal)
            .deck
            .expect("test decks parse");
        (format!("{id}.ron"), source, deck)
    }

    fn problems(decks: &[(String, String, Deck)]) -> Vec<Diagnostic> {
        let sources: Vec<DeckSource> = decks
            .iter()
            .map(|(path, source, deck)| DeckSource { path, source, deck })
            .collect();
        check(&sources)
    }

    fn codes(problems: &[Diagnostic]) -> Vec<&'static str> {
        let mut codes: Vec<&str> = problems.iter().map(|d| d.code).collect();
        codes.sort_unstable();
        codes
    }

    const HOT_STONE_MS: &str = r#"Scenario(id: "ms-hot-stone", client: "A client with multiple sclerosis who is heat sensitive", technique: "Hot stone massage", verdict: Avoid, critical: true),"#;
    const HOT_STONE_MS_AGAIN: &str = r#"Scenario(id: "ms-stones", client: "A heat-sensitive client with multiple sclerosis", technique: "Hot stone massage", verdict: Avoid),"#;

    #[test]
    fn one_fact_in_two_decks_is_a_near_duplicate_marked_in_both_files() {
        let found = problems(&[
            deck("conditions", HOT_STONE_MS),
            deck(
                "techniques",
                &HOT_STONE_MS_AGAIN.replace("verdict: Avoid", "verdict: Avoid, critical: true"),
            ),
        ]);
        assert_eq!(codes(&found), ["K043"], "{found:#?}");
        let files: Vec<Option<&str>> = found[0].marks.iter().map(|m| m.file.as_deref()).collect();
        assert_eq!(files, [Some("techniques.ron"), Some("conditions.ron")]);
        assert!(found[0].marks.iter().all(|m| m.line == 2), "{found:#?}");
    }

    #[test]
    fn copies_with_different_flags_are_an_error() {
        let found = problems(&[deck("a", HOT_STONE_MS), deck("b", HOT_STONE_MS_AGAIN)]);
        assert_eq!(codes(&found), ["K043", "K045"], "{found:#?}");
        assert!(
            found[1].message.contains("`a/ms-hot-stone` is critical"),
            "{}",
            found[1].message
        );
    }

    #[test]
    fn the_same_client_and_technique_with_two_verdicts_is_an_error_unless_declared_a_contrast() {
        let knee = r#"Scenario(id: "knee-ice", client: "A client with rheumatoid arthritis and a hot swollen knee", technique: "Ice pack on the knee", verdict: Adapt),"#;
        let knee_raynauds = r#"Scenario(id: "knee-ice-raynauds", client: "A client with rheumatoid arthritis, Raynaud's and a hot swollen knee", technique: "Ice pack on the knee", verdict: Avoid),"#;
        let found = problems(&[deck("t", &format!("{knee}\n{knee_raynauds}"))]);
        assert!(codes(&found).contains(&"K044"), "{found:#?}");
        let declared = knee_raynauds.replace(
            "verdict: Avoid",
            r#"verdict: Avoid, contrast: ["knee-ice"]"#,
        );
        let found = problems(&[deck("t", &format!("{knee}\n{declared}"))]);
        assert_eq!(codes(&found), Vec::<&str>::new(), "{found:#?}");
    }

    #[test]
    fn safety_tags_need_critical_and_critical_excludes_needs_review() {
        let found = problems(&[deck(
            "r",
            r#"Basic(id: "flag", front: "Fever today?", back: "Postpone", tags: ["red-flag"]),
               Basic(id: "both", front: "Numb skin and ice?", back: "No ice", tags: ["contraindication", "needs-review"], critical: true),
               Basic(id: "retired", front: "Old", back: "Old", tags: ["red-flag"], retired: "superseded"),"#,
        )]);
        assert_eq!(codes(&found), ["K046", "K046"], "{found:#?}");
        assert!(
            found[0]
                .message
                .contains("`r/flag` is tagged `red-flag` but is not critical")
        );
        assert!(
            found[1]
                .message
                .contains("`r/both` is critical and tagged `needs-review`")
        );
    }

    #[test]
    fn replaces_across_decks_must_name_a_retired_card_once() {
        let old = r#"Basic(id: "old", front: "Old wording of a fact", back: "An answer", retired: "duplicate of b/new"),
                     Basic(id: "live", front: "A fact still studied", back: "Another answer"),"#;
        let found = problems(&[
            deck("a", old),
            deck(
                "b",
                r#"Basic(id: "new", front: "The kept fact", back: "Kept", replaces: ["a/old", "a/live"]),
                   Basic(id: "twice", front: "Unrelated words here", back: "Else", replaces: ["a/old"]),"#,
            ),
        ]);
        assert_eq!(codes(&found), ["K031", "K031"], "{found:#?}");
        assert!(found.iter().any(|d| {
            d.message
                .contains("replaces `a/live`, which is not retired")
        }));
        assert!(
            found
                .iter()
                .any(|d| d.message.contains("`a/old` is replaced by two cards"))
        );
    }

    #[test]
    fn a_duplicate_whose_history_is_not_carried_is_reported() {
        let found = problems(&[
            deck(
                "a",
                r#"Basic(id: "old", front: "Old", back: "Answer", retired: "duplicate of b/new"),"#,
            ),
            deck("b", r#"Basic(id: "new", front: "New", back: "Reply"),"#),
        ]);
        assert_eq!(codes(&found), ["K048"], "{found:#?}");
        assert!(found[0].message.contains("does not list it in `replaces`"));
        // The other deck not given: nothing to judge.
        let alone = problems(&[deck(
            "a",
            r#"Basic(id: "old", front: "Old", back: "Answer", retired: "duplicate of b/new"),"#,
        )]);
        assert!(alone.is_empty(), "{alone:#?}");
    }
}
