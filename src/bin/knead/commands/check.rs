//! `knead check PATH...`: every problem in deck files and folders, located, with a fix; the
//! decks are also checked against each other (duplicates and conflicts between decks).

use knead::text::{count, plural_s};

use crate::out::{self, Stream};
use knead::deck::checks::{self, Strictness};
use knead::deck::diagnostic::Severity;
use std::io::Write;
use std::path::PathBuf;

use std::process::ExitCode;

use clap::Args;

/// How `knead check` prints what it found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style messages with the source line and a caret
    #[default]
    Human,
    /// One JSON object per problem and line (for CI pipelines)
    Json,
}

#[derive(Args)]
pub struct CheckArgs {
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Fail on warnings too; a missing `why` or `source` becomes an error
    #[arg(long)]
    pub strict: bool,
    /// How to print the problems
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: CheckArgs) -> ExitCode {
    let strictness = if args.strict {
        Strictness::Strict
    } else {
        Strictness::Normal
    };
    ExitCode::from(check(&args.paths, strictness, args.format))
}

/// Prints every problem in the files and returns the exit status (0 clean, 1 warnings under
/// `--strict`, 2 errors).
fn check(paths: &[PathBuf], strictness: Strictness, format: Format) -> u8 {
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
                plural_s(report.files.len()),
                plural_s(decks),
                plural_s(cards),
                count(report.count(Severity::Error), "error"),
                count(report.count(Severity::Warning), "warning"),
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
