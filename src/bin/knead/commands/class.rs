//! `knead class FILES...`: what a class's reports say, card by card, and which cards to fix.

use crate::out::{print_json, print_lines, refuse_to_overwrite, write_output};
use clap::Args;
use knead::deck::Deck;
use knead::error::{Error, IoContext};
use knead::insight::class::{self, ClassError, ClassSummary, MAX_REPORT_BYTES};
use knead::insight::class_html;
use knead::study::collection;
use knead::text::{count, duration};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::Context;

/// How many of the hardest cards the text report lists (`--json` and `--html` list all).
const TEXT_CARDS: usize = 15;

#[derive(Args)]
pub struct ClassArgs {
    /// The report files students handed in (`knead report`)
    #[arg(required = true, value_name = "FILES")]
    files: Vec<PathBuf>,
    /// The decks to compare against (an id or a .ron file; repeat for more)
    /// [default: the decks the reports name, bundled or installed]
    #[arg(long, value_name = "ID")]
    deck: Vec<String>,
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
    /// Also write a self-contained HTML report (inline CSS and charts, no network) here
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Replace the HTML file if it exists
    #[arg(long)]
    force: bool,
}

pub fn run(context: &Context, args: ClassArgs) -> Result<(), Error> {
    if let Some(html) = &args.html {
        refuse_to_overwrite(html, args.force)?;
    }
    if args.files.len() > class::MAX_REPORTS {
        return Err(ClassError::TooManyReports {
            count: args.files.len(),
        }
        .into());
    }
    let mut reports = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let name = path.display().to_string();
        let bytes = read_bounded(path)?;
        reports.push((name.clone(), class::read_report(&bytes, &name)?));
    }
    let decks: Vec<Deck> = if args.deck.is_empty() {
        let mut ids: Vec<&str> = reports
            .iter()
            .flat_map(|(_, r)| r.decks.iter().map(|d| d.id.as_str()))
            .collect();
        ids.sort();
        ids.dedup();
        let mut decks = Vec::new();
        for id in ids {
            match collection::find_deck(id, &context.data_dir) {
                Ok(loaded) => decks.push(loaded.deck),
                Err(Error::UnknownDeck { .. }) => {
                    let file = reports
                        .iter()
                        .find(|(_, r)| r.decks.iter().any(|d| d.id == id))
                        .map(|(f, _)| f.clone())
                        .unwrap_or_default();
                    return Err(ClassError::UnknownDeck {
                        file,
                        deck: id.to_owned(),
                    }
                    .into());
                }
                Err(other) => return Err(other),
            }
        }
        decks
    } else {
        args.deck
            .iter()
            .map(|name| collection::find_deck(name, &context.data_dir).map(|l| l.deck))
            .collect::<Result<_, _>>()?
    };
    let summary = class::aggregate(&reports, &decks)?;
    if let Some(html) = &args.html {
        write_output(Some(html), &class_html::to_html(&summary, &decks))?;
    }
    if args.json {
        print_json(&summary);
    } else {
        print_lines(text(&summary));
    }
    if let Some(html) = &args.html {
        errln!("Wrote the HTML report to {}.", html.display());
    }
    Ok(())
}

/// A report file's bytes, reading at most one byte over the limit (a huge file is refused
/// without being read whole).
fn read_bounded(path: &Path) -> Result<Vec<u8>, Error> {
    let file = std::fs::File::open(path).context("read", path)?;
    let mut bytes = Vec::new();
    file.take(MAX_REPORT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .context("read", path)?;
    Ok(bytes)
}

fn text(summary: &ClassSummary) -> Vec<String> {
    let mut lines = vec![format!(
        "Class {}: {}.",
        summary.classes.join(", "),
        count(summary.students, "student")
    )];
    lines.push(String::new());
    if summary.to_fix.is_empty() {
        lines.push("Cards to fix: none stands out.".into());
    } else {
        lines.push("Cards to fix:".into());
        for fix in &summary.to_fix {
            lines.push(format!("  {}/{}", fix.deck, fix.item));
            for reason in &fix.reasons {
                lines.push(format!("    - {}", reason.text()));
            }
        }
    }
    lines.push(String::new());
    lines.push(format!(
        "Hardest cards (first-try correct, lowest first; discrimination: {}):",
        summary.discrimination_method
    ));
    lines.push(format!(
        "  {:<40} {:>4} {:>6} {:>8} {:>7} {:>5}  most chosen wrong option",
        "CARD", "MET", "FIRST", "MEDIAN", "LEECHES", "DISC"
    ));
    for card in summary.cards.iter().take(TEXT_CARDS) {
        lines.push(format!(
            "  {:<40} {:>4} {:>6} {:>8} {:>7} {:>5}  {}",
            format!("{}/{}", card.deck, card.item),
            card.met,
            card.first_right_percent
                .map_or("—".into(), |p| format!("{p}%")),
            card.median_ms
                .map_or("—".into(), |ms| duration(Duration::from_millis(ms))),
            card.leeches,
            card.discrimination
                .map_or("—".into(), |d| format!("{d:.2}")),
            card.wrong_choice
                .as_ref()
                .map_or(String::new(), |w| format!("{} ({}%)", w.option, w.percent)),
        ));
    }
    if summary.cards.len() > TEXT_CARDS {
        lines.push(format!(
            "  ... and {} more (--json or --html lists them all)",
            summary.cards.len() - TEXT_CARDS
        ));
    }
    lines.push(String::new());
    lines.push("Retention (reviews graded 3 or more):".into());
    for (label, groups) in [("deck", &summary.decks), ("tag", &summary.tags)] {
        for group in groups.iter() {
            lines.push(format!(
                "  {label} {:<30} {:>5}  over {} by {}",
                group.name,
                group
                    .retention_percent
                    .map_or("—".into(), |p| format!("{p}%")),
                count(group.reviews as usize, "review"),
                count(group.students, "student"),
            ));
        }
    }
    lines
}
