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
/// of strings.
fn tokens(source: &str) -> Vec<(Token, Range<usize>)> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
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
                out.push((Token::Other, start..i.min(bytes.len())));
            }
            b'r' if matches!(bytes.get(i + 1), Some(b'"' | b'#')) => {
                let hashes = bytes[i + 1..].iter().take_while(|&&b| b == b'#').count();
                let closing = format!("\"{}", "#".repeat(hashes));
                let body = i + 2 + hashes;
                i = source
                    .get(body..)
                    .and_then(|rest| rest.find(&closing))
                    .map_or(bytes.len(), |n| body + n + closing.len());
                out.push((Token::Other, start..i));
            }
            b'(' | b'[' | b'{' => {
                i += 1;
                out.push((Token::Open, start..i));
            }
            b')' | b']' | b'}' => {
                i += 1;
                out.push((Token::Close, start..i));
            }
            b',' => {
                i += 1;
                out.push((Token::Comma, start..i));
            }
            b':' => {
                i += 1;
                out.push((Token::Colon, start..i));
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                out.push((Token::Ident, start..i));
            }
            _ => {
                // Numbers, chars and anything else: one token per run of such bytes.
                i += source[i..].chars().next().map_or(1, char::len_utf8);
                out.push((Token::Other, start..i));
            }
        }
    }
    out
}

/// Finds the deck fields (depth 1) and the cards (depth 3: `Deck(` `cards: [` `Kind(`).
pub fn outline(source: &str) -> DeckOutline {
    let tokens = tokens(source);
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

/// The spans of the string literals in `source`, in order (quotes included).
pub fn strings(source: &str) -> Vec<Range<usize>> {
    tokens(source)
        .into_iter()
        .filter(|(token, span)| *token == Token::Other && source[span.clone()].ends_with('"'))
        .map(|(_, span)| span)
        .collect()
}

/// The spans of the elements of a list or map written at `span` (e.g. a field's value
/// `["a", "b"]`), so a problem with one option or tag can be pointed at.
pub fn elements(source: &str, span: Range<usize>) -> Vec<Range<usize>> {
    let Some(text) = source.get(span.clone()) else {
        return Vec::new();
    };
    let tokens = tokens(text);
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
