//! `knead new ID`: a commented starter deck with one example of each card kind.

use clap::Args;
use knead::deck;
use knead::error::{Error, IoContext};
use std::fs;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct NewArgs {
    /// The new deck's id (lowercase letters, digits and '-')
    pub id: String,
    /// The deck's title [default: from the id]
    #[arg(long)]
    pub title: Option<String>,
    /// Where to write it [default: ID.ron]
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace the file if it exists
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: NewArgs) -> Result<(), Error> {
    let path = new(
        &args.id,
        args.title.as_deref(),
        args.output.as_deref(),
        args.force,
    )?;
    outln!(
        "Wrote {}. Edit it, then `knead check --strict {}`.",
        path.display(),
        path.display()
    );
    Ok(())
}

/// Writes a commented starter deck with one example of each card kind.
fn new(
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
