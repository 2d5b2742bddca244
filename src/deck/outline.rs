//! Where each card and field of a deck stands in its source text.
//!
//! serde gives no positions for values that parsed fine but break a rule checked afterwards
//! (a duplicate id, an answer index out of range), so this light scanner finds them. It runs
//! only on text ron has already accepted, and only when a problem must be located.

use std::ops::Range;

/// A `name: value` pair at some nesting level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSpan {
    pub name: String,
    pub name_span: Range<usize>,
    pub value_span: Range<usize>,
}

/// One card: from its kind name to its closing parenthesis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardSpan {
    pub span: Range<usize>,
    pub fields: Vec<FieldSpan>,
}

impl CardSpan {
    pub fn field(&self, name: &str) -> Option<&FieldSpan> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// The deck's own fields and its cards, in source order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeckOutline {
    pub fields: Vec<FieldSpan>,
    pub cards: Vec<CardSpan>,
}

impl DeckOutline {
    pub fn field(&self, name: &str) -> Option<&FieldSpan> {
        self.fields.iter().find(|f| f.name == name)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Token {
    Open,
    Close,
    Comma,
    Colon,
    Ident,
    Other,
}

/// Splits `source` into the few tokens the outline needs, skipping comments and the insides
/// of strings, one at a time: a large deck is never held as a list of its tokens.
fn tokens(source: &str) -> Tokens<'_> {
    Tokens { source, at: 0 }
}

struct Tokens<'a> {
    source: &'a str,
    /// Where the next token may start.
    at: usize,
}

impl Iterator for Tokens<'_> {
    type Item = (Token, Range<usize>);

    fn next(&mut self) -> Option<(Token, Range<usize>)> {
        let source = self.source;
        let bytes = source.as_bytes();
        let mut i = self.at;
        let mut out = None;
        while out.is_none() && i < bytes.len() {
            let c = bytes[i];
            let start = i;
            match c {
                b' ' | b'\t' | b'\r' | b'\n' => i += 1,
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    i = source[i..].find('\n').map_or(bytes.len(), |n| i + n);
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    let mut depth = 0;
                    while i < bytes.len() {
                        if bytes[i..].starts_with(b"/*") {
                            depth += 1;
                            i += 2;
                        } else if bytes[i..].starts_with(b"*/") {
                            depth -= 1;
                            i += 2;
                            if depth == 0 {
                                break;
                            }
                        } else {
                            i += 1;
                        }
                    }
                }
                b'"' => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                    out = Some((Token::Other, start..i.min(bytes.len())));
                }
                b'r' if matches!(bytes.get(i + 1), Some(b'"' | b'#')) => {
                    let hashes = bytes[i + 1..].iter().take_while(|&&b| b == b'#').count();
                    let closing = format!("\"{}", "#".repeat(hashes));
                    let body = i + 2 + hashes;
                    i = source
                        .get(body..)
                        .and_then(|rest| rest.find(&closing))
                        .map_or(bytes.len(), |n| body + n + closing.len());
                    out = Some((Token::Other, start..i));
                }
                b'(' | b'[' | b'{' => {
                    i += 1;
                    out = Some((Token::Open, start..i));
                }
                b')' | b']' | b'}' => {
                    i += 1;
                    out = Some((Token::Close, start..i));
                }
                b',' => {
                    i += 1;
                    out = Some((Token::Comma, start..i));
                }
                b':' => {
                    i += 1;
                    out = Some((Token::Colon, start..i));
                }
                c if c.is_ascii_alphabetic() || c == b'_' => {
                    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_')
                    {
                        i += 1;
                    }
                    out = Some((Token::Ident, start..i));
                }
                _ => {
                    // Numbers, chars and anything else: one token per run of such bytes.
                    i += source[i..].chars().next().map_or(1, char::len_utf8);
                    out = Some((Token::Other, start..i));
                }
            }
        }
        self.at = i;
        out
    }
}

/// Finds the deck fields (depth 1) and the cards (depth 3: `Deck(` `cards: [` `Kind(`), in
/// one pass over the tokens: the memory it takes is the outline's own.
pub fn outline(source: &str) -> DeckOutline {
    outline_from(source, 0..source.len(), 0)
}

/// The outline of one card of a deck, written at `span` of `source` (as [`split_cards`] finds
/// it): its kind name to its last token, and its fields. `None` when `span` holds no card.
pub fn card(source: &str, span: Range<usize>) -> Option<CardSpan> {
    // Read as if inside `Deck(cards: [`, where cards stand.
    outline_from(source, span, 2).cards.into_iter().next()
}

/// [`outline`] of the part `range` of `source`, which starts at bracket depth `depth`.
fn outline_from(source: &str, range: Range<usize>, mut depth: usize) -> DeckOutline {
    let mut deck = DeckOutline::default();
    let mut current_card: Option<CardSpan> = None;
    // Fields whose value has not ended yet (a card field inside the deck's `cards`).
    let mut open: Vec<OpenValue> = Vec::new();
    let source = &source[..range.end];
    let mut tokens = Tokens {
        source,
        at: range.start,
    }
    .peekable();
    while let Some((token, span)) = tokens.next() {
        // The value of an open field ends at a comma or closing bracket of its own depth.
        open.retain_mut(|value| {
            let Some(value_span) = value.step(token, &span) else {
                return true;
            };
            let field = match value.field {
                Target::Deck(index) => deck.fields.get_mut(index),
                Target::Card(card, index) => match current_card.as_mut() {
                    Some(current) if card == deck.cards.len() => current.fields.get_mut(index),
                    _ => deck
                        .cards
                        .get_mut(card)
                        .and_then(|c| c.fields.get_mut(index)),
                },
            };
            if let Some(field) = field {
                field.value_span = value_span;
            }
            false
        });
        let next = tokens.peek().map(|t| t.0);
        match token {
            Token::Open => depth += 1,
            Token::Close => {
                depth = depth.saturating_sub(1);
                if depth == 2
                    && let Some(mut card) = current_card.take()
                {
                    card.span.end = span.end;
                    deck.cards.push(card);
                }
            }
            Token::Ident if depth == 2 && next == Some(Token::Open) => {
                current_card = Some(CardSpan {
                    span: span.start..span.end,
                    fields: Vec::new(),
                });
            }
            Token::Ident if (depth == 1 || depth == 3) && next == Some(Token::Colon) => {
                let field = FieldSpan {
                    name: source[span.clone()].to_owned(),
                    name_span: span.clone(),
                    value_span: 0..0,
                };
                let target = if depth == 1 {
                    deck.fields.push(field);
                    Target::Deck(deck.fields.len() - 1)
                } else if let Some(card) = current_card.as_mut() {
                    card.fields.push(field);
                    Target::Card(deck.cards.len(), card.fields.len() - 1)
                } else {
                    continue;
                };
                open.push(OpenValue {
                    field: target,
                    after_colon: false,
                    started: None,
                    depth: 0,
                });
            }
            _ => {}
        }
    }
    // Values running to the end of the text end there.
    for value in open {
        if let Some(value_span) = value.started {
            let field = match value.field {
                Target::Deck(index) => deck.fields.get_mut(index),
                Target::Card(card, index) => match current_card.as_mut() {
                    Some(current) if card == deck.cards.len() => current.fields.get_mut(index),
                    _ => deck
                        .cards
                        .get_mut(card)
                        .and_then(|c| c.fields.get_mut(index)),
                },
            };
            if let Some(field) = field {
                field.value_span = value_span;
            }
        }
    }
    deck
}

/// How many cards `source` holds (kind names followed by `(` at the depth of cards, as
/// [`outline`] finds them), and where the card after the first `limit` starts, if there is
/// one. Reads the text once and keeps nothing: a deck can be refused for holding too many
/// cards before any of them is built.
pub fn count_cards(source: &str, limit: usize) -> (usize, Option<usize>) {
    let mut depth = 0usize;
    let (mut count, mut beyond) = (0, None);
    let mut tokens = tokens(source).peekable();
    while let Some((token, span)) = tokens.next() {
        match token {
            Token::Open => depth += 1,
            Token::Close => depth = depth.saturating_sub(1),
            Token::Ident if depth == 2 && tokens.peek().map(|t| t.0) == Some(Token::Open) => {
                count += 1;
                if count == limit + 1 {
                    beyond = Some(span.start);
                }
            }
            _ => {}
        }
    }
    (count, beyond)
}

/// A deck's text cut at its cards, so that each card can be parsed on its own and a mistake in
/// one does not hide the others (see [`split_cards`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeckSplit {
    /// The inside of the `cards: [...]` list: from just after its `[` to its `]` (or to the end
    /// of the text, when the list is never closed).
    pub list: Range<usize>,
    /// Each item of the list, from its first token to its last, in order.
    pub cards: Vec<Range<usize>>,
    /// Where a comma is missing between two cards: just after the first of them.
    pub missing_commas: Vec<usize>,
}

/// Finds the deck's `cards: [...]` list and splits it into its items at the commas of its own
/// depth, skipping strings, raw strings and comments, in one pass over the text.
///
/// Two mistakes would otherwise join two cards into one item, and are mended here:
/// - a missing comma between two cards (`Basic(..) Basic(..)`): the second starts a new item,
///   and the place of the comma is kept in [`DeckSplit::missing_commas`];
/// - a card whose brackets do not balance (a `)` left out): a name and `(` that start a line,
///   indented as the list's first card, start a new item even inside the unclosed one (a
///   card's fields are `name: value`, never `name(`).
///
/// `None` when the text has no `cards: [` at the deck's depth to split.
pub fn split_cards(source: &str) -> Option<DeckSplit> {
    let mut tokens = tokens(source).peekable();
    let mut depth = 0usize;
    let list_start = loop {
        let (token, span) = tokens.next()?;
        match token {
            Token::Open => depth += 1,
            Token::Close => depth = depth.saturating_sub(1),
            Token::Ident if depth == 1 && &source[span.clone()] == "cards" => {
                if tokens.peek().map(|t| t.0) != Some(Token::Colon) {
                    continue;
                }
                tokens.next();
                let (token, span) = tokens.next()?;
                if token != Token::Open || &source[span.clone()] != "[" {
                    return None;
                }
                break span.end;
            }
            _ => {}
        }
    };
    let mut split = DeckSplit {
        list: list_start..source.len(),
        cards: Vec::new(),
        missing_commas: Vec::new(),
    };
    // Brackets open within the current item, the item so far, and whether it has closed
    // back to the list's depth (a complete card, which a comma should follow).
    let mut depth = 0usize;
    let mut item: Option<Range<usize>> = None;
    let mut complete = false;
    // How the list's first card is indented: a card kind starting a line so indented starts
    // a card even when the one before it did not close.
    let mut card_indent: Option<usize> = None;
    while let Some((token, span)) = tokens.next() {
        // A card kind (or a misspelling of one) and its `(`.
        let starts_card = token == Token::Ident && tokens.peek().map(|t| t.0) == Some(Token::Open);
        let indent = starts_card
            .then(|| line_indent(source, span.start))
            .flatten();
        if depth == 0 {
            match token {
                Token::Close => {
                    split.list.end = span.start;
                    break;
                }
                Token::Comma => {
                    split.cards.extend(item.take());
                    complete = false;
                    continue;
                }
                _ if complete && starts_card => {
                    if let Some(done) = item.take() {
                        split.missing_commas.push(done.end);
                        split.cards.push(done);
                    }
                }
                _ => {}
            }
            if item.is_none() {
                card_indent = card_indent.or(indent);
            }
        } else if starts_card && indent.is_some() && indent == card_indent {
            // The item before did not close: it ends where this card starts.
            split.cards.extend(item.take());
            depth = 0;
        }
        match token {
            Token::Open => depth += 1,
            Token::Close => depth = depth.saturating_sub(1),
            _ => {}
        }
        complete = depth == 0 && token == Token::Close;
        match item.as_mut() {
            Some(item) => item.end = span.end,
            None => item = Some(span),
        }
    }
    split.cards.extend(item);
    Some(split)
}

/// The indentation of the line `at` is on, in bytes, when only spaces and tabs come before `at`
/// on it.
fn line_indent(source: &str, at: usize) -> Option<usize> {
    let before = &source.as_bytes()[..at];
    let indent = before
        .iter()
        .rev()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    (indent == at || before[at - indent - 1] == b'\n').then_some(indent)
}

/// Where a field found by [`outline`] is kept: its index among the deck's fields, or its
/// card's index and its index among the card's fields.
#[derive(Clone, Copy)]
enum Target {
    Deck(usize),
    Card(usize, usize),
}

/// A field's value being read, token by token, as [`value_span`] reads it.
struct OpenValue {
    field: Target,
    /// Whether the colon after the field's name has gone by: the value starts after it.
    after_colon: bool,
    /// The value's span so far, from its first token.
    started: Option<Range<usize>>,
    /// Brackets opened within the value and not yet closed.
    depth: usize,
}

impl OpenValue {
    /// Takes the next token; returns the value's span once it has ended.
    fn step(&mut self, token: Token, span: &Range<usize>) -> Option<Range<usize>> {
        if !self.after_colon {
            self.after_colon = true;
            return None;
        }
        let Some(value) = self.started.as_mut() else {
            // The first token always belongs to the value, even a comma.
            self.started = Some(span.clone());
            return match token {
                Token::Close | Token::Comma => self.started.clone(),
                Token::Open => {
                    self.depth = 1;
                    None
                }
                _ => None,
            };
        };
        match token {
            Token::Open => self.depth += 1,
            Token::Close if self.depth == 0 => return Some(value.clone()),
            Token::Close => self.depth -= 1,
            Token::Comma if self.depth == 0 => return Some(value.clone()),
            _ => {}
        }
        value.end = span.end;
        None
    }
}

/// The spans of the string literals in `source`, in order (quotes included).
pub fn strings(source: &str) -> Vec<Range<usize>> {
    strings_in(source, 0..source.len()).collect()
}

/// The spans of the string literals in the part `range` of `source`, in order.
pub fn strings_in(source: &str, range: Range<usize>) -> impl Iterator<Item = Range<usize>> {
    let source = &source[..range.end];
    Tokens {
        source,
        at: range.start,
    }
    .filter(|(token, span)| *token == Token::Other && source[span.clone()].ends_with('"'))
    .map(|(_, span)| span)
}

/// The first token (not a comment) at or after `from`.
pub fn next_token(source: &str, from: usize) -> Option<Range<usize>> {
    Tokens { source, at: from }.next().map(|(_, span)| span)
}

/// Where the last token (not a comment) before `before` ends, reading from `from`: the end of
/// the item a missing comma should follow.
pub fn last_token_end(source: &str, from: usize, before: usize) -> Option<usize> {
    Tokens {
        source: &source[..before],
        at: from,
    }
    .last()
    .map(|(_, span)| span.end)
}

/// The spans of the elements of a list or map written at `span` (e.g. a field's value
/// `["a", "b"]`), so a problem with one option or tag can be pointed at.
pub fn elements(source: &str, span: Range<usize>) -> Vec<Range<usize>> {
    let Some(text) = source.get(span.clone()) else {
        return Vec::new();
    };
    let tokens: Vec<_> = tokens(text).collect();
    let mut elements = Vec::new();
    let mut index = 1;
    while index < tokens.len() && tokens[0].0 == Token::Open {
        if tokens[index].0 == Token::Close {
            break;
        }
        let element = value_span(&tokens, index);
        if element.is_empty() {
            break;
        }
        elements.push(span.start + element.start..span.start + element.end);
        // Skip to the token after the element's comma.
        while index < tokens.len() && tokens[index].1.start < element.end {
            index += 1;
        }
        if tokens.get(index).map(|t| t.0) == Some(Token::Comma) {
            index += 1;
        }
    }
    elements
}

/// The span of a value starting at token `from`: up to the comma or closing bracket that ends
/// it at its own depth.
fn value_span(tokens: &[(Token, Range<usize>)], from: usize) -> Range<usize> {
    let Some((_, first)) = tokens.get(from) else {
        return 0..0;
    };
    let mut depth = 0usize;
    let mut end = first.end;
    for (token, span) in &tokens[from..] {
        match token {
            Token::Open => depth += 1,
            Token::Close if depth == 0 => break,
            Token::Close => depth -= 1,
            Token::Comma if depth == 0 => break,
            _ => {}
        }
        end = span.end;
    }
    first.start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    const DECK: &str = r##"Deck( // a comment with ( and "
    id: "demo",
    cards: [
        Basic(id: "a", front: "f(", back: "b"),
        /* Choice(id: "hidden") */
        Choice(
            id: "b",
            options: ["x", "y,z"],
            answer: 3,
        ),
        Cloze(id: "c", text: r#"raw "quoted" {{x}}"#),
    ],
)"##;

    /// The outline as it was found before it was read in one pass: with every token in a list.
    fn outline_from_a_list(source: &str) -> DeckOutline {
        let tokens: Vec<_> = tokens(source).collect();
        let mut deck = DeckOutline::default();
        let mut depth = 0usize;
        let mut current_card: Option<CardSpan> = None;
        let mut index = 0;
        while index < tokens.len() {
            let (token, ref span) = tokens[index];
            match token {
                Token::Open => depth += 1,
                Token::Close => {
                    depth = depth.saturating_sub(1);
                    if depth == 2
                        && let Some(mut card) = current_card.take()
                    {
                        card.span.end = span.end;
                        deck.cards.push(card);
                    }
                }
                Token::Ident
                    if depth == 2 && tokens.get(index + 1).map(|t| t.0) == Some(Token::Open) =>
                {
                    current_card = Some(CardSpan {
                        span: span.start..span.end,
                        fields: Vec::new(),
                    });
                }
                Token::Ident
                    if (depth == 1 || depth == 3)
                        && tokens.get(index + 1).map(|t| t.0) == Some(Token::Colon) =>
                {
                    let value_span = value_span(&tokens, index + 2);
                    let field = FieldSpan {
                        name: source[span.clone()].to_owned(),
                        name_span: span.clone(),
                        value_span,
                    };
                    if depth == 1 {
                        deck.fields.push(field);
                    } else if let Some(card) = current_card.as_mut() {
                        card.fields.push(field);
                    }
                }
                _ => {}
            }
            index += 1;
        }
        deck
    }

    #[test]
    fn one_pass_finds_what_the_list_of_tokens_found() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = vec![DECK.to_owned()];
        for folder in ["decks", "tests/corpus", "tests/fixtures"] {
            for entry in std::fs::read_dir(root.join(folder)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "ron") {
                    // (The corpus has a file that is not UTF-8 on purpose.)
                    texts.extend(std::fs::read_to_string(path).ok());
                }
            }
        }
        for text in &texts {
            // Every prefix of the first lines too, so that values cut off by the end are met.
            let cuts = text.char_indices().map(|(i, _)| i).take(600);
            for cut in cuts.chain([text.len()]) {
                let text = &text[..cut];
                assert_eq!(outline(text), outline_from_a_list(text), "{text}");
            }
        }
    }

    #[test]
    fn the_cards_list_is_split_into_its_cards() {
        let split = split_cards(DECK).unwrap();
        let text = |r: &Range<usize>| &DECK[r.clone()];
        let cards: Vec<_> = split.cards.iter().map(text).collect();
        assert_eq!(cards.len(), 3);
        assert_eq!(cards[0], "Basic(id: \"a\", front: \"f(\", back: \"b\")");
        assert!(cards[1].starts_with("Choice(") && cards[1].ends_with(')'));
        assert_eq!(
            cards[2],
            "Cloze(id: \"c\", text: r#\"raw \"quoted\" {{x}}\"#)"
        );
        assert!(split.missing_commas.is_empty());
        assert_eq!(&DECK[split.list.end..split.list.end + 1], "]");
        // The outline of each card is the deck outline's.
        let whole = outline(DECK);
        for (span, expected) in split.cards.iter().zip(&whole.cards) {
            assert_eq!(card(DECK, span.clone()).as_ref(), Some(expected));
        }
    }

    #[test]
    fn a_missing_comma_or_parenthesis_does_not_join_two_cards() {
        let source = "Deck(cards: [\n    Basic(id: \"a\")\n    Basic(id: \"b\",\n    Senario(id: \"c\"),\n])";
        let split = split_cards(source).unwrap();
        let cards: Vec<_> = split.cards.iter().map(|r| &source[r.clone()]).collect();
        assert_eq!(
            cards,
            ["Basic(id: \"a\")", "Basic(id: \"b\",", "Senario(id: \"c\")"]
        );
        assert_eq!(split.missing_commas, [source.find(")\n").unwrap() + 1]);
        // No list to split.
        assert_eq!(split_cards("{\"id\": \"x\", \"cards\": []}"), None);
        assert_eq!(split_cards("Deck(id: \"x\", cards: Basic())"), None);
        // A list never closed runs to the end.
        let open = "Deck(cards: [Basic(id: \"a\"),";
        assert_eq!(split_cards(open).unwrap().list.end, open.len());
    }

    #[test]
    fn cards_are_counted_as_the_outline_finds_them() {
        assert_eq!(count_cards(DECK, 3), (3, None));
        let second = DECK.find("Choice(\n").unwrap();
        assert_eq!(count_cards(DECK, 1), (3, Some(second)));
    }

    #[test]
    fn finds_deck_fields_cards_and_their_fields() {
        let outline = outline(DECK);
        let text = |r: &Range<usize>| &DECK[r.clone()];
        assert_eq!(text(&outline.field("id").unwrap().value_span), "\"demo\"");
        assert_eq!(outline.cards.len(), 3);
        let choice = &outline.cards[1];
        assert!(text(&choice.span).starts_with("Choice("));
        assert!(text(&choice.span).ends_with(')'));
        assert_eq!(text(&choice.field("id").unwrap().value_span), "\"b\"");
        assert_eq!(
            text(&choice.field("options").unwrap().value_span),
            "[\"x\", \"y,z\"]"
        );
        assert_eq!(text(&choice.field("answer").unwrap().value_span), "3");
        let options = elements(DECK, choice.field("options").unwrap().value_span.clone());
        let options: Vec<_> = options.iter().map(text).collect();
        assert_eq!(options, ["\"x\"", "\"y,z\""]);
        assert_eq!(
            text(&outline.cards[2].field("text").unwrap().value_span),
            "r#\"raw \"quoted\" {{x}}\"#"
        );
    }
}
