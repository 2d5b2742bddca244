//! The HTML of Anki fields, to text and back.
//!
//! Anki fields are small HTML fragments written by its editor (`<br>`, `<div>`, `<b>`,
//! `&nbsp;`...). Turning one into text needs line breaks where the editor put them and every
//! character reference decoded; it must not reflow, collapse spaces or decorate text as an
//! HTML renderer would, or a deck exported from knead would not come back unchanged. Tags are
//! dropped here; entities are decoded by `htmlize` (the full WHATWG table).

/// The text of a field, with what it had to leave out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Text {
    pub text: String,
    /// The `src` of each image: pictures cannot be carried into a knead card.
    pub images: Vec<String>,
}

/// Elements whose start and end break a line (the ones Anki's editor and exporters write).
const BLOCKS: &[&str] = &[
    "div",
    "p",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "hr",
];

/// Converts a field's HTML to text: `<br>` is a line break, block elements start and end a
/// line, other tags go, `<script>`/`<style>` go with their content, character references are
/// decoded (`&nbsp;` as a plain space). A raw newline in the HTML is a space, as a browser
/// shows it, unless it follows a line break already made.
pub(crate) fn to_text(html: &str) -> Text {
    let mut out = Text::default();
    let mut text = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        push_text(&mut text, &rest[..open]);
        rest = &rest[open..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(close) = rest.find('>') else {
            // A lone '<' is text.
            break;
        };
        let tag = &rest[1..close];
        rest = &rest[close + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            // Not a tag (`a < b > c`): keep it as text.
            push_text(&mut text, &format!("<{tag}>"));
            continue;
        }
        match name.as_str() {
            "br" => text.push('\n'),
            "img" => {
                if let Some(src) = attribute(tag, "src") {
                    out.images.push(src);
                }
            }
            "script" | "style" if !closing => {
                // Found without lowercasing the rest of the field for each such element,
                // which made a field of many short scripts cost its length squared.
                let end = format!("</{name}");
                let at = rest
                    .as_bytes()
                    .windows(end.len())
                    .position(|w| w.eq_ignore_ascii_case(end.as_bytes()))
                    .unwrap_or(rest.len());
                rest = &rest[at..];
            }
            block if BLOCKS.contains(&block) && !text.is_empty() && !text.ends_with('\n') => {
                text.push('\n');
            }
            _ => {}
        }
    }
    push_text(&mut text, rest);
    out.text = decode(text.trim_end_matches('\n'));
    out
}

fn push_text(text: &mut String, raw: &str) {
    for c in raw.chars() {
        match c {
            '\r' => {}
            '\n' if text.is_empty() || text.ends_with('\n') => {}
            '\n' => text.push(' '),
            c => text.push(c),
        }
    }
}

/// Decodes character references. `&nbsp;` becomes a plain space: Anki's editor writes it for
/// any run of spaces, and a non-breaking space typed as a character is kept as it is.
fn decode(text: &str) -> String {
    htmlize::unescape(text.replace("&nbsp;", " ")).into_owned()
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let at = lower.find(&format!("{name}="))? + name.len() + 1;
    let value = &tag[at..];
    let value = match value.chars().next()? {
        quote @ ('"' | '\'') => value[1..].split(quote).next()?,
        _ => value.split([' ', '/']).next()?,
    };
    Some(htmlize::unescape(value).into_owned())
}

/// Text as Anki field HTML: `&`, `<` and `>` escaped, line breaks as `<br>`.
pub(crate) fn from_text(text: &str) -> String {
    htmlize::escape_text(text).replace('\n', "<br>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_blocks_and_entities_become_text() {
        let field = "<div>Fever &amp; chills</div><div>Refer&nbsp;&nbsp;now<br>today</div>";
        assert_eq!(to_text(field).text, "Fever & chills\nRefer  now\ntoday");
        assert_eq!(to_text("a<br><br>b").text, "a\n\nb");
        assert_eq!(to_text("<b>bold</b> and <i>it</i>").text, "bold and it");
        assert_eq!(to_text("&lt;b&gt; &#233;&#x27;&eacute").text, "<b> é'é");
    }

    #[test]
    fn raw_newlines_are_spaces_unless_a_break_was_made() {
        assert_eq!(to_text("one\ntwo").text, "one two");
        assert_eq!(to_text("one<br>\ntwo").text, "one\ntwo");
        assert_eq!(to_text("<div>one</div>\n<div>two</div>").text, "one\ntwo");
    }

    #[test]
    fn images_are_reported_and_scripts_dropped_whole() {
        let found = to_text("See <img src=\"knee.jpg\"> here<style>b{x:1}</style><!-- c -->.");
        assert_eq!(found.text, "See  here.");
        assert_eq!(found.images, ["knee.jpg"]);
        let many = "<Script>x</SCRIPT>".repeat(3000) + "kept";
        assert_eq!(to_text(&many).text, "kept");
    }

    #[test]
    fn text_that_only_looks_like_tags_is_kept() {
        assert_eq!(to_text("1 < 2 and 3 > 2").text, "1 < 2 and 3 > 2");
        assert_eq!(to_text("x <- y").text, "x <- y");
    }

    #[test]
    fn escaped_text_comes_back_unchanged() {
        for text in [
            "<b>not bold</b> & &amp; &nbsp;",
            "two\n\nlines\ttab",
            "\u{a0}non-breaking",
        ] {
            assert_eq!(to_text(&from_text(text)).text, text);
        }
    }
}
