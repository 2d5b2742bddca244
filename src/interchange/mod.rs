//! Moving cards between knead and the tools instructors already use: a spreadsheet CSV or
//! Anki's "Notes in Plain Text" in; an Anki text file or a printable Markdown handout out.
//!
//! An import never drops a row silently: every row it cannot turn into a card is reported as
//! a located [`Diagnostic`] (`K2xx` codes), and by default any such row means no deck at all.
//!
//! | code | severity | what |
//! |---|---|---|
//! | K201 | error | a CSV header cell that is not a known column, or a column named twice |
//! | K202 | error | the CSV header has no `front` or no `back` column |
//! | K203 | error | a row with the wrong number of fields |
//! | K204 | error | a row with an empty front |
//! | K205 | error | a row with an empty back |
//! | K206 | error | a field that is not UTF-8 text |
//! | K207 | error | two rows with the same card id |
//! | K208 | error | an id (CSV `id` column, or a `knead:` GUID) that is not a slug |
//! | K209 | error | an Anki header line knead cannot use (`#separator:`, `#html:`, `#... column:`) |
//! | K210 | warning | a tag renamed to be a slug (`Anatomy::Spine` becomes `anatomy-spine`) |
//! | K211 | warning | a tag with no letter or digit, left out |
//! | K212 | error | text in a field knead has no place for (an Anki note type with more fields) |
//! | K213 | error | a safety-critical card without a source |
//! | K214 | error | a quote that is never closed (the rest of the file would be one field) |
//! | K215 | error | a `critical` value that is not yes/no |
//! | K216 | error | nothing to import: no rows, or every row rejected |
//! | K217 | warning | something in the file knead cannot carry over: an image, an Anki header it does not know, Anki's own GUIDs, several Anki decks, a `#` comment line among the notes |

mod anki;
mod csv_import;
mod html;
mod markdown;
mod table;

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

pub use anki::{GUID_PREFIX, guid, to_anki};
pub use markdown::to_markdown;

use crate::deck::{self, Basic, Card, Deck, DeckErrors, cloze_deletions};
use crate::diagnostic::{Diagnostic, Severity};
use crate::error::Error;
use table::SourceFile;

/// The kinds of file `knead import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A spreadsheet saved as CSV, with a header row naming the columns.
    Csv,
    /// Anki's "Notes in Plain Text" export (or any file in that format).
    Anki,
}

impl Format {
    /// Anki files start with `#key:value` header lines (or the older `tags:` line); a file
    /// without them is taken by its extension: `.txt` and `.tsv` as Anki, anything else CSV.
    pub fn detect(path: &Path, bytes: &[u8]) -> Format {
        let body = bytes.strip_prefix(BOM).unwrap_or(bytes);
        let by_extension = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("txt") || e.eq_ignore_ascii_case("tsv"));
        if body.starts_with(b"#") || body.starts_with(b"tags:") || by_extension {
            Format::Anki
        } else {
            Format::Csv
        }
    }
}

const BOM: &[u8] = "\u{feff}".as_bytes();

/// What the deck made by an import is called, and what to do with rows it cannot use.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// The new deck's id (a slug).
    pub deck_id: String,
    /// The new deck's title; by default the Anki file's `#deck:` header, else the deck id.
    pub title: Option<String>,
    /// Import the rows that are fine and report the others as warnings, instead of refusing.
    pub skip_invalid: bool,
}

/// A successful import.
#[derive(Clone, Debug)]
pub struct Imported {
    pub deck: Deck,
    /// The deck as RON, as `knead check` accepts it.
    pub ron: String,
    /// What the user should know: renamed tags, left-out images, skipped rows...
    pub warnings: Vec<Diagnostic>,
    /// Rows left out under `skip_invalid` (each one is among the warnings).
    pub skipped: usize,
}

/// Turns a CSV or Anki file into a deck. `path` is how the file is named in messages.
///
/// Fails with every problem found, each located in the file, if any row cannot become a card
/// (unless `skip_invalid`), or if the file cannot be read as this format at all.
pub fn import(
    bytes: &[u8],
    path: &str,
    format: Format,
    options: &ImportOptions,
) -> Result<Imported, Error> {
    let file = SourceFile::new(path, bytes);
    let parsed = match format {
        Format::Csv => csv_import::read(&file),
        Format::Anki => anki::read(&file),
    }
    .map_err(|diagnostics| Error::Deck(DeckErrors { diagnostics }))?;
    assemble(&file, parsed, options)
}

/// Text from the file and where it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Located {
    pub text: String,
    pub at: Range<usize>,
}

/// A row a format reader could read: the card it describes, not yet checked.
#[derive(Clone, Debug, Default)]
pub(crate) struct Row {
    /// Where the row is (for problems with the row as a whole).
    pub at: Range<usize>,
    /// An id the file gives (a CSV `id` column, a `knead:` GUID).
    pub id: Option<Located>,
    pub front: Located,
    pub back: Located,
    pub why: Option<String>,
    pub source: Option<String>,
    /// Tags as written, before they are made slugs.
    pub tags: Vec<Located>,
    pub critical: bool,
}

/// What a format reader found: rows (or why each could not be read), notes about the file,
/// and a title if the file carries one.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub rows: Vec<Result<Row, Vec<Diagnostic>>>,
    pub warnings: Vec<Diagnostic>,
    pub title: Option<String>,
}

/// Field text as a card holds it: Windows line endings made `\n`, surrounding space trimmed.
pub(crate) fn clean(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .to_owned()
}

/// Splits a field's text into located pieces (tags) at the characters `is_separator` accepts.
/// `field_start` is where the field is in the file; a quoted field's text starts one later.
pub(crate) fn split_located(
    file: &SourceFile,
    field_start: usize,
    text: &str,
    is_separator: impl Fn(char) -> bool,
) -> Vec<Located> {
    let base = field_start + usize::from(file.bytes.get(field_start) == Some(&b'"'));
    let mut pieces = Vec::new();
    let mut start = 0;
    for (at, c) in text.char_indices().chain([(text.len(), ',')]) {
        if at == text.len() || is_separator(c) {
            let piece = &text[start..at];
            let trimmed = piece.trim();
            if !trimmed.is_empty() {
                let offset = base + start + (piece.len() - piece.trim_start().len());
                pieces.push(Located {
                    text: trimmed.to_owned(),
                    at: offset..offset + trimmed.len(),
                });
            }
            start = at + c.len_utf8();
        }
    }
    pieces
}

/// A tag as a slug: transliterated to ASCII, lowercase, Anki's `::` hierarchy and anything
/// else that is not a letter or digit as '-'. `None` when nothing usable is left.
pub fn normalise_tag(raw: &str) -> Option<String> {
    let ascii = deunicode::deunicode(raw);
    ascii
        .chars()
        .any(|c| c.is_ascii_alphanumeric())
        .then(|| deck::slugify(&ascii))
}

/// A card as a question and an answer in plain text, as it is printed or sent to Anki.
pub(crate) struct Face {
    pub question: String,
    pub answer: String,
}

/// Every kind of card as a question and its answer: a Choice lists its options (numbered as
/// in plain-mode study) and answers with the right one; a Cloze shows every deletion as
/// `[...]` and answers with the full text; a Scenario asks for the verdict.
pub(crate) fn face(card: &Card) -> Face {
    match card {
        Card::Basic(basic) => Face {
            question: basic.front.clone(),
            answer: basic.back.clone(),
        },
        Card::Choice(choice) => {
            let mut question = choice.prompt.clone();
            question.push('\n');
            for (index, option) in choice.options.iter().enumerate() {
                question.push_str(&format!("\n{}. {option}", index + 1));
            }
            let answer = choice
                .options
                .get(choice.answer)
                .map_or_else(String::new, |right| {
                    format!("{}. {right}", choice.answer + 1)
                });
            Face { question, answer }
        }
        Card::TrueFalse(tf) => Face {
            question: format!("True or false: {}", tf.statement),
            answer: (if tf.answer { "True" } else { "False" }).to_owned(),
        },
        Card::Cloze(cloze) => Face {
            question: cloze_parts(&cloze.text)
                .iter()
                .map(|(hidden, text)| if *hidden { "[...]" } else { text })
                .collect(),
            answer: cloze_parts(&cloze.text)
                .iter()
                .map(|(_, text)| *text)
                .collect(),
        },
        Card::Scenario(scenario) => Face {
            question: format!(
                "Client: {}\nTechnique: {}\nWhich verdict applies: Suitable, Adapt, Avoid or Refer?",
                scenario.client, scenario.technique
            ),
            answer: format!(
                "{} ({})",
                scenario.verdict.name(),
                scenario.verdict.meaning()
            ),
        },
    }
}

/// A Cloze text in pieces, each marked hidden (a deletion's content) or shown.
pub(crate) fn cloze_parts(text: &str) -> Vec<(bool, &str)> {
    let mut parts = Vec::new();
    let mut rest = 0;
    for range in cloze_deletions(text).unwrap_or_default() {
        parts.push((false, &text[rest..range.start - 2]));
        parts.push((true, &text[range.clone()]));
        rest = range.end + 2;
    }
    parts.push((false, &text[rest..]));
    parts
}

/// Longest id made from a card's front, so ids stay readable in progress files.
const MAX_GENERATED_ID: usize = 48;

/// An id made from a card's front: its words as a slug, cut at a word boundary.
fn id_from_front(front: &str) -> String {
    let Some(slug) = normalise_tag(front) else {
        return "card".to_owned();
    };
    if slug.len() <= MAX_GENERATED_ID {
        return slug;
    }
    let cut = &slug[..MAX_GENERATED_ID];
    cut.rfind('-')
        .map_or(cut, |at| &cut[..at])
        .trim_end_matches('-')
        .to_owned()
}

fn assemble(file: &SourceFile, parsed: Parsed, options: &ImportOptions) -> Result<Imported, Error> {
    let path = file.path;
    let mut diagnostics = parsed.warnings;
    // Under --skip-invalid a rejected row is still listed, as a warning.
    let reject = |d: Diagnostic| Diagnostic {
        severity: if options.skip_invalid {
            Severity::Warning
        } else {
            d.severity
        },
        ..d
    };
    let row_count = parsed.rows.len();
    let mut rejected = 0;
    let mut accepted = Vec::new();
    for row in parsed.rows {
        let checked = row.map(|row| {
            let problems = row_problems(file, &row);
            (row, problems)
        });
        match checked {
            Ok((row, problems)) if problems.is_empty() => accepted.push(row),
            Ok((_, problems)) | Err(problems) => {
                rejected += 1;
                diagnostics.extend(problems.into_iter().map(reject));
            }
        }
    }

    let mut first_with_id: HashMap<String, Range<usize>> = HashMap::new();
    accepted.retain(|row| {
        let Some(id) = &row.id else { return true };
        let Some(first) = first_with_id.get(&id.text) else {
            first_with_id.insert(id.text.clone(), id.at.clone());
            return true;
        };
        rejected += 1;
        diagnostics.push(reject(
            Diagnostic::error("K207", path, format!("card id `{}` is used twice", id.text))
                .with_mark(file.mark(id.at.clone(), "second row with this id"))
                .with_mark(file.mark(first.clone(), "first used here"))
                .with_help("give each card its own id: progress is kept per id, so two cards sharing one would share a schedule"),
        ));
        false
    });

    let mut taken: HashSet<String> = first_with_id.into_keys().collect();
    let mut tags_reported = HashSet::new();
    let mut cards = Vec::new();
    for row in accepted {
        let id = match row.id {
            Some(id) => id.text,
            None => unique(id_from_front(&row.front.text), &mut taken),
        };
        let mut tags: Vec<String> = Vec::new();
        for raw in &row.tags {
            let normalised = normalise_tag(&raw.text);
            let first_time = normalised.as_deref() != Some(raw.text.as_str())
                && tags_reported.insert(raw.text.clone());
            match normalised {
                Some(tag) => {
                    if first_time {
                        diagnostics.push(
                            warning("K210", path, format!("tag `{}` becomes `{tag}`", raw.text))
                                .with_mark(file.mark(raw.at.clone(), "renamed wherever it appears"))
                                .with_help("knead tags are slugs: lowercase letters, digits and '-' (Anki's `::` levels and spaces become '-')"),
                        );
                    }
                    if !tags.contains(&tag) {
                        tags.push(tag);
                    }
                }
                None if first_time => diagnostics.push(
                    warning(
                        "K211",
                        path,
                        format!("tag `{}` has no letter or digit and is left out", raw.text),
                    )
                    .with_mark(file.mark(raw.at.clone(), "left out wherever it appears"))
                    .with_help("give the tag a name made of letters or digits if it matters"),
                ),
                None => {}
            }
        }
        cards.push(Card::Basic(Basic {
            id,
            front: row.front.text,
            back: row.back.text,
            why: row.why,
            source: row.source,
            tags,
            critical: row.critical,
            ..Default::default()
        }));
    }

    if cards.is_empty() {
        let (message, help) = if row_count == 0 {
            (
                "there are no cards in this file",
                "add a row for each card below the header",
            )
        } else {
            (
                "every row was rejected: there is nothing to import",
                "fix the rows listed above",
            )
        };
        diagnostics.push(Diagnostic::error("K216", path, message).with_help(help));
    }
    // File-level notes first, then in the order of the file.
    diagnostics.sort_by_key(|d| d.marks.first().map_or((0, 0), |m| (m.line, m.col)));
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return Err(Error::Deck(DeckErrors { diagnostics }));
    }

    let deck = Deck {
        id: options.deck_id.clone(),
        title: options
            .title
            .clone()
            .or(parsed.title)
            .unwrap_or_else(|| options.deck_id.clone()),
        version: 1,
        cards,
        ..Default::default()
    };
    let ron = deck::to_ron(&deck);
    // The rows were checked above; this guards the promise that `knead check` accepts the
    // result, whatever rules the deck format gains.
    deck::parse(&ron, &format!("{}.ron (imported from {path})", deck.id)).map_err(Error::Deck)?;
    Ok(Imported {
        deck,
        ron,
        warnings: diagnostics,
        skipped: rejected,
    })
}

fn warning(code: &'static str, path: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        severity: Severity::Warning,
        ..Diagnostic::error(code, path, message)
    }
}

/// `base`, or `base-2`, `base-3`... whichever is not taken yet (and takes it).
fn unique(base: String, taken: &mut HashSet<String>) -> String {
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

fn row_problems(file: &SourceFile, row: &Row) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let path = file.path;
    if row.front.text.is_empty() {
        problems.push(
            Diagnostic::error("K204", path, "this row has an empty front")
                .with_mark(file.mark(row.front.at.clone(), "no question here"))
                .with_help("write the question in the front column, or delete the row"),
        );
    }
    if row.back.text.is_empty() {
        problems.push(
            Diagnostic::error("K205", path, "this row has an empty back")
                .with_mark(file.mark(row.back.at.clone(), "no answer here"))
                .with_help("write the answer in the back column, or delete the row"),
        );
    }
    if let Some(id) = &row.id
        && !deck::is_slug(&id.text)
    {
        problems.push(
            Diagnostic::error("K208", path, format!("card id `{}` is not a slug", id.text))
                .with_mark(file.mark(id.at.clone(), "use lowercase letters, digits and '-'"))
                .with_help(format!("for example `{}`", deck::slugify(&id.text))),
        );
    }
    if row.critical && row.source.is_none() {
        problems.push(
            Diagnostic::error("K213", path, "a safety-critical card needs a source")
                .with_mark(file.mark(row.at.start..row.at.start + 1, "critical card without a source"))
                .with_help("cite where the red flag or contraindication is documented in the source column, or do not mark the card critical"),
        );
    }
    problems
}
