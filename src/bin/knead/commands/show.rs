//! `knead show DECK`: a deck's cards as students see them, answers and explanations included,
//! for proofreading.

use crate::out;
use clap::Args;
use knead::deck::{self, Card, Deck};
use knead::error::Error;
use knead::study::collection;
use knead::study::session::Question;
use knead::text::wrap_block;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::io::Write;
use std::path::Path;

use super::Context;

#[derive(Args)]
pub struct ShowArgs {
    /// A deck id (see `knead decks`) or a .ron file
    pub deck: String,
    /// Only this card
    #[arg(long, value_name = "ID")]
    pub card: Option<String>,
}

pub fn run(context: &Context, args: ShowArgs) -> Result<(), Error> {
    show(&args.deck, args.card.as_deref(), &context.data_dir)
}

/// Prints cards as a student meets them, answer and explanation included, for proofreading.
fn show(name: &str, card: Option<&str>, data_dir: &Path) -> Result<(), Error> {
    let loaded = collection::find_deck(name, data_dir)?;
    let deck = &loaded.deck;
    let cards: Vec<(usize, &Card)> = match card {
        None => deck.cards.iter().enumerate().collect(),
        Some(id) => match deck.cards.iter().position(|c| c.id() == id) {
            Some(index) => vec![(index, &deck.cards[index])],
            None => {
                return Err(Error::UnknownCard {
                    deck: deck.id.clone(),
                    card: id.to_owned(),
                    known: deck.cards.iter().map(|c| c.id().to_owned()).collect(),
                });
            }
        },
    };
    // Deck text, shown terminal-safe and wrapped at word boundaries.
    let width = out::width(None);
    let mut out = out::stdout();
    let _ = writeln!(out, "{}", wrap_block(&deck_heading(deck), width));
    for (index, card) in cards {
        let _ = writeln!(
            out,
            "\n{}",
            wrap_block(&card_view(deck, index, card), width)
        );
    }
    Ok(())
}

fn deck_heading(deck: &Deck) -> String {
    let mut text = format!("{} (v{}) - {}", deck.title, deck.version, deck.id);
    if !deck.description.is_empty() {
        text.push_str(&format!("\n{}", deck.description));
    }
    let retired = deck
        .cards
        .iter()
        .filter(|c| c.common().retired.is_some())
        .count();
    text.push_str(&format!("\n{} cards", deck.cards.len()));
    if retired > 0 {
        text.push_str(&format!(" ({retired} retired)"));
    }
    text
}

/// One card as studied: the question, then what the student sees after answering.
fn card_view(deck: &Deck, index: usize, card: &Card) -> String {
    let common = card.common();
    let mut lines = vec![format!(
        "[{}/{}] {} - {}{}",
        index + 1,
        deck.cards.len(),
        common.id,
        card.kind(),
        if common.critical {
            " - SAFETY-CRITICAL"
        } else {
            ""
        }
    )];
    if let Some(reason) = common.retired {
        lines.push(format!("RETIRED (not studied): {reason}"));
    }
    if common.rev > 0 {
        let change = common.change.map_or(String::new(), |c| format!(": {c:?}"));
        lines.push(format!("Revision {}{change}", common.rev));
    }
    {
        // Options are listed in deck order below, so the shuffle's seed does not matter.
        let question = Question::for_card(card, 0, &mut StdRng::seed_from_u64(0));
        match card {
            Card::Basic(basic) => {
                lines.push(format!("Q: {}", basic.front));
                lines.push(format!("A: {}", basic.back));
            }
            Card::Choice(choice) => {
                lines.push(format!("Q: {}", choice.prompt));
                for (n, option) in choice.options.iter().enumerate() {
                    let mark = if n == choice.answer { "*" } else { " " };
                    lines.push(format!("  {mark} {}. {option}", n + 1));
                }
            }
            Card::TrueFalse(tf) => {
                lines.push(format!("True or false: {}", tf.statement));
                lines.push(format!("A: {}", question.answer_text()));
            }
            // The text once with each deletion numbered, then the answers: a student meets
            // it once per deletion, but printing it so would make the output grow with the
            // text times its deletions.
            Card::Cloze(cloze) => {
                let deletions = deck::cloze_deletions(&cloze.text).unwrap_or_default();
                let mut prompt = String::new();
                let mut rest = 0;
                for (n, range) in deletions.iter().enumerate() {
                    prompt.push_str(&cloze.text[rest..range.start - 2]);
                    prompt.push_str(&format!("[...{}]", n + 1));
                    rest = range.end + 2;
                }
                prompt.push_str(&cloze.text[rest..]);
                lines.push(format!("Q: {prompt}"));
                for (n, range) in deletions.into_iter().enumerate() {
                    lines.push(format!("A{}: {}", n + 1, &cloze.text[range]));
                }
            }
            Card::Scenario(scenario) => {
                lines.push(format!("Client: {}", scenario.client));
                lines.push(format!("Technique: {}", scenario.technique));
                lines.push(format!("A: {}", question.answer_text()));
            }
        }
    }
    if let Some(why) = common.why {
        lines.push(format!("Why: {why}"));
    }
    if let Some(source) = common.source {
        lines.push(format!("Source: {source}"));
    }
    if !common.tags.is_empty() {
        lines.push(format!("Tags: {}", common.tags.join(", ")));
    }
    if !common.replaces.is_empty() {
        lines.push(format!(
            "Carries on the history of: {}",
            common.replaces.join(", ")
        ));
    }
    lines.join("\n")
}
