//! A printable handout of a deck: its title and description, then every card with its
//! answer, why and source, grouped by tag.
//!
//! Each card is printed once, under its first tag (the order of first appearance in the
//! deck), and names its other tags, so a handout never repeats a card; cards without tags come
//! last under "Untagged". Retired cards are left out.

use crate::deck::{Card, Deck};

use super::face;

/// The deck as Markdown (CommonMark).
pub fn to_markdown(deck: &Deck) -> String {
    let cards: Vec<&Card> = deck
        .cards
        .iter()
        .filter(|card| card.common().retired.is_none())
        .collect();
    let mut groups: Vec<(Option<&str>, Vec<&Card>)> = Vec::new();
    for card in &cards {
        let tag = card.common().tags.first().map(String::as_str);
        match groups.iter_mut().find(|(t, _)| *t == tag) {
            Some((_, members)) => members.push(card),
            None => groups.push((tag, vec![card])),
        }
    }
    // Untagged cards last.
    groups.sort_by_key(|(tag, _)| tag.is_none());

    let mut out = format!("# {}\n\n", escape(&deck.title));
    if !deck.description.trim().is_empty() {
        out.push_str(&format!("{}\n\n", escape(deck.description.trim())));
    }
    out.push_str(&format!(
        "*{} card{} from the knead deck `{}`, version {}. Each card appears once, under its first tag. \
         ⚠ marks a safety-critical card: a red flag or a contraindication.*\n",
        cards.len(),
        if cards.len() == 1 { "" } else { "s" },
        deck.id,
        deck.version
    ));
    let mut number = 0;
    for (tag, members) in groups {
        match tag {
            Some(tag) => out.push_str(&format!("\n## {}\n", escape(tag))),
            None => out.push_str("\n## Untagged\n"),
        }
        for card in members {
            number += 1;
            out.push('\n');
            out.push_str(&card_block(number, card));
        }
    }
    out
}

fn card_block(number: usize, card: &Card) -> String {
    let common = card.common();
    let face = face(card);
    let mut block = format!("**{number}.** ");
    if common.critical {
        block.push_str("⚠ **SAFETY-CRITICAL** ");
    }
    block.push_str(&escape(&face.question));
    block.push_str(&format!("\n\n**Answer:** {}\n", escape(&face.answer)));
    for (label, text) in [("Why", common.why), ("Source", common.source)] {
        if let Some(text) = text {
            block.push_str(&format!("\n**{label}:** {}\n", escape(text)));
        }
    }
    if common.tags.len() > 1 {
        let others: Vec<String> = common.tags[1..].iter().map(|t| escape(t)).collect();
        block.push_str(&format!("\n*Also under:* {}\n", others.join(", ")));
    }
    block
}

const SPECIAL: [char; 12] = ['\\', '`', '*', '_', '[', ']', '<', '>', '#', '|', '~', '&'];

/// Text that Markdown shows as written: characters with a meaning escaped, each line break
/// kept (a hard break), nothing at a line start read as a list item or a heading underline.
fn escape(text: &str) -> String {
    text.lines()
        .map(escape_line)
        .collect::<Vec<_>>()
        .join("\\\n")
}

fn escape_line(line: &str) -> String {
    let lead = line.len() - line.trim_start().len();
    let digits = line[lead..].bytes().take_while(u8::is_ascii_digit).count();
    let mut escaped = String::with_capacity(line.len());
    for (index, c) in line.char_indices() {
        let starts_block = (index == lead && matches!(c, '-' | '+' | '='))
            || (digits > 0 && index == lead + digits && matches!(c, '.' | ')'));
        if SPECIAL.contains(&c) || starts_block {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck;

    #[test]
    fn markdown_characters_and_line_starts_are_escaped() {
        assert_eq!(
            escape("a *b* [c] <d> & e_f"),
            r"a \*b\* \[c\] \<d\> \& e\_f"
        );
        assert_eq!(
            escape("one\n- two\n2. three\n==="),
            "one\\\n\\- two\\\n2\\. three\\\n\\==="
        );
        assert_eq!(escape("Take 2. Then 3"), "Take 2. Then 3");
    }

    #[test]
    fn cards_are_grouped_under_their_first_tag_once_and_untagged_last() {
        let deck = deck::parse(
            r#"Deck(id: "d", title: "Lupus *basics*", description: "For class.", cards: [
                Basic(id: "a", front: "Untagged?", back: "Yes"),
                Basic(id: "b", front: "Q b", back: "A b", why: "W b", source: "S b", tags: ["lupus", "red-flag"], critical: true),
                TrueFalse(id: "c", statement: "FM is autoimmune.", answer: false, tags: ["red-flag"]),
                Choice(id: "e", prompt: "Pick", options: ["x", "y", "z"], answer: 1, tags: ["lupus"]),
                Basic(id: "r", front: "Old", back: "Gone", retired: "wrong"),
            ])"#,
            "d.ron",
        )
        .unwrap();
        let text = to_markdown(&deck);
        assert!(
            text.starts_with("# Lupus \\*basics\\*\n\nFor class.\n\n*4 cards"),
            "{text}"
        );
        let headings: Vec<_> = text.lines().filter(|l| l.starts_with("## ")).collect();
        assert_eq!(headings, ["## lupus", "## red-flag", "## Untagged"]);
        assert!(text.contains("**1.** ⚠ **SAFETY-CRITICAL** Q b\n\n**Answer:** A b\n\n**Why:** W b\n\n**Source:** S b\n\n*Also under:* red-flag\n"), "{text}");
        assert!(
            text.contains("**2.** Pick\\\n\\\n1\\. x\\\n2\\. y\\\n3\\. z\n\n**Answer:** 2\\. y\n"),
            "{text}"
        );
        assert!(
            text.contains("**3.** True or false: FM is autoimmune.\n\n**Answer:** False\n"),
            "{text}"
        );
        assert!(!text.contains("Gone"));
        assert_eq!(text.matches("**Answer:**").count(), 4);
    }
}
