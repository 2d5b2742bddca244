//! From a deck's text to a [`Deck`], or to every problem found, each located: parsing with
//! ron, turning its errors into diagnostics a person can act on, then the rules of [`checks`].

use ron::extensions::Extensions;

use crate::deck::checks::{self, Strictness};
use crate::deck::diagnostic::{Diagnostic, Lines, Mark, Severity};
use crate::deck::outline;
use crate::deck::schema::{Card, Deck};
use crate::limits::{MAX_CARDS, MAX_DECK_BYTES};

/// A deck that failed to load: every problem found, each located in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeckErrors {
    pub diagnostics: Vec<Diagnostic>,
}

fn ron_options() -> ron::Options {
    // Authors never write `Some(..)`, and write `Basic(id: ..)` rather than `Basic((id: ..))`.
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES)
}

/// A deck's text after checking: the deck if it parsed, and every problem found.
#[derive(Clone, Debug)]
pub struct Checked {
    pub deck: Option<Deck>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Parses a deck and checks every rule, reporting warnings too (`knead check`). `path` is how
/// the file is named in messages.
pub fn check_source(source: &str, path: &str, strictness: Strictness) -> Checked {
    if source.len() > MAX_DECK_BYTES {
        return Checked {
            deck: None,
            diagnostics: vec![too_large(path, source.len())],
        };
    }
    // A text long enough to hold more cards than a deck may is counted before it is parsed,
    // so that it is refused without building its cards (the shortest card takes 30 bytes).
    let body_for_count = source.strip_prefix('\u{feff}').unwrap_or(source);
    if body_for_count.len() > 30 * MAX_CARDS
        && let (count, Some(beyond)) = outline::count_cards(body_for_count, MAX_CARDS)
    {
        return Checked {
            deck: None,
            diagnostics: vec![
                Diagnostic::error(
                    "K053",
                    path,
                    format!(
                        "the deck has {} cards, more than the {} a deck may hold",
                        crate::deck::diagnostic::thousands(count),
                        crate::deck::diagnostic::thousands(MAX_CARDS)
                    ),
                )
                .with_mark(Mark::at_bytes(
                    body_for_count,
                    beyond..beyond,
                    format!("card {} starts here", crate::deck::diagnostic::thousands(MAX_CARDS + 1)),
                ))
                .with_help("split it into several decks, one file each: `knead check` and `knead study --deck` take several"),
            ],
        };
    }
    // A byte-order mark from a Windows editor is invisible to the author: accept it.
    let body = source.strip_prefix('\u{feff}').unwrap_or(source);
    match ron_options().from_str::<Deck>(body) {
        Ok(deck) => {
            let diagnostics = checks::check(&deck, body, path, strictness);
            Checked {
                deck: Some(deck),
                diagnostics,
            }
        }
        Err(error) => recover(body, path, strictness, &error),
    }
}

/// A deck ron refused as a whole (`error` is its first problem), parsed again part by part so
/// that one mistake does not hide the others: the deck's own fields with its cards left out,
/// then each card on its own (see [`outline::split_cards`]). Every syntax error is reported,
/// then the rules of [`checks`] on the cards that parsed. The deck does not load.
fn recover(
    body: &str,
    path: &str,
    strictness: Strictness,
    error: &ron::error::SpannedError,
) -> Checked {
    let lines = Lines::new(body);
    let whole = || Piece {
        text: body,
        base: 0,
        cut: None,
        is_card: false,
    };
    let Some(split) = outline::split_cards(body) else {
        return Checked {
            deck: None,
            diagnostics: vec![syntax_diagnostic(body, &lines, path, &whole(), error)],
        };
    };
    // At most 50 of each code are kept (see `Capped`): a deck with the same mistake in every
    // card does not hold a diagnostic per card.
    let mut syntax = crate::deck::diagnostic::Capped::new();
    let mut syntax_errors = 0usize;
    // The deck's own fields, with an empty list of cards in place of the cards. A list that
    // another bracket closes gets its `]`, reported here; a list that runs to the end of the
    // text (a string left open swallowed its `]`) is closed too, and the mistake inside it is
    // reported with its card, or by the whole below.
    let (before, after) = (&body[..split.list.start], &body[split.list.end..]);
    let closing = match after.as_bytes().first() {
        Some(b']') => "",
        Some(_) => {
            let last = outline::last_token_end(body, split.list.start, split.list.end)
                .unwrap_or(split.list.start);
            syntax_errors += 1;
            syntax.push(
                Diagnostic::error("K001", path, "the list of cards is not closed")
                    .with_mark(lines.mark(last..last, "a `]` is missing here"))
                    .with_help(
                        "close `cards: [` with `]` after the last card, before the deck's `)`",
                    ),
            );
            "]"
        }
        None => "])",
    };
    let header_text = format!("{before}{closing}{after}");
    let header_piece = Piece {
        text: &header_text,
        base: 0,
        cut: Some(Cut {
            at: split.list.start,
            removed: split.list.len(),
            inserted: closing.len(),
        }),
        is_card: false,
    };
    let header = match ron_options().from_str::<Deck>(&header_text) {
        Ok(header) => Some(header),
        Err(error) => {
            syntax_errors += 1;
            syntax.push(syntax_diagnostic(body, &lines, path, &header_piece, &error));
            None
        }
    };
    for &at in &split.missing_commas {
        syntax_errors += 1;
        syntax.push(
            Diagnostic::error("K001", path, "expected a comma between two cards")
                .with_mark(lines.mark(at..at, "a comma is missing here"))
                .with_help(
                    "separate the cards in `cards: [..]` with commas: `Basic(..), Choice(..)`",
                ),
        );
    }
    let mut cards = Vec::new();
    let mut card_spans = Vec::new();
    for span in &split.cards {
        let piece = Piece {
            text: &body[span.clone()],
            base: span.start,
            cut: None,
            is_card: true,
        };
        match ron_options().from_str::<Card>(piece.text) {
            Ok(card) => {
                // A card that parsed on its own always has an outline; the fallback only
                // keeps its marks at its start.
                card_spans.push(
                    outline::card(body, span.clone()).unwrap_or(outline::CardSpan {
                        span: span.clone(),
                        fields: Vec::new(),
                    }),
                );
                cards.push(card);
            }
            Err(error) => {
                syntax_errors += 1;
                syntax.push(syntax_diagnostic(body, &lines, path, &piece, &error));
            }
        }
    }
    if syntax_errors == 0 {
        // The parts parse but the whole does not: report what ron found in the whole.
        syntax.push(syntax_diagnostic(body, &lines, path, &whole(), error));
    }
    let header_ok = header.is_some();
    let every_card = cards.len() == split.cards.len();
    let mut deck = header.unwrap_or_default();
    deck.cards = cards;
    let deck_fields = outline::outline(&header_text)
        .fields
        .into_iter()
        .map(|field| outline::FieldSpan {
            name: field.name,
            name_span: header_piece.to_file_range(field.name_span),
            value_span: header_piece.to_file_range(field.value_span),
        })
        .collect();
    let found = outline::DeckOutline {
        fields: deck_fields,
        cards: card_spans,
    };
    let recovered = checks::Recovered {
        outline: found,
        header: header_ok,
        every_card,
    };
    let mut diagnostics = syntax.finish();
    diagnostics.extend(checks::check_recovered(
        &deck, body, path, strictness, recovered,
    ));
    // In the order of the file, as an author fixes them; summaries (no marks) stay last.
    diagnostics.sort_by_key(|d| {
        d.marks
            .first()
            .map_or((1, 0, 0), |mark| (0, mark.line, mark.col))
    });
    Checked {
        deck: None,
        diagnostics,
    }
}

/// A part of a deck's text that ron parses on its own, and how its offsets map to the file's:
/// `text` starts at `base` in the file, and `cut` says where it leaves out part of the file
/// (the deck's fields without its cards).
struct Piece<'a> {
    text: &'a str,
    base: usize,
    cut: Option<Cut>,
    /// Whether the text is one card: its end is the card's, not the file's.
    is_card: bool,
}

/// Where a piece leaves out `removed` bytes of the file, at `at` in its text, and puts
/// `inserted` bytes of its own there (the `]` a list of cards was not closed with).
#[derive(Clone, Copy)]
struct Cut {
    at: usize,
    removed: usize,
    inserted: usize,
}

impl Piece<'_> {
    fn to_file(&self, at: usize) -> usize {
        match self.cut {
            Some(cut) if at >= cut.at + cut.inserted => self.base + at - cut.inserted + cut.removed,
            // What the piece added stands where the left-out part ends.
            Some(cut) if at >= cut.at => self.base + cut.at + cut.removed,
            _ => self.base + at,
        }
    }

    fn to_file_range(&self, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
        self.to_file(range.start)..self.to_file(range.end).max(self.to_file(range.start))
    }

    /// The byte offset in `text` of a 1-based line and character column, as ron reports them
    /// (clipped to the line, and to the text).
    fn offset_of(&self, position: ron::error::Position) -> usize {
        let line_start = if position.line <= 1 {
            0
        } else {
            memchr::memchr_iter(b'\n', self.text.as_bytes())
                .nth(position.line - 2)
                .map_or(self.text.len(), |i| i + 1)
        };
        let rest = &self.text[line_start..];
        let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
        line_start
            + line
                .char_indices()
                .nth(position.col.saturating_sub(1))
                .map_or(line.len(), |(i, _)| i)
    }
}

/// K050: a deck file larger than [`MAX_DECK_BYTES`], refused before it is parsed.
pub fn too_large(path: &str, bytes: usize) -> Diagnostic {
    Diagnostic::error(
        "K050",
        path,
        format!(
            "the file is {} bytes, more than the {} a deck file may hold",
            crate::deck::diagnostic::thousands(bytes),
            crate::limits::size_text(MAX_DECK_BYTES)
        ),
    )
    .with_help("split it into several decks, one file each (the four bundled decks hold 430 cards in about 400 KB)")
}

/// Parses and checks a deck for study: errors refuse it, warnings are left to `knead check`.
pub fn parse(source: &str, path: &str) -> Result<Deck, DeckErrors> {
    let checked = check_source(source, path, Strictness::Normal);
    match checked.deck {
        Some(deck) if !checked.has_errors() => Ok(deck),
        _ => Err(DeckErrors {
            diagnostics: checked
                .diagnostics
                .into_iter()
                .filter(|d| d.severity == Severity::Error)
                .collect(),
        }),
    }
}

/// Serialises a deck in the format authors write (used by `knead add` tests and the generator).
pub fn to_ron(deck: &Deck) -> String {
    let config = ron::ser::PrettyConfig::new()
        .struct_names(true)
        .extensions(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES);
    let text = ron::Options::default()
        .to_string_pretty(deck, config)
        .expect("a deck always serialises");
    // The header `#![enable(..)]` is redundant: knead always enables these extensions.
    text.lines()
        .filter(|line| !line.starts_with("#![enable"))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn syntax_diagnostic(
    source: &str,
    lines: &Lines,
    path: &str,
    piece: &Piece,
    error: &ron::error::SpannedError,
) -> Diagnostic {
    use ron::error::Error as E;
    let in_piece = piece.offset_of(error.span.start);
    let in_piece_end = if error.span.end.line == error.span.start.line {
        piece.offset_of(error.span.end).max(in_piece)
    } else {
        in_piece
    };
    // (Text a piece adds to close an unclosed list maps past the end of the file.)
    let mut start = piece.to_file(in_piece).min(source.len());
    let mut end = piece.to_file(in_piece_end).clamp(start, source.len());
    let next_char = |at: usize| {
        source[at..]
            .chars()
            .next()
            .filter(|c| *c != '\n' && *c != '\r')
    };
    if end == start {
        end = start + next_char(start).map_or(0, char::len_utf8);
    }
    // ron reports some errors at the whitespace before the offending value: step onto it.
    let skipped = source[start..]
        .bytes()
        .take_while(|b| *b == b' ' || *b == b'\t')
        .count();
    if skipped > 0 && next_char(start + skipped).is_some() {
        start += skipped;
        end = start + next_char(start).map_or(0, char::len_utf8);
    }
    let offending = next_char(start);
    // Where the piece ron read lies in the file, to look back over for an unclosed string.
    let region = match piece.cut {
        Some(_) => 0..source.len(),
        None => piece.base..piece.base + piece.text.len(),
    };
    if let Some(diagnostic) = unclosed_string(source, lines, path, region.clone(), start) {
        return diagnostic;
    }
    // A missing comma belongs right after the item before it, not at the next one.
    if matches!(error.code, E::ExpectedComma)
        && let Some(after) = outline::last_token_end(source, region.start, start)
    {
        return Diagnostic::error("K001", path, "expected a comma")
            .with_mark(lines.mark(after..after, "a comma is missing here"))
            .with_help(
                "separate fields and list items with commas: `front: \"..\", back: \"..\"`",
            );
    }
    // Text after the deck's closing parenthesis is marked where it starts.
    if matches!(error.code, E::TrailingCharacters)
        && let Some(text) = outline::next_token(source, start)
    {
        return Diagnostic::error("K001", path, "text after the end of the deck")
            .with_mark(lines.mark(text, "the deck ended before this"))
            .with_help("a deck file holds one `Deck(..)`: move this text inside it (a card goes in `cards: [..]`), or delete it");
    }
    // A card's text ending early: its closing parenthesis is missing.
    if piece.is_card && matches!(error.code, E::Eof) {
        // Before the comma that separates it from the next card, where the `)` goes.
        let text = piece.text.trim_end();
        let end = piece.base + text.strip_suffix(',').unwrap_or(text).trim_end().len();
        return Diagnostic::error("K001", path, "this card is not closed")
            .with_mark(lines.mark(end..end, "a `)` is missing here"))
            .with_help("end each card with `)` before the comma that separates it from the next; a string left open also runs on");
    }
    let mut mark = lines.mark(start..end, "");
    // The field whose value is wrong, when the value follows `name:` on the same line.
    let field = mark.line_text[..mark.span.start]
        .trim_end()
        .strip_suffix(':')
        .and_then(|before| {
            before
                .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
        })
        .filter(|name| !name.is_empty())
        .map(str::to_owned);
    let (code, message, label, help): (&str, String, String, String) = match &error.code {
        _ if matches!(offending, Some('“' | '”' | '‘' | '’')) => (
            "K005",
            format!(
                "curly quote `{}` where a straight quote \" is needed",
                offending.unwrap_or('“')
            ),
            "typographic quote".into(),
            "replace curly quotes with straight double quotes \"; word processors substitute them automatically".into(),
        ),
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => (
            "K002",
            format!(
                "unknown field `{found}`{}",
                outer.as_ref().map(|o| format!(" in {o}")).unwrap_or_default()
            ),
            "not a field here".into(),
            suggestion(found, expected, "the fields allowed here are"),
        ),
        E::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => {
            let what = match outer.as_deref() {
                Some("Card") => "card kind",
                Some("Verdict") => "verdict",
                _ => "variant",
            };
            (
                "K003",
                format!("unknown {what} `{found}`"),
                format!("not a {what}"),
                suggestion(found, expected, &format!("the {what}s are")),
            )
        }
        E::MissingStructField { field, outer } => (
            "K004",
            format!(
                "missing field `{field}`{}",
                outer.as_ref().map(|o| format!(" in {o}")).unwrap_or_default()
            ),
            format!("`{field}` is required before this closing parenthesis"),
            format!("add `{field}: ...,` to this {}", outer.as_deref().unwrap_or("item")),
        ),
        E::DuplicateStructField { field, .. } => (
            "K006",
            format!("field `{field}` is written twice"),
            "second occurrence".into(),
            format!("keep one `{field}` and delete the other"),
        ),
        E::ExpectedComma => (
            "K001",
            "expected a comma".into(),
            "a comma is missing before this".into(),
            "separate fields and list items with commas: `front: \"..\", back: \"..\"`".into(),
        ),
        E::ExpectedStringEnd | E::ExpectedString if offending == Some('\'') => (
            "K005",
            "strings are written in double quotes, not single quotes".into(),
            "single quote".into(),
            "replace the single quotes ' around the text with straight double quotes \"".into(),
        ),
        E::ExpectedStringEnd | E::ExpectedString => (
            "K005",
            format!("expected text in double quotes{}, found {}", for_field(&field), found(offending)),
            "a string in straight double quotes was expected".into(),
            "strings start and end with a straight double quote \" (not “ ” pasted from a word processor); write \\\" for a quote inside".into(),
        ),
        E::ExpectedInteger | E::IntegerOutOfBounds | E::InvalidIntegerDigit { .. } => (
            "K005",
            format!("expected a whole number{}, found {}", for_field(&field), found(offending)),
            "a whole number was expected".into(),
            format!("write the number without quotes or decimals: `{}: 1`", field.as_deref().unwrap_or("answer")),
        ),
        E::ExpectedBoolean => (
            "K005",
            format!("expected `true` or `false`{}, found {}", for_field(&field), found(offending)),
            "`true` or `false` was expected".into(),
            format!("write `{0}: true` or `{0}: false`, without quotes", field.as_deref().unwrap_or("answer")),
        ),
        E::ExpectedNamedStructLike(_) | E::ExpectedStructLike if offending == Some('{') => (
            "K001",
            "this looks like JSON; decks are written in RON".into(),
            "`{` starts a JSON object".into(),
            "write `Deck(id: \"..\", title: \"..\", cards: [..])`: parentheses around a deck or card and field names without quotes; `knead new ID` writes a complete example".into(),
        ),
        E::ExpectedArray | E::ExpectedArrayEnd => (
            "K005",
            format!("expected a list{}, found {}", for_field(&field), found(offending)),
            "a list was expected".into(),
            "lists are written in square brackets with commas: `tags: [\"lupus\", \"red-flag\"]`"
                .into(),
        ),
        E::Eof => (
            "K001",
            "the file ends too early".into(),
            "unexpected end of file".into(),
            "a closing `)` or `]` is missing, or a string is not closed".into(),
        ),
        other => (
            "K001",
            lowercase_first(&other.to_string()),
            "here".into(),
            "compare with the format reference in docs/deck-format.md (or `knead new`)".into(),
        ),
    };
    mark.label = label;
    Diagnostic::error(code, path, message)
        .with_mark(mark)
        .with_help(help)
}

/// A string that runs over a line end right before a syntax error was almost certainly meant
/// to end on its first line: its closing quote is missing, and ron only notices later.
/// `region` is the part of `source` ron read, `error_offset` where it stumbled.
fn unclosed_string(
    source: &str,
    lines: &Lines,
    path: &str,
    region: std::ops::Range<usize>,
    error_offset: usize,
) -> Option<Diagnostic> {
    let string = outline::strings_in(source, region)
        .take_while(|span| span.end <= error_offset)
        .last()?;
    // The runaway string swallowed the next line's `name: "`, and ron stumbles right after.
    let last_line = source[string.clone()]
        .rsplit('\n')
        .next()
        .unwrap_or_default();
    let swallowed_field = last_line
        .trim()
        .strip_suffix('"')
        .and_then(|rest| rest.trim_end().strip_suffix(':'))
        .is_some_and(|name| {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        });
    if !source[string.clone()].contains('\n')
        || !swallowed_field
        || !source[string.end..error_offset].trim().is_empty()
    {
        return None;
    }
    let mark = lines.mark(
        string.start..string.start + 1,
        "this string is not closed on its line",
    );
    Some(
        Diagnostic::error("K005", path, "a string is not closed")
            .with_mark(mark)
            .with_help("add the closing \" at the end of the text; a string may not run on to the next line by accident"),
    )
}

fn for_field(field: &Option<String>) -> String {
    field
        .as_ref()
        .map(|f| format!(" for `{f}`"))
        .unwrap_or_default()
}

/// How the offending value looks, in an instructor's words.
fn found(offending: Option<char>) -> &'static str {
    match offending {
        Some('"') => "text in quotes",
        Some('[') => "a list",
        Some('(') => "a parenthesised value",
        Some(c) if c.is_ascii_digit() || c == '-' => "a number",
        Some(c) if c.is_alphabetic() => "a bare word",
        Some(_) => "something else",
        None => "the end of the line",
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The candidate closest to a misspelt name, if any is close enough to be what was meant.
pub fn nearest<'a>(found: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (strsim::jaro_winkler(found, candidate), *candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// "did you mean `x`?" when a name is close to a valid one; otherwise the valid names.
pub(crate) fn suggestion(found: &str, expected: &[&str], list_intro: &str) -> String {
    let nearest = nearest(found, expected);
    let list = expected
        .iter()
        .map(|e| format!("`{e}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match nearest {
        Some(name) => format!("did you mean `{name}`? ({list_intro} {list})"),
        None => format!("{list_intro} {list}"),
    }
}

/// Lowercase ASCII letters, digits and single inner '-'.
pub fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::{Card, Verdict};

    const SPEC_EXAMPLE: &str = r#"Deck(
    id: "lupus-basics",          // lowercase letters, digits and '-'
    title: "Lupus for massage therapists",
    version: 1,
    description: "What a therapist must know before working with a client who has lupus.",
    authors: ["A. Instructor"],
    cards: [
        Basic(
            id: "sle-definition",
            front: "What is systemic lupus erythematosus (SLE)?",
            back: "A chronic autoimmune disease in which the immune system attacks the body's own tissues.",
            why: "Knowing it is systemic explains why a flare can bring fever and fatigue, not only sore joints.",
            source: "Lupus Foundation of America, Determining when lupus is active",
            tags: ["lupus"],
        ),
        Choice(
            id: "sle-flare-sign",
            prompt: "Which of these is a sign that a client's lupus is active?",
            options: ["Fever not due to infection", "Improved sleep", "Lower fatigue than usual"],
            answer: 0,           // 0-based index into options
            why: "...", source: "...", tags: ["lupus", "red-flag"],
        ),
        TrueFalse(id: "fm-not-autoimmune", statement: "Fibromyalgia is an autoimmune disease.", answer: false, why: "...", source: "..."),
        Cloze(id: "steroid-effects", text: "Long-term corticosteroids thin the {{skin}} and cause {{bone loss}}.", why: "...", source: "..."),
        Scenario(
            id: "ms-hot-stone",
            client: "A client with multiple sclerosis who reports heat sensitivity",
            technique: "Hot stone massage",
            verdict: Avoid,      // Suitable | Adapt | Avoid | Refer
            why: "...", source: "...", tags: ["ms", "hot-stone"],
            critical: true,
        ),
    ],
)
"#;

    fn errors(source: &str) -> Vec<Diagnostic> {
        parse(source, "t.ron").unwrap_err().diagnostics
    }

    #[test]
    fn the_example_from_the_format_spec_loads() {
        let deck = parse(SPEC_EXAMPLE, "spec.ron").unwrap();
        assert_eq!(deck.id, "lupus-basics");
        assert_eq!(deck.cards.len(), 5);
        assert_eq!(deck.cards[3].item_count(), 2);
        let Card::Scenario(scenario) = &deck.cards[4] else {
            panic!()
        };
        assert_eq!(scenario.verdict, Verdict::Avoid);
        assert!(scenario.critical);
        assert_eq!(deck.cards[2].common().why, Some("..."));
        assert_eq!(deck.cards[0].common().tags, ["lupus"]);
    }

    #[test]
    fn round_trips_through_the_writer() {
        let deck = parse(SPEC_EXAMPLE, "spec.ron").unwrap();
        assert_eq!(parse(&to_ron(&deck), "again.ron").unwrap(), deck);
    }

    #[test]
    fn a_misspelt_field_is_located_and_the_right_one_suggested() {
        let source = SPEC_EXAMPLE.replace("front:", "frnt:");
        let found = errors(&source);
        let d = &found[0];
        assert_eq!(d.code, "K002");
        assert_eq!(d.location(), "t.ron:10:13");
        assert!(
            d.help
                .as_ref()
                .unwrap()
                .starts_with("did you mean `front`?"),
            "{d}"
        );
    }

    #[test]
    fn an_unknown_kind_names_the_valid_ones() {
        let source = SPEC_EXAMPLE.replace("TrueFalse(", "TrueOrFalse(");
        let d = &errors(&source)[0];
        assert_eq!(d.code, "K003");
        assert!(d.message.contains("card kind `TrueOrFalse`"), "{d}");
        assert!(
            d.help
                .as_ref()
                .unwrap()
                .contains("did you mean `TrueFalse`"),
            "{d}"
        );
    }

    #[test]
    fn smart_quotes_get_a_specific_hint() {
        let source = SPEC_EXAMPLE.replace("\"Lupus for massage therapists\"", "“Lupus”");
        let d = &errors(&source)[0];
        assert!(
            d.help.as_ref().unwrap().contains("straight double quote"),
            "{d}"
        );
        assert_eq!(d.location(), "t.ron:3:12", "{d}");
    }

    #[test]
    fn a_mistake_in_each_of_five_cards_is_reported_in_one_run() {
        let source = SPEC_EXAMPLE
            .replace("front:", "frnt:")
            .replace("Choice(", "Choise(")
            .replace(
                "\"Fibromyalgia is an autoimmune disease.\"",
                "“Fibromyalgia is an autoimmune disease.”",
            )
            .replace(
                "why: \"...\", source: \"...\")",
                "why: \"...\" source: \"...\")",
            )
            .replace("verdict: Avoid,", "verdict: Avoided,");
        let found = errors(&source);
        let located: Vec<_> = found.iter().map(|d| (d.code, d.location())).collect();
        assert_eq!(
            located,
            [
                ("K002", "t.ron:10:13".to_owned()),
                ("K003", "t.ron:16:9".to_owned()),
                ("K005", "t.ron:23:55".to_owned()),
                ("K001", "t.ron:24:126".to_owned()),
                ("K003", "t.ron:29:22".to_owned()),
            ],
            "{found:#?}"
        );
    }

    #[test]
    fn a_bad_deck_field_does_not_hide_the_cards_and_the_cards_are_still_checked() {
        let source = SPEC_EXAMPLE
            .replace("title:", "tittle:")
            .replace("answer: 0,", "answer: 3,")
            .replace("TrueFalse(", "TrueOrFalse(");
        let found = errors(&source);
        let codes: Vec<_> = found.iter().map(|d| d.code).collect();
        // The unknown deck field, the answer out of range (a rule checked after parsing) in
        // a card that parsed, and the unknown kind.
        assert_eq!(codes, ["K002", "K013", "K003"], "{found:#?}");
        assert_eq!(found[0].location(), "t.ron:3:5");
        // A card that did not parse is not counted as missing by the others' `replaces`.
        let source = SPEC_EXAMPLE
            .replace(
                "tags: [\"ms\", \"hot-stone\"],",
                "tags: [\"ms\"], replaces: [\"fm-not-autoimmune\"],",
            )
            .replace("TrueFalse(", "TrueOrFalse(");
        let codes: Vec<_> = errors(&source).iter().map(|d| d.code).collect();
        assert_eq!(codes, ["K003"]);
        // When every card parsed, it is.
        let source = source
            .replace("TrueOrFalse(", "TrueFalse(")
            .replace("title:", "tittle:")
            .replace("\"fm-not-autoimmune\"],", "\"no-such-card\"],");
        let codes: Vec<_> = errors(&source).iter().map(|d| d.code).collect();
        assert_eq!(codes, ["K002", "K030"]);
    }

    #[test]
    fn the_same_syntax_mistake_in_every_card_is_shown_fifty_times_then_counted() {
        let cards: String = (0..200)
            .map(|i| format!("Basic(id:\"c{i}\",frnt:\"q\",back:\"a\",why:\"w\",source:\"s\"),\n"))
            .collect();
        let found = errors(&format!("Deck(id:\"d\",title:\"D\",cards:[\n{cards}])"));
        assert_eq!(found.len(), crate::deck::diagnostic::MAX_PER_CODE + 1);
        assert_eq!(found[49].location(), "t.ron:51:16");
        assert_eq!(found[50].message, "… and 150 more K002 errors in t.ron");
    }

    #[test]
    fn text_after_the_deck_is_marked_where_it_starts() {
        let source = format!("{SPEC_EXAMPLE}\n  // a comment\n  extra");
        let found = errors(&source);
        assert_eq!(found.len(), 1, "{found:#?}");
        let lines = SPEC_EXAMPLE.lines().count();
        assert_eq!(found[0].location(), format!("t.ron:{}:3", lines + 3));
        assert_eq!(found[0].message, "text after the end of the deck");
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        assert!(parse(&format!("\u{feff}{SPEC_EXAMPLE}"), "bom.ron").is_ok());
    }

    #[test]
    fn semantic_errors_are_all_reported_with_positions() {
        let source = SPEC_EXAMPLE
            .replace("answer: 0,", "answer: 3,")
            .replace("\"steroid-effects\"", "\"sle-definition\"")
            .replace("{{skin}} and cause {{bone loss}}", "skin and bone");
        let found = errors(&source);
        let codes: Vec<_> = found.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["K013", "K011", "K014"], "{found:#?}");
        assert_eq!(found[0].location(), "t.ron:20:21");
        assert!(found[0].marks[0].label.contains("0 to 2"));
        // The duplicate points at both cards.
        assert_eq!(found[1].marks[0].line, 24);
        assert_eq!(found[1].marks[1].line, 9);
    }

    #[test]
    fn a_card_over_the_size_limit_is_refused_and_not_checked_further() {
        let huge = "x".repeat(crate::limits::MAX_CARD_BYTES);
        let source = SPEC_EXAMPLE.replace(
            "id: \"sle-definition\",",
            &format!("id: \"Not A Slug\", why: \"{huge}\","),
        );
        // The card's own `why` goes, so that the long one is its only one.
        let found = errors(&source.replace(
            "why: \"Knowing it is systemic explains why a flare can bring fever and fatigue, not only sore joints.\",",
            "",
        ));
        let codes: Vec<_> = found.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["K051"], "{found:#?}");
        assert!(
            found[0]
                .message
                .contains("more than the 16 KB a card may hold"),
            "{}",
            found[0]
        );
        assert_eq!(found[0].location(), "t.ron:9:17");
    }

    #[test]
    fn a_cloze_may_have_fifty_deletions() {
        let cloze = |n: usize| {
            let text: String = (0..n).map(|i| format!("a {{{{d{i}}}}} ")).collect();
            SPEC_EXAMPLE.replace(
                "Long-term corticosteroids thin the {{skin}} and cause {{bone loss}}.",
                &text,
            )
        };
        assert!(parse(&cloze(crate::limits::MAX_CLOZE_DELETIONS), "t.ron").is_ok());
        let found = errors(&cloze(crate::limits::MAX_CLOZE_DELETIONS + 1));
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].code, "K052");
        assert!(found[0].message.contains("51 deletions, more than the 50"));
    }

    #[test]
    fn a_deck_file_over_the_size_limit_is_refused_before_parsing() {
        let source = format!("{SPEC_EXAMPLE}{}", " ".repeat(MAX_DECK_BYTES));
        let found = errors(&source);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, "K050");
        assert!(
            found[0].message.contains("more than the 10 MB"),
            "{}",
            found[0]
        );
    }

    #[test]
    fn a_deck_holds_at_most_fifty_thousand_cards() {
        let cards: String = (0..=crate::limits::MAX_CARDS)
            .map(|i| format!("Basic(id:\"c{i}\",front:\"q\",back:\"a\",why:\"w\",source:\"s\"),"))
            .collect();
        let found = errors(&format!("Deck(id:\"d\",title:\"D\",cards:[{cards}])"));
        assert_eq!(found[0].code, "K053", "{:?}", found[0]);
        assert!(
            found[0]
                .message
                .contains("50,001 cards, more than the 50,000")
        );
    }

    #[test]
    fn one_mistake_repeated_on_one_line_is_shown_fifty_times_then_counted() {
        let cards: String = (0..4000)
            .map(|i| {
                format!(
                    "Basic(id:\"Bad Id {i}\",front:\"q{i}\",back:\"a{i}\",why:\"w\",source:\"s\"),"
                )
            })
            .collect();
        let found = errors(&format!("Deck(id:\"d\",title:\"D\",cards:[{cards}])"));
        assert_eq!(found.len(), crate::deck::diagnostic::MAX_PER_CODE + 1);
        assert!(found[..50].iter().all(|d| d.code == "K010"));
        assert_eq!(found[50].message, "… and 3,950 more K010 errors in t.ron");
        for d in &found[..50] {
            assert!(
                d.marks[0].line_text.chars().count()
                    <= 3 * crate::deck::diagnostic::WINDOW_CHARS + 2
            );
            assert_eq!(d.marks[0].line, 1);
        }
        // The column counts from the start of the (very long) line.
        let at = format!("Deck(id:\"d\",title:\"D\",cards:[{}", "").len();
        assert_eq!(found[0].marks[0].col, at + "Basic(id:".len() + 1);
    }

    #[test]
    fn ids_must_be_slugs() {
        let found = errors(&SPEC_EXAMPLE.replace("\"ms-hot-stone\"", "\"MS Hot Stone\""));
        assert_eq!(found[0].code, "K010");
        assert_eq!(found[0].help.as_deref(), Some("for example `ms-hot-stone`"));
        assert!(is_slug("a-1"));
        assert!(!is_slug("a--1") && !is_slug("-a") && !is_slug("a/b") && !is_slug(""));
    }
}
