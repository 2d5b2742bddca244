//! The rules a deck follows beyond its syntax: the ones serde cannot express (unique ids, an
//! answer index in range) and the content advice a careful instructor wants to hear (a missing
//! explanation or source, a card too long to hold one fact, an answer given away by its prompt).
//!
//! Every rule has a stable code, listed with its meaning in `docs/deck-format.md`. Errors stop a
//! deck from loading; warnings are advice that `knead check --strict` turns into a failure.

pub mod curriculum;
pub mod similarity;

use std::collections::HashMap;
use std::ops::Range;

use crate::deck::diagnostic::{Capped, Diagnostic, Lines, Mark, Severity};
use crate::deck::outline::{self, DeckOutline};
use crate::deck::{Card, ClozeError, Deck, cloze_deletions, is_slug};
use crate::limits::{self, MAX_CARD_BYTES, MAX_CLOZE_DELETIONS, MAX_TAGS};

/// How hard the content advice is enforced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strictness {
    /// A missing `why` or `source` is a warning (drafts, personal decks).
    #[default]
    Normal,
    /// A missing `why` or `source` is an error (decks handed to a class).
    Strict,
}

/// The most characters a field should hold for a card to stay one fact.
pub const PROMPT_LIMIT: usize = 250;
pub const ANSWER_LIMIT: usize = 250;
pub const OPTION_LIMIT: usize = 120;
pub const WHY_LIMIT: usize = 400;
pub const TECHNIQUE_LIMIT: usize = 80;

/// Every problem in a deck that parsed, errors and warnings, in card order.
pub fn check(deck: &Deck, source: &str, path: &str, strictness: Strictness) -> Vec<Diagnostic> {
    let checker = Checker {
        path,
        strictness,
        locate: Locator::new(source, deck.cards.len()),
        problems: Capped::new(),
        complete: true,
    };
    checker.run(deck, true, source)
}

/// What is known of a deck that did not parse as a whole but was parsed part by part (see
/// `load::check_source`): where its fields and the cards that parsed are, and whether its own
/// fields parsed.
pub struct Recovered {
    /// The deck's fields, and the cards that parsed, in the order of the deck's cards.
    pub outline: DeckOutline,
    /// Whether the deck's own fields (id, title, ...) parsed: their rules are checked only then.
    pub header: bool,
    /// Whether every card parsed.
    pub every_card: bool,
}

/// The rules of [`check`] for the cards of a deck that parsed when others did not. Rules that
/// need every card are kept to what the parsed cards show: when a card did not parse, a
/// `replaces` naming no parsed card may name that one, and is not reported.
pub fn check_recovered(
    deck: &Deck,
    source: &str,
    path: &str,
    strictness: Strictness,
    recovered: Recovered,
) -> Vec<Diagnostic> {
    let checker = Checker {
        path,
        strictness,
        locate: Locator::with_outline(source, recovered.outline),
        problems: Capped::new(),
        complete: recovered.every_card,
    };
    checker.run(deck, recovered.header, source)
}

impl Checker<'_> {
    fn run(mut self, deck: &Deck, header: bool, source: &str) -> Vec<Diagnostic> {
        let path = self.path;
        if header {
            self.deck(deck);
        }
        let mut first_seen: HashMap<&str, usize> = HashMap::new();
        for (index, card) in deck.cards.iter().enumerate() {
            let id = card.id();
            if let Some(&first) = first_seen.get(id) {
                self.problems.push(
                Diagnostic::error("K011", path, format!("card id `{id}` is used twice"))
                    .with_mark(self.locate.card_field(index, "id", "second card with this id"))
                    .with_mark(self.locate.card_field(first, "id", "first used here"))
                    .with_help("give each card its own id: progress is kept per id, so two cards sharing one would share a schedule"),
            );
            } else {
                first_seen.insert(id, index);
            }
            self.card(index, card);
        }
        self.replacements(deck, &first_seen);
        // Text a terminal would obey (ESC, bidi overrides, ...): K040-K042, see crate::text.
        self.problems
            .extend(crate::text::deck_diagnostics(source, path));
        self.problems.finish()
    }
}

struct Checker<'a> {
    path: &'a str,
    strictness: Strictness,
    locate: Locator<'a>,
    /// At most 50 of each code: a deck with thousands of the same mistake stays readable.
    problems: Capped,
    /// Whether every card of the deck is at hand (false when some did not parse).
    complete: bool,
}

impl Checker<'_> {
    fn error(&mut self, code: &'static str, message: String, mark: Mark, help: impl Into<String>) {
        self.problems.push(
            Diagnostic::error(code, self.path, message)
                .with_mark(mark)
                .with_help(help),
        );
    }

    fn warning(
        &mut self,
        code: &'static str,
        message: String,
        mark: Mark,
        help: impl Into<String>,
    ) {
        self.problems.push(
            Diagnostic::warning(code, self.path, message)
                .with_mark(mark)
                .with_help(help),
        );
    }

    fn deck(&mut self, deck: &Deck) {
        if !is_slug(&deck.id) {
            let mark = self
                .locate
                .deck_field("id", "use lowercase letters, digits and '-'");
            self.error(
                "K010",
                format!("deck id `{}` is not a slug", deck.id),
                mark,
                format!("for example `{}`", slugify(&deck.id)),
            );
        }
        if deck.title.trim().is_empty() {
            let mark = self.locate.deck_field("title", "empty");
            self.error(
                "K016",
                "the deck's title is empty".into(),
                mark,
                "students see the title in every session: name the deck",
            );
        }
        if let Some((&version, _)) = deck.changelog.range(deck.version + 1..).next() {
            let mark = self
                .locate
                .deck_field("changelog", "describes a later version");
            self.error(
                "K035",
                format!(
                    "the changelog describes version {version}, but the deck is version {}",
                    deck.version
                ),
                mark,
                format!("raise `version` to {version} when you publish that change, or fix the changelog entry"),
            );
        }
    }

    fn card(&mut self, index: usize, card: &Card) {
        let common = card.common();
        let id = common.id;
        let size = card.text_bytes();
        if size > MAX_CARD_BYTES {
            let mark = self
                .locate
                .card_field(index, "id", "this card is too large");
            self.error(
                "K051",
                format!(
                    "card `{}` holds {} bytes of text, more than the {} a card may hold",
                    clip(id),
                    crate::deck::diagnostic::thousands(size),
                    limits::size_text(MAX_CARD_BYTES)
                ),
                mark,
                "one fact per card: split it into several cards, and keep background reading in `source`",
            );
            // Its other rules are not checked: their cost would grow with its size.
            return;
        }
        if !is_slug(id) {
            let mark = self
                .locate
                .card_field(index, "id", "use lowercase letters, digits and '-'");
            self.error(
                "K010",
                format!("card id `{id}` is not a slug"),
                mark,
                format!("for example `{}`", slugify(id)),
            );
        }
        for (field, text) in texts(card) {
            self.text_field(index, id, field, text);
        }
        match card {
            Card::Basic(basic) => self.given_away(index, id, "front", &basic.front, &basic.back),
            Card::Choice(choice) => self.choice(index, choice),
            Card::Cloze(cloze) => self.cloze(index, id, &cloze.text),
            Card::TrueFalse(_) | Card::Scenario(_) => {}
        }
        self.explanation(index, card);
        if common.tags.len() > MAX_TAGS {
            let mark = self
                .locate
                .card_field(index, "tags", format!("{} tags", common.tags.len()));
            self.error(
                "K054",
                format!(
                    "card `{id}` has {} tags, more than the {MAX_TAGS} a card may have",
                    common.tags.len()
                ),
                mark,
                "tags group cards for `--tag`, statistics and handouts: keep the few that name what the card is about",
            );
        }
        for (position, tag) in common.tags.iter().enumerate() {
            if !is_slug(tag) {
                let mark = self.locate.element(index, "tags", position, "not a slug");
                self.error(
                    "K018",
                    format!("card `{id}`: tag `{tag}` is not a slug"),
                    mark,
                    format!(
                        "tags are matched exactly by `--tag` and stats: write `{}`",
                        slugify(tag)
                    ),
                );
            }
        }
        self.revision(index, card);
    }

    /// Emptiness and length of one of the card's own text fields.
    fn text_field(&mut self, index: usize, id: &str, field: &'static str, text: &str) {
        if text.trim().is_empty() {
            let mark = self.locate.card_field(index, field, "empty text");
            self.error(
                "K016",
                format!("card `{id}`: `{field}` is empty"),
                mark,
                format!("an empty `{field}` shows students nothing: write it, or leave out an optional field"),
            );
            return;
        }
        let limit = match field {
            "back" => ANSWER_LIMIT,
            "why" => WHY_LIMIT,
            "technique" => TECHNIQUE_LIMIT,
            "source" => return,
            _ => PROMPT_LIMIT,
        };
        let length = text.chars().count();
        if length > limit {
            let mark = self
                .locate
                .card_field(index, field, format!("{length} characters"));
            self.warning(
                "K024",
                format!("card `{id}`: `{field}` is {length} characters, more than {limit}"),
                mark,
                "one fact per card: split the card, or move background into `why`",
            );
        }
    }

    fn choice(&mut self, index: usize, choice: &crate::deck::Choice) {
        let id = choice.id.as_str();
        let count = choice.options.len();
        if count == 0 {
            let mark = self.locate.card_field(index, "options", "empty list");
            self.error(
                "K012",
                format!("Choice card `{id}` has no options"),
                mark,
                "list the right answer and plausible wrong ones: `options: [\"..\", \"..\", \"..\"]`",
            );
            return;
        }
        if choice.answer >= count {
            let mark =
                self.locate
                    .card_field(index, "answer", format!("must be from 0 to {}", count - 1));
            self.error(
                "K013",
                format!(
                    "answer {} is out of range: card `{id}` has {count} options",
                    choice.answer
                ),
                mark,
                "`answer` counts from 0: the first option is 0, the second 1, ...",
            );
        }
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (position, option) in choice.options.iter().enumerate() {
            if option.trim().is_empty() {
                let mark = self
                    .locate
                    .element(index, "options", position, "empty option");
                self.error(
                    "K016",
                    format!("Choice card `{id}`: option {position} is empty"),
                    mark,
                    "write the option's text, or remove it (and check `answer` still points at the right one)",
                );
                continue;
            }
            let length = option.chars().count();
            if length > OPTION_LIMIT {
                let mark =
                    self.locate
                        .element(index, "options", position, format!("{length} characters"));
                self.warning(
                    "K024",
                    format!("Choice card `{id}`: option {position} is {length} characters, more than {OPTION_LIMIT}"),
                    mark,
                    "keep options short so they can be compared at a glance; put the reasoning in `why`",
                );
            }
            if let Some(&first) = seen.get(&normalized(option)) {
                let mark =
                    self.locate
                        .element(index, "options", position, "same as an earlier option");
                let first_mark = self.locate.element(index, "options", first, "first here");
                self.problems.push(
                    Diagnostic::error(
                        "K015",
                        self.path,
                        format!("Choice card `{id}`: options {first} and {position} are the same"),
                    )
                    .with_mark(mark)
                    .with_mark(first_mark)
                    .with_help(
                        "each option must differ, or a student cannot tell which one is meant",
                    ),
                );
            } else {
                seen.insert(normalized(option), position);
            }
        }
        if count < 3 {
            let mark = self
                .locate
                .card_field(index, "options", "too few to choose between");
            self.warning(
                "K020",
                format!("Choice card `{id}` has only {count} option{}", if count == 1 { "" } else { "s" }),
                mark,
                "give at least 3 options (the right one and plausible mistakes), or make it a TrueFalse card",
            );
        }
        if let Some(right) = choice.options.get(choice.answer) {
            self.given_away(index, id, "prompt", &choice.prompt, right);
        }
    }

    fn cloze(&mut self, index: usize, id: &str, text: &str) {
        let deletions = match cloze_deletions(text) {
            Ok(deletions) if deletions.len() > MAX_CLOZE_DELETIONS => {
                let mark =
                    self.locate
                        .card_field(index, "text", format!("{} deletions", deletions.len()));
                self.error(
                    "K052",
                    format!(
                        "Cloze card `{id}` has {} deletions, more than the {MAX_CLOZE_DELETIONS} a card may have",
                        deletions.len()
                    ),
                    mark,
                    "each deletion is studied as its own item: split the text into several Cloze cards",
                );
                return;
            }
            Ok(deletions) if !deletions.is_empty() => deletions,
            result => {
                let (message, label) = match result {
                    Ok(_) => ("the text has no {{deletion}}", "nothing to hide"),
                    Err(ClozeError::Unclosed(_)) => (
                        "a `{{` is not closed by `}}`",
                        "unbalanced braces in this text",
                    ),
                    Err(ClozeError::StrayClose(_)) => (
                        "a `}}` has no matching `{{`",
                        "unbalanced braces in this text",
                    ),
                    Err(ClozeError::Empty(_)) => ("a deletion is empty: `{{}}`", "empty deletion"),
                };
                let mark = self.locate.card_field(index, "text", label);
                self.error(
                    "K014",
                    format!("Cloze card `{id}`: {message}"),
                    mark,
                    "mark each hidden part with double braces: `text: \"Steroids thin the {{skin}}.\"`",
                );
                return;
            }
        };
        let mut visible = String::new();
        let mut rest = 0;
        for deletion in &deletions {
            visible.push_str(&text[rest..deletion.start.saturating_sub(2)]);
            rest = deletion.end + 2;
        }
        visible.push_str(&text[rest.min(text.len())..]);
        for deletion in deletions {
            self.given_away(index, id, "text", &visible, &text[deletion]);
        }
    }

    /// Warns when the answer can be read off its own prompt.
    fn given_away(
        &mut self,
        index: usize,
        id: &str,
        field: &'static str,
        prompt: &str,
        answer: &str,
    ) {
        let answer = normalized(answer);
        // Very short answers ("no", "RA") occur in prompts by chance.
        if answer.chars().count() >= 4 && normalized(prompt).contains(&answer) {
            let mark = self
                .locate
                .occurrence(index, field, &answer, "contains the answer");
            self.warning(
                "K021",
                format!("card `{id}`: the answer \"{answer}\" appears in its own {field}"),
                mark,
                "a student can read the answer off the question: reword the prompt",
            );
        }
    }

    fn explanation(&mut self, index: usize, card: &Card) {
        let common = card.common();
        let id = common.id;
        let severity = match self.strictness {
            Strictness::Normal => Severity::Warning,
            Strictness::Strict => Severity::Error,
        };
        let anchor = |locate: &Locator, label: &str| locate.card_field(index, "id", label);
        if common.why.is_none() {
            self.problems.push(
                Diagnostic::new(severity, "K022", self.path, format!("card `{id}` has no `why`"))
                    .with_mark(anchor(&self.locate, "no explanation"))
                    .with_help("add `why: \"..\"`: the reasoning a student should take away, in a sentence or two"),
            );
        }
        match (common.source, common.critical) {
            (None, true) => self.problems.push(
                Diagnostic::error("K017", self.path, format!("critical card `{id}` has no `source`"))
                    .with_mark(self.locate.card_field(index, "critical", "safety-critical"))
                    .with_help("a red flag or contraindication must cite where it comes from: add `source: \"..\"`"),
            ),
            (None, false) => self.problems.push(
                Diagnostic::new(severity, "K023", self.path, format!("card `{id}` has no `source`"))
                    .with_mark(anchor(&self.locate, "no citation"))
                    .with_help("add `source: \"..\"`: a citation a student could look up"),
            ),
            (Some(_), _) => {}
        }
    }

    fn revision(&mut self, index: usize, card: &Card) {
        let common = card.common();
        let id = common.id;
        match (common.rev, common.change) {
            (0, Some(change)) => {
                let mark = self
                    .locate
                    .card_field(index, "change", "no `rev` to describe");
                self.error(
                    "K032",
                    format!("card `{id}` has `change: {change:?}` but no `rev`"),
                    mark,
                    "number the edit: `rev: 1` for the first published edit, then 2, 3, ...",
                );
            }
            (rev, None) if rev > 0 => {
                let mark = self
                    .locate
                    .card_field(index, "rev", "what did this edit change?");
                self.error(
                    "K032",
                    format!("card `{id}` has `rev: {rev}` but no `change`"),
                    mark,
                    "say what the edit means for students' progress: `change: Typo`, `Clarify` or `Substantive`",
                );
            }
            _ => {}
        }
        if let Some(reason) = common.retired
            && reason.trim().is_empty()
        {
            let mark = self.locate.card_field(index, "retired", "empty reason");
            self.error(
                "K034",
                format!("card `{id}` is retired without a reason"),
                mark,
                "students are told why a card was withdrawn: `retired: \"superseded by the 2025 guideline\"`",
            );
        }
    }

    /// `replaces` names retired cards of the same deck, each carried on by one card only.
    /// References to other decks (`"deck/card"`) are checked with the curriculum
    /// (`curriculum::check`), where the other deck is at hand.
    fn replacements(&mut self, deck: &Deck, index_of: &HashMap<&str, usize>) {
        let mut replaced_by: HashMap<&str, usize> = HashMap::new();
        for (index, card) in deck.cards.iter().enumerate() {
            let id = card.id();
            for (position, old) in card.common().replaces.iter().enumerate() {
                let (old_deck, old) = crate::deck::card_ref(old, &deck.id);
                if old_deck != deck.id {
                    continue;
                }
                let mark = |locate: &Locator, label: &str| {
                    locate.element(index, "replaces", position, label)
                };
                let Some(&old_index) = index_of.get(old) else {
                    if !self.complete {
                        continue;
                    }
                    // The suggestion compares with every id: only for the problems shown.
                    if self.problems.is_full(self.path, "K030") {
                        self.problems.omit(Severity::Error, "K030", self.path);
                        continue;
                    }
                    let ids: Vec<&str> = deck.cards.iter().map(Card::id).collect();
                    let help = match crate::deck::nearest(old, &ids) {
                        Some(near) => format!("did you mean `{near}`? Keep the old card in the deck with `retired: \"reason\"` so its id resolves"),
                        None => "keep the old card in the deck with `retired: \"reason\"` so its id resolves".into(),
                    };
                    let mark = mark(&self.locate, "no card has this id");
                    self.error(
                        "K030",
                        format!("card `{id}` replaces `{old}`, which is not in this deck"),
                        mark,
                        help,
                    );
                    continue;
                };
                if old_index == index {
                    let mark = mark(&self.locate, "itself");
                    self.error(
                        "K031",
                        format!("card `{id}` replaces itself"),
                        mark,
                        "list the ids of the older cards this card takes over from",
                    );
                    continue;
                }
                if deck.cards[old_index].common().retired.is_none() {
                    let mark = mark(&self.locate, "still studied");
                    let old_mark = self.locate.card_field(old_index, "id", "not retired");
                    self.problems.push(
                        Diagnostic::error("K031", self.path, format!("card `{id}` replaces `{old}`, which is not retired"))
                            .with_mark(mark)
                            .with_mark(old_mark)
                            .with_help(format!("add `retired: \"replaced by {id}\"` to `{old}`: otherwise both are studied and share one history")),
                    );
                }
                if let Some(&first) = replaced_by.get(old) {
                    let mark = mark(&self.locate, "replaced a second time");
                    let first_mark =
                        self.locate
                            .card_field(first, "replaces", "first replaced here");
                    self.problems.push(
                        Diagnostic::error("K031", self.path, format!("`{old}` is replaced by two cards"))
                            .with_mark(mark)
                            .with_mark(first_mark)
                            .with_help("a card's history can carry on in one card only: keep `replaces` on one of them"),
                    );
                } else {
                    replaced_by.insert(old, index);
                }
            }
        }
    }
}

/// The card's text fields, by field name, for the emptiness and length checks.
fn texts(card: &Card) -> Vec<(&'static str, &str)> {
    let common = card.common();
    let mut texts = match card {
        Card::Basic(c) => vec![("front", c.front.as_str()), ("back", c.back.as_str())],
        Card::Choice(c) => vec![("prompt", c.prompt.as_str())],
        Card::TrueFalse(c) => vec![("statement", c.statement.as_str())],
        // Cloze emptiness is a deletion problem (K014); only its length is checked here.
        Card::Cloze(c) if c.text.trim().is_empty() => vec![],
        Card::Cloze(c) => vec![("text", c.text.as_str())],
        Card::Scenario(c) => vec![
            ("client", c.client.as_str()),
            ("technique", c.technique.as_str()),
        ],
    };
    texts.extend(common.why.map(|why| ("why", why)));
    texts.extend(common.source.map(|source| ("source", source)));
    texts
}

/// Text compared without case, surrounding space or a final full stop.
fn normalized(text: &str) -> String {
    text.trim().trim_end_matches('.').trim().to_lowercase()
}

/// An id as quoted in a message about an oversized card: at most 60 characters.
fn clip(id: &str) -> String {
    match id.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &id[..at]),
        None => id.to_owned(),
    }
}

/// A slug suggestion for a name that is not one.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "card-1".to_owned()
    } else {
        slug
    }
}

/// A list field's span and the spans of its elements.
type SplitField = (Range<usize>, Vec<Range<usize>>);

/// Finds the source position of a card or field, falling back to something sensible when the
/// outline does not line up (it always should for text ron accepted). The outline is built
/// only when a problem needs locating: a clean deck never pays for it.
struct Locator<'a> {
    source: &'a str,
    outline: std::cell::OnceCell<DeckOutline>,
    lines: std::cell::OnceCell<Lines<'a>>,
    card_count: usize,
    /// The list field last split into elements, and its elements.
    elements: std::cell::RefCell<Option<SplitField>>,
}

impl<'a> Locator<'a> {
    fn new(source: &'a str, card_count: usize) -> Locator<'a> {
        Locator {
            source,
            outline: std::cell::OnceCell::new(),
            lines: std::cell::OnceCell::new(),
            card_count,
            elements: std::cell::RefCell::new(None),
        }
    }

    /// A locator for a deck whose outline is already known (its cards in the deck's order).
    fn with_outline(source: &'a str, outline: DeckOutline) -> Locator<'a> {
        let locator = Locator::new(source, outline.cards.len());
        let _ = locator.outline.set(outline);
        locator
    }

    fn outline(&self) -> &DeckOutline {
        self.outline.get_or_init(|| outline::outline(self.source))
    }

    fn mark(&self, span: Range<usize>, label: impl Into<String>) -> Mark {
        self.lines
            .get_or_init(|| Lines::new(self.source))
            .mark(span, label)
    }

    fn deck_field(&self, name: &str, label: &str) -> Mark {
        let span = self
            .outline()
            .field(name)
            .map_or(0..0, |f| f.value_span.clone());
        self.mark(span, label)
    }

    fn card_span(&self, index: usize, name: &str) -> Range<usize> {
        let outline = self.outline();
        let card = (outline.cards.len() == self.card_count)
            .then(|| outline.cards.get(index))
            .flatten();
        match card {
            Some(card) => card
                .field(name)
                .map_or(card.span.start..card.span.start, |f| f.value_span.clone()),
            None => 0..0,
        }
    }

    fn card_field(&self, index: usize, name: &str, label: impl Into<String>) -> Mark {
        self.mark(self.card_span(index, name), label)
    }

    /// Where `needle` shows in a field's text (ignoring ASCII case, and skipping a Cloze's own
    /// `{{deletion}}`), or the whole field if it cannot be found.
    fn occurrence(&self, index: usize, name: &str, needle: &str, label: impl Into<String>) -> Mark {
        let field = self.card_span(index, name);
        let haystack = self.source[field.clone()].to_ascii_lowercase();
        let needle = needle.to_ascii_lowercase();
        let span = haystack
            .match_indices(&needle)
            .map(|(at, _)| at)
            .find(|&at| !haystack[..at].ends_with("{{"))
            .map_or(field.clone(), |at| {
                field.start + at..field.start + at + needle.len()
            });
        self.mark(span, label)
    }

    /// One element of a list field (an option, a tag), or the whole field if it cannot be found.
    fn element(&self, index: usize, name: &str, position: usize, label: impl Into<String>) -> Mark {
        let field = self.card_span(index, name);
        // The elements of the field last asked about are kept: a card with many bad tags or
        // options splits its list once, not once per element.
        let mut last = self.elements.borrow_mut();
        if last.as_ref().is_none_or(|(span, _)| *span != field) {
            *last = Some((field.clone(), outline::elements(self.source, field.clone())));
        }
        let span = last
            .as_ref()
            .and_then(|(_, elements)| elements.get(position).cloned())
            .unwrap_or(field);
        self.mark(span, label)
    }
}

/// What `knead check` found in a set of files.
#[derive(Debug, Default)]
pub struct Report {
    /// Every deck file looked at, with its deck id and card count when it parsed.
    pub files: Vec<CheckedFile>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug)]
pub struct CheckedFile {
    pub path: String,
    /// The deck's id and card counts, when the file parsed.
    pub deck: Option<DeckCounts>,
}

#[derive(Debug)]
pub struct DeckCounts {
    pub id: String,
    /// Cards students study.
    pub studied: usize,
    /// Cards kept only for their history.
    pub retired: usize,
}

impl DeckCounts {
    fn of(deck: &Deck) -> DeckCounts {
        let retired = deck
            .cards
            .iter()
            .filter(|c| c.common().retired.is_some())
            .count();
        DeckCounts {
            id: deck.id.clone(),
            studied: deck.cards.len() - retired,
            retired,
        }
    }
}

impl Report {
    /// Problems of `severity` found, those a summary stands for included.
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .map(Diagnostic::count)
            .sum()
    }

    /// 0 clean, 1 warnings under `--strict`, 2 errors: what CI pipelines branch on.
    pub fn exit_code(&self, strictness: Strictness) -> u8 {
        if self.count(Severity::Error) > 0 {
            2
        } else if strictness == Strictness::Strict && self.count(Severity::Warning) > 0 {
            1
        } else {
            0
        }
    }
}

/// Checks deck files, and every `.ron` file under folders, in path order.
pub fn check_paths(paths: &[std::path::PathBuf], strictness: Strictness) -> Report {
    let mut report = Report::default();
    let mut decks_seen: HashMap<String, (String, String)> = HashMap::new();
    // Every deck that parsed, with its file and text, for the checks across decks.
    let mut parsed_decks: Vec<(String, String, Deck)> = Vec::new();
    for path in paths {
        let mut files = Vec::new();
        for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
            match entry {
                Ok(entry) if entry.file_type().is_file() => {
                    if entry.depth() == 0 || entry.path().extension().is_some_and(|e| e == "ron") {
                        files.push(entry.into_path());
                    }
                }
                // A FIFO or a device (`knead check /dev/zero`) is named, never skipped.
                Ok(entry)
                    if (entry.depth() == 0
                        || entry.path().extension().is_some_and(|e| e == "ron"))
                        && !entry.file_type().is_dir()
                        && !entry.file_type().is_symlink() =>
                {
                    let kind = crate::files::kind_of(&entry.file_type()).unwrap_or("not a file");
                    report.diagnostics.push(
                        Diagnostic::error(
                            "K008",
                            entry.path().display().to_string(),
                            format!("cannot read: it is {kind}, not a deck file"),
                        )
                        .with_help("name deck files (`.ron`) or folders holding them"),
                    );
                }
                Ok(_) => {}
                Err(error) => report.diagnostics.push(
                    Diagnostic::error(
                        "K008",
                        error.path().unwrap_or(path).display().to_string(),
                        format!(
                            "cannot read: {}",
                            error
                                .io_error()
                                .map_or_else(|| error.to_string(), ToString::to_string)
                        ),
                    )
                    .with_help("check the path exists and is readable"),
                ),
            }
        }
        if files.is_empty() && path.is_dir() {
            report.diagnostics.push(
                Diagnostic::error(
                    "K008",
                    path.display().to_string(),
                    "no `.ron` deck files in this folder",
                )
                .with_help(
                    "deck files end in `.ron`: `knead new my-deck` writes one to start from",
                ),
            );
        }
        for file in files {
            if let Some(parsed) = check_file(&file, strictness, &mut report, &mut decks_seen) {
                parsed_decks.push(parsed);
            }
        }
    }
    let sources: Vec<curriculum::DeckSource> = parsed_decks
        .iter()
        .map(|(path, source, deck)| curriculum::DeckSource {
            path,
            source: source.strip_prefix('\u{feff}').unwrap_or(source),
            deck,
        })
        .collect();
    report.diagnostics.extend(curriculum::check(&sources));
    // One summary per file and code, however many stages found more than the cap.
    report.diagnostics = crate::deck::diagnostic::cap(std::mem::take(&mut report.diagnostics));
    report
}

fn check_file(
    file: &std::path::Path,
    strictness: Strictness,
    report: &mut Report,
    decks_seen: &mut HashMap<String, (String, String)>,
) -> Option<(String, String, Deck)> {
    let name = file.display().to_string();
    let bytes = match crate::files::read_regular(file) {
        Ok(bytes) => bytes,
        Err(error) => {
            report.diagnostics.push(
                Diagnostic::error("K008", &name, format!("cannot read: {error}"))
                    .with_help("check the path exists and is readable"),
            );
            report.files.push(CheckedFile {
                path: name,
                deck: None,
            });
            return None;
        }
    };
    if bytes.len() > limits::MAX_DECK_BYTES {
        report
            .diagnostics
            .push(crate::deck::too_large(&name, bytes.len()));
        report.files.push(CheckedFile {
            path: name,
            deck: None,
        });
        return None;
    }
    let source = match String::from_utf8(bytes) {
        Ok(source) => source,
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let at = text[..]
                .char_indices()
                .nth(
                    String::from_utf8_lossy(&error.as_bytes()[..valid])
                        .chars()
                        .count(),
                )
                .map_or(text.len(), |(i, _)| i);
            report.diagnostics.push(
                Diagnostic::error("K007", &name, "the file is not UTF-8 text")
                    .with_mark(Mark::at_bytes(&text, at..at + 1, "this byte is not UTF-8"))
                    .with_help("save the file as UTF-8 (word processors and older Windows editors may use another encoding)"),
            );
            report.files.push(CheckedFile {
                path: name,
                deck: None,
            });
            return None;
        }
    };
    let checked = crate::deck::check_source(&source, &name, strictness);
    report.diagnostics.extend(checked.diagnostics);
    let mut parsed = None;
    let deck = checked.deck.map(|deck| {
        if let Some((first_path, first_source)) = decks_seen.get(&deck.id) {
            let id_mark = |source: &str, label: &str| {
                let body = source.strip_prefix('\u{feff}').unwrap_or(source);
                let span = outline::outline(body)
                    .field("id")
                    .map_or(0..0, |f| f.value_span.clone());
                Mark::at_bytes(body, span, label)
            };
            report.diagnostics.push(
                Diagnostic::error(
                    "K019",
                    &name,
                    format!("deck id `{}` is also the id of {first_path}", deck.id),
                )
                .with_mark(id_mark(&source, "second deck with this id"))
                .with_mark(id_mark(first_source, "first used here").in_file(first_path))
                .with_help("progress is kept per deck id: give each deck its own id"),
            );
            DeckCounts::of(&deck)
        } else {
            decks_seen.insert(deck.id.clone(), (name.clone(), source.clone()));
            let summary = DeckCounts::of(&deck);
            // A second deck with a taken id stays out of the curriculum checks: references to
            // that id would be ambiguous, and K019 already names the clash.
            parsed = Some((name.clone(), source.clone(), deck));
            summary
        }
    });
    report.files.push(CheckedFile { path: name, deck });
    parsed
}
