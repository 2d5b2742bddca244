//! Commands for instructors: `check`, `new` and `show`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use knead::checks::{self, Strictness};
use knead::collection;
use knead::deck::{self, Card, Deck};
use knead::diagnostic::Severity;
use knead::error::{Error, IoContext};
use knead::session::Question;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::out::{self, Stream};

/// How `knead check` prints what it found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style messages with the source line and a caret
    #[default]
    Human,
    /// One JSON object per problem and line (for CI pipelines)
    Json,
}

/// Prints every problem in the files and returns the exit status (0 clean, 1 warnings under
/// `--strict`, 2 errors).
pub fn check(paths: &[PathBuf], strictness: Strictness, format: Format) -> u8 {
    let report = checks::check_paths(paths, strictness);
    match format {
        Format::Json => {
            for diagnostic in &report.diagnostics {
                out::json(&diagnostic.to_json(), false);
            }
        }
        Format::Human => {
            for diagnostic in &report.diagnostics {
                out::diagnostic(Stream::Stdout, diagnostic, "\n");
            }
            let mut out = out::stdout();
            let decks = report.files.iter().filter(|f| f.deck.is_some()).count();
            let counts = || report.files.iter().filter_map(|f| f.deck.as_ref());
            let cards: usize = counts().map(|d| d.studied).sum();
            let retired: usize = counts().map(|d| d.retired).sum();
            let retired = if retired > 0 {
                format!(", {retired} retired")
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "Checked {} file{} ({decks} deck{}, {cards} card{}{retired}): {}, {}.",
                report.files.len(),
                plural(report.files.len()),
                plural(decks),
                plural(cards),
                count_of(report.count(Severity::Error), "error"),
                count_of(report.count(Severity::Warning), "warning"),
            );
            if strictness == Strictness::Normal && report.count(Severity::Warning) > 0 {
                let _ = writeln!(
                    out,
                    "Warnings do not stop students loading the deck; `knead check --strict` fails on them."
                );
            }
        }
    }
    report.exit_code(strictness)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn count_of(n: usize, what: &str) -> String {
    format!("{n} {what}{}", plural(n))
}

/// Writes a commented starter deck with one example of each card kind.
pub fn new(
    id: &str,
    title: Option<&str>,
    output: Option<&Path>,
    force: bool,
) -> Result<PathBuf, Error> {
    if !deck::is_slug(id) {
        return Err(Error::InvalidId { id: id.to_owned() });
    }
    let path = output.map_or_else(|| PathBuf::from(format!("{id}.ron")), Path::to_owned);
    if path.exists() && !force {
        return Err(Error::WouldOverwrite { path });
    }
    let title = title.map_or_else(|| title_from_id(id), str::to_owned);
    let text = starter_deck(id, &title);
    fs::write(&path, text).context("write", &path)?;
    Ok(path)
}

fn title_from_id(id: &str) -> String {
    let words = id.replace('-', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The starter deck: every field explained where it is first used, and real cards (taken from
/// knead's bundled decks, with their sources) to copy and replace.
pub fn starter_deck(id: &str, title: &str) -> String {
    let quoted = |text: &str| ron::to_string(text).expect("strings serialise");
    format!(
        r#"// A knead deck. Check it with `knead check --strict {id}.ron`, preview it with
// `knead show {id}.ron`, and study it with `knead study --deck {id}.ron`.
// The complete format: docs/deck-format.md. Comments like this one are ignored.
Deck(
    // Lowercase letters, digits and '-'. Students' progress is kept per deck id and card id,
    // so keep both stable once students use the deck.
    id: {id},
    title: {title},
    // Raise the version each time you hand out an edited deck; `changelog` tells students
    // what changed, once, at their next session.
    version: 1,
    description: "What this deck covers, in a sentence or two.",
    authors: ["Your name"],
    changelog: {{
        1: "First edition.",
    }},
    cards: [
        // A question the student answers from memory, then grades themselves (0-5).
        Basic(
            id: "sle-definition",
            front: "What is systemic lupus erythematosus (SLE), and whom does it mostly affect?",
            back: "A chronic autoimmune disease in which antibodies attack connective tissue throughout the body. About 9 in 10 people with SLE are women.",
            // Every card explains its answer and cites a source a student could look up.
            why: "Because SLE can involve almost any organ, intake asks which systems are affected and whether the disease is active today.",
            source: "Al-Homood IA, Thrombosis in systemic lupus erythematosus: a review, ISRN Rheumatology 2012:428269",
            tags: ["lupus", "definition"],
        ),
        // Multiple choice: `answer` is the 0-based position of the right option. Options are
        // shuffled when studied; give at least three.
        Choice(
            id: "rf-fever-ra-phone-call",
            prompt: "A client with rheumatoid arthritis calls before her appointment: she has a fever and feels unwell. What do you advise?",
            options: [
                "Come in, and you will use only light pressure",
                "Come in for hands and feet only",
                "Postpone the session, and contact her doctor if the fever is unexplained",
            ],
            answer: 2,
            why: "Fever can mean a flare or an infection; lighter pressure or a smaller area does not remove that risk, postponing does.",
            source: "massagetherapyreference.com, Rheumatoid arthritis massage (RMT clinical reference)",
            tags: ["rheumatoid-arthritis", "red-flag"],
            // Safety-critical cards (red flags, contraindications) must cite a source.
            critical: true,
        ),
        // A statement the student judges true or false.
        TrueFalse(
            id: "fibromyalgia-not-autoimmune",
            statement: "Fibromyalgia is an autoimmune disease.",
            answer: false,
            why: "Fibromyalgia is a chronic pain syndrome of altered pain processing; no consistent autoantibodies or inflammatory markers are found.",
            source: "Macfarlane GJ et al., EULAR revised recommendations for the management of fibromyalgia, Ann Rheum Dis 2017;76:318-28",
            tags: ["fibromyalgia", "definition"],
        ),
        // Text with {{{{deletions}}}}: each deletion is studied as its own item.
        Cloze(
            id: "sle-fatigue",
            text: "Fatigue affects up to {{{{90%}}}} of people with SLE, even during remission.",
            why: "Plan for it: let the client set the pace and consider shorter sessions on tired days.",
            source: "Fatigue and Activity Management Education (FAME) in SLE, PMC5612683",
            tags: ["lupus", "fatigue"],
        ),
        // A client and a technique; the verdict is Suitable, Adapt, Avoid or Refer.
        Scenario(
            id: "ms-hot-stone",
            client: "A client with multiple sclerosis who reports heat sensitivity",
            technique: "Hot stone massage",
            verdict: Avoid,
            why: "Heat can temporarily worsen MS symptoms (Uhthoff's phenomenon); choose a technique without heat.",
            source: "National MS Society, Heat and temperature sensitivity",
            tags: ["multiple-sclerosis", "heat"],
            critical: true,
            // After students have started, describe each published edit instead of deleting
            // cards: `rev: 1, change: Typo | Clarify | Substantive`, `retired: "reason"`, and on a
            // new card `replaces: ["old-id"]` (see docs/deck-format.md).
        ),
    ],
)
"#,
        id = quoted(id),
        title = quoted(title),
    )
}

/// Prints cards as a student meets them, answer and explanation included, for proofreading.
pub fn show(name: &str, card: Option<&str>, data_dir: &Path) -> Result<(), Error> {
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
    // Deck text, shown terminal-safe.
    let mut out = out::stdout();
    let _ = writeln!(out, "{}", deck_heading(deck));
    for (index, card) in cards {
        let _ = writeln!(out, "\n{}", card_view(deck, index, card));
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
    for part in 0..card.item_count().max(1) {
        // Options are listed in deck order below, so the shuffle's seed does not matter.
        let question = Question::for_card(card, part, &mut StdRng::seed_from_u64(0));
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
            Card::Cloze(_) => {
                if let Question::Recall { prompt, answer, .. } = &question {
                    lines.push(format!("Q{}: {prompt}", part + 1));
                    lines.push(format!("A{}: {answer}", part + 1));
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
