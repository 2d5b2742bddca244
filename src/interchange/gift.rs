//! A deck as a Moodle quiz: GIFT ("General Import Format Template"), the plain-text question
//! format Moodle and most school learning platforms import.
//!
//! | card | GIFT question |
//! |---|---|
//! | Choice | multiple choice; every option carries the card's `why` as its feedback |
//! | TrueFalse | true/false, with `why` as the feedback for either answer |
//! | Scenario | multiple choice over the four verdicts, `why` as each one's feedback |
//! | Cloze | one missing-word question per deletion (the others shown filled in), as studied |
//! | Basic | left out (see [`BASIC_LEFT_OUT`]) |
//!
//! Questions are grouped in categories: the deck's title, then one sub-category per card's
//! first tag (`$CATEGORY: Title/tag`). Each question is named after its card id (`::id::`;
//! a Cloze deletion `::id (2 of 3)::`), so an instructor can find the card behind a question.
//! Retired cards are left out. Text is written `[plain]`, so an LMS shows it as written, with
//! GIFT's special characters `~ = # { } : \` escaped and line breaks written `\n`.

use crate::deck::{Card, Deck, Verdict, cloze_deletions};

/// Why Basic cards are not exported: said in the command's output and the README.
pub const BASIC_LEFT_OUT: &str = "a Basic card is graded by the student's own recall, and its answer is a sentence or more that a short-answer question would mark wrong unless typed exactly";

/// A deck written as GIFT, with what was left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GiftExport {
    pub text: String,
    /// Questions written (a Cloze card gives one per deletion).
    pub questions: usize,
    /// Cards exported (every question comes from one).
    pub cards: usize,
    /// Basic cards left out ([`BASIC_LEFT_OUT`]).
    pub basic_left_out: usize,
    /// Retired cards left out.
    pub retired_left_out: usize,
}

/// The deck as a GIFT file.
pub fn to_gift(deck: &Deck) -> GiftExport {
    let mut export = GiftExport {
        text: String::new(),
        questions: 0,
        cards: 0,
        basic_left_out: 0,
        retired_left_out: 0,
    };
    let mut groups: Vec<(Option<&str>, Vec<&Card>)> = Vec::new();
    for card in &deck.cards {
        if card.common().retired.is_some() {
            export.retired_left_out += 1;
            continue;
        }
        if matches!(card, Card::Basic(_)) {
            export.basic_left_out += 1;
            continue;
        }
        let tag = card.common().tags.first().map(String::as_str);
        match groups.iter_mut().find(|(t, _)| *t == tag) {
            Some((_, members)) => members.push(card),
            None => groups.push((tag, vec![card])),
        }
    }
    // Untagged cards first, in the deck's own category.
    groups.sort_by_key(|(tag, _)| tag.is_some());
    let out = &mut export.text;
    out.push_str(&format!(
        "// {} (knead deck `{}`, version {}), exported by knead {}.\n",
        one_line(&deck.title),
        deck.id,
        deck.version,
        env!("CARGO_PKG_VERSION")
    ));
    for (tag, cards) in groups {
        let category = match tag {
            Some(tag) => format!("{}/{}", category_name(&deck.title), category_name(tag)),
            None => category_name(&deck.title),
        };
        out.push_str(&format!("\n$CATEGORY: {category}\n"));
        for card in cards {
            export.cards += 1;
            for question in questions(card) {
                export.questions += 1;
                out.push('\n');
                out.push_str(&question);
                out.push('\n');
            }
        }
    }
    export
}

/// The GIFT questions one card becomes (several for a Cloze, none for a Basic card).
fn questions(card: &Card) -> Vec<String> {
    let common = card.common();
    let feedback = common.why.map(|why| format!("#{}", escape(why)));
    let feedback = feedback.as_deref().unwrap_or("");
    let name = escape(common.id);
    match card {
        Card::Basic(_) => Vec::new(),
        Card::Choice(choice) => {
            let answers: String = choice
                .options
                .iter()
                .enumerate()
                .map(|(index, option)| {
                    let mark = if index == choice.answer { '=' } else { '~' };
                    format!("\t{mark}{}{feedback}\n", escape(option))
                })
                .collect();
            vec![format!(
                "::{name}::[plain]{}{{\n{answers}}}",
                escape(&choice.prompt)
            )]
        }
        Card::TrueFalse(tf) => {
            let value = if tf.answer { "TRUE" } else { "FALSE" };
            // Feedback for a wrong answer, then for a right one: the reasoning serves both.
            let both = if feedback.is_empty() {
                String::new()
            } else {
                format!("{feedback}{feedback}")
            };
            vec![format!(
                "::{name}::[plain]{}{{{value}{both}}}",
                escape(&tf.statement)
            )]
        }
        Card::Scenario(scenario) => {
            let answers: String = Verdict::ALL
                .iter()
                .map(|&verdict| {
                    let mark = if verdict == scenario.verdict {
                        '='
                    } else {
                        '~'
                    };
                    format!("\t{mark}{}{feedback}\n", escape(&verdict_option(verdict)))
                })
                .collect();
            vec![format!(
                "::{name}::[plain]{}{{\n{answers}}}",
                escape(&format!(
                    "Client: {}\nTechnique: {}\nWhich verdict applies?",
                    scenario.client, scenario.technique
                ))
            )]
        }
        Card::Cloze(cloze) => {
            let deletions = cloze_deletions(&cloze.text).unwrap_or_default();
            let global = common
                .why
                .map(|why| format!("####{}", escape(why)))
                .unwrap_or_default();
            (0..deletions.len())
                .map(|part| {
                    // GIFT reads a question that opens with its answer as having no text.
                    let mut stem =
                        if part == 0 && cloze.text[..deletions[0].start - 2].trim().is_empty() {
                            String::from("Fill in the blank\\: ")
                        } else {
                            String::new()
                        };
                    let mut rest = 0;
                    for (index, range) in deletions.iter().enumerate() {
                        stem.push_str(&escape(&cloze.text[rest..range.start - 2]));
                        let content = &cloze.text[range.clone()];
                        if index == part {
                            stem.push_str(&format!("{{={}{global}}}", escape(content.trim())));
                        } else {
                            stem.push_str(&escape(content));
                        }
                        rest = range.end + 2;
                    }
                    stem.push_str(&escape(&cloze.text[rest..]));
                    let name = if deletions.len() == 1 {
                        name.clone()
                    } else {
                        format!("{name} (part {} of {})", part + 1, deletions.len())
                    };
                    format!("::{name}::[plain]{stem}")
                })
                .collect()
        }
    }
}

/// A verdict as a Scenario's option: its name and what it means.
pub fn verdict_option(verdict: Verdict) -> String {
    format!("{} — {}", verdict.name(), verdict.meaning())
}

/// Text GIFT reads as written: its special characters escaped with `\`, line breaks as `\n`
/// (a blank line would end the question), Windows line endings and tabs made plain.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 8);
    let text = text.replace("\r\n", "\n");
    for c in text.chars() {
        match c {
            '~' | '=' | '#' | '{' | '}' | ':' | '\\' => {
                escaped.push('\\');
                escaped.push(c);
            }
            '\n' | '\r' => escaped.push_str("\\n"),
            '\t' => escaped.push(' '),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// A category name: one line, its `/` doubled (GIFT's `/` separates sub-categories).
fn category_name(text: &str) -> String {
    one_line(text).replace('/', "//")
}

/// Text on one line, for a comment or a category (which GIFT does not unescape).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck;

    #[test]
    fn special_characters_are_escaped_and_lines_kept() {
        assert_eq!(
            escape("a~b=c#d{e}f:g\\h\nnext\r\nlast\tx"),
            "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h\\nnext\\nlast x"
        );
    }

    #[test]
    fn every_kind_becomes_its_question_and_basic_is_left_out() {
        let deck = deck::parse(
            r#"Deck(id: "d", title: "Lupus / SLE", cards: [
                Basic(id: "b", front: "Q", back: "A"),
                Choice(id: "c", prompt: "Pick: one", options: ["x", "y = z"], answer: 1, why: "Because #1", tags: ["lupus"]),
                TrueFalse(id: "t", statement: "Fever {always} matters.", answer: true, why: "W"),
                Cloze(id: "z", text: "Steroids thin the {{skin}} and cause {{bone loss}}."),
                Cloze(id: "lead", text: "{{Raynaud's}} turns the fingers white."),
                Scenario(id: "s", client: "Flare", technique: "Deep tissue", verdict: Avoid, tags: ["lupus"]),
                TrueFalse(id: "r", statement: "Old", answer: true, retired: "wrong"),
            ])"#,
            "d.ron",
        )
        .unwrap();
        let export = to_gift(&deck);
        assert_eq!(export.questions, 6);
        assert_eq!(export.cards, 5);
        assert_eq!(export.basic_left_out, 1);
        assert_eq!(export.retired_left_out, 1);
        let text = &export.text;
        assert!(text.contains("\n$CATEGORY: Lupus // SLE\n"), "{text}");
        assert!(text.contains("\n$CATEGORY: Lupus // SLE/lupus\n"), "{text}");
        assert!(
            text.contains(
                "::c::[plain]Pick\\: one{\n\t~x#Because \\#1\n\t=y \\= z#Because \\#1\n}"
            ),
            "{text}"
        );
        assert!(
            text.contains("::t::[plain]Fever \\{always\\} matters.{TRUE#W#W}"),
            "{text}"
        );
        assert!(
            text.contains(
                "::z (part 1 of 2)::[plain]Steroids thin the {=skin} and cause bone loss."
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "::z (part 2 of 2)::[plain]Steroids thin the skin and cause {=bone loss}."
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "::lead::[plain]Fill in the blank\\: {=Raynaud's} turns the fingers white."
            ),
            "{text}"
        );
        assert!(text.contains("\t=Avoid — avoid this technique for this client now\n"));
        assert!(!text.contains("Old"));
        // Untagged cards come first, in the deck's own category.
        assert!(text.find("::t::") < text.find("::c::"));
    }
}
